/* verify_run.c - psc_verify_run (see verify_run.h): the stored lab read
 * once into the context, the children's job from the options, a child per
 * node (children.c) running that node's checks (check_changefeed.c,
 * check_bastion.c), the leak watch around them (leak_watch.c), and the
 * report of what they saw, diagnosed against the lab as it is after
 * them. */
#define _GNU_SOURCE
#include "verify/verify_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/state.h"
#include "runtime/store.h"
#include "verify/check_bastion.h"
#include "verify/check_changefeed.h"
#include "verify/children.h"
#include "verify/job.h"
#include "verify/kclient.h"
#include "verify/lb_health.h"
#include "verify/check_faults.h"
#include "verify/leak_watch.h"
#include "verify/verify_last.h"

/* the processes of c's lab from its journal as it is now: before the
 * checks, and again after them (a broker may have died meanwhile); a
 * journal that cannot be read counts as none (every process alive,
 * unknown) */
static void lab_processes(const char *lab, psc_verify_ctx *c)
{
	psc_state st;
	char serr[512];
	memset(&st, 0, sizeof(st));
	bool have_st = psc_state_read(lab, &st, serr, sizeof(serr)) == 0;
	psc_verify_ctx_procs(c, have_st ? &st : NULL);
	psc_state_free(&st);
}

/* The context of lab, built once: from its stored topology and plan, with
 * the processes of its journal as they are now.  The context (free() it), or
 * NULL with err; r->no_such_lab when the lab is not up. */
/* the faults that cut a path, for the diagnosis (verify.c) */
static void path_faults(const char *lab, psc_verify_ctx *c)
{
	char err[256];
	psc_faults *fs = calloc(1, sizeof(*fs));
	if (fs && psc_lab_faults_read(lab, fs, err, sizeof(err)) == 0)
		for (size_t i = 0; i < fs->n && c->n_path_faults < 8; i++)
			if (!fs->f[i].exercise[0] &&   /* not given away */
			    (fs->f[i].kind == PSC_FAULT_LINK_DOWN ||
			    (fs->f[i].kind == PSC_FAULT_NETEM &&
			     fs->f[i].loss_pct > 0)))
				c->path_faults[c->n_path_faults++] = fs->f[i];
	free(fs);
}

static psc_verify_ctx *lab_context(const char *lab, psc_verify_report *r,
				   char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat sb;
	if (psc_lab_name_check(lab, err, errlen) < 0) {
		r->no_such_lab = true;
		return NULL;
	}
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "no lab named '%s' is up (no state "
			 "directory for it)", lab);
		r->no_such_lab = true;
		return NULL;
	}
	if (stat(dir, &sb) != 0) {
		snprintf(err, errlen, "no lab named '%s' is up (no state in "
			 "%s)", lab, dir);
		r->no_such_lab = true;
		return NULL;
	}
	psc_topology *t = NULL;
	psc_plan *plan = calloc(1, sizeof(*plan));
	psc_verify_ctx *c = calloc(1, sizeof(*c));
	if (!plan || !c) {
		snprintf(err, errlen, "out of memory");
		free(plan);
		free(c);
		return NULL;
	}
	int rc = psc_lab_load(lab, &t, plan, err, errlen);
	if (rc == PSC_LAB_NOT_UP)
		r->no_such_lab = true;
	if (rc == 0) {
		rc = psc_verify_ctx_build(t, plan, NULL, c, err, errlen);
		psc_topology_free(t);
	}
	free(plan);
	if (rc < 0) {
		free(c);
		return NULL;
	}
	lab_processes(lab, c);
	path_faults(lab, c);
	return c;
}

