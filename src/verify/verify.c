/* verify.c - the pure parts of `pscLab verify` (see verify.h): the lab's
 * context, the diagnosis table, the observations' JSON lines, the report
 * and its text, JSON (jansson) and JUnit forms.  The checks themselves, in
 * the nodes: verify_run.c and the files it names. */
#define _GNU_SOURCE
#include "verify/verify.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/util.h"
#include "model/addr.h"
#include "model/consumers.h"
#include "runtime/lab_kafka.h"
#include "model/firewall.h"

/* ---- small helpers ---- */


/* each hop's name (JSON, JUnit type) and title (text) */
static const struct {
	const char *name, *title;
} hops[] = {
	[PSC_HOP_NONE] = {"none", "none"},
	[PSC_HOP_DNS] = {"dns", "DNS (private zone)"},
	[PSC_HOP_ENDPOINT] = {"endpoint", "PSC endpoint"},
	[PSC_HOP_FIREWALL] = {"firewall", "producer firewall"},
	[PSC_HOP_LB_MAPPING] = {"lb-mapping", "load balancer mapping"},
	[PSC_HOP_BROKER_DOWN] = {"broker", "broker down"},
	[PSC_HOP_LISTENER] = {"listener", "broker listener"},
	[PSC_HOP_ADVERTISED] = {"advertised", "advertised listener"},
	[PSC_HOP_KAFKA] = {"kafka", "Kafka"},
	[PSC_HOP_VERIFY] = {"pscLab", "pscLab verify"},
	[PSC_HOP_PROXY] = {"kafka-proxy", "kafka-proxy"},
};

static const char *const sym_names[] = {
	[PSC_SYM_OK] = "ok",
	[PSC_SYM_UNRESOLVED] = "unresolved",
	[PSC_SYM_RESOLVED_ELSEWHERE] = "resolved-elsewhere",
	[PSC_SYM_TIMEOUT] = "timeout",
	[PSC_SYM_REFUSED] = "refused",
	[PSC_SYM_WRONG_BROKER] = "wrong-broker",
	[PSC_SYM_MISSING] = "missing",
	[PSC_SYM_ADVERTISED] = "advertised",
	[PSC_SYM_KAFKA_ERROR] = "kafka-error",
	[PSC_SYM_INCOMPLETE] = "incomplete",
	[PSC_SYM_SKIPPED] = "skipped",
	[PSC_SYM_INTERNAL] = "internal",
	[PSC_SYM_LEAKED] = "leaked",
	[PSC_SYM_CDC_WARNED] = "cdc-warned",
	[PSC_SYM_CDC_REFUSED] = "cdc-refused",
	[PSC_SYM_DEGRADED] = "degraded",
	[PSC_SYM_CDC_BROKEN] = "cdc-broken",
};

const char *psc_verify_hop_name(psc_verify_hop h)
{
	return (unsigned)h <= PSC_HOP_PROXY ? hops[h].name : "?";
}

const char *psc_verify_hop_title(psc_verify_hop h)
{
	return (unsigned)h <= PSC_HOP_PROXY ? hops[h].title : "?";
}

const char *psc_verify_status_name(psc_verify_status s)
{
	switch (s) {
	case PSC_VERIFY_PASS: return "PASS";
	case PSC_VERIFY_FAIL: return "FAIL";
	case PSC_VERIFY_SKIP: return "SKIP";
	case PSC_VERIFY_WARN: return "WARN";
	}
	return "?";
}

const char *psc_verify_symptom_name(psc_verify_symptom s)
{
	return (unsigned)s <= PSC_SYM_LAST ? sym_names[s] : "?";
}

int psc_verify_symptom_parse(const char *s, psc_verify_symptom *out)
{
	for (unsigned i = 0; i <= PSC_SYM_LAST; i++)
		if (strcmp(s, sym_names[i]) == 0) {
			*out = (psc_verify_symptom)i;
			return 0;
		}
	return -1;
}

/* ---- the context ---- */

static const psc_proc *find_proc(const psc_state *st, const char *name,
				 const char *netns, const char *prefix)
{
	if (!st)
		return NULL;
	/* the last record wins: a restarted process is journaled again */
	const psc_proc *hit = psc_state_proc_last(st, name);
	if (hit || !netns || !prefix)
		return hit;
	for (size_t i = 0; i < st->n_procs; i++)
		if (strcmp(st->procs[i].netns, netns) == 0 &&
		    strncmp(st->procs[i].name, prefix, strlen(prefix)) == 0)
			hit = &st->procs[i];
	return hit;
}

static const char *vm_ns(const psc_plan *p, const char *instance)
{
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, instance);
	return vm ? p->ns[vm->ns].name : NULL;
}

static void ctx_brokers(const psc_topology *t, const psc_plan *p,
			psc_verify_ctx *c)
{
	psc_topology *tt = (psc_topology *)t;
	const psc_listener *xl = t->kafka.external_listener[0]
		? psc_find_listener(&tt->kafka, t->kafka.external_listener)
		: NULL;
	const psc_listener *il = psc_find_listener(
		&tt->kafka, t->kafka.inter_broker_listener);
	c->internal_port = il ? il->port : 0;
	c->external_listener_port = xl ? xl->port : 0;
	for (size_t i = 0; i < t->kafka.n_brokers &&
			   c->n_brokers < PSC_MAX_BROKERS; i++) {
		const psc_broker *b = &t->kafka.brokers[i];
		psc_verify_broker *vb = &c->brokers[c->n_brokers++];
		memset(vb, 0, sizeof(*vb));
		vb->node_id = b->node_id;
		PSC_SET(vb->instance, "%s", b->instance);
		const psc_plan_vm *vm = psc_plan_vm_by_name(p, b->instance);
		if (vm) {
			psc_ip_str(vm->ip, vb->ip, sizeof(vb->ip));
			PSC_SET(vb->ns, "%s", p->ns[vm->ns].name);
		}
		psc_broker_advertised_internal(t, b, vb->internal,
					       sizeof(vb->internal));
		vb->external_listener_port = c->external_listener_port;
		if (b->external_port > 0) {
			psc_broker_advertised_external(t, b, vb->external,
						       sizeof(vb->external));
		} else if (t->kafka_proxy.present && vm) {
			/* proxy: the mapping whose upstream is this broker */
			const psc_kafka_proxy *kp = &t->kafka_proxy;
			for (size_t m = 0; m < kp->n_bootstrap_server_mappings;
			     m++) {
				uint32_t ip;
				int port;
				const psc_proxy_mapping *pm =
					&kp->bootstrap_server_mappings[m];
				if (psc_resolve_hostport(t, pm->upstream, &ip,
							 &port) == 0 &&
				    ip == vm->ip && port == c->internal_port) {
					PSC_SET(vb->external, "%s", pm->advertised);
					break;
				}
			}
		}
	}
}

static void ctx_maps(const psc_topology *t, const psc_plan *p,
		     const psc_plan_endpoint *pe, psc_verify_ctx *c)
{
	psc_topology *tt = (psc_topology *)t;
	psc_network *net = psc_find_network(tt, pe->lb->network);
	psc_cidr nat = {0, 32};
	psc_subnet *ns = pe->sa->n_nat_subnets
		? psc_find_subnet(tt, pe->sa->nat_subnets[0], NULL) : NULL;
	char e[128];
	if (ns)
		psc_cidr_parse(ns->ip_cidr_range, &nat, e, sizeof(e));
	for (size_t k = 0; k < pe->lb->n_backends; k++) {
		psc_neg *g = psc_find_neg(tt, pe->lb->backends[k]);
		for (size_t i = 0; g && i < g->n_endpoints &&
				   c->n_maps < PSC_MAX_NEG_ENDPOINTS; i++) {
			const psc_neg_endpoint *ne = &g->endpoints[i];
			psc_verify_map *m = &c->maps[c->n_maps++];
			memset(m, 0, sizeof(*m));
			m->client_port = (int)ne->client_port;
			m->port = (int)ne->port;
			PSC_SET(m->neg, "%s", g->name);
			PSC_SET(m->instance, "%s", ne->instance);
			psc_instance *in = psc_find_instance(tt, ne->instance);
			const psc_plan_vm *vm = psc_plan_vm_by_name(p,
								    ne->instance);
			if (!net || !in || !vm)
				continue;
			psc_fw_query q = {.dir = PSC_FW_INGRESS, .peer = nat,
					  .has_local = true, .local_ip = vm->ip,
					  .protocol = "tcp",
					  .port = (int)ne->port};
			psc_fw_verdict v;
			psc_fw_evaluate(net, in, &q, &v);
			m->fw_allowed = v.action == PSC_FW_ALLOW;
			if (v.rule)
				PSC_SET(m->fw_rule, "%s", v.rule->name);
		}
	}
}

