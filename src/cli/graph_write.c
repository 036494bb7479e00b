/* graph_write.c - the dot and Mermaid writers of the graph model (see
 * graph_write.h).  Pure: only the FILE * they are given. */
#include "cli/graph_write.h"

#include <string.h>

static const struct {
	const char *dot_shape, *dot_style;
	const char *mm_open, *mm_close;
} shapes[] = {
	[PSC_GN_VM] = {"box", "", "[\"", "\"]"},
	[PSC_GN_LB] = {"trapezium", "", "[/\"", "\"\\]"},
	[PSC_GN_NEG] = {"folder", "", "[[\"", "\"]]"},
	[PSC_GN_IG] = {"tab", "", "[(\"", "\")]"},
	[PSC_GN_HC] = {"octagon", "", ">\"", "\"]"},
	[PSC_GN_SA] = {"hexagon", "", "{{\"", "\"}}"},
	[PSC_GN_NAT] = {"box", "dashed", "[\"", "\"]"},
	[PSC_GN_EP] = {"ellipse", "", "([\"", "\"])"},
	[PSC_GN_DNS] = {"note", "", "[/\"", "\"/]"},
	[PSC_GN_EMPTY] = {"plaintext", "", "[\"", "\"]"},
};

/* ---- dot ---- */

/* a dot string's contents: quotes and backslashes escaped, a newline as
 * \n, other control characters left out */
static void dot_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

static void dot_q(FILE *out, const char *s)
{
	fputc('"', out);
	dot_text(out, s);
	fputc('"', out);
}

static void dot_node(const psc_graph_node *n, FILE *out, int depth)
{
	fprintf(out, "%*s", 2 * depth, "");
	dot_q(out, n->id);
	fprintf(out, " [shape=%s, label=", shapes[n->kind].dot_shape);
	dot_q(out, n->label);
	const char *style = shapes[n->kind].dot_style;
	if (n->colour != PSC_GC_NONE) {
		fprintf(out, ", style=\"%s%sfilled\", fillcolor=\"%s\", "
			"color=\"%s\", penwidth=2", style, *style ? "," : "",
			psc_graph_colour_fill(n->colour),
			psc_graph_colour_line(n->colour));
	} else if (*style) {
		fprintf(out, ", style=\"%s\"", style);
	}
	if (n->why[0]) {
		fprintf(out, ", tooltip=");
		dot_q(out, n->why);
	}
	fprintf(out, "];\n");
}

/* cluster c (-1: the top level): its nodes, then its clusters */
static void dot_cluster(const psc_graph *g, int c, FILE *out, int depth)
{
	if (c >= 0) {
		const psc_graph_cluster *cl = &g->clusters[c];
		fprintf(out, "%*ssubgraph ", 2 * depth, "");
		dot_q(out, cl->id);
		fprintf(out, " {\n%*slabel=", 2 * depth + 2, "");
		dot_q(out, cl->label);
		fprintf(out, ";\n%*s%s\n", 2 * depth + 2, "",
			cl->parent < 0 ? "style=rounded; color=\"#4a6fa5\";"
			: cl->nat ? "style=\"dashed,filled\"; fillcolor=\"#f6f0ff\"; "
				    "color=\"#7a4fb5\";"
				  : "style=filled; fillcolor=\"#f4f7fb\"; "
				    "color=\"#9fb3c8\";");
	}
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].cluster == c)
			dot_node(&g->nodes[i], out, depth + 1);
	for (size_t i = 0; i < g->n_clusters; i++)
		if (g->clusters[i].parent == c && (int)i != c)
			dot_cluster(g, (int)i, out, depth + 1);
	if (c >= 0)
		fprintf(out, "%*s}\n", 2 * depth, "");
}

static void dot_edge(const psc_graph *g, const psc_graph_edge *e, FILE *out)
{
	static const char *const styles[] = {"solid", "dashed", "dotted"};
	fprintf(out, "  ");
	dot_q(out, g->nodes[e->from].id);
	fprintf(out, " -> ");
	dot_q(out, g->nodes[e->to].id);
	fprintf(out, " [label=");
	dot_q(out, e->label);
	if (e->style != PSC_GE_SOLID)
		fprintf(out, ", style=%s", styles[e->style]);
	if (e->colour != PSC_GC_NONE)
		fprintf(out, ", color=\"%s\", fontcolor=\"%s\", penwidth=2",
			psc_graph_colour_line(e->colour),
			psc_graph_colour_line(e->colour));
	if (e->why[0]) {
		fprintf(out, ", tooltip=");
		dot_q(out, e->why);
	}
	fprintf(out, "];\n");
}

