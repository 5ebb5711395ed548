// Private to the word-vector subcommands (cmd_embed.c trains, cmd_vectors.c queries and
// evaluates): the evaluations printed as text or added to a JSON object.
#ifndef RECUR_TOOLS_VECTORS_H
#define RECUR_TOOLS_VECTORS_H

#include <jansson.h>
#include <recur/recur.h>

// Analogy accuracy per section and in total: printed, or added to root under "analogies".
bool vectors_analogies(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o, json_t *root,
                       char *err, size_t err_len);
// Spearman and Pearson correlation: printed, or added to root under "similarity" (an array).
bool vectors_similarity(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                        json_t *root, char *err, size_t err_len);

#endif
