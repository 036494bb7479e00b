/* Integration tests of `pscLab trace` on a network-only lab (no Kafka):
 * tr-portmap, a copy of topologies/portmap.yaml, with an identity server
 * (itlab.h) on broker-node1's EXTERNAL port.  The healthy path is read
 * from the kernel hop by hop up to the listener (the identity server is
 * no Kafka broker, so the Kafka hop stops, naming it); then three broken
 * paths, each naming its hop: DNS (a name outside the zone: NXDOMAIN),
 * the firewall (allow-psc-traffic taken out of the running rules, as
 * test_lab.c does), and an unmapped port (9092 in portmap).  Root only
 * (skipped whole otherwise); the lab is brought down in the group's
 * teardown, and the host's network configuration is compared before and
 * after. */
#include "itlab.h"

#include <jansson.h>

#include "verify/trace_run.h"

#define LAB "tr-portmap"
#define B1 "b1.abc.us-west1.gcp.3199745.tidbcloud.com"

static char *host_before;
static char topo_path[256];
static pid_t identity;

static int group_setup(void **state)
{
	(void)state;
	setenv("PSCLAB_BIN", PSCLAB_SRCDIR "/bin/pscLab", 1);
	host_before = it_host_snapshot();
	snprintf(topo_path, sizeof(topo_path), "%s",
		 it_topology("portmap", LAB, NULL));
	psc_up_opts o = {.network_only = true};
	if (it_lab_up(LAB, topo_path, &o) != 0)
		return -1;
	int ports[] = {39092};
	identity = it_identity(LAB, "broker-node1", ports, 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	it_kill(identity);
	int rc = it_down(LAB);
	bool same = it_host_unchanged(host_before);
	unlink(topo_path);
	return rc == 0 && same ? 0 : -1;
}

static void trace(const char *target, psc_trace_result *r)
{
	char err[2048];
	psc_trace_opts o = {.timeout_ms = 1500};
	if (psc_trace_run(LAB, target, &o, r, err, sizeof(err)) != 0)
		fail_msg("trace %s: %s", target, err);
	psc_trace_print_text(r, stderr);
}

static const char *field(const psc_trace_result *r, psc_trace_step s,
			 const char *k)
{
	const char *v = json_string_value(json_object_get(r->hops[s].fields, k));
	return v ? v : "";
}

/* every hop up to the listener, read from the kernel */
static void expect_healthy_to_listener(const psc_trace_result *r)
{
	for (int s = PSC_TRACE_DNS; s <= PSC_TRACE_LISTENER; s++)
		if (r->hops[s].state != PSC_TRACE_OK)
			fail_msg("hop %s: %s (%s)", psc_trace_step_name(s),
				 psc_trace_state_name(r->hops[s].state),
				 r->hops[s].text);
	assert_string_equal(field(r, PSC_TRACE_DNS, "address"), "172.16.0.10");
	assert_string_equal(field(r, PSC_TRACE_DNS, "zone"),
			    "abc.us-west1.gcp.3199745.tidbcloud.com.");
	assert_string_equal(field(r, PSC_TRACE_DNS, "rcode"), "NOERROR");
	assert_string_equal(field(r, PSC_TRACE_ENDPOINT, "endpoint_status"),
			    "ACCEPTED");
	assert_string_equal(field(r, PSC_TRACE_NAT, "address"), "10.128.0.2");
	assert_string_equal(field(r, PSC_TRACE_LB, "backend"), "broker-node1");
	assert_string_equal(field(r, PSC_TRACE_LB, "rule"),
			    "lb kafka-lb neg kafka-neg client 9093 -> "
			    "broker-node1:39092");
	assert_string_equal(field(r, PSC_TRACE_FIREWALL, "rule"),
			    "allow-psc-traffic");
	assert_int_equal(json_integer_value(json_object_get(
		r->hops[PSC_TRACE_FIREWALL].fields, "priority")), 1000);
	/* the counters and conntrack told these, not the plan */
	for (int s = PSC_TRACE_ENDPOINT; s <= PSC_TRACE_FIREWALL; s++)
		if (r->hops[s].from_plan)
			fail_msg("hop %s only from the plan: %s",
				 psc_trace_step_name(s), r->hops[s].text);
	assert_non_null(strstr(r->hops[PSC_TRACE_LISTENER].text,
			       "broker 1's listener EXTERNAL"));
}

static void healthy(void **state)
{
	(void)state;
	static psc_trace_result r;
	trace(B1 ":9093", &r);
	expect_healthy_to_listener(&r);
	/* an identity server is no Kafka broker: the hop after says so */
	assert_int_equal(r.stopped, PSC_TRACE_KAFKA);
	assert_non_null(strstr(r.hops[PSC_TRACE_KAFKA].text, "no Kafka answer"));
	psc_trace_result_free(&r);
}

/* the same through the binary: --json, exit 1 (it stopped at kafka) */
static void binary_json(void **state)
{
	(void)state;
	static char out[65536];
	int rc = it_capture(out, sizeof(out), "%s/bin/pscLab trace %s %s:9093 "
			    "--json --timeout 1000 2>/dev/null", PSCLAB_SRCDIR,
			    LAB, B1);
	assert_int_equal(rc, 1);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	if (!j)
		fail_msg("not JSON: %s\n%s", je.text, out);
	assert_string_equal(json_string_value(json_object_get(j, "stopped_at")),
			    "kafka");
	assert_int_equal(json_array_size(json_object_get(j, "hops")),
			 PSC_TRACE_STEPS);
	json_decref(j);
	/* without the Kafka exchange the path works: exit 0 */
	assert_int_equal(it_run("%s/bin/pscLab trace %s %s:9093 --no-kafka "
				">/dev/null 2>&1", PSCLAB_SRCDIR, LAB, B1), 0);
	assert_int_equal(it_run("%s/bin/pscLab trace %s %s:9093 --from nosuch "
				">/dev/null 2>&1", PSCLAB_SRCDIR, LAB, B1), 2);
	assert_int_equal(it_run("%s/bin/pscLab trace tr-nosuch %s:9093 "
				">/dev/null 2>&1", PSCLAB_SRCDIR, B1), 2);
}

static void broken_dns(void **state)
{
	(void)state;
	static psc_trace_result r;
	trace("nosuch.example.com:9093", &r);
	assert_int_equal(r.stopped, PSC_TRACE_DNS);
	assert_string_equal(field(&r, PSC_TRACE_DNS, "rcode"), "NXDOMAIN");
	assert_non_null(strstr(r.hops[PSC_TRACE_DNS].text,
			       "no private zone of VPC tidbcloud-vpc"));
	assert_int_equal(r.hops[PSC_TRACE_ENDPOINT].state,
			 PSC_TRACE_NOT_REACHED);
	psc_trace_result_free(&r);
}

static void broken_firewall(void **state)
{
	(void)state;
	static psc_trace_result r;
	psc_topology *t = it_load(topo_path);
	psc_firewall *fw = &t->networks[0].firewalls[2];
	assert_string_equal(fw->name, "allow-psc-traffic");
	fw->disabled = true;
	it_reapply(t, 0);
	trace(B1 ":9093", &r);
	fw->disabled = false;
	it_reapply(t, 0);
	psc_topology_free(t);
	assert_int_equal(r.stopped, PSC_TRACE_FIREWALL);
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "rule"),
			    "implied deny ingress");
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "action"), "DENY");
	assert_false(r.hops[PSC_TRACE_FIREWALL].from_plan);
	/* the stored topology still says allow-psc-traffic: trace says both */
	assert_non_null(strstr(r.hops[PSC_TRACE_FIREWALL].text,
			       "running rules differ"));
	psc_trace_result_free(&r);
	/* restored: through again */
	trace(B1 ":9093", &r);
	expect_healthy_to_listener(&r);
	psc_trace_result_free(&r);
}

static void broken_unmapped_port(void **state)
{
	(void)state;
	static psc_trace_result r;
	trace(B1 ":9092", &r);
	assert_int_equal(r.stopped, PSC_TRACE_LB);
	assert_string_equal(field(&r, PSC_TRACE_LB, "rule"),
			    "lb kafka-lb unmapped client port");
	assert_false(r.hops[PSC_TRACE_LB].from_plan);
	assert_non_null(strstr(r.hops[PSC_TRACE_LB].text,
			       "no NEG mapping for client port 9092"));
	assert_int_equal(r.hops[PSC_TRACE_ENDPOINT].state, PSC_TRACE_OK);
	psc_trace_result_free(&r);
}

int main(void)
{
	if (!it_can_run("test_trace", false))
		return 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy),
		cmocka_unit_test(binary_json),
		cmocka_unit_test(broken_dns),
		cmocka_unit_test(broken_firewall),
		cmocka_unit_test(broken_unmapped_port),
	};
	return cmocka_run_group_tests_name("trace", tests, group_setup,
					   group_teardown);
}
