/* topology.h - the topology model: what a topologies/<name>.yaml describes,
 * in the vocabulary of GCP's resources (network, subnetwork, firewall,
 * instance, network endpoint group, instance group, health check, load
 * balancer, service attachment, PSC endpoint, DNS zone), plus the Kafka
 * cluster, kafka-proxy and the TiDB Cloud changefeed.
 *
 * The model is plain data.  Lists that grow with the cluster (instances,
 * brokers, quorum voters, NEG endpoints, instance-group members, kafka-proxy
 * mappings and additional instances) are sized from the file: the loader
 * allocates each in the topology's arena, up to a hard cap (PSC_MAX_*,
 * against hostile input); the rest are small fixed arrays.  Freeing it all
 * is one psc_topology_free().  The struct itself is 2.9 MB (nearly all of
 * it the networks' fixed firewall arrays) whatever the cluster's size; a
 * 100-broker file adds about 170 KB.  Every value the linter may point at
 * keeps the file position (psc_loc) it was read from.  Nothing here touches
 * the host: the loader reads one file, the resolver computes addresses. */
#ifndef PSCLAB_TOPOLOGY_H
#define PSCLAB_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/diag.h"

#define PSC_NAME_LEN 64     /* GCP names: 1..63 chars */
#define PSC_HOST_LEN 256    /* DNS names */
#define PSC_ADDR_LEN 280    /* host:port */
#define PSC_TEXT_LEN 256

#define PSC_MAX_NETWORKS 8
#define PSC_MAX_SUBNETS 16      /* per network */
#define PSC_MAX_FIREWALLS 32    /* per network */
#define PSC_MAX_FW_RULES 8      /* allow/deny entries per firewall */
#define PSC_MAX_PORTS 16        /* port specs per firewall entry */
#define PSC_MAX_RANGES 16       /* source/destination ranges per firewall */
#define PSC_MAX_TAGS 8
#define PSC_MAX_ZONES 8
/* caps of the lists sized from the file (a file over one is refused) */
#define PSC_MAX_INSTANCES 4096
#define PSC_MAX_LISTENERS 8
#define PSC_MAX_PROTO_MAP 16
#define PSC_MAX_KAFKA_CONFIG 32
#define PSC_MAX_BROKERS 1024
#define PSC_MAX_PROXY_MAPS PSC_MAX_BROKERS
#define PSC_MAX_NEGS 4
#define PSC_MAX_NEG_ENDPOINTS PSC_MAX_BROKERS  /* per NEG */
#define PSC_MAX_IGS 4
#define PSC_MAX_HCS 4
#define PSC_MAX_LBS 4
#define PSC_MAX_BACKENDS 4
#define PSC_MAX_SAS 4
#define PSC_MAX_ACCEPT 8
#define PSC_MAX_ENDPOINTS 8
#define PSC_MAX_DNS_ZONES 4
#define PSC_MAX_RECORDS 16
#define PSC_MAX_BOOTSTRAP 16
/* the seed's FAQ, more TiDB Cloud projects on the same Kafka: consumers
 * beyond the first (changefeeds[]), each broker's client port per more
 * external listener group (external_ports), more kafka-proxies
 * (kafka_proxies[]) */
#define PSC_MAX_CHANGEFEEDS 3
#define PSC_MAX_EXTERNAL_PORTS PSC_MAX_CHANGEFEEDS
#define PSC_MAX_PROXIES PSC_MAX_CHANGEFEEDS

typedef char psc_name[PSC_NAME_LEN];

/* Every field keeps where it was read: <field>_loc.  Lists also keep each
 * element's position (<field>_loc[i]), their length (n_<field>) and where
 * the list itself stands (<field>_list_loc). */
#define PSC_STR(n, len) char n[len]; psc_loc n##_loc
#define PSC_NAME(n) PSC_STR(n, PSC_NAME_LEN)
#define PSC_INT(n) long n; psc_loc n##_loc
#define PSC_BOOL(n) bool n; psc_loc n##_loc
#define PSC_STRLIST(n, max, len) \
	char n[max][len]; psc_loc n##_loc[max]; size_t n_##n; psc_loc n##_list_loc
