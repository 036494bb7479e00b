/* kafka.c - the Kafka runtime of a lab (see kafka.h): locating Kafka, Java
 * and kafka-proxy, server.properties, kafka-proxy's argv, the format and
 * start commands, readiness.
 *
 * MEASURED (Debian 12, 2 cores shared with other work (load 5-8), OpenJDK
 * 17.0.15, Kafka 3.7.1, -Xms256m -Xmx256m, brokers in namespaces, time from
 * exec to "Kafka Server started"; several interleaved runs each):
 *   one broker (1-voter quorum)           ready in      RSS
 *     kafka-run-class.sh's options        10.9-12.6 s   290-310 MiB
 *     + -XX:TieredStopAtLevel=1 (C1 only)  5.6- 8.8 s   275 MiB
 *     + AppCDS archive (-XX:SharedArchiveFile)
 *                                          3.3- 4.7 s   272 MiB
 *     + log.cleaner.dedupe.buffer.size=8 MiB
 *                                          2.2- 2.8 s   143 MiB
 *     -XX:+UseSerialGC instead of G1      10.9-19.4 s   335 MiB (rejected)
 *     the run that writes the archive     6.5- 8.7 s, and its stop takes
 *       (-XX:ArchiveClassesAtExit)         5-6 s instead of 0.8 s (the dump)
 *   three brokers started together (C1 + archive): all ready in 5.3-8.2 s
 *     controller.quorum.election.timeout.ms=300: 6.5-9.8 s, split votes
 *     and leader changes in the logs (rejected: Kafka's 1000 ms kept);
 *     + broker.heartbeat.interval.ms=500: 6.2-8.4 s (no gain, not kept).
 * The JDK's own CDS archive (-Xshare:auto) is already on by default in 17;
 * the archive of Kafka's classes is what helps.  C1 only costs peak
 * throughput, which a lab does not need.
 *
 * MEASURED AGAIN, three brokers together (issue 13; 2026-12-02, the same
 * machine, tests/bench/jvm_flags.sh: `pscLab up` of a portmap copy to
 * "3 brokers serving", storage stamped, the archive made by `make deps`,
 * variants alternated round-robin, 3 rounds each, three sessions; medians
 * (min..max) in s, "beat" = rounds faster than that round's defaults):
 *   session A, load 12-27 (others' benches), 8 variants:
 *     defaults                         6.76 (5.51..9.12)  3.3 CPU-s a JVM
 *     + -XX:ActiveProcessorCount=1     8.77 (6.47..15.89) beat 1/3
 *     + -XX:CICompilerCount=1 -XX:ParallelGCThreads=1 -XX:ConcGCThreads=1
 *                                     13.60 (7.70..13.72) beat 1/3
 *     -XX:+UseSerialGC instead of G1   8.57 (6.86..12.04) beat 1/3
 *     + -Xshare:off                   14.86 (12.31..16.18) 5.8 CPU-s a JVM,
 *                                      beat 0/3 (what the archives are worth)
 *     broker.heartbeat.interval.ms=500 8.44 (7.40..13.28) beat 1/3
 *     controller.quorum.election.timeout.ms=500 + election.backoff.max.ms=500
 *                                      9.58 (5.84..14.12) beat 0/3
 *     ActiveProcessorCount=1 + the election at 500 ms
 *                                      8.85 (6.37..11.33), one verify FAILED
 *                                      (topic partitions got no leaders)
 *   session B, load 1-15: defaults 6.78 (4.78..7.28); ActiveProcessorCount=1
 *     5.74 (5.50..6.74) beat 2/3; SerialGC 6.04 (4.91..7.73) beat 1/3;
 *     heartbeat 500 ms 8.33 (8.24..8.43) and election 500 ms 5.98
 *     (5.31..6.65), each with one verify FAILED (broker 1 took TCP but gave
 *     no ApiVersions/Metadata answer for 10 s; the defaults did the same in
 *     a later check run, so not the variants' doing); election 500 ms
 *     needed a second epoch (split vote) in 2 of 3 runs, 1000 ms in 1 of
 *     23 (all the other variants of sessions B and C and the check run).
 *   session C, load 2-9: defaults 5.84 (5.60..5.89), 3.0 CPU-s a JVM, the
 *     3 JVMs 0.78 of the 2 cores; ActiveProcessorCount=1 6.08 (5.56..6.46)
 *     beat 1/3; SerialGC 6.39 (6.08..6.63) beat 0/3.
 * Where the time goes (session C, defaults, from the brokers' logs, ms
 * since the first broker JVM's exec, the last broker's): first log line
 * 2260, KRaft client started 3780 (JVM start and Kafka's init: CPU, 9 CPU-s
 * for the three), first leader 4370 (a voter waits a random 1000..2000 ms
 * election timeout from its own KRaft start), high watermark 4950,
 * registered 5210, caught up 5580, unfenced 5750, "Kafka Server started"
 * 5780.  From registration on the broker heartbeats every 10 ms until it
 * is caught up, and at once in RECOVERY (BrokerLifecycleManager), so
 * broker.heartbeat.interval.ms is not on the path; the election is (about
 * 1 s), but at 500 ms it split votes and was not faster here.
 * No variant won in every alternated round (ActiveProcessorCount=1: 4 of
 * 9), so the defaults are unchanged. */
#define _GNU_SOURCE
#include "runtime/kafka.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "base/net.h"
#include "base/util.h"
#include "model/addr.h"
#include "model/consumers.h"
#include "runtime/kafka_answer.h"
#include "runtime/proc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
		     "/sbin:/bin"
#define NETNS_RUN_DIR "/run/netns"
#define READY_POLL_MS 100
#define CONNECT_MS 1000          /* one connect attempt at most */
#define ANSWER_MS 3000           /* one Kafka ask at most */
#define TAIL_BYTES 65536         /* read for the last lines of a log */
#define APT_JAVA "sudo apt-get install -y openjdk-17-jre-headless"

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

const char *psc_kafka_cache_dir(void)
{
	const char *c = env_nonempty("PSCLAB_CACHE");
	return c ? c : PSC_CACHE_DEFAULT;
}

static int fmt_path(char *out, size_t len, char *err, size_t errlen,
		    const char *what, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int fmt_path(char *out, size_t len, char *err, size_t errlen,
		    const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", what);
		return -1;
	}
	return 0;
}

static bool is_exec_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* errno of why path is not an executable file (0 if it is one) */
static int exec_errno(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? EISDIR : EACCES;
	return access(path, X_OK) == 0 ? 0 : errno;
}

/* ---- where things are ---- */

