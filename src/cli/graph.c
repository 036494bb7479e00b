/* graph.c - the graph model of a topology (see graph.h): clusters, nodes
 * and edges built from the topology and its plan, the colour helpers and
 * the tables the writers share.  Pure: writes nothing anywhere. */
#include "cli/graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/addr.h"
#include "model/consumers.h"

static const struct {
	const char *name, *fill, *line, *meaning;
} colours[] = {
	[PSC_GC_NONE] = {"none", "#ffffff", "#000000",
			 "a topology, or a running lab's object with nothing "
			 "to report"},
	[PSC_GC_OK] = {"ok", "#d4f7d4", "#1a7f1a",
		       "running, healthy, accepted, or passed the last verify"},
	[PSC_GC_UNKNOWN] = {"unknown", "#e6e6e6", "#7f7f7f",
			    "state not known (not in the journal, no health "
			    "line yet)"},
	[PSC_GC_WARN] = {"warn", "#fff1c2", "#b37400",
			 "degraded: a WARN of the last verify, an endpoint "
			 "PENDING"},
	[PSC_GC_BAD] = {"bad", "#ffd6d6", "#c00000",
			"down: a process not running, a backend UNHEALTHY, an "
			"endpoint REJECTED, a FAIL of the last verify, a fault"},
};

static const struct {
	const char *prefix, *title;
} kinds[] = {
	[PSC_GN_VM] = {"vm_", "VM instance: address, role"},
	[PSC_GN_LB] = {"lb_", "internal passthrough load balancer "
			      "(forwarding rule)"},
	[PSC_GN_NEG] = {"neg_", "port mapping NEG"},
	[PSC_GN_IG] = {"ig_", "instance group"},
	[PSC_GN_HC] = {"hc_", "health check"},
	[PSC_GN_SA] = {"sa_", "PSC service attachment"},
	[PSC_GN_NAT] = {"nat_", "the PSC NAT subnet of a service attachment"},
	[PSC_GN_EP] = {"ep_", "PSC endpoint (consumer side)"},
	[PSC_GN_DNS] = {"dns_", "private DNS zone"},
	[PSC_GN_EMPTY] = {"empty_", "a subnet with nothing in it"},
};

const char *psc_graph_colour_name(psc_graph_colour c)
{
	return (unsigned)c <= PSC_GC_LAST ? colours[c].name : "?";
}

const char *psc_graph_colour_fill(psc_graph_colour c)
{
	return (unsigned)c <= PSC_GC_LAST ? colours[c].fill : "#ffffff";
}

const char *psc_graph_colour_line(psc_graph_colour c)
{
	return (unsigned)c <= PSC_GC_LAST ? colours[c].line : "#000000";
}

const char *psc_graph_colour_meaning(psc_graph_colour c)
{
	return (unsigned)c <= PSC_GC_LAST ? colours[c].meaning : "?";
}

const char *psc_graph_kind_title(psc_graph_kind k)
{
	return (unsigned)k <= PSC_GN_LAST ? kinds[k].title : "?";
}

const char *psc_graph_kind_prefix(psc_graph_kind k)
{
	return (unsigned)k <= PSC_GN_LAST ? kinds[k].prefix : "?";
}

int psc_graph_format_parse(const char *s, psc_graph_format *f)
{
	static const char *const names[] = {"dot", "svg", "png", "mermaid",
					    "html"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (psc_graph_format)i;
			return 0;
		}
	return -1;
}

void psc_graph_mermaid_id(const char *id, char *out, size_t len)
{
	size_t o = 0;
	for (; *id && o + 1 < len; id++) {
		char ch = *id;
		bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '_';
		out[o++] = keep ? ch : '_';
	}
	if (len)
		out[o] = '\0';
}

int psc_graph_find(const psc_graph *g, psc_graph_kind kind, const char *object)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].kind == kind &&
		    strcmp(g->nodes[i].object, object) == 0)
			return (int)i;
	return -1;
}

int psc_graph_find_edge(const psc_graph *g, int from, int to)
{
	for (size_t i = 0; i < g->n_edges; i++)
		if (g->edges[i].from == from && g->edges[i].to == to)
			return (int)i;
	return -1;
}

