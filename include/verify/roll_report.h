/* roll_report.h - the report of `pscLab reconfigure <lab>` (the rolling
 * restart that adds the EXTERNAL listener, reconfigure.h): each broker's
 * state and time away, what the producer and the consumer that ran through
 * the roll saw (psclab-kclient's final JSON lines, read here), the NEG
 * endpoints, and the verify through PSC that ends it; as text and as JSON
 * (jansson).  Pure: no I/O but the FILE given. */
#ifndef PSCLAB_VERIFY_ROLL_REPORT_H
#define PSCLAB_VERIFY_ROLL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/stage.h"

#define PSC_ROLL_TEXT_LEN 4096

/* what the workload's two clients said (psclab-kclient produce and
 * consume --follow, franz-go, through the INTERNAL listener) */
typedef struct psc_roll_workload {
	bool ran;                 /* both were started */
	bool produced, consumed;  /* their final lines were read */
	char topic[128];
	long rate;                /* messages a second */
	long acked;               /* acknowledged by the cluster (acks=all) */
	long failed;              /* sends that failed (not acknowledged) */
	long received;            /* what the consumer received, duplicates in */
	long distinct;
	long duplicates;          /* received - distinct */
	long lost;                /* acknowledged, never received */
	long max_stall_ms;        /* longest gap between two acks */
	long max_partition_stall_ms;  /* the same for one partition */
	char error[PSC_ROLL_TEXT_LEN];  /* why a client could not report */
} psc_roll_workload;

typedef struct psc_roll_report {
	char lab[64];
	bool resumed;             /* --resume */
	const psc_stage *stage;   /* the brokers' states and times (not owned) */
	/* the broker that did not come back ("" none) and why, with its log
	 * tail */
	char stopped_at[64];
	char error[PSC_ROLL_TEXT_LEN];
	psc_roll_workload w;
	bool neg_added;           /* the NEG endpoints are in */
	bool verify_ran;
	bool verify_ok;
	size_t v_pass, v_warn, v_fail, v_skip;
	long ms;
} psc_roll_report;

void psc_roll_report_init(psc_roll_report *r, const char *lab,
			  const psc_stage *s, bool resumed);
/* every broker rolled, nothing acknowledged lost, the clients reported,
 * the NEG endpoints in, verify green: exit 0 */
bool psc_roll_report_ok(const psc_roll_report *r);

/* The last line of text (a log's tail) that is a JSON object holding key,
 * into out.  0, -1 none. */
int psc_roll_last_json(const char *text, const char *key, char *out,
		       size_t len);
/* produce's final line ({"acked", "failed", "max_stall_ms",
 * "max_partition_stall_ms", "first_error", ...}) into w.  0, or -1 with
 * w->error when it is not that line. */
int psc_roll_parse_produce(const char *line, psc_roll_workload *w);
/* consume's final line ({"received", "distinct", "duplicates", "lost",
 * "error", ...}) into w.  0, or -1 with w->error. */
int psc_roll_parse_consume(const char *line, psc_roll_workload *w);

void psc_roll_report_text(const psc_roll_report *r, FILE *out);
void psc_roll_report_json(const psc_roll_report *r, FILE *out);

#endif
