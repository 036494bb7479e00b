/* lab.c - up, down, exec and the services of a lab (see lab.h). */
#define _GNU_SOURCE
#include "runtime/lab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fib_rules.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/rule.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/parallel.h"
#include "base/util.h"
#include "lint/lint.h"
#include "model/topology_load.h"
#include "fabric/netns.h"
#include "fabric/nft.h"
#include "fabric/rules.h"
#include "runtime/kafka.h"
#include "runtime/lab_kafka.h"
#include "runtime/proc.h"
#include "runtime/serve.h"
#include "runtime/state.h"
#include "runtime/store.h"

/* ---- small helpers ---- */

/* one progress line: "[  12 ms] what" */
static void step(FILE *progress, long long t0, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step(FILE *progress, long long t0, const char *fmt, ...)
{
	if (!progress)
		return;
	va_list ap;
	fprintf(progress, "[%6lld ms] ", psc_now_ms() - t0);
	va_start(ap, fmt);
	vfprintf(progress, fmt, ap);
	va_end(ap);
	fputc('\n', progress);
	fflush(progress);
}

/* ---- teardown from the journal and the name mark ---- */

struct stopper {
	const psc_proc *p;
	int rc;
	char err[512];
};

static void stopper_run(void *arg)
{
	struct stopper *s = arg;
	s->rc = psc_proc_stop(s->p, PSC_LAB_STOP_GRACE_MS, s->err,
			      sizeof(s->err));
}

/* psc_proc_stop for every process at once */
static int stop_all(const psc_proc *procs, size_t n, char *err,
		    size_t errlen)
{
	struct stopper *s = calloc(n ? n : 1, sizeof(*s));
	int rc = 0;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		s[i].p = &procs[i];
	psc_parallel(stopper_run, s, sizeof(*s), n);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (s[i].rc < 0) {
			snprintf(err, errlen, "%s", s[i].err);
			rc = -1;
		}
	free(s);
	return rc;
}

static int teardown(const char *lab, FILE *progress, long long t0,
		    bool *was_up, char *err, size_t errlen)
{
	psc_state st;
	char e2[512];
	int rc = 0;
	bool have_state;

	*was_up = false;
	memset(&st, 0, sizeof(st));
	have_state = psc_state_read(lab, &st, e2, sizeof(e2)) == 0;
	if (have_state)
		*was_up = true;
	/* processes first, by pid and start time, all at once: their data
	 * goes with the lab, so the grace is short */
	if (have_state && stop_all(st.procs, st.n_procs, e2, sizeof(e2)) < 0 &&
	    rc == 0) {
		snprintf(err, errlen, "%s", e2);
		rc = -1;
	}
	if (have_state && st.n_procs)
		step(progress, t0, "stopped %zu process%s", st.n_procs,
		     st.n_procs == 1 ? "" : "es");
	/* namespaces: every psclab-<lab>-* but another lab's (the journal
	 * names one before it is made: an up that met another lab's
	 * namespace of the same name, psclab-a-b-c for lab a's VM b-c and
	 * lab a-b's VM c, must not delete it on its way back) */
	size_t n_ns = 0;
	for (size_t i = 0; have_state && i < st.n_netns; i++)
		n_ns += psc_netns_exists(st.netns[i]);
	char prefix[PSC_NETNS_NAME_LEN];
	char (*names)[PSC_NETNS_NAME_LEN] = calloc(PSC_NETNS_MAX_LIST,
						   sizeof(*names));
	size_t n = 0;
	psc_plan_ns_prefix(lab, prefix);
	if (names && psc_netns_list(prefix, names, PSC_NETNS_MAX_LIST, &n, e2,
				    sizeof(e2)) == 0 && n > 0)
		*was_up = true;
	free(names);
	if (psc_fabric_destroy(lab, e2, sizeof(e2)) < 0 && rc == 0) {
		snprintf(err, errlen, "%s", e2);
		rc = -1;
	}
	if (n_ns || n)
		step(progress, t0, "removed the namespaces");
	for (size_t i = 0; have_state && i < st.n_files; i++)
		if (unlink(st.files[i]) < 0 && errno != ENOENT && rc == 0) {
			snprintf(err, errlen, "cannot remove %s: %s",
				 st.files[i], strerror(errno));
			rc = -1;
		}
	for (size_t i = have_state ? st.n_dirs : 0; i-- > 0;)
		rmdir(st.dirs[i]);
	psc_state_free(&st);
	if (psc_state_end(lab, e2, sizeof(e2)) < 0 && rc == 0) {
		snprintf(err, errlen, "%s", e2);
		rc = -1;
	}
	return rc;
}

int psc_lab_down(const char *lab, FILE *progress, bool *was_up, char *err,
		 size_t errlen)
{
	long long t0 = psc_now_ms();
	int lock = -1, lab_lock = -1, rc;

	*was_up = false;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (psc_state_lock_lab(lab, &lab_lock, PSC_LAB_LOCK_MS, err, errlen) <
		    0)
		return -1;
	if (psc_state_lock(&lock, PSC_LAB_LOCK_MS, err, errlen) < 0) {
		psc_state_unlock(lab_lock);
		return -1;
	}
	rc = teardown(lab, progress, t0, was_up, err, errlen);
	psc_state_unlock(lock);
	psc_state_unlock(lab_lock);
	if (rc == 0 && *was_up)
		step(progress, t0, "lab '%s' is down", lab);
	return rc;
}

/* ---- up ---- */

/* the model of a file whose only errors are lint's (up --ignore-lint),
 * NULL when the loader itself refuses it */
static psc_topology *load_despite_lint(const char *path, FILE *progress)
{
	psc_diags d;
	bool unreadable = false;
	psc_diags_init(&d, path);
	psc_topology *t = psc_topology_load_file(path, &d, &unreadable);
	if (t && (d.n_errors || unreadable)) {
		psc_topology_free(t);
		t = NULL;
	}
	psc_diags_free(&d);
	if (t)
		fprintf(progress ? progress : stderr, "pscLab up: lint's "
			"errors above are ignored (--ignore-lint): the lab is "
			"built as the file says, wrong on purpose\n");
	return t;
}

/* up --existing-cluster: the stage of t's cluster before PSC, applied
 * to t (what the network and the brokers are built from) */
static int existing_stage(psc_topology *t, const psc_up_opts *o,
			  psc_stage *s, char *err, size_t errlen)
{
	if (o->network_only) {
		snprintf(err, errlen, "--existing-cluster starts the brokers as "
			 "the customer runs them before PSC: it does not go "
			 "with --network-only (no brokers)");
		return -1;
	}
	if (psc_stage_init(s, t, err, errlen) < 0)
		return -1;
	return psc_stage_apply(t, s, err, errlen);
}

int psc_lab_up(const char *topology_path, const psc_up_opts *o,
	       FILE *progress, char *err, size_t errlen)
{
	long long t0 = psc_now_ms();
	psc_topology *t = NULL;
	psc_plan *p = NULL;
	int lock = -1, lab_lock = -1, rc = -1;
	bool ignored;
	char e2[512];
	psc_diags d;
	psc_services ss = {.n = 0};
	psc_stage stage;

	memset(&stage, 0, sizeof(stage));

	/* lint first: the findings (warnings too) are printed, errors stop */
	int lrc;
	psc_diags_init(&d, topology_path);
	t = psc_lint_load(topology_path, false, &d, &lrc);
	if (d.n && !o->lint_printed)
		psc_diags_print(&d, progress ? progress : stderr);
	psc_diags_free(&d);
	if (!t && lrc == 1 && o->ignore_lint)
		t = load_despite_lint(topology_path, progress);
	if (!t) {
		snprintf(err, errlen, "%s does not lint clean: nothing was "
			 "built%s", topology_path, o->ignore_lint && lrc == 1
			 ? " (--ignore-lint goes past lint's findings, not "
			   "past a file the loader refuses)" : "");
		return lrc == 2 ? -1 : 1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (o->existing_cluster && existing_stage(t, o, &stage, err, errlen) < 0)
		goto out;
	if (psc_plan_build(t, p, err, errlen) < 0)
		goto out;
	step(progress, t0, "lab '%s': the %s approach, %zu namespaces, %zu "
	     "links", p->lab, t->approach, p->n_ns, p->n_links);
	if (!o->network_only && psc_lab_kafka_precheck(p, err, errlen) < 0) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, "\n  nothing was built; 'sudo "
			 "pscLab up %s --network-only' builds the network "
			 "without Kafka", topology_path);
		goto out;
	}

	/* the lab's lock for the whole run, the host lock while the network
	 * is built (the brokers of another lab may start meanwhile) */
	if (psc_state_lock_lab(p->lab, &lab_lock, PSC_LAB_LOCK_MS, err,
			       errlen) < 0 ||
	    psc_state_lock(&lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		goto out;
	if (psc_state_begin(p->lab, topology_path, err, errlen) < 0)
		goto out;
	if (stage.present &&
	    psc_lab_stage_write(p->lab, &stage, err, errlen) < 0)
		goto rollback;
	/* journal first: every namespace before it exists */
	for (size_t i = 0; i < p->n_ns; i++)
		if (psc_state_record(p->lab, err, errlen, "netns", "%s",
				     p->ns[i].name) < 0)
			goto rollback;
	if (psc_fabric_build(p, err, errlen) < 0)
		goto rollback;
	if (psc_rules_build(p, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "network: %zu namespaces, %zu veth pairs, %zu "
	     "routes", p->n_ns, p->n_links, p->n_routes);
	/* the DNS stubs start (exec, load, bind) while nftables is built */
	if (psc_lab_spawn_dns(p, &ss, err, errlen) < 0)
		goto rollback;
	if (psc_nft_build(p, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "firewall, load balancers and PSC in nftables");
	if (psc_lab_services_finish(p, &ss, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "DNS stubs%s running",
	     p->probe_ns >= 0 ? " and health checker" : "");
	psc_state_unlock(lock);
	lock = -1;
	if (!o->network_only &&
	    psc_lab_start_kafka(p, progress, err, errlen) < 0)
		goto rollback;
	if (stage.present)
		step(progress, t0, "existing cluster (before PSC): %zu brokers "
		     "without the EXTERNAL listener, the NEG maps nothing; "
		     "next: sudo pscLab reconfigure %s", stage.n, p->lab);
	rc = 0;
	goto out;

rollback:;
	psc_lab_services_close(&ss);
	/* keep the cause whole (a broker's failure quotes its log) */
	char *cause = strdup(err);
	if (lock < 0 &&
	    psc_state_lock(&lock, PSC_LAB_LOCK_MS, e2, sizeof(e2)) < 0)
		snprintf(err, errlen, "%s (and the rollback could not take "
			 "the host lock: %s)", cause ? cause : "?", e2);
	else if (teardown(p->lab, NULL, t0, &ignored, e2, sizeof(e2)) < 0)
		snprintf(err, errlen, "%s (and the rollback failed: %s)",
			 cause ? cause : "?", e2);
	else
		snprintf(err, errlen, "%s (everything built was removed)",
			 cause ? cause : "?");
	free(cause);
out:
	if (lock >= 0)
		psc_state_unlock(lock);
	if (lab_lock >= 0)
		psc_state_unlock(lab_lock);
	psc_topology_free(t);
	psc_stage_free(&stage);
	free(p);
	return rc;
}

/* ---- exec ---- */

/* The namespace of node in the lab that is up: from its plan.  0, or the
 * status of psc_lab_load (PSC_LAB_NOT_UP, -1), or PSC_LAB_NO_NODE, with
 * err. */
static int node_ns(const char *lab, const char *node, char *ns, size_t len,
		   char *err, size_t errlen)
{
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	int rc;
	if (!p) {
		psc_setf(err, errlen, "out of memory");
		return -1;
	}
	rc = psc_lab_load(lab, &t, p, err, errlen);
	if (rc == 0) {
		int i = psc_plan_node_ns(p, node, err, errlen);
		if (i < 0)
			rc = PSC_LAB_NO_NODE;
		else
			psc_setf(ns, len, "%s", p->ns[i].name);
	}
	psc_topology_free(t);
	free(p);
	return rc;
}

int psc_lab_exec(const char *lab, const char *node, char *const argv[],
		 int *status, char *err, size_t errlen)
{
	char ns[PSC_NETNS_NAME_LEN];
	*status = 127;
	int rc = node_ns(lab, node, ns, sizeof(ns), err, errlen);
	if (rc != 0)
		return rc;
	if (!psc_netns_exists(ns)) {
		snprintf(err, errlen, "lab '%s': node '%s' has no namespace "
			 "(%s); 'pscLab down %s' and up again", lab, node, ns,
			 lab);
		return -1;
	}
	/* the lab's Kafka tools on PATH, with their Java, as the seed's
	 * steps expect (when Kafka is installed) */
	char home[PATH_MAX], jhome[PATH_MAX], e2[256];
	if (psc_kafka_home(home, sizeof(home), e2, sizeof(e2)) == 0) {
		const char *path = getenv("PATH");
		char *np = NULL;
		if (asprintf(&np, "%s/bin:%s", home,
			     path && *path ? path
					   : "/usr/local/sbin:/usr/local/bin:"
					     "/usr/sbin:/usr/bin:/sbin:/bin") > 0) {
			setenv("PATH", np, 1);
			free(np);
		}
		if (!getenv("JAVA_HOME") &&
		    psc_java_home(jhome, sizeof(jhome), e2, sizeof(e2)) == 0 &&
		    jhome[0])
			setenv("JAVA_HOME", jhome, 1);
	}
	return psc_proc_exec_node(ns, argv, status, err, errlen);
}

/* ---- logs ---- */

/* copy what is new in path from *pos to out; returns bytes copied */
static size_t copy_new(const char *path, off_t *pos, FILE *out)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t total = 0, n;
	if (!f)
		return 0;
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && st.st_size < *pos)
		*pos = 0;   /* truncated: from the start */
	if (fseeko(f, *pos, SEEK_SET) == 0)
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
			fwrite(buf, 1, n, out);
			total += n;
		}
	*pos += (off_t)total;
	fclose(f);
	fflush(out);
	return total;
}

/* Where the last n lines of path begin (a final line without its newline
 * counts): read backwards 64 KiB at a time.  0 when the file has fewer. */
static off_t tail_start(const char *path, long n)
{
	char buf[65536];
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size == 0)
		return 0;
	off_t end = sb.st_size;
	long seen = 0;
	bool last_byte = true;
	while (end > 0) {
		off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf)
						       : 0;
		ssize_t got = pread(fd, buf, (size_t)(end - start), start);
		if (got <= 0)
			return 0;
		for (ssize_t i = got - 1; i >= 0; i--) {
			if (buf[i] != '\n')
				continue;
			/* the file's own final newline ends the last line */
			if (last_byte && start + i == sb.st_size - 1) {
				last_byte = false;
				continue;
			}
			if (++seen == n)
				return start + i + 1;
		}
		last_byte = false;
		end = start;
	}
	return 0;
}

