/* trace.h - the pure parts of `pscLab trace`: what the child saw in its
 * node (one JSON line: the DNS answer, the one TCP connection it opened,
 * the Kafka exchange), what the parent read around it (every counted nft
 * rule of the lab's routers and PSC namespace before and after, the
 * connection's conntrack entries), and the diagnosis of both against the
 * plan: one line per hop, in the order a packet takes them, the first
 * that stopped it named.  Text and JSON (jansson) forms.  Running it is
 * trace_run.h's.
 *
 * Hops: dns, endpoint (PSC), nat (the PSC NAT subnet address), lb (the
 * load balancer's rule and the backend chosen), firewall (the deciding
 * rule of the backend's ingress chain, with its priority), listener (what
 * listens on the backend's port), kafka (the node id that answered).  A
 * hop is read from the kernel where it can be (a counter that rose, a
 * conntrack entry); what only the plan can tell is marked "(from the
 * plan)".  All of it is pure and unit-tested. */
#ifndef PSCLAB_VERIFY_TRACE_H
#define PSCLAB_VERIFY_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fabric/conntrack.h"
#include "fabric/nft.h"
#include "plan/plan.h"
#include "verify/verify.h"

#define PSC_TRACE_MAX_COUNTERS 2048
#define PSC_TRACE_TIMEOUT_DEFAULT_MS 3000

/* ---- what the child saw (one JSON line) ---- */

typedef struct psc_trace_obs {
	char host[PSC_HOST_LEN];        /* as asked */
	int port;
	bool is_addr;                   /* host is an address: no DNS */
	/* DNS, through the node's resolver (ldns, /etc/resolv.conf) */
	char resolver[48];              /* the nameserver asked, "" none */
	int rcode;                      /* of the A query; -1 no answer */
	bool aa;                        /* authoritative */
	char zone[PSC_HOST_LEN];        /* the SOA's owner, "" none seen */
	size_t n_addrs;
	char addr[16];                  /* the address connected to */
	char dns_error[256];
	/* the one TCP connection */
	bool connected;
	int connect_errno;              /* 0, or why it failed */
	char local[16];                 /* its source address and port */
	int local_port;
	long connect_ms;
	/* the Kafka exchange (librdkafka, bootstrapped on host:port alone) */
	bool kafka_tried;
	bool kafka_ok;
	long node_id;                   /* -1 unknown */
	long controller;                /* -1 unknown */
	char brokers[PSC_VERIFY_TEXT_LEN];  /* Metadata's list */
	char kafka_error[PSC_VERIFY_TEXT_LEN];
} psc_trace_obs;

void psc_trace_obs_init(psc_trace_obs *o, const char *host, int port);
/* o as one line of JSON (no newline); -1 when it does not fit */
int psc_trace_obs_json(const psc_trace_obs *o, char *out, size_t len);
/* the reverse; -1 with err */
int psc_trace_obs_parse(const char *line, psc_trace_obs *o, char *err,
			size_t errlen);

/* ---- what the parent read around it ---- */

typedef struct psc_trace_counter {
	int ns;                         /* index into plan.ns */
	psc_nft_counter c;
} psc_trace_counter;

/* a few MiB: on the heap */
typedef struct psc_trace_live {
	bool counters_ok;               /* both reads worked */
	psc_trace_counter before[PSC_TRACE_MAX_COUNTERS];
	psc_trace_counter after[PSC_TRACE_MAX_COUNTERS];
	size_t n_before, n_after;
	/* the connection in the PSC namespace (endpoint -> forwarding rule,
	 * consumer -> NAT address) and in the load balancer's router
	 * (forwarding rule -> backend) */
	bool psc_found, lb_found;
	psc_ct_conn psc, lb;
} psc_trace_live;

/* The rule of chain `chain` in namespace ns whose counter rose between
 * before and after, comment starting with prefix ("" any): only the rule
 * a packet stops at counts it, so that is the deciding one.  When several
 * rose (other traffic at the same time), the one whose comment is prefer
 * (may be NULL) if it did, else the first in ruleset order.  NULL when
 * none rose; *delta its rise. */
const psc_trace_counter *psc_trace_rose(const psc_trace_live *l, int ns,
					const char *chain, const char *prefix,
					const char *prefer, long long *delta);

/* ---- the diagnosis ---- */

typedef enum psc_trace_step {
	PSC_TRACE_DNS = 0,
	PSC_TRACE_ENDPOINT,
	PSC_TRACE_NAT,
	PSC_TRACE_LB,
	PSC_TRACE_FIREWALL,
	PSC_TRACE_LISTENER,
	PSC_TRACE_KAFKA,
	PSC_TRACE_STEPS
} psc_trace_step;

typedef enum psc_trace_state {
	PSC_TRACE_OK = 0,
	PSC_TRACE_STOPPED,              /* the connection stopped here */
	PSC_TRACE_NOT_REACHED,          /* after the hop that stopped it */
	PSC_TRACE_NOT_USED,             /* not on this path (no PSC, ...) */
} psc_trace_state;

typedef struct psc_trace_hop {
	psc_trace_state state;
	bool from_plan;                 /* only the plan tells it */
	char text[PSC_VERIFY_TEXT_LEN]; /* what it was */
	char why[PSC_VERIFY_TEXT_LEN];  /* STOPPED: why, and what to change */
	json_t *fields;                 /* the same as JSON fields */
} psc_trace_hop;

typedef struct psc_trace_result {
	char lab[PSC_NAME_LEN];
	char from[PSC_NAME_LEN];
	char target[PSC_ADDR_LEN];      /* host:port */
	psc_trace_hop hops[PSC_TRACE_STEPS];
	int stopped;                    /* the step that stopped it, -1 */
	long ms;
} psc_trace_result;

/* The hops of a connection from VM `from` of plan p: o from the child, l
 * from the kernel around it.  r is filled whole (free with
 * psc_trace_result_free). */
void psc_trace_diagnose(const psc_plan *p, const char *from,
			const psc_trace_obs *o, const psc_trace_live *l,
			psc_trace_result *r);
void psc_trace_result_free(psc_trace_result *r);

const char *psc_trace_step_name(psc_trace_step s);   /* "dns", ... */
const char *psc_trace_state_name(psc_trace_state s); /* "ok", ... */

/* One line per hop, then where it stopped (or that it worked). */
int psc_trace_print_text(const psc_trace_result *r, FILE *out);
/* {"lab", "from", "target", "ok", "stopped_at", "ms", "hops": [{"hop",
 * "status", "from_plan", "text", "why", ...the hop's fields}]}; a new
 * reference */
json_t *psc_trace_json(const psc_trace_result *r);
int psc_trace_print_json(const psc_trace_result *r, FILE *out);
/* 0 the path worked, 1 it stopped at a hop */
int psc_trace_exit_code(const psc_trace_result *r);

#endif
