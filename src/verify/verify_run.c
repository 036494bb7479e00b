/* verify_run.c - `pscLab verify`'s checks, run in the lab's nodes with
 * librdkafka (see verify.h): one child process per node enters the node
 * (network namespace and /etc/netns files, as `ip netns exec`), makes its
 * checks and writes one JSON observation per check to a pipe; the parent
 * reads them within a budget, diagnoses them and assembles the report. */
#define _GNU_SOURCE
#include "verify/verify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "runtime/store.h"
#include "base/net.h"
#include "base/util.h"

#define END_LINE "END"
#define MAX_MD_BROKERS (2 * PSC_MAX_BROKERS)
#define RESOLVER_OPTIONS "timeout:1 attempts:2"


/* ======================================================================
 * The child: in a node, the checks
 * ====================================================================== */

/* What the child works from: the context, the options, the topic. */
struct job {
	const psc_verify_ctx *c;
	char host[PSC_HOST_LEN];          /* bootstrap host */
	int ports[PSC_MAX_BOOTSTRAP];
	size_t n_ports;
	long timeout_ms;
	long messages;
	const char *topic;
	int fd;                           /* the pipe to the parent */
	char kclient[PATH_MAX];           /* psclab-kclient, "" not found */
};

/* a broker of a Metadata response */
struct mdb {
	long id;
	char host[PSC_HOST_LEN];
	int port;
};

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

static void log_reset(void)
{
	pthread_mutex_lock(&log_mu);
	last_log[0] = '\0';
	pthread_mutex_unlock(&log_mu);
}

/* "last client log: <line>", or "" */
static void client_log(char *out, size_t len)
{
	pthread_mutex_lock(&log_mu);
	if (last_log[0])
		psc_setf(out, len, "last client log: %s", last_log);
	else
		out[0] = '\0';
	pthread_mutex_unlock(&log_mu);
}

/* "<what>" plus the last client log line, if any */
static void client_error(char *out, size_t len, const char *what)
{
	pthread_mutex_lock(&log_mu);
	if (last_log[0])
		psc_setf(out, len, "%s; last client log: %s", what, last_log);
	else
		psc_setf(out, len, "%s", what);
	pthread_mutex_unlock(&log_mu);
}

static void emit(struct job *j, const psc_verify_obs *o)
{
	static char line[8192];
	if (psc_verify_obs_json(o, line, sizeof(line) - 1) < 0) {
		psc_verify_obs e;
		psc_verify_obs_init(&e, o->node, o->name);
		e.sym = PSC_SYM_INTERNAL;
		PSC_SET(e.detail, "the observation does not fit a line");
		if (psc_verify_obs_json(&e, line, sizeof(line) - 1) < 0)
			return;
	}
	size_t n = strlen(line);
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(j->fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);   /* the parent is gone */
		off += (size_t)w;
	}
}

static void finish(struct job *j, psc_verify_obs *o, long long t0)
{
	o->ms = (long)(psc_now_ms() - t0);
	emit(j, o);
}

static long left(long long deadline)
{
	long long l = deadline - psc_now_ms();
	return l > 0 ? (long)l : 0;
}

static bool is_ip(const char *host)
{
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1;
}

/* host -> its first IPv4 address (the node's resolver); -1: none */
static int resolve(const char *host, char *addr, size_t len, char *err,
		   size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "getaddrinfo(%s): %s", host,
			 rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	const struct sockaddr_in *sa = (const struct sockaddr_in *)res->ai_addr;
	inet_ntop(AF_INET, &sa->sin_addr, addr, (socklen_t)len);
	freeaddrinfo(res);
	return 0;
}

/* TCP connect to addr:port within ms: OK, REFUSED or TIMEOUT */
static psc_verify_symptom tcp_probe(const char *addr, int port, long ms,
				    char *err, size_t errlen)
{
	struct in_addr in;
	if (inet_pton(AF_INET, addr, &in) != 1) {
		snprintf(err, errlen, "'%s' is no IPv4 address", addr);
		return PSC_SYM_INTERNAL;
	}
	int e = psc_tcp_probe(ntohl(in.s_addr), port, 0, ms);
	if (e == 0)
		return PSC_SYM_OK;
	if (e == ETIMEDOUT)
		snprintf(err, errlen, "connect %s:%d: no answer in %ld ms",
			 addr, port, ms);
	else
		snprintf(err, errlen, "connect %s:%d: %s", addr, port,
			 strerror(e));
	return e == ECONNREFUSED || e == ECONNRESET ? PSC_SYM_REFUSED
						    : PSC_SYM_TIMEOUT;
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

/* the producer's delivery reports, per message (the opaque is its index) */
enum { MSG_PENDING = 0, MSG_OK = 1, MSG_FAILED = 2 };

struct dr_state {
	long n;
	unsigned char *st;              /* MSG_* per message */
	rd_kafka_resp_err_t *err;       /* the last error per message */
	int32_t *partition;
};

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	struct dr_state *d = opaque;
	long i = (long)(intptr_t)m->_private;
	if (!d || !d->st || i < 0 || i >= d->n)
		return;
	d->st[i] = m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? MSG_OK : MSG_FAILED;
	d->err[i] = m->err;
	d->partition[i] = m->partition;
}

/* An error that only says the topic's metadata has not reached every
 * broker yet: right after CreateTopics, a broker that has not applied the
 * new topic answers Metadata with UNKNOWN_TOPIC_OR_PART, and librdkafka
 * 2.0.2 then drops the topic's partitions and fails their messages. */
static bool propagation_error(rd_kafka_resp_err_t e)
{
	return e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
	       e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	       e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	       e == RD_KAFKA_RESP_ERR__DESTROY;
}

/* A client bootstrapped on `bootstrap`, every wait bounded by timeout_ms.
 * NULL with err on failure. */
static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap,
			  long timeout_ms, struct dr_state *dr, char *err,
			  size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
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
	if (!ok) {
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

static size_t md_brokers(const rd_kafka_metadata_t *md, struct mdb *out,
			 size_t max)
{
	size_t n = 0;
	for (int i = 0; i < md->broker_cnt && n < max; i++) {
		out[n].id = md->brokers[i].id;
		psc_setf(out[n].host, sizeof(out[n].host), "%s",
		    md->brokers[i].host ? md->brokers[i].host : "");
		out[n].port = md->brokers[i].port;
		n++;
	}
	/* by id */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && out[k - 1].id > out[k].id; k--) {
			struct mdb tmp = out[k];
			out[k] = out[k - 1];
			out[k - 1] = tmp;
		}
	return n;
}

static const struct mdb *md_find(const struct mdb *b, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].id == id)
			return &b[i];
	return NULL;
}

static void md_list(const struct mdb *b, size_t n, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		psc_appendf(out, len, "%s%ld %s:%d", i ? ", " : "", b[i].id, b[i].host,
		    b[i].port);
}

/* Metadata's brokers, asked again (every 200 ms, until the deadline) while
 * a broker of the topology whose process runs is missing: right after the
 * brokers start, a broker's metadata may not list every broker yet, and
 * the changefeed's client retries Metadata too (gcp-psc-behaviour.md row
 * 22).  A broker whose process is not running is not waited for. */
static rd_kafka_resp_err_t metadata_brokers(const psc_verify_ctx *c,
					    rd_kafka_t *rk, long long deadline,
					    struct mdb *out, size_t *n)
{
	rd_kafka_resp_err_t e;
	*n = 0;
	for (;;) {
		const rd_kafka_metadata_t *m = NULL;
		e = rd_kafka_metadata(rk, 0, NULL, &m, (int)left(deadline) + 1);
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
			*n = md_brokers(m, out, MAX_MD_BROKERS);
		if (m)
			rd_kafka_metadata_destroy(m);
		if (e)
			return e;
		bool complete = true;
		for (size_t i = 0; i < c->n_brokers; i++)
			if (c->brokers[i].alive &&
			    !md_find(out, *n, c->brokers[i].node_id))
				complete = false;
		if (complete || left(deadline) < 300)
			return e;
		psc_sleep_ms(200);
	}
}

