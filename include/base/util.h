/* util.h - the few small helpers every module wants: a monotonic clock in
 * milliseconds, a sleep that survives signals, writing and appending to a
 * buffer, mkdir -p, a file descriptor closed when it goes out of scope. */
#ifndef PSCLAB_UTIL_H
#define PSCLAB_UTIL_H

#include <signal.h>
#include <stddef.h>

/* CLOCK_MONOTONIC in milliseconds */
long long psc_now_ms(void);
/* sleep ms milliseconds, resumed after EINTR */
void psc_sleep_ms(long ms);
/* printf-append to the NUL-terminated string in buf (len bytes in all),
 * truncating; nothing when it is full */
void psc_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* printf into buf (len bytes in all), truncating: the error-buffer
 * writer of modules that fill an err they were given */
void psc_setf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* the same for a char array field (its size known here) */
#define PSC_SET(field, ...) psc_setf(field, sizeof(field), __VA_ARGS__)
#define PSC_APP(field, ...) psc_appendf(field, sizeof(field), __VA_ARGS__)

/* set by SIGTERM and SIGINT once psc_catch_term() installed the handler
 * (SIGPIPE is then ignored): how a service or `logs -f` learns to stop */
extern volatile sig_atomic_t psc_stop_flag;
void psc_catch_term(void);

/* A service is serving: one byte to its readiness fd *fd (from its
 * supervisor, runtime/proc.h), which is then closed and set to -1; nothing
 * when *fd is -1.  A write that fails is ignored: the supervisor sees EOF
 * and reports the service as not ready. */
void psc_ready_notify(int *fd);

/* mkdir -p: path and every missing parent, each new one 0755; -1 with err
 * naming the directory that could not be made (or path not a directory) */
int psc_mkdirs(const char *path, char *err, size_t errlen);

/* rm -r of a directory of pscLab's own (nftw, links not followed): what
 * can be removed is; -1 when something could not be */
int psc_rm_tree(const char *dir);

/* an int file descriptor closed at the end of its scope (bubblewrap's
 * cleanup attributes); -1 is left alone */
void psc_close_fd(int *fd);
#define AUTO_FD __attribute__((cleanup(psc_close_fd))) int

#endif
