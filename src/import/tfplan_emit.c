/* tfplan_emit.c - the imported topology as YAML text with a comment per
 * object naming its Terraform address, and the line -> (address,
 * attribute) map lint findings are reported through (tfplan_emit.h).
 * Also the atomic write of the result (psc_import_write).
 *
 * What it may touch: memory, and the output file psc_import_write is
 * given (a temporary file beside it, renamed over it).  The shared plans
 * give files of about 230 lines. */
#define _POSIX_C_SOURCE 200809L
#include "import/tfplan_emit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "import/tfplan_names.h"

struct em {
	psc_import *im;
	char *buf;
	size_t len, cap, lcap;
	bool oom;
};

/* ---- scalars and lines ---- */

char *psc_yaml_scalar(const char *s, char *out, size_t len)
{
	static const char *const special[] = {"true", "false", "null", "yes",
					      "no", "on", "off", "y", "n",
					      "True", "False", "Null", "NULL",
					      "TRUE", "FALSE", NULL};
	bool plain = (s[0] >= 'a' && s[0] <= 'z') ||
		     (s[0] >= 'A' && s[0] <= 'Z');
	for (const char *c = s; plain && *c; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
			       "VWXYZ0123456789._/-", *c) != NULL;
	for (size_t i = 0; plain && special[i]; i++)
		plain = strcmp(s, special[i]) != 0;
	if (plain) {
		psc_setf(out, len, "%s", s);
		return out;
	}
	size_t n = 0;
	out[n++] = '"';
	for (const unsigned char *c = (const unsigned char *)s;
	     *c && n + 6 < len; c++) {
		if (*c == '"' || *c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*c;
		} else if (*c < 0x20 || *c == 0x7f) {
			n += (size_t)snprintf(out + n, len - n, "\\x%02x", *c);
		} else {
			out[n++] = (char)*c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* one line of text, its origin recorded */
static void line(struct em *e, const char *addr, const char *attr,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line(struct em *e, const char *addr, const char *attr,
		 const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || e->oom)
		return;
	if ((size_t)n >= sizeof(tmp) - 1)
		n = (int)sizeof(tmp) - 2;
	tmp[n++] = '\n';
	if (e->len + (size_t)n + 1 > e->cap) {
		size_t cap = (e->cap + (size_t)n) * 2 + 4096;
		char *b = realloc(e->buf, cap);
		if (!b) {
			e->oom = true;
			return;
		}
		e->buf = b;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, tmp, (size_t)n);
	e->len += (size_t)n;
	e->buf[e->len] = '\0';
	psc_import *im = e->im;
	if (im->n_lines == e->lcap) {
		size_t cap = e->lcap ? e->lcap * 2 : 256;
		psc_import_line *v = realloc(im->lines, cap * sizeof(*v));
		if (!v) {
			e->oom = true;
			return;
		}
		im->lines = v;
		e->lcap = cap;
	}
	psc_import_line *l = &im->lines[im->n_lines++];
	PSC_SET(l->address, "%s", addr ? addr : "");
	PSC_SET(l->attr, "%s", attr ? attr : "");
}

/* what a comment may hold: no line breaks or control characters */
static const char *clean(const char *s, char *out, size_t len)
{
	size_t n = 0;
	for (; *s && n + 1 < len; s++)
		out[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
	out[n] = '\0';
	return out;
}

static const char *addr_of(const struct em *e, const void *obj, int role)
{
	const psc_import_origin *o = psc_import_origin_get(e->im, obj, role);
	return o ? o->address : "(unknown)";
}

static void comment(struct em *e, int ind, const char *addr,
		    const char *text)
{
	char c[PSC_TF_ADDR_LEN * 2];
	line(e, addr, "", "%*s# %s", ind, "", clean(text, c, sizeof(c)));
}

/* key: "value" (dash: the first key of a list item) */
static void kvs(struct em *e, int ind, bool dash, const char *key,
		const char *val, const char *addr, const char *attr)
{
	char q[1200];
	line(e, addr, attr, "%*s%s%s: %s", ind, "", dash ? "- " : "", key,
	     psc_yaml_scalar(val, q, sizeof(q)));
}

static void kvi(struct em *e, int ind, const char *key, long v,
		const char *addr, const char *attr)
{
	line(e, addr, attr, "%*s%s: %ld", ind, "", key, v);
}

/* key: [a, b] from n strings of elem bytes each */
static void kvl(struct em *e, int ind, const char *key, const char *arr,
		size_t n, size_t elem, const char *addr, const char *attr)
{
	char out[3000] = "", q[600];
	for (size_t i = 0; i < n; i++)
		psc_appendf(out, sizeof(out), "%s%s", i ? ", " : "",
			    psc_yaml_scalar(arr + i * elem, q, sizeof(q)));
	line(e, addr, attr, "%*s%s: [%s]", ind, "", key, out);
}

/* ---- the customer's side ---- */

static void em_fw_rules(struct em *e, const char *key, const psc_fw_rule *v,
			size_t n, const char *a)
{
	if (!n)
		return;
	line(e, a, key, "        %s:", key);
	for (size_t i = 0; i < n; i++) {
		kvs(e, 10, true, "protocol", v[i].protocol, a, key);
		if (v[i].n_ports)
			kvl(e, 12, "ports", v[i].ports[0], v[i].n_ports,
			    sizeof(v[i].ports[0]), a, key);
	}
}

static void em_firewall(struct em *e, const psc_firewall *f)
{
	const char *a = addr_of(e, f, 0);
	comment(e, 6, a, a);
	kvs(e, 6, true, "name", f->name, a, "name");
	if (f->direction[0])
		kvs(e, 8, false, "direction", f->direction, a, "direction");
	kvi(e, 8, "priority", f->priority, a, "priority");
	if (f->disabled)
		line(e, a, "disabled", "        disabled: true");
	if (f->n_source_ranges)
		kvl(e, 8, "source_ranges", f->source_ranges[0],
		    f->n_source_ranges, 48, a, "source_ranges");
	if (f->n_destination_ranges)
		kvl(e, 8, "destination_ranges", f->destination_ranges[0],
		    f->n_destination_ranges, 48, a, "destination_ranges");
	if (f->n_source_tags)
		kvl(e, 8, "source_tags", f->source_tags[0], f->n_source_tags,
		    PSC_NAME_LEN, a, "source_tags");
	if (f->n_target_tags)
		kvl(e, 8, "target_tags", f->target_tags[0], f->n_target_tags,
		    PSC_NAME_LEN, a, "target_tags");
	em_fw_rules(e, "allow", f->allow, f->n_allow, a);
	em_fw_rules(e, "deny", f->deny, f->n_deny, a);
}

static void em_networks(struct em *e)
{
	const psc_topology *t = e->im->t;
	line(e, "", "", "%s", "");
	line(e, "", "", "networks:");
	for (size_t i = 0; i < t->n_networks; i++) {
		const psc_network *n = &t->networks[i];
		const char *a = addr_of(e, n, 0);
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", n->name, a, "name");
		kvs(e, 4, false, "project", n->project, a, "project");
		line(e, a, "", "    subnetworks:");
		for (size_t j = 0; j < n->n_subnetworks; j++) {
			const psc_subnet *s = &n->subnetworks[j];
			const char *sa = addr_of(e, s, 0);
			comment(e, 6, sa, sa);
			kvs(e, 6, true, "name", s->name, sa, "name");
			kvs(e, 8, false, "region", s->region, sa, "region");
			kvs(e, 8, false, "ip_cidr_range", s->ip_cidr_range, sa,
			    "ip_cidr_range");
			if (s->purpose[0])
				kvs(e, 8, false, "purpose", s->purpose, sa,
				    "purpose");
		}
		if (n->n_firewalls)
			line(e, a, "", "    firewalls:");
		for (size_t j = 0; j < n->n_firewalls; j++)
			em_firewall(e, &n->firewalls[j]);
	}
}

static void em_instances(struct em *e)
{
	const psc_topology *t = e->im->t;
	const char *ni = "network_interface.0.subnetwork";
	line(e, "", "", "%s", "");
	line(e, "", "", "instances:");
	for (size_t i = 0; i < t->n_instances; i++) {
		const psc_instance *in = &t->instances[i];
		const char *a = addr_of(e, in, 0);
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", in->name, a, "name");
		kvs(e, 4, false, "zone", in->zone, a, "zone");
		if (in->machine_type[0])
			kvs(e, 4, false, "machine_type", in->machine_type, a,
			    "machine_type");
		if (in->image[0])
			kvs(e, 4, false, "image", in->image, a,
			    "boot_disk.0.initialize_params.0.image");
		kvs(e, 4, false, "network", in->network, a, ni);
		kvs(e, 4, false, "subnetwork", in->subnetwork, a, ni);
		if (e->im->assigned_ip[i]) {
			char c[300];
			PSC_SET(c, "network_ip is not in the plan: GCP picks it "
				"at apply; this is the address the lab gives "
				"(the first free one of %s from .2 up, in this "
				"file's order)", in->subnetwork);
			comment(e, 4, a, c);
		}
		if (in->network_ip[0])
			kvs(e, 4, false, "network_ip", in->network_ip, a,
			    "network_interface.0.network_ip");
		kvs(e, 4, false, "external_ip", in->external_ip, a,
		    "network_interface.0.access_config");
		if (in->n_tags)
			kvl(e, 4, "tags", in->tags[0], in->n_tags, PSC_NAME_LEN,
			    a, "tags");
	}
}

/* ---- Kafka ---- */

static void em_kafka_model(struct em *e)
{
	const psc_kafka *k = &e->im->t->kafka;
	const char *a = addr_of(e, k, 0), *at = "--kafka";
	comment(e, 0, a, "Kafka is not in the plan: the seed's KRaft cluster, "
		"brokers as README's \"Check your own plan\" says");
	line(e, a, at, "kafka:");
	kvs(e, 2, false, "cluster_id", k->cluster_id, a, at);
	kvl(e, 2, "process_roles", k->process_roles[0], k->n_process_roles,
	    PSC_NAME_LEN, a, at);
	line(e, a, at, "  listeners:");
	for (size_t i = 0; i < k->n_listeners; i++) {
		kvs(e, 4, true, "name", k->listeners[i].name, a, at);
		kvs(e, 6, false, "host", k->listeners[i].host, a, at);
		kvi(e, 6, "port", k->listeners[i].port, a, at);
	}
	line(e, a, at, "  protocol_map:");
	for (size_t i = 0; i < k->n_protocol_map; i++)
		kvs(e, 4, false, k->protocol_map[i].listener,
		    k->protocol_map[i].protocol, a, at);
	kvs(e, 2, false, "inter_broker_listener", k->inter_broker_listener, a,
	    at);
	kvs(e, 2, false, "controller_listener", k->controller_listener, a, at);
	if (k->external_listener[0])
		kvs(e, 2, false, "external_listener", k->external_listener, a,
		    at);
	kvl(e, 2, "quorum_voters", k->quorum_voters[0], k->n_quorum_voters,
	    PSC_ADDR_LEN, a, at);
	kvs(e, 2, false, "log_dirs", k->log_dirs, a, at);
	line(e, a, at, "  brokers:");
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		kvs(e, 4, true, "instance", b->instance, a, at);
		kvi(e, 6, "node_id", b->node_id, a, at);
		kvs(e, 6, false, "broker_id", b->broker_id, a, at);
		if (b->external_port)
			kvi(e, 6, "external_port", b->external_port, a, at);
	}
}

static void em_kafka_proxy(struct em *e)
{
	const psc_kafka_proxy *kp = &e->im->t->kafka_proxy;
	const char *a = addr_of(e, kp, 0), *at = "--kafka";
	line(e, "", "", "%s", "");
	comment(e, 0, a, "kafka-proxy is not in the plan: the seed's flags");
	line(e, a, at, "kafka_proxy:");
	kvs(e, 2, false, "instance", kp->instance, a, at);
	if (kp->n_additional_instances)
		kvl(e, 2, "additional_instances", kp->additional_instances[0],
		    kp->n_additional_instances, PSC_NAME_LEN, a, at);
	line(e, a, at, "  bootstrap_server_mappings:");
	for (size_t i = 0; i < kp->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &kp->bootstrap_server_mappings[i];
		kvs(e, 4, true, "upstream", m->upstream, a, at);
		kvs(e, 6, false, "listen", m->listen, a, at);
		kvs(e, 6, false, "advertised", m->advertised, a, at);
	}
	kvi(e, 2, "dynamic_sequential_min_port",
	    kp->dynamic_sequential_min_port, a, at);
	kvs(e, 2, false, "dynamic_advertised_listener",
	    kp->dynamic_advertised_listener, a, at);
	kvs(e, 2, false, "http_listen_address", kp->http_listen_address, a,
	    at);
}

/* the --kafka fragment, line by line, each mapped to its own line there */
static void em_kafka_text(struct em *e)
{
	char c[4200], where[4200];
	const char *s = e->im->kafka_text;
	PSC_SET(c, "from --kafka %s (line %d on)", e->im->kafka_file,
		e->im->kafka_line);
	comment(e, 0, "(--kafka)", c);
	for (int l = e->im->kafka_line; *s; l++) {
		size_t n = strcspn(s, "\n");
		PSC_SET(where, "(--kafka %.4000s:%d)", e->im->kafka_file, l);
		line(e, where, "", "%.*s", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void em_kafka(struct em *e)
{
	line(e, "", "", "%s", "");
	if (e->im->kafka_text)
		em_kafka_text(e);
	else
		em_kafka_model(e);
	if (e->im->t->kafka_proxy.present)
		em_kafka_proxy(e);
}

/* ---- load balancing and PSC ---- */

static void em_negs(struct em *e)
{
	const psc_topology *t = e->im->t;
	if (!t->n_network_endpoint_groups)
		return;
	line(e, "", "", "%s", "");
	line(e, "", "", "network_endpoint_groups:");
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++) {
		const psc_neg *g = &t->network_endpoint_groups[i];
		const char *a = addr_of(e, g, 0);
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", g->name, a, "name");
		kvs(e, 4, false, "type", g->type, a, "network_endpoint_type");
		kvs(e, 4, false, "region", g->region, a, "region");
		kvs(e, 4, false, "network", g->network, a, "network");
		kvs(e, 4, false, "subnetwork", g->subnetwork, a, "subnetwork");
		line(e, a, "", "    endpoints:");
		for (size_t j = 0; j < g->n_endpoints; j++) {
			const psc_neg_endpoint *p = &g->endpoints[j];
			const char *pa = addr_of(e, p, 0);
			comment(e, 6, pa, pa);
			kvs(e, 6, true, "instance", p->instance, pa, "instance");
			kvi(e, 8, "port", p->port, pa, "port");
			kvi(e, 8, "client_port", p->client_port, pa,
			    "client_destination_port");
		}
	}
}

static void em_groups(struct em *e)
{
	const psc_topology *t = e->im->t;
	if (t->n_instance_groups) {
		line(e, "", "", "%s", "");
		line(e, "", "", "instance_groups:");
	}
	for (size_t i = 0; i < t->n_instance_groups; i++) {
		const psc_instance_group *g = &t->instance_groups[i];
		const char *a = addr_of(e, g, 0);
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", g->name, a, "name");
		kvs(e, 4, false, "zone", g->zone, a, "zone");
		kvl(e, 4, "instances", g->instances[0], g->n_instances,
		    PSC_NAME_LEN, a, "instances");
	}
	if (t->n_health_checks) {
		line(e, "", "", "%s", "");
		line(e, "", "", "health_checks:");
	}
	for (size_t i = 0; i < t->n_health_checks; i++) {
		const psc_health_check *h = &t->health_checks[i];
		const char *a = addr_of(e, h, 0);
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", h->name, a, "name");
		kvs(e, 4, false, "region", h->region, a, "region");
		kvs(e, 4, false, "protocol", h->protocol, a, "tcp_health_check");
		kvi(e, 4, "port", h->port, a, "tcp_health_check.0.port");
		kvi(e, 4, "check_interval_sec", h->check_interval_sec, a,
		    "check_interval_sec");
		kvi(e, 4, "timeout_sec", h->timeout_sec, a, "timeout_sec");
		kvi(e, 4, "healthy_threshold", h->healthy_threshold, a,
		    "healthy_threshold");
		kvi(e, 4, "unhealthy_threshold", h->unhealthy_threshold, a,
		    "unhealthy_threshold");
	}
}

static void em_lbs(struct em *e)
{
	const psc_topology *t = e->im->t;
	line(e, "", "", "%s", "");
	line(e, "", "", "load_balancers:");
	for (size_t i = 0; i < t->n_load_balancers; i++) {
		const psc_load_balancer *lb = &t->load_balancers[i];
		const char *a = addr_of(e, lb, 0), *f = addr_of(e, lb, 1);
		char c[PSC_TF_ADDR_LEN * 2 + 40];
		PSC_SET(c, "%s + %s", a, f);
		comment(e, 2, a, c);
		kvs(e, 2, true, "name", lb->name, a, "name");
		kvs(e, 4, false, "scheme", lb->scheme, a,
		    "load_balancing_scheme");
		kvs(e, 4, false, "region", lb->region, a, "region");
		kvs(e, 4, false, "network", lb->network, a, "network");
		if (lb->protocol[0])
			kvs(e, 4, false, "protocol", lb->protocol, a,
			    "protocol");
		kvl(e, 4, "backends", lb->backends[0], lb->n_backends,
		    PSC_NAME_LEN, a, "backend.group");
		if (lb->health_check[0])
			kvs(e, 4, false, "health_check", lb->health_check, a,
			    "health_checks");
		if (lb->session_affinity[0])
			kvs(e, 4, false, "session_affinity",
			    lb->session_affinity, a, "session_affinity");
		kvs(e, 4, false, "subnetwork", lb->subnetwork, f, "subnetwork");
		if (lb->ip_address[0])
			kvs(e, 4, false, "ip_address", lb->ip_address, f,
			    "ip_address");
		kvs(e, 4, false, "ports", lb->ports, f, "all_ports");
	}
}

static void em_sas(struct em *e)
{
	const psc_topology *t = e->im->t;
	line(e, "", "", "%s", "");
	line(e, "", "", "service_attachments:");
	for (size_t i = 0; i < t->n_service_attachments; i++) {
		const psc_service_attachment *s = &t->service_attachments[i];
		const char *a = addr_of(e, s, 0), *cl = "consumer_accept_lists";
		comment(e, 2, a, a);
		kvs(e, 2, true, "name", s->name, a, "name");
		kvs(e, 4, false, "region", s->region, a, "region");
		kvs(e, 4, false, "target", s->target, a, "target_service");
		kvl(e, 4, "nat_subnets", s->nat_subnets[0], s->n_nat_subnets,
		    PSC_NAME_LEN, a, "nat_subnets");
		kvs(e, 4, false, "connection_preference",
		    s->connection_preference, a, "connection_preference");
		if (s->n_consumer_accept_lists)
			line(e, a, cl, "    consumer_accept_lists:");
		for (size_t j = 0; j < s->n_consumer_accept_lists; j++) {
			const psc_accept *c = &s->consumer_accept_lists[j];
			kvs(e, 6, true, "project", c->project, a, cl);
			kvi(e, 8, "connection_limit", c->connection_limit, a,
			    cl);
		}
		if (s->n_consumer_reject_lists)
			kvl(e, 4, "consumer_reject_lists",
			    s->consumer_reject_lists[0],
			    s->n_consumer_reject_lists, PSC_NAME_LEN, a,
			    "consumer_reject_lists");
		if (s->enable_proxy_protocol)
			line(e, a, "enable_proxy_protocol",
			     "    enable_proxy_protocol: true");
	}
}

/* ---- TiDB Cloud's side ---- */

static void em_tidbcloud(struct em *e)
{
	const psc_tidbcloud *tc = &e->im->t->tidbcloud;
	const char *a = addr_of(e, tc, 0);
	line(e, "", "", "%s", "");
	comment(e, 0, a, "TiDB Cloud's deployment information: not in the "
		"plan, assumed (pscLab import --help)");
	line(e, a, "", "tidbcloud:");
	kvs(e, 2, false, "region", tc->region, a, "--region");
	kvs(e, 2, false, "project", tc->project, a, "--tidbcloud-project");
	kvl(e, 2, "zones", tc->zones[0], tc->n_zones, PSC_NAME_LEN, a,
	    "--region");
	kvs(e, 2, false, "unique", tc->unique, a, "--unique");
	kvs(e, 2, false, "advertised_listener_pattern",
	    tc->advertised_listener_pattern, a, "--pattern");
}

static void em_consumer(struct em *e)
{
	const psc_topology *t = e->im->t;
	line(e, "", "", "%s", "");
	comment(e, 0, "", "---- TiDB Cloud's side, made by the lab as TiDB "
		"Cloud would ----");
	line(e, "", "", "psc_endpoints:");
	for (size_t i = 0; i < t->n_psc_endpoints; i++) {
		const psc_endpoint *p = &t->psc_endpoints[i];
		const char *a = addr_of(e, p, 0);
		kvs(e, 2, true, "name", p->name, a, "");
		kvs(e, 4, false, "network", p->network, a, "");
		kvs(e, 4, false, "subnetwork", p->subnetwork, a, "");
		kvs(e, 4, false, "ip_address", p->ip_address, a, "");
		kvs(e, 4, false, "target", p->target, a, "");
	}
	line(e, "", "", "%s", "");
	line(e, "", "", "dns_zones:");
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		const char *a = addr_of(e, z, 0);
		kvs(e, 2, true, "name", z->name, a, "");
		kvs(e, 4, false, "dns_name", z->dns_name, a, "--pattern");
		kvs(e, 4, false, "visibility", z->visibility, a, "");
		kvl(e, 4, "networks", z->networks[0], z->n_networks,
		    PSC_NAME_LEN, a, "");
		line(e, a, "", "    records:");
		for (size_t j = 0; j < z->n_records; j++) {
			kvs(e, 6, true, "name", z->records[j].name, a, "");
			kvs(e, 8, false, "type", z->records[j].type, a, "");
			kvs(e, 8, false, "endpoint", z->records[j].endpoint, a,
			    "");
		}
	}
	const psc_changefeed *cf = &t->changefeed;
	const char *a = addr_of(e, cf, 0);
	char ports[200] = "";
	for (size_t i = 0; i < cf->n_bootstrap_ports; i++)
		psc_appendf(ports, sizeof(ports), "%s%ld", i ? ", " : "",
			    cf->bootstrap_ports[i]);
	line(e, "", "", "%s", "");
	line(e, a, "", "changefeed:");
	kvs(e, 2, false, "instance", cf->instance, a, "");
	kvs(e, 2, false, "endpoint", cf->endpoint, a, "");
	comment(e, 2, a, "the ports the published service maps (NEG client "
		"ports, or kafka-proxy's bootstrap listeners)");
	line(e, a, "", "  bootstrap_ports: [%s]", ports);
}

static void em_header(struct em *e)
{
	const psc_import *im = e->im;
	const psc_topology *t = im->t;
	char c[4200];
	const char *tv = json_string_value(json_object_get(im->plan.root,
						"terraform_version"));
	PSC_SET(c, "pscLab topology imported by `pscLab import` from %s "
		"(Terraform/OpenTofu %s).", im->plan.path, tv ? tv : "?");
	comment(e, 0, "", c);
	comment(e, 0, "", "Every object names the Terraform address it came "
		"from; what the plan does");
	comment(e, 0, "", "not hold (TiDB Cloud's side, Kafka) is marked as "
		"assumed or made by the lab.");
	for (size_t i = 0; i < im->n_assumptions; i++) {
		PSC_SET(c, "assumed: %s", im->assumptions[i]);
		comment(e, 0, "", c);
	}
	line(e, "", "", "%s", "");
	kvs(e, 0, false, "name", t->name, "(assumed: --name)", "--name");
	kvs(e, 0, false, "description", t->description, "", "");
	kvs(e, 0, false, "approach", t->approach, "(the load balancer's "
	    "backend: a NEG is portmap, an instance group proxy)", "");
}

int psc_import_emit(psc_import *im, char *err, size_t errlen)
{
	struct em e = {.im = im};
	free(im->lines);
	im->lines = NULL;
	im->n_lines = 0;
	em_header(&e);
	em_tidbcloud(&e);
	em_networks(&e);
	em_instances(&e);
	em_kafka(&e);
	em_negs(&e);
	em_groups(&e);
	em_lbs(&e);
	em_sas(&e);
	em_consumer(&e);
	if (e.oom) {
		free(e.buf);
		psc_setf(err, errlen, "out of memory writing the topology");
		return -1;
	}
	free(im->yaml);
	im->yaml = e.buf;
	im->yaml_len = e.len;
	return 0;
}

const psc_import_line *psc_import_line_of(const psc_import *im, int ln)
{
	if (ln < 1 || (size_t)ln > im->n_lines)
		return NULL;
	return &im->lines[ln - 1];
}

int psc_import_write(const psc_import *im, const char *path, char *err,
		     size_t errlen)
{
	char tmp[4200];
	if (!im->yaml) {
		psc_setf(err, errlen, "nothing to write");
		return -1;
	}
	PSC_SET(tmp, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		psc_setf(err, errlen, "cannot write %s: %s (nothing "
			 "written)", tmp, strerror(errno));
		return -1;
	}
	size_t off = 0;
	while (off < im->yaml_len) {
		ssize_t w = write(fd, im->yaml + off, im->yaml_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int e = errno;
	bool ok = off == im->yaml_len && fsync(fd) == 0;
	if (!ok && off == im->yaml_len)
		e = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok && chmod(tmp, 0644) == 0 && rename(tmp, path) == 0)
		return 0;
	if (ok)
		e = errno;
	unlink(tmp);
	psc_setf(err, errlen, "cannot write %s: %s (nothing written)", path,
		 strerror(e));
	return -1;
}
