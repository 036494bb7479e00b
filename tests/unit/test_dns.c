/* Unit tests: the DNS stub's answers (dns.c), on queries built with ldns and
 * read back with ldns, and its configuration from the shipped topologies. */
#include "psc_test.h"

#include <ldns/ldns.h>

#include "model/addr.h"
#include "services/dns.h"
#include "plan/plan.h"

#define ZONE "abc.us-west1.gcp.3199745.tidbcloud.com."
#define EP_IP 0xac10000au       /* 172.16.0.10 */

/* ---- helpers ------------------------------------------------------------ */

static size_t net_index(const psc_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_networks; i++)
		if (strcmp(t->networks[i].name, name) == 0)
			return i;
	fail_msg("no network %s", name);
	return 0;
}

/* the portmap lab's configuration for tidbcloud-vpc */
static psc_dns_config *portmap_cfg(void)
{
	static psc_dns_config cfg;
	char err[256];
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	if (psc_dns_config_from_plan(p, net_index(t, "tidbcloud-vpc"), &cfg,
				     err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	psc_topology_free(t);
	return &cfg;
}

static void add_record(psc_dns_zone_rt *z, const char *name, uint32_t a)
{
	assert_true(z->n_records < PSC_DNS_MAX_RECORDS);
	snprintf(z->records[z->n_records].name, PSC_DNS_NAME_LEN, "%s", name);
	z->records[z->n_records++].a = a;
}

/* a zone of explicit records only: b1, b2 (no wildcard) */
static psc_dns_config *explicit_cfg(void)
{
	static psc_dns_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_zones = 1;
	snprintf(cfg.zones[0].origin, PSC_DNS_NAME_LEN, "%s", ZONE);
	add_record(&cfg.zones[0], "b1." ZONE, EP_IP);
	add_record(&cfg.zones[0], "b2." ZONE, EP_IP + 1);
	return &cfg;
}

typedef struct qopts {
	uint16_t id;
	int edns;               /* 0: no OPT; else the UDP size */
	bool edns_do;
	uint8_t edns_version;
	ldns_rr_class cls;      /* 0: IN */
} qopts;

/* a query in wire form (malloc'd) */
static uint8_t *make_query(const char *name, ldns_rr_type type,
			   const qopts *o, size_t *len)
{
	ldns_rdf *qn = ldns_dname_new_frm_str(name);
	assert_non_null(qn);
	ldns_pkt *q = ldns_pkt_query_new(qn, type,
					 o && o->cls ? o->cls
						     : LDNS_RR_CLASS_IN,
					 LDNS_RD);
	assert_non_null(q);
	ldns_pkt_set_id(q, o && o->id ? o->id : 0x1234);
	if (o && o->edns) {
		ldns_pkt_set_edns_udp_size(q, (uint16_t)o->edns);
		ldns_pkt_set_edns_do(q, o->edns_do);
		ldns_pkt_set_edns_version(q, o->edns_version);
	}
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return w;
}

static uint8_t out[65536];

/* answer a query; returns the parsed response (NULL when dropped) */
static ldns_pkt *answer_wire(const psc_dns_config *cfg, const uint8_t *w,
			     size_t len, bool tcp, size_t outcap, long *n_out)
{
	long n = psc_dns_answer(cfg, w, len, out, outcap, tcp);
	if (n_out)
		*n_out = n;
	assert_true(n >= 0);
	assert_true((size_t)n <= outcap);
	if (n == 0)
		return NULL;
	ldns_pkt *r = NULL;
	assert_int_equal(ldns_wire2pkt(&r, out, (size_t)n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(r));
	return r;
}

static ldns_pkt *ask_full(const psc_dns_config *cfg, const char *name,
			  ldns_rr_type type, const qopts *o, bool tcp,
			  size_t outcap, long *n)
{
	size_t len;
	uint8_t *w = make_query(name, type, o, &len);
	ldns_pkt *r = answer_wire(cfg, w, len, tcp, outcap, n);
	free(w);
	assert_non_null(r);
	assert_int_equal(ldns_pkt_id(r), o && o->id ? o->id : 0x1234);
	return r;
}

static ldns_pkt *ask(const psc_dns_config *cfg, const char *name,
		     ldns_rr_type type)
{
	return ask_full(cfg, name, type, NULL, false, sizeof(out), NULL);
}

static void expect_a(const ldns_pkt *r, const char *owner, uint32_t ip)
{
	char want[16], got[16];
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_rr *a = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(a), LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_ttl(a), 300);
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(a), o), 0);
	ldns_rdf_deep_free(o);
	const uint8_t *d = ldns_rdf_data(ldns_rr_rdf(a, 0));
	uint32_t v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
		     (uint32_t)d[2] << 8 | d[3];
	assert_string_equal(psc_ip_str(v, got, sizeof(got)),
			    psc_ip_str(ip, want, sizeof(want)));
	/* the question is echoed */
	assert_int_equal(ldns_pkt_qdcount(r), 1);
}

