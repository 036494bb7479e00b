/* tfplan_refs.c - reading a `tofu show -json` / `terraform show -json` plan
 * with jansson, and following references through its `configuration`.
 *
 * What it may touch: the one file it is given (read at most
 * PSC_TF_MAX_BYTES + 1 bytes).  Measured: the shared plans (60-65 KB)
 * parse and index in well under a millisecond.
 *
 * The JSON in practice (../shared/import/README.md): planned_values holds
 * every resource instance with its index and the values known at plan
 * time; ids and self links are absent, so `network = x.id` is only in
 * configuration...expressions.network.references, e.g.
 * ["google_compute_network.kafka_vpc.id", "google_compute_network.kafka_vpc"],
 * and `google_compute_instance.broker[each.key].self_link` shows as
 * ["google_compute_instance.broker", "each.key"]. */
#define _POSIX_C_SOURCE 200809L
#include "import/tfplan_refs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* ---- reading ---- */

/* the whole file into a new buffer (NUL-terminated); -1 with a finding */
static char *read_capped(const char *path, size_t *len, psc_diags *d)
{
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "unreadable",
			     path, NULL, "cannot read it: %s", strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "unreadable",
			     path, "give the plan's JSON: tofu show -json "
			     "plan.bin > plan.json",
			     "is a directory, not a plan file");
		return NULL;
	}
	if (S_ISREG(st.st_mode) && st.st_size > PSC_TF_MAX_BYTES) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "too-large",
			     path, NULL, "is %lld bytes; a plan is read up to "
			     "%ld MiB (the seed's plans are about 60 KB): not "
			     "read", (long long)st.st_size,
			     PSC_TF_MAX_BYTES >> 20);
		return NULL;
	}
	char *buf = malloc(PSC_TF_MAX_BYTES + 2);
	size_t n = 0;
	while (buf && n <= (size_t)PSC_TF_MAX_BYTES) {
		ssize_t r = read(fd, buf + n, PSC_TF_MAX_BYTES + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (!buf || n > (size_t)PSC_TF_MAX_BYTES) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "too-large",
			     path, NULL, buf ? "is more than %ld MiB: not read"
					     : "out of memory (%ld MiB)",
			     PSC_TF_MAX_BYTES >> 20);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

bool psc_tf_sniff(const char *path)
{
	char b[512];
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b));
	for (ssize_t i = 0; i < n; i++) {
		if (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')
			continue;
		return b[i] == '{';
	}
	return false;
}

/* what a file that is not JSON is, for the error */
static void not_json(const char *path, const char *buf, size_t len,
		     const json_error_t *je, psc_diags *d)
{
	const char *fix = "make the plan's JSON: tofu plan -out=plan.bin && "
			  "tofu show -json plan.bin > plan.json";
	const char *what;
	if (len >= 4 && memcmp(buf, "PK\003\004", 4) == 0)
		what = "is a binary plan (tofu plan -out), not its JSON";
	else if (strstr(buf, "resource \"") || strstr(buf, "terraform {") ||
		 strstr(buf, "provider \""))
		what = "is a Terraform configuration (HCL), not a plan";
	else if (strstr(buf, "approach:") && strstr(buf, "networks:"))
		what = "is a pscLab topology, not a plan (lint it as it is: "
		       "pscLab lint FILE)";
	else if (buf[0] == '{' || (len && memchr(buf, '{', len < 64 ? len
								  : 64)))
		what = NULL;
	else
		what = "is not JSON: not a plan";
	if (what)
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "not-a-plan",
			     path, fix, "%s", what);
	else
		psc_diag_add(d, PSC_SEV_ERROR,
			     (psc_loc){je->line > 0 ? je->line : 0,
				       je->column > 0 ? je->column : 1},
			     "not-a-plan", path, fix,
			     "is not valid JSON: %s", je->text);
}