/* the nodes the checks run in: the changefeed (-1 with err when it is no
 * node of the lab) and bastion-node, when there is one */
static int ctx_nodes(const psc_topology *t, const psc_plan *p,
		     psc_verify_ctx *c, char *err, size_t errlen)
{
	psc_topology *tt = (psc_topology *)t;
	PSC_SET(c->changefeed, "%s", t->changefeed.instance);
	const char *ns = vm_ns(p, c->changefeed);
	if (!ns) {
		snprintf(err, errlen, "lab '%s': changefeed instance '%s' is "
			 "no node of the lab", c->lab, c->changefeed);
		return -1;
	}
	PSC_SET(c->changefeed_ns, "%s", ns);
	const psc_plan_vm *cvm = psc_plan_vm_by_name(p, c->changefeed);
	if (cvm && cvm->router_ns >= 0)
		PSC_SET(c->consumer_router_ns, "%s", p->ns[cvm->router_ns].name);
	psc_instance *bi = psc_find_instance(tt, PSC_VERIFY_BASTION);
	if (bi && (ns = vm_ns(p, bi->name))) {
		PSC_SET(c->bastion, "%s", bi->name);
		PSC_SET(c->bastion_ns, "%s", ns);
		psc_subnet *bs = psc_find_subnet(tt, bi->subnetwork, NULL);
		if (bs)
			PSC_SET(c->bastion_subnet_range, "%s", bs->ip_cidr_range);
	}
	return 0;
}

/* the changefeed's PSC endpoint, its service attachment and load
 * balancer: the plan's endpoint, NULL with err when it has none */
static const psc_plan_endpoint *ctx_endpoint(const psc_topology *t,
					     const psc_plan *p,
					     psc_verify_ctx *c, char *err,
					     size_t errlen)
{
	psc_topology *tt = (psc_topology *)t;
	const psc_plan_endpoint *pe = NULL;
	for (size_t i = 0; i < p->n_eps; i++)
		if (strcmp(p->eps[i].ep->name, t->changefeed.endpoint) == 0)
			pe = &p->eps[i];
	if (!pe) {
		snprintf(err, errlen, "lab '%s': the changefeed's endpoint '%s' "
			 "is no PSC endpoint of the plan", c->lab,
			 t->changefeed.endpoint);
		return NULL;
	}
	PSC_SET(c->endpoint, "%s", pe->ep->name);
	psc_ip_str(pe->ip, c->endpoint_ip, sizeof(c->endpoint_ip));
	c->ep_status = pe->status;
	PSC_SET(c->ep_reason, "%s", pe->reason);
	psc_network *cn = psc_find_network(tt, pe->ep->network);
	if (cn)
		PSC_SET(c->consumer_project, "%s", cn->project);
	PSC_SET(c->attachment, "%s", pe->sa->name);
	PSC_SET(c->load_balancer, "%s", pe->lb->name);
	for (size_t i = 0; i < p->n_lbs; i++) {
		if (p->lbs[i].lb != pe->lb || p->lbs[i].neg)
			continue;
		c->lb_backends = p->lbs[i].n_backends;
		c->lb_health_check = p->lbs[i].hc != NULL;
		for (size_t b = 0; b < c->lb_backends && b < PSC_MAX_INSTANCES;
		     b++)
			PSC_SET(c->lb_backend[b], "%s",
			    p->vms[p->lbs[i].backend_vm[b]].in->name);
	}
	PSC_SET(c->producer_network, "%s", pe->lb->network);
	psc_ip_str(pe->nat_ip, c->nat_ip, sizeof(c->nat_ip));
	psc_subnet *nsub = pe->sa->n_nat_subnets
		? psc_find_subnet(tt, pe->sa->nat_subnets[0], NULL) : NULL;
	if (nsub)
		PSC_SET(c->nat_range, "%s", nsub->ip_cidr_range);
	return pe;
}

/* the advertised domain and the private zone that answers it in the
 * endpoint's network; its DNS stub's process name */
static void ctx_dns(const psc_topology *t, const psc_plan_endpoint *pe,
		    psc_verify_ctx *c)
{
	if (psc_pattern_domain(&t->tidbcloud, c->domain, sizeof(c->domain)) < 0)
		c->domain[0] = '\0';
	for (size_t z = 0; z < t->n_dns_zones && c->domain[0]; z++) {
		const psc_dns_zone *dz = &t->dns_zones[z];
		char dn[PSC_HOST_LEN];
		PSC_SET(dn, "%s", dz->dns_name);
		size_t l = strlen(dn);
		if (l && dn[l - 1] == '.')
			dn[l - 1] = '\0';
		size_t dl = strlen(c->domain);
		l = strlen(dn);
		bool suffix = l <= dl && strcmp(c->domain + dl - l, dn) == 0 &&
			      (l == dl || c->domain[dl - l - 1] == '.');
		bool visible = false;
		for (size_t n = 0; n < dz->n_networks; n++)
			visible |= strcmp(dz->networks[n], pe->ep->network) == 0;
		if (suffix && visible)
			PSC_SET(c->dns_zone, "%s", dz->name);
	}
	PSC_SET(c->dns_proc, "dns-%.50s", pe->ep->network);
}

void psc_verify_ctx_procs(psc_verify_ctx *c, const psc_state *st)
{
	/* a process the journal does not hold: not run; no journal at all:
	 * alive and unknown */
	for (size_t i = 0; i < c->n_brokers; i++) {
		psc_verify_broker *vb = &c->brokers[i];
		PSC_SET(vb->proc, "kafka-%s", vb->instance);
		vb->pid = 0;
		vb->log[0] = '\0';
		vb->alive = st == NULL;
		const psc_proc *pr = find_proc(st, vb->proc,
					       vb->ns[0] ? vb->ns : NULL,
					       "kafka");
		if (pr) {
			vb->pid = pr->pid;
			vb->alive = psc_proc_alive(pr);
			PSC_SET(vb->proc, "%s", pr->name);
			PSC_SET(vb->log, "%s", pr->log);
		}
	}
	c->dns_pid = 0;
	c->dns_alive = st == NULL;
	const psc_proc *dp = find_proc(st, c->dns_proc, NULL, NULL);
	if (dp) {
		c->dns_pid = dp->pid;
		c->dns_alive = psc_proc_alive(dp);
	}
	if (!c->proxy_proc[0])
		return;
	if (!c->proxy_journal[0])
		PSC_SET(c->proxy_journal, "kafka-proxy");
	PSC_SET(c->proxy_proc, "%s", c->proxy_journal);
	c->proxy_pid = 0;
	c->proxy_alive = st == NULL;
	const psc_proc *pr = find_proc(st, c->proxy_journal,
				       c->proxy_ns[0] ? c->proxy_ns : NULL,
				       "kafka");
	if (pr) {
		PSC_SET(c->proxy_proc, "%s", pr->name);
		c->proxy_pid = pr->pid;
		c->proxy_alive = psc_proc_alive(pr);
	}
}

int psc_verify_ctx_build(const psc_topology *t, const psc_plan *p,
			 const psc_state *st, psc_verify_ctx *c, char *err,
			 size_t errlen)
{
	memset(c, 0, sizeof(*c));
	PSC_SET(c->lab, "%s", p->lab[0] ? p->lab : t->name);
	c->approach = psc_topology_approach(t);
	if (!t->changefeed.present || !t->changefeed.instance[0]) {
		snprintf(err, errlen, "lab '%s' has no changefeed section: "
			 "nothing to verify", c->lab);
		return -1;
	}
	if (!t->kafka.present || !t->kafka.n_brokers) {
		snprintf(err, errlen, "lab '%s' has no Kafka brokers to "
			 "verify", c->lab);
		return -1;
	}
	if (ctx_nodes(t, p, c, err, errlen) < 0)
		return -1;
	const psc_plan_endpoint *pe = ctx_endpoint(t, p, c, err, errlen);
	if (!pe)
		return -1;
	ctx_dns(t, pe, c);
	for (size_t i = 0; i < t->changefeed.n_bootstrap_ports &&
			   c->n_bootstrap_ports < PSC_MAX_BOOTSTRAP; i++)
		c->bootstrap_ports[c->n_bootstrap_ports++] =
			(int)t->changefeed.bootstrap_ports[i];
	ctx_brokers(t, p, c);
	ctx_maps(t, p, pe, c);
	if (t->kafka_proxy.present) {
		const char *pns;
		PSC_SET(c->proxy_instance, "%s", t->kafka_proxy.instance);
		PSC_SET(c->proxy_proc, "kafka-proxy");
		if ((pns = vm_ns(p, c->proxy_instance)))
			PSC_SET(c->proxy_ns, "%s", pns);
	}
	psc_verify_ctx_procs(c, st);
	return 0;
}

