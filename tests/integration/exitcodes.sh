#!/usr/bin/env bash
# tests/integration/exitcodes.sh - every verb's exit codes through the real
# binary, as README's "Exit codes" table gives them: --help 0, usage errors
# 2, what is not there (a lab that is not up, a node the lab does not have,
# a missing topology file) 2, findings and failures 1, and the successes
# that are cheap.  One network-only lab, 'xc' (a copy of portmap: no
# Kafka, about 0.1 s), serves the verbs that need a running lab; a trap
# takes it down.  TAP.  Root; only pscLab commands, so nothing outside the
# lab's own namespaces (psclab-xc-*) is touched.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
LAB=xc
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP not root (a lab needs network namespaces)"
	exit 0
fi
if [ ! -x "$P" ]; then
	echo "not ok 1 - $P is built"
	echo "1..1"
	exit 1
fi

n=0 fail=0
tmp=$(mktemp -d)
cleanup() {
	"$P" down "$LAB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# want description command...: the command's exit status is want
code() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>&1 </dev/null
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ]; then
		echo "ok $n - $what: exit $want"
	else
		echo "not ok $n - $what: exit $rc, want $want"
		sed 's/^/#   /' "$tmp/out" | head -5
		fail=1
	fi
}

missing=$tmp/no-such-file.yaml
broken=$tmp/broken.yaml     # reads as a topology, with a lint error
sed "s/^name: portmap\$/name: $LAB/" topologies/portmap.yaml >"$tmp/$LAB.yaml"
sed "s/^name: portmap\$/name: Not_A_Lab_Name/" topologies/portmap.yaml >"$broken"
if ! grep -q "^name: $LAB\$" "$tmp/$LAB.yaml" ||
	! grep -q "^name: Not_A_Lab_Name\$" "$broken"; then
	echo "not ok 1 - topologies/portmap.yaml has a line 'name: portmap'"
	echo "1..1"
	exit 1
fi
# a lab of that name left by an interrupted run of this test
"$P" down "$LAB" >/dev/null 2>&1

# ---- pscLab itself ----
code 2 "pscLab (no command)" "$P"
code 0 "pscLab --help" "$P" --help
code 0 "pscLab help" "$P" help
code 0 "pscLab --version" "$P" --version
code 2 "pscLab nosuchverb" "$P" nosuchverb
code 2 "pscLab --no-such-option" "$P" --no-such-option

# ---- every verb: --help 0; an unknown option 2 ----
verbs=$("$P" --help | sed -n '/^commands:/,/^$/p' | awk 'NF >= 2 && $1 != "commands:" {print $1}')
covered=" lint import graph up down status verify trace exec logs fault restart check reconfigure prepare "
for v in $verbs; do
	code 0 "$v --help" "$P" "$v" --help
	code 2 "$v --no-such-option" "$P" "$v" --no-such-option
	n=$((n + 1))
	case "$covered" in
	*" $v "*) echo "ok $n - $v: its cases are below" ;;
	*) echo "not ok $n - $v: no exit-code cases in $0"; fail=1 ;;
	esac
done

# ---- prepare (make deps ran it: both there, nothing made) ----
code 2 "prepare extra-argument" "$P" prepare extra-argument
code 0 "prepare (the template and the archive there)" "$P" prepare
code 1 "prepare with KAFKA_VERSION=9.9.9 (not installed)" env KAFKA_VERSION=9.9.9 "$P" prepare

# ---- the verbs that read a file ----
code 0 "lint topologies/portmap.yaml" "$P" lint topologies/portmap.yaml
code 0 "lint portmap (a name)" "$P" lint portmap
code 1 "lint a topology with an error" "$P" lint "$broken"
code 1 "lint proxy --strict (a warning)" "$P" lint proxy --strict
code 2 "lint a missing file" "$P" lint "$missing"
code 2 "lint nosuchtopology (no such name)" "$P" lint nosuchtopology
code 2 "lint (no argument)" "$P" lint
code 2 "lint two arguments" "$P" lint portmap proxy
code 0 "graph topologies/portmap.yaml" "$P" graph topologies/portmap.yaml
code 1 "graph a topology with an error" "$P" graph "$broken"
code 2 "graph a missing file" "$P" graph "$missing"
code 2 "graph nosuchtopology" "$P" graph nosuchtopology
code 2 "graph (no argument)" "$P" graph
code 2 "graph portmap --format jpeg (no such format)" "$P" graph portmap --format jpeg
plan=../shared/import/portmap/plan.json
code 0 "import the shared portmap plan" "$P" import "$plan" -o "$tmp/imported.yaml"
code 2 "import a missing file" "$P" import "$missing"
code 2 "import a topology (not a plan)" "$P" import topologies/portmap.yaml
code 2 "import (no argument)" "$P" import

