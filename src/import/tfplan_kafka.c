/* tfplan_kafka.c - the parts of an imported topology that are not in the
 * customer's plan (tfplan_kafka.h): the lab's name, TiDB Cloud's side and
 * the Kafka configuration.
 *
 * Brokers by default (README, "Check your own plan"):
 *  - port-mapping way (the load balancer's backend is a NEG): one broker
 *    per NEG endpoint, in the plan's order, node_id 1, 2, ..., broker_id
 *    b<node_id>, external_port = the endpoint's client_destination_port,
 *    the EXTERNAL listener on the endpoint's port (39092 in the seed);
 *  - kafka-proxy way (an instance group): the instances named broker*
 *    in the plan's order, kafka-proxy on the group's first instance (the
 *    others as additional_instances), bootstrap mappings b<n> on 9092 + n-1,
 *    dynamic ports after them, as the seed's flags.
 * Every broker is broker+controller of one KRaft quorum, the seed's
 * listeners (INTERNAL 9092, CONTROLLER 29092) and cluster id.
 * A --kafka file is read with libyaml (only its top-level keys are
 * checked: kafka, kafka_proxy) and its text copied; the loader checks the
 * rest, with the file's lines mapped back (tfplan_emit.c). */
#define _POSIX_C_SOURCE 200809L
#include "import/tfplan_kafka.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"
#include "import/tfplan_names.h"
#include "model/topology_load.h"

static const psc_loc NOLOC = {0, 0};
#define TC_SIDE "(TiDB Cloud side, made by the lab as TiDB Cloud would)"
#define KAFKA_SIDE "(Kafka, not in the plan: the seed's KRaft cluster)"

/* ---- options ---- */

static const char *opt(const char *v, const char *def)
{
	return v && *v ? v : def;
}

static int side_name(psc_import *im, const psc_import_opts *o, psc_diags *d)
{
	char err[300];
	psc_topology *t = im->t;
	if (o->name) {
		PSC_SET(t->name, "%s", o->name);
	} else if (psc_import_default_name(im->plan.path, t->name,
					   sizeof(t->name), err,
					   sizeof(err)) == 0) {
		psc_import_assume(im, "--name %s: the lab's name, from the "
				  "plan's folder", t->name);
	} else {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "lab-name", im->plan.path,
			     NULL, "%s", err);
		return 1;
	}
	if (psc_lab_name_check(t->name, err, sizeof(err)) < 0) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "lab-name", "--name",
			     NULL, "%s", err);
		return 1;
	}
	return 0;
}

static void side_tidbcloud(psc_import *im, const psc_import_opts *o)
{
	psc_topology *t = im->t;
	psc_tidbcloud *tc = &t->tidbcloud;
	const char *sa_region = t->service_attachments[0].region;
	tc->present = true;
	PSC_SET(tc->region, "%s", opt(o->region, sa_region[0] ? sa_region
				      : PSC_IMPORT_REGION));
	PSC_SET(tc->project, "%s", opt(o->tidbcloud_project,
				       PSC_IMPORT_TIDBCLOUD_PROJECT));
	PSC_SET(tc->unique, "%s", opt(o->unique, PSC_IMPORT_UNIQUE));
	for (int z = 0; z < 3; z++)
		PSC_SET(tc->zones[tc->n_zones++], "%s-%c", tc->region, 'a' + z);
	if (o->pattern)
		PSC_SET(tc->advertised_listener_pattern, "%s", o->pattern);
	else
		PSC_SET(tc->advertised_listener_pattern,
			"<broker_id>.%s.%s." PSC_IMPORT_PATTERN_DOMAIN
			":<port>", tc->unique, tc->region);
	if (!o->region)
		psc_import_assume(im, "--region %s: TiDB Cloud's region (%s)",
				  tc->region, sa_region[0]
				  ? "the service attachment's"
				  : "the seed's");
	if (!o->tidbcloud_project)
		psc_import_assume(im, "--tidbcloud-project %s: the project "
				  "TiDB Cloud connects from (the seed's)",
				  tc->project);
	if (!o->unique)
		psc_import_assume(im, "--unique %s: TiDB Cloud's unique "
				  "string (the seed's)", tc->unique);
	if (!o->pattern)
		psc_import_assume(im, "--pattern '%s': the advertised "
				  "listener pattern (the seed's shape)",
				  tc->advertised_listener_pattern);
	psc_import_origin_text(im, tc, 0, "(assumed: --region, "
			       "--tidbcloud-project, --unique, --pattern)");
}

