/* topology_load.c - YAML topology file -> psc_topology, with libyaml.
 *
 * One schema table per object kind drives a single walker: it checks types,
 * unknown and duplicate keys (with a "did you mean"), required keys, allowed
 * values and integer ranges, and fills defaults.  Semantic rules (addresses,
 * references, Kafka) are the linter's.  The walker never follows more than
 * PSC_TOPOLOGY_MAX_VISITS nodes, so an alias bomb stops early.  Lists that
 * grow with the cluster (PSC_DYN_* in topology.h) are allocated in the
 * topology's arena, as long as the file's list and at most their cap; a
 * longer list is refused at its first entry over the cap, naming the cap.
 * Measured here, `pscLab lint` (load and lint) of tests/scale/gen.sh
 * files: 100 brokers (826 lines) about 5 ms of CPU, 1,024 brokers (7,294
 * lines) 0.1 s. */
#define _POSIX_C_SOURCE 200809L
#include "model/topology_load.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum ftype { F_STR, F_INT, F_BOOL, F_STRLIST, F_INTLIST, F_OBJLIST, F_OBJ,
	     F_PAIRS };

struct schema;

struct field {
	const char *key;
	enum ftype type;
	size_t off;          /* the value (or array) */
	size_t loc_off;      /* its _loc (for lists: the array of locs) */
	size_t size;         /* F_STR: buffer; lists: one element */
	size_t count_off;    /* lists: n_<key>; F_OBJ: the present flag */
	size_t list_loc_off; /* lists: <key>_list_loc */
	size_t max;          /* lists: capacity */
	bool dyn;            /* lists: sized from the file (a pointer) */
	const char *cap;     /* dyn lists: the cap's name, for the error */
	const struct schema *sub;
	long lo, hi;         /* F_INT, F_INTLIST */
	const char *const *values;  /* allowed strings, NULL-terminated */
	const char *def;     /* F_STR default */
	long idef;           /* F_INT default when has_idef */
	bool has_idef;
	bool required;
	/* F_PAIRS: where an entry holds its key and value (and their locs) */
	size_t pk_off, pk_size, pk_loc, pv_off, pv_size, pv_loc;
	bool pv_int;         /* F_PAIRS: the value is an integer (lo..hi) */
};

struct schema {
	const char *kind;    /* "instance", "subnetwork", ... */
	const struct field *f;
	size_t n;
};

#define SCHEMA(kind_, arr) { kind_, arr, ARRAY_LEN(arr) }
#define MEMBER_SIZE(st, m) sizeof(((st *)0)->m)
#define ELEM_COUNT(st, m) ARRAY_LEN(((st *)0)->m)