/* NXDOMAIN or NODATA: no answer, the zone's SOA in authority */
static void expect_negative(const ldns_pkt *r, ldns_pkt_rcode rcode)
{
	assert_int_equal(ldns_pkt_get_rcode(r), rcode);
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_nscount(r), 1);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(r), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	char *s = ldns_rdf2str(ldns_rr_owner(soa));
	assert_string_equal(s, ZONE);
	free(s);
	s = ldns_rdf2str(ldns_rr_rdf(soa, 0));
	assert_string_equal(s, "ns." ZONE);
	free(s);
	s = ldns_rdf2str(ldns_rr_rdf(soa, 1));
	assert_string_equal(s, "hostmaster." ZONE);
	free(s);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)), 300);
}

static void expect_rcode(ldns_pkt *r, ldns_pkt_rcode rcode)
{
	assert_int_equal(ldns_pkt_get_rcode(r), rcode);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
}

/* ---- configuration from the topologies ----------------------------- */

static void config_portmap(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	char err[256], ip[16];

	assert_int_equal(cfg->n_zones, 1);
	assert_string_equal(cfg->zones[0].origin, ZONE);
	assert_int_equal(cfg->zones[0].n_records, 1);
	assert_string_equal(cfg->zones[0].records[0].name, "*." ZONE);
	assert_string_equal(psc_ip_str(cfg->zones[0].records[0].a, ip,
				       sizeof(ip)),
			    "172.16.0.10");
	assert_int_equal(cfg->ttl, 300);
	assert_int_equal(psc_dns_config_check(cfg, err, sizeof(err)), 0);

	/* the Kafka VPC sees no private zone */
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	psc_dns_config k;
	assert_int_equal(psc_dns_config_from_plan(p, net_index(t, "kafka-vpc"),
						  &k, err, sizeof(err)),
			 0);
	assert_int_equal(k.n_zones, 0);
	/* and every name is one that does not exist there, as a VM's
	 * resolver says: NXDOMAIN, not authoritative (never REFUSED) */
	ldns_pkt *r = ask(&k, "b1." ZONE, LDNS_RR_TYPE_A);
	assert_false(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_nscount(r), 0);
	expect_rcode(r, LDNS_RCODE_NXDOMAIN);

	/* no such network */
	assert_int_equal(psc_dns_config_from_plan(p, 99, &k, err, sizeof(err)),
			 -1);
	psc_topology_free(t);
}

static void config_proxy(void **state)
{
	(void)state;
	char err[256], ip[16];
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_plan *p = psc_test_plan(t);
	psc_dns_config cfg;
	for (size_t i = 0; i < t->n_networks; i++) {
		assert_int_equal(psc_dns_config_from_plan(p, i, &cfg, err,
							  sizeof(err)),
				 0);
		for (size_t z = 0; z < cfg.n_zones; z++)
			for (size_t k = 0; k < cfg.zones[z].n_records; k++)
				assert_non_null(psc_ip_str(
					cfg.zones[z].records[k].a, ip,
					sizeof(ip)));
	}
	psc_topology_free(t);
}

