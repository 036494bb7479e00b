/* trace.c - `pscLab trace`'s pure parts (see trace.h): the child's line,
 * the counters that rose, the diagnosis of each hop against the plan, the
 * text and JSON forms.  The nft comments matched here ("psc endpoint <ep>
 * ...", "lb <lb> neg ...", "fw <rule> ALLOW <vm>", ...) are nftgen.c's. */
#define _GNU_SOURCE
#include "verify/trace.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/addr.h"
#include "model/consumers.h"
#include "model/firewall.h"
#include "services/dns.h"

#define RCODE_NXDOMAIN 3

/* ---- the child's line ---- */

void psc_trace_obs_init(psc_trace_obs *o, const char *host, int port)
{
	memset(o, 0, sizeof(*o));
	PSC_SET(o->host, "%s", host);
	o->port = port;
	o->rcode = -1;
	o->node_id = -1;
	o->controller = -1;
}

int psc_trace_obs_json(const psc_trace_obs *o, char *out, size_t len)
{
	json_t *j = json_pack(
		"{s:s, s:i, s:b, s:s, s:i, s:b, s:s, s:I, s:s, s:s, s:b, s:i, "
		"s:s, s:i, s:I, s:b, s:b, s:I, s:I, s:s, s:s}",
		"host", o->host, "port", o->port, "is_addr", o->is_addr,
		"resolver", o->resolver, "rcode", o->rcode, "aa", o->aa,
		"zone", o->zone, "n_addrs", (json_int_t)o->n_addrs, "addr",
		o->addr, "dns_error", o->dns_error, "connected", o->connected,
		"connect_errno", o->connect_errno, "local", o->local,
		"local_port", o->local_port, "connect_ms",
		(json_int_t)o->connect_ms, "kafka_tried", o->kafka_tried,
		"kafka_ok", o->kafka_ok, "node_id", (json_int_t)o->node_id,
		"controller", (json_int_t)o->controller, "brokers", o->brokers,
		"kafka_error", o->kafka_error);
	if (!j)
		return -1;
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	int rc = s && strlen(s) < len ? 0 : -1;
	if (rc == 0)
		memcpy(out, s, strlen(s) + 1);
	free(s);
	return rc;
}

static void str_of(json_t *j, const char *k, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(j, k));
	psc_setf(out, len, "%s", s ? s : "");
}

static long long int_of(json_t *j, const char *k)
{
	return (long long)json_integer_value(json_object_get(j, k));
}

int psc_trace_obs_parse(const char *line, psc_trace_obs *o, char *err,
			size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(line, 0, &je);
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "host"))) {
		psc_setf(err, errlen, "not a trace line: %s",
			 j ? "no host" : je.text);
		json_decref(j);
		return -1;
	}
	psc_trace_obs_init(o, "", 0);
	str_of(j, "host", o->host, sizeof(o->host));
	o->port = (int)int_of(j, "port");
	o->is_addr = json_is_true(json_object_get(j, "is_addr"));
	str_of(j, "resolver", o->resolver, sizeof(o->resolver));
	o->rcode = (int)int_of(j, "rcode");
	o->aa = json_is_true(json_object_get(j, "aa"));
	str_of(j, "zone", o->zone, sizeof(o->zone));
	o->n_addrs = (size_t)int_of(j, "n_addrs");
	str_of(j, "addr", o->addr, sizeof(o->addr));
	str_of(j, "dns_error", o->dns_error, sizeof(o->dns_error));
	o->connected = json_is_true(json_object_get(j, "connected"));
	o->connect_errno = (int)int_of(j, "connect_errno");
	str_of(j, "local", o->local, sizeof(o->local));
	o->local_port = (int)int_of(j, "local_port");
	o->connect_ms = (long)int_of(j, "connect_ms");
	o->kafka_tried = json_is_true(json_object_get(j, "kafka_tried"));
	o->kafka_ok = json_is_true(json_object_get(j, "kafka_ok"));
	o->node_id = (long)int_of(j, "node_id");
	o->controller = (long)int_of(j, "controller");
	str_of(j, "brokers", o->brokers, sizeof(o->brokers));
	str_of(j, "kafka_error", o->kafka_error, sizeof(o->kafka_error));
	json_decref(j);
	return 0;
}

/* ---- counters that rose ---- */

static const psc_trace_counter *before_of(const psc_trace_live *l,
					  const psc_trace_counter *a,
					  size_t nth)
{
	/* the nth rule of the same namespace, chain and comment: a comment
	 * may stand for several nft rules (one per source kind) */
	size_t seen = 0;
	for (size_t i = 0; i < l->n_before; i++) {
		const psc_trace_counter *b = &l->before[i];
		if (b->ns == a->ns && strcmp(b->c.chain, a->c.chain) == 0 &&
		    strcmp(b->c.comment, a->c.comment) == 0 && seen++ == nth)
			return b;
	}
	return NULL;
}