#define STR_(st, m, req, vals, dflt) \
	{ .key = #m, .type = F_STR, .off = offsetof(st, m), \
	  .loc_off = offsetof(st, m##_loc), .size = MEMBER_SIZE(st, m), \
	  .values = vals, .def = dflt, .required = req }
#define STR(st, m) STR_(st, m, false, NULL, NULL)
#define STR_REQ(st, m) STR_(st, m, true, NULL, NULL)
#define ENUM(st, m, vals, dflt) STR_(st, m, false, vals, dflt)
#define INT_(st, m, req, lo_, hi_, has, dflt) \
	{ .key = #m, .type = F_INT, .off = offsetof(st, m), \
	  .loc_off = offsetof(st, m##_loc), .lo = lo_, .hi = hi_, \
	  .has_idef = has, .idef = dflt, .required = req }
#define INT(st, m, lo_, hi_) INT_(st, m, false, lo_, hi_, false, 0)
#define INT_REQ(st, m, lo_, hi_) INT_(st, m, true, lo_, hi_, false, 0)
#define INT_DEF(st, m, lo_, hi_, d) INT_(st, m, false, lo_, hi_, true, d)
#define BOOL(st, m) \
	{ .key = #m, .type = F_BOOL, .off = offsetof(st, m), \
	  .loc_off = offsetof(st, m##_loc) }
#define LIST_(st, m, t, req) \
	.key = #m, .type = t, .off = offsetof(st, m), \
	.count_off = offsetof(st, n_##m), \
	.list_loc_off = offsetof(st, m##_list_loc), \
	.max = ELEM_COUNT(st, m), .size = MEMBER_SIZE(st, m[0]), \
	.required = req
#define STRLIST_(st, m, req, vals) \
	{ LIST_(st, m, F_STRLIST, req), .loc_off = offsetof(st, m##_loc), \
	  .values = vals }
#define STRLIST(st, m) STRLIST_(st, m, false, NULL)
#define INTLIST(st, m, req, lo_, hi_) \
	{ LIST_(st, m, F_INTLIST, req), .loc_off = offsetof(st, m##_loc), \
	  .lo = lo_, .hi = hi_ }
#define OBJLIST(st, m, sch, req) { LIST_(st, m, F_OBJLIST, req), .sub = &sch }
/* lists sized from the file (PSC_DYN_STRLIST, PSC_DYN_OBJLIST), at most
 * cap_ entries */
#define DLIST_(st, m, t, req, cap_, capname) \
	.key = #m, .type = t, .off = offsetof(st, m), \
	.count_off = offsetof(st, n_##m), \
	.list_loc_off = offsetof(st, m##_list_loc), \
	.max = cap_, .cap = capname, .dyn = true, \
	.size = MEMBER_SIZE(st, m[0]), .required = req
#define DSTRLIST(st, m, req, cap_) \
	{ DLIST_(st, m, F_STRLIST, req, cap_, #cap_), \
	  .loc_off = offsetof(st, m##_loc) }
#define DOBJLIST(st, m, sch, req, cap_) \
	{ DLIST_(st, m, F_OBJLIST, req, cap_, #cap_), .sub = &sch }
#define PAIRS_(st, m, et, km, vm, vals, req) \
	{ LIST_(st, m, F_PAIRS, req), .values = vals, \
	  .pk_off = offsetof(et, km), .pk_size = MEMBER_SIZE(et, km), \
	  .pk_loc = offsetof(et, km##_loc), .pv_off = offsetof(et, vm), \
	  .pv_size = MEMBER_SIZE(et, vm), .pv_loc = offsetof(et, vm##_loc) }
#define PAIRS(st, m, vals, req) \
	PAIRS_(st, m, psc_proto_map_entry, listener, protocol, vals, req)
#define CONFIG_PAIRS(st, m) \
	PAIRS_(st, m, psc_kafka_config_entry, key, value, NULL, false)
/* {EXTERNAL2: 9103}: listener -> port */
#define PORT_PAIRS(st, m) \
	{ LIST_(st, m, F_PAIRS, false), .pk_off = offsetof(psc_broker_port, \
	  listener), .pk_size = MEMBER_SIZE(psc_broker_port, listener), \
	  .pk_loc = offsetof(psc_broker_port, listener_loc), \
	  .pv_off = offsetof(psc_broker_port, port), \
	  .pv_loc = offsetof(psc_broker_port, port_loc), .pv_int = true, \
	  .lo = 1, .hi = 65535 }
#define OBJ(st, m, sch, req) \
	{ .key = #m, .type = F_OBJ, .off = offsetof(st, m), \
	  .count_off = offsetof(st, m.present), .sub = &sch, .required = req }


/* ---- allowed values ---- */
static const char *const v_approach[] = {"portmap", "proxy", NULL};
static const char *const v_purpose[] = {"PRIVATE", "PRIVATE_SERVICE_CONNECT",
					NULL};
static const char *const v_direction[] = {"INGRESS", "EGRESS", NULL};
static const char *const v_fw_proto[] = {"all", "tcp", "udp", "icmp", "esp",
					 "ah", "sctp", "ipip", NULL};
static const char *const v_external_ip[] = {"none", "ephemeral", NULL};
static const char *const v_roles[] = {"broker", "controller", NULL};
static const char *const v_security[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT",
					 "SASL_SSL", NULL};
static const char *const v_neg_type[] = {"GCE_VM_IP_PORTMAP", NULL};
static const char *const v_scheme[] = {"INTERNAL_PASSTHROUGH", NULL};
static const char *const v_lb_proto[] = {"TCP", "UDP", NULL};
static const char *const v_hc_proto[] = {"TCP", NULL};
static const char *const v_affinity[] = {"NONE", "CLIENT_IP",
					 "CLIENT_IP_PROTO",
					 "CLIENT_IP_PORT_PROTO", NULL};
static const char *const v_ports[] = {"ALL", NULL};
static const char *const v_pref[] = {"ACCEPT_AUTOMATIC", "ACCEPT_MANUAL",
				     NULL};
static const char *const v_visibility[] = {"private", NULL};
static const char *const v_rtype[] = {"A", NULL};

/* ---- schemas, innermost first ---- */
static const struct field f_subnet[] = {
	STR_REQ(psc_subnet, name),
	STR_REQ(psc_subnet, region),
	STR_REQ(psc_subnet, ip_cidr_range),
	ENUM(psc_subnet, purpose, v_purpose, "PRIVATE"),
};
static const struct schema s_subnet = SCHEMA("subnetwork", f_subnet);

static const struct field f_fw_rule[] = {
	STR_(psc_fw_rule, protocol, true, v_fw_proto, NULL),
	STRLIST(psc_fw_rule, ports),
};
static const struct schema s_fw_rule = SCHEMA("firewall entry", f_fw_rule);

static const struct field f_firewall[] = {
	STR_REQ(psc_firewall, name),
	ENUM(psc_firewall, direction, v_direction, "INGRESS"),
	INT_DEF(psc_firewall, priority, 0, 65535, 1000),
	BOOL(psc_firewall, disabled),
	STRLIST(psc_firewall, source_ranges),
	STRLIST(psc_firewall, destination_ranges),
	STRLIST(psc_firewall, source_tags),
	STRLIST(psc_firewall, target_tags),
	OBJLIST(psc_firewall, allow, s_fw_rule, false),
	OBJLIST(psc_firewall, deny, s_fw_rule, false),
};
static const struct schema s_firewall = SCHEMA("firewall", f_firewall);

static const struct field f_network[] = {
	STR_REQ(psc_network, name),
	STR_REQ(psc_network, project),
	OBJLIST(psc_network, subnetworks, s_subnet, true),
	OBJLIST(psc_network, firewalls, s_firewall, false),
};
static const struct schema s_network = SCHEMA("network", f_network);

static const struct field f_instance[] = {
	STR_REQ(psc_instance, name),
	STR_REQ(psc_instance, zone),
	STR_(psc_instance, machine_type, false, NULL, "e2-medium"),
	STR_(psc_instance, image, false, NULL, "debian-12"),
	STR_REQ(psc_instance, network),
	STR_REQ(psc_instance, subnetwork),
	STR(psc_instance, network_ip),
	ENUM(psc_instance, external_ip, v_external_ip, "none"),
	STRLIST(psc_instance, tags),
};
static const struct schema s_instance = SCHEMA("instance", f_instance);

static const struct field f_listener[] = {
	STR_REQ(psc_listener, name),
	STR_(psc_listener, host, false, NULL, "0.0.0.0"),
	INT_REQ(psc_listener, port, 1, 65535),
};
static const struct schema s_listener = SCHEMA("listener", f_listener);

static const struct field f_broker[] = {
	STR_REQ(psc_broker, instance),
	INT_REQ(psc_broker, node_id, 0, INT_MAX),
	STR(psc_broker, broker_id),
	INT(psc_broker, external_port, 1, 65535),
	STR(psc_broker, external_advertised),
	PORT_PAIRS(psc_broker, external_ports),
};
static const struct schema s_broker = SCHEMA("broker", f_broker);

static const struct field f_kafka[] = {
	STR_REQ(psc_kafka, cluster_id),
	STRLIST_(psc_kafka, process_roles, true, v_roles),
	OBJLIST(psc_kafka, listeners, s_listener, true),
	PAIRS(psc_kafka, protocol_map, v_security, true),
	STR_REQ(psc_kafka, inter_broker_listener),
	STR_REQ(psc_kafka, controller_listener),
	STR(psc_kafka, external_listener),
	DSTRLIST(psc_kafka, quorum_voters, true, PSC_MAX_BROKERS),
	STR_(psc_kafka, log_dirs, false, NULL, "./data"),
	DOBJLIST(psc_kafka, brokers, s_broker, true, PSC_MAX_BROKERS),
	CONFIG_PAIRS(psc_kafka, config),
};
static const struct schema s_kafka = SCHEMA("kafka", f_kafka);

static const struct field f_mapping[] = {
	STR_REQ(psc_proxy_mapping, upstream),
	STR_REQ(psc_proxy_mapping, listen),
	STR_REQ(psc_proxy_mapping, advertised),
};
static const struct schema s_mapping =
	SCHEMA("bootstrap server mapping", f_mapping);

static const struct field f_proxy[] = {
	STR_REQ(psc_kafka_proxy, instance),
	DOBJLIST(psc_kafka_proxy, bootstrap_server_mappings, s_mapping, true,
		 PSC_MAX_PROXY_MAPS),
	INT(psc_kafka_proxy, dynamic_sequential_min_port, 1, 65535),
	STR(psc_kafka_proxy, dynamic_advertised_listener),
	STR_(psc_kafka_proxy, http_listen_address, false, NULL,
	     "0.0.0.0:9080"),
	DSTRLIST(psc_kafka_proxy, additional_instances, false,
		 PSC_MAX_INSTANCES),
	STR(psc_kafka_proxy, version),
	BOOL(psc_kafka_proxy, deterministic_listeners),
};
static const struct schema s_proxy = SCHEMA("kafka_proxy", f_proxy);

static const struct field f_neg_ep[] = {
	STR_REQ(psc_neg_endpoint, instance),
	INT_REQ(psc_neg_endpoint, port, 1, 65535),
	INT_REQ(psc_neg_endpoint, client_port, 1, 65535),
};
static const struct schema s_neg_ep = SCHEMA("network endpoint", f_neg_ep);

static const struct field f_neg[] = {
	STR_REQ(psc_neg, name),
	ENUM(psc_neg, type, v_neg_type, "GCE_VM_IP_PORTMAP"),
	STR_REQ(psc_neg, region),
	STR_REQ(psc_neg, network),
	STR_REQ(psc_neg, subnetwork),
	DOBJLIST(psc_neg, endpoints, s_neg_ep, true, PSC_MAX_NEG_ENDPOINTS),
};
static const struct schema s_neg = SCHEMA("network endpoint group", f_neg);

static const struct field f_ig[] = {
	STR_REQ(psc_instance_group, name),
	STR_REQ(psc_instance_group, zone),
	DSTRLIST(psc_instance_group, instances, true, PSC_MAX_INSTANCES),
};
static const struct schema s_ig = SCHEMA("instance group", f_ig);

static const struct field f_hc[] = {
	STR_REQ(psc_health_check, name),
	STR_REQ(psc_health_check, region),
	ENUM(psc_health_check, protocol, v_hc_proto, "TCP"),
	INT_REQ(psc_health_check, port, 1, 65535),
	INT_DEF(psc_health_check, check_interval_sec, 1, 300, 5),
	INT_DEF(psc_health_check, timeout_sec, 1, 300, 5),
	INT_DEF(psc_health_check, healthy_threshold, 1, 10, 2),
	INT_DEF(psc_health_check, unhealthy_threshold, 1, 10, 2),
};
static const struct schema s_hc = SCHEMA("health check", f_hc);

static const struct field f_lb[] = {
	STR_REQ(psc_load_balancer, name),
	ENUM(psc_load_balancer, scheme, v_scheme, "INTERNAL_PASSTHROUGH"),
	STR_REQ(psc_load_balancer, region),
	STR_REQ(psc_load_balancer, network),
	ENUM(psc_load_balancer, protocol, v_lb_proto, "TCP"),
	STRLIST_(psc_load_balancer, backends, true, NULL),
	STR(psc_load_balancer, health_check),
	ENUM(psc_load_balancer, session_affinity, v_affinity, "NONE"),
	STR_REQ(psc_load_balancer, subnetwork),
	STR(psc_load_balancer, ip_address),
	ENUM(psc_load_balancer, ports, v_ports, "ALL"),
};
static const struct schema s_lb = SCHEMA("load balancer", f_lb);

static const struct field f_accept[] = {
	STR_REQ(psc_accept, project),
	INT_DEF(psc_accept, connection_limit, 0, 65535, 10),
};
static const struct schema s_accept = SCHEMA("accept list entry", f_accept);

static const struct field f_sa[] = {
	STR_REQ(psc_service_attachment, name),
	STR_REQ(psc_service_attachment, region),
	STR_REQ(psc_service_attachment, target),
	STRLIST_(psc_service_attachment, nat_subnets, true, NULL),
	ENUM(psc_service_attachment, connection_preference, v_pref,
	     "ACCEPT_AUTOMATIC"),
	OBJLIST(psc_service_attachment, consumer_accept_lists, s_accept,
		false),
	STRLIST(psc_service_attachment, consumer_reject_lists),
	BOOL(psc_service_attachment, enable_proxy_protocol),
};
static const struct schema s_sa = SCHEMA("service attachment", f_sa);

static const struct field f_endpoint[] = {
	STR_REQ(psc_endpoint, name),
	STR_REQ(psc_endpoint, network),
	STR_REQ(psc_endpoint, subnetwork),
	STR(psc_endpoint, ip_address),
	STR_REQ(psc_endpoint, target),
};
static const struct schema s_endpoint = SCHEMA("PSC endpoint", f_endpoint);

static const struct field f_record[] = {
	STR_REQ(psc_dns_record, name),
	ENUM(psc_dns_record, type, v_rtype, "A"),
	STR_REQ(psc_dns_record, endpoint),
};
static const struct schema s_record = SCHEMA("DNS record", f_record);

static const struct field f_zone[] = {
	STR_REQ(psc_dns_zone, name),
	STR_REQ(psc_dns_zone, dns_name),
	ENUM(psc_dns_zone, visibility, v_visibility, "private"),
	STRLIST_(psc_dns_zone, networks, true, NULL),
	OBJLIST(psc_dns_zone, records, s_record, true),
};
static const struct schema s_zone = SCHEMA("DNS zone", f_zone);

static const struct field f_tidbcloud[] = {
	STR_REQ(psc_tidbcloud, region),
	STR_REQ(psc_tidbcloud, project),
	STRLIST(psc_tidbcloud, zones),
	STR_REQ(psc_tidbcloud, unique),
	STR_REQ(psc_tidbcloud, advertised_listener_pattern),
};
static const struct schema s_tidbcloud = SCHEMA("tidbcloud", f_tidbcloud);

static const struct field f_changefeed[] = {
	STR_REQ(psc_changefeed, instance),
	STR_REQ(psc_changefeed, endpoint),
	INTLIST(psc_changefeed, bootstrap_ports, true, 1, 65535),
};
static const struct schema s_changefeed = SCHEMA("changefeed", f_changefeed);

/* changefeeds[]: the seed's FAQ, another TiDB Cloud project on the same
 * Kafka: the changefeed's three keys and that project's deployment
 * information; external_listener is the brokers' listener group that
 * serves it (portmap) */
static const struct field f_changefeed_more[] = {
	STR_REQ(psc_changefeed, instance),
	STR_REQ(psc_changefeed, endpoint),
	INTLIST(psc_changefeed, bootstrap_ports, true, 1, 65535),
	STR_REQ(psc_changefeed, project),
	STR_REQ(psc_changefeed, unique),
	STR_REQ(psc_changefeed, advertised_listener_pattern),
	STR(psc_changefeed, external_listener),
};
static const struct schema s_changefeed_more =
	SCHEMA("changefeed", f_changefeed_more);

static const struct field f_top[] = {
	STR_REQ(psc_topology, name),
	STR(psc_topology, description),
	STR_(psc_topology, approach, true, v_approach, NULL),
	OBJ(psc_topology, tidbcloud, s_tidbcloud, true),
	OBJLIST(psc_topology, networks, s_network, true),
	DOBJLIST(psc_topology, instances, s_instance, true,
		 PSC_MAX_INSTANCES),
	OBJ(psc_topology, kafka, s_kafka, true),
	OBJ(psc_topology, kafka_proxy, s_proxy, false),
	OBJLIST(psc_topology, network_endpoint_groups, s_neg, false),
	OBJLIST(psc_topology, instance_groups, s_ig, false),
	OBJLIST(psc_topology, health_checks, s_hc, false),
	OBJLIST(psc_topology, load_balancers, s_lb, true),
	OBJLIST(psc_topology, service_attachments, s_sa, true),
	OBJLIST(psc_topology, psc_endpoints, s_endpoint, true),
	OBJLIST(psc_topology, dns_zones, s_zone, true),
	OBJ(psc_topology, changefeed, s_changefeed, true),
	OBJLIST(psc_topology, changefeeds, s_changefeed_more, false),
	OBJLIST(psc_topology, kafka_proxies, s_proxy, false),
};
static const struct schema s_top = SCHEMA("topology", f_top);

/* ---- the walker ---- */

struct loader {
	yaml_document_t *doc;
	psc_topology *t;     /* the arena of the lists sized from the file */
	psc_diags *d;
	size_t visits;
	bool stop;           /* too many nodes: give up quietly */
};

static psc_loc node_loc(const yaml_node_t *n)
{
	return (psc_loc){(int)n->start_mark.line + 1,
			 (int)n->start_mark.column + 1};
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a string";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static bool visit(struct loader *L, const yaml_node_t *n)
{
	if (L->stop)
		return false;
	if (++L->visits > PSC_TOPOLOGY_MAX_VISITS) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "too-large",
			     "topology", NULL,
			     "more than %d YAML nodes to read (an alias "
			     "expanding too far?); stopped",
			     PSC_TOPOLOGY_MAX_VISITS);
		L->stop = true;
		return false;
	}
	return true;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* "instance 'broker-node1'", or "instance #3" before its name is known */
static void object_label(const struct schema *s, yaml_document_t *doc,
			 const yaml_node_t *map, size_t index, char *out,
			 size_t len)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE &&
		    v->type == YAML_SCALAR_NODE &&
		    strcmp(scalar(k), "name") == 0 &&
		    v->data.scalar.length < 80) {
			snprintf(out, len, "%s '%s'", s->kind, scalar(v));
			return;
		}
	}
	if (index)
		snprintf(out, len, "%s #%zu", s->kind, index);
	else
		snprintf(out, len, "%s", s->kind);
}

static void type_error(struct loader *L, const yaml_node_t *n,
		       const char *obj, const char *key, const char *want)
{
	psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "wrong-type", obj, NULL,
		     "'%s' must be %s, got %s", key, want, node_kind(n));
}

static int parse_str(struct loader *L, const yaml_node_t *n, const char *obj,
		     const char *key, const struct field *f, char *dst,
		     size_t size)
{
	if (n->type != YAML_SCALAR_NODE) {
		type_error(L, n, obj, key, "a string");
		return -1;
	}
	size_t len = n->data.scalar.length;
	if (len >= size) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "too-long", obj,
			     NULL, "'%s' is %zu characters long; at most %zu",
			     key, len, size - 1);
		return -1;
	}
	if (memchr(scalar(n), '\0', len)) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "wrong-type",
			     obj, NULL, "'%s' contains a NUL character", key);
		return -1;
	}
	if (f->values) {
		size_t i;
		for (i = 0; f->values[i]; i++)
			if (strcmp(f->values[i], scalar(n)) == 0)
				break;
		if (!f->values[i]) {
			char hint[200], allowed[160] = "";
			size_t nv = 0;
			for (i = 0; f->values[i]; i++, nv++) {
				size_t al = strlen(allowed);
				snprintf(allowed + al, sizeof(allowed) - al,
					 "%s%s", i ? ", " : "", f->values[i]);
			}
			const char *c = psc_closest(scalar(n), f->values, nv);
			if (c)
				snprintf(hint, sizeof(hint),
					 "did you mean '%s'?", c);
			else
				snprintf(hint, sizeof(hint), "one of: %s",
					 allowed);
			psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n),
				     "bad-value", obj, hint,
				     "'%s' is '%.64s', not one of %s", key,
				     scalar(n), allowed);
			return -1;
		}
	}
	memcpy(dst, scalar(n), len + 1);
	return 0;
}

static int parse_int(struct loader *L, const yaml_node_t *n, const char *obj,
		     const char *key, const struct field *f, long *dst)
{
	if (n->type != YAML_SCALAR_NODE) {
		type_error(L, n, obj, key, "an integer");
		return -1;
	}
	const char *s = scalar(n);
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*s ||
	    *end || errno == ERANGE || !(s[0] == '-' || (s[0] >= '0' &&
							   s[0] <= '9'))) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "wrong-type",
			     obj, NULL, "'%s' must be an integer, got '%.40s'",
			     key, s);
		return -1;
	}
	if (v < f->lo || v > f->hi) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "out-of-range",
			     obj, NULL, "'%s' is %ld, out of range %ld..%ld",
			     key, v, f->lo, f->hi);
		return -1;
	}
	*dst = v;
	return 0;
}

static int parse_bool(struct loader *L, const yaml_node_t *n, const char *obj,
		      const char *key, bool *dst)
{
	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (strcmp(scalar(n), "true") == 0) {
			*dst = true;
			return 0;
		}
		if (strcmp(scalar(n), "false") == 0) {
			*dst = false;
			return 0;
		}
	}
	psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "wrong-type", obj, NULL,
		     "'%s' must be true or false, got %s", key,
		     n->type == YAML_SCALAR_NODE ? "a string" : node_kind(n));
	return -1;
}

static void parse_object(struct loader *L, const yaml_node_t *map,
			 const struct schema *s, char *base, size_t index,
			 int depth);

/* a list longer than its field takes, at its first entry over the cap */
static void too_many(struct loader *L, const yaml_node_t *e, const char *obj,
		     const struct field *f)
{
	char hint[128] = "";
	if (f->cap)
		snprintf(hint, sizeof(hint),
			 "the cap is %s in include/model/topology.h: split "
			 "the list, or raise the cap and rebuild", f->cap);
	psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(e), "too-many", obj,
		     hint[0] ? hint : NULL,
		     "'%s' has more than %zu entries, the most pscLab takes",
		     f->key, f->max);
}

