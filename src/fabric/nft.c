/* nft.c - nft scripts applied and listed inside a lab namespace, through
 * libnftables (see nft.h). */
#define _GNU_SOURCE
#include "fabric/nft.h"

#include <jansson.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parallel.h"
#include "plan/nftgen.h"
#include "fabric/netns.h"

struct nft_job {
	const char *script;      /* apply this, or list when NULL */
	char *out;               /* list: the JSON */
	char err[1024];
};

static int nft_job_run(void *arg)
{
	struct nft_job *j = arg;
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc = -1;

	if (!ctx) {
		snprintf(j->err, sizeof(j->err), "nft: cannot create a context");
		return -1;
	}
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		snprintf(j->err, sizeof(j->err), "nft: cannot buffer output");
		goto out;
	}
	if (!j->script)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	rc = nft_run_cmd_from_buffer(ctx, j->script ? j->script
						    : "list ruleset");
	if (rc != 0) {
		const char *e = nft_ctx_get_error_buffer(ctx);
		snprintf(j->err, sizeof(j->err), "%s", e && *e ? e : "failed");
		/* keep the first lines: nft repeats the whole rule */
		char *cut = j->err;
		for (int lines = 0; cut && lines < 3; lines++)
			cut = strchr(cut + (lines ? 1 : 0), '\n');
		if (cut)
			*cut = '\0';
		rc = -1;
		goto out;
	}
	if (!j->script) {
		const char *o = nft_ctx_get_output_buffer(ctx);
		j->out = strdup(o ? o : "");
		if (!j->out) {
			snprintf(j->err, sizeof(j->err), "out of memory");
			rc = -1;
		}
	}
out:
	nft_ctx_free(ctx);
	return rc;
}

int psc_nft_apply(const char *netns, const char *script, char *err,
		  size_t errlen)
{
	struct nft_job j = {.script = script};
	int rc = psc_netns_run(netns, nft_job_run, &j, err, errlen);
	if (rc != 0 && j.err[0])
		snprintf(err, errlen, "nftables in %s: %s", netns, j.err);
	return rc == 0 ? 0 : -1;
}

struct apply_job {
	const char *netns;
	const char *script;
	int rc;
	char err[1024];
};

static void apply_job_run(void *arg)
{
	struct apply_job *a = arg;
	a->rc = psc_nft_apply(a->netns, a->script, a->err, sizeof(a->err));
}

int psc_nft_apply_all(const char *const *netns, const char *const *scripts,
		      size_t n, char *err, size_t errlen)
{
	struct apply_job *a = calloc(n ? n : 1, sizeof(*a));
	int rc = 0;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = (struct apply_job){.netns = netns[i],
					  .script = scripts[i]};
	psc_parallel(apply_job_run, a, sizeof(*a), n);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (a[i].rc != 0) {
			snprintf(err, errlen, "%s", a[i].err);
			rc = -1;
		}
	free(a);
	return rc;
}

char *psc_nft_list_json(const char *netns, char *err, size_t errlen)
{
	struct nft_job j = {.script = NULL};
	int rc = psc_netns_run(netns, nft_job_run, &j, err, errlen);
	if (rc != 0) {
		if (j.err[0])
			snprintf(err, errlen, "nftables in %s: %s", netns,
				 j.err);
		free(j.out);
		return NULL;
	}
	return j.out;
}

