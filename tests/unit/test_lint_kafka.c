/* Unit tests: the Kafka, kafka-proxy and reachability lint rules
 * (lint_kafka.c).  One fixture per rule and message under
 * tests/lint/kafka-<rule>[-variant].yaml, each a copy of a shipped topology
 * that breaks one thing, kept as tests/lint/<name>.patch against it (its
 * first line says what it breaks; psc_test.h builds the file); each must
 * give exactly the finding below and nothing else. */
#include "psc_test.h"

/* every rule id lint_kafka.c reports */
static const char *const kafka_rules[] = {
	"unknown-reference", "broker-instance-duplicate",
	"listener-protocol-map", "unknown-listener", "listener-duplicate",
	"listener-host", "controller-listener", "cluster-id",
	"node-id-duplicate", "quorum-voter-syntax", "quorum-voters",
	"pattern-unique", "pattern-shape", "pattern-region", "broker-id",
	"broker-id-convention", "approach-portmap", "approach-proxy",
	"approach-extra", "external-port-duplicate", "neg-port",
	"advertised-reach", "advertised-pattern", "advertised-dns",
	"bootstrap-port",
	"bootstrap-port-duplicate", "bootstrap-coverage", "proxy-instance",
	"proxy-mapping-upstream", "proxy-mapping-mismatch", "proxy-listen",
	"proxy-advertised", "proxy-dynamic", "proxy-dynamic-ports", "hc-port",
	"proxy-version", "proxy-multiple", "zone-suggested",
};

/* The shipped topologies give none of these findings. */
static void no_kafka_findings(const char *path)
{
	psc_diags d;
	int rc = psc_test_lint(path, &d);
	size_t n_rules = sizeof(kafka_rules) / sizeof(kafka_rules[0]);
	for (size_t i = 0; i < d.n; i++)
		for (size_t r = 0; r < n_rules; r++)
			if (strcmp(d.v[i].rule, kafka_rules[r]) == 0) {
				psc_test_dump(&d);
				fail_msg("%s: unexpected [%s] finding", path,
					 d.v[i].rule);
			}
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(rc, 0);
	psc_diags_free(&d);
}

static void shipped_portmap_clean(void **state)
{
	(void)state;
	no_kafka_findings("topologies/portmap.yaml");
}

static void shipped_proxy_clean(void **state)
{
	(void)state;
	no_kafka_findings("topologies/proxy.yaml");
}

/* Five brokers, three in bootstrap mappings, two through kafka-proxy's
 * dynamic listeners (9095, 9096): the seed's expected kafka-proxy output.
 * Nothing to report at all. */
static void kafka_proxy_dynamic_five_brokers(void **state)
{
	(void)state;
	psc_diags d;
	const char *path = "tests/lint/kafka-proxy-dynamic-five-brokers.yaml";
	int rc = psc_test_lint(path, &d);
	if (d.n != 0) {
		psc_test_dump(&d);
		fail_msg("%zu findings, want none", d.n);
	}
	assert_int_equal(rc, 0);
	psc_diags_free(&d);
}

/* The NEG's client ports 9094 and 9095 swapped: one breakage, two
 * findings, each naming both brokers involved. */
static void kafka_advertised_reach_swap(void **state)
{
	(void)state;
	psc_diags d;
	const char *path = "tests/lint/kafka-advertised-reach-swap.yaml";
	const char *want[] = {
		"tests/lint/kafka-advertised-reach-swap.yaml:165:22: error: "
		"broker 2 (broker-node2): "
		"b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094 reaches "
		"broker-node3:39092, not broker-node2: the changefeed would "
		"send broker 2's requests to broker 3 [advertised-reach]",
		"tests/lint/kafka-advertised-reach-swap.yaml:169:22: error: "
		"broker 3 (broker-node3): "
		"b3.abc.us-west1.gcp.3199745.tidbcloud.com:9095 reaches "
		"broker-node2:39092, not broker-node3: the changefeed would "
		"send broker 3's requests to broker 2 [advertised-reach]",
	};
	int rc = psc_test_lint(path, &d);
	for (size_t i = 0; i < 2; i++)
		if (!psc_test_has(&d, want[i])) {
			psc_test_dump(&d);
			fail_msg("expected finding not reported:\n  %s",
				 want[i]);
		}
	if (d.n != 2) {
		psc_test_dump(&d);
		fail_msg("%zu findings, want exactly 2", d.n);
	}
	assert_string_equal(d.v[0].hint,
			    "'kafka-neg' maps client port 9094 to "
			    "broker-node3:39092 (line 185); map it to "
			    "broker-node2:39092");
	assert_int_equal(rc, 1);
	psc_diags_free(&d);
}

/* kafka-unknown-reference: broker 1's instance is a typo */
static void kafka_unknown_reference_broker(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-unknown-reference-broker.yaml", 1,
		"tests/lint/kafka-unknown-reference-broker.yaml:158:17: error: "
		"broker 1 (broker-nod1): instance 'broker-nod1' names no "
		"instance [unknown-reference]",
		"did you mean 'broker-node1'?");
}

/* kafka-unknown-reference: kafka_proxy's instance is a typo */
static void kafka_unknown_reference_proxy(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-unknown-reference-proxy.yaml", 1,
		"tests/lint/kafka-unknown-reference-proxy.yaml:171:13: error: "
		"kafka_proxy: instance 'kafka-proxy-nod' names no instance "
		"[unknown-reference]",
		"did you mean 'kafka-proxy-node'?");
}

/* kafka-broker-instance-duplicate: brokers 1 and 2 on broker-node1 */
static void kafka_broker_instance_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-broker-instance-duplicate.yaml", 1,
		"tests/lint/kafka-broker-instance-duplicate.yaml:162:17: error: "
		"broker 2 (broker-node1): instance 'broker-node1' already runs "
		"broker 1: two brokers on one instance would bind the same "
		"listener ports [broker-instance-duplicate]",
		NULL);
}

/* kafka-listener-protocol-map: EXTERNAL has no security protocol */
static void kafka_listener_protocol_map(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-listener-protocol-map.yaml", 1,
		"tests/lint/kafka-listener-protocol-map.yaml:137:13: error: "
		"listener 'EXTERNAL': not a key of protocol_map: Kafka refuses "
		"to start (listener.security.protocol.map gives it no security "
		"protocol) [listener-protocol-map]",
		"add 'EXTERNAL: PLAINTEXT' to protocol_map");
}