/* a list sized from the file: its entries (at most the cap) in the
 * topology's arena, the pointers at the field's place in base */
static int dyn_alloc(struct loader *L, const yaml_node_t *n, const char *obj,
		     const struct field *f, char *base, char **vals,
		     psc_loc **locs)
{
	size_t want = (size_t)(n->data.sequence.items.top -
			       n->data.sequence.items.start);
	if (want > f->max)
		want = f->max;
	if (want == 0)
		return 0;
	*vals = psc_topology_alloc(L->t, want, f->size);
	if (f->loc_off)
		*locs = psc_topology_alloc(L->t, want, sizeof(psc_loc));
	if (!*vals || (f->loc_off && !*locs)) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(n), "unreadable",
			     obj, NULL, "out of memory for '%s' (%zu entries)",
			     f->key, want);
		L->stop = true;
		return -1;
	}
	*(char **)(base + f->off) = *vals;
	if (f->loc_off)
		*(psc_loc **)(base + f->loc_off) = *locs;
	return 0;
}

/* a list of strings, integers or objects */
static void parse_list(struct loader *L, const yaml_node_t *n,
		       const char *obj, const struct field *f, char *base,
		       int depth)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		type_error(L, n, obj, f->key, "a list");
		return;
	}
	size_t *count = (size_t *)(base + f->count_off);
	*(psc_loc *)(base + f->list_loc_off) = node_loc(n);
	char *vals = base + f->off;
	psc_loc *locs = f->loc_off ? (psc_loc *)(base + f->loc_off) : NULL;
	if (f->dyn && dyn_alloc(L, n, obj, f, base, &vals, &locs) < 0)
		return;
	size_t i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *e = yaml_document_get_node(L->doc, *it);
		if (!e || !visit(L, e))
			return;
		if (i >= f->max) {
			too_many(L, e, obj, f);
			return;
		}
		char key[80];
		snprintf(key, sizeof(key), "%s[%zu]", f->key, i);
		switch (f->type) {
		case F_STRLIST:
			locs[i] = node_loc(e);
			if (parse_str(L, e, obj, key, f, vals + i * f->size,
				      f->size) == 0)
				(*count)++;
			break;
		case F_INTLIST:
			locs[i] = node_loc(e);
			if (parse_int(L, e, obj, key, f, (long *)vals + i) == 0)
				(*count)++;
			break;
		case F_OBJLIST:
			if (e->type != YAML_MAPPING_NODE) {
				type_error(L, e, obj, key, "a mapping");
				break;
			}
			parse_object(L, e, f->sub, vals + (*count) * f->size,
				     i + 1, depth + 1);
			(*count)++;
			break;
		default:
			break;
		}
	}
}

