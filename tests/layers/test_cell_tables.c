// Weight tables: every built-in type's parameters by name, shape and order, with their starting
// values replayed from the same seed (the draws in creation order, each row's documented
// distribution); the generic init for a type of one's own; the errors of rc_cell_add_weights,
// rc_cell_setup, rc_cell_check and rc_cell_init_layout.
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

static rc_params *ps;
static void setup(void) {
    cr_assert_eq(rc_params_new(&ps), RC_OK);
}
static void teardown(void) {
    rc_params_free(&ps);
}
TestSuite(cell_tables, .init = setup, .fini = teardown);

// How a parameter starts, as the headers document it: d U(-1/sqrt(H), 1/sqrt(H)), 0 zeros, 1 ones,
// a |U(-1, 1)| (IndRNN's u), v U(-sqrt(3/2), sqrt(3/2)), w U(-sqrt(3/I), sqrt(3/I)) with rows
// [H,3H) times sqrt(1/2) and rows [3H,4H) times α (SRU's W).
typedef struct want_param {
    const char *role;
    int64_t rows, cols; // cols 0: a vector
    char start;
} want_param;

enum { H = 3, I = 2, MAX_P = 8 };
#define D(r, c)                                                                                    \
    { #r, 0, 0, 'd' }
typedef struct want_type {
    const char *name;
    want_param p[MAX_P];
} want_type;

// Default options, H = 3, I = 2, in creation order.
static const want_type want[] = {
    {"rnn",
     {{"weight_ih", 3, 2, 'd'},
      {"weight_hh", 3, 3, 'd'},
      {"bias_ih", 3, 0, 'd'},
      {"bias_hh", 3, 0, 'd'}}},
    {"lstm",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias_ih", 12, 0, 'd'},
      {"bias_hh", 12, 0, 'd'}}},
    {"gru",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 9, 3, 'd'},
      {"bias_ih", 9, 0, 'd'},
      {"bias_hh", 9, 0, 'd'}}},
    {"peephole_lstm",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias", 12, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_cf", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_nig",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 9, 3, 'd'},
      {"bias", 9, 0, 'd'},
      {"weight_cf", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_nfg",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 9, 3, 'd'},
      {"bias", 9, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_nog",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 9, 3, 'd'},
      {"bias", 9, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_cf", 3, 0, 'd'}}},
    {"lstm_niaf",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias", 12, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_cf", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_noaf",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias", 12, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_cf", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_np", {{"weight_ih", 12, 2, 'd'}, {"weight_hh", 12, 3, 'd'}, {"bias", 12, 0, 'd'}}},
    {"lstm_cifg",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 9, 3, 'd'},
      {"bias", 9, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'}}},
    {"lstm_fgr",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias", 12, 0, 'd'},
      {"weight_ci", 3, 0, 'd'},
      {"weight_cf", 3, 0, 'd'},
      {"weight_co", 3, 0, 'd'},
      {"weight_hh_gates", 9, 9, 'd'}}},
    {"ln_lstm",
     {{"weight_ih", 12, 2, 'd'},
      {"weight_hh", 12, 3, 'd'},
      {"bias", 12, 0, '0'},
      {"ln_ih_gain", 12, 0, '1'},
      {"ln_hh_gain", 12, 0, '1'},
      {"ln_c_gain", 3, 0, '1'},
      {"ln_c_bias", 3, 0, '0'}}},
    {"gru_cho",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 6, 3, 'd'},
      {"weight_hh_n", 3, 3, 'd'},
      {"bias", 9, 0, 'd'}}},
    {"mgu",
     {{"weight_ih", 6, 2, 'd'},
      {"weight_hh", 3, 3, 'd'},
      {"weight_hh_n", 3, 3, 'd'},
      {"bias", 6, 0, 'd'}}},
    {"mut1",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh_r", 3, 3, 'd'},
      {"weight_hh_n", 3, 3, 'd'},
      {"bias", 9, 0, 'd'}}},
    {"mut2",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh", 6, 3, 'd'},
      {"weight_hh_n", 3, 3, 'd'},
      {"bias", 9, 0, 'd'}}},
    {"mut3",
     {{"weight_ih", 9, 2, 'd'},
      {"weight_hh_z", 3, 3, 'd'},
      {"weight_hh_r", 3, 3, 'd'},
      {"weight_hh_n", 3, 3, 'd'},
      {"bias", 9, 0, 'd'}}},
    {"indrnn", {{"weight_ih", 3, 2, 'd'}, {"weight_hh", 3, 0, 'a'}, {"bias", 3, 0, 'd'}}},
    {"sru",
     {{"weight_ih", 12, 2, 'w'},
      {"weight_cf", 3, 0, 'v'},
      {"weight_cr", 3, 0, 'v'},
      {"bias_f", 3, 0, '0'},
      {"bias_r", 3, 0, '0'}}},
};

