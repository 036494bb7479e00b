/* serve.h - the services a lab leaves running: the DNS stub of each VPC
 * (services/dns.h) in its router, the health checker (services/health.h)
 * in the probe namespace.  up starts them as supervised processes of this
 * same binary (hidden verbs `_dns`, `_health`), journaled, and waits until
 * every DNS stub answers; each one reads the lab through store.h. */
#ifndef PSCLAB_SERVE_H
#define PSCLAB_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

/* Start the DNS stubs and the health checker of plan's lab (journaled),
 * then wait until every stub accepts on 169.254.169.254:53 in its router
 * (bounded: 5 s).  -1 with err naming the service; the caller tears down. */
int psc_lab_start_services(const psc_plan *p, char *err, size_t errlen);
/* One of them by its process name (dns-<network>, health-checker): true
 * when the lab has it; started again as up starts it (a DNS stub awaited
 * until it answers); stopped by its pid from the journal (*was: it ran),
 * SIGKILL after PSC_SERVICE_GRACE_MS.  -1 with err. */
#define PSC_SERVICE_GRACE_MS 2000
bool psc_lab_is_service(const psc_plan *p, const char *name);
int psc_lab_start_service(const psc_plan *p, const char *name, char *err,
			  size_t errlen);
int psc_lab_stop_service(const char *lab, const char *name, bool *was,
			 char *err, size_t errlen);

/* The DNS stub of network `network` of lab, until SIGTERM. */
int psc_lab_serve_dns(const char *lab, const char *network, char *err,
		      size_t errlen);
/* Where the health checker of lab keeps its health file (services/
 * health.h owns its format): <state dir>/PSC_HEALTH_FILE.  -1 with err. */
int psc_lab_health_path(const char *lab, char *out, size_t len, char *err,
			size_t errlen);
/* The health checker of the lab's load balancers, until SIGTERM. */
int psc_lab_serve_health(const char *lab, char *err, size_t errlen);

#endif
