/* Integration test: `pscLab fault` on a real portmap lab (three KRaft
 * brokers), lab name "itfault".  Each fault is set, verify fails the way
 * the fault breaks the path and names the fault (its own WARN check), the
 * fault is cleared, and verify is green again:
 *   stop broker-node2, stop dns-tidbcloud-vpc (the consumer VPC's DNS
 *   stub), link-down psc, link-down broker-node3, netem changefeed
 *   loss=100, firewall-disable allow-psc-traffic, reject tidbcloud-prod-000
 *   (the endpoint REJECTED, live), neg-drop kafka-neg broker-node1,
 *   dns-drop kafka-psc-zone *; and netem rate=2000 (works, slower: only
 *   the fault's WARN), netem delay (this kernel has no netem qdisc: a
 *   clear refusal, or set when it has), two faults cleared with one
 *   `clear all`, and a wrong target refused before anything changes;
 *   `pscLab trace` through PSC to the real brokers: the Kafka node that
 *   answered, and with neg-drop the hop where it stops;
 *   every fault exercise of lab/exercises/ (`pscLab check`): started, its
 *   fault hidden from status, graded "not yet" with a hint, left by a
 *   plain `fault clear all`, mended with the undo a trainee would find,
 *   graded "passed".
 * The lab is brought down whatever happens.  Root; skipped as a whole
 * (1..0 # SKIP) when not root or Kafka is not installed. */
#include "itlab.h"

#include "model/fault.h"
#include "runtime/fault.h"
#include "runtime/kafka.h"
#include "verify/verify_run.h"
#include "base/util.h"

static const char *lab = "itfault";

static int group_setup(void **state)
{
	(void)state;
	setenv("PSCLAB_BIN", PSCLAB_SRCDIR "/bin/pscLab", 1);
	it_down(lab);
	const char *path = it_topology("portmap", lab, NULL);
	psc_up_opts o = {.network_only = false};
	return it_lab_up(lab, path, &o);
}

static int group_teardown(void **state)
{
	(void)state;
	return it_lab_down(lab);
}

/* pscLab fault itfault <words...>: its return code */
static int fault(const char *words, char *err, size_t errlen)
{
	char buf[256], *argv[8], *save = NULL;
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return psc_lab_fault(lab, argc, argv, stderr, err, errlen);
}

static const psc_verify_check *find(const psc_verify_report *r,
				    const char *part)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->checks[i].name, part))
			return &r->checks[i];
	return NULL;
}

static void run(psc_verify_report *r, long timeout_ms)
{
	char err[1024];
	psc_verify_opts o = {.timeout_ms = timeout_ms, .no_bastion = true};
	if (psc_verify_run(lab, &o, r, err, sizeof(err)) != 0)
		fail_msg("verify did not run: %s", err);
}

static void expect_green(const char *when)
{
	static psc_verify_report r;
	run(&r, 0);
	fprintf(stderr, "# %s: %zu checks, %zu failed, %zu warned in %ld ms\n",
		when, r.n, r.n_fail, r.n_warn, r.total_ms);
	if (r.n_fail || r.n_warn || find(&r, "no faults set")) {
		psc_verify_print_text(&r, stderr);
		fail_msg("%s: not green", when);
	}
}

/* set, verify names it and fails (a check whose name has `broken`, FAIL
 * at hop `hop`, its detail or fix with `why` when given), clear it, green
 * again */
static void one(const char *words, const char *broken, psc_verify_hop hop,
		const char *why)
{
	static psc_verify_report r;
	char err[2048];
	if (fault(words, err, sizeof(err)) != 0)
		fail_msg("fault %s: %s", words, err);
	run(&r, 3000);
	const psc_verify_check *c = find(&r, "no faults set");
	if (!c || c->status != PSC_VERIFY_WARN || !strstr(c->detail, words)) {
		psc_verify_print_text(&r, stderr);
		fail_msg("fault %s: verify does not name it", words);
	}
	assert_non_null(strstr(c->fix, "sudo pscLab fault itfault clear all"));
	c = broken ? find(&r, broken) : NULL;
	if (broken && (!c || c->status != PSC_VERIFY_FAIL || c->hop != hop ||
		       (why && !strstr(c->detail, why) &&
			!strstr(c->fix, why)))) {
		psc_verify_print_text(&r, stderr);
		fail_msg("fault %s: no failed check '%s' at hop %s saying '%s'",
			 words, broken, psc_verify_hop_name(hop), why ? why : "");
	}
	fprintf(stderr, "# %s: %zu failed, as it should (%s)\n", words,
		r.n_fail, broken ? broken : "only the fault's warning");
	if (broken)
		assert_int_equal(psc_verify_exit_code(0, &r), 1);
	if (fault("clear all", err, sizeof(err)) != 0)
		fail_msg("clear after %s: %s", words, err);
	expect_green(words);
}