// The value entry i (row i / cols) of a parameter starting as `start` takes from rng.
static float replay(rc_rng *rng, char start, int64_t i, int64_t cols) {
    double bound = 0;
    switch (start) {
    case '0': return 0.0f;
    case '1': return 1.0f;
    case 'd': bound = 1.0f / sqrtf((float)H); break;
    case 'a': bound = 1.0f; break;
    case 'v': bound = sqrtf(1.5f); break;
    default: bound = sqrtf(3.0f / (float)I); break;
    }
    float v = (float)((2.0 * rc_rng_uniform(rng) - 1.0) * (float)bound);
    const int64_t row = cols ? i / cols : i;
    if (start == 'a')
        v = fabsf(v);
    if (start == 'w' && row >= H && row < 3 * H)
        v *= sqrtf(0.5f);
    if (start == 'w' && row >= 3 * H) // the highway block (I != H) times α = sqrt(1 + 2 e^0)
        v *= (float)sqrt(3.0);
    return v;
}

// A store of its own for each cell: rc_cell_free leaves the parameters in their store.
static void fresh_store(void) {
    rc_params_free(&ps);
    cr_assert_eq(rc_params_new(&ps), RC_OK);
}

static void check_type(const want_type *w) {
    fresh_store();
    const rc_cell_type *t = rc_cell_type_find(w->name);
    cr_assert_not_null(t, "%s", w->name);
    unsigned char opts[RC_CELL_OPTS_MAX];
    rc_rng rng, again;
    rc_rng_seed(&rng, 7);
    rc_rng_seed(&again, 7);
    char err[256] = "";
    cr_assert_eq(rc_cell_opts_init(t, H, opts, sizeof opts, err, sizeof err), RC_OK, "%s", err);
    rc_cell *cell;
    cr_assert_eq(rc_cell_new(&cell, t, opts, I, ps, "m.", "_l0", &rng, err, sizeof err), RC_OK,
                 "%s: %s", w->name, err);
    int n = 0;
    while (n < MAX_P && w->p[n].role)
        n++;
    cr_assert_eq(cell->n_weights, n, "%s has %d weights", w->name, cell->n_weights);
    for (int k = 0; k < n; k++) {
        const want_param *p = &w->p[k];
        char name[64], s[64];
        snprintf(name, sizeof name, "m.%s_l0", p->role);
        rc_tensor v = rc_param_value(cell->weight[k]);
        cr_assert_str_eq(rc_param_name(cell->weight[k]), name, "%s weight %d", w->name, k);
        rc_shape want_shape = p->cols ? RC_SHAPE(p->rows, p->cols) : RC_SHAPE(p->rows);
        cr_assert(rc_shape_eq(v.shape, want_shape), "%s %s is %s", w->name, name,
                  rc_shape_str(v.shape, s, sizeof s));
        cr_assert_eq(rc_cell_weight(cell, p->role), cell->weight[k], "%s %s", w->name, name);
        for (int64_t i = 0; i < v.n; i++) {
            const float e = replay(&again, p->start, i, p->cols);
            cr_assert_eq(v.data[i], e, "%s %s[%lld] = %.9g, replayed %.9g", w->name, name,
                         (long long)i, (double)v.data[i], (double)e);
        }
    }
    rc_cell_free(&cell);
}

Test(cell_tables, every_builtin_type_has_its_documented_weights_and_draws) {
    const int n = (int)(sizeof want / sizeof want[0]);
    cr_assert_eq(n, 20);
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(rc_cell_type_at(i)->name, want[i].name);
        cr_assert_not_null(rc_cell_type_at(i)->layout, "%s has a layout", want[i].name);
        check_type(&want[i]);
    }
}

// ---- a type of one's own, from a table and the generic init ----------------------------------

typedef struct toy_opts {
    int64_t dim_hidden;
    bool no_bias;
} toy_opts;
typedef struct toy_params {
    rc_param *w, *w_square, *w_wide, *bias, *gain, *scale;
} toy_params;

