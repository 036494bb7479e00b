#!/usr/bin/env bash
# tests/ci/workflow.sh [WORKFLOW] - the sample GitHub Actions workflow
# (lab/ci/github-actions.yml) checked as far as it can be without GitHub.
# TAP; pure (no root, no network; needs bin/pscLab and python3 with PyYAML,
# Debian's python3-yaml, which lab/deps/packages.txt names).
#
# What it checks: the file is one YAML document with `on` and `jobs`; the
# job that brings the lab up runs on ubuntu-24.04 or ubuntu-22.04; it
# installs with `sudo make deps` and checks the repository out first; every
# pscLab command of every `run:` names a verb `pscLab --help` lists and only
# options its `pscLab <verb> --help` lists; `up` comes before `verify
# --junit FILE`, which comes before `down`; down, the upload and the publish
# steps run whatever failed before them (`always()`), and down comes last;
# the FILE verify writes is the path actions/upload-artifact uploads and
# the report the publish step reads.  Then each check is shown able to fail:
# copies of the workflow broken in one way each (down without always(), the
# upload of another file, an option pscLab does not have, a verb it does
# not have) must be refused.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
P=bin/pscLab
WF=${1:-lab/ci/github-actions.yml}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

PY=""
for c in python3 /usr/bin/python3; do
	if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import yaml' 2>/dev/null; then
		PY=$c
		break
	fi
done
if [ -z "$PY" ]; then
	echo "not ok 1 - no python3 with PyYAML (looked at python3 and /usr/bin/python3); fix: sudo apt-get install -y python3-yaml (or: sudo make deps)"
	echo "1..1"
	exit 1
fi
if [ ! -x "$P" ]; then
	echo "not ok 1 - $P is not built; fix: make"
	echo "1..1"
	exit 1
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# check_yaml FILE: the structural checks, one "ok<TAB>what" or
# "fail<TAB>what" line each, and one "inv<TAB>step<TAB>verb<TAB>options"
# line per pscLab command (options space-separated).
check_yaml() {
	"$PY" - "$1" <<'PY'
import re, shlex, sys, yaml

path = sys.argv[1]
def out(kind, *f):
    print("\t".join([kind] + [str(x) for x in f]))

try:
    with open(path) as fh:
        docs = list(yaml.safe_load_all(fh))
except (OSError, yaml.YAMLError) as e:
    out("fail", "%s parses as YAML: %s" % (path, str(e).replace("\n", " ")))
    sys.exit(0)
if len(docs) != 1 or not isinstance(docs[0], dict):
    out("fail", "%s is one YAML mapping (found %d documents)" % (path, len(docs)))
    sys.exit(0)
wf = docs[0]
# YAML 1.1 reads the key `on` as the boolean true (PyYAML does; GitHub does not)
if True in wf:
    wf["on"] = wf.pop(True)
ok = lambda c, what: out("ok" if c else "fail", what)
ok(all(k in wf for k in ("name", "on", "jobs")), "the workflow has name, on and jobs")
jobs = wf.get("jobs") or {}

def steps_of(job):
    return [s for s in (job.get("steps") or []) if isinstance(s, dict)]

def psclab_cmds(run):
    """each pscLab command of a run: block as (verb, [options])"""
    text = re.sub(r"\\\n", " ", run)
    cmds = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        try:
            lex = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
            lex.whitespace_split = True
            toks = list(lex)
        except ValueError as e:
            out("fail", "a run: line splits as shell words: %r (%s)" % (line, e))
            continue
        for i, t in enumerate(toks):
            if t.endswith("pscLab") and (t == "pscLab" or t.endswith("/pscLab")):
                verb = toks[i + 1] if i + 1 < len(toks) else ""
                opts = []
                for a in toks[i + 2:]:
                    if a and a[0] in ";&|()":
                        break
                    if a.startswith("-"):
                        opts.append(a.split("=", 1)[0])
                cmds.append((verb, opts, toks[i + 2:]))
    return cmds

lab_jobs = []
for jname, job in jobs.items():
    if not isinstance(job, dict):
        continue
    steps = steps_of(job)
    found = []
    for k, s in enumerate(steps):
        for verb, opts, args in psclab_cmds(str(s.get("run", ""))):
            out("inv", s.get("name", "step %d" % (k + 1)), verb, " ".join(opts))
            found.append((k, verb, args))
    if any(v == "up" for _, v, _ in found):
        lab_jobs.append((jname, job, steps, found))

ok(len(lab_jobs) == 1, "exactly one job runs 'pscLab up' (found %d)" % len(lab_jobs))
if len(lab_jobs) != 1:
    sys.exit(0)
jname, job, steps, found = lab_jobs[0]
ok(job.get("runs-on") in ("ubuntu-24.04", "ubuntu-22.04"),
   "job %s runs on ubuntu-24.04 or ubuntu-22.04 (runs-on: %s)" % (jname, job.get("runs-on")))

def idx(pred):
    return [k for k, s in enumerate(steps) if pred(s)]
uses = lambda s, a: str(s.get("uses", "")).split("@")[0] == a
run = lambda s: re.sub(r"\\\n", " ", str(s.get("run", "")))
co = idx(lambda s: uses(s, "actions/checkout"))
deps = idx(lambda s: re.search(r"\bsudo\b[^\n]*\bmake deps\b", run(s)))
ok(bool(co) and bool(deps) and co[0] < deps[0],
   "the repository is checked out (actions/checkout) before 'sudo ... make deps'")
ok(all(re.search(r"@v\d+", str(s["uses"])) for s in steps if "uses" in s),
   "every action is pinned to a major version (@vN)")

ups = [k for k, v, _ in found if v == "up"]
vers = [(k, a) for k, v, a in found if v == "verify" and "--junit" in a]
downs = [k for k, v, _ in found if v == "down"]
ok(len(vers) == 1, "one step runs 'pscLab verify ... --junit FILE' (found %d)" % len(vers))
ok(len(downs) == 1, "one step runs 'pscLab down' (found %d)" % len(downs))
if len(vers) != 1 or len(downs) != 1:
    sys.exit(0)
vk, vargs = vers[0]
dk = downs[0]
ok(ups[0] < vk < dk, "up (step %d) comes before verify (step %d), verify before down (step %d)"
   % (ups[0] + 1, vk + 1, dk + 1))
ok(dk == len(steps) - 1, "down is the last step (step %d of %d)" % (dk + 1, len(steps)))
always = lambda s: "always()" in str(s.get("if", ""))
ok(always(steps[dk]), "the down step runs always (if: %s)" % steps[dk].get("if"))
ok(always(steps[vk]), "the verify step runs even when up failed (if: %s)" % steps[vk].get("if"))
junit = vargs[vargs.index("--junit") + 1] if vargs.index("--junit") + 1 < len(vargs) else ""
ok(junit not in ("", "-") and not junit.startswith("-"), "verify --junit names a file (%r)" % junit)
up_ = idx(lambda s: uses(s, "actions/upload-artifact"))
ok(len(up_) == 1, "one actions/upload-artifact step (found %d)" % len(up_))
if up_:
    s = steps[up_[0]]
    paths = [p.strip() for p in str((s.get("with") or {}).get("path", "")).splitlines() if p.strip()]
    ok(junit in paths, "the upload step uploads %r, the file verify writes (path: %s)" % (junit, paths))
    ok(vk < up_[0] and always(s), "the upload step comes after verify and runs always (if: %s)" % s.get("if"))
pub = idx(lambda s: "junit" in str(s.get("uses", "")).lower() or "test-reporter" in str(s.get("uses", "")))
ok(len(pub) == 1, "one step publishes the JUnit report (found %d)" % len(pub))
if pub:
    s = steps[pub[0]]
    w = s.get("with") or {}
    rp = [p.strip() for p in str(w.get("report_paths", w.get("path", ""))).replace(",", "\n").splitlines() if p.strip()]
    ok(junit in rp, "the publish step reads %r, the file verify writes (%s)" % (junit, rp))
    ok(vk < pub[0] and always(s), "the publish step comes after verify and runs always (if: %s)" % s.get("if"))
PY
}

