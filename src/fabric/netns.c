/* netns.c - named network namespaces and the lab fabric (see netns.h).
 *
 * Namespaces: as iproute2's `ip netns add`, but the unshare(CLONE_NEWNET)
 * happens in a short-lived thread, which bind-mounts its own
 * /proc/thread-self/ns/net onto /run/netns/<name>.  The fabric's thread
 * creates every namespace of the plan in turn and, while inside each one,
 * opens the netlink socket that will configure it, writes its sysctls and
 * brings its loopback up; everything after that (veths, addresses, routes)
 * goes through those sockets, so no thread ever enters the host's namespace
 * again and nothing is sent from the host's. */
#define _GNU_SOURCE
#include "fabric/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "model/addr.h"

#define ERRLEN 512
#define PATH_LEN 320            /* /etc/netns/<name>/<file>, names bounded */
#define THREAD_SELF_NET "/proc/thread-self/ns/net"
#define LOOPBACK_IFINDEX 1

/* ---- names and paths -------------------------------------------------- */

/* dir/name; false when it does not fit */
static bool path_join(char *buf, size_t len, const char *dir,
		      const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	return n > 0 && (size_t)n < len;
}

static void ns_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, PSC_NETNS_RUN_DIR "/%s", name);
}

/* /run/netns: a directory, and a shared mount point so that unmounting a
 * namespace there unmounts it in every mount namespace (iproute2's way:
 * bind it onto itself when it is not a mount point yet). */
static int rundir_prepare(char *err, size_t errlen)
{
	bool bound = false;

	if (mkdir(PSC_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", PSC_NETNS_RUN_DIR,
			 strerror(errno));
		return -1;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (mount("", PSC_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC,
			  NULL) == 0)
			return 0;
		if (errno != EINVAL || bound)
			break;
		if (mount(PSC_NETNS_RUN_DIR, PSC_NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL) < 0) {
			snprintf(err, errlen, "mount --bind %s %s: %s",
				 PSC_NETNS_RUN_DIR, PSC_NETNS_RUN_DIR,
				 strerror(errno));
			return -1;
		}
		bound = true;
	}
	snprintf(err, errlen, "mount --make-shared %s: %s", PSC_NETNS_RUN_DIR,
		 strerror(errno));
	return -1;
}

/* Called by a thread that may change namespace: the file, a new
 * namespace, the bind mount.  Leaves the thread inside the namespace. */
static int ns_create_here(const char *name, char *err, size_t errlen)
{
	char path[PATH_LEN];
	int fd, e;

	ns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "network namespace '%s': cannot create "
			 "%s: %s", name, path, strerror(e));
		errno = e;
		return -1;
	}
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		e = errno;
		snprintf(err, errlen, "network namespace '%s': unshare: %s",
			 name, strerror(e));
		goto out_unlink;
	}
	if (mount(THREAD_SELF_NET, path, "none", MS_BIND, NULL) < 0) {
		e = errno;
		snprintf(err, errlen, "network namespace '%s': mount --bind "
			 "%s %s: %s", name, THREAD_SELF_NET, path, strerror(e));
		goto out_unlink;
	}
	return 0;

out_unlink:
	unlink(path);
	errno = e;
	return -1;
}

/* ---- the creating thread ---------------------------------------------- */

typedef int (*ns_setup_fn)(void *ctx, size_t i, char *err, size_t errlen);

struct create_job {
	const char *const *names;
	size_t n;
	ns_setup_fn setup;      /* run inside namespace i, just created */
	void *ctx;
	size_t done;            /* namespaces whose file is ours */
	int rc, err_no;
	char err[ERRLEN];
};

static void *create_worker(void *arg)
{
	struct create_job *j = arg;

	for (size_t i = 0; i < j->n; i++) {
		if (ns_create_here(j->names[i], j->err, sizeof(j->err)) < 0)
			goto fail;
		j->done++;
		if (j->setup && j->setup(j->ctx, i, j->err, sizeof(j->err)) < 0)
			goto fail;
	}
	return NULL;
fail:
	j->rc = -1;
	j->err_no = errno;
	return NULL;
}