/* protocol_map: {INTERNAL: PLAINTEXT, ...} -> psc_proto_map_entry[],
 * config: {key: value, ...} -> psc_kafka_config_entry[]: the field says
 * where an entry keeps its key and value */
static void parse_pairs(struct loader *L, const yaml_node_t *n,
			const char *obj, const struct field *f, char *base)
{
	if (n->type != YAML_MAPPING_NODE) {
		type_error(L, n, obj, f->key, "a mapping");
		return;
	}
	size_t *count = (size_t *)(base + f->count_off);
	*(psc_loc *)(base + f->list_loc_off) = node_loc(n);
	char *v = base + f->off;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(L->doc, p->value);
		if (!k || !val || !visit(L, k) || !visit(L, val))
			return;
		if (*count >= f->max) {
			too_many(L, k, obj, f);
			return;
		}
		char *e = v + *count * f->size;
		struct field kf = {.key = f->key};
		char key[192];
		if (parse_str(L, k, obj, f->key, &kf, e + f->pk_off,
			      f->pk_size) != 0)
			continue;
		snprintf(key, sizeof(key), "%s.%s", f->key, e + f->pk_off);
		for (size_t j = 0; j < *count; j++)
			if (strcmp(v + j * f->size + f->pk_off,
				   e + f->pk_off) == 0) {
				psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(k),
					     "duplicate-key", obj, NULL,
					     "'%s' appears twice", key);
				goto next;
			}
		if (f->pv_int ? parse_int(L, val, obj, key, f,
					  (long *)(e + f->pv_off)) != 0
			      : parse_str(L, val, obj, key, f, e + f->pv_off,
					  f->pv_size) != 0)
			continue;
		*(psc_loc *)e = *(psc_loc *)(e + f->pk_loc) = node_loc(k);
		*(psc_loc *)(e + f->pv_loc) = node_loc(val);
		(*count)++;
