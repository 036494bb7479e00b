/* dns.h - the DNS stub of a VPC: Cloud DNS private zones, answered at
 * 169.254.169.254:53 in the VPC's router namespace (see plan.h).  The wire
 * format is ldns's (ldns_wire2pkt / ldns_pkt2wire); this module only
 * decides what to answer.
 *
 * Semantics (an authoritative Cloud DNS private zone):
 *  - the zone of a query is the most specific zone whose origin is the
 *    question name or one of its ancestors.  No zone: NXDOMAIN, not
 *    authoritative, no SOA: what a VM's resolver (169.254.169.254, Cloud
 *    DNS) says of a name that does not exist.  The lab is offline, so a
 *    public name that exists gets it too; on GCP it would resolve.  Never
 *    REFUSED for an ordinary lookup (RA stays clear: nothing is recursed);
 *  - in a zone, answers carry AA.  A name with A records answers them for
 *    type A (and ANY), TTL cfg->ttl (PSC_DNS_DEFAULT_TTL when 0);
 *  - RFC 4592 wildcards: a name that does not exist is answered from
 *    "*.<closest encloser>" when that record exists, at any depth below
 *    it, owner = the question name.  The closest encloser is the longest
 *    existing ancestor: a record's owner, the apex, or an empty non-terminal
 *    (an ancestor of a record's owner).  So with "*" and "b1", the name
 *    "x.b1.<zone>" is NXDOMAIN, as RFC 4592 says;
 *  - a name that does not exist and no wildcard: NXDOMAIN, the zone's SOA
 *    in authority (synthesized: mname ns.<origin>, rname
 *    hostmaster.<origin>, serial 1, minimum cfg->ttl);
 *  - an existing name (or a wildcard match, or an empty non-terminal) asked
 *    for a type it does not have: NOERROR, no answer (NODATA), the SOA;
 *  - the apex has SOA and NS (ns.<origin>); A at the apex is NODATA unless
 *    the zone has an apex record ("@");
 *  - names are compared case-insensitively; the question is echoed as it
 *    was asked (0x20 case preserved) and answers are owned by that name;
 *  - EDNS0: when the query has an OPT, the answer has one with our UDP size
 *    (PSC_DNS_EDNS_SIZE), the DO bit copied, no options; an EDNS version
 *    other than 0 gets BADVERS; two OPT records: FORMERR;
 *  - opcode other than QUERY: NOTIMP; QDCOUNT other than 1: FORMERR;
 *    class other than IN (or ANY): REFUSED; AXFR/IXFR: REFUSED; a meta type
 *    (OPT, TSIG, TKEY, MAILA/B) as question type: FORMERR;
 *  - a query ldns cannot parse: FORMERR when the 12 header bytes are there
 *    (the id echoed), else dropped; a message with QR set: dropped; a
 *    TSIG record is ignored (answers are never signed);
 *  - UDP: an answer longer than 512 bytes (no EDNS) or than the EDNS size
 *    (the client's, at least 512, at most PSC_DNS_EDNS_SIZE) is sent
 *    truncated: TC set, question (and OPT) only.  TCP: up to 65535 bytes,
 *    no TC.  Either way at most outcap bytes: an answer that does not fit
 *    is truncated the same way (TC), and -1 when even that does not fit. */
#ifndef PSCLAB_DNS_H
#define PSCLAB_DNS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"
#include "model/topology.h"

#define PSC_DNS_NAME_LEN 256        /* presentation, absolute, with the dot */
#define PSC_DNS_MAX_RECORDS 64      /* per zone; > PSC_MAX_RECORDS on purpose:
				     * records of one name form an RRset */
#define PSC_DNS_DEFAULT_TTL 300
#define PSC_DNS_EDNS_SIZE 1232      /* our EDNS UDP payload size */
#define PSC_DNS_UDP_PLAIN 512       /* without EDNS */
#define PSC_DNS_PORT 53

/* TCP service limits */
#define PSC_DNS_TCP_MAX_CONNS 16
#define PSC_DNS_TCP_IDLE_MS 5000    /* per message: from accept or the last
				     * completed exchange */
#define PSC_DNS_TCP_MAX_MSG 65535   /* the 2-byte frame length's limit */
#define PSC_DNS_POLL_MS 100         /* stop is seen within this (+ work) */

typedef struct psc_dns_record_rt {
	/* absolute, lowercase, trailing dot; "*.zone." for a wildcard, the
	 * origin itself for an apex record */
	char name[PSC_DNS_NAME_LEN];
	uint32_t a;                     /* host byte order */
} psc_dns_record_rt;

typedef struct psc_dns_zone_rt {
	/* absolute, lowercase: "abc.us-west1.gcp.3199745.tidbcloud.com." */
	char origin[PSC_DNS_NAME_LEN];
	psc_dns_record_rt records[PSC_DNS_MAX_RECORDS];
	size_t n_records;
} psc_dns_zone_rt;

typedef struct psc_dns_config {
	psc_dns_zone_rt zones[PSC_MAX_DNS_ZONES];
	size_t n_zones;
	uint32_t ttl;                   /* 0: PSC_DNS_DEFAULT_TTL */
} psc_dns_config;

/* The private zones visible to network t->networks[net_index] (their
 * networks: list names it), each record resolved to the address of its PSC
 * endpoint in the plan (whatever the endpoint's connection status: Cloud
 * DNS points at the address, accepted or not).  Record names: "*",
 * "*.<labels>", "<labels>" (relative) or "@" (the apex); type A only.
 * Returns 0, or -1 with the reason (bad name, unknown endpoint, ...). */
int psc_dns_config_from_plan(const psc_plan *p, size_t net_index,
			     psc_dns_config *cfg, char *err, size_t errlen);

/* Check a hand-made configuration the way psc_dns_answer reads it: every
 * origin and record name parses and every record lies in its zone.
 * Returns 0 or -1 with the reason. */
int psc_dns_config_check(const psc_dns_config *cfg, char *err, size_t errlen);

/* Answer one query (see the semantics above).  Returns the response length
 * in out, 0 to drop the query silently, -1 on an internal error (memory,
 * outcap too small for even a header and the question). */
long psc_dns_answer(const psc_dns_config *cfg, const uint8_t *query,
		    size_t qlen, uint8_t *out, size_t outcap, bool tcp);

/* Serve UDP and TCP on ip:port (host order) until *stop becomes non-zero;
 * one thread, poll() over every socket, nothing blocks: stop is seen
 * within PSC_DNS_POLL_MS.  TCP: 2-byte length framing, at most
 * PSC_DNS_TCP_MAX_CONNS connections (more are accepted and closed), each
 * closed after PSC_DNS_TCP_IDLE_MS without a completed exchange, on a
 * zero-length frame, on EOF or error.  ready_fd (-1: none) gets its byte
 * (base/util.h psc_ready_notify) once both sockets are bound and the TCP
 * one listens: from then on a query is answered.  Returns 0 when stopped,
 * -1 with the reason when the sockets cannot be set up (or poll fails). */
int psc_dns_serve(const psc_dns_config *cfg, uint32_t ip, uint16_t port,
		  volatile sig_atomic_t *stop, int ready_fd, char *err,
		  size_t errlen);

#endif