/* The logs of node: every process's log (its stdout and stderr), then, for
 * a broker, Kafka's server.log; into files, *n of them (at most max). */
static int node_logs(const char *lab, const char *node, const char *ns,
		     char (*files)[PATH_MAX], size_t max, size_t *n,
		     char *err, size_t errlen)
{
	psc_state st;
	memset(&st, 0, sizeof(st));
	*n = 0;
	if (psc_state_read(lab, &st, err, errlen) < 0) {
		psc_state_free(&st);
		return -1;
	}
	for (size_t i = 0; i < st.n_procs && *n < max; i++)
		if (strcmp(st.procs[i].netns, ns) == 0)
			snprintf(files[(*n)++], PATH_MAX, "%s", st.procs[i].log);
	psc_state_free(&st);
	char dir[PATH_MAX];
	if (*n < max && psc_lab_node_dir(lab, node, dir, sizeof(dir)) == 0 &&
	    psc_kafka_server_log(dir, files[*n], PATH_MAX) == 0 &&
	    access(files[*n], R_OK) == 0)
		(*n)++;
	return 0;
}

/* -f: print what each file gains until SIGINT/SIGTERM, a header when the
 * file changes (several files) */
static void follow_logs(char (*files)[PATH_MAX], off_t *pos, size_t n,
			FILE *out)
{
	size_t last = n - 1;
	psc_catch_term();
	while (!psc_stop_flag) {
		for (size_t i = 0; i < n; i++) {
			struct stat sb;
			if (stat(files[i], &sb) != 0 || sb.st_size == pos[i])
				continue;
			if (i != last)
				fprintf(out, "\n==> %s <==\n", files[i]);
			last = i;
			copy_new(files[i], &pos[i], out);
		}
		usleep(200 * 1000);
	}
}

