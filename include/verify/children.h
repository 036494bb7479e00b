/* children.h - the processes of one `pscLab verify` run: a child per node,
 * forked from the parent, puts itself in the node (psc_proc_enter_node:
 * its network namespace and /etc/netns files, as `ip netns exec`), runs
 * that node's checks and writes one JSON line per observation to a pipe,
 * then "END".  The parent reads every child's lines until each closes its
 * pipe or overstays its budget (then it is killed), and turns the lines
 * into the report's checks (psc_verify_diagnose), with a failed check for
 * a child that did not say END. */
#ifndef PSCLAB_VERIFY_CHILDREN_H
#define PSCLAB_VERIFY_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "verify/job.h"

/* the nodes a run has children in: changefeed, bastion-node, and the
 * changefeed of each further TiDB Cloud project (changefeeds[]) */
#define PSC_VERIFY_KIDS_MAX (2 + PSC_MAX_CHANGEFEEDS)

typedef struct psc_verify_kid {
	const char *node;
	pid_t pid;
	int fd;             /* the pipe's reading end, -1 closed */
	long budget_ms;
	long long deadline;
	bool ended;         /* END seen */
	bool killed;        /* it overstayed and was killed */
	int status;         /* its wait status */
	char *buf;          /* what was read, lines */
	size_t len, cap;
	psc_verify_obs *obs;
	size_t n_obs;
} psc_verify_kid;

/* a child-to-be of node with a budget (psc_verify_*_budget) */
void psc_verify_kid_init(psc_verify_kid *k, const char *node, long budget_ms);

/* Fork k: the child enters ns, runs run(j) there (j->fd its pipe) and
 * ends; other (may be NULL) is a child started before, whose pipe the new
 * child closes.  0, or -1 with err (pipe, fork). */
int psc_verify_kid_start(psc_verify_kid *k, psc_verify_job *j,
			 const char *ns,
			 void (*run)(const psc_verify_job *),
			 const psc_verify_kid *other, char *err,
			 size_t errlen);

/* Read every child's lines (n <= PSC_VERIFY_KIDS_MAX) until each has
 * closed its pipe or overstayed its budget (killed), then reap them and
 * parse their lines. */
void psc_verify_kids_wait(psc_verify_kid *kids, size_t n);

/* k's observations diagnosed against c into r (psc_verify_report_put),
 * then a failed "<node>: checks finished" when k did not say END. */
void psc_verify_kid_report(const psc_verify_ctx *c, const psc_verify_kid *k,
			   psc_verify_report *r);

/* fn(line, arg) for every whole line k wrote (after psc_verify_kids_wait),
 * END and observations included: for a child whose lines are not
 * observations (`pscLab trace`'s) */
void psc_verify_kid_each_line(const psc_verify_kid *k,
			      void (*fn)(const char *line, void *arg),
			      void *arg);

/* frees what k read */
void psc_verify_kid_free(psc_verify_kid *k);

#endif
