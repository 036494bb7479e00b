/* Unit tests: the pure parts of `pscLab verify` (verify.c): the lab's
 * context from a topology and its plan, the diagnosis table (one test per
 * hop), the observations' JSON lines, the report, and its text, JSON and
 * JUnit forms. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <jansson.h>

#include "plan/plan.h"
#include "verify/lb_health.h"
#include "verify/verify.h"

static psc_topology *topo;
static psc_plan *plan;
static psc_verify_ctx ctx;

static void load(const char *path)
{
	char err[256];
	psc_topology_free(topo);
	topo = psc_test_load(path);
	plan = psc_test_plan(topo);
	if (psc_verify_ctx_build(topo, plan, NULL, &ctx, err, sizeof(err)) != 0)
		fail_msg("ctx: %s", err);
}

static int teardown(void **state)
{
	(void)state;
	psc_topology_free(topo);
	topo = NULL;
	return 0;
}

static int setup_portmap(void **state)
{
	(void)state;
	load("topologies/portmap.yaml");
	return 0;
}

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

static psc_verify_obs obs(const char *node, psc_verify_symptom sym,
			  const char *host, int port, long expected)
{
	psc_verify_obs o;
	psc_verify_obs_init(&o, node, "a check");
	o.sym = sym;
	o.ms = 12;
	snprintf(o.host, sizeof(o.host), "%s", host ? host : "");
	o.port = port;
	o.expected = expected;
	return o;
}

static psc_verify_check diag(const psc_verify_obs *o,
			     const psc_verify_report *prior)
{
	psc_verify_check c;
	psc_verify_diagnose(&ctx, o, prior, &c);
	return c;
}

#define B2 "b2.abc.us-west1.gcp.3199745.tidbcloud.com"

/* ---- the context ---- */

static void ctx_portmap(void **state)
{
	(void)state;
	assert_string_equal(ctx.lab, "portmap");
	assert_int_equal(ctx.approach, PSC_APPROACH_PORTMAP);
	assert_string_equal(ctx.changefeed, "changefeed");
	assert_string_equal(ctx.changefeed_ns, "psclab-portmap-changefeed");
	assert_string_equal(ctx.bastion, "bastion-node");
	assert_string_equal(ctx.bastion_ns, "psclab-portmap-bastion-node");
	assert_string_equal(ctx.bastion_subnet_range, "10.0.0.0/18");
	assert_string_equal(ctx.endpoint, "kafka-psc-endpoint");
	assert_string_equal(ctx.endpoint_ip, "172.16.0.10");
	assert_int_equal(ctx.ep_status, PSC_EP_ACCEPTED);
	assert_string_equal(ctx.attachment, "kafka-psc");
	assert_string_equal(ctx.consumer_project, "tidbcloud-prod-000");
	assert_string_equal(ctx.nat_range, "10.128.0.0/18");
	assert_string_equal(ctx.nat_ip, "10.128.0.2");
	assert_string_equal(ctx.producer_network, "kafka-vpc");
	assert_string_equal(ctx.domain, "abc.us-west1.gcp.3199745.tidbcloud.com");
	assert_string_equal(ctx.dns_zone, "kafka-psc-zone");
	assert_string_equal(ctx.dns_proc, "dns-tidbcloud-vpc");
	assert_true(ctx.dns_alive);
	assert_int_equal(ctx.n_bootstrap_ports, 3);
	assert_int_equal(ctx.bootstrap_ports[0], 9093);
	assert_int_equal(ctx.internal_port, 9092);
	assert_int_equal(ctx.external_listener_port, 39092);
	assert_int_equal(ctx.n_brokers, 3);
	const psc_verify_broker *b = psc_verify_ctx_broker(&ctx, 2);
	assert_non_null(b);
	assert_string_equal(b->instance, "broker-node2");
	assert_string_equal(b->ip, "10.64.0.3");
	assert_string_equal(b->internal, "10.64.0.3:9092");
	assert_string_equal(b->external, B2 ":9094");
	assert_string_equal(b->proc, "kafka-broker-node2");
	assert_true(b->alive);
	assert_int_equal(b->pid, 0);
	assert_null(psc_verify_ctx_broker(&ctx, 7));
	assert_int_equal(ctx.n_maps, 3);
	assert_int_equal(ctx.maps[1].client_port, 9094);
	assert_string_equal(ctx.maps[1].instance, "broker-node2");
	assert_int_equal(ctx.maps[1].port, 39092);
	assert_string_equal(ctx.maps[1].neg, "kafka-neg");
	assert_true(ctx.maps[1].fw_allowed);
	assert_string_equal(ctx.maps[1].fw_rule, "allow-psc-traffic");
}

static void ctx_proxy(void **state)
{
	(void)state;
	load("topologies/proxy.yaml");
	assert_int_equal(ctx.approach, PSC_APPROACH_PROXY);
	assert_int_equal(ctx.n_maps, 0);
	assert_int_equal(ctx.external_listener_port, 0);
	assert_string_equal(ctx.proxy_instance, "kafka-proxy-node");
	assert_string_equal(ctx.proxy_proc, "kafka-proxy");
	const psc_verify_broker *b = psc_verify_ctx_broker(&ctx, 2);
	assert_non_null(b);
	assert_string_equal(b->external, B2 ":9093");
	assert_int_equal(ctx.bootstrap_ports[0], 9092);
	load("topologies/portmap.yaml");
}