static void add_why(char *why, size_t len, const char *line)
{
	if (!line || !*line || strstr(why, line))
		return;
	psc_appendf(why, len, "%s%s", why[0] ? "\n" : "", line);
}

void psc_graph_colour_node(psc_graph *g, int i, psc_graph_colour c,
			   const char *why)
{
	if (i < 0 || (size_t)i >= g->n_nodes)
		return;
	psc_graph_node *n = &g->nodes[i];
	if (c > n->colour)
		n->colour = c;
	add_why(n->why, sizeof(n->why), why);
}

void psc_graph_colour_edge(psc_graph *g, int i, psc_graph_colour c,
			   const char *why)
{
	if (i < 0 || (size_t)i >= g->n_edges)
		return;
	psc_graph_edge *e = &g->edges[i];
	if (c > e->colour)
		e->colour = c;
	add_why(e->why, sizeof(e->why), why);
}

/* ---- building ---- */

/* the builder's state: the graph, and whether something did not fit */
typedef struct builder {
	psc_graph *g;
	const psc_topology *t;
	const psc_plan *p;
	bool full;
} builder;

static int cluster_of(const psc_graph *g, const char *prefix, const char *name)
{
	char id[PSC_GRAPH_ID_LEN];
	psc_setf(id, sizeof(id), "%s%s", prefix, name);
	for (size_t i = 0; i < g->n_clusters; i++)
		if (strcmp(g->clusters[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int vpc_cluster(const builder *b, const char *network)
{
	return cluster_of(b->g, "cluster_vpc_", network);
}

static int subnet_cluster(const builder *b, const char *subnet)
{
	return cluster_of(b->g, "cluster_subnet_", subnet);
}

/* true when another node's Mermaid id is the same as id's */
static bool mermaid_taken(const psc_graph *g, const char *id)
{
	char a[PSC_GRAPH_ID_LEN], m[PSC_GRAPH_ID_LEN];
	psc_graph_mermaid_id(id, m, sizeof(m));
	for (size_t i = 0; i < g->n_nodes; i++) {
		psc_graph_mermaid_id(g->nodes[i].id, a, sizeof(a));
		if (strcmp(a, m) == 0)
			return true;
	}
	return false;
}

static int add_node(builder *b, psc_graph_kind k, const char *object,
		    int cluster, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int add_node(builder *b, psc_graph_kind k, const char *object,
		    int cluster, const char *fmt, ...)
{
	psc_graph *g = b->g;
	if (g->n_nodes >= PSC_GRAPH_MAX_NODES) {
		b->full = true;
		return -1;
	}
	psc_graph_node *n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->cluster = cluster;
	PSC_SET(n->object, "%s", object);
	PSC_SET(n->id, "%s%s", kinds[k].prefix, object);
	if (mermaid_taken(g, n->id))   /* "a-b" and "a_b": keep both */
		PSC_APP(n->id, "_%zu", g->n_nodes);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->label, sizeof(n->label), fmt, ap);
	va_end(ap);
	return (int)g->n_nodes++;
}

static void add_edge(builder *b, int from, int to, psc_graph_style s,
		     const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void add_edge(builder *b, int from, int to, psc_graph_style s,
		     const char *fmt, ...)
{
	psc_graph *g = b->g;
	if (from < 0 || to < 0)        /* a reference lint would refuse */
		return;
	if (g->n_edges >= PSC_GRAPH_MAX_EDGES) {
		b->full = true;
		return;
	}
	psc_graph_edge *e = &g->edges[g->n_edges++];
	memset(e, 0, sizeof(*e));
	e->from = from;
	e->to = to;
	e->style = s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->label, sizeof(e->label), fmt, ap);
	va_end(ap);
}

static const char *ip_of(uint32_t ip, char *buf)
{
	return ip ? psc_ip_str(ip, buf, 16) : "?";
}

/* the service attachments that take their NAT addresses from subnet s */
static void nat_users(const psc_topology *t, const char *subnet, char *out,
		      size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		for (size_t k = 0; k < sa->n_nat_subnets; k++)
			if (strcmp(sa->nat_subnets[k], subnet) == 0)
				psc_appendf(out, len, "%s%s", out[0] ? ", " : "",
					    sa->name);
	}
}

static void clusters(builder *b)
{
	psc_graph *g = b->g;
	for (size_t i = 0; i < b->t->n_networks; i++) {
		const psc_network *n = &b->t->networks[i];
		psc_graph_cluster *v = &g->clusters[g->n_clusters];
		int vi = (int)g->n_clusters++;
		PSC_SET(v->id, "cluster_vpc_%s", n->name);
		PSC_SET(v->label, "VPC %s (project %s)", n->name, n->project);
		v->parent = -1;
		for (size_t j = 0; j < n->n_subnetworks; j++) {
			const psc_subnet *s = &n->subnetworks[j];
			psc_graph_cluster *c = &g->clusters[g->n_clusters++];
			char users[PSC_GRAPH_LABEL_LEN / 2];
			PSC_SET(c->id, "cluster_subnet_%s", s->name);
			c->parent = vi;
			c->nat = strcmp(s->purpose, "PRIVATE_SERVICE_CONNECT") == 0;
			PSC_SET(c->label, "subnet %s %s %s", s->name,
				s->ip_cidr_range, s->region);
			nat_users(b->t, s->name, users, sizeof(users));
			if (c->nat)
				PSC_APP(c->label, "\nPSC NAT subnet of "
					"service attachment %s",
					users[0] ? users : "(none uses it)");
		}
	}
}

/* "Kafka broker+controller, node 1 (b1)", "kafka-proxy", ... */
static void role_of(const psc_topology *t, const char *vm, char *out,
		    size_t len)
{
	const psc_kafka *k = &t->kafka;
	out[0] = '\0';
	for (size_t i = 0; i < k->n_brokers; i++) {
		if (strcmp(k->brokers[i].instance, vm))
			continue;
		psc_appendf(out, len, "Kafka ");
		for (size_t r = 0; r < k->n_process_roles; r++)
			psc_appendf(out, len, "%s%s", r ? "+" : "",
				    k->process_roles[r]);
		psc_appendf(out, len, ", node %ld (%s)", k->brokers[i].node_id,
			    k->brokers[i].broker_id);
	}
	/* the seed's kafka-proxy, or one of kafka_proxies[] (the FAQ's) */
	if (psc_kafka_proxy_on(t, vm))
		psc_appendf(out, len, "%skafka-proxy", out[0] ? ", " : "");
	/* a consumer's changefeed; a further project's says which */
	long c = psc_consumer_of_node(t, vm);
	if (c >= 0)
		psc_appendf(out, len, "%sTiDB Cloud changefeed%s%s%s",
			    out[0] ? ", " : "", c ? " (project " : "",
			    c ? psc_consumer_project(t, (size_t)c) : "",
			    c ? ")" : "");
}

static void vms(builder *b)
{
	char ip[16], role[160];
	for (size_t i = 0; i < b->p->n_vms; i++) {
		const psc_plan_vm *vm = &b->p->vms[i];
		role_of(b->t, vm->in->name, role, sizeof(role));
		add_node(b, PSC_GN_VM, vm->in->name,
			 subnet_cluster(b, vm->in->subnetwork), "%s\n%s%s%s",
			 vm->in->name, ip_of(vm->ip, ip), role[0] ? "\n" : "",
			 role);
	}
}

static void lbs(builder *b)
{
	char ip[16];
	for (size_t i = 0; i < b->p->n_lbs; i++) {
		const psc_plan_lb *pl = &b->p->lbs[i];
		const psc_load_balancer *lb = pl->lb;
		add_node(b, PSC_GN_LB, lb->name,
			 subnet_cluster(b, lb->subnetwork),
			 "load balancer %s\n%s ports %s\n%s %s", lb->name,
			 ip_of(pl->vip, ip), lb->ports, lb->scheme,
			 lb->protocol);
	}
}

/* NEGs, instance groups and health checks: in their VPC's cluster */
static void backends(builder *b)
{
	const psc_topology *t = b->t;
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *n = &t->network_endpoint_groups[i];
		add_node(b, PSC_GN_NEG, n->name, vpc_cluster(b, n->network),
			 "NEG %s\n%s %s", n->name, n->type, n->region);
	}
	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *ig = &t->instance_groups[i];
		const psc_plan_vm *vm = ig->n_instances
			? psc_plan_vm_by_name(b->p, ig->instances[0]) : NULL;
		add_node(b, PSC_GN_IG, ig->name,
			 vm ? vpc_cluster(b, vm->in->network) : -1,
			 "instance group %s\n%s", ig->name, ig->zone);
	}
	for (size_t i = 0; i < t->n_health_checks; i++) {
		const psc_health_check *hc = &t->health_checks[i];
		int c = -1;
		for (size_t l = 0; l < t->n_load_balancers && c < 0; l++)
			if (strcmp(t->load_balancers[l].health_check,
				   hc->name) == 0)
				c = vpc_cluster(b, t->load_balancers[l].network);
		add_node(b, PSC_GN_HC, hc->name, c,
			 "health check %s\n%s :%ld every %ld s", hc->name,
			 hc->protocol, hc->port, hc->check_interval_sec);
	}
}

/* the service attachments (in their load balancer's VPC) and the node of
 * each PSC NAT subnet, with the NAT address each endpoint gets */
static void attachments(builder *b)
{
	const psc_topology *t = b->t;
	char ip[16];
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		psc_load_balancer *lb =
			psc_find_load_balancer((psc_topology *)t, sa->target);
		char acc[PSC_GRAPH_LABEL_LEN / 2] = "";
		for (size_t a = 0; a < sa->n_consumer_accept_lists; a++)
			PSC_APP(acc, "\naccepts %s (limit %ld)",
				sa->consumer_accept_lists[a].project,
				sa->consumer_accept_lists[a].connection_limit);
		for (size_t r = 0; r < sa->n_consumer_reject_lists; r++)
			PSC_APP(acc, "\nrejects %s", sa->consumer_reject_lists[r]);
		add_node(b, PSC_GN_SA, sa->name,
			 lb ? vpc_cluster(b, lb->network) : -1,
			 "service attachment %s\n%s%s", sa->name,
			 sa->connection_preference, acc);
	}
	for (size_t c = 0; c < b->g->n_clusters; c++) {
		const psc_graph_cluster *cl = &b->g->clusters[c];
		if (!cl->nat)
			continue;
		const char *subnet = cl->id + strlen("cluster_subnet_");
		psc_subnet *s = psc_find_subnet((psc_topology *)t, subnet, NULL);
		char users[PSC_GRAPH_LABEL_LEN / 2], nats[PSC_GRAPH_LABEL_LEN / 2] = "";
		nat_users(t, subnet, users, sizeof(users));
		for (size_t e = 0; e < b->p->n_eps; e++) {
			const psc_plan_endpoint *pe = &b->p->eps[e];
			if (pe->sa && pe->sa->n_nat_subnets &&
			    strcmp(pe->sa->nat_subnets[0], subnet) == 0)
				PSC_APP(nats, "\nsource NAT %s for %s",
					ip_of(pe->nat_ip, ip), pe->ep->name);
		}
		add_node(b, PSC_GN_NAT, subnet, (int)c,
			 "PSC NAT subnet of service attachment %s\n%s%s",
			 users[0] ? users : "(none uses it)",
			 s ? s->ip_cidr_range : "?", nats);
	}
}

