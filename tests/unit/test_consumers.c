/* Unit tests: a second TiDB Cloud project on the same Kafka (the seed's
 * FAQ): the model's changefeeds[], external_ports and kafka_proxies[]
 * (loader), the consumers and their views (model/consumers.c), the
 * linter's rules for them (lint_consumers.c, with the fixture
 * tests/lint/kafka-external-port-overlap), the plan (two endpoints, two
 * NAT addresses, the NEG's second set of mappings), server.properties'
 * EXTERNAL2, the second kafka-proxy's flags, a rejected project, and
 * verify's context and diagnosis of the other project's names. */
#include "psc_test.h"

#include "model/addr.h"
#include "model/consumers.h"
#include "model/fault.h"
#include "plan/nftgen.h"
#include "plan/plan.h"
#include "runtime/kafka.h"
#include "runtime/lab_kafka.h"
#include "verify/verify.h"

#define PM2 "topologies/portmap-two-projects.yaml"
#define PX2 "topologies/proxy-two-projects.yaml"
#define DEF "def.us-west1.gcp.3199745.tidbcloud.com"
#define ABC "abc.us-west1.gcp.3199745.tidbcloud.com"

static void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not in:\n%s", needle, hay);
}

static void lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("'%s' unexpectedly in:\n%s", needle, hay);
}

/* ---- the loader and the model ---- */

static void load_two_projects(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load(PM2);
	assert_int_equal(t->n_changefeeds, 1);
	const psc_changefeed *cf = &t->changefeeds[0];
	assert_true(cf->present);
	assert_string_equal(cf->instance, "changefeed2");
	assert_string_equal(cf->endpoint, "kafka-psc-endpoint2");
	assert_string_equal(cf->project, "tidbcloud-prod-001");
	assert_string_equal(cf->external_listener, "EXTERNAL2");
	assert_int_equal(cf->n_bootstrap_ports, 3);
	assert_int_equal(cf->bootstrap_ports[0], 9103);
	const psc_broker *b = &t->kafka.brokers[2];
	assert_int_equal(b->external_port, 9095);
	assert_int_equal(b->n_external_ports, 1);
	assert_string_equal(b->external_ports[0].listener, "EXTERNAL2");
	assert_int_equal(b->external_ports[0].port, 9105);
	assert_true(b->external_ports[0].port_loc.line > 0);
	psc_topology_free(t);

	/* the old files load as before: one consumer */
	t = psc_test_load("topologies/portmap.yaml");
	assert_int_equal(t->n_changefeeds, 0);
	assert_int_equal(t->n_kafka_proxies, 0);
	assert_int_equal(t->kafka.brokers[0].n_external_ports, 0);
	assert_int_equal(psc_consumer_count(t), 1);
	psc_topology_free(t);

	t = psc_test_load(PX2);
	assert_int_equal(t->n_kafka_proxies, 1);
	assert_true(t->kafka_proxies[0].present);
	assert_string_equal(t->kafka_proxies[0].instance, "kafka-proxy-node2");
	assert_int_equal(t->kafka_proxies[0].n_bootstrap_server_mappings, 3);
	psc_topology_free(t);
}

/* a port that is not a number, a key changefeed: does not take */
static void load_refusals(void **state)
{
	(void)state;
	char path[PATH_MAX];
	psc_test_fmt(path, sizeof(path), "%s/bad.yaml",
		     psc_test_fixture_dir());
	char *s = psc_test_slurp(PM2);
	assert_non_null(s);
	char *at = strstr(s, "{EXTERNAL2: 9103}");
	assert_non_null(at);
	memcpy(at, "{EXTERNAL2: abcd}", 17);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	free(s);
	psc_diags d;
	bool unreadable;
	psc_diags_init(&d, path);
	psc_topology *t = psc_topology_load_file(path, &d, &unreadable);
	assert_true(d.n_errors >= 1);
	assert_non_null(psc_diags_find(&d, "wrong-type"));
	psc_diags_free(&d);
	psc_topology_free(t);
}

