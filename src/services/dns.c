/* dns.c - the DNS stub of a VPC: Cloud DNS private zones (see dns.h).
 * ldns parses the queries and writes the answers; this file decides what
 * the answer is, and serves UDP and TCP with one poll() loop. */
#define _POSIX_C_SOURCE 200809L
#include "services/dns.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "base/util.h"
#include "model/addr.h"

#define HDR_LEN 12
#define SOA_SERIAL 1u
#define SOA_REFRESH 21600u
#define SOA_RETRY 3600u
#define SOA_EXPIRE 259200u
#define RCODE_BADVERS 16

/* ---- configuration ---------------------------------------------------- */

/* a label of a record or zone name: 1..63 of [a-z0-9_-] (input may be
 * upper case: it is lowered), or a lone "*" when star is allowed */
static bool label_ok(const char *s, size_t n, bool star)
{
	if (n == 0 || n > 63)
		return false;
	if (n == 1 && s[0] == '*')
		return star;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
	}
	return true;
}

/* labels separated by dots, no empty label, "*" only as the first label
 * when star is allowed */
static bool labels_ok(const char *s, size_t len, bool star)
{
	size_t start = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!label_ok(s + start, i - start, star && start == 0))
			return false;
		start = i + 1;
	}
	return true;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* the name parses as a DNS name (at most 255 bytes on the wire) */
static bool dname_parses(const char *s)
{
	ldns_rdf *d = ldns_dname_new_frm_str(s);
	if (!d)
		return false;
	ldns_rdf_deep_free(d);
	return true;
}

static const psc_plan_endpoint *plan_endpoint(const psc_plan *p,
					      const char *name)
{
	for (size_t i = 0; i < p->n_eps; i++)
		if (p->eps[i].ep && strcmp(p->eps[i].ep->name, name) == 0)
			return &p->eps[i];
	return NULL;
}

static bool zone_visible(const psc_dns_zone *z, const char *network)
{
	for (size_t i = 0; i < z->n_networks; i++)
		if (strcmp(z->networks[i], network) == 0)
			return true;
	return false;
}

static int zone_origin(const psc_dns_zone *z, char *out, size_t outlen,
		       char *err, size_t errlen)
{
	size_t len = strnlen(z->dns_name, sizeof(z->dns_name));
	if (len > 0 && z->dns_name[len - 1] == '.')
		len--;
	if (len == 0 || !labels_ok(z->dns_name, len, false) ||
	    (size_t)snprintf(out, outlen, "%.*s.", (int)len, z->dns_name) >=
		    outlen) {
		snprintf(err, errlen, "DNS zone '%s': dns_name '%s' is not a "
			 "DNS name", z->name, z->dns_name);
		return -1;
	}
	lower(out);
	if (!dname_parses(out)) {
		snprintf(err, errlen, "DNS zone '%s': dns_name '%s' is too "
			 "long", z->name, z->dns_name);
		return -1;
	}
	return 0;
}

static int record_name(const psc_dns_zone *z, const psc_dns_record *r,
		       const char *origin, char *out, size_t outlen,
		       char *err, size_t errlen)
{
	size_t len = strnlen(r->name, sizeof(r->name));
	int n;
	if (strcmp(r->name, "@") == 0)
		n = snprintf(out, outlen, "%s", origin);
	else if (labels_ok(r->name, len, true))
		n = snprintf(out, outlen, "%s.%s", r->name, origin);
	else {
		snprintf(err, errlen, "DNS zone '%s': record name '%s' is not "
			 "'*', '@' or a relative name", z->name, r->name);
		return -1;
	}
	lower(out);
	if (n < 0 || (size_t)n >= outlen || !dname_parses(out)) {
		snprintf(err, errlen, "DNS zone '%s': record name '%s' makes "
			 "too long a name", z->name, r->name);
		return -1;
	}
	return 0;
}

