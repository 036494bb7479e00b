/* firewall.h - GCP's VPC firewall, evaluated for one packet.  Pure: reads a
 * network's firewall rules and an instance's tags, touches nothing.
 *
 * Semantics (GCP behaviour rows 18-19):
 *  - a rule applies to one direction (INGRESS, the default, or EGRESS);
 *    disabled rules are skipped;
 *  - target_tags empty: the rule applies to every instance of the network;
 *    else the instance must carry one of them;
 *  - INGRESS sources are source_ranges OR source_tags (an instance carrying
 *    one of the tags); an INGRESS rule with neither is taken as source
 *    0.0.0.0/0, as the API does (the linter refuses such a rule); EGRESS
 *    rules match on destination_ranges (none: 0.0.0.0/0);
 *  - an allow:/deny: entry matches a protocol ('all' matches every one) and,
 *    for tcp/udp/sctp, a port: ports "N" or "N-M", none = every port;
 *  - the lowest priority number wins; at equal priority DENY beats ALLOW;
 *    among equal rules the first in file order is reported;
 *  - when no rule matches, the implied rules decide: deny every ingress,
 *    allow every egress (priority 65535, reported with rule NULL).
 *
 * The peer of a query is a CIDR range, not one address, so that a question
 * such as "can the PSC NAT subnet reach this port" has one answer.  A rule's
 * range list matches a query range in two ways:
 *  - for an ALLOW rule, when one of its ranges contains the WHOLE query
 *    range (every address of the range is allowed);
 *  - for a DENY rule, when one of its ranges OVERLAPS the query range (some
 *    address of the range is denied).
 * So ALLOW means "every address of the range gets through", and DENY "some
 * address may be refused"; for a /32 both are the usual per-address match.
 * The same "must/may" reading applies to a range matched against the
 * target's own address when that address is not given.
 *
 * The predicates are public so that other consumers (the nftables generator
 * of a later issue) can walk the same rules with the same matching. */
#ifndef PSCLAB_FIREWALL_H
#define PSCLAB_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/addr.h"
#include "model/topology.h"

#define PSC_FW_IMPLIED_PRIORITY 65535

typedef enum psc_fw_dir {
	PSC_FW_INGRESS = 0,
	PSC_FW_EGRESS = 1,
} psc_fw_dir;

typedef enum psc_fw_action {
	PSC_FW_ALLOW = 0,
	PSC_FW_DENY = 1,
} psc_fw_action;

/* One packet (or one flow) as the firewall of its target instance sees it. */
typedef struct psc_fw_query {
	psc_fw_dir dir;
	/* the other end: the source range for INGRESS, the destination range
	 * for EGRESS (a /32 for one address) */
	psc_cidr peer;
	/* INGRESS only: the source instance, for source_tags; NULL when the
	 * source is a range (then tag-only rules do not match) */
	const psc_instance *peer_instance;
	/* the target's own address, for INGRESS destination_ranges and EGRESS
	 * source_ranges; when !has_local such a rule matches as described
	 * above (an ALLOW does not, a DENY does) */
	bool has_local;
	uint32_t local_ip;
	const char *protocol;   /* "tcp", "udp", "icmp", ... (lower case) */
	int port;               /* 1..65535; 0 for a protocol without ports */
} psc_fw_query;

typedef struct psc_fw_verdict {
	psc_fw_action action;
	const psc_firewall *rule;   /* the deciding rule; NULL: implied rule */
	long priority;              /* its priority (65535 for implied) */
} psc_fw_verdict;

/* ---- the matching predicates ---- */

/* "N" or "N-M" with 1 <= N <= M <= 65535 -> lo, hi.  Returns 0 or -1. */
int psc_fw_port_spec_parse(const char *spec, long *lo, long *hi);
/* tcp, udp and sctp take ports; the others do not */
bool psc_fw_protocol_takes_ports(const char *protocol);
/* the rule's direction (INGRESS unless it says EGRESS) */
psc_fw_dir psc_fw_rule_dir(const psc_firewall *fw);
/* true when the rule applies to the instance (target tags) */
bool psc_fw_targets(const psc_firewall *fw, const psc_instance *in);
/* true when the instance carries one of tags[0..n) */
bool psc_fw_has_tag(const psc_instance *in, const char (*tags)[PSC_NAME_LEN],
		    size_t n);
/* one allow:/deny: entry against a protocol and port */
bool psc_fw_entry_matches(const psc_fw_rule *e, const char *protocol,
			  int port);
/* a range list against a range, in the ALLOW (contains) or DENY (overlaps)
 * sense; unparsable entries never match */
bool psc_fw_ranges_match(const char (*ranges)[48], size_t n,
			 const psc_cidr *c, psc_fw_action act);
/* the rule's peer condition (sources for INGRESS, destinations for
 * EGRESS) and its condition on the target's own address */
bool psc_fw_peer_matches(const psc_firewall *fw, const psc_fw_query *q,
			 psc_fw_action act);
bool psc_fw_local_matches(const psc_firewall *fw, const psc_fw_query *q,
			  psc_fw_action act);
/* everything but priority: enabled, direction, target, peer, local
 * address, and one of the rule's entries of that action */
bool psc_fw_rule_matches(const psc_firewall *fw, const psc_instance *target,
			 const psc_fw_query *q, psc_fw_action act);

/* ---- the decision ---- */

/* The verdict of the network's firewall for a packet to (INGRESS) or from
 * (EGRESS) target.  net may have no rules; target must not be NULL. */
void psc_fw_evaluate(const psc_network *net, const psc_instance *target,
		     const psc_fw_query *q, psc_fw_verdict *out);

const char *psc_fw_action_str(psc_fw_action a);   /* "ALLOW" | "DENY" */
const char *psc_fw_dir_str(psc_fw_dir d);         /* "INGRESS" | "EGRESS" */

#endif
