/* children.c - one child per node, its lines read within a budget, its
 * observations into the report (see children.h). */
#define _GNU_SOURCE
#include "verify/children.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/proc.h"

#define END_LINE "END"
#define RESOLVER_OPTIONS "timeout:1 attempts:2"

void psc_verify_kid_init(psc_verify_kid *k, const char *node, long budget_ms)
{
	memset(k, 0, sizeof(*k));
	k->node = node;
	k->fd = -1;
	k->budget_ms = budget_ms;
}

/* the child: enter the node, run, say END */
static void child_main(psc_verify_job *j, const char *ns, const char *node,
		       void (*run)(const psc_verify_job *), long budget_ms)
{
	char err[1024];
	signal(SIGPIPE, SIG_DFL);
	alarm((unsigned)(budget_ms / 1000 + 10));   /* a bound in any case */
	if (psc_proc_enter_node(ns, err, sizeof(err)) < 0) {
		psc_verify_obs o;
		char name[PSC_VERIFY_NAME_LEN];
		snprintf(name, sizeof(name), "%s: enter the node", node);
		psc_verify_obs_init(&o, node, name);
		o.sym = PSC_SYM_INTERNAL;
		PSC_SET(o.detail, "cannot enter node %s (%s): %s", node, ns, err);
		psc_verify_emit(j, &o);
	} else {
		setenv("RES_OPTIONS", RESOLVER_OPTIONS, 1);
		run(j);
	}
	if (write(j->fd, END_LINE "\n", strlen(END_LINE) + 1) < 0)
		_exit(3);
	_exit(0);
}

int psc_verify_kid_start(psc_verify_kid *k, psc_verify_job *j,
			 const char *ns,
			 void (*run)(const psc_verify_job *),
			 const psc_verify_kid *other, char *err,
			 size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (k->pid == 0) {
		close(p[0]);
		if (other && other->fd >= 0)
			close(other->fd);
		j->fd = p[1];
		child_main(j, ns, k->node, run, k->budget_ms);
	}
	close(p[1]);
	k->fd = p[0];
	k->deadline = psc_now_ms() + k->budget_ms;
	return 0;
}

/* the lines read into observations; END marks a child that finished */
static void kid_lines(psc_verify_kid *k)
{
	char *s = k->buf, *nl;
	size_t n = 0;
	if (!s)
		return;
	for (char *q = s; (q = memchr(q, '\n', k->len - (size_t)(q - s)));
	     q++)
		n++;
	k->obs = calloc(n ? n : 1, sizeof(*k->obs));
	if (!k->obs)
		return;
	while ((nl = memchr(s, '\n', k->len - (size_t)(s - k->buf)))) {
		*nl = '\0';
		char e[256];
		if (strcmp(s, END_LINE) == 0)
			k->ended = true;
		else if (psc_verify_obs_parse(s, &k->obs[k->n_obs], e,
					      sizeof(e)) == 0)
			k->n_obs++;
		s = nl + 1;
	}
}

static void kid_kill(psc_verify_kid *k)
{
	kill(k->pid, SIGKILL);
	k->killed = true;
	close(k->fd);
	k->fd = -1;
}

/* what k's pipe holds now into k->buf (grown as needed); closed at its
 * end or on an error */
static void kid_read(psc_verify_kid *k)
{
	if (k->cap - k->len < 4096) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		char *b = realloc(k->buf, cap);
		if (!b) {
			kid_kill(k);
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	ssize_t got = read(k->fd, k->buf + k->len, k->cap - k->len - 1);
	if (got > 0) {
		k->len += (size_t)got;
	} else if (got == 0 || errno != EINTR) {
		close(k->fd);
		k->fd = -1;
	}
}

void psc_verify_kids_wait(psc_verify_kid *kids, size_t n)
{
	for (;;) {
		struct pollfd pf[PSC_VERIFY_KIDS_MAX];
		size_t map[PSC_VERIFY_KIDS_MAX], np = 0;
		long long next = LLONG_MAX;
		for (size_t i = 0; i < n; i++) {
			if (kids[i].fd < 0)
				continue;
			if (psc_now_ms() >= kids[i].deadline) {
				kid_kill(&kids[i]);
				continue;
			}
			if (kids[i].deadline < next)
				next = kids[i].deadline;
			pf[np].fd = kids[i].fd;
			pf[np].events = POLLIN;
			map[np++] = i;
		}
		if (!np)
			break;
		long long wait = next - psc_now_ms();
		int r = poll(pf, np, wait > 0 ? (int)(wait > 1000 ? 1000 : wait)
					      : 0);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t i = 0; r > 0 && i < np; i++)
			if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
				kid_read(&kids[map[i]]);
	}
	for (size_t i = 0; i < n; i++) {
		int st = 0;
		while (kids[i].pid > 0 && waitpid(kids[i].pid, &st, 0) < 0 &&
		       errno == EINTR)
			;
		kids[i].status = st;
		kid_lines(&kids[i]);
	}
}

void psc_verify_kid_report(const psc_verify_ctx *c, const psc_verify_kid *k,
			   psc_verify_report *r)
{
	for (size_t i = 0; i < k->n_obs; i++) {
		psc_verify_check chk;
		psc_verify_diagnose(c, &k->obs[i], r, &chk);
		psc_verify_report_put(r, &chk);
	}
	if (k->ended)
		return;
	psc_verify_obs o;
	char name[PSC_VERIFY_NAME_LEN];
	snprintf(name, sizeof(name), "%s: checks finished", k->node);
	psc_verify_obs_init(&o, k->node, name);
	o.sym = PSC_SYM_INTERNAL;
	o.ms = k->budget_ms;
	if (k->killed)
		PSC_SET(o.detail, "the checks in node %s did not finish within "
		    "their budget of %ld ms and were stopped", k->node,
		    k->budget_ms);
	else if (WIFSIGNALED(k->status))
		PSC_SET(o.detail, "the checks in node %s ended by signal %d",
		    k->node, WTERMSIG(k->status));
	else
		PSC_SET(o.detail, "the checks in node %s ended early (exit status "
		    "%d)", k->node, WEXITSTATUS(k->status));
	psc_verify_check chk;
	psc_verify_diagnose(c, &o, r, &chk);
	psc_verify_report_put(r, &chk);
}

void psc_verify_kid_each_line(const psc_verify_kid *k,
			      void (*fn)(const char *line, void *arg),
			      void *arg)
{
	/* kid_lines ended every whole line with a NUL */
	const char *s = k->buf, *end = k->buf + k->len, *z;
	while (s && s < end && (z = memchr(s, '\0', (size_t)(end - s)))) {
		fn(s, arg);
		s = z + 1;
	}
}

void psc_verify_kid_free(psc_verify_kid *k)
{
	free(k->buf);
	free(k->obs);
	k->buf = NULL;
	k->obs = NULL;
}
