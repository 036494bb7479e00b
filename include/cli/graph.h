/* graph.h - `pscLab graph`'s picture of a lab: the topology as a graph
 * model (clusters for VPCs and subnets, nodes for the GCP objects, edges
 * for the paths), built once from a topology and its plan and written by
 * every format (graph_write.h: dot, mermaid; graph_render.h: SVG, PNG,
 * HTML through Graphviz).  A running lab's state colours it (graph_live.h).
 *
 * What is drawn:
 *   clusters   one per VPC ("VPC <name> (project <p>)"), inside it one per
 *              subnet ("<name> <cidr> <region>"); a PRIVATE_SERVICE_CONNECT
 *              subnet is labelled as the NAT subnet of the service
 *              attachment(s) that use it;
 *   nodes      id "<kind>_<object>": vm_ (instances, address and role),
 *              lb_ (forwarding rule: address, ports), neg_, ig_, hc_,
 *              sa_ (service attachment, its accept list), nat_<subnet> (a
 *              PSC NAT subnet's own node, with the endpoints' NAT
 *              addresses: without it Graphviz drops the empty cluster),
 *              ep_ (PSC endpoint: address, status), dns_ (private zone),
 *              empty_<subnet> (a subnet with nothing in it, so that it
 *              shows);
 *   edges      changefeed -> endpoint (bootstrap ports), endpoint ->
 *              attachment (source NAT address), attachment -> load
 *              balancer, attachment -> NAT subnet, load balancer -> NEG or
 *              instance group, NEG -> VM (client port -> instance:port),
 *              instance group -> VM (member), health check -> instance
 *              group, kafka-proxy -> broker (its bootstrap mappings), zone
 *              -> endpoint (each record).
 * Pure: no file but the FILE * a writer is given. */
#ifndef PSCLAB_GRAPH_H
#define PSCLAB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"
#include "model/topology.h"

#define PSC_GRAPH_ID_LEN 96
#define PSC_GRAPH_LABEL_LEN 512
#define PSC_GRAPH_EDGE_LABEL_LEN 200
#define PSC_GRAPH_WHY_LEN 256
#define PSC_GRAPH_CAPTION_LEN 512
/* bounded by the topology's own limits (topology.h): instances, LBs,
 * NEGs, IGs, HCs, SAs, endpoints, zones and a node per subnet at most;
 * edges: kafka-proxy's mappings from each of its instances dominate */
#define PSC_GRAPH_MAX_CLUSTERS (PSC_MAX_NETWORKS * (PSC_MAX_SUBNETS + 1))
#define PSC_GRAPH_MAX_NODES 256
#define PSC_GRAPH_MAX_EDGES 1024

/* the formats of `pscLab graph --format`, in the order help lists them */
#define PSC_GRAPH_FORMATS "dot, svg, png, mermaid, html"
typedef enum psc_graph_format {
	PSC_GRAPH_DOT = 0,
	PSC_GRAPH_SVG,
	PSC_GRAPH_PNG,
	PSC_GRAPH_MERMAID,
	PSC_GRAPH_HTML,
} psc_graph_format;
/* 0 and *f, or -1 for a name that is none of PSC_GRAPH_FORMATS */
int psc_graph_format_parse(const char *s, psc_graph_format *f);

typedef enum psc_graph_kind {
	PSC_GN_VM = 0,
	PSC_GN_LB,
	PSC_GN_NEG,
	PSC_GN_IG,
	PSC_GN_HC,
	PSC_GN_SA,
	PSC_GN_NAT,
	PSC_GN_EP,
	PSC_GN_DNS,
	PSC_GN_EMPTY,
} psc_graph_kind;
#define PSC_GN_LAST PSC_GN_EMPTY

typedef enum psc_graph_style {
	PSC_GE_SOLID = 0,
	PSC_GE_DASHED,          /* kafka-proxy's mappings */
	PSC_GE_DOTTED,          /* DNS records, NAT subnet, health probes */
} psc_graph_style;

