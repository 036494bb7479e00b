/* check_topic.c - create, produce, consume, delete: the changefeed's data
 * path through the lab (see check_topic.h). */
#define _GNU_SOURCE
#include "verify/check_topic.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "verify/admin.h"

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

/* 4a. create the topic and wait for its partitions' leaders: true when
 * the cluster created it (*have_leaders: and they have leaders) */
static bool check_create(const psc_verify_job *j, rd_kafka_t *rk,
			 long *leaders, bool *have_leaders)
{
	const psc_verify_ctx *c = j->c;
	int rf = c->n_brokers < 3 ? (int)c->n_brokers : 3;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	psc_setf(name, sizeof(name), "%s: create topic %s (%d partitions, "
		 "replication factor %d)", c->changefeed, j->topic,
		 PSC_VERIFY_PARTITIONS, rf);
	psc_verify_obs_init(&o, c->changefeed, name);
	psc_verify_log_reset();
	bool created = false;
	if (psc_verify_topic_create(rk, j->topic, PSC_VERIFY_PARTITIONS, rf,
				    false, deadline, o.error,
				    sizeof(o.error)) < 0) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o.detail, "the cluster did not create the topic");
	} else {
		created = true;
		char note[512] = "";
		if (psc_verify_topic_leaders(rk, j->topic, PSC_VERIFY_PARTITIONS,
					     leaders, note, sizeof(note),
					     deadline, o.error,
					     sizeof(o.error)) < 0) {
			o.sym = PSC_SYM_KAFKA_ERROR;
			PSC_SET(o.detail, "created, but its partitions have no "
			    "leaders in the metadata");
		} else {
			/* created while a broker is down or behind: it
			 * works, under-replicated */
			o.sym = note[0] ? PSC_SYM_DEGRADED : PSC_SYM_OK;
			PSC_SET(o.detail, "created; partition leaders:");
			for (int p = 0; p < PSC_VERIFY_PARTITIONS; p++)
				PSC_APP(o.detail, " %d->broker %ld", p,
				    leaders[p]);
			PSC_APP(o.detail, "%s", note);
		}
	}
	psc_verify_finish(j, &o, t0);
	*have_leaders = o.sym == PSC_SYM_OK || o.sym == PSC_SYM_DEGRADED;
	return created;
}

/* One round: every message not yet delivered (or failed by the topic's
 * propagation) produced to partition i % partitions, then flushed until
 * deadline (what is still queued then is purged).  How many the client
 * refused to queue; *rerr the first one's error. */
static long produce_round(const psc_verify_job *j, rd_kafka_t *rk,
			  psc_verify_dr *dr, int partitions,
			  long long deadline, char *rerr, size_t rerrlen)
{
	long refused = 0;
	for (long i = 0; i < j->messages; i++) {
		if (dr->st[i] == PSC_MSG_OK ||
		    (dr->st[i] == PSC_MSG_FAILED &&
		     !propagation_error(dr->err[i])))
			continue;
		char key[32], val[128];
		int kl = snprintf(key, sizeof(key), "%ld", i);
		int vl = snprintf(val, sizeof(val), "pscLab verify %s %ld",
				  j->c->lab, i);
		rd_kafka_resp_err_t e;
		dr->st[i] = PSC_MSG_PENDING;
		for (;;) {
			e = rd_kafka_producev(
				rk, RD_KAFKA_V_TOPIC(j->topic),
				RD_KAFKA_V_PARTITION((int32_t)(i % partitions)),
				RD_KAFKA_V_KEY(key, (size_t)kl),
				RD_KAFKA_V_VALUE(val, (size_t)vl),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_OPAQUE((void *)(intptr_t)i),
				RD_KAFKA_V_END);
			if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
			    psc_verify_left(deadline) == 0)
				break;
			rd_kafka_poll(rk, 10);
		}
		if (e) {
			dr->st[i] = PSC_MSG_FAILED;
			dr->err[i] = e;
			dr->partition[i] = (int32_t)(i % partitions);
			if (!refused++)
				psc_setf(rerr, rerrlen, "%s", rd_kafka_err2str(e));
		}
		rd_kafka_poll(rk, 0);
	}
	rd_kafka_flush(rk, (int)psc_verify_left(deadline) + 1);
	if (rd_kafka_outq_len(rk) > 0) {
		rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE |
					   RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_flush(rk, 1000);
	}
	return refused;
}

/* not every message delivered: how many per partition (with its leader),
 * and why the first one was not */
