/* tfplan_names.c - the importer's bookkeeping (tfplan_names.h): origins of
 * lab objects, assumptions, the default lab name, the plan object a lint
 * finding names, and the importer's findings as text.  Pure: memory and
 * realpath(3) of the plan's path only. */
#define _GNU_SOURCE
#include "import/tfplan_names.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

int psc_import_origin_text(psc_import *im, const void *obj, int role,
			   const char *text)
{
	if (psc_import_origin_add(im, obj, role, NULL) < 0)
		return -1;
	PSC_SET(im->origins[im->n_origins - 1].address, "%s", text);
	return 0;
}

int psc_import_origin_add(psc_import *im, const void *obj, int role,
			  const psc_tf_res *res)
{
	if (im->n_origins == im->cap_origins) {
		size_t cap = im->cap_origins ? im->cap_origins * 2 : 64;
		psc_import_origin *v = realloc(im->origins, cap * sizeof(*v));
		if (!v)
			return -1;
		im->origins = v;
		im->cap_origins = cap;
	}
	psc_import_origin *o = &im->origins[im->n_origins++];
	o->obj = obj;
	o->role = role;
	o->res = res;
	PSC_SET(o->address, "%s", res ? res->address : "");
	if (res)
		((psc_tf_res *)res)->used = true;
	return 0;
}

const psc_import_origin *psc_import_origin_get(const psc_import *im,
					       const void *obj, int role)
{
	for (size_t i = 0; i < im->n_origins; i++)
		if (im->origins[i].obj == obj && im->origins[i].role == role)
			return &im->origins[i];
	return NULL;
}

void psc_import_assume(psc_import *im, const char *fmt, ...)
{
	if (im->n_assumptions >= PSC_IMPORT_MAX_ASSUMPTIONS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(im->assumptions[im->n_assumptions++],
		  sizeof(im->assumptions[0]), fmt, ap);
	va_end(ap);
}

int psc_import_default_name(const char *plan_path, char *out, size_t len,
			    char *err, size_t errlen)
{
	char abs[PATH_MAX], dir[PATH_MAX];
	const char *base;
	if (!realpath(plan_path, abs))
		PSC_SET(abs, "%s", plan_path);
	PSC_SET(dir, "%s", abs);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	size_t n = 0;
	for (const char *c = base; *c && n + 1 < len && n < PSC_LAB_NAME_MAX;
	     c++) {
		char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!ok && ch != '-' && ch != '_' && ch != '.' && ch != ' ')
			continue;
		if (n == 0 && !(ch >= 'a' && ch <= 'z'))
			continue;           /* a lab name starts with a letter */
		out[n++] = ok ? ch : '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (psc_lab_name_check(out, err, errlen) == 0)
		return 0;
	psc_setf(err, errlen, "the plan's folder '%s' gives no lab name "
		 "(1..%d of [a-z0-9-], starting with a letter); give one with "
		 "--name", base, PSC_LAB_NAME_MAX);
	return -1;
}

void psc_import_print(const psc_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const psc_diag *x = &d->v[i];
		char where[4200];
		if (x->loc.line > 0)
			PSC_SET(where, "%s:%d:%d", d->file, x->loc.line,
				x->loc.col);
		else
			PSC_SET(where, "%s", d->file);
		fprintf(out, "%s: %s: %s%s%s [%s]\n", where,
			x->sev == PSC_SEV_ERROR ? "error" : "warning",
			x->object, x->object[0] ? ": " : "", x->msg, x->rule);
		if (x->hint[0])
			fprintf(out, "%s: note: %s\n", where, x->hint);
	}
}

/* lab labels of the resources, as lint's findings name objects */
static const struct {
	const char *type, *kind;
} kinds[] = {
	{"google_compute_service_attachment", "service attachment"},
	{"google_compute_region_backend_service", "load balancer"},
	{"google_compute_region_network_endpoint_group",
	 "network endpoint group"},
	{"google_compute_instance_group", "instance group"},
	{"google_compute_firewall", "firewall"},
	{"google_compute_subnetwork", "subnetwork"},
	{"google_compute_instance", "instance"},
};

const char *psc_import_blame(const psc_import *im, const char *text,
			     const char **type)
{
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
		for (size_t i = 0; i < im->n_origins; i++) {
			const psc_import_origin *o = &im->origins[i];
			const char *name = o->res && o->role == 0
				? psc_tf_str(o->res, "name") : NULL;
			char pat[200];
			if (!name || strcmp(o->res->type, kinds[k].type))
				continue;
			PSC_SET(pat, "%s '%s'", kinds[k].kind, name);
			if (strstr(text, pat)) {
				*type = o->res->type;
				return o->address;
			}
		}
	return NULL;
}
