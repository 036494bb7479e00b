#!/usr/bin/env bash
# tests/reliability/service_flood.sh - the DNS stub and the health checker
# under garbage and bounded floods, every packet sent from inside the lab's
# namespaces (`ip netns exec psclab-<lab>-<node>`; the traffic is
# tests/reliability/netprobe.py, the standard library only: no dig/drill
# here).  Lab 'rel-dns' (portmap copy): the stub of tidbcloud-vpc
# (169.254.169.254:53, seen from the changefeed) and of kafka-vpc (from the
# bastion) take random datagrams (RELIABILITY_POINTS x 100), random TCP
# connections (x 10), the truncated and oversize messages of `netprobe.py
# malformed`, 20 idle TCP connections held (more than its 16 slots), and a
# flood of RELIABILITY_POINTS x 250 queries (64 in flight, 10 s at most);
# after each, the same pid still runs and answers b1.<zone> A 172.16.0.10
# (authoritative) over UDP and TCP, a name outside the zone NXDOMAIN, and
# the bastion's stub NXDOMAIN for the zone it does not see.  Lab 'rel-hc'
# (proxy-two copy, its health check every 1 s): a listener of ours on
# kafka-proxy-node:9092 that answers random bytes, TCP garbage to it and
# random datagrams toward the probe address 35.191.0.1 from the bastion;
# the checker marks kafka-proxy-node HEALTHY and kafka-proxy-node2 (no
# listener) UNHEALTHY, then kafka-proxy-node UNHEALTHY once the listener
# is gone.  Last, each service SIGKILLed by its pid (from `status --json`):
# nothing restarts it (pscLab has no supervisor for them), `status` says
# it is not running, `trace` names the dead stub, `restart` refuses it, and
# `down` still removes everything.  TAP; root.
. "$(dirname "$0")/lib.sh"
ZONE=abc.us-west1.gcp.3199745.tidbcloud.com
GOOD="answered=1 id_ok=1 rcode=0 aa=1 a=172.16.0.10"
STUB=169.254.169.254
deadline=$((SECONDS + MAX_S))
export RELIABILITY_SEED=$SEED
echo "# seed $SEED (RELIABILITY_SEED=$SEED replays the garbage)"
rel_topology portmap rel-dns
rel_topology proxy-two rel-hc -e '/^  - name: kafka-proxy-hc$/a\    check_interval_sec: 1\n    timeout_sec: 1'

# in NODE of LAB: netprobe.py ARGS
probe() {
	local lab=$1 node=$2
	shift 2
	ip netns exec "psclab-$lab-$node" "$PY" "$NETPROBE" "$@"
}

# the stubs answer as they should, and are the processes they were
answers_right() {
	local what=$1 out
	out=$(probe rel-dns changefeed query "b1.$ZONE" udp)
	t "$what: UDP b1.$ZONE A 172.16.0.10, authoritative" '[ "$out" = "$GOOD" ]' || echo "#   $out"
	out=$(probe rel-dns changefeed query "b2.$ZONE" tcp)
	t "$what: TCP b2.$ZONE A 172.16.0.10, authoritative" '[ "$out" = "$GOOD" ]' || echo "#   $out"
	out=$(probe rel-dns changefeed query www.example.com udp)
	t "$what: outside the zone NXDOMAIN" '[[ $out == "answered=1 id_ok=1 rcode=3 "* ]]' || echo "#   $out"
	out=$(probe rel-dns bastion-node query "b1.$ZONE" udp)
	t "$what: kafka-vpc's stub: NXDOMAIN for a zone it does not see" '[[ $out == "answered=1 id_ok=1 rcode=3 "* ]]' || echo "#   $out"
	t "$what: both stubs the same pids, running" '[ "$(lab_pid rel-dns dns-tidbcloud-vpc)" = "$pid_t" ] && [ "$(lab_pid rel-dns dns-kafka-vpc)" = "$pid_k" ] && [ "$(lab_alive rel-dns dns-tidbcloud-vpc)$(lab_alive rel-dns dns-kafka-vpc)" = truetrue ]'
}

