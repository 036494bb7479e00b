/* nftgen.c - nft script text of a lab's namespaces (see nftgen.h). Pure. */
#define _POSIX_C_SOURCE 200809L
#include "plan/nftgen.h"

#include <stdlib.h>
#include <string.h>

#include "model/addr.h"
#include "model/firewall.h"

void psc_lb_health_all(const psc_plan *p, psc_lb_health *h)
{
	memset(h, 0, sizeof(*h));
	for (size_t l = 0; l < p->n_lbs; l++)
		for (size_t b = 0; b < p->lbs[l].n_backends; b++)
			h->healthy[l][b] = true;
}

static const char *ip(uint32_t a, char *buf)
{
	return psc_ip_str(a, buf, 16);
}

/* nft comments: no quotes or backslashes, at most 127 bytes */
static void comment(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void comment(FILE *out, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *c = buf; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '_';
	fprintf(out, " comment \"%s\"\n", buf);
}

/* ---- port-mapping NEG load balancers ---- */

static void neg_dnat(const psc_plan *p, const psc_plan_lb *pl, FILE *out)
{
	char a[16], b[16];
	const psc_topology *t = p->t;
	for (size_t k = 0; k < pl->lb->n_backends; k++) {
		psc_neg *g = psc_find_neg((psc_topology *)t, pl->lb->backends[k]);
		for (size_t e = 0; g && e < g->n_endpoints; e++) {
			const psc_neg_endpoint *ne = &g->endpoints[e];
			const psc_plan_vm *vm = psc_plan_vm_by_name(p,
								   ne->instance);
			if (!vm)
				continue;
			fprintf(out, "\t\tip daddr %s tcp dport %ld counter "
				     "dnat ip to %s:%ld", ip(pl->vip, a),
				ne->client_port, ip(vm->ip, b), ne->port);
			comment(out, "lb %s neg %s client %ld -> %s:%ld",
				pl->lb->name, g->name, ne->client_port,
				ne->instance, ne->port);
		}
	}
	/* row 13: an unmapped client port is dropped silently */
	fprintf(out, "\t\tip daddr %s counter drop", ip(pl->vip, a));
	comment(out, "lb %s unmapped client port", pl->lb->name);
}

/* ---- instance-group load balancers ---- */

static void ig_pick(const psc_plan *p, size_t l, const psc_lb_health *h,
		    FILE *out)
{
	const psc_plan_lb *pl = &p->lbs[l];
	size_t idx[PSC_MAX_INSTANCES], n = 0;
	char a[16];

	for (size_t b = 0; b < pl->n_backends; b++)
		if (h->healthy[l][b])
			idx[n++] = b;
	bool fail_open = n == 0;
	if (fail_open)   /* row 17: all unhealthy -> send to all */
		for (size_t b = 0; b < pl->n_backends; b++)
			idx[n++] = b;
	if (n == 0)
		return;
	fprintf(out, "\t\tip daddr %s ct state new meta mark set jhash ip "
		     "saddr . ip daddr . tcp sport . tcp dport mod %zu map { ",
		ip(pl->vip, a), n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%zu : 0x%x", i ? ", " : "", i,
			psc_plan_backend_mark(l, idx[i]));
	fprintf(out, " } ct mark set meta mark counter");
	comment(out, "lb %s %s: %zu of %zu backends", pl->lb->name,
		fail_open ? "fail-open" : "healthy", fail_open ? 0 : n,
		pl->n_backends);
}

static void lb_pick_rules(const psc_plan *p, size_t net,
			  const psc_lb_health *h, FILE *out)
{
	fprintf(out, "\t\tct state established,related meta mark set ct "
		     "mark\n");
	for (size_t l = 0; l < p->n_lbs; l++)
		if (!p->lbs[l].neg && p->lbs[l].router_ns == p->router_ns[net])
			ig_pick(p, l, h, out);
}

/* ---- the VPC firewall ---- */

static void set_of_ranges(FILE *out, const char (*r)[48], size_t n)
{
	fprintf(out, "{ ");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", r[i]);
	fprintf(out, " }");
}

static void l4_match(FILE *out, const psc_fw_rule *e)
{
	if (strcmp(e->protocol, "all") == 0)
		return;
	fprintf(out, " meta l4proto %s", e->protocol);
	if (e->n_ports && psc_fw_protocol_takes_ports(e->protocol)) {
		fprintf(out, " th dport { ");
		for (size_t i = 0; i < e->n_ports; i++)
			fprintf(out, "%s%s", i ? ", " : "", e->ports[i]);
		fprintf(out, " }");
	}
}

/* the addresses of instances of the network carrying one of the tags */
static size_t tagged_ips(const psc_plan *p, const psc_firewall *fw,
			 int network, uint32_t *ips)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_vms; i++)
		if (p->vms[i].network == network &&
		    psc_fw_has_tag(p->vms[i].in, fw->source_tags,
				   fw->n_source_tags))
			ips[n++] = p->vms[i].ip;
	return n;
}