/* Resolve (unless an address) and connect: the symptom, o->addr filled */
static psc_verify_symptom reach(psc_verify_obs *o, const char *host, int port,
				const char *want_addr, long long deadline)
{
	PSC_SET(o->host, "%s", host);
	o->port = port;
	if (is_ip(host)) {
		PSC_SET(o->addr, "%s", host);
	} else if (resolve(host, o->addr, sizeof(o->addr), o->error,
			   sizeof(o->error)) < 0) {
		return PSC_SYM_UNRESOLVED;
	} else if (want_addr && strcmp(o->addr, want_addr) != 0) {
		return PSC_SYM_RESOLVED_ELSEWHERE;
	}
	return tcp_probe(o->addr, port, left(deadline), o->error,
			 sizeof(o->error));
}

/* The broker answering for id `id` in client rk (librdkafka routes a
 * BROKER resource's DescribeConfigs to that broker's handle, i.e. its
 * advertised address): OK when it is broker id itself; WRONG_BROKER with
 * o->reached when another one answered (it refuses the request: "Unexpected
 * broker id, expected <its id> ...", or answers with another node.id). */
static psc_verify_symptom identify(rd_kafka_t *rk, long id, long long deadline,
				   psc_verify_obs *o)
{
	char name[32], e[512];
	snprintf(name, sizeof(name), "%ld", id);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(
		rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	rd_kafka_AdminOptions_set_request_timeout(ao, (int)left(deadline) + 1,
						  e, sizeof(e));
	rd_kafka_ConfigResource_t *res =
		rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
	rd_kafka_DescribeConfigs(rk, &res, 1, ao, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)left(deadline) +
							   2000);
	psc_verify_symptom s = PSC_SYM_KAFKA_ERROR;
	if (!ev) {
		client_error(o->error, sizeof(o->error),
			     "DescribeConfigs: no result in time");
		PSC_SET(o->detail, "broker %ld did not answer DescribeConfigs at "
		    "its advertised address", id);
	} else if (rd_kafka_event_error(ev)) {
		char what[600];
		snprintf(what, sizeof(what), "DescribeConfigs: %s",
			 rd_kafka_event_error_string(ev));
		client_error(o->error, sizeof(o->error), what);
		PSC_SET(o->detail, "broker %ld did not answer DescribeConfigs at "
		    "its advertised address", id);
	} else {
		size_t cnt = 0;
		const rd_kafka_ConfigResource_t **rs =
			rd_kafka_DescribeConfigs_result_resources(
				rd_kafka_event_DescribeConfigs_result(ev), &cnt);
		if (cnt < 1) {
			PSC_SET(o->error, "DescribeConfigs: an empty result");
		} else if (rd_kafka_ConfigResource_error(rs[0])) {
			const char *es = rd_kafka_ConfigResource_error_string(rs[0]);
			/* "Unexpected broker id, expected 3 or empty
			 * string, but received 2" (Kafka's ConfigHelper) */
			const char *x = es ? strstr(es, ", expected ") : NULL;
			PSC_SET(o->error, "DescribeConfigs(BROKER %ld): %s: %s", id,
			    rd_kafka_err2name(rd_kafka_ConfigResource_error(rs[0])),
			    es ? es : "");
			char *endp;
			long r = x ? strtol(x + 11, &endp, 10) : -1;
			if (x && endp != x + 11 && r != id) {
				o->reached = r;
				s = PSC_SYM_WRONG_BROKER;
			} else if (rd_kafka_ConfigResource_error(rs[0]) ==
				   RD_KAFKA_RESP_ERR_INVALID_REQUEST) {
				s = PSC_SYM_WRONG_BROKER;
			}
		} else {
			size_t nc = 0;
			const rd_kafka_ConfigEntry_t **ce =
				rd_kafka_ConfigResource_configs(rs[0], &nc);
			long got = -1;
			for (size_t i = 0; i < nc; i++) {
				const char *k = rd_kafka_ConfigEntry_name(ce[i]);
				const char *v = rd_kafka_ConfigEntry_value(ce[i]);
				if (k && v && (strcmp(k, "node.id") == 0 ||
					       (got < 0 &&
						strcmp(k, "broker.id") == 0)))
					got = strtol(v, NULL, 10);
			}
			if (got == id) {
				s = PSC_SYM_OK;
			} else if (got >= 0) {
				o->reached = got;
				s = PSC_SYM_WRONG_BROKER;
			} else {
				PSC_SET(o->error, "DescribeConfigs(BROKER %ld): "
				    "no node.id in the answer", id);
			}
		}
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(res);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_queue_destroy(q);
	return s;
}

/* CreateTopics (validate_only or not) / DeleteTopics: 0, or -1 with err */
static int topic_op(rd_kafka_t *rk, const char *topic, int partitions, int rf,
		    bool create, bool validate_only, long long deadline,
		    char *err, size_t errlen)
{
	char e[512];
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(
		rk, create ? RD_KAFKA_ADMIN_OP_CREATETOPICS
			   : RD_KAFKA_ADMIN_OP_DELETETOPICS);
	int ms = (int)left(deadline) + 1;
	rd_kafka_AdminOptions_set_request_timeout(ao, ms, e, sizeof(e));
	rd_kafka_AdminOptions_set_operation_timeout(ao, ms, e, sizeof(e));
	if (validate_only)
		rd_kafka_AdminOptions_set_validate_only(ao, 1, e, sizeof(e));
	rd_kafka_NewTopic_t *nt = NULL;
	rd_kafka_DeleteTopic_t *dt = NULL;
	if (create) {
		nt = rd_kafka_NewTopic_new(topic, partitions, rf, e, sizeof(e));
		if (!nt) {
			snprintf(err, errlen, "NewTopic: %s", e);
			rd_kafka_AdminOptions_destroy(ao);
			rd_kafka_queue_destroy(q);
			return -1;
		}
		rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
	} else {
		dt = rd_kafka_DeleteTopic_new(topic);
		rd_kafka_DeleteTopics(rk, &dt, 1, ao, q);
	}
	const char *op = create ? (validate_only ? "CreateTopics (validate "
						    "only)" : "CreateTopics")
				: "DeleteTopics";
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ms + 2000);
	int rc = -1;
	if (!ev) {
		char what[128];
		snprintf(what, sizeof(what), "%s: no result in time", op);
		client_error(err, errlen, what);
	} else if (rd_kafka_event_error(ev)) {
		char what[600];
		snprintf(what, sizeof(what), "%s: %s", op,
			 rd_kafka_event_error_string(ev));
		client_error(err, errlen, what);
	} else {
		size_t cnt = 0;
		const rd_kafka_topic_result_t **tr =
			create ? rd_kafka_CreateTopics_result_topics(
					 rd_kafka_event_CreateTopics_result(ev),
					 &cnt)
			       : rd_kafka_DeleteTopics_result_topics(
					 rd_kafka_event_DeleteTopics_result(ev),
					 &cnt);
		if (cnt < 1)
			snprintf(err, errlen, "%s: an empty result", op);
		else if (rd_kafka_topic_result_error(tr[0]))
			snprintf(err, errlen, "%s %s: %s: %s", op, topic,
				 rd_kafka_err2name(
					 rd_kafka_topic_result_error(tr[0])),
				 rd_kafka_topic_result_error_string(tr[0])
					 ? rd_kafka_topic_result_error_string(
						   tr[0])
					 : "");
		else
			rc = 0;
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	if (nt)
		rd_kafka_NewTopic_destroy(nt);
	if (dt)
		rd_kafka_DeleteTopic_destroy(dt);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_queue_destroy(q);
	return rc;
}

/* wait until the topic has its partitions, each with a leader */
static int topic_leaders(rd_kafka_t *rk, const char *topic, int partitions,
			 long *leaders, char *note, size_t notelen,
			 long long deadline, char *err, size_t errlen)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	if (!rkt) {
		snprintf(err, errlen, "rd_kafka_topic_new: %s",
			 rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	int rc = -1;
	snprintf(err, errlen, "the topic's partitions got no leaders in time");
	do {
		const rd_kafka_metadata_t *md = NULL;
		rd_kafka_resp_err_t e = rd_kafka_metadata(
			rk, 0, rkt, &md, (int)(left(deadline) > 1000 ? 1000
							: left(deadline) + 1));
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
		    !md->topics[0].err &&
		    md->topics[0].partition_cnt == partitions) {
			int ok = 0;
			for (int i = 0; i < partitions; i++) {
				const rd_kafka_metadata_partition_t *p =
					&md->topics[0].partitions[i];
				if (p->id >= 0 && p->id < partitions &&
				    p->leader >= 0 && !p->err) {
					leaders[p->id] = p->leader;
					ok++;
				}
			}
			rc = ok == partitions ? 0 : -1;
			/* replicas out of sync: say so (a stopped broker is
			 * still given replicas while it is registered) */
			note[0] = '\0';
			for (int i = 0; rc == 0 && i < partitions; i++) {
				const rd_kafka_metadata_partition_t *p =
					&md->topics[0].partitions[i];
				if (p->isr_cnt >= p->replica_cnt)
					continue;
				psc_appendf(note, notelen, "%s partition %d in sync "
				    "%d of %d (", note[0] ? ";" : "; "
				    "under-replicated:", (int)p->id,
				    p->isr_cnt, p->replica_cnt);
				const char *sep = "out of sync: broker";
				for (int r = 0; r < p->replica_cnt; r++) {
					bool in = false;
					for (int k = 0; k < p->isr_cnt; k++)
						in |= p->isrs[k] == p->replicas[r];
					if (!in) {
						psc_appendf(note, notelen, "%s %d", sep,
						    (int)p->replicas[r]);
						sep = ",";
					}
				}
				psc_appendf(note, notelen, ")");
			}
		} else if (e) {
			client_error(err, errlen, rd_kafka_err2str(e));
		}
		if (md)
			rd_kafka_metadata_destroy(md);
		if (rc == 0)
			break;
		psc_sleep_ms(100);
	} while (left(deadline) > 0);
	rd_kafka_topic_destroy(rkt);
	return rc;
}

static void name_of(char *out, size_t len, const struct job *j,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void name_of(char *out, size_t len, const struct job *j,
		    const char *fmt, ...)
{
	(void)j;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* 1. every bootstrap port alone: connect, ApiVersions, Metadata.  The
 * first answer's brokers go to md/n_md; ok[i] tells which ports answered. */
static void check_bootstrap(struct job *j, struct mdb *md, size_t *n_md,
			    bool *ok)
{
	const psc_verify_ctx *c = j->c;
	for (size_t i = 0; i < j->n_ports; i++) {
		psc_verify_obs o;
		char name[PSC_VERIFY_NAME_LEN], bs[PSC_ADDR_LEN + 8];
		name_of(name, sizeof(name), j, "%s: bootstrap %s:%d",
			c->changefeed, j->host, j->ports[i]);
		psc_verify_obs_init(&o, c->changefeed, name);
		long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
		ok[i] = false;
		log_reset();
		o.sym = reach(&o, j->host, j->ports[i], c->endpoint_ip,
			      deadline);
		if (o.sym != PSC_SYM_OK) {
			finish(j, &o, t0);
			continue;
		}
		snprintf(bs, sizeof(bs), "%s:%d", j->host, j->ports[i]);
		rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bs, j->timeout_ms,
					NULL, o.detail, sizeof(o.detail));
		if (!rk) {
			o.sym = PSC_SYM_INTERNAL;
			finish(j, &o, t0);
			continue;
		}
		struct mdb b[MAX_MD_BROKERS];
		size_t nb = 0;
		rd_kafka_resp_err_t e = metadata_brokers(c, rk, deadline, b,
							 &nb);
		if (e) {
			o.sym = PSC_SYM_KAFKA_ERROR;
			char what[256];
			snprintf(what, sizeof(what), "Metadata: %s",
				 rd_kafka_err2str(e));
			client_error(o.error, sizeof(o.error), what);
			PSC_SET(o.detail, "%s:%d accepts TCP connections but "
			    "ApiVersions + Metadata got no answer", j->host,
			    j->ports[i]);
		} else {
			char list[1024];
			md_list(b, nb, list, sizeof(list));
			PSC_SET(o.detail, "ApiVersions and Metadata answered: "
			    "%zu broker%s (%s), controller %ld", nb,
			    nb == 1 ? "" : "s", list,
			    (long)rd_kafka_controllerid(rk, 0));
			if (!*n_md) {
				memcpy(md, b, nb * sizeof(*b));
				*n_md = nb;
			}
			ok[i] = true;
		}
		rd_kafka_destroy(rk);
		finish(j, &o, t0);
	}
}

/* 2. one broker: its advertised name resolves to the endpoint, connects,
 * and the broker answering there is that broker */
/* Behind several instance-group backends every new connection is hashed
 * to one of them: the same advertised address through FRESH_TRIES_PER
 * backend new clients (new connections), each asked which broker it is.
 * One that reached another broker turns o into WRONG_BROKER, the counts in
 * its detail. */
#define FRESH_TRIES_PER 4
static void fresh_connections(struct job *j, const char *addr, long id,
			      psc_verify_obs *o)
{
	const psc_verify_ctx *c = j->c;
	size_t tries = FRESH_TRIES_PER * c->lb_backends, done = 1;
	size_t right = o->sym == PSC_SYM_OK ? 1 : 0;
	long wrong_id = -1;
	size_t wrong = 0, failed = o->sym == PSC_SYM_OK ? 0 : 1;
	char fail_err[160] = "";
	if (failed)
		PSC_SET(fail_err, "%s", o->error);
	for (size_t t = 0; t < tries; t++) {
		char err[256];
		long long dl = psc_now_ms() + j->timeout_ms;
		rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, addr, j->timeout_ms,
					NULL, err, sizeof(err));
		if (!rk)
			break;
		psc_verify_obs t_o;
		psc_verify_obs_init(&t_o, o->node, o->name);
		psc_verify_symptom s = identify(rk, id, dl, &t_o);
		rd_kafka_destroy(rk);
		done++;
		if (s == PSC_SYM_OK) {
			right++;
		} else if (s == PSC_SYM_WRONG_BROKER) {
			wrong++;
			if (wrong_id < 0)
				wrong_id = t_o.reached;
		} else {
			failed++;
			if (!fail_err[0])
				PSC_SET(fail_err, "%s", t_o.error);
		}
	}
	if (wrong) {
		/* also when the first connection failed: the other backend
		 * may have no listener for that port at all */
		o->error[0] = '\0';
		o->sym = PSC_SYM_WRONG_BROKER;
		o->reached = wrong_id;
		PSC_SET(o->detail, "%zu of %zu connections reached broker "
		    "%ld, %zu broker %ld", wrong, done, wrong_id, right, id);
		if (failed)
			PSC_APP(o->detail, ", %zu failed", failed);
	} else if (right && failed) {
		/* the same address works on one backend and not on another:
		 * the backends disagree about it (the other one may have no
		 * listener there, or one for another broker that drops it) */
		o->error[0] = '\0';
		o->sym = PSC_SYM_WRONG_BROKER;
		o->reached = -1;
		PSC_SET(o->detail, "%zu of %zu connections answered as broker %ld, "
		    "%zu failed (%s)", right, done, id, failed, fail_err);
	} else if (o->sym == PSC_SYM_OK) {
		PSC_APP(o->detail, "; %zu of %zu connections (new clients) through the %zu "
		    "backends answered as broker %ld", right, done,
		    c->lb_backends, id);
	}
}

static psc_verify_symptom check_broker(struct job *j, rd_kafka_t *rk,
				       const struct mdb *md, size_t n_md,
				       long id)
{
	const psc_verify_ctx *c = j->c;
	const psc_verify_broker *tb = psc_verify_ctx_broker(c, id);
	const struct mdb *b = md_find(md, n_md, id);
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	if (b)
		name_of(name, sizeof(name), j, "%s: broker %ld at %s:%d",
			c->changefeed, id, b->host, b->port);
	else
		name_of(name, sizeof(name), j, "%s: broker %ld (%s)",
			c->changefeed, id, tb ? tb->instance : "?");
	psc_verify_obs_init(&o, c->changefeed, name);
	o.expected = id;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	log_reset();
	if (!b) {
		o.sym = PSC_SYM_MISSING;
		finish(j, &o, t0);
		return o.sym;
	}
	char got[PSC_ADDR_LEN];
	snprintf(got, sizeof(got), "%s:%d", b->host, b->port);
	if (tb && tb->external[0] && strcmp(got, tb->external) != 0) {
		o.sym = PSC_SYM_ADVERTISED;
		PSC_SET(o.host, "%s", b->host);
		o.port = b->port;
		PSC_SET(o.want, "%s", tb->external);
		finish(j, &o, t0);
		return o.sym;
	}
	o.sym = reach(&o, b->host, b->port, c->endpoint_ip, deadline);
	if (o.sym == PSC_SYM_OK)
		o.sym = identify(rk, id, deadline, &o);
	if (o.sym == PSC_SYM_OK)
		PSC_SET(o.detail, "%s resolves to %s; broker %ld answers there as "
		    "itself (DescribeConfigs BROKER %ld: node.id %ld)",
		    b->host, o.addr, id, id, id);
	if ((o.sym == PSC_SYM_OK || o.sym == PSC_SYM_KAFKA_ERROR) &&
	    c->lb_backends > 1)
		fresh_connections(j, got, id, &o);
	finish(j, &o, t0);
	return o.sym;
}

/* 3b. Every response that names brokers, as TiCDC's default Kafka library
 * (franz-go) receives them: psclab-kclient probe, run here in the node,
 * asks each bootstrap address for Metadata, DescribeCluster and
 * FindCoordinator and prints every broker address they name.  One check
 * per API: an address outside the advertised domain is LEAKED (the
 * diagnosis decides FAIL or WARN by the API). */
#define KCLIENT_APIS 3
static const char *const kclient_apis[KCLIENT_APIS] = {
	"Metadata", "DescribeCluster", "FindCoordinator"};

static bool in_domain(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);
	return d && h > d + 1 && host[h - d - 1] == '.' &&
	       strcmp(host + h - d, domain) == 0;
}

