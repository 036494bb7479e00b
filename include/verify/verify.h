/* verify.h - the pure parts of `pscLab verify`: the lab as the diagnosis
 * sees it (the context), what a check saw (an observation, one JSON line
 * from the node it ran in), the diagnosis of each observation, the report
 * and its text, JSON and JUnit forms.  Running the checks in the lab's
 * nodes is verify_run.h's.
 *
 * Diagnosis ("hop"), from what the child saw and what the lab says (the
 * topology copy, the plan's endpoint status, the journal's processes):
 *   dns        a name does not resolve, or not to the PSC endpoint
 *   endpoint   the PSC endpoint is PENDING or REJECTED
 *   firewall   a connection times out while the endpoint is ACCEPTED
 *   lb-mapping an unmapped client port, or an address that leads to
 *              another broker (names the port, the broker expected and
 *              the broker reached)
 *   broker     a broker (or kafka-proxy) process is dead: refused
 *              connections, a broker missing from the metadata
 *   listener   refused while the process is alive: nothing listens on the
 *              port the load balancer sends to
 *   advertised a broker advertises another address than its listener
 *              pattern gives
 *   kafka      the cluster answered with an error
 *   pscLab     verify itself could not run a check (a node cannot be
 *              entered, a client cannot be made)
 *
 * All of it is pure and unit-tested; the only look outside is /proc, for
 * whether a journaled process is alive. */
#ifndef PSCLAB_VERIFY_H
#define PSCLAB_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "fabric/nft.h"
#include "plan/plan.h"
#include "runtime/proc.h"
#include "runtime/state.h"
#include "model/fault.h"
#include "model/topology.h"

#define PSC_VERIFY_MAX_CHECKS 64
#define PSC_VERIFY_NAME_LEN 320
#define PSC_VERIFY_TEXT_LEN 1024
#define PSC_VERIFY_BASTION "bastion-node"

typedef enum psc_verify_status {
	PSC_VERIFY_PASS = 0,
	PSC_VERIFY_FAIL = 1,
	PSC_VERIFY_SKIP = 2,
	/* works for the changefeed, but degraded or a trap for another
	 * client: exit 0 unless --strict */
	PSC_VERIFY_WARN = 3,
} psc_verify_status;

typedef enum psc_verify_hop {
	PSC_HOP_NONE = 0,
	PSC_HOP_DNS,
	PSC_HOP_ENDPOINT,
	PSC_HOP_FIREWALL,
	PSC_HOP_LB_MAPPING,
	PSC_HOP_BROKER_DOWN,
	PSC_HOP_LISTENER,
	PSC_HOP_ADVERTISED,
	PSC_HOP_KAFKA,
	PSC_HOP_VERIFY,
	PSC_HOP_PROXY,            /* kafka-proxy down or not listening */
} psc_verify_hop;

/* What a check saw (the child's side): one JSON line each. */
typedef enum psc_verify_symptom {
	PSC_SYM_OK = 0,
	PSC_SYM_UNRESOLVED,       /* host does not resolve */
	PSC_SYM_RESOLVED_ELSEWHERE, /* host resolves, not to the endpoint */
	PSC_SYM_TIMEOUT,          /* TCP connect timed out */
	PSC_SYM_REFUSED,          /* TCP connect refused or reset */
	PSC_SYM_WRONG_BROKER,     /* another broker answered (reached) */
	PSC_SYM_MISSING,          /* a topology broker not in the metadata */
	PSC_SYM_ADVERTISED,       /* metadata's address is not the expected */
	PSC_SYM_KAFKA_ERROR,      /* a request failed: error */
	PSC_SYM_INCOMPLETE,       /* produce/consume: fewer than wanted */
	PSC_SYM_SKIPPED,          /* not run: detail says why */
	PSC_SYM_INTERNAL,         /* verify's own failure */
	/* a response (obs.api) named a broker at an address outside the
	 * advertised domain (host:port, expected: the broker's id): handed a
	 * broker's own address the changefeed cannot reach */
	PSC_SYM_LEAKED,
	/* a step of TiCDC's changefeed creation (obs.api: its name) that
	 * TiCDC only warns about and goes past */
	PSC_SYM_CDC_WARNED,
	/* a step that makes TiCDC refuse the changefeed: obs.error is the
	 * error the changefeed shows */
	PSC_SYM_CDC_REFUSED,
	/* it worked, degraded (detail says how: a topic under-replicated) */
	PSC_SYM_DEGRADED,
	/* a step TiCDC lets pass (an authorization failure while it makes
	 * the topic), but the changefeed it creates fails at its first send:
	 * obs.error is the error it will meet */
	PSC_SYM_CDC_BROKEN,
} psc_verify_symptom;
#define PSC_SYM_LAST PSC_SYM_CDC_BROKEN

