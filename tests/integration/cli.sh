#!/usr/bin/env bash
# tests/integration/cli.sh - the CLI's help as a user meets it: `pscLab
# --help` names every command with a one-line description, and every
# `pscLab <command> --help` exits 0 with its usage and examples.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=bin/pscLab
n=0 fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
top=$($P --help 2>&1)
verbs=$(sed -n '/^commands:/,/^$/p' <<<"$top" | awk 'NF >= 2 && $1 != "commands:" {print $1}')
t "pscLab --help lists the commands" '[ "$(wc -w <<<"$verbs")" -ge 10 ]'
for v in $verbs; do
	line=$(grep -E "^  $v " <<<"$top")
	t "pscLab --help: '$v' has a one-line description" '[ "$(wc -w <<<"$line")" -ge 4 ]'
	out=$($P "$v" --help 2>&1)
	rc=$?
	t "pscLab $v --help: exit 0, usage and examples" \
		'[ $rc -eq 0 ] && grep -q "^usage: pscLab $v" <<<"$out" && grep -q "^Examples:" <<<"$out" && grep -q "pscLab $v" <<<"$(sed -n "/^Examples:/,\$p" <<<"$out")"'
done
echo "1..$n"
exit $fail