static long long rise_of(const psc_trace_live *l, size_t i)
{
	const psc_trace_counter *a = &l->after[i];
	size_t nth = 0;
	for (size_t k = 0; k < i; k++)
		if (l->after[k].ns == a->ns &&
		    strcmp(l->after[k].c.chain, a->c.chain) == 0 &&
		    strcmp(l->after[k].c.comment, a->c.comment) == 0)
			nth++;
	const psc_trace_counter *b = before_of(l, a, nth);
	return a->c.packets - (b ? b->c.packets : 0);
}

const psc_trace_counter *psc_trace_rose(const psc_trace_live *l, int ns,
					const char *chain, const char *prefix,
					const char *prefer, long long *delta)
{
	const psc_trace_counter *first = NULL, *pref = NULL;
	long long d_first = 0, d_pref = 0;
	*delta = 0;
	if (!l->counters_ok)
		return NULL;
	for (size_t i = 0; i < l->n_after; i++) {
		const psc_trace_counter *a = &l->after[i];
		if (a->ns != ns || strcmp(a->c.chain, chain) != 0 ||
		    strncmp(a->c.comment, prefix, strlen(prefix)) != 0)
			continue;
		long long d = rise_of(l, i);
		if (d <= 0)
			continue;
		if (!first) {
			first = a;
			d_first = d;
		}
		if (prefer && strcmp(a->c.comment, prefer) == 0) {
			pref = a;
			d_pref += d;
		}
	}
	*delta = pref ? d_pref : d_first;
	return pref ? pref : first;
}

/* ---- the diagnosis: what each step knows of the path so far ---- */

struct path {
	const psc_plan *p;
	const psc_trace_obs *o;
	const psc_trace_live *l;
	psc_trace_result *r;
	const psc_plan_vm *src;         /* the node traced from */
	uint32_t addr;                  /* connected to */
	const psc_plan_endpoint *ep;    /* through this endpoint, or NULL */
	int lb;                         /* index into plan.lbs, -1 */
	uint32_t from_ip;               /* the source the backend sees */
	const psc_plan_vm *backend;     /* the instance reached, or NULL */
	int backend_port;
};

static const char *ip(uint32_t a, char *buf)
{
	return psc_ip_str(a, buf, 16);
}

static psc_trace_hop *hop(struct path *w, psc_trace_step s)
{
	return &w->r->hops[s];
}

static void set_text(psc_trace_hop *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_text(psc_trace_hop *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof(h->text), fmt, ap);
	va_end(ap);
}

/* the hop stops the connection: why (and the fix) */
static bool stop(struct path *w, psc_trace_step s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool stop(struct path *w, psc_trace_step s, const char *fmt, ...)
{
	psc_trace_hop *h = hop(w, s);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	h->state = PSC_TRACE_STOPPED;
	w->r->stopped = (int)s;
	return false;
}

static void field_s(psc_trace_hop *h, const char *k, const char *v)
{
	json_object_set_new(h->fields, k, v ? json_string(v) : json_null());
}

static void field_i(psc_trace_hop *h, const char *k, long long v)
{
	json_object_set_new(h->fields, k, json_integer(v));
}

static const char *net_name(const psc_plan *p, const psc_plan_vm *vm)
{
	return p->t->networks[vm->network].name;
}

/* the zone of cfg named origin, else the most specific one holding name */
static const psc_dns_zone_rt *zone_of(const psc_dns_config *cfg,
				      const char *origin, const char *name)
{
	const psc_dns_zone_rt *best = NULL;
	size_t nl = strlen(name);
	for (size_t z = 0; z < cfg->n_zones; z++) {
		const psc_dns_zone_rt *zr = &cfg->zones[z];
		size_t ol = strlen(zr->origin);
		if (origin[0] && strcasecmp(zr->origin, origin) == 0)
			return zr;
		bool below = nl >= ol && strcasecmp(name + nl - ol,
						    zr->origin) == 0 &&
			     (nl == ol || name[nl - ol - 1] == '.');
		if (below && (!best || ol > strlen(best->origin)))
			best = zr;
	}
	return best;
}

/* the record answering name in zone zr: itself, else the nearest
 * "*.<ancestor>" (the plan's view of RFC 4592); NULL none */
static const char *record_of(const psc_dns_zone_rt *zr, const char *name)
{
	char wc[PSC_DNS_NAME_LEN + 2];
	for (size_t r = 0; r < zr->n_records; r++)
		if (strcasecmp(zr->records[r].name, name) == 0)
			return zr->records[r].name;
	for (const char *d = strchr(name, '.'); d && d[1];
	     d = strchr(d + 1, '.')) {
		snprintf(wc, sizeof(wc), "*%s", d);
		for (size_t r = 0; r < zr->n_records; r++)
			if (strcasecmp(zr->records[r].name, wc) == 0)
				return zr->records[r].name;
	}
	return NULL;
}

static const char *rcode_name(int rc)
{
	static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL",
					"NXDOMAIN", "NOTIMP", "REFUSED"};
	return rc >= 0 && rc < 6 ? n[rc] : "another rcode";
}

