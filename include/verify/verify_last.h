/* verify_last.h - the last verify result of a lab, kept in its state
 * directory as <state dir>/verify-last.json so that `pscLab graph` (and
 * anything else) can show it after the run:
 *
 *   {"lab": "portmap", "finished": "2026-12-01T10:00:00Z", "unix": N,
 *    "ms": 2400, "passed": 20, "warned": 1, "failed": 0, "skipped": 2,
 *    "checks": [{"name": "...", "status": "PASS|WARN|FAIL|SKIP",
 *                "node": "changefeed", "hop": "none|dns|...",
 *                "broker": 1}]}     ("broker" only when a check is
 *                                    about one broker)
 *
 * The hop names are verify.h's (psc_verify_hop_name).  psc_verify_run
 * writes it after every run that ran its checks (a temporary file renamed
 * into place: a reader sees the old result or the new one, whole); down
 * removes it with the state directory. */
#ifndef PSCLAB_VERIFY_LAST_H
#define PSCLAB_VERIFY_LAST_H

#include <stddef.h>

#include "verify/verify.h"

#define PSC_VERIFY_LAST_FILE "verify-last.json"

typedef struct psc_verify_last_check {
	char name[PSC_VERIFY_NAME_LEN];
	psc_verify_status status;
	char node[PSC_NAME_LEN];        /* the node it ran from */
	psc_verify_hop hop;             /* NONE for PASS and SKIP */
	long broker;                    /* -1: not about one broker */
} psc_verify_last_check;

typedef struct psc_verify_last {
	char lab[PSC_NAME_LEN];
	char finished[32];              /* UTC, ISO 8601 */
	long long unix_time;
	long ms;
	size_t n_pass, n_warn, n_fail, n_skip;
	size_t n;
	psc_verify_last_check checks[PSC_VERIFY_MAX_CHECKS];
} psc_verify_last;

/* <state dir of lab>/verify-last.json; -1 with err for a bad name. */
int psc_verify_last_path(const char *lab, char *out, size_t len, char *err,
			 size_t errlen);

/* Write r as of unix time `now` to path, atomically (path.tmp.<pid>
 * renamed).  0, or -1 with err naming the file and strerror. */
int psc_verify_last_write(const psc_verify_report *r, long long now,
			  const char *path, char *err, size_t errlen);

/* Read path into out.  0; PSC_VERIFY_LAST_NONE when there is no such file
 * (no verify has run on the lab since it came up); -1 with err for a file
 * that cannot be read or is not one. */
#define PSC_VERIFY_LAST_NONE (-2)
int psc_verify_last_read(const char *path, psc_verify_last *out, char *err,
			 size_t errlen);

#endif