static void consumers_and_views(void **state)
{
	(void)state;
	char out[PSC_ADDR_LEN], err[128];
	psc_topology *t = psc_test_load(PM2);
	assert_int_equal(psc_consumer_count(t), 2);
	assert_string_equal(psc_consumer_project(t, 0), "tidbcloud-prod-000");
	assert_string_equal(psc_consumer_project(t, 1), "tidbcloud-prod-001");
	assert_string_equal(psc_consumer_listener(t, 1), "EXTERNAL2");
	assert_int_equal(psc_consumer_domain(t, 1, out, sizeof(out)), 0);
	assert_string_equal(out, DEF);
	assert_int_equal(psc_consumer_of_host(t, "b1." ABC), 0);
	assert_int_equal(psc_consumer_of_host(t, "b3." DEF), 1);
	assert_int_equal(psc_consumer_of_host(t, "10.64.0.2"), -1);
	assert_null(psc_consumer_changefeed(t, 2));

	const psc_broker *b1 = &t->kafka.brokers[0];
	assert_int_equal(psc_broker_group_port(t, b1, "EXTERNAL", NULL), 9093);
	assert_int_equal(psc_broker_group_port(t, b1, "EXTERNAL2", NULL), 9103);
	assert_int_equal(psc_broker_group_port(t, b1, "INTERNAL", NULL), 0);
	assert_int_equal(psc_broker_advertised_group(t, b1, "EXTERNAL2", out,
						     sizeof(out)), 0);
	assert_string_equal(out, "b1." DEF ":9103");
	assert_int_equal(psc_broker_advertised_group(t, b1, "EXTERNAL", out,
						     sizeof(out)), -1);

	psc_topology *v = psc_consumer_view(t, 1, err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(v->changefeed.instance, "changefeed2");
	assert_string_equal(v->tidbcloud.project, "tidbcloud-prod-001");
	assert_string_equal(v->kafka.external_listener, "EXTERNAL2");
	assert_int_equal(v->n_changefeeds, 0);
	assert_int_equal(v->kafka.brokers[1].external_port, 9104);
	assert_int_equal(psc_broker_advertised_external(v, &v->kafka.brokers[1],
							out, sizeof(out)), 0);
	assert_string_equal(out, "b2." DEF ":9104");
	/* the file's own topology is left as it was */
	assert_int_equal(t->kafka.brokers[1].external_port, 9094);
	assert_string_equal(t->tidbcloud.project, "tidbcloud-prod-000");
	psc_topology_free(v);
	assert_null(psc_consumer_view(t, 2, err, sizeof(err)));
	has(err, "no consumer 2");
	psc_topology_free(t);
}

static void proxy_of_consumer(void **state)
{
	(void)state;
	char err[128];
	psc_topology *t = psc_test_load(PX2);
	assert_ptr_equal(psc_consumer_proxy(t, 0), &t->kafka_proxy);
	assert_ptr_equal(psc_consumer_proxy(t, 1), &t->kafka_proxies[0]);
	/* the kafka-proxy on an instance, the consumer of a node */
	assert_ptr_equal(psc_kafka_proxy_on(t, "kafka-proxy-node"),
			 &t->kafka_proxy);
	assert_ptr_equal(psc_kafka_proxy_on(t, "kafka-proxy-node2"),
			 &t->kafka_proxies[0]);
	assert_null(psc_kafka_proxy_on(t, "broker-node1"));
	assert_int_equal(psc_consumer_of_node(t, "changefeed"), 0);
	assert_int_equal(psc_consumer_of_node(t, "changefeed2"), 1);
	assert_int_equal(psc_consumer_of_node(t, "kafka-proxy-node2"), -1);
	psc_topology *v = psc_consumer_view(t, 1, err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(v->kafka_proxy.instance, "kafka-proxy-node2");
	static psc_argv a;
	assert_int_equal(psc_kafka_proxy_argv(v, "./kafka-proxy", &a, err,
					      sizeof(err)), 0);
	bool dyn = false, map = false;
	for (size_t i = 0; i < a.n; i++) {
		dyn |= strcmp(a.v[i], "--dynamic-advertised-listener=brokers."
			      DEF) == 0;
		map |= strcmp(a.v[i], "10.64.0.2:9092,0.0.0.0:9092,b1." DEF
			      ":9092") == 0;
	}
	assert_true(dyn);
	assert_true(map);
	psc_topology_free(v);
	char name[PSC_PROC_NAME_LEN];
	psc_lab_proxy_proc_name_of(t, &t->kafka_proxy, 0, name, sizeof(name));
	assert_string_equal(name, "kafka-proxy");
	psc_lab_proxy_proc_name_of(t, &t->kafka_proxies[0], 0, name,
				   sizeof(name));
	assert_string_equal(name, "kafka-proxy-kafka-proxy-node2");
	assert_int_equal(psc_lab_proxy_on(&t->kafka_proxies[0],
					  "kafka-proxy-node2"), 0);
	assert_int_equal(psc_lab_proxy_on(&t->kafka_proxies[0],
					  "kafka-proxy-node"), -1);
	psc_topology_free(t);
}

/* ---- lint ---- */

static void lint_clean(const char *path)
{
	psc_diags d;
	int rc = psc_test_lint(path, &d);
	if (d.n_errors) {
		psc_test_dump(&d);
		fail_msg("%s: lint errors", path);
	}
	assert_int_equal(rc, 0);
	psc_diags_free(&d);
}

static void lint_shipped(void **state)
{
	(void)state;
	lint_clean(PM2);
	lint_clean(PX2);
}

/* kafka-external-port-overlap: EXTERNAL2's range spans EXTERNAL's */
static void lint_overlap(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-external-port-overlap.yaml", 1,
		"tests/lint/kafka-external-port-overlap.yaml:175:35: error: "
		"broker 1 (broker-node1): client ports 9092..9097 of listener "
		"group EXTERNAL2 overlap EXTERNAL's range 9093..9095 (port "
		"9092): the seed's FAQ says the port range of EXTERNAL2 can "
		"not overlap with the EXTERNAL; each project bootstraps on its "
		"own range, and one port in both would lead one project's "
		"changefeed to the other's listener [external-port-overlap]",
		"give EXTERNAL2 client ports outside 9093..9095, e.g. from "
		"9098 up");
}

/* a rule of lint_kafka.c found again for the second project only: its
 * NEG endpoint to EXTERNAL instead of EXTERNAL2 */
static void lint_per_consumer(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load(PM2);
	for (size_t g = 0; g < t->n_network_endpoint_groups; g++)
		for (size_t i = 0;
		     i < t->network_endpoint_groups[g].n_endpoints; i++) {
			psc_neg_endpoint *e =
				&t->network_endpoint_groups[g].endpoints[i];
			if (e->client_port == 9104)
				e->port = 39092;
		}
	psc_diags d;
	psc_diags_init(&d, PM2);
	assert_true(psc_lint(t, &d) >= 1);
	const psc_diag *x = psc_diags_find(&d, "advertised-reach");
	if (!x) {
		psc_test_dump(&d);
		fail_msg("no advertised-reach finding");
	}
	has(x->msg, "(project tidbcloud-prod-001)");
	has(x->msg, "b2." DEF ":9104");
	has(x->msg, "listener 'EXTERNAL', not external_listener 'EXTERNAL2'");
	psc_diags_free(&d);
	/* the same break in a one-project file is not this rule's (nothing
	 * advertises 9104) */
	psc_topology_free(t);
}

static void lint_listener_rules(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load(PM2);
	psc_diags d;
	snprintf(t->changefeeds[0].external_listener, PSC_NAME_LEN, "EXTERNAL");
	psc_diags_init(&d, PM2);
	psc_lint(t, &d);
	const psc_diag *x = psc_diags_find(&d, "consumer-listener");
	assert_non_null(x);
	has(x->msg, "is the first project's");
	assert_non_null(psc_diags_find(&d, "external-port-listener"));
	psc_diags_free(&d);

	snprintf(t->changefeeds[0].external_listener, PSC_NAME_LEN,
		 "EXTERNAL2");
	snprintf(t->changefeeds[0].advertised_listener_pattern, PSC_HOST_LEN,
		 "%s", t->tidbcloud.advertised_listener_pattern);
	psc_diags_init(&d, PM2);
	psc_lint(t, &d);
	x = psc_diags_find(&d, "consumer-pattern-unique");
	assert_non_null(x);
	has(x->msg, ABC);
	psc_diags_free(&d);
	psc_topology_free(t);
}

/* ---- the plan ---- */

static void plan_two_endpoints(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load(PM2);
	psc_plan *p = psc_test_plan(t);
	assert_int_equal(p->n_eps, 2);
	char a[16], b[16];
	assert_string_equal(p->eps[0].ep->name, "kafka-psc-endpoint");
	assert_string_equal(p->eps[1].ep->name, "kafka-psc-endpoint2");
	assert_string_equal(psc_ip_str(p->eps[0].nat_ip, a, sizeof(a)),
			    "10.128.0.2");
	assert_string_equal(psc_ip_str(p->eps[1].nat_ip, b, sizeof(b)),
			    "10.128.0.3");
	assert_ptr_equal(p->eps[0].sa, p->eps[1].sa);
	assert_int_equal(p->eps[0].status, PSC_EP_ACCEPTED);
	assert_int_equal(p->eps[1].status, PSC_EP_ACCEPTED);
	assert_true(p->eps[0].consumer_router_ns != p->eps[1].consumer_router_ns);

	/* the NEG's second set: 9103..9105 -> EXTERNAL2 (39093) */
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, "broker-node1");
	assert_non_null(vm);
	char *nft = psc_nft_router_text(p, (size_t)vm->network, NULL);
	assert_non_null(nft);
	has(nft, "client 9093 -> broker-node1:39092");
	has(nft, "client 9103 -> broker-node1:39093");
	has(nft, "client 9105 -> broker-node3:39093");
	free(nft);
	char *ps = psc_nft_psc_text(p);
	assert_non_null(ps);
	has(ps, "10.128.0.2");
	has(ps, "10.128.0.3");
	free(ps);
	psc_topology_free(t);
}

