#!/usr/bin/env bash
# tests/lint/build.sh - write lint fixtures out as whole files.
#
#   tests/lint/build.sh [-o DIR] [NAME...]
#
# Writes DIR/NAME.yaml (DIR defaults to build/lint-fixtures) for each NAME,
# or for every fixture of tests/lint/: a NAME.patch applied with patch(1)
# to the shipped topology its "# base:" line names (what the unit tests do,
# psc_test.h), a whole NAME.yaml copied.  For reading a fixture, editing it
# (then tests/lint/mkpatch.sh DIR/NAME.yaml), linting it by hand, or a fuzz
# corpus.  Fails, saying which, when a patch does not apply cleanly (a hunk
# that fails, needs fuzz, or lands at an offset: its base has changed).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
dir=build/lint-fixtures
while getopts "o:h" o; do
	case $o in
	o) dir=$OPTARG ;;
	*) echo "usage: tests/lint/build.sh [-o DIR] [NAME...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	set --
	for f in tests/lint/*.patch tests/lint/*.yaml; do
		[ -e "$f" ] && set -- "$@" "$(basename "${f%.*}")"
	done
fi
mkdir -p "$dir" || exit 2
rc=0
for name in "$@"; do
	name=$(basename "$name" .yaml)
	name=${name%.patch}
	p=tests/lint/$name.patch y=tests/lint/$name.yaml
	if [ -f "$p" ] && [ -f "$y" ]; then
		echo "build: both $p and $y: a fixture is one or the other" >&2
		rc=1
	elif [ -f "$y" ]; then
		cp "$y" "$dir/$name.yaml" || rc=1
	elif [ -f "$p" ]; then
		base=$(sed -n '/^--- /q; s/^# base: //p' "$p")
		if [ -z "$base" ] || [ ! -f "$base" ]; then
			echo "build: $p: no '# base: topologies/<x>.yaml' line naming a file" >&2
			rc=1
			continue
		fi
		log=$(patch -f -F0 -r - --no-backup-if-mismatch -o "$dir/$name.yaml" \
			"$base" "$p" </dev/null 2>&1)
		st=$?
		if [ "$st" -ne 0 ] || grep -q '^Hunk #' <<<"$log"; then
			printf '%s\n' "$log" >&2
			echo "build: $p does not apply cleanly to $base" >&2
			rm -f "$dir/$name.yaml"
			rc=1
		fi
	else
		echo "build: no fixture $name (neither $p nor $y)" >&2
		rc=1
	fi
done
exit $rc
