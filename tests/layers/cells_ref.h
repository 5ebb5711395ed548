// Scalar references for the gating variants (include/recur/cells.h): one step for one batch row,
// written as plain loops in double straight from the equations in each cell's header comment.
#ifndef RECUR_TEST_CELLS_REF_H
#define RECUR_TEST_CELLS_REF_H

#include <recur/recur.h>

// x [I] and prev[k] [state_dim[k]] of one row in; next[k] out. Every variant's output is next[0].
typedef void (*cref_fn)(const rc_cell *cell, const double *x, const double *const *prev,
                        double **next);

void cref_peephole(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_nig(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_nfg(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_nog(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_niaf(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_noaf(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_np(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_cifg(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_fgr(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_gru_cho(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_mgu(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_mut1(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_mut2(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_mut3(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_indrnn(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_sru(const rc_cell *cell, const double *x, const double *const *prev, double **next);
void cref_ln_lstm(const rc_cell *cell, const double *x, const double *const *prev, double **next);

#endif
