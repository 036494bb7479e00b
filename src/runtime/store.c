/* store.c - the one reader of a stored lab (see store.h): its topology
 * copy, faults.json and stage.json. */
#define _GNU_SOURCE
#include "runtime/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <stdlib.h>

#include "model/topology_load.h"
#include "runtime/state.h"

/* <state dir>/<file> */
static int state_file(const char *lab, const char *file, char *out,
		      size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0 ||
	    snprintf(out, len, "%s/%s", dir, file) >= (int)len) {
		snprintf(err, errlen, "lab '%s': no state directory", lab);
		return -1;
	}
	return 0;
}

static int faults_path(const char *lab, char *out, size_t len, char *err,
		       size_t errlen)
{
	return state_file(lab, "faults.json", out, len, err, errlen);
}

/* root written to path through a temporary file renamed over it; root
 * is released */
static int json_write_atomic(json_t *root, const char *path, char *err,
			     size_t errlen)
{
	char tmp[PATH_MAX + 40];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int rc = json_dump_file(root, tmp, JSON_INDENT(1)) == 0 &&
			 rename(tmp, path) == 0 ? 0 : -1;
	if (rc < 0) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	json_decref(root);
	return rc;
}

static int fault_from_json(json_t *o, psc_fault *f)
{
	bool undo;
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *act = json_string_value(json_object_get(o, "action"));
	json_t *args = json_object_get(o, "targets");
	int k = act ? psc_fault_kind_of(act, &undo) : -1;
	if (!id || k < 0 || undo || !json_is_array(args))
		return -1;
	memset(f, 0, sizeof(*f));
	f->kind = (psc_fault_kind)k;
	snprintf(f->id, sizeof(f->id), "%s", id);
	for (size_t i = 0; i < 2 && i < json_array_size(args); i++) {
		const char *a = json_string_value(json_array_get(args, i));
		snprintf(f->arg[i], sizeof(f->arg[i]), "%s", a ? a : "");
	}
	const char *ex = json_string_value(json_object_get(o, "exercise"));
	snprintf(f->exercise, sizeof(f->exercise), "%s", ex ? ex : "");
	f->delay_ms = json_integer_value(json_object_get(o, "delay_ms"));
	f->loss_pct = json_integer_value(json_object_get(o, "loss_pct"));
	f->rate_kbit = json_integer_value(json_object_get(o, "rate_kbit"));
	return 0;
}

int psc_lab_faults_read(const char *lab, psc_faults *fs, char *err,
			size_t errlen)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	memset(fs, 0, sizeof(*fs));
	fs->next_id = 1;
	if (faults_path(lab, path, sizeof(path), err, errlen) < 0)
		return -1;
	if (access(path, F_OK) != 0)
		return 0;
	json_t *root = json_load_file(path, 0, &je);
	json_t *list = json_object_get(root, "faults");
	if (!root || !json_is_array(list)) {
		snprintf(err, errlen, "%s: %s", path,
			 root ? "no 'faults' list" : je.text);
		json_decref(root);
		return -1;
	}
	fs->next_id = json_integer_value(json_object_get(root, "next_id"));
	for (size_t i = 0; i < json_array_size(list) && fs->n <
	     PSC_MAX_FAULTS; i++)
		if (fault_from_json(json_array_get(list, i),
				    &fs->f[fs->n]) == 0)
			fs->n++;
	json_decref(root);
	return 0;
}

int psc_lab_faults_write(const char *lab, const psc_faults *fs, char *err,
			 size_t errlen)
{
	char path[PATH_MAX + 16];
	if (faults_path(lab, path, sizeof(path), err, errlen) < 0)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; i < fs->n; i++) {
		const psc_fault *f = &fs->f[i];
		json_t *targets = json_array();
		json_array_append_new(targets, json_string(f->arg[0]));
		if (f->arg[1][0])
			json_array_append_new(targets, json_string(f->arg[1]));
		json_t *o = json_pack("{s:s, s:s, s:o}", "id", f->id, "action",
				      psc_fault_action(f->kind), "targets",
				      targets);
		if (f->exercise[0])
			json_object_set_new(o, "exercise",
					    json_string(f->exercise));
		if (f->kind == PSC_FAULT_NETEM) {
			json_object_set_new(o, "delay_ms",
					    json_integer(f->delay_ms));
			json_object_set_new(o, "loss_pct",
					    json_integer(f->loss_pct));
			json_object_set_new(o, "rate_kbit",
					    json_integer(f->rate_kbit));
		}
		json_array_append_new(list, o);
	}
	json_t *root = json_pack("{s:I, s:o}", "next_id",
				 (json_int_t)fs->next_id, "faults", list);
	return json_write_atomic(root, path, err, errlen);
}

/* ---- the stage (model/stage.h): stage.json ---- */

