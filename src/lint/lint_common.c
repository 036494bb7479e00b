/* lint_common.c - the helpers the rule files share (lint_common.h). */
#define _POSIX_C_SOURCE 200809L
#include "lint/lint_common.h"

#include <stdio.h>

const char *psc_lint_obj(char *buf, size_t len, const char *kind,
			 const char *name)
{
	if (name && *name)
		snprintf(buf, len, "%s '%s'", kind, name);
	else
		snprintf(buf, len, "%s", kind);
	return buf;
}

bool psc_lint_unknown_ref(psc_diags *d, psc_loc loc, const char *obj,
			  const char *field, const char *kind,
			  const char *value, const char *const *candidates,
			  size_t n)
{
	char hint[160] = "";
	const char *c = psc_closest(value, candidates, n);
	if (c)
		snprintf(hint, sizeof(hint), "did you mean '%s'?", c);
	psc_diag_add(d, PSC_SEV_ERROR, loc, "unknown-reference", obj, hint,
		     "%s '%s' names no %s", field, value, kind);
	return false;
}

size_t psc_lint_instance_names(const psc_topology *t, const char **out,
			       size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_instances && n < max; i++)
		out[n++] = t->instances[i].name;
	return n;
}
