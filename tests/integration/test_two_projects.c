/* Integration test: the seed's FAQ, a second TiDB Cloud project on the
 * same Kafka, on real labs (three KRaft brokers each), one at a time:
 *   portmap-two-projects (lab "tp-itpm2"): the brokers' EXTERNAL and
 *   EXTERNAL2 listener groups behind one NEG and one service attachment
 *   accepting both projects; proxy-two-projects (lab "tp-itpx2"): a
 *   kafka-proxy, load balancer and PSC service per project.
 * For each: verify is green for each consumer (every check of changefeed
 * and of changefeed2 passes, each on its own bootstrap ports, each
 * metadata with only its own names); each consumer's connections leave
 * PSC from its own NAT address (conntrack of the PSC namespace) and
 * (portmap) the broker sees them from it (ss in broker-node1: EXTERNAL
 * from 10.128.0.2, EXTERNAL2 from 10.128.0.3); `pscLab fault <lab> reject
 * tidbcloud-prod-001` fails changefeed2 at its endpoint and leaves
 * changefeed green, and the other way round.  Each lab is brought down
 * whatever happens.  Root; skipped as a whole (1..0 # SKIP) when not root
 * or Kafka is not installed. */
#include "itlab.h"

#include "fabric/conntrack.h"
#include "model/addr.h"
#include "runtime/fault.h"
#include "runtime/kafka.h"
#include "verify/verify_run.h"

static const char *lab;

/* the group's lab, after the lab of the group before and what a killed
 * run left of this one */
static int up(const char *src, const char *name)
{
	if (lab)
		it_down(lab);
	lab = name;
	it_down(lab);
	const char *path = it_topology(src, lab, NULL);
	psc_up_opts o = {.network_only = false};
	return it_lab_up(lab, path, &o);
}

static int setup_portmap(void **state)
{
	(void)state;
	setenv("PSCLAB_BIN", PSCLAB_SRCDIR "/bin/pscLab", 1);
	return up("portmap-two-projects", "tp-itpm2");
}

static int setup_proxy(void **state)
{
	(void)state;
	return up("proxy-two-projects", "tp-itpx2");
}

static int teardown_lab(void **state)
{
	(void)state;
	return it_lab_down(lab);
}

static int fault(const char *words)
{
	char buf[256], *argv[8], *save = NULL, err[2048];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	int rc = psc_lab_fault(lab, argc, argv, stderr, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "# fault %s: %s\n", words, err);
	return rc;
}

/* timeout_ms 0: verify's own; a rejected endpoint's checks each wait it */
static void run(psc_verify_report *r, long timeout_ms)
{
	char err[1024];
	psc_verify_opts o = {.no_bastion = true, .timeout_ms = timeout_ms};
	if (psc_verify_run(lab, &o, r, err, sizeof(err)) != 0)
		fail_msg("verify did not run: %s", err);
	fprintf(stderr, "# verify %s: %zu checks, %zu failed, %zu warned in "
		"%ld ms\n", lab, r->n, r->n_fail, r->n_warn, r->total_ms);
}

/* the checks of node `node`: how many, how many failed; fail_msg when
 * fewer than min ran there */
static size_t node_checks(const psc_verify_report *r, const char *node,
			  size_t *failed, size_t min)
{
	size_t n = 0;
	*failed = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->checks[i].node, node) != 0)
			continue;
		n++;
		*failed += r->checks[i].status == PSC_VERIFY_FAIL;
	}
	if (n < min) {
		psc_verify_print_text(r, stderr);
		fail_msg("only %zu checks ran in %s", n, node);
	}
	return n;
}

static const psc_verify_check *find(const psc_verify_report *r,
				    const char *node, const char *part)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->checks[i].node, node) == 0 &&
		    strstr(r->checks[i].name, part))
			return &r->checks[i];
	return NULL;
}

/* green for both consumers: no FAIL; the portmap way no WARN either */
static void both_green(const char *when, bool no_warn)
{
	static psc_verify_report r;
	size_t f1, f2;
	run(&r, 0);
	node_checks(&r, "changefeed", &f1, 10);
	node_checks(&r, "changefeed2", &f2, 10);
	if (r.n_fail || f1 || f2 || (no_warn && r.n_warn)) {
		psc_verify_print_text(&r, stderr);
		fail_msg("%s: not green for both consumers", when);
	}
	/* each on its own bootstrap ports, with only its own names */
	const psc_verify_check *c = find(&r, "changefeed2",
					 "Metadata names only advertised");
	assert_non_null(c);
	assert_int_equal(c->status, PSC_VERIFY_PASS);
	assert_non_null(strstr(c->detail, "def.us-west1.gcp.3199745"));
	c = find(&r, "changefeed", "Metadata names only advertised");
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "abc.us-west1.gcp.3199745"));
	assert_int_equal(psc_verify_exit_code(0, &r), 0);
}

/* one project rejected: its changefeed fails at the endpoint, the other's
 * every check passes; cleared: both green */
