/* kafka_prepare.h - `pscLab prepare` (run by `make deps`): what makes the
 * brokers of every later `up` start fast, made once per Kafka and Java:
 *   1. the KRaft storage template (runtime/kafka_storage.h): `up` stamps
 *      its brokers' storage instead of running one format JVM each;
 *   2. the class-data archive of Kafka's classes (kafka.h, e->cds): one
 *      broker started alone in a namespace of its own, psclab-prepare-cds
 *      (only its lo, up; the broker on 127.0.0.1 there), and stopped with
 *      SIGTERM so that its JVM writes the archive as it exits (about 5 s:
 *      the dump), then adopted.  Without it the first lab's brokers write
 *      it when they stop, and a `down` in a hurry may kill them first.
 * Each is skipped when it is there already, so a second run takes no
 * time.  Holds the lock of lab "prepare" (state.h) while it runs.
 *
 * MEASURED (2 cores shared, load about 15, Kafka 4.1.1, one run): the
 * template 4.0 s, the archive 25.4 s more (a broker's start without one,
 * then its dump at exit); a second run 1 ms. */
#ifndef PSCLAB_KAFKA_PREPARE_H
#define PSCLAB_KAFKA_PREPARE_H

#include <stddef.h>
#include <stdio.h>

#define PSC_PREPARE_NS "psclab-prepare-cds"
#define PSC_PREPARE_LAB "prepare"

/* Both steps for the Kafka in use (psc_kafka_env_load), one progress line
 * each to progress (may be NULL).  0 when both are there at the end (or
 * CDS is off: PSCLAB_KAFKA_CDS=0, said so); -1 with err. */
int psc_kafka_prepare(FILE *progress, char *err, size_t errlen);

#endif
