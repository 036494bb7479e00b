/* Integration tests (root): named namespaces and the lab fabric (netns.c)
 * built from topologies/portmap.yaml and proxy.yaml under the lab names
 * "itfabric" and "itfabric-x", never a real lab's.
 *
 * The host is only read: before, during and after every build the outputs
 * of `ip -d link show`, `ip addr`, `ip route show table all`, `ip rule`,
 * `nft list ruleset` and the host's forwarding/rp_filter sysctls must be
 * byte-identical.  Traffic stays between lab namespaces: a TCP echo whose
 * sockets are opened inside them (and ping, when installed).  Every wait is
 * bounded; the group teardown destroys whatever a failed test left. */
#define _GNU_SOURCE
#include "psc_test.h"
#include "model/topology_load.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "model/addr.h"
#include "fabric/netns.h"
#include "plan/plan.h"

#define LAB "itfabric"
#define LAB2 "itfabric-x"     /* shares LAB's prefix psclab-itfabric- */
#define PREFIX PSC_NETNS_PREFIX LAB "-"
#define ECHO_PORT 39092
#define WAIT_MS 2000
#define CAPTURE_MAX (4 << 20)
#define BENCH_RUNS 5

static struct {
	char skip[256];
	char *host;                     /* the host snapshot at the start */
} g;

#define SKIP_IF_NEEDED()                                             \
	do {                                                         \
		if (g.skip[0]) {                                     \
			printf("# SKIP: %s\n", g.skip);              \
			skip();                                      \
		}                                                    \
	} while (0)

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- commands (read-only, or inside lab namespaces) -------------------- */

/* The output of cmd (stdout and stderr); *status its exit status. */
static char *capture(const char *cmd, int *status)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	FILE *fp = popen(cmd, "r");
	assert_non_null(buf);
	if (!fp)
		fail_msg("cannot run %s: %s", cmd, strerror(errno));
	for (;;) {
		if (n + 4096 + 1 > cap) {
			if (cap >= CAPTURE_MAX)
				break;
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, 4096, fp);
		if (got == 0)
			break;
		n += got;
	}
	buf[n] = '\0';
	int st = pclose(fp);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return buf;
}

static bool run_ok(const char *cmd)
{
	int st;
	free(capture(cmd, &st));
	return st == 0;
}

static bool contains(const char *cmd, const char *want)
{
	char *out = capture(cmd, NULL);
	bool ok = strstr(out, want) != NULL;
	if (!ok)
		printf("# %s: no '%s' in:\n%s", cmd, want, out);
	free(out);
	return ok;
}

static char *host_snapshot(void)
{
	static const char *const cmds[] = {
		"ip -d link show",
		"ip addr",
		"ip route show table all",
		"ip rule",
		"nft list ruleset",
		"cat /proc/sys/net/ipv4/ip_forward "
		"/proc/sys/net/ipv4/conf/all/rp_filter "
		"/proc/sys/net/ipv4/conf/default/rp_filter",
	};
	size_t len = 0;
	char *all = NULL;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "%s 2>&1", cmds[i]);
		char *out = capture(cmd, NULL);
		size_t n = strlen(out), h = strlen(cmds[i]);
		all = realloc(all, len + h + n + 8);
		assert_non_null(all);
		len += (size_t)sprintf(all + len, "$ %s\n%s", cmds[i], out);
		free(out);
	}
	return all;
}

static void expect_host_unchanged(const char *when)
{
	char *now = host_snapshot();
	if (strcmp(now, g.host) != 0) {
		const char *a = g.host, *b = now;
		while (*a && *a == *b) {
			a++;
			b++;
		}
		printf("# host before:\n%.400s\n# host %s:\n%.400s\n", a, when,
		       b);
		free(now);
		fail_msg("the host's network changed (%s)", when);
	}
	free(now);
}

/* ---- lab objects -------------------------------------------------------- */

typedef struct lab {
	psc_topology *t;
	psc_plan *p;
} lab;

