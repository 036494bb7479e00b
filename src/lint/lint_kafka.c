/* lint_kafka.c - rules on Kafka, kafka-proxy and reachability: listeners and
 * the KRaft quorum, the advertised listener pattern, the two approaches, and
 * whether every advertised address and every bootstrap port leads the
 * changefeed to the right broker through the published service.
 *
 * Rules that compare objects only run when what they compare is sound (the
 * broker instances exist, the pattern parses, the listener is known, ...):
 * a broken value is reported once, by its own rule, not echoed by every rule
 * that depends on it. */
#define _POSIX_C_SOURCE 200809L
#include "lint/lint_kafka.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "model/addr.h"
#include "lint/lint_common.h"

#define ERR PSC_SEV_ERROR
#define WARN PSC_SEV_WARNING
#define N_PUB (PSC_MAX_BACKENDS * PSC_MAX_NEG_ENDPOINTS)

/* a NEG endpoint behind the published load balancer */
struct pub_ep {
	const psc_neg *neg;
	const psc_neg_endpoint *e;
};

struct ctx {
	const psc_topology *t;
	psc_topology *m;           /* the same model, for the look-ups */
	psc_diags *d;
	bool proxy;                /* approach proxy */
	const psc_listener *inter, *ctrl, *ext;
	bool brokers_ok;           /* each broker on an instance of its own */
	bool ids_ok;               /* node ids unique */
	bool pattern_ok;           /* a DNS name that starts with unique */
	char domain[PSC_HOST_LEN];
	/* the changefeed's path: instance -> endpoint -> attachment -> LB */
	const psc_instance *cf;
	const psc_endpoint *ep;
	const psc_service_attachment *sa;
	const psc_load_balancer *lb;
	const psc_neg *pub_negs[PSC_MAX_BACKENDS];
	size_t n_pub_negs;
	struct pub_ep pub[N_PUB];
	size_t n_pub;
	/* NEG endpoints already reported by neg-port */
	bool neg_bad[PSC_MAX_NEGS][PSC_MAX_NEG_ENDPOINTS];
	bool ext_dup[PSC_MAX_BROKERS];
	bool broker_id_bad[PSC_MAX_BROKERS];
	/* kafka-proxy */
	bool listens_ok;           /* every listen address parsed */
	int listen_port[PSC_MAX_PROXY_MAPS];
	int http_port;             /* 0: unparsed */
	bool mapped_known;         /* mapped[] could be computed */
	bool mapped[PSC_MAX_BROKERS];
	size_t n_unmapped;
	char adv_label[PSC_MAX_PROXY_MAPS][PSC_NAME_LEN]; /* "" unless valid */
};

/* ---- small helpers ---- */

static void join_longs(char *buf, size_t len, const long *v, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		psc_appendf(buf, len, "%s%ld", i ? ", " : "", v[i]);
}

static const char *broker_obj(char *buf, size_t len, const psc_broker *b)
{
	psc_setf(buf, len, "broker %ld (%s)", b->node_id, b->instance);
	return buf;
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

/* [a-z0-9-], 1..63, no leading or trailing '-' */
static bool lower_label(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* a DNS name without the trailing dot; why says what is wrong */
static bool dns_name_ok(const char *s, char *why, size_t wl)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253) {
		psc_setf(why, wl, "%s", n ? "it is longer than 253 characters"
		     : "it is empty");
		return false;
	}
	const char *p = s;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0) {
			psc_setf(why, wl, "it has an empty label");
			return false;
		}
		if (l > 63) {
			psc_setf(why, wl, "label '%.*s...' is longer than 63 "
			     "characters", 16, p);
			return false;
		}
		for (size_t i = 0; i < l; i++)
			if (!is_alnum(p[i]) && p[i] != '-') {
				psc_setf(why, wl, "label '%.*s' holds '%c'",
				     (int)(l > 63 ? 63 : l), p, p[i]);
				return false;
			}
		if (p[0] == '-' || p[l - 1] == '-') {
			psc_setf(why, wl, "label '%.*s' starts or ends with '-'",
			     (int)l, p);
			return false;
		}
		if (!dot)
			return true;
		p = dot + 1;
	}
}

/* "<label>.<domain>" -> label (one DNS label's worth of characters, no dot);
 * false when host is not a single label in front of domain */
static bool split_label(const char *host, const char *domain, char *label,
			size_t len)
{
	size_t hl = strlen(host), dl = strlen(domain);
	if (hl < dl + 2 || host[hl - dl - 1] != '.' ||
	    strcasecmp(host + hl - dl, domain) != 0)
		return false;
	size_t ll = hl - dl - 1;
	if (ll >= len || memchr(host, '.', ll))
		return false;
	memcpy(label, host, ll);
	label[ll] = '\0';
	return true;
}

static bool has_role(const psc_kafka *k, const char *role)
{
	for (size_t i = 0; i < k->n_process_roles; i++)
		if (strcmp(k->process_roles[i], role) == 0)
			return true;
	return false;
}

static const psc_listener *listener_by_port(const psc_kafka *k, long port)
{
	for (size_t i = 0; i < k->n_listeners; i++)
		if (k->listeners[i].port == port)
			return &k->listeners[i];
	return NULL;
}

/* "9092 (INTERNAL), 29092 (CONTROLLER)" */
static void listener_ports(const psc_kafka *k, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < k->n_listeners; i++)
		psc_appendf(buf, len, "%s%ld (%s)", i ? ", " : "",
			k->listeners[i].port, k->listeners[i].name);
}

static int instance_ip_str(const struct ctx *c, const char *name, char *out,
			   size_t len, uint32_t *ip_out)
{
	psc_instance *in = psc_find_instance(c->m, name);
	uint32_t ip;
	if (!in || psc_instance_ip(c->t, in, &ip) < 0)
		return -1;
	psc_ip_str(ip, out, len);
	if (ip_out)
		*ip_out = ip;
	return 0;
}

/* The earlier broker (listener) with the same value as the i-th, or NULL. */
#define EARLIER(arr, i, same)                                  \
	do {                                                   \
		for (size_t j_ = 0; j_ < (i); j_++)            \
			if (same(&(arr)[j_], &(arr)[i]))      \
				return &(arr)[j_];             \
		return NULL;                                   \
	} while (0)
#define SAME_INSTANCE(a, b) (strcmp((a)->instance, (b)->instance) == 0)
#define SAME_NODE_ID(a, b) ((a)->node_id == (b)->node_id)
#define SAME_BROKER_ID(a, b) (strcmp((a)->broker_id, (b)->broker_id) == 0)
#define SAME_EXT_PORT(a, b) \
	((a)->external_port > 0 && (a)->external_port == (b)->external_port)
#define SAME_NAME(a, b) (strcmp((a)->name, (b)->name) == 0)
#define SAME_PORT(a, b) ((a)->port == (b)->port)

static const psc_broker *dup_instance(const psc_kafka *k, size_t i)
{
	EARLIER(k->brokers, i, SAME_INSTANCE);
}

static const psc_broker *dup_node_id(const psc_kafka *k, size_t i)
{
	EARLIER(k->brokers, i, SAME_NODE_ID);
}

static const psc_broker *dup_broker_id(const psc_kafka *k, size_t i)
{
	EARLIER(k->brokers, i, SAME_BROKER_ID);
}

static const psc_broker *dup_external_port(const psc_kafka *k, size_t i)
{
	EARLIER(k->brokers, i, SAME_EXT_PORT);
}

static const psc_listener *dup_listener_name(const psc_kafka *k, size_t i)
{
	EARLIER(k->listeners, i, SAME_NAME);
}

static const psc_listener *dup_listener_port(const psc_kafka *k, size_t i)
{
	EARLIER(k->listeners, i, SAME_PORT);
}

/* ---- 1. references ---- */

static void check_broker_refs(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	const char *names[PSC_MAX_INSTANCES];
	size_t nn = psc_lint_instance_names(c->t, names, PSC_MAX_INSTANCES);
	char obj[128];

	c->brokers_ok = true;
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		broker_obj(obj, sizeof(obj), b);
		if (!psc_find_instance(c->m, b->instance)) {
			psc_lint_unknown_ref(c->d, b->instance_loc, obj,
					     "instance", "instance",
					     b->instance,
					     names, nn);
			c->brokers_ok = false;
			continue;
		}
		const psc_broker *o = dup_instance(k, i);
		if (!o)
			continue;
		psc_diag_add(c->d, ERR, b->instance_loc,
			     "broker-instance-duplicate", obj, NULL,
			     "instance '%s' already runs broker %ld: two "
			     "brokers on one instance would bind the same "
			     "listener ports", b->instance, o->node_id);
		c->brokers_ok = false;
	}
}

static void check_proxy_ref(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	if (!c->proxy || !p->present)
		return;
	const char *names[PSC_MAX_INSTANCES];
	size_t nn = psc_lint_instance_names(c->t, names, PSC_MAX_INSTANCES);
	if (!psc_find_instance(c->m, p->instance))
		psc_lint_unknown_ref(c->d, p->instance_loc, "kafka_proxy",
				     "instance", "instance", p->instance, names,
				     nn);
	for (size_t i = 0; i < p->n_additional_instances; i++)
		if (!psc_find_instance(c->m, p->additional_instances[i]))
			psc_lint_unknown_ref(c->d,
					     p->additional_instances_loc[i],
					     "kafka_proxy",
					     "additional_instances", "instance",
					     p->additional_instances[i], names,
					     nn);
}

/* ---- 2. listeners ---- */

static bool in_protocol_map(const psc_kafka *k, const char *name)
{
	for (size_t i = 0; i < k->n_protocol_map; i++)
		if (strcmp(k->protocol_map[i].listener, name) == 0)
			return true;
	return false;
}

