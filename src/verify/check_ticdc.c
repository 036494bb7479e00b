/* check_ticdc.c - TiCDC's changefeed creation as checks (see
 * check_ticdc.h). */
#define _GNU_SOURCE
#include "verify/check_ticdc.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "verify/kclient.h"

const char *const psc_ticdc_steps[PSC_TICDC_STEPS] = {
	"api_versions", "client", "topic", "max_message_bytes",
	"replication_factor", "create_topic"};

static const char *const titles[PSC_TICDC_STEPS] = {
	"ApiVersions v0 to each bootstrap address, shuffled (Kafka version)",
	"client and admin start (Metadata)",
	"the changefeed's topic described",
	"message size limit (message.max.bytes from the controller "
	"DescribeCluster names)",
	"replication factor against min.insync.replicas (acks=all)",
	"CreateTopics, until the topic is visible"};

static void step_name(const psc_verify_job *j, size_t i, char *out,
		      size_t len)
{
	psc_setf(out, len, "%s: TiCDC %zu/%d: %s", j->c->changefeed, i + 1,
		 PSC_TICDC_STEPS, titles[i]);
}

/* what the client printed for step i, NULL when it did not get there */
static const psc_kclient_step *find_step(const psc_kclient_cdc *r, size_t i)
{
	for (size_t k = 0; k < r->n; k++)
		if (strcmp(r->steps[k].step, psc_ticdc_steps[i]) == 0)
			return &r->steps[k];
	return NULL;
}

void psc_verify_check_ticdc(const psc_verify_job *j, const char *bootstrap)
{
	const psc_verify_ctx *c = j->c;
	char name[PSC_VERIFY_NAME_LEN], topic[160], err[256] = "";
	long long t0 = psc_now_ms();

	if (!j->kclient[0]) {
		for (size_t i = 0; i < PSC_TICDC_STEPS; i++) {
			step_name(j, i, name, sizeof(name));
			psc_verify_skip(j, name, "not run: psclab-kclient (make "
					"bin/psclab-kclient) is not installed "
					"beside pscLab, and PSCLAB_KCLIENT is "
					"not set");
		}
		return;
	}
	/* a topic of its own: verify's is made and removed by its own checks */
	psc_setf(topic, sizeof(topic), "%s-cdc", j->topic);
	psc_kclient_cdc r;
	if (psc_kclient_changefeed(j->kclient, bootstrap, topic, j->cdc_rf,
				   j->timeout_ms * 3, &r, err,
				   sizeof(err)) < 0)
		memset(&r, 0, sizeof(r));
	const char *stopped = NULL;
	for (size_t i = 0; i < PSC_TICDC_STEPS; i++) {
		psc_verify_obs o;
		step_name(j, i, name, sizeof(name));
		psc_verify_obs_init(&o, c->changefeed, name);
		PSC_SET(o.api, "%s", psc_ticdc_steps[i]);
		const psc_kclient_step *s = find_step(&r, i);
		if (stopped) {
			o.sym = PSC_SYM_SKIPPED;
			PSC_SET(o.detail, "not reached: TiCDC stopped at %s",
			    stopped);
		} else if (!s && r.n > 0 && r.exit_status == -1) {
			o.sym = PSC_SYM_INTERNAL;
			PSC_SET(o.detail, "psclab-kclient changefeed ran out of "
			    "time (%ld ms) before this step", j->timeout_ms * 3);
			stopped = "psclab-kclient's deadline";
		} else if (!s) {
			o.sym = PSC_SYM_INTERNAL;
			PSC_SET(o.detail, "psclab-kclient changefeed printed no "
			    "%s step (exit status %d)%s%s", psc_ticdc_steps[i],
			    r.exit_status, err[0] ? ": " : "", err);
			stopped = "psclab-kclient's failure";
		} else {
			o.sym = s->ok ? PSC_SYM_OK
				: s->warn ? PSC_SYM_CDC_WARNED
				: s->later ? PSC_SYM_CDC_BROKEN
					   : PSC_SYM_CDC_REFUSED;
			o.ms = s->ms;
			PSC_SET(o.detail, "%s", s->detail);
			PSC_SET(o.error, "%s", s->cdc_error);
			if (o.sym == PSC_SYM_CDC_REFUSED)
				stopped = titles[i];
		}
		if (o.sym == PSC_SYM_INTERNAL && !s)
			psc_verify_finish(j, &o, t0);
		else
			psc_verify_emit(j, &o);   /* the step's own time */
	}
}