int psc_kafka_home(char *out, size_t len, char *err, size_t errlen)
{
	const char *kh = env_nonempty("KAFKA_HOME");
	const char *kv = env_nonempty("KAFKA_VERSION");
	char start[PSC_KAFKA_PATH_LEN];
	if (!kv)
		kv = PSC_KAFKA_VERSION_DEFAULT;
	if (kh ? fmt_path(out, len, err, errlen, "KAFKA_HOME", "%s", kh)
	       : fmt_path(out, len, err, errlen, "Kafka home", "%s/kafka-%s",
			  psc_kafka_cache_dir(), kv))
		return -1;
	if (fmt_path(start, sizeof(start), err, errlen, "Kafka home",
		     "%s/bin/kafka-server-start.sh", out))
		return -1;
	int e = exec_errno(start);
	if (e == 0)
		return 0;
	if (kh)
		snprintf(err, errlen,
			 "KAFKA_HOME=%s holds no Kafka\n  why: %s: %s\n  fix: "
			 "unset KAFKA_HOME and run 'sudo make deps', or point "
			 "it at an unpacked Kafka release", kh, start,
			 strerror(e));
	else
		snprintf(err, errlen,
			 "Kafka %s is not installed\n  why: %s: %s\n  fix: "
			 "sudo make deps (Kafka from Maven Central)", kv, start,
			 strerror(e));
	return -1;
}

static bool version_ok(const char *v)
{
	return v[0] >= '0' && v[0] <= '9' &&
	       strspn(v, "0123456789.") > 0 &&
	       strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") == strlen(v);
}

int psc_kafka_version(const char *home, char *out, size_t len, char *err,
		      size_t errlen)
{
	char path[PSC_KAFKA_PATH_LEN], line[128];
	if (fmt_path(path, sizeof(path), err, errlen, "Kafka home",
		     "%s/VERSION", home))
		return -1;
	FILE *f = fopen(path, "re");
	if (f) {
		bool got = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		line[strcspn(line, " \t\r\n")] = '\0';
		if (got && version_ok(line)) {
			if ((size_t)snprintf(out, len, "%s", line) >= len) {
				snprintf(err, errlen, "%s: version too long",
					 path);
				return -1;
			}
			return 0;
		}
	}
	/* a release tarball: libs/kafka_2.13-<version>.jar */
	static const char pre[] = "kafka_2.13-", suf[] = ".jar";
	if (fmt_path(path, sizeof(path), err, errlen, "Kafka home",
		     "%s/libs", home))
		return -1;
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen,
			 "Kafka in %s: no VERSION file and no libs/ (%s: %s)",
			 home, path, strerror(errno));
		return -1;
	}
	char found[128] = "";
	bool several = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl <= strlen(pre) + strlen(suf) ||
		    strncmp(de->d_name, pre, strlen(pre)) != 0 ||
		    strcmp(de->d_name + nl - strlen(suf), suf) != 0)
			continue;
		size_t vl = nl - strlen(pre) - strlen(suf);
		if (vl >= sizeof(line))
			continue;
		memcpy(line, de->d_name + strlen(pre), vl);
		line[vl] = '\0';
		/* kafka_2.13-3.7.1-test.jar and such are not the server */
		if (!version_ok(line) || strstr(line, "-test") ||
		    strstr(line, "-sources") || strstr(line, "-javadoc") ||
		    strstr(line, "-scaladoc"))
			continue;
		if (found[0] && strcmp(found, line) != 0)
			several = true;
		snprintf(found, sizeof(found), "%s", line);
	}
	closedir(d);
	if (!found[0] || several) {
		snprintf(err, errlen,
			 "Kafka in %s: no VERSION file and %s %s/%s<version>%s",
			 home, several ? "several" : "no", path, pre, suf);
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s", found) >= len) {
		snprintf(err, errlen, "%s: version too long", path);
		return -1;
	}
	return 0;
}

int psc_java_bin(char *out, size_t len, char *err, size_t errlen)
{
	const char *jh = env_nonempty("JAVA_HOME");
	if (jh) {
		if (fmt_path(out, len, err, errlen, "JAVA_HOME", "%s/bin/java",
			     jh))
			return -1;
		int e = exec_errno(out);
		if (e == 0)
			return 0;
		snprintf(err, errlen,
			 "JAVA_HOME=%s: %s: %s; unset JAVA_HOME or point it at "
			 "a Java 17 runtime (%s)", jh, out, strerror(e),
			 APT_JAVA);
		return -1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		char cand[PSC_KAFKA_PATH_LEN];
		int w = n ? snprintf(cand, sizeof(cand), "%.*s/java", (int)n, p)
			  : snprintf(cand, sizeof(cand), "./java");
		if (w > 0 && (size_t)w < sizeof(cand) && is_exec_file(cand)) {
			if (fmt_path(out, len, err, errlen, "java", "%s", cand))
				return -1;
			return 0;
		}
		p += n;
		if (!*p)
			break;
	}
	snprintf(err, errlen,
		 "no Java runtime\n  why: JAVA_HOME is not set and java is "
		 "not on PATH\n  fix: %s (or sudo make deps)", APT_JAVA);
	return -1;
}

int psc_java_home(char *out, size_t len, char *err, size_t errlen)
{
	char bin[PSC_KAFKA_PATH_LEN], real[PATH_MAX];
	const char *jh = env_nonempty("JAVA_HOME");
	if (psc_java_bin(bin, sizeof(bin), err, errlen) < 0)
		return -1;
	if (jh)
		return fmt_path(out, len, err, errlen, "JAVA_HOME", "%s", jh);
	/* /usr/bin/java -> /etc/alternatives/java ->
	 * /usr/lib/jvm/java-17-openjdk-amd64/bin/java */
	static const char tail[] = "/bin/java";
	size_t rl;
	if (!realpath(bin, real) || (rl = strlen(real)) <= strlen(tail) ||
	    strcmp(real + rl - strlen(tail), tail) != 0) {
		if (len)
			out[0] = '\0';
		return 0;
	}
	real[rl - strlen(tail)] = '\0';
	return fmt_path(out, len, err, errlen, "Java home", "%s", real);
}

int psc_kafka_proxy_bin(char *out, size_t len, char *err, size_t errlen)
{
	return psc_kafka_proxy_bin_for(NULL, out, len, err, errlen);
}

int psc_kafka_proxy_bin_for(const char *version, char *out, size_t len,
			    char *err, size_t errlen)
{
	const char *pb = env_nonempty("KAFKA_PROXY_BIN");
	const char *pv = version && *version ? version
			 : env_nonempty("KAFKA_PROXY_VERSION");
	char dir[PSC_KAFKA_PATH_LEN];
	if (!pv) {
		/* Kafka 4.x clients speak Metadata v13, which kafka-proxy
		 * rewrites from v0.4.2 on (make matrix: v0.3.x drops Kafka
		 * 4.1's Java and franz-go clients) */
		char home[PSC_KAFKA_PATH_LEN], kv[64], e2[256];
		pv = psc_kafka_home(home, sizeof(home), e2, sizeof(e2)) == 0 &&
			     psc_kafka_version(home, kv, sizeof(kv), e2,
					       sizeof(e2)) == 0 &&
			     atoi(kv) >= 4
			     ? PSC_KAFKA_PROXY_VERSION_KAFKA4
			     : PSC_KAFKA_PROXY_VERSION_DEFAULT;
	}
	if (strchr(pv, '/') || pv[0] == '.') {
		snprintf(err, errlen, "kafka-proxy version '%s' is not a "
			 "release tag", pv);
		return -1;
	}
	if (pb) {
		if (fmt_path(out, len, err, errlen, "KAFKA_PROXY_BIN", "%s",
			     pb))
			return -1;
		int e = exec_errno(out);
		if (e == 0)
			return 0;
		snprintf(err, errlen,
			 "KAFKA_PROXY_BIN=%s is not a kafka-proxy binary\n  "
			 "why: %s\n  fix: unset KAFKA_PROXY_BIN and run 'sudo "
			 "make deps', or point it at a kafka-proxy binary", pb,
			 strerror(e));
		return -1;
	}
	if (fmt_path(dir, sizeof(dir), err, errlen, "kafka-proxy",
		     "%s/kafka-proxy-%s", psc_kafka_cache_dir(), pv) ||
	    fmt_path(out, len, err, errlen, "kafka-proxy", "%s/bin/kafka-proxy",
		     dir))
		return -1;
	int e = exec_errno(out);
	if (e == 0)
		return 0;

	snprintf(err, errlen,
		 "kafka-proxy %s is not installed\n  why: %s: %s\n  fix: "
		 "sudo make deps (it builds kafka-proxy from ../shared/"
		 "third_party/kafka-proxy or KAFKA_PROXY_SRC), or "
		 "KAFKA_PROXY_BIN=<a kafka-proxy binary>", pv, out,
		 strerror(e));
	return -1;
}

