/* graph_live.c - a running lab's state on its graph (see graph_live.h).
 * Reads the lab's journal, its health file and verify-last.json (through
 * their owners: runtime/state, services/health, verify/verify_last) and
 * /proc (psc_proc_alive); changes nothing. */
#define _GNU_SOURCE
#include "cli/graph_live.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "model/consumers.h"
#include "services/health.h"
#include "runtime/proc.h"
#include "runtime/serve.h"
#include "runtime/store.h"

static void fault_on(psc_graph_fault *out, size_t max, size_t *n,
		     psc_graph_kind kind, const char *object, const char *what)
{
	if (*n >= max)
		return;
	out[*n].kind = kind;
	PSC_SET(out[*n].object, "%s", object);
	PSC_SET(out[*n].what, "%s", what);
	(*n)++;
}

/* the graph nodes fault f concerns (a firewall rule has none: the
 * caption names it) */
static void fault_nodes(const psc_plan *p, const psc_fault *f,
			psc_graph_fault *out, size_t max, size_t *n)
{
	const psc_topology *t = p->t;
	char what[128];
	psc_fault_describe(f, what, sizeof(what));
	switch (f->kind) {
	case PSC_FAULT_KILL:
	case PSC_FAULT_STOP:
		if (strcmp(f->arg[0], "health-checker") == 0)
			for (size_t i = 0; i < t->n_health_checks; i++)
				fault_on(out, max, n, PSC_GN_HC,
					 t->health_checks[i].name, what);
		else if (strncmp(f->arg[0], "dns-", 4) == 0)
			for (size_t i = 0; i < t->n_dns_zones; i++)
				fault_on(out, max, n, PSC_GN_DNS,
					 t->dns_zones[i].name, what);
		else
			fault_on(out, max, n, PSC_GN_VM, f->arg[0], what);
		break;
	case PSC_FAULT_LINK_DOWN:
	case PSC_FAULT_REJECT:
		if (f->kind == PSC_FAULT_LINK_DOWN && strcmp(f->arg[0], "psc"))
			fault_on(out, max, n, PSC_GN_VM, f->arg[0], what);
		else
			for (size_t i = 0; i < t->n_psc_endpoints; i++)
				fault_on(out, max, n, PSC_GN_EP,
					 t->psc_endpoints[i].name, what);
		break;
	case PSC_FAULT_NETEM:
		fault_on(out, max, n, PSC_GN_VM, f->arg[0], what);
		break;
	case PSC_FAULT_NEG_DROP:
		fault_on(out, max, n, PSC_GN_NEG, f->arg[0], what);
		break;
	case PSC_FAULT_DNS_DROP:
		fault_on(out, max, n, PSC_GN_DNS, f->arg[0], what);
		break;
	default:
		break;
	}
}

size_t psc_graph_lab_faults(const char *lab, const psc_plan *p,
			    psc_graph_fault *out, size_t max)
{
	char err[256];
	size_t n = 0;
	psc_faults *fs = calloc(1, sizeof(*fs));
	if (fs && psc_lab_faults_read(lab, fs, err, sizeof(err)) == 0)
		for (size_t i = 0; i < fs->n; i++)
			if (!fs->f[i].exercise[0])   /* the trainee finds it */
				fault_nodes(p, &fs->f[i], out, max, &n);
	free(fs);
	return n;
}

/* the last journal record of each process in namespace ns (a restarted
 * process is journaled again) coloured onto node i */
static void procs_onto(psc_graph *g, int i, const psc_state *st,
		       const char *ns, const char *name)
{
	char why[PSC_GRAPH_WHY_LEN];
	for (size_t k = 0; k < st->n_procs; k++) {
		const psc_proc *pr = &st->procs[k];
		if ((ns && strcmp(pr->netns, ns)) || (name && strcmp(pr->name, name)))
			continue;
		if (psc_state_proc_last(st, pr->name) != pr)
			continue;
		bool alive = psc_proc_alive(pr);
		psc_setf(why, sizeof(why), "process %s (pid %ld) %s", pr->name,
			 (long)pr->pid, alive ? "running" : "is not running");
		psc_graph_colour_node(g, i, alive ? PSC_GC_OK : PSC_GC_BAD, why);
	}
}

