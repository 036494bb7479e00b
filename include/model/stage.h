/* stage.h - a lab brought up as the customer's Kafka cluster before PSC
 * (`pscLab up portmap --existing-cluster`: the seed's "Reconfigure a
 * Running Kafka Cluster", its "before"), and the rolling reconfigure that
 * takes it to the topology (`pscLab reconfigure`), as data.  Pure: the
 * runtime keeps the stage in the lab's state (store.h, stage.json) and
 * psc_lab_load applies it to the stored topology, so that server.properties
 * (kafka.h), the load balancer's rules, status, verify and graph all see
 * the lab as it is.
 *
 * Before: every broker runs without the EXTERNAL listener (not in
 * listeners, advertised.listeners, nor listener.security.protocol.map:
 * the seed's step adds all three), and the port-mapping NEGs have no
 * endpoints (the load balancer maps nothing yet).  The roll: one broker
 * at a time OLD -> RESTARTING (its new server.properties, with EXTERNAL,
 * written; stopped and started) -> DONE (back, caught up, nothing
 * under-replicated), or FAILED (it did not come back: the roll stops
 * there, the others untouched); `--resume` retries a FAILED or
 * RESTARTING broker first.  Then the NEG endpoints are added. */
#ifndef PSCLAB_STAGE_H
#define PSCLAB_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"

#define PSC_STAGE_ERR_LEN 1024

typedef enum psc_roll_state {
	PSC_ROLL_OLD = 0,       /* runs without EXTERNAL, as the customer's */
	PSC_ROLL_RESTARTING,    /* new config written, being restarted */
	PSC_ROLL_DONE,          /* back with EXTERNAL and caught up */
	PSC_ROLL_FAILED,        /* did not come back: the roll stopped */
	PSC_ROLL_STATES
} psc_roll_state;

typedef struct psc_stage_broker {
	char instance[PSC_NAME_LEN];
	psc_roll_state state;
	long away_ms;       /* stopped -> serving again (DONE) */
	long caught_up_ms;  /* stopped -> no partition under-replicated */
	char error[PSC_STAGE_ERR_LEN];   /* FAILED: why */
} psc_stage_broker;

typedef struct psc_stage {
	bool present;       /* the lab came up with --existing-cluster */
	bool neg_mapped;    /* the NEG endpoints are in */
	long runs;          /* reconfigure runs begun (names each run's topic) */
	size_t n;
	psc_stage_broker *b;   /* n, in the topology's broker order */
} psc_stage;

/* "old", "restarting", "done", "failed"; and back (-1 unknown) */
const char *psc_roll_state_name(psc_roll_state s);
int psc_roll_state_of(const char *name);

/* The existing cluster of t: every broker OLD, no NEG endpoint.  -1 with
 * err when t has no EXTERNAL listener to add (the proxy approach: its
 * cluster stays as it is) or no broker; out of memory. */
int psc_stage_init(psc_stage *s, const psc_topology *t, char *err,
		   size_t errlen);
/* n brokers, all OLD, names empty (the reader fills them) */
int psc_stage_alloc(psc_stage *s, size_t n);
void psc_stage_free(psc_stage *s);

/* the broker's server.properties has the EXTERNAL listener */
bool psc_stage_external(const psc_stage_broker *b);
/* s applied to t: each OLD broker's no_external set, the NEGs emptied
 * until neg_mapped.  No stage (present false): nothing.  -1 with err when
 * a broker of s is not in t. */
int psc_stage_apply(psc_topology *t, const psc_stage *s, char *err,
		    size_t errlen);

/* The broker to roll next: a RESTARTING or FAILED one (the roll stopped
 * there), else the first OLD; -1 when every broker is DONE. */
long psc_stage_next(const psc_stage *s);
/* the first FAILED or RESTARTING broker, -1 none */
long psc_stage_stopped_at(const psc_stage *s);
size_t psc_stage_count(const psc_stage *s, psc_roll_state st);
/* every broker DONE and the NEG endpoints in */
bool psc_stage_complete(const psc_stage *s);

/* Whether `reconfigure` (resume: `--resume`) may begin on lab's stage s.
 * 0; -1 with err saying why not and what to run: no stage (the lab was
 * not brought up with --existing-cluster), complete already, a stopped
 * roll without --resume, --resume with nothing to resume. */
int psc_stage_may_begin(const psc_stage *s, const char *lab, bool resume,
			char *err, size_t errlen);
/* Broker i to state st (its times and error; error NULL: cleared). */
void psc_stage_mark(psc_stage *s, size_t i, psc_roll_state st,
		    long away_ms, long caught_up_ms, const char *error);
/* One line: "existing cluster: 3 brokers without EXTERNAL, no NEG
 * endpoint", "rolling: 1 of 3 brokers reconfigured", "stopped at
 * broker-node2 (...)", "reconfigured". */
void psc_stage_describe(const psc_stage *s, char *out, size_t len);

#endif