/* the zones the source's VPC sees, "a., b." */
static void zones_list(const psc_dns_config *cfg, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t z = 0; z < cfg->n_zones; z++)
		psc_appendf(out, len, "%s%s", z ? ", " : "",
			    cfg->zones[z].origin);
	if (!out[0])
		psc_setf(out, len, "none");
}

static bool dns_step(struct path *w)
{
	const psc_trace_obs *o = w->o;
	psc_trace_hop *h = hop(w, PSC_TRACE_DNS);
	static psc_dns_config cfg;
	char err[256], name[PSC_DNS_NAME_LEN + 1], zones[1024];
	if (o->is_addr) {
		h->state = PSC_TRACE_NOT_USED;
		set_text(h, "%s is an address: nothing to resolve", o->host);
		return true;
	}
	memset(&cfg, 0, sizeof(cfg));
	psc_dns_config_from_plan(w->p, (size_t)w->src->network, &cfg, err,
				 sizeof(err));
	snprintf(name, sizeof(name), "%s%s", o->host,
		 o->host[strlen(o->host) - 1] == '.' ? "" : ".");
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	zones_list(&cfg, zones, sizeof(zones));
	field_s(h, "name", o->host);
	field_s(h, "stub", o->resolver);
	field_s(h, "vpc", net_name(w->p, w->src));
	field_s(h, "rcode", o->rcode < 0 ? NULL : rcode_name(o->rcode));
	json_object_set_new(h->fields, "authoritative", json_boolean(o->aa));
	field_s(h, "zone", o->zone[0] ? o->zone : NULL);
	if (o->rcode < 0) {
		set_text(h, "%s: no answer from the resolver %s", o->host,
			 o->resolver[0] ? o->resolver : "(none)");
		return stop(w, PSC_TRACE_DNS, "%s; the DNS stub of VPC %s "
		    "(process dns-%s) does not answer: `pscLab status %s` "
		    "shows whether it runs", o->dns_error,
		    net_name(w->p, w->src), net_name(w->p, w->src), w->p->lab);
	}
	if (o->rcode == RCODE_NXDOMAIN && o->zone[0]) {
		set_text(h, "%s: NXDOMAIN from zone %s (authoritative, stub %s "
			 "of VPC %s)", o->host, o->zone, o->resolver,
			 net_name(w->p, w->src));
		return stop(w, PSC_TRACE_DNS, "no record of zone %s matches %s: "
		    "add one (the seed's '*' A record pointing at the PSC "
		    "endpoint) to dns_zones", o->zone, o->host);
	}
	if (o->rcode == RCODE_NXDOMAIN) {
		set_text(h, "%s: NXDOMAIN, not authoritative: no private zone "
			 "of VPC %s holds it (stub %s)", o->host,
			 net_name(w->p, w->src), o->resolver);
		return stop(w, PSC_TRACE_DNS, "the zones VPC %s sees are %s; the "
		    "changefeed's names must lie below one of them (the "
		    "advertised listener pattern's domain)",
		    net_name(w->p, w->src), zones);
	}
	if (o->rcode != 0 || !o->addr[0]) {
		set_text(h, "%s: %s with no address (stub %s)", o->host,
			 rcode_name(o->rcode), o->resolver);
		return stop(w, PSC_TRACE_DNS, "zone %s has no A record for %s",
		    o->zone[0] ? o->zone : "(none)", o->host);
	}
	const psc_dns_zone_rt *zr = zone_of(&cfg, o->zone, name);
	const char *rec = zr ? record_of(zr, name) : NULL;
	field_s(h, "address", o->addr);
	field_s(h, "record", rec);
	set_text(h, "%s A %s from zone %s%s (%s), record %s (from the plan), "
		 "stub %s of VPC %s", o->host, o->addr,
		 o->zone[0] ? o->zone : zr ? zr->origin : "?",
		 o->zone[0] ? "" : " (from the plan)",
		 o->aa ? "authoritative" : "not authoritative",
		 rec ? rec : "?", o->resolver, net_name(w->p, w->src));
	return true;
}

/* what the address is in the plan: an endpoint, a forwarding rule, a VM */
static void classify(struct path *w)
{
	const psc_plan *p = w->p;
	w->lb = -1;
	for (size_t i = 0; i < p->n_eps; i++)
		if (p->eps[i].ip == w->addr)
			w->ep = &p->eps[i];
	for (size_t l = 0; l < p->n_lbs; l++)
		if ((w->ep && p->lbs[l].lb == w->ep->lb) ||
		    (!w->ep && p->lbs[l].vip == w->addr))
			w->lb = (int)l;
	for (size_t i = 0; w->lb < 0 && !w->ep && i < p->n_vms; i++)
		if (p->vms[i].ip == w->addr) {
			w->backend = &p->vms[i];
			w->backend_port = w->o->port;
		}
	w->from_ip = w->ep ? w->ep->nat_ip : w->src->ip;
}

