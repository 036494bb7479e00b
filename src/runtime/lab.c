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

#include "model/addr.h"
#include "services/dns.h"
#include "runtime/kafka.h"
#include "lint/lint.h"
#include "fabric/netns.h"
#include "fabric/nft.h"
#include "plan/nftgen.h"
#include "base/parallel.h"
#include "runtime/proc.h"
#include "runtime/state.h"
#include "base/net.h"
#include "base/util.h"

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

/* The pscLab binary that runs a lab's services: $PSCLAB_BIN (for
 * programs that link the library, such as tests), else this one. */
static int self_exe(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("PSCLAB_BIN");
	if (env && *env) {
		if (access(env, X_OK) != 0) {
			snprintf(err, errlen, "PSCLAB_BIN=%s: %s", env,
				 strerror(errno));
			return -1;
		}
		snprintf(out, len, "%s", env);
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot find pscLab's own binary: %s",
			 strerror(errno));
		return -1;
	}
	out[n] = '\0';
	return 0;
}

int psc_lab_load(const char *lab, psc_topology **t, psc_plan *p, char *err,
		 size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	psc_diags d;
	bool unreadable;

	*t = NULL;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "lab '%s': no state directory", lab);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	if (access(path, R_OK) != 0) {
		int e = errno;
		snprintf(err, errlen, "lab '%s' is not up (%s: %s)", lab, path,
			 strerror(e));
		errno = e;
		return -1;
	}
	psc_diags_init(&d, path);
	*t = psc_topology_load_file(path, &d, &unreadable);
	if (!*t || d.n_errors) {
		snprintf(err, errlen, "lab '%s': its topology copy %s does "
			 "not load", lab, path);
		psc_diags_free(&d);
		psc_topology_free(*t);
		*t = NULL;
		return -1;
	}
	psc_diags_free(&d);
	if (psc_plan_build(*t, p, err, errlen) < 0) {
		psc_topology_free(*t);
		*t = NULL;
		return -1;
	}
	return 0;
}

/* ---- policy routing of instance-group backends (libnl) ---- */

struct rules_job {
	const psc_plan *p;
	int ns;
	char err[256];
};

static int add_rules_here(void *arg)
{
	struct rules_job *j = arg;
	struct nl_sock *sk = nl_socket_alloc();
	int rc = 0;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		snprintf(j->err, sizeof(j->err), "netlink: cannot connect");
		nl_socket_free(sk);
		return -1;
	}
	for (size_t i = 0; i < j->p->n_rules && rc == 0; i++) {
		const psc_plan_rule *r = &j->p->rules[i];
		if (r->ns != j->ns)
			continue;
		struct rtnl_rule *rule = rtnl_rule_alloc();
		if (!rule) {
			rc = -1;
			break;
		}
		rtnl_rule_set_family(rule, AF_INET);
		rtnl_rule_set_mark(rule, r->mark);
		rtnl_rule_set_mask(rule, 0xffffffffu);
		rtnl_rule_set_table(rule, r->table);
		rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
		rtnl_rule_set_prio(rule, 1000 + (uint32_t)i);
		int e = rtnl_rule_add(sk, rule, NLM_F_CREATE | NLM_F_EXCL);
		if (e < 0) {
			snprintf(j->err, sizeof(j->err),
				 "rule fwmark 0x%x lookup %u: %s", r->mark,
				 r->table, nl_geterror(e));
			rc = -1;
		}
		rtnl_rule_put(rule);
	}
	nl_socket_free(sk);
	return rc;
}

static int build_rules(const psc_plan *p, char *err, size_t errlen)
{
	for (size_t n = 0; n < p->n_ns; n++) {
		struct rules_job j = {.p = p, .ns = (int)n};
		bool any = false;
		for (size_t i = 0; i < p->n_rules; i++)
			any |= p->rules[i].ns == (int)n;
		if (!any)
			continue;
		if (psc_netns_run(p->ns[n].name, add_rules_here, &j, err,
				  errlen) != 0) {
			if (j.err[0])
				snprintf(err, errlen, "%s: %s", p->ns[n].name,
					 j.err);
			return -1;
		}
	}
	return 0;
}

/* ---- nftables ---- */