void psc_verify_ctx_consumers(const psc_topology *t, size_t k,
			      psc_verify_ctx *c)
{
	c->consumer = k;
	c->n_others = 0;
	for (size_t h = 0; h < psc_consumer_count(t) &&
			   c->n_others < PSC_MAX_CHANGEFEEDS; h++) {
		size_t o = c->n_others;
		if (h == k || psc_consumer_domain(t, h, c->other_domain[o],
						  PSC_HOST_LEN) < 0)
			continue;
		PSC_SET(c->other_project[o], "%s", psc_consumer_project(t, h));
		PSC_SET(c->other_listener[o], "%s",
		    psc_consumer_listener(t, h));
		c->n_others++;
	}
	const psc_kafka_proxy *kp = psc_consumer_proxy(t, k);
	if (kp && c->proxy_proc[0])
		psc_lab_proxy_proc_name_of(t, kp, 0, c->proxy_journal,
					   sizeof(c->proxy_journal));
}

/* the other consumer whose domain host is a name of, or -1 */
static long other_of(const psc_verify_ctx *c, const char *host)
{
	size_t hl = strlen(host);
	for (size_t i = 0; i < c->n_others; i++) {
		size_t dl = strlen(c->other_domain[i]);
		if (hl > dl && host[hl - dl - 1] == '.' &&
		    strcasecmp(host + hl - dl, c->other_domain[i]) == 0)
			return (long)i;
	}
	return -1;
}

/* another project's name in this consumer's answer: which, and why it
 * breaks this one (its zone is that project's VPC's only) */
static void other_project_why(const psc_verify_ctx *c, long i,
			      psc_verify_check *k)
{
	PSC_APP(k->detail, "; it is a name of project %s's pattern (%s), "
	    "whose private zone only that project's VPC sees: here it does "
	    "not resolve, and this consumer was answered by %s, the other "
	    "project's listener group", c->other_project[i],
	    c->other_domain[i], c->other_listener[i][0]
	    ? c->other_listener[i] : "kafka-proxy");
	if (c->approach == PSC_APPROACH_PROXY)
		PSC_SET(k->fix, "each project has a kafka-proxy of its own: "
		    "point this project's endpoint (%s) at the service "
		    "attachment of the kafka-proxy that advertises %s",
		    c->endpoint, c->domain);
	else
		PSC_SET(k->fix, "bootstrap from this project's own client ports "
		    "and map them in the NEG to its listener group's port %ld "
		    "(not %s's): the seed's FAQ, \"another group of Network "
		    "endpoints ... mapping the ports range to the EXTERNAL2 "
		    "listener\"", c->external_listener_port,
		    c->other_listener[i]);
}

const psc_verify_broker *psc_verify_ctx_broker(const psc_verify_ctx *c,
					       long node_id)
{
	for (size_t i = 0; i < c->n_brokers; i++)
		if (c->brokers[i].node_id == node_id)
			return &c->brokers[i];
	return NULL;
}

static const psc_verify_broker *broker_of_instance(const psc_verify_ctx *c,
						   const char *instance)
{
	for (size_t i = 0; i < c->n_brokers; i++)
		if (strcmp(c->brokers[i].instance, instance) == 0)
			return &c->brokers[i];
	return NULL;
}

static const psc_verify_broker *broker_of_ip(const psc_verify_ctx *c,
					     const char *ip)
{
	for (size_t i = 0; ip && *ip && i < c->n_brokers; i++)
		if (strcmp(c->brokers[i].ip, ip) == 0)
			return &c->brokers[i];
	return NULL;
}

static const psc_verify_map *map_of(const psc_verify_ctx *c, int port)
{
	for (size_t i = 0; i < c->n_maps; i++)
		if (c->maps[i].client_port == port)
			return &c->maps[i];
	return NULL;
}

/* ---- the diagnosis table ---- */

/* "broker 2 (broker-node2)" */
static const char *bname(const psc_verify_ctx *c, long id, char *buf,
			 size_t len)
{
	const psc_verify_broker *b = psc_verify_ctx_broker(c, id);
	if (id < 0)
		snprintf(buf, len, "an unknown broker");
	else if (b)
		snprintf(buf, len, "broker %ld (%s)", id, b->instance);
	else
		snprintf(buf, len, "broker %ld", id);
	return buf;
}

/* "process kafka-broker-node2 (pid 42) is not running" */
static void why_dead(const char *proc, pid_t pid, char *buf, size_t len)
{
	if (pid > 0)
		psc_setf(buf, len, "its process %s (pid %ld) is not running", proc,
		    (long)pid);
	else
		psc_setf(buf, len, "the lab's journal has no process %s (a lab "
		    "brought up with --network-only runs no Kafka)", proc);
}

/* node "": a lab service that only a new lab restarts (the DNS stub) */
static void fix_restart(const psc_verify_ctx *c, const char *what,
			const char *node, const char *log, char *fix,
			size_t len)
{
	if (node && *node)
		psc_setf(fix, len, "start %s again: pscLab restart %s %s", what,
		    c->lab, node);
	else
		psc_setf(fix, len, "start %s again (pscLab down %s, then pscLab up "
		    "with its topology)", what, c->lab);
	if (log && *log)
		psc_appendf(fix, len, "; its log: %s", log);
}

static void mapped_ports(const psc_verify_ctx *c, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_maps; i++)
		psc_appendf(buf, len, "%s%d", i ? ", " : "", c->maps[i].client_port);
	if (!c->n_maps)
		psc_setf(buf, len, "none");
}

static void diag_dns(const psc_verify_ctx *c, const psc_verify_obs *o,
		     psc_verify_check *k)
{
	k->hop = PSC_HOP_DNS;
	char ep[128];
	psc_setf(ep, sizeof(ep), "PSC endpoint %s (%s)", c->endpoint,
	    c->endpoint_ip);
	if (o->sym == PSC_SYM_UNRESOLVED) {
		PSC_SET(k->detail, "%s does not resolve in node %s (its resolver "
		    "is the private zone's stub, 169.254.169.254)", o->host,
		    o->node);
		if (!c->dns_alive) {
			char why[256];
			why_dead(c->dns_proc, c->dns_pid, why, sizeof(why));
			PSC_APP(k->detail, "; the DNS stub of the VPC: %s", why);
			fix_restart(c, "the DNS stub", NULL, NULL, k->fix,
				    sizeof(k->fix));
		} else if (!c->dns_zone[0]) {
			PSC_SET(k->fix, "create a private DNS zone for %s. visible "
			    "to the changefeed's VPC, with a record '*' of "
			    "type A pointing at %s", c->domain[0] ? c->domain
			    : "the advertised domain", ep);
		} else {
			PSC_SET(k->fix, "add a record for %s (or '*') of type A "
			    "pointing at %s to private zone %s", o->host, ep,
			    c->dns_zone);
		}
	} else {
		PSC_SET(k->detail, "%s resolves to %s in node %s, not to %s",
		    o->host, o->addr, o->node, ep);
		PSC_SET(k->fix, "point the record of %s%s%s at %s", o->host,
		    c->dns_zone[0] ? " in private zone " : "", c->dns_zone,
		    ep);
	}
}

