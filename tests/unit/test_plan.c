/* Unit tests: the lab plan (plan.c) and the nftables text (nftgen.c),
 * from the shipped topologies and variations of them made in memory. */
#include "psc_test.h"

#include "model/addr.h"
#include "plan/nftgen.h"
#include "plan/plan.h"

static const char *ipstr(uint32_t ip)
{
	static char buf[4][16];
	static int k;
	k = (k + 1) % 4;
	return psc_ip_str(ip, buf[k], 16);
}

static bool has_route(const psc_plan *p, const char *ns, const char *dst,
		      const char *via, const char *dev, uint32_t table)
{
	for (size_t i = 0; i < p->n_routes; i++) {
		const psc_plan_route *r = &p->routes[i];
		char d[24];
		snprintf(d, sizeof(d), "%s/%u", ipstr(r->dst), r->plen);
		if (strcmp(p->ns[r->ns].name, ns) == 0 && strcmp(d, dst) == 0 &&
		    strcmp(ipstr(r->via), via) == 0 &&
		    strcmp(r->ifname, dev) == 0 && r->table == table)
			return true;
	}
	return false;
}

static void lab_names(void **state)
{
	(void)state;
	char err[128];
	assert_int_equal(psc_lab_name_check("portmap", err, sizeof(err)), 0);
	assert_int_equal(psc_lab_name_check("a-1", err, sizeof(err)), 0);
	assert_int_equal(psc_lab_name_check("1abc", err, sizeof(err)), -1);
	assert_int_equal(psc_lab_name_check("Portmap", err, sizeof(err)), -1);
	assert_int_equal(psc_lab_name_check("a/b", err, sizeof(err)), -1);
	assert_int_equal(psc_lab_name_check("", err, sizeof(err)), -1);
	assert_int_equal(psc_lab_name_check("abcdefghijklmnopqrstuvwxy", err,
					    sizeof(err)), -1);
	assert_string_equal(err, "lab name 'abcdefghijklmnopqrstuvwxy' must "
				 "be 1..24 characters");
}

static void portmap_plan(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);

	/* one namespace per VM, one per VPC, PSC; no health check */
	assert_int_equal(p->n_ns, 5 + 2 + 1);
	assert_true(psc_plan_ns_index(p, "psclab-portmap-broker-node2") >= 0);
	assert_true(psc_plan_ns_index(p, "psclab-portmap-vpc-kafka-vpc") >= 0);
	assert_true(psc_plan_ns_index(p, "psclab-portmap-vpc-tidbcloud-vpc") >= 0);
	assert_true(psc_plan_ns_index(p, "psclab-portmap-psc") >= 0);
	assert_int_equal(p->probe_ns, -1);
	assert_true(p->ns[p->router_ns[0]].forwarding);
	assert_false(p->ns[p->vms[0].ns].forwarding);

	/* VMs: /32 on eth0, the gateway .1 on the router's end */
	const psc_plan_vm *b1 = psc_plan_vm_by_name(p, "broker-node1");
	assert_string_equal(ipstr(b1->ip), "10.64.0.2");
	assert_string_equal(ipstr(b1->gw), "10.64.0.1");
	assert_string_equal(p->ns[b1->router_ns].name,
			    "psclab-portmap-vpc-kafka-vpc");
	assert_true(has_route(p, "psclab-portmap-broker-node1", "0.0.0.0/0",
			      "10.64.0.1", "eth0", 0));
	assert_true(has_route(p, "psclab-portmap-vpc-kafka-vpc", "10.64.0.2/32",
			      "0.0.0.0", b1->router_if, 0));
	/* every link end name fits IFNAMSIZ and is unique in its namespace */
	for (size_t i = 0; i < p->n_links; i++)
		for (size_t j = 0; j < p->n_links; j++) {
			const psc_plan_end *e[4] = {&p->links[i].a, &p->links[i].b,
						    &p->links[j].a, &p->links[j].b};
			for (int x = 0; x < 2; x++)
				for (int y = 2; y < 4; y++)
					if ((i != j || x != y - 2) &&
					    e[x]->ns == e[y]->ns)
						assert_string_not_equal(
							e[x]->ifname, e[y]->ifname);
		}

	/* PSC: endpoint -> forwarding rule, one NAT address, accepted */
	assert_int_equal(p->n_eps, 1);
	const psc_plan_endpoint *e = &p->eps[0];
	assert_string_equal(ipstr(e->ip), "172.16.0.10");
	assert_string_equal(ipstr(e->vip), "10.64.0.5");
	assert_string_equal(ipstr(e->nat_ip), "10.128.0.2");
	assert_int_equal(e->status, PSC_EP_ACCEPTED);
	/* the consumer router knows the endpoint, not the producer ranges */
	assert_true(has_route(p, "psclab-portmap-vpc-tidbcloud-vpc",
			      "172.16.0.10/32", "169.254.0.6", "psc0", 0));
	for (size_t i = 0; i < p->n_routes; i++) {
		const psc_plan_route *r = &p->routes[i];
		if (r->ns == e->consumer_router_ns)
			assert_false((r->dst & 0xff000000u) == 0x0a000000u);
	}
	assert_true(has_route(p, "psclab-portmap-vpc-kafka-vpc",
			      "10.128.0.0/18", "169.254.0.2", "psc0", 0));
	/* NEG load balancer: nothing local on the backends */
	assert_int_equal(p->n_lbs, 1);
	assert_true(p->lbs[0].neg);
	assert_int_equal(p->n_rules, 0);
	psc_topology_free(t);
}

