/* topology_load.h - the topology's YAML loader (libyaml): a file or a
 * buffer into the model of topology.h, every problem located in diags.
 * Schema tables drive it (unknown keys with a did-you-mean, wrong types,
 * missing keys, duplicates, bounds); it is fuzzed (tests/fuzz/). */
#ifndef PSCLAB_TOPOLOGY_LOAD_H
#define PSCLAB_TOPOLOGY_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "model/topology.h"

/* Limits on what the loader accepts (bad input must fail cleanly). */
#define PSC_TOPOLOGY_MAX_BYTES (1024 * 1024)
#define PSC_TOPOLOGY_MAX_DEPTH 16        /* nesting the schema can use */
/* Nesting refused before the document is composed: libyaml's scanner
 * costs O(depth) per token, so a deeply nested file would take minutes. */
#define PSC_TOPOLOGY_MAX_YAML_DEPTH 64
#define PSC_TOPOLOGY_MAX_VISITS 200000   /* nodes walked, aliases counted */

/* Load a topology from a YAML file.  Returns a new model (free with
 * psc_topology_free) when the file could be read as YAML; *unreadable is
 * set and NULL returned when it could not (missing, a directory, too large,
 * not YAML, empty).  Every problem, of either kind, goes to diags with its
 * location.  Schema problems (unknown keys, wrong types, missing keys)
 * leave a partial model and errors in diags. */
psc_topology *psc_topology_load_file(const char *path, psc_diags *diags,
				     bool *unreadable);
/* The same from memory; name is used in locations. */
psc_topology *psc_topology_load_buffer(const char *name, const char *buf,
				       size_t len, psc_diags *diags,
				       bool *unreadable);

#endif
