#!/usr/bin/env bash
# tests/run.sh MODE BIN... - run pscLab's test suites and end with one line
# "tests: N passed, M failed, K skipped".  MODE "unit" runs the cmocka
# binaries given (after the tree check, the import CLI's TAP test,
# tests/import/cli.sh, and the sample CI workflow's check, tests/ci/workflow.sh,
# both of which need bin/pscLab, and psclab-kclient's Go tests,
# lab/kclient/build.sh --test); "all" runs them, then the dependency smoke test
# (tests/deps/run.sh), the integration binaries named in $INTEG_BINS
# (cmocka, as root), every integration script in tests/integration/*.sh,
# README's JSON tables against a network-only lab (tests/ci/schemas.sh)
# and the reliability scripts tests/reliability/*.sh with their CI subset
# (RELIABILITY_POINTS=20 unless set).  MODE "reliability" runs only the
# reliability scripts, in full (`make test-reliability`: 100 points).
# Every suite is bounded in time (a reliability script by
# RELIABILITY_MAX_SECONDS, its suite by that and 120 s more).
#
# A skip is neither a pass nor a failure, and it must say why: the reason
# is the "1..0 # SKIP <why>" of a suite that skips whole, or the comment
# line a test prints just before cmocka's "# SKIP" line.  A skip without a
# reason counts as a failure.  Every skip is listed after the summary of
# suites and written, one "<suite>: <test>: <why>" a line, to
# $PSCLAB_SKIPS_FILE (default build/test-skips.txt), which .ci/run checks
# against README's list of expected skips.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mode=${1:-unit}
shift || true
passed=0 failed=0 skipped=0
skips_file=${PSCLAB_SKIPS_FILE:-build/test-skips.txt}
mkdir -p "$(dirname "$skips_file")"
: >"$skips_file"

# count "ok"/"not ok"/"# SKIP" lines of a TAP stream on stdin, echo it through
count_tap() {
	local line p=0 f=0 s=0 why="" name
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"1..0 # SKIP"*)
			why=${line#"1..0 # SKIP"}
			why=${why# }
			s=$((s + 1))
			if [ -z "$why" ]; then
				f=$((f + 1))
				echo "not ok - suite $suite skipped without a reason"
			fi
			printf '%s: (whole suite): %s\n' "$suite" "${why:-no reason given}" >>"$skips_file"
			;;
		"not ok"*"# SKIP"* | "ok"*"# SKIP"*)
			name=${line#*# SKIP}
			name=${name# }
			s=$((s + 1))
			if [ -z "$why" ]; then
				f=$((f + 1))
				echo "not ok - $suite: $name skipped without a reason"
			fi
			printf '%s: %s: %s\n' "$suite" "$name" "${why:-no reason given}" >>"$skips_file"
			why=""
			;;
		"not ok"*) f=$((f + 1)); why="" ;;
		"ok"*) p=$((p + 1)); why="" ;;
		"# suite "* | "# ok - "* | "# not ok - "*) ;;
		"#"*)
			why=${line#"#"}
			why=${why# }
			why=${why#SKIP}
			why=${why#:}
			why=${why# }
			;;
		esac
	done
	echo "$p $f $s" >"$tally"
}

run_suite() {   # name timeout command...
	local name=$1 limit=$2
	shift 2
	tally=$(mktemp)
	suite=$name
	echo "# suite $name"
	timeout --kill-after=10 "$limit" "$@" 2>&1 | count_tap
	local rc=${PIPESTATUS[0]} p f s
	read -r p f s <"$tally"
	rm -f "$tally"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or timed out without saying which test: one failure
		echo "not ok - suite $name exited with status $rc"
		failed=$((failed + 1))
	fi
}

# tests/reliability/*.sh but lib.sh (sourced by the others)
run_reliability() {
	local t
	export RELIABILITY_POINTS RELIABILITY_MAX_SECONDS
	for t in tests/reliability/*.sh; do
		[ -e "$t" ] && [ "$(basename "$t")" != lib.sh ] || continue
		run_suite "reliability-$(basename "$t" .sh)" \
			$((RELIABILITY_MAX_SECONDS + 120)) "$t"
	done
}

if [ "$mode" != reliability ]; then
	run_suite layers 60 tests/tree/layers.sh
	run_suite import-cli 120 tests/import/cli.sh
	run_suite ci-workflow 120 tests/ci/workflow.sh
	run_suite kclient-go 300 lab/kclient/build.sh --test
	for bin in "$@"; do
		CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$bin")" 300 "$bin"
	done
fi

if [ "$mode" = all ]; then
	run_suite deps 600 tests/deps/run.sh
	for bin in ${INTEG_BINS:-}; do
		CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$bin")" 1200 "$bin"
	done
	for t in tests/integration/*.sh; do
		[ -e "$t" ] || continue
		run_suite "$(basename "$t" .sh)" 1200 "$t"
	done
	run_suite ci-schemas 300 tests/ci/schemas.sh
	run_suite sanitize 2400 tests/sanitize/run.sh
	RELIABILITY_POINTS=${RELIABILITY_POINTS:-20}
	RELIABILITY_MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-300}
	run_reliability
fi
if [ "$mode" = reliability ]; then
	RELIABILITY_POINTS=${RELIABILITY_POINTS:-100}
	RELIABILITY_MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-1200}
	run_reliability
fi

if [ -s "$skips_file" ]; then
	echo "# skipped (neither passed nor failed):"
	sed 's/^/#   /' "$skips_file"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
