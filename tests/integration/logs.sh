#!/usr/bin/env bash
# tests/integration/logs.sh - `pscLab logs <lab> <node> [-n N] [--all]` as a
# user reads it: the last 50 lines by default, the last N with -n, the
# whole log with -n 0, one log unless --all (then a header per file), bad
# -n refused.  One network-only lab 'itlogs' (a copy of portmap, ~0.1 s);
# the DNS stub of its kafka-vpc router is the process whose log is read,
# with 120 numbered lines appended to it by the test.  A trap takes the lab
# down.  TAP; root; only pscLab commands and the lab's own log file.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
LAB=itlogs
NODE=vpc-kafka-vpc
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP not root (a lab needs network namespaces)"
	exit 0
fi
n=0 fail=0
tmp=$(mktemp -d)
cleanup() {
	"$P" down "$LAB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }

sed "s/^name: portmap\$/name: $LAB/" topologies/portmap.yaml >"$tmp/$LAB.yaml"
"$P" down "$LAB" >/dev/null 2>&1
if ! "$P" up "$tmp/$LAB.yaml" --network-only >"$tmp/up" 2>&1; then
	echo "not ok 1 - up $LAB --network-only"
	sed 's/^/#   /' "$tmp/up" | tail -5
	echo "1..1"
	exit 1
fi
log=$("$P" status "$LAB" --json | jq -r --arg ns "psclab-$LAB-$NODE" \
	'.labs[0].processes[] | select(.namespace == $ns) | .log' | head -1)
t "the DNS stub of $NODE has a log" '[ -n "$log" ] && [ -f "$log" ]'
for i in $(seq 1 120); do echo "logs.sh line $i"; done >>"$log"

out=$("$P" logs "$LAB" "$NODE" 2>"$tmp/err"); rc=$?
t "logs: exit 0" '[ $rc -eq 0 ]'
t "logs: the last 50 lines by default" '[ "$(wc -l <<<"$out")" -eq 50 ] && [ "$(tail -1 <<<"$out")" = "logs.sh line 120" ] && [ "$(head -1 <<<"$out")" = "logs.sh line 71" ]'
t "logs: one log, no header" '! grep -q "^==> " <<<"$out"'
out=$("$P" logs "$LAB" "$NODE" -n 7)
t "logs -n 7: exactly the last 7 lines" '[ "$(wc -l <<<"$out")" -eq 7 ] && [ "$(head -1 <<<"$out")" = "logs.sh line 114" ]'
out=$("$P" logs "$LAB" "$NODE" --lines 1)
t "logs --lines 1: the last line" '[ "$out" = "logs.sh line 120" ]'
out=$("$P" logs "$LAB" "$NODE" -n 0)
t "logs -n 0: the whole log (what the stub wrote, then 120 lines)" '[ "$(wc -l <<<"$out")" -gt 120 ] && [ "$(wc -l <"$log")" -eq "$(wc -l <<<"$out")" ]'
t "logs: no line printed twice" '[ "$(grep -c "^logs.sh line 60\$" <<<"$out")" -eq 1 ]'
out=$("$P" logs "$LAB" "$NODE" --all -n 3)
t "logs --all -n 3 with one log: 3 lines" '[ "$(wc -l <<<"$out")" -eq 3 ]'
printf 'no newline at the end' >>"$log"
out=$("$P" logs "$LAB" "$NODE" -n 2)
t "logs -n 2: a last line without its newline counts" '[ "$out" = "logs.sh line 120
no newline at the end" ]'
for bad in "-n" "-n x" "-n -3" "--lines 5x"; do
	# shellcheck disable=SC2086
	"$P" logs "$LAB" "$NODE" $bad >/dev/null 2>"$tmp/err"; rc=$?
	t "logs $bad: refused, exit 2, says why" '[ $rc -eq 2 ] && grep -q "number of lines" "$tmp/err"'
done
echo "1..$n"
exit $fail
