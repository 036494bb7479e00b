/* tfplan_names.h - the importer's bookkeeping: which lab object came from
 * which Terraform resource (origins), the assumptions made, the lab name
 * a plan gets without --name, the plan object a finding names, and the
 * importer's findings as text. */
#ifndef PSCLAB_TFPLAN_NAMES_H
#define PSCLAB_TFPLAN_NAMES_H

#include <stdio.h>

#include "model/diag.h"
#include "import/tfplan.h"

/* The lab name a plan gets without --name: its folder's name, lowered,
 * [a-z0-9-] only, starting with a letter, cut to PSC_LAB_NAME_MAX.
 * 0, or -1 with err when nothing usable is left. */
int psc_import_default_name(const char *plan_path, char *out, size_t len,
			    char *err, size_t errlen);

/* For a finding on a line the lab made (the TiDB Cloud side, Kafka): the
 * Terraform address of the first plan object its text names ("service
 * attachment 'kafka-psc'"), and that resource's type; NULL when none. */
const char *psc_import_blame(const psc_import *im, const char *text,
			     const char **type);

/* Findings of the importer, "file: error: <address>: <attr>: <msg>
 * [rule]" (with ":line:col" only when there is one), then a note line. */
void psc_import_print(const psc_diags *d, FILE *out);

/* bookkeeping shared by the importer's files */
int psc_import_origin_add(psc_import *im, const void *obj, int role,
			  const psc_tf_res *res);
/* an object the lab adds (the TiDB Cloud side, Kafka): text says so */
int psc_import_origin_text(psc_import *im, const void *obj, int role,
			   const char *text);
const psc_import_origin *psc_import_origin_get(const psc_import *im,
					       const void *obj, int role);
void psc_import_assume(psc_import *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