static void lab_load(lab *l, const char *file, const char *name)
{
	char path[256], err[512];
	psc_diags d;
	bool unreadable;

	psc_test_chdir();
	snprintf(path, sizeof(path), "topologies/%s", file);
	psc_diags_init(&d, path);
	l->t = psc_topology_load_file(path, &d, &unreadable);
	if (!l->t || d.n) {
		psc_test_dump(&d);
		fail_msg("%s did not load cleanly", path);
	}
	psc_diags_free(&d);
	snprintf(l->t->name, sizeof(l->t->name), "%s", name);
	l->p = calloc(1, sizeof(*l->p));
	assert_non_null(l->p);
	if (psc_plan_build(l->t, l->p, err, sizeof(err)) < 0)
		fail_msg("plan of %s: %s", path, err);
}

static void lab_free(lab *l)
{
	free(l->p);
	psc_topology_free(l->t);
}

static void ns_name(char *buf, size_t len, const char *labname,
		    const char *suffix)
{
	snprintf(buf, len, PSC_NETNS_PREFIX "%s-%s", labname, suffix);
}

static size_t count_prefix(const char *prefix)
{
	char (*names)[PSC_NETNS_NAME_LEN] = calloc(256, sizeof(*names));
	char err[256];
	size_t n = 0;
	assert_non_null(names);
	assert_int_equal(psc_netns_list(prefix, names, 256, &n, err,
					sizeof(err)), 0);
	free(names);
	return n;
}

static size_t count_etc(const char *prefix)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ls -d %s/%s* 2>/dev/null | wc -l",
		 PSC_NETNS_ETC_DIR, prefix);
	char *out = capture(cmd, NULL);
	size_t n = (size_t)strtoul(out, NULL, 10);
	free(out);
	return n;
}

static void destroy_quiet(const char *labname)
{
	char err[512];
	if (psc_fabric_destroy(labname, err, sizeof(err)) < 0)
		printf("# destroy %s: %s\n", labname, err);
}

/* ---- sockets inside namespaces ----------------------------------------- */

static int open_tcp(void *arg)
{
	int *fd = arg;
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return *fd < 0 ? -1 : 0;
}

/* a TCP socket of namespace ns (the socket stays in it) */
static int tcp_in(const char *ns)
{
	char err[256];
	int fd = -1;
	if (psc_netns_run(ns, open_tcp, &fd, err, sizeof(err)) < 0)
		fail_msg("socket in %s: %s (%s)", ns, err, strerror(errno));
	return fd;
}

static struct sockaddr_in sin_of(uint32_t ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(ip)};
	return a;
}

static int listener(const char *ns, uint32_t ip)
{
	int fd = tcp_in(ns), one = 1;
	struct sockaddr_in a = sin_of(ip, ECHO_PORT);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 4) < 0)
		fail_msg("listen in %s: %s", ns, strerror(errno));
	return fd;
}

/* connect from namespace ns to ip:ECHO_PORT within WAIT_MS; 0 or errno */
static int connect_from(const char *ns, uint32_t ip, int *out)
{
	int fd = tcp_in(ns), e = 0;
	socklen_t el = sizeof(e);
	struct sockaddr_in a = sin_of(ip, ECHO_PORT);
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	    errno != EINPROGRESS) {
		e = errno;
	} else if (poll(&pfd, 1, WAIT_MS) != 1) {
		e = ETIMEDOUT;
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0) {
		e = errno;
	}
	if (e != 0 || !out)
		close(fd);
	else
		*out = fd;
	return e;
}

static ssize_t io_wait(int fd, short ev, void *buf, size_t len, bool rd)
{
	struct pollfd pfd = {.fd = fd, .events = ev};
	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -1;
	return rd ? recv(fd, buf, len, 0) : send(fd, buf, len, MSG_NOSIGNAL);
}

/* TCP from VM `from` to VM `to` through the router(s); the server sees
 * the client's own address. */