static void proxy_plan(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_plan *p = psc_test_plan(t);
	assert_true(p->probe_ns >= 0);
	assert_string_equal(p->ns[p->probe_ns].name, "psclab-proxy-gcp-hc");
	assert_int_equal(p->n_lbs, 1);
	const psc_plan_lb *lb = &p->lbs[0];
	assert_false(lb->neg);
	assert_non_null(lb->hc);
	assert_int_equal(lb->n_backends, 1);
	const psc_plan_vm *px = &p->vms[lb->backend_vm[0]];
	assert_string_equal(px->in->name, "kafka-proxy-node");
	/* the VIP is local on the backend (guest agent), routed to it */
	bool local = false;
	for (size_t i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].ns == px->ns && p->addrs[i].addr == lb->vip &&
		    strcmp(p->addrs[i].ifname, "lo") == 0)
			local = true;
	assert_true(local);
	assert_true(has_route(p, "psclab-proxy-vpc-kafka-vpc", "10.64.0.6/32",
			      "0.0.0.0", px->router_if, 0));
	assert_true(has_route(p, "psclab-proxy-vpc-kafka-vpc", "10.64.0.6/32",
			      "0.0.0.0", px->router_if,
			      psc_plan_backend_table(0, 0)));
	assert_int_equal(p->n_rules, 1);
	assert_int_equal(p->rules[0].mark, psc_plan_backend_mark(0, 0));
	/* probes come from GCP's ranges through the router */
	assert_true(has_route(p, "psclab-proxy-vpc-kafka-vpc", "35.191.0.0/16",
			      "169.254.1.2", "hc0", 0));
	assert_true(has_route(p, "psclab-proxy-vpc-kafka-vpc",
			      "130.211.0.0/22", "169.254.1.2", "hc0", 0));
	psc_topology_free(t);
}

static void endpoint_pending_and_rejected(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_service_attachment *sa = &t->service_attachments[0];
	snprintf(sa->consumer_accept_lists[0].project, PSC_NAME_LEN,
		 "someone-else");
	psc_plan *p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_PENDING);
	assert_string_equal(p->eps[0].reason, "project tidbcloud-prod-000 is "
				 "not on the accept list of kafka-psc");
	char *s = psc_nft_psc_text(p);
	assert_non_null(s);
	assert_null(strstr(s, "dnat ip to"));
	assert_non_null(strstr(s, "ip daddr 172.16.0.10 counter drop comment "
				  "\"psc endpoint kafka-psc-endpoint PENDING\""));
	free(s);

	snprintf(sa->consumer_reject_lists[0], PSC_NAME_LEN,
		 "tidbcloud-prod-000");
	sa->n_consumer_reject_lists = 1;
	p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_REJECTED);

	/* automatic acceptance, but the reject list still wins */
	snprintf(sa->connection_preference, PSC_NAME_LEN, "ACCEPT_AUTOMATIC");
	p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_REJECTED);
	sa->n_consumer_reject_lists = 0;
	p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_ACCEPTED);

	/* connection limit 0: PENDING */
	snprintf(sa->connection_preference, PSC_NAME_LEN, "ACCEPT_MANUAL");
	snprintf(sa->consumer_accept_lists[0].project, PSC_NAME_LEN,
		 "tidbcloud-prod-000");
	sa->consumer_accept_lists[0].connection_limit = 0;
	p = psc_test_plan(t);
	assert_int_equal(p->eps[0].status, PSC_EP_PENDING);
	psc_topology_free(t);
}

