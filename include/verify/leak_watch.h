/* leak_watch.h - the leak watch around one run: the `leaked` set of the
 * changefeed VPC's router (nftgen.h: packets toward addresses outside the
 * VPC, per destination) read before the checks and after them, and the
 * report's check made of the two (psc_verify_leak_check). */
#ifndef PSCLAB_VERIFY_LEAK_WATCH_H
#define PSCLAB_VERIFY_LEAK_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric/nft.h"
#include "verify/verify.h"

#define PSC_VERIFY_LEAK_MAX 64

/* about 4 KiB */
typedef struct psc_verify_leak_watch {
	bool on;                        /* every read so far worked */
	psc_nft_leak before[PSC_VERIFY_LEAK_MAX];
	psc_nft_leak after[PSC_VERIFY_LEAK_MAX];
	size_t n_before, n_after;
} psc_verify_leak_watch;

/* the counts before the checks (w->on false: the context has no router,
 * or its set cannot be read) */
void psc_verify_leak_watch_start(const psc_verify_ctx *c,
				 psc_verify_leak_watch *w);
/* the counts after them (w->on false when they cannot be read) */
void psc_verify_leak_watch_stop(const psc_verify_ctx *c,
				psc_verify_leak_watch *w);
/* true with out filled when both reads worked; false: no check (a read
 * that failed is not reported) */
bool psc_verify_leak_watch_check(const psc_verify_ctx *c,
				 const psc_verify_leak_watch *w,
				 psc_verify_check *out);

#endif