/* ---- vectors ---- */

void psc_argv_init(psc_argv *a)
{
	a->n = 0;
	a->used = 0;
	a->v[0] = NULL;
}

int psc_argv_add(psc_argv *a, char *err, size_t errlen, const char *fmt, ...)
{
	if (a->n >= PSC_ARGV_MAX) {
		snprintf(err, errlen, "more than %d arguments", PSC_ARGV_MAX);
		return -1;
	}
	char *dst = a->buf + a->used;
	size_t room = sizeof(a->buf) - a->used;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		snprintf(err, errlen, "arguments longer than %d bytes",
			 PSC_ARGV_BUF);
		return -1;
	}
	a->used += (size_t)n + 1;
	a->v[a->n++] = dst;
	a->v[a->n] = NULL;
	return 0;
}

const char *psc_argv_getenv(const psc_argv *env, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, l) == 0 && env->v[i][l] == '=')
			return env->v[i] + l + 1;
	return NULL;
}

/* ---- server.properties ---- */

/* A line being built; over is set when it did not fit. */
typedef struct sbuf {
	char s[32768];                  /* 1,024 voters of 24 bytes fit */
	size_t n;
	bool over;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(sbuf *b, const char *fmt, ...)
{
	if (b->over)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b->s) - b->n)
		b->over = true;
	else
		b->n += (size_t)n;
}

/* key=value, the value escaped for java.util.Properties (which Kafka reads
 * as ISO-8859-1): '\' doubled, a leading blank kept; control and non-ASCII
 * characters refused. */
static int prop(FILE *out, const char *key, const char *value, char *err,
		size_t errlen)
{
	if (fprintf(out, "%s=", key) < 0)
		goto write_err;
	for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f) {
			snprintf(err, errlen,
				 "%s: value '%s' has a control or non-ASCII "
				 "character (Kafka reads server.properties as "
				 "ISO-8859-1)", key, value);
			return -1;
		}
		const char *esc = *c == '\\' ? "\\\\"
			: *c == ' ' && c == (const unsigned char *)value ? "\\ "
			: NULL;
		if (esc ? fputs(esc, out) == EOF : fputc(*c, out) == EOF)
			goto write_err;
	}
	if (fputc('\n', out) == EOF)
		goto write_err;
	return 0;
write_err:
	snprintf(err, errlen, "writing %s: %s", key, strerror(errno));
	return -1;
}

static int prop_sb(FILE *out, const char *key, const sbuf *b, char *err,
		   size_t errlen)
{
	if (b->over) {
		snprintf(err, errlen, "%s: value longer than %zu bytes", key,
			 sizeof(b->s) - 1);
		return -1;
	}
	return prop(out, key, b->s, err, errlen);
}

static int prop_long(FILE *out, const char *key, long v, char *err,
		     size_t errlen)
{
	char s[32];
	snprintf(s, sizeof(s), "%ld", v);
	return prop(out, key, s, err, errlen);
}

/* src for a comment line: control characters (a newline would end the
 * comment) as '?' */
static void comment_safe(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f
				 ? '?'
				 : src[i];
	dst[i] = '\0';
}

bool psc_kafka_has_role(const psc_kafka *k, const char *role)
{
	for (size_t i = 0; i < k->n_process_roles; i++)
		if (strcmp(k->process_roles[i], role) == 0)
			return true;
	return false;
}

/* "1@broker-node1:29092" -> "1@10.64.0.2:29092" */
static int voter_addr(const psc_topology *t, const char *voter, sbuf *b,
		      char *err, size_t errlen)
{
	const char *at = strchr(voter, '@');
	char *end;
	uint32_t ip;
	int port;
	char ips[16];
	if (!at || at == voter || (strtol(voter, &end, 10), end != at)) {
		snprintf(err, errlen,
			 "kafka.quorum_voters '%s' is not <node id>@<host>:"
			 "<port>", voter);
		return -1;
	}
	if (psc_resolve_hostport(t, at + 1, &ip, &port) < 0) {
		snprintf(err, errlen,
			 "kafka.quorum_voters '%s': '%s' is neither an "
			 "instance:port nor an address:port", voter, at + 1);
		return -1;
	}
	sb_add(b, "%.*s@%s:%d", (int)(at - voter), voter,
	       psc_ip_str(ip, ips, sizeof(ips)), port);
	return 0;
}

/* log.dirs made absolute: "./data" -> "<node_dir>/data" */
static void log_dirs(const char *dirs, const char *node_dir, sbuf *b)
{
	const char *p = dirs;
	bool first = true;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *d = p;
		while (n && *d == ' ')
			d++, n--;
		while (n && d[n - 1] == ' ')
			n--;
		if (n) {
			if (!first)
				sb_add(b, ",");
			first = false;
			if (d[0] == '/') {
				sb_add(b, "%.*s", (int)n, d);
			} else {
				while (n >= 2 && d[0] == '.' && d[1] == '/') {
					d += 2, n -= 2;
					while (n && *d == '/')
						d++, n--;
				}
				if (n == 0 || (n == 1 && d[0] == '.'))
					sb_add(b, "%s", node_dir);
				else
					sb_add(b, "%s/%.*s", node_dir, (int)n, d);
			}
		}
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
}

/* The lab's defaults after the seed's lines: a comment (why; "" : the
 * same group as the line before), the key, the value. */
enum lab_value { LAB_FIXED, LAB_RF, LAB_ISR };

struct lab_default {
	const char *comment;
	const char *key;
	enum lab_value kind;
	const char *value;            /* LAB_FIXED */
};

