/* cli.c - pscLab's command line: one table of verbs, each a function that
 * parses its own arguments and returns the process exit code.  Errors go to
 * stderr, data to stdout.  Exit codes (README.md, "Exit codes"):
 *   0 success, 1 findings, a failed check or an action that could not be
 *   done, 2 usage error, unreadable input, a lab that is not up or a node
 *   the lab does not have; exec: the command's status. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/consumers.h"
#include "model/diag.h"
#include "base/util.h"
#include "model/addr.h"
#include "model/topology.h"
#include "model/topology_load.h"
#include "lint/lint.h"
#include "plan/plan.h"
#include "runtime/fault.h"
#include "runtime/kafka_prepare.h"
#include "runtime/lab.h"
#include "runtime/serve.h"
#include "runtime/store.h"
#include "verify/trace_run.h"
#include "verify/check_faults.h"
#include "verify/exercise.h"
#include "verify/verify_run.h"
#include "verify/reconfigure.h"
#include "cli/graph.h"
#include "cli/graph_live.h"
#include "cli/graph_render.h"
#include "cli/graph_write.h"
#include "cli/import_cmd.h"
#include "cli/status.h"

#ifndef PSCLAB_VERSION
#define PSCLAB_VERSION "0.1.0"
#endif
#ifndef PSCLAB_TOPODIR
#define PSCLAB_TOPODIR "/usr/local/share/psclab/topologies"
#endif
#ifndef PSCLAB_EXDIR
#define PSCLAB_EXDIR "/usr/local/share/psclab/exercises"
#endif

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

struct cmd {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;       /* the rest of `pscLab <verb> --help` */
	int (*fn)(const struct cmd *c, int argc, char **argv);
};

static const char *prog = "pscLab";

static void usage_line(FILE *out, const struct cmd *c)
{
	fprintf(out, "usage: %s %s %s\n", prog, c->name, c->args);
}

/* what a user types first, per verb (pscLab <verb> --help) */
static const struct {
	const char *verb, *oneline, *lines;
} verb_info[] = {
	{"up", "build a lab from a topology or a plan, start its Kafka, verify it",
	 "sudo pscLab up portmap\nsudo pscLab up proxy\n"
	       "sudo pscLab up plan.json --name mylab\n"
	       "sudo pscLab up topologies/proxy-dynamic.yaml --network-only"},
	{"down", "remove everything a lab made", "sudo pscLab down portmap"},
	{"status", "nodes, processes, health, PSC, DNS, counters, leaks", "sudo pscLab status\nsudo pscLab status proxy --json"},
	{"verify", "check every path as the changefeed would", "sudo pscLab verify portmap\n"
		   "sudo pscLab verify proxy --strict --junit verify.xml"},
	{"trace", "one connection from a node, every hop it took",
		  "sudo pscLab trace portmap b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093\n"
		  "sudo pscLab trace proxy 172.16.0.10:9092 --json\n"
		  "sudo pscLab trace portmap 10.64.0.2:39092 --from bastion-node"},
	{"exec", "run a command in a node (the Kafka tools on PATH)", "sudo pscLab exec portmap changefeed -- "
		 "kafka-broker-api-versions.sh --bootstrap-server "
		 "b1.abc.us-west1.gcp.3199745.tidbcloud.com:9093"},
	{"fault", "break the lab on purpose, and mend it", "sudo pscLab fault proxy stop kafka-proxy-node\n"
		  "sudo pscLab fault portmap firewall-disable allow-psc-traffic\n"
		  "sudo pscLab fault portmap netem changefeed delay=200 loss=5\n"
		  "sudo pscLab fault portmap reject tidbcloud-prod-000\n"
		  "sudo pscLab fault portmap dns-drop kafka-psc-zone '*'\n"
		  "sudo pscLab fault portmap clear all"},
	{"restart", "restart a broker or kafka-proxy", "sudo pscLab restart portmap broker-node2"},
	{"prepare", "make the brokers' storage template and class-data archive (make deps does)",
	 "sudo pscLab prepare\nsudo KAFKA_VERSION=4.1.1 pscLab prepare"},
	{"reconfigure", "add the EXTERNAL listener to a running cluster, one broker at a time",
	 "sudo pscLab up portmap --existing-cluster\nsudo pscLab reconfigure portmap\n"
	 "sudo pscLab reconfigure portmap --resume --json"},
	{"check", "a break/fix exercise: start it, grade it", "sudo pscLab check portmap psc-firewall --start\n"
		  "sudo pscLab check portmap psc-firewall\n"
		  "sudo pscLab check sc-seed-bootstrap seed-bootstrap --start"},
	{"logs", "the last lines of a node's log, or of all its logs", "sudo pscLab logs proxy kafka-proxy-node\n"
		 "sudo pscLab logs portmap broker-node1 -n 200\n"
		 "sudo pscLab logs portmap broker-node1 --all -f"},
	{"lint", "validate a topology or a Terraform plan, every finding located", "pscLab lint portmap\npscLab lint scenarios/no-psc-firewall\n"
		 "pscLab lint my-topology.yaml --strict\npscLab lint plan.json"},
	{"import", "a Terraform/OpenTofu plan (tofu show -json) as a topology",
	 "tofu plan -out=plan.bin && tofu show -json plan.bin > plan.json\n"
	 "pscLab import plan.json -o my-lab.yaml\n"
	 "pscLab import plan.json --name mylab --kafka kafka.yaml > my-lab.yaml\n"
	 "pscLab import ../shared/import/portmap/plan.json --name imp-portmap"},
	{"graph", "a picture of a topology or of a running lab", "pscLab graph portmap --format svg -o portmap.svg\n"
		  "pscLab graph proxy --format mermaid -o proxy.mmd\n"
		  "sudo pscLab graph portmap --format html -o portmap.html   # portmap up: coloured"},
};

static void cmd_help(const struct cmd *c)
{
	usage_line(stdout, c);
	printf("\n%s\n", c->summary);
	if (c->help && *c->help)
		printf("\n%s", c->help);
	if (!strcmp(c->name, "import") || !strcmp(c->name, "lint") ||
	    !strcmp(c->name, "up"))
		printf("\n%s", psc_cli_plan_options_help);
	for (size_t i = 0; i < sizeof(verb_info) / sizeof(verb_info[0]); i++) {
		if (strcmp(verb_info[i].verb, c->name) != 0)
			continue;
		printf("\nExamples:\n  ");
		for (const char *l = verb_info[i].lines; *l; l++)
			fputs(*l == '\n' ? "\n  " : (char[]){*l, 0}, stdout);
		putchar('\n');
	}
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Where the shipped data of `sub` is: $env, else beside the binary
 * (<dir>/../<build> in a build tree, <dir>/../share/psclab/<sub> where it
 * is installed, whatever the PREFIX), else the directory the build was
 * configured with (dflt). */
static const char *data_dir(const char *env, const char *build,
			    const char *sub, const char *dflt, char *buf,
			    size_t len)
{
	const char *e = getenv(env);
	if (e && *e)
		return e;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0 && len >= PATH_MAX) {
		exe[n] = '\0';
		const char *dir = dirname(exe);
		for (size_t i = 0; i < 2; i++) {
			char guess[PATH_MAX + 40];
			struct stat st;
			snprintf(guess, sizeof(guess), i ? "%s/../share/psclab/%s"
							 : "%s/../%s",
				 dir, i ? sub : build);
			if (stat(guess, &st) == 0 && S_ISDIR(st.st_mode) &&
			    realpath(guess, buf))
				return buf;
		}
	}
	return dflt;
}

static const char *topology_dir(char *buf, size_t len)
{
	return data_dir("PSCLAB_TOPOLOGIES", "topologies", "topologies",
			PSCLAB_TOPODIR, buf, len);
}