static void ctx_state(void **state)
{
	(void)state;
	/* processes from a journal: this test's own pid is alive, 1 is not
	 * ours (another start time) */
	static psc_proc procs[3];
	psc_state st;
	memset(&st, 0, sizeof(st));
	memset(procs, 0, sizeof(procs));
	snprintf(procs[0].name, sizeof(procs[0].name), "kafka-broker-node1");
	procs[0].pid = getpid();
	procs[0].starttime = psc_proc_starttime(getpid());
	snprintf(procs[0].log, sizeof(procs[0].log), "/x/b1.log");
	snprintf(procs[1].name, sizeof(procs[1].name), "kafka-broker-node2");
	procs[1].pid = 1;
	procs[1].starttime = 12345;
	snprintf(procs[2].name, sizeof(procs[2].name), "dns-tidbcloud-vpc");
	procs[2].pid = getpid();
	procs[2].starttime = psc_proc_starttime(getpid());
	st.procs = procs;
	st.n_procs = 3;
	static psc_verify_ctx c;   /* 5.5 MB: not on the stack */
	char err[256];
	assert_int_equal(psc_verify_ctx_build(topo, plan, &st, &c, err,
					      sizeof(err)), 0);
	assert_true(c.brokers[0].alive);
	assert_int_equal(c.brokers[0].pid, getpid());
	assert_string_equal(c.brokers[0].log, "/x/b1.log");
	assert_false(c.brokers[1].alive);
	assert_int_equal(c.brokers[1].pid, 1);
	assert_false(c.brokers[2].alive);    /* not journaled: not run */
	assert_int_equal(c.brokers[2].pid, 0);
	assert_false(c.proxy_alive);         /* no kafka-proxy in portmap */
	assert_true(c.dns_alive);
	assert_int_equal(c.dns_pid, getpid());
}

static void ctx_refused(void **state)
{
	(void)state;
	static psc_verify_ctx c;   /* 5.5 MB: not on the stack */
	char err[256];
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	t->changefeed.present = false;
	assert_int_equal(psc_verify_ctx_build(t, p, NULL, &c, err,
					      sizeof(err)), -1);
	has(err, "no changefeed section");
	t->changefeed.present = true;
	t->kafka.n_brokers = 0;
	assert_int_equal(psc_verify_ctx_build(t, p, NULL, &c, err,
					      sizeof(err)), -1);
	has(err, "no Kafka brokers");
	psc_topology_free(t);
	plan = psc_test_plan(topo);   /* the shared static plan, again */
}

/* ---- the diagnosis table ---- */

static void diag_pass_skip_internal(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_OK, "172.16.0.10", 9093,
			       -1);
	snprintf(o.detail, sizeof(o.detail), "3 brokers");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_PASS);
	assert_int_equal(c.hop, PSC_HOP_NONE);
	assert_string_equal(c.detail, "3 brokers");
	assert_string_equal(c.fix, "");
	assert_int_equal(c.ms, 12);
	assert_string_equal(c.name, "a check");
	assert_string_equal(c.node, "changefeed");

	o.sym = PSC_SYM_SKIPPED;
	snprintf(o.detail, sizeof(o.detail), "not run: x");
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_SKIP);
	assert_string_equal(c.detail, "not run: x");

	o.sym = PSC_SYM_INTERNAL;
	snprintf(o.detail, sizeof(o.detail), "cannot enter node");
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	assert_int_equal(c.hop, PSC_HOP_VERIFY);
	has(c.detail, "cannot enter node");
}

static void diag_dns(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_UNRESOLVED, B2, 9094, 2);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	assert_int_equal(c.hop, PSC_HOP_DNS);
	assert_int_equal(c.broker, 2);
	has(c.detail, B2 " does not resolve in node changefeed");
	has(c.fix, "private zone kafka-psc-zone");
	has(c.fix, "kafka-psc-endpoint (172.16.0.10)");

	/* the stub is dead: say so */
	ctx.dns_alive = false;
	ctx.dns_pid = 77;
	c = diag(&o, NULL);
	has(c.detail, "dns-tidbcloud-vpc (pid 77) is not running");
	has(c.fix, "start the DNS stub again");
	ctx.dns_alive = true;

	/* no zone for the domain */
	char zone[PSC_NAME_LEN];
	snprintf(zone, sizeof(zone), "%s", ctx.dns_zone);
	ctx.dns_zone[0] = '\0';
	c = diag(&o, NULL);
	has(c.fix, "create a private DNS zone for "
		   "abc.us-west1.gcp.3199745.tidbcloud.com.");
	snprintf(ctx.dns_zone, sizeof(ctx.dns_zone), "%s", zone);

	o.sym = PSC_SYM_RESOLVED_ELSEWHERE;
	snprintf(o.addr, sizeof(o.addr), "10.1.2.3");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_DNS);
	has(c.detail, "resolves to 10.1.2.3 in node changefeed, not to PSC "
		      "endpoint kafka-psc-endpoint (172.16.0.10)");
}

static void diag_endpoint(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_TIMEOUT, "172.16.0.10",
			       9093, -1);
	ctx.ep_status = PSC_EP_PENDING;
	snprintf(ctx.ep_reason, sizeof(ctx.ep_reason),
		 "project tidbcloud-prod-000 is not on the accept list");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_ENDPOINT);
	has(c.detail, "PSC endpoint kafka-psc-endpoint is PENDING (project "
		      "tidbcloud-prod-000 is not on the accept list)");
	has(c.fix, "accept project tidbcloud-prod-000 on service attachment "
		   "kafka-psc");
	has(c.fix, "consumer_accept_lists");

	ctx.ep_status = PSC_EP_REJECTED;
	o.sym = PSC_SYM_REFUSED;
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_ENDPOINT);
	has(c.detail, "is REJECTED");
	has(c.fix, "consumer_reject_lists");
	ctx.ep_status = PSC_EP_ACCEPTED;
	ctx.ep_reason[0] = '\0';
}

