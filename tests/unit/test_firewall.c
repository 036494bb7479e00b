/* Unit tests: GCP's VPC firewall for one packet (firewall.c), against the
 * shipped portmap model and hand-built rules. */
#include "psc_test.h"
#include "model/topology_load.h"

#include "model/addr.h"
#include "model/firewall.h"

/* ---- building rules by hand ---- */

static psc_network *net_new(void)
{
	psc_network *n = calloc(1, sizeof(*n));
	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "test-vpc");
	return n;
}

/* one rule: "ALLOW"/"DENY", priority, one source range (or NULL), one
 * entry "tcp" with ports (or NULL) */
static psc_firewall *fw_add(psc_network *n, const char *name,
			    const char *action, long priority,
			    const char *src, const char *proto,
			    const char *ports)
{
	assert_true(n->n_firewalls < PSC_MAX_FIREWALLS);
	psc_firewall *fw = &n->firewalls[n->n_firewalls++];
	memset(fw, 0, sizeof(*fw));
	snprintf(fw->name, sizeof(fw->name), "%s", name);
	snprintf(fw->direction, sizeof(fw->direction), "INGRESS");
	fw->priority = priority;
	if (src)
		snprintf(fw->source_ranges[fw->n_source_ranges++], 48, "%s",
			 src);
	psc_fw_rule *e = strcmp(action, "DENY") == 0
		? &fw->deny[fw->n_deny++] : &fw->allow[fw->n_allow++];
	snprintf(e->protocol, sizeof(e->protocol), "%s", proto);
	if (ports)
		snprintf(e->ports[e->n_ports++], 16, "%s", ports);
	return fw;
}

static void tag(psc_instance *in, const char *t)
{
	snprintf(in->tags[in->n_tags++], PSC_NAME_LEN, "%s", t);
}

static psc_fw_query ingress(const char *src, const char *proto, int port)
{
	psc_fw_query q;
	char err[128];
	memset(&q, 0, sizeof(q));
	q.dir = PSC_FW_INGRESS;
	assert_int_equal(psc_cidr_parse(src, &q.peer, err, sizeof(err)), 0);
	q.protocol = proto;
	q.port = port;
	return q;
}

/* the verdict, and the deciding rule's name ("" for an implied rule) */
static psc_fw_action decide(const psc_network *n, const psc_instance *in,
			    const psc_fw_query *q, const char **rule)
{
	psc_fw_verdict v;
	psc_fw_evaluate(n, in, q, &v);
	*rule = v.rule ? v.rule->name : "";
	if (!v.rule)
		assert_int_equal(v.priority, PSC_FW_IMPLIED_PRIORITY);
	else
		assert_int_equal(v.priority, v.rule->priority);
	return v.action;
}

/* ---- the predicates ---- */

