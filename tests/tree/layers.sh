#!/usr/bin/env bash
# tests/tree/layers.sh - the source tree keeps the architecture it shows.
# The layer order is read from README's Layout section (the line that
# starts "Layers, lowest first:"), so README and the tree cannot drift:
#  - every src/<layer>/*.c and include/<layer>/*.h includes only headers of
#    its own layer or of a layer below it ("<layer>/<name>.h");
#  - every directory under src/ and include/ is a layer of that line;
#  - every src/<layer>/<name>.c has its own include/<layer>/<name>.h and
#    includes it first (src/cli/cli.c, the program's main, excepted);
#  - every include/<layer>/<name>.h belongs to a src/<layer>/<name>.c.
# TAP; pure (no root, no network).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

line=$(grep -m1 '^Layers, lowest first:' README.md)
if [ -z "$line" ]; then
	echo "not ok 1 - README.md has a line 'Layers, lowest first: ...' in its Layout section"
	echo "1..1"
	exit 1
fi
read -r -a layers <<<"$(sed 's/^Layers, lowest first://; s/(.*//; s/[`>→,.-]/ /g' <<<"$line")"
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
[ "${#layers[@]}" -ge 5 ] && ok "README names ${#layers[@]} layers: ${layers[*]}" ||
	notok "README's layer line names too few layers: '$line'"

for d in src/*/ include/*/; do
	l=$(basename "$d")
	[ -n "${rank[$l]+x}" ] && ok "$d is a layer" || notok "$d is not a layer of README's line"
done

for f in src/*/*.c include/*/*.h; do
	l=$(basename "$(dirname "$f")")
	[ -n "${rank[$l]+x}" ] || continue
	bad=""
	while read -r inc; do
		case "$inc" in
		*/*) il=${inc%%/*} ;;
		*) bad="$bad $inc(no layer)"; continue ;;
		esac
		if [ -z "${rank[$il]+x}" ]; then
			bad="$bad $inc(unknown layer)"
		elif [ "${rank[$il]}" -gt "${rank[$l]}" ]; then
			bad="$bad $inc(above $l)"
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	[ -z "$bad" ] && ok "$f includes nothing above $l" || notok "$f includes:$bad"
done

for f in src/*/*.c; do
	[ "$f" = src/cli/cli.c ] && continue
	l=$(basename "$(dirname "$f")") m=$(basename "$f" .c)
	first=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | head -1)
	if [ ! -f "include/$l/$m.h" ]; then
		notok "$f has its own header include/$l/$m.h"
	elif [ "$first" != "$l/$m.h" ]; then
		notok "$f includes its own header first (it includes $first first)"
	else
		ok "$f has its own header, included first"
	fi
done
for h in include/*/*.h; do
	l=$(basename "$(dirname "$h")") m=$(basename "$h" .h)
	[ -f "src/$l/$m.c" ] && ok "$h belongs to src/$l/$m.c" ||
		notok "$h has no src/$l/$m.c"
done
echo "1..$n"
exit $fail
