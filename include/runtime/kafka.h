/* kafka.h - the Kafka runtime of a lab: where Apache Kafka, Java and
 * kafka-proxy are installed, each broker's server.properties, kafka-proxy's
 * command line, the commands that format a broker's storage and start it,
 * and the wait until a started broker serves.
 *
 * Pure parts (no I/O but the FILE given, unit-tested): the server
 * properties, the kafka-proxy argv, the format and start commands (argv and
 * environment).  Process parts: locating the installation (environment and
 * file system), preparing a node directory, waiting for readiness.  Nothing
 * here spawns or signals a process: the lab's supervisor (proc.h) runs the
 * argv/envp built here, in the broker's namespace.
 *
 * A broker's node directory (absolute) holds, as the seed's start script:
 *   <node dir>/config/server.properties
 *   <node dir>/data        log.dirs (the seed's ./data, made absolute)
 *   <node dir>/logs        LOG_DIR: server.log, controller.log, GC log, ...
 *
 * Where things are (lab/deps/paths.sh computes the same):
 *   Kafka        $KAFKA_HOME, else ${PSCLAB_CACHE:-/var/cache/psclab}/
 *                kafka-${KAFKA_VERSION:-3.7.1}
 *   kafka-proxy  $KAFKA_PROXY_BIN, else ${PSCLAB_CACHE:-/var/cache/psclab}/
 *                kafka-proxy-<tag>/bin/kafka-proxy, <tag> the topology's
 *                kafka_proxy.version, else $KAFKA_PROXY_VERSION, else v0.3.11
 *                (v0.4.3 with a Kafka 4.x)
 *   Java         $JAVA_HOME/bin/java, else java on PATH */
#ifndef PSCLAB_KAFKA_H
#define PSCLAB_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "model/topology.h"

#define PSC_CACHE_DEFAULT "/var/cache/psclab"
#define PSC_KAFKA_VERSION_DEFAULT "3.7.1"
#define PSC_KAFKA_PROXY_VERSION_DEFAULT "v0.3.11"
/* ... and with a Kafka 4.x (Metadata v13: kafka-proxy v0.4.2+) */
#define PSC_KAFKA_PROXY_VERSION_KAFKA4 "v0.4.3"
#define PSC_KAFKA_PATH_LEN 4096

/* KAFKA_HEAP_OPTS of a broker unless PSCLAB_KAFKA_HEAP says otherwise: three
 * brokers on a laptop (the release's default is -Xmx1G -Xms1G). */
#define PSC_KAFKA_HEAP_DEFAULT "-Xms256m -Xmx256m"
/* KAFKA_JVM_PERFORMANCE_OPTS: kafka-run-class.sh's own (G1 with a 20 ms
 * pause goal, as the release) plus what measurably shortens a cold start on
 * two cores; see kafka.c for the measurements.  PSCLAB_KAFKA_JVM_OPTS
 * replaces it. */
#define PSC_KAFKA_JVM_OPTS_DEFAULT                                        \
	"-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "                   \
	"-XX:InitiatingHeapOccupancyPercent=35 "                          \
	"-XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 "         \
	"-Djava.awt.headless=true -XX:TieredStopAtLevel=1"
/* The line KafkaRaftServer logs once the broker is unfenced and its
 * listeners accept (3.7.x and 4.x alike):
 * "[KafkaRaftServer nodeId=1] Kafka Server started (kafka.server...)" */
#define PSC_KAFKA_STARTED_LINE "Kafka Server started"
#define PSC_KAFKA_TAIL_LINES 20   /* log lines quoted when a broker died */
#define PSC_KAFKA_ERR_LEN 4096    /* err big enough for those lines */

/* ---- where things are ------------------------------------------------- */

/* $PSCLAB_CACHE, else PSC_CACHE_DEFAULT */
const char *psc_kafka_cache_dir(void);
/* The Kafka installation (see above).  -1 when it holds no
 * bin/kafka-server-start.sh, the error saying to run `sudo make deps`. */
int psc_kafka_home(char *out, size_t len, char *err, size_t errlen);
/* Kafka's version in home: <home>/VERSION as install.sh writes it, else
 * from libs/kafka_2.13-<version>.jar. */
int psc_kafka_version(const char *home, char *out, size_t len, char *err,
		      size_t errlen);
