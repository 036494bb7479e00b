/* rdkafka_client.c - the librdkafka client of verify's checks, its last
 * log line and its delivery reports (see rdkafka_client.h). */
#define _GNU_SOURCE
#include "verify/rdkafka_client.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* the last warning or error librdkafka logged, for failure details */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char last_log[512];

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *buf)
{
	(void)rk;
	if (getenv("PSCLAB_VERIFY_DEBUG"))
		fprintf(stderr, "rdkafka %d %s: %s\n", level, fac, buf);
	if (level > 4)
		return;
	pthread_mutex_lock(&log_mu);
	snprintf(last_log, sizeof(last_log), "%s: %s", fac, buf);
	pthread_mutex_unlock(&log_mu);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
		     void *opaque)
{
	(void)rk;
	(void)opaque;
	pthread_mutex_lock(&log_mu);
	snprintf(last_log, sizeof(last_log), "%s: %s",
		 rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
	pthread_mutex_unlock(&log_mu);
}

void psc_verify_log_reset(void)
{
	pthread_mutex_lock(&log_mu);
	last_log[0] = '\0';
	pthread_mutex_unlock(&log_mu);
}

void psc_verify_client_log(char *out, size_t len)
{
	pthread_mutex_lock(&log_mu);
	if (last_log[0])
		psc_setf(out, len, "last client log: %s", last_log);
	else
		out[0] = '\0';
	pthread_mutex_unlock(&log_mu);
}

void psc_verify_client_error(char *out, size_t len, const char *what)
{
	pthread_mutex_lock(&log_mu);
	if (last_log[0])
		psc_setf(out, len, "%s; last client log: %s", what, last_log);
	else
		psc_setf(out, len, "%s", what);
	pthread_mutex_unlock(&log_mu);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	psc_verify_dr *d = opaque;
	long i = (long)(intptr_t)m->_private;
	if (!d || !d->st || i < 0 || i >= d->n)
		return;
	d->st[i] = m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? PSC_MSG_OK
							 : PSC_MSG_FAILED;
	d->err[i] = m->err;
	d->partition[i] = m->partition;
}

int psc_verify_dr_alloc(psc_verify_dr *d, long n)
{
	d->n = n;
	d->st = calloc((size_t)n, 1);
	d->err = calloc((size_t)n, sizeof(*d->err));
	d->partition = calloc((size_t)n, sizeof(*d->partition));
	if (d->st && d->err && d->partition)
		return 0;
	psc_verify_dr_free(d);
	return -1;
}

void psc_verify_dr_free(psc_verify_dr *d)
{
	free(d->st);
	free(d->err);
	free(d->partition);
	memset(d, 0, sizeof(*d));
}

static bool conf_set(rd_kafka_conf_t *conf, const char *k, const char *v,
		     char *err, size_t errlen)
{
	char e[256];
	if (rd_kafka_conf_set(conf, k, v, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "librdkafka: %s=%s: %s", k, v, e);
		return false;
	}
	return true;
}

/* the settings of every client, then a producer's or a consumer's */
static bool conf_all(rd_kafka_conf_t *conf, rd_kafka_type_t type,
		     const char *bootstrap, long timeout_ms, char *err,
		     size_t errlen)
{
	char t[32], half[32];
	snprintf(t, sizeof(t), "%ld", timeout_ms < 1000 ? 1000 : timeout_ms);
	snprintf(half, sizeof(half), "%ld",
		 timeout_ms / 2 < 1000 ? 1000 : timeout_ms / 2);
	bool ok = conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) &&
		  conf_set(conf, "client.id", "pscLab-verify", err, errlen) &&
		  conf_set(conf, "socket.timeout.ms", t, err, errlen) &&
		  conf_set(conf, "socket.connection.setup.timeout.ms", half,
			   err, errlen) &&
		  conf_set(conf, "reconnect.backoff.ms", "100", err, errlen) &&
		  conf_set(conf, "reconnect.backoff.max.ms", "1000", err,
			   errlen) &&
		  conf_set(conf, "retry.backoff.ms", "100", err, errlen) &&
		  conf_set(conf, "topic.metadata.refresh.fast.interval.ms",
			   "100", err, errlen) &&
		  conf_set(conf, "log_level", "4", err, errlen);
	const char *dbg = getenv("PSCLAB_VERIFY_DEBUG");
	if (ok && dbg && *dbg)
		ok = conf_set(conf, "debug", dbg, err, errlen);
	if (ok && type == RD_KAFKA_PRODUCER)
		ok = conf_set(conf, "acks", "all", err, errlen) &&
		     conf_set(conf, "enable.idempotence", "false", err,
			      errlen) &&
		     conf_set(conf, "message.timeout.ms", t, err, errlen) &&
		     conf_set(conf, "request.timeout.ms", half, err, errlen) &&
		     conf_set(conf, "linger.ms", "5", err, errlen);
	if (ok && type == RD_KAFKA_CONSUMER)
		ok = conf_set(conf, "enable.auto.commit", "false", err,
			      errlen) &&
		     conf_set(conf, "fetch.wait.max.ms", "100", err, errlen);
	return ok;
}

rd_kafka_t *psc_verify_client(rd_kafka_type_t type, const char *bootstrap,
			      long timeout_ms, psc_verify_dr *dr, char *err,
			      size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (!conf_all(conf, type, bootstrap, timeout_ms, err, errlen)) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	if (dr) {
		rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
		rd_kafka_conf_set_opaque(conf, dr);
	}
	char e[512];
	rd_kafka_t *rk = rd_kafka_new(type, conf, e, sizeof(e));
	if (!rk) {
		snprintf(err, errlen, "librdkafka: cannot make a client: %s", e);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}
