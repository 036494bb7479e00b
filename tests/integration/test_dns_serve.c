/* Integration tests: the DNS stub's server (psc_dns_serve) on 127.0.0.1 and
 * a random high port, in a thread of this process; queried over UDP and
 * TCP with ldns's resolver and with plain sockets; fed garbage, an
 * oversized TCP frame, half-open and idle connections; stopped within 1 s.
 * Loopback only: nothing leaves the host's lo, every wait is bounded. */
#define _POSIX_C_SOURCE 200809L
#include "psc_test.h"
#include "model/topology_load.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "model/addr.h"
#include "services/dns.h"
#include "plan/plan.h"
#include "base/util.h"

#define ZONE "abc.us-west1.gcp.3199745.tidbcloud.com."
#define LOOPBACK 0x7f000001u
#define EP_IP "172.16.0.10"

static struct server {
	psc_dns_config cfg;
	uint16_t port;
	pthread_t th;
	volatile sig_atomic_t stop;
	atomic_int done;
	int rc;
	char err[256];
} srv;

static void *serve_thread(void *arg)
{
	(void)arg;
	srv.rc = psc_dns_serve(&srv.cfg, LOOPBACK, srv.port, &srv.stop, -1,
			       srv.err, sizeof(srv.err));
	atomic_store(&srv.done, 1);
	return NULL;
}

static struct sockaddr_in server_addr(void)
{
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(srv.port);
	a.sin_addr.s_addr = htonl(LOOPBACK);
	return a;
}

/* wait for fd to be readable (or writable) for at most ms */
static bool wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	long long end = psc_now_ms() + ms;
	for (;;) {
		int left = (int)(end - psc_now_ms());
		if (left < 0)
			return false;
		int r = poll(&p, 1, left);
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

static uint8_t *make_query(const char *name, ldns_rr_type type, int edns,
			   size_t *len)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	assert_non_null(q);
	ldns_pkt_set_id(q, 0x5151);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, (uint16_t)edns);
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return w;
}

/* one UDP exchange; returns the answer's length, -1 on timeout */
static long udp_exchange(const uint8_t *q, size_t qlen, uint8_t *resp,
			 size_t cap, int ms)
{
	struct sockaddr_in a = server_addr();
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, q, qlen, 0), (ssize_t)qlen);
	long n = -1;
	if (wait_fd(fd, POLLIN, ms))
		n = recv(fd, resp, cap, MSG_DONTWAIT);
	close(fd);
	return n;
}

static ldns_pkt *parse(const uint8_t *w, long n)
{
	ldns_pkt *r = NULL;
	assert_true(n >= 12);
	assert_int_equal(ldns_wire2pkt(&r, w, (size_t)n), LDNS_STATUS_OK);
	return r;
}

static void expect_a(const ldns_pkt *r, const char *ip)
{
	char buf[32];
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_rr *a = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(a), LDNS_RR_TYPE_A);
	const uint8_t *d = ldns_rdf_data(ldns_rr_rdf(a, 0));
	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
	assert_string_equal(buf, ip);
}

/* a UDP query for b1 answers: the server is alive.  UDP may lose a
 * datagram (a burst just filled the server's buffer): three tries, as a
 * stub resolver would. */
static void udp_alive(void)
{
	size_t len;
	uint8_t resp[2048];
	uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
	long n = -1;
	for (int i = 0; i < 3 && n <= 0; i++)
		n = udp_exchange(q, len, resp, sizeof(resp), 500);
	free(q);
	if (n < 0)
		fail_msg("the server does not answer over UDP");
	ldns_pkt *r = parse(resp, n);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
}

static int tcp_connect(void)
{
	struct sockaddr_in a = server_addr();
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (r < 0) {
		assert_int_equal(errno, EINPROGRESS);
		assert_true(wait_fd(fd, POLLOUT, 1000));
		int e = 0;
		socklen_t el = sizeof(e);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		assert_int_equal(e, 0);
	}
	fcntl(fd, F_SETFL, fl);
	return fd;
}

