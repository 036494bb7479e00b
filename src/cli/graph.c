/* graph.c - a topology as a Graphviz digraph (see graph.h). */
#include "cli/graph.h"

#include <string.h>

#include "model/addr.h"

/* dot identifiers: quote everything, names are [a-z0-9-] in practice but a
 * user's file may hold anything, so escape quotes and backslashes. */
static void q(FILE *out, const char *prefix, const char *s)
{
	fputc('"', out);
	fputs(prefix, out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
	fputc('"', out);
}

static const char *role_of(const psc_topology *t, const psc_instance *in)
{
	psc_topology *tt = (psc_topology *)t;
	if (psc_find_broker_by_instance(&tt->kafka, in->name))
		return "Kafka broker+controller";
	if (t->kafka_proxy.present &&
	    strcmp(t->kafka_proxy.instance, in->name) == 0)
		return "kafka-proxy";
	if (t->changefeed.present &&
	    strcmp(t->changefeed.instance, in->name) == 0)
		return "TiDB Cloud changefeed";
	return "";
}

static void addr_label(uint32_t ip, int ok, char *buf, size_t len)
{
	if (ok == 0)
		psc_ip_str(ip, buf, len);
	else
		snprintf(buf, len, "?");
}

/* the members of a subnet's cluster: its instances, the load balancers'
 * forwarding rules and the PSC endpoints in it */
static void subnet_members(const psc_topology *t, const psc_subnet *s,
			   FILE *out)
{
	char ip[16];
	uint32_t a;
	for (size_t k = 0; k < t->n_instances; k++) {
		const psc_instance *in = &t->instances[k];
		if (strcmp(in->subnetwork, s->name))
			continue;
		addr_label(a, psc_instance_ip(t, in, &a), ip, sizeof(ip));
		fprintf(out, "      ");
		q(out, "vm_", in->name);
		fprintf(out, " [label=\"%s\\n%s\\n%s\"];\n", in->name, ip,
			role_of(t, in));
	}
	for (size_t k = 0; k < t->n_load_balancers; k++) {
		const psc_load_balancer *lb = &t->load_balancers[k];
		if (strcmp(lb->subnetwork, s->name))
			continue;
		addr_label(a, psc_load_balancer_ip(t, lb, &a), ip, sizeof(ip));
		fprintf(out, "      ");
		q(out, "lb_", lb->name);
		fprintf(out, " [shape=diamond, label=\"%s\\n%s ports %s\"];\n",
			lb->name, ip, lb->ports);
	}
	for (size_t k = 0; k < t->n_psc_endpoints; k++) {
		const psc_endpoint *ep = &t->psc_endpoints[k];
		if (strcmp(ep->subnetwork, s->name))
			continue;
		addr_label(a, psc_endpoint_ip(t, ep, &a), ip, sizeof(ip));
		fprintf(out, "      ");
		q(out, "ep_", ep->name);
		fprintf(out, " [shape=ellipse, label=\"PSC endpoint "
			     "%s\\n%s\"];\n", ep->name, ip);
	}
}

/* a VPC: a cluster holding one cluster per subnet */
static void vpc_cluster(const psc_topology *t, const psc_network *n,
			FILE *out)
{
	fprintf(out, "  subgraph ");
	q(out, "cluster_vpc_", n->name);
	fprintf(out, " {\n    label=");
	q(out, "", n->name);
	fprintf(out, ";\n");
	for (size_t j = 0; j < n->n_subnetworks; j++) {
		const psc_subnet *s = &n->subnetworks[j];
		fprintf(out, "    subgraph ");
		q(out, "cluster_subnet_", s->name);
		fprintf(out, " {\n      label=\"%s %s%s\";\n", s->name,
			s->ip_cidr_range,
			strcmp(s->purpose, "PRIVATE_SERVICE_CONNECT")
				? "" : " (PSC NAT)");
		subnet_members(t, s, out);
		fprintf(out, "    }\n");
	}
	fprintf(out, "  }\n");
}

/* the published services (attachment -> load balancer) and the consumer
 * endpoints that reach them */
static void psc_edges(const psc_topology *t, FILE *out)
{
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		fprintf(out, "  ");
		q(out, "sa_", sa->name);
		fprintf(out, " [shape=hexagon, label=\"service attachment "
			     "%s\\n%s\"];\n  ", sa->name,
			sa->connection_preference);
		q(out, "sa_", sa->name);
		fprintf(out, " -> ");
		q(out, "lb_", sa->target);
		fprintf(out, ";\n");
	}
	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		const psc_endpoint *ep = &t->psc_endpoints[i];
		fprintf(out, "  ");
		q(out, "ep_", ep->name);
		fprintf(out, " -> ");
		q(out, "sa_", ep->target);
		fprintf(out, " [label=\"PSC (source NAT)\"];\n");
	}
}

