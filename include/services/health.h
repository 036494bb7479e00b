/* health.h - the health checker of a lab's instance-group load balancers,
 * as GCP's health checking does it: a TCP probe of each backend every
 * check_interval_sec from 35.191.0.1 and 130.211.0.1 alternately, healthy
 * after healthy_threshold successes in a row, unhealthy after
 * unhealthy_threshold failures; the load balancer's pick (nftgen.h) is
 * rewritten in its router whenever a backend changes, and fails open while
 * none is healthy.  It runs in the lab's probe namespace, as a supervised
 * process started by up (runtime/serve.h).
 *
 * This module owns the health file: one line per backend,
 * "<load balancer> <instance> HEALTHY|UNHEALTHY", replaced whole (rename)
 * whenever anything changes; status reads it through psc_health_read. */
#ifndef PSCLAB_HEALTH_H
#define PSCLAB_HEALTH_H

#include <signal.h>
#include <stddef.h>

#include "plan/plan.h"

/* the health file's name in the lab's state directory */
#define PSC_HEALTH_FILE "health"

/* Probe the backends of every load balancer of plan with a health check
 * and no NEG, apply the pick to the routers and keep the health file at
 * path (with path ".tmp" beside it) until *stop becomes non-zero.  Errors
 * applying a pick are logged to stderr and the loop goes on; 0 at stop.
 * ready_fd (-1: none) gets its byte (base/util.h psc_ready_notify) at
 * once, when the starting state is in place (every backend UNHEALTHY, the
 * picks failing open, the health file written) and before the first
 * probe: up starts the backends after its services, so a first round
 * could only fail, and waiting for it would add a probe's timeout
 * (timeout_sec) to up for no new state. */
int psc_health_serve(const psc_plan *p, const char *path,
		     volatile sig_atomic_t *stop, int ready_fd, char *err,
		     size_t errlen);

/* The state of backend instance vm of load balancer lb in the health file
 * at path: "HEALTHY" or "UNHEALTHY" written into buf, or "UNKNOWN" when
 * the file or the line is not there.  Returns buf. */
const char *psc_health_read(const char *path, const char *lb, const char *vm,
			    char *buf, size_t len);

#endif
