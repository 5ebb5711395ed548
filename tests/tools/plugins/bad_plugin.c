// Plugins that are wrong in one way each, for tests/tools/test_plugins.c. meson builds this file
// several times with one of these defined:
//   BAD_ABI     the description claims another ABI version
//   NO_ENTRY    the entry symbol is missing (the function has another name)
//   INIT_FAILS  the cell's init always returns an error
//   DUPLICATE   the cell is named "lstm", a built-in name
//   WRONG_GRAD  the cell (named "tiny_wrong") uses an op whose backward is wrong, so that
//               `recur gradcheck` must fail on it
// and with none of them it is a good plugin with a cell named "tiny_ok".
#include <stdio.h>

#include <recur/plugin.h>
#include <recur/recur.h>

typedef struct tiny_params {
    rc_param *weight_ih, *weight_hh;
} tiny_params;

#ifdef WRONG_GRAD
// y = 2x whose backward passes the gradient through unscaled (it should double it).
static rc_status same_shape(const rc_tensor *in, int n, const void *a, rc_shape *out, char *w,
                            size_t l) {
    (void)n, (void)a, (void)w, (void)l;
    *out = in[0].shape;
    return RC_OK;
}
static void twice_fwd(const rc_tensor *in, int n, const void *a, rc_tensor *out, rc_opctx *c) {
    (void)n, (void)a, (void)c;
    for (int64_t i = 0; i < out->n; i++)
        out->data[i] = 2 * in[0].data[i];
}
static void twice_bwd_wrong(const rc_tensor *in, int n, const void *a, const rc_tensor *out,
                            const rc_tensor *gout, rc_tensor *gin, const rc_opctx *c) {
    (void)in, (void)n, (void)a, (void)c;
    for (int64_t i = 0; i < out->n; i++)
        gin[0].data[i] += gout->data[i];
}
static const rc_op_def twice_wrong = {.name = "twice_wrong",
                                      .n_in = 1,
                                      .shape = same_shape,
                                      .forward = twice_fwd,
                                      .backward = twice_bwd_wrong,
                                      .test = {.n_in = 1, .shape = {{1, {4}}}, .lo = -1, .hi = 1}};
static rc_var pre_activation(rc_var v) {
    return rc_apply(&twice_wrong, &v, 1, NULL, 0);
}
#else
static rc_var pre_activation(rc_var v) {
    return v;
}
#endif

// h' = tanh(W x + U h): enough to be a working cell.
static rc_var tiny_step(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next) {
    const tiny_params *p = c->cell->params;
    rc_var pre = rc_add(rc_matmul_nt(x, rc_cell_use(c, p->weight_ih)),
                        rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)));
    next[0] = rc_tanh(pre_activation(pre));
    return next[0];
}

static rc_status tiny_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                           size_t err_len) {
    const int64_t H = *(const int64_t *)opts;
#ifdef INIT_FAILS
    (void)H, (void)ps, (void)rng, (void)cell;
    if (err && err_len)
        snprintf(err, err_len, "tiny: this init always fails");
    return RC_ERR_ARG;
#else
    tiny_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = tiny_step;
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(H, cell->dim_in), 0.5f, rng,
                                      &p->weight_ih, err, err_len);
    return st ? st
              : rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(H, H), 0.5f, rng, &p->weight_hh,
                                   err, err_len);
#endif
}

#ifdef DUPLICATE
#define TINY_NAME "lstm"
#elif defined(WRONG_GRAD)
#define TINY_NAME "tiny_wrong"
#else
#define TINY_NAME "tiny_ok"
#endif

static const rc_cell_type tiny_cell = {.name = TINY_NAME,
                                       .params_size = sizeof(tiny_params),
                                       .init = tiny_init,
                                       .opts_size = sizeof(int64_t),
                                       .summary = "a test cell"};
static const rc_cell_type *const tiny_cells[] = {&tiny_cell};

#ifdef BAD_ABI
#define TINY_ABI (RC_PLUGIN_ABI_VERSION + 41)
#else
#define TINY_ABI RC_PLUGIN_ABI_VERSION
#endif
static const rc_plugin_info tiny_info = {
    .abi_version = TINY_ABI, .name = "tiny", .n_cell_types = 1, .cell_types = tiny_cells};

#ifdef NO_ENTRY
RC_PLUGIN_EXPORT const rc_plugin_info *not_the_entry(void);
RC_PLUGIN_EXPORT const rc_plugin_info *not_the_entry(void) {
    return &tiny_info;
}
#else
RC_PLUGIN_EXPORT const rc_plugin_info *recur_plugin(void) {
    return &tiny_info;
}
#endif
