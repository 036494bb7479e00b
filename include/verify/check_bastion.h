/* check_bastion.h - the checks made in node `bastion-node`, the seed's
 * steps on the Kafka VPC's side: bootstrap on the first broker's address
 * and its INTERNAL listener, which lists every broker by its address;
 * then (portmap) on its EXTERNAL listener, which lists the advertised
 * names, and they do not resolve there (as the seed explains: PASS). */
#ifndef PSCLAB_VERIFY_CHECK_BASTION_H
#define PSCLAB_VERIFY_CHECK_BASTION_H

#include "verify/job.h"

/* Both checks, each observation to the parent (the child's run). */
void psc_verify_run_bastion(const psc_verify_job *j);
/* How long they may take in all, in ms: the child's budget. */
long psc_verify_bastion_budget(const psc_verify_job *j);

#endif