static const struct lab_default lab_defaults[] = {
	{"Internal and new topics on 3 replicas, one per broker, as "
	 "produce.sh's\n# test-topic (--partitions 3 --replication-factor 3); "
	 "min(3, brokers).",
	 "offsets.topic.replication.factor", LAB_RF, NULL},
	{"", "transaction.state.log.replication.factor", LAB_RF, NULL},
	{"", "default.replication.factor", LAB_RF, NULL},
	{"", "num.partitions", LAB_FIXED, "3"},
	{"An acks=all write (the console producer's default) needs 2 of the "
	 "3\n# replicas: it survives the loss of one broker, and the cluster "
	 "keeps\n# taking writes while one broker is down (a lab experiment); "
	 "3 would\n# stop every write when one broker stops, 1 (Kafka's "
	 "default) could\n# lose acknowledged writes.",
	 "min.insync.replicas", LAB_ISR, NULL},
	{"", "transaction.state.log.min.isr", LAB_ISR, NULL},
	{"consume.sh's group starts at once instead of after 3 s.",
	 "group.initial.rebalance.delay.ms", LAB_FIXED, "0"},
	{"The log cleaner's dedupe buffer (it compacts __consumer_offsets): "
	 "8 MiB\n# instead of 128 MiB, allocated and zeroed at start in a "
	 "256 MiB heap.\n# Measured, one broker: RSS 272 -> 143 MiB, ready "
	 "in 4.1 -> 2.5 s.",
	 "log.cleaner.dedupe.buffer.size", LAB_FIXED, "8388608"},
};

static int write_lab_defaults(const psc_topology *t, FILE *out, char *err,
			      size_t errlen)
{
	long rf = t->kafka.n_brokers < 3 ? (long)t->kafka.n_brokers : 3;
	if (rf < 1)
		rf = 1;
	long isr = rf > 1 ? rf - 1 : 1;
	if (fputs("\n# ---- lab defaults (not in the seed): a 3-node cluster "
		  "on a laptop,\n# started fast ----\n", out) == EOF) {
		snprintf(err, errlen, "writing: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(lab_defaults) / sizeof(lab_defaults[0]);
	     i++) {
		const struct lab_default *d = &lab_defaults[i];
		if (d->comment[0] && fprintf(out, "# %s\n", d->comment) < 0) {
			snprintf(err, errlen, "writing: %s", strerror(errno));
			return -1;
		}
		int rc = d->kind == LAB_FIXED
				 ? prop(out, d->key, d->value, err, errlen)
				 : prop_long(out, d->key,
					     d->kind == LAB_RF ? rf : isr, err,
					     errlen);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* the file's opening comment: which lab, broker, topology */
static int props_header(const psc_topology *t, const psc_plan *p,
			const psc_broker *b, FILE *out, char *err,
			size_t errlen)
{
	char lab[PSC_NAME_LEN], inst[PSC_NAME_LEN], from[sizeof(t->file)];
	comment_safe(lab, sizeof(lab), p->lab);
	comment_safe(inst, sizeof(inst), b->instance);
	comment_safe(from, sizeof(from), t->file[0] ? t->file : t->name);
	if (fprintf(out,
		    "# pscLab lab '%s': server.properties of %s (node.id %ld)"
		    "\n# from %s: the seed's broker configuration (\"4. "
		    "Configure Kafka\n# Brokers\") with the addresses filled "
		    "in, then the lab's defaults.\n# Written by pscLab at "
		    "each start: edit the topology, not this file.\n",
		    lab, inst, b->node_id, from) < 0) {
		snprintf(err, errlen, "writing server.properties of %s: %s",
			 b->instance, strerror(errno));
		return -1;
	}
	return 0;
}

/* process.roles, node.id, controller.quorum.voters=1@10.64.0.2:29092,... */
static int props_kraft(const psc_topology *t, const psc_broker *b, FILE *out,
		       char *err, size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	sbuf v;
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < k->n_process_roles; i++)
		sb_add(&v, "%s%s", i ? "," : "", k->process_roles[i]);
	if (prop_sb(out, "process.roles", &v, err, errlen) < 0 ||
	    prop_long(out, "node.id", b->node_id, err, errlen) < 0)
		return -1;
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < k->n_quorum_voters; i++) {
		if (i)
			sb_add(&v, ",");
		if (voter_addr(t, k->quorum_voters[i], &v, err, errlen) < 0)
			return -1;
	}
	return prop_sb(out, "controller.quorum.voters", &v, err, errlen);
}

bool psc_kafka_listener_left_out(const psc_kafka *k, const psc_broker *b,
				 const char *name)
{
	return b->no_external && k->external_listener[0] &&
	       strcmp(name, k->external_listener) == 0;
}

/* advertised.listeners: every listener but the controller's (3.7's
 * static quorum never advertises it); EXTERNAL by the pattern, the others
 * at the broker's own address */
static int props_advertised(const psc_topology *t, const psc_broker *b,
			    FILE *out, char *err, size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	char addr[PSC_ADDR_LEN], ips[16];
	uint32_t ip;
	sbuf v;
	psc_instance *in = psc_find_instance((psc_topology *)t, b->instance);
	if (psc_instance_ip(t, in, &ip) < 0) {
		snprintf(err, errlen, "broker '%s': instance has no address",
			 b->instance);
		return -1;
	}
	psc_ip_str(ip, ips, sizeof(ips));
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < k->n_listeners; i++) {
		const psc_listener *l = &k->listeners[i];
		if (strcmp(l->name, k->controller_listener) == 0 ||
		    psc_kafka_listener_left_out(k, b, l->name))
			continue;
		sb_add(&v, "%s%s://", v.n ? "," : "", l->name);
		/* the seed's FAQ: a listener group of changefeeds[] (EXTERNAL2)
		 * by its own project's pattern */
		if (psc_broker_advertised_group(t, b, l->name, addr,
						sizeof(addr)) == 0) {
			sb_add(&v, "%s", addr);
			continue;
		}
		if (!k->external_listener[0] ||
		    strcmp(l->name, k->external_listener) != 0) {
			sb_add(&v, "%s:%ld", ips, l->port);
			continue;
		}
		if (b->external_advertised[0]) {   /* not the pattern's */
			sb_add(&v, "%s", b->external_advertised);
			continue;
		}
		if (psc_broker_advertised_external(t, b, addr, sizeof(addr)) <
		    0) {
			snprintf(err, errlen,
				 "broker '%s': no advertised name for listener "
				 "%s (it needs external_port and the pattern "
				 "<broker_id>.<domain>:<port>)", b->instance,
				 l->name);
			return -1;
		}
		sb_add(&v, "%s", addr);
	}
	return prop_sb(out, "advertised.listeners", &v, err, errlen);
}

/* listeners=INTERNAL://0.0.0.0:9092,..., the inter-broker and controller
 * listener names, advertised.listeners, the protocol map */
static int props_listeners(const psc_topology *t, const psc_broker *b,
			   FILE *out, char *err, size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	bool broker = psc_kafka_has_role(k, "broker");
	sbuf v;
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < k->n_listeners; i++)
		if (!psc_kafka_listener_left_out(k, b, k->listeners[i].name))
			sb_add(&v, "%s%s://%s:%ld", v.n ? "," : "",
			       k->listeners[i].name,
			       k->listeners[i].host[0] ? k->listeners[i].host
						       : "0.0.0.0",
			       k->listeners[i].port);
	if (prop_sb(out, "listeners", &v, err, errlen) < 0)
		return -1;
	if (broker && (prop(out, "inter.broker.listener.name",
			    k->inter_broker_listener, err, errlen) < 0 ||
		       props_advertised(t, b, out, err, errlen) < 0))
		return -1;
	if (prop(out, "controller.listener.names", k->controller_listener, err,
		 errlen) < 0)
		return -1;
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < k->n_protocol_map; i++)
		if (!psc_kafka_listener_left_out(k, b,
						 k->protocol_map[i].listener))
			sb_add(&v, "%s%s:%s", v.n ? "," : "",
			       k->protocol_map[i].listener,
			       k->protocol_map[i].protocol);
	return prop_sb(out, "listener.security.protocol.map", &v, err, errlen);
}