static void expect_tcp_echo(const char *labname, const psc_plan *p,
			    const char *from, const char *to)
{
	const psc_plan_vm *src = psc_plan_vm_by_name(p, from);
	const psc_plan_vm *dst = psc_plan_vm_by_name(p, to);
	char ns_from[PSC_NETNS_NAME_LEN], ns_to[PSC_NETNS_NAME_LEN], buf[16];
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	struct pollfd pfd;
	int lfd, cfd = -1, afd, e;

	assert_non_null(src);
	assert_non_null(dst);
	ns_name(ns_from, sizeof(ns_from), labname, from);
	ns_name(ns_to, sizeof(ns_to), labname, to);
	lfd = listener(ns_to, dst->ip);
	e = connect_from(ns_from, dst->ip, &cfd);
	if (e != 0)
		fail_msg("%s -> %s:%d: %s", from, to, ECHO_PORT, strerror(e));
	pfd = (struct pollfd){.fd = lfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	afd = accept(lfd, (struct sockaddr *)&peer, &pl);
	assert_true(afd >= 0);
	assert_int_equal(ntohl(peer.sin_addr.s_addr), src->ip);
	assert_int_equal(io_wait(cfd, POLLOUT, "ping", 4, false), 4);
	assert_int_equal(io_wait(afd, POLLIN, buf, sizeof(buf), true), 4);
	assert_int_equal(io_wait(afd, POLLOUT, buf, 4, false), 4);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(io_wait(cfd, POLLIN, buf, sizeof(buf), true), 4);
	assert_memory_equal(buf, "ping", 4);
	close(afd);
	close(cfd);
	close(lfd);
}

static int read_forward(void *arg)
{
	char *out = arg;
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_forward", "re");
	if (!fp)
		return -1;
	if (!fgets(out, 8, fp))
		out[0] = '\0';
	fclose(fp);
	return 0;
}

/* ---- checks of a built lab --------------------------------------------- */

static void expect_lab_built(const char *labname, const psc_plan *p)
{
	char cmd[512], want[128], ip[16], gw[16], err[256], fwd[8];

	assert_int_equal(count_prefix(p->ns[0].name), 1);
	for (size_t i = 0; i < p->n_ns; i++) {
		const psc_plan_ns *n = &p->ns[i];
		if (!psc_netns_exists(n->name))
			fail_msg("namespace %s missing", n->name);
		snprintf(cmd, sizeof(cmd), "ip -n %s -o link show lo", n->name);
		assert_true(contains(cmd, ",UP,"));
		memset(fwd, 0, sizeof(fwd));
		if (psc_netns_run(n->name, read_forward, fwd, err,
				  sizeof(err)) != 0)
			fail_msg("ip_forward of %s: %s", n->name, err);
		assert_int_equal(fwd[0], n->forwarding ? '1' : '0');
	}
	for (size_t i = 0; i < p->n_vms; i++) {
		const psc_plan_vm *vm = &p->vms[i];
		const char *ns = p->ns[vm->ns].name;
		psc_ip_str(vm->ip, ip, sizeof(ip));
		psc_ip_str(vm->gw, gw, sizeof(gw));
		snprintf(cmd, sizeof(cmd), "ip -n %s -4 -o addr show dev eth0",
			 ns);
		snprintf(want, sizeof(want), "inet %s/32 ", ip);
		assert_true(contains(cmd, want));
		snprintf(cmd, sizeof(cmd), "ip -n %s route show default", ns);
		snprintf(want, sizeof(want), "default via %s dev eth0", gw);
		assert_true(contains(cmd, want));
		snprintf(cmd, sizeof(cmd), PSC_NETNS_ETC_DIR "/%s/resolv.conf",
			 ns);
		struct stat st;
		if (stat(cmd, &st) != 0)
			fail_msg("%s: %s", cmd, strerror(errno));
	}
	/* ip netns exec sees the namespace and its resolv.conf */
	const psc_plan_vm *vm0 = &p->vms[0];
	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /etc/resolv.conf",
		 p->ns[vm0->ns].name);
	assert_true(contains(cmd, "nameserver 169.254.169.254"));
	/* the router forwards (checked the way an operator would) */
	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s cat /proc/sys/net/ipv4/ip_forward",
		 p->ns[p->router_ns[0]].name);
	assert_true(contains(cmd, "1"));
	(void)labname;
}

/* bastion -> broker-node1 through kafka-vpc's router; the consumer VPC has
 * no route to the producer's subnets */
