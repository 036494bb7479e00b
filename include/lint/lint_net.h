/* lint_net.h - the GCP networking rules (lint_net.c): names, references,
 * address plans, subnets and PSC NAT subnets, firewall rules, load
 * balancers, NEGs, instance groups, zones, the service attachment's
 * connection preference and Cloud DNS.  psc_lint() (lint.h) runs them. */
#ifndef PSCLAB_LINT_NET_H
#define PSCLAB_LINT_NET_H

#include "model/diag.h"
#include "model/topology.h"

/* Adds the findings of every networking rule to d (unsorted). */
void psc_lint_net(const psc_topology *t, psc_diags *d);

#endif
