/* check_faults.h - the faults set on the lab (pscLab fault; runtime/
 * store.h keeps them) as one check of the report: none, no check; else a
 * WARN naming each fault and how to clear it, so that a failure above is
 * read for what it is (the lab was broken on purpose).  With --strict, a
 * failure like any WARN. */
#ifndef PSCLAB_VERIFY_CHECK_FAULTS_H
#define PSCLAB_VERIFY_CHECK_FAULTS_H

#include <stdbool.h>

#include "model/fault.h"
#include "verify/verify.h"

/* The check for the faults fs of lab (pure); false: none set. */
bool psc_verify_faults_check(const char *lab, const psc_faults *fs,
			     psc_verify_check *out);
/* The same with the faults read from the lab's state. */
bool psc_verify_faults_read(const char *lab, psc_verify_check *out);

#endif
