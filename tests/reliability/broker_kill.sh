#!/usr/bin/env bash
# tests/reliability/broker_kill.sh - a broker SIGKILLed while a producer
# writes through PSC (issue 13).  For each approach, portmap and proxy
# (copies of the shipped topologies renamed relkillpm and relkillpx), with
# real brokers: a topic of 3 partitions, replication factor 3 and
# min.insync.replicas=2 (set on the topic and read back); Sarama (TiCDC's
# client, idempotent, acks=all) in the changefeed node produces
# RELIABILITY_KILL_MESSAGES (4000) at RELIABILITY_KILL_RATE (200/s) to the
# advertised names (b1..b3.<domain> through the PSC endpoint; for proxy,
# kafka-proxy's bootstrap addresses), each acknowledged number appended to
# a file; once a tenth of them are acknowledged, the leader of partition 0
# (read then, `psclab-kclient leaders`) is SIGKILLed (`pscLab fault <lab> kill broker-node<id>`: no SIGTERM, no
# controlled shutdown), and started again (`fault start`, awaited)
# RELIABILITY_KILL_DOWN_S (15) later.  Then a consumer in the same node
# reads the topic back against the acknowledgements.  Asserted: the kill
# is a fault (status lists it, the broker's process is dead, its log has
# no SIGTERM), `start` undoes it, no acknowledged message is lost, and
# production resumed (RELIABILITY_KILL_MIN_PCT, 90 %, of the messages
# acknowledged, and some of the last second's); the kill came while the
# producer ran and stalled a partition (> 1 s: else it hit no leader).  The stall is printed as
#   # stall portmap 9123 ms
# (the longest gap between two acknowledgements of one partition, from
# psclab-kclient's max_partition_stall_ms).  Full mode (RELIABILITY_POINTS
# > 20, `make test-reliability`): a second round per approach kills the
# KRaft quorum's active controller instead (which may also lead
# partition 0).  Bounded: every command under `timeout`, every wait in
# count and time; both approaches in about 3.5 min here (CI), 3-5 min in
# full mode.  TAP; root; skips whole
# only when Kafka is not installed.
. "$(dirname "$0")/lib.sh"
KC=$PWD/bin/psclab-kclient
N=${RELIABILITY_KILL_MESSAGES:-4000}
RATE=${RELIABILITY_KILL_RATE:-200}
DOWN_S=${RELIABILITY_KILL_DOWN_S:-15}
MIN_PCT=${RELIABILITY_KILL_MIN_PCT:-90}
APPROACHES=${RELIABILITY_KILL_APPROACHES:-portmap proxy}
# a measurement, not the lab's default: broker.session.timeout.ms (and
# broker.heartbeat.interval.ms, a third of it at most 2000) in the copies'
# kafka.config
SESSION_MS=${RELIABILITY_KILL_SESSION_MS:-}
DOM=abc.us-west1.gcp.3199745.tidbcloud.com
deadline=$((SECONDS + MAX_S))

kv=${KAFKA_VERSION:-3.7.1}
kh=${KAFKA_HOME:-${PSCLAB_CACHE:-/var/cache/psclab}/kafka-$kv}
if [ ! -x "$kh/bin/kafka-server-start.sh" ]; then
	echo "1..0 # SKIP Kafka $kv is not installed ($kh; sudo make deps)"
	exit 0
fi
for b in "$P" "$KC"; do
	[ -x "$b" ] || { echo "Bail out! $b is not built (make bin/pscLab bin/psclab-kclient)"; exit 1; }
done
ROUNDS=leader
prod_pgid=""
trap '[ -n "$prod_pgid" ] && kill -TERM -- -"$prod_pgid" 2>/dev/null; rel_cleanup' EXIT
[ "$POINTS" -gt 20 ] && ROUNDS="leader controller"

