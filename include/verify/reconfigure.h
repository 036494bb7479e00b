/* reconfigure.h - `pscLab reconfigure <lab> [--resume]`: the seed's
 * "Reconfigure a Running Kafka Cluster" on a lab brought up with
 * `up portmap --existing-cluster` (model/stage.h), while a producer
 * (acks=all, idempotent) and a consumer (psclab-kclient, franz-go) work
 * through the INTERNAL listener from bastion-node:
 *   1. the producer and the consumer started in bastion-node (journaled:
 *      `down` stops them too), the producer awaited until it is acked;
 *   2. the cluster in sync (every partition's ISR its whole replica set,
 *      every broker in Metadata: librdkafka, from bastion-node), then one
 *      broker at a time: the stage says RESTARTING (so its
 *      server.properties is written with EXTERNAL), it is stopped by pid
 *      and started (runtime/lab.h psc_lab_node_process), awaited until it
 *      serves, then until nothing is under-replicated again (bounded);
 *      the stage says DONE with its time away.  A broker that does not
 *      come back: FAILED with why (its log tail), the roll stops, the
 *      others are left as they are and serving; --resume starts there;
 *   3. the NEG endpoints added (the stage's neg_mapped; the rules made
 *      again, runtime/fault.h psc_lab_remake);
 *   4. the producer stopped (SIGTERM: it waits for what it sent), the
 *      consumer told to finish (it reads the producer's acknowledged
 *      numbers and waits for each), their counts read;
 *   5. verify through PSC (verify_run.h).
 * The proxy way has nothing to reconfigure (its cluster stays as it is):
 * refused with that reason.  Call it from a single-threaded process, as
 * root. */
#ifndef PSCLAB_VERIFY_RECONFIGURE_H
#define PSCLAB_VERIFY_RECONFIGURE_H

#include <stdbool.h>
#include <stdio.h>

#include "verify/roll_report.h"

/* returned when the lab cannot be reconfigured as asked (err says why and
 * what to run): the proxy way, not --existing-cluster, done already, a
 * stopped roll without --resume, --resume with nothing to resume, another
 * reconfigure running */
#define PSC_RECONF_REFUSED (-5)
#define PSC_RECONF_RATE_DEFAULT 100        /* messages a second */
/* how long a restarted broker may take to be in sync again */
#define PSC_RECONF_CATCHUP_MS 60000L

typedef struct psc_reconfigure_opts {
	bool resume;
	long rate;                  /* <= 0: PSC_RECONF_RATE_DEFAULT */
	long catchup_ms;            /* <= 0: PSC_RECONF_CATCHUP_MS */
	FILE *progress;             /* a line a step; NULL none */
} psc_reconfigure_opts;

/* Roll lab (see above) into r, whose stage it owns until
 * psc_reconfigure_free(r).  0 when the roll ran, whatever it found (r
 * says: psc_roll_report_ok); PSC_LAB_NOT_UP (store.h) or
 * PSC_RECONF_REFUSED with err; -1 with err when it could not run. */
int psc_reconfigure_run(const char *lab, const psc_reconfigure_opts *o,
			psc_roll_report *r, char *err, size_t errlen);
void psc_reconfigure_free(psc_roll_report *r);

#endif
