/* test_scale.c - topologies of many brokers, written by tests/scale/gen.sh:
 * 100 brokers load, lint clean and plan (namespaces, veths, routes, the
 * router's nftables text with one DNAT per client port); 1,024 brokers (the
 * cap) load and lint clean; the 1,025th broker is refused at its line,
 * naming the cap; 12 brokers under another lab name (bench_kafka's
 * bench12) with a kafka: section whose server.properties a broker starts
 * with (every voter, listeners on 0.0.0.0, advertised addresses, log.dirs
 * in its own directory); a bad name is refused.  Pure: files in this
 * process's fixture directory, no root, no network. */
#include "psc_test.h"

#include "plan/nftgen.h"
#include "runtime/kafka.h"

/* tests/scale/gen.sh n into the fixture directory; its path into out */
static void gen(int n, char *out, size_t len)
{
	char arg[16];
	psc_test_chdir();
	psc_test_fmt(arg, sizeof(arg), "%d", n);
	psc_test_fmt(out, len, "%s/scale-%d.yaml", psc_test_fixture_dir(), n);
	char *argv[] = {"tests/scale/gen.sh", arg, NULL};
	int rc = psc_test_run(argv, out);
	if (rc != 0)
		fail_msg("tests/scale/gen.sh %d: exit %d (%s)", n, rc, out);
}

/* the 1-based line of the first line of file that starts with prefix */
static int line_of(const char *file, const char *prefix)
{
	char *buf = psc_test_slurp(file);
	assert_non_null(buf);
	int line = 1, found = 0;
	for (char *s = buf; *s && !found; line++) {
		char *nl = strchr(s, '\n');
		while (*s == ' ')
			s++;
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			found = line;
		if (!nl)
			break;
		s = nl + 1;
	}
	free(buf);
	return found;
}

/* lint as `pscLab lint` does: exit 0 and no finding at all */
static void lints_clean(const char *file)
{
	psc_diags d;
	psc_diags_init(&d, file);
	int rc = psc_lint_file(file, false, &d);
	if (rc != 0 || d.n != 0) {
		psc_test_dump(&d);
		fail_msg("%s: lint exit %d, %zu findings; want 0 and none", file,
			 rc, d.n);
	}
	psc_diags_free(&d);
}

static void hundred_brokers(void **state)
{
	(void)state;
	char file[PATH_MAX], want[160];
	gen(100, file, sizeof(file));
	lints_clean(file);

	psc_topology *t = psc_test_load(file);
	assert_string_equal(t->name, "scale-100");
	assert_int_equal(t->kafka.n_brokers, 100);
	assert_int_equal(t->kafka.n_quorum_voters, 100);
	assert_int_equal(t->n_instances, 102);
	assert_int_equal(t->network_endpoint_groups[0].n_endpoints, 100);
	assert_string_equal(t->kafka.brokers[99].broker_id, "b100");
	assert_string_equal(t->kafka.quorum_voters[99],
			    "100@broker-node100:29092");

	psc_plan *p = psc_test_plan(t);
	assert_int_equal(p->n_vms, 102);
	/* 102 VMs, two VPC routers, PSC */
	assert_int_equal(p->n_ns, 105);
	/* every VM's veth, and each router's link to PSC */
	assert_int_equal(p->n_links, 104);
	/* three routes a VM, and PSC's */
	assert_true(p->n_routes >= 3 * 102);
	const psc_plan_vm *last = psc_plan_vm_by_name(p, "broker-node100");
	assert_non_null(last);
	assert_string_equal(last->router_if, "v101");
	for (size_t i = 1; i < p->n_vms; i++)   /* router ends: unique */
		for (size_t j = 0; j < i; j++)
			if (p->vms[i].router_ns == p->vms[j].router_ns)
				assert_string_not_equal(p->vms[i].router_if,
							p->vms[j].router_if);

	psc_lb_health h;
	psc_lb_health_all(p, &h);
	char *nft = psc_nft_router_text(p, 0, &h);
	assert_non_null(nft);
	/* the LB's address follows the 100 brokers: 10.64.0.102 */
	for (int i = 1; i <= 100; i += 33) {
		psc_test_fmt(want, sizeof(want),
			     "ip daddr 10.64.0.102 tcp dport %d counter dnat ip "
			     "to 10.64.0.%d:39092", 9092 + i, 1 + i);
		if (!strstr(nft, want))
			fail_msg("router nft text lacks '%s'", want);
	}
	assert_non_null(strstr(nft, "tcp dport 9192 counter dnat ip to "
				    "10.64.0.101:39092"));
	free(nft);
	nft = psc_nft_psc_text(p);
	assert_non_null(nft);
	free(nft);
	psc_topology_free(t);
}