#define PSC_INTLIST(n, max) \
	long n[max]; psc_loc n##_loc[max]; size_t n_##n; psc_loc n##_list_loc
#define PSC_OBJLIST(type, n, max) type n[max]; size_t n_##n; psc_loc n##_list_loc
/* The same sized from the file: n_<field> elements in the topology's arena
 * (NULL when the list is empty or absent), at most the cap the schema
 * names. */
#define PSC_DYN_STRLIST(n, len) \
	char (*n)[len]; psc_loc *n##_loc; size_t n_##n; psc_loc n##_list_loc
#define PSC_DYN_OBJLIST(type, n) type *n; size_t n_##n; psc_loc n##_list_loc

/* ---- producer and consumer networks ---------------------------------- */

typedef struct psc_subnet {
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(region);
	PSC_STR(ip_cidr_range, 48);
	/* "PRIVATE" (default) or "PRIVATE_SERVICE_CONNECT" (a NAT subnet) */
	PSC_NAME(purpose);
} psc_subnet;

typedef struct psc_fw_rule {          /* one allow: or deny: entry */
	psc_loc loc;
	PSC_NAME(protocol);               /* tcp, udp, icmp, all */
	PSC_STRLIST(ports, PSC_MAX_PORTS, 16);  /* "9092", "9093-9095" */
} psc_fw_rule;

typedef struct psc_firewall {
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(direction);              /* INGRESS (default) | EGRESS */
	PSC_INT(priority);                /* 0..65535, default 1000 */
	PSC_BOOL(disabled);
	PSC_STRLIST(source_ranges, PSC_MAX_RANGES, 48);
	PSC_STRLIST(destination_ranges, PSC_MAX_RANGES, 48);
	PSC_STRLIST(source_tags, PSC_MAX_TAGS, PSC_NAME_LEN);
	PSC_STRLIST(target_tags, PSC_MAX_TAGS, PSC_NAME_LEN); /* none: all */
	PSC_OBJLIST(psc_fw_rule, allow, PSC_MAX_FW_RULES);
	PSC_OBJLIST(psc_fw_rule, deny, PSC_MAX_FW_RULES);
} psc_firewall;

typedef struct psc_network {          /* a VPC */
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(project);
	PSC_OBJLIST(psc_subnet, subnetworks, PSC_MAX_SUBNETS);
	PSC_OBJLIST(psc_firewall, firewalls, PSC_MAX_FIREWALLS);
} psc_network;

typedef struct psc_instance {         /* a VM: one network namespace */
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(zone);
	PSC_NAME(machine_type);
	PSC_NAME(image);
	PSC_NAME(network);
	PSC_NAME(subnetwork);
	PSC_STR(network_ip, 48);          /* empty: assigned (psc_instance_ip) */
	PSC_NAME(external_ip);            /* none | ephemeral: recorded only */
	PSC_STRLIST(tags, PSC_MAX_TAGS, PSC_NAME_LEN);
} psc_instance;

/* ---- Kafka ------------------------------------------------------------ */

typedef struct psc_listener {
	psc_loc loc;
	PSC_NAME(name);                   /* INTERNAL, CONTROLLER, EXTERNAL */
	PSC_STR(host, PSC_HOST_LEN);      /* bind address, default 0.0.0.0 */
	PSC_INT(port);
} psc_listener;

typedef struct psc_proto_map_entry {  /* one key: value of protocol_map */
	psc_loc loc;
	PSC_NAME(listener);
	PSC_NAME(protocol);               /* PLAINTEXT, SSL, ... */
} psc_proto_map_entry;

/* one key: value of kafka.config: a server.properties entry pscLab does
 * not model (an authorizer, a message limit), written after the lab's */
typedef struct psc_kafka_config_entry {
	psc_loc loc;
	PSC_STR(key, 128);
	PSC_STR(value, PSC_TEXT_LEN);
} psc_kafka_config_entry;