dns_part() {
	local out t0
	pid_t=$(lab_pid rel-dns dns-tidbcloud-vpc)
	pid_k=$(lab_pid rel-dns dns-kafka-vpc)
	answers_right "before"

	out=$(probe rel-dns changefeed garbage-udp "$STUB" 53 $((POINTS * 100)) 10)
	probe rel-dns bastion-node garbage-udp "$STUB" 53 $((POINTS * 50)) 10 >/dev/null
	echo "# random datagrams: changefeed $out, bastion $((POINTS * 50))"
	answers_right "after random UDP"

	out=$(probe rel-dns changefeed garbage-tcp "$STUB" 53 $((POINTS * 10)) 10)
	echo "# random TCP: $out"
	answers_right "after random TCP"

	probe rel-dns changefeed malformed >"$tmp/malformed"
	sed 's/^/# malformed: /' "$tmp/malformed"
	t "malformed: every case sent (15 cases, 2 frame attacks)" '[ "$(grep -c "^case=" "$tmp/malformed")" -eq 15 ] && grep -q "frame-65535-cut=sent frame-0=sent" "$tmp/malformed"'
	t "malformed: a cut or bad question gets FORMERR, not silence" '[ "$(grep -E "^case=(header-only|question-cut|qdcount-5|label-past-end|pointer-loop|pointer-forward|label-64|name-300)" "$tmp/malformed" | grep -c "udp=rcode=1 tcp=rcode=1")" -eq 8 ]'
	t "malformed: AXFR REFUSED" 'grep -q "^case=axfr udp=rcode=5 tcp=rcode=5" "$tmp/malformed"'
	answers_right "after the malformed messages"

	out=$(probe rel-dns changefeed tcp-hold 20 1 "b1.$ZONE" | tail -1)
	echo "# 20 idle TCP connections held 1 s: $out (the stub keeps 16, PSC_DNS_TCP_MAX_CONNS, each at most PSC_DNS_TCP_IDLE_MS 5 s)"
	t "TCP slots exhausted: UDP still answers" '[[ $out == *"udp_ok=1"* ]]'
	answers_right "after the TCP hold"

	t0=$SECONDS
	out=$(probe rel-dns changefeed flood $((POINTS * 250)) 10 "b1.$ZONE" "b2.$ZONE" "b3.$ZONE")
	echo "# flood: $out"
	local sent answered correct
	read -r sent answered correct _ < <(sed -E 's/[a-z]+=//g' <<<"$out")
	t "flood: $sent of $((POINTS * 250)) sent in 10 s" '[ "$sent" -eq $((POINTS * 250)) ]'
	t "flood: at least 99% answered ($answered of $sent)" '[ $((answered * 100)) -ge $((sent * 99)) ]'
	t "flood: every answer correct ($correct of $answered)" '[ "$correct" -eq "$answered" ]'
	answers_right "after the flood"
}

