/* proc.c - processes in a node (see proc.h). */
#define _GNU_SOURCE
#include "runtime/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#define NETNS_RUN_DIR "/run/netns"
#define NETNS_ETC_DIR "/etc/netns"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
		     "/sbin:/bin"
#define POLL_MS 20              /* /proc polling while stopping, only
				 * where pidfd_open is missing (< 5.3) */
#define KILL_WAIT_MS 2000       /* after SIGKILL */
#define START_TIMEOUT_MS 10000  /* the new process reports ready / execs */
#define GO_TIMEOUT_MS 30000     /* the new process waits for its go */
#define REAP_TIMEOUT_MS 5000    /* the intermediate child exits */
#define CHILD_SOCK 4            /* the new process's fd to pscLab (its
				 * readiness pipe, when it has one, is
				 * PSC_PROC_READY_FD, 3) */

extern char **environ;


/* ---- /proc/<pid>/stat ---- */

typedef struct stat_info {
	char state;                     /* R S D Z T t X ... */
	pid_t pgrp;
	unsigned long long starttime;
} stat_info;

/* Async-signal-safe (the new process reads its own start time). */
static int read_stat(pid_t pid, stat_info *si)
{
	char path[32] = "/proc/", digits[16], buf[1024];
	size_t nd = 0, n = strlen(path);
	unsigned long v = (unsigned long)pid;

	if (pid <= 0)
		return -1;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (nd)
		path[n++] = digits[--nd];
	memcpy(path + n, "/stat", 6);

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len;
	do
		len = read(fd, buf, sizeof(buf) - 1);
	while (len < 0 && errno == EINTR);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';

	/* "pid (comm) state ppid pgrp ...": comm may hold ") " itself */
	char *p = NULL;
	for (ssize_t i = len - 1; i >= 0; i--)
		if (buf[i] == ')') {
			p = buf + i + 1;
			break;
		}
	if (!p)
		return -1;
	/* fields from 3 (state) on, one token each */
	unsigned long long num = 0;
	int field = 2;
	memset(si, 0, sizeof(*si));
	while (*p && field < 22) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		field++;
		if (field == 3) {
			si->state = *p;
		} else if (field == 5 || field == 22) {
			num = 0;
			bool neg = *p == '-';
			if (neg)
				p++;
			if (*p < '0' || *p > '9')
				return -1;
			for (; *p >= '0' && *p <= '9'; p++)
				num = num * 10 + (unsigned long long)(*p - '0');
			if (field == 5)
				si->pgrp = neg ? -(pid_t)num : (pid_t)num;
			else
				si->starttime = num;
		}
		while (*p && *p != ' ')
			p++;
	}
	return field == 22 && si->starttime ? 0 : -1;
}

unsigned long long psc_proc_starttime(pid_t pid)
{
	stat_info si;
	return read_stat(pid, &si) == 0 ? si.starttime : 0;
}

/* The process p names is running: same start time, not a zombie. */
static bool is_ours(const psc_proc *p, stat_info *si)
{
	if (!p || p->pid <= 0 || p->starttime == 0 || read_stat(p->pid, si) < 0)
		return false;
	return si->starttime == p->starttime && si->state != 'Z' &&
	       si->state != 'X' && si->state != 'x';
}

bool psc_proc_alive(const psc_proc *p)
{
	stat_info si;
	return is_ours(p, &si);
}

bool psc_proc_pid_alive(pid_t pid)
{
	stat_info si;
	return read_stat(pid, &si) == 0 && si.state != 'Z' &&
	       si.state != 'X' && si.state != 'x';
}

/* ---- names ---- */

static int name_check(const char *name, char *err, size_t errlen)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= PSC_PROC_NAME_LEN || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
		snprintf(err, errlen,
			 "process name '%s' must be 1..%d of [A-Za-z0-9._-], "
			 "not starting with '.'", name ? name : "",
			 PSC_PROC_NAME_LEN - 1);
		return -1;
	}
	return 0;
}

/* ---- entering a node (iproute2's netns_switch() and bind_etc()) ---- */