/* a fault set on the path explains a timeout (not the plan's hop) */
static void diag_path_fault(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_TIMEOUT, "172.16.0.10",
			       9095, -1);
	psc_fault *f = &ctx.path_faults[0];
	memset(f, 0, sizeof(*f));
	f->kind = PSC_FAULT_LINK_DOWN;
	snprintf(f->id, sizeof(f->id), "f7");
	snprintf(f->arg[0], sizeof(f->arg[0]), "psc");
	ctx.n_path_faults = 1;
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_ENDPOINT);
	has(c.detail, "timed out: fault f7 (link-down psc) is set: the PSC "
		      "join's links are down");
	assert_string_equal(c.fix, "sudo pscLab fault portmap clear f7");
	/* the mapped backend's NIC: the broker's VM */
	snprintf(f->arg[0], sizeof(f->arg[0]), "broker-node3");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "the backend VM's NIC is down");
	/* another broker's: not this path's, the plan's reasoning */
	snprintf(f->arg[0], sizeof(f->arg[0]), "broker-node1");
	c = diag(&o, NULL);
	assert_null(strstr(c.detail, "fault f7"));
	/* a refusal is an answer: not a cut path */
	snprintf(f->arg[0], sizeof(f->arg[0]), "psc");
	o.sym = PSC_SYM_REFUSED;
	c = diag(&o, NULL);
	assert_null(strstr(c.detail, "fault f7"));
	ctx.n_path_faults = 0;
}

static void diag_unmapped_port(void **state)
{
	(void)state;
	/* the seed's bootstrap port 9092 */
	psc_verify_obs o = obs("changefeed", PSC_SYM_TIMEOUT, "172.16.0.10",
			       9092, -1);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_LB_MAPPING);
	has(c.detail, "no NEG endpoint behind load balancer kafka-lb maps "
		      "client port 9092 (mapped: 9093, 9094, 9095)");
	has(c.fix, "bootstrap from the mapped ports (9093, 9094, 9095)");
	/* an advertised port nothing maps */
	o.expected = 2;
	c = diag(&o, NULL);
	has(c.fix, "map client port 9092 to broker-node2:39092");
}

static void diag_firewall(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_TIMEOUT, B2, 9094, 2);
	snprintf(o.addr, sizeof(o.addr), "172.16.0.10");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_FIREWALL);
	has(c.detail, "connection to " B2 ":9094 (172.16.0.10) timed out");
	has(c.detail, "NEG kafka-neg maps client port 9094 to "
		      "broker-node2:39092 (broker 2)");
	has(c.detail, "PSC NAT range 10.128.0.0/18 (NAT address 10.128.0.2)");
	has(c.fix, "rule allow-psc-traffic of kafka-vpc allows INGRESS from "
		   "10.128.0.0/18 to broker-node2 tcp:39092");

	/* the topology itself lets nothing in */
	ctx.maps[1].fw_allowed = false;
	ctx.maps[1].fw_rule[0] = '\0';
	c = diag(&o, NULL);
	has(c.fix, "add an INGRESS allow rule to kafka-vpc from the PSC NAT "
		   "range 10.128.0.0/18 to broker-node2 tcp:39092");
	has(c.fix, "the implied deny-ingress rule decides");
	ctx.maps[1].fw_allowed = true;
	snprintf(ctx.maps[1].fw_rule, sizeof(ctx.maps[1].fw_rule),
		 "allow-psc-traffic");
}

static void diag_firewall_from_topology(void **state)
{
	(void)state;
	/* allow-psc-traffic disabled in the model: the context says so */
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	t->networks[0].firewalls[2].disabled = true;
	psc_plan *p = psc_test_plan(t);
	static psc_verify_ctx c;   /* 5.5 MB: not on the stack */
	char err[256];
	assert_int_equal(psc_verify_ctx_build(t, p, NULL, &c, err,
					      sizeof(err)), 0);
	assert_false(c.maps[0].fw_allowed);
	assert_string_equal(c.maps[0].fw_rule, "");
	psc_topology_free(t);
	plan = psc_test_plan(topo);   /* the shared static plan, again */
}

static void diag_broker_down(void **state)
{
	(void)state;
	psc_verify_broker *b = (psc_verify_broker *)psc_verify_ctx_broker(&ctx,
									  2);
	b->alive = false;
	b->pid = 4242;
	snprintf(b->log, sizeof(b->log), "/run/psclab/portmap/logs/b2.log");
	psc_verify_obs o = obs("changefeed", PSC_SYM_REFUSED, "172.16.0.10",
			       9094, -1);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "was refused");
	has(c.detail, "kafka-broker-node2 (pid 4242) is not running");
	has(c.fix, "start broker 2 (broker-node2) again: pscLab restart "
		   "portmap broker-node2");
	has(c.fix, "/run/psclab/portmap/logs/b2.log");

	/* missing from the metadata */
	o = obs("changefeed", PSC_SYM_MISSING, NULL, 0, 2);
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "broker 2 (broker-node2) of the topology is not in the "
		      "cluster's metadata");

	/* a request that failed, with a dead broker: that broker */
	o = obs("changefeed", PSC_SYM_KAFKA_ERROR, NULL, 0, -1);
	snprintf(o.detail, sizeof(o.detail), "the cluster did not create the "
		 "topic");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "not running: broker 2 (broker-node2)");

	/* from the bastion too */
	o = obs("bastion-node", PSC_SYM_REFUSED, "10.64.0.3", 9092, 2);
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "connection from bastion-node to 10.64.0.3:9092 "
		      "(broker-node2) was refused");

	/* never started: not in the journal */
	b->pid = 0;
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "the lab's journal has no process kafka-broker-node2 "
		      "(a lab brought up with --network-only runs no Kafka)");
	b->alive = true;
	b->pid = 0;
	b->log[0] = '\0';
}

/* the proxy way: kafka-proxy stopped, or not listening on a bootstrap
 * port, is named as the hop (not a broker, not the firewall) */