/* the PSC endpoint is not ACCEPTED: no traffic passes */
static void diag_endpoint(const psc_verify_ctx *c, psc_verify_check *k)
{
	k->hop = PSC_HOP_ENDPOINT;
	PSC_APP(k->detail, ": PSC endpoint %s is %s (%s), no traffic "
	    "passes", c->endpoint, psc_ep_status_name(c->ep_status),
	    c->ep_reason[0] ? c->ep_reason : "no reason recorded");
	if (c->ep_status == PSC_EP_REJECTED)
		PSC_SET(k->fix, "remove project %s from "
		    "consumer_reject_lists of service attachment %s "
		    "and add it to consumer_accept_lists",
		    c->consumer_project, c->attachment);
	else
		PSC_SET(k->fix, "accept project %s on service attachment "
		    "%s: add it to consumer_accept_lists (with a "
		    "connection_limit that leaves room for this "
		    "endpoint)", c->consumer_project, c->attachment);
}

/* behind the load balancer kafka-proxy (or a backend that is no NEG):
 * kafka-proxy down, not listening on the port, or the firewall */
static void diag_proxy_path(const psc_verify_ctx *c, const psc_verify_obs *o,
			    bool refused, psc_verify_check *k)
{
	char why[256];
	const char *inst = c->proxy_instance[0] ? c->proxy_instance
						: "the backend";
	if (c->proxy_instance[0] && !c->proxy_alive) {
		k->hop = PSC_HOP_PROXY;
		why_dead(c->proxy_proc, c->proxy_pid, why, sizeof(why));
		PSC_APP(k->detail, ": kafka-proxy on %s: %s", inst, why);
		fix_restart(c, "kafka-proxy", c->proxy_instance, NULL, k->fix,
			    sizeof(k->fix));
	} else if (refused) {
		k->hop = c->proxy_instance[0] ? PSC_HOP_PROXY
					      : PSC_HOP_LISTENER;
		PSC_APP(k->detail, ": %s (kafka-proxy) does not listen on "
		    "port %d", inst, o->port);
		PSC_SET(k->fix, "give kafka-proxy a --bootstrap-server-"
		    "mapping listening on 0.0.0.0:%d, or bootstrap "
		    "from a port it listens on", o->port);
	} else {
		k->hop = PSC_HOP_FIREWALL;
		PSC_APP(k->detail, " while PSC endpoint %s is ACCEPTED",
		    c->endpoint);
		PSC_SET(k->fix, "check the producer firewall of %s: an "
		    "INGRESS allow from the PSC NAT range %s (NAT "
		    "address %s) to %s tcp:%d", c->producer_network,
		    c->nat_range, c->nat_ip, inst, o->port);
	}
}

/* a client port no NEG endpoint maps */
static void diag_unmapped(const psc_verify_ctx *c, const psc_verify_obs *o,
			  psc_verify_check *k)
{
	char b1[160], ports[256];
	k->hop = PSC_HOP_LB_MAPPING;
	mapped_ports(c, ports, sizeof(ports));
	PSC_APP(k->detail, ": no NEG endpoint behind load balancer %s maps "
	    "client port %d (mapped: %s), so it drops the connection",
	    c->load_balancer, o->port, ports);
	if (o->expected >= 0)
		PSC_SET(k->fix, "map client port %d to %s:%ld in the NEG, "
		    "or advertise a mapped port for %s", o->port,
		    psc_verify_ctx_broker(c, o->expected)
			? psc_verify_ctx_broker(c, o->expected)->instance
			: "the broker",
		    c->external_listener_port,
		    bname(c, o->expected, b1, sizeof(b1)));
	else
		PSC_SET(k->fix, "bootstrap from the mapped ports (%s), or "
		    "add a NEG endpoint with client_port %d", ports,
		    o->port);
}

/* the NEG maps the port to m: its broker down, no listener on the port,
 * or the firewall */
static void diag_mapped(const psc_verify_ctx *c, const psc_verify_obs *o,
			const psc_verify_map *m, bool refused,
			psc_verify_check *k)
{
	char b1[160], why[256];
	const psc_verify_broker *b = broker_of_instance(c, m->instance);
	PSC_APP(k->detail, ": NEG %s maps client port %d to %s:%d", m->neg,
	    o->port, m->instance, m->port);
	if (b)
		PSC_APP(k->detail, " (broker %ld)", b->node_id);
	if (b && !b->alive) {
		k->hop = PSC_HOP_BROKER_DOWN;
		why_dead(b->proc, b->pid, why, sizeof(why));
		PSC_APP(k->detail, ", and %s", why);
		fix_restart(c, bname(c, b->node_id, b1, sizeof(b1)), b->instance, b->log,
			    k->fix, sizeof(k->fix));
	} else if (refused) {
		k->hop = PSC_HOP_LISTENER;
		PSC_APP(k->detail, ", which %s but does not accept on port %d",
		    b ? "is running" : "holds no broker", m->port);
		PSC_SET(k->fix, "make the NEG endpoint's port the broker's "
		    "external listener port (%ld), or add a listener on "
		    "port %d in %s's server.properties",
		    c->external_listener_port, m->port, m->instance);
	} else {
		k->hop = PSC_HOP_FIREWALL;
		PSC_APP(k->detail, "; PSC endpoint %s is ACCEPTED (the lab's plan), "
		    "so the producer firewall drops the PSC NAT range %s (NAT "
		    "address %s)", c->endpoint, c->nat_range, c->nat_ip);
		if (m->fw_allowed)
			PSC_SET(k->fix, "the topology's rule %s of %s allows "
			    "INGRESS from %s to %s tcp:%d, but the rules in "
			    "effect drop it: check that rule (disabled? "
			    "overridden by a DENY of higher priority?)",
			    m->fw_rule[0] ? m->fw_rule : "?",
			    c->producer_network, c->nat_range, m->instance,
			    m->port);
		else
			PSC_SET(k->fix, "add an INGRESS allow rule to %s from the "
			    "PSC NAT range %s to %s tcp:%d (the seed's "
			    "allow-psc-traffic); today %s%s decides",
			    c->producer_network, c->nat_range, m->instance,
			    m->port, m->fw_rule[0] ? "rule " : "the implied "
			    "deny-ingress rule", m->fw_rule);
	}
}

/* changefeed -> PSC endpoint -> load balancer -> broker (or kafka-proxy) */
/* a fault set on the path (link-down psc, of the changefeed or of the
 * mapped instance; netem loss on one of them) explains a timeout better
 * than the plan's reasoning: the fault named, its undo as the fix */
static bool diag_fault(const psc_verify_ctx *c, const psc_verify_obs *o,
		       psc_verify_check *k)
{
	const psc_verify_map *m = map_of(c, o->port);
	char what[PSC_HOST_LEN * 2 + 64];
	for (size_t i = 0; i < c->n_path_faults; i++) {
		const psc_fault *f = &c->path_faults[i];
		bool psc = strcmp(f->arg[0], "psc") == 0;
		bool mine = strcmp(f->arg[0], o->node) == 0 ||
			    strcmp(f->arg[0], c->changefeed) == 0;
		bool backend = m && strcmp(f->arg[0], m->instance) == 0;
		if (!psc && !mine && !backend)
			continue;
		psc_fault_describe(f, what, sizeof(what));
		k->hop = backend ? PSC_HOP_BROKER_DOWN : PSC_HOP_ENDPOINT;
		PSC_APP(k->detail, ": fault %s (%s) is set: %s", f->id, what,
		    f->kind == PSC_FAULT_NETEM ? "its packets are dropped"
		    : psc ? "the PSC join's links are down"
		    : backend ? "the backend VM's NIC is down"
			      : "the VM's own NIC is down");
		PSC_SET(k->fix, "sudo pscLab fault %s clear %s", c->lab, f->id);
		return true;
	}
	return false;
}

static void diag_path(const psc_verify_ctx *c, const psc_verify_obs *o,
		      psc_verify_check *k)
{
	bool refused = o->sym == PSC_SYM_REFUSED;
	bool named = o->addr[0] && strcmp(o->addr, o->host);
	PSC_SET(k->detail, "connection to %s:%d%s%s%s %s", o->host, o->port,
	    named ? " (" : "", named ? o->addr : "", named ? ")" : "",
	    refused ? "was refused" : "timed out");
	if (!refused && diag_fault(c, o, k))
		return;
	if (c->ep_status != PSC_EP_ACCEPTED) {
		diag_endpoint(c, k);
		return;
	}
	if (c->approach == PSC_APPROACH_PROXY || !c->n_maps) {
		diag_proxy_path(c, o, refused, k);
		return;
	}
	const psc_verify_map *m = map_of(c, o->port);
	if (m)
		diag_mapped(c, o, m, refused, k);
	else
		diag_unmapped(c, o, k);
}