static void check_addresses(struct job *j, const char *bootstrap)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o[KCLIENT_APIS];
	size_t seen[KCLIENT_APIS] = {0}, leaked[KCLIENT_APIS] = {0};
	bool asked[KCLIENT_APIS] = {false};
	char err[KCLIENT_APIS][256];
	long long t0 = psc_now_ms();
	for (int a = 0; a < KCLIENT_APIS; a++) {
		char name[PSC_VERIFY_NAME_LEN];
		name_of(name, sizeof(name), j, "%s: %s names only advertised "
			"addresses (franz-go)", c->changefeed, kclient_apis[a]);
		psc_verify_obs_init(&o[a], c->changefeed, name);
		PSC_SET(o[a].api, "%s", kclient_apis[a]);
		err[a][0] = '\0';
	}
	if (!j->kclient[0]) {
		for (int a = 0; a < KCLIENT_APIS; a++) {
			o[a].sym = PSC_SYM_SKIPPED;
			PSC_SET(o[a].detail, "not run: psclab-kclient (the franz-go "
			    "client, make bin/psclab-kclient) is not installed "
			    "beside pscLab, and PSCLAB_KCLIENT is not set");
			finish(j, &o[a], t0);
		}
		return;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return;
	char tmo[32];
	snprintf(tmo, sizeof(tmo), "%ldms", j->timeout_ms);
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(nul, 2) < 0)
			_exit(126);
		char *argv[] = {j->kclient, "probe", "--client", "franz",
				"--bootstrap", (char *)bootstrap, "--timeout",
				tmo, NULL};
		execv(j->kclient, argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return;
	}
	/* read its lines, bounded: its own timeout per bootstrap address,
	 * and ours */
	long long deadline = psc_now_ms() + (long long)j->timeout_ms *
				(long long)(j->n_ports + 1) + 5000;
	char buf[8192];
	size_t len = 0;
	bool eof = false;
	while (!eof && psc_now_ms() < deadline) {
		struct pollfd pf = {pfd[0], POLLIN, 0};
		if (poll(&pf, 1, 200) <= 0)
			continue;
		ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			eof = true;
			n = 0;
		}
		len += (size_t)n;
		buf[len] = '\0';
		char *nl;
		while ((nl = strchr(buf, '\n')) || (eof && len)) {
			if (nl)
				*nl = '\0';
			json_error_t je;
			json_t *l = json_loads(buf, 0, &je);
			const char *api = json_string_value(json_object_get(l,
									 "api"));
			const char *req = json_string_value(json_object_get(
				l, "request"));
			for (int a = 0; l && a < KCLIENT_APIS; a++) {
				if (req && strcmp(req, kclient_apis[a]) == 0) {
					asked[a] = true;
					const char *e = json_string_value(
						json_object_get(l, "error"));
					if (!json_is_true(json_object_get(l, "ok")) &&
					    e && !err[a][0])
						snprintf(err[a], sizeof(err[a]),
							 "%s", e);
				}
				if (!api || strcmp(api, kclient_apis[a]) != 0)
					continue;
				const char *h = json_string_value(
					json_object_get(l, "host"));
				long port = (long)json_integer_value(
					json_object_get(l, "port"));
				seen[a]++;
				if (h && !in_domain(h, c->domain) &&
				    leaked[a]++ == 0) {
					PSC_SET(o[a].host, "%s", h);
					o[a].port = (int)port;
					o[a].expected = (long)json_integer_value(
						json_object_get(l, "node_id"));
					PSC_SET(o[a].detail, "from %s, the client "
					    "asked through %s",
					    json_string_value(json_object_get(
						    l, "bootstrap")) ?: "?",
					    c->approach == PSC_APPROACH_PROXY
						    ? "kafka-proxy" : "PSC");
				}
			}
			json_decref(l);
			if (!nl) {
				len = 0;
				break;
			}
			size_t rest = len - (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, rest + 1);
			len = rest;
		}
		if (len >= sizeof(buf) - 1)
			len = 0;     /* a line too long: dropped */
	}
	close(pfd[0]);
	int st = 0;
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	for (int a = 0; a < KCLIENT_APIS; a++) {
		if (leaked[a]) {
			o[a].sym = PSC_SYM_LEAKED;
			if (leaked[a] > 1)
				PSC_APP(o[a].detail, "; %zu of its %zu broker "
				    "addresses are outside the domain",
				    leaked[a], seen[a]);
		} else if (seen[a]) {
			o[a].sym = PSC_SYM_OK;
			PSC_SET(o[a].detail, "%zu broker address%s, all in %s", seen[a],
			    seen[a] == 1 ? "" : "es", c->domain);
		} else if (asked[a] && err[a][0]) {
			o[a].sym = PSC_SYM_KAFKA_ERROR;
			PSC_SET(o[a].detail, "%s was refused or failed",
			    kclient_apis[a]);
			PSC_SET(o[a].error, "%s", err[a]);
		} else {
			o[a].sym = PSC_SYM_INTERNAL;
			PSC_SET(o[a].detail, "psclab-kclient printed no %s answer "
			    "(exit status %d)", kclient_apis[a],
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		}
		finish(j, &o[a], t0);
	}
}