static void diag_proxy(void **state)
{
	(void)state;
	load("topologies/proxy.yaml");
	ctx.proxy_alive = false;
	ctx.proxy_pid = 777;
	psc_verify_obs o = obs("changefeed", PSC_SYM_REFUSED, "172.16.0.10",
			       9092, -1);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_PROXY);
	assert_string_equal(psc_verify_hop_title(c.hop), "kafka-proxy");
	has(c.detail, "connection to 172.16.0.10:9092 was refused: "
		      "kafka-proxy on kafka-proxy-node: its process kafka-proxy "
		      "(pid 777) is not running");
	has(c.fix, "start kafka-proxy again: pscLab restart proxy "
		   "kafka-proxy-node");

	/* running, but no listener on that port */
	ctx.proxy_alive = true;
	o = obs("changefeed", PSC_SYM_REFUSED, "172.16.0.10", 9099, -1);
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_PROXY);
	has(c.detail, "kafka-proxy-node (kafka-proxy) does not listen on port "
		      "9099");
	has(c.fix, "--bootstrap-server-mapping listening on 0.0.0.0:9099");

	/* a timeout is the firewall's, as in the port-mapping way */
	o.sym = PSC_SYM_TIMEOUT;
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_FIREWALL);

	/* two kafka-proxies that disagree (kafka-proxy issue #174) */
	load("topologies/proxy-two.yaml");
	assert_int_equal(ctx.lb_backends, 2);
	o = obs("changefeed", PSC_SYM_WRONG_BROKER,
		"brokers.abc.us-west1.gcp.3199745.tidbcloud.com", 9095, 4);
	o.reached = 5;
	snprintf(o.detail, sizeof(o.detail), "3 of 9 connections reached "
		 "broker 5, 6 broker 4");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_PROXY);
	has(c.detail, "reached broker 5 (broker-node5), not broker 4 "
		      "(broker-node4) (3 of 9 connections reached broker 5, 6 "
		      "broker 4): load balancer kafka-proxy-lb sends each "
		      "connection to one of its 2 kafka-proxies");
	has(c.detail, "kafka-proxy issue #174");
	has(c.fix, "--deterministic-listeners");
	/* works on some connections, fails on others: the same diagnosis */
	o.reached = -1;
	snprintf(o.detail, sizeof(o.detail), "5 of 9 connections answered as "
		 "broker 4, 4 failed (x)");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_PROXY);
	has(c.detail, "brokers.abc.us-west1.gcp.3199745.tidbcloud.com:9095 "
		      "answers as broker 4 (broker-node4) on some connections and "
		      "not on others (5 of 9 connections answered as broker 4, 4 "
		      "failed (x)): load balancer kafka-proxy-lb");
	/* one proxy: the mapping itself */
	load("topologies/proxy-dynamic.yaml");
	assert_int_equal(ctx.lb_backends, 1);
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_LB_MAPPING);
	load("topologies/portmap.yaml");
	assert_int_equal(ctx.lb_backends, 0);
}

/* a response that names a broker's own address: FAIL for Metadata (the
 * changefeed's client uses it), WARN for DescribeCluster and
 * FindCoordinator (it does not) */
static void diag_leaked(void **state)
{
	(void)state;
	load("topologies/proxy.yaml");
	psc_verify_obs o = obs("changefeed", PSC_SYM_LEAKED, "10.64.0.3", 9092,
			       2);
	snprintf(o.api, sizeof(o.api), "DescribeCluster");
	snprintf(o.detail, sizeof(o.detail), "from 172.16.0.10:9092");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	assert_int_equal(c.hop, PSC_HOP_PROXY);
	has(c.detail, "DescribeCluster names broker 2 (broker-node2) at "
		      "10.64.0.3:9092, not a name of "
		      "abc.us-west1.gcp.3199745.tidbcloud.com");
	has(c.detail, "does not use DescribeCluster, so the changefeed works");
	has(c.fix, "kafka-proxy PR #212");
	snprintf(o.api, sizeof(o.api), "Metadata");
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	has(c.detail, "takes broker addresses from Metadata, so the changefeed "
		      "fails");
	has(c.fix, "--bootstrap-server-mapping");
	load("topologies/portmap.yaml");
	snprintf(o.api, sizeof(o.api), "FindCoordinator");
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	assert_int_equal(c.hop, PSC_HOP_ADVERTISED);
	has(c.fix, "advertised.listeners");
}

/* a step of TiCDC's changefeed creation: refused (FAIL with the error the
 * changefeed shows and the step's fix) or warned (WARN) */
static void diag_cdc(void **state)
{
	(void)state;
	load("topologies/portmap.yaml");
	psc_verify_obs o = obs("changefeed", PSC_SYM_CDC_REFUSED, "", 0, -1);
	snprintf(o.api, sizeof(o.api), "replication_factor");
	snprintf(o.detail, sizeof(o.detail), "the sink's replication-factor 1 "
		 "is below the brokers' min.insync.replicas 2");
	snprintf(o.error, sizeof(o.error), "[CDC:ErrKafkaInvalidConfig]x");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	assert_int_equal(c.hop, PSC_HOP_KAFKA);
	has(c.detail, "replication-factor 1 is below");
	has(c.detail, "the changefeed is not created, TiDB Cloud shows: "
		      "[CDC:ErrKafkaInvalidConfig]x");
	/* the error once, not again as the client's */
	assert_null(strstr(strstr(c.detail, "[CDC:") + 1, "[CDC:"));
	has(c.fix, "replication factor of at least the brokers' "
		   "min.insync.replicas");
	o.sym = PSC_SYM_CDC_WARNED;
	snprintf(o.api, sizeof(o.api), "max_message_bytes");
	o.error[0] = '\0';
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	assert_null(strstr(c.detail, "not created"));
	has(c.fix, "message.max.bytes");
	snprintf(o.api, sizeof(o.api), "no-such-step");
	c = diag(&o, NULL);
	has(c.fix, "see the brokers' logs");

	/* TiCDC lets an authorization failure pass when it makes the topic:
	 * a FAIL that says the changefeed is created, then fails */
	o.sym = PSC_SYM_CDC_BROKEN;
	snprintf(o.api, sizeof(o.api), "create_topic");
	snprintf(o.error, sizeof(o.error), "[CDC:ErrKafkaAuthorizationFailed]y");
	c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	assert_null(strstr(c.detail, "not created"));
	has(c.detail, "TiDB Cloud shows the changefeed created, then failed "
		      "with: [CDC:ErrKafkaAuthorizationFailed]y");
	has(c.fix, "Describe and Write its topic");
}

