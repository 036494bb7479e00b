/* tfplan.c - `pscLab import`'s driver and the customer's side: each
 * supported google_* resource of a plan into the lab object it is, with
 * its Terraform address kept (tfplan.h).  References come from
 * tfplan_refs.c, the TiDB Cloud side and Kafka from tfplan_kafka.c, the
 * YAML from tfplan_emit.c.
 *
 * What it may touch: the plan file (read once) and, through
 * psc_import_write, the one output file.  Supported, by type:
 *   google_compute_network, _subnetwork, _firewall, _instance,
 *   _region_network_endpoint_group (GCE_VM_IP_PORTMAP),
 *   _region_network_endpoint, _instance_group, _region_health_check and
 *   _health_check (TCP), _region_backend_service (INTERNAL) with its
 *   _forwarding_rule, _service_attachment.
 * Anything else is listed as ignored (a warning), with a note where it
 * changes what the lab shows. */
#define _GNU_SOURCE
#include "import/tfplan.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/addr.h"
#include "import/tfplan_emit.h"
#include "import/tfplan_names.h"
#include "import/tfplan_kafka.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct imp {
	psc_import *im;
	psc_tf_plan *p;
	psc_topology *t;
	psc_diags *d;
};

static const psc_loc NOLOC = {0, 0};

/* ---- bookkeeping ---- */

/* the lab object a resource became (role 0), or NULL */
static void *obj_of(const struct imp *x, const psc_tf_res *r)
{
	for (size_t i = 0; r && i < x->im->n_origins; i++)
		if (x->im->origins[i].res == r && x->im->origins[i].role == 0)
			return (void *)x->im->origins[i].obj;
	return NULL;
}

static void finding(struct imp *x, psc_severity sev, const psc_tf_res *r,
		    const char *attr, const char *rule, const char *hint,
		    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void finding(struct imp *x, psc_severity sev, const psc_tf_res *r,
		    const char *attr, const char *rule, const char *hint,
		    const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r)                 /* reported: not "ignored" as well */
		((psc_tf_res *)r)->used = true;
	psc_diag_add(x->d, sev, NOLOC, rule, r ? r->address : x->p->path,
		     hint, "%s%s%s", attr ? attr : "", attr ? ": " : "", msg);
}

