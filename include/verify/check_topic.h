/* check_topic.h - the changefeed's data path, with the client bootstrapped
 * on every bootstrap port that answered, four checks in a row: create the
 * run's topic (PSC_VERIFY_PARTITIONS partitions, replication factor
 * min(3, brokers)) and wait for its leaders; produce j->messages with
 * acks=all, round-robin over the partitions (messages that the new topic's
 * metadata propagation failed are produced again while the check's time
 * lasts); consume them all back (every partition from the beginning);
 * delete the topic.  A check whose input is missing is a SKIP saying
 * why. */
#ifndef PSCLAB_VERIFY_CHECK_TOPIC_H
#define PSCLAB_VERIFY_CHECK_TOPIC_H

#include <librdkafka/rdkafka.h>

#include "verify/job.h"
#include "verify/rdkafka_client.h"

#define PSC_VERIFY_PARTITIONS 3

/* rk: the producer made with dr (its delivery reports); bootstrap: its
 * bootstrap list, for the consumer */
void psc_verify_check_topic(const psc_verify_job *j, rd_kafka_t *rk,
			    psc_verify_dr *dr, const char *bootstrap);

#endif
