/* verify_last.c - verify-last.json, the last verify result of a lab (see
 * verify_last.h), written and read with jansson.  Touches that one file
 * (and its temporary twin) in the lab's state directory. */
#define _GNU_SOURCE
#include "verify/verify_last.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/state.h"

int psc_verify_last_path(const char *lab, char *out, size_t len, char *err,
			 size_t errlen)
{
	char dir[PATH_MAX];
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		psc_setf(err, errlen, "lab '%s': no state directory for that "
			 "name", lab);
		return -1;
	}
	int n = snprintf(out, len, "%s/" PSC_VERIFY_LAST_FILE, dir);
	if (n < 0 || (size_t)n >= len) {
		psc_setf(err, errlen, "lab '%s': the path of its %s is too "
			 "long", lab, PSC_VERIFY_LAST_FILE);
		return -1;
	}
	return 0;
}

static json_t *report_json(const psc_verify_report *r, long long now)
{
	char when[32];
	struct tm tm;
	time_t tt = (time_t)now;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->n; i++) {
		const psc_verify_check *c = &r->checks[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", c->name,
				      "status", psc_verify_status_name(c->status),
				      "node", c->node, "hop",
				      psc_verify_hop_name(c->hop));
		if (o && c->broker >= 0)
			json_object_set_new(o, "broker", json_integer(c->broker));
		json_array_append_new(a, o);
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "lab", r->lab, "finished", when, "unix",
			 (json_int_t)now, "ms", (json_int_t)r->total_ms,
			 "passed", (json_int_t)r->n_pass, "warned",
			 (json_int_t)r->n_warn, "failed", (json_int_t)r->n_fail,
			 "skipped", (json_int_t)r->n_skip, "checks", a);
}

int psc_verify_last_write(const psc_verify_report *r, long long now,
			  const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		psc_setf(err, errlen, "%s: path too long", path);
		return -1;
	}
	json_t *doc = report_json(r, now);
	if (!doc) {
		psc_setf(err, errlen, "%s: cannot make its JSON (out of "
			 "memory)", path);
		return -1;
	}
	int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int e = errno;
	json_decref(doc);
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		psc_setf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

static int status_parse(const char *s, psc_verify_status *out)
{
	for (int i = PSC_VERIFY_PASS; i <= PSC_VERIFY_WARN; i++)
		if (strcmp(s, psc_verify_status_name(i)) == 0) {
			*out = (psc_verify_status)i;
			return 0;
		}
	return -1;
}

static int hop_parse(const char *s, psc_verify_hop *out)
{
	for (int i = PSC_HOP_NONE; i <= PSC_HOP_PROXY; i++)
		if (strcmp(s, psc_verify_hop_name(i)) == 0) {
			*out = (psc_verify_hop)i;
			return 0;
		}
	return -1;
}

/* one element of "checks"; -1 when it is not one */
static int check_parse(json_t *o, psc_verify_last_check *c)
{
	const char *name = NULL, *status = NULL, *node = NULL, *hop = NULL;
	json_int_t broker = -1;
	if (json_unpack(o, "{s:s, s:s, s:s, s:s, s?:I}", "name", &name,
			"status", &status, "node", &node, "hop", &hop, "broker",
			&broker) < 0 ||
	    status_parse(status, &c->status) < 0 || hop_parse(hop, &c->hop) < 0)
		return -1;
	PSC_SET(c->name, "%s", name);
	PSC_SET(c->node, "%s", node);
	c->broker = (long)broker;
	return 0;
}

static int doc_parse(json_t *doc, psc_verify_last *out)
{
	const char *lab, *finished;
	json_int_t when, ms, np, nw, nf, ns;
	json_t *checks;
	if (json_unpack(doc, "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			"lab", &lab, "finished", &finished, "unix", &when, "ms",
			&ms, "passed", &np, "warned", &nw, "failed", &nf,
			"skipped", &ns, "checks", &checks) < 0 ||
	    !json_is_array(checks) || np < 0 || nw < 0 || nf < 0 || ns < 0)
		return -1;
	PSC_SET(out->lab, "%s", lab);
	PSC_SET(out->finished, "%s", finished);
	out->unix_time = when;
	out->ms = (long)ms;
	out->n_pass = (size_t)np;
	out->n_warn = (size_t)nw;
	out->n_fail = (size_t)nf;
	out->n_skip = (size_t)ns;
	size_t i;
	json_t *o;
	json_array_foreach(checks, i, o) {
		if (out->n >= PSC_VERIFY_MAX_CHECKS ||
		    check_parse(o, &out->checks[out->n]) < 0)
			return -1;
		out->n++;
	}
	return 0;
}

int psc_verify_last_read(const char *path, psc_verify_last *out, char *err,
			 size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return PSC_VERIFY_LAST_NONE;
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	if (!doc) {
		psc_setf(err, errlen, "%s:%d: not JSON: %s", path, je.line,
			 je.text);
		return -1;
	}
	int rc = doc_parse(doc, out);
	json_decref(doc);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		psc_setf(err, errlen, "%s: not a verify result (the fields "
			 "verify_last.h lists)", path);
	}
	return rc;
}