int psc_dns_config_from_plan(const psc_plan *p, size_t net_index,
			     psc_dns_config *cfg, char *err, size_t errlen)
{
	if (!cfg)
		return -1;
	memset(cfg, 0, sizeof(*cfg));
	cfg->ttl = PSC_DNS_DEFAULT_TTL;
	if (!p || !p->t || net_index >= p->t->n_networks) {
		snprintf(err, errlen, "no network #%zu in the plan", net_index);
		return -1;
	}
	const psc_topology *t = p->t;
	const char *net = t->networks[net_index].name;

	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		if (!zone_visible(z, net))
			continue;
		if (cfg->n_zones >= PSC_MAX_DNS_ZONES) {
			snprintf(err, errlen, "too many DNS zones");
			return -1;
		}
		psc_dns_zone_rt *zr = &cfg->zones[cfg->n_zones];
		char origin[PSC_DNS_NAME_LEN];
		if (zone_origin(z, origin, sizeof(origin), err, errlen) < 0)
			return -1;
		memcpy(zr->origin, origin, sizeof(origin));
		for (size_t j = 0; j < cfg->n_zones; j++)
			if (strcmp(cfg->zones[j].origin, zr->origin) == 0) {
				snprintf(err, errlen, "two DNS zones serve %s "
					 "to network '%s'", zr->origin, net);
				return -1;
			}
		for (size_t r = 0; r < z->n_records; r++) {
			const psc_dns_record *rec = &z->records[r];
			if (strcasecmp(rec->type, "A") != 0) {
				snprintf(err, errlen, "DNS zone '%s': record "
					 "'%s' has type '%s'; only A is "
					 "served", z->name, rec->name,
					 rec->type);
				return -1;
			}
			const psc_plan_endpoint *e =
				plan_endpoint(p, rec->endpoint);
			if (!e) {
				snprintf(err, errlen, "DNS zone '%s': record "
					 "'%s' names PSC endpoint '%s', which "
					 "the plan does not have", z->name,
					 rec->name, rec->endpoint);
				return -1;
			}
			if (zr->n_records >= PSC_DNS_MAX_RECORDS) {
				snprintf(err, errlen, "DNS zone '%s': too many "
					 "records", z->name);
				return -1;
			}
			psc_dns_record_rt *rr = &zr->records[zr->n_records];
			if (record_name(z, rec, origin, rr->name,
					sizeof(rr->name), err, errlen) < 0)
				return -1;
			rr->a = e->ip;
			zr->n_records++;
		}
		cfg->n_zones++;
	}
	return 0;
}

int psc_dns_config_check(const psc_dns_config *cfg, char *err, size_t errlen)
{
	if (!cfg || cfg->n_zones > PSC_MAX_DNS_ZONES) {
		snprintf(err, errlen, "bad DNS configuration");
		return -1;
	}
	for (size_t i = 0; i < cfg->n_zones; i++) {
		const psc_dns_zone_rt *z = &cfg->zones[i];
		ldns_rdf *o = NULL;
		if (!memchr(z->origin, '\0', sizeof(z->origin)) ||
		    !(o = ldns_dname_new_frm_str(z->origin))) {
			snprintf(err, errlen, "zone #%zu: origin is not a DNS "
				 "name", i + 1);
			return -1;
		}
		if (z->n_records > PSC_DNS_MAX_RECORDS) {
			ldns_rdf_deep_free(o);
			snprintf(err, errlen, "zone %s: too many records",
				 z->origin);
			return -1;
		}
		for (size_t j = 0; j < z->n_records; j++) {
			const char *name = z->records[j].name;
			ldns_rdf *d = NULL;
			bool ok = memchr(name, '\0', PSC_DNS_NAME_LEN) &&
				  (d = ldns_dname_new_frm_str(name)) &&
				  (ldns_dname_compare(d, o) == 0 ||
				   ldns_dname_is_subdomain(d, o));
			ldns_rdf_deep_free(d);
			if (!ok) {
				ldns_rdf_deep_free(o);
				snprintf(err, errlen, "zone %s: record #%zu is "
					 "not a name in the zone", z->origin,
					 j + 1);
				return -1;
			}
		}
		ldns_rdf_deep_free(o);
	}
	return 0;
}

/* ---- answering ---------------------------------------------------------- */

/* the zone of a query, with its names parsed */
typedef struct zone_view {
	const psc_dns_zone_rt *z;
	ldns_rdf *origin;
	ldns_rdf *owner[PSC_DNS_MAX_RECORDS];  /* NULL: unusable record */
	size_t n;
} zone_view;

static void view_free(zone_view *v)
{
	ldns_rdf_deep_free(v->origin);
	for (size_t i = 0; i < v->n; i++)
		ldns_rdf_deep_free(v->owner[i]);
	memset(v, 0, sizeof(*v));
}

static bool dname_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

/* at or below */
static bool dname_in(const ldns_rdf *name, const ldns_rdf *zone)
{
	return dname_eq(name, zone) || ldns_dname_is_subdomain(name, zone);
}

/* The most specific zone holding qname.  Returns 1 (found, v filled),
 * 0 (none), -1 (memory). */
