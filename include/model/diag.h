/* diag.h - findings with a location: what the loader and the linter report.
 * A finding is "file:line:col: error|warning: <object>: <message> [rule]",
 * optionally followed by "file:line:col: note: <hint>". */
#ifndef PSCLAB_DIAG_H
#define PSCLAB_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct psc_loc {
	int line;   /* 1-based; 0 = unknown */
	int col;    /* 1-based */
} psc_loc;

typedef enum psc_severity {
	PSC_SEV_ERROR = 0,
	PSC_SEV_WARNING = 1,
} psc_severity;

typedef struct psc_diag {
	psc_severity sev;
	psc_loc loc;
	char rule[32];      /* e.g. "cidr-syntax" */
	char object[128];   /* e.g. "subnetwork 'brokers-subnet'" */
	char msg[320];
	char hint[256];     /* "" or e.g. "did you mean 'subnetwork'?" */
} psc_diag;

#define PSC_DIAGS_MAX 500  /* past this, one more finding says so and stops */

typedef struct psc_diags {
	char file[4096];
	psc_diag *v;
	size_t n;
	size_t cap;
	size_t n_errors;
	size_t n_warnings;
	bool truncated;
} psc_diags;

void psc_diags_init(psc_diags *d, const char *file);
void psc_diags_free(psc_diags *d);
/* Add a finding; hint may be NULL.  Returns the stored finding or NULL
 * (out of memory or past PSC_DIAGS_MAX). */
psc_diag *psc_diag_add(psc_diags *d, psc_severity sev, psc_loc loc,
		       const char *rule, const char *object, const char *hint,
		       const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Sort by position (stable for equal positions). */
void psc_diags_sort(psc_diags *d);
/* Print every finding as above, then nothing else. */
void psc_diags_print(const psc_diags *d, FILE *out);
/* One finding as a line (no newline) into buf. */
void psc_diag_format(const psc_diags *d, const psc_diag *x, char *buf,
		     size_t len);
/* The first finding of a rule, or NULL. */
const psc_diag *psc_diags_find(const psc_diags *d, const char *rule);

/* Levenshtein distance, for "did you mean" hints */
size_t psc_edit_distance(const char *a, const char *b);
/* The closest of words[0..n) to w within a small distance, or NULL */
const char *psc_closest(const char *w, const char *const *words, size_t n);

#endif