/* the children's job: the options over the context's defaults */
static void job_init(psc_verify_job *j, const psc_verify_opts *o,
		     const psc_verify_ctx *c, const char *topic)
{
	memset(j, 0, sizeof(*j));
	j->c = c;
	j->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
					  : PSC_VERIFY_TIMEOUT_DEFAULT_MS;
	j->messages = o->messages > 0 ? o->messages
				      : PSC_VERIFY_MESSAGES_DEFAULT;
	if (j->messages > PSC_VERIFY_MESSAGES_MAX)
		j->messages = PSC_VERIFY_MESSAGES_MAX;
	psc_setf(j->host, sizeof(j->host), "%s", o->bootstrap_host &&
	    o->bootstrap_host[0] ? o->bootstrap_host : c->endpoint_ip);
	if (o->n_bootstrap_ports) {
		for (size_t i = 0; i < o->n_bootstrap_ports &&
				   i < PSC_MAX_BOOTSTRAP; i++)
			j->ports[j->n_ports++] = o->bootstrap_ports[i];
	} else {
		for (size_t i = 0; i < c->n_bootstrap_ports; i++)
			j->ports[j->n_ports++] = c->bootstrap_ports[i];
	}
	psc_kclient_path(j->kclient, sizeof(j->kclient));
	j->cdc_rf = o->replication_factor > 0
			    ? o->replication_factor
			    : (c->n_brokers < 3 ? (int)c->n_brokers : 3);
	j->topic = topic;
}

/* the run's test topic, unique: lab, pid, wall-clock ms */
static void topic_name(const char *lab, char *out, size_t len)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	psc_setf(out, len, "psclab-verify-%s-%ld-%lld", lab, (long)getpid(),
	    (long long)rt.tv_sec * 1000 + rt.tv_nsec / 1000000);
}

/* the changefeed's child, then the bastion's (unless there is none or
 * o says not to): *nk of them started.  0, or -1 with err. */
static int start_children(const psc_verify_ctx *c, const psc_verify_opts *o,
			  psc_verify_job *j, psc_verify_kid *kids, size_t *nk,
			  char *err, size_t errlen)
{
	*nk = 0;
	if (psc_verify_kid_start(&kids[0], j, c->changefeed_ns,
				 psc_verify_run_changefeed, NULL, err,
				 errlen) < 0)
		return -1;
	*nk = 1;
	if (!c->bastion[0] || o->no_bastion)
		return 0;
	if (psc_verify_kid_start(&kids[1], j, c->bastion_ns,
				 psc_verify_run_bastion, &kids[0], err,
				 errlen) < 0)
		return -1;
	*nk = 2;
	return 0;
}

/* the result into the lab's verify-last.json (verify_last.h); why not
 * into r->last_err */
static void keep_last(const char *lab, psc_verify_report *r)
{
	char path[PATH_MAX];
	if (psc_verify_last_path(lab, path, sizeof(path), r->last_err,
				 sizeof(r->last_err)) == 0)
		psc_verify_last_write(r, (long long)time(NULL), path,
				      r->last_err, sizeof(r->last_err));
}

int psc_verify_run(const char *lab, const psc_verify_opts *o,
		   psc_verify_report *r, char *err, size_t errlen)
{
	static const psc_verify_opts dflt;
	static psc_verify_leak_watch watch;
	long long t0 = psc_now_ms();
	psc_verify_report_init(r, lab);
	if (!o)
		o = &dflt;
	r->strict = o->strict;
	psc_verify_ctx *c = lab_context(lab, r, err, errlen);
	if (!c)
		return -1;

	psc_verify_job j;
	topic_name(lab, r->topic, sizeof(r->topic));
	job_init(&j, o, c, r->topic);
	psc_verify_kid kids[PSC_VERIFY_KIDS_MAX];
	size_t nk = 0;
	psc_verify_kid_init(&kids[0], c->changefeed,
			    psc_verify_changefeed_budget(&j));
	psc_verify_kid_init(&kids[1], c->bastion,
			    psc_verify_bastion_budget(&j));
	/* the leak watch before and after: what the checks made leak */
	psc_verify_leak_watch_start(c, &watch);
	int rc = start_children(c, o, &j, kids, &nk, err, errlen);
	psc_verify_kids_wait(kids, nk);
	psc_verify_leak_watch_stop(c, &watch);

	lab_processes(lab, c);
	for (size_t i = 0; i < nk; i++) {
		psc_verify_kid_report(c, &kids[i], r);
		psc_verify_kid_free(&kids[i]);
	}
	psc_verify_check lc;
	if (nk && psc_verify_lb_health_read(c, lab, &lc))
		psc_verify_report_put(r, &lc);
	if (nk && psc_verify_leak_watch_check(c, &watch, &lc))
		psc_verify_report_put(r, &lc);
	if (nk && psc_verify_faults_read(lab, &lc))
		psc_verify_report_put(r, &lc);
	free(c);
	r->total_ms = (long)(psc_now_ms() - t0);
	if (nk)
		keep_last(lab, r);
	return rc;
}