static void expect_reachability(const char *labname, const psc_plan *p)
{
	char cmd[512], ns[PSC_NETNS_NAME_LEN], router[PSC_NETNS_NAME_LEN];
	uint32_t broker;

	expect_tcp_echo(labname, p, "bastion-node", "broker-node1");
	expect_tcp_echo(labname, p, "broker-node3", "broker-node2");
	ns_name(ns, sizeof(ns), labname, "bastion-node");
	if (run_ok("command -v ping >/dev/null 2>&1")) {
		snprintf(cmd, sizeof(cmd),
			 "ip netns exec %s ping -c1 -W1 10.64.0.2", ns);
		assert_true(run_ok(cmd));
	} else {
		printf("# ping is not installed: TCP checked instead\n");
	}

	assert_int_equal(psc_ip_parse("10.64.0.2", &broker, cmd, 64), 0);
	ns_name(router, sizeof(router), labname, "vpc-tidbcloud-vpc");
	snprintf(cmd, sizeof(cmd), "ip -n %s route get 10.64.0.2 2>&1",
		 router);
	assert_false(run_ok(cmd));
	ns_name(ns, sizeof(ns), labname, "changefeed");
	int lfd = listener(p->ns[psc_plan_vm_by_name(p, "broker-node1")->ns]
				   .name, broker);
	int e = connect_from(ns, broker, NULL);
	close(lfd);
	if (e == 0)
		fail_msg("changefeed reached 10.64.0.2 outside PSC");
	printf("# changefeed -> 10.64.0.2:%d: %s (as expected)\n", ECHO_PORT,
	       strerror(e));
}

static void expect_lab_gone(const char *labname)
{
	char prefix[PSC_NETNS_NAME_LEN], cmd[256];
	snprintf(prefix, sizeof(prefix), PSC_NETNS_PREFIX "%s-", labname);
	assert_int_equal(count_prefix(prefix), 0);
	assert_int_equal(count_etc(prefix), 0);
	snprintf(cmd, sizeof(cmd), "ip netns list | grep -c '^%s' || true",
		 prefix);
	assert_true(contains(cmd, "0"));
}

/* ---- tests -------------------------------------------------------------- */

static int check_self(void *arg)
{
	struct stat *st = arg;
	return stat("/proc/thread-self/ns/net", st);
}

static void netns_api(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	const char *name = PREFIX "api";
	char err[512], cmd[256], path[256];
	struct stat self0, self1, inside, file;

	assert_false(psc_netns_exists(name));
	assert_int_equal(psc_netns_create(name, err, sizeof(err)), 0);
	assert_true(psc_netns_exists(name));
	assert_int_equal(psc_netns_create(name, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, name));
	assert_true(contains("ip netns list", name));
	snprintf(cmd, sizeof(cmd), "ip netns exec %s true", name);
	assert_true(run_ok(cmd));

	/* run: inside the namespace, then back */
	snprintf(path, sizeof(path), PSC_NETNS_RUN_DIR "/%s", name);
	assert_int_equal(stat(path, &file), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &self0), 0);
	assert_int_equal(psc_netns_run(name, check_self, &inside, err,
				       sizeof(err)), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &self1), 0);
	assert_true(inside.st_ino == file.st_ino);
	assert_true(self0.st_ino == self1.st_ino);
	assert_true(self0.st_ino != inside.st_ino);
	int fd = psc_netns_open(name, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);

	/* list: sorted, prefix only */
	const char *more = PREFIX "aaa";
	assert_int_equal(psc_netns_create(more, err, sizeof(err)), 0);
	char names[4][PSC_NETNS_NAME_LEN];
	size_t n;
	assert_int_equal(psc_netns_list(PREFIX "a", names, 4, &n, err,
					sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], more);
	assert_string_equal(names[1], name);
	assert_int_equal(psc_netns_list(PREFIX "a", names, 1, &n, err,
					sizeof(err)), -1);

	assert_int_equal(psc_netns_delete(more, err, sizeof(err)), 0);
	assert_int_equal(psc_netns_delete(name, err, sizeof(err)), 0);
	assert_int_equal(psc_netns_delete(name, err, sizeof(err)), 0);
	assert_false(psc_netns_exists(name));
	assert_int_equal(psc_netns_open(name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, name));

	/* only pscLab's names */
	assert_int_equal(psc_netns_create("itfabric-foreign", err,
					  sizeof(err)), -1);
	assert_int_equal(psc_netns_delete("itfabric-foreign", err,
					  sizeof(err)), -1);
	assert_int_equal(psc_netns_create(PSC_NETNS_PREFIX "a/b", err,
					  sizeof(err)), -1);
	expect_host_unchanged("after the namespace API");
}

