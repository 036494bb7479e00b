/* addr.c - IPv4 address plans (see addr.h). */
#include "model/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t mask_of(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

int psc_ip_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	struct in_addr a;
	if (!s || !*s) {
		snprintf(err, errlen, "empty address");
		return -1;
	}
	if (inet_pton(AF_INET, s, &a) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", s);
		return -1;
	}
	*out = ntohl(a.s_addr);
	return 0;
}

int psc_cidr_parse(const char *s, psc_cidr *out, char *err, size_t errlen)
{
	char host[32];
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash) {
		snprintf(err, errlen, "'%s' is not a CIDR range (want a.b.c.d/len)",
			 s ? s : "");
		return -1;
	}
	size_t hl = (size_t)(slash - s);
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "'%s' is not a CIDR range (want a.b.c.d/len)",
			 s);
		return -1;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	const char *lp = slash + 1;
	if (*lp < '0' || *lp > '9' || strlen(lp) > 2 ||
	    (lp[1] && (lp[1] < '0' || lp[1] > '9'))) {
		snprintf(err, errlen,
			 "'%s': prefix length must be a number 0..32", s);
		return -1;
	}
	long len = strtol(lp, NULL, 10);
	if (len > 32) {
		snprintf(err, errlen,
			 "'%s': prefix length %ld is out of range 0..32", s,
			 len);
		return -1;
	}
	uint32_t ip;
	struct in_addr a;
	if (inet_pton(AF_INET, host, &a) != 1) {
		snprintf(err, errlen, "'%s': '%s' is not an IPv4 address", s,
			 host);
		return -1;
	}
	ip = ntohl(a.s_addr);
	if (ip & ~mask_of((uint8_t)len)) {
		char fix[32];
		psc_cidr c = {ip & mask_of((uint8_t)len), (uint8_t)len};
		psc_cidr_str(&c, fix, sizeof(fix));
		snprintf(err, errlen, "'%s' has host bits set (the range is %s)",
			 s, fix);
		return -1;
	}
	out->net = ip;
	out->len = (uint8_t)len;
	return 0;
}

char *psc_ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
	return buf;
}

char *psc_cidr_str(const psc_cidr *c, char *buf, size_t len)
{
	char ip[16];
	snprintf(buf, len, "%s/%u", psc_ip_str(c->net, ip, sizeof(ip)),
		 c->len);
	return buf;
}

uint64_t psc_cidr_size(const psc_cidr *c)
{
	return (uint64_t)1 << (32 - c->len);
}

uint32_t psc_cidr_last(const psc_cidr *c)
{
	return c->net | ~mask_of(c->len);
}

bool psc_cidr_contains(const psc_cidr *c, uint32_t ip)
{
	return (ip & mask_of(c->len)) == c->net;
}

bool psc_cidr_overlaps(const psc_cidr *a, const psc_cidr *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;
	return (a->net & mask_of(len)) == (b->net & mask_of(len));
}

bool psc_cidr_within(const psc_cidr *a, const psc_cidr *b)
{
	return a->len >= b->len && psc_cidr_contains(b, a->net);
}

uint32_t psc_subnet_gateway(const psc_cidr *c)
{
	return c->net + 1;
}

bool psc_subnet_reserved(const psc_cidr *c, uint32_t ip)
{
	uint32_t last = psc_cidr_last(c);
	return ip == c->net || ip == c->net + 1 || ip == last ||
	       ip == last - 1;
}

uint64_t psc_subnet_usable(const psc_cidr *c)
{
	uint64_t n = psc_cidr_size(c);
	return n > 4 ? n - 4 : 0;
}

bool psc_port_valid(long p)
{
	return p >= 1 && p <= 65535;
}

int psc_hostport_parse(const char *s, char *host, size_t hostlen, int *port,
		       char *err, size_t errlen)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	if (!colon || colon == s) {
		snprintf(err, errlen, "'%s' is not host:port", s ? s : "");
		return -1;
	}
	size_t hl = (size_t)(colon - s);
	if (hl >= hostlen) {
		snprintf(err, errlen, "'%s': host is too long", s);
		return -1;
	}
	const char *p = colon + 1;
	if (!*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p)) {
		snprintf(err, errlen, "'%s': port must be a number 1..65535",
			 s);
		return -1;
	}
	long v = strtol(p, NULL, 10);
	if (!psc_port_valid(v)) {
		snprintf(err, errlen, "'%s': port %ld is out of range 1..65535",
			 s, v);
		return -1;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (int)v;
	return 0;
}
