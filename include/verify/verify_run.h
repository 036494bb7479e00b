/* verify_run.h - `pscLab verify` against a lab that is up: the checks TiDB
 * Cloud's changefeed makes (gcp-psc-behaviour.md rows 21-23), from inside
 * the lab's nodes, each bounded in time, each a line of the report
 * (verify.h):
 *
 *   PASS|WARN|FAIL|SKIP <name> (<ms> ms)
 *
 * with, on failure, the hop where the path broke and what to change.
 *
 * The checks, from node `changefeed` (its network namespace AND its
 * /etc/netns resolv.conf, which points at the private zone's stub), with
 * librdkafka unless said otherwise (check_changefeed.h, check_topic.h):
 *   1. bootstrap <host>:<port>, one per bootstrap port: a client
 *      bootstrapped on that address alone connects, ApiVersions, Metadata;
 *   2. broker <id> at <advertised host:port>, one per broker of the
 *      metadata and of the topology: the advertised name resolves to the
 *      PSC endpoint, a TCP connection to it is accepted, and the broker
 *      that answers there IS broker <id>: DescribeConfigs(BROKER "<id>"),
 *      which librdkafka routes to the handle of broker <id> (its
 *      advertised address).  A broker refuses that request for another
 *      id ("Unexpected broker id, expected <its id> ..."), and answers it
 *      with its own node.id: so the id that answered is known either way;
 *   3. controller (broker <id>): the controller of the metadata answers at
 *      its advertised address as itself, and takes CreateTopics
 *      (validate_only), as the changefeed's topic creation does;
 *      3b. every broker address in Metadata, DescribeCluster and
 *      FindCoordinator as franz-go receives them (psclab-kclient,
 *      kclient.h) is a name of the advertised domain;
 *   4. create topic (3 partitions, replication factor min(3, brokers),
 *      a unique name), produce N messages (acks=all, no idempotence,
 *      round-robin over the partitions), consume them all back (every
 *      partition from the beginning), delete the topic;
 * and from node `bastion-node` (the seed's Kafka-VPC-side steps,
 * check_bastion.h):
 *   5. INTERNAL bootstrap <broker ip>:<internal port> lists every broker by
 *      its address; EXTERNAL bootstrap <broker ip>:<external port>
 *      (portmap) lists the advertised names, which do not resolve there
 *      (as the seed explains: PASS);
 * and around them the leak watch (leak_watch.h): packets the changefeed's
 * VPC sent toward addresses outside it during the run.
 *
 * Process model (children.h): psc_verify_run() reads the lab once into a
 * context (psc_verify_ctx_build), forks one child per node; the child
 * puts itself in the node (psc_proc_enter_node), runs its checks and
 * writes one JSON observation per check to a pipe (psc_verify_obs_json);
 * the parent, in the host, reads them (bounded: a child that overstays its
 * budget is killed and its missing checks fail), takes the processes of
 * the journal again (psc_verify_ctx_procs: a broker may have died
 * meanwhile), diagnoses each observation (psc_verify_diagnose) and
 * assembles the report.  A run whose checks ran leaves its result in the
 * lab's verify-last.json (verify_last.h; r->last_err says why not).  Call
 * it from a single-threaded process. */
#ifndef PSCLAB_VERIFY_RUN_H
#define PSCLAB_VERIFY_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "verify/verify.h"

#define PSC_VERIFY_TIMEOUT_DEFAULT_MS 10000L
#define PSC_VERIFY_MESSAGES_DEFAULT 100L
#define PSC_VERIFY_MESSAGES_MAX 1000000L

typedef struct psc_verify_opts {
	/* bootstrap ports; n_bootstrap_ports 0: the changefeed section's */
	int bootstrap_ports[PSC_MAX_BOOTSTRAP];
	size_t n_bootstrap_ports;
	/* the bootstrap host; NULL or "": the PSC endpoint's address (a name
	 * of the advertised domain works too: it resolves there) */
	const char *bootstrap_host;
	long messages;            /* <= 0: PSC_VERIFY_MESSAGES_DEFAULT */
	long timeout_ms;          /* per check; <= 0: the default */
	bool no_bastion;          /* skip the bastion-node checks */
	bool strict;              /* a WARN makes the exit code 1 */
	/* the changefeed's replication factor (TiDB Cloud's setting; the
	 * sink URI's replication-factor), for TiCDC's steps; <= 0: that of
	 * verify's own topic, min(3, brokers) */
	int replication_factor;
} psc_verify_opts;

/* Run every check against lab (up, with its Kafka) with o (NULL: the
 * defaults) and fill r (always initialised).  Needs root (namespaces).
 *
 * Returns 0 when the checks ran, whatever they found (r says); -1 with err
 * when they could not.  r->no_such_lab tells the two kinds of -1 apart:
 *   true   the lab is not up: a name that is no lab name, no state
 *          directory, no stored topology copy (psc_lab_load's
 *          PSC_LAB_NOT_UP);
 *   false  anything else: the stored copy does not load or plan, it has
 *          nothing to verify (psc_verify_ctx_build), out of memory, a
 *          pipe or fork failed.
 * psc_verify_exit_code(rc, r) turns that into 2 and 1.  errno is no part
 * of the answer. */
int psc_verify_run(const char *lab, const psc_verify_opts *o,
		   psc_verify_report *r, char *err, size_t errlen);

#endif
