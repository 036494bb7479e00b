/* lab_kafka.c - the Kafka part of `pscLab up`: each broker's directory and
 * server.properties (kafka.c), storage stamped from one template
 * (kafka_storage.h) or formatted in parallel, the brokers
 * started in parallel as supervised processes in their nodes, the wait
 * until every one serves, and kafka-proxy in the proxy approach. */
#define _GNU_SOURCE
#include "runtime/lab_kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "model/addr.h"
#include "runtime/kafka.h"
#include "runtime/kafka_answer.h"
#include "runtime/kafka_storage.h"
#include "runtime/proc.h"
#include "runtime/state.h"

#define PROXY_READY_TIMEOUT_MS 30000

int psc_lab_node_dir(const char *lab, const char *instance, char *out,
		     size_t len)
{
	char dir[PATH_MAX];
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0)
		return -1;
	int n = snprintf(out, len, "%s/nodes/%s", dir, instance);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* run every format command at once (psc_proc_run_all), bounded */
static int format_each(const psc_kafka_env *env, const psc_topology *t,
		       char (*dirs)[PATH_MAX], size_t n, char *err,
		       size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	psc_kafka_cmd *cmds = calloc(n ? n : 1, sizeof(*cmds));
	psc_proc_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	char (*logs)[PATH_MAX + 32] = calloc(n ? n : 1, sizeof(*logs));
	int rc = -1;

	if (!cmds || !jobs || !logs) {
		psc_setf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (psc_kafka_format_cmd(env, t, dirs[i], &cmds[i], err,
					 errlen) < 0)
			goto out;
		snprintf(logs[i], sizeof(logs[i]), "%s/logs/format.log",
			 dirs[i]);
		jobs[i] = (psc_proc_job){.argv = cmds[i].argv.v,
					 .envp = cmds[i].envp.v,
					 .logpath = logs[i]};
	}
	if (psc_proc_run_all(jobs, n, PSC_KAFKA_FORMAT_TIMEOUT_MS, err,
			     errlen) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char tail[1024];
		if (jobs[i].status == -1) {
			psc_setf(err, errlen, "formatting the storage of %s "
				 "took more than %d s", k->brokers[i].instance,
				 PSC_KAFKA_FORMAT_TIMEOUT_MS / 1000);
			goto out;
		}
		if (jobs[i].status != 0) {
			psc_setf(err, errlen, "kafka-storage.sh format failed "
				 "for %s (status %d); last lines of %s:\n%s",
				 k->brokers[i].instance, jobs[i].status,
				 logs[i], psc_file_tail(logs[i], 0, 5, tail,
							sizeof(tail)));
			goto out;
		}
	}
	rc = 0;
out:
	free(cmds);
	free(jobs);
	free(logs);
	return rc;
}

