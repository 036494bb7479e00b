/* admin.c - DescribeConfigs(BROKER), CreateTopics, DeleteTopics and a new
 * topic's leaders, through librdkafka (see admin.h). */
#define _GNU_SOURCE
#include "verify/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "verify/job.h"
#include "verify/rdkafka_client.h"

/* The result event of an Admin request on q within ms, or NULL with err
 * ("<op>: no result in time" or "<op>: <its error>", with the client's
 * last log line). */
static rd_kafka_event_t *admin_result(rd_kafka_queue_t *q, int ms,
				      const char *op, char *err,
				      size_t errlen)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ms);
	char what[600];
	if (!ev)
		snprintf(what, sizeof(what), "%s: no result in time", op);
	else if (rd_kafka_event_error(ev))
		snprintf(what, sizeof(what), "%s: %s", op,
			 rd_kafka_event_error_string(ev));
	else
		return ev;
	psc_verify_client_error(err, errlen, what);
	if (ev)
		rd_kafka_event_destroy(ev);
	return NULL;
}

/* A broker that is not broker id refuses DescribeConfigs(BROKER id) and
 * names itself: "Unexpected broker id, expected 3 or empty string, but
 * received 2" (Kafka's ConfigHelper). */
static psc_verify_symptom identify_refused(const rd_kafka_ConfigResource_t *r,
					   long id, psc_verify_obs *o)
{
	rd_kafka_resp_err_t re = rd_kafka_ConfigResource_error(r);
	const char *es = rd_kafka_ConfigResource_error_string(r);
	const char *x = es ? strstr(es, ", expected ") : NULL;
	PSC_SET(o->error, "DescribeConfigs(BROKER %ld): %s: %s", id,
	    rd_kafka_err2name(re), es ? es : "");
	char *endp;
	long reached = x ? strtol(x + 11, &endp, 10) : -1;
	if (x && endp != x + 11 && reached != id) {
		o->reached = reached;
		return PSC_SYM_WRONG_BROKER;
	}
	return re == RD_KAFKA_RESP_ERR_INVALID_REQUEST ? PSC_SYM_WRONG_BROKER
						       : PSC_SYM_KAFKA_ERROR;
}

/* An answer: its node.id (broker.id when it has none) is the broker that
 * answered. */
static psc_verify_symptom identify_answer(const rd_kafka_ConfigResource_t *r,
					  long id, psc_verify_obs *o)
{
	size_t nc = 0;
	const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(r,
									    &nc);
	long got = -1;
	for (size_t i = 0; i < nc; i++) {
		const char *k = rd_kafka_ConfigEntry_name(ce[i]);
		const char *v = rd_kafka_ConfigEntry_value(ce[i]);
		if (k && v && (strcmp(k, "node.id") == 0 ||
			       (got < 0 && strcmp(k, "broker.id") == 0)))
			got = strtol(v, NULL, 10);
	}
	if (got == id)
		return PSC_SYM_OK;
	if (got >= 0) {
		o->reached = got;
		return PSC_SYM_WRONG_BROKER;
	}
	PSC_SET(o->error, "DescribeConfigs(BROKER %ld): no node.id in the "
	    "answer", id);
	return PSC_SYM_KAFKA_ERROR;
}