static void endpoints(builder *b)
{
	char ip[16];
	for (size_t i = 0; i < b->p->n_eps; i++) {
		const psc_plan_endpoint *pe = &b->p->eps[i];
		add_node(b, PSC_GN_EP, pe->ep->name,
			 subnet_cluster(b, pe->ep->subnetwork),
			 "PSC endpoint %s\n%s\n%s", pe->ep->name,
			 ip_of(pe->ip, ip), psc_ep_status_name(pe->status));
	}
}

static void zones(builder *b)
{
	for (size_t i = 0; i < b->t->n_dns_zones; i++) {
		const psc_dns_zone *z = &b->t->dns_zones[i];
		char vis[PSC_GRAPH_LABEL_LEN / 2] = "";
		for (size_t n = 0; n < z->n_networks; n++)
			PSC_APP(vis, "%s%s", n ? ", " : "", z->networks[n]);
		add_node(b, PSC_GN_DNS, z->name,
			 z->n_networks ? vpc_cluster(b, z->networks[0]) : -1,
			 "private zone %s\n%s\nvisible to %s", z->name,
			 z->dns_name, vis);
	}
}

/* a subnet cluster with nothing in it gets a node, or it vanishes */
static void empty_subnets(builder *b)
{
	for (size_t c = 0; c < b->g->n_clusters; c++) {
		const psc_graph_cluster *cl = &b->g->clusters[c];
		bool used = false;
		if (cl->parent < 0)
			continue;
		for (size_t i = 0; i < b->g->n_nodes && !used; i++)
			used = b->g->nodes[i].cluster == (int)c;
		if (!used)
			add_node(b, PSC_GN_EMPTY,
				 cl->id + strlen("cluster_subnet_"), (int)c,
				 "(nothing in this subnet)");
	}
}

