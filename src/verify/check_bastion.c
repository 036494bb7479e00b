/* check_bastion.c - the seed's Kafka-VPC-side steps from bastion-node
 * (see check_bastion.h). */
#define _GNU_SOURCE
#include "verify/check_bastion.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "base/util.h"
#include "verify/metadata.h"
#include "verify/rdkafka_client.h"
#include "verify/reach.h"

long psc_verify_bastion_budget(const psc_verify_job *j)
{
	return 2 * j->timeout_ms + 5000;
}

/* the metadata's brokers against the topology's: every one there, at the
 * address the listener gives (external: the advertised name, and whether
 * it resolves here) */
static void bastion_brokers(const psc_verify_ctx *c, const psc_verify_mdb *b,
			    size_t nb, bool external, psc_verify_obs *o)
{
	o->sym = PSC_SYM_OK;
	PSC_SET(o->detail, "%zu broker%s:", nb, nb == 1 ? "" : "s");
	for (size_t i = 0; i < c->n_brokers; i++) {
		const psc_verify_broker *tb = &c->brokers[i];
		const psc_verify_mdb *x = psc_verify_md_find(b, nb, tb->node_id);
		const char *want = external ? tb->external : tb->internal;
		char got[PSC_ADDR_LEN];
		if (!x) {
			o->sym = PSC_SYM_MISSING;
			o->expected = tb->node_id;
			break;
		}
		snprintf(got, sizeof(got), "%s:%d", x->host, x->port);
		if (want[0] && strcmp(got, want) != 0) {
			o->sym = PSC_SYM_ADVERTISED;
			o->expected = tb->node_id;
			PSC_SET(o->host, "%s", x->host);
			o->port = x->port;
			PSC_SET(o->want, "%s", want);
			PSC_SET(o->addr, "%s", "");
			break;
		}
		PSC_APP(o->detail, "%s %ld %s", i ? "," : "", x->id, got);
		if (external) {
			char addr[48], re[256];
			if (psc_verify_resolve(x->host, addr, sizeof(addr), re,
					       sizeof(re)) < 0)
				PSC_APP(o->detail, " (does not resolve here)");
			else
				PSC_APP(o->detail, " (resolves to %s here: the "
				    "seed expects it not to; harmless)", addr);
		}
	}
	if (o->sym == PSC_SYM_OK && external)
		PSC_APP(o->detail, "; as the seed explains, only TiDB Cloud's "
		    "private zone resolves these names");
	if (o->sym != PSC_SYM_OK)
		o->detail[0] = '\0';
}

/* 5. bastion-node: bootstrap on a broker's address, INTERNAL or EXTERNAL
 * listener */
static void check_bastion_listener(const psc_verify_job *j, bool external)
{
	const psc_verify_ctx *c = j->c;
	const psc_verify_broker *b0 = &c->brokers[0];
	long port = external ? c->external_listener_port : c->internal_port;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	if (external)
		psc_setf(name, sizeof(name), "%s: EXTERNAL bootstrap %s:%ld "
			 "lists the advertised names (not resolvable there)",
			 c->bastion, b0->ip, port);
	else
		psc_setf(name, sizeof(name), "%s: INTERNAL bootstrap %s:%ld "
			 "lists the brokers by address", c->bastion, b0->ip,
			 port);
	psc_verify_obs_init(&o, c->bastion, name);
	o.expected = b0->node_id;
	long long t0 = psc_now_ms(), deadline = t0 + j->timeout_ms;
	psc_verify_log_reset();
	psc_verify_mdb b[PSC_VERIFY_MD_MAX];
	size_t nb = 0;
	rd_kafka_t *rk = psc_verify_bootstrap_alone(c, &o, b0->ip, (int)port,
						    NULL, j->timeout_ms,
						    deadline, b, &nb);
	if (rk) {
		bastion_brokers(c, b, nb, external, &o);
		rd_kafka_destroy(rk);
	}
	psc_verify_finish(j, &o, t0);
}

void psc_verify_run_bastion(const psc_verify_job *j)
{
	check_bastion_listener(j, false);
	if (j->c->approach == PSC_APPROACH_PORTMAP &&
	    j->c->external_listener_port > 0)
		check_bastion_listener(j, true);
}
