/* plan.c - the lab plan computed from a topology (see plan.h). Pure. */
#define _POSIX_C_SOURCE 200809L
#include "plan/plan.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/addr.h"

#define TRANSIT_PSC_BASE 0xa9fe0000u    /* 169.254.0.0: router <-> psc */
#define TRANSIT_PROBE_BASE 0xa9fe0100u  /* 169.254.1.0: router <-> probes */

const char *psc_ep_status_name(psc_ep_status s)
{
	switch (s) {
	case PSC_EP_ACCEPTED: return "ACCEPTED";
	case PSC_EP_PENDING: return "PENDING";
	case PSC_EP_REJECTED: return "REJECTED";
	}
	return "?";
}

uint32_t psc_plan_backend_mark(size_t l, size_t b)
{
	return PSC_IG_MARK_BASE + (uint32_t)(l * PSC_MAX_INSTANCES + b);
}

uint32_t psc_plan_backend_table(size_t l, size_t b)
{
	return PSC_IG_TABLE_BASE + (uint32_t)(l * PSC_MAX_INSTANCES + b);
}

int psc_plan_ns_index(const psc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_ns; i++)
		if (strcmp(p->ns[i].name, name) == 0)
			return (int)i;
	return -1;
}

const psc_plan_vm *psc_plan_vm_by_name(const psc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_vms; i++)
		if (strcmp(p->vms[i].in->name, name) == 0)
			return &p->vms[i];
	return NULL;
}

/* bounded copy that tolerates a source inside the plan itself */
static void copy_ifname(char *dst, const char *src)
{
	size_t n = strnlen(src, PSC_IFNAME_LEN - 1);
	memmove(dst, src, n);
	dst[n] = '\0';
}

static int add_ns(psc_plan *p, psc_ns_kind kind, const char *object,
		  const char *fmt_suffix, char *err, size_t errlen)
{
	if (p->n_ns >= PSC_PLAN_MAX_NS) {
		snprintf(err, errlen, "too many namespaces");
		return -1;
	}
	psc_plan_ns *ns = &p->ns[p->n_ns];
	size_t pre = psc_plan_ns_prefix(p->lab, ns->name);
	int n = snprintf(ns->name + pre, sizeof(ns->name) - pre, "%s",
			 fmt_suffix);
	if (n < 0 || (size_t)n >= sizeof(ns->name) - pre) {
		snprintf(err, errlen, "namespace name for '%s' too long",
			 fmt_suffix);
		return -1;
	}
	if (psc_plan_ns_index(p, ns->name) >= 0) {
		snprintf(err, errlen, "two namespaces would be named '%s'",
			 ns->name);
		return -1;
	}
	ns->kind = kind;
	ns->object = object;
	ns->forwarding = kind == PSC_NS_ROUTER || kind == PSC_NS_PSC;
	return (int)p->n_ns++;
}

static int add_link(psc_plan *p, int a_ns, const char *a_if, uint32_t a_ip,
		    uint8_t a_len, int b_ns, const char *b_if, uint32_t b_ip,
		    uint8_t b_len)
{
	if (p->n_links >= PSC_PLAN_MAX_LINKS)
		return -1;
	psc_plan_link *l = &p->links[p->n_links++];
	l->a = (psc_plan_end){.ns = a_ns, .addr = a_ip, .plen = a_len};
	l->b = (psc_plan_end){.ns = b_ns, .addr = b_ip, .plen = b_len};
	copy_ifname(l->a.ifname, a_if);
	copy_ifname(l->b.ifname, b_if);
	return 0;
}

static int add_addr(psc_plan *p, int ns, const char *ifname, uint32_t ip,
		    uint8_t plen)
{
	if (p->n_addrs >= PSC_PLAN_MAX_ADDRS)
		return -1;
	psc_plan_addr *a = &p->addrs[p->n_addrs++];
	a->ns = ns;
	a->addr = ip;
	a->plen = plen;
	copy_ifname(a->ifname, ifname);
	return 0;
}

static int add_route(psc_plan *p, int ns, uint32_t dst, uint8_t plen,
		     uint32_t via, const char *ifname, uint32_t table)
{
	if (p->n_routes >= PSC_PLAN_MAX_ROUTES)
		return -1;
	psc_plan_route *r = &p->routes[p->n_routes++];
	r->ns = ns;
	r->dst = dst;
	r->plen = plen;
	r->via = via;
	r->table = table;
	copy_ifname(r->ifname, ifname);
	return 0;
}