/* bastion-node -> a broker's address, inside the Kafka VPC */
static void diag_direct(const psc_verify_ctx *c, const psc_verify_obs *o,
			psc_verify_check *k)
{
	const char *ip = o->addr[0] ? o->addr : o->host;
	const psc_verify_broker *b = broker_of_ip(c, ip);
	char b1[160], why[256];
	PSC_SET(k->detail, "connection from %s to %s:%d%s%s%s %s", o->node, ip,
	    o->port, b ? " (" : "", b ? b->instance : "", b ? ")" : "",
	    o->sym == PSC_SYM_REFUSED ? "was refused" : "timed out");
	if (b && !b->alive) {
		k->hop = PSC_HOP_BROKER_DOWN;
		why_dead(b->proc, b->pid, why, sizeof(why));
		PSC_APP(k->detail, ": %s: %s",
		    bname(c, b->node_id, b1, sizeof(b1)), why);
		fix_restart(c, bname(c, b->node_id, b1, sizeof(b1)), b->instance, b->log,
			    k->fix, sizeof(k->fix));
	} else if (o->sym == PSC_SYM_REFUSED) {
		k->hop = PSC_HOP_LISTENER;
		PSC_APP(k->detail, ": nothing listens on port %d there", o->port);
		PSC_SET(k->fix, "check the listeners of %s's server.properties "
		    "(a listener on 0.0.0.0:%d)", b ? b->instance : ip,
		    o->port);
	} else {
		k->hop = PSC_HOP_FIREWALL;
		PSC_APP(k->detail, ": the VPC firewall of %s drops it",
		    c->producer_network);
		PSC_SET(k->fix, "allow INGRESS from %s (%s) to %s tcp:%d (the "
		    "seed's kafka-vpc-allow-custom)",
		    c->bastion_subnet_range[0] ? c->bastion_subnet_range
					       : "the bastion's subnet",
		    o->node, b ? b->instance : ip, o->port);
	}
}

static void diag_wrong(const psc_verify_ctx *c, const psc_verify_obs *o,
		       psc_verify_check *k)
{
	char be[160], br[160];
	const psc_verify_broker *xe = psc_verify_ctx_broker(c, o->expected);
	const psc_verify_broker *xr = psc_verify_ctx_broker(c, o->reached);
	k->hop = PSC_HOP_LB_MAPPING;
	bname(c, o->expected, be, sizeof(be));
	bname(c, o->reached, br, sizeof(br));
	PSC_SET(k->detail, "%s:%d (client port %d) reached %s, not %s", o->host,
	    o->port, o->port, br, be);
	if ((c->approach == PSC_APPROACH_PROXY || !c->n_maps) &&
	    c->lb_backends > 1) {
		/* kafka-proxy issue #174: the proxies disagree */
		k->hop = PSC_HOP_PROXY;
		if (o->reached < 0)
			PSC_SET(k->detail, "%s:%d answers as %s on some connections "
			    "and not on others", o->host, o->port, be);
		if (o->detail[0])
			PSC_APP(k->detail, " (%s)", o->detail);
		PSC_APP(k->detail, ": load balancer %s sends each connection to "
		    "one of its %zu kafka-proxies, and they map port %d to "
		    "different brokers (dynamic listeners in each one's own "
		    "discovery order, kafka-proxy issue #174)",
		    c->load_balancer, c->lb_backends, o->port);
		PSC_SET(k->fix, "run one kafka-proxy, as the seed says; or give "
		    "every broker a --bootstrap-server-mapping (identical on "
		    "all proxies); or run kafka-proxy v0.4.x with "
		    "--deterministic-listeners on all of them (kafka_proxy: "
		    "version: v0.4.3, deterministic_listeners: true)");
		return;
	}
	if (c->approach == PSC_APPROACH_PROXY || !c->n_maps) {
		PSC_SET(k->fix, "kafka-proxy's port %d must lead to %s: check "
		    "the --bootstrap-server-mapping whose advertised address "
		    "is %s:%d", o->port, be, o->host, o->port);
		return;
	}
	const psc_verify_map *m = map_of(c, o->port);
	if (m && xe && strcmp(m->instance, xe->instance) == 0) {
		PSC_APP(k->detail, "; NEG %s maps client port %d to %s:%d, but the "
		    "load balancer in effect sends it to %s", m->neg, o->port,
		    m->instance, m->port, xr ? xr->instance : "another VM");
		PSC_SET(k->fix, "the port mapping in effect differs from NEG %s: "
		    "client port %d must lead to %s:%d (broker %ld)", m->neg,
		    o->port, m->instance, m->port, o->expected);
		const psc_verify_map *mr = NULL;
		for (size_t i = 0; xr && i < c->n_maps; i++)
			if (strcmp(c->maps[i].instance, xr->instance) == 0)
				mr = &c->maps[i];
		if (mr)
			PSC_APP(k->fix, ", client port %d to %s:%d (broker %ld)",
			    mr->client_port, mr->instance, mr->port,
			    o->reached);
		PSC_APP(k->fix, "; correct the NEG's endpoints in the topology, "
		    "then pscLab down %s and pscLab up <the topology file>; "
		    "compare with pscLab status %s", c->lab, c->lab);
	} else if (m) {
		PSC_APP(k->detail, "; NEG %s maps client port %d to %s:%d", m->neg,
		    o->port, m->instance, m->port);
		PSC_SET(k->fix, "%s advertises client port %d, which NEG %s maps "
		    "to %s: map client port %d to %s:%ld, or advertise for %s "
		    "the client port that leads to it", be, o->port, m->neg,
		    m->instance, o->port, xe ? xe->instance : "its VM",
		    c->external_listener_port, be);
	} else {
		PSC_SET(k->fix, "map client port %d to %s:%ld in the NEG", o->port,
		    xe ? xe->instance : "the broker's VM",
		    c->external_listener_port);
	}
}

static void diag_missing(const psc_verify_ctx *c, const psc_verify_obs *o,
			 psc_verify_check *k)
{
	char b1[160], why[256];
	const psc_verify_broker *b = psc_verify_ctx_broker(c, o->expected);
	bname(c, o->expected, b1, sizeof(b1));
	PSC_SET(k->detail, "%s of the topology is not in the cluster's metadata",
	    b1);
	if (b && !b->alive) {
		k->hop = PSC_HOP_BROKER_DOWN;
		why_dead(b->proc, b->pid, why, sizeof(why));
		PSC_APP(k->detail, ": %s", why);
		fix_restart(c, b1, b->instance, b->log, k->fix, sizeof(k->fix));
	} else {
		k->hop = PSC_HOP_KAFKA;
		PSC_APP(k->detail, " although %s (not registered with the "
		    "controller, or fenced)", b && b->pid > 0
		    ? "its process is running" : "it may be running");
		PSC_SET(k->fix, "see %s's log%s%s: node.id, "
		    "controller.quorum.voters and its listeners", b1,
		    b && b->log[0] ? " " : "", b ? b->log : "");
	}
}

static void diag_advertised(const psc_verify_ctx *c,
			    const psc_verify_obs *o, psc_verify_check *k)
{
	char b1[160];
	bname(c, o->expected, b1, sizeof(b1));
	k->hop = PSC_HOP_ADVERTISED;
	PSC_SET(k->detail, "%s advertises %s:%d, the topology says %s", b1,
	    o->host, o->port, o->want);
	bool internal = strchr(o->want, ':') &&
			strspn(o->want, "0123456789.:") == strlen(o->want);
	if (c->approach == PSC_APPROACH_PROXY && !internal)
		PSC_SET(k->fix, "kafka-proxy advertises %s: set the advertised "
		    "address of its --bootstrap-server-mapping for %s to %s",
		    o->host, b1, o->want);
	else
		PSC_SET(k->fix, "set advertised.listeners of %s to hold %s "
		    "(%s listener) in its server.properties", b1, o->want,
		    internal ? "the inter-broker" : "the external");
	long other = other_of(c, o->host);
	if (other >= 0)
		other_project_why(c, other, k);
}

/* A request or a produce/consume that failed: a dead broker, or an
 * earlier check's failure, explains it best. */