static int find_zone(const psc_dns_config *cfg, const ldns_rdf *qname,
		     zone_view *v)
{
	size_t nz = cfg->n_zones < PSC_MAX_DNS_ZONES ? cfg->n_zones
						      : PSC_MAX_DNS_ZONES;
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < nz; i++) {
		const psc_dns_zone_rt *z = &cfg->zones[i];
		if (!memchr(z->origin, '\0', sizeof(z->origin)))
			continue;
		ldns_rdf *o = ldns_dname_new_frm_str(z->origin);
		if (!o)
			continue;
		if (dname_in(qname, o) &&
		    (!v->origin || ldns_dname_label_count(o) >
					   ldns_dname_label_count(v->origin))) {
			ldns_rdf_deep_free(v->origin);
			v->origin = o;
			v->z = z;
		} else {
			ldns_rdf_deep_free(o);
		}
	}
	if (!v->z)
		return 0;
	size_t nr = v->z->n_records < PSC_DNS_MAX_RECORDS
			    ? v->z->n_records
			    : PSC_DNS_MAX_RECORDS;
	for (size_t i = 0; i < nr; i++) {
		const char *name = v->z->records[i].name;
		ldns_rdf *d = memchr(name, '\0', PSC_DNS_NAME_LEN)
				      ? ldns_dname_new_frm_str(name)
				      : NULL;
		if (d && !dname_in(d, v->origin)) {
			ldns_rdf_deep_free(d);
			d = NULL;
		}
		v->owner[i] = d;
	}
	v->n = nr;
	return 1;
}

/* a node of the zone: the apex, a record's owner or an empty non-terminal
 * (an ancestor of an owner) */
static bool node_exists(const zone_view *v, const ldns_rdf *name)
{
	if (dname_eq(name, v->origin))
		return true;
	for (size_t i = 0; i < v->n; i++)
		if (v->owner[i] && dname_in(v->owner[i], name))
			return true;
	return false;
}

static bool owner_has_records(const zone_view *v, const ldns_rdf *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->owner[i] && dname_eq(v->owner[i], name))
			return true;
	return false;
}

typedef enum lookup_kind {
	LK_APEX,        /* the zone apex */
	LK_NAME,        /* a name with records (owner match_owner) */
	LK_EMPTY,       /* an empty non-terminal: NODATA */
	LK_WILDCARD,    /* synthesized from match_owner */
	LK_NXDOMAIN,
} lookup_kind;

typedef struct lookup {
	lookup_kind kind;
	const ldns_rdf *match_owner;    /* one owner of the matching RRset */
} lookup;

/* RFC 4592: returns 0 and the result, -1 on memory */
static int zone_lookup(const zone_view *v, const ldns_rdf *qname, lookup *lk)
{
	lk->match_owner = NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->owner[i] && dname_eq(v->owner[i], qname)) {
			lk->kind = LK_NAME;
			lk->match_owner = v->owner[i];
			return 0;
		}
	if (dname_eq(qname, v->origin)) {
		lk->kind = LK_APEX;
		return 0;
	}
	if (node_exists(v, qname)) {
		lk->kind = LK_EMPTY;
		return 0;
	}
	/* the closest encloser: the longest existing ancestor (the apex at
	 * the latest; bounded by the label count, at most 128) */
	ldns_rdf *ce = ldns_dname_left_chop(qname);
	for (int guard = 0; ce && guard < 130; guard++) {
		if (node_exists(v, ce))
			break;
		ldns_rdf *up = ldns_dname_left_chop(ce);
		ldns_rdf_deep_free(ce);
		ce = up;
	}
	if (!ce)
		return -1;
	lk->kind = LK_NXDOMAIN;
	for (size_t i = 0; i < v->n; i++) {
		if (!v->owner[i] || ldns_dname_is_wildcard(v->owner[i]) != 1)
			continue;
		ldns_rdf *parent = ldns_dname_left_chop(v->owner[i]);
		if (!parent) {
			ldns_rdf_deep_free(ce);
			return -1;
		}
		bool hit = dname_eq(parent, ce);
		ldns_rdf_deep_free(parent);
		if (hit) {
			lk->kind = LK_WILDCARD;
			lk->match_owner = v->owner[i];
			break;
		}
	}
	ldns_rdf_deep_free(ce);
	return 0;
}

/* a new RR: owner cloned, rdfs taken (freed on failure too) */
static ldns_rr *rr_make(const ldns_rdf *owner, ldns_rr_type type,
			uint32_t ttl, ldns_rdf **rdf, size_t n)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *o = ldns_rdf_clone(owner);
	size_t i = 0;
	if (!rr || !o)
		goto fail;
	ldns_rr_set_owner(rr, o);
	o = NULL;
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	for (; i < n; i++) {
		if (!rdf[i] || !ldns_rr_push_rdf(rr, rdf[i]))
			goto fail;
	}
	return rr;