/* One firewall rule for one instance, as nft rules (one per entry and per
 * kind of source: GCP ORs source ranges and source tags). */
static void fw_rule(const psc_plan *p, const psc_plan_vm *vm,
		    const psc_firewall *fw, psc_fw_action act, FILE *out)
{
	const psc_fw_rule *entries = act == PSC_FW_ALLOW ? fw->allow : fw->deny;
	size_t n_entries = act == PSC_FW_ALLOW ? fw->n_allow : fw->n_deny;
	bool ingress = psc_fw_rule_dir(fw) == PSC_FW_INGRESS;
	const char *verdict = act == PSC_FW_DENY ? "drop"
			      : ingress ? "accept" : "return";
	uint32_t tips[PSC_MAX_INSTANCES];
	size_t n_tips = ingress ? tagged_ips(p, fw, vm->network, tips) : 0;
	char a[16];

	for (size_t e = 0; e < n_entries; e++) {
		/* up to two sources: ranges, tagged instances */
		for (int src = 0; src < 2; src++) {
			if (ingress && src == 0 && fw->n_source_ranges == 0 &&
			    fw->n_source_tags > 0)
				continue;
			if (src == 1 && (!ingress || fw->n_source_tags == 0))
				continue;
			if (src == 1 && n_tips == 0)
				continue;
			fprintf(out, "\t\t");
			if (ingress && src == 0 && fw->n_source_ranges) {
				fprintf(out, "ip saddr ");
				set_of_ranges(out, fw->source_ranges,
					      fw->n_source_ranges);
			} else if (src == 1) {
				fprintf(out, "ip saddr { ");
				for (size_t i = 0; i < n_tips; i++)
					fprintf(out, "%s%s", i ? ", " : "",
						ip(tips[i], a));
				fprintf(out, " }");
			}
			if (ingress && fw->n_destination_ranges) {
				fprintf(out, " ip daddr ");
				set_of_ranges(out, fw->destination_ranges,
					      fw->n_destination_ranges);
			}
			if (!ingress && fw->n_destination_ranges) {
				fprintf(out, "ip daddr ");
				set_of_ranges(out, fw->destination_ranges,
					      fw->n_destination_ranges);
			}
			l4_match(out, &entries[e]);
			fprintf(out, " counter %s", verdict);
			comment(out, "fw %s %s %s", fw->name,
				psc_fw_action_str(act), vm->in->name);
		}
	}
}

/* GCP's order: priority, then DENY before ALLOW, then file order */
struct ordered { const psc_firewall *fw; psc_fw_action act; size_t pos; };

