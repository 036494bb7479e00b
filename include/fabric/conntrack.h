/* conntrack.h - the connections the kernel tracks in a lab namespace, read
 * with libnetfilter_conntrack (a dump over netlink, inside the namespace),
 * summed per original destination: in the PSC namespace that is each path
 * a consumer took through its endpoint (172.16.0.10:9093 -> ...).  The
 * byte and packet counts need the namespace's nf_conntrack_acct, which the
 * fabric turns on in forwarding namespaces (psc_fabric_build). */
#ifndef PSCLAB_CONNTRACK_H
#define PSCLAB_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct psc_ct_path {
	uint32_t dst;                   /* original destination, host order */
	uint16_t dport;
	unsigned long conns;            /* TCP connections tracked now */
	unsigned long long packets;     /* both directions */
	unsigned long long bytes;
} psc_ct_path;

/* The TCP connections tracked in namespace ns, one entry per original
 * destination address and port, at most max (sorted by destination) into
 * out, *n of them.  -1 with err naming the namespace. */
int psc_conntrack_paths(const char *ns, psc_ct_path *out, size_t max,
			size_t *n, char *err, size_t errlen);

#endif
