/* Integration tests (root): the supervisor (proc.c) with a real network
 * namespace, psclab-itproc-node, made and removed here with ip(8).  Every
 * process started here is stopped here; every wait is bounded. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/proc.h"
#include "runtime/state.h"
#include "base/util.h"

#define NS "psclab-itproc-node"
#define ETC_DIR "/etc/netns/" NS

static char tmp[64];            /* logs and a state root */
static bool have_root;
static bool made_etc_netns;     /* /etc/netns did not exist before */
static psc_proc started[32];    /* stopped in teardown, whatever failed */
static size_t n_started;

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_etc_dir(void)
{
	unlink(ETC_DIR "/resolv.conf");
	rmdir(ETC_DIR);
	if (made_etc_netns)
		rmdir("/etc/netns");    /* only if empty */
}

static int setup(void **state)
{
	(void)state;
	have_root = geteuid() == 0;
	if (!have_root)
		return 0;
	psc_test_chdir();
	snprintf(tmp, sizeof(tmp), "/tmp/psclab-itproc-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	/* leftovers of an earlier, killed run of this very test */
	rm_etc_dir();
	made_etc_netns = access("/etc/netns", F_OK) != 0;
	if (system("ip netns del " NS " 2>/dev/null; ip netns add " NS) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!have_root)
		return 0;
	char err[512];
	for (size_t i = 0; i < n_started; i++)
		if (psc_proc_stop(&started[i], 1000, err, sizeof(err)) != 0)
			fprintf(stderr, "# teardown: %s\n", err);
	rm_etc_dir();
	int rc = system("ip netns del " NS);
	if (tmp[0])
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc == 0 ? 0 : -1;
}

#define NEED_ROOT()                                                     \
	do {                                                            \
		if (!have_root) {                                       \
			print_message("needs root: skipped\n");         \
			skip();                                         \
		}                                                       \
	} while (0)

static char *slurp(const char *path)
{
	static char buf[65536];
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return buf;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

static void log_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s.log", tmp, name);
}

/* Wait (at most ms) until p is gone. */
static bool gone_within(const psc_proc *p, int ms)
{
	for (int i = 0; i < ms / 10 && psc_proc_alive(p); i++)
		usleep(10000);
	return !psc_proc_alive(p);
}

/* Wait (at most ms) until the file holds text. */
static bool file_has(const char *path, const char *text, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (strstr(slurp(path), text))
			return true;
		usleep(10000);
	}
	return false;
}

static void spawn_ok(const char *name, char *const argv[], psc_proc *p,
		     psc_proc_hook hook, void *arg)
{
	char err[1024] = "", log[256];
	log_path(name, log, sizeof(log));
	int rc = psc_proc_spawn(name, NS, argv, NULL, log, hook, arg, p, err,
				sizeof(err));
	if (p->pid > 0 && n_started < sizeof(started) / sizeof(started[0]))
		started[n_started++] = *p;
	if (rc != 0)
		fail_msg("spawn %s: %s", name, err);
}

static void stop_ok(const psc_proc *p, int grace_ms)
{
	char err[512] = "";
	if (psc_proc_stop(p, grace_ms, err, sizeof(err)) != 0)
		fail_msg("stop %s: %s", p->name, err);
}

/* What the hook saw: the process exists, has not exec'd yet. */
struct hook_seen {
	int calls;
	psc_proc p;
	char exe[4096];
	int rc;
	const char *err;
};

static int hook(const psc_proc *p, void *arg, char *err, size_t errlen)
{
	struct hook_seen *h = arg;
	char path[64];
	h->calls++;
	h->p = *p;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p->pid);
	ssize_t n = readlink(path, h->exe, sizeof(h->exe) - 1);
	h->exe[n > 0 ? n : 0] = '\0';
	if (h->rc < 0)
		snprintf(err, errlen, "%s", h->err);
	return h->rc;
}

/* pid is in its (clock_)nanosleep: /proc/<pid>/syscall's first number
 * (x86-64: 35, 230; arm64: 101, 115) */