/* 3. the controller of the metadata: as itself, and takes CreateTopics */
static void check_controller(struct job *j, rd_kafka_t *rk,
			     const struct mdb *md, size_t n_md)
{
	const psc_verify_ctx *c = j->c;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	log_reset();
	long id = rd_kafka_controllerid(rk, (int)left(deadline));
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	name_of(name, sizeof(name), j, "%s: controller (broker %ld)",
		c->changefeed, id);
	psc_verify_obs_init(&o, c->changefeed, name);
	o.expected = id;
	const struct mdb *b = id >= 0 ? md_find(md, n_md, id) : NULL;
	if (!b) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o.detail, "the metadata names no controller among its "
		    "brokers (controller id %ld)", id);
		finish(j, &o, t0);
		return;
	}
	o.sym = reach(&o, b->host, b->port, j->c->endpoint_ip, deadline);
	if (o.sym == PSC_SYM_OK)
		o.sym = identify(rk, id, deadline, &o);
	if (o.sym == PSC_SYM_OK) {
		char e[PSC_VERIFY_TEXT_LEN];
		if (topic_op(rk, j->topic, PSC_VERIFY_PARTITIONS, 1, true, true,
			     deadline, e, sizeof(e)) < 0) {
			o.sym = PSC_SYM_KAFKA_ERROR;
			PSC_SET(o.error, "%s", e);
			PSC_SET(o.detail, "the controller, broker %ld at %s:%d, "
			    "did not validate CreateTopics", id, b->host,
			    b->port);
		} else {
			PSC_SET(o.detail, "broker %ld at %s:%d answers as itself "
			    "and validates CreateTopics (in KRaft the "
			    "metadata's controller is a broker that forwards "
			    "to the active controller)", id, b->host, b->port);
		}
	}
	finish(j, &o, t0);
}