/* worked, degraded: WARN with the broker fix */
static void diag_degraded(void **state)
{
	(void)state;
	load("topologies/portmap.yaml");
	psc_verify_obs o = obs("changefeed", PSC_SYM_DEGRADED, "", 0, -1);
	snprintf(o.detail, sizeof(o.detail), "created; under-replicated: "
		 "partition 1 in sync 2 of 3 (out of sync: broker 2)");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	assert_int_equal(c.hop, PSC_HOP_BROKER_DOWN);
	has(c.detail, "out of sync: broker 2");
	has(c.fix, "pscLab restart portmap <broker node>");
}

/* the backends' health as one check: PASS all healthy, WARN some, WARN
 * none (fails open); a NEG has none */
static void lb_health(void **state)
{
	(void)state;
	psc_verify_check c;
	load("topologies/portmap.yaml");
	assert_false(psc_verify_lb_health_check(&ctx, NULL, &c));
	load("topologies/proxy-two.yaml");
	assert_int_equal(ctx.lb_backends, 2);
	assert_true(ctx.lb_health_check);
	const char *all[] = {"HEALTHY", "HEALTHY"};
	assert_true(psc_verify_lb_health_check(&ctx, all, &c));
	assert_int_equal(c.status, PSC_VERIFY_PASS);
	has(c.name, "health of its 2 backends");
	const char *one[] = {"HEALTHY", "UNHEALTHY"};
	assert_true(psc_verify_lb_health_check(&ctx, one, &c));
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	has(c.detail, "1 of 2 backends HEALTHY");
	has(c.detail, " UNHEALTHY)");
	const char *none[] = {"UNHEALTHY", "UNKNOWN"};
	assert_true(psc_verify_lb_health_check(&ctx, none, &c));
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	has(c.detail, "fails open");
	has(c.fix, "35.191.0.0/16 and 130.211.0.0/22");
	load("topologies/portmap.yaml");   /* what the next tests expect */
}

static void diag_listener(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_REFUSED, "172.16.0.10",
			       9094, -1);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_LISTENER);
	has(c.detail, "which is running but does not accept on port 39092");
	has(c.fix, "external listener port (39092)");

	o = obs("bastion-node", PSC_SYM_REFUSED, "10.64.0.3", 9092, 2);
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_LISTENER);
	has(c.detail, "nothing listens on port 9092 there");

	o.sym = PSC_SYM_TIMEOUT;
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_FIREWALL);
	has(c.fix, "allow INGRESS from 10.0.0.0/18 (bastion-node) to "
		   "broker-node2 tcp:9092");
}

static void diag_wrong_broker(void **state)
{
	(void)state;
	/* two client ports exchanged: 9094 reaches broker 3 */
	psc_verify_obs o = obs("changefeed", PSC_SYM_WRONG_BROKER, B2, 9094, 2);
	o.reached = 3;
	snprintf(o.error, sizeof(o.error), "DescribeConfigs(BROKER 2): "
		 "INVALID_REQUEST: Unexpected broker id, expected 3 or empty "
		 "string, but received 2");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_LB_MAPPING);
	has(c.detail, B2 ":9094 (client port 9094) reached broker 3 "
		      "(broker-node3), not broker 2 (broker-node2)");
	has(c.detail, "sends it to broker-node3");
	has(c.detail, "[client: DescribeConfigs(BROKER 2)");
	has(c.fix, "client port 9094 must lead to broker-node2:39092 "
		   "(broker 2), client port 9095 to broker-node3:39092 "
		   "(broker 3)");

	/* the topology maps the port elsewhere: the advertised port or the
	 * NEG is wrong */
	snprintf(ctx.maps[1].instance, sizeof(ctx.maps[1].instance),
		 "broker-node3");
	c = diag(&o, NULL);
	has(c.detail, "NEG kafka-neg maps client port 9094 to "
		      "broker-node3:39092");
	has(c.fix, "broker 2 (broker-node2) advertises client port 9094");
	snprintf(ctx.maps[1].instance, sizeof(ctx.maps[1].instance),
		 "broker-node2");

	/* who answered is unknown */
	o.reached = -1;
	c = diag(&o, NULL);
	has(c.detail, "reached an unknown broker, not broker 2");
}

static void diag_advertised(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_ADVERTISED, B2, 9093, 2);
	snprintf(o.want, sizeof(o.want), B2 ":9094");
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_ADVERTISED);
	has(c.detail, "broker 2 (broker-node2) advertises " B2 ":9093, the "
		      "topology says " B2 ":9094");
	has(c.fix, "set advertised.listeners of broker 2 (broker-node2) to "
		   "hold " B2 ":9094 (the external listener)");

	o = obs("bastion-node", PSC_SYM_ADVERTISED, "10.64.0.9", 9092, 2);
	snprintf(o.want, sizeof(o.want), "10.64.0.3:9092");
	c = diag(&o, NULL);
	has(c.fix, "(the inter-broker listener)");
}

static void diag_missing_alive(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_MISSING, NULL, 0, 3);
	psc_verify_check c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_KAFKA);
	has(c.detail, "broker 3 (broker-node3) of the topology is not in the "
		      "cluster's metadata although it may be running");
}