/* one entry of a broker's external_ports: {EXTERNAL2: 9103}, the client
 * port it advertises on a listener group of changefeeds[] */
typedef struct psc_broker_port {
	psc_loc loc;
	PSC_NAME(listener);
	PSC_INT(port);
} psc_broker_port;

typedef struct psc_broker {
	psc_loc loc;
	PSC_NAME(instance);
	PSC_INT(node_id);
	/* <broker_id> of the advertised listener pattern; default "b<node_id>" */
	PSC_NAME(broker_id);
	/* port of the EXTERNAL advertised listener (a PSC client port); 0 when
	 * the cluster has no external listener (proxy approach) */
	PSC_INT(external_port);
	/* the EXTERNAL entry of advertised.listeners as host:port when it is
	 * not the pattern's <broker_id>.<domain>:<external_port>, e.g. the
	 * broker's own "10.64.0.2:39092" (a user's mistake, for the lab to
	 * show); empty: the pattern's (lint: advertised-pattern) */
	PSC_STR(external_advertised, PSC_ADDR_LEN);
	/* not from the file: set by the lab's stage (model/stage.h) while the
	 * broker runs as the customer's did before PSC, without the EXTERNAL
	 * listener (server.properties leaves it out) */
	bool no_external;
	/* the seed's FAQ: the client port of each more external listener
	 * group (EXTERNAL2 ...), advertised by that group's consumer's
	 * pattern; empty: the cluster serves one TiDB Cloud project */
	PSC_OBJLIST(psc_broker_port, external_ports, PSC_MAX_EXTERNAL_PORTS);
} psc_broker;

typedef struct psc_kafka {
	psc_loc loc;
	bool present;
	PSC_NAME(cluster_id);
	PSC_STRLIST(process_roles, 4, PSC_NAME_LEN);
	PSC_OBJLIST(psc_listener, listeners, PSC_MAX_LISTENERS);
	PSC_OBJLIST(psc_proto_map_entry, protocol_map, PSC_MAX_PROTO_MAP);
	PSC_NAME(inter_broker_listener);
	PSC_NAME(controller_listener);
	/* the listener advertised through PSC; empty in the proxy approach */
	PSC_NAME(external_listener);
	/* "1@broker-node1:29092": host is an instance name or an address */
	PSC_DYN_STRLIST(quorum_voters, PSC_ADDR_LEN);   /* <= PSC_MAX_BROKERS */
	PSC_STR(log_dirs, PSC_TEXT_LEN);
	PSC_DYN_OBJLIST(psc_broker, brokers);         /* <= PSC_MAX_BROKERS */
	PSC_OBJLIST(psc_kafka_config_entry, config, PSC_MAX_KAFKA_CONFIG);
} psc_kafka;

typedef struct psc_proxy_mapping {    /* --bootstrap-server-mapping */
	psc_loc loc;
	PSC_STR(upstream, PSC_ADDR_LEN);  /* broker host:port (instance name ok) */
	PSC_STR(listen, PSC_ADDR_LEN);    /* 0.0.0.0:9092 */
	PSC_STR(advertised, PSC_ADDR_LEN);/* b1.abc.<domain>:9092 */
} psc_proxy_mapping;

typedef struct psc_kafka_proxy {
	psc_loc loc;
	bool present;
	PSC_NAME(instance);
	PSC_DYN_OBJLIST(psc_proxy_mapping, bootstrap_server_mappings);
						/* <= PSC_MAX_PROXY_MAPS */
	PSC_INT(dynamic_sequential_min_port);
	PSC_STR(dynamic_advertised_listener, PSC_HOST_LEN);
	PSC_STR(http_listen_address, PSC_ADDR_LEN);  /* default 0.0.0.0:9080 */
	/* more VMs of the instance group running the same kafka-proxy (the
	 * template's startup script): what the seed warns against, kafka-proxy
	 * issue #174 */
	PSC_DYN_STRLIST(additional_instances, PSC_NAME_LEN);
	/* the kafka-proxy tag to run ("" : $KAFKA_PROXY_VERSION or v0.3.11) */
	PSC_NAME(version);
	/* --deterministic-listeners (v0.4.0+): dynamic port = min + broker id */
	PSC_BOOL(deterministic_listeners);
} psc_kafka_proxy;

