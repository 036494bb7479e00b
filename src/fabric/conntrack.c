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

static int dump_with(int (*cb)(enum nf_conntrack_msg_type,
			       struct nf_conntrack *, void *),
		     void *data, char *err, size_t errlen)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(err, errlen, "nfct_open: %s", strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, cb, data);
	uint32_t family = AF_INET;
	int rc = nfct_query(h, NFCT_Q_DUMP, &family);
	if (rc < 0)
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
	nfct_close(h);
	return rc < 0 ? -1 : 0;
}

static int dump_here(void *arg)
{
	struct ct_job *j = arg;
	return dump_with(on_ct, j, j->err, sizeof(j->err));
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

struct find_job {
	psc_ct_conn want;               /* 0 fields: any */
	psc_ct_conn *out;
	bool found;
	char err[256];
};

static bool field_ok(uint32_t want, uint32_t have)
{
	return want == 0 || want == have;
}

static int on_find(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		   void *data)
{
	struct find_job *j = data;
	(void)type;
	if (j->found || nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) != AF_INET ||
	    nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_TCP)
		return NFCT_CB_CONTINUE;
	psc_ct_conn c = {
		.src = ntohl(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC)),
		.dst = ntohl(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST)),
		.sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC)),
		.dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST)),
		.reply_src = ntohl(nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC)),
		.reply_dst = ntohl(nfct_get_attr_u32(ct, ATTR_REPL_IPV4_DST)),
		.reply_sport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC)),
		.reply_dport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST)),
		.mark = nfct_attr_is_set(ct, ATTR_MARK) > 0
				? nfct_get_attr_u32(ct, ATTR_MARK) : 0,
	};
	if (field_ok(j->want.src, c.src) && field_ok(j->want.dst, c.dst) &&
	    field_ok(j->want.sport, c.sport) &&
	    field_ok(j->want.dport, c.dport)) {
		*j->out = c;
		j->found = true;
	}
	return NFCT_CB_CONTINUE;
}

static int find_here(void *arg)
{
	struct find_job *j = arg;
	return dump_with(on_find, j, j->err, sizeof(j->err));
}

int psc_conntrack_find(const char *ns, uint32_t src, uint16_t sport,
		       uint32_t dst, uint16_t dport, psc_ct_conn *out,
		       bool *found, char *err, size_t errlen)
{
	struct find_job j = {.want = {.src = src, .dst = dst, .sport = sport,
				      .dport = dport},
			     .out = out};
	*found = false;
	if (psc_netns_run(ns, find_here, &j, err, errlen) != 0) {
		if (j.err[0])
			snprintf(err, errlen, "%s: %s", ns, j.err);
		return -1;
	}
	*found = j.found;
	return 0;
}

/* ---- flush ---- */

struct flush_job {
	char err[256];
};

static int flush_here(void *arg)
{
	struct flush_job *j = arg;
	uint32_t family = AF_INET;
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	if (!h) {
		snprintf(j->err, sizeof(j->err), "nfct_open: %s",
			 strerror(errno));
		return -1;
	}
	int rc = nfct_query(h, NFCT_Q_FLUSH, &family);
	if (rc < 0)
		snprintf(j->err, sizeof(j->err), "flush: %s", strerror(errno));
	nfct_close(h);
	return rc < 0 ? -1 : 0;
}

int psc_conntrack_flush(const char *ns, char *err, size_t errlen)
{
	struct flush_job j = {""};
	char e2[256] = "";
	if (psc_netns_run(ns, flush_here, &j, e2, sizeof(e2)) == 0)
		return 0;
	snprintf(err, errlen, "conntrack of %s: %s", ns, j.err[0] ? j.err : e2);
	return -1;
}
