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

/* the namespace service `name` runs in (dns-<network>: its router; the
 * health checker: the probe namespace), -1 when the lab has none */
static int service_ns(const psc_plan *p, const char *name, size_t *net)
{
	char want[PSC_PROC_NAME_LEN];
	for (size_t i = 0; i < p->t->n_networks; i++) {
		snprintf(want, sizeof(want), "dns-%.50s",
			 p->t->networks[i].name);
		if (strcmp(want, name) == 0) {
			*net = i;
			return p->router_ns[i];
		}
	}
	if (p->probe_ns >= 0 && strcmp(name, "health-checker") == 0)
		return p->probe_ns;
	return -1;
}

bool psc_lab_is_service(const psc_plan *p, const char *name)
{
	size_t net;
	return service_ns(p, name, &net) >= 0;
}

static int spawn_one(const psc_plan *p, const char *exe, const char *name,
		     char *err, size_t errlen)
{
	size_t net = 0;
	int ns = service_ns(p, name, &net);
	if (ns < 0) {
		snprintf(err, errlen, "lab '%s' has no service %s", p->lab,
			 name);
		return -1;
	}
	bool dns = strncmp(name, "dns-", 4) == 0;
	char *argv[] = {(char *)exe, dns ? "_dns" : "_health", (char *)p->lab,
			dns ? (char *)p->t->networks[net].name : NULL, NULL};
	return spawn_service(p->lab, name, p->ns[ns].name, argv, err, errlen);
}

static int spawn_services(const psc_plan *p, char *err, size_t errlen)
{
	char exe[PATH_MAX], name[PSC_PROC_NAME_LEN];
	if (self_exe(exe, sizeof(exe), err, errlen) < 0)
		return -1;
	for (size_t net = 0; net < p->t->n_networks; net++) {
		snprintf(name, sizeof(name), "dns-%.50s",
			 p->t->networks[net].name);
		if (spawn_one(p, exe, name, err, errlen) < 0)
			return -1;
	}
	if (p->probe_ns >= 0 &&
	    spawn_one(p, exe, "health-checker", err, errlen) < 0)
		return -1;
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

int psc_lab_start_service(const psc_plan *p, const char *name, char *err,
			  size_t errlen)
{
	char exe[PATH_MAX];
	if (self_exe(exe, sizeof(exe), err, errlen) < 0 ||
	    spawn_one(p, exe, name, err, errlen) < 0)
		return -1;
	return strncmp(name, "dns-", 4) == 0 ? wait_dns(p, err, errlen) : 0;
}

int psc_lab_stop_service(const char *lab, const char *name, bool *was,
			 char *err, size_t errlen)
{
	psc_state st;
	int rc = 0;
	*was = false;
	if (psc_state_read(lab, &st, err, errlen) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < st.n_procs; i++)
		if (strcmp(st.procs[i].name, name) == 0 &&
		    psc_proc_alive(&st.procs[i])) {
			*was = true;
			rc = psc_proc_stop(&st.procs[i], PSC_SERVICE_GRACE_MS,
					   err, errlen);
		}
	psc_state_free(&st);
	return rc;
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
