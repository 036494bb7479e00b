/* Unit tests: the GCP networking rules (lint_net.c).  One test per fixture
 * tests/lint/net-<rule>[-variant].yaml: each fixture is a copy of a shipped
 * topology that breaks one thing, kept as tests/lint/<name>.patch against
 * it (its first line says what it breaks; psc_test.h builds the file), and
 * must give exactly the finding below, formatted as `pscLab lint` prints
 * it.  A few breakages legitimately give more than one finding; they have
 * their own assertions at the end.  Last, the checks of every fixture of
 * tests/lint (load-*, net-*, kafka-*): each patch is what `diff -u` makes
 * and applies cleanly, each fixture is used by a test, and the fixtures
 * kept whole are not copies of a shipped topology. */
#include "psc_test.h"
#include "model/topology_load.h"

#include <dirent.h>
#include <sys/stat.h>

#include "lint/lint_net.h"

#define FIXTURE(fn, name, rc, line, hint)                                \
	static void fn(void **state)                                     \
	{                                                                \
		(void)state;                                             \
		psc_test_expect_only("tests/lint/" name ".yaml", rc,     \
				     line, hint);                        \
	}

/* ---- the shipped topologies ---- */

static void shipped_portmap_clean(void **state)
{
	(void)state;
	psc_diags d;
	int rc = psc_test_lint("topologies/portmap.yaml", &d);
	if (d.n != 0) {
		psc_test_dump(&d);
		fail_msg("topologies/portmap.yaml: %zu findings, want 0", d.n);
	}
	assert_int_equal(rc, 0);
	psc_diags_free(&d);
}

/* the seed's own gap (proxy.yaml, comment 1): no rule for the probes */
static void shipped_proxy_hc_warning(void **state)
{
	(void)state;
	psc_test_expect_only(
		"topologies/proxy.yaml", 0,
		"topologies/proxy.yaml:197:19: warning: load balancer "
		"'kafka-proxy-lb': health-check probes from 35.191.0.0/16 "
		"and 130.211.0.0/22 cannot reach tcp:9092 on "
		"kafka-proxy-node: no rule allows it (implied deny ingress); "
		"every probe fails, all backends are unhealthy and the load "
		"balancer fails open, sending new connections to all of them "
		"[hc-firewall]",
		"add an INGRESS rule allowing tcp:9092 from 35.191.0.0/16 and "
		"130.211.0.0/22 (GCP's health-check ranges)");
}

/* ---- one finding per fixture ---- */

FIXTURE(net_address_conflict, "net-address-conflict", 1,
	   "tests/lint/net-address-conflict.yaml:198:17: error: "
	   "load balancer 'kafka-lb': address 10.64.0.10 is also "
	   "the address of instance 'broker-node3' (line 110); GCP "
	   "refuses two resources with one address in network "
	   "'kafka-vpc' [address-conflict]",
	   NULL)

FIXTURE(net_address_exhausted, "net-address-exhausted", 1,
	   "tests/lint/net-address-exhausted.yaml:200:17: error: "
	   "load balancer 'kafka-lb': no free address left in "
	   "subnetwork 'brokers-subnet' (10.64.0.0/29: 4 usable, "
	   "taken by the objects before this one); GCP would fail "
	   "to create it [address-exhausted]",
	   "use a larger range, or fewer objects in it")

FIXTURE(net_address_outside_subnet, "net-address-outside-subnet", 1,
	   "tests/lint/net-address-outside-subnet.yaml:95:17: "
	   "error: instance 'bastion-node': network_ip 10.200.0.5 "
	   "is outside subnetwork 'bastion-subnet' (10.0.0.0/18); "
	   "GCP refuses it [address-outside-subnet]",
	   "leave it out to have one assigned, or use one of "
	   "10.0.0.2..10.0.63.253")

FIXTURE(net_address_reserved, "net-address-reserved", 1,
	   "tests/lint/net-address-reserved.yaml:95:17: error: "
	   "instance 'bastion-node': network_ip 10.0.0.1 is "
	   "reserved in subnetwork 'bastion-subnet' (10.0.0.0/18): "
	   "it is the default gateway; GCP refuses it "
	   "[address-reserved]",
	   "leave it out to have one assigned, or use one of "
	   "10.0.0.2..10.0.63.253")

FIXTURE(net_changefeed_network, "net-changefeed-network", 1,
	   "tests/lint/net-changefeed-network.yaml:236:13: error: "
	   "changefeed: instance 'changefeed' is in network "
	   "'tidbcloud-vpc2', but PSC endpoint 'kafka-psc-endpoint' "
	   "is in network 'tidbcloud-vpc': a consumer reaches a PSC "
	   "endpoint only from inside its VPC [changefeed-network]",
	   NULL)

FIXTURE(net_cidr_syntax_firewall, "net-cidr-syntax-firewall", 1,
	   "tests/lint/net-cidr-syntax-firewall.yaml:71:25: error: "
	   "firewall 'kafka-vpc-allow-ssh': source_ranges "
	   "'0.0.0.0/33': prefix length 33 is out of range 0..32 "
	   "[cidr-syntax]",
	   NULL)

FIXTURE(net_cidr_syntax_subnet, "net-cidr-syntax-subnet", 1,
	   "tests/lint/net-cidr-syntax-subnet.yaml:52:24: error: "
	   "subnetwork 'bastion-subnet': ip_cidr_range "
	   "'10.0.0.1/18' has host bits set (the range is "
	   "10.0.0.0/18) [cidr-syntax]",
	   NULL)

FIXTURE(net_dns_name_dot, "net-dns-name-dot", 1,
	   "tests/lint/net-dns-name-dot.yaml:228:15: error: DNS "
	   "zone 'extra-zone': dns_name 'example.com' has no "
	   "trailing dot; Cloud DNS takes an absolute name "
	   "[dns-name]",
	   "add the trailing dot: 'example.com.'")

FIXTURE(net_dns_name_label, "net-dns-name-label", 1,
	   "tests/lint/net-dns-name-label.yaml:228:15: error: DNS "
	   "zone 'extra-zone': dns_name 'kafka_psc.example.com.' "
	   "has label 'kafka_psc': a label is 1 to 63 of a-z, 0-9 "
	   "and '-', not starting or ending with '-' [dns-name]",
	   NULL)

FIXTURE(net_dns_name_long, "net-dns-name-long", 1,
	   "tests/lint/net-dns-name-long.yaml:228:15: error: DNS "
	   "zone 'extra-zone': dns_name is 254 characters long "
	   "(without the trailing dot); a DNS name has at most 253 "
	   "[dns-name]",
	   NULL)

FIXTURE(net_dns_record_name, "net-dns-record-name", 1,
	   "tests/lint/net-dns-record-name.yaml:226:15: error: DNS "
	   "zone 'kafka-psc-zone': record name 'b1.' is not '*' or "
	   "a relative name (labels of a-z, 0-9 and '-', no "
	   "trailing dot) [dns-record-name]",
	   "record names are relative to the zone: write 'b1'")

