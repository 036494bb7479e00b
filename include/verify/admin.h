/* admin.h - the Admin API requests of verify's checks, through
 * librdkafka, each bounded by a deadline: which broker answers at a
 * broker's advertised address (DescribeConfigs BROKER <id>), CreateTopics
 * (or only its validation), DeleteTopics, and waiting until a new topic's
 * partitions have leaders. */
#ifndef PSCLAB_VERIFY_ADMIN_H
#define PSCLAB_VERIFY_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "verify/verify.h"

/* The broker answering for id `id` in client rk (librdkafka routes a
 * BROKER resource's DescribeConfigs to that broker's handle, i.e. its
 * advertised address): OK when it is broker id itself; WRONG_BROKER with
 * o->reached when another one answered (it refuses the request:
 * "Unexpected broker id, expected <its id> ...", or answers with another
 * node.id); KAFKA_ERROR otherwise.  o->error (and o->detail when nothing
 * answered) say what happened. */
psc_verify_symptom psc_verify_identify(rd_kafka_t *rk, long id,
				       long long deadline, psc_verify_obs *o);

/* CreateTopics of topic (partitions, replication factor rf), or with
 * validate_only its validation alone.  0, or -1 with err. */
int psc_verify_topic_create(rd_kafka_t *rk, const char *topic, int partitions,
			    int rf, bool validate_only, long long deadline,
			    char *err, size_t errlen);
/* DeleteTopics of topic.  0, or -1 with err. */
int psc_verify_topic_delete(rd_kafka_t *rk, const char *topic,
			    long long deadline, char *err, size_t errlen);

/* Wait until topic has its partitions, each with a leader (leaders[p]);
 * note gets "; under-replicated: ..." for partitions with replicas out of
 * sync ("" none).  0, or -1 with err when the deadline passed first. */
int psc_verify_topic_leaders(rd_kafka_t *rk, const char *topic,
			     int partitions, long *leaders, char *note,
			     size_t notelen, long long deadline, char *err,
			     size_t errlen);

#endif