static void fabric_portmap(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512];
	lab l;

	lab_load(&l, "portmap.yaml", LAB);
	if (psc_fabric_build(l.p, err, sizeof(err)) != 0)
		fail_msg("build: %s", err);
	expect_host_unchanged("with the portmap lab built");
	expect_lab_built(LAB, l.p);
	expect_reachability(LAB, l.p);
	assert_int_equal(count_prefix(PREFIX), l.p->n_ns);
	assert_int_equal(count_etc(PREFIX), l.p->n_vms);

	/* a second build: refused, naming the namespace, the first intact */
	assert_int_equal(psc_fabric_build(l.p, err, sizeof(err)), -1);
	printf("# second build: %s\n", err);
	assert_non_null(strstr(err, l.p->ns[0].name));
	assert_non_null(strstr(err, "File exists"));
	assert_int_equal(count_prefix(PREFIX), l.p->n_ns);
	assert_int_equal(count_etc(PREFIX), l.p->n_vms);
	expect_tcp_echo(LAB, l.p, "bastion-node", "broker-node1");
	expect_host_unchanged("after a refused second build");

	assert_int_equal(psc_fabric_destroy(LAB, err, sizeof(err)), 0);
	expect_lab_gone(LAB);
	assert_int_equal(psc_fabric_destroy(LAB, err, sizeof(err)), 0);
	expect_host_unchanged("after destroy");
	lab_free(&l);
}

static void fabric_proxy(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512], cmd[512], want[64], vip[16];
	lab l;

	lab_load(&l, "proxy.yaml", LAB);
	if (psc_fabric_build(l.p, err, sizeof(err)) != 0)
		fail_msg("build: %s", err);
	expect_host_unchanged("with the proxy lab built");
	expect_lab_built(LAB, l.p);
	expect_reachability(LAB, l.p);
	expect_tcp_echo(LAB, l.p, "bastion-node", "kafka-proxy-node");
	/* the probers' namespace, and the guest agent's local VIP */
	assert_true(l.p->probe_ns >= 0);
	assert_true(psc_netns_exists(l.p->ns[l.p->probe_ns].name));
	assert_true(l.p->n_lbs == 1 && l.p->lbs[0].n_backends == 1);
	const psc_plan_vm *be = &l.p->vms[l.p->lbs[0].backend_vm[0]];
	snprintf(cmd, sizeof(cmd), "ip -n %s -4 -o addr show dev lo",
		 l.p->ns[be->ns].name);
	snprintf(want, sizeof(want), "inet %s/32",
		 psc_ip_str(l.p->lbs[0].vip, vip, sizeof(vip)));
	assert_true(contains(cmd, want));
	snprintf(cmd, sizeof(cmd), "ip -n %s route show table %d",
		 l.p->ns[l.p->lbs[0].router_ns].name, PSC_IG_TABLE_BASE);
	assert_true(contains(cmd, vip));

	assert_int_equal(psc_fabric_destroy(LAB, err, sizeof(err)), 0);
	expect_lab_gone(LAB);
	expect_host_unchanged("after destroy");
	lab_free(&l);
}

/* A namespace of the plan exists already: the build fails half-way (the
 * earlier namespaces made) and removes what it made, only that. */