static bool endpoint_not_used(struct path *w)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_ENDPOINT);
	char a[16];
	if (w->lb >= 0 || w->backend) {
		h->state = PSC_TRACE_NOT_USED;
		set_text(h, "%s is %s: no PSC on this path", w->o->addr,
			 w->lb >= 0 ? "a load balancer's forwarding rule"
				    : "a VM's own address");
		return true;
	}
	long long d = 0;
	const psc_trace_counter *c = w->p->psc_ns >= 0 ? psc_trace_rose(
		w->l, w->p->psc_ns, "forward", "psc no such endpoint", NULL, &d)
						       : NULL;
	set_text(h, "%s is no PSC endpoint, load balancer or VM of lab %s%s",
		 w->o->addr, w->p->lab, c ? " (rule 'psc no such endpoint' "
		 "counted it)" : "");
	field_s(h, "address", ip(w->addr, a));
	return stop(w, PSC_TRACE_ENDPOINT, "the name must resolve to the PSC "
	    "endpoint's address (%s)", w->p->n_eps ? ip(w->p->eps[0].ip, a)
						   : "none");
}

static bool endpoint_step(struct path *w)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_ENDPOINT);
	if (!w->ep)
		return endpoint_not_used(w);
	const psc_plan_endpoint *e = w->ep;
	char pfx[PSC_NAME_LEN + 24], a[16], v[16];
	long long dn = 0, dd = 0;
	snprintf(pfx, sizeof(pfx), "psc endpoint %s ", e->ep->name);
	const psc_trace_counter *dnat = psc_trace_rose(
		w->l, w->p->psc_ns, "endpoint_dnat", pfx, NULL, &dn);
	const psc_trace_counter *drop = psc_trace_rose(
		w->l, w->p->psc_ns, "forward", pfx, NULL, &dd);
	field_s(h, "endpoint", e->ep->name);
	field_s(h, "address", ip(e->ip, a));
	field_s(h, "endpoint_status", psc_ep_status_name(e->status));
	field_s(h, "service_attachment", e->sa->name);
	field_s(h, "forwarding_rule", ip(e->vip, v));
	field_s(h, "rule", dnat ? dnat->c.comment : drop ? drop->c.comment
							   : NULL);
	if (drop || e->status != PSC_EP_ACCEPTED) {
		h->from_plan = !drop;
		set_text(h, "endpoint %s %s -> %s: %s%s", e->ep->name, a,
			 e->sa->name, psc_ep_status_name(e->status),
			 drop ? ", its drop rule counted the packets"
			      : " (from the plan)");
		return stop(w, PSC_TRACE_ENDPOINT, "the endpoint is not "
		    "accepted%s%s: add project %s to service attachment %s's "
		    "consumer_accept_lists", e->reason[0] ? ": " : "",
		    e->reason, w->p->t->networks[w->src->network].project,
		    e->sa->name);
	}
	h->from_plan = !dnat;
	set_text(h, "endpoint %s %s -> service attachment %s (load balancer "
		 "%s %s): ACCEPTED%s", e->ep->name, a, e->sa->name,
		 e->lb->name, v, dnat ? ", its DNAT rule counted the "
		 "connection" : " (from the plan: no counter rose)");
	return true;
}

/* the NAT subnet of the endpoint's service attachment: "name cidr" */
static void nat_subnet(const psc_plan *p, const psc_plan_endpoint *e,
		       char *out, size_t len)
{
	psc_subnet *s = e->sa->n_nat_subnets
				? psc_find_subnet((psc_topology *)p->t,
						  e->sa->nat_subnets[0], NULL)
				: NULL;
	psc_setf(out, len, "%s %s", s ? s->name : "?",
		 s ? s->ip_cidr_range : "?");
}

static bool nat_step(struct path *w)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_NAT);
	char sub[128], a[16], a2[16], pfx[PSC_NAME_LEN + 16];
	if (!w->ep) {
		h->state = PSC_TRACE_NOT_USED;
		set_text(h, "no PSC: the source stays %s", ip(w->src->ip, a));
		return true;
	}
	nat_subnet(w->p, w->ep, sub, sizeof(sub));
	snprintf(pfx, sizeof(pfx), "psc nat %s ", w->ep->ep->name);
	long long d = 0;
	const psc_trace_counter *c = psc_trace_rose(
		w->l, w->p->psc_ns, "nat_subnet", pfx, NULL, &d);
	if (w->l->psc_found) {
		w->from_ip = w->l->psc.reply_dst;
		set_text(h, "source %s:%d -> %s:%u (NAT subnet %s; conntrack "
			 "of the PSC namespace)", ip(w->src->ip, a),
			 w->o->local_port,
			 ip(w->from_ip, a2), (unsigned)w->l->psc.reply_dport,
			 sub);
		field_i(h, "port", w->l->psc.reply_dport);
	} else {
		h->from_plan = true;
		set_text(h, "source %s -> %s (NAT subnet %s) (from the plan: no "
			 "tracked connection)", ip(w->src->ip, a),
			 ip(w->from_ip, a2), sub);
	}
	field_s(h, "address", ip(w->from_ip, a2));
	field_s(h, "subnet", sub);
	field_s(h, "rule", c ? c->c.comment : NULL);
	return true;
}

