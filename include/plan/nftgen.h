/* nftgen.h - the nftables rules of a lab, as nft script text, from its plan.
 * Pure: it writes text, applying it is nft.c's job (libnftables, inside the
 * namespace).  Every rule carries a counter and a comment naming the GCP
 * object it stands for, so `pscLab status` can show per-rule counters.
 *
 * VPC router namespace (table inet psclab):
 *   - chain lb_dnat (nat prerouting): port-mapping NEGs: VIP:client_port ->
 *     instance:port; any other port to the VIP is dropped silently;
 *   - chain lb_pick (mangle prerouting): instance-group backends: new
 *     connections to the VIP get the mark of a healthy backend chosen by a
 *     5-tuple hash (all backends when none is healthy: fail-open); the
 *     mark lives in conntrack, so existing connections stay where they are;
 *     policy routing (fwmark -> table PSC_IG_TABLE_BASE + i) delivers;
 *   - chain forward (filter): stateful VPC firewall: established traffic
 *     passes; a new flow passes the egress rules of its source instance,
 *     then the ingress rules of its destination instance, each in GCP's
 *     order (priority, DENY before ALLOW at equal priority), ending in the
 *     implied rules (allow egress, deny ingress);
 *   - chain leak (filter prerouting, priority raw) and set leaked, in a VPC
 *     that holds a PSC endpoint only: packets from its VMs toward any
 *     address outside its subnets and 169.254.169.254 are counted, per
 *     destination in the set (nothing is dropped): the sign of a client
 *     that followed a broker's real address instead of the endpoint.
 * PSC namespace (table ip psclab): endpoint -> forwarding rule (DNAT) and
 * consumer -> NAT address (SNAT) for ACCEPTED endpoints; PENDING/REJECTED
 * endpoints and everything else are dropped with a counter. */
#ifndef PSCLAB_NFTGEN_H
#define PSCLAB_NFTGEN_H

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

#define PSC_NFT_TABLE "psclab"
#define PSC_NFT_LEAK_SET "leaked"
#define PSC_NFT_METADATA_IP "169.254.169.254"

/* Health of instance-group backends, per load balancer of the plan:
 * healthy[l][b] for plan.lbs[l].backend_vm[b]. */
typedef struct psc_lb_health {
	bool healthy[PSC_MAX_LBS][PSC_MAX_INSTANCES];
} psc_lb_health;

/* All backends healthy (the state before the first probe). */
void psc_lb_health_all(const psc_plan *p, psc_lb_health *h);

/* Write the whole script of router namespace plan.router_ns[net]
 * (flush + define the table).  Returns 0 or -1 (write error). */
int psc_nft_router_script(const psc_plan *p, size_t net,
			  const psc_lb_health *h, FILE *out);
/* Only the lb_pick chain's rules, for a health change (flush chain +
 * rules), for the router of network net. */
int psc_nft_lb_pick_script(const psc_plan *p, size_t net,
			   const psc_lb_health *h, FILE *out);
/* The PSC namespace's script. */
int psc_nft_psc_script(const psc_plan *p, FILE *out);

/* The same into a malloc'ed string (free it); NULL on failure. */
char *psc_nft_router_text(const psc_plan *p, size_t net,
			  const psc_lb_health *h);
char *psc_nft_psc_text(const psc_plan *p);

/* A fault's packet loss in a VM's own namespace (`pscLab fault netem
 * <vm> loss=PCT`): table inet PSC_NFT_FAULT_TABLE dropping pct % of what
 * the VM sends and of what it receives at random (nft's numgen), counted;
 * pct 0: the table deleted.  This kernel has no sch_netem, and nftables
 * loss works wherever the lab does.  Malloc'ed (free it), NULL. */
#define PSC_NFT_FAULT_TABLE "psclab-fault"
char *psc_nft_loss_text(long pct);

#endif
