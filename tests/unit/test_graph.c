/* Unit tests: `pscLab graph`'s model (cli/graph.c), its dot and Mermaid
 * writers (cli/graph_write.c) on both shipped ways (portmap, proxy): every
 * instance, subnet (the PSC NAT subnet with a node in its cluster),
 * object and path of the topology is in both texts, and Mermaid has every
 * edge of the dot graph; a running lab's colours (cli/graph_live.c) from
 * a made-up journal, health file and last verify; verify-last.json
 * written and read back (verify/verify_last.c). */
#include "psc_test.h"

#include "cli/graph.h"
#include "cli/graph_live.h"
#include "cli/graph_write.h"
#include "model/addr.h"
#include "model/consumers.h"
#include "verify/verify_last.h"

typedef struct texts {
	psc_graph *g;
	char *dot, *mm;
} texts;

static char *write_to_memory(const psc_graph *g, bool mermaid)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(mermaid ? psc_graph_write_mermaid(g, m)
				 : psc_graph_write_dot(g, m), 0);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static void texts_of(const psc_topology *t, texts *x)
{
	char err[256];
	x->g = calloc(1, sizeof(*x->g));
	assert_non_null(x->g);
	if (psc_graph_build(t, psc_test_plan(t), x->g, err, sizeof(err)) < 0)
		fail_msg("graph: %s", err);
	x->dot = write_to_memory(x->g, false);
	x->mm = write_to_memory(x->g, true);
}

static void texts_free(texts *x)
{
	free(x->g);
	free(x->dot);
	free(x->mm);
}

static const char *mid(const char *id)
{
	static char buf[4][PSC_GRAPH_ID_LEN];
	static int k;
	k = (k + 1) % 4;
	psc_graph_mermaid_id(id, buf[k], sizeof(buf[k]));
	return buf[k];
}

/* the dot line declaring node prefix+name, or NULL */
static const char *dot_node_line(const char *dot, const char *prefix,
				 const char *name)
{
	char key[PSC_GRAPH_ID_LEN + 16];
	psc_test_fmt(key, sizeof(key), "\"%s%s\" [shape=", prefix, name);
	return strstr(dot, key);
}

static void expect_node(const texts *x, const char *prefix, const char *name,
			const char *in_label)
{
	char id[PSC_GRAPH_ID_LEN], key[PSC_GRAPH_ID_LEN + 8];
	const char *l = dot_node_line(x->dot, prefix, name);
	if (!l)
		fail_msg("dot: no node %s%s", prefix, name);
	const char *eol = strchr(l, '\n');
	if (in_label) {
		const char *hit = strstr(l, in_label);
		if (!hit || hit > eol)
			fail_msg("dot: node %s%s's line lacks '%s'", prefix,
				 name, in_label);
	}
	psc_test_fmt(id, sizeof(id), "%s%s", prefix, name);
	psc_test_fmt(key, sizeof(key), " %s", mid(id));
	const char *m = strstr(x->mm, key);
	if (!m || !strchr("[({>", m[strlen(key)]))
		fail_msg("mermaid: no node %s", mid(id));
}

static bool dot_has_edge(const char *dot, const char *a, const char *b)
{
	char key[2 * PSC_GRAPH_ID_LEN + 16];
	psc_test_fmt(key, sizeof(key), "  \"%s\" -> \"%s\" [", a, b);
	return strstr(dot, key) != NULL;
}

static bool mm_has_edge(const char *mm, const char *a, const char *b)
{
	char from[PSC_GRAPH_ID_LEN + 8], to[PSC_GRAPH_ID_LEN + 8];
	psc_test_fmt(from, sizeof(from), "\n  %s -", mid(a));
	psc_test_fmt(to, sizeof(to), "| %s\n", mid(b));
	for (const char *s = strstr(mm, from); s; s = strstr(s + 1, from)) {
		const char *eol = strchr(s + 1, '\n');
		const char *hit = strstr(s, to);
		if (hit && hit < eol + 1)
			return true;
	}
	return false;
}

