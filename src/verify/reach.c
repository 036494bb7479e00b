/* reach.c - resolve and connect from inside a node (see reach.h). */
#define _GNU_SOURCE
#include "verify/reach.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/net.h"
#include "base/util.h"
#include "verify/job.h"

static bool is_ip(const char *host)
{
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1;
}

int psc_verify_resolve(const char *host, char *addr, size_t len, char *err,
		       size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "getaddrinfo(%s): %s", host,
			 rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	const struct sockaddr_in *sa = (const struct sockaddr_in *)res->ai_addr;
	inet_ntop(AF_INET, &sa->sin_addr, addr, (socklen_t)len);
	freeaddrinfo(res);
	return 0;
}

/* TCP connect to addr:port within ms: OK, REFUSED or TIMEOUT */
static psc_verify_symptom tcp_probe(const char *addr, int port, long ms,
				    char *err, size_t errlen)
{
	struct in_addr in;
	if (inet_pton(AF_INET, addr, &in) != 1) {
		snprintf(err, errlen, "'%s' is no IPv4 address", addr);
		return PSC_SYM_INTERNAL;
	}
	int e = psc_tcp_probe(ntohl(in.s_addr), port, 0, ms);
	if (e == 0)
		return PSC_SYM_OK;
	if (e == ETIMEDOUT)
		snprintf(err, errlen, "connect %s:%d: no answer in %ld ms",
			 addr, port, ms);
	else
		snprintf(err, errlen, "connect %s:%d: %s", addr, port,
			 strerror(e));
	return e == ECONNREFUSED || e == ECONNRESET ? PSC_SYM_REFUSED
						    : PSC_SYM_TIMEOUT;
}

psc_verify_symptom psc_verify_reach(psc_verify_obs *o, const char *host,
				    int port, const char *want_addr,
				    long long deadline)
{
	PSC_SET(o->host, "%s", host);
	o->port = port;
	if (is_ip(host)) {
		PSC_SET(o->addr, "%s", host);
	} else if (psc_verify_resolve(host, o->addr, sizeof(o->addr), o->error,
				      sizeof(o->error)) < 0) {
		return PSC_SYM_UNRESOLVED;
	} else if (want_addr && strcmp(o->addr, want_addr) != 0) {
		return PSC_SYM_RESOLVED_ELSEWHERE;
	}
	return tcp_probe(o->addr, port, psc_verify_left(deadline), o->error,
			 sizeof(o->error));
}