/* `pscLab fault <lab> reject tidbcloud-prod-001`: its endpoint REJECTED,
 * the first project's ACCEPTED still */
static void reject_one_project(void **state)
{
	(void)state;
	char err[256];
	psc_topology *t = psc_test_load(PM2);
	psc_fault f;
	bool undo;
	char *argv[] = {"reject", "tidbcloud-prod-001"};
	assert_int_equal(psc_fault_parse(t, 2, argv, &f, &undo, err,
					 sizeof(err)), 0);
	assert_int_equal(psc_fault_apply(t, &f, err, sizeof(err)), 0);
	psc_plan *p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_ACCEPTED);
	assert_int_equal(p->eps[1].status, PSC_EP_REJECTED);
	has(p->eps[1].reason, "tidbcloud-prod-001");
	psc_topology_free(t);
}

/* ---- server.properties ---- */

static void props_external2(void **state)
{
	(void)state;
	char err[256];
	psc_topology *t = psc_test_load(PM2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(psc_kafka_server_properties(
		t, psc_test_plan(t), &t->kafka.brokers[1], "/tmp/x", f, err,
		sizeof(err)), 0);
	fclose(f);
	has(buf, "listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:"
		 "29092,EXTERNAL://0.0.0.0:39092,EXTERNAL2://0.0.0.0:39093\n");
	has(buf, "advertised.listeners=INTERNAL://10.64.0.3:9092,EXTERNAL://b2."
		 ABC ":9094,EXTERNAL2://b2." DEF ":9104\n");
	has(buf, "EXTERNAL2:PLAINTEXT");
	free(buf);
	psc_topology_free(t);
}

/* ---- verify ---- */

/* verify's context of consumer k of t, as psc_verify_run builds it */
static void view_ctx(const psc_topology *t, const psc_plan *p, size_t k,
		     psc_verify_ctx *c)
{
	char err[256];
	psc_topology *v = psc_consumer_view(t, k, err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(psc_verify_ctx_build(v, p, NULL, c, err,
					      sizeof(err)), 0);
	psc_verify_ctx_consumers(t, k, c);
	psc_topology_free(v);
}

static void verify_other_project(void **state)
{
	(void)state;
	static psc_verify_ctx c;   /* 5.5 MB: not on the stack */
	char err[256];
	psc_topology *t = psc_test_load(PM2);
	psc_plan *p = psc_test_plan(t);
	view_ctx(t, p, 1, &c);
	assert_string_equal(c.changefeed, "changefeed2");
	assert_string_equal(c.endpoint_ip, "172.20.0.10");
	assert_string_equal(c.nat_ip, "10.128.0.3");
	assert_string_equal(c.domain, DEF);
	assert_string_equal(c.consumer_project, "tidbcloud-prod-001");
	assert_int_equal(c.external_listener_port, 39093);
	assert_string_equal(c.brokers[0].external, "b1." DEF ":9103");
	assert_int_equal(c.n_bootstrap_ports, 3);
	assert_int_equal(c.bootstrap_ports[2], 9105);
	assert_int_equal(c.n_others, 1);
	assert_string_equal(c.other_domain[0], ABC);
	assert_string_equal(c.other_project[0], "tidbcloud-prod-000");

	/* the other project's name in this one's Metadata: FAIL, named */
	psc_verify_obs o;
	psc_verify_obs_init(&o, "changefeed2", "Metadata names only advertised "
			    "addresses");
	o.sym = PSC_SYM_LEAKED;
	o.expected = 1;
	snprintf(o.host, sizeof(o.host), "b1." ABC);
	o.port = 9093;
	snprintf(o.api, sizeof(o.api), "Metadata");
	psc_verify_check k;
	psc_verify_diagnose(&c, &o, NULL, &k);
	assert_int_equal(k.status, PSC_VERIFY_FAIL);
	has(k.detail, "a name of project tidbcloud-prod-000's pattern");
	has(k.detail, "EXTERNAL, the other project's listener group");
	has(k.fix, "port 39093 (not EXTERNAL's)");
	/* ... in DescribeCluster: WARN, named the same */
	snprintf(o.api, sizeof(o.api), "DescribeCluster");
	psc_verify_diagnose(&c, &o, NULL, &k);
	assert_int_equal(k.status, PSC_VERIFY_WARN);
	has(k.detail, "project tidbcloud-prod-000's pattern");
	/* a broker's own address: as before, no project named */
	snprintf(o.host, sizeof(o.host), "10.64.0.2");
	snprintf(o.api, sizeof(o.api), "Metadata");
	psc_verify_diagnose(&c, &o, NULL, &k);
	assert_int_equal(k.status, PSC_VERIFY_FAIL);
	lacks(k.detail, "project tidbcloud-prod-000");
	/* the advertised address of check_broker */
	o.sym = PSC_SYM_ADVERTISED;
	snprintf(o.host, sizeof(o.host), "b1." ABC);
	snprintf(o.want, sizeof(o.want), "b1." DEF ":9103");
	psc_verify_diagnose(&c, &o, NULL, &k);
	assert_int_equal(k.status, PSC_VERIFY_FAIL);
	has(k.detail, "project tidbcloud-prod-000's pattern");

	/* consumer 0 of the same file sees consumer 1 as its other */
	assert_int_equal(psc_verify_ctx_build(t, p, NULL, &c, err,
					      sizeof(err)), 0);
	psc_verify_ctx_consumers(t, 0, &c);
	assert_int_equal(c.n_others, 1);
	assert_string_equal(c.other_domain[0], DEF);
	assert_string_equal(c.nat_ip, "10.128.0.2");
	psc_topology_free(t);
}

static void verify_proxy_journal(void **state)
{
	(void)state;
	static psc_verify_ctx c;
	psc_topology *t = psc_test_load(PX2);
	psc_plan *p = psc_test_plan(t);
	view_ctx(t, p, 1, &c);
	assert_string_equal(c.proxy_instance, "kafka-proxy-node2");
	assert_string_equal(c.proxy_journal, "kafka-proxy-kafka-proxy-node2");
	assert_string_equal(c.load_balancer, "kafka-proxy-lb2");
	assert_string_equal(c.nat_ip, "10.128.64.2");
	assert_string_equal(c.brokers[0].external, "b1." DEF ":9092");
	psc_topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_two_projects),
		cmocka_unit_test(load_refusals),
		cmocka_unit_test(consumers_and_views),
		cmocka_unit_test(proxy_of_consumer),
		cmocka_unit_test(lint_shipped),
		cmocka_unit_test(lint_overlap),
		cmocka_unit_test(lint_per_consumer),
		cmocka_unit_test(lint_listener_rules),
		cmocka_unit_test(plan_two_endpoints),
		cmocka_unit_test(reject_one_project),
		cmocka_unit_test(props_external2),
		cmocka_unit_test(verify_other_project),
		cmocka_unit_test(verify_proxy_journal),
	};
	return cmocka_run_group_tests_name("consumers", tests, NULL, NULL);
}
