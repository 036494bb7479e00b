#!/usr/bin/env bash
# tests/reliability/two_labs.sh - two labs side by side, and `up` refused
# cleanly.  Labs 'rel-a' and 'rel-b': copies of portmap under other names,
# network only.  They share every address (both are the seed's network), and
# nothing host-wide: their namespaces, /etc/netns entries, /run/netns mounts
# and state directories are named by the lab, their addresses, routes and
# nft rules live in those namespaces, the veths are created in them (never
# in the host's); the one host-wide thing they share is the host lock
# /run/psclab/.lock, which only serialises building and removing networks
# (each lab has its own lock, /run/psclab/.locks/<lab>.lock, for the rest).
# Checks: both up at once; each healthy (a TCP listener of ours in its
# broker-node1, then `trace <lab> b1...:9093 --no-kafka` from the changefeed
# passes dns, endpoint, nat, lb, firewall and listener); rel-a down leaves
# rel-b whole (its namespaces, state journal, stub pids, every namespace's
# nft ruleset (stateless) and its trace); a second `up` of a lab that is up
# exits 1 and changes nothing; RELIABILITY_POINTS/4 (at least 3) races of
# two `up`s of one lab started together end with one up, one refused
# ("already up"), and the lab whole; two labs whose namespace names meet
# (rel-p's VM q-changefeed and rel-p-q's VM changefeed both make
# psclab-rel-p-q-changefeed): the second up fails and its way back leaves
# the first lab's namespace alone.  TAP; root.
. "$(dirname "$0")/lib.sh"
NAME=b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093
RACES=$((POINTS / 4 < 3 ? 3 : POINTS / 4))
deadline=$((SECONDS + MAX_S))
rel_topology portmap rel-a
rel_topology portmap rel-b

# a listener of ours on broker-node1:39092 of LAB, for at most 120 s
declare -A listener
listen_in() {
	ip netns exec "psclab-$1-broker-node1" "$PY" "$NETPROBE" \
		garbage-server 39092 120 >/dev/null 2>&1 &
	listener[$1]=$!
	rel_pids+=("$!")
}
stop_listener() {
	kill -KILL "${listener[$1]}" 2>/dev/null
	wait "${listener[$1]}" 2>/dev/null
}
# healthy LAB: trace passes every hop up to the listener
healthy() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do   # the listener binds within 1 s
		"$P" trace "$1" "$NAME" --no-kafka --timeout 1000 --json \
			>"$tmp/trace.$1" 2>&1 && break
		sleep 0.1
	done
	jq -e '.ok == true and ([.hops[] | select(.hop != "kafka") |
		.status] == ["ok","ok","ok","ok","ok","ok"])' "$tmp/trace.$1" \
		>/dev/null
}
# what of LAB must not change while another lab comes and goes
fingerprint() {
	local ns
	echo "== namespaces"
	ip netns list | awk '{print $1}' | grep "^psclab-$1-" | sort
	echo "== journal"
	cat "$STATE_ROOT/$1/state"
	echo "== processes"
	"$P" status "$1" --json | jq -c '[.labs[0].processes[] | [.name, .pid, .alive]]'
	for ns in $(ip netns list | awk '{print $1}' | grep "^psclab-$1-" | sort); do
		echo "== nft -s $ns"
		ip netns exec "$ns" nft -s list ruleset
	done
}

host_snapshot >"$tmp/host.before"
t "up rel-a --network-only" '"$P" up "$tmp/rel-a.yaml" --network-only >"$tmp/up.a" 2>&1' || tdiag "$tmp/up.a"
t "up rel-b --network-only beside it" '"$P" up "$tmp/rel-b.yaml" --network-only >"$tmp/up.b" 2>&1' || tdiag "$tmp/up.b"
listen_in rel-a
listen_in rel-b
t "rel-a healthy: trace passes dns, endpoint, nat, lb, firewall, listener" 'healthy rel-a' || tdiag "$tmp/trace.rel-a"
t "rel-b healthy: the same" 'healthy rel-b' || tdiag "$tmp/trace.rel-b"
t "status lists both labs" '"$P" status --json | jq -e "[.labs[].name] | index(\"rel-a\") != null and index(\"rel-b\") != null" >/dev/null'
t "host unchanged with two labs up" 'host_snapshot | cmp -s "$tmp/host.before" -'

# a second up of a lab that is up
fingerprint rel-a >"$tmp/a.before"
"$P" up "$tmp/rel-a.yaml" --network-only >"$tmp/up.again" 2>&1
rc=$?
t "second up of rel-a: exit 1" '[ $rc -eq 1 ]' || tdiag "$tmp/up.again"
t "second up of rel-a: says it is up already" 'grep -q "already up" "$tmp/up.again"'
t "second up of rel-a: rel-a untouched (namespaces, journal, pids, nft)" 'fingerprint rel-a | cmp -s "$tmp/a.before" -' ||
	fingerprint rel-a | diff "$tmp/a.before" - | tdiag /dev/stdin
