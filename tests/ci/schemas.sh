#!/usr/bin/env bash
# tests/ci/schemas.sh - README's "JSON output" tables against what the
# binary writes.  TAP; root: it brings up one network-only lab, ci-schemas
# (a copy of topologies/portmap.yaml; no Kafka), and always brings it down.
#
# The documented keys are read from README itself: the table after the
# line "<!-- json-schema: status -->" (and "verify"), one row per key path
# (`a[].b`: key b of each element of array a), its type (`string or null`
# for either) and when it is present ("always", else a condition).  For
# every row: at every place the path reaches in the output, a key marked
# "always" is there, and whatever is there has the documented type; at
# every object reached, no key appears that the table does not list.  The
# lab is made to fill what a network-only lab leaves empty: a fault set
# (faults), a packet toward the Kafka VPC from the changefeed (leaks), one
# connection through PSC to a listener in broker-node1 (paths).  Paths no
# object of this lab reaches (an instance group's backends in a portmap
# lab) are named in a "#" line and count as nothing.
#
# `verify --json --junit FILE --timeout 1000` fails (no brokers: exit 1);
# its JSON is checked the same way, its "ok" against the exit code, and
# the JUnit file: well-formed (xmllint), one testcase per check in the
# order and with the names of the JSON's checks, each documented element
# and attribute of README's "<!-- junit-schema: verify -->" table there as
# often as it says (once, on every testcase, or on the checks of a
# status), and no element or attribute the table does not list.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=$PWD/bin/pscLab
LAB=ci-schemas
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
t() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (a network-only lab)"
	exit 0
fi
for c in jq xmllint; do
	command -v "$c" >/dev/null || { echo "not ok 1 - $c is not installed; fix: sudo make deps"; echo "1..1"; exit 1; }
done
PY=$(command -v python3 || true)
[ -x "$P" ] || { echo "not ok 1 - $P is not built; fix: make"; echo "1..1"; exit 1; }

d=$(mktemp -d)
listener=""
cleanup() {
	[ -z "$listener" ] || kill "$listener" 2>/dev/null
	"$P" down "$LAB" >"$d/down.log" 2>&1 || cat "$d/down.log" >&2
	rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# rows SCHEMA: README's table after its marker, as JSON
# [{path, types: [...], always: bool}]
rows() {
	awk -v m="<!-- $1 -->" '$0 == m { on = 1; next } on && /^\|/ { print; p = 1; next } on && p { exit }' README.md |
		awk -F'|' 'NR > 2 { print $2 "\t" $3 "\t" $4 }' |
		jq -R -s -c '[split("\n")[] | select(length > 0) | split("\t") | map(gsub("^ +| +$|`"; ""))
			| {path: .[0], types: (.[1] | split(" or ")), always: (.[2] == "always")}]'
}

# check_json NAME FILE ROWS: the TAP lines of one document against its rows
check_json() {
	local name=$1 file=$2 rows=$3 kind what
	while IFS=$'\t' read -r kind what; do
		case $kind in
		ok) ok "$name: $what" ;;
		fail) nok "$name: $what" ;;
		note) echo "# $name: $what" ;;
		esac
	done < <(jq -r --argjson rows "$rows" '
		def segs: split(".") | map(if endswith("[]") then [.[:-2], "[]"] else [.] end) | flatten | map(select(. != ""));
		def at($p): if ($p | length) == 0 then .
			elif $p[0] == "[]" then (if type == "array" then .[] else empty end) | at($p[1:])
			else (if type == "object" and has($p[0]) then .[$p[0]] else empty end) | at($p[1:]) end;
		def show: reduce .[] as $x (""; if $x == "[]" then . + "[]" elif . == "" then $x else . + "." + $x end)
			| if . == "" then "the top" else . end;
		def jtypes: if type == "number" and . == floor then ["integer", "number"] else [type] end;
		. as $doc
		| ($rows | map(. + {s: (.path | segs)}) | map(. + {parent: .s[:-1], key: .s[-1]})) as $r
		| ($r[] | . as $row | [$doc | at($row.parent)] as $ps
			| if ($ps | length) == 0 then "note\t\($row.path): no \($row.parent | show) in this output, not checked"
			else ([$ps[] | select(type != "object" or (has($row.key) | not) and $row.always)] | length) as $missing
			| ([$ps[] | select(type == "object" and has($row.key)) | .[$row.key]
				| select([jtypes[] as $t | $row.types | index($t)] | all(. == null))] | length) as $badtype
			| ([$ps[] | select(type == "object" and has($row.key))] | length) as $have
			| if $missing > 0 then "fail\t\($row.path): missing in \($missing) of \($ps | length)"
			elif $badtype > 0 then "fail\t\($row.path): \($badtype) of \($have) not \($row.types | join(" or "))"
			elif $have == 0 then "note\t\($row.path): absent (\($row.always | if . then "always" else "conditional" end)), type not checked"
			else "ok\t\($row.path) is \($row.types | join(" or ")) (\($have) of \($ps | length))" end end),
		  ($r | group_by(.parent)[] | . as $g | $g[0].parent as $pp
			| [$g[].key] as $known
			| [$doc | at($pp) | select(type == "object")] as $objs
			| [$objs[] | keys[] | select(. as $k | $known | index($k) | not)] | unique
			| if ($objs | length) == 0 then "note\tno \($pp | show) in this output: its keys not checked"
			elif length == 0 then "ok\tno key outside README at \($pp | show) (\($objs | length) objects)"
			else "fail\tkeys README does not list at \($pp | show): \(join(", "))" end)
	' "$file" 2>&1 | sed 's/^jq: /fail\tjq: /')
}