/* kafka-unknown-listener: inter_broker_listener is a typo */
static void kafka_unknown_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-unknown-listener.yaml", 1,
		"tests/lint/kafka-unknown-listener.yaml:147:26: error: kafka: "
		"inter_broker_listener 'INTERNL' names no listener (listeners: "
		"INTERNAL, CONTROLLER, EXTERNAL): Kafka refuses to start "
		"[unknown-listener]",
		"did you mean 'INTERNAL'?");
}

/* kafka-unknown-listener: external_listener is a typo */
static void kafka_unknown_listener_external(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-unknown-listener-external.yaml", 1,
		"tests/lint/kafka-unknown-listener-external.yaml:149:22: error: "
		"kafka: external_listener 'EXTRNAL' names no listener "
		"(listeners: INTERNAL, CONTROLLER, EXTERNAL): Kafka refuses to "
		"start [unknown-listener]",
		"did you mean 'EXTERNAL'?");
}

/* kafka-listener-duplicate: two listeners named INTERNAL */
static void kafka_listener_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-listener-duplicate.yaml", 1,
		"tests/lint/kafka-listener-duplicate.yaml:140:13: error: "
		"listener 'INTERNAL': the name is used twice (also line 131): "
		"Kafka refuses to start [listener-duplicate]",
		NULL);
}

/* kafka-listener-duplicate: listener CLIENT takes CONTROLLER's port */
static void kafka_listener_duplicate_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-listener-duplicate-port.yaml", 1,
		"tests/lint/kafka-listener-duplicate-port.yaml:142:13: error: "
		"listener 'CLIENT': port 29092 is also listener 'CONTROLLER''s: "
		"Kafka refuses to start (each listener needs a port of its own) "
		"[listener-duplicate]",
		NULL);
}

/* kafka-listener-host: a host name where the lab binds an address */
static void kafka_listener_host(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-listener-host.yaml", 1,
		"tests/lint/kafka-listener-host.yaml:135:13: error: listener "
		"'CONTROLLER': host 'localhost' is not an IPv4 address: the lab "
		"binds every listener to an address [listener-host]",
		"use 0.0.0.0 to listen on all the instance's addresses");
}

/* kafka-listener-host: CONTROLLER bound to broker-node1's address, shared by
 * all brokers */
static void kafka_listener_host_address(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-listener-host-address.yaml", 1,
		"tests/lint/kafka-listener-host-address.yaml:135:13: error: "
		"listener 'CONTROLLER': host 10.64.0.2 is not the address of "
		"broker 2 (broker-node2, 10.64.0.3): all brokers share their "
		"listeners, so that broker could not serve listener 'CONTROLLER' "
		"[listener-host]",
		"use 0.0.0.0");
}

/* kafka-controller-listener: the controllers use the inter-broker listener */
static void kafka_controller_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-controller-listener.yaml", 1,
		"tests/lint/kafka-controller-listener.yaml:148:24: error: kafka: "
		"controller_listener 'INTERNAL' is also the "
		"inter_broker_listener: Kafka refuses to start "
		"(controller.listener.names must not contain "
		"inter.broker.listener.name) [controller-listener]",
		"give the controllers a listener of their own, e.g. CONTROLLER");
}

/* kafka-controller-listener: controllers without a controller listener */
static void kafka_controller_listener_empty(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-controller-listener-empty.yaml", 1,
		"tests/lint/kafka-controller-listener-empty.yaml:148:24: error: "
		"kafka: controller_listener is empty: Kafka refuses to start a "
		"KRaft node without controller.listener.names (process_roles "
		"includes controller) [controller-listener]",
		NULL);
}

/* kafka-cluster-id: 21 characters, one short of a Kafka Uuid */
static void kafka_cluster_id(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-cluster-id.yaml", 1,
		"tests/lint/kafka-cluster-id.yaml:128:15: error: kafka: "
		"cluster_id 'BRl69zcmTFmiPaoaANybi' is not a Kafka Uuid (22 "
		"characters of base64url, as 'kafka-storage.sh random-uuid' "
		"prints): 'kafka-storage.sh format' refuses it [cluster-id]",
		"generate one with 'kafka-storage.sh random-uuid' (the seed uses "
		"BRl69zcmTFmiPaoaANybiw)");
}

/* kafka-config-owned: kafka.config sets advertised.listeners (the lab's);
 * message.max.bytes beside it is not a finding */
static void kafka_config_owned(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-config-owned.yaml", 1,
		"tests/lint/kafka-config-owned.yaml:157:5: error: kafka: config "
		"'advertised.listeners': pscLab writes advertised.listeners from "
		"kafka.listeners, kafka.brokers[].external_port and "
		"tidbcloud.advertised_listener_pattern, and the lab's namespaces, "
		"NAT rules and checks follow that field: set it there, not in "
		"kafka.config [kafka-config-owned]",
		NULL);
}

/* kafka-node-id-duplicate: brokers 1 and 2 both node 1 */
static void kafka_node_id_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-node-id-duplicate.yaml", 1,
		"tests/lint/kafka-node-id-duplicate.yaml:163:16: error: broker 1 "
		"(broker-node2): node_id 1 is already the id of the broker on "
		"broker-node1: Kafka node ids must be unique in a cluster "
		"[node-id-duplicate]",
		NULL);
}

/* kafka-quorum-voter-syntax: "-" for "@" */
static void kafka_quorum_voter_syntax(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voter-syntax.yaml", 1,
		"tests/lint/kafka-quorum-voter-syntax.yaml:152:7: error: kafka: "
		"quorum voter '2-broker-node2:29092' is not <id>@<host>:<port> "
		"[quorum-voter-syntax]",
		"e.g. '1@broker-node1:29092'");
}

/* kafka-quorum-voters: controller 3 is no voter */
static void kafka_quorum_voters_missing(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voters-missing.yaml", 1,
		"tests/lint/kafka-quorum-voters-missing.yaml:151:5: error: "
		"kafka: quorum_voters does not match the controllers' node ids "
		"(1, 2, 3): no voter for node 3 (Kafka refuses to start a "
		"controller that is not a voter) [quorum-voters]",
		NULL);
}

