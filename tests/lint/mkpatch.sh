#!/usr/bin/env bash
# tests/lint/mkpatch.sh - make a lint fixture tests/lint/<name>.patch from an
# edited copy of a shipped topology.
#
#   tests/lint/mkpatch.sh [-b BASE] [-m WHAT] EDITED.yaml [NAME]
#
# NAME defaults to EDITED's file name without .yaml; BASE (a file under
# topologies/) defaults to the base of an existing tests/lint/NAME.patch,
# else to the shipped topology EDITED differs least from; WHAT (one line:
# what the fixture breaks) defaults to the existing patch's, else to
# EDITED's first line when that is a '#' comment.  The patch is `diff -u`
# of BASE against EDITED, after two comment lines that patch(1) skips:
#
#   # NAME: WHAT
#   # base: BASE
#   --- BASE
#   +++ tests/lint/NAME.yaml
#
# The unit tests build tests/lint/NAME.yaml from it at run time (psc_test.h)
# and report findings at that path, with the patched file's line numbers.
# To change a fixture: tests/lint/build.sh -o DIR NAME, edit DIR/NAME.yaml,
# then tests/lint/mkpatch.sh DIR/NAME.yaml.  A whole fixture becomes a patch
# with tests/lint/mkpatch.sh tests/lint/NAME.yaml (the .yaml is removed).  The
# patch is checked: applied to BASE with patch(1) it must give EDITED back,
# byte for byte; nothing is written otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
	echo "usage: tests/lint/mkpatch.sh [-b BASE] [-m WHAT] EDITED.yaml [NAME]" >&2
	exit 2
}
base="" what=""
while getopts "b:m:h" o; do
	case $o in
	b) base=$OPTARG ;;
	m) what=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
edited=$1
name=${2:-$(basename "$edited" .yaml)}
out=tests/lint/$name.patch
[ -f "$edited" ] || { echo "mkpatch: no file $edited" >&2; exit 2; }
case $name in
*[!a-z0-9-]* | "") echo "mkpatch: fixture names are [a-z0-9-]: '$name'" >&2; exit 2 ;;
esac
# a whole fixture made into a patch: the patch replaces it
convert=false
if [ -e "tests/lint/$name.yaml" ]; then
	if [ "$(realpath "$edited")" = "$(realpath "tests/lint/$name.yaml")" ]; then
		convert=true
	else
		echo "mkpatch: tests/lint/$name.yaml exists: a fixture is a whole" \
			"file or a patch, not both (remove it first)" >&2
		exit 2
	fi
fi

# the comment lines of an existing patch (before its '--- ' header)
old_field() {   # field
	[ -f "$out" ] || return 0
	sed -n '/^--- /q; p' "$out" | sed -n "$1"
}
[ -n "$base" ] || base=$(old_field 's/^# base: //p')
if [ -z "$base" ]; then
	best=""
	for b in topologies/*.yaml; do
		n=$(diff -u "$b" "$edited" | wc -l || true)
		if [ -z "$best" ] || [ "$n" -lt "$best" ]; then
			best=$n base=$b
		fi
	done
	echo "mkpatch: base $base (the shipped topology $edited differs least from)" >&2
fi
[ -f "$base" ] || { echo "mkpatch: no base $base" >&2; exit 2; }
case $base in
topologies/*.yaml) ;;
*) echo "mkpatch: the base is a shipped topology, topologies/<name>.yaml: '$base'" >&2; exit 2 ;;
esac
[ -n "$what" ] || what=$(old_field "1s/^# $name: //p")
[ -n "$what" ] || what=$(sed -n '1s/^# *//p' "$edited")
[ -n "$what" ] || { echo "mkpatch: say what the fixture breaks: -m WHAT" >&2; exit 2; }
case $what in
*$'\n'*) echo "mkpatch: WHAT is one line" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	printf '# %s: %s\n' "$name" "$what"
	printf '# base: %s\n' "$base"
	rc=0
	diff -u --label "$base" --label "tests/lint/$name.yaml" "$base" "$edited" || rc=$?
	[ "$rc" -eq 1 ] || { echo "mkpatch: $edited is the same as $base (or diff failed)" >&2; exit 2; }
} >"$tmp/new.patch"
body=$(($(wc -l <"$tmp/new.patch") - 2)) lines=$(wc -l <"$edited")
if [ "$body" -ge "$lines" ]; then
	echo "mkpatch: a diff of $body lines for a file of $lines: no copy of" \
		"$base; keep it a whole tests/lint/$name.yaml" >&2
	exit 2
fi
if ! patch -s -f -F0 -r - --no-backup-if-mismatch -o "$tmp/check.yaml" \
	"$base" "$tmp/new.patch" </dev/null >"$tmp/log" 2>&1 ||
	! cmp -s "$tmp/check.yaml" "$edited"; then
	cat "$tmp/log" >&2
	echo "mkpatch: the patch does not give $edited back; nothing written" >&2
	exit 1
fi
cp "$tmp/new.patch" "$out"
if $convert; then
	rm "tests/lint/$name.yaml"
	echo "mkpatch: tests/lint/$name.yaml replaced by $out" >&2
fi
echo "$out: $(grep -c '^@@' "$out") hunk(s) against $base"
