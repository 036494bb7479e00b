/* lint_net.c - rules on GCP networking: names, references, address plans,
 * subnets and PSC NAT subnets, firewall rules (syntax, and whether the PSC
 * path and the health checks get through), load balancers, port-mapping
 * NEGs, instance groups, zones, the service attachment's connection
 * preference and Cloud DNS.  Every finding names GCP's behaviour it stands
 * for (see /work/shared/reference/gcp-psc-behaviour.md, "row N"). */
#define _POSIX_C_SOURCE 200809L
#include "lint/lint_net.h"

#include <stdio.h>
#include <string.h>

#include "model/addr.h"
#include "model/firewall.h"
#include "lint/lint_common.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PSC_PURPOSE "PRIVATE_SERVICE_CONNECT"
#define MAX_ALL_SUBNETS (PSC_MAX_NETWORKS * PSC_MAX_SUBNETS)
#define MIN_SUBNET_PREFIX 29       /* GCP's smallest IPv4 subnet: /29 */

/* GCP's health-check probe ranges (row 16) */
static const char *const hc_ranges[] = {"35.191.0.0/16", "130.211.0.0/22"};

typedef struct lint {
	const psc_topology *t;
	psc_topology *m;        /* the same, for the look-ups of topology.h */
	psc_diags *d;
} lint;

/* ---- small helpers ---- */

static size_t names_of(const void *arr, size_t stride, size_t n,
		       size_t name_off, const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		out[k++] = (const char *)arr + i * stride + name_off;
	return k;
}

/* the names of an array of objects (each has a psc_name 'name') */
#define NAMES_OF(arr, cnt, out)                                          \
	names_of((arr), sizeof((arr)[0]), (cnt),                         \
		 (size_t)((const char *)(arr)[0].name -                  \
			  (const char *)&(arr)[0]),                      \
		 (out), ARRAY_LEN(out))

static const psc_network *net_find(const lint *L, const char *name)
{
	return psc_find_network(L->m, name);
}

static const psc_subnet *subnet_find(const lint *L, const char *name,
				     const psc_network **net)
{
	psc_network *n = NULL;
	const psc_subnet *s = psc_find_subnet(L->m, name, &n);
	if (net)
		*net = s ? n : NULL;
	return s;
}

static bool is_psc_subnet(const psc_subnet *s)
{
	return strcmp(s->purpose, PSC_PURPOSE) == 0;
}

/* A subnet's range when GCP would take it: valid CIDR, /29 or larger. */
static bool subnet_cidr(const psc_subnet *s, psc_cidr *c)
{
	char err[160];
	return psc_cidr_parse(s->ip_cidr_range, c, err, sizeof(err)) == 0 &&
	       c->len <= MIN_SUBNET_PREFIX;
}

static size_t subnet_names(const lint *L, const psc_network *only,
			   const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < L->t->n_networks; i++) {
		const psc_network *n = &L->t->networks[i];
		if (only && n != only)
			continue;
		for (size_t j = 0; j < n->n_subnetworks && k < max; j++)
			out[k++] = n->subnetworks[j].name;
	}
	return k;
}

/* "a, b, c" of names into buf */
static void join_names(const char *const *v, size_t n, char *buf,
		       size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
				 v[i]);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

/* Why the firewall refused (INGRESS): the deny rule, or the implied one. */
static void why_denied(const psc_fw_verdict *v, char *buf, size_t len)
{
	if (v->rule)
		snprintf(buf, len, "firewall '%s' (DENY, priority %ld) "
			 "denies it", v->rule->name, v->priority);
	else
		snprintf(buf, len,
			 "no rule allows it (implied deny ingress)");
}

/* ---- 1. duplicate names ---- */

static void dup_report(lint *L, const char *kind, const char *name,
		       psc_loc loc, psc_loc first)
{
	char o[160];
	psc_diag_add(L->d, PSC_SEV_ERROR, loc, "duplicate-name",
		     psc_lint_obj(o, sizeof(o), kind, name), NULL,
		     "another %s named '%s' is at line %d; GCP refuses a "
		     "second one", kind, name, first.line);
}

#define CHECK_DUPS(L, arr, cnt, kind)                                    \
	do {                                                             \
		for (size_t i_ = 1; i_ < (cnt); i_++)                    \
			for (size_t j_ = 0; j_ < i_; j_++)               \
				if (strcmp((arr)[i_].name,               \
					   (arr)[j_].name) == 0) {       \
					dup_report((L), (kind),          \
						   (arr)[i_].name,       \
						   (arr)[i_].name_loc,   \
						   (arr)[j_].name_loc);  \
					break;                           \
				}                                        \
	} while (0)

static void check_duplicates(lint *L)
{
	const psc_topology *t = L->t;
	const psc_subnet *subs[MAX_ALL_SUBNETS];
	size_t ns = 0;

	CHECK_DUPS(L, t->networks, t->n_networks, "network");
	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_subnetworks; j++)
			subs[ns++] = &t->networks[i].subnetworks[j];
	for (size_t i = 1; i < ns; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(subs[i]->name, subs[j]->name) == 0) {
				dup_report(L, "subnetwork", subs[i]->name,
					   subs[i]->name_loc,
					   subs[j]->name_loc);
				break;
			}
	for (size_t i = 0; i < t->n_networks; i++)
		CHECK_DUPS(L, t->networks[i].firewalls,
			   t->networks[i].n_firewalls, "firewall");
	CHECK_DUPS(L, t->instances, t->n_instances, "instance");
	CHECK_DUPS(L, t->network_endpoint_groups,
		   t->n_network_endpoint_groups, "network endpoint group");
	CHECK_DUPS(L, t->instance_groups, t->n_instance_groups,
		   "instance group");
	CHECK_DUPS(L, t->health_checks, t->n_health_checks, "health check");
	CHECK_DUPS(L, t->load_balancers, t->n_load_balancers,
		   "load balancer");
	CHECK_DUPS(L, t->service_attachments, t->n_service_attachments,
		   "service attachment");
	CHECK_DUPS(L, t->psc_endpoints, t->n_psc_endpoints, "PSC endpoint");
	CHECK_DUPS(L, t->dns_zones, t->n_dns_zones, "DNS zone");
}

/* ---- 2. references, and where objects are placed ---- */

enum placed { PLACED_INSTANCE, PLACED_NEG, PLACED_LB, PLACED_ENDPOINT };

/* An object's network: and subnetwork: references, the subnetwork's
 * network, and PSC NAT subnets (which hold no VMs or forwarding rules). */
static void check_placement(lint *L, const char *o, enum placed what,
			    const char *netname, psc_loc netloc,
			    const char *subname, psc_loc subloc)
{
	const char *cand[MAX_ALL_SUBNETS];
	const psc_network *net = net_find(L, netname), *snet = NULL;
	size_t n;

	if (!net) {
		n = NAMES_OF(L->t->networks, L->t->n_networks, cand);
		psc_lint_unknown_ref(L->d, netloc, o, "network", "network",
				     netname, cand, n);
	}
	const psc_subnet *s = subnet_find(L, subname, &snet);
	if (!s) {
		n = subnet_names(L, net, cand, ARRAY_LEN(cand));
		psc_lint_unknown_ref(L->d, subloc, o, "subnetwork",
				     "subnetwork", subname, cand, n);
		return;
	}
	if (net && snet != net) {
		char list[200], hint[512] = "";
		n = subnet_names(L, net, cand, ARRAY_LEN(cand));
		join_names(cand, n, list, sizeof(list));
		if (n)
			snprintf(hint, sizeof(hint),
				 "subnetworks of network '%s': %s", net->name,
				 list);
		if (what == PLACED_LB)
			psc_diag_add(L->d, PSC_SEV_ERROR, subloc, "lb-subnet",
				     o, hint,
				     "the forwarding rule's subnetwork '%s' "
				     "belongs to network '%s', not the load "
				     "balancer's network '%s'; GCP refuses it",
				     subname, snet->name, net->name);
		else
			psc_diag_add(L->d, PSC_SEV_ERROR, subloc,
				     "subnet-network", o, hint,
				     "subnetwork '%s' belongs to network '%s', "
				     "not '%s'", subname, snet->name,
				     net->name);
		return;
	}
	if (!is_psc_subnet(s) || what == PLACED_NEG)
		return;
	if (what == PLACED_LB)
		psc_diag_add(L->d, PSC_SEV_ERROR, subloc, "lb-subnet", o,
			     "use an ordinary subnetwork (purpose PRIVATE) "
			     "of the load balancer's network",
			     "the forwarding rule's subnetwork '%s' is a PSC "
			     "NAT subnet (purpose " PSC_PURPOSE "), which "
			     "holds no forwarding rules; GCP refuses it",
			     subname);
	else
		psc_diag_add(L->d, PSC_SEV_ERROR, subloc, "nat-subnet-used", o,
			     NULL,
			     "subnetwork '%s' is a PSC NAT subnet (purpose "
			     PSC_PURPOSE "): it holds no VMs or forwarding "
			     "rules, so GCP refuses this %s there", subname,
			     what == PLACED_INSTANCE ? "instance"
						     : "PSC endpoint");
}

