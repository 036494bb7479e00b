/* state.c - the lab's state directory, journal and lock (see state.h). */
#define _GNU_SOURCE
#include "runtime/state.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL "state"
#define TOPOLOGY_COPY "topology.yaml"
#define LOGS "logs"
#define LOCK_FILE ".lock"
#define MAX_JOURNAL (4u << 20)
#define MAX_TOPOLOGY (16u << 20)
#define MAX_DEPTH 8             /* of the lab directory's tree */
#define LAB_LOCKS ".locks"       /* <root>/.locks/<lab>.lock */

_Static_assert(PSC_LAB_NAME_MAX < PSC_STATE_LAB_LEN, "lab names fit");


static void free_ptr(void *p)
{
	free(*(void **)p);
}
#define AUTO_FREE __attribute__((cleanup(free_ptr)))

/* ---- paths ---- */

int psc_state_root(char *out, size_t len)
{
	const char *r = getenv("PSCLAB_RUN_DIR");
	if (!r || !*r)
		r = PSC_STATE_DEFAULT_ROOT;
	if (r[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		n--;
	if (n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, r, n);
	out[n] = '\0';
	return 0;
}

static int root_or_err(char *out, size_t len, char *err, size_t errlen)
{
	if (psc_state_root(out, len) == 0)
		return 0;
	if (errno == EINVAL)
		snprintf(err, errlen,
			 "PSCLAB_RUN_DIR '%s' must be an absolute path",
			 getenv("PSCLAB_RUN_DIR"));
	else
		snprintf(err, errlen, "PSCLAB_RUN_DIR is too long");
	return -1;
}

static int lab_dir(const char *lab, char *out, size_t len, char *err,
		   size_t errlen)
{
	char root[PATH_MAX];
	if (!lab) {
		snprintf(err, errlen, "no lab name given");
		return -1;
	}
	if (psc_lab_name_check(lab, err, errlen) < 0 ||
	    root_or_err(root, sizeof(root), err, errlen) < 0)
		return -1;
	int n = snprintf(out, len, "%s/%s", root, lab);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "state directory of lab '%s' too long",
			 lab);
		return -1;
	}
	return 0;
}