static void diag_kafka(const psc_verify_ctx *c, const psc_verify_obs *o,
		       const psc_verify_report *prior, psc_verify_check *k)
{
	char b1[160], why[256];
	PSC_SET(k->detail, "%s", o->detail[0] ? o->detail : "the request failed");
	const psc_verify_broker *b = psc_verify_ctx_broker(c, o->expected);
	if (b && !b->alive) {
		k->hop = PSC_HOP_BROKER_DOWN;
		why_dead(b->proc, b->pid, why, sizeof(why));
		PSC_APP(k->detail, "; %s: %s", bname(c, b->node_id, b1,
						 sizeof(b1)), why);
		fix_restart(c, b1, b->instance, b->log, k->fix, sizeof(k->fix));
		return;
	}
	char dead[512] = "";
	const psc_verify_broker *d1 = NULL;
	for (size_t i = 0; i < c->n_brokers; i++)
		if (!c->brokers[i].alive) {
			if (!d1)
				d1 = &c->brokers[i];
			psc_appendf(dead, sizeof(dead), "%s%s", dead[0] ? ", " : "",
			    bname(c, c->brokers[i].node_id, b1, sizeof(b1)));
		}
	if (d1) {
		k->hop = PSC_HOP_BROKER_DOWN;
		PSC_APP(k->detail, "; not running: %s", dead);
		fix_restart(c, dead, d1->instance, d1->log, k->fix, sizeof(k->fix));
		return;
	}
	/* the broker said no: an ACL explains it better than an earlier
	 * check's failure */
	if (strstr(o->error, "AUTHORIZATION_FAILED") ||
	    strstr(o->detail, "AUTHORIZATION_FAILED") ||
	    strstr(o->error, "not authorized")) {
		k->hop = PSC_HOP_KAFKA;
		PSC_SET(k->fix, "an ACL denies the changefeed this request (on "
		    "the brokers its principal comes from the PSC NAT "
		    "address): 'kafka-acls.sh --list' on a broker shows them; "
		    "allow it, or remove the DENY");
		return;
	}
	/* an earlier failure about the same broker, else any earlier one */
	const psc_verify_check *cause = NULL;
	for (size_t i = 0; prior && i < prior->n; i++) {
		const psc_verify_check *p = &prior->checks[i];
		if (p->status != PSC_VERIFY_FAIL || p->hop == PSC_HOP_KAFKA ||
		    p->hop == PSC_HOP_VERIFY || p->hop == PSC_HOP_NONE)
			continue;
		if (o->expected >= 0 && p->broker == o->expected) {
			cause = p;
			break;
		}
		if (!cause)
			cause = p;
	}
	if (cause) {
		k->hop = cause->hop;
		PSC_APP(k->detail, "; this follows from '%s' (%s)", cause->name,
		    psc_verify_hop_title(cause->hop));
		PSC_SET(k->fix, "%s", cause->fix);
		return;
	}
	k->hop = PSC_HOP_KAFKA;
	PSC_SET(k->fix, "the cluster answered with an error: see the brokers' "
	    "logs");
	for (size_t i = 0, n = 0; i < c->n_brokers && n < 3; i++)
		if (c->brokers[i].log[0]) {
			PSC_APP(k->fix, "%s %s", n++ ? "," : "",
			    c->brokers[i].log);
		}
}

/* A response handed out a broker's own address.  Whether that breaks the
 * changefeed depends on its client library: TiCDC's Kafka sink (franz-go
 * by default in pingcap/ticdc, Sarama with kafka-client=sarama and in
 * tiflow's TiCDC) learns broker addresses from Metadata only -- its admin
 * client's "describe cluster" is a Metadata request in both libraries --
 * and, producing only, sends no FindCoordinator.  So Metadata fails;
 * DescribeCluster and FindCoordinator warn (another client, e.g. Kafka's
 * Java AdminClient, would be handed an address it cannot reach). */
static void diag_leaked(const psc_verify_ctx *c, const psc_verify_obs *o,
			psc_verify_check *k)
{
	bool used = strcmp(o->api, "Metadata") == 0;
	char be[160];
	k->status = used ? PSC_VERIFY_FAIL : PSC_VERIFY_WARN;
	k->hop = c->approach == PSC_APPROACH_PROXY ? PSC_HOP_PROXY
						   : PSC_HOP_ADVERTISED;
	bname(c, o->expected, be, sizeof(be));
	PSC_SET(k->detail, "%s names %s at %s:%d, not a name of %s: the "
	    "changefeed cannot reach that address through PSC", o->api, be,
	    o->host, o->port, c->domain[0] ? c->domain : "the advertised "
	    "domain");
	if (o->detail[0])
		PSC_APP(k->detail, " (%s)", o->detail);
	if (used)
		PSC_APP(k->detail, "; TiCDC's Kafka sink takes broker addresses "
		    "from Metadata, so the changefeed fails");
	else
		PSC_APP(k->detail, "; TiCDC's Kafka sink (franz-go or Sarama) "
		    "does not use %s, so the changefeed works, but a client "
		    "that does is handed an address it cannot reach", o->api);
	if (c->approach == PSC_APPROACH_PROXY)
		PSC_SET(k->fix, "%s", strcmp(o->api, "DescribeCluster") == 0
		    ? "kafka-proxy does not rewrite DescribeCluster (API key "
		      "60; kafka-proxy PR #212 is open): keep clients on "
		      "Metadata, or use the port-mapping way, where the "
		      "brokers advertise the names themselves"
		    : "kafka-proxy rewrites this response: check its "
		      "--bootstrap-server-mapping and "
		      "--dynamic-advertised-listener for this broker");
	else
		PSC_SET(k->fix, "advertise the EXTERNAL listener of %s with the "
		    "advertised listener pattern (advertised.listeners)", be);
	long other = other_of(c, o->host);
	if (other >= 0)
		other_project_why(c, other, k);
}

/* what to change for a step of TiCDC's changefeed creation (obs.api) */
static const struct {
	const char *step, *fix;
} cdc_fixes[] = {
	{"api_versions", "make the bootstrap addresses answer (see the "
	 "bootstrap checks): TiCDC then picks the Kafka version from the "
	 "cluster instead of assuming 2.0.0"},
	{"client", "every bootstrap address failed: fix the path the "
	 "bootstrap checks name (DNS, PSC endpoint, firewall, load balancer "
	 "mapping), then create the changefeed again"},
	{"topic", "let the changefeed describe its topic: an ACL that denies "
	 "Describe (kafka-acls.sh --list on a broker) makes TiCDC take the "
	 "topic as missing and fail to create or use it; else see the "
	 "brokers' logs"},
	{"max_message_bytes", "let the controller answer DescribeConfigs for "
	 "message.max.bytes (an ACL or a proxy that drops the request "
	 "hides it), or set max-message-bytes in the changefeed to what the "
	 "brokers accept"},
	{"replication_factor", "give the changefeed a replication factor of "
	 "at least the brokers' min.insync.replicas (TiDB Cloud: the Kafka "
	 "sink's replication factor), or lower min.insync.replicas on the "
	 "brokers"},
	{"create_topic", "the brokers refused to create the topic, for the "
	 "reason above (a replication factor above the number of brokers, an "
	 "ACL, a bad partition count): correct the changefeed's settings, "
	 "or create the topic beforehand"},
};

/* create_topic, passed by TiCDC on an authorization failure */
static const char cdc_broken_fix[] =
	"allow the changefeed's principal to Describe and Write its topic "
	"(and Create, or create the topic beforehand): kafka-acls.sh --list "
	"on a broker shows the ACLs that deny it";

/* A step of TiCDC's changefeed creation that warned or refused: what it
 * saw, the error the changefeed shows, and the fix. */
static void diag_cdc(const psc_verify_obs *o, psc_verify_check *k)
{
	bool refused = o->sym == PSC_SYM_CDC_REFUSED;
	bool broken = o->sym == PSC_SYM_CDC_BROKEN;
	k->status = refused || broken ? PSC_VERIFY_FAIL : PSC_VERIFY_WARN;
	k->hop = PSC_HOP_KAFKA;
	PSC_SET(k->detail, "%s", o->detail);
	if (refused)
		PSC_APP(k->detail, "; the changefeed is not created, TiDB Cloud "
		    "shows: %s", o->error[0] ? o->error : "(no error text)");
	if (broken)
		PSC_APP(k->detail, "; TiDB Cloud shows the changefeed created, "
		    "then failed with: %s",
		    o->error[0] ? o->error : "(no error text)");
	for (size_t i = 0; i < sizeof(cdc_fixes) / sizeof(cdc_fixes[0]); i++)
		if (strcmp(cdc_fixes[i].step, o->api) == 0)
			PSC_SET(k->fix, "%s", broken ? cdc_broken_fix
						     : cdc_fixes[i].fix);
	if (!k->fix[0])
		PSC_SET(k->fix, "see the brokers' logs");
}

