#!/usr/bin/env bash
# tests/run.sh MODE BIN... - run pscLab's test suites and end with one line
# "tests: N passed, M failed".  MODE "unit" runs the cmocka binaries given;
# "all" runs them, then the dependency smoke test (tests/deps/run.sh), the
# integration binaries named in $INTEG_BINS (cmocka, as root) and every
# integration script in tests/integration/*.sh.  Every suite is bounded
# in time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mode=${1:-unit}
shift || true
passed=0 failed=0

# count "ok"/"not ok" lines of a TAP stream on stdin, echo it through
count_tap() {
	local line p=0 f=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok"*"# SKIP"* | "ok"*"# SKIP"*) ;;   # skipped: neither
		"not ok"*) f=$((f + 1)) ;;
		"ok"*) p=$((p + 1)) ;;
		esac
	done
	echo "$p $f" >"$tally"
}

run_suite() {   # name timeout command...
	local name=$1 limit=$2
	shift 2
	tally=$(mktemp)
	echo "# suite $name"
	timeout --kill-after=10 "$limit" "$@" 2>&1 | count_tap
	local rc=${PIPESTATUS[0]} p f
	read -r p f <"$tally"
	rm -f "$tally"
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or timed out without saying which test: one failure
		echo "not ok - suite $name exited with status $rc"
		failed=$((failed + 1))
	fi
}

for bin in "$@"; do
	CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$bin")" 300 "$bin"
done

if [ "$mode" = all ]; then
	run_suite deps 600 tests/deps/run.sh
	for bin in ${INTEG_BINS:-}; do
		CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$bin")" 1200 "$bin"
	done
	for t in tests/integration/*.sh; do
		[ -e "$t" ] || continue
		run_suite "$(basename "$t" .sh)" 1200 "$t"
	done
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
