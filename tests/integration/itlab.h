/* itlab.h - helpers for integration tests that build real labs: lab copies
 * under test names, a test's lab up and down, identity servers in nodes,
 * TCP and DNS probes from a node, host snapshots.  Root only; every wait
 * is bounded. */
#ifndef PSCLAB_ITLAB_H
#define PSCLAB_ITLAB_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "psc_test.h"

#include "fabric/nft.h"
#include "model/topology_load.h"
#include "plan/nftgen.h"
#include "plan/plan.h"
#include "runtime/kafka.h"
#include "runtime/lab.h"
#include "runtime/store.h"
#include "cli/status.h"
#include "fabric/netns.h"
#include "runtime/proc.h"
#include "runtime/state.h"

#define IT_MAX_SERVERS 16

static inline bool it_is_root(void)
{
	return geteuid() == 0;
}

/* Copy topologies/<src>.yaml to a temp file with name: <lab>, and apply
 * text edits (pairs of old/new, NULL-terminated).  Returns the path
 * (static buffer). */
static inline const char *it_topology(const char *src, const char *lab,
				      const char *const *edits)
{
	static char path[256];
	char in[256];
	psc_test_chdir();
	snprintf(in, sizeof(in), "topologies/%s.yaml", src);
	FILE *f = fopen(in, "r");
	assert_non_null(f);
	static char buf[262144];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char from[64], to[64];
	snprintf(from, sizeof(from), "\nname: %s\n", src);
	snprintf(to, sizeof(to), "\nname: %s\n", lab);
	const char *e0[] = {from, to, NULL};
	for (int pass = 0; pass < 2; pass++) {
		const char *const *e = pass ? edits : e0;
		for (size_t i = 0; e && e[i]; i += 2) {
			char *at = strstr(buf, e[i]);
			if (!at)
				fail_msg("edit not found: %s", e[i]);
			size_t ol = strlen(e[i]), nl = strlen(e[i + 1]);
			assert_true(strlen(buf) - ol + nl < sizeof(buf));
			memmove(at + nl, at + ol, strlen(at + ol) + 1);
			memcpy(at, e[i + 1], nl);
		}
	}
	snprintf(path, sizeof(path), "/tmp/psclab-it-%s.yaml", lab);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
	return path;
}

/* ---- a running lab's rules changed ---- */

/* the topology at path, which must load (free it with psc_topology_free) */
static inline psc_topology *it_load(const char *path)
{
	psc_diags d;
	bool unreadable;
	psc_diags_init(&d, path);
	psc_topology *t = psc_topology_load_file(path, &d, &unreadable);
	psc_diags_free(&d);
	assert_non_null(t);
	return t;
}

/* re-apply the router (net) or PSC (net < 0) rules of a modified model */
static inline void it_reapply(psc_topology *t, int net)
{
	static psc_plan p;
	char err[1024];
	psc_lb_health h;
	assert_int_equal(psc_plan_build(t, &p, err, sizeof(err)), 0);
	psc_lb_health_all(&p, &h);
	char *s = net >= 0 ? psc_nft_router_text(&p, (size_t)net, &h)
			   : psc_nft_psc_text(&p);
	assert_non_null(s);
	const char *ns = net >= 0 ? p.ns[p.router_ns[net]].name
				  : p.ns[p.psc_ns].name;
	if (psc_nft_apply(ns, s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(s);
}

/* ---- identity servers: answer "<node> <peer address>\n" and close ---- */

typedef struct it_server {
	pid_t pid;
	char node[64];
} it_server;

static inline pid_t it_identity(const char *lab, const char *node,
				const int *ports, size_t n_ports)
{
	char ns[160], err[512];
	snprintf(ns, sizeof(ns), "psclab-%s-%s", lab, node);
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		alarm(600);   /* a bound even if the test dies */
		if (psc_proc_enter_node(ns, err, sizeof(err)) < 0) {
			fprintf(stderr, "identity %s: %s\n", node, err);
			_exit(1);
		}
		struct pollfd pfd[16];
		size_t n = 0;
		for (size_t i = 0; i < n_ports && n < 16; i++) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			int one = 1;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			struct sockaddr_in sa = {.sin_family = AF_INET,
						 .sin_port = htons((uint16_t)ports[i])};
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			    listen(fd, 64) < 0) {
				fprintf(stderr, "identity %s: port %d: %s\n",
					node, ports[i], strerror(errno));
				_exit(1);
			}
			pfd[n].fd = fd;
			pfd[n++].events = POLLIN;
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;) {
			if (poll(pfd, n, 1000) <= 0)
				continue;
			for (size_t i = 0; i < n; i++) {
				if (!(pfd[i].revents & POLLIN))
					continue;
				struct sockaddr_in peer;
				socklen_t pl = sizeof(peer);
				int c = accept(pfd[i].fd, (struct sockaddr *)&peer,
					       &pl);
				if (c < 0)
					continue;
				char line[160], ip[16];
				inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
				int len = snprintf(line, sizeof(line), "%s %s\n",
						   node, ip);
				if (write(c, line, (size_t)len) < 0) {
					/* the client went away */
				}
				close(c);
			}
		}
	}
	close(ready[1]);
	char c;
	struct pollfd p = {.fd = ready[0], .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static inline void it_kill(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* ---- a TCP exchange from inside a node ---- */

struct it_dial {
	uint32_t ip;
	int port;
	int timeout_ms;
	char reply[160];
	int rc;           /* 0 reply read; -1 refused/reset; -2 timeout */
};

static inline int it_dial_here(void *arg)
{
	struct it_dial *d = arg;
	d->reply[0] = '\0';
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)d->port),
				 .sin_addr.s_addr = htonl(d->ip)};
	d->rc = -2;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS) {
		d->rc = -1;
		close(fd);
		return 0;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, d->timeout_ms);
	if (r == 1) {
		ssize_t n = read(fd, d->reply, sizeof(d->reply) - 1);
		if (n > 0) {
			d->reply[n] = '\0';
			char *nl = strchr(d->reply, '\n');
			if (nl)
				*nl = '\0';
			d->rc = 0;
		} else {
			d->rc = -1;
		}
	}
	close(fd);
	return 0;
}

