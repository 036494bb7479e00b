/* tfplan_refs.h - a Terraform / OpenTofu plan (`tofu show -json`, format
 * 1.x) read with jansson: its resource instances (root and child modules,
 * recursively, for_each/count indexes), their planned values, and the
 * references between them followed through the `configuration` section
 * (ids and self links are unknown at plan time, so `network = ...id` is
 * absent from the values; only `references` tell what it names).
 *
 * Reads one file (at most PSC_TF_MAX_BYTES), touches nothing else.  Every
 * problem goes to a psc_diags with the Terraform address as its object and
 * no line (JSON carries none). */
#ifndef PSCLAB_TFPLAN_REFS_H
#define PSCLAB_TFPLAN_REFS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"

/* The shared plans are 60-65 KB for 17-19 resources; 16 MiB is a plan of
 * thousands of resources, far more than one lab holds. */
#define PSC_TF_MAX_BYTES (16L * 1024 * 1024)
#define PSC_TF_ADDR_LEN 256
#define PSC_TF_MAX_RESOURCES 2048
#define PSC_TF_MAX_MODULE_DEPTH 16  /* child modules, and reference hops */

typedef struct psc_tf_res {
	char address[PSC_TF_ADDR_LEN];  /* module.neg[0].google_x.y["k"] */
	char module[PSC_TF_ADDR_LEN];   /* "" (root) or "module.neg[0]" */
	const char *type, *name;        /* borrowed from the JSON */
	json_t *index;                  /* for_each key / count index, or NULL */
	json_t *values;                 /* planned values (an object) */
	json_t *config;                 /* its configuration block, or NULL */
	bool data;                      /* a data source (mode "data") */
	bool used;                      /* mapped to a lab object */
} psc_tf_res;

typedef struct psc_tf_plan {
	char path[4096];
	json_t *root;
	json_t *config_root;            /* configuration.root_module, or NULL */
	psc_tf_res *res;
	size_t n;
	char provider_project[64];      /* provider "google" project/region */
	char provider_region[64];
} psc_tf_plan;

/* Read and check a plan: 0, or -1 when path is not a plan (a state file, a
 * configuration, a pscLab topology, garbage, too large, unreadable), with
 * one error in d saying which and how to make a plan. */
int psc_tf_plan_read(const char *path, psc_tf_plan *p, psc_diags *d);
void psc_tf_plan_free(psc_tf_plan *p);

/* Whether path looks like JSON (its first non-blank byte is '{'), read
 * from its first bytes only: how `lint` and `up` tell a plan from a
 * topology by content. */
bool psc_tf_sniff(const char *path);

/* A planned value by path ("network_interface.0.network_ip"); NULL when
 * absent (unknown at plan time) or JSON null. */
json_t *psc_tf_value(const psc_tf_res *r, const char *path);
const char *psc_tf_str(const psc_tf_res *r, const char *path);
/* 0 and *out when the value is a number (or a string of digits) */
int psc_tf_long(const psc_tf_res *r, const char *path, long *out);

/* The resources an attribute refers to: every reference of the
 * configuration expression at attr ("backend.*.group": '*' = every block)
 * followed to resource instances of one of types (NULL-terminated),
 * through var.* (the module call's expression), module.*.<output>, and
 * for_each/count (each.key, count.index: the referring instance's own
 * index).  Returns how many were found (deduplicated, at most max), or -1
 * when none: why says which reference could not be followed. */
int psc_tf_follow(const psc_tf_plan *p, const psc_tf_res *r,
		  const char *attr, const char *const *types,
		  const psc_tf_res **out, size_t max, char *why,
		  size_t whylen);

/* The index of r as Terraform writes it: "" , "[0]", "[\"k\"]" */
void psc_tf_index_str(const psc_tf_res *r, char *out, size_t len);

#endif