/* TiDB Cloud's VPC, changefeed node, endpoint, zone, as in the shipped
 * topologies */
static void side_objects(psc_import *im, const char *domain)
{
	psc_topology *t = im->t;
	const psc_service_attachment *sa = &t->service_attachments[0];
	psc_network *n = &t->networks[t->n_networks++];
	memset(n, 0, sizeof(*n));
	PSC_SET(n->name, PSC_IMPORT_TC_NETWORK);
	PSC_SET(n->project, "%s", t->tidbcloud.project);
	psc_subnet *s = &n->subnetworks[n->n_subnetworks++];
	PSC_SET(s->name, PSC_IMPORT_TC_SUBNET);
	PSC_SET(s->region, "%s", t->tidbcloud.region);
	PSC_SET(s->ip_cidr_range, PSC_IMPORT_TC_RANGE);
	psc_import_origin_text(im, n, 0, TC_SIDE);
	psc_import_origin_text(im, s, 0, TC_SIDE);

	psc_instance *in = &t->instances[t->n_instances++];
	memset(in, 0, sizeof(*in));
	PSC_SET(in->name, "changefeed");
	PSC_SET(in->zone, "%s", t->tidbcloud.zones[0]);
	PSC_SET(in->network, PSC_IMPORT_TC_NETWORK);
	PSC_SET(in->subnetwork, PSC_IMPORT_TC_SUBNET);
	PSC_SET(in->external_ip, "none");
	psc_import_origin_text(im, in, 0, TC_SIDE);

	psc_endpoint *ep = &t->psc_endpoints[t->n_psc_endpoints++];
	PSC_SET(ep->name, "%.50s-endpoint", sa->name);
	PSC_SET(ep->network, PSC_IMPORT_TC_NETWORK);
	PSC_SET(ep->subnetwork, PSC_IMPORT_TC_SUBNET);
	PSC_SET(ep->ip_address, PSC_IMPORT_TC_ENDPOINT_IP);
	PSC_SET(ep->target, "%s", sa->name);
	psc_import_origin_text(im, ep, 0, TC_SIDE);

	psc_dns_zone *z = &t->dns_zones[t->n_dns_zones++];
	PSC_SET(z->name, "%.54s-zone", sa->name);
	PSC_SET(z->dns_name, "%s.", domain);
	PSC_SET(z->visibility, "private");
	PSC_SET(z->networks[z->n_networks++], PSC_IMPORT_TC_NETWORK);
	psc_dns_record *rec = &z->records[z->n_records++];
	PSC_SET(rec->name, "*");
	PSC_SET(rec->type, "A");
	PSC_SET(rec->endpoint, "%s", ep->name);
	psc_import_origin_text(im, z, 0, TC_SIDE);

	t->changefeed.present = true;
	PSC_SET(t->changefeed.instance, "changefeed");
	PSC_SET(t->changefeed.endpoint, "%s", ep->name);
	psc_import_origin_text(im, &t->changefeed, 0, TC_SIDE);
}

/* ---- the default Kafka ---- */

static void kafka_common(psc_kafka *k)
{
	static const char *const pm[][2] = {
		{"INTERNAL", "PLAINTEXT"}, {"CONTROLLER", "PLAINTEXT"},
		{"EXTERNAL", "PLAINTEXT"}, {"SSL", "SSL"},
		{"SASL_PLAINTEXT", "SASL_PLAINTEXT"}, {"SASL_SSL", "SASL_SSL"}};
	k->present = true;
	PSC_SET(k->cluster_id, PSC_IMPORT_CLUSTER_ID);
	PSC_SET(k->process_roles[0], "broker");
	PSC_SET(k->process_roles[1], "controller");
	k->n_process_roles = 2;
	PSC_SET(k->listeners[0].name, "INTERNAL");
	PSC_SET(k->listeners[1].name, "CONTROLLER");
	k->listeners[0].port = 9092;
	k->listeners[1].port = 29092;
	k->n_listeners = 2;
	for (size_t i = 0; i < 6; i++) {
		if (i == 2 && !k->external_listener[0])
			continue;
		psc_proto_map_entry *e = &k->protocol_map[k->n_protocol_map++];
		PSC_SET(e->listener, "%s", pm[i][0]);
		PSC_SET(e->protocol, "%s", pm[i][1]);
	}
	for (size_t i = 0; i < k->n_listeners; i++)
		PSC_SET(k->listeners[i].host, "0.0.0.0");
	PSC_SET(k->inter_broker_listener, "INTERNAL");
	PSC_SET(k->controller_listener, "CONTROLLER");
	PSC_SET(k->log_dirs, "./data");
	for (size_t i = 0; i < k->n_brokers; i++)
		PSC_SET(k->quorum_voters[k->n_quorum_voters++], "%ld@%s:29092",
			k->brokers[i].node_id, k->brokers[i].instance);
}

