/* consumers.c - the TiDB Cloud consumers of a topology and each one's view
 * (see consumers.h).  A view is one memcpy of the topology (2.9 MB) and a
 * copy of its brokers; nothing else is copied. */
#define _POSIX_C_SOURCE 200809L
#include "model/consumers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

size_t psc_consumer_count(const psc_topology *t)
{
	return t->changefeed.present ? 1 + t->n_changefeeds : 0;
}

const psc_changefeed *psc_consumer_changefeed(const psc_topology *t,
					      size_t k)
{
	if (k == 0)
		return &t->changefeed;
	return k <= t->n_changefeeds ? &t->changefeeds[k - 1] : NULL;
}

const char *psc_consumer_project(const psc_topology *t, size_t k)
{
	const psc_changefeed *cf = psc_consumer_changefeed(t, k);
	return !cf ? "" : k == 0 ? t->tidbcloud.project : cf->project;
}

const char *psc_consumer_pattern(const psc_topology *t, size_t k)
{
	const psc_changefeed *cf = psc_consumer_changefeed(t, k);
	return !cf ? "" : k == 0 ? t->tidbcloud.advertised_listener_pattern
				 : cf->advertised_listener_pattern;
}

const char *psc_consumer_listener(const psc_topology *t, size_t k)
{
	const psc_changefeed *cf = psc_consumer_changefeed(t, k);
	return !cf ? "" : k == 0 ? t->kafka.external_listener
				 : cf->external_listener;
}

int psc_consumer_domain(const psc_topology *t, size_t k, char *out,
			size_t len)
{
	psc_tidbcloud tc;
	memset(&tc, 0, sizeof(tc));
	PSC_SET(tc.advertised_listener_pattern, "%s",
	    psc_consumer_pattern(t, k));
	return psc_pattern_domain(&tc, out, len);
}

long psc_consumer_of_node(const psc_topology *t, const char *instance)
{
	for (size_t k = 0; k < psc_consumer_count(t); k++)
		if (strcmp(psc_consumer_changefeed(t, k)->instance,
			   instance) == 0)
			return (long)k;
	return -1;
}

long psc_consumer_of_host(const psc_topology *t, const char *host)
{
	size_t hl = strlen(host);
	for (size_t k = 0; k < psc_consumer_count(t); k++) {
		char d[PSC_HOST_LEN];
		if (psc_consumer_domain(t, k, d, sizeof(d)) < 0)
			continue;
		size_t dl = strlen(d);
		if (hl > dl && host[hl - dl - 1] == '.' &&
		    strcasecmp(host + hl - dl, d) == 0)
			return (long)k;
	}
	return -1;
}

long psc_broker_group_port(const psc_topology *t, const psc_broker *b,
			   const char *listener, psc_loc *loc)
{
	if (!listener || !listener[0])
		return 0;
	if (strcmp(listener, t->kafka.external_listener) == 0) {
		if (loc)
			*loc = b->external_port_loc;
		return b->external_port;
	}
	for (size_t i = 0; i < b->n_external_ports; i++)
		if (strcmp(b->external_ports[i].listener, listener) == 0) {
			if (loc)
				*loc = b->external_ports[i].port_loc;
			return b->external_ports[i].port;
		}
	return 0;
}

