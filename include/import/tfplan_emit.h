/* tfplan_emit.h - an imported topology as YAML text: the schema of
 * topologies/portmap.yaml (src/model/topology_load.c), every object under
 * a comment naming the Terraform address it came from, and a line map
 * (psc_import.lines) giving each line's Terraform address and attribute.
 * libyaml's emitter writes no comments, so the text is written here, every
 * scalar that is not a plain word double-quoted and escaped. */
#ifndef PSCLAB_TFPLAN_EMIT_H
#define PSCLAB_TFPLAN_EMIT_H

#include <stddef.h>

#include "import/tfplan.h"

/* im->t (and im->kafka_text) into im->yaml and im->lines.  0, or -1 with
 * err (out of memory). */
int psc_import_emit(psc_import *im, char *err, size_t errlen);

/* s as a YAML scalar: plain when it is a safe word, else double-quoted
 * with escapes.  Returns out. */
char *psc_yaml_scalar(const char *s, char *out, size_t len);

#endif
