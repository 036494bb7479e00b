/* netns.h - named network namespaces and the lab's fabric.
 *
 * Named namespaces are iproute2's: a file /run/netns/<name> onto which the
 * namespace (/proc/thread-self/ns/net of a thread that unshared
 * CLONE_NEWNET) is bind-mounted, /run/netns itself being a shared mount
 * point; `ip netns list` and `ip netns exec` work with them, and
 * /etc/netns/<name>/<file> is bind-mounted over /etc/<file> by `ip netns
 * exec`.  Namespaces are created by a short-lived thread, so the caller's
 * threads never change namespace (but psc_netns_run's, on purpose).  Only
 * names starting with "psclab-" are created or deleted here.
 *
 * The fabric is the plan (plan.h) made real with libnl-route: every
 * namespace first, then every veth pair (each end created directly in its
 * namespace: IFLA_NET_NS_FD on the link and on its peer, the request sent
 * from a netlink socket opened inside a lab namespace), addresses, routes.
 * Nothing is ever added to the host's namespace.  Every object lives in a
 * namespace the build created, so undoing a build is deleting those
 * namespaces (and the /etc/netns files it wrote).
 *
 * Each lab namespace carries its lab in the alias of its loopback
 * (PSC_NETNS_TAG "<lab>"), so that destroying lab "a" leaves lab "a-b"'s
 * namespaces alone although both start with "psclab-a-".  Files pscLab
 * writes under /etc/netns begin with the line PSC_NETNS_ETC_MARKER
 * "<lab>: ..."; psc_fabric_destroy removes those and only those. */
#ifndef PSCLAB_NETNS_H
#define PSCLAB_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

#define PSC_NETNS_RUN_DIR "/run/netns"
#define PSC_NETNS_ETC_DIR "/etc/netns"
#define PSC_NETNS_TAG "psclab:"                 /* lo's alias: psclab:<lab> */
#define PSC_NETNS_ETC_MARKER "# pscLab lab "    /* first line of our files */
/* entries read per listing of /run/netns or /etc/netns (every namespace of
 * the host counts): two labs at the caps, 1 MB of names */
#define PSC_NETNS_MAX_LIST (2 * PSC_PLAN_MAX_NS)

/* Create the named namespace; an existing one is an error naming it
 * (errno EEXIST).  The name must start with "psclab-". */
int psc_netns_create(const char *name, char *err, size_t errlen);
/* Unmount (MNT_DETACH) and unlink /run/netns/<name>; absent is fine.  The
 * namespace itself goes when its last process or socket goes. */
int psc_netns_delete(const char *name, char *err, size_t errlen);
bool psc_netns_exists(const char *name);
/* An O_RDONLY|O_CLOEXEC descriptor of /run/netns/<name>, or -1. */
int psc_netns_open(const char *name, char *err, size_t errlen);
/* Run fn(arg) with the calling thread inside namespace name, then return
 * the thread to the namespace it was in.  Returns fn's value, or -1 with
 * err when the namespace cannot be entered or left (err is left alone
 * when fn itself fails). */
int psc_netns_run(const char *name, int (*fn)(void *arg), void *arg,
		  char *err, size_t errlen);
/* The names in /run/netns that start with prefix, sorted.  More than max:
 * -1 with an error (the first max are returned). */
int psc_netns_list(const char *prefix, char (*names)[PSC_NETNS_NAME_LEN],
		   size_t max, size_t *n, char *err, size_t errlen);

/* Write /etc/netns/<ns>/<file> (creating the directories) as pscLab's:
 * the first line is PSC_NETNS_ETC_MARKER "<lab>: <comment>", then body. */
int psc_netns_etc_write(const char *lab, const char *ns, const char *file,
			const char *comment, const char *body, char *err,
			size_t errlen);

/* The kernel's counters of one interface (rtnetlink link statistics):
 * every packet and byte it carried, whatever rule let it through. */
typedef struct psc_link_stats {
	unsigned long long rx_packets, rx_bytes, tx_packets, tx_bytes;
} psc_link_stats;

/* The counters of interface ifname in namespace ns.  -1 with err naming
 * both (netlink's reason). */
int psc_netns_link_stats(const char *ns, const char *ifname,
			 psc_link_stats *out, char *err, size_t errlen);

/* Build every namespace, link, address and route of the plan; lo up
 * everywhere; ip_forward 1 and rp_filter 0 in forwarding namespaces (0
 * elsewhere: a VM does not route); /etc/netns/<vm ns>/resolv.conf pointing
 * at 169.254.169.254 for VMs.  On any failure everything done so far is
 * undone and -1 returned, with an error naming the object (namespace,
 * link, address, route) and strerror. */
int psc_fabric_build(const psc_plan *p, char *err, size_t errlen);
/* The plan's routes of namespace index nsi through ifname (NULL: all of
 * them) added again, replacing what is there: a link set down loses its
 * routes, and setting it up does not bring them back.  -1 with err. */
int psc_fabric_routes_restore(const psc_plan *p, int nsi, const char *ifname,
			      char *err, size_t errlen);
/* Remove every namespace psclab-<lab>-* of this lab and the files pscLab
 * wrote in /etc/netns/psclab-<lab>-* (then the directories, when empty).
 * Idempotent: nothing to remove is success.  Keeps going after an error
 * and reports the first one. */
int psc_fabric_destroy(const char *lab, char *err, size_t errlen);

#endif