static void expect_edge(const texts *x, const char *a, const char *b)
{
	if (!dot_has_edge(x->dot, a, b))
		fail_msg("dot: no edge %s -> %s", a, b);
	if (!mm_has_edge(x->mm, a, b))
		fail_msg("mermaid: no edge %s -> %s", mid(a), mid(b));
}

/* every dot edge is a Mermaid edge, and there are as many of each */
static void mermaid_has_every_dot_edge(const texts *x)
{
	size_t n_dot = 0, n_mm = 0;
	for (const char *s = strstr(x->dot, "\n  \""); s;
	     s = strstr(s + 1, "\n  \"")) {
		char a[PSC_GRAPH_ID_LEN], b[PSC_GRAPH_ID_LEN];
		if (sscanf(s, "\n  \"%95[^\"]\" -> \"%95[^\"]\"", a, b) != 2)
			continue;
		n_dot++;
		if (!mm_has_edge(x->mm, a, b))
			fail_msg("mermaid lacks the dot edge %s -> %s", a, b);
	}
	for (const char *s = x->mm, *eol; (eol = strchr(s, '\n')); s = eol + 1) {
		const char *a = strstr(s, " -->|\""), *b = strstr(s, " -.->|\"");
		if ((a && a < eol) || (b && b < eol))
			n_mm++;
	}
	assert_true(n_dot > 0);
	assert_int_equal(n_mm, n_dot);
	assert_int_equal(n_dot, x->g->n_edges);
}

/* a subnet's cluster in dot: it exists, and holds a node (an empty
 * cluster is not drawn); holding, when given, is in it */
static void expect_subnet(const texts *x, const psc_subnet *s,
			  const char *holding)
{
	char key[PSC_NAME_LEN + 32];
	psc_test_fmt(key, sizeof(key), "subgraph \"cluster_subnet_%s\" {\n",
		     s->name);
	const char *c = strstr(x->dot, key);
	if (!c)
		fail_msg("dot: no cluster for subnet %s", s->name);
	const char *end = strstr(c, "\n    }\n");
	const char *n = strstr(c, " [shape=");
	if (!end || !n || n > end)
		fail_msg("dot: subnet %s's cluster is empty", s->name);
	if (holding) {
		const char *h = strstr(c, holding);
		if (!h || h > end)
			fail_msg("dot: subnet %s's cluster lacks '%s'", s->name,
				 holding);
	}
	psc_test_fmt(key, sizeof(key), "subgraph cluster_subnet_%s [",
		     mid(s->name));
	if (!strstr(x->mm, key))
		fail_msg("mermaid: no subgraph for subnet %s", s->name);
}

static void expect_subnets(const psc_topology *t, const texts *x)
{
	char want[PSC_NAME_LEN * 2 + 48];
	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_subnetworks; j++) {
			const psc_subnet *s = &t->networks[i].subnetworks[j];
			bool nat = strcmp(s->purpose,
					  "PRIVATE_SERVICE_CONNECT") == 0;
			expect_subnet(x, s, nat ? "\"nat_" : NULL);
			if (nat)
				expect_node(x, "nat_", s->name,
					    "PSC NAT subnet of service "
					    "attachment");
		}
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		for (size_t k = 0; k < sa->n_nat_subnets; k++) {
			psc_test_fmt(want, sizeof(want), "PSC NAT subnet of "
				     "service attachment %s\\n",
				     sa->name);
			const char *l = dot_node_line(x->dot, "nat_",
						      sa->nat_subnets[k]);
			assert_non_null(l);
			assert_non_null(strstr(l, want));
		}
	}
}

static void expect_instances(const psc_topology *t, const texts *x)
{
	char ip[16];
	uint32_t a;
	for (size_t i = 0; i < t->n_instances; i++) {
		assert_int_equal(psc_instance_ip(t, &t->instances[i], &a), 0);
		expect_node(x, "vm_", t->instances[i].name,
			    psc_ip_str(a, ip, sizeof(ip)));
	}
}

