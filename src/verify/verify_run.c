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
#include "model/consumers.h"
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

/* the TiDB Cloud consumers a run checks: the changefeed and changefeeds[] */
#define VERIFY_CONSUMERS (1 + PSC_MAX_CHANGEFEEDS)

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

/* the context of consumer k of t (model/consumers.h): built from t itself
 * for the file's changefeed, from consumer k's view for the others */
static psc_verify_ctx *consumer_context(const psc_topology *t,
					const psc_plan *plan, size_t k,
					char *err, size_t errlen)
{
	psc_verify_ctx *c = calloc(1, sizeof(*c));
	psc_topology *v = k ? psc_consumer_view(t, k, err, errlen) : NULL;
	if (!c || (k && !v)) {
		if (!c)
			snprintf(err, errlen, "out of memory");
		free(c);
		psc_topology_free(v);
		return NULL;
	}
	int rc = psc_verify_ctx_build(k ? v : t, plan, NULL, c, err, errlen);
	psc_topology_free(v);
	if (rc < 0) {
		free(c);
		return NULL;
	}
	psc_verify_ctx_consumers(t, k, c);
	return c;
}

/* The contexts of lab, built once: one per TiDB Cloud consumer (cs[0] the
 * file's changefeed), from its stored topology and plan, with the
 * processes of its journal as they are now.  *n of them (free() each), or
 * -1 with err; r->no_such_lab when the lab is not up. */
static int lab_contexts(const char *lab, psc_verify_report *r,
			psc_verify_ctx **cs, size_t *n, char *err,
			size_t errlen)
{
	char dir[PATH_MAX];
	struct stat sb;
	*n = 0;
	if (psc_lab_name_check(lab, err, errlen) < 0) {
		r->no_such_lab = true;
		return -1;
	}
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "no lab named '%s' is up (no state "
			 "directory for it)", lab);
		r->no_such_lab = true;
		return -1;
	}
	if (stat(dir, &sb) != 0) {
		snprintf(err, errlen, "no lab named '%s' is up (no state in "
			 "%s)", lab, dir);
		r->no_such_lab = true;
		return -1;
	}
	psc_topology *t = NULL;
	psc_plan *plan = calloc(1, sizeof(*plan));
	if (!plan) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = psc_lab_load(lab, &t, plan, err, errlen);
	if (rc == PSC_LAB_NOT_UP)
		r->no_such_lab = true;
	size_t want = rc == 0 ? psc_consumer_count(t) : 0;
	if (rc == 0 && want == 0)   /* no changefeed: the builder says so */
		want = 1;
	for (size_t k = 0; rc == 0 && k < want && k < VERIFY_CONSUMERS; k++) {
		cs[k] = consumer_context(t, plan, k, err, errlen);
		if (!cs[k])
			rc = -1;
		else
			*n = k + 1;
	}
	psc_topology_free(t);
	free(plan);
	if (rc < 0) {
		for (size_t k = 0; k < *n; k++)
			free(cs[k]);
		*n = 0;
		return -1;
	}
	for (size_t k = 0; k < *n; k++) {
		lab_processes(lab, cs[k]);
		path_faults(lab, cs[k]);
	}
	return 0;
}

