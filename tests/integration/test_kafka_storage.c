/* Integration test: the KRaft storage template (runtime/kafka_storage.h)
 * against Kafka's own format, with the installed Kafka.  Nothing runs in a
 * namespace and nothing listens: only Kafka's tools, bounded.
 *
 *   template_made       a template made in a directory of this test's
 *                       (PSCLAB_KAFKA_TEMPLATES): one format run, the two
 *                       files; asked again, the same files (no new run)
 *   stamp_is_format     broker 2 of the portmap topology stamped from it and
 *                       formatted by kafka-storage.sh in another directory:
 *                       meta.properties the same but directory.id, and
 *                       bootstrap.checkpoint the same records as Kafka's
 *                       decoder (kafka-dump-log.sh --cluster-metadata-decoder)
 *                       prints them, timestamps and CRCs aside; then
 *                       kafka-storage.sh info reads the stamped directory as
 *                       formatted, with the stamped identity
 * That the brokers start from stamped storage and form a cluster is what
 * every lab of the other integration tests does.
 *
 * Skips as a whole when Kafka or Java is not installed (sudo make deps). */
#define _GNU_SOURCE
#include "psc_test.h"

#include <regex.h>
#include <sys/stat.h>

#include "base/util.h"
#include "runtime/kafka.h"
#include "runtime/kafka_storage.h"
#include "runtime/proc.h"

#define TOOL_TIMEOUT_MS 120000

static struct {
	char skip[PSC_KAFKA_ERR_LEN];
	char work[256];
	char tmpl[PATH_MAX];
	psc_kafka_env env;
	psc_topology *t;
	psc_plan *p;
} g;

static int group_setup(void **state)
{
	(void)state;
	snprintf(g.work, sizeof(g.work), "/tmp/psclab-itstorage-XXXXXX");
	if (!mkdtemp(g.work))
		return -1;
	char d[300];
	snprintf(d, sizeof(d), "%s/templates", g.work);
	setenv(PSC_KAFKA_TEMPLATES_ENV, d, 1);
	unsetenv(PSC_KAFKA_FORMAT_ENV);
	g.t = psc_test_load("topologies/portmap.yaml");
	g.p = psc_test_plan(g.t);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	psc_topology_free(g.t);
	psc_rm_tree(g.work);
	return 0;
}

/* argv (envp: the Kafka tools' environment) into out, bounded */
static int run_tool(char *const *argv, char *const *envp, const char *out)
{
	char err[512];
	psc_proc_job job = {.argv = argv, .envp = envp, .logpath = out};
	if (psc_proc_run_all(&job, 1, TOOL_TIMEOUT_MS, err, sizeof(err)) < 0)
		fail_msg("%s: %s", argv[0], err);
	return job.status;
}

static void template_made(void **state)
{
	(void)state;
	char why[512] = "", err[PSC_KAFKA_ERR_LEN] = "", p[PATH_MAX + 64];
	int r = psc_kafka_storage_template(&g.env, g.tmpl, sizeof(g.tmpl), why,
					   sizeof(why), err, sizeof(err));
	if (r != 1)
		fail_msg("template: %d: %s%s", r, why, err);
	printf("# template %s\n", g.tmpl);
	assert_non_null(strstr(g.tmpl, getenv(PSC_KAFKA_TEMPLATES_ENV)));
	struct stat a, b;
	psc_test_fmt(p, sizeof(p), "%s/bootstrap.checkpoint", g.tmpl);
	assert_int_equal(stat(p, &a), 0);
	assert_true(a.st_size > 0);
	psc_test_fmt(p, sizeof(p), "%s/meta.properties", g.tmpl);
	assert_int_equal(access(p, R_OK), 0);
	char again[PATH_MAX];
	assert_int_equal(psc_kafka_storage_template(&g.env, again,
						    sizeof(again), why,
						    sizeof(why), err,
						    sizeof(err)), 1);
	assert_string_equal(again, g.tmpl);
	psc_test_fmt(p, sizeof(p), "%s/bootstrap.checkpoint", g.tmpl);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
	/* no temporary directory left beside it */
	char cmd[600], out[PATH_MAX];
	psc_test_fmt(out, sizeof(out), "%s/ls.txt", g.work);
	psc_test_fmt(cmd, sizeof(cmd), "ls -A %s > %s",
		     getenv(PSC_KAFKA_TEMPLATES_ENV), out);
	assert_int_equal(system(cmd), 0);
	char *ls = psc_test_slurp(out);
	assert_non_null(ls);
	assert_int_equal(strchr(ls, '\n') - ls + 1, (long)strlen(ls));
	free(ls);
}

/* meta.properties' lines but comments and directory.id, sorted */
static char *meta_identity(const char *dir, char *id, size_t idlen)
{
	char p[PATH_MAX + 32];
	psc_test_fmt(p, sizeof(p), "%s/meta.properties", dir);
	char *m = psc_test_slurp(p);
	if (!m)
		fail_msg("no %s", p);
	static char keep[8][160];
	size_t n = 0;
	for (char *s = NULL, *l = strtok_r(m, "\n", &s); l;
	     l = strtok_r(NULL, "\n", &s)) {
		if (l[0] == '#')
			continue;
		if (strncmp(l, "directory.id=", 13) == 0) {
			snprintf(id, idlen, "%s", l + 13);
			continue;
		}
		assert_true(n < 8);
		snprintf(keep[n++], sizeof(keep[0]), "%s", l);
	}
	free(m);
	qsort(keep, n, sizeof(keep[0]),
	      (int (*)(const void *, const void *))strcmp);
	char *out = calloc(1, 8 * 161);
	for (size_t i = 0; i < n; i++) {
		strcat(out, keep[i]);
		strcat(out, "\n");
	}
	return out;
}