FIXTURE(net_duplicate_name_dns_zone, "net-duplicate-name-dns-zone", 1,
	   "tests/lint/net-duplicate-name-dns-zone.yaml:226:11: "
	   "error: DNS zone 'kafka-psc-zone': another DNS zone "
	   "named 'kafka-psc-zone' is at line 218; GCP refuses a "
	   "second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_endpoint, "net-duplicate-name-endpoint", 1,
	   "tests/lint/net-duplicate-name-endpoint.yaml:216:11: "
	   "error: PSC endpoint 'kafka-psc-endpoint': another PSC "
	   "endpoint named 'kafka-psc-endpoint' is at line 211; GCP "
	   "refuses a second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_firewall, "net-duplicate-name-firewall", 1,
	   "tests/lint/net-duplicate-name-firewall.yaml:75:15: "
	   "error: firewall 'kafka-vpc-allow-ssh': another firewall "
	   "named 'kafka-vpc-allow-ssh' is at line 68; GCP refuses "
	   "a second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_health_check, "net-duplicate-name-health-check", 1,
	   "tests/lint/net-duplicate-name-health-check.yaml:195:11: "
	   "error: health check 'kafka-proxy-hc': another health "
	   "check named 'kafka-proxy-hc' is at line 191; GCP "
	   "refuses a second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_ig, "net-duplicate-name-ig", 1,
	   "tests/lint/net-duplicate-name-ig.yaml:189:11: error: "
	   "instance group 'kafka-proxy-ig': another instance group "
	   "named 'kafka-proxy-ig' is at line 186; GCP refuses a "
	   "second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_instance, "net-duplicate-name-instance", 1,
	   "tests/lint/net-duplicate-name-instance.yaml:96:11: "
	   "error: instance 'bastion-node': another instance named "
	   "'bastion-node' is at line 89; GCP refuses a second one "
	   "[duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_lb, "net-duplicate-name-lb", 1,
	   "tests/lint/net-duplicate-name-lb.yaml:198:11: error: "
	   "load balancer 'kafka-lb': another load balancer named "
	   "'kafka-lb' is at line 190; GCP refuses a second one "
	   "[duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_neg, "net-duplicate-name-neg", 1,
	   "tests/lint/net-duplicate-name-neg.yaml:188:11: error: "
	   "network endpoint group 'kafka-neg': another network "
	   "endpoint group named 'kafka-neg' is at line 173; GCP "
	   "refuses a second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_network, "net-duplicate-name-network", 1,
	   "tests/lint/net-duplicate-name-network.yaml:88:11: "
	   "error: network 'tidbcloud-vpc': another network named "
	   "'tidbcloud-vpc' is at line 81; GCP refuses a second one "
	   "[duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_sa, "net-duplicate-name-sa", 1,
	   "tests/lint/net-duplicate-name-sa.yaml:212:11: error: "
	   "service attachment 'kafka-psc': another service "
	   "attachment named 'kafka-psc' is at line 204; GCP "
	   "refuses a second one [duplicate-name]",
	   NULL)

FIXTURE(net_duplicate_name_subnetwork, "net-duplicate-name-subnetwork", 1,
	   "tests/lint/net-duplicate-name-subnetwork.yaml:87:15: "
	   "error: subnetwork 'bastion-subnet': another subnetwork "
	   "named 'bastion-subnet' is at line 50; GCP refuses a "
	   "second one [duplicate-name]",
	   NULL)

FIXTURE(net_firewall_action_both, "net-firewall-action-both", 1,
	   "tests/lint/net-firewall-action-both.yaml:82:11: error: "
	   "firewall 'allow-and-deny': both allow and deny: GCP "
	   "takes one of them per rule [firewall-action]",
	   "split it into an allow rule and a deny rule")

FIXTURE(net_firewall_action_none, "net-firewall-action-none", 1,
	   "tests/lint/net-firewall-action-none.yaml:75:9: error: "
	   "firewall 'no-action': neither allow nor deny: GCP needs "
	   "exactly one of them [firewall-action]",
	   "add allow: (or deny:) with a protocol")

FIXTURE(net_firewall_direction_egress, "net-firewall-direction-egress", 1,
	   "tests/lint/net-firewall-direction-egress.yaml:77:24: "
	   "error: firewall 'egress-from': an EGRESS rule with "
	   "source_ranges; GCP refuses sources on egress rules "
	   "[firewall-direction]",
	   "an EGRESS rule matches destination_ranges; drop the "
	   "sources")

FIXTURE(net_firewall_direction_ingress_none, "net-firewall-direction-ingress-none", 1,
	   "tests/lint/net-firewall-direction-ingress-none.yaml:75:9: "
	   "error: firewall 'ingress-anywhere': an INGRESS rule "
	   "without source_ranges or source_tags; terraform refuses "
	   "it, and the API would take its source as 0.0.0.0/0 "
	   "(anywhere) [firewall-direction]",
	   "add source_ranges (or source_tags)")

FIXTURE(net_firewall_direction_ingress, "net-firewall-direction-ingress", 1,
	   "tests/lint/net-firewall-direction-ingress.yaml:75:9: "
	   "error: firewall 'ingress-to': an INGRESS rule with "
	   "destination_ranges only, without source_ranges or "
	   "source_tags; terraform refuses it, and the API would "
	   "take its source as 0.0.0.0/0 (anywhere) "
	   "[firewall-direction]",
	   "add source_ranges (or source_tags)")

FIXTURE(net_firewall_ports_protocol, "net-firewall-ports-protocol", 1,
	   "tests/lint/net-firewall-ports-protocol.yaml:80:20: "
	   "error: firewall 'allow-ping': allow entry 'icmp' lists "
	   "ports; only tcp, udp and sctp take ports, so GCP "
	   "refuses them [firewall-ports]",
	   "drop the ports, or use tcp, udp or sctp")

FIXTURE(net_firewall_ports_range, "net-firewall-ports-range", 1,
	   "tests/lint/net-firewall-ports-range.yaml:74:21: error: "
	   "firewall 'kafka-vpc-allow-ssh': allow tcp port '22-21' "
	   "is not \"N\" or \"N-M\" with 1 <= N <= M <= 65535; GCP "
	   "refuses it [firewall-ports]",
	   NULL)

FIXTURE(net_hc_firewall_partial, "net-hc-firewall-partial", 0,
	   "tests/lint/net-hc-firewall-partial.yaml:212:19: "
	   "warning: load balancer 'kafka-proxy-lb': health-check "
	   "probes from 35.191.0.0/16 and 130.211.0.0/22 cannot "
	   "reach tcp:9092 on kafka-proxy-node2: no rule allows it "
	   "(implied deny ingress); the backends no probe reaches "
	   "are unhealthy and get no new connections [hc-firewall]",
	   "add an INGRESS rule allowing tcp:9092 from "
	   "35.191.0.0/16 and 130.211.0.0/22 (GCP's health-check "
	   "ranges)")

