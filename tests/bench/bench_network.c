/* bench_network - `make bench`: the portmap network (namespaces, veths,
 * addresses, routes, sysctls, nftables) built and torn down by pscLab's
 * library, against the same network built with `ip` and `nft` commands,
 * in one run, alternating, median of RUNS each.  Root; every namespace is
 * named psclab-bench-* and removed after each round.
 *
 * `bench_network --scale [pscLab]`: the network of 3, 12 and 30 brokers
 * (tests/scale/gen.sh, labs scale-<N>) through the real CLI path, `pscLab
 * up <file> --network-only` then `pscLab down scale-<N>`, SCALE_RUNS
 * rounds each, median; per broker, against the goals (30 brokers' network
 * up in <= 0.5 s; linear: the cost of a broker from 12 to 30 at most 1.5x
 * that from 3 to 12).  Every lab is brought down after each round, also
 * when a step fails; each command is bounded by CMD_TIMEOUT_S. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/addr.h"
#include "fabric/netns.h"
#include "fabric/nft.h"
#include "plan/nftgen.h"
#include "plan/plan.h"
#include "model/topology.h"
#include "model/topology_load.h"

#define RUNS 7

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double t_fabric, t_nft;   /* last build's parts */

static int build_psclab(const psc_plan *p, char *err, size_t errlen)
{
	psc_lb_health h;
	psc_lb_health_all(p, &h);
	double t0 = now_ms();
	if (psc_fabric_build(p, err, errlen) < 0)
		return -1;
	t_fabric = now_ms() - t0;
	t0 = now_ms();
	const char *ns[PSC_MAX_NETWORKS + 1];
	char *scripts[PSC_MAX_NETWORKS + 1];
	size_t k = 0;
	for (size_t n = 0; n < p->t->n_networks; n++) {
		ns[k] = p->ns[p->router_ns[n]].name;
		scripts[k++] = psc_nft_router_text(p, n, &h);
	}
	ns[k] = p->ns[p->psc_ns].name;
	scripts[k++] = psc_nft_psc_text(p);
	int rc = psc_nft_apply_all(ns, (const char *const *)scripts, k, err,
				   errlen);
	for (size_t i = 0; i < k; i++)
		free(scripts[i]);
	t_nft = now_ms() - t0;
	return rc;
}