static void check_listener_host(struct ctx *c, const psc_listener *l,
				const char *obj)
{
	const psc_kafka *k = &c->t->kafka;
	uint32_t ip;
	char err[128];
	if (psc_ip_parse(l->host, &ip, err, sizeof(err)) < 0) {
		psc_diag_add(c->d, ERR, l->host_loc, "listener-host", obj,
			     "use 0.0.0.0 to listen on all the instance's "
			     "addresses",
			     "host '%s' is not an IPv4 address: the lab binds "
			     "every listener to an address", l->host);
		return;
	}
	if (ip == 0 || !c->brokers_ok)
		return;
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		char ips[16];
		uint32_t bip;
		if (instance_ip_str(c, b->instance, ips, sizeof(ips),
				    &bip) < 0 || bip == ip)
			continue;
		psc_diag_add(c->d, ERR, l->host_loc, "listener-host", obj,
			     "use 0.0.0.0",
			     "host %s is not the address of broker %ld (%s, "
			     "%s): all brokers share their listeners, so that "
			     "broker could not serve listener '%s'", l->host,
			     b->node_id, b->instance, ips, l->name);
		return;
	}
}

static const psc_listener *listener_ref(struct ctx *c, const char *field,
					const char *value, psc_loc loc)
{
	psc_kafka *k = &c->m->kafka;
	if (!value[0])
		return NULL;
	psc_listener *l = psc_find_listener(k, value);
	if (l)
		return l;
	const char *names[PSC_MAX_LISTENERS];
	char list[PSC_MAX_LISTENERS * (PSC_NAME_LEN + 2)] = "";
	char hint[160] = "";
	for (size_t i = 0; i < k->n_listeners; i++) {
		names[i] = k->listeners[i].name;
		psc_appendf(list, sizeof(list), "%s%s", i ? ", " : "", names[i]);
	}
	const char *near = psc_closest(value, names, k->n_listeners);
	if (near)
		psc_setf(hint, sizeof(hint), "did you mean '%s'?", near);
	psc_diag_add(c->d, ERR, loc, "unknown-listener", "kafka", hint,
		     "%s '%s' names no listener (listeners: %s): Kafka refuses "
		     "to start", field, value, list);
	return NULL;
}

static void check_listeners(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	char obj[128];

	for (size_t i = 0; i < k->n_listeners; i++) {
		const psc_listener *l = &k->listeners[i];
		psc_lint_obj(obj, sizeof(obj), "listener", l->name);
		if (!in_protocol_map(k, l->name)) {
			char hint[160];
			psc_setf(hint, sizeof(hint),
			     "add '%s: PLAINTEXT' to protocol_map", l->name);
			psc_diag_add(c->d, ERR, l->name_loc,
				     "listener-protocol-map", obj, hint,
				     "not a key of protocol_map: Kafka refuses "
				     "to start (listener.security.protocol.map "
				     "gives it no security protocol)");
		}
		const psc_listener *o = dup_listener_name(k, i);
		if (o)
			psc_diag_add(c->d, ERR, l->name_loc,
				     "listener-duplicate", obj, NULL,
				     "the name is used twice (also line %d): "
				     "Kafka refuses to start",
				     o->name_loc.line);
		o = dup_listener_port(k, i);
		if (o)
			psc_diag_add(c->d, ERR, l->port_loc,
				     "listener-duplicate", obj, NULL,
				     "port %ld is also listener '%s''s: Kafka "
				     "refuses to start (each listener needs a "
				     "port of its own)", l->port, o->name);
		check_listener_host(c, l, obj);
	}

	c->inter = listener_ref(c, "inter_broker_listener",
				k->inter_broker_listener,
				k->inter_broker_listener_loc);
	c->ctrl = listener_ref(c, "controller_listener", k->controller_listener,
			       k->controller_listener_loc);
	c->ext = listener_ref(c, "external_listener", k->external_listener,
			      k->external_listener_loc);

	if (!k->controller_listener[0])
		psc_diag_add(c->d, ERR, k->controller_listener_loc,
			     "controller-listener", "kafka", NULL,
			     "controller_listener is empty: Kafka refuses to "
			     "start a KRaft node without "
			     "controller.listener.names%s",
			     has_role(k, "controller")
			     ? " (process_roles includes controller)"
			     : "");
	else if (c->ctrl && c->inter && c->ctrl == c->inter)
		psc_diag_add(c->d, ERR, k->controller_listener_loc,
			     "controller-listener", "kafka",
			     "give the controllers a listener of their own, "
			     "e.g. CONTROLLER",
			     "controller_listener '%s' is also the "
			     "inter_broker_listener: Kafka refuses to start "
			     "(controller.listener.names must not contain "
			     "inter.broker.listener.name)",
			     k->controller_listener);
	if (c->ctrl && c->ctrl == c->inter)
		c->ctrl = NULL;   /* reported: no port checks against it */
}

/* ---- 3. cluster id ---- */

static void check_cluster_id(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(k->cluster_id);
	if (n == 22 && strspn(k->cluster_id, b64url) == n)
		return;
	psc_diag_add(c->d, ERR, k->cluster_id_loc, "cluster-id", "kafka",
		     "generate one with 'kafka-storage.sh random-uuid' (the "
		     "seed uses BRl69zcmTFmiPaoaANybiw)",
		     "cluster_id '%s' is not a Kafka Uuid (22 characters of "
		     "base64url, as 'kafka-storage.sh random-uuid' prints): "
		     "'kafka-storage.sh format' refuses it", k->cluster_id);
}

/* kafka.config: extra server.properties, but not what the lab writes
 * from the topology (the namespaces, NAT and checks follow the topology) */
static void check_config(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	for (size_t i = 0; i < k->n_config; i++) {
		const psc_kafka_config_entry *e = &k->config[i];
		const char *owner = psc_kafka_config_owner(e->key);
		if (!owner)
			continue;
		psc_diag_add(c->d, ERR, e->key_loc, "kafka-config-owned",
			     "kafka", NULL,
			     "config '%s': pscLab writes %s from %s, and the "
			     "lab's namespaces, NAT rules and checks follow "
			     "that field: set it there, not in kafka.config",
			     e->key, e->key, owner);
	}
}

/* ---- 4. node ids and the quorum ---- */

static void check_node_ids(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	char obj[128];
	c->ids_ok = true;
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i], *o = dup_node_id(k, i);
		if (!o)
			continue;
		psc_diag_add(c->d, ERR, b->node_id_loc, "node-id-duplicate",
			     broker_obj(obj, sizeof(obj), b), NULL,
			     "node_id %ld is already the id of the broker on "
			     "%s: Kafka node ids must be unique in a cluster",
			     b->node_id, o->instance);
		c->ids_ok = false;
	}
}

struct voter {
	long id;
	char host[PSC_HOST_LEN];
	int port;
	bool ok;
};

static bool parse_voter(const char *s, struct voter *v)
{
	char err[128];
	const char *at = strchr(s, '@');
	if (!at || at == s || (size_t)(at - s) > 9 ||
	    strspn(s, "0123456789") != (size_t)(at - s))
		return false;
	v->id = strtol(s, NULL, 10);
	if (psc_hostport_parse(at + 1, v->host, sizeof(v->host), &v->port, err,
			       sizeof(err)) < 0 || !v->host[0] ||
	    strchr(v->host, '@'))
		return false;
	return true;
}

static void check_voter_target(struct ctx *c, const struct voter *v,
			       psc_loc loc)
{
	const psc_kafka *k = &c->t->kafka;
	const psc_broker *b = psc_find_broker_by_id(&c->m->kafka, v->id);
	if (b && c->brokers_ok && c->ids_ok) {
		char ips[16] = "?";
		instance_ip_str(c, b->instance, ips, sizeof(ips), NULL);
		if (strcmp(v->host, b->instance) != 0 &&
		    strcmp(v->host, ips) != 0)
			psc_diag_add(c->d, ERR, loc, "quorum-voters", "kafka",
				     NULL,
				     "voter %ld's host '%s' is neither broker "
				     "%ld's instance (%s) nor its address "
				     "(%s): the controllers could not reach "
				     "each other", v->id, v->host, v->id,
				     b->instance, ips);
	}
	if (c->ctrl && v->port != c->ctrl->port)
		psc_diag_add(c->d, ERR, loc, "quorum-voters", "kafka", NULL,
			     "voter %ld's port %d is not the port of "
			     "controller_listener '%s' (%ld): the controllers "
			     "could not reach each other", v->id, v->port,
			     k->controller_listener, c->ctrl->port);
}

/* Each voter: its syntax, its id given once, its host and port (v[i].ok
 * when it parses).  Returns whether every voter parses. */
static bool check_voters(struct ctx *c, struct voter *v)
{
	const psc_kafka *k = &c->t->kafka;
	bool syntax_ok = true;

	for (size_t i = 0; i < k->n_quorum_voters; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		if (!parse_voter(k->quorum_voters[i], &v[i])) {
			psc_diag_add(c->d, ERR, k->quorum_voters_loc[i],
				     "quorum-voter-syntax", "kafka",
				     "e.g. '1@broker-node1:29092'",
				     "quorum voter '%s' is not "
				     "<id>@<host>:<port>",
				     k->quorum_voters[i]);
			syntax_ok = false;
			continue;
		}
		v[i].ok = true;
		size_t j;
		for (j = 0; j < i; j++)
			if (v[j].ok && v[j].id == v[i].id)
				break;
		if (j < i) {
			psc_diag_add(c->d, ERR, k->quorum_voters_loc[i],
				     "quorum-voters", "kafka", NULL,
				     "voter id %ld appears twice (also '%s'): "
				     "Kafka refuses to start", v[i].id,
				     k->quorum_voters[j]);
			continue;
		}
		check_voter_target(c, &v[i], k->quorum_voters_loc[i]);
	}
	return syntax_ok;
}

