/* psc_test.h - helpers shared by the cmocka unit tests.  Tests run from the
 * source tree (PSCLAB_SRCDIR), so fixture paths and the locations in
 * findings read "tests/lint/<fixture>.yaml:<line>:<col>".
 *
 * A lint fixture tests/lint/<name>.yaml is either that whole file or, when
 * it is a copy of a shipped topology with a change, tests/lint/<name>.patch:
 * a `diff -u` against the topology its "# base:" line names.  The helpers
 * below that take a fixture path build it at run time with patch(1) into a
 * directory of this process (removed at exit), load it from there and
 * report findings at the fixture's own path, with the patched file's line
 * numbers.  tests/lint/mkpatch.sh makes a patch, tests/lint/build.sh writes
 * fixtures out. */
#ifndef PSCLAB_PSC_TEST_H
#define PSCLAB_PSC_TEST_H

#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && \
	!defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L   /* mkdtemp, posix_spawnp */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/diag.h"
#include "lint/lint.h"
#include "plan/plan.h"
#include "model/topology.h"
#include "model/topology_load.h"

static inline void psc_test_chdir(void)
{
	if (chdir(PSCLAB_SRCDIR) != 0)
		fail_msg("cannot chdir to %s", PSCLAB_SRCDIR);
}

extern char **environ;

/* snprintf, failing the test when the text does not fit */
static inline void psc_test_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void psc_test_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len)
		fail_msg("a path or message longer than %zu bytes: %.60s...",
			 len, buf);
}

/* ---- lint fixtures: whole files, or made from a patch ---- */

#define PSC_FIXTURE_DIR "tests/lint/"

/* Run argv[0] (found on PATH) with stdin from /dev/null and stdout and
 * stderr into the file out.  Returns its exit status, or -1 (with errno
 * set) when it could not be started or did not exit. */
static inline int psc_test_run(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A whole file into a NUL-terminated malloc'd buffer, or NULL. */
static inline char *psc_test_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static inline void psc_test_fixture_dir_rm(void);

/* This process's directory for built fixtures, made on first use and
 * removed (with what it holds) at exit. */
static inline const char *psc_test_fixture_dir(void)
{
	static char dir[PATH_MAX];
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/psclab-fixtures.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			int e = errno;
			dir[0] = '\0';
			fail_msg("cannot make a directory for the fixtures "
				 "built from patches: %s", strerror(e));
		}
		atexit(psc_test_fixture_dir_rm);
	}
	return dir;
}

static inline void psc_test_fixture_dir_rm(void)
{
	const char *dir = psc_test_fixture_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 256];
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int w = snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (w > 0 && (size_t)w < sizeof(p))
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The base a fixture patch names on its "# base: " line (among the comment
 * lines before its "--- " header) into base; false when there is none. */
static inline bool psc_test_patch_base(const char *patch, char *base,
				       size_t len)
{
	FILE *f = fopen(patch, "r");
	char line[PATH_MAX];
	bool found = false;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f) &&
	       strncmp(line, "--- ", 4) != 0) {
		if (strncmp(line, "# base: ", 8) != 0)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		int w = snprintf(base, len, "%s", line + 8);
		found = w > 0 && (size_t)w < len;
	}
	fclose(f);
	return found;
}

/* Apply a fixture patch to its base with patch(1), into out.  It must apply
 * cleanly: every hunk where the patch says, no fuzz, no offset (an offset
 * would move the line numbers the tests assert).  Fails the test, with
 * patch's own words, otherwise. */
static inline void psc_test_patch_apply(const char *patch, const char *out)
{
	char base[PATH_MAX], log[PATH_MAX + 8];
	if (!psc_test_patch_base(patch, base, sizeof(base)))
		fail_msg("%s: no '# base: topologies/<name>.yaml' line before "
			 "its '--- ' header", patch);
	if (access(base, R_OK) != 0)
		fail_msg("%s: its base %s: %s", patch, base, strerror(errno));
	psc_test_fmt(log, sizeof(log), "%s.log", out);
	char *argv[] = {(char *)"patch", (char *)"-f", (char *)"-F0",
			(char *)"-r", (char *)"-",
			(char *)"--no-backup-if-mismatch", (char *)"-o",
			(char *)out, base, (char *)patch, NULL};
	int rc = psc_test_run(argv, log);
	if (rc < 0) {
		int e = errno;
		unlink(log);
		fail_msg("%s: cannot run patch(1): %s (install the Debian "
			 "package 'patch')", patch, strerror(e));
	}
	char *said = psc_test_slurp(log);
	unlink(log);
	bool moved = said && strstr(said, "Hunk #");
	if (rc != 0 || moved) {
		unlink(out);
		fail_msg("%s does not apply cleanly to %s (patch exit status "
			 "%d):\n%s", patch, base, rc, said ? said : "");
	}
	free(said);
}

/* Where to load the fixture path from: path itself, unless it names
 * tests/lint/<name>.yaml and there is tests/lint/<name>.patch instead; then
 * the fixture is built from the patch (once a process) and its file is
 * returned, in out.  A path that is neither is returned as it is (a test of
 * a missing file). */
static inline const char *psc_test_fixture(const char *path, char *out,
					   size_t len)
{
	size_t n = strlen(path), dl = strlen(PSC_FIXTURE_DIR);
	char patch[PATH_MAX];
	if (n <= dl + 5 || strncmp(path, PSC_FIXTURE_DIR, dl) != 0 ||
	    strcmp(path + n - 5, ".yaml") != 0 ||
	    strchr(path + dl, '/'))
		return path;
	psc_test_fmt(patch, sizeof(patch), "%.*s.patch", (int)(n - 5), path);
	bool whole = access(path, F_OK) == 0;
	bool patched = access(patch, F_OK) == 0;
	if (whole && patched)
		fail_msg("both %s and %s: a fixture is a whole file or a "
			 "patch, not both", path, patch);
	if (!patched)
		return path;
	psc_test_fmt(out, len, "%s/%s", psc_test_fixture_dir(), path + dl);
	if (access(out, F_OK) != 0)
		psc_test_patch_apply(patch, out);
	return out;
}

/* Load a topology that must load without errors (relative to the source
 * tree, a fixture as above); free it with psc_topology_free. */
static inline psc_topology *psc_test_load(const char *path)
{
	psc_diags d;
	bool unreadable;
	char file[PATH_MAX];
	psc_test_chdir();
	psc_diags_init(&d, path);
	psc_topology *t = psc_topology_load_file(
		psc_test_fixture(path, file, sizeof(file)), &d, &unreadable);
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

/* Load and lint a file (a fixture as above) as `pscLab lint` does; returns
 * the exit code.  Findings are located in path, the fixture's name. */
static inline int psc_test_lint(const char *path, psc_diags *d)
{
	char file[PATH_MAX];
	psc_test_chdir();
	psc_diags_init(d, path);
	return psc_lint_file(psc_test_fixture(path, file, sizeof(file)), false,
			     d);
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