int psc_nft_leaks(const char *netns, psc_nft_leak *out, size_t max,
		  size_t *n, char *err, size_t errlen)
{
	*n = 0;
	char *txt = psc_nft_list_json(netns, err, errlen);
	if (!txt)
		return -1;
	json_error_t je;
	json_t *root = json_loads(txt, 0, &je);
	free(txt);
	if (!root) {
		snprintf(err, errlen, "nftables in %s: unreadable JSON: %s",
			 netns, je.text);
		return -1;
	}
	size_t i, k;
	json_t *it, *el;
	json_array_foreach(json_object_get(root, "nftables"), i, it) {
		json_t *set = json_object_get(it, "set");
		const char *name = json_string_value(json_object_get(set,
								      "name"));
		if (!name || strcmp(name, PSC_NFT_LEAK_SET) != 0)
			continue;
		json_array_foreach(json_object_get(set, "elem"), k, el) {
			json_t *e = json_object_get(el, "elem");
			const char *v = json_string_value(json_object_get(e,
									   "val"));
			json_t *c = json_object_get(e, "counter");
			if (!v || *n >= max)
				continue;
			psc_nft_leak *l = &out[(*n)++];
			snprintf(l->addr, sizeof(l->addr), "%s", v);
			l->packets = json_integer_value(json_object_get(
				c, "packets"));
			l->bytes = json_integer_value(json_object_get(c,
								      "bytes"));
		}
	}
	json_decref(root);
	return 0;
}

/* one rule of the listing into c: false when it has no comment or no
 * counter */
static bool counted_rule(json_t *rule, psc_nft_counter *c)
{
	const char *comment = json_string_value(json_object_get(rule,
								 "comment"));
	if (!rule || !comment)
		return false;
	size_t k;
	json_t *ex, *cnt = NULL;
	bool drops = false;
	json_array_foreach(json_object_get(rule, "expr"), k, ex) {
		if (!cnt)
			cnt = json_object_get(ex, "counter");
		drops |= json_object_get(ex, "drop") != NULL;
	}
	if (!cnt)
		return false;
	const char *chain = json_string_value(json_object_get(rule, "chain"));
	snprintf(c->chain, sizeof(c->chain), "%s", chain ? chain : "?");
	snprintf(c->comment, sizeof(c->comment), "%s", comment);
	c->packets = json_integer_value(json_object_get(cnt, "packets"));
	c->bytes = json_integer_value(json_object_get(cnt, "bytes"));
	c->drops = drops;
	return true;
}

int psc_nft_counters_parse(const char *json, psc_nft_counter *out,
			   size_t max, size_t *n, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(json, 0, &je);
	*n = 0;
	if (!root || !json_is_array(json_object_get(root, "nftables"))) {
		snprintf(err, errlen, "not nft's JSON: %s",
			 root ? "no \"nftables\" array" : je.text);
		json_decref(root);
		return -1;
	}
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(root, "nftables"), i, it)
		if (*n < max && counted_rule(json_object_get(it, "rule"),
					     &out[*n]))
			(*n)++;
	json_decref(root);
	return 0;
}

int psc_nft_counters(const char *netns, psc_nft_counter *out, size_t max,
		     size_t *n, char *err, size_t errlen)
{
	*n = 0;
	char *txt = psc_nft_list_json(netns, err, errlen);
	if (!txt)
		return -1;
	char e[256];
	int rc = psc_nft_counters_parse(txt, out, max, n, e, sizeof(e));
	free(txt);
	if (rc < 0)
		snprintf(err, errlen, "nftables in %s: %s", netns, e);
	return rc;
}

int psc_nft_build(const psc_plan *p, char *err, size_t errlen)
{
	const char *ns[PSC_MAX_NETWORKS + 1];
	char *scripts[PSC_MAX_NETWORKS + 1];
	size_t n = 0;
	int rc = -1;
	psc_lb_health h;

	psc_lb_health_all(p, &h);
	for (size_t net = 0; net < p->t->n_networks; net++) {
		ns[n] = p->ns[p->router_ns[net]].name;
		scripts[n] = psc_nft_router_text(p, net, &h);
		if (!scripts[n++])
			goto out;
	}
	if (p->psc_ns >= 0) {
		ns[n] = p->ns[p->psc_ns].name;
		scripts[n] = psc_nft_psc_text(p);
		if (!scripts[n++])
			goto out;
	}
	rc = psc_nft_apply_all(ns, (const char *const *)scripts, n, err,
			       errlen);
out:
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++)
		free(scripts[i]);
	return rc;
}