/* The java binary: $JAVA_HOME/bin/java, else java on PATH; the error names
 * the apt command that installs one. */
int psc_java_bin(char *out, size_t len, char *err, size_t errlen);
/* The JAVA_HOME to give Kafka's scripts: $JAVA_HOME, else the Java home of
 * java on PATH (/usr/lib/jvm/<jdk> from its real path), else "" (the
 * scripts then run java from PATH). */
int psc_java_home(char *out, size_t len, char *err, size_t errlen);
/* kafka-proxy's binary (see above).  When it is missing, the error says
 * how to get it (make deps builds it from the source archives). */
int psc_kafka_proxy_bin(char *out, size_t len, char *err, size_t errlen);
/* The same for tag version (a topology's kafka_proxy.version; NULL or "":
 * $KAFKA_PROXY_VERSION, else the default: v0.3.11, the seed's, or v0.4.3
 * when the Kafka in use is 4.x); $KAFKA_PROXY_BIN still wins. */
int psc_kafka_proxy_bin_for(const char *version, char *out, size_t len,
			    char *err, size_t errlen);

/* ---- argument and environment vectors --------------------------------- */

#define PSC_ARGV_MAX 48
#define PSC_ARGV_BUF 16384

/* A NULL-terminated vector of strings kept in its own buffer, for execve()
 * or psc_proc_spawn().  v points into buf: do not copy the struct. */
/* how long a broker may take from start to serving (its log's "started"
 * line and its listener): one cold broker takes about 1.5 s here, three
 * together 3-4 s (make bench); two minutes only bound one that hangs */
#define PSC_KAFKA_READY_TIMEOUT_MS 120000

typedef struct psc_argv {
	char *v[PSC_ARGV_MAX + 1];
	size_t n;
	size_t used;
	char buf[PSC_ARGV_BUF];
} psc_argv;

