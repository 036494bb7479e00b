#!/usr/bin/env bash
# tests/integration/scenarios.sh - broken scenarios of topologies/scenarios/
# brought up as a trainee would, `pscLab up scenarios/<name> --ignore-lint`
# (without it, up refuses: lint's errors), with their brokers, and the
# diagnosis verify must give, asserted on its JSON: the failed check and
# the hop it names.
#   no-psc-firewall  bootstrap 172.16.0.10:9093 FAIL at the producer firewall
#   not-accepted     bootstrap 172.16.0.10:9093 FAIL at the PSC endpoint
#   seed-bootstrap   bootstrap 172.16.0.10:9092 FAIL at the load balancer
#                    mapping (the port-mapping NEG maps no 9092), the
#                    mapped ports green
# and the scenario exercise lab/exercises/seed-bootstrap.yaml: `pscLab
# check sc-seed-bootstrap seed-bootstrap --start` brings the scenario up,
# check grades it "not yet" with a hint, the trainee's fixed copy (the
# NEG's client ports) brought up instead, check grades it "passed".
# (test_scenarios.c asserts every scenario's lint diagnosis.)  Labs
# sc-<name>, taken down by a trap.  TAP; root; ~1 min.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP not root (a lab needs network namespaces)"
	exit 0
fi
n=0 fail=0
tmp=$(mktemp -d)
names="no-psc-firewall not-accepted seed-bootstrap"
cleanup() {
	for s in $names; do "$P" down "sc-$s" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
# the check of $1 in the verify JSON: "<status> <hop>"
check() { jq -r --arg c "$1" '.checks[] | select(.name == $c) | "\(.status) \(.hop)"' "$tmp/v.json"; }

"$P" up scenarios/no-psc-firewall --network-only >"$tmp/up" 2>&1
rc=$?
t "up scenarios/no-psc-firewall without --ignore-lint: exit 1, nothing built" \
	'[ $rc -eq 1 ] && grep -q "nothing was built" "$tmp/up" && ! "$P" status sc-no-psc-firewall >/dev/null 2>&1'
for s in $names; do
	"$P" down "sc-$s" >/dev/null 2>&1
	timeout 300 "$P" up "scenarios/$s" --ignore-lint >"$tmp/up" 2>&1
	rc=$?
	t "up scenarios/$s --ignore-lint: built, its verify not green (exit 1)" \
		'[ $rc -eq 1 ] && grep -q "errors above are ignored (--ignore-lint)" "$tmp/up" && "$P" status "sc-$s" >/dev/null 2>&1'
	timeout 120 "$P" verify "sc-$s" --json --timeout 3000 >"$tmp/v.json" 2>/dev/null
	case $s in
	no-psc-firewall)
		t "$s: bootstrap 9093 fails at the producer firewall" \
			'[ "$(check "changefeed: bootstrap 172.16.0.10:9093")" = "FAIL firewall" ]' ;;
	not-accepted)
		t "$s: bootstrap 9093 fails at the PSC endpoint (not accepted)" \
			'[ "$(check "changefeed: bootstrap 172.16.0.10:9093")" = "FAIL endpoint" ]' ;;
	seed-bootstrap)
		t "$s: bootstrap 9092 fails at the load balancer mapping, 9093 passes" \
			'[ "$(check "changefeed: bootstrap 172.16.0.10:9092")" = "FAIL lb-mapping" ] && [ "$(check "changefeed: bootstrap 172.16.0.10:9093")" = "PASS none" ]' ;;
	esac
	[ "$fail" -eq 0 ] || jq -r '.checks[] | select(.status != "PASS") | "#   \(.status) \(.name) [\(.hop)] \(.detail)"' "$tmp/v.json" | head -8
	"$P" down "sc-$s" >/dev/null 2>&1
done
# the scenario exercise
"$P" down sc-seed-bootstrap >/dev/null 2>&1
timeout 300 "$P" check sc-seed-bootstrap seed-bootstrap --start >"$tmp/up" 2>&1
rc=$?
t "check sc-seed-bootstrap seed-bootstrap --start: exit 0, the scenario up, the task told" \
	'[ $rc -eq 0 ] && grep -q "When you think it is mended" "$tmp/up" && "$P" status sc-seed-bootstrap >/dev/null 2>&1'
timeout 120 "$P" check sc-seed-bootstrap seed-bootstrap --timeout 3000 >"$tmp/c" 2>&1
rc=$?
t "check unfixed: exit 1, not yet, at the load balancer mapping, with a hint" \
	'[ $rc -eq 1 ] && grep -q "not yet: .*breaks at the load balancer mapping" "$tmp/c" && grep -q "hint: " "$tmp/c"'
sed 's/bootstrap_ports: \[9092, 9093, 9094\]/bootstrap_ports: [9093, 9094, 9095]/' \
	topologies/scenarios/seed-bootstrap.yaml >"$tmp/fixed.yaml"
"$P" down sc-seed-bootstrap >/dev/null 2>&1
timeout 300 "$P" up "$tmp/fixed.yaml" >"$tmp/up" 2>&1
timeout 120 "$P" check sc-seed-bootstrap seed-bootstrap >"$tmp/c" 2>&1
rc=$?
t "check after the trainee's fix (the NEG's client ports): exit 0, passed" \
	'[ $rc -eq 0 ] && grep -q "passed: " "$tmp/c"'
[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/c" | tail -5
"$P" down sc-seed-bootstrap >/dev/null 2>&1
echo "1..$n"
exit $fail
