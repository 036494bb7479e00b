/* job.c - a check's observation to the parent, and the time a check has
 * left (see job.h). */
#define _GNU_SOURCE
#include "verify/job.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

void psc_verify_emit(const psc_verify_job *j, const psc_verify_obs *o)
{
	static char line[8192];
	if (psc_verify_obs_json(o, line, sizeof(line) - 1) < 0) {
		psc_verify_obs e;
		psc_verify_obs_init(&e, o->node, o->name);
		e.sym = PSC_SYM_INTERNAL;
		PSC_SET(e.detail, "the observation does not fit a line");
		if (psc_verify_obs_json(&e, line, sizeof(line) - 1) < 0)
			return;
	}
	psc_verify_write_line(j, line);
}

void psc_verify_write_line(const psc_verify_job *j, const char *line)
{
	size_t n = strlen(line);
	for (size_t off = 0; off <= n;) {
		/* the line, then its newline */
		const char *from = off < n ? line + off : "\n";
		size_t len = off < n ? n - off : 1;
		ssize_t w = write(j->fd, from, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);   /* the parent is gone */
		off += (size_t)w;
	}
}

void psc_verify_finish(const psc_verify_job *j, psc_verify_obs *o,
		       long long t0)
{
	o->ms = (long)(psc_now_ms() - t0);
	psc_verify_emit(j, o);
}

void psc_verify_skip(const psc_verify_job *j, const char *name,
		     const char *why)
{
	psc_verify_obs o;
	psc_verify_obs_init(&o, j->c->changefeed, name);
	o.sym = PSC_SYM_SKIPPED;
	PSC_SET(o.detail, "%s", why);
	psc_verify_emit(j, &o);
}

long psc_verify_left(long long deadline)
{
	long long l = deadline - psc_now_ms();
	return l > 0 ? (long)l : 0;
}