static void expect_objects(const psc_topology *t, const texts *x)
{
	for (size_t i = 0; i < t->n_load_balancers; i++)
		expect_node(x, "lb_", t->load_balancers[i].name, NULL);
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++)
		expect_node(x, "neg_", t->network_endpoint_groups[i].name, NULL);
	for (size_t i = 0; i < t->n_instance_groups; i++)
		expect_node(x, "ig_", t->instance_groups[i].name, NULL);
	for (size_t i = 0; i < t->n_health_checks; i++)
		expect_node(x, "hc_", t->health_checks[i].name, NULL);
	for (size_t i = 0; i < t->n_service_attachments; i++)
		expect_node(x, "sa_", t->service_attachments[i].name, NULL);
	for (size_t i = 0; i < t->n_psc_endpoints; i++)
		expect_node(x, "ep_", t->psc_endpoints[i].name, "ACCEPTED");
	for (size_t i = 0; i < t->n_dns_zones; i++)
		expect_node(x, "dns_", t->dns_zones[i].name,
			    t->dns_zones[i].dns_name);
}

static const char *idf(const char *prefix, const char *name)
{
	static char buf[8][PSC_GRAPH_ID_LEN];
	static int k;
	k = (k + 1) % 8;
	psc_test_fmt(buf[k], sizeof(buf[k]), "%s%s", prefix, name);
	return buf[k];
}

/* the mapping: NEG client port -> instance:port, the group's members */
static void expect_backend_edges(const psc_topology *t, const texts *x)
{
	char label[PSC_GRAPH_EDGE_LABEL_LEN + 16];
	for (size_t l = 0; l < t->n_load_balancers; l++) {
		const psc_load_balancer *lb = &t->load_balancers[l];
		for (size_t k = 0; k < lb->n_backends; k++) {
			bool neg = psc_find_neg((psc_topology *)t, lb->backends[k]);
			expect_edge(x, idf("lb_", lb->name),
				    idf(neg ? "neg_" : "ig_", lb->backends[k]));
			if (!neg && lb->health_check[0])
				expect_edge(x, idf("hc_", lb->health_check),
					    idf("ig_", lb->backends[k]));
		}
	}
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *n = &t->network_endpoint_groups[i];
		for (size_t e = 0; e < n->n_endpoints; e++) {
			const psc_neg_endpoint *ne = &n->endpoints[e];
			expect_edge(x, idf("neg_", n->name),
				    idf("vm_", ne->instance));
			psc_test_fmt(label, sizeof(label), "label=\"%ld -> %s:%ld\"",
				     ne->client_port, ne->instance, ne->port);
			if (!strstr(x->dot, label))
				fail_msg("dot: no mapping %s", label);
		}
	}
	for (size_t i = 0; i < t->n_instance_groups; i++)
		for (size_t e = 0; e < t->instance_groups[i].n_instances; e++)
			expect_edge(x, idf("ig_", t->instance_groups[i].name),
				    idf("vm_", t->instance_groups[i].instances[e]));
}

static void expect_psc_edges(const psc_topology *t, const texts *x)
{
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		expect_edge(x, idf("sa_", sa->name), idf("lb_", sa->target));
		for (size_t k = 0; k < sa->n_nat_subnets; k++)
			expect_edge(x, idf("sa_", sa->name),
				    idf("nat_", sa->nat_subnets[k]));
	}
	for (size_t i = 0; i < t->n_psc_endpoints; i++)
		expect_edge(x, idf("ep_", t->psc_endpoints[i].name),
			    idf("sa_", t->psc_endpoints[i].target));
	for (size_t i = 0; i < t->n_dns_zones; i++)
		for (size_t r = 0; r < t->dns_zones[i].n_records; r++)
			expect_edge(x, idf("dns_", t->dns_zones[i].name),
				    idf("ep_", t->dns_zones[i].records[r].endpoint));
	/* every consumer's changefeed (the FAQ's second project too) */
	assert_true(t->changefeed.present);
	for (size_t c = 0; c < psc_consumer_count(t); c++)
		expect_edge(x, idf("vm_", psc_consumer_changefeed(t, c)->instance),
			    idf("ep_", psc_consumer_changefeed(t, c)->endpoint));
	/* the seed's kafka-proxy and kafka_proxies[] */
	for (size_t i = 0; i <= t->n_kafka_proxies; i++) {
		const psc_kafka_proxy *kp = i ? &t->kafka_proxies[i - 1]
					      : &t->kafka_proxy;
		for (size_t m = 0;
		     kp->present && m < kp->n_bootstrap_server_mappings; m++) {
			char host[PSC_HOST_LEN], err[64];
			int port;
			assert_int_equal(psc_hostport_parse(
				kp->bootstrap_server_mappings[m].upstream, host,
				sizeof(host), &port, err, sizeof(err)), 0);
			expect_edge(x, idf("vm_", kp->instance),
				    idf("vm_", host));
		}
	}
}

