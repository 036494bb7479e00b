/* exercise.c - exercise definitions and their grade (see exercise.h). */
#define _GNU_SOURCE
#include "verify/exercise.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

static int bad(const char *path, yaml_node_t *n, char *err, size_t errlen,
	       const char *what)
{
	psc_setf(err, errlen, "%s:%zu: %s", path,
		 n ? n->start_mark.line + 1 : 0, what);
	return -1;
}

static int copy(char *dst, size_t len, yaml_node_t *v, const char *path,
		const char *key, char *err, size_t errlen)
{
	const char *s = scalar(v);
	char what[96];
	if (!s || strlen(s) >= len) {
		snprintf(what, sizeof(what), "'%s' must be a string of at most "
			 "%zu characters", key, len - 1);
		return bad(path, v, err, errlen, what);
	}
	snprintf(dst, len, "%s", s);
	return 0;
}

static int faults_of(yaml_document_t *doc, yaml_node_t *v, psc_exercise *ex,
		     const char *path, char *err, size_t errlen)
{
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return bad(path, v, err, errlen, "'faults' must be a list");
	for (yaml_node_item_t *i = v->data.sequence.items.start;
	     i < v->data.sequence.items.top; i++) {
		if (ex->n_faults >= PSC_EX_MAX_FAULTS)
			return bad(path, v, err, errlen, "too many faults");
		if (copy(ex->faults[ex->n_faults++], sizeof(ex->faults[0]),
			 yaml_document_get_node(doc, *i), path, "faults", err,
			 errlen) < 0)
			return -1;
	}
	return 0;
}

static int hints_of(yaml_document_t *doc, yaml_node_t *v, psc_exercise *ex,
		    const char *path, char *err, size_t errlen)
{
	if (!v || v->type != YAML_MAPPING_NODE)
		return bad(path, v, err, errlen, "'hints' must be a mapping");
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
	     p < v->data.mapping.pairs.top; p++) {
		if (ex->n_hints >= PSC_EX_MAX_HINTS)
			return bad(path, v, err, errlen, "too many hints");
		size_t k = ex->n_hints++;
		if (copy(ex->hints[k].hop, sizeof(ex->hints[k].hop),
			 yaml_document_get_node(doc, p->key), path, "hints",
			 err, errlen) < 0 ||
		    copy(ex->hints[k].text, sizeof(ex->hints[k].text),
			 yaml_document_get_node(doc, p->value), path, "hints",
			 err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int field(yaml_document_t *doc, const char *key, yaml_node_t *v,
		 psc_exercise *ex, const char *path, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off, len;
	} strs[] = {
		{"name", offsetof(psc_exercise, name), PSC_NAME_LEN},
		{"title", offsetof(psc_exercise, title), 256},
		{"approach", offsetof(psc_exercise, approach), PSC_NAME_LEN},
		{"scenario", offsetof(psc_exercise, scenario), PSC_NAME_LEN},
		{"task", offsetof(psc_exercise, task), PSC_EX_TEXT_LEN},
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(key, strs[i].key) == 0)
			return copy((char *)ex + strs[i].off, strs[i].len, v,
				    path, key, err, errlen);
	if (strcmp(key, "faults") == 0)
		return faults_of(doc, v, ex, path, err, errlen);
	if (strcmp(key, "hints") == 0)
		return hints_of(doc, v, ex, path, err, errlen);
	char what[192];
	snprintf(what, sizeof(what), "unknown key '%.60s' (name, title, "
		 "approach, faults, scenario, task, hints)", key);
	return bad(path, v, err, errlen, what);
}

int psc_exercise_load(const char *path, psc_exercise *ex, char *err,
		      size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1;
	memset(ex, 0, sizeof(*ex));
	FILE *f = fopen(path, "r");
	if (!f) {
		psc_setf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		psc_setf(err, errlen, "%s:%zu: %s", path,
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		goto out_parser;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		bad(path, root, err, errlen, "the top level must be a mapping");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		const char *key = scalar(yaml_document_get_node(&doc, p->key));
		if (!key || field(&doc, key, yaml_document_get_node(&doc,
				  p->value), ex, path, err, errlen) < 0) {
			if (!key)
				bad(path, root, err, errlen, "a key that is "
				    "not a string");
			goto out;
		}
	}
	if (!ex->name[0] || !ex->task[0] || !ex->approach[0] ||
	    (!ex->n_faults) == (!ex->scenario[0])) {
		bad(path, root, err, errlen, "an exercise needs name, approach, "
		    "task, and either faults or a scenario");
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

static const char *hint_for(const psc_exercise *ex, const char *hop)
{
	const char *dflt = "look at what verify says failed first, and follow "
			   "the path hop by hop with pscLab trace";
	for (size_t i = 0; i < ex->n_hints; i++) {
		if (strcmp(ex->hints[i].hop, hop) == 0)
			return ex->hints[i].text;
		if (strcmp(ex->hints[i].hop, "default") == 0)
			dflt = ex->hints[i].text;
	}
	return dflt;
}

void psc_exercise_grade_of(const psc_exercise *ex, const psc_verify_report *r,
			   const psc_faults *fs, bool lint_clean,
			   psc_exercise_grade *g)
{
	memset(g, 0, sizeof(*g));
	/* the first failure that names a hop of the path, else the first:
	 * TiCDC's steps fail early in the report, as consequences */
	const psc_verify_check *first = NULL, *any = NULL;
	for (size_t i = 0; r && i < r->n && !first; i++) {
		const psc_verify_check *c = &r->checks[i];
		if (c->status != PSC_VERIFY_FAIL)
			continue;
		if (!any)
			any = c;
		if (c->hop != PSC_HOP_KAFKA && c->hop != PSC_HOP_VERIFY &&
		    c->hop != PSC_HOP_NONE)
			first = c;
	}
	if (!first)
		first = any;
	size_t left = 0;
	for (size_t i = 0; fs && i < fs->n; i++)
		left += strcmp(fs->f[i].exercise, ex->name) == 0;
	if (first) {
		PSC_SET(g->text, "not yet: %zu check%s still fail%s; '%s' "
			"breaks at the %s.\n  hint: %s", r->n_fail,
			r->n_fail == 1 ? "" : "s", r->n_fail == 1 ? "s" : "",
			first->name, psc_verify_hop_title(first->hop),
			hint_for(ex, psc_verify_hop_name(first->hop)));
		return;
	}
	if (left) {
		PSC_SET(g->text, "not yet: verify passes, but what the exercise "
			"broke is still there (%zu thing%s): mend it the way you "
			"would on GCP, not around it", left, left == 1 ? "" : "s");
		return;
	}
	if (!lint_clean) {
		PSC_SET(g->text, "not yet: the lab's topology still has lint "
			"errors (pscLab lint on the file you brought up): fix "
			"the file, then down and up again");
		return;
	}
	if (!r || r->n == 0) {
		PSC_SET(g->text, "not graded: verify ran no check");
		return;
	}
	g->passed = true;
	PSC_SET(g->text, "passed: %s. verify is green (%zu checks)",
		ex->title[0] ? ex->title : ex->name, r->n);
}