/* ---- load balancing and PSC ------------------------------------------- */

typedef struct psc_neg_endpoint {
	psc_loc loc;
	PSC_NAME(instance);
	PSC_INT(port);                    /* VM port */
	PSC_INT(client_port);
} psc_neg_endpoint;

typedef struct psc_neg {              /* port mapping NEG */
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(type);                   /* GCE_VM_IP_PORTMAP */
	PSC_NAME(region);
	PSC_NAME(network);
	PSC_NAME(subnetwork);
	PSC_DYN_OBJLIST(psc_neg_endpoint, endpoints); /* <= ..._NEG_ENDPOINTS */
} psc_neg;

typedef struct psc_instance_group {
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(zone);
	PSC_DYN_STRLIST(instances, PSC_NAME_LEN);  /* <= PSC_MAX_INSTANCES */
} psc_instance_group;

typedef struct psc_health_check {
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(region);
	PSC_NAME(protocol);               /* TCP */
	PSC_INT(port);
	PSC_INT(check_interval_sec);      /* default 5 */
	PSC_INT(timeout_sec);             /* default 5 */
	PSC_INT(healthy_threshold);       /* default 2 */
	PSC_INT(unhealthy_threshold);     /* default 2 */
} psc_health_check;

typedef struct psc_load_balancer {    /* backend service + forwarding rule */
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(scheme);                 /* INTERNAL_PASSTHROUGH */
	PSC_NAME(region);
	PSC_NAME(network);
	/* backend service */
	PSC_NAME(protocol);               /* TCP */
	PSC_STRLIST(backends, PSC_MAX_BACKENDS, PSC_NAME_LEN); /* NEGs or IGs */
	PSC_NAME(health_check);
	PSC_NAME(session_affinity);       /* NONE */
	/* forwarding rule */
	PSC_NAME(subnetwork);
	PSC_STR(ip_address, 48);          /* empty: assigned */
	PSC_NAME(ports);                  /* ALL */
} psc_load_balancer;

typedef struct psc_accept {
	psc_loc loc;
	PSC_NAME(project);
	PSC_INT(connection_limit);        /* default 10 */
} psc_accept;

typedef struct psc_service_attachment {
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(region);
	PSC_NAME(target);                 /* load balancer name */
	PSC_STRLIST(nat_subnets, 4, PSC_NAME_LEN);
	PSC_NAME(connection_preference);  /* ACCEPT_AUTOMATIC | ACCEPT_MANUAL */
	PSC_OBJLIST(psc_accept, consumer_accept_lists, PSC_MAX_ACCEPT);
	PSC_STRLIST(consumer_reject_lists, PSC_MAX_ACCEPT, PSC_NAME_LEN);
	PSC_BOOL(enable_proxy_protocol);
} psc_service_attachment;

typedef struct psc_endpoint {         /* consumer PSC endpoint */
	psc_loc loc;
	PSC_NAME(name);
	PSC_NAME(network);
	PSC_NAME(subnetwork);
	PSC_STR(ip_address, 48);          /* empty: assigned */
	PSC_NAME(target);                 /* service attachment name */
} psc_endpoint;

typedef struct psc_dns_record {
	psc_loc loc;
	PSC_STR(name, PSC_HOST_LEN);      /* relative to the zone: "*", "b1" */
	PSC_NAME(type);                   /* A */
	PSC_NAME(endpoint);               /* PSC endpoint whose address answers */
} psc_dns_record;

typedef struct psc_dns_zone {
	psc_loc loc;
	PSC_NAME(name);
	PSC_STR(dns_name, PSC_HOST_LEN);  /* with the trailing dot */
	PSC_NAME(visibility);             /* private */
	PSC_STRLIST(networks, PSC_MAX_NETWORKS, PSC_NAME_LEN);
	PSC_OBJLIST(psc_dns_record, records, PSC_MAX_RECORDS);
} psc_dns_zone;

