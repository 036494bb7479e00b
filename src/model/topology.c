/* topology.c - look-ups and derived values of a loaded topology: object
 * references by name, the advertised listener pattern, and the address plan
 * (GCP's: first usable address of a subnet upward). Pure functions. */
#define _POSIX_C_SOURCE 200809L
#include "model/topology.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/addr.h"

#define FIND_BY_NAME(arr, n, key)                         \
	do {                                                  \
		if (!(key))                                       \
			return NULL;                                  \
		for (size_t i_ = 0; i_ < (n); i_++)               \
			if (strcmp((arr)[i_].name, (key)) == 0)       \
				return &(arr)[i_];                        \
		return NULL;                                      \
	} while (0)

psc_approach psc_topology_approach(const psc_topology *t)
{
	return strcmp(t->approach, "proxy") == 0 ? PSC_APPROACH_PROXY
						 : PSC_APPROACH_PORTMAP;
}

psc_network *psc_find_network(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->networks, t->n_networks, name);
}

psc_subnet *psc_find_subnet(psc_topology *t, const char *name,
			    psc_network **net_out)
{
	for (size_t i = 0; name && i < t->n_networks; i++)
		for (size_t j = 0; j < t->networks[i].n_subnetworks; j++)
			if (strcmp(t->networks[i].subnetworks[j].name, name) ==
			    0) {
				if (net_out)
					*net_out = &t->networks[i];
				return &t->networks[i].subnetworks[j];
			}
	return NULL;
}

psc_instance *psc_find_instance(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->instances, t->n_instances, name);
}

psc_listener *psc_find_listener(psc_kafka *k, const char *name)
{
	FIND_BY_NAME(k->listeners, k->n_listeners, name);
}

psc_broker *psc_find_broker_by_instance(psc_kafka *k, const char *instance)
{
	for (size_t i = 0; instance && i < k->n_brokers; i++)
		if (strcmp(k->brokers[i].instance, instance) == 0)
			return &k->brokers[i];
	return NULL;
}

psc_broker *psc_find_broker_by_id(psc_kafka *k, long node_id)
{
	for (size_t i = 0; i < k->n_brokers; i++)
		if (k->brokers[i].node_id == node_id)
			return &k->brokers[i];
	return NULL;
}

/* server.properties keys pscLab writes from the topology itself, and the
 * topology field each comes from; kafka.config may not set them (the lab's
 * addresses, NAT and checks follow the topology, not the file) */
static const struct {
	const char *key, *field;
} kafka_owned[] = {
	{"process.roles", "kafka.process_roles"},
	{"node.id", "kafka.brokers[].node_id"},
	{"broker.id", "kafka.brokers[].node_id"},
	{"controller.quorum.voters", "kafka.quorum_voters"},
	{"listeners", "kafka.listeners"},
	{"advertised.listeners",
	 "kafka.listeners, kafka.brokers[].external_port and "
	 "tidbcloud.advertised_listener_pattern"},
	{"inter.broker.listener.name", "kafka.inter_broker_listener"},
	{"controller.listener.names", "kafka.controller_listener"},
	{"listener.security.protocol.map", "kafka.protocol_map"},
	{"log.dirs", "kafka.log_dirs"},
	{"log.dir", "kafka.log_dirs"},
};

const char *psc_kafka_config_owner(const char *key)
{
	for (size_t i = 0; i < sizeof(kafka_owned) / sizeof(kafka_owned[0]);
	     i++)
		if (strcmp(kafka_owned[i].key, key) == 0)
			return kafka_owned[i].field;
	return NULL;
}

psc_neg *psc_find_neg(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->network_endpoint_groups, t->n_network_endpoint_groups,
		     name);
}

psc_instance_group *psc_find_instance_group(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->instance_groups, t->n_instance_groups, name);
}

psc_health_check *psc_find_health_check(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->health_checks, t->n_health_checks, name);
}

psc_load_balancer *psc_find_load_balancer(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->load_balancers, t->n_load_balancers, name);
}

psc_service_attachment *psc_find_service_attachment(psc_topology *t,
						    const char *name)
{
	FIND_BY_NAME(t->service_attachments, t->n_service_attachments, name);
}

psc_endpoint *psc_find_endpoint(psc_topology *t, const char *name)
{
	FIND_BY_NAME(t->psc_endpoints, t->n_psc_endpoints, name);
}

/* ---- the advertised listener pattern ---- */

#define PAT_HEAD "<broker_id>."
#define PAT_TAIL ":<port>"

int psc_pattern_domain(const psc_tidbcloud *tc, char *out, size_t outlen)
{
	const char *p = tc->advertised_listener_pattern;
	size_t hl = strlen(PAT_HEAD), tl = strlen(PAT_TAIL), len = strlen(p);
	if (len <= hl + tl || strncmp(p, PAT_HEAD, hl) != 0 ||
	    strcmp(p + len - tl, PAT_TAIL) != 0)
		return -1;
	size_t dl = len - hl - tl;
	if (dl >= outlen)
		return -1;
	memcpy(out, p + hl, dl);
	out[dl] = '\0';
	return 0;
}

