/* Integration test (root): real Apache Kafka brokers from kafka.c's
 * configuration, in network namespaces this test makes itself.
 *
 * Namespaces: psclab-itkafka-sw holds a Linux bridge br0; psclab-itkafka-b1
 * .. b3 each hold eth0 (10.64.0.2..4/24), the peer of a veth whose other
 * end is a port of br0.  The lab is the portmap topology renamed
 * "itkafka".  Nothing is created in the host's namespace: the veths are
 * made inside psclab-itkafka-sw and their peers moved straight into the
 * brokers' namespaces (ip -n ... peer ... netns ...), and every broker
 * listens inside its own namespace only.
 *
 * Tests, each bounded in time:
 *   one_broker_alone   a one-node cluster (1 voter) in b1: cold start time
 *   three_brokers      the seed's 3-node cluster: format and start in
 *                      parallel, time to ready of each, RSS of each JVM,
 *                      kafka-metadata-quorum and kafka-broker-api-versions
 *                      from inside b1 (3 brokers), lab/produce.sh and
 *                      lab/consume.sh (10 messages through test-topic)
 * Brokers are stopped by pid (SIGTERM, then SIGKILL), the namespaces
 * deleted and the work directory removed, whatever happened.
 *
 * Skips as a whole (TAP "1..0 # SKIP <reason>", nothing counted) when not
 * root, or when Kafka or Java is not installed (run `sudo make deps`).  PSCLAB_KAFKA_JVM_OPTS /
 * PSCLAB_KAFKA_HEAP change the brokers' JVM as they change the lab's. */
#define _GNU_SOURCE
#include "psc_test.h"
#include "model/topology_load.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/kafka.h"
#include "plan/plan.h"
#include "base/util.h"

#define LAB "itkafka"
#define NS_SW "psclab-itkafka-sw"
#define N_BROKERS 3
#define FORMAT_TIMEOUT_MS 120000
#define READY_TIMEOUT_MS 240000
#define STOP_GRACE_MS 30000
#define TOOL_TIMEOUT_S 120
#define SCRIPT_TIMEOUT_S 400

static const char *const ns_b[N_BROKERS] = {
	"psclab-itkafka-b1", "psclab-itkafka-b2", "psclab-itkafka-b3"};

static struct {
	char skip[PSC_KAFKA_ERR_LEN];     /* why the tests skip, "" : run */
	char work[256];                   /* temporary directory */
	bool ns_made;
	psc_kafka_env env;
	char version[64];
	psc_topology *t;
	psc_plan plan;
	pid_t pids[N_BROKERS];            /* started brokers, 0: none */
} g;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	int rc = system(cmd);
	return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static void ns_delete_all(void)
{
	for (int i = 0; i < N_BROKERS; i++)
		sh("ip netns del %s 2>/dev/null", ns_b[i]);
	sh("ip netns del %s 2>/dev/null", NS_SW);
}

/* The broker fabric: a bridge in NS_SW, one veth port per broker. */
static int ns_create_all(char *err, size_t errlen)
{
	ns_delete_all();   /* leftovers of a run that was killed */
	g.ns_made = true;
	if (sh("ip netns add %s && ip -n %s link set lo up && "
	       "ip -n %s link add br0 type bridge && "
	       "ip -n %s link set br0 up", NS_SW, NS_SW, NS_SW, NS_SW) != 0) {
		snprintf(err, errlen, "cannot make namespace %s with bridge "
			 "br0", NS_SW);
		return -1;
	}
	for (int i = 0; i < N_BROKERS; i++)
		if (sh("ip netns add %s && ip -n %s link set lo up && "
		       "ip -n %s link add b%d type veth peer name eth0 netns "
		       "%s && ip -n %s link set b%d master br0 up && "
		       "ip -n %s addr add 10.64.0.%d/24 dev eth0 && "
		       "ip -n %s link set eth0 up", ns_b[i], ns_b[i], NS_SW,
		       i + 1, ns_b[i], NS_SW, i + 1, ns_b[i], i + 2,
		       ns_b[i]) != 0) {
			snprintf(err, errlen, "cannot make namespace %s",
				 ns_b[i]);
			return -1;
		}
	return 0;
}

