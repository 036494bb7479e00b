/* job.h - what a child of `pscLab verify` works from inside its node (the
 * lab's context, the bootstrap address, the bounds, the run's test topic,
 * the pipe to the parent), and how each check's observation reaches the
 * parent: one JSON line (psc_verify_obs_json), written whole.  Used by the
 * checks (check_changefeed.h, check_topic.h, check_bastion.h) and by the
 * process that forks them (children.h). */
#ifndef PSCLAB_VERIFY_JOB_H
#define PSCLAB_VERIFY_JOB_H

#include <limits.h>
#include <stddef.h>

#include "verify/verify.h"

typedef struct psc_verify_job {
	const psc_verify_ctx *c;
	char host[PSC_HOST_LEN];          /* bootstrap host */
	int ports[PSC_MAX_BOOTSTRAP];     /* bootstrap ports */
	size_t n_ports;
	long timeout_ms;                  /* per check */
	long messages;                    /* to produce and consume */
	const char *topic;                /* the run's test topic */
	int fd;                           /* the pipe to the parent */
	char kclient[PATH_MAX];           /* psclab-kclient, "" not found */
	int cdc_rf;                       /* the changefeed's replication
					   * factor (TiCDC's steps) */
} psc_verify_job;

/* o as one line to the parent; one that does not fit a line goes as an
 * INTERNAL observation of the same check.  When the parent is gone (the
 * write fails) the child ends: _exit(3). */
void psc_verify_emit(const psc_verify_job *j, const psc_verify_obs *o);
/* one line of another kind (`pscLab trace`'s) to the parent, a newline
 * added; _exit(3) as psc_verify_emit when the parent is gone */
void psc_verify_write_line(const psc_verify_job *j, const char *line);
/* o->ms from t0 (psc_now_ms) to now, then psc_verify_emit */
void psc_verify_finish(const psc_verify_job *j, psc_verify_obs *o,
		       long long t0);
/* a check of the changefeed's not run: SKIP with why */
void psc_verify_skip(const psc_verify_job *j, const char *name,
		     const char *why);
/* ms left until deadline (psc_now_ms), 0 when it has passed */
long psc_verify_left(long long deadline);

#endif