static int ordered_cmp(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	if (a->fw->priority != b->fw->priority)
		return a->fw->priority < b->fw->priority ? -1 : 1;
	if (a->act != b->act)
		return a->act == PSC_FW_DENY ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void fw_chain(const psc_plan *p, const psc_plan_vm *vm,
		     psc_fw_dir dir, FILE *out)
{
	const psc_network *net = &p->t->networks[vm->network];
	struct ordered o[PSC_MAX_FIREWALLS * 2];
	size_t n = 0;

	for (size_t i = 0; i < net->n_firewalls; i++) {
		const psc_firewall *fw = &net->firewalls[i];
		if (fw->disabled || psc_fw_rule_dir(fw) != dir ||
		    !psc_fw_targets(fw, vm->in))
			continue;
		if (fw->n_allow)
			o[n++] = (struct ordered){fw, PSC_FW_ALLOW, i};
		if (fw->n_deny)
			o[n++] = (struct ordered){fw, PSC_FW_DENY, i};
	}
	qsort(o, n, sizeof(o[0]), ordered_cmp);
	fprintf(out, "\tchain %s_%s {\n", dir == PSC_FW_INGRESS ? "in" : "out",
		vm->router_if);
	for (size_t i = 0; i < n; i++)
		fw_rule(p, vm, o[i].fw, o[i].act, out);
	/* row 18: the implied rules */
	if (dir == PSC_FW_INGRESS) {
		fprintf(out, "\t\tcounter drop");
		comment(out, "fw implied deny ingress %s", vm->in->name);
	} else {
		fprintf(out, "\t\tcounter return");
		comment(out, "fw implied allow egress %s", vm->in->name);
	}
	fprintf(out, "\t}\n");
}

int psc_nft_lb_pick_script(const psc_plan *p, size_t net,
			   const psc_lb_health *h, FILE *out)
{
	fprintf(out, "flush chain inet " PSC_NFT_TABLE " lb_pick\n");
	fprintf(out, "table inet " PSC_NFT_TABLE " {\n\tchain lb_pick {\n");
	lb_pick_rules(p, net, h, out);
	fprintf(out, "\t}\n}\n");
	return ferror(out) ? -1 : 0;
}

/* ---- the consumer VPC's leak watch ---- */

static bool is_consumer_router(const psc_plan *p, int rns)
{
	for (size_t i = 0; i < p->n_eps; i++)
		if (p->eps[i].consumer_router_ns == rns)
			return true;
	return false;
}

/* In a VPC that holds a PSC endpoint, every packet a VM sends toward an
 * address outside its own VPC's subnets (the endpoints live there) and the
 * metadata server is counted, and its destination kept in the set
 * PSC_NFT_LEAK_SET with a counter: a client that followed a broker's real
 * address (a response kafka-proxy did not rewrite) shows up here.  Counted
 * before routing (the VPC has no route there, so forward never sees it);
 * nothing is dropped or changed. */
static void leak_watch(const psc_plan *p, size_t net, FILE *out)
{
	const psc_network *n = &p->t->networks[net];
	int rns = p->router_ns[net];

	fprintf(out, "\tset " PSC_NFT_LEAK_SET " {\n\t\ttype ipv4_addr\n"
		     "\t\tsize 4096\n\t\tflags dynamic\n\t\tcounter\n\t}\n"
		     "\tchain leak {\n\t\ttype filter hook prerouting "
		     "priority raw; policy accept;\n");
	for (size_t i = 0; i < p->n_vms; i++) {
		const psc_plan_vm *vm = &p->vms[i];
		if (vm->router_ns != rns)
			continue;
		fprintf(out, "\t\tiifname \"%s\" ip daddr != { %s",
			vm->router_if, PSC_NFT_METADATA_IP);
		for (size_t s = 0; s < n->n_subnetworks; s++)
			fprintf(out, ", %s", n->subnetworks[s].ip_cidr_range);
		fprintf(out, " } counter update @" PSC_NFT_LEAK_SET
			" { ip daddr }");
		comment(out, "leak %s -> outside %s, not its PSC endpoint",
			vm->in->name, n->name);
	}
	fprintf(out, "\t}\n");
}

int psc_nft_router_script(const psc_plan *p, size_t net,
			  const psc_lb_health *h, FILE *out)
{
	int rns = p->router_ns[net];

	/* "add table" first so that "delete" works on a fresh namespace */
	fprintf(out, "add table inet " PSC_NFT_TABLE "\n"
		     "delete table inet " PSC_NFT_TABLE "\n"
		     "table inet " PSC_NFT_TABLE " {\n");

	fprintf(out, "\tchain lb_dnat {\n\t\ttype nat hook prerouting "
		     "priority dstnat; policy accept;\n");
	for (size_t l = 0; l < p->n_lbs; l++)
		if (p->lbs[l].neg && p->lbs[l].router_ns == rns)
			neg_dnat(p, &p->lbs[l], out);
	fprintf(out, "\t}\n");

	fprintf(out, "\tchain lb_pick {\n\t\ttype filter hook prerouting "
		     "priority mangle; policy accept;\n");
	lb_pick_rules(p, net, h, out);
	fprintf(out, "\t}\n");

	if (is_consumer_router(p, rns))
		leak_watch(p, net, out);

	for (size_t i = 0; i < p->n_vms; i++) {
		const psc_plan_vm *vm = &p->vms[i];
		if (vm->router_ns != rns)
			continue;
		fw_chain(p, vm, PSC_FW_EGRESS, out);
		fw_chain(p, vm, PSC_FW_INGRESS, out);
	}

	fprintf(out, "\tchain forward {\n\t\ttype filter hook forward "
		     "priority filter; policy accept;\n"
		     "\t\tct state established,related accept\n"
		     "\t\tct state invalid counter drop\n");
	for (size_t i = 0; i < p->n_vms; i++)
		if (p->vms[i].router_ns == rns)
			fprintf(out, "\t\tiifname \"%s\" jump out_%s\n",
				p->vms[i].router_if, p->vms[i].router_if);
	for (size_t i = 0; i < p->n_vms; i++)
		if (p->vms[i].router_ns == rns)
			fprintf(out, "\t\toifname \"%s\" jump in_%s\n",
				p->vms[i].router_if, p->vms[i].router_if);
	fprintf(out, "\t}\n}\n");
	return ferror(out) ? -1 : 0;
}

int psc_nft_psc_script(const psc_plan *p, FILE *out)
{
	char a[16], b[16];

	fprintf(out, "add table ip " PSC_NFT_TABLE "\n"
		     "delete table ip " PSC_NFT_TABLE "\n"
		     "table ip " PSC_NFT_TABLE " {\n");
	fprintf(out, "\tchain endpoint_dnat {\n\t\ttype nat hook prerouting "
		     "priority dstnat; policy accept;\n");
	for (size_t i = 0; i < p->n_eps; i++) {
		const psc_plan_endpoint *e = &p->eps[i];
		if (e->status != PSC_EP_ACCEPTED)
			continue;
		fprintf(out, "\t\tip daddr %s counter dnat ip to %s",
			ip(e->ip, a), ip(e->vip, b));
		comment(out, "psc endpoint %s -> %s (%s)", e->ep->name,
			e->sa->name, e->lb->name);
	}
	fprintf(out, "\t}\n");
	fprintf(out, "\tchain nat_subnet {\n\t\ttype nat hook postrouting "
		     "priority srcnat; policy accept;\n");
	for (size_t i = 0; i < p->n_eps; i++) {
		const psc_plan_endpoint *e = &p->eps[i];
		if (e->status != PSC_EP_ACCEPTED)
			continue;
		fprintf(out, "\t\tct original ip daddr %s counter snat ip to "
			     "%s", ip(e->ip, a), ip(e->nat_ip, b));
		comment(out, "psc nat %s -> %s", e->ep->name, b);
	}
	fprintf(out, "\t}\n");
	fprintf(out, "\tchain forward {\n\t\ttype filter hook forward "
		     "priority filter; policy drop;\n"
		     "\t\tct state established,related accept\n"
		     "\t\tct status dnat counter accept\n");
	for (size_t i = 0; i < p->n_eps; i++) {
		const psc_plan_endpoint *e = &p->eps[i];
		if (e->status == PSC_EP_ACCEPTED)
			continue;
		fprintf(out, "\t\tip daddr %s counter drop", ip(e->ip, a));
		comment(out, "psc endpoint %s %s", e->ep->name,
			psc_ep_status_name(e->status));
	}
	fprintf(out, "\t\tcounter drop");
	comment(out, "psc no such endpoint");
	fprintf(out, "\t}\n}\n");
	return ferror(out) ? -1 : 0;
}

static char *to_text(const psc_plan *p, size_t net, const psc_lb_health *h,
		     bool psc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	int rc = psc ? psc_nft_psc_script(p, f)
		     : psc_nft_router_script(p, net, h, f);
	if (fclose(f) != 0 || rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *psc_nft_router_text(const psc_plan *p, size_t net,
			  const psc_lb_health *h)
{
	return to_text(p, net, h, false);
}

char *psc_nft_psc_text(const psc_plan *p)
{
	return to_text(p, 0, NULL, true);
}

char *psc_nft_loss_text(long pct)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	/* "add table" first so that "delete" works on a fresh namespace */
	fprintf(f, "add table inet " PSC_NFT_FAULT_TABLE "\n"
		   "delete table inet " PSC_NFT_FAULT_TABLE "\n");
	/* numgen's values are 0..99: 100 % is every packet */
	char match[48] = "";
	if (pct < 100)
		snprintf(match, sizeof(match), "numgen random mod 100 < %ld ",
			 pct);
	if (pct > 0)
		fprintf(f, "table inet " PSC_NFT_FAULT_TABLE " {\n"
			   "\tchain in {\n\t\ttype filter hook input priority "
			   "-300; policy accept;\n"
			   "\t\t%scounter drop comment \"fault loss %ld%%\"\n"
			   "\t}\n"
			   "\tchain out {\n\t\ttype filter hook output priority "
			   "-300; policy accept;\n"
			   "\t\t%scounter drop comment \"fault loss %ld%%\"\n"
			   "\t}\n}\n", match, pct, match, pct);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