static void ref(lint *L, const char *o, psc_loc loc, const char *field,
		const char *kind, const char *value, bool found,
		const char *const *cand, size_t n)
{
	if (!found)
		psc_lint_unknown_ref(L->d, loc, o, field, kind, value, cand,
				     n);
}

/* The names of every kind of object a reference may name: the candidates
 * of "did you mean". */
struct ref_names {
	const char *inst[PSC_MAX_INSTANCES], *back[PSC_MAX_NEGS + PSC_MAX_IGS];
	const char *hcs[PSC_MAX_HCS], *lbs[PSC_MAX_LBS], *sas[PSC_MAX_SAS];
	const char *eps[PSC_MAX_ENDPOINTS], *nets[PSC_MAX_NETWORKS];
	const char *subs[MAX_ALL_SUBNETS];
	size_t ni, nb, nh, nl, nsa, ne, nn, nsub;
};

static void ref_names_of(const lint *L, struct ref_names *r)
{
	const psc_topology *t = L->t;
	r->ni = NAMES_OF(t->instances, t->n_instances, r->inst);
	r->nb = NAMES_OF(t->network_endpoint_groups,
			 t->n_network_endpoint_groups, r->back);
	r->nb += names_of(t->instance_groups, sizeof(t->instance_groups[0]),
			  t->n_instance_groups,
			  offsetof(psc_instance_group, name), r->back + r->nb,
			  ARRAY_LEN(r->back) - r->nb);
	r->nh = NAMES_OF(t->health_checks, t->n_health_checks, r->hcs);
	r->nl = NAMES_OF(t->load_balancers, t->n_load_balancers, r->lbs);
	r->nsa = NAMES_OF(t->service_attachments, t->n_service_attachments,
			  r->sas);
	r->ne = NAMES_OF(t->psc_endpoints, t->n_psc_endpoints, r->eps);
	r->nn = NAMES_OF(t->networks, t->n_networks, r->nets);
	r->nsub = subnet_names(L, NULL, r->subs, ARRAY_LEN(r->subs));
}

/* instances, NEGs and instance groups: where they are, which instances */
static void check_compute_refs(lint *L, const struct ref_names *r)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		psc_lint_obj(o, sizeof(o), "instance", in->name);
		check_placement(L, o, PLACED_INSTANCE, in->network,
				in->network_loc, in->subnetwork,
				in->subnetwork_loc);
	}
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *g = &t->network_endpoint_groups[i];
		psc_lint_obj(o, sizeof(o), "network endpoint group", g->name);
		check_placement(L, o, PLACED_NEG, g->network, g->network_loc,
				g->subnetwork, g->subnetwork_loc);
		for (size_t j = 0; j < g->n_endpoints; j++)
			ref(L, o, g->endpoints[j].instance_loc, "instance",
			    "instance", g->endpoints[j].instance,
			    psc_find_instance(L->m, g->endpoints[j].instance),
			    r->inst, r->ni);
	}
	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *g = &t->instance_groups[i];
		psc_lint_obj(o, sizeof(o), "instance group", g->name);
		for (size_t j = 0; j < g->n_instances; j++)
			ref(L, o, g->instances_loc[j], "instances", "instance",
			    g->instances[j],
			    psc_find_instance(L->m, g->instances[j]), r->inst,
			    r->ni);
	}
}

/* load balancers: where, their backends and health checks */
static void check_lb_refs(lint *L, const struct ref_names *r)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		psc_lint_obj(o, sizeof(o), "load balancer", lb->name);
		check_placement(L, o, PLACED_LB, lb->network, lb->network_loc,
				lb->subnetwork, lb->subnetwork_loc);
		for (size_t j = 0; j < lb->n_backends; j++)
			ref(L, o, lb->backends_loc[j], "backends",
			    "network endpoint group or instance group",
			    lb->backends[j],
			    psc_find_neg(L->m, lb->backends[j]) ||
				    psc_find_instance_group(L->m,
							    lb->backends[j]),
			    r->back, r->nb);
		if (lb->health_check[0])
			ref(L, o, lb->health_check_loc, "health_check",
			    "health check", lb->health_check,
			    psc_find_health_check(L->m, lb->health_check),
			    r->hcs, r->nh);
	}
}

/* service attachments and PSC endpoints: their targets, NAT subnets, and
 * where the endpoints are */
static void check_psc_refs(lint *L, const struct ref_names *r)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		psc_lint_obj(o, sizeof(o), "service attachment", sa->name);
		ref(L, o, sa->target_loc, "target", "load balancer",
		    sa->target, psc_find_load_balancer(L->m, sa->target),
		    r->lbs, r->nl);
		for (size_t j = 0; j < sa->n_nat_subnets; j++)
			ref(L, o, sa->nat_subnets_loc[j], "nat_subnets",
			    "subnetwork", sa->nat_subnets[j],
			    subnet_find(L, sa->nat_subnets[j], NULL), r->subs,
			    r->nsub);
	}
	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		const psc_endpoint *ep = &t->psc_endpoints[i];
		psc_lint_obj(o, sizeof(o), "PSC endpoint", ep->name);
		check_placement(L, o, PLACED_ENDPOINT, ep->network,
				ep->network_loc, ep->subnetwork,
				ep->subnetwork_loc);
		ref(L, o, ep->target_loc, "target", "service attachment",
		    ep->target, psc_find_service_attachment(L->m, ep->target),
		    r->sas, r->nsa);
	}
}

/* DNS zones (networks, records' endpoints) and the changefeed */
static void check_consumer_refs(lint *L, const struct ref_names *r)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		psc_lint_obj(o, sizeof(o), "DNS zone", z->name);
		for (size_t j = 0; j < z->n_networks; j++)
			ref(L, o, z->networks_loc[j], "networks", "network",
			    z->networks[j], net_find(L, z->networks[j]),
			    r->nets, r->nn);
		for (size_t j = 0; j < z->n_records; j++)
			ref(L, o, z->records[j].endpoint_loc, "endpoint",
			    "PSC endpoint", z->records[j].endpoint,
			    psc_find_endpoint(L->m, z->records[j].endpoint),
			    r->eps, r->ne);
	}
	if (t->changefeed.present) {
		const psc_changefeed *cf = &t->changefeed;
		psc_lint_obj(o, sizeof(o), "changefeed", NULL);
		ref(L, o, cf->instance_loc, "instance", "instance",
		    cf->instance, psc_find_instance(L->m, cf->instance),
		    r->inst, r->ni);
		ref(L, o, cf->endpoint_loc, "endpoint", "PSC endpoint",
		    cf->endpoint, psc_find_endpoint(L->m, cf->endpoint),
		    r->eps, r->ne);
	}
}

static void check_references(lint *L)
{
	struct ref_names r;
	ref_names_of(L, &r);
	check_compute_refs(L, &r);
	check_lb_refs(L, &r);
	check_psc_refs(L, &r);
	check_consumer_refs(L, &r);
}

/* ---- 3, 4. ranges: syntax, subnet sizes, overlaps ---- */