next:;
	}
}

/* the field of schema s that key names; s->n with a diagnosis (and a
 * did-you-mean) when there is none */
static size_t find_field(struct loader *L, const struct schema *s,
			 const yaml_node_t *k, const char *obj)
{
	const char *keys[32];
	const char *key = scalar(k);
	size_t fi;
	for (fi = 0; fi < s->n; fi++)
		if (strcmp(s->f[fi].key, key) == 0)
			return fi;
	for (size_t i = 0; i < s->n; i++)
		keys[i] = s->f[i].key;
	char hint[128] = "";
	const char *c = psc_closest(key, keys, s->n);
	if (c)
		snprintf(hint, sizeof(hint), "did you mean '%s'?", c);
	psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(k), "unknown-key", obj,
		     hint, "unknown key '%.64s'", key);
	return s->n;
}

/* the value v of field f into the object at base */
static void parse_field(struct loader *L, const yaml_node_t *v,
			const struct field *f, const char *obj, char *base,
			int depth)
{
	const char *key = f->key;
	switch (f->type) {
	case F_STR:
		*(psc_loc *)(base + f->loc_off) = node_loc(v);
		parse_str(L, v, obj, key, f, base + f->off, f->size);
		break;
	case F_INT:
		*(psc_loc *)(base + f->loc_off) = node_loc(v);
		parse_int(L, v, obj, key, f, (long *)(base + f->off));
		break;
	case F_BOOL:
		*(psc_loc *)(base + f->loc_off) = node_loc(v);
		parse_bool(L, v, obj, key, (bool *)(base + f->off));
		break;
	case F_STRLIST:
	case F_INTLIST:
	case F_OBJLIST:
		parse_list(L, v, obj, f, base, depth);
		break;
	case F_PAIRS:
		parse_pairs(L, v, obj, f, base);
		break;
	case F_OBJ:
		if (v->type != YAML_MAPPING_NODE) {
			type_error(L, v, obj, key, "a mapping");
			break;
		}
		*(bool *)(base + f->count_off) = true;
		parse_object(L, v, f->sub, base + f->off, 0, depth + 1);
		break;
	}
}