/* a running lab's colours, worst last: colouring keeps the worst */
typedef enum psc_graph_colour {
	PSC_GC_NONE = 0,        /* not a running lab, or nothing known */
	PSC_GC_OK,
	PSC_GC_UNKNOWN,
	PSC_GC_WARN,
	PSC_GC_BAD,
} psc_graph_colour;
#define PSC_GC_LAST PSC_GC_BAD

typedef struct psc_graph_cluster {
	char id[PSC_GRAPH_ID_LEN];      /* cluster_vpc_<n>, cluster_subnet_<n> */
	char label[PSC_GRAPH_LABEL_LEN];
	int parent;                     /* -1: a VPC */
	bool nat;                       /* a PSC NAT subnet */
} psc_graph_cluster;

typedef struct psc_graph_node {
	char id[PSC_GRAPH_ID_LEN];
	char object[PSC_NAME_LEN];      /* the topology object's name */
	psc_graph_kind kind;
	int cluster;                    /* -1: outside every cluster */
	char label[PSC_GRAPH_LABEL_LEN];/* lines separated by '\n' */
	psc_graph_colour colour;
	char why[PSC_GRAPH_WHY_LEN];    /* what the colour says ("" none) */
} psc_graph_node;

typedef struct psc_graph_edge {
	int from, to;                   /* node indices */
	char label[PSC_GRAPH_EDGE_LABEL_LEN];
	psc_graph_style style;
	psc_graph_colour colour;
	char why[PSC_GRAPH_WHY_LEN];
} psc_graph_edge;

/* About 1 MiB: allocate it (calloc). */
typedef struct psc_graph {
	char name[PSC_NAME_LEN];        /* the lab's */
	bool live;                      /* coloured from a running lab */
	char caption[PSC_GRAPH_CAPTION_LEN];
	psc_graph_cluster clusters[PSC_GRAPH_MAX_CLUSTERS];
	size_t n_clusters;
	psc_graph_node nodes[PSC_GRAPH_MAX_NODES];
	size_t n_nodes;
	psc_graph_edge edges[PSC_GRAPH_MAX_EDGES];
	size_t n_edges;
} psc_graph;

/* The picture of topology t (linted clean) with its plan p (addresses,
 * NAT addresses, endpoint status) into g (overwritten).  0, or -1 with err
 * when it does not fit the limits above. */
int psc_graph_build(const psc_topology *t, const psc_plan *p, psc_graph *g,
		    char *err, size_t errlen);

/* The index of the node of that kind and object, or -1. */
int psc_graph_find(const psc_graph *g, psc_graph_kind kind,
		   const char *object);
/* The index of the edge from -> to, or -1. */
int psc_graph_find_edge(const psc_graph *g, int from, int to);

/* Raise node i's (edge i's) colour to c when c is worse than it, and add
 * why (one line) to what its colour says. */
void psc_graph_colour_node(psc_graph *g, int i, psc_graph_colour c,
			   const char *why);
void psc_graph_colour_edge(psc_graph *g, int i, psc_graph_colour c,
			   const char *why);

/* an id as Mermaid takes it: every character but [A-Za-z0-9_] made '_'
 * (psc_graph_build keeps these unique) */
void psc_graph_mermaid_id(const char *id, char *out, size_t len);

/* the colours' names ("ok", ...), fill and line colours ("#rrggbb") and
 * what each means (the legend) */
const char *psc_graph_colour_name(psc_graph_colour c);
const char *psc_graph_colour_fill(psc_graph_colour c);
const char *psc_graph_colour_line(psc_graph_colour c);
const char *psc_graph_colour_meaning(psc_graph_colour c);
/* what a node kind is, for the legend ("VM instance", ...), and its ids'
 * prefix ("vm_", ...) */
const char *psc_graph_kind_title(psc_graph_kind k);
const char *psc_graph_kind_prefix(psc_graph_kind k);

#endif