static int bind_etc(const char *netns, char *err, size_t errlen)
{
	char dir[sizeof(NETNS_ETC_DIR) + PSC_NETNS_NAME_LEN];
	char src[PATH_MAX], dst[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", NETNS_ETC_DIR, netns);
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "node %s: cannot read %s: %s", netns,
			 dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", e->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL) < 0) {
			snprintf(err, errlen,
				 "node %s: cannot bind-mount %s over %s: %s",
				 netns, src, dst, strerror(errno));
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

int psc_proc_enter_node(const char *netns, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (psc_plan_ns_name_check(netns, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, netns);
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "node %s: cannot open %s: %s", netns,
			 path, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen,
			 "node %s: cannot enter the network namespace: %s",
			 netns, strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(err, errlen,
			 "node %s: cannot unshare the mount namespace: %s",
			 netns, strerror(errno));
		return -1;
	}
	/* no mount made here propagates back to the host */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) {
		snprintf(err, errlen, "node %s: cannot make / rslave: %s",
			 netns, strerror(errno));
		return -1;
	}
	/* a /sys that describes the namespace's devices */
	unsigned long flags = 0;
	if (umount2("/sys", MNT_DETACH) < 0) {
		/* not mounted, or busy: overlay it; a read-only sysfs cannot
		 * be shadowed by a read-write one */
		struct statvfs sv;
		if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
			flags = MS_RDONLY;
	}
	if (mount(netns, "/sys", "sysfs", flags, NULL) < 0) {
		snprintf(err, errlen, "node %s: cannot mount /sys: %s", netns,
			 strerror(errno));
		return -1;
	}
	return bind_etc(netns, err, errlen);
}

/* ---- spawn ---- */

enum { MSG_READY = 1, MSG_ERROR = 2 };

struct spawn_msg {
	int kind;
	pid_t pid;
	unsigned long long starttime;
	char text[512];
};

/* The PATH of envp, else pscLab's, else the standard one. */
static const char *env_path(char *const envp[])
{
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	const char *p = getenv("PATH");
	return p ? p : DEFAULT_PATH;
}

/* file made absolute against the working directory (the new process
 * runs in /): 0, or an errno. */
static int absolute(const char *file, char *out, size_t len)
{
	char cwd[PATH_MAX];
	int n;
	if (file[0] == '/')
		n = snprintf(out, len, "%s", file);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, len, "%s/%s", cwd, file);
	else
		return errno;
	return n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0;
}

/* Where execvp would find file, as an absolute path: 0, or an errno. */
static int resolve(const char *file, char *const envp[], char *out,
		   size_t len)
{
	char cand[PATH_MAX];
	if (strchr(file, '/'))
		return absolute(file, out, len);
	const char *p = env_path(envp);
	int e = ENOENT;
	while (p) {
		const char *colon = strchr(p, ':');
		size_t dl = colon ? (size_t)(colon - p) : strlen(p);
		int n = dl ? snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl,
				      p, file)
			   : snprintf(cand, sizeof(cand), "./%s", file);
		struct stat st;
		if (n > 0 && (size_t)n < sizeof(cand) &&
		    stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0)
				return absolute(cand, out, len);
			e = EACCES;
		}
		p = colon ? colon + 1 : NULL;
	}
	return e;
}