/* a string value into dst; an error when required and absent or long */
static int copy_str(struct imp *x, const psc_tf_res *r, const char *path,
		    char *dst, size_t size, bool required)
{
	const char *s = psc_tf_str(r, path);
	if (!s) {
		if (required)
			finding(x, PSC_SEV_ERROR, r, path, "missing-value",
				"write it as a literal in the configuration",
				"not known at plan time (it is computed at "
				"apply, or unset); the lab needs its value");
		return required ? -1 : 0;
	}
	if (strlen(s) >= size) {
		finding(x, PSC_SEV_ERROR, r, path, "too-long", NULL,
			"'%.40s...' is longer than %zu characters", s,
			size - 1);
		return -1;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* the one resource an attribute refers to; an error when required */
static const psc_tf_res *follow1(struct imp *x, const psc_tf_res *r,
				 const char *attr,
				 const char *const *types, bool required)
{
	const psc_tf_res *out[2];
	char why[400];
	int n = psc_tf_follow(x->p, r, attr, types, out, 2, why, sizeof(why));
	if (n == 1)
		return out[0];
	if (n > 1) {
		finding(x, PSC_SEV_ERROR, r, attr, "unresolved-reference", NULL,
			"refers to both %s and %s; the lab takes one",
			out[0]->address, out[1]->address);
		return NULL;
	}
	if (required)
		finding(x, PSC_SEV_ERROR, r, attr, "unresolved-reference",
			"refer to the resource directly (type.name.id), or "
			"write its name as a literal",
			"cannot follow it to a %s: %s", types[0], why);
	return NULL;
}

static bool room(struct imp *x, const psc_tf_res *r, size_t n, size_t max,
		 const char *what)
{
	if (n < max)
		return true;
	finding(x, PSC_SEV_ERROR, r, NULL, "too-many", NULL,
		"more than %zu %s: the lab holds at most that many", max, what);
	return false;
}

/* two resources on one lab object: an error naming both */
static bool duplicate(struct imp *x, const psc_tf_res *r, const void *other,
		      const char *kind, const char *name)
{
	if (!other)
		return false;
	const psc_import_origin *o = psc_import_origin_get(x->im, other, 0);
	finding(x, PSC_SEV_ERROR, r, "name", "duplicate-object",
		"give each its own name",
		"maps to the same lab %s '%s' as %s", kind, name,
		o ? o->address : "another resource");
	return true;
}

static bool is(const psc_tf_res *r, const char *type)
{
	return strcmp(r->type, type) == 0;
}

/* the last part of a self link or path: ".../debian-12" -> debian-12 */
static const char *basename_of(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

/* a list of strings into a model string list */
static int copy_list(struct imp *x, const psc_tf_res *r, const char *path,
		     char *dst, size_t elem, size_t max, size_t *count)
{
	size_t i;
	json_t *v;
	json_array_foreach(psc_tf_value(r, path), i, v) {
		const char *s = json_string_value(v);
		if (!s)
			continue;
		if (!room(x, r, *count, max, path))
			return -1;
		if (strlen(s) >= elem) {
			finding(x, PSC_SEV_ERROR, r, path, "too-long", NULL,
				"'%.40s' is too long", s);
			return -1;
		}
		memcpy(dst + (*count)++ * elem, s, strlen(s) + 1);
	}
	return 0;
}

/* ---- networks, subnetworks, firewalls ---- */

static const char *const T_NETWORK[] = {"google_compute_network", NULL};
static const char *const T_SUBNET[] = {"google_compute_subnetwork", NULL};

static void map_network(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	if (!room(x, r, t->n_networks, PSC_MAX_NETWORKS - 1, "networks"))
		return;
	psc_network *n = &t->networks[t->n_networks];
	memset(n, 0, sizeof(*n));
	if (copy_str(x, r, "name", n->name, sizeof(n->name), true) < 0 ||
	    duplicate(x, r, psc_find_network(t, n->name), "network", n->name))
		return;
	if (copy_str(x, r, "project", n->project, sizeof(n->project),
		     false) == 0 && !n->project[0])
		PSC_SET(n->project, "%s", x->p->provider_project[0]
			? x->p->provider_project : "kafka-project");
	if (json_is_true(psc_tf_value(r, "auto_create_subnetworks")))
		finding(x, PSC_SEV_WARNING, r, "auto_create_subnetworks",
			"not-emulated", "set auto_create_subnetworks = false "
			"and declare the subnetworks, as the seed does",
			"auto mode subnetworks (one per region) are not in the "
			"plan and not emulated");
	t->n_networks++;
	psc_import_origin_add(x->im, n, 0, r);
}

static psc_network *network_of(struct imp *x, const psc_tf_res *r,
			       const char *attr)
{
	const psc_tf_res *nr = follow1(x, r, attr, T_NETWORK, true);
	psc_network *n = obj_of(x, nr);
	if (nr && !n)
		finding(x, PSC_SEV_ERROR, r, attr, "unresolved-reference", NULL,
			"refers to %s, which did not import", nr->address);
	return n;
}

static void map_subnet(struct imp *x, const psc_tf_res *r)
{
	const char *purpose = psc_tf_str(r, "purpose");
	if (purpose && strcmp(purpose, "PRIVATE") &&
	    strcmp(purpose, "PRIVATE_SERVICE_CONNECT")) {
		finding(x, PSC_SEV_WARNING, r, "purpose", "not-emulated", NULL,
			"a %s subnetwork is not emulated: left out", purpose);
		((psc_tf_res *)r)->used = true;
		return;
	}
	psc_network *n = network_of(x, r, "network");
	if (!n || !room(x, r, n->n_subnetworks, PSC_MAX_SUBNETS, "subnetworks"))
		return;
	psc_subnet *s = &n->subnetworks[n->n_subnetworks];
	memset(s, 0, sizeof(*s));
	if (copy_str(x, r, "name", s->name, sizeof(s->name), true) < 0 ||
	    duplicate(x, r, psc_find_subnet(x->t, s->name, NULL),
		      "subnetwork", s->name) ||
	    copy_str(x, r, "ip_cidr_range", s->ip_cidr_range,
		     sizeof(s->ip_cidr_range), true) < 0 ||
	    copy_str(x, r, "region", s->region, sizeof(s->region), false) < 0)
		return;
	if (!s->region[0])
		PSC_SET(s->region, "%s", x->p->provider_region);
	if (purpose)
		PSC_SET(s->purpose, "%s", purpose);
	n->n_subnetworks++;
	psc_import_origin_add(x->im, s, 0, r);
}

static int fw_entries(struct imp *x, const psc_tf_res *r, const char *key,
		      psc_fw_rule *v, size_t *count)
{
	size_t i;
	json_t *e;
	json_array_foreach(psc_tf_value(r, key), i, e) {
		if (!room(x, r, *count, PSC_MAX_FW_RULES, key))
			return -1;
		psc_fw_rule *fr = &v[*count];
		memset(fr, 0, sizeof(*fr));
		const char *proto = json_string_value(json_object_get(e,
							"protocol"));
		PSC_SET(fr->protocol, "%s", proto ? proto : "all");
		size_t j;
		json_t *pt;
		json_array_foreach(json_object_get(e, "ports"), j, pt) {
			const char *ps = json_string_value(pt);
			if (!ps || !room(x, r, fr->n_ports, PSC_MAX_PORTS,
					 "ports"))
				continue;
			PSC_SET(fr->ports[fr->n_ports++], "%s", ps);
		}
		(*count)++;
	}
	return 0;
}

static void map_firewall(struct imp *x, const psc_tf_res *r)
{
	psc_network *n = network_of(x, r, "network");
	if (!n || !room(x, r, n->n_firewalls, PSC_MAX_FIREWALLS, "firewalls"))
		return;
	psc_firewall *f = &n->firewalls[n->n_firewalls];
	memset(f, 0, sizeof(*f));
	if (copy_str(x, r, "name", f->name, sizeof(f->name), true) < 0)
		return;
	for (size_t i = 0; i < n->n_firewalls; i++)
		if (duplicate(x, r, strcmp(n->firewalls[i].name, f->name) ? NULL
				  : &n->firewalls[i], "firewall", f->name))
			return;
	copy_str(x, r, "direction", f->direction, sizeof(f->direction), false);
	f->priority = 1000;
	psc_tf_long(r, "priority", &f->priority);
	f->disabled = json_is_true(psc_tf_value(r, "disabled"));
	if (copy_list(x, r, "source_ranges", &f->source_ranges[0][0], 48,
		      PSC_MAX_RANGES, &f->n_source_ranges) < 0 ||
	    copy_list(x, r, "destination_ranges", &f->destination_ranges[0][0],
		      48, PSC_MAX_RANGES, &f->n_destination_ranges) < 0 ||
	    copy_list(x, r, "source_tags", &f->source_tags[0][0], PSC_NAME_LEN,
		      PSC_MAX_TAGS, &f->n_source_tags) < 0 ||
	    copy_list(x, r, "target_tags", &f->target_tags[0][0], PSC_NAME_LEN,
		      PSC_MAX_TAGS, &f->n_target_tags) < 0 ||
	    fw_entries(x, r, "allow", f->allow, &f->n_allow) < 0 ||
	    fw_entries(x, r, "deny", f->deny, &f->n_deny) < 0)
		return;
	if (json_array_size(psc_tf_value(r, "source_service_accounts")) ||
	    json_array_size(psc_tf_value(r, "target_service_accounts")))
		finding(x, PSC_SEV_WARNING, r, "target_service_accounts",
			"not-emulated", "use target_tags / source_tags",
			"service accounts are not emulated: the rule is taken "
			"as if they were not there");
	n->n_firewalls++;
	psc_import_origin_add(x->im, f, 0, r);
}

/* ---- instances ---- */

static psc_subnet *subnet_obj(struct imp *x, const psc_tf_res *sr,
			      psc_network **net)
{
	psc_subnet *s = obj_of(x, sr);
	for (size_t i = 0; s && i < x->t->n_networks; i++) {
		psc_network *n = &x->t->networks[i];
		if (s >= n->subnetworks && s < n->subnetworks + n->n_subnetworks)
			*net = n;
	}
	return s;
}

static void map_instance(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	if (!room(x, r, t->n_instances, PSC_MAX_INSTANCES - 1, "instances"))
		return;
	psc_instance *in = &t->instances[t->n_instances];
	memset(in, 0, sizeof(*in));
	if (copy_str(x, r, "name", in->name, sizeof(in->name), true) < 0 ||
	    duplicate(x, r, psc_find_instance(t, in->name), "instance",
		      in->name) ||
	    copy_str(x, r, "zone", in->zone, sizeof(in->zone), true) < 0 ||
	    copy_str(x, r, "machine_type", in->machine_type,
		     sizeof(in->machine_type), false) < 0)
		return;
	const char *img = psc_tf_str(r, "boot_disk.0.initialize_params.0.image");
	if (img)
		PSC_SET(in->image, "%s", basename_of(img));
	const psc_tf_res *sr = follow1(x, r, "network_interface.0.subnetwork",
				       T_SUBNET, true);
	psc_network *net = NULL;
	psc_subnet *s = subnet_obj(x, sr, &net);
	if (!s || !net)
		return;
	PSC_SET(in->subnetwork, "%s", s->name);
	PSC_SET(in->network, "%s", net->name);
	copy_str(x, r, "network_interface.0.network_ip", in->network_ip,
		 sizeof(in->network_ip), false);
	PSC_SET(in->external_ip, "%s", json_array_size(psc_tf_value(r,
		"network_interface.0.access_config")) ? "ephemeral" : "none");
	if (copy_list(x, r, "tags", &in->tags[0][0], PSC_NAME_LEN,
		      PSC_MAX_TAGS, &in->n_tags) < 0)
		return;
	if (json_array_size(psc_tf_value(r, "network_interface")) > 1)
		finding(x, PSC_SEV_WARNING, r, "network_interface",
			"not-emulated", NULL, "only the first network "
			"interface is emulated");
	t->n_instances++;
	psc_import_origin_add(x->im, in, 0, r);
}

/* ---- NEGs, endpoints, instance groups, health checks ---- */

static const char *const T_INSTANCE[] = {"google_compute_instance", NULL};
static const char *const T_NEG[] = {
	"google_compute_region_network_endpoint_group", NULL};

static void map_neg(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	const char *type = psc_tf_str(r, "network_endpoint_type");
	if (!type || strcmp(type, "GCE_VM_IP_PORTMAP")) {
		finding(x, PSC_SEV_WARNING, r, "network_endpoint_type",
			"not-emulated", NULL, "a %s network endpoint group is "
			"not emulated (only GCE_VM_IP_PORTMAP, the seed's): "
			"left out", type ? type : "(unknown)");
		((psc_tf_res *)r)->used = true;
		return;
	}
	if (!room(x, r, t->n_network_endpoint_groups, PSC_MAX_NEGS, "NEGs"))
		return;
	psc_neg *g = &t->network_endpoint_groups[t->n_network_endpoint_groups];
	{
		psc_neg_endpoint *keep = g->endpoints;
		memset(g, 0, sizeof(*g));
		g->endpoints = keep;   /* room from psc_topology_new_full */
	}
	if (copy_str(x, r, "name", g->name, sizeof(g->name), true) < 0 ||
	    duplicate(x, r, psc_find_neg(t, g->name), "NEG", g->name) ||
	    copy_str(x, r, "region", g->region, sizeof(g->region), false) < 0)
		return;
	PSC_SET(g->type, "%s", type);
	if (!g->region[0])
		PSC_SET(g->region, "%s", x->p->provider_region);
	psc_network *net = NULL;
	psc_subnet *s = subnet_obj(x, follow1(x, r, "subnetwork", T_SUBNET,
					      true), &net);
	if (!s || !net)
		return;
	PSC_SET(g->subnetwork, "%s", s->name);
	PSC_SET(g->network, "%s", net->name);
	t->n_network_endpoint_groups++;
	psc_import_origin_add(x->im, g, 0, r);
}

/* the instance an endpoint names: its reference, else its address */
static const char *endpoint_instance(struct imp *x, const psc_tf_res *r)
{
	const psc_tf_res *ir = follow1(x, r, "instance", T_INSTANCE, false);
	psc_instance *in = obj_of(x, ir);
	if (in)
		return in->name;
	const char *v = psc_tf_str(r, "instance");
	if (v)
		return basename_of(v);
	const char *ip = psc_tf_str(r, "ip_address");
	for (size_t i = 0; ip && i < x->t->n_instances; i++)
		if (strcmp(x->t->instances[i].network_ip, ip) == 0)
			return x->t->instances[i].name;
	follow1(x, r, "instance", T_INSTANCE, true);   /* says why */
	return NULL;
}

static void map_endpoint(struct imp *x, const psc_tf_res *r)
{
	const char *gname = psc_tf_str(r, "region_network_endpoint_group");
	psc_neg *g = gname ? psc_find_neg(x->t, gname) : NULL;
	if (!g)
		g = obj_of(x, follow1(x, r, "region_network_endpoint_group",
				      T_NEG, true));
	const char *inst = endpoint_instance(x, r);
	if (!g || !inst || !room(x, r, g->n_endpoints, PSC_MAX_NEG_ENDPOINTS,
				 "endpoints"))
		return;
	psc_neg_endpoint *e = &g->endpoints[g->n_endpoints];
	memset(e, 0, sizeof(*e));
	PSC_SET(e->instance, "%s", inst);
	if (psc_tf_long(r, "port", &e->port) < 0 ||
	    psc_tf_long(r, "client_destination_port", &e->client_port) < 0) {
		finding(x, PSC_SEV_ERROR, r, "client_destination_port",
			"missing-value", "write port and client_destination_port "
			"as literals", "port and client_destination_port must "
			"be known at plan time");
		return;
	}
	psc_instance *in = psc_find_instance(x->t, inst);
	const char *ip = psc_tf_str(r, "ip_address");
	if (in && ip && in->network_ip[0] && strcmp(ip, in->network_ip))
		finding(x, PSC_SEV_WARNING, r, "ip_address", "endpoint-address",
			NULL, "%s is not the address of %s (%s); the lab maps "
			"to the instance", ip, inst, in->network_ip);
	g->n_endpoints++;
	psc_import_origin_add(x->im, e, 0, r);
}

static void map_ig(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	if (!room(x, r, t->n_instance_groups, PSC_MAX_IGS, "instance groups"))
		return;
	psc_instance_group *g = &t->instance_groups[t->n_instance_groups];
	{
		char (*keep)[PSC_NAME_LEN] = g->instances;
		psc_loc *keep_loc = g->instances_loc;
		memset(g, 0, sizeof(*g));
		g->instances = keep;   /* room from psc_topology_new_full */
		g->instances_loc = keep_loc;
	}
	if (copy_str(x, r, "name", g->name, sizeof(g->name), true) < 0 ||
	    duplicate(x, r, psc_find_instance_group(t, g->name),
		      "instance group", g->name) ||
	    copy_str(x, r, "zone", g->zone, sizeof(g->zone), true) < 0)
		return;
	const psc_tf_res *out[PSC_MAX_INSTANCES];
	char why[400];
	int n = psc_tf_follow(x->p, r, "instances", T_INSTANCE, out,
			      PSC_MAX_INSTANCES, why, sizeof(why));
	for (int i = 0; i < n; i++) {
		psc_instance *in = obj_of(x, out[i]);
		if (in)
			PSC_SET(g->instances[g->n_instances++], "%s", in->name);
	}
	size_t j;
	json_t *v;
	json_array_foreach(n > 0 ? NULL : psc_tf_value(r, "instances"), j, v)
		if (json_is_string(v) && g->n_instances < PSC_MAX_INSTANCES)
			PSC_SET(g->instances[g->n_instances++], "%s",
				basename_of(json_string_value(v)));
	if (!g->n_instances) {
		finding(x, PSC_SEV_ERROR, r, "instances", "unresolved-reference",
			NULL, "names no instance the importer can follow: %s",
			why);
		return;
	}
	t->n_instance_groups++;
	psc_import_origin_add(x->im, g, 0, r);
}

static void map_hc(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	long port;
	if (psc_tf_long(r, "tcp_health_check.0.port", &port) < 0) {
		finding(x, PSC_SEV_WARNING, r, "tcp_health_check",
			"not-emulated", "use tcp_health_check { port = ... }",
			"only TCP health checks with a port are emulated: left "
			"out");
		((psc_tf_res *)r)->used = true;
		return;
	}
	if (!room(x, r, t->n_health_checks, PSC_MAX_HCS, "health checks"))
		return;
	psc_health_check *h = &t->health_checks[t->n_health_checks];
	memset(h, 0, sizeof(*h));
	if (copy_str(x, r, "name", h->name, sizeof(h->name), true) < 0 ||
	    duplicate(x, r, psc_find_health_check(t, h->name), "health check",
		      h->name) ||
	    copy_str(x, r, "region", h->region, sizeof(h->region), false) < 0)
		return;
	if (!h->region[0])
		PSC_SET(h->region, "%s", x->p->provider_region);
	PSC_SET(h->protocol, "TCP");
	h->port = port;
	h->check_interval_sec = h->timeout_sec = 5;
	h->healthy_threshold = h->unhealthy_threshold = 2;
	psc_tf_long(r, "check_interval_sec", &h->check_interval_sec);
	psc_tf_long(r, "timeout_sec", &h->timeout_sec);
	psc_tf_long(r, "healthy_threshold", &h->healthy_threshold);
	psc_tf_long(r, "unhealthy_threshold", &h->unhealthy_threshold);
	t->n_health_checks++;
	psc_import_origin_add(x->im, h, 0, r);
}

/* ---- load balancers, service attachments ---- */

static const char *const T_BS[] = {"google_compute_region_backend_service",
				   NULL};
static const char *const T_FR[] = {"google_compute_forwarding_rule", NULL};
static const char *const T_BACKEND[] = {
	"google_compute_region_network_endpoint_group",
	"google_compute_instance_group", NULL};
static const char *const T_HC[] = {"google_compute_region_health_check",
				   "google_compute_health_check", NULL};

/* the forwarding rule in front of a backend service */
static const psc_tf_res *forwarding_rule(struct imp *x, const psc_tf_res *bs)
{
	const psc_tf_res *fr = NULL;
	for (size_t i = 0; i < x->p->n; i++) {
		const psc_tf_res *r = &x->p->res[i], *to;
		char why[300];
		if (!is(r, "google_compute_forwarding_rule") ||
		    psc_tf_follow(x->p, r, "backend_service", T_BS, &to, 1, why,
				  sizeof(why)) != 1 || to != bs)
			continue;
		if (fr) {
			finding(x, PSC_SEV_ERROR, r, "backend_service",
				"duplicate-object", "one forwarding rule per "
				"backend service, as the seed has",
				"the load balancer %s already has the "
				"forwarding rule %s; both would be one lab "
				"load balancer", bs->address, fr->address);
			return NULL;
		}
		fr = r;
	}
	if (!fr)
		finding(x, PSC_SEV_WARNING, bs, NULL, "no-frontend", NULL,
			"no google_compute_forwarding_rule refers to it: not a "
			"load balancer the lab can build; left out");
	return fr;
}

static int lb_backends(struct imp *x, const psc_tf_res *r,
		       psc_load_balancer *lb)
{
	const psc_tf_res *out[PSC_MAX_BACKENDS];
	char why[400];
	int n = psc_tf_follow(x->p, r, "backend.*.group", T_BACKEND, out,
			      PSC_MAX_BACKENDS, why, sizeof(why));
	for (int i = 0; i < n; i++) {
		const void *o = obj_of(x, out[i]);
		const char *name = !o ? NULL
			: is(out[i], "google_compute_instance_group")
			? ((const psc_instance_group *)o)->name
			: ((const psc_neg *)o)->name;
		if (name)
			PSC_SET(lb->backends[lb->n_backends++], "%s", name);
	}
	if (lb->n_backends)
		return 0;
	finding(x, PSC_SEV_ERROR, r, "backend.group", "unresolved-reference",
		"refer to the group directly (type.name.id)",
		"cannot follow it to a NEG or an instance group: %s",
		n > 0 ? "it did not import" : why);
	return -1;
}

static void lb_frontend(struct imp *x, const psc_tf_res *fr,
			psc_load_balancer *lb)
{
	psc_network *net = NULL;
	psc_subnet *s = subnet_obj(x, follow1(x, fr, "subnetwork", T_SUBNET,
					      true), &net);
	if (s)
		PSC_SET(lb->subnetwork, "%s", s->name);
	if (!lb->network[0] && net)
		PSC_SET(lb->network, "%s", net->name);
	copy_str(x, fr, "ip_address", lb->ip_address, sizeof(lb->ip_address),
		 false);
	PSC_SET(lb->ports, "ALL");
	if (!json_is_true(psc_tf_value(fr, "all_ports")))
		finding(x, PSC_SEV_WARNING, fr, "ports", "not-emulated",
			"all_ports = true, as the seed has", "the lab's "
			"load balancer forwards every port (ports: ALL)");
}

static void map_lb(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	const char *scheme = psc_tf_str(r, "load_balancing_scheme");
	if (scheme && strcmp(scheme, "INTERNAL")) {
		finding(x, PSC_SEV_WARNING, r, "load_balancing_scheme",
			"not-emulated", NULL, "a %s load balancer is not "
			"emulated (only the internal passthrough one): left "
			"out", scheme);
		((psc_tf_res *)r)->used = true;
		return;
	}
	const psc_tf_res *fr = forwarding_rule(x, r);
	if (!fr || !room(x, r, t->n_load_balancers, PSC_MAX_LBS,
			 "load balancers"))
		return;
	psc_load_balancer *lb = &t->load_balancers[t->n_load_balancers];
	memset(lb, 0, sizeof(*lb));
	if (copy_str(x, r, "name", lb->name, sizeof(lb->name), true) < 0 ||
	    duplicate(x, r, psc_find_load_balancer(t, lb->name),
		      "load balancer", lb->name) ||
	    copy_str(x, r, "region", lb->region, sizeof(lb->region), false) < 0 ||
	    copy_str(x, r, "protocol", lb->protocol, sizeof(lb->protocol),
		     false) < 0 ||
	    copy_str(x, r, "session_affinity", lb->session_affinity,
		     sizeof(lb->session_affinity), false) < 0 ||
	    lb_backends(x, r, lb) < 0)
		return;
	if (!lb->region[0])
		PSC_SET(lb->region, "%s", x->p->provider_region);
	PSC_SET(lb->scheme, "INTERNAL_PASSTHROUGH");
	psc_network *n = obj_of(x, follow1(x, r, "network", T_NETWORK, false));
	if (n)
		PSC_SET(lb->network, "%s", n->name);
	const psc_tf_res *hr = follow1(x, r, "health_checks", T_HC, false);
	psc_health_check *h = obj_of(x, hr);
	if (h)
		PSC_SET(lb->health_check, "%s", h->name);
	lb_frontend(x, fr, lb);
	if (!lb->subnetwork[0])
		return;
	t->n_load_balancers++;
	psc_import_origin_add(x->im, lb, 0, r);
	psc_import_origin_add(x->im, lb, 1, fr);
}

static int sa_lists(struct imp *x, const psc_tf_res *r,
		    psc_service_attachment *sa)
{
	size_t i;
	json_t *e;
	json_array_foreach(psc_tf_value(r, "consumer_accept_lists"), i, e) {
		const char *pr = json_string_value(json_object_get(e,
						"project_id_or_num"));
		if (!pr || !*pr) {
			finding(x, PSC_SEV_WARNING, r, "consumer_accept_lists",
				"not-emulated", "accept by project_id_or_num",
				"an entry by network or endpoint URL is not "
				"emulated: left out");
			continue;
		}
		if (!room(x, r, sa->n_consumer_accept_lists, PSC_MAX_ACCEPT,
			  "accept list entries"))
			return -1;
		psc_accept *a =
			&sa->consumer_accept_lists[sa->n_consumer_accept_lists++];
		memset(a, 0, sizeof(*a));
		PSC_SET(a->project, "%s", pr);
		json_t *l = json_object_get(e, "connection_limit");
		a->connection_limit = json_is_integer(l)
			? (long)json_integer_value(l) : 10;
	}
	return copy_list(x, r, "consumer_reject_lists",
			 &sa->consumer_reject_lists[0][0], PSC_NAME_LEN,
			 PSC_MAX_ACCEPT, &sa->n_consumer_reject_lists);
}

/* the lab load balancer whose forwarding rule fr is */
static psc_load_balancer *lb_of_fr(struct imp *x, const psc_tf_res *fr)
{
	for (size_t i = 0; fr && i < x->im->n_origins; i++)
		if (x->im->origins[i].res == fr && x->im->origins[i].role == 1)
			return (psc_load_balancer *)x->im->origins[i].obj;
	return NULL;
}

static int sa_nat_subnets(struct imp *x, const psc_tf_res *r,
			  psc_service_attachment *sa)
{
	const psc_tf_res *out[4];
	char why[400];
	int n = psc_tf_follow(x->p, r, "nat_subnets", T_SUBNET, out, 4, why,
			      sizeof(why));
	for (int i = 0; i < n; i++) {
		psc_subnet *s = obj_of(x, out[i]);
		if (s)
			PSC_SET(sa->nat_subnets[sa->n_nat_subnets++], "%s",
				s->name);
	}
	if (sa->n_nat_subnets)
		return 0;
	finding(x, PSC_SEV_ERROR, r, "nat_subnets", "unresolved-reference",
		"refer to the subnetwork directly (type.name.id)",
		"cannot follow it to a subnetwork: %s", n > 0
		? "it did not import" : why);
	return -1;
}

static void map_sa(struct imp *x, const psc_tf_res *r)
{
	psc_topology *t = x->t;
	if (!room(x, r, t->n_service_attachments, PSC_MAX_SAS,
		  "service attachments"))
		return;
	psc_service_attachment *sa =
		&t->service_attachments[t->n_service_attachments];
	memset(sa, 0, sizeof(*sa));
	if (copy_str(x, r, "name", sa->name, sizeof(sa->name), true) < 0 ||
	    duplicate(x, r, psc_find_service_attachment(t, sa->name),
		      "service attachment", sa->name) ||
	    copy_str(x, r, "region", sa->region, sizeof(sa->region), false) < 0 ||
	    copy_str(x, r, "connection_preference", sa->connection_preference,
		     sizeof(sa->connection_preference), true) < 0)
		return;
	if (!sa->region[0])
		PSC_SET(sa->region, "%s", x->p->provider_region);
	const psc_tf_res *fr = follow1(x, r, "target_service", T_FR, true);
	psc_load_balancer *lb = lb_of_fr(x, fr);
	if (fr && !lb)
		finding(x, PSC_SEV_ERROR, r, "target_service",
			"unresolved-reference", NULL, "refers to %s, which is "
			"no load balancer the lab builds", fr->address);
	if (!lb || sa_nat_subnets(x, r, sa) < 0 || sa_lists(x, r, sa) < 0)
		return;
	PSC_SET(sa->target, "%s", lb->name);
	sa->enable_proxy_protocol =
		json_is_true(psc_tf_value(r, "enable_proxy_protocol"));
	t->n_service_attachments++;
	psc_import_origin_add(x->im, sa, 0, r);
}

/* ---- what is not imported ---- */

static const struct {
	const char *prefix, *note;
} ignored_notes[] = {
	{"google_compute_network_firewall_policy", "network firewall "
	 "policies are not emulated: the lab's firewall is the VPC rules "
	 "only, so a policy rule that blocks PSC's NAT range or a broker "
	 "port is not seen here"},
	{"google_compute_region_network_firewall_policy", "network firewall "
	 "policies are not emulated (see above)"},
	{"google_compute_firewall_policy", "hierarchical firewall policies "
	 "are not emulated"},
	{"google_compute_router", "Cloud Router / Cloud NAT are not emulated "
	 "(outbound internet; PSC does not use them)"},
	{"google_compute_instance_template", "instances made from templates "
	 "by a managed instance group are not in the plan; declare them as "
	 "google_compute_instance + google_compute_instance_group"},
	{"google_compute_instance_group_manager", "managed instance groups' "
	 "VMs are not in the plan: not emulated"},
	{"google_compute_region_instance_group_manager", "managed instance "
	 "groups' VMs are not in the plan: not emulated"},
	{"google_compute_address", "reserved addresses are not read: give "
	 "network_ip / ip_address literally"},
	{"google_dns_", "Cloud DNS on the customer's side is not emulated "
	 "(TiDB Cloud's private zone is made by the lab)"},
	{"google_compute_network_endpoint_group", "zonal NEGs are not "
	 "emulated (the seed's is a regional GCE_VM_IP_PORTMAP one)"},
};

static void list_ignored(struct imp *x)
{
	for (size_t i = 0; i < x->p->n; i++) {
		const psc_tf_res *r = &x->p->res[i];
		if (r->used)
			continue;
		const char *note = NULL;
		for (size_t j = 0; j < ARRAY_LEN(ignored_notes); j++)
			if (!strncmp(r->type, ignored_notes[j].prefix,
				     strlen(ignored_notes[j].prefix)))
				note = ignored_notes[j].note;
		if (is(r, "google_compute_forwarding_rule"))
			note = "a forwarding rule without a backend service "
			       "(a PSC endpoint is TiDB Cloud's, made by the "
			       "lab)";
		finding(x, PSC_SEV_WARNING, r, NULL, "ignored", note,
			"%s %s: not imported", r->data ? "data source"
			: "resource type", r->type);
	}
}

/* ---- the driver ---- */

static const struct {
	const char *type;
	void (*fn)(struct imp *x, const psc_tf_res *r);
} mappers[] = {   /* in dependency order */
	{"google_compute_network", map_network},
	{"google_compute_subnetwork", map_subnet},
	{"google_compute_firewall", map_firewall},
	{"google_compute_instance", map_instance},
	{"google_compute_region_network_endpoint_group", map_neg},
	{"google_compute_region_network_endpoint", map_endpoint},
	{"google_compute_instance_group", map_ig},
	{"google_compute_region_health_check", map_hc},
	{"google_compute_health_check", map_hc},
	{"google_compute_region_backend_service", map_lb},
	{"google_compute_service_attachment", map_sa},
};

static void map_all(struct imp *x)
{
	for (size_t m = 0; m < ARRAY_LEN(mappers); m++)
		for (size_t i = 0; i < x->p->n; i++)
			if (!x->p->res[i].data &&
			    is(&x->p->res[i], mappers[m].type))
				mappers[m].fn(x, &x->p->res[i]);
	list_ignored(x);
	if (x->d->n_errors == 0 && x->t->n_service_attachments == 0)
		finding(x, PSC_SEV_ERROR, NULL, NULL, "nothing-published",
			"add a google_compute_service_attachment on the "
			"internal load balancer's forwarding rule",
			"the plan has no service attachment the lab can build: "
			"nothing for TiDB Cloud to connect to");
}

/* addresses GCP would give the instances without network_ip: the
 * model's own rule (psc_instance_ip: .2 upward in file order) */
static void assign_addresses(psc_import *im)
{
	psc_topology *t = im->t;
	uint32_t ip[PSC_MAX_INSTANCES];
	bool got[PSC_MAX_INSTANCES] = {false};
	for (size_t i = 0; i < t->n_instances; i++)
		got[i] = !t->instances[i].network_ip[0] &&
			 psc_import_origin_get(im, &t->instances[i], 0) &&
			 psc_import_origin_get(im, &t->instances[i], 0)->res &&
			 psc_instance_ip(t, &t->instances[i], &ip[i]) == 0;
	for (size_t i = 0; i < t->n_instances; i++)
		if (got[i]) {
			char s[16];
			PSC_SET(t->instances[i].network_ip, "%s",
				psc_ip_str(ip[i], s, sizeof(s)));
			im->assigned_ip[i] = true;
		}
}

int psc_import_plan(const char *path, const psc_import_opts *o,
		    psc_import *im, psc_diags *d)
{
	memset(im, 0, sizeof(*im));
	if (psc_tf_plan_read(path, &im->plan, d) < 0)
		return 2;
	im->t = psc_topology_new_full();
	if (!im->t) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "unreadable", path, NULL,
			     "out of memory");
		return 2;
	}
	struct imp x = {im, &im->plan, im->t, d};
	PSC_SET(im->t->file, "%s", path);
	map_all(&x);
	if (d->n_errors)
		return 1;
	int rc = psc_import_side(im, o, d);
	if (rc != 0 || d->n_errors)
		return rc ? rc : 1;
	/* the TiDB Cloud side is in: every subnet is there for addresses */
	assign_addresses(im);
	char err[512];
	if (psc_import_emit(im, err, sizeof(err)) < 0) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "emit", path, NULL, "%s",
			     err);
		return 1;
	}
	return 0;
}

void psc_import_free(psc_import *im)
{
	psc_tf_plan_free(&im->plan);
	psc_topology_free(im->t);
	free(im->origins);
	free(im->kafka_text);
	free(im->yaml);
	free(im->lines);
	memset(im, 0, sizeof(*im));
}