static void check_ranges(lint *L, const char *o, const char (*v)[48],
			 const psc_loc *locs, size_t n, const char *field)
{
	for (size_t i = 0; i < n; i++) {
		psc_cidr c;
		char err[160];
		if (psc_cidr_parse(v[i], &c, err, sizeof(err)) < 0)
			psc_diag_add(L->d, PSC_SEV_ERROR, locs[i],
				     "cidr-syntax", o, NULL, "%s %s", field,
				     err);
	}
}

static void check_cidrs(lint *L)
{
	const psc_topology *t = L->t;
	char o[160], err[160];

	for (size_t i = 0; i < t->n_networks; i++) {
		const psc_network *n = &t->networks[i];
		for (size_t j = 0; j < n->n_subnetworks; j++) {
			const psc_subnet *s = &n->subnetworks[j];
			psc_cidr c;
			psc_lint_obj(o, sizeof(o), "subnetwork", s->name);
			if (psc_cidr_parse(s->ip_cidr_range, &c, err,
					   sizeof(err)) < 0) {
				psc_diag_add(L->d, PSC_SEV_ERROR,
					     s->ip_cidr_range_loc,
					     "cidr-syntax", o, NULL,
					     "ip_cidr_range %s", err);
				continue;
			}
			if (c.len > MIN_SUBNET_PREFIX)
				psc_diag_add(L->d, PSC_SEV_ERROR,
					     s->ip_cidr_range_loc,
					     "subnet-size", o,
					     "use a /29 or a larger range",
					     "ip_cidr_range %s is smaller than "
					     "/%d, the smallest subnet range "
					     "GCP accepts", s->ip_cidr_range,
					     MIN_SUBNET_PREFIX);
		}
		for (size_t j = 0; j < n->n_firewalls; j++) {
			const psc_firewall *fw = &n->firewalls[j];
			psc_lint_obj(o, sizeof(o), "firewall", fw->name);
			check_ranges(L, o, fw->source_ranges,
				     fw->source_ranges_loc,
				     fw->n_source_ranges, "source_ranges");
			check_ranges(L, o, fw->destination_ranges,
				     fw->destination_ranges_loc,
				     fw->n_destination_ranges,
				     "destination_ranges");
		}
	}
}

static void check_overlap_in_vpc(lint *L)
{
	const psc_topology *t = L->t;
	char o[160], a[24], b[24];

	for (size_t i = 0; i < t->n_networks; i++) {
		const psc_network *n = &t->networks[i];
		for (size_t j = 1; j < n->n_subnetworks; j++) {
			const psc_subnet *s = &n->subnetworks[j];
			psc_cidr cs, cp;
			if (!subnet_cidr(s, &cs))
				continue;
			for (size_t k = 0; k < j; k++) {
				const psc_subnet *p = &n->subnetworks[k];
				if (!subnet_cidr(p, &cp) ||
				    !psc_cidr_overlaps(&cs, &cp))
					continue;
				psc_diag_add(L->d, PSC_SEV_ERROR,
					     s->ip_cidr_range_loc,
					     "subnet-overlap",
					     psc_lint_obj(o, sizeof(o),
							  "subnetwork",
							  s->name), NULL,
					     "ip_cidr_range %s overlaps "
					     "subnetwork '%s' (%s) of the same "
					     "network '%s'; GCP refuses "
					     "overlapping ranges in one VPC",
					     psc_cidr_str(&cs, a, sizeof(a)),
					     p->name,
					     psc_cidr_str(&cp, b, sizeof(b)),
					     n->name);
				break;
			}
		}
	}
}

/* Producer and consumer subnets that overlap: allowed by PSC (that is what
 * its NAT is for) but confusing.  Reported once per pair of networks. */
static void check_overlap_psc(lint *L)
{
	const psc_topology *t = L->t;
	const psc_network *seen[PSC_MAX_NETWORKS * PSC_MAX_NETWORKS][2];
	size_t nseen = 0;
	char o[160], a[24], b[24];

	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		const psc_endpoint *ep = &t->psc_endpoints[i];
		const psc_service_attachment *sa =
			psc_find_service_attachment(L->m, ep->target);
		const psc_load_balancer *lb =
			sa ? psc_find_load_balancer(L->m, sa->target) : NULL;
		const psc_network *cons = net_find(L, ep->network);
		const psc_network *prod = lb ? net_find(L, lb->network) : NULL;
		if (!cons || !prod || cons == prod)
			continue;
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = seen[k][0] == prod && seen[k][1] == cons;
		if (dup || nseen == ARRAY_LEN(seen))
			continue;
		seen[nseen][0] = prod;
		seen[nseen++][1] = cons;
		for (size_t c = 0; c < cons->n_subnetworks; c++) {
			const psc_subnet *cs = &cons->subnetworks[c];
			psc_cidr cc, pc;
			if (!subnet_cidr(cs, &cc))
				continue;
			for (size_t p = 0; p < prod->n_subnetworks; p++) {
				const psc_subnet *ps = &prod->subnetworks[p];
				if (!subnet_cidr(ps, &pc) ||
				    !psc_cidr_overlaps(&cc, &pc))
					continue;
				psc_diag_add(L->d, PSC_SEV_WARNING,
					     cs->ip_cidr_range_loc,
					     "subnet-overlap",
					     psc_lint_obj(o, sizeof(o),
							  "subnetwork",
							  cs->name), NULL,
					     "ip_cidr_range %s overlaps "
					     "subnetwork '%s' (%s) of producer "
					     "network '%s' (published through "
					     "service attachment '%s'); PSC "
					     "allows it, but the same addresses "
					     "on both sides make troubleshooting "
					     "ambiguous",
					     psc_cidr_str(&cc, a, sizeof(a)),
					     ps->name,
					     psc_cidr_str(&pc, b, sizeof(b)),
					     prod->name, sa->name);
				break;
			}
		}
	}
}

/* ---- 5. addresses ---- */

enum user_kind { U_INSTANCE, U_LB, U_ENDPOINT };

struct addr_user {
	enum user_kind kind;
	const void *obj;
	const char *name;
	psc_loc loc;
	const char *subnet;
	psc_loc subnet_loc;
	const char *ip;           /* explicit, or "" */
	psc_loc ip_loc;
	const char *field;        /* network_ip | ip_address */
	bool have;                /* addr known */
	uint32_t addr;
	const psc_network *net;   /* the subnet's network */
};

static const char *user_kind_str(enum user_kind k)
{
	return k == U_INSTANCE ? "instance"
	       : k == U_LB     ? "load balancer"
			       : "PSC endpoint";
}

static int user_ip(const lint *L, const struct addr_user *u, uint32_t *ip)
{
	switch (u->kind) {
	case U_INSTANCE:
		return psc_instance_ip(L->t, u->obj, ip);
	case U_LB:
		return psc_load_balancer_ip(L->t, u->obj, ip);
	default:
		return psc_endpoint_ip(L->t, u->obj, ip);
	}
}

static const char *reserved_what(const psc_cidr *c, uint32_t ip)
{
	uint32_t last = psc_cidr_last(c);
	if (ip == c->net)
		return "the network address";
	if (ip == c->net + 1)
		return "the default gateway";
	if (ip == last)
		return "the broadcast address";
	return "the second-to-last address (kept for future use)";
}