/* The thread ends inside the last namespace it made: nothing to undo. */
static int run_thread(void *(*fn)(void *), void *arg, char *err,
		      size_t errlen)
{
	pthread_t th;
	int e = pthread_create(&th, NULL, fn, arg);
	if (e != 0) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(e));
		errno = e;
		return -1;
	}
	e = pthread_join(th, NULL);
	if (e != 0) {
		snprintf(err, errlen, "cannot join a thread: %s", strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

static int create_all(struct create_job *j, char *err, size_t errlen)
{
	if (run_thread(create_worker, j, err, errlen) < 0)
		return -1;
	if (j->rc < 0) {
		snprintf(err, errlen, "%s", j->err);
		errno = j->err_no;
		return -1;
	}
	return 0;
}

/* ---- named namespaces ------------------------------------------------- */

int psc_netns_create(const char *name, char *err, size_t errlen)
{
	const char *names[1] = {name};
	struct create_job j = {.names = names, .n = 1};

	if (psc_plan_ns_name_check(name, err, errlen) < 0 ||
	    rundir_prepare(err, errlen) < 0)
		return -1;
	return create_all(&j, err, errlen);
}

int psc_netns_delete(const char *name, char *err, size_t errlen)
{
	char path[PATH_LEN];

	if (psc_plan_ns_name_check(name, err, errlen) < 0)
		return -1;
	ns_path(name, path, sizeof(path));
	/* not mounted (a half-made one) or absent: fine */
	umount2(path, MNT_DETACH);
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "network namespace '%s': cannot remove "
			 "%s: %s", name, path, strerror(errno));
		return -1;
	}
	return 0;
}

bool psc_netns_exists(const char *name)
{
	char path[PATH_LEN];
	struct stat st;
	char e[8];

	if (psc_plan_ns_name_check(name, e, sizeof(e)) < 0)
		return false;
	ns_path(name, path, sizeof(path));
	return lstat(path, &st) == 0;
}

int psc_netns_open(const char *name, char *err, size_t errlen)
{
	char path[PATH_LEN];
	int fd;

	if (psc_plan_ns_name_check(name, err, errlen) < 0)
		return -1;
	ns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "network namespace '%s': cannot open "
			 "%s: %s", name, path, strerror(errno));
	return fd;
}

int psc_netns_run(const char *name, int (*fn)(void *arg), void *arg,
		  char *err, size_t errlen)
{
	int self, fd, rc;

	fd = psc_netns_open(name, err, errlen);
	if (fd < 0)
		return -1;
	self = open(THREAD_SELF_NET, O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		snprintf(err, errlen, "cannot open %s: %s", THREAD_SELF_NET,
			 strerror(errno));
		goto out_fd;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "network namespace '%s': cannot enter: "
			 "%s", name, strerror(errno));
		goto out_self;
	}
	rc = fn(arg);
	if (setns(self, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "network namespace '%s': cannot return "
			 "to the original namespace: %s", name, strerror(errno));
		rc = -1;
	}
	close(self);
	close(fd);
	return rc;

out_self:
	close(self);
out_fd:
	close(fd);
	return -1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int psc_netns_list(const char *prefix, char (*names)[PSC_NETNS_NAME_LEN],
		   size_t max, size_t *n, char *err, size_t errlen)
{
	size_t plen = strlen(prefix), seen = 0;
	bool more = false;
	struct dirent *de;
	DIR *d;

	*n = 0;
	d = opendir(PSC_NETNS_RUN_DIR);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", PSC_NETNS_RUN_DIR,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && seen++ < PSC_NETNS_MAX_LIST) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len >= PSC_NETNS_NAME_LEN ||
		    strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (*n == max) {
			more = true;
			continue;
		}
		memcpy(names[(*n)++], de->d_name, len + 1);
	}
	closedir(d);
	qsort(names, *n, sizeof(names[0]), cmp_names);
	if (more || seen > PSC_NETNS_MAX_LIST) {
		snprintf(err, errlen, "%s holds more namespaces starting with "
			 "'%s' than %zu", PSC_NETNS_RUN_DIR, prefix,
			 more ? max : (size_t)PSC_NETNS_MAX_LIST);
		return -1;
	}
	return 0;
}

/* ---- files in /etc/netns ---------------------------------------------- */

static bool file_name_ok(const char *s)
{
	return s[0] && s[0] != '.' && !strchr(s, '/') &&
	       strlen(s) < PSC_NETNS_NAME_LEN;
}

/* The lab named by the marker line of an open file: 1 and the lab, 0 when
 * the file is not pscLab's. */
static int marker_lab(FILE *fp, char *lab, size_t len)
{
	char line[256];
	size_t mlen = sizeof(PSC_NETNS_ETC_MARKER) - 1;

	if (!fgets(line, sizeof(line), fp) ||
	    strncmp(line, PSC_NETNS_ETC_MARKER, mlen) != 0)
		return 0;
	size_t n = strcspn(line + mlen, ":\n");
	if (line[mlen + n] != ':' || n == 0 || n >= len)
		return 0;
	memcpy(lab, line + mlen, n);
	lab[n] = '\0';
	return 1;
}

/* 1: pscLab wrote path for this lab; 0: not pscLab's; 2: another lab's */
static int file_owner(const char *path, const char *lab)
{
	char who[PSC_NAME_LEN];
	FILE *fp = fopen(path, "re");
	int rc = 0;

	if (!fp)
		return 0;
	if (marker_lab(fp, who, sizeof(who)))
		rc = strcmp(who, lab) == 0 ? 1 : 2;
	fclose(fp);
	return rc;
}

