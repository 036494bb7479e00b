/* fault.c - faults on a running lab: recorded, then done (see
 * runtime/fault.h). */
#define _GNU_SOURCE
#include "runtime/fault.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fabric/conntrack.h"
#include "fabric/link.h"
#include "fabric/netns.h"
#include "fabric/nft.h"
#include "plan/nftgen.h"
#include "model/fault.h"
#include "runtime/lab.h"
#include "runtime/serve.h"
#include "runtime/state.h"
#include "runtime/store.h"

/* the plan's VM of that name, NULL */
static const psc_plan_vm *vm_of(const psc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_vms; i++)
		if (strcmp(p->vms[i].in->name, name) == 0)
			return &p->vms[i];
	return NULL;
}

static int stop_start(const char *lab, const char *node, bool stop,
		      FILE *out, char *err, size_t errlen)
{
	return psc_lab_node_process(lab, node, stop ? PSC_NODE_STOP
						    : PSC_NODE_START,
				    out, err, errlen);
}

/* a VM's NIC (eth0), or every end of the PSC namespace's links */
static int link_set(const psc_plan *p, const char *node, bool up, char *err,
		    size_t errlen)
{
	if (strcmp(node, "psc") != 0) {
		const psc_plan_vm *vm = vm_of(p, node);
		if (!vm) {
			snprintf(err, errlen, "no VM %s", node);
			return -1;
		}
		if (psc_link_set_up(p->ns[vm->ns].name, "eth0", up, err,
				    errlen) < 0)
			return -1;
		if (!up)
			return 0;
		/* the routes the kernel dropped with the link, and the ARP
		 * entries that failed meanwhile */
		if (psc_fabric_routes_restore(p, vm->ns, "eth0", err,
					      errlen) < 0 ||
		    psc_link_neigh_flush(p->ns[vm->ns].name, "eth0", err,
					 errlen) < 0 ||
		    psc_link_neigh_flush(p->ns[vm->router_ns].name,
					 vm->router_if, err, errlen) < 0)
			return -1;
		return 0;
	}
	for (size_t i = 0; i < p->n_links; i++) {
		const psc_plan_end *e[2] = {&p->links[i].a, &p->links[i].b};
		for (size_t k = 0; k < 2; k++)
			if (e[k]->ns == p->psc_ns &&
			    psc_link_set_up(p->ns[e[k]->ns].name, e[k]->ifname,
					    up, err, errlen) < 0)
				return -1;
		bool psc = e[0]->ns == p->psc_ns || e[1]->ns == p->psc_ns;
		for (size_t k = 0; up && psc && k < 2; k++)
			if (psc_link_neigh_flush(p->ns[e[k]->ns].name,
						 e[k]->ifname, err, errlen) < 0)
				return -1;
	}
	return up && p->psc_ns >= 0
		       ? psc_fabric_routes_restore(p, p->psc_ns, NULL, err,
						   errlen)
		       : 0;
}

/* netem on both ends of the VM's veth: what it sends and what it gets */
static int netem(const psc_plan *p, const psc_fault *f, bool set, char *err,
		 size_t errlen)
{
	const psc_plan_vm *vm = vm_of(p, f->arg[0]);
	if (!vm) {
		snprintf(err, errlen, "no VM %s", f->arg[0]);
		return -1;
	}
	/* loss in the VM's own nftables, delay and rate as qdiscs */
	psc_netem n = {f->delay_ms, 0, f->rate_kbit};
	const char *ns[2] = {p->ns[vm->ns].name, p->ns[vm->router_ns].name};
	const char *ifn[2] = {"eth0", vm->router_if};
	char *loss = psc_nft_loss_text(set ? f->loss_pct : 0);
	int rc = loss ? psc_nft_apply(ns[0], loss, err, errlen) : -1;
	if (!loss)
		snprintf(err, errlen, "out of memory");
	free(loss);
	for (size_t k = 0; rc == 0 && k < 2; k++) {
		if (set && !n.delay_ms && !n.rate_kbit)
			break;
		rc = set ? psc_netem_set(ns[k], ifn[k], &n, err, errlen)
			 : psc_netem_clear(ns[k], ifn[k], err, errlen);
	}
	if (rc < 0 && set) {   /* nothing half-set */
		char e2[256];
		char *none = psc_nft_loss_text(0);
		if (none)
			psc_nft_apply(ns[0], none, e2, sizeof(e2));
		free(none);
		for (size_t k = 0; k < 2; k++)
			psc_netem_clear(ns[k], ifn[k], e2, sizeof(e2));
	}
	return rc;
}

static bool stopped_by_fault(const psc_faults *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if ((fs->f[i].kind == PSC_FAULT_STOP ||
		     fs->f[i].kind == PSC_FAULT_KILL) &&
		    strcmp(fs->f[i].arg[0], name) == 0)
			return true;
	return false;
}

