/* util.h - the few small helpers every module wants: a monotonic clock in
 * milliseconds, a sleep that survives signals, appending to a buffer. */
#ifndef PSCLAB_UTIL_H
#define PSCLAB_UTIL_H

#include <stddef.h>

/* CLOCK_MONOTONIC in milliseconds */
long long psc_now_ms(void);
/* sleep ms milliseconds, resumed after EINTR */
void psc_sleep_ms(long ms);
/* printf-append to the NUL-terminated string in buf (len bytes in all),
 * truncating; nothing when it is full */
void psc_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