# x LAB NODE SECONDS CMD...: CMD in a node of LAB, bounded
x() {
	local lab=$1 node=$2 s=$3
	shift 3
	timeout "$s" "$P" exec "$lab" "$node" -- "$@"
}
# the Kafka tools from the bastion, on the Kafka VPC's INTERNAL listener
# of every broker (whichever is down): $IBOOT, from status --json
iboot() {
	"$P" status "$1" --json 2>/dev/null |
		jq -r '[.labs[0].nodes[] | select(.name | startswith("broker-node")) | "\(.address):9092"] | join(",")'
}
topics() { x "$1" bastion-node 60 kafka-topics.sh --bootstrap-server "$IBOOT" "${@:2}"; }
# the leader of partition 0 of topic $2: one Metadata request of
# psclab-kclient (kafka-topics.sh's JVM takes 3-20 s to start on a loaded
# machine: read so, the kill came after the producer's last message)
leader_of() {
	x "$1" bastion-node 30 "$KC" leaders --bootstrap "$IBOOT" --topic "$2" \
		--timeout 10s 2>/dev/null | jq -r '.leaders["0"] // empty' | head -n 1
}
# the KRaft quorum's active controller (its node id): DescribeQuorum
controller_of() {
	x "$1" bastion-node 30 "$KC" quorum --bootstrap "$IBOOT" --timeout 10s \
		2>/dev/null | jq -r '.leader_id // empty' | head -n 1
}
# PID exists and is not a zombie (a SIGKILLed broker is one until its
# parent, not us, reaps it)
running() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# the pid of LAB's process NAME that status calls alive ("" if none; the
# journal keeps a restarted process's old record, dead, beside the new)
alive_pid() {
	"$P" status "$1" --json 2>/dev/null |
		jq -r --arg n "$2" '[.labs[0].processes[] | select(.name == $n and .alive)][0].pid // empty'
}
# lines of FILE (0 when absent)
lines() { [ -e "$1" ] && wc -l <"$1" || echo 0; }
# the count of graceful-shutdown marks in a broker's log
sigterms() { "$P" logs "$1" "$2" -n 5000 2>/dev/null | grep -c 'signal SIGTERM'; }

