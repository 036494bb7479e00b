/* bench_network - `make bench`, the network: what a user runs, `pscLab up
 * <topology> --network-only` then `pscLab down` through the real CLI (lab
 * perf-bench: a copy of the topology under that name), against the same
 * network built and torn down by a script of `ip` and `nft` commands, and
 * the kernel work alone (the library's libnl + libnftables build and
 * teardown, without the CLI or the services; lab perf-kern, as the script's
 * namespaces).  One run, the three ways alternated (a rotating order),
 * RUNS rounds, medians with min and max.  Goals: the script over the CLI's
 * up+down >= GOAL_RATIO, and the services' start over the kernel work (up's
 * own progress: from its nftables line to its services line) at most
 * GOAL_SERVICES_MS.  Verdicts are taken on the figures as printed.  Root;
 * every lab is removed after each round and at the end, also on a failure
 * or SIGINT; each command is bounded by CMD_TIMEOUT_S.
 *
 *   bench_network [--json FILE] [--cli bin/pscLab] [topology.yaml]
 *
 * `bench_network --scale [pscLab]`: the network of 3, 12 and 30 brokers
 * (tests/scale/gen.sh, labs scale-<N>) through the real CLI path, `pscLab
 * up <file> --network-only` then `pscLab down scale-<N>`, SCALE_RUNS
 * rounds each, median; per broker, against the goals (30 brokers' network
 * up in <= 0.5 s; linear: the cost of a broker from 12 to 30 at most 1.5x
 * that from 3 to 12).  Every lab is brought down after each round, also
 * when a step fails; each command is bounded by CMD_TIMEOUT_S.
 *
 * --json FILE merges the figures (every run, the machine, the load average
 * before and after) into FILE as "network" or "scale" (bench_json.h). */
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

#include "bench_json.h"

#define RUNS 11

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

static int scale_report(const struct scale_run *s, size_t k, json_t *j)
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
	double up30 = bench_shown(s[2].up_ms, 1), r = bench_shown(lin, 2);
	bool ok30 = up30 <= GOAL_30_MS, oklin = a > 0 && r <= GOAL_LINEAR;
	printf("  a broker more: %.2f ms (%d..%d), %.2f ms (%d..%d): %.2fx "
	       "(goal: <= %.2fx, linear) %s\n", a, s[0].n, s[1].n, b, s[1].n,
	       s[2].n, r, GOAL_LINEAR, oklin ? "PASS" : "MISS");
	printf("  %d brokers' network up: %.1f ms (goal: <= %.1f ms) %s\n",
	       s[2].n, up30, GOAL_30_MS, ok30 ? "PASS" : "MISS");
	json_t *sizes = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append_new(sizes, json_pack(
			"{s:i,s:f,s:f,s:o,s:o}", "brokers", s[i].n, "up_ms",
			s[i].up_ms, "down_ms", s[i].down_ms, "up_runs_ms",
			bench_runs(s[i].up, SCALE_RUNS), "down_runs_ms",
			bench_runs(s[i].down, SCALE_RUNS)));
	json_object_set_new(j, "sizes", sizes);
	json_object_set_new(j, "linear", json_pack("{s:f,s:f,s:s}", "value",
		r, "goal_max", GOAL_LINEAR, "verdict", oklin ? "PASS" : "MISS"));
	json_object_set_new(j, "up_30_ms", json_pack("{s:f,s:f,s:s}", "value",
		up30, "goal_max", GOAL_30_MS, "verdict", ok30 ? "PASS" : "MISS"));
	return ok30 && oklin ? 0 : 1;
}

static int scale_main(const char *cli, const char *json)
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
	json_t *j = json_object();
	json_object_set_new(j, "load_before", bench_loadavg());
	for (size_t i = 0; i < k && rc == 0; i++)
		if (scale_one(cli, dir, &s[i]) < 0)
			rc = 1;
	json_object_set_new(j, "load_after", bench_loadavg());
	if (rc == 0)
		rc = scale_report(s, k, j);
	if (rc != 0 && rc != 1)
		rc = 1;
	if (json && bench_json_merge(json, "scale", j) < 0)
		rc = 1;
	else if (!json)
		json_decref(j);
	char rm[700];
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		fprintf(stderr, "bench_network: could not remove %s\n", dir);
	return rc;
}