static void config_errors(void **state)
{
	(void)state;
	char err[256];
	psc_dns_config cfg;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	size_t net = net_index(t, "tidbcloud-vpc");
	psc_dns_record *rec = &t->dns_zones[0].records[0];

	snprintf(rec->endpoint, sizeof(rec->endpoint), "nope");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "'nope'"));
	snprintf(rec->endpoint, sizeof(rec->endpoint), "kafka-psc-endpoint");

	snprintf(rec->type, sizeof(rec->type), "CNAME");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "only A"));
	snprintf(rec->type, sizeof(rec->type), "a");

	snprintf(rec->name, sizeof(rec->name), "b1..x");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 -1);
	snprintf(rec->name, sizeof(rec->name), "a.*");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 -1);

	/* relative names, "*.sub" and "@" are accepted, lowered */
	snprintf(rec->name, sizeof(rec->name), "B1");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 0);
	assert_string_equal(cfg.zones[0].records[0].name, "b1." ZONE);
	snprintf(rec->name, sizeof(rec->name), "*.sub");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 0);
	assert_string_equal(cfg.zones[0].records[0].name, "*.sub." ZONE);
	snprintf(rec->name, sizeof(rec->name), "@");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 0);
	assert_string_equal(cfg.zones[0].records[0].name, ZONE);

	/* a zone name without its dot is taken as absolute */
	snprintf(t->dns_zones[0].dns_name, sizeof(t->dns_zones[0].dns_name),
		 "ABC.us-west1.gcp.3199745.tidbcloud.com");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 0);
	assert_string_equal(cfg.zones[0].origin, ZONE);
	snprintf(t->dns_zones[0].dns_name, sizeof(t->dns_zones[0].dns_name),
		 "bad name.");
	assert_int_equal(psc_dns_config_from_plan(p, net, &cfg, err,
						  sizeof(err)),
			 -1);
	psc_topology_free(t);

	/* hand-made configurations */
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_zones = 1;
	snprintf(cfg.zones[0].origin, PSC_DNS_NAME_LEN, "%s", ZONE);
	add_record(&cfg.zones[0], "b1.example.com.", EP_IP);
	assert_int_equal(psc_dns_config_check(&cfg, err, sizeof(err)), -1);
	cfg.n_zones = PSC_MAX_DNS_ZONES + 1;
	assert_int_equal(psc_dns_config_check(&cfg, err, sizeof(err)), -1);
}

/* ---- answers ------------------------------------------------------- */

static void a_through_wildcard(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	const char *names[] = {"b1." ZONE, "b2." ZONE, "b3." ZONE,
			       "brokers." ZONE, "bootstrap." ZONE,
			       "x.y.z." ZONE};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_pkt *r = ask(cfg, names[i], LDNS_RR_TYPE_A);
		expect_a(r, names[i], EP_IP);
		assert_int_equal(ldns_pkt_nscount(r), 0);
		assert_true(ldns_pkt_rd(r));    /* copied */
		assert_false(ldns_pkt_ra(r));   /* not a recursor */
		ldns_pkt_free(r);
	}
	/* ANY gets the A too */
	ldns_pkt *r = ask(cfg, "b1." ZONE, LDNS_RR_TYPE_ANY);
	expect_a(r, "b1." ZONE, EP_IP);
	ldns_pkt_free(r);
	/* the wildcard's own name matches itself */
	r = ask(cfg, "*." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "*." ZONE, EP_IP);
	ldns_pkt_free(r);
}

static void case_0x20(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	const char *mixed = "B1.AbC.uS-WeSt1.GcP.3199745.TiDbClOuD.CoM.";
	long n;
	ldns_pkt *r = ask_full(cfg, mixed, LDNS_RR_TYPE_A, NULL, false,
			       sizeof(out), &n);
	expect_a(r, "b1." ZONE, EP_IP);
	/* the question, byte for byte as asked */
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(r), 0);
	char *s = ldns_rdf2str(ldns_rr_owner(q));
	assert_string_equal(s, mixed);
	free(s);
	assert_true(n > 12 + 3);
	assert_memory_equal(out + 12, "\002B1\003AbC\010uS-WeSt1", 16);
	/* the answer is owned by the name as asked */
	s = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(r), 0)));
	assert_string_equal(s, mixed);
	free(s);
	ldns_pkt_free(r);

	/* explicit records and the apex are case-insensitive too */
	r = ask(explicit_cfg(), "b2.ABC.US-WEST1.GCP.3199745.TIDBCLOUD.COM.",
		LDNS_RR_TYPE_A);
	expect_a(r, "b2." ZONE, EP_IP + 1);
	ldns_pkt_free(r);
	r = ask(cfg, "Abc.Us-West1.Gcp.3199745.TidbCloud.Com.",
		LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_pkt_free(r);
}