static void rollback_existing_namespace(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512], taken[PSC_NETNS_NAME_LEN];
	lab l;

	lab_load(&l, "portmap.yaml", LAB);
	ns_name(taken, sizeof(taken), LAB, "changefeed");
	int at = psc_plan_ns_index(l.p, taken);
	assert_true(at > 0);    /* namespaces come before it in the plan */
	assert_int_equal(psc_netns_create(taken, err, sizeof(err)), 0);

	assert_int_equal(psc_fabric_build(l.p, err, sizeof(err)), -1);
	printf("# build over %s: %s\n", taken, err);
	assert_non_null(strstr(err, taken));
	assert_non_null(strstr(err, "File exists"));
	assert_int_equal(count_prefix(PREFIX), 1);
	assert_true(psc_netns_exists(taken));
	assert_int_equal(count_etc(PREFIX), 0);
	expect_host_unchanged("after a rolled back build");

	assert_int_equal(psc_netns_delete(taken, err, sizeof(err)), 0);
	expect_lab_gone(LAB);
	lab_free(&l);
}

/* A route the kernel refuses (its gateway is on no link), after every
 * namespace, link and address was made: all of it goes. */
static void rollback_route(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512];
	lab l;

	lab_load(&l, "portmap.yaml", LAB);
	psc_plan_route *r = &l.p->routes[l.p->n_routes - 1];
	assert_int_equal(psc_ip_parse("198.51.100.1", &r->via, err, 64), 0);
	r->table = 0;
	assert_int_equal(psc_fabric_build(l.p, err, sizeof(err)), -1);
	printf("# bad route: %s\n", err);
	assert_non_null(strstr(err, "route "));
	assert_non_null(strstr(err, "via 198.51.100.1"));
	assert_non_null(strstr(err, l.p->ns[r->ns].name));
	expect_lab_gone(LAB);
	expect_host_unchanged("after a rolled back build");
	lab_free(&l);
}

/* /etc/netns/<changefeed>/resolv.conf is someone else's: refused, and the
 * rollback removes pscLab's files but not that one. */
