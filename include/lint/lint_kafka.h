/* lint_kafka.h - the Kafka, kafka-proxy and reachability rules
 * (lint_kafka.c): listeners and the KRaft quorum, the advertised listener
 * pattern, the two approaches, and whether every advertised address and
 * bootstrap port leads to the right broker.  psc_lint() (lint.h) runs
 * them. */
#ifndef PSCLAB_LINT_KAFKA_H
#define PSCLAB_LINT_KAFKA_H

#include "model/diag.h"
#include "model/topology.h"

/* Adds the findings of every Kafka rule to d (unsorted). */
void psc_lint_kafka(const psc_topology *t, psc_diags *d);

#endif