/* The voters (all parsed) must be exactly the controllers' node ids. */
static void check_voters_are_controllers(struct ctx *c,
					 const struct voter *v)
{
	const psc_kafka *k = &c->t->kafka;
	bool ctrl = has_role(k, "controller");
	long ids[PSC_MAX_BROKERS] = {0}, missing[PSC_MAX_BROKERS] = {0},
		extra[PSC_MAX_BROKERS] = {0};
	size_t n_ids = 0, n_missing = 0, n_extra = 0;
	psc_loc loc = k->quorum_voters_list_loc;
	bool loc_set = false;
	for (size_t i = 0; ctrl && i < k->n_brokers; i++) {
		long id = k->brokers[i].node_id;
		ids[n_ids++] = id;
		size_t j;
		for (j = 0; j < k->n_quorum_voters; j++)
			if (v[j].id == id)
				break;
		if (j == k->n_quorum_voters)
			missing[n_missing++] = id;
	}
	for (size_t j = 0; j < k->n_quorum_voters; j++) {
		size_t i, m;
		for (i = 0; i < n_ids; i++)
			if (ids[i] == v[j].id)
				break;
		for (m = 0; m < n_extra; m++)
			if (extra[m] == v[j].id)
				break;
		if (i < n_ids || m < n_extra)
			continue;
		extra[n_extra++] = v[j].id;
		if (!loc_set) {
			loc = k->quorum_voters_loc[j];
			loc_set = true;
		}
	}
	if (!n_missing && !n_extra)
		return;
	char idl[128], ml[128], el[128], msg[320] = "";
	join_longs(ml, sizeof(ml), missing, n_missing);
	join_longs(el, sizeof(el), extra, n_extra);
	if (n_ids)
		join_longs(idl, sizeof(idl), ids, n_ids);
	else
		psc_setf(idl, sizeof(idl), "none: process_roles has no "
		     "controller");
	if (n_missing)
		psc_appendf(msg, sizeof(msg), "no voter for node %s (Kafka refuses "
			"to start a controller that is not a voter)", ml);
	if (n_extra)
		psc_appendf(msg, sizeof(msg), "%svoter %s is no controller's node "
			"id (the quorum would count a voter that never runs)",
			n_missing ? "; " : "", el);
	psc_diag_add(c->d, ERR, loc, "quorum-voters", "kafka", NULL,
		     "quorum_voters does not match the controllers' node ids "
		     "(%s): %s", idl, msg);
}

static void check_quorum(struct ctx *c)
{
	struct voter v[PSC_MAX_BROKERS];
	if (check_voters(c, v) && c->ids_ok)
		check_voters_are_controllers(c, v);
}

/* ---- 5. the advertised listener pattern and broker ids ---- */

static void check_pattern(struct ctx *c)
{
	const psc_tidbcloud *tc = &c->t->tidbcloud;
	size_t ul = strlen(tc->unique);
	bool unique_ok = ul > 0 && strspn(tc->unique, "abcdefghijklmnopqrstu"
						       "vwxyz0123456789") == ul;
	char why[128];

	c->pattern_ok = false;
	if (!tc->present)
		return;
	if (!unique_ok)
		psc_diag_add(c->d, ERR, tc->unique_loc, "pattern-unique",
			     "tidbcloud", NULL,
			     "unique '%s' is not one or more lowercase letters "
			     "or digits: TiDB Cloud refuses it", tc->unique);

	if (psc_pattern_domain(tc, c->domain, sizeof(c->domain)) < 0) {
		psc_diag_add(c->d, ERR, tc->advertised_listener_pattern_loc,
			     "pattern-shape", "tidbcloud",
			     "TiDB Cloud generates "
			     "'<broker_id>.<unique>.<region>.gcp.<id>.tidbcloud"
			     ".com:<port>'",
			     "advertised_listener_pattern '%s' is not "
			     "'<broker_id>.<unique>.<domain>:<port>'",
			     tc->advertised_listener_pattern);
		return;
	}
	if (!dns_name_ok(c->domain, why, sizeof(why))) {
		psc_diag_add(c->d, ERR, tc->advertised_listener_pattern_loc,
			     "pattern-shape", "tidbcloud", NULL,
			     "the pattern's domain '%s' is not a DNS name: %s",
			     c->domain, why);
		return;
	}
	size_t fl = strcspn(c->domain, ".");
	if (unique_ok && (fl != ul || strncmp(c->domain, tc->unique, ul))) {
		psc_diag_add(c->d, ERR, tc->advertised_listener_pattern_loc,
			     "pattern-shape", "tidbcloud", NULL,
			     "the pattern's domain starts with '%.*s', not "
			     "with unique '%s': it is not the pattern TiDB "
			     "Cloud generated for '%s', nor the names it "
			     "resolves", (int)fl, c->domain, tc->unique,
			     tc->unique);
		return;
	}
	c->pattern_ok = true;

	if (!tc->region[0])
		return;
	size_t rl = strlen(tc->region);
	for (const char *p = c->domain; *p;) {
		size_t l = strcspn(p, ".");
		if (l == rl && strncmp(p, tc->region, rl) == 0)
			return;
		p += l;
		if (*p)
			p++;
	}
	psc_diag_add(c->d, WARN, tc->advertised_listener_pattern_loc,
		     "pattern-region", "tidbcloud", NULL,
		     "the pattern's domain '%s' does not name region '%s': "
		     "TiDB Cloud generates the pattern in its cluster's region "
		     "(copied from another cluster?)", c->domain,
		     tc->region);
}

static void check_broker_ids(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	char obj[128];
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		broker_obj(obj, sizeof(obj), b);
		if (!lower_label(b->broker_id)) {
			psc_diag_add(c->d, ERR, b->broker_id_loc, "broker-id",
				     obj, NULL,
				     "broker_id '%s' is not a lowercase DNS "
				     "label (a-z, 0-9 and '-', 1 to 63 "
				     "characters): '%s.<domain>' is no valid "
				     "advertised host name", b->broker_id,
				     b->broker_id);
			c->broker_id_bad[i] = true;
			continue;
		}
		const psc_broker *o = dup_broker_id(k, i);
		if (o) {
			psc_diag_add(c->d, ERR, b->broker_id_loc, "broker-id",
				     obj, NULL,
				     "broker_id '%s' is also broker %ld's: "
				     "both would advertise the same host name",
				     b->broker_id, o->node_id);
			c->broker_id_bad[i] = true;
			continue;
		}
		if (!c->ids_ok)
			continue;
		char want[PSC_NAME_LEN];
		psc_setf(want, sizeof(want), "b%ld", b->node_id);
		if (strcmp(want, b->broker_id) != 0) {
			char hint[96];
			psc_setf(hint, sizeof(hint), "use '%s'", want);
			psc_diag_add(c->d, WARN, b->broker_id_loc,
				     "broker-id-convention", obj, hint,
				     "broker_id '%s' differs from '%s', the "
				     "seed's convention ('b' + node.id) that "
				     "makes troubleshooting easy",
				     b->broker_id, want);
		}
	}
}

/* ---- 6, 7. approaches ---- */

static void check_approach_portmap(struct ctx *c)
{
	const psc_topology *t = c->t;
	const psc_kafka *k = &t->kafka;
	char obj[128];

	if (!k->external_listener[0])
		psc_diag_add(c->d, ERR, k->loc, "approach-portmap", "kafka",
			     NULL,
			     "approach portmap needs external_listener, the "
			     "listener the NEG maps client ports to and "
			     "brokers advertise as "
			     "<broker_id>.<domain>:<external_port>");
	if (t->kafka_proxy.present)
		psc_diag_add(c->d, WARN, t->kafka_proxy.loc, "approach-extra",
			     "kafka_proxy", NULL,
			     "approach portmap ignores the kafka_proxy "
			     "section: no kafka-proxy runs");
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i], *o;
		broker_obj(obj, sizeof(obj), b);
		if (b->external_port <= 0) {
			psc_diag_add(c->d, ERR, b->loc, "approach-portmap", obj,
				     NULL,
				     "no external_port: in approach portmap "
				     "every broker advertises a client port of "
				     "its own, "
				     "<broker_id>.<domain>:<external_port>");
			continue;
		}
		/* 7. the external port tells brokers apart */
		if ((o = dup_external_port(k, i)) != NULL) {
			psc_diag_add(c->d, ERR, b->external_port_loc,
				     "external-port-duplicate", obj, NULL,
				     "external_port %ld is also broker %ld's: "
				     "the port is what tells brokers apart at "
				     "the endpoint, so the changefeed would "
				     "reach one broker for both",
				     b->external_port, o->node_id);
			c->ext_dup[i] = true;
		}
	}
}

static void check_approach_proxy(struct ctx *c)
{
	const psc_topology *t = c->t;
	const psc_kafka *k = &t->kafka;
	char obj[128];

	if (!t->kafka_proxy.present)
		psc_diag_add(c->d, ERR, t->approach_loc, "approach-proxy",
			     "topology", NULL,
			     "approach proxy needs a kafka_proxy section: "
			     "nothing would listen behind the load balancer");
	if (k->external_listener[0])
		psc_diag_add(c->d, WARN, k->external_listener_loc,
			     "approach-extra", "kafka", NULL,
			     "approach proxy ignores external_listener '%s': "
			     "kafka-proxy connects to the inter-broker "
			     "listener", k->external_listener);
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		if (b->external_port <= 0)
			continue;
		psc_diag_add(c->d, WARN, b->external_port_loc,
			     "approach-extra", broker_obj(obj, sizeof(obj), b),
			     NULL,
			     "approach proxy ignores external_port %ld: "
			     "kafka-proxy's mappings give the client ports",
			     b->external_port);
	}
}