static int stage_broker_from_json(json_t *o, psc_stage_broker *b)
{
	const char *inst = json_string_value(json_object_get(o, "instance"));
	int st = psc_roll_state_of(json_string_value(json_object_get(o,
								     "state")));
	const char *e = json_string_value(json_object_get(o, "error"));
	if (!inst || st < 0)
		return -1;
	snprintf(b->instance, sizeof(b->instance), "%s", inst);
	b->state = (psc_roll_state)st;
	b->away_ms = (long)json_integer_value(json_object_get(o, "away_ms"));
	b->caught_up_ms = (long)json_integer_value(json_object_get(
		o, "caught_up_ms"));
	snprintf(b->error, sizeof(b->error), "%s", e ? e : "");
	return 0;
}

int psc_lab_stage_read(const char *lab, psc_stage *s, char *err,
		       size_t errlen)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	memset(s, 0, sizeof(*s));
	if (state_file(lab, "stage.json", path, sizeof(path), err, errlen) < 0)
		return -1;
	if (access(path, F_OK) != 0)
		return 0;
	json_t *root = json_load_file(path, 0, &je);
	json_t *list = json_object_get(root, "brokers");
	size_t n = json_array_size(list);
	int rc = -1;
	if (!root || !json_is_array(list) || n > PSC_MAX_BROKERS) {
		snprintf(err, errlen, "%s: %s", path,
			 root ? "no 'brokers' list" : je.text);
		goto out;
	}
	if (psc_stage_alloc(s, n) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s->present = true;
	s->neg_mapped = json_is_true(json_object_get(root, "neg_mapped"));
	s->runs = (long)json_integer_value(json_object_get(root, "runs"));
	for (size_t i = 0; i < n; i++)
		if (stage_broker_from_json(json_array_get(list, i), &s->b[i]) <
		    0) {
			snprintf(err, errlen, "%s: broker %zu has no instance "
				 "or no valid state", path, i);
			psc_stage_free(s);
			goto out;
		}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int psc_lab_stage_write(const char *lab, const psc_stage *s, char *err,
			size_t errlen)
{
	char path[PATH_MAX + 16], what[256];
	if (state_file(lab, "stage.json", path, sizeof(path), err, errlen) < 0)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const psc_stage_broker *b = &s->b[i];
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:b, s:I, s:I, s:s}",
					"instance", b->instance, "state",
					psc_roll_state_name(b->state),
					"external", psc_stage_external(b),
					"away_ms", (json_int_t)b->away_ms,
					"caught_up_ms",
					(json_int_t)b->caught_up_ms, "error",
					b->error));
	}
	psc_stage_describe(s, what, sizeof(what));
	json_t *root = json_pack("{s:s, s:b, s:I, s:o}", "stage", what,
				 "neg_mapped", s->neg_mapped, "runs",
				 (json_int_t)s->runs, "brokers", list);
	return json_write_atomic(root, path, err, errlen);
}

static int apply_stage(const char *lab, psc_topology *t, char *err,
		       size_t errlen)
{
	psc_stage s;
	if (psc_lab_stage_read(lab, &s, err, errlen) < 0)
		return -1;
	int rc = psc_stage_apply(t, &s, err, errlen);
	psc_stage_free(&s);
	return rc;
}

static int apply_faults(const char *lab, psc_topology *t, char *err,
			size_t errlen)
{
	psc_faults *fs = calloc(1, sizeof(*fs));
	int rc = fs ? psc_lab_faults_read(lab, fs, err, errlen) : -1;
	if (!fs)
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; rc == 0 && i < fs->n; i++)
		rc = psc_fault_apply(t, &fs->f[i], err, errlen);
	free(fs);
	return rc;
}

static int load(const char *lab, bool faulted, psc_topology **t,
		psc_plan *p, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	psc_diags d;
	bool unreadable;

	*t = NULL;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "lab '%s': no state directory", lab);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	if (access(path, R_OK) != 0) {
		int e = errno;
		snprintf(err, errlen, "lab '%s' is not up (%s: %s)", lab, path,
			 strerror(e));
		return e == ENOENT ? PSC_LAB_NOT_UP : -1;
	}
	psc_diags_init(&d, path);
	*t = psc_topology_load_file(path, &d, &unreadable);
	if (!*t || d.n_errors) {
		snprintf(err, errlen, "lab '%s': its topology copy %s does "
			 "not load", lab, path);
		psc_diags_free(&d);
		goto fail;
	}
	psc_diags_free(&d);
	if (apply_stage(lab, *t, err, errlen) < 0)
		goto fail;
	if (faulted && apply_faults(lab, *t, err, errlen) < 0)
		goto fail;
	if (psc_plan_build(*t, p, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	psc_topology_free(*t);
	*t = NULL;
	return -1;
}

int psc_lab_load(const char *lab, psc_topology **t, psc_plan *p, char *err,
		 size_t errlen)
{
	return load(lab, true, t, p, err, errlen);
}

int psc_lab_load_unfaulted(const char *lab, psc_topology **t, psc_plan *p,
			   char *err, size_t errlen)
{
	return load(lab, false, t, p, err, errlen);
}
