/* Integration test: `pscLab up portmap` with three real KRaft brokers, and
 * the seed's own steps run through `pscLab exec` as a user would: the
 * Kafka-VPC side from bastion-node, the Kafka CLI tools producing and
 * consuming through the advertised names from changefeed, then `down`.
 * Root; skipped (1..0 # SKIP) when Kafka is not installed. */
#include "itlab.h"

#include "runtime/kafka.h"

static char exe[600];
static const char *lab = "itkafkalab";



static void seed_steps(void **state)
{
	(void)state;
	static char out[1 << 16];
	const char *path = it_topology("portmap", lab, NULL);
	const char *dom = "abc.us-west1.gcp.3199745.tidbcloud.com";

	/* up: network, brokers, all serving (bounded by the tool itself) */
	int rc = it_capture(out, sizeof(out), "timeout 300 %s up %s 2>&1", exe,
			 path);
	if (rc != 0)
		fail_msg("pscLab up: %d\n%s", rc, out);
	fprintf(stderr, "# %s", out);
	assert_non_null(strstr(out, "kafka: 3 brokers serving"));

	/* the seed's "Test Kafka Cluster in Bastion": INTERNAL bootstrap
	 * lists the brokers by their IPs */
	rc = it_capture(out, sizeof(out), "timeout 120 %s exec %s bastion-node -- "
		     "kafka-broker-api-versions.sh --bootstrap-server "
		     "10.64.0.2:9092 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_true(it_broker_line(out, "10.64.0.2:9092", 1, ") -> ("));
	assert_true(it_broker_line(out, "10.64.0.3:9092", 2, ") -> ("));
	assert_true(it_broker_line(out, "10.64.0.4:9092", 3, ") -> ("));
	/* EXTERNAL bootstrap lists the advertised names, which do not
	 * resolve in the Kafka VPC: the seed's DisconnectException lines */
	it_capture(out, sizeof(out), "timeout 120 %s exec %s bastion-node -- "
		"kafka-broker-api-versions.sh --bootstrap-server "
		"10.64.0.3:39092 2>&1", exe, lab);
	for (int b = 1; b <= 3; b++) {
		char addr[256];
		snprintf(addr, sizeof(addr), "b%d.%s:%d", b, dom, 9092 + b);
		if (!it_broker_line(out, addr, b, ") -> ERROR: org.apache."
				     "kafka.common.errors.DisconnectException"))
			fail_msg("no DisconnectException line for %s in:\n%s",
				 addr, out);
	}

	/* from TiDB Cloud's side, through the endpoint and the NEG: the
	 * advertised names resolve and each reaches its broker */
	rc = it_capture(out, sizeof(out), "timeout 120 %s exec %s changefeed -- "
		     "kafka-broker-api-versions.sh --bootstrap-server "
		     "b2.%s:9094 2>&1", exe, lab, dom);
	assert_int_equal(rc, 0);
	for (int b = 1; b <= 3; b++) {
		char addr[256];
		snprintf(addr, sizeof(addr), "b%d.%s:%d", b, dom, 9092 + b);
		if (!it_broker_line(out, addr, b, ") -> ("))
			fail_msg("no line for %s in:\n%s", addr, out);
	}

	/* the seed's produce.sh / consume.sh, through the advertised names */
	char brokers[512];
	snprintf(brokers, sizeof(brokers), "b1.%s:9093,b2.%s:9094,b3.%s:9095",
		 dom, dom, dom);
	rc = it_capture(out, sizeof(out), "timeout 180 %s exec %s changefeed -- "
		     "%s/lab/produce.sh %s 2>&1", exe, lab, PSCLAB_SRCDIR,
		     brokers);
	if (rc != 0 || !strstr(out, "Create Test message 10"))
		fail_msg("produce.sh: %d\n%s", rc, out);
	rc = it_capture(out, sizeof(out), "timeout 180 %s exec %s changefeed -- "
		     "%s/lab/consume.sh %s 2>&1", exe, lab, PSCLAB_SRCDIR,
		     brokers);
	if (!strstr(out, "Processed a total of 10 messages"))
		fail_msg("consume.sh: %d\n%s", rc, out);

	/* status shows the brokers running */
	rc = it_capture(out, sizeof(out), "%s status %s 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "kafka-broker-node2"));

	/* logs: a broker's one log by default (its console, which holds
	 * what server.log has), both under headers with --all */
	rc = it_capture(out, sizeof(out), "%s logs %s broker-node1 -n 5 "
			"2>/dev/null", exe, lab);
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "==> "));
	int lines = 0;
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 5);
	rc = it_capture(out, sizeof(out), "%s logs %s broker-node1 -n 5 "
			"2>&1 >/dev/null", exe, lab);
	assert_non_null(strstr(out, "--all"));
	rc = it_capture(out, sizeof(out), "%s logs %s broker-node1 --all -n 2 "
			"2>&1", exe, lab);
	assert_int_equal(rc, 0);
	const char *h1 = strstr(out, "==> ");
	assert_non_null(h1);
	assert_non_null(strstr(h1 + 4, "==> "));
	assert_non_null(strstr(out, "server.log <=="));

	/* down leaves nothing */
	rc = it_capture(out, sizeof(out), "timeout 60 %s down %s 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_int_equal(it_count_netns(lab), 0);
	char dir[512];
	psc_state_dir(lab, dir, sizeof(dir));
	assert_int_not_equal(access(dir, F_OK), 0);
	/* no process of the lab is left (its brokers' command lines name
	 * the lab's state directory); [/] keeps grep from finding itself */
	rc = it_capture(out, sizeof(out), "ps -eo args | grep -c "
		     "'[/]run/psclab/%s/' || true", lab);
	assert_string_equal(out, "0\n");
}