static rc_var toy_step(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next) {
    const toy_params *p = c->cell->params;
    next[0] = rc_tanh(rc_add(rc_matmul_nt(x, rc_cell_use(c, p->w)), prev[0]));
    return next[0];
}

#define AT(field) RC_WEIGHT_AT(toy_params, field)
static const rc_weight_spec toy_weights[] = {
    {AT(w), .rows = {.h = 1}, .cols = {.i = 1}},
    {AT(w_square), .rows = {.h = 2}, .cols = {.h = 1}, .when = RC_WHEN_I_IS_H},
    {AT(w_wide), .rows = {.h = 1, .i = 1}, .cols = {.out = 2}, .when = RC_WHEN_I_NOT_H},
    {AT(bias), .rows = {.h = 1}, .start = RC_START_ZERO, .when = RC_WHEN_BIAS},
    {AT(gain), .rows = {.h = 1}, .start = RC_START_ONE},
    {AT(scale), .rows = {.h = 1}, .start = RC_START_UNIFORM, .value = 0.25f},
};
static const rc_cell_layout toy_layout = {RC_CELL_LAYOUT(2, toy_step, NULL, toy_weights),
                                          .state_h = {1, 3}, .opts_name = "toy_opts",
                                          .no_bias = offsetof(toy_opts, no_bias)};
static const rc_cell_type toy = {.name = "toy",
                                 .params_size = sizeof(toy_params),
                                 .init = rc_cell_init_layout,
                                 .opts_size = sizeof(toy_opts),
                                 .layout = &toy_layout};

static rc_cell *new_toy(toy_opts o, int64_t dim_in, char *err) {
    fresh_store();
    rc_rng rng;
    rc_rng_seed(&rng, 3);
    rc_cell *cell = NULL;
    rc_cell_new(&cell, &toy, &o, dim_in, ps, NULL, NULL, &rng, err, 256);
    return cell;
}

Test(cell_tables, the_generic_init_follows_the_table_and_its_conditions) {
    char err[256] = "";
    rc_cell *cell = new_toy((toy_opts){.dim_hidden = 4}, 2, err);
    cr_assert_not_null(cell, "%s", err);
    cr_assert_eq(cell->n_state, 2);
    cr_assert_eq(cell->state_dim[0], 4);
    cr_assert_eq(cell->state_dim[1], 12);
    cr_assert_eq(cell->step, toy_step);
    const toy_params *p = cell->params;
    cr_assert_null(p->w_square, "I != H: no w_square");
    cr_assert(rc_shape_eq(rc_param_value(p->w_wide).shape, RC_SHAPE(6, 8)), "[H+I, 2*out]");
    cr_assert_eq(cell->n_weights, 5);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(rc_param_value(p->bias).data[i], 0.0f);
        cr_assert_eq(rc_param_value(p->gain).data[i], 1.0f);
        const float s = rc_param_value(p->scale).data[i];
        cr_assert(s >= -0.25f && s <= 0.25f && s != 0.0f, "scale %g in U(-0.25, 0.25)", (double)s);
    }
    rc_cell_free(&cell);
    cell = new_toy((toy_opts){.dim_hidden = 4, .no_bias = true}, 4, err);
    cr_assert_not_null(cell, "%s", err);
    p = cell->params;
    cr_assert_null(p->bias, "no_bias: no bias");
    cr_assert_null(p->w_wide, "I == H: no w_wide");
    cr_assert(rc_shape_eq(rc_param_value(p->w_square).shape, RC_SHAPE(8, 4)));
    cr_assert_eq(rc_cell_weight(cell, "gain"), cell->weight[2], "order: w, w_square, gain");
    rc_cell_free(&cell);
}