status_rows=$(rows json-schema:\ status)
verify_rows=$(rows json-schema:\ verify)
t "README's status table read ($(jq length <<<"$status_rows") keys)" '[ "$(jq length <<<"$status_rows")" -ge 20 ]'
t "README's verify table read ($(jq length <<<"$verify_rows") keys)" '[ "$(jq length <<<"$verify_rows")" -ge 10 ]'

# the lab, left over from an interrupted run first
"$P" down "$LAB" >/dev/null 2>&1
sed "s/^name: .*/name: $LAB/" topologies/portmap.yaml >"$d/$LAB.yaml"
"$P" up "$d/$LAB.yaml" --network-only >"$d/up.log" 2>&1
rc=$?
t "up $LAB --network-only: exit 0" '[ $rc -eq 0 ] || { sed "s/^/# /" "$d/up.log"; false; }'
if [ "$rc" -ne 0 ]; then
	echo "1..$n"
	exit 1
fi

# verify first (its connections are refused: no brokers), one run for both
"$P" verify "$LAB" --json --junit "$d/verify.xml" --timeout 1000 >"$d/verify.json" 2>"$d/verify.err"
vrc=$?
t "verify $LAB --json --junit: exit 1 (no brokers)" '[ $vrc -eq 1 ]'
t "verify's JSON parses" 'jq -e . "$d/verify.json" >/dev/null'
check_json verify "$d/verify.json" "$verify_rows"
t "verify: ok is false and failed > 0 (exit 1)" \
	'[ "$(jq -c "[.ok, (.failed > 0)]" "$d/verify.json")" = "[false,true]" ]'
t "verify: passed + warned + failed + skipped = checks" \
	'jq -e "(.passed + .warned + .failed + .skipped) == (.checks | length) and (.checks | length) > 0" "$d/verify.json" >/dev/null'

# the JUnit report of the same run
t "the JUnit file is well-formed XML (xmllint)" 'xmllint --noout "$d/verify.xml"'
nchecks=$(jq '.checks | length' "$d/verify.json")
xp() { xmllint --xpath "$1" "$d/verify.xml" 2>/dev/null; }
t "one testcase per check ($nchecks)" '[ "$(xp "count(//testcase)")" = "$nchecks" ]'
same=1
for ((i = 1; i <= nchecks; i++)); do
	want=$(jq -r ".checks[$((i - 1))].name" "$d/verify.json")
	[ "$(xp "string(/testsuites/testsuite/testcase[$i]/@name)")" = "$want" ] || { same=0; echo "# testcase $i is not '$want'"; }
done
t "the testcases carry the checks' names, in order" '[ $same -eq 1 ]'
junit_rows=$(awk '$0 == "<!-- junit-schema: verify -->" { on = 1; next } on && /^\|/ { print; p = 1; next } on && p { exit }' README.md |
	awk -F'|' 'NR > 2 { gsub(/[ `]/, "", $2); gsub(/^ +| +$/, "", $3); print $2 "\t" $3 }')
