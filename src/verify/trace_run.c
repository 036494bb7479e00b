/* trace_run.c - psc_trace_run (see trace_run.h): the counters before, the
 * child in the node (ldns, one TCP connection, librdkafka), the counters
 * and conntrack after, the diagnosis (trace.c).  The child observes, the
 * parent diagnoses, as verify does (children.c). */
#define _GNU_SOURCE
#include "verify/trace_run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/net.h"
#include "base/util.h"
#include "model/addr.h"
#include "runtime/state.h"
#include "runtime/store.h"
#include "verify/admin.h"
#include "verify/children.h"
#include "verify/job.h"
#include "verify/metadata.h"
#include "verify/rdkafka_client.h"
#include "verify/reach.h"

#define DNS_TRIES 2
#define DNS_TRY_S 1

/* ---- the child: DNS ---- */

/* the owner of the first SOA in pkt's answer or authority, into zone */
static void soa_owner(const ldns_pkt *pkt, char *zone, size_t len)
{
	ldns_pkt_section secs[] = {LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY};
	for (size_t s = 0; s < 2 && !zone[0]; s++) {
		ldns_rr_list *l = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
							   secs[s]);
		if (l && ldns_rr_list_rr_count(l) > 0) {
			char *o = ldns_rdf2str(ldns_rr_owner(
				ldns_rr_list_rr(l, 0)));
			psc_setf(zone, len, "%s", o ? o : "");
			free(o);
		}
		ldns_rr_list_deep_free(l);
	}
}

/* one query of host's type t: the packet, or NULL with o->dns_error */
static ldns_pkt *dns_query(ldns_resolver *res, const char *host,
			   ldns_rr_type t, psc_trace_obs *o)
{
	ldns_rdf *name = ldns_dname_new_frm_str(host);
	ldns_pkt *pkt = NULL;
	if (!name) {
		PSC_SET(o->dns_error, "'%s' is no DNS name", host);
		return NULL;
	}
	ldns_status s = ldns_resolver_query_status(&pkt, res, name, t,
						   LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_rdf_deep_free(name);
	if (s != LDNS_STATUS_OK || !pkt) {
		PSC_SET(o->dns_error, "query %s: %s", host,
			ldns_get_errorstr_by_id(s));
		ldns_pkt_free(pkt);
		return NULL;
	}
	return pkt;
}

/* the node's resolver asked for host: rcode, authority, addresses, zone */
static void dns_look(psc_trace_obs *o)
{
	ldns_resolver *res = NULL;
	if (ldns_resolver_new_frm_file(&res, NULL) != LDNS_STATUS_OK) {
		PSC_SET(o->dns_error, "cannot read the node's /etc/resolv.conf");
		return;
	}
	ldns_resolver_set_retry(res, DNS_TRIES);
	ldns_resolver_set_timeout(res, (struct timeval){.tv_sec = DNS_TRY_S});
	if (ldns_resolver_nameserver_count(res) > 0) {
		char *ns = ldns_rdf2str(ldns_resolver_nameservers(res)[0]);
		PSC_SET(o->resolver, "%s", ns ? ns : "");
		free(ns);
	}
	ldns_pkt *pkt = dns_query(res, o->host, LDNS_RR_TYPE_A, o);
	if (pkt) {
		o->rcode = ldns_pkt_get_rcode(pkt);
		o->aa = ldns_pkt_aa(pkt);
		ldns_rr_list *a = ldns_pkt_rr_list_by_type(
			pkt, LDNS_RR_TYPE_A, LDNS_SECTION_ANSWER);
		o->n_addrs = a ? ldns_rr_list_rr_count(a) : 0;
		ldns_rr_list_deep_free(a);
		soa_owner(pkt, o->zone, sizeof(o->zone));
		ldns_pkt_free(pkt);
	}
	if (pkt && !o->zone[0] && o->n_addrs > 0) {
		/* a positive answer names no zone: its SOA does */
		ldns_pkt *soa = dns_query(res, o->host, LDNS_RR_TYPE_SOA, o);
		if (soa)
			soa_owner(soa, o->zone, sizeof(o->zone));
		ldns_pkt_free(soa);
	}
	ldns_resolver_deep_free(res);
}

/* ---- the child: the connection and the Kafka exchange ---- */

/* one TCP connection to o->addr:port within ms: its source noted; the
 * socket (open), or -1 */
static int connect_once(psc_trace_obs *o, long ms)
{
	struct in_addr in;
	if (inet_pton(AF_INET, o->addr, &in) != 1)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (fd < 0) {
		o->connect_errno = errno;
		return -1;
	}
	/* a source port of its own now: a failed connect would give it back
	 * before getsockname could tell it */
	struct sockaddr_in any = {.sin_family = AF_INET};
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		o->connect_errno = errno;
		close(fd);
		return -1;
	}
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		o->local_port = ntohs(sa.sin_port);
	long long t0 = psc_now_ms();
	o->connect_errno = psc_tcp_connect_fd(fd, ntohl(in.s_addr), o->port,
					      ms);
	o->connect_ms = (long)(psc_now_ms() - t0);
	o->connected = o->connect_errno == 0;
	sl = sizeof(sa);
	if (o->connected && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		inet_ntop(AF_INET, &sa.sin_addr, o->local, sizeof(o->local));
	return fd;
}

/* the broker of md that advertises the address dialed (host:port; by port
 * alone when host is an address), -1 none */
static long advertiser(const psc_trace_obs *o, const psc_verify_mdb *b,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].port == o->port &&
		    (o->is_addr || strcasecmp(b[i].host, o->host) == 0))
			return b[i].id;
	return -1;
}

