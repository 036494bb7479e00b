/* util.c - small helpers (see util.h). */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include "base/util.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

long long psc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void psc_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void psc_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void psc_setf(char *buf, size_t len, const char *fmt, ...)
{
	if (!len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void psc_ready_notify(int *fd)
{
	char b = 'R';
	if (*fd < 0)
		return;
	while (write(*fd, &b, 1) < 0 && errno == EINTR)
		;
	close(*fd);
	*fd = -1;
}

void psc_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

volatile sig_atomic_t psc_stop_flag;

static void on_term(int sig)
{
	(void)sig;
	psc_stop_flag = 1;
}

void psc_catch_term(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int psc_mkdirs(const char *path, char *err, size_t errlen)
{
	char p[PATH_MAX];
	if ((size_t)snprintf(p, sizeof(p), "%s", path) >= sizeof(p)) {
		psc_setf(err, errlen, "%s: path too long", path);
		return -1;
	}
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			psc_setf(err, errlen, "cannot create directory %s: %s",
				 p, strerror(errno));
			return -1;
		}
		*s = c;
		if (!c)
			break;
	}
	struct stat st;
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		psc_setf(err, errlen, "%s: not a directory", p);
		return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *f)
{
	(void)st;
	(void)f;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) != 0 &&
			       errno != ENOENT
		       ? -1
		       : 0;
}

int psc_rm_tree(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
			       errno != ENOENT
		       ? -1
		       : 0;
}
