/* state.h - a lab's state directory, its journal, and the host-wide lock.
 *
 * Root: $PSCLAB_RUN_DIR (an absolute path) or /run/psclab.  Per lab:
 *   <root>/<lab>/                 mode 0755, exists while the lab is up
 *   <root>/<lab>/state            the journal
 *   <root>/<lab>/topology.yaml    a copy of the topology it was built from
 *   <root>/<lab>/logs/<name>.log  the processes' stdout and stderr
 *   <root>/.lock                  the host lock: flock()ed by `up` while
 *                                 it builds and by `down` while it removes
 *                                 a lab's network (names, namespaces,
 *                                 nftables); holds "<pid> <starttime> <cmd>"
 *   <root>/.locks/<lab>.lock      the lab's lock: flock()ed by whatever
 *                                 changes that lab (up for its whole run,
 *                                 down, fault, restart), so two labs' brokers
 *                                 start side by side; always taken before
 *                                 the host lock, never after
 *
 * The journal is append-only, one record a line, "<kind> <text>\n", each
 * appended and fsync'ed BEFORE the object it names is created, so after a
 * kill at any point it names everything that may exist (and maybe a few
 * things that do not: removing them must tolerate ENOENT).  Kinds read here:
 *   netns <name>                                  a network namespace
 *   proc <name> <pid> <starttime> <netns> <log>   a process (log: the rest
 *                                                 of the line)
 *   file <absolute path>                          a file to remove
 *   dir <absolute path>                           a directory to remove
 *                                                 once empty
 *   topology <absolute path>                      the topology copy
 * Other kinds ([a-z0-9-], up to 31 characters) are kept, unparsed, in
 * psc_state.recs for the modules that write them.  A last line without its
 * newline (a torn write: the object was never created) is ignored, and cut
 * off by the next append.
 *
 * Writers hold psc_state_lock(); nothing here takes it by itself. */
#ifndef PSCLAB_STATE_H
#define PSCLAB_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"
#include "runtime/proc.h"

#define PSC_STATE_DEFAULT_ROOT "/run/psclab"
#define PSC_STATE_LAB_LEN 64            /* psc_state_list()'s entries */
#define PSC_STATE_LINE_MAX 8192         /* one journal record, newline in */
#define PSC_STATE_KIND_MAX 31

typedef struct psc_state_rec {
	const char *kind;
	const char *text;               /* after "<kind> " */
} psc_state_rec;

typedef struct psc_state {
	char lab[PSC_STATE_LAB_LEN];
	char dir[4096];                 /* <root>/<lab> */
	const char *topology;           /* last "topology" record, or NULL */
	const char **netns;             /* in journal order, no duplicates */
	size_t n_netns;
	psc_proc *procs;                /* in journal order */
	size_t n_procs;
	const char **files;
	size_t n_files;
	const char **dirs;
	size_t n_dirs;
	psc_state_rec *recs;            /* every well-formed record, in order */
	size_t n_recs;
	size_t n_bad;                   /* complete lines that did not parse */
	bool torn;                      /* a torn last line was ignored */
	char *buf;                      /* the journal; the strings above */
} psc_state;

/* The root directory, without a trailing '/': -1 (errno EINVAL) when
 * $PSCLAB_RUN_DIR is not absolute, (ENAMETOOLONG) when it does not fit. */
int psc_state_root(char *out, size_t len);

/* <root>/<lab>: -1 (errno EINVAL) for an invalid lab name. */
int psc_state_dir(const char *lab, char *out, size_t len);

/* <root>/<lab>/logs/<name>.log, name as psc_proc names go. */
int psc_state_log_path(const char *lab, const char *name, char *out,
		       size_t len);

/* Take the host-wide lock (creating <root> if needed), waiting up to
 * timeout_ms (0: one try), woken by inotify the moment the holder lets
 * go (no poll).  On timeout err says who holds it when known: "another
 * pscLab holds the host lock <root>/.lock (pid 42: pscLab up portmap);
 * gave up after 5000 ms".  *fd is -1 on failure.  The fd is close-on-exec. */
int psc_state_lock(int *fd, int timeout_ms, char *err, size_t errlen);
/* The same for the lock of lab (see above); the error names the lab. */
int psc_state_lock_lab(const char *lab, int *fd, int timeout_ms, char *err,
		       size_t errlen);
/* Either lock released. */
void psc_state_unlock(int fd);

/* Create <root>/<lab>/ (exclusively) and logs/, journal and copy the
 * topology (topology_path NULL: no copy).  An existing directory is
 * "lab 'x' is already up (state in <dir>); run 'pscLab down x' first".
 * On failure nothing is left behind. */
int psc_state_begin(const char *lab, const char *topology_path, char *err,
		    size_t errlen);

/* Append "<kind> <text>\n" to the lab's journal and fsync it (and the
 * directory when the journal is new).  The text may not hold a newline. */
int psc_state_record(const char *lab, char *err, size_t errlen,
		     const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The "proc" record of p. */
int psc_state_record_proc(const char *lab, const psc_proc *p, char *err,
			  size_t errlen);

/* A psc_proc_hook: psc_state_record_proc() with arg the lab name, so
 * psc_proc_spawn(..., psc_state_proc_hook, (void *)lab, ...) journals the
 * process before it runs. */
int psc_state_proc_hook(const psc_proc *p, void *lab, char *err,
			size_t errlen);

/* Read and parse the lab's journal into out (free it with
 * psc_state_free(), also after a failure).  No journal yet: an empty state.
 * No state directory: -1 with errno ENOENT and "lab 'x' is not up (no
 * state in <dir>)". */
int psc_state_read(const char *lab, psc_state *out, char *err,
		   size_t errlen);
void psc_state_free(psc_state *s);

/* The newest "proc" record named name, or NULL.  A process started again
 * (restart, fault start after a kill) is journaled again and its old
 * record kept, since down stops every pid the journal names: the newest
 * is the one that counts, the older ones are replaced. */
const psc_proc *psc_state_proc_last(const psc_state *s, const char *name);

/* Remove <root>/<lab>/ and all it holds; 0 if it is already gone. */
int psc_state_end(const char *lab, char *err, size_t errlen);

/* The labs with a state directory, sorted.  No root: none.  -1 with errno
 * ENOSPC when there are more than max (the first max found are given). */
int psc_state_list(char (*labs)[PSC_STATE_LAB_LEN], size_t max, size_t *n);

#endif