fail:
	for (; i < n; i++)
		ldns_rdf_deep_free(rdf[i]);
	ldns_rdf_deep_free(o);
	ldns_rr_free(rr);
	return NULL;
}

static int push(ldns_pkt *r, ldns_pkt_section s, ldns_rr *rr)
{
	if (!rr)
		return -1;
	if (!ldns_pkt_push_rr(r, s, rr)) {
		ldns_rr_free(rr);
		return -1;
	}
	return 0;
}

static ldns_rr *rr_a(const ldns_rdf *owner, uint32_t ttl, uint32_t ip)
{
	uint8_t b[4] = {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16),
			(uint8_t)(ip >> 8), (uint8_t)ip};
	ldns_rdf *d = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, sizeof(b), b);
	return rr_make(owner, LDNS_RR_TYPE_A, ttl, &d, 1);
}

/* "<prefix>.<origin>", or the origin when that would be too long */
static ldns_rdf *prefixed(const char *prefix, const ldns_rdf *origin)
{
	ldns_rdf *p = ldns_dname_new_frm_str(prefix);
	ldns_rdf *d = p ? ldns_dname_cat_clone(p, origin) : NULL;
	ldns_rdf_deep_free(p);
	if (d && ldns_rdf_size(d) <= LDNS_MAX_DOMAINLEN)
		return d;
	ldns_rdf_deep_free(d);
	return ldns_rdf_clone(origin);
}

static ldns_rr *rr_soa(const ldns_rdf *owner, const ldns_rdf *origin,
		       uint32_t ttl)
{
	ldns_rdf *rd[7] = {
		prefixed("ns", origin),
		prefixed("hostmaster", origin),
		ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, SOA_SERIAL),
		ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, SOA_REFRESH),
		ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, SOA_RETRY),
		ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, SOA_EXPIRE),
		ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, ttl),
	};
	return rr_make(owner, LDNS_RR_TYPE_SOA, ttl, rd, 7);
}

static ldns_rr *rr_ns(const ldns_rdf *owner, const ldns_rdf *origin,
		      uint32_t ttl)
{
	ldns_rdf *d = prefixed("ns", origin);
	return rr_make(owner, LDNS_RR_TYPE_NS, ttl, &d, 1);
}

/* the A RRset of owner (duplicates suppressed, RFC 2181 5) */
static int push_a_set(ldns_pkt *r, const zone_view *v, const ldns_rdf *owner,
		      const ldns_rdf *qname, uint32_t ttl, size_t *pushed)
{
	*pushed = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (!v->owner[i] || !dname_eq(v->owner[i], owner))
			continue;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			if (v->owner[j] && dname_eq(v->owner[j], owner) &&
			    v->z->records[j].a == v->z->records[i].a)
				dup = true;
		if (dup)
			continue;
		if (push(r, LDNS_SECTION_ANSWER,
			 rr_a(qname, ttl, v->z->records[i].a)) < 0)
			return -1;
		(*pushed)++;
	}
	return 0;
}

/* Fill answer and authority for a question in zone v.  Returns 0 / -1. */
static int answer_zone(ldns_pkt *r, const zone_view *v, const ldns_rdf *qname,
		       ldns_rr_type qtype, uint32_t ttl)
{
	lookup lk;
	size_t n = 0;
	bool any = qtype == LDNS_RR_TYPE_ANY;

	if (zone_lookup(v, qname, &lk) < 0)
		return -1;
	ldns_pkt_set_aa(r, true);
	switch (lk.kind) {
	case LK_APEX:
		if (qtype == LDNS_RR_TYPE_SOA || any) {
			if (push(r, LDNS_SECTION_ANSWER,
				 rr_soa(qname, v->origin, ttl)) < 0)
				return -1;
			n++;
		}
		if (qtype == LDNS_RR_TYPE_NS || any) {
			if (push(r, LDNS_SECTION_ANSWER,
				 rr_ns(qname, v->origin, ttl)) < 0)
				return -1;
			n++;
		}
		break;
	case LK_NAME:
	case LK_WILDCARD:
		if (qtype == LDNS_RR_TYPE_A || any) {
			if (push_a_set(r, v, lk.match_owner, qname, ttl, &n) <
			    0)
				return -1;
		}
		break;
	case LK_EMPTY:
		break;
	case LK_NXDOMAIN:
		ldns_pkt_set_rcode(r, LDNS_RCODE_NXDOMAIN);
		break;
	}
	/* an apex that is also a record's owner ("@") */
	if (lk.kind == LK_APEX && (qtype == LDNS_RR_TYPE_A || any) &&
	    owner_has_records(v, v->origin)) {
		size_t k;
		if (push_a_set(r, v, v->origin, qname, ttl, &k) < 0)
			return -1;
		n += k;
	}
	if (n == 0 &&
	    push(r, LDNS_SECTION_AUTHORITY, rr_soa(v->origin, v->origin, ttl)) <
		    0)
		return -1;
	return 0;
}

