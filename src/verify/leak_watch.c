/* leak_watch.c - the leak set read before and after a run (see
 * leak_watch.h). */
#define _GNU_SOURCE
#include "verify/leak_watch.h"

#include <string.h>

void psc_verify_leak_watch_start(const psc_verify_ctx *c,
				 psc_verify_leak_watch *w)
{
	char err[512];
	memset(w, 0, sizeof(*w));
	w->on = c->consumer_router_ns[0] &&
		psc_nft_leaks(c->consumer_router_ns, w->before,
			      PSC_VERIFY_LEAK_MAX, &w->n_before, err,
			      sizeof(err)) == 0;
}

void psc_verify_leak_watch_stop(const psc_verify_ctx *c,
				psc_verify_leak_watch *w)
{
	char err[512];
	w->on = w->on && psc_nft_leaks(c->consumer_router_ns, w->after,
				       PSC_VERIFY_LEAK_MAX, &w->n_after, err,
				       sizeof(err)) == 0;
}

bool psc_verify_leak_watch_check(const psc_verify_ctx *c,
				 const psc_verify_leak_watch *w,
				 psc_verify_check *out)
{
	if (!w->on)
		return false;
	psc_verify_leak_check(c, w->before, w->n_before, w->after, w->n_after,
			      out);
	return true;
}