static void kafka_ask(const psc_verify_ctx *c, psc_trace_obs *o, long ms)
{
	char bs[PSC_ADDR_LEN + 8];
	psc_verify_mdb b[PSC_VERIFY_MD_MAX];
	size_t nb = 0;
	long long deadline = psc_now_ms() + ms;
	o->kafka_tried = true;
	snprintf(bs, sizeof(bs), "%s:%d", o->host, o->port);
	psc_verify_log_reset();
	rd_kafka_t *rk = psc_verify_client(RD_KAFKA_PRODUCER, bs, ms, NULL,
					   o->kafka_error,
					   sizeof(o->kafka_error));
	if (!rk)
		return;
	rd_kafka_resp_err_t e = psc_verify_metadata(c, rk, deadline, b, &nb);
	if (e) {
		char what[256];
		snprintf(what, sizeof(what), "ApiVersions + Metadata: %s",
			 rd_kafka_err2str(e));
		psc_verify_client_error(o->kafka_error, sizeof(o->kafka_error),
					what);
		rd_kafka_destroy(rk);
		return;
	}
	o->kafka_ok = true;
	o->controller = rd_kafka_controllerid(rk, 0);
	psc_verify_md_list(b, nb, o->brokers, sizeof(o->brokers));
	long id = advertiser(o, b, nb);
	psc_verify_obs vo;
	psc_verify_obs_init(&vo, "", "");
	if (id < 0) {
		PSC_SET(o->kafka_error, "no broker of the Metadata advertises "
			"%s, so which node answered cannot be asked", bs);
	} else {
		psc_verify_symptom s = psc_verify_identify(
			rk, id, psc_now_ms() + ms, &vo);
		o->node_id = s == PSC_SYM_OK ? id
			     : s == PSC_SYM_WRONG_BROKER ? vo.reached : -1;
		if (o->node_id < 0)
			PSC_SET(o->kafka_error, "DescribeConfigs(BROKER %ld): "
				"%s", id, vo.error);
	}
	rd_kafka_destroy(rk);
}

/* the child's job: psc_verify_job first, so that children.c's run gets
 * it back */
struct trace_job {
	psc_verify_job j;
	bool no_kafka;
};