static int network_index(const psc_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_networks; i++)
		if (strcmp(t->networks[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* GCP's connection preference for one endpoint (rows 7-8) */
static void endpoint_status(const psc_topology *t, psc_plan_endpoint *e,
			    size_t earlier_same_project)
{
	psc_network *net = psc_find_network((psc_topology *)t,
					    e->ep->network);
	const char *project = net ? net->project : "";
	const psc_service_attachment *sa = e->sa;
	bool rejected = false, listed = false;
	long limit = 0;

	for (size_t i = 0; i < sa->n_consumer_reject_lists; i++)
		if (strcmp(sa->consumer_reject_lists[i], project) == 0)
			rejected = true;
	for (size_t i = 0; i < sa->n_consumer_accept_lists; i++)
		if (strcmp(sa->consumer_accept_lists[i].project, project) ==
		    0) {
			listed = true;
			limit = sa->consumer_accept_lists[i].connection_limit;
		}
	if (rejected) {
		e->status = PSC_EP_REJECTED;
		snprintf(e->reason, sizeof(e->reason),
			 "project %s is on the reject list of %s%s", project,
			 sa->name, listed ? " (and on its accept list)" : "");
	} else if (strcmp(sa->connection_preference, "ACCEPT_AUTOMATIC") ==
		   0) {
		e->status = PSC_EP_ACCEPTED;
	} else if (!listed) {
		e->status = PSC_EP_PENDING;
		snprintf(e->reason, sizeof(e->reason),
			 "project %s is not on the accept list of %s", project,
			 sa->name);
	} else if ((long)earlier_same_project >= limit) {
		e->status = PSC_EP_PENDING;
		snprintf(e->reason, sizeof(e->reason),
			 "project %s is over its connection limit %ld on %s",
			 project, limit, sa->name);
	} else {
		e->status = PSC_EP_ACCEPTED;
	}
}

static int plan_vms(const psc_topology *t, psc_plan *p, char *err,
		    size_t errlen)
{
	char ifname[PSC_IFNAME_LEN];
	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		psc_plan_vm *vm = &p->vms[p->n_vms];
		psc_cidr c;
		psc_subnet *s = psc_find_subnet((psc_topology *)t,
						in->subnetwork, NULL);
		int net = network_index(t, in->network);
		if (!s || net < 0 ||
		    psc_cidr_parse(s->ip_cidr_range, &c, err, errlen) < 0 ||
		    psc_instance_ip(t, in, &vm->ip) < 0) {
			snprintf(err, errlen,
				 "instance '%s': no address (run pscLab lint)",
				 in->name);
			return -1;
		}
		vm->in = in;
		vm->network = net;
		vm->router_ns = p->router_ns[net];
		vm->gw = psc_subnet_gateway(&c);
		vm->ns = add_ns(p, PSC_NS_VM, in->name, in->name, err, errlen);
		if (vm->ns < 0)
			return -1;
		/* router-side name: v<index>, unique within the router
		 * (v0..v4095: PSC_MAX_INSTANCES fits IFNAMSIZ) */
		snprintf(ifname, sizeof(ifname), "v%u", (unsigned)i);
		snprintf(vm->router_if, sizeof(vm->router_if), "%s", ifname);
		if (add_link(p, vm->ns, "eth0", vm->ip, 32, vm->router_ns,
			     ifname, vm->gw, 32) < 0 ||
		    add_route(p, vm->ns, vm->gw, 32, 0, "eth0", 0) < 0 ||
		    add_route(p, vm->ns, 0, 0, vm->gw, "eth0", 0) < 0 ||
		    add_route(p, vm->router_ns, vm->ip, 32, 0, ifname, 0) < 0) {
			snprintf(err, errlen, "plan too large");
			return -1;
		}
		p->n_vms++;
	}
	return 0;
}

static int plan_lbs(const psc_topology *t, psc_plan *p, char *err,
		    size_t errlen)
{
	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		psc_plan_lb *pl = &p->lbs[p->n_lbs];
		int net = network_index(t, lb->network);
		if (net < 0 || psc_load_balancer_ip(t, lb, &pl->vip) < 0) {
			snprintf(err, errlen, "load balancer '%s': no address",
				 lb->name);
			return -1;
		}
		pl->lb = lb;
		pl->router_ns = p->router_ns[net];
		pl->hc = lb->health_check[0]
				 ? psc_find_health_check((psc_topology *)t,
							 lb->health_check)
				 : NULL;
		pl->neg = lb->n_backends > 0 &&
			  psc_find_neg((psc_topology *)t, lb->backends[0]);
		for (size_t b = 0; !pl->neg && b < lb->n_backends; b++) {
			psc_instance_group *ig = psc_find_instance_group(
				(psc_topology *)t, lb->backends[b]);
			for (size_t m = 0; ig && m < ig->n_instances; m++) {
				const psc_plan_vm *vm = psc_plan_vm_by_name(
					p, ig->instances[m]);
				if (!vm || pl->n_backends >= PSC_MAX_INSTANCES)
					continue;
				size_t k = (size_t)(vm - p->vms);
				pl->backend_vm[pl->n_backends] = (int)k;
				/* the guest agent's local route for the VIP */
				add_addr(p, vm->ns, "lo", pl->vip, 32);
				/* per-backend table for the LB's choice, and
				 * the main table's default: the first one */
				uint32_t table = psc_plan_backend_table(
					p->n_lbs, pl->n_backends);
				add_route(p, pl->router_ns, pl->vip, 32, 0,
					  vm->router_if, table);
				p->rules[p->n_rules++] = (psc_plan_rule){
					pl->router_ns,
					psc_plan_backend_mark(p->n_lbs,
							      pl->n_backends),
					table};
				if (pl->n_backends == 0)
					add_route(p, pl->router_ns, pl->vip,
						  32, 0, vm->router_if, 0);
				pl->n_backends++;
			}
		}
		p->n_lbs++;
	}
	return 0;
}

/* endpoint e of ep: its service attachment, load balancer, addresses, its
 * NAT address (one per endpoint, first usable upward) and status; *c the
 * NAT subnet, *cnet and *pnet the consumer's and producer's networks */
static int endpoint_resolve(const psc_topology *t, psc_plan *p,
			    psc_plan_endpoint *e, const psc_endpoint *ep,
			    psc_cidr *c, int *cnet, int *pnet, char *err,
			    size_t errlen)
{
	size_t same_sa = 0, same_project = 0;
	e->ep = ep;
	e->sa = psc_find_service_attachment((psc_topology *)t, ep->target);
	e->lb = e->sa ? psc_find_load_balancer((psc_topology *)t,
					       e->sa->target)
		      : NULL;
	psc_subnet *nat = e->sa && e->sa->n_nat_subnets
				  ? psc_find_subnet((psc_topology *)t,
						    e->sa->nat_subnets[0], NULL)
				  : NULL;
	*cnet = network_index(t, ep->network);
	*pnet = e->lb ? network_index(t, e->lb->network) : -1;
	if (!e->lb || !nat || *cnet < 0 || *pnet < 0 ||
	    psc_endpoint_ip(t, ep, &e->ip) < 0 ||
	    psc_load_balancer_ip(t, e->lb, &e->vip) < 0 ||
	    psc_cidr_parse(nat->ip_cidr_range, c, err, errlen) < 0) {
		snprintf(err, errlen, "PSC endpoint '%s': incomplete (run "
			 "pscLab lint)", ep->name);
		return -1;
	}
	const psc_network *cn = &t->networks[*cnet];
	for (size_t j = 0; j < p->n_eps; j++) {
		if (p->eps[j].sa == e->sa)
			same_sa++;
		psc_network *jn = psc_find_network((psc_topology *)t,
						   p->eps[j].ep->network);
		if (p->eps[j].sa == e->sa && jn &&
		    strcmp(jn->project, cn->project) == 0 &&
		    p->eps[j].status == PSC_EP_ACCEPTED)
			same_project++;
	}
	e->nat_ip = c->net + 2 + (uint32_t)same_sa;
	if (!psc_cidr_contains(c, e->nat_ip) ||
	    psc_subnet_reserved(c, e->nat_ip)) {
		snprintf(err, errlen, "NAT subnet '%s' is exhausted",
			 nat->name);
		return -1;
	}
	endpoint_status(t, e, same_project);
	e->consumer_router_ns = p->router_ns[*cnet];
	e->producer_router_ns = p->router_ns[*pnet];
	return 0;
}

/* network n's router joined to the PSC namespace (once): psc0 on the
 * router, r<n> in psc, a /30 of the transit range; psc_side[n] the psc end */
static int join_psc(psc_plan *p, int n, bool *joined, uint32_t *psc_side,
		    char *err, size_t errlen)
{
	char ifname[PSC_IFNAME_LEN];
	if (joined[n])
		return 0;
	joined[n] = true;
	uint32_t base = TRANSIT_PSC_BASE + 4u * (uint32_t)n;
	psc_side[n] = base + 2;
	snprintf(ifname, sizeof(ifname), "r%u", (unsigned)n % 1000u);
	if (add_link(p, p->router_ns[n], "psc0", base + 1, 30, p->psc_ns,
		     ifname, base + 2, 30) < 0) {
		snprintf(err, errlen, "plan too large");
		return -1;
	}
	return 0;
}

/* the routes of endpoint e through PSC */
static void endpoint_routes(const psc_topology *t, psc_plan *p,
			    const psc_plan_endpoint *e, int cnet, int pnet,
			    const psc_cidr *c, const uint32_t *psc_side)
{
	char ifname[PSC_IFNAME_LEN];
	const psc_network *cn = &t->networks[cnet];
	/* consumer router: the endpoint address is PSC's */
	add_route(p, e->consumer_router_ns, e->ip, 32, psc_side[cnet], "psc0",
		  0);
	/* producer router: replies to the NAT subnet go back to PSC */
	add_route(p, e->producer_router_ns, c->net, c->len, psc_side[pnet],
		  "psc0", 0);
	/* psc: the forwarding rule behind the producer's router, and the
	 * consumer's subnets behind the consumer's */
	snprintf(ifname, sizeof(ifname), "r%u", (unsigned)pnet % 1000u);
	add_route(p, p->psc_ns, e->vip, 32, psc_side[pnet] - 1, ifname, 0);
	snprintf(ifname, sizeof(ifname), "r%u", (unsigned)cnet % 1000u);
	for (size_t s = 0; s < cn->n_subnetworks; s++) {
		psc_cidr sc;
		char e2[64];
		if (psc_cidr_parse(cn->subnetworks[s].ip_cidr_range, &sc, e2,
				   sizeof(e2)) == 0)
			add_route(p, p->psc_ns, sc.net, sc.len,
				  psc_side[cnet] - 1, ifname, 0);
	}
}

static int plan_psc(const psc_topology *t, psc_plan *p, char *err,
		    size_t errlen)
{
	bool joined[PSC_MAX_NETWORKS] = {false};
	uint32_t psc_side[PSC_MAX_NETWORKS] = {0};

	if (t->n_psc_endpoints == 0)
		return 0;
	p->psc_ns = add_ns(p, PSC_NS_PSC, NULL, "psc", err, errlen);
	if (p->psc_ns < 0)
		return -1;
	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		psc_plan_endpoint *e = &p->eps[p->n_eps];
		psc_cidr c;
		int cnet, pnet;
		if (endpoint_resolve(t, p, e, &t->psc_endpoints[i], &c, &cnet,
				     &pnet, err, errlen) < 0 ||
		    join_psc(p, cnet, joined, psc_side, err, errlen) < 0 ||
		    join_psc(p, pnet, joined, psc_side, err, errlen) < 0)
			return -1;
		endpoint_routes(t, p, e, cnet, pnet, &c, psc_side);
		p->n_eps++;
	}
	return 0;
}

