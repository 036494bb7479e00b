#!/usr/bin/env bash
# tests/reliability/kill_up.sh - `up --network-only` and `down` killed with
# SIGKILL at random points leave nothing behind.  Lab 'rel-kill' (a copy of
# portmap).  First `up` and `down` are timed (3 runs, the slowest); then
# RELIABILITY_POINTS points (20 in `make test`, 100 in `make
# test-reliability`) of each kind:
#   up:   `up` started, SIGKILLed by its pid after a random delay in [0, the
#         up time], then `down` (exit 0);
#   down: `up` to the end, `down` SIGKILLed after a random delay in [0, the
#         down time], then `down` again (exit 0);
# after each point: no namespace psclab-rel-kill-*, no /etc/netns entry,
# no /run/netns mount, no state directory, no veth or link in the host
# namespace naming the lab, no process whose command line names it, and
# the host's `ip -o link`, `ip route`, `ip rule`, `nft list ruleset` as
# they were before the loop.  Each point prints its seed and delay on a
# '#' line; one point is replayed with
#   RELIABILITY_SEED=<seed> RELIABILITY_POINTS=1 RELIABILITY_UP_US=<us> \
#     RELIABILITY_KINDS=<up|down> tests/reliability/kill_up.sh
# (RELIABILITY_DOWN_US alike).  Bounded: POINTS points of each kind, and
# RELIABILITY_MAX_SECONDS (600) in all.  TAP; root.
. "$(dirname "$0")/lib.sh"
LAB=rel-kill
KINDS=${RELIABILITY_KINDS:-up down}
deadline=$((SECONDS + MAX_S))
rel_topology portmap "$LAB"
Y=$tmp/$LAB.yaml

# timed_run OUTVAR CMD...: run CMD, its wall time in us into OUTVAR
timed_run() {
	local var=$1 t0 rc
	shift
	t0=$(now_us)
	"$@" >>"$tmp/timed.log" 2>&1
	rc=$?
	printf -v "$var" '%s' $(($(now_us) - t0))
	return $rc
}

measure() {
	local i up down
	up_max=0 down_max=0
	for i in 1 2 3; do
		timed_run up "$P" up "$Y" --network-only || return 1
		timed_run down "$P" down "$LAB" || return 1
		[ "$up" -gt "$up_max" ] && up_max=$up
		[ "$down" -gt "$down_max" ] && down_max=$down
	done
	return 0
}

# check POINT-TEXT: the assertions after a point, one TAP line
check() {
	local what=$1
	lab_leftovers "$LAB" >"$tmp/left"
	host_snapshot >"$tmp/host.now"
	if [ -s "$tmp/left" ] || ! cmp -s "$tmp/host.before" "$tmp/host.now"; then
		t "$what: nothing left, host unchanged" false
		tdiag "$tmp/left"
		diff "$tmp/host.before" "$tmp/host.now" | tdiag /dev/stdin
		echo "# replay: RELIABILITY_SEED=$pseed RELIABILITY_POINTS=1 RELIABILITY_KINDS=$kind RELIABILITY_UP_US=$UP_US RELIABILITY_DOWN_US=$DOWN_US $0"
		return 1
	fi
	t "$what: nothing left, host unchanged" true
}

# kill_after US LOG CMD...: CMD in the background, SIGKILLed by its pid
# after US microseconds (its exit status in $rc), then `down` ($drc)
kill_after() {
	local d=$1 log=$2 pid
	shift 2
	"$@" >"$log" 2>&1 &
	pid=$!
	sleep_us "$d"
	kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	"$P" down "$LAB" >"$tmp/down.log" 2>&1
	drc=$?
}
killed_word() { [ "$1" -eq 137 ] && echo ' (killed)'; }

# one point of kind up: kill up after $1 us, then down
point_up() {
	kill_after "$1" "$tmp/up.log" "$P" up "$Y" --network-only
	outcome="up exit $rc$(killed_word "$rc"), down exit $drc"
	[ "$drc" -eq 0 ] || { tdiag "$tmp/down.log"; return 1; }
}

# one point of kind down: up whole, kill down after $1 us, down again
point_down() {
	"$P" up "$Y" --network-only >"$tmp/up.log" 2>&1 || {
		outcome="up failed"; tdiag "$tmp/up.log"; return 1; }
	kill_after "$1" "$tmp/down1.log" "$P" down "$LAB"
	outcome="first down exit $rc$(killed_word "$rc"), second down exit $drc"
	[ "$drc" -eq 0 ] || { tdiag "$tmp/down.log"; return 1; }
}

host_snapshot >"$tmp/host.before"
if ! measure; then
	t "up and down of $LAB, timed" false
	tdiag "$tmp/timed.log"
	rel_done
fi
UP_US=${RELIABILITY_UP_US:-$up_max}
DOWN_US=${RELIABILITY_DOWN_US:-$down_max}
t "up/down timed: up ${up_max} us, down ${down_max} us (slowest of 3; delays drawn up to ${UP_US} / ${DOWN_US} us)" true
t "after the timed runs: nothing left" '[ -z "$(lab_leftovers "$LAB")" ]'

for kind in $KINDS; do
	range=$UP_US
	[ "$kind" = down ] && range=$DOWN_US
	done_points=0 killed=0 t_kind=$SECONDS
	for ((i = 0; i < POINTS && SECONDS < deadline; i++)); do
		pseed=$((SEED + i))
		RANDOM=$pseed
		d=$(rand_upto "$range")
		echo "# $kind point $((i + 1))/$POINTS: seed $pseed, SIGKILL after $d us of $range us"
		outcome=""
		"point_$kind" "$d"
		prc=$?
		[[ $outcome == *killed* ]] && killed=$((killed + 1))
		done_points=$((done_points + 1))
		if ! check "$kind point $((i + 1)), seed $pseed, ${d} us: $outcome" || [ "$prc" -ne 0 ]; then
			[ "$prc" -ne 0 ] && t "$kind point $((i + 1)): the last down succeeded ($outcome)" false
			"$P" down "$LAB" >/dev/null 2>&1
			if [ -n "$(lab_leftovers "$LAB")" ]; then
				echo "# leftovers survive another down: stopping $kind points"
				break
			fi
		fi
	done
	echo "# $kind: $done_points points in $((SECONDS - t_kind)) s, $killed killed before they ended"
	t "$kind: all $POINTS points ran within the time bound (${MAX_S} s)" '[ "$done_points" -eq "$POINTS" ]'
done
rel_done