int psc_lab_logs(const char *lab, const char *node, const psc_logs_opts *o,
		 FILE *out, char *err, size_t errlen)
{
	char ns[PSC_NETNS_NAME_LEN], files[8][PATH_MAX];
	off_t pos[8] = {0};
	size_t n = 0;
	long lines = o->lines > 0 ? o->lines : PSC_LAB_LOG_LINES;

	int rc = node_ns(lab, node, ns, sizeof(ns), err, errlen);
	if (rc != 0)
		return rc;
	if (node_logs(lab, node, ns, files, 8, &n, err, errlen) < 0)
		return -1;
	if (n == 0) {
		fprintf(stderr, "pscLab logs: node '%s' of lab '%s' runs no "
			"process\n", node, lab);
		return 0;
	}
	/* one log unless --all: the first process's, which holds all that
	 * process wrote (a broker's server.log repeats its console) */
	if (!o->all && n > 1) {
		fprintf(stderr, "pscLab logs: %s (%zu more log%s of node '%s': "
			"--all)\n", files[0], n - 1, n == 2 ? "" : "s", node);
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (n > 1)
			fprintf(out, "%s==> %s <==\n", i ? "\n" : "", files[i]);
		pos[i] = o->lines < 0 ? 0 : tail_start(files[i], lines);
		copy_new(files[i], &pos[i], out);
	}
	if (o->follow)
		follow_logs(files, pos, n, out);
	return 0;
}

