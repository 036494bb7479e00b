/* kafka_storage.h - a lab's KRaft storage without a JVM per broker.
 *
 * What `kafka-storage.sh format -t <cluster> -c server.properties` writes
 * (Kafka 3.7.1 and 4.1.1 with a static controller.quorum.voters, read from
 * their output): in every directory of log.dirs a bootstrap.checkpoint (the
 * KRaft bootstrap snapshot: a header, one FeatureLevelRecord for
 * metadata.version, a footer; nothing of the node or the cluster in it but
 * the batches' timestamps) and a meta.properties of four keys: version=1,
 * cluster.id, node.id and a directory.id (a random UUID of its own per
 * directory).  So one format run, in a template directory, makes the
 * bootstrap.checkpoint every broker's directories can hold, and
 * meta.properties is written per directory with the broker's node.id, the
 * topology's cluster.id and a fresh directory.id.  tests/integration/
 * test_kafka_storage.c formats a broker both ways and compares them with
 * Kafka's own decoder (kafka-dump-log.sh, kafka-storage.sh info); every lab
 * of the integration tests then starts from stamped storage.
 *
 * The template is made once per Kafka installation, in
 * ${PSCLAB_CACHE}/kraft/<psc_kafka_install_key()>/ (`pscLab prepare`, run
 * by `make deps`, or the first `up` that needs it: one format JVM instead
 * of one per broker), after checking that the format wrote exactly those
 * two files and those four keys: a Kafka that writes more is not stamped
 * (its brokers formatted one by one, as before).
 *
 * MEASURED (`up portmap`, 2 cores shared, load 15-20, Kafka 3.7.1, two
 * runs each way alternated): three format JVMs at once 3.5-6.2 s of `up`;
 * stamping the three brokers from the template 2-30 ms.
 *
 * Not stamped, formatted by kafka-storage.sh per broker (the reason said in
 * `up`'s progress): a kafka.config that sets what format reads
 * (inter.broker.protocol.version: the default metadata.version of 3.x,
 * metadata.log.dir: another directory, unstable.*: versions allowed), or
 * PSCLAB_KAFKA_FORMAT=each. */
#ifndef PSCLAB_KAFKA_STORAGE_H
#define PSCLAB_KAFKA_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"
#include "runtime/kafka.h"

#define PSC_KAFKA_FORMAT_ENV "PSCLAB_KAFKA_FORMAT"   /* "each" */
#define PSC_KAFKA_FORMAT_TIMEOUT_MS 120000
/* an absolute directory for the templates instead of ${PSCLAB_CACHE}/kraft
 * (the integration test's own, so that it makes one every run) */
#define PSC_KAFKA_TEMPLATES_ENV "PSCLAB_KAFKA_TEMPLATES"

/* Whether t's brokers may be stamped: false, with why, for the cases
 * above.  Pure but for the environment variable. */
bool psc_kafka_storage_stampable(const psc_topology *t, char *why,
				 size_t whylen);

/* The template directory of e's Kafka in out, made when missing (one
 * kafka-storage.sh format, bounded; two pscLabs racing: one keeps its
 * own, the other's is removed).  1: ready; 0: this Kafka's format writes
 * what pscLab cannot stamp (why says what); -1: err. */
int psc_kafka_storage_template(const psc_kafka_env *e, char *out,
			       size_t len, char *why, size_t whylen,
			       char *err, size_t errlen);

/* Broker b's directories under node_dir (psc_kafka_log_dirs()) formatted
 * from template tmpl: a directory that already has a meta.properties is
 * left alone (format's --ignore-formatted), the others get
 * bootstrap.checkpoint and meta.properties, each written to a temporary
 * file and renamed. */
int psc_kafka_storage_stamp(const char *tmpl, const psc_topology *t,
			    const psc_broker *b, const char *node_dir,
			    char *err, size_t errlen);

/* A one-node cluster in node_dir, nothing of a lab's: the template's
 * server.properties (a combined broker and controller, a quorum of itself,
 * PLAINTEXT on 127.0.0.1:9092, CONTROLLER on 127.0.0.1:9093) and the
 * template's storage as it is, for a broker that only has to start
 * (`pscLab prepare`'s, runtime/kafka_prepare.h). */
int psc_kafka_storage_solo(const char *tmpl, const char *node_dir, char *err,
			   size_t errlen);

#endif