void psc_verify_diagnose(const psc_verify_ctx *c, const psc_verify_obs *o,
			 const psc_verify_report *prior, psc_verify_check *out)
{
	memset(out, 0, sizeof(*out));
	PSC_SET(out->node, "%s", o->node);
	PSC_SET(out->name, "%s", o->name);
	out->ms = o->ms;
	out->broker = o->expected;
	out->hop = PSC_HOP_NONE;
	switch (o->sym) {
	case PSC_SYM_OK:
		out->status = PSC_VERIFY_PASS;
		PSC_SET(out->detail, "%s", o->detail);
		return;
	case PSC_SYM_SKIPPED:
		out->status = PSC_VERIFY_SKIP;
		PSC_SET(out->detail, "%s", o->detail[0] ? o->detail : "not run");
		return;
	default:
		break;
	}
	out->status = PSC_VERIFY_FAIL;
	bool bastion = c->bastion[0] && strcmp(o->node, c->bastion) == 0;
	switch (o->sym) {
	case PSC_SYM_UNRESOLVED:
	case PSC_SYM_RESOLVED_ELSEWHERE:
		diag_dns(c, o, out);
		break;
	case PSC_SYM_TIMEOUT:
	case PSC_SYM_REFUSED:
		if (bastion)
			diag_direct(c, o, out);
		else
			diag_path(c, o, out);
		break;
	case PSC_SYM_WRONG_BROKER:
		diag_wrong(c, o, out);
		break;
	case PSC_SYM_MISSING:
		diag_missing(c, o, out);
		break;
	case PSC_SYM_ADVERTISED:
		diag_advertised(c, o, out);
		break;
	case PSC_SYM_LEAKED:
		diag_leaked(c, o, out);
		break;
	case PSC_SYM_CDC_WARNED:
	case PSC_SYM_CDC_REFUSED:
	case PSC_SYM_CDC_BROKEN:
		diag_cdc(o, out);
		return;    /* the CDC error is in the detail already */
	case PSC_SYM_DEGRADED:
		out->status = PSC_VERIFY_WARN;
		out->hop = PSC_HOP_BROKER_DOWN;
		PSC_SET(out->detail, "%s", o->detail);
		PSC_SET(out->fix, "a broker named above is down or behind: see "
		    "pscLab status %s (its process) and pscLab logs %s "
		    "<broker node>; pscLab restart %s <broker node> starts a "
		    "stopped one", c->lab, c->lab, c->lab);
		return;
	case PSC_SYM_INTERNAL:
		out->hop = PSC_HOP_VERIFY;
		PSC_SET(out->detail, "%s", o->detail[0] ? o->detail
			: "verify could not run this check");
		PSC_SET(out->fix, "not a finding about the lab: run pscLab verify "
		    "%s again as root; if it persists, report it", c->lab);
		break;
	default:
		diag_kafka(c, o, prior, out);
		break;
	}
	if (o->error[0] && out->hop != PSC_HOP_VERIFY)
		PSC_APP(out->detail, " [client: %s]", o->error);
}

/* ---- observations over the pipe ---- */

void psc_verify_obs_init(psc_verify_obs *o, const char *node,
			 const char *name)
{
	memset(o, 0, sizeof(*o));
	PSC_SET(o->node, "%s", node ? node : "");
	PSC_SET(o->name, "%s", name ? name : "");
	o->expected = -1;
	o->reached = -1;
}

int psc_verify_obs_json(const psc_verify_obs *o, char *out, size_t len)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:I, s:I, "
			      "s:s, s:s, s:s}", "node", o->node, "name",
			      o->name, "sym", psc_verify_symptom_name(o->sym),
			      "ms", (json_int_t)o->ms, "host", o->host, "port",
			      o->port, "addr", o->addr, "expected",
			      (json_int_t)o->expected, "reached",
			      (json_int_t)o->reached, "want", o->want, "error",
			      o->error, "detail", o->detail);
	if (j && o->api[0])
		json_object_set_new(j, "api", json_string(o->api));
	if (!j)
		return -1;
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return -1;
	size_t n = strlen(s);
	int rc = n < len ? 0 : -1;
	if (rc == 0)
		memcpy(out, s, n + 1);
	free(s);
	return rc;
}

static void jstr(json_t *j, const char *key, char *out, size_t len)
{
	const char *v = json_string_value(json_object_get(j, key));
	snprintf(out, len, "%s", v ? v : "");
}

static long jint(json_t *j, const char *key, long dflt)
{
	json_t *v = json_object_get(j, key);
	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

int psc_verify_obs_parse(const char *line, psc_verify_obs *o, char *err,
			 size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(line, 0, &je);
	psc_verify_obs_init(o, NULL, NULL);
	if (!j || !json_is_object(j)) {
		snprintf(err, errlen, "not a JSON object: %s",
			 j ? "another value" : je.text);
		json_decref(j);
		return -1;
	}
	const char *sym = json_string_value(json_object_get(j, "sym"));
	if (!sym || psc_verify_symptom_parse(sym, &o->sym) < 0 ||
	    !json_is_string(json_object_get(j, "name"))) {
		snprintf(err, errlen, "no name or no known \"sym\" (%s)",
			 sym ? sym : "absent");
		json_decref(j);
		return -1;
	}
	jstr(j, "node", o->node, sizeof(o->node));
	jstr(j, "name", o->name, sizeof(o->name));
	jstr(j, "host", o->host, sizeof(o->host));
	jstr(j, "addr", o->addr, sizeof(o->addr));
	jstr(j, "want", o->want, sizeof(o->want));
	jstr(j, "api", o->api, sizeof(o->api));
	jstr(j, "error", o->error, sizeof(o->error));
	jstr(j, "detail", o->detail, sizeof(o->detail));
	o->ms = jint(j, "ms", 0);
	o->port = (int)jint(j, "port", 0);
	o->expected = jint(j, "expected", -1);
	o->reached = jint(j, "reached", -1);
	json_decref(j);
	return 0;
}

/* ---- the leak watch ---- */

static long long leak_packets(const psc_nft_leak *l, size_t n,
			      const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].addr, addr) == 0)
			return l[i].packets;
	return 0;
}

void psc_verify_leak_check(const psc_verify_ctx *c,
			   const psc_nft_leak *before, size_t n_before,
			   const psc_nft_leak *after, size_t n_after,
			   psc_verify_check *out)
{
	memset(out, 0, sizeof(*out));
	PSC_SET(out->node, "%s", c->changefeed);
	PSC_SET(out->name, "%s: every packet went to the PSC endpoint (leak "
	    "watch)", c->changefeed);
	out->broker = -1;
	out->status = PSC_VERIFY_PASS;
	long long fresh = 0, old = 0;
	char list[PSC_VERIFY_TEXT_LEN] = "";
	for (size_t i = 0; i < n_after; i++) {
		const psc_nft_leak *l = &after[i];
		long long d = l->packets - leak_packets(before, n_before,
							 l->addr);
		if (d > 0)
			fresh += d;
		else
			old += l->packets;
		const char *who = NULL;
		for (size_t b = 0; b < c->n_brokers; b++)
			if (strcmp(c->brokers[b].ip, l->addr) == 0) {
				who = c->brokers[b].instance;
				if (out->broker < 0)
					out->broker = c->brokers[b].node_id;
			}
		psc_appendf(list, sizeof(list), "%s%s (%s): %lld packet%s%s",
			    i ? "; " : "", l->addr,
			    who ? who : "no broker of the lab", l->packets,
			    l->packets == 1 ? "" : "s",
			    d > 0 ? " during this verify" : ", before it");
	}
	if (!fresh && !old) {
		PSC_SET(out->detail, "no packet from %s's VPC left toward an "
		    "address outside it (counted in %s)", c->changefeed,
		    c->consumer_router_ns);
		return;
	}
	out->status = fresh ? PSC_VERIFY_FAIL : PSC_VERIFY_WARN;
	out->hop = PSC_HOP_ADVERTISED;
	PSC_SET(out->detail, "%s's VPC sent packets toward addresses that are "
	    "not its PSC endpoint %s: %s. A client there dialed a broker's "
	    "own address, which it can only have learned from a response "
	    "that was not rewritten to the advertised names", c->changefeed,
	    c->endpoint_ip, list);
	PSC_SET(out->fix, "%s", c->approach == PSC_APPROACH_PROXY
	    ? "kafka-proxy rewrites only Metadata and FindCoordinator: keep "
	      "the changefeed on APIs it rewrites (no DescribeCluster, no "
	      "KIP-951 leader hints: see README, kafka-proxy), or use the "
	      "port-mapping way, where the brokers advertise the names "
	      "themselves"
	    : "every broker must advertise its EXTERNAL listener with the "
	      "advertised listener pattern; check advertised.listeners of the "
	      "broker named above");
}