FIXTURE(net_hc_firewall_range, "net-hc-firewall-range", 0,
	   "tests/lint/net-hc-firewall-range.yaml:210:19: warning: "
	   "load balancer 'kafka-proxy-lb': health-check probes "
	   "from 35.191.0.0/16 cannot reach tcp:9092 on "
	   "kafka-proxy-node: firewall 'deny-probes' (DENY, "
	   "priority 900) denies it; part of GCP's probes fail, so "
	   "those backends' health is unreliable and they may be "
	   "marked unhealthy [hc-firewall]",
	   "add an INGRESS rule allowing tcp:9092 from "
	   "35.191.0.0/16 and 130.211.0.0/22 (GCP's health-check "
	   "ranges) with a priority number lower than 900 (that of "
	   "'deny-probes')")

FIXTURE(net_ig_zone, "net-ig-zone", 1,
	   "tests/lint/net-ig-zone.yaml:188:17: error: instance "
	   "group 'kafka-proxy-ig': instance 'kafka-proxy-node' is "
	   "in zone 'us-west1-b', not the group's zone "
	   "'us-west1-a': a single-zone instance group holds "
	   "instances of its zone only, so GCP refuses it [ig-zone]",
	   NULL)

FIXTURE(net_ip_syntax, "net-ip-syntax", 1,
	   "tests/lint/net-ip-syntax.yaml:95:17: error: instance "
	   "'bastion-node': network_ip '10.0.0.300' is not an IPv4 "
	   "address [ip-syntax]",
	   NULL)

FIXTURE(net_lb_backends_mixed, "net-lb-backends-mixed", 1,
	   "tests/lint/net-lb-backends-mixed.yaml:200:27: error: "
	   "load balancer 'kafka-lb': backends mix network endpoint "
	   "group 'kafka-neg' and instance group 'bastion-ig'; GCP "
	   "refuses both kinds in one backend service "
	   "[lb-backends-mixed]",
	   "use one load balancer per kind of backend")

FIXTURE(net_lb_health_check_missing, "net-lb-health-check-missing", 1,
	   "tests/lint/net-lb-health-check-missing.yaml:196:16: "
	   "error: load balancer 'kafka-proxy-lb': instance group "
	   "backend 'kafka-proxy-ig' without a health check; GCP "
	   "requires one for a backend service of instance groups "
	   "[lb-health-check-missing]",
	   "add health_check: with a TCP health check on a port the "
	   "backends serve")

FIXTURE(net_lb_subnet_nat, "net-lb-subnet-nat", 1,
	   "tests/lint/net-lb-subnet-nat.yaml:196:17: error: load "
	   "balancer 'kafka-lb': the forwarding rule's subnetwork "
	   "'psc-subnet' is a PSC NAT subnet (purpose "
	   "PRIVATE_SERVICE_CONNECT), which holds no forwarding "
	   "rules; GCP refuses it [lb-subnet]",
	   "use an ordinary subnetwork (purpose PRIVATE) of the "
	   "load balancer's network")

FIXTURE(net_lb_subnet_network, "net-lb-subnet-network", 1,
	   "tests/lint/net-lb-subnet-network.yaml:196:17: error: "
	   "load balancer 'kafka-lb': the forwarding rule's "
	   "subnetwork 'tidbcloud-subnet' belongs to network "
	   "'tidbcloud-vpc', not the load balancer's network "
	   "'kafka-vpc'; GCP refuses it [lb-subnet]",
	   "subnetworks of network 'kafka-vpc': bastion-subnet, "
	   "brokers-subnet, psc-subnet")

FIXTURE(net_nat_subnet_network, "net-nat-subnet-network", 1,
	   "tests/lint/net-nat-subnet-network.yaml:203:19: error: "
	   "service attachment 'kafka-psc': NAT subnetwork "
	   "'psc-subnet' is in network 'tidbcloud-vpc', not in "
	   "network 'kafka-vpc' of load balancer 'kafka-lb'; GCP "
	   "refuses it [nat-subnet-network]",
	   NULL)

FIXTURE(net_nat_subnet_purpose, "net-nat-subnet-purpose", 1,
	   "tests/lint/net-nat-subnet-purpose.yaml:202:19: error: "
	   "service attachment 'kafka-psc': NAT subnetwork "
	   "'psc-subnet' has purpose PRIVATE, not "
	   "PRIVATE_SERVICE_CONNECT; GCP refuses it as a PSC NAT "
	   "subnet [nat-subnet-purpose]",
	   "add `purpose: PRIVATE_SERVICE_CONNECT` to subnetwork "
	   "'psc-subnet' (line 57)")

FIXTURE(net_nat_subnet_shared, "net-nat-subnet-shared", 1,
	   "tests/lint/net-nat-subnet-shared.yaml:211:19: error: "
	   "service attachment 'kafka-psc2': NAT subnetwork "
	   "'psc-subnet' is already used by service attachment "
	   "'kafka-psc' (line 200); a NAT subnet serves one "
	   "attachment only [nat-subnet-shared]",
	   "reserve a NAT subnet for each attachment")

FIXTURE(net_nat_subnet_size, "net-nat-subnet-size", 1,
	   "tests/lint/net-nat-subnet-size.yaml:203:18: error: "
	   "service attachment 'kafka-psc': NAT subnetworks "
	   "psc-subnet have 4 usable addresses for 5 PSC endpoints "
	   "(one NAT address each): the endpoints past them fail to "
	   "connect and the attachment shows NEEDS_ATTENTION "
	   "[nat-subnet-size]",
	   "use a larger NAT range or add a NAT subnet")

FIXTURE(net_nat_subnet_unused, "net-nat-subnet-unused", 0,
	   "tests/lint/net-nat-subnet-unused.yaml:64:18: warning: "
	   "subnetwork 'spare-psc-subnet': purpose "
	   "PRIVATE_SERVICE_CONNECT, but no service attachment uses "
	   "this NAT subnet: its addresses serve nothing, and no VM "
	   "or forwarding rule may use them [nat-subnet-unused]",
	   "list it in nat_subnets of a service attachment, or drop "
	   "the purpose")

FIXTURE(net_nat_subnet_used, "net-nat-subnet-used", 1,
	   "tests/lint/net-nat-subnet-used.yaml:94:17: error: "
	   "instance 'bastion-node': subnetwork 'psc-subnet' is a "
	   "PSC NAT subnet (purpose PRIVATE_SERVICE_CONNECT): it "
	   "holds no VMs or forwarding rules, so GCP refuses this "
	   "instance there [nat-subnet-used]",
	   NULL)

