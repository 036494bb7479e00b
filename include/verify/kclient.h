/* kclient.h - psclab-kclient (lab/kclient, Go), TiCDC's Kafka libraries
 * as verify runs them in the changefeed's node: where the binary is;
 * `psclab-kclient probe --client franz --bootstrap <list> --timeout <ms>ms`,
 * whose JSON lines (one per request, one per broker address an answer
 * named) are read into a tally per API: Metadata, DescribeCluster,
 * FindCoordinator; and `psclab-kclient changefeed`, TiCDC's changefeed
 * creation step by step with Sarama.  No librdkafka here. */
#ifndef PSCLAB_VERIFY_KCLIENT_H
#define PSCLAB_VERIFY_KCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "verify/verify.h"

#define PSC_KCLIENT_APIS 3
/* "Metadata", "DescribeCluster", "FindCoordinator" */
extern const char *const psc_kclient_apis[PSC_KCLIENT_APIS];

/* what the probe's lines said of one API */
typedef struct psc_kclient_tally {
	size_t seen;                    /* broker addresses its answers named */
	size_t leaked;                  /* of them outside the domain */
	bool asked;                     /* a line for its request */
	char error[256];                /* the first failed request's, "" */
	/* the first address outside the domain, the broker it names and the
	 * bootstrap address that was asked ("?" unknown) */
	char host[PSC_HOST_LEN];
	int port;
	long node_id;
	char bootstrap[PSC_VERIFY_TEXT_LEN];
} psc_kclient_tally;

typedef struct psc_kclient_result {
	psc_kclient_tally api[PSC_KCLIENT_APIS];   /* as psc_kclient_apis */
	int exit_status;                /* its exit status, -1 killed */
} psc_kclient_result;

/* psclab-kclient into out: $PSCLAB_KCLIENT, else beside $PSCLAB_BIN (the
 * pscLab a test or the services run), else beside this program; "" when
 * none is executable. */
void psc_kclient_path(char *out, size_t len);

/* Run `kclient probe --client franz` on bootstrap (host:port,...) with
 * its own timeout of timeout_ms per address, and read its lines for at
 * most wait_ms (then it is killed); an address is in the domain when it
 * is a name below domain.  0 with out filled; -1 with err when it could
 * not be started (pipe, fork). */
int psc_kclient_probe(const char *kclient, const char *bootstrap,
		      const char *domain, long timeout_ms, long long wait_ms,
		      psc_kclient_result *out, char *err, size_t errlen);

/* ---- TiCDC's changefeed creation: `psclab-kclient changefeed` ---- */

#define PSC_KCLIENT_CDC_STEPS 8

/* one step as the client printed it (lab/kclient/changefeed.go) */
typedef struct psc_kclient_step {
	char step[32];          /* api_versions, client, topic,
				 * max_message_bytes, replication_factor,
				 * create_topic, cleanup */
	bool ok, warn;          /* warn: TiCDC only warns about it */
	bool later;             /* TiCDC lets it pass; the changefeed fails
				 * at its first send */
	long ms;
	char detail[PSC_VERIFY_TEXT_LEN];
	char cdc_error[PSC_VERIFY_TEXT_LEN]; /* what the changefeed shows */
} psc_kclient_step;

typedef struct psc_kclient_cdc {
	psc_kclient_step steps[PSC_KCLIENT_CDC_STEPS];
	size_t n;
	int exit_status;
} psc_kclient_cdc;

/* Run `kclient changefeed` on bootstrap (host:port,...) for topic with the
 * sink's replication factor, bounded by timeout_ms (and 5 s more, then it
 * is killed); its step lines into out.  0, or -1 with err when it could
 * not be started. */
int psc_kclient_changefeed(const char *kclient, const char *bootstrap,
			   const char *topic, int replication_factor,
			   long timeout_ms, psc_kclient_cdc *out, char *err,
			   size_t errlen);

/* The KRaft quorum's leader (`kclient quorum`: DescribeQuorum through a
 * bootstrap address) into *leader.  -1 with err (the request's error, or
 * it could not be run). */
int psc_kclient_quorum(const char *kclient, const char *bootstrap,
		       long timeout_ms, long *leader, char *err,
		       size_t errlen);

#endif
