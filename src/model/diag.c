/* diag.c - findings with a location, their order and their text. */
#include "model/diag.h"

#include <stdlib.h>
#include <string.h>

void psc_diags_init(psc_diags *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
}

void psc_diags_free(psc_diags *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

psc_diag *psc_diag_add(psc_diags *d, psc_severity sev, psc_loc loc,
		       const char *rule, const char *object, const char *hint,
		       const char *fmt, ...)
{
	if (d->truncated)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		psc_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	psc_diag *x = &d->v[d->n];
	memset(x, 0, sizeof(*x));
	if (d->n + 1 >= PSC_DIAGS_MAX) {
		/* the last slot says that there were more */
		d->truncated = true;
		x->sev = PSC_SEV_ERROR;
		x->loc = loc;
		snprintf(x->rule, sizeof(x->rule), "too-many-findings");
		snprintf(x->object, sizeof(x->object), "topology");
		snprintf(x->msg, sizeof(x->msg),
			 "more than %d findings; stopped here",
			 PSC_DIAGS_MAX - 1);
		d->n++;
		d->n_errors++;
		return NULL;
	}
	x->sev = sev;
	x->loc = loc;
	snprintf(x->rule, sizeof(x->rule), "%s", rule ? rule : "");
	snprintf(x->object, sizeof(x->object), "%s", object ? object : "");
	snprintf(x->hint, sizeof(x->hint), "%s", hint ? hint : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	d->n++;
	if (sev == PSC_SEV_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;
	return x;
}

static int loc_cmp(const psc_diag *a, const psc_diag *b)
{
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return 0;
}

void psc_diags_sort(psc_diags *d)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < d->n; i++) {
		psc_diag tmp = d->v[i];
		size_t j = i;
		while (j > 0 && loc_cmp(&d->v[j - 1], &tmp) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = tmp;
	}
}

void psc_diag_format(const psc_diags *d, const psc_diag *x, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s:%d:%d: %s: %s%s%s [%s]", d->file, x->loc.line,
		 x->loc.col, x->sev == PSC_SEV_ERROR ? "error" : "warning",
		 x->object, x->object[0] ? ": " : "", x->msg, x->rule);
}

void psc_diags_print(const psc_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const psc_diag *x = &d->v[i];
		fprintf(out, "%s:%d:%d: %s: %s%s%s [%s]\n", d->file,
			x->loc.line, x->loc.col,
			x->sev == PSC_SEV_ERROR ? "error" : "warning",
			x->object, x->object[0] ? ": " : "", x->msg, x->rule);
		if (x->hint[0])
			fprintf(out, "%s:%d:%d: note: %s\n", d->file,
				x->loc.line, x->loc.col, x->hint);
	}
}

const psc_diag *psc_diags_find(const psc_diags *d, const char *rule)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].rule, rule) == 0)
			return &d->v[i];
	return NULL;
}

size_t psc_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *psc_closest(const char *w, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t wl = strlen(w);
	/* a third of the word, at least 1 and at most 3 edits */
	size_t limit = wl / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		if (!words[i])
			continue;
		size_t dist = psc_edit_distance(w, words[i]);
		if (dist <= limit && dist < best_d) {
			best = words[i];
			best_d = dist;
		}
	}
	return best;
}
