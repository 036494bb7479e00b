#!/bin/bash
# tests/bench/jvm_flags.sh - the brokers' JVM flags and KRaft settings
# measured on three brokers started together, through the real CLI (issue
# 13).  For each variant: a copy of the topology named jvmflags (kafka.config
# entries added for the Kafka-side variants), `pscLab up FILE` with
# PSCLAB_KAFKA_JVM_OPTS set for the JVM-side ones (PSCLAB_KAFKA_HEAP unset:
# the default heap, for all), the
# time to up's "[ N ms] kafka: 3 brokers serving" line, the CPU-s
# (utime+stime of /proc/<pid>/stat) of each broker JVM the moment that line
# reaches this script (the pids checked against `pscLab status --json`),
# that the JVMs run with the variant's flags and the brokers'
# server.properties hold its entries, the first KRaft leader's epoch and
# where the time went (milestones of the brokers' server.log, from the
# first broker JVM's exec), up's exit (it ends with verify: green or not),
# then `pscLab down jvmflags`.  The variants alternate (round-robin, the
# first one rotated), so a noisy machine spreads over all of them alike;
# BENCH_JVM_RUNS rounds (3).  The table: medians and min..max, and in how
# many rounds a variant reached serving before the defaults of the same
# round.  No goal: a measurement; exit 1 when a run failed (up, verify,
# down, the flags not applied, or the pids do not match).
# Root, from the repository (it reads include/runtime/kafka.h); lab name
# jvmflags only.
#   tests/bench/jvm_flags.sh [--json FILE] [--cli PSCLAB] [TOPOLOGY]
#   BENCH_JVM_RUNS=3 BENCH_JVM_VARIANTS=defaults,serialgc (a subset)
set -u
lab=jvmflags
run=${PSCLAB_RUN_DIR:-/run/psclab}   # the CLI's state root
cli=bin/pscLab
json=
topo=topologies/portmap.yaml
rounds=${BENCH_JVM_RUNS:-3}
only=${BENCH_JVM_VARIANTS:-}
up_limit=600       # s, one up (3 JVMs and verify)
down_limit=300     # s, one down

while [ $# -gt 0 ]; do
	case $1 in
	--json) json=$2; shift 2 ;;
	--cli) cli=$2; shift 2 ;;
	-*) echo "usage: $0 [--json FILE] [--cli PSCLAB] [TOPOLOGY]" >&2
	    exit 2 ;;
	*) topo=$1; shift ;;
	esac