static void nxdomain_explicit(void **state)
{
	(void)state;
	psc_dns_config *cfg = explicit_cfg();
	ldns_pkt *r = ask(cfg, "b1." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "b1." ZONE, EP_IP);
	ldns_pkt_free(r);
	const char *names[] = {"b3." ZONE, "brokers." ZONE, "x.b1." ZONE};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = ask(cfg, names[i], LDNS_RR_TYPE_A);
		expect_negative(r, LDNS_RCODE_NXDOMAIN);
		ldns_pkt_free(r);
		r = ask(cfg, names[i], LDNS_RR_TYPE_AAAA);
		expect_negative(r, LDNS_RCODE_NXDOMAIN);
		ldns_pkt_free(r);
	}
}

static void nodata(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	ldns_rr_type types[] = {LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_TXT,
				LDNS_RR_TYPE_MX, LDNS_RR_TYPE_SOA,
				LDNS_RR_TYPE_NS, LDNS_RR_TYPE_CNAME,
				LDNS_RR_TYPE_HTTPS};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ldns_pkt *r = ask(cfg, "b1." ZONE, types[i]);
		expect_negative(r, LDNS_RCODE_NOERROR);
		ldns_pkt_free(r);
		r = ask(explicit_cfg(), "b2." ZONE, types[i]);
		expect_negative(r, LDNS_RCODE_NOERROR);
		ldns_pkt_free(r);
	}
}

static void apex(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	char *s;

	ldns_pkt *r = ask(cfg, ZONE, LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	s = ldns_rdf2str(ldns_rr_rdf(soa, 1));
	assert_string_equal(s, "hostmaster." ZONE);
	free(s);
	ldns_pkt_free(r);

	r = ask(cfg, ZONE, LDNS_RR_TYPE_NS);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_rr *ns = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(ns), LDNS_RR_TYPE_NS);
	s = ldns_rdf2str(ldns_rr_rdf(ns, 0));
	assert_string_equal(s, "ns." ZONE);
	free(s);
	ldns_pkt_free(r);

	/* A at the apex: NODATA (the wildcard is below the apex only) */
	r = ask(cfg, ZONE, LDNS_RR_TYPE_A);
	expect_negative(r, LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);

	r = ask(cfg, ZONE, LDNS_RR_TYPE_ANY);
	assert_int_equal(ldns_pkt_ancount(r), 2);
	ldns_pkt_free(r);

	/* an apex record ("@") answers A there */
	psc_dns_config c2 = *explicit_cfg();
	add_record(&c2.zones[0], ZONE, EP_IP + 7);
	r = ask(&c2, ZONE, LDNS_RR_TYPE_A);
	expect_a(r, ZONE, EP_IP + 7);
	ldns_pkt_free(r);
}

static void refused_outside(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	const char *names[] = {
		"example.com.", "us-west1.gcp.3199745.tidbcloud.com.",
		"tidbcloud.com.", ".",
		"xabc.us-west1.gcp.3199745.tidbcloud.com.", "localhost."};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_pkt *r = ask(cfg, names[i], LDNS_RR_TYPE_A);
		assert_false(ldns_pkt_aa(r));
		assert_int_equal(ldns_pkt_qdcount(r), 1);
		expect_rcode(r, LDNS_RCODE_NXDOMAIN);
	}
	/* another class, a zone transfer: REFUSED */
	qopts ch = {.cls = LDNS_RR_CLASS_CH};
	expect_rcode(ask_full(cfg, "version.bind.", LDNS_RR_TYPE_TXT, &ch,
			      false, sizeof(out), NULL),
		     LDNS_RCODE_REFUSED);
	expect_rcode(ask_full(cfg, ZONE, LDNS_RR_TYPE_AXFR, NULL, true,
			      sizeof(out), NULL),
		     LDNS_RCODE_REFUSED);
	expect_rcode(ask(cfg, ZONE, LDNS_RR_TYPE_IXFR), LDNS_RCODE_REFUSED);
	/* a meta type as the question: FORMERR */
	expect_rcode(ask(cfg, "b1." ZONE, LDNS_RR_TYPE_OPT),
		     LDNS_RCODE_FORMERR);
}