int psc_broker_advertised_group(const psc_topology *t, const psc_broker *b,
				const char *listener, char *out, size_t len)
{
	for (size_t k = 1; k < psc_consumer_count(t); k++) {
		char d[PSC_HOST_LEN];
		if (strcmp(psc_consumer_listener(t, k), listener) != 0)
			continue;
		long port = psc_broker_group_port(t, b, listener, NULL);
		if (port <= 0 || psc_consumer_domain(t, k, d, sizeof(d)) < 0)
			return -1;
		int n = snprintf(out, len, "%s.%s:%ld", b->broker_id, d, port);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	return -1;
}

bool psc_kafka_proxy_runs_on(const psc_kafka_proxy *kp, const char *in)
{
	if (!kp->present)
		return false;
	if (strcmp(kp->instance, in) == 0)
		return true;
	for (size_t i = 0; i < kp->n_additional_instances; i++)
		if (strcmp(kp->additional_instances[i], in) == 0)
			return true;
	return false;
}

const psc_kafka_proxy *psc_kafka_proxy_on(const psc_topology *t,
					  const char *instance)
{
	if (psc_kafka_proxy_runs_on(&t->kafka_proxy, instance))
		return &t->kafka_proxy;
	for (size_t p = 0; p < t->n_kafka_proxies; p++)
		if (psc_kafka_proxy_runs_on(&t->kafka_proxies[p], instance))
			return &t->kafka_proxies[p];
	return NULL;
}

/* the kafka-proxy on a member of one of lb's instance groups, or NULL */
static const psc_kafka_proxy *proxy_behind(const psc_topology *t,
					   const psc_load_balancer *lb)
{
	psc_topology *tt = (psc_topology *)t;
	for (size_t b = 0; b < lb->n_backends; b++) {
		psc_instance_group *g = psc_find_instance_group(tt,
							lb->backends[b]);
		for (size_t i = 0; g && i < g->n_instances; i++) {
			const psc_kafka_proxy *kp =
				psc_kafka_proxy_on(t, g->instances[i]);
			if (kp)
				return kp;
		}
	}
	return NULL;
}

const psc_kafka_proxy *psc_consumer_proxy(const psc_topology *t, size_t k)
{
	psc_topology *tt = (psc_topology *)t;
	const psc_changefeed *cf = psc_consumer_changefeed(t, k);
	psc_endpoint *ep = cf ? psc_find_endpoint(tt, cf->endpoint) : NULL;
	psc_service_attachment *sa =
		ep ? psc_find_service_attachment(tt, ep->target) : NULL;
	psc_load_balancer *lb =
		sa ? psc_find_load_balancer(tt, sa->target) : NULL;
	const psc_kafka_proxy *kp = lb ? proxy_behind(t, lb) : NULL;
	if (kp)
		return kp;
	return t->kafka_proxy.present ? &t->kafka_proxy : NULL;
}

/* the view's brokers: external_port the group's, its own copy */
static int view_brokers(const psc_topology *t, psc_topology *v,
			const char *listener)
{
	psc_broker *bs = t->kafka.n_brokers
		? psc_topology_alloc(v, t->kafka.n_brokers, sizeof(*bs)) : NULL;
	if (t->kafka.n_brokers && !bs)
		return -1;
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		bs[i] = t->kafka.brokers[i];
		psc_loc loc = bs[i].loc;
		bs[i].external_port = psc_broker_group_port(t, &bs[i], listener,
							    &loc);
		bs[i].external_port_loc = loc;
		bs[i].external_advertised[0] = '\0';
	}
	v->kafka.brokers = bs;
	return 0;
}

psc_topology *psc_consumer_view(const psc_topology *t, size_t k, char *err,
				size_t errlen)
{
	const psc_changefeed *cf = psc_consumer_changefeed(t, k);
	if (!cf || !cf->present) {
		psc_setf(err, errlen, "lab '%s' has no consumer %zu (its "
			 "changefeeds: %zu)", t->name, k,
			 psc_consumer_count(t));
		return NULL;
	}
	psc_topology *v = malloc(sizeof(*v));
	if (!v) {
		psc_setf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(v, t, sizeof(*v));
	v->arena = NULL;
	v->n_changefeeds = 0;
	v->n_kafka_proxies = 0;
	const psc_kafka_proxy *kp = psc_consumer_proxy(t, k);
	if (kp)
		v->kafka_proxy = *kp;
	if (k > 0) {
		v->changefeed = *cf;
		PSC_SET(v->tidbcloud.project, "%s", cf->project);
		v->tidbcloud.project_loc = cf->project_loc;
		PSC_SET(v->tidbcloud.unique, "%s", cf->unique);
		v->tidbcloud.unique_loc = cf->unique_loc;
		PSC_SET(v->tidbcloud.advertised_listener_pattern, "%s",
		    cf->advertised_listener_pattern);
		v->tidbcloud.advertised_listener_pattern_loc =
			cf->advertised_listener_pattern_loc;
		PSC_SET(v->kafka.external_listener, "%s", cf->external_listener);
		v->kafka.external_listener_loc = cf->external_listener_loc;
		if (view_brokers(t, v, cf->external_listener) < 0) {
			psc_topology_free(v);
			psc_setf(err, errlen, "out of memory");
			return NULL;
		}
	}
	return v;
}