static void port_specs(void **state)
{
	(void)state;
	long lo, hi;
	assert_int_equal(psc_fw_port_spec_parse("22", &lo, &hi), 0);
	assert_int_equal(lo, 22);
	assert_int_equal(hi, 22);
	assert_int_equal(psc_fw_port_spec_parse("9093-9095", &lo, &hi), 0);
	assert_int_equal(lo, 9093);
	assert_int_equal(hi, 9095);
	assert_int_equal(psc_fw_port_spec_parse("1-65535", &lo, &hi), 0);
	assert_int_equal(psc_fw_port_spec_parse("7-7", &lo, &hi), 0);
	const char *bad[] = {"0", "65536", "22-21", "a", "", "-5", "5-",
			     "1-2-3", " 22", "22 ", "+22", "123456", "0-10"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(psc_fw_port_spec_parse(bad[i], &lo, &hi), -1);
	assert_int_equal(psc_fw_port_spec_parse(NULL, &lo, &hi), -1);

	assert_true(psc_fw_protocol_takes_ports("tcp"));
	assert_true(psc_fw_protocol_takes_ports("udp"));
	assert_true(psc_fw_protocol_takes_ports("sctp"));
	assert_false(psc_fw_protocol_takes_ports("icmp"));
	assert_false(psc_fw_protocol_takes_ports("all"));
}

static void entries(void **state)
{
	(void)state;
	psc_fw_rule e;
	memset(&e, 0, sizeof(e));
	snprintf(e.protocol, sizeof(e.protocol), "tcp");
	assert_true(psc_fw_entry_matches(&e, "tcp", 1));     /* no ports */
	assert_true(psc_fw_entry_matches(&e, "tcp", 65535));
	assert_false(psc_fw_entry_matches(&e, "udp", 80));
	snprintf(e.ports[e.n_ports++], 16, "9093-9095");
	snprintf(e.ports[e.n_ports++], 16, "22");
	assert_true(psc_fw_entry_matches(&e, "tcp", 9093));
	assert_true(psc_fw_entry_matches(&e, "tcp", 9095));
	assert_true(psc_fw_entry_matches(&e, "tcp", 22));
	assert_false(psc_fw_entry_matches(&e, "tcp", 9092));
	assert_false(psc_fw_entry_matches(&e, "tcp", 9096));
	assert_false(psc_fw_entry_matches(&e, "udp", 9093));
	memset(&e, 0, sizeof(e));
	snprintf(e.protocol, sizeof(e.protocol), "all");
	assert_true(psc_fw_entry_matches(&e, "tcp", 9092));
	assert_true(psc_fw_entry_matches(&e, "udp", 53));
	assert_true(psc_fw_entry_matches(&e, "icmp", 0));
}

/* ALLOW needs the whole query range inside a rule range; DENY only an
 * overlap */
static void ranges_allow_contains_deny_overlaps(void **state)
{
	(void)state;
	const char r[2][48] = {"10.0.0.0/24", "192.168.0.0/16"};
	psc_cidr c;
	char err[128];
	psc_cidr_parse("10.0.0.0/23", &c, err, sizeof(err));
	assert_false(psc_fw_ranges_match(r, 2, &c, PSC_FW_ALLOW));
	assert_true(psc_fw_ranges_match(r, 2, &c, PSC_FW_DENY));
	psc_cidr_parse("10.0.0.128/25", &c, err, sizeof(err));
	assert_true(psc_fw_ranges_match(r, 2, &c, PSC_FW_ALLOW));
	assert_true(psc_fw_ranges_match(r, 2, &c, PSC_FW_DENY));
	psc_cidr_parse("10.0.1.0/24", &c, err, sizeof(err));
	assert_false(psc_fw_ranges_match(r, 2, &c, PSC_FW_ALLOW));
	assert_false(psc_fw_ranges_match(r, 2, &c, PSC_FW_DENY));
	/* unparsable entries never match */
	const char bad[1][48] = {"10.0.0.1/24"};
	psc_cidr_parse("10.0.0.1/32", &c, err, sizeof(err));
	assert_false(psc_fw_ranges_match(bad, 1, &c, PSC_FW_DENY));

	/* the evaluator applies both: a /23 is not wholly allowed by the
	 * /24, but the /24 deny catches it */
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));
	fw_add(n, "allow-24", "ALLOW", 1000, "10.0.0.0/24", "all", NULL);
	psc_fw_query q = ingress("10.0.0.0/23", "tcp", 80);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");
	q = ingress("10.0.0.7/32", "tcp", 80);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-24");
	fw_add(n, "deny-24", "DENY", 2000, "10.0.0.0/24", "all", NULL);
	q = ingress("0.0.0.0/0", "tcp", 80);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "deny-24");
	free(n);
}

/* ---- the decision, on hand-built rules ---- */

static void priority_order(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));
	psc_fw_query q = ingress("10.1.0.0/16", "tcp", 9092);

	fw_add(n, "deny-1000", "DENY", 1000, "10.0.0.0/8", "tcp", NULL);
	fw_add(n, "allow-900", "ALLOW", 900, "10.1.0.0/16", "tcp", "9092");
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-900");
	fw_add(n, "deny-800", "DENY", 800, "10.1.2.0/24", "all", NULL);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "deny-800");
	/* priority 0 is the highest */
	fw_add(n, "allow-0", "ALLOW", 0, "0.0.0.0/0", "tcp", "1-65535");
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-0");
	free(n);
}