/* ---- pscLab fault <lab> stop|start <node> ---- */

/* the Kafka process a node runs: its broker, or a kafka-proxy; *is_broker
 * says which.  -1 with the valid nodes when it runs neither. */
static int node_proc_name(const psc_topology *t, const char *node,
			  char *name, size_t len, bool *is_broker, char *err,
			  size_t errlen)
{
	const psc_kafka_proxy *kp = &t->kafka_proxy;
	char valid[1024] = "";
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		const char *in = t->kafka.brokers[i].instance;
		psc_appendf(valid, sizeof(valid), "%s%s", valid[0] ? ", " : "",
			    in);
		if (strcmp(in, node) == 0) {
			snprintf(name, len, "kafka-%.50s", in);
			*is_broker = true;
			return 0;
		}
	}
	for (size_t i = 0; kp->present && i <= kp->n_additional_instances;
	     i++) {
		const char *in = i ? kp->additional_instances[i - 1]
				   : kp->instance;
		psc_appendf(valid, sizeof(valid), "%s%s", valid[0] ? ", " : "",
			    in);
		if (strcmp(in, node) == 0) {
			psc_lab_proxy_proc_name(kp, i, name, len);
			*is_broker = false;
			return 0;
		}
	}
	/* the seed's FAQ: a kafka-proxy of each further project */
	for (size_t p = 0; p < t->n_kafka_proxies; p++) {
		const psc_kafka_proxy *kq = &t->kafka_proxies[p];
		psc_appendf(valid, sizeof(valid), "%s%s", valid[0] ? ", " : "",
			    kq->instance);
		long i = psc_lab_proxy_on(kq, node);
		if (i >= 0) {
			psc_lab_proxy_proc_name_of(t, kq, (size_t)i, name, len);
			*is_broker = false;
			return 0;
		}
	}
	snprintf(err, errlen, "node '%s' runs no broker and no kafka-proxy; "
		 "the nodes that do: %s", node, valid[0] ? valid : "none");
	return -1;
}

