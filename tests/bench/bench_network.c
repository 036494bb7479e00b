/* bench_network - `make bench`: the portmap network (namespaces, veths,
 * addresses, routes, sysctls, nftables) built and torn down by pscLab's
 * library, against the same network built with `ip` and `nft` commands,
 * in one run, alternating, median of RUNS each.  Root; every namespace is
 * named psclab-bench-* and removed after each round. */
#define _GNU_SOURCE
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

int main(int argc, char **argv)
{
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
	printf("  ratio: %.1fx faster (goal: 10x)\n", mc / ml);
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	if (system(script) != 0)
		fprintf(stderr, "bench_network: could not remove %s\n", dir);
	psc_topology_free(t);
	return 0;
}
