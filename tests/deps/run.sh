#!/usr/bin/env bash
# tests/deps/run.sh -- smoke test of what lab/deps/install.sh installed (run by `make test`).
#
# Bounded (every command under `timeout`) and offline: it starts no broker and opens no
# listener; the only JVMs it runs are CLI tools and kafka-server-start.sh on an empty config,
# which stops at config validation, before any socket. Uses the same variables as install.sh
# (KAFKA_VERSION, KAFKA_HOME, KAFKA_PROXY_VERSION, KAFKA_PROXY_BIN, PSCLAB_CACHE) through
# lab/deps/paths.sh. PSCLAB_SKIP_KAFKA_PROXY=1 skips the kafka-proxy checks when it is not
# installed (printed as "# SKIP" comments, counted neither passed nor failed). Prints TAP-like
# "ok N - ..." / "not ok N - ..." lines and ends with "deps: N passed, M failed".
# shellcheck disable=SC2016 # the bash -c snippets take their values as arguments
set -uo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
# shellcheck source=lab/deps/paths.sh
. "$ROOT/lab/deps/paths.sh"
KH=$KAFKA_HOME_RESOLVED
KV=$KAFKA_VERSION_RESOLVED
PB=$KAFKA_PROXY_BIN_RESOLVED
PV=$KAFKA_PROXY_VERSION_RESOLVED
JT=${PSCLAB_TEST_JAVA_TIMEOUT:-60} # seconds for one JVM run