/* kafka-quorum-voters: voter 4 is no controller */
static void kafka_quorum_voters_extra(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voters-extra.yaml", 1,
		"tests/lint/kafka-quorum-voters-extra.yaml:154:7: error: kafka: "
		"quorum_voters does not match the controllers' node ids (1, 2, "
		"3): voter 4 is no controller's node id (the quorum would count "
		"a voter that never runs) [quorum-voters]",
		NULL);
}

/* kafka-quorum-voters: voter 3 listed twice */
static void kafka_quorum_voters_twice(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voters-twice.yaml", 1,
		"tests/lint/kafka-quorum-voters-twice.yaml:154:7: error: kafka: "
		"voter id 3 appears twice (also '3@broker-node3:29092'): Kafka "
		"refuses to start [quorum-voters]",
		NULL);
}

/* kafka-quorum-voters: voter 2 on broker 3's instance */
static void kafka_quorum_voters_host(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voters-host.yaml", 1,
		"tests/lint/kafka-quorum-voters-host.yaml:152:7: error: kafka: "
		"voter 2's host 'broker-node3' is neither broker 2's instance "
		"(broker-node2) nor its address (10.64.0.3): the controllers "
		"could not reach each other [quorum-voters]",
		NULL);
}

/* kafka-quorum-voters: voter 2's port is not the controller listener's */
static void kafka_quorum_voters_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-quorum-voters-port.yaml", 1,
		"tests/lint/kafka-quorum-voters-port.yaml:152:7: error: kafka: "
		"voter 2's port 29093 is not the port of controller_listener "
		"'CONTROLLER' (29092): the controllers could not reach each "
		"other [quorum-voters]",
		NULL);
}

/* kafka-pattern-unique: uppercase letters in the unique string */
static void kafka_pattern_unique(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-pattern-unique.yaml", 1,
		"tests/lint/kafka-pattern-unique.yaml:43:11: error: tidbcloud: "
		"unique 'ABC' is not one or more lowercase letters or digits: "
		"TiDB Cloud refuses it [pattern-unique]",
		NULL);
}

/* kafka-pattern-shape: <broker-id> is not the pattern's placeholder */
static void kafka_pattern_shape(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-pattern-shape.yaml", 1,
		"tests/lint/kafka-pattern-shape.yaml:44:32: error: tidbcloud: "
		"advertised_listener_pattern "
		"'<broker-id>.abc.us-west1.gcp.3199745.tidbcloud.com:<port>' is "
		"not '<broker_id>.<unique>.<domain>:<port>' [pattern-shape]",
		"TiDB Cloud generates "
		"'<broker_id>.<unique>.<region>.gcp.<id>.tidbcloud.com:<port>'");
}

/* kafka-pattern-shape: '_' in the pattern's domain */
static void kafka_pattern_shape_domain(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-pattern-shape-domain.yaml", 1,
		"tests/lint/kafka-pattern-shape-domain.yaml:44:32: error: "
		"tidbcloud: the pattern's domain "
		"'abc.us_west1.gcp.3199745.tidbcloud.com' is not a DNS name: "
		"label 'us_west1' holds '_' [pattern-shape]",
		NULL);
}

/* kafka-pattern-shape: the domain does not start with unique */
static void kafka_pattern_shape_unique(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-pattern-shape-unique.yaml", 1,
		"tests/lint/kafka-pattern-shape-unique.yaml:44:32: error: "
		"tidbcloud: the pattern's domain starts with 'abd', not with "
		"unique 'abc': it is not the pattern TiDB Cloud generated for "
		"'abc', nor the names it resolves [pattern-shape]",
		NULL);
}

/* kafka-pattern-region (warning): a pattern generated for another region */
static void kafka_pattern_region(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-pattern-region.yaml", 0,
		"tests/lint/kafka-pattern-region.yaml:44:32: warning: tidbcloud: "
		"the pattern's domain 'abc.us-east1.gcp.3199745.tidbcloud.com' "
		"does not name region 'us-west1': TiDB Cloud generates the "
		"pattern in its cluster's region (copied from another cluster?) "
		"[pattern-region]",
		NULL);
}

/* kafka-broker-id: an uppercase broker_id */
static void kafka_broker_id(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-broker-id.yaml", 1,
		"tests/lint/kafka-broker-id.yaml:160:18: error: broker 1 "
		"(broker-node1): broker_id 'B1' is not a lowercase DNS label "
		"(a-z, 0-9 and '-', 1 to 63 characters): 'B1.<domain>' is no "
		"valid advertised host name [broker-id]",
		NULL);
}

/* kafka-broker-id: broker 2 reuses broker 1's broker_id */
static void kafka_broker_id_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-broker-id-duplicate.yaml", 1,
		"tests/lint/kafka-broker-id-duplicate.yaml:164:18: error: broker "
		"2 (broker-node2): broker_id 'b1' is also broker 1's: both would "
		"advertise the same host name [broker-id]",
		NULL);
}

/* kafka-broker-id-convention (warning): broker_id not b<node_id> */
static void kafka_broker_id_convention(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-broker-id-convention.yaml", 0,
		"tests/lint/kafka-broker-id-convention.yaml:160:18: warning: "
		"broker 1 (broker-node1): broker_id 'kafka1' differs from 'b1', "
		"the seed's convention ('b' + node.id) that makes "
		"troubleshooting easy [broker-id-convention]",
		"use 'b1'");
}

/* kafka-approach-portmap: no external_listener */
static void kafka_approach_portmap(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-portmap.yaml", 1,
		"tests/lint/kafka-approach-portmap.yaml:128:3: error: kafka: "
		"approach portmap needs external_listener, the listener the NEG "
		"maps client ports to and brokers advertise as "
		"<broker_id>.<domain>:<external_port> [approach-portmap]",
		NULL);
}

/* kafka-approach-portmap: broker 3 has no external_port */
static void kafka_approach_portmap_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-portmap-port.yaml", 1,
		"tests/lint/kafka-approach-portmap-port.yaml:166:7: error: "
		"broker 3 (broker-node3): no external_port: in approach portmap "
		"every broker advertises a client port of its own, "
		"<broker_id>.<domain>:<external_port> [approach-portmap]",
		NULL);
}

/* kafka-approach-proxy: approach proxy without kafka_proxy */
static void kafka_approach_proxy(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-proxy.yaml", 1,
		"tests/lint/kafka-approach-proxy.yaml:35:11: error: topology: "
		"approach proxy needs a kafka_proxy section: nothing would "
		"listen behind the load balancer [approach-proxy]",
		NULL);
}

