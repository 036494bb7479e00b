/* stage.c - the existing cluster before PSC and its rolling reconfigure,
 * as data (see stage.h).  Pure. */
#include "model/stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[PSC_ROLL_STATES] = {
	[PSC_ROLL_OLD] = "old",
	[PSC_ROLL_RESTARTING] = "restarting",
	[PSC_ROLL_DONE] = "done",
	[PSC_ROLL_FAILED] = "failed",
};

const char *psc_roll_state_name(psc_roll_state s)
{
	return s < PSC_ROLL_STATES ? state_names[s] : "?";
}

int psc_roll_state_of(const char *name)
{
	for (int i = 0; name && i < PSC_ROLL_STATES; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

int psc_stage_alloc(psc_stage *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->b = calloc(n ? n : 1, sizeof(*s->b));
	if (!s->b)
		return -1;
	s->n = n;
	return 0;
}

void psc_stage_free(psc_stage *s)
{
	free(s->b);
	memset(s, 0, sizeof(*s));
}

int psc_stage_init(psc_stage *s, const psc_topology *t, char *err,
		   size_t errlen)
{
	const psc_kafka *k = &t->kafka;
	memset(s, 0, sizeof(*s));
	if (!k->external_listener[0] || t->kafka_proxy.present) {
		snprintf(err, errlen, "lab '%s' is the proxy way: its cluster "
			 "stays as it is (kafka-proxy maps the brokers' "
			 "INTERNAL listener), so there is no EXTERNAL listener "
			 "to add and nothing to reconfigure; --existing-cluster "
			 "and reconfigure are for the portmap way", t->name);
		return -1;
	}
	if (!k->n_brokers) {
		snprintf(err, errlen, "lab '%s' has no broker to reconfigure",
			 t->name);
		return -1;
	}
	if (psc_stage_alloc(s, k->n_brokers) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->present = true;
	for (size_t i = 0; i < k->n_brokers; i++)
		snprintf(s->b[i].instance, sizeof(s->b[i].instance), "%s",
			 k->brokers[i].instance);
	return 0;
}

bool psc_stage_external(const psc_stage_broker *b)
{
	return b->state != PSC_ROLL_OLD;
}

int psc_stage_apply(psc_topology *t, const psc_stage *s, char *err,
		    size_t errlen)
{
	if (!s->present)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		psc_broker *b = psc_find_broker_by_instance(&t->kafka,
							    s->b[i].instance);
		if (!b) {
			snprintf(err, errlen, "the lab's stage names broker "
				 "'%s', which its topology does not have",
				 s->b[i].instance);
			return -1;
		}
		b->no_external = !psc_stage_external(&s->b[i]);
	}
	for (size_t i = 0; !s->neg_mapped && i < t->n_network_endpoint_groups;
	     i++)
		t->network_endpoint_groups[i].n_endpoints = 0;
	return 0;
}

long psc_stage_stopped_at(const psc_stage *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->b[i].state == PSC_ROLL_FAILED ||
		    s->b[i].state == PSC_ROLL_RESTARTING)
			return (long)i;
	return -1;
}

long psc_stage_next(const psc_stage *s)
{
	long at = psc_stage_stopped_at(s);
	for (size_t i = 0; at < 0 && i < s->n; i++)
		if (s->b[i].state == PSC_ROLL_OLD)
			at = (long)i;
	return at;
}

size_t psc_stage_count(const psc_stage *s, psc_roll_state st)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->b[i].state == st;
	return n;
}

bool psc_stage_complete(const psc_stage *s)
{
	return s->present && s->neg_mapped &&
	       psc_stage_count(s, PSC_ROLL_DONE) == s->n;
}

int psc_stage_may_begin(const psc_stage *s, const char *lab, bool resume,
			char *err, size_t errlen)
{
	long at = psc_stage_stopped_at(s);
	bool begun = s->neg_mapped || psc_stage_count(s, PSC_ROLL_OLD) < s->n;
	if (!s->present)
		snprintf(err, errlen, "lab '%s' was not brought up with "
			 "--existing-cluster: its brokers have had the EXTERNAL "
			 "listener from the start, nothing to reconfigure\n"
			 "  fix: sudo pscLab down %s && sudo pscLab up <topology> "
			 "--existing-cluster", lab, lab);
	else if (psc_stage_complete(s))
		snprintf(err, errlen, "lab '%s' is reconfigured already: every "
			 "broker has the EXTERNAL listener and the NEG maps "
			 "them (sudo pscLab verify %s)", lab, lab);
	else if (at >= 0 && !resume)
		snprintf(err, errlen, "lab '%s': the roll stopped at %s (%s): "
			 "%s\n  fix: repair it, then: sudo pscLab reconfigure "
			 "%s --resume", lab, s->b[at].instance,
			 psc_roll_state_name(s->b[at].state),
			 s->b[at].error[0] ? s->b[at].error : "no reason kept",
			 lab);
	else if (resume && !begun)
		snprintf(err, errlen, "lab '%s': nothing to resume, the roll "
			 "has not begun\n  fix: sudo pscLab reconfigure %s", lab,
			 lab);
	else
		return 0;
	return -1;
}

void psc_stage_mark(psc_stage *s, size_t i, psc_roll_state st,
		    long away_ms, long caught_up_ms, const char *error)
{
	if (i >= s->n)
		return;
	s->b[i].state = st;
	s->b[i].away_ms = away_ms;
	s->b[i].caught_up_ms = caught_up_ms;
	snprintf(s->b[i].error, sizeof(s->b[i].error), "%s",
		 error ? error : "");
}

void psc_stage_describe(const psc_stage *s, char *out, size_t len)
{
	size_t done = psc_stage_count(s, PSC_ROLL_DONE);
	long at = psc_stage_stopped_at(s);
	if (!s->present)
		snprintf(out, len, "as the topology (no --existing-cluster)");
	else if (psc_stage_complete(s))
		snprintf(out, len, "reconfigured: %zu brokers with EXTERNAL, "
			 "the NEG endpoints in", s->n);
	else if (at >= 0)
		snprintf(out, len, "roll stopped at %s (%s), %zu of %zu brokers "
			 "reconfigured", s->b[at].instance,
			 psc_roll_state_name(s->b[at].state), done, s->n);
	else if (done == s->n)
		snprintf(out, len, "%zu brokers reconfigured, NEG endpoints not "
			 "added yet", s->n);
	else if (done)
		snprintf(out, len, "rolling: %zu of %zu brokers reconfigured",
			 done, s->n);
	else
		snprintf(out, len, "existing cluster: %zu brokers without "
			 "EXTERNAL, no NEG endpoint", s->n);
}