static void rollback_etc(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512], ns[PSC_NETNS_NAME_LEN], dir[256], file[320];
	lab l;

	lab_load(&l, "portmap.yaml", LAB);
	ns_name(ns, sizeof(ns), LAB, "changefeed");
	snprintf(dir, sizeof(dir), PSC_NETNS_ETC_DIR "/%s", ns);
	snprintf(file, sizeof(file), "%s/resolv.conf", dir);
	mkdir(PSC_NETNS_ETC_DIR, 0755);
	assert_int_equal(mkdir(dir, 0755), 0);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("nameserver 192.0.2.53\n", fp);
	fclose(fp);

	assert_int_equal(psc_fabric_build(l.p, err, sizeof(err)), -1);
	printf("# foreign resolv.conf: %s\n", err);
	assert_non_null(strstr(err, file));
	assert_int_equal(count_prefix(PREFIX), 0);
	assert_int_equal(count_etc(PREFIX), 1);
	assert_true(contains("cat " PSC_NETNS_ETC_DIR "/" PREFIX
			     "changefeed/resolv.conf", "192.0.2.53"));
	/* destroy leaves it too, and says so */
	assert_int_equal(psc_fabric_destroy(LAB, err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	expect_lab_gone(LAB);
	expect_host_unchanged("after a rolled back build");
	lab_free(&l);
}

/* "itfabric-x"'s namespaces start with "psclab-itfabric-" too: destroying
 * "itfabric" leaves them. */
static void destroy_keeps_other_lab(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	char err[512], prefix2[PSC_NETNS_NAME_LEN];
	lab a, b;

	snprintf(prefix2, sizeof(prefix2), PSC_NETNS_PREFIX LAB2 "-");
	lab_load(&a, "portmap.yaml", LAB);
	lab_load(&b, "portmap.yaml", LAB2);
	if (psc_fabric_build(a.p, err, sizeof(err)) != 0 ||
	    psc_fabric_build(b.p, err, sizeof(err)) != 0)
		fail_msg("build: %s", err);
	assert_int_equal(count_prefix(PREFIX), a.p->n_ns + b.p->n_ns);
	assert_int_equal(psc_fabric_destroy(LAB, err, sizeof(err)), 0);
	assert_int_equal(count_prefix(PREFIX), b.p->n_ns);
	assert_int_equal(count_prefix(prefix2), b.p->n_ns);
	assert_int_equal(count_etc(prefix2), b.p->n_vms);
	expect_tcp_echo(LAB2, b.p, "bastion-node", "broker-node1");
	assert_int_equal(psc_fabric_destroy(LAB2, err, sizeof(err)), 0);
	expect_lab_gone(LAB);
	expect_lab_gone(LAB2);
	expect_host_unchanged("after two labs");
	lab_free(&a);
	lab_free(&b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void fabric_timing(void **state)
{
	(void)state;
	SKIP_IF_NEEDED();
	double ms[BENCH_RUNS], build[BENCH_RUNS];
	char err[512];
	lab l;

	lab_load(&l, "portmap.yaml", LAB);
	for (int i = 0; i < BENCH_RUNS; i++) {
		double t0 = now_ms();
		if (psc_fabric_build(l.p, err, sizeof(err)) != 0)
			fail_msg("build: %s", err);
		double t1 = now_ms();
		if (psc_fabric_destroy(LAB, err, sizeof(err)) != 0)
			fail_msg("destroy: %s", err);
		ms[i] = now_ms() - t0;
		build[i] = t1 - t0;
	}
	qsort(ms, BENCH_RUNS, sizeof(ms[0]), cmp_double);
	qsort(build, BENCH_RUNS, sizeof(build[0]), cmp_double);
	printf("# fabric build+destroy: %.1f ms (portmap, %zu namespaces, "
	       "median of %d; build alone %.1f ms; min %.1f, max %.1f)\n",
	       ms[BENCH_RUNS / 2], l.p->n_ns, BENCH_RUNS,
	       build[BENCH_RUNS / 2], ms[0], ms[BENCH_RUNS - 1]);
	fflush(stdout);
	expect_lab_gone(LAB);
	expect_host_unchanged("after the timing runs");
	lab_free(&l);
}

/* ---- group -------------------------------------------------------------- */

static bool file_has(const char *path, const char *needle)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "re");
	if (!fp)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return strstr(buf, needle) != NULL;
}

static void cleanup_leftovers(void)
{
	char err[512], dir[256], file[320];
	destroy_quiet(LAB);
	destroy_quiet(LAB2);
	/* what the tests themselves create */
	psc_netns_delete(PREFIX "api", err, sizeof(err));
	psc_netns_delete(PREFIX "aaa", err, sizeof(err));
	psc_netns_delete(PREFIX "changefeed", err, sizeof(err));
	snprintf(dir, sizeof(dir), PSC_NETNS_ETC_DIR "/" PREFIX "changefeed");
	snprintf(file, sizeof(file), "%s/resolv.conf", dir);
	if (file_has(file, "192.0.2.53"))
		unlink(file);
	rmdir(dir);
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		snprintf(g.skip, sizeof(g.skip), "not root: network "
			 "namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN");
		return 0;
	}
	if (!run_ok("command -v ip >/dev/null 2>&1")) {
		snprintf(g.skip, sizeof(g.skip), "iproute2's ip is not "
			 "installed (make deps)");
		return 0;
	}
	cleanup_leftovers();    /* of an earlier run that was killed */
	g.host = host_snapshot();
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	if (!g.skip[0])
		cleanup_leftovers();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!g.skip[0]) {
		cleanup_leftovers();
		char *now = host_snapshot();
		if (strcmp(now, g.host) != 0)
			printf("# the host's network changed during the "
			       "tests\n");
		free(now);
	}
	free(g.host);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(netns_api, test_teardown),
		cmocka_unit_test_teardown(fabric_portmap, test_teardown),
		cmocka_unit_test_teardown(fabric_proxy, test_teardown),
		cmocka_unit_test_teardown(rollback_existing_namespace,
					  test_teardown),
		cmocka_unit_test_teardown(rollback_route, test_teardown),
		cmocka_unit_test_teardown(rollback_etc, test_teardown),
		cmocka_unit_test_teardown(destroy_keeps_other_lab,
					  test_teardown),
		cmocka_unit_test_teardown(fabric_timing, test_teardown),
	};
	return cmocka_run_group_tests_name("fabric", tests, group_setup,
					   group_teardown);
}
