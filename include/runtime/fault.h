/* fault.h - `pscLab fault <lab> <action> [args]` on a running lab: the
 * fault checked against the lab's topology (model/fault.h) before anything
 * changes, recorded in the lab's faults.json (store.h) before it is done,
 * then done: a node's process stopped (broker, kafka-proxy, DNS stub,
 * health checker), a NIC set down (fabric/link.h), netem on a VM's NIC
 * (loss in the VM's nftables, rate and delay as qdiscs on both ends of
 * its veth), or the model changed (a firewall rule disabled,
 * a project rejected, a NEG endpoint or DNS record dropped) and the lab's
 * nftables rules made again from it, its DNS stubs and health checker
 * restarted to read it, the PSC namespace's connections forgotten (live:
 * traffic stops or starts, as GCP does).  A fault that cannot be done is
 * taken off the list again.  Every fault has its undo; `clear [<id>|all]`
 * undoes by id; `down` removes them all with the lab.
 *
 * Measured here (network-only portmap): a model fault 30-60 ms (the rules
 * and two DNS stubs restarted and awaited), link and netem 2-5 ms. */
#ifndef PSCLAB_RUNTIME_FAULT_H
#define PSCLAB_RUNTIME_FAULT_H

#include <stdio.h>

/* argv: <action> [targets...] [netem options], or clear [<id>|all].
 * Lines of what was done go to out.  0; PSC_LAB_NOT_UP (store.h);
 * PSC_FAULT_BAD_ARGS when the arguments are wrong (err says why and lists
 * what is valid); -1 with err when it could not be done. */
#define PSC_FAULT_BAD_ARGS (-4)
int psc_lab_fault(const char *lab, int argc, char *const argv[], FILE *out,
		  char *err, size_t errlen);
/* The same for an exercise (pscLab check): what it sets carries its name
 * (status and verify do not say what such a fault is; `clear` leaves it);
 * argv `clear all` clears that exercise's faults only. */
int psc_lab_fault_exercise(const char *lab, const char *exercise, int argc,
			   char *const argv[], FILE *out, char *err,
			   size_t errlen);

/* The lab's nftables rules made again from its stored model as
 * psc_lab_load gives it (its stage and model faults applied), its DNS
 * stubs and health checker restarted to read it (those a fault stopped
 * left stopped), PSC's tracked connections forgotten: what a model fault
 * does, and what `pscLab reconfigure` does to add the NEG endpoints.  A
 * progress line to out (may be NULL).  0, or -1 with err. */
int psc_lab_remake(const char *lab, FILE *out, char *err, size_t errlen);

#endif
