/* kclient.c - finding and running psclab-kclient probe, and reading its
 * JSON lines (see kclient.h). */
#define _GNU_SOURCE
#include "verify/kclient.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"

const char *const psc_kclient_apis[PSC_KCLIENT_APIS] = {
	"Metadata", "DescribeCluster", "FindCoordinator"};

void psc_kclient_path(char *out, size_t len)
{
	const char *e = getenv("PSCLAB_KCLIENT");
	char self[PATH_MAX] = "";
	out[0] = '\0';
	if (e && *e) {
		if (access(e, X_OK) == 0)
			snprintf(out, len, "%s", e);
		return;
	}
	const char *bin = getenv("PSCLAB_BIN");
	if (bin && *bin)
		snprintf(self, sizeof(self), "%s", bin);
	else {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
	}
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(out, len, "%s/psclab-kclient", self);
	if (access(out, X_OK) != 0)
		out[0] = '\0';
}

static bool in_domain(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);
	return d && h > d + 1 && host[h - d - 1] == '.' &&
	       strcmp(host + h - d, domain) == 0;
}

/* one line: a request ({"request", "ok", "error"}) or a broker address an
 * answer named ({"api", "host", "port", "node_id", "bootstrap"}) */
static void probe_line(const char *line, const char *domain,
		       psc_kclient_result *out)
{
	json_error_t je;
	json_t *l = json_loads(line, 0, &je);
	const char *api = json_string_value(json_object_get(l, "api"));
	const char *req = json_string_value(json_object_get(l, "request"));
	for (int a = 0; l && a < PSC_KCLIENT_APIS; a++) {
		psc_kclient_tally *t = &out->api[a];
		if (req && strcmp(req, psc_kclient_apis[a]) == 0) {
			t->asked = true;
			const char *e = json_string_value(json_object_get(l,
									  "error"));
			if (!json_is_true(json_object_get(l, "ok")) && e &&
			    !t->error[0])
				PSC_SET(t->error, "%s", e);
		}
		if (!api || strcmp(api, psc_kclient_apis[a]) != 0)
			continue;
		const char *h = json_string_value(json_object_get(l, "host"));
		t->seen++;
		if (h && !in_domain(h, domain) && t->leaked++ == 0) {
			const char *bs = json_string_value(json_object_get(
				l, "bootstrap"));
			PSC_SET(t->host, "%s", h);
			t->port = (int)json_integer_value(json_object_get(l,
									  "port"));
			t->node_id = (long)json_integer_value(
				json_object_get(l, "node_id"));
			PSC_SET(t->bootstrap, "%s", bs ? bs : "?");
		}
	}
	json_decref(l);
}

/* the lines of fd until it is closed or deadline passes, each to line();
 * a line too long for the buffer is dropped */
static void read_lines(int fd, long long deadline,
		       void (*line)(const char *l, void *arg), void *arg)
{
	char buf[8192];
	size_t len = 0;
	bool eof = false;
	while (!eof && psc_now_ms() < deadline) {
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, 200) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			eof = true;
			n = 0;
		}
		len += (size_t)n;
		buf[len] = '\0';
		char *nl;
		while ((nl = strchr(buf, '\n')) || (eof && len)) {
			if (nl)
				*nl = '\0';
			line(buf, arg);
			if (!nl) {
				len = 0;
				break;
			}
			size_t rest = len - (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, rest + 1);
			len = rest;
		}
		if (len >= sizeof(buf) - 1)
			len = 0;
	}
}

/* Run kclient with argv (argv[0] is kclient), stdout read line by line
 * for at most wait_ms (then it is killed), stderr to /dev/null; its exit
 * status into *status (-1 killed).  -1 with err: no pipe, no fork. */
static int run_kclient(char *const argv[], long long wait_ms,
		       void (*line)(const char *l, void *arg), void *arg,
		       int *status, char *err, size_t errlen)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		psc_setf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(nul, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int fork_errno = errno;
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		psc_setf(err, errlen, "fork: %s", strerror(fork_errno));
		return -1;
	}
	read_lines(pfd[0], psc_now_ms() + wait_ms, line, arg);
	close(pfd[0]);
	int st = 0;
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

struct probe_arg {
	const char *domain;
	psc_kclient_result *out;
};