void psc_graph_colour_procs(psc_graph *g, const psc_plan *p,
			    const psc_state *st)
{
	if (!st)
		return;
	for (size_t v = 0; v < p->n_vms; v++)
		procs_onto(g, psc_graph_find(g, PSC_GN_VM, p->vms[v].in->name),
			   st, p->ns[p->vms[v].ns].name, NULL);
	for (size_t z = 0; z < p->t->n_dns_zones; z++) {
		const psc_dns_zone *dz = &p->t->dns_zones[z];
		int i = psc_graph_find(g, PSC_GN_DNS, dz->name);
		char name[PSC_PROC_NAME_LEN];
		for (size_t n = 0; n < dz->n_networks; n++) {
			psc_setf(name, sizeof(name), "dns-%.50s", dz->networks[n]);
			procs_onto(g, i, st, NULL, name);
		}
		if (i >= 0 && g->nodes[i].colour == PSC_GC_NONE)
			psc_graph_colour_node(g, i, PSC_GC_UNKNOWN, "no DNS stub "
					      "of its VPCs is in the journal");
	}
	for (size_t h = 0; h < p->t->n_health_checks; h++)
		procs_onto(g, psc_graph_find(g, PSC_GN_HC,
					     p->t->health_checks[h].name),
			   st, NULL, "health-checker");
}

void psc_graph_colour_endpoints(psc_graph *g, const psc_plan *p)
{
	static const psc_graph_colour by_status[] = {
		[PSC_EP_ACCEPTED] = PSC_GC_OK,
		[PSC_EP_PENDING] = PSC_GC_WARN,
		[PSC_EP_REJECTED] = PSC_GC_BAD,
	};
	char why[PSC_GRAPH_WHY_LEN];
	for (size_t e = 0; e < p->n_eps; e++) {
		const psc_plan_endpoint *pe = &p->eps[e];
		psc_setf(why, sizeof(why), "endpoint %s%s%s",
			 psc_ep_status_name(pe->status), pe->reason[0] ? ": " : "",
			 pe->reason);
		psc_graph_colour_node(g, psc_graph_find(g, PSC_GN_EP,
							pe->ep->name),
				      by_status[pe->status], why);
	}
}

void psc_graph_colour_health(psc_graph *g, const psc_plan *p,
			     const char *path)
{
	char h[32], why[PSC_GRAPH_WHY_LEN];
	for (size_t l = 0; l < p->n_lbs; l++) {
		const psc_plan_lb *pl = &p->lbs[l];
		if (pl->neg || !pl->hc)
			continue;
		for (size_t k = 0; k < pl->lb->n_backends; k++) {
			int ig = psc_graph_find(g, PSC_GN_IG, pl->lb->backends[k]);
			for (size_t b = 0; ig >= 0 && b < pl->n_backends; b++) {
				const char *vm = p->vms[pl->backend_vm[b]].in->name;
				int e = psc_graph_find_edge(
					g, ig, psc_graph_find(g, PSC_GN_VM, vm));
				if (e < 0)
					continue;
				psc_health_read(path, pl->lb->name, vm, h, sizeof(h));
				psc_setf(why, sizeof(why), "%s backend %s: %s",
					 pl->lb->name, vm, h);
				PSC_APP(g->edges[e].label, "\n%s", h);
				psc_graph_colour_edge(
					g, e, strcmp(h, "HEALTHY") == 0 ? PSC_GC_OK
					: strcmp(h, "UNHEALTHY") == 0 ? PSC_GC_BAD
					: PSC_GC_UNKNOWN, why);
			}
		}
	}
}

static void colour_kind(psc_graph *g, psc_graph_kind k, psc_graph_colour c,
			const char *why)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].kind == k)
			psc_graph_colour_node(g, (int)i, c, why);
}

static void colour_vm(psc_graph *g, const char *vm, psc_graph_colour c,
		      const char *why)
{
	psc_graph_colour_node(g, psc_graph_find(g, PSC_GN_VM, vm), c, why);
}