/* write all with a bound; returns false when the peer went away */
static bool send_all(int fd, const uint8_t *b, size_t n)
{
	size_t off = 0;
	long long end = psc_now_ms() + 2000;
	while (off < n && psc_now_ms() < end) {
		if (!wait_fd(fd, POLLOUT, 500))
			continue;
		ssize_t w = send(fd, b + off, n - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return false;
		}
		off += (size_t)w;
	}
	return off == n;
}

/* read exactly n within ms; returns n, 0 on EOF, -1 on timeout/error */
static long recv_all(int fd, uint8_t *b, size_t n, int ms)
{
	size_t off = 0;
	long long end = psc_now_ms() + ms;
	while (off < n) {
		int left = (int)(end - psc_now_ms());
		if (left <= 0 || !wait_fd(fd, POLLIN, left))
			return -1;
		ssize_t r = recv(fd, b + off, n - off, MSG_DONTWAIT);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return errno == ECONNRESET ? 0 : -1;
		}
		off += (size_t)r;
	}
	return (long)n;
}

static bool tcp_send_query(int fd, const uint8_t *q, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	return send_all(fd, hdr, 2) && send_all(fd, q, len);
}

/* one framed answer; returns its length, 0 on EOF, -1 on timeout */
static long tcp_read_answer(int fd, uint8_t *resp, size_t cap, int ms)
{
	uint8_t hdr[2];
	long r = recv_all(fd, hdr, 2, ms);
	if (r <= 0)
		return r;
	size_t n = (size_t)(hdr[0] << 8 | hdr[1]);
	assert_true(n <= cap);
	r = recv_all(fd, resp, n, ms);
	return r <= 0 ? -1 : r;
}

/* the server closed fd (EOF or reset) within ms */
static bool closed_within(int fd, int ms)
{
	uint8_t b[512];
	long long end = psc_now_ms() + ms;
	while (psc_now_ms() < end) {
		if (!wait_fd(fd, POLLIN, (int)(end - psc_now_ms())))
			return false;
		ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return true;
	}
	return false;
}

static void tcp_alive(void)
{
	size_t len;
	uint8_t resp[2048];
	int fd = tcp_connect();
	uint8_t *q = make_query("b2." ZONE, LDNS_RR_TYPE_A, 0, &len);
	assert_true(tcp_send_query(fd, q, len));
	long n = tcp_read_answer(fd, resp, sizeof(resp), 1000);
	free(q);
	close(fd);
	if (n <= 0)
		fail_msg("the server does not answer over TCP");
	ldns_pkt *r = parse(resp, n);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
}

/* ---- set-up: the portmap lab's tidbcloud-vpc configuration ----------- */

static int start(void **state)
{
	(void)state;
	static psc_plan plan;
	psc_diags d;
	bool unreadable;
	char err[256];

	psc_test_chdir();
	psc_diags_init(&d, "topologies/portmap.yaml");
	psc_topology *t = psc_topology_load_file("topologies/portmap.yaml",
						 &d, &unreadable);
	psc_diags_free(&d);
	if (!t || psc_plan_build(t, &plan, err, sizeof(err)) != 0)
		return -1;
	size_t net = 0;
	while (net < t->n_networks &&
	       strcmp(t->networks[net].name, "tidbcloud-vpc") != 0)
		net++;
	int rc = psc_dns_config_from_plan(&plan, net, &srv.cfg, err,
					  sizeof(err));
	psc_topology_free(t);
	if (rc != 0)
		return -1;

	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)(psc_now_ms() ^ getpid()));
	for (int attempt = 0; attempt < 20; attempt++) {
		srv.port = (uint16_t)(20000 + rand() % 40000);
		srv.stop = 0;
		atomic_store(&srv.done, 0);
		if (pthread_create(&srv.th, NULL, serve_thread, NULL) != 0)
			return -1;
		/* up when it answers; an exit means the port was taken */
		size_t len;
		uint8_t resp[512];
		uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
		long n = -1;
		long long end = psc_now_ms() + 2000;
		while (n <= 0 && !atomic_load(&srv.done) && psc_now_ms() < end) {
			n = udp_exchange(q, len, resp, sizeof(resp), 100);
			if (n <= 0)
				psc_sleep_ms(10);
		}
		free(q);
		if (n > 0)
			return 0;
		srv.stop = 1;
		pthread_join(srv.th, NULL);
		fprintf(stderr, "# port %u: %s\n", srv.port, srv.err);
	}
	return -1;
}

