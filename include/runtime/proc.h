/* proc.h - the supervisor: processes that run "in a node" (a lab's network
 * namespace), detached from pscLab, and found again by `pscLab down`.
 *
 * A process is named by its pid AND its start time (field 22 of
 * /proc/<pid>/stat, in clock ticks since boot): a pid alone may have been
 * reused by the time `down` reads it from the state journal, the pair may
 * not.  Nothing here signals a pid whose start time differs from the one
 * recorded.
 *
 * Journal first: psc_proc_spawn() calls a hook (normally
 * psc_state_proc_hook(), state.h) with the new process's pid and start time
 * BEFORE that process runs the command.  The process waits for pscLab's word
 * to exec; if pscLab dies or the hook fails, it exits without running
 * anything.  So a process that was never journaled never runs the command.
 *
 * Call these from a single-threaded process (they fork, and the child
 * allocates before exec). */
#ifndef PSCLAB_PROC_H
#define PSCLAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan/plan.h"         /* PSC_NETNS_NAME_LEN */

#define PSC_PROC_NAME_LEN 64
#define PSC_PROC_LOG_LEN 4096

typedef struct psc_proc {
	char name[PSC_PROC_NAME_LEN];   /* e.g. "dns-kafka-vpc": [A-Za-z0-9._-] */
	pid_t pid;
	unsigned long long starttime;   /* /proc/<pid>/stat field 22 */
	char netns[PSC_NETNS_NAME_LEN]; /* psclab-<lab>-<node> */
	char log[PSC_PROC_LOG_LEN];     /* stdout and stderr go here */
} psc_proc;

/* Called by psc_proc_spawn() once the process exists (p->pid, p->starttime
 * filled) and before it runs the command; returns 0 to let it run, -1 (with
 * err) to have it exit unrun. */
typedef int (*psc_proc_hook)(const psc_proc *p, void *arg, char *err,
			     size_t errlen);

/* The start time of pid, 0 if there is no such process. */
unsigned long long psc_proc_starttime(pid_t pid);

/* Put the calling process "in the node" exactly as `ip netns exec <netns>`
 * does (iproute2's netns_switch()): setns(CLONE_NEWNET) to
 * /run/netns/<netns>, unshare(CLONE_NEWNS), make / an rslave mount, remount
 * /sys for the namespace (umount2 MNT_DETACH + mount sysfs), bind-mount every
 * file of /etc/netns/<netns>/ over /etc/<file>.  Unlike iproute2, a failed
 * bind mount is an error, not a warning.  Changes the calling process: for a
 * child before exec, or `pscLab exec` before it execs. */
int psc_proc_enter_node(const char *netns, char *err, size_t errlen);

/* Start argv in the node, detached (fork, setsid, fork: a new process group
 * in a new session, reparented to init), with stdin from /dev/null,
 * stdout and stderr appended to logpath (created 0644; NULL: /dev/null),
 * cwd /, default signal dispositions, an empty signal mask, no other fd.
 * argv[0] without a '/' is looked up in the PATH of envp (else pscLab's,
 * else the standard one); envp NULL: pscLab's environment.  Relative paths
 * (command, log) are taken from the current directory and out->log is
 * absolute.  before_exec
 * (may be NULL) is called as described above.  On success out holds name,
 * pid, starttime, netns and log; the command may still exit at once (use
 * psc_proc_alive()).  On failure err names the process, and the command when
 * it could not be run ("cannot run 'x' (name): No such file or directory");
 * out->pid is then non-zero if a process existed (it exits by itself). */
int psc_proc_spawn(const char *name, const char *netns, char *const argv[],
		   char *const envp[], const char *logpath,
		   psc_proc_hook before_exec, void *hook_arg, psc_proc *out,
		   char *err, size_t errlen);

