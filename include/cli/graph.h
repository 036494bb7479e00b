/* graph.h - a topology as a Graphviz (dot) graph, for `pscLab graph`. */
#ifndef PSCLAB_GRAPH_H
#define PSCLAB_GRAPH_H

#include <stdio.h>

#include "model/topology.h"

/* Writes a digraph: one cluster per VPC and subnet, the instances with their
 * addresses and roles, load balancers, NEG mappings, the service attachment,
 * PSC endpoint and DNS zone, and the changefeed's path. */
void psc_graph_dot(const psc_topology *t, FILE *out);

#endif