static void send_msg(int sock, const struct spawn_msg *m)
{
	ssize_t r;
	do
		r = send(sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
}

__attribute__((noreturn))
static void child_fail(int sock, const char *text)
{
	struct spawn_msg m;
	memset(&m, 0, sizeof(m));
	m.kind = MSG_ERROR;
	snprintf(m.text, sizeof(m.text), "%s", text);
	send_msg(sock, &m);
	_exit(127);
}

static void close_from(int lowfd)
{
	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		close(fd);
}

/* The new process's fds: /dev/null, the log twice, the readiness pipe at
 * PSC_PROC_READY_FD (the one fd that outlives exec: dup2 clears
 * FD_CLOEXEC; closed when there is none), the socket at CHILD_SOCK;
 * moved out of the way of 0..4 first (*moved: the socket's copy there, to
 * report a failure through).  -1 (errno) on failure. */
static int place_fds(int sock, int logfd, int nullfd, int readyfd,
		     int *moved)
{
	int s = *moved = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	int l = fcntl(logfd, F_DUPFD_CLOEXEC, 10);
	int n = fcntl(nullfd, F_DUPFD_CLOEXEC, 10);
	int r = readyfd >= 0 ? fcntl(readyfd, F_DUPFD_CLOEXEC, 10) : -1;
	if (s < 0 || l < 0 || n < 0 || (readyfd >= 0 && r < 0) ||
	    dup2(n, 0) < 0 || dup2(l, 1) < 0 || dup2(l, 2) < 0)
		return -1;
	if (r >= 0 ? dup2(r, PSC_PROC_READY_FD) < 0
		   : close(PSC_PROC_READY_FD) < 0 && errno != EBADF)
		return -1;
	return dup3(s, CHILD_SOCK, O_CLOEXEC) < 0 ? -1 : 0;
}

/* The new process: into the node, fds and signals cleaned, then tell
 * pscLab who we are and exec when it says so. */
__attribute__((noreturn))
static void spawned(int sock, int logfd, int nullfd, int readyfd,
		    const char *netns, const char *exe, char *const argv[],
		    char *const envp[])
{
	char e[sizeof(((struct spawn_msg *)0)->text)];
	struct spawn_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = MSG_READY;
	m.pid = getpid();
	m.starttime = psc_proc_starttime(m.pid);
	if (setpgid(0, 0) < 0) {
		snprintf(e, sizeof(e), "setpgid: %s", strerror(errno));
		child_fail(sock, e);
	}
	if (psc_proc_enter_node(netns, e, sizeof(e)) < 0)
		child_fail(sock, e);
	if (chdir("/") < 0) {
		snprintf(e, sizeof(e), "chdir /: %s", strerror(errno));
		child_fail(sock, e);
	}

	int moved;
	if (place_fds(sock, logfd, nullfd, readyfd, &moved) < 0) {
		snprintf(e, sizeof(e), "cannot set up stdin/stdout/stderr: %s",
			 strerror(errno));
		child_fail(moved >= 0 ? moved : sock, e);
	}
	close_from(CHILD_SOCK + 1);
	sock = CHILD_SOCK;

	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);   /* glibc's own ones: EINVAL */
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (m.starttime == 0)
		child_fail(sock, "cannot read its own /proc/<pid>/stat");
	send_msg(sock, &m);

	/* wait for the word: pscLab has journaled us (or is gone: EOF) */
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	long long deadline = psc_now_ms() + GO_TIMEOUT_MS;
	char go = 0;
	for (;;) {
		long long left = deadline - psc_now_ms();
		if (left <= 0)
			_exit(127);
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(127);
		ssize_t got = recv(sock, &go, 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got != 1 || go != 'G')
			_exit(127);
		break;
	}
	execve(exe, argv, envp);
	snprintf(e, sizeof(e), "%s", strerror(errno));
	child_fail(sock, e);
}

