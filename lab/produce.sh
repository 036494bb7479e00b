#!/bin/bash
# lab/produce.sh BROKER_LIST - the seed's "produce.sh" (bastion test, step 2),
# runnable with the lab's Kafka: create test-topic (3 partitions, replication
# factor 3) if it does not exist, then produce "Test message 1".."Test
# message 10", one console producer each, as the seed does.
#
#   pscLab exec <lab> bastion-node -- lab/produce.sh 10.64.0.2:9092
#
# Differences from the seed: the Kafka tools are found on PATH (`pscLab
# exec` puts the lab's Kafka bin/ there; else $KAFKA_HOME/bin), not in a
# kafka_2.13-3.7.1/ beside the script, and Java is the machine's (JAVA_HOME
# or java on PATH) instead of a downloaded JDK 22; the producer is given
# --bootstrap-server, which Kafka 3.7 and 4.x both accept (4.x removed the
# seed's --broker-list).  Output is the seed's.
set -uo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 BROKER_LIST   (\"{broker_address1},{broker_address2}...\", e.g. 10.64.0.2:9092)" >&2
  exit 2
fi
BROKER_LIST=$1 # "{broker_address1},{broker_address2}..."
TOPIC="test-topic"

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
KAFKA_TOPICS=$(kafka_tool kafka-topics.sh) || exit 1
KAFKA_PRODUCER=$(kafka_tool kafka-console-producer.sh) || exit 1

# Create a topic if it does not exist
create_topic() {
  echo "Creating topic if it does not exist..."
  "$KAFKA_TOPICS" --create --topic "$TOPIC" --bootstrap-server "$BROKER_LIST" --if-not-exists --partitions 3 --replication-factor 3
}

# Produce messages to the topic
produce_messages() {
  echo "Producing messages to the topic..."
  local chrono message
  for ((chrono=1; chrono <= 10; chrono++)); do
    message="Test message $chrono"
    echo "Create $message"
    echo "$message" | "$KAFKA_PRODUCER" --bootstrap-server "$BROKER_LIST" --topic "$TOPIC" || return 1
  done
}
create_topic || exit 1
produce_messages || exit 1
