/* nft.h - applying nft scripts inside a lab namespace, and reading its
 * ruleset back, with libnftables.  Every call enters the namespace first
 * (psc_netns_run), so nothing ever reaches the host's ruleset. */
#ifndef PSCLAB_NFT_H
#define PSCLAB_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

/* Run an nft script (nftgen.h) in namespace netns, as one transaction.
 * -1 with nft's own error text (first lines) when it refuses it. */
int psc_nft_apply(const char *netns, const char *script, char *err,
		  size_t errlen);
/* Apply scripts[i] in netns[i] for every i, each in a thread of its own:
 * closing a netfilter netlink socket after a ruleset change waits for the
 * kernel (about 10 ms), and the waits overlap.  -1 with the first error;
 * the others are applied or not, the caller tears the namespaces down. */
int psc_nft_apply_all(const char *const *netns, const char *const *scripts,
		      size_t n, char *err, size_t errlen);
/* The lab's whole ruleset from its plan: each VPC router's (firewall, load
 * balancers with every backend counted healthy until the health checker
 * says otherwise, leak watch) and the PSC namespace's, applied at once
 * (psc_nft_apply_all).  -1 with err. */
int psc_nft_build(const psc_plan *p, char *err, size_t errlen);
/* The namespace's ruleset as nft's JSON (malloc'ed, free it), or NULL with
 * err. */
char *psc_nft_list_json(const char *netns, char *err, size_t errlen);

/* One rule of a lab namespace's ruleset that has a comment and a counter
 * (nftgen.h gives every rule of the lab both): its chain, its comment,
 * its counts, and whether it drops (a drop rule counts every packet it
 * dropped; an allow or NAT rule after "ct state established accept" sees
 * the first packet of each connection only). */
typedef struct psc_nft_counter {
	char chain[64];
	char comment[128];
	long long packets, bytes;
	bool drops;
} psc_nft_counter;

/* The counted rules of an nft JSON listing (psc_nft_list_json's text), in
 * ruleset order, at most max into out (*n of them).  Pure (no kernel):
 * -1 with err when the text is not nft's JSON. */
int psc_nft_counters_parse(const char *json, psc_nft_counter *out,
			   size_t max, size_t *n, char *err, size_t errlen);
/* The same of namespace netns's ruleset as it is now.  -1 with err. */
int psc_nft_counters(const char *netns, psc_nft_counter *out, size_t max,
		     size_t *n, char *err, size_t errlen);

/* One destination of the consumer VPC's leak watch (nftgen.h's set
 * PSC_NFT_LEAK_SET): an address outside the VPC its VMs sent packets to. */
typedef struct psc_nft_leak {
	char addr[16];
	long long packets, bytes;
} psc_nft_leak;

/* The leak set of router namespace netns: up to max destinations into out
 * (*n of them; *n = 0 when the namespace has no such set).  -1 with err
 * when the ruleset cannot be read. */
int psc_nft_leaks(const char *netns, psc_nft_leak *out, size_t max,
		  size_t *n, char *err, size_t errlen);

#endif
