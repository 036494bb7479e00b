/* reconfigure.c - `pscLab reconfigure`: the rolling restart that adds the
 * EXTERNAL listener to a lab brought up as an existing cluster, with a
 * producer and a consumer running through it (see reconfigure.h).
 *
 * MEASURED (this 2-core machine, shared; Kafka 3.7.1, 3 brokers, 100 msg/s
 * acks=all idempotent franz-go; three runs): each broker away (stop to
 * serving) 3.3-11.3 s, 16.6 s at most (one that writes the class-data
 * archive at its stop, or starts cold); in sync again 0.3-0.8 s later;
 * longest produce stall 0.1-0.5 s (one partition's 0.3-1.5 s); 0
 * acknowledged messages lost, 0 duplicates; a whole reconfigure of three
 * brokers 35 s with its verify.  README "Reconfigure a running
 * cluster". */
#define _GNU_SOURCE
#include "verify/reconfigure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "base/util.h"
#include "runtime/fault.h"
#include "runtime/kafka.h"
#include "runtime/lab.h"
#include "runtime/proc.h"
#include "runtime/state.h"
#include "runtime/store.h"
#include "verify/children.h"
#include "verify/job.h"
#include "verify/kclient.h"
#include "verify/rdkafka_client.h"
#include "verify/verify_run.h"

#define BASTION "bastion-node"
#define PRODUCER_START_MS 60000L   /* until the producer's first acks */
#define PRODUCER_FIRST_ACKS 20
#define CLIENT_TIMEOUT_S 1800L     /* psclab-kclient's own bound */
#define CONSUMER_DRAIN_S 30L       /* after the stop, for the last acks */
#define PRODUCER_STOP_MS 30000

typedef struct roll {
	const char *lab;
	const psc_reconfigure_opts *o;
	psc_topology *t;
	psc_plan *p;
	psc_stage *s;
	psc_roll_report *r;
	char ns[PSC_NETNS_NAME_LEN];      /* bastion-node's */
	char bootstrap[1024];             /* the INTERNAL listeners */
	char kclient[PATH_MAX];
	char acked[PATH_MAX + 64];        /* the producer's acked numbers */
	psc_proc prod, cons;
	bool prod_on, cons_on;
	long long t0;
} roll;

static void say(const roll *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const roll *x, const char *fmt, ...)
{
	if (!x->o->progress)
		return;
	va_list ap;
	fprintf(x->o->progress, "[%6lld ms] ", psc_now_ms() - x->t0);
	va_start(ap, fmt);
	vfprintf(x->o->progress, fmt, ap);
	va_end(ap);
	fputc('\n', x->o->progress);
	fflush(x->o->progress);
}

/* ---- in sync: from bastion-node, librdkafka's Metadata ---- */

/* what the child is to check (set before the fork) */
static struct {
	char bootstrap[1024];
	size_t brokers;
	long ms;
} insync_arg;

/* every broker listed, every partition led with its whole replica set in
 * sync (nothing under-replicated); else why not */
static bool md_in_sync(const rd_kafka_metadata_t *md, size_t brokers,
		       char *why, size_t len)
{
	if ((size_t)md->broker_cnt < brokers) {
		snprintf(why, len, "Metadata lists %d of %zu brokers",
			 md->broker_cnt, brokers);
		return false;
	}
	for (int i = 0; i < md->topic_cnt; i++)
		for (int k = 0; k < md->topics[i].partition_cnt; k++) {
			const rd_kafka_metadata_partition_t *p =
				&md->topics[i].partitions[k];
			if (p->leader >= 0 && p->isr_cnt >= p->replica_cnt)
				continue;
			snprintf(why, len, "partition %s/%d under-replicated: "
				 "%d of %d replicas in sync, leader %d",
				 md->topics[i].topic, (int)p->id, p->isr_cnt,
				 p->replica_cnt, (int)p->leader);
			return false;
		}
	return true;
}

static void insync_child(const psc_verify_job *j)
{
	char err[512], why[512] = "no Metadata answer", line[600];
	long long end = psc_now_ms() + insync_arg.ms;
	bool ok = false;
	rd_kafka_t *rk = psc_verify_client(RD_KAFKA_PRODUCER,
					   insync_arg.bootstrap, 3000, NULL,
					   err, sizeof(err));
	if (!rk)
		snprintf(why, sizeof(why), "%s", err);
	while (rk && !ok && psc_now_ms() < end) {
		const rd_kafka_metadata_t *md = NULL;
		rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md,
							  2000);
		if (e)
			snprintf(why, sizeof(why), "Metadata: %s",
				 rd_kafka_err2str(e));
		else {
			ok = md_in_sync(md, insync_arg.brokers, why,
					sizeof(why));
			rd_kafka_metadata_destroy(md);
		}
		if (!ok)
			psc_sleep_ms(250);
	}
	snprintf(line, sizeof(line), "%s %s", ok ? "OK" : "NO",
		 ok ? "in sync" : why);
	psc_verify_write_line(j, line);
	/* the child ends with _exit: librdkafka is not waited for */
}