t "second up of rel-a: still healthy" 'healthy rel-a'

# rel-a down: rel-b whole
fingerprint rel-b >"$tmp/b.before"
stop_listener rel-a
t "down rel-a" '"$P" down rel-a >"$tmp/down.a" 2>&1' || tdiag "$tmp/down.a"
lab_leftovers rel-a >"$tmp/left.a"
t "rel-a: nothing left" '[ ! -s "$tmp/left.a" ]' || tdiag "$tmp/left.a"
t "rel-b untouched by rel-a's down (namespaces, journal, pids, nft)" 'fingerprint rel-b | cmp -s "$tmp/b.before" -' ||
	fingerprint rel-b | diff "$tmp/b.before" - | tdiag /dev/stdin
t "rel-b still healthy" 'healthy rel-b' || tdiag "$tmp/trace.rel-b"

# two ups of rel-a racing, RACES times
races_ok=0
for ((r = 1; r <= RACES && SECONDS < deadline; r++)); do
	"$P" up "$tmp/rel-a.yaml" --network-only >"$tmp/race1" 2>&1 &
	p1=$!
	"$P" up "$tmp/rel-a.yaml" --network-only >"$tmp/race2" 2>&1 &
	p2=$!
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	ok=1
	codes=$(printf '%s\n' "$r1" "$r2" | sort | paste -sd' ')
	[ "$codes" = "0 1" ] || ok=0
	grep -hq "already up" "$tmp/race1" "$tmp/race2" || ok=0
	nns=$(ip netns list | awk '{print $1}' | grep -c "^psclab-rel-a-")
	[ "$nns" -eq 8 ] || ok=0
	alive=$("$P" status rel-a --json | jq '[.labs[0].processes[] | select(.alive)] | length')
	[ "$alive" = 2 ] || ok=0
	nproc=$(grep -c '^proc ' "$STATE_ROOT/rel-a/state")
	[ "$nproc" -eq 2 ] || ok=0
	listen_in rel-a
	healthy rel-a || ok=0
	stop_listener rel-a
	t "race $r: two ups of rel-a together: exits $codes, 8 namespaces, $alive of 2 stubs alive, $nproc in the journal, healthy" '[ $ok -eq 1 ]' ||
		{ tdiag "$tmp/race1" 5; tdiag "$tmp/race2" 5; }
	"$P" down rel-a >/dev/null 2>&1
	lab_leftovers rel-a >"$tmp/left.a"
	t "race $r: down rel-a: nothing left" '[ ! -s "$tmp/left.a" ]' || tdiag "$tmp/left.a"
	[ $ok -eq 1 ] && races_ok=$((races_ok + 1))
done
echo "# races: $races_ok of $RACES whole"
t "all $RACES races ran within the time bound (${MAX_S} s)" '[ $r -gt $RACES ]'
t "rel-b still untouched after the races" 'fingerprint rel-b | cmp -s "$tmp/b.before" -'

stop_listener rel-b
t "down rel-b" '"$P" down rel-b >"$tmp/down.b" 2>&1'
lab_leftovers rel-b >"$tmp/left.b"
t "rel-b: nothing left" '[ ! -s "$tmp/left.b" ]' || tdiag "$tmp/left.b"
# namespace names that meet: the second up fails, the first lab whole
rel_topology portmap rel-p -e 's/^    name: changefeed$/    name: q-changefeed/' \
	-e 's/^  - name: changefeed$/  - name: q-changefeed/' \
	-e 's/^  instance: changefeed$/  instance: q-changefeed/'
rel_topology portmap rel-p-q
t "up rel-p (its VM q-changefeed: psclab-rel-p-q-changefeed)" '"$P" up "$tmp/rel-p.yaml" --network-only >"$tmp/up.p" 2>&1' || tdiag "$tmp/up.p"
"$P" up "$tmp/rel-p-q.yaml" --network-only >"$tmp/up.pq" 2>&1
rc=$?
t "up rel-p-q (its VM changefeed: the same namespace name): refused, exit 1" '[ $rc -eq 1 ]' || tdiag "$tmp/up.pq"
t "rel-p's namespace psclab-rel-p-q-changefeed survives rel-p-q's way back" 'ip netns list | awk "{print \$1}" | grep -qx psclab-rel-p-q-changefeed'
t "rel-p is still up and its changefeed node answers" '"$P" exec rel-p q-changefeed -- true'
"$P" down rel-p-q >/dev/null 2>&1
t "down rel-p-q (nothing of its own): rel-p's namespace still there" 'ip netns list | awk "{print \$1}" | grep -qx psclab-rel-p-q-changefeed'
t "down rel-p" '"$P" down rel-p >/dev/null 2>&1'
lab_leftovers rel-p >"$tmp/left.p"
t "rel-p: nothing left" '[ ! -s "$tmp/left.p" ]' || tdiag "$tmp/left.p"

t "host as before" 'host_snapshot | cmp -s "$tmp/host.before" -'
rel_done