/* The .yaml files of dir, each as " <prefix><name>" after *sep. */
static void list_yaml(const char *dir, const char *prefix, const char **sep,
		      FILE *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0) {
			fprintf(out, "%s %s%.*s", *sep, prefix, (int)(l - 5),
				e->d_name);
			*sep = ",";
		}
	}
	if (d)
		closedir(d);
}

/* A bare name must exist in the topology directory; say which do (the
 * broken ones of its scenarios/ too, as scenarios/<name>). */
static void list_topologies(const char *dir, FILE *out)
{
	const char *sep = "";
	char sub[PATH_MAX + 16];
	fprintf(out, "%s: topologies in %s:", prog, dir);
	list_yaml(dir, "", &sep, out);
	snprintf(sub, sizeof(sub), "%s/" PSC_SCENARIO_PREFIX, dir);
	list_yaml(sub, PSC_SCENARIO_PREFIX, &sep, out);
	fprintf(out, "%s\n", *sep ? "" : " none");
}

static int resolve_topology(const char *arg, char *path, size_t len)
{
	char dir[PATH_MAX], err[256];
	const char *topodir = topology_dir(dir, sizeof(dir));
	struct stat st;
	if (psc_topology_path(arg, topodir, path, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	if (strcmp(path, arg) != 0 && stat(path, &st) != 0) {
		fprintf(stderr, "%s: no topology named '%s' (%s: %s)\n", prog,
			arg, path, strerror(errno));
		list_topologies(topodir, stderr);
		return -1;
	}
	return 0;
}

/* The common shape of a verb's arguments: flags (each sets a bool) and
 * one positional argument (required unless optional).  Prints the error
 * and returns -1 on anything else. */
struct flag {
	const char *name;
	const char *alias;     /* or NULL */
	bool *val;
};

static int parse_one(const struct cmd *c, int argc, char **argv,
		     const struct flag *flags, const char **pos, bool optional)
{
	*pos = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool matched = false;
		for (const struct flag *f = flags; f && f->name; f++)
			if (strcmp(a, f->name) == 0 ||
			    (f->alias && strcmp(a, f->alias) == 0)) {
				*f->val = true;
				matched = true;
			}
		if (matched)
			continue;
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s %s: unknown option '%s'\n", prog,
				c->name, a);
			usage_line(stderr, c);
			return -1;
		}
		if (*pos) {
			fprintf(stderr, "%s %s: one argument at a time ('%s' "
				"and '%s')\n", prog, c->name, *pos, a);
			usage_line(stderr, c);
			return -1;
		}
		*pos = a;
	}
	if (!*pos && !optional) {
		usage_line(stderr, c);
		return -1;
	}
	return 0;
}

/* ---- lint ---- */

static int run_lint(const struct cmd *c, int argc, char **argv)
{
	bool strict = false, quiet = false;
	const char *target;
	const struct flag flags[] = {{"--strict", NULL, &strict},
				     {"--quiet", "-q", &quiet},
				     {NULL, NULL, NULL}};
	if (psc_cli_plan_target(argc, argv)) {
		psc_cli_plan_args a;
		if (psc_cli_plan_parse("lint", argc, argv, &a) < 0) {
			usage_line(stderr, c);
			return EXIT_USAGE;
		}
		return psc_cli_lint_plan(&a);
	}
	if (parse_one(c, argc, argv, flags, &target, false) < 0)
		return EXIT_USAGE;
	char path[PATH_MAX];
	if (resolve_topology(target, path, sizeof(path)) < 0)
		return EXIT_USAGE;

	psc_diags d;
	psc_diags_init(&d, path);
	int rc = psc_lint_file(path, strict, &d);
	/* findings are the command's data when the file was readable */
	psc_diags_print(&d, rc == 2 ? stderr : stdout);
	if (!quiet)
		fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", path,
			d.n_errors, d.n_errors == 1 ? "" : "s", d.n_warnings,
			d.n_warnings == 1 ? "" : "s");
	psc_diags_free(&d);
	return rc;
}

/* ---- graph ---- */

struct graph_args {
	const char *target;
	const char *outfile;            /* NULL: stdout */
	psc_graph_format fmt;
};

/* the value of option argv[*i] ("--format svg" or "--format=svg") */
static const char *opt_value(const char *name, int argc, char **argv, int *i)
{
	size_t l = strlen(name);
	if (strncmp(argv[*i], name, l) == 0 && argv[*i][l] == '=')
		return argv[*i] + l + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int parse_graph(const struct cmd *c, int argc, char **argv,
		       struct graph_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = opt_value("--format", argc, argv, &i))) {
			if (psc_graph_format_parse(v, &a->fmt) < 0) {
				fprintf(stderr, "%s graph: unknown format '%s'; "
					"the formats: %s\n", prog, v,
					PSC_GRAPH_FORMATS);
				return -1;
			}
		} else if ((v = opt_value("-o", argc, argv, &i)) ||
			   (v = opt_value("--output", argc, argv, &i))) {
			a->outfile = v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s graph: unknown option, or one "
				"without its value: '%s'\n", prog, argv[i]);
			usage_line(stderr, c);
			return -1;
		} else if (!a->target) {
			a->target = argv[i];
		} else {
			usage_line(stderr, c);
			return -1;
		}
	}
	if (!a->target) {
		usage_line(stderr, c);
		return -1;
	}
	return 0;
}

/* A topology file's model (linted clean): NULL with the exit code. */
static psc_topology *graph_topology(const char *target, int *ec)
{
	char path[PATH_MAX];
	if (resolve_topology(target, path, sizeof(path)) < 0) {
		*ec = EXIT_USAGE;
		return NULL;
	}
	psc_diags d;
	psc_diags_init(&d, path);
	psc_topology *t = psc_lint_load(path, false, &d, ec);
	if (!t) {
		psc_diags_print(&d, stderr);
		fprintf(stderr, "%s graph: %s does not lint clean; run "
			"'%s lint %s'\n", prog, path, prog, target);
	}
	psc_diags_free(&d);
	return t;
}

/* The graph of target: the lab of that name when it is up (coloured by
 * its state), else the topology file.  NULL with the exit code. */
static psc_graph *graph_of(const char *target, int *ec)
{
	char err[1024];
	psc_topology *t = NULL;
	psc_plan *p = calloc(1, sizeof(*p));
	psc_graph *g = calloc(1, sizeof(*g));
	bool live = false;
	*ec = EXIT_FINDINGS;
	if (!p || !g) {
		fprintf(stderr, "%s graph: out of memory\n", prog);
		goto fail;
	}
	if (psc_lab_name_check(target, err, sizeof(err)) == 0) {
		int rc = psc_lab_load(target, &t, p, err, sizeof(err));
		live = rc == 0;
		if (rc < 0 && rc != PSC_LAB_NOT_UP) {
			fprintf(stderr, "%s graph: lab '%s' is up but cannot be "
				"read: %s\n", prog, target, err);
			goto fail;
		}
	}
	if (!live && !(t = graph_topology(target, ec)))
		goto fail;
	if ((!live && psc_plan_build(t, p, err, sizeof(err)) < 0) ||
	    psc_graph_build(t, p, g, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s graph: %s\n", prog, err);
		goto fail;
	}
	if (live)
		psc_graph_live(target, p, g);
	psc_topology_free(t);
	free(p);
	return g;
fail:
	psc_topology_free(t);
	free(p);
	free(g);
	return NULL;
}

/* g in format f into *buf (malloc()ed), *len bytes; -1 with err */
static int graph_bytes(const psc_graph *g, psc_graph_format f, char **buf,
		       size_t *len, char *err, size_t errlen)
{
	static const char *const gv[] = {[PSC_GRAPH_SVG] = "svg",
					 [PSC_GRAPH_PNG] = "png",
					 [PSC_GRAPH_HTML] = "svg"};
	char *svg = NULL;
	size_t svglen = 0;
	if (f == PSC_GRAPH_SVG || f == PSC_GRAPH_PNG)
		return psc_graph_render(g, gv[f], buf, len, err, errlen);
	if (f == PSC_GRAPH_HTML &&
	    psc_graph_render(g, "svg", &svg, &svglen, err, errlen) < 0)
		return -1;
	FILE *m = open_memstream(buf, len);
	int rc = !m ? -1
		 : f == PSC_GRAPH_DOT ? psc_graph_write_dot(g, m)
		 : f == PSC_GRAPH_MERMAID ? psc_graph_write_mermaid(g, m)
					  : psc_graph_write_html(g, svg, svglen, m);
	if (!m || fclose(m) != 0 || rc < 0) {
		psc_setf(err, errlen, "cannot write the graph to memory: %s",
			 strerror(errno));
		rc = -1;
	}
	free(svg);
	return rc;
}

/* buf into path (a temporary file renamed into place) or stdout */
static int graph_out(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX];
	FILE *f = stdout;
	if (path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
		f = fopen(tmp, "w");
	}
	bool ok = f && fwrite(buf, 1, len, f) == len && fflush(f) == 0;
	int e = errno;
	if (path && f && fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (path && ok && rename(tmp, path) != 0) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		if (path)
			unlink(tmp);
		fprintf(stderr, "%s graph: cannot write %s: %s\n", prog,
			path ? path : "stdout", strerror(e));
	}
	return ok ? EXIT_OK : EXIT_FINDINGS;
}