/* ---- the published path and the NEG ---- */

static void resolve_path(struct ctx *c)
{
	const psc_changefeed *cf = &c->t->changefeed;
	if (!cf->present)
		return;
	c->cf = psc_find_instance(c->m, cf->instance);
	c->ep = psc_find_endpoint(c->m, cf->endpoint);
	c->sa = c->ep ? psc_find_service_attachment(c->m, c->ep->target) : NULL;
	c->lb = c->sa ? psc_find_load_balancer(c->m, c->sa->target) : NULL;
	for (size_t i = 0; c->lb && i < c->lb->n_backends; i++) {
		psc_neg *g = psc_find_neg(c->m, c->lb->backends[i]);
		if (!g)
			continue;
		c->pub_negs[c->n_pub_negs++] = g;
		for (size_t j = 0; j < g->n_endpoints && c->n_pub < N_PUB; j++)
			c->pub[c->n_pub++] =
				(struct pub_ep){g, &g->endpoints[j]};
	}
}

static bool *neg_bad(struct ctx *c, const psc_neg *g,
		     const psc_neg_endpoint *e)
{
	size_t gi = (size_t)(g - c->t->network_endpoint_groups);
	size_t ei = (size_t)(e - g->endpoints);
	return &c->neg_bad[gi][ei];
}

static const struct pub_ep *pub_by_client_port(const struct ctx *c,
					       long port)
{
	for (size_t i = 0; i < c->n_pub; i++)
		if (c->pub[i].e->client_port == port)
			return &c->pub[i];
	return NULL;
}

/* a client port that reaches a broker's external listener (or, without
 * one, a port a broker listens on) */
static bool pub_works(struct ctx *c, const struct pub_ep *p)
{
	if (*neg_bad(c, p->neg, p->e) ||
	    !psc_find_broker_by_instance(&c->m->kafka, p->e->instance))
		return false;
	if (c->ext)
		return p->e->port == c->ext->port;
	return listener_by_port(&c->t->kafka, p->e->port) != NULL;
}

/* "'kafka-neg'" or "the NEGs of 'kafka-lb'" */
static void pub_negs_name(const struct ctx *c, char *buf, size_t len)
{
	if (c->n_pub_negs == 1)
		psc_setf(buf, len, "'%s'", c->pub_negs[0]->name);
	else
		psc_setf(buf, len, "the NEGs of '%s'", c->lb->name);
}

static void check_neg_ports(struct ctx *c)
{
	const psc_topology *t = c->t;
	char obj[128], ports[256];
	if (!c->brokers_ok)
		return;
	listener_ports(&t->kafka, ports, sizeof(ports));
	for (size_t g = 0; g < t->n_network_endpoint_groups; g++) {
		const psc_neg *n = &t->network_endpoint_groups[g];
		psc_lint_obj(obj, sizeof(obj), "network endpoint group",
			     n->name);
		for (size_t i = 0; i < n->n_endpoints; i++) {
			const psc_neg_endpoint *e = &n->endpoints[i];
			if (!psc_find_instance(c->m, e->instance))
				continue;   /* a reference: lint_net's */
			if (!psc_find_broker_by_instance(&c->m->kafka,
							 e->instance)) {
				psc_diag_add(c->d, ERR, e->instance_loc,
					     "neg-port", obj, NULL,
					     "the endpoint for client port %ld "
					     "maps instance '%s', which runs "
					     "no Kafka broker: connections to "
					     "client port %ld reach nothing",
					     e->client_port, e->instance,
					     e->client_port);
				c->neg_bad[g][i] = true;
			} else if (!listener_by_port(&t->kafka, e->port)) {
				char hint[128] = "";
				if (c->ext)
					psc_setf(hint, sizeof(hint),
					     "map it to listener '%s', "
					     "port %ld", c->ext->name,
					     c->ext->port);
				psc_diag_add(c->d, ERR, e->port_loc, "neg-port",
					     obj, hint,
					     "the endpoint for client port %ld "
					     "maps %s:%ld, but Kafka listens "
					     "on %s there: connections are "
					     "refused",
					     e->client_port, e->instance,
					     e->port, ports);
				c->neg_bad[g][i] = true;
			}
		}
	}
}

/* ---- 9. advertised addresses (portmap) ---- */

static void check_advertised_reach(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	char obj[128], adv[PSC_ADDR_LEN], hint[256], negs[96];

	if (c->proxy || !c->ext || !c->pattern_ok || !c->brokers_ok || !c->lb)
		return;
	pub_negs_name(c, negs, sizeof(negs));
	for (size_t i = 0; i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		if (b->external_port <= 0 || c->ext_dup[i] ||
		    psc_broker_advertised_external(c->t, b, adv,
						   sizeof(adv)) < 0)
			continue;
		broker_obj(obj, sizeof(obj), b);
		const struct pub_ep *p =
			pub_by_client_port(c, b->external_port);
		if (!p) {
			psc_setf(hint, sizeof(hint),
			     "add to %s an endpoint: instance %s, port %ld, "
			     "client_port %ld", negs, b->instance,
			     c->ext->port, b->external_port);
			psc_diag_add(c->d, ERR, b->external_port_loc,
				     "advertised-reach", obj, hint,
				     "advertises %s, but no NEG endpoint "
				     "behind '%s' has client port %ld: the "
				     "changefeed's connections to broker %ld "
				     "time out", adv, c->lb->name,
				     b->external_port, b->node_id);
			continue;
		}
		if (*neg_bad(c, p->neg, p->e) ||
		    !psc_find_instance(c->m, p->e->instance))
			continue;   /* reported by neg-port or lint_net */
		if (strcmp(p->e->instance, b->instance) != 0) {
			const psc_broker *o = psc_find_broker_by_instance(
				&c->m->kafka, p->e->instance);
			psc_setf(hint, sizeof(hint),
			     "'%s' maps client port %ld to %s:%ld (line %d); "
			     "map it to %s:%ld", p->neg->name,
			     p->e->client_port, p->e->instance, p->e->port,
			     p->e->instance_loc.line, b->instance,
			     c->ext->port);
			psc_diag_add(c->d, ERR, b->external_port_loc,
				     "advertised-reach", obj, hint,
				     "%s reaches %s:%ld, not %s: the "
				     "changefeed would send broker %ld's "
				     "requests to broker %ld",
				     adv, p->e->instance,
				     p->e->port, b->instance, b->node_id,
				     o ? o->node_id : -1L);
			continue;
		}
		if (p->e->port != c->ext->port) {
			const psc_listener *l = listener_by_port(k, p->e->port);
			const char *ln = l ? l->name : "?";
			psc_setf(hint, sizeof(hint),
			     "map client port %ld to %s:%ld (listener '%s') in "
			     "'%s'", b->external_port, b->instance,
			     c->ext->port, c->ext->name, p->neg->name);
			psc_diag_add(c->d, ERR, p->e->port_loc,
				     "advertised-reach", obj, hint,
				     "%s reaches %s:%ld, listener '%s', not "
				     "external_listener '%s' (%ld): the "
				     "changefeed would get %s metadata, with "
				     "private addresses it cannot reach",
				     adv, b->instance, p->e->port, ln,
				     c->ext->name, c->ext->port, ln);
		}
	}
}

/* ---- 9. advertised address against the pattern (external_advertised) ---- */

/* One broker whose external_advertised is not the pattern's address. */
static void advertised_pattern_one(struct ctx *c, const psc_broker *b,
				   const char *want)
{
	char obj[128], hint[256], host[PSC_HOST_LEN], err[128];
	int port;
	uint32_t ip;
	char reason[160];
	if (psc_hostport_parse(b->external_advertised, host, sizeof(host),
			       &port, err, sizeof(err)) == 0 &&
	    psc_ip_parse(host, &ip, err, sizeof(err)) == 0)
		psc_setf(reason, sizeof(reason), "a private address of the "
		     "producer's VPC that the changefeed's VPC has no route "
		     "to (only the PSC endpoint leads in)");
	else
		psc_setf(reason, sizeof(reason), "which is not where the "
		     "private zone and the NEG lead to broker %ld",
		     b->node_id);
	broker_obj(obj, sizeof(obj), b);
	psc_setf(hint, sizeof(hint), "remove external_advertised: "
	     "advertised.listeners=...,%s://%s, as the pattern says",
	     c->ext->name, want);
	psc_diag_add(c->d, ERR, b->external_advertised_loc,
		     "advertised-pattern", obj, hint,
		     "advertises %s on listener '%s', not the pattern's %s: "
		     "Metadata sends the changefeed to it, %s",
		     b->external_advertised, c->ext->name, want, reason);
}

static void check_advertised_pattern(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	char obj[128], want[PSC_ADDR_LEN];
	for (size_t i = 0; c->brokers_ok && i < k->n_brokers; i++) {
		const psc_broker *b = &k->brokers[i];
		if (!b->external_advertised[0])
			continue;
		if (!c->ext) {
			broker_obj(obj, sizeof(obj), b);
			psc_diag_add(c->d, ERR, b->external_advertised_loc,
				     "advertised-pattern", obj,
				     "remove external_advertised",
				     "external_advertised '%s' is set, but "
				     "the cluster has no external_listener "
				     "that would advertise it",
				     b->external_advertised);
			continue;
		}
		if (!c->pattern_ok || c->broker_id_bad[i] ||
		    psc_broker_advertised_external(c->t, b, want,
						   sizeof(want)) < 0 ||
		    strcasecmp(want, b->external_advertised) == 0)
			continue;   /* broken pattern or id: their rules' */
		advertised_pattern_one(c, b, want);
	}
}

