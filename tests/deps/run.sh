#!/usr/bin/env bash
# tests/deps/run.sh -- smoke test of what lab/deps/install.sh installed (run by `make test`).
#
# Bounded (every command under `timeout`) and offline: it starts no broker and opens no
# listener; the only JVMs it runs are CLI tools and kafka-server-start.sh on an empty config,
# which stops at config validation, before any socket. Uses the same variables as install.sh
# (KAFKA_VERSION, KAFKA_HOME, KAFKA_PROXY_VERSION, KAFKA_PROXY_BIN, PSCLAB_CACHE) through
# lab/deps/paths.sh. kafka-proxy is checked for every tag install.sh builds, and install.sh's
# refusals of bad source archives are tried in throw-away caches. Nothing is skipped. Prints TAP-like
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

N=0 PASS=0 FAIL=0
ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1"; }
notok() {
    N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"
    [ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 15 | sed 's/^/#   /'
}
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
    kafka-metadata-quorum.sh kafka-acls.sh kafka-dump-log.sh; do
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
# Every tag install.sh builds (KAFKA_PROXY_VERSION and KAFKA_PROXY_EXTRA_VERSIONS), or
# KAFKA_PROXY_BIN as given. A missing kafka-proxy is a failure: the proxy approach needs it.
if [ -n "${KAFKA_PROXY_BIN:-}" ]; then
    proxies=("$PB")
else
    proxies=("$PB")
    for tag in ${KAFKA_PROXY_EXTRA_VERSIONS-v0.4.3}; do
        [ "$tag" = "$PV" ] || proxies+=("$PSCLAB_CACHE_RESOLVED/kafka-proxy-$tag/bin/kafka-proxy")
    done
fi
for bin in "${proxies[@]}"; do
    tag=$(basename "$(dirname "$(dirname "$bin")")")
    tag=${tag#kafka-proxy-}
    check "kafka-proxy $tag exists and is executable ($bin)" "$bin: missing; run lab/deps/install.sh" \
        test -f "$bin" -a -x "$bin"
    out=$(timeout 10 "$bin" server --help 2>&1)
    rc=$?
    check "kafka-proxy $tag server --help shows --bootstrap-server-mapping" "rc=$rc: $out" \
        bash -c '[ "$1" -eq 0 ] && grep -q -- "--bootstrap-server-mapping" <<<"$2"' _ "$rc" "$out"
    out=$(timeout 10 "$bin" version 2>&1)
    rc=$?
    if [ -z "${KAFKA_PROXY_BIN:-}" ]; then
        check "kafka-proxy version prints $tag" "rc=$rc: $out" \
            bash -c '[ "$1" -eq 0 ] && grep -qF -- "$3" <<<"$2"' _ "$rc" "$out" "$tag"
        src="$(dirname "$(dirname "$bin")")/SOURCE"
        check "kafka-proxy $tag says where it came from ($src)" "$(cat "$src" 2>&1)" grep -q '^road=' "$src"
    else
        check "kafka-proxy version prints a version" "rc=$rc: $out" \
            bash -c '[ "$1" -eq 0 ] && grep -qE "[0-9]+\.[0-9]+" <<<"$2"' _ "$rc" "$out"
    fi
done

# install.sh's refusals, each in a cache of its own and before any build: a checksum
# mismatch, no archive for the tag, no line in SHA256SUMS. Each must name the file, give a fix,
# exit 1 and leave no kafka-proxy-<tag> in the cache. (KAFKA_HOME keeps step b from fetching.)
refuse() { # refuse DESC EXPECTED-REGEX SRCDIR TAG
    local d=$1 re=$2 src=$3 tag=$4 c out rc
    c=$(mktemp -d "$T/cache.XXXXXX")
    out=$(KAFKA_HOME="$KH" PSCLAB_CACHE="$c" KAFKA_PROXY_SRC="$src" KAFKA_PROXY_VERSION="$tag" \
        KAFKA_PROXY_EXTRA_VERSIONS="" timeout 60 "$ROOT/lab/deps/install.sh" 2>&1)
    rc=$?
    check "install.sh refuses $d (exit 1, names it, a fix, nothing left in the cache)" "rc=$rc: $out" \
        bash -c '[ "$1" -eq 1 ] && grep -qE -- "$3" <<<"$2" && grep -q "fix:" <<<"$2" && ! ls -d "$4"/kafka-proxy-* "$4"/.kafka-proxy-* >/dev/null 2>&1' \
        _ "$rc" "$out" "$re" "$c"
}
SRC_OK=${KAFKA_PROXY_SRC-$ROOT/../shared/third_party/kafka-proxy}
if [ -n "$SRC_OK" ] && [ -f "$SRC_OK/kafka-proxy-$PV.tar.gz" ]; then
    mkdir -p "$T/bad-sum" "$T/no-line" "$T/empty"
    ln -s "$(readlink -f "$SRC_OK/kafka-proxy-$PV.tar.gz")" "$T/bad-sum/"
    ln -s "$(readlink -f "$SRC_OK/kafka-proxy-$PV.tar.gz")" "$T/no-line/"
    printf '%064d  kafka-proxy-%s.tar.gz\n' 0 "$PV" >"$T/bad-sum/SHA256SUMS"
    : >"$T/no-line/SHA256SUMS"
    : >"$T/empty/SHA256SUMS"
    refuse "a checksum mismatch" "checksum mismatch: $T/bad-sum/kafka-proxy-$PV.tar.gz" "$T/bad-sum" "$PV"
    refuse "an archive with no line in SHA256SUMS" "has no line for kafka-proxy-$PV.tar.gz" "$T/no-line" "$PV"
    refuse "a tag with no archive" "no source archive for kafka-proxy v0.3.99: $T/empty/kafka-proxy-v0.3.99.tar.gz" "$T/empty" v0.3.99
else
    notok "install.sh's refusals of bad archives" "no source archive kafka-proxy-$PV.tar.gz in '${SRC_OK}' to test them with"
fi

# ---------------------------------------------------------------- idempotence
# Only when a previous install completed: then the re-run must do no network work at all.
missing=""
if [ "$OWN_KAFKA" -eq 1 ] && [ ! -f "$KH/.psclab-stamp" ]; then missing="$KH/.psclab-stamp"; fi
if [ -z "${KAFKA_PROXY_BIN:-}" ] && [ ! -f "$(dirname "$(dirname "$PB")")/.psclab-stamp" ]; then
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

# ---------------------------------------------------------------- prepare
# make deps ran `pscLab prepare` after install.sh: both are there, so a run
# now makes nothing (no JVM) and names them.
if [ "$(id -u)" = 0 ] && [ -x "$ROOT/bin/pscLab" ] && [ "$OWN_KAFKA" -eq 1 ]; then
    out=$(timeout 600 "$ROOT/bin/pscLab" prepare 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed 's/^/# /'
    check "pscLab prepare: the storage template is there" "rc=$rc: $out" \
        bash -c '[ "$1" = 0 ] && printf "%s\n" "$2" | grep -q "KRaft storage template: /"' _ "$rc" "$out"
    check "pscLab prepare: the class-data archive is there (make deps ran prepare)" "rc=$rc: $out" \
        bash -c '[ "$1" = 0 ] && printf "%s\n" "$2" | grep -Eq "class-data archive: .*\.jsa \(there already\)"' _ "$rc" "$out"
fi

echo "deps: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
