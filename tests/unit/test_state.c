/* Unit tests: the state directory, its journal and the lock (state.c), and
 * what `pscLab status` makes of a journal's processes, in a temporary
 * PSCLAB_RUN_DIR.  No root needed. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <jansson.h>

#include "runtime/state.h"
#include "base/util.h"
#include "cli/status.h"

static char root[64];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	psc_test_chdir();
	snprintf(root, sizeof(root), "/tmp/psclab-test-state-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	return setenv("PSCLAB_RUN_DIR", root, 1);
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("PSCLAB_RUN_DIR");
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *read_all(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void append_raw(const char *lab, const char *text)
{
	char dir[512], path[600];
	assert_int_equal(psc_state_dir(lab, dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/state", dir);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void begin_ok(const char *lab, const char *topology)
{
	char err[512] = "";
	if (psc_state_begin(lab, topology, err, sizeof(err)) != 0)
		fail_msg("begin %s: %s", lab, err);
}

/* $PSCLAB_RUN_DIR, else /run/psclab; a relative one is refused. */
static void root_from_env(void **state)
{
	(void)state;
	char buf[256], dir[256];
	assert_int_equal(psc_state_root(buf, sizeof(buf)), 0);
	assert_string_equal(buf, root);
	assert_int_equal(psc_state_dir("portmap", dir, sizeof(dir)), 0);
	snprintf(buf, sizeof(buf), "%s/portmap", root);
	assert_string_equal(dir, buf);
	assert_int_equal(psc_state_log_path("portmap", "dns-kafka-vpc", dir,
					    sizeof(dir)), 0);
	snprintf(buf, sizeof(buf), "%s/portmap/logs/dns-kafka-vpc.log", root);
	assert_string_equal(dir, buf);

	setenv("PSCLAB_RUN_DIR", "/x/y//", 1);
	assert_int_equal(psc_state_root(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/x/y");
	unsetenv("PSCLAB_RUN_DIR");
	assert_int_equal(psc_state_root(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/psclab");
	setenv("PSCLAB_RUN_DIR", "relative/dir", 1);
	errno = 0;
	assert_int_equal(psc_state_root(buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	char err[256] = "";
	assert_int_equal(psc_state_begin("portmap", NULL, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "PSCLAB_RUN_DIR 'relative/dir' must be an "
				 "absolute path");
	setenv("PSCLAB_RUN_DIR", root, 1);
}

/* begin makes <root>/<lab>/ 0755 with logs/ and a copy of the topology,
 * journaled. */
static void begin_copies_topology(void **state)
{
	(void)state;
	char dir[512], path[600], want[1024], err[256];
	struct stat st;
	begin_ok("portmap", "topologies/portmap.yaml");
	assert_int_equal(psc_state_dir("portmap", dir, sizeof(dir)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(path, sizeof(path), "%s/logs", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	char *orig = strdup(read_all("topologies/portmap.yaml"));
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	assert_string_equal(read_all(path), orig);
	free(orig);

	psc_state s;
	assert_int_equal(psc_state_read("portmap", &s, err, sizeof(err)), 0);
	assert_string_equal(s.topology, path);
	assert_string_equal(s.lab, "portmap");
	assert_string_equal(s.dir, dir);
	assert_int_equal(s.n_recs, 1);
	psc_state_free(&s);
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(want, sizeof(want), "topology %s/topology.yaml\n", dir);
	assert_string_equal(read_all(path), want);
	assert_int_equal(psc_state_end("portmap", err, sizeof(err)), 0);
}

/* A second begin of the same lab is refused, naming the state directory;
 * the first lab's state is untouched. */
static void begin_twice_is_already_up(void **state)
{
	(void)state;
	char err[512] = "", want[512], dir[256];
	begin_ok("twice", NULL);
	assert_int_equal(psc_state_record("twice", err, sizeof(err), "netns",
					  "psclab-twice-a"), 0);
	assert_int_equal(psc_state_begin("twice", "topologies/portmap.yaml",
					 err, sizeof(err)), -1);
	assert_int_equal(psc_state_dir("twice", dir, sizeof(dir)), 0);
	snprintf(want, sizeof(want), "lab 'twice' is already up (state in "
		 "%s); run 'pscLab down twice' first", dir);
	assert_string_equal(err, want);
	psc_state s;
	assert_int_equal(psc_state_read("twice", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_netns, 1);
	assert_null(s.topology);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("twice", err, sizeof(err)), 0);
}

/* A failed begin (unreadable topology) leaves nothing behind. */
static void begin_failure_rolls_back(void **state)
{
	(void)state;
	char err[512] = "", dir[256];
	struct stat st;
	assert_int_equal(psc_state_begin("broken", "topologies/no-such.yaml",
					 err, sizeof(err)), -1);
	assert_string_equal(err, "cannot read topologies/no-such.yaml: No "
				 "such file or directory");
	assert_int_equal(psc_state_dir("broken", dir, sizeof(dir)), 0);
	assert_int_equal(stat(dir, &st), -1);
	begin_ok("broken", NULL);       /* and can be begun again */
	assert_int_equal(psc_state_end("broken", err, sizeof(err)), 0);
}

/* Records round-trip: netns (deduplicated), proc, file, dir, and kinds
 * state.c does not know, kept in order. */
static void journal_round_trip(void **state)
{
	(void)state;
	char err[512] = "";
	begin_ok("trip", NULL);
	assert_int_equal(psc_state_record("trip", err, sizeof(err), "netns",
					  "psclab-trip-vpc-kafka-vpc"), 0);
	assert_int_equal(psc_state_record("trip", err, sizeof(err), "netns",
					  "psclab-trip-broker-node1"), 0);
	assert_int_equal(psc_state_record("trip", err, sizeof(err), "netns",
					  "psclab-trip-vpc-kafka-vpc"), 0);
	psc_proc p;
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "dns-kafka-vpc");
	p.pid = 4242;
	p.starttime = 123456789ULL;
	snprintf(p.netns, sizeof(p.netns), "psclab-trip-vpc-kafka-vpc");
	snprintf(p.log, sizeof(p.log), "/run/psclab/trip/logs/dns log.log");
	assert_int_equal(psc_state_record_proc("trip", &p, err, sizeof(err)),
			 0);
	p.pid = 4343;
	assert_int_equal(psc_state_proc_hook(&p, "trip", err, sizeof(err)), 0);
	assert_int_equal(psc_state_record("trip", err, sizeof(err), "file",
					  "/etc/netns/%s/resolv.conf",
					  "psclab-trip-changefeed"), 0);
	assert_int_equal(psc_state_record("trip", err, sizeof(err), "dir",
					  "/etc/netns/psclab-trip-changefeed"),
			 0);
	assert_int_equal(psc_state_record("trip", err, sizeof(err),
					  "nft-table", "inet psclab %d", 7), 0);

	psc_state s;
	assert_int_equal(psc_state_read("trip", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_netns, 2);
	assert_string_equal(s.netns[0], "psclab-trip-vpc-kafka-vpc");
	assert_string_equal(s.netns[1], "psclab-trip-broker-node1");
	assert_int_equal(s.n_procs, 2);
	assert_string_equal(s.procs[0].name, "dns-kafka-vpc");
	assert_int_equal(s.procs[0].pid, 4242);
	assert_true(s.procs[0].starttime == 123456789ULL);
	assert_string_equal(s.procs[0].netns, "psclab-trip-vpc-kafka-vpc");
	assert_string_equal(s.procs[0].log,
			    "/run/psclab/trip/logs/dns log.log");
	assert_int_equal(s.procs[1].pid, 4343);
	assert_int_equal(s.n_files, 1);
	assert_string_equal(s.files[0],
			    "/etc/netns/psclab-trip-changefeed/resolv.conf");
	assert_int_equal(s.n_dirs, 1);
	assert_string_equal(s.dirs[0], "/etc/netns/psclab-trip-changefeed");
	assert_int_equal(s.n_recs, 8);
	assert_string_equal(s.recs[7].kind, "nft-table");
	assert_string_equal(s.recs[7].text, "inet psclab 7");
	assert_int_equal(s.n_bad, 0);
	assert_false(s.torn);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("trip", err, sizeof(err)), 0);
}

/* A torn last line (killed mid-write) is ignored, and the next append cuts
 * it off instead of gluing a record to it. */
static void journal_torn_last_line(void **state)
{
	(void)state;
	char err[512] = "", dir[256], path[300];
	psc_state s;
	begin_ok("torn", NULL);
	append_raw("torn", "netns psclab-torn-a\nproc dns-x 12");
	assert_int_equal(psc_state_read("torn", &s, err, sizeof(err)), 0);
	assert_true(s.torn);
	assert_int_equal(s.n_netns, 1);
	assert_int_equal(s.n_procs, 0);
	assert_int_equal(s.n_bad, 0);
	psc_state_free(&s);

	assert_int_equal(psc_state_record("torn", err, sizeof(err), "netns",
					  "psclab-torn-b"), 0);
	assert_int_equal(psc_state_dir("torn", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_string_equal(read_all(path),
			    "netns psclab-torn-a\nnetns psclab-torn-b\n");
	assert_int_equal(psc_state_read("torn", &s, err, sizeof(err)), 0);
	assert_false(s.torn);
	assert_int_equal(s.n_netns, 2);
	psc_state_free(&s);

	/* a journal that is nothing but a torn line */
	assert_int_equal(psc_state_end("torn", err, sizeof(err)), 0);
	begin_ok("torn", NULL);
	append_raw("torn", "netns psclab-to");
	assert_int_equal(psc_state_read("torn", &s, err, sizeof(err)), 0);
	assert_true(s.torn);
	assert_int_equal(s.n_recs, 0);
	psc_state_free(&s);
	assert_int_equal(psc_state_record("torn", err, sizeof(err), "netns",
					  "psclab-torn-c"), 0);
	assert_string_equal(read_all(path), "netns psclab-torn-c\n");
	assert_int_equal(psc_state_end("torn", err, sizeof(err)), 0);
}

/* Malformed complete lines are counted and skipped, the rest still read;
 * no journal at all (begin killed early) is an empty state. */
static void journal_bad_lines_and_none(void **state)
{
	(void)state;
	char err[512] = "";
	psc_state s;
	begin_ok("bad", NULL);
	assert_int_equal(psc_state_read("bad", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_recs, 0);
	assert_false(s.torn);
	psc_state_free(&s);

	append_raw("bad", "proc dns abc 12 psclab-bad-x /log\n"
			  "proc dns 12 0 psclab-bad-x /log\n"
			  "proc dns 12 34\n"
			  "netns\n"
			  "netns two words\n"
			  "file relative/path\n"
			  "BAD kind\n"
			  "\n"
			  "proc dns 12 34 psclab-bad-x /var/log/a b.log\n");
	assert_int_equal(psc_state_read("bad", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_bad, 8);
	assert_int_equal(s.n_procs, 1);
	assert_string_equal(s.procs[0].log, "/var/log/a b.log");
	assert_int_equal(s.n_recs, 1);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("bad", err, sizeof(err)), 0);
}

/* Records that could not be read back are refused before writing. */
static void record_refuses_bad_input(void **state)
{
	(void)state;
	char err[512] = "";
	begin_ok("refuse", NULL);
	assert_int_equal(psc_state_record("refuse", err, sizeof(err), "file",
					  "/a\nnetns psclab-x"), -1);
	assert_string_equal(err, "journal record 'file': empty or holds a "
				 "newline");
	assert_int_equal(psc_state_record("refuse", err, sizeof(err), "Netns",
					  "x"), -1);
	assert_string_equal(err, "journal record kind 'Netns' must be 1..31 "
				 "of [a-z0-9-]");
	assert_int_equal(psc_state_record("refuse", err, sizeof(err), "file",
					  "%s", ""), -1);
	psc_proc p;
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "dns");
	snprintf(p.netns, sizeof(p.netns), "psclab-refuse-a");
	assert_int_equal(psc_state_record_proc("refuse", &p, err, sizeof(err)),
			 -1);       /* no pid */
	/* no state directory: nothing is created */
	assert_int_equal(psc_state_record("ghost", err, sizeof(err), "netns",
					  "psclab-ghost-a"), -1);
	char dir[256], want[512];
	assert_int_equal(psc_state_dir("ghost", dir, sizeof(dir)), 0);
	snprintf(want, sizeof(want), "lab 'ghost' has no state directory %s",
		 dir);
	assert_string_equal(err, want);
	psc_state s;
	assert_int_equal(psc_state_read("refuse", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_recs, 0);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("refuse", err, sizeof(err)), 0);
}

/* list: the labs with a state directory, sorted; other entries ignored. */
static void list_labs(void **state)
{
	(void)state;
	char labs[4][PSC_STATE_LAB_LEN], err[512], path[512];
	size_t n = 99;
	assert_int_equal(psc_state_list(labs, 4, &n), 0);
	assert_int_equal(n, 0);
	begin_ok("zeta", NULL);
	begin_ok("alpha", NULL);
	begin_ok("mid-1", NULL);
	snprintf(path, sizeof(path), "%s/Not_A_Lab", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/plainfile", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	int fd;
	assert_int_equal(psc_state_lock(&fd, 0, err, sizeof(err)), 0);

	assert_int_equal(psc_state_list(labs, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(labs[0], "alpha");
	assert_string_equal(labs[1], "mid-1");
	assert_string_equal(labs[2], "zeta");
	errno = 0;
	assert_int_equal(psc_state_list(labs, 2, &n), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(n, 2);

	psc_state_unlock(fd);
	assert_int_equal(psc_state_end("alpha", err, sizeof(err)), 0);
	assert_int_equal(psc_state_end("mid-1", err, sizeof(err)), 0);
	assert_int_equal(psc_state_end("zeta", err, sizeof(err)), 0);
	assert_int_equal(psc_state_list(labs, 4, &n), 0);
	assert_int_equal(n, 0);
	remove(path);
	snprintf(path, sizeof(path), "%s/Not_A_Lab", root);
	rmdir(path);

	/* no root directory at all: no labs */
	setenv("PSCLAB_RUN_DIR", "/nonexistent/psclab-test", 1);
	assert_int_equal(psc_state_list(labs, 4, &n), 0);
	assert_int_equal(n, 0);
	setenv("PSCLAB_RUN_DIR", root, 1);
}

/* end removes the directory, logs included; then the lab is not up, and a
 * second end is fine. */
static void end_removes_everything(void **state)
{
	(void)state;
	char err[512] = "", log[512], dir[256], want[512];
	begin_ok("gone", "topologies/portmap.yaml");
	assert_int_equal(psc_state_record("gone", err, sizeof(err), "netns",
					  "psclab-gone-a"), 0);
	assert_int_equal(psc_state_log_path("gone", "dns-a", log, sizeof(log)),
			 0);
	FILE *f = fopen(log, "w");
	assert_non_null(f);
	fputs("a log line\n", f);
	fclose(f);
	assert_int_equal(psc_state_dir("gone", dir, sizeof(dir)), 0);
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/logs/nested", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/logs/nested/link", dir);
	assert_int_equal(symlink("/etc/hostname", sub), 0);

	assert_int_equal(psc_state_end("gone", err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(stat("/etc/hostname", &st), 0);  /* not followed */
	psc_state s;
	errno = 0;
	assert_int_equal(psc_state_read("gone", &s, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(want, sizeof(want), "lab 'gone' is not up (no state in %s)",
		 dir);
	assert_string_equal(err, want);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("gone", err, sizeof(err)), 0);
}

/* Lab names are checked before they become paths. */
static void lab_names_are_checked(void **state)
{
	(void)state;
	char err[512] = "", out[256];
	psc_state s;
	assert_int_equal(psc_state_begin("../etc", NULL, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "lab name '../etc' must start with a "
				 "lowercase letter and hold only [a-z0-9-]");
	assert_int_equal(psc_state_begin("a/b", NULL, err, sizeof(err)), -1);
	assert_int_equal(psc_state_begin("", NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "lab name '' must be 1..24 characters");
	assert_int_equal(psc_state_record("Lab", err, sizeof(err), "netns",
					  "x"), -1);
	assert_int_equal(psc_state_read("a/../b", &s, err, sizeof(err)), -1);
	psc_state_free(&s);
	assert_int_equal(psc_state_end("..", err, sizeof(err)), -1);
	errno = 0;
	assert_int_equal(psc_state_dir("x/y", out, sizeof(out)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(psc_state_log_path("lab", "../x", out, sizeof(out)),
			 -1);
	assert_int_equal(psc_state_log_path("lab", "a/b", out, sizeof(out)),
			 -1);
	assert_int_equal(psc_state_dir("abcdefghijklmnopqrstuvwxy", out,
				       sizeof(out)), -1);       /* 25 */
	assert_int_equal(psc_state_dir("abcdefghijklmnopqrstuvwx", out,
				       sizeof(out)), 0);        /* 24 */
}

/* A child holding a lock: the host lock (lab NULL) or lab's.  It has the
 * lock when this returns; it lets go after hold_ms, or (hold_ms < 0) once
 * *done, the write end of a pipe, is closed, and exits 0 then.  Exit 1: it
 * could not take the lock. */
static pid_t lock_child(const char *lab, long hold_ms, int *done)
{
	int ready[2], dpipe[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(dpipe), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char e[512], c = 'x';
		int fd;
		close(ready[0]);
		close(dpipe[1]);
		alarm(20);      /* never outlive the test */
		if ((lab ? psc_state_lock_lab(lab, &fd, 2000, e, sizeof(e))
			 : psc_state_lock(&fd, 2000, e, sizeof(e))) < 0)
			_exit(1);
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		if (hold_ms >= 0) {
			psc_sleep_ms(hold_ms);
			psc_state_unlock(fd);
			fd = -1;
		}
		(void)!read(dpipe[0], &c, 1);   /* until the parent says */
		psc_state_unlock(fd);
		_exit(0);
	}
	close(ready[1]);
	close(dpipe[0]);
	*done = dpipe[1];
	struct pollfd pfd = {.fd = ready[0], .events = POLLIN};
	char c;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

/* A lock held by another process makes the second wait, time out, and say
 * who holds it; once released it is taken. */
static void lock_held_by_child_times_out(void **state)
{
	(void)state;
	int done;
	pid_t pid = lock_child(NULL, -1, &done);

	char err[1024] = "", want[600];
	int fd = -2;
	long long t0 = psc_now_ms();
	assert_int_equal(psc_state_lock(&fd, 300, err, sizeof(err)), -1);
	long long waited = psc_now_ms() - t0;
	assert_int_equal(fd, -1);
	assert_true(waited >= 290 && waited < 3000);
	snprintf(want, sizeof(want),
		 "another pscLab holds the host lock %s/.lock (pid %d: ",
		 root, (int)pid);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("unexpected message: %s", err);
	assert_non_null(strstr(err, "test_state"));
	assert_non_null(strstr(err, "); gave up after 300 ms"));
	/* one try only */
	assert_int_equal(psc_state_lock(&fd, 0, err, sizeof(err)), -1);

	close(done);            /* the child releases and exits */
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(psc_state_lock(&fd, 1000, err, sizeof(err)), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	psc_state_unlock(fd);
}

/* A lock file naming a holder that is gone (killed while holding) does not
 * stop anyone, and is not reported. */
static void lock_stale_holder(void **state)
{
	(void)state;
	char path[512], err[512] = "";
	snprintf(path, sizeof(path), "%s/.lock", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("999999999 1 pscLab up portmap\n", f);
	fclose(f);
	int fd, fd2;
	assert_int_equal(psc_state_lock(&fd, 0, err, sizeof(err)), 0);
	/* the same process, another open file: still exclusive */
	assert_int_equal(psc_state_lock(&fd2, 50, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(pid "));
	psc_state_unlock(fd);
}

/* A lab's lock: another lab's is free, the same lab's names the lab, and
 * a waiter gets it when the holder lets go or is killed. */
static void lab_lock_per_lab(void **state)
{
	(void)state;
	int done, fd = -2, st;
	char err[1024] = "";
	pid_t pid = lock_child("alpha", 300, &done);
	assert_int_equal(psc_state_lock_lab("beta", &fd, 0, err, sizeof(err)),
			 0);
	psc_state_unlock(fd);
	assert_int_equal(psc_state_lock(&fd, 0, err, sizeof(err)), 0);
	psc_state_unlock(fd);           /* the host lock is not the lab's */
	int r = psc_state_lock_lab("alpha", &fd, 0, err, sizeof(err));
	if (r == 0)
		fail_msg("alpha's lock taken while the child holds it");
	assert_non_null(strstr(err, "the lock of lab 'alpha'"));
	assert_non_null(strstr(err, "/.locks/alpha.lock"));
	/* the child lets go after 300 ms and lives on: the wait ends */
	assert_int_equal(psc_state_lock_lab("alpha", &fd, 10000, err,
					    sizeof(err)), 0);
	psc_state_unlock(fd);
	close(done);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* a holder killed: its lock goes with it */
	pid = lock_child("alpha", -1, &done);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(psc_state_lock_lab("alpha", &fd, 10000, err,
					    sizeof(err)), 0);
	psc_state_unlock(fd);
	close(done);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(psc_state_lock_lab("../x", &fd, 0, err, sizeof(err)),
			 -1);
}

/* a proc record of lab: name, pid and start time, in the lab's namespace */
static void record_proc_ok(const char *lab, const char *name, pid_t pid,
			   unsigned long long starttime)
{
	char err[512] = "";
	psc_proc p;
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.pid = pid;
	p.starttime = starttime;
	snprintf(p.netns, sizeof(p.netns), "psclab-%s-broker-node1", lab);
	snprintf(p.log, sizeof(p.log), "/tmp/%s.log", name);
	if (psc_state_record_proc(lab, &p, err, sizeof(err)) != 0)
		fail_msg("record %s: %s", name, err);
}

/* psc_lab_status() of lab into a string (static) */
static const char *status_of(const char *lab, bool json)
{
	static char *buf;
	size_t len = 0;
	char err[512] = "";
	free(buf);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int rc = psc_lab_status(lab, json, f, err, sizeof(err));
	assert_int_equal(fclose(f), 0);
	if (rc != 0)
		fail_msg("status %s: %s", lab, err);
	return buf;
}

/* A process started again (restart, fault kill then start) is journaled
 * again and its old record kept (down stops every pid the journal names):
 * status lists both, the old one "replaced", not a dead process of the lab;
 * a dead process that nothing replaced is still DEAD. */
static void status_marks_replaced_process(void **state)
{
	(void)state;
	const char *lab = "unit-status";
	const pid_t gone = 0x3ffffff0;          /* no such process */
	char err[512] = "";
	begin_ok(lab, "topologies/portmap.yaml");
	record_proc_ok(lab, "kafka-broker-node1", gone, 1);
	record_proc_ok(lab, "dns-kafka-vpc", gone + 1, 1);
	record_proc_ok(lab, "kafka-broker-node1", getpid(),
		       psc_proc_starttime(getpid()));

	psc_state s;
	assert_int_equal(psc_state_read(lab, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_procs, 3);         /* the journal keeps all */
	assert_ptr_equal(psc_state_proc_last(&s, "kafka-broker-node1"),
			 &s.procs[2]);
	assert_ptr_equal(psc_state_proc_last(&s, "dns-kafka-vpc"),
			 &s.procs[1]);
	assert_null(psc_state_proc_last(&s, "kafka-broker-node2"));
	psc_state_free(&s);

	json_error_t je;
	json_t *doc = json_loads(status_of(lab, true), 0, &je);
	if (!doc)
		fail_msg("status --json: %s", je.text);
	json_t *procs = json_object_get(json_array_get(
		json_object_get(doc, "labs"), 0), "processes");
	assert_int_equal(json_array_size(procs), 3);
	const struct {
		long long pid;
		bool alive, replaced;
	} want[3] = {{gone, false, true}, {gone + 1, false, false},
		     {getpid(), true, false}};
	for (size_t i = 0; i < 3; i++) {
		json_t *x = json_array_get(procs, i);
		assert_int_equal(json_integer_value(json_object_get(x, "pid")),
				 want[i].pid);
		assert_true(json_is_boolean(json_object_get(x, "alive")));
		assert_int_equal(json_is_true(json_object_get(x, "alive")),
				 want[i].alive);
		assert_true(json_is_boolean(json_object_get(x, "replaced")));
		assert_int_equal(json_is_true(json_object_get(x, "replaced")),
				 want[i].replaced);
	}
	json_decref(doc);

	/* the table: one line each, the old broker "replaced" */
	const char *txt = status_of(lab, false);
	char line[256];
	snprintf(line, sizeof(line), "\n%-22s %-8d %-8s ",
		 "kafka-broker-node1", (int)gone, "replaced");
	if (!strstr(txt, line))
		fail_msg("no line '%s' in:\n%s", line + 1, txt);
	snprintf(line, sizeof(line), "\n%-22s %-8d %-8s ", "dns-kafka-vpc",
		 (int)gone + 1, "DEAD");
	if (!strstr(txt, line))
		fail_msg("no line '%s' in:\n%s", line + 1, txt);
	snprintf(line, sizeof(line), "\n%-22s %-8d %-8s ",
		 "kafka-broker-node1", (int)getpid(), "running");
	if (!strstr(txt, line))
		fail_msg("no line '%s' in:\n%s", line + 1, txt);
	assert_int_equal(psc_state_end(lab, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_from_env),
		cmocka_unit_test(begin_copies_topology),
		cmocka_unit_test(begin_twice_is_already_up),
		cmocka_unit_test(begin_failure_rolls_back),
		cmocka_unit_test(journal_round_trip),
		cmocka_unit_test(journal_torn_last_line),
		cmocka_unit_test(journal_bad_lines_and_none),
		cmocka_unit_test(record_refuses_bad_input),
		cmocka_unit_test(list_labs),
		cmocka_unit_test(end_removes_everything),
		cmocka_unit_test(lab_names_are_checked),
		cmocka_unit_test(lock_held_by_child_times_out),
		cmocka_unit_test(lock_stale_holder),
		cmocka_unit_test(lab_lock_per_lab),
		cmocka_unit_test(status_marks_replaced_process),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