/* stop is seen within 1 s (PSC_DNS_POLL_MS really), even with clients
 * connected */
static int stop_server(void **state)
{
	(void)state;
	int fd = tcp_connect();         /* an idle client during the stop */
	long long t0 = psc_now_ms();
	srv.stop = 1;
	while (!atomic_load(&srv.done) && psc_now_ms() - t0 < 1000)
		psc_sleep_ms(5);
	long long took = psc_now_ms() - t0;
	bool done = atomic_load(&srv.done);
	if (done)
		pthread_join(srv.th, NULL);
	/* the server closed its connections on the way out */
	bool closed = closed_within(fd, 500);
	close(fd);
	fprintf(stderr, "# stopped in %lld ms\n", took);
	if (!done || took >= 1000 || srv.rc != 0 || !closed)
		return -1;
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void udp_queries(void **state)
{
	(void)state;
	uint8_t resp[2048];
	size_t len;
	long n;
	ldns_pkt *r;

	udp_alive();
	/* NODATA for AAAA (glibc asks both) */
	uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_AAAA, 0, &len);
	n = udp_exchange(q, len, resp, sizeof(resp), 1000);
	free(q);
	r = parse(resp, n);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_nscount(r), 1);
	ldns_pkt_free(r);
	/* outside the zone */
	q = make_query("example.com.", LDNS_RR_TYPE_A, 1232, &len);
	n = udp_exchange(q, len, resp, sizeof(resp), 1000);
	free(q);
	r = parse(resp, n);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_edns(r));
	assert_int_equal(ldns_pkt_edns_udp_size(r), PSC_DNS_EDNS_SIZE);
	ldns_pkt_free(r);
	/* a response is never answered */
	q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
	q[2] |= 0x80;
	assert_int_equal(udp_exchange(q, len, resp, sizeof(resp), 200), -1);
	free(q);
}

/* ldns's own stub resolver, UDP then TCP (bounded: 1 s, one try) */
static void ldns_resolver_queries(void **state)
{
	(void)state;
	ldns_resolver *res = ldns_resolver_new();
	assert_non_null(res);
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
	assert_int_equal(ldns_resolver_push_nameserver(res, ns),
			 LDNS_STATUS_OK);
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, srv.port);
	ldns_resolver_set_timeout(res, (struct timeval){1, 0});
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 1);
	ldns_resolver_set_recursive(res, true);

	for (int vc = 0; vc < 2; vc++) {
		ldns_resolver_set_usevc(res, vc);
		ldns_rdf *name = ldns_dname_new_frm_str(
			"B3.Abc.Us-West1.GCP.3199745.tidbcloud.com.");
		ldns_pkt *r = NULL;
		ldns_status s = ldns_resolver_send(&r, res, name,
						   LDNS_RR_TYPE_A,
						   LDNS_RR_CLASS_IN, LDNS_RD);
		ldns_rdf_deep_free(name);
		if (s != LDNS_STATUS_OK || !r)
			fail_msg("ldns resolver (%s): %s", vc ? "tcp" : "udp",
				 ldns_get_errorstr_by_id(s));
		expect_a(r, EP_IP);
		ldns_pkt_free(r);
	}
	ldns_resolver_deep_free(res);
}

