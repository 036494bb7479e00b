/* graph_live.h - a running lab's state on its graph (graph.h): what
 * `pscLab graph <lab>` colours when the lab is up.
 *
 *   VM            its processes in the journal (broker, kafka-proxy):
 *                 ok all running, bad one not running; none: no colour
 *   private zone  its VPCs' DNS stubs (dns-<network>), as for a VM
 *   health check  the health checker process
 *   IG -> VM      the backend's state in the health checker's file
 *                 (services/health.h): HEALTHY ok, UNHEALTHY bad, no line
 *                 unknown; the state is added to the edge's label
 *   PSC endpoint  ACCEPTED ok, PENDING warn, REJECTED bad (the plan's)
 *   last verify   verify-last.json (verify_last.h): the caption gives its
 *                 counts; each check colours what its hop concerns (a
 *                 broker by its id (every broker when a broker, listener,
 *                 advertised or kafka hop names none), the DNS zones, the
 *                 endpoint, the load balancer and NEG, the NAT subnet,
 *                 kafka-proxy, or else the node it ran from): PASS ok,
 *                 WARN warn, FAIL bad
 *   faults        psc_graph_lab_faults (none yet: the hook for `pscLab
 *                 fault`'s state)
 * Colours only rise (graph.h: a node is as bad as the worst said of it);
 * every reason is kept in the node's or edge's tooltip. */
#ifndef PSCLAB_GRAPH_LIVE_H
#define PSCLAB_GRAPH_LIVE_H

#include <stddef.h>

#include "cli/graph.h"
#include "plan/plan.h"
#include "runtime/state.h"
#include "verify/verify_last.h"

/* A fault set on a lab, as the graph colours it: the object it concerns
 * (a node of kind `kind` named `object`) and what it is ("stop
 * broker-node2", "link-down psc", ...). */
typedef struct psc_graph_fault {
	psc_graph_kind kind;
	char object[PSC_NAME_LEN];
	char what[128];
} psc_graph_fault;

/* The faults set on lab (pscLab fault, read through store.h), as the
 * nodes each concerns (a stopped broker's VM, a dropped record's zone, a
 * rejected project's endpoints, ...), at most max into out; how many. */
size_t psc_graph_lab_faults(const char *lab, const psc_plan *p,
			    psc_graph_fault *out, size_t max);

/* The journal's processes onto g (VMs, zones, health checks); st may be
 * NULL (nothing known: no colour).  psc_proc_alive is the only look
 * outside (/proc). */
void psc_graph_colour_procs(psc_graph *g, const psc_plan *p,
			    const psc_state *st);
/* The endpoints' status from the plan. */
void psc_graph_colour_endpoints(psc_graph *g, const psc_plan *p);
/* Each backend's health from the health file at path ("" : none). */
void psc_graph_colour_health(psc_graph *g, const psc_plan *p,
			     const char *path);
/* The last verify result (v NULL: none has run; verr: why it could not be
 * read, or NULL) onto g and into its caption.  Pure. */
void psc_graph_colour_verify(psc_graph *g, const psc_plan *p,
			     const psc_verify_last *v, const char *verr);
/* Faults onto g.  Pure. */
void psc_graph_colour_faults(psc_graph *g, const psc_graph_fault *f,
			     size_t n);

/* All of the above for lab, which is up, with the plan p it was loaded
 * with (store.h): the journal, the health file, verify-last.json and the
 * faults read from its state directory.  g->live is set.  Never fails:
 * what cannot be read is said in the caption or coloured unknown. */
void psc_graph_live(const char *lab, const psc_plan *p, psc_graph *g);

#endif
