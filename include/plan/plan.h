/* plan.h - the lab plan: what `pscLab up` builds, computed from a topology
 * before anything is touched.  Pure: no syscalls, unit-tested.
 *
 * The emulation (README.md, "How the emulation works"):
 *   - one network namespace per instance (VM), psclab-<lab>-<instance>, its
 *     NIC eth0 holding <ip>/32 with the subnet's gateway (.1) as next hop,
 *     as GCP configures a VM;
 *   - one namespace per VPC network, psclab-<lab>-vpc-<network>: the VPC's
 *     implied router. Every VM's veth ends there, with the gateway address;
 *     the VPC firewall and the load balancers act there (nftables);
 *     169.254.169.254 on its loopback answers DNS (the metadata server's
 *     address);
 *   - psclab-<lab>-psc: Private Service Connect itself, joined to the
 *     routers of the VPCs that hold PSC endpoints or service attachments.
 *     It rewrites endpoint -> forwarding rule (DNAT) and consumer -> NAT
 *     subnet address (SNAT), and passes nothing else: the consumer VPC has
 *     no other way into the producer VPC;
 *   - psclab-<lab>-gcp-hc: GCP's health-check probers (35.191.0.0/16,
 *     130.211.0.0/22), joined to the routers of VPCs with health-checked
 *     load balancers.
 * Transit links between namespaces use 169.254.0.0/16 /30s. */
#ifndef PSCLAB_PLAN_H
#define PSCLAB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/topology.h"

#define PSC_NETNS_PREFIX "psclab-"
#define PSC_NETNS_NAME_LEN 128
#define PSC_IFNAME_LEN 16           /* IFNAMSIZ */

/* Sized for the topology caps (PSC_MAX_INSTANCES VMs): a plan is about
 * 2.6 MB, allocated once (calloc or static, never on a stack). */
#define PSC_PLAN_MAX_NS (PSC_MAX_INSTANCES + PSC_MAX_NETWORKS + 2)
#define PSC_PLAN_MAX_LINKS (PSC_MAX_INSTANCES + 2 * PSC_MAX_NETWORKS)
/* a DNS address per router, two probers, the VIP on every IG member */
#define PSC_PLAN_MAX_ADDRS (PSC_MAX_NETWORKS + 2 + PSC_MAX_LBS * PSC_MAX_INSTANCES)
/* three per VM; per IG member its table's route (and the main table's
 * first); per endpoint and per network's probe link a few, with subnets */
#define PSC_PLAN_MAX_ROUTES (3 * PSC_MAX_INSTANCES + \
			     PSC_MAX_LBS * (PSC_MAX_INSTANCES + 1) + \
			     (PSC_MAX_ENDPOINTS + PSC_MAX_NETWORKS) * \
			     (3 + PSC_MAX_SUBNETS))

#define PSC_DNS_IP 0xa9fea9feu      /* 169.254.169.254 */
#define PSC_PROBE_IP1 0x23bf0001u   /* 35.191.0.1 */
#define PSC_PROBE_IP2 0x82d30001u   /* 130.211.0.1 */
#define PSC_IG_TABLE_BASE 100       /* policy routing tables of IG backends */
#define PSC_IG_MARK_BASE 0x100      /* their fwmarks */

typedef enum psc_ns_kind {
	PSC_NS_VM = 0,
	PSC_NS_ROUTER = 1,
	PSC_NS_PSC = 2,
	PSC_NS_PROBE = 3,
} psc_ns_kind;

typedef struct psc_plan_ns {
	char name[PSC_NETNS_NAME_LEN];    /* psclab-<lab>-... */
	psc_ns_kind kind;
	const char *object;               /* instance or network name */
	bool forwarding;                  /* ip_forward=1 (routers, psc) */
} psc_plan_ns;

typedef struct psc_plan_end {
	int ns;                           /* index into plan.ns */
	char ifname[PSC_IFNAME_LEN];
	uint32_t addr;                    /* 0: no address */
	uint8_t plen;
} psc_plan_end;

typedef struct psc_plan_link {        /* a veth pair */
	psc_plan_end a, b;
} psc_plan_link;

typedef struct psc_plan_addr {        /* more addresses (on lo mostly) */
	int ns;
	char ifname[PSC_IFNAME_LEN];
	uint32_t addr;
	uint8_t plen;
} psc_plan_addr;