static void check_user(lint *L, struct addr_user *u)
{
	char o[160], err[160], ips[16], r[24], lo[16], hi[16], hint[200];
	const psc_network *snet = NULL;
	const psc_subnet *s = subnet_find(L, u->subnet, &snet);
	psc_cidr c;
	bool cidr_ok = s && subnet_cidr(s, &c);
	uint32_t ip;

	psc_lint_obj(o, sizeof(o), user_kind_str(u->kind), u->name);
	u->net = snet;
	if (u->ip[0]) {
		if (psc_ip_parse(u->ip, &ip, err, sizeof(err)) < 0) {
			psc_diag_add(L->d, PSC_SEV_ERROR, u->ip_loc,
				     "ip-syntax", o, NULL, "%s %s", u->field,
				     err);
			return;
		}
		u->have = true;
		u->addr = ip;
		if (!cidr_ok)
			return;
		psc_cidr_str(&c, r, sizeof(r));
		snprintf(hint, sizeof(hint),
			 "leave it out to have one assigned, or use one of "
			 "%s..%s", psc_ip_str(c.net + 2, lo, sizeof(lo)),
			 psc_ip_str(psc_cidr_last(&c) - 2, hi, sizeof(hi)));
		if (!psc_cidr_contains(&c, ip))
			psc_diag_add(L->d, PSC_SEV_ERROR, u->ip_loc,
				     "address-outside-subnet", o, hint,
				     "%s %s is outside subnetwork '%s' (%s); "
				     "GCP refuses it", u->field,
				     psc_ip_str(ip, ips, sizeof(ips)),
				     s->name, r);
		else if (psc_subnet_reserved(&c, ip))
			psc_diag_add(L->d, PSC_SEV_ERROR, u->ip_loc,
				     "address-reserved", o, hint,
				     "%s %s is reserved in subnetwork '%s' "
				     "(%s): it is %s; GCP refuses it",
				     u->field,
				     psc_ip_str(ip, ips, sizeof(ips)),
				     s->name, r, reserved_what(&c, ip));
		return;
	}
	if (!cidr_ok)
		return;
	if (user_ip(L, u, &ip) == 0) {
		u->have = true;
		u->addr = ip;
		return;
	}
	psc_diag_add(L->d, PSC_SEV_ERROR, u->subnet_loc, "address-exhausted",
		     o, "use a larger range, or fewer objects in it",
		     "no free address left in subnetwork '%s' (%s: %llu "
		     "usable, taken by the objects before this one); GCP "
		     "would fail to create it", s->name,
		     psc_cidr_str(&c, r, sizeof(r)),
		     (unsigned long long)psc_subnet_usable(&c));
}

static void check_addresses(lint *L)
{
	const psc_topology *t = L->t;
	struct addr_user u[PSC_MAX_INSTANCES + PSC_MAX_LBS + PSC_MAX_ENDPOINTS];
	size_t n = 0;
	char o[160], ips[16];

	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		u[n++] = (struct addr_user){U_INSTANCE, in, in->name, in->loc,
					    in->subnetwork, in->subnetwork_loc,
					    in->network_ip, in->network_ip_loc,
					    "network_ip", false, 0, NULL};
	}
	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		u[n++] = (struct addr_user){U_LB, lb, lb->name, lb->loc,
					    lb->subnetwork, lb->subnetwork_loc,
					    lb->ip_address, lb->ip_address_loc,
					    "ip_address", false, 0, NULL};
	}
	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		const psc_endpoint *ep = &t->psc_endpoints[i];
		u[n++] = (struct addr_user){U_ENDPOINT, ep, ep->name, ep->loc,
					    ep->subnetwork, ep->subnetwork_loc,
					    ep->ip_address, ep->ip_address_loc,
					    "ip_address", false, 0, NULL};
	}
	for (size_t i = 0; i < n; i++)
		check_user(L, &u[i]);
	for (size_t i = 1; i < n; i++) {
		if (!u[i].have || !u[i].net)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!u[j].have || u[j].net != u[i].net ||
			    u[j].addr != u[i].addr)
				continue;
			psc_diag_add(L->d, PSC_SEV_ERROR,
				     u[i].ip[0] ? u[i].ip_loc : u[i].subnet_loc,
				     "address-conflict",
				     psc_lint_obj(o, sizeof(o),
						  user_kind_str(u[i].kind),
						  u[i].name), NULL,
				     "address %s is also the address of %s "
				     "'%s' (line %d); GCP refuses two "
				     "resources with one address in network "
				     "'%s'", psc_ip_str(u[i].addr, ips,
							sizeof(ips)),
				     user_kind_str(u[j].kind), u[j].name,
				     u[j].loc.line, u[i].net->name);
			break;
		}
	}
}

/* ---- 6. PSC NAT subnets ---- */

static bool sa_uses_subnet(const psc_service_attachment *sa,
			   const char *name)
{
	for (size_t j = 0; j < sa->n_nat_subnets; j++)
		if (strcmp(sa->nat_subnets[j], name) == 0)
			return true;
	return false;
}

static size_t endpoints_of(const psc_topology *t, const char *sa)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_psc_endpoints; i++)
		n += strcmp(t->psc_endpoints[i].target, sa) == 0;
	return n;
}

/* NAT subnet j of attachment i: its purpose, its network (the load
 * balancer's, lbnet, when that is known), and no earlier attachment's.
 * Returns the subnet when all three hold, NULL otherwise (reported, or an
 * unknown name: check_references reports that). */
static const psc_subnet *check_nat_subnet(lint *L, const char *o, size_t i,
					  size_t j,
					  const psc_load_balancer *lb,
					  const psc_network *lbnet)
{
	const psc_topology *t = L->t;
	const psc_service_attachment *sa = &t->service_attachments[i];
	const char *name = sa->nat_subnets[j];
	psc_loc loc = sa->nat_subnets_loc[j];
	const psc_network *snet = NULL;
	const psc_subnet *s = subnet_find(L, name, &snet);
	char hint[200];

	if (!s)
		return NULL;
	if (!is_psc_subnet(s)) {
		snprintf(hint, sizeof(hint),
			 "add `purpose: " PSC_PURPOSE
			 "` to subnetwork '%s' (line %d)",
			 s->name, s->loc.line);
		psc_diag_add(L->d, PSC_SEV_ERROR, loc,
			     "nat-subnet-purpose", o, hint,
			     "NAT subnetwork '%s' has purpose "
			     "%s, not " PSC_PURPOSE "; GCP "
			     "refuses it as a PSC NAT subnet",
			     name, s->purpose);
		return NULL;
	}
	if (lbnet && snet != lbnet) {
		psc_diag_add(L->d, PSC_SEV_ERROR, loc,
			     "nat-subnet-network", o, NULL,
			     "NAT subnetwork '%s' is in network "
			     "'%s', not in network '%s' of "
			     "load balancer '%s'; GCP refuses "
			     "it", name, snet->name,
			     lbnet->name, lb->name);
		return NULL;
	}
	/* one attachment per NAT subnet */
	for (size_t k = 0; k < i; k++) {
		const psc_service_attachment *p = &t->service_attachments[k];
		if (!sa_uses_subnet(p, name))
			continue;
		psc_diag_add(L->d, PSC_SEV_ERROR, loc,
			     "nat-subnet-shared", o,
			     "reserve a NAT subnet for each "
			     "attachment",
			     "NAT subnetwork '%s' is already "
			     "used by service attachment '%s' "
			     "(line %d); a NAT subnet serves "
			     "one attachment only", name,
			     p->name, p->loc.line);
		return NULL;
	}
	return s;
}

/* Attachment i's NAT subnets, each checked, then their usable addresses
 * against its PSC endpoints (one NAT address each). */
static void check_sa_nat_subnets(lint *L, size_t i)
{
	const psc_topology *t = L->t;
	const psc_service_attachment *sa = &t->service_attachments[i];
	const psc_load_balancer *lb = psc_find_load_balancer(L->m, sa->target);
	const psc_network *lbnet = lb ? net_find(L, lb->network) : NULL;
	const char *used[4];
	size_t nused = 0;
	uint64_t usable = 0;
	bool sized = false;
	char o[160], names[200];

	psc_lint_obj(o, sizeof(o), "service attachment", sa->name);
	for (size_t j = 0; j < sa->n_nat_subnets; j++) {
		const psc_subnet *s = check_nat_subnet(L, o, i, j, lb, lbnet);
		psc_cidr c;
		if (!s || !subnet_cidr(s, &c))
			continue;
		usable += psc_subnet_usable(&c);
		sized = true;
		if (nused < ARRAY_LEN(used))
			used[nused++] = sa->nat_subnets[j];
	}
	size_t eps = endpoints_of(t, sa->name);
	if (sized && usable < eps) {
		join_names(used, nused, names, sizeof(names));
		psc_diag_add(L->d, PSC_SEV_ERROR,
			     sa->nat_subnets_list_loc,
			     "nat-subnet-size", o,
			     "use a larger NAT range or add a NAT "
			     "subnet",
			     "NAT subnetworks %s have %llu usable "
			     "addresses for %zu PSC endpoints (one NAT "
			     "address each): the endpoints past them "
			     "fail to connect and the attachment shows "
			     "NEEDS_ATTENTION", names,
			     (unsigned long long)usable, eps);
	}
}