int psc_graph_write_dot(const psc_graph *g, FILE *out)
{
	char name[PSC_NAME_LEN + 8];
	snprintf(name, sizeof(name), "psclab-%s", g->name);
	fprintf(out, "digraph ");
	dot_q(out, name);
	fprintf(out, " {\n  rankdir=LR;\n  fontname=\"Helvetica\";\n"
		"  node [fontsize=10, fontname=\"Helvetica\"];\n"
		"  edge [fontsize=9, fontname=\"Helvetica\"];\n");
	if (g->caption[0]) {
		fprintf(out, "  labelloc=t;\n  label=");
		dot_q(out, g->caption);
		fprintf(out, ";\n");
	}
	dot_cluster(g, -1, out, 0);
	for (size_t i = 0; i < g->n_edges; i++)
		dot_edge(g, &g->edges[i], out);
	fprintf(out, "}\n");
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- Mermaid ---- */

void psc_graph_write_text(FILE *out, const char *s, char lead)
{
	for (; *s; s++) {
		const char *name = *s == '"' ? "quot" : *s == '<' ? "lt"
				   : *s == '>' ? "gt" : *s == '&' ? "amp"
				   : *s == '#' && lead == '#' ? "35" : NULL;
		if (name)
			fprintf(out, "%c%s;", lead, name);
		else if (*s == '\n')
			fputs("<br>", out);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

static void mm_text(FILE *out, const char *s)
{
	psc_graph_write_text(out, s, '#');
}

static void mm_id(FILE *out, const char *id)
{
	char m[PSC_GRAPH_ID_LEN];
	psc_graph_mermaid_id(id, m, sizeof(m));
	fputs(m, out);
}

static void mm_cluster(const psc_graph *g, int c, FILE *out, int depth)
{
	if (c >= 0) {
		fprintf(out, "%*ssubgraph ", 2 * depth, "");
		mm_id(out, g->clusters[c].id);
		fputs(" [\"", out);
		mm_text(out, g->clusters[c].label);
		fputs("\"]\n", out);
	}
	for (size_t i = 0; i < g->n_nodes; i++) {
		const psc_graph_node *n = &g->nodes[i];
		if (n->cluster != c)
			continue;
		fprintf(out, "%*s", 2 * depth + 2, "");
		mm_id(out, n->id);
		fputs(shapes[n->kind].mm_open, out);
		mm_text(out, n->label);
		fprintf(out, "%s\n", shapes[n->kind].mm_close);
	}
	for (size_t i = 0; i < g->n_clusters; i++)
		if (g->clusters[i].parent == c && (int)i != c)
			mm_cluster(g, (int)i, out, depth + 1);
	if (c >= 0)
		fprintf(out, "%*send\n", 2 * depth, "");
}

/* classDef per colour in use, class lines, linkStyle per coloured edge,
 * the subgraphs' own styles */
static void mm_styles(const psc_graph *g, FILE *out)
{
	for (int c = PSC_GC_OK; c <= PSC_GC_LAST; c++) {
		const char *sep = "";
		for (size_t i = 0; i < g->n_nodes; i++) {
			if (g->nodes[i].colour != (psc_graph_colour)c)
				continue;
			if (!*sep)
				fprintf(out, "  classDef %s fill:%s,stroke:%s,"
					"stroke-width:2px\n  class ",
					psc_graph_colour_name(c),
					psc_graph_colour_fill(c),
					psc_graph_colour_line(c));
			fputs(sep, out);
			mm_id(out, g->nodes[i].id);
			sep = ",";
		}
		if (*sep)
			fprintf(out, " %s\n", psc_graph_colour_name(c));
	}
	for (size_t i = 0; i < g->n_edges; i++)
		if (g->edges[i].colour != PSC_GC_NONE)
			fprintf(out, "  linkStyle %zu stroke:%s,stroke-width:2px\n",
				i, psc_graph_colour_line(g->edges[i].colour));
	for (size_t i = 0; i < g->n_clusters; i++)
		if (g->clusters[i].nat) {
			fputs("  style ", out);
			mm_id(out, g->clusters[i].id);
			fputs(" fill:#f6f0ff,stroke:#7a4fb5,"
			      "stroke-dasharray:5 5\n", out);
		}
}

int psc_graph_write_mermaid(const psc_graph *g, FILE *out)
{
	fprintf(out, "---\ntitle: \"pscLab graph ");
	mm_text(out, g->name);
	fprintf(out, "\"\n---\n");
	if (g->caption[0]) {
		/* a comment cannot span lines */
		fputs("%% ", out);
		for (const char *s = g->caption; *s; s++)
			fputs(*s == '\n' ? "\n%% " : (char[]){*s, 0}, out);
		fputc('\n', out);
	}
	fputs("flowchart LR\n", out);
	mm_cluster(g, -1, out, 0);
	for (size_t i = 0; i < g->n_edges; i++) {
		const psc_graph_edge *e = &g->edges[i];
		fputs("  ", out);
		mm_id(out, g->nodes[e->from].id);
		fputs(e->style == PSC_GE_SOLID ? " -->|\"" : " -.->|\"", out);
		mm_text(out, e->label);
		fputs("\"| ", out);
		mm_id(out, g->nodes[e->to].id);
		fputc('\n', out);
	}
	mm_styles(g, out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
