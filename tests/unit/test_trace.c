/* Unit tests: the pure parts of `pscLab trace` (trace.c): the counted
 * rules read by nftables' JSON (nft.c's parser), the deciding rule chosen
 * from before/after counters, the child's line, the diagnosis of each hop
 * on the portmap plan (healthy, and stopped at DNS, endpoint, load
 * balancer, firewall, listener, Kafka), and the text and JSON forms. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <jansson.h>

#include "base/util.h"
#include "fabric/nft.h"
#include "model/addr.h"
#include "plan/plan.h"
#include "verify/trace.h"

static psc_topology *topo;
static psc_plan *plan;
static psc_trace_live *live;

static int setup(void **state)
{
	(void)state;
	topo = psc_test_load("topologies/portmap.yaml");
	plan = psc_test_plan(topo);
	live = calloc(1, sizeof(*live));
	return live ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	psc_topology_free(topo);
	free(live);
	return 0;
}

static uint32_t ipv4(const char *s)
{
	uint32_t a = 0;
	assert_int_equal(psc_ip_parse(s, &a, NULL, 0), 0);
	return a;
}

static int router(void)
{
	return plan->router_ns[0];      /* kafka-vpc's */
}

/* one rule in before (b packets) and after (a packets) */
static void rule(int ns, const char *chain, const char *comment, long long b,
		 long long a, bool drops)
{
	psc_trace_counter c = {.ns = ns};
	PSC_SET(c.c.chain, "%s", chain);
	PSC_SET(c.c.comment, "%s", comment);
	c.c.drops = drops;
	c.c.packets = b;
	live->before[live->n_before++] = c;
	c.c.packets = a;
	live->after[live->n_after++] = c;
}

static void live_reset(void)
{
	memset(live, 0, sizeof(*live));
	live->counters_ok = true;
}

static const char *in_chain(const char *vm)
{
	static char chain[32];
	snprintf(chain, sizeof(chain), "in_%s",
		 psc_plan_vm_by_name(plan, vm)->router_if);
	return chain;
}

/* the counters of portmap's healthy path to broker-node1 via 9093, plus
 * some rules that did not move */
static void healthy_counters(void)
{
	live_reset();
	rule(plan->psc_ns, "endpoint_dnat",
	     "psc endpoint kafka-psc-endpoint -> kafka-psc (kafka-lb)", 4, 5,
	     false);
	rule(plan->psc_ns, "nat_subnet",
	     "psc nat kafka-psc-endpoint -> 10.128.0.2", 4, 5, false);
	rule(plan->psc_ns, "forward", "psc no such endpoint", 0, 0, true);
	rule(router(), "lb_dnat",
	     "lb kafka-lb neg kafka-neg client 9093 -> broker-node1:39092", 2, 3,
	     false);
	rule(router(), "lb_dnat",
	     "lb kafka-lb neg kafka-neg client 9094 -> broker-node2:39092", 7, 7,
	     false);
	rule(router(), "lb_dnat", "lb kafka-lb unmapped client port", 1, 1,
	     true);
	rule(router(), in_chain("broker-node1"),
	     "fw kafka-vpc-allow-custom ALLOW broker-node1", 0, 0, false);
	rule(router(), in_chain("broker-node1"),
	     "fw allow-psc-traffic ALLOW broker-node1", 2, 3, false);
	rule(router(), in_chain("broker-node1"),
	     "fw implied deny ingress broker-node1", 0, 0, true);
	live->psc_found = live->lb_found = true;
	live->psc = (psc_ct_conn){.src = ipv4("172.16.0.2"), .sport = 40000,
				  .dst = ipv4("172.16.0.10"), .dport = 9093,
				  .reply_src = ipv4("10.64.0.5"),
				  .reply_sport = 9093,
				  .reply_dst = ipv4("10.128.0.2"),
				  .reply_dport = 40000};
	live->lb = (psc_ct_conn){.src = ipv4("10.128.0.2"), .sport = 40000,
				 .dst = ipv4("10.64.0.5"), .dport = 9093,
				 .reply_src = ipv4("10.64.0.2"),
				 .reply_sport = 39092,
				 .reply_dst = ipv4("10.128.0.2"),
				 .reply_dport = 40000};
}