/* A JSON object that is no plan: which of the look-alikes it is. */
static int check_kind(const char *path, json_t *root, psc_diags *d)
{
	const char *fix = "make the plan's JSON: tofu plan -out=plan.bin && "
			  "tofu show -json plan.bin > plan.json";
	const char *what = NULL;
	json_t *fv = json_object_get(root, "format_version");
	if (!json_is_object(root))
		what = "is JSON but not an object: not a plan";
	else if (json_object_get(root, "lineage") &&
		 json_object_get(root, "serial"))
		what = "is a state file (terraform.tfstate: it has 'lineage' "
		       "and 'serial'), not a plan";
	else if (json_object_get(root, "values") &&
		 !json_object_get(root, "planned_values"))
		what = "is the JSON of a state (tofu show -json without a "
		       "plan file: 'values', no 'planned_values'), not a plan";
	else if (!fv && (json_object_get(root, "resource") ||
			 json_object_get(root, "provider") ||
			 json_object_get(root, "terraform") ||
			 json_object_get(root, "module")))
		what = "is a Terraform configuration in JSON (.tf.json), not "
		       "a plan";
	else if (!json_is_string(fv))
		what = "has no 'format_version': not the JSON of a plan";
	else if (strncmp(json_string_value(fv), "1.", 2) != 0)
		what = "has a format_version the importer does not read "
		       "(it reads 1.x)";
	else if (!json_is_object(json_object_get(root, "planned_values")))
		what = "has no 'planned_values': not the JSON of a plan";
	if (!what)
		return 0;
	psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "not-a-plan", path,
		     fix, "%s", what);
	return -1;
}

/* the configuration module of a module instance address ("" is root):
 * each "module.<name>[idx]" step goes into module_calls.<name>.module */
static json_t *config_module(const psc_tf_plan *p, const char *module)
{
	json_t *m = p->config_root;
	const char *s = module;
	while (m && *s) {
		if (strncmp(s, "module.", 7) != 0)
			return NULL;
		s += 7;
		size_t nl = strcspn(s, "[.");
		char name[128];
		if (nl == 0 || nl >= sizeof(name))
			return NULL;
		memcpy(name, s, nl);
		name[nl] = '\0';
		s += nl;
		if (*s == '[') {             /* skip the index, strings too */
			bool q = false;
			for (s++; *s && (q || *s != ']'); s++) {
				if (q && *s == '\\' && s[1])
					s++;
				else if (*s == '"')
					q = !q;
			}
			if (*s == ']')
				s++;
		}
		if (*s == '.')
			s++;
		json_t *call = json_object_get(
			json_object_get(m, "module_calls"), name);
		m = json_object_get(call, "module");
	}
	return m;
}

/* a string member, "" when absent */
static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static json_t *config_resource(json_t *cmod, const char *type,
			       const char *name, bool data)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(cmod, "resources"), i, r) {
		const char *mode = json_string_value(json_object_get(r, "mode"));
		if (strcmp(jstr(r, "type"), type) == 0 &&
		    strcmp(jstr(r, "name"), name) == 0 &&
		    (mode && strcmp(mode, "data") == 0) == data)
			return r;
	}
	return NULL;
}

static int add_resources(psc_tf_plan *p, json_t *mod, const char *module,
			 int depth, psc_diags *d)
{
	size_t i;
	json_t *r, *c;
	if (depth > PSC_TF_MAX_MODULE_DEPTH) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0}, "too-deep",
			     module, NULL, "modules nest more than %d deep",
			     PSC_TF_MAX_MODULE_DEPTH);
		return -1;
	}
	json_array_foreach(json_object_get(mod, "resources"), i, r) {
		const char *addr = json_string_value(json_object_get(r, "address"));
		const char *type = json_string_value(json_object_get(r, "type"));
		const char *name = json_string_value(json_object_get(r, "name"));
		if (!addr || !type || !name)
			continue;
		if (p->n >= PSC_TF_MAX_RESOURCES) {
			psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){0, 0},
				     "too-large", p->path, NULL,
				     "more than %d resources", 
				     PSC_TF_MAX_RESOURCES);
			return -1;
		}
		psc_tf_res *x = &p->res[p->n++];
		memset(x, 0, sizeof(*x));
		PSC_SET(x->address, "%s", addr);
		PSC_SET(x->module, "%s", module);
		x->type = type;
		x->name = name;
		x->index = json_object_get(r, "index");
		if (json_is_null(x->index))
			x->index = NULL;
		x->values = json_object_get(r, "values");
		const char *mode = json_string_value(json_object_get(r, "mode"));
		x->data = mode && strcmp(mode, "data") == 0;
		x->config = config_resource(config_module(p, module), type,
					    name, x->data);
	}
	json_array_foreach(json_object_get(mod, "child_modules"), i, c) {
		const char *a = json_string_value(json_object_get(c, "address"));
		if (a && add_resources(p, c, a, depth + 1, d) < 0)
			return -1;
	}
	return 0;
}