FIXTURE(net_neg_client_port_duplicate, "net-neg-client-port-duplicate", 1,
	   "tests/lint/net-neg-client-port-duplicate.yaml:190:22: "
	   "error: network endpoint group 'kafka-neg': client port "
	   "9093 is already mapped to broker-node1:39092 (line "
	   "179); client ports of a port-mapping NEG are unique "
	   "[neg-client-port-duplicate]",
	   NULL)

FIXTURE(net_neg_endpoint_duplicate, "net-neg-endpoint-duplicate", 1,
	   "tests/lint/net-neg-endpoint-duplicate.yaml:188:9: "
	   "error: network endpoint group 'kafka-neg': endpoint "
	   "broker-node1:39092 is already in the group (line 179); "
	   "GCP refuses a duplicate VM and port "
	   "[neg-endpoint-duplicate]",
	   NULL)

FIXTURE(net_neg_health_check, "net-neg-health-check", 1,
	   "tests/lint/net-neg-health-check.yaml:202:19: error: "
	   "load balancer 'kafka-lb': health check 'kafka-hc' on "
	   "port-mapping NEG 'kafka-neg': GCP does not support "
	   "health checks with port-mapping NEGs (nothing gates "
	   "their traffic) [neg-health-check]",
	   "drop the health_check")

FIXTURE(net_neg_subnet, "net-neg-subnet", 1,
	   "tests/lint/net-neg-subnet.yaml:185:19: error: network "
	   "endpoint group 'kafka-neg': instance 'broker-node3' is "
	   "in subnetwork 'bastion-subnet', not the NEG's "
	   "subnetwork 'brokers-subnet': a port-mapping endpoint's "
	   "VM has its NIC in the NEG subnet, so GCP refuses it "
	   "[neg-subnet]",
	   NULL)

FIXTURE(net_psc_connection_limit, "net-psc-connection-limit", 1,
	   "tests/lint/net-psc-connection-limit.yaml:220:13: error: "
	   "PSC endpoint 'kafka-psc-endpoint2': connection 2 from "
	   "project 'tidbcloud-prod-000' to service attachment "
	   "'kafka-psc' is over its connection_limit 1: the "
	   "endpoint stays PENDING and passes no traffic "
	   "[psc-connection-limit]",
	   "raise connection_limit of project 'tidbcloud-prod-000' "
	   "(line 206)")

FIXTURE(net_psc_firewall_deny, "net-psc-firewall-deny", 1,
	   "tests/lint/net-psc-firewall-deny.yaml:191:9: error: "
	   "instance 'broker-node2': PSC traffic from NAT range "
	   "10.128.0.0/18 of service attachment 'kafka-psc' cannot "
	   "reach tcp:39092: firewall 'deny-psc-broker2' (DENY, "
	   "priority 900) denies it; the PSC path passes nothing to "
	   "it, as on GCP [psc-firewall]",
	   "allow it before 'deny-psc-broker2': an INGRESS ALLOW "
	   "rule from 10.128.0.0/18 with a priority number lower "
	   "than 900")

FIXTURE(net_psc_firewall_proxy, "net-psc-firewall-proxy", 1,
	   "tests/lint/net-psc-firewall-proxy.yaml:183:17: error: "
	   "instance 'kafka-proxy-node': PSC traffic from NAT range "
	   "10.128.0.0/18 of service attachment 'kafka-proxy-psc' "
	   "cannot reach tcp:9092,9093,9094: no rule allows it "
	   "(implied deny ingress); the PSC path passes nothing to "
	   "it, as on GCP [psc-firewall]",
	   "add the seed's allow-psc-traffic: INGRESS, allow all "
	   "protocols from 10.128.0.0/18")

FIXTURE(net_psc_not_accepted_other, "net-psc-not-accepted-other", 1,
	   "tests/lint/net-psc-not-accepted-other.yaml:215:13: "
	   "error: PSC endpoint 'kafka-psc-endpoint': consumer "
	   "project 'tidbcloud-prod-000' (network 'tidbcloud-vpc') "
	   "is not on consumer_accept_lists of service attachment "
	   "'kafka-psc' (ACCEPT_MANUAL): the endpoint stays PENDING "
	   "and passes no traffic [psc-not-accepted]",
	   "add it to consumer_accept_lists of service attachment "
	   "'kafka-psc'")

FIXTURE(net_psc_not_accepted, "net-psc-not-accepted", 1,
	   "tests/lint/net-psc-not-accepted.yaml:215:13: error: PSC "
	   "endpoint 'kafka-psc-endpoint': consumer project "
	   "'tidbcloud-prod-000' (network 'tidbcloud-vpc') is not "
	   "on consumer_accept_lists of service attachment "
	   "'kafka-psc' (ACCEPT_MANUAL): the endpoint stays PENDING "
	   "and passes no traffic [psc-not-accepted]",
	   "consumer_accept_lists has 'tidbcloud-prod-001' (line "
	   "206): did you mean 'tidbcloud-prod-000'?")

FIXTURE(net_psc_rejected_both, "net-psc-rejected-both", 1,
	   "tests/lint/net-psc-rejected-both.yaml:216:13: error: "
	   "PSC endpoint 'kafka-psc-endpoint': consumer project "
	   "'tidbcloud-prod-000' is on both consumer_accept_lists "
	   "and consumer_reject_lists of service attachment "
	   "'kafka-psc': GCP blocks it, the endpoint is REJECTED "
	   "and passes no traffic [psc-rejected]",
	   "keep the project on one list only")

FIXTURE(net_psc_rejected, "net-psc-rejected", 1,
	   "tests/lint/net-psc-rejected.yaml:213:13: error: PSC "
	   "endpoint 'kafka-psc-endpoint': consumer project "
	   "'tidbcloud-prod-000' (network 'tidbcloud-vpc') is on "
	   "consumer_reject_lists of service attachment "
	   "'kafka-psc': the endpoint is REJECTED and passes no "
	   "traffic [psc-rejected]",
	   NULL)

FIXTURE(net_subnet_network, "net-subnet-network", 1,
	   "tests/lint/net-subnet-network.yaml:123:17: error: "
	   "instance 'changefeed': subnetwork 'brokers-subnet' "
	   "belongs to network 'kafka-vpc', not 'tidbcloud-vpc' "
	   "[subnet-network]",
	   "subnetworks of network 'tidbcloud-vpc': tidbcloud-subnet")

FIXTURE(net_subnet_overlap_psc, "net-subnet-overlap-psc", 0,
	   "tests/lint/net-subnet-overlap-psc.yaml:89:24: warning: "
	   "subnetwork 'tidbcloud-subnet2': ip_cidr_range "
	   "10.64.0.0/20 overlaps subnetwork 'brokers-subnet' "
	   "(10.64.0.0/18) of producer network 'kafka-vpc' "
	   "(published through service attachment 'kafka-psc'); PSC "
	   "allows it, but the same addresses on both sides make "
	   "troubleshooting ambiguous [subnet-overlap]",
	   NULL)