/* Subnets reserved for PSC that no attachment uses. */
static void check_nat_unused(lint *L)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_subnetworks; j++) {
			const psc_subnet *s = &t->networks[i].subnetworks[j];
			bool used = false;
			if (!is_psc_subnet(s))
				continue;
			for (size_t k = 0; k < t->n_service_attachments &&
					   !used; k++)
				used = sa_uses_subnet(
					&t->service_attachments[k], s->name);
			if (used)
				continue;
			psc_diag_add(L->d, PSC_SEV_WARNING, s->purpose_loc,
				     "nat-subnet-unused",
				     psc_lint_obj(o, sizeof(o), "subnetwork",
						  s->name),
				     "list it in nat_subnets of a service "
				     "attachment, or drop the purpose",
				     "purpose " PSC_PURPOSE ", but no service "
				     "attachment uses this NAT subnet: its "
				     "addresses serve nothing, and no VM or "
				     "forwarding rule may use them");
		}
}

static void check_nat_subnets(lint *L)
{
	for (size_t i = 0; i < L->t->n_service_attachments; i++)
		check_sa_nat_subnets(L, i);
	check_nat_unused(L);
}

/* ---- 7. firewall rule syntax ---- */

static void check_fw_entries(lint *L, const char *o, const char *what,
			     const psc_fw_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const psc_fw_rule *e = &v[i];
		if (e->n_ports && !psc_fw_protocol_takes_ports(e->protocol)) {
			psc_diag_add(L->d, PSC_SEV_ERROR, e->ports_list_loc,
				     "firewall-ports", o,
				     "drop the ports, or use tcp, udp or sctp",
				     "%s entry '%s' lists ports; only tcp, "
				     "udp and sctp take ports, so GCP refuses "
				     "them", what, e->protocol);
			continue;
		}
		for (size_t j = 0; j < e->n_ports; j++) {
			long lo, hi;
			if (psc_fw_port_spec_parse(e->ports[j], &lo, &hi) == 0)
				continue;
			psc_diag_add(L->d, PSC_SEV_ERROR, e->ports_loc[j],
				     "firewall-ports", o, NULL,
				     "%s %s port '%s' is not \"N\" or "
				     "\"N-M\" with 1 <= N <= M <= 65535; GCP "
				     "refuses it", what, e->protocol,
				     e->ports[j]);
		}
	}
}

/* Sources by direction.  terraform (compute_firewall, direction): "For
 * INGRESS traffic, one of source_ranges, source_tags or
 * source_service_accounts is required"; the API alone would default the
 * source to 0.0.0.0/0.  The API refuses sources on EGRESS rules. */
static void check_fw_direction(lint *L, const char *o,
			       const psc_firewall *fw)
{
	if (psc_fw_rule_dir(fw) == PSC_FW_EGRESS) {
		bool ranges = fw->n_source_ranges > 0;
		if (!ranges && !fw->n_source_tags)
			return;
		psc_diag_add(L->d, PSC_SEV_ERROR,
			     ranges ? fw->source_ranges_list_loc
				    : fw->source_tags_list_loc,
			     "firewall-direction", o,
			     "an EGRESS rule matches destination_ranges; drop "
			     "the sources",
			     "an EGRESS rule with %s; GCP refuses sources on "
			     "egress rules",
			     ranges ? "source_ranges" : "source_tags");
		return;
	}
	if (fw->n_source_ranges || fw->n_source_tags)
		return;
	psc_diag_add(L->d, PSC_SEV_ERROR, fw->loc, "firewall-direction", o,
		     "add source_ranges (or source_tags)",
		     "an INGRESS rule %swithout source_ranges or source_tags; "
		     "terraform refuses it, and the API would take its "
		     "source as 0.0.0.0/0 (anywhere)",
		     fw->n_destination_ranges
			     ? "with destination_ranges only, " : "");
}

static void check_firewall_syntax(lint *L)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_firewalls; j++) {
			const psc_firewall *fw = &t->networks[i].firewalls[j];
			psc_lint_obj(o, sizeof(o), "firewall", fw->name);
			if (!fw->n_allow && !fw->n_deny)
				psc_diag_add(L->d, PSC_SEV_ERROR, fw->loc,
					     "firewall-action", o,
					     "add allow: (or deny:) with a "
					     "protocol",
					     "neither allow nor deny: GCP "
					     "needs exactly one of them");
			else if (fw->n_allow && fw->n_deny)
				psc_diag_add(L->d, PSC_SEV_ERROR,
					     fw->deny_list_loc,
					     "firewall-action", o,
					     "split it into an allow rule and "
					     "a deny rule",
					     "both allow and deny: GCP takes "
					     "one of them per rule");
			check_fw_entries(L, o, "allow", fw->allow,
					 fw->n_allow);
			check_fw_entries(L, o, "deny", fw->deny, fw->n_deny);

			check_fw_direction(L, o, fw);
		}
}

/* ---- 9, 10. what the firewall lets through ---- */

static void query_for(const lint *L, const psc_instance *in,
		      const psc_cidr *src, const char *proto, int port,
		      psc_fw_query *q)
{
	uint32_t ip;
	memset(q, 0, sizeof(*q));
	q->dir = PSC_FW_INGRESS;
	q->peer = *src;
	q->protocol = proto;
	q->port = port;
	if (psc_instance_ip(L->t, in, &ip) == 0) {
		q->has_local = true;
		q->local_ip = ip;
	}
}

/* Can src reach in over proto:port?  Fills the verdict. */
static bool reaches(const lint *L, const psc_instance *in,
		    const psc_cidr *src, const char *proto, int port,
		    psc_fw_verdict *v)
{
	const psc_network *net = net_find(L, in->network);
	psc_fw_query q;
	query_for(L, in, src, proto, port, &q);
	psc_fw_evaluate(net, in, &q, v);
	return v->action == PSC_FW_ALLOW;
}

static void lower(const char *s, char *out, size_t len)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32)
						      : s[i];
	out[i] = '\0';
}

static void psc_fw_report(lint *L, psc_loc loc, const psc_instance *in,
			  const psc_service_attachment *sa,
			  const psc_cidr *nat, const char *proto,
			  const char *ports, const psc_fw_verdict *v)
{
	char o[160], why[160], r[24], hint[256];
	psc_cidr_str(nat, r, sizeof(r));
	why_denied(v, why, sizeof(why));
	if (v->rule)
		snprintf(hint, sizeof(hint),
			 "allow it before '%s': an INGRESS ALLOW rule from %s "
			 "with a priority number lower than %ld",
			 v->rule->name, r, v->priority);
	else
		snprintf(hint, sizeof(hint),
			 "add the seed's allow-psc-traffic: INGRESS, allow "
			 "all protocols from %s", r);
	psc_diag_add(L->d, PSC_SEV_ERROR, loc, "psc-firewall",
		     psc_lint_obj(o, sizeof(o), "instance", in->name), hint,
		     "PSC traffic from NAT range %s of service attachment "
		     "'%s' cannot reach %s:%s: %s; the PSC path passes "
		     "nothing to it, as on GCP", r, sa->name, proto, ports,
		     why);
}

/* What the PSC path must get through to one backend of a published load
 * balancer: the NAT range, the protocol and the ports. */
struct psc_path {
	const psc_service_attachment *sa;
	psc_cidr nat;
	char proto[16];
	long ports[PSC_MAX_BOOTSTRAP];  /* instance-group members */
	size_t n_ports;
};

static void psc_path_neg(lint *L, const struct psc_path *p,
			 const psc_neg *g)
{
	for (size_t e = 0; e < g->n_endpoints; e++) {
		const psc_neg_endpoint *ne = &g->endpoints[e];
		const psc_instance *in = psc_find_instance(L->m, ne->instance);
		psc_fw_verdict v;
		char port[16];
		if (!in || reaches(L, in, &p->nat, p->proto, (int)ne->port,
				   &v))
			continue;
		snprintf(port, sizeof(port), "%ld", ne->port);
		psc_fw_report(L, ne->loc, in, p->sa, &p->nat, p->proto, port,
			      &v);
	}
}