/* "lb <lb> neg <neg> client <cp> -> <inst>:<port>": inst, port */
static const psc_plan_vm *rule_backend(const psc_plan *p, const char *comment,
				       int *port)
{
	const char *arrow = strstr(comment, "-> ");
	char inst[PSC_NAME_LEN];
	if (!arrow || sscanf(arrow + 3, "%63[^:]:%d", inst, port) != 2)
		return NULL;
	return psc_plan_vm_by_name(p, inst);
}

static const psc_plan_vm *vm_by_ip(const psc_plan *p, uint32_t a)
{
	for (size_t i = 0; i < p->n_vms; i++)
		if (p->vms[i].ip == a)
			return &p->vms[i];
	return NULL;
}

/* the NEG's client ports behind load balancer pl, "9093, 9094" */
static void mapped_ports(const psc_plan *p, const psc_plan_lb *pl, char *out,
			 size_t len)
{
	out[0] = '\0';
	for (size_t k = 0; k < pl->lb->n_backends; k++) {
		psc_neg *g = psc_find_neg((psc_topology *)p->t,
					  pl->lb->backends[k]);
		for (size_t e = 0; g && e < g->n_endpoints; e++)
			psc_appendf(out, len, "%s%ld", out[0] ? ", " : "",
				    g->endpoints[e].client_port);
	}
}

static bool lb_neg(struct path *w, const psc_plan_lb *pl)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_LB);
	char pfx[PSC_NAME_LEN + 8], ports[256], a[16];
	long long d = 0;
	snprintf(pfx, sizeof(pfx), "lb %s ", pl->lb->name);
	const psc_trace_counter *c = psc_trace_rose(w->l, pl->router_ns,
						    "lb_dnat", pfx, NULL, &d);
	mapped_ports(w->p, pl, ports, sizeof(ports));
	field_s(h, "rule", c ? c->c.comment : NULL);
	if (c && strstr(c->c.comment, "unmapped client port")) {
		set_text(h, "load balancer %s %s: no NEG mapping for client "
			 "port %d (rule '%s' dropped %lld packet%s)",
			 pl->lb->name, ip(pl->vip, a), w->o->port,
			 c->c.comment, d, d == 1 ? "" : "s");
		return stop(w, PSC_TRACE_LB, "a passthrough load balancer with "
		    "a port-mapping NEG drops a client port no endpoint maps: "
		    "use one of %s, or map %d in a NEG endpoint's client_port",
		    ports, w->o->port);
	}
	int port = 0;
	const psc_plan_vm *b = NULL;
	if (w->l->lb_found) {
		b = vm_by_ip(w->p, w->l->lb.reply_src);
		port = w->l->lb.reply_sport;
	} else if (c) {
		b = rule_backend(w->p, c->c.comment, &port);
	}
	if (!c && !b) {
		h->from_plan = true;
		set_text(h, "load balancer %s %s, NEG client ports %s: no rule "
			 "counted the connection", pl->lb->name,
			 ip(pl->vip, a), ports);
		return stop(w, PSC_TRACE_LB, "the packets did not reach load "
		    "balancer %s (the hops before say why)", pl->lb->name);
	}
	w->backend = b;
	w->backend_port = port;
	set_text(h, "load balancer %s %s, rule '%s' -> backend %s:%d (%s)",
		 pl->lb->name, ip(pl->vip, a), c ? c->c.comment : "?",
		 b ? b->in->name : "?", port, w->l->lb_found
		 ? "conntrack of the router" : "from the rule");
	return true;
}

static bool lb_ig(struct path *w, size_t l, const psc_plan_lb *pl)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_LB);
	char pfx[PSC_NAME_LEN + 8], a[16];
	long long d = 0;
	snprintf(pfx, sizeof(pfx), "lb %s ", pl->lb->name);
	const psc_trace_counter *c = psc_trace_rose(w->l, pl->router_ns,
						    "lb_pick", pfx, NULL, &d);
	field_s(h, "rule", c ? c->c.comment : NULL);
	for (size_t b = 0; w->l->lb_found && b < pl->n_backends; b++)
		if (psc_plan_backend_mark(l, b) == w->l->lb.mark)
			w->backend = &w->p->vms[pl->backend_vm[b]];
	h->from_plan = !w->backend;
	if (!w->backend && pl->n_backends)
		w->backend = &w->p->vms[pl->backend_vm[0]];
	w->backend_port = w->o->port;
	set_text(h, "load balancer %s %s, instance group: rule '%s' -> backend "
		 "%s:%d (%s)", pl->lb->name, ip(pl->vip, a),
		 c ? c->c.comment : "(none counted)",
		 w->backend ? w->backend->in->name : "?", w->backend_port,
		 h->from_plan ? "from the plan: the first backend"
			      : "the connection's mark in conntrack");
	return true;
}

