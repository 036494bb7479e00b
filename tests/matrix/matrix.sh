#!/usr/bin/env bash
# tests/matrix/matrix.sh - `make matrix`: the seed's proxy way with every
# pairing of Kafka, kafka-proxy and client library, each check run for
# real through the emulated PSC and the real kafka-proxy.
#
#   Kafka        $MATRIX_KAFKA    (default "3.7.1 4.1.1", installed by
#                                  lab/deps/install.sh from Maven Central)
#   kafka-proxy  $MATRIX_PROXY    (default "v0.3.11 v0.3.12 v0.4.3", built
#                                  from shared/third_party/kafka-proxy)
#   client       $MATRIX_CLIENTS  (default "librdkafka java sarama franz")
#
# Per Kafka x kafka-proxy one lab (topologies/proxy.yaml renamed "mx", with
# kafka_proxy.version set), brought up with `pscLab up` (whose verify is the
# librdkafka column), then per client, from the changefeed node:
#   bootstrap     every bootstrap port answers (ApiVersions, Metadata)
#   metadata      every broker address in Metadata is an advertised name
#   describe      the same for DescribeCluster (API 60; kafka-proxy does not
#                 rewrite it): "LEAK <addresses>" when it hands out 10.64.x
#   produce       N messages acks=all, consumed back: lost count
#   leader        a partition leader stopped while producing at a fixed rate
#                 (pscLab fault stop, started again after): acknowledged
#                 messages lost, and whether the client dialed a broker's
#                 real address (the leak watch of the consumer VPC counts
#                 every packet toward one; KIP-951 NodeEndpoints in Produce
#                 responses are not rewritten by kafka-proxy, issue #223)
# A cell is PASS, FAIL (with the reason), or n/a (the client has no such
# API or the matrix no driver for it, with the reason).  Nothing kafka-proxy
# does not support is skipped: it runs and shows what failed.
#
# MATRIX_QUICK=1: the CI subset (Kafka 3.7.1, kafka-proxy v0.3.11, franz and
# sarama), with assertions: bootstrap, metadata and produce pass, DescribeCluster
# leaks, the leader change loses no acknowledged message, and the leak watch
# agrees with the addresses the client says it dialed.  Prints TAP then.
#
# Root.  Every wait is bounded; the lab is brought down whatever happens.
# The table goes to stdout and build/matrix.txt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
PSCLAB=$ROOT/bin/pscLab
KC=$ROOT/bin/psclab-kclient
LAB=mx
DOM=abc.us-west1.gcp.3199745.tidbcloud.com
BOOT="b1.$DOM:9092,b2.$DOM:9093,b3.$DOM:9094"
WORK=$(mktemp -d /tmp/psclab-matrix.XXXXXX)
OUT=${MATRIX_OUT:-build/matrix.txt}
QUICK=${MATRIX_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	KAFKAS=${MATRIX_KAFKA:-3.7.1}
	PROXIES=${MATRIX_PROXY:-v0.3.11}
	CLIENTS=${MATRIX_CLIENTS:-sarama franz}
else
	KAFKAS=${MATRIX_KAFKA:-3.7.1 4.1.1}
	PROXIES=${MATRIX_PROXY:-v0.3.11 v0.3.12 v0.4.3}
	CLIENTS=${MATRIX_CLIENTS:-librdkafka java sarama franz}
fi
PRODUCE_N=${MATRIX_MESSAGES:-2000}
LEADER_N=${MATRIX_LEADER_MESSAGES:-3000}
LEADER_RATE=${MATRIX_LEADER_RATE:-300}

cleanup() {
	"$PSCLAB" down "$LAB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for b in "$PSCLAB" "$KC"; do
	[ -x "$b" ] || { echo "matrix: $b is not built; run make" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "matrix: jq is missing; run make deps" >&2; exit 2; }

TAP_N=0 TAP_FAIL=0
tap() { # tap OK|NOTOK DESC [DETAIL]
	TAP_N=$((TAP_N + 1))
	if [ "$1" = OK ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAIL=$((TAP_FAIL + 1))
		echo "not ok $TAP_N - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 20 | sed 's/^/#   /'
	fi
}
say() { echo "# $*" >&2; }

exec_cf() { timeout "${T:-120}" "$PSCLAB" exec "$LAB" changefeed -- "$@"; }
exec_bastion() { timeout "${T:-120}" "$PSCLAB" exec "$LAB" bastion-node -- "$@"; }

# the leak watch: "addr packets" lines of the consumer VPC's set
leaks() {
	"$PSCLAB" status "$LAB" --json 2>/dev/null |
		jq -r '.labs[0].leaks[]? | "\(.address) \(.packets)"' | sort
}

# leader of partition 0 of topic $1, from the Kafka VPC (INTERNAL)
leader_of() {
	T=60 exec_bastion kafka-topics.sh --bootstrap-server 10.64.0.2:9092 \
		--describe --topic "$1" 2>/dev/null |
		sed -n 's/.*Partition: 0[[:space:]]*Leader: \([0-9]*\).*/\1/p' | head -n 1
}

# ---------------------------------------------------------------- checks
# Each sets R_BOOT R_META R_DESC R_PROD R_LEAD (cell text) and, for the
# quick assertions, Q_* values.

check_librdkafka() { # from up's verify (JSON)
	local v=$WORK/verify.json
	"$PSCLAB" verify "$LAB" --json >"$v" 2>/dev/null
	local boot meta prod
	boot=$(jq -r '[.checks[] | select(.name | test("bootstrap 172")) | .status] | unique | join(",")' "$v")
	meta=$(jq -r '[.checks[] | select(.name | test(": broker [0-9]+ at ")) | .status] | unique | join(",")' "$v")
	prod=$(jq -r '[.checks[] | select(.name | test("produce|consume")) | .status] | unique | join(",")' "$v")
	R_BOOT=$([ "$boot" = PASS ] && echo PASS || echo "FAIL ($boot)")
	R_META=$([ "$meta" = PASS ] && echo PASS || echo "FAIL ($(jq -r '[.checks[] | select(.name | test(": broker [0-9]+")) | select(.status != "PASS") | .detail][0] // ""' "$v" | cut -c1-80))")
	R_DESC="n/a (librdkafka 2.0.2 has no DescribeCluster)"
	R_PROD=$([ "$prod" = PASS ] && echo "PASS (verify: 100 acked, 100 back)" || echo "FAIL ($prod)")
	R_LEAD="n/a (no rate-limited librdkafka producer here)"
}

check_java() {
	local out
	out=$(T=90 exec_cf kafka-broker-api-versions.sh --bootstrap-server "$BOOT" 2>&1)
	local n_ok n_all bad
	n_ok=$(grep -cE '^[^ ]+:[0-9]+ \(id: [0-9]+ rack: [^)]*\) -> \(' <<<"$out")
	n_all=$(grep -cE '^[^ ]+:[0-9]+ \(id: [0-9]+ rack' <<<"$out")
	bad=$(grep -oE '^[^ ]+:[0-9]+ \(id: [0-9]+' <<<"$out" | grep -v "\.$DOM:" | head -n 3 | tr '\n' ' ')
	R_BOOT=$([ "$n_ok" -ge 3 ] && echo PASS || echo "FAIL ($(grep -m1 -E 'ERROR|Exception' <<<"$out" | cut -c1-80))")
	R_META=$([ "$n_all" -ge 3 ] && [ -z "$bad" ] && echo "PASS ($n_all brokers)" || echo "FAIL (${bad:-no broker lines})")
	R_DESC="n/a (no Kafka CLI tool here sends DescribeCluster)"
	# produce: one console producer, acks=all; consume them back
	local topic=mx-java-$RANDOM
	T=60 exec_bastion kafka-topics.sh --bootstrap-server 10.64.0.2:9092 --create \
		--topic "$topic" --partitions 3 --replication-factor 3 >/dev/null 2>&1
	seq 1 "$PRODUCE_N" | T=120 exec_cf kafka-console-producer.sh --bootstrap-server "$BOOT" \
		--topic "$topic" --producer-property acks=all >/dev/null 2>"$WORK/jp.err"
	local got
	got=$(T=120 exec_cf kafka-console-consumer.sh --bootstrap-server "$BOOT" --topic "$topic" \
		--from-beginning --timeout-ms 15000 --max-messages "$PRODUCE_N" 2>/dev/null | sort -un | wc -l)
	R_PROD=$([ "$got" -eq "$PRODUCE_N" ] && echo "PASS ($got of $PRODUCE_N back)" || echo "FAIL ($got of $PRODUCE_N back; $(head -c 80 "$WORK/jp.err"))")
	# leader change: console producer at a fixed rate, a leader stopped
	topic=mx-javalead-$RANDOM
	T=60 exec_bastion kafka-topics.sh --bootstrap-server 10.64.0.2:9092 --create \
		--topic "$topic" --partitions 3 --replication-factor 3 >/dev/null 2>&1
	local before after leader
	before=$(leaks)
	(for i in $(seq 1 "$LEADER_N"); do echo "$i"; sleep "$(awk -v r="$LEADER_RATE" 'BEGIN{printf "%.4f", 1/r}')"; done |
		T=300 exec_cf kafka-console-producer.sh --bootstrap-server "$BOOT" --topic "$topic" \
			--producer-property acks=all >/dev/null 2>"$WORK/jl.err") &
	local pp=$!
	sleep 4
	leader=$(leader_of "$topic")
	stop_start_leader "$leader" "$pp"
	got=$(T=120 exec_cf kafka-console-consumer.sh --bootstrap-server "$BOOT" --topic "$topic" \
		--from-beginning --timeout-ms 15000 --max-messages "$LEADER_N" 2>/dev/null | sort -un | wc -l)
	after=$(leaks)
	local real
	real=$(comm -13 <(echo "$before") <(echo "$after") | awk '{print $1}' | sort -u | tr '\n' ' ')
	R_LEAD="$([ "$got" -eq "$LEADER_N" ] && echo PASS || echo FAIL): broker $leader stopped; $got of $LEADER_N sent came back (console producer: acks not counted); real address dialed: ${real:-no}"
}

# stop broker $1 (its node broker-node$1) for a few seconds while producer
# pid $2 runs, then start it again; wait for the producer (bounded)
stop_start_leader() {
	local id=$1 pp=$2
	if [ -z "$id" ]; then
		say "no leader found for partition 0"
	else
		"$PSCLAB" fault "$LAB" stop "broker-node$id" >/dev/null 2>&1
		sleep 5
		"$PSCLAB" fault "$LAB" start "broker-node$id" >/dev/null 2>&1
	fi
	local i
	for i in $(seq 1 120); do
		kill -0 "$pp" 2>/dev/null || break
		sleep 1
	done
	kill "$pp" 2>/dev/null
	wait "$pp" 2>/dev/null
}

check_go() { # check_go franz|sarama: psclab-kclient, the changefeed's own libraries
	local c=$1
	local p=$WORK/probe-$c.json
	T=90 exec_cf "$KC" probe --client "$c" --bootstrap "$BOOT" --timeout 10s >"$p" 2>"$WORK/probe.err"
	local bad_req meta_bad meta_n desc_bad desc_n
	bad_req=$(jq -r 'select(.request == "ApiVersions" or .request == "Metadata") | select(.ok == false) | .error' "$p" | head -n 1)
	meta_n=$(jq -r 'select(.api == "Metadata") | .host' "$p" | wc -l)
	meta_bad=$(jq -r 'select(.api == "Metadata") | "\(.host):\(.port)"' "$p" | grep -v "\.$DOM:" | sort -u | head -n 3 | tr '\n' ' ')
	desc_n=$(jq -r 'select(.api == "DescribeCluster") | .host' "$p" | wc -l)
	desc_bad=$(jq -r 'select(.api == "DescribeCluster") | "\(.host):\(.port)"' "$p" | grep -v "\.$DOM:" | sort -u | tr '\n' ' ')
	R_BOOT=$([ -z "$bad_req" ] && [ "$meta_n" -gt 0 ] && echo PASS || echo "FAIL (${bad_req:-no metadata})")
	R_META=$([ "$meta_n" -gt 0 ] && [ -z "$meta_bad" ] && echo PASS || echo "FAIL (${meta_bad:-none})")
	if [ "$desc_n" -eq 0 ]; then
		R_DESC="FAIL ($(jq -r 'select(.request == "DescribeCluster") | .error' "$p" | head -n 1 | cut -c1-60))"
	elif [ -n "$desc_bad" ]; then
		R_DESC="LEAK ${desc_bad% }"
	else
		R_DESC="PASS"
	fi
	Q_DESC_LEAK=$([ -n "$desc_bad" ] && echo 1 || echo 0)
	# produce and consume
	local topic=mx-$c-$RANDOM
	local acked=$WORK/acked-$c
	: >"$acked"
	T=120 exec_cf "$KC" produce --client "$c" --bootstrap "$BOOT" --topic "$topic" \
		--count "$PRODUCE_N" --acks all --create-topic --timeout 60s --acked-file "$acked" \
		>"$WORK/prod.json" 2>/dev/null
	T=90 exec_cf "$KC" consume --client "$c" --bootstrap "$BOOT" --topic "$topic" \
		--acked-file "$acked" --timeout 40s >"$WORK/cons.json" 2>/dev/null
	local a l
	a=$(jq -r 'select(.acked != null) | .acked' "$WORK/prod.json" | tail -n 1)
	l=$(jq -r 'select(.lost != null) | .lost' "$WORK/cons.json" | tail -n 1)
	R_PROD=$([ "${a:-0}" -eq "$PRODUCE_N" ] && [ "${l:-1}" -eq 0 ] && echo "PASS ($a acked, lost 0)" ||
		echo "FAIL (${a:-0} of $PRODUCE_N acked, lost ${l:-?}: $(jq -r '.first_error // empty' "$WORK/prod.json" | head -c 60))")
	Q_PROD_OK=$([ "${a:-0}" -eq "$PRODUCE_N" ] && [ "${l:-1}" -eq 0 ] && echo 1 || echo 0)
	# leader change
	topic=mx-$c-lead-$RANDOM
	: >"$acked"
	local before after leader
	local pj=$WORK/lead-$c.json
	before=$(leaks)
	(T=300 exec_cf "$KC" produce --client "$c" --bootstrap "$BOOT" --topic "$topic" \
		--count "$LEADER_N" --rate "$LEADER_RATE" --acks all --create-topic --timeout 120s \
		--acked-file "$acked" >"$pj" 2>/dev/null) &
	local pp=$!
	sleep 4
	leader=$(leader_of "$topic")
	stop_start_leader "$leader" "$pp"
	T=90 exec_cf "$KC" consume --client "$c" --bootstrap "$BOOT" --topic "$topic" \
		--acked-file "$acked" --timeout 40s >"$WORK/cons.json" 2>/dev/null
	after=$(leaks)
	a=$(jq -r 'select(.acked != null) | .acked' "$pj" | tail -n 1)
	l=$(jq -r 'select(.lost != null) | .lost' "$WORK/cons.json" | tail -n 1)
	local dialed stall watched
	dialed=$(jq -r 'select(.dialed != null) | .dialed[]' "$pj" | grep -v "\.$DOM:" | sed 's/:[0-9]*$//' | sort -u | tr '\n' ' ')
	stall=$(jq -r 'select(.max_partition_stall_ms != null) | .max_partition_stall_ms' "$pj" | tail -n 1)
	watched=$(comm -13 <(echo "$before") <(echo "$after") | awk '{print $1}' | sort -u | tr '\n' ' ')
	R_LEAD="$([ "${l:-1}" -eq 0 ] && [ "${a:-0}" -eq "$LEADER_N" ] && echo PASS || echo FAIL): broker ${leader:-?} stopped; ${a:-0} of $LEADER_N acked, lost ${l:-?}; real address dialed: ${dialed:-no}; leak watch: ${watched:-none}; longest partition stall $(awk -v s="${stall:-0}" 'BEGIN{printf "%.1f", s/1000}') s"
	Q_LEAD_LOST=${l:-unknown}
	Q_LEAD_ACKED=${a:-0}
	Q_DIALED=${dialed% }
	Q_WATCHED=${watched% }
	Q_LEADER=${leader:-}
}

# ---------------------------------------------------------------- the run
rows=()
row() { rows+=("$(printf '%-6s | %-8s | %-10s | %-8s | %-14s | %-34s | %-30s | %s' "$@")"); }

for K in $KAFKAS; do
	say "Kafka $K: installing (lab/deps/install.sh)"
	if ! KAFKA_VERSION=$K KAFKA_PROXY_EXTRA_VERSIONS="v0.3.12 v0.4.3" timeout 900 \
		lab/deps/install.sh >"$WORK/deps.log" 2>&1; then
		tail -n 5 "$WORK/deps.log" >&2
		for P in $PROXIES; do for C in $CLIENTS; do
			row "$K" "$P" "$C" "FAIL (Kafka $K could not be installed)" "" "" "" ""
		done; done
		[ "$QUICK" = 1 ] && tap NOTOK "Kafka $K installed" "$(tail -n 5 "$WORK/deps.log")"
		continue
	fi
	for P in $PROXIES; do
		sed -e 's/^name: proxy$/name: mx/' \
			-e "s/^  http_listen_address: 0.0.0.0:9080$/  http_listen_address: 0.0.0.0:9080\n  version: $P/" \
			topologies/proxy.yaml >"$WORK/mx.yaml"
		"$PSCLAB" down "$LAB" >/dev/null 2>&1
		say "Kafka $K, kafka-proxy $P: up"
		KAFKA_VERSION=$K timeout 300 "$PSCLAB" up "$WORK/mx.yaml" >"$WORK/up.log" 2>&1
		uprc=$?
		if ! "$PSCLAB" status "$LAB" >/dev/null 2>&1; then
			why=$(grep -m1 'pscLab up:' "$WORK/up.log" | cut -c1-100)
			for C in $CLIENTS; do
				row "$K" "$P" "$C" "FAIL (up: ${why:-exit $uprc})" "" "" "" ""
			done
			[ "$QUICK" = 1 ] && tap NOTOK "up with Kafka $K, kafka-proxy $P" "$(tail -n 20 "$WORK/up.log")"
			continue
		fi
		for C in $CLIENTS; do
			say "Kafka $K, kafka-proxy $P: $C"
			KAFKA_VERSION=$K
			export KAFKA_VERSION
			case $C in
			librdkafka) check_librdkafka ;;
			java) check_java ;;
			sarama | franz) check_go "$C" ;;
			*) R_BOOT="FAIL (unknown client $C)" R_META="" R_DESC="" R_PROD="" R_LEAD="" ;;
			esac
			row "$K" "$P" "$C" "$R_BOOT" "$R_META" "$R_DESC" "$R_PROD" "$R_LEAD"
			if [ "$QUICK" = 1 ] && { [ "$C" = franz ] || [ "$C" = sarama ]; }; then
				pre="Kafka $K, kafka-proxy $P, $C:"
				tap "$([ "$R_BOOT" = PASS ] && echo OK || echo NOTOK)" "$pre bootstrap through PSC and kafka-proxy" "$R_BOOT"
				tap "$([ "$R_META" = PASS ] && echo OK || echo NOTOK)" "$pre Metadata names only advertised addresses" "$R_META"
				tap "$([ "$Q_DESC_LEAK" = 1 ] && echo OK || echo NOTOK)" "$pre DescribeCluster hands out the brokers' real addresses (kafka-proxy does not rewrite it)" "$R_DESC"
				tap "$([ "$Q_PROD_OK" = 1 ] && echo OK || echo NOTOK)" "$pre $PRODUCE_N messages produced (acks=all) and consumed back" "$R_PROD"
				tap "$([ -n "$Q_LEADER" ] && [ "$Q_LEAD_LOST" = 0 ] && [ "$Q_LEAD_ACKED" -gt 0 ] && echo OK || echo NOTOK)" \
					"$pre a partition leader stopped while producing: no acknowledged message lost" "$R_LEAD"
				# every real address the client says it dialed is in the
				# leak watch (the watch sees what the client did)
				missing=""
				for a in $Q_DIALED; do
					grep -qw -- "$a" <<<"$Q_WATCHED" || missing="$missing $a"
				done
				tap "$([ -z "$missing" ] && echo OK || echo NOTOK)" \
					"$pre the leak watch counted every real address the client dialed (${Q_DIALED:-none})" \
					"dialed: ${Q_DIALED:-none}; watched: ${Q_WATCHED:-none}; missing:$missing"
			fi
		done
		"$PSCLAB" down "$LAB" >/dev/null 2>&1
	done
done

{
	echo "pscLab matrix, $(date -u '+%Y-%m-%d %H:%M UTC'), proxy way (topologies/proxy.yaml), clients in the changefeed node"
	printf '%-6s | %-8s | %-10s | %-8s | %-14s | %-34s | %-30s | %s\n' kafka proxy client bootstrap metadata "DescribeCluster" "produce+consume" "leader change while producing"
	printf '%s\n' "${rows[@]}"
} | tee "$OUT"

if [ "$QUICK" = 1 ]; then
	echo "1..$TAP_N"
	[ "$TAP_FAIL" -eq 0 ]
fi