static void psc_path_ig(lint *L, const struct psc_path *p,
			const psc_instance_group *ig)
{
	for (size_t m = 0; m < ig->n_instances; m++) {
		const psc_instance *in =
			psc_find_instance(L->m, ig->instances[m]);
		psc_fw_verdict v, first = {PSC_FW_DENY, NULL, 0};
		char list[128] = "";
		size_t nbad = 0;
		if (!in)
			continue;
		for (size_t k = 0; k < p->n_ports; k++) {
			size_t at = strlen(list);
			if (reaches(L, in, &p->nat, p->proto, (int)p->ports[k],
				    &v))
				continue;
			if (!nbad++)
				first = v;
			snprintf(list + at, sizeof(list) - at, "%s%ld",
				 at ? "," : "", p->ports[k]);
		}
		if (nbad)
			psc_fw_report(L, ig->instances_loc[m], in, p->sa,
				      &p->nat, p->proto, list, &first);
	}
}

/* every backend of a published load balancer must admit the NAT range
 * (row 9): a NEG endpoint on its VM port; an instance-group member on
 * each bootstrap port of the changefeed when it goes through this
 * attachment, else on the health check's port */
static void check_psc_firewall(lint *L)
{
	const psc_topology *t = L->t;
	const psc_changefeed *cf = &t->changefeed;
	const psc_endpoint *cfep =
		cf->present ? psc_find_endpoint(L->m, cf->endpoint) : NULL;

	for (size_t i = 0; i < t->n_service_attachments; i++) {
		struct psc_path p = {.sa = &t->service_attachments[i]};
		const psc_load_balancer *lb =
			psc_find_load_balancer(L->m, p.sa->target);
		const psc_health_check *hc;
		if (!lb)
			continue;
		lower(lb->protocol, p.proto, sizeof(p.proto));
		hc = lb->health_check[0]
			? psc_find_health_check(L->m, lb->health_check)
			: NULL;
		if (cfep && strcmp(cfep->target, p.sa->name) == 0)
			for (size_t k = 0; k < cf->n_bootstrap_ports; k++)
				p.ports[p.n_ports++] = cf->bootstrap_ports[k];
		else if (hc)
			p.ports[p.n_ports++] = hc->port;

		for (size_t j = 0; j < p.sa->n_nat_subnets; j++) {
			const psc_subnet *s =
				subnet_find(L, p.sa->nat_subnets[j], NULL);
			if (!s || !subnet_cidr(s, &p.nat))
				continue;
			for (size_t b = 0; b < lb->n_backends; b++) {
				const psc_neg *g =
					psc_find_neg(L->m, lb->backends[b]);
				const psc_instance_group *ig =
					psc_find_instance_group(
						L->m, lb->backends[b]);
				if (g)
					psc_path_neg(L, &p, g);
				else if (ig)
					psc_path_ig(L, &p, ig);
			}
		}
	}
}

/* the health check's probes must reach the backends (rows 16, 17, 24).
 * A backend that no probe reaches is unhealthy; one that the probes of
 * only one range reach gets mixed results.  When every backend is
 * unhealthy the load balancer fails open. */
static void hc_report(lint *L, const psc_load_balancer *lb,
		      const psc_health_check *hc, const char *const *bad,
		      size_t nbad, unsigned ranges, size_t n_full,
		      size_t total, const psc_fw_verdict *first)
{
	char o[160], who[160], why[160], from[64], hint[320];
	const char *what;

	psc_lint_obj(o, sizeof(o), "load balancer", lb->name);
	join_names(bad, nbad, who, sizeof(who));
	why_denied(first, why, sizeof(why));
	if (ranges == 3)
		snprintf(from, sizeof(from), "%s and %s", hc_ranges[0],
			 hc_ranges[1]);
	else
		snprintf(from, sizeof(from), "%s",
			 hc_ranges[ranges == 1 ? 0 : 1]);
	if (first->rule)
		snprintf(hint, sizeof(hint),
			 "add an INGRESS rule allowing tcp:%ld from %s and %s "
			 "(GCP's health-check ranges) with a priority number "
			 "lower than %ld (that of '%s')", hc->port,
			 hc_ranges[0], hc_ranges[1], first->priority,
			 first->rule->name);
	else
		snprintf(hint, sizeof(hint),
			 "add an INGRESS rule allowing tcp:%ld from %s and %s "
			 "(GCP's health-check ranges)", hc->port, hc_ranges[0],
			 hc_ranges[1]);
	if (n_full == total)
		what = "every probe fails, all backends are unhealthy and the "
		       "load balancer fails open, sending new connections to "
		       "all of them";
	else if (n_full)
		what = "the backends no probe reaches are unhealthy and get no "
		       "new connections";
	else
		what = "part of GCP's probes fail, so those backends' health "
		       "is unreliable and they may be marked unhealthy";
	psc_diag_add(L->d, PSC_SEV_WARNING, lb->health_check_loc,
		     "hc-firewall", o, hint,
		     "health-check probes from %s cannot reach tcp:%ld on "
		     "%s: %s; %s", from, hc->port, who, why, what);
}

static void check_hc_firewall(lint *L)
{
	const psc_topology *t = L->t;
	psc_cidr probe[ARRAY_LEN(hc_ranges)];
	char err[160];

	for (size_t k = 0; k < ARRAY_LEN(hc_ranges); k++)
		psc_cidr_parse(hc_ranges[k], &probe[k], err, sizeof(err));

	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		const psc_health_check *hc =
			lb->health_check[0]
				? psc_find_health_check(L->m, lb->health_check)
				: NULL;
		const char *bad[PSC_MAX_INSTANCES];
		unsigned ranges = 0;        /* bit k: hc_ranges[k] fails */
		size_t total = 0, nbad = 0, n_full = 0;
		psc_fw_verdict first = {PSC_FW_DENY, NULL, 0};
		bool neg = false;

		if (!hc)
			continue;
		for (size_t b = 0; b < lb->n_backends; b++)
			neg |= psc_find_neg(L->m, lb->backends[b]) != NULL;
		if (neg)
			continue;           /* neg-health-check says it */
		for (size_t b = 0; b < lb->n_backends; b++) {
			const psc_instance_group *ig =
				psc_find_instance_group(L->m, lb->backends[b]);
			for (size_t m = 0; ig && m < ig->n_instances; m++) {
				const psc_instance *in = psc_find_instance(
					L->m, ig->instances[m]);
				unsigned mask = 0;
				if (!in)
					continue;
				total++;
				for (size_t k = 0; k < ARRAY_LEN(hc_ranges);
				     k++) {
					psc_fw_verdict v;
					if (reaches(L, in, &probe[k], "tcp",
						    (int)hc->port, &v))
						continue;
					if (!mask && !nbad)
						first = v;
					mask |= 1u << k;
				}
				if (!mask)
					continue;
				ranges |= mask;
				n_full += mask == 3;
				if (nbad < ARRAY_LEN(bad))
					bad[nbad++] = in->name;
			}
		}
		if (nbad)
			hc_report(L, lb, hc, bad, nbad, ranges, n_full, total,
				  &first);
	}
}

/* ---- 11. load balancers ---- */

