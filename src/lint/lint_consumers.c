/* lint_consumers.c - the rules of a second (third, ...) TiDB Cloud project
 * on the same Kafka (see lint_consumers.h).  Rule ids: consumer-listener,
 * external-port-listener, external-port-overlap, consumer-pattern-unique;
 * the per-consumer run reports lint_net.c's and lint_kafka.c's own ids. */
#define _POSIX_C_SOURCE 200809L
#include "lint/lint_consumers.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "lint/lint_kafka.h"
#include "lint/lint_net.h"
#include "model/consumers.h"

#define ERR PSC_SEV_ERROR

static const char *cf_obj(char *buf, size_t len, const psc_changefeed *cf)
{
	psc_setf(buf, len, "changefeed '%s'", cf->instance);
	return buf;
}

/* portmap: each entry names a listener group of its own */
static void check_listeners(const psc_topology *t, psc_diags *d)
{
	const psc_kafka *k = &t->kafka;
	char obj[128];
	for (size_t i = 0; i < t->n_changefeeds; i++) {
		const psc_changefeed *cf = &t->changefeeds[i];
		const char *l = cf->external_listener;
		cf_obj(obj, sizeof(obj), cf);
		if (!l[0]) {
			psc_diag_add(d, ERR, cf->loc, "consumer-listener", obj,
				     "add external_listener: EXTERNAL2 (a "
				     "listener of kafka.listeners)",
				     "no external_listener: in approach "
				     "portmap each TiDB Cloud project needs "
				     "a group of EXTERNAL listener of its "
				     "own (the seed's FAQ: EXTERNAL2)");
			continue;
		}
		const char *why = NULL;
		if (!psc_find_listener((psc_kafka *)k, l))
			why = "is no listener of kafka.listeners";
		else if (strcmp(l, k->external_listener) == 0)
			why = "is the first project's (kafka.external_listener)";
		else if (strcmp(l, k->inter_broker_listener) == 0 ||
			 strcmp(l, k->controller_listener) == 0)
			why = "is the inter-broker or controller listener";
		for (size_t j = 0; !why && j < i; j++)
			if (strcmp(t->changefeeds[j].external_listener, l) == 0)
				why = "is also an earlier changefeed's";
		if (why)
			psc_diag_add(d, ERR, cf->external_listener_loc,
				     "consumer-listener", obj, NULL,
				     "external_listener '%s' %s: each "
				     "project's brokers advertise its own "
				     "names on a listener of its own", l, why);
	}
}

/* the group of a broker's external_ports entry: some entry's listener */
static bool group_known(const psc_topology *t, const char *listener)
{
	for (size_t i = 0; i < t->n_changefeeds; i++)
		if (strcmp(t->changefeeds[i].external_listener, listener) == 0)
			return true;
	return false;
}

static void check_port_listeners(const psc_topology *t, psc_diags *d)
{
	char obj[128];
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		const psc_broker *b = &t->kafka.brokers[i];
		psc_setf(obj, sizeof(obj), "broker %ld (%s)", b->node_id,
			 b->instance);
		for (size_t p = 0; p < b->n_external_ports; p++) {
			const psc_broker_port *e = &b->external_ports[p];
			if (group_known(t, e->listener))
				continue;
			psc_diag_add(d, ERR, e->listener_loc,
				     "external-port-listener", obj,
				     "name it in a changefeeds[] entry's "
				     "external_listener, or remove it",
				     "external_ports names listener '%s', "
				     "which no changefeeds[] entry's "
				     "external_listener is: no pattern "
				     "advertises the port", e->listener);
		}
	}
}

/* the client port range of group k (its brokers' ports), false: none */
static bool group_range(const psc_topology *t, size_t k, long *lo, long *hi)
{
	const char *l = psc_consumer_listener(t, k);
	*lo = 0;
	*hi = 0;
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		long p = psc_broker_group_port(t, &t->kafka.brokers[i], l, NULL);
		if (p <= 0)
			continue;
		if (!*lo || p < *lo)
			*lo = p;
		if (p > *hi)
			*hi = p;
	}
	return *lo > 0;
}

/* the broker port of group listener l inside lo..hi, else its first
 * broker's port: *b, *loc; 0 none */
static long overlap_port(const psc_topology *t, const char *l, long lo,
			 long hi, const psc_broker **b, psc_loc *loc)
{
	long first = 0;
	*b = NULL;
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		psc_loc pl;
		long p = psc_broker_group_port(t, &t->kafka.brokers[i], l, &pl);
		if (p <= 0)
			continue;
		if (p >= lo && p <= hi) {
			*b = &t->kafka.brokers[i];
			*loc = pl;
			return p;
		}
		if (!first) {
			first = p;
			*b = &t->kafka.brokers[i];
			*loc = pl;
		}
	}
	return first;
}

