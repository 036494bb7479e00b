/* kafka_storage.c - the KRaft storage template and its stamping (see
 * kafka_storage.h). */
#define _GNU_SOURCE
#include "runtime/kafka_storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/proc.h"

#define BOOTSTRAP "bootstrap.checkpoint"
#define META "meta.properties"
#define MAX_FILE (1 << 20)       /* a template file larger is not Kafka's */
#define META_LINES 32

/* the keys of meta.properties, all of them, as format writes them */
static const char *const meta_keys[] = {"version", "cluster.id", "node.id",
					"directory.id"};
#define N_META_KEYS (sizeof(meta_keys) / sizeof(meta_keys[0]))

bool psc_kafka_storage_stampable(const psc_topology *t, char *why,
				 size_t whylen)
{
	const char *v = getenv(PSC_KAFKA_FORMAT_ENV);
	if (v && strcmp(v, "each") == 0) {
		psc_setf(why, whylen, "%s=each", PSC_KAFKA_FORMAT_ENV);
		return false;
	}
	const psc_kafka *k = &t->kafka;
	for (size_t i = 0; i < k->n_config; i++) {
		const char *key = k->config[i].key;
		if (strcmp(key, "inter.broker.protocol.version") == 0 ||
		    strcmp(key, "metadata.log.dir") == 0 ||
		    strncmp(key, "unstable.", 9) == 0) {
			psc_setf(why, whylen, "kafka.config sets %s, which "
				 "kafka-storage.sh format reads", key);
			return false;
		}
	}
	return true;
}

/* ---- files ---- */

/* the whole of a small file, NUL-terminated, in *buf (malloc) */
static int read_small(const char *path, char **buf, size_t *len, char *err,
		      size_t errlen)
{
	AUTO_FD fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	*buf = NULL;
	if (fd < 0 || fstat(fd, &st) != 0) {
		psc_setf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		psc_setf(err, errlen, "%s: not a file of at most %d bytes",
			 path, MAX_FILE);
		return -1;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		psc_setf(err, errlen, "out of memory");
		return -1;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			psc_setf(err, errlen, "cannot read %s: %s", path,
				 n < 0 ? strerror(errno) : "short read");
			free(*buf);
			*buf = NULL;
			return -1;
		}
		got += (size_t)n;
	}
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