int psc_state_dir(const char *lab, char *out, size_t len)
{
	char err[256];
	if (lab_dir(lab, out, len, err, sizeof(err)) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int psc_state_log_path(const char *lab, const char *name, char *out,
		       size_t len)
{
	char dir[PATH_MAX];
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n ||
	    psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		errno = EINVAL;
		return -1;
	}
	int w = snprintf(out, len, "%s/" LOGS "/%s.log", dir, name);
	if (w < 0 || (size_t)w >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	AUTO_FD fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -1 : fsync(fd);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The whole of a regular file, up to max bytes, NUL-terminated: 0, -1 with
 * errno (EFBIG: larger than max). */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* rm -r of dirfd/name, not following symlinks, MAX_DEPTH deep at most;
 * 0 if it is gone.  On error path names what could not be removed. */
static int remove_at(int dirfd, const char *name, const char *shown,
		     int depth, char *path, size_t pathlen)
{
	struct stat st;
	snprintf(path, pathlen, "%s", shown);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	if (depth >= MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	int fd = openat(dirfd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	struct dirent *e;
	char sub[PATH_MAX];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%.2048s/%.255s", shown, e->d_name);
		if (remove_at(fd, e->d_name, sub, depth + 1, path, pathlen) <
		    0) {
			int en = errno;
			closedir(d);
			errno = en;
			return -1;
		}
	}
	closedir(d);
	snprintf(path, pathlen, "%s", shown);
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1
									 : 0;
}

static int remove_tree(const char *dir, char *err, size_t errlen)
{
	char bad[PATH_MAX];
	if (remove_at(AT_FDCWD, dir, dir, 0, bad, sizeof(bad)) < 0) {
		snprintf(err, errlen, "cannot remove %s: %s", bad,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the lock ---- */

/* "pid <pid> (<cmd>)" of the holder named in the lock file, if that
 * process still runs; else "". */
static void lock_holder(int fd, char *out, size_t len)
{
	char buf[512];
	out[0] = '\0';
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	int pid, off = 0;
	unsigned long long start;
	if (sscanf(buf, "%d %llu %n", &pid, &start, &off) < 2 || pid <= 0)
		return;
	if (psc_proc_starttime(pid) != start)
		return;         /* a previous holder, gone */
	if (buf[off])
		snprintf(out, len, " (pid %d: %.200s)", pid, buf + off);
	else
		snprintf(out, len, " (pid %d)", pid);
}

/* Write "<pid> <starttime> <command line>\n" into the lock file. */
static void lock_claim(int fd)
{
	char cmd[256] = "", line[320];
	AUTO_FD cfd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (cfd >= 0) {
		ssize_t n = read(cfd, cmd, sizeof(cmd) - 1);
		if (n < 0)
			n = 0;
		cmd[n] = '\0';
		while (n > 0 && cmd[n - 1] == '\0')
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (cmd[i] == '\0' || cmd[i] == '\n')
				cmd[i] = ' ';
	}
	int n = snprintf(line, sizeof(line), "%d %llu %s\n", (int)getpid(),
			 psc_proc_starttime(getpid()), cmd);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, line, (size_t)n, 0);
}

/* flock path, waiting up to timeout_ms: woken by inotify when a holder
 * closes the file (its last close is when flock releases it, a holder
 * killed included), so the wait ends the moment the lock is free; the
 * watch is set before the first try, so no release can fall between.
 * GUARD_MS only bounds a missed event.  what names the lock in errors. */
#define GUARD_MS 1000
static int lock_path(const char *path, const char *what, int *fd,
		     int timeout_ms, char *err, size_t errlen)
{
	*fd = -1;
	if (timeout_ms < 0)
		timeout_ms = 0;
	AUTO_FD lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			   0644);
	if (lfd < 0) {
		snprintf(err, errlen, "cannot open the lock %s: %s", path,
			 strerror(errno));
		return -1;
	}
	AUTO_FD in = -1;
	long long deadline = psc_now_ms() + timeout_ms;
	for (;;) {
		if (flock(lfd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			snprintf(err, errlen, "cannot lock %s: %s", path,
				 strerror(errno));
			return -1;
		}
		long long left = deadline - psc_now_ms();
		if (left <= 0) {
			char who[300];
			lock_holder(lfd, who, sizeof(who));
			snprintf(err, errlen,
				 "another pscLab holds %s %s%s; gave up after "
				 "%d ms", what, path, who, timeout_ms);
			return -1;
		}
		if (in < 0) {
			/* watched, then tried once more before waiting */
			in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
			if (in >= 0 && inotify_add_watch(in, path,
							 IN_CLOSE | IN_MODIFY |
								 IN_ATTRIB) < 0) {
				close(in);
				in = -1;
			}
			if (in >= 0)
				continue;
		}
		struct pollfd pfd = {.fd = in, .events = POLLIN};
		int ms = left < GUARD_MS ? (int)left : GUARD_MS;
		if (in < 0) {
			psc_sleep_ms(ms < 20 ? ms : 20); /* no inotify: poll */
			continue;
		}
		if (poll(&pfd, 1, ms) > 0) {
			char buf[4096];
			while (read(in, buf, sizeof(buf)) > 0)
				;
		}
	}
	lock_claim(lfd);
	*fd = lfd;
	lfd = -1;
	return 0;
}

int psc_state_lock(int *fd, int timeout_ms, char *err, size_t errlen)
{
	char root[PATH_MAX], path[PATH_MAX + 8];
	*fd = -1;
	if (root_or_err(root, sizeof(root), err, errlen) < 0 ||
	    psc_mkdirs(root, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" LOCK_FILE, root);
	return lock_path(path, "the host lock", fd, timeout_ms, err, errlen);
}

int psc_state_lock_lab(const char *lab, int *fd, int timeout_ms, char *err,
		       size_t errlen)
{
	char root[PATH_MAX], dir[PATH_MAX + 8], path[PATH_MAX + 96];
	*fd = -1;
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "invalid lab name '%s'", lab ? lab : "");
		return -1;
	}
	if (root_or_err(root, sizeof(root), err, errlen) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/" LAB_LOCKS, root);
	if (psc_mkdirs(dir, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.lock", dir, lab);
	char what[96];
	snprintf(what, sizeof(what), "the lock of lab '%.64s'", lab);
	return lock_path(path, what, fd, timeout_ms, err, errlen);
}

void psc_state_unlock(int fd)
{
	if (fd < 0)
		return;
	(void)!ftruncate(fd, 0);        /* no stale holder named */
	close(fd);                      /* releases the flock */
}

/* ---- the journal ---- */

static bool kind_ok(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;
	return n > 0 && n <= PSC_STATE_KIND_MAX &&
	       strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* A journal not ending in '\n' ends in a torn record: cut it off. */
static int trim_torn(int fd, off_t size, off_t *newsize)
{
	char c, buf[4096];
	*newsize = size;
	if (size == 0)
		return 0;
	if (pread(fd, &c, 1, size - 1) != 1)
		return -1;
	if (c == '\n')
		return 0;
	off_t end = size;
	while (end > 0) {
		off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf)
						      : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - start), start);
		if (n != end - start)
			return -1;
		for (ssize_t i = n - 1; i >= 0; i--)
			if (buf[i] == '\n') {
				*newsize = start + i + 1;
				return ftruncate(fd, *newsize);
			}
		end = start;
	}
	*newsize = 0;
	return ftruncate(fd, 0);
}

static int journal_append(const char *lab, const char *line, size_t len,
			  char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	if (lab_dir(lab, dir, sizeof(dir), err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" JOURNAL, dir);
	AUTO_FD fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC |
					O_NOFOLLOW, 0644);
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen,
				 "lab '%s' has no state directory %s", lab,
				 dir);
		else
			snprintf(err, errlen, "cannot open the journal %s: %s",
				 path, strerror(errno));
		return -1;
	}
	struct stat st;
	off_t size;
	if (fstat(fd, &st) < 0 || trim_torn(fd, st.st_size, &size) < 0) {
		snprintf(err, errlen, "cannot read the journal %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (write_all(fd, line, len) < 0) {
		int e = errno;
		(void)!ftruncate(fd, size);     /* no half record */
		snprintf(err, errlen, "cannot write the journal %s: %s", path,
			 strerror(e));
		return -1;
	}
	if (fsync(fd) < 0 || (size == 0 && fsync_dir(dir) < 0)) {
		snprintf(err, errlen, "cannot sync the journal %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int vrecord(const char *lab, char *err, size_t errlen,
		   const char *kind, const char *fmt, va_list ap)
{
	char line[PSC_STATE_LINE_MAX];
	if (!kind_ok(kind)) {
		snprintf(err, errlen,
			 "journal record kind '%s' must be 1..%d of [a-z0-9-]",
			 kind ? kind : "", PSC_STATE_KIND_MAX);
		return -1;
	}
	int k = snprintf(line, sizeof(line), "%s ", kind);
	int n = vsnprintf(line + k, sizeof(line) - (size_t)k - 1, fmt, ap);
	if (n < 0 || (size_t)(k + n) >= sizeof(line) - 1) {
		snprintf(err, errlen, "journal record '%s' too long", kind);
		return -1;
	}
	if (n == 0 || strchr(line + k, '\n')) {
		snprintf(err, errlen,
			 "journal record '%s': empty or holds a newline",
			 kind);
		return -1;
	}
	line[k + n] = '\n';
	return journal_append(lab, line, (size_t)(k + n + 1), err, errlen);
}

int psc_state_record(const char *lab, char *err, size_t errlen,
		     const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vrecord(lab, err, errlen, kind, fmt, ap);
	va_end(ap);
	return rc;
}

static bool token_ok(const char *s)
{
	return s && *s && !strpbrk(s, " \t\n");
}

int psc_state_record_proc(const char *lab, const psc_proc *p, char *err,
			  size_t errlen)
{
	if (!token_ok(p->name) || !token_ok(p->netns) || p->pid <= 0 ||
	    p->starttime == 0) {
		snprintf(err, errlen, "process '%s': cannot be journaled "
			 "(name, netns, pid and start time needed)", p->name);
		return -1;
	}
	return psc_state_record(lab, err, errlen, "proc", "%s %d %llu %s %s",
				p->name, (int)p->pid, p->starttime, p->netns,
				p->log[0] ? p->log : "/dev/null");
}

int psc_state_proc_hook(const psc_proc *p, void *lab, char *err,
			size_t errlen)
{
	return psc_state_record_proc((const char *)lab, p, err, errlen);
}

/* ---- reading it back ---- */

/* v with room for element n (v itself, or a larger copy); NULL: no
 * memory, v untouched. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(v, nc * size);
	if (nv)
		*cap = nc;
	return nv;
}

static int add_unique(const char ***v, size_t *n, size_t *cap,
		      const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	const char **nv = grow(*v, cap, *n, sizeof(**v));
	if (!nv)
		return 1;
	*v = nv;
	(*v)[(*n)++] = s;
	return 0;
}

static bool parse_ull(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* "<name> <pid> <starttime> <netns> <log...>" */
static bool parse_proc(const char *text, psc_proc *p)
{
	const char *f[4];
	size_t fl[4];
	const char *s = text;
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 4; i++) {
		f[i] = s;
		fl[i] = strcspn(s, " ");
		if (fl[i] == 0 || s[fl[i]] != ' ')
			return false;
		s += fl[i] + 1;
	}
	unsigned long long pid, start;
	if (!*s || fl[0] >= sizeof(p->name) || fl[3] >= sizeof(p->netns) ||
	    strlen(s) >= sizeof(p->log) || !parse_ull(f[1], fl[1], &pid) ||
	    pid == 0 || pid > INT_MAX || !parse_ull(f[2], fl[2], &start) ||
	    start == 0)
		return false;
	memcpy(p->name, f[0], fl[0]);
	memcpy(p->netns, f[3], fl[3]);
	strcpy(p->log, s);
	p->pid = (pid_t)pid;
	p->starttime = start;
	return true;
}

/* One complete line (NUL-terminated in place): false if malformed. */
static bool parse_line(psc_state *s, char *line, size_t caps[5], int *oom)
{
	char *sp = strchr(line, ' ');
	if (!sp || !sp[1])
		return false;
	*sp = '\0';
	const char *kind = line, *text = sp + 1;
	if (!kind_ok(kind)) {
		*sp = ' ';
		return false;
	}
	if (strcmp(kind, "netns") == 0) {
		if (!token_ok(text) || strlen(text) >= PSC_NETNS_NAME_LEN)
			return false;
		*oom |= add_unique(&s->netns, &s->n_netns, &caps[0], text);
	} else if (strcmp(kind, "proc") == 0) {
		psc_proc p;
		if (!parse_proc(text, &p))
			return false;
		for (size_t i = 0; i < s->n_procs; i++)
			if (s->procs[i].pid == p.pid &&
			    s->procs[i].starttime == p.starttime)
				goto rec;
		psc_proc *np = grow(s->procs, &caps[1], s->n_procs, sizeof(p));
		if (!np) {
			*oom = 1;
			return true;
		}
		s->procs = np;
		s->procs[s->n_procs++] = p;
	} else if (strcmp(kind, "file") == 0 || strcmp(kind, "dir") == 0 ||
		   strcmp(kind, "topology") == 0) {
		if (text[0] != '/')
			return false;
		if (kind[0] == 'f')
			*oom |= add_unique(&s->files, &s->n_files, &caps[2],
					   text);
		else if (kind[0] == 'd')
			*oom |= add_unique(&s->dirs, &s->n_dirs, &caps[3],
					   text);
		else
			s->topology = text;
	}
rec:;
	psc_state_rec *nr = grow(s->recs, &caps[4], s->n_recs,
				 sizeof(*s->recs));
	if (!nr) {
		*oom = 1;
		return true;
	}
	s->recs = nr;
	s->recs[s->n_recs].kind = kind;
	s->recs[s->n_recs].text = text;
	s->n_recs++;
	return true;
}

int psc_state_read(const char *lab, psc_state *out, char *err,
		   size_t errlen)
{
	char path[PATH_MAX + 8];
	struct stat st;
	size_t len, caps[5] = {0};
	int oom = 0;

	memset(out, 0, sizeof(*out));
	if (lab_dir(lab, out->dir, sizeof(out->dir), err, errlen) < 0)
		return -1;
	snprintf(out->lab, sizeof(out->lab), "%s", lab);
	int e = stat(out->dir, &st) < 0 ? errno
					: S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		if (e == ENOENT)
			snprintf(err, errlen, "lab '%s' is not up (no state in "
				 "%s)", lab, out->dir);
		else
			snprintf(err, errlen, "cannot read %s: %s", out->dir,
				 strerror(e));
		errno = e;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" JOURNAL, out->dir);
	if (slurp(path, MAX_JOURNAL, &out->buf, &len) < 0) {
		if (errno == ENOENT)
			return 0;       /* `up` stopped before its first record */
		snprintf(err, errlen, "cannot read the journal %s: %s", path,
			 errno == EFBIG ? "larger than 4 MiB"
					: strerror(errno));
		return -1;
	}
	char *line = out->buf, *end = out->buf + len;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl) {
			out->torn = true;       /* never fsync'ed: ignore */
			break;
		}
		*nl = '\0';
		if (strlen(line) != (size_t)(nl - line) ||
		    !parse_line(out, line, caps, &oom))
			out->n_bad++;
		line = nl + 1;
	}
	if (oom) {
		snprintf(err, errlen, "reading the journal %s: out of memory",
			 path);
		return -1;
	}
	return 0;
}

void psc_state_free(psc_state *s)
{
	if (!s)
		return;
	free((void *)s->netns);
	free(s->procs);
	free((void *)s->files);
	free((void *)s->dirs);
	free(s->recs);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

const psc_proc *psc_state_proc_last(const psc_state *s, const char *name)
{
	for (size_t i = s->n_procs; i-- > 0;)
		if (strcmp(s->procs[i].name, name) == 0)
			return &s->procs[i];
	return NULL;
}

/* ---- begin, end, list ---- */

static int copy_file(const char *from, const char *to, char *err,
		     size_t errlen)
{
	AUTO_FREE char *buf = NULL;
	size_t len;
	if (slurp(from, MAX_TOPOLOGY, &buf, &len) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", from,
			 errno == EFBIG ? "larger than 16 MiB"
					: strerror(errno));
		return -1;
	}
	AUTO_FD fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
				      O_NOFOLLOW, 0644);
	if (fd < 0 || write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", to,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int psc_state_begin(const char *lab, const char *topology_path, char *err,
		    size_t errlen)
{
	char root[PATH_MAX], dir[PATH_MAX], sub[PATH_MAX + 32];
	char ignored[256];

	if (lab_dir(lab, dir, sizeof(dir), err, errlen) < 0 ||
	    root_or_err(root, sizeof(root), err, errlen) < 0 ||
	    psc_mkdirs(root, err, errlen) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			snprintf(err, errlen,
				 "lab '%s' is already up (state in %s); run "
				 "'pscLab down %s' first", lab, dir, lab);
		else
			snprintf(err, errlen, "cannot create %s: %s", dir,
				 strerror(errno));
		return -1;
	}
	if (chmod(dir, 0755) < 0) {
		snprintf(err, errlen, "cannot chmod %s: %s", dir,
			 strerror(errno));
		goto fail;
	}
	snprintf(sub, sizeof(sub), "%s/" LOGS, dir);
	if (mkdir(sub, 0755) < 0 || chmod(sub, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", sub,
			 strerror(errno));
		goto fail;
	}
	if (topology_path) {
		snprintf(sub, sizeof(sub), "%s/" TOPOLOGY_COPY, dir);
		if (psc_state_record(lab, err, errlen, "topology", "%s", sub) <
			    0 ||
		    copy_file(topology_path, sub, err, errlen) < 0)
			goto fail;
	}
	if (fsync_dir(dir) < 0 || fsync_dir(root) < 0) {
		snprintf(err, errlen, "cannot sync %s: %s", dir,
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	remove_tree(dir, ignored, sizeof(ignored));
	return -1;
}

int psc_state_end(const char *lab, char *err, size_t errlen)
{
	char dir[PATH_MAX], root[PATH_MAX];
	if (lab_dir(lab, dir, sizeof(dir), err, errlen) < 0 ||
	    root_or_err(root, sizeof(root), err, errlen) < 0 ||
	    remove_tree(dir, err, errlen) < 0)
		return -1;
	fsync_dir(root);
	return 0;
}

static int cmp_lab(const void *a, const void *b)
{
	return strcmp(a, b);
}

int psc_state_list(char (*labs)[PSC_STATE_LAB_LEN], size_t max, size_t *n)
{
	char root[PATH_MAX], ignored[256];
	bool more = false;

	*n = 0;
	if (psc_state_root(root, sizeof(root)) < 0)
		return -1;
	DIR *d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (psc_lab_name_check(e->d_name, ignored, sizeof(ignored)) <
			    0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (*n == max) {
			more = true;
			continue;
		}
		snprintf(labs[(*n)++], PSC_STATE_LAB_LEN, "%.63s", e->d_name);
	}
	closedir(d);
	qsort(labs, *n, sizeof(*labs), cmp_lab);
	if (more) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}
