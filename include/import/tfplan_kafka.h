/* tfplan_kafka.h - what a plan does not hold, for `pscLab import`: the
 * lab's name, the TiDB Cloud side (tidbcloud: section, its VPC and subnet,
 * the changefeed node, the PSC endpoint, the private DNS zone: made as
 * TiDB Cloud makes them, as in the shipped topologies) and the Kafka
 * configuration (the seed's 3-broker KRaft cluster mapped onto the plan's
 * brokers, or a --kafka fragment copied verbatim).  Each value taken from
 * an option's default is recorded as an assumption (psc_import_assume). */
#ifndef PSCLAB_TFPLAN_KAFKA_H
#define PSCLAB_TFPLAN_KAFKA_H

#include "model/diag.h"
#include "import/tfplan.h"

/* The seed's TiDB Cloud side: addresses of the shipped topologies */
#define PSC_IMPORT_TC_NETWORK "tidbcloud-vpc"
#define PSC_IMPORT_TC_SUBNET "tidbcloud-subnet"
#define PSC_IMPORT_TC_RANGE "172.16.0.0/20"
#define PSC_IMPORT_TC_ENDPOINT_IP "172.16.0.10"
#define PSC_IMPORT_CLUSTER_ID "BRl69zcmTFmiPaoaANybiw"

/* Fill im->t's name, approach, tidbcloud, the TiDB Cloud objects, kafka
 * and kafka_proxy (or im->kafka_text from o->kafka_file).  0, 1 with
 * errors in d (no brokers, a bad option value, a fragment that is no
 * kafka: section), 2 when the --kafka file cannot be read. */
int psc_import_side(psc_import *im, const psc_import_opts *o, psc_diags *d);

#endif
