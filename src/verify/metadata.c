/* metadata.c - Metadata's brokers, and an address bootstrapped on alone
 * (see metadata.h). */
#define _GNU_SOURCE
#include "verify/metadata.h"

#include <stdbool.h>
#include <stdio.h>

#include "base/util.h"
#include "verify/job.h"
#include "verify/rdkafka_client.h"
#include "verify/reach.h"

static size_t md_brokers(const rd_kafka_metadata_t *md, psc_verify_mdb *out,
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
			psc_verify_mdb tmp = out[k];
			out[k] = out[k - 1];
			out[k - 1] = tmp;
		}
	return n;
}

const psc_verify_mdb *psc_verify_md_find(const psc_verify_mdb *b, size_t n,
					 long id)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].id == id)
			return &b[i];
	return NULL;
}

void psc_verify_md_list(const psc_verify_mdb *b, size_t n, char *out,
			size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		psc_appendf(out, len, "%s%ld %s:%d", i ? ", " : "", b[i].id, b[i].host,
		    b[i].port);
}

rd_kafka_resp_err_t psc_verify_metadata(const psc_verify_ctx *c,
					rd_kafka_t *rk, long long deadline,
					psc_verify_mdb *out, size_t *n)
{
	rd_kafka_resp_err_t e;
	*n = 0;
	for (;;) {
		const rd_kafka_metadata_t *m = NULL;
		e = rd_kafka_metadata(rk, 0, NULL, &m,
				      (int)psc_verify_left(deadline) + 1);
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
			*n = md_brokers(m, out, PSC_VERIFY_MD_MAX);
		if (m)
			rd_kafka_metadata_destroy(m);
		if (e)
			return e;
		bool complete = true;
		for (size_t i = 0; i < c->n_brokers; i++)
			if (c->brokers[i].alive &&
			    !psc_verify_md_find(out, *n, c->brokers[i].node_id))
				complete = false;
		if (complete || psc_verify_left(deadline) < 300)
			return e;
		psc_sleep_ms(200);
	}
}

rd_kafka_t *psc_verify_bootstrap_alone(const psc_verify_ctx *c,
				       psc_verify_obs *o, const char *host,
				       int port, const char *want_addr,
				       long timeout_ms, long long deadline,
				       psc_verify_mdb *b, size_t *nb)
{
	char bs[PSC_ADDR_LEN + 8];
	*nb = 0;
	o->sym = psc_verify_reach(o, host, port, want_addr, deadline);
	if (o->sym != PSC_SYM_OK)
		return NULL;
	snprintf(bs, sizeof(bs), "%s:%d", host, port);
	rd_kafka_t *rk = psc_verify_client(RD_KAFKA_PRODUCER, bs, timeout_ms,
					   NULL, o->detail, sizeof(o->detail));
	if (!rk) {
		o->sym = PSC_SYM_INTERNAL;
		return NULL;
	}
	rd_kafka_resp_err_t e = psc_verify_metadata(c, rk, deadline, b, nb);
	if (!e)
		return rk;
	o->sym = PSC_SYM_KAFKA_ERROR;
	char what[256];
	snprintf(what, sizeof(what), "Metadata: %s", rd_kafka_err2str(e));
	psc_verify_client_error(o->error, sizeof(o->error), what);
	PSC_SET(o->detail, "%s accepts TCP connections but ApiVersions + "
	    "Metadata got no answer", bs);
	rd_kafka_destroy(rk);
	return NULL;
}