static void probe_cb(const char *l, void *arg)
{
	struct probe_arg *a = arg;
	probe_line(l, a->domain, a->out);
}

int psc_kclient_probe(const char *kclient, const char *bootstrap,
		      const char *domain, long timeout_ms, long long wait_ms,
		      psc_kclient_result *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char tmo[32];
	snprintf(tmo, sizeof(tmo), "%ldms", timeout_ms);
	char *argv[] = {(char *)kclient, "probe", "--client", "franz",
			"--bootstrap", (char *)bootstrap, "--timeout", tmo,
			NULL};
	struct probe_arg a = {domain, out};
	/* bounded: its own timeout per bootstrap address, and ours */
	return run_kclient(argv, wait_ms, probe_cb, &a, &out->exit_status,
			   err, errlen);
}

/* one {"kind":"cdc_step",...} line */
static void cdc_cb(const char *line, void *arg)
{
	psc_kclient_cdc *out = arg;
	json_error_t je;
	json_t *l = json_loads(line, 0, &je);
	const char *kind = json_string_value(json_object_get(l, "kind"));
	const char *step = json_string_value(json_object_get(l, "step"));
	if (kind && step && strcmp(kind, "cdc_step") == 0 &&
	    out->n < PSC_KCLIENT_CDC_STEPS) {
		psc_kclient_step *s = &out->steps[out->n++];
		const char *d = json_string_value(json_object_get(l, "detail"));
		const char *e = json_string_value(json_object_get(l,
								  "cdc_error"));
		PSC_SET(s->step, "%s", step);
		s->ok = json_is_true(json_object_get(l, "ok"));
		s->warn = json_is_true(json_object_get(l, "warn"));
		s->later = json_is_true(json_object_get(l, "later"));
		s->ms = (long)json_integer_value(json_object_get(l, "ms"));
		PSC_SET(s->detail, "%s", d ? d : "");
		PSC_SET(s->cdc_error, "%s", e ? e : "");
	}
	json_decref(l);
}

int psc_kclient_changefeed(const char *kclient, const char *bootstrap,
			   const char *topic, int replication_factor,
			   long timeout_ms, psc_kclient_cdc *out, char *err,
			   size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char tmo[32], rf[16];
	snprintf(tmo, sizeof(tmo), "%ldms", timeout_ms);
	snprintf(rf, sizeof(rf), "%d", replication_factor);
	char *argv[] = {(char *)kclient, "changefeed", "--bootstrap",
			(char *)bootstrap, "--topic", (char *)topic,
			"--replication-factor", rf, "--timeout", tmo, NULL};
	return run_kclient(argv, (long long)timeout_ms + 5000, cdc_cb, out,
			   &out->exit_status, err, errlen);
}

struct quorum_arg {
	long leader;
	char error[256];
};

/* the {"kind":"quorum",...} line */
static void quorum_cb(const char *line, void *arg)
{
	struct quorum_arg *q = arg;
	json_error_t je;
	json_t *l = json_loads(line, 0, &je);
	const char *kind = json_string_value(json_object_get(l, "kind"));
	if (kind && strcmp(kind, "quorum") == 0) {
		const char *e = json_string_value(json_object_get(l, "error"));
		if (json_is_true(json_object_get(l, "ok")))
			q->leader = (long)json_integer_value(
				json_object_get(l, "leader_id"));
		else
			PSC_SET(q->error, "%s", e && *e ? e : "failed");
	}
	json_decref(l);
}

int psc_kclient_quorum(const char *kclient, const char *bootstrap,
		       long timeout_ms, long *leader, char *err,
		       size_t errlen)
{
	char tmo[32];
	int status = 0;
	struct quorum_arg q = {.leader = -1};
	snprintf(tmo, sizeof(tmo), "%ldms", timeout_ms);
	char *argv[] = {(char *)kclient, "quorum", "--bootstrap",
			(char *)bootstrap, "--timeout", tmo, NULL};
	*leader = -1;
	if (run_kclient(argv, (long long)timeout_ms + 5000, quorum_cb, &q,
			&status, err, errlen) < 0)
		return -1;
	if (q.leader < 0) {
		psc_setf(err, errlen, "%s", q.error[0] ? q.error
			 : "psclab-kclient quorum printed no answer");
		return -1;
	}
	*leader = q.leader;
	return 0;
}