static void deny_wins_a_tie(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));
	psc_fw_query q = ingress("10.128.0.0/18", "tcp", 39092);

	/* DENY first or second in the file: it wins at equal priority */
	fw_add(n, "allow-a", "ALLOW", 1000, "10.128.0.0/18", "all", NULL);
	fw_add(n, "deny-b", "DENY", 1000, "10.128.0.0/18", "tcp", "39092");
	fw_add(n, "allow-c", "ALLOW", 1000, "10.0.0.0/8", "all", NULL);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "deny-b");

	/* two ALLOWs at one priority: the first in file order is reported */
	psc_network *m = net_new();
	fw_add(m, "allow-1", "ALLOW", 500, "10.0.0.0/8", "all", NULL);
	fw_add(m, "allow-2", "ALLOW", 500, "10.128.0.0/18", "all", NULL);
	assert_int_equal(decide(m, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-1");
	free(m);
	free(n);
}

static void disabled_rules_skipped(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));
	psc_fw_query q = ingress("10.128.0.0/18", "tcp", 39092);

	psc_firewall *deny = fw_add(n, "deny", "DENY", 10, "0.0.0.0/0",
				    "all", NULL);
	psc_firewall *allow = fw_add(n, "allow", "ALLOW", 1000,
				     "10.128.0.0/18", "all", NULL);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	deny->disabled = true;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow");
	allow->disabled = true;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");      /* implied deny ingress */
	free(n);
}

static void target_and_source_tags(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance web, db, client;
	const char *rule;
	memset(&web, 0, sizeof(web));
	memset(&db, 0, sizeof(db));
	memset(&client, 0, sizeof(client));
	tag(&web, "web");
	tag(&web, "ssh");
	tag(&db, "db");
	tag(&client, "frontend");

	psc_firewall *fw = fw_add(n, "allow-web", "ALLOW", 1000, "0.0.0.0/0",
				  "tcp", "80");
	snprintf(fw->target_tags[fw->n_target_tags++], PSC_NAME_LEN, "db");
	snprintf(fw->target_tags[fw->n_target_tags++], PSC_NAME_LEN, "web");
	psc_fw_query q = ingress("203.0.113.0/24", "tcp", 80);
	assert_true(psc_fw_targets(fw, &web));
	assert_int_equal(decide(n, &web, &q, &rule), PSC_FW_ALLOW);
	assert_int_equal(decide(n, &db, &q, &rule), PSC_FW_ALLOW);
	assert_false(psc_fw_targets(fw, &client));
	assert_int_equal(decide(n, &client, &q, &rule), PSC_FW_DENY);

	/* source tags only: a range does not match, a tagged VM does */
	psc_firewall *st = fw_add(n, "from-frontend", "ALLOW", 1000, NULL,
				  "tcp", "5432");
	snprintf(st->source_tags[st->n_source_tags++], PSC_NAME_LEN,
		 "frontend");
	q = ingress("10.0.0.5/32", "tcp", 5432);
	assert_int_equal(decide(n, &db, &q, &rule), PSC_FW_DENY);
	q.peer_instance = &client;
	assert_int_equal(decide(n, &db, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "from-frontend");
	q.peer_instance = &web;              /* no 'frontend' tag */
	assert_int_equal(decide(n, &db, &q, &rule), PSC_FW_DENY);
	/* ranges OR tags: with a range as well, the range matches */
	snprintf(st->source_ranges[st->n_source_ranges++], 48, "10.0.0.0/24");
	assert_int_equal(decide(n, &db, &q, &rule), PSC_FW_ALLOW);
	free(n);
}

static void protocols_and_ports(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));
	fw_add(n, "tcp-range", "ALLOW", 1000, "10.0.0.0/8", "tcp",
	       "9093-9095");
	fw_add(n, "udp-any", "ALLOW", 1000, "10.0.0.0/8", "udp", NULL);

	psc_fw_query q = ingress("10.1.1.1/32", "tcp", 9094);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "tcp-range");
	q.port = 9096;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	q.protocol = "udp";
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "udp-any");
	q.protocol = "icmp";
	q.port = 0;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	fw_add(n, "all", "ALLOW", 2000, "10.0.0.0/8", "all", NULL);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "all");
	free(n);
}