static void skip_obs(struct job *j, const char *name, const char *why)
{
	psc_verify_obs o;
	psc_verify_obs_init(&o, j->c->changefeed, name);
	o.sym = PSC_SYM_SKIPPED;
	PSC_SET(o.detail, "%s", why);
	emit(j, &o);
}

/* 4b. produce j->messages with acks=all, round-robin over partitions;
 * messages failed by the topic's metadata propagation are produced again
 * while the check's time lasts */
static long check_produce(struct job *j, rd_kafka_t *rk, struct dr_state *dr,
			  int partitions, const long *leaders)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	name_of(name, sizeof(name), j, "%s: produce %ld messages (acks=all)",
		c->changefeed, j->messages);
	psc_verify_obs_init(&o, c->changefeed, name);
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	log_reset();
	dr->n = j->messages;
	dr->st = calloc((size_t)j->messages, 1);
	dr->err = calloc((size_t)j->messages, sizeof(*dr->err));
	dr->partition = calloc((size_t)j->messages, sizeof(*dr->partition));
	if (!dr->st || !dr->err || !dr->partition) {
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "out of memory for %ld messages", j->messages);
		finish(j, &o, t0);
		free(dr->st);
		free(dr->err);
		free(dr->partition);
		memset(dr, 0, sizeof(*dr));
		return 0;
	}
	long refused = 0, rounds = 0, ok = 0;
	char rerr[256] = "";
	for (;;) {
		rounds++;
		refused = 0;
		for (long i = 0; i < j->messages; i++) {
			if (dr->st[i] == MSG_OK ||
			    (dr->st[i] == MSG_FAILED &&
			     !propagation_error(dr->err[i])))
				continue;
			char key[32], val[128];
			int kl = snprintf(key, sizeof(key), "%ld", i);
			int vl = snprintf(val, sizeof(val),
					  "pscLab verify %s %ld", c->lab, i);
			rd_kafka_resp_err_t e;
			dr->st[i] = MSG_PENDING;
			for (;;) {
				e = rd_kafka_producev(
					rk, RD_KAFKA_V_TOPIC(j->topic),
					RD_KAFKA_V_PARTITION(
						(int32_t)(i % partitions)),
					RD_KAFKA_V_KEY(key, (size_t)kl),
					RD_KAFKA_V_VALUE(val, (size_t)vl),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					RD_KAFKA_V_OPAQUE((void *)(intptr_t)i),
					RD_KAFKA_V_END);
				if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
				    left(deadline) == 0)
					break;
				rd_kafka_poll(rk, 10);
			}
			if (e) {
				dr->st[i] = MSG_FAILED;
				dr->err[i] = e;
				dr->partition[i] = (int32_t)(i % partitions);
				if (!refused++)
					PSC_SET(rerr, "%s", rd_kafka_err2str(e));
			}
			rd_kafka_poll(rk, 0);
		}
		rd_kafka_flush(rk, (int)left(deadline) + 1);
		if (rd_kafka_outq_len(rk) > 0) {
			rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE |
						   RD_KAFKA_PURGE_F_INFLIGHT);
			rd_kafka_flush(rk, 1000);
		}
		long again = 0;
		ok = 0;
		for (long i = 0; i < j->messages; i++) {
			ok += dr->st[i] == MSG_OK;
			again += dr->st[i] == MSG_FAILED &&
				 propagation_error(dr->err[i]);
		}
		if (!again || left(deadline) < 200)
			break;
		psc_sleep_ms(100);   /* let the topic reach every broker */
	}
	if (ok == j->messages) {
		o.sym = PSC_SYM_OK;
		PSC_SET(o.detail, "%ld messages delivered to %d partitions with "
		    "acks=all", ok, partitions);
		if (rounds > 1)
			PSC_APP(o.detail, " (%ld rounds: the new topic reached "
			    "the brokers' metadata late)", rounds);
	} else {
		o.sym = PSC_SYM_INCOMPLETE;
		long first = -1, per[PSC_VERIFY_PARTITIONS] = {0};
		for (long i = 0; i < j->messages; i++)
			if (dr->st[i] != MSG_OK) {
				if (first < 0)
					first = i;
				int p = (int)(i % partitions);
				if (p < PSC_VERIFY_PARTITIONS)
					per[p]++;
			}
		int p = first >= 0 ? (int)(first % partitions) : -1;
		if (p >= 0 && p < partitions)
			o.expected = leaders[p];
		PSC_SET(o.detail, "%ld of %ld messages delivered", ok, j->messages);
		if (p >= 0) {
			PSC_APP(o.detail, "; undelivered per partition:");
			for (int k = 0; k < partitions; k++)
				PSC_APP(o.detail, " %d (leader broker %ld): %ld", k,
				    leaders[k], per[k]);
			rd_kafka_resp_err_t fe = dr->err[first];
			if (dr->st[first] != MSG_FAILED ||
			    fe == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
			    fe == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
			    fe == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
				PSC_APP(o.detail, "; partition %d: not delivered "
				    "within %ld ms", p, j->timeout_ms);
			else
				PSC_APP(o.detail, "; partition %d: %s", p,
				    rd_kafka_err2str(fe));
		}
		if (refused)
			PSC_APP(o.detail, "; %ld not queued in the last round: %s",
			    refused, rerr);
		client_log(o.error, sizeof(o.error));
	}
	finish(j, &o, t0);
	free(dr->st);
	free(dr->err);
	free(dr->partition);
	memset(dr, 0, sizeof(*dr));
	return ok;
}

/* 4c. consume every partition from the beginning until `want` messages */
static void check_consume(struct job *j, const char *bootstrap,
			  int partitions, const long *leaders, long want)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	name_of(name, sizeof(name), j, "%s: consume the %ld messages back",
		c->changefeed, want);
	psc_verify_obs_init(&o, c->changefeed, name);
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	log_reset();
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, bootstrap, j->timeout_ms,
				NULL, o.detail, sizeof(o.detail));
	if (!rk) {
		o.sym = PSC_SYM_INTERNAL;
		finish(j, &o, t0);
		return;
	}
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, j->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	unsigned char *seen = calloc((size_t)j->messages + 1, 1);
	long got = 0, dup = 0, per[PSC_VERIFY_PARTITIONS] = {0};
	char ferr[256] = "";
	int ferr_p = -1;
	for (int p = 0; rkt && p < partitions; p++)
		rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING,
					     q);
	while (rkt && seen && got < want && left(deadline) > 0) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(
			q, (int)(left(deadline) > 200 ? 200 : left(deadline)));
		if (!m)
			continue;
		if (m->err) {
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF &&
			    !ferr[0]) {
				PSC_SET(ferr, "%s", rd_kafka_message_errstr(m));
				ferr_p = (int)m->partition;
			}
		} else {
			char key[32] = "";
			size_t kl = m->key_len < sizeof(key) - 1
					    ? m->key_len : sizeof(key) - 1;
			if (m->key)
				memcpy(key, m->key, kl);
			char *end;
			long i = strtol(key, &end, 10);
			if (end != key && i >= 0 && i < j->messages) {
				if (seen[i])
					dup++;
				else {
					seen[i] = 1;
					got++;
					if (m->partition >= 0 &&
					    m->partition < PSC_VERIFY_PARTITIONS)
						per[m->partition]++;
				}
			}
		}
		rd_kafka_message_destroy(m);
	}
	for (int p = 0; rkt && p < partitions; p++)
		rd_kafka_consume_stop(rkt, p);
	if (got == want) {
		o.sym = PSC_SYM_OK;
		PSC_SET(o.detail, "%ld of %ld consumed from %d partitions (", got,
		    want, partitions);
		for (int p = 0; p < partitions; p++)
			PSC_APP(o.detail, "%s%ld", p ? "/" : "", per[p]);
		PSC_APP(o.detail, ")%s", dup ? ", with duplicates" : "");
	} else {
		o.sym = PSC_SYM_INCOMPLETE;
		/* the first partition short of its share */
		int shortp = ferr_p;
		for (int p = 0; shortp < 0 && p < partitions; p++)
			if (per[p] < (want + partitions - 1 - p) / partitions)
				shortp = p;
		if (shortp >= 0 && shortp < partitions)
			o.expected = leaders[shortp];
		PSC_SET(o.detail, "%ld of %ld messages consumed in %ld ms", got,
		    want, j->timeout_ms);
		if (shortp >= 0)
			PSC_APP(o.detail, "; partition %d (leader broker %ld) fell "
			    "short%s%s", shortp, o.expected, ferr[0] ? ": " : "",
			    ferr);
		client_log(o.error, sizeof(o.error));
	}
	free(seen);
	if (q)
		rd_kafka_queue_destroy(q);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	finish(j, &o, t0);
}