static int build_nft(const psc_plan *p, char *err, size_t errlen)
{
	const char *ns[PSC_MAX_NETWORKS + 1];
	char *scripts[PSC_MAX_NETWORKS + 1];
	size_t n = 0;
	int rc = -1;
	psc_lb_health h;

	psc_lb_health_all(p, &h);
	for (size_t net = 0; net < p->t->n_networks; net++) {
		ns[n] = p->ns[p->router_ns[net]].name;
		scripts[n] = psc_nft_router_text(p, net, &h);
		if (!scripts[n++])
			goto out;
	}
	if (p->psc_ns >= 0) {
		ns[n] = p->ns[p->psc_ns].name;
		scripts[n] = psc_nft_psc_text(p);
		if (!scripts[n++])
			goto out;
	}
	rc = psc_nft_apply_all(ns, (const char *const *)scripts, n, err,
			       errlen);
out:
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++)
		free(scripts[i]);
	return rc;
}

/* ---- services ---- */

static int spawn_service(const char *lab, const char *name, const char *ns,
			 char *const argv[], char *err, size_t errlen)
{
	char log[PATH_MAX];
	psc_proc proc;
	if (psc_state_log_path(lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "%s: no log path", name);
		return -1;
	}
	if (psc_proc_spawn(name, ns, argv, NULL, log, psc_state_proc_hook,
			   (void *)lab, &proc, err, errlen) < 0)
		return -1;
	return 0;
}

static int start_services(const psc_plan *p, char *err, size_t errlen)
{
	char exe[PATH_MAX], name[PSC_PROC_NAME_LEN];
	if (self_exe(exe, sizeof(exe), err, errlen) < 0)
		return -1;
	for (size_t net = 0; net < p->t->n_networks; net++) {
		const char *nname = p->t->networks[net].name;
		snprintf(name, sizeof(name), "dns-%.50s", nname);
		char *argv[] = {exe, "_dns", (char *)p->lab, (char *)nname,
				NULL};
		if (spawn_service(p->lab, name, p->ns[p->router_ns[net]].name,
				  argv, err, errlen) < 0)
			return -1;
	}
	if (p->probe_ns >= 0) {
		char *argv[] = {exe, "_health", (char *)p->lab, NULL};
		if (spawn_service(p->lab, "health-checker",
				  p->ns[p->probe_ns].name, argv, err,
				  errlen) < 0)
			return -1;
	}
	return 0;
}

/* Wait until every DNS stub answers on 169.254.169.254:53 (TCP connect
 * from inside its router namespace), bounded. */
struct port_job {
	uint32_t ip;
	int port;
	int timeout_ms;
	uint32_t src;             /* 0: the kernel's choice */
};

static int tcp_probe_here(void *arg)
{
	struct port_job *j = arg;
	return psc_tcp_probe(j->ip, j->port, j->src, j->timeout_ms) ? -1 : 0;
}