/* ---- the network as a user gets it: the CLI against ip/nft ---- */

#define KERN_LAB "perf-kern"     /* the library's and the script's lab */
#define CLI_LAB "perf-bench"     /* the CLI's lab */
#define GOAL_RATIO 3.0
#define GOAL_SERVICES_MS 5.0

static volatile sig_atomic_t interrupted;

static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

enum { S_KUP, S_KDOWN, S_KERN, S_SCRIPT, S_UP, S_DOWN, S_UPDOWN, S_WAIT,
       S_OVER, N_SERIES };

static const char *const series_key[N_SERIES] = {
	"kernel_build", "kernel_teardown", "kernel_total", "ip_nft_script",
	"cli_up", "cli_down", "cli_up_down", "services_wait",
	"up_over_kernel_build"};

struct series {
	double v[RUNS];
	double med, min, max;
};

static void series_stats(struct series *s)
{
	double sorted[RUNS];
	memcpy(sorted, s->v, sizeof(sorted));
	qsort(sorted, RUNS, sizeof(double), cmp);
	s->med = sorted[RUNS / 2];
	s->min = sorted[0];
	s->max = sorted[RUNS - 1];
}

/* file with its top-level `name:` replaced by lab, into out */
static int renamed_copy(const char *file, const char *lab, const char *out)
{
	char line[4096];
	FILE *in = fopen(file, "r"), *o = fopen(out, "w");
	int seen = 0;
	while (in && o && fgets(line, sizeof(line), in)) {
		if (strncmp(line, "name:", 5) == 0) {
			fprintf(o, "name: %s\n", lab);
			seen = 1;
		} else {
			fputs(line, o);
		}
	}
	if (in)
		fclose(in);
	if (o && fclose(o) != 0)
		seen = 0;
	return seen ? 0 : -1;
}

/* what up's progress said: the ms of its nftables line and of its
 * services line; the services' wait is their difference */
static int up_wait(const char *log, double *wait)
{
	char line[1024];
	double nft = -1, svc = -1, ms;
	int off;
	FILE *f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "[%lf ms] %n", &ms, &off) != 1)
			continue;
		if (strstr(line + off, "in nftables"))
			nft = ms;
		else if (strncmp(line + off, "DNS stubs", 9) == 0)
			svc = ms;
	}
	if (f)
		fclose(f);
	*wait = svc - nft;
	return nft >= 0 && svc >= 0 ? 0 : -1;
}

/* one CLI round: up --network-only, its progress read, then down
 * (always, also when up failed); ms into s[] */
static int cli_round(const char *cli, const char *file, const char *log,
		     struct series *s, int r)
{
	char *up_argv[] = {(char *)cli, "up", (char *)file, "--network-only",
			   NULL};
	char *down_argv[] = {(char *)cli, "down", CLI_LAB, NULL};
	char dlog[620];
	double t0 = now_ms();
	int rc = run_cmd(up_argv, log);
	s[S_UP].v[r] = now_ms() - t0;
	if (rc != 0)
		fprintf(stderr, "bench_network: %s up %s --network-only: exit "
			"%d (its output: %s)\n", cli, file, rc, log);
	else if (up_wait(log, &s[S_WAIT].v[r]) < 0) {
		fprintf(stderr, "bench_network: up's progress lines are not in "
			"%s\n", log);
		rc = -1;
	}
	snprintf(dlog, sizeof(dlog), "%s.down", log);
	t0 = now_ms();
	int rd = run_cmd(down_argv, dlog);
	s[S_DOWN].v[r] = now_ms() - t0;
	if (rd != 0)
		fprintf(stderr, "bench_network: %s down %s: exit %d (its output: "
			"%s)\n", cli, CLI_LAB, rd, dlog);
	s[S_UPDOWN].v[r] = s[S_UP].v[r] + s[S_DOWN].v[r];
	return rc == 0 && rd == 0 ? 0 : -1;
}

