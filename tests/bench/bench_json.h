/* bench_json.h - what `make bench` writes beside its table: bench.json,
 * one object per bench ("network", "scale", "kafka", "kafka_proxy",
 * "kafka_brokers_12", ...) next to "machine" (nproc, CPU model name,
 * kernel) and each bench's load average before and after.  Each bench
 * merges its own section into the file (read, replaced, written to
 * FILE.tmp and renamed), so the benches can run one after the other into
 * one file.  bench_shown: the value as printed, for verdicts.  jansson;
 * header-only, for the bench programs. */
#ifndef PSCLAB_BENCH_JSON_H
#define PSCLAB_BENCH_JSON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The value as printed with prec decimals: a verdict taken on it matches
 * the figure shown (0.95 >= 0.95 is then a PASS), and the JSON holds it. */
static inline double bench_shown(double v, int prec)
{
	char b[64];
	snprintf(b, sizeof(b), "%.*f", prec, v);
	return strtod(b, NULL);
}

/* the three load averages of /proc/loadavg, as a JSON array */
static inline json_t *bench_loadavg(void)
{
	double a = 0, b = 0, c = 0;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
			a = b = c = 0;
		fclose(f);
	}
	return json_pack("[f,f,f]", a, b, c);
}

/* nproc, the CPU's model name, the kernel */
static inline json_t *bench_machine(void)
{
	char model[256] = "unknown", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "model name", 10) == 0) {
			char *c = strchr(line, ':');
			if (c) {
				snprintf(model, sizeof(model), "%s", c + 2);
				model[strcspn(model, "\n")] = '\0';
			}
			break;
		}
	if (f)
		fclose(f);
	struct utsname u;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	return json_pack("{s:i,s:s,s:s,s:s}", "nproc",
			 (int)sysconf(_SC_NPROCESSORS_ONLN), "model_name",
			 model, "kernel", u.release, "machine", u.machine);
}

/* runs[n] (ms) as a JSON array */
static inline json_t *bench_runs(const double *runs, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(runs[i]));
	return a;
}

/* set path's section to obj (stolen) and "machine" to this machine; 0, or
 * -1 with a message on stderr */
static inline int bench_json_merge(const char *path, const char *section,
				   json_t *obj)
{
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	json_object_set_new(root, "machine", bench_machine());
	json_object_set_new(root, section, obj);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	json_decref(root);
	if (rc < 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	return rc;
}

#endif