static void run_changefeed(struct job *j)
{
	const psc_verify_ctx *c = j->c;
	struct mdb md[MAX_MD_BROKERS];
	size_t n_md = 0;
	bool ok[PSC_MAX_BOOTSTRAP];
	char name[PSC_VERIFY_NAME_LEN], why[256];

	check_bootstrap(j, md, &n_md, ok);

	char bootstrap[PSC_MAX_BOOTSTRAP * (PSC_HOST_LEN + 8)] = "";
	for (size_t i = 0; i < j->n_ports; i++)
		if (ok[i])
			psc_appendf(bootstrap, sizeof(bootstrap), "%s%s:%d",
			    bootstrap[0] ? "," : "", j->host, j->ports[i]);
	int rf = c->n_brokers < 3 ? (int)c->n_brokers : 3;
	if (!bootstrap[0]) {
		snprintf(why, sizeof(why), "not run: no bootstrap port "
			 "answered");
		for (size_t i = 0; i < c->n_brokers; i++) {
			name_of(name, sizeof(name), j, "%s: broker %ld (%s)",
				c->changefeed, c->brokers[i].node_id,
				c->brokers[i].instance);
			skip_obs(j, name, why);
		}
		name_of(name, sizeof(name), j, "%s: controller",
			c->changefeed);
		skip_obs(j, name, why);
		name_of(name, sizeof(name), j, "%s: create topic %s",
			c->changefeed, j->topic);
		skip_obs(j, name, why);
		return;
	}

	/* the changefeed's client: every bootstrap port that answered */
	struct dr_state dr;
	memset(&dr, 0, sizeof(dr));
	char err[PSC_VERIFY_TEXT_LEN];
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, j->timeout_ms,
				&dr, err, sizeof(err));
	if (!rk) {
		psc_verify_obs o;
		name_of(name, sizeof(name), j, "%s: Kafka client",
			c->changefeed);
		psc_verify_obs_init(&o, c->changefeed, name);
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "%s", err);
		emit(j, &o);
		return;
	}
	{
		struct mdb m2[MAX_MD_BROKERS];
		size_t n2 = 0;
		if (metadata_brokers(c, rk, psc_now_ms() + j->timeout_ms, m2,
				     &n2) == RD_KAFKA_RESP_ERR_NO_ERROR) {
			memcpy(md, m2, n2 * sizeof(*m2));
			n_md = n2;
		}
	}

	/* 2. brokers: the metadata's and the topology's, by id */
	long ids[MAX_MD_BROKERS + PSC_MAX_BROKERS];
	size_t n_ids = 0;
	for (size_t i = 0; i < n_md; i++)
		ids[n_ids++] = md[i].id;
	for (size_t i = 0; i < c->n_brokers; i++) {
		bool have = false;
		for (size_t k = 0; k < n_ids; k++)
			have |= ids[k] == c->brokers[i].node_id;
		if (!have)
			ids[n_ids++] = c->brokers[i].node_id;
	}
	for (size_t i = 1; i < n_ids; i++)
		for (size_t k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
			long tmp = ids[k];
			ids[k] = ids[k - 1];
			ids[k - 1] = tmp;
		}
	for (size_t i = 0; i < n_ids; i++)
		check_broker(j, rk, md, n_md, ids[i]);

	/* 3. the controller */
	check_controller(j, rk, md, n_md);

	/* 3b. broker addresses in Metadata, DescribeCluster, FindCoordinator
	 * as franz-go sees them */
	check_addresses(j, bootstrap);

	/* 4. topic, produce, consume, delete */
	long long t0 = psc_now_ms();
	psc_verify_obs o;
	name_of(name, sizeof(name), j, "%s: create topic %s (%d partitions, "
		"replication factor %d)", c->changefeed, j->topic,
		PSC_VERIFY_PARTITIONS, rf);
	psc_verify_obs_init(&o, c->changefeed, name);
	log_reset();
	long leaders[PSC_VERIFY_PARTITIONS] = {-1, -1, -1};
	long long deadline = t0 + j->timeout_ms;
	bool created = false;
	if (topic_op(rk, j->topic, PSC_VERIFY_PARTITIONS, rf, true, false,
		     deadline, o.error, sizeof(o.error)) < 0) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o.detail, "the cluster did not create the topic");
	} else {
		created = true;
		char note[512] = "";
		if (topic_leaders(rk, j->topic, PSC_VERIFY_PARTITIONS, leaders,
				  note, sizeof(note), deadline, o.error,
				  sizeof(o.error)) < 0) {
			o.sym = PSC_SYM_KAFKA_ERROR;
			PSC_SET(o.detail, "created, but its partitions have no "
			    "leaders in the metadata");
		} else {
			o.sym = PSC_SYM_OK;
			PSC_SET(o.detail, "created; partition leaders:");
			for (int p = 0; p < PSC_VERIFY_PARTITIONS; p++)
				PSC_APP(o.detail, " %d->broker %ld", p,
				    leaders[p]);
			PSC_APP(o.detail, "%s", note);
		}
	}
	finish(j, &o, t0);
	bool have_leaders = o.sym == PSC_SYM_OK;

	long delivered = 0;
	if (have_leaders) {
		delivered = check_produce(j, rk, &dr, PSC_VERIFY_PARTITIONS,
					  leaders);
	} else {
		name_of(name, sizeof(name), j, "%s: produce %ld messages "
			"(acks=all)", c->changefeed, j->messages);
		skip_obs(j, name, "not run: the topic was not created");
	}
	if (delivered > 0) {
		check_consume(j, bootstrap, PSC_VERIFY_PARTITIONS, leaders,
			      delivered);
	} else {
		name_of(name, sizeof(name), j, "%s: consume the messages back",
			c->changefeed);
		skip_obs(j, name, have_leaders ? "not run: no message was "
			 "delivered" : "not run: the topic was not created");
	}
	name_of(name, sizeof(name), j, "%s: delete topic %s", c->changefeed,
		j->topic);
	if (created) {
		t0 = psc_now_ms();
		psc_verify_obs_init(&o, c->changefeed, name);
		log_reset();
		if (topic_op(rk, j->topic, 0, 0, false, false,
			     t0 + j->timeout_ms, o.error,
			     sizeof(o.error)) < 0) {
			o.sym = PSC_SYM_KAFKA_ERROR;
			PSC_SET(o.detail, "the cluster did not delete the topic");
		} else {
			o.sym = PSC_SYM_OK;
			PSC_SET(o.detail, "deleted");
		}
		finish(j, &o, t0);
	} else {
		skip_obs(j, name, "not run: the topic was not created");
	}
	rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_destroy(rk);
}

/* 5. bastion-node: bootstrap on a broker's address, INTERNAL then
 * EXTERNAL listener */