static void provider_defaults(psc_tf_plan *p)
{
	json_t *e = json_object_get(json_object_get(json_object_get(
		json_object_get(p->root, "configuration"), "provider_config"),
		"google"), "expressions");
	const char *pr = json_string_value(json_object_get(
		json_object_get(e, "project"), "constant_value"));
	const char *rg = json_string_value(json_object_get(
		json_object_get(e, "region"), "constant_value"));
	PSC_SET(p->provider_project, "%s", pr ? pr : "");
	PSC_SET(p->provider_region, "%s", rg ? rg : "");
}

int psc_tf_plan_read(const char *path, psc_tf_plan *p, psc_diags *d)
{
	size_t len = 0;
	json_error_t je;
	memset(p, 0, sizeof(*p));
	PSC_SET(p->path, "%s", path);
	char *buf = read_capped(path, &len, d);
	if (!buf)
		return -1;
	p->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!p->root) {
		not_json(path, buf, len, &je, d);
		free(buf);
		return -1;
	}
	free(buf);
	if (check_kind(path, p->root, d) < 0)
		goto fail;
	if (json_is_true(json_object_get(p->root, "errored")))
		psc_diag_add(d, PSC_SEV_WARNING, (psc_loc){0, 0}, "plan-errored",
			     path, "fix the errors 'tofu plan' printed, then "
			     "plan again", "the plan says 'errored': true; "
			     "what it holds may be incomplete");
	p->config_root = json_object_get(json_object_get(p->root,
					 "configuration"), "root_module");
	p->res = calloc(PSC_TF_MAX_RESOURCES, sizeof(*p->res));
	if (!p->res)
		goto fail;
	if (add_resources(p, json_object_get(json_object_get(p->root,
			  "planned_values"), "root_module"), "", 0, d) < 0)
		goto fail;
	provider_defaults(p);
	return 0;
fail:
	psc_tf_plan_free(p);
	return -1;
}

void psc_tf_plan_free(psc_tf_plan *p)
{
	json_decref(p->root);
	free(p->res);
	p->root = NULL;
	p->res = NULL;
	p->n = 0;
}

/* ---- values ---- */

/* one step of a path: an object key, or an array index */
static json_t *step(json_t *v, const char *key)
{
	if (json_is_array(v)) {
		char *end;
		long i = strtol(key, &end, 10);
		return *end || i < 0 ? NULL : json_array_get(v, (size_t)i);
	}
	return json_object_get(v, key);
}

json_t *psc_tf_value(const psc_tf_res *r, const char *path)
{
	char buf[256], *save = NULL;
	json_t *v = r->values;
	PSC_SET(buf, "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && v;
	     k = strtok_r(NULL, ".", &save))
		v = step(v, k);
	return json_is_null(v) ? NULL : v;
}

const char *psc_tf_str(const psc_tf_res *r, const char *path)
{
	return json_string_value(psc_tf_value(r, path));
}