static void diag_follows_prior(void **state)
{
	(void)state;
	static psc_verify_report r;
	psc_verify_report_init(&r, "portmap");
	psc_verify_obs w = obs("changefeed", PSC_SYM_WRONG_BROKER, B2, 9094, 2);
	w.reached = 3;
	snprintf(w.name, sizeof(w.name), "changefeed: broker 2 at " B2
		 ":9094");
	psc_verify_check wc = diag(&w, &r);
	assert_int_equal(psc_verify_report_add(&r, &wc), 0);

	/* produce to partition led by 2 failed: the mapping explains it */
	psc_verify_obs o = obs("changefeed", PSC_SYM_INCOMPLETE, NULL, 0, 2);
	snprintf(o.detail, sizeof(o.detail), "33 of 100 messages delivered");
	psc_verify_check c = diag(&o, &r);
	assert_int_equal(c.hop, PSC_HOP_LB_MAPPING);
	has(c.detail, "33 of 100 messages delivered; this follows from "
		      "'changefeed: broker 2 at " B2 ":9094' (load balancer "
		      "mapping)");
	assert_string_equal(c.fix, wc.fix);

	/* nothing earlier failed: the cluster's own error */
	psc_verify_report_init(&r, "portmap");
	c = diag(&o, &r);
	assert_int_equal(c.hop, PSC_HOP_KAFKA);
	has(c.fix, "see the brokers' logs");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_KAFKA);
	/* the broker said "not authorized": the ACL, before any earlier
	 * failure */
	snprintf(o.error, sizeof(o.error), "DescribeConfigs(BROKER 2): "
		 "CLUSTER_AUTHORIZATION_FAILED: Cluster authorization failed.");
	c = diag(&o, NULL);
	assert_int_equal(c.hop, PSC_HOP_KAFKA);
	has(c.fix, "an ACL denies the changefeed this request");
}

/* ---- names ---- */

