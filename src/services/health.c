/* health.c - the health checker and its health file (see health.h). */
#define _GNU_SOURCE
#include "services/health.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/net.h"
#include "base/util.h"
#include "plan/nftgen.h"
#include "fabric/nft.h"

struct backend_health {
	int ok_run;               /* consecutive successes */
	int bad_run;              /* consecutive failures */
	bool healthy;
};

typedef struct backend_health health_table[PSC_MAX_LBS][PSC_MAX_INSTANCES];

static void write_health(const char *path, const psc_plan *p,
			 const health_table bh)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	for (size_t l = 0; l < p->n_lbs; l++)
		for (size_t b = 0; b < p->lbs[l].n_backends; b++)
			fprintf(f, "%s %s %s\n", p->lbs[l].lb->name,
				p->vms[p->lbs[l].backend_vm[b]].in->name,
				bh[l][b].healthy ? "HEALTHY" : "UNHEALTHY");
	if (fclose(f) == 0)
		rename(tmp, path);
}

const char *psc_health_read(const char *path, const char *lb, const char *vm,
			    char *buf, size_t len)
{
	char line[512];
	snprintf(buf, len, "UNKNOWN");
	FILE *f = fopen(path, "r");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		char a[128], b[128], c[32];
		if (sscanf(line, "%127s %127s %31s", a, b, c) == 3 &&
		    strcmp(a, lb) == 0 && strcmp(b, vm) == 0)
			snprintf(buf, len, "%s", c);
	}
	fclose(f);
	return buf;
}

/* rewrite the pick of load balancer l in its router from the table */
static int apply_health(const psc_plan *p, size_t l, const health_table bh,
			char *err, size_t errlen)
{
	psc_lb_health h;
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < p->n_lbs; i++)
		for (size_t b = 0; b < p->lbs[i].n_backends; b++)
			h.healthy[i][b] = bh[i][b].healthy;
	size_t net;
	for (net = 0; net < p->t->n_networks; net++)
		if (p->router_ns[net] == p->lbs[l].router_ns)
			break;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		psc_setf(err, errlen, "%s: out of memory", p->lbs[l].lb->name);
		return -1;
	}
	psc_nft_lb_pick_script(p, net, &h, f);
	fclose(f);
	int rc = psc_nft_apply(p->ns[p->lbs[l].router_ns].name, buf, err,
			       errlen);
	free(buf);
	return rc;
}

/* one probe of backend b of load balancer pl: from GCP's two ranges,
 * alternately, bounded by the check interval */
static bool probe_backend(const psc_plan *p, const psc_plan_lb *pl, size_t b,
			  const struct backend_health *x)
{
	const psc_plan_vm *vm = &p->vms[pl->backend_vm[b]];
	long timeout = (long)pl->hc->timeout_sec * 1000;
	long interval = (long)pl->hc->check_interval_sec * 1000;
	uint32_t src = (x->ok_run + x->bad_run) % 2 ? PSC_PROBE_IP2
						     : PSC_PROBE_IP1;
	return psc_tcp_probe(vm->ip, (int)pl->hc->port, src,
			     timeout < interval ? timeout : interval) == 0;
}

/* count one probe's result; true when the backend changed state */
static bool count_probe(struct backend_health *x, bool ok,
			const psc_health_check *hc)
{
	if (ok) {
		x->ok_run++;
		x->bad_run = 0;
		if (!x->healthy && x->ok_run >= hc->healthy_threshold) {
			x->healthy = true;
			return true;
		}
	} else {
		x->bad_run++;
		x->ok_run = 0;
		if (x->healthy && x->bad_run >= hc->unhealthy_threshold) {
			x->healthy = false;
			return true;
		}
	}
	return false;
}

static void report_change(const psc_plan *p, size_t l, const health_table bh)
{
	const psc_plan_lb *pl = &p->lbs[l];
	for (size_t b = 0; b < pl->n_backends; b++)
		fprintf(stderr, "pscLab health: %s %s %s\n", pl->lb->name,
			p->vms[pl->backend_vm[b]].in->name,
			bh[l][b].healthy ? "HEALTHY" : "UNHEALTHY");
}

int psc_health_serve(const psc_plan *p, const char *path,
		     volatile sig_atomic_t *stop, int ready_fd, char *err,
		     size_t errlen)
{
	health_table *bh = calloc(1, sizeof(*bh));
	long long next[PSC_MAX_LBS] = {0};
	char e2[512];

	if (!bh) {
		psc_setf(err, errlen, "health checker: out of memory");
		return -1;
	}
	/* A backend is unhealthy until it passes healthy_threshold probes;
	 * meanwhile all are unhealthy, and the load balancer fails open. */
	for (size_t l = 0; l < p->n_lbs; l++)
		if (p->lbs[l].hc && !p->lbs[l].neg &&
		    apply_health(p, l, *bh, e2, sizeof(e2)) < 0)
			fprintf(stderr, "pscLab health: %s\n", e2);
	write_health(path, p, *bh);
	psc_ready_notify(&ready_fd);    /* the starting state is in place */
	while (!*stop) {
		long long now = psc_now_ms();
		for (size_t l = 0; l < p->n_lbs && !*stop; l++) {
			const psc_plan_lb *pl = &p->lbs[l];
			if (!pl->hc || pl->neg || now < next[l])
				continue;
			next[l] = now + pl->hc->check_interval_sec * 1000;
			bool changed = false;
			for (size_t b = 0; b < pl->n_backends; b++) {
				struct backend_health *x = &(*bh)[l][b];
				changed |= count_probe(
					x, probe_backend(p, pl, b, x), pl->hc);
			}
			if (!changed)
				continue;
			if (apply_health(p, l, *bh, e2, sizeof(e2)) < 0)
				fprintf(stderr, "pscLab health: %s\n", e2);
			write_health(path, p, *bh);
			report_change(p, l, *bh);
		}
		usleep(100 * 1000);      /* SIGTERM cuts it short */
	}
	free(bh);
	return 0;
}
