// Private to `recur gates` (cmd_gates*.c): the options, one training run per cell and seed, the
// ranked rows, and the files written into --out.
#ifndef RECUR_TOOLS_GATES_H
#define RECUR_TOOLS_GATES_H

#include <recur/recur.h>

enum { GATES_MAX_CELLS = 64 };

typedef struct gates_opts {
    const rc_task *task;
    int length, steps, batch, hidden, seeds, threads, optimizer;
    double lr, clip;
    bool forget_bias_set, equal_params, quiet, json;
    float forget_bias;
    const char *out;
    int n_cells;
    const rc_cell_type *cells[GATES_MAX_CELLS];
} gates_opts;

// One training run: a cell at its hidden size and one seed.
typedef struct gates_run {
    const rc_cell_type *cell;
    int hidden;
    uint64_t seed;
    rc_task_result res;
    rc_status st;
    char err[512];
    double wall_s;
} gates_run;

// One cell over its seeds.
typedef struct gates_row {
    const rc_cell_type *cell;
    int hidden, n_ok, n_success, median_step;
    int64_t n_params;
    double mean, std, ms_per_step, wall_s;
} gates_row;

// Trains every run on opts->threads worker threads, with progress on stderr unless quiet.
void gates_train_all(const gates_opts *o, gates_run *runs, int n);
// Files in o->out: curves.csv, gradflow.csv, results.json, plots, cell drawings, index.html.
// false with a message in err for the first file that could not be written.
bool gates_write_outputs(const gates_opts *o, const gates_run *runs, int n, const gates_row *rows,
                         int n_rows, double wall_s, char *err, size_t err_len);
// The results as JSON (jansson), for results.json and --json.
char *gates_json(const gates_opts *o, const gates_run *runs, int n, const gates_row *rows,
                 int n_rows, double wall_s);

#endif