int psc_netns_etc_write(const char *lab, const char *ns, const char *file,
			const char *comment, const char *body, char *err,
			size_t errlen)
{
	char dir[PATH_LEN], path[PATH_LEN];
	FILE *fp;

	if (psc_plan_ns_name_check(ns, err, errlen) < 0)
		return -1;
	if (!file_name_ok(file)) {
		snprintf(err, errlen, "'%s': not a file name for %s/%s", file,
			 PSC_NETNS_ETC_DIR, ns);
		return -1;
	}
	if (!path_join(dir, sizeof(dir), PSC_NETNS_ETC_DIR, ns) ||
	    !path_join(path, sizeof(path), dir, file)) {
		snprintf(err, errlen, "%s/%s/%s: %s", PSC_NETNS_ETC_DIR, ns,
			 file, strerror(ENAMETOOLONG));
		return -1;
	}
	if ((mkdir(PSC_NETNS_ETC_DIR, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (access(path, F_OK) == 0 && file_owner(path, lab) != 1) {
		snprintf(err, errlen, "%s: %s (not written by pscLab for lab "
			 "%s)", path, strerror(EEXIST), lab);
		errno = EEXIST;
		return -1;
	}
	fp = fopen(path, "we");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		return -1;
	}
	fprintf(fp, PSC_NETNS_ETC_MARKER "%s: %s\n%s", lab, comment, body);
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* Remove the files of /etc/netns/<ns> that pscLab wrote for lab, then the
 * directory.  Absent is fine; a directory holding other files stays, and
 * is an error unless they are another lab's. */
static int etc_remove(const char *lab, const char *ns, char *err,
		      size_t errlen)
{
	char dir[PATH_LEN], path[PATH_LEN];
	struct dirent *de;
	bool foreign = false;
	size_t seen = 0;
	DIR *d;

	if (!path_join(dir, sizeof(dir), PSC_NETNS_ETC_DIR, ns))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && seen++ < PSC_NETNS_MAX_LIST) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (!path_join(path, sizeof(path), dir, de->d_name))
			continue;
		int own = de->d_type == DT_REG ? file_owner(path, lab) : 0;
		if (own == 1)
			unlink(path);
		else if (own == 2)
			foreign = true;
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT) {
		if (foreign && errno == ENOTEMPTY)
			return 0;
		snprintf(err, errlen, "left %s: %s (it holds files pscLab did "
			 "not write)", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- netlink ---------------------------------------------------------- */

struct nl_errinfo {
	int err;                /* the kernel's errno */
	char msg[160];          /* its extended ack message */
};

/* the kernel's errno and extended ack, instead of libnl's lossy code */
static int nl_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_errinfo *ei = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)nla;
	ei->err = -e->error;
	ei->msg[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(h->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= h->nlmsg_len)
		return NL_STOP;
	struct nlattr *a = nla_find((struct nlattr *)((char *)h + off),
				    (int)(h->nlmsg_len - off),
				    NLMSGERR_ATTR_MSG);
	if (a && nla_len(a) > 0)
		snprintf(ei->msg, sizeof(ei->msg), "%.*s", nla_len(a) - 1,
			 (const char *)nla_data(a));
	return NL_STOP;
}

static struct nl_sock *nl_open(struct nl_errinfo *ei, char *why,
			       size_t whylen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, rc;

	if (!sk) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(why, whylen, "netlink: %s", nl_geterror(rc));
		nl_socket_free(sk);
		return NULL;
	}
	/* best effort: older kernels have no extended acks */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, nl_err_cb, ei);
	return sk;
}

/* "strerror (extended ack)" for a failed request */
static const char *nl_why(const struct nl_errinfo *ei, int rc, char *buf,
			  size_t len)
{
	if (ei->err > 0)
		snprintf(buf, len, "%s%s%s%s", strerror(ei->err),
			 ei->msg[0] ? " (" : "", ei->msg,
			 ei->msg[0] ? ")" : "");
	else
		snprintf(buf, len, "%s", nl_geterror(rc));
	return buf;
}

static struct nl_addr *ip4_addr(uint32_t ip, uint8_t plen)
{
	uint32_t be = htonl(ip);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));
	if (a)
		nl_addr_set_prefixlen(a, plen);
	return a;
}

/* ---- the fabric ------------------------------------------------------- */

struct fab_ns {
	int fd;                         /* the namespace, for IFLA_NET_NS_FD */
	struct nl_sock *sk;             /* a socket inside it */
	struct nl_cache *links;         /* its interfaces, once all exist */
	struct nl_errinfo ei;
};

