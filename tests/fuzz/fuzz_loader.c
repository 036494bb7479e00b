/* libFuzzer target: the topology loader and the linter on arbitrary bytes.
 * Built and run for a bounded time by `make fuzz` (FUZZ_SECONDS). */
#include <stddef.h>
#include <stdint.h>

#include "model/diag.h"
#include "lint/lint.h"
#include "model/topology.h"
#include "model/topology_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	psc_diags d;
	bool unreadable;
	psc_diags_init(&d, "fuzz.yaml");
	psc_topology *t = psc_topology_load_buffer("fuzz.yaml",
						   (const char *)data, size,
						   &d, &unreadable);
	if (t && d.n_errors == 0)
		psc_lint(t, &d);
	psc_topology_free(t);
	psc_diags_free(&d);
	return 0;
}
