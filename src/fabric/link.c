/* link.c - links up/down and netem qdiscs in a lab namespace (link.h). */
#define _GNU_SOURCE
#include "fabric/link.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "fabric/netns.h"

struct link_job {
	const char *ifname;
	bool up;
	const psc_netem *netem;   /* NULL: clear */
	char why[256];
};

static struct nl_sock *route_sock(struct link_job *j)
{
	struct nl_sock *sk = nl_socket_alloc();
	int e = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (e < 0) {
		snprintf(j->why, sizeof(j->why), "netlink: %s", nl_geterror(e));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int set_up_here(void *arg)
{
	struct link_job *j = arg;
	struct nl_sock *sk = route_sock(j);
	struct rtnl_link *orig = NULL, *chg = rtnl_link_alloc();
	int e = -NLE_NOMEM;
	if (!sk || !chg)
		goto out;
	e = rtnl_link_get_kernel(sk, 0, j->ifname, &orig);
	if (e < 0)
		goto out;
	if (j->up)
		rtnl_link_set_flags(chg, IFF_UP);
	else
		rtnl_link_unset_flags(chg, IFF_UP);
	e = rtnl_link_change(sk, orig, chg, 0);
out:
	if (e < 0 && !j->why[0])
		snprintf(j->why, sizeof(j->why), "%s", nl_geterror(e));
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	nl_socket_free(sk);
	return e < 0 ? -1 : 0;
}

int psc_link_set_up(const char *ns, const char *ifname, bool up, char *err,
		    size_t errlen)
{
	struct link_job j = {.ifname = ifname, .up = up};
	char e2[256] = "";
	if (psc_netns_run(ns, set_up_here, &j, e2, sizeof(e2)) == 0)
		return 0;
	snprintf(err, errlen, "setting %s %s in %s: %s", ifname,
		 up ? "up" : "down", ns, j.why[0] ? j.why : e2);
	return -1;
}

/* a qdisc of ifindex with parent and handle */
static struct rtnl_qdisc *qdisc(int ifindex, uint32_t parent,
				uint32_t handle, const char *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	if (rtnl_tc_set_kind(TC_CAST(q), kind) < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

/* the root qdisc of ifindex removed, whatever its kind (none there, or
 * the default one, which cannot be deleted: fine) */
static int clear_root(struct nl_sock *sk, int ifindex)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (!q)
		return -NLE_NOMEM;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	int e = rtnl_qdisc_delete(sk, q);
	rtnl_qdisc_put(q);
	return e == -NLE_OBJ_NOTFOUND || e == -NLE_NOADDR || e == -NLE_INVAL
		       ? 0 : e;
}

static int add_netem(struct nl_sock *sk, int ifindex, const psc_netem *n)
{
	bool rate = n->rate_kbit > 0;
	int e = 0;
	if (rate) {
		struct rtnl_qdisc *t = qdisc(ifindex, TC_H_ROOT,
					     TC_HANDLE(1, 0), "tbf");
		if (!t)
			return -NLE_NOMEM;
		/* bytes/s; a bucket of 10 ms at the rate, at least 2 KiB;
		 * packets wait up to 100 ms */
		int bps = (int)(n->rate_kbit * 1000 / 8);
		int bucket = bps / 100 > 2048 ? bps / 100 : 2048;
		rtnl_qdisc_tbf_set_rate(t, bps, bucket, 0);
		rtnl_qdisc_tbf_set_limit_by_latency(t, 100000);
		e = rtnl_qdisc_add(sk, t, NLM_F_CREATE | NLM_F_REPLACE);
		rtnl_qdisc_put(t);
		if (e < 0)
			return e;
	}
	if (!n->delay_ms && !n->loss_pct)
		return 0;
	struct rtnl_qdisc *q = qdisc(ifindex, rate ? TC_HANDLE(1, 1)
						   : TC_H_ROOT,
				     TC_HANDLE(10, 0), "netem");
	if (!q)
		return -NLE_NOMEM;
	if (n->delay_ms)
		rtnl_netem_set_delay(q, (int)(n->delay_ms * 1000));
	if (n->loss_pct)   /* the kernel's scale: UINT32_MAX is 100 % */
		rtnl_netem_set_loss(q, (int)(uint32_t)(n->loss_pct >= 100
			? UINT32_MAX : (uint32_t)(n->loss_pct *
						  (UINT32_MAX / 100))));
	e = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_qdisc_put(q);
	return e;
}

static int netem_here(void *arg)
{
	struct link_job *j = arg;
	struct nl_sock *sk = route_sock(j);
	int e = -NLE_NOMEM;
	if (!sk)
		return -1;
	int ifindex = (int)if_nametoindex(j->ifname);
	if (ifindex <= 0) {
		snprintf(j->why, sizeof(j->why), "no such interface: %s",
			 strerror(errno));
		nl_socket_free(sk);
		return -1;
	}
	e = clear_root(sk, ifindex);
	if (e >= 0 && j->netem)
		e = add_netem(sk, ifindex, j->netem);
	if (e == -NLE_OBJ_NOTFOUND && j->netem && j->netem->delay_ms)
		snprintf(j->why, sizeof(j->why), "this kernel has no netem "
			 "qdisc (CONFIG_NET_SCH_NETEM is off: 'tc qdisc add "
			 "... netem' fails the same way), so a delay cannot "
			 "be emulated here; loss= (nftables) and rate= (tbf) "
			 "work");
	else if (e < 0)
		snprintf(j->why, sizeof(j->why), "%s", nl_geterror(e));
	nl_socket_free(sk);
	return e < 0 ? -1 : 0;
}

static int netem_job(const char *ns, const char *ifname, const psc_netem *n,
		     char *err, size_t errlen)
{
	struct link_job j = {.ifname = ifname, .netem = n};
	char e2[256] = "";
	if (psc_netns_run(ns, netem_here, &j, e2, sizeof(e2)) == 0)
		return 0;
	snprintf(err, errlen, "%s netem on %s in %s: %s", n ? "setting"
		 : "clearing", ifname, ns, j.why[0] ? j.why : e2);
	return -1;
}

int psc_netem_set(const char *ns, const char *ifname, const psc_netem *n,
		  char *err, size_t errlen)
{
	return netem_job(ns, ifname, n, err, errlen);
}

int psc_netem_clear(const char *ns, const char *ifname, char *err,
		    size_t errlen)
{
	return netem_job(ns, ifname, NULL, err, errlen);
}

/* ---- neighbours ---- */

struct neigh_job {
	const char *ifname;
	char why[256];
};

static void drop_neigh(struct nl_object *o, void *arg)
{
	struct nl_sock *sk = arg;
	rtnl_neigh_delete(sk, (struct rtnl_neigh *)o, 0);
}

static int flush_here(void *arg)
{
	struct neigh_job *j = arg;
	struct link_job lj = {.ifname = j->ifname};
	struct nl_sock *sk = route_sock(&lj);
	struct nl_cache *cache = NULL;
	if (!sk) {
		snprintf(j->why, sizeof(j->why), "%s", lj.why);
		return -1;
	}
	int ifindex = (int)if_nametoindex(j->ifname);
	int e = ifindex > 0 ? rtnl_neigh_alloc_cache(sk, &cache)
			    : -NLE_OBJ_NOTFOUND;
	if (e >= 0) {
		struct rtnl_neigh *filter = rtnl_neigh_alloc();
		if (filter) {
			rtnl_neigh_set_ifindex(filter, ifindex);
			nl_cache_foreach_filter(cache, OBJ_CAST(filter),
						drop_neigh, sk);
			rtnl_neigh_put(filter);
		}
		nl_cache_free(cache);
	} else {
		snprintf(j->why, sizeof(j->why), "%s", nl_geterror(e));
	}
	nl_socket_free(sk);
	return e < 0 ? -1 : 0;
}

int psc_link_neigh_flush(const char *ns, const char *ifname, char *err,
			 size_t errlen)
{
	struct neigh_job j = {.ifname = ifname};
	char e2[256] = "";
	if (psc_netns_run(ns, flush_here, &j, e2, sizeof(e2)) == 0)
		return 0;
	snprintf(err, errlen, "neighbours of %s in %s: %s", ifname, ns,
		 j.why[0] ? j.why : e2);
	return -1;
}