/* fork, enter netns, new session, output to logpath, exec */
static pid_t spawn_in(const char *netns, const psc_kafka_cmd *c,
		      const char *cwd, const char *logpath)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char path[128];
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0)
		_exit(126);
	int log = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 ||
	    dup2(log, 2) < 0 || chdir(cwd) != 0)
		_exit(126);
	setsid();
	execve(c->argv.v[0], c->argv.v, c->envp.v);
	_exit(127);
}

/* Wait for pid, at most ms; its exit status, or -1 (still running) */
static int wait_exit(pid_t pid, long ms)
{
	long long end = psc_now_ms() + ms;
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		if (r < 0)
			return -2;
		if (psc_now_ms() >= end)
			return -1;
		psc_sleep_ms(50);
	}
}

/* SIGTERM, bounded wait, then SIGKILL: only the pids this test started */
static void stop_brokers(void)
{
	long long t0 = psc_now_ms();
	int n = 0;
	for (int i = 0; i < N_BROKERS; i++)
		n += g.pids[i] > 0;
	if (!n)
		return;
	for (int i = 0; i < N_BROKERS; i++)
		if (g.pids[i] > 0)
			kill(g.pids[i], SIGTERM);
	for (int i = 0; i < N_BROKERS; i++) {
		if (g.pids[i] <= 0)
			continue;
		long left = STOP_GRACE_MS - (long)(psc_now_ms() - t0);
		if (wait_exit(g.pids[i], left > 0 ? left : 0) == -1) {
			printf("# broker %d: no exit %d ms after SIGTERM, "
			       "SIGKILL\n", i + 1, STOP_GRACE_MS);
			kill(g.pids[i], SIGKILL);
			wait_exit(g.pids[i], 5000);
		}
		g.pids[i] = 0;
	}
	printf("# %d broker(s) stopped in %lld ms\n", n, psc_now_ms() - t0);
	fflush(stdout);
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Why the whole file is skipped ("" : it runs): not root, no Kafka, no
 * Java.  Fills g.env. */
static void skip_reason(void)
{
	char err[PSC_KAFKA_ERR_LEN];
	if (geteuid() != 0)
		snprintf(g.skip, sizeof(g.skip), "not root: the brokers run in "
			 "network namespaces this test makes");
	else if (psc_kafka_env_load(&g.env, err, sizeof(err)) < 0)
		snprintf(g.skip, sizeof(g.skip), "%s", err);
}

static int group_setup(void **state)
{
	(void)state;
	char err[PSC_KAFKA_ERR_LEN];
	if (psc_kafka_version(g.env.home, g.version, sizeof(g.version), err,
			      sizeof(err)) < 0)
		snprintf(g.version, sizeof(g.version), "?");
	printf("# Kafka %s in %s, JAVA_HOME=%s\n# KAFKA_HEAP_OPTS=%s\n"
	       "# KAFKA_JVM_PERFORMANCE_OPTS=%s\n", g.version, g.env.home,
	       g.env.java_home[0] ? g.env.java_home : "(java on PATH)",
	       g.env.heap, g.env.jvm_opts);

	psc_diags d;
	bool unreadable;
	psc_test_chdir();
	psc_diags_init(&d, "topologies/portmap.yaml");
	g.t = psc_topology_load_file("topologies/portmap.yaml", &d,
				     &unreadable);
	psc_diags_free(&d);
	if (!g.t)
		return -1;
	snprintf(g.t->name, sizeof(g.t->name), LAB);
	if (psc_plan_build(g.t, &g.plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "plan: %s\n", err);
		return -1;
	}
	snprintf(g.work, sizeof(g.work), "/tmp/psclab-itkafka.XXXXXX");
	if (!mkdtemp(g.work))
		return -1;
	chmod(g.work, 0755);
	if (ns_create_all(err, sizeof(err)) < 0) {
		/* cmocka skips the group teardown when the setup fails */
		fprintf(stderr, "%s\n", err);
		ns_delete_all();
		sh("rm -rf '%s'", g.work);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	stop_brokers();
	if (g.ns_made)
		ns_delete_all();
	if (g.work[0])
		sh("rm -rf '%s'", g.work);
	psc_topology_free(g.t);
	return 0;
}

struct node {
	int i;                             /* 0..2: broker-node1..3 */
	char dir[512];
	char console[600];
	char server_log[600];
	char addr[PSC_ADDR_LEN];
	long long t0;                      /* spawn time */
	long ready_ms;                     /* from t0; -1: not ready */
	char err[PSC_KAFKA_ERR_LEN];
};

/* node dir, config; then format (all in parallel) */
static void prepare_and_format(struct node *n, size_t count,
			       const char *tag)
{
	static psc_kafka_cmd c;
	pid_t fpid[N_BROKERS];
	char err[PSC_KAFKA_ERR_LEN];
	long long t0 = psc_now_ms();
	for (size_t k = 0; k < count; k++) {
		psc_broker *b = &g.t->kafka.brokers[n[k].i];
		snprintf(n[k].dir, sizeof(n[k].dir), "%s/%s/%s", g.work, tag,
			 b->instance);
		if (psc_kafka_node_prepare(g.t, &g.plan, b, n[k].dir, err,
					   sizeof(err)) < 0)
			fail_msg("%s", err);
		snprintf(n[k].console, sizeof(n[k].console), "%s/logs/console.log",
			 n[k].dir);
		psc_kafka_server_log(n[k].dir, n[k].server_log,
				     sizeof(n[k].server_log));
		assert_int_equal(psc_broker_advertised_internal(
					 g.t, b, n[k].addr, sizeof(n[k].addr)),
				 0);
		n[k].ready_ms = -1;
		if (psc_kafka_format_cmd(&g.env, g.t, n[k].dir, &c, err,
					 sizeof(err)) < 0)
			fail_msg("%s", err);
		char flog[600];
		snprintf(flog, sizeof(flog), "%s/logs/format.log", n[k].dir);
		fpid[k] = spawn_in(ns_b[n[k].i], &c, n[k].dir, flog);
		assert_true(fpid[k] > 0);
	}
	for (size_t k = 0; k < count; k++) {
		int st = wait_exit(fpid[k], FORMAT_TIMEOUT_MS);
		if (st == -1) {
			kill(fpid[k], SIGKILL);
			wait_exit(fpid[k], 5000);
		}
		if (st != 0) {
			char flog[600], tail[PSC_KAFKA_ERR_LEN];
			snprintf(flog, sizeof(flog), "%s/logs/format.log",
				 n[k].dir);
			fail_msg("format of %s: status %d\n%s", n[k].dir, st,
				 psc_file_tail(flog, 0, 20, tail,
					       sizeof(tail)));
		}
	}
	printf("# %s: %zu storage format(s) in parallel: %lld ms\n", tag,
	       count, psc_now_ms() - t0);
}

static void *ready_thread(void *arg)
{
	struct node *n = arg;
	psc_kafka_ready r = {.netns = ns_b[n->i], .addr = n->addr,
			     .server_log = n->server_log, .log_from = 0,
			     .console_log = n->console, .pid = g.pids[n->i],
			     .timeout_ms = READY_TIMEOUT_MS, .poll_ms = 100};
	long waited;
	if (psc_kafka_wait_ready(&r, &waited, n->err, sizeof(n->err)) == 0)
		n->ready_ms = (long)(psc_now_ms() - n->t0);
	return NULL;
}

/* start every node at once, wait for all in parallel threads */
static long start_and_wait(struct node *n, size_t count)
{
	static psc_kafka_cmd c;
	char err[PSC_KAFKA_ERR_LEN];
	pthread_t th[N_BROKERS];
	long long t0 = psc_now_ms();
	for (size_t k = 0; k < count; k++) {
		if (psc_kafka_start_cmd(&g.env, n[k].dir, &c, err,
					sizeof(err)) < 0)
			fail_msg("%s", err);
		n[k].t0 = psc_now_ms();
		g.pids[n[k].i] = spawn_in(ns_b[n[k].i], &c, n[k].dir,
					  n[k].console);
		assert_true(g.pids[n[k].i] > 0);
	}
	for (size_t k = 0; k < count; k++)
		assert_int_equal(pthread_create(&th[k], NULL, ready_thread,
						&n[k]), 0);
	for (size_t k = 0; k < count; k++)
		pthread_join(th[k], NULL);
	long all = (long)(psc_now_ms() - t0);
	for (size_t k = 0; k < count; k++) {
		if (n[k].ready_ms < 0)
			fail_msg("broker-node%d: %s", n[k].i + 1, n[k].err);
		printf("# broker-node%d (%s in %s) ready in %ld ms, RSS %ld "
		       "MiB\n", n[k].i + 1, n[k].addr, ns_b[n[k].i],
		       n[k].ready_ms, rss_kb(g.pids[n[k].i]) / 1024);
	}
	return all;
}

/* broker-node1 alone in b1: the portmap cluster cut down to one voter */
static long alone_run(const char *tag, const char *what)
{
	size_t nb = g.t->kafka.n_brokers, nv = g.t->kafka.n_quorum_voters;
	g.t->kafka.n_brokers = 1;
	g.t->kafka.n_quorum_voters = 1;
	struct node n[1] = {{.i = 0}};
	prepare_and_format(n, 1, tag);
	g.t->kafka.n_brokers = nb;
	g.t->kafka.n_quorum_voters = nv;
	long all = start_and_wait(n, 1);
	printf("# ONE broker alone (1-voter quorum), %s: cold start to ready "
	       "%ld ms\n", what, all);
	psc_sleep_ms(3000);
	printf("# broker-node1 alone, %s: RSS %ld MiB 3 s after ready\n", what,
	       rss_kb(g.pids[0]) / 1024);
	stop_brokers();
	return all;
}

static void one_broker_alone(void **state)
{
	(void)state;
	char err[PSC_KAFKA_ERR_LEN];
	stop_brokers();

	/* without the archive of Kafka's classes */
	static psc_kafka_env saved;
	saved = g.env;
	g.env.cds[0] = '\0';
	g.env.cds_ready = false;
	alone_run("alone-nocds", "no CDS archive");
	g.env = saved;

	/* the first start ever writes the archive when it stops */
	if (g.env.cds[0] && !g.env.cds_ready) {
		alone_run("alone-train", "writing the CDS archive at exit");
		if (psc_kafka_env_load(&g.env, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		printf("# CDS archive %s: %s\n", g.env.cds,
		       g.env.cds_ready ? "written" : "NOT written");
		assert_true(g.env.cds_ready);
	}
	if (g.env.cds_ready)
		alone_run("alone", "with the CDS archive");
	else
		printf("# CDS off (PSCLAB_KAFKA_CDS=0, or a cache that cannot "
		       "be written)\n");
}

/* Run a command inside b1's namespace with the lab's environment and the
 * Kafka tools on PATH; its output in out (file path).  Exit status. */
static int run_in_b1(const char *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int run_in_b1(const char *out, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sh("ip netns exec %s env -i PATH='%s/bin:%s' %s%s%s "
		  "KAFKA_JVM_PERFORMANCE_OPTS='%s' %s >'%s' 2>&1 </dev/null",
		  ns_b[0], g.env.home, g.env.path,
		  g.env.java_home[0] ? "JAVA_HOME='" : "", g.env.java_home,
		  g.env.java_home[0] ? "'" : "", g.env.jvm_opts, cmd, out);
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void three_brokers(void **state)
{
	(void)state;
	stop_brokers();   /* none, unless the test before failed */
	struct node n[N_BROKERS] = {{.i = 0}, {.i = 1}, {.i = 2}};
	char out[512];
	prepare_and_format(n, N_BROKERS, "cluster");
	long all = start_and_wait(n, N_BROKERS);
	printf("# THREE brokers in parallel: all ready %ld ms after the "
	       "first start\n", all);

	/* the quorum: 3 voters, a leader */
	snprintf(out, sizeof(out), "%s/quorum.txt", g.work);
	long long t0 = psc_now_ms();
	int st = run_in_b1(out, "timeout %d kafka-metadata-quorum.sh "
			   "--bootstrap-server 10.64.0.2:9092 describe "
			   "--status", TOOL_TIMEOUT_S);
	char *q = slurp(out);
	printf("# kafka-metadata-quorum (%lld ms):\n", psc_now_ms() - t0);
	for (char *l = q; *l;) {
		size_t len = strcspn(l, "\n");
		printf("#   %.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	assert_int_equal(st, 0);
	assert_non_null(strstr(q, "ClusterId:              BRl69zcmTFmiPaoaANybiw"));
	char *cv = strstr(q, "CurrentVoters:");
	assert_non_null(cv);
	cv[strcspn(cv, "\n")] = '\0';
	bool v37 = strstr(cv, "[1,2,3]") != NULL;
	bool v4 = strstr(cv, "\"id\": 1") && strstr(cv, "\"id\": 2") &&
		  strstr(cv, "\"id\": 3");
	if (!v37 && !v4)
		fail_msg("voters are not 1, 2, 3: %s", cv);

	/* the brokers, as the seed's bastion test lists them */
	snprintf(out, sizeof(out), "%s/api.txt", g.work);
	t0 = psc_now_ms();
	st = run_in_b1(out, "timeout %d kafka-broker-api-versions.sh "
		       "--bootstrap-server 10.64.0.2:9092", TOOL_TIMEOUT_S);
	char *a = slurp(out);
	int found[N_BROKERS] = {0};
	for (char *l = a; *l;) {
		size_t len = strcspn(l, "\n");
		for (int i = 0; i < N_BROKERS; i++) {
			char head[64];
			snprintf(head, sizeof(head), "10.64.0.%d:9092 (id: %d ",
				 i + 2, i + 1);
			if (strncmp(l, head, strlen(head)) == 0) {
				found[i]++;
				printf("#   %.*s\n", (int)len, l);
			}
		}
		l += len + (l[len] == '\n');
	}
	printf("# kafka-broker-api-versions: %lld ms\n", psc_now_ms() - t0);
	assert_int_equal(st, 0);
	for (int i = 0; i < N_BROKERS; i++)
		if (found[i] != 1)
			fail_msg("broker %d listed %d times:\n%s", i + 1,
				 found[i], a);
	for (int i = 0; i < N_BROKERS; i++)
		printf("# broker-node%d RSS after the tools: %ld MiB\n", i + 1,
		       rss_kb(g.pids[i]) / 1024);

	/* lab/produce.sh and lab/consume.sh, as pscLab exec runs them */
	snprintf(out, sizeof(out), "%s/produce.txt", g.work);
	t0 = psc_now_ms();
	st = run_in_b1(out, "timeout %d '%s/lab/produce.sh' 10.64.0.2:9092",
		       SCRIPT_TIMEOUT_S, PSCLAB_SRCDIR);
	char *pr = slurp(out);
	printf("# lab/produce.sh: status %d, %lld ms\n", st, psc_now_ms() - t0);
	if (st != 0 || !strstr(pr, "Create Test message 10"))
		fail_msg("produce.sh:\n%s", pr);
	snprintf(out, sizeof(out), "%s/consume.txt", g.work);
	t0 = psc_now_ms();
	st = run_in_b1(out, "timeout %d '%s/lab/consume.sh' 10.64.0.2:9092",
		       SCRIPT_TIMEOUT_S, PSCLAB_SRCDIR);
	char *co = slurp(out);
	printf("# lab/consume.sh: status %d, %lld ms\n", st, psc_now_ms() - t0);
	if (st != 0 || !strstr(co, "Processed a total of 10 messages"))
		fail_msg("consume.sh:\n%s", co);
	for (int i = 1; i <= 10; i++) {
		char m[32];
		snprintf(m, sizeof(m), "Test message %d\n", i);
		if (!strstr(co, m))
			fail_msg("consume.sh did not get '%s':\n%s", m, co);
	}
	stop_brokers();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	skip_reason();
	if (g.skip[0]) {
		/* TAP's skip of a whole file: no test counted either way */
		printf("1..0 # SKIP test_kafka_run: %s\n", g.skip);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_broker_alone),
		cmocka_unit_test(three_brokers),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
