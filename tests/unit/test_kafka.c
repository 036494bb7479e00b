/* Unit tests: the Kafka runtime (kafka.c) - server.properties against the
 * seed's, kafka-proxy's command against the seed's, the format and start
 * commands, locating Kafka / Java / kafka-proxy, and readiness against a
 * loopback listener (no root, no namespace, no JVM). */
#define _GNU_SOURCE
#include "psc_test.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/util.h"
#include "runtime/kafka.h"
#include "runtime/kafka_answer.h"
#include "plan/plan.h"

#define NODE_DIR "/var/lib/psclab/portmap/broker-node1"
#define LAB_DEFAULTS_TUNED                                                  \
	"# The log cleaner's dedupe buffer (it compacts __consumer_offsets): " \
	"8 MiB\n"                                                            \
	"# instead of 128 MiB, allocated and zeroed at start in a 256 MiB "   \
	"heap.\n"                                                            \
	"# Measured, one broker: RSS 272 -> 143 MiB, ready in 4.1 -> 2.5 s.\n" \
	"log.cleaner.dedupe.buffer.size=8388608\n"

/* server.properties of broker instance `name` as a string (free it) */
static char *props_of(const psc_topology *t, const char *name,
		      const char *node_dir, int want_rc, char *err,
		      size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	psc_broker *b = psc_find_broker_by_instance(
		(psc_kafka *)&t->kafka, name);
	assert_non_null(b);
	int rc = psc_kafka_server_properties(t, psc_test_plan(t), b, node_dir, f, err,
					     errlen);
	fclose(f);
	if (rc != want_rc)
		fail_msg("server.properties of %s: rc %d (%s)", name, rc, err);
	return buf;
}

/* The lines of s that are not comments nor blank, at most max */
static size_t setting_lines(char *s, char **out, size_t max)
{
	size_t n = 0;
	for (char *line = strtok(s, "\n"); line && n < max;
	     line = strtok(NULL, "\n"))
		if (line[0] != '#' && line[0] != '\0')
			out[n++] = line;
	return n;
}

/* The seed's broker-node1 ~/config/server.properties, verbatim (its
 * comments left out). */
static const char seed_node1[] =
	"process.roles=broker,controller\n"
	"node.id=1\n"
	"controller.quorum.voters=1@{broker-node1-ip}:29092,2@{broker-node2-ip}:"
	"29092,3@{broker-node3-ip}:29092\n"
	"listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,EXTERNAL:/"
	"/0.0.0.0:39092\n"
	"inter.broker.listener.name=INTERNAL\n"
	"advertised.listeners=INTERNAL://{broker-node1-ip}:9092,EXTERNAL://b1.ab"
	"c.us-west1.gcp.3199745.tidbcloud.com:9093\n"
	"controller.listener.names=CONTROLLER\n"
	"listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,"
	"EXTERNAL:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_S"
	"SL\n"
	"log.dirs=./data\n";

/* s with every `from` replaced by `to` (static buffer) */
static char *replace(const char *s, const char *from, const char *to)
{
	static char out[4][8192];
	static int k;
	k = (k + 1) % 4;
	char *o = out[k];
	size_t fl = strlen(from), n = 0;
	while (*s) {
		if (strncmp(s, from, fl) == 0) {
			n += (size_t)snprintf(o + n, sizeof(out[k]) - n, "%s", to);
			s += fl;
		} else {
			o[n++] = *s++;
		}
		assert_true(n < sizeof(out[k]) - 1);
	}
	o[n] = '\0';
	return o;
}

/* The lab's defaults as the generator writes them for 3 brokers. */
static const char lab_defaults_3[] =
	"\n"
	"# ---- lab defaults (not in the seed): a 3-node cluster on a laptop,\n"
	"# started fast ----\n"
	"# Internal and new topics on 3 replicas, one per broker, as produce.sh's\n"
	"# test-topic (--partitions 3 --replication-factor 3); min(3, brokers).\n"
	"offsets.topic.replication.factor=3\n"
	"transaction.state.log.replication.factor=3\n"
	"default.replication.factor=3\n"
	"num.partitions=3\n"
	"# An acks=all write (the console producer's default) needs 2 of the 3\n"
	"# replicas: it survives the loss of one broker, and the cluster keeps\n"
	"# taking writes while one broker is down (a lab experiment); 3 would\n"
	"# stop every write when one broker stops, 1 (Kafka's default) could\n"
	"# lose acknowledged writes.\n"
	"min.insync.replicas=2\n"
	"transaction.state.log.min.isr=2\n"
	"# consume.sh's group starts at once instead of after 3 s.\n"
	"group.initial.rebalance.delay.ms=0\n"
	LAB_DEFAULTS_TUNED;

static void props_portmap_seed(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char err[512];
	char *got = props_of(t, "broker-node1", NODE_DIR, 0, err, sizeof(err));

	/* the seed's file, addresses filled, ./data made absolute */
	char *want = replace(seed_node1, "{broker-node1-ip}", "10.64.0.2");
	want = replace(want, "{broker-node2-ip}", "10.64.0.3");
	want = replace(want, "{broker-node3-ip}", "10.64.0.4");
	want = replace(want, "log.dirs=./data", "log.dirs=" NODE_DIR "/data");
	char *wl[32], *gl[64];
	char wcopy[8192];
	snprintf(wcopy, sizeof(wcopy), "%s", want);
	size_t nw = setting_lines(wcopy, wl, 32);
	char *gcopy = strdup(got);
	size_t ng = setting_lines(gcopy, gl, 64);
	assert_int_equal(nw, 9);
	assert_true(ng > nw);
	for (size_t i = 0; i < nw; i++)
		assert_string_equal(gl[i], wl[i]);
	free(gcopy);

	/* and the whole file, byte for byte */
	char full[16384];
	snprintf(full, sizeof(full),
		 "# pscLab lab 'portmap': server.properties of broker-node1 "
		 "(node.id 1)\n"
		 "# from topologies/portmap.yaml: the seed's broker "
		 "configuration (\"4. Configure Kafka\n"
		 "# Brokers\") with the addresses filled in, then the lab's "
		 "defaults.\n"
		 "# Written by pscLab at each start: edit the topology, not "
		 "this file.\n"
		 "%s%s", want, lab_defaults_3);
	assert_string_equal(got, full);
	free(got);

	/* node 3: its own id, address and external name; same voters */
	got = props_of(t, "broker-node3", "/x/broker-node3", 0, err,
		       sizeof(err));
	char *g[64];
	ng = setting_lines(got, g, 64);
	assert_string_equal(g[1], "node.id=3");
	assert_string_equal(g[2], "controller.quorum.voters=1@10.64.0.2:29092,"
				  "2@10.64.0.3:29092,3@10.64.0.4:29092");
	assert_string_equal(g[5], "advertised.listeners=INTERNAL://10.64.0.4:"
				  "9092,EXTERNAL://b3.abc.us-west1.gcp.3199745."
				  "tidbcloud.com:9095");
	assert_string_equal(g[8], "log.dirs=/x/broker-node3/data");
	free(got);
	psc_topology_free(t);
}

