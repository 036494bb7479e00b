/* psc_test.h - helpers shared by the cmocka unit tests.  Tests run from the
 * source tree (PSCLAB_SRCDIR), so fixture paths and the locations in
 * findings read "tests/lint/<fixture>.yaml:<line>:<col>". */
#ifndef PSCLAB_PSC_TEST_H
#define PSCLAB_PSC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/diag.h"
#include "lint/lint.h"
#include "plan/plan.h"
#include "model/topology.h"

static inline void psc_test_chdir(void)
{
	if (chdir(PSCLAB_SRCDIR) != 0)
		fail_msg("cannot chdir to %s", PSCLAB_SRCDIR);
}

/* Load a topology that must load without errors (relative to the source
 * tree); free it with psc_topology_free. */
static inline psc_topology *psc_test_load(const char *path)
{
	psc_diags d;
	bool unreadable;
	psc_test_chdir();
	psc_diags_init(&d, path);
	psc_topology *t = psc_topology_load_file(path, &d, &unreadable);
	if (!t || d.n_errors) {
		psc_diags_print(&d, stderr);
		fail_msg("%s did not load cleanly", path);
	}
	psc_diags_free(&d);
	return t;
}

/* Its plan (a static buffer: the next call replaces it). */
static inline psc_plan *psc_test_plan(const psc_topology *t)
{
	static psc_plan p;
	char err[256];
	if (psc_plan_build(t, &p, err, sizeof(err)) != 0)
		fail_msg("plan: %s", err);
	return &p;
}

/* Load and lint a file as `pscLab lint` does; returns the exit code. */
static inline int psc_test_lint(const char *path, psc_diags *d)
{
	psc_test_chdir();
	psc_diags_init(d, path);
	return psc_lint_file(path, false, d);
}

/* Print all findings (shown by cmocka when a test fails). */
static inline void psc_test_dump(const psc_diags *d)
{
	psc_diags_print(d, stderr);
}

/* The finding formatted as `pscLab lint` prints it, without the note. */
static inline int psc_test_has(const psc_diags *d, const char *line)
{
	char buf[2048];
	for (size_t i = 0; i < d->n; i++) {
		psc_diag_format(d, &d->v[i], buf, sizeof(buf));
		if (strcmp(buf, line) == 0)
			return 1;
	}
	return 0;
}

/* Assert that the fixture gives exactly this finding (and, when hint is
 * not NULL, that note), and that it is the only finding of its severity
 * ... so a fixture breaks one rule only. */
static inline void psc_test_expect_only(const char *path, int want_rc,
					const char *line, const char *hint)
{
	psc_diags d;
	int rc = psc_test_lint(path, &d);
	if (!psc_test_has(&d, line)) {
		psc_test_dump(&d);
		fail_msg("%s: expected finding not reported:\n  %s", path, line);
	}
	if (hint) {
		int found = 0;
		for (size_t i = 0; i < d.n; i++)
			if (strcmp(d.v[i].hint, hint) == 0)
				found = 1;
		if (!found) {
			psc_test_dump(&d);
			fail_msg("%s: expected note '%s'", path, hint);
		}
	}
	if (d.n != 1) {
		psc_test_dump(&d);
		fail_msg("%s: %zu findings, want exactly 1", path, d.n);
	}
	assert_int_equal(rc, want_rc);
	psc_diags_free(&d);
}

#endif
