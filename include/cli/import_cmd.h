/* import_cmd.h - the CLI's side of plans: `pscLab import <plan.json>`, and
 * `pscLab lint` / `pscLab up` given a plan instead of a topology (told by
 * content: JSON, or a .json name).  Prints; returns exit codes (README's
 * table: 0 ok, 1 findings, 2 usage or input that is not a plan). */
#ifndef PSCLAB_IMPORT_CMD_H
#define PSCLAB_IMPORT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "import/tfplan.h"
#include "import/tfplan_names.h"

typedef struct psc_cli_plan_args {
	psc_import_opts o;
	const char *plan;
	const char *out;           /* import -o FILE */
	bool strict, quiet;        /* lint */
	bool network_only;         /* up */
} psc_cli_plan_args;

/* The options every plan verb takes, after the verb: --name, --region,
 * --tidbcloud-project, --unique, --pattern, --kafka FILE (and -o for
 * import, --strict/--quiet for lint, --network-only for up).  0, or -1
 * with the usage error printed. */
int psc_cli_plan_parse(const char *verb, int argc, char **argv,
		       psc_cli_plan_args *a);
/* The positional argument when it is a plan (a .json name, or a file
 * whose content starts with '{'), else NULL. */
const char *psc_cli_plan_target(int argc, char **argv);

int psc_cli_import(int argc, char **argv);
int psc_cli_lint_plan(const psc_cli_plan_args *a);
/* For up: import, lint (findings printed against the plan), write the
 * topology to a new temporary file (its path into path; the caller
 * removes it).  0, or the exit code. */
int psc_cli_plan_topology(const psc_cli_plan_args *a, char *path,
			  size_t len);

/* The options' help text, for the verbs' --help */
extern const char psc_cli_plan_options_help[];

#endif