# the health file's word on BACKEND of kafka-proxy-lb, within S seconds
health_becomes() {
	local backend=$1 want=$2 s=$3 i
	for ((i = 0; i < s * 10; i++)); do
		grep -qx "kafka-proxy-lb $backend $want" "$STATE_ROOT/rel-hc/health" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

health_part() {
	local hpid ip gpid
	t "up rel-hc --network-only (proxy-two, checks every 1 s)" '"$P" up "$tmp/rel-hc.yaml" --network-only >"$tmp/up.hc" 2>&1' ||
		{ tdiag "$tmp/up.hc"; return; }
	hpid=$(lab_pid rel-hc health-checker)
	ip=$("$P" status rel-hc --json | jq -r '.labs[0].nodes[] | select(.name == "kafka-proxy-node") | .address')
	# not through probe(): $! must be python's own pid
	ip netns exec psclab-rel-hc-kafka-proxy-node "$PY" "$NETPROBE" \
		garbage-server 9092 60 >/dev/null 2>&1 &
	gpid=$!
	rel_pids+=("$gpid")
	sleep 0.3
	probe rel-hc bastion-node garbage-tcp "$ip" 9092 $((POINTS * 10)) 10 | sed 's/^/# garbage TCP to the backend: /'
	probe rel-hc bastion-node garbage-udp 35.191.0.1 9092 $((POINTS * 50)) 5 | sed 's/^/# datagrams toward the probe address: /'
	t "health: kafka-proxy-node (random bytes on 9092) HEALTHY within 10 s" 'health_becomes kafka-proxy-node HEALTHY 10' ||
		tdiag "$STATE_ROOT/rel-hc/health"
	t "health: kafka-proxy-node2 (nothing listens) UNHEALTHY" 'health_becomes kafka-proxy-node2 UNHEALTHY 1'
	kill -KILL "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	t "health: listener gone, kafka-proxy-node UNHEALTHY within 10 s" 'health_becomes kafka-proxy-node UNHEALTHY 10'
	t "health: the checker is the same pid, running" '[ "$(lab_pid rel-hc health-checker)" = "$hpid" ] && [ "$(lab_alive rel-hc health-checker)" = true ]'

	kill -KILL "$hpid"
	sleep 2
	t "health checker SIGKILLed: not restarted (same pid, status alive false)" '[ "$(lab_pid rel-hc health-checker)" = "$hpid" ] && [ "$(lab_alive rel-hc health-checker)" = false ]'
	t "health checker SIGKILLed: status says DEAD" '"$P" status rel-hc >"$tmp/st" && grep -Eq "^health-checker +$hpid +DEAD" "$tmp/st"'
	t "down rel-hc with its checker dead" '"$P" down rel-hc >"$tmp/down.hc" 2>&1' || tdiag "$tmp/down.hc"
	lab_leftovers rel-hc >"$tmp/left.hc"
	t "rel-hc: nothing left" '[ ! -s "$tmp/left.hc" ]' || tdiag "$tmp/left.hc"
}

kill_part() {
	local out t0 ms
	kill -KILL "$pid_t"
	sleep 2
	t "stub SIGKILLed: not restarted (same pid in status, alive false)" '[ "$(lab_pid rel-dns dns-tidbcloud-vpc)" = "$pid_t" ] && [ "$(lab_alive rel-dns dns-tidbcloud-vpc)" = false ]'
	t "stub SIGKILLed: status says DEAD" '"$P" status rel-dns >"$tmp/st" && grep -Eq "^dns-tidbcloud-vpc +$pid_t +DEAD" "$tmp/st"'
	out=$(probe rel-dns changefeed query "b1.$ZONE" udp)
	t "stub SIGKILLed: the changefeed's query is not answered" '[[ $out == answered=0* ]]'
	"$P" trace rel-dns "b1.$ZONE:9093" --no-kafka --timeout 1000 >"$tmp/trace" 2>&1
	t "stub SIGKILLed: trace stops at dns, naming the stub's process" 'grep -q "process dns-tidbcloud-vpc) does not answer" "$tmp/trace"' || tdiag "$tmp/trace"
	"$P" restart rel-dns vpc-tidbcloud-vpc >"$tmp/restart" 2>&1
	echo "# restart rel-dns vpc-tidbcloud-vpc: exit $?: $(head -1 "$tmp/restart")"
	t "stub SIGKILLed: the other stub still answers" '[[ $(probe rel-dns bastion-node query "b1.$ZONE" udp) == "answered=1 id_ok=1 rcode=3 "* ]]'
	t0=$(now_us)
	t "down rel-dns with a dead stub" '"$P" down rel-dns >"$tmp/down.dns" 2>&1' || tdiag "$tmp/down.dns"
	ms=$((($(now_us) - t0) / 1000))
	echo "# down with a dead stub: $ms ms"
	lab_leftovers rel-dns >"$tmp/left.dns"
	t "rel-dns: nothing left" '[ ! -s "$tmp/left.dns" ]' || tdiag "$tmp/left.dns"
}

t "up rel-dns --network-only" '"$P" up "$tmp/rel-dns.yaml" --network-only >"$tmp/up.dns" 2>&1' || { tdiag "$tmp/up.dns"; rel_done; }
dns_part
[ $SECONDS -lt "$deadline" ] && kill_part
[ $SECONDS -lt "$deadline" ] && health_part
t "within the time bound (${MAX_S} s)" '[ $SECONDS -lt "$deadline" ]'
rel_done