/* kafka.config, last: java.util.Properties keeps the last of a key, so a
 * lab default (min.insync.replicas, ...) can be changed there; the keys
 * the topology owns are lint errors and refused here too */
static int write_topology_config(const psc_topology *t, FILE *out, char *err,
				 size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	if (k->n_config == 0)
		return 0;
	if (fputs("\n# ---- the topology's kafka.config ----\n", out) == EOF) {
		snprintf(err, errlen, "writing: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < k->n_config; i++) {
		const char *owner = psc_kafka_config_owner(k->config[i].key);
		if (owner) {
			snprintf(err, errlen, "kafka.config '%s': set %s "
				 "instead (pscLab writes this key from it)",
				 k->config[i].key, owner);
			return -1;
		}
		if (prop(out, k->config[i].key, k->config[i].value, err,
			 errlen) < 0)
			return -1;
	}
	return 0;
}

int psc_kafka_server_properties(const psc_topology *t, const psc_plan *p,
				const psc_broker *b, const char *node_dir,
				FILE *out, char *err, size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	sbuf v;

	if (!node_dir || node_dir[0] != '/') {
		snprintf(err, errlen,
			 "broker '%s': node directory '%s' is not absolute",
			 b->instance, node_dir ? node_dir : "");
		return -1;
	}
	if (!psc_find_instance((psc_topology *)t, b->instance)) {
		snprintf(err, errlen, "broker '%s': no such instance",
			 b->instance);
		return -1;
	}
	if (props_header(t, p, b, out, err, errlen) < 0 ||
	    props_kraft(t, b, out, err, errlen) < 0 ||
	    props_listeners(t, b, out, err, errlen) < 0)
		return -1;
	memset(&v, 0, sizeof(v));
	log_dirs(k->log_dirs[0] ? k->log_dirs : "./data", node_dir, &v);
	if (prop_sb(out, "log.dirs", &v, err, errlen) < 0 ||
	    write_lab_defaults(t, out, err, errlen) < 0 ||
	    write_topology_config(t, out, err, errlen) < 0)
		return -1;
	if (fflush(out) == EOF || ferror(out)) {
		snprintf(err, errlen, "writing server.properties of %s: %s",
			 b->instance, strerror(errno));
		return -1;
	}
	return 0;
}

int psc_kafka_log_dirs(const psc_topology *t, const char *node_dir,
		       char *out, size_t len)
{
	sbuf v;
	memset(&v, 0, sizeof(v));
	log_dirs(t->kafka.log_dirs[0] ? t->kafka.log_dirs : "./data", node_dir,
		 &v);
	int n = snprintf(out, len, "%s", v.s);
	return v.over || n < 0 || (size_t)n >= len ? -1 : 0;
}

int psc_kafka_props_path(const char *node_dir, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/config/server.properties", node_dir);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int psc_kafka_log_dir(const char *node_dir, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/logs", node_dir);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int psc_kafka_server_log(const char *node_dir, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/logs/server.log", node_dir);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int psc_kafka_node_prepare(const psc_topology *t, const psc_plan *p,
			   const psc_broker *b, const char *node_dir,
			   char *err, size_t errlen)
{
	char path[PSC_KAFKA_PATH_LEN], tmp[PSC_KAFKA_PATH_LEN + 8];
	static const char *const sub[] = {"config", "data", "logs"};
	if (!node_dir || node_dir[0] != '/') {
		snprintf(err, errlen, "node directory '%s' is not absolute",
			 node_dir ? node_dir : "");
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		if (fmt_path(path, sizeof(path), err, errlen, node_dir, "%s/%s",
			     node_dir, sub[i]) ||
		    psc_mkdirs(path, err, errlen) < 0)
			return -1;
	}
	if (psc_kafka_props_path(node_dir, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "%s: path too long", node_dir);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		return -1;
	}
	int rc = psc_kafka_server_properties(t, p, b, node_dir, f, err, errlen);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
			 strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* ---- kafka-proxy ---- */

int psc_kafka_proxy_argv(const psc_topology *t, const char *bin,
			 psc_argv *a, char *err, size_t errlen)
{
	return psc_kafka_proxy_argv_of(t, &t->kafka_proxy, bin, a, err,
				       errlen);
}

int psc_kafka_proxy_argv_of(const psc_topology *t,
			    const psc_kafka_proxy *kp, const char *bin,
			    psc_argv *a, char *err, size_t errlen)
{
	psc_argv_init(a);
	if (!kp->present) {
		snprintf(err, errlen, "topology '%s' has no kafka_proxy",
			 t->name);
		return -1;
	}
	if (psc_argv_add(a, err, errlen, "%s", bin) < 0 ||
	    psc_argv_add(a, err, errlen, "server") < 0)
		return -1;
	for (size_t i = 0; i < kp->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &kp->bootstrap_server_mappings[i];
		char host[PSC_HOST_LEN], ips[16], e2[128];
		int port;
		uint32_t ip;
		if (psc_hostport_parse(m->upstream, host, sizeof(host), &port,
				       e2, sizeof(e2)) < 0) {
			snprintf(err, errlen,
				 "kafka_proxy mapping '%s': %s", m->upstream,
				 e2);
			return -1;
		}
		/* an instance name: the address its broker advertises */
		psc_instance *in = psc_find_instance((psc_topology *)t, host);
		if (in) {
			if (psc_instance_ip(t, in, &ip) < 0) {
				snprintf(err, errlen,
					 "kafka_proxy mapping '%s': instance "
					 "'%s' has no address", m->upstream,
					 host);
				return -1;
			}
			psc_ip_str(ip, ips, sizeof(ips));
		}
		if (psc_argv_add(a, err, errlen, "--bootstrap-server-mapping") <
			    0 ||
		    psc_argv_add(a, err, errlen, "%s:%d,%s%s%s",
				 in ? ips : host, port, m->listen,
				 m->advertised[0] ? "," : "",
				 m->advertised) < 0)
			return -1;
	}
	if (kp->dynamic_sequential_min_port > 0 &&
	    psc_argv_add(a, err, errlen, "--dynamic-sequential-min-port=%ld",
			 kp->dynamic_sequential_min_port) < 0)
		return -1;
	if (kp->dynamic_advertised_listener[0] &&
	    psc_argv_add(a, err, errlen, "--dynamic-advertised-listener=%s",
			 kp->dynamic_advertised_listener) < 0)
		return -1;
	if (kp->http_listen_address[0] &&
	    psc_argv_add(a, err, errlen, "--http-listen-address=%s",
			 kp->http_listen_address) < 0)
		return -1;
	if (kp->deterministic_listeners &&
	    psc_argv_add(a, err, errlen, "--deterministic-listeners") < 0)
		return -1;
	return 0;
}

/* ---- class-data sharing ---- */

/* The first word of a finished dynamic archive (HotSpot's
 * CDS_DYNAMIC_ARCHIVE_MAGIC, native byte order).  The JVM writes the
 * header last, after every region: a dump cut short has none. */
#define CDS_MAGIC 0xf00baba8u
#define CDS_STALE_S 600          /* an unfinished dump this old is dead */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv1a_stat(uint64_t h, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return fnv1a(h, "-", 1);
	h = fnv1a(h, path, strlen(path) + 1);
	h = fnv1a(h, &st.st_ino, sizeof(st.st_ino));
	h = fnv1a(h, &st.st_size, sizeof(st.st_size));
	h = fnv1a(h, &st.st_mtim.tv_sec, sizeof(st.st_mtim.tv_sec));
	return fnv1a(h, &st.st_mtim.tv_nsec, sizeof(st.st_mtim.tv_nsec));
}

/* Kafka's libs/ and its core jar: a new Kafka, a new key */
static uint64_t kafka_files_hash(uint64_t h, const char *home,
				 const char *ver)
{
	char path[PSC_KAFKA_PATH_LEN + 128];
	snprintf(path, sizeof(path), "%s/libs", home);
	h = fnv1a_stat(h, path);
	snprintf(path, sizeof(path), "%s/libs/kafka_2.13-%s.jar", home, ver);
	return fnv1a_stat(h, path);
}

int psc_kafka_install_key(const psc_kafka_env *e, char *out, size_t len,
			  char *err, size_t errlen)
{
	char ver[64];
	if (psc_kafka_version(e->home, ver, sizeof(ver), err, errlen) < 0)
		return -1;
	uint64_t h = kafka_files_hash(0xcbf29ce484222325ull, e->home, ver);
	int n = snprintf(out, len, "kafka-%s-%016llx", ver,
			 (unsigned long long)h);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "Kafka %s: key too long", ver);
		return -1;
	}
	return 0;
}