psc_verify_symptom psc_verify_identify(rd_kafka_t *rk, long id,
				       long long deadline, psc_verify_obs *o)
{
	char name[32], e[512];
	snprintf(name, sizeof(name), "%ld", id);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(
		rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	rd_kafka_AdminOptions_set_request_timeout(
		ao, (int)psc_verify_left(deadline) + 1, e, sizeof(e));
	rd_kafka_ConfigResource_t *res =
		rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
	rd_kafka_DescribeConfigs(rk, &res, 1, ao, q);
	rd_kafka_event_t *ev = admin_result(
		q, (int)psc_verify_left(deadline) + 2000, "DescribeConfigs",
		o->error, sizeof(o->error));
	psc_verify_symptom s = PSC_SYM_KAFKA_ERROR;
	if (!ev) {
		PSC_SET(o->detail, "broker %ld did not answer DescribeConfigs at "
		    "its advertised address", id);
	} else {
		size_t cnt = 0;
		const rd_kafka_ConfigResource_t **rs =
			rd_kafka_DescribeConfigs_result_resources(
				rd_kafka_event_DescribeConfigs_result(ev), &cnt);
		if (cnt < 1)
			PSC_SET(o->error, "DescribeConfigs: an empty result");
		else if (rd_kafka_ConfigResource_error(rs[0]))
			s = identify_refused(rs[0], id, o);
		else
			s = identify_answer(rs[0], id, o);
		rd_kafka_event_destroy(ev);
	}
	rd_kafka_ConfigResource_destroy(res);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_queue_destroy(q);
	return s;
}

/* The topic's result in a CreateTopics or DeleteTopics answer: 0, or -1
 * with err */
static int topic_result(rd_kafka_event_t *ev, bool create, const char *op,
			const char *topic, char *err, size_t errlen)
{
	size_t cnt = 0;
	const rd_kafka_topic_result_t **tr =
		create ? rd_kafka_CreateTopics_result_topics(
				 rd_kafka_event_CreateTopics_result(ev), &cnt)
		       : rd_kafka_DeleteTopics_result_topics(
				 rd_kafka_event_DeleteTopics_result(ev), &cnt);
	if (cnt < 1) {
		snprintf(err, errlen, "%s: an empty result", op);
		return -1;
	}
	if (rd_kafka_topic_result_error(tr[0])) {
		const char *es = rd_kafka_topic_result_error_string(tr[0]);
		snprintf(err, errlen, "%s %s: %s: %s", op, topic,
			 rd_kafka_err2name(rd_kafka_topic_result_error(tr[0])),
			 es ? es : "");
		return -1;
	}
	return 0;
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
	int ms = (int)psc_verify_left(deadline) + 1;
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
	rd_kafka_event_t *ev = admin_result(q, ms + 2000, op, err, errlen);
	int rc = ev ? topic_result(ev, create, op, topic, err, errlen) : -1;
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

int psc_verify_topic_create(rd_kafka_t *rk, const char *topic, int partitions,
			    int rf, bool validate_only, long long deadline,
			    char *err, size_t errlen)
{
	return topic_op(rk, topic, partitions, rf, true, validate_only,
			deadline, err, errlen);
}

int psc_verify_topic_delete(rd_kafka_t *rk, const char *topic,
			    long long deadline, char *err, size_t errlen)
{
	return topic_op(rk, topic, 0, 0, false, false, deadline, err, errlen);
}

/* "; under-replicated: partition 1 in sync 2 of 3 (out of sync: broker
 * 3)" for every partition with replicas out of sync; "" none.  (A stopped
 * broker is still given replicas while it is registered.) */
static void isr_note(const rd_kafka_metadata_topic_t *t, int partitions,
		     char *note, size_t notelen)
{
	note[0] = '\0';
	for (int i = 0; i < partitions; i++) {
		const rd_kafka_metadata_partition_t *p = &t->partitions[i];
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
}

/* the leaders of t's partitions into leaders; how many have one */
static int partition_leaders(const rd_kafka_metadata_topic_t *t,
			     int partitions, long *leaders)
{
	int ok = 0;
	for (int i = 0; i < partitions; i++) {
		const rd_kafka_metadata_partition_t *p = &t->partitions[i];
		if (p->id >= 0 && p->id < partitions && p->leader >= 0 &&
		    !p->err) {
			leaders[p->id] = p->leader;
			ok++;
		}
	}
	return ok;
}

int psc_verify_topic_leaders(rd_kafka_t *rk, const char *topic,
			     int partitions, long *leaders, char *note,
			     size_t notelen, long long deadline, char *err,
			     size_t errlen)
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
		long l = psc_verify_left(deadline);
		rd_kafka_resp_err_t e = rd_kafka_metadata(
			rk, 0, rkt, &md, (int)(l > 1000 ? 1000 : l + 1));
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
		    !md->topics[0].err &&
		    md->topics[0].partition_cnt == partitions) {
			rc = partition_leaders(&md->topics[0], partitions,
					       leaders) == partitions ? 0 : -1;
			if (rc == 0)
				isr_note(&md->topics[0], partitions, note,
					 notelen);
			else
				note[0] = '\0';
		} else if (e) {
			psc_verify_client_error(err, errlen,
						rd_kafka_err2str(e));
		}
		if (md)
			rd_kafka_metadata_destroy(md);
		if (rc == 0)
			break;
		psc_sleep_ms(100);
	} while (psc_verify_left(deadline) > 0);
	rd_kafka_topic_destroy(rkt);
	return rc;
}
