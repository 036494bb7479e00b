/* roll_report.c - the report of `pscLab reconfigure` (see roll_report.h).
 * Pure: jansson for the clients' lines and the JSON output. */
#define _GNU_SOURCE
#include "verify/roll_report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"

void psc_roll_report_init(psc_roll_report *r, const char *lab,
			  const psc_stage *s, bool resumed)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->lab, sizeof(r->lab), "%s", lab);
	r->stage = s;
	r->resumed = resumed;
}

bool psc_roll_report_ok(const psc_roll_report *r)
{
	return !r->stopped_at[0] && !r->error[0] && r->stage &&
	       psc_stage_complete(r->stage) && r->w.produced &&
	       r->w.consumed && r->w.lost == 0 && r->w.acked > 0 &&
	       r->verify_ran && r->verify_ok;
}

int psc_roll_last_json(const char *text, const char *key, char *out,
		       size_t len)
{
	const char *found = NULL, *end = NULL;
	char quoted[80];
	snprintf(quoted, sizeof(quoted), "\"%s\":", key);
	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		const char *e = nl ? nl : s + strlen(s);
		size_t n = (size_t)(e - s);
		if (n && s[0] == '{' && memmem(s, n, quoted, strlen(quoted))) {
			found = s;
			end = e;
		}
		s = nl ? nl + 1 : NULL;
	}
	if (!found || (size_t)(end - found) >= len)
		return -1;
	memcpy(out, found, (size_t)(end - found));
	out[end - found] = '\0';
	return 0;
}

static json_t *parse(const char *line, const char *what,
		     psc_roll_workload *w)
{
	json_error_t je;
	json_t *o = json_loads(line, 0, &je);
	if (!json_is_object(o)) {
		psc_appendf(w->error, sizeof(w->error), "%s%s: its final line "
			    "is not JSON (%s)", w->error[0] ? "; " : "", what,
			    je.text);
		json_decref(o);
		return NULL;
	}
	return o;
}

static long num(json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

int psc_roll_parse_produce(const char *line, psc_roll_workload *w)
{
	json_t *o = parse(line, "the producer", w);
	if (!o)
		return -1;
	if (!json_is_integer(json_object_get(o, "acked"))) {
		psc_appendf(w->error, sizeof(w->error), "%sthe producer: no "
			    "'acked' in its final line", w->error[0] ? "; " : "");
		json_decref(o);
		return -1;
	}
	w->acked = num(o, "acked");
	w->failed = num(o, "failed");
	w->max_stall_ms = num(o, "max_stall_ms");
	w->max_partition_stall_ms = num(o, "max_partition_stall_ms");
	const char *fe = json_string_value(json_object_get(o, "first_error"));
	if (fe && *fe && w->failed)
		psc_appendf(w->error, sizeof(w->error), "%sthe producer: %ld "
			    "sends failed, the first: %s", w->error[0] ? "; " :
			    "", w->failed, fe);
	w->produced = true;
	json_decref(o);
	return 0;
}

int psc_roll_parse_consume(const char *line, psc_roll_workload *w)
{
	json_t *o = parse(line, "the consumer", w);
	if (!o)
		return -1;
	if (!json_is_integer(json_object_get(o, "received")) ||
	    !json_is_integer(json_object_get(o, "lost"))) {
		psc_appendf(w->error, sizeof(w->error), "%sthe consumer: no "
			    "'received' or 'lost' in its final line",
			    w->error[0] ? "; " : "");
		json_decref(o);
		return -1;
	}
	w->received = num(o, "received");
	w->distinct = num(o, "distinct");
	w->duplicates = num(o, "duplicates");
	w->lost = num(o, "lost");
	const char *e = json_string_value(json_object_get(o, "error"));
	if (e && *e)
		psc_appendf(w->error, sizeof(w->error), "%sthe consumer: %s",
			    w->error[0] ? "; " : "", e);
	w->consumed = true;
	json_decref(o);
	return 0;
}

/* the first line of a broker's state ("done", "failed", ...) and times */
static void text_brokers(const psc_roll_report *r, FILE *out)
{
	const psc_stage *s = r->stage;
	fprintf(out, "  %-16s %-11s %10s %10s\n", "broker", "state",
		"time away", "caught up");
	for (size_t i = 0; s && i < s->n; i++) {
		const psc_stage_broker *b = &s->b[i];
		if (b->state == PSC_ROLL_DONE)
			fprintf(out, "  %-16s %-11s %8.1f s %8.1f s\n",
				b->instance, "done", b->away_ms / 1000.0,
				b->caught_up_ms / 1000.0);
		else
			fprintf(out, "  %-16s %-11s %10s %10s\n", b->instance,
				b->state == PSC_ROLL_OLD
					? "not rolled" : psc_roll_state_name(
								 b->state),
				"-", "-");
	}
}

static void text_workload(const psc_roll_workload *w, FILE *out)
{
	if (!w->ran) {
		fprintf(out, "  workload: not run%s%s\n", w->error[0] ? ": " : "",
			w->error);
		return;
	}
	fprintf(out, "  workload (bastion-node -> INTERNAL, franz-go, acks=all, "
		"idempotent, %ld msg/s, topic %s):\n", w->rate, w->topic);
	if (w->produced)
		fprintf(out, "    producer: %ld acknowledged, %ld failed; "
			"longest produce stall %.1f s (one partition's %.1f "
			"s)\n", w->acked, w->failed, w->max_stall_ms / 1000.0,
			w->max_partition_stall_ms / 1000.0);
	if (w->consumed)
		fprintf(out, "    consumer: %ld received, %ld distinct, "
			"%ld duplicates; acknowledged messages lost: %ld%s\n",
			w->received, w->distinct, w->duplicates, w->lost,
			w->lost ? "  <-- LOST" : "");
	if (w->error[0])
		fprintf(out, "    %s\n", w->error);
}

void psc_roll_report_text(const psc_roll_report *r, FILE *out)
{
	char what[256] = "";
	if (r->stage)
		psc_stage_describe(r->stage, what, sizeof(what));
	fprintf(out, "reconfigure %s%s: %s\n", r->lab,
		r->resumed ? " (resumed)" : "", what);
	text_brokers(r, out);
	text_workload(&r->w, out);
	fprintf(out, "  NEG endpoints: %s\n", r->neg_added ? "added" :
		"not added (the roll did not finish)");
	if (r->verify_ran)
		fprintf(out, "  verify through PSC: %s (%zu passed, %zu warned, "
			"%zu failed, %zu skipped)\n",
			r->verify_ok ? "green" : "NOT green", r->v_pass,
			r->v_warn, r->v_fail, r->v_skip);
	else
		fprintf(out, "  verify through PSC: not run\n");
	if (r->error[0])
		fprintf(out, "stopped: %s\n", r->error);
	fprintf(out, "%s in %.1f s\n", psc_roll_report_ok(r) ? "OK" : "NOT OK",
		r->ms / 1000.0);
}

static json_t *json_brokers(const psc_stage *s)
{
	json_t *a = json_array();
	for (size_t i = 0; s && i < s->n; i++) {
		const psc_stage_broker *b = &s->b[i];
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:b, s:I, s:I, s:s}",
				     "instance", b->instance, "state",
				     psc_roll_state_name(b->state), "external",
				     psc_stage_external(b), "away_ms",
				     (json_int_t)b->away_ms, "caught_up_ms",
				     (json_int_t)b->caught_up_ms, "error",
				     b->error));
	}
	return a;
}