static void add_broker(psc_kafka *k, const char *instance, long ext_port)
{
	for (size_t i = 0; i < k->n_brokers; i++)
		if (strcmp(k->brokers[i].instance, instance) == 0)
			return;
	if (k->n_brokers >= PSC_MAX_BROKERS)
		return;
	psc_broker *b = &k->brokers[k->n_brokers++];
	PSC_SET(b->instance, "%s", instance);
	b->node_id = (long)k->n_brokers;
	PSC_SET(b->broker_id, "b%ld", b->node_id);
	b->external_port = ext_port;
}

/* portmap: a broker per endpoint of the NEG behind the load balancer */
static void kafka_portmap(psc_import *im, const psc_neg *g)
{
	psc_kafka *k = &im->t->kafka;
	psc_changefeed *cf = &im->t->changefeed;
	for (size_t i = 0; i < g->n_endpoints; i++) {
		add_broker(k, g->endpoints[i].instance,
			   g->endpoints[i].client_port);
		if (cf->n_bootstrap_ports < PSC_MAX_BOOTSTRAP)
			cf->bootstrap_ports[cf->n_bootstrap_ports++] =
				g->endpoints[i].client_port;
	}
	PSC_SET(k->external_listener, "EXTERNAL");
	kafka_common(k);
	psc_listener *l = &k->listeners[k->n_listeners++];
	PSC_SET(l->name, "EXTERNAL");
	PSC_SET(l->host, "0.0.0.0");
	l->port = g->n_endpoints ? g->endpoints[0].port : 39092;
}

static bool is_proxy_node(const psc_instance_group *ig, const char *name)
{
	for (size_t i = 0; ig && i < ig->n_instances; i++)
		if (strcmp(ig->instances[i], name) == 0)
			return true;
	return false;
}

/* the kafka-proxy way: brokers are the instances named broker* */
static void kafka_brokers_by_name(psc_import *im,
				  const psc_instance_group *ig)
{
	psc_topology *t = im->t;
	for (size_t i = 0; i < t->n_instances; i++)
		if (strncmp(t->instances[i].name, "broker", 6) == 0 &&
		    !is_proxy_node(ig, t->instances[i].name))
			add_broker(&t->kafka, t->instances[i].name, 0);
	kafka_common(&t->kafka);
}

static void kafka_proxy_default(psc_import *im, const psc_instance_group *ig,
				const char *domain)
{
	psc_topology *t = im->t;
	psc_kafka_proxy *kp = &t->kafka_proxy;
	kp->present = true;
	PSC_SET(kp->instance, "%s", ig->instances[0]);
	for (size_t i = 1; i < ig->n_instances; i++)
		PSC_SET(kp->additional_instances[kp->n_additional_instances++],
			"%s", ig->instances[i]);
	for (size_t i = 0; i < t->kafka.n_brokers &&
	     i < PSC_MAX_PROXY_MAPS; i++) {
		psc_proxy_mapping *m =
			&kp->bootstrap_server_mappings[i];
		long port = 9092 + (long)i;
		PSC_SET(m->upstream, "%s:9092", t->kafka.brokers[i].instance);
		PSC_SET(m->listen, "0.0.0.0:%ld", port);
		PSC_SET(m->advertised, "%s.%s:%ld",
			t->kafka.brokers[i].broker_id, domain, port);
		kp->n_bootstrap_server_mappings++;
		t->changefeed.bootstrap_ports[t->changefeed.n_bootstrap_ports++]
			= port;
	}
	kp->dynamic_sequential_min_port =
		9092 + (long)kp->n_bootstrap_server_mappings;
	PSC_SET(kp->dynamic_advertised_listener, "brokers.%s", domain);
	PSC_SET(kp->http_listen_address, "0.0.0.0:9080");
	psc_import_origin_text(im, kp, 0, "(kafka-proxy, not in the plan: "
			       "the seed's flags)");
}