static void check_topology(const char *path, const char *want_approach)
{
	psc_topology *t = psc_test_load(path);
	texts x;
	assert_string_equal(t->approach, want_approach);
	texts_of(t, &x);
	assert_non_null(strstr(x.mm, "\nflowchart LR\n"));
	assert_true(strncmp(x.dot, "digraph \"psclab-", 16) == 0);
	expect_instances(t, &x);
	expect_subnets(t, &x);
	expect_objects(t, &x);
	expect_backend_edges(t, &x);
	expect_psc_edges(t, &x);
	mermaid_has_every_dot_edge(&x);
	texts_free(&x);
	psc_topology_free(t);
}

static void graph_portmap(void **state)
{
	(void)state;
	check_topology("topologies/portmap.yaml", "portmap");
}

static void graph_proxy(void **state)
{
	(void)state;
	check_topology("topologies/proxy.yaml", "proxy");
}

/* the seed's FAQ: the second project's changefeed and endpoint, and
 * (proxy) the second kafka-proxy with its mappings, labelled as such */
static void graph_two_projects(void **state)
{
	(void)state;
	check_topology("topologies/portmap-two-projects.yaml", "portmap");
	check_topology("topologies/proxy-two-projects.yaml", "proxy");
	psc_topology *t = psc_test_load("topologies/proxy-two-projects.yaml");
	texts x;
	texts_of(t, &x);
	expect_node(&x, "vm_", "kafka-proxy-node2", "kafka-proxy");
	expect_node(&x, "vm_", "changefeed2", "TiDB Cloud changefeed "
		    "(project tidbcloud-prod-001)");
	expect_node(&x, "vm_", "changefeed", "TiDB Cloud changefeed\"]");
	texts_free(&x);
	psc_topology_free(t);
}

/* a subnet with nothing in it still shows (its own node) */
static void graph_empty_subnet(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_network *n = psc_find_network(t, "kafka-vpc");
	assert_non_null(n);
	psc_subnet *s = &n->subnetworks[n->n_subnetworks++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "spare-subnet");
	snprintf(s->region, sizeof(s->region), "us-west1");
	snprintf(s->ip_cidr_range, sizeof(s->ip_cidr_range), "10.192.0.0/18");
	snprintf(s->purpose, sizeof(s->purpose), "PRIVATE");
	texts x;
	texts_of(t, &x);
	expect_subnet(&x, s, "\"empty_spare-subnet\"");
	expect_node(&x, "empty_", "spare-subnet", "nothing in this subnet");
	texts_free(&x);
	psc_topology_free(t);
}

static void graph_formats(void **state)
{
	(void)state;
	psc_graph_format f;
	const char *names[] = {"dot", "svg", "png", "mermaid", "html"};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(psc_graph_format_parse(names[i], &f), 0);
		assert_int_equal(f, (psc_graph_format)i);
		assert_non_null(strstr(PSC_GRAPH_FORMATS, names[i]));
	}
	assert_int_equal(psc_graph_format_parse("jpeg", &f), -1);
	assert_int_equal(psc_graph_format_parse("", &f), -1);
	assert_int_equal(psc_graph_format_parse("DOT", &f), -1);
}

static psc_verify_last_check vcheck(const char *name, psc_verify_status s,
				    psc_verify_hop hop, long broker)
{
	psc_verify_last_check c;
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.node, sizeof(c.node), "changefeed");
	c.status = s;
	c.hop = hop;
	c.broker = broker;
	return c;
}

