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
echo "1..$n"
exit $fail