static int plan_probes(const psc_topology *t, psc_plan *p, char *err,
		       size_t errlen)
{
	bool joined[PSC_MAX_NETWORKS] = {false};
	char ifname[PSC_IFNAME_LEN];
	for (size_t i = 0; i < p->n_lbs; i++) {
		const psc_plan_lb *pl = &p->lbs[i];
		if (!pl->hc)
			continue;
		int net = network_index(t, pl->lb->network);
		if (p->probe_ns < 0) {
			p->probe_ns = add_ns(p, PSC_NS_PROBE, NULL, "gcp-hc",
					     err, errlen);
			if (p->probe_ns < 0)
				return -1;
			add_addr(p, p->probe_ns, "lo", PSC_PROBE_IP1, 32);
			add_addr(p, p->probe_ns, "lo", PSC_PROBE_IP2, 32);
		}
		if (joined[net])
			continue;
		joined[net] = true;
		uint32_t base = TRANSIT_PROBE_BASE + 4u * (uint32_t)net;
		snprintf(ifname, sizeof(ifname), "r%u", (unsigned)net % 1000u);
		add_link(p, pl->router_ns, "hc0", base + 1, 30, p->probe_ns,
			 ifname, base + 2, 30);
		add_route(p, pl->router_ns, 0x23bf0000u, 16, base + 2, "hc0",
			  0);
		add_route(p, pl->router_ns, 0x82d30000u, 22, base + 2, "hc0",
			  0);
		/* probes reach this VPC's subnets through its router */
		psc_network *n = &((psc_topology *)t)->networks[net];
		for (size_t s = 0; s < n->n_subnetworks; s++) {
			psc_cidr sc;
			char e2[64];
			if (psc_cidr_parse(n->subnetworks[s].ip_cidr_range,
					   &sc, e2, sizeof(e2)) == 0)
				add_route(p, p->probe_ns, sc.net, sc.len,
					  base + 1, ifname, 0);
		}
	}
	return 0;
}