static void names(void **state)
{
	(void)state;
	assert_string_equal(psc_verify_hop_name(PSC_HOP_LB_MAPPING),
			    "lb-mapping");
	assert_string_equal(psc_verify_hop_title(PSC_HOP_FIREWALL),
			    "producer firewall");
	assert_string_equal(psc_verify_hop_name(PSC_HOP_PROXY), "kafka-proxy");
	assert_string_equal(psc_verify_hop_name((psc_verify_hop)99), "?");
	assert_string_equal(psc_verify_status_name(PSC_VERIFY_SKIP), "SKIP");
	psc_verify_symptom s;
	for (int i = 0; i <= PSC_SYM_LAST; i++) {
		assert_int_equal(psc_verify_symptom_parse(
					 psc_verify_symptom_name(
						 (psc_verify_symptom)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(psc_verify_symptom_parse("nope", &s), -1);
}

/* ---- observations over the pipe ---- */

static void obs_roundtrip(void **state)
{
	(void)state;
	psc_verify_obs o = obs("changefeed", PSC_SYM_WRONG_BROKER, B2, 9094, 2);
	o.reached = 3;
	snprintf(o.addr, sizeof(o.addr), "172.16.0.10");
	snprintf(o.want, sizeof(o.want), B2 ":9094");
	snprintf(o.error, sizeof(o.error), "quote \" backslash \\ newline \n "
		 "tab \t ünïcode");
	snprintf(o.detail, sizeof(o.detail), "d");
	snprintf(o.api, sizeof(o.api), "DescribeCluster");
	char line[8192];
	assert_int_equal(psc_verify_obs_json(&o, line, sizeof(line)), 0);
	assert_null(strchr(line, '\n'));
	psc_verify_obs back;
	char err[256];
	assert_int_equal(psc_verify_obs_parse(line, &back, err, sizeof(err)),
			 0);
	assert_string_equal(back.node, o.node);
	assert_string_equal(back.name, o.name);
	assert_int_equal(back.sym, o.sym);
	assert_int_equal(back.ms, 12);
	assert_string_equal(back.host, o.host);
	assert_int_equal(back.port, 9094);
	assert_string_equal(back.addr, o.addr);
	assert_int_equal(back.expected, 2);
	assert_int_equal(back.reached, 3);
	assert_string_equal(back.want, o.want);
	assert_string_equal(back.error, o.error);
	assert_string_equal(back.detail, "d");
	assert_string_equal(back.api, "DescribeCluster");
	/* too small a buffer */
	assert_int_equal(psc_verify_obs_json(&o, line, 20), -1);
}

static void obs_bad_lines(void **state)
{
	(void)state;
	psc_verify_obs o;
	char err[256];
	assert_int_equal(psc_verify_obs_parse("END", &o, err, sizeof(err)), -1);
	has(err, "not a JSON object");
	assert_int_equal(psc_verify_obs_parse("[1]", &o, err, sizeof(err)), -1);
	assert_int_equal(psc_verify_obs_parse("{\"name\":\"x\",\"sym\":"
					      "\"zzz\"}", &o, err,
					      sizeof(err)), -1);
	has(err, "zzz");
	assert_int_equal(psc_verify_obs_parse("{\"sym\":\"ok\"}", &o, err,
					      sizeof(err)), -1);
	/* the minimum; defaults for the rest */
	assert_int_equal(psc_verify_obs_parse("{\"name\":\"x\",\"sym\":"
					      "\"timeout\",\"port\":\"no\"}",
					      &o, err, sizeof(err)), 0);
	assert_int_equal(o.sym, PSC_SYM_TIMEOUT);
	assert_int_equal(o.port, 0);
	assert_int_equal(o.expected, -1);
	assert_int_equal(o.reached, -1);
}

/* ---- the report and its forms ---- */

static void sample(psc_verify_report *r)
{
	psc_verify_report_init(r, "portmap");
	snprintf(r->topic, sizeof(r->topic), "psclab-verify-x");
	r->total_ms = 2345;
	psc_verify_check c;
	memset(&c, 0, sizeof(c));
	c.broker = -1;
	snprintf(c.node, sizeof(c.node), "changefeed");
	snprintf(c.name, sizeof(c.name), "changefeed: bootstrap "
		 "172.16.0.10:9093");
	c.ms = 8;
	c.status = PSC_VERIFY_PASS;
	snprintf(c.detail, sizeof(c.detail), "3 brokers");
	assert_int_equal(psc_verify_report_add(r, &c), 0);
	snprintf(c.name, sizeof(c.name), "changefeed: broker 2 at <b2> & "
		 "\"co\"");
	c.ms = 15;
	c.status = PSC_VERIFY_FAIL;
	c.hop = PSC_HOP_LB_MAPPING;
	c.broker = 2;
	snprintf(c.detail, sizeof(c.detail), "reached broker 3, not 2\nx");
	snprintf(c.fix, sizeof(c.fix), "map 9094 to broker-node2:39092");
	assert_int_equal(psc_verify_report_add(r, &c), 0);
	snprintf(c.name, sizeof(c.name), "changefeed: consume");
	c.ms = 0;
	c.status = PSC_VERIFY_SKIP;
	c.hop = PSC_HOP_NONE;
	c.broker = -1;
	snprintf(c.detail, sizeof(c.detail), "not run: no message");
	c.fix[0] = '\0';
	assert_int_equal(psc_verify_report_add(r, &c), 0);
}

static char *capture(int (*fn)(const psc_verify_report *, FILE *),
		     const psc_verify_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(fn(r, f), 0);
	fclose(f);
	return buf;
}

static void report_counts(void **state)
{
	(void)state;
	static psc_verify_report r;
	sample(&r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.n_pass, 1);
	assert_int_equal(r.n_fail, 1);
	assert_int_equal(r.n_skip, 1);
	assert_int_equal(psc_verify_exit_code(0, &r), 1);
	r.n_fail = 0;
	assert_int_equal(psc_verify_exit_code(0, &r), 0);
	r.no_such_lab = true;
	assert_int_equal(psc_verify_exit_code(-1, &r), 2);
	r.no_such_lab = false;
	assert_int_equal(psc_verify_exit_code(-1, &r), 1);
	/* no check at all is no success */
	psc_verify_report_init(&r, "x");
	assert_int_equal(psc_verify_exit_code(0, &r), 1);
	/* full */
	psc_verify_check c;
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < PSC_VERIFY_MAX_CHECKS; i++)
		assert_int_equal(psc_verify_report_add(&r, &c), 0);
	assert_int_equal(psc_verify_report_add(&r, &c), -1);
	assert_int_equal(r.n, PSC_VERIFY_MAX_CHECKS);
}

static void report_text(void **state)
{
	(void)state;
	static psc_verify_report r;
	sample(&r);
	char *s = capture(psc_verify_print_text, &r);
	has(s, "PASS changefeed: bootstrap 172.16.0.10:9093 (8 ms)\n");
	has(s, "FAIL changefeed: broker 2 at <b2> & \"co\" (15 ms)\n"
	       "     hop: load balancer mapping\n"
	       "     what: reached broker 3, not 2\nx\n"
	       "     fix: map 9094 to broker-node2:39092\n");
	has(s, "SKIP changefeed: consume (0 ms)\n     not run: no message\n");
	has(s, "verify portmap: FAILED, 1 passed, 1 failed, 1 skipped in "
	       "2345 ms\n");
	lacks(s, "3 brokers");   /* PASS lines stand alone */
	free(s);
	r.n = 1;
	r.n_fail = r.n_skip = 0;
	s = capture(psc_verify_print_text, &r);
	has(s, "verify portmap: all green, 1 passed, 0 failed, 0 skipped");
	free(s);
}

/* WARN: counted, printed with its hop and fix, passing unless strict */
static void report_warn(void **state)
{
	(void)state;
	static psc_verify_report r;
	psc_verify_report_init(&r, "proxy");
	psc_verify_check c;
	memset(&c, 0, sizeof(c));
	c.broker = -1;
	snprintf(c.node, sizeof(c.node), "changefeed");
	snprintf(c.name, sizeof(c.name), "changefeed: a pass");
	assert_int_equal(psc_verify_report_add(&r, &c), 0);
	snprintf(c.name, sizeof(c.name), "changefeed: DescribeCluster");
	c.status = PSC_VERIFY_WARN;
	c.hop = PSC_HOP_ADVERTISED;
	snprintf(c.detail, sizeof(c.detail), "10.64.0.2:9092 leaked");
	snprintf(c.fix, sizeof(c.fix), "do not use it");
	assert_int_equal(psc_verify_report_add(&r, &c), 0);
	assert_int_equal(r.n_warn, 1);
	assert_int_equal(r.n_pass, 1);
	assert_int_equal(psc_verify_exit_code(0, &r), 0);
	char *s = capture(psc_verify_print_text, &r);
	has(s, "WARN changefeed: DescribeCluster (0 ms)\n"
	       "     hop: advertised listener\n"
	       "     what: 10.64.0.2:9092 leaked\n"
	       "     fix: do not use it\n");
	has(s, "verify proxy: green with warnings, 1 passed, 1 warned, 0 "
	       "failed, 0 skipped");
	free(s);
	s = capture(psc_verify_print_json, &r);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "warned")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "checks"), 1), "status")),
		"WARN");
	json_decref(j);
	free(s);
	s = capture(psc_verify_print_junit, &r);
	has(s, "failures=\"0\"");
	has(s, "<system-out>WARN advertised listener: 10.64.0.2:9092 leaked\n"
	       "fix: do not use it</system-out>");
	free(s);
	r.strict = true;
	assert_int_equal(psc_verify_exit_code(0, &r), 1);
	s = capture(psc_verify_print_text, &r);
	has(s, "verify proxy: FAILED (warnings, --strict), 1 passed, 1 warned");
	free(s);
}

/* the leak watch's verdict: new packets FAIL, old ones WARN, none PASS;
 * addresses named with their broker */