static void trace_child(const psc_verify_job *j)
{
	const struct trace_job *tj = (const struct trace_job *)j;
	static psc_trace_obs o;
	static char line[8192];
	struct in_addr in;
	psc_trace_obs_init(&o, j->host, j->ports[0]);
	o.is_addr = inet_pton(AF_INET, j->host, &in) == 1;
	if (o.is_addr) {
		PSC_SET(o.addr, "%s", j->host);
	} else {
		dns_look(&o);
		char e[256];
		/* the address as the changefeed's resolver gives it */
		if (psc_verify_resolve(j->host, o.addr, sizeof(o.addr), e,
				       sizeof(e)) < 0 && !o.dns_error[0])
			PSC_SET(o.dns_error, "%s", e);
	}
	int fd = o.addr[0] ? connect_once(&o, j->timeout_ms) : -1;
	if (o.connected && !tj->no_kafka)
		kafka_ask(j->c, &o, j->timeout_ms);
	if (fd >= 0)
		close(fd);
	if (psc_trace_obs_json(&o, line, sizeof(line)) == 0)
		psc_verify_write_line(j, line);
}

/* ---- the parent ---- */

static void counters_read(const psc_plan *p, psc_trace_counter *out,
			  size_t *n, bool *ok)
{
	static psc_nft_counter c[PSC_TRACE_MAX_COUNTERS];
	char err[512];
	*n = 0;
	for (size_t s = 0; s < p->n_ns; s++) {
		size_t got = 0;
		if (p->ns[s].kind != PSC_NS_ROUTER && p->ns[s].kind != PSC_NS_PSC)
			continue;
		if (psc_nft_counters(p->ns[s].name, c,
				     PSC_TRACE_MAX_COUNTERS - *n, &got, err,
				     sizeof(err)) < 0) {
			*ok = false;
			continue;
		}
		for (size_t i = 0; i < got; i++)
			out[(*n)++] = (psc_trace_counter){.ns = (int)s,
							  .c = c[i]};
	}
}

static uint32_t ip_of(const char *s)
{
	struct in_addr in;
	return inet_pton(AF_INET, s, &in) == 1 ? ntohl(in.s_addr) : 0;
}

/* the connection's entries: the PSC namespace (when it went to an
 * endpoint), then the router of the load balancer it went to */
static void conntrack_read(const psc_plan *p, const char *from,
			   const psc_trace_obs *o, psc_trace_live *l)
{
	char err[512];
	const psc_plan_vm *vm = psc_plan_vm_by_name(p, from);
	/* the source address when the connection failed: the VM's own */
	uint32_t dst = ip_of(o->addr),
		 src = o->local[0] ? ip_of(o->local) : vm ? vm->ip : 0;
	uint16_t sport = (uint16_t)o->local_port, dport = (uint16_t)o->port;
	int router = -1;
	uint32_t vip = dst;
	if (!dst || !src || !sport)
		return;
	for (size_t i = 0; i < p->n_eps; i++)
		if (p->eps[i].ip == dst && p->psc_ns >= 0) {
			router = p->eps[i].producer_router_ns;
			vip = p->eps[i].vip;
			psc_conntrack_find(p->ns[p->psc_ns].name, src, sport, dst,
					   dport, &l->psc, &l->psc_found, err,
					   sizeof(err));
			if (!l->psc_found)
				return;
			src = l->psc.reply_dst;
			sport = l->psc.reply_dport;
		}
	for (size_t i = 0; router < 0 && i < p->n_lbs; i++)
		if (p->lbs[i].vip == dst)
			router = p->lbs[i].router_ns;
	if (router >= 0)
		psc_conntrack_find(p->ns[router].name, src, sport, vip, dport,
				   &l->lb, &l->lb_found, err, sizeof(err));
}

struct line_job {
	psc_trace_obs *o;
	bool got;
};

static void on_line(const char *line, void *arg)
{
	struct line_job *lj = arg;
	char e[256];
	if (!lj->got && psc_trace_obs_parse(line, lj->o, e, sizeof(e)) == 0)
		lj->got = true;
}

