/* Unit tests: the topology loader (topology_load.c), the model's derived
 * values (topology.c) and bad input.  Fixtures: tests/lint/load-*, patches
 * of a shipped topology built by psc_test.h, or whole files (load-empty,
 * load-not-mapping). */
#include "psc_test.h"
#include "model/topology_load.h"

#include <sys/resource.h>

#include "model/addr.h"

static void expect_ip(const char *want, uint32_t ip)
{
	char buf[16];
	assert_string_equal(psc_ip_str(ip, buf, sizeof(buf)), want);
}

static void expect_instance_ip(psc_topology *t, const char *name,
			       const char *want)
{
	uint32_t ip;
	psc_instance *in = psc_find_instance(t, name);
	assert_non_null(in);
	assert_int_equal(psc_instance_ip(t, in, &ip), 0);
	expect_ip(want, ip);
}

/* The shipped portmap topology carries the seed's values. */
static void portmap_has_seed_values(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char buf[PSC_ADDR_LEN];
	uint32_t ip;

	assert_string_equal(t->name, "portmap");
	assert_int_equal(psc_topology_approach(t), PSC_APPROACH_PORTMAP);
	assert_string_equal(t->tidbcloud.project, "tidbcloud-prod-000");
	assert_string_equal(t->tidbcloud.unique, "abc");
	assert_int_equal(psc_pattern_domain(&t->tidbcloud, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abc.us-west1.gcp.3199745.tidbcloud.com");

	psc_network *net = NULL;
	psc_subnet *s = psc_find_subnet(t, "brokers-subnet", &net);
	assert_non_null(s);
	assert_string_equal(net->name, "kafka-vpc");
	assert_string_equal(s->ip_cidr_range, "10.64.0.0/18");
	s = psc_find_subnet(t, "psc-subnet", NULL);
	assert_string_equal(s->purpose, "PRIVATE_SERVICE_CONNECT");
	assert_string_equal(s->ip_cidr_range, "10.128.0.0/18");
	s = psc_find_subnet(t, "bastion-subnet", NULL);
	assert_string_equal(s->purpose, "PRIVATE");   /* default */

	/* firewall defaults: INGRESS, priority 1000 */
	psc_firewall *fw = &net->firewalls[2];
	assert_string_equal(fw->name, "allow-psc-traffic");
	assert_string_equal(fw->direction, "INGRESS");
	assert_int_equal(fw->priority, 1000);
	assert_int_equal(fw->n_allow, 1);
	assert_string_equal(fw->allow[0].protocol, "all");

	/* addresses as GCP hands them out: .2 upward, file order */
	expect_instance_ip(t, "bastion-node", "10.0.0.2");
	expect_instance_ip(t, "broker-node1", "10.64.0.2");
	expect_instance_ip(t, "broker-node3", "10.64.0.4");
	expect_instance_ip(t, "changefeed", "172.16.0.2");
	assert_int_equal(psc_load_balancer_ip(t, &t->load_balancers[0], &ip), 0);
	expect_ip("10.64.0.5", ip);
	assert_int_equal(psc_endpoint_ip(t, &t->psc_endpoints[0], &ip), 0);
	expect_ip("172.16.0.10", ip);

	/* Kafka: the seed's server.properties */
	psc_kafka *k = &t->kafka;
	assert_string_equal(k->cluster_id, "BRl69zcmTFmiPaoaANybiw");
	assert_int_equal(k->n_listeners, 3);
	assert_int_equal(psc_find_listener(k, "CONTROLLER")->port, 29092);
	assert_int_equal(psc_find_listener(k, "EXTERNAL")->port, 39092);
	assert_string_equal(psc_find_listener(k, "INTERNAL")->host, "0.0.0.0");
	assert_int_equal(k->n_protocol_map, 6);
	assert_string_equal(k->protocol_map[5].listener, "SASL_SSL");
	assert_string_equal(k->protocol_map[5].protocol, "SASL_SSL");
	assert_int_equal(k->n_quorum_voters, 3);
	assert_string_equal(k->quorum_voters[1], "2@broker-node2:29092");
	psc_broker *b2 = psc_find_broker_by_id(k, 2);
	assert_int_equal(psc_broker_advertised_external(t, b2, buf,
							 sizeof(buf)), 0);
	assert_string_equal(buf, "b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094");
	assert_int_equal(psc_broker_advertised_internal(t, b2, buf,
							 sizeof(buf)), 0);
	assert_string_equal(buf, "10.64.0.3:9092");

	/* the NEG and the PSC service */
	psc_neg *neg = psc_find_neg(t, "kafka-neg");
	assert_int_equal(neg->n_endpoints, 3);
	assert_int_equal(neg->endpoints[2].client_port, 9095);
	assert_int_equal(neg->endpoints[2].port, 39092);
	psc_service_attachment *sa = psc_find_service_attachment(t, "kafka-psc");
	assert_string_equal(sa->consumer_accept_lists[0].project,
			    "tidbcloud-prod-000");
	assert_int_equal(t->changefeed.n_bootstrap_ports, 3);
	assert_int_equal(t->changefeed.bootstrap_ports[0], 9093);
	assert_false(t->kafka_proxy.present);
	psc_topology_free(t);
}

static void proxy_has_seed_values(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_kafka_proxy *p = &t->kafka_proxy;
	uint32_t ip;
	int port;

	assert_int_equal(psc_topology_approach(t), PSC_APPROACH_PROXY);
	assert_true(p->present);
	assert_string_equal(p->instance, "kafka-proxy-node");
	assert_int_equal(p->n_bootstrap_server_mappings, 3);
	assert_string_equal(p->bootstrap_server_mappings[1].listen,
			    "0.0.0.0:9093");
	assert_string_equal(p->bootstrap_server_mappings[2].advertised,
			    "b3.abc.us-west1.gcp.3199745.tidbcloud.com:9094");
	assert_int_equal(p->dynamic_sequential_min_port, 9095);
	assert_string_equal(p->dynamic_advertised_listener,
			    "brokers.abc.us-west1.gcp.3199745.tidbcloud.com");
	assert_int_equal(psc_resolve_hostport(t, p->bootstrap_server_mappings[0]
					      .upstream, &ip, &port), 0);
	expect_ip("10.64.0.2", ip);
	assert_int_equal(port, 9092);
	assert_null(psc_find_listener(&t->kafka, "EXTERNAL"));
	assert_int_equal(t->kafka.brokers[0].external_port, 0);
	/* broker_id defaults to b<node_id> */
	assert_string_equal(t->kafka.brokers[2].broker_id, "b3");
	psc_health_check *hc = psc_find_health_check(t, "kafka-proxy-hc");
	assert_int_equal(hc->port, 9092);
	assert_int_equal(hc->check_interval_sec, 5);
	assert_int_equal(hc->unhealthy_threshold, 2);
	expect_instance_ip(t, "kafka-proxy-node", "10.64.0.5");
	assert_int_equal(psc_load_balancer_ip(t, &t->load_balancers[0], &ip), 0);
	expect_ip("10.64.0.6", ip);
	assert_int_equal(t->changefeed.bootstrap_ports[0], 9092);
	psc_topology_free(t);
}

/* ---- one fixture per loader rule: exact message and location ---- */

#define FIXTURE(fn, file, rc, line, hint)                                  \
	static void fn(void **state)                                       \
	{                                                                  \
		(void)state;                                               \
		psc_test_expect_only("tests/lint/" file, rc,               \
				     "tests/lint/" file ":" line, hint);   \
	}

FIXTURE(unknown_key, "load-unknown-key.yaml", 1,
	"105:5: error: instance 'broker-node2': unknown key 'machine_typ' "
	"[unknown-key]", "did you mean 'machine_type'?")
FIXTURE(wrong_type, "load-wrong-type.yaml", 1,
	"70:19: error: firewall 'kafka-vpc-allow-ssh': 'priority' must be an "
	"integer, got 'high' [wrong-type]", NULL)
FIXTURE(wrong_type_list, "load-wrong-type-list.yaml", 1,
	"203:18: error: service attachment 'kafka-psc': 'nat_subnets' must be "
	"a list, got a string [wrong-type]", NULL)
FIXTURE(quoted_integer, "load-not-integer-string.yaml", 1,
	"136:13: error: listener 'CONTROLLER': 'port' must be an integer, got "
	"'29092' [wrong-type]", NULL)
FIXTURE(missing_key, "load-missing-key.yaml", 1,
	"110:5: error: instance 'broker-node3': missing required key 'zone' "
	"[missing-key]", NULL)
FIXTURE(duplicate_key, "load-duplicate-key.yaml", 1,
	"155:3: error: kafka: key 'log_dirs' appears twice [duplicate-key]",
	NULL)
FIXTURE(bad_value, "load-bad-value.yaml", 1,
	"76:20: error: firewall 'allow-psc-traffic': 'direction' is 'INGRES', "
	"not one of INGRESS, EGRESS [bad-value]", "did you mean 'INGRESS'?")
FIXTURE(out_of_range, "load-out-of-range.yaml", 1,
	"187:22: error: network endpoint #3: 'client_port' is 90950, out of "
	"range 1..65535 [out-of-range]", NULL)
FIXTURE(too_long, "load-too-long.yaml", 1,
	"89:11: error: instance 'bastion-node-bastion-node-bastion-node-"
	"bastion-node-bastion-node-bastion-node-': 'name' is 78 characters "
	"long; at most 63 [too-long]", NULL)
FIXTURE(multiple_documents, "load-multiple-documents.yaml", 1,
	"232:1: error: topology: a second YAML document; a topology file "
	"holds one [multiple-documents]", NULL)
FIXTURE(lab_name, "load-lab-name.yaml", 1,
	"34:7: error: topology: lab name 'Port Map' must start with a "
	"lowercase letter and hold only [a-z0-9-] (it names the lab's "
	"namespaces psclab-<lab>-<node>) [lab-name]", NULL)
FIXTURE(node_name, "load-node-name.yaml", 1,
	"89:11: error: instance 'psc': the name 'psc' is taken by one of the "
	"lab's own namespaces (psc, gcp-hc, vpc-<network>); rename the "
	"instance [node-name]", NULL)
FIXTURE(yaml_syntax, "load-yaml-syntax.yaml", 2,
	"204:26: error: topology: not valid YAML: did not find expected ',' "
	"or ']' while parsing a flow sequence [yaml-syntax]", NULL)
FIXTURE(empty_file, "load-empty.yaml", 2,
	"1:1: error: topology: the file holds no YAML document; a topology "
	"starts with 'name:' [empty]", NULL)
FIXTURE(not_mapping, "load-not-mapping.yaml", 2,
	"2:1: error: topology: the top level must be a mapping (name:, "
	"networks:, ...), got a list [wrong-type]", NULL)

/* ---- bad input built in memory ---- */

static int load_buf(const char *buf, size_t len, psc_diags *d, bool *unreadable)
{
	psc_diags_init(d, "mem.yaml");
	psc_topology *t = psc_topology_load_buffer("mem.yaml", buf, len, d,
						   unreadable);
	int loaded = t != NULL;
	psc_topology_free(t);
	return loaded;
}

static void expect_first(const psc_diags *d, const char *line)
{
	char buf[2048];
	assert_true(d->n >= 1);
	psc_diag_format(d, &d->v[0], buf, sizeof(buf));
	if (strcmp(buf, line)) {
		psc_test_dump(d);
		fail_msg("want: %s\n got: %s", line, buf);
	}
}

static void directory_is_unreadable(void **state)
{
	(void)state;
	psc_test_expect_only("tests", 2,
			     "tests:0:0: error: topology: is a directory, not "
			     "a topology file [unreadable]", NULL);
}

static void missing_file_is_unreadable(void **state)
{
	(void)state;
	psc_test_expect_only("tests/lint/no-such-file.yaml", 2,
			     "tests/lint/no-such-file.yaml:0:0: error: "
			     "topology: cannot open: No such file or directory "
			     "[unreadable]", NULL);
}

static void ten_megabytes(void **state)
{
	(void)state;
	size_t len = 10 * 1024 * 1024;
	char *buf = malloc(len);
	assert_non_null(buf);
	memset(buf, '#', len);
	psc_diags d;
	bool unreadable;
	assert_false(load_buf(buf, len, &d, &unreadable));
	assert_true(unreadable);
	expect_first(&d, "mem.yaml:1:1: error: topology: the file is 10485760 "
			 "bytes; a topology is at most 1048576 bytes "
			 "[too-large]");
	psc_diags_free(&d);
	free(buf);
}

static void binary_garbage(void **state)
{
	(void)state;
	char buf[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	psc_diags d;
	bool unreadable;
	assert_false(load_buf(buf, sizeof(buf), &d, &unreadable));
	assert_true(unreadable);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].rule, "yaml-syntax");
	assert_true(d.v[0].loc.line >= 1);
	psc_diags_free(&d);
}

/* billion laughs: 9 levels of 9 aliases each; the loader must stop at its
 * visit bound (or never expand it) and finish at once */
static void alias_bomb(void **state)
{
	(void)state;
	char buf[8192];
	size_t n = 0;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "a0: &a0 [\"lol\"]\n");
	for (int i = 1; i <= 9; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,"
				      "*a%d,*a%d,*a%d]\n", i, i, i - 1, i - 1,
				      i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
				      i - 1);
	/* and an alias used where the schema descends */
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "name: bomb\ninstances: *a9\n");
	psc_diags d;
	bool unreadable;
	assert_true(load_buf(buf, n, &d, &unreadable));
	assert_false(unreadable);
	/* every a<i> is an unknown key; instances' items are lists, not
	 * instances: nothing is expanded */
	assert_non_null(psc_diags_find(&d, "unknown-key"));
	assert_non_null(psc_diags_find(&d, "wrong-type"));
	assert_true(d.n < PSC_DIAGS_MAX);
	psc_diags_free(&d);
}

