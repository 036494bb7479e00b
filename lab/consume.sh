#!/bin/bash
# lab/consume.sh BROKER_LIST - the seed's "consume.sh" (bastion test, step 3),
# runnable with the lab's Kafka: read test-topic from the beginning as group
# test-group, stopping after 5 s without a message (--timeout-ms 5000).
# After lab/produce.sh it ends with "Processed a total of 10 messages".
#
#   pscLab exec <lab> bastion-node -- lab/consume.sh 10.64.0.2:9092
#
# Differences from the seed: the Kafka tools are found on PATH (`pscLab
# exec` puts the lab's Kafka bin/ there; else $KAFKA_HOME/bin) and Java is
# the machine's, as in lab/produce.sh.  The consumer's own TimeoutException
# at the end is the seed's expected output.
set -uo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 BROKER_LIST   (\"{broker_address1},{broker_address2}...\", e.g. 10.64.0.2:9092)" >&2
  exit 2
fi
BROKER_LIST=$1 # "{broker_address1},{broker_address2}..."
TOPIC="test-topic"
CONSUMER_GROUP="test-group"

# The Kafka tools: on PATH, else in $KAFKA_HOME/bin.
kafka_tool() {
  if command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  elif [ -n "${KAFKA_HOME:-}" ] && [ -x "$KAFKA_HOME/bin/$1" ]; then
    echo "$KAFKA_HOME/bin/$1"
  else
    echo "$0: $1 is neither on PATH nor in \$KAFKA_HOME/bin; run me with 'pscLab exec <lab> <node> -- $0 ...', or put the lab's Kafka bin/ (sudo make deps: /var/cache/psclab/kafka-<version>/bin) on PATH" >&2
    return 1
  fi
}
KAFKA_CONSUMER=$(kafka_tool kafka-console-consumer.sh) || exit 1

# Consume messages from the topic
consume_messages() {
  echo "Consuming messages from the topic..."
  "$KAFKA_CONSUMER" --bootstrap-server "$BROKER_LIST" --topic "$TOPIC" --from-beginning --timeout-ms 5000 --consumer-property group.id="$CONSUMER_GROUP"
}
consume_messages