int psc_lab_remake(const char *lab, FILE *out, char *err, size_t errlen)
{
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	psc_faults *fs = calloc(1, sizeof(*fs));
	char name[PSC_PROC_NAME_LEN];
	int rc = -1;
	long long t0 = psc_now_ms();
	if (!p || !fs) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (psc_lab_load(lab, &t, p, err, errlen) < 0 ||
	    psc_lab_faults_read(lab, fs, err, errlen) < 0 ||
	    psc_nft_build(p, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i <= t->n_networks; i++) {
		if (i < t->n_networks)
			snprintf(name, sizeof(name), "dns-%.50s",
				 t->networks[i].name);
		else
			snprintf(name, sizeof(name), "health-checker");
		bool was;
		if (!psc_lab_is_service(p, name) || stopped_by_fault(fs, name))
			continue;
		if (psc_lab_stop_service(lab, name, &was, err, errlen) < 0 ||
		    psc_lab_start_service(p, name, err, errlen) < 0)
			goto out;
	}
	if (p->psc_ns >= 0 &&
	    psc_conntrack_flush(p->ns[p->psc_ns].name, err, errlen) < 0)
		goto out;
	if (out)
		fprintf(out, "[%6lld ms] rules made again from the lab's "
			"model, DNS stubs and health checker restarted, PSC's "
			"tracked connections forgotten\n", psc_now_ms() - t0);
	rc = 0;
out:
	psc_topology_free(t);
	free(p);
	free(fs);
	return rc;
}

/* do (set) or undo fault f; the list on disk already says so */
static int effect(const char *lab, const psc_fault *f, bool set, FILE *out,
		  char *err, size_t errlen)
{
	if (psc_fault_is_model(f->kind))
		return psc_lab_remake(lab, out, err, errlen);
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	int rc = -1;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (psc_lab_load(lab, &t, p, err, errlen) < 0)
		goto out;
	switch (f->kind) {
	case PSC_FAULT_STOP:
		rc = stop_start(lab, f->arg[0], set, out, err, errlen);
		break;
	case PSC_FAULT_KILL:   /* undone by a start, as a stop is */
		rc = psc_lab_node_process(lab, f->arg[0], set ? PSC_NODE_KILL
							       : PSC_NODE_START,
					  out, err, errlen);
		break;
	case PSC_FAULT_LINK_DOWN:
		rc = link_set(p, f->arg[0], !set, err, errlen);
		break;
	case PSC_FAULT_NETEM:
		rc = netem(p, f, set, err, errlen);
		break;
	default:
		snprintf(err, errlen, "fault kind %d has no effect", f->kind);
		break;
	}
out:
	psc_topology_free(t);
	free(p);
	return rc;
}

/* the list changed under the lab's lock: add f, or remove id */
static int update_list(const char *lab, psc_fault *add, const char *remove,
		       char *err, size_t errlen)
{
	int lock = -1, rc = -1;
	psc_faults *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (psc_state_lock_lab(lab, &lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		goto out;
	if (psc_lab_faults_read(lab, fs, err, errlen) < 0)
		goto out;
	if (add && psc_faults_add(fs, add, err, errlen) < 0)
		goto out;
	if (remove)
		psc_faults_remove(fs, remove);
	rc = psc_lab_faults_write(lab, fs, err, errlen);
out:
	if (lock >= 0)
		psc_state_unlock(lock);
	free(fs);
	return rc;
}

static int set_fault(const char *lab, psc_fault *f, FILE *out, char *err,
		     size_t errlen)
{
	char what[PSC_HOST_LEN * 2 + 64], e2[256];
	if (update_list(lab, f, NULL, err, errlen) < 0)
		return -1;
	psc_fault_describe(f, what, sizeof(what));
	if (effect(lab, f, true, out, err, errlen) < 0) {
		/* not done: not on the list either */
		if (update_list(lab, NULL, f->id, e2, sizeof(e2)) < 0 ||
		    (psc_fault_is_model(f->kind) &&
		     psc_lab_remake(lab, NULL, e2, sizeof(e2)) < 0))
			psc_appendf(err, errlen, "; and taking it back: %s",
				    e2);
		return -1;
	}
	if (out && !f->exercise[0])
		fprintf(out, "fault %s set: %s (undo: pscLab fault %s clear "
			"%s)\n", f->id, what, lab, f->id);
	return 0;
}

static int undo_fault(const char *lab, const psc_fault *f, FILE *out,
		      char *err, size_t errlen)
{
	char what[PSC_HOST_LEN * 2 + 64], e2[256];
	psc_fault keep = *f;
	psc_fault_describe(f, what, sizeof(what));
	if (update_list(lab, NULL, f->id, err, errlen) < 0)
		return -1;
	if (effect(lab, &keep, false, out, err, errlen) < 0) {
		/* still in effect: keep it listed (under a new id) */
		if (update_list(lab, &keep, NULL, e2, sizeof(e2)) < 0)
			psc_appendf(err, errlen, "; and listing it again: %s",
				    e2);
		return -1;
	}
	if (out)
		fprintf(out, "fault %s cleared: %s\n", f->id,
			keep.exercise[0] ? "(an exercise's)" : what);
	return 0;
}

/* which: an id, "all" or NULL (every fault but an exercise's), or with
 * exercise set that exercise's faults */
static int clear(const char *lab, const char *which, const char *exercise,
		 const psc_faults *fs, FILE *out, char *err, size_t errlen)
{
	bool all = !which || strcmp(which, "all") == 0;
	size_t done = 0, kept = 0;
	for (size_t i = fs->n; i-- > 0;) {
		if (!all && strcmp(fs->f[i].id, which) != 0)
			continue;
		if (exercise ? strcmp(fs->f[i].exercise, exercise) != 0
			     : fs->f[i].exercise[0] != '\0') {
			kept++;
			continue;
		}
		if (undo_fault(lab, &fs->f[i], out, err, errlen) < 0)
			return -1;
		done++;
	}
	if (!all && !done && kept) {
		snprintf(err, errlen, "fault %s was set by an exercise: mend "
			 "what it broke (pscLab check %s <exercise> says how far "
			 "you are), or give up with pscLab check %s <exercise> "
			 "--reset", which, lab, lab);
		return -1;
	}
	if (all && kept && out)
		fprintf(out, "%zu fault%s set by an exercise left: pscLab check "
			"%s <exercise> --reset removes %s\n", kept,
			kept == 1 ? "" : "s", lab, kept == 1 ? "it" : "them");
	if (!all && !done) {
		snprintf(err, errlen, "lab '%s' has no fault %s", lab, which);
		psc_appendf(err, errlen, "%s", fs->n ? "; its faults:" : "; it "
			    "has none");
		for (size_t i = 0; i < fs->n; i++)
			psc_appendf(err, errlen, " %s", fs->f[i].id);
		return PSC_FAULT_BAD_ARGS;
	}
	if (all && out && !done && !kept)
		fprintf(out, "lab '%s' has no faults\n", lab);
	return 0;
}

static int fault_cmd(const char *lab, int argc, char *const argv[],
		     const char *exercise, FILE *out, char *err,
		     size_t errlen)
{
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	psc_faults *fs = calloc(1, sizeof(*fs));
	psc_fault f;
	bool undo;
	int rc = -1;
	if (!p || !fs) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = psc_lab_load_unfaulted(lab, &t, p, err, errlen);
	if (rc < 0)
		goto out;
	rc = -1;
	if (psc_lab_faults_read(lab, fs, err, errlen) < 0)
		goto out;
	if (argc >= 1 && strcmp(argv[0], "clear") == 0) {
		rc = argc > 2 ? PSC_FAULT_BAD_ARGS
			      : clear(lab, argc == 2 ? argv[1] : NULL, exercise,
				      fs, out, err, errlen);
		if (argc > 2)
			snprintf(err, errlen, "clear takes one id, or all");
		goto out;
	}
	if (psc_fault_parse(t, argc, argv, &f, &undo, err, errlen) < 0) {
		rc = PSC_FAULT_BAD_ARGS;
		goto out;
	}
	const psc_fault *set = psc_faults_find(fs, &f);
	if (undo && !set && f.kind == PSC_FAULT_STOP) {
		/* start what stopped by itself (a crash), not by a fault */
		rc = effect(lab, &f, false, out, err, errlen);
		goto out;
	}
	if (undo && !set) {
		char what[PSC_HOST_LEN * 2 + 64];
		psc_fault_describe(&f, what, sizeof(what));
		snprintf(err, errlen, "no fault '%s' is set on lab '%s' (what "
			 "is set: pscLab status %s)", what, lab, lab);
		goto out;
	}
	if (exercise)
		snprintf(f.exercise, sizeof(f.exercise), "%s", exercise);
	rc = undo ? undo_fault(lab, set, out, err, errlen)
		  : set_fault(lab, &f, out, err, errlen);
out:
	psc_topology_free(t);
	free(p);
	free(fs);
	return rc;
}

int psc_lab_fault(const char *lab, int argc, char *const argv[], FILE *out,
		  char *err, size_t errlen)
{
	return fault_cmd(lab, argc, argv, NULL, out, err, errlen);
}

int psc_lab_fault_exercise(const char *lab, const char *exercise, int argc,
			   char *const argv[], FILE *out, char *err,
			   size_t errlen)
{
	return fault_cmd(lab, argc, argv, exercise, out, err, errlen);
}