/* ---- 9. advertised names in DNS (both approaches) ---- */

struct adv_host {
	char host[PSC_HOST_LEN + PSC_NAME_LEN];
	psc_loc loc;
	char obj[128];
	int state;                 /* 0 ok, 1 no zone, 2 no record */
	const psc_dns_zone *zone;
	const psc_dns_record *rec;
};

static bool zone_visible(const psc_dns_zone *z, const char *network)
{
	for (size_t i = 0; i < z->n_networks; i++)
		if (strcmp(z->networks[i], network) == 0)
			return true;
	return false;
}

/* The most specific visible zone holding host, and the record that answers
 * (exact name first, then a wildcard), the way Cloud DNS picks them. */
static void dns_lookup(const struct ctx *c, struct adv_host *h)
{
	const psc_topology *t = c->t;
	size_t best = 0, hl = strlen(h->host);
	char rel[PSC_HOST_LEN] = "";

	h->zone = NULL;
	h->rec = NULL;
	for (size_t i = 0; i < t->n_dns_zones; i++) {
		const psc_dns_zone *z = &t->dns_zones[i];
		size_t zl = strlen(z->dns_name);
		if (zl && z->dns_name[zl - 1] == '.')
			zl--;
		if (!zl || !zone_visible(z, c->cf->network) || zl > hl)
			continue;
		bool apex = zl == hl;
		if (strncasecmp(h->host + hl - zl, z->dns_name, zl) != 0 ||
		    (!apex && h->host[hl - zl - 1] != '.'))
			continue;
		if (zl + 1 > best) {
			best = zl + 1;
			h->zone = z;
			if (apex)
				psc_setf(rel, sizeof(rel), "@");
			else
				psc_setf(rel, sizeof(rel), "%.*s",
				     (int)(hl - zl - 1), h->host);
		}
	}
	if (!h->zone) {
		h->state = 1;
		return;
	}
	const psc_dns_zone *z = h->zone;
	for (size_t i = 0; i < z->n_records; i++)
		if (strcasecmp(z->records[i].name, rel) == 0) {
			h->rec = &z->records[i];
			return;
		}
	size_t rl = strlen(rel);
	for (size_t i = 0; rel[0] != '@' && i < z->n_records; i++) {
		const char *n = z->records[i].name;
		size_t nl = strlen(n);
		if (strcmp(n, "*") == 0 ||
		    (nl > 2 && n[0] == '*' && n[1] == '.' && rl > nl - 1 &&
		     strcasecmp(rel + rl - (nl - 1), n + 1) == 0)) {
			h->rec = &z->records[i];
			return;
		}
	}
	h->state = 2;
}

static void check_dns_hosts(struct ctx *c, struct adv_host *h, size_t n)
{
	char other[64] = "";
	size_t n_nozone = 0;
	const struct adv_host *first = NULL;

	bool any_zone = false;   /* none visible at all: lint_net says it */
	for (size_t i = 0; i < c->t->n_dns_zones; i++)
		any_zone |= zone_visible(&c->t->dns_zones[i], c->cf->network);
	for (size_t i = 0; i < n; i++) {
		dns_lookup(c, &h[i]);
		if (any_zone && h[i].state == 1 && !n_nozone++)
			first = &h[i];
	}
	if (first) {
		if (n_nozone > 1)
			psc_setf(other, sizeof(other),
			     ", nor %zu other advertised host%s",
			     n_nozone - 1, n_nozone > 2 ? "s" : "");
		psc_diag_add(c->d, ERR, first->loc, "advertised-dns",
			     first->obj, NULL,
			     "no private DNS zone visible to network '%s' (the "
			     "changefeed's) holds %s%s: TiDB Cloud could not "
			     "resolve %s", c->cf->network, first->host, other,
			     n_nozone > 1 ? "them" : "it");
	}
	for (size_t i = 0; i < n; i++) {
		if (h[i].state == 2)
			psc_diag_add(c->d, ERR, h[i].loc, "advertised-dns",
				     h[i].obj, NULL,
				     "DNS zone '%s' has no record for %s (nor "
				     "a wildcard covering it): TiDB Cloud "
				     "could not resolve it", h[i].zone->name,
				     h[i].host);
		if (!h[i].rec || strcmp(h[i].rec->endpoint, c->ep->name) == 0 ||
		    !psc_find_endpoint(c->m, h[i].rec->endpoint))
			continue;
		size_t j;
		for (j = 0; j < i; j++)
			if (h[j].rec == h[i].rec)
				break;
		if (j < i)
			continue;   /* one finding per record */
		size_t more = 0;
		for (j = i + 1; j < n; j++)
			more += h[j].rec == h[i].rec;
		if (more)
			psc_setf(other, sizeof(other), " (and %zu other "
			     "advertised host%s)", more, more > 1 ? "s" : "");
		else
			other[0] = '\0';
		char zobj[128];
		psc_lint_obj(zobj, sizeof(zobj), "DNS zone", h[i].zone->name);
		psc_diag_add(c->d, ERR, h[i].rec->endpoint_loc,
			     "advertised-dns", zobj, NULL,
			     "record '%s' resolves %s%s to endpoint '%s', not "
			     "to the changefeed's endpoint '%s': the "
			     "changefeed would reach brokers through another "
			     "endpoint than the one it bootstraps through",
			     h[i].rec->name, h[i].host, other,
			     h[i].rec->endpoint, c->ep->name);
	}
}

static void check_advertised_dns(struct ctx *c)
{
	const psc_topology *t = c->t;
	size_t n = 0;

	if (!c->pattern_ok || !c->cf || !c->ep)
		return;
	/* one per broker or mapping, and the dynamic listener: on the heap,
	 * 480 bytes each (a 1,024-broker file would take 1 MB of stack) */
	struct adv_host *h = calloc(t->kafka.n_brokers +
				    t->kafka_proxy.n_bootstrap_server_mappings + 1,
				    sizeof(*h));
	if (!h)
		return;
	if (!c->proxy) {
		for (size_t i = 0; i < t->kafka.n_brokers; i++) {
			const psc_broker *b = &t->kafka.brokers[i];
			if (c->broker_id_bad[i])
				continue;
			psc_setf(h[n].host, sizeof(h[n].host), "%s.%s",
			     b->broker_id, c->domain);
			h[n].loc = b->broker_id_loc;
			broker_obj(h[n].obj, sizeof(h[n].obj), b);
			h[n++].state = 0;
		}
	} else if (t->kafka_proxy.present) {
		const psc_kafka_proxy *p = &t->kafka_proxy;
		for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
			if (!c->adv_label[i][0])
				continue;
			psc_setf(h[n].host, sizeof(h[n].host), "%s.%s",
			     c->adv_label[i], c->domain);
			h[n].loc =
				p->bootstrap_server_mappings[i].advertised_loc;
			psc_setf(h[n].obj, sizeof(h[n].obj),
			     "bootstrap server mapping #%zu", i + 1);
			h[n++].state = 0;
		}
		char label[PSC_NAME_LEN];
		if (split_label(p->dynamic_advertised_listener, c->domain,
				label, sizeof(label)) &&
		    lower_label(label)) {
			psc_setf(h[n].host, sizeof(h[n].host), "%s",
			     p->dynamic_advertised_listener);
			h[n].loc = p->dynamic_advertised_listener_loc;
			psc_setf(h[n].obj, sizeof(h[n].obj), "kafka_proxy");
			h[n++].state = 0;
		}
	}
	check_dns_hosts(c, h, n);
	free(h);
}

/* ---- 10. bootstrap ports ---- */

static bool bootstrap_dup(const psc_changefeed *cf, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (cf->bootstrap_ports[j] == cf->bootstrap_ports[i])
			return true;
	return false;
}

static void check_bootstrap_portmap(struct ctx *c, size_t i)
{
	const psc_changefeed *cf = &c->t->changefeed;
	long port = cf->bootstrap_ports[i];
	char hint[256], negs[96], list[160];
	long ok[N_PUB] = {0};
	size_t n_ok = 0;

	if (!c->lb || !c->brokers_ok)
		return;
	pub_negs_name(c, negs, sizeof(negs));
	for (size_t j = 0; j < c->n_pub; j++)
		if (pub_works(c, &c->pub[j]))
			ok[n_ok++] = c->pub[j].e->client_port;
	join_longs(list, sizeof(list), ok, n_ok);
	if (n_ok)
		psc_setf(hint, sizeof(hint), "%s map%s client ports %s to %s; "
		     "bootstrap from those", negs,
		     c->n_pub_negs == 1 ? "s" : "", list,
		     c->ext ? "brokers' external listener" : "brokers");
	else
		psc_setf(hint, sizeof(hint), "no client port of %s reaches a "
		     "broker%s", negs, c->ext ? "'s external listener" : "");

	const struct pub_ep *p = pub_by_client_port(c, port);
	if (!p) {
		psc_diag_add(c->d, ERR, cf->bootstrap_ports_loc[i],
			     "bootstrap-port", "changefeed", hint,
			     "bootstrap port %ld: no NEG endpoint behind '%s' "
			     "maps client port %ld, so the changefeed's "
			     "bootstrap connections to it time out", port,
			     c->lb->name, port);
		return;
	}
	if (pub_works(c, p) || *neg_bad(c, p->neg, p->e) || !c->ext ||
	    !psc_find_broker_by_instance(&c->m->kafka, p->e->instance))
		return;
	const psc_listener *l = listener_by_port(&c->t->kafka, p->e->port);
	psc_diag_add(c->d, ERR, cf->bootstrap_ports_loc[i], "bootstrap-port",
		     "changefeed", hint,
		     "bootstrap port %ld reaches %s:%ld, listener '%s', not "
		     "external_listener '%s': its metadata would advertise %s "
		     "addresses, which TiDB Cloud cannot reach", port,
		     p->e->instance, p->e->port, l ? l->name : "?",
		     c->ext->name, l ? l->name : "?");
}