static bool lb_step(struct path *w)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_LB);
	if (w->lb < 0) {
		h->state = PSC_TRACE_NOT_USED;
		set_text(h, "no load balancer: straight to %s",
			 w->backend ? w->backend->in->name : w->o->addr);
		return true;
	}
	const psc_plan_lb *pl = &w->p->lbs[w->lb];
	field_s(h, "load_balancer", pl->lb->name);
	bool go = pl->neg ? lb_neg(w, pl) : lb_ig(w, (size_t)w->lb, pl);
	if (w->backend) {
		field_s(h, "backend", w->backend->in->name);
		field_i(h, "port", w->backend_port);
	}
	return go;
}

/* the rule the plan says decides, as its nft comment */
static void planned_rule(struct path *w, char *out, size_t len,
			 psc_fw_verdict *v)
{
	const psc_plan_vm *b = w->backend;
	psc_fw_query q = {.dir = PSC_FW_INGRESS, .has_local = true,
			  .local_ip = b->ip, .protocol = "tcp",
			  .port = w->backend_port};
	q.peer.net = w->from_ip;
	q.peer.len = 32;
	if (!w->ep && w->src->network == b->network)
		q.peer_instance = w->src->in;
	psc_fw_evaluate(&w->p->t->networks[b->network], b->in, &q, v);
	if (v->rule)
		psc_setf(out, len, "fw %s %s %s", v->rule->name,
			 psc_fw_action_str(v->action), b->in->name);
	else
		psc_setf(out, len, "fw implied deny ingress %s", b->in->name);
}

static long rule_priority(const psc_plan *p, const psc_plan_vm *vm,
			  const char *comment, char *name, size_t len)
{
	const psc_network *net = &p->t->networks[vm->network];
	for (size_t i = 0; i < net->n_firewalls; i++) {
		char pfx[PSC_NAME_LEN + 8];
		snprintf(pfx, sizeof(pfx), "fw %s ", net->firewalls[i].name);
		if (strncmp(comment, pfx, strlen(pfx)) == 0) {
			psc_setf(name, len, "%s", net->firewalls[i].name);
			return net->firewalls[i].priority;
		}
	}
	psc_setf(name, len, "implied deny ingress");
	return PSC_FW_IMPLIED_PRIORITY;
}

static bool firewall_step(struct path *w)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_FIREWALL);
	const psc_plan_vm *b = w->backend;
	char chain[PSC_IFNAME_LEN + 4], prefer[256], name[PSC_NAME_LEN], a[16];
	psc_fw_verdict v;
	long long d = 0;
	planned_rule(w, prefer, sizeof(prefer), &v);
	snprintf(chain, sizeof(chain), "in_%s", b->router_if);
	const psc_trace_counter *c = psc_trace_rose(w->l, b->router_ns, chain,
						    "fw ", prefer, &d);
	const char *rule = c ? c->c.comment : prefer;
	long prio = rule_priority(w->p, b, rule, name, sizeof(name));
	bool deny = strstr(rule, " DENY ") || strstr(rule, "implied deny");
	h->from_plan = !c;
	field_s(h, "rule", name);
	field_i(h, "priority", prio);
	field_s(h, "action", deny ? "DENY" : "ALLOW");
	field_s(h, "source", ip(w->from_ip, a));
	set_text(h, "%s -> %s:%d: %s by %s (priority %ld)%s", a, b->in->name,
		 w->backend_port, deny ? "DENIED" : "allowed", name, prio,
		 c ? "" : " (from the plan: no rule of its ingress counted "
		 "the connection)");
	if (c)
		psc_appendf(h->text, sizeof(h->text), ", counted %lld %s", d,
			    c->c.drops ? "packets" : "connection(s)");
	if (c && strcmp(rule, prefer) != 0)
		psc_appendf(h->text, sizeof(h->text), "; the lab's topology "
			    "says '%s' would decide: the running rules differ",
			    prefer);
	if (deny)
		return stop(w, PSC_TRACE_FIREWALL, "VPC %s's firewall denies "
		    "%s to %s:%d: an INGRESS ALLOW rule for %s (the seed's "
		    "allow-psc-traffic, from the PSC NAT subnet) with a priority "
		    "number under %ld (lower wins) is missing, disabled or "
		    "outranked",
		    net_name(w->p, b), a, b->in->name, w->backend_port, a,
		    prio);
	return true;
}

/* what the topology says listens on vm:port */
static void listener_of(const psc_plan *p, const psc_plan_vm *vm, int port,
			char *out, size_t len, long *broker)
{
	psc_topology *t = (psc_topology *)p->t;
	const psc_broker *b = psc_find_broker_by_instance(&t->kafka,
							  vm->in->name);
	/* the kafka-proxy on vm: the seed's, or one of kafka_proxies[] (the
	 * FAQ's second project), on its instance or an additional one */
	const psc_kafka_proxy *kp = psc_kafka_proxy_on(t, vm->in->name);
	*broker = -1;
	psc_setf(out, len, "nothing the topology declares");
	for (size_t i = 0; b && i < t->kafka.n_listeners; i++)
		if (t->kafka.listeners[i].port == port) {
			*broker = b->node_id;
			psc_setf(out, len, "broker %ld's listener %s (%s:%ld)",
				 b->node_id, t->kafka.listeners[i].name,
				 t->kafka.listeners[i].host, (long)port);
		}
	if (!kp)
		return;
	for (size_t i = 0; i < kp->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &kp->bootstrap_server_mappings[i];
		const char *colon = strrchr(m->listen, ':');
		if (colon && atoi(colon + 1) == port)
			psc_setf(out, len, "kafka-proxy's listener %s -> "
				 "upstream %s (advertised %s)", m->listen,
				 m->upstream, m->advertised);
	}
	if (kp->dynamic_sequential_min_port &&
	    port >= kp->dynamic_sequential_min_port && *broker < 0 &&
	    strncmp(out, "kafka-proxy", 11) != 0)
		psc_setf(out, len, "kafka-proxy's dynamic listeners (from "
			 "port %ld)", kp->dynamic_sequential_min_port);
}