/* data to dir/name through dir/name.tmp and a rename */
static int write_renamed(const char *dir, const char *name, const char *data,
			 size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		psc_setf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		psc_setf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		return -1;
	}
	size_t put = 0;
	while (put < len) {
		ssize_t n = write(fd, data + put, len - put);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		put += (size_t)n;
	}
	if (put != len || close(fd) != 0 || rename(tmp, path) != 0) {
		psc_setf(err, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		if (put != len)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- meta.properties ---- */

typedef struct meta {
	size_t n;
	char key[META_LINES][64];
	char value[META_LINES][128];
} meta;

/* key=value lines (comments and blank lines skipped); 0 when the file is
 * not the plain four-key file this module knows (why says how) */
static int meta_parse(const char *text, meta *m, char *why, size_t whylen)
{
	memset(m, 0, sizeof(*m));
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		const char *next = l + n + (l[n] == '\n');
		while (n && (l[n - 1] == '\r' || l[n - 1] == ' '))
			n--;
		if (n == 0 || l[0] == '#' || l[0] == '!') {
			l = next;
			continue;
		}
		const char *eq = memchr(l, '=', n);
		if (!eq || memchr(l, '\\', n) || m->n == META_LINES ||
		    (size_t)(eq - l) >= sizeof(m->key[0]) ||
		    n - (size_t)(eq - l) - 1 >= sizeof(m->value[0])) {
			psc_setf(why, whylen, "a line of %s pscLab does not "
				 "read: '%.*s'", META, (int)(n > 80 ? 80 : n),
				 l);
			return 0;
		}
		snprintf(m->key[m->n], sizeof(m->key[0]), "%.*s",
			 (int)(eq - l), l);
		snprintf(m->value[m->n], sizeof(m->value[0]), "%.*s",
			 (int)(n - (size_t)(eq - l) - 1), eq + 1);
		m->n++;
		l = next;
	}
	for (size_t i = 0; i < N_META_KEYS; i++) {
		size_t found = 0;
		for (size_t j = 0; j < m->n; j++)
			found += strcmp(m->key[j], meta_keys[i]) == 0;
		if (found != 1) {
			psc_setf(why, whylen, "%s has %zu '%s' lines", META,
				 found, meta_keys[i]);
			return 0;
		}
	}
	if (m->n != N_META_KEYS) {
		psc_setf(why, whylen, "%s has %zu keys, not the %zu pscLab "
			 "stamps (%s, %s, %s, %s)", META, m->n, N_META_KEYS,
			 meta_keys[0], meta_keys[1], meta_keys[2],
			 meta_keys[3]);
		return 0;
	}
	return 1;
}

/* 16 bytes as Java's Base64.getUrlEncoder().withoutPadding(): 22
 * characters (none of pscLab's libraries exports a base64 encoder) */
static void b64url(const uint8_t b[16], char out[23])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	int bits = 0, o = 0;
	for (int i = 0; i < 16; i++) {
		acc = acc << 8 | b[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[o++] = abc[(acc >> (bits - 6)) & 63];
	}
	out[o++] = abc[(acc << (6 - bits)) & 63];  /* the last 2 bits */
	out[o] = '\0';
}

/* a fresh directory.id as Kafka's DirectoryId.random() makes it: 16
 * random bytes in URL-safe base64 without padding, not one of the
 * reserved ids (most significant half 0, least below 100) and not
 * starting with '-' */
static int directory_id(char *out, size_t len, char *err, size_t errlen)
{
	for (int tries = 0; tries < 16; tries++) {
		uint8_t b[16];
		char s[32];
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
			psc_setf(err, errlen, "getrandom: %s", strerror(errno));
			return -1;
		}
		uint64_t hi = 0, lo = 0;
		for (int i = 0; i < 8; i++) {
			hi = hi << 8 | b[i];
			lo = lo << 8 | b[8 + i];
		}
		if (hi == 0 && lo < 100)
			continue;
		b64url(b, s);
		if (s[0] == '-' || len < 23)
			continue;
		snprintf(out, len, "%s", s);
		return 0;
	}
	psc_setf(err, errlen, "cannot make a directory id");
	return -1;
}

/* ---- the template ---- */

static const char template_props[] =
	"# pscLab's KRaft storage template (runtime/kafka_storage.h): what\n"
	"# kafka-storage.sh format writes for a combined broker and controller\n"
	"# of a static quorum; nothing listens on these addresses\n"
	"process.roles=broker,controller\n"
	"node.id=1\n"
	"controller.quorum.voters=1@127.0.0.1:9093\n"
	"listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n"
	"inter.broker.listener.name=PLAINTEXT\n"
	"controller.listener.names=CONTROLLER\n"
	"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,"
	"CONTROLLER:PLAINTEXT\n"
	"log.dirs=%s/data\n";

/* node_dir/config/server.properties: template_props for node_dir */
static int solo_props(const char *node_dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], props[sizeof(template_props) + PATH_MAX];
	snprintf(path, sizeof(path), "%s/config", node_dir);
	int n = snprintf(props, sizeof(props), template_props, node_dir);
	if (n < 0 || (size_t)n >= sizeof(props)) {
		psc_setf(err, errlen, "%s: path too long", node_dir);
		return -1;
	}
	return psc_mkdirs(path, err, errlen) < 0 ||
			       write_renamed(path, "server.properties", props,
					     (size_t)n, err, errlen) < 0
		       ? -1
		       : 0;
}

/* the template's cluster id: replaced in every stamped meta.properties */
#define TEMPLATE_CLUSTER "cHNjbGFiLXRlbXBsYXRlAA"

static bool template_ready(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/" BOOTSTRAP, dir);
	if (access(p, R_OK) != 0)
		return false;
	snprintf(p, sizeof(p), "%s/" META, dir);
	return access(p, R_OK) == 0;
}

/* format into tmp; 1 when its data/ holds just the two files and
 * meta.properties the four keys, moved up into tmp */