FIXTURE(net_subnet_overlap, "net-subnet-overlap", 1,
	   "tests/lint/net-subnet-overlap.yaml:63:24: error: "
	   "subnetwork 'extra-subnet': ip_cidr_range 10.0.32.0/20 "
	   "overlaps subnetwork 'bastion-subnet' (10.0.0.0/18) of "
	   "the same network 'kafka-vpc'; GCP refuses overlapping "
	   "ranges in one VPC [subnet-overlap]",
	   NULL)

FIXTURE(net_subnet_size, "net-subnet-size", 1,
	   "tests/lint/net-subnet-size.yaml:52:24: error: "
	   "subnetwork 'bastion-subnet': ip_cidr_range 10.0.0.0/30 "
	   "is smaller than /29, the smallest subnet range GCP "
	   "accepts [subnet-size]",
	   "use a /29 or a larger range")

FIXTURE(net_unknown_reference_backend, "net-unknown-reference-backend", 1,
	   "tests/lint/net-unknown-reference-backend.yaml:195:27: "
	   "error: load balancer 'kafka-lb': backends 'kafka-ng' "
	   "names no network endpoint group or instance group "
	   "[unknown-reference]",
	   "did you mean 'kafka-neg'?")

FIXTURE(net_unknown_reference_changefeed_endpoint, "net-unknown-reference-changefeed-endpoint", 1,
	   "tests/lint/net-unknown-reference-changefeed-endpoint.yaml:229:13: "
	   "error: changefeed: endpoint 'kafka-psc-endpont' names "
	   "no PSC endpoint [unknown-reference]",
	   "did you mean 'kafka-psc-endpoint'?")

FIXTURE(net_unknown_reference_changefeed_instance, "net-unknown-reference-changefeed-instance", 1,
	   "tests/lint/net-unknown-reference-changefeed-instance.yaml:228:13: "
	   "error: changefeed: instance 'changefeeed' names no "
	   "instance [unknown-reference]",
	   "did you mean 'changefeed'?")

FIXTURE(net_unknown_reference_dns_endpoint, "net-unknown-reference-dns-endpoint", 1,
	   "tests/lint/net-unknown-reference-dns-endpoint.yaml:225:19: "
	   "error: DNS zone 'kafka-psc-zone': endpoint "
	   "'kafka-psc-endpont' names no PSC endpoint "
	   "[unknown-reference]",
	   "did you mean 'kafka-psc-endpoint'?")

FIXTURE(net_unknown_reference_dns_network, "net-unknown-reference-dns-network", 1,
	   "tests/lint/net-unknown-reference-dns-network.yaml:221:31: "
	   "error: DNS zone 'kafka-psc-zone': networks "
	   "'tidbcloud-vcp' names no network [unknown-reference]",
	   "did you mean 'tidbcloud-vpc'?")

FIXTURE(net_unknown_reference_endpoint_network, "net-unknown-reference-endpoint-network", 1,
	   "tests/lint/net-unknown-reference-endpoint-network.yaml:212:14: "
	   "error: PSC endpoint 'kafka-psc-endpoint': network "
	   "'tidbcloud-vcp' names no network [unknown-reference]",
	   "did you mean 'tidbcloud-vpc'?")

FIXTURE(net_unknown_reference_endpoint_target, "net-unknown-reference-endpoint-target", 1,
	   "tests/lint/net-unknown-reference-endpoint-target.yaml:215:13: "
	   "error: PSC endpoint 'kafka-psc-endpoint': target "
	   "'kafka-pcs' names no service attachment "
	   "[unknown-reference]",
	   "did you mean 'kafka-psc'?")

FIXTURE(net_unknown_reference_health_check, "net-unknown-reference-health-check", 1,
	   "tests/lint/net-unknown-reference-health-check.yaml:203:19: "
	   "error: load balancer 'kafka-proxy-lb': health_check "
	   "'kafka-proxy-hcc' names no health check "
	   "[unknown-reference]",
	   "did you mean 'kafka-proxy-hc'?")

FIXTURE(net_unknown_reference_ig_instance, "net-unknown-reference-ig-instance", 1,
	   "tests/lint/net-unknown-reference-ig-instance.yaml:188:35: "
	   "error: instance group 'kafka-proxy-ig': instances "
	   "'kafka-proxy-nod' names no instance [unknown-reference]",
	   "did you mean 'kafka-proxy-node'?")

FIXTURE(net_unknown_reference_neg_instance, "net-unknown-reference-neg-instance", 1,
	   "tests/lint/net-unknown-reference-neg-instance.yaml:188:19: "
	   "error: network endpoint group 'kafka-neg': instance "
	   "'broker-nod1' names no instance [unknown-reference]",
	   "did you mean 'broker-node1'?")

FIXTURE(net_unknown_reference_network, "net-unknown-reference-network", 1,
	   "tests/lint/net-unknown-reference-network.yaml:93:14: "
	   "error: instance 'bastion-node': network 'kafka-vcp' "
	   "names no network [unknown-reference]",
	   "did you mean 'kafka-vpc'?")

FIXTURE(net_unknown_reference_sa_target, "net-unknown-reference-sa-target", 1,
	   "tests/lint/net-unknown-reference-sa-target.yaml:202:13: "
	   "error: service attachment 'kafka-psc': target "
	   "'kafka-lbb' names no load balancer [unknown-reference]",
	   "did you mean 'kafka-lb'?")

FIXTURE(net_unknown_reference_subnetwork, "net-unknown-reference-subnetwork", 1,
	   "tests/lint/net-unknown-reference-subnetwork.yaml:94:17: "
	   "error: instance 'bastion-node': subnetwork "
	   "'bastion-subnt' names no subnetwork [unknown-reference]",
	   "did you mean 'bastion-subnet'?")

FIXTURE(net_zone_region, "net-zone-region", 1,
	   "tests/lint/net-zone-region.yaml:90:11: error: instance "
	   "'bastion-node': zone 'us-east1-a' is not in region "
	   "'us-west1' of subnetwork 'bastion-subnet' (a zone is "
	   "<region>-<letter>); GCP refuses it [zone-region]",
	   "did you mean 'us-west1-a'?")

/* ---- breakages with more than one finding ---- */

/* The fixture gives exactly lines[0..n) (in any order), with hints[i] when
 * not NULL, and besides them only findings of rule 'echo' (another rule
 * file's view of the same breakage; NULL: none allowed). */
