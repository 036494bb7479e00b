/* check_changefeed.h - the checks made in node `changefeed`, the way TiDB
 * Cloud's changefeed sees the lab, in this order: every bootstrap port
 * alone (connect, ApiVersions, Metadata); every broker of the metadata and
 * of the topology at its advertised address (it resolves to the PSC
 * endpoint, connects, and the broker answering there is that broker;
 * behind several instance-group backends, through new connections too);
 * the controller (as itself, and it validates CreateTopics); the broker
 * addresses franz-go is handed (psclab-kclient, kclient.h); then the
 * topic's checks (check_topic.h). */
#ifndef PSCLAB_VERIFY_CHECK_CHANGEFEED_H
#define PSCLAB_VERIFY_CHECK_CHANGEFEED_H

#include "verify/job.h"

/* new clients per instance-group backend that each address is tried
 * through when the load balancer has more than one */
#define PSC_VERIFY_FRESH_TRIES_PER 4

/* Every check above, each observation to the parent (the child's run). */
void psc_verify_run_changefeed(const psc_verify_job *j);
/* How long they may take in all, in ms: the child's budget. */
long psc_verify_changefeed_budget(const psc_verify_job *j);

#endif