/* RFC 4592: the closest encloser decides; empty non-terminals exist */
static void wildcard_rfc4592(void **state)
{
	(void)state;
	psc_dns_config cfg = {0};
	cfg.n_zones = 2;
	snprintf(cfg.zones[0].origin, PSC_DNS_NAME_LEN, "tidbcloud.com.");
	add_record(&cfg.zones[0], "*.tidbcloud.com.", 0x01010101);
	psc_dns_zone_rt *z = &cfg.zones[1];
	snprintf(z->origin, PSC_DNS_NAME_LEN, "%s", ZONE);
	add_record(z, "*." ZONE, EP_IP);
	add_record(z, "b1." ZONE, EP_IP + 1);
	add_record(z, "*.sub." ZONE, EP_IP + 2);
	add_record(z, "host.deep.ent." ZONE, EP_IP + 3);
	ldns_pkt *r;

	r = ask(&cfg, "b1." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "b1." ZONE, EP_IP + 1);
	ldns_pkt_free(r);
	/* below an existing name: no wildcard there */
	r = ask(&cfg, "x.b1." ZONE, LDNS_RR_TYPE_A);
	expect_negative(r, LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
	/* "sub" exists (empty non-terminal): NODATA, not the wildcard */
	r = ask(&cfg, "sub." ZONE, LDNS_RR_TYPE_A);
	expect_negative(r, LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);
	r = ask(&cfg, "a.sub." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "a.sub." ZONE, EP_IP + 2);
	ldns_pkt_free(r);
	r = ask(&cfg, "a.b.c.sub." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "a.b.c.sub." ZONE, EP_IP + 2);
	ldns_pkt_free(r);
	/* ent and deep.ent are empty non-terminals; below them: NXDOMAIN */
	r = ask(&cfg, "deep.ent." ZONE, LDNS_RR_TYPE_A);
	expect_negative(r, LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);
	r = ask(&cfg, "x.ent." ZONE, LDNS_RR_TYPE_A);
	expect_negative(r, LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
	r = ask(&cfg, "host.deep.ent." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "host.deep.ent." ZONE, EP_IP + 3);
	ldns_pkt_free(r);
	/* anything else below the zone: the apex wildcard, any depth */
	r = ask(&cfg, "p.q.r.s." ZONE, LDNS_RR_TYPE_A);
	expect_a(r, "p.q.r.s." ZONE, EP_IP);
	ldns_pkt_free(r);
	/* the most specific zone wins; the parent zone answers the rest */
	r = ask(&cfg, "us-west1.gcp.3199745.tidbcloud.com.", LDNS_RR_TYPE_A);
	expect_a(r, "us-west1.gcp.3199745.tidbcloud.com.", 0x01010101);
	ldns_pkt_free(r);
	r = ask(&cfg, "example.com.", LDNS_RR_TYPE_A);
	expect_rcode(r, LDNS_RCODE_NXDOMAIN);
}

static uint8_t *two_questions(size_t *len)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str("b1." ZONE),
					 LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
					 LDNS_RD);
	ldns_rr *q2 = ldns_rr_new();
	ldns_rr_set_owner(q2, ldns_dname_new_frm_str("b2." ZONE));
	ldns_rr_set_type(q2, LDNS_RR_TYPE_A);
	ldns_rr_set_question(q2, true);
	assert_true(ldns_pkt_push_rr(q, LDNS_SECTION_QUESTION, q2));
	ldns_pkt_set_id(q, 0x4242);
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return w;
}