static void healthy_obs(psc_trace_obs *o, const char *host, int port)
{
	psc_trace_obs_init(o, host, port);
	PSC_SET(o->resolver, "169.254.169.254");
	o->rcode = 0;
	o->aa = true;
	PSC_SET(o->zone, "abc.us-west1.gcp.3199745.tidbcloud.com.");
	o->n_addrs = 1;
	PSC_SET(o->addr, "172.16.0.10");
	o->connected = true;
	PSC_SET(o->local, "172.16.0.2");
	o->local_port = 40000;
	o->kafka_tried = o->kafka_ok = true;
	o->node_id = 1;
	o->controller = 2;
	PSC_SET(o->brokers, "1 b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093");
}

/* the connection failed with errno e: no Kafka asked */
static void no_connect(psc_trace_obs *o, int e)
{
	o->connected = o->kafka_tried = o->kafka_ok = false;
	o->connect_errno = e;
}

/* healthy_obs of a target given as an address (no DNS): addr itself */
static void addr_obs(psc_trace_obs *o, const char *addr, int port)
{
	healthy_obs(o, addr, port);
	o->is_addr = true;
	PSC_SET(o->addr, "%s", addr);
}

static const char *B1 = "b1.abc.us-west1.gcp.3199745.tidbcloud.com";

static const char *field(const psc_trace_result *r, psc_trace_step s,
			 const char *k)
{
	return json_string_value(json_object_get(r->hops[s].fields, k));
}

/* ---- nft's JSON ---- */

static void counters_parse(void **state)
{
	(void)state;
	const char *js =
		"{\"nftables\": [{\"metainfo\": {}},"
		" {\"rule\": {\"chain\": \"lb_dnat\", \"comment\": \"lb x "
		"unmapped client port\", \"expr\": [{\"counter\": "
		"{\"packets\": 3, \"bytes\": 180}}, {\"drop\": null}]}},"
		" {\"rule\": {\"chain\": \"forward\", \"expr\": [{\"accept\": "
		"null}]}},"
		" {\"rule\": {\"chain\": \"in_v1\", \"comment\": \"fw a ALLOW "
		"b\", \"expr\": [{\"counter\": {\"packets\": 7, \"bytes\": "
		"420}}, {\"accept\": null}]}}]}";
	psc_nft_counter c[4];
	size_t n = 0;
	char err[256];
	assert_int_equal(psc_nft_counters_parse(js, c, 4, &n, err,
						sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].chain, "lb_dnat");
	assert_true(c[0].drops);
	assert_int_equal(c[0].packets, 3);
	assert_string_equal(c[1].comment, "fw a ALLOW b");
	assert_false(c[1].drops);
	assert_int_equal(c[1].bytes, 420);
	assert_int_equal(psc_nft_counters_parse("[1", c, 4, &n, err,
						sizeof(err)), -1);
	assert_int_equal(psc_nft_counters_parse("{\"x\": 1}", c, 4, &n, err,
						sizeof(err)), -1);
}

/* ---- the deciding rule ---- */

