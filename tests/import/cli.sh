#!/usr/bin/env bash
# tests/import/cli.sh - `pscLab import`, and `pscLab lint` of a plan,
# through the binary: outputs, exit codes (README's table), nothing written
# on error.  Fixtures from tests/import/build.sh (jq edits of the real
# plans in ../shared/import/).  TAP; pure (no root, no network).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=bin/pscLab
S=../shared/import
n=0 fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
if ! tests/import/build.sh -o "$d/fx" >"$d/build.log" 2>&1; then
	echo "not ok 1 - tests/import/build.sh: $(cat "$d/build.log")"
	echo "1..1"
	exit 1
fi
F=$d/fx

out=$($P import $S/portmap/plan.json --name imp-a 2>"$d/err"); rc=$?
t "import to stdout: exit 0, YAML with the Terraform addresses" \
	'[ $rc -eq 0 ] && grep -q "^  # google_compute_network.kafka_vpc$" <<<"$out" && grep -q "^name: imp-a$" <<<"$out"'
t "import prints its assumptions on stderr" 'grep -q "assumed: --tidbcloud-project tidbcloud-prod-000" "$d/err"'
$P import $S/proxy/plan.json -o "$d/p.yaml" 2>/dev/null; rc=$?
t "import -o writes the file, which lints as topologies/proxy.yaml" \
	'[ $rc -eq 0 ] && [ "$($P lint "$d/p.yaml" 2>/dev/null | grep -o "\[[a-z-]*\]$")" = "$($P lint proxy 2>/dev/null | grep -o "\[[a-z-]*\]$")" ]'
echo keep >"$d/keep.yaml"
$P import "$F/portmap-unresolved.json" -o "$d/keep.yaml" 2>"$d/err"; rc=$?
t "import of a plan with an unresolved reference: exit 1, names it, -o untouched" \
	'[ $rc -eq 1 ] && grep -q "google_compute_instance.bastion: network_interface.0.subnetwork: .*local.subnet_id" "$d/err" && [ "$(cat "$d/keep.yaml")" = keep ] && [ -z "$(ls "$d" | grep tmp)" ]'
for f in state.json show-state.json config.tf.json garbage.json garbage.txt main.tf big.json; do
	$P import "$F/$f" -o "$d/new.yaml" 2>"$d/err"; rc=$?
	t "import $f: exit 2, a located error, nothing written" \
		'[ $rc -eq 2 ] && grep -q "^$F/$f.*error: .*\[\(not-a-plan\|too-large\)\]" "$d/err" && [ ! -e "$d/new.yaml" ]'
done
$P lint $S/portmap/plan.json >"$d/out" 2>&1; rc=$?
t "lint plan.json (portmap): exit 0, no findings" '[ $rc -eq 0 ] && grep -q "0 errors, 0 warnings" "$d/out"'
$P lint $S/proxy/plan.json >"$d/out" 2>/dev/null; rc=$?
t "lint plan.json (proxy): exit 0, hc-firewall against the backend service" \
	'[ $rc -eq 0 ] && grep -q "warning: google_compute_region_backend_service.kafka_proxy_lb: health_checks: .*\[hc-firewall\] (imported topology line [0-9]*:[0-9]*)" "$d/out"'
$P lint $S/proxy/plan.json --strict >/dev/null 2>&1; rc=$?
t "lint --strict of the proxy plan: exit 1" '[ $rc -eq 1 ]'
$P lint "$F/portmap-no-psc-fw.json" >"$d/out" 2>/dev/null; rc=$?
t "lint without allow_psc: exit 1, psc-firewall against the NEG endpoints" \
	'[ $rc -eq 1 ] && [ "$(grep -c "error: google_compute_region_network_endpoint.broker\[\"broker-node[123]\"\]: instance: .*\[psc-firewall\]" "$d/out")" -eq 3 ]'
$P lint "$F/portmap-accept-other.json" >"$d/out" 2>/dev/null; rc=$?
t "lint, accept list of another project: the service attachment's consumer_accept_lists" \
	'[ $rc -eq 1 ] && grep -q "error: google_compute_service_attachment.kafka_psc: consumer_accept_lists: .*\[psc-not-accepted\]" "$d/out"'
$P lint "$F/portmap-neg-module-dup.json" >"$d/out" 2>/dev/null; rc=$?
t "lint, NEG in a module with count: the module address" \
	'[ $rc -eq 1 ] && grep -q "error: module.neg\[0\].google_compute_region_network_endpoint.broker\[\"broker-node2\"\]: client_destination_port: .*\[neg-client-port-duplicate\]" "$d/out"'
cp $S/portmap/plan.json "$d/theplan"
$P lint "$d/theplan" >/dev/null 2>&1; rc=$?
t "lint tells a plan by content (no .json name)" '[ $rc -eq 0 ]'
$P lint "$F/state.json" >/dev/null 2>&1; rc=$?
t "lint of a state file: exit 2" '[ $rc -eq 2 ]'
$P import >/dev/null 2>&1; rc=$?
t "import without a plan: exit 2" '[ $rc -eq 2 ]'
$P import $S/portmap/plan.json --bogus >/dev/null 2>&1; rc=$?
t "import with an unknown option: exit 2" '[ $rc -eq 2 ]'
$P import $S/portmap/plan.json --name Bad_Name >/dev/null 2>&1; rc=$?
t "import with a bad --name: exit 2" '[ $rc -eq 2 ]'
$P import --help >"$d/out" 2>&1; rc=$?
t "import --help: usage, options, examples" \
	'[ $rc -eq 0 ] && grep -q "^usage: pscLab import" "$d/out" && grep -q -- "--kafka FILE" "$d/out" && grep -q "^Examples:" "$d/out"'
echo "1..$n"
exit $fail
