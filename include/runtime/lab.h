/* lab.h - a lab's life: up, down, status, exec, and the services a lab
 * leaves running (the DNS stub of each VPC, the health checker).
 *
 * `up` lints the topology, plans it, takes the host-wide lock, opens the
 * lab's state (journal first: every namespace and process is journaled
 * before it is made), builds the fabric (netns.h), the policy rules of
 * instance-group load balancers, the nftables rules (nftgen.h, nft.h), and
 * starts the services as supervised processes (proc.h).  Any failure undoes
 * all of it.  `down` undoes a lab from its journal and its name mark, also
 * after `up` was killed at any point. */
#ifndef PSCLAB_LAB_H
#define PSCLAB_LAB_H

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"
#include "model/topology.h"

#define PSC_LAB_LOCK_MS 30000     /* how long up/down wait for the lock */
/* SIGTERM, then SIGKILL: a lab's processes hold nothing worth keeping
 * (its data goes with it), so down does not wait long */
#define PSC_LAB_STOP_GRACE_MS 1500

typedef struct psc_up_opts {
	bool network_only;        /* build the network only, no Kafka */
	/* build it despite lint errors (not the schema's): a scenario of
	 * topologies/scenarios/, wrong on purpose, for verify to diagnose */
	bool ignore_lint;
	/* the caller printed lint's findings already (up of a plan: against
	 * the Terraform addresses): not again against the file */
	bool lint_printed;
	/* the customer's cluster before PSC (model/stage.h): brokers without
	 * the EXTERNAL listener, NEGs without endpoints; `pscLab
	 * reconfigure` rolls it to the topology.  portmap only, with Kafka. */
	bool existing_cluster;
} psc_up_opts;

/* Bring up the lab described by the topology file.  Progress lines (one
 * per step, with its duration) go to progress (may be NULL).  Returns 0,
 * 1 when the topology has lint errors (printed to progress's stream or
 * stderr), -1 with err for anything else (everything undone). */
int psc_lab_up(const char *topology_path, const psc_up_opts *o,
	       FILE *progress, char *err, size_t errlen);

/* Remove everything lab made.  *was_up tells whether there was anything.
 * Returns 0, or -1 with err (after trying every step). */
int psc_lab_down(const char *lab, FILE *progress, bool *was_up, char *err,
		 size_t errlen);

/* Run argv in a node of the lab (as `ip netns exec`), passing stdio
 * through; *status is its exit status.  PSC_LAB_NOT_UP or PSC_LAB_NO_NODE
 * (store.h) when the lab is not up or has no such node; -1 with err when
 * the command cannot run (*status 126, or 127 when it is not found). */
int psc_lab_exec(const char *lab, const char *node, char *const argv[],
		 int *status, char *err, size_t errlen);

#define PSC_LAB_LOG_LINES 50       /* logs: the last lines shown */

typedef struct psc_logs_opts {
	bool follow;              /* then keep printing what is appended */
	long lines;               /* the last lines of each log; 0: 50; -1:
				   * the whole log */
	bool all;                 /* every log of the node, not only its
				   * first process's */
} psc_logs_opts;

/* Print the logs of a node: the last o->lines lines of its first
 * process's log (stdout and stderr; a broker's holds what its server.log
 * has), or with o->all of every process's log and Kafka's server.log, each
 * under a "==> file <==" header; with o->follow, then what is appended
 * until SIGINT/SIGTERM.  PSC_LAB_NOT_UP or PSC_LAB_NO_NODE (store.h) with
 * err when the lab is not up or has no such node; -1 with err when the
 * logs cannot be read. */
int psc_lab_logs(const char *lab, const char *node, const psc_logs_opts *o,
		 FILE *out, char *err, size_t errlen);

typedef enum psc_node_action {
	PSC_NODE_STOP,
	PSC_NODE_START,
	PSC_NODE_RESTART,           /* stop when it runs, then start */
	PSC_NODE_KILL,              /* SIGKILL at once: a crash */
} psc_node_action;

/* Stop, start again, or restart the Kafka process of node: its broker, or
 * its kafka-proxy.  Stop: SIGTERM by pid from the journal, SIGKILL after
 * 5 s; kill: SIGKILL at once (psc_proc_kill; brokers and kafka-proxies
 * only, not a lab service); start: as up starts it, awaited until it serves.  Under the host
 * lock.  PSC_LAB_NOT_UP or PSC_LAB_NO_NODE (store.h) with err when the lab
 * is not up or has no such node; -1 with err naming the nodes that run
 * Kafka, or saying it is not running (stop, kill) / running already
 * (start). */
int psc_lab_node_process(const char *lab, const char *node,
			 psc_node_action act, FILE *progress, char *err,
			 size_t errlen);

#endif
