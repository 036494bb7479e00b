/* conntrack.c - connections tracked in a namespace, per destination, with
 * libnetfilter_conntrack (see conntrack.h). */
#define _GNU_SOURCE
#include "fabric/conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fabric/netns.h"

struct ct_job {
	psc_ct_path *out;
	size_t max, n;
	char err[256];
};

static int on_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		 void *data)
{
	struct ct_job *j = data;
	(void)type;
	if (nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) != AF_INET ||
	    nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_TCP)
		return NFCT_CB_CONTINUE;
	uint32_t dst = ntohl(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST));
	uint16_t port = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	size_t i;
	for (i = 0; i < j->n; i++)
		if (j->out[i].dst == dst && j->out[i].dport == port)
			break;
	if (i == j->n) {
		if (j->n == j->max)
			return NFCT_CB_CONTINUE;
		memset(&j->out[j->n], 0, sizeof(j->out[0]));
		j->out[j->n].dst = dst;
		j->out[j->n].dport = port;
		j->n++;
	}
	psc_ct_path *p = &j->out[i];
	p->conns++;
	if (nfct_attr_is_set(ct, ATTR_ORIG_COUNTER_PACKETS) > 0) {
		p->packets += nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS) +
			      nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
		p->bytes += nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES) +
			    nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	}
	return NFCT_CB_CONTINUE;
}

static int dump_here(void *arg)
{
	struct ct_job *j = arg;
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(j->err, sizeof(j->err), "nfct_open: %s",
			 strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, on_ct, j);
	uint32_t family = AF_INET;
	int rc = nfct_query(h, NFCT_Q_DUMP, &family);
	if (rc < 0)
		snprintf(j->err, sizeof(j->err), "conntrack dump: %s",
			 strerror(errno));
	nfct_close(h);
	return rc < 0 ? -1 : 0;
}

static int by_dst(const void *a, const void *b)
{
	const psc_ct_path *x = a, *y = b;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return (int)x->dport - (int)y->dport;
}

int psc_conntrack_paths(const char *ns, psc_ct_path *out, size_t max,
			size_t *n, char *err, size_t errlen)
{
	struct ct_job j = {.out = out, .max = max};
	*n = 0;
	if (psc_netns_run(ns, dump_here, &j, err, errlen) != 0) {
		if (j.err[0])
			snprintf(err, errlen, "%s: %s", ns, j.err);
		return -1;
	}
	qsort(out, j.n, sizeof(*out), by_dst);
	*n = j.n;
	return 0;
}
