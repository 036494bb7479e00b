/* net.c - one TCP connect with a deadline, a socket in a namespace (see
 * net.h). */
#define _GNU_SOURCE
#include "base/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"

int psc_tcp_connect_fd(int fd, uint32_t ip, int port, long ms)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(ip);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	long long end = psc_now_ms() + ms;
	struct pollfd pf = {.fd = fd, .events = POLLOUT};
	int r;
	do {
		long long left = end - psc_now_ms();
		r = poll(&pf, 1, left > 0 ? (int)left : 0);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return ETIMEDOUT;
	if (r < 0)
		return errno;
	int e = 0;
	socklen_t sl = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
		return errno;
	return e;
}

int psc_tcp_probe(uint32_t ip, int port, uint32_t src, long ms)
{
	AUTO_FD fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
	if (fd < 0)
		return errno;
	if (src) {
		struct sockaddr_in me;
		memset(&me, 0, sizeof(me));
		me.sin_family = AF_INET;
		me.sin_addr.s_addr = htonl(src);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
			return errno;
	}
	return psc_tcp_connect_fd(fd, ip, port, ms);
}

struct ns_sock {
	int nsfd;
	int fd;
	int err;
};

static void *ns_socket_thread(void *arg)
{
	struct ns_sock *s = arg;
	if (setns(s->nsfd, CLONE_NEWNET) != 0) {
		s->err = errno;
		return NULL;
	}
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		s->err = errno;
	return NULL;
}

int psc_tcp_socket_in(int nsfd, int *e)
{
	if (nsfd < 0) {
		int fd = socket(AF_INET,
				SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		*e = fd < 0 ? errno : 0;
		return fd;
	}
	struct ns_sock s = {nsfd, -1, 0};
	pthread_t th;
	int rc = pthread_create(&th, NULL, ns_socket_thread, &s);
	if (rc != 0) {
		*e = rc;
		return -1;
	}
	pthread_join(th, NULL);
	*e = s.err;
	return s.fd;
}