/* whatever a test left set */
static int clear_all(void **state)
{
	(void)state;
	char err[2048];
	char *argv[] = {"clear", "all", NULL};
	static const char *const exs[] = {"psc-firewall", "dns-record",
		"rejected", "neg-endpoint", "broker-down", "psc-link"};
	if (fault("clear all", err, sizeof(err)) != 0)
		fprintf(stderr, "# clear all: %s\n", err);
	for (size_t i = 0; i < sizeof(exs) / sizeof(exs[0]); i++)
		if (psc_lab_fault_exercise(lab, exs[i], 2, argv, NULL, err,
					   sizeof(err)) != 0)
			fprintf(stderr, "# reset %s: %s\n", exs[i], err);
	return 0;
}

static void green(void **state)
{
	(void)state;
	expect_green("up");
}

static void process_faults(void **state)
{
	(void)state;
	one("stop broker-node2", "bootstrap 172.16.0.10:9094",
	    PSC_HOP_BROKER_DOWN, "kafka-broker-node2 (pid");
	one("stop dns-tidbcloud-vpc", "broker 1 at b1.", PSC_HOP_DNS, NULL);
}

static void link_faults(void **state)
{
	(void)state;
	one("link-down psc", "bootstrap 172.16.0.10:9093", PSC_HOP_ENDPOINT,
	    "the PSC join's links are down");
	one("link-down broker-node3", "bootstrap 172.16.0.10:9095",
	    PSC_HOP_BROKER_DOWN, "the backend VM's NIC is down");
	one("netem changefeed loss=100", "bootstrap 172.16.0.10:9094",
	    PSC_HOP_ENDPOINT, "its packets are dropped");
	one("netem changefeed rate=2000", NULL, PSC_HOP_NONE, NULL);
}

static void model_faults(void **state)
{
	(void)state;
	one("firewall-disable allow-psc-traffic", "bootstrap 172.16.0.10:9093",
	    PSC_HOP_FIREWALL, "allow-psc-traffic");
	one("reject tidbcloud-prod-000", "bootstrap 172.16.0.10:9093",
	    PSC_HOP_ENDPOINT, "REJECTED");
	one("neg-drop kafka-neg broker-node1", "bootstrap 172.16.0.10:9093",
	    PSC_HOP_LB_MAPPING, NULL);
	one("dns-drop kafka-psc-zone *", "broker 1 at b1.", PSC_HOP_DNS, NULL);
}

static void refusals(void **state)
{
	(void)state;
	static psc_verify_report r;
	char err[2048];
	/* a wrong target: refused, the valid ones listed, nothing set */
	assert_int_equal(fault("neg-drop kafka-neg bastion-node", err,
			       sizeof(err)), PSC_FAULT_BAD_ARGS);
	assert_non_null(strstr(err, "the targets: kafka-neg broker-node1"));
	/* delay: a netem qdisc, which some kernels do not have */
	int rc = fault("netem changefeed delay=50", err, sizeof(err));
	if (rc != 0)
		assert_non_null(strstr(err, "this kernel has no netem qdisc"));
	else
		assert_int_equal(fault("netem changefeed clear", err,
				       sizeof(err)), 0);
	/* two at once, one clear all */
	assert_int_equal(fault("stop broker-node1", err, sizeof(err)), 0);
	assert_int_equal(fault("firewall-disable kafka-vpc-allow-ssh", err,
			       sizeof(err)), 0);
	assert_int_equal(fault("stop broker-node1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is set already, as f"));
	run(&r, 3000);
	const psc_verify_check *c = find(&r, "no faults set");
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "2 faults are set on purpose"));
	assert_int_equal(fault("clear all", err, sizeof(err)), 0);
	expect_green("two faults cleared");
}