t "README's JUnit table read ($(grep -c . <<<"$junit_rows") rows)" '[ "$(grep -c . <<<"$junit_rows")" -ge 10 ]'
elems=0 attrs=0
while IFS=$'\t' read -r path when; do
	[ -n "$path" ] || continue
	case $when in
	always) case $path in */testcase*) want=$nchecks ;; *) want=1 ;; esac ;;
	PASS | WARN | FAIL | SKIP) want=$(jq --arg s "$when" '[.checks[] | select(.status == $s)] | length' "$d/verify.json") ;;
	*) nok "JUnit $path: README says present '$when' (always, PASS, WARN, FAIL or SKIP)"; continue ;;
	esac
	got=$(xp "count($path)")
	case $path in */@*) attrs=$((attrs + want)) ;; *) elems=$((elems + want)) ;; esac
	t "JUnit $path: $want ($when)" '[ "$got" = "$want" ]'
done <<<"$junit_rows"
t "JUnit: no element README does not list ($elems)" '[ "$(xp "count(//*)")" = "$elems" ]'
t "JUnit: no attribute README does not list ($attrs)" '[ "$(xp "count(//@*)")" = "$attrs" ]'

# fill what a network-only lab leaves empty, then status
"$P" fault "$LAB" firewall-disable kafka-vpc-allow-ssh >"$d/fault.log" 2>&1
frc=$?
t "fault firewall-disable kafka-vpc-allow-ssh: exit 0" '[ $frc -eq 0 ] || { sed "s/^/# /" "$d/fault.log"; false; }'
# a packet toward the Kafka VPC from the changefeed: the leak watch counts it
"$P" exec "$LAB" changefeed -- timeout 2 bash -c 'exec 3<>/dev/tcp/10.64.0.2/9092' >/dev/null 2>&1
# one connection through PSC (client port 9093 -> broker-node1:39092) to a
# listener of our own, bounded (10 s), stopped by its pid at the end
if [ -n "$PY" ]; then
	"$P" exec "$LAB" broker-node1 -- timeout 10 "$PY" -c 'import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 39092)); s.listen(4); print("listening", flush=True)
c, _ = s.accept(); c.recv(16); c.close()' >"$d/listen.out" 2>&1 &
	listener=$!
	for _ in $(seq 50); do grep -q listening "$d/listen.out" && break; sleep 0.1; done
	"$P" exec "$LAB" changefeed -- timeout 3 bash -c 'exec 3<>/dev/tcp/172.16.0.10/9093; echo hi >&3; cat <&3' >/dev/null 2>&1
	wait "$listener" 2>/dev/null
	listener=""
else
	echo "# no python3: no listener, labs[].paths stays empty"
fi
"$P" status "$LAB" --json >"$d/status.json" 2>"$d/status.err"
src=$?
t "status $LAB --json: exit 0, one lab" '[ $src -eq 0 ] && [ "$(jq ".labs | length" "$d/status.json")" = 1 ]'
t "status: faults, leaks and paths are filled" \
	'jq -e ".labs[0] | (.faults | length) > 0 and (.leaks | length) > 0 and (.paths | length) > 0" "$d/status.json" >/dev/null'
check_json status "$d/status.json" "$status_rows"

# the checker itself can fail: a key README does not list, a wrong type,
# a key missing
jq '.labs[0].extra = 1 | .labs[0].nodes[0].present = "yes" | del(.labs[0].psc[0].status)' "$d/status.json" >"$d/broken.json"
(check_json status-broken "$d/broken.json" "$status_rows") >"$d/broken.tap"
t "a status with an unlisted key, a wrong type and a missing key fails 3 checks" \
	'sed -n "s/^not ok [0-9]* - /# refused: /p" "$d/broken.tap"; [ "$(grep -c "^not ok" "$d/broken.tap")" = 3 ] && grep -q "does not list at labs\[\]: extra" "$d/broken.tap" && grep -q "nodes\[\]\.present: 1 of" "$d/broken.tap" && grep -q "psc\[\]\.status: missing" "$d/broken.tap"'

"$P" down "$LAB" >"$d/down.log" 2>&1
drc=$?
t "down $LAB: exit 0" '[ $drc -eq 0 ]'
t "no namespace of $LAB left" '! ip netns list | grep -q "^psclab-$LAB-"'
echo "1..$n"
exit "$fail"