static void check_bastion_listener(struct job *j, bool external)
{
	const psc_verify_ctx *c = j->c;
	const psc_verify_broker *b0 = &c->brokers[0];
	long port = external ? c->external_listener_port : c->internal_port;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN], bs[64];
	if (external)
		name_of(name, sizeof(name), j, "%s: EXTERNAL bootstrap %s:%ld "
			"lists the advertised names (not resolvable there)",
			c->bastion, b0->ip, port);
	else
		name_of(name, sizeof(name), j, "%s: INTERNAL bootstrap %s:%ld "
			"lists the brokers by address", c->bastion, b0->ip,
			port);
	psc_verify_obs_init(&o, c->bastion, name);
	o.expected = b0->node_id;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	log_reset();
	o.sym = reach(&o, b0->ip, (int)port, NULL, deadline);
	if (o.sym != PSC_SYM_OK) {
		finish(j, &o, t0);
		return;
	}
	snprintf(bs, sizeof(bs), "%s:%ld", b0->ip, port);
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bs, j->timeout_ms, NULL,
				o.detail, sizeof(o.detail));
	if (!rk) {
		o.sym = PSC_SYM_INTERNAL;
		finish(j, &o, t0);
		return;
	}
	struct mdb b[MAX_MD_BROKERS];
	size_t nb = 0;
	rd_kafka_resp_err_t e = metadata_brokers(c, rk, deadline, b, &nb);
	if (e) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		char what[256];
		snprintf(what, sizeof(what), "Metadata: %s",
			 rd_kafka_err2str(e));
		client_error(o.error, sizeof(o.error), what);
		PSC_SET(o.detail, "%s accepts TCP connections but ApiVersions + "
		    "Metadata got no answer", bs);
	} else {
		o.sym = PSC_SYM_OK;
		PSC_SET(o.detail, "%zu broker%s:", nb, nb == 1 ? "" : "s");
		for (size_t i = 0; i < c->n_brokers; i++) {
			const psc_verify_broker *tb = &c->brokers[i];
			const struct mdb *x = md_find(b, nb, tb->node_id);
			const char *want = external ? tb->external
						    : tb->internal;
			char got[PSC_ADDR_LEN];
			if (!x) {
				o.sym = PSC_SYM_MISSING;
				o.expected = tb->node_id;
				break;
			}
			snprintf(got, sizeof(got), "%s:%d", x->host, x->port);
			if (want[0] && strcmp(got, want) != 0) {
				o.sym = PSC_SYM_ADVERTISED;
				o.expected = tb->node_id;
				PSC_SET(o.host, "%s", x->host);
				o.port = x->port;
				PSC_SET(o.want, "%s", want);
				PSC_SET(o.addr, "%s", "");
				break;
			}
			PSC_APP(o.detail, "%s %ld %s", i ? "," : "", x->id, got);
			if (external) {
				char addr[48], re[256];
				if (resolve(x->host, addr, sizeof(addr), re,
					    sizeof(re)) < 0)
					PSC_APP(o.detail, " (does not resolve "
					    "here)");
				else
					PSC_APP(o.detail, " (resolves to %s here: "
					    "the seed expects it not to; "
					    "harmless)", addr);
			}
		}
		if (o.sym == PSC_SYM_OK && external)
			PSC_APP(o.detail, "; as the seed explains, only TiDB "
			    "Cloud's private zone resolves these names");
		if (o.sym != PSC_SYM_OK)
			o.detail[0] = '\0';
	}
	rd_kafka_destroy(rk);
	finish(j, &o, t0);
}

static void run_bastion(struct job *j)
{
	check_bastion_listener(j, false);
	if (j->c->approach == PSC_APPROACH_PORTMAP &&
	    j->c->external_listener_port > 0)
		check_bastion_listener(j, true);
}

/* the child: enter the node, run, say END */
static void child_main(struct job *j, const char *ns, const char *node,
		       void (*run)(struct job *), long budget_ms)
{
	char err[1024];
	signal(SIGPIPE, SIG_DFL);
	alarm((unsigned)(budget_ms / 1000 + 10));   /* a bound in any case */
	if (psc_proc_enter_node(ns, err, sizeof(err)) < 0) {
		psc_verify_obs o;
		char name[PSC_VERIFY_NAME_LEN];
		snprintf(name, sizeof(name), "%s: enter the node", node);
		psc_verify_obs_init(&o, node, name);
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "cannot enter node %s (%s): %s", node, ns, err);
		emit(j, &o);
	} else {
		setenv("RES_OPTIONS", RESOLVER_OPTIONS, 1);
		run(j);
	}
	if (write(j->fd, END_LINE "\n", strlen(END_LINE) + 1) < 0)
		_exit(3);
	_exit(0);
}

/* ======================================================================
 * The parent: children, budget, report
 * ====================================================================== */

struct kid {
	const char *node;
	pid_t pid;
	int fd;
	long budget_ms;
	long long deadline;
	bool ended;         /* END seen */
	bool killed;
	int status;
	char *buf;          /* what was read, lines */
	size_t len, cap;
	psc_verify_obs *obs;
	size_t n_obs;
};

static int kid_start(struct kid *k, struct job *j, const char *ns,
		     void (*run)(struct job *), const struct kid *other,
		     char *err, size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (k->pid == 0) {
		close(p[0]);
		if (other && other->fd >= 0)
			close(other->fd);
		j->fd = p[1];
		child_main(j, ns, k->node, run, k->budget_ms);
	}
	close(p[1]);
	k->fd = p[0];
	k->deadline = psc_now_ms() + k->budget_ms;
	return 0;
}

static void kid_lines(struct kid *k)
{
	char *s = k->buf, *nl;
	size_t n = 0;
	if (!s)
		return;
	for (char *q = s; (q = memchr(q, '\n', k->len - (size_t)(q - s)));
	     q++)
		n++;
	k->obs = calloc(n ? n : 1, sizeof(*k->obs));
	if (!k->obs)
		return;
	while ((nl = memchr(s, '\n', k->len - (size_t)(s - k->buf)))) {
		*nl = '\0';
		char e[256];
		if (strcmp(s, END_LINE) == 0)
			k->ended = true;
		else if (psc_verify_obs_parse(s, &k->obs[k->n_obs], e,
					      sizeof(e)) == 0)
			k->n_obs++;
		s = nl + 1;
	}
}

