/* Integration tests: real labs in namespaces (pscLab up --network-only),
 * probed with identity servers that answer their node name and the peer
 * address they saw.  Root only; every wait is bounded; every lab is
 * brought down, and the host's network configuration is compared before
 * and after. */
#include "itlab.h"

#include <jansson.h>
#include "model/topology_load.h"

#include "model/addr.h"
#include "fabric/nft.h"
#include "plan/nftgen.h"
#include "plan/plan.h"

static char *host_before;

static int setup(void **state)
{
	(void)state;
	if (!it_is_root())
		return 0;
	/* the services a lab starts are pscLab's hidden verbs */
	setenv("PSCLAB_BIN", PSCLAB_SRCDIR "/bin/pscLab", 1);
	host_before = it_host_snapshot();
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	if (!it_is_root())
		return 0;
	return it_host_unchanged(host_before) ? 0 : -1;
}

#define SKIP_UNLESS_ROOT()                                               \
	do {                                                             \
		if (!it_is_root()) {                                     \
			fprintf(stderr, "# not root: skipped\n");        \
			skip();                                          \
		}                                                        \
	} while (0)

static void up_or_fail(const char *path)
{
	char err[1024];
	psc_up_opts o = {.network_only = true};
	if (psc_lab_up(path, &o, NULL, err, sizeof(err)) != 0)
		fail_msg("up %s: %s", path, err);
}

static void down_or_fail(const char *lab)
{
	char err[1024];
	bool was_up;
	if (psc_lab_down(lab, NULL, &was_up, err, sizeof(err)) != 0)
		fail_msg("down %s: %s", lab, err);
}

static void expect_reply(const char *lab, const char *from, const char *ip,
			 int port, const char *want)
{
	char reply[160];
	int rc = it_dial(lab, from, ip, port, 2000, reply, sizeof(reply));
	if (rc != 0 || strcmp(reply, want) != 0)
		fail_msg("%s -> %s:%d: rc %d reply '%s', want '%s'", from, ip,
			 port, rc, reply, want);
}

static void expect_dropped(const char *lab, const char *from, const char *ip,
			   int port)
{
	char reply[160];
	int rc = it_dial(lab, from, ip, port, 700, reply, sizeof(reply));
	if (rc == 0)
		fail_msg("%s -> %s:%d: answered '%s', want no answer", from,
			 ip, port, reply);
}

#define PSC_DNS_IP_FOR_TEST 0xa9fea9feu   /* 169.254.169.254 */

/* send junk datagrams (short, random, oversized) to the DNS stub */
struct it_garbage {
	uint32_t ip;
};