static void leak_check(void **state)
{
	(void)state;
	psc_verify_check c;
	psc_nft_leak before[2], after[2];
	memset(before, 0, sizeof(before));
	memset(after, 0, sizeof(after));
	psc_verify_leak_check(&ctx, before, 0, after, 0, &c);
	assert_int_equal(c.status, PSC_VERIFY_PASS);
	has(c.detail, "no packet from changefeed's VPC left toward an address "
		      "outside it (counted in psclab-portmap-vpc-tidbcloud-vpc)");

	snprintf(after[0].addr, sizeof(after[0].addr), "10.64.0.3");
	after[0].packets = 3;
	psc_verify_leak_check(&ctx, before, 0, after, 1, &c);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	assert_int_equal(c.hop, PSC_HOP_ADVERTISED);
	assert_int_equal(c.broker, 2);
	has(c.detail, "not its PSC endpoint 172.16.0.10: 10.64.0.3 "
		      "(broker-node2): 3 packets during this verify");
	has(c.fix, "advertised.listeners");

	/* the same count before and after: from an earlier run */
	before[0] = after[0];
	snprintf(after[1].addr, sizeof(after[1].addr), "192.0.2.7");
	after[1].packets = 1;
	snprintf(before[1].addr, sizeof(before[1].addr), "192.0.2.7");
	before[1].packets = 1;
	psc_verify_leak_check(&ctx, before, 2, after, 2, &c);
	assert_int_equal(c.status, PSC_VERIFY_WARN);
	has(c.detail, "10.64.0.3 (broker-node2): 3 packets, before it; "
		      "192.0.2.7 (no broker of the lab): 1 packet, before it");

	load("topologies/proxy.yaml");
	psc_verify_leak_check(&ctx, before, 0, after, 1, &c);
	assert_int_equal(c.status, PSC_VERIFY_FAIL);
	has(c.fix, "kafka-proxy rewrites only Metadata and FindCoordinator");
	load("topologies/portmap.yaml");
}

static void report_json(void **state)
{
	(void)state;
	static psc_verify_report r;
	sample(&r);
	char *s = capture(psc_verify_print_json, &r);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fail_msg("not JSON: %s\n%s", e.text, s);
	assert_string_equal(json_string_value(json_object_get(j, "lab")),
			    "portmap");
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "passed")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "skipped")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "ms")), 2345);
	assert_string_equal(json_string_value(json_object_get(j, "topic")),
			    "psclab-verify-x");
	json_t *a = json_object_get(j, "checks");
	assert_int_equal(json_array_size(a), 3);
	json_t *c = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(c, "status")),
			    "FAIL");
	assert_string_equal(json_string_value(json_object_get(c, "hop")),
			    "lb-mapping");
	assert_string_equal(json_string_value(json_object_get(c, "name")),
			    "changefeed: broker 2 at <b2> & \"co\"");
	assert_string_equal(json_string_value(json_object_get(c, "detail")),
			    "reached broker 3, not 2\nx");
	assert_int_equal(json_integer_value(json_object_get(c, "broker")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "ms")), 15);
	assert_null(json_object_get(json_array_get(a, 0), "broker"));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(a, 0), "hop")), "none");
	json_decref(j);
	free(s);
}

static void report_junit(void **state)
{
	(void)state;
	static psc_verify_report r;
	sample(&r);
	char *s = capture(psc_verify_print_junit, &r);
	has(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	has(s, "<testsuites name=\"pscLab verify\" tests=\"3\" failures=\"1\" "
	       "errors=\"0\" skipped=\"1\" time=\"2.345\">");
	has(s, "<testsuite name=\"pscLab verify portmap\" tests=\"3\" "
	       "failures=\"1\"");
	has(s, "<testcase classname=\"pscLab.verify.portmap.changefeed\" "
	       "name=\"changefeed: bootstrap 172.16.0.10:9093\" "
	       "time=\"0.008\"/>");
	has(s, "name=\"changefeed: broker 2 at &lt;b2&gt; &amp; "
	       "&quot;co&quot;\" time=\"0.015\">");
	has(s, "<failure type=\"lb-mapping\" message=\"load balancer mapping: "
	       "reached broker 3, not 2&#10;x\">hop: load balancer mapping\n"
	       "what: reached broker 3, not 2\nx\n"
	       "fix: map 9094 to broker-node2:39092</failure>");
	has(s, "<skipped message=\"not run: no message\"/>");
	has(s, "</testsuite>\n</testsuites>\n");
	/* one testcase per check */
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "<testcase ")); p++)
		n++;
	assert_int_equal(n, 3);
	free(s);
}

static void junit_file(void **state)
{
	(void)state;
	static psc_verify_report r;
	sample(&r);
	/* a control character is no XML 1.0 */
	snprintf(r.checks[1].fix, sizeof(r.checks[1].fix), "bell \a here");
	char path[] = "/tmp/psclab-test-verify-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[512];
	assert_int_equal(psc_verify_write_junit(&r, path, err, sizeof(err)),
			 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	has(buf, "fix: bell ? here</failure>");
	has(buf, "</testsuites>\n");
	assert_int_equal(psc_verify_write_junit(&r, "/nonexistent/dir/x.xml",
						err, sizeof(err)), -1);
	has(err, "/nonexistent/dir/x.xml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctx_portmap),
		cmocka_unit_test(ctx_proxy),
		cmocka_unit_test(diag_proxy),
		cmocka_unit_test(leak_check),
		cmocka_unit_test(diag_leaked),
		cmocka_unit_test(diag_cdc),
		cmocka_unit_test(lb_health),
		cmocka_unit_test(diag_degraded),
		cmocka_unit_test(ctx_state),
		cmocka_unit_test(ctx_refused),
		cmocka_unit_test(diag_pass_skip_internal),
		cmocka_unit_test(diag_dns),
		cmocka_unit_test(diag_endpoint),
		cmocka_unit_test(diag_path_fault),
		cmocka_unit_test(diag_unmapped_port),
		cmocka_unit_test(diag_firewall),
		cmocka_unit_test(diag_firewall_from_topology),
		cmocka_unit_test(diag_broker_down),
		cmocka_unit_test(diag_listener),
		cmocka_unit_test(diag_wrong_broker),
		cmocka_unit_test(diag_advertised),
		cmocka_unit_test(diag_missing_alive),
		cmocka_unit_test(diag_follows_prior),
		cmocka_unit_test(names),
		cmocka_unit_test(obs_roundtrip),
		cmocka_unit_test(obs_bad_lines),
		cmocka_unit_test(report_counts),
		cmocka_unit_test(report_text),
		cmocka_unit_test(report_warn),
		cmocka_unit_test(report_json),
		cmocka_unit_test(report_junit),
		cmocka_unit_test(junit_file),
	};
	return cmocka_run_group_tests_name("verify", tests, setup_portmap,
					   teardown);
}