static void produce_shortfall(const psc_verify_job *j, const psc_verify_dr *dr,
			      int partitions, const long *leaders, long ok,
			      long refused, const char *rerr, psc_verify_obs *o)
{
	long first = -1, per[PSC_VERIFY_PARTITIONS] = {0};
	o->sym = PSC_SYM_INCOMPLETE;
	for (long i = 0; i < j->messages; i++)
		if (dr->st[i] != PSC_MSG_OK) {
			if (first < 0)
				first = i;
			int p = (int)(i % partitions);
			if (p < PSC_VERIFY_PARTITIONS)
				per[p]++;
		}
	int p = first >= 0 ? (int)(first % partitions) : -1;
	if (p >= 0 && p < partitions)
		o->expected = leaders[p];
	PSC_SET(o->detail, "%ld of %ld messages delivered", ok, j->messages);
	if (p >= 0) {
		PSC_APP(o->detail, "; undelivered per partition:");
		for (int k = 0; k < partitions; k++)
			PSC_APP(o->detail, " %d (leader broker %ld): %ld", k,
			    leaders[k], per[k]);
		rd_kafka_resp_err_t fe = dr->err[first];
		if (dr->st[first] != PSC_MSG_FAILED ||
		    fe == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
		    fe == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
		    fe == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
			PSC_APP(o->detail, "; partition %d: not delivered "
			    "within %ld ms", p, j->timeout_ms);
		else
			PSC_APP(o->detail, "; partition %d: %s", p,
			    rd_kafka_err2str(fe));
	}
	if (refused)
		PSC_APP(o->detail, "; %ld not queued in the last round: %s",
		    refused, rerr);
	psc_verify_client_log(o->error, sizeof(o->error));
}

/* 4b. produce j->messages with acks=all, round-robin over partitions;
 * messages failed by the topic's metadata propagation are produced again
 * while the check's time lasts.  How many were delivered. */
static long check_produce(const psc_verify_job *j, rd_kafka_t *rk,
			  psc_verify_dr *dr, int partitions, const long *leaders)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	psc_setf(name, sizeof(name), "%s: produce %ld messages (acks=all)",
		 c->changefeed, j->messages);
	psc_verify_obs_init(&o, c->changefeed, name);
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_log_reset();
	if (psc_verify_dr_alloc(dr, j->messages) < 0) {
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "out of memory for %ld messages", j->messages);
		psc_verify_finish(j, &o, t0);
		return 0;
	}
	long refused = 0, rounds = 0, ok = 0;
	char rerr[256] = "";
	for (;;) {
		rounds++;
		refused = produce_round(j, rk, dr, partitions, deadline, rerr,
					sizeof(rerr));
		long again = 0;
		ok = 0;
		for (long i = 0; i < j->messages; i++) {
			ok += dr->st[i] == PSC_MSG_OK;
			again += dr->st[i] == PSC_MSG_FAILED &&
				 propagation_error(dr->err[i]);
		}
		if (!again || psc_verify_left(deadline) < 200)
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
		produce_shortfall(j, dr, partitions, leaders, ok, refused, rerr,
				  &o);
	}
	psc_verify_finish(j, &o, t0);
	psc_verify_dr_free(dr);
	return ok;
}

/* what a consumer got back */
struct consumed {
	long got, dup, per[PSC_VERIFY_PARTITIONS];
	char ferr[256];                 /* the first fetch error, "" */
	int ferr_p;                     /* its partition, -1 none */
};

/* one message: its key is its index */
static void consume_one(const psc_verify_job *j, const rd_kafka_message_t *m,
			unsigned char *seen, struct consumed *k)
{
	if (m->err) {
		if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && !k->ferr[0]) {
			PSC_SET(k->ferr, "%s", rd_kafka_message_errstr(m));
			k->ferr_p = (int)m->partition;
		}
		return;
	}
	char key[32] = "";
	size_t kl = m->key_len < sizeof(key) - 1 ? m->key_len
						 : sizeof(key) - 1;
	if (m->key)
		memcpy(key, m->key, kl);
	char *end;
	long i = strtol(key, &end, 10);
	if (end == key || i < 0 || i >= j->messages)
		return;
	if (seen[i]) {
		k->dup++;
		return;
	}
	seen[i] = 1;
	k->got++;
	if (m->partition >= 0 && m->partition < PSC_VERIFY_PARTITIONS)
		k->per[m->partition]++;
}

