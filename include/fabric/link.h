/* link.h - what `pscLab fault` changes on a lab's NICs, with libnl-route
 * inside the lab namespace (never the host's): a link set down or up
 * (link-down/link-up), and qdiscs on a NIC's egress: a token bucket (tbf)
 * for a rate, netem under it for a delay, as netlink qdiscs, not `tc`
 * subprocesses.  This machine's kernel has no netem (CONFIG_NET_SCH_NETEM
 * off): a delay is refused with that reason; the fault's loss is done in
 * nftables instead (plan/nftgen.h psc_nft_loss_text).  Measured here: a
 * link change or a qdisc in 1-2 ms. */
#ifndef PSCLAB_LINK_H
#define PSCLAB_LINK_H

#include <stdbool.h>
#include <stddef.h>

/* Set link ifname of namespace ns up or down.  -1 with err naming both and
 * netlink's reason. */
int psc_link_set_up(const char *ns, const char *ifname, bool up, char *err,
		    size_t errlen);

/* Forget the neighbours (ARP entries) of ifname in ns: after a link comes
 * back, an entry that failed while it was down would answer "no route to
 * host" for seconds.  -1 with err. */
int psc_link_neigh_flush(const char *ns, const char *ifname, char *err,
			 size_t errlen);

typedef struct psc_netem {
	long delay_ms;            /* 0: none */
	long loss_pct;            /* 0: none, 1..100 */
	long rate_kbit;           /* 0: no limit */
} psc_netem;

/* Replace the root qdisc of ifname in ns by netem (delay, loss) or, with a
 * rate, by a token bucket (tbf, handle 1:) holding netem (10:).  -1 with
 * err. */
int psc_netem_set(const char *ns, const char *ifname, const psc_netem *n,
		  char *err, size_t errlen);
/* Remove what psc_netem_set put there (back to the default qdisc); none
 * there is fine. */
int psc_netem_clear(const char *ns, const char *ifname, char *err,
		    size_t errlen);

#endif