int psc_plan_build(const psc_topology *t, psc_plan *p, char *err,
		   size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->psc_ns = -1;
	p->probe_ns = -1;
	if (psc_lab_name_check(t->name, err, errlen) < 0)
		return -1;
	snprintf(p->lab, sizeof(p->lab), "%s", t->name);

	char suffix[PSC_NAME_LEN + 8];
	for (size_t i = 0; i < t->n_networks; i++) {
		snprintf(suffix, sizeof(suffix), "vpc-%s", t->networks[i].name);
		p->router_ns[i] = add_ns(p, PSC_NS_ROUTER, t->networks[i].name,
					 suffix, err, errlen);
		if (p->router_ns[i] < 0)
			return -1;
		/* the metadata server's address answers DNS in every VPC */
		add_addr(p, p->router_ns[i], "lo", PSC_DNS_IP, 32);
	}
	if (plan_vms(t, p, err, errlen) < 0 ||
	    plan_lbs(t, p, err, errlen) < 0 ||
	    plan_psc(t, p, err, errlen) < 0 ||
	    plan_probes(t, p, err, errlen) < 0)
		return -1;
	if (p->n_routes >= PSC_PLAN_MAX_ROUTES ||
	    p->n_addrs >= PSC_PLAN_MAX_ADDRS) {
		snprintf(err, errlen, "plan too large");
		return -1;
	}
	return 0;
}