/* vcheck run from node (not changefeed) */
static psc_verify_last_check vcheck_at(const char *node, const char *name,
				       psc_verify_status s, psc_verify_hop hop,
				       long broker)
{
	psc_verify_last_check c = vcheck(name, s, hop, broker);
	snprintf(c.node, sizeof(c.node), "%s", node);
	return c;
}

static psc_graph_colour colour_of(const psc_graph *g, psc_graph_kind k,
				  const char *object)
{
	int i = psc_graph_find(g, k, object);
	if (i < 0)
		fail_msg("no node %s", object);
	return g->nodes[i].colour;
}

/* the last verify's checks colour what their hop concerns */
static void graph_verify_colours(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	psc_plan *p = psc_test_plan(t);
	static psc_graph g;
	static psc_verify_last v;
	char err[256];
	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	memset(&v, 0, sizeof(v));
	snprintf(v.finished, sizeof(v.finished), "2026-12-01T10:00:00Z");
	v.checks[v.n++] = vcheck("bootstrap 172.16.0.10:9094",
				 PSC_VERIFY_FAIL, PSC_HOP_LB_MAPPING, -1);
	v.checks[v.n++] = vcheck("broker 2 at b2", PSC_VERIFY_FAIL,
				 PSC_HOP_BROKER_DOWN, 2);
	v.checks[v.n++] = vcheck("broker 1 at b1", PSC_VERIFY_PASS,
				 PSC_HOP_NONE, 1);
	v.checks[v.n++] = vcheck("dns", PSC_VERIFY_WARN, PSC_HOP_DNS, -1);
	v.checks[v.n++] = vcheck("skipped", PSC_VERIFY_SKIP, PSC_HOP_NONE, 3);
	v.n_pass = 1, v.n_fail = 2, v.n_warn = 1, v.n_skip = 1;
	psc_graph_colour_verify(&g, p, &v, NULL);
	assert_int_equal(colour_of(&g, PSC_GN_LB, "kafka-lb"), PSC_GC_BAD);
	assert_int_equal(colour_of(&g, PSC_GN_NEG, "kafka-neg"), PSC_GC_BAD);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node2"), PSC_GC_BAD);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node1"), PSC_GC_OK);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node3"), PSC_GC_NONE);
	assert_int_equal(colour_of(&g, PSC_GN_DNS, "kafka-psc-zone"),
			 PSC_GC_WARN);
	assert_non_null(strstr(g.caption, "1 passed, 1 warned, 2 failed, 1 "
					  "skipped"));
	int lb = psc_graph_find(&g, PSC_GN_LB, "kafka-lb");
	assert_non_null(strstr(g.nodes[lb].why, "last verify FAIL: bootstrap "
						"172.16.0.10:9094, hop "
						"lb-mapping"));
	/* a fault colours its node bad; a lab that is not up has none */
	psc_graph_fault f = {.kind = PSC_GN_VM};
	snprintf(f.object, sizeof(f.object), "broker-node3");
	snprintf(f.what, sizeof(f.what), "stop broker-node3");
	psc_graph_colour_faults(&g, &f, 1);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node3"), PSC_GC_BAD);
	assert_int_equal(psc_graph_lab_faults("itnosuchlab", p, &f, 1), 0);
	/* in the texts */
	char *dot = write_to_memory(&g, false), *mm = write_to_memory(&g, true);
	const char *l = dot_node_line(dot, "lb_", "kafka-lb");
	assert_non_null(l);
	const char *fill = strstr(l, psc_graph_colour_fill(PSC_GC_BAD));
	assert_true(fill && fill < strchr(l, '\n'));
	assert_non_null(strstr(mm, "classDef bad "));
	const char *cls = strstr(mm, "\n  class ");
	assert_non_null(cls);
	assert_non_null(strstr(mm, "lb_kafka_lb"));
	free(dot);
	free(mm);
	/* none has run */
	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	psc_graph_colour_verify(&g, p, NULL, NULL);
	assert_non_null(strstr(g.caption, "none since the lab came up"));
	assert_int_equal(colour_of(&g, PSC_GN_LB, "kafka-lb"), PSC_GC_NONE);
	/* a broker hop that names no broker: every broker, not the node
	 * the check ran from */
	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	memset(&v, 0, sizeof(v));
	v.checks[v.n++] = vcheck("bootstrap 172.16.0.10:9093", PSC_VERIFY_FAIL,
				 PSC_HOP_BROKER_DOWN, -1);
	psc_graph_colour_verify(&g, p, &v, NULL);
	for (size_t i = 0; i < t->kafka.n_brokers; i++)
		assert_int_equal(colour_of(&g, PSC_GN_VM,
					   t->kafka.brokers[i].instance),
				 PSC_GC_BAD);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "changefeed"), PSC_GC_NONE);
	psc_topology_free(t);
}

