/* parallel.h - run n independent jobs at once, one thread each, and wait
 * for all: for kernel work whose latency, not CPU, is the cost (closing
 * nftables sockets, stopping processes). */
#ifndef PSCLAB_PARALLEL_H
#define PSCLAB_PARALLEL_H

#include <stddef.h>

/* fn(items + i * size) for i in 0..n, each in a thread of its own (in the
 * caller's thread when one cannot be created); returns when all are done. */
void psc_parallel(void (*fn)(void *item), void *items, size_t size, size_t n);

#endif