static void rose_decides(void **state)
{
	(void)state;
	long long d = 0;
	live_reset();
	rule(3, "in_v", "fw a ALLOW x", 5, 5, false);
	rule(3, "in_v", "fw b ALLOW x", 1, 2, false);
	rule(3, "in_v", "fw implied deny ingress x", 0, 0, true);
	rule(4, "in_v", "fw c ALLOW x", 0, 9, false);   /* another ns */
	const psc_trace_counter *c = psc_trace_rose(live, 3, "in_v", "fw ",
						    NULL, &d);
	assert_non_null(c);
	assert_string_equal(c->c.comment, "fw b ALLOW x");
	assert_int_equal(d, 1);
	/* two rose: the one the plan names wins, else the first */
	rule(3, "in_v", "fw d ALLOW x", 0, 4, false);
	c = psc_trace_rose(live, 3, "in_v", "fw ", "fw d ALLOW x", &d);
	assert_string_equal(c->c.comment, "fw d ALLOW x");
	assert_int_equal(d, 4);
	c = psc_trace_rose(live, 3, "in_v", "fw ", "fw a ALLOW x", &d);
	assert_string_equal(c->c.comment, "fw b ALLOW x");
	/* the prefix filters; nothing rose: NULL */
	assert_null(psc_trace_rose(live, 3, "in_v", "fw implied", NULL, &d));
	assert_int_equal(d, 0);
	/* one comment for two nft rules: each compared with its own */
	rule(3, "in_v", "fw e ALLOW x", 10, 10, false);
	rule(3, "in_v", "fw e ALLOW x", 0, 3, false);
	c = psc_trace_rose(live, 3, "in_v", "fw e", NULL, &d);
	assert_non_null(c);
	assert_int_equal(d, 3);
	/* a counter new since before counts from 0 */
	live->after[live->n_after] = live->after[0];
	PSC_SET(live->after[live->n_after].c.comment, "fw new ALLOW x");
	live->n_after++;
	c = psc_trace_rose(live, 3, "in_v", "fw new", NULL, &d);
	assert_int_equal(d, 5);
	live->counters_ok = false;
	assert_null(psc_trace_rose(live, 3, "in_v", "fw ", NULL, &d));
}

/* ---- the child's line ---- */

static void obs_roundtrip(void **state)
{
	(void)state;
	psc_trace_obs o, back;
	char line[8192], err[256];
	healthy_obs(&o, B1, 9093);
	PSC_SET(o.kafka_error, "a \"quoted\" error");
	assert_int_equal(psc_trace_obs_json(&o, line, sizeof(line)), 0);
	assert_null(strchr(line, '\n'));
	assert_int_equal(psc_trace_obs_parse(line, &back, err, sizeof(err)), 0);
	assert_memory_equal(&o, &back, sizeof(o));
	assert_int_equal(psc_trace_obs_json(&o, line, 20), -1);
	assert_int_equal(psc_trace_obs_parse("{\"x\": 1}", &back, err,
					     sizeof(err)), -1);
	assert_int_equal(psc_trace_obs_parse("END", &back, err, sizeof(err)),
			 -1);
}

/* ---- the diagnosis ---- */

static void healthy(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	healthy_counters();
	healthy_obs(&o, B1, 9093);
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, -1);
	assert_int_equal(psc_trace_exit_code(&r), 0);
	for (int s = 0; s < PSC_TRACE_STEPS; s++)
		assert_int_equal(r.hops[s].state, PSC_TRACE_OK);
	assert_string_equal(field(&r, PSC_TRACE_DNS, "record"),
			    "*.abc.us-west1.gcp.3199745.tidbcloud.com.");
	assert_string_equal(field(&r, PSC_TRACE_ENDPOINT, "endpoint_status"),
			    "ACCEPTED");
	assert_false(r.hops[PSC_TRACE_ENDPOINT].from_plan);
	assert_string_equal(field(&r, PSC_TRACE_NAT, "address"), "10.128.0.2");
	assert_false(r.hops[PSC_TRACE_NAT].from_plan);
	assert_string_equal(field(&r, PSC_TRACE_LB, "backend"), "broker-node1");
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "rule"),
			    "allow-psc-traffic");
	assert_int_equal(json_integer_value(json_object_get(
		r.hops[PSC_TRACE_FIREWALL].fields, "priority")), 1000);
	assert_false(r.hops[PSC_TRACE_FIREWALL].from_plan);
	assert_non_null(strstr(r.hops[PSC_TRACE_LISTENER].text,
			       "broker 1's listener EXTERNAL"));
	assert_true(r.hops[PSC_TRACE_LISTENER].from_plan);
	assert_int_equal(json_integer_value(json_object_get(
		r.hops[PSC_TRACE_KAFKA].fields, "node_id")), 1);
	psc_trace_result_free(&r);
}