/* one check of the last verify onto what its hop concerns */
static void colour_check(psc_graph *g, const psc_plan *p,
			 const psc_verify_last_check *k)
{
	psc_topology *t = (psc_topology *)p->t;
	const psc_broker *b = k->broker >= 0
		? psc_find_broker_by_id(&t->kafka, k->broker) : NULL;
	psc_graph_colour c = k->status == PSC_VERIFY_FAIL ? PSC_GC_BAD
			     : k->status == PSC_VERIFY_WARN ? PSC_GC_WARN
							     : PSC_GC_OK;
	char why[PSC_GRAPH_WHY_LEN];
	if (k->status == PSC_VERIFY_SKIP)
		return;
	/* the consumer whose changefeed node ran it (else the first) */
	long of = psc_consumer_of_node(t, k->node);
	size_t cons = of > 0 ? (size_t)of : 0;
	psc_setf(why, sizeof(why), "last verify %s: %s%s%s",
		 psc_verify_status_name(k->status), k->name,
		 k->hop != PSC_HOP_NONE ? ", hop " : "",
		 k->hop != PSC_HOP_NONE ? psc_verify_hop_name(k->hop) : "");
	switch (k->hop) {
	case PSC_HOP_DNS:
		colour_kind(g, PSC_GN_DNS, c, why);
		return;
	case PSC_HOP_ENDPOINT:
		psc_graph_colour_node(g, psc_graph_find(g, PSC_GN_EP,
			psc_consumer_changefeed(t, cons)->endpoint), c, why);
		return;
	case PSC_HOP_FIREWALL:
		colour_kind(g, PSC_GN_NAT, c, why);
		break;
	case PSC_HOP_LB_MAPPING:
		colour_kind(g, PSC_GN_LB, c, why);
		colour_kind(g, PSC_GN_NEG, c, why);
		return;
	case PSC_HOP_PROXY:
		if (psc_consumer_proxy(t, cons))
			colour_vm(g, psc_consumer_proxy(t, cons)->instance, c,
				  why);
		return;
	default:
		break;
	}
	/* broker, listener, advertised, kafka: the broker it is about, else
	 * every broker; pscLab, none: that broker, else the node it ran
	 * from */
	bool brokers = k->hop == PSC_HOP_BROKER_DOWN ||
		       k->hop == PSC_HOP_LISTENER ||
		       k->hop == PSC_HOP_ADVERTISED || k->hop == PSC_HOP_KAFKA;
	if (b || !brokers) {
		colour_vm(g, b ? b->instance : k->node, c, why);
		return;
	}
	for (size_t i = 0; i < t->kafka.n_brokers; i++)
		colour_vm(g, t->kafka.brokers[i].instance, c, why);
}

void psc_graph_colour_verify(psc_graph *g, const psc_plan *p,
			     const psc_verify_last *v, const char *verr)
{
	if (verr) {
		PSC_APP(g->caption, "%slast verify: cannot be read: %s",
			g->caption[0] ? "\n" : "", verr);
		return;
	}
	if (!v) {
		PSC_APP(g->caption, "%slast verify: none since the lab came "
			"up (sudo pscLab verify %s)", g->caption[0] ? "\n" : "",
			g->name);
		return;
	}
	PSC_APP(g->caption, "%slast verify %s: %zu passed, %zu warned, %zu "
		"failed, %zu skipped in %ld ms", g->caption[0] ? "\n" : "",
		v->finished, v->n_pass, v->n_warn, v->n_fail, v->n_skip, v->ms);
	for (size_t i = 0; i < v->n; i++)
		colour_check(g, p, &v->checks[i]);
}

void psc_graph_colour_faults(psc_graph *g, const psc_graph_fault *f,
			     size_t n)
{
	char why[PSC_GRAPH_WHY_LEN];
	for (size_t i = 0; i < n; i++) {
		psc_setf(why, sizeof(why), "fault: %s", f[i].what);
		psc_graph_colour_node(g, psc_graph_find(g, f[i].kind,
							f[i].object),
				      PSC_GC_BAD, why);
	}
}

void psc_graph_live(const char *lab, const psc_plan *p, psc_graph *g)
{
	static psc_state st;
	static psc_verify_last v;
	static psc_graph_fault faults[64];
	char err[512], path[PATH_MAX + 32];
	g->live = true;
	PSC_SET(g->caption, "lab %s, running", lab);
	memset(&st, 0, sizeof(st));
	if (psc_state_read(lab, &st, err, sizeof(err)) == 0)
		psc_graph_colour_procs(g, p, &st);
	else
		PSC_APP(g->caption, "\nits journal cannot be read: %s", err);
	psc_state_free(&st);
	psc_graph_colour_endpoints(g, p);
	if (psc_lab_health_path(lab, path, sizeof(path), err, sizeof(err)) < 0)
		path[0] = '\0';
	psc_graph_colour_health(g, p, path);
	int rc = psc_verify_last_path(lab, path, sizeof(path), err, sizeof(err));
	if (rc == 0)
		rc = psc_verify_last_read(path, &v, err, sizeof(err));
	psc_graph_colour_verify(g, p, rc == 0 ? &v : NULL,
				rc == PSC_VERIFY_LAST_NONE || rc == 0 ? NULL : err);
	size_t nf = psc_graph_lab_faults(lab, p, faults,
					 sizeof(faults) / sizeof(faults[0]));
	psc_graph_colour_faults(g, faults, nf);
}