/* fewer than want came back: the first partition short of its share */
static void consume_shortfall(const psc_verify_job *j, int partitions,
			      const long *leaders, long want,
			      const struct consumed *k, psc_verify_obs *o)
{
	o->sym = PSC_SYM_INCOMPLETE;
	int shortp = k->ferr_p;
	for (int p = 0; shortp < 0 && p < partitions; p++)
		if (k->per[p] < (want + partitions - 1 - p) / partitions)
			shortp = p;
	if (shortp >= 0 && shortp < partitions)
		o->expected = leaders[shortp];
	PSC_SET(o->detail, "%ld of %ld messages consumed in %ld ms", k->got,
	    want, j->timeout_ms);
	if (shortp >= 0)
		PSC_APP(o->detail, "; partition %d (leader broker %ld) fell "
		    "short%s%s", shortp, o->expected, k->ferr[0] ? ": " : "",
		    k->ferr);
	psc_verify_client_log(o->error, sizeof(o->error));
}

/* 4c. consume every partition from the beginning until `want` messages */
static void check_consume(const psc_verify_job *j, const char *bootstrap,
			  int partitions, const long *leaders, long want)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	psc_setf(name, sizeof(name), "%s: consume the %ld messages back",
		 c->changefeed, want);
	psc_verify_obs_init(&o, c->changefeed, name);
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_log_reset();
	rd_kafka_t *rk = psc_verify_client(RD_KAFKA_CONSUMER, bootstrap,
					   j->timeout_ms, NULL, o.detail,
					   sizeof(o.detail));
	if (!rk) {
		o.sym = PSC_SYM_INTERNAL;
		psc_verify_finish(j, &o, t0);
		return;
	}
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, j->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	unsigned char *seen = calloc((size_t)j->messages + 1, 1);
	struct consumed k = {.ferr_p = -1};
	for (int p = 0; rkt && p < partitions; p++)
		rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING,
					     q);
	while (rkt && seen && k.got < want && psc_verify_left(deadline) > 0) {
		long l = psc_verify_left(deadline);
		rd_kafka_message_t *m = rd_kafka_consume_queue(
			q, (int)(l > 200 ? 200 : l));
		if (!m)
			continue;
		consume_one(j, m, seen, &k);
		rd_kafka_message_destroy(m);
	}
	for (int p = 0; rkt && p < partitions; p++)
		rd_kafka_consume_stop(rkt, p);
	if (k.got == want) {
		o.sym = PSC_SYM_OK;
		PSC_SET(o.detail, "%ld of %ld consumed from %d partitions (",
		    k.got, want, partitions);
		for (int p = 0; p < partitions; p++)
			PSC_APP(o.detail, "%s%ld", p ? "/" : "", k.per[p]);
		PSC_APP(o.detail, ")%s", k.dup ? ", with duplicates" : "");
	} else {
		consume_shortfall(j, partitions, leaders, want, &k, &o);
	}
	free(seen);
	if (q)
		rd_kafka_queue_destroy(q);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	psc_verify_finish(j, &o, t0);
}

/* 4d. delete the topic */
static void check_delete(const psc_verify_job *j, rd_kafka_t *rk,
			 const char *name)
{
	long long t0 = psc_now_ms();
	psc_verify_obs o;
	psc_verify_obs_init(&o, j->c->changefeed, name);
	psc_verify_log_reset();
	if (psc_verify_topic_delete(rk, j->topic, t0 + j->timeout_ms, o.error,
				    sizeof(o.error)) < 0) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o.detail, "the cluster did not delete the topic");
	} else {
		o.sym = PSC_SYM_OK;
		PSC_SET(o.detail, "deleted");
	}
	psc_verify_finish(j, &o, t0);
}

void psc_verify_check_topic(const psc_verify_job *j, rd_kafka_t *rk,
			    psc_verify_dr *dr, const char *bootstrap)
{
	const psc_verify_ctx *c = j->c;
	const char *not_created = "not run: the topic was not created";
	char name[PSC_VERIFY_NAME_LEN];
	long leaders[PSC_VERIFY_PARTITIONS] = {-1, -1, -1};
	bool have_leaders;
	bool created = check_create(j, rk, leaders, &have_leaders);

	long delivered = 0;
	if (have_leaders) {
		delivered = check_produce(j, rk, dr, PSC_VERIFY_PARTITIONS,
					  leaders);
	} else {
		psc_setf(name, sizeof(name), "%s: produce %ld messages "
			 "(acks=all)", c->changefeed, j->messages);
		psc_verify_skip(j, name, not_created);
	}
	if (delivered > 0) {
		check_consume(j, bootstrap, PSC_VERIFY_PARTITIONS, leaders,
			      delivered);
	} else {
		psc_setf(name, sizeof(name), "%s: consume the messages back",
			 c->changefeed);
		psc_verify_skip(j, name, have_leaders ? "not run: no message "
				"was delivered" : not_created);
	}
	psc_setf(name, sizeof(name), "%s: delete topic %s", c->changefeed,
		 j->topic);
	if (created)
		check_delete(j, rk, name);
	else
		psc_verify_skip(j, name, not_created);
}