/* kafka-approach-extra (warning): a kafka_proxy section in approach portmap */
static void kafka_approach_extra(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-extra.yaml", 0,
		"tests/lint/kafka-approach-extra.yaml:172:3: warning: "
		"kafka_proxy: approach portmap ignores the kafka_proxy section: "
		"no kafka-proxy runs [approach-extra]",
		NULL);
}

/* kafka-approach-extra (warning): external_listener in approach proxy */
static void kafka_approach_extra_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-extra-listener.yaml", 0,
		"tests/lint/kafka-approach-extra-listener.yaml:160:22: warning: "
		"kafka: approach proxy ignores external_listener 'EXTERNAL': "
		"kafka-proxy connects to the inter-broker listener "
		"[approach-extra]",
		NULL);
}

/* kafka-approach-extra (warning): external_port in approach proxy */
static void kafka_approach_extra_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-approach-extra-port.yaml", 0,
		"tests/lint/kafka-approach-extra-port.yaml:164:22: warning: "
		"broker 1 (broker-node1): approach proxy ignores external_port "
		"9093: kafka-proxy's mappings give the client ports "
		"[approach-extra]",
		NULL);
}

/* kafka-external-port-duplicate: brokers 1 and 2 advertise port 9093 */
static void kafka_external_port_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-external-port-duplicate.yaml", 1,
		"tests/lint/kafka-external-port-duplicate.yaml:165:22: error: "
		"broker 2 (broker-node2): external_port 9093 is also broker 1's: "
		"the port is what tells brokers apart at the endpoint, so the "
		"changefeed would reach one broker for both "
		"[external-port-duplicate]",
		NULL);
}

/* kafka-neg-port: a NEG endpoint on an instance that runs no broker */
static void kafka_neg_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-neg-port.yaml", 1,
		"tests/lint/kafka-neg-port.yaml:192:19: error: network endpoint "
		"group 'kafka-neg': the endpoint for client port 9096 maps "
		"instance 'monitor-node', which runs no Kafka broker: "
		"connections to client port 9096 reach nothing [neg-port]",
		NULL);
}

/* kafka-neg-port: a NEG endpoint on a port no listener uses */
static void kafka_neg_port_vm(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-neg-port-vm.yaml", 1,
		"tests/lint/kafka-neg-port-vm.yaml:186:15: error: network "
		"endpoint group 'kafka-neg': the endpoint for client port 9095 "
		"maps broker-node3:39093, but Kafka listens on 9092 (INTERNAL), "
		"29092 (CONTROLLER), 39092 (EXTERNAL) there: connections are "
		"refused [neg-port]",
		"map it to listener 'EXTERNAL', port 39092");
}

/* kafka-advertised-reach: broker 3 advertises a client port the NEG does not
 * map */
static void kafka_advertised_reach(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-reach.yaml", 1,
		"tests/lint/kafka-advertised-reach.yaml:169:22: error: broker 3 "
		"(broker-node3): advertises "
		"b3.abc.us-west1.gcp.3199745.tidbcloud.com:9096, but no NEG "
		"endpoint behind 'kafka-lb' has client port 9096: the "
		"changefeed's connections to broker 3 time out [advertised-reach]",
		"add to 'kafka-neg' an endpoint: instance broker-node3, port "
		"39092, client_port 9096");
}

/* kafka-advertised-reach: client port 9093 leads to broker-node1's INTERNAL
 * listener */
static void kafka_advertised_reach_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-reach-listener.yaml", 1,
		"tests/lint/kafka-advertised-reach-listener.yaml:180:15: error: "
		"broker 1 (broker-node1): "
		"b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093 reaches "
		"broker-node1:9092, listener 'INTERNAL', not external_listener "
		"'EXTERNAL' (39092): the changefeed would get INTERNAL metadata, "
		"with private addresses it cannot reach [advertised-reach]",
		"map client port 9093 to broker-node1:39092 (listener "
		"'EXTERNAL') in 'kafka-neg'");
}

/* kafka-advertised-dns: the private zone is for another domain */
static void kafka_advertised_dns(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-dns.yaml", 1,
		"tests/lint/kafka-advertised-dns.yaml:160:18: error: broker 1 "
		"(broker-node1): no private DNS zone visible to network "
		"'tidbcloud-vpc' (the changefeed's) holds "
		"b1.abc.us-west1.gcp.3199745.tidbcloud.com, nor 2 other "
		"advertised hosts: TiDB Cloud could not resolve them "
		"[advertised-dns]",
		NULL);
}

/* kafka-advertised-dns: records for b1 and b2 only, none for b3 */
static void kafka_advertised_dns_record(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-dns-record.yaml", 1,
		"tests/lint/kafka-advertised-dns-record.yaml:168:18: error: "
		"broker 3 (broker-node3): DNS zone 'kafka-psc-zone' has no "
		"record for b3.abc.us-west1.gcp.3199745.tidbcloud.com (nor a "
		"wildcard covering it): TiDB Cloud could not resolve it "
		"[advertised-dns]",
		NULL);
}

/* kafka-advertised-dns: the zone answers with another endpoint than the
 * changefeed's */
static void kafka_advertised_dns_endpoint(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-dns-endpoint.yaml", 1,
		"tests/lint/kafka-advertised-dns-endpoint.yaml:230:19: error: "
		"DNS zone 'kafka-psc-zone': record '*' resolves "
		"b1.abc.us-west1.gcp.3199745.tidbcloud.com (and 2 other "
		"advertised hosts) to endpoint 'kafka-psc-endpoint2', not to the "
		"changefeed's endpoint 'kafka-psc-endpoint': the changefeed "
		"would reach brokers through another endpoint than the one it "
		"bootstraps through [advertised-dns]",
		NULL);
}

/* kafka-advertised-dns: records for the mapped brokers only, none for the
 * dynamic listener */
static void kafka_advertised_dns_proxy(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-dns-proxy.yaml", 1,
		"tests/lint/kafka-advertised-dns-proxy.yaml:183:32: error: "
		"kafka_proxy: DNS zone 'kafka-proxy-psc-zone' has no record for "
		"brokers.abc.us-west1.gcp.3199745.tidbcloud.com (nor a wildcard "
		"covering it): TiDB Cloud could not resolve it [advertised-dns]",
		NULL);
}