/* read every child's lines until each closes its pipe or overstays */
static void kids_wait(struct kid *kids, size_t n)
{
	for (;;) {
		struct pollfd pf[2];
		size_t map[2], np = 0;
		long long next = LLONG_MAX;
		for (size_t i = 0; i < n; i++) {
			if (kids[i].fd < 0)
				continue;
			if (psc_now_ms() >= kids[i].deadline) {
				kill(kids[i].pid, SIGKILL);
				kids[i].killed = true;
				close(kids[i].fd);
				kids[i].fd = -1;
				continue;
			}
			if (kids[i].deadline < next)
				next = kids[i].deadline;
			pf[np].fd = kids[i].fd;
			pf[np].events = POLLIN;
			map[np++] = i;
		}
		if (!np)
			break;
		long long wait = next - psc_now_ms();
		int r = poll(pf, np, wait > 0 ? (int)(wait > 1000 ? 1000 : wait)
					      : 0);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t i = 0; r > 0 && i < np; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct kid *k = &kids[map[i]];
			if (k->cap - k->len < 4096) {
				size_t cap = k->cap ? k->cap * 2 : 65536;
				char *b = realloc(k->buf, cap);
				if (!b) {
					kill(k->pid, SIGKILL);
					k->killed = true;
					close(k->fd);
					k->fd = -1;
					continue;
				}
				k->buf = b;
				k->cap = cap;
			}
			ssize_t got = read(k->fd, k->buf + k->len,
					   k->cap - k->len - 1);
			if (got > 0) {
				k->len += (size_t)got;
			} else if (got == 0 || errno != EINTR) {
				close(k->fd);
				k->fd = -1;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		int st = 0;
		while (kids[i].pid > 0 && waitpid(kids[i].pid, &st, 0) < 0 &&
		       errno == EINTR)
			;
		kids[i].status = st;
		kid_lines(&kids[i]);
	}
}

static void add_check(psc_verify_report *r, const psc_verify_check *c)
{
	if (psc_verify_report_add(r, c) < 0 && r->n > 0) {
		/* full: the last line says so */
		psc_verify_check *l = &r->checks[r->n - 1];
		if (l->status != PSC_VERIFY_FAIL) {
			r->n_fail++;
			if (l->status == PSC_VERIFY_PASS)
				r->n_pass--;
			else if (l->status == PSC_VERIFY_WARN)
				r->n_warn--;
			else
				r->n_skip--;
		}
		l->status = PSC_VERIFY_FAIL;
		l->hop = PSC_HOP_VERIFY;
		psc_setf(l->detail, sizeof(l->detail), "more than %d checks: the "
		    "rest is not reported", PSC_VERIFY_MAX_CHECKS);
	}
}

static void kid_report(const psc_verify_ctx *c, struct kid *k,
		       psc_verify_report *r)
{
	for (size_t i = 0; i < k->n_obs; i++) {
		psc_verify_check chk;
		psc_verify_diagnose(c, &k->obs[i], r, &chk);
		add_check(r, &chk);
	}
	if (k->ended)
		return;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	snprintf(name, sizeof(name), "%s: checks finished", k->node);
	psc_verify_obs_init(&o, k->node, name);
	o.sym = PSC_SYM_INTERNAL;
	o.ms = k->budget_ms;
	if (k->killed)
		PSC_SET(o.detail, "the checks in node %s did not finish within "
		    "their budget of %ld ms and were stopped", k->node,
		    k->budget_ms);
	else if (WIFSIGNALED(k->status))
		PSC_SET(o.detail, "the checks in node %s ended by signal %d",
		    k->node, WTERMSIG(k->status));
	else
		PSC_SET(o.detail, "the checks in node %s ended early (exit status "
		    "%d)", k->node, WEXITSTATUS(k->status));
	psc_verify_check chk;
	psc_verify_diagnose(c, &o, r, &chk);
	add_check(r, &chk);
}

/* psclab-kclient: $PSCLAB_KCLIENT, else beside $PSCLAB_BIN (the pscLab a
 * test or the services run), else beside this program; "" when none is
 * executable */
static void kclient_path(char *out, size_t len)
{
	const char *e = getenv("PSCLAB_KCLIENT");
	char self[PATH_MAX] = "";
	out[0] = '\0';
	if (e && *e) {
		if (access(e, X_OK) == 0)
			snprintf(out, len, "%s", e);
		return;
	}
	const char *bin = getenv("PSCLAB_BIN");
	if (bin && *bin)
		snprintf(self, sizeof(self), "%s", bin);
	else {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
	}
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(out, len, "%s/psclab-kclient", self);
	if (access(out, X_OK) != 0)
		out[0] = '\0';
}

int psc_verify_run(const char *lab, const psc_verify_opts *o,
		   psc_verify_report *r, char *err, size_t errlen)
{
	static const psc_verify_opts dflt;
	long long t0 = psc_now_ms();
	char dir[PATH_MAX];
	struct stat sb;
	psc_verify_report_init(r, lab);
	if (!o)
		o = &dflt;
	r->strict = o->strict;
	if (psc_lab_name_check(lab, err, errlen) < 0) {
		r->no_such_lab = true;
		errno = ENOENT;
		return -1;
	}
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0 || stat(dir, &sb) != 0) {
		snprintf(err, errlen, "no lab named '%s' is up (no state in "
			 "%s)", lab, dir);
		r->no_such_lab = true;
		errno = ENOENT;
		return -1;
	}
	psc_topology *t = NULL;
	psc_plan *plan = calloc(1, sizeof(*plan));
	psc_verify_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!plan || !ctx) {
		snprintf(err, errlen, "out of memory");
		free(plan);
		free(ctx);
		return -1;
	}
	if (psc_lab_load(lab, &t, plan, err, errlen) < 0) {
		if (errno == ENOENT)
			r->no_such_lab = true;
		free(plan);
		free(ctx);
		return -1;
	}
	psc_state st;
	memset(&st, 0, sizeof(st));
	char serr[512];
	bool have_st = psc_state_read(lab, &st, serr, sizeof(serr)) == 0;
	if (psc_verify_ctx_build(t, plan, have_st ? &st : NULL, ctx, err,
				 errlen) < 0) {
		psc_state_free(&st);
		psc_topology_free(t);
		free(plan);
		free(ctx);
		return -1;
	}

	struct job j;
	memset(&j, 0, sizeof(j));
	j.c = ctx;
	j.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
					 : PSC_VERIFY_TIMEOUT_DEFAULT_MS;
	j.messages = o->messages > 0 ? o->messages : PSC_VERIFY_MESSAGES_DEFAULT;
	if (j.messages > PSC_VERIFY_MESSAGES_MAX)
		j.messages = PSC_VERIFY_MESSAGES_MAX;
	psc_setf(j.host, sizeof(j.host), "%s", o->bootstrap_host &&
	    o->bootstrap_host[0] ? o->bootstrap_host : ctx->endpoint_ip);
	if (o->n_bootstrap_ports) {
		for (size_t i = 0; i < o->n_bootstrap_ports &&
				   i < PSC_MAX_BOOTSTRAP; i++)
			j.ports[j.n_ports++] = o->bootstrap_ports[i];
	} else {
		for (size_t i = 0; i < ctx->n_bootstrap_ports; i++)
			j.ports[j.n_ports++] = ctx->bootstrap_ports[i];
	}
	kclient_path(j.kclient, sizeof(j.kclient));
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	psc_setf(r->topic, sizeof(r->topic), "psclab-verify-%s-%ld-%lld", lab,
	    (long)getpid(), (long long)rt.tv_sec * 1000 +
	    rt.tv_nsec / 1000000);
	j.topic = r->topic;

	struct kid kids[2];
	memset(kids, 0, sizeof(kids));
	size_t nk = 0;
	kids[0].node = ctx->changefeed;
	kids[0].fd = -1;
	/* bootstrap ports, every broker (twice: metadata and topology may
	 * differ), the controller, create, produce, consume, delete */
	kids[0].budget_ms = (long)(2 * j.n_ports + 2 * ctx->n_brokers + 7 +
				   (ctx->lb_backends > 1
					    ? FRESH_TRIES_PER * ctx->lb_backends *
						      ctx->n_brokers
					    : 0)) *
				    j.timeout_ms +
			    3000L * (long)(ctx->n_brokers + 2) + 5000;
	kids[1].node = ctx->bastion;
	kids[1].fd = -1;
	kids[1].budget_ms = 2 * j.timeout_ms + 5000;
	int rc = 0;
	/* the leak watch before and after: what the checks made leak */
	static psc_nft_leak leak0[64], leak1[64];
	size_t n_leak0 = 0, n_leak1 = 0;
	char lerr[512];
	bool watch = ctx->consumer_router_ns[0] &&
		     psc_nft_leaks(ctx->consumer_router_ns, leak0, 64, &n_leak0,
				   lerr, sizeof(lerr)) == 0;
	if (kid_start(&kids[0], &j, ctx->changefeed_ns, run_changefeed, NULL,
		      err, errlen) < 0)
		rc = -1;
	else
		nk = 1;
	if (rc == 0 && ctx->bastion[0] && !o->no_bastion) {
		if (kid_start(&kids[1], &j, ctx->bastion_ns, run_bastion,
			      &kids[0], err, errlen) < 0)
			rc = -1;
		else
			nk = 2;
	}
	kids_wait(kids, nk);
	watch = watch && psc_nft_leaks(ctx->consumer_router_ns, leak1, 64,
				       &n_leak1, lerr, sizeof(lerr)) == 0;

	/* the lab as it is now (a broker may have died meanwhile) */
	psc_state_free(&st);
	memset(&st, 0, sizeof(st));
	have_st = psc_state_read(lab, &st, serr, sizeof(serr)) == 0;
	char e2[512];
	psc_verify_ctx_build(t, plan, have_st ? &st : NULL, ctx, e2,
			     sizeof(e2));
	for (size_t i = 0; i < nk; i++) {
		kid_report(ctx, &kids[i], r);
		free(kids[i].buf);
		free(kids[i].obs);
	}
	if (watch && nk) {
		psc_verify_check lc;
		psc_verify_leak_check(ctx, leak0, n_leak0, leak1, n_leak1, &lc);
		add_check(r, &lc);
	}
	psc_state_free(&st);
	psc_topology_free(t);
	free(plan);
	free(ctx);
	r->total_ms = (long)(psc_now_ms() - t0);
	return rc;
}
