/* rules.h - policy routing of instance-group load balancers: the router
 * marks a connection with its backend (nftgen.h), and one rule per mark
 * ("fwmark M lookup T") sends it through the routing table the plan gave
 * that backend (plan.h: psc_plan_rule).  Built by up after the fabric
 * (netns.h) and removed with the namespaces. */
#ifndef PSCLAB_RULES_H
#define PSCLAB_RULES_H

#include <stddef.h>

#include "plan/plan.h"

/* Add every rule of plan in its namespace.  -1 with err naming the
 * namespace and the rule (netlink's reason). */
int psc_rules_build(const psc_plan *p, char *err, size_t errlen);

#endif