static void check_bootstrap_proxy(struct ctx *c, size_t i)
{
	const psc_changefeed *cf = &c->t->changefeed;
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	long port = cf->bootstrap_ports[i];
	long ok[PSC_MAX_PROXY_MAPS] = {0};
	size_t n_ok = 0;
	char list[160], hint[200];

	if (!p->present || !c->listens_ok)
		return;
	for (size_t j = 0; j < p->n_bootstrap_server_mappings; j++) {
		if (c->listen_port[j] == port)
			return;
		ok[n_ok++] = c->listen_port[j];
	}
	join_longs(list, sizeof(list), ok, n_ok);
	psc_setf(hint, sizeof(hint), "kafka-proxy's bootstrap mappings listen "
	     "on %s", list);
	long min = p->dynamic_sequential_min_port;
	if (c->mapped_known && c->n_unmapped && min > 0 && port >= min &&
	    port < min + (long)c->n_unmapped)
		psc_diag_add(c->d, ERR, cf->bootstrap_ports_loc[i],
			     "bootstrap-port", "changefeed", hint,
			     "bootstrap port %ld is only a dynamic listener of "
			     "kafka-proxy (from dynamic_sequential_min_port "
			     "%ld), opened once a Metadata response names its "
			     "broker: the changefeed cannot bootstrap from it",
			     port, min);
	else
		psc_diag_add(c->d, ERR, cf->bootstrap_ports_loc[i],
			     "bootstrap-port", "changefeed", hint,
			     "bootstrap port %ld is no listen port of "
			     "kafka-proxy's bootstrap mappings: the changefeed "
			     "cannot bootstrap from it", port);
}

static void check_bootstrap(struct ctx *c)
{
	const psc_changefeed *cf = &c->t->changefeed;
	size_t distinct = 0;
	if (!cf->present)
		return;
	for (size_t i = 0; i < cf->n_bootstrap_ports; i++) {
		if (bootstrap_dup(cf, i)) {
			psc_diag_add(c->d, ERR, cf->bootstrap_ports_loc[i],
				     "bootstrap-port-duplicate", "changefeed",
				     NULL, "bootstrap port %ld is listed twice",
				     cf->bootstrap_ports[i]);
			continue;
		}
		distinct++;
		if (c->proxy)
			check_bootstrap_proxy(c, i);
		else
			check_bootstrap_portmap(c, i);
	}
	if (distinct == 0)
		psc_diag_add(c->d, ERR, cf->bootstrap_ports_list_loc,
			     "bootstrap-port", "changefeed", NULL,
			     "no bootstrap port: the changefeed has nowhere to "
			     "bootstrap from");
	else if (distinct < 2)
		psc_diag_add(c->d, WARN, cf->bootstrap_ports_list_loc,
			     "bootstrap-coverage", "changefeed",
			     "list one bootstrap port per zone",
			     "only one bootstrap port: the changefeed cannot "
			     "bootstrap while %s is down (the seed recommends "
			     "several, one per zone)",
			     c->proxy ? "kafka-proxy's mapping for it"
			     : "its broker");
}

/* ---- 11. kafka-proxy ---- */

/* one VM that runs kafka-proxy: in an instance group behind the LB */
static void check_proxy_vm(struct ctx *c, const char *inst, psc_loc loc)
{
	char groups[256] = "";
	if (!c->lb || !psc_find_instance(c->m, inst))
		return;
	for (size_t i = 0; i < c->lb->n_backends; i++) {
		const psc_instance_group *g =
			psc_find_instance_group(c->m, c->lb->backends[i]);
		if (!g)
			continue;
		for (size_t j = 0; j < g->n_instances; j++)
			if (strcmp(g->instances[j], inst) == 0)
				return;
		psc_appendf(groups, sizeof(groups), "%s'%s'", groups[0] ? ", " : "",
			g->name);
	}
	char hint[320] = "";
	if (groups[0])
		psc_setf(hint, sizeof(hint), "run kafka-proxy on an instance "
		     "of %s", groups);
	psc_diag_add(c->d, ERR, loc, "proxy-instance", "kafka_proxy", hint,
		     "instance '%s' is in no instance group behind '%s', the "
		     "load balancer the changefeed's endpoint reaches: the "
		     "changefeed's connections never reach kafka-proxy",
		     inst, c->lb->name);
}

static void check_proxy_instance(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	check_proxy_vm(c, p->instance, p->instance_loc);
	for (size_t i = 0; i < p->n_additional_instances; i++) {
		const char *a = p->additional_instances[i];
		if (strcmp(a, p->instance) == 0) {
			psc_diag_add(c->d, ERR, p->additional_instances_loc[i],
				     "proxy-instance", "kafka_proxy", NULL,
				     "additional instance '%s' is kafka_proxy's "
				     "instance already", a);
			continue;
		}
		check_proxy_vm(c, a, p->additional_instances_loc[i]);
	}
}

/* "vMAJOR.MINOR.PATCH" -> MAJOR*1e6 + MINOR*1e3 + PATCH, -1 otherwise */
static long proxy_tag_num(const char *v)
{
	unsigned a, b, d;
	char end;
	if (sscanf(v, "v%u.%u.%u%c", &a, &b, &d, &end) != 3 || a > 999 ||
	    b > 999 || d > 999)
		return -1;
	return (long)a * 1000000 + (long)b * 1000 + d;
}

/* version: a tag; --deterministic-listeners needs v0.4.0 */
static void check_proxy_version(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	long v = p->version[0] ? proxy_tag_num(p->version) : -2;
	if (v == -1) {
		psc_diag_add(c->d, ERR, p->version_loc, "proxy-version",
			     "kafka_proxy", "a release tag, e.g. v0.3.11 "
			     "(the seed's) or v0.4.3",
			     "version '%s' is not a kafka-proxy release tag "
			     "(vMAJOR.MINOR.PATCH)", p->version);
		return;
	}
	if (p->deterministic_listeners && (v == -2 || v < 4000)) {
		psc_diag_add(c->d, ERR, p->deterministic_listeners_loc,
			     "proxy-version", "kafka_proxy",
			     "set version: v0.4.3 (make deps builds it)",
			     "deterministic_listeners needs kafka-proxy v0.4.0 "
			     "or later (--deterministic-listeners), and this "
			     "topology runs %s", v == -2 ? "the default v0.3.11"
			     : p->version);
	}
}

/* several kafka-proxies with dynamic listeners in discovery order behind
 * one load balancer (the seed's warning; kafka-proxy issue #174) */
static void check_proxy_multiple(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	const psc_kafka *k = &c->t->kafka;
	if (!p->n_additional_instances || p->deterministic_listeners ||
	    !c->mapped_known)
		return;
	size_t dyn = 0;
	for (size_t j = 0; j < k->n_brokers; j++)
		if (!c->mapped[j])
			dyn++;
	if (!dyn)
		return;
	psc_diag_add(c->d, WARN, p->additional_instances_list_loc,
		     "proxy-multiple", "kafka_proxy",
		     "run one kafka-proxy (the seed's advice), or set "
		     "deterministic_listeners: true with version v0.4.3 on "
		     "all of them",
		     "%zu kafka-proxies behind one load balancer give the %zu "
		     "unmapped broker%s dynamic ports in their own discovery "
		     "order: metadata from one can name a port that leads to "
		     "another broker on the other (kafka-proxy issue #174)",
		     p->n_additional_instances + 1, dyn, dyn == 1 ? "" : "s");
}

/* Mapping m's upstream as an address: host:port, the host an instance (its
 * address) or an IPv4 address.  False when it is not one (reported, but an
 * instance without an address: lint_net's). */
static bool upstream_addr(struct ctx *c, const psc_proxy_mapping *m,
			  const char *obj, uint32_t *ip, int *port)
{
	char host[PSC_HOST_LEN], err[128];
	if (psc_hostport_parse(m->upstream, host, sizeof(host), port, err,
			       sizeof(err)) < 0 || !host[0]) {
		psc_diag_add(c->d, ERR, m->upstream_loc,
			     "proxy-mapping-upstream", obj,
			     "e.g. 'broker-node1:9092'",
			     "upstream '%s' is not host:port",
			     m->upstream);
		return false;
	}
	psc_instance *in = psc_find_instance(c->m, host);
	if (in ? psc_instance_ip(c->t, in, ip) < 0
	       : psc_ip_parse(host, ip, err, sizeof(err)) < 0) {
		if (in)
			return false;   /* no address: lint_net's */
		const char *names[PSC_MAX_INSTANCES];
		size_t nn = psc_lint_instance_names(c->t, names,
						    PSC_MAX_INSTANCES);
		const char *near = psc_closest(host, names, nn);
		char hint[128] = "";
		if (near)
			psc_setf(hint, sizeof(hint),
			     "did you mean '%s'?", near);
		psc_diag_add(c->d, ERR, m->upstream_loc,
			     "proxy-mapping-upstream", obj, hint,
			     "upstream host '%s' is neither an "
			     "instance nor an IPv4 address", host);
		return false;
	}
	return true;
}