static int wait_dns(const psc_plan *p, char *err, size_t errlen)
{
	for (size_t net = 0; net < p->t->n_networks; net++) {
		const char *ns = p->ns[p->router_ns[net]].name;
		struct port_job j = {PSC_DNS_IP, PSC_DNS_PORT, 200, 0};
		int ok = -1;
		char e2[256];
		for (int i = 0; i < 100 && ok != 0; i++) {   /* <= ~5 s */
			ok = psc_netns_run(ns, tcp_probe_here, &j, e2,
					   sizeof(e2));
			if (ok != 0)
				usleep(50 * 1000);
		}
		if (ok != 0) {
			snprintf(err, errlen, "the DNS stub of %s did not "
				 "answer on 169.254.169.254:53 within 5 s "
				 "(see its log)", p->t->networks[net].name);
			return -1;
		}
	}
	return 0;
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
	/* namespaces: the journal's, then whatever carries the lab's mark */
	size_t n_ns = 0;
	for (size_t i = 0; have_state && i < st.n_netns; i++) {
		if (psc_netns_exists(st.netns[i]))
			n_ns++;
		if (psc_netns_delete(st.netns[i], e2, sizeof(e2)) < 0 &&
		    rc == 0) {
			snprintf(err, errlen, "%s", e2);
			rc = -1;
		}
	}
	char prefix[PSC_NETNS_NAME_LEN];
	char (*names)[PSC_NETNS_NAME_LEN] = calloc(PSC_NETNS_MAX_LIST,
						   sizeof(*names));
	size_t n = 0;
	snprintf(prefix, sizeof(prefix), PSC_NETNS_PREFIX "%s-", lab);
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
	int lock = -1, rc;

	*was_up = false;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (psc_state_lock(&lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		return -1;
	rc = teardown(lab, progress, t0, was_up, err, errlen);
	psc_state_unlock(lock);
	if (rc == 0 && *was_up)
		step(progress, t0, "lab '%s' is down", lab);
	return rc;
}

/* ---- up ---- */

int psc_lab_up(const char *topology_path, const psc_up_opts *o,
	       FILE *progress, char *err, size_t errlen)
{
	long long t0 = psc_now_ms();
	psc_topology *t = NULL;
	psc_plan *p = NULL;
	int lock = -1, rc = -1;
	bool ignored;
	char e2[512];
	psc_diags d;

	/* lint first: the findings (warnings too) are printed, errors stop */
	int lrc;
	psc_diags_init(&d, topology_path);
	t = psc_lint_load(topology_path, false, &d, &lrc);
	if (d.n)
		psc_diags_print(&d, progress ? progress : stderr);
	psc_diags_free(&d);
	if (!t) {
		snprintf(err, errlen, "%s does not lint clean: nothing was "
			 "built", topology_path);
		return lrc == 2 ? -1 : 1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (psc_plan_build(t, p, err, errlen) < 0)
		goto out;
	step(progress, t0, "lab '%s': the %s approach, %zu namespaces, %zu "
	     "links", p->lab, t->approach, p->n_ns, p->n_links);
	if (!o->network_only && psc_lab_kafka_precheck(p, err, errlen) < 0) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, " (nothing was built; "
			 "'--network-only' builds the network without Kafka)");
		goto out;
	}

	if (psc_state_lock(&lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		goto out;
	if (psc_state_begin(p->lab, topology_path, err, errlen) < 0)
		goto out;
	/* journal first: every namespace before it exists */
	for (size_t i = 0; i < p->n_ns; i++)
		if (psc_state_record(p->lab, err, errlen, "netns", "%s",
				     p->ns[i].name) < 0)
			goto rollback;
	if (psc_fabric_build(p, err, errlen) < 0)
		goto rollback;
	if (build_rules(p, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "network: %zu namespaces, %zu veth pairs, %zu "
	     "routes", p->n_ns, p->n_links, p->n_routes);
	if (build_nft(p, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "firewall, load balancers and PSC in nftables");
	if (start_services(p, err, errlen) < 0 ||
	    wait_dns(p, err, errlen) < 0)
		goto rollback;
	step(progress, t0, "DNS stubs%s running",
	     p->probe_ns >= 0 ? " and health checker" : "");
	if (!o->network_only &&
	    psc_lab_start_kafka(p, progress, err, errlen) < 0)
		goto rollback;
	rc = 0;
	goto out;

rollback:;
	/* keep the cause whole (a broker's failure quotes its log) */
	char *cause = strdup(err);
	if (teardown(p->lab, NULL, t0, &ignored, e2, sizeof(e2)) < 0)
		snprintf(err, errlen, "%s (and the rollback failed: %s)",
			 cause ? cause : "?", e2);
	else
		snprintf(err, errlen, "%s (everything built was removed)",
			 cause ? cause : "?");
	free(cause);
out:
	if (lock >= 0)
		psc_state_unlock(lock);
	psc_topology_free(t);
	free(p);
	return rc;
}

/* ---- exec ---- */

int psc_lab_exec(const char *lab, const char *node, char *const argv[],
		 int *status, char *err, size_t errlen)
{
	char ns[PSC_NETNS_NAME_LEN];
	*status = 127;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (snprintf(ns, sizeof(ns), PSC_NETNS_PREFIX "%s-%s", lab, node) >=
		    (int)sizeof(ns) ||
	    psc_proc_netns_check(ns, err, errlen) < 0) {
		snprintf(err, errlen, "'%s' is not a node name", node);
		return -1;
	}
	if (!psc_netns_exists(ns)) {
		snprintf(err, errlen, "lab '%s' has no node '%s' (no "
			 "namespace %s); see 'pscLab status %s'", lab, node,
			 ns, lab);
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

static volatile sig_atomic_t stop_flag;

static void on_term(int sig);
static void catch_term(void);

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

int psc_lab_logs(const char *lab, const char *node, bool follow, FILE *out,
		 char *err, size_t errlen)
{
	psc_state st;
	char ns[PSC_NETNS_NAME_LEN + 80], files[8][PATH_MAX];
	off_t pos[8] = {0};
	size_t n = 0;

	memset(&st, 0, sizeof(st));
	if (psc_lab_name_check(lab, err, errlen) < 0 ||
	    psc_state_read(lab, &st, err, errlen) < 0) {
		psc_state_free(&st);
		return -1;
	}
	snprintf(ns, sizeof(ns), PSC_NETNS_PREFIX "%s-%s", lab, node);
	for (size_t i = 0; i < st.n_procs && n < 8; i++)
		if (strcmp(st.procs[i].netns, ns) == 0)
			snprintf(files[n++], PATH_MAX, "%s", st.procs[i].log);
	char dir[PATH_MAX];
	if (n < 8 && psc_lab_node_dir(lab, node, dir, sizeof(dir)) == 0 &&
	    psc_kafka_server_log(dir, files[n], PATH_MAX) == 0 &&
	    access(files[n], R_OK) == 0)
		n++;
	bool known = false;
	for (size_t i = 0; i < st.n_netns; i++)
		known |= strcmp(st.netns[i], ns) == 0;
	psc_state_free(&st);
	if (!known) {
		snprintf(err, errlen, "lab '%s' has no node '%s'", lab, node);
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "pscLab logs: node '%s' of lab '%s' runs no "
			"process\n", node, lab);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "==> %s <==\n", files[i]);
		copy_new(files[i], &pos[i], out);
	}
	if (!follow)
		return 0;
	catch_term();
	size_t last = n - 1;
	while (!stop_flag) {
		for (size_t i = 0; i < n; i++) {
			off_t before = pos[i];
			FILE *probe = fopen(files[i], "r");
			struct stat sb;
			bool grew = probe && fstat(fileno(probe), &sb) == 0 &&
				    sb.st_size != before;
			if (probe)
				fclose(probe);
			if (!grew)
				continue;
			if (i != last)
				fprintf(out, "\n==> %s <==\n", files[i]);
			last = i;
			copy_new(files[i], &pos[i], out);
		}
		usleep(200 * 1000);
	}
	return 0;
}

/* ---- services ---- */

static void on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_term(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int psc_lab_serve_dns(const char *lab, const char *network, char *err,
		      size_t errlen)
{
	psc_topology *t;
	static psc_plan p;
	static psc_dns_config cfg;
	int rc = -1;

	if (psc_lab_load(lab, &t, &p, err, errlen) < 0)
		return -1;
	size_t net;
	for (net = 0; net < t->n_networks; net++)
		if (strcmp(t->networks[net].name, network) == 0)
			break;
	if (net == t->n_networks) {
		snprintf(err, errlen, "lab '%s' has no network '%s'", lab,
			 network);
		goto out;
	}
	if (psc_dns_config_from_plan(&p, net, &cfg, err, errlen) < 0)
		goto out;
	catch_term();
	fprintf(stderr, "pscLab dns: %s/%s: %zu zone%s on 169.254.169.254:53\n",
		lab, network, cfg.n_zones, cfg.n_zones == 1 ? "" : "s");
	rc = psc_dns_serve(&cfg, PSC_DNS_IP, PSC_DNS_PORT, &stop_flag, err,
			   errlen);
out:
	psc_topology_free(t);
	return rc;
}

/* ---- the health checker ---- */

struct backend_health {
	int ok_run;               /* consecutive successes */
	int bad_run;              /* consecutive failures */
	bool healthy;
};

static void write_health(const char *lab, const psc_plan *p,
			 struct backend_health (*bh)[PSC_MAX_INSTANCES])
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/health", dir);
	snprintf(tmp, sizeof(tmp), "%s/.health.tmp", dir);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	for (size_t l = 0; l < p->n_lbs; l++)
		for (size_t b = 0; b < p->lbs[l].n_backends; b++)
			fprintf(f, "%s %s %s\n", p->lbs[l].lb->name,
				p->vms[p->lbs[l].backend_vm[b]].in->name,
				bh[l][b].healthy ? "HEALTHY" : "UNHEALTHY");
	if (fclose(f) == 0)
		rename(tmp, path);
}

static int apply_health(const psc_plan *p, size_t l,
			struct backend_health (*bh)[PSC_MAX_INSTANCES],
			char *err, size_t errlen)
{
	psc_lb_health h;
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < p->n_lbs; i++)
		for (size_t b = 0; b < p->lbs[i].n_backends; b++)
			h.healthy[i][b] = bh[i][b].healthy;
	size_t net;
	for (net = 0; net < p->t->n_networks; net++)
		if (p->router_ns[net] == p->lbs[l].router_ns)
			break;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	psc_nft_lb_pick_script(p, net, &h, f);
	fclose(f);
	int rc = psc_nft_apply(p->ns[p->lbs[l].router_ns].name, buf, err,
			       errlen);
	free(buf);
	return rc;
}

int psc_lab_serve_health(const char *lab, char *err, size_t errlen)
{
	psc_topology *t;
	static psc_plan p;
	static struct backend_health bh[PSC_MAX_LBS][PSC_MAX_INSTANCES];

	if (psc_lab_load(lab, &t, &p, err, errlen) < 0)
		return -1;
	catch_term();
	/* A backend is unhealthy until it passes healthy_threshold probes;
	 * meanwhile all are unhealthy, and the load balancer fails open. */
	for (size_t l = 0; l < p.n_lbs; l++) {
		char e2[512];
		if (p.lbs[l].hc && !p.lbs[l].neg &&
		    apply_health(&p, l, bh, e2, sizeof(e2)) < 0)
			fprintf(stderr, "pscLab health: %s\n", e2);
	}
	write_health(lab, &p, bh);
	long long next[PSC_MAX_LBS] = {0};
	while (!stop_flag) {
		long long now = psc_now_ms();
		for (size_t l = 0; l < p.n_lbs && !stop_flag; l++) {
			const psc_plan_lb *pl = &p.lbs[l];
			if (!pl->hc || pl->neg || now < next[l])
				continue;
			next[l] = now + pl->hc->check_interval_sec * 1000;
			bool changed = false;
			for (size_t b = 0; b < pl->n_backends; b++) {
				const psc_plan_vm *vm =
					&p.vms[pl->backend_vm[b]];
				/* probes come from GCP's ranges, alternately */
				struct port_job j = {
					vm->ip, (int)pl->hc->port,
					(int)pl->hc->timeout_sec * 1000,
					(bh[l][b].ok_run + bh[l][b].bad_run) % 2
						? PSC_PROBE_IP2 : PSC_PROBE_IP1};
				if (j.timeout_ms >
				    pl->hc->check_interval_sec * 1000)
					j.timeout_ms =
						(int)pl->hc->check_interval_sec *
						1000;
				struct backend_health *x = &bh[l][b];
				if (tcp_probe_here(&j) == 0) {
					x->ok_run++;
					x->bad_run = 0;
					if (!x->healthy &&
					    x->ok_run >=
						    pl->hc->healthy_threshold) {
						x->healthy = true;
						changed = true;
					}
				} else {
					x->bad_run++;
					x->ok_run = 0;
					if (x->healthy &&
					    x->bad_run >=
						    pl->hc->unhealthy_threshold) {
						x->healthy = false;
						changed = true;
					}
				}
			}
			if (changed) {
				char e2[512];
				if (apply_health(&p, l, bh, e2, sizeof(e2)) < 0)
					fprintf(stderr, "pscLab health: %s\n",
						e2);
				write_health(lab, &p, bh);
				for (size_t b = 0; b < pl->n_backends; b++)
					fprintf(stderr, "pscLab health: %s "
						"%s %s\n", pl->lb->name,
						p.vms[pl->backend_vm[b]].in->name,
						bh[l][b].healthy ? "HEALTHY"
								 : "UNHEALTHY");
			}
		}
		usleep(100 * 1000);
	}
	psc_topology_free(t);
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
	snprintf(err, errlen, "node '%s' runs no broker and no kafka-proxy; "
		 "the nodes that do: %s", node, valid[0] ? valid : "none");
	return -1;
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
	if (psc_lab_load(lab, &t, p, err, errlen) < 0 ||
	    node_proc_name(t, node, name, sizeof(name), &is_broker, err,
			   errlen) < 0)
		goto out;
	/* up and down hold the lock while they change the lab */
	if (psc_state_lock(&lock, PSC_LAB_LOCK_MS, err, errlen) < 0)
		goto out;
	if (psc_state_read(lab, &st, err, errlen) < 0)
		goto out;
	const psc_proc *alive = NULL;
	for (size_t i = 0; i < st.n_procs; i++)
		if (strcmp(st.procs[i].name, name) == 0 &&
		    psc_proc_alive(&st.procs[i]))
			alive = &st.procs[i];
	if (act == PSC_NODE_STOP && !alive) {
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
		if (psc_proc_stop(alive, 5000, err, errlen) < 0)
			goto out;
		if (progress)
			fprintf(progress, "[%6lld ms] %s on %s stopped (pid "
				"%ld)\n", psc_now_ms() - t0, name, node,
				(long)alive->pid);
	}
	if (act != PSC_NODE_STOP) {
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
