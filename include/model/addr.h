/* addr.h - IPv4 address plans: CIDR parsing, containment, overlap, GCP's
 * reserved addresses and host:port strings.  Pure functions, no I/O. */
#ifndef PSCLAB_ADDR_H
#define PSCLAB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct psc_cidr {
	uint32_t net;  /* host byte order, host bits zero */
	uint8_t len;   /* prefix length 0..32 */
} psc_cidr;

/* "10.0.0.0/18" -> cidr.  Returns 0, or -1 with a reason in err.  Host bits
 * set ("10.0.0.1/18") is an error, as GCP refuses such a range. */
int psc_cidr_parse(const char *s, psc_cidr *out, char *err, size_t errlen);
/* "10.0.0.2" -> address (host order).  Returns 0 or -1 with a reason. */
int psc_ip_parse(const char *s, uint32_t *out, char *err, size_t errlen);
/* dotted quad into buf (at least 16 bytes); returns buf */
char *psc_ip_str(uint32_t ip, char *buf, size_t len);
char *psc_cidr_str(const psc_cidr *c, char *buf, size_t len);

uint64_t psc_cidr_size(const psc_cidr *c);
uint32_t psc_cidr_last(const psc_cidr *c);
bool psc_cidr_contains(const psc_cidr *c, uint32_t ip);
bool psc_cidr_overlaps(const psc_cidr *a, const psc_cidr *b);
/* a inside b */
bool psc_cidr_within(const psc_cidr *a, const psc_cidr *b);

/* GCP reserves four addresses in every subnet: network, gateway (.1),
 * second-to-last and broadcast. */
uint32_t psc_subnet_gateway(const psc_cidr *c);
bool psc_subnet_reserved(const psc_cidr *c, uint32_t ip);
/* usable addresses: size - 4 (0 for a /31 or /32) */
uint64_t psc_subnet_usable(const psc_cidr *c);

/* "host:port" -> host (copied) and port.  Returns 0 or -1 with a reason. */
int psc_hostport_parse(const char *s, char *host, size_t hostlen, int *port,
		       char *err, size_t errlen);
/* a port 1..65535 */
bool psc_port_valid(long p);

#endif