/* keys the object did not have: required ones are errors, the others
 * take their defaults */
static void missing_fields(struct loader *L, const yaml_node_t *map,
			   const struct schema *s, const bool *seen,
			   const char *obj, char *base)
{
	for (size_t fi = 0; fi < s->n; fi++) {
		const struct field *f = &s->f[fi];
		if (seen[fi])
			continue;
		if (f->required) {
			psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(map),
				     "missing-key", obj, NULL,
				     "missing required key '%s'", f->key);
			continue;
		}
		if (f->type == F_STR && f->def)
			snprintf(base + f->off, f->size, "%s", f->def);
		else if (f->type == F_INT && f->has_idef)
			*(long *)(base + f->off) = f->idef;
	}
}

static void parse_object(struct loader *L, const yaml_node_t *map,
			 const struct schema *s, char *base, size_t index,
			 int depth)
{
	char obj[128];
	bool seen[32] = {false};

	if (!visit(L, map))
		return;
	*(psc_loc *)base = node_loc(map);   /* every object starts with loc */
	object_label(s, L->doc, map, index, obj, sizeof(obj));
	if (depth > PSC_TOPOLOGY_MAX_DEPTH) {
		psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(map), "too-deep", obj,
			     NULL, "nested deeper than %d levels",
			     PSC_TOPOLOGY_MAX_DEPTH);
		return;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v || !visit(L, k))
			return;
		if (k->type != YAML_SCALAR_NODE) {
			psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(k),
				     "wrong-type", obj, NULL,
				     "a key must be a plain string, got %s",
				     node_kind(k));
			continue;
		}
		size_t fi = find_field(L, s, k, obj);
		if (fi == s->n)
			continue;
		if (seen[fi]) {
			psc_diag_add(L->d, PSC_SEV_ERROR, node_loc(k),
				     "duplicate-key", obj, NULL,
				     "key '%s' appears twice", scalar(k));
			continue;
		}
		seen[fi] = true;
		if (!visit(L, v))
			return;
		parse_field(L, v, &s->f[fi], obj, base, depth);
		if (L->stop)
			return;
	}
	missing_fields(L, map, s, seen, obj, base);
}