static void props_proxy(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	char err[512];
	char *got = props_of(t, "broker-node1", "/var/lib/psclab/proxy/b1", 0,
			     err, sizeof(err));
	char *want =
		"# pscLab lab 'proxy': server.properties of broker-node1 "
		"(node.id 1)\n"
		"# from topologies/proxy.yaml: the seed's broker configuration "
		"(\"4. Configure Kafka\n"
		"# Brokers\") with the addresses filled in, then the lab's "
		"defaults.\n"
		"# Written by pscLab at each start: edit the topology, not this "
		"file.\n"
		"process.roles=broker,controller\n"
		"node.id=1\n"
		"controller.quorum.voters=1@10.64.0.2:29092,2@10.64.0.3:29092,"
		"3@10.64.0.4:29092\n"
		"listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092\n"
		"inter.broker.listener.name=INTERNAL\n"
		"advertised.listeners=INTERNAL://10.64.0.2:9092\n"
		"controller.listener.names=CONTROLLER\n"
		"listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:"
		"PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:"
		"SASL_SSL\n"
		"log.dirs=/var/lib/psclab/proxy/b1/data\n";
	char full[16384];
	snprintf(full, sizeof(full), "%s%s", want, lab_defaults_3);
	assert_string_equal(got, full);
	free(got);
	psc_topology_free(t);
}

/* kafka.config is written last (a lab default can be changed there); a key
 * the topology owns is refused even when lint was not run */
