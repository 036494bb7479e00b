/* lab_kafka.h - the Kafka part of a lab's life: each broker's directory
 * and server.properties (kafka.h), storage formatted in parallel, the
 * brokers started in parallel as supervised processes in their nodes and
 * awaited until every one serves, kafka-proxy in the proxy approach; and
 * one broker or kafka-proxy started again (pscLab restart, fault start). */
#ifndef PSCLAB_LAB_KAFKA_H
#define PSCLAB_LAB_KAFKA_H

#include <stddef.h>
#include <stdio.h>

#include <limits.h>

#include "plan/plan.h"
#include "runtime/kafka.h"
#include "model/topology.h"

/* <state dir>/nodes/<instance>: a Kafka node's config, data and logs */
int psc_lab_node_dir(const char *lab, const char *instance, char *out,
		     size_t len);
/* Before anything is built: Kafka and Java are installed, and
 * kafka-proxy in the proxy approach.  -1 with what is missing and why. */
int psc_lab_kafka_precheck(const psc_plan *p, char *err, size_t errlen);
/* The storage of t's first n brokers, brokers[i] in dirs[i] (prepared:
 * server.properties written): stamped from the storage template when
 * psc_kafka_storage_stampable() (runtime/kafka_storage.h), else one
 * kafka-storage.sh format per broker, all at once; how says which, for
 * `up`'s progress. */
int psc_lab_format_storage(const psc_kafka_env *env, const psc_topology *t,
			   char (*dirs)[PATH_MAX], size_t n, char *how,
			   size_t howlen, char *err, size_t errlen);
/* Format and start every broker in its node (in parallel), wait until all
 * serve, then start kafka-proxy (proxy approach).  Journaled processes;
 * the caller tears down on failure. */
int psc_lab_start_kafka(const psc_plan *p, FILE *progress, char *err,
			size_t errlen);

/* Start the broker of instance again (after it was stopped: its storage
 * is kept, its server.properties written again from p's model, so that a
 * lab's stage shows: model/stage.h), journaled, and wait until it serves;
 * -1 with the reason (its log tail when it died).
 *
 * For tests only: with PSCLAB_TEST_FAIL_BROKER=<instance> in pscLab's
 * environment, that broker, when started with its EXTERNAL listener (the
 * roll of `pscLab reconfigure`), gets "node.id=not-a-number" appended to
 * its server.properties under a comment naming the variable: Kafka
 * refuses it and exits, the broker does not come back.  Unset, nothing. */
#define PSC_TEST_FAIL_BROKER_ENV "PSCLAB_TEST_FAIL_BROKER"
int psc_lab_start_broker(const psc_plan *p, const char *instance, char *err,
			 size_t errlen);
/* Start kafka-proxy (proxy approach) with the flags from the topology in
 * its node and each additional instance, and each of kafka_proxies[] (the
 * seed's FAQ: one per TiDB Cloud project) in its own (only: in that node
 * alone; NULL all), journaled, and wait until each accepts on every mapped port and
 * its HTTP address; -1 with the reason (its log tail when it died).  Also
 * how a stopped kafka-proxy is started again. */
int psc_lab_start_proxy(const psc_plan *p, const char *only, char *err,
			size_t errlen);
/* The supervisor's name of the i-th kafka-proxy: "kafka-proxy" for
 * kafka_proxy.instance (i 0), "kafka-proxy-<instance>" for the others. */
void psc_lab_proxy_proc_name(const psc_kafka_proxy *kp, size_t i, char *out,
			     size_t len);
/* The same for kafka-proxy kp of t: kafka_proxies[]' run as
 * "kafka-proxy-<instance>" on every instance. */
void psc_lab_proxy_proc_name_of(const psc_topology *t,
				const psc_kafka_proxy *kp, size_t i, char *out,
				size_t len);
/* kp runs on instance (its own or an additional one): its index i there
 * (0 its own), or -1 */
long psc_lab_proxy_on(const psc_kafka_proxy *kp, const char *instance);

#endif