/* defaults that depend on other fields */
static void fill_derived(psc_topology *t)
{
	psc_kafka *k = &t->kafka;
	for (size_t i = 0; i < k->n_brokers; i++) {
		psc_broker *b = &k->brokers[i];
		if (!b->broker_id[0]) {
			snprintf(b->broker_id, sizeof(b->broker_id), "b%ld",
				 b->node_id);
			b->broker_id_loc = b->node_id_loc;
		}
	}
	for (size_t i = 0; i < t->n_changefeeds; i++)
		t->changefeeds[i].present = true;
	for (size_t i = 0; i < t->n_kafka_proxies; i++)
		t->kafka_proxies[i].present = true;
}

/* A first pass over the events, stopping at the first one nested deeper
 * than PSC_TOPOLOGY_MAX_YAML_DEPTH: the scanner produces tokens lazily,
 * so it never reaches the expensive depths.  Syntax errors are left to
 * the loader, which reports them with their position. */
static int depth_check(const char *buf, size_t len, psc_diags *d)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0;

	if (!yaml_parser_initialize(&parser))
		return 0;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		yaml_event_type_t type = ev.type;
		if (type == YAML_SEQUENCE_START_EVENT ||
		    type == YAML_MAPPING_START_EVENT) {
			if (++depth > PSC_TOPOLOGY_MAX_YAML_DEPTH) {
				psc_diag_add(d, PSC_SEV_ERROR,
					     (psc_loc){(int)ev.start_mark.line + 1,
						       (int)ev.start_mark.column + 1},
					     "too-deep", "topology", NULL,
					     "YAML nested deeper than %d levels; "
					     "a topology needs 6",
					     PSC_TOPOLOGY_MAX_YAML_DEPTH);
				rc = -1;
			}
		} else if (type == YAML_SEQUENCE_END_EVENT ||
			   type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (rc < 0 || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

static psc_topology *load_yaml(const char *buf, size_t len, psc_diags *d,
			       bool *unreadable)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	psc_topology *t = NULL;

	if (depth_check(buf, len, d) < 0) {
		*unreadable = true;
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){1, 1}, "unreadable",
			     "topology", NULL, "out of memory");
		*unreadable = true;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		psc_diag_add(d, PSC_SEV_ERROR,
			     (psc_loc){(int)parser.problem_mark.line + 1,
				       (int)parser.problem_mark.column + 1},
			     "yaml-syntax", "topology", NULL,
			     "not valid YAML: %s%s%s",
			     parser.problem ? parser.problem : "parse error",
			     parser.context ? " " : "",
			     parser.context ? parser.context : "");
		*unreadable = true;
		goto out_parser;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){1, 1}, "empty",
			     "topology", NULL,
			     "the file holds no YAML document; a topology "
			     "starts with 'name:'");
		*unreadable = true;
		goto out_doc;
	}
	if (root->type != YAML_MAPPING_NODE) {
		psc_diag_add(d, PSC_SEV_ERROR, node_loc(root), "wrong-type",
			     "topology", NULL,
			     "the top level must be a mapping (name:, "
			     "networks:, ...), got %s", node_kind(root));
		*unreadable = true;
		goto out_doc;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		psc_diag_add(d, PSC_SEV_ERROR, (psc_loc){1, 1}, "unreadable",
			     "topology", NULL, "out of memory");
		*unreadable = true;
		goto out_doc;
	}
	snprintf(t->file, sizeof(t->file), "%s", d->file);
	struct loader L = {.doc = &doc, .t = t, .d = d};
	parse_object(&L, root, &s_top, (char *)t, 0, 0);
	fill_derived(t);

	/* a second document in the same file is not read: say so */
	yaml_document_t next;
	if (!L.stop && yaml_parser_load(&parser, &next)) {
		yaml_node_t *r2 = yaml_document_get_root_node(&next);
		if (r2)
			psc_diag_add(d, PSC_SEV_ERROR, node_loc(r2),
				     "multiple-documents", "topology", NULL,
				     "a second YAML document; a topology "
				     "file holds one");
		yaml_document_delete(&next);
	}
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	return t;
}