int psc_plan_node_ns(const psc_plan *p, const char *node, char *err,
		     size_t errlen)
{
	size_t skip = strlen(PSC_NETNS_PREFIX) + strlen(p->lab) + 1;
	char valid[1024] = "";
	for (size_t i = 0; i < p->n_ns; i++) {
		const char *suffix = p->ns[i].name + skip;
		if (strcmp(suffix, node) == 0)
			return (int)i;
		psc_appendf(valid, sizeof(valid), "%s%s", i ? ", " : "",
			    suffix);
	}
	snprintf(err, errlen, "lab '%s' has no node '%s'; its nodes: %s",
		 p->lab, node, valid);
	return -1;
}

size_t psc_plan_ns_prefix(const char *lab, char *out)
{
	int n = snprintf(out, PSC_NETNS_NAME_LEN, PSC_NETNS_PREFIX "%s-", lab);
	return n < 0 ? 0 : (size_t)n < PSC_NETNS_NAME_LEN ? (size_t)n
							   : PSC_NETNS_NAME_LEN - 1;
}

int psc_plan_ns_name_check(const char *name, char *err, size_t errlen)
{
	size_t pre = strlen(PSC_NETNS_PREFIX);
	if (!name) {
		snprintf(err, errlen, "no network namespace given");
		return -1;
	}
	size_t n = strnlen(name, PSC_NETNS_NAME_LEN);
	if (n <= pre || n >= PSC_NETNS_NAME_LEN ||
	    strncmp(name, PSC_NETNS_PREFIX, pre) != 0 ||
	    strspn(name + pre, "abcdefghijklmnopqrstuvwxyz0123456789._-") !=
		    n - pre) {
		snprintf(err, errlen,
			 "'%.*s' is not a pscLab network namespace name "
			 "(%s[a-z0-9._-]..., under %d characters)", (int)n,
			 name, PSC_NETNS_PREFIX, PSC_NETNS_NAME_LEN);
		return -1;
	}
	return 0;
}