/* the same network as a shell script of ip and nft commands */
static void write_ip_script(const psc_plan *p, FILE *f, const char *dir)
{
	char a[16], b[16];
	psc_lb_health h;
	psc_lb_health_all(p, &h);
	fprintf(f, "set -e\n");
	for (size_t i = 0; i < p->n_ns; i++) {
		fprintf(f, "ip netns add %s\n", p->ns[i].name);
		fprintf(f, "ip -n %s link set lo up\n", p->ns[i].name);
		fprintf(f, "ip netns exec %s sysctl -qw net.ipv4.ip_forward=%d\n",
			p->ns[i].name, p->ns[i].forwarding);
	}
	for (size_t i = 0; i < p->n_links; i++) {
		const psc_plan_link *l = &p->links[i];
		fprintf(f, "ip link add %s netns %s type veth peer name %s "
			   "netns %s\n", l->a.ifname, p->ns[l->a.ns].name,
			l->b.ifname, p->ns[l->b.ns].name);
		const psc_plan_end *e[2] = {&l->a, &l->b};
		for (int k = 0; k < 2; k++) {
			if (e[k]->addr)
				fprintf(f, "ip -n %s addr add %s/%u dev %s\n",
					p->ns[e[k]->ns].name,
					psc_ip_str(e[k]->addr, a, 16),
					e[k]->plen, e[k]->ifname);
			fprintf(f, "ip -n %s link set %s up\n",
				p->ns[e[k]->ns].name, e[k]->ifname);
		}
	}
	for (size_t i = 0; i < p->n_addrs; i++)
		fprintf(f, "ip -n %s addr add %s/%u dev %s\n",
			p->ns[p->addrs[i].ns].name,
			psc_ip_str(p->addrs[i].addr, a, 16), p->addrs[i].plen,
			p->addrs[i].ifname);
	for (size_t i = 0; i < p->n_routes; i++) {
		const psc_plan_route *r = &p->routes[i];
		fprintf(f, "ip -n %s route replace %s/%u", p->ns[r->ns].name,
			psc_ip_str(r->dst, a, 16), r->plen);
		if (r->via)
			fprintf(f, " via %s", psc_ip_str(r->via, b, 16));
		fprintf(f, " dev %s", r->ifname);
		if (r->table)
			fprintf(f, " table %u", r->table);
		fprintf(f, "\n");
	}
	for (size_t n = 0; n < p->t->n_networks; n++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/router%zu.nft", dir, n);
		FILE *g = fopen(path, "w");
		psc_nft_router_script(p, n, &h, g);
		fclose(g);
		fprintf(f, "ip netns exec %s nft -f %s\n",
			p->ns[p->router_ns[n]].name, path);
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/psc.nft", dir);
	FILE *g = fopen(path, "w");
	psc_nft_psc_script(p, g);
	fclose(g);
	fprintf(f, "ip netns exec %s nft -f %s\n", p->ns[p->psc_ns].name, path);
	for (size_t i = 0; i < p->n_ns; i++)
		fprintf(f, "ip netns del %s\n", p->ns[i].name);
}

/* ---- --scale: the real CLI path for 3, 12, 30 brokers ---- */

#define SCALE_RUNS 7
#define CMD_TIMEOUT_S 60
#define GOAL_30_MS 500.0
#define GOAL_LINEAR 1.5

static void on_alarm(int sig)
{
	(void)sig;       /* only interrupts waitpid */
}

/* argv with stdout and stderr into log; its exit status, -1 when it could
 * not run or was killed after CMD_TIMEOUT_S */
static int run_cmd(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	struct sigaction sa = {.sa_handler = on_alarm};   /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarm(CMD_TIMEOUT_S);
	int st;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR) {
		kill(pid, SIGKILL);          /* over its time: by its pid */
		alarm(0);
	}
	alarm(0);
	if (w < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The value as printed with prec decimals: a verdict taken on it matches
 * the figure shown (0.95 >= 0.95 is then a PASS). */
static double shown(double v, int prec)
{
	char b[64];
	snprintf(b, sizeof(b), "%.*f", prec, v);
	return strtod(b, NULL);
}

struct scale_run {
	int n;                   /* brokers */
	double up[SCALE_RUNS], down[SCALE_RUNS];
	double up_ms, down_ms;   /* medians */
};

/* one round: up --network-only, then down (always) */
static int scale_round(const char *cli, const char *file, const char *lab,
		       const char *log, double *up, double *down)
{
	char *up_argv[] = {(char *)cli, "up", (char *)file, "--network-only",
			   NULL};
	char *down_argv[] = {(char *)cli, "down", (char *)lab, NULL};
	double t0 = now_ms();
	int rc = run_cmd(up_argv, log);
	*up = now_ms() - t0;
	if (rc != 0) {
		fprintf(stderr, "bench_network: %s up %s --network-only: exit "
			"%d; its output:\n", cli, file, rc);
		char cat[700];
		snprintf(cat, sizeof(cat), "cat %s >&2", log);
		if (system(cat) != 0)
			fprintf(stderr, "(%s cannot be read)\n", log);
	}
	t0 = now_ms();
	int rd = run_cmd(down_argv, rc != 0 ? "/dev/null" : log);
	*down = now_ms() - t0;
	if (rd != 0 && rc == 0)
		fprintf(stderr, "bench_network: %s down %s: exit %d (see %s)\n",
			cli, lab, rd, log);
	return rc == 0 && rd == 0 ? 0 : -1;
}

static int scale_one(const char *cli, const char *dir, struct scale_run *s)
{
	char file[600], lab[32], log[600], gen[700];
	snprintf(file, sizeof(file), "%s/scale-%d.yaml", dir, s->n);
	snprintf(lab, sizeof(lab), "scale-%d", s->n);
	snprintf(log, sizeof(log), "%s/scale-%d.log", dir, s->n);
	snprintf(gen, sizeof(gen), "tests/scale/gen.sh %d > %s", s->n, file);
	if (system(gen) != 0) {
		fprintf(stderr, "bench_network: %s failed\n", gen);
		return -1;
	}
	char *down_argv[] = {(char *)cli, "down", lab, NULL};
	run_cmd(down_argv, "/dev/null");      /* a leftover of a killed run */
	for (int r = 0; r < SCALE_RUNS; r++) {
		if (scale_round(cli, file, lab, log, &s->up[r], &s->down[r]) < 0)
			return -1;
		fprintf(stderr, "# %d brokers, run %d: up %.1f ms, down %.1f "
			"ms\n", s->n, r, s->up[r], s->down[r]);
	}
	qsort(s->up, SCALE_RUNS, sizeof(double), cmp);
	qsort(s->down, SCALE_RUNS, sizeof(double), cmp);
	s->up_ms = s->up[SCALE_RUNS / 2];
	s->down_ms = s->down[SCALE_RUNS / 2];
	return 0;
}

static int scale_report(const struct scale_run *s, size_t k)
{
	printf("network through the CLI (pscLab up <gen N> --network-only, "
	       "pscLab down), median of %d, ms:\n", SCALE_RUNS);
	printf("  brokers      up   per broker     down   per broker\n");
	for (size_t i = 0; i < k; i++)
		printf("  %7d %7.1f %12.2f %8.1f %12.2f\n", s[i].n, s[i].up_ms,
		       s[i].up_ms / s[i].n, s[i].down_ms,
		       s[i].down_ms / s[i].n);
	/* the cost of one more broker, between the sizes */
	double a = (s[1].up_ms - s[0].up_ms) / (s[1].n - s[0].n);
	double b = (s[2].up_ms - s[1].up_ms) / (s[2].n - s[1].n);
	double lin = a > 0 ? b / a : 0;
	double up30 = shown(s[2].up_ms, 1), r = shown(lin, 2);
	bool ok30 = up30 <= GOAL_30_MS, oklin = a > 0 && r <= GOAL_LINEAR;
	printf("  a broker more: %.2f ms (%d..%d), %.2f ms (%d..%d): %.2fx "
	       "(goal: <= %.2fx, linear) %s\n", a, s[0].n, s[1].n, b, s[1].n,
	       s[2].n, r, GOAL_LINEAR, oklin ? "PASS" : "MISS");
	printf("  %d brokers' network up: %.1f ms (goal: <= %.1f ms) %s\n",
	       s[2].n, up30, GOAL_30_MS, ok30 ? "PASS" : "MISS");
	return ok30 && oklin ? 0 : 1;
}

static int scale_main(const char *cli)
{
	struct scale_run s[] = {{.n = 3}, {.n = 12}, {.n = 30}};
	size_t k = sizeof(s) / sizeof(s[0]);
	char dir[] = "/tmp/psclab-bench-scale.XXXXXX";
	if (access(cli, X_OK) != 0) {
		fprintf(stderr, "bench_network: %s: %s; run `make` first\n",
			cli, strerror(errno));
		return 2;
	}
	if (!mkdtemp(dir))
		return 2;
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++)
		if (scale_one(cli, dir, &s[i]) < 0)
			rc = 1;
	if (rc == 0)
		rc = scale_report(s, k);
	char rm[700];
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		fprintf(stderr, "bench_network: could not remove %s\n", dir);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--scale") == 0) {
		if (geteuid() != 0) {
			fprintf(stderr, "bench_network: needs root\n");
			return 2;
		}
		return scale_main(argc > 2 ? argv[2] : "bin/pscLab");
	}
	const char *file = argc > 1 ? argv[1] : "topologies/portmap.yaml";
	psc_diags d;
	bool unreadable;
	char err[1024];
	static psc_plan p;
	double lib[RUNS], cmd[RUNS];

	if (geteuid() != 0) {
		fprintf(stderr, "bench_network: needs root\n");
		return 2;
	}
	psc_diags_init(&d, file);
	psc_topology *t = psc_topology_load_file(file, &d, &unreadable);
	psc_diags_free(&d);
	if (!t) {
		fprintf(stderr, "bench_network: cannot load %s\n", file);
		return 2;
	}
	snprintf(t->name, sizeof(t->name), "bench");
	if (psc_plan_build(t, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_network: %s\n", err);
		return 2;
	}
	char dir[] = "/tmp/psclab-bench.XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char script[600];
	snprintf(script, sizeof(script), "%s/build.sh", dir);
	FILE *f = fopen(script, "w");
	write_ip_script(&p, f, dir);
	fclose(f);

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ms();
		if (build_psclab(&p, err, sizeof(err)) < 0 ||
		    psc_fabric_destroy("bench", err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_network: %s\n", err);
			psc_fabric_destroy("bench", err, sizeof(err));
			return 1;
		}
		lib[r] = now_ms() - t0;
		fprintf(stderr, "# run %d: fabric %.1f ms, nftables %.1f ms, "
			"teardown %.1f ms\n", r, t_fabric, t_nft,
			lib[r] - t_fabric - t_nft);
		char sh[700];
		snprintf(sh, sizeof(sh), "sh %s >/dev/null 2>&1", script);
		t0 = now_ms();
		int st = system(sh);
		cmd[r] = now_ms() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "bench_network: the ip/nft script failed "
				"(%s)\n", script);
			psc_fabric_destroy("bench", err, sizeof(err));
			return 1;
		}
	}
	qsort(lib, RUNS, sizeof(double), cmp);
	qsort(cmd, RUNS, sizeof(double), cmp);
	double ml = lib[RUNS / 2], mc = cmd[RUNS / 2];
	printf("network build+teardown, %s (%zu namespaces, %zu veth pairs, "
	       "%zu routes), median of %d:\n", file, p.n_ns, p.n_links,
	       p.n_routes, RUNS);
	printf("  pscLab (libnl + libnftables): %8.1f ms (min %.1f, max %.1f)\n",
	       ml, lib[0], lib[RUNS - 1]);
	printf("  ip + nft commands:            %8.1f ms (min %.1f, max %.1f)\n",
	       mc, cmd[0], cmd[RUNS - 1]);
	printf("  ratio: %.2fx faster (goal: 10x)\n", mc / ml);
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	if (system(script) != 0)
		fprintf(stderr, "bench_network: could not remove %s\n", dir);
	psc_topology_free(t);
	return 0;
}