/* the counters say the packets did not get through the firewall, while
 * the stored topology says allow-psc-traffic allows them */
static void firewall_deny(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	healthy_counters();
	live->after[7].c.packets = 2;           /* allow-psc-traffic: still */
	live->after[8].c.packets = 3;           /* implied deny: 3 SYNs */
	live->lb_found = true;
	healthy_obs(&o, B1, 9093);
	no_connect(&o, ETIMEDOUT);
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_FIREWALL);
	assert_int_equal(psc_trace_exit_code(&r), 1);
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "rule"),
			    "implied deny ingress");
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "action"), "DENY");
	assert_int_equal(json_integer_value(json_object_get(
		r.hops[PSC_TRACE_FIREWALL].fields, "priority")), 65535);
	assert_non_null(strstr(r.hops[PSC_TRACE_FIREWALL].text,
			       "running rules differ"));
	assert_int_equal(r.hops[PSC_TRACE_LISTENER].state,
			 PSC_TRACE_NOT_REACHED);
	assert_int_equal(r.hops[PSC_TRACE_KAFKA].state, PSC_TRACE_NOT_REACHED);
	psc_trace_result_free(&r);
}

static void unmapped_port(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	healthy_counters();
	live->after[3].c.packets = 2;           /* 9093's rule: still */
	live->after[5].c.packets = 4;           /* unmapped: 3 SYNs */
	live->lb_found = false;
	healthy_obs(&o, B1, 9092);
	no_connect(&o, ETIMEDOUT);
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_LB);
	assert_non_null(strstr(r.hops[PSC_TRACE_LB].text,
			       "no NEG mapping for client port 9092"));
	assert_non_null(strstr(r.hops[PSC_TRACE_LB].why, "9093, 9094, 9095"));
	assert_int_equal(r.hops[PSC_TRACE_FIREWALL].state,
			 PSC_TRACE_NOT_REACHED);
	psc_trace_result_free(&r);
}

static void dns_nxdomain(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	live_reset();
	psc_trace_obs_init(&o, "nosuch.example.com", 9093);
	PSC_SET(o.resolver, "169.254.169.254");
	o.rcode = 3;
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_DNS);
	assert_non_null(strstr(r.hops[PSC_TRACE_DNS].text, "NXDOMAIN"));
	assert_non_null(strstr(r.hops[PSC_TRACE_DNS].why,
			       "abc.us-west1.gcp.3199745.tidbcloud.com."));
	psc_trace_result_free(&r);
	/* NXDOMAIN inside the zone: the zone is named */
	PSC_SET(o.host, "x.b1.abc.us-west1.gcp.3199745.tidbcloud.com");
	PSC_SET(o.zone, "abc.us-west1.gcp.3199745.tidbcloud.com.");
	o.aa = true;
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_DNS);
	assert_non_null(strstr(r.hops[PSC_TRACE_DNS].text, "from zone abc."));
	psc_trace_result_free(&r);
	/* no answer at all */
	o.rcode = -1;
	PSC_SET(o.dns_error, "query: timeout");
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_DNS);
	assert_non_null(strstr(r.hops[PSC_TRACE_DNS].why, "dns-tidbcloud-vpc"));
	psc_trace_result_free(&r);
}

/* the endpoint's project is not accepted: PENDING, its drop rule rose */
static void endpoint_pending(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	snprintf(t->service_attachments[0].consumer_accept_lists[0].project,
		 PSC_NAME_LEN, "another-project");
	psc_plan *p = psc_test_plan(t);
	assert_int_not_equal(p->eps[0].status, PSC_EP_ACCEPTED);
	live_reset();
	char c[128];
	snprintf(c, sizeof(c), "psc endpoint kafka-psc-endpoint %s",
		 psc_ep_status_name(p->eps[0].status));
	rule(p->psc_ns, "forward", c, 0, 3, true);
	healthy_obs(&o, B1, 9093);
	no_connect(&o, ETIMEDOUT);
	psc_trace_diagnose(p, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_ENDPOINT);
	assert_false(r.hops[PSC_TRACE_ENDPOINT].from_plan);
	assert_non_null(strstr(r.hops[PSC_TRACE_ENDPOINT].why,
			       "tidbcloud-prod-000"));
	psc_trace_result_free(&r);
	psc_topology_free(t);
	plan = psc_test_plan(topo);
}