static void deep_nesting(void **state)
{
	(void)state;
	size_t depth = 200000, n = 0;
	char *buf = malloc(depth * 2 + 64);
	assert_non_null(buf);
	n += (size_t)sprintf(buf, "name: ");
	for (size_t i = 0; i < depth; i++)
		buf[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		buf[n++] = ']';
	buf[n++] = '\n';
	psc_diags d;
	bool unreadable;
	assert_false(load_buf(buf, n, &d, &unreadable));
	assert_true(unreadable);
	expect_first(&d, "mem.yaml:1:70: error: topology: YAML nested deeper "
			 "than 64 levels; a topology needs 6 [too-deep]");
	psc_diags_free(&d);
	free(buf);
}

/* the same with block sequences: "- - - - ..." on one line */
static void deep_block_nesting(void **state)
{
	(void)state;
	size_t depth = 100000, n = 0;
	char *buf = malloc(depth * 2 + 64);
	assert_non_null(buf);
	n += (size_t)sprintf(buf, "name:\n");
	for (size_t i = 0; i < depth; i++) {
		buf[n++] = '-';
		buf[n++] = ' ';
	}
	n += (size_t)sprintf(buf + n, "x\n");
	psc_diags d;
	bool unreadable;
	assert_false(load_buf(buf, n, &d, &unreadable));
	assert_true(unreadable);
	assert_string_equal(d.v[0].rule, "too-deep");
	psc_diags_free(&d);
	free(buf);
}

static void too_many_entries(void **state)
{
	(void)state;
	/* 4,097 lines of at most 72 bytes */
	size_t cap = 80 * (PSC_MAX_INSTANCES + 2);
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = (size_t)snprintf(buf, cap, "name: x\ninstances:\n");
	for (int i = 0; i < PSC_MAX_INSTANCES + 1; i++) {
		n += (size_t)snprintf(buf + n, cap - n,
				      "  - {name: vm%d, zone: z, network: n, "
				      "subnetwork: s}\n", i);
		assert_true(n < cap);
	}
	psc_diags d;
	bool unreadable;
	assert_true(load_buf(buf, n, &d, &unreadable));
	const psc_diag *x = psc_diags_find(&d, "too-many");
	assert_non_null(x);
	assert_int_equal(x->loc.line, 3 + PSC_MAX_INSTANCES);
	assert_string_equal(x->msg, "'instances' has more than 4096 entries, "
			    "the most pscLab takes");
	assert_string_equal(x->hint, "the cap is PSC_MAX_INSTANCES in "
			    "include/model/topology.h: split the list, or "
			    "raise the cap and rebuild");
	psc_diags_free(&d);
	free(buf);
}

static void findings_are_bounded(void **state)
{
	(void)state;
	/* thousands of unknown keys: stops at PSC_DIAGS_MAX with a note */
	size_t cap = 200000, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (int i = 0; i < 5000 && n + 32 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "k%d: v\n", i);
	psc_diags d;
	bool unreadable;
	load_buf(buf, n, &d, &unreadable);
	assert_int_equal(d.n, PSC_DIAGS_MAX);
	assert_string_equal(d.v[d.n - 1].rule, "too-many-findings");
	psc_diags_free(&d);
	free(buf);
}

static void topology_path_rules(void **state)
{
	(void)state;
	char out[256], err[128];
	assert_int_equal(psc_topology_path("portmap", "/x/topologies", out,
					   sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "/x/topologies/portmap.yaml");
	assert_int_equal(psc_topology_path("./my.yaml", NULL, out, sizeof(out),
					   err, sizeof(err)), 0);
	assert_string_equal(out, "./my.yaml");
	assert_int_equal(psc_topology_path("a b", NULL, out, sizeof(out), err,
					   sizeof(err)), -1);
	assert_string_equal(err, "'a b' is neither a topology name nor a "
				 ".yaml path");
	/* a scenario by its bare name; anything else under scenarios/ is a
	 * path */
	assert_int_equal(psc_topology_path("scenarios/no-dns-zone",
					   "/x/topologies", out, sizeof(out),
					   err, sizeof(err)), 0);
	assert_string_equal(out, "/x/topologies/scenarios/no-dns-zone.yaml");
	assert_int_equal(psc_topology_path("scenarios/a.yaml", "/x", out,
					   sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "scenarios/a.yaml");
	assert_int_equal(psc_topology_path("scenarios/a/b", "/x", out,
					   sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "scenarios/a/b");
	assert_int_equal(psc_topology_path("scenarios/a b", "/x", out,
					   sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(psc_topology_path("scenarios/", "/x", out,
					   sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "scenarios/");
}

static void did_you_mean(void **state)
{
	(void)state;
	const char *w[] = {"subnetwork", "network", "zone"};
	assert_string_equal(psc_closest("subnetwrok", w, 3), "subnetwork");
	assert_string_equal(psc_closest("zon", w, 3), "zone");
	assert_null(psc_closest("kafka", w, 3));
	assert_int_equal(psc_edit_distance("kitten", "sitting"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portmap_has_seed_values),
		cmocka_unit_test(proxy_has_seed_values),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(wrong_type),
		cmocka_unit_test(wrong_type_list),
		cmocka_unit_test(quoted_integer),
		cmocka_unit_test(missing_key),
		cmocka_unit_test(duplicate_key),
		cmocka_unit_test(bad_value),
		cmocka_unit_test(out_of_range),
		cmocka_unit_test(too_long),
		cmocka_unit_test(multiple_documents),
		cmocka_unit_test(lab_name),
		cmocka_unit_test(node_name),
		cmocka_unit_test(yaml_syntax),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(not_mapping),
		cmocka_unit_test(directory_is_unreadable),
		cmocka_unit_test(missing_file_is_unreadable),
		cmocka_unit_test(ten_megabytes),
		cmocka_unit_test(binary_garbage),
		cmocka_unit_test(alias_bomb),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(deep_block_nesting),
		cmocka_unit_test(too_many_entries),
		cmocka_unit_test(findings_are_bounded),
		cmocka_unit_test(topology_path_rules),
		cmocka_unit_test(did_you_mean),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