# round LAB APPROACH KIND: one producer, one kill, one consumer
round() {
	local lab=$1 ap=$2 kind=$3 topic=kill-$kind-$RANDOM
	local acked=$tmp/$lab-$kind.acked pj=$tmp/$lab-$kind.prod.json
	local cj=$tmp/$lab-$kind.cons.json what="$ap, $kind killed"
	: >"$acked"
	topics "$lab" --create --topic "$topic" --partitions 3 --replication-factor 3 \
		--config min.insync.replicas=2 >"$tmp/create.log" 2>&1
	topics "$lab" --describe --topic "$topic" >"$tmp/describe.log" 2>&1
	t "$what: topic $topic has 3 partitions, replication factor 3, min.insync.replicas=2" \
		'grep -q "PartitionCount: 3" "$tmp/describe.log" &&
		 grep -q "ReplicationFactor: 3" "$tmp/describe.log" &&
		 grep -q "min.insync.replicas=2" "$tmp/describe.log"' ||
		{ tdiag "$tmp/create.log"; tdiag "$tmp/describe.log"; }
	local id ctl also=""
	ctl=$(controller_of "$lab")
	if [ "$kind" = controller ]; then
		id=$ctl
		[ "$(leader_of "$lab" "$topic")" = "$id" ] && also=", also the leader of partition 0"
	else
		id=$(leader_of "$lab" "$topic")
		[ -n "$id" ] && [ "$ctl" = "$id" ] && also=", also the active controller"
	fi
	t "$what: the $kind found (broker ${id:-none}$also)" '[ -n "$id" ]' || return 1
	local node=broker-node$id
	# its own process group (setsid): `pscLab exec` does not pass SIGTERM
	# on, so the group is what is stopped, by its id
	setsid timeout $((N / RATE + 150)) "$P" exec "$lab" changefeed -- \
		"$KC" produce --client sarama \
		--bootstrap "$BOOT" --topic "$topic" --count "$N" --rate "$RATE" \
		--acks all --timeout "$((N / RATE + 120))s" --acked-file "$acked" \
		>"$pj" 2>"$tmp/prod.err" &
	local pp=$!
	prod_pgid=$pp
	# partway: a tenth acknowledged (60 s at most)
	local i
	for ((i = 0; i < 600 && $(lines "$acked") < N / 10; i++)); do
		kill -0 "$pp" 2>/dev/null || break
		sleep 0.1
	done
	# who leads partition 0 now (a loaded machine may have moved leaders
	# since the topic was made): the one killed
	if [ "$kind" = leader ]; then
		local now
		now=$(leader_of "$lab" "$topic")
		[ -n "$now" ] && [ "$now" != "$id" ] &&
			echo "# $what: partition 0's leader moved from $id to $now meanwhile"
		[ -n "$now" ] && id=$now && node=broker-node$id
	fi
	local before_kill term0 pid0
	before_kill=$(lines "$acked")
	pid0=$(alive_pid "$lab" "kafka-$node")
	term0=$(sigterms "$lab" "$node")
	timeout 60 "$P" fault "$lab" kill "$node" >"$tmp/kill.log" 2>&1
	local krc=$? t_kill=$SECONDS
	local running_then=0
	kill -0 "$pp" 2>/dev/null && running_then=1
	echo "# $what: SIGKILL of $node (pid ${pid0:-?}) after $before_kill of $N acknowledged"
	t "$what: the kill came partway ($before_kill of $N acknowledged, the producer running)" \
		'[ "$running_then" = 1 ] && [ "$before_kill" -lt $((N * 9 / 10)) ]'
	"$P" status "$lab" --json >"$tmp/status.json" 2>/dev/null
	t "$what: fault kill $node set, listed by status, pid ${pid0:-?} dead, no SIGTERM in its log" \
		'[ "$krc" -eq 0 ] && [ -n "$pid0" ] && ! running "$pid0" &&
		 jq -e --arg n "$node" "[.labs[0].faults[] | select(.action == \"kill\" and .fault == (\"kill \" + \$n))] | length == 1" "$tmp/status.json" >/dev/null &&
		 [ -z "$(alive_pid "$lab" "kafka-$node")" ] &&
		 [ "$(sigterms "$lab" "$node")" -eq "$term0" ]' ||
		{ tdiag "$tmp/kill.log"; jq -c '.labs[0].faults, [.labs[0].processes[] | {name, pid, alive}]' "$tmp/status.json" | tdiag /dev/stdin; }
	# down for DOWN_S (the producer still running), then started again
	for ((i = 0; i < DOWN_S * 10 && SECONDS - t_kill < DOWN_S; i++)); do
		sleep 0.1
	done
	timeout 180 "$P" fault "$lab" start "$node" >"$tmp/start.log" 2>&1
	local src=$?
	"$P" status "$lab" --json >"$tmp/status.json" 2>/dev/null
	# the journal keeps the killed pid's record (dead) beside the new one
	local pid1
	pid1=$(alive_pid "$lab" "kafka-$node")
	t "$what: fault start $node: started again (pid ${pid1:-none}), no fault left" \
		'[ "$src" -eq 0 ] && [ -n "$pid1" ] && [ "$pid1" != "$pid0" ] &&
		 jq -e ".labs[0].faults | length == 0" "$tmp/status.json" >/dev/null' ||
		{ tdiag "$tmp/start.log"; jq -c '.labs[0].faults, [.labs[0].processes[] | {name, pid, alive}]' "$tmp/status.json" | tdiag /dev/stdin; }
	echo "# $what: $node started again $((SECONDS - t_kill)) s after the kill"
	# the producer's end (bounded by its own timeout and the one above)
	for ((i = 0; i < 3000; i++)); do
		kill -0 "$pp" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM -- -"$pp" 2>/dev/null
	wait "$pp" 2>/dev/null
	prod_pgid=""
	x "$lab" changefeed 120 "$KC" consume --client sarama --bootstrap "$BOOT" \
		--topic "$topic" --acked-file "$acked" --timeout 90s >"$cj" 2>"$tmp/cons.err"
	local a f l stall gstall last tail_ok err
	a=$(jq -r 'select(.acked != null) | .acked' "$pj" 2>/dev/null | tail -n 1)
	f=$(jq -r 'select(.failed != null) | .failed' "$pj" 2>/dev/null | tail -n 1)
	err=$(jq -r 'select(.first_error != null) | .first_error' "$pj" 2>/dev/null | tail -n 1)
	stall=$(jq -r 'select(.max_partition_stall_ms != null) | .max_partition_stall_ms' "$pj" 2>/dev/null | tail -n 1)
	gstall=$(jq -r 'select(.max_stall_ms != null) | .max_stall_ms' "$pj" 2>/dev/null | tail -n 1)
	l=$(jq -r 'select(.lost != null) | .lost' "$cj" 2>/dev/null | tail -n 1)
	last=$(sort -n "$acked" | tail -n 1)
	echo "# $what: ${a:-0} of $N acknowledged, ${f:-?} failed${err:+ (first error: $err)}, lost ${l:-?} (consumer: $(jq -c 'select(.lost != null) | {received, distinct, duplicates, lost, lost_sample}' "$cj" 2>/dev/null | tail -n 1))"
	local label=$ap
	[ "$kind" = leader ] || label=$ap-$kind
	echo "# stall $label ${stall:-unknown} ms (longest gap between two acks of one partition; of all partitions ${gstall:-unknown} ms)"
	t "$what: no acknowledged message lost (${a:-0} acknowledged, lost ${l:-?})" \
		'[ "${a:-0}" -gt 0 ] && [ "$(lines "$acked")" -eq "${a:-0}" ] && [ "${l:-1}" -eq 0 ]' ||
		{ tdiag "$cj"; tdiag "$tmp/cons.err" 5; }
	# the kill hit a leader: one partition stalled (a second at least)
	[ "$kind" = leader ] &&
		t "$what: the kill stalled the partitions broker $id led (${stall:-?} ms > 1000 ms)" \
			'[ -n "$stall" ] && [ "$stall" -gt 1000 ]'
	tail_ok=$([ -n "$last" ] && [ "$last" -gt $((N - RATE)) ] && echo 1 || echo 0)
	t "$what: production resumed (${a:-0} of $N >= $MIN_PCT %, the last acknowledged is #${last:-none}, stall ${stall:-?} ms)" \
		'[ "${a:-0}" -ge $((N * MIN_PCT / 100)) ] && [ "$tail_ok" = 1 ] && [ -n "$stall" ] && [ "$stall" -gt 0 ]' ||
		{ tdiag "$pj"; tdiag "$tmp/prod.err" 10; }
}