static void keep_verdict(const char *line, void *arg)
{
	if (strncmp(line, "OK ", 3) == 0 || strncmp(line, "NO ", 3) == 0)
		snprintf(arg, 600, "%s", line);
}

/* until nothing is under-replicated, at most ms; 0, or -1 with why */
static int wait_in_sync(const roll *x, long ms, char *why, size_t len)
{
	psc_verify_kid k;
	psc_verify_job j;
	char verdict[600] = "";
	memset(&j, 0, sizeof(j));
	snprintf(insync_arg.bootstrap, sizeof(insync_arg.bootstrap), "%s",
		 x->bootstrap);
	insync_arg.brokers = x->t->kafka.n_brokers;
	insync_arg.ms = ms;
	psc_verify_kid_init(&k, BASTION, ms + 10000);
	if (psc_verify_kid_start(&k, &j, x->ns, insync_child, NULL, why,
				 len) < 0)
		return -1;
	psc_verify_kids_wait(&k, 1);
	psc_verify_kid_each_line(&k, keep_verdict, verdict);
	psc_verify_kid_free(&k);
	if (strncmp(verdict, "OK ", 3) == 0)
		return 0;
	snprintf(why, len, "%s", verdict[0] ? verdict + 3
		 : "the in-sync check in bastion-node said nothing");
	return -1;
}

/* ---- the workload: psclab-kclient produce and consume --follow ---- */

static int spawn_client(roll *x, const char *name, psc_argv *a,
			psc_proc *out, char *err, size_t errlen)
{
	char log[PATH_MAX];
	if (psc_state_log_path(x->lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "%s: no log path in lab '%s'", name,
			 x->lab);
		return -1;
	}
	unlink(log);   /* this run's lines only */
	return psc_proc_spawn(name, x->ns, a->v, NULL, log, psc_state_proc_hook,
			      (void *)x->lab, out, err, errlen);
}

