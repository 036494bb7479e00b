/* store.c - the one reader of a stored lab (see store.h). */
#define _GNU_SOURCE
#include "runtime/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/topology_load.h"
#include "runtime/state.h"

int psc_lab_load(const char *lab, psc_topology **t, psc_plan *p, char *err,
		 size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	psc_diags d;
	bool unreadable;

	*t = NULL;
	if (psc_lab_name_check(lab, err, errlen) < 0)
		return -1;
	if (psc_state_dir(lab, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "lab '%s': no state directory", lab);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/topology.yaml", dir);
	if (access(path, R_OK) != 0) {
		int e = errno;
		snprintf(err, errlen, "lab '%s' is not up (%s: %s)", lab, path,
			 strerror(e));
		return e == ENOENT ? PSC_LAB_NOT_UP : -1;
	}
	psc_diags_init(&d, path);
	*t = psc_topology_load_file(path, &d, &unreadable);
	if (!*t || d.n_errors) {
		snprintf(err, errlen, "lab '%s': its topology copy %s does "
			 "not load", lab, path);
		psc_diags_free(&d);
		psc_topology_free(*t);
		*t = NULL;
		return -1;
	}
	psc_diags_free(&d);
	if (psc_plan_build(*t, p, err, errlen) < 0) {
		psc_topology_free(*t);
		*t = NULL;
		return -1;
	}
	return 0;
}
