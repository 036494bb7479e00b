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
#include "services/dns.h"
#include "services/health.h"
#include "runtime/kafka.h"
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

#define READY_TIMEOUT_MS 5000

static int spawn_service(const char *lab, const char *name,
			 psc_service_start *s, char *const argv[],
			 const char *ns, char *err, size_t errlen)
{
	char log[PATH_MAX];
	if (psc_state_log_path(lab, name, log, sizeof(log)) < 0) {
		snprintf(err, errlen, "%s: no log path", name);
		return -1;
	}
	return psc_proc_spawn_ready(name, ns, argv, NULL, log,
				    psc_state_proc_hook, (void *)lab, &s->proc,
				    &s->ready, err, errlen);
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

/* start service `name` with its readiness pipe (PSC_PROC_READY_FD, told
 * in argv: `_dns <lab> <network> --ready-fd 3`, `_health <lab> ...`) */
static int spawn_one(const psc_plan *p, const char *exe, const char *name,
		     psc_service_start *s, char *err, size_t errlen)
{
	size_t net = 0;
	int ns = service_ns(p, name, &net);
	memset(s, 0, sizeof(*s));
	s->ready = -1;
	if (ns < 0) {
		snprintf(err, errlen, "lab '%s' has no service %s", p->lab,
			 name);
		return -1;
	}
	bool dns = strncmp(name, "dns-", 4) == 0;
	char fd[16];
	snprintf(fd, sizeof(fd), "%d", PSC_PROC_READY_FD);
	char *dns_argv[] = {(char *)exe, "_dns", (char *)p->lab,
			    (char *)p->t->networks[net].name, "--ready-fd", fd,
			    NULL};
	char *hc_argv[] = {(char *)exe, "_health", (char *)p->lab,
			   "--ready-fd", fd, NULL};
	if (dns)
		PSC_SET(s->what, "the DNS stub of %s",
			p->t->networks[net].name);
	else
		PSC_SET(s->what, "the health checker");
	return spawn_service(p->lab, name, s, dns ? dns_argv : hc_argv,
			     p->ns[ns].name, err, errlen);
}

/* wait for every started service's byte, all at once; the failure names
 * the service, why (its log's last lines) and what to do */
static int await_ready(const psc_plan *p, psc_service_start *s, size_t n,
		       char *err, size_t errlen)
{
	int fds[PSC_MAX_NETWORKS + 1];
	char why[256], tail[1024];
	size_t bad;
	for (size_t i = 0; i < n; i++)
		fds[i] = s[i].ready;
	if (psc_proc_wait_ready(fds, n, READY_TIMEOUT_MS, &bad, why,
				sizeof(why)) == 0)
		return 0;
	psc_file_tail(s[bad].proc.log, 0, 5, tail, sizeof(tail));
	psc_setf(err, errlen, "%s (%s, pid %d) did not start: %s\n  why: its "
		 "log %s %s\n%s\n  fix: correct what the log says, then run "
		 "the same 'sudo pscLab up' of lab %s again", s[bad].what,
		 s[bad].proc.name, (int)s[bad].proc.pid, why, s[bad].proc.log,
		 tail[0] ? "ends:" : "is empty (it wrote nothing)", tail,
		 p->lab);
	return -1;
}

void psc_lab_services_close(psc_services *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		psc_close_fd(&ss->s[i].ready);
	ss->n = 0;
}

/* spawn the service `name` into ss (not awaited) */
static int spawn_into(const psc_plan *p, psc_services *ss, const char *name,
		      char *err, size_t errlen)
{
	char exe[PATH_MAX];
	if (ss->n >= sizeof(ss->s) / sizeof(ss->s[0])) {
		snprintf(err, errlen, "lab '%s': more services than %zu", p->lab,
			 sizeof(ss->s) / sizeof(ss->s[0]));
		return -1;
	}
	if (self_exe(exe, sizeof(exe), err, errlen) < 0 ||
	    spawn_one(p, exe, name, &ss->s[ss->n], err, errlen) < 0)
		return -1;
	ss->n++;
	return 0;
}

int psc_lab_spawn_dns(const psc_plan *p, psc_services *ss, char *err,
		      size_t errlen)
{
	char name[PSC_PROC_NAME_LEN];
	for (size_t net = 0; net < p->t->n_networks; net++) {
		snprintf(name, sizeof(name), "dns-%.50s",
			 p->t->networks[net].name);
		if (spawn_into(p, ss, name, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int psc_lab_services_finish(const psc_plan *p, psc_services *ss, char *err,
			    size_t errlen)
{
	int rc = 0;
	if (p->probe_ns >= 0)
		rc = spawn_into(p, ss, "health-checker", err, errlen);
	if (rc == 0)
		rc = await_ready(p, ss->s, ss->n, err, errlen);
	psc_lab_services_close(ss);
	return rc;
}

int psc_lab_start_services(const psc_plan *p, char *err, size_t errlen)
{
	psc_services ss = {.n = 0};
	if (psc_lab_spawn_dns(p, &ss, err, errlen) < 0) {
		psc_lab_services_close(&ss);
		return -1;
	}
	return psc_lab_services_finish(p, &ss, err, errlen);
}

int psc_lab_start_service(const psc_plan *p, const char *name, char *err,
			  size_t errlen)
{
	psc_services ss = {.n = 0};
	int rc = spawn_into(p, &ss, name, err, errlen);
	if (rc == 0)
		rc = await_ready(p, ss.s, ss.n, err, errlen);
	psc_lab_services_close(&ss);
	return rc;
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

int psc_lab_serve_dns(const char *lab, const char *network, int ready_fd,
		      char *err, size_t errlen)
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
	rc = psc_dns_serve(&cfg, PSC_DNS_IP, PSC_DNS_PORT, &psc_stop_flag,
			   ready_fd, err, errlen);
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

int psc_lab_serve_health(const char *lab, int ready_fd, char *err,
			 size_t errlen)
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
	int rc = psc_health_serve(&p, path, &psc_stop_flag, ready_fd, err,
				  errlen);
	psc_topology_free(t);
	return rc;
}