/* TiDB Cloud's deployment information (the seed's Prerequisites table) */
typedef struct psc_tidbcloud {
	psc_loc loc;
	bool present;
	PSC_NAME(region);
	PSC_NAME(project);
	PSC_STRLIST(zones, PSC_MAX_ZONES, PSC_NAME_LEN);
	PSC_NAME(unique);                 /* the unique random string: abc */
	/* "<broker_id>.abc.us-west1.gcp.3199745.tidbcloud.com:<port>" */
	PSC_STR(advertised_listener_pattern, PSC_HOST_LEN);
} psc_tidbcloud;

typedef struct psc_changefeed {       /* where TiDB Cloud's Kafka client runs */
	psc_loc loc;
	bool present;
	PSC_NAME(instance);
	PSC_NAME(endpoint);               /* PSC endpoint it bootstraps through */
	PSC_INTLIST(bootstrap_ports, PSC_MAX_BOOTSTRAP);
	/* only in changefeeds[] (the seed's FAQ: another TiDB Cloud project
	 * on the same Kafka): that project's deployment information, which
	 * `changefeed` takes from `tidbcloud`, and (portmap) the brokers'
	 * listener group that serves it, which `changefeed` takes from
	 * kafka.external_listener */
	PSC_NAME(project);
	PSC_NAME(unique);
	PSC_STR(advertised_listener_pattern, PSC_HOST_LEN);
	PSC_NAME(external_listener);
} psc_changefeed;

typedef enum psc_approach {
	PSC_APPROACH_PORTMAP = 0,
	PSC_APPROACH_PROXY = 1,
} psc_approach;

typedef struct psc_topology {
	psc_loc loc;                      /* objects start with their position */
	char file[4096];                  /* where it was read from */
	PSC_NAME(name);                   /* the lab's name */
	PSC_STR(description, PSC_TEXT_LEN);
	PSC_NAME(approach);               /* portmap | proxy */
	psc_tidbcloud tidbcloud;
	PSC_OBJLIST(psc_network, networks, PSC_MAX_NETWORKS);
	PSC_DYN_OBJLIST(psc_instance, instances);    /* <= PSC_MAX_INSTANCES */
	psc_kafka kafka;
	psc_kafka_proxy kafka_proxy;
	PSC_OBJLIST(psc_neg, network_endpoint_groups, PSC_MAX_NEGS);
	PSC_OBJLIST(psc_instance_group, instance_groups, PSC_MAX_IGS);
	PSC_OBJLIST(psc_health_check, health_checks, PSC_MAX_HCS);
	PSC_OBJLIST(psc_load_balancer, load_balancers, PSC_MAX_LBS);
	PSC_OBJLIST(psc_service_attachment, service_attachments, PSC_MAX_SAS);
	PSC_OBJLIST(psc_endpoint, psc_endpoints, PSC_MAX_ENDPOINTS);
	PSC_OBJLIST(psc_dns_zone, dns_zones, PSC_MAX_DNS_ZONES);
	psc_changefeed changefeed;
	/* the seed's FAQ: more TiDB Cloud projects, each a consumer of its
	 * own (model/consumers.h); more kafka-proxies (proxy), one per
	 * project's pattern, each behind its own load balancer */
	PSC_OBJLIST(psc_changefeed, changefeeds, PSC_MAX_CHANGEFEEDS);
	PSC_OBJLIST(psc_kafka_proxy, kafka_proxies, PSC_MAX_PROXIES);
	struct psc_block *arena;          /* the lists above sized from the file */
} psc_topology;

/* The lab's name (the file's `name`) is used in namespace, interface and
 * path names: 1..PSC_LAB_NAME_MAX of [a-z0-9-], starting with a letter.
 * Returns 0 or -1 with the reason. */
#define PSC_LAB_NAME_MAX 24
int psc_lab_name_check(const char *name, char *err, size_t errlen);

/* The approach as an enum (portmap when the string is unknown). */
psc_approach psc_topology_approach(const psc_topology *t);

/* A model from the loader (topology_load.h), freed, with every list in its
 * arena.  NULL is fine. */
