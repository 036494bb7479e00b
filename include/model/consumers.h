/* consumers.h - the TiDB Cloud consumers of a topology: the seed's FAQ,
 * "How to connect to the same Kafka Private Service Connect from two
 * different TiDB Cloud projects".  Consumer 0 is the file's `changefeed`,
 * with `tidbcloud`'s project and pattern and kafka.external_listener (what
 * every topology had before); consumers 1.. are `changefeeds[]`, each with
 * its own project, pattern, changefeed node, PSC endpoint, bootstrap ports
 * and (portmap) the brokers' listener group that serves it (EXTERNAL2,
 * each broker's client port in its external_ports).
 *
 * A consumer's view is a topology as a one-consumer file would say it:
 * its changefeed, its project and pattern in `tidbcloud`, its listener
 * group as kafka.external_listener and each broker's external_port, its
 * kafka-proxy as kafka_proxy; what checks one consumer (verify's context,
 * lint's per-consumer rules) reads it as it reads any topology.  Pure:
 * nothing here touches the host. */
#ifndef PSCLAB_CONSUMERS_H
#define PSCLAB_CONSUMERS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"

/* 1 + n_changefeeds when the topology has a changefeed, else 0 */
size_t psc_consumer_count(const psc_topology *t);
/* consumer k's changefeed: &t->changefeed for 0, changefeeds[k-1] */
const psc_changefeed *psc_consumer_changefeed(const psc_topology *t,
					      size_t k);
/* its TiDB Cloud project, its advertised listener pattern, its listener
 * group ("" none: proxy) */
const char *psc_consumer_project(const psc_topology *t, size_t k);
const char *psc_consumer_pattern(const psc_topology *t, size_t k);
const char *psc_consumer_listener(const psc_topology *t, size_t k);
/* the domain of its pattern; 0 or -1 (a pattern without that shape) */
int psc_consumer_domain(const psc_topology *t, size_t k, char *out,
			size_t len);
/* the consumer the advertised host (a name) belongs to by its domain, or
 * -1: a name of no consumer's pattern */
long psc_consumer_of_host(const psc_topology *t, const char *host);
/* the consumer whose changefeed node is instance, or -1 */
long psc_consumer_of_node(const psc_topology *t, const char *instance);

/* the client port broker b advertises on listener (its external_port on
 * kafka.external_listener, its external_ports entry on another), 0 none;
 * *loc (may be NULL) where it was read */
long psc_broker_group_port(const psc_topology *t, const psc_broker *b,
			   const char *listener, psc_loc *loc);
/* b's advertised address on listener group `listener` when that is a
 * changefeeds[] entry's: "<broker_id>.<its domain>:<its port>"; -1 when
 * the listener is no entry's, or b has no port for it */
int psc_broker_advertised_group(const psc_topology *t, const psc_broker *b,
				const char *listener, char *out, size_t len);

/* kp runs on instance (its own or one of its additional instances) */
bool psc_kafka_proxy_runs_on(const psc_kafka_proxy *kp, const char *instance);
/* the kafka-proxy (kafka_proxy, else one of kafka_proxies[]) that runs on
 * instance, or NULL */
const psc_kafka_proxy *psc_kafka_proxy_on(const psc_topology *t,
					  const char *instance);
/* the kafka-proxy whose instance serves consumer k: the one (kafka_proxy
 * or kafka_proxies[]) running on a member of an instance group behind the
 * load balancer its endpoint's service attachment targets; else
 * kafka_proxy.  NULL when the topology has no kafka-proxy. */
const psc_kafka_proxy *psc_consumer_proxy(const psc_topology *t, size_t k);

/* Consumer k's view (see above): a topology of its own (free it with
 * psc_topology_free), sharing t's lists but the brokers, which it owns;
 * t must outlive it.  NULL with err when out of memory or k is no
 * consumer. */
psc_topology *psc_consumer_view(const psc_topology *t, size_t k, char *err,
				size_t errlen);

#endif
