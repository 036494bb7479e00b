/* fault.h - the faults a trainee or a platform engineer sets on a running
 * lab (`pscLab fault <lab> <action> [args]`), as data: what each action
 * names, checked against the lab's topology before anything changes, and
 * what the ones that change the model (a firewall rule disabled, a project
 * rejected, a NEG endpoint dropped, a DNS record dropped) do to it.  Pure:
 * runtime/fault.c keeps the list in the lab's state and does the kernel and
 * process work; store.h's psc_lab_load applies the model faults, so that
 * the rules, the DNS stub, status and verify all see the faulted lab.
 *
 * Every action has its undo (stop/start, kill/start, link-down/link-up,
 * netem/netem clear, firewall-disable/firewall-enable, reject/accept, neg-drop/
 * neg-restore, dns-drop/dns-restore); `clear` undoes by id. */
#ifndef PSCLAB_FAULT_H
#define PSCLAB_FAULT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"

#define PSC_MAX_FAULTS 64
#define PSC_FAULT_ID_LEN 8

typedef enum psc_fault_kind {
	PSC_FAULT_STOP = 0,       /* a node's process: arg[0] the node */
	PSC_FAULT_LINK_DOWN,      /* arg[0] a VM, or "psc" (the PSC join) */
	PSC_FAULT_NETEM,          /* arg[0] a VM; delay, loss, rate */
	PSC_FAULT_FIREWALL,       /* arg[0] a firewall rule, disabled */
	PSC_FAULT_REJECT,         /* arg[0] a consumer project, rejected */
	PSC_FAULT_NEG_DROP,       /* arg[0] a NEG, arg[1] its instance */
	PSC_FAULT_DNS_DROP,       /* arg[0] a zone, arg[1] a record name */
	PSC_FAULT_KILL,           /* a broker's or kafka-proxy's process
	                           * SIGKILLed (a crash): arg[0] the node;
	                           * one slot with STOP (a node is stopped or
	                           * killed, `start` undoes either) */
	PSC_FAULT_KINDS
} psc_fault_kind;

typedef struct psc_fault {
	char id[PSC_FAULT_ID_LEN];        /* f1, f2, ... */
	psc_fault_kind kind;
	char arg[2][PSC_HOST_LEN];
	long delay_ms, loss_pct, rate_kbit;  /* netem: 0 unset */
	/* set by `pscLab check <lab> <exercise> --start`: status and verify
	 * do not say what it is (the trainee finds it), `clear` leaves it */
	char exercise[PSC_NAME_LEN];
} psc_fault;

typedef struct psc_faults {
	psc_fault f[PSC_MAX_FAULTS];
	size_t n;
	long next_id;                     /* the id the next fault gets */
} psc_faults;

/* The action's name ("firewall-disable") and its undo's ("firewall-
 * enable"; netem's is "netem <node> clear"). */
const char *psc_fault_action(psc_fault_kind k);
const char *psc_fault_undo_action(psc_fault_kind k);
/* Its kind from an action name, *undo when it is the undo's; -1 when no
 * action has that name. */
int psc_fault_kind_of(const char *action, bool *undo);
/* "firewall-disable allow-psc-traffic", "netem changefeed delay=200" */
void psc_fault_describe(const psc_fault *f, char *out, size_t len);
/* true for the kinds that change the model (psc_fault_apply) */
bool psc_fault_is_model(psc_fault_kind k);

/* Parse `<action> <args...>` (argv[0] is the action) against the lab's
 * topology t (unfaulted): every name checked, netem's key=value options in
 * range.  0 with *f filled (id empty) and *undo; -1 with err naming what
 * is wrong and the valid targets (or actions). */
int psc_fault_parse(const psc_topology *t, int argc, char *const argv[],
		    psc_fault *f, bool *undo, char *err, size_t errlen);
/* The fault of fs with f's kind and target (its undo's match; STOP and
 * KILL of one node are the same fault slot), NULL. */
psc_fault *psc_faults_find(psc_faults *fs, const psc_fault *f);
/* The fault with that id, NULL. */
psc_fault *psc_faults_by_id(psc_faults *fs, const char *id);
/* Add f with the next id (written into f->id too): -1 with err when the
 * same fault is set already, or when there are PSC_MAX_FAULTS. */
int psc_faults_add(psc_faults *fs, psc_fault *f, char *err, size_t errlen);
/* Remove fs's fault of that id (no-op when none). */
void psc_faults_remove(psc_faults *fs, const char *id);

/* Apply a model fault to t (the lab's topology as loaded): the firewall
 * rule disabled, the project moved from the accept lists to the reject
 * lists, the NEG endpoint or the DNS record removed.  Other kinds: no-op.
 * -1 with err when its target is not in t. */
int psc_fault_apply(psc_topology *t, const psc_fault *f, char *err,
		    size_t errlen);

#endif