static void tcp_queries(void **state)
{
	(void)state;
	uint8_t resp[2048], buf[1024];
	size_t l1, l2;
	tcp_alive();
	/* two queries in one write (pipelined), answered in order */
	uint8_t *q1 = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &l1);
	uint8_t *q2 = make_query("x." ZONE, LDNS_RR_TYPE_AAAA, 4096, &l2);
	q2[1] = 0x52;
	size_t n = 0;
	buf[n++] = (uint8_t)(l1 >> 8);
	buf[n++] = (uint8_t)l1;
	memcpy(buf + n, q1, l1);
	n += l1;
	buf[n++] = (uint8_t)(l2 >> 8);
	buf[n++] = (uint8_t)l2;
	memcpy(buf + n, q2, l2);
	n += l2;
	free(q1);
	free(q2);
	int fd = tcp_connect();
	assert_true(send_all(fd, buf, n));
	long a = tcp_read_answer(fd, resp, sizeof(resp), 1000);
	ldns_pkt *r = parse(resp, a);
	assert_int_equal(ldns_pkt_id(r), 0x5151);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
	a = tcp_read_answer(fd, resp, sizeof(resp), 1000);
	r = parse(resp, a);
	assert_int_equal(ldns_pkt_id(r), 0x5152);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_true(ldns_pkt_edns(r));
	ldns_pkt_free(r);
	/* a query sent one byte at a time */
	q1 = make_query("b9." ZONE, LDNS_RR_TYPE_A, 0, &l1);
	uint8_t hdr[2] = {(uint8_t)(l1 >> 8), (uint8_t)l1};
	assert_true(send_all(fd, hdr, 1));
	psc_sleep_ms(20);
	assert_true(send_all(fd, hdr + 1, 1));
	for (size_t i = 0; i < l1; i++)
		assert_true(send_all(fd, q1 + i, 1));
	free(q1);
	a = tcp_read_answer(fd, resp, sizeof(resp), 1000);
	r = parse(resp, a);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
	close(fd);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void garbage_udp(void **state)
{
	(void)state;
	uint8_t g[700], resp[2048];
	uint32_t seed = 12345;
	struct sockaddr_in a = server_addr();
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	for (int i = 0; i < 400; i++) {
		size_t len = rnd(&seed) % 601;
		for (size_t k = 0; k < len; k++)
			g[k] = (uint8_t)rnd(&seed);
		if (i & 1 && len >= 12)
			g[2] &= 0x07;   /* a query's header */
		(void)send(fd, g, len, 0);
		/* drain what came back, without waiting */
		while (recv(fd, resp, sizeof(resp), MSG_DONTWAIT) > 0)
			;
	}
	close(fd);
	udp_alive();
	tcp_alive();
}

static void garbage_tcp(void **state)
{
	(void)state;
	uint8_t g[700], resp[65600];
	uint32_t seed = 777;
	for (int c = 0; c < 20; c++) {
		int fd = tcp_connect();
		for (int i = 0; i < 5; i++) {
			size_t len = 1 + rnd(&seed) % 600;
			for (size_t k = 0; k < len; k++)
				g[k] = (uint8_t)rnd(&seed);
			if (!tcp_send_query(fd, g, len))
				break;
			/* an answer (FORMERR, NOTIMP, ...), nothing (a
			 * dropped response) or EOF: never a hang */
			long n = tcp_read_answer(fd, resp, sizeof(resp), 100);
			if (n == 0)
				break;
			if (n > 0) {
				ldns_pkt *r = parse(resp, n);
				assert_true(ldns_pkt_qr(r));
				ldns_pkt_free(r);
			}
		}
		close(fd);
	}
	udp_alive();
	tcp_alive();
}

/* a 65535-byte frame: answered (FORMERR) and the connection still works */
static void oversized_frame(void **state)
{
	(void)state;
	uint8_t resp[2048];
	size_t big = PSC_DNS_TCP_MAX_MSG;
	uint8_t *f = calloc(1, 2 + big);
	assert_non_null(f);
	f[0] = (uint8_t)(big >> 8);
	f[1] = (uint8_t)big;
	f[2] = 0x77;                    /* id 0x7777, a query, QDCOUNT 1 */
	f[3] = 0x77;
	f[7] = 1;
	memset(f + 14, 0x3f, big - 12); /* labels of 63 bytes, forever */
	int fd = tcp_connect();
	assert_true(send_all(fd, f, 2 + big));
	free(f);
	long n = tcp_read_answer(fd, resp, sizeof(resp), 2000);
	ldns_pkt *r = parse(resp, n);
	assert_int_equal(ldns_pkt_id(r), 0x7777);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
	size_t len;
	uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
	assert_true(tcp_send_query(fd, q, len));
	free(q);
	n = tcp_read_answer(fd, resp, sizeof(resp), 1000);
	r = parse(resp, n);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
	close(fd);

	/* a frame announcing 65535 bytes that never come: the rest of the
	 * service goes on, and the server drops it after its idle time */
	fd = tcp_connect();
	uint8_t part[100] = {0xff, 0xff, 0x12, 0x34, 0x00, 0x00, 0x00, 0x01};
	assert_true(send_all(fd, part, sizeof(part)));
	long long t0 = psc_now_ms();
	udp_alive();
	tcp_alive();
	assert_true(psc_now_ms() - t0 < 1000);
	assert_true(closed_within(fd, PSC_DNS_TCP_IDLE_MS + 2000));
	assert_true(psc_now_ms() - t0 >= PSC_DNS_TCP_IDLE_MS - 500);
	close(fd);
	/* zero-length frame: closed at once */
	fd = tcp_connect();
	uint8_t zero[2] = {0, 0};
	assert_true(send_all(fd, zero, 2));
	assert_true(closed_within(fd, 1000));
	close(fd);
}