static void check_load_balancers(lint *L)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		size_t first_neg = SIZE_MAX, first_ig = SIZE_MAX;
		psc_lint_obj(o, sizeof(o), "load balancer", lb->name);
		for (size_t b = 0; b < lb->n_backends; b++) {
			if (psc_find_neg(L->m, lb->backends[b]) &&
			    first_neg == SIZE_MAX)
				first_neg = b;
			if (psc_find_instance_group(L->m, lb->backends[b]) &&
			    first_ig == SIZE_MAX)
				first_ig = b;
		}
		if (first_neg != SIZE_MAX && first_ig != SIZE_MAX) {
			size_t at = first_neg > first_ig ? first_neg : first_ig;
			psc_diag_add(L->d, PSC_SEV_ERROR, lb->backends_loc[at],
				     "lb-backends-mixed", o,
				     "use one load balancer per kind of "
				     "backend",
				     "backends mix network endpoint group "
				     "'%s' and instance group '%s'; GCP "
				     "refuses both kinds in one backend "
				     "service", lb->backends[first_neg],
				     lb->backends[first_ig]);
			continue;
		}
		if (first_neg != SIZE_MAX && lb->health_check[0])
			psc_diag_add(L->d, PSC_SEV_ERROR, lb->health_check_loc,
				     "neg-health-check", o,
				     "drop the health_check",
				     "health check '%s' on port-mapping NEG "
				     "'%s': GCP does not support health checks "
				     "with port-mapping NEGs (nothing gates "
				     "their traffic)", lb->health_check,
				     lb->backends[first_neg]);
		if (first_ig != SIZE_MAX && !lb->health_check[0])
			psc_diag_add(L->d, PSC_SEV_ERROR,
				     lb->backends_loc[first_ig],
				     "lb-health-check-missing", o,
				     "add health_check: with a TCP health "
				     "check on a port the backends serve",
				     "instance group backend '%s' without a "
				     "health check; GCP requires one for a "
				     "backend service of instance groups",
				     lb->backends[first_ig]);
	}
}

/* ---- 12. port-mapping NEGs ---- */

/* endpoint e against the endpoints before it: a repeated VM and port, or
 * a repeated client port (an exact copy is one mistake: reported once) */
static void neg_endpoint_dups(lint *L, const char *o, const psc_neg *g,
			      size_t e)
{
	const psc_neg_endpoint *ne = &g->endpoints[e];
	for (size_t p = 0; p < e; p++) {
		const psc_neg_endpoint *pe = &g->endpoints[p];
		if (strcmp(pe->instance, ne->instance) == 0 &&
		    pe->port == ne->port) {
			psc_diag_add(L->d, PSC_SEV_ERROR, ne->loc,
				     "neg-endpoint-duplicate", o, NULL,
				     "endpoint %s:%ld is already in the group "
				     "(line %d); GCP refuses a duplicate VM "
				     "and port", ne->instance, ne->port,
				     pe->loc.line);
			return;
		}
		if (pe->client_port == ne->client_port) {
			psc_diag_add(L->d, PSC_SEV_ERROR, ne->client_port_loc,
				     "neg-client-port-duplicate", o, NULL,
				     "client port %ld is already mapped to "
				     "%s:%ld (line %d); client ports of a "
				     "port-mapping NEG are unique",
				     ne->client_port, pe->instance, pe->port,
				     pe->loc.line);
			return;
		}
	}
}

static void check_negs(lint *L)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *g = &t->network_endpoint_groups[i];
		const psc_subnet *gs = subnet_find(L, g->subnetwork, NULL);
		psc_lint_obj(o, sizeof(o), "network endpoint group", g->name);
		for (size_t e = 0; e < g->n_endpoints; e++) {
			const psc_neg_endpoint *ne = &g->endpoints[e];
			const psc_instance *in =
				psc_find_instance(L->m, ne->instance);
			neg_endpoint_dups(L, o, g, e);
			if (!in || !gs ||
			    !subnet_find(L, in->subnetwork, NULL) ||
			    strcmp(in->subnetwork, g->subnetwork) == 0)
				continue;
			psc_diag_add(L->d, PSC_SEV_ERROR, ne->instance_loc,
				     "neg-subnet", o, NULL,
				     "instance '%s' is in subnetwork '%s', not "
				     "the NEG's subnetwork '%s': a port-mapping "
				     "endpoint's VM has its NIC in the NEG "
				     "subnet, so GCP refuses it", in->name,
				     in->subnetwork, g->subnetwork);
		}
	}
}

/* ---- 13, 14. zones ---- */

static void check_zones(lint *L)
{
	const psc_topology *t = L->t;
	char o[160];

	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		const psc_subnet *s = subnet_find(L, in->subnetwork, NULL);
		size_t rl, zl = strlen(in->zone);
		if (!s)
			continue;
		rl = strlen(s->region);
		if (zl == rl + 2 && strncmp(in->zone, s->region, rl) == 0 &&
		    in->zone[rl] == '-' && in->zone[rl + 1] >= 'a' &&
		    in->zone[rl + 1] <= 'z')
			continue;
		char hint[200] = "";
		if (zl >= 2 && in->zone[zl - 2] == '-' &&
		    in->zone[zl - 1] >= 'a' && in->zone[zl - 1] <= 'z')
			snprintf(hint, sizeof(hint), "did you mean '%s-%c'?",
				 s->region, in->zone[zl - 1]);
		psc_diag_add(L->d, PSC_SEV_ERROR, in->zone_loc, "zone-region",
			     psc_lint_obj(o, sizeof(o), "instance", in->name),
			     hint,
			     "zone '%s' is not in region '%s' of subnetwork "
			     "'%s' (a zone is <region>-<letter>); GCP refuses "
			     "it", in->zone, s->region, s->name);
	}

	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *g = &t->instance_groups[i];
		psc_lint_obj(o, sizeof(o), "instance group", g->name);
		for (size_t m = 0; m < g->n_instances; m++) {
			const psc_instance *in =
				psc_find_instance(L->m, g->instances[m]);
			if (!in || strcmp(in->zone, g->zone) == 0)
				continue;
			psc_diag_add(L->d, PSC_SEV_ERROR, g->instances_loc[m],
				     "ig-zone", o, NULL,
				     "instance '%s' is in zone '%s', not the "
				     "group's zone '%s': a single-zone "
				     "instance group holds instances of its "
				     "zone only, so GCP refuses it", in->name,
				     in->zone, g->zone);
		}
	}
}

/* ---- 15. the service attachment's connection preference ---- */

/* "did you mean" from the accept list to the consumer's project, or how
 * to accept it */
static void not_accepted_hint(const psc_service_attachment *sa,
			      const char *prj, char *hint, size_t len)
{
	const char *cand[PSC_MAX_ACCEPT];
	size_t n = sa->n_consumer_accept_lists;
	for (size_t k = 0; k < n; k++)
		cand[k] = sa->consumer_accept_lists[k].project;
	const char *c = psc_closest(prj, cand, n);
	for (size_t k = 0; c && k < n; k++) {
		const psc_accept *a = &sa->consumer_accept_lists[k];
		if (cand[k] != c)
			continue;
		snprintf(hint, len,
			 "consumer_accept_lists has '%s' (line %d): did you "
			 "mean '%s'?", a->project, a->project_loc.line, prj);
		return;
	}
	snprintf(hint, len,
		 "add it to consumer_accept_lists of service attachment '%s'",
		 sa->name);
}

/* The connection of PSC endpoint ep (in network net) to attachment sa, as
 * GCP decides it: REJECTED (on the reject list), PENDING (ACCEPT_MANUAL and
 * not accepted, or over its project's connection_limit; used[] counts the
 * connections of each accepted project so far), or accepted. */