static long file_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	long n = 0;
	int c;
	while (f && (c = getc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static int client_argv(const roll *x, psc_argv *a, bool producer, char *err,
		       size_t errlen)
{
	const psc_roll_workload *w = &x->r->w;
	size_t n = x->t->kafka.n_brokers;
	psc_argv_init(a);
	int rc = psc_argv_add(a, err, errlen, "%s", x->kclient) |
		 psc_argv_add(a, err, errlen, producer ? "produce" : "consume") |
		 psc_argv_add(a, err, errlen, "--client=franz") |
		 psc_argv_add(a, err, errlen, "--bootstrap=%s", x->bootstrap) |
		 psc_argv_add(a, err, errlen, "--topic=%s", w->topic) |
		 psc_argv_add(a, err, errlen, "--acked-file=%s", x->acked) |
		 psc_argv_add(a, err, errlen, "--timeout=%lds",
			      CLIENT_TIMEOUT_S);
	if (producer)
		rc |= psc_argv_add(a, err, errlen, "--count=%ld",
				   w->rate * CLIENT_TIMEOUT_S) |
		      psc_argv_add(a, err, errlen, "--rate=%ld", w->rate) |
		      psc_argv_add(a, err, errlen, "--acks=all") |
		      psc_argv_add(a, err, errlen, "--create-topic") |
		      psc_argv_add(a, err, errlen, "--partitions=3") |
		      psc_argv_add(a, err, errlen, "--replication-factor=%zu",
				   n < 3 ? n : 3);
	else
		rc |= psc_argv_add(a, err, errlen, "--follow") |
		      psc_argv_add(a, err, errlen, "--drain=%lds",
				   CONSUMER_DRAIN_S);
	return rc ? -1 : 0;
}

/* the producer started and acked, then the consumer started */
static int start_workload(roll *x, char *err, size_t errlen)
{
	psc_roll_workload *w = &x->r->w;
	psc_argv *a = calloc(1, sizeof(*a));
	char dir[PATH_MAX], tail[2048];
	int rc = -1;
	if (!a || psc_state_dir(x->lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "out of memory, or no state directory");
		goto out;
	}
	snprintf(w->topic, sizeof(w->topic), "psclab-roll-%ld", x->s->runs);
	snprintf(x->acked, sizeof(x->acked), "%s/roll-%ld.acked", dir,
		 x->s->runs);
	unlink(x->acked);
	if (client_argv(x, a, true, err, errlen) < 0 ||
	    spawn_client(x, "roll-producer", a, &x->prod, err, errlen) < 0)
		goto out;
	x->prod_on = w->ran = true;
	long long end = psc_now_ms() + PRODUCER_START_MS;
	while (file_lines(x->acked) < PRODUCER_FIRST_ACKS) {
		if (!psc_proc_alive(&x->prod) || psc_now_ms() > end) {
			psc_setf(err, errlen, "the producer in %s (%s) %s; last "
				 "lines of %s:\n%s", BASTION, x->bootstrap,
				 psc_proc_alive(&x->prod) ? "had no message "
				 "acknowledged within 60 s" : "ended",
				 x->prod.log, psc_file_tail(x->prod.log, 0, 10,
							    tail, sizeof(tail)));
			goto out;
		}
		psc_sleep_ms(100);
	}
	if (client_argv(x, a, false, err, errlen) < 0 ||
	    spawn_client(x, "roll-consumer", a, &x->cons, err, errlen) < 0)
		goto out;
	x->cons_on = true;
	say(x, "workload: producer (acks=all, idempotent, %ld msg/s) and "
	    "consumer running in %s on topic %s through INTERNAL %s", w->rate,
	    BASTION, w->topic, x->bootstrap);
	rc = 0;
out:
	free(a);
	return rc;
}

/* stop one client by SIGTERM (it prints its final line) and read it */
static void stop_client(roll *x, psc_proc *pr, bool *on, int grace_ms,
			const char *key,
			int (*parse)(const char *, psc_roll_workload *))
{
	char e[512], line[8192];
	char *tail = malloc(65536);
	psc_roll_workload *w = &x->r->w;
	if (!*on || !tail) {
		free(tail);
		return;
	}
	if (psc_proc_stop(pr, grace_ms, e, sizeof(e)) < 0)
		PSC_APP(w->error, "%s%s", w->error[0] ? "; " : "", e);
	*on = false;
	psc_file_tail(pr->log, 0, 40, tail, 65536);
	if (psc_roll_last_json(tail, key, line, sizeof(line)) < 0)
		PSC_APP(w->error, "%s%s printed no final line (%s)",
			w->error[0] ? "; " : "", pr->name, pr->log);
	else
		parse(line, w);
	free(tail);
}

static void stop_workload(roll *x)
{
	psc_roll_workload *w = &x->r->w;
	stop_client(x, &x->prod, &x->prod_on, PRODUCER_STOP_MS, "acked",
		    psc_roll_parse_produce);
	if (!w->produced && w->ran)   /* its file still says what was acked */
		w->acked = file_lines(x->acked);
	stop_client(x, &x->cons, &x->cons_on,
		    (int)(CONSUMER_DRAIN_S + 15) * 1000, "received",
		    psc_roll_parse_consume);
	if (w->ran)
		say(x, "workload stopped: %ld acknowledged, %ld received, %ld "
		    "lost, %ld duplicates", w->acked, w->received, w->lost,
		    w->duplicates);
}

/* ---- the roll ---- */

/* the roll stops at broker i: FAILED with why, the report says which
 * broker and what to do; 1 */
static int roll_stop(roll *x, size_t i, const char *what, const char *why)
{
	const psc_stage_broker *b = &x->s->b[i];
	const psc_broker *kb = psc_find_broker_by_instance(&x->t->kafka,
							   b->instance);
	char others[1024] = "", e[512];
	for (size_t k = 0; k < x->s->n; k++)
		if (k != i)
			PSC_APP(others, "%s%s (%s)", others[0] ? ", " : "",
				x->s->b[k].instance,
				x->s->b[k].state == PSC_ROLL_DONE
					? "reconfigured" : "as before");
	snprintf(x->r->stopped_at, sizeof(x->r->stopped_at), "%s",
		 b->instance);
	snprintf(x->r->error, sizeof(x->r->error), "broker %s (node %ld) %s: "
		 "%s\n  the roll stopped there; the others are left as they "
		 "are and serving: %s\n  fix: repair it (sudo pscLab logs %s "
		 "%s), then: sudo pscLab reconfigure %s --resume", b->instance,
		 kb ? kb->node_id : -1L, what, why, others, x->lab, b->instance,
		 x->lab);
	psc_stage_mark(x->s, i, PSC_ROLL_FAILED, 0, 0, x->r->error);
	if (psc_lab_stage_write(x->lab, x->s, e, sizeof(e)) < 0)
		PSC_APP(x->r->error, " (and its state was not kept: %s)", e);
	say(x, "%s %s: the roll stops", b->instance, what);
	return 1;
}

/* broker i reconfigured and restarted: 0, 1 it stopped the roll, -1 */
static int roll_one(roll *x, size_t i, char *err, size_t errlen)
{
	const char *inst = x->s->b[i].instance;
	long catchup = x->o->catchup_ms > 0 ? x->o->catchup_ms
					    : PSC_RECONF_CATCHUP_MS;
	char *e = malloc(PSC_KAFKA_ERR_LEN);
	int rc = -1;
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	psc_stage_mark(x->s, i, PSC_ROLL_RESTARTING, 0, 0, NULL);
	if (psc_lab_stage_write(x->lab, x->s, err, errlen) < 0)
		goto out;
	say(x, "%s: server.properties with the EXTERNAL listener; stopping "
	    "and starting it", inst);
	long long t = psc_now_ms();
	if (psc_lab_node_process(x->lab, inst, PSC_NODE_RESTART, NULL, e,
				 PSC_KAFKA_ERR_LEN) < 0) {
		rc = roll_stop(x, i, "did not come back", e);
		goto out;
	}
	long away = (long)(psc_now_ms() - t);
	say(x, "%s: serving again after %.1f s; waiting until nothing is "
	    "under-replicated", inst, away / 1000.0);
	if (wait_in_sync(x, catchup, e, PSC_KAFKA_ERR_LEN) < 0) {
		char what[128];
		snprintf(what, sizeof(what), "is back but not in sync within "
			 "%ld s", catchup / 1000);
		rc = roll_stop(x, i, what, e);
		goto out;
	}
	psc_stage_mark(x->s, i, PSC_ROLL_DONE, away,
		       (long)(psc_now_ms() - t), NULL);
	if (psc_lab_stage_write(x->lab, x->s, err, errlen) < 0)
		goto out;
	say(x, "%s: in sync after %.1f s", inst,
	    x->s->b[i].caught_up_ms / 1000.0);
	rc = 0;
out:
	free(e);
	return rc;
}

/* every broker still to roll, one at a time: 0, 1 stopped, -1 */
static int roll_all(roll *x, char *err, size_t errlen)
{
	char why[1024];
	long i;
	if (psc_stage_stopped_at(x->s) < 0 && psc_stage_next(x->s) >= 0) {
		if (wait_in_sync(x, 30000, why, sizeof(why)) < 0) {
			snprintf(x->r->error, sizeof(x->r->error), "the cluster "
				 "is not in sync before the roll (%s): nothing "
				 "was restarted\n  fix: sudo pscLab status %s; "
				 "then run reconfigure again", why, x->lab);
			return 1;
		}
		say(x, "cluster in sync: rolling %zu brokers one at a time",
		    psc_stage_count(x->s, PSC_ROLL_OLD));
	}
	for (size_t n = 0; n <= x->s->n && (i = psc_stage_next(x->s)) >= 0;
	     n++) {
		int rc = roll_one(x, (size_t)i, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static void add_neg(roll *x)
{
	char e[1024];
	if (x->r->stopped_at[0] || x->r->error[0] || x->s->neg_mapped ||
	    psc_stage_next(x->s) >= 0)
		return;
	x->s->neg_mapped = true;
	if (psc_lab_stage_write(x->lab, x->s, e, sizeof(e)) < 0 ||
	    psc_lab_remake(x->lab, NULL, e, sizeof(e)) < 0) {
		x->s->neg_mapped = false;
		psc_lab_stage_write(x->lab, x->s, e, sizeof(e));
		PSC_SET(x->r->error, "adding the NEG endpoints: %s\n  fix: "
			"sudo pscLab reconfigure %s --resume", e, x->lab);
		return;
	}
	say(x, "NEG endpoints added: the load balancer maps each client port "
	    "to its broker's EXTERNAL listener");
}

static void run_verify(roll *x)
{
	static psc_verify_report vr;
	psc_verify_opts vo;
	char e[1024];
	memset(&vo, 0, sizeof(vo));
	say(x, "verify through PSC");
	int rc = psc_verify_run(x->lab, &vo, &vr, e, sizeof(e));
	x->r->verify_ran = rc == 0;
	x->r->verify_ok = psc_verify_exit_code(rc, &vr) == 0;
	x->r->v_pass = vr.n_pass;
	x->r->v_warn = vr.n_warn;
	x->r->v_fail = vr.n_fail;
	x->r->v_skip = vr.n_skip;
	if (rc < 0)
		PSC_APP(x->r->error, "%sverify did not run: %s",
			x->r->error[0] ? "; " : "", e);
}

/* ---- the run ---- */

/* the lab may be rolled: portmap, staged, the stage's word, no other
 * reconfigure (*lock held); PSC_RECONF_REFUSED or -1 with err */
static int may_roll(roll *x, int *lock, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	if (psc_topology_approach(x->t) == PSC_APPROACH_PROXY) {
		snprintf(err, errlen, "lab '%s' is the proxy way, which needs no "
			 "reconfigure: its cluster stays as it is (kafka-proxy "
			 "reaches the brokers' INTERNAL listener; there is no "
			 "EXTERNAL listener to add). Reconfigure is the portmap "
			 "way's: sudo pscLab up portmap --existing-cluster",
			 x->lab);
		return PSC_RECONF_REFUSED;
	}
	if (psc_lab_stage_read(x->lab, x->s, err, errlen) < 0)
		return -1;
	if (psc_stage_may_begin(x->s, x->lab, x->o->resume, err, errlen) < 0)
		return PSC_RECONF_REFUSED;
	if (psc_state_dir(x->lab, dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/reconfigure.lock", dir);
	*lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*lock < 0 || flock(*lock, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "lab '%s': another pscLab reconfigure is "
			 "running (%s: %s)", x->lab, path, strerror(errno));
		return PSC_RECONF_REFUSED;
	}
	if (psc_plan_node_ns(x->p, BASTION, err, errlen) < 0)
		return -1;
	snprintf(x->ns, sizeof(x->ns), "%s",
		 x->p->ns[psc_plan_node_ns(x->p, BASTION, err, errlen)].name);
	psc_kclient_path(x->kclient, sizeof(x->kclient));
	if (!x->kclient[0]) {
		snprintf(err, errlen, "psclab-kclient not found (beside pscLab, "
			 "or $PSCLAB_KCLIENT): make bin/psclab-kclient");
		return -1;
	}
	return 0;
}

static void internal_bootstrap(roll *x)
{
	char a[PSC_ADDR_LEN];
	size_t used = 0;
	for (size_t i = 0; i < x->t->kafka.n_brokers; i++) {
		if (psc_broker_advertised_internal(x->t, &x->t->kafka.brokers[i],
						   a, sizeof(a)) < 0 ||
		    used + strlen(a) + 2 >= sizeof(x->bootstrap))
			continue;
		used += (size_t)snprintf(x->bootstrap + used,
					 sizeof(x->bootstrap) - used, "%s%s",
					 used ? "," : "", a);
	}
}

static int roll_run(roll *x, char *err, size_t errlen)
{
	psc_roll_workload *w = &x->r->w;
	w->rate = x->o->rate > 0 ? x->o->rate : PSC_RECONF_RATE_DEFAULT;
	internal_bootstrap(x);
	x->s->runs++;
	if (psc_lab_stage_write(x->lab, x->s, err, errlen) < 0)
		return -1;
	if (start_workload(x, w->error, sizeof(w->error)) < 0) {
		PSC_SET(x->r->error, "the workload did not start: nothing was "
			"restarted");
		stop_workload(x);
		return 0;
	}
	int rc = roll_all(x, err, errlen);
	if (rc == 0)
		add_neg(x);
	stop_workload(x);
	x->r->neg_added = x->s->neg_mapped;
	if (rc >= 0 && psc_stage_complete(x->s))
		run_verify(x);
	return rc < 0 ? -1 : 0;
}

int psc_reconfigure_run(const char *lab, const psc_reconfigure_opts *o,
			psc_roll_report *r, char *err, size_t errlen)
{
	roll x = {.lab = lab, .o = o, .r = r, .t0 = psc_now_ms()};
	int lock = -1, rc;
	x.s = calloc(1, sizeof(*x.s));
	x.p = calloc(1, sizeof(*x.p));
	psc_roll_report_init(r, lab, x.s, o->resume);
	if (!x.s || !x.p) {
		snprintf(err, errlen, "out of memory");
		free(x.p);
		return -1;
	}
	rc = psc_lab_load(lab, &x.t, x.p, err, errlen);
	if (rc == 0)
		rc = may_roll(&x, &lock, err, errlen);
	if (rc == 0)
		rc = roll_run(&x, err, errlen);
	r->ms = (long)(psc_now_ms() - x.t0);
	if (lock >= 0)
		close(lock);
	psc_topology_free(x.t);
	free(x.p);
	return rc;
}

void psc_reconfigure_free(psc_roll_report *r)
{
	psc_stage *s = (psc_stage *)r->stage;
	if (s)
		psc_stage_free(s);
	free(s);
	r->stage = NULL;
}