/* load balancer -> VM, one edge per NEG mapping (client port -> port) */
static void neg_edges(const psc_topology *t, FILE *out)
{
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *g = &t->network_endpoint_groups[i];
		for (size_t j = 0; j < t->n_load_balancers; j++) {
			const psc_load_balancer *lb = &t->load_balancers[j];
			for (size_t k = 0; k < lb->n_backends; k++) {
				if (strcmp(lb->backends[k], g->name))
					continue;
				for (size_t e = 0; e < g->n_endpoints; e++) {
					const psc_neg_endpoint *ne =
						&g->endpoints[e];
					fprintf(out, "  ");
					q(out, "lb_", lb->name);
					fprintf(out, " -> ");
					q(out, "vm_", ne->instance);
					fprintf(out, " [label=\":%ld -> :%ld\"];\n",
						ne->client_port, ne->port);
				}
			}
		}
	}
}

/* load balancer -> VM, one edge per instance group member */
static void instance_group_edges(const psc_topology *t, FILE *out)
{
	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *g = &t->instance_groups[i];
		for (size_t j = 0; j < t->n_load_balancers; j++) {
			const psc_load_balancer *lb = &t->load_balancers[j];
			for (size_t k = 0; k < lb->n_backends; k++) {
				if (strcmp(lb->backends[k], g->name))
					continue;
				for (size_t e = 0; e < g->n_instances; e++) {
					fprintf(out, "  ");
					q(out, "lb_", lb->name);
					fprintf(out, " -> ");
					q(out, "vm_", g->instances[e]);
					fprintf(out, " [label=\"%s%s%s\"];\n",
						g->name,
						lb->health_check[0] ? ", hc " : "",
						lb->health_check);
				}
			}
		}
	}
}

/* kafka-proxy -> broker, one dashed edge per bootstrap mapping */
static void proxy_edges(const psc_topology *t, FILE *out)
{
	const psc_kafka_proxy *p = &t->kafka_proxy;
	if (!p->present)
		return;
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &p->bootstrap_server_mappings[i];
		char host[PSC_HOST_LEN], err[64];
		int port;
		if (psc_hostport_parse(m->upstream, host, sizeof(host), &port,
				       err, sizeof(err)) < 0)
			continue;
		fprintf(out, "  ");
		q(out, "vm_", p->instance);
		fprintf(out, " -> ");
		q(out, "vm_", host);
		fprintf(out, " [style=dashed, label=\"%s\"];\n", m->listen);
	}
}

/* the changefeed -> its PSC endpoint, with the bootstrap ports */
static void changefeed_edge(const psc_topology *t, FILE *out)
{
	if (!t->changefeed.present)
		return;
	fprintf(out, "  ");
	q(out, "vm_", t->changefeed.instance);
	fprintf(out, " -> ");
	q(out, "ep_", t->changefeed.endpoint);
	fprintf(out, " [label=\"bootstrap");
	for (size_t i = 0; i < t->changefeed.n_bootstrap_ports; i++)
		fprintf(out, "%s%ld", i ? "," : " ",
			t->changefeed.bootstrap_ports[i]);
	fprintf(out, "\"];\n");
}

/* each private zone, and a dotted edge per record to its endpoint */
static void dns_zones(const psc_topology *t, FILE *out)
{
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		fprintf(out, "  ");
		q(out, "dns_", z->name);
		fprintf(out, " [shape=note, label=\"private zone %s\"];\n",
			z->dns_name);
		for (size_t r = 0; r < z->n_records; r++) {
			fprintf(out, "  ");
			q(out, "dns_", z->name);
			fprintf(out, " -> ");
			q(out, "ep_", z->records[r].endpoint);
			fprintf(out, " [style=dotted, label=\"%s %s\"];\n",
				z->records[r].name, z->records[r].type);
		}
	}
}

void psc_graph_dot(const psc_topology *t, FILE *out)
{
	fprintf(out, "digraph ");
	q(out, "psclab-", t->name);
	fprintf(out, " {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n");
	for (size_t i = 0; i < t->n_networks; i++)
		vpc_cluster(t, &t->networks[i], out);
	psc_edges(t, out);
	neg_edges(t, out);
	instance_group_edges(t, out);
	proxy_edges(t, out);
	changefeed_edge(t, out);
	dns_zones(t, out);
	fprintf(out, "}\n");
}