/* stop/start/restart of a lab's service (a DNS stub, the health
 * checker): by pid from the journal, started again as up starts it */
static int service_process(const char *lab, const psc_plan *p,
			   const char *name, psc_node_action act,
			   FILE *progress, long long t0, char *err,
			   size_t errlen)
{
	bool was;
	if (act == PSC_NODE_START) {
		psc_state st;
		bool alive = false;
		memset(&st, 0, sizeof(st));
		if (psc_state_read(lab, &st, err, errlen) < 0)
			return -1;
		for (size_t i = 0; i < st.n_procs; i++)
			alive = alive || (strcmp(st.procs[i].name, name) == 0 &&
					  psc_proc_alive(&st.procs[i]));
		psc_state_free(&st);
		if (alive) {
			snprintf(err, errlen, "%s is running already; pscLab "
				 "restart %s %s stops it first", name, lab, name);
			return -1;
		}
	} else {
		if (psc_lab_stop_service(lab, name, &was, err, errlen) < 0)
			return -1;
		if (!was && act == PSC_NODE_STOP) {
			snprintf(err, errlen, "%s is not running", name);
			return -1;
		}
	}
	if (act != PSC_NODE_STOP &&
	    psc_lab_start_service(p, name, err, errlen) < 0)
		return -1;
	if (progress)
		fprintf(progress, "[%6lld ms] %s %s\n", psc_now_ms() - t0, name,
			act == PSC_NODE_STOP ? "stopped" : "started and serving");
	return 0;
}