static void expect_lines(const char *path, int want_rc,
			 const char *const *lines, const char *const *hints,
			 size_t n, const char *echo)
{
	psc_diags d;
	char buf[2048];
	int rc = psc_test_lint(path, &d);
	size_t matched = 0;

	for (size_t i = 0; i < n; i++) {
		if (!psc_test_has(&d, lines[i])) {
			psc_test_dump(&d);
			fail_msg("%s: expected finding not reported:\n  %s",
				 path, lines[i]);
		}
	}
	for (size_t k = 0; k < d.n; k++) {
		psc_diag_format(&d, &d.v[k], buf, sizeof(buf));
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(buf, lines[i]) == 0)
				break;
		if (i < n) {
			matched++;
			if (hints[i] && strcmp(d.v[k].hint, hints[i]) != 0)
				fail_msg("%s: note '%s', want '%s'", path,
					 d.v[k].hint, hints[i]);
			continue;
		}
		if (echo && strcmp(d.v[k].rule, echo) == 0)
			continue;
		psc_test_dump(&d);
		fail_msg("%s: unexpected finding:\n  %s", path, buf);
	}
	assert_int_equal(matched, n);
	assert_int_equal(rc, want_rc);
	psc_diags_free(&d);
}

#define PSC_FW_LINE(file, line, node)                                    \
	"tests/lint/" file ".yaml:" line ":9: error: instance '" node    \
	"': PSC traffic from NAT range 10.128.0.0/18 of service "        \
	"attachment 'kafka-psc' cannot reach tcp:39092: no rule allows " \
	"it (implied deny ingress); the PSC path passes nothing to it, " \
	"as on GCP [psc-firewall]"
#define PSC_FW_HINT                                                      \
	"add the seed's allow-psc-traffic: INGRESS, allow all protocols " \
	"from 10.128.0.0/18"

/* without allow-psc-traffic every NEG endpoint is cut off: one finding
 * per broker */
static void net_psc_firewall_missing(void **state)
{
	(void)state;
	const char *const lines[] = {
		PSC_FW_LINE("net-psc-firewall-missing", "174", "broker-node1"),
		PSC_FW_LINE("net-psc-firewall-missing", "177", "broker-node2"),
		PSC_FW_LINE("net-psc-firewall-missing", "180", "broker-node3"),
	};
	const char *const hints[] = {PSC_FW_HINT, PSC_FW_HINT, PSC_FW_HINT};
	expect_lines("tests/lint/net-psc-firewall-missing.yaml", 1, lines,
		     hints, 3, NULL);
}

/* a disabled rule is skipped: as if it were missing */
static void net_psc_firewall_disabled(void **state)
{
	(void)state;
	const char *const lines[] = {
		PSC_FW_LINE("net-psc-firewall-disabled", "180", "broker-node1"),
		PSC_FW_LINE("net-psc-firewall-disabled", "183", "broker-node2"),
		PSC_FW_LINE("net-psc-firewall-disabled", "186", "broker-node3"),
	};
	const char *const hints[] = {PSC_FW_HINT, PSC_FW_HINT, PSC_FW_HINT};
	expect_lines("tests/lint/net-psc-firewall-disabled.yaml", 1, lines,
		     hints, 3, NULL);
}

/* a misspelt NAT subnet leaves the real one unused */
static void net_unknown_reference_nat_subnet(void **state)
{
	(void)state;
	const char *const lines[] = {
		"tests/lint/net-unknown-reference-nat-subnet.yaml:203:19: "
		"error: service attachment 'kafka-psc': nat_subnets "
		"'psc-subnett' names no subnetwork [unknown-reference]",
		"tests/lint/net-unknown-reference-nat-subnet.yaml:60:18: "
		"warning: subnetwork 'psc-subnet': purpose "
		"PRIVATE_SERVICE_CONNECT, but no service attachment uses this "
		"NAT subnet: its addresses serve nothing, and no VM or "
		"forwarding rule may use them [nat-subnet-unused]",
	};
	const char *const hints[] = {
		"did you mean 'psc-subnet'?",
		"list it in nat_subnets of a service attachment, or drop the "
		"purpose",
	};
	expect_lines("tests/lint/net-unknown-reference-nat-subnet.yaml", 1,
		     lines, hints, 2, NULL);
}

/* a PSC endpoint in a NAT subnet that no attachment uses */
static void net_nat_subnet_used_endpoint(void **state)
{
	(void)state;
	const char *const lines[] = {
		"tests/lint/net-nat-subnet-used-endpoint.yaml:217:17: error: "
		"PSC endpoint 'kafka-psc-endpoint': subnetwork "
		"'tidbcloud-psc-subnet' is a PSC NAT subnet (purpose "
		"PRIVATE_SERVICE_CONNECT): it holds no VMs or forwarding "
		"rules, so GCP refuses this PSC endpoint there "
		"[nat-subnet-used]",
		"tests/lint/net-nat-subnet-used-endpoint.yaml:90:18: warning: "
		"subnetwork 'tidbcloud-psc-subnet': purpose "
		"PRIVATE_SERVICE_CONNECT, but no service attachment uses this "
		"NAT subnet: its addresses serve nothing, and no VM or "
		"forwarding rule may use them [nat-subnet-unused]",
	};
	const char *const hints[] = {NULL, NULL};
	expect_lines("tests/lint/net-nat-subnet-used-endpoint.yaml", 1, lines,
		     hints, 2, NULL);
}

/* no zone for the changefeed's VPC: the Kafka rules also say which
 * advertised names then fail to resolve (advertised-dns) */
static void net_dns_zone_network(void **state)
{
	(void)state;
	const char *const lines[] = {
		"tests/lint/net-dns-zone-network.yaml:228:13: error: "
		"changefeed: no private DNS zone is visible to network "
		"'tidbcloud-vpc' of instance 'changefeed': the advertised "
		"names would not resolve there [dns-zone-network]",
	};
	const char *const hints[] = {
		"add 'tidbcloud-vpc' to networks of DNS zone 'kafka-psc-zone' "
		"(line 218)",
	};
	expect_lines("tests/lint/net-dns-zone-network.yaml", 1, lines, hints,
		     1, "advertised-dns");
}

/* The net rules alone on the shipped files: nothing but the proxy's
 * hc-firewall warning (independent of the Kafka rules). */
static void net_rules_alone(void **state)
{
	(void)state;
	const char *files[] = {"topologies/portmap.yaml",
			       "topologies/proxy.yaml"};
	for (size_t i = 0; i < 2; i++) {
		psc_diags d;
		bool unreadable;
		psc_test_chdir();
		psc_diags_init(&d, files[i]);
		psc_topology *t = psc_topology_load_file(files[i], &d,
							 &unreadable);
		assert_non_null(t);
		assert_int_equal(d.n, 0);
		psc_lint_net(t, &d);
		assert_int_equal(d.n, i);
		if (i)
			assert_string_equal(d.v[0].rule, "hc-firewall");
		psc_topology_free(t);
		psc_diags_free(&d);
	}
}

/* ---- the fixtures themselves: every file of tests/lint ---- */