/* the FAQ's second project: a check run from changefeed2 colours its own
 * endpoint and kafka-proxy, not the first project's */
static void graph_verify_colours_second_project(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy-two-projects.yaml");
	psc_plan *p = psc_test_plan(t);
	static psc_graph g;
	static psc_verify_last v;
	char err[256];
	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	memset(&v, 0, sizeof(v));
	v.checks[v.n++] = vcheck_at("changefeed2", "changefeed2: bootstrap "
				    "172.20.0.10:9092", PSC_VERIFY_FAIL,
				    PSC_HOP_ENDPOINT, -1);
	v.checks[v.n++] = vcheck_at("changefeed2", "changefeed2: kafka-proxy",
				    PSC_VERIFY_WARN, PSC_HOP_PROXY, -1);
	psc_graph_colour_verify(&g, p, &v, NULL);
	assert_int_equal(colour_of(&g, PSC_GN_EP, "kafka-proxy-psc-endpoint2"),
			 PSC_GC_BAD);
	assert_int_equal(colour_of(&g, PSC_GN_EP, "kafka-proxy-psc-endpoint"),
			 PSC_GC_NONE);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "kafka-proxy-node2"),
			 PSC_GC_WARN);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "kafka-proxy-node"),
			 PSC_GC_NONE);
	psc_topology_free(t);
}

static char tmpdir[64];

static void rm_tmpdir(void)
{
	char *argv[] = {"rm", "-rf", tmpdir, NULL};
	if (tmpdir[0])
		psc_test_run(argv, "/dev/null");
}

static const char *tmp_path(const char *name)
{
	static char path[160];
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/psclab-test-graph-XXXXXX");
		if (!mkdtemp(tmpdir))
			fail_msg("mkdtemp: %s", strerror(errno));
		atexit(rm_tmpdir);
	}
	psc_test_fmt(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* the health file colours instance-group backends; a dead process its
 * node; a DNS stub not in the journal leaves its zone unknown */
static void graph_health_and_procs(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	psc_plan *p = psc_test_plan(t);
	static psc_graph g;
	char err[256];
	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	const char *path = tmp_path("health");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "kafka-proxy-lb kafka-proxy-node UNHEALTHY\n");
	assert_int_equal(fclose(f), 0);
	psc_graph_colour_health(&g, p, path);
	int e = psc_graph_find_edge(&g, psc_graph_find(&g, PSC_GN_IG,
						       "kafka-proxy-ig"),
				    psc_graph_find(&g, PSC_GN_VM,
						   "kafka-proxy-node"));
	assert_true(e >= 0);
	assert_int_equal(g.edges[e].colour, PSC_GC_BAD);
	assert_non_null(strstr(g.edges[e].label, "UNHEALTHY"));

	static psc_proc procs[2];
	psc_state st;
	memset(&st, 0, sizeof(st));
	memset(procs, 0, sizeof(procs));
	snprintf(procs[0].name, sizeof(procs[0].name), "kafka-broker-node2");
	procs[0].pid = 0x3ffffff0;       /* no such process */
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, "broker-node2");
	assert_non_null(vm);
	snprintf(procs[0].netns, sizeof(procs[0].netns), "%s", p->ns[vm->ns].name);
	procs[1] = procs[0];             /* journaled again, alive: it wins */
	procs[1].pid = getpid();
	procs[1].starttime = psc_proc_starttime(getpid());
	st.procs = procs;
	st.n_procs = 1;
	psc_graph_colour_procs(&g, p, &st);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node2"), PSC_GC_BAD);
	int b2 = psc_graph_find(&g, PSC_GN_VM, "broker-node2");
	assert_non_null(strstr(g.nodes[b2].why, "is not running"));
	assert_int_equal(colour_of(&g, PSC_GN_DNS, "kafka-proxy-psc-zone"),
			 PSC_GC_UNKNOWN);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node1"), PSC_GC_NONE);

	assert_int_equal(psc_graph_build(t, p, &g, err, sizeof(err)), 0);
	st.n_procs = 2;
	psc_graph_colour_procs(&g, p, &st);
	assert_int_equal(colour_of(&g, PSC_GN_VM, "broker-node2"), PSC_GC_OK);
	/* no health file: unknown */
	psc_graph_colour_health(&g, p, tmp_path("no-such-health"));
	assert_int_equal(g.edges[e].colour, PSC_GC_UNKNOWN);
	psc_topology_free(t);
}

