/* test_import.c - `pscLab import`: the real plans of ../shared/import/
 * (outside the repository: CI has ../shared beside the clone) import to
 * topologies that lint exactly as topologies/portmap.yaml and proxy.yaml;
 * the broken variants tests/import/build.sh makes from them with jq give
 * the expected findings against Terraform addresses; inputs that are not
 * plans are refused, located, and nothing is written. */
#include "psc_test.h"

#include "import/tfplan.h"
#include "import/tfplan_emit.h"
#include "import/tfplan_names.h"
#include "import/tfplan_refs.h"

#define SHARED "../shared/import"

static char fx[PATH_MAX];       /* the fixtures build.sh wrote */

static int setup(void **state)
{
	(void)state;
	psc_test_chdir();
	snprintf(fx, sizeof(fx), "%s", psc_test_fixture_dir());
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/build.log", fx);
	char *argv[] = {"tests/import/build.sh", "-o", fx, NULL};
	int rc = psc_test_run(argv, log);
	if (rc != 0) {
		char *l = psc_test_slurp(log);
		fprintf(stderr, "tests/import/build.sh failed (%d): %s\n", rc,
			l ? l : "");
		free(l);
		return -1;
	}
	return 0;
}

static const char *fixture(const char *name)
{
	static char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", fx, name);
	return p;
}

/* import path; lint the result in memory into dl */
static int import_lint(const char *path, const psc_import_opts *o,
		       psc_import *im, psc_diags *di, psc_diags *dl)
{
	psc_diags_init(di, path);
	psc_diags_init(dl, "imported.yaml");
	int rc = psc_import_plan(path, o, im, di);
	if (rc != 0)
		return rc;
	bool unreadable = false;
	psc_topology *t = psc_topology_load_buffer("imported.yaml", im->yaml,
						   im->yaml_len, dl,
						   &unreadable);
	assert_non_null(t);
	if (dl->n_errors == 0)
		psc_lint(t, dl);
	psc_topology_free(t);
	return 0;
}

static void same_findings_as(const char *plan, const char *shipped)
{
	psc_import im;
	psc_diags di, dl, ds;
	psc_import_opts o = {.name = strstr(plan, "proxy") ? "proxy"
							   : "portmap"};
	assert_int_equal(import_lint(plan, &o, &im, &di, &dl), 0);
	assert_int_equal(di.n_errors, 0);
	psc_diags_init(&ds, shipped);
	psc_lint_file(shipped, false, &ds);
	assert_int_equal(dl.n, ds.n);
	for (size_t i = 0; i < ds.n; i++) {
		assert_string_equal(dl.v[i].rule, ds.v[i].rule);
		assert_string_equal(dl.v[i].object, ds.v[i].object);
		assert_string_equal(dl.v[i].msg, ds.v[i].msg);
	}
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_diags_free(&ds);
	psc_import_free(&im);
}

static void shared_portmap_as_shipped(void **state)
{
	(void)state;
	same_findings_as(SHARED "/portmap/plan.json", "topologies/portmap.yaml");
}

static void shared_proxy_as_shipped(void **state)
{
	(void)state;
	same_findings_as(SHARED "/proxy/plan.json", "topologies/proxy.yaml");
}

/* the line of the YAML where text starts */
static int line_of(const psc_import *im, const char *text)
{
	const char *p = strstr(im->yaml, text);
	assert_non_null(p);
	int l = 1;
	for (const char *c = im->yaml; c < p; c++)
		l += *c == '\n';
	return l;
}

