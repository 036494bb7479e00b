/* status.c - `pscLab status`: what a lab is made of and how it is doing,
 * gathered into one JSON document (jansson), printed as it is (--json) or
 * as tables for a terminal. */
#define _GNU_SOURCE
#include "cli/status.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/addr.h"
#include "model/fault.h"
#include "fabric/conntrack.h"
#include "fabric/netns.h"
#include "fabric/nft.h"
#include "services/dns.h"
#include "services/health.h"
#include "runtime/proc.h"
#include "runtime/serve.h"
#include "runtime/state.h"
#include "runtime/store.h"

static const char *ipstr(uint32_t ip, char *buf)
{
	return psc_ip_str(ip, buf, 16);
}

/* a backend's state from the health checker's file */
static const char *backend_health(const char *lab, const char *lb,
				  const char *vm, char *buf, size_t len)
{
	char path[PATH_MAX + 32], err[256];
	if (psc_lab_health_path(lab, path, sizeof(path), err, sizeof(err)) < 0)
		path[0] = '\0';          /* no file: UNKNOWN */
	return psc_health_read(path, lb, vm, buf, len);
}

static json_t *nodes_json(const psc_plan *p)
{
	json_t *a = json_array();
	char ip[16];
	for (size_t i = 0; i < p->n_vms; i++) {
		const psc_plan_vm *vm = &p->vms[i];
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
			"name", vm->in->name, "vpc", vm->in->network,
			"subnet", vm->in->subnetwork, "zone", vm->in->zone,
			"address", ipstr(vm->ip, ip), "namespace",
			p->ns[vm->ns].name, "present",
			psc_netns_exists(p->ns[vm->ns].name)));
	}
	return a;
}

/* every process of the journal; "replaced": a newer record of its name
 * follows (it was started again), so it being dead is no fault */
static json_t *procs_json(const psc_state *st)
{
	json_t *a = json_array();
	for (size_t i = 0; i < st->n_procs; i++) {
		const psc_proc *pr = &st->procs[i];
		json_array_append_new(a, json_pack(
			"{s:s, s:I, s:s, s:s, s:b, s:b}", "name", pr->name,
			"pid", (json_int_t)pr->pid, "namespace", pr->netns,
			"log", pr->log, "alive", psc_proc_alive(pr),
			"replaced", psc_state_proc_last(st, pr->name) != pr));
	}
	return a;
}

static json_t *lbs_json(const psc_plan *p)
{
	json_t *a = json_array();
	char ip[16], ip2[16], h[32];
	for (size_t l = 0; l < p->n_lbs; l++) {
		const psc_plan_lb *pl = &p->lbs[l];
		json_t *map = json_array();
		if (pl->neg) {
			for (size_t k = 0; k < pl->lb->n_backends; k++) {
				psc_neg *g = psc_find_neg((psc_topology *)p->t,
							  pl->lb->backends[k]);
				for (size_t e = 0; g && e < g->n_endpoints; e++) {
					const psc_neg_endpoint *ne =
						&g->endpoints[e];
					const psc_plan_vm *vm =
						psc_plan_vm_by_name(p,
								    ne->instance);
					json_array_append_new(map, json_pack(
						"{s:I, s:s, s:s, s:I}",
						"client_port",
						(json_int_t)ne->client_port,
						"instance", ne->instance,
						"address",
						vm ? ipstr(vm->ip, ip2) : "?",
						"port", (json_int_t)ne->port));
				}
			}
		} else {
			for (size_t b = 0; b < pl->n_backends; b++) {
				const psc_plan_vm *vm =
					&p->vms[pl->backend_vm[b]];
				json_array_append_new(map, json_pack(
					"{s:s, s:s, s:s}", "instance",
					vm->in->name, "address",
					ipstr(vm->ip, ip2), "health",
					pl->hc ? backend_health(p->lab,
								pl->lb->name,
								vm->in->name, h,
								sizeof(h))
					       : "NOT CHECKED"));
			}
		}
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:s?, s:o}", "name", pl->lb->name,
			"address", ipstr(pl->vip, ip), "backend",
			pl->neg ? "port-mapping NEG" : "instance group",
			"health_check", pl->hc ? pl->hc->name : NULL,
			pl->neg ? "mappings" : "backends", map));
	}
	return a;
}

