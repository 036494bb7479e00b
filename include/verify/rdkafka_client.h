/* rdkafka_client.h - the librdkafka client verify's checks are made with:
 * its configuration (every wait bounded by the check's timeout, acks=all
 * without idempotence for a producer), the last warning or error it
 * logged (for a failure's details), and a producer's delivery reports.
 * PSCLAB_VERIFY_DEBUG=<librdkafka debug contexts> prints its log to
 * stderr. */
#ifndef PSCLAB_VERIFY_RDKAFKA_CLIENT_H
#define PSCLAB_VERIFY_RDKAFKA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* a message's delivery (the message's opaque is its index) */
enum { PSC_MSG_PENDING = 0, PSC_MSG_OK = 1, PSC_MSG_FAILED = 2 };

typedef struct psc_verify_dr {
	long n;
	unsigned char *st;              /* PSC_MSG_* per message */
	rd_kafka_resp_err_t *err;       /* the last error per message */
	int32_t *partition;
} psc_verify_dr;

/* n messages, all pending.  -1 (out of memory; nothing kept) or 0. */
int psc_verify_dr_alloc(psc_verify_dr *d, long n);
/* frees and zeroes d */
void psc_verify_dr_free(psc_verify_dr *d);

/* A client of type bootstrapped on `bootstrap` (host:port[,...]), every
 * wait bounded by timeout_ms; a producer with dr (may be NULL) records its
 * deliveries there.  NULL with err on failure. */
rd_kafka_t *psc_verify_client(rd_kafka_type_t type, const char *bootstrap,
			      long timeout_ms, psc_verify_dr *dr, char *err,
			      size_t errlen);

/* forget the last log line (at the start of a check) */
void psc_verify_log_reset(void);
/* "last client log: <line>", or "" */
void psc_verify_client_log(char *out, size_t len);
/* "<what>", plus "; last client log: <line>" when there is one */
void psc_verify_client_error(char *out, size_t len, const char *what);

#endif