/* kafka-bootstrap-port: the seed's bootstrap ports 9092,9093,9094; the NEG
 * maps 9093..9095.  The linter's flagship finding: the seed's own text
 * would leave the changefeed's first bootstrap port mapped to nothing. */
static void kafka_bootstrap_port_seed(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-seed.yaml", 1,
		"tests/lint/kafka-bootstrap-port-seed.yaml:230:21: error: "
		"changefeed: bootstrap port 9092: no NEG endpoint behind "
		"'kafka-lb' maps client port 9092, so the changefeed's bootstrap "
		"connections to it time out [bootstrap-port]",
		"'kafka-neg' maps client ports 9093, 9094, 9095 to brokers' "
		"external listener; bootstrap from those");
}

/* kafka-bootstrap-port: bootstrap port 9092 mapped to broker-node1's
 * INTERNAL listener */
static void kafka_bootstrap_port_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-listener.yaml", 1,
		"tests/lint/kafka-bootstrap-port-listener.yaml:233:21: error: "
		"changefeed: bootstrap port 9092 reaches broker-node1:9092, "
		"listener 'INTERNAL', not external_listener 'EXTERNAL': its "
		"metadata would advertise INTERNAL addresses, which TiDB Cloud "
		"cannot reach [bootstrap-port]",
		"'kafka-neg' maps client ports 9093, 9094, 9095 to brokers' "
		"external listener; bootstrap from those");
}

/* kafka-bootstrap-port-duplicate: 9094 listed twice */
static void kafka_bootstrap_port_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-duplicate.yaml", 1,
		"tests/lint/kafka-bootstrap-port-duplicate.yaml:230:33: error: "
		"changefeed: bootstrap port 9094 is listed twice "
		"[bootstrap-port-duplicate]",
		NULL);
}

/* kafka-bootstrap-port: no bootstrap port at all */
static void kafka_bootstrap_port_none(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-none.yaml", 1,
		"tests/lint/kafka-bootstrap-port-none.yaml:230:20: error: "
		"changefeed: no bootstrap port: the changefeed has nowhere to "
		"bootstrap from [bootstrap-port]",
		NULL);
}

/* kafka-bootstrap-coverage (warning): a single bootstrap port */
static void kafka_bootstrap_coverage(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-coverage.yaml", 0,
		"tests/lint/kafka-bootstrap-coverage.yaml:230:20: warning: "
		"changefeed: only one bootstrap port: the changefeed cannot "
		"bootstrap while its broker is down (the seed recommends "
		"several, one per zone) [bootstrap-coverage]",
		"list one bootstrap port per zone");
}

/* kafka-bootstrap-port: 9099 is no listen port of kafka-proxy */
static void kafka_bootstrap_port_proxy(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-proxy.yaml", 1,
		"tests/lint/kafka-bootstrap-port-proxy.yaml:238:33: error: "
		"changefeed: bootstrap port 9099 is no listen port of "
		"kafka-proxy's bootstrap mappings: the changefeed cannot "
		"bootstrap from it [bootstrap-port]",
		"kafka-proxy's bootstrap mappings listen on 9092, 9093, 9094");
}

/* kafka-proxy-instance: kafka-proxy on an instance outside kafka-proxy-ig */
static void kafka_proxy_instance(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-instance.yaml", 1,
		"tests/lint/kafka-proxy-instance.yaml:171:13: error: "
		"kafka_proxy: instance 'bastion-node' is in no instance group "
		"behind 'kafka-proxy-lb', the load balancer the changefeed's "
		"endpoint reaches: the changefeed's connections never reach "
		"kafka-proxy [proxy-instance]",
		"run kafka-proxy on an instance of 'kafka-proxy-ig'");
}

/* kafka-proxy-mapping-upstream: upstream without a port */
static void kafka_proxy_mapping_upstream(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-mapping-upstream.yaml", 1,
		"tests/lint/kafka-proxy-mapping-upstream.yaml:173:17: error: "
		"bootstrap server mapping #1: upstream 'broker-node1' is not "
		"host:port [proxy-mapping-upstream]",
		"e.g. 'broker-node1:9092'");
}

/* kafka-proxy-mapping-upstream: upstream host is a typo */
static void kafka_proxy_mapping_upstream_host(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-mapping-upstream-host.yaml", 1,
		"tests/lint/kafka-proxy-mapping-upstream-host.yaml:173:17: "
		"error: bootstrap server mapping #1: upstream host 'broker-nod1' "
		"is neither an instance nor an IPv4 address "
		"[proxy-mapping-upstream]",
		"did you mean 'broker-node1'?");
}

/* kafka-proxy-mapping-mismatch (warning): upstream is broker 1's CLIENT
 * listener, not what it advertises */
static void kafka_proxy_mapping_mismatch(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-mapping-mismatch.yaml", 0,
		"tests/lint/kafka-proxy-mapping-mismatch.yaml:177:17: warning: "
		"bootstrap server mapping #1: upstream broker-node1:19092 "
		"(10.64.0.2:19092) is broker 1's listener 'CLIENT', but the "
		"broker advertises 10.64.0.2:9092 on 'INTERNAL': kafka-proxy "
		"compares the two as strings (issue #203), so broker 1 gets a "
		"dynamic listener instead of this mapping "
		"[proxy-mapping-mismatch]",
		NULL);
}

/* kafka-proxy-mapping-mismatch: upstream is no broker at all */
static void kafka_proxy_mapping_mismatch_none(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-mapping-mismatch-none.yaml", 1,
		"tests/lint/kafka-proxy-mapping-mismatch-none.yaml:173:17: "
		"error: bootstrap server mapping #1: upstream 10.64.0.9:9092 is "
		"no broker's INTERNAL listener (they advertise 10.64.0.2:9092, "
		"10.64.0.3:9092, 10.64.0.4:9092): kafka-proxy cannot bootstrap "
		"through this mapping [proxy-mapping-mismatch]",
		NULL);
}

/* kafka-advertised-pattern: broker 2's EXTERNAL entry of
 * advertised.listeners is its own address, not the pattern's name */
static void kafka_advertised_pattern(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-pattern.yaml", 1,
		"tests/lint/kafka-advertised-pattern.yaml:166:28: error: broker 2 "
		"(broker-node2): advertises 10.64.0.3:39092 on listener "
		"'EXTERNAL', not the pattern's "
		"b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094: Metadata sends "
		"the changefeed to it, a private address of the producer's VPC "
		"that the changefeed's VPC has no route to (only the PSC "
		"endpoint leads in) [advertised-pattern]",
		"remove external_advertised: advertised.listeners=...,"
		"EXTERNAL://b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094, as "
		"the pattern says");
}