static void half_open(void **state)
{
	(void)state;
	/* connected, silent: others are served meanwhile */
	int idle = tcp_connect();
	/* half a length, then our side shut: the server closes */
	int half = tcp_connect();
	uint8_t one = 0;
	assert_true(send_all(half, &one, 1));
	shutdown(half, SHUT_WR);
	assert_true(closed_within(half, 1000));
	close(half);
	/* a full query, then shut: still answered, then closed */
	int q_then_shut = tcp_connect();
	size_t len;
	uint8_t resp[2048];
	uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
	assert_true(tcp_send_query(q_then_shut, q, len));
	free(q);
	shutdown(q_then_shut, SHUT_WR);
	long n = tcp_read_answer(q_then_shut, resp, sizeof(resp), 1000);
	ldns_pkt *r = parse(resp, n);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
	assert_true(closed_within(q_then_shut, 1000));
	close(q_then_shut);
	udp_alive();
	tcp_alive();
	close(idle);
}

/* 16 connections at most; the 17th is closed at once, UDP goes on, and
 * the slots come back when clients leave */
static void connection_limit(void **state)
{
	(void)state;
	int fds[PSC_DNS_TCP_MAX_CONNS];
	psc_sleep_ms(300);                  /* earlier tests' closes are seen */
	for (int i = 0; i < PSC_DNS_TCP_MAX_CONNS; i++)
		fds[i] = tcp_connect();
	psc_sleep_ms(200);                  /* accepted */
	int extra = tcp_connect();
	assert_true(closed_within(extra, 1000));
	close(extra);
	udp_alive();
	/* the held ones are still served */
	size_t len;
	uint8_t resp[2048];
	uint8_t *q = make_query("b1." ZONE, LDNS_RR_TYPE_A, 0, &len);
	assert_true(tcp_send_query(fds[3], q, len));
	free(q);
	long n = tcp_read_answer(fds[3], resp, sizeof(resp), 1000);
	ldns_pkt *r = parse(resp, n);
	expect_a(r, EP_IP);
	ldns_pkt_free(r);
	for (int i = 0; i < PSC_DNS_TCP_MAX_CONNS; i++)
		close(fds[i]);
	psc_sleep_ms(300);
	tcp_alive();
}

/* a second server on the same address fails cleanly */
static void port_taken(void **state)
{
	(void)state;
	volatile sig_atomic_t stop = 0;
	char err[256] = "";
	psc_dns_config *cfg = malloc(sizeof(*cfg));
	assert_non_null(cfg);
	*cfg = srv.cfg;
	long long t0 = psc_now_ms();
	assert_int_equal(psc_dns_serve(cfg, LOOPBACK, srv.port, &stop, -1, err,
				       sizeof(err)),
			 -1);
	assert_true(psc_now_ms() - t0 < 1000);
	assert_non_null(strstr(err, "127.0.0.1"));
	free(cfg);
	udp_alive();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp_queries),
		cmocka_unit_test(ldns_resolver_queries),
		cmocka_unit_test(tcp_queries),
		cmocka_unit_test(garbage_udp),
		cmocka_unit_test(garbage_tcp),
		cmocka_unit_test(oversized_frame),
		cmocka_unit_test(half_open),
		cmocka_unit_test(connection_limit),
		cmocka_unit_test(port_taken),
	};
	return cmocka_run_group_tests(tests, start, stop_server);
}
