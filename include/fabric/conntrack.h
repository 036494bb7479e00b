/* conntrack.h - the connections the kernel tracks in a lab namespace, read
 * with libnetfilter_conntrack (a dump over netlink, inside the namespace),
 * summed per original destination: in the PSC namespace that is each path
 * a consumer took through its endpoint (172.16.0.10:9093 -> ...).  The
 * byte and packet counts need the namespace's nf_conntrack_acct, which the
 * fabric turns on in forwarding namespaces (psc_fabric_build).  And one
 * connection looked up by its original tuple, with its translations (what
 * `pscLab trace` reads to tell the NAT address and the backend chosen). */
#ifndef PSCLAB_CONNTRACK_H
#define PSCLAB_CONNTRACK_H

#include <stdbool.h>
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

/* One tracked TCP connection: its original tuple (as the first packet
 * came in) and its reply tuple (as the answers go out: after DNAT the
 * reply's source is the new destination, after SNAT the reply's
 * destination is the new source), and its conntrack mark.  Host order. */
typedef struct psc_ct_conn {
	uint32_t src, dst;              /* original */
	uint16_t sport, dport;
	uint32_t reply_src, reply_dst;  /* reply */
	uint16_t reply_sport, reply_dport;
	uint32_t mark;
} psc_ct_conn;

/* The TCP connection tracked in namespace ns whose original tuple is
 * src:sport -> dst:dport (a 0 field matches any): into *out, *found
 * true; *found false when there is none.  -1 with err naming the
 * namespace. */
int psc_conntrack_find(const char *ns, uint32_t src, uint16_t sport,
		       uint32_t dst, uint16_t dport, psc_ct_conn *out,
		       bool *found, char *err, size_t errlen);

/* Forget every connection tracked in namespace ns (IPv4): what a fault
 * that changes the PSC rules does, so that established connections meet
 * the new rules as GCP's do.  -1 with err naming the namespace. */
int psc_conntrack_flush(const char *ns, char *err, size_t errlen);

#endif