static bool cds_valid(const char *path)
{
	uint32_t magic = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = pread(fd, &magic, sizeof(magic), 0);
	close(fd);
	return n == (ssize_t)sizeof(magic) && magic == CDS_MAGIC;
}

int psc_kafka_cds_tmp(const psc_kafka_env *e, const char *node_dir,
		      char *out, size_t len)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ull, node_dir, strlen(node_dir));
	int n = snprintf(out, len, "%s.%08x.tmp", e->cds,
			 (unsigned)(h ^ (h >> 32)));
	return e->cds[0] && n > 0 && (size_t)n < len ? 0 : -1;
}

/* e->cds and e->cds_ready (see kafka.h).  Any failure leaves CDS off: it
 * only makes starts faster. */
static void cds_setup(psc_kafka_env *e)
{
	char java[PSC_KAFKA_PATH_LEN], real[PATH_MAX], ver[64], err[512];
	char path[PSC_KAFKA_PATH_LEN + 128], dir[PSC_KAFKA_PATH_LEN];
	const char *off = getenv("PSCLAB_KAFKA_CDS");
	e->cds[0] = '\0';
	e->cds_ready = false;
	if ((off && strcmp(off, "0") == 0) ||
	    psc_java_bin(java, sizeof(java), err, sizeof(err)) < 0 ||
	    !realpath(java, real) ||
	    psc_kafka_version(e->home, ver, sizeof(ver), err, sizeof(err)) < 0)
		return;
	uint64_t h = fnv1a_stat(0xcbf29ce484222325ull, real);
	size_t rl = strlen(real);
	if (rl > 9 && strcmp(real + rl - 9, "/bin/java") == 0) {
		snprintf(path, sizeof(path), "%.*s/lib/server/libjvm.so",
			 (int)(rl - 9), real);
		h = fnv1a_stat(h, path);
	}
	h = kafka_files_hash(h, e->home, ver);

	/* the path goes into KAFKA_JVM_PERFORMANCE_OPTS, split at blanks */
	if (fmt_path(dir, sizeof(dir), err, sizeof(err), "cds", "%s/cds",
		     psc_kafka_cache_dir()) < 0 ||
	    strspn(dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789._/@+-") != strlen(dir) ||
	    (mkdir(dir, 0755) != 0 && errno != EEXIST) ||
	    access(dir, W_OK) != 0 ||
	    fmt_path(e->cds, sizeof(e->cds), err, sizeof(err), "cds",
		     "%s/kafka-%s-%016llx.jsa", dir, ver,
		     (unsigned long long)h) < 0) {
		e->cds[0] = '\0';
		return;
	}
	e->cds_ready = cds_valid(e->cds);

	/* adopt what a stopped broker wrote; drop the rest */
	const char *base = strrchr(e->cds, '/') + 1;
	size_t bl = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl <= bl + 5 || strncmp(de->d_name, base, bl) != 0 ||
		    de->d_name[bl] != '.' ||
		    strcmp(de->d_name + nl - 4, ".tmp") != 0)
			continue;
		struct stat st;
		int pl = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (pl < 0 || (size_t)pl >= sizeof(path))
			continue;
		if (cds_valid(path)) {
			if (!e->cds_ready && rename(path, e->cds) == 0)
				e->cds_ready = true;
			else
				unlink(path);
		} else if (stat(path, &st) == 0 &&
			   st.st_mtim.tv_sec + CDS_STALE_S < time(NULL)) {
			unlink(path);
		}
	}
	if (d)
		closedir(d);
}

/* ---- format and start ---- */

void psc_kafka_env_defaults(psc_kafka_env *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", DEFAULT_PATH);
	snprintf(e->heap, sizeof(e->heap), "%s", PSC_KAFKA_HEAP_DEFAULT);
	snprintf(e->jvm_opts, sizeof(e->jvm_opts), "%s",
		 PSC_KAFKA_JVM_OPTS_DEFAULT);
}

static int env_opt(const char *name, char *out, size_t len, char *err,
		   size_t errlen)
{
	const char *v = env_nonempty(name);
	if (!v)
		return 0;
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20) {
			snprintf(err, errlen, "%s has a control character",
				 name);
			return -1;
		}
	if ((size_t)snprintf(out, len, "%s", v) >= len) {
		snprintf(err, errlen, "%s is longer than %zu bytes", name,
			 len - 1);
		return -1;
	}
	return 0;
}

int psc_kafka_env_load(psc_kafka_env *e, char *err, size_t errlen)
{
	psc_kafka_env_defaults(e);
	if (psc_kafka_home(e->home, sizeof(e->home), err, errlen) < 0 ||
	    psc_java_home(e->java_home, sizeof(e->java_home), err, errlen) < 0)
		return -1;
	cds_setup(e);
	return env_opt("PATH", e->path, sizeof(e->path), err, errlen) < 0 ||
			       env_opt("PSCLAB_KAFKA_HEAP", e->heap,
				       sizeof(e->heap), err, errlen) < 0 ||
			       env_opt("PSCLAB_KAFKA_JVM_OPTS", e->jvm_opts,
				       sizeof(e->jvm_opts), err, errlen) < 0
		       ? -1
		       : 0;
}