/* the cap itself is taken: every list at 1,024 entries */
static void brokers_at_the_cap(void **state)
{
	(void)state;
	char file[PATH_MAX];
	gen(PSC_MAX_BROKERS, file, sizeof(file));
	lints_clean(file);
	psc_topology *t = psc_test_load(file);
	assert_int_equal(t->kafka.n_brokers, PSC_MAX_BROKERS);
	psc_plan *p = psc_test_plan(t);
	assert_int_equal(p->n_vms, PSC_MAX_BROKERS + 2);
	psc_topology_free(t);
}

static void broker_over_the_cap_refused(void **state)
{
	(void)state;
	char file[PATH_MAX], want[256];
	gen(PSC_MAX_BROKERS + 1, file, sizeof(file));
	int line = line_of(file, "- {instance: broker-node1025, node_id");
	assert_true(line > 0);

	psc_diags d;
	psc_diags_init(&d, file);
	assert_int_equal(psc_lint_file(file, false, &d), 1);
	psc_test_fmt(want, sizeof(want),
		     "%s:%d:7: error: kafka: 'brokers' has more than 1024 "
		     "entries, the most pscLab takes [too-many]", file, line);
	if (!psc_test_has(&d, want)) {
		psc_test_dump(&d);
		fail_msg("expected: %s", want);
	}
	bool hint = false;
	for (size_t i = 0; i < d.n; i++)
		hint |= d.v[i].loc.line == line &&
			strstr(d.v[i].hint, "PSC_MAX_BROKERS") != NULL;
	assert_true(hint);
	/* the voters and the NEG's endpoints are over their caps as well;
	 * nothing else is reported */
	assert_int_equal(d.n_errors, 3);
	psc_diags_free(&d);
}

/* gen.sh 12 bench12: the lab's name, and brokers that start as they are */
static void twelve_brokers_named(void **state)
{
	(void)state;
	char file[PATH_MAX], arg[] = "12", name[] = "bench12", err[1024];
	char want[512];
	psc_test_chdir();
	psc_test_fmt(file, sizeof(file), "%s/bench12.yaml",
		     psc_test_fixture_dir());
	char *argv[] = {"tests/scale/gen.sh", arg, name, NULL};
	int rc = psc_test_run(argv, file);
	if (rc != 0)
		fail_msg("tests/scale/gen.sh 12 bench12: exit %d", rc);
	lints_clean(file);
	psc_topology *t = psc_test_load(file);
	assert_string_equal(t->name, "bench12");
	assert_int_equal(t->kafka.n_brokers, 12);
	assert_int_equal(t->kafka.n_quorum_voters, 12);
	assert_int_equal(t->network_endpoint_groups[0].n_endpoints, 12);
	psc_plan *p = psc_test_plan(t);
	psc_broker *b = psc_find_broker_by_instance(&t->kafka, "broker-node12");
	assert_non_null(b);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rc = psc_kafka_server_properties(t, p, b, "/x/broker-node12", f, err,
					 sizeof(err));
	fclose(f);
	if (rc != 0)
		fail_msg("server.properties of broker-node12: %s", err);
	const char *lines[] = {
		"node.id=12\n",
		"process.roles=broker,controller\n",
		"listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,"
		"EXTERNAL://0.0.0.0:39092\n",
		"advertised.listeners=INTERNAL://10.64.0.13:9092,EXTERNAL://"
		"b12.abc.us-west1.gcp.3199745.tidbcloud.com:9104\n",
		"log.dirs=/x/broker-node12/data\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(buf, lines[i]))
			fail_msg("server.properties lacks '%s':\n%s", lines[i],
				 buf);
	/* every broker a voter, at its address */
	psc_test_fmt(want, sizeof(want), "controller.quorum.voters=1@10.64.0.2:"
		     "29092,2@10.64.0.3:29092,");
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, ",12@10.64.0.13:29092\n"));
	free(buf);
	psc_topology_free(t);

	/* a name the lab cannot have: refused, usage exit */
	char bad[] = "Bench_12";
	char *argv2[] = {"tests/scale/gen.sh", arg, bad, NULL};
	assert_int_equal(psc_test_run(argv2, file), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hundred_brokers),
		cmocka_unit_test(brokers_at_the_cap),
		cmocka_unit_test(broker_over_the_cap_refused),
		cmocka_unit_test(twelve_brokers_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