static void comments_and_line_map(void **state)
{
	(void)state;
	psc_import im;
	psc_diags d;
	psc_diags_init(&d, "plan");
	assert_int_equal(psc_import_plan(SHARED "/portmap/plan.json", &(psc_import_opts){0}, &im, &d),
			 0);
	assert_non_null(strstr(im.yaml, "# google_compute_firewall.allow_psc\n"
				       "      - name: allow-psc-traffic\n"));
	assert_non_null(strstr(im.yaml, "# google_compute_region_network_"
				       "endpoint.broker[\"broker-node2\"]\n"));
	/* bastion has no network_ip: GCP's address, said so */
	assert_non_null(strstr(im.yaml, "GCP picks it at apply"));
	assert_non_null(strstr(im.yaml, "network_ip: \"10.0.0.2\""));
	const psc_import_line *l = psc_import_line_of(&im, line_of(&im,
		"nat_subnets: [psc-subnet]"));
	assert_non_null(l);
	assert_string_equal(l->address,
			    "google_compute_service_attachment.kafka_psc");
	assert_string_equal(l->attr, "nat_subnets");
	l = psc_import_line_of(&im, line_of(&im, "client_port: 9094"));
	assert_string_equal(l->attr, "client_destination_port");
	assert_string_equal(im.t->name, "portmap");   /* the folder's */
	assert_true(im.n_assumptions >= 5);
	psc_diags_free(&d);
	psc_import_free(&im);
}

/* the first finding of rule, and the address its line maps to */
static const psc_diag *find(const psc_import *im, const psc_diags *d,
			    const char *rule, const char **addr,
			    const char **attr)
{
	const psc_diag *x = psc_diags_find(d, rule);
	assert_non_null(x);
	const psc_import_line *l = psc_import_line_of(im, x->loc.line);
	assert_non_null(l);
	*addr = l->address;
	*attr = l->attr;
	return x;
}

static void broken_firewall(void **state)
{
	(void)state;
	psc_import im;
	psc_diags di, dl;
	const char *addr, *attr;
	psc_import_opts o = {0};
	assert_int_equal(import_lint(fixture("portmap-no-psc-fw.json"), &o,
				     &im, &di, &dl), 0);
	assert_int_equal(dl.n_errors, 3);
	find(&im, &dl, "psc-firewall", &addr, &attr);
	assert_string_equal(addr, "google_compute_region_network_endpoint."
			    "broker[\"broker-node1\"]");
	assert_string_equal(attr, "instance");
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_import_free(&im);
}

static void broken_accept_list(void **state)
{
	(void)state;
	psc_import im;
	psc_diags di, dl;
	const char *addr, *attr, *type = NULL;
	psc_import_opts o = {0};
	assert_int_equal(import_lint(fixture("portmap-accept-other.json"), &o,
				     &im, &di, &dl), 0);
	const psc_diag *x = find(&im, &dl, "psc-not-accepted", &addr, &attr);
	/* on the endpoint the lab made; blamed on the attachment it names */
	assert_true(addr[0] == '(');
	char text[700];
	snprintf(text, sizeof(text), "%s: %s", x->object, x->msg);
	assert_string_equal(psc_import_blame(&im, text, &type),
			    "google_compute_service_attachment.kafka_psc");
	assert_non_null(strstr(im.yaml, "project: other-project-123"));
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_import_free(&im);
}

static void neg_in_module_with_count(void **state)
{
	(void)state;
	psc_import im;
	psc_diags di, dl;
	const char *addr, *attr;
	psc_import_opts o = {0};
	assert_int_equal(import_lint(fixture("portmap-neg-module.json"), &o,
				     &im, &di, &dl), 0);
	assert_int_equal(dl.n, 0);                   /* as portmap.yaml */
	assert_int_equal(di.n, 0);
	assert_non_null(strstr(im.yaml, "# module.neg[0].google_compute_region_"
				       "network_endpoint_group.kafka_neg\n"));
	assert_int_equal(im.t->network_endpoint_groups[0].n_endpoints, 3);
	assert_string_equal(im.t->load_balancers[0].backends[0], "kafka-neg");
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_import_free(&im);

	assert_int_equal(import_lint(fixture("portmap-neg-module-dup.json"), &o,
				     &im, &di, &dl), 0);
	find(&im, &dl, "neg-client-port-duplicate", &addr, &attr);
	assert_string_equal(addr, "module.neg[0].google_compute_region_network_"
			    "endpoint.broker[\"broker-node2\"]");
	assert_string_equal(attr, "client_destination_port");
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_import_free(&im);
}

