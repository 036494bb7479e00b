/* lb_health.c - the backends' health as a check (see lb_health.h). */
#define _GNU_SOURCE
#include "verify/lb_health.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "runtime/serve.h"
#include "services/health.h"

bool psc_verify_lb_health_check(const psc_verify_ctx *c,
				const char *const *states,
				psc_verify_check *out)
{
	size_t n = c->lb_backends, healthy = 0;
	char bad[512] = "";
	if (!n || !c->lb_health_check)
		return false;
	memset(out, 0, sizeof(*out));
	PSC_SET(out->node, "%s", c->changefeed);
	PSC_SET(out->name, "load balancer %s: health of its %zu backend%s "
	    "(the health checker)", c->load_balancer, n, n == 1 ? "" : "s");
	out->broker = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(states[i], "HEALTHY") == 0)
			healthy++;
		else
			psc_appendf(bad, sizeof(bad), "%s%s %s", bad[0] ? ", "
				    : "", c->lb_backend[i], states[i]);
	}
	if (healthy == n) {
		out->status = PSC_VERIFY_PASS;
		PSC_SET(out->detail, "every backend HEALTHY");
		return true;
	}
	out->status = PSC_VERIFY_WARN;
	out->hop = PSC_HOP_LB_MAPPING;
	if (healthy == 0) {
		PSC_SET(out->detail, "no backend is HEALTHY (%s): the load "
		    "balancer fails open and sends every connection to all of "
		    "them, so the changefeed works by accident, and a backend "
		    "that is really down still gets its share (right after up "
		    "or a restart this lasts until a backend passes "
		    "healthy_threshold probes: it starts unhealthy)", bad);
		PSC_SET(out->fix, "allow the health checks: an INGRESS firewall "
		    "rule from 35.191.0.0/16 and 130.211.0.0/22 to the health "
		    "check's port on the backends (pscLab lint names it)");
	} else {
		PSC_SET(out->detail, "%zu of %zu backends HEALTHY (%s): the "
		    "others get no new connections", healthy, n, bad);
		PSC_SET(out->fix, "see why the unhealthy backend does not "
		    "accept on the health check's port (its process: pscLab "
		    "status %s)", c->lab);
	}
	return true;
}

bool psc_verify_lb_health_read(const psc_verify_ctx *c, const char *lab,
			       psc_verify_check *out)
{
	static char buf[PSC_MAX_INSTANCES][16];
	const char *states[PSC_MAX_INSTANCES];
	char path[PATH_MAX + 32], err[256];
	if (psc_lab_health_path(lab, path, sizeof(path), err, sizeof(err)) < 0)
		return false;
	for (size_t i = 0; i < c->lb_backends && i < PSC_MAX_INSTANCES; i++)
		states[i] = psc_health_read(path, c->load_balancer,
					    c->lb_backend[i], buf[i],
					    sizeof(buf[i]));
	return psc_verify_lb_health_check(c, states, out);
}