/* What the query asked, from the parsed packet. */
typedef struct query_info {
	uint16_t id;
	ldns_pkt_opcode opcode;
	bool rd, cd;
	bool edns, edns_do;
	uint16_t edns_size;
	uint8_t edns_version;
	const ldns_rr *question;        /* NULL: header-only answer */
} query_info;

typedef enum build_mode {
	BUILD_FULL,
	BUILD_TRUNCATED,
} build_mode;

/* Build the answer packet: rcode (may be overridden by the zone answer),
 * question echoed, records when in_zone and mode is FULL. */
static ldns_pkt *build(const psc_dns_config *cfg, const query_info *qi,
		       ldns_pkt_rcode rcode, unsigned ext_rcode,
		       const zone_view *v, build_mode mode)
{
	uint32_t ttl = cfg->ttl ? cfg->ttl : PSC_DNS_DEFAULT_TTL;
	ldns_pkt *r = ldns_pkt_new();
	if (!r)
		return NULL;
	ldns_pkt_set_id(r, qi->id);
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, qi->opcode);
	ldns_pkt_set_rd(r, qi->rd);
	ldns_pkt_set_cd(r, qi->cd);
	ldns_pkt_set_rcode(r, (uint8_t)rcode);
	if (qi->question) {
		ldns_rr *q = ldns_rr_clone(qi->question);
		if (push(r, LDNS_SECTION_QUESTION, q) < 0)
			goto fail;
	}
	if (v && v->z) {
		if (mode == BUILD_FULL) {
			if (answer_zone(r, v, ldns_rr_owner(qi->question),
					ldns_rr_get_type(qi->question),
					ttl) < 0)
				goto fail;
		} else {
			/* the flags and rcode of the full answer stand */
			ldns_pkt_set_aa(r, true);
			lookup lk;
			if (zone_lookup(v, ldns_rr_owner(qi->question),
					&lk) < 0)
				goto fail;
			if (lk.kind == LK_NXDOMAIN)
				ldns_pkt_set_rcode(r, LDNS_RCODE_NXDOMAIN);
		}
	}
	if (mode == BUILD_TRUNCATED)
		ldns_pkt_set_tc(r, true);
	if (qi->edns) {
		ldns_pkt_set_edns_udp_size(r, PSC_DNS_EDNS_SIZE);
		ldns_pkt_set_edns_version(r, 0);
		ldns_pkt_set_edns_extended_rcode(r, (uint8_t)ext_rcode);
		ldns_pkt_set_edns_do(r, qi->edns_do);
	}
	return r;
fail:
	ldns_pkt_free(r);
	return NULL;
}

/* wire form into out; returns the length, or 0 when it exceeds limit,
 * -1 on error */
static long to_wire(const ldns_pkt *r, uint8_t *out, size_t limit)
{
	uint8_t *w = NULL;
	size_t n = 0;
	if (ldns_pkt2wire(&w, r, &n) != LDNS_STATUS_OK || !w) {
		free(w);
		return -1;
	}
	long ret = 0;
	if (n <= limit && n > 0) {
		memcpy(out, w, n);
		ret = (long)n;
	}
	free(w);
	return ret;
}

static long respond(const psc_dns_config *cfg, const query_info *qi,
		    ldns_pkt_rcode rcode, unsigned ext_rcode,
		    const zone_view *v, uint8_t *out, size_t limit,
		    size_t outcap)
{
	ldns_pkt *r = build(cfg, qi, rcode, ext_rcode, v, BUILD_FULL);
	if (!r)
		return -1;
	long n = to_wire(r, out, limit);
	ldns_pkt_free(r);
	if (n != 0)
		return n;
	r = build(cfg, qi, rcode, ext_rcode, v, BUILD_TRUNCATED);
	if (!r)
		return -1;
	n = to_wire(r, out, outcap);
	ldns_pkt_free(r);
	return n > 0 ? n : -1;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static bool meta_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_OPT || t == LDNS_RR_TYPE_TSIG ||
	       t == LDNS_RR_TYPE_TKEY || t == LDNS_RR_TYPE_MAILA ||
	       t == LDNS_RR_TYPE_MAILB;
}