static bool listener_step(struct path *w, long *broker)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_LISTENER);
	const psc_plan_vm *b = w->backend;
	char what[512];
	listener_of(w->p, b, w->backend_port, what, sizeof(what), broker);
	h->from_plan = true;
	field_s(h, "instance", b->in->name);
	field_i(h, "port", w->backend_port);
	field_s(h, "listener", what);
	if (*broker >= 0)
		field_i(h, "broker", *broker);
	if (w->o->connected) {
		set_text(h, "%s:%d accepted the connection (%s:%d -> %s:%d in "
			 "%ld ms): %s (from the plan)", b->in->name,
			 w->backend_port, w->o->local, w->o->local_port,
			 w->o->addr, w->o->port, w->o->connect_ms, what);
		return true;
	}
	if (w->o->connect_errno == ECONNREFUSED ||
	    w->o->connect_errno == ECONNRESET) {
		set_text(h, "connection refused at %s:%d: nothing listens "
			 "there (the topology says: %s)", b->in->name,
			 w->backend_port, what);
		if (strncmp(what, "kafka-proxy's dynamic", 21) == 0)
			return stop(w, PSC_TRACE_LISTENER, "kafka-proxy opens a "
			    "dynamic port only when a Metadata or FindCoordinator "
			    "answer first names a broker none of its bootstrap "
			    "mappings serves; until then (with every broker "
			    "mapped: never) nothing listens on %s:%d and no "
			    "answer names it: trace a bootstrap port instead",
			    b->in->name, w->backend_port);
		return stop(w, PSC_TRACE_LISTENER, "start what should listen on "
		    "%s:%d (a stopped broker or kafka-proxy: `pscLab restart "
		    "%s %s`), or send the port to a listener that exists",
		    b->in->name, w->backend_port, w->p->lab, b->in->name);
	}
	set_text(h, "%s:%d: no answer in %ld ms (%s)", b->in->name,
		 w->backend_port, w->o->connect_ms,
		 strerror(w->o->connect_errno));
	return stop(w, PSC_TRACE_LISTENER, "every hop before let the "
	    "connection through, yet %s:%d did not answer: is the node's own "
	    "firewall or route in the way? `pscLab exec %s %s -- ss -ltn`",
	    b->in->name, w->backend_port, w->p->lab, b->in->name);
}

static bool kafka_step(struct path *w, long broker)
{
	psc_trace_hop *h = hop(w, PSC_TRACE_KAFKA);
	const psc_trace_obs *o = w->o;
	field_i(h, "node_id", o->node_id);
	field_i(h, "controller", o->controller);
	field_s(h, "brokers", o->brokers);
	if (!o->kafka_tried) {
		h->state = PSC_TRACE_NOT_USED;
		set_text(h, "not asked (--no-kafka)");
		return true;
	}
	if (!o->kafka_ok) {
		set_text(h, "no Kafka answer from %s:%d: %s", o->host, o->port,
			 o->kafka_error);
		return stop(w, PSC_TRACE_KAFKA, "the connection reaches %s:%d "
		    "but no Kafka broker answered ApiVersions + Metadata there: "
		    "is a broker (or kafka-proxy) serving that port? `pscLab "
		    "logs %s %s`", w->backend->in->name, w->backend_port,
		    w->p->lab, w->backend->in->name);
	}
	if (o->node_id < 0) {
		set_text(h, "ApiVersions and Metadata answered (%s; controller "
			 "%ld), but not which node it is: %s", o->brokers,
			 o->controller, o->kafka_error);
		return true;
	}
	const psc_broker *kb = psc_find_broker_by_id(
		&((psc_topology *)w->p->t)->kafka, o->node_id);
	set_text(h, "node %ld answered (ApiVersions, Metadata: %s; "
		 "controller %ld); node %ld runs on %s (from the plan)",
		 o->node_id, o->brokers, o->controller, o->node_id,
		 kb ? kb->instance : "?");
	if (broker >= 0 && o->node_id >= 0 && o->node_id != broker)
		return stop(w, PSC_TRACE_KAFKA, "the port leads to %s, broker "
		    "%ld's node, but broker %ld answered: the load balancer's "
		    "mapping and the brokers' advertised ports disagree",
		    w->backend->in->name, broker, o->node_id);
	return true;
}