#define MAX_FIXTURES 512

struct fixture {
	char name[128];     /* without .patch / .yaml */
	bool patch;
};

static int fixture_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->name,
		      ((const struct fixture *)b)->name);
}

/* Every tests/lint/<name>.patch and tests/lint/<name>.yaml, by name. */
static size_t list_fixtures(struct fixture *v, size_t max)
{
	psc_test_chdir();
	DIR *d = opendir(PSC_FIXTURE_DIR);
	struct dirent *e;
	size_t n = 0;
	if (!d)
		fail_msg("cannot list %s: %s", PSC_FIXTURE_DIR,
			 strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		bool patch = l > 6 && strcmp(e->d_name + l - 6, ".patch") == 0;
		bool yaml = l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0;
		if (!patch && !yaml)
			continue;
		size_t nl = l - (patch ? 6 : 5);
		if (n == max || nl >= sizeof(v[n].name))
			fail_msg("%s: too many fixtures, or a name too long "
				 "(%s)", PSC_FIXTURE_DIR, e->d_name);
		memcpy(v[n].name, e->d_name, nl);
		v[n].name[nl] = '\0';
		v[n++].patch = patch;
	}
	closedir(d);
	qsort(v, n, sizeof(v[0]), fixture_cmp);
	return n;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* `diff -u` of a against b, labelled la and lb, into the file out; returns
 * diff's exit status (1: they differ). */
static int run_diff(const char *la, const char *lb, const char *a,
		    const char *b, const char *out)
{
	char *argv[] = {(char *)"diff", (char *)"-u", (char *)"--label",
			(char *)la, (char *)"--label", (char *)lb, (char *)a,
			(char *)b, NULL};
	int rc = psc_test_run(argv, out);
	if (rc < 0 || rc > 1)
		fail_msg("diff %s %s: exit status %d", a, b, rc);
	return rc;
}

/* One patch: "# <name>: <what it breaks>", "# base: topologies/<x>.yaml",
 * then exactly what `diff -u` of the base against the built fixture gives
 * (so the same context lines as tests/lint/mkpatch.sh makes); it applies
 * cleanly (psc_test_fixture fails the test otherwise).  Returns "" or what
 * is wrong, in why. */
static void check_patch(const char *name, char *why, size_t wl)
{
	char path[256], patch[256], file[PATH_MAX], base[PATH_MAX];
	char head[200], out[PATH_MAX + 200];
	psc_test_fmt(path, sizeof(path), PSC_FIXTURE_DIR "%s.yaml", name);
	psc_test_fmt(patch, sizeof(patch), PSC_FIXTURE_DIR "%s.patch", name);
	psc_test_fmt(head, sizeof(head), "# %s: ", name);
	why[0] = '\0';

	char *text = psc_test_slurp(patch);
	assert_non_null(text);
	char *l2 = strchr(text, '\n');
	char *body = l2 ? strchr(l2 + 1, '\n') : NULL;
	size_t hl = strlen(head);
	if (strncmp(text, head, hl) != 0 || text[hl] == '\n' ||
	    text[hl] == '\0' || !body) {
		psc_test_fmt(why, wl, "its first line is not '%s<what it breaks>'",
			 head);
		free(text);
		return;
	}
	if (!psc_test_patch_base(patch, base, sizeof(base)) ||
	    strncmp(l2 + 1, "# base: topologies/", 19) != 0) {
		psc_test_fmt(why, wl, "its second line is not '# base: "
			 "topologies/<name>.yaml'");
		free(text);
		return;
	}
	const char *built = psc_test_fixture(path, file, sizeof(file));
	psc_test_fmt(out, sizeof(out), "%s/%s.diff", psc_test_fixture_dir(), name);
	if (run_diff(base, path, base, built, out) != 1)
		psc_test_fmt(why, wl, "it changes nothing in %s", base);
	char *again = psc_test_slurp(out);
	unlink(out);
	assert_non_null(again);
	if (!why[0] && strcmp(body + 1, again) != 0)
		psc_test_fmt(why, wl, "it is not what `diff -u %s <the fixture>` "
			 "makes (make it again: tests/lint/build.sh -o DIR %s, "
			 "then tests/lint/mkpatch.sh DIR/%s.yaml)", base, name,
			 name);
	free(again);
	free(text);
}

static void fixture_patches_apply(void **state)
{
	(void)state;
	static struct fixture v[MAX_FIXTURES];
	size_t n = list_fixtures(v, MAX_FIXTURES), n_patches = 0, bad = 0;
	char why[512];
	for (size_t i = 0; i < n; i++) {
		if (!v[i].patch)
			continue;
		n_patches++;
		if (i + 1 < n && strcmp(v[i].name, v[i + 1].name) == 0) {
			print_error("tests/lint/%s: both .patch and .yaml\n",
				    v[i].name);
			bad++;
			continue;
		}
		check_patch(v[i].name, why, sizeof(why));
		if (why[0]) {
			print_error("tests/lint/%s.patch: %s\n", v[i].name,
				    why);
			bad++;
		}
	}
	if (bad)
		fail_msg("%zu of %zu fixture patches are wrong (above)", bad,
			 n_patches);
	assert_true(n_patches > 0);
}

/* Every fixture is named by a unit test: as "tests/lint/<name>.yaml", or
 * "<name>.yaml" or "<name>" given to a FIXTURE macro. */
static void fixtures_are_used(void **state)
{
	(void)state;
	static struct fixture v[MAX_FIXTURES];
	static char *src[64];
	size_t n = list_fixtures(v, MAX_FIXTURES), ns = 0, bad = 0;
	DIR *d = opendir("tests/unit");
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char p[300];
		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0)
			continue;
		assert_true(ns < 64);
		psc_test_fmt(p, sizeof(p), "tests/unit/%s", e->d_name);
		src[ns] = psc_test_slurp(p);
		assert_non_null(src[ns]);
		ns++;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char a[200], b[200], c[200];
		bool used = false;
		if (i && strcmp(v[i].name, v[i - 1].name) == 0)
			continue;
		psc_test_fmt(a, sizeof(a), PSC_FIXTURE_DIR "%s.yaml", v[i].name);
		psc_test_fmt(b, sizeof(b), "\"%s.yaml\"", v[i].name);
		psc_test_fmt(c, sizeof(c), "\"%s\"", v[i].name);
		for (size_t k = 0; k < ns && !used; k++)
			used = strstr(src[k], a) || strstr(src[k], b) ||
			       strstr(src[k], c);
		if (!used) {
			print_error("tests/lint/%s.%s: no unit test uses "
				    "it\n", v[i].name,
				    v[i].patch ? "patch" : "yaml");
			bad++;
		}
	}
	for (size_t k = 0; k < ns; k++)
		free(src[k]);
	if (bad)
		fail_msg("%zu fixtures unused (above)", bad);
}

