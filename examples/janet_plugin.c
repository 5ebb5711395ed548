// The JANET cell of examples/custom_cell.c as a plugin: a shared object that `recur` (and any
// program calling rc_plugin_load) loads at run time, after which `--cell janet` works in every
// subcommand. JANET is the forget-gate-only LSTM of van der Westhuizen & Lasenby (2018):
//   s = W_f x + U_f h + b_f,  c~ = tanh(W_c x + U_c h + b_c),
//   h' = σ(s) * h + (1 - σ(s - β)) * c~,   β = 1.
//
// Build against the installed library:
//   cc -shared -fPIC janet_plugin.c -o janet.so $(pkg-config --cflags --libs recur)
// then: recur cells --plugin ./janet.so    (README "Your own cell as a plugin", docs/cli.md)
#include <math.h>
#include <stdio.h>

#include <recur/plugin.h>
#include <recur/recur.h>

// The options struct begins with int64_t dim_hidden, as rc_cell_opts_init requires.
typedef struct janet_opts {
    int64_t dim_hidden;
} janet_opts;

typedef struct janet_params {
    rc_param *weight_ih, *weight_hh, *bias; // [2H,I] and [2H,H] with blocks [f|c], [2H]
} janet_params;

// The input half of both gates for all time steps in one GEMM: x [N,I] -> [N,2H].
static rc_var janet_project(const rc_cell_ctx *c, rc_var x) {
    const janet_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));
}

static rc_var janet_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const janet_params *p = c->cell->params;
    rc_var pre = rc_add(xp, rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)));
    rc_var fc[2];
    rc_split(pre, 1, 2, fc);
    rc_var keep = rc_sigmoid(fc[0]);
    rc_var write = rc_sigmoid(rc_affine(fc[0], -1.0f, 1.0f)); // 1 - σ(s - β) = σ(β - s)
    next[0] = rc_add(rc_mul(keep, prev[0]), rc_mul(write, rc_tanh(fc[1])));
    return next[0];
}

static rc_status janet_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                            size_t err_len) {
    const int64_t H = ((const janet_opts *)opts)->dim_hidden, I = cell->dim_in;
    if (H < 1) {
        if (err && err_len)
            snprintf(err, err_len, "janet: dim_hidden must be >= 1, got %lld", (long long)H);
        return RC_ERR_ARG;
    }
    janet_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = janet_step;
    cell->project = janet_project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(2 * H, I), k, rng,
                                      &p->weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(2 * H, H), k, rng, &p->weight_hh,
                                err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "bias", RC_SHAPE(2 * H), k, rng, &p->bias, err, err_len);
    return st;
}

static const rc_cell_type janet_cell = {
    .name = "janet",
    .params_size = sizeof(janet_params),
    .init = janet_init,
    .opts_size = sizeof(janet_opts),
    .summary = "JANET, forget-gate-only LSTM (van der Westhuizen & Lasenby 2018), a plugin",
};

static const rc_cell_type *const janet_cells[] = {&janet_cell};
static const rc_plugin_info janet_info = {.abi_version = RC_PLUGIN_ABI_VERSION,
                                          .name = "janet",
                                          .n_cell_types = 1,
                                          .cell_types = janet_cells};

RC_PLUGIN_EXPORT const rc_plugin_info *recur_plugin(void) {
    return &janet_info;
}
