/* fault.c - faults as data: parsing, checking against the topology, the
 * list, and the model faults' effect (see fault.h). */
#define _GNU_SOURCE
#include "model/fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/consumers.h"

static const struct {
	const char *set, *undo;
	int nargs;                /* targets after the action */
} actions[PSC_FAULT_KINDS] = {
	[PSC_FAULT_STOP] = {"stop", "start", 1},
	[PSC_FAULT_LINK_DOWN] = {"link-down", "link-up", 1},
	[PSC_FAULT_NETEM] = {"netem", "netem <node> clear", 1},
	[PSC_FAULT_FIREWALL] = {"firewall-disable", "firewall-enable", 1},
	[PSC_FAULT_REJECT] = {"reject", "accept", 1},
	[PSC_FAULT_NEG_DROP] = {"neg-drop", "neg-restore", 2},
	[PSC_FAULT_DNS_DROP] = {"dns-drop", "dns-restore", 2},
	[PSC_FAULT_KILL] = {"kill", "start", 1},
};

const char *psc_fault_action(psc_fault_kind k)
{
	return k < PSC_FAULT_KINDS ? actions[k].set : "?";
}

const char *psc_fault_undo_action(psc_fault_kind k)
{
	return k < PSC_FAULT_KINDS ? actions[k].undo : "?";
}

int psc_fault_kind_of(const char *action, bool *undo)
{
	for (int k = 0; k < PSC_FAULT_KINDS; k++) {
		if (strcmp(action, actions[k].set) == 0) {
			*undo = false;
			return k;
		}
		if (strcmp(action, actions[k].undo) == 0) {
			*undo = true;
			return k;
		}
	}
	return -1;
}

bool psc_fault_is_model(psc_fault_kind k)
{
	return k == PSC_FAULT_FIREWALL || k == PSC_FAULT_REJECT ||
	       k == PSC_FAULT_NEG_DROP || k == PSC_FAULT_DNS_DROP;
}

void psc_fault_describe(const psc_fault *f, char *out, size_t len)
{
	int n = snprintf(out, len, "%s %s%s%s", psc_fault_action(f->kind),
			 f->arg[0], f->arg[1][0] ? " " : "", f->arg[1]);
	if (f->kind != PSC_FAULT_NETEM || n < 0 || (size_t)n >= len)
		return;
	if (f->delay_ms)
		n += snprintf(out + n, len - (size_t)n, " delay=%ld",
			      f->delay_ms);
	if (f->loss_pct && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, " loss=%ld",
			      f->loss_pct);
	if (f->rate_kbit && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " rate=%ld", f->rate_kbit);
}

/* ---- the valid targets of each action, listed on a bad one ---- */

/* a growing ", "-separated list, bounded */
typedef struct names {
	char s[2048];
	size_t n;
} names;

static void add_name(names *l, const char *a, const char *b)
{
	int w = snprintf(l->s + l->n, sizeof(l->s) - l->n, "%s%s%s%s",
			 l->n ? ", " : "", a, b ? " " : "", b ? b : "");
	if (w > 0 && (size_t)w < sizeof(l->s) - l->n)
		l->n += (size_t)w;
}

/* kafka_proxy's VMs, and kafka_proxies[]' (the seed's FAQ) */
static bool is_proxy_vm(const psc_topology *t, const char *name)
{
	return psc_kafka_proxy_on(t, name) != NULL;
}

/* the nodes whose process `kill` SIGKILLs: brokers and kafka-proxies
 * (a crash of the Kafka side; the lab's own services are stopped) */
static bool kill_target(const psc_topology *t, const char *name, names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_instances; i++) {
		const char *in = t->instances[i].name;
		if (!psc_find_broker_by_instance((psc_kafka *)&t->kafka, in) &&
		    !is_proxy_vm(t, in))
			continue;
		add_name(all, in, NULL);
		ok = ok || strcmp(in, name) == 0;
	}
	return ok;
}

/* the nodes whose process `stop` stops: kill's, each VPC's DNS stub
 * (dns-<network>), the health checker */