static int template_format(const psc_kafka_env *e, const char *tmp,
			   char *why, size_t whylen, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], log[PATH_MAX + 64], tail[1024];
	static psc_kafka_cmd c;
	snprintf(path, sizeof(path), "%s/logs", tmp);
	if (psc_mkdirs(path, err, errlen) < 0)
		return -1;
	if (solo_props(tmp, err, errlen) < 0)
		return -1;
	if (psc_kafka_format_cmd_at(e, TEMPLATE_CLUSTER, tmp, &c, err,
				    errlen) < 0)
		return -1;
	snprintf(log, sizeof(log), "%s/logs/format.log", tmp);
	psc_proc_job job = {.argv = c.argv.v, .envp = c.envp.v,
			    .logpath = log};
	if (psc_proc_run_all(&job, 1, PSC_KAFKA_FORMAT_TIMEOUT_MS, err,
			     errlen) < 0)
		return -1;
	if (job.status != 0) {
		psc_setf(err, errlen, "kafka-storage.sh format of the storage "
			 "template %s failed (status %d); last lines of %s:\n%s",
			 tmp, job.status, log,
			 psc_file_tail(log, 0, 5, tail, sizeof(tail)));
		return -1;
	}
	/* exactly the two files */
	snprintf(path, sizeof(path), "%s/data", tmp);
	DIR *d = opendir(path);
	struct dirent *de;
	int files = 0, rc = 1;
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, BOOTSTRAP) != 0 &&
		    strcmp(de->d_name, META) != 0) {
			psc_setf(why, whylen, "Kafka's format writes %s, which "
				 "pscLab does not stamp", de->d_name);
			rc = 0;
		}
		files++;
	}
	if (d)
		closedir(d);
	if (rc == 1 && files != 2) {
		psc_setf(why, whylen, "Kafka's format wrote %d files in %s, "
			 "not %s and %s", files, path, BOOTSTRAP, META);
		rc = 0;
	}
	char *text = NULL;
	size_t len;
	meta m;
	snprintf(path, sizeof(path), "%s/data/" META, tmp);
	if (rc == 1 && read_small(path, &text, &len, err, errlen) < 0)
		return -1;
	if (rc == 1)
		rc = meta_parse(text, &m, why, whylen);
	free(text);
	for (size_t i = 0; rc == 1 && i < 2; i++) {
		const char *f = i ? META : BOOTSTRAP;
		char from[PATH_MAX + 64], to[PATH_MAX + 64];
		snprintf(from, sizeof(from), "%s/data/%s", tmp, f);
		snprintf(to, sizeof(to), "%s/%s", tmp, f);
		if (rename(from, to) != 0) {
			psc_setf(err, errlen, "cannot rename %s to %s: %s",
				 from, to, strerror(errno));
			return -1;
		}
	}
	return rc;
}

int psc_kafka_storage_template(const psc_kafka_env *e, char *out,
			       size_t len, char *why, size_t whylen,
			       char *err, size_t errlen)
{
	char key[128], dir[PATH_MAX], tmp[PATH_MAX];
	if (psc_kafka_install_key(e, key, sizeof(key), err, errlen) < 0)
		return -1;
	const char *over = getenv(PSC_KAFKA_TEMPLATES_ENV);
	int n = over && over[0] == '/'
			? snprintf(dir, sizeof(dir), "%s", over)
			: snprintf(dir, sizeof(dir), "%s/kraft",
				   psc_kafka_cache_dir());
	if (n < 0 || (size_t)n >= sizeof(dir) ||
	    (size_t)snprintf(out, len, "%s/%s", dir, key) >= len ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, key) >=
		    sizeof(tmp)) {
		psc_setf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (template_ready(out))
		return 1;
	if (psc_mkdirs(dir, err, errlen) < 0)
		return -1;
	if (!mkdtemp(tmp)) {
		psc_setf(err, errlen, "cannot create a directory in %s: %s",
			 dir, strerror(errno));
		return -1;
	}
	int rc = template_format(e, tmp, why, whylen, err, errlen);
	if (rc == 1 && rename(tmp, out) != 0) {
		int en = errno;
		if ((en != EEXIST && en != ENOTEMPTY) || !template_ready(out)) {
			psc_setf(err, errlen, "cannot rename %s to %s: %s", tmp,
				 out, strerror(en));
			rc = -1;
		}
		/* else another pscLab made it first: its template is kept */
	} else if (rc == 1) {
		return 1;
	}
	(void)psc_rm_tree(tmp);
	return rc;
}