static int run_graph(const struct cmd *c, int argc, char **argv)
{
	struct graph_args a;
	char err[2048];
	int ec;
	if (parse_graph(c, argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (a.fmt == PSC_GRAPH_PNG && !a.outfile && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s graph: a PNG is not for the terminal\n  fix: "
			"%s graph %s --format png -o %s.png\n", prog, prog,
			a.target, a.target);
		return EXIT_USAGE;
	}
	psc_graph *g = graph_of(a.target, &ec);
	if (!g)
		return ec;
	char *buf = NULL;
	size_t len = 0;
	if (graph_bytes(g, a.fmt, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s graph: %s\n", prog, err);
		free(g);
		return EXIT_FINDINGS;
	}
	free(g);
	ec = graph_out(a.outfile, buf, len);
	free(buf);
	return ec;
}

/* ---- up, down, status, exec ---- */

static bool need_root(const char *verb)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "%s %s: needs root (network namespaces and nftables); "
		"run 'sudo %s %s ...'\n", prog, verb, prog, verb);
	return false;
}

/* A lab argument: a lab's name (else a usage error, printed). */
static bool lab_name_ok(const char *verb, const char *lab)
{
	char err[256];
	if (psc_lab_name_check(lab, err, sizeof(err)) == 0)
		return true;
	fprintf(stderr, "%s %s: %s\n", prog, verb, err);
	return false;
}

/* a lab or a node that is not there is a usage error (README's table) */
static bool not_there(int rc)
{
	return rc == PSC_LAB_NOT_UP || rc == PSC_LAB_NO_NODE;
}

/* After up, the TiDB Cloud side's line: the changefeed node, the PSC
 * endpoint's bootstrap address and ports, the advertised names; the first
 * of those into first. */
static void changefeed_side(const psc_topology *t, const psc_plan *p,
			    char *first, size_t len)
{
	const psc_kafka_proxy *kp = &t->kafka_proxy;
	char a[PSC_ADDR_LEN], ip[16];
	const char *ep_ip = "";
	for (size_t i = 0; i < p->n_eps; i++)
		if (strcmp(p->eps[i].ep->name, t->changefeed.endpoint) == 0)
			ep_ip = psc_ip_str(p->eps[i].ip, ip, sizeof(ip));
	printf("  TiDB Cloud side, node %s: bootstrap %s ports",
	       t->changefeed.instance, ep_ip);
	for (size_t i = 0; i < t->changefeed.n_bootstrap_ports; i++)
		printf("%s%ld", i ? "," : " ", t->changefeed.bootstrap_ports[i]);
	printf("; advertised:");
	for (size_t i = 0; kp->present && i < kp->n_bootstrap_server_mappings;
	     i++) {
		const char *adv = kp->bootstrap_server_mappings[i].advertised;
		printf(" %s", adv);
		if (!first[0])
			snprintf(first, len, "%s", adv);
	}
	for (size_t i = 0; !kp->present && i < t->kafka.n_brokers; i++)
		if (psc_broker_advertised_external(t, &t->kafka.brokers[i], a,
						   sizeof(a)) == 0) {
			printf(" %s", a);
			if (!first[0])
				snprintf(first, len, "%s", a);
		}
	printf("\n");
}

/* After up: what is up, the addresses a user needs on each side, the
 * time, and what to run next (commands that work as written).  t is the
 * topology up built. */
static void up_summary(psc_topology *t, long long ms, bool network_only)
{
	const char *lab = t->name;
	psc_plan *p = calloc(1, sizeof(*p));
	char err[512], a[PSC_ADDR_LEN];
	if (!p || psc_plan_build(t, p, err, sizeof(err)) < 0) {
		free(p);
		return;
	}
	const psc_kafka_proxy *kp = &t->kafka_proxy;
	char what[64];
	if (network_only)
		snprintf(what, sizeof(what), "the network only, no Kafka");
	else
		snprintf(what, sizeof(what), "%zu brokers%s", t->kafka.n_brokers,
			 kp->present ? " and kafka-proxy" : "");
	printf("\nlab '%s' is up: the %s approach, %s, in %.1f s (state in "
	       "/run/psclab/%s)\n", lab, t->approach, what, (double)ms / 1000.0,
	       lab);
	char first[PSC_ADDR_LEN] = "";
	if (t->changefeed.present)
		changefeed_side(t, p, first, sizeof(first));
	/* the seed's FAQ: each further TiDB Cloud project's side */
	for (size_t k = 1; k < psc_consumer_count(t); k++) {
		char other[PSC_ADDR_LEN] = "";
		psc_topology *v = psc_consumer_view(t, k, err, sizeof(err));
		if (v)
			changefeed_side(v, p, other, sizeof(other));
		psc_topology_free(v);
	}
	if (psc_find_instance(t, "bastion-node") && t->kafka.n_brokers &&
	    psc_broker_advertised_internal(t, &t->kafka.brokers[0], a,
					   sizeof(a)) == 0)
		printf("  Kafka VPC side, node bastion-node: INTERNAL %s\n", a);
	printf("next:\n");
	if (!network_only)
		printf("  sudo pscLab verify %s\n", lab);
	if (first[0] && !network_only)
		printf("  sudo pscLab exec %s %s -- kafka-broker-api-versions.sh "
		       "--bootstrap-server %s\n", lab, t->changefeed.instance,
		       first);
	printf("  sudo pscLab status %s\n  sudo pscLab down %s\n", lab, lab);
	free(p);
}

/* The topology up builds, loaded and linted once, here: the lab's name and
 * the summary come from it, and a file that cannot be read as a topology
 * is an input error before anything is built.  NULL with the exit code
 * when it does not lint clean (the findings printed where up prints
 * them). */
static psc_topology *up_topology(const char *path, bool ignore_lint,
				 int *exit_code)
{
	psc_diags d;
	int rc;
	psc_diags_init(&d, path);
	psc_topology *t = psc_lint_load(path, false, &d, &rc);
	if (!t && rc == 1 && ignore_lint) {
		/* lint's errors only: up prints them and goes on */
		bool unreadable = false;
		psc_diags d2;
		psc_diags_init(&d2, path);
		t = psc_topology_load_file(path, &d2, &unreadable);
		if (t && (d2.n_errors || unreadable)) {
			psc_topology_free(t);
			t = NULL;
		}
		psc_diags_free(&d2);
	}
	if (!t) {
		psc_diags_print(&d, rc == 2 ? stderr : stdout);
		fprintf(stderr, "%s up: %s does not lint clean: nothing was "
			"built\n", prog, path);
		*exit_code = rc == 2 ? EXIT_USAGE : EXIT_FINDINGS;
	}
	psc_diags_free(&d);
	return t;
}