static void formerr_qdcount(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	size_t len;
	uint8_t *w = two_questions(&len);
	assert_int_equal(w[5], 2);
	ldns_pkt *r = answer_wire(cfg, w, len, false, sizeof(out), NULL);
	assert_non_null(r);
	assert_int_equal(ldns_pkt_id(r), 0x4242);
	expect_rcode(r, LDNS_RCODE_FORMERR);
	free(w);

	/* QDCOUNT 0 */
	w = make_query("b1." ZONE, LDNS_RR_TYPE_A, NULL, &len);
	w[5] = 0;
	r = answer_wire(cfg, w, 12, false, sizeof(out), NULL);
	assert_int_equal(ldns_pkt_id(r), 0x1234);
	expect_rcode(r, LDNS_RCODE_FORMERR);
	free(w);

	/* two OPT records */
	qopts e = {.edns = 1232};
	w = make_query("b1." ZONE, LDNS_RR_TYPE_A, &e, &len);
	uint8_t buf[600];
	assert_true(len + 11 <= sizeof(buf));
	memcpy(buf, w, len);
	memcpy(buf + len, w + len - 11, 11);    /* the OPT again */
	buf[11] = 2;
	r = answer_wire(cfg, buf, len + 11, false, sizeof(out), NULL);
	expect_rcode(r, LDNS_RCODE_FORMERR);
	free(w);
}

static void notimp_update(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(ZONE),
					 LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	ldns_pkt_set_opcode(q, LDNS_PACKET_UPDATE);
	ldns_pkt_set_id(q, 7);
	uint8_t *w = NULL;
	size_t len;
	assert_int_equal(ldns_pkt2wire(&w, q, &len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	ldns_pkt *r = answer_wire(cfg, w, len, false, sizeof(out), NULL);
	assert_non_null(r);
	assert_int_equal(ldns_pkt_id(r), 7);
	assert_int_equal(ldns_pkt_get_opcode(r), LDNS_PACKET_UPDATE);
	assert_false(ldns_pkt_aa(r));
	expect_rcode(r, LDNS_RCODE_NOTIMPL);
	/* NOTIFY, STATUS, IQUERY likewise */
	for (int op = 1; op < 16; op++) {
		w[2] = (uint8_t)((w[2] & 0x87) | op << 3);
		r = answer_wire(cfg, w, len, true, sizeof(out), NULL);
		assert_non_null(r);
		expect_rcode(r, LDNS_RCODE_NOTIMPL);
	}
	free(w);
}

static void response_dropped(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	size_t len;
	uint8_t *w = make_query("b1." ZONE, LDNS_RR_TYPE_A, NULL, &len);
	long n = psc_dns_answer(cfg, w, len, out, sizeof(out), false);
	assert_true(n > 0);
	/* our own answer, fed back: dropped (no loops between servers) */
	assert_int_equal(psc_dns_answer(cfg, out, (size_t)n, out + 4096,
					 sizeof(out) - 4096, false),
			 0);
	w[2] |= 0x80;
	assert_int_equal(psc_dns_answer(cfg, w, len, out, sizeof(out), false),
			 0);
	assert_int_equal(psc_dns_answer(cfg, w, len, out, sizeof(out), true),
			 0);
	free(w);
	/* shorter than a header: nothing to answer to */
	assert_int_equal(psc_dns_answer(cfg, (const uint8_t *)"", 0, out,
					 sizeof(out), false),
			 0);
	assert_int_equal(psc_dns_answer(cfg, NULL, 0, out, sizeof(out), false),
			 0);
	assert_int_equal(psc_dns_answer(cfg, (const uint8_t *)"\x12\x34\x01",
					 3, out, sizeof(out), false),
			 0);
}

/* xorshift: the same garbage every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void check_garbage_answer(const uint8_t *g, size_t len, long n,
				 bool strict)
{
	assert_true(n >= 0);
	if (len < 12 || (g[2] & 0x80)) {
		assert_int_equal(n, 0);
		return;
	}
	assert_true(n >= 12);
	ldns_pkt *r = NULL;
	assert_int_equal(ldns_wire2pkt(&r, out, (size_t)n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(r));
	assert_int_equal(ldns_pkt_id(r), (g[0] << 8) | g[1]);
	if (strict)
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
}

static void garbage(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	uint8_t g[601];
	uint32_t seed = 0x9e3779b9u;
	size_t qlen;
	qopts e = {.edns = 4096};
	uint8_t *w = make_query("b1." ZONE, LDNS_RR_TYPE_A, &e, &qlen);

	for (size_t len = 0; len <= 600; len++) {
		for (int k = 0; k < 8; k++) {
			for (size_t i = 0; i < len; i++)
				g[i] = (uint8_t)rnd(&seed);
			/* k 0-3: anything; 4-7: a query's header (QR 0,
			 * QUERY, one question) and garbage after it */
			if (k >= 4 && len >= 12) {
				g[2] &= 0x07;
				g[4] = 0;
				g[5] = 1;
			}
			bool tcp = k & 1;
			long n = psc_dns_answer(cfg, g, len, out, sizeof(out),
						tcp);
			check_garbage_answer(g, len, n, false);
		}
		/* every prefix of a good query: FORMERR (or dropped) */
		if (len < qlen) {
			long n = psc_dns_answer(cfg, w, len, out, sizeof(out),
						false);
			check_garbage_answer(w, len, n, true);
		}
	}
	free(w);

	/* compression pointer loops and pointers past the end */
	uint8_t loop[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			  0xc0, 12, 0, 1, 0, 1};
	check_garbage_answer(loop, sizeof(loop),
			     psc_dns_answer(cfg, loop, sizeof(loop), out,
					    sizeof(out), false),
			     true);
	uint8_t past[] = {0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			  0xc0, 200, 0, 1, 0, 1};
	check_garbage_answer(past, sizeof(past),
			     psc_dns_answer(cfg, past, sizeof(past), out,
					    sizeof(out), false),
			     true);
	/* huge counts */
	uint8_t counts[] = {0, 3, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0, 0, 1, 0, 1};
	check_garbage_answer(counts, sizeof(counts),
			     psc_dns_answer(cfg, counts, sizeof(counts), out,
					    sizeof(out), false),
			     true);
	/* a 64 KiB message */
	uint8_t *big = calloc(1, 65535);
	assert_non_null(big);
	big[5] = 1;
	long n = psc_dns_answer(cfg, big, 65535, out, sizeof(out), true);
	check_garbage_answer(big, 65535, n, false);
	free(big);
}