/* dump: a broker that writes the archive when it stops */
static int common_env(const psc_kafka_env *e, const char *node_dir,
		      bool dump, psc_argv *env, char *err, size_t errlen)
{
	char cds[PSC_KAFKA_PATH_LEN + 128] = "";
	psc_argv_init(env);
	if (e->cds[0] && e->cds_ready)
		snprintf(cds, sizeof(cds), " -XX:SharedArchiveFile=%s", e->cds);
	else if (e->cds[0] && dump) {
		char tmp[PSC_KAFKA_PATH_LEN + 32];
		if (psc_kafka_cds_tmp(e, node_dir, tmp, sizeof(tmp)) < 0) {
			snprintf(err, errlen, "%s: path too long", e->cds);
			return -1;
		}
		/* -Xlog: the dump warns of every class it cannot keep */
		snprintf(cds, sizeof(cds),
			 " -Xlog:cds*=off -XX:ArchiveClassesAtExit=%s", tmp);
	}
	if (psc_argv_add(env, err, errlen, "PATH=%s", e->path) < 0 ||
	    (e->java_home[0] &&
	     psc_argv_add(env, err, errlen, "JAVA_HOME=%s", e->java_home) <
		     0) ||
	    psc_argv_add(env, err, errlen, "LOG_DIR=%s/logs", node_dir) < 0 ||
	    psc_argv_add(env, err, errlen, "KAFKA_JVM_PERFORMANCE_OPTS=%s%s",
			 e->jvm_opts, cds) < 0)
		return -1;
	return 0;
}

static int cmd_check(const psc_kafka_env *e, const char *node_dir,
		     char *err, size_t errlen)
{
	if (!e->home[0]) {
		snprintf(err, errlen, "no Kafka home (psc_kafka_env_load)");
		return -1;
	}
	if (!node_dir || node_dir[0] != '/') {
		snprintf(err, errlen, "node directory '%s' is not absolute",
			 node_dir ? node_dir : "");
		return -1;
	}
	return 0;
}

int psc_kafka_format_cmd_at(const psc_kafka_env *e, const char *cluster_id,
			    const char *node_dir, psc_kafka_cmd *c, char *err,
			    size_t errlen)
{
	psc_argv_init(&c->argv);
	psc_argv_init(&c->envp);
	if (cmd_check(e, node_dir, err, errlen) < 0)
		return -1;
	psc_argv *a = &c->argv;
	if (psc_argv_add(a, err, errlen, "%s/bin/kafka-storage.sh", e->home) <
		    0 ||
	    psc_argv_add(a, err, errlen, "format") < 0 ||
	    psc_argv_add(a, err, errlen, "-t") < 0 ||
	    psc_argv_add(a, err, errlen, "%s", cluster_id) < 0 ||
	    psc_argv_add(a, err, errlen, "-c") < 0 ||
	    psc_argv_add(a, err, errlen, "%s/config/server.properties",
			 node_dir) < 0 ||
	    psc_argv_add(a, err, errlen, "--ignore-formatted") < 0)
		return -1;
	return common_env(e, node_dir, false, &c->envp, err, errlen);
}

int psc_kafka_format_cmd(const psc_kafka_env *e, const psc_topology *t,
			 const char *node_dir, psc_kafka_cmd *c, char *err,
			 size_t errlen)
{
	if (!t->kafka.cluster_id[0]) {
		psc_argv_init(&c->argv);
		psc_argv_init(&c->envp);
		snprintf(err, errlen, "topology '%s': kafka.cluster_id is empty",
			 t->name);
		return -1;
	}
	return psc_kafka_format_cmd_at(e, t->kafka.cluster_id, node_dir, c, err,
				       errlen);
}

int psc_kafka_start_cmd(const psc_kafka_env *e, const char *node_dir,
			psc_kafka_cmd *c, char *err, size_t errlen)
{
	psc_argv_init(&c->argv);
	psc_argv_init(&c->envp);
	if (cmd_check(e, node_dir, err, errlen) < 0)
		return -1;
	if (psc_argv_add(&c->argv, err, errlen, "%s/bin/kafka-server-start.sh",
			 e->home) < 0 ||
	    psc_argv_add(&c->argv, err, errlen, "%s/config/server.properties",
			 node_dir) < 0)
		return -1;
	if (common_env(e, node_dir, true, &c->envp, err, errlen) < 0 ||
	    psc_argv_add(&c->envp, err, errlen, "KAFKA_HEAP_OPTS=%s",
			 e->heap) < 0)
		return -1;
	return 0;
}

/* ---- readiness ---- */

char *psc_file_tail(const char *path, off_t from, int n, char *out,
		    size_t len)
{
	if (!len)
		return out;
	out[0] = '\0';
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return out;
	struct stat st;
	char *buf = malloc(TAIL_BYTES);
	if (!buf || fstat(fd, &st) != 0) {
		free(buf);
		close(fd);
		return out;
	}
	off_t start = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	if (from > start && from <= st.st_size)
		start = from;
	ssize_t got = pread(fd, buf, TAIL_BYTES, start);
	close(fd);
	if (got <= 0) {
		free(buf);
		return out;
	}
	size_t end = (size_t)got;
	while (end && buf[end - 1] == '\n')
		end--;
	size_t b = end;
	for (int lines = 0; b > 0; b--)
		if (buf[b - 1] == '\n' && ++lines == n)
			break;
	/* keep the end when the lines do not all fit */
	if (end - b > len - 1)
		b = end - (len - 1);
	memcpy(out, buf + b, end - b);
	out[end - b] = '\0';
	free(buf);
	return out;
}

/* Is the marker in path after byte *from?  *from advances over what was
 * searched (less the marker's length, so a line cut by a write is found
 * next time). */
static bool log_has(const char *path, off_t *from, const char *marker)
{
	char buf[65536 + 1];
	size_t ml = strlen(marker);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size < *from)
		*from = 0;                        /* rotated or truncated */
	bool found = false;
	for (int chunks = 0; chunks < 1024 && !found; chunks++) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, *from);
		if (n <= 0)
			break;
		buf[n] = '\0';
		found = memmem(buf, (size_t)n, marker, ml) != NULL;
		if ((size_t)n < ml)
			break;
		*from += n - (off_t)(ml - 1);
		if ((size_t)n < sizeof(buf) - 1)
			break;
	}
	close(fd);
	return found;
}

/* One connect to ip:port within ms; 0 or an errno. */
static int try_connect(int nsfd, uint32_t ip, int port, long ms,
		       bool *in_ns_failed)
{
	int e;
	int fd = psc_tcp_socket_in(nsfd, &e);
	if (fd < 0) {
		*in_ns_failed = true;
		return e;
	}
	e = psc_tcp_connect_fd(fd, ip, port, ms);
	close(fd);
	return e;
}

/* the namespace of r opened (-1 and nothing to do without one) */
static int open_ready_ns(const psc_kafka_ready *r, const char *who, int *nsfd,
			 char *err, size_t errlen)
{
	char path[PSC_NETNS_NAME_LEN + sizeof(NETNS_RUN_DIR) + 1], e2[256];
	*nsfd = -1;
	if (!r->netns || !r->netns[0])
		return 0;
	if (psc_plan_ns_name_check(r->netns, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s %s: bad namespace name '%s'", who,
			 r->addr, r->netns);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, r->netns);
	*nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (*nsfd < 0) {
		snprintf(err, errlen, "%s %s: namespace %s: %s", who, r->addr,
			 path, strerror(errno));
		return -1;
	}
	return 0;
}

