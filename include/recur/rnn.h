// recur: the recurrent cell interface, the PyTorch-compatible cells (RNN, LSTM, GRU) and the
// runners that work for any cell (unroll, stacked, bidirectional, variable lengths, TBPTT).
#ifndef RECUR_RNN_H
#define RECUR_RNN_H

#include "nn.h"

#define RC_CELL_MAX_STATE 4

typedef struct rc_cell rc_cell;

// One time step: reads x_t [B,I] and prev_state[k] [B,state_dim[k]], writes next_state[k] and
// returns the step's output [B,dim_out] (for most cells the new h, next_state[0]).
typedef rc_var (*rc_cell_step_fn)(const rc_cell *cell, rc_graph *g, rc_var x_t,
                                  const rc_var *prev_state, rc_var *next_state);

struct rc_cell {
    const char *name;   // "lstm", "gru", "mgu", ...
    int n_state;        // number of state tensors (1 for h; 2 for h, c)
    int64_t dim_in;     // I
    int64_t dim_hidden; // H
    int64_t dim_out;    // width of the output (H, or the projection size)
    int64_t state_dim[RC_CELL_MAX_STATE];
    rc_cell_step_fn step;
    void *params; // the cell's own parameter struct (its file defines it)
};

#endif
