/* lint.c - the linter's driver: the lab's own names, then the rule files
 * (lint_net.c, lint_kafka.c, lint_consumers.c), findings sorted; loading a file and linting it. */
#define _POSIX_C_SOURCE 200809L
#include "lint/lint.h"

#include <stdio.h>
#include <string.h>

#include "model/topology_load.h"
#include "lint/lint_common.h"
#include "lint/lint_consumers.h"
#include "lint/lint_kafka.h"
#include "lint/lint_net.h"

/* The lab's own names: the lab name goes into every namespace, interface
 * and state path; a few node names are the lab's own namespaces. */
static void lint_lab_names(const psc_topology *t, psc_diags *d)
{
	char err[160], obj[128];
	if (psc_lab_name_check(t->name, err, sizeof(err)) < 0)
		psc_diag_add(d, PSC_SEV_ERROR, t->name_loc, "lab-name",
			     "topology", NULL, "%s (it names the lab's "
			     "namespaces psclab-<lab>-<node>)", err);
	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		bool taken = strcmp(in->name, "psc") == 0 ||
			     strcmp(in->name, "gcp-hc") == 0;
		for (size_t n = 0; n < t->n_networks && !taken; n++) {
			char vpc[PSC_NAME_LEN + 8];
			snprintf(vpc, sizeof(vpc), "vpc-%s",
				 t->networks[n].name);
			taken = strcmp(in->name, vpc) == 0;
		}
		if (taken)
			psc_diag_add(d, PSC_SEV_ERROR, in->name_loc,
				     "node-name",
				     psc_lint_obj(obj, sizeof(obj), "instance",
						  in->name), NULL,
				     "the name '%s' is taken by one of the "
				     "lab's own namespaces (psc, gcp-hc, "
				     "vpc-<network>); rename the instance",
				     in->name);
	}
}

size_t psc_lint(const psc_topology *t, psc_diags *diags)
{
	size_t before = diags->n_errors;
	lint_lab_names(t, diags);
	psc_lint_net(t, diags);
	psc_lint_kafka(t, diags);
	psc_lint_consumers(t, diags);
	psc_diags_sort(diags);
	return diags->n_errors - before;
}

psc_topology *psc_lint_load(const char *path, bool strict, psc_diags *diags,
			    int *rc)
{
	bool unreadable = false;
	psc_topology *t = psc_topology_load_file(path, diags, &unreadable);
	if (!t) {
		psc_diags_sort(diags);
		*rc = 2;
		return NULL;
	}
	/* Semantic rules only run on a model the schema accepted: a partial
	 * model would give findings that are echoes of the schema errors. */
	if (diags->n_errors == 0)
		psc_lint(t, diags);
	else
		psc_diags_sort(diags);
	if (unreadable)
		*rc = 2;
	else if (diags->n_errors > 0 || (strict && diags->n_warnings > 0))
		*rc = 1;
	else
		*rc = 0;
	if (*rc != 0) {
		psc_topology_free(t);
		return NULL;
	}
	return t;
}

int psc_lint_file(const char *path, bool strict, psc_diags *diags)
{
	int rc;
	psc_topology_free(psc_lint_load(path, strict, diags, &rc));
	return rc;
}
