/* Integration test: the seed's second way with the real kafka-proxy (built
 * by make deps from shared/third_party/kafka-proxy) and three real KRaft
 * brokers.
 *   seed_proxy     `pscLab up` of topologies/proxy.yaml as it is (the
 *                  seed's missing health-check rule included: fail-open)
 *                  exits 0, i.e. kafka-proxy was awaited and verify is
 *                  green on bootstrap ports 9092..9094; the seed's step 4
 *                  from kafka-proxy-node lists b1..b3 at 9092..9094 with
 *                  the DisconnectException lines; `down` leaves nothing
 *   health         with a firewall rule for GCP's probe ranges: the health
 *                  check finds kafka-proxy HEALTHY; kafka-proxy stopped
 *                  (`pscLab fault <lab> stop kafka-proxy-node`): UNHEALTHY
 *                  in status, verify fails naming kafka-proxy as the hop;
 *                  started again (`fault ... start`): HEALTHY, green
 *   dynamic        topologies/proxy-dynamic.yaml: five brokers, three
 *                  mapped; brokers 4 and 5 get kafka-proxy's dynamic
 *                  listeners brokers.abc...:9095/9096 (in discovery
 *                  order), the seed's step 4 shows them, verify passes
 *                  through them (each answers as itself)
 *   two_proxies    topologies/proxy-two.yaml: two kafka-proxies behind one
 *                  load balancer, made to disagree as kafka-proxy issue #174
 *                  describes (each restarted, then the first request it
 *                  sees is a FindCoordinator naming another broker, so its
 *                  first dynamic port goes to broker 4 on one and broker 5
 *                  on the other): verify names the misrouting, hop
 *                  kafka-proxy, #174; proxy-two-deterministic.yaml (v0.4.3,
 *                  --deterministic-listeners) under the same treatment is
 *                  routed right
 *   proxy_crash    a kafka-proxy that dies at start (its own "unknown
 *                  flag" error): up names it with its log tail and rolls
 *                  everything back
 * Root; Kafka and kafka-proxy must be installed (make deps): without them
 * the suite fails, it does not skip. */
#include "itlab.h"

#include "model/addr.h"
#include "runtime/kafka.h"
#include "runtime/lab.h"
#include "plan/plan.h"
#include "base/util.h"
#include "verify/verify_run.h"

static char exe[600];
static const char *lab = "itproxy";

/* nothing of the lab is left: namespaces, state, processes */
static void assert_gone(void)
{
	char out[256], dir[512];
	assert_int_equal(it_count_netns(lab), 0);
	psc_state_dir(lab, dir, sizeof(dir));
	assert_int_not_equal(access(dir, F_OK), 0);
	it_capture(out, sizeof(out), "ps -eo args | grep -c '[/]run/psclab/%s/' "
		"|| true", lab);
	assert_string_equal(out, "0\n");
}


