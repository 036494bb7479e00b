#!/usr/bin/env bash
# tests/integration/graph.sh - `pscLab graph` in every format, checked by
# the tools that read them: for portmap and proxy, dot parses (`dot
# -Tcanon`), the SVG is well-formed (xmllint) and names every node of the
# dot graph, the PNG starts with the PNG signature, the HTML page is one
# file with no external reference and holds that same SVG, Mermaid has
# every edge of the dot graph; a bad --format is refused with the list.
# As root, one network-only lab 'gr-portmap' (a copy of portmap, no
# Kafka): its graph is coloured (DNS stub running, endpoint accepted), a
# verify (its brokers are not running: it fails in about 2 s) writes
# verify-last.json with verify's own counts, and the graph then shows
# them and the brokers in red; after down the name is no lab any more.  A
# trap takes the lab down.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
LAB=gr-portmap
RUN_DIR=${PSCLAB_RUN_DIR:-/run/psclab}
BAD_FILL='#ffd6d6'
OK_FILL='#d4f7d4'
n=0 fail=0
tmp=$(mktemp -d)
lab_up=0
cleanup() {
	[ "$lab_up" -eq 0 ] || "$P" down "$LAB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }

for tool in dot xmllint jq; do
	t "$tool is installed (sudo make deps)" 'command -v $tool >/dev/null'
done

# the node ids and the edges ("a b" a line) of a dot file pscLab wrote
dot_nodes() { sed -n 's/^ *"\([^"]*\)" \[shape=.*/\1/p' "$1"; }
dot_edges() { sed -n 's/^  "\([^"]*\)" -> "\([^"]*\)" \[.*/\1 \2/p' "$1"; }
# the titles of an SVG's nodes, one a line
svg_nodes() {
	xmllint --xpath '//*[local-name()="g" and @class="node"]/*[local-name()="title"]' "$1" |
		sed 's/<title>//g; s/<\/title>/\n/g' | sed '/^$/d'
}
# every node of dot file $1 is a node of SVG $2
svg_names_all() {
	local want got
	want=$(dot_nodes "$1" | sort) got=$(svg_nodes "$2" | sort)
	[ -n "$want" ] && [ "$want" = "$got" ]
}
# every edge of dot file $1 is an edge line of Mermaid file $2, and no more
mermaid_has_all() {
	local a b count=0
	while read -r a b; do
		count=$((count + 1))
		grep -qE "^  ${a//[^A-Za-z0-9_]/_} -(->|\.->)\|\".*\"\| ${b//[^A-Za-z0-9_]/_}\$" "$2" ||
			{ echo "# mermaid lacks $a -> $b"; return 1; }
	done < <(dot_edges "$1")
	[ "$count" -gt 0 ] && [ "$count" -eq "$(grep -cE '^  [A-Za-z0-9_]+ -(->|\.->)\|' "$2")" ]
}
# the <svg> element of a file, without its namespace URIs
svg_element() {
	sed -n '/<svg/,/<\/svg>/p' "$1" |
		sed 's| xmlns="http://www.w3.org/2000/svg"||; s| xmlns:xlink="http://www.w3.org/1999/xlink"||'
}
no_external() { ! grep -Eiq 'https?://|(src|href)[[:space:]]*=|<link|<script|@import|url\(' "$1"; }

check_formats() { # name-or-lab file-prefix
	local what=$1 f=$2 rc
	"$P" graph "$what" >"$f.dot" 2>"$tmp/err"; rc=$?
	t "$what: dot, exit 0" '[ $rc -eq 0 ] && [ -s "$f.dot" ]'
	t "$what: dot parses (dot -Tcanon)" 'dot -Tcanon "$f.dot" >/dev/null 2>"$tmp/err"'
	t "$what: --format dot is the default" '"$P" graph "$what" --format dot | cmp -s - "$f.dot"'
	t "$what: the PSC NAT subnet has its node, in its cluster" \
		'grep -q "^      \"nat_.*PSC NAT subnet of service attachment" "$f.dot"'
	"$P" graph "$what" --format svg -o "$f.svg"; rc=$?
	t "$what: svg -o, exit 0" '[ $rc -eq 0 ] && [ -s "$f.svg" ]'
	t "$what: the SVG is well-formed (xmllint)" 'xmllint --noout "$f.svg"'
	t "$what: the SVG names every node of the dot graph" 'svg_names_all "$f.dot" "$f.svg"'
	t "$what: the SVG draws the NAT subnet's cluster" 'grep -q "<title>cluster_subnet_.*psc.*subnet</title>" "$f.svg"'
	"$P" graph "$what" --format png >"$f.png"; rc=$?
	t "$what: png, exit 0, the PNG signature" '[ $rc -eq 0 ] && [ "$(head -c 8 "$f.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]'
	"$P" graph "$what" --format html -o "$f.html"; rc=$?
	t "$what: html -o, exit 0, one page" '[ $rc -eq 0 ] && head -1 "$f.html" | grep -q "^<!DOCTYPE html>" && [ "$(grep -c "<svg" "$f.html")" -eq 1 ]'
	t "$what: the HTML has no external reference" 'no_external "$f.html"'
	t "$what: the HTML holds the SVG, and a legend" 'cmp -s <(svg_element "$f.svg") <(svg_element "$f.html") && grep -q "<h2>Legend</h2>" "$f.html"'
	"$P" graph "$what" --format mermaid -o "$f.mmd"; rc=$?
	t "$what: mermaid, exit 0, a flowchart" '[ $rc -eq 0 ] && grep -qx "flowchart LR" "$f.mmd"'
	t "$what: Mermaid has every edge of the dot graph" 'mermaid_has_all "$f.dot" "$f.mmd"'
}

for topo in portmap proxy; do
	check_formats "$topo" "$tmp/$topo"
done

"$P" graph portmap --format jpeg >"$tmp/out" 2>"$tmp/err"; rc=$?
t "--format jpeg: refused, exit 2, the valid formats listed, nothing written" \
	'[ $rc -eq 2 ] && grep -q "dot, svg, png, mermaid, html" "$tmp/err" && [ ! -s "$tmp/out" ]'
"$P" graph portmap --format >/dev/null 2>"$tmp/err"; rc=$?
t "--format without a value: exit 2" '[ $rc -eq 2 ]'
"$P" graph portmap --format svg -o "$tmp/no/such/dir.svg" 2>"$tmp/err"; rc=$?
t "-o into a missing directory: exit 1, says which file" '[ $rc -eq 1 ] && grep -q "cannot write $tmp/no/such/dir.svg" "$tmp/err"'

if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: a running lab needs network namespaces"
	echo "ok $((n + 1)) - a running lab's colours # SKIP"
	echo "1..$((n + 1))"
	exit $fail
fi

sed "s/^name: portmap\$/name: $LAB/" topologies/portmap.yaml >"$tmp/$LAB.yaml"
"$P" down "$LAB" >/dev/null 2>&1
lab_up=1
if ! "$P" up "$tmp/$LAB.yaml" --network-only >"$tmp/up" 2>&1; then
	echo "not ok $((n + 1)) - up $LAB --network-only"
	sed 's/^/#   /' "$tmp/up" | tail -5
	echo "1..$((n + 1))"
	exit 1
fi
live=$tmp/live
"$P" graph "$LAB" >"$live.dot"; rc=$?
t "$LAB (up): graph, exit 0, as a running lab with no verify yet" \
	'[ $rc -eq 0 ] && grep -q "label=\"lab $LAB, running\\\\nlast verify: none since the lab came up" "$live.dot"'
t "$LAB: the private zone is green (its DNS stub runs)" 'grep "^ *\"dns_" "$live.dot" | grep -q "fillcolor=\"$OK_FILL\""'
t "$LAB: the endpoint is green (ACCEPTED)" 'grep "^ *\"ep_" "$live.dot" | grep -q "fillcolor=\"$OK_FILL\""'
t "$LAB: no broker coloured before a verify (no process, no check)" '! grep "^ *\"vm_broker" "$live.dot" | grep -q fillcolor'

"$P" verify "$LAB" --timeout 2000 --json >"$tmp/verify.json" 2>"$tmp/err"; rc=$?
last=$RUN_DIR/$LAB/verify-last.json
t "$LAB: verify fails (no Kafka), exit 1" '[ $rc -eq 1 ]'
t "$LAB: verify wrote verify-last.json, nothing beside it" '[ -s "$last" ] && ! ls "$RUN_DIR/$LAB" | grep -q "verify-last.json.tmp"'
# verify-last.json ($1) says what verify --json ($2) said
same_result() {
	local k
	for k in passed warned failed skipped '.checks | length' '.checks[0].name' \
		'[.checks[] | .status] | join(",")' '[.checks[] | .node] | join(",")'; do
		[ "$(jq -r "${k/#[a-z]/.&}" "$1")" = "$(jq -r "${k/#[a-z]/.&}" "$2")" ] ||
			{ echo "# $k differs"; return 1; }
	done
	jq -e '[.checks[] | .hop | strings] | length > 0' "$1" >/dev/null
}
t "$LAB: verify-last.json has verify's counts and checks" 'same_result "$last" "$tmp/verify.json"'
failed=$(jq .failed "$last")
"$P" graph "$LAB" >"$live.dot"; rc=$?
t "$LAB: the graph gives the last verify's counts" '[ $rc -eq 0 ] && grep -q "last verify [0-9T:Z-]*: [0-9]* passed, [0-9]* warned, $failed failed" "$live.dot"'
t "$LAB: every broker is red (verify: broker down)" '[ "$(grep "^ *\"vm_broker" "$live.dot" | grep -c "fillcolor=\"$BAD_FILL\"")" -eq 3 ]'
t "$LAB: coloured dot parses" 'dot -Tcanon "$live.dot" >/dev/null'
check_formats "$LAB" "$live"
t "$LAB: Mermaid colours the brokers bad" 'grep -q "^  classDef bad " "$live.mmd" && grep "^  class " "$live.mmd" | grep " bad$" | grep -q vm_broker_node2'
t "$LAB: the SVG says why (tooltips)" 'grep -q "last verify FAIL" "$live.svg"'

"$P" down "$LAB" >/dev/null 2>&1
lab_up=0
"$P" graph "$LAB" >/dev/null 2>"$tmp/err"; rc=$?
t "after down, '$LAB' is no lab and no topology: exit 2" '[ $rc -eq 2 ] && grep -q "no topology named" "$tmp/err"'
echo "1..$n"
exit $fail