/* kafka-dump-log.sh's decoding of dir/bootstrap.checkpoint, the lines
 * that differ between two runs of format blanked: "Dumping <path>", the
 * batches' CreateTime and crc (each replaced by '_') */
static char *decoded(const char *dir, const psc_kafka_cmd *env)
{
	char file[PATH_MAX + 32], tool[PATH_MAX], out[PATH_MAX + 32];
	psc_test_fmt(file, sizeof(file), "%s/bootstrap.checkpoint", dir);
	psc_test_fmt(tool, sizeof(tool), "%s/bin/kafka-dump-log.sh",
		     g.env.home);
	psc_test_fmt(out, sizeof(out), "%s.dump", dir);
	char *argv[] = {tool, "--cluster-metadata-decoder", "--files", file,
			NULL};
	int st = run_tool(argv, env->envp.v, out);
	char *text = psc_test_slurp(out);
	if (st != 0 || !text)
		fail_msg("kafka-dump-log.sh %s: status %d\n%s", file, st,
			 text ? text : "");
	regex_t re;
	assert_int_equal(regcomp(&re, "(Dumping [^\n]*|CreateTime: [0-9]+|"
				 "crc: [0-9]+)", REG_EXTENDED), 0);
	regmatch_t m;
	char *norm = calloc(1, strlen(text) + 1), *o = norm;
	const char *at = text;
	for (; regexec(&re, at, 1, &m, 0) == 0; at += m.rm_eo) {
		memcpy(o, at, (size_t)m.rm_so);
		o += m.rm_so;
		*o++ = '_';
	}
	strcpy(o, at);
	regfree(&re);
	free(text);
	return norm;
}

static void stamp_is_format(void **state)
{
	(void)state;
	if (!g.tmpl[0])
		fail_msg("no template (template_made failed)");
	const psc_broker *b = &g.t->kafka.brokers[1];
	char stamped[300], formatted[300], err[PSC_KAFKA_ERR_LEN] = "";
	psc_test_fmt(stamped, sizeof(stamped), "%s/stamped", g.work);
	psc_test_fmt(formatted, sizeof(formatted), "%s/formatted", g.work);
	assert_int_equal(psc_kafka_node_prepare(g.t, g.p, b, stamped, err,
						sizeof(err)), 0);
	assert_int_equal(psc_kafka_node_prepare(g.t, g.p, b, formatted, err,
						sizeof(err)), 0);
	if (psc_kafka_storage_stamp(g.tmpl, g.t, b, stamped, err,
				    sizeof(err)) < 0)
		fail_msg("stamp: %s", err);
	static psc_kafka_cmd c;
	char log[PATH_MAX];
	assert_int_equal(psc_kafka_format_cmd(&g.env, g.t, formatted, &c, err,
					      sizeof(err)), 0);
	psc_test_fmt(log, sizeof(log), "%s/format.log", g.work);
	if (run_tool(c.argv.v, c.envp.v, log) != 0)
		fail_msg("kafka-storage.sh format failed:\n%s",
			 psc_test_slurp(log));

	char sd[320], fd[320], sid[64] = "", fid[64] = "";
	psc_test_fmt(sd, sizeof(sd), "%s/data", stamped);
	psc_test_fmt(fd, sizeof(fd), "%s/data", formatted);
	char *sm = meta_identity(sd, sid, sizeof(sid));
	char *fm = meta_identity(fd, fid, sizeof(fid));
	printf("# meta.properties (but directory.id: %s stamped, %s by "
	       "format):", sid, fid);
	for (const char *l = sm; *l; l += strcspn(l, "\n") + 1)
		printf(" %.*s", (int)strcspn(l, "\n"), l);
	printf("\n");
	assert_string_equal(sm, fm);
	assert_int_equal(strlen(sid), strlen(fid));
	assert_string_not_equal(sid, fid);
	free(sm);
	free(fm);

	char *sdump = decoded(sd, &c), *fdump = decoded(fd, &c);
	assert_non_null(strstr(fdump, "FEATURE_LEVEL_RECORD"));
	assert_non_null(strstr(fdump, "\"name\":\"metadata.version\""));
	if (strcmp(sdump, fdump) != 0) {
		printf("# stamped:\n%s\n# format:\n%s\n", sdump, fdump);
		fail_msg("the snapshots differ (above)");
	}
	free(sdump);
	free(fdump);

	/* Kafka reads the stamped directory as formatted, as stamped */
	char tool[PATH_MAX], props[PATH_MAX], out[PATH_MAX], want[512];
	psc_test_fmt(tool, sizeof(tool), "%s/bin/kafka-storage.sh",
		     g.env.home);
	psc_test_fmt(props, sizeof(props), "%s/config/server.properties",
		     stamped);
	psc_test_fmt(out, sizeof(out), "%s/info.txt", g.work);
	char *argv[] = {tool, "info", "-c", props, NULL};
	int st = run_tool(argv, c.envp.v, out);
	char *info = psc_test_slurp(out);
	psc_test_fmt(want, sizeof(want), "Found metadata: {cluster.id=%s, "
		     "directory.id=%s, node.id=%ld, version=1}",
		     g.t->kafka.cluster_id, sid, b->node_id);
	if (st != 0 || !info || !strstr(info, want) ||
	    strstr(info, "problem"))
		fail_msg("kafka-storage.sh info (status %d) does not say "
			 "'%s':\n%s", st, want, info ? info : "");
	free(info);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char err[PSC_KAFKA_ERR_LEN];
	if (psc_kafka_env_load(&g.env, err, sizeof(err)) < 0) {
		printf("1..0 # SKIP test_kafka_storage: %s\n", err);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(template_made),
		cmocka_unit_test(stamp_is_format),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