static void implied_rules(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	memset(&in, 0, sizeof(in));

	psc_fw_query q = ingress("0.0.0.0/0", "tcp", 22);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");
	q.dir = PSC_FW_EGRESS;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "");
	psc_fw_evaluate(NULL, &in, &q, &(psc_fw_verdict){0});

	/* a rule at 65535 is still a rule: it beats the implied one */
	fw_add(n, "allow-65535", "ALLOW", 65535, "0.0.0.0/0", "tcp", "22");
	q.dir = PSC_FW_INGRESS;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-65535");

	/* an egress DENY overrides the implied allow; ingress rules do not
	 * apply to egress */
	psc_firewall *eg = fw_add(n, "deny-out", "DENY", 1000, NULL, "all",
				  NULL);
	snprintf(eg->direction, sizeof(eg->direction), "EGRESS");
	snprintf(eg->destination_ranges[eg->n_destination_ranges++], 48,
		 "192.0.2.0/24");
	q = ingress("192.0.2.9/32", "tcp", 443);
	q.dir = PSC_FW_EGRESS;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "deny-out");
	q = ingress("198.51.100.1/32", "tcp", 443);
	q.dir = PSC_FW_EGRESS;
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "");
	assert_string_equal(psc_fw_action_str(PSC_FW_DENY), "DENY");
	assert_string_equal(psc_fw_dir_str(PSC_FW_EGRESS), "EGRESS");
	free(n);
}

/* ingress destination_ranges filter the target's own address; without
 * it, an ALLOW cannot be proved and a DENY may apply */
static void ingress_destination_ranges(void **state)
{
	(void)state;
	psc_network *n = net_new();
	psc_instance in;
	const char *rule;
	char err[64];
	memset(&in, 0, sizeof(in));
	psc_firewall *fw = fw_add(n, "to-brokers", "ALLOW", 1000, "0.0.0.0/0",
				  "tcp", NULL);
	snprintf(fw->destination_ranges[fw->n_destination_ranges++], 48,
		 "10.64.0.0/18");
	psc_fw_query q = ingress("10.128.0.0/18", "tcp", 39092);
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);
	q.has_local = true;
	psc_ip_parse("10.64.0.2", &q.local_ip, err, sizeof(err));
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_ALLOW);
	psc_ip_parse("10.0.0.2", &q.local_ip, err, sizeof(err));
	assert_int_equal(decide(n, &in, &q, &rule), PSC_FW_DENY);

	/* an ingress rule without any source is taken as 0.0.0.0/0 */
	psc_network *m = net_new();
	fw_add(m, "no-source", "ALLOW", 1000, NULL, "tcp", "8080");
	q = ingress("203.0.113.7/32", "tcp", 8080);
	assert_int_equal(decide(m, &in, &q, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "no-source");
	free(m);
	free(n);
}

/* ---- the shipped portmap model ---- */

struct shipped {
	psc_topology *t;
	psc_network *kafka;
};

static int shipped_setup(void **state)
{
	static struct shipped s;
	psc_diags d;
	bool unreadable;
	psc_test_chdir();
	psc_diags_init(&d, "topologies/portmap.yaml");
	s.t = psc_topology_load_file("topologies/portmap.yaml", &d,
				     &unreadable);
	psc_diags_free(&d);
	if (!s.t)
		return -1;
	s.kafka = psc_find_network(s.t, "kafka-vpc");
	*state = &s;
	return s.kafka ? 0 : -1;
}

static int shipped_teardown(void **state)
{
	struct shipped *s = *state;
	psc_topology_free(s->t);
	return 0;
}

static psc_fw_action shipped(struct shipped *s, const char *instance,
			     const char *src, const char *proto, int port,
			     const char **rule)
{
	psc_instance *in = psc_find_instance(s->t, instance);
	assert_non_null(in);
	psc_fw_query q = ingress(src, proto, port);
	if (psc_instance_ip(s->t, in, &q.local_ip) == 0)
		q.has_local = true;
	return decide(s->kafka, in, &q, rule);
}