/* One name with 64 A records makes an answer of ~1.1 KB: past 512, within
 * our EDNS size.  (The lab's own answers are one A and always fit, so
 * truncation needs a made-up RRset, or a small outcap.) */
static void truncation(void **state)
{
	(void)state;
	psc_dns_config *cfg = explicit_cfg();
	psc_dns_config big = *cfg;
	psc_dns_zone_rt *z = &big.zones[0];
	while (z->n_records < PSC_DNS_MAX_RECORDS)
		add_record(z, "many." ZONE,
			   0x0a000000u + (uint32_t)z->n_records);
	size_t n_many = PSC_DNS_MAX_RECORDS - 2;
	long n;

	/* UDP without EDNS: 512 bytes at most, TC, no records */
	ldns_pkt *r = ask_full(&big, "many." ZONE, LDNS_RR_TYPE_A, NULL, false,
			       sizeof(out), &n);
	assert_true(n <= 512);
	assert_true(ldns_pkt_tc(r));
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);

	/* UDP with EDNS 4096: our 1232 applies, and it fits */
	qopts e = {.edns = 4096};
	r = ask_full(&big, "many." ZONE, LDNS_RR_TYPE_A, &e, false,
		     sizeof(out), &n);
	assert_true(n > 512 && n <= PSC_DNS_EDNS_SIZE);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), n_many);
	ldns_pkt_free(r);

	/* EDNS smaller than 512 counts as 512 */
	e.edns = 100;
	r = ask_full(&big, "many." ZONE, LDNS_RR_TYPE_A, &e, false,
		     sizeof(out), &n);
	assert_true(ldns_pkt_tc(r));
	assert_true(ldns_pkt_edns(r));
	ldns_pkt_free(r);

	/* TCP: no limit but the frame's, never TC */
	r = ask_full(&big, "many." ZONE, LDNS_RR_TYPE_A, NULL, true,
		     sizeof(out), &n);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), n_many);
	ldns_pkt_free(r);

	/* a caller's small buffer truncates too */
	e.edns = 4096;
	r = ask_full(&big, "many." ZONE, LDNS_RR_TYPE_A, &e, false, 700, &n);
	assert_true(n <= 700);
	assert_true(ldns_pkt_tc(r));
	ldns_pkt_free(r);
	r = ask_full(cfg, "b1." ZONE, LDNS_RR_TYPE_A, NULL, false, 64, &n);
	assert_true(ldns_pkt_tc(r));
	assert_true(n <= 64);
	ldns_pkt_free(r);
	/* ... and one too small for the question is an internal error */
	size_t len;
	uint8_t *w = make_query("b1." ZONE, LDNS_RR_TYPE_A, NULL, &len);
	assert_int_equal(psc_dns_answer(cfg, w, len, out, 20, false), -1);
	assert_int_equal(psc_dns_answer(cfg, w, len, out, 0, false), -1);
	free(w);

	/* NXDOMAIN survives truncation */
	r = ask_full(cfg, "nope." ZONE, LDNS_RR_TYPE_A, NULL, false, 70, &n);
	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
}