static void props_config(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_kafka *k = &t->kafka;
	char err[512] = "";
	snprintf(k->config[0].key, sizeof(k->config[0].key),
		 "authorizer.class.name");
	snprintf(k->config[0].value, sizeof(k->config[0].value),
		 "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
	snprintf(k->config[1].key, sizeof(k->config[1].key),
		 "min.insync.replicas");
	snprintf(k->config[1].value, sizeof(k->config[1].value), "3");
	k->n_config = 2;
	char *got = props_of(t, "broker-node1", "/x/b1", 0, err, sizeof(err));
	char want[4096];
	snprintf(want, sizeof(want), "%s\n# ---- the topology's kafka.config "
		 "----\nauthorizer.class.name=org.apache.kafka.metadata."
		 "authorizer.StandardAuthorizer\nmin.insync.replicas=3\n",
		 lab_defaults_3);
	size_t gl = strlen(got), wl = strlen(want);
	assert_true(gl > wl);
	assert_string_equal(got + gl - wl, want);
	free(got);

	snprintf(k->config[1].key, sizeof(k->config[1].key), "listeners");
	free(props_of(t, "broker-node1", "/x/b1", -1, err, sizeof(err)));
	assert_string_equal(err, "kafka.config 'listeners': set "
				 "kafka.listeners instead (pscLab writes this "
				 "key from it)");
	psc_topology_free(t);
}

/* external_advertised (a scenario's mistake: a broker advertising its own
 * address on EXTERNAL) goes into advertised.listeners as it is; the other
 * brokers keep the pattern's name. */
static void props_external_advertised(void **state)
{
	(void)state;
	psc_topology *t =
		psc_test_load("tests/lint/kafka-advertised-pattern.yaml");
	char err[512], *l[64];
	const char *want[] = {
		"advertised.listeners=INTERNAL://10.64.0.3:9092,"
		"EXTERNAL://10.64.0.3:39092",
		"advertised.listeners=INTERNAL://10.64.0.2:9092,EXTERNAL://b1."
		"abc.us-west1.gcp.3199745.tidbcloud.com:9093"};
	const char *who[] = {"broker-node2", "broker-node1"};
	for (size_t k = 0; k < 2; k++) {
		char *got = props_of(t, who[k], "/n", 0, err, sizeof(err));
		size_t n = setting_lines(got, l, 64), i;
		for (i = 0; i < n; i++)
			if (strncmp(l[i], "advertised.listeners=", 21) == 0)
				break;
		assert_true(i < n);
		assert_string_equal(l[i], want[k]);
		free(got);
	}
	psc_topology_free(t);
}

static void props_variants(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char err[512];
	char *got, *l[64];

	/* one broker, one voter: replication 1, min ISR 1 */
	t->kafka.n_brokers = 1;
	t->kafka.n_quorum_voters = 1;
	got = props_of(t, "broker-node1", "/n", 0, err, sizeof(err));
	size_t n = setting_lines(got, l, 64);
	assert_true(n > 14);
	assert_string_equal(l[2], "controller.quorum.voters=1@10.64.0.2:29092");
	assert_string_equal(l[9], "offsets.topic.replication.factor=1");
	assert_string_equal(l[10], "transaction.state.log.replication.factor=1");
	assert_string_equal(l[11], "default.replication.factor=1");
	assert_string_equal(l[13], "min.insync.replicas=1");
	assert_string_equal(l[14], "transaction.state.log.min.isr=1");
	free(got);
	t->kafka.n_brokers = 3;
	t->kafka.n_quorum_voters = 3;

	/* log.dirs: several, absolute kept, "./" and "." resolved, '\'
	 * escaped for java.util.Properties */
	snprintf(t->kafka.log_dirs, sizeof(t->kafka.log_dirs),
		 "./a, /abs/b,.,c//d");
	got = props_of(t, "broker-node1", "/n\\x", 0, err, sizeof(err));
	n = setting_lines(got, l, 64);
	assert_string_equal(l[8], "log.dirs=/n\\\\x/a,/abs/b,/n\\\\x,/n\\\\x/c//d");
	free(got);
	snprintf(t->kafka.log_dirs, sizeof(t->kafka.log_dirs), "./data");

	/* a relative node directory, a newline in it: refused */
	got = props_of(t, "broker-node1", "rel/dir", -1, err, sizeof(err));
	assert_string_equal(err, "broker 'broker-node1': node directory "
				 "'rel/dir' is not absolute");
	free(got);
	got = props_of(t, "broker-node1", "/a\nb", -1, err, sizeof(err));
	assert_string_equal(err, "log.dirs: value '/a\nb/data' has a control "
				 "or non-ASCII character (Kafka reads "
				 "server.properties as ISO-8859-1)");
	free(got);

	/* a newline in the topology's path stays inside the comment */
	snprintf(t->file, sizeof(t->file), "a\nnode.id=9");
	got = props_of(t, "broker-node1", "/n", 0, err, sizeof(err));
	assert_non_null(strstr(got, "# from a?node.id=9: "));
	assert_null(strstr(got, "\nnode.id=9"));
	free(got);

	/* a voter naming nothing known */
	snprintf(t->kafka.quorum_voters[1], PSC_ADDR_LEN, "2@nowhere:29092");
	got = props_of(t, "broker-node1", "/n", -1, err, sizeof(err));
	assert_string_equal(err, "kafka.quorum_voters '2@nowhere:29092': "
				 "'nowhere:29092' is neither an instance:port "
				 "nor an address:port");
	free(got);
	snprintf(t->kafka.quorum_voters[1], PSC_ADDR_LEN, "2@10.9.9.9:29092");
	got = props_of(t, "broker-node1", "/n", 0, err, sizeof(err));
	assert_non_null(strstr(got, "2@10.9.9.9:29092,"));
	free(got);

	/* the external listener without a client port */
	t->kafka.brokers[0].external_port = 0;
	got = props_of(t, "broker-node1", "/n", -1, err, sizeof(err));
	assert_string_equal(err, "broker 'broker-node1': no advertised name "
				 "for listener EXTERNAL (it needs "
				 "external_port and the pattern <broker_id>."
				 "<domain>:<port>)");
	free(got);
	psc_topology_free(t);
}

static void proxy_argv_seed(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	static psc_argv a;
	char err[256];
	assert_int_equal(psc_kafka_proxy_argv(t, "./kafka-proxy", &a, err,
					      sizeof(err)), 0);
	/* the seed's command ("First, Set up Kafka-proxy", step 3), with
	 * {address_of_brokerN} filled, and the lab's HTTP address */
	const char *want[] = {
		"./kafka-proxy", "server",
		"--bootstrap-server-mapping",
		"10.64.0.2:9092,0.0.0.0:9092,b1.abc.us-west1.gcp.3199745."
		"tidbcloud.com:9092",
		"--bootstrap-server-mapping",
		"10.64.0.3:9092,0.0.0.0:9093,b2.abc.us-west1.gcp.3199745."
		"tidbcloud.com:9093",
		"--bootstrap-server-mapping",
		"10.64.0.4:9092,0.0.0.0:9094,b3.abc.us-west1.gcp.3199745."
		"tidbcloud.com:9094",
		"--dynamic-sequential-min-port=9095",
		"--dynamic-advertised-listener=brokers.abc.us-west1.gcp."
		"3199745.tidbcloud.com",
		"--http-listen-address=0.0.0.0:9080",
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	assert_int_equal(a.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a.v[i], want[i]);
	assert_null(a.v[n]);

	/* each mapping's upstream is what that broker advertises */
	for (size_t i = 0; i < 3; i++) {
		char adv[PSC_ADDR_LEN];
		assert_int_equal(psc_broker_advertised_internal(
					 t, &t->kafka.brokers[i], adv,
					 sizeof(adv)), 0);
		assert_int_equal(strncmp(a.v[3 + 2 * i], adv, strlen(adv)), 0);
	}

	/* an address upstream is kept; no advertised part, no options */
	psc_proxy_mapping *m = &t->kafka_proxy.bootstrap_server_mappings[0];
	snprintf(m->upstream, sizeof(m->upstream), "10.1.2.3:9092");
	m->advertised[0] = '\0';
	t->kafka_proxy.dynamic_sequential_min_port = 0;
	t->kafka_proxy.dynamic_advertised_listener[0] = '\0';
	t->kafka_proxy.http_listen_address[0] = '\0';
	t->kafka_proxy.n_bootstrap_server_mappings = 1;
	assert_int_equal(psc_kafka_proxy_argv(t, "kp", &a, err, sizeof(err)),
			 0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.v[3], "10.1.2.3:9092,0.0.0.0:9092");
	snprintf(m->upstream, sizeof(m->upstream), "no-port");
	assert_int_equal(psc_kafka_proxy_argv(t, "kp", &a, err, sizeof(err)),
			 -1);
	assert_true(strncmp(err, "kafka_proxy mapping 'no-port': ", 31) == 0);
	psc_topology_free(t);

	t = psc_test_load("topologies/portmap.yaml");
	assert_int_equal(psc_kafka_proxy_argv(t, "kp", &a, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "topology 'portmap' has no kafka_proxy");
	psc_topology_free(t);
}

static void assert_vec(const psc_argv *a, const char *const *want, size_t n)
{
	for (size_t i = 0; i < a->n && i < n; i++)
		assert_string_equal(a->v[i], want[i]);
	assert_int_equal(a->n, n);
	assert_null(a->v[n]);
}

static void format_start_cmds(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	static psc_kafka_env e;
	static psc_kafka_cmd c;
	char err[256];
	psc_kafka_env_defaults(&e);
	assert_string_equal(e.heap, "-Xms256m -Xmx256m");
	snprintf(e.home, sizeof(e.home), "/opt/kafka");
	snprintf(e.java_home, sizeof(e.java_home), "/usr/lib/jvm/java-17");

	assert_int_equal(psc_kafka_format_cmd(&e, t, NODE_DIR, &c, err,
					      sizeof(err)), 0);
	const char *fa[] = {"/opt/kafka/bin/kafka-storage.sh", "format", "-t",
			    "BRl69zcmTFmiPaoaANybiw", "-c",
			    NODE_DIR "/config/server.properties",
			    "--ignore-formatted"};
	assert_vec(&c.argv, fa, 7);
	const char *fe[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
		"/bin",
		"JAVA_HOME=/usr/lib/jvm/java-17",
		"LOG_DIR=" NODE_DIR "/logs",
		"KAFKA_JVM_PERFORMANCE_OPTS=" PSC_KAFKA_JVM_OPTS_DEFAULT};
	assert_vec(&c.envp, fe, 4);

	assert_int_equal(psc_kafka_start_cmd(&e, NODE_DIR, &c, err,
					     sizeof(err)), 0);
	const char *sa[] = {"/opt/kafka/bin/kafka-server-start.sh",
			    NODE_DIR "/config/server.properties"};
	assert_vec(&c.argv, sa, 2);
	const char *se[] = {
		fe[0], fe[1], fe[2], fe[3],
		"KAFKA_HEAP_OPTS=-Xms256m -Xmx256m"};
	assert_vec(&c.envp, se, 5);
	assert_string_equal(psc_argv_getenv(&c.envp, "LOG_DIR"),
			    NODE_DIR "/logs");
	assert_null(psc_argv_getenv(&c.envp, "LOG"));

	/* no JAVA_HOME known: none given, java comes from PATH */
	e.java_home[0] = '\0';
	assert_int_equal(psc_kafka_start_cmd(&e, NODE_DIR, &c, err,
					     sizeof(err)), 0);
	assert_null(psc_argv_getenv(&c.envp, "JAVA_HOME"));
	assert_int_equal(c.envp.n, 4);

	/* class-data sharing: the start writes the archive at exit until
	 * one is ready, then every JVM maps it */
	snprintf(e.cds, sizeof(e.cds), "/c/cds/kafka-3.7.1-0123.jsa");
	char tmp[PSC_KAFKA_PATH_LEN + 32], want[PSC_KAFKA_PATH_LEN * 2];
	assert_int_equal(psc_kafka_cds_tmp(&e, NODE_DIR, tmp, sizeof(tmp)), 0);
	assert_true(strncmp(tmp, "/c/cds/kafka-3.7.1-0123.jsa.", 28) == 0);
	assert_int_equal(strlen(tmp), 28 + 8 + 4);
	assert_string_equal(tmp + 36, ".tmp");
	assert_int_equal(psc_kafka_cds_tmp(&e, "/other", want, sizeof(want)),
			 0);
	assert_string_not_equal(tmp, want);
	assert_int_equal(psc_kafka_start_cmd(&e, NODE_DIR, &c, err,
					     sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s -Xlog:cds*=off "
		 "-XX:ArchiveClassesAtExit=%s", PSC_KAFKA_JVM_OPTS_DEFAULT, tmp);
	assert_string_equal(psc_argv_getenv(&c.envp,
					    "KAFKA_JVM_PERFORMANCE_OPTS"),
			    want);
	assert_int_equal(psc_kafka_format_cmd(&e, t, NODE_DIR, &c, err,
					      sizeof(err)), 0);
	assert_string_equal(psc_argv_getenv(&c.envp,
					    "KAFKA_JVM_PERFORMANCE_OPTS"),
			    PSC_KAFKA_JVM_OPTS_DEFAULT);
	e.cds_ready = true;
	snprintf(want, sizeof(want), "%s -XX:SharedArchiveFile=/c/cds/"
		 "kafka-3.7.1-0123.jsa", PSC_KAFKA_JVM_OPTS_DEFAULT);
	assert_int_equal(psc_kafka_start_cmd(&e, NODE_DIR, &c, err,
					     sizeof(err)), 0);
	assert_string_equal(psc_argv_getenv(&c.envp,
					    "KAFKA_JVM_PERFORMANCE_OPTS"),
			    want);
	assert_int_equal(psc_kafka_format_cmd(&e, t, NODE_DIR, &c, err,
					      sizeof(err)), 0);
	assert_string_equal(psc_argv_getenv(&c.envp,
					    "KAFKA_JVM_PERFORMANCE_OPTS"),
			    want);
	e.cds[0] = '\0';
	e.cds_ready = false;
	assert_int_equal(psc_kafka_cds_tmp(&e, NODE_DIR, tmp, sizeof(tmp)), -1);

	/* errors */
	assert_int_equal(psc_kafka_start_cmd(&e, "rel", &c, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "node directory 'rel' is not absolute");
	e.home[0] = '\0';
	assert_int_equal(psc_kafka_format_cmd(&e, t, NODE_DIR, &c, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "no Kafka home (psc_kafka_env_load)");
	psc_topology_free(t);
}

/* ---- the machine: fake installations in a temporary directory ---- */

static char tmpdir[256];

static void put_file(const char *rel, const char *body, mode_t mode)
{
	char path[512], dir[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *s = dir + strlen(tmpdir) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	chmod(path, mode);
}

static int machine_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/psclab-test-kafka.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	unsetenv("KAFKA_HOME");
	unsetenv("KAFKA_VERSION");
	unsetenv("KAFKA_PROXY_BIN");
	unsetenv("KAFKA_PROXY_VERSION");
	unsetenv("PSCLAB_KAFKA_HEAP");
	unsetenv("PSCLAB_KAFKA_JVM_OPTS");
	unsetenv("PSCLAB_KAFKA_CDS");
	setenv("PSCLAB_CACHE", tmpdir, 1);
	return 0;
}

static int machine_teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void locate_kafka(void **state)
{
	(void)state;
	char out[PSC_KAFKA_PATH_LEN], err[1024], want[1024];

	/* nothing installed: say to run make deps */
	assert_int_equal(psc_kafka_home(out, sizeof(out), err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want),
		 "Kafka 3.7.1 is not installed\n  why: %s/kafka-3.7.1/bin/"
		 "kafka-server-start.sh: No such file or directory\n  fix: "
		 "sudo make deps (Kafka from Maven Central)", tmpdir);
	assert_string_equal(err, want);

	put_file("kafka-3.7.1/bin/kafka-server-start.sh", "#!/bin/sh\n", 0755);
	assert_int_equal(psc_kafka_home(out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/kafka-3.7.1", tmpdir);
	assert_string_equal(out, want);

	/* the version: VERSION, else the server jar's name */
	assert_int_equal(psc_kafka_version(out, want, sizeof(want), err,
					   sizeof(err)), -1);
	put_file("kafka-3.7.1/libs/kafka_2.13-3.7.1-test.jar", "", 0644);
	put_file("kafka-3.7.1/libs/kafka-clients-3.7.1.jar", "", 0644);
	put_file("kafka-3.7.1/libs/kafka_2.13-3.7.1.jar", "", 0644);
	assert_int_equal(psc_kafka_version(out, want, sizeof(want), err,
					   sizeof(err)), 0);
	assert_string_equal(want, "3.7.1");
	put_file("kafka-3.7.1/VERSION", "3.7.2\n", 0644);
	assert_int_equal(psc_kafka_version(out, want, sizeof(want), err,
					   sizeof(err)), 0);
	assert_string_equal(want, "3.7.2");

	/* KAFKA_VERSION picks the directory; KAFKA_HOME overrides all */
	setenv("KAFKA_VERSION", "4.1.1", 1);
	assert_int_equal(psc_kafka_home(out, sizeof(out), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Kafka 4.1.1 is not installed"));
	unsetenv("KAFKA_VERSION");
	setenv("KAFKA_HOME", "/nonexistent/kafka", 1);
	assert_int_equal(psc_kafka_home(out, sizeof(out), err, sizeof(err)),
			 -1);
	assert_string_equal(err, "KAFKA_HOME=/nonexistent/kafka holds no Kafka\n"
				 "  why: /nonexistent/kafka/bin/"
				 "kafka-server-start.sh: No such file or "
				 "directory\n  fix: unset KAFKA_HOME and run "
				 "'sudo make deps', or point it at an unpacked "
				 "Kafka release");
	snprintf(want, sizeof(want), "%s/kafka-3.7.1", tmpdir);
	setenv("KAFKA_HOME", want, 1);
	assert_int_equal(psc_kafka_home(out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, want);
	unsetenv("KAFKA_HOME");
}

static void locate_java(void **state)
{
	(void)state;
	char out[PSC_KAFKA_PATH_LEN], err[1024], want[1024];
	char *path = strdup(getenv("PATH") ? getenv("PATH") : "");
	char *jh = getenv("JAVA_HOME") ? strdup(getenv("JAVA_HOME")) : NULL;

	setenv("JAVA_HOME", "/nonexistent/jdk", 1);
	assert_int_equal(psc_java_bin(out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err, "JAVA_HOME=/nonexistent/jdk: /nonexistent/jdk"
				 "/bin/java: No such file or directory; unset "
				 "JAVA_HOME or point it at a Java 17 runtime "
				 "(sudo apt-get install -y "
				 "openjdk-17-jre-headless)");
	unsetenv("JAVA_HOME");
	snprintf(want, sizeof(want), "%s/empty", tmpdir);
	mkdir(want, 0755);
	setenv("PATH", want, 1);
	assert_int_equal(psc_java_bin(out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err, "no Java runtime\n  why: JAVA_HOME is not set "
				 "and java is not on PATH\n  fix: sudo apt-get "
				 "install -y openjdk-17-jre-headless (or sudo "
				 "make deps)");

	/* java on PATH: its home from its real path */
	put_file("jdk/bin/java", "#!/bin/sh\n", 0755);
	snprintf(want, sizeof(want), "%s/bin", tmpdir);
	mkdir(want, 0755);
	snprintf(want, sizeof(want), "%s/jdk/bin/java", tmpdir);
	snprintf(out, sizeof(out), "%s/bin/java", tmpdir);
	assert_int_equal(symlink(want, out), 0);
	snprintf(want, sizeof(want), "%s/empty::%s/bin", tmpdir, tmpdir);
	setenv("PATH", want, 1);
	assert_int_equal(psc_java_bin(out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/bin/java", tmpdir);
	assert_string_equal(out, want);
	assert_int_equal(psc_java_home(out, sizeof(out), err, sizeof(err)), 0);
	char real[PATH_MAX], wantj[PATH_MAX + 8];
	assert_non_null(realpath(tmpdir, real));
	snprintf(wantj, sizeof(wantj), "%s/jdk", real);
	assert_string_equal(out, wantj);

	/* JAVA_HOME as given */
	snprintf(want, sizeof(want), "%s/jdk", tmpdir);
	setenv("JAVA_HOME", want, 1);
	assert_int_equal(psc_java_home(out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, want);

	setenv("PATH", path, 1);
	if (jh)
		setenv("JAVA_HOME", jh, 1);
	else
		unsetenv("JAVA_HOME");
	free(path);
	free(jh);
}

static void locate_proxy(void **state)
{
	(void)state;
	char out[PSC_KAFKA_PATH_LEN], err[2048], want[2048];

	assert_int_equal(psc_kafka_proxy_bin(out, sizeof(out), err,
					     sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "kafka-proxy v0.3.11 is not installed\n  why: "
		 "%s/kafka-proxy-v0.3.11/bin/kafka-proxy: No such file or "
		 "directory\n  fix: sudo make deps (it builds kafka-proxy from "
		 "../shared/third_party/kafka-proxy or KAFKA_PROXY_SRC), or "
		 "KAFKA_PROXY_BIN=<a kafka-proxy binary>", tmpdir);
	assert_string_equal(err, want);

	put_file("kafka-proxy-v0.3.11/bin/kafka-proxy", "#!/bin/sh\n", 0755);
	assert_int_equal(psc_kafka_proxy_bin(out, sizeof(out), err,
					     sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/kafka-proxy-v0.3.11/bin/kafka-proxy",
		 tmpdir);
	assert_string_equal(out, want);

	/* a topology's version; a bad one */
	put_file("kafka-proxy-v0.4.3/bin/kafka-proxy", "#!/bin/sh\n", 0755);
	assert_int_equal(psc_kafka_proxy_bin_for("v0.4.3", out, sizeof(out),
						 err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/kafka-proxy-v0.4.3/bin/kafka-proxy",
		 tmpdir);
	assert_string_equal(out, want);
	assert_int_equal(psc_kafka_proxy_bin_for("../x", out, sizeof(out),
						 err, sizeof(err)), -1);
	assert_string_equal(err, "kafka-proxy version '../x' is not a release "
				 "tag");

	/* with a Kafka 4.x the default is v0.4.3 (Metadata v13) */
	put_file("kafka-4.1.1/VERSION", "4.1.1\n", 0644);
	put_file("kafka-4.1.1/bin/kafka-server-start.sh", "#!/bin/sh\n", 0755);
	setenv("KAFKA_VERSION", "4.1.1", 1);
	assert_int_equal(psc_kafka_proxy_bin(out, sizeof(out), err,
					     sizeof(err)), 0);
	assert_string_equal(out, want);
	/* ... unless KAFKA_PROXY_VERSION says otherwise */
	setenv("KAFKA_PROXY_VERSION", "v0.3.11", 1);
	assert_int_equal(psc_kafka_proxy_bin(out, sizeof(out), err,
					     sizeof(err)), 0);
	assert_non_null(strstr(out, "kafka-proxy-v0.3.11/"));
	unsetenv("KAFKA_PROXY_VERSION");
	unsetenv("KAFKA_VERSION");

	setenv("KAFKA_PROXY_BIN", "/nonexistent/kp", 1);
	assert_int_equal(psc_kafka_proxy_bin(out, sizeof(out), err,
					     sizeof(err)), -1);
	assert_string_equal(err, "KAFKA_PROXY_BIN=/nonexistent/kp is not a "
				 "kafka-proxy binary\n  why: No such file or "
				 "directory\n  fix: unset KAFKA_PROXY_BIN and "
				 "run 'sudo make deps', or point it at a "
				 "kafka-proxy binary");
	unsetenv("KAFKA_PROXY_BIN");
}

static void env_heap_override(void **state)
{
	(void)state;
	static psc_kafka_env e;
	static psc_kafka_cmd c;
	char err[1024], home[512];
	char *jh = getenv("JAVA_HOME") ? strdup(getenv("JAVA_HOME")) : NULL;

	put_file("kafka-3.7.1/bin/kafka-server-start.sh", "#!/bin/sh\n", 0755);
	put_file("jdk/bin/java", "#!/bin/sh\n", 0755);
	snprintf(home, sizeof(home), "%s/jdk", tmpdir);
	setenv("JAVA_HOME", home, 1);

	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	assert_string_equal(e.heap, PSC_KAFKA_HEAP_DEFAULT);
	assert_string_equal(e.jvm_opts, PSC_KAFKA_JVM_OPTS_DEFAULT);
	assert_string_equal(e.java_home, home);
	snprintf(home, sizeof(home), "%s/kafka-3.7.1", tmpdir);
	assert_string_equal(e.home, home);

	/* no VERSION, no jar: no archive (CDS only speeds starts up) */
	assert_string_equal(e.cds, "");
	/* with a version: an archive path in the cache, not ready */
	put_file("kafka-3.7.1/VERSION", "3.7.1\n", 0644);
	put_file("kafka-3.7.1/libs/kafka_2.13-3.7.1.jar", "", 0644);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	char want[1024];
	snprintf(want, sizeof(want), "%s/cds/kafka-3.7.1-", tmpdir);
	assert_true(strncmp(e.cds, want, strlen(want)) == 0);
	assert_string_equal(e.cds + strlen(want) + 16, ".jsa");
	assert_false(e.cds_ready);
	/* a broker's finished dump is adopted; an unfinished one is not */
	char tmp[PSC_KAFKA_PATH_LEN + 32], cds[PSC_KAFKA_PATH_LEN];
	snprintf(cds, sizeof(cds), "%s", e.cds);
	assert_int_equal(psc_kafka_cds_tmp(&e, "/n1", tmp, sizeof(tmp)), 0);
	FILE *f = fopen(tmp, "w");
	fputs("\0\0\0\0 being written", f);
	fclose(f);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	assert_false(e.cds_ready);
	assert_int_equal(access(tmp, F_OK), 0);
	f = fopen(tmp, "w");
	uint32_t magic = 0xf00baba8u;
	fwrite(&magic, sizeof(magic), 1, f);
	fclose(f);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	assert_true(e.cds_ready);
	assert_string_equal(e.cds, cds);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(cds, F_OK), 0);
	setenv("PSCLAB_KAFKA_CDS", "0", 1);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	assert_string_equal(e.cds, "");
	assert_false(e.cds_ready);

	setenv("PSCLAB_KAFKA_HEAP", "-Xms512m -Xmx512m", 1);
	setenv("PSCLAB_KAFKA_JVM_OPTS", "-XX:+UseSerialGC", 1);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), 0);
	assert_int_equal(psc_kafka_start_cmd(&e, NODE_DIR, &c, err,
					     sizeof(err)), 0);
	assert_string_equal(psc_argv_getenv(&c.envp, "KAFKA_HEAP_OPTS"),
			    "-Xms512m -Xmx512m");
	assert_string_equal(psc_argv_getenv(&c.envp,
					    "KAFKA_JVM_PERFORMANCE_OPTS"),
			    "-XX:+UseSerialGC");
	setenv("PSCLAB_KAFKA_HEAP", "-Xmx1g\n-Xms1g", 1);
	assert_int_equal(psc_kafka_env_load(&e, err, sizeof(err)), -1);
	assert_string_equal(err, "PSCLAB_KAFKA_HEAP has a control character");
	unsetenv("PSCLAB_KAFKA_HEAP");
	unsetenv("PSCLAB_KAFKA_JVM_OPTS");
	unsetenv("PSCLAB_KAFKA_CDS");
	if (jh)
		setenv("JAVA_HOME", jh, 1);
	else
		unsetenv("JAVA_HOME");
	free(jh);
}

static void node_prepare(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char dir[512], path[600], err[512];
	snprintf(dir, sizeof(dir), "%s/lab/broker-node2", tmpdir);
	psc_broker *b = psc_find_broker_by_instance(&t->kafka, "broker-node2");
	assert_int_equal(psc_kafka_node_prepare(t, psc_test_plan(t), b, dir, err,
						sizeof(err)), 0);
	struct stat st;
	snprintf(path, sizeof(path), "%s/data", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/logs", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(psc_kafka_props_path(dir, path, sizeof(path)), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[512];
	int found = 0;
	while (fgets(line, sizeof(line), f))
		found += strcmp(line, "node.id=2\n") == 0;
	fclose(f);
	assert_int_equal(found, 1);
	psc_topology_free(t);
}

/* ---- readiness, on loopback ---- */

static void tail_lines(void **state)
{
	(void)state;
	char path[512], out[4096];
	snprintf(path, sizeof(path), "%s/tail.log", tmpdir);
	FILE *f = fopen(path, "w");
	for (int i = 1; i <= 30; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
	psc_file_tail(path, 0, 20, out, sizeof(out));
	assert_true(strncmp(out, "line 11\nline 12\n", 16) == 0);
	assert_non_null(strstr(out, "line 30"));
	assert_null(strstr(out, "line 10\n"));
	assert_int_equal(out[strlen(out) - 1], '0');
	/* short buffer: the end is kept */
	psc_file_tail(path, 0, 20, out, 8);
	assert_string_equal(out, "line 30");
	psc_file_tail("/nonexistent", 0, 20, out, sizeof(out));
	assert_string_equal(out, "");
}

static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void wait_ready_loopback(void **state)
{
	(void)state;
	char log[512], addr[64], err[PSC_KAFKA_ERR_LEN];
	int port, lfd = listen_loopback(&port);
	long waited = -1;
	snprintf(log, sizeof(log), "%s/server.log", tmpdir);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);

	/* an earlier start's line does not count (log_from) */
	FILE *f = fopen(log, "w");
	fputs("[x] INFO [KafkaRaftServer nodeId=1] Kafka Server started\n", f);
	fclose(f);
	struct stat st;
	stat(log, &st);
	psc_kafka_ready r = {.addr = addr, .server_log = log,
			     .log_from = st.st_size, .pid = getpid(),
			     .timeout_ms = 300, .poll_ms = 50};
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)),
			 -1);
	char want[1024];
	assert_true(strncmp(err, "broker 127.0.0.1:", 17) == 0);
	snprintf(want, sizeof(want), "%s has no \"Kafka Server started\"", log);
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "TCP"));

	/* the line written: ready */
	f = fopen(log, "a");
	fputs("[y] INFO [KafkaRaftServer nodeId=1] Kafka Server started "
	      "(kafka.server.KafkaRaftServer)\n", f);
	fclose(f);
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)), 0);
	assert_true(waited >= 0 && waited < 300);

	/* nothing listening: both said */
	close(lfd);
	r.log_from = 0;
	r.timeout_ms = 200;
	unlink(log);
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "it does not accept TCP from this "
				    "namespace (Connection refused) and "));

	/* bad address, unknown namespace */
	r.addr = "broker-node1:9092";
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)),
			 -1);
	assert_true(strncmp(err, "broker readiness: 'broker-node1:9092' is not "
				 "an address:port", 59) == 0);
	r.addr = addr;
	r.netns = "psclab-no-such-ns";
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want), "broker %s: namespace /run/netns/"
		 "psclab-no-such-ns: No such file or directory", addr);
	assert_string_equal(err, want);
	r.netns = "../x";
	assert_int_equal(psc_kafka_wait_ready(&r, &waited, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "bad namespace name '../x'"));
}

/* the listeners readiness asks: PLAINTEXT client listeners, the
 * inter-broker one first, at the broker's own address; not the
 * controller's, not one the stage left out, not an SSL one */
static void answer_addrs(void **state)
{
	(void)state;
	char a[PSC_KAFKA_ANSWER_MAX][PSC_ADDR_LEN], err[256];
	size_t n = 99;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_broker *b = &t->kafka.brokers[1];
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, PSC_KAFKA_ANSWER_MAX,
						&n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[0], "10.64.0.3:9092");
	assert_string_equal(a[1], "10.64.0.3:39092");
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, 1, &n, err,
						sizeof(err)), 0);
	assert_int_equal(n, 1);

	b->no_external = true;           /* the cluster before PSC */
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, PSC_KAFKA_ANSWER_MAX,
						&n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "10.64.0.3:9092");
	b->no_external = false;

	/* EXTERNAL made SSL, bound to one address: not asked */
	for (size_t i = 0; i < t->kafka.n_protocol_map; i++)
		if (strcmp(t->kafka.protocol_map[i].listener, "EXTERNAL") == 0)
			snprintf(t->kafka.protocol_map[i].protocol,
				 sizeof(t->kafka.protocol_map[i].protocol),
				 "SSL");
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, PSC_KAFKA_ANSWER_MAX,
						&n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	/* INTERNAL bound to an address: that one */
	snprintf(t->kafka.listeners[0].host, sizeof(t->kafka.listeners[0].host),
		 "127.0.0.1");
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, PSC_KAFKA_ANSWER_MAX,
						&n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "127.0.0.1:9092");

	/* a controller alone has no client listener */
	snprintf(t->kafka.process_roles[0], sizeof(t->kafka.process_roles[0]),
		 "controller");
	t->kafka.n_process_roles = 1;
	assert_int_equal(psc_kafka_answer_addrs(t, b, a, PSC_KAFKA_ANSWER_MAX,
						&n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	psc_topology_free(t);

	t = psc_test_load("topologies/proxy.yaml");
	assert_int_equal(psc_kafka_answer_addrs(t, &t->kafka.brokers[0], a,
						PSC_KAFKA_ANSWER_MAX, &n, err,
						sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "10.64.0.2:9092");
	psc_topology_free(t);
}

/* a listener that takes TCP and never answers Kafka: started and
 * listening are not enough; the error names the listener and the wait */
static void wait_ready_unanswered(void **state)
{
	(void)state;
	char log[512], addr[64], err[PSC_KAFKA_ERR_LEN];
	int port, lfd = listen_loopback(&port);
	snprintf(log, sizeof(log), "%s/server3.log", tmpdir);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	FILE *f = fopen(log, "w");
	fputs("[y] INFO [KafkaRaftServer nodeId=1] Kafka Server started\n", f);
	fclose(f);
	char ask[1][PSC_ADDR_LEN];
	snprintf(ask[0], sizeof(ask[0]), "%s", addr);
	psc_kafka_ready r = {.addr = addr, .server_log = log,
			     .pid = getpid(), .timeout_ms = 1500,
			     .poll_ms = 50,
			     .answer = (const char (*)[PSC_ADDR_LEN])ask,
			     .n_answer = 1};
	long long t0 = psc_now_ms();
	assert_int_equal(psc_kafka_wait_ready(&r, NULL, err, sizeof(err)), -1);
	long long took = psc_now_ms() - t0;
	assert_true(took >= 1400 && took < 6000);
	char want[256];
	snprintf(want, sizeof(want), "it is started and accepts TCP, but %s "
		 "gave no Kafka answer (ApiVersions + Metadata) in ", addr);
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "has no \"Kafka Server started\""));

	/* the same wait without the ask: ready */
	r.n_answer = 0;
	assert_int_equal(psc_kafka_wait_ready(&r, NULL, err, sizeof(err)), 0);
	close(lfd);
}