/* One message within timeout_ms: 1, 0 at EOF, -1 (errno) otherwise. */
static int recv_msg(int sock, int timeout_ms, struct spawn_msg *m)
{
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	long long deadline = psc_now_ms() + timeout_ms;
	for (;;) {
		long long left = deadline - psc_now_ms();
		if (left < 0)
			left = 0;
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t got = recv(sock, m, sizeof(*m), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		if ((size_t)got != sizeof(*m)) {
			errno = EPROTO;
			return -1;
		}
		m->text[sizeof(m->text) - 1] = '\0';
		return 1;
	}
}

int psc_proc_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Wait until pidfd's process has exited (a zombie or reaped) or the
 * deadline: true when it has.  No sleep: poll wakes at the exit. */
static bool pidfd_wait(int pidfd, long long deadline)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	for (;;) {
		long long left = deadline - psc_now_ms();
		int r = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

/* Reap our direct child, which exits at once; bounded. */
static void reap(pid_t pid)
{
	int st;
	long long deadline = psc_now_ms() + REAP_TIMEOUT_MS;
	AUTO_FD pidfd = psc_proc_pidfd(pid);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return;         /* reaped, or ECHILD (SIGCHLD ignored) */
		if (psc_now_ms() >= deadline)
			break;
		if (pidfd < 0 || !pidfd_wait(pidfd, deadline))
			psc_sleep_ms(5);        /* no pidfd: kernel < 5.3 */
	}
	/* still our unreaped child, so still that pid: safe to kill */
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Wait up to ms for p to be gone; true when it is.  pidfd (pinning p's
 * process, or -1) is polled: woken at the exit; without one (kernel < 5.3)
 * /proc is read every POLL_MS. */
static bool wait_gone(const psc_proc *p, int pidfd, int ms)
{
	if (ms < 0)
		ms = 0;
	long long deadline = psc_now_ms() + ms;
	if (pidfd >= 0) {
		pidfd_wait(pidfd, deadline);
		return !psc_proc_alive(p);
	}
	for (int i = 0; i <= ms / POLL_MS + 1; i++) {
		if (!psc_proc_alive(p))
			return true;
		long long left = deadline - psc_now_ms();
		if (left <= 0)
			break;
		psc_sleep_ms(left < POLL_MS ? (int)left : POLL_MS);
	}
	return !psc_proc_alive(p);
}

/* wait_gone for a process found by its pid and start time */
static bool wait_gone_pid(const psc_proc *p, int ms)
{
	AUTO_FD pidfd = psc_proc_pidfd(p->pid);
	stat_info si;
	if (pidfd >= 0 && !is_ours(p, &si))
		return true;    /* the pidfd is another process's */
	return wait_gone(p, pidfd, ms);
}

/* the arguments of psc_proc_spawn checked; out's name, netns and
 * absolute log path filled */
static int spawn_check(const char *name, const char *netns,
		       char *const argv[], const char *logpath, psc_proc *out,
		       char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (name_check(name, err, errlen) < 0 ||
	    psc_plan_ns_name_check(netns, err, errlen) < 0)
		return -1;
	if (!argv || !argv[0] || !argv[0][0]) {
		snprintf(err, errlen, "%s: no command given", name);
		return -1;
	}
	if (!logpath)
		logpath = "/dev/null";
	if (strchr(logpath, '\n') || !*logpath ||
	    absolute(logpath, out->log, sizeof(out->log)) != 0) {
		snprintf(err, errlen, "%s: unusable log path '%s'", name,
			 logpath);
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->netns, sizeof(out->netns), "%s", netns);
	return 0;
}

/* the fds a new process is made with: pscLab's end of the socket, the
 * child's end, its log, /dev/null, its readiness pipe's write end (-1) */
struct spawn_fds {
	int sock, child_sock, logfd, nullfd, readyfd;
};

/* fork, setsid, fork: the grandchild runs spawned() (it tells us through
 * child_sock), the middle child exits at once and is reaped here */
static int fork_detached(const struct spawn_fds *f, const char *netns,
			 const char *exe, char *const argv[],
			 char *const envp[], const char *name, char *err,
			 size_t errlen)
{
	struct spawn_msg m;
	int child_sock = f->child_sock;
	pid_t mid = fork();
	if (mid < 0) {
		snprintf(err, errlen, "%s: fork: %s", name, strerror(errno));
		return -1;
	}
	if (mid == 0) {
		close(f->sock);
		if (setsid() < 0) {
			snprintf(m.text, sizeof(m.text), "setsid: %s",
				 strerror(errno));
			child_fail(child_sock, m.text);
		}
		pid_t pid = fork();
		if (pid < 0) {
			snprintf(m.text, sizeof(m.text), "fork: %s",
				 strerror(errno));
			child_fail(child_sock, m.text);
		}
		if (pid == 0)
			spawned(child_sock, f->logfd, f->nullfd, f->readyfd,
				netns, exe, argv, envp);
		_exit(0);
	}
	reap(mid);
	return 0;
}

/* The new process said it is ready (pid, start time): journal it through
 * the hook, give it the word, and learn that it exec'ed. */
static int spawn_handshake(int *sock, psc_proc *out, const char *argv0,
			   psc_proc_hook before_exec, void *hook_arg,
			   char *err, size_t errlen)
{
	struct spawn_msg m;
	const char *name = out->name;
	int r = recv_msg(*sock, START_TIMEOUT_MS, &m);
	if (r <= 0) {
		snprintf(err, errlen, "cannot start %s in %s: %s", name,
			 out->netns,
			 r == 0 ? "the new process exited before it was ready"
				: strerror(errno));
		return -1;      /* unready: it exits at EOF or its timeout */
	}
	if (m.kind != MSG_READY) {
		snprintf(err, errlen, "cannot start %s: %s", name, m.text);
		return -1;
	}
	out->pid = m.pid;
	out->starttime = m.starttime;

	if (before_exec && before_exec(out, hook_arg, err, errlen) < 0) {
		close(*sock);   /* EOF: it exits without running anything */
		*sock = -1;
		wait_gone_pid(out, 1000);
		return -1;
	}
	char go = 'G';
	if (send(*sock, &go, 1, MSG_NOSIGNAL) != 1) {
		snprintf(err, errlen, "cannot start %s: %s", name,
			 strerror(errno));
		return -1;
	}
	r = recv_msg(*sock, START_TIMEOUT_MS, &m);
	if (r == 0)
		return 0;       /* the socket closed on exec */
	if (r > 0) {
		snprintf(err, errlen, "cannot run '%s' (%s): %s", argv0, name,
			 m.text);
		wait_gone_pid(out, 1000);
		return -1;
	}
	snprintf(err, errlen, "cannot start %s (pid %d): no exec: %s", name,
		 (int)out->pid, strerror(errno));
	char ignored[256];
	psc_proc_stop(out, 0, ignored, sizeof(ignored));
	return -1;
}

/* the pipe of a readiness fd: *rd pscLab's end, *wr the process's (both
 * close-on-exec here; the process gets wr as PSC_PROC_READY_FD) */
static int ready_pipe(const char *name, int *rd, int *wr, char *err,
		      size_t errlen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: cannot make its readiness pipe: %s",
			 name, strerror(errno));
		return -1;
	}
	*rd = fds[0];
	*wr = fds[1];
	return 0;
}

