/* lb_health.h - the load balancer's backends as its health checker sees
 * them (services/health.h), as one check of the report: an instance-group
 * backend service with a health check is PASS when every backend is
 * HEALTHY; WARN when some are not (they get no new connections) and WARN
 * when none is (GCP then fails open: every backend gets connections, so
 * the path works by accident and a backend that is really down gets its
 * share).  A NEG, or a backend service without a health check: no check. */
#ifndef PSCLAB_VERIFY_LB_HEALTH_H
#define PSCLAB_VERIFY_LB_HEALTH_H

#include <stdbool.h>

#include "verify/verify.h"

/* The check from states[i], the health of c->lb_backend[i] ("HEALTHY",
 * "UNHEALTHY", "UNKNOWN"); false: no check for this lab (pure). */
bool psc_verify_lb_health_check(const psc_verify_ctx *c,
				const char *const *states,
				psc_verify_check *out);

/* The same with the states read from lab's health file. */
bool psc_verify_lb_health_read(const psc_verify_ctx *c, const char *lab,
			       psc_verify_check *out);

#endif