int psc_lab_format_storage(const psc_kafka_env *env, const psc_topology *t,
			   char (*dirs)[PATH_MAX], size_t n, char *how,
			   size_t howlen, char *err, size_t errlen)
{
	char tmpl[PATH_MAX], why[512] = "";
	int r = psc_kafka_storage_stampable(t, why, sizeof(why))
			? psc_kafka_storage_template(env, tmpl, sizeof(tmpl),
						     why, sizeof(why), err,
						     errlen)
			: 0;
	if (r < 0)
		return -1;
	if (r == 0) {
		psc_setf(how, howlen, "formatted by kafka-storage.sh, one "
			 "JVM per broker (%s)", why);
		return format_each(env, t, dirs, n, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		if (psc_kafka_storage_stamp(tmpl, t, &t->kafka.brokers[i],
					    dirs[i], err, errlen) < 0)
			return -1;
	psc_setf(how, howlen, "stamped from the storage template %s", tmpl);
	return 0;
}

static bool proc_alive_cb(const void *arg)
{
	return psc_proc_alive(arg);
}

/* Where to knock to learn that kafka-proxy listens on listen ("0.0.0.0:9092"
 * or "10.64.0.6:9092"): from inside its node, 127.0.0.1 for a wildcard. */
static int proxy_knock_addr(const char *listen, char *out, size_t len,
			    char *err, size_t errlen)
{
	char host[PSC_HOST_LEN];
	int port;
	if (psc_hostport_parse(listen, host, sizeof(host), &port, err,
			       errlen) < 0)
		return -1;
	int n = snprintf(out, len, "%s:%d",
			 strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host,
			 port);
	if (n < 0 || (size_t)n >= len) {
		psc_setf(err, errlen, "kafka-proxy listener '%s': too long",
			 listen);
		return -1;
	}
	return 0;
}

/* kafka-proxy started in node `inst` as process `name`, then awaited
 * until it accepts on every --bootstrap-server-mapping listener and its
 * HTTP address (it opens them all at start, before it talks to any
 * broker: about 20 ms here).  Dying first is reported with the last lines
 * of its log. */
static int start_proxy_on(const psc_plan *p, const psc_kafka_proxy *kp,
			  const char *inst, const char *name,
			  char *const argv[], char *err, size_t errlen)
{
	char log[PATH_MAX];
	psc_proc proc;
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, inst);

	if (!vm) {
		psc_setf(err, errlen, "kafka-proxy: lab '%s' has no instance "
			 "'%s'", p->lab, inst);
		return -1;
	}
	const char *ns = p->ns[vm->ns].name;
	if (psc_state_log_path(p->lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "%s: no log path in the state of lab "
			 "'%s'", name, p->lab);
		return -1;
	}
	if (psc_proc_spawn(name, ns, argv, NULL, log, psc_state_proc_hook,
			   (void *)p->lab, &proc, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i <= kp->n_bootstrap_server_mappings; i++) {
		const char *listen =
			i < kp->n_bootstrap_server_mappings
				? kp->bootstrap_server_mappings[i].listen
				: kp->http_listen_address[0]
				? kp->http_listen_address : "0.0.0.0:9080";
		char addr[PSC_ADDR_LEN], e2[PSC_KAFKA_ERR_LEN];
		if (proxy_knock_addr(listen, addr, sizeof(addr), e2,
				     sizeof(e2)) < 0) {
			snprintf(err, errlen, "kafka-proxy: listen address "
				 "'%s': %s", listen, e2);
			return -1;
		}
		psc_kafka_ready r = {
			.netns = proc.netns, .addr = addr, .server_log = NULL,
			.console_log = proc.log, .alive = proc_alive_cb,
			.alive_arg = &proc, .pid = proc.pid,
			.timeout_ms = PROXY_READY_TIMEOUT_MS, .poll_ms = 20,
			.what = "kafka-proxy"};
		if (psc_kafka_wait_ready(&r, NULL, e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "kafka-proxy on %s (listener %s) "
				 "did not start: %s", inst, listen, e2);
			return -1;
		}
	}
	return 0;
}

void psc_lab_proxy_proc_name(const psc_kafka_proxy *kp, size_t i, char *out,
			     size_t len)
{
	if (i == 0)
		snprintf(out, len, "kafka-proxy");
	else
		snprintf(out, len, "kafka-proxy-%.50s",
			 kp->additional_instances[i - 1]);
}

void psc_lab_proxy_proc_name_of(const psc_topology *t,
				const psc_kafka_proxy *kp, size_t i, char *out,
				size_t len)
{
	if (kp == &t->kafka_proxy)
		psc_lab_proxy_proc_name(kp, i, out, len);
	else
		snprintf(out, len, "kafka-proxy-%.50s",
			 i ? kp->additional_instances[i - 1] : kp->instance);
}

long psc_lab_proxy_on(const psc_kafka_proxy *kp, const char *instance)
{
	if (!kp->present)
		return -1;
	for (size_t i = 0; i <= kp->n_additional_instances; i++)
		if (strcmp(i ? kp->additional_instances[i - 1] : kp->instance,
			   instance) == 0)
			return (long)i;
	return -1;
}

/* kafka-proxy kp in its nodes (only: that one alone); *started counted */
static int start_proxy_of(const psc_plan *p, const psc_kafka_proxy *kp,
			  const char *only, int *started, char *err,
			  size_t errlen)
{
	char bin[PATH_MAX];
	int rc = -1;
	if (only && psc_lab_proxy_on(kp, only) < 0)
		return 0;
	psc_argv *argv = calloc(1, sizeof(*argv));
	if (!argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (psc_kafka_proxy_bin_for(kp->version, bin, sizeof(bin), err,
				    errlen) < 0 ||
	    psc_kafka_proxy_argv_of(p->t, kp, bin, argv, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i <= kp->n_additional_instances; i++) {
		const char *inst = i ? kp->additional_instances[i - 1]
				     : kp->instance;
		char name[PSC_PROC_NAME_LEN];
		if (only && strcmp(only, inst) != 0)
			continue;
		psc_lab_proxy_proc_name_of(p->t, kp, i, name, sizeof(name));
		if (start_proxy_on(p, kp, inst, name, argv->v, err, errlen) < 0)
			goto out;
		(*started)++;
	}
	rc = 0;
out:
	free(argv);
	return rc;
}

int psc_lab_start_proxy(const psc_plan *p, const char *only, char *err,
			size_t errlen)
{
	int started = 0;
	if (start_proxy_of(p, &p->t->kafka_proxy, only, &started, err,
			   errlen) < 0)
		return -1;
	for (size_t i = 0; i < p->t->n_kafka_proxies; i++)
		if (start_proxy_of(p, &p->t->kafka_proxies[i], only, &started,
				   err, errlen) < 0)
			return -1;
	if (!started) {
		snprintf(err, errlen, "lab '%s' runs no kafka-proxy on '%s'",
			 p->lab, only ? only : "?");
		return -1;
	}
	return 0;
}

/* start broker b (its dir prepared and formatted) as a supervised process
 * in its node; *log_from: server.log's size before, where its readiness
 * line is looked for */
static int spawn_broker(const psc_plan *p, const psc_kafka_env *env,
			const psc_broker *b, const char *dir, psc_kafka_cmd *cmd,
			psc_proc *proc, off_t *log_from, char *err,
			size_t errlen)
{
	char name[PSC_PROC_NAME_LEN], log[PATH_MAX], slog[PATH_MAX];
	struct stat sb;
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, b->instance);
	if (!vm) {
		psc_setf(err, errlen, "broker: lab '%s' has no instance '%s'",
			 p->lab, b->instance);
		return -1;
	}
	const char *ns = p->ns[vm->ns].name;
	snprintf(name, sizeof(name), "kafka-%.50s", b->instance);
	*log_from = 0;
	if (psc_kafka_server_log(dir, slog, sizeof(slog)) == 0 &&
	    stat(slog, &sb) == 0)
		*log_from = sb.st_size;
	if (psc_kafka_start_cmd(env, dir, cmd, err, errlen) < 0)
		return -1;
	if (psc_state_log_path(p->lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "broker %ld: no log path in the state of "
			 "lab '%s'", b->node_id, p->lab);
		return -1;
	}
	return psc_proc_spawn(name, ns, cmd->argv.v, cmd->envp.v, log,
			      psc_state_proc_hook, (void *)p->lab, proc, err,
			      errlen);
}

/* until broker b serves (bounded), or dies: its INTERNAL listener
 * accepts, its log says started, and each PLAINTEXT client listener
 * answers ApiVersions and Metadata */
static int await_broker(const psc_plan *p, const psc_broker *b,
			const char *dir, const psc_proc *proc, off_t log_from,
			char *err, size_t errlen)
{
	char addr[PSC_ADDR_LEN], slog[PATH_MAX], e2[PSC_KAFKA_ERR_LEN];
	char ask[PSC_KAFKA_ANSWER_MAX][PSC_ADDR_LEN];
	size_t n_ask = 0;
	long waited = 0;
	if (psc_broker_advertised_internal(p->t, b, addr, sizeof(addr)) < 0 ||
	    psc_kafka_server_log(dir, slog, sizeof(slog)) < 0) {
		snprintf(err, errlen, "broker %ld: no address", b->node_id);
		return -1;
	}
	if (psc_kafka_answer_addrs(p->t, b, ask, PSC_KAFKA_ANSWER_MAX, &n_ask,
				   e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "broker %ld: %s", b->node_id, e2);
		return -1;
	}
	psc_kafka_ready r = {
		.netns = proc->netns, .addr = addr, .server_log = slog,
		.log_from = log_from, .console_log = proc->log,
		.alive = proc_alive_cb, .alive_arg = proc, .pid = proc->pid,
		.timeout_ms = PSC_KAFKA_READY_TIMEOUT_MS,
		.answer = (const char (*)[PSC_ADDR_LEN])ask, .n_answer = n_ask};
	if (psc_kafka_wait_ready(&r, &waited, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "broker %ld on %s did not start: %s",
			 b->node_id, b->instance, e2);
		return -1;
	}
	return 0;
}

int psc_lab_kafka_precheck(const psc_plan *p, char *err, size_t errlen)
{
	psc_kafka_env *env = calloc(1, sizeof(*env));
	char bin[PATH_MAX];
	int rc = -1;
	if (!env) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (psc_kafka_env_load(env, err, errlen) < 0)
		goto out;
	if (psc_topology_approach(p->t) == PSC_APPROACH_PROXY &&
	    psc_kafka_proxy_bin_for(p->t->kafka_proxy.version, bin,
				    sizeof(bin), err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(env);
	return rc;
}

int psc_lab_start_kafka(const psc_plan *p, FILE *progress, char *err,
			size_t errlen)
{
	const psc_kafka *k = &p->t->kafka;
	size_t n = k->n_brokers;
	psc_kafka_env *env = calloc(1, sizeof(*env));
	char (*dirs)[PATH_MAX] = calloc(n ? n : 1, sizeof(*dirs));
	psc_proc *procs = calloc(n ? n : 1, sizeof(*procs));
	psc_kafka_cmd *cmd = calloc(1, sizeof(*cmd));
	off_t *log_from = calloc(n ? n : 1, sizeof(*log_from));
	char how[PATH_MAX + 640];
	long long t0 = psc_now_ms();
	int rc = -1;

	if (!env || !dirs || !procs || !cmd || !log_from) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (psc_kafka_env_load(env, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const psc_broker *b = &k->brokers[i];
		if (psc_lab_node_dir(p->lab, b->instance, dirs[i],
				     sizeof(dirs[i])) < 0 ||
		    psc_kafka_node_prepare(p->t, p, b, dirs[i], err, errlen) <
			    0)
			goto out;
	}
	if (psc_lab_format_storage(env, p->t, dirs, n, how, sizeof(how), err,
				   errlen) < 0)
		goto out;
	if (progress)
		fprintf(progress, "[%6lld ms] kafka: %zu brokers' storage "
			"(cluster %s) %s\n", psc_now_ms() - t0, n,
			k->cluster_id, how);
	for (size_t i = 0; i < n; i++)
		if (spawn_broker(p, env, &k->brokers[i], dirs[i], cmd,
				 &procs[i], &log_from[i], err, errlen) < 0)
			goto out;
	for (size_t i = 0; i < n; i++)
		if (await_broker(p, &k->brokers[i], dirs[i], &procs[i],
				 log_from[i], err, errlen) < 0)
			goto out;
	if (progress)
		fprintf(progress, "[%6lld ms] kafka: %zu brokers serving "
			"(Kafka %s)\n", psc_now_ms() - t0, n, env->home);
	if (psc_topology_approach(p->t) == PSC_APPROACH_PROXY) {
		if (psc_lab_start_proxy(p, NULL, err, errlen) < 0)
			goto out;
		if (progress)
			fprintf(progress, "[%6lld ms] kafka-proxy listening in "
				"%s%s on its %zu bootstrap ports\n",
				psc_now_ms() - t0, p->t->kafka_proxy.instance,
				p->t->kafka_proxy.n_additional_instances
					? " (and its additional instances)" : "",
				p->t->kafka_proxy.n_bootstrap_server_mappings);
		for (size_t i = 0; progress && i < p->t->n_kafka_proxies; i++)
			fprintf(progress, "[%6lld ms] kafka-proxy listening in "
				"%s on its %zu bootstrap ports\n",
				psc_now_ms() - t0,
				p->t->kafka_proxies[i].instance,
				p->t->kafka_proxies[i]
					.n_bootstrap_server_mappings);
	}
	rc = 0;
out:
	free(env);
	free(dirs);
	free(procs);
	free(cmd);
	free(log_from);
	return rc;
}

/* PSCLAB_TEST_FAIL_BROKER=<instance> (lab_kafka.h): that broker's
 * server.properties gets an entry Kafka refuses, when it is started with
 * its EXTERNAL listener (reconfigure's roll), so that it does not come
 * back; a test's doing, and said so in the file */
static int test_fail_broker(const psc_broker *b, const char *dir, char *err,
			    size_t errlen)
{
	const char *v = getenv(PSC_TEST_FAIL_BROKER_ENV);
	char path[PATH_MAX];
	if (!v || strcmp(v, b->instance) != 0 || b->no_external)
		return 0;
	if (psc_kafka_props_path(dir, path, sizeof(path)) < 0)
		return 0;
	FILE *f = fopen(path, "ae");
	if (!f || fprintf(f, "\n# %s=%s: a test makes this broker fail to "
			  "start (runtime/lab_kafka.h)\nnode.id=not-a-number\n",
			  PSC_TEST_FAIL_BROKER_ENV, v) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int psc_lab_start_broker(const psc_plan *p, const char *instance, char *err,
			 size_t errlen)
{
	const psc_kafka *k = &p->t->kafka;
	const psc_broker *b = NULL;
	for (size_t i = 0; i < k->n_brokers; i++)
		if (strcmp(k->brokers[i].instance, instance) == 0)
			b = &k->brokers[i];
	if (!b) {
		snprintf(err, errlen, "lab '%s' has no broker on '%s'", p->lab,
			 instance);
		return -1;
	}
	psc_kafka_env *env = calloc(1, sizeof(*env));
	psc_kafka_cmd *cmd = calloc(1, sizeof(*cmd));
	char dir[PATH_MAX];
	psc_proc proc;
	off_t from = 0;
	int rc = -1;
	if (!env || !cmd) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (psc_kafka_env_load(env, err, errlen) < 0 ||
	    psc_lab_node_dir(p->lab, b->instance, dir, sizeof(dir)) < 0)
		goto out;
	/* its storage is there from up; server.properties is written again
	 * from the lab's model (its stage: reconfigure adds EXTERNAL) */
	if (psc_kafka_node_prepare(p->t, p, b, dir, err, errlen) < 0 ||
	    test_fail_broker(b, dir, err, errlen) < 0)
		goto out;
	if (spawn_broker(p, env, b, dir, cmd, &proc, &from, err, errlen) < 0 ||
	    await_broker(p, b, dir, &proc, from, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(env);
	free(cmd);
	return rc;
}