/* kafka-advertised-pattern-name: the pattern's name on the listener's own
 * port (39092) instead of the broker's client port */
static void kafka_advertised_pattern_name(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-pattern-name.yaml", 1,
		"tests/lint/kafka-advertised-pattern-name.yaml:166:28: error: "
		"broker 2 (broker-node2): advertises "
		"b2.abc.us-west1.gcp.3199745.tidbcloud.com:39092 on listener "
		"'EXTERNAL', not the pattern's "
		"b2.abc.us-west1.gcp.3199745.tidbcloud.com:9094: Metadata sends "
		"the changefeed to it, which is not where the private zone and "
		"the NEG lead to broker 2 [advertised-pattern]",
		NULL);
}

/* kafka-advertised-pattern-proxy: external_advertised where no listener is
 * the external one (the proxy way) */
static void kafka_advertised_pattern_proxy(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-advertised-pattern-proxy.yaml", 1,
		"tests/lint/kafka-advertised-pattern-proxy.yaml:166:28: error: "
		"broker 2 (broker-node2): external_advertised '10.64.0.3:9092' "
		"is set, but the cluster has no external_listener that would "
		"advertise it [advertised-pattern]",
		"remove external_advertised");
}

/* kafka-proxy-listen: listen without a port */
static void kafka_proxy_listen(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-listen.yaml", 1,
		"tests/lint/kafka-proxy-listen.yaml:174:15: error: bootstrap "
		"server mapping #1: listen '0.0.0.0' is not <IPv4 "
		"address>:<port> [proxy-listen]",
		"e.g. '0.0.0.0:9092'");
}

/* kafka-proxy-listen: mapping 2 listens on mapping 1's port */
static void kafka_proxy_listen_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-listen-duplicate.yaml", 1,
		"tests/lint/kafka-proxy-listen-duplicate.yaml:177:15: error: "
		"bootstrap server mapping #2: listen port 9092 is also mapping "
		"#1's: kafka-proxy cannot bind it twice [proxy-listen]",
		NULL);
}

/* kafka-proxy-listen: listening on the proxy's own address, not the load
 * balancer's */
static void kafka_proxy_listen_address(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-listen-address.yaml", 1,
		"tests/lint/kafka-proxy-listen-address.yaml:174:15: error: "
		"bootstrap server mapping #1: listen address 10.64.0.5:9092 is "
		"not 10.64.0.6, the address of 'kafka-proxy-lb': the passthrough "
		"load balancer delivers with that destination, so the "
		"changefeed's connections would not reach this listener "
		"[proxy-listen]",
		"listen on 0.0.0.0");
}

/* kafka-proxy-listen: the HTTP port is mapping 3's listen port */
static void kafka_proxy_listen_http(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-listen-http.yaml", 1,
		"tests/lint/kafka-proxy-listen-http.yaml:184:24: error: "
		"kafka_proxy: http_listen_address port 9094 is also mapping #3's "
		"listen port: kafka-proxy cannot bind it twice [proxy-listen]",
		NULL);
}

/* kafka-proxy-listen: http_listen_address without an address */
static void kafka_proxy_listen_http_syntax(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-listen-http-syntax.yaml", 1,
		"tests/lint/kafka-proxy-listen-http-syntax.yaml:184:24: error: "
		"kafka_proxy: http_listen_address '9080' is not <IPv4 "
		"address>:<port> [proxy-listen]",
		"e.g. '0.0.0.0:9080'");
}

/* kafka-proxy-advertised: advertised host outside the pattern */
static void kafka_proxy_advertised(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-advertised.yaml", 1,
		"tests/lint/kafka-proxy-advertised.yaml:175:19: error: bootstrap "
		"server mapping #1: advertised "
		"'b1.xyz.us-west1.gcp.3199745.tidbcloud.com:9092' does not "
		"follow the pattern: not "
		"<label>.abc.us-west1.gcp.3199745.tidbcloud.com:<port> with a "
		"lowercase DNS label [proxy-advertised]",
		"e.g. 'b1.abc.us-west1.gcp.3199745.tidbcloud.com:<listen port>'");
}

/* kafka-proxy-advertised: advertised port differs from the listen port */
static void kafka_proxy_advertised_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-advertised-port.yaml", 1,
		"tests/lint/kafka-proxy-advertised-port.yaml:178:19: error: "
		"bootstrap server mapping #2: advertised port 9095 differs from "
		"listen port 9093: a passthrough load balancer keeps ports, so "
		"the changefeed would connect to 9095, where kafka-proxy does "
		"not listen for this broker [proxy-advertised]",
		NULL);
}

/* kafka-proxy-advertised: mapping 2 advertises mapping 1's host:port */
static void kafka_proxy_advertised_duplicate(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-advertised-duplicate.yaml", 1,
		"tests/lint/kafka-proxy-advertised-duplicate.yaml:178:19: error: "
		"bootstrap server mapping #2: advertised "
		"'b1.abc.us-west1.gcp.3199745.tidbcloud.com:9092' is also "
		"mapping #1's: the changefeed could not tell the two brokers "
		"apart [proxy-advertised]",
		NULL);
}

/* kafka-proxy-version: --deterministic-listeners is v0.4.0+ */
static void kafka_proxy_version(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-version.yaml", 1,
		"tests/lint/kafka-proxy-version.yaml:191:28: error: kafka_proxy: "
		"deterministic_listeners needs kafka-proxy v0.4.0 or later "
		"(--deterministic-listeners), and this topology runs v0.3.11 "
		"[proxy-version]",
		"set version: v0.4.3 (make deps builds it)");
	psc_test_expect_only(
		"tests/lint/kafka-proxy-version-tag.yaml", 1,
		"tests/lint/kafka-proxy-version-tag.yaml:190:12: error: "
		"kafka_proxy: version '0.4.3' is not a kafka-proxy release tag "
		"(vMAJOR.MINOR.PATCH) [proxy-version]",
		"a release tag, e.g. v0.3.11 (the seed's) or v0.4.3");
}