# ---- no lab up ----
code 0 "status (every lab)" "$P" status
code 0 "status --json (every lab)" "$P" status --json
code 2 "status nosuchlab (not up)" "$P" status nosuchlab
code 2 "status Bad_Name (not a lab name)" "$P" status Bad_Name
code 2 "status two labs" "$P" status a b
code 0 "down nosuchlab (not up: nothing to do)" "$P" down nosuchlab
code 2 "down Bad_Name (not a lab name)" "$P" down Bad_Name
code 2 "down (no argument)" "$P" down
code 2 "verify nosuchlab (not up)" "$P" verify nosuchlab
code 2 "verify (no argument)" "$P" verify
code 2 "trace nosuchlab (not up)" "$P" trace nosuchlab 172.16.0.10:9093
code 2 "trace (no target)" "$P" trace nosuchlab
code 2 "trace a target that is no host:port" "$P" trace nosuchlab 172.16.0.10
code 2 "trace --timeout abc" "$P" trace nosuchlab 172.16.0.10:9093 --timeout abc
code 2 "exec nosuchlab (not up)" "$P" exec nosuchlab bastion-node -- true
code 2 "exec without --" "$P" exec nosuchlab bastion-node true
code 2 "exec (no command after --)" "$P" exec nosuchlab bastion-node --
code 2 "logs nosuchlab (not up)" "$P" logs nosuchlab bastion-node
code 2 "logs (no node)" "$P" logs nosuchlab
code 2 "fault nosuchlab (not up)" "$P" fault nosuchlab stop broker-node1
code 2 "fault (no node)" "$P" fault nosuchlab stop
code 2 "fault pause (not stop|start)" "$P" fault nosuchlab pause broker-node1
code 2 "restart nosuchlab (not up)" "$P" restart nosuchlab broker-node1
code 2 "check nosuchlab psc-firewall (not up)" "$P" check nosuchlab psc-firewall
code 2 "check nosuchlab nosuchexercise (listed)" "$P" check nosuchlab nosuchexercise
code 2 "check (no exercise)" "$P" check nosuchlab
code 2 "check --start --reset together" "$P" check nosuchlab psc-firewall --start --reset
code 2 "restart (no node)" "$P" restart nosuchlab
code 2 "reconfigure nosuchlab (not up)" "$P" reconfigure nosuchlab
code 2 "reconfigure (no argument)" "$P" reconfigure
code 2 "reconfigure two labs" "$P" reconfigure a b
code 2 "up a missing file" "$P" up "$missing" --network-only
code 2 "up nosuchtopology" "$P" up nosuchtopology --network-only
code 2 "up (no argument)" "$P" up
code 1 "up a topology with an error (nothing built)" "$P" up "$broken" --network-only