static void refused_and_kafka(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	healthy_counters();
	healthy_obs(&o, B1, 9093);
	no_connect(&o, ECONNREFUSED);
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_LISTENER);
	assert_non_null(strstr(r.hops[PSC_TRACE_LISTENER].text,
			       "refused at broker-node1:39092"));
	psc_trace_result_free(&r);
	/* connected, but no Kafka answer */
	healthy_obs(&o, B1, 9093);
	o.kafka_ok = false;
	o.node_id = -1;
	PSC_SET(o.kafka_error, "Local: Broker transport failure");
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_KAFKA);
	assert_int_equal(r.hops[PSC_TRACE_LISTENER].state, PSC_TRACE_OK);
	psc_trace_result_free(&r);
	/* another broker answered than the one behind the port */
	healthy_obs(&o, B1, 9093);
	o.node_id = 2;
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_KAFKA);
	assert_non_null(strstr(r.hops[PSC_TRACE_KAFKA].why, "broker 2 answered"));
	psc_trace_result_free(&r);
}

/* from the plan where the kernel told nothing: no counters, no conntrack */
static void from_the_plan(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	live_reset();
	live->counters_ok = false;
	addr_obs(&o, "172.16.0.10", 9094);
	o.node_id = 2;
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	assert_int_equal(r.hops[PSC_TRACE_DNS].state, PSC_TRACE_NOT_USED);
	assert_true(r.hops[PSC_TRACE_ENDPOINT].from_plan);
	assert_true(r.hops[PSC_TRACE_NAT].from_plan);
	/* no rule of the load balancer counted it: it cannot say where */
	assert_int_equal(r.stopped, PSC_TRACE_LB);
	psc_trace_result_free(&r);
	/* a VM's own address from the bastion: no PSC, no load balancer */
	addr_obs(&o, "10.64.0.3", 39092);
	o.node_id = 2;
	psc_trace_diagnose(plan, "bastion-node", &o, live, &r);
	assert_int_equal(r.hops[PSC_TRACE_ENDPOINT].state, PSC_TRACE_NOT_USED);
	assert_int_equal(r.hops[PSC_TRACE_LB].state, PSC_TRACE_NOT_USED);
	assert_string_equal(field(&r, PSC_TRACE_FIREWALL, "rule"),
			    "kafka-vpc-allow-custom");
	assert_true(r.hops[PSC_TRACE_FIREWALL].from_plan);
	assert_int_equal(r.stopped, -1);
	psc_trace_result_free(&r);
}

/* the FAQ's second project (proxy-two-projects): changefeed2's path
 * ends at the second kafka-proxy (kafka_proxies[]), whose listener the
 * hop names, not "nothing the topology declares" */