static void seed_proxy(void **state)
{
	(void)state;
	static char out[1 << 16];
	const char *dom = "abc.us-west1.gcp.3199745.tidbcloud.com";
	const char *path = it_topology("proxy", lab, NULL);

	it_down(lab);
	int rc = it_capture(out, sizeof(out), "timeout 300 %s up %s 2>&1", exe,
			 path);
	fprintf(stderr, "# %s", out);
	if (rc != 0)
		fail_msg("pscLab up proxy: exit %d (verify not green?)", rc);
	assert_non_null(strstr(out, "kafka-proxy listening in "
				    "kafka-proxy-node on its 3 bootstrap "
				    "ports"));
	/* green, and the one warning the real kafka-proxy earns: it does
	 * not rewrite DescribeCluster, which hands out 10.64.0.x */
	assert_non_null(strstr(out, "verify itproxy: green with warnings, "));
	assert_non_null(strstr(out, "PASS changefeed: Metadata names only "
				    "advertised addresses (franz-go)"));
	const char *w = strstr(out, "WARN changefeed: DescribeCluster names "
				    "only advertised addresses (franz-go)");
	assert_non_null(w);
	assert_non_null(strstr(w, "at 10.64.0."));
	/* the seed's topology has no rule for the health checks: the load
	 * balancer fails open, which works, and warns */
	w = strstr(out, "WARN load balancer kafka-proxy-lb: health of its 1 "
			"backend");
	assert_non_null(w);
	assert_non_null(strstr(w, "fails open"));
	assert_non_null(strstr(out, "PASS changefeed: every packet went to "
				    "the PSC endpoint"));
	/* up's closing summary: what is up, the addresses, what next */
	assert_non_null(strstr(out, "lab 'itproxy' is up: the proxy approach, "
				    "3 brokers and kafka-proxy, in "));
	assert_non_null(strstr(out, "  TiDB Cloud side, node changefeed: "
				    "bootstrap 172.16.0.10 ports 9092,9093,9094; "
				    "advertised: b1.abc.us-west1.gcp.3199745."
				    "tidbcloud.com:9092 "));
	assert_non_null(strstr(out, "  Kafka VPC side, node bastion-node: "
				    "INTERNAL 10.64.0.2:9092\n"));
	assert_non_null(strstr(out, "  sudo pscLab down itproxy\n"));
	for (int port = 9092; port <= 9094; port++) {
		char want[128];
		snprintf(want, sizeof(want), "PASS changefeed: bootstrap "
			 "172.16.0.10:%d", port);
		assert_non_null(strstr(out, want));
	}
	/* the seed's "Test bootstrap in Kafka-proxy node" */
	rc = it_capture(out, sizeof(out), "timeout 120 %s exec %s "
		     "kafka-proxy-node -- kafka-broker-api-versions.sh "
		     "--bootstrap-server 0.0.0.0:9092 2>&1", exe, lab);
	for (int b = 1; b <= 3; b++) {
		char addr[256];
		snprintf(addr, sizeof(addr), "b%d.%s:%d", b, dom, 9091 + b);
		if (!it_broker_line(out, addr, b, ") -> ERROR: org.apache."
				     "kafka.common.errors.DisconnectException"))
			fail_msg("no DisconnectException line for %s in:\n%s",
				 addr, out);
	}
	/* the seed's own fail-open: no rule for the probes */
	rc = it_capture(out, sizeof(out), "%s status %s 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "fail-open"));

	rc = it_capture(out, sizeof(out), "timeout 60 %s down %s 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_gone();
}

static void dynamic(void **state)
{
	(void)state;
	static char out[1 << 16];
	const char *dom = "abc.us-west1.gcp.3199745.tidbcloud.com";
	const char *path = it_topology("proxy-dynamic", lab, NULL);

	it_down(lab);
	int rc = it_capture(out, sizeof(out), "timeout 300 %s up %s 2>&1", exe,
			 path);
	fprintf(stderr, "# %s", out);
	if (rc != 0)
		fail_msg("pscLab up proxy-dynamic: exit %d", rc);
	assert_non_null(strstr(out, "kafka: 5 brokers serving"));
	/* brokers 4 and 5 through their dynamic listeners, each itself */
	for (int b = 4; b <= 5; b++) {
		char w1[256], w2[256];
		snprintf(w1, sizeof(w1), "PASS changefeed: broker %d at "
			 "brokers.%s:9095", b, dom);
		snprintf(w2, sizeof(w2), "PASS changefeed: broker %d at "
			 "brokers.%s:9096", b, dom);
		if (!strstr(out, w1) && !strstr(out, w2))
			fail_msg("broker %d not verified through a dynamic "
				 "listener", b);
	}
	rc = it_capture(out, sizeof(out), "timeout 120 %s exec %s "
		     "kafka-proxy-node -- kafka-broker-api-versions.sh "
		     "--bootstrap-server 0.0.0.0:9092 2>&1", exe, lab);
	const char *dx = ") -> ERROR: org.apache.kafka.common.errors."
			 "DisconnectException";
	for (int b = 1; b <= 5; b++) {
		char a1[256], a2[256];
		if (b <= 3) {
			snprintf(a1, sizeof(a1), "b%d.%s:%d", b, dom, 9091 + b);
			snprintf(a2, sizeof(a2), "%s", a1);
		} else {
			snprintf(a1, sizeof(a1), "brokers.%s:9095", dom);
			snprintf(a2, sizeof(a2), "brokers.%s:9096", dom);
		}
		if (!it_broker_line(out, a1, b, dx) &&
		    !it_broker_line(out, a2, b, dx))
			fail_msg("no line for broker %d at %s in:\n%s", b, a1,
				 out);
	}
	rc = it_capture(out, sizeof(out), "timeout 60 %s down %s 2>&1", exe, lab);
	assert_int_equal(rc, 0);
	assert_gone();
}

/* the health of backend node in `pscLab status`: 1 HEALTHY, 0 UNHEALTHY,
 * -1 no such line */
static int backend_health(const char *node)
{
	static char out[1 << 15];
	char head[128];
	it_capture(out, sizeof(out), "%s status %s 2>&1", exe, lab);
	snprintf(head, sizeof(head), "  backend %-18s ", node);
	const char *l = strstr(out, head);
	if (!l)
		return -1;
	const char *eol = strchr(l, '\n');
	const char *u = strstr(l, "UNHEALTHY");
	if (u && (!eol || u < eol))
		return 0;
	const char *h = strstr(l, "HEALTHY");
	return h && (!eol || h < eol) ? 1 : -1;
}

/* wait (bounded) for the health checker to reach want for node; the check
 * probes every 5 s and needs 2 in a row */
static void await_health_of(const char *node, int want, long limit_ms)
{
	long long deadline = psc_now_ms() + limit_ms, t0 = psc_now_ms();
	int h;
	while ((h = backend_health(node)) != want && psc_now_ms() < deadline)
		psc_sleep_ms(500);
	fprintf(stderr, "# backend %s %s after %lld ms\n", node,
		h == 1 ? "HEALTHY" : h == 0 ? "UNHEALTHY" : "unknown",
		psc_now_ms() - t0);
	if (h != want)
		fail_msg("backend %s not %s within %ld ms", node,
			 want ? "HEALTHY" : "UNHEALTHY", limit_ms);
}

static void await_health(int want, long limit_ms)
{
	await_health_of("kafka-proxy-node", want, limit_ms);
}

static void verify_lab(psc_verify_report *r)
{
	char err[1024];
	psc_verify_opts o = {.timeout_ms = 5000};
	if (psc_verify_run(lab, &o, r, err, sizeof(err)) != 0)
		fail_msg("verify did not run: %s", err);
}

/* verify's check of the load balancer's backends' health */
static const psc_verify_check *lb_check(const psc_verify_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->checks[i].name, "load balancer kafka-proxy-lb: "
					      "health of its 1 backend"))
			return &r->checks[i];
	psc_verify_print_text(r, stderr);
	fail_msg("no load balancer health check in the report");
	return NULL;
}

