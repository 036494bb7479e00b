#!/bin/sh
# Build psclab-kclient (lab/kclient) to OUT:   lab/kclient/build.sh OUT
# Or run its Go tests as TAP (make check):     lab/kclient/build.sh --test
# A static binary (CGO_ENABLED=0) from the normal Go module cache; on a
# machine without the modules run `go mod download` in lab/kclient first
# (lab/deps/install.sh does).  Needs Go >= 1.26.0: the pinned franz-go,
# Sarama and golang.org/x modules declare `go 1.26.0`.  GO=/path/to/go
# picks the toolchain; otherwise the first new enough of `go` in PATH and
# /usr/local/go/bin/go.  GOTOOLCHAIN=local: never download a toolchain.
set -u
NEED_MINOR=26
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUT" >&2
	exit 2
fi
out=$1
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac
dir=$(cd "$(dirname "$0")" && pwd) || {
	echo "build.sh: cannot find lab/kclient" >&2
	exit 1
}
export GOTOOLCHAIN=local CGO_ENABLED=0

go_minor() { # prints the minor version of Go 1.x at $1, or nothing
	(cd / && "$1" version 2>/dev/null) | sed -n 's/.* go1\.\([0-9][0-9]*\).*/\1/p'
}

GO_BIN=""
seen=""
for c in ${GO:-} "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
	[ -n "$c" ] && [ -x "$c" ] || continue
	m=$(go_minor "$c")
	seen="$seen $c(go1.${m:-?})"
	if [ -n "$m" ] && [ "$m" -ge "$NEED_MINOR" ]; then
		GO_BIN=$c
		break
	fi
done
if [ -z "$GO_BIN" ] && [ "$out" = "$(pwd)/--test" ]; then
	echo "1..0 # SKIP no Go 1.$NEED_MINOR or later (make deps installs it):${seen:- none found}"
	exit 0
fi
if [ -z "$GO_BIN" ]; then
	echo "build.sh: no Go 1.$NEED_MINOR or later for psclab-kclient (looked at \$GO, PATH, /usr/local/go/bin/go:${seen:- none found})" >&2
	echo "build.sh: set GO=/path/to/go (Go >= 1.$NEED_MINOR.0)" >&2
	exit 1
fi
if [ "$out" = "$(pwd)/--test" ]; then
	# go test -v's "--- PASS/FAIL/SKIP: Name (..)" lines as TAP; a
	# failure to build the tests is a "not ok" of its own
	cd "$dir" || exit 1
	if ! GOPROXY=off GOFLAGS=-mod=readonly "$GO_BIN" list -deps -test . >/dev/null 2>&1; then
		echo "1..0 # SKIP psclab-kclient's Go modules are not in the module cache (make deps downloads them)"
		exit 0
	fi
	log=$(mktemp)
	"$GO_BIN" test -count=1 -v ./... >"$log" 2>&1
	rc=$?
	sed -n 's/^--- PASS: \([^ ]*\).*/ok - \1/p
s/^--- FAIL: \([^ ]*\).*/not ok - \1/p
s/^--- SKIP: \([^ ]*\).*/ok - \1 # SKIP/p' "$log"
	if [ "$rc" -ne 0 ] && ! grep -q '^--- FAIL' "$log"; then
		echo "not ok - go test in $dir exited $rc:"
		sed 's/^/# /' "$log"
	fi
	grep -q '^--- FAIL' "$log" && sed 's/^/# /' "$log"
	rm -f "$log"
	exit "$rc"
fi
mkdir -p "$(dirname "$out")" || {
	echo "build.sh: cannot create $(dirname "$out")" >&2
	exit 1
}
cd "$dir" || exit 1
if ! "$GO_BIN" build -trimpath -buildvcs=false -o "$out" .; then
	echo "build.sh: 'go build' of psclab-kclient in $dir failed ($("$GO_BIN" version 2>&1)); if modules are missing: (cd $dir && go mod download)" >&2
	exit 1
fi