void psc_topology_free(psc_topology *t);
/* n zeroed elements of size bytes, owned by t (freed with it); NULL when
 * out of memory or n * size overflows.  The loader's, for the lists sized
 * from the file. */
void *psc_topology_alloc(psc_topology *t, size_t n, size_t size);
/* An empty model whose every list sized from the file has room for its cap
 * (PSC_MAX_*), for a builder that appends as it goes (the importer): large
 * zeroed blocks, which the kernel backs only where written.  NULL when out
 * of memory. */
psc_topology *psc_topology_new_full(void);

/* A name or a path: "portmap" -> <topodir>/portmap.yaml,
 * "scenarios/no-psc-firewall" -> <topodir>/scenarios/no-psc-firewall.yaml
 * (the broken topologies of topologies/scenarios/); anything else with a
 * '/', or ending in .yaml/.yml, is taken as a path.  topodir NULL or
 * empty means "topologies" (relative to the working directory). */
#define PSC_SCENARIO_PREFIX "scenarios/"
int psc_topology_path(const char *name_or_file, const char *topodir,
		      char *out, size_t outlen, char *err, size_t errlen);

/* ---- look-ups (NULL when absent) ---- */
psc_network *psc_find_network(psc_topology *t, const char *name);
psc_subnet *psc_find_subnet(psc_topology *t, const char *name,
			    psc_network **net_out);
psc_instance *psc_find_instance(psc_topology *t, const char *name);
psc_listener *psc_find_listener(psc_kafka *k, const char *name);
psc_broker *psc_find_broker_by_instance(psc_kafka *k, const char *instance);
psc_broker *psc_find_broker_by_id(psc_kafka *k, long node_id);
/* the topology field a server.properties key is written from ("kafka.
 * listeners"), NULL when kafka.config may set it */
const char *psc_kafka_config_owner(const char *key);
psc_neg *psc_find_neg(psc_topology *t, const char *name);
psc_instance_group *psc_find_instance_group(psc_topology *t, const char *name);
psc_health_check *psc_find_health_check(psc_topology *t, const char *name);
psc_load_balancer *psc_find_load_balancer(psc_topology *t, const char *name);
psc_service_attachment *psc_find_service_attachment(psc_topology *t,
						    const char *name);
psc_endpoint *psc_find_endpoint(psc_topology *t, const char *name);

/* ---- derived values ---- */

/* The domain of the advertised listener pattern: the part between
 * "<broker_id>." and ":<port>", e.g. "abc.us-west1.gcp.3199745.tidbcloud.com".
 * Returns 0, or -1 when the pattern does not have that shape. */
int psc_pattern_domain(const psc_tidbcloud *tc, char *out, size_t outlen);
/* b1.abc.<...>:9093 for a broker, from the pattern (needs external_port) */
int psc_broker_advertised_external(const psc_topology *t, const psc_broker *b,
				   char *out, size_t outlen);

/* An instance's address: the explicit network_ip, else the address GCP
 * would give: the first usable address of its subnet upward (.2, .3, ...),
 * in file order, skipping addresses other objects of the subnet state
 * explicitly.  Load balancer and PSC endpoint addresses without an explicit
 * value follow the instances of their subnet.  Returns 0 and the address in
 * host order, or -1 (unknown subnet, bad CIDR, bad address, subnet full). */
int psc_instance_ip(const psc_topology *t, const psc_instance *in,
		    uint32_t *ip);
int psc_load_balancer_ip(const psc_topology *t, const psc_load_balancer *lb,
			 uint32_t *ip);
int psc_endpoint_ip(const psc_topology *t, const psc_endpoint *ep,
		    uint32_t *ip);
/* The INTERNAL (inter-broker listener) advertised address: "<ip>:<port>". */
int psc_broker_advertised_internal(const psc_topology *t, const psc_broker *b,
				   char *out, size_t outlen);
/* "host:port" with host an instance name or an address: -> ip, port */
int psc_resolve_hostport(const psc_topology *t, const char *s, uint32_t *ip,
			 int *port);

#endif
