/* check_changefeed.c - the checks of node `changefeed`: bootstrap ports,
 * brokers, controller, the addresses franz-go is handed (see
 * check_changefeed.h); the topic's checks are check_topic.c's. */
#define _GNU_SOURCE
#include "verify/check_changefeed.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <librdkafka/rdkafka.h>

#include "base/util.h"
#include "verify/admin.h"
#include "verify/check_ticdc.h"
#include "verify/check_topic.h"
#include "verify/kclient.h"
#include "verify/metadata.h"
#include "verify/rdkafka_client.h"
#include "verify/reach.h"

long psc_verify_changefeed_budget(const psc_verify_job *j)
{
	const psc_verify_ctx *c = j->c;
	/* bootstrap ports, every broker (twice: metadata and topology may
	 * differ), the controller and its DescribeQuorum, create, produce,
	 * consume, delete, and TiCDC's steps (three timeouts); each run of
	 * psclab-kclient 5 s more */
	return (long)(2 * j->n_ports + 2 * c->n_brokers + 11 +
		      (c->lb_backends > 1 ? PSC_VERIFY_FRESH_TRIES_PER *
						    c->lb_backends * c->n_brokers
					  : 0)) *
		       j->timeout_ms +
	       3000L * (long)(c->n_brokers + 2) + 5000 + 3 * 5000L;
}

/* 1. every bootstrap port alone: connect, ApiVersions, Metadata.  The
 * first answer's brokers go to md/n_md; ok[i] tells which ports answered. */
static void check_bootstrap(const psc_verify_job *j, psc_verify_mdb *md,
			    size_t *n_md, bool *ok)
{
	const psc_verify_ctx *c = j->c;
	for (size_t i = 0; i < j->n_ports; i++) {
		psc_verify_obs o;
		char name[PSC_VERIFY_NAME_LEN];
		psc_setf(name, sizeof(name), "%s: bootstrap %s:%d",
			 c->changefeed, j->host, j->ports[i]);
		psc_verify_obs_init(&o, c->changefeed, name);
		long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
		ok[i] = false;
		psc_verify_log_reset();
		/* md's room, a scratch copy (272 bytes a broker: heap) */
		psc_verify_mdb *b = calloc(PSC_VERIFY_MD_MAX, sizeof(*b));
		size_t nb = 0;
		rd_kafka_t *rk = b ? psc_verify_bootstrap_alone(
			c, &o, j->host, j->ports[i], c->endpoint_ip,
			j->timeout_ms, deadline, b, &nb) : NULL;
		if (!b)
			PSC_SET(o.detail, "out of memory");
		if (rk) {
			char list[1024];
			psc_verify_md_list(b, nb, list, sizeof(list));
			PSC_SET(o.detail, "ApiVersions and Metadata answered: "
			    "%zu broker%s (%s), controller %ld", nb,
			    nb == 1 ? "" : "s", list,
			    (long)rd_kafka_controllerid(rk, 0));
			if (!*n_md) {
				memcpy(md, b, nb * sizeof(*b));
				*n_md = nb;
			}
			ok[i] = true;
			rd_kafka_destroy(rk);
		}
		free(b);
		psc_verify_finish(j, &o, t0);
	}
}

/* Behind several instance-group backends every new connection is hashed
 * to one of them: the same advertised address through
 * PSC_VERIFY_FRESH_TRIES_PER new clients (new connections) per backend,
 * each asked which broker it is.  One that reached another broker turns o
 * into WRONG_BROKER, the counts in its detail. */