/* Mapping m's upstream ip:port (res) is no broker's advertised address
 * (adv[], all of them listed in advl): a warning when it is still one of a
 * broker's client listeners, an error otherwise. */
static void upstream_mismatch(struct ctx *c, const psc_proxy_mapping *m,
			      const char *obj, uint32_t ip, int port,
			      const char *res,
			      const char (*adv)[PSC_ADDR_LEN],
			      const char *advl)
{
	const psc_kafka *k = &c->t->kafka;
	char shown[PSC_ADDR_LEN + 32];
	if (strcmp(res, m->upstream) == 0)
		psc_setf(shown, sizeof(shown), "%s", res);
	else
		psc_setf(shown, sizeof(shown), "%s (%s)", m->upstream,
		     res);
	/* a broker's address and a port it serves clients on */
	const psc_broker *b = NULL;
	for (size_t j = 0; j < k->n_brokers; j++) {
		uint32_t bip;
		char bips[16];
		if (instance_ip_str(c, k->brokers[j].instance, bips,
				    sizeof(bips), &bip) == 0 &&
		    bip == ip)
			b = &k->brokers[j];
	}
	const psc_listener *l = listener_by_port(k, port);
	if (b && l && l != c->ctrl) {
		psc_diag_add(c->d, WARN, m->upstream_loc,
			     "proxy-mapping-mismatch", obj, NULL,
			     "upstream %s is broker %ld's listener "
			     "'%s', but the broker advertises %s on "
			     "'%s': kafka-proxy compares the two as "
			     "strings (issue #203), so broker %ld gets "
			     "a dynamic listener instead of this "
			     "mapping", shown, b->node_id, l->name,
			     adv[b - k->brokers], c->inter->name,
			     b->node_id);
	} else {
		psc_diag_add(c->d, ERR, m->upstream_loc,
			     "proxy-mapping-mismatch", obj, NULL,
			     "upstream %s is no broker's %s listener "
			     "(they advertise %s): kafka-proxy cannot "
			     "bootstrap through this mapping",
			     shown, c->inter->name,
			     advl);
	}
}

/* upstreams: resolve, compare with what the brokers advertise */
static void check_proxy_upstreams(struct ctx *c)
{
	const psc_topology *t = c->t;
	const psc_kafka *k = &t->kafka;
	const psc_kafka_proxy *p = &t->kafka_proxy;
	char obj[64], advl[400] = "";
	/* each broker's INTERNAL advertised address, on the heap (280 bytes
	 * a broker) */
	char (*adv)[PSC_ADDR_LEN] = calloc(k->n_brokers + 1, sizeof(*adv));
	if (!adv)
		return;

	c->mapped_known = c->inter && c->brokers_ok;
	for (size_t j = 0; c->mapped_known && j < k->n_brokers; j++) {
		if (psc_broker_advertised_internal(t, &k->brokers[j], adv[j],
						   sizeof(adv[j])) < 0)
			c->mapped_known = false;
		else
			psc_appendf(advl, sizeof(advl), "%s%s", j ? ", " : "",
				adv[j]);
	}
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &p->bootstrap_server_mappings[i];
		char res[PSC_ADDR_LEN], ips[16];
		int port;
		uint32_t ip;
		psc_setf(obj, sizeof(obj), "bootstrap server mapping #%zu",
		     i + 1);
		if (!upstream_addr(c, m, obj, &ip, &port) || !c->mapped_known)
			continue;
		psc_setf(res, sizeof(res), "%s:%d",
		     psc_ip_str(ip, ips, sizeof(ips)), port);
		size_t j;
		for (j = 0; j < k->n_brokers; j++)
			if (strcmp(adv[j], res) == 0)
				break;
		if (j < k->n_brokers)
			c->mapped[j] = true;
		else
			upstream_mismatch(c, m, obj, ip, port, res,
					  (const char (*)[PSC_ADDR_LEN])adv,
					  advl);
	}
	c->n_unmapped = 0;
	for (size_t j = 0; c->mapped_known && j < k->n_brokers; j++)
		if (!c->mapped[j])
			c->n_unmapped++;
	free(adv);
}

/* "ip:port" with an IPv4 host */
static int parse_listen(const char *s, uint32_t *ip, int *port)
{
	char host[PSC_HOST_LEN], err[128];
	if (psc_hostport_parse(s, host, sizeof(host), port, err,
			       sizeof(err)) < 0 ||
	    psc_ip_parse(host, ip, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

static void check_proxy_listens(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	char obj[64], lbips[16] = "";
	uint32_t lbip = 0;
	bool have_lb = c->lb && psc_load_balancer_ip(c->t, c->lb, &lbip) == 0;
	uint32_t ip;
	int port;

	if (have_lb)
		psc_ip_str(lbip, lbips, sizeof(lbips));
	c->listens_ok = true;
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &p->bootstrap_server_mappings[i];
		psc_setf(obj, sizeof(obj), "bootstrap server mapping #%zu",
		     i + 1);
		if (parse_listen(m->listen, &ip, &port) < 0) {
			psc_diag_add(c->d, ERR, m->listen_loc, "proxy-listen",
				     obj, "e.g. '0.0.0.0:9092'",
				     "listen '%s' is not <IPv4 address>:<port>",
				     m->listen);
			c->listens_ok = false;
			continue;
		}
		c->listen_port[i] = port;
		size_t j;
		for (j = 0; j < i; j++)
			if (c->listen_port[j] == port)
				break;
		if (j < i) {
			psc_diag_add(c->d, ERR, m->listen_loc, "proxy-listen",
				     obj, NULL,
				     "listen port %d is also mapping #%zu's: "
				     "kafka-proxy cannot bind it twice", port,
				     j + 1);
			c->listen_port[i] = 0;
			c->listens_ok = false;
			continue;
		}
		if (ip != 0 && have_lb && ip != lbip)
			psc_diag_add(c->d, ERR, m->listen_loc, "proxy-listen",
				     obj, "listen on 0.0.0.0",
				     "listen address %s is not %s, the address "
				     "of '%s': the passthrough load balancer "
				     "delivers with that destination, so the "
				     "changefeed's connections would not reach "
				     "this listener", m->listen, lbips,
				     c->lb->name);
	}
	if (parse_listen(p->http_listen_address, &ip, &port) < 0) {
		psc_diag_add(c->d, ERR, p->http_listen_address_loc,
			     "proxy-listen", "kafka_proxy",
			     "e.g. '0.0.0.0:9080'",
			     "http_listen_address '%s' is not "
			     "<IPv4 address>:<port>", p->http_listen_address);
		return;
	}
	c->http_port = port;
	for (size_t j = 0; j < p->n_bootstrap_server_mappings; j++)
		if (c->listen_port[j] == port) {
			psc_diag_add(c->d, ERR, p->http_listen_address_loc,
				     "proxy-listen", "kafka_proxy", NULL,
				     "http_listen_address port %d is also "
				     "mapping #%zu's listen port: kafka-proxy "
				     "cannot bind it twice", port, j + 1);
			break;
		}
}

static void check_proxy_advertised(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	char obj[64];
	if (!c->pattern_ok)
		return;
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
		const psc_proxy_mapping *m = &p->bootstrap_server_mappings[i];
		char host[PSC_HOST_LEN], err[128], label[PSC_NAME_LEN];
		int port;
		psc_setf(obj, sizeof(obj), "bootstrap server mapping #%zu",
		     i + 1);
		if (psc_hostport_parse(m->advertised, host, sizeof(host), &port,
				       err, sizeof(err)) < 0 ||
		    !split_label(host, c->domain, label, sizeof(label)) ||
		    !lower_label(label)) {
			char hint[PSC_HOST_LEN + 64];
			psc_setf(hint, sizeof(hint), "e.g. 'b%zu.%s:<listen "
			     "port>'", i + 1, c->domain);
			psc_diag_add(c->d, ERR, m->advertised_loc,
				     "proxy-advertised", obj, hint,
				     "advertised '%s' does not follow the "
				     "pattern: not <label>.%s:<port> with a "
				     "lowercase DNS label", m->advertised,
				     c->domain);
			continue;
		}
		psc_setf(c->adv_label[i], sizeof(c->adv_label[i]), "%s", label);
		size_t j;
		for (j = 0; j < i; j++) {
			const psc_proxy_mapping *o =
				&p->bootstrap_server_mappings[j];
			if (strcasecmp(o->advertised, m->advertised) == 0)
				break;
		}
		if (j < i) {
			psc_diag_add(c->d, ERR, m->advertised_loc,
				     "proxy-advertised", obj, NULL,
				     "advertised '%s' is also mapping #%zu's: "
				     "the changefeed could not tell the two "
				     "brokers apart", m->advertised, j + 1);
			continue;
		}
		if (c->listen_port[i] && port != c->listen_port[i])
			psc_diag_add(c->d, ERR, m->advertised_loc,
				     "proxy-advertised", obj, NULL,
				     "advertised port %d differs from listen "
				     "port %d: a passthrough load balancer "
				     "keeps ports, so the changefeed would "
				     "connect to %d, where kafka-proxy does "
				     "not listen for this broker", port,
				     c->listen_port[i], port);
	}
}

/* Brokers without a bootstrap mapping need kafka-proxy's dynamic
 * listeners: dynamic_sequential_min_port and dynamic_advertised_listener
 * set. */
static void check_dynamic_needed(struct ctx *c)
{
	const psc_kafka *k = &c->t->kafka;
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	const char *dal = p->dynamic_advertised_listener;

	if (c->mapped_known && c->n_unmapped) {
		char list[400] = "";
		for (size_t j = 0; j < k->n_brokers; j++)
			if (!c->mapped[j])
				psc_appendf(list, sizeof(list), "%s%ld (%s)",
					list[0] ? ", " : "",
					k->brokers[j].node_id,
					k->brokers[j].instance);
		if (p->dynamic_sequential_min_port <= 0)
			psc_diag_add(c->d, ERR, p->loc, "proxy-dynamic",
				     "kafka_proxy",
				     "set dynamic_sequential_min_port, e.g. to "
				     "the port after the last listen port",
				     "broker%s %s %s no bootstrap mapping and "
				     "dynamic_sequential_min_port is not set: "
				     "kafka-proxy would give %s listener%s "
				     "random ports, so the changefeed could "
				     "not count on reaching %s",
				     c->n_unmapped > 1 ? "s" : "", list,
				     c->n_unmapped > 1 ? "have" : "has",
				     c->n_unmapped > 1 ? "their" : "its",
				     c->n_unmapped > 1 ? "s" : "",
				     c->n_unmapped > 1 ? "them" : "it");
		if (!dal[0])
			psc_diag_add(c->d, ERR, p->loc, "proxy-dynamic",
				     "kafka_proxy",
				     "set dynamic_advertised_listener to "
				     "'<prefix>.<unique>.<domain>', e.g. "
				     "'brokers.<domain>'",
				     "broker%s %s %s no bootstrap mapping and "
				     "dynamic_advertised_listener is not set: "
				     "kafka-proxy would advertise 0.0.0.0 for "
				     "%s, unreachable from the changefeed",
				     c->n_unmapped > 1 ? "s" : "", list,
				     c->n_unmapped > 1 ? "have" : "has",
				     c->n_unmapped > 1 ? "them" : "it");
	}
}

/* dynamic_advertised_listener, when set: a host (no port) that is
 * <prefix>.<domain> of the pattern, the prefix a lowercase label of its
 * own (no mapping's broker label). */
static void check_dynamic_listener(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	const char *dal = p->dynamic_advertised_listener;

	if (!dal[0] || !c->pattern_ok)
		return;
	const char *colon = strchr(dal, ':');
	char label[PSC_NAME_LEN];
	if (colon) {
		char hint[PSC_HOST_LEN + 16];
		psc_setf(hint, sizeof(hint), "use '%.*s'", (int)(colon - dal),
		     dal);
		psc_diag_add(c->d, ERR, p->dynamic_advertised_listener_loc,
			     "proxy-dynamic", "kafka_proxy", hint,
			     "dynamic_advertised_listener '%s' has a port: "
			     "kafka-proxy v0.3.x takes a host only (the seed: "
			     "\"Remove :<port>\")", dal);
		return;
	}
	if (!split_label(dal, c->domain, label, sizeof(label))) {
		char hint[PSC_HOST_LEN + 16];
		psc_setf(hint, sizeof(hint), "e.g. 'brokers.%s'", c->domain);
		psc_diag_add(c->d, ERR, p->dynamic_advertised_listener_loc,
			     "proxy-dynamic", "kafka_proxy", hint,
			     "dynamic_advertised_listener '%s' is not "
			     "<prefix>.%s: it does not follow the pattern",
			     dal, c->domain);
		return;
	}
	if (!lower_label(label)) {
		psc_diag_add(c->d, ERR, p->dynamic_advertised_listener_loc,
			     "proxy-dynamic", "kafka_proxy", NULL,
			     "the prefix '%s' of dynamic_advertised_listener "
			     "is not a lowercase DNS label (the seed: \"fixed "
			     "lower case string\")", label);
		return;
	}
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++)
		if (strcasecmp(c->adv_label[i], label) == 0) {
			psc_diag_add(c->d, ERR,
				     p->dynamic_advertised_listener_loc,
				     "proxy-dynamic", "kafka_proxy",
				     "use a prefix of its own, e.g. 'brokers'",
				     "the prefix '%s' of "
				     "dynamic_advertised_listener is also "
				     "mapping #%zu's broker label: the seed "
				     "wants a fixed string of its own for the "
				     "dynamic brokers, so that TiDB Cloud "
				     "routes their requests properly",
				     label, i + 1);
			return;
		}
}

