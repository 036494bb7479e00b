/* status.h - `pscLab status`: what a lab is made of and how it is doing
 * (nodes, load balancers and their backends' health, PSC, DNS, processes,
 * rule counters, leaks), as text or JSON. */
#ifndef PSCLAB_STATUS_H
#define PSCLAB_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Print the status of one lab (lab non-NULL) or of every lab, as text or
 * JSON.  Returns 0; PSC_LAB_NOT_UP (store.h) with err when the named lab
 * is not up; -1 with err for anything else. */
int psc_lab_status(const char *lab, bool json, FILE *out, char *err,
		   size_t errlen);

#endif