static void fresh_connections(const psc_verify_job *j, const char *addr,
			      long id, psc_verify_obs *o)
{
	const psc_verify_ctx *c = j->c;
	size_t tries = PSC_VERIFY_FRESH_TRIES_PER * c->lb_backends, done = 1;
	size_t right = o->sym == PSC_SYM_OK ? 1 : 0;
	long wrong_id = -1;
	size_t wrong = 0, failed = o->sym == PSC_SYM_OK ? 0 : 1;
	char fail_err[160] = "";
	if (failed)
		PSC_SET(fail_err, "%s", o->error);
	for (size_t t = 0; t < tries; t++) {
		char err[256];
		long long dl = psc_now_ms() + j->timeout_ms;
		rd_kafka_t *rk = psc_verify_client(RD_KAFKA_PRODUCER, addr,
						   j->timeout_ms, NULL, err,
						   sizeof(err));
		if (!rk)
			break;
		psc_verify_obs t_o;
		psc_verify_obs_init(&t_o, o->node, o->name);
		psc_verify_symptom s = psc_verify_identify(rk, id, dl, &t_o);
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

/* b at its advertised address, from here: it resolves to the PSC
 * endpoint, connects, and the broker answering there is b itself
 * (psc_verify_identify) */
static psc_verify_symptom reach_as_itself(const psc_verify_ctx *c,
					  rd_kafka_t *rk,
					  const psc_verify_mdb *b,
					  long long deadline, psc_verify_obs *o)
{
	psc_verify_symptom s = psc_verify_reach(o, b->host, b->port,
						c->endpoint_ip, deadline);
	return s == PSC_SYM_OK ? psc_verify_identify(rk, b->id, deadline, o)
			       : s;
}

/* 2. one broker: its advertised name resolves to the endpoint, connects,
 * and the broker answering there is that broker */
static void check_broker(const psc_verify_job *j, rd_kafka_t *rk,
			 const psc_verify_mdb *md, size_t n_md, long id)
{
	const psc_verify_ctx *c = j->c;
	const psc_verify_broker *tb = psc_verify_ctx_broker(c, id);
	const psc_verify_mdb *b = psc_verify_md_find(md, n_md, id);
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	if (b)
		psc_setf(name, sizeof(name), "%s: broker %ld at %s:%d",
			 c->changefeed, id, b->host, b->port);
	else
		psc_setf(name, sizeof(name), "%s: broker %ld (%s)",
			 c->changefeed, id, tb ? tb->instance : "?");
	psc_verify_obs_init(&o, c->changefeed, name);
	o.expected = id;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_log_reset();
	if (!b) {
		o.sym = PSC_SYM_MISSING;
		psc_verify_finish(j, &o, t0);
		return;
	}
	char got[PSC_ADDR_LEN];
	snprintf(got, sizeof(got), "%s:%d", b->host, b->port);
	if (tb && tb->external[0] && strcmp(got, tb->external) != 0) {
		o.sym = PSC_SYM_ADVERTISED;
		PSC_SET(o.host, "%s", b->host);
		o.port = b->port;
		PSC_SET(o.want, "%s", tb->external);
		psc_verify_finish(j, &o, t0);
		return;
	}
	o.sym = reach_as_itself(c, rk, b, deadline, &o);
	if (o.sym == PSC_SYM_OK)
		PSC_SET(o.detail, "%s resolves to %s; broker %ld answers there as "
		    "itself (DescribeConfigs BROKER %ld: node.id %ld)",
		    b->host, o.addr, id, id, id);
	if ((o.sym == PSC_SYM_OK || o.sym == PSC_SYM_KAFKA_ERROR) &&
	    c->lb_backends > 1)
		fresh_connections(j, got, id, &o);
	psc_verify_finish(j, &o, t0);
}

/* 3. the controller of the metadata: as itself, and takes CreateTopics */
/* ", and the KRaft quorum leader (DescribeQuorum) is broker M" */
static void quorum_note(const psc_verify_job *j, const char *bootstrap,
			long controller, psc_verify_obs *o)
{
	char err[256];
	long leader;
	if (!j->kclient[0])
		return;
	if (psc_kclient_quorum(j->kclient, bootstrap, j->timeout_ms, &leader,
			       err, sizeof(err)) < 0)
		PSC_APP(o->detail, "; the KRaft quorum leader is unknown "
		    "(DescribeQuorum: %s)", err);
	else
		PSC_APP(o->detail, "; the KRaft quorum leader (DescribeQuorum) "
		    "is broker %ld%s", leader, leader == controller ? ", the "
		    "same" : ", another: the metadata names any live broker "
		    "as controller in KRaft");
}

static void check_controller(const psc_verify_job *j, rd_kafka_t *rk,
			     const psc_verify_mdb *md, size_t n_md,
			     const char *bootstrap)
{
	const psc_verify_ctx *c = j->c;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_log_reset();
	long id = rd_kafka_controllerid(rk, (int)psc_verify_left(deadline));
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	psc_setf(name, sizeof(name), "%s: the controller the metadata names, "
		 "as TiCDC reads it (broker %ld)", c->changefeed, id);
	psc_verify_obs_init(&o, c->changefeed, name);
	o.expected = id;
	const psc_verify_mdb *b = id >= 0 ? psc_verify_md_find(md, n_md, id)
					  : NULL;
	if (!b) {
		o.sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o.detail, "the metadata names no controller among its "
		    "brokers (controller id %ld)", id);
		psc_verify_finish(j, &o, t0);
		return;
	}
	o.sym = reach_as_itself(c, rk, b, deadline, &o);
	if (o.sym == PSC_SYM_OK) {
		char e[PSC_VERIFY_TEXT_LEN];
		if (psc_verify_topic_create(rk, j->topic, PSC_VERIFY_PARTITIONS,
					    1, true, deadline, e,
					    sizeof(e)) < 0) {
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
			quorum_note(j, bootstrap, id, &o);
		}
	}
	psc_verify_finish(j, &o, t0);
}

/* one API's tally from psclab-kclient into its observation */
static void address_obs(const psc_verify_ctx *c, const char *api,
			const psc_kclient_tally *t, int exit_status,
			psc_verify_obs *o)
{
	if (t->leaked) {
		o->sym = PSC_SYM_LEAKED;
		PSC_SET(o->host, "%s", t->host);
		o->port = t->port;
		o->expected = t->node_id;
		PSC_SET(o->detail, "from %s, the client asked through %s",
		    t->bootstrap, c->approach == PSC_APPROACH_PROXY
		    ? "kafka-proxy" : "PSC");
		if (t->leaked > 1)
			PSC_APP(o->detail, "; %zu of its %zu broker addresses "
			    "are outside the domain", t->leaked, t->seen);
	} else if (t->seen) {
		o->sym = PSC_SYM_OK;
		PSC_SET(o->detail, "%zu broker address%s, all in %s", t->seen,
		    t->seen == 1 ? "" : "es", c->domain);
	} else if (t->asked && t->error[0]) {
		o->sym = PSC_SYM_KAFKA_ERROR;
		PSC_SET(o->detail, "%s was refused or failed", api);
		PSC_SET(o->error, "%s", t->error);
	} else {
		o->sym = PSC_SYM_INTERNAL;
		PSC_SET(o->detail, "psclab-kclient printed no %s answer (exit "
		    "status %d)", api, exit_status);
	}
}

/* 3b. Every response that names brokers, as TiCDC's default Kafka library
 * (franz-go) receives them: psclab-kclient probe, run here in the node,
 * asks each bootstrap address for Metadata, DescribeCluster and
 * FindCoordinator and prints every broker address they name.  One check
 * per API: an address outside the advertised domain is LEAKED (the
 * diagnosis decides FAIL or WARN by the API). */
static void check_addresses(const psc_verify_job *j, const char *bootstrap)
{
	const psc_verify_ctx *c = j->c;
	psc_verify_obs o[PSC_KCLIENT_APIS];
	long long t0 = psc_now_ms();
	for (int a = 0; a < PSC_KCLIENT_APIS; a++) {
		char name[PSC_VERIFY_NAME_LEN];
		psc_setf(name, sizeof(name), "%s: %s names only advertised "
			 "addresses (franz-go)", c->changefeed,
			 psc_kclient_apis[a]);
		psc_verify_obs_init(&o[a], c->changefeed, name);
		PSC_SET(o[a].api, "%s", psc_kclient_apis[a]);
	}
	if (!j->kclient[0]) {
		for (int a = 0; a < PSC_KCLIENT_APIS; a++) {
			o[a].sym = PSC_SYM_SKIPPED;
			PSC_SET(o[a].detail, "not run: psclab-kclient (the franz-go "
			    "client, make bin/psclab-kclient) is not installed "
			    "beside pscLab, and PSCLAB_KCLIENT is not set");
			psc_verify_finish(j, &o[a], t0);
		}
		return;
	}
	psc_kclient_result kr;
	char err[256];
	if (psc_kclient_probe(j->kclient, bootstrap, c->domain, j->timeout_ms,
			      (long long)j->timeout_ms *
					      (long long)(j->n_ports + 1) +
				      5000,
			      &kr, err, sizeof(err)) < 0)
		return;   /* no pipe or no fork: these checks are not reported */
	for (int a = 0; a < PSC_KCLIENT_APIS; a++) {
		address_obs(c, psc_kclient_apis[a], &kr.api[a], kr.exit_status,
			    &o[a]);
		psc_verify_finish(j, &o[a], t0);
	}
}

/* the bootstrap ports that answered (ok NULL: every configured one), one
 * bootstrap list "h:p,h:p" */
static void answered(const psc_verify_job *j, const bool *ok, char *out,
		     size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < j->n_ports; i++)
		if (!ok || ok[i])
			psc_appendf(out, len, "%s%s:%d", out[0] ? "," : "",
			    j->host, j->ports[i]);
}

