/* kafka_answer.c - a broker's listeners asked for a Kafka answer (see
 * kafka_answer.h).
 *
 * MEASURED (2 cores, quiet, librdkafka 2.0.2, Kafka 3.7.1 serving in its
 * namespace): one ask, rd_kafka_new to rd_kafka_destroy, 7-17 ms (10 in a
 * row on EXTERNAL 39092); a port nothing listens on: the whole ms asked
 * (3 s), "Connect ... failed: Connection refused" kept as the last word.
 * Two asks a portmap broker: `up` to 3 brokers serving 6.0 s here. */
#define _GNU_SOURCE
#include "runtime/kafka_answer.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/net.h"
#include "base/util.h"
#include "model/addr.h"
#include "runtime/kafka.h"

struct ask {
	int nsfd;
	pthread_mutex_t mu;
	char last[256];               /* the client's last warning or error */
};

/* every socket librdkafka makes, made in the broker's namespace */
static int ns_socket_cb(int domain, int type, int protocol, void *opaque)
{
	const struct ask *a = opaque;
	(void)type;
	(void)protocol;
	if (domain != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	int e, fd = psc_tcp_socket_in(a->nsfd, &e);
	if (fd < 0)
		errno = e;
	return fd;
}

static void keep_last(struct ask *a, const char *what, const char *msg)
{
	pthread_mutex_lock(&a->mu);
	snprintf(a->last, sizeof(a->last), "%s: %s", what, msg);
	pthread_mutex_unlock(&a->mu);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *buf)
{
	if (level <= 4)
		keep_last(rd_kafka_opaque(rk), fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
		     void *opaque)
{
	(void)rk;
	keep_last(opaque, rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static bool set(rd_kafka_conf_t *conf, const char *k, const char *v,
		char *err, size_t errlen)
{
	char e[256];
	if (rd_kafka_conf_set(conf, k, v, e, sizeof(e)) == RD_KAFKA_CONF_OK)
		return true;
	psc_setf(err, errlen, "librdkafka: %s=%s: %s", k, v, e);
	return false;
}

int psc_kafka_answers(int nsfd, const char *addr, long ms, char *err,
		      size_t errlen)
{
	struct ask a = {.nsfd = nsfd, .mu = PTHREAD_MUTEX_INITIALIZER};
	char t[32];
	snprintf(t, sizeof(t), "%ld", ms < 1000 ? 1000 : ms);
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (!set(conf, "bootstrap.servers", addr, err, errlen) ||
	    !set(conf, "client.id", "pscLab-ready", err, errlen) ||
	    !set(conf, "socket.connection.setup.timeout.ms", t, err, errlen) ||
	    !set(conf, "api.version.request.timeout.ms", t, err, errlen) ||
	    !set(conf, "reconnect.backoff.ms", "50", err, errlen) ||
	    !set(conf, "reconnect.backoff.max.ms", "200", err, errlen) ||
	    !set(conf, "log_level", "4", err, errlen)) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_conf_set_socket_cb(conf, ns_socket_cb);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	rd_kafka_conf_set_opaque(conf, &a);
	char e[512];
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
	if (!rk) {
		psc_setf(err, errlen, "librdkafka: no client for %s: %s", addr,
			 e);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	long long t0 = psc_now_ms();
	const struct rd_kafka_metadata *md = NULL;
	/* all_topics 0, no topic: the brokers only, after ApiVersions */
	rd_kafka_resp_err_t rc = rd_kafka_metadata(rk, 0, NULL, &md,
						   (int)(ms > 0 ? ms : 1));
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(rk);
	if (rc == RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	pthread_mutex_lock(&a.mu);
	psc_setf(err, errlen, "%s gave no Kafka answer (ApiVersions + "
		 "Metadata) in %lld ms: %s%s%s", addr, psc_now_ms() - t0,
		 rd_kafka_err2str(rc), a.last[0] ? "; the client's last "
		 "word: " : "", a.last);
	pthread_mutex_unlock(&a.mu);
	return -1;
}

/* the protocol of listener name in kafka.listener_security_protocol_map */
static const char *protocol_of(const psc_kafka *k, const char *name)
{
	for (size_t i = 0; i < k->n_protocol_map; i++)
		if (strcmp(k->protocol_map[i].listener, name) == 0)
			return k->protocol_map[i].protocol;
	return "";
}

int psc_kafka_answer_addrs(const psc_topology *t, const psc_broker *b,
			   char (*out)[PSC_ADDR_LEN], size_t max, size_t *n,
			   char *err, size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	uint32_t ip;
	char ips[16];
	*n = 0;
	if (!psc_kafka_has_role(k, "broker"))
		return 0;             /* a controller alone: no client listener */
	psc_instance *in = psc_find_instance((psc_topology *)t, b->instance);
	if (!in || psc_instance_ip(t, in, &ip) < 0) {
		psc_setf(err, errlen, "broker '%s': instance has no address",
			 b->instance);
		return -1;
	}
	psc_ip_str(ip, ips, sizeof(ips));
	/* the inter-broker listener first: the one `up` waited for before */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < k->n_listeners && *n < max; i++) {
			const psc_listener *l = &k->listeners[i];
			bool inter = strcmp(l->name,
					    k->inter_broker_listener) == 0;
			uint32_t hip;
			char e2[64];
			if ((pass == 0) != inter ||
			    strcmp(l->name, k->controller_listener) == 0 ||
			    psc_kafka_listener_left_out(k, b, l->name) ||
			    strcmp(protocol_of(k, l->name), "PLAINTEXT") != 0)
				continue;
			if (!l->host[0] || strcmp(l->host, "0.0.0.0") == 0)
				snprintf(out[*n], PSC_ADDR_LEN, "%s:%ld", ips,
					 l->port);
			else if (psc_ip_parse(l->host, &hip, e2,
					      sizeof(e2)) == 0)
				snprintf(out[*n], PSC_ADDR_LEN, "%s:%ld",
					 l->host, l->port);
			else
				continue;   /* a name: TCP alone */
			(*n)++;
		}
	return 0;
}
