/* lint_consumers.h - the rules of more TiDB Cloud projects on one Kafka
 * (the seed's FAQ; model/consumers.h): each changefeeds[] entry's
 * listener group, the brokers' external_ports, the port ranges of the
 * groups (the FAQ: "the port range of EXTERNAL2 can not overlap with the
 * EXTERNAL"), unique patterns, and every rule of lint_net.c and
 * lint_kafka.c run again on each further consumer's view, keeping what
 * the file's own run did not find.  A topology with one consumer gets no
 * finding from here. */
#ifndef PSCLAB_LINT_CONSUMERS_H
#define PSCLAB_LINT_CONSUMERS_H

#include "model/diag.h"
#include "model/topology.h"

void psc_lint_consumers(const psc_topology *t, psc_diags *d);

#endif