int psc_broker_advertised_external(const psc_topology *t, const psc_broker *b,
				   char *out, size_t outlen)
{
	char domain[PSC_HOST_LEN];
	if (b->external_port <= 0 ||
	    psc_pattern_domain(&t->tidbcloud, domain, sizeof(domain)) < 0)
		return -1;
	int n = snprintf(out, outlen, "%s.%s:%ld", b->broker_id, domain,
			 b->external_port);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- the address plan ---- */

/* Everything that takes an address in a subnet, in the order GCP would
 * hand out automatic ones: instances, then load balancer forwarding rules,
 * then PSC endpoints, each in file order. */
struct addr_user {
	const void *obj;
	const char *subnet;
	const char *explicit_ip;
};

static size_t addr_users(const psc_topology *t, struct addr_user *u,
			 size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_instances && n < max; i++)
		u[n++] = (struct addr_user){&t->instances[i],
					    t->instances[i].subnetwork,
					    t->instances[i].network_ip};
	for (size_t i = 0; i < t->n_load_balancers && n < max; i++)
		u[n++] = (struct addr_user){&t->load_balancers[i],
					    t->load_balancers[i].subnetwork,
					    t->load_balancers[i].ip_address};
	for (size_t i = 0; i < t->n_psc_endpoints && n < max; i++)
		u[n++] = (struct addr_user){&t->psc_endpoints[i],
					    t->psc_endpoints[i].subnetwork,
					    t->psc_endpoints[i].ip_address};
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* the explicit addresses of u[0..n), parsed and sorted, into e */
static size_t explicit_ips(const struct addr_user *u, size_t n, uint32_t *e)
{
	char err[128];
	size_t k = 0;
	for (size_t j = 0; j < n; j++)
		if (u[j].explicit_ip[0] &&
		    psc_ip_parse(u[j].explicit_ip, &e[k], err, sizeof(err)) == 0)
			k++;
	qsort(e, k, sizeof(*e), cmp_u32);
	return k;
}

/* One pass over the users up to obj; the explicit addresses are looked up
 * in a sorted copy, so a whole file's addresses cost O(n^2 log n), not
 * O(n^3) (4,096 instances: about 0.2 s, not minutes).  Both arrays are
 * on the heap (about 115 KB at the caps). */
static int address_of(const psc_topology *t, const void *obj, uint32_t *ip)
{
	size_t max = t->n_instances + t->n_load_balancers + t->n_psc_endpoints;
	struct addr_user *u = calloc(max + 1, sizeof(*u));
	uint32_t *taken = calloc(max + 1, sizeof(*taken));
	int rc = -1;
	if (!u || !taken)
		goto out;
	size_t n = addr_users(t, u, max);
	size_t n_taken = explicit_ips(u, n, taken);
	char err[128];
	size_t me;

	for (me = 0; me < n; me++)
		if (u[me].obj == obj)
			break;
	if (me == n)
		goto out;
	if (u[me].explicit_ip[0]) {
		rc = psc_ip_parse(u[me].explicit_ip, ip, err, sizeof(err));
		goto out;
	}
	psc_subnet *s = psc_find_subnet((psc_topology *)t, u[me].subnet, NULL);
	psc_cidr c;
	if (!s || psc_cidr_parse(s->ip_cidr_range, &c, err, sizeof(err)) < 0)
		goto out;

	/* Walk the automatic users of this subnet up to me, each taking the
	 * next address that is neither reserved nor stated by someone. */
	uint32_t next = c.net + 2;
	for (size_t i = 0; i <= me; i++) {
		if (u[i].explicit_ip[0] || strcmp(u[i].subnet, u[me].subnet))
			continue;
		for (;; next++) {
			if (!psc_cidr_contains(&c, next) ||
			    next == psc_cidr_last(&c) - 1)
				goto out;            /* subnet full */
			if (!bsearch(&next, taken, n_taken, sizeof(*taken),
				     cmp_u32))
				break;
		}
		if (i == me) {
			*ip = next;
			rc = 0;
			goto out;
		}
		next++;
	}
out:
	free(u);
	free(taken);
	return rc;
}

int psc_instance_ip(const psc_topology *t, const psc_instance *in,
		    uint32_t *ip)
{
	return address_of(t, in, ip);
}

int psc_load_balancer_ip(const psc_topology *t, const psc_load_balancer *lb,
			 uint32_t *ip)
{
	return address_of(t, lb, ip);
}

int psc_endpoint_ip(const psc_topology *t, const psc_endpoint *ep,
		    uint32_t *ip)
{
	return address_of(t, ep, ip);
}

int psc_broker_advertised_internal(const psc_topology *t, const psc_broker *b,
				   char *out, size_t outlen)
{
	psc_topology *tt = (psc_topology *)t;
	psc_instance *in = psc_find_instance(tt, b->instance);
	psc_listener *l = psc_find_listener(&tt->kafka,
					    t->kafka.inter_broker_listener);
	uint32_t ip;
	char ips[16];
	if (!in || !l || psc_instance_ip(t, in, &ip) < 0)
		return -1;
	int n = snprintf(out, outlen, "%s:%ld", psc_ip_str(ip, ips, 16),
			 l->port);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int psc_resolve_hostport(const psc_topology *t, const char *s, uint32_t *ip,
			 int *port)
{
	char host[PSC_HOST_LEN], err[128];
	if (psc_hostport_parse(s, host, sizeof(host), port, err,
			       sizeof(err)) < 0)
		return -1;
	psc_instance *in = psc_find_instance((psc_topology *)t, host);
	if (in)
		return psc_instance_ip(t, in, ip);
	return psc_ip_parse(host, ip, err, sizeof(err));
}

int psc_lab_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);
	if (n == 0 || n > PSC_LAB_NAME_MAX) {
		snprintf(err, errlen, "lab name '%s' must be 1..%d characters",
			 name, PSC_LAB_NAME_MAX);
		return -1;
	}
	if (name[0] < 'a' || name[0] > 'z' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
		snprintf(err, errlen,
			 "lab name '%s' must start with a lowercase letter and "
			 "hold only [a-z0-9-]", name);
		return -1;
	}
	return 0;
}