static int node(const builder *b, psc_graph_kind k, const char *object)
{
	return psc_graph_find(b->g, k, object);
}

/* load balancer -> its NEGs and instance groups; NEG -> VM per mapping;
 * instance group -> member; health check -> the groups it probes */
static void backend_edges(builder *b)
{
	const psc_topology *t = b->t;
	for (size_t l = 0; l < t->n_load_balancers; l++) {
		const psc_load_balancer *lb = &t->load_balancers[l];
		int from = node(b, PSC_GN_LB, lb->name);
		for (size_t k = 0; k < lb->n_backends; k++) {
			int neg = node(b, PSC_GN_NEG, lb->backends[k]);
			int ig = node(b, PSC_GN_IG, lb->backends[k]);
			add_edge(b, from, neg >= 0 ? neg : ig, PSC_GE_SOLID,
				 "backend%s%s", lb->health_check[0] && ig >= 0
				 ? ", health check " : "", ig >= 0
				 ? lb->health_check : "");
			if (ig >= 0 && lb->health_check[0])
				add_edge(b, node(b, PSC_GN_HC, lb->health_check),
					 ig, PSC_GE_DOTTED, "probes");
		}
	}
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *n = &t->network_endpoint_groups[i];
		for (size_t e = 0; e < n->n_endpoints; e++) {
			const psc_neg_endpoint *ne = &n->endpoints[e];
			add_edge(b, node(b, PSC_GN_NEG, n->name),
				 node(b, PSC_GN_VM, ne->instance), PSC_GE_SOLID,
				 "%ld -> %s:%ld", ne->client_port, ne->instance,
				 ne->port);
		}
	}
	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *ig = &t->instance_groups[i];
		for (size_t e = 0; e < ig->n_instances; e++)
			add_edge(b, node(b, PSC_GN_IG, ig->name),
				 node(b, PSC_GN_VM, ig->instances[e]),
				 PSC_GE_SOLID, "member");
	}
}