/* kafka_proxy.additional_instances must name instances */
static void kafka_unknown_reference_proxy_additional(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-unknown-reference-proxy-additional.yaml", 1,
		"tests/lint/kafka-unknown-reference-proxy-additional.yaml:189:26: "
		"error: kafka_proxy: additional_instances 'kafka-proxy-nod2' "
		"names no instance [unknown-reference]",
		NULL);
}

/* the shipped proxy-two.yaml: two proxies with dynamic brokers warn
 * (kafka-proxy issue #174); proxy-two-deterministic.yaml is clean */
static void kafka_proxy_multiple(void **state)
{
	(void)state;
	psc_test_expect_only(
		"topologies/proxy-two.yaml", 0,
		"topologies/proxy-two.yaml:202:25: warning: kafka_proxy: 2 "
		"kafka-proxies behind one load balancer give the 2 unmapped "
		"brokers dynamic ports in their own discovery order: metadata "
		"from one can name a port that leads to another broker on the "
		"other (kafka-proxy issue #174) [proxy-multiple]",
		"run one kafka-proxy (the seed's advice), or set "
		"deterministic_listeners: true with version v0.4.3 on all of "
		"them");
	no_kafka_findings("topologies/proxy-two-deterministic.yaml");
	no_kafka_findings("topologies/proxy-dynamic.yaml");
}

/* kafka-proxy-dynamic: brokers 4 and 5 unmapped, no
 * dynamic_advertised_listener */
static void kafka_proxy_dynamic_listener(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-listener.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-listener.yaml:178:3: error: "
		"kafka_proxy: brokers 4 (broker-node4), 5 (broker-node5) have no "
		"bootstrap mapping and dynamic_advertised_listener is not set: "
		"kafka-proxy would advertise 0.0.0.0 for them, unreachable from "
		"the changefeed [proxy-dynamic]",
		"set dynamic_advertised_listener to "
		"'<prefix>.<unique>.<domain>', e.g. 'brokers.<domain>'");
}

/* kafka-proxy-dynamic: brokers 4 and 5 unmapped, no
 * dynamic_sequential_min_port */
static void kafka_proxy_dynamic_min_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-min-port.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-min-port.yaml:178:3: error: "
		"kafka_proxy: brokers 4 (broker-node4), 5 (broker-node5) have no "
		"bootstrap mapping and dynamic_sequential_min_port is not set: "
		"kafka-proxy would give their listeners random ports, so the "
		"changefeed could not count on reaching them [proxy-dynamic]",
		"set dynamic_sequential_min_port, e.g. to the port after the "
		"last listen port");
}

/* kafka-proxy-dynamic: dynamic_advertised_listener with a port (v0.3.x takes
 * a host) */
static void kafka_proxy_dynamic_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-port.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-port.yaml:183:32: error: "
		"kafka_proxy: dynamic_advertised_listener "
		"'brokers.abc.us-west1.gcp.3199745.tidbcloud.com:9095' has a "
		"port: kafka-proxy v0.3.x takes a host only (the seed: \"Remove "
		":<port>\") [proxy-dynamic]",
		"use 'brokers.abc.us-west1.gcp.3199745.tidbcloud.com'");
}

/* kafka-proxy-dynamic: dynamic_advertised_listener outside the pattern */
static void kafka_proxy_dynamic_pattern(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-pattern.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-pattern.yaml:183:32: error: "
		"kafka_proxy: dynamic_advertised_listener "
		"'brokers.xyz.us-west1.gcp.3199745.tidbcloud.com' is not "
		"<prefix>.abc.us-west1.gcp.3199745.tidbcloud.com: it does not "
		"follow the pattern [proxy-dynamic]",
		"e.g. 'brokers.abc.us-west1.gcp.3199745.tidbcloud.com'");
}

/* kafka-proxy-dynamic: uppercase prefix */
static void kafka_proxy_dynamic_prefix(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-prefix.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-prefix.yaml:183:32: error: "
		"kafka_proxy: the prefix 'Brokers' of "
		"dynamic_advertised_listener is not a lowercase DNS label (the "
		"seed: \"fixed lower case string\") [proxy-dynamic]",
		NULL);
}

/* kafka-proxy-dynamic: prefix is mapping 1's broker label */
static void kafka_proxy_dynamic_label(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-label.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-label.yaml:183:32: error: "
		"kafka_proxy: the prefix 'b1' of dynamic_advertised_listener is "
		"also mapping #1's broker label: the seed wants a fixed string "
		"of its own for the dynamic brokers, so that TiDB Cloud routes "
		"their requests properly [proxy-dynamic]",
		"use a prefix of its own, e.g. 'brokers'");
}

/* kafka-proxy-dynamic-ports: dynamic listeners 9094..9095 collide with
 * mapping 3's listen port */
static void kafka_proxy_dynamic_ports(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-proxy-dynamic-ports.yaml", 1,
		"tests/lint/kafka-proxy-dynamic-ports.yaml:189:32: error: "
		"kafka_proxy: the dynamic listeners of the 2 unmapped brokers "
		"take ports 9094..9095, but 9094 is mapping #3's listen port: "
		"kafka-proxy could not open them all [proxy-dynamic-ports]",
		NULL);
}

/* kafka-bootstrap-port: 9095 is only a dynamic listener */
static void kafka_bootstrap_port_dynamic(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-bootstrap-port-dynamic.yaml", 1,
		"tests/lint/kafka-bootstrap-port-dynamic.yaml:245:33: error: "
		"changefeed: bootstrap port 9095 is only a dynamic listener of "
		"kafka-proxy (from dynamic_sequential_min_port 9095), opened "
		"once a Metadata response names its broker: the changefeed "
		"cannot bootstrap from it [bootstrap-port]",
		"kafka-proxy's bootstrap mappings listen on 9092, 9093, 9094");
}

/* kafka-hc-port (warning): the health check probes a port kafka-proxy does
 * not listen on */
static void kafka_hc_port(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-hc-port.yaml", 0,
		"tests/lint/kafka-hc-port.yaml:195:11: warning: health check "
		"'kafka-proxy-hc': port 9099 is none of kafka-proxy's bootstrap "
		"listen ports (9092, 9093, 9094): every probe fails, and "
		"'kafka-proxy-lb' serves only because an all-unhealthy backend "
		"fails open [hc-port]",
		NULL);
}