struct fab {
	const psc_plan *p;
	char tag[PSC_NAME_LEN + 16];
	struct fab_ns ns[PSC_PLAN_MAX_NS];
	size_t n_made;                  /* p->ns[0..n_made) are ours */
	bool etc_made[PSC_PLAN_MAX_NS]; /* /etc/netns/<ns> touched */
	bool replace;                   /* routes: replace, not exclusive */
};

static int sysctl_write(const char *ns, const char *key, const char *val,
			char *err, size_t errlen)
{
	char path[PATH_LEN];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		int e = errno;
		snprintf(err, errlen, "sysctl %s=%s in %s: %s", key, val, ns,
			 strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

/* loopback up, and the lab's tag as its alias */
static int lo_up(struct fab_ns *ns, const char *name, const char *tag,
		 char *err, size_t errlen)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	struct rtnl_link *chg = rtnl_link_alloc();
	char why[256];
	int rc = -NLE_NOMEM;

	if (orig && chg) {
		rtnl_link_set_ifindex(orig, LOOPBACK_IFINDEX);
		rtnl_link_set_flags(chg, IFF_UP);
		rtnl_link_set_ifalias(chg, tag);
		ns->ei.err = 0;
		rc = rtnl_link_change(ns->sk, orig, chg, 0);
	}
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	if (rc < 0) {
		snprintf(err, errlen, "link lo in %s: %s", name,
			 nl_why(&ns->ei, rc, why, sizeof(why)));
		return -1;
	}
	return 0;
}

/* In the creating thread, inside namespace i just made. */
static int fab_ns_setup(void *ctx, size_t i, char *err, size_t errlen)
{
	struct fab *f = ctx;
	const psc_plan_ns *pn = &f->p->ns[i];
	struct fab_ns *ns = &f->ns[i];
	char why[256];

	ns->fd = open(THREAD_SELF_NET, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		snprintf(err, errlen, "network namespace '%s': cannot open "
			 "%s: %s", pn->name, THREAD_SELF_NET, strerror(errno));
		return -1;
	}
	ns->sk = nl_open(&ns->ei, why, sizeof(why));
	if (!ns->sk) {
		snprintf(err, errlen, "network namespace '%s': %s", pn->name,
			 why);
		return -1;
	}
	if (sysctl_write(pn->name, "net/ipv4/ip_forward",
			 pn->forwarding ? "1" : "0", err, errlen) < 0)
		return -1;
	if (pn->forwarding &&
	    (sysctl_write(pn->name, "net/ipv4/conf/all/rp_filter", "0", err,
			  errlen) < 0 ||
	     sysctl_write(pn->name, "net/ipv4/conf/default/rp_filter", "0",
			  err, errlen) < 0))
		return -1;
	/* byte counts of tracked connections (status' PATHS): best effort,
	 * the key exists only once nf_conntrack is loaded */
	if (pn->forwarding) {
		char ignored[256];
		(void)sysctl_write(pn->name, "net/netfilter/nf_conntrack_acct",
				   "1", ignored, sizeof(ignored));
	}
	return lo_up(ns, pn->name, f->tag, err, errlen);
}

static int fab_namespaces(struct fab *f, char *err, size_t errlen)
{
	const char *names[PSC_PLAN_MAX_NS];
	struct create_job j = {.names = names, .n = f->p->n_ns,
			       .setup = fab_ns_setup, .ctx = f};
	int rc;

	for (size_t i = 0; i < f->p->n_ns; i++)
		names[i] = f->p->ns[i].name;
	rc = create_all(&j, err, errlen);
	/* a namespace whose setup failed is ours; one whose file could not
	 * be made is not */
	f->n_made = j.done;
	return rc;
}

static int link_up_by_name(struct fab_ns *ns, const char *ifname)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	struct rtnl_link *chg = rtnl_link_alloc();
	int rc = -NLE_NOMEM;

	if (orig && chg) {
		rtnl_link_set_name(chg, ifname);
		rtnl_link_set_flags(chg, IFF_UP);
		ns->ei.err = 0;
		rc = rtnl_link_change(ns->sk, orig, chg, 0);
	}
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	return rc;
}

/* A veth pair, each end created in its own namespace and up; the request
 * goes through the socket of a's namespace. */