/* the query's EDNS: flags and version into qi; over UDP the answer may
 * grow to the client's size, within [512, PSC_DNS_EDNS_SIZE] and outcap */
static void read_edns(const ldns_pkt *q, query_info *qi, bool tcp,
		      size_t outcap, size_t *limit)
{
	qi->edns = true;
	qi->edns_do = ldns_pkt_edns_do(q);
	qi->edns_size = ldns_pkt_edns_udp_size(q);
	qi->edns_version = ldns_pkt_edns_version(q);
	if (tcp)
		return;
	size_t sz = qi->edns_size;
	if (sz < PSC_DNS_UDP_PLAIN)
		sz = PSC_DNS_UDP_PLAIN;
	if (sz > PSC_DNS_EDNS_SIZE)
		sz = PSC_DNS_EDNS_SIZE;
	*limit = sz < outcap ? sz : outcap;
}

long psc_dns_answer(const psc_dns_config *cfg, const uint8_t *query,
		    size_t qlen, uint8_t *out, size_t outcap, bool tcp)
{
	query_info qi = {0};
	ldns_pkt *q = NULL;
	zone_view v;
	long ret;

	if (!cfg || !out || (!query && qlen))
		return -1;
	if (qlen < HDR_LEN)
		return 0;                       /* no id to answer to */
	if (query[2] & 0x80)
		return 0;                       /* a response: never answer */
	qi.id = be16(query);
	qi.opcode = (ldns_pkt_opcode)((query[2] >> 3) & 0x0f);
	qi.rd = query[2] & 0x01;
	qi.cd = query[3] & 0x10;
	size_t limit = tcp ? PSC_DNS_TCP_MAX_MSG : PSC_DNS_UDP_PLAIN;
	if (limit > outcap)
		limit = outcap;
	if (qi.opcode != LDNS_PACKET_QUERY)
		return respond(cfg, &qi, LDNS_RCODE_NOTIMPL, 0, NULL, out,
			       limit, outcap);
	if (be16(query + 4) != 1)
		return respond(cfg, &qi, LDNS_RCODE_FORMERR, 0, NULL, out,
			       limit, outcap);
	if (ldns_wire2pkt(&q, query, qlen) != LDNS_STATUS_OK || !q ||
	    ldns_rr_list_rr_count(ldns_pkt_question(q)) != 1) {
		ldns_pkt_free(q);
		return respond(cfg, &qi, LDNS_RCODE_FORMERR, 0, NULL, out,
			       limit, outcap);
	}
	qi.question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	/* OPT records ldns took out of the additional section */
	unsigned raw_ar = be16(query + 10), n_opt = 0;
	unsigned kept = ldns_pkt_arcount(q) + (ldns_pkt_tsig(q) ? 1u : 0u);
	if (raw_ar > kept)
		n_opt = raw_ar - kept;
	if (n_opt > 1) {
		ret = respond(cfg, &qi, LDNS_RCODE_FORMERR, 0, NULL, out,
			      limit, outcap);
		goto done;
	}
	if (ldns_pkt_edns(q)) {
		read_edns(q, &qi, tcp, outcap, &limit);
		if (qi.edns_version != 0) {
			ret = respond(cfg, &qi, LDNS_RCODE_NOERROR,
				      RCODE_BADVERS >> 4, NULL, out, limit,
				      outcap);
			goto done;
		}
	}
	ldns_rr_type qtype = ldns_rr_get_type(qi.question);
	ldns_rr_class qclass = ldns_rr_get_class(qi.question);
	const ldns_rdf *qname = ldns_rr_owner(qi.question);
	if (!qname || ldns_rdf_get_type(qname) != LDNS_RDF_TYPE_DNAME ||
	    meta_type(qtype)) {
		ret = respond(cfg, &qi, LDNS_RCODE_FORMERR, 0, NULL, out,
			      limit, outcap);
		goto done;
	}
	if ((qclass != LDNS_RR_CLASS_IN && qclass != LDNS_RR_CLASS_ANY) ||
	    qtype == LDNS_RR_TYPE_AXFR || qtype == LDNS_RR_TYPE_IXFR) {
		ret = respond(cfg, &qi, LDNS_RCODE_REFUSED, 0, NULL, out,
			      limit, outcap);
		goto done;
	}
	int found = find_zone(cfg, qname, &v);
	if (found < 0) {
		ret = -1;
	} else if (found == 0) {
		/* as the VM's resolver answers a name that does not exist
		 * (offline, every name outside the zones is one) */
		ret = respond(cfg, &qi, LDNS_RCODE_NXDOMAIN, 0, NULL, out,
			      limit, outcap);
	} else {
		ret = respond(cfg, &qi, LDNS_RCODE_NOERROR, 0, &v, out, limit,
			      outcap);
	}
	view_free(&v);
done:
	ldns_pkt_free(q);
	return ret;
}