static bool stop_target(const psc_topology *t, const char *name, names *all)
{
	bool ok = kill_target(t, name, all);
	for (size_t i = 0; i < t->n_networks; i++) {
		char dns[PSC_NAME_LEN + 8];
		snprintf(dns, sizeof(dns), "dns-%s", t->networks[i].name);
		add_name(all, dns, NULL);
		ok = ok || strcmp(dns, name) == 0;
	}
	if (t->n_health_checks) {
		add_name(all, "health-checker", NULL);
		ok = ok || strcmp(name, "health-checker") == 0;
	}
	return ok;
}

static bool vm_target(const psc_topology *t, const char *name, bool psc,
		      names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_instances; i++) {
		add_name(all, t->instances[i].name, NULL);
		ok = ok || strcmp(t->instances[i].name, name) == 0;
	}
	if (psc && t->n_psc_endpoints) {
		add_name(all, "psc", NULL);
		ok = ok || strcmp(name, "psc") == 0;
	}
	return ok;
}

static bool firewall_target(const psc_topology *t, const char *name,
			    names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_firewalls; j++) {
			const char *r = t->networks[i].firewalls[j].name;
			add_name(all, r, NULL);
			ok = ok || strcmp(r, name) == 0;
		}
	return ok;
}

static bool project_target(const psc_topology *t, const char *name,
			   names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *sa = &t->service_attachments[i];
		for (size_t j = 0; j < sa->n_consumer_accept_lists; j++) {
			const char *pr = sa->consumer_accept_lists[j].project;
			add_name(all, pr, NULL);
			ok = ok || strcmp(pr, name) == 0;
		}
	}
	return ok;
}

static bool neg_target(const psc_topology *t, const char *neg,
		       const char *inst, names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *g = &t->network_endpoint_groups[i];
		for (size_t j = 0; j < g->n_endpoints; j++) {
			add_name(all, g->name, g->endpoints[j].instance);
			ok = ok || (strcmp(g->name, neg) == 0 &&
				    strcmp(g->endpoints[j].instance, inst) == 0);
		}
	}
	return ok;
}

static bool dns_target(const psc_topology *t, const char *zone,
		       const char *rec, names *all)
{
	bool ok = false;
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		for (size_t j = 0; j < z->n_records; j++) {
			char q[PSC_HOST_LEN + 2];
			/* '*' quoted, as a shell needs it */
			snprintf(q, sizeof(q), strcmp(z->records[j].name, "*")
						       ? "%s" : "'%s'",
				 z->records[j].name);
			add_name(all, z->name, q);
			ok = ok || (strcmp(z->name, zone) == 0 &&
				    strcmp(z->records[j].name, rec) == 0);
		}
	}
	return ok;
}

static bool target_ok(const psc_topology *t, const psc_fault *f, names *all)
{
	switch (f->kind) {
	case PSC_FAULT_STOP:
		return stop_target(t, f->arg[0], all);
	case PSC_FAULT_KILL:
		return kill_target(t, f->arg[0], all);
	case PSC_FAULT_LINK_DOWN:
		return vm_target(t, f->arg[0], true, all);
	case PSC_FAULT_NETEM:
		return vm_target(t, f->arg[0], false, all);
	case PSC_FAULT_FIREWALL:
		return firewall_target(t, f->arg[0], all);
	case PSC_FAULT_REJECT:
		return project_target(t, f->arg[0], all);
	case PSC_FAULT_NEG_DROP:
		return neg_target(t, f->arg[0], f->arg[1], all);
	case PSC_FAULT_DNS_DROP:
		return dns_target(t, f->arg[0], f->arg[1], all);
	default:
		return false;
	}
}

