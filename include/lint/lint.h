/* lint.h - validation of a loaded topology, before anything is built.
 *
 * psc_lint() runs every rule and adds findings to diags; it reads the model
 * only.  Rules live in two files by concern: lint_net.c (GCP networking:
 * addresses, subnets, firewall, load balancers, PSC, DNS, references) and
 * lint_kafka.c (Kafka listeners and quorum, the advertised listener pattern,
 * reachability of every advertised address and bootstrap port, kafka-proxy),
 * each with its own header; the helpers they share are lint_common.c's.
 * Each finding carries a rule id, listed in README.md. */
#ifndef PSCLAB_LINT_H
#define PSCLAB_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "model/topology.h"

/* Runs all rules.  Returns the number of errors added. */
size_t psc_lint(const psc_topology *t, psc_diags *diags);

/* Load a file and lint it: 0 clean (warnings allowed), 1 errors (or
 * warnings when strict), 2 unreadable.  Findings are left in diags. */
int psc_lint_file(const char *path, bool strict, psc_diags *diags);

/* The same, keeping the model: it is returned when the code is 0 (free it
 * with psc_topology_free), NULL otherwise; *rc is psc_lint_file's code. */
psc_topology *psc_lint_load(const char *path, bool strict, psc_diags *diags,
			    int *rc);

#endif