N=0 PASS=0 FAIL=0 SKIP=0
ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1"; }
notok() {
    N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"
    [ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 15 | sed 's/^/#   /'
}
# A skipped check is a comment, not an "ok" line, so that no counter takes it for a pass.
skip() { SKIP=$((SKIP + 1)); echo "# SKIP $1 ($2)"; }
check() { # check DESC OUTPUT-FOR-FAILURE CMD...
    local d=$1 o=$2
    shift 2
    if "$@"; then ok "$d"; else notok "$d" "$o"; fi
}

T=$(mktemp -d /tmp/psclab-deps-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

echo "# KAFKA_HOME_RESOLVED=$KH"
echo "# KAFKA_PROXY_BIN_RESOLVED=$PB"

# ---------------------------------------------------------------- Kafka
OWN_KAFKA=1
[ -z "${KAFKA_HOME:-}" ] || OWN_KAFKA=0
if [ "$OWN_KAFKA" -eq 1 ]; then
    v=$(timeout 5 cat "$KH/VERSION" 2>&1)
    check "VERSION file says $KV" "$v" test "$v" = "$KV"
fi
for w in kafka-run-class.sh kafka-server-start.sh kafka-storage.sh kafka-topics.sh \
    kafka-console-producer.sh kafka-console-consumer.sh kafka-broker-api-versions.sh \
    kafka-metadata-quorum.sh; do
    check "bin/$w exists and is executable" "$KH/bin/$w" test -f "$KH/bin/$w" -a -x "$KH/bin/$w"
done

LOGS=$T/tool-output
: >"$LOGS"

out=$(timeout "$JT" "$KH/bin/kafka-topics.sh" --version 2>&1)
rc=$?
printf '%s\n' "$out" >>"$LOGS"
if [ "$OWN_KAFKA" -eq 1 ]; then
    check "kafka-topics.sh --version prints $KV" "rc=$rc: $out" grep -qE "(^|[^0-9.])$(printf '%s' "$KV" | sed 's/\./\\./g')([^0-9.]|$)" <<<"$out"
else
    check "kafka-topics.sh --version prints a version" "rc=$rc: $out" grep -qE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$out"
fi

# Through a symlink in another directory, as when put on PATH.
ln -s "$KH/bin/kafka-topics.sh" "$T/kafka-topics-link.sh"
out=$(cd / && timeout "$JT" "$T/kafka-topics-link.sh" --version 2>&1)
rc=$?
check "kafka-topics.sh works through a symlink" "rc=$rc: $out" test "$rc" -eq 0 -a -n "$out"

id=$(timeout "$JT" "$KH/bin/kafka-storage.sh" random-uuid 2>"$T/uuid.err")
rc=$?
cat "$T/uuid.err" >>"$LOGS"
check "kafka-storage.sh random-uuid prints a 22-char id" "rc=$rc: '$id' $(cat "$T/uuid.err")" \
    grep -qxE '[A-Za-z0-9_-]{22}' <<<"$id"
[ -n "$id" ] || id=AAAAAAAAAAAAAAAAAAAAAA

mkdir -p "$T/data"
cat >"$T/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:29092
listeners=PLAINTEXT://127.0.0.1:29093,CONTROLLER://127.0.0.1:29092
advertised.listeners=PLAINTEXT://127.0.0.1:29093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$T/data
EOF
out=$(timeout "$JT" "$KH/bin/kafka-storage.sh" format -t "$id" -c "$T/server.properties" 2>&1)
rc=$?
printf '%s\n' "$out" >>"$LOGS"
check "kafka-storage.sh format succeeds" "rc=$rc: $out" test "$rc" -eq 0
check "format wrote meta.properties with cluster.id and node.id" "$(cat "$T/data/meta.properties" 2>&1)" \
    grep -qx "cluster.id=$id" "$T/data/meta.properties"

# Server logging, without a server: an empty config fails validation before any socket is
# opened; the fatal error must come out through the logging config (stdout and server.log).
: >"$T/empty.properties"
out=$(LOG_DIR="$T/logs" KAFKA_HEAP_OPTS=-Xmx128M timeout "$JT" "$KH/bin/kafka-server-start.sh" "$T/empty.properties" 2>&1)
rc=$?
printf '%s\n' "$out" >>"$LOGS"
check "kafka-server-start.sh logs through its config (stdout and LOG_DIR/server.log)" "rc=$rc: $out" \
    bash -c 'grep -q "ERROR Exiting Kafka due to fatal exception" <<<"$1" && grep -q "Exiting Kafka due to fatal exception" "$2/logs/server.log"' _ "$out" "$T"

bad=$(grep -E 'SLF4J: (Failed to load class|Defaulting to no-operation|No SLF4J providers|Class path contains multiple)|SLF4J\(W\): No SLF4J providers|log4j:WARN|StatusLogger (No Log4j 2 configuration|.*ERROR)|ERROR StatusLogger' "$LOGS")
check "logging binding works (no SLF4J NOP/no-provider/multiple-binding, log4j:WARN or StatusLogger errors)" "$bad" test -z "$bad"

# ---------------------------------------------------------------- kafka-proxy
# install.sh leaves this marker when the registry refuses kafka-proxy (a final answer)
UNAVAILABLE="$(dirname "$(dirname "$PB")")/.unavailable"
if [ ! -x "$PB" ] && { [ "${PSCLAB_SKIP_KAFKA_PROXY:-0}" = 1 ] || [ -f "$UNAVAILABLE" ]; }; then
    why="PSCLAB_SKIP_KAFKA_PROXY=1 and no $PB"
    [ -f "$UNAVAILABLE" ] && why="not installable here: $(head -n 1 "$UNAVAILABLE")"
    for d in "kafka-proxy exists and is executable" "kafka-proxy server --help shows --bootstrap-server-mapping" \
        "kafka-proxy version prints $PV"; do
        skip "$d" "$why"
    done
else
    check "kafka-proxy exists and is executable" "$PB" test -f "$PB" -a -x "$PB"
    out=$(timeout 10 "$PB" server --help 2>&1)
    rc=$?
    check "kafka-proxy server --help shows --bootstrap-server-mapping" "rc=$rc: $out" \
        bash -c '[ "$1" -eq 0 ] && grep -q -- "--bootstrap-server-mapping" <<<"$2"' _ "$rc" "$out"
    out=$(timeout 10 "$PB" version 2>&1)
    rc=$?
    if [ -z "${KAFKA_PROXY_BIN:-}" ]; then
        check "kafka-proxy version prints $PV" "rc=$rc: $out" \
            bash -c '[ "$1" -eq 0 ] && grep -qF -- "$3" <<<"$2"' _ "$rc" "$out" "$PV"
    else
        check "kafka-proxy version prints a version" "rc=$rc: $out" \
            bash -c '[ "$1" -eq 0 ] && grep -qE "[0-9]+\.[0-9]+" <<<"$2"' _ "$rc" "$out"
    fi
fi

# ---------------------------------------------------------------- idempotence
# Only when a previous install completed: then the re-run must do no network work at all.
missing=""
if [ "$OWN_KAFKA" -eq 1 ] && [ ! -f "$KH/.psclab-stamp" ]; then missing="$KH/.psclab-stamp"; fi
if [ -z "${KAFKA_PROXY_BIN:-}" ] && [ "${PSCLAB_SKIP_KAFKA_PROXY:-0}" != 1 ] && [ ! -f "$UNAVAILABLE" ] &&
    [ ! -f "$(dirname "$(dirname "$PB")")/.psclab-stamp" ]; then
    missing="$missing $(dirname "$(dirname "$PB")")/.psclab-stamp"
fi
if [ -n "$missing" ]; then
    notok "second run of install.sh takes < 15 s" \
        "not run: no complete install yet (missing:$missing); run lab/deps/install.sh first"
else
    t0=$(date +%s%3N)
    out=$(timeout 30 "$ROOT/lab/deps/install.sh" 2>&1)
    rc=$?
    ms=$(($(date +%s%3N) - t0))
    echo "# install.sh re-run: rc=$rc in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s"
    check "second run of install.sh takes < 15 s and succeeds ($((ms / 1000)).$(printf '%03d' $((ms % 1000)))s)" \
        "rc=$rc: $out" test "$rc" -eq 0 -a "$ms" -lt 15000
fi

[ "$SKIP" -eq 0 ] || echo "# $SKIP skipped"
echo "deps: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