/* ---- stamping ---- */

static int stamp_dir(const char *tmpl, const char *bootstrap, size_t blen,
		     const meta *m, const psc_topology *t, const psc_broker *b,
		     const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], text[2048], id[32];
	snprintf(path, sizeof(path), "%s/" META, dir);
	if (access(path, F_OK) == 0)
		return 0;                       /* formatted before */
	if (psc_mkdirs(dir, err, errlen) < 0 ||
	    directory_id(id, sizeof(id), err, errlen) < 0 ||
	    write_renamed(dir, BOOTSTRAP, bootstrap, blen, err, errlen) < 0)
		return -1;
	int n = snprintf(text, sizeof(text), "#\n# written by pscLab from the "
			 "KRaft storage template %.1024s\n# "
			 "(runtime/kafka_storage.h), as kafka-storage.sh "
			 "format writes it\n", tmpl);
	for (size_t i = 0; i < m->n && n > 0 && (size_t)n < sizeof(text); i++) {
		char v[128];
		const char *k = m->key[i];
		if (strcmp(k, "node.id") == 0)
			snprintf(v, sizeof(v), "%ld", b->node_id);
		else if (strcmp(k, "cluster.id") == 0)
			snprintf(v, sizeof(v), "%s", t->kafka.cluster_id);
		else if (strcmp(k, "directory.id") == 0)
			snprintf(v, sizeof(v), "%s", id);
		else
			snprintf(v, sizeof(v), "%s", m->value[i]);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s=%s\n", k,
			      v);
	}
	if (n < 0 || (size_t)n >= sizeof(text)) {
		psc_setf(err, errlen, "%s: too long", path);
		return -1;
	}
	return write_renamed(dir, META, text, (size_t)n, err, errlen);
}

int psc_kafka_storage_stamp(const char *tmpl, const psc_topology *t,
			    const psc_broker *b, const char *node_dir,
			    char *err, size_t errlen)
{
	char dirs[PSC_TEXT_LEN + PATH_MAX], path[PATH_MAX + 32], why[256];
	char *bootstrap = NULL, *mtext = NULL;
	size_t blen = 0, mlen = 0;
	meta m;
	int rc = -1;
	const char *id = t->kafka.cluster_id;
	if (!id[0] || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			     "qrstuvwxyz0123456789_-") != strlen(id)) {
		psc_setf(err, errlen, "topology '%s': kafka.cluster_id '%s' is "
			 "not a Kafka cluster id (URL-safe base64)", t->name,
			 id);
		return -1;
	}
	if (psc_kafka_log_dirs(t, node_dir, dirs, sizeof(dirs)) < 0) {
		psc_setf(err, errlen, "broker '%s': log.dirs too long",
			 b->instance);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" BOOTSTRAP, tmpl);
	if (read_small(path, &bootstrap, &blen, err, errlen) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/" META, tmpl);
	if (read_small(path, &mtext, &mlen, err, errlen) < 0)
		goto out;
	if (meta_parse(mtext, &m, why, sizeof(why)) != 1) {
		psc_setf(err, errlen, "storage template %s: %s", tmpl, why);
		goto out;
	}
	for (char *save = NULL, *d = strtok_r(dirs, ",", &save); d;
	     d = strtok_r(NULL, ",", &save))
		if (stamp_dir(tmpl, bootstrap, blen, &m, t, b, d, err,
			      errlen) < 0)
			goto out;
	rc = 0;
out:
	free(bootstrap);
	free(mtext);
	return rc;
}

int psc_kafka_storage_solo(const char *tmpl, const char *node_dir, char *err,
			   size_t errlen)
{
	char path[PATH_MAX + 32], data[PATH_MAX + 16];
	snprintf(data, sizeof(data), "%s/data", node_dir);
	if (solo_props(node_dir, err, errlen) < 0 ||
	    psc_mkdirs(data, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/logs", node_dir);
	if (psc_mkdirs(path, err, errlen) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		const char *f = i ? META : BOOTSTRAP;
		char *buf;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", tmpl, f);
		if (read_small(path, &buf, &len, err, errlen) < 0)
			return -1;
		int rc = write_renamed(data, f, buf, len, err, errlen);
		free(buf);
		if (rc < 0)
			return -1;
	}
	return 0;
}
