#!/bin/sh
# tests/bench/run.sh - `make bench`: every benchmark in turn, its table on
# stdout and in $BUILD/bench.txt, its figures (every run, the machine, the
# load before and after) merged into $BUILD/bench.json by each bench
# (bench_network: "network", "scale"; bench_kafka: "kafka" for portmap,
# "kafka_proxy" for proxy, "kafka_brokers_12" for the CLI's up of 12;
# jvm_flags.sh: "jvm_flags", the brokers' JVM flags and KRaft settings
# alternated on three brokers, BENCH_JVM_RUNS rounds).  A MISS or a failure does
# not stop the others; the exit status is 1 when any bench failed or
# missed a goal.  Root.
#   tests/bench/run.sh BUILD PSCLAB
set -u
build=${1:-build}
cli=${2:-bin/pscLab}
txt=$build/bench.txt
json=$build/bench.json
rm -f "$txt" "$json"
status=0
run() {
	echo "\$ $*" >>"$txt"
	rcfile=$(mktemp)
	{ "$@"; echo $? >"$rcfile"; } | tee -a "$txt"
	rc=$(cat "$rcfile")
	rm -f "$rcfile"
	[ "$rc" = 0 ] || status=1
}
run "$build/bench/bench_network" --json "$json" --cli "$cli" topologies/portmap.yaml
run "$build/bench/bench_network" --json "$json" --scale "$cli"
run "$build/bench/bench_kafka" --json "$json" topologies/portmap.yaml
run "$build/bench/bench_kafka" --json "$json" topologies/proxy.yaml
run "$build/bench/bench_kafka" --json "$json" --cli "$cli" --brokers 12
run tests/bench/jvm_flags.sh --json "$json" --cli "$cli" topologies/portmap.yaml
echo "bench: the table is in $txt, the figures in $json"
exit $status