static void name_collision(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char err[256];
	static psc_plan p;
	snprintf(t->instances[0].name, PSC_NAME_LEN, "psc");
	assert_int_equal(psc_plan_build(t, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "two namespaces would be named "
				 "'psclab-portmap-psc'");
	psc_topology_free(t);
}

/* ---- nftables text ---- */

static void portmap_nft(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	psc_lb_health h;
	psc_lb_health_all(p, &h);
	char *s = psc_nft_router_text(p, 0, &h);
	assert_non_null(s);
	/* the NEG: one DNAT per client port, the rest dropped */
	assert_non_null(strstr(s, "ip daddr 10.64.0.5 tcp dport 9094 counter "
				  "dnat ip to 10.64.0.3:39092 comment \"lb "
				  "kafka-lb neg kafka-neg client 9094 -> "
				  "broker-node2:39092\"\n"));
	assert_non_null(strstr(s, "ip daddr 10.64.0.5 counter drop comment "
				  "\"lb kafka-lb unmapped client port\""));
	/* the firewall: priority order (allow-psc-traffic 1000 first),
	 * then the implied deny */
	const char *psc = strstr(s, "ip saddr { 10.128.0.0/18 } counter "
				    "accept comment \"fw allow-psc-traffic "
				    "ALLOW broker-node1\"");
	const char *custom = strstr(s, "comment \"fw kafka-vpc-allow-custom "
				       "ALLOW broker-node1\"");
	const char *ssh = strstr(s, "ip saddr { 0.0.0.0/0 } meta l4proto tcp "
				    "th dport { 22 } counter accept comment "
				    "\"fw kafka-vpc-allow-ssh ALLOW "
				    "broker-node1\"");
	const char *implied = strstr(s, "counter drop comment \"fw implied "
				       "deny ingress broker-node1\"");
	assert_non_null(psc);
	assert_non_null(custom);
	assert_non_null(ssh);
	assert_non_null(implied);
	assert_true(psc < custom && custom < ssh && ssh < implied);
	assert_non_null(strstr(s, "ct state established,related accept"));
	/* the producer VPC holds no endpoint: no leak watch there */
	assert_null(strstr(s, "chain leak"));
	free(s);
	/* the consumer VPC's: every destination outside its subnet and the
	 * metadata server counted per address, nothing dropped */
	s = psc_nft_router_text(p, 1, &h);
	assert_non_null(s);
	assert_non_null(strstr(s, "\tset leaked {\n\t\ttype ipv4_addr\n"
				  "\t\tsize 4096\n\t\tflags dynamic\n"
				  "\t\tcounter\n\t}\n"));
	assert_non_null(strstr(s, "type filter hook prerouting priority raw; "
				  "policy accept;\n\t\tiifname \"v4\" ip daddr "
				  "!= { 169.254.169.254, 172.16.0.0/20 } counter "
				  "update @leaked { ip daddr } comment \"leak "
				  "changefeed -> outside tidbcloud-vpc, not its "
				  "PSC endpoint\"\n"));
	free(s);

	s = psc_nft_psc_text(p);
	assert_non_null(strstr(s, "ip daddr 172.16.0.10 counter dnat ip to "
				  "10.64.0.5"));
	assert_non_null(strstr(s, "ct original ip daddr 172.16.0.10 counter "
				  "snat ip to 10.128.0.2"));
	assert_non_null(strstr(s, "policy drop;"));
	free(s);
	psc_topology_free(t);
}

static void firewall_order_and_tags(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_network *net = &t->networks[0];
	/* a DENY at the same priority as allow-psc-traffic, for tagged
	 * targets only; broker-node2 carries the tag */
	psc_firewall *fw = &net->firewalls[net->n_firewalls++];
	memset(fw, 0, sizeof(*fw));
	snprintf(fw->name, PSC_NAME_LEN, "deny-psc-b2");
	snprintf(fw->direction, PSC_NAME_LEN, "INGRESS");
	fw->priority = 1000;
	snprintf(fw->source_ranges[0], 48, "10.128.0.0/18");
	fw->n_source_ranges = 1;
	snprintf(fw->target_tags[0], PSC_NAME_LEN, "kafka");
	fw->n_target_tags = 1;
	snprintf(fw->deny[0].protocol, PSC_NAME_LEN, "tcp");
	snprintf(fw->deny[0].ports[0], 16, "39092");
	fw->deny[0].n_ports = 1;
	fw->n_deny = 1;
	psc_instance *b2 = psc_find_instance(t, "broker-node2");
	snprintf(b2->tags[0], PSC_NAME_LEN, "kafka");
	b2->n_tags = 1;
	/* and a disabled rule that would allow everything first */
	psc_firewall *off = &net->firewalls[net->n_firewalls++];
	memset(off, 0, sizeof(*off));
	snprintf(off->name, PSC_NAME_LEN, "disabled-allow");
	snprintf(off->direction, PSC_NAME_LEN, "INGRESS");
	off->priority = 0;
	off->disabled = true;
	snprintf(off->allow[0].protocol, PSC_NAME_LEN, "all");
	off->n_allow = 1;

	psc_plan *p = psc_test_plan(t);
	psc_lb_health h;
	psc_lb_health_all(p, &h);
	char *s = psc_nft_router_text(p, 0, &h);
	assert_non_null(s);
	assert_null(strstr(s, "disabled-allow"));
	const char *deny = strstr(s, "ip saddr { 10.128.0.0/18 } meta l4proto "
				     "tcp th dport { 39092 } counter drop "
				     "comment \"fw deny-psc-b2 DENY "
				     "broker-node2\"");
	const char *allow = strstr(s, "comment \"fw allow-psc-traffic ALLOW "
				      "broker-node2\"");
	assert_non_null(deny);
	assert_non_null(allow);
	assert_true(deny < allow);   /* DENY before ALLOW at equal priority */
	/* not applied to untagged targets */
	assert_null(strstr(s, "fw deny-psc-b2 DENY broker-node1"));
	free(s);
	psc_topology_free(t);
}

static void ig_health_and_fail_open(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_plan *p = psc_test_plan(t);
	psc_lb_health h;
	psc_lb_health_all(p, &h);
	char *s = psc_nft_router_text(p, 0, &h);
	assert_non_null(strstr(s, "ip daddr 10.64.0.6 ct state new meta mark "
				  "set jhash ip saddr . ip daddr . tcp sport . "
				  "tcp dport mod 1 map { 0 : 0x100 } ct mark "
				  "set meta mark counter comment \"lb "
				  "kafka-proxy-lb healthy: 1 of 1 "
				  "backends\""));
	free(s);
	h.healthy[0][0] = false;
	s = psc_nft_router_text(p, 0, &h);
	assert_non_null(strstr(s, "comment \"lb kafka-proxy-lb fail-open: 0 "
				  "of 1 backends\""));
	assert_non_null(strstr(s, "map { 0 : 0x100 }"));
	free(s);
	psc_topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lab_names),
		cmocka_unit_test(portmap_plan),
		cmocka_unit_test(proxy_plan),
		cmocka_unit_test(endpoint_pending_and_rejected),
		cmocka_unit_test(name_collision),
		cmocka_unit_test(portmap_nft),
		cmocka_unit_test(firewall_order_and_tags),
		cmocka_unit_test(ig_health_and_fail_open),
	};
	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
