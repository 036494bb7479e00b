/* import_cmd.c - `pscLab import`, and `lint`/`up` of a plan (import_cmd.h).
 * The import runs in memory (import/tfplan.h); lint findings on the
 * generated topology are printed against the Terraform address and
 * attribute of the line they point at, with that line.  Writes only the
 * -o file (atomically) or, for up, one temporary file the caller removes. */
#define _GNU_SOURCE
#include "cli/import_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "model/topology_load.h"
#include "lint/lint.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

const char psc_cli_plan_options_help[] =
	"What the plan does not hold (each printed as an assumption when "
	"its default is used):\n"
	"  --name NAME               the lab's name (default: the plan's "
	"folder, lowered)\n"
	"  --region R                TiDB Cloud's region (default: the "
	"service attachment's)\n"
	"  --tidbcloud-project P     the project TiDB Cloud connects from "
	"(tidbcloud-prod-000)\n"
	"  --unique U                TiDB Cloud's unique string (abc)\n"
	"  --pattern P               the advertised listener pattern "
	"(<broker_id>.<unique>.\n"
	"                            <region>.gcp.3199745.tidbcloud.com:"
	"<port>)\n"
	"  --kafka FILE              a topology fragment with kafka: (and "
	"kafka_proxy:);\n"
	"                            default: the seed's 3-broker KRaft "
	"cluster on the NEG's\n"
	"                            endpoints or the instances named "
	"broker*\n";

static const char *const value_opts[] = {"--name", "--region",
	"--tidbcloud-project", "--unique", "--pattern", "--kafka", "-o",
	NULL};

static const char **opt_slot(psc_cli_plan_args *a, const char *name)
{
	if (!strcmp(name, "--name")) return &a->o.name;
	if (!strcmp(name, "--region")) return &a->o.region;
	if (!strcmp(name, "--tidbcloud-project"))
		return &a->o.tidbcloud_project;
	if (!strcmp(name, "--unique")) return &a->o.unique;
	if (!strcmp(name, "--pattern")) return &a->o.pattern;
	if (!strcmp(name, "--kafka")) return &a->o.kafka_file;
	return &a->out;
}

static bool is_value_opt(const char *s)
{
	for (size_t i = 0; value_opts[i]; i++)
		if (!strcmp(s, value_opts[i]))
			return true;
	return false;
}

/* a flag this verb takes: 1 set, 0 not a flag of it */
static int verb_flag(const char *verb, const char *s, psc_cli_plan_args *a)
{
	if (!strcmp(verb, "lint") && !strcmp(s, "--strict"))
		return a->strict = true;
	if (!strcmp(verb, "lint") && (!strcmp(s, "--quiet") || !strcmp(s, "-q")))
		return a->quiet = true;
	if (!strcmp(verb, "up") && !strcmp(s, "--network-only"))
		return a->network_only = true;
	return 0;
}

int psc_cli_plan_parse(const char *verb, int argc, char **argv,
		       psc_cli_plan_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (verb_flag(verb, s, a))
			continue;
		if (is_value_opt(s) && (strcmp(s, "-o") || !strcmp(verb,
							"import"))) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "pscLab %s: %s wants a value\n",
					verb, s);
				return -1;
			}
			*opt_slot(a, s) = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "pscLab %s: unknown option '%s'\n",
				verb, s);
			return -1;
		} else if (a->plan) {
			fprintf(stderr, "pscLab %s: one plan at a time ('%s' "
				"and '%s')\n", verb, a->plan, s);
			return -1;
		} else {
			a->plan = s;
		}
	}
	if (!a->plan) {
		fprintf(stderr, "pscLab %s: which plan? (the JSON of 'tofu show "
			"-json plan.bin')\n", verb);
		return -1;
	}
	char err[200];
	if (a->o.name && psc_lab_name_check(a->o.name, err, sizeof(err)) < 0) {
		fprintf(stderr, "pscLab %s: --name: %s\n", verb, err);
		return -1;
	}
	return 0;
}

const char *psc_cli_plan_target(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (is_value_opt(s)) {
			i++;
			continue;
		}
		if (s[0] == '-' && s[1])
			continue;
		size_t l = strlen(s);
		bool json = l > 5 && !strcmp(s + l - 5, ".json");
		return json || psc_tf_sniff(s) ? s : NULL;
	}
	return NULL;
}

/* the import's own findings and assumptions, on stderr */
static int do_import(const psc_cli_plan_args *a, psc_import *im)
{
	psc_diags d;
	psc_diags_init(&d, a->plan);
	int rc = psc_import_plan(a->plan, &a->o, im, &d);
	psc_import_print(&d, stderr);
	for (size_t i = 0; rc == 0 && i < im->n_assumptions; i++)
		fprintf(stderr, "pscLab: assumed: %s\n", im->assumptions[i]);
	if (rc == 1)
		fprintf(stderr, "pscLab: %s: %zu error%s: no topology "
			"written\n", a->plan, d.n_errors,
			d.n_errors == 1 ? "" : "s");
	psc_diags_free(&d);
	return rc == 2 ? EXIT_USAGE : rc;
}