static void health(void **state)
{
	(void)state;
	static psc_verify_report r;
	char err[4096];
	/* the rule the seed leaves out */
	static const char *const rule[] = {
		"      - name: allow-proxy-psc-traffic\n",
		"      - name: allow-health-check\n"
		"        direction: INGRESS\n"
		"        source_ranges: [35.191.0.0/16, 130.211.0.0/22]\n"
		"        allow:\n"
		"          - protocol: tcp\n"
		"            ports: [\"9092\"]\n"
		"      - name: allow-proxy-psc-traffic\n",
		NULL};
	const char *path = it_topology("proxy", lab, rule);
	it_down(lab);
	psc_up_opts o = {.network_only = false};
	if (it_up(lab, path, &o, err, sizeof(err)) != 0)
		fail_msg("up: %s", err);
	await_health(1, 30000);
	verify_lab(&r);
	if (psc_verify_exit_code(0, &r) != 0) {
		psc_verify_print_text(&r, stderr);
		it_down(lab);
		fail_msg("not green with a healthy backend");
	}
	assert_int_equal(lb_check(&r)->status, PSC_VERIFY_PASS);

	/* kafka-proxy stopped as a user does it (pscLab fault: by its pid
	 * from the journal); a second stop and an unknown node are refused */
	static char out[1 << 14];
	int rc = it_capture(out, sizeof(out), "%s fault %s stop kafka-proxy-node "
			 "2>&1", exe, lab);
	fprintf(stderr, "# %s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "kafka-proxy on kafka-proxy-node stopped"));
	rc = it_capture(out, sizeof(out), "%s fault %s stop kafka-proxy-node "
		     "2>&1", exe, lab);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "stop kafka-proxy-node is set already, as "
				    "f"));
	rc = it_capture(out, sizeof(out), "%s fault %s stop changefeed 2>&1", exe,
		     lab);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "stop: 'changefeed' is not a target of lab "
				    "'itproxy'; the targets: broker-node1, "
				    "broker-node2, broker-node3, "
				    "kafka-proxy-node, dns-kafka-vpc, "
				    "dns-tidbcloud-vpc, health-checker"));
	await_health(0, 30000);
	verify_lab(&r);
	psc_verify_print_text(&r, stderr);
	assert_int_equal(psc_verify_exit_code(0, &r), 1);
	const psc_verify_check *c = &r.checks[0];
	assert_non_null(strstr(c->name, "bootstrap 172.16.0.10:9092"));
	assert_int_equal(c->status, PSC_VERIFY_FAIL);
	assert_int_equal(c->hop, PSC_HOP_PROXY);
	assert_non_null(strstr(c->detail, "kafka-proxy on kafka-proxy-node"));
	assert_non_null(strstr(c->fix, "start kafka-proxy again"));
	c = lb_check(&r);
	assert_int_equal(c->status, PSC_VERIFY_WARN);
	assert_non_null(strstr(c->detail, "kafka-proxy-node UNHEALTHY"));
	assert_non_null(strstr(c->detail, "fails open"));

	/* started again: it heals */
	rc = it_capture(out, sizeof(out), "%s fault %s start kafka-proxy-node "
		     "2>&1", exe, lab);
	fprintf(stderr, "# %s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "kafka-proxy on kafka-proxy-node started "
				    "and serving"));
	await_health(1, 30000);
	verify_lab(&r);
	if (psc_verify_exit_code(0, &r) != 0) {
		psc_verify_print_text(&r, stderr);
		fail_msg("not green again after kafka-proxy restarted");
	}
	it_down(lab);
	assert_gone();
}