static json_t *psc_json(const psc_plan *p)
{
	json_t *a = json_array();
	char ip[16], nat[16], vip[16];
	for (size_t i = 0; i < p->n_eps; i++) {
		const psc_plan_endpoint *e = &p->eps[i];
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"endpoint", e->ep->name, "address", ipstr(e->ip, ip),
			"service_attachment", e->sa->name, "load_balancer",
			e->lb->name, "forwarding_rule", ipstr(e->vip, vip),
			"nat_address", ipstr(e->nat_ip, nat), "status",
			psc_ep_status_name(e->status), "reason", e->reason));
	}
	return a;
}

static json_t *dns_json(const psc_plan *p)
{
	json_t *a = json_array();
	static psc_dns_config cfg;
	char err[256], ip[16];
	for (size_t net = 0; net < p->t->n_networks; net++) {
		if (psc_dns_config_from_plan(p, net, &cfg, err, sizeof(err)) < 0)
			continue;
		for (size_t z = 0; z < cfg.n_zones; z++)
			for (size_t r = 0; r < cfg.zones[z].n_records; r++)
				json_array_append_new(a, json_pack(
					"{s:s, s:s, s:s, s:s}", "vpc",
					p->t->networks[net].name, "zone",
					cfg.zones[z].origin, "name",
					cfg.zones[z].records[r].name, "a",
					ipstr(cfg.zones[z].records[r].a, ip)));
	}
	return a;
}

/* every rule with a comment and a counter */
static void counters_of(const char *ns, json_t *out)
{
	static psc_nft_counter c[1024];
	size_t n = 0;
	char err[512];
	if (psc_nft_counters(ns, c, 1024, &n, err, sizeof(err)) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* after "ct state established accept" (forward) or in a NAT
		 * chain, a rule sees the first packet of a connection only;
		 * a drop rule and the leak watch see every packet */
		const char *counts = c[i].drops || strcmp(c[i].chain,
							  "leak") == 0
					     ? "packets" : "connections";
		json_array_append_new(out, json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:I}", "namespace", ns,
			"chain", c[i].chain, "rule", c[i].comment, "counts",
			counts, "packets", (json_int_t)c[i].packets, "bytes",
			(json_int_t)c[i].bytes));
	}
}

/* every VM's NIC as its router sees it (the router's end of the VM's
 * veth): all it carried, whatever rule let it through */
static json_t *traffic_json(const psc_plan *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n_vms; i++) {
		const psc_plan_vm *vm = &p->vms[i];
		psc_link_stats ls;
		char err[512];
		if (psc_netns_link_stats(p->ns[vm->router_ns].name,
					 vm->router_if, &ls, err,
					 sizeof(err)) < 0)
			continue;
		/* the router's rx is what the VM sent */
		json_array_append_new(a, json_pack(
			"{s:s, s:I, s:I, s:I, s:I}", "node", vm->in->name,
			"sent_packets", (json_int_t)ls.rx_packets, "sent_bytes",
			(json_int_t)ls.rx_bytes, "received_packets",
			(json_int_t)ls.tx_packets, "received_bytes",
			(json_int_t)ls.tx_bytes));
	}
	return a;
}

/* the paths through PSC: the PSC namespace's tracked connections per
 * original destination (the endpoint address and port a consumer used) */
static json_t *paths_json(const psc_plan *p)
{
	json_t *a = json_array();
	/* one destination per client port (a broker each) and a few more */
	static psc_ct_path ct[PSC_MAX_NEG_ENDPOINTS + 64];
	size_t n = 0;
	char err[512], ip[16], dst[32];
	if (p->psc_ns < 0 ||
	    psc_conntrack_paths(p->ns[p->psc_ns].name, ct,
				sizeof(ct) / sizeof(ct[0]), &n, err,
				sizeof(err)) < 0)
		return a;
	for (size_t i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "%s:%u", ipstr(ct[i].dst, ip),
			 (unsigned)ct[i].dport);
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:I, s:I, s:I}", "namespace",
			p->ns[p->psc_ns].name, "destination", dst,
			"connections", (json_int_t)ct[i].conns, "packets",
			(json_int_t)ct[i].packets, "bytes",
			(json_int_t)ct[i].bytes));
	}
	return a;
}

/* the consumer VPCs' leak watch: where their VMs sent packets other than
 * to their own VPC and PSC endpoint */
