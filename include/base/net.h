/* net.h - the one TCP connect with a deadline that every layer uses: the
 * DNS stub's readiness wait, the health checker's probes, Kafka's
 * readiness wait and verify's reachability check.  Sockets only: the
 * caller runs it in the namespace it wants (psc_netns_run) or hands it a
 * socket made there (psc_tcp_socket_in). */
#ifndef PSCLAB_NET_H
#define PSCLAB_NET_H

#include <stdint.h>

/* Connect the non-blocking TCP socket fd to ip:port (host order) within
 * ms milliseconds (EINTR resumed, the deadline kept).  Returns 0, or the
 * errno of the failure: ETIMEDOUT when nothing answered in time. */
int psc_tcp_connect_fd(int fd, uint32_t ip, int port, long ms);

/* A new TCP socket, bound to src first when src is not 0 (host order),
 * connected to ip:port within ms, then closed.  0 or the errno, as
 * psc_tcp_connect_fd. */
int psc_tcp_probe(uint32_t ip, int port, uint32_t src, long ms);

/* A new non-blocking TCP socket (close-on-exec) in the network namespace
 * of nsfd (-1: the caller's), made by a short-lived thread so that no
 * thread of the caller changes namespace; a socket keeps its namespace
 * for life.  The fd, or -1 with *e the errno (0 on success). */
int psc_tcp_socket_in(int nsfd, int *e);

#endif