static bool in_nanosleep(pid_t pid)
{
	char path[64], buf[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool got = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!got)
		return false;
	long nr = strtol(buf, NULL, 10);
#if defined(__aarch64__)
	return nr == 101 || nr == 115;
#else
	return nr == 35 || nr == 230;
#endif
}

/* sleep 30 in the node: detached, in the node's network namespace and a
 * mount namespace of its own, only fds 0-2 (/dev/null, the log); the hook
 * ran before the exec; SIGTERM stops it. */
static void spawn_sleep_in_node(void **state)
{
	(void)state;
	NEED_ROOT();
	char *argv[] = {"sleep", "30", NULL};
	char path[128], link[4096], log[256];
	struct hook_seen h;
	psc_proc p;
	memset(&h, 0, sizeof(h));
	spawn_ok("sleeper", argv, &p, hook, &h);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.p.pid, p.pid);
	assert_true(h.p.starttime == p.starttime);
	assert_string_not_equal(h.exe, "/usr/bin/sleep");  /* not yet */
	assert_true(psc_proc_alive(&p));
	assert_true(p.starttime == psc_proc_starttime(p.pid));
	assert_string_equal(p.name, "sleeper");
	assert_string_equal(p.netns, NS);
	log_path("sleeper", log, sizeof(log));
	assert_string_equal(p.log, log);

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p.pid);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/usr/bin/sleep");

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)p.pid);
	assert_true(ino_of(path) != ino_of("/proc/self/ns/net"));
	assert_true(ino_of(path) == ino_of("/run/netns/" NS));
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)p.pid);
	assert_true(ino_of(path) != ino_of("/proc/self/ns/mnt"));

	/* detached: not our child, its own session and process group */
	assert_int_equal(waitpid(p.pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(getsid(p.pid) != getsid(0));
	assert_int_equal(getpgid(p.pid), p.pid);

	/* fds: 0 /dev/null, 1 and 2 the log, nothing else, looked at once
	 * sleep sleeps: /proc/<pid>/exe names sleep from the middle of the
	 * exec on, when its dynamic loader still holds libc open at fd 3
	 * (seen once in CI); bounded, 2 s */
	for (int i = 0; i < 200 && !in_nanosleep(p.pid); i++)
		usleep(10000);
	assert_true(in_nanosleep(p.pid));
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)p.pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *e;
	int nfd = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd > 2)
			fail_msg("fd %d left open in the spawned process", fd);
		nfd++;
	}
	closedir(d);
	assert_int_equal(nfd, 3);
	snprintf(path, sizeof(path), "/proc/%d/fd/0", (int)p.pid);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	assert_string_equal(link, "/dev/null");
	snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)p.pid);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	assert_string_equal(link, log);

	long long t0 = psc_now_ms();
	stop_ok(&p, 5000);
	assert_true(psc_now_ms() - t0 < 2000);      /* SIGTERM was enough */
	assert_false(psc_proc_alive(&p));
}

/* Processes in the group led by pgid that are still running. */
static int group_members(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[1024];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char *ok = fgets(buf, sizeof(buf), f);
		fclose(f);
		char *r = ok ? strrchr(buf, ')') : NULL;
		char st;
		int ppid, pgrp;
		if (r && sscanf(r + 1, " %c %d %d", &st, &ppid, &pgrp) == 3 &&
		    pgrp == pgid && st != 'Z' && st != 'X')
			n++;
	}
	closedir(d);
	return n;
}

/* A process that ignores SIGTERM is SIGKILLed after the grace, with the
 * rest of its process group. */
static void stop_kills_after_grace(void **state)
{
	(void)state;
	NEED_ROOT();
	char *argv[] = {"sh", "-c", "trap '' TERM; echo ready; sleep 30",
			NULL};
	char log[256];
	psc_proc p;
	spawn_ok("stubborn", argv, &p, NULL, NULL);
	log_path("stubborn", log, sizeof(log));
	assert_true(file_has(log, "ready\n", 5000));
	assert_true(group_members(p.pid) >= 1);

	long long t0 = psc_now_ms();
	stop_ok(&p, 500);
	long long took = psc_now_ms() - t0;
	assert_true(took >= 500);
	assert_true(took < 3500);
	assert_false(psc_proc_alive(&p));
	for (int i = 0; i < 100 && group_members(p.pid) > 0; i++)
		usleep(10000);
	assert_int_equal(group_members(p.pid), 0);     /* sleep went too */
}