/* endpoint -> attachment -> load balancer, attachment -> NAT subnet */
static void psc_edges(builder *b)
{
	const psc_topology *t = b->t;
	char ip[16];
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		int from = node(b, PSC_GN_SA, sa->name);
		add_edge(b, from, node(b, PSC_GN_LB, sa->target), PSC_GE_SOLID,
			 "target");
		for (size_t k = 0; k < sa->n_nat_subnets; k++)
			add_edge(b, from, node(b, PSC_GN_NAT, sa->nat_subnets[k]),
				 PSC_GE_DOTTED, "NAT subnet");
	}
	for (size_t i = 0; i < b->p->n_eps; i++) {
		const psc_plan_endpoint *pe = &b->p->eps[i];
		add_edge(b, node(b, PSC_GN_EP, pe->ep->name),
			 node(b, PSC_GN_SA, pe->ep->target), PSC_GE_SOLID,
			 "PSC, source NAT %s", ip_of(pe->nat_ip, ip));
	}
}

/* the instance a kafka-proxy upstream ("broker-node1:9092" or an
 * address) names, or NULL */
static const char *upstream_vm(const builder *b, const char *upstream)
{
	uint32_t ip;
	int port;
	if (psc_resolve_hostport(b->t, upstream, &ip, &port) < 0)
		return NULL;
	for (size_t i = 0; i < b->p->n_vms; i++)
		if (b->p->vms[i].ip == ip)
			return b->p->vms[i].in->name;
	return NULL;
}