typedef struct psc_plan_route {
	int ns;
	uint32_t dst;
	uint8_t plen;
	uint32_t via;                     /* 0: on-link through ifname */
	char ifname[PSC_IFNAME_LEN];
	uint32_t table;                   /* 0: main */
} psc_plan_route;

typedef struct psc_plan_rule {        /* ip rule fwmark M lookup T */
	int ns;
	uint32_t mark;
	uint32_t table;
} psc_plan_rule;

typedef struct psc_plan_vm {
	const psc_instance *in;
	int ns;
	int router_ns;
	int network;                      /* index into t->networks */
	uint32_t ip;
	uint32_t gw;
	char router_if[PSC_IFNAME_LEN];   /* its veth's end in the router */
} psc_plan_vm;

typedef enum psc_ep_status {
	PSC_EP_ACCEPTED = 0,
	PSC_EP_PENDING = 1,
	PSC_EP_REJECTED = 2,
} psc_ep_status;

typedef struct psc_plan_endpoint {
	const psc_endpoint *ep;
	const psc_service_attachment *sa;
	const psc_load_balancer *lb;
	uint32_t ip;                      /* the endpoint (consumer side) */
	uint32_t nat_ip;                  /* its NAT subnet address */
	uint32_t vip;                     /* the producer forwarding rule */
	psc_ep_status status;
	char reason[256];                 /* why PENDING / REJECTED */
	int consumer_router_ns;
	int producer_router_ns;
} psc_plan_endpoint;

typedef struct psc_plan_lb {
	const psc_load_balancer *lb;
	uint32_t vip;
	int router_ns;
	bool neg;                         /* port-mapping NEG, else IG */
	const psc_health_check *hc;       /* NULL: none */
	int backend_vm[PSC_MAX_INSTANCES];/* IG members: index into vms */
	size_t n_backends;
} psc_plan_lb;

typedef struct psc_plan {
	const psc_topology *t;
	char lab[PSC_NAME_LEN];
	psc_plan_ns ns[PSC_PLAN_MAX_NS];
	size_t n_ns;
	psc_plan_link links[PSC_PLAN_MAX_LINKS];
	size_t n_links;
	psc_plan_addr addrs[PSC_PLAN_MAX_ADDRS];
	size_t n_addrs;
	psc_plan_route routes[PSC_PLAN_MAX_ROUTES];
	size_t n_routes;
	psc_plan_rule rules[PSC_MAX_LBS * PSC_MAX_INSTANCES];
	size_t n_rules;
	psc_plan_vm vms[PSC_MAX_INSTANCES];
	size_t n_vms;
	int router_ns[PSC_MAX_NETWORKS];  /* per t->networks index */
	psc_plan_endpoint eps[PSC_MAX_ENDPOINTS];
	size_t n_eps;
	psc_plan_lb lbs[PSC_MAX_LBS];
	size_t n_lbs;
	int psc_ns;                       /* -1: no PSC in the topology */
	int probe_ns;                     /* -1: no health check */
} psc_plan;

/* Compute the plan of a topology that lints clean.  Returns 0, or -1 with
 * the reason in err (a topology lint would have refused). */
int psc_plan_build(const psc_topology *t, psc_plan *p, char *err,
		   size_t errlen);

/* Instance-group backend b of plan.lbs[l]: the fwmark the load balancer
 * gives its connections and the routing table that delivers them. */
uint32_t psc_plan_backend_mark(size_t l, size_t b);
uint32_t psc_plan_backend_table(size_t l, size_t b);

int psc_plan_ns_index(const psc_plan *p, const char *name);
/* The namespace of node `node` (the part of its name after
 * "psclab-<lab>-": an instance, router-<vpc>, psc, probe): its index, or -1
 * with err naming the lab's nodes. */
int psc_plan_node_ns(const psc_plan *p, const char *node, char *err,
		     size_t errlen);
/* "psclab-<lab>-", the mark every namespace of lab carries, into out
 * (PSC_NETNS_NAME_LEN bytes); returns its length. */
size_t psc_plan_ns_prefix(const char *lab, char *out);
/* 0 when name is a pscLab namespace name: PSC_NETNS_PREFIX then one or
 * more of [a-z0-9._-], shorter than PSC_NETNS_NAME_LEN; -1 with the
 * reason.  The one check of such a name (fabric, supervisor, Kafka). */
int psc_plan_ns_name_check(const char *name, char *err, size_t errlen);
const psc_plan_vm *psc_plan_vm_by_name(const psc_plan *p, const char *name);
const char *psc_ep_status_name(psc_ep_status s);

#endif