typedef struct psc_verify_obs {
	char node[PSC_NAME_LEN];        /* instance the check ran in */
	char name[PSC_VERIFY_NAME_LEN];
	psc_verify_symptom sym;
	long ms;
	char host[PSC_HOST_LEN];        /* the address tried ("" none) */
	int port;
	char addr[48];                  /* what host resolved to ("" none) */
	long expected;                  /* broker expected there, -1 none */
	long reached;                   /* broker that answered, -1 unknown */
	char want[PSC_ADDR_LEN];        /* ADVERTISED: the expected address */
	char api[32];                   /* LEAKED: the Kafka API that did */
	char error[PSC_VERIFY_TEXT_LEN];/* the client's error, verbatim */
	char detail[PSC_VERIFY_TEXT_LEN];/* what was seen (PASS lines too) */
} psc_verify_obs;

/* One line of the report (the parent's side). */
typedef struct psc_verify_check {
	char node[PSC_NAME_LEN];
	char name[PSC_VERIFY_NAME_LEN];
	psc_verify_status status;
	long ms;
	psc_verify_hop hop;             /* NONE for PASS and SKIP */
	long broker;                    /* the broker it is about, -1 */
	char detail[PSC_VERIFY_TEXT_LEN];  /* what happened */
	char fix[PSC_VERIFY_TEXT_LEN];     /* what to change ("" PASS) */
} psc_verify_check;

/* About 160 KiB: give it static storage or the heap, not the stack. */
typedef struct psc_verify_report {
	char lab[PSC_NAME_LEN];
	char topic[128];                /* the run's test topic */
	bool no_such_lab;               /* psc_verify_run: the lab is not up
					 * (its -1 means exit code 2) */
	long total_ms;
	size_t n_pass, n_fail, n_skip, n_warn;
	bool strict;                    /* from the options: WARN exits 1 */
	/* psc_verify_run could not keep this result in verify-last.json
	 * (verify_last.h): why; "" when it did (or the checks did not run) */
	char last_err[512];
	size_t n;
	psc_verify_check checks[PSC_VERIFY_MAX_CHECKS];
} psc_verify_report;

/* ---- the lab as the diagnosis sees it (built from the topology copy,
 * the plan and the journal) ---- */

typedef struct psc_verify_broker {
	long node_id;
	char instance[PSC_NAME_LEN];
	char ip[16];
	char ns[PSC_NETNS_NAME_LEN];    /* its node's namespace, "" none */
	char internal[PSC_ADDR_LEN];    /* "10.64.0.2:9092" */
	/* what the changefeed is told: portmap "b1.<domain>:9093", proxy the
	 * kafka-proxy mapping's advertised address; "" unknown */
	char external[PSC_ADDR_LEN];
	long external_listener_port;    /* the EXTERNAL listener (39092), 0 */
	char proc[PSC_PROC_NAME_LEN];   /* "kafka-<instance>" */
	pid_t pid;                      /* 0: not in the journal */
	bool alive;
	char log[PSC_PROC_LOG_LEN];     /* its log, "" unknown */
} psc_verify_broker;

/* one client port of the load balancer behind the endpoint */
typedef struct psc_verify_map {
	int client_port;
	char neg[PSC_NAME_LEN];
	char instance[PSC_NAME_LEN];
	int port;
	/* the topology's firewall verdict for the NAT range -> instance:port */
	bool fw_allowed;
	char fw_rule[PSC_NAME_LEN];     /* deciding rule, "" implied */
} psc_verify_map;

