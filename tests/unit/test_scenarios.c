/* Unit tests: the broken topologies of topologies/scenarios/ (README,
 * "Scenarios").  One table, keyed by file name, holds each scenario's base
 * and the findings lint must give (rule + the object named); the directory
 * must hold exactly the table's files, so a scenario added without an
 * expectation fails here.  Each scenario is also checked to be wrong in the
 * one way it claims: every finding it gives is an expected one or one its
 * base gives too, and its base gives none of the expected ones.  Its header
 * comment must say what is wrong, what TiDB Cloud shows, the diagnosis
 * (naming each expected rule) and the fix; its lab name is "sc-<file>". */
#include "psc_test.h"

#define SCENARIO_DIR "topologies/scenarios/"
#define MAX_WANT 4

struct want {
	const char *rule;
	const char *object;
};

struct scenario {
	const char *file;
	const char *base;       /* the shipped topology it is a copy of */
	int rc, strict_rc;      /* pscLab lint, pscLab lint --strict */
	struct want w[MAX_WANT];
};

static const struct scenario scenarios[] = {
	{"advertised-own-ip.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"advertised-pattern", "broker 1 (broker-node1)"},
	  {"advertised-pattern", "broker 2 (broker-node2)"},
	  {"advertised-pattern", "broker 3 (broker-node3)"}}},
	{"dns-other-unique.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"advertised-dns", "broker 1 (broker-node1)"}}},
	{"no-dns-zone.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"dns-zone-network", "changefeed"}}},
	{"no-external-map.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"listener-protocol-map", "listener 'EXTERNAL'"}}},
	{"no-psc-firewall.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"psc-firewall", "instance 'broker-node1'"},
	  {"psc-firewall", "instance 'broker-node2'"},
	  {"psc-firewall", "instance 'broker-node3'"}}},
	{"not-accepted.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"psc-not-accepted", "PSC endpoint 'kafka-psc-endpoint'"}}},
	{"ports-swapped.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"advertised-reach", "broker 2 (broker-node2)"},
	  {"advertised-reach", "broker 3 (broker-node3)"}}},
	{"proxy-mismatch.yaml", "topologies/proxy.yaml", 0, 1,
	 {{"proxy-mapping-mismatch", "bootstrap server mapping #1"}}},
	{"seed-bootstrap.yaml", "topologies/portmap.yaml", 1, 1,
	 {{"bootstrap-port", "changefeed"}}},
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static bool has_finding(const psc_diags *d, const char *rule,
			const char *object)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].rule, rule) == 0 &&
		    strcmp(d->v[i].object, object) == 0)
			return true;
	return false;
}

static bool is_wanted(const struct scenario *s, const psc_diag *x)
{
	for (size_t k = 0; k < MAX_WANT && s->w[k].rule; k++)
		if (strcmp(s->w[k].rule, x->rule) == 0 &&
		    strcmp(s->w[k].object, x->object) == 0)
			return true;
	return false;
}

static const struct scenario *by_file(const char *name)
{
	for (size_t i = 0; i < N_SCENARIOS; i++)
		if (strcmp(scenarios[i].file, name) == 0)
			return &scenarios[i];
	return NULL;
}

/* topologies/scenarios/ holds exactly the table's files */
static void directory_is_the_table(void **state)
{
	(void)state;
	bool seen[N_SCENARIOS] = {false};
	size_t bad = 0;
	psc_test_chdir();
	DIR *d = opendir(SCENARIO_DIR);
	struct dirent *e;
	if (!d)
		fail_msg("cannot list %s: %s", SCENARIO_DIR, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		const struct scenario *s = by_file(e->d_name);
		if (!s) {
			print_error(SCENARIO_DIR "%s: not in the table of "
				    "tests/unit/test_scenarios.c (add its "
				    "expected findings there)\n", e->d_name);
			bad++;
			continue;
		}
		seen[s - scenarios] = true;
	}
	closedir(d);
	for (size_t i = 0; i < N_SCENARIOS; i++)
		if (!seen[i]) {
			print_error(SCENARIO_DIR "%s: in the table, but there "
				    "is no such file\n", scenarios[i].file);
			bad++;
		}
	if (bad)
		fail_msg("%zu differences between %s and the table (above)",
			 bad, SCENARIO_DIR);
}

/* The header comment (the lines before the first that is not one) says
 * what is wrong, what TiDB Cloud shows, the diagnosis and the fix, names
 * its base and each expected rule. */
static void check_header(const struct scenario *s, const char *path)
{
	char *text = psc_test_slurp(path);
	assert_non_null(text);
	char *end = text;
	while (*end == '#') {
		char *nl = strchr(end, '\n');
		if (!nl)
			break;
		end = nl + 1;
	}
	*end = '\0';
	const char *parts[] = {"# Wrong:", "# TiDB Cloud shows:",
			       "# Diagnosis:", "# Fix:", s->base};
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		if (!strstr(text, parts[k]))
			fail_msg("%s: its header comment has no '%s'", path,
				 parts[k]);
	for (size_t k = 0; k < MAX_WANT && s->w[k].rule; k++)
		if (!strstr(text, s->w[k].rule))
			fail_msg("%s: its diagnosis does not name [%s]", path,
				 s->w[k].rule);
	free(text);
}

/* The lab's name is sc-<file name without .yaml> */
static void check_name(const struct scenario *s, const char *path)
{
	char want[PSC_NAME_LEN];
	psc_topology *t = psc_test_load(path);
	psc_test_fmt(want, sizeof(want), "sc-%.*s",
		     (int)(strlen(s->file) - 5), s->file);
	assert_string_equal(t->name, want);
	psc_topology_free(t);
}

static void check_scenario(void **state)
{
	const struct scenario *s = *state;
	char path[256];
	psc_diags d, base, strict;
	psc_test_fmt(path, sizeof(path), SCENARIO_DIR "%s", s->file);

	int rc = psc_test_lint(path, &d);
	int base_rc = psc_test_lint(s->base, &base);
	psc_diags_init(&strict, path);
	int strict_rc = psc_lint_file(path, true, &strict);
	for (size_t k = 0; k < MAX_WANT && s->w[k].rule; k++) {
		if (!has_finding(&d, s->w[k].rule, s->w[k].object)) {
			psc_test_dump(&d);
			fail_msg("%s: no [%s] finding on %s", path,
				 s->w[k].rule, s->w[k].object);
		}
		if (has_finding(&base, s->w[k].rule, s->w[k].object)) {
			psc_test_dump(&base);
			fail_msg("%s: its base %s gives [%s] on %s too", path,
				 s->base, s->w[k].rule, s->w[k].object);
		}
	}
	for (size_t i = 0; i < d.n; i++)
		if (!is_wanted(s, &d.v[i]) &&
		    !has_finding(&base, d.v[i].rule, d.v[i].object)) {
			psc_test_dump(&d);
			fail_msg("%s: [%s] on %s is neither expected nor its "
				 "base's: wrong in more than one way", path,
				 d.v[i].rule, d.v[i].object);
		}
	assert_int_equal(base_rc, 0);
	assert_int_equal(rc, s->rc);
	assert_int_equal(strict_rc, s->strict_rc);
	psc_diags_free(&d);
	psc_diags_free(&base);
	psc_diags_free(&strict);
	check_header(s, path);
	check_name(s, path);
}

int main(void)
{
	struct CMUnitTest tests[N_SCENARIOS + 1];
	tests[0] = (struct CMUnitTest)cmocka_unit_test(directory_is_the_table);
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(
			check_scenario, (void *)&scenarios[i]);
		tests[i + 1].name = scenarios[i].file;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