static void leaks_of(const psc_plan *p, size_t ns, json_t *out)
{
	psc_nft_leak l[64];
	size_t n = 0;
	char err[512];
	if (psc_nft_leaks(p->ns[ns].name, l, 64, &n, err, sizeof(err)) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack(
			"{s:s, s:s, s:I, s:I}", "namespace", p->ns[ns].name,
			"address", l[i].addr, "packets",
			(json_int_t)l[i].packets, "bytes",
			(json_int_t)l[i].bytes));
}

/* One lab's status document into *o: 0; PSC_LAB_NOT_UP with err when the
 * lab is not up; -1 with err when it cannot be read. */
/* the lab's stage (up --existing-cluster, reconfigure): one line, null
 * for a lab brought up as its topology */
static json_t *stage_json(const char *lab)
{
	psc_stage s;
	char err[512], what[256];
	if (psc_lab_stage_read(lab, &s, err, sizeof(err)) < 0)
		return json_string(err);
	psc_stage_describe(&s, what, sizeof(what));
	json_t *v = s.present ? json_string(what) : json_null();
	psc_stage_free(&s);
	return v;
}

/* the faults set (pscLab fault): id, action, targets, and how to undo */
static json_t *faults_json(const char *lab)
{
	json_t *a = json_array();
	psc_faults *fs = calloc(1, sizeof(*fs));
	char err[256], what[PSC_HOST_LEN * 2 + 64], undo[128];
	if (!fs || psc_lab_faults_read(lab, fs, err, sizeof(err)) < 0) {
		free(fs);
		return a;
	}
	for (size_t i = 0; i < fs->n; i++) {
		const psc_fault *f = &fs->f[i];
		psc_fault_describe(f, what, sizeof(what));
		psc_setf(undo, sizeof(undo), "pscLab fault %s clear %s", lab,
			 f->id);
		if (f->exercise[0]) {   /* the trainee finds it */
			psc_setf(what, sizeof(what), "set by exercise %s: find "
				 "what it broke", f->exercise);
			psc_setf(undo, sizeof(undo), "pscLab check %s %s", lab,
				 f->exercise);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "id",
			f->id, "action", psc_fault_action(f->kind), "fault",
			what, "undo", undo));
	}
	free(fs);
	return a;
}

static int lab_json(const char *lab, json_t **o, char *err, size_t errlen)
{
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	psc_state st;
	int rc = -1;

	*o = NULL;
	memset(&st, 0, sizeof(st));
	if (!p) {
		psc_setf(err, errlen, "out of memory");
		goto out;
	}
	rc = psc_lab_load(lab, &t, p, err, errlen);
	if (rc < 0)
		goto out;
	rc = -1;
	if (psc_state_read(lab, &st, err, errlen) < 0)
		goto out;
	json_t *counters = json_array(), *leaks = json_array();
	for (size_t n = 0; n < p->n_ns; n++) {
		if (p->ns[n].kind == PSC_NS_ROUTER || p->ns[n].kind == PSC_NS_PSC)
			counters_of(p->ns[n].name, counters);
		if (p->ns[n].kind == PSC_NS_ROUTER)
			leaks_of(p, n, leaks);
	}
	*o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		       "s:o, s:o}",
		       "name", lab, "approach", t->approach, "state", st.dir,
		       "nodes", nodes_json(p), "processes", procs_json(&st),
		       "load_balancers", lbs_json(p), "psc", psc_json(p),
		       "dns", dns_json(p), "counters", counters, "leaks", leaks,
		       "traffic", traffic_json(p), "paths", paths_json(p));
	if (*o)
		json_object_set_new(*o, "faults", faults_json(lab));
	if (*o)
		json_object_set_new(*o, "stage", stage_json(lab));
	if (*o)
		rc = 0;
	else
		psc_setf(err, errlen, "lab '%s': cannot build its status", lab);
out:
	psc_state_free(&st);
	psc_topology_free(t);
	free(p);
	return rc;
}

/* ---- text ---- */