/* A missing command is named; one that fails at exec leaves no
 * process. */
static void spawn_missing_binary(void **state)
{
	(void)state;
	NEED_ROOT();
	char err[1024] = "", log[256];
	psc_proc p;
	struct hook_seen h;
	memset(&h, 0, sizeof(h));
	log_path("missing", log, sizeof(log));
	char *argv[] = {"psclab-no-such-binary", "--flag", NULL};
	assert_int_equal(psc_proc_spawn("missing", NS, argv, NULL, log, hook,
					&h, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot run 'psclab-no-such-binary' "
				 "(missing): No such file or directory");
	assert_int_equal(h.calls, 0);
	assert_int_equal(p.pid, 0);

	char *abs[] = {"/nonexistent/psclab-no-such-binary", NULL};
	assert_int_equal(psc_proc_spawn("missing", NS, abs, NULL, log, hook,
					&h, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot run "
				 "'/nonexistent/psclab-no-such-binary' "
				 "(missing): No such file or directory");
	assert_int_equal(h.calls, 1);   /* it existed, journaled, failed */
	assert_true(p.pid > 0);
	assert_true(gone_within(&p, 2000));

	char plain[128], want[256];
	snprintf(plain, sizeof(plain), "%s/not-executable", tmp);
	FILE *f = fopen(plain, "w");
	assert_non_null(f);
	fputs("echo ran\n", f);
	fclose(f);
	assert_int_equal(chmod(plain, 0644), 0);
	char *noexec[] = {plain, NULL};
	assert_int_equal(psc_proc_spawn("missing", NS, noexec, NULL, log,
					NULL, NULL, &p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot run '%s' (missing): Permission "
		 "denied", plain);
	assert_string_equal(err, want);
	assert_true(gone_within(&p, 2000));
}

/* When the hook (the journal) fails, the command never runs. */
static void spawn_hook_failure_runs_nothing(void **state)
{
	(void)state;
	NEED_ROOT();
	char err[1024] = "", log[256];
	psc_proc p;
	struct hook_seen h;
	memset(&h, 0, sizeof(h));
	h.rc = -1;
	h.err = "journal: No space left on device";
	log_path("unjournaled", log, sizeof(log));
	char *argv[] = {"sh", "-c", "echo ran", NULL};
	assert_int_equal(psc_proc_spawn("unjournaled", NS, argv, NULL, log,
					hook, &h, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "journal: No space left on device");
	assert_int_equal(h.calls, 1);
	assert_true(gone_within(&p, 2000));
	usleep(100000);
	assert_string_equal(slurp(log), "");
}

/* A recorded pid whose start time no longer matches is not signalled. */
static void stale_pid_not_signalled(void **state)
{
	(void)state;
	NEED_ROOT();
	char *argv[] = {"sleep", "30", NULL};
	psc_proc p, stale;
	spawn_ok("target", argv, &p, NULL, NULL);
	stale = p;
	stale.starttime = p.starttime + 1;
	assert_false(psc_proc_alive(&stale));
	stop_ok(&stale, 100);
	usleep(200000);
	assert_true(psc_proc_alive(&p));
	stop_ok(&p, 2000);
	assert_false(psc_proc_alive(&p));
	stop_ok(&p, 100);       /* gone: nothing to do */
}

/* With psc_state_proc_hook, the journal names the process before it runs,
 * and `down` can stop it from the journal alone. */
static void spawn_journaled(void **state)
{
	(void)state;
	NEED_ROOT();
	char err[1024] = "", root[128], log[512];
	snprintf(root, sizeof(root), "%s/run", tmp);
	setenv("PSCLAB_RUN_DIR", root, 1);
	if (psc_state_begin("itproc", NULL, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(psc_state_log_path("itproc", "sleeper", log,
					    sizeof(log)), 0);
	char *argv[] = {"sleep", "30", NULL};
	psc_proc p;
	int rc = psc_proc_spawn("sleeper", NS, argv, NULL, log,
				psc_state_proc_hook, (void *)"itproc", &p, err,
				sizeof(err));
	if (p.pid > 0)
		started[n_started++] = p;
	if (rc != 0)
		fail_msg("%s", err);

	psc_state s;
	assert_int_equal(psc_state_read("itproc", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_procs, 1);
	assert_int_equal(s.procs[0].pid, p.pid);
	assert_true(s.procs[0].starttime == p.starttime);
	assert_string_equal(s.procs[0].netns, NS);
	assert_string_equal(s.procs[0].log, log);
	assert_true(psc_proc_alive(&s.procs[0]));
	stop_ok(&s.procs[0], 2000);
	assert_false(psc_proc_alive(&p));
	psc_state_free(&s);
	assert_int_equal(psc_state_end("itproc", err, sizeof(err)), 0);
	unsetenv("PSCLAB_RUN_DIR");
}

/* Run argv in the node with stdout captured into out. */
static int exec_capture(char *const argv[], char *out, size_t len,
			char *err, size_t errlen)
{
	char path[128];
	int status = -1;
	snprintf(path, sizeof(path), "%s/exec.out", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	fflush(stdout);
	int saved = dup(1);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 1), 1);
	close(fd);
	int rc = psc_proc_exec_node(NS, argv, &status, err, errlen);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	snprintf(out, len, "%s", slurp(path));
	if (rc != 0)
		return -1000 - status;
	return status;
}

/* `ip addr` in the node sees only the node's loopback; /sys is the
 * node's. */
static void exec_node_ip_addr(void **state)
{
	(void)state;
	NEED_ROOT();
	char out[65536], err[1024] = "";
	char *ip[] = {"ip", "addr", NULL};
	int st = exec_capture(ip, out, sizeof(out), err, sizeof(err));
	if (st != 0)
		fail_msg("ip addr: %d %s", st, err);
	assert_non_null(strstr(out, "1: lo: <LOOPBACK>"));
	/* one "<index>: <name>: ..." line per link */
	int links = 0;
	for (char *l = out; *l; l = strchr(l, '\n') + 1) {
		size_t digits = strspn(l, "0123456789");
		if (digits && l[digits] == ':' && l[digits + 1] == ' ')
			links++;
		if (!strchr(l, '\n'))
			break;
	}
	assert_int_equal(links, 1);

	char *ls[] = {"ls", "/sys/class/net", NULL};
	st = exec_capture(ls, out, sizeof(out), err, sizeof(err));
	assert_int_equal(st, 0);
	assert_string_equal(out, "lo\n");
}

/* Exit statuses come back; a signal is 128+n; a missing command is
 * named. */
static void exec_node_status(void **state)
{
	(void)state;
	NEED_ROOT();
	char out[1024], err[1024] = "";
	int status = -1;
	char *seven[] = {"sh", "-c", "exit 7", NULL};
	assert_int_equal(psc_proc_exec_node(NS, seven, &status, err,
					    sizeof(err)), 0);
	assert_int_equal(status, 7);
	char *term[] = {"sh", "-c", "kill -TERM $$", NULL};
	assert_int_equal(psc_proc_exec_node(NS, term, &status, err,
					    sizeof(err)), 0);
	assert_int_equal(status, 128 + SIGTERM);
	char *missing[] = {"psclab-no-such-binary", NULL};
	assert_int_equal(exec_capture(missing, out, sizeof(out), err,
				      sizeof(err)), -1000 - 127);
	assert_string_equal(err, "cannot run 'psclab-no-such-binary' in " NS
				 ": No such file or directory");
	assert_int_equal(psc_proc_exec_node("psclab-itproc-missing", seven,
					    &status, err, sizeof(err)), -1);
	assert_int_equal(status, 127);
	assert_string_equal(err, "node psclab-itproc-missing: cannot open "
				 "/run/netns/psclab-itproc-missing: No such "
				 "file or directory");
}

/* /etc/netns/<ns>/resolv.conf is the node's /etc/resolv.conf, as with
 * `ip netns exec`; the host's stays as it was, and no mount leaks out. */
static void exec_node_etc_netns(void **state)
{
	(void)state;
	NEED_ROOT();
	const char *mine = "nameserver 169.254.169.254\n"
			   "search psclab-itproc.test\n";
	char out[65536], err[1024] = "";
	char *host_before = strdup(slurp("/etc/resolv.conf"));
	char *mounts_before = strdup(slurp("/proc/self/mountinfo"));
	assert_true(mkdir("/etc/netns", 0755) == 0 || errno == EEXIST);
	assert_int_equal(mkdir(ETC_DIR, 0755), 0);
	FILE *f = fopen(ETC_DIR "/resolv.conf", "w");
	assert_non_null(f);
	fputs(mine, f);
	fclose(f);

	char *cat[] = {"cat", "/etc/resolv.conf", NULL};
	int st = exec_capture(cat, out, sizeof(out), err, sizeof(err));
	if (st != 0)
		fail_msg("cat: %d %s", st, err);
	assert_string_equal(out, mine);
	assert_string_equal(slurp("/etc/resolv.conf"), host_before);
	assert_string_equal(slurp("/proc/self/mountinfo"), mounts_before);

	/* a spawned process sees it too */
	char *argv[] = {"cat", "/etc/resolv.conf", NULL};
	char log[256];
	psc_proc p;
	spawn_ok("catter", argv, &p, NULL, NULL);
	log_path("catter", log, sizeof(log));
	assert_true(gone_within(&p, 2000));
	assert_string_equal(slurp(log), mine);
	assert_string_equal(slurp("/etc/resolv.conf"), host_before);

	rm_etc_dir();
	free(host_before);
	free(mounts_before);
}

/* Relative command and log paths are from the current directory, though
 * the process runs in /. */
static void spawn_relative_paths(void **state)
{
	(void)state;
	NEED_ROOT();
	char script[128], want[128];
	snprintf(script, sizeof(script), "%s/hello.sh", tmp);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho \"hello from $(pwd)\"\n", f);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	assert_int_equal(chdir(tmp), 0);
	char *argv[] = {"./hello.sh", NULL};
	char err[1024] = "";
	psc_proc p;
	int rc = psc_proc_spawn("hello", NS, argv, NULL, "hello.log", NULL,
				NULL, &p, err, sizeof(err));
	psc_test_chdir();
	if (rc != 0)
		fail_msg("%s", err);
	snprintf(want, sizeof(want), "%s/hello.log", tmp);
	assert_string_equal(p.log, want);
	assert_true(gone_within(&p, 2000));
	assert_string_equal(slurp(want), "hello from /\n");
}

/* A node that does not exist: the error says so, nothing runs. */
static void spawn_missing_node(void **state)
{
	(void)state;
	NEED_ROOT();
	char err[1024] = "", log[256];
	psc_proc p;
	struct hook_seen h;
	memset(&h, 0, sizeof(h));
	log_path("nowhere", log, sizeof(log));
	char *argv[] = {"sleep", "30", NULL};
	assert_int_equal(psc_proc_spawn("nowhere", "psclab-itproc-missing",
					argv, NULL, log, hook, &h, &p, err,
					sizeof(err)), -1);
	assert_string_equal(err, "cannot start nowhere: node "
				 "psclab-itproc-missing: cannot open "
				 "/run/netns/psclab-itproc-missing: No such "
				 "file or directory");
	assert_int_equal(h.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spawn_sleep_in_node),
		cmocka_unit_test(stop_kills_after_grace),
		cmocka_unit_test(spawn_missing_binary),
		cmocka_unit_test(spawn_hook_failure_runs_nothing),
		cmocka_unit_test(stale_pid_not_signalled),
		cmocka_unit_test(spawn_journaled),
		cmocka_unit_test(exec_node_ip_addr),
		cmocka_unit_test(exec_node_status),
		cmocka_unit_test(exec_node_etc_netns),
		cmocka_unit_test(spawn_relative_paths),
		cmocka_unit_test(spawn_missing_node),
	};
	return cmocka_run_group_tests_name("proc", tests, setup, teardown);
}