/* netem's delay=MS loss=PCT rate=KBIT, or "clear" (its undo) */
static int parse_netem(psc_fault *f, int argc, char *const argv[], bool *undo,
		       char *err, size_t errlen)
{
	static const struct {
		const char *key;
		long lo, hi;
		size_t off;
	} opts[] = {
		{"delay", 1, 60000, offsetof(psc_fault, delay_ms)},
		{"loss", 1, 100, offsetof(psc_fault, loss_pct)},
		{"rate", 8, 10000000, offsetof(psc_fault, rate_kbit)},
	};
	if (argc == 3 && strcmp(argv[2], "clear") == 0) {
		*undo = true;
		return 0;
	}
	if (argc < 3) {
		snprintf(err, errlen, "netem %s: say what to do: delay=MS "
			 "(1..60000), loss=PCT (1..100), rate=KBIT "
			 "(8..10000000), or clear", f->arg[0]);
		return -1;
	}
	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t k = 0, nk = sizeof(opts) / sizeof(opts[0]);
		for (; eq && k < nk; k++)
			if (strlen(opts[k].key) == (size_t)(eq - argv[i]) &&
			    strncmp(argv[i], opts[k].key, (size_t)(eq - argv[i]))
				    == 0)
				break;
		char *end = NULL;
		long v = eq && k < nk ? strtol(eq + 1, &end, 10) : 0;
		if (!eq || k == nk || !end || *end || end == eq + 1 ||
		    v < opts[k].lo || v > opts[k].hi) {
			snprintf(err, errlen, "netem: '%s' is not one of "
				 "delay=MS (1..60000), loss=PCT (1..100), "
				 "rate=KBIT (8..10000000)", argv[i]);
			return -1;
		}
		*(long *)((char *)f + opts[k].off) = v;
	}
	*undo = false;
	return 0;
}

static void all_actions(char *out, size_t len)
{
	size_t n = 0;
	for (int k = 0; k < PSC_FAULT_KINDS && n < len; k++) {
		int w = snprintf(out + n, len - n, "%s%s|%s", k ? ", " : "",
				 actions[k].set, k == PSC_FAULT_NETEM
						 ? "clear" : actions[k].undo);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

int psc_fault_parse(const psc_topology *t, int argc, char *const argv[],
		    psc_fault *f, bool *undo, char *err, size_t errlen)
{
	char list[512];
	memset(f, 0, sizeof(*f));
	int k = argc > 0 ? psc_fault_kind_of(argv[0], undo) : -1;
	if (k < 0) {
		all_actions(list, sizeof(list));
		snprintf(err, errlen, "'%s' is not a fault action; the actions: "
			 "%s, clear [<id>|all]", argc > 0 ? argv[0] : "", list);
		return -1;
	}
	f->kind = (psc_fault_kind)k;
	int want = actions[k].nargs;
	bool netem = f->kind == PSC_FAULT_NETEM;
	if (argc < 1 + want || (!netem && argc != 1 + want)) {
		snprintf(err, errlen, "%s takes %s", argv[0],
			 want == 2 ? (f->kind == PSC_FAULT_NEG_DROP
					      ? "<neg> <instance>"
					      : "<zone> <record>")
			 : netem ? "<node> delay=MS loss=PCT rate=KBIT | "
				   "<node> clear"
				 : "one target");
		return -1;
	}
	for (int i = 0; i < want; i++)
		if (snprintf(f->arg[i], sizeof(f->arg[i]), "%s", argv[1 + i]) >=
		    (int)sizeof(f->arg[i])) {
			snprintf(err, errlen, "%s: '%.40s...' is too long",
				 argv[0], argv[1 + i]);
			return -1;
		}
	names *all = calloc(1, sizeof(*all));
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bool ok = target_ok(t, f, all);
	if (!ok)
		snprintf(err, errlen, "%s: '%s%s%s' is not a target of lab "
			 "'%s'; the targets: %s", argv[0], f->arg[0],
			 want == 2 ? " " : "", f->arg[1], t->name,
			 all->n ? all->s : "none");
	free(all);
	if (!ok)
		return -1;
	if (netem)
		return parse_netem(f, argc, argv, undo, err, errlen);
	return 0;
}

/* ---- the list ---- */

/* stop and kill of a node: one slot (its process is down either way) */
static psc_fault_kind slot_of(psc_fault_kind k)
{
	return k == PSC_FAULT_KILL ? PSC_FAULT_STOP : k;
}

psc_fault *psc_faults_find(psc_faults *fs, const psc_fault *f)
{
	for (size_t i = 0; i < fs->n; i++)
		if (slot_of(fs->f[i].kind) == slot_of(f->kind) &&
		    strcmp(fs->f[i].arg[0], f->arg[0]) == 0 &&
		    strcmp(fs->f[i].arg[1], f->arg[1]) == 0)
			return &fs->f[i];
	return NULL;
}

psc_fault *psc_faults_by_id(psc_faults *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].id, id) == 0)
			return &fs->f[i];
	return NULL;
}

