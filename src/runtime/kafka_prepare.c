/* kafka_prepare.c - `pscLab prepare` (see kafka_prepare.h). */
#define _GNU_SOURCE
#include "runtime/kafka_prepare.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "fabric/link.h"
#include "fabric/netns.h"
#include "runtime/kafka.h"
#include "runtime/kafka_storage.h"
#include "runtime/proc.h"
#include "runtime/state.h"

#define DUMP_GRACE_MS 90000      /* SIGTERM to exit, the dump included */
#define READY_MS 180000

/* the broker that writes the archive: started, awaited, stopped */
static int cds_broker(const psc_kafka_env *e, const char *tmpl,
		      const char *node, char *err, size_t errlen)
{
	static psc_kafka_cmd c;
	char slog[PATH_MAX], clog[PATH_MAX + 32], e2[PSC_KAFKA_ERR_LEN];
	psc_proc proc;
	memset(&proc, 0, sizeof(proc));
	snprintf(clog, sizeof(clog), "%s/logs/console.log", node);
	if (psc_kafka_storage_solo(tmpl, node, err, errlen) < 0 ||
	    psc_kafka_server_log(node, slog, sizeof(slog)) < 0 ||
	    psc_kafka_start_cmd(e, node, &c, err, errlen) < 0)
		return -1;
	if (psc_proc_spawn("kafka-prepare", PSC_PREPARE_NS, c.argv.v, c.envp.v,
			   clog, NULL, NULL, &proc, err, errlen) < 0)
		return -1;
	psc_kafka_ready r = {.netns = PSC_PREPARE_NS, .addr = "127.0.0.1:9092",
			     .server_log = slog, .console_log = proc.log,
			     .pid = proc.pid, .timeout_ms = READY_MS};
	int rc = psc_kafka_wait_ready(&r, NULL, e2, sizeof(e2));
	if (rc < 0)
		psc_setf(err, errlen, "the broker that writes the class-data "
			 "archive did not start: %s", e2);
	if (psc_proc_stop(&proc, DUMP_GRACE_MS, e2, sizeof(e2)) < 0) {
		if (rc == 0)
			psc_setf(err, errlen, "stopping the broker that writes "
				 "the class-data archive: %s", e2);
		rc = -1;
	}
	return rc;
}

static int cds_make(psc_kafka_env *e, const char *tmpl, char *err,
		    size_t errlen)
{
	char node[PATH_MAX], e2[512];
	int rc = -1;
	snprintf(node, sizeof(node), "%s/.prepare-XXXXXX",
		 psc_kafka_cache_dir());
	if (!mkdtemp(node)) {
		psc_setf(err, errlen, "cannot create a directory in %s: %s",
			 psc_kafka_cache_dir(), strerror(errno));
		return -1;
	}
	if (psc_netns_exists(PSC_PREPARE_NS) &&
	    psc_netns_delete(PSC_PREPARE_NS, err, errlen) < 0)
		goto out;
	if (psc_netns_create(PSC_PREPARE_NS, err, errlen) < 0)
		goto out;
	if (psc_link_set_up(PSC_PREPARE_NS, "lo", true, err, errlen) < 0 ||
	    cds_broker(e, tmpl, node, err, errlen) < 0)
		goto out_ns;
	/* the broker's dump, adopted as the archive */
	if (psc_kafka_env_load(e, err, errlen) < 0)
		goto out_ns;
	if (!e->cds_ready) {
		psc_setf(err, errlen, "the broker stopped but wrote no "
			 "class-data archive (%s); its log: %s/logs", e->cds,
			 node);
		goto out_ns;
	}
	rc = 0;
out_ns:
	if (psc_netns_delete(PSC_PREPARE_NS, e2, sizeof(e2)) < 0 && rc == 0) {
		psc_setf(err, errlen, "%s", e2);
		rc = -1;
	}
out:
	if (rc == 0)
		(void)psc_rm_tree(node);
	return rc;
}

int psc_kafka_prepare(FILE *progress, char *err, size_t errlen)
{
	psc_kafka_env *e = calloc(1, sizeof(*e));
	char tmpl[PATH_MAX], why[512] = "";
	int lock = -1, rc = -1;
	long long t0 = psc_now_ms();
	if (!e) {
		psc_setf(err, errlen, "out of memory");
		return -1;
	}
	if (psc_kafka_env_load(e, err, errlen) < 0 ||
	    psc_state_lock_lab(PSC_PREPARE_LAB, &lock, 600000, err, errlen) <
		    0)
		goto out;
	int r = psc_kafka_storage_template(e, tmpl, sizeof(tmpl), why,
					   sizeof(why), err, errlen);
	if (r < 0)
		goto out;
	if (progress)
		fprintf(progress, r ? "[%6lld ms] KRaft storage template: %s\n"
				    : "[%6lld ms] KRaft storage template: none "
				      "(%s): one format JVM per broker\n",
			psc_now_ms() - t0, r ? tmpl : why);
	if (!e->cds[0]) {
		if (progress)
			fprintf(progress, "[%6lld ms] class-data archive: off "
				"(PSCLAB_KAFKA_CDS=0, or the cache cannot be "
				"written)\n", psc_now_ms() - t0);
	} else if (e->cds_ready) {
		if (progress)
			fprintf(progress, "[%6lld ms] class-data archive: %s "
				"(there already)\n", psc_now_ms() - t0, e->cds);
	} else if (r == 0) {
		if (progress)
			fprintf(progress, "[%6lld ms] class-data archive: not "
				"made here without a template; the first lab's "
				"brokers write it\n", psc_now_ms() - t0);
	} else {
		if (cds_make(e, tmpl, err, errlen) < 0)
			goto out;
		if (progress)
			fprintf(progress, "[%6lld ms] class-data archive: %s "
				"(written by a broker started and stopped in "
				"%s)\n", psc_now_ms() - t0, e->cds,
				PSC_PREPARE_NS);
	}
	rc = 0;
out:
	if (lock >= 0)
		psc_state_unlock(lock);
	free(e);
	return rc;
}