/* "node_id":N of a psclab-kclient coordinator line, -1 none */
static long json_long(const char *out, const char *key)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":", key);
	const char *at = strstr(out, k);
	return at ? strtol(at + strlen(k), NULL, 10) : -1;
}

/* a consumer group whose coordinator is broker id, asked of a broker
 * directly from bastion-node (bounded: 200 names, 60 s) */
static void group_of(long id, char *group, size_t len)
{
	static char out[4096];
	long long deadline = psc_now_ms() + 60000;
	for (int i = 0; i < 200 && psc_now_ms() < deadline; i++) {
		snprintf(group, len, "psclab-g%d", i);
		it_capture(out, sizeof(out), "timeout 30 %s exec %s bastion-node -- "
			"%s/bin/psclab-kclient coordinator --bootstrap "
			"10.64.0.2:9092 --group %s 2>&1", exe, lab,
			PSCLAB_SRCDIR, group);
		long got = json_long(out, "node_id");
		if (got == id)
			return;
		if (got < 0) {      /* __consumer_offsets being made */
			psc_sleep_ms(500);
			i--;
		}
	}
	fail_msg("no group coordinated by broker %ld found", id);
}

/* restart the kafka-proxy of node, then its first request: group's
 * FindCoordinator; returns the port it gave that coordinator */
static long fresh_proxy_coordinator(const char *node, const char *ip,
				    const char *group)
{
	static char out[4096];
	assert_int_equal(it_capture(out, sizeof(out), "%s fault %s stop %s 2>&1",
				 exe, lab, node), 0);
	assert_int_equal(it_capture(out, sizeof(out), "%s fault %s start %s 2>&1",
				 exe, lab, node), 0);
	int rc = it_capture(out, sizeof(out), "timeout 30 %s exec %s bastion-node "
			 "-- %s/bin/psclab-kclient coordinator --bootstrap "
			 "%s:9092 --group %s 2>&1", exe, lab, PSCLAB_SRCDIR, ip,
			 group);
	fprintf(stderr, "# %s first request FindCoordinator(%s): %s", node,
		group, out);
	assert_int_equal(rc, 0);
	return json_long(out, "port");
}

/* up topology src as the lab, make its two proxies see brokers 4 and 5 in
 * opposite orders, verify; returns the number of checks that reached the
 * wrong broker through kafka-proxy (#174) */