static int fab_link(struct fab *f, const psc_plan_link *l, char *err,
		    size_t errlen)
{
	struct fab_ns *a = &f->ns[l->a.ns], *b = &f->ns[l->b.ns];
	struct rtnl_link *v = rtnl_link_veth_alloc(), *peer;
	char why[256];
	int rc;

	if (!v) {
		rc = -NLE_NOMEM;
		a->ei.err = 0;
		goto fail;
	}
	peer = rtnl_link_veth_get_peer(v);
	rtnl_link_set_name(v, l->a.ifname);
	rtnl_link_set_ns_fd(v, a->fd);
	rtnl_link_set_flags(v, IFF_UP);
	rtnl_link_set_name(peer, l->b.ifname);
	/* no IFF_UP on the peer: a veth cannot open before it is paired
	 * (ENOTCONN on recent kernels); it is set up from inside below */
	rtnl_link_set_ns_fd(peer, b->fd);
	a->ei.err = 0;
	rc = rtnl_link_add(a->sk, v, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_put(v);
	if (rc < 0)
		goto fail;
	rc = link_up_by_name(b, l->b.ifname);
	if (rc < 0) {
		snprintf(err, errlen, "link %s in %s (veth peer of %s in %s): "
			 "cannot set up: %s", l->b.ifname,
			 f->p->ns[l->b.ns].name, l->a.ifname,
			 f->p->ns[l->a.ns].name,
			 nl_why(&b->ei, rc, why, sizeof(why)));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "link %s in %s - %s in %s (veth): %s",
		 l->a.ifname, f->p->ns[l->a.ns].name, l->b.ifname,
		 f->p->ns[l->b.ns].name, nl_why(&a->ei, rc, why, sizeof(why)));
	return -1;
}

static int fab_ifindex(struct fab *f, int nsi, const char *ifname,
		       char *err, size_t errlen)
{
	struct fab_ns *ns = &f->ns[nsi];
	char why[256];
	int idx, rc;

	if (strcmp(ifname, "lo") == 0)
		return LOOPBACK_IFINDEX;
	if (!ns->links) {
		ns->ei.err = 0;
		rc = rtnl_link_alloc_cache(ns->sk, AF_UNSPEC, &ns->links);
		if (rc < 0) {
			ns->links = NULL;
			snprintf(err, errlen, "links of %s: %s",
				 f->p->ns[nsi].name,
				 nl_why(&ns->ei, rc, why, sizeof(why)));
			return -1;
		}
	}
	idx = rtnl_link_name2i(ns->links, ifname);
	if (idx <= 0) {
		snprintf(err, errlen, "link %s in %s: %s", ifname,
			 f->p->ns[nsi].name, strerror(ENODEV));
		return -1;
	}
	return idx;
}

static int fab_addr(struct fab *f, int nsi, const char *ifname, uint32_t ip,
		    uint8_t plen, char *err, size_t errlen)
{
	struct fab_ns *ns = &f->ns[nsi];
	struct rtnl_addr *a;
	struct nl_addr *local;
	char ipbuf[16], why[256];
	int idx, rc = -NLE_NOMEM;

	idx = fab_ifindex(f, nsi, ifname, err, errlen);
	if (idx < 0)
		return -1;
	a = rtnl_addr_alloc();
	local = ip4_addr(ip, plen);
	ns->ei.err = 0;
	if (a && local) {
		rtnl_addr_set_ifindex(a, idx);
		rc = rtnl_addr_set_local(a, local);
		if (rc == 0)
			rc = rtnl_addr_add(ns->sk, a, 0);
	}
	if (local)
		nl_addr_put(local);
	if (a)
		rtnl_addr_put(a);
	if (rc < 0) {
		snprintf(err, errlen, "address %s/%u on %s in %s: %s",
			 psc_ip_str(ip, ipbuf, sizeof(ipbuf)), plen, ifname,
			 f->p->ns[nsi].name,
			 nl_why(&ns->ei, rc, why, sizeof(why)));
		return -1;
	}
	return 0;
}

static int fab_addrs(struct fab *f, char *err, size_t errlen)
{
	const psc_plan *p = f->p;

	for (size_t i = 0; i < p->n_links; i++) {
		const psc_plan_end *e[2] = {&p->links[i].a, &p->links[i].b};
		for (int k = 0; k < 2; k++)
			if (e[k]->addr &&
			    fab_addr(f, e[k]->ns, e[k]->ifname, e[k]->addr,
				     e[k]->plen, err, errlen) < 0)
				return -1;
	}
	for (size_t i = 0; i < p->n_addrs; i++)
		if (fab_addr(f, p->addrs[i].ns, p->addrs[i].ifname,
			     p->addrs[i].addr, p->addrs[i].plen, err,
			     errlen) < 0)
			return -1;
	return 0;
}

static bool same_route(const psc_plan_route *a, const psc_plan_route *b)
{
	return a->ns == b->ns && a->dst == b->dst && a->plen == b->plen &&
	       a->via == b->via && a->table == b->table &&
	       strcmp(a->ifname, b->ifname) == 0;
}

static int fab_route(struct fab *f, const psc_plan_route *r, char *err,
		     size_t errlen)
{
	struct fab_ns *ns = &f->ns[r->ns];
	struct rtnl_route *rt = NULL;
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *dst = NULL, *gw = NULL;
	char d[16], g[16], tbl[24] = "", why[256];
	int idx, rc = -NLE_NOMEM;

	idx = fab_ifindex(f, r->ns, r->ifname, err, errlen);
	if (idx < 0)
		return -1;
	ns->ei.err = 0;
	rt = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	dst = ip4_addr(r->dst, r->plen);
	gw = r->via ? ip4_addr(r->via, 32) : NULL;
	if (!rt || !nh || !dst || (r->via && !gw))
		goto out;
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_scope(rt, r->via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if ((rc = rtnl_route_set_dst(rt, dst)) < 0)
		goto out;
	rtnl_route_nh_set_ifindex(nh, idx);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(rt, nh);
	nh = NULL;      /* the route owns it */
	rc = rtnl_route_add(ns->sk, rt, f->replace ? NLM_F_REPLACE
						   : NLM_F_EXCL);
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (rt)
		rtnl_route_put(rt);
	if (dst)
		nl_addr_put(dst);
	if (gw)
		nl_addr_put(gw);
	if (rc < 0) {
		if (r->table)
			snprintf(tbl, sizeof(tbl), " table %u",
				 (unsigned)r->table);
		snprintf(err, errlen, "route %s/%u%s%s dev %s%s in %s: %s",
			 psc_ip_str(r->dst, d, sizeof(d)), r->plen,
			 r->via ? " via " : "",
			 r->via ? psc_ip_str(r->via, g, sizeof(g)) : "",
			 r->ifname, tbl, f->p->ns[r->ns].name,
			 nl_why(&ns->ei, rc, why, sizeof(why)));
		return -1;
	}
	return 0;
}

static int fab_routes(struct fab *f, char *err, size_t errlen)
{
	const psc_plan *p = f->p;

	for (size_t i = 0; i < p->n_routes; i++) {
		bool dup = false;
		/* several endpoints of one attachment repeat its routes */
		for (size_t k = 0; k < i && !dup; k++)
			dup = same_route(&p->routes[k], &p->routes[i]);
		if (!dup && fab_route(f, &p->routes[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int fab_etc(struct fab *f, char *err, size_t errlen)
{
	const psc_plan *p = f->p;
	char body[64], dns[16];

	snprintf(body, sizeof(body), "nameserver %s\n",
		 psc_ip_str(PSC_DNS_IP, dns, sizeof(dns)));
	for (size_t i = 0; i < p->n_ns; i++) {
		if (p->ns[i].kind != PSC_NS_VM)
			continue;
		/* marked first: a directory made before a failed write goes
		 * too (the undo removes only pscLab's files) */
		f->etc_made[i] = true;
		if (psc_netns_etc_write(p->lab, p->ns[i].name, "resolv.conf",
					"written by pscLab: the VPC's metadata "
					"server answers DNS", body, err,
					errlen) < 0)
			return -1;
	}
	return 0;
}

static void fab_etc_undo(struct fab *f)
{
	char e[ERRLEN];

	for (size_t i = 0; i < f->p->n_ns; i++)
		if (f->etc_made[i])
			etc_remove(f->p->lab, f->p->ns[i].name, e, sizeof(e));
}

/* sockets and descriptors first: they keep the namespaces alive */
static void fab_close(struct fab *f)
{
	for (size_t i = 0; i < PSC_PLAN_MAX_NS; i++) {
		if (f->ns[i].links)
			nl_cache_free(f->ns[i].links);
		if (f->ns[i].sk)
			nl_socket_free(f->ns[i].sk);
		if (f->ns[i].fd >= 0)
			close(f->ns[i].fd);
		f->ns[i].links = NULL;
		f->ns[i].sk = NULL;
		f->ns[i].fd = -1;
	}
}

/* Every link, address and route lives in a namespace this build made:
 * deleting those namespaces undoes all of it. */
static void fab_ns_undo(struct fab *f, char *err, size_t errlen)
{
	char e[ERRLEN];
	size_t used = strlen(err);

	for (size_t i = f->n_made; i-- > 0;)
		if (psc_netns_delete(f->p->ns[i].name, e, sizeof(e)) < 0 &&
		    used + 1 < errlen) {
			snprintf(err + used, errlen - used, "; rollback: %s", e);
			used = strlen(err);
		}
}

static int plan_check(const psc_plan *p, char *err, size_t errlen)
{
	char prefix[PSC_NETNS_NAME_LEN];
	size_t plen;

	if (psc_lab_name_check(p->lab, err, errlen) < 0)
		return -1;
	plen = psc_plan_ns_prefix(p->lab, prefix);
	if (p->n_ns == 0 || p->n_ns > PSC_PLAN_MAX_NS ||
	    p->n_links > PSC_PLAN_MAX_LINKS ||
	    p->n_addrs > PSC_PLAN_MAX_ADDRS ||
	    p->n_routes > PSC_PLAN_MAX_ROUTES) {
		snprintf(err, errlen, "lab %s: the plan is empty or too large",
			 p->lab);
		return -1;
	}
	for (size_t i = 0; i < p->n_ns; i++)
		if (psc_plan_ns_name_check(p->ns[i].name, err, errlen) < 0 ||
		    strncmp(p->ns[i].name, prefix, plen) != 0) {
			snprintf(err, errlen, "network namespace '%s' is not "
				 "named %s*", p->ns[i].name, prefix);
			return -1;
		}
#define NS_OK(x) ((x) >= 0 && (size_t)(x) < p->n_ns)
	for (size_t i = 0; i < p->n_links; i++)
		if (!NS_OK(p->links[i].a.ns) || !NS_OK(p->links[i].b.ns))
			goto bad;
	for (size_t i = 0; i < p->n_addrs; i++)
		if (!NS_OK(p->addrs[i].ns))
			goto bad;
	for (size_t i = 0; i < p->n_routes; i++)
		if (!NS_OK(p->routes[i].ns))
			goto bad;
#undef NS_OK
	return 0;
bad:
	snprintf(err, errlen, "lab %s: the plan names a namespace it does "
		 "not hold", p->lab);
	return -1;
}

int psc_fabric_build(const psc_plan *p, char *err, size_t errlen)
{
	struct fab *f;

	if (plan_check(p, err, errlen) < 0)
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "lab %s: %s", p->lab, strerror(ENOMEM));
		return -1;
	}
	f->p = p;
	snprintf(f->tag, sizeof(f->tag), PSC_NETNS_TAG "%s", p->lab);
	for (size_t i = 0; i < PSC_PLAN_MAX_NS; i++)
		f->ns[i].fd = -1;
	if (rundir_prepare(err, errlen) < 0)
		goto out_free;

	/* every namespace first: nothing below can then touch one that is
	 * not ours */
	if (fab_namespaces(f, err, errlen) < 0)
		goto undo_ns;
	for (size_t i = 0; i < p->n_links; i++)
		if (fab_link(f, &p->links[i], err, errlen) < 0)
			goto undo_ns;
	if (fab_addrs(f, err, errlen) < 0 || fab_routes(f, err, errlen) < 0)
		goto undo_ns;
	if (fab_etc(f, err, errlen) < 0)
		goto undo_etc;
	fab_close(f);
	free(f);
	return 0;

undo_etc:
	fab_etc_undo(f);
undo_ns:
	fab_close(f);
	fab_ns_undo(f, err, errlen);
out_free:
	free(f);
	return -1;
}

/* ---- destroy ---------------------------------------------------------- */

struct owner_job {
	const char *lab;
	char (*names)[PSC_NETNS_NAME_LEN];
	size_t n;
	bool *foreign;          /* out: tagged for another lab */
};

/* 1 when namespace name's loopback carries another lab's tag.  Runs in a
 * thread that enters the namespace and never returns to the host's. */
static bool tagged_foreign(const char *name, const char *lab)
{
	char path[PATH_LEN], why[64];
	struct nl_errinfo ei = {0};
	struct rtnl_link *lo = NULL;
	struct nl_sock *sk;
	bool foreign = false;
	int fd;

	ns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (setns(fd, CLONE_NEWNET) < 0) {
		close(fd);
		return false;   /* not a namespace: a half-made one */
	}
	close(fd);
	sk = nl_open(&ei, why, sizeof(why));
	if (!sk)
		return false;
	if (rtnl_link_get_kernel(sk, LOOPBACK_IFINDEX, NULL, &lo) == 0) {
		const char *alias = rtnl_link_get_ifalias(lo);
		size_t tlen = sizeof(PSC_NETNS_TAG) - 1;
		foreign = alias && strncmp(alias, PSC_NETNS_TAG, tlen) == 0 &&
			  strcmp(alias + tlen, lab) != 0;
		rtnl_link_put(lo);
	}
	nl_socket_free(sk);
	return foreign;
}

static void *owner_worker(void *arg)
{
	struct owner_job *j = arg;
	for (size_t i = 0; i < j->n; i++)
		j->foreign[i] = tagged_foreign(j->names[i], j->lab);
	return NULL;
}

static void first_error(char *err, size_t errlen, bool *failed,
			const char *e)
{
	if (!*failed)
		snprintf(err, errlen, "%s", e);
	*failed = true;
}

/* /etc/netns/psclab-<lab>-* whose namespace is not another lab's */
static void destroy_etc(const char *lab, const char *prefix,
			char (*kept)[PSC_NETNS_NAME_LEN], size_t n_kept,
			char *err, size_t errlen, bool *failed)
{
	char e[ERRLEN];
	size_t plen = strlen(prefix), seen = 0;
	struct dirent *de;
	DIR *d = opendir(PSC_NETNS_ETC_DIR);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL && seen++ < PSC_NETNS_MAX_LIST) {
		bool keep = false;
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    strlen(de->d_name) >= PSC_NETNS_NAME_LEN)
			continue;
		for (size_t k = 0; k < n_kept && !keep; k++)
			keep = strcmp(kept[k], de->d_name) == 0;
		if (!keep && etc_remove(lab, de->d_name, e, sizeof(e)) < 0)
			first_error(err, errlen, failed, e);
	}
	closedir(d);
}

int psc_fabric_destroy(const char *lab, char *err, size_t errlen)
{
	char prefix[PSC_NETNS_NAME_LEN], e[ERRLEN];
	char (*names)[PSC_NETNS_NAME_LEN];
	bool *foreign, failed = false;
	size_t n = 0, n_kept = 0;

	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	psc_plan_ns_prefix(lab, prefix);
	names = calloc(PSC_NETNS_MAX_LIST, sizeof(*names));
	foreign = calloc(PSC_NETNS_MAX_LIST, sizeof(*foreign));
	if (!names || !foreign) {
		snprintf(err, errlen, "lab %s: %s", lab, strerror(ENOMEM));
		goto out;
	}
	/* over the limit: remove what was listed, report the rest */
	if (psc_netns_list(prefix, names, PSC_NETNS_MAX_LIST, &n, e,
			   sizeof(e)) < 0)
		first_error(err, errlen, &failed, e);
	if (n > 0) {
		struct owner_job j = {.lab = lab, .names = names, .n = n,
				      .foreign = foreign};
		if (run_thread(owner_worker, &j, e, sizeof(e)) < 0) {
			first_error(err, errlen, &failed, e);
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (foreign[i]) {
			/* keep the names of other labs' namespaces, for
			 * their /etc/netns directories */
			memmove(names[n_kept++], names[i], sizeof(names[i]));
			continue;
		}
		if (psc_netns_delete(names[i], e, sizeof(e)) < 0)
			first_error(err, errlen, &failed, e);
	}
	destroy_etc(lab, prefix, names, n_kept, err, errlen, &failed);
out:
	free(names);
	free(foreign);
	return failed || !names || !foreign ? -1 : 0;
}

/* ---- link statistics ------------------------------------------------- */

struct stats_job {
	const char *ifname;
	psc_link_stats *out;
	char err[256];
};

static int link_stats_here(void *arg)
{
	struct stats_job *j = arg;
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int rc = -1;
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		snprintf(j->err, sizeof(j->err), "netlink: cannot connect");
		goto out;
	}
	int e = rtnl_link_get_kernel(sk, 0, j->ifname, &link);
	if (e < 0) {
		snprintf(j->err, sizeof(j->err), "%s", nl_geterror(e));
		goto out;
	}
	j->out->rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
	j->out->rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
	j->out->tx_packets = rtnl_link_get_stat(link, RTNL_LINK_TX_PACKETS);
	j->out->tx_bytes = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
	rc = 0;
out:
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return rc;
}

int psc_netns_link_stats(const char *ns, const char *ifname,
			 psc_link_stats *out, char *err, size_t errlen)
{
	struct stats_job j = {.ifname = ifname, .out = out};
	memset(out, 0, sizeof(*out));
	if (psc_netns_run(ns, link_stats_here, &j, err, errlen) != 0) {
		if (j.err[0])
			snprintf(err, errlen, "interface %s in %s: %s", ifname,
				 ns, j.err);
		return -1;
	}
	return 0;
}

/* ---- routes again ------------------------------------------------------ */

struct sock_job {
	struct fab_ns *ns;
	char why[256];
};

static int sock_here(void *arg)
{
	struct sock_job *j = arg;
	j->ns->sk = nl_open(&j->ns->ei, j->why, sizeof(j->why));
	return j->ns->sk ? 0 : -1;
}

int psc_fabric_routes_restore(const psc_plan *p, int nsi, const char *ifname,
			      char *err, size_t errlen)
{
	struct fab *f = calloc(1, sizeof(*f));
	int rc = -1;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->p = p;
	f->replace = true;
	for (size_t i = 0; i < PSC_PLAN_MAX_NS; i++)
		f->ns[i].fd = -1;
	struct sock_job j = {&f->ns[nsi], ""};
	char e2[ERRLEN] = "";
	if (nsi < 0 || (size_t)nsi >= p->n_ns ||
	    psc_netns_run(p->ns[nsi].name, sock_here, &j, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "routes of %s: %s",
			 nsi >= 0 && (size_t)nsi < p->n_ns ? p->ns[nsi].name
							    : "?",
			 j.why[0] ? j.why : e2);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < p->n_routes; i++)
		if (p->routes[i].ns == nsi &&
		    (!ifname || strcmp(p->routes[i].ifname, ifname) == 0))
			rc = fab_route(f, &p->routes[i], err, errlen);
out:
	fab_close(f);
	free(f);
	return rc;
}