/* "node peer" from node `from` of lab to ip:port, or "" with rc */
static inline int it_dial(const char *lab, const char *from, const char *ip,
			  int port, int timeout_ms, char *reply, size_t len)
{
	char ns[160], err[256];
	struct it_dial d = {.port = port, .timeout_ms = timeout_ms};
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	d.ip = ntohl(a.s_addr);
	snprintf(ns, sizeof(ns), "psclab-%s-%s", lab, from);
	if (psc_netns_run(ns, it_dial_here, &d, err, sizeof(err)) != 0)
		fail_msg("cannot enter %s: %s", ns, err);
	snprintf(reply, len, "%s", d.reply);
	return d.rc;
}

/* ---- host snapshot: links, addresses, routes, rules, nft ---- */

static inline char *it_host_snapshot(void)
{
	const char *cmd = "ip -d link show 2>&1; ip addr 2>&1; "
			  "ip route show table all 2>&1; ip rule 2>&1; "
			  "nft list ruleset 2>&1";
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, p)) > 0)
		n += r;
	buf[n] = '\0';
	pclose(p);
	return buf;
}

/* the host as it is now against before (an it_host_snapshot, freed
 * here): true when nothing changed, else said on stderr */
static inline bool it_host_unchanged(char *before)
{
	char *after = it_host_snapshot();
	bool same = strcmp(before, after) == 0;
	if (!same)
		fprintf(stderr, "# host network configuration changed!\n");
	free(after);
	free(before);
	return same;
}

static inline size_t it_count_netns(const char *lab)
{
	char prefix[128], err[256];
	static char names[PSC_NETNS_MAX_LIST][PSC_NETNS_NAME_LEN];
	size_t n = 0;
	snprintf(prefix, sizeof(prefix), "psclab-%s-", lab);
	psc_netns_list(prefix, names, PSC_NETNS_MAX_LIST, &n, err, sizeof(err));
	return n;
}

/* ---- a test's lab: up, down; whether the file can run at all ---- */

/* false, with the file's TAP skip line printed ("1..0 # SKIP <test>:
 * why"), when test cannot run here: not root, or (kafka) Kafka is not
 * installed (psc_kafka_home) */
static inline bool it_can_run(const char *test, bool kafka)
{
	char home[4096], err[512];
	if (!it_is_root()) {
		printf("1..0 # SKIP %s: not root\n", test);
		return false;
	}
	if (kafka && psc_kafka_home(home, sizeof(home), err, sizeof(err)) < 0) {
		printf("1..0 # SKIP %s: %s\n", test, err);
		return false;
	}
	return true;
}

/* lab brought down, whatever of it is up (nothing is fine); what went
 * wrong is said on stderr.  psc_lab_down's status. */
static inline int it_down(const char *lab)
{
	char err[1024];
	bool was_up;
	int rc = psc_lab_down(lab, NULL, &was_up, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "# down %s: %s\n", lab, err);
	return rc;
}

/* up the topology at path (named lab: an it_topology) with o; when that
 * fails, err says why and the lab is brought down again.  0 or -1. */
static inline int it_up(const char *lab, const char *path,
			const psc_up_opts *o, char *err, size_t errlen)
{
	if (psc_lab_up(path, o, NULL, err, errlen) != 0) {
		it_down(lab);
		return -1;
	}
	return 0;
}

/* it_up for a group setup: 0, or -1 (cmocka fails the group) with "# up
 * <path> [--network-only] [--existing-cluster]: <why>" on stderr */
static inline int it_lab_up(const char *lab, const char *path,
			    const psc_up_opts *o)
{
	char err[4096];
	if (it_up(lab, path, o, err, sizeof(err)) != 0) {
		fprintf(stderr, "# up %s%s%s: %s\n", path,
			o->network_only ? " --network-only" : "",
			o->existing_cluster ? " --existing-cluster" : "", err);
		return -1;
	}
	return 0;
}

/* for a group teardown: lab brought down, and nothing of it left (no
 * namespace of its name): 0, else -1 with the count on stderr */
static inline int it_lab_down(const char *lab)
{
	it_down(lab);
	size_t n = it_count_netns(lab);
	if (n)
		fprintf(stderr, "# %zu namespaces of %s left!\n", n, lab);
	return n ? -1 : 0;
}

static inline int it_run(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline int it_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* run a shell command, its stdout (and what it redirects there) into out
 * (bounded by len; the command bounds its own time), return its status */
static inline int it_capture(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int it_capture(char *out, size_t len, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* a line of kafka-broker-api-versions.sh's output: "<addr> (id: <n> rack:
 * null" then, on the same line, tail (Kafka 4.x adds " isFenced: false") */
static inline bool it_broker_line(const char *out, const char *addr, int id,
				  const char *tail)
{
	char head[300];
	snprintf(head, sizeof(head), "%s (id: %d rack: null", addr, id);
	for (const char *at = strstr(out, head); at; at = strstr(at + 1, head)) {
		const char *eol = strchr(at, '\n');
		const char *t = strstr(at, tail);
		if (t && (!eol || t < eol))
			return true;
	}
	return false;
}

#endif