/* The lab is up: verify it as `pscLab verify` would, its report on
 * stdout; psc_verify_exit_code's code. */
static int up_verify(const char *lab)
{
	static psc_verify_report r;
	psc_verify_opts vo;
	char err[4096];
	memset(&vo, 0, sizeof(vo));
	printf("verify:\n");
	fflush(stdout);
	int rc = psc_verify_run(lab, &vo, &r, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s up: verify: %s\n", prog, err);
	else
		psc_verify_print_text(&r, stdout);
	if (r.last_err[0])
		fprintf(stderr, "%s up: verify: its result is not kept for "
			"'graph': %s\n", prog, r.last_err);
	return psc_verify_exit_code(rc, &r);
}

/* up of a topology file (path): lint, build, verify, summary */
static int up_path(const char *path, const psc_up_opts *o)
{
	char err[4096];
	long long t0 = psc_now_ms();
	int ec = EXIT_OK;
	psc_topology *t = up_topology(path, o->ignore_lint, &ec);
	if (!t)
		return ec;
	if (psc_lab_up(path, o, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s up: %s\n", prog, err);
		psc_topology_free(t);
		return EXIT_FINDINGS;
	}
	/* the lab is up: green only when the changefeed's checks are; an
	 * existing cluster has no path through PSC yet (reconfigure makes it) */
	int vrc = o->network_only || o->existing_cluster ? 0
							  : up_verify(t->name);
	if (o->existing_cluster)
		printf("verify: not run: the brokers have no EXTERNAL listener "
		       "and the NEG maps nothing yet (the customer's cluster "
		       "before PSC)\n  next: sudo pscLab reconfigure %s\n",
		       t->name);
	up_summary(t, psc_now_ms() - t0, o->network_only);
	if (vrc != 0)
		fprintf(stderr, "%s up: lab '%s' is up but verify is not "
			"green\n  why: the checks above\n  fix: see 'sudo "
			"pscLab status %s', 'sudo pscLab logs %s <node>'; "
			"'sudo pscLab down %s' removes it\n", prog, t->name,
			t->name, t->name, t->name);
	psc_topology_free(t);
	return vrc == 0 ? EXIT_OK : EXIT_FINDINGS;
}

/* up of a plan: imported to a temporary file (up keeps its own copy in
 * the lab's state), brought up, the file removed */
static int up_plan(const struct cmd *c, int argc, char **argv)
{
	psc_cli_plan_args a;
	char path[PATH_MAX];
	if (psc_cli_plan_parse("up", argc, argv, &a) < 0) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (!need_root("up"))
		return EXIT_USAGE;
	int rc = psc_cli_plan_topology(&a, path, sizeof(path));
	if (rc != EXIT_OK)
		return rc;
	psc_up_opts o = {.network_only = a.network_only, .lint_printed = true};
	rc = up_path(path, &o);
	unlink(path);
	return rc;
}

static int run_up(const struct cmd *c, int argc, char **argv)
{
	psc_up_opts o = {0};
	const char *target;
	const struct flag flags[] = {{"--network-only", NULL, &o.network_only},
				     {"--ignore-lint", NULL, &o.ignore_lint},
				     {"--existing-cluster", NULL,
				      &o.existing_cluster},
				     {NULL, NULL, NULL}};
	if (psc_cli_plan_target(argc, argv))
		return up_plan(c, argc, argv);
	if (parse_one(c, argc, argv, flags, &target, false) < 0)
		return EXIT_USAGE;
	char path[PATH_MAX];
	if (resolve_topology(target, path, sizeof(path)) < 0)
		return EXIT_USAGE;
	if (!need_root("up"))
		return EXIT_USAGE;
	return up_path(path, &o);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* ---- check: the graded exercises of lab/exercises/ ---- */

/* the definition of exercise `name` into ex; EXIT_OK or the exit code,
 * the reason printed (an unknown name lists the exercises) */
static int exercise_of(const char *name, psc_exercise *ex)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], err[1024];
	const char *d = data_dir("PSCLAB_EXERCISES", "lab/exercises",
				 "exercises", PSCLAB_EXDIR, dir, sizeof(dir));
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
		    strlen(name) || !*name ||
	    snprintf(path, sizeof(path), "%s/%s.yaml", d, name) >=
		    (int)sizeof(path) || access(path, R_OK) != 0) {
		const char *sep = "";
		fprintf(stderr, "%s check: no exercise named '%s'; the "
			"exercises in %s:", prog, name, d);
		list_yaml(d, "", &sep, stderr);
		fprintf(stderr, "%s\n", *sep ? "" : " none");
		return EXIT_USAGE;
	}
	if (psc_exercise_load(path, ex, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s check: %s\n", prog, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* words of a fault line into argv (buf holds them) */
static int split_words(char *buf, char **argv, int max)
{
	int argc = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, " ", &save); w && argc < max;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return argc;
}

/* --start of a fault exercise: its faults set, marked as its own */
static int check_start_faults(const char *lab, const psc_exercise *ex)
{
	psc_topology *t = NULL;
	static psc_plan p;
	char err[4096], buf[256], *argv[8];
	int rc = psc_lab_load_unfaulted(lab, &t, &p, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s check: %s\n", prog, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	bool same = strcmp(t->approach, ex->approach) == 0;
	psc_topology_free(t);
	if (!same) {
		fprintf(stderr, "%s check: exercise %s runs on a lab of the %s "
			"approach; lab '%s' is not one\n  fix: sudo %s up %s, "
			"then sudo %s check %s %s --start\n", prog, ex->name,
			ex->approach, lab, prog, ex->approach, prog,
			ex->approach, ex->name);
		return EXIT_FINDINGS;
	}
	for (size_t i = 0; i < ex->n_faults; i++) {
		snprintf(buf, sizeof(buf), "%s", ex->faults[i]);
		int argc = split_words(buf, argv, 8);
		if (psc_lab_fault_exercise(lab, ex->name, argc, argv, NULL, err,
					   sizeof(err)) < 0) {
			fprintf(stderr, "%s check: %s\n", prog, err);
			return EXIT_FINDINGS;
		}
	}
	return EXIT_OK;
}

static int check_start(const char *lab, const psc_exercise *ex)
{
	int rc;
	if (ex->scenario[0]) {
		char path[PATH_MAX], name[PSC_NAME_LEN + 16];
		snprintf(name, sizeof(name), "scenarios/%s", ex->scenario);
		if (resolve_topology(name, path, sizeof(path)) < 0)
			return EXIT_USAGE;
		psc_up_opts o = {.ignore_lint = true};
		rc = up_path(path, &o);
		if (rc == EXIT_USAGE)
			return rc;
		rc = EXIT_OK;   /* up, and broken: that is the exercise */
	} else {
		rc = check_start_faults(lab, ex);
	}
	if (rc != EXIT_OK)
		return rc;
	printf("\nexercise %s: %s\n%s\nWhen you think it is mended: sudo "
	       "%s check %s %s\n", ex->name, ex->title, ex->task, prog, lab,
	       ex->name);
	return EXIT_OK;
}

static int check_reset(const char *lab, const psc_exercise *ex)
{
	char err[4096];
	if (ex->scenario[0]) {
		bool was;
		if (psc_lab_down(lab, stdout, &was, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s check: %s\n", prog, err);
			return EXIT_FINDINGS;
		}
		return EXIT_OK;
	}
	char *argv[] = {"clear", "all", NULL};
	int rc = psc_lab_fault_exercise(lab, ex->name, 2, argv, stdout, err,
					sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s check: %s\n", prog, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	return EXIT_OK;
}

/* the lab's stored topology lints clean (a scenario mended) */
static bool stored_lints_clean(const char *lab)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	psc_diags d;
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	psc_diags_init(&d, path);
	int rc = psc_lint_file(path, false, &d);
	psc_diags_free(&d);
	return rc == 0;
}

static int check_grade(const char *lab, const psc_exercise *ex, long timeout)
{
	static psc_verify_report r;
	static psc_faults fs;
	psc_exercise_grade g;
	char err[4096];
	psc_verify_opts o = {.timeout_ms = timeout};
	int rc = psc_verify_run(lab, &o, &r, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s check: %s\n", prog, err);
		return psc_verify_exit_code(rc, &r);
	}
	if (psc_lab_faults_read(lab, &fs, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s check: %s\n", prog, err);
		return EXIT_FINDINGS;
	}
	psc_exercise_grade_of(ex, &r, &fs, !ex->scenario[0] ||
			      stored_lints_clean(lab), &g);
	printf("exercise %s on lab %s: %s\n", ex->name, lab, g.text);
	return g.passed ? EXIT_OK : EXIT_FINDINGS;
}

static int run_check(const struct cmd *c, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	bool start = false, reset = false;
	long timeout = 0;
	size_t np = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--start") == 0)
			start = true;
		else if (strcmp(argv[i], "--reset") == 0)
			reset = true;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
			 parse_long(argv[i + 1], 100, 600000, &timeout) == 0)
			i++;
		else if (argv[i][0] != '-' && np < 2)
			pos[np++] = argv[i];
		else
			np = 3;
	}
	if (np != 2 || (start && reset)) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	psc_exercise ex;
	int rc = exercise_of(pos[1], &ex);
	if (rc != EXIT_OK)
		return rc;
	if (!need_root("check") || !lab_name_ok("check", pos[0]))
		return EXIT_USAGE;
	char want[PSC_NAME_LEN + 8];
	snprintf(want, sizeof(want), "sc-%s", ex.scenario);
	if (ex.scenario[0] && strcmp(pos[0], want) != 0) {
		fprintf(stderr, "%s check: exercise %s is the scenario %s, whose "
			"lab is %s\n  fix: sudo %s check %s %s%s\n", prog,
			ex.name, ex.scenario, want, prog, want, ex.name,
			start ? " --start" : "");
		return EXIT_USAGE;
	}
	if (start)
		return check_start(pos[0], &ex);
	if (reset)
		return check_reset(pos[0], &ex);
	return check_grade(pos[0], &ex, timeout);
}

static int run_import(const struct cmd *c, int argc, char **argv)
{
	(void)c;
	return psc_cli_import(argc, argv);
}

static int run_down(const struct cmd *c, int argc, char **argv)
{
	const char *lab;
	char err[1024];
	bool was_up;
	if (parse_one(c, argc, argv, NULL, &lab, false) < 0)
		return EXIT_USAGE;
	if (!need_root("down") || !lab_name_ok("down", lab))
		return EXIT_USAGE;
	if (psc_lab_down(lab, stdout, &was_up, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s down: %s\n", prog, err);
		return EXIT_FINDINGS;
	}
	if (!was_up)
		fprintf(stderr, "%s down: lab '%s' is not up; nothing to do\n",
			prog, lab);
	return EXIT_OK;
}

static int run_prepare(const struct cmd *c, int argc, char **argv)
{
	char err[4096];
	const char *extra;
	if (parse_one(c, argc, argv, NULL, &extra, true) < 0)
		return EXIT_USAGE;
	if (extra) {
		fprintf(stderr, "%s prepare: takes no argument ('%s')\n", prog,
			extra);
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (!need_root("prepare"))
		return EXIT_USAGE;
	if (psc_kafka_prepare(stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s prepare: %s\n", prog, err);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static int run_status(const struct cmd *c, int argc, char **argv)
{
	const char *lab;
	bool json = false;
	char err[1024];
	const struct flag flags[] = {{"--json", NULL, &json},
				     {NULL, NULL, NULL}};
	if (parse_one(c, argc, argv, flags, &lab, true) < 0)
		return EXIT_USAGE;
	if (!need_root("status") || (lab && !lab_name_ok("status", lab)))
		return EXIT_USAGE;
	int rc = psc_lab_status(lab, json, stdout, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s status: %s\n", prog, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static int run_exec(const struct cmd *c, int argc, char **argv)
{
	int dd = -1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	if (dd != 3 || dd + 1 >= argc) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (!need_root("exec"))
		return EXIT_USAGE;
	if (!lab_name_ok("exec", argv[1]))
		return EXIT_USAGE;
	char err[2048];
	int status;
	int rc = psc_lab_exec(argv[1], argv[2], argv + dd + 1, &status, err,
			  sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s exec: %s\n", prog, err);
		/* the command could not run: 126, or 127 when not found */
		return not_there(rc) ? EXIT_USAGE : status ? status : EXIT_USAGE;
	}
	return status;
}

static int run_logs(const struct cmd *c, int argc, char **argv)
{
	const char *lab = NULL, *node = NULL;
	psc_logs_opts o = {.follow = false, .lines = PSC_LAB_LOG_LINES};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 ||
		    strcmp(argv[i], "--follow") == 0) {
			o.follow = true;
		} else if (strcmp(argv[i], "--all") == 0) {
			o.all = true;
		} else if (strcmp(argv[i], "-n") == 0 ||
			   strcmp(argv[i], "--lines") == 0) {
			char *end = NULL;
			errno = 0;
			long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10)
					      : -1;
			if (i + 1 >= argc || errno || end == argv[i + 1] ||
			    *end || v < 0) {
				fprintf(stderr, "%s logs: %s wants a number of "
					"lines (0: the whole log)\n", prog,
					argv[i]);
				usage_line(stderr, c);
				return EXIT_USAGE;
			}
			o.lines = v == 0 ? -1 : v;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s logs: unknown option '%s'\n", prog,
				argv[i]);
			usage_line(stderr, c);
			return EXIT_USAGE;
		} else if (!lab) {
			lab = argv[i];
		} else if (!node) {
			node = argv[i];
		} else {
			usage_line(stderr, c);
			return EXIT_USAGE;
		}
	}
	if (!lab || !node) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (!need_root("logs"))
		return EXIT_USAGE;
	if (!lab_name_ok("logs", lab))
		return EXIT_USAGE;
	char err[2048];
	int rc = psc_lab_logs(lab, node, &o, stdout, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s logs: %s\n", prog, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static int node_action(const char *verb, const char *lab, const char *node,
		       psc_node_action act)
{
	if (!need_root(verb))
		return EXIT_USAGE;
	if (!lab_name_ok(verb, lab))
		return EXIT_USAGE;
	char err[4096];
	int rc = psc_lab_node_process(lab, node, act, stdout, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s %s: %s\n", prog, verb, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static int run_fault(const struct cmd *c, int argc, char **argv)
{
	if (argc < 3) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (!need_root("fault") || !lab_name_ok("fault", argv[1]))
		return EXIT_USAGE;
	char err[8192];
	int rc = psc_lab_fault(argv[1], argc - 2, argv + 2, stdout, err,
			       sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s fault: %s\n", prog, err);
		return not_there(rc) || rc == PSC_FAULT_BAD_ARGS ? EXIT_USAGE
								 : EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static int run_restart(const struct cmd *c, int argc, char **argv)
{
	if (argc != 3) {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	return node_action("restart", argv[1], argv[2], PSC_NODE_RESTART);
}


/* reconfigure's arguments: the lab, --json, --resume, --rate N */
static int parse_reconfigure(const struct cmd *c, int argc, char **argv,
			     psc_reconfigure_opts *o, const char **lab,
			     bool *json)
{
	*lab = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0)
			*json = true;
		else if (strcmp(a, "--resume") == 0)
			o->resume = true;
		else if (strcmp(a, "--rate") == 0 && i + 1 < argc &&
			 parse_long(argv[i + 1], 1, 10000, &o->rate) == 0)
			i++;
		else if (a[0] == '-' || *lab) {
			fprintf(stderr, "%s reconfigure: bad or extra argument "
				"'%s'\n", prog, a);
			usage_line(stderr, c);
			return -1;
		} else
			*lab = a;
	}
	if (!*lab) {
		usage_line(stderr, c);
		return -1;
	}
	return 0;
}

static int run_reconfigure(const struct cmd *c, int argc, char **argv)
{
	static psc_roll_report r;
	psc_reconfigure_opts o;
	const char *lab;
	bool json = false;
	char err[8192];
	memset(&o, 0, sizeof(o));
	if (parse_reconfigure(c, argc, argv, &o, &lab, &json) < 0)
		return EXIT_USAGE;
	if (!need_root("reconfigure") || !lab_name_ok("reconfigure", lab))
		return EXIT_USAGE;
	o.progress = json ? stderr : stdout;
	int rc = psc_reconfigure_run(lab, &o, &r, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s reconfigure: %s\n", prog, err);
		psc_reconfigure_free(&r);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	if (json)
		psc_roll_report_json(&r, stdout);
	else
		psc_roll_report_text(&r, stdout);
	bool ok = psc_roll_report_ok(&r);
	if (!ok && r.verify_ran && !r.verify_ok)
		fprintf(stderr, "%s reconfigure: verify is not green: sudo "
			"pscLab verify %s\n", prog, lab);
	psc_reconfigure_free(&r);
	return ok ? EXIT_OK : EXIT_FINDINGS;
}

/* --bootstrap-ports P,P,...: into o; -1 (printed) on a bad port */
static int parse_ports(const char *val, psc_verify_opts *o)
{
	char buf[256], *save = NULL;
	long v;
	snprintf(buf, sizeof(buf), "%s", val);
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_bootstrap_ports >= PSC_MAX_BOOTSTRAP ||
		    parse_long(tok, 1, 65535, &v) < 0) {
			fprintf(stderr, "%s verify: bad port '%s'\n", prog, tok);
			return -1;
		}
		o->bootstrap_ports[o->n_bootstrap_ports++] = (int)v;
	}
	return 0;
}

/* verify's arguments: the lab, --json, --junit FILE and the options of
 * the run (into o).  0, or -1 with the usage error printed. */
static int parse_verify(const struct cmd *c, int argc, char **argv,
			psc_verify_opts *o, const char **lab, bool *json,
			const char **junit)
{
	long v;
	*lab = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			*json = true;
		} else if (strcmp(a, "--junit") == 0 && val) {
			*junit = val;
			i++;
		} else if (strcmp(a, "--timeout") == 0 && val &&
			   parse_long(val, 100, 600000, &v) == 0) {
			o->timeout_ms = v;
			i++;
		} else if (strcmp(a, "--messages") == 0 && val &&
			   parse_long(val, 1, 10000000, &v) == 0) {
			o->messages = v;
			i++;
		} else if (strcmp(a, "--replication-factor") == 0 && val &&
			   parse_long(val, 1, 32767, &v) == 0) {
			o->replication_factor = (int)v;
			i++;
		} else if (strcmp(a, "--bootstrap-ports") == 0 && val) {
			if (parse_ports(val, o) < 0)
				return -1;
			i++;
		} else if (strcmp(a, "--bootstrap-host") == 0 && val) {
			o->bootstrap_host = val;
			i++;
		} else if (strcmp(a, "--no-bastion") == 0) {
			o->no_bastion = true;
		} else if (strcmp(a, "--strict") == 0) {
			o->strict = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s verify: bad option '%s'\n", prog, a);
			usage_line(stderr, c);
			return -1;
		} else if (!*lab) {
			*lab = a;
		} else {
			usage_line(stderr, c);
			return -1;
		}
	}
	if (!*lab) {
		usage_line(stderr, c);
		return -1;
	}
	return 0;
}

static int run_verify(const struct cmd *c, int argc, char **argv)
{
	static psc_verify_report r;
	psc_verify_opts o;
	const char *lab, *junit = NULL;
	bool json = false;
	char err[2048];

	memset(&o, 0, sizeof(o));
	if (parse_verify(c, argc, argv, &o, &lab, &json, &junit) < 0)
		return EXIT_USAGE;
	if (!need_root("verify"))
		return EXIT_USAGE;
	/* not up, or not a lab's name: r.no_such_lab, exit 2 */
	int rc = psc_verify_run(lab, &o, &r, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s verify: %s\n", prog, err);
	else if (json)
		psc_verify_print_json(&r, stdout);
	else
		psc_verify_print_text(&r, stdout);
	if (rc == 0 && junit &&
	    psc_verify_write_junit(&r, junit, err, sizeof(err)) < 0)
		fprintf(stderr, "%s verify: %s\n", prog, err);
	if (r.last_err[0])
		fprintf(stderr, "%s verify: the result is not kept for 'graph': "
			"%s\n", prog, r.last_err);
	return psc_verify_exit_code(rc, &r);
}

/* ---- trace ---- */

/* trace's arguments: the lab, the target, --from, --json, --timeout,
 * --no-kafka */
static int parse_trace(const struct cmd *c, int argc, char **argv,
		       const char **pos, psc_trace_opts *o, bool *json)
{
	size_t np = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long v;
		if (strcmp(a, "--json") == 0) {
			*json = true;
		} else if (strcmp(a, "--no-kafka") == 0) {
			o->no_kafka = true;
		} else if (strcmp(a, "--from") == 0 && i + 1 < argc) {
			o->from = argv[++i];
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc &&
			   parse_long(argv[i + 1], 100, 600000, &v) == 0) {
			o->timeout_ms = v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s trace: bad option '%s'\n", prog, a);
			usage_line(stderr, c);
			return -1;
		} else if (np < 2) {
			pos[np++] = a;
		} else {
			usage_line(stderr, c);
			return -1;
		}
	}
	if (np != 2) {
		usage_line(stderr, c);
		return -1;
	}
	return 0;
}

static int run_trace(const struct cmd *c, int argc, char **argv)
{
	static psc_trace_result r;
	psc_trace_opts o = {.from = NULL};
	const char *pos[2];
	bool json = false;
	char err[2048], host[PSC_HOST_LEN];
	int port;
	if (parse_trace(c, argc, argv, pos, &o, &json) < 0)
		return EXIT_USAGE;
	if (psc_hostport_parse(pos[1], host, sizeof(host), &port, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "%s trace: %s\n", prog, err);
		return EXIT_USAGE;
	}
	if (!need_root("trace") || !lab_name_ok("trace", pos[0]))
		return EXIT_USAGE;
	int rc = psc_trace_run(pos[0], pos[1], &o, &r, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s trace: %s\n", prog, err);
		return not_there(rc) ? EXIT_USAGE : EXIT_FINDINGS;
	}
	if (json)
		psc_trace_print_json(&r, stdout);
	else
		psc_trace_print_text(&r, stdout);
	int code = psc_trace_exit_code(&r);
	psc_trace_result_free(&r);
	return code;
}

/* a service's `--ready-fd N` (its supervisor's readiness pipe, see
 * runtime/proc.h): the fd, close-on-exec from now on; -1 when not given,
 * -2 when it is no pipe this process holds */
static int ready_fd_arg(int *argc, char **argv)
{
	if (*argc < 3 || strcmp(argv[*argc - 2], "--ready-fd") != 0)
		return -1;
	char *end;
	long fd = strtol(argv[*argc - 1], &end, 10);
	struct stat st;
	*argc -= 2;
	if (*end || fd < 0 || fd > INT_MAX || fstat((int)fd, &st) < 0 ||
	    !S_ISFIFO(st.st_mode))
		return -2;
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return (int)fd;
}

/* hidden: the services a lab runs in its namespaces */
static int run_service(const struct cmd *c, int argc, char **argv)
{
	char err[1024];
	int rc;
	int ready = ready_fd_arg(&argc, argv);
	if (ready == -2) {
		fprintf(stderr, "%s %s: --ready-fd %s is not a pipe this "
			"process holds (it is for pscLab's supervisor)\n",
			prog, c->name, argv[argc + 1]);
		return EXIT_USAGE;
	}
	if (strcmp(c->name, "_dns") == 0 && argc == 3)
		rc = psc_lab_serve_dns(argv[1], argv[2], ready, err,
				       sizeof(err));
	else if (strcmp(c->name, "_health") == 0 && argc == 2)
		rc = psc_lab_serve_health(argv[1], ready, err, sizeof(err));
	else {
		usage_line(stderr, c);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		fprintf(stderr, "%s %s: %s\n", prog, c->name, err);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static const struct cmd commands[] = {
	{"up", "<topology>|<plan.json> [--network-only] [--existing-cluster] [import options]",
	 "Build a lab from a topology (a name in topologies/, "
	 "scenarios/<name> for one of\ntopologies/scenarios/, or a .yaml "
	 "path) or a Terraform plan (imported as\n'pscLab import' does): "
	 "namespaces, emulated GCP network, PSC, DNS, Kafka brokers\n"
	 "and kafka-proxy, then verify it.",
	 "  --network-only  build the network, DNS and PSC, start no Kafka\n"
	 "  --existing-cluster  portmap: the brokers without the EXTERNAL "
	 "listener, the NEG\n                  without endpoints (the "
	 "customer's cluster before PSC); then\n                  'pscLab "
	 "reconfigure <lab>' (no verify at up)\n"
	 "  --ignore-lint   build it despite lint's errors (a scenario, wrong "
	 "on purpose, for\n                  verify to diagnose)\n"
	 "  (a plan: the options of 'pscLab import --help' too)\n"
	 "\nNeeds root. One progress line per step, with the time since the "
	 "start.\n"
	 "\nExit: 0 up (and verify green), 1 lint errors, a step failed "
	 "(all undone), the lab\nis up already, or verify is not green; 2 "
	 "usage, or a topology that cannot be read.\n", run_up},
	{"down", "<lab>",
	 "Remove everything a lab made (namespaces, processes, state); "
	 "idempotent.", "Found through the lab's state (/run/psclab/<lab>) and "
	 "the name mark psclab-<lab>-*, also\nafter an interrupted up. A lab "
	 "that is not up: a message, exit 0.\n"
	 "\nExit: 0 down (or not up), 1 a step failed, 2 usage.\n", run_down},
	{"prepare", "",
	 "Make what lets every later up start its brokers fast, once per "
	 "Kafka and Java:\nthe KRaft storage template (up stamps each "
	 "broker's storage from it instead\nof running kafka-storage.sh "
	 "format per broker) and the class-data archive of\nKafka's classes "
	 "(one broker started alone in psclab-prepare-cds and stopped,\n"
	 "its JVM writing the archive as it exits). Each is kept in "
	 "${PSCLAB_CACHE:-/var/cache/psclab}\nand skipped when there; "
	 "`make deps` runs this. KAFKA_VERSION picks the Kafka.",
	 "\nNeeds root. Exit: 0 both there (or CDS off), 1 a step failed, "
	 "2 usage.\n", run_prepare},
	{"status", "[<lab>] [--json]",
	 "Show labs: nodes, processes, load balancers (mappings, backend "
	 "health),\nPSC endpoints and their state, DNS records, per-rule "
	 "packet counters.",
	 "  --json  the same as one JSON document\n"
	 "\nExit: 0, 1 a lab could not be read, 2 usage or the lab is not "
	 "up.\n", run_status},
	{"verify", "<lab> [--json] [--junit FILE] [options]",
	 "Check every path as TiDB Cloud's changefeed would, from the "
	 "changefeed node:\nTiCDC's own changefeed creation step by step "
	 "(Sarama), then librdkafka and\nfranz-go clients (and the seed's "
	 "Kafka-VPC steps from bastion-node).",
	 "  --json                 the report as JSON\n"
	 "  --junit FILE           also write JUnit XML (- for stdout)\n"
	 "  --timeout MS           per check (default 10000)\n"
	 "  --messages N           produced and consumed back (default 100)\n"
	 "  --bootstrap-ports P,.. instead of the changefeed section's\n"
	 "  --bootstrap-host H     instead of the PSC endpoint's address\n"
	 "  --no-bastion           skip the bastion-node checks\n"
	 "  --replication-factor N the changefeed's replication factor, for "
	 "TiCDC's steps\n                         (default min(3, brokers); "
	 "TiCDC's own default is 1)\n"
	 "  --strict               a WARN fails too (exit 1)\n"
	 "\nEach check is PASS, WARN (works for the changefeed, but degraded "
	 "or a trap\nfor another client), FAIL or SKIP.\n"
	 "Exit: 0 no check failed, 1 a check failed (or warned, with "
	 "--strict), 2 usage or\nno such lab.\n",
	 run_verify},
	{"trace", "<lab> <host:port> [--from <node>] [--json] [--timeout MS]",
	 "Open one TCP connection from a node (default changefeed) to "
	 "host:port and show\nevery hop it took, read from the kernel "
	 "(nft counters before and after,\nconntrack): DNS, PSC endpoint, "
	 "NAT address, load balancer rule and backend,\nfirewall rule, "
	 "listener, the Kafka node that answered; or where it stopped.",
	 "  --from NODE   the VM to connect from (default changefeed)\n"
	 "  --json        the same as one JSON object\n"
	 "  --timeout MS  for the connection and for the Kafka exchange each "
	 "(default 3000)\n"
	 "  --no-kafka    open the connection only, no ApiVersions/Metadata\n"
	 "\nhost is a name resolved by the node's resolver (the lab's DNS "
	 "stub) or an address.\nA hop only the plan can tell is marked "
	 "\"(from the plan)\".\n"
	 "\nExit: 0 the path worked, 1 it stopped at a hop (named), 2 usage, "
	 "no such lab or\nnode.\n", run_trace},
	{"exec", "<lab> <node> -- <cmd> [args...]",
	 "Run a command in a node's network namespace.",
	 "As 'ip netns exec psclab-<lab>-<node>' would: /etc/netns "
	 "resolv.conf included, stdio\npassed through, no shell; the exit "
	 "status is the command's.\n"
	 "\nExit: the command's; 126 it cannot be run, 127 it is not found; "
	 "2 usage, the lab\nis not up or has no such node.\n", run_exec},
	{"fault", "<lab> <action> [args] | <lab> clear [<id>|all]",
	 "Break a running lab in one way, reversibly; each fault gets an id "
	 "(pscLab status\nlists them, verify names them).",
	 "  stop|start <node>           a node's process: a broker, "
	 "kafka-proxy, dns-<network>\n"
	 "                              (its DNS stub), health-checker\n"
	 "  kill|start <node>           a broker's or kafka-proxy's process "
	 "SIGKILLed at once\n"
	 "                              (a crash: no shutdown), by its pid "
	 "and start time\n"
	 "  link-down|link-up <node>    a VM's NIC, or psc (the PSC join)\n"
	 "  netem <node> [delay=MS] [loss=PCT] [rate=KBIT] | netem <node> "
	 "clear\n"
	 "                              both ends of a VM's veth, netlink "
	 "qdiscs\n"
	 "  firewall-disable|firewall-enable <rule>\n"
	 "  reject|accept <project>     on the service attachments: the "
	 "endpoint's status\n"
	 "                              changes and traffic stops, as GCP's\n"
	 "  neg-drop|neg-restore <neg> <instance>\n"
	 "  dns-drop|dns-restore <zone> <record>\n"
	 "  clear [<id>|all]            undo by id (all: every fault); down "
	 "clears them too\n"
	 "\nA wrong target is refused before anything changes, with the "
	 "valid ones.\n"
	 "\nExit: 0 done, 1 it could not be done (the message says why), 2 "
	 "usage, a wrong\ntarget, the lab is not up.\n", run_fault},
	{"check", "<lab> <exercise> [--start|--reset] [--timeout MS]",
	 "The break/fix exercises of lab/exercises/ (README.md there: the "
	 "course and the\ntasks): --start breaks the lab (its faults hidden "
	 "from status and verify, or a\nscenario brought up), then check "
	 "grades it: what still fails and a hint, never\nthe fix; --reset "
	 "gives up and mends it.",
	 "\nExit: 0 passed (or started, reset), 1 not yet (or it could not "
	 "be started), 2\nusage, no such exercise (they are listed), the lab "
	 "is not up.\n", run_check},
	{"reconfigure", "<lab> [--resume] [--json] [--rate N]",
	 "The seed's \"Reconfigure a Running Kafka Cluster\" on a lab brought "
	 "up with\n'up portmap --existing-cluster': the EXTERNAL listener added "
	 "to each broker's\nserver.properties, the brokers restarted one at a "
	 "time (the next only when the\nprevious is back and nothing is "
	 "under-replicated), the NEG endpoints added,\nverify through PSC; a "
	 "producer (acks=all, idempotent) and a consumer run\nthrough the "
	 "INTERNAL listener from bastion-node all along.",
	 "  --resume  go on from the broker where a roll stopped (after it was "
	 "repaired)\n"
	 "  --json    the report as JSON (progress lines on stderr)\n"
	 "  --rate N  the producer's messages a second (default 100)\n"
	 "\nThe report: each broker's state and time away, acknowledged "
	 "messages lost\n(must be 0), duplicates the consumer saw, the longest "
	 "produce stall, verify.\nThe proxy way needs no reconfigure: its "
	 "cluster stays as it is (refused).\n"
	 "\nExit: 0 rolled, nothing lost, verify green; 1 a broker did not "
	 "come back (the\nroll stopped: --resume), a message was lost, verify "
	 "is not green, or it is\nrefused (the proxy way, not an existing "
	 "cluster, done already); 2 usage, the\nlab is not up.\n",
	 run_reconfigure},
	{"restart", "<lab> <node>",
	 "Restart a node's broker or kafka-proxy (start it when it is "
	 "stopped).",
	 "What verify's fix says for a stopped broker or kafka-proxy: no "
	 "down and up needed.\n"
	 "\nExit: 0 serving again, 1 it could not be done, 2 usage, the lab "
	 "is not up or has\nno such node.\n",
	 run_restart},
	{"logs", "<lab> <node> [-n N] [--all] [-f]",
	 "Show the last lines of a node's log: its (first) process's stdout "
	 "and stderr,\nwhich for a broker holds what its server.log has.",
	 "  -n, --lines N  the last N lines of each log (default 50; 0: all "
	 "of it)\n"
	 "  --all          every log of the node (each process's, a broker's "
	 "server.log),\n                 each under a '==> file <==' header\n"
	 "  -f, --follow   then keep printing what is appended, until Ctrl-C\n"
	 "\nExit: 0, 1 the logs cannot be read, 2 usage, the lab is not up "
	 "or has no such node.\n",
	 run_logs},
	{"lint", "<topology>|<plan.json> [--strict] [--quiet] [import options]",
	 "Validate a topology before anything is built. Findings are "
	 "file:line:col: error|warning: <object>: <what> [rule], with a note "
	 "line for the fix where one is known.\nA Terraform plan (told by "
	 "its content) is imported in memory and linted; each\nfinding is "
	 "then <plan>: error|warning: <terraform address>: <attribute>: "
	 "<object>:\n<what> [rule] (imported topology line L:C).",
	 "  --strict  warnings count as findings (exit 1)\n"
	 "  --quiet   no summary line on stderr\n"
	 "  (a plan: the options of 'pscLab import --help' too)\n"
	 "\nExit: 0 no errors, 1 errors (or warnings with --strict), 2 the "
	 "file cannot be read as a topology.\n",
	 run_lint},
	{"import", "<plan.json> [-o topology.yaml] [options]",
	 "Write a pscLab topology from a Terraform/OpenTofu plan (the JSON "
	 "of 'tofu show -json\nplan.bin'): networks, subnetworks, firewall "
	 "rules, instances, port-mapping NEGs,\ninstance groups, health "
	 "checks, internal load balancers, service attachments, in\nany "
	 "module, with for_each/count. Every object carries a comment "
	 "naming its\nTerraform address. Findings and assumptions go to "
	 "stderr.",
	 "  -o FILE                   write it there (atomically) instead of "
	 "stdout\n"
	 "\nExit: 0 written (warnings may be printed), 1 the plan has errors "
	 "(an unresolved\nreference, two resources on one lab object, nothing "
	 "published: nothing written),\n2 usage, or input that is not a plan "
	 "(a state file, a configuration, garbage,\nover 16 MiB) or a --kafka "
	 "file that cannot be read.\n",
	 run_import},
	{"graph", "<lab|topology> [--format F] [-o FILE]",
	 "Draw a topology, or a lab that is up with its state in colour: VPCs "
	 "and subnets\n(the PSC NAT subnet too), nodes and addresses, the "
	 "load balancer and its\nmapping, the PSC service attachment and "
	 "endpoint, the DNS zone, the changefeed.",
	 "  --format F  dot (default), svg, png, mermaid (a flowchart for "
	 "Markdown), html\n              (one self-contained page: the SVG "
	 "and a legend)\n"
	 "  -o FILE     write FILE (whole, or not at all) instead of stdout\n"
	 "\nA name of a lab that is up draws that lab: each node's process, "
	 "each backend's\nhealth, the endpoints' status and the last verify's "
	 "result in colour. A path,\nor a name no lab has, is a topology. "
	 "svg, png and html are drawn with Graphviz's\nlibrary (libgvc).\n"
	 "\nExit: 0, 1 lint errors or it cannot be drawn or written, 2 usage "
	 "(an unknown\nformat: the formats are listed), or a file that cannot "
	 "be read as a topology.\n",
	 run_graph},
	{"_dns", "<lab> <network> [--ready-fd N]",
	 "(internal) a VPC's DNS stub", NULL, run_service},
	{"_health", "<lab> [--ready-fd N]", "(internal) the health checker",
	 NULL,
	 run_service},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void main_usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--help] [--version] <command> [args...]\n\n"
		"Google Cloud Private Service Connect for self-hosted Kafka, "
		"emulated on one Linux machine.\n\ncommands:\n", prog);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *one = "";
		if (commands[i].name[0] == '_')
			continue;
		for (size_t e = 0; e < sizeof(verb_info) / sizeof(verb_info[0]);
		     e++)
			if (strcmp(verb_info[e].verb, commands[i].name) == 0)
				one = verb_info[e].oneline;
		fprintf(out, "  %-11s %s\n", commands[i].name, one);
	}
	fprintf(out, "\n'%s <command> --help' gives its arguments, options and "
		     "examples.\n"
		     "Exit codes: 0 ok, 1 findings, failed checks or an action "
		     "that could not be done,\n2 usage, unreadable input, no "
		     "such lab or node; exec: the command's.\n", prog);
}

static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* --help or -h among a verb's arguments (before a "--") */
static bool wants_help(int argc, char **argv)
{
	for (int j = 2; j < argc; j++) {
		if (strcmp(argv[j], "--") == 0)
			break;
		if (is_help(argv[j]))
			return true;
	}
	return false;
}

static int unknown_command(const char *verb)
{
	const char *names[N_COMMANDS];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	const char *close = psc_closest(verb, names, N_COMMANDS);
	fprintf(stderr, "%s: unknown command '%s'", prog, verb);
	if (close)
		fprintf(stderr, "; did you mean '%s'?", close);
	fprintf(stderr, "\n");
	main_usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		main_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pscLab %s\n", PSCLAB_VERSION);
		return EXIT_OK;
	}
	const struct cmd *c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	if (wants_help(argc, argv)) {
		cmd_help(c);
		return EXIT_OK;
	}
	return c->fn(c, argc - 1, argv + 1);
}
