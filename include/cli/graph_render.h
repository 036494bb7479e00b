/* graph_render.h - SVG and PNG of `pscLab graph` through Graphviz's own
 * library (libgvc, libcgraph: the dot text parsed in memory, laid out with
 * the dot engine, rendered to a buffer; no `dot` process), and the one
 * self-contained HTML page: the SVG inline and a legend, no external
 * reference (no script, stylesheet, font or image from anywhere).
 *
 * Graphviz's messages are caught (agseterrf) into the error buffer instead
 * of going to stderr.  Measured here (2 cores at load 4, Graphviz 2.42),
 * the whole `pscLab graph portmap` run: dot 0-20 ms, SVG 20-50 ms, HTML
 * 30-50 ms, PNG 80-110 ms. */
#ifndef PSCLAB_GRAPH_RENDER_H
#define PSCLAB_GRAPH_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "cli/graph.h"

/* Render g as format ("svg" or "png") into *out (malloc()ed, free() it),
 * *outlen bytes.  0, or -1 with err (what Graphviz said, and the fix when
 * its plugins are missing). */
int psc_graph_render(const psc_graph *g, const char *format, char **out,
		     size_t *outlen, char *err, size_t errlen);

/* The HTML page of g: its caption, the SVG (as psc_graph_render gives it)
 * inline without its XML prolog, DOCTYPE and namespace URIs, and the
 * legend (colours, shapes, lines).  0, or -1 on a write error. */
int psc_graph_write_html(const psc_graph *g, const char *svg, size_t svglen,
			 FILE *out);

#endif