int psc_tf_long(const psc_tf_res *r, const char *path, long *out)
{
	json_t *v = psc_tf_value(r, path);
	if (json_is_integer(v)) {
		*out = (long)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		*out = (long)json_real_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

void psc_tf_index_str(const psc_tf_res *r, char *out, size_t len)
{
	if (json_is_string(r->index))
		psc_setf(out, len, "[\"%s\"]", json_string_value(r->index));
	else if (json_is_integer(r->index))
		psc_setf(out, len, "[%lld]",
			 (long long)json_integer_value(r->index));
	else
		psc_setf(out, len, "%s", "");
}

/* ---- following references ---- */

/* where an expression is evaluated */
struct fctx {
	char module[PSC_TF_ADDR_LEN];  /* module instance ("" root) */
	json_t *cmod;                  /* its configuration module */
	json_t *key;                   /* each.key / count.index there */
	json_t *pending;               /* an inner each.key, for a resource
					* reached without an index */
};

struct fres {
	const psc_tf_res **out;
	size_t max, n;
	const char *const *types;
	char *why;
	size_t whylen;
};

#define MAX_SEGS 8
struct seg {
	char name[128];
	char idx[128];                 /* raw index: 0 or "key", or "" */
};

/* "a.b[\"k\"].c" -> segments; the number of them, -1 when malformed */
static int parse_ref(const char *s, struct seg *sg)
{
	int n = 0;
	while (*s && n < MAX_SEGS) {
		size_t l = strcspn(s, ".[");
		if (l == 0 || l >= sizeof(sg[n].name))
			return -1;
		memcpy(sg[n].name, s, l);
		sg[n].name[l] = '\0';
		sg[n].idx[0] = '\0';
		s += l;
		if (*s == '[') {
			const char *b = ++s;
			bool q = false;
			for (; *s && (q || *s != ']'); s++) {
				if (q && *s == '\\' && s[1])
					s++;
				else if (*s == '"')
					q = !q;
			}
			if (*s != ']' || (size_t)(s - b) >= sizeof(sg[n].idx))
				return -1;
			memcpy(sg[n].idx, b, (size_t)(s - b));
			sg[n].idx[s - b] = '\0';
			s++;
		}
		n++;
		if (*s == '.')
			s++;
	}
	return *s ? -1 : n;
}

/* a raw index ("0", "\"k\"") as JSON (new reference), NULL when bad */
static json_t *index_json(const char *raw)
{
	json_error_t je;
	return json_loads(raw, JSON_DECODE_ANY, &je);
}

static bool same_index(const json_t *a, const json_t *b)
{
	return a && b && json_equal((json_t *)a, (json_t *)b);
}

static void set_why(struct fres *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_why(struct fres *f, const char *fmt, ...)
{
	if (f->why[0])
		return;                /* the first reason is the one */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->why, f->whylen, fmt, ap);
	va_end(ap);
}

static void found(struct fres *f, const psc_tf_res *r)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->out[i] == r)
			return;
	if (f->n < f->max)
		f->out[f->n++] = r;
}

static bool wanted(const struct fres *f, const char *type)
{
	for (size_t i = 0; f->types[i]; i++)
		if (strcmp(f->types[i], type) == 0)
			return true;
	return false;
}

static void follow_refs(const psc_tf_plan *p, const struct fctx *c,
			json_t *refs, struct fres *f, int depth);

/* "type.name[idx].attr" in module c->module */
static void resolve_resource(const psc_tf_plan *p, const struct fctx *c,
			     const struct seg *sg, int ns, bool uses_index,
			     struct fres *f, const char *ref)
{
	if (ns < 2 || !wanted(f, sg[0].name))
		return;
	const psc_tf_res *cand[64];
	size_t nc = 0, all = 0;
	json_t *want = sg[1].idx[0] ? index_json(sg[1].idx) : NULL;
	json_t *key = uses_index && c->key ? c->key : c->pending;
	for (size_t i = 0; i < p->n; i++) {
		const psc_tf_res *r = &p->res[i];
		if (r->data || strcmp(r->module, c->module) ||
		    strcmp(r->type, sg[0].name) || strcmp(r->name, sg[1].name))
			continue;
		all++;
		bool ok = want ? same_index(r->index, want)
			       : key && r->index ? same_index(r->index, key)
						 : true;
		if (ok && nc < 64)
			cand[nc++] = r;
	}
	json_decref(want);
	if (nc == 1)
		found(f, cand[0]);
	else if (all == 0)
		set_why(f, "'%s': no such resource in the plan%s%s", ref,
			c->module[0] ? " in " : "", c->module);
	else if (nc == 0)
		set_why(f, "'%s': none of its %zu instances has that index",
			ref, all);
	else
		set_why(f, "'%s' has %zu instances and the reference does not "
			"say which", ref, nc);
}

/* where the last "module.<name>[idx]" of a module address starts
 * (brackets and quoted keys skipped) */
