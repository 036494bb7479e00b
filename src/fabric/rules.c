/* rules.c - the policy routing of instance-group backends (see rules.h),
 * with libnl-route. */
#define _GNU_SOURCE
#include "fabric/rules.h"

#include <linux/fib_rules.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/rule.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "fabric/netns.h"

struct rules_job {
	const psc_plan *p;
	int ns;
	char err[256];
};

static int add_rules_here(void *arg)
{
	struct rules_job *j = arg;
	struct nl_sock *sk = nl_socket_alloc();
	int rc = 0;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		snprintf(j->err, sizeof(j->err), "netlink: cannot connect");
		nl_socket_free(sk);
		return -1;
	}
	for (size_t i = 0; i < j->p->n_rules && rc == 0; i++) {
		const psc_plan_rule *r = &j->p->rules[i];
		if (r->ns != j->ns)
			continue;
		struct rtnl_rule *rule = rtnl_rule_alloc();
		if (!rule) {
			snprintf(j->err, sizeof(j->err), "rule fwmark 0x%x: out "
				 "of memory", r->mark);
			rc = -1;
			break;
		}
		rtnl_rule_set_family(rule, AF_INET);
		rtnl_rule_set_mark(rule, r->mark);
		rtnl_rule_set_mask(rule, 0xffffffffu);
		rtnl_rule_set_table(rule, r->table);
		rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
		rtnl_rule_set_prio(rule, 1000 + (uint32_t)i);
		int e = rtnl_rule_add(sk, rule, NLM_F_CREATE | NLM_F_EXCL);
		if (e < 0) {
			snprintf(j->err, sizeof(j->err),
				 "rule fwmark 0x%x lookup %u: %s", r->mark,
				 r->table, nl_geterror(e));
			rc = -1;
		}
		rtnl_rule_put(rule);
	}
	nl_socket_free(sk);
	return rc;
}

int psc_rules_build(const psc_plan *p, char *err, size_t errlen)
{
	for (size_t n = 0; n < p->n_ns; n++) {
		struct rules_job j = {.p = p, .ns = (int)n};
		bool any = false;
		for (size_t i = 0; i < p->n_rules; i++)
			any |= p->rules[i].ns == (int)n;
		if (!any)
			continue;
		if (psc_netns_run(p->ns[n].name, add_rules_here, &j, err,
				  errlen) != 0) {
			if (j.err[0])
				snprintf(err, errlen, "%s: %s", p->ns[n].name,
					 j.err);
			return -1;
		}
	}
	return 0;
}