/* psc_proc_spawn, with a readiness pipe when ready_fd is not NULL */
static int spawn_impl(const char *name, const char *netns,
		      char *const argv[], char *const envp[],
		      const char *logpath, psc_proc_hook before_exec,
		      void *hook_arg, psc_proc *out, int *ready_fd, char *err,
		      size_t errlen)
{
	char exe[PATH_MAX];

	if (spawn_check(name, netns, argv, logpath, out, err, errlen) < 0)
		return -1;
	logpath = out->log;
	if (!envp)
		envp = environ;
	int e = resolve(argv[0], envp, exe, sizeof(exe));
	if (e) {
		snprintf(err, errlen, "cannot run '%s' (%s): %s", argv[0],
			 name, strerror(e));
		return -1;
	}

	AUTO_FD logfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT |
					      O_CLOEXEC | O_NOCTTY, 0644);
	if (logfd < 0) {
		snprintf(err, errlen, "%s: cannot open the log %s: %s", name,
			 logpath, strerror(errno));
		return -1;
	}
	AUTO_FD nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0) {
		snprintf(err, errlen, "%s: cannot open /dev/null: %s", name,
			 strerror(errno));
		return -1;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "%s: socketpair: %s", name,
			 strerror(errno));
		return -1;
	}
	AUTO_FD sock = sv[0];
	AUTO_FD child_sock = sv[1];
	AUTO_FD ready_rd = -1;
	AUTO_FD ready_wr = -1;
	if (ready_fd &&
	    ready_pipe(name, &ready_rd, &ready_wr, err, errlen) < 0)
		return -1;
	struct spawn_fds f = {sock, child_sock, logfd, nullfd, ready_wr};
	if (fork_detached(&f, netns, exe, argv, envp, name, err, errlen) < 0)
		return -1;
	close(child_sock);
	child_sock = -1;
	/* the process holds the only write end now: EOF when it exits */
	close(ready_wr);
	ready_wr = -1;
	if (spawn_handshake(&sock, out, argv[0], before_exec, hook_arg, err,
			    errlen) < 0)
		return -1;
	if (ready_fd) {
		*ready_fd = ready_rd;
		ready_rd = -1;
	}
	return 0;
}

int psc_proc_spawn(const char *name, const char *netns, char *const argv[],
		   char *const envp[], const char *logpath,
		   psc_proc_hook before_exec, void *hook_arg, psc_proc *out,
		   char *err, size_t errlen)
{
	return spawn_impl(name, netns, argv, envp, logpath, before_exec,
			  hook_arg, out, NULL, err, errlen);
}

int psc_proc_spawn_ready(const char *name, const char *netns,
			 char *const argv[], char *const envp[],
			 const char *logpath, psc_proc_hook before_exec,
			 void *hook_arg, psc_proc *out, int *ready_fd,
			 char *err, size_t errlen)
{
	*ready_fd = -1;
	return spawn_impl(name, netns, argv, envp, logpath, before_exec,
			  hook_arg, out, ready_fd, err, errlen);
}

/* one readiness pipe's news: 1 the byte came, 0 EOF (the process closed
 * it or exited first), -1 read error */
static int ready_read(int fd)
{
	char b;
	ssize_t r;
	do
		r = read(fd, &b, 1);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 1 : r == 0 ? 0 : -1;
}

