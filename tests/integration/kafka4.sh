#!/usr/bin/env bash
# tests/integration/kafka4.sh - the Kafka lab suites again with a current
# Kafka 4.x (PSCLAB_KAFKA4_VERSION, default 4.1.1), installed from Maven
# Central by lab/deps/install.sh like the default 3.7.1.  Run by `make test`
# (tests/run.sh) after the other suites; prints TAP.  Root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
V=${PSCLAB_KAFKA4_VERSION:-4.1.1}
BUILD=${BUILD:-build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
if timeout 900 env KAFKA_VERSION="$V" lab/deps/install.sh >"$log" 2>&1; then
	echo "ok - Kafka $V installed from Maven Central"
else
	echo "not ok - Kafka $V installed from Maven Central"
	sed 's/^/#   /' "$log" | tail -n 20
	exit 1
fi
# as make deps does for the default Kafka: the storage template and the
# class-data archive of this one
if KAFKA_VERSION=$V timeout 300 bin/pscLab prepare >"$log" 2>&1; then
	echo "ok - pscLab prepare for Kafka $V"
	sed 's/^/# /' "$log"
else
	echo "not ok - pscLab prepare for Kafka $V"
	sed 's/^/#   /' "$log" | tail -n 20
	exit 1
fi
rc=0
for t in test_kafka_storage test_kafka_lab test_verify; do
	echo "# $t with Kafka $V"
	KAFKA_VERSION=$V CMOCKA_MESSAGE_OUTPUT=TAP timeout 900 "$BUILD/itests/$t" || rc=1
done
exit $rc
