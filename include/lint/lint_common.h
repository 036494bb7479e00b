/* lint_common.h - what the rule files (lint_net.c, lint_kafka.c) share:
 * an object's name in a finding, the "unknown-reference" finding with its
 * "did you mean", and the candidate names it is chosen from. */
#ifndef PSCLAB_LINT_COMMON_H
#define PSCLAB_LINT_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "model/topology.h"

/* "instance 'broker-node1'" into buf */
const char *psc_lint_obj(char *buf, size_t len, const char *kind,
			 const char *name);
/* Report a reference to a missing object: rule "unknown-reference", with
 * "did you mean" from candidates (names of that kind).  Always returns
 * false, so "if (!found) return psc_lint_unknown_ref(...)" reads well. */
bool psc_lint_unknown_ref(psc_diags *d, psc_loc loc, const char *obj,
			  const char *field, const char *kind,
			  const char *value, const char *const *candidates,
			  size_t n);
/* The names of the topology's instances, at most max of them, into out
 * (candidates for psc_lint_unknown_ref); returns how many. */
size_t psc_lint_instance_names(const psc_topology *t, const char **out,
			       size_t max);

#endif