/* ---- serving ------------------------------------------------------------ */

#define UDP_BURST 64        /* datagrams per poll round */
#define ACCEPT_BURST 16     /* connections accepted per poll round */
#define FRAME_MAX (2 + PSC_DNS_TCP_MAX_MSG)

typedef struct tcp_conn {
	int fd;                 /* -1: free slot */
	uint8_t *in;            /* FRAME_MAX */
	size_t in_len;
	uint8_t *outb;          /* FRAME_MAX */
	size_t out_len, out_off;
	long long deadline;     /* ms, CLOCK_MONOTONIC */
} tcp_conn;

typedef struct server {
	const psc_dns_config *cfg;
	int udp, tcp;
	tcp_conn conns[PSC_DNS_TCP_MAX_CONNS];
	uint8_t *ubuf_in, *ubuf_out;    /* 65536 each */
	uint8_t *mem;
} server;

static int set_fd_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void conn_close(tcp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->out_len = c->out_off = 0;
}

static void serve_udp(server *s)
{
	for (int i = 0; i < UDP_BURST; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->udp, s->ubuf_in, 65536, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;         /* EAGAIN or an error: next round */
		long r = psc_dns_answer(s->cfg, s->ubuf_in, (size_t)n,
					s->ubuf_out, 65535, false);
		if (r > 0)
			(void)sendto(s->udp, s->ubuf_out, (size_t)r,
				     MSG_DONTWAIT, (struct sockaddr *)&from,
				     fl);
	}
}

static void serve_accept(server *s, long long now)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept(s->tcp, NULL, NULL);
		if (fd < 0)
			return;
		tcp_conn *slot = NULL;
		for (size_t k = 0; k < PSC_DNS_TCP_MAX_CONNS; k++)
			if (s->conns[k].fd < 0) {
				slot = &s->conns[k];
				break;
			}
		if (!slot || set_fd_flags(fd) < 0) {
			close(fd);      /* full: the client sees EOF at once */
			continue;
		}
		slot->fd = fd;
		slot->in_len = slot->out_len = slot->out_off = 0;
		slot->deadline = now + PSC_DNS_TCP_IDLE_MS;
	}
}

/* write what is pending; returns -1 to close */
static int conn_flush(tcp_conn *c, long long now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->outb + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	c->deadline = now + PSC_DNS_TCP_IDLE_MS;
	return 0;
}

/* read toward the end of the current frame, answer it when complete;
 * returns -1 to close */
static int conn_read(server *s, tcp_conn *c, long long now)
{
	size_t need = c->in_len < 2 ? 2 : 2 + (size_t)be16(c->in);
	ssize_t n = recv(c->fd, c->in + c->in_len, need - c->in_len,
			 MSG_DONTWAIT);
	if (n == 0)
		return -1;              /* EOF, mid-frame or not */
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
				       errno == EINTR
			       ? 0
			       : -1;
	c->in_len += (size_t)n;
	if (c->in_len < 2)
		return 0;
	size_t mlen = be16(c->in);
	if (mlen == 0)
		return -1;
	if (c->in_len < 2 + mlen)
		return 0;
	long r = psc_dns_answer(s->cfg, c->in + 2, mlen, c->outb + 2,
				PSC_DNS_TCP_MAX_MSG, true);
	c->in_len = 0;
	if (r < 0)
		return -1;
	if (r == 0) {                   /* dropped: wait for the next one */
		c->deadline = now + PSC_DNS_TCP_IDLE_MS;
		return 0;
	}
	c->outb[0] = (uint8_t)(r >> 8);
	c->outb[1] = (uint8_t)r;
	c->out_len = (size_t)r + 2;
	c->out_off = 0;
	return conn_flush(c, now);
}