psc_topology *psc_topology_load_buffer(const char *name, const char *buf,
				       size_t len, psc_diags *diags,
				       bool *unreadable)
{
	*unreadable = false;
	if (name && !diags->file[0])
		snprintf(diags->file, sizeof(diags->file), "%s", name);
	if (len > PSC_TOPOLOGY_MAX_BYTES) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){1, 1},
			     "too-large", "topology", NULL,
			     "the file is %zu bytes; a topology is at most "
			     "%d bytes", len, PSC_TOPOLOGY_MAX_BYTES);
		*unreadable = true;
		return NULL;
	}
	return load_yaml(buf, len, diags, unreadable);
}

psc_topology *psc_topology_load_file(const char *path, psc_diags *diags,
				     bool *unreadable)
{
	struct stat st;
	psc_topology *t = NULL;
	char *buf = NULL;
	int fd;

	*unreadable = true;
	if (!diags->file[0])
		snprintf(diags->file, sizeof(diags->file), "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
			     "unreadable", "topology", NULL,
			     "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
			     "unreadable", "topology", NULL, "cannot stat: %s",
			     strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
			     "unreadable", "topology", NULL,
			     "is a directory, not a topology file");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
			     "unreadable", "topology", NULL,
			     "is not a regular file");
		goto out;
	}
	if (st.st_size > PSC_TOPOLOGY_MAX_BYTES) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){1, 1},
			     "too-large", "topology", NULL,
			     "the file is %lld bytes; a topology is at most "
			     "%d bytes", (long long)st.st_size,
			     PSC_TOPOLOGY_MAX_BYTES);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
			     "unreadable", "topology", NULL, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			psc_diag_add(diags, PSC_SEV_ERROR, (psc_loc){0, 0},
				     "unreadable", "topology", NULL,
				     "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	t = psc_topology_load_buffer(path, buf, got, diags, unreadable);
out:
	free(buf);
	close(fd);
	return t;
}