for ap in $APPROACHES; do
	case $ap in
	portmap) LAB=relkillpm ;;
	proxy) LAB=relkillpx ;;
	*) echo "Bail out! unknown approach $ap"; exit 1 ;;
	esac
	if [ "$SECONDS" -ge "$deadline" ]; then
		t "$ap: run within the time bound (${MAX_S} s)" false
		continue
	fi
	if [ -n "$SESSION_MS" ]; then
		hb=$((SESSION_MS / 3 < 2000 ? SESSION_MS / 3 : 2000))
		rel_topology "$ap" "$LAB" -e "s/^kafka:\$/kafka:\n  config:\n    broker.session.timeout.ms: \"$SESSION_MS\"\n    broker.heartbeat.interval.ms: \"$hb\"/"
		echo "# $ap: broker.session.timeout.ms=$SESSION_MS, broker.heartbeat.interval.ms=$hb (kafka.config of the copy)"
	else
		rel_topology "$ap" "$LAB"
	fi
	ports=$(sed -n 's/^  bootstrap_ports: \[\([0-9, ]*\)\].*/\1/p' "$tmp/$LAB.yaml" | tr -d ' ')
	BOOT=""
	k=1
	for port in ${ports//,/ }; do
		BOOT="$BOOT${BOOT:+,}b$k.$DOM:$port"
		k=$((k + 1))
	done
	t_up=$SECONDS
	IBOOT=
	timeout 300 "$P" up "$tmp/$LAB.yaml" >"$tmp/up.log" 2>&1
	uprc=$?
	IBOOT=$(iboot "$LAB")
	t "$ap: $LAB up with 3 brokers ($((SECONDS - t_up)) s), bootstrap $BOOT" \
		'[ "$uprc" -eq 0 ] && [ -n "$BOOT" ] && [ -n "$IBOOT" ]' || { tdiag "$tmp/up.log" 30; "$P" down "$LAB" >/dev/null 2>&1; continue; }
	for kind in $ROUNDS; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			t "$ap, $kind: run within the time bound (${MAX_S} s)" false
			break
		fi
		t0=$SECONDS
		round "$LAB" "$ap" "$kind"
		echo "# $ap, $kind: $((SECONDS - t0)) s"
	done
	"$P" down "$LAB" >"$tmp/down.log" 2>&1
	t "$ap: $LAB down, nothing left" '[ -z "$(lab_leftovers "$LAB")" ]' ||
		lab_leftovers "$LAB" | tdiag /dev/stdin
done
rel_done