/* ---- a --kafka fragment ---- */

/* the port of "host:port", or -1 */
static long port_of(const char *hp)
{
	const char *c = hp ? strrchr(hp, ':') : NULL;
	char *end;
	long p = c ? strtol(c + 1, &end, 10) : -1;
	return c && *end == '\0' && p > 0 && p < 65536 ? p : -1;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m,
			    const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* the changefeed bootstraps on the fragment's kafka-proxy listen ports */
static void fragment_ports(psc_import *im, yaml_document_t *doc,
			   yaml_node_t *kp)
{
	psc_changefeed *cf = &im->t->changefeed;
	yaml_node_t *maps = map_get(doc, kp, "bootstrap_server_mappings");
	if (!maps || maps->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = maps->data.sequence.items.start;
	     it < maps->data.sequence.items.top; it++) {
		yaml_node_t *l = map_get(doc, yaml_document_get_node(doc, *it),
					 "listen");
		long p = l && l->type == YAML_SCALAR_NODE
			? port_of((char *)l->data.scalar.value) : -1;
		if (p > 0 && cf->n_bootstrap_ports < PSC_MAX_BOOTSTRAP)
			cf->bootstrap_ports[cf->n_bootstrap_ports++] = p;
	}
}

/* the top-level keys: kafka (required) and kafka_proxy, block style;
 * the first key's line into *first; *has_proxy */
static int fragment_keys(psc_import *im, yaml_document_t *doc, psc_diags *d,
			 int *first, bool *has_proxy, bool want_proxy)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	const char *f = im->kafka_file;
	if (!root || root->type != YAML_MAPPING_NODE) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "kafka-fragment", f,
			     "write a mapping with kafka: (and kafka_proxy:) "
			     "as in topologies/portmap.yaml", "is not a "
			     "mapping of kafka: and kafka_proxy:");
		return 1;
	}
	*first = -1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		const char *key = k && k->type == YAML_SCALAR_NODE
			? (char *)k->data.scalar.value : "";
		psc_loc at = {k ? (int)k->start_mark.line + 1 : 0,
			      k ? (int)k->start_mark.column + 1 : 0};
		if (strcmp(key, "kafka") && strcmp(key, "kafka_proxy")) {
			psc_diag_add(d, PSC_SEV_ERROR, at, "kafka-fragment",
				     "--kafka", NULL, "unknown key '%.64s': a "
				     "fragment holds kafka: and kafka_proxy: "
				     "only", key);
			return 1;
		}
		if (at.col != 1) {
			psc_diag_add(d, PSC_SEV_ERROR, at, "kafka-fragment",
				     "--kafka", NULL, "write '%s:' at the start "
				     "of a line (block style)", key);
			return 1;
		}
		if (*first < 0)
			*first = at.line;
		if (!strcmp(key, "kafka_proxy"))
			*has_proxy = true;
	}
	if (!map_get(doc, root, "kafka")) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "kafka-fragment", f, NULL,
			     "has no kafka: section");
		return 1;
	}
	if (*has_proxy && want_proxy)
		fragment_ports(im, doc, map_get(doc, root, "kafka_proxy"));
	return 0;
}

/* the fragment's text from its first key on, into im->kafka_text */
static int fragment_text(psc_import *im, const char *buf, int first_line)
{
	const char *s = buf;
	for (int l = 1; l < first_line && s; l++) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	if (!s)
		return -1;
	size_t n = strlen(s);
	im->kafka_text = malloc(n + 2);
	if (!im->kafka_text)
		return -1;
	memcpy(im->kafka_text, s, n + 1);
	if (n && s[n - 1] != '\n')
		memcpy(im->kafka_text + n, "\n", 2);
	im->kafka_line = first_line;
	return 0;
}

