/* serve.c - the services of a running lab, started by up and run by
 * pscLab's hidden verbs inside their namespaces (see serve.h). */
#define _GNU_SOURCE
#include "runtime/serve.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/net.h"
#include "base/util.h"
#include "fabric/netns.h"
#include "services/dns.h"
#include "services/health.h"
#include "runtime/proc.h"
#include "runtime/state.h"
#include "runtime/store.h"

/* The pscLab binary that runs a lab's services: $PSCLAB_BIN (for
 * programs that link the library, such as tests), else this one. */
static int self_exe(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("PSCLAB_BIN");
	if (env && *env) {
		if (access(env, X_OK) != 0) {
			snprintf(err, errlen, "PSCLAB_BIN=%s: %s", env,
				 strerror(errno));
			return -1;
		}
		snprintf(out, len, "%s", env);
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot find pscLab's own binary: %s",
			 strerror(errno));
		return -1;
	}
	out[n] = '\0';
	return 0;
}

static int spawn_service(const char *lab, const char *name, const char *ns,
			 char *const argv[], char *err, size_t errlen)
{
	char log[PATH_MAX];
	psc_proc proc;
	if (psc_state_log_path(lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "%s: no log path", name);
		return -1;
	}
	if (psc_proc_spawn(name, ns, argv, NULL, log, psc_state_proc_hook,
			   (void *)lab, &proc, err, errlen) < 0)
		return -1;
	return 0;
}

static int spawn_services(const psc_plan *p, char *err, size_t errlen)
{
	char exe[PATH_MAX], name[PSC_PROC_NAME_LEN];
	if (self_exe(exe, sizeof(exe), err, errlen) < 0)
		return -1;
	for (size_t net = 0; net < p->t->n_networks; net++) {
		const char *nname = p->t->networks[net].name;
		snprintf(name, sizeof(name), "dns-%.50s", nname);
		char *argv[] = {exe, "_dns", (char *)p->lab, (char *)nname,
				NULL};
		if (spawn_service(p->lab, name, p->ns[p->router_ns[net]].name,
				  argv, err, errlen) < 0)
			return -1;
	}
	if (p->probe_ns >= 0) {
		char *argv[] = {exe, "_health", (char *)p->lab, NULL};
		if (spawn_service(p->lab, "health-checker",
				  p->ns[p->probe_ns].name, argv, err,
				  errlen) < 0)
			return -1;
	}
	return 0;
}

/* Wait until every DNS stub answers on 169.254.169.254:53 (TCP connect
 * from inside its router namespace), bounded. */
struct port_job {
	uint32_t ip;
	int port;
	int timeout_ms;
	uint32_t src;             /* 0: the kernel's choice */
};

static int tcp_probe_here(void *arg)
{
	struct port_job *j = arg;
	return psc_tcp_probe(j->ip, j->port, j->src, j->timeout_ms) ? -1 : 0;
}

static int wait_dns(const psc_plan *p, char *err, size_t errlen)
{
	for (size_t net = 0; net < p->t->n_networks; net++) {
		const char *ns = p->ns[p->router_ns[net]].name;
		struct port_job j = {PSC_DNS_IP, PSC_DNS_PORT, 200, 0};
		int ok = -1;
		char e2[256];
		for (int i = 0; i < 100 && ok != 0; i++) {   /* <= ~5 s */
			ok = psc_netns_run(ns, tcp_probe_here, &j, e2,
					   sizeof(e2));
			if (ok != 0)
				usleep(50 * 1000);
		}
		if (ok != 0) {
			snprintf(err, errlen, "the DNS stub of %s did not "
				 "answer on 169.254.169.254:53 within 5 s "
				 "(see its log)", p->t->networks[net].name);
			return -1;
		}
	}
	return 0;
}

int psc_lab_start_services(const psc_plan *p, char *err, size_t errlen)
{
	if (spawn_services(p, err, errlen) < 0)
		return -1;
	return wait_dns(p, err, errlen);
}

int psc_lab_serve_dns(const char *lab, const char *network, char *err,
		      size_t errlen)
{
	psc_topology *t;
	static psc_plan p;
	static psc_dns_config cfg;
	int rc = -1;

	if (psc_lab_load(lab, &t, &p, err, errlen) < 0)
		return -1;
	size_t net;
	for (net = 0; net < t->n_networks; net++)
		if (strcmp(t->networks[net].name, network) == 0)
			break;
	if (net == t->n_networks) {
		snprintf(err, errlen, "lab '%s' has no network '%s'", lab,
			 network);
		goto out;
	}
	if (psc_dns_config_from_plan(&p, net, &cfg, err, errlen) < 0)
		goto out;
	psc_catch_term();
	fprintf(stderr, "pscLab dns: %s/%s: %zu zone%s on 169.254.169.254:53\n",
		lab, network, cfg.n_zones, cfg.n_zones == 1 ? "" : "s");
	rc = psc_dns_serve(&cfg, PSC_DNS_IP, PSC_DNS_PORT, &psc_stop_flag, err,
			   errlen);
out:
	psc_topology_free(t);
	return rc;
}

int psc_lab_health_path(const char *lab, char *out, size_t len, char *err,
			size_t errlen)
{
	char dir[PATH_MAX];
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		psc_setf(err, errlen, "lab '%s': no state directory", lab);
		return -1;
	}
	int n = snprintf(out, len, "%s/" PSC_HEALTH_FILE, dir);
	if (n < 0 || (size_t)n >= len) {
		psc_setf(err, errlen, "lab '%s': its health file's path is too "
			 "long", lab);
		return -1;
	}
	return 0;
}

int psc_lab_serve_health(const char *lab, char *err, size_t errlen)
{
	psc_topology *t;
	static psc_plan p;
	char path[PATH_MAX + 32];

	if (psc_lab_load(lab, &t, &p, err, errlen) != 0)
		return -1;
	if (psc_lab_health_path(lab, path, sizeof(path), err, errlen) < 0) {
		psc_topology_free(t);
		return -1;
	}
	psc_catch_term();
	int rc = psc_health_serve(&p, path, &psc_stop_flag, err, errlen);
	psc_topology_free(t);
	return rc;
}