static void portmap_psc_nat_reaches_brokers(void **state)
{
	struct shipped *s = *state;
	const char *rule;
	const char *brokers[] = {"broker-node1", "broker-node2",
				 "broker-node3"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(shipped(s, brokers[i], "10.128.0.0/18", "tcp",
					 39092, &rule), PSC_FW_ALLOW);
		assert_string_equal(rule, "allow-psc-traffic");
	}
	/* one NAT address: the same */
	assert_int_equal(shipped(s, "broker-node1", "10.128.0.2/32", "udp",
				 53, &rule), PSC_FW_ALLOW);
	/* a range only partly inside the NAT subnet is not wholly allowed */
	assert_int_equal(shipped(s, "broker-node1", "10.128.0.0/16", "tcp",
				 39092, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");
}

static void portmap_vpc_and_ssh(void **state)
{
	struct shipped *s = *state;
	const char *rule;
	/* the VPC's own ranges: allow-custom (priority 65534) */
	assert_int_equal(shipped(s, "broker-node2", "10.0.0.0/18", "tcp", 9092,
				 &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "kafka-vpc-allow-custom");
	assert_int_equal(shipped(s, "broker-node2", "10.64.0.3/32", "tcp",
				 29092, &rule), PSC_FW_ALLOW);
	/* ssh from anywhere, nothing else */
	assert_int_equal(shipped(s, "bastion-node", "198.51.100.0/24", "tcp",
				 22, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "kafka-vpc-allow-ssh");
	assert_int_equal(shipped(s, "bastion-node", "198.51.100.0/24", "udp",
				 22, &rule), PSC_FW_DENY);
	assert_int_equal(shipped(s, "bastion-node", "198.51.100.0/24", "tcp",
				 9092, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");
}

/* the probe ranges reach nothing but ssh (row 16): no health-check rule */
static void portmap_probes_denied(void **state)
{
	struct shipped *s = *state;
	const char *rule;
	assert_int_equal(shipped(s, "broker-node1", "35.191.0.0/16", "tcp",
				 39092, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "");
	assert_int_equal(shipped(s, "broker-node1", "130.211.0.0/22", "tcp",
				 39092, &rule), PSC_FW_DENY);
	assert_int_equal(shipped(s, "broker-node1", "130.211.0.0/22", "tcp",
				 22, &rule), PSC_FW_ALLOW);
}

/* a DENY added above allow-psc-traffic, then disabled */
static void portmap_with_deny(void **state)
{
	struct shipped *s = *state;
	const char *rule;
	size_t n0 = s->kafka->n_firewalls;
	psc_firewall *fw = fw_add(s->kafka, "deny-psc", "DENY", 900,
				  "10.128.0.0/20", "tcp", "39092");
	assert_int_equal(shipped(s, "broker-node3", "10.128.0.0/18", "tcp",
				 39092, &rule), PSC_FW_DENY);
	assert_string_equal(rule, "deny-psc");
	/* other ports still allowed */
	assert_int_equal(shipped(s, "broker-node3", "10.128.0.0/18", "tcp",
				 9092, &rule), PSC_FW_ALLOW);
	fw->disabled = true;
	assert_int_equal(shipped(s, "broker-node3", "10.128.0.0/18", "tcp",
				 39092, &rule), PSC_FW_ALLOW);
	assert_string_equal(rule, "allow-psc-traffic");
	/* the same priority as allow-psc-traffic: DENY still wins */
	fw->disabled = false;
	fw->priority = 1000;
	assert_int_equal(shipped(s, "broker-node3", "10.128.0.0/18", "tcp",
				 39092, &rule), PSC_FW_DENY);
	s->kafka->n_firewalls = n0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_specs),
		cmocka_unit_test(entries),
		cmocka_unit_test(ranges_allow_contains_deny_overlaps),
		cmocka_unit_test(priority_order),
		cmocka_unit_test(deny_wins_a_tie),
		cmocka_unit_test(disabled_rules_skipped),
		cmocka_unit_test(target_and_source_tags),
		cmocka_unit_test(protocols_and_ports),
		cmocka_unit_test(implied_rules),
		cmocka_unit_test(ingress_destination_ranges),
		cmocka_unit_test(portmap_psc_nat_reaches_brokers),
		cmocka_unit_test(portmap_vpc_and_ssh),
		cmocka_unit_test(portmap_probes_denied),
		cmocka_unit_test(portmap_with_deny),
	};
	return cmocka_run_group_tests_name("firewall", tests, shipped_setup,
					   shipped_teardown);
}