static char *read_small(const char *path, psc_diags *d)
{
	FILE *f = fopen(path, "re");
	char *buf = f ? malloc(PSC_TOPOLOGY_MAX_BYTES + 1) : NULL;
	size_t n = buf ? fread(buf, 1, PSC_TOPOLOGY_MAX_BYTES + 1, f) : 0;
	int e = errno;
	if (f)
		fclose(f);
	if (!buf || n > PSC_TOPOLOGY_MAX_BYTES) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "unreadable", path, NULL,
			     "--kafka: %s", !f ? strerror(e) : buf
			     ? "larger than 1 MiB" : "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int kafka_fragment(psc_import *im, const char *path, psc_diags *d,
			  bool *has_proxy, bool want_proxy)
{
	yaml_parser_t yp;
	yaml_document_t doc;
	int first = -1, rc = 1;
	PSC_SET(im->kafka_file, "%s", path);
	char *buf = read_small(path, d);
	if (!buf)
		return 2;
	yaml_parser_initialize(&yp);
	yaml_parser_set_input_string(&yp, (unsigned char *)buf, strlen(buf));
	if (!yaml_parser_load(&yp, &doc)) {
		psc_diag_add(d, PSC_SEV_ERROR,
			     (psc_loc){(int)yp.problem_mark.line + 1,
				       (int)yp.problem_mark.column + 1},
			     "yaml-syntax", path, NULL, "--kafka: %s",
			     yp.problem ? yp.problem : "not YAML");
		yaml_parser_delete(&yp);
		free(buf);
		return 1;
	}
	rc = fragment_keys(im, &doc, d, &first, has_proxy, want_proxy);
	if (rc == 0 && fragment_text(im, buf, first) < 0)
		rc = 1;
	yaml_document_delete(&doc);
	yaml_parser_delete(&yp);
	free(buf);
	return rc;
}

/* ---- the whole side ---- */

static int side_kafka(psc_import *im, const psc_import_opts *o,
		      const char *domain, psc_diags *d)
{
	psc_topology *t = im->t;
	psc_load_balancer *lb = psc_find_load_balancer(t,
					t->service_attachments[0].target);
	psc_neg *g = lb ? psc_find_neg(t, lb->backends[0]) : NULL;
	psc_instance_group *ig = lb ? psc_find_instance_group(t,
					lb->backends[0]) : NULL;
	bool has_proxy = false;
	PSC_SET(t->approach, "%s", ig ? "proxy" : "portmap");
	if (o->kafka_file) {
		int rc = kafka_fragment(im, o->kafka_file, d, &has_proxy,
					ig != NULL);
		if (rc)
			return rc;
	}
	if (g) {
		kafka_portmap(im, g);
	} else if (ig) {
		kafka_brokers_by_name(im, ig);
		if (!has_proxy)
			kafka_proxy_default(im, ig, domain);
	}
	if (!o->kafka_file && t->kafka.n_brokers == 0) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "no-brokers",
			     im->plan.path, "give the Kafka configuration with "
			     "--kafka FILE", "no brokers: the load balancer's "
			     "NEG has no endpoints and no instance is named "
			     "broker*");
		return 1;
	}
	if (!o->kafka_file) {
		psc_import_origin_text(im, &t->kafka, 0, KAFKA_SIDE);
		psc_import_assume(im, "--kafka: the seed's KRaft cluster, "
				  "%zu brokers (%s), listeners INTERNAL 9092, "
				  "CONTROLLER 29092%s", t->kafka.n_brokers,
				  g ? "one per NEG endpoint"
				    : "the instances named broker*",
				  g ? ", EXTERNAL on the endpoints' port" : "");
	}
	if (ig && !has_proxy)
		psc_import_assume(im, "kafka_proxy: the seed's flags on %s, "
				  "bootstrap ports 9092..%ld", ig->instances[0],
				  9091 + (long)t->kafka_proxy
				  .n_bootstrap_server_mappings);
	return 0;
}

int psc_import_side(psc_import *im, const psc_import_opts *o, psc_diags *d)
{
	psc_topology *t = im->t;
	char domain[PSC_HOST_LEN];
	if (side_name(im, o, d))
		return 1;
	PSC_SET(t->description, "imported from %s", im->plan.path);
	side_tidbcloud(im, o);
	if (psc_pattern_domain(&t->tidbcloud, domain, sizeof(domain)) < 0) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "pattern-shape",
			     "--pattern", "the seed's shape: <broker_id>.abc."
			     "us-west1.gcp.3199745.tidbcloud.com:<port>",
			     "'%s' is not <broker_id>.<domain>:<port>",
			     t->tidbcloud.advertised_listener_pattern);
		return 1;
	}
	if (t->n_networks >= PSC_MAX_NETWORKS ||
	    t->n_instances >= PSC_MAX_INSTANCES) {
		psc_diag_add(d, PSC_SEV_ERROR, NOLOC, "too-many", im->plan.path,
			     NULL, "no room for TiDB Cloud's network and node");
		return 1;
	}
	side_objects(im, domain);
	return side_kafka(im, o, domain, d);
}