/* one library round: the kernel work alone, built and torn down */
static int kern_round(const psc_plan *p, struct series *s, int r)
{
	char err[1024], e2[1024];
	double t0 = now_ms();
	int rc = build_psclab(p, err, sizeof(err));
	s[S_KUP].v[r] = now_ms() - t0;
	t0 = now_ms();
	if (psc_fabric_destroy(KERN_LAB, e2, sizeof(e2)) < 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s", e2);
		rc = -1;
	}
	s[S_KDOWN].v[r] = now_ms() - t0;
	s[S_KERN].v[r] = s[S_KUP].v[r] + s[S_KDOWN].v[r];
	if (rc < 0)
		fprintf(stderr, "bench_network: %s\n", err);
	return rc;
}

static int script_round(const char *script, struct series *s, int r)
{
	char sh[700];
	snprintf(sh, sizeof(sh), "sh %s >/dev/null 2>&1", script);
	double t0 = now_ms();
	int st = system(sh);
	s[S_SCRIPT].v[r] = now_ms() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_network: the ip/nft script failed (%s)\n",
			script);
		return -1;
	}
	return 0;
}

/* RUNS rounds, the three ways in a rotating order */
static int rounds(const char *cli, const psc_plan *p, const char *dir,
		  struct series *s)
{
	char file[600], log[600], script[600];
	snprintf(file, sizeof(file), "%s/" CLI_LAB ".yaml", dir);
	snprintf(log, sizeof(log), "%s/" CLI_LAB ".log", dir);
	snprintf(script, sizeof(script), "%s/build.sh", dir);
	for (int r = 0; r < RUNS; r++) {
		for (int k = 0; k < 3; k++) {
			int way = (r + k) % 3, rc;
			if (interrupted)
				return -1;
			rc = way == 0 ? kern_round(p, s, r)
			   : way == 1 ? script_round(script, s, r)
				      : cli_round(cli, file, log, s, r);
			if (rc < 0)
				return -1;
		}
		s[S_OVER].v[r] = s[S_UP].v[r] - s[S_KUP].v[r];
		fprintf(stderr, "# run %d: kernel %.1f+%.1f ms, ip/nft %.1f ms, "
			"CLI up %.1f (services' wait %.1f) + down %.1f ms\n", r,
			s[S_KUP].v[r], s[S_KDOWN].v[r], s[S_SCRIPT].v[r],
			s[S_UP].v[r], s[S_WAIT].v[r], s[S_DOWN].v[r]);
	}
	return 0;
}

/* the table and its verdicts; 0 when both goals are met */
static int net_report(const char *file, const psc_plan *p, struct series *s,
		      json_t *j)
{
	for (int i = 0; i < N_SERIES; i++)
		series_stats(&s[i]);
	printf("network, %s (%zu namespaces, %zu veth pairs, %zu routes), "
	       "median of %d, alternated, ms (min..max):\n", file, p->n_ns,
	       p->n_links, p->n_routes, RUNS);
	static const char *const label[N_SERIES] = {
		"kernel work alone: build (libnl + libnftables)",
		"kernel work alone: teardown", "kernel work alone: total",
		"ip + nft commands (build + teardown)",
		"pscLab up --network-only (CLI)", "pscLab down (CLI)",
		"pscLab up + down (CLI)",
		"up's wait for its services after nftables",
		"up over the kernel build (exec, lint, journal...)"};
	for (int i = 0; i < N_SERIES; i++)
		printf("  %-50s %7.1f (%.1f..%.1f)\n", label[i], s[i].med,
		       s[i].min, s[i].max);
	double ratio = bench_shown(s[S_SCRIPT].med / s[S_UPDOWN].med, 2);
	double wait = bench_shown(s[S_WAIT].med, 1);
	bool ok_ratio = ratio >= GOAL_RATIO, ok_wait = wait <= GOAL_SERVICES_MS;
	printf("  ip/nft over CLI up+down: %.2fx (goal: >= %.2fx) %s\n", ratio,
	       GOAL_RATIO, ok_ratio ? "PASS" : "MISS");
	printf("  services' start over the kernel work: %.1f ms (goal: <= "
	       "%.1f ms) %s\n", wait, GOAL_SERVICES_MS,
	       ok_wait ? "PASS" : "MISS");
	json_t *ser = json_object();
	for (int i = 0; i < N_SERIES; i++)
		json_object_set_new(ser, series_key[i], json_pack(
			"{s:f,s:f,s:f,s:o}", "median_ms", s[i].med, "min_ms",
			s[i].min, "max_ms", s[i].max, "runs_ms",
			bench_runs(s[i].v, RUNS)));
	json_object_set_new(j, "topology", json_string(file));
	json_object_set_new(j, "rounds", json_integer(RUNS));
	json_object_set_new(j, "series", ser);
	json_object_set_new(j, "ratio_ip_nft_over_cli", json_pack(
		"{s:f,s:f,s:s}", "value", ratio, "goal_min", GOAL_RATIO,
		"verdict", ok_ratio ? "PASS" : "MISS"));
	json_object_set_new(j, "services_over_kernel_ms", json_pack(
		"{s:f,s:f,s:s}", "value", wait, "goal_max", GOAL_SERVICES_MS,
		"verdict", ok_wait ? "PASS" : "MISS"));
	return ok_ratio && ok_wait ? 0 : 1;
}