static int open_socket(int type, uint32_t ip, uint16_t port, char *err,
		       size_t errlen)
{
	struct sockaddr_in a = {0};
	char ipb[16];
	int one = 1;
	int fd = socket(AF_INET, type, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(ip);
	if ((type == SOCK_STREAM &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) <
		     0) ||
	    set_fd_flags(fd) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		snprintf(err, errlen, "%s %s:%u: %s",
			 type == SOCK_STREAM ? "tcp" : "udp",
			 psc_ip_str(ip, ipb, sizeof(ipb)), (unsigned)port,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void server_free(server *s)
{
	for (size_t k = 0; k < PSC_DNS_TCP_MAX_CONNS; k++)
		conn_close(&s->conns[k]);
	if (s->udp >= 0)
		close(s->udp);
	if (s->tcp >= 0)
		close(s->tcp);
	free(s->mem);
	free(s);
}

/* a server for cfg with its buffers, bound to ip:port (UDP and TCP) */
static server *server_new(const psc_dns_config *cfg, uint32_t ip,
			  uint16_t port, char *err, size_t errlen)
{
	server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->udp = s->tcp = -1;
	for (size_t k = 0; k < PSC_DNS_TCP_MAX_CONNS; k++)
		s->conns[k].fd = -1;
	s->mem = malloc(2 * 65536 +
			2 * (size_t)FRAME_MAX * PSC_DNS_TCP_MAX_CONNS);
	if (!s->mem) {
		snprintf(err, errlen, "out of memory");
		server_free(s);
		return NULL;
	}
	s->ubuf_in = s->mem;
	s->ubuf_out = s->mem + 65536;
	for (size_t k = 0; k < PSC_DNS_TCP_MAX_CONNS; k++) {
		s->conns[k].in = s->mem + 2 * 65536 + 2 * k * FRAME_MAX;
		s->conns[k].outb = s->conns[k].in + FRAME_MAX;
	}
	s->udp = open_socket(SOCK_DGRAM, ip, port, err, errlen);
	if (s->udp >= 0)
		s->tcp = open_socket(SOCK_STREAM, ip, port, err, errlen);
	if (s->tcp < 0) {
		server_free(s);
		return NULL;
	}
	return s;
}

/* the poll set: both listening sockets, then every open TCP connection
 * (which[i] its slot); connections past their deadline are closed; returns
 * the count and lowers *timeout to the nearest deadline */
static nfds_t poll_set(server *s, long long now, struct pollfd *pfd,
		       int *which, int *timeout)
{
	nfds_t n = 0;
	pfd[n++] = (struct pollfd){.fd = s->udp, .events = POLLIN};
	pfd[n++] = (struct pollfd){.fd = s->tcp, .events = POLLIN};
	for (size_t k = 0; k < PSC_DNS_TCP_MAX_CONNS; k++) {
		tcp_conn *c = &s->conns[k];
		if (c->fd < 0)
			continue;
		if (c->deadline <= now) {
			conn_close(c);  /* idle, slow or stuck */
			continue;
		}
		if (c->deadline - now < *timeout)
			*timeout = (int)(c->deadline - now);
		which[n] = (int)k;
		pfd[n++] = (struct pollfd){.fd = c->fd,
					   .events = c->out_len ? POLLOUT
								: POLLIN};
	}
	return n;
}

/* one round of poll's answers: UDP queries, TCP reads/writes, accepts */
static void serve_ready(server *s, const struct pollfd *pfd, const int *which,
			nfds_t n, long long now)
{
	if (pfd[0].revents & POLLIN)
		serve_udp(s);
	for (nfds_t i = 2; i < n; i++) {
		tcp_conn *c = &s->conns[which[i]];
		short re = pfd[i].revents;
		int rc = 0;
		if (!re)
			continue;
		if (re & POLLNVAL)
			rc = -1;
		else if (c->out_len)
			rc = conn_flush(c, now);
		else if (re & (POLLIN | POLLHUP | POLLERR))
			rc = conn_read(s, c, now);
		if (rc < 0)
			conn_close(c);
	}
	if (pfd[1].revents & POLLIN)
		serve_accept(s, now);
}

int psc_dns_serve(const psc_dns_config *cfg, uint32_t ip, uint16_t port,
		  volatile sig_atomic_t *stop, int ready_fd, char *err,
		  size_t errlen)
{
	if (!cfg || !stop) {
		snprintf(err, errlen, "psc_dns_serve: no configuration");
		return -1;
	}
	if (psc_dns_config_check(cfg, err, errlen) < 0)
		return -1;
	server *s = server_new(cfg, ip, port, err, errlen);
	if (!s)
		return -1;
	psc_ready_notify(&ready_fd);    /* bound and listening */

	struct pollfd pfd[2 + PSC_DNS_TCP_MAX_CONNS];
	int which[2 + PSC_DNS_TCP_MAX_CONNS];
	int ret = 0;
	while (!*stop) {
		int timeout = PSC_DNS_POLL_MS;
		nfds_t n = poll_set(s, psc_now_ms(), pfd, which, &timeout);
		int pr = poll(pfd, n, timeout);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (pr > 0)
			serve_ready(s, pfd, which, n, psc_now_ms());
	}
	server_free(s);
	return ret;
}
