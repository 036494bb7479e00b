/* graph_write.h - the text formats of `pscLab graph`: Graphviz dot and
 * Mermaid (a `flowchart` for Markdown), both written from the one graph
 * model (graph.h), so that they hold the same nodes and edges.
 *
 * dot: `digraph "psclab-<lab>"`, a cluster per VPC and subnet, nodes by
 * their graph.h ids, every label and tooltip escaped; a running lab's
 * colours as fillcolor/color, the caption as the graph's label.
 * Mermaid: `flowchart LR`, subgraphs for the clusters, the ids made
 * Mermaid-safe (psc_graph_mermaid_id), one `-->` (solid), `-.->` (dotted,
 * dashed) line per edge in the model's order, colours as classDef/class
 * and linkStyle lines. */
#ifndef PSCLAB_GRAPH_WRITE_H
#define PSCLAB_GRAPH_WRITE_H

#include <stdio.h>

#include "cli/graph.h"

/* Text for a label: a newline as <br>, the characters HTML (lead '&':
 * &quot; &lt; &gt; &amp;) or Mermaid's strings (lead '#': #quot; ... and
 * #35; for '#') take for syntax as entities, other control characters
 * left out. */
void psc_graph_write_text(FILE *out, const char *s, char lead);

/* 0, or -1 on a write error (errno as the stream left it) */
int psc_graph_write_dot(const psc_graph *g, FILE *out);
int psc_graph_write_mermaid(const psc_graph *g, FILE *out);

#endif
