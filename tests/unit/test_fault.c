/* Unit tests: faults as data (model/fault.h): parsing against the shipped
 * topologies, the refusals that list the valid targets, the list, and what
 * the model faults do to a topology (and through it to the plan). */
#include "psc_test.h"

#include "model/fault.h"
#include "plan/nftgen.h"
#include "plan/plan.h"

static psc_topology *pm, *px;

static int setup(void **state)
{
	(void)state;
	pm = psc_test_load("topologies/portmap.yaml");
	px = psc_test_load("topologies/proxy.yaml");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	psc_topology_free(pm);
	psc_topology_free(px);
	return 0;
}

static int parse(const psc_topology *t, const char *line, psc_fault *f,
		 bool *undo, char *err, size_t errlen)
{
	char buf[512], *argv[8], *save = NULL;
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return psc_fault_parse(t, argc, argv, f, undo, err, errlen);
}

static void parses_every_action(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		psc_fault_kind kind;
		bool undo;
		const char *describe;
	} ok[] = {
		{"stop broker-node2", PSC_FAULT_STOP, false, "stop broker-node2"},
		{"start broker-node2", PSC_FAULT_STOP, true, "stop broker-node2"},
		{"stop dns-tidbcloud-vpc", PSC_FAULT_STOP, false,
		 "stop dns-tidbcloud-vpc"},
		{"link-down psc", PSC_FAULT_LINK_DOWN, false, "link-down psc"},
		{"link-up broker-node1", PSC_FAULT_LINK_DOWN, true,
		 "link-down broker-node1"},
		{"netem changefeed delay=200 loss=5 rate=800", PSC_FAULT_NETEM,
		 false, "netem changefeed delay=200 loss=5 rate=800"},
		{"netem changefeed clear", PSC_FAULT_NETEM, true,
		 "netem changefeed"},
		{"firewall-disable allow-psc-traffic", PSC_FAULT_FIREWALL, false,
		 "firewall-disable allow-psc-traffic"},
		{"accept tidbcloud-prod-000", PSC_FAULT_REJECT, true,
		 "reject tidbcloud-prod-000"},
		{"neg-drop kafka-neg broker-node3", PSC_FAULT_NEG_DROP, false,
		 "neg-drop kafka-neg broker-node3"},
		{"dns-restore kafka-psc-zone *", PSC_FAULT_DNS_DROP, true,
		 "dns-drop kafka-psc-zone *"},
		{"kill broker-node3", PSC_FAULT_KILL, false, "kill broker-node3"},
	};
	char err[4096], d[600];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		psc_fault f;
		bool undo = !ok[i].undo;
		if (parse(pm, ok[i].line, &f, &undo, err, sizeof(err)) != 0)
			fail_msg("%s: %s", ok[i].line, err);
		assert_int_equal(f.kind, ok[i].kind);
		assert_int_equal(undo, ok[i].undo);
		psc_fault_describe(&f, d, sizeof(d));
		assert_string_equal(d, ok[i].describe);
	}
	/* the proxy way: kafka-proxy's VM and the health checker */
	psc_fault f;
	bool undo;
	assert_int_equal(parse(px, "stop kafka-proxy-node", &f, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(parse(px, "stop health-checker", &f, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(parse(px, "kill kafka-proxy-node", &f, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(f.kind, PSC_FAULT_KILL);
}

/* a bad argument is refused before anything, with what would do */
static void refuses_with_the_targets(void **state)
{
	(void)state;
	static const struct {
		const char *line, *want;
	} bad[] = {
		{"explode broker-node1", "'explode' is not a fault action; the "
		 "actions: stop|start, link-down|link-up, netem|clear, "
		 "firewall-disable|firewall-enable, reject|accept, "
		 "neg-drop|neg-restore, dns-drop|dns-restore, kill|start, "
		 "clear [<id>|all]"},
		/* kill: a broker or a kafka-proxy, not a lab service */
		{"kill dns-tidbcloud-vpc", "kill: 'dns-tidbcloud-vpc' is not a "
		 "target of lab 'portmap'; the targets: broker-node1, "
		 "broker-node2, broker-node3"},
		{"kill broker-node1 broker-node2", "kill takes one target"},
		{"stop bastion-node", "stop: 'bastion-node' is not a target of "
		 "lab 'portmap'; the targets: broker-node1, broker-node2, "
		 "broker-node3, dns-kafka-vpc, dns-tidbcloud-vpc"},
		{"firewall-disable allow-everything", "the targets: "
		 "kafka-vpc-allow-custom, kafka-vpc-allow-ssh, "
		 "allow-psc-traffic"},
		{"neg-drop kafka-neg bastion-node", "the targets: kafka-neg "
		 "broker-node1, kafka-neg broker-node2, kafka-neg broker-node3"},
		{"dns-drop kafka-psc-zone b1", "the targets: kafka-psc-zone '*'"},
		{"reject tidbcloud-dp-stg-000", "the targets: tidbcloud-prod-000"},
		{"link-down nosuch", "the targets: bastion-node, broker-node1, "
		 "broker-node2, broker-node3, changefeed, psc"},
		{"netem changefeed", "netem changefeed: say what to do"},
		{"netem changefeed delay=0", "netem: 'delay=0' is not one of"},
		{"netem changefeed jitter=5", "netem: 'jitter=5' is not one of"},
		{"neg-drop kafka-neg", "neg-drop takes <neg> <instance>"},
		{"stop broker-node1 broker-node2", "stop takes one target"},
	};
	char err[4096];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		psc_fault f;
		bool undo;
		if (parse(pm, bad[i].line, &f, &undo, err, sizeof(err)) == 0)
			fail_msg("%s: accepted", bad[i].line);
		if (!strstr(err, bad[i].want))
			fail_msg("%s: '%s' does not say '%s'", bad[i].line, err,
				 bad[i].want);
	}
}

static void the_list(void **state)
{
	(void)state;
	static psc_faults fs;
	psc_fault a, b, c;
	bool undo;
	char err[512];
	memset(&fs, 0, sizeof(fs));
	assert_int_equal(parse(pm, "stop broker-node1", &a, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(parse(pm, "neg-drop kafka-neg broker-node2", &b,
			       &undo, err, sizeof(err)), 0);
	assert_int_equal(psc_faults_add(&fs, &a, err, sizeof(err)), 0);
	assert_string_equal(a.id, "f1");
	assert_int_equal(psc_faults_add(&fs, &b, err, sizeof(err)), 0);
	assert_string_equal(b.id, "f2");
	/* the same again: refused, naming the one set */
	c = a;
	assert_int_equal(psc_faults_add(&fs, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "stop broker-node1 is set already, as f1");
	/* the undo finds it; ids are not reused */
	assert_int_equal(parse(pm, "start broker-node1", &c, &undo, err,
			       sizeof(err)), 0);
	assert_ptr_equal(psc_faults_find(&fs, &c), &fs.f[0]);
	psc_faults_remove(&fs, "f1");
	assert_int_equal(fs.n, 1);
	assert_null(psc_faults_by_id(&fs, "f1"));
	assert_non_null(psc_faults_by_id(&fs, "f2"));
	assert_int_equal(psc_faults_add(&fs, &a, err, sizeof(err)), 0);
	assert_string_equal(a.id, "f3");
	/* stop and kill of one node are one slot: a kill of a stopped broker
	 * is refused, and start finds a kill */
	assert_int_equal(parse(pm, "kill broker-node1", &c, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(psc_faults_add(&fs, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "stop broker-node1 is set already, as f3");
	assert_int_equal(parse(pm, "kill broker-node3", &c, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(psc_faults_add(&fs, &c, err, sizeof(err)), 0);
	assert_string_equal(c.id, "f4");
	assert_int_equal(parse(pm, "start broker-node3", &b, &undo, err,
			       sizeof(err)), 0);
	assert_true(undo);
	assert_ptr_equal(psc_faults_find(&fs, &b), &fs.f[2]);
	assert_int_equal(fs.f[2].kind, PSC_FAULT_KILL);
}

/* each model fault seen by the plan, as the lab's rules are made from it */
static void model_faults(void **state)
{
	(void)state;
	static psc_plan p;
	char err[512];
	bool undo;
	psc_fault f;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");

	assert_int_equal(parse(t, "reject tidbcloud-prod-000", &f, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	assert_int_equal(psc_plan_build(t, &p, err, sizeof(err)), 0);
	assert_int_equal(p.eps[0].status, PSC_EP_REJECTED);
	assert_int_equal(t->service_attachments[0].n_consumer_accept_lists, 0);

	assert_int_equal(parse(t, "firewall-disable allow-psc-traffic", &f,
			       &undo, err, sizeof(err)), 0);
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	assert_true(t->networks[0].firewalls[2].disabled);

	assert_int_equal(parse(t, "neg-drop kafka-neg broker-node2", &f, &undo,
			       err, sizeof(err)), 0);
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	assert_int_equal(t->network_endpoint_groups[0].n_endpoints, 2);
	assert_string_equal(t->network_endpoint_groups[0].endpoints[1].instance,
			    "broker-node3");

	assert_int_equal(parse(t, "dns-drop kafka-psc-zone *", &f, &undo, err,
			       sizeof(err)), 0);
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	assert_int_equal(t->dns_zones[0].n_records, 0);
	/* applied again (the record is gone): an error naming the fault */
	snprintf(f.id, sizeof(f.id), "f4");
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "fault f4 (dns-drop kafka-psc-zone *): its "
				 "target is not in the lab's topology");
	/* a process fault leaves the model alone */
	assert_int_equal(parse(t, "stop broker-node1", &f, &undo, err,
			       sizeof(err)), 0);
	assert_false(psc_fault_is_model(f.kind));
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	psc_topology_free(t);
}

/* netem's loss as the VM's own nftables: numgen below 100 %, every
 * packet at 100 % (numgen's values are 0..99), the table gone at 0 */
static void loss_rules(void **state)
{
	(void)state;
	char *s = psc_nft_loss_text(30);
	assert_non_null(strstr(s, "type filter hook input priority -300"));
	assert_non_null(strstr(s, "numgen random mod 100 < 30 counter drop "
				  "comment \"fault loss 30%\""));
	assert_non_null(strstr(s, "type filter hook output priority -300"));
	free(s);
	s = psc_nft_loss_text(100);
	assert_null(strstr(s, "numgen"));
	assert_non_null(strstr(s, "\t\tcounter drop comment \"fault loss "
				  "100%\""));
	free(s);
	s = psc_nft_loss_text(0);
	assert_string_equal(s, "add table inet psclab-fault\n"
			       "delete table inet psclab-fault\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_action),
		cmocka_unit_test(refuses_with_the_targets),
		cmocka_unit_test(the_list),
		cmocka_unit_test(model_faults),
		cmocka_unit_test(loss_rules),
	};
	return cmocka_run_group_tests_name("fault", tests, setup, teardown);
}