static void not_a_plan(const char *name, const char *rule, const char *what)
{
	psc_import im;
	psc_diags d;
	psc_diags_init(&d, name);
	assert_int_equal(psc_import_plan(fixture(name), &(psc_import_opts){0}, &im, &d), 2);
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].rule, rule);
	if (!strstr(d.v[0].msg, what))
		fail_msg("%s: '%s' does not say '%s'", name, d.v[0].msg, what);
	assert_null(im.yaml);
	psc_diags_free(&d);
	psc_import_free(&im);
}

static void bad_inputs(void **state)
{
	(void)state;
	not_a_plan("state.json", "not-a-plan", "a state file");
	not_a_plan("show-state.json", "not-a-plan", "JSON of a state");
	not_a_plan("config.tf.json", "not-a-plan", "configuration in JSON");
	not_a_plan("main.tf", "not-a-plan", "configuration (HCL)");
	not_a_plan("garbage.json", "not-a-plan", "not valid JSON");
	not_a_plan("garbage.txt", "not-a-plan", "is not JSON");
	not_a_plan("topology.json", "not-a-plan", "pscLab topology");
	not_a_plan("big.json", "too-large", "16 MiB");
	not_a_plan("no-such-file.json", "unreadable", "No such file");
}

static void plan_errors(const char *name, const char *rule, const char *obj,
			const char *what)
{
	psc_import im;
	psc_diags d;
	psc_diags_init(&d, name);
	assert_int_equal(psc_import_plan(fixture(name), &(psc_import_opts){0}, &im, &d), 1);
	const psc_diag *x = psc_diags_find(&d, rule);
	assert_non_null(x);
	assert_string_equal(x->object, obj);
	if (!strstr(x->msg, what))
		fail_msg("%s: '%s' does not say '%s'", name, x->msg, what);
	assert_null(im.yaml);
	psc_diags_free(&d);
	psc_import_free(&im);
}

static void unresolved_and_duplicate(void **state)
{
	(void)state;
	plan_errors("portmap-unresolved.json", "unresolved-reference",
		    "google_compute_instance.bastion",
		    "network_interface.0.subnetwork: cannot follow it to a "
		    "google_compute_subnetwork: 'local.subnet_id'");
	plan_errors("portmap-dup-subnet.json", "duplicate-object",
		    "google_compute_subnetwork.brokers2",
		    "same lab subnetwork 'brokers-subnet' as "
		    "google_compute_subnetwork.brokers");
}

static void unsupported_listed(void **state)
{
	(void)state;
	psc_import im;
	psc_diags d;
	psc_diags_init(&d, "p");
	assert_int_equal(psc_import_plan(fixture("portmap-fw-policy.json"),
					 &(psc_import_opts){0}, &im, &d), 0);
	const psc_diag *x = psc_diags_find(&d, "ignored");
	assert_non_null(x);
	assert_int_equal(x->sev, PSC_SEV_WARNING);
	assert_string_equal(x->object,
			    "google_compute_network_firewall_policy.policy");
	assert_non_null(strstr(x->hint, "not emulated"));
	assert_int_equal(d.n, 1);          /* nothing else is ignored */
	psc_diags_free(&d);
	psc_import_free(&im);
}