int psc_faults_add(psc_faults *fs, psc_fault *f, char *err, size_t errlen)
{
	char what[PSC_HOST_LEN * 2 + 64];
	const psc_fault *same = psc_faults_find(fs, f);
	if (same) {
		psc_fault_describe(same, what, sizeof(what));
		snprintf(err, errlen, "%s is set already, as %s", what,
			 same->id);
		return -1;
	}
	if (fs->n >= PSC_MAX_FAULTS) {
		snprintf(err, errlen, "%d faults are set, the most a lab takes: "
			 "clear some first", PSC_MAX_FAULTS);
		return -1;
	}
	if (fs->next_id < 1)
		fs->next_id = 1;
	snprintf(f->id, sizeof(f->id), "f%ld", fs->next_id++ % 100000);
	fs->f[fs->n++] = *f;
	return 0;
}

void psc_faults_remove(psc_faults *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].id, id) == 0) {
			memmove(&fs->f[i], &fs->f[i + 1],
				(fs->n - i - 1) * sizeof(fs->f[0]));
			fs->n--;
			return;
		}
}

/* ---- the model faults ---- */

static int disable_rule(psc_topology *t, const char *name)
{
	int hit = -1;
	for (size_t i = 0; i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_firewalls; j++)
			if (strcmp(t->networks[i].firewalls[j].name, name) ==
			    0) {
				t->networks[i].firewalls[j].disabled = true;
				hit = 0;
			}
	return hit;
}

static int reject_project(psc_topology *t, const char *project)
{
	int hit = -1;
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		psc_service_attachment *sa = &t->service_attachments[i];
		for (size_t j = 0; j < sa->n_consumer_accept_lists; j++) {
			if (strcmp(sa->consumer_accept_lists[j].project,
				   project) != 0)
				continue;
			memmove(&sa->consumer_accept_lists[j],
				&sa->consumer_accept_lists[j + 1],
				(sa->n_consumer_accept_lists - j - 1) *
					sizeof(sa->consumer_accept_lists[0]));
			sa->n_consumer_accept_lists--;
			j--;
			hit = 0;
			if (sa->n_consumer_reject_lists < PSC_MAX_ACCEPT)
				snprintf(sa->consumer_reject_lists
						 [sa->n_consumer_reject_lists++],
					 PSC_NAME_LEN, "%.63s", project);
		}
	}
	return hit;
}

static int drop_endpoint(psc_topology *t, const char *neg, const char *inst)
{
	psc_neg *g = psc_find_neg(t, neg);
	for (size_t j = 0; g && j < g->n_endpoints; j++)
		if (strcmp(g->endpoints[j].instance, inst) == 0) {
			memmove(&g->endpoints[j], &g->endpoints[j + 1],
				(g->n_endpoints - j - 1) *
					sizeof(g->endpoints[0]));
			g->n_endpoints--;
			return 0;
		}
	return -1;
}

static int drop_record(psc_topology *t, const char *zone, const char *rec)
{
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		psc_dns_zone *z = &t->dns_zones[i];
		if (strcmp(z->name, zone) != 0)
			continue;
		for (size_t j = 0; j < z->n_records; j++)
			if (strcmp(z->records[j].name, rec) == 0) {
				memmove(&z->records[j], &z->records[j + 1],
					(z->n_records - j - 1) *
						sizeof(z->records[0]));
				z->n_records--;
				return 0;
			}
	}
	return -1;
}

int psc_fault_apply(psc_topology *t, const psc_fault *f, char *err,
		    size_t errlen)
{
	int rc = 0;
	switch (f->kind) {
	case PSC_FAULT_FIREWALL:
		rc = disable_rule(t, f->arg[0]);
		break;
	case PSC_FAULT_REJECT:
		rc = reject_project(t, f->arg[0]);
		break;
	case PSC_FAULT_NEG_DROP:
		rc = drop_endpoint(t, f->arg[0], f->arg[1]);
		break;
	case PSC_FAULT_DNS_DROP:
		rc = drop_record(t, f->arg[0], f->arg[1]);
		break;
	default:
		return 0;
	}
	if (rc < 0) {
		char what[PSC_HOST_LEN * 2 + 64];
		psc_fault_describe(f, what, sizeof(what));
		snprintf(err, errlen, "fault %s (%s): its target is not in the "
			 "lab's topology", f->id, what);
	}
	return rc;
}