/* ---- where topology files are ---- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t l = strlen(s), sl = strlen(suf);
	return l >= sl && strcmp(s + l - sl, suf) == 0;
}

int psc_topology_path(const char *name_or_file, const char *topodir,
		      char *out, size_t outlen, char *err, size_t errlen)
{
	if (!name_or_file || !*name_or_file) {
		snprintf(err, errlen, "no topology given");
		return -1;
	}
	/* "scenarios/<name>": a bare name in the topologies' scenarios/ */
	const char *bare = name_or_file;
	if (strncmp(bare, PSC_SCENARIO_PREFIX, strlen(PSC_SCENARIO_PREFIX)) ==
		    0 &&
	    bare[strlen(PSC_SCENARIO_PREFIX)] &&
	    !strchr(bare + strlen(PSC_SCENARIO_PREFIX), '/') &&
	    !has_suffix(bare, ".yaml") && !has_suffix(bare, ".yml"))
		bare += strlen(PSC_SCENARIO_PREFIX);
	if ((bare == name_or_file && strchr(name_or_file, '/')) ||
	    has_suffix(name_or_file, ".yaml") ||
	    has_suffix(name_or_file, ".yml")) {
		if ((size_t)snprintf(out, outlen, "%s", name_or_file) >=
		    outlen) {
			snprintf(err, errlen, "path too long");
			return -1;
		}
		return 0;
	}
	/* a bare name: letters, digits, '-', '_' only */
	if (strspn(bare, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
	    strlen(bare)) {
		snprintf(err, errlen,
			 "'%s' is neither a topology name nor a .yaml path",
			 name_or_file);
		return -1;
	}
	if (!topodir || !*topodir)
		topodir = "topologies";
	if ((size_t)snprintf(out, outlen, "%s/%s%s.yaml", topodir,
			     bare == name_or_file ? "" : PSC_SCENARIO_PREFIX,
			     bare) >= outlen) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

/* one allocation of the arena: the blocks are chained from the topology */
struct psc_block {
	struct psc_block *next;
	max_align_t data[];
};

void *psc_topology_alloc(psc_topology *t, size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - sizeof(struct psc_block)) / size)
		return NULL;
	struct psc_block *b = calloc(1, sizeof(*b) + n * size);
	if (!b)
		return NULL;
	b->next = t->arena;
	t->arena = b;
	return b->data;
}

#define FULL(t, obj, m, cap) \
	((obj).m = psc_topology_alloc((t), (cap), sizeof(*(obj).m)))

psc_topology *psc_topology_new_full(void)
{
	psc_topology *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	bool ok = FULL(t, *t, instances, PSC_MAX_INSTANCES) &&
		  FULL(t, t->kafka, brokers, PSC_MAX_BROKERS) &&
		  FULL(t, t->kafka, quorum_voters, PSC_MAX_BROKERS) &&
		  FULL(t, t->kafka, quorum_voters_loc, PSC_MAX_BROKERS) &&
		  FULL(t, t->kafka_proxy, bootstrap_server_mappings,
		       PSC_MAX_PROXY_MAPS) &&
		  FULL(t, t->kafka_proxy, additional_instances,
		       PSC_MAX_INSTANCES) &&
		  FULL(t, t->kafka_proxy, additional_instances_loc,
		       PSC_MAX_INSTANCES);
	for (size_t i = 0; ok && i < PSC_MAX_NEGS; i++)
		ok = FULL(t, t->network_endpoint_groups[i], endpoints,
			  PSC_MAX_NEG_ENDPOINTS);
	for (size_t i = 0; ok && i < PSC_MAX_IGS; i++)
		ok = FULL(t, t->instance_groups[i], instances,
			  PSC_MAX_INSTANCES) &&
		     FULL(t, t->instance_groups[i], instances_loc,
			  PSC_MAX_INSTANCES);
	if (!ok) {
		psc_topology_free(t);
		return NULL;
	}
	return t;
}

void psc_topology_free(psc_topology *t)
{
	if (!t)
		return;
	for (struct psc_block *b = t->arena, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(t);
}