static void write_is_atomic(void **state)
{
	(void)state;
	psc_import im;
	psc_diags d;
	char err[512], out[PATH_MAX + 64];
	psc_diags_init(&d, "p");
	assert_int_equal(psc_import_plan(SHARED "/proxy/plan.json",
					 &(psc_import_opts){.name = "imp-x"},
					 &im, &d), 0);
	snprintf(out, sizeof(out), "%s/no-dir/x.yaml", fx);
	assert_int_equal(psc_import_write(&im, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing written"));
	snprintf(out, sizeof(out), "%s/x.yaml", fx);
	assert_int_equal(psc_import_write(&im, out, err, sizeof(err)), 0);
	char *back = psc_test_slurp(out);
	assert_non_null(back);
	assert_string_equal(back, im.yaml);
	free(back);
	unlink(out);
	psc_diags_free(&d);
	psc_import_free(&im);
}

static void kafka_fragment(void **state)
{
	(void)state;
	char frag[PATH_MAX + 64], bad[PATH_MAX + 64];
	snprintf(frag, sizeof(frag), "%s/kafka.yaml", fx);
	snprintf(bad, sizeof(bad), "%s/bad-kafka.yaml", fx);
	/* the proxy topology's kafka: and kafka_proxy: sections */
	char *topo = psc_test_slurp("topologies/proxy.yaml");
	assert_non_null(topo);
	char *k = strstr(topo, "\nkafka:\n"), *e = strstr(topo, "\ninstance_groups:");
	assert_non_null(k);
	assert_non_null(e);
	FILE *f = fopen(frag, "w");
	fprintf(f, "# a fragment\n%.*s\n", (int)(e - k - 1), k + 1);
	fclose(f);
	f = fopen(bad, "w");
	fprintf(f, "kafka:\n  cluster_id: x\nnetworks: []\n");
	fclose(f);
	free(topo);

	psc_import im;
	psc_diags di, dl;
	psc_import_opts o = {.kafka_file = frag};
	assert_int_equal(import_lint(SHARED "/proxy/plan.json", &o, &im, &di,
				     &dl), 0);
	assert_int_equal(dl.n_errors, 0);
	assert_int_equal(im.kafka_line, 2);
	const psc_import_line *l = psc_import_line_of(&im, line_of(&im,
						      "kafka_proxy:\n"));
	assert_non_null(strstr(l->address, "kafka.yaml:"));
	assert_int_equal(im.t->changefeed.n_bootstrap_ports, 3);
	psc_diags_free(&di);
	psc_diags_free(&dl);
	psc_import_free(&im);

	o.kafka_file = bad;
	psc_diags_init(&di, "p");
	assert_int_equal(psc_import_plan(SHARED "/proxy/plan.json", &o, &im,
					 &di), 1);
	assert_string_equal(di.v[0].rule, "kafka-fragment");
	assert_int_equal(di.v[0].loc.line, 3);
	assert_non_null(strstr(di.v[0].msg, "unknown key 'networks'"));
	psc_diags_free(&di);
	psc_import_free(&im);

	o.kafka_file = "/nonexistent/kafka.yaml";
	psc_diags_init(&di, "p");
	assert_int_equal(psc_import_plan(SHARED "/proxy/plan.json", &o, &im,
					 &di), 2);
	psc_diags_free(&di);
	psc_import_free(&im);
}

static void names_and_scalars(void **state)
{
	(void)state;
	char n[64], err[256], q[64];
	assert_int_equal(psc_import_default_name("/x/My_Plan.Dir/plan.json", n,
						 sizeof(n), err, sizeof(err)),
			 0);
	assert_string_equal(n, "my-plan-dir");
	assert_int_equal(psc_import_default_name("/x/42-a-very-long-folder-"
						 "name-for-labs/p.json", n,
						 sizeof(n), err, sizeof(err)),
			 0);
	assert_string_equal(n, "a-very-long-folder-name");
	assert_int_equal(psc_import_default_name("/x/%%%/p.json", n, sizeof(n),
						 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--name"));
	assert_string_equal(psc_yaml_scalar("kafka-vpc", q, sizeof(q)),
			    "kafka-vpc");
	assert_string_equal(psc_yaml_scalar("true", q, sizeof(q)), "\"true\"");
	assert_string_equal(psc_yaml_scalar("a\"b\n#", q, sizeof(q)),
			    "\"a\\\"b\\x0a#\"");
	assert_true(psc_tf_sniff(SHARED "/portmap/plan.json"));
	assert_false(psc_tf_sniff("topologies/portmap.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_portmap_as_shipped),
		cmocka_unit_test(shared_proxy_as_shipped),
		cmocka_unit_test(comments_and_line_map),
		cmocka_unit_test(broken_firewall),
		cmocka_unit_test(broken_accept_list),
		cmocka_unit_test(neg_in_module_with_count),
		cmocka_unit_test(bad_inputs),
		cmocka_unit_test(unresolved_and_duplicate),
		cmocka_unit_test(unsupported_listed),
		cmocka_unit_test(write_is_atomic),
		cmocka_unit_test(kafka_fragment),
		cmocka_unit_test(names_and_scalars),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