/* the child in node ns: its line into o.  0, or -1 with err */
static int observe(const psc_verify_ctx *c, const char *node, const char *ns,
		   const char *host, int port, const psc_trace_opts *opt,
		   psc_trace_obs *o, char *err, size_t errlen)
{
	struct trace_job tj = {.no_kafka = opt->no_kafka};
	long ms = opt->timeout_ms > 0 ? opt->timeout_ms
				      : PSC_TRACE_TIMEOUT_DEFAULT_MS;
	tj.j.c = c;
	tj.j.timeout_ms = ms;
	tj.j.ports[0] = port;
	tj.j.n_ports = 1;
	PSC_SET(tj.j.host, "%s", host);
	psc_verify_kid kid;
	/* two DNS queries, the connection, Kafka (Metadata, then the
	 * DescribeConfigs) */
	psc_verify_kid_init(&kid, node, 2L * DNS_TRIES * DNS_TRY_S * 1000 +
					       3 * ms + 5000);
	if (psc_verify_kid_start(&kid, &tj.j, ns, trace_child, NULL, err,
				 errlen) < 0)
		return -1;
	psc_verify_kids_wait(&kid, 1);
	struct line_job lj = {.o = o};
	psc_verify_kid_each_line(&kid, on_line, &lj);
	int rc = 0;
	if (!lj.got || !kid.ended) {
		psc_setf(err, errlen, "the trace in node %s did not finish%s",
			 node, kid.killed ? " within its budget" : "");
		rc = -1;
	}
	psc_verify_kid_free(&kid);
	return rc;
}

/* the lab's context for librdkafka's Metadata wait (its brokers, alive as
 * the journal says) */
static void context(const char *lab, const psc_topology *t,
		    const psc_plan *p, psc_verify_ctx *c)
{
	psc_state st;
	char err[512];
	memset(&st, 0, sizeof(st));
	bool have = psc_state_read(lab, &st, err, sizeof(err)) == 0;
	if (psc_verify_ctx_build(t, p, have ? &st : NULL, c, err,
				 sizeof(err)) < 0)
		memset(c, 0, sizeof(*c));
	psc_state_free(&st);
}

struct run {
	psc_topology *t;
	psc_plan *p;
	psc_verify_ctx *c;
	psc_trace_live *l;
	psc_trace_obs o;
};

static int run_in(const char *lab, const char *host, int port,
		  const char *from, const psc_trace_opts *opt, struct run *w,
		  psc_trace_result *r, char *err, size_t errlen)
{
	long long t0 = psc_now_ms();
	int rc = psc_lab_load(lab, &w->t, w->p, err, errlen);
	if (rc < 0)
		return rc;
	const psc_plan_vm *vm = psc_plan_vm_by_name(w->p, from);
	if (!vm) {
		psc_setf(err, errlen, "lab '%s' has no VM named '%s'; its VMs:",
			 lab, from);
		for (size_t i = 0; i < w->p->n_vms; i++)
			psc_appendf(err, errlen, " %s", w->p->vms[i].in->name);
		return PSC_LAB_NO_NODE;
	}
	context(lab, w->t, w->p, w->c);
	w->l->counters_ok = true;
	counters_read(w->p, w->l->before, &w->l->n_before, &w->l->counters_ok);
	if (observe(w->c, from, w->p->ns[vm->ns].name, host, port, opt, &w->o,
		    err, errlen) < 0)
		return -1;
	counters_read(w->p, w->l->after, &w->l->n_after, &w->l->counters_ok);
	conntrack_read(w->p, from, &w->o, w->l);
	psc_trace_diagnose(w->p, from, &w->o, w->l, r);
	r->ms = (long)(psc_now_ms() - t0);
	return 0;
}

int psc_trace_run(const char *lab, const char *target,
		  const psc_trace_opts *o, psc_trace_result *r, char *err,
		  size_t errlen)
{
	static const psc_trace_opts dflt;
	char host[PSC_HOST_LEN];
	int port = 0;
	memset(r, 0, sizeof(*r));
	r->stopped = -1;
	if (!o)
		o = &dflt;
	if (psc_hostport_parse(target, host, sizeof(host), &port, err,
			       errlen) < 0)
		return -1;
	struct run w = {.p = calloc(1, sizeof(psc_plan)),
			.c = calloc(1, sizeof(psc_verify_ctx)),
			.l = calloc(1, sizeof(psc_trace_live))};
	int rc = -1;
	if (!w.p || !w.c || !w.l)
		psc_setf(err, errlen, "out of memory");
	else
		rc = run_in(lab, host, port, o->from ? o->from : "changefeed",
			    o, &w, r, err, errlen);
	psc_topology_free(w.t);
	free(w.p);
	free(w.c);
	free(w.l);
	return rc;
}