/* verify-last.json: written whole, read back the same */
static void verify_last_round_trip(void **state)
{
	(void)state;
	static psc_verify_report r;
	static psc_verify_last v;
	char err[512];
	psc_verify_report_init(&r, "portmap");
	psc_verify_check c;
	memset(&c, 0, sizeof(c));
	snprintf(c.node, sizeof(c.node), "changefeed");
	snprintf(c.name, sizeof(c.name), "bootstrap 172.16.0.10:9093");
	c.status = PSC_VERIFY_FAIL;
	c.hop = PSC_HOP_LB_MAPPING;
	c.broker = -1;
	assert_int_equal(psc_verify_report_add(&r, &c), 0);
	snprintf(c.name, sizeof(c.name), "broker 2 at b2.abc:9094");
	c.status = PSC_VERIFY_PASS;
	c.hop = PSC_HOP_NONE;
	c.broker = 2;
	assert_int_equal(psc_verify_report_add(&r, &c), 0);
	r.total_ms = 1234;
	const char *path = tmp_path(PSC_VERIFY_LAST_FILE);
	assert_int_equal(psc_verify_last_read(path, &v, err, sizeof(err)),
			 PSC_VERIFY_LAST_NONE);
	assert_int_equal(psc_verify_last_write(&r, 1796119200LL, path, err,
					       sizeof(err)), 0);
	assert_int_equal(psc_verify_last_read(path, &v, err, sizeof(err)), 0);
	assert_string_equal(v.lab, "portmap");
	assert_string_equal(v.finished, "2026-12-01T10:00:00Z");
	assert_int_equal(v.ms, 1234);
	assert_int_equal(v.n_pass, 1);
	assert_int_equal(v.n_fail, 1);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.checks[0].name, "bootstrap 172.16.0.10:9093");
	assert_int_equal(v.checks[0].status, PSC_VERIFY_FAIL);
	assert_int_equal(v.checks[0].hop, PSC_HOP_LB_MAPPING);
	assert_int_equal(v.checks[0].broker, -1);
	assert_string_equal(v.checks[0].node, "changefeed");
	assert_int_equal(v.checks[1].broker, 2);
	assert_int_equal(v.checks[1].hop, PSC_HOP_NONE);
	/* nothing left beside it */
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	assert_non_null(d);
	while ((de = readdir(d)))
		assert_null(strstr(de->d_name, ".tmp"));
	closedir(d);
	/* a file that is not one */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"lab\": \"portmap\", \"checks\": 3}\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(psc_verify_last_read(path, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a verify result"));
	/* into a directory that is not there */
	assert_int_equal(psc_verify_last_write(&r, 0, "/nonexistent-dir/x.json",
					       err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/x.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(graph_portmap),
		cmocka_unit_test(graph_proxy),
		cmocka_unit_test(graph_two_projects),
		cmocka_unit_test(graph_empty_subnet),
		cmocka_unit_test(graph_formats),
		cmocka_unit_test(graph_verify_colours),
		cmocka_unit_test(graph_verify_colours_second_project),
		cmocka_unit_test(graph_health_and_procs),
		cmocka_unit_test(verify_last_round_trip),
	};
	return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
