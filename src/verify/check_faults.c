/* check_faults.c - the lab's faults as a check (see check_faults.h). */
#define _GNU_SOURCE
#include "verify/check_faults.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "runtime/store.h"

bool psc_verify_faults_check(const char *lab, const psc_faults *fs,
			     psc_verify_check *out)
{
	char what[PSC_HOST_LEN * 2 + 64];
	if (!fs->n)
		return false;
	memset(out, 0, sizeof(*out));
	out->status = PSC_VERIFY_WARN;
	out->broker = -1;
	out->hop = PSC_HOP_VERIFY;
	PSC_SET(out->name, "the lab has no faults set (pscLab fault)");
	PSC_SET(out->detail, "%zu fault%s set on purpose:", fs->n,
		fs->n == 1 ? " is" : "s are");
	for (size_t i = 0; i < fs->n; i++) {
		psc_fault_describe(&fs->f[i], what, sizeof(what));
		if (fs->f[i].exercise[0])
			psc_setf(what, sizeof(what), "(exercise %s: find what "
				 "it broke, pscLab check %s %s grades it)",
				 fs->f[i].exercise, lab, fs->f[i].exercise);
		PSC_APP(out->detail, "%s %s %s", i ? ";" : "", fs->f[i].id,
			what);
	}
	PSC_APP(out->detail, ": what fails above may be their doing");
	PSC_SET(out->fix, "sudo pscLab fault %s clear all (or clear <id>), "
		"then verify again", lab);
	return true;
}

bool psc_verify_faults_read(const char *lab, psc_verify_check *out)
{
	char err[256];
	psc_faults *fs = calloc(1, sizeof(*fs));
	bool any = fs && psc_lab_faults_read(lab, fs, err, sizeof(err)) == 0 &&
		   psc_verify_faults_check(lab, fs, out);
	free(fs);
	return any;
}
