# tests/reliability/lib.sh - what the reliability scripts share; sourced,
# not run (tests/run.sh runs tests/reliability/*.sh but this file, which
# has no "#!" and is skipped by name).  Gives: $P (the binary), $POINTS
# (RELIABILITY_POINTS, default 20: the CI subset; `make test-reliability`
# sets 100), $SEED (RELIABILITY_SEED, default from the clock), $MAX_S
# (RELIABILITY_MAX_SECONDS: the time bound of a script's loops), TAP
# helpers, a lab of our own (a copy of a shipped topology renamed rel-*),
# a trap that takes every lab we made down and stops every process we
# started (by pid), the host snapshot (links, routes, rules, nft ruleset:
# read-only commands) and the list of what a lab left behind.
# Nothing here writes to the host's network namespace.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=${PSCLAB_BIN:-bin/pscLab}
POINTS=${RELIABILITY_POINTS:-20}
SEED=${RELIABILITY_SEED:-$(($(date +%s) % 1000000))}
MAX_S=${RELIABILITY_MAX_SECONDS:-600}
STATE_ROOT=${PSCLAB_RUN_DIR:-/run/psclab}
PY=/usr/bin/python3
NETPROBE=$PWD/tests/reliability/netprobe.py

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP not root (a lab needs network namespaces)"
	exit 0
fi

n=0 fail=0
rel_labs=() rel_pids=()
tmp=$(mktemp -d /tmp/psclab-rel.XXXXXX)

rel_cleanup() {
	local pid lab
	for pid in "${rel_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for lab in "${rel_labs[@]}"; do
		"$P" down "$lab" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap rel_cleanup EXIT
trap 'exit 1' INT TERM HUP

# t NAME EXPR: one TAP test, EXPR eval'ed
t() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		fail=1
		return 1
	fi
}
# tdiag FILE: a file's lines as TAP comments
tdiag() { sed 's/^/#   /' "$1" | head -"${2:-20}"; }

# rel_topology SRC LAB: $tmp/LAB.yaml, SRC (a shipped topology's name)
# renamed LAB; the lab is taken down on exit.  Any further sed
# expressions are applied too.
rel_topology() {
	local src=$1 lab=$2
	shift 2
	case $lab in rel*) ;; *) echo "Bail out! lab '$lab' is not rel-*"; exit 1 ;; esac
	sed -e "s/^name: $src\$/name: $lab/" "$@" "topologies/$src.yaml" \
		>"$tmp/$lab.yaml"
	rel_labs+=("$lab")
	"$P" down "$lab" >/dev/null 2>&1
}

# the host as read-only commands see it
host_snapshot() {
	{
		echo "== ip -o link"; ip -o link
		echo "== ip route"; ip route
		echo "== ip rule"; ip rule
		echo "== nft list ruleset"; nft list ruleset
	} 2>&1
}

# lab_leftovers LAB: one line for everything of LAB still there (nothing
# printed: clean).  Namespaces psclab-LAB-*, their /etc/netns entries and
# /run/netns mounts, the state directory, a veth or any link in the host
# namespace that names the lab (its name or alias), a process whose
# command line names it.
lab_leftovers() {
	local lab=$1 ns="psclab-$1-" l f mp
	while read -r l _; do
		[[ $l == "$ns"* ]] && echo "namespace $l"
	done < <(ip netns list 2>/dev/null)
	for f in /etc/netns/"$ns"*; do
		[ -e "$f" ] && echo "/etc/netns entry $f"
	done
	[ -e "$STATE_ROOT/$lab" ] && echo "state directory $STATE_ROOT/$lab"
	while read -r _ _ _ _ mp _; do
		[[ $mp == /run/netns/"$ns"* ]] && echo "mount $mp"
	done </proc/self/mountinfo
	ip -o link show type veth 2>/dev/null | sed 's/^/host veth: /'
	ip -o -d link 2>/dev/null | grep -F -e "$lab" | sed 's/^/host link naming the lab: /'
	# the glob is expanded before grep runs: grep's own command line
	# (which names the lab) is not among the files
	for f in $(grep -l -a -F -e "$lab" /proc/[0-9]*/cmdline 2>/dev/null); do
		l=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		[ -n "$l" ] && echo "process ${f//[!0-9]/}: $l"
	done
}

# the pid of a lab's process NAME from status --json ("" if none): the
# newest record (an older one of a process started again is "replaced")
lab_pid() {
	"$P" status "$1" --json 2>/dev/null |
		jq -r --arg n "$2" '.labs[0].processes[] | select(.name == $n and (.replaced | not)) | .pid' |
		head -1
}
# "true"/"false": status --json's word on whether NAME runs (its newest
# record)
lab_alive() {
	"$P" status "$1" --json 2>/dev/null |
		jq -r --arg n "$2" '.labs[0].processes[] | select(.name == $n and (.replaced | not)) | .alive' |
		head -1
}

# now in microseconds
now_us() { echo $(($(date +%s%N) / 1000)); }
# sleep US microseconds
sleep_us() { sleep "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))"; }
# a random number in [0, MAX] from bash's generator (seeded by the caller)
rand_upto() { echo $(( ((RANDOM << 15) | RANDOM) % ($1 + 1) )); }

# rel_done: the plan line, the exit status
rel_done() {
	echo "1..$n"
	exit $fail
}
