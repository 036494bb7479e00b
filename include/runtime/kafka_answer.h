/* kafka_answer.h - does a broker's listener answer Kafka?  A TCP accept
 * and "Kafka Server started" in the log are not quite "serving": the
 * client a changefeed's check makes sends ApiVersions and Metadata and
 * waits for the answers.  This asks the same with librdkafka (the client
 * verify's checks use), from inside the broker's namespace (librdkafka's
 * sockets are made there through its socket callback), so that `up` says
 * "serving" only for a listener that answered.
 *
 * Only PLAINTEXT listeners are asked (psc_kafka_answer_addrs): an SSL or
 * SASL listener needs the client's credentials, which the lab's readiness
 * does not hold; those are waited for as a TCP accept alone. */
#ifndef PSCLAB_KAFKA_ANSWER_H
#define PSCLAB_KAFKA_ANSWER_H

#include <stddef.h>

#include "model/topology.h"

/* the listeners of one broker asked at readiness, at most this many */
#define PSC_KAFKA_ANSWER_MAX 8

/* One librdkafka client from inside the namespace of nsfd (-1: the
 * caller's) bootstrapped at addr ("10.64.0.2:9092"): 0 when ApiVersions
 * and a Metadata request (brokers only) were answered within ms; -1 with
 * err ("<addr> accepts TCP but gave no Kafka answer in N ms: <what the
 * client said last>") otherwise. */
int psc_kafka_answers(int nsfd, const char *addr, long ms, char *err,
		      size_t errlen);

/* The addresses of broker b's PLAINTEXT listeners but the controller's, as
 * the broker binds them (the listener's host, else the instance's address;
 * the INTERNAL one first when it is PLAINTEXT), at most max into out, *n of
 * them.  -1 with err when the instance has no address. */
int psc_kafka_answer_addrs(const psc_topology *t, const psc_broker *b,
			   char (*out)[PSC_ADDR_LEN], size_t max, size_t *n,
			   char *err, size_t errlen);

#endif