static size_t disagreeing_proxies(const char *src, long *port4, long *port5,
				  int *exit_code)
{
	static psc_verify_report r;
	char err[4096], g4[64], g5[64], ip1[16], ip2[16];
	const char *path = it_topology(src, lab, NULL);
	it_down(lab);
	psc_up_opts o = {.network_only = false};
	if (it_up(lab, path, &o, err, sizeof(err)) != 0)
		fail_msg("up %s: %s", src, err);
	psc_topology *t = NULL;
	static psc_plan p;                /* 2.8 MB: not on the stack */
	assert_int_equal(psc_lab_load(lab, &t, &p, err, sizeof(err)), 0);
	psc_ip_str(psc_plan_vm_by_name(&p, "kafka-proxy-node")->ip, ip1,
		   sizeof(ip1));
	psc_ip_str(psc_plan_vm_by_name(&p, "kafka-proxy-node2")->ip, ip2,
		   sizeof(ip2));
	psc_topology_free(t);
	group_of(4, g4, sizeof(g4));
	group_of(5, g5, sizeof(g5));
	*port4 = fresh_proxy_coordinator("kafka-proxy-node", ip1, g4);
	*port5 = fresh_proxy_coordinator("kafka-proxy-node2", ip2, g5);
	/* then a Metadata to each, so that each has a listener for both
	 * brokers (in its own order), and both back in the load balancer */
	static char out[1 << 15];
	for (int i = 0; i < 2; i++) {
		it_capture(out, sizeof(out), "timeout 60 %s exec %s bastion-node "
			   "-- %s/bin/psclab-kclient probe --client franz "
			   "--bootstrap %s:9092 --timeout 10s >/dev/null 2>&1; "
			   "echo $?", exe, lab, PSCLAB_SRCDIR, i ? ip2 : ip1);
		assert_string_equal(out, "0\n");
	}
	await_health_of("kafka-proxy-node", 1, 30000);
	await_health_of("kafka-proxy-node2", 1, 30000);
	verify_lab(&r);
	psc_verify_print_text(&r, stderr);
	size_t wrong = 0;
	for (size_t i = 0; i < r.n; i++)
		if (r.checks[i].status == PSC_VERIFY_FAIL &&
		    r.checks[i].hop == PSC_HOP_PROXY &&
		    strstr(r.checks[i].detail, "kafka-proxy issue #174"))
			wrong++;
	*exit_code = psc_verify_exit_code(0, &r);
	it_down(lab);
	assert_gone();
	return wrong;
}

static void two_proxies(void **state)
{
	(void)state;
	long p4, p5;
	int ec;
	/* v0.3.11, sequential: broker 4 first on one, broker 5 on the other,
	 * each at 9095 */
	size_t wrong = disagreeing_proxies("proxy-two", &p4, &p5, &ec);
	assert_int_equal(p4, 9095);
	assert_int_equal(p5, 9095);
	if (wrong == 0)
		fail_msg("two kafka-proxies mapping 9095 to brokers 4 and 5: "
			 "verify named no misrouting");
	assert_int_equal(ec, 1);
	/* v0.4.3 deterministic: min + id on both, whatever came first */
	wrong = disagreeing_proxies("proxy-two-deterministic", &p4, &p5, &ec);
	assert_int_equal(p4, 9095 + 4);
	assert_int_equal(p5, 9095 + 5);
	assert_int_equal(wrong, 0);
	assert_int_equal(ec, 0);     /* no failure (DescribeCluster warns) */
}

static void proxy_crash(void **state)
{
	(void)state;
	static char out[1 << 16];
	char bin[4096], err[512], wrap[] = "/tmp/psclab-it-kpXXXXXX";
	assert_int_equal(psc_kafka_proxy_bin(bin, sizeof(bin), err,
					     sizeof(err)), 0);
	int fd = mkstemp(wrap);
	assert_true(fd >= 0);
	dprintf(fd, "#!/bin/sh\nexec '%s' \"$@\" --no-such-flag\n", bin);
	fchmod(fd, 0755);
	close(fd);
	const char *path = it_topology("proxy", lab, NULL);
	it_down(lab);
	int rc = it_capture(out, sizeof(out), "KAFKA_PROXY_BIN=%s timeout 300 "
			 "%s up %s 2>&1", wrap, exe, path);
	unlink(wrap);
	fprintf(stderr, "# %s", out);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "kafka-proxy on kafka-proxy-node "
				    "(listener 0.0.0.0:9092) did not start"));
	assert_non_null(strstr(out, "exited after"));
	/* its own words, from the log tail */
	assert_non_null(strstr(out, "no-such-flag"));
	assert_gone();
}

int main(void)
{
	char home[4096], bin[4096], err[512];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!it_is_root()) {
		printf("1..0 # SKIP not root\n");
		return 0;
	}
	if (psc_kafka_home(home, sizeof(home), err, sizeof(err)) < 0 ||
	    psc_kafka_proxy_bin(bin, sizeof(bin), err, sizeof(err)) < 0) {
		/* make deps installs both: missing is a failure */
		printf("1..1\nnot ok 1 - Kafka and kafka-proxy installed\n# %s\n",
		       err);
		return 1;
	}
	snprintf(exe, sizeof(exe), "%s/bin/pscLab", PSCLAB_SRCDIR);
	setenv("PSCLAB_BIN", exe, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_proxy),
		cmocka_unit_test(health),
		cmocka_unit_test(dynamic),
		cmocka_unit_test(two_proxies),
		cmocka_unit_test(proxy_crash),
	};
	return cmocka_run_group_tests_name("proxy_lab", tests, NULL, NULL);
}
