// Every subcommand's entry point and usage text; the table is in recur.c.
#ifndef RECUR_TOOLS_COMMANDS_H
#define RECUR_TOOLS_COMMANDS_H

int cmd_demo(int argc, char **argv);
extern const char cmd_demo_usage[];
int cmd_gates(int argc, char **argv);
extern const char cmd_gates_usage[];
int cmd_cells(int argc, char **argv);
extern const char cmd_cells_usage[];
int cmd_dot(int argc, char **argv);
extern const char cmd_dot_usage[];
int cmd_gradcheck(int argc, char **argv);
extern const char cmd_gradcheck_usage[];

int cmd_lm(int argc, char **argv);
extern const char cmd_lm_usage[];
int cmd_search(int argc, char **argv);
extern const char cmd_search_usage[];

int cmd_classify(int argc, char **argv);
extern const char cmd_classify_usage[];
int cmd_embed(int argc, char **argv);
extern const char cmd_embed_usage[];
int cmd_neighbours(int argc, char **argv);
extern const char cmd_neighbours_usage[];
int cmd_analogy(int argc, char **argv);
extern const char cmd_analogy_usage[];
int cmd_similarity(int argc, char **argv);
extern const char cmd_similarity_usage[];

#endif
