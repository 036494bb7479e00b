/* graph_render.c - SVG and PNG through libgvc, and the HTML page (see
 * graph_render.h).  Touches nothing but memory and the FILE * given;
 * Graphviz reads its plugin configuration (Debian: /usr/lib/<arch>/
 * graphviz/config6a) when its context is made. */
#define _GNU_SOURCE
#include "cli/graph_render.h"

#include <errno.h>
#include <gvc.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/graph_write.h"

/* what Graphviz said during one render (its error hook takes no
 * argument, so this is the one place; pscLab is single-threaded here) */
static char gv_msgs[1024];

static int gv_catch(char *msg)
{
	psc_appendf(gv_msgs, sizeof(gv_msgs), "%s", msg);
	return 0;
}

/* the dot text of g, in memory: malloc()ed, NUL-terminated, or NULL */
static char *dot_text(const psc_graph *g, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		psc_setf(err, errlen, "graph '%s': open_memstream: %s", g->name,
			 strerror(errno));
		return NULL;
	}
	int rc = psc_graph_write_dot(g, m);
	if (fclose(m) != 0 || rc < 0) {
		psc_setf(err, errlen, "graph '%s': cannot write its dot text "
			 "to memory", g->name);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Graphviz's messages as one line of err */
static void gv_error(const char *what, const char *format, char *err,
		     size_t errlen)
{
	char *nl;
	while ((nl = strchr(gv_msgs, '\n')) && nl[1])
		*nl = ' ';
	if ((nl = strchr(gv_msgs, '\n')))
		*nl = '\0';
	psc_setf(err, errlen, "Graphviz cannot %s %s: %s\n  fix: sudo "
		 "apt-get install graphviz (or sudo make deps), then "
		 "'dot -T%s </dev/null' must work", what, format,
		 gv_msgs[0] ? gv_msgs : "no message", format);
}

static int render_graph(GVC_t *gvc, Agraph_t *ag, const char *format,
			char **out, size_t *outlen, char *err, size_t errlen)
{
	char *data = NULL;
	unsigned int n = 0;
	if (gvLayout(gvc, ag, "dot") != 0) {
		gv_error("lay out the graph for", format, err, errlen);
		return -1;
	}
	int rc = gvRenderData(gvc, ag, format, &data, &n);
	gvFreeLayout(gvc, ag);
	if (rc != 0 || !data) {
		gv_error("render", format, err, errlen);
		return -1;
	}
	*out = malloc((size_t)n + 1);
	if (!*out) {
		gvFreeRenderData(data);
		psc_setf(err, errlen, "out of memory for a %u-byte %s", n,
			 format);
		return -1;
	}
	memcpy(*out, data, n);
	(*out)[n] = '\0';
	*outlen = n;
	gvFreeRenderData(data);
	return 0;
}

int psc_graph_render(const psc_graph *g, const char *format, char **out,
		     size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	char *dot = dot_text(g, err, errlen);
	if (!dot)
		return -1;
	gv_msgs[0] = '\0';
	agusererrf old = agseterrf(gv_catch);
	agseterr(AGWARN);
	int rc = -1;
	GVC_t *gvc = gvContext();
	Agraph_t *ag = gvc ? agmemread(dot) : NULL;
	if (!gvc)
		psc_setf(err, errlen, "Graphviz: no context (gvContext)");
	else if (!ag)
		gv_error("read the graph for", format, err, errlen);
	else
		rc = render_graph(gvc, ag, format, out, outlen, err, errlen);
	if (ag)
		agclose(ag);
	if (gvc)
		gvFreeContext(gvc);
	agseterrf(old);
	free(dot);
	return rc;
}

/* ---- HTML ---- */

static void html_text(FILE *out, const char *s)
{
	psc_graph_write_text(out, s, '&');
}

/* the SVG from its <svg element on, without the namespace URIs (HTML
 * puts an inline <svg> in the SVG namespace by itself) */
static void svg_inline(FILE *out, const char *svg, size_t len)
{
	static const char *const drop[] = {
		" xmlns=\"http://www.w3.org/2000/svg\"",
		" xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
	};
	const char *s = memmem(svg, len, "<svg", 4);
	const char *end = svg + len;
	while (s && s < end) {
		bool skipped = false;
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
			size_t l = strlen(drop[i]);
			if ((size_t)(end - s) >= l && memcmp(s, drop[i], l) == 0) {
				s += l;
				skipped = true;
			}
		}
		if (!skipped)
			fputc(*s++, out);
	}
}

static void legend(FILE *out)
{
	static const char *const lines[][2] = {
		{"solid", "a path: bootstrap, PSC, target, backend, NEG "
			  "mapping (client port -&gt; instance:port), member"},
		{"dashed", "kafka-proxy's bootstrap mapping (listen -&gt; "
			   "upstream broker)"},
		{"dotted", "a DNS record, a service attachment's NAT subnet, "
			   "health probes"},
	};
	fputs("<h2>Legend</h2>\n<table>\n<tr><th>colour</th><th>means</th>"
	      "</tr>\n", out);
	for (int c = PSC_GC_NONE; c <= PSC_GC_LAST; c++) {
		fprintf(out, "<tr><td><span class=\"sw\" style=\"background:%s;"
			"border-color:%s\"></span> %s</td><td>",
			psc_graph_colour_fill(c), psc_graph_colour_line(c),
			psc_graph_colour_name(c));
		html_text(out, psc_graph_colour_meaning(c));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n<table>\n<tr><th>node id</th><th>is</th></tr>\n", out);
	for (int k = 0; k <= PSC_GN_LAST; k++) {
		fprintf(out, "<tr><td><code>%s&lt;name&gt;</code></td><td>",
			psc_graph_kind_prefix(k));
		html_text(out, psc_graph_kind_title(k));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n<table>\n<tr><th>line</th><th>is</th></tr>\n", out);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(out, "<tr><td>%s</td><td>%s</td></tr>\n", lines[i][0],
			lines[i][1]);
	fputs("</table>\n<p>Hover a node or an edge for what its colour "
	      "says.</p>\n", out);
}

int psc_graph_write_html(const psc_graph *g, const char *svg, size_t svglen,
			 FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset="
	      "\"utf-8\">\n<title>pscLab graph ", out);
	html_text(out, g->name);
	fputs("</title>\n<style>\nbody{font-family:Helvetica,Arial,sans-serif;"
	      "margin:1em}\ntable{border-collapse:collapse;margin:0.5em 0}\n"
	      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	      ".sw{display:inline-block;width:1.2em;height:0.9em;border:2px "
	      "solid}\n.pic{overflow:auto}\n</style>\n</head>\n<body>\n<h1>"
	      "pscLab graph ", out);
	html_text(out, g->name);
	fprintf(out, "</h1>\n<p>%s</p>\n", g->live ? "a running lab" :
		"a topology (not a running lab: no colours)");
	if (g->caption[0]) {
		fputs("<p>", out);
		html_text(out, g->caption);
		fputs("</p>\n", out);
	}
	fputs("<div class=\"pic\">\n", out);
	svg_inline(out, svg, svglen);
	fputs("</div>\n", out);
	legend(out);
	fputs("</body>\n</html>\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