static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long i_of(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_nodes(json_t *lab, FILE *out)
{
	size_t i;
	json_t *x;
	fprintf(out, "%-18s %-14s %-17s %-11s %-15s %s\n", "NODE", "VPC",
		"SUBNET", "ZONE", "ADDRESS", "NAMESPACE");
	json_array_foreach(json_object_get(lab, "nodes"), i, x)
		fprintf(out, "%-18s %-14s %-17s %-11s %-15s %s%s\n",
			s_of(x, "name"), s_of(x, "vpc"), s_of(x, "subnet"),
			s_of(x, "zone"), s_of(x, "address"),
			s_of(x, "namespace"),
			json_is_true(json_object_get(x, "present"))
				? "" : " (MISSING)");
}

/* a process started again keeps its old line, "replaced" when it is gone
 * (one still running is "running": down stops it too) */
static void print_processes(json_t *lab, FILE *out)
{
	size_t i;
	json_t *x;
	fprintf(out, "\n%-22s %-8s %-8s %s\n", "PROCESS", "PID", "STATE",
		"NAMESPACE");
	json_array_foreach(json_object_get(lab, "processes"), i, x) {
		const char *what = "DEAD";
		if (json_is_true(json_object_get(x, "alive")))
			what = "running";
		else if (json_is_true(json_object_get(x, "replaced")))
			what = "replaced";
		fprintf(out, "%-22s %-8lld %-8s %s\n", s_of(x, "name"),
			i_of(x, "pid"), what, s_of(x, "namespace"));
	}
}

/* each load balancer: its NEG's port mappings or its instance group's
 * backends with their health */
static void print_load_balancers(json_t *lab, FILE *out)
{
	size_t i, k;
	json_t *x, *m;
	json_array_foreach(json_object_get(lab, "load_balancers"), i, x) {
		fprintf(out, "\nload balancer %s at %s, %s%s%s\n",
			s_of(x, "name"), s_of(x, "address"), s_of(x, "backend"),
			json_is_string(json_object_get(x, "health_check"))
				? ", health check " : "",
			s_of(x, "health_check"));
		json_array_foreach(json_object_get(x, "mappings"), k, m)
			fprintf(out, "  client port %-6lld -> %s %s:%lld\n",
				i_of(m, "client_port"), s_of(m, "instance"),
				s_of(m, "address"), i_of(m, "port"));
		json_array_foreach(json_object_get(x, "backends"), k, m)
			fprintf(out, "  backend %-18s %-15s %s\n",
				s_of(m, "instance"), s_of(m, "address"),
				s_of(m, "health"));
	}
}

static void print_psc_and_dns(json_t *lab, FILE *out)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(lab, "psc"), i, x)
		fprintf(out, "\nPSC endpoint %s %s -> %s (%s %s), NAT %s: "
			"%s%s%s\n", s_of(x, "endpoint"), s_of(x, "address"),
			s_of(x, "service_attachment"), s_of(x, "load_balancer"),
			s_of(x, "forwarding_rule"), s_of(x, "nat_address"),
			s_of(x, "status"), *s_of(x, "reason") ? ": " : "",
			s_of(x, "reason"));
	fprintf(out, "\n%-16s %-48s %s\n", "DNS (VPC)", "NAME", "A");
	json_array_foreach(json_object_get(lab, "dns"), i, x)
		fprintf(out, "%-16s %-48s %s\n", s_of(x, "vpc"),
			s_of(x, "name"), s_of(x, "a"));
}

