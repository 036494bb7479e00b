/* exercise.h - the graded break/fix tasks of lab/exercises/ (`pscLab
 * check <lab> <exercise>`): a definition file says what the exercise
 * breaks (faults set on a running lab, hidden from status and verify, or
 * a scenario of topologies/scenarios/ brought up with --ignore-lint),
 * the task the trainee reads, and a hint per hop verify can name.  The
 * grade is pure: from a verify report, the lab's faults and whether its
 * topology lints clean, it says passed, or what is still wrong (the hop
 * and its hint, never the fix itself).
 *
 * A definition (YAML, libyaml):
 *   name: psc-firewall
 *   title: ...
 *   approach: portmap              the lab it runs on
 *   faults: ["firewall-disable allow-psc-traffic"]   or
 *   scenario: no-psc-firewall      (a lab named sc-<scenario>)
 *   task: |
 *     what the trainee is told
 *   hints:                          by verify's hop name (dns, endpoint,
 *     firewall: ...                 firewall, lb-mapping, broker, ...),
 *     default: ...                  default for any other
 */
#ifndef PSCLAB_VERIFY_EXERCISE_H
#define PSCLAB_VERIFY_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/fault.h"
#include "verify/verify.h"

#define PSC_EX_MAX_FAULTS 4
#define PSC_EX_MAX_HINTS 12
#define PSC_EX_TEXT_LEN 1024

typedef struct psc_exercise {
	char name[PSC_NAME_LEN];
	char title[256];
	char approach[PSC_NAME_LEN];
	char scenario[PSC_NAME_LEN];        /* "" : faults */
	char faults[PSC_EX_MAX_FAULTS][256];
	size_t n_faults;
	char task[PSC_EX_TEXT_LEN];
	struct {
		char hop[32];
		char text[512];
	} hints[PSC_EX_MAX_HINTS];
	size_t n_hints;
} psc_exercise;

/* Load a definition file.  0, or -1 with err naming the file, line and
 * what is wrong. */
int psc_exercise_load(const char *path, psc_exercise *ex, char *err,
		      size_t errlen);

typedef struct psc_exercise_grade {
	bool passed;
	char text[PSC_EX_TEXT_LEN];         /* what the trainee reads */
} psc_exercise_grade;

/* Grade it (pure): passed when none of the exercise's faults is still
 * set, the lab's topology lints clean (a scenario) and verify failed no
 * check; else the first failing check's hop and its hint, or what still
 * stands in the way. */
void psc_exercise_grade_of(const psc_exercise *ex, const psc_verify_report *r,
			   const psc_faults *fs, bool lint_clean,
			   psc_exercise_grade *g);

#endif