static void init_result(psc_trace_result *r, const psc_plan *p,
			const char *from, const psc_trace_obs *o)
{
	memset(r, 0, sizeof(*r));
	PSC_SET(r->lab, "%s", p->lab);
	PSC_SET(r->from, "%s", from);
	PSC_SET(r->target, "%s:%d", o->host, o->port);
	r->stopped = -1;
	for (int s = 0; s < PSC_TRACE_STEPS; s++) {
		r->hops[s].fields = json_object();
		r->hops[s].state = PSC_TRACE_OK;
	}
}

void psc_trace_diagnose(const psc_plan *p, const char *from,
			const psc_trace_obs *o, const psc_trace_live *l,
			psc_trace_result *r)
{
	struct path w = {.p = p, .o = o, .l = l, .r = r, .lb = -1};
	long broker = -1;
	struct in_addr in;
	init_result(r, p, from, o);
	w.src = psc_plan_vm_by_name(p, from);
	bool go = w.src != NULL;
	if (!go)
		stop(&w, PSC_TRACE_DNS, "%s is no VM of lab %s", from, p->lab);
	go = go && dns_step(&w);
	if (go && inet_pton(AF_INET, o->addr, &in) == 1) {
		w.addr = ntohl(in.s_addr);
		classify(&w);
	}
	go = go && endpoint_step(&w) && nat_step(&w) && lb_step(&w);
	if (go && !w.backend)
		go = stop(&w, PSC_TRACE_LB, "no backend could be told");
	go = go && firewall_step(&w) && listener_step(&w, &broker) &&
	     kafka_step(&w, broker);
	for (int s = r->stopped + 1; r->stopped >= 0 && s < PSC_TRACE_STEPS;
	     s++) {
		r->hops[s].state = PSC_TRACE_NOT_REACHED;
		set_text(&r->hops[s], "not reached");
	}
}

void psc_trace_result_free(psc_trace_result *r)
{
	for (int s = 0; s < PSC_TRACE_STEPS; s++) {
		json_decref(r->hops[s].fields);
		r->hops[s].fields = NULL;
	}
}

const char *psc_trace_step_name(psc_trace_step s)
{
	static const char *const n[PSC_TRACE_STEPS] = {
		"dns", "endpoint", "nat", "lb", "firewall", "listener",
		"kafka"};
	return s < PSC_TRACE_STEPS ? n[s] : "?";
}

const char *psc_trace_state_name(psc_trace_state s)
{
	static const char *const n[] = {"ok", "stopped", "not reached",
					"not used"};
	return s <= PSC_TRACE_NOT_USED ? n[s] : "?";
}

/* ---- outputs ---- */

int psc_trace_print_text(const psc_trace_result *r, FILE *out)
{
	fprintf(out, "trace %s: %s -> %s\n", r->lab, r->from, r->target);
	for (int s = 0; s < PSC_TRACE_STEPS; s++) {
		const psc_trace_hop *h = &r->hops[s];
		const char *st = h->state == PSC_TRACE_STOPPED
					 ? "STOPPED"
					 : psc_trace_state_name(h->state);
		fprintf(out, "  %-9s %-11s %s\n", psc_trace_step_name(s), st,
			h->text);
		if (h->why[0])
			fprintf(out, "  %-9s %-11s why: %s\n", "", "", h->why);
	}
	if (r->stopped >= 0)
		fprintf(out, "stopped at %s: %s\n",
			psc_trace_step_name(r->stopped),
			r->hops[r->stopped].why);
	else
		fprintf(out, "the path worked: every hop passed (%ld ms)\n",
			r->ms);
	return ferror(out) ? -1 : 0;
}

json_t *psc_trace_json(const psc_trace_result *r)
{
	json_t *hops = json_array();
	for (int s = 0; s < PSC_TRACE_STEPS; s++) {
		const psc_trace_hop *h = &r->hops[s];
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s?}", "hop",
				      psc_trace_step_name(s), "status",
				      psc_trace_state_name(h->state),
				      "from_plan", h->from_plan, "text",
				      h->text, "why",
				      h->why[0] ? h->why : NULL);
		if (h->fields)
			json_object_update_missing(o, h->fields);
		json_array_append_new(hops, o);
	}
	return json_pack("{s:s, s:s, s:s, s:b, s:s?, s:I, s:o}", "lab", r->lab,
			 "from", r->from, "target", r->target, "ok",
			 r->stopped < 0, "stopped_at",
			 r->stopped >= 0 ? psc_trace_step_name(r->stopped)
					 : NULL,
			 "ms", (json_int_t)r->ms, "hops", hops);
}

int psc_trace_print_json(const psc_trace_result *r, FILE *out)
{
	json_t *j = psc_trace_json(r);
	int rc = j ? json_dumpf(j, out, JSON_INDENT(2)) : -1;
	fputc('\n', out);
	json_decref(j);
	return rc < 0 || ferror(out) ? -1 : 0;
}

int psc_trace_exit_code(const psc_trace_result *r)
{
	return r->stopped >= 0 ? 1 : 0;
}