# ---- one lab up, the network only ----
code 0 "up $LAB --network-only" "$P" up "$tmp/$LAB.yaml" --network-only
code 1 "up $LAB again (already up)" "$P" up "$tmp/$LAB.yaml" --network-only
code 0 "status $LAB" "$P" status "$LAB"
code 0 "status $LAB --json" "$P" status "$LAB" --json
code 0 "status (every lab, $LAB up)" "$P" status
code 0 "exec $LAB bastion-node -- true" "$P" exec "$LAB" bastion-node -- true
code 1 "reconfigure $LAB (not an existing cluster: refused)" "$P" reconfigure "$LAB"
code 1 "up $LAB --existing-cluster --network-only (no brokers to stage)" "$P" up "$tmp/$LAB.yaml" --network-only --existing-cluster
code 0 "exec $LAB psc -- true (the lab's own namespace)" "$P" exec "$LAB" psc -- true
code 3 "exec $LAB bastion-node -- sh -c 'exit 3' (the command's)" "$P" exec "$LAB" bastion-node -- sh -c 'exit 3'
code 127 "exec $LAB bastion-node -- a command that is not there" "$P" exec "$LAB" bastion-node -- no-such-command-xc
code 2 "exec $LAB nosuchnode" "$P" exec "$LAB" nosuchnode -- true
code 2 "exec $LAB Bad/Node" "$P" exec "$LAB" Bad/Node -- true
code 0 "logs $LAB bastion-node (runs no process)" "$P" logs "$LAB" bastion-node
code 2 "logs $LAB nosuchnode" "$P" logs "$LAB" nosuchnode
code 2 "logs $LAB bastion-node --no-such-option" "$P" logs "$LAB" bastion-node --no-such-option
code 2 "fault $LAB stop nosuchnode" "$P" fault "$LAB" stop nosuchnode
code 1 "fault $LAB stop broker-node1 (not running: network only)" "$P" fault "$LAB" stop broker-node1
code 2 "fault $LAB stop bastion-node (runs no broker: not a target)" "$P" fault "$LAB" stop bastion-node
code 2 "fault $LAB firewall-disable nosuchrule" "$P" fault "$LAB" firewall-disable nosuchrule
code 0 "fault $LAB firewall-disable allow-psc-traffic" "$P" fault "$LAB" firewall-disable allow-psc-traffic
code 1 "fault $LAB firewall-disable allow-psc-traffic again (set already)" "$P" fault "$LAB" firewall-disable allow-psc-traffic
code 1 "fault $LAB accept tidbcloud-prod-000 (no such fault set)" "$P" fault "$LAB" accept tidbcloud-prod-000
code 0 "fault $LAB netem bastion-node loss=10" "$P" fault "$LAB" netem bastion-node loss=10
code 2 "fault $LAB netem bastion-node jitter=3" "$P" fault "$LAB" netem bastion-node jitter=3
code 2 "fault $LAB clear f999 (no such fault)" "$P" fault "$LAB" clear f999
code 0 "fault $LAB netem bastion-node clear" "$P" fault "$LAB" netem bastion-node clear
code 0 "fault $LAB clear all" "$P" fault "$LAB" clear all
code 0 "check $LAB psc-firewall --start" "$P" check "$LAB" psc-firewall --start
code 1 "check $LAB psc-firewall (not mended: no Kafka either)" "$P" check "$LAB" psc-firewall --timeout 500
code 1 "fault $LAB clear f1... an exercise's fault by id (left)" "$P" fault "$LAB" clear "$("$P" status "$LAB" --json | jq -r '.labs[0].faults[0].id')"
code 0 "check $LAB psc-firewall --reset" "$P" check "$LAB" psc-firewall --reset
code 2 "check $LAB seed-bootstrap (a scenario exercise: its lab is sc-seed-bootstrap)" "$P" check "$LAB" seed-bootstrap --timeout 500
code 2 "restart $LAB nosuchnode" "$P" restart "$LAB" nosuchnode
code 1 "restart $LAB bastion-node (runs no broker)" "$P" restart "$LAB" bastion-node
code 0 "restart $LAB dns-kafka-vpc (its DNS stub)" "$P" restart "$LAB" dns-kafka-vpc
code 1 "fault $LAB start dns-kafka-vpc (running already)" "$P" fault "$LAB" start dns-kafka-vpc
code 2 "trace $LAB --from nosuchnode" "$P" trace "$LAB" 172.16.0.10:9093 --from nosuchnode
code 1 "trace $LAB an unmapped port (stops at the load balancer)" "$P" trace "$LAB" 172.16.0.10:9092 --timeout 500
code 1 "trace $LAB nothing listens (network only)" "$P" trace "$LAB" b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093 --timeout 500
code 1 "verify $LAB (no Kafka: checks fail)" "$P" verify "$LAB" --timeout 1000
code 2 "verify $LAB --timeout abc" "$P" verify "$LAB" --timeout abc
code 0 "down $LAB" "$P" down "$LAB"
code 2 "status $LAB after down (not up)" "$P" status "$LAB"
code 2 "exec $LAB after down (not up)" "$P" exec "$LAB" bastion-node -- true

echo "1..$n"
exit $fail