int psc_lab_node_process(const char *lab, const char *node,
			 psc_node_action act, FILE *progress, char *err,
			 size_t errlen)
{
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	psc_state st;
	char name[PSC_PROC_NAME_LEN];
	bool is_broker = false;
	int lock = -1, rc = -1;
	long long t0 = psc_now_ms();

	memset(&st, 0, sizeof(st));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = psc_lab_load(lab, &t, p, err, errlen);
	if (rc < 0)
		goto out;
	if (psc_lab_is_service(p, node) && act == PSC_NODE_KILL) {
		snprintf(err, errlen, "%s is a service of the lab: stop it "
			 "(kill is for a broker or a kafka-proxy)", node);
		goto out;
	}
	if (psc_lab_is_service(p, node)) {   /* dns-<network>, health-checker */
		rc = service_process(lab, p, node, act, progress, t0, err,
				     errlen);
		goto out;
	}
	rc = PSC_LAB_NO_NODE;
	if (psc_plan_node_ns(p, node, err, errlen) < 0)
		goto out;
	rc = -1;
	if (node_proc_name(t, node, name, sizeof(name), &is_broker, err,
			   errlen) < 0)
		goto out;
	/* up and down hold the lab's lock while they change the lab */
	if (psc_state_lock_lab(lab, &lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		goto out;
	if (psc_state_read(lab, &st, err, errlen) < 0)
		goto out;
	const psc_proc *alive = NULL;
	for (size_t i = 0; i < st.n_procs; i++)
		if (strcmp(st.procs[i].name, name) == 0 &&
		    psc_proc_alive(&st.procs[i]))
			alive = &st.procs[i];
	bool down = act == PSC_NODE_STOP || act == PSC_NODE_KILL;
	if (down && !alive) {
		snprintf(err, errlen, "%s on %s is not running", name, node);
		goto out;
	}
	if (act == PSC_NODE_START && alive) {
		snprintf(err, errlen, "%s on %s is running already (pid %ld); "
			 "pscLab restart %s %s stops it first", name, node,
			 (long)alive->pid, lab, node);
		goto out;
	}
	if (alive && act != PSC_NODE_START) {
		if ((act == PSC_NODE_KILL
			     ? psc_proc_kill(alive, err, errlen)
			     : psc_proc_stop(alive, 5000, err, errlen)) < 0)
			goto out;
		if (progress)
			fprintf(progress, "[%6lld ms] %s on %s %s (pid %ld)\n",
				psc_now_ms() - t0, name, node,
				act == PSC_NODE_KILL ? "killed (SIGKILL)"
						     : "stopped",
				(long)alive->pid);
	}
	if (!down) {
		if ((is_broker ? psc_lab_start_broker(p, node, err, errlen)
			       : psc_lab_start_proxy(p, node, err, errlen)) < 0)
			goto out;
		if (progress)
			fprintf(progress, "[%6lld ms] %s on %s started and "
				"serving\n", psc_now_ms() - t0, name, node);
	}
	rc = 0;
out:
	if (lock >= 0)
		psc_state_unlock(lock);
	psc_state_free(&st);
	psc_topology_free(t);
	free(p);
	return rc;
}