done
case $rounds in ''|*[!0-9]*|0) echo "BENCH_JVM_RUNS: a count >= 1" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }
[ -x "$cli" ] && [ -r "$topo" ] || { echo "$0: $cli or $topo missing" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: needs python3" >&2; exit 2; }

# the defaults, from the header the CLI was built with
defs=$(printf '#include "runtime/kafka.h"\nPSC_KAFKA_JVM_OPTS_DEFAULT\nPSC_KAFKA_HEAP_DEFAULT\n' |
       cc -E -P -Iinclude -x c - 2>/dev/null | tail -n 2 |
       python3 -c 'import sys, ast
for l in sys.stdin: print("".join(ast.literal_eval("[" + l.strip().replace("\" \"", "\",\"") + "]")))')
jvm_def=$(printf '%s\n' "$defs" | sed -n 1p)
heap_def=$(printf '%s\n' "$defs" | sed -n 2p)
case $jvm_def in -server*) ;; *) echo "$0: cannot read PSC_KAFKA_JVM_OPTS_DEFAULT" >&2; exit 2 ;; esac
serial=$(printf '%s\n' "$jvm_def" |
	 sed 's/-XX:+UseG1GC/-XX:+UseSerialGC/; s/ -XX:MaxGCPauseMillis=[0-9]*//;
	      s/ -XX:InitiatingHeapOccupancyPercent=[0-9]*//;
	      s/ -XX:+ExplicitGCInvokesConcurrent//')

# name|PSCLAB_KAFKA_JVM_OPTS ("" : the default)|kafka.config (k=v;k=v)|what
variants=(
"defaults|||PSC_KAFKA_JVM_OPTS_DEFAULT, the lab's server.properties"
"apc1|$jvm_def -XX:ActiveProcessorCount=1||+ -XX:ActiveProcessorCount=1"
"threads1|$jvm_def -XX:CICompilerCount=1 -XX:ParallelGCThreads=1 -XX:ConcGCThreads=1||+ 1 JIT, 1 parallel GC, 1 concurrent GC thread"
"serialgc|$serial||-XX:+UseSerialGC instead of G1 (and its G1 options)"
"xshareoff|$jvm_def -Xshare:off||+ -Xshare:off (no CDS: neither the JDK's nor Kafka's archive)"
"hb500||broker.heartbeat.interval.ms=500|kafka.config broker.heartbeat.interval.ms=500"
"elect500||controller.quorum.election.timeout.ms=500;controller.quorum.election.backoff.max.ms=500|kafka.config election timeout and backoff 500 ms"
"apc1+e500|$jvm_def -XX:ActiveProcessorCount=1|controller.quorum.election.timeout.ms=500;controller.quorum.election.backoff.max.ms=500|apc1 and elect500 together"
)
if [ -n "$only" ]; then
	sel=()
	for v in "${variants[@]}"; do
		case ",$only," in *",${v%%|*},"*) sel+=("$v") ;; esac
	done
	[ ${#sel[@]} -gt 0 ] || { echo "BENCH_JVM_VARIANTS: none of $only" >&2; exit 2; }
	variants=("${sel[@]}")
fi

work=$(mktemp -d /tmp/psclab-jvmflags.XXXXXX) || exit 2
runs=$work/runs.jsonl
: >"$runs"
status=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# the topology copy of a variant: named jvmflags, cfg's entries in kafka.config
topo_copy() {   # cfg out
	python3 - "$topo" "$1" "$2" "$lab" <<'EOF'
import re, sys
src, cfg, out, lab = sys.argv[1:5]
lines = open(src).read().split("\n")
res, done = [], False
for l in lines:
    if re.match(r"^name:\s", l):
        l = "name: " + lab
    res.append(l)
    if l.startswith("kafka:") and cfg and not done:
        res.append("  config:")
        for kv in cfg.split(";"):
            k, v = kv.split("=", 1)
            res.append("    %s: %s" % (k, v))
        done = True
if cfg and not done:
    sys.exit("no kafka: section in " + src)
open(out, "w").write("\n".join(res))
EOF
}

# "pid cpu_s" of each JVM whose command line names the lab's state directory
jvm_cpu() {
	python3 - "$run/$lab/" <<'EOF'
import os, sys
tck = os.sysconf("SC_CLK_TCK")
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        if not cmd[0].endswith(b"/java") or sys.argv[1].encode() not in b" ".join(cmd):
            continue
        f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
        print(p, (int(f[11]) + int(f[12])) / tck)
    except (OSError, IndexError, ValueError):
        pass
EOF
}

# the variant is what runs: every broker JVM's command line holds its
# options, every broker's server.properties its kafka.config entries
applied() {   # jvm cfg
	local n=0 p f kv
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "^[^ ]*/java .*$run/$lab/" || continue
		n=$((n + 1))
		[ -z "$1" ] || tr '\0' ' ' <"$p/cmdline" | grep -qF -- "$1" ||
			{ echo "applied: pid ${p#/proc/} runs without '$1'"; return 1; }
	done
	[ "$n" -ge 1 ] || { echo "applied: no broker JVM"; return 1; }
	[ -n "$2" ] || return 0
	for f in "$run"/"$lab"/nodes/*/config/server.properties; do
		for kv in ${2//;/ }; do
			grep -qxF -- "$kv" "$f" || { echo "applied: $f has no $kv"; return 1; }
		done
	done
}

# the KRaft epoch of the first leader, from the brokers' logs: 1 is one
# election; more, rounds lost to split votes or timeouts
leader_epoch() {
	cat "$run"/"$lab"/nodes/*/logs/server.log 2>/dev/null |
		sed -n 's/.*Completed transition to Leader(localId=[0-9]*, epoch=\([0-9]*\).*/\1/p' |
		sort -n | head -n 1 | grep . || echo -1
}

# Where the time to serving went, from the brokers' server.log: ms since
# the first broker JVM's exec (its start time in /proc/<pid>/stat; up stamps
# the storage in a few ms before, so about the Kafka step's start) at which
# the last broker reached each milestone (the first, for "leader"), as JSON.
phases() {   # "pid cpu pid cpu ..."
	python3 - "$1" "$run"/"$lab"/nodes/*/logs/server.log <<'EOF'
import json, os, re, sys, time
pids, logs = sys.argv[1].split()[0::2], sys.argv[2:]
tck = os.sysconf("SC_CLK_TCK")
up = float(open("/proc/uptime").read().split()[0])
now = time.time() * 1e3
starts = []
for p in pids:
    try:
        f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
        starts.append(now - (up - int(f[19]) / tck) * 1e3)
    except (OSError, IndexError, ValueError):
        pass
t0 = min(starts) if starts else None
marks = [("log", None), ("raft", "from null"),
         ("leader", "Completed transition to Leader("),
         ("hw", "High watermark set to"),
         ("registered", "Successfully registered broker"),
         ("caught_up", "The broker has caught up"),
         ("unfenced", "The broker has been unfenced"),
         ("started", "Kafka Server started")]
ts = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\]")
per = {k: [] for k, _ in marks}
for f in logs:
    seen = {}
    try:
        for l in open(f, errors="replace"):
            m = ts.match(l)
            if not m:
                continue
            t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) * 1e3 + int(m.group(2))
            for k, pat in marks:
                if k not in seen and (pat is None or pat in l):
                    seen[k] = t
    except OSError:
        continue
    for k, t in seen.items():
        per[k].append(t)
out = {}
for k, _ in marks:
    if t0 is not None and per[k] and (k == "leader" or len(per[k]) == len(logs)):
        out[k] = round((min(per[k]) if k == "leader" else max(per[k])) - t0)
if t0 is not None:
    out["read"] = round(now - t0)   # when the CPU-s were read
print(json.dumps(out))
EOF
}

# the pids of the lab's kafka-* processes, from the CLI
status_pids() {
	"$cli" status "$lab" --json 2>/dev/null | python3 -c '
import json, sys
for l in json.load(sys.stdin)["labs"]:
    for p in l["processes"]:
        if p["name"].startswith("kafka-"):
            print(p["pid"])' | sort -n
}

lab_down() {   # log
	timeout -k 10 "$down_limit" "$cli" down "$lab" >>"$1" 2>&1
}

one_run() {   # round variant
	local round=$1 v=$2 name jvm cfg what file log t0 serving=-1 cpu=
	local line rc verify= bad=0 epoch=-1 phases='{}'
	IFS='|' read -r name jvm cfg what <<<"$v"
	file=$work/$name.yaml
	log=$work/$name.$round.log
	if ! topo_copy "$cfg" "$file" >"$log" 2>&1 ||
	   ! "$cli" lint "$file" >>"$log" 2>&1; then
		echo "# $name round $round: the topology copy does not lint:" >&2
		sed 's/^/#   /' "$log" >&2
		status=1
		return
	fi
	# a lab of ours left by an earlier failure
	"$cli" status "$lab" >/dev/null 2>&1 && lab_down "$log"
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	local sb=
	command -v stdbuf >/dev/null && sb="stdbuf -oL -eL"
	t0=$(date +%s%N)
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$log"
		case $line in
		*"kafka: "*" brokers serving"*)
			cpu=$(jvm_cpu | sort -n | tr '\n' ' ')
			applied "$jvm" "$cfg" >>"$log" 2>&1 || bad=1
			epoch=$(leader_epoch)
			phases=$(phases "$cpu")
			serving=$(printf '%s\n' "$line" |
				  sed -n 's/^\[ *\([0-9]*\) ms\].*/\1/p')
			[ -n "$serving" ] || serving=-1 ;;
		"verify $lab: "*) verify=${line#"verify $lab: "} ;;
		esac
	done < <(env -u PSCLAB_KAFKA_JVM_OPTS -u PSCLAB_KAFKA_HEAP \
		 ${jvm:+"PSCLAB_KAFKA_JVM_OPTS=$jvm"} \
		 timeout -k 10 "$up_limit" $sb "$cli" up "$file" 2>&1;
		 echo "up-exit $?")
	rc=$(sed -n 's/^up-exit //p' "$log" | tail -n 1)
	local up_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	local want got ok=true
	want=$(status_pids | tr '\n' ' ')
	got=$(printf '%s\n' "$cpu" | tr ' ' '\n' | awk 'NR % 2 == 1 && $1 != ""' | tr '\n' ' ')
	[ "$rc" = 0 ] || ok=false
	if [ "$bad" != 0 ]; then
		echo "# $name round $round: the variant's flags or config are not what the JVMs run with (see $log)" >&2
		ok=false
	fi
	[ "$serving" -ge 0 ] 2>/dev/null || ok=false
	if [ "$want" != "$got" ] || [ -z "$want" ]; then
		echo "# $name round $round: JVMs at serving [$got] are not the lab's kafka-* pids [$want]" >&2
		ok=false
	fi
	lab_down "$log" || { echo "# $name round $round: down failed (see $log)" >&2; ok=false; }
	$ok || status=1
	python3 - "$runs" "$round" "$name" "$serving" "$up_ms" "${rc:-}" "$verify" "$load" "$ok" "$cpu" "$epoch" "$phases" <<'EOF'
import json, sys
out, rnd, name, serving, up_ms, rc, verify, load, ok, cpu, epoch, ph = sys.argv[1:13]
c = cpu.split()
cpus = [float(c[i + 1]) for i in range(0, len(c) - 1, 2)]
pids = [int(c[i]) for i in range(0, len(c) - 1, 2)]
with open(out, "a") as f:
    f.write(json.dumps({"round": int(rnd), "variant": name,
        "serving_ms": int(serving), "up_exit_ms": int(up_ms),
        "up_exit": int(rc) if rc.lstrip("-").isdigit() else None,
        "verify": verify, "load1": float(load), "ok": ok == "true",
        "jvm_pids": pids, "jvm_cpu_s": cpus,
        "leader_epoch": int(epoch), "phases_ms": json.loads(ph or "{}")}) + "\n")
EOF
	printf '# round %d %-10s serving %6s ms  JVM CPU-s %s  leader epoch %s  load %s up exit %s%s\n' \
	       "$round" "$name" "$serving" "$(printf '%s\n' "$cpu" |
	       awk '{for (i = 2; i <= NF; i += 2) printf "%s%.1f", (i > 2 ? "+" : ""), $i}')" \
	       "$epoch" "$load" "${rc:-?}" "${verify:+, verify $verify}" >&2
}

echo "# jvm_flags: ${#variants[@]} variants x $rounds rounds, lab $lab, $topo, load $load_before" >&2
for r in $(seq 1 "$rounds"); do
	# round-robin, the start rotated each round (no variant always first)
	n=${#variants[@]}
	for i in $(seq 0 $((n - 1))); do
		one_run "$r" "${variants[$(( (i + r - 1) % n ))]}"
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

descr=$work/variants.jsonl
: >"$descr"
for v in "${variants[@]}"; do
	IFS='|' read -r name jvm cfg what <<<"$v"
	python3 -c 'import json, sys; print(json.dumps(dict(zip(["name", "jvm_opts", "kafka_config", "what"], sys.argv[1:]))))' \
		"$name" "${jvm:-$jvm_def}" "$cfg" "$what" >>"$descr"
done

python3 - "$runs" "$descr" "${json:-}" "$load_before" "$load_after" "$heap_def" "$rounds" <<'EOF' || status=1
import json, os, platform, statistics, sys
runs_f, descr_f, out, lb, la, heap, rounds = sys.argv[1:8]
runs = [json.loads(l) for l in open(runs_f) if l.strip()]
variants = [json.loads(l) for l in open(descr_f) if l.strip()]
cores = os.cpu_count()
def med(xs):
    return statistics.median(xs) if xs else float("nan")
base = {r["round"]: r["serving_ms"] for r in runs
        if r["variant"] == "defaults" and r["ok"]}
print("jvm_flags: three brokers started together by `pscLab up` (%s rounds, "
      "alternated; load %s -> %s, %d cores, heap %s)" % (rounds, lb, la, cores, heap))
print("%-10s %-4s  %-29s %-20s %-9s %-6s %s" % ("variant", "ok", "to serving s: med (min..max)",
      "CPU-s/JVM med (sum)", "of cores", "beat", "what"))
summary = []
for v in variants:
    rs = [r for r in runs if r["variant"] == v["name"]]
    good = [r for r in rs if r["ok"]]
    s = [r["serving_ms"] / 1e3 for r in good]
    per = [c for r in good for c in r["jvm_cpu_s"]]
    sums = [sum(r["jvm_cpu_s"]) for r in good]
    share = [sum(r["jvm_cpu_s"]) / (r["serving_ms"] / 1e3 * cores)
             for r in good if r["serving_ms"] > 0]
    beat = [r for r in good if r["round"] in base and r["serving_ms"] < base[r["round"]]]
    vs = [r for r in good if r["round"] in base]
    col = "%.2f (%.2f..%.2f)" % (med(s), min(s), max(s)) if s else "-"
    cpu = "%.1f (%.1f)" % (med(per), med(sums)) if per else "-"
    bt = "-" if v["name"] == "defaults" else "%d/%d" % (len(beat), len(vs))
    print("%-10s %d/%-2d  %-29s %-20s %-9s %-6s %s" % (v["name"], len(good), len(rs), col, cpu,
          "%.2f" % med(share) if share else "-", bt, v["what"]))
    summary.append(dict(v, runs=rs, ok=len(good), serving_s_median=med(s) if s else None,
                        jvm_cpu_s_median=med(per) if per else None,
                        cpu_of_cores_median=med(share) if share else None,
                        beat_defaults=None if v["name"] == "defaults" else [len(beat), len(vs)]))
print("beat: rounds in which the variant reached serving before that round's defaults;"
      " of cores: the 3 JVMs' CPU-s / (time to serving x %d)" % cores)
print("\nwhere the time to serving went: ms from the first broker JVM's exec until the last broker's"
      " milestone (the first broker's for leader), medians; epoch: the first leader's KRaft epoch, max")
cols = ["log", "raft", "leader", "hw", "registered", "caught_up", "unfenced", "started", "read"]
print("%-10s " % "variant" + " ".join("%10s" % c for c in cols) + " %6s" % "epoch")
for v in variants:
    good = [r for r in runs if r["variant"] == v["name"] and r["ok"]]
    row = []
    for c in cols:
        xs = [r["phases_ms"][c] for r in good if c in r.get("phases_ms", {})]
        row.append("%10s" % ("%d" % med(xs) if xs else "-"))
    ep = [r.get("leader_epoch", -1) for r in good]
    print("%-10s " % v["name"] + " ".join(row) + " %6s" % (max(ep) if ep else "-"))
print("log: the broker's first log line; raft: its KRaft client started; hw: the metadata log's"
      " high watermark known; then the broker's registration, catch-up, unfencing, 'Kafka Server started';"
      " read: when the serving line reached this script and the CPU-s were read (up flushes it late)")
if out:
    try:
        root = json.load(open(out))
        if not isinstance(root, dict):
            root = {}
    except (OSError, ValueError):
        root = {}
    model = "unknown"
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            model = l.split(":", 1)[1].strip()
            break
    root["machine"] = {"nproc": cores, "model_name": model,
                       "kernel": platform.release(), "machine": platform.machine()}
    root["jvm_flags"] = {"rounds": int(rounds), "heap": heap,
                         "load_before": [float(x) for x in lb.split()],
                         "load_after": [float(x) for x in la.split()],
                         "variants": summary}
    json.dump(root, open(out + ".tmp", "w"), indent=2, sort_keys=True)
    os.rename(out + ".tmp", out)
EOF
echo "# logs of every run in $work" >&2
exit $status