# verbs: the first word of each line under "commands:" in pscLab --help
verbs=$($P --help | awk '/^commands:/{on=1;next} on&&/^  [a-z]/{print $1} on&&/^$/{on=0}')
[ -n "$verbs" ] && ok "pscLab --help lists its commands ($(echo $verbs))" || nok "pscLab --help lists no commands"

# run_checks FILE [quiet]: TAP lines for FILE's checks (none when quiet);
# the number of failures in $bad
run_checks() {
	local file=$1 quiet=${2:-} kind step verb opts o miss
	bad=0
	check_yaml "$file" >"$d/res" 2>"$d/pyerr" || echo "fail	the checker ran" >>"$d/res"
	[ -s "$d/pyerr" ] && echo "fail	the checker ran cleanly: $(tr '\n' ' ' <"$d/pyerr")" >>"$d/res"
	grep -q . "$d/res" || echo "fail	the checker said something about $file" >"$d/res"
	while IFS=$'\t' read -r kind step verb opts; do
		case $kind in
		ok) [ -n "$quiet" ] || ok "$step" ;;
		fail) bad=$((bad + 1)); [ -n "$quiet" ] || nok "$step" ;;
		inv)
			if ! grep -qxF -- "$verb" <<<"$verbs"; then
				bad=$((bad + 1))
				[ -n "$quiet" ] || nok "step '$step': 'pscLab $verb' is no pscLab command"
				continue
			fi
			$P "$verb" --help >"$d/help" 2>&1
			miss=""
			for o in $opts; do
				grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$d/help" || miss="$miss $o"
			done
			if [ -n "$miss" ]; then
				bad=$((bad + 1))
				[ -n "$quiet" ] || nok "step '$step': pscLab $verb --help has no$miss"
			else
				[ -n "$quiet" ] || ok "step '$step': pscLab $verb${opts:+ $opts}: the verb and its options exist"
			fi
			;;
		esac
	done <"$d/res"
}

run_checks "$WF"
base=$bad

# each check can fail: one broken copy of the workflow per check
mutant() { # mutant WHAT SED-EXPRESSION
	local what=$1
	sed -E "$2" "$WF" >"$d/mutant.yml"
	if cmp -s "$WF" "$d/mutant.yml"; then
		nok "broken copy ($what): the edit did not apply to $WF"
		return
	fi
	run_checks "$d/mutant.yml" quiet
	if [ "$bad" -gt "$base" ]; then
		ok "a copy with $what is refused ($((bad - base)) more finding(s))"
	else
		nok "a copy with $what passes the checks"
	fi
}
mutant "down not run always" '/^ *- name: down$/,/run:/{/^ *if:.*$/d}'
mutant "the upload of another file" '/uses: actions\/upload-artifact/,/if-no-files-found/s/path: .*/path: other.xml/'
mutant "a verify option pscLab does not have" 's/(pscLab verify .*)--junit/\1--jnuit-out x --junit/'
mutant "a verb pscLab does not have" 's/pscLab status/pscLab state/'
mutant "no sudo make deps" 's/ make deps$/ make all/'

echo "1..$n"
exit "$fail"
