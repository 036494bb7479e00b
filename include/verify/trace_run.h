/* trace_run.h - `pscLab trace <lab> <host:port> [--from <node>]`: one TCP
 * connection from a node, every hop it took read from the kernel.
 *
 * The parent reads every counted nft rule of the lab's routers and PSC
 * namespace, then forks a child (children.h) that enters the node (its
 * namespace and resolv.conf) and there: asks the node's resolver (the
 * lab's DNS stub) for host with ldns (rcode, authority, the zone's SOA),
 * resolves it as the changefeed would (getaddrinfo), opens one TCP
 * connection to it (its source address and port noted) and, when that
 * connected, bootstraps librdkafka on host:port alone (ApiVersions,
 * Metadata) and asks the broker that advertises host:port which node it is
 * (DescribeConfigs BROKER <id>, verify's psc_verify_identify: a broker
 * refuses it for another id).  Its one line goes back; the parent reads the
 * counters again and the connection's conntrack entries (the PSC namespace,
 * the load balancer's router), and diagnoses (trace.h).
 *
 * Bounds: DNS 2 tries of 1 s per query (two queries), the connection and
 * the Kafka exchange --timeout each (default PSC_TRACE_TIMEOUT_DEFAULT_MS);
 * the child is killed past its budget. */
#ifndef PSCLAB_VERIFY_TRACE_RUN_H
#define PSCLAB_VERIFY_TRACE_RUN_H

#include <stddef.h>

#include "verify/trace.h"

typedef struct psc_trace_opts {
	const char *from;               /* NULL: "changefeed" */
	long timeout_ms;                /* 0: the default */
	bool no_kafka;                  /* skip the Kafka exchange */
} psc_trace_opts;

/* Trace target ("host:port") in lab.  0 with r filled (free it with
 * psc_trace_result_free; psc_trace_exit_code tells 0 or 1);
 * PSC_LAB_NOT_UP or PSC_LAB_NO_NODE (store.h) with err; -1 with err for
 * the rest (a target that is no host:port, a child that could not run). */
int psc_trace_run(const char *lab, const char *target,
		  const psc_trace_opts *o, psc_trace_result *r, char *err,
		  size_t errlen);

#endif