static const char *last_module_seg(const char *m)
{
	const char *last = NULL;
	bool q = false;
	int depth = 0;
	for (const char *s = m; *s; s++) {
		if (q) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				q = false;
		} else if (*s == '"') {
			q = true;
		} else if (*s == '[') {
			depth++;
		} else if (*s == ']') {
			depth--;
		} else if (depth == 0 && (s == m || s[-1] == '.') &&
			   strncmp(s, "module.", 7) == 0) {
			last = s;
		}
	}
	return last;
}

/* var.X inside a module: the module call's expression for X, in the
 * calling module */
static void resolve_var(const psc_tf_plan *p, const struct fctx *c,
			const char *var, bool uses_index, struct fres *f,
			int depth, const char *ref)
{
	if (!c->module[0]) {
		set_why(f, "'%s': a root module variable holds a value, not a "
			"reference to a resource", ref);
		return;
	}
	const char *last = last_module_seg(c->module);
	struct seg sg[MAX_SEGS];
	if (!last || parse_ref(last, sg) != 2) {
		set_why(f, "'%s': cannot read the module address '%s'", ref,
			c->module);
		return;
	}
	struct fctx nc = {.pending = uses_index && c->key ? c->key : c->pending};
	size_t plen = last == c->module ? 0 : (size_t)(last - c->module - 1);
	memcpy(nc.module, c->module, plen);
	nc.module[plen] = '\0';
	nc.cmod = config_module(p, nc.module);
	json_t *call = json_object_get(json_object_get(nc.cmod,
				       "module_calls"), sg[1].name);
	json_t *refs = json_object_get(json_object_get(json_object_get(call,
				       "expressions"), var), "references");
	if (!refs) {
		set_why(f, "'%s': the call of module '%s' passes no reference "
			"for it", ref, sg[1].name);
		return;
	}
	nc.key = sg[1].idx[0] ? index_json(sg[1].idx) : NULL;
	follow_refs(p, &nc, refs, f, depth + 1);
	json_decref(nc.key);
}

/* the one instance of a module call that has instances in the plan */
static int module_instance(const psc_tf_plan *p, const char *prefix,
			   char *out, size_t len)
{
	size_t pl = strlen(prefix);
	out[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		const char *m = p->res[i].module;
		if (strncmp(m, prefix, pl) || m[pl] != '[')
			continue;
		size_t l = strcspn(m + pl, "]") + 1;
		if (out[0] && (strlen(out) != pl + l || strncmp(out, m, pl + l)))
			return -1;           /* two instances */
		psc_setf(out, len, "%.*s", (int)(pl + l), m);
	}
	return out[0] ? 0 : -1;
}

/* module.N[idx].OUTPUT: the output's expression, in the child module */
static void resolve_output(const psc_tf_plan *p, const struct fctx *c,
			   const struct seg *sg, int ns, bool uses_index,
			   struct fres *f, int depth, const char *ref)
{
	if (ns < 3)
		return;                /* "module.neg[0]": a prefix entry */
	json_t *call = json_object_get(json_object_get(c->cmod,
				       "module_calls"), sg[1].name);
	json_t *refs = json_object_get(json_object_get(json_object_get(
		json_object_get(json_object_get(call, "module"), "outputs"),
		sg[2].name), "expression"), "references");
	if (!refs) {
		set_why(f, "'%s': module '%s' has no output '%s' that refers "
			"to a resource", ref, sg[1].name, sg[2].name);
		return;
	}
	struct fctx nc = {.cmod = json_object_get(call, "module"),
			  .pending = c->pending};
	char prefix[PSC_TF_ADDR_LEN];
	psc_setf(prefix, sizeof(prefix), "%s%smodule.%s", c->module,
		 c->module[0] ? "." : "", sg[1].name);
	bool multi = json_object_get(call, "count_expression") ||
		     json_object_get(call, "for_each_expression");
	if (sg[1].idx[0]) {
		PSC_SET(nc.module, "%s[%s]", prefix, sg[1].idx);
	} else if (multi && uses_index && c->key) {
		char *k = json_dumps(c->key, JSON_ENCODE_ANY);
		PSC_SET(nc.module, "%s[%s]", prefix, k ? k : "");
		free(k);
	} else if (multi) {
		if (module_instance(p, prefix, nc.module,
				    sizeof(nc.module)) < 0) {
			set_why(f, "'%s': module '%s' has several instances "
				"(or none) and the reference does not say "
				"which", ref, sg[1].name);
			return;
		}
	} else {
		PSC_SET(nc.module, "%s", prefix);
	}
	follow_refs(p, &nc, refs, f, depth + 1);
}