/* ---- the report ---- */

void psc_verify_report_init(psc_verify_report *r, const char *lab)
{
	memset(r, 0, sizeof(*r));
	PSC_SET(r->lab, "%s", lab ? lab : "");
}

int psc_verify_report_add(psc_verify_report *r, const psc_verify_check *c)
{
	if (r->n >= PSC_VERIFY_MAX_CHECKS)
		return -1;
	r->checks[r->n++] = *c;
	switch (c->status) {
	case PSC_VERIFY_PASS: r->n_pass++; break;
	case PSC_VERIFY_FAIL: r->n_fail++; break;
	case PSC_VERIFY_SKIP: r->n_skip++; break;
	case PSC_VERIFY_WARN: r->n_warn++; break;
	}
	return 0;
}

void psc_verify_report_put(psc_verify_report *r, const psc_verify_check *c)
{
	if (psc_verify_report_add(r, c) == 0 || r->n == 0)
		return;
	/* full: the last line says so */
	psc_verify_check *l = &r->checks[r->n - 1];
	if (l->status != PSC_VERIFY_FAIL) {
		r->n_fail++;
		if (l->status == PSC_VERIFY_PASS)
			r->n_pass--;
		else if (l->status == PSC_VERIFY_WARN)
			r->n_warn--;
		else
			r->n_skip--;
	}
	l->status = PSC_VERIFY_FAIL;
	l->hop = PSC_HOP_VERIFY;
	psc_setf(l->detail, sizeof(l->detail), "more than %d checks: the "
	    "rest is not reported", PSC_VERIFY_MAX_CHECKS);
}

int psc_verify_exit_code(int run_rc, const psc_verify_report *r)
{
	if (run_rc != 0)
		return r && r->no_such_lab ? 2 : 1;
	return r->n_fail || !r->n || (r->strict && r->n_warn) ? 1 : 0;
}

int psc_verify_print_text(const psc_verify_report *r, FILE *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const psc_verify_check *c = &r->checks[i];
		fprintf(out, "%s %s (%ld ms)\n", psc_verify_status_name(c->status),
			c->name, c->ms);
		if (c->status == PSC_VERIFY_FAIL ||
		    c->status == PSC_VERIFY_WARN) {
			fprintf(out, "     hop: %s\n", psc_verify_hop_title(c->hop));
			fprintf(out, "     what: %s\n", c->detail);
			if (c->fix[0])
				fprintf(out, "     fix: %s\n", c->fix);
		} else if (c->status == PSC_VERIFY_SKIP) {
			fprintf(out, "     %s\n", c->detail);
		}
	}
	const char *verdict = r->n_fail || !r->n ? "FAILED"
			      : r->n_warn && r->strict ? "FAILED (warnings, --strict)"
			      : r->n_warn ? "green with warnings" : "all green";
	fprintf(out, "verify %s: %s, %zu passed, ", r->lab, verdict, r->n_pass);
	if (r->n_warn)
		fprintf(out, "%zu warned, ", r->n_warn);
	fprintf(out, "%zu failed, %zu skipped in %ld ms\n", r->n_fail,
		r->n_skip, r->total_ms);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int psc_verify_print_json(const psc_verify_report *r, FILE *out)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const psc_verify_check *c = &r->checks[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}",
				      "node", c->node, "name", c->name,
				      "status", psc_verify_status_name(c->status),
				      "ms", (json_int_t)c->ms, "hop",
				      psc_verify_hop_name(c->hop), "detail",
				      c->detail, "fix", c->fix);
		if (o && c->broker >= 0)
			json_object_set_new(o, "broker",
					    json_integer(c->broker));
		json_array_append_new(a, o);
	}
	json_t *doc = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:o}",
				"lab", r->lab, "ok",
				psc_verify_exit_code(0, r) == 0,
				"passed", (json_int_t)r->n_pass, "warned",
				(json_int_t)r->n_warn, "failed",
				(json_int_t)r->n_fail, "skipped",
				(json_int_t)r->n_skip, "ms",
				(json_int_t)r->total_ms, "topic", r->topic,
				"checks", a);
	if (!doc)
		return -1;
	int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	fputc('\n', out);
	return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* XML 1.0 text or attribute value: the five entities, newlines kept in
 * text and written &#10; in attributes, other control characters
 * (not allowed in XML 1.0) as '?' */
static void xml(FILE *out, const char *s, bool attr)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs(attr ? "&quot;" : "\"", out); break;
		case '\'': fputs(attr ? "&apos;" : "'", out); break;
		case '\n': fputs(attr ? "&#10;" : "\n", out); break;
		case '\t': fputs(attr ? "&#9;" : "\t", out); break;
		case '\r': fputs("&#13;", out); break;
		default: fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
		}
	}
}

int psc_verify_print_junit(const psc_verify_report *r, FILE *out)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"pscLab verify\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
		"time=\"%.3f\">\n", r->n, r->n_fail, r->n_skip,
		(double)r->total_ms / 1000.0);
	fputs("  <testsuite name=\"pscLab verify ", out);
	xml(out, r->lab, true);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\" time=\"%.3f\">\n", r->n, r->n_fail, r->n_skip,
		(double)r->total_ms / 1000.0);
	for (size_t i = 0; i < r->n; i++) {
		const psc_verify_check *c = &r->checks[i];
		fputs("    <testcase classname=\"pscLab.verify.", out);
		xml(out, r->lab, true);
		fputc('.', out);
		xml(out, c->node, true);
		fputs("\" name=\"", out);
		xml(out, c->name, true);
		fprintf(out, "\" time=\"%.3f\"", (double)c->ms / 1000.0);
		if (c->status == PSC_VERIFY_PASS) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n", out);
		if (c->status == PSC_VERIFY_WARN) {
			/* passes in JUnit; the warning is its output */
			fputs("      <system-out>WARN ", out);
			xml(out, psc_verify_hop_title(c->hop), false);
			fputs(": ", out);
			xml(out, c->detail, false);
			if (c->fix[0]) {
				fputs("\nfix: ", out);
				xml(out, c->fix, false);
			}
			fputs("</system-out>\n", out);
		} else if (c->status == PSC_VERIFY_SKIP) {
			fputs("      <skipped message=\"", out);
			xml(out, c->detail, true);
			fputs("\"/>\n", out);
		} else {
			fputs("      <failure type=\"", out);
			xml(out, psc_verify_hop_name(c->hop), true);
			fputs("\" message=\"", out);
			xml(out, psc_verify_hop_title(c->hop), true);
			fputs(": ", out);
			xml(out, c->detail, true);
			fputs("\">", out);
			xml(out, "hop: ", false);
			xml(out, psc_verify_hop_title(c->hop), false);
			fputs("\nwhat: ", out);
			xml(out, c->detail, false);
			if (c->fix[0]) {
				fputs("\nfix: ", out);
				xml(out, c->fix, false);
			}
			fputs("</failure>\n", out);
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int psc_verify_write_junit(const psc_verify_report *r, const char *path,
			   char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0) {
		if (psc_verify_print_junit(r, stdout) < 0) {
			snprintf(err, errlen, "cannot write JUnit XML to "
				 "stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		return -1;
	}
	int rc = psc_verify_print_junit(r, f);
	int e = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc < 0) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}
