/* Unit tests: the exercises of lab/exercises/ (verify/exercise.h): every
 * shipped definition loads, its faults are valid on its lab's topology or
 * its scenario exists, its texts do not give the fix away; bad
 * definitions are refused with the line; the grade from a report. */
#include "psc_test.h"

#include <dirent.h>

#include "model/fault.h"
#include "verify/exercise.h"

static void shipped_exercises(void **state)
{
	(void)state;
	psc_test_chdir();
	DIR *d = opendir("lab/exercises");
	assert_non_null(d);
	struct dirent *e;
	size_t n = 0, with_faults = 0;
	static psc_exercise ex;
	char err[1024], path[512], buf[256], *argv[8], *save;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "lab/exercises/%s", e->d_name);
		if (psc_exercise_load(path, &ex, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		n++;
		/* its name is its file's */
		assert_int_equal(strncmp(e->d_name, ex.name, l - 5), 0);
		assert_true(ex.n_hints > 0);
		if (ex.scenario[0]) {
			snprintf(path, sizeof(path),
				 "topologies/scenarios/%s.yaml", ex.scenario);
			assert_int_equal(access(path, R_OK), 0);
			continue;
		}
		snprintf(path, sizeof(path), "topologies/%s.yaml", ex.approach);
		psc_topology *t = psc_test_load(path);
		for (size_t i = 0; i < ex.n_faults; i++) {
			psc_fault f;
			bool undo;
			int argc = 0;
			save = NULL;
			snprintf(buf, sizeof(buf), "%s", ex.faults[i]);
			for (char *w = strtok_r(buf, " ", &save); w && argc < 8;
			     w = strtok_r(NULL, " ", &save))
				argv[argc++] = w;
			if (psc_fault_parse(t, argc, argv, &f, &undo, err,
					    sizeof(err)) < 0)
				fail_msg("%s: %s", ex.name, err);
			assert_false(undo);
			/* what is broken is not named in what the trainee
			 * reads (a bare '*' or "psc" is no give-away) */
			for (int a = 0; a < 2; a++) {
				if (strlen(f.arg[a]) < 5)
					continue;
				if (strstr(ex.task, f.arg[a]))
					fail_msg("%s: its task names %s",
						 ex.name, f.arg[a]);
				for (size_t h = 0; h < ex.n_hints; h++)
					if (strstr(ex.hints[h].text, f.arg[a]))
						fail_msg("%s: a hint names %s",
							 ex.name, f.arg[a]);
			}
		}
		with_faults++;
		psc_topology_free(t);
	}
	closedir(d);
	assert_true(n >= 6);
	assert_true(with_faults >= 5);
}

static void bad_definitions(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"name: x\ntask: t\napproach: portmap\n", "either faults or a "
		 "scenario"},
		{"name: x\ntask: t\napproach: portmap\nfaults: [a]\nscenario: "
		 "b\n", "either faults or a scenario"},
		{"name: x\nflavour: mint\n", ":2: unknown key 'flavour'"},
		{"- a\n- b\n", "the top level must be a mapping"},
		{"name: x\nfaults: a\n", ":2: 'faults' must be a list"},
		{"name: [x\n", "not YAML"},
	};
	char path[] = "/tmp/psclab-exercise-XXXXXX", err[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	static psc_exercise ex;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i].text, f);
		fclose(f);
		if (psc_exercise_load(path, &ex, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(err, bad[i].want) && !strstr(err, "did not find"))
			fail_msg("'%s' does not say '%s'", err, bad[i].want);
	}
	unlink(path);
}

static void grades(void **state)
{
	(void)state;
	static psc_exercise ex;
	static psc_verify_report r;
	static psc_faults fs;
	psc_exercise_grade g;
	memset(&ex, 0, sizeof(ex));
	snprintf(ex.name, sizeof(ex.name), "psc-firewall");
	snprintf(ex.title, sizeof(ex.title), "the firewall lets PSC in");
	snprintf(ex.hints[0].hop, sizeof(ex.hints[0].hop), "firewall");
	snprintf(ex.hints[0].text, sizeof(ex.hints[0].text), "which rule?");
	snprintf(ex.hints[1].hop, sizeof(ex.hints[1].hop), "default");
	snprintf(ex.hints[1].text, sizeof(ex.hints[1].text), "trace it");
	ex.n_hints = 2;

	psc_verify_report_init(&r, "portmap");
	psc_verify_check c = {.status = PSC_VERIFY_PASS, .broker = -1};
	snprintf(c.name, sizeof(c.name), "changefeed: bootstrap x");
	psc_verify_report_put(&r, &c);
	c.status = PSC_VERIFY_FAIL;
	c.hop = PSC_HOP_FIREWALL;
	psc_verify_report_put(&r, &c);
	memset(&fs, 0, sizeof(fs));
	fs.n = 1;
	snprintf(fs.f[0].exercise, sizeof(fs.f[0].exercise), "psc-firewall");

	psc_exercise_grade_of(&ex, &r, &fs, true, &g);
	assert_false(g.passed);
	assert_string_equal(g.text, "not yet: 1 check still fails; "
				    "'changefeed: bootstrap x' breaks at the "
				    "producer firewall.\n  hint: which rule?");
	/* a failure at a hop of the path before one at Kafka (TiCDC's
	 * steps fail first in a report, as consequences) */
	static psc_verify_report r2;
	psc_verify_report_init(&r2, "portmap");
	psc_verify_check k = {.status = PSC_VERIFY_FAIL, .broker = -1,
			      .hop = PSC_HOP_KAFKA};
	snprintf(k.name, sizeof(k.name), "changefeed: TiCDC 2/6");
	psc_verify_report_put(&r2, &k);
	k.hop = PSC_HOP_FIREWALL;
	snprintf(k.name, sizeof(k.name), "changefeed: bootstrap y");
	psc_verify_report_put(&r2, &k);
	psc_exercise_grade_of(&ex, &r2, &fs, true, &g);
	assert_non_null(strstr(g.text, "not yet: 2 checks still fail; "
				       "'changefeed: bootstrap y' breaks at "
				       "the producer firewall"));
	/* another hop: the default hint */
	r.checks[1].hop = PSC_HOP_DNS;
	psc_exercise_grade_of(&ex, &r, &fs, true, &g);
	assert_non_null(strstr(g.text, "hint: trace it"));
	/* green, but its fault still set (mended around it) */
	r.checks[1].status = PSC_VERIFY_PASS;
	r.n_fail = 0;
	psc_exercise_grade_of(&ex, &r, &fs, true, &g);
	assert_false(g.passed);
	assert_non_null(strstr(g.text, "is still there (1 thing)"));
	/* another exercise's fault does not count; a scenario not yet
	 * linting clean does */
	snprintf(fs.f[0].exercise, sizeof(fs.f[0].exercise), "other");
	psc_exercise_grade_of(&ex, &r, &fs, false, &g);
	assert_false(g.passed);
	assert_non_null(strstr(g.text, "still has lint errors"));
	psc_exercise_grade_of(&ex, &r, &fs, true, &g);
	assert_true(g.passed);
	assert_string_equal(g.text, "passed: the firewall lets PSC in. verify "
				    "is green (2 checks)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_exercises),
		cmocka_unit_test(bad_definitions),
		cmocka_unit_test(grades),
	};
	return cmocka_run_group_tests_name("exercise", tests, NULL, NULL);
}