static void check_psc_connection(lint *L, const psc_service_attachment *sa,
				 const psc_endpoint *ep,
				 const psc_network *net, size_t *used)
{
	bool manual = strcmp(sa->connection_preference, "ACCEPT_MANUAL") == 0;
	const char *prj = net->project;
	size_t acc = SIZE_MAX;
	bool rej = false;
	char o[160], hint[256];

	for (size_t k = 0; k < sa->n_consumer_accept_lists; k++)
		if (strcmp(sa->consumer_accept_lists[k].project, prj) == 0) {
			acc = k;
			break;
		}
	for (size_t k = 0; k < sa->n_consumer_reject_lists; k++)
		rej |= strcmp(sa->consumer_reject_lists[k], prj) == 0;
	psc_lint_obj(o, sizeof(o), "PSC endpoint", ep->name);
	if (rej && acc != SIZE_MAX) {
		psc_diag_add(L->d, PSC_SEV_ERROR,
			     ep->target_loc, "psc-rejected", o,
			     "keep the project on one list "
			     "only",
			     "consumer project '%s' is on both "
			     "consumer_accept_lists and "
			     "consumer_reject_lists of service "
			     "attachment '%s': GCP blocks it, "
			     "the endpoint is REJECTED and "
			     "passes no traffic", prj,
			     sa->name);
		return;
	}
	if (rej) {
		psc_diag_add(L->d, PSC_SEV_ERROR,
			     ep->target_loc, "psc-rejected", o,
			     NULL,
			     "consumer project '%s' (network "
			     "'%s') is on consumer_reject_lists "
			     "of service attachment '%s': the "
			     "endpoint is REJECTED and passes "
			     "no traffic", prj, net->name,
			     sa->name);
		return;
	}
	if (!manual)
		return;         /* ACCEPT_AUTOMATIC */
	if (acc == SIZE_MAX) {
		not_accepted_hint(sa, prj, hint, sizeof(hint));
		psc_diag_add(L->d, PSC_SEV_ERROR,
			     ep->target_loc, "psc-not-accepted",
			     o, hint,
			     "consumer project '%s' (network "
			     "'%s') is not on "
			     "consumer_accept_lists of service "
			     "attachment '%s' (ACCEPT_MANUAL): "
			     "the endpoint stays PENDING and "
			     "passes no traffic", prj,
			     net->name, sa->name);
		return;
	}
	const psc_accept *a = &sa->consumer_accept_lists[acc];
	if (++used[acc] <= (size_t)a->connection_limit)
		return;
	snprintf(hint, sizeof(hint),
		 "raise connection_limit of project '%s' "
		 "(line %d)", prj, a->loc.line);
	psc_diag_add(L->d, PSC_SEV_ERROR, ep->target_loc,
		     "psc-connection-limit", o, hint,
		     "connection %zu from project '%s' to "
		     "service attachment '%s' is over its "
		     "connection_limit %ld: the endpoint "
		     "stays PENDING and passes no traffic",
		     used[acc], prj, sa->name,
		     a->connection_limit);
}

static void check_psc_connections(lint *L)
{
	const psc_topology *t = L->t;

	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		size_t used[PSC_MAX_ACCEPT] = {0};

		for (size_t e = 0; e < t->n_psc_endpoints; e++) {
			const psc_endpoint *ep = &t->psc_endpoints[e];
			const psc_network *net = net_find(L, ep->network);
			if (strcmp(ep->target, sa->name) != 0 || !net)
				continue;
			check_psc_connection(L, sa, ep, net, used);
		}
	}
}

/* ---- 16. the changefeed's network ---- */

static bool changefeed_nets(const lint *L, const psc_network **cf_net,
			    const psc_network **ep_net)
{
	const psc_changefeed *cf = &L->t->changefeed;
	const psc_instance *in;
	const psc_endpoint *ep;
	*cf_net = *ep_net = NULL;
	if (!cf->present)
		return false;
	in = psc_find_instance(L->m, cf->instance);
	ep = psc_find_endpoint(L->m, cf->endpoint);
	*cf_net = in ? net_find(L, in->network) : NULL;
	*ep_net = ep ? net_find(L, ep->network) : NULL;
	return true;
}

static void check_changefeed_network(lint *L)
{
	const psc_changefeed *cf = &L->t->changefeed;
	const psc_network *cn, *en;
	char o[160];
	if (!changefeed_nets(L, &cn, &en) || !cn || !en || cn == en)
		return;
	psc_diag_add(L->d, PSC_SEV_ERROR, cf->endpoint_loc,
		     "changefeed-network",
		     psc_lint_obj(o, sizeof(o), "changefeed", NULL), NULL,
		     "instance '%s' is in network '%s', but PSC endpoint "
		     "'%s' is in network '%s': a consumer reaches a PSC "
		     "endpoint only from inside its VPC", cf->instance,
		     cn->name, cf->endpoint, en->name);
}

/* ---- 17. Cloud DNS ---- */

static bool label_ok(const char *s, size_t n)
{
	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* the first bad label of a dot-separated sequence (len chars), or -1 */
static int bad_label(const char *s, size_t len, size_t *at, size_t *n)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!label_ok(s + start, i - start)) {
			*at = start;
			*n = i - start;
			return 0;
		}
		start = i + 1;
	}
	return -1;
}

static void check_dns(lint *L)
{
	const psc_topology *t = L->t;
	char o[160], hint[300];

	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		size_t len = strlen(z->dns_name), at, n;
		psc_lint_obj(o, sizeof(o), "DNS zone", z->name);
		bool dot = len > 0 && z->dns_name[len - 1] == '.';
		size_t body = dot ? len - 1 : len;
		if (body > 253)
			psc_diag_add(L->d, PSC_SEV_ERROR, z->dns_name_loc,
				     "dns-name", o, NULL,
				     "dns_name is %zu characters long (without "
				     "the trailing dot); a DNS name has at "
				     "most 253", body);
		else if (bad_label(z->dns_name, body, &at, &n) == 0)
			psc_diag_add(L->d, PSC_SEV_ERROR, z->dns_name_loc,
				     "dns-name", o, NULL,
				     "dns_name '%s' has label '%.*s': a label "
				     "is 1 to 63 of a-z, 0-9 and '-', not "
				     "starting or ending with '-'",
				     z->dns_name, (int)n, z->dns_name + at);
		else if (!dot) {
			snprintf(hint, sizeof(hint),
				 "add the trailing dot: '%s.'", z->dns_name);
			psc_diag_add(L->d, PSC_SEV_ERROR, z->dns_name_loc,
				     "dns-name", o, hint,
				     "dns_name '%s' has no trailing dot; Cloud "
				     "DNS takes an absolute name",
				     z->dns_name);
		}
		for (size_t r = 0; r < z->n_records; r++) {
			const psc_dns_record *rec = &z->records[r];
			size_t rl = strlen(rec->name);
			if (strcmp(rec->name, "*") == 0 ||
			    bad_label(rec->name, rl, &at, &n) < 0)
				continue;
			hint[0] = '\0';
			if (rl > 1 && rec->name[rl - 1] == '.' &&
			    bad_label(rec->name, rl - 1, &at, &n) < 0)
				snprintf(hint, sizeof(hint),
					 "record names are relative to the "
					 "zone: write '%.*s'", (int)(rl - 1),
					 rec->name);
			psc_diag_add(L->d, PSC_SEV_ERROR, rec->name_loc,
				     "dns-record-name", o, hint,
				     "record name '%s' is not '*' or a "
				     "relative name (labels of a-z, 0-9 and "
				     "'-', no trailing dot)", rec->name);
		}
	}

	/* a zone visible where the changefeed resolves the names */
	const psc_changefeed *cf = &t->changefeed;
	const psc_network *cn, *en;
	if (!changefeed_nets(L, &cn, &en) || !cn || (en && en != cn))
		return;                 /* changefeed-network says it */
	for (size_t i = 0; i < t->n_dns_zones; i++)
		for (size_t j = 0; j < t->dns_zones[i].n_networks; j++)
			if (strcmp(t->dns_zones[i].networks[j], cn->name) == 0)
				return;
	hint[0] = '\0';
	if (t->n_dns_zones)
		snprintf(hint, sizeof(hint),
			 "add '%s' to networks of DNS zone '%s' (line %d)",
			 cn->name, t->dns_zones[0].name,
			 t->dns_zones[0].loc.line);
	psc_diag_add(L->d, PSC_SEV_ERROR, cf->instance_loc,
		     "dns-zone-network",
		     psc_lint_obj(o, sizeof(o), "changefeed", NULL), hint,
		     "no private DNS zone is visible to network '%s' of "
		     "instance '%s': the advertised names would not resolve "
		     "there", cn->name, cf->instance);
}

void psc_lint_net(const psc_topology *t, psc_diags *d)
{
	lint L = {t, (psc_topology *)t, d};

	check_duplicates(&L);
	check_references(&L);
	check_cidrs(&L);
	check_overlap_in_vpc(&L);
	check_overlap_psc(&L);
	check_addresses(&L);
	check_nat_subnets(&L);
	check_firewall_syntax(&L);
	check_load_balancers(&L);
	check_negs(&L);
	check_zones(&L);
	check_psc_connections(&L);
	check_changefeed_network(&L);
	check_dns(&L);
	check_psc_firewall(&L);
	check_hc_firewall(&L);
}