typedef struct psc_verify_ctx {
	char lab[PSC_NAME_LEN];
	psc_approach approach;
	char changefeed[PSC_NAME_LEN];
	char changefeed_ns[PSC_NETNS_NAME_LEN];
	/* the router of the changefeed's VPC, where the leak watch counts */
	char consumer_router_ns[PSC_NETNS_NAME_LEN];
	char bastion[PSC_NAME_LEN];     /* "" none */
	char bastion_ns[PSC_NETNS_NAME_LEN];
	char bastion_subnet_range[48];
	char producer_network[PSC_NAME_LEN];
	/* PSC */
	char endpoint[PSC_NAME_LEN];
	char endpoint_ip[16];
	psc_ep_status ep_status;
	char ep_reason[256];
	char consumer_project[PSC_NAME_LEN];
	char attachment[PSC_NAME_LEN];
	char load_balancer[PSC_NAME_LEN];
	/* instance-group backends behind it (0: a NEG); more than one: each
	 * new connection may land on another, so verify tries several */
	size_t lb_backends;
	char lb_backend[PSC_MAX_INSTANCES][PSC_NAME_LEN];  /* their names */
	bool lb_health_check;           /* the backend service has one */
	char nat_range[48];
	char nat_ip[16];
	/* DNS */
	char domain[PSC_HOST_LEN];      /* of the advertised listener pattern */
	char dns_zone[PSC_NAME_LEN];    /* the zone answering it, "" none */
	char dns_proc[PSC_PROC_NAME_LEN];
	pid_t dns_pid;
	bool dns_alive;
	/* Kafka */
	int bootstrap_ports[PSC_MAX_BOOTSTRAP];
	size_t n_bootstrap_ports;
	psc_verify_broker brokers[PSC_MAX_BROKERS];
	size_t n_brokers;
	long internal_port;             /* the inter-broker listener's port */
	long external_listener_port;    /* the external listener's, 0 */
	psc_verify_map maps[PSC_MAX_NEG_ENDPOINTS];
	size_t n_maps;
	/* kafka-proxy (proxy approach; proxy_proc "": the topology runs
	 * none) */
	char proxy_instance[PSC_NAME_LEN];
	char proxy_ns[PSC_NETNS_NAME_LEN];  /* its node's namespace, "" */
	char proxy_proc[PSC_PROC_NAME_LEN];
	/* the journal's name of it: "kafka-proxy", or a further project's
	 * kafka-proxy's "kafka-proxy-<instance>" (psc_verify_ctx_consumers) */
	char proxy_journal[PSC_PROC_NAME_LEN];
	pid_t proxy_pid;
	bool proxy_alive;
	/* the faults set that cut a path (pscLab fault: link-down, netem
	 * loss): a timeout they explain is theirs, not the plan's hop */
	psc_fault path_faults[8];
	size_t n_path_faults;
	/* the seed's FAQ, more TiDB Cloud projects on the same Kafka
	 * (model/consumers.h): which consumer this context checks (0: the
	 * file's changefeed), and the others' domains, projects and listener
	 * groups, so that one of their names in this one's metadata is named
	 * as such; n_others 0 with one consumer */
	size_t consumer;
	char other_domain[PSC_MAX_CHANGEFEEDS][PSC_HOST_LEN];
	char other_project[PSC_MAX_CHANGEFEEDS][PSC_NAME_LEN];
	char other_listener[PSC_MAX_CHANGEFEEDS][PSC_NAME_LEN];
	size_t n_others;
} psc_verify_ctx;

/* The context of a lab from its topology and plan (pure) and, when st is
 * not NULL, the processes of its journal: brokers "kafka-<instance>",
 * kafka-proxy "kafka-proxy*", DNS stubs "dns-<network>", alive as
 * psc_proc_alive() says (the only look outside: /proc); a process the
 * journal does not hold counts as not running (pid 0).  Without st every
 * process counts as alive and unknown (pid 0).  -1 with err when the
 * topology has no changefeed, endpoint or brokers to check. */
int psc_verify_ctx_build(const psc_topology *t, const psc_plan *p,
			 const psc_state *st, psc_verify_ctx *c, char *err,
			 size_t errlen);
/* c is consumer k of t (model/consumers.h; c built from its view): the
 * other consumers' domains, projects and listener groups into c (pure). */