int psc_cli_import(int argc, char **argv)
{
	psc_cli_plan_args a;
	psc_import im;
	char err[4400];
	if (psc_cli_plan_parse("import", argc, argv, &a) < 0) {
		fprintf(stderr, "usage: pscLab import <plan.json> [-o "
			"topology.yaml] [options]\n");
		return EXIT_USAGE;
	}
	int rc = do_import(&a, &im);
	if (rc == EXIT_OK && a.out &&
	    psc_import_write(&im, a.out, err, sizeof(err)) < 0) {
		fprintf(stderr, "pscLab import: %s\n", err);
		rc = EXIT_FINDINGS;
	} else if (rc == EXIT_OK && a.out) {
		fprintf(stderr, "pscLab import: wrote %s (%zu lines); next: "
			"pscLab lint %s\n", a.out, im.n_lines, a.out);
	} else if (rc == EXIT_OK) {
		fwrite(im.yaml, 1, im.yaml_len, stdout);
	}
	psc_import_free(&im);
	return rc;
}

/* a lint finding on the generated file, against the plan */
static void print_mapped(const psc_import *im, const psc_diags *d,
			 const char *plan, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const psc_diag *x = &d->v[i];
		const psc_import_line *l = psc_import_line_of(im, x->loc.line);
		const char *addr = l && l->address[0] ? l->address
						       : "(topology)";
		const char *attr = l ? l->attr : "";
		const char *type = NULL, *blamed = NULL;
		if (addr[0] == '(') {
			char text[700];
			PSC_SET(text, "%s: %s", x->object, x->msg);
			blamed = psc_import_blame(im, text, &type);
		}
		if (blamed) {      /* the plan object the finding names */
			addr = blamed;
			attr = strcmp(type, "google_compute_service_attachment")
				? "" : !strcmp(x->rule, "psc-rejected")
				? "consumer_reject_lists" : "consumer_accept_lists";
		}
		fprintf(out, "%s: %s: %s: %s%s%s%s%s [%s] (imported topology "
			"line %d:%d)\n", plan,
			x->sev == PSC_SEV_ERROR ? "error" : "warning", addr,
			attr, attr[0] ? ": " : "", x->object,
			x->object[0] ? ": " : "", x->msg, x->rule, x->loc.line,
			x->loc.col);
		if (x->hint[0])
			fprintf(out, "%s: note: %s\n", plan, x->hint);
	}
}

/* import, then lint the topology in memory; the lint exit code */
static int import_lint(const psc_cli_plan_args *a, psc_import *im,
		       FILE *out)
{
	int rc = do_import(a, im);
	if (rc != EXIT_OK)
		return rc;
	psc_diags d;
	bool unreadable = false;
	char name[300];
	PSC_SET(name, "%s.yaml", im->t->name);
	psc_diags_init(&d, name);
	psc_topology *t = psc_topology_load_buffer(name, im->yaml,
						   im->yaml_len, &d,
						   &unreadable);
	if (t && d.n_errors == 0)
		psc_lint(t, &d);
	else
		psc_diags_sort(&d);
	print_mapped(im, &d, a->plan, out);
	if (!a->quiet)
		fprintf(stderr, "%s: %zu error%s, %zu warning%s (the imported "
			"topology; 'pscLab import %s -o FILE' writes it)\n",
			a->plan, d.n_errors, d.n_errors == 1 ? "" : "s",
			d.n_warnings, d.n_warnings == 1 ? "" : "s", a->plan);
	rc = !t || d.n_errors || (a->strict && d.n_warnings) ? EXIT_FINDINGS
							     : EXIT_OK;
	psc_topology_free(t);
	psc_diags_free(&d);
	return rc;
}

int psc_cli_lint_plan(const psc_cli_plan_args *a)
{
	psc_import im;
	int rc = import_lint(a, &im, stdout);
	psc_import_free(&im);
	return rc;
}

int psc_cli_plan_topology(const psc_cli_plan_args *a, char *path,
			  size_t len)
{
	psc_import im;
	char err[4400];
	int rc = import_lint(a, &im, stdout);
	if (rc != EXIT_OK) {
		if (rc == EXIT_FINDINGS)
			fprintf(stderr, "pscLab up: %s does not lint clean: "
				"nothing was built\n", a->plan);
		psc_import_free(&im);
		return rc;
	}
	const char *dir = getenv("TMPDIR");
	psc_setf(path, len, "%s/psclab-import-%s-XXXXXX", dir && *dir ? dir
		 : "/tmp", im.t->name);
	int fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || psc_import_write(&im, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "pscLab up: cannot write the imported "
			"topology %s: %s\n", path, fd < 0 ? strerror(errno)
			: err);
		if (fd >= 0)
			unlink(path);
		rc = EXIT_FINDINGS;
	}
	psc_import_free(&im);
	return rc;
}