/* trace on the real brokers: every hop, the node id that answered; a
 * dropped NEG endpoint stops it at the load balancer */
static void trace_brokers(void **state)
{
	(void)state;
	static char out[65536];
	char err[2048];
	int rc = it_capture(out, sizeof(out), "timeout 60 %s/bin/pscLab trace "
			    "%s b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094 "
			    "--json", PSCLAB_SRCDIR, lab);
	if (rc != 0 || !strstr(out, "\"node_id\": 2") ||
	    !strstr(out, "\"ok\": true"))
		fail_msg("trace b2: exit %d:\n%s", rc, out);
	assert_int_equal(fault("neg-drop kafka-neg broker-node2", err,
			       sizeof(err)), 0);
	rc = it_capture(out, sizeof(out), "timeout 60 %s/bin/pscLab trace %s "
			"b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094 --json "
			"--timeout 1500", PSCLAB_SRCDIR, lab);
	if (rc != 1 || !strstr(out, "\"stopped_at\": \"lb\""))
		fail_msg("trace b2 after neg-drop: exit %d:\n%s", rc, out);
}

/* each fault exercise: started, graded unfixed and fixed */
static void exercises(void **state)
{
	(void)state;
	static const struct {
		const char *name, *mend, *secret;
	} ex[] = {
		{"psc-firewall", "firewall-enable allow-psc-traffic",
		 "firewall-disable"},
		{"dns-record", "dns-restore kafka-psc-zone *", "dns-drop"},
		{"rejected", "accept tidbcloud-prod-000",
		 "reject tidbcloud-prod-000"},
		{"neg-endpoint", "neg-restore kafka-neg broker-node2", "neg-drop"},
		{"broker-down", "start broker-node3", "stop broker-node3"},
		{"psc-link", "link-up psc", "link-down"},
	};
	static char out[65536];
	char err[2048];
	const char *P = PSCLAB_SRCDIR "/bin/pscLab";
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		int rc = it_capture(out, sizeof(out), "timeout 120 %s check %s "
				    "%s --start 2>&1", P, lab, ex[i].name);
		if (rc != 0 || !strstr(out, "When you think it is mended"))
			fail_msg("check %s --start: exit %d\n%s", ex[i].name,
				 rc, out);
		rc = it_capture(out, sizeof(out), "%s status %s 2>&1", P, lab);
		if (rc != 0 || strstr(out, ex[i].secret) ||
		    !strstr(out, "set by exercise"))
			fail_msg("status gives %s away:\n%s", ex[i].name, out);
		rc = it_capture(out, sizeof(out), "timeout 120 %s check %s %s "
				"--timeout 3000 2>&1", P, lab, ex[i].name);
		if (rc != 1 || !strstr(out, "not yet: ") ||
		    !strstr(out, "hint: "))
			fail_msg("check %s unfixed: exit %d\n%s", ex[i].name,
				 rc, out);
		fprintf(stderr, "# %s unfixed: %s", ex[i].name, out);
		/* a plain clear all leaves it */
		assert_int_equal(fault("clear all", err, sizeof(err)), 0);
		assert_int_equal(fault(ex[i].mend, err, sizeof(err)), 0);
		rc = it_capture(out, sizeof(out), "timeout 120 %s check %s %s "
				"2>&1", P, lab, ex[i].name);
		if (rc != 0 || !strstr(out, "passed: "))
			fail_msg("check %s mended: exit %d\n%s", ex[i].name,
				 rc, out);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!it_can_run("test_fault", true))
		return 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(green),
		cmocka_unit_test_teardown(process_faults, clear_all),
		cmocka_unit_test_teardown(link_faults, clear_all),
		cmocka_unit_test_teardown(model_faults, clear_all),
		cmocka_unit_test_teardown(refusals, clear_all),
		cmocka_unit_test_teardown(trace_brokers, clear_all),
		cmocka_unit_test_teardown(exercises, clear_all),
	};
	return cmocka_run_group_tests_name("fault", tests, group_setup,
					   group_teardown);
}
