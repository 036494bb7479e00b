/* check_ticdc.h - TiCDC's own changefeed creation, step by step, as the
 * checks of the changefeed's node: `psclab-kclient changefeed` (Sarama, as
 * pingcap/ticdc's Verify and newKafkaSinkComponent do it; the steps and
 * where each comes from are in lab/kclient/changefeed.go and README) run
 * with the changefeed's bootstrap list, one check per step:
 *   1. ApiVersions v0 to each bootstrap address, shuffled (Kafka version)
 *   2. client and admin start (Metadata)
 *   3. the changefeed's topic described
 *   4. the message size limit (the topic's max.message.bytes, else the
 *      broker's message.max.bytes from the controller DescribeCluster names)
 *   5. the replication factor against min.insync.replicas (acks=all)
 *   6. CreateTopics, until the topic is visible
 * PASS; WARN where TiCDC only warns; FAIL with the error the changefeed
 * shows ([CDC:...]) where it refuses; the steps after a refusal SKIP. */
#ifndef PSCLAB_VERIFY_CHECK_TICDC_H
#define PSCLAB_VERIFY_CHECK_TICDC_H

#include <stddef.h>

#include "verify/job.h"

#define PSC_TICDC_STEPS 6

/* The steps' names, in order ("api_versions", ...). */
extern const char *const psc_ticdc_steps[PSC_TICDC_STEPS];

/* The checks, with bootstrap the changefeed's whole configured list
 * (host:port,...), answered or not: TiCDC is given all of them. */
void psc_verify_check_ticdc(const psc_verify_job *j, const char *bootstrap);

#endif