/* up refuses, names what is missing, and leaves nothing */
static void expect_refused(const char *env, const char *want, bool precheck)
{
	static char out[1 << 16];
	const char *path = it_topology("portmap", lab, NULL);
	int rc = it_capture(out, sizeof(out), "%s timeout 300 %s up %s 2>&1", env,
			 exe, path);
	if (rc == 0 || !strstr(out, want))
		fail_msg("%s up: rc %d, want '%s' in:\n%s", env, rc, want, out);
	/* refused before anything was built: its own line says so, with
	 * the command that builds the rest */
	char hint[600];
	snprintf(hint, sizeof(hint), "\n  nothing was built; 'sudo pscLab up "
		 "%s --network-only' builds the network without Kafka", path);
	if (precheck && !strstr(out, hint))
		fail_msg("%s up: no '%s' in:\n%s", env, hint, out);
	assert_int_equal(it_count_netns(lab), 0);
	char dir[512];
	psc_state_dir(lab, dir, sizeof(dir));
	assert_int_not_equal(access(dir, F_OK), 0);
	it_capture(out, sizeof(out), "ps -eo args | grep -c '[/]run/psclab/%s/' "
		"|| true", lab);
	assert_string_equal(out, "0\n");
}

static void no_kafka(void **state)
{
	(void)state;
	expect_refused("KAFKA_HOME=/nonexistent", "/nonexistent", true);
}

static void no_java(void **state)
{
	(void)state;
	expect_refused("JAVA_HOME=/nonexistent",
		       "JAVA_HOME=/nonexistent: /nonexistent/bin/java: No such "
		       "file or directory", true);
}

/* a broker whose JVM dies at start: up names it, quotes its log, rolls
 * everything back */
static void broker_crash(void **state)
{
	(void)state;
	/* a heap too small for a broker (the format tool has its own) */
	expect_refused("PSCLAB_KAFKA_HEAP='-Xms8m -Xmx8m'",
		       "broker 1 on broker-node1 did not start", false);
}

/* each test starts without a lab of its name: one a failed test left up
 * (its assertion ends it before its own down) must not fail the next */
static int no_lab(void **state)
{
	(void)state;
	static char out[4096];
	it_capture(out, sizeof(out), "timeout 120 %s down %s 2>&1", exe, lab);
	return 0;
}

int main(void)
{
	char home[4096], err[512];
	if (!it_is_root()) {
		printf("1..0 # SKIP not root\n");
		return 0;
	}
	if (psc_kafka_home(home, sizeof(home), err, sizeof(err)) < 0) {
		printf("1..0 # SKIP %s\n", err);
		return 0;
	}
	snprintf(exe, sizeof(exe), "%s/bin/pscLab", PSCLAB_SRCDIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(seed_steps, no_lab),
		cmocka_unit_test_setup(no_kafka, no_lab),
		cmocka_unit_test_setup(no_java, no_lab),
		cmocka_unit_test_setup(broker_crash, no_lab),
	};
	return cmocka_run_group_tests_name("kafka_lab", tests, NULL, no_lab);
}
