/* store.h - the one reader of a lab that is up: the copy of its topology
 * that up stored in the lab's state directory, loaded and planned again.
 * status, verify, the services (DNS stub, health checker) and fault/restart
 * read a running lab through it, never the user's file (which may have
 * changed since). */
#ifndef PSCLAB_STORE_H
#define PSCLAB_STORE_H

#include <stddef.h>

#include "model/fault.h"
#include "model/stage.h"
#include "plan/plan.h"
#include "model/topology.h"

/* returned by psc_lab_load when the lab is not up (no stored copy) */
#define PSC_LAB_NOT_UP (-2)
/* returned by the calls that take a node (exec, logs, fault, restart)
 * when the lab that is up has no such node */
#define PSC_LAB_NO_NODE (-3)

/* Load the topology copy of a lab that is up and plan it.  *t is freed by
 * the caller (psc_topology_free).  0; PSC_LAB_NOT_UP with err when the lab
 * is not up; -1 with err for anything else (a bad name, a copy that does
 * not load or plan). */
int psc_lab_load(const char *lab, psc_topology **t, psc_plan *p, char *err,
		 size_t errlen);
/* The same before the lab's faults: the topology as it came up, with its
 * stage (what a fault's targets are checked against). */
int psc_lab_load_unfaulted(const char *lab, psc_topology **t, psc_plan *p,
			   char *err, size_t errlen);

/* The faults set on a lab (pscLab fault), kept beside the topology copy
 * as <state dir>/faults.json; psc_lab_load applies the model ones (model/
 * fault.h).  No file: none.  -1 with err when it cannot be read. */
int psc_lab_faults_read(const char *lab, psc_faults *fs, char *err,
			size_t errlen);
/* Write the list (a temporary file renamed over it).  -1 with err. */
int psc_lab_faults_write(const char *lab, const psc_faults *fs, char *err,
			 size_t errlen);

/* The lab's stage (model/stage.h: up --existing-cluster, the roll of
 * `pscLab reconfigure`), kept as <state dir>/stage.json; psc_lab_load and
 * psc_lab_load_unfaulted apply it (it is what the lab is, not a fault).
 * No file: s->present false.  -1 with err when it cannot be read; free s
 * with psc_stage_free. */
int psc_lab_stage_read(const char *lab, psc_stage *s, char *err,
		       size_t errlen);
/* Write it (a temporary file renamed over it).  -1 with err. */
int psc_lab_stage_write(const char *lab, const psc_stage *s, char *err,
			size_t errlen);

#endif
