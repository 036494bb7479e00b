/* reach.h - from inside a node (its network namespace and its resolver,
 * the /etc/netns resolv.conf): does a host resolve, to the address it
 * should, and does it accept a TCP connection in time? */
#ifndef PSCLAB_VERIFY_REACH_H
#define PSCLAB_VERIFY_REACH_H

#include <stddef.h>

#include "verify/verify.h"

/* host -> its first IPv4 address through the node's resolver.  0, or -1
 * with err ("getaddrinfo(<host>): ..."). */
int psc_verify_resolve(const char *host, char *addr, size_t len, char *err,
		       size_t errlen);

/* host:port into o (o->host, o->port), resolved unless it is an address
 * (o->addr), then connected to until deadline.  OK; UNRESOLVED;
 * RESOLVED_ELSEWHERE when want_addr (NULL: any) is not what it resolved
 * to; REFUSED or TIMEOUT; INTERNAL for an address that is no IPv4.  The
 * failure's text goes to o->error. */
psc_verify_symptom psc_verify_reach(psc_verify_obs *o, const char *host,
				    int port, const char *want_addr,
				    long long deadline);

#endif
