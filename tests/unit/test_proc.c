/* Unit tests: the supervisor's logic that needs no root (proc.c): start
 * times, which pids get signalled, the grace then SIGKILL, name checks.
 * Namespaces are tested in tests/integration/test_proc.c. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/proc.h"
#include "base/util.h"

/* A child that waits (at most 30 s), SIGTERM ignored if asked; returns
 * once it is set up. */
static pid_t child(bool ignore_term)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		alarm(30);
		(void)!write(fds[1], "r", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
	char c;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void proc_of(pid_t pid, psc_proc *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "test-child");
	p->pid = pid;
	/* the child may not have run yet; its start time is set at fork */
	p->starttime = psc_proc_starttime(pid);
	assert_true(p->starttime > 0);
}

static int reap(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/* The start time is /proc/<pid>/stat's field 22; 0 for no process. */
static void starttime_reads_field_22(void **state)
{
	(void)state;
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	char *p = strrchr(buf, ')');
	unsigned long long want = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
		if (++field == 22)
			want = strtoull(tok, NULL, 10);
	assert_true(want > 0);
	assert_true(psc_proc_starttime(getpid()) == want);

	assert_true(psc_proc_starttime(0) == 0);
	assert_true(psc_proc_starttime(-1) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	reap(pid);
	assert_true(psc_proc_starttime(pid) == 0);
}

/* alive: same pid and start time, not a zombie. */
static void alive_needs_same_starttime(void **state)
{
	(void)state;
	psc_proc p;
	pid_t pid = child(false);
	proc_of(pid, &p);
	assert_true(psc_proc_alive(&p));
	p.starttime++;
	assert_false(psc_proc_alive(&p));
	p.starttime--;
	kill(pid, SIGKILL);
	/* a zombie until reaped: not alive */
	for (int i = 0; i < 100 && psc_proc_alive(&p); i++)
		usleep(10000);
	assert_false(psc_proc_alive(&p));
	reap(pid);
	assert_false(psc_proc_alive(&p));
	p.pid = 0;
	assert_false(psc_proc_alive(&p));
}

/* SIGTERM honoured: stopped well within the grace. */
static void stop_sigterm(void **state)
{
	(void)state;
	char err[256] = "";
	psc_proc p;
	pid_t pid = child(false);
	proc_of(pid, &p);
	long long t0 = psc_now_ms();
	assert_int_equal(psc_proc_stop(&p, 5000, err, sizeof(err)), 0);
	assert_true(psc_now_ms() - t0 < 2000);
	int st = reap(pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

/* SIGTERM ignored: SIGKILL after the grace. */
static void stop_sigkill_after_grace(void **state)
{
	(void)state;
	char err[256] = "";
	psc_proc p;
	pid_t pid = child(true);
	proc_of(pid, &p);
	long long t0 = psc_now_ms();
	assert_int_equal(psc_proc_stop(&p, 300, err, sizeof(err)), 0);
	long long took = psc_now_ms() - t0;
	assert_true(took >= 300 && took < 2500);
	int st = reap(pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* A recorded pid whose start time differs is another process: it is not
 * signalled, and counts as stopped; so is a pid that is gone. */
static void stop_spares_other_process(void **state)
{
	(void)state;
	char err[256] = "";
	psc_proc p, stale;
	pid_t pid = child(false);
	proc_of(pid, &p);
	stale = p;
	stale.starttime = p.starttime - 1;
	assert_int_equal(psc_proc_stop(&stale, 100, err, sizeof(err)), 0);
	usleep(50000);
	assert_true(psc_proc_alive(&p));
	int st;
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);

	assert_int_equal(psc_proc_stop(&p, 1000, err, sizeof(err)), 0);
	reap(pid);
	/* gone now: nothing to do */
	assert_int_equal(psc_proc_stop(&p, 1000, err, sizeof(err)), 0);
	p.pid = 0;
	assert_int_equal(psc_proc_stop(&p, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "test-child: no pid to stop");
}

/* A process group leader is stopped with its group: a child of it that
 * ignores nothing goes too. */
static void stop_reaches_the_group(void **state)
{
	(void)state;
	char err[256] = "";
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t leader = fork();
	assert_true(leader >= 0);
	if (leader == 0) {
		setpgid(0, 0);
		alarm(30);
		pid_t g = fork();
		if (g == 0) {
			alarm(30);
			for (;;)
				pause();
		}
		(void)!write(fds[1], &g, sizeof(g));
		for (;;)
			pause();
	}
	close(fds[1]);
	pid_t member;
	struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(fds[0], &member, sizeof(member)),
			 sizeof(member));
	close(fds[0]);
	psc_proc p, m;
	proc_of(leader, &p);
	proc_of(member, &m);
	assert_true(psc_proc_alive(&m));
	assert_int_equal(psc_proc_stop(&p, 2000, err, sizeof(err)), 0);
	reap(leader);
	/* the member is reparented and reaped by init (or a subreaper) */
	for (int i = 0; i < 200 && psc_proc_alive(&m); i++)
		usleep(10000);
	assert_false(psc_proc_alive(&m));
}

/* Only pscLab's namespaces, by name. */
static void netns_names(void **state)
{
	(void)state;
	char err[256] = "";
	assert_int_equal(psc_plan_ns_name_check("psclab-portmap-broker-node1",
					      err, sizeof(err)), 0);
	assert_int_equal(psc_plan_ns_name_check("psclab-x", err, sizeof(err)),
			 0);
	assert_int_equal(psc_plan_ns_name_check("psclab-", err, sizeof(err)),
			 -1);
	assert_int_equal(psc_plan_ns_name_check("other-ns", err, sizeof(err)),
			 -1);
	assert_string_equal(err, "'other-ns' is not a pscLab network namespace "
				 "name (psclab-[a-z0-9._-]..., under 128 "
				 "characters)");
	assert_int_equal(psc_plan_ns_name_check("psclab-../../etc", err,
					      sizeof(err)), -1);
	assert_int_equal(psc_plan_ns_name_check("psclab-a b", err, sizeof(err)),
			 -1);
	assert_int_equal(psc_plan_ns_name_check(NULL, err, sizeof(err)), -1);
	char longname[200];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "psclab-", 7);
	longname[128] = '\0';
	assert_int_equal(psc_plan_ns_name_check(longname, err, sizeof(err)), -1);
	longname[127] = '\0';
	assert_int_equal(psc_plan_ns_name_check(longname, err, sizeof(err)), 0);
}

/* spawn refuses bad input before it forks; a command not in PATH is
 * named. */
static void spawn_refuses_before_fork(void **state)
{
	(void)state;
	char err[512] = "";
	psc_proc p;
	char *argv[] = {"psclab-no-such-binary", "x", NULL};
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	assert_int_equal(psc_proc_spawn("dns", "psclab-x-a", argv, env, NULL,
					NULL, NULL, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot run 'psclab-no-such-binary' (dns): "
				 "No such file or directory");
	assert_int_equal(p.pid, 0);
	assert_int_equal(psc_proc_spawn("a b", "psclab-x-a", argv, env, NULL,
					NULL, NULL, &p, err, sizeof(err)), -1);
	assert_int_equal(psc_proc_spawn("dns", "host", argv, env, NULL, NULL,
					NULL, &p, err, sizeof(err)), -1);
	char *none[] = {NULL};
	assert_int_equal(psc_proc_spawn("dns", "psclab-x-a", none, env, NULL,
					NULL, NULL, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "dns: no command given");
	char *sh[] = {"sh", NULL};
	assert_int_equal(psc_proc_spawn("dns", "psclab-x-a", sh, env,
					"/nonexistent/dir/x.log", NULL, NULL,
					&p, err, sizeof(err)), -1);
	assert_string_equal(err, "dns: cannot open the log "
				 "/nonexistent/dir/x.log: No such file or "
				 "directory");

	int status = 0;
	assert_int_equal(psc_proc_exec_node("eth0", sh, &status, err,
					    sizeof(err)), -1);
	assert_int_equal(status, 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starttime_reads_field_22),
		cmocka_unit_test(alive_needs_same_starttime),
		cmocka_unit_test(stop_sigterm),
		cmocka_unit_test(stop_sigkill_after_grace),
		cmocka_unit_test(stop_spares_other_process),
		cmocka_unit_test(stop_reaches_the_group),
		cmocka_unit_test(netns_names),
		cmocka_unit_test(spawn_refuses_before_fork),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
