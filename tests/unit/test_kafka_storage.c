/* Unit tests of runtime/kafka_storage.c without Kafka: when a topology
 * may be stamped, and stamping from a template written here (a real one,
 * from kafka-storage.sh, is compared with Kafka's own format in
 * tests/integration/test_kafka_storage.c). */
#define _GNU_SOURCE
#include "psc_test.h"

#include <sys/stat.h>

#include "base/util.h"
#include "runtime/kafka_storage.h"

static char work[256];

static int setup(void **state)
{
	(void)state;
	snprintf(work, sizeof(work), "/tmp/psclab-test-kstorage-XXXXXX");
	return mkdtemp(work) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	psc_rm_tree(work);
	return 0;
}

static void put_n(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void put(const char *path, const char *text)
{
	put_n(path, text, strlen(text));
}

/* a template as kafka-storage.sh format leaves it (meta.properties
 * verbatim from Kafka 3.7.1's) in work/<name> */
static const char *template_dir(const char *name, const char *meta)
{
	static char dir[512];
	char p[600];
	psc_test_fmt(dir, sizeof(dir), "%s/%s", work, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	psc_test_fmt(p, sizeof(p), "%s/bootstrap.checkpoint", dir);
	put_n(p, "\x01\x02not-really-a-snapshot\x00\x03", 25); /* a NUL in */
	psc_test_fmt(p, sizeof(p), "%s/meta.properties", dir);
	put(p, meta);
	return dir;
}

static const char kafka_meta[] = "#\n#Wed Dec 02 12:30:14 UTC 2026\n"
				 "node.id=1\ndirectory.id=rs9QQHiUfb0HDhETxTPA_Q\n"
				 "version=1\ncluster.id=cHNjbGFiLXRlbXBsYXRlAA\n";

static void stampable(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char why[256] = "";
	unsetenv(PSC_KAFKA_FORMAT_ENV);
	assert_true(psc_kafka_storage_stampable(t, why, sizeof(why)));
	static const char *const keys[] = {"inter.broker.protocol.version",
					   "metadata.log.dir",
					   "unstable.feature.versions.enable"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(t->kafka.config[0].key, sizeof(t->kafka.config[0].key),
			 "%s", keys[i]);
		snprintf(t->kafka.config[0].value,
			 sizeof(t->kafka.config[0].value), "x");
		t->kafka.n_config = 1;
		assert_false(psc_kafka_storage_stampable(t, why, sizeof(why)));
		assert_non_null(strstr(why, keys[i]));
	}
	snprintf(t->kafka.config[0].key, sizeof(t->kafka.config[0].key),
		 "min.insync.replicas");
	assert_true(psc_kafka_storage_stampable(t, why, sizeof(why)));
	setenv(PSC_KAFKA_FORMAT_ENV, "each", 1);
	assert_false(psc_kafka_storage_stampable(t, why, sizeof(why)));
	assert_string_equal(why, "PSCLAB_KAFKA_FORMAT=each");
	unsetenv(PSC_KAFKA_FORMAT_ENV);
	psc_topology_free(t);
}

/* the value of key in a meta.properties text ("" when absent) */
static const char *meta_value(const char *text, const char *key)
{
	static char v[128];
	char k[80];
	snprintf(k, sizeof(k), "\n%s=", key);
	const char *at = strstr(text, k);
	v[0] = '\0';
	if (at)
		sscanf(at + strlen(k), "%127[^\n]", v);
	return v;
}

static void stamp_brokers(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	const char *tmpl = template_dir("t1", kafka_meta);
	char node[3][512], p[700], err[512] = "", ids[3][64];
	char *boot = NULL;
	for (size_t i = 0; i < 3; i++) {
		psc_test_fmt(node[i], sizeof(node[i]), "%s/n%zu", work, i + 1);
		assert_int_equal(psc_kafka_storage_stamp(tmpl, t,
							 &t->kafka.brokers[i],
							 node[i], err,
							 sizeof(err)), 0);
		psc_test_fmt(p, sizeof(p), "%s/data/meta.properties", node[i]);
		char *m = psc_test_slurp(p);
		assert_non_null(m);
		char want[32];
		snprintf(want, sizeof(want), "%ld", t->kafka.brokers[i].node_id);
		assert_string_equal(meta_value(m, "node.id"), want);
		assert_string_equal(meta_value(m, "cluster.id"),
				    t->kafka.cluster_id);
		assert_string_equal(meta_value(m, "version"), "1");
		snprintf(ids[i], sizeof(ids[i]), "%s",
			 meta_value(m, "directory.id"));
		/* URL-safe base64 of 16 bytes, never the template's */
		assert_int_equal(strlen(ids[i]), 22);
		assert_int_equal(strspn(ids[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd"
					"efghijklmnopqrstuvwxyz0123456789-_"),
				 22);
		assert_true(ids[i][0] != '-');
		assert_string_not_equal(ids[i], "rs9QQHiUfb0HDhETxTPA_Q");
		free(m);
		psc_test_fmt(p, sizeof(p), "%s/data/bootstrap.checkpoint",
			     node[i]);
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, 25);  /* the template's, whole */
		free(boot);
		boot = psc_test_slurp(p);
		assert_memory_equal(boot, "\x01\x02not-really-a-snapshot\x00\x03",
				    25);
		psc_test_fmt(p, sizeof(p), "%s/data/meta.properties.tmp",
			     node[i]);
		assert_int_equal(access(p, F_OK), -1);
	}
	free(boot);
	assert_string_not_equal(ids[0], ids[1]);
	assert_string_not_equal(ids[1], ids[2]);

	/* formatted already: left alone, as format --ignore-formatted */
	assert_int_equal(psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[0],
						 node[0], err, sizeof(err)), 0);
	psc_test_fmt(p, sizeof(p), "%s/data/meta.properties", node[0]);
	char *m = psc_test_slurp(p);
	assert_string_equal(meta_value(m, "directory.id"), ids[0]);
	free(m);

	/* every directory of log.dirs */
	snprintf(t->kafka.log_dirs, sizeof(t->kafka.log_dirs),
		 "./d1, ./d2");
	psc_test_fmt(node[0], sizeof(node[0]), "%s/multi", work);
	assert_int_equal(psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[0],
						 node[0], err, sizeof(err)), 0);
	char a[64], b[64];
	psc_test_fmt(p, sizeof(p), "%s/d1/meta.properties", node[0]);
	m = psc_test_slurp(p);
	assert_non_null(m);
	snprintf(a, sizeof(a), "%s", meta_value(m, "directory.id"));
	free(m);
	psc_test_fmt(p, sizeof(p), "%s/d2/meta.properties", node[0]);
	m = psc_test_slurp(p);
	assert_non_null(m);
	snprintf(b, sizeof(b), "%s", meta_value(m, "directory.id"));
	free(m);
	assert_int_equal(strlen(a), 22);
	assert_string_not_equal(a, b);
	psc_topology_free(t);
}

/* a template this module does not know is refused, and so is a cluster id
 * that is not one */
static void stamp_refuses(void **state)
{
	(void)state;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	char node[512], err[512] = "";
	psc_test_fmt(node, sizeof(node), "%s/refused", work);
	const char *tmpl = template_dir(
		"t2", "version=1\ncluster.id=x\nnode.id=1\ndirectory.id=y\n"
		      "another.key=z\n");
	assert_int_equal(psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[0],
						 node, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has 5 keys"));
	tmpl = template_dir("t3", "version=1\ncluster.id=x\nnode.id=1\n");
	assert_int_equal(psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[0],
						 node, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0 'directory.id' lines"));
	tmpl = template_dir("t4", kafka_meta);
	snprintf(t->kafka.cluster_id, sizeof(t->kafka.cluster_id), "a b");
	assert_int_equal(psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[0],
						 node, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a Kafka cluster id"));
	char p[600];
	psc_test_fmt(p, sizeof(p), "%s/data/meta.properties", node);
	assert_int_equal(access(p, F_OK), -1);
	psc_topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stampable),
		cmocka_unit_test(stamp_brokers),
		cmocka_unit_test(stamp_refuses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