static void follow_refs(const psc_tf_plan *p, const struct fctx *c,
			json_t *refs, struct fres *f, int depth)
{
	size_t i;
	json_t *v;
	bool uses_index = false;
	if (depth > PSC_TF_MAX_MODULE_DEPTH) {
		set_why(f, "references nest more than %d deep",
			PSC_TF_MAX_MODULE_DEPTH);
		return;
	}
	json_array_foreach(refs, i, v) {
		const char *s = json_string_value(v);
		if (s && (strcmp(s, "each.key") == 0 ||
			  strcmp(s, "count.index") == 0))
			uses_index = true;
	}
	json_array_foreach(refs, i, v) {
		const char *s = json_string_value(v);
		struct seg sg[MAX_SEGS];
		int ns = s ? parse_ref(s, sg) : -1;
		if (ns < 1) {
			set_why(f, "cannot read the reference '%s'", s ? s : "");
			continue;
		}
		const char *h = sg[0].name;
		if (!strcmp(h, "each") || !strcmp(h, "count") ||
		    !strcmp(h, "path") || !strcmp(h, "terraform") ||
		    !strcmp(h, "self"))
			continue;
		if (!strcmp(h, "var") && ns >= 2)
			resolve_var(p, c, sg[1].name, uses_index, f, depth, s);
		else if (!strcmp(h, "module") && ns >= 2)
			resolve_output(p, c, sg, ns, uses_index, f, depth, s);
		else if (!strcmp(h, "local"))
			set_why(f, "'%s': locals are not in the plan's JSON, so "
				"what it holds cannot be followed", s);
		else if (!strcmp(h, "data"))
			set_why(f, "'%s': a data source (read at apply) is not "
				"followed", s);
		else
			resolve_resource(p, c, sg, ns, uses_index, f, s);
	}
}

/* every expression at keys[0..nk) under v ('*': each element) */
static void walk_expr(const psc_tf_plan *p, const struct fctx *c, json_t *v,
		      char **keys, int nk, struct fres *f, bool *any)
{
	if (!v)
		return;
	if (nk == 0) {
		json_t *refs = json_object_get(v, "references");
		if (refs) {
			*any = true;
			follow_refs(p, c, refs, f, 0);
		}
		return;
	}
	if (strcmp(keys[0], "*") == 0 && json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			walk_expr(p, c, e, keys + 1, nk - 1, f, any);
		return;
	}
	walk_expr(p, c, step(v, keys[0]), keys + 1, nk - 1, f, any);
}

int psc_tf_follow(const psc_tf_plan *p, const psc_tf_res *r,
		  const char *attr, const char *const *types,
		  const psc_tf_res **out, size_t max, char *why,
		  size_t whylen)
{
	struct fres f = {out, max, 0, types, why, whylen};
	struct fctx c = {.key = r->index};
	char buf[256], *keys[16], *save = NULL;
	int nk = 0;
	bool any = false;
	why[0] = '\0';
	if (!r->config) {
		psc_setf(why, whylen, "the plan has no configuration for it");
		return -1;
	}
	PSC_SET(c.module, "%s", r->module);
	c.cmod = config_module(p, r->module);
	PSC_SET(buf, "%s", attr);
	for (char *k = strtok_r(buf, ".", &save); k && nk < 16;
	     k = strtok_r(NULL, ".", &save))
		keys[nk++] = k;
	walk_expr(p, &c, json_object_get(r->config, "expressions"), keys, nk,
		  &f, &any);
	if (f.n > 0)
		return (int)f.n;
	if (!why[0])
		psc_setf(why, whylen, any ? "its references name no %s"
					  : "it is not set (no reference)",
			 types[0]);
	return -1;
}
