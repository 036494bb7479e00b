/* tfplan.h - `pscLab import`: a Terraform / OpenTofu plan (the JSON of
 * `tofu show -json plan.bin`) into a pscLab topology.
 *
 * The plan gives the customer's side: networks, subnetworks, firewall
 * rules, instances, port-mapping NEGs and their endpoints, instance
 * groups, regional health checks, internal passthrough load balancers
 * (backend service + forwarding rule) and service attachments, in the root
 * module and in child modules, with for_each/count.  What it does not hold
 * comes from psc_import_opts with the seed's defaults, each recorded as an
 * assumption: the TiDB Cloud side (created as TiDB Cloud would: its VPC,
 * the PSC endpoint, the private DNS zone, the changefeed node) and the
 * Kafka configuration (tfplan_kafka.h).
 *
 * The topology is written as YAML text (tfplan_emit.h) where every object
 * carries a comment naming the Terraform address it came from, and a line
 * map gives, for each line, the Terraform address and attribute: how a
 * lint finding on the generated file is reported against the plan.
 * Nothing here prints or exits; findings go to a psc_diags whose objects
 * are Terraform addresses. */
#ifndef PSCLAB_TFPLAN_H
#define PSCLAB_TFPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/diag.h"
#include "model/topology.h"
#include "import/tfplan_refs.h"

/* the seed's values, the defaults of what the plan does not hold */
#define PSC_IMPORT_TIDBCLOUD_PROJECT "tidbcloud-prod-000"
#define PSC_IMPORT_REGION "us-west1"
#define PSC_IMPORT_UNIQUE "abc"
#define PSC_IMPORT_PATTERN_DOMAIN "gcp.3199745.tidbcloud.com"
#define PSC_IMPORT_MAX_ASSUMPTIONS 16

typedef struct psc_import_opts {
	const char *name;              /* the lab's name; NULL: the folder's */
	const char *tidbcloud_project; /* NULL: tidbcloud-prod-000 */
	const char *region;            /* NULL: the service attachment's,
					* else us-west1 */
	const char *unique;            /* NULL: abc */
	const char *pattern;           /* NULL: <broker_id>.<unique>.<region>.
					* gcp.3199745.tidbcloud.com:<port> */
	const char *kafka_file;        /* a fragment with kafka: (and
					* kafka_proxy:), or NULL: the seed's */
} psc_import_opts;

/* where one line of the generated file came from */
typedef struct psc_import_line {
	char address[PSC_TF_ADDR_LEN]; /* Terraform address, or "(assumed
					* ...)" for what the lab adds */
	char attr[96];                 /* the Terraform attribute, or "" */
} psc_import_line;

/* a lab object and the resource it came from (role 1: a load balancer's
 * forwarding rule) */
typedef struct psc_import_origin {
	const void *obj;
	int role;
	const psc_tf_res *res;
	char address[PSC_TF_ADDR_LEN];
} psc_import_origin;

typedef struct psc_import {
	psc_topology *t;               /* the model the YAML spells out */
	psc_tf_plan plan;
	psc_import_origin *origins;
	size_t n_origins, cap_origins;
	char assumptions[PSC_IMPORT_MAX_ASSUMPTIONS][400];
	size_t n_assumptions;
	/* which instances got an address GCP would assign (comments) */
	bool assigned_ip[PSC_MAX_INSTANCES];
	/* the --kafka fragment's sections, verbatim, and where they start */
	char *kafka_text;
	char kafka_file[4096];
	int kafka_line;
	char *yaml;                    /* the topology, NUL-terminated */
	size_t yaml_len;
	psc_import_line *lines;        /* lines[i]: line i + 1 of yaml */
	size_t n_lines;
} psc_import;

/* Import the plan at path.  Returns 0 (warnings may be in d), 1 when the
 * plan has errors (an unresolved reference, two resources on one lab
 * object, nothing to publish: in d, no YAML), 2 when path is not a plan or
 * cannot be read (one error in d).  Free im with psc_import_free either
 * way. */
int psc_import_plan(const char *path, const psc_import_opts *o,
		    psc_import *im, psc_diags *d);
void psc_import_free(psc_import *im);

/* Write the YAML to path atomically (a temporary file beside it, then
 * rename): nothing is left half-written.  0, or -1 with err. */
int psc_import_write(const psc_import *im, const char *path, char *err,
		     size_t errlen);

/* The origin of a line of the YAML (1-based), NULL outside it. */
const psc_import_line *psc_import_line_of(const psc_import *im, int line);

#endif
