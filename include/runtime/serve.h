/* serve.h - the services a lab leaves running: the DNS stub of each VPC
 * (services/dns.h) in its router, the health checker (services/health.h)
 * in the probe namespace.  up starts them as supervised processes of this
 * same binary (hidden verbs `_dns`, `_health`), journaled, and waits until
 * every one of them says it is ready: each gets a readiness pipe
 * (runtime/proc.h, `--ready-fd 3` in its argv) and writes its byte the
 * moment it serves: a DNS stub once its UDP and TCP sockets are bound
 * (and listening), the health checker at once, when its starting state is
 * in place (services/health.h says why not after its first probe round).
 * No polling: up is woken by the last byte.  Each reads the lab through
 * store.h. */
#ifndef PSCLAB_SERVE_H
#define PSCLAB_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"
#include "runtime/proc.h"

/* Start the DNS stubs and the health checker of plan's lab (journaled), all
 * at once, then wait until every one is ready (bounded: 5 s in all).  -1
 * with err naming the service, why (it exited first: its log's last
 * lines; or it was not ready in time) and a fix; the caller tears down. */
int psc_lab_start_services(const psc_plan *p, char *err, size_t errlen);

/* The same in two halves, so that up overlaps the services' start (exec,
 * load, bind: ~10-20 ms) with its nftables work: psc_lab_spawn_dns once the
 * routers have their addresses (a stub needs nothing else), then, after
 * nftables, psc_lab_services_finish starts the health checker (it rewrites
 * load balancer picks: the rules must exist) and waits for all.  Call from
 * one thread (no nftables thread running: proc.h).  Both -1 with err;
 * finish closes the readiness fds either way, psc_lab_services_close when
 * finish is not reached. */
typedef struct psc_service_start {
	psc_proc proc;
	int ready;              /* the readiness pipe's read end, or -1 */
	char what[160];         /* "the DNS stub of <network>" */
} psc_service_start;
typedef struct psc_services {
	psc_service_start s[PSC_MAX_NETWORKS + 1];
	size_t n;
} psc_services;
int psc_lab_spawn_dns(const psc_plan *p, psc_services *ss, char *err,
		      size_t errlen);
int psc_lab_services_finish(const psc_plan *p, psc_services *ss, char *err,
			    size_t errlen);
void psc_lab_services_close(psc_services *ss);
/* One of them by its process name (dns-<network>, health-checker): true
 * when the lab has it; started again as up starts it (awaited until it is
 * ready); stopped by its pid from the journal (*was: it ran),
 * SIGKILL after PSC_SERVICE_GRACE_MS.  -1 with err. */
#define PSC_SERVICE_GRACE_MS 2000
bool psc_lab_is_service(const psc_plan *p, const char *name);
int psc_lab_start_service(const psc_plan *p, const char *name, char *err,
			  size_t errlen);
int psc_lab_stop_service(const char *lab, const char *name, bool *was,
			 char *err, size_t errlen);

/* The DNS stub of network `network` of lab, until SIGTERM; ready_fd (-1:
 * none) gets its byte once it is bound (services/dns.h). */
int psc_lab_serve_dns(const char *lab, const char *network, int ready_fd,
		      char *err, size_t errlen);
/* Where the health checker of lab keeps its health file (services/
 * health.h owns its format): <state dir>/PSC_HEALTH_FILE.  -1 with err. */
int psc_lab_health_path(const char *lab, char *out, size_t len, char *err,
			size_t errlen);
/* The health checker of the lab's load balancers, until SIGTERM. */
int psc_lab_serve_health(const char *lab, int ready_fd, char *err,
			 size_t errlen);

#endif