static bool never_alive(const void *arg)
{
	(void)arg;
	return false;
}

static void wait_ready_died(void **state)
{
	(void)state;
	char log[512], out[512], err[PSC_KAFKA_ERR_LEN];
	snprintf(log, sizeof(log), "%s/server2.log", tmpdir);
	snprintf(out, sizeof(out), "%s/console.log", tmpdir);
	FILE *f = fopen(out, "w");
	for (int i = 1; i <= 25; i++)
		fprintf(f, "console %d\n", i);
	fputs("Error: Could not find or load main class kafka.Kafka\n", f);
	fclose(f);

	/* a child that exited and was reaped: its pid is gone */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	psc_kafka_ready r = {.addr = "127.0.0.1:1", .server_log = log,
			     .console_log = out, .pid = pid,
			     .timeout_ms = 5000, .poll_ms = 50};
	assert_int_equal(psc_kafka_wait_ready(&r, NULL, err, sizeof(err)), -1);
	assert_true(strncmp(err, "broker 127.0.0.1:1 exited after ", 32) == 0);
	assert_non_null(strstr(err, "ms, before it was ready; the last lines "
				    "of "));
	assert_non_null(strstr(err, ":\nconsole 7\nconsole 8\n"));
	assert_null(strstr(err, "console 6\n"));
	assert_non_null(strstr(err, "console 25\nError: Could not find or "
				    "load main class kafka.Kafka"));

	/* a zombie is dead too; and the alive callback wins over pid */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 200; i++) {
		char p[64], s[256];
		snprintf(p, sizeof(p), "/proc/%d/stat", pid);
		FILE *z = fopen(p, "r");
		if (z && fgets(s, sizeof(s), z) && strstr(s, ") Z ")) {
			fclose(z);
			break;
		}
		if (z)
			fclose(z);
		usleep(10000);
	}
	r.pid = pid;
	r.console_log = NULL;
	assert_int_equal(psc_kafka_wait_ready(&r, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exited after"));
	assert_non_null(strstr(err, "(empty)"));
	waitpid(pid, NULL, 0);

	r.pid = getpid();
	r.alive = never_alive;
	assert_int_equal(psc_kafka_wait_ready(&r, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exited after"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(props_portmap_seed),
		cmocka_unit_test(answer_addrs),
		cmocka_unit_test(props_proxy),
		cmocka_unit_test(props_variants),
		cmocka_unit_test(props_config),
		cmocka_unit_test(props_external_advertised),
		cmocka_unit_test(proxy_argv_seed),
		cmocka_unit_test(format_start_cmds),
		cmocka_unit_test_setup_teardown(locate_kafka, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(locate_java, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(locate_proxy, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(env_heap_override,
						machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(node_prepare, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(tail_lines, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(wait_ready_loopback,
						machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(wait_ready_died, machine_setup,
						machine_teardown),
		cmocka_unit_test_setup_teardown(wait_ready_unanswered,
						machine_setup,
						machine_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