static int it_garbage_here(void *arg)
{
	struct it_garbage *g = arg;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53),
				 .sin_addr.s_addr = htonl(g->ip)};
	static unsigned char buf[65000];
	unsigned x = 7;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	size_t lens[] = {0, 1, 11, 12, 13, 40, 512, 1500, 65000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		sendto(fd, buf, lens[i], 0, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return 0;
}

/* resolve a name inside a node as its programs do (its resolv.conf) */
static int it_resolve(const char *lab, const char *node, const char *name,
		      char *out, size_t len)
{
	char ns[160], err[256];
	int fds[2];
	snprintf(ns, sizeof(ns), "psclab-%s-%s", lab, node);
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		alarm(20);
		if (psc_proc_enter_node(ns, err, sizeof(err)) < 0)
			_exit(2);
		struct addrinfo hints = {.ai_family = AF_INET,
					 .ai_socktype = SOCK_STREAM};
		struct addrinfo *res;
		char ip[16] = "";
		if (getaddrinfo(name, NULL, &hints, &res) != 0)
			_exit(1);
		inet_ntop(AF_INET,
			  &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip,
			  sizeof(ip));
		if (write(fds[1], ip, strlen(ip)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* ---- portmap: every path, as GCP would carry it ---- */

static void portmap_paths(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *lab = "itpm";
	const char *path = it_topology("portmap", lab, NULL);
	int kafka_ports[] = {39092, 9092};
	int ssh[] = {22};
	pid_t srv[4];
	char reply[160];

	up_or_fail(path);
	assert_int_equal(it_count_netns(lab), 8);
	srv[0] = it_identity(lab, "broker-node1", kafka_ports, 2);
	srv[1] = it_identity(lab, "broker-node2", kafka_ports, 2);
	srv[2] = it_identity(lab, "broker-node3", kafka_ports, 2);
	srv[3] = it_identity(lab, "bastion-node", ssh, 1);

	/* each client port reaches exactly its NEG endpoint, and the
	 * backend sees the endpoint's NAT address */
	expect_reply(lab, "changefeed", "172.16.0.10", 9093,
		     "broker-node1 10.128.0.2");
	expect_reply(lab, "changefeed", "172.16.0.10", 9094,
		     "broker-node2 10.128.0.2");
	expect_reply(lab, "changefeed", "172.16.0.10", 9095,
		     "broker-node3 10.128.0.2");
	/* an unmapped client port is dropped (the seed's 9092) */
	expect_dropped(lab, "changefeed", "172.16.0.10", 9092);
	/* the consumer has no other way into the producer VPC */
	expect_dropped(lab, "changefeed", "10.64.0.2", 39092);
	expect_dropped(lab, "changefeed", "10.64.0.5", 9093);
	/* inside the producer VPC, through its router, source kept */
	expect_reply(lab, "bastion-node", "10.64.0.2", 9092,
		     "broker-node1 10.0.0.2");
	expect_reply(lab, "broker-node3", "10.0.0.2", 22,
		     "bastion-node 10.64.0.4");
	/* the bastion's ingress allows 22 from anywhere, not 9092 */
	(void)reply;

	/* DNS: the advertised names resolve to the endpoint in the
	 * consumer VPC, and not at all in the Kafka VPC */
	char ip[32];
	assert_int_equal(it_resolve(lab, "changefeed",
				    "b2.abc.us-west1.gcp.3199745.tidbcloud.com",
				    ip, sizeof(ip)), 0);
	assert_string_equal(ip, "172.16.0.10");
	assert_int_equal(it_resolve(lab, "changefeed",
				    "brokers.abc.us-west1.gcp.3199745."
				    "tidbcloud.com", ip, sizeof(ip)), 0);
	assert_string_equal(ip, "172.16.0.10");
	assert_int_not_equal(it_resolve(lab, "changefeed", "example.com", ip,
					sizeof(ip)), 0);
	assert_int_not_equal(it_resolve(lab, "bastion-node",
					"b2.abc.us-west1.gcp.3199745."
					"tidbcloud.com", ip, sizeof(ip)), 0);
	/* garbage and an oversized datagram to the stub: it keeps answering */
	struct it_garbage g = {PSC_DNS_IP_FOR_TEST};
	char ns[64], e3[256];
	snprintf(ns, sizeof(ns), "psclab-%s-changefeed", lab);
	assert_int_equal(psc_netns_run(ns, it_garbage_here, &g, e3,
				       sizeof(e3)), 0);
	assert_int_equal(it_resolve(lab, "changefeed",
				    "b1.abc.us-west1.gcp.3199745.tidbcloud.com",
				    ip, sizeof(ip)), 0);
	assert_string_equal(ip, "172.16.0.10");

	/* status: mapping table, endpoint state, counters that moved */
	char *buf = NULL;
	size_t len = 0;
	char err[512];
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(psc_lab_status(lab, true, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"status\": \"ACCEPTED\""));
	assert_non_null(strstr(buf, "\"client_port\": 9094"));
	assert_non_null(strstr(buf, "\"rule\": \"lb kafka-lb unmapped client "
				    "port\""));
	assert_non_null(strstr(buf, "\"alive\": true"));
	/* what the counters count, and the traffic every NIC carried: the
	 * changefeed's bytes are more than its rules' first packets */
	json_error_t je;
	json_t *doc = json_loads(buf, 0, &je);
	assert_non_null(doc);
	json_t *l0 = json_array_get(json_object_get(doc, "labs"), 0), *x;
	size_t k;
	long long conn_bytes = -1, sent = -1;
	bool drop_counts_packets = false;
	json_array_foreach(json_object_get(l0, "counters"), k, x) {
		const char *rule = json_string_value(json_object_get(x, "rule"));
		const char *counts =
			json_string_value(json_object_get(x, "counts"));
		assert_non_null(counts);
		if (strncmp(rule, "psc endpoint ", 13) == 0) {
			assert_string_equal(counts, "connections");
			conn_bytes = json_integer_value(
				json_object_get(x, "bytes"));
		}
		if (strcmp(rule, "psc no such endpoint") == 0)
			drop_counts_packets = strcmp(counts, "packets") == 0;
	}
	json_array_foreach(json_object_get(l0, "traffic"), k, x)
		if (strcmp(json_string_value(json_object_get(x, "node")),
			   "changefeed") == 0)
			sent = json_integer_value(
				json_object_get(x, "sent_bytes"));
	/* the paths through PSC: conntrack of the PSC namespace, per endpoint
	 * port, with the bytes carried (nf_conntrack_acct) */
	long long path_conns = 0, path_bytes = 0;
	json_array_foreach(json_object_get(l0, "paths"), k, x)
		if (strcmp(json_string_value(json_object_get(x, "destination")),
			   "172.16.0.10:9093") == 0) {
			path_conns = json_integer_value(
				json_object_get(x, "connections"));
			path_bytes = json_integer_value(
				json_object_get(x, "bytes"));
		}
	if (path_conns < 1 || path_bytes <= 0)
		fail_msg("paths through PSC: 172.16.0.10:9093 %lld connections, "
			 "%lld bytes:\n%s", path_conns, path_bytes, buf);
	assert_true(drop_counts_packets);
	assert_true(conn_bytes > 0);
	if (sent <= conn_bytes)
		fail_msg("changefeed sent %lld bytes, its endpoint rule saw %lld",
			 sent, conn_bytes);
	json_decref(doc);
	free(buf);

	for (int i = 0; i < 4; i++)
		it_kill(srv[i]);
	down_or_fail(lab);
	assert_int_equal(it_count_netns(lab), 0);
	char dir[512];
	psc_state_dir(lab, dir, sizeof(dir));
	assert_int_not_equal(access(dir, F_OK), 0);
	assert_int_not_equal(access("/etc/netns/psclab-itpm-changefeed", F_OK),
			     0);
}

/* ---- GCP's controls: firewall and connection preference ---- */

static void firewall_and_acceptance(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *lab = "itfw";
	const char *path = it_topology("portmap", lab, NULL);
	int ports[] = {39092};

	up_or_fail(path);
	pid_t srv = it_identity(lab, "broker-node1", ports, 1);
	expect_reply(lab, "changefeed", "172.16.0.10", 9093,
		     "broker-node1 10.128.0.2");

	psc_topology *t = it_load(path);
	/* without allow-psc-traffic the PSC path fails, as on GCP */
	psc_firewall *fw = &t->networks[0].firewalls[2];
	assert_string_equal(fw->name, "allow-psc-traffic");
	fw->disabled = true;
	it_reapply(t, 0);
	expect_dropped(lab, "changefeed", "172.16.0.10", 9093);
	fw->disabled = false;
	it_reapply(t, 0);
	expect_reply(lab, "changefeed", "172.16.0.10", 9093,
		     "broker-node1 10.128.0.2");

	/* an endpoint of a project that is not accepted passes nothing */
	psc_service_attachment *sa = &t->service_attachments[0];
	snprintf(sa->consumer_accept_lists[0].project, PSC_NAME_LEN,
		 "another-project");
	it_reapply(t, -1);
	expect_dropped(lab, "changefeed", "172.16.0.10", 9093);
	snprintf(sa->consumer_accept_lists[0].project, PSC_NAME_LEN,
		 "tidbcloud-prod-000");
	it_reapply(t, -1);
	expect_reply(lab, "changefeed", "172.16.0.10", 9093,
		     "broker-node1 10.128.0.2");
	psc_topology_free(t);
	it_kill(srv);
	down_or_fail(lab);
}

/* ---- instance groups: health check, fail-open ---- */

static bool wait_health(const char *lab, const char *vm, const char *want)
{
	char dir[512], path[600], line[256], key[128];
	psc_state_dir(lab, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/health", dir);
	snprintf(key, sizeof(key), " %s %s", vm, want);
	for (int i = 0; i < 150; i++) {           /* 15 s */
		FILE *f = fopen(path, "r");
		bool found = false;
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, key))
				found = true;
		if (f)
			fclose(f);
		if (found)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static void health_check(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *lab = "ithc";
	/* two proxy nodes in the group, probes allowed, checked every 1 s */
	const char *edits[] = {
		"    protocol: TCP\n    port: 9092\n",
		"    protocol: TCP\n    port: 9092\n    check_interval_sec: 1\n"
		"    timeout_sec: 1\n",
		"    instances: [kafka-proxy-node]\n",
		"    instances: [kafka-proxy-node, kafka-proxy-node2]\n",
		"  - name: changefeed\n",
		"  - name: kafka-proxy-node2\n    zone: us-west1-a\n"
		"    network: kafka-vpc\n    subnetwork: brokers-subnet\n"
		"  - name: changefeed\n",
		"      - name: allow-proxy-psc-traffic\n",
		"      - name: allow-health-checks\n        direction: INGRESS\n"
		"        source_ranges: [35.191.0.0/16, 130.211.0.0/22]\n"
		"        allow:\n          - protocol: tcp\n"
		"            ports: [\"9092\"]\n"
		"      - name: allow-proxy-psc-traffic\n",
		NULL};
	const char *path = it_topology("proxy", lab, edits);
	int ports[] = {9092};
	char reply[160];

	up_or_fail(path);
	pid_t s1 = it_identity(lab, "kafka-proxy-node", ports, 1);
	pid_t s2 = it_identity(lab, "kafka-proxy-node2", ports, 1);
	assert_true(wait_health(lab, "kafka-proxy-node", "HEALTHY"));
	assert_true(wait_health(lab, "kafka-proxy-node2", "HEALTHY"));
	/* both serve; the backend sees the NAT address, addressed to the
	 * forwarding rule (no DNAT) */
	int hits1 = 0, hits2 = 0;
	for (int i = 0; i < 24; i++) {
		assert_int_equal(it_dial(lab, "changefeed", "172.16.0.10", 9092,
					 2000, reply, sizeof(reply)), 0);
		if (strcmp(reply, "kafka-proxy-node 10.128.0.2") == 0)
			hits1++;
		else if (strcmp(reply, "kafka-proxy-node2 10.128.0.2") == 0)
			hits2++;
		else
			fail_msg("unexpected reply '%s'", reply);
	}
	assert_true(hits1 > 0 && hits2 > 0);

	/* node2 dies: taken out, new connections go to node1 only */
	it_kill(s2);
	assert_true(wait_health(lab, "kafka-proxy-node2", "UNHEALTHY"));
	for (int i = 0; i < 12; i++)
		expect_reply(lab, "changefeed", "172.16.0.10", 9092,
			     "kafka-proxy-node 10.128.0.2");

	/* both die: fail-open, connections go to both (and are refused) */
	it_kill(s1);
	assert_true(wait_health(lab, "kafka-proxy-node", "UNHEALTHY"));
	for (int i = 0; i < 6; i++)
		assert_int_equal(it_dial(lab, "changefeed", "172.16.0.10", 9092,
					 2000, reply, sizeof(reply)), -1);
	/* node1 back: healthy again, serving */
	s1 = it_identity(lab, "kafka-proxy-node", ports, 1);
	assert_true(wait_health(lab, "kafka-proxy-node", "HEALTHY"));
	expect_reply(lab, "changefeed", "172.16.0.10", 9092,
		     "kafka-proxy-node 10.128.0.2");
	it_kill(s1);
	down_or_fail(lab);
}

/* the seed's proxy way: no firewall rule for the probes -> unhealthy,
 * and the load balancer fails open */
static void seed_proxy_fail_open(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *lab = "itpx";
	const char *edits[] = {
		"    protocol: TCP\n    port: 9092\n",
		"    protocol: TCP\n    port: 9092\n    check_interval_sec: 1\n"
		"    timeout_sec: 1\n",
		NULL};
	const char *path = it_topology("proxy", lab, edits);
	int ports[] = {9092, 9093, 9094};
	up_or_fail(path);
	pid_t s = it_identity(lab, "kafka-proxy-node", ports, 3);
	assert_true(wait_health(lab, "kafka-proxy-node", "UNHEALTHY"));
	for (int port = 9092; port <= 9094; port++)
		expect_reply(lab, "changefeed", "172.16.0.10", port,
			     "kafka-proxy-node 10.128.0.2");
	it_kill(s);
	down_or_fail(lab);
}

/* ---- up twice, two labs at once ---- */

static void two_labs_and_refusal(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *a = it_topology("portmap", "itone", NULL);
	char pa[256];
	snprintf(pa, sizeof(pa), "%s", a);
	const char *b = it_topology("proxy", "ittwo", NULL);
	char err[1024];
	psc_up_opts o = {.network_only = true};

	up_or_fail(pa);
	up_or_fail(b);
	assert_int_equal(psc_lab_up(pa, &o, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lab 'itone' is already up"));
	assert_int_equal(it_count_netns("itone"), 8);
	assert_int_equal(it_count_netns("ittwo"), 10);
	down_or_fail("itone");
	assert_int_equal(it_count_netns("ittwo"), 10);
	down_or_fail("ittwo");
	/* down of a lab that is not up: fine, nothing to do */
	bool was_up = true;
	assert_int_equal(psc_lab_down("ittwo", NULL, &was_up, err, sizeof(err)),
			 0);
	assert_false(was_up);
}

/* ---- `down` after `up` was killed at any point ---- */

static bool service_alive(const char *lab)
{
	/* a pscLab service of this lab still running? (/proc cmdlines) */
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f "
		 "2>/dev/null; echo; done | grep -q '^[^ ]*pscLab _[a-z]* %s '",
		 lab);
	return it_run("%s", cmd) == 0;
}

static void down_after_kill(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	const char *lab = "itkill";
	const char *path = it_topology("proxy", lab, NULL);
	char exe[600];
	snprintf(exe, sizeof(exe), "%s/bin/pscLab", PSCLAB_SRCDIR);
	unsigned seed = (unsigned)time(NULL);
	fprintf(stderr, "# kill points from seed %u\n", seed);
	srand(seed);
	for (int round = 0; round < 6; round++) {
		int delay_ms = rand() % 400;
		pid_t pid = fork();
		if (pid == 0) {
			int nul = open("/dev/null", O_WRONLY);
			dup2(nul, 1);
			dup2(nul, 2);
			execl(exe, exe, "up", path, "--network-only",
			      (char *)NULL);
			_exit(127);
		}
		usleep((useconds_t)delay_ms * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		assert_int_equal(it_run("%s down %s >/dev/null 2>&1", exe, lab),
				 0);
		assert_int_equal(it_count_netns(lab), 0);
		assert_false(service_alive(lab));
		char dir[512];
		psc_state_dir(lab, dir, sizeof(dir));
		assert_int_not_equal(access(dir, F_OK), 0);
		assert_int_not_equal(it_run("ls -d /etc/netns/psclab-%s-* "
					    ">/dev/null 2>&1", lab), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portmap_paths),
		cmocka_unit_test(firewall_and_acceptance),
		cmocka_unit_test(health_check),
		cmocka_unit_test(seed_proxy_fail_open),
		cmocka_unit_test(two_labs_and_refusal),
		cmocka_unit_test(down_after_kill),
	};
	return cmocka_run_group_tests_name("lab", tests, setup, teardown_all);
}