/* no bootstrap port answered: the checks that need one, skipped */
static void skip_unbootstrapped(const psc_verify_job *j)
{
	const psc_verify_ctx *c = j->c;
	const char *why = "not run: no bootstrap port answered";
	char name[PSC_VERIFY_NAME_LEN];
	for (size_t i = 0; i < c->n_brokers; i++) {
		psc_setf(name, sizeof(name), "%s: broker %ld (%s)",
			 c->changefeed, c->brokers[i].node_id,
			 c->brokers[i].instance);
		psc_verify_skip(j, name, why);
	}
	psc_setf(name, sizeof(name), "%s: the controller the metadata names, "
		 "as TiCDC reads it", c->changefeed);
	psc_verify_skip(j, name, why);
	psc_setf(name, sizeof(name), "%s: create topic %s", c->changefeed,
		 j->topic);
	psc_verify_skip(j, name, why);
}

/* the brokers to check: the metadata's and the topology's, each id once,
 * by id */
static size_t broker_ids(const psc_verify_ctx *c, const psc_verify_mdb *md,
			 size_t n_md, long *ids)
{
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
	return n_ids;
}

void psc_verify_run_changefeed(const psc_verify_job *j)
{
	const psc_verify_ctx *c = j->c;
	/* Metadata's brokers (PSC_VERIFY_MD_MAX of 272 bytes: 557 KB, on the
	 * heap) and its second answer */
	psc_verify_mdb *md = calloc(2 * PSC_VERIFY_MD_MAX, sizeof(*md));
	psc_verify_mdb *m2 = md ? md + PSC_VERIFY_MD_MAX : NULL;
	size_t n_md = 0;
	bool ok[PSC_MAX_BOOTSTRAP];
	char bootstrap[PSC_MAX_BOOTSTRAP * (PSC_HOST_LEN + 8)];

	if (!md)
		return;
	check_bootstrap(j, md, &n_md, ok);
	/* TiCDC is given the whole configured list, answered or not */
	answered(j, NULL, bootstrap, sizeof(bootstrap));
	psc_verify_check_ticdc(j, bootstrap);
	answered(j, ok, bootstrap, sizeof(bootstrap));
	if (!bootstrap[0]) {
		skip_unbootstrapped(j);
		free(md);
		return;
	}

	/* the changefeed's client: every bootstrap port that answered */
	psc_verify_dr dr;
	memset(&dr, 0, sizeof(dr));
	char err[PSC_VERIFY_TEXT_LEN];
	rd_kafka_t *rk = psc_verify_client(RD_KAFKA_PRODUCER, bootstrap,
					   j->timeout_ms, &dr, err,
					   sizeof(err));
	if (!rk) {
		psc_verify_obs o;
		char name[PSC_VERIFY_NAME_LEN];
		psc_setf(name, sizeof(name), "%s: Kafka client", c->changefeed);
		psc_verify_obs_init(&o, c->changefeed, name);
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "%s", err);
		psc_verify_emit(j, &o);
		free(md);
		return;
	}
	size_t n2 = 0;
	if (psc_verify_metadata(c, rk, psc_now_ms() + j->timeout_ms, m2,
				&n2) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		memcpy(md, m2, n2 * sizeof(*m2));
		n_md = n2;
	}

	/* 2. brokers, 3. the controller, 3b. broker addresses in Metadata,
	 * DescribeCluster, FindCoordinator as franz-go sees them */
	long ids[PSC_VERIFY_MD_MAX + PSC_MAX_BROKERS];
	size_t n_ids = broker_ids(c, md, n_md, ids);
	for (size_t i = 0; i < n_ids; i++)
		check_broker(j, rk, md, n_md, ids[i]);
	check_controller(j, rk, md, n_md, bootstrap);
	check_addresses(j, bootstrap);

	/* 4. topic, produce, consume, delete */
	psc_verify_check_topic(j, rk, &dr, bootstrap);
	rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_destroy(rk);
	free(md);
}