/* kafka-proxy (each of its instances) -> broker per bootstrap mapping */
static void proxy_edges_of(builder *b, const psc_kafka_proxy *kp)
{
	if (!kp->present)
		return;
	for (size_t i = 0; i <= kp->n_additional_instances; i++) {
		const char *vm = i ? kp->additional_instances[i - 1]
				   : kp->instance;
		for (size_t m = 0; m < kp->n_bootstrap_server_mappings; m++) {
			const psc_proxy_mapping *pm =
				&kp->bootstrap_server_mappings[m];
			const char *up = upstream_vm(b, pm->upstream);
			add_edge(b, node(b, PSC_GN_VM, vm),
				 up ? node(b, PSC_GN_VM, up) : -1,
				 PSC_GE_DASHED, "%s -> %s", pm->listen,
				 pm->upstream);
		}
	}
}

/* the seed's kafka-proxy and kafka_proxies[] */
static void proxy_edges(builder *b)
{
	proxy_edges_of(b, &b->t->kafka_proxy);
	for (size_t i = 0; i < b->t->n_kafka_proxies; i++)
		proxy_edges_of(b, &b->t->kafka_proxies[i]);
}

/* each consumer's changefeed -> its endpoint; each zone's records ->
 * endpoints */
static void consumer_edges(builder *b)
{
	const psc_topology *t = b->t;
	for (size_t c = 0; c < psc_consumer_count(t); c++) {
		const psc_changefeed *cf = psc_consumer_changefeed(t, c);
		char ports[160] = "";
		for (size_t i = 0; i < cf->n_bootstrap_ports; i++)
			PSC_APP(ports, "%s%ld", i ? "," : "",
				cf->bootstrap_ports[i]);
		add_edge(b, node(b, PSC_GN_VM, cf->instance),
			 node(b, PSC_GN_EP, cf->endpoint),
			 PSC_GE_SOLID, "bootstrap %s", ports);
	}
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		for (size_t r = 0; r < z->n_records; r++)
			add_edge(b, node(b, PSC_GN_DNS, z->name),
				 node(b, PSC_GN_EP, z->records[r].endpoint),
				 PSC_GE_DOTTED, "%s.%s %s", z->records[r].name,
				 z->dns_name, z->records[r].type);
	}
}

int psc_graph_build(const psc_topology *t, const psc_plan *p, psc_graph *g,
		    char *err, size_t errlen)
{
	builder b = {.g = g, .t = t, .p = p, .full = false};
	memset(g, 0, sizeof(*g));
	PSC_SET(g->name, "%s", t->name);
	size_t subnets = 0;
	for (size_t i = 0; i < t->n_networks; i++)
		subnets += 1 + t->networks[i].n_subnetworks;
	if (subnets > PSC_GRAPH_MAX_CLUSTERS) {
		psc_setf(err, errlen, "topology '%s': more VPCs and subnets "
			 "than a graph holds (%d)", t->name,
			 PSC_GRAPH_MAX_CLUSTERS);
		return -1;
	}
	clusters(&b);
	vms(&b);
	lbs(&b);
	backends(&b);
	attachments(&b);
	endpoints(&b);
	zones(&b);
	empty_subnets(&b);
	backend_edges(&b);
	psc_edges(&b);
	proxy_edges(&b);
	consumer_edges(&b);
	if (b.full) {
		psc_setf(err, errlen, "topology '%s': more objects than a "
			 "graph holds (%d nodes, %d edges)", t->name,
			 PSC_GRAPH_MAX_NODES, PSC_GRAPH_MAX_EDGES);
		return -1;
	}
	return 0;
}
