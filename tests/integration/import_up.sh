#!/usr/bin/env bash
# tests/integration/import_up.sh - the shared Terraform plans of the seed's
# two ways (../shared/import/{portmap,proxy}/plan.json) brought up as a
# user would, `pscLab up <plan.json>`: imported, built, brokers (and
# kafka-proxy) started, verified; then `pscLab verify` again, both green
# (exit 0, 0 failed in the JSON), and down.  Labs 'itimp-pm', 'itimp-px'
# (--name), taken down by a trap.  TAP; root; ~40 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
S=../shared/import
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP not root (a lab needs network namespaces)"
	exit 0
fi
n=0 fail=0
tmp=$(mktemp -d)
cleanup() {
	for l in itimp-pm itimp-px; do "$P" down "$l" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
for way in portmap:itimp-pm proxy:itimp-px; do
	plan=$S/${way%%:*}/plan.json lab=${way#*:}
	"$P" down "$lab" >/dev/null 2>&1
	timeout 300 "$P" up "$plan" --name "$lab" >"$tmp/up" 2>&1
	rc=$?
	# the proxy way: green with the shipped proxy topology's own warnings
	# (no firewall rule for the health checks; kafka-proxy and
	# DescribeCluster)
	t "up ${way%%:*}'s plan.json --name $lab: exit 0, verify green, lint's findings once" \
		'[ $rc -eq 0 ] && grep -Eq "verify $lab: (all green|green with warnings)," "$tmp/up" && ! grep -q "^/tmp/psclab-import" "$tmp/up"'
	[ $rc -eq 0 ] || sed 's/^/#   /' "$tmp/up" | grep -v "^#   PASS" | tail -15
	timeout 120 "$P" verify "$lab" --json >"$tmp/v.json" 2>"$tmp/v.err"
	rc=$?
	t "verify $lab (the imported ${way%%:*} plan): exit 0, 0 failed" \
		'[ $rc -eq 0 ] && [ "$(jq .failed "$tmp/v.json")" = 0 ] && [ "$(jq .passed "$tmp/v.json")" -gt 12 ]'
	"$P" down "$lab" >/dev/null 2>&1
	t "down $lab" '! "$P" status "$lab" >/dev/null 2>&1'
done
echo "1..$n"
exit $fail