/* Readiness: psc_proc_spawn_ready() is psc_proc_spawn() with a pipe whose
 * write end the command finds open at fd PSC_PROC_READY_FD (the one fd
 * besides 0..2 it inherits); it writes one byte there the moment it serves
 * (a service: once its sockets are bound) and closes it.  *ready_fd gets
 * the read end (close-on-exec; the caller closes it), -1 on failure.
 * pscLab holds no write end, so the pipe reads EOF if the command exits,
 * or closes the fd, before it is ready.  Tell the command its fd (e.g. in
 * argv): a command run by hand has no such pipe. */
#define PSC_PROC_READY_FD 3
int psc_proc_spawn_ready(const char *name, const char *netns,
			 char *const argv[], char *const envp[],
			 const char *logpath, psc_proc_hook before_exec,
			 void *hook_arg, psc_proc *out, int *ready_fd,
			 char *err, size_t errlen);
/* Wait until every one of n readiness fds has its byte, all at once (poll,
 * no sleep), timeout_ms in all.  0; -1 with *which the first fd that is
 * not ready and err why ("it exited ... before it was ready", "it was not
 * ready within N ms"), for the caller to name the process. */
int psc_proc_wait_ready(const int *fds, size_t n, int timeout_ms,
			size_t *which, char *err, size_t errlen);

/* The pid exists, has the recorded start time and is not a zombie. */
bool psc_proc_alive(const psc_proc *p);
/* The pid exists and is not a zombie (not reaped here: it may be someone
 * else's child); for a child pscLab waits for itself, whose start time it
 * has no need of. */
bool psc_proc_pid_alive(pid_t pid);

/* A pidfd of pid (close-on-exec; readable once it exits), or -1 (a
 * kernel without pidfd_open, < 5.3, or no such process). */
int psc_proc_pidfd(pid_t pid);

/* Stop p: SIGTERM, wait up to grace_ms for its exit, then SIGKILL and wait
 * up to 2 s more.  The waits poll a pidfd of the process (woken the moment
 * it exits; on a kernel without pidfd_open, < 5.3, /proc is read every
 * 20 ms instead).  Each signal goes to the process or,
 * when it leads its process group (as spawned processes do), to that whole
 * group; members that outlive the leader are not chased (nothing proves the
 * group is still ours then).  A pid that is gone, a zombie or has another
 * start time is not signalled and counts as stopped.  0 when the process is no longer
 * running, -1 with err (signal refused, still alive after SIGKILL). */
int psc_proc_stop(const psc_proc *p, int grace_ms, char *err, size_t errlen);
/* Kill p as a crash would: SIGKILL at once (no SIGTERM, so no shutdown
 * hook runs), to it or its group as psc_proc_stop does, then wait up to
 * 2 s for its exit.  The same checks of pid and start time; 0 when it is
 * no longer running, -1 with err. */
int psc_proc_kill(const psc_proc *p, char *err, size_t errlen);

/* Run argv in the node in the foreground: stdin, stdout, stderr and the
 * environment passed through, argv[0] looked up in PATH, no shell.  pscLab
 * ignores SIGINT and SIGQUIT while it waits (as system() does).  *status:
 * the exit status, 128+signal if killed.  -1 with err if the command could
 * not be started (*status is then 127 for a missing command or node, else
 * 126). */
int psc_proc_exec_node(const char *netns, char *const argv[], int *status,
		       char *err, size_t errlen);

/* A command run to its end in the foreground, in pscLab's namespace: no
 * supervisor, no journal (what it makes is the lab's files). */
typedef struct psc_proc_job {
	char *const *argv;          /* argv[0] a path */
	char *const *envp;          /* NULL: pscLab's environment */
	const char *logpath;        /* stdout and stderr (truncated) */
	int status;                 /* out: exit status, 128+signal, -1 when
				     * killed at the deadline or not run */
} psc_proc_job;

/* Start every job at once (stdin /dev/null) and wait for all, each by its
 * pidfd, timeout_ms in all; one still running then is killed.  0 when
 * every job was started (look at each status), -1 with err when one could
 * not be (those started are still waited for). */
int psc_proc_run_all(psc_proc_job *jobs, size_t n, long timeout_ms,
		     char *err, size_t errlen);

#endif