static void check_proxy_dynamic(struct ctx *c)
{
	check_dynamic_needed(c);
	check_dynamic_listener(c);
}

static void check_proxy_dynamic_ports(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	long min = p->dynamic_sequential_min_port;
	char what[256] = "";
	if (!c->mapped_known || !c->n_unmapped || min <= 0)
		return;
	long max = min + (long)c->n_unmapped - 1;
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++)
		if (c->listen_port[i] >= min && c->listen_port[i] <= max)
			psc_appendf(what, sizeof(what), "%s%d is mapping #%zu's "
				"listen port", what[0] ? ", " : "",
				c->listen_port[i], i + 1);
	if (c->http_port >= min && c->http_port <= max)
		psc_appendf(what, sizeof(what), "%s%d is http_listen_address's "
			"port", what[0] ? ", " : "", c->http_port);
	if (!what[0])
		return;
	psc_diag_add(c->d, ERR, p->dynamic_sequential_min_port_loc,
		     "proxy-dynamic-ports", "kafka_proxy", NULL,
		     "the dynamic listeners of the %zu unmapped broker%s take "
		     "ports %ld..%ld, but %s: kafka-proxy could not open %s",
		     c->n_unmapped, c->n_unmapped > 1 ? "s" : "", min, max,
		     what, c->n_unmapped > 1 ? "them all" : "it");
}

static void check_hc_port(struct ctx *c)
{
	const psc_kafka_proxy *p = &c->t->kafka_proxy;
	long ports[PSC_MAX_PROXY_MAPS] = {0};
	char list[160], obj[128];
	if (!c->lb || !c->lb->health_check[0] || !c->listens_ok)
		return;
	const psc_health_check *hc = psc_find_health_check(c->m,
							   c->lb->health_check);
	if (!hc)
		return;
	for (size_t i = 0; i < p->n_bootstrap_server_mappings; i++) {
		if (c->listen_port[i] == hc->port)
			return;
		ports[i] = c->listen_port[i];
	}
	join_longs(list, sizeof(list), ports, p->n_bootstrap_server_mappings);
	psc_lint_obj(obj, sizeof(obj), "health check", hc->name);
	if (c->http_port && hc->port == c->http_port)
		psc_diag_add(c->d, WARN, hc->port_loc, "hc-port", obj, NULL,
			     "port %ld is kafka-proxy's HTTP port, not one of "
			     "its bootstrap listen ports (%s): the probe "
			     "passes even when kafka-proxy serves no Kafka",
			     hc->port,
			     list);
	else
		psc_diag_add(c->d, WARN, hc->port_loc, "hc-port", obj, NULL,
			     "port %ld is none of kafka-proxy's bootstrap "
			     "listen ports (%s): every probe fails, and '%s' "
			     "serves only because an all-unhealthy backend "
			     "fails open", hc->port, list, c->lb->name);
}

static void check_proxy(struct ctx *c)
{
	if (!c->proxy || !c->t->kafka_proxy.present)
		return;
	check_proxy_instance(c);
	check_proxy_listens(c);
	check_proxy_upstreams(c);
	check_proxy_advertised(c);
	check_proxy_dynamic(c);
	check_proxy_dynamic_ports(c);
	check_proxy_version(c);
	check_proxy_multiple(c);
	check_hc_port(c);
}

/* ---- 12. zones ---- */

static void check_zones(struct ctx *c)
{
	const psc_topology *t = c->t;
	const psc_tidbcloud *tc = &t->tidbcloud;
	char obj[128], list[PSC_MAX_ZONES * (PSC_NAME_LEN + 2)] = "";
	if (!tc->n_zones)
		return;
	for (size_t i = 0; i < tc->n_zones; i++)
		psc_appendf(list, sizeof(list), "%s%s", i ? ", " : "",
			tc->zones[i]);
	for (size_t i = 0; i < t->kafka.n_brokers; i++) {
		const psc_broker *b = &t->kafka.brokers[i];
		const psc_instance *in = psc_find_instance(c->m, b->instance);
		if (!in)
			continue;
		size_t z;
		for (z = 0; z < tc->n_zones; z++)
			if (strcmp(tc->zones[z], in->zone) == 0)
				break;
		if (z < tc->n_zones)
			continue;
		psc_diag_add(c->d, WARN, in->zone_loc, "zone-suggested",
			     broker_obj(obj, sizeof(obj), b), NULL,
			     "zone %s of instance '%s' is not one of TiDB "
			     "Cloud's suggested zones (%s): traffic to this "
			     "broker crosses zones", in->zone, in->name, list);
	}
}

void psc_lint_kafka(const psc_topology *t, psc_diags *d)
{
	struct ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->t = t;
	c->m = (psc_topology *)t;
	c->d = d;
	c->proxy = psc_topology_approach(t) == PSC_APPROACH_PROXY;

	if (t->kafka.present) {
		check_broker_refs(c);
		check_listeners(c);
		check_cluster_id(c);
		check_config(c);
		check_node_ids(c);
		check_quorum(c);
	}
	check_proxy_ref(c);
	check_pattern(c);
	if (t->kafka.present) {
		check_broker_ids(c);
		if (c->proxy)
			check_approach_proxy(c);
		else
			check_approach_portmap(c);
		resolve_path(c);
		check_neg_ports(c);
		check_advertised_reach(c);
		check_advertised_pattern(c);
		check_proxy(c);
		check_advertised_dns(c);
		check_bootstrap(c);
		check_zones(c);
	}
	free(c);
}