int psc_proc_wait_ready(const int *fds, size_t n, int timeout_ms,
			size_t *which, char *err, size_t errlen)
{
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t left = n;
	int rc = 0;
	*which = 0;
	if (!pfd) {
		psc_setf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	long long deadline = psc_now_ms() + timeout_ms;
	while (left > 0 && rc == 0) {
		long long ms = deadline - psc_now_ms();
		int r = poll(pfd, n, ms > 0 ? (int)ms : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			for (*which = 0; *which < n && pfd[*which].fd < 0;)
				(*which)++;
			if (r == 0)
				psc_setf(err, errlen, "it was not ready within "
					 "%d ms", timeout_ms);
			else
				psc_setf(err, errlen, "poll: %s",
					 strerror(errno));
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			int got = ready_read(pfd[i].fd);
			if (got <= 0) {
				*which = i;
				psc_setf(err, errlen, got == 0 ? "it exited "
					 "(or closed its readiness fd) before "
					 "it was ready" : "reading its "
					 "readiness pipe: %s", strerror(errno));
				rc = -1;
			}
			pfd[i].fd = -1;     /* ready: poll ignores it now */
			left--;
		}
	}
	free(pfd);
	return rc;
}

/* ---- stop ---- */

static int pidfd_signal_(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

/* Signal p if, and only if, it still is the process recorded: 0 sent,
 * 1 gone or not ours (nothing sent), -1 error.  pidfd (-1 where the kernel
 * has none) was opened on p->pid before this looks at /proc, so the process
 * checked is the one signalled.  A process group leader (as spawned
 * processes are) gets it with its group, as long as it has not exited:
 * while it is alive or an unreaped zombie, its pid, hence the group id,
 * cannot be reused. */
static int signal_ours(const psc_proc *p, int pidfd, int sig)
{
	stat_info si;
	if (!is_ours(p, &si))
		return 1;
	int r;
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	if (si.pgrp == p->pid && (pidfd < 0 || poll(&pfd, 1, 0) == 0)) {
		r = kill(-p->pid, sig);
	} else {
		r = pidfd >= 0 ? pidfd_signal_(pidfd, sig) : kill(p->pid, sig);
		if (r < 0 && pidfd >= 0 && errno == ENOSYS)
			r = kill(p->pid, sig);
	}
	if (r < 0)
		return errno == ESRCH ? 1 : -1;
	return 0;
}

/* SIGKILL p (checked as ours through pidfd) and wait for its exit */
static int kill_and_wait(const psc_proc *p, int pidfd, char *err,
			 size_t errlen)
{
	int r = signal_ours(p, pidfd, SIGKILL);
	if (r == 1)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s (pid %d): cannot send SIGKILL: %s",
			 p->name, (int)p->pid, strerror(errno));
		return -1;
	}
	if (wait_gone(p, pidfd, KILL_WAIT_MS))
		return 0;
	snprintf(err, errlen, "%s (pid %d): still running %d ms after SIGKILL",
		 p->name, (int)p->pid, KILL_WAIT_MS);
	return -1;
}

int psc_proc_stop(const psc_proc *p, int grace_ms, char *err,
		  size_t errlen)
{
	if (!p || p->pid <= 0) {
		snprintf(err, errlen, "%s: no pid to stop",
			 p ? p->name : "process");
		return -1;
	}
	/* the pidfd pins the process found now: signalled and waited for
	 * through it (woken at its exit, no polling) */
	AUTO_FD pidfd = psc_proc_pidfd(p->pid);
	if (pidfd < 0 && errno == ESRCH)
		return 0;
	int r = signal_ours(p, pidfd, SIGTERM);
	if (r == 1)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s (pid %d): cannot send SIGTERM: %s",
			 p->name, (int)p->pid, strerror(errno));
		return -1;
	}
	if (wait_gone(p, pidfd, grace_ms))
		return 0;
	return kill_and_wait(p, pidfd, err, errlen);
}

int psc_proc_kill(const psc_proc *p, char *err, size_t errlen)
{
	if (!p || p->pid <= 0) {
		snprintf(err, errlen, "%s: no pid to kill",
			 p ? p->name : "process");
		return -1;
	}
	AUTO_FD pidfd = psc_proc_pidfd(p->pid);
	if (pidfd < 0 && errno == ESRCH)
		return 0;
	return kill_and_wait(p, pidfd, err, errlen);
}

/* ---- exec in the foreground ---- */

/* the child of psc_proc_exec_node: into the node, then exec; on failure
 * '7' (127) or '6' (126) and the message to pscLab through wr */