void psc_argv_init(psc_argv *a);
/* Append one string (printf format).  -1 when full. */
int psc_argv_add(psc_argv *a, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The value of NAME in an environment vector ("NAME=value"), or NULL. */
const char *psc_argv_getenv(const psc_argv *env, const char *name);

/* ---- server.properties ------------------------------------------------ */

/* The server.properties of broker b of lab p (built from t), exactly the
 * seed's ("4. Configure Kafka Brokers") with addresses filled in: instance
 * names of controller.quorum.voters replaced by their addresses,
 * advertised.listeners = every listener but the controller's, the external
 * listener (portmap) as <broker_id>.<domain>:<external_port>, the others as
 * <instance ip>:<port>; log.dirs made absolute under node_dir.  A broker
 * with no_external (the lab's stage, model/stage.h: the cluster before
 * PSC) has no EXTERNAL in listeners, advertised.listeners nor the protocol
 * map, as the seed's "Reconfigure a Running Kafka Cluster" finds it.  Then the
 * lab's defaults, each with a comment saying why.  node_dir must be
 * absolute.  Writes to out; -1 with err naming what could not be written
 * (nothing is guaranteed about out then). */
int psc_kafka_server_properties(const psc_topology *t, const psc_plan *p,
				const psc_broker *b, const char *node_dir,
				FILE *out, char *err, size_t errlen);

/* kafka.process_roles has role ("broker", "controller") */
bool psc_kafka_has_role(const psc_kafka *k, const char *role);

/* Listener name is left out of broker b's server.properties: the EXTERNAL
 * one of a broker that runs as before PSC (no_external, model/stage.h). */
bool psc_kafka_listener_left_out(const psc_kafka *k, const psc_broker *b,
				 const char *name);

/* <node_dir>/config/server.properties, <node_dir>/logs,
 * <node_dir>/logs/server.log */
/* The log.dirs psc_kafka_server_properties() writes for node_dir: every
 * directory absolute, comma-separated.  -1 when out is too small. */
int psc_kafka_log_dirs(const psc_topology *t, const char *node_dir,
		       char *out, size_t len);
int psc_kafka_props_path(const char *node_dir, char *out, size_t len);
int psc_kafka_log_dir(const char *node_dir, char *out, size_t len);
int psc_kafka_server_log(const char *node_dir, char *out, size_t len);

/* Create node_dir (and its parents), config/, data/, logs/ and write
 * config/server.properties (a temporary file renamed into place). */
int psc_kafka_node_prepare(const psc_topology *t, const psc_plan *p,
			   const psc_broker *b, const char *node_dir,
			   char *err, size_t errlen);

/* ---- kafka-proxy -------------------------------------------------------- */

/* The seed's kafka-proxy command from t->kafka_proxy:
 *   <bin> server
 *     --bootstrap-server-mapping "<upstream>,<listen>,<advertised>"   (each)
 *     --dynamic-sequential-min-port=<n>          (when set)
 *     --dynamic-advertised-listener=<host>       (when set)
 *     --http-listen-address=<addr>               (when set)
 * An upstream naming an instance becomes "<its address>:<port>": the
 * string the broker advertises, which kafka-proxy compares literally. */
int psc_kafka_proxy_argv(const psc_topology *t, const char *bin,
			 psc_argv *argv, char *err, size_t errlen);
/* The same for kafka-proxy kp of t (t->kafka_proxy or one of
 * t->kafka_proxies: the seed's FAQ, one kafka-proxy per project). */
int psc_kafka_proxy_argv_of(const psc_topology *t,
			    const psc_kafka_proxy *kp, const char *bin,
			    psc_argv *argv, char *err, size_t errlen);

/* ---- formatting and starting a broker ----------------------------------- */

/* What a broker process gets from the machine. */
typedef struct psc_kafka_env {
	char home[PSC_KAFKA_PATH_LEN];       /* psc_kafka_home() */
	char java_home[PSC_KAFKA_PATH_LEN];  /* "" : java from PATH */
	char path[PSC_KAFKA_PATH_LEN];       /* PATH */
	char heap[256];                      /* KAFKA_HEAP_OPTS */
	char jvm_opts[1024];                 /* KAFKA_JVM_PERFORMANCE_OPTS */
	/* Application class-data sharing: the archive of the classes a
	 * broker of this Kafka loads, for this Java ("" : not used).  When
	 * cds_ready, brokers (and the format tool) map it: a cold start
	 * takes about half the time.  Else each broker writes one when it
	 * stops (SIGTERM: give it a few seconds more), the next
	 * psc_kafka_env_load() adopts one of them. */
	char cds[PSC_KAFKA_PATH_LEN];
	bool cds_ready;
} psc_kafka_env;

/* Defaults only (pure): home and java_home empty, the standard PATH,
 * PSC_KAFKA_HEAP_DEFAULT, PSC_KAFKA_JVM_OPTS_DEFAULT, no CDS archive. */
void psc_kafka_env_defaults(psc_kafka_env *e);
/* From this machine: psc_kafka_home(), psc_java_home(), PATH, the
 * overrides PSCLAB_KAFKA_HEAP (KAFKA_HEAP_OPTS) and PSCLAB_KAFKA_JVM_OPTS
 * (KAFKA_JVM_PERFORMANCE_OPTS), and the CDS archive:
 * ${PSCLAB_CACHE}/cds/kafka-<version>-<key>.jsa, the key a hash of the
 * java binary and Kafka's libs/ (a new JDK or Kafka: a new archive);
 * PSCLAB_KAFKA_CDS=0, or a cache that cannot be written, turns it off. */
int psc_kafka_env_load(psc_kafka_env *e, char *err, size_t errlen);
/* "kafka-<version>-<key>", the key a hash of e->home's libs/ and core jar
 * (what a cache of this Kafka's files is named by: the storage template,
 * runtime/kafka_storage.h). */
int psc_kafka_install_key(const psc_kafka_env *e, char *out, size_t len,
			  char *err, size_t errlen);
/* The archive a broker in node_dir writes when it stops, while e->cds is
 * not ready: "<e->cds>.<hash of node_dir>.tmp". */
int psc_kafka_cds_tmp(const psc_kafka_env *e, const char *node_dir,
		      char *out, size_t len);

typedef struct psc_kafka_cmd {
	psc_argv argv;
	psc_argv envp;
} psc_kafka_cmd;

/* The seed's storage step, idempotent:
 *   <home>/bin/kafka-storage.sh format -t <cluster_id>
 *     -c <node_dir>/config/server.properties --ignore-formatted
 * Environment: PATH, JAVA_HOME (when known), LOG_DIR=<node_dir>/logs,
 * KAFKA_JVM_PERFORMANCE_OPTS (+ the CDS archive when ready); the heap is
 * the tool's default (-Xmx256M). */
int psc_kafka_format_cmd(const psc_kafka_env *e, const psc_topology *t,
			 const char *node_dir, psc_kafka_cmd *c, char *err,
			 size_t errlen);
/* The same for a cluster id of the caller's (the storage template's) */
int psc_kafka_format_cmd_at(const psc_kafka_env *e, const char *cluster_id,
			    const char *node_dir, psc_kafka_cmd *c, char *err,
			    size_t errlen);
/* The seed's start step, in the foreground (the supervisor detaches):
 *   <home>/bin/kafka-server-start.sh <node_dir>/config/server.properties
 * Environment: PATH, JAVA_HOME (when known), LOG_DIR=<node_dir>/logs,
 * KAFKA_HEAP_OPTS=e->heap, KAFKA_JVM_PERFORMANCE_OPTS=e->jvm_opts plus,
 * with e->cds, "-Xlog:cds*=off" and -XX:SharedArchiveFile=<e->cds> (ready)
 * or -XX:ArchiveClassesAtExit=<psc_kafka_cds_tmp()>.  The scripts exec
 * java: the spawned pid is the broker's JVM. */
int psc_kafka_start_cmd(const psc_kafka_env *e, const char *node_dir,
			psc_kafka_cmd *c, char *err, size_t errlen);

/* ---- readiness ---------------------------------------------------------- */

typedef struct psc_kafka_ready {
	/* the broker's namespace (psclab-<lab>-<instance>); NULL or "": the
	 * caller's own */
	const char *netns;
	/* its INTERNAL listener as advertised: "10.64.0.2:9092" */
	const char *addr;
	/* <node dir>/logs/server.log, searched from byte log_from on (its size
	 * before the start: a restarted broker appends to it); NULL: no log
	 * line is awaited, only the listener (kafka-proxy), and console_log
	 * must be set */
	const char *server_log;
	off_t log_from;
	/* the process's stdout and stderr (the supervisor's log), quoted when
	 * it died; NULL: server_log is quoted */
	const char *console_log;
	/* the broker is alive: alive(alive_arg) when alive is set (e.g.
	 * psc_proc_alive), else pid exists and is not a zombie; pid <= 0 and
	 * no alive: not watched */
	bool (*alive)(const void *arg);
	const void *alive_arg;
	pid_t pid;
	long timeout_ms;                  /* <= 0: PSC_KAFKA_READY_TIMEOUT_MS */
	/* the longest wait between two looks when nothing ends it sooner: a
	 * write to server_log's directory (inotify) or the process's exit
	 * (pidfd) do; kafka-proxy, without a server log, is tried this often;
	 * <= 0: 100 */
	long poll_ms;
	const char *what;                 /* in messages; NULL: "broker" */
	/* once addr accepts and the log says started: each of these asked
	 * for a Kafka answer (runtime/kafka_answer.h: ApiVersions and
	 * Metadata through librdkafka, from inside netns) until it answered;
	 * n_answer 0: none asked (kafka-proxy, the archive's lone broker) */
	const char (*answer)[PSC_ADDR_LEN];
	size_t n_answer;
} psc_kafka_ready;

/* Wait, at most timeout_ms, until the broker's listener at addr accepts a
 * TCP connection from inside netns AND server_log has
 * PSC_KAFKA_STARTED_LINE AND every listener of answer[] gave a Kafka
 * answer.  0 when all hold (*waited_ms, if not NULL, says how long it
 * took); -1 at once when the broker died (err ends with its last
 * PSC_KAFKA_TAIL_LINES log lines), on timeout (err says what was still
 * missing: the last connect error, the log line, or the listener that did
 * not answer and what its client said), or when netns cannot be
 * entered. */
int psc_kafka_wait_ready(const psc_kafka_ready *r, long *waited_ms,
			 char *err, size_t errlen);

/* The last n lines of a file (at most len - 1 bytes of them) into out;
 * "" when it cannot be read.  Returns out. */
char *psc_file_tail(const char *path, off_t from, int n, char *out,
		    size_t len);

#endif
