#!/usr/bin/env bash
# tests/sanitize/run.sh - what the compiler and valgrind can find that a
# passing test does not show, bounded for CI (run by `make test`):
#   - the loader's and the DNS stub's libFuzzer targets (make fuzz),
#     FUZZ_SECONDS each (20 unless set): no crash, no leak, no hang;
#   - the unit tests built with AddressSanitizer + UBSan (make asan);
#   - two integration tests built the same way (build/asan/itests), as
#     root: test_lab (network-only labs up, changed, down) and
#     test_dns_serve (the DNS stub serving);
#   - valgrind (memcheck, every leak an error) on the CLI paths a user
#     runs most: lint, graph, status and verify of a network-only lab
#     'itvalgrind' (a copy of portmap; verify fails there, no Kafka: the
#     exit code is not what is checked, the memory is).
# TAP.  Root for the last two; ~4 min here.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
n=0 fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
log=$(mktemp -d /tmp/psclab-sanitize.XXXXXX)
LAB=itvalgrind
cleanup() { bin/pscLab down "$LAB" >/dev/null 2>&1; rm -rf "$log"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
tail_of() { sed 's/^/#   /' "$1" | tail -"${2:-15}"; }

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
timeout 900 make --no-print-directory fuzz FUZZ_SECONDS="$FUZZ_SECONDS" >"$log/fuzz" 2>&1
rc=$?
t "make fuzz FUZZ_SECONDS=$FUZZ_SECONDS: the loader and the DNS stub, no crash ($(grep -c '^Done' "$log/fuzz") targets done)" \
	'[ $rc -eq 0 ] && [ "$(grep -c "^Done" "$log/fuzz")" -eq 2 ]' || tail_of "$log/fuzz"

timeout 1200 make --no-print-directory asan >"$log/asan" 2>&1
rc=$?
t "make asan: the unit tests under AddressSanitizer + UBSan ($(grep '^tests:' "$log/asan" | tail -1))" \
	'[ $rc -eq 0 ] && grep -q "^tests: [0-9]* passed, 0 failed" "$log/asan"' || tail_of "$log/asan"

if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: the integration tests and valgrind need a lab"
	echo "ok $((n + 1)) # SKIP the ASan integration tests and valgrind"
	echo "1..$((n + 1))"
	exit $fail
fi
SAN="-fsanitize=address,undefined"
for it in test_lab test_dns_serve; do
	timeout 900 make --no-print-directory BUILD=build/asan \
		CFLAGS="-O1 -g $SAN -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="$SAN" "build/asan/itests/$it" >"$log/build-$it" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		t "$it built with ASan + UBSan" 'false'
		tail_of "$log/build-$it"
		continue
	fi
	PSCLAB_BIN=$PWD/bin/pscLab CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 \
		timeout 600 "build/asan/itests/$it" >"$log/$it" 2>&1
	rc=$?
	t "$it under ASan + UBSan: passes, no report" \
		'[ $rc -eq 0 ] && ! grep -q "ERROR: AddressSanitizer\|runtime error:" "$log/$it"' || tail_of "$log/$it"
done

vg() {   # vg NAME ARGS...: pscLab under memcheck, every leak an error
	local name=$1
	shift
	timeout 300 valgrind --quiet --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --trace-children=no \
		--suppressions=tests/sanitize/libs.supp \
		bin/pscLab "$@" >"$log/vg-$name" 2>&1
	[ $? -ne 99 ] && ! grep -q "^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|definitely lost\)" "$log/vg-$name"
}
sed "s/^name: portmap\$/name: $LAB/" topologies/portmap.yaml >"$log/$LAB.yaml"
bin/pscLab down "$LAB" >/dev/null 2>&1
t "valgrind: lint portmap" 'vg lint lint portmap' || tail_of "$log/vg-lint"
t "valgrind: graph portmap --format svg" 'vg graph graph portmap --format svg -o /dev/null' || tail_of "$log/vg-graph"
if bin/pscLab up "$log/$LAB.yaml" --network-only >"$log/up" 2>&1; then
	t "valgrind: status $LAB --json" "vg status status $LAB --json" || tail_of "$log/vg-status"
	t "valgrind: verify $LAB (no Kafka: it fails; the memory is checked)" \
		"vg verify verify $LAB --timeout 1000" || tail_of "$log/vg-verify"
	t "valgrind: trace $LAB" "vg trace trace $LAB 172.16.0.10:9093 --no-kafka --timeout 500" || tail_of "$log/vg-trace"
else
	t "up $LAB --network-only (for valgrind)" 'false'
	tail_of "$log/up"
fi
echo "1..$n"
exit $fail