Test(cell_tables, the_generic_init_reports_bad_options) {
    char err[256] = "";
    cr_assert_null(new_toy((toy_opts){.dim_hidden = 0}, 2, err));
    cr_assert_str_eq(err, "toy: needs toy_opts with dim_hidden > 0, got 0");
    cr_assert_eq(rc_params_count(ps), 0);
    const rc_cell_type bare = {.name = "bare", .init = rc_cell_init_layout, .params_size = 8};
    rc_cell *cell;
    const int64_t h = 2;
    cr_assert_eq(rc_cell_new(&cell, &bare, &h, 2, ps, NULL, NULL, NULL, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert_str_eq(err, "bare: rc_cell_init_layout needs the type's layout");
}

// ---- rows the table gets wrong --------------------------------------------------------------

static rc_status add_bad_row(rc_weight_spec row, char *err) {
    char e[256] = "";
    rc_cell *cell = new_toy((toy_opts){.dim_hidden = 2}, 3, e);
    cr_assert_not_null(cell, "%s", e);
    rc_status st = rc_cell_add_weights(cell, ps, NULL, &row, 1, RC_WHEN_BIAS, err, 256);
    rc_cell_free(&cell);
    return st;
}

Test(cell_tables, bad_rows_are_errors_that_name_the_type_and_role) {
    char err[256];
    cr_assert_eq(add_bad_row((rc_weight_spec){.rows = {.h = 1}}, err), RC_ERR_ARG);
    cr_assert_str_eq(err, "toy: weight table row 0 has no role");
    cr_assert_eq(
        add_bad_row((rc_weight_spec){.role = "far", .dest = sizeof(toy_params), .rows = {.h = 1}},
                    err),
        RC_ERR_ARG);
    cr_assert(strstr(err, "toy: weight far goes to byte 48, outside the 48-byte params struct"),
              "%s", err);
    cr_assert_eq(add_bad_row((rc_weight_spec){.role = "flat", .dest = 0}, err), RC_ERR_ARG);
    cr_assert(strstr(err, "toy: weight flat would be 0 x 0"), "%s", err);
    cr_assert_eq(
        add_bad_row((rc_weight_spec){.role = "neg", .rows = {.h = 1}, .cols = {.i = -1}}, err),
        RC_ERR_ARG);
    cr_assert(strstr(err, "would be 2 x -3"), "%s", err);
    cr_assert_eq(
        add_bad_row((rc_weight_spec){.role = "odd", .rows = {.h = 1}, .start = (rc_weight_start)9},
                    err),
        RC_ERR_ARG);
    cr_assert(strstr(err, "toy: weight odd has start 9"), "%s", err);
    cr_assert_eq(add_bad_row(
                     (rc_weight_spec){
                         .role = "nan", .rows = {.h = 1}, .start = RC_START_UNIFORM, .value = NAN},
                     err),
                 RC_ERR_ARG);
    cr_assert(strstr(err, "finite value >= 0"), "%s", err);
    cr_assert_eq(add_bad_row((rc_weight_spec){.role = "w", .rows = {.h = 1}}, err), RC_ERR_ARG);
    cr_assert(strstr(err, "toy: a parameter named w exists already"), "%s", err);
    cr_assert_eq(
        add_bad_row((rc_weight_spec){.role = "b", .rows = {.h = 1}, .when = RC_WHEN_PROJ}, err),
        RC_OK, "a row whose condition does not hold is skipped");
    cr_assert_null(rc_params_find(ps, "b"));
}

Test(cell_tables, setup_check_and_add_weights_refuse_bad_arguments) {
    char err[256];
    cr_assert_eq(rc_cell_add_weights(NULL, ps, NULL, NULL, 0, 0, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "rc_cell_add_weights: cell"), "%s", err);
    char e[256] = "";
    rc_cell *cell = new_toy((toy_opts){.dim_hidden = 2}, 3, e);
    cr_assert_eq(rc_cell_add_weights(cell, ps, NULL, NULL, 1, 0, err, sizeof err), RC_ERR_ARG);
    cr_assert_eq(rc_cell_setup(cell, NULL, &(toy_opts){.dim_hidden = 2}, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert(strstr(err, "toy: rc_cell_setup needs a cell and a layout with a step"), "%s", err);
    const rc_cell_layout no_step = {.n_state = 1};
    cr_assert_eq(rc_cell_setup(cell, &no_step, &(toy_opts){.dim_hidden = 2}, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert_eq(rc_cell_setup(cell, &toy_layout, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "toy: needs toy_opts with dim_hidden > 0, got 0");
    cr_assert_eq(rc_cell_check(cell, true, err, sizeof err, "unused %d", 1), RC_OK);
    cr_assert_eq(rc_cell_check(cell, false, err, sizeof err, "wants %s, got %d", "even", 3),
                 RC_ERR_ARG);
    cr_assert_str_eq(err, "toy: wants even, got 3");
    cr_assert_eq(rc_cell_when(cell, &toy_layout, &(toy_opts){.no_bias = true}), RC_WHEN_I_NOT_H);
    cr_assert_eq(rc_cell_when(cell, NULL, NULL), RC_WHEN_BIAS | RC_WHEN_I_NOT_H);
    rc_cell_free(&cell);
}
