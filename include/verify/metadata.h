/* metadata.h - the brokers of a Metadata response, as librdkafka hands
 * them out (by id), asked again while a running broker of the topology is
 * missing; and the first step of every bootstrap check: one address alone,
 * reached, bootstrapped on, asked for Metadata. */
#ifndef PSCLAB_VERIFY_METADATA_H
#define PSCLAB_VERIFY_METADATA_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "verify/verify.h"

#define PSC_VERIFY_MD_MAX (2 * PSC_MAX_BROKERS)

/* a broker of a Metadata response */
typedef struct psc_verify_mdb {
	long id;
	char host[PSC_HOST_LEN];
	int port;
} psc_verify_mdb;

/* Metadata's brokers into out (at most PSC_VERIFY_MD_MAX, by id), asked
 * again every 200 ms until deadline while a broker of c whose process
 * runs is missing: right after the brokers start, a broker's metadata may
 * not list every broker yet, and the changefeed's client retries Metadata
 * too (gcp-psc-behaviour.md row 22).  A broker whose process is not
 * running is not waited for.  The error of the last request, or
 * RD_KAFKA_RESP_ERR_NO_ERROR. */
rd_kafka_resp_err_t psc_verify_metadata(const psc_verify_ctx *c,
					rd_kafka_t *rk, long long deadline,
					psc_verify_mdb *out, size_t *n);
const psc_verify_mdb *psc_verify_md_find(const psc_verify_mdb *b, size_t n,
					 long id);
/* "1 b1.<domain>:9093, 2 ..." */
void psc_verify_md_list(const psc_verify_mdb *b, size_t n, char *out,
			size_t len);

/* host:port alone, as a bootstrap check sees it: reached (psc_verify_reach,
 * want_addr as there), a producer bootstrapped on it (bounded by
 * timeout_ms), Metadata asked until deadline.  The client, its brokers in
 * b (PSC_VERIFY_MD_MAX of room) and *nb, o->sym OK; or NULL with o
 * telling why (sym, error, detail): then the check is finished as it is. */
rd_kafka_t *psc_verify_bootstrap_alone(const psc_verify_ctx *c,
				       psc_verify_obs *o, const char *host,
				       int port, const char *want_addr,
				       long timeout_ms, long long deadline,
				       psc_verify_mdb *b, size_t *nb);

#endif