void psc_verify_ctx_consumers(const psc_topology *t, size_t k,
			      psc_verify_ctx *c);
/* The processes of c (pids, alive, log) again from st, as
 * psc_verify_ctx_build takes them, the rest of c kept: how a run sees the
 * lab after its checks without building the context again. */
void psc_verify_ctx_procs(psc_verify_ctx *c, const psc_state *st);
const psc_verify_broker *psc_verify_ctx_broker(const psc_verify_ctx *c,
					       long node_id);

/* ---- the diagnosis table (pure) ---- */

/* One observation into one report line: status, hop, detail, fix.  prior
 * (may be NULL) holds the checks diagnosed before, so that a later check
 * (produce, controller) that broke because of an earlier one says so. */
void psc_verify_diagnose(const psc_verify_ctx *c, const psc_verify_obs *o,
			 const psc_verify_report *prior,
			 psc_verify_check *out);

const char *psc_verify_hop_name(psc_verify_hop h);   /* "dns", ... */
const char *psc_verify_hop_title(psc_verify_hop h);  /* "DNS", ... */
const char *psc_verify_status_name(psc_verify_status s); /* "PASS", ... */
const char *psc_verify_symptom_name(psc_verify_symptom s);
int psc_verify_symptom_parse(const char *s, psc_verify_symptom *out);

/* The leak watch (nftgen.h): destinations outside the changefeed's VPC
 * with their packet counts, read before (since up) and after the checks.
 * New packets during the run: FAIL (a client followed an address that is
 * not its PSC endpoint, and the changefeed would too), each address named
 * with the broker or node it belongs to; packets only from before: WARN;
 * none: PASS. */
void psc_verify_leak_check(const psc_verify_ctx *c,
			   const psc_nft_leak *before, size_t n_before,
			   const psc_nft_leak *after, size_t n_after,
			   psc_verify_check *out);

/* ---- observations over the pipe (pure) ---- */

void psc_verify_obs_init(psc_verify_obs *o, const char *node,
			 const char *name);
/* One line of JSON (no newline) into out; -1 when it does not fit. */
int psc_verify_obs_json(const psc_verify_obs *o, char *out, size_t len);
/* The reverse; -1 with err for a line that is not one. */
int psc_verify_obs_parse(const char *line, psc_verify_obs *o, char *err,
			 size_t errlen);

/* ---- the report (pure) ---- */

void psc_verify_report_init(psc_verify_report *r, const char *lab);
/* Append a check (counts kept); -1 when the report is full. */
int psc_verify_report_add(psc_verify_report *r, const psc_verify_check *c);
/* The same, and when the report is full its last line becomes a FAIL of
 * verify's own saying that the rest is not reported. */
void psc_verify_report_put(psc_verify_report *r, const psc_verify_check *c);
/* 0 every check passed (or was skipped or warned with none failed), 1 a
 * check failed (or warned, when r->strict).  For the CLI:
 * psc_verify_exit_code(rc of psc_verify_run, r): 0 all green, 1 a check
 * failed or verify could not run, 2 no such lab. */
int psc_verify_exit_code(int run_rc, const psc_verify_report *r);

/* "PASS <name> (<ms> ms)" per check; on failure the hop, what happened and
 * the fix, indented; then a summary line.  Returns 0 or -1 (write error). */
int psc_verify_print_text(const psc_verify_report *r, FILE *out);
/* One JSON document: {"lab", "ok", "passed", "warned", "failed",
 * "skipped", "ms",
 * "topic", "checks": [{"node", "name", "status", "ms", "hop", "detail",
 * "fix"}]}. */
int psc_verify_print_json(const psc_verify_report *r, FILE *out);
/* JUnit XML: one testsuite, one testcase per check (classname
 * "pscLab.verify.<lab>.<node>", time in seconds), <failure> with the
 * diagnosis as message and the fix in the body, <skipped> for SKIP. */
int psc_verify_print_junit(const psc_verify_report *r, FILE *out);
/* The same into path (a temporary file renamed into place); "-" is
 * stdout. */
int psc_verify_write_junit(const psc_verify_report *r, const char *path,
			   char *err, size_t errlen);

#endif