/* everything the rounds may have left: the CLI's lab, the kernel's */
static void net_cleanup(const char *cli, const char *dir)
{
	char err[512], rm[700];
	char *down_argv[] = {(char *)cli, "down", CLI_LAB, NULL};
	run_cmd(down_argv, "/dev/null");
	psc_fabric_destroy(KERN_LAB, err, sizeof(err));
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		fprintf(stderr, "bench_network: could not remove %s\n", dir);
}

static int net_main(const char *file, const char *cli, const char *json)
{
	psc_diags d;
	bool unreadable;
	char err[1024], path[600];
	static psc_plan p;
	static struct series s[N_SERIES];

	psc_diags_init(&d, file);
	psc_topology *t = psc_topology_load_file(file, &d, &unreadable);
	psc_diags_free(&d);
	if (!t) {
		fprintf(stderr, "bench_network: cannot load %s\n", file);
		return 2;
	}
	snprintf(t->name, sizeof(t->name), KERN_LAB);
	if (psc_plan_build(t, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_network: %s\n", err);
		return 2;
	}
	char dir[] = "/tmp/psclab-perf-bench.XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/" CLI_LAB ".yaml", dir);
	if (renamed_copy(file, CLI_LAB, path) < 0) {
		fprintf(stderr, "bench_network: cannot copy %s to %s\n", file,
			path);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/build.sh", dir);
	FILE *f = fopen(path, "w");
	write_ip_script(&p, f, dir);
	fclose(f);

	struct sigaction sa = {.sa_handler = on_int};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	json_t *j = json_object();
	json_object_set_new(j, "load_before", bench_loadavg());
	net_cleanup(cli, "/nonexistent-dir");   /* a killed run's leftovers */
	bool ran = rounds(cli, &p, dir, s) == 0;
	net_cleanup(cli, dir);
	json_object_set_new(j, "load_after", bench_loadavg());
	/* a goal missed (1) is a figure too: written like a PASS */
	int rc = ran ? net_report(file, &p, s, j) : 1;
	if (ran && json && bench_json_merge(json, "network", j) < 0)
		rc = 1;
	else if (!ran || !json)
		json_decref(j);
	psc_topology_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	const char *json = NULL, *cli = "bin/pscLab";
	int a = 1;
	for (; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--json") == 0)
			json = argv[a + 1];
		else if (strcmp(argv[a], "--cli") == 0)
			cli = argv[a + 1];
		else
			break;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_network: needs root\n");
		return 2;
	}
	if (a < argc && strcmp(argv[a], "--scale") == 0)
		return scale_main(a + 1 < argc ? argv[a + 1] : cli, json);
	if (access(cli, X_OK) != 0) {
		fprintf(stderr, "bench_network: %s: %s; run `make` first\n", cli,
			strerror(errno));
		return 2;
	}
	return net_main(a < argc ? argv[a] : "topologies/portmap.yaml", cli,
			json);
}