static json_t *json_workload(const psc_roll_workload *w)
{
	return json_pack("{s:b, s:s, s:I, s:b, s:b, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:s}",
			 "ran", w->ran, "topic", w->topic, "rate",
			 (json_int_t)w->rate, "produced", w->produced,
			 "consumed", w->consumed, "acked", (json_int_t)w->acked,
			 "failed", (json_int_t)w->failed, "received",
			 (json_int_t)w->received, "distinct",
			 (json_int_t)w->distinct, "duplicates",
			 (json_int_t)w->duplicates, "lost", (json_int_t)w->lost,
			 "max_stall_ms", (json_int_t)w->max_stall_ms,
			 "max_partition_stall_ms",
			 (json_int_t)w->max_partition_stall_ms, "error",
			 w->error);
}

void psc_roll_report_json(const psc_roll_report *r, FILE *out)
{
	char what[256] = "";
	if (r->stage)
		psc_stage_describe(r->stage, what, sizeof(what));
	json_t *v = r->verify_ran
			    ? json_pack("{s:b, s:I, s:I, s:I, s:I}", "ok",
					r->verify_ok, "passed",
					(json_int_t)r->v_pass, "warned",
					(json_int_t)r->v_warn, "failed",
					(json_int_t)r->v_fail, "skipped",
					(json_int_t)r->v_skip)
			    : json_null();
	json_t *o = json_pack(
		"{s:s, s:b, s:b, s:s, s:o, s:o, s:s, s:o, s:b, s:o, s:I}",
		"lab", r->lab, "ok", psc_roll_report_ok(r), "resumed",
		r->resumed, "stage", what, "stopped_at",
		r->stopped_at[0] ? json_string(r->stopped_at) : json_null(),
		"brokers", json_brokers(r->stage), "error", r->error,
		"workload", json_workload(&r->w), "neg_endpoints_added",
		r->neg_added, "verify", v, "ms", (json_int_t)r->ms);
	if (o)
		json_dumpf(o, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(o);
}