static void second_proxy(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	psc_topology *t = psc_test_load("topologies/proxy-two-projects.yaml");
	psc_plan *p = psc_test_plan(t);
	live_reset();
	live->counters_ok = false;
	for (int port = 9092; port <= 9095; port += 3) {
		addr_obs(&o, "172.20.0.10", port);
		PSC_SET(o.brokers,
			"1 b1.def.us-west1.gcp.3199745.tidbcloud.com:9092");
		psc_trace_diagnose(p, "changefeed2", &o, live, &r);
		assert_string_equal(field(&r, PSC_TRACE_LB, "backend"),
				    "kafka-proxy-node2");
		assert_int_equal(r.hops[PSC_TRACE_LISTENER].state,
				 PSC_TRACE_OK);
		const char *l = field(&r, PSC_TRACE_LISTENER, "listener");
		if (port == 9092)
			assert_string_equal(l, "kafka-proxy's listener "
					    "0.0.0.0:9092 -> upstream "
					    "broker-node1:9092 (advertised "
					    "b1.def.us-west1.gcp.3199745."
					    "tidbcloud.com:9092)");
		else
			assert_string_equal(l, "kafka-proxy's dynamic "
					    "listeners (from port 9095)");
		psc_trace_result_free(&r);
	}
	/* refused on a dynamic port: kafka-proxy opens it lazily */
	addr_obs(&o, "172.20.0.10", 9095);
	no_connect(&o, ECONNREFUSED);
	psc_trace_diagnose(p, "changefeed2", &o, live, &r);
	assert_int_equal(r.stopped, PSC_TRACE_LISTENER);
	assert_non_null(strstr(r.hops[PSC_TRACE_LISTENER].why,
			       "opens a dynamic port only when"));
	psc_trace_result_free(&r);
	psc_topology_free(t);
	plan = psc_test_plan(topo);
}

/* ---- outputs ---- */

static void outputs(void **state)
{
	(void)state;
	psc_trace_obs o;
	psc_trace_result r;
	healthy_counters();
	healthy_obs(&o, B1, 9092);
	live->after[3].c.packets = 2;
	live->after[5].c.packets = 2;
	live->lb_found = false;
	o.connected = o.kafka_tried = o.kafka_ok = false;
	psc_trace_diagnose(plan, "changefeed", &o, live, &r);
	json_t *j = psc_trace_json(&r);
	assert_non_null(j);
	assert_false(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(j,
							      "stopped_at")),
			    "lb");
	json_t *hops = json_object_get(j, "hops");
	assert_int_equal(json_array_size(hops), PSC_TRACE_STEPS);
	json_t *lb = json_array_get(hops, PSC_TRACE_LB);
	assert_string_equal(json_string_value(json_object_get(lb, "hop")), "lb");
	assert_string_equal(json_string_value(json_object_get(lb, "status")),
			    "stopped");
	assert_string_equal(json_string_value(json_object_get(lb, "rule")),
			    "lb kafka-lb unmapped client port");
	assert_non_null(json_string_value(json_object_get(lb, "why")));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(hops, PSC_TRACE_KAFKA), "status")),
		"not reached");
	/* a hop's own fields do not hide under the common ones */
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(hops, PSC_TRACE_ENDPOINT), "endpoint_status")),
		"ACCEPTED");
	json_decref(j);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(psc_trace_print_text(&r, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "trace portmap: changefeed -> b1."));
	assert_non_null(strstr(buf, "  lb        STOPPED     load balancer"));
	assert_non_null(strstr(buf, "stopped at lb: "));
	assert_non_null(strstr(buf, "(from the plan)"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(psc_trace_print_json(&r, f), 0);
	fclose(f);
	json_error_t je;
	json_t *back = json_loads(buf, 0, &je);
	assert_non_null(back);
	json_decref(back);
	free(buf);
	assert_string_equal(psc_trace_step_name(PSC_TRACE_FIREWALL),
			    "firewall");
	assert_string_equal(psc_trace_state_name(PSC_TRACE_NOT_USED),
			    "not used");
	psc_trace_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_parse),
		cmocka_unit_test(rose_decides),
		cmocka_unit_test(obs_roundtrip),
		cmocka_unit_test(healthy),
		cmocka_unit_test(firewall_deny),
		cmocka_unit_test(unmapped_port),
		cmocka_unit_test(dns_nxdomain),
		cmocka_unit_test(endpoint_pending),
		cmocka_unit_test(refused_and_kafka),
		cmocka_unit_test(from_the_plan),
		cmocka_unit_test(second_proxy),
		cmocka_unit_test(outputs),
	};
	return cmocka_run_group_tests_name("trace", tests, setup, teardown);
}