/* A fixture kept whole is no copy of a shipped topology: a diff against
 * each of them is longer than the file (else it belongs in a patch). */
static void whole_fixtures_are_not_copies(void **state)
{
	(void)state;
	static struct fixture v[MAX_FIXTURES];
	size_t n = list_fixtures(v, MAX_FIXTURES), bad = 0;
	DIR *d = opendir("topologies");
	struct dirent *e;
	char bases[16][300];
	size_t nb = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && nb < 16) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
			psc_test_fmt(bases[nb++], sizeof(bases[0]),
				 "topologies/%s", e->d_name);
	}
	closedir(d);
	assert_true(nb > 0);
	for (size_t i = 0; i < n; i++) {
		char path[256], out[PATH_MAX + 200];
		if (v[i].patch)
			continue;
		psc_test_fmt(path, sizeof(path), PSC_FIXTURE_DIR "%s.yaml",
			 v[i].name);
		char *text = psc_test_slurp(path);
		assert_non_null(text);
		size_t lines = count_lines(text);
		free(text);
		psc_test_fmt(out, sizeof(out), "%s/%s.whole.diff",
			 psc_test_fixture_dir(), v[i].name);
		for (size_t k = 0; k < nb; k++) {
			run_diff(bases[k], path, bases[k], path, out);
			char *diff = psc_test_slurp(out);
			assert_non_null(diff);
			size_t dl = count_lines(diff);
			free(diff);
			if (dl < lines) {
				print_error("%s: a copy of %s with a change "
					    "(a diff of %zu lines, the file "
					    "has %zu): make it a patch with "
					    "tests/lint/mkpatch.sh %s\n",
					    path, bases[k], dl, lines, path);
				bad++;
				break;
			}
		}
		unlink(out);
	}
	if (bad)
		fail_msg("%zu whole fixtures are copies (above)", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_portmap_clean),
		cmocka_unit_test(shipped_proxy_hc_warning),
		cmocka_unit_test(net_rules_alone),
		cmocka_unit_test(net_address_conflict),
		cmocka_unit_test(net_address_exhausted),
		cmocka_unit_test(net_address_outside_subnet),
		cmocka_unit_test(net_address_reserved),
		cmocka_unit_test(net_changefeed_network),
		cmocka_unit_test(net_cidr_syntax_firewall),
		cmocka_unit_test(net_cidr_syntax_subnet),
		cmocka_unit_test(net_dns_name_dot),
		cmocka_unit_test(net_dns_name_label),
		cmocka_unit_test(net_dns_name_long),
		cmocka_unit_test(net_dns_record_name),
		cmocka_unit_test(net_duplicate_name_dns_zone),
		cmocka_unit_test(net_duplicate_name_endpoint),
		cmocka_unit_test(net_duplicate_name_firewall),
		cmocka_unit_test(net_duplicate_name_health_check),
		cmocka_unit_test(net_duplicate_name_ig),
		cmocka_unit_test(net_duplicate_name_instance),
		cmocka_unit_test(net_duplicate_name_lb),
		cmocka_unit_test(net_duplicate_name_neg),
		cmocka_unit_test(net_duplicate_name_network),
		cmocka_unit_test(net_duplicate_name_sa),
		cmocka_unit_test(net_duplicate_name_subnetwork),
		cmocka_unit_test(net_firewall_action_both),
		cmocka_unit_test(net_firewall_action_none),
		cmocka_unit_test(net_firewall_direction_egress),
		cmocka_unit_test(net_firewall_direction_ingress_none),
		cmocka_unit_test(net_firewall_direction_ingress),
		cmocka_unit_test(net_firewall_ports_protocol),
		cmocka_unit_test(net_firewall_ports_range),
		cmocka_unit_test(net_hc_firewall_partial),
		cmocka_unit_test(net_hc_firewall_range),
		cmocka_unit_test(net_ig_zone),
		cmocka_unit_test(net_ip_syntax),
		cmocka_unit_test(net_lb_backends_mixed),
		cmocka_unit_test(net_lb_health_check_missing),
		cmocka_unit_test(net_lb_subnet_nat),
		cmocka_unit_test(net_lb_subnet_network),
		cmocka_unit_test(net_nat_subnet_network),
		cmocka_unit_test(net_nat_subnet_purpose),
		cmocka_unit_test(net_nat_subnet_shared),
		cmocka_unit_test(net_nat_subnet_size),
		cmocka_unit_test(net_nat_subnet_unused),
		cmocka_unit_test(net_nat_subnet_used),
		cmocka_unit_test(net_neg_client_port_duplicate),
		cmocka_unit_test(net_neg_endpoint_duplicate),
		cmocka_unit_test(net_neg_health_check),
		cmocka_unit_test(net_neg_subnet),
		cmocka_unit_test(net_psc_connection_limit),
		cmocka_unit_test(net_psc_firewall_deny),
		cmocka_unit_test(net_psc_firewall_proxy),
		cmocka_unit_test(net_psc_not_accepted_other),
		cmocka_unit_test(net_psc_not_accepted),
		cmocka_unit_test(net_psc_rejected_both),
		cmocka_unit_test(net_psc_rejected),
		cmocka_unit_test(net_subnet_network),
		cmocka_unit_test(net_subnet_overlap_psc),
		cmocka_unit_test(net_subnet_overlap),
		cmocka_unit_test(net_subnet_size),
		cmocka_unit_test(net_unknown_reference_backend),
		cmocka_unit_test(net_unknown_reference_changefeed_endpoint),
		cmocka_unit_test(net_unknown_reference_changefeed_instance),
		cmocka_unit_test(net_unknown_reference_dns_endpoint),
		cmocka_unit_test(net_unknown_reference_dns_network),
		cmocka_unit_test(net_unknown_reference_endpoint_network),
		cmocka_unit_test(net_unknown_reference_endpoint_target),
		cmocka_unit_test(net_unknown_reference_health_check),
		cmocka_unit_test(net_unknown_reference_ig_instance),
		cmocka_unit_test(net_unknown_reference_neg_instance),
		cmocka_unit_test(net_unknown_reference_network),
		cmocka_unit_test(net_unknown_reference_sa_target),
		cmocka_unit_test(net_unknown_reference_subnetwork),
		cmocka_unit_test(net_zone_region),
		cmocka_unit_test(net_psc_firewall_missing),
		cmocka_unit_test(net_psc_firewall_disabled),
		cmocka_unit_test(net_unknown_reference_nat_subnet),
		cmocka_unit_test(net_nat_subnet_used_endpoint),
		cmocka_unit_test(net_dns_zone_network),
		cmocka_unit_test(fixture_patches_apply),
		cmocka_unit_test(fixtures_are_used),
		cmocka_unit_test(whole_fixtures_are_not_copies),
	};
	return cmocka_run_group_tests_name("lint_net", tests, NULL, NULL);
}