static void reject(const char *project, const char *rejected,
		   const char *other, bool no_warn)
{
	static psc_verify_report r;
	char words[128];
	size_t f_rej, f_other;
	snprintf(words, sizeof(words), "reject %s", project);
	if (fault(words) != 0)
		fail_msg("fault %s", words);
	run(&r, 2000);
	node_checks(&r, rejected, &f_rej, 3);
	node_checks(&r, other, &f_other, 10);
	const psc_verify_check *c = find(&r, rejected, "bootstrap");
	if (!f_rej || f_other || !c || c->status != PSC_VERIFY_FAIL ||
	    c->hop != PSC_HOP_ENDPOINT || !strstr(c->detail, project)) {
		psc_verify_print_text(&r, stderr);
		fail_msg("%s: not %s failed at its endpoint and %s green",
			 words, rejected, other);
	}
	fprintf(stderr, "# %s: %s failed %zu checks at its endpoint, %s none\n",
		words, rejected, f_rej, other);
	if (fault("clear all") != 0)
		fail_msg("clear all after %s", words);
	both_green(words, no_warn);
}

/* consumer `from`'s connections through PSC come from nat: the PSC
 * namespace's conntrack (the reply goes to the NAT address) */
static void nat_of(const char *from_ip, const char *ep_ip, const char *nat)
{
	char ns[160], err[256];
	uint32_t src, dst;
	psc_ct_conn cc;
	bool found = false;
	snprintf(ns, sizeof(ns), "psclab-%s-psc", lab);
	assert_int_equal(psc_ip_parse(from_ip, &src, err, sizeof(err)), 0);
	assert_int_equal(psc_ip_parse(ep_ip, &dst, err, sizeof(err)), 0);
	if (psc_conntrack_find(ns, src, 0, dst, 0, &cc, &found, err,
			       sizeof(err)) < 0)
		fail_msg("conntrack %s: %s", ns, err);
	if (!found)
		fail_msg("no connection %s -> %s tracked in %s", from_ip, ep_ip,
			 ns);
	char got[16];
	psc_ip_str(cc.reply_dst, got, sizeof(got));
	fprintf(stderr, "# %s -> %s: NAT address %s\n", from_ip, ep_ip, got);
	assert_string_equal(got, nat);
}

/* the broker's view: a connection held open from node `from` to
 * ep:port, seen by broker-node1's socket on lport from peer nat */
static void broker_sees(const char *from, const char *ep, int port,
			int lport, const char *nat)
{
	char out[4096];
	int rc = it_capture(out, sizeof(out),
		"(timeout 10 %s/bin/pscLab exec %s %s -- bash -c "
		"'exec 3<>/dev/tcp/%s/%d; sleep 4' &) ; sleep 2; "
		"timeout 10 %s/bin/pscLab exec %s broker-node1 -- ss -Htn "
		"state established '( sport = :%d )'",
		PSCLAB_SRCDIR, lab, from, ep, port, PSCLAB_SRCDIR, lab, lport);
	/* the peer as ss prints it: 10.128.0.3:40712, or [::ffff:...]:40712
	 * from a dual-stack listener */
	char want[64], want6[64];
	snprintf(want, sizeof(want), " %s:", nat);
	snprintf(want6, sizeof(want6), ":%s]:", nat);
	fprintf(stderr, "# broker-node1 :%d sees: %s", lport, out);
	if (rc != 0 || (!strstr(out, want) && !strstr(out, want6)))
		fail_msg("broker-node1:%d does not see %s (rc %d): %s", lport,
			 nat, rc, out);
	sleep(3);   /* the held connection ends */
}

static void portmap_green(void **state)
{
	(void)state;
	both_green("up", true);
	nat_of("172.16.0.2", "172.16.0.10", "10.128.0.2");
	nat_of("172.20.0.2", "172.20.0.10", "10.128.0.3");
	broker_sees("changefeed", "172.16.0.10", 9093, 39092, "10.128.0.2");
	broker_sees("changefeed2", "172.20.0.10", 9103, 39093, "10.128.0.3");
}

static void portmap_reject(void **state)
{
	(void)state;
	reject("tidbcloud-prod-001", "changefeed2", "changefeed", true);
	reject("tidbcloud-prod-000", "changefeed", "changefeed2", true);
}

/* the proxy way: the seed's health-check firewall gap warns (as in
 * proxy.yaml), nothing fails */
static void proxy_green(void **state)
{
	(void)state;
	both_green("up", false);
	nat_of("172.16.0.2", "172.16.0.10", "10.128.0.2");
	nat_of("172.20.0.2", "172.20.0.10", "10.128.64.2");
}

static void proxy_reject(void **state)
{
	(void)state;
	reject("tidbcloud-prod-001", "changefeed2", "changefeed", false);
}

static int clear_all(void **state)
{
	(void)state;
	fault("clear all");
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!it_can_run("test_two_projects", true))
		return 0;
	const struct CMUnitTest portmap[] = {
		cmocka_unit_test(portmap_green),
		cmocka_unit_test_teardown(portmap_reject, clear_all),
	};
	const struct CMUnitTest proxy[] = {
		cmocka_unit_test(proxy_green),
		cmocka_unit_test_teardown(proxy_reject, clear_all),
	};
	int rc = cmocka_run_group_tests_name("two projects, portmap", portmap,
					     setup_portmap, teardown_lab);
	rc |= cmocka_run_group_tests_name("two projects, proxy", proxy,
					  setup_proxy, teardown_lab);
	return rc;
}