/* kafka-hc-port (warning): the health check probes kafka-proxy's HTTP port */
static void kafka_hc_port_http(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-hc-port-http.yaml", 0,
		"tests/lint/kafka-hc-port-http.yaml:195:11: warning: health "
		"check 'kafka-proxy-hc': port 9080 is kafka-proxy's HTTP port, "
		"not one of its bootstrap listen ports (9092, 9093, 9094): the "
		"probe passes even when kafka-proxy serves no Kafka [hc-port]",
		NULL);
}

/* kafka-zone-suggested (warning): broker-node3 outside TiDB Cloud's zones */
static void kafka_zone_suggested(void **state)
{
	(void)state;
	psc_test_expect_only(
		"tests/lint/kafka-zone-suggested.yaml", 0,
		"tests/lint/kafka-zone-suggested.yaml:111:11: warning: broker 3 "
		"(broker-node3): zone us-west1-f of instance 'broker-node3' is "
		"not one of TiDB Cloud's suggested zones (us-west1-a, "
		"us-west1-b, us-west1-c): traffic to this broker crosses zones "
		"[zone-suggested]",
		NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_portmap_clean),
		cmocka_unit_test(shipped_proxy_clean),
		cmocka_unit_test(kafka_unknown_reference_broker),
		cmocka_unit_test(kafka_unknown_reference_proxy),
		cmocka_unit_test(kafka_broker_instance_duplicate),
		cmocka_unit_test(kafka_listener_protocol_map),
		cmocka_unit_test(kafka_unknown_listener),
		cmocka_unit_test(kafka_unknown_listener_external),
		cmocka_unit_test(kafka_listener_duplicate),
		cmocka_unit_test(kafka_listener_duplicate_port),
		cmocka_unit_test(kafka_listener_host),
		cmocka_unit_test(kafka_listener_host_address),
		cmocka_unit_test(kafka_controller_listener),
		cmocka_unit_test(kafka_controller_listener_empty),
		cmocka_unit_test(kafka_cluster_id),
		cmocka_unit_test(kafka_config_owned),
		cmocka_unit_test(kafka_node_id_duplicate),
		cmocka_unit_test(kafka_quorum_voter_syntax),
		cmocka_unit_test(kafka_quorum_voters_missing),
		cmocka_unit_test(kafka_quorum_voters_extra),
		cmocka_unit_test(kafka_quorum_voters_twice),
		cmocka_unit_test(kafka_quorum_voters_host),
		cmocka_unit_test(kafka_quorum_voters_port),
		cmocka_unit_test(kafka_pattern_unique),
		cmocka_unit_test(kafka_pattern_shape),
		cmocka_unit_test(kafka_pattern_shape_domain),
		cmocka_unit_test(kafka_pattern_shape_unique),
		cmocka_unit_test(kafka_pattern_region),
		cmocka_unit_test(kafka_broker_id),
		cmocka_unit_test(kafka_broker_id_duplicate),
		cmocka_unit_test(kafka_broker_id_convention),
		cmocka_unit_test(kafka_approach_portmap),
		cmocka_unit_test(kafka_approach_portmap_port),
		cmocka_unit_test(kafka_approach_proxy),
		cmocka_unit_test(kafka_approach_extra),
		cmocka_unit_test(kafka_approach_extra_listener),
		cmocka_unit_test(kafka_approach_extra_port),
		cmocka_unit_test(kafka_external_port_duplicate),
		cmocka_unit_test(kafka_neg_port),
		cmocka_unit_test(kafka_neg_port_vm),
		cmocka_unit_test(kafka_advertised_reach),
		cmocka_unit_test(kafka_advertised_reach_swap),
		cmocka_unit_test(kafka_advertised_reach_listener),
		cmocka_unit_test(kafka_advertised_dns),
		cmocka_unit_test(kafka_advertised_dns_record),
		cmocka_unit_test(kafka_advertised_dns_endpoint),
		cmocka_unit_test(kafka_advertised_dns_proxy),
		cmocka_unit_test(kafka_bootstrap_port_seed),
		cmocka_unit_test(kafka_bootstrap_port_listener),
		cmocka_unit_test(kafka_bootstrap_port_duplicate),
		cmocka_unit_test(kafka_bootstrap_port_none),
		cmocka_unit_test(kafka_bootstrap_coverage),
		cmocka_unit_test(kafka_bootstrap_port_proxy),
		cmocka_unit_test(kafka_proxy_instance),
		cmocka_unit_test(kafka_proxy_mapping_upstream),
		cmocka_unit_test(kafka_proxy_mapping_upstream_host),
		cmocka_unit_test(kafka_proxy_mapping_mismatch),
		cmocka_unit_test(kafka_proxy_mapping_mismatch_none),
		cmocka_unit_test(kafka_advertised_pattern),
		cmocka_unit_test(kafka_advertised_pattern_name),
		cmocka_unit_test(kafka_advertised_pattern_proxy),
		cmocka_unit_test(kafka_proxy_listen),
		cmocka_unit_test(kafka_proxy_listen_duplicate),
		cmocka_unit_test(kafka_proxy_listen_address),
		cmocka_unit_test(kafka_proxy_listen_http),
		cmocka_unit_test(kafka_proxy_listen_http_syntax),
		cmocka_unit_test(kafka_proxy_advertised),
		cmocka_unit_test(kafka_proxy_advertised_port),
		cmocka_unit_test(kafka_proxy_advertised_duplicate),
		cmocka_unit_test(kafka_proxy_dynamic_listener),
		cmocka_unit_test(kafka_proxy_version),
		cmocka_unit_test(kafka_unknown_reference_proxy_additional),
		cmocka_unit_test(kafka_proxy_multiple),
		cmocka_unit_test(kafka_proxy_dynamic_min_port),
		cmocka_unit_test(kafka_proxy_dynamic_port),
		cmocka_unit_test(kafka_proxy_dynamic_pattern),
		cmocka_unit_test(kafka_proxy_dynamic_prefix),
		cmocka_unit_test(kafka_proxy_dynamic_label),
		cmocka_unit_test(kafka_proxy_dynamic_ports),
		cmocka_unit_test(kafka_bootstrap_port_dynamic),
		cmocka_unit_test(kafka_hc_port),
		cmocka_unit_test(kafka_hc_port_http),
		cmocka_unit_test(kafka_proxy_dynamic_five_brokers),
		cmocka_unit_test(kafka_zone_suggested),
	};
	return cmocka_run_group_tests_name("lint_kafka", tests, NULL, NULL);
}