static void __attribute__((noreturn))
exec_child(int wr, const char *netns, char *const argv[])
{
	char msg[1024];
	msg[0] = '7';
	if (psc_proc_enter_node(netns, msg + 1, sizeof(msg) - 1) < 0) {
		(void)!write(wr, msg, strlen(msg));
		_exit(127);
	}
	execvp(argv[0], argv);
	int e = errno;
	snprintf(msg, sizeof(msg), "%ccannot run '%s' in %s: %s",
		 e == ENOENT ? '7' : '6', argv[0], netns, strerror(e));
	(void)!write(wr, msg, strlen(msg));
	_exit(e == ENOENT ? 127 : 126);
}

/* what the child wrote before it exec'ed (nothing: it did) */
static size_t read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

/* a wait status as a shell shows it */
static int shell_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 126;
}

int psc_proc_exec_node(const char *netns, char *const argv[], int *status,
		       char *err, size_t errlen)
{
	char msg[1024];
	struct sigaction ign, old_int, old_quit;
	sigset_t chld, old_mask;
	int pfd[2];

	*status = 127;
	if (psc_plan_ns_name_check(netns, err, errlen) < 0)
		return -1;
	if (!argv || !argv[0] || !argv[0][0]) {
		snprintf(err, errlen, "no command given");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		*status = 126;
		return -1;
	}
	AUTO_FD rd = pfd[0];
	AUTO_FD wr = pfd[1];

	/* as system(): the child gets SIGINT/SIGQUIT, pscLab waits */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);

	pid_t pid = fork();
	if (pid == 0) {
		close(rd);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		exec_child(wr, netns, argv);
	}
	int fork_errno = errno;
	close(wr);
	wr = -1;

	size_t n = pid > 0 ? read_all(rd, msg, sizeof(msg)) : 0;
	int st = 0;
	pid_t w = -1;
	if (pid > 0)
		while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			;
	int wait_errno = errno;

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(fork_errno));
		*status = 126;
		return -1;
	}
	if (n > 0) {
		*status = msg[0] == '6' ? 126 : 127;
		snprintf(err, errlen, "%s", msg + 1);
		return -1;
	}
	if (w != pid) {
		snprintf(err, errlen, "waitpid %d: %s", (int)pid,
			 strerror(wait_errno));
		*status = 126;
		return -1;
	}
	*status = shell_status(st);
	return 0;
}

/* ---- foreground jobs ---- */

/* fork and exec one job, its output into its log (truncated) */
static pid_t start_job(const psc_proc_job *j, char *err, size_t errlen)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(j->logpath, O_WRONLY | O_CREAT | O_TRUNC |
						  O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(126);
		execve(j->argv[0], j->argv, j->envp ? j->envp : environ);
		_exit(127);
	}
	if (pid < 0)
		psc_setf(err, errlen, "cannot fork for %s: %s", j->argv[0],
			 strerror(errno));
	return pid;
}

/* wait for every started job until deadline, each by its pidfd; the
 * ones still running then are killed */
static void wait_jobs(psc_proc_job *jobs, const pid_t *pids, size_t n,
		      long long deadline)
{
	for (size_t i = 0; i < n; i++) {
		int st = 0;
		if (pids[i] <= 0)
			continue;
		AUTO_FD pidfd = psc_proc_pidfd(pids[i]);
		pid_t r = 0;
		while ((r = waitpid(pids[i], &st, WNOHANG)) == 0) {
			long long left = deadline - psc_now_ms();
			if (left <= 0)
				break;
			struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
			if (pidfd < 0 || poll(&pfd, 1, (int)left) < 0)
				psc_sleep_ms(left < 20 ? left : 20);
		}
		if (r == 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
			jobs[i].status = -1;
		} else {
			jobs[i].status = shell_status(st);
		}
	}
}

int psc_proc_run_all(psc_proc_job *jobs, size_t n, long timeout_ms,
		     char *err, size_t errlen)
{
	pid_t *pids = calloc(n ? n : 1, sizeof(*pids));
	int rc = 0;
	if (!pids) {
		psc_setf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].status = -1;
		pids[i] = start_job(&jobs[i], err, errlen);
		if (pids[i] < 0) {
			rc = -1;
			break;
		}
	}
	wait_jobs(jobs, pids, n, psc_now_ms() + timeout_ms);
	free(pids);
	return rc;
}