/* the FAQ: "the port range of EXTERNAL2 can not overlap with the
 * EXTERNAL": group k's client port range against each earlier group's */
static void check_overlap(const psc_topology *t, psc_diags *d)
{
	char obj[128], hint[200];
	for (size_t k = 1; k < psc_consumer_count(t); k++) {
		const char *l = psc_consumer_listener(t, k);
		long klo, khi;
		if (!l[0] || !group_range(t, k, &klo, &khi))
			continue;
		for (size_t h = 0; h < k; h++) {
			long lo, hi;
			const char *hl = psc_consumer_listener(t, h);
			if (!hl[0] || strcmp(hl, l) == 0 ||
			    !group_range(t, h, &lo, &hi) || klo > hi ||
			    khi < lo)
				continue;
			const psc_broker *b;
			psc_loc loc = {0, 0};
			long port = overlap_port(t, l, lo, hi, &b, &loc);
			if (!b)
				continue;
			psc_setf(obj, sizeof(obj), "broker %ld (%s)",
				 b->node_id, b->instance);
			psc_setf(hint, sizeof(hint), "give %s client ports "
				 "outside %ld..%ld, e.g. from %ld up", l, lo, hi,
				 (hi > khi ? hi : khi) + 1);
			psc_diag_add(d, ERR, loc, "external-port-overlap", obj,
				     hint,
				     "client ports %ld..%ld of listener group "
				     "%s overlap %s's range %ld..%ld (port "
				     "%ld): the seed's FAQ says the port "
				     "range of %s can not overlap with the "
				     "%s; each project bootstraps on its own "
				     "range, and one port in both would lead "
				     "one project's changefeed to the "
				     "other's listener", klo, khi, l, hl, lo,
				     hi, port, l, hl);
			break;
		}
	}
}

static void check_patterns(const psc_topology *t, psc_diags *d)
{
	char obj[128];
	for (size_t k = 1; k < psc_consumer_count(t); k++) {
		char dk[PSC_HOST_LEN];
		if (psc_consumer_domain(t, k, dk, sizeof(dk)) < 0)
			continue;   /* pattern-shape, in the view */
		for (size_t h = 0; h < k; h++) {
			char dh[PSC_HOST_LEN];
			if (psc_consumer_domain(t, h, dh, sizeof(dh)) < 0 ||
			    strcasecmp(dh, dk) != 0)
				continue;
			const psc_changefeed *cf = &t->changefeeds[k - 1];
			psc_diag_add(d, ERR, cf->advertised_listener_pattern_loc,
				     "consumer-pattern-unique",
				     cf_obj(obj, sizeof(obj), cf),
				     "each project picks its own unique "
				     "string (Check usage and generate)",
				     "the pattern's domain %s is also "
				     "project %s's: the two projects' broker "
				     "names would be the same", dk,
				     psc_consumer_project(t, h));
			break;
		}
	}
}

static bool same_diag(const psc_diag *a, const psc_diag *b)
{
	return a->sev == b->sev && a->loc.line == b->loc.line &&
	       a->loc.col == b->loc.col && strcmp(a->rule, b->rule) == 0 &&
	       strcmp(a->msg, b->msg) == 0;
}

/* every net and Kafka rule on consumer k's view; what the file's own run
 * (d, so far) did not find is added, its message prefixed with the
 * consumer's project */
static void lint_view(const psc_topology *t, size_t k, psc_diags *d)
{
	char err[160];
	psc_topology *v = psc_consumer_view(t, k, err, sizeof(err));
	if (!v)
		return;
	psc_diags vd;
	psc_diags_init(&vd, d->file);
	psc_lint_net(v, &vd);
	psc_lint_kafka(v, &vd);
	size_t n0 = d->n;
	for (size_t i = 0; i < vd.n; i++) {
		const psc_diag *x = &vd.v[i];
		bool seen = false;
		for (size_t j = 0; j < n0 && !seen; j++)
			seen = same_diag(x, &d->v[j]);
		if (!seen)
			psc_diag_add(d, x->sev, x->loc, x->rule, x->object,
				     x->hint[0] ? x->hint : NULL,
				     "(project %s) %s",
				     psc_consumer_project(t, k), x->msg);
	}
	psc_diags_free(&vd);
	psc_topology_free(v);
}

void psc_lint_consumers(const psc_topology *t, psc_diags *d)
{
	if (psc_consumer_count(t) < 2)
		return;
	if (psc_topology_approach(t) == PSC_APPROACH_PORTMAP) {
		check_listeners(t, d);
		check_overlap(t, d);
	}
	check_port_listeners(t, d);
	check_patterns(t, d);
	for (size_t k = 1; k < psc_consumer_count(t); k++)
		lint_view(t, k, d);
}