/* the children's job: the options over the context's defaults */
static void job_init(psc_verify_job *j, const psc_verify_opts *o,
		     const psc_verify_ctx *c, const char *topic)
{
	/* the options' bootstrap address is the file's changefeed's; a
	 * further project's changefeed bootstraps on its own */
	static const psc_verify_opts none;
	const psc_verify_opts *ob = c->consumer ? &none : o;
	memset(j, 0, sizeof(*j));
	j->c = c;
	j->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
					  : PSC_VERIFY_TIMEOUT_DEFAULT_MS;
	j->messages = o->messages > 0 ? o->messages
				      : PSC_VERIFY_MESSAGES_DEFAULT;
	if (j->messages > PSC_VERIFY_MESSAGES_MAX)
		j->messages = PSC_VERIFY_MESSAGES_MAX;
	psc_setf(j->host, sizeof(j->host), "%s", ob->bootstrap_host &&
	    ob->bootstrap_host[0] ? ob->bootstrap_host : c->endpoint_ip);
	if (ob->n_bootstrap_ports) {
		for (size_t i = 0; i < ob->n_bootstrap_ports &&
				   i < PSC_MAX_BOOTSTRAP; i++)
			j->ports[j->n_ports++] = ob->bootstrap_ports[i];
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

/* one consumer's part of a run: its context, its job and test topic, its
 * leak watch (about 4 KiB) */
struct consumer_run {
	psc_verify_ctx *c;
	psc_verify_job j;
	char topic[192];
	psc_verify_leak_watch watch;
};

/* the kid of each consumer's changefeed and the bastion's, in the
 * report's order: the file's changefeed, the bastion (unless there is
 * none or o says not to), then each further consumer's changefeed */
static void kids_init(struct consumer_run *cr, size_t ncr,
		      const psc_verify_opts *o, psc_verify_kid *kids,
		      size_t *nk, const psc_verify_ctx **kctx)
{
	*nk = 0;
	psc_verify_kid_init(&kids[*nk], cr[0].c->changefeed,
			    psc_verify_changefeed_budget(&cr[0].j));
	kctx[(*nk)++] = cr[0].c;
	if (cr[0].c->bastion[0] && !o->no_bastion) {
		psc_verify_kid_init(&kids[*nk], cr[0].c->bastion,
				    psc_verify_bastion_budget(&cr[0].j));
		kctx[(*nk)++] = cr[0].c;
	}
	for (size_t k = 1; k < ncr; k++) {
		psc_verify_kid_init(&kids[*nk], cr[k].c->changefeed,
				    psc_verify_changefeed_budget(&cr[k].j));
		kctx[(*nk)++] = cr[k].c;
	}
}

/* every kid started: *started of them.  0, or -1 with err. */
static int start_children(struct consumer_run *cr, psc_verify_kid *kids,
			  size_t nk, size_t *started, char *err,
			  size_t errlen)
{
	*started = 0;
	for (size_t i = 0, k = 0; i < nk; i++) {
		bool bastion = i == 1 && kids[i].node == cr[0].c->bastion;
		struct consumer_run *r = bastion ? &cr[0] : &cr[k++];
		if (psc_verify_kid_start(&kids[i], &r->j,
					 bastion ? r->c->bastion_ns
						 : r->c->changefeed_ns,
					 bastion ? psc_verify_run_bastion
						 : psc_verify_run_changefeed,
					 i ? &kids[0] : NULL, err, errlen) < 0)
			return -1;
		*started = i + 1;
	}
	return 0;
}

/* the checks after the children's: each load balancer's health once,
 * each consumer's leak watch, the faults */
static void after_checks(const char *lab, struct consumer_run *cr,
			 size_t ncr, psc_verify_report *r)
{
	psc_verify_check lc;
	for (size_t k = 0; k < ncr; k++) {
		bool seen = false;
		for (size_t h = 0; h < k; h++)
			seen |= strcmp(cr[h].c->load_balancer,
				       cr[k].c->load_balancer) == 0;
		if (!seen && psc_verify_lb_health_read(cr[k].c, lab, &lc))
			psc_verify_report_put(r, &lc);
	}
	for (size_t k = 0; k < ncr; k++)
		if (psc_verify_leak_watch_check(cr[k].c, &cr[k].watch, &lc))
			psc_verify_report_put(r, &lc);
	if (psc_verify_faults_read(lab, &lc))
		psc_verify_report_put(r, &lc);
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
	static struct consumer_run cr[VERIFY_CONSUMERS];
	long long t0 = psc_now_ms();
	psc_verify_report_init(r, lab);
	if (!o)
		o = &dflt;
	r->strict = o->strict;
	psc_verify_ctx *cs[VERIFY_CONSUMERS];
	size_t ncr = 0;
	if (lab_contexts(lab, r, cs, &ncr, err, errlen) < 0)
		return -1;

	topic_name(lab, r->topic, sizeof(r->topic));
	for (size_t k = 0; k < ncr; k++) {
		cr[k].c = cs[k];
		/* a topic of each consumer's own: they run at once */
		psc_setf(cr[k].topic, sizeof(cr[k].topic), k ? "%s-%s" : "%s",
			 r->topic, cs[k]->changefeed);
		job_init(&cr[k].j, o, cs[k], cr[k].topic);
	}
	psc_verify_kid kids[PSC_VERIFY_KIDS_MAX];
	const psc_verify_ctx *kctx[PSC_VERIFY_KIDS_MAX];
	size_t nk = 0, started = 0;
	kids_init(cr, ncr, o, kids, &nk, kctx);
	/* the leak watch before and after: what the checks made leak */
	for (size_t k = 0; k < ncr; k++)
		psc_verify_leak_watch_start(cr[k].c, &cr[k].watch);
	int rc = start_children(cr, kids, nk, &started, err, errlen);
	psc_verify_kids_wait(kids, started);
	for (size_t k = 0; k < ncr; k++)
		psc_verify_leak_watch_stop(cr[k].c, &cr[k].watch);

	for (size_t k = 0; k < ncr; k++)
		lab_processes(lab, cr[k].c);
	for (size_t i = 0; i < started; i++) {
		psc_verify_kid_report(kctx[i], &kids[i], r);
		psc_verify_kid_free(&kids[i]);
	}
	if (started)
		after_checks(lab, cr, ncr, r);
	for (size_t k = 0; k < ncr; k++)
		free(cr[k].c);
	r->total_ms = (long)(psc_now_ms() - t0);
	if (started)
		keep_last(lab, r);
	return rc;
}