/* the leak watch, then every rule's counters */
static void print_leaks_and_counters(json_t *lab, FILE *out)
{
	size_t i;
	json_t *x;
	json_t *lk = json_object_get(lab, "leaks");
	fprintf(out, "\nLEAKS (packets from a consumer VPC toward an address "
		"outside it, i.e. not its PSC endpoint): %s\n",
		json_array_size(lk) ? "" : "none");
	json_array_foreach(lk, i, x)
		fprintf(out, "%10lld %12lld  %s (counted in %s)\n",
			i_of(x, "packets"), i_of(x, "bytes"),
			s_of(x, "address"), s_of(x, "namespace"));
	fprintf(out, "\nTRAFFIC (each node's NIC, every packet it carried)\n"
		"%-20s %10s %12s %10s %12s\n", "NODE", "SENT-PKTS",
		"SENT-BYTES", "RECV-PKTS", "RECV-BYTES");
	json_array_foreach(json_object_get(lab, "traffic"), i, x)
		fprintf(out, "%-20s %10lld %12lld %10lld %12lld\n",
			s_of(x, "node"), i_of(x, "sent_packets"),
			i_of(x, "sent_bytes"), i_of(x, "received_packets"),
			i_of(x, "received_bytes"));
	fprintf(out, "\nPATHS through PSC (conntrack in the PSC namespace: "
		"connections open or just closed,\npackets and bytes both "
		"ways)\n%-22s %6s %10s %12s\n", "ENDPOINT", "CONNS",
		"PACKETS", "BYTES");
	json_array_foreach(json_object_get(lab, "paths"), i, x)
		fprintf(out, "%-22s %6lld %10lld %12lld\n",
			s_of(x, "destination"), i_of(x, "connections"),
			i_of(x, "packets"), i_of(x, "bytes"));
	fprintf(out, "\nRULES (an allow or NAT rule sees only the first packet "
		"of each connection:\nCOUNT is connections; a drop rule "
		"counts every packet it dropped)\n%10s %-5s %12s  %s\n",
		"COUNT", "OF", "BYTES", "RULE");
	json_array_foreach(json_object_get(lab, "counters"), i, x) {
		bool conns = strcmp(s_of(x, "counts"), "connections") == 0;
		fprintf(out, "%10lld %-5s %12lld  %s\n", i_of(x, "packets"),
			conns ? "conn" : "pkts", i_of(x, "bytes"),
			s_of(x, "rule"));
	}
}

static void print_faults(json_t *lab, FILE *out)
{
	json_t *fa = json_object_get(lab, "faults");
	if (!json_array_size(fa))
		return;
	fprintf(out, "FAULTS (pscLab fault; undo with the command beside "
		     "each)\n");
	size_t i;
	json_t *x;
	json_array_foreach(fa, i, x)
		fprintf(out, "  %-5s %-50s %s\n", s_of(x, "id"),
			s_of(x, "fault"), s_of(x, "undo"));
	fputc('\n', out);
}

static void print_text(json_t *lab, FILE *out)
{
	fprintf(out, "lab %s (%s), state in %s\n\n", s_of(lab, "name"),
		s_of(lab, "approach"), s_of(lab, "state"));
	if (json_is_string(json_object_get(lab, "stage")))
		fprintf(out, "STAGE (up --existing-cluster; pscLab reconfigure "
			"%s): %s\n\n", s_of(lab, "name"), s_of(lab, "stage"));
	print_faults(lab, out);
	print_nodes(lab, out);
	print_processes(lab, out);
	print_load_balancers(lab, out);
	print_psc_and_dns(lab, out);
	print_leaks_and_counters(lab, out);
}

/* every lab's document: {"labs": [...]} as it is, or as tables */
static void print_labs(json_t *all, bool json, FILE *out)
{
	if (json) {
		json_t *doc = json_pack("{s:O}", "labs", all);
		json_dumpf(doc, out, JSON_INDENT(2));
		fputc('\n', out);
		json_decref(doc);
		return;
	}
	size_t i;
	json_t *x;
	if (json_array_size(all) == 0)
		fprintf(out, "no lab is up\n");
	json_array_foreach(all, i, x) {
		if (i)
			fputc('\n', out);
		print_text(x, out);
	}
}

int psc_lab_status(const char *lab, bool json, FILE *out, char *err,
		   size_t errlen)
{
	char labs[64][PSC_STATE_LAB_LEN];
	size_t n = 0;
	int rc = 0;

	if (lab) {
		snprintf(labs[0], sizeof(labs[0]), "%s", lab);
		n = 1;
	} else {
		psc_state_list(labs, 64, &n);
	}
	json_t *all = json_array();
	for (size_t i = 0; i < n; i++) {
		char e2[512];
		json_t *o;
		int lrc = lab_json(labs[i], &o, e2, sizeof(e2));
		if (lrc < 0 && lab) {
			/* the lab asked for: PSC_LAB_NOT_UP or -1 */
			psc_setf(err, errlen, "%s", e2);
			json_decref(all);
			return lrc;
		}
		if (lrc < 0) {
			fprintf(stderr, "pscLab status: %s\n", e2);
			rc = -1;
			continue;
		}
		json_array_append_new(all, o);
	}
	print_labs(all, json, out);
	json_decref(all);
	if (rc < 0)
		psc_setf(err, errlen, "some labs could not be read");
	return rc;
}
