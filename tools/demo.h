#ifndef RECUR_TOOLS_DEMO_H
#define RECUR_TOOLS_DEMO_H

// `recur demo`: builds a small recurrent model, back-propagates, prints the loss and gradient
// norms and writes the graph as DOT (and SVG when Graphviz is installed).
int recur_demo_main(int argc, char **argv);

#endif
