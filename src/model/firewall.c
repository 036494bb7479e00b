/* firewall.c - GCP's VPC firewall for one packet (see firewall.h). */
#include "model/firewall.h"

#include <string.h>

static int parse_port(const char *s, size_t len, long *out)
{
	long v = 0;
	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (!psc_port_valid(v))
		return -1;
	*out = v;
	return 0;
}

int psc_fw_port_spec_parse(const char *spec, long *lo, long *hi)
{
	long a, b;
	if (!spec)
		return -1;
	const char *dash = strchr(spec, '-');
	if (!dash) {
		if (parse_port(spec, strlen(spec), &a) < 0)
			return -1;
		*lo = *hi = a;
		return 0;
	}
	if (parse_port(spec, (size_t)(dash - spec), &a) < 0 ||
	    parse_port(dash + 1, strlen(dash + 1), &b) < 0 || a > b)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

bool psc_fw_protocol_takes_ports(const char *protocol)
{
	return protocol && (strcmp(protocol, "tcp") == 0 ||
			    strcmp(protocol, "udp") == 0 ||
			    strcmp(protocol, "sctp") == 0);
}

psc_fw_dir psc_fw_rule_dir(const psc_firewall *fw)
{
	return strcmp(fw->direction, "EGRESS") == 0 ? PSC_FW_EGRESS
						    : PSC_FW_INGRESS;
}

bool psc_fw_has_tag(const psc_instance *in, const char (*tags)[PSC_NAME_LEN],
		    size_t n)
{
	if (!in)
		return false;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < in->n_tags; j++)
			if (strcmp(tags[i], in->tags[j]) == 0)
				return true;
	return false;
}

bool psc_fw_targets(const psc_firewall *fw, const psc_instance *in)
{
	if (fw->n_target_tags == 0)
		return true;
	return psc_fw_has_tag(in, fw->target_tags, fw->n_target_tags);
}

bool psc_fw_entry_matches(const psc_fw_rule *e, const char *protocol,
			  int port)
{
	if (strcmp(e->protocol, "all") != 0 &&
	    (!protocol || strcmp(e->protocol, protocol) != 0))
		return false;
	if (e->n_ports == 0)
		return true;                 /* every port (or none) */
	if (strcmp(e->protocol, "all") == 0)
		return false;                /* ports on 'all': invalid */
	for (size_t i = 0; i < e->n_ports; i++) {
		long lo, hi;
		if (psc_fw_port_spec_parse(e->ports[i], &lo, &hi) == 0 &&
		    port >= lo && port <= hi)
			return true;
	}
	return false;
}

bool psc_fw_ranges_match(const char (*ranges)[48], size_t n,
			 const psc_cidr *c, psc_fw_action act)
{
	char err[128];
	for (size_t i = 0; i < n; i++) {
		psc_cidr r;
		if (psc_cidr_parse(ranges[i], &r, err, sizeof(err)) < 0)
			continue;
		if (act == PSC_FW_ALLOW ? psc_cidr_within(c, &r)
					: psc_cidr_overlaps(c, &r))
			return true;
	}
	return false;
}

bool psc_fw_peer_matches(const psc_firewall *fw, const psc_fw_query *q,
			 psc_fw_action act)
{
	if (psc_fw_rule_dir(fw) == PSC_FW_EGRESS) {
		if (fw->n_destination_ranges == 0)
			return true;             /* 0.0.0.0/0 */
		return psc_fw_ranges_match(fw->destination_ranges,
					   fw->n_destination_ranges, &q->peer,
					   act);
	}
	/* INGRESS: source ranges OR source tags; neither = 0.0.0.0/0 */
	if (fw->n_source_ranges == 0 && fw->n_source_tags == 0)
		return true;
	if (psc_fw_ranges_match(fw->source_ranges, fw->n_source_ranges,
				&q->peer, act))
		return true;
	return q->peer_instance &&
	       psc_fw_has_tag(q->peer_instance, fw->source_tags,
			      fw->n_source_tags);
}

bool psc_fw_local_matches(const psc_firewall *fw, const psc_fw_query *q,
			  psc_fw_action act)
{
	const char (*ranges)[48];
	size_t n;
	if (psc_fw_rule_dir(fw) == PSC_FW_EGRESS) {
		ranges = fw->source_ranges;
		n = fw->n_source_ranges;
	} else {
		ranges = fw->destination_ranges;
		n = fw->n_destination_ranges;
	}
	if (n == 0)
		return true;
	if (!q->has_local)
		return act == PSC_FW_DENY;   /* may, not must (firewall.h) */
	psc_cidr one = {q->local_ip, 32};
	return psc_fw_ranges_match(ranges, n, &one, act);
}

bool psc_fw_rule_matches(const psc_firewall *fw, const psc_instance *target,
			 const psc_fw_query *q, psc_fw_action act)
{
	const psc_fw_rule *v = act == PSC_FW_ALLOW ? fw->allow : fw->deny;
	size_t n = act == PSC_FW_ALLOW ? fw->n_allow : fw->n_deny;
	bool entry = false;

	if (fw->disabled || psc_fw_rule_dir(fw) != q->dir ||
	    !psc_fw_targets(fw, target))
		return false;
	for (size_t i = 0; i < n && !entry; i++)
		entry = psc_fw_entry_matches(&v[i], q->protocol, q->port);
	return entry && psc_fw_peer_matches(fw, q, act) &&
	       psc_fw_local_matches(fw, q, act);
}

void psc_fw_evaluate(const psc_network *net, const psc_instance *target,
		     const psc_fw_query *q, psc_fw_verdict *out)
{
	const psc_firewall *best = NULL;
	psc_fw_action best_act = PSC_FW_ALLOW;

	for (size_t i = 0; net && i < net->n_firewalls; i++) {
		const psc_firewall *fw = &net->firewalls[i];
		for (int a = PSC_FW_ALLOW; a <= PSC_FW_DENY; a++) {
			psc_fw_action act = (psc_fw_action)a;
			if (!psc_fw_rule_matches(fw, target, q, act))
				continue;
			/* lower number wins; DENY wins a tie; else first */
			if (!best || fw->priority < best->priority ||
			    (fw->priority == best->priority &&
			     act == PSC_FW_DENY && best_act == PSC_FW_ALLOW)) {
				best = fw;
				best_act = act;
			}
		}
	}
	if (best) {
		out->action = best_act;
		out->rule = best;
		out->priority = best->priority;
		return;
	}
	out->action = q->dir == PSC_FW_INGRESS ? PSC_FW_DENY : PSC_FW_ALLOW;
	out->rule = NULL;
	out->priority = PSC_FW_IMPLIED_PRIORITY;
}

const char *psc_fw_action_str(psc_fw_action a)
{
	return a == PSC_FW_DENY ? "DENY" : "ALLOW";
}

const char *psc_fw_dir_str(psc_fw_dir d)
{
	return d == PSC_FW_EGRESS ? "EGRESS" : "INGRESS";
}