static void edns_echo(void **state)
{
	(void)state;
	psc_dns_config *cfg = portmap_cfg();
	qopts e = {.edns = 4096, .edns_do = true, .id = 99};
	ldns_pkt *r = ask_full(cfg, "b1." ZONE, LDNS_RR_TYPE_A, &e, false,
			       sizeof(out), NULL);
	expect_a(r, "b1." ZONE, EP_IP);
	assert_true(ldns_pkt_edns(r));
	assert_int_equal(ldns_pkt_edns_udp_size(r), PSC_DNS_EDNS_SIZE);
	assert_int_equal(ldns_pkt_edns_version(r), 0);
	assert_true(ldns_pkt_edns_do(r));
	ldns_pkt_free(r);

	e.edns_do = false;
	r = ask_full(cfg, "nope.example.", LDNS_RR_TYPE_A, &e, false,
		     sizeof(out), NULL);
	assert_true(ldns_pkt_edns(r));
	assert_false(ldns_pkt_edns_do(r));
	expect_rcode(r, LDNS_RCODE_NXDOMAIN);

	/* no OPT asked, none given */
	long n;
	r = ask_full(cfg, "b1." ZONE, LDNS_RR_TYPE_A, NULL, false, sizeof(out),
		     &n);
	assert_false(ldns_pkt_edns(r));
	assert_int_equal(out[11], 0);   /* ARCOUNT */
	ldns_pkt_free(r);

	/* EDNS version 1: BADVERS (extended rcode 1, header rcode 0) */
	e.edns_version = 1;
	r = ask_full(cfg, "b1." ZONE, LDNS_RR_TYPE_A, &e, false, sizeof(out),
		     NULL);
	assert_true(ldns_pkt_edns(r));
	assert_int_equal(ldns_pkt_edns_extended_rcode(r), 1);
	assert_int_equal(ldns_pkt_edns_version(r), 0);
	expect_rcode(r, LDNS_RCODE_NOERROR);
}

static void bad_arguments(void **state)
{
	(void)state;
	size_t len;
	uint8_t *w = make_query("b1." ZONE, LDNS_RR_TYPE_A, NULL, &len);
	assert_int_equal(psc_dns_answer(NULL, w, len, out, sizeof(out), false),
			 -1);
	assert_int_equal(psc_dns_answer(portmap_cfg(), w, len, NULL, 512,
					false),
			 -1);
	/* a configuration with junk names holds no zone: NXDOMAIN, no crash */
	psc_dns_config junk;
	memset(&junk, 'x', sizeof(junk));
	junk.n_zones = 1000;
	junk.zones[0].n_records = 100000;
	ldns_pkt *r = answer_wire(&junk, w, len, false, sizeof(out), NULL);
	expect_rcode(r, LDNS_RCODE_NXDOMAIN);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_portmap),
		cmocka_unit_test(config_proxy),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(a_through_wildcard),
		cmocka_unit_test(case_0x20),
		cmocka_unit_test(nxdomain_explicit),
		cmocka_unit_test(nodata),
		cmocka_unit_test(apex),
		cmocka_unit_test(refused_outside),
		cmocka_unit_test(wildcard_rfc4592),
		cmocka_unit_test(formerr_qdcount),
		cmocka_unit_test(notimp_update),
		cmocka_unit_test(response_dropped),
		cmocka_unit_test(garbage),
		cmocka_unit_test(truncation),
		cmocka_unit_test(edns_echo),
		cmocka_unit_test(bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