/* "<who> exited after N ms, before it was ready", then its last words */
static void report_death(const psc_kafka_ready *r, const char *who,
			 long long t0, char *err, size_t errlen)
{
	char tail[PSC_KAFKA_ERR_LEN];
	const char *log = r->console_log ? r->console_log : r->server_log;
	psc_file_tail(log, r->console_log ? 0 : r->log_from,
		      PSC_KAFKA_TAIL_LINES, tail, sizeof(tail));
	if (!tail[0] && r->console_log && r->server_log) {
		log = r->server_log;
		psc_file_tail(log, r->log_from, PSC_KAFKA_TAIL_LINES, tail,
			      sizeof(tail));
	}
	snprintf(err, errlen, "%s %s exited after %lld ms, before it was "
		 "ready; the last lines of %s:\n%s", who, r->addr,
		 psc_now_ms() - t0, log, tail[0] ? tail : "(empty)");
}

/* what was still missing at the deadline */
static void report_not_ready(const psc_kafka_ready *r, const char *who,
			     const char *where, long long t0, bool listening,
			     int last, bool started, const char *unanswered,
			     char *err, size_t errlen)
{
	char what[1024] = "";
	if (listening && started && unanswered[0])
		snprintf(what, sizeof(what), "it is started and accepts TCP, "
			 "but %.900s", unanswered);
	else if (!listening)
		snprintf(what, sizeof(what),
			 "it does not accept TCP from %s (%s)%s", where,
			 strerror(last), started ? "" : " and ");
	if (!started)
		psc_appendf(what, sizeof(what), "%s has no \"%s\"",
			    r->server_log, PSC_KAFKA_STARTED_LINE);
	snprintf(err, errlen, "%s %s not ready after %lld ms: %s", who,
		 r->addr, psc_now_ms() - t0, what);
}

/* What ends a wait between two looks at the broker: its log directory
 * written to (inotify: the "started" line is a write), or its exit (a
 * pidfd); poll_ms only bounds a wait that nothing ends (kafka-proxy has no
 * server log: its listener is tried every poll_ms). */
struct ready_watch {
	int in, pidfd;
};

static void ready_open(struct ready_watch *w, const psc_kafka_ready *r)
{
	w->in = w->pidfd = -1;
	if (r->server_log) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", r->server_log);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		w->in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (w->in >= 0 &&
		    inotify_add_watch(w->in, dir, IN_MODIFY | IN_CREATE) < 0) {
			close(w->in);
			w->in = -1;
		}
	}
	if (r->pid > 0)
		w->pidfd = psc_proc_pidfd(r->pid);
}

static void ready_close(struct ready_watch *w)
{
	psc_close_fd(&w->in);
	psc_close_fd(&w->pidfd);
}

static void ready_wait(struct ready_watch *w, long ms)
{
	struct pollfd p[2] = {{.fd = w->in, .events = POLLIN},
			      {.fd = w->pidfd, .events = POLLIN}};
	if (w->in < 0 && w->pidfd < 0) {
		psc_sleep_ms(ms);
		return;
	}
	if (poll(p, 2, (int)ms) > 0 && (p[0].revents & POLLIN)) {
		char buf[4096];
		while (read(w->in, buf, sizeof(buf)) > 0)
			;
	}
}

int psc_kafka_wait_ready(const psc_kafka_ready *r, long *waited_ms,
			 char *err, size_t errlen)
{
	long timeout = r->timeout_ms > 0 ? r->timeout_ms
					 : PSC_KAFKA_READY_TIMEOUT_MS;
	long poll_ms = r->poll_ms > 0 ? r->poll_ms : READY_POLL_MS;
	long long t0 = psc_now_ms(), deadline = t0 + timeout;
	/* every wake is a look (each write to the log dir wakes one): the
	 * deadline ends the wait, this only bounds a log written without end */
	long tries = (timeout / poll_ms + 1) * 100;
	uint32_t ip;
	int port, last = 0;
	char host[PSC_HOST_LEN], e2[256];
	char unanswered[PSC_KAFKA_ERR_LEN / 2] = "";
	size_t asked = 0;
	bool listening = false, ns_failed = false;
	bool started = !r->server_log;   /* nothing to wait for in a log */
	off_t scanned = r->log_from;
	const char *where = r->netns && r->netns[0] ? r->netns : "this namespace";
	const char *who = r->what && r->what[0] ? r->what : "broker";

	if (!r->addr || (!r->server_log && !r->console_log) ||
	    psc_hostport_parse(r->addr, host, sizeof(host), &port, e2,
			       sizeof(e2)) < 0 ||
	    psc_ip_parse(host, &ip, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s readiness: '%s' is not an "
			 "address:port (%s)", who, r->addr ? r->addr : "",
			 r->addr ? e2 : "none given");
		return -1;
	}
	AUTO_FD nsfd = -1;
	if (open_ready_ns(r, who, &nsfd, err, errlen) < 0)
		return -1;
	__attribute__((cleanup(ready_close))) struct ready_watch w;
	ready_open(&w, r);

	for (long i = 0; i < tries; i++) {
		bool alive = r->alive ? r->alive(r->alive_arg)
			   : r->pid > 0 ? psc_proc_pid_alive(r->pid) : true;
		if (!alive) {
			report_death(r, who, t0, err, errlen);
			return -1;
		}
		if (!started)
			started = log_has(r->server_log, &scanned,
					  PSC_KAFKA_STARTED_LINE);
		long long now = psc_now_ms();
		if (!listening) {
			long left = (long)(deadline - now);
			last = try_connect(nsfd, ip, port,
					   left < CONNECT_MS ? (left > 0 ? left : 1)
							     : CONNECT_MS,
					   &ns_failed);
			listening = last == 0;
			if (ns_failed) {
				snprintf(err, errlen,
					 "%s %s: no socket in namespace "
					 "%s: %s", who, r->addr, where,
					 strerror(last));
				return -1;
			}
		}
		now = psc_now_ms();
		/* started and listening: each listener asked, at most
		 * ANSWER_MS a time, until it answered */
		while (listening && started && asked < r->n_answer) {
			long left = (long)(deadline - now);
			if (psc_kafka_answers(nsfd, r->answer[asked],
					      left < ANSWER_MS ? left : ANSWER_MS,
					      unanswered,
					      sizeof(unanswered)) < 0)
				break;
			unanswered[0] = '\0';
			asked++;
			now = psc_now_ms();
		}
		if (listening && started && asked == r->n_answer) {
			if (waited_ms)
				*waited_ms = (long)(now - t0);
			return 0;
		}
		if (now >= deadline)
			break;
		ready_wait(&w, deadline - now < poll_ms
				       ? (long)(deadline - now)
				       : poll_ms);
	}
	report_not_ready(r, who, where, t0, listening, last, started,
			 unanswered, err, errlen);
	return -1;
}
