// The NULL policy of include/recur/base.h across the layers' headers (nn.h, cells.h, optim.h,
// regularize.h, checkpoint.h, rnn.h, tasks.h, lm.h): every public function is called with each of
// its pointer arguments NULL in turn. None may crash; statuses are RC_ERR_ARG (or what the
// function documents), handles are not rc_ok, getters return 0, -1, false or NULL, and for the
// key entry points the message (err or rc_last_error) names the function and the argument.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static rc_params *ps;
static rc_graph *g;
static rc_rng rng;
static char err[512];
static char path[256];

static void setup(void) {
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_rng_seed(&rng, 5);
    tu_tmpfile(path, sizeof path, "null_policy.safetensors");
}
static void teardown(void) {
    unlink(path);
    rc_graph_free(&g);
    rc_params_free(&ps);
}
TestSuite(null_policy, .init = setup, .fini = teardown);

#define EXPECT_ST(call, st) cr_expect_eq((call), (st), "%s", #call)
#define EXPECT_ARG(call) EXPECT_ST(call, RC_ERR_ARG)
#define EXPECT_BAD(call) cr_expect(!rc_ok(call), "%s gave a valid handle", #call)
#define EXPECT_NULL(call) cr_expect_null((call), "%s", #call)
// The message names the function and the argument.
#define EXPECT_MSG(msg, fn, arg)                                                                   \
    cr_expect(strstr((msg), fn ":") && strstr((msg), arg), "message \"%s\", wanted %s and %s",     \
              (msg), fn, arg)
// A graph function's NULL is the graph's sticky error, then the graph is reset.
#define EXPECT_GRAPH_ERR(fn, arg)                                                                  \
    do {                                                                                           \
        cr_expect_neq(rc_graph_status(g), RC_OK, "%s: graph error", fn);                           \
        EXPECT_MSG(rc_graph_errmsg(g), fn, arg);                                                   \
        rc_graph_reset(g);                                                                         \
    } while (0)

static const rc_lstm_opts lstm_opts = {.dim_hidden = 3};

static rc_cell *make_cell(void) {
    rc_cell *c = NULL;
    cr_assert_eq(
        rc_cell_new(&c, &rc_lstm_cell_type, &lstm_opts, 2, ps, "c.", NULL, &rng, err, sizeof err),
        RC_OK, "%s", err);
    return c;
}

static rc_rnn_config rnn_config(void) {
    return (rc_rnn_config){
        .cell = &rc_lstm_cell_type, .cell_opts = &lstm_opts, .dim_in = 2, .num_layers = 1};
}

static rc_rnn *make_rnn(void) {
    rc_rnn *r = NULL;
    const rc_rnn_config cfg = rnn_config();
    cr_assert_eq(rc_rnn_new(&r, &cfg, ps, "rnn.", &rng, err, sizeof err), RC_OK, "%s", err);
    return r;
}

// ---- nn.h ---------------------------------------------------------------------------------------

Test(null_policy, nn_init) {
    float buf[4] = {0};
    const rc_tensor t = {.data = buf, .shape = RC_SHAPE(4), .n = 4};
    const rc_init uni = {.kind = RC_INIT_UNIFORM, .a = -1, .b = 1};
    EXPECT_ARG(rc_init_tensor((rc_tensor){.shape = RC_SHAPE(4), .n = 4}, &uni, &rng));
    EXPECT_ARG(rc_init_tensor(t, NULL, &rng));
    EXPECT_MSG(rc_last_error(), "rc_init_tensor", "init");
    EXPECT_ARG(rc_init_tensor(t, &uni, NULL));
    EXPECT_ARG(rc_init_param(NULL, &uni, &rng));
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, "p", RC_SHAPE(4), &p), RC_OK);
    EXPECT_ARG(rc_init_param(p, NULL, &rng));
    EXPECT_ARG(rc_init_param(p, &uni, NULL));
    int64_t fi, fo;
    EXPECT_ST(rc_init_fans(RC_SHAPE(2, 3), NULL, &fo), RC_OK); // either output is optional
    EXPECT_ST(rc_init_fans(RC_SHAPE(2, 3), &fi, NULL), RC_OK);
    EXPECT_ARG(rc_init_forget_bias((rc_tensor){.shape = RC_SHAPE(4), .n = 4}, 1.0f));
}

Test(null_policy, nn_linear_and_embedding) {
    rc_linear_layer l;
    EXPECT_ARG(rc_linear_layer_init(NULL, ps, "fc", 2, 3, true, &rng));
    EXPECT_MSG(rc_last_error(), "rc_linear_layer_init", "l");
    EXPECT_ARG(rc_linear_layer_init(&l, NULL, "fc", 2, 3, true, &rng));
    EXPECT_ARG(rc_linear_layer_init(&l, ps, "fc", 2, 3, true, NULL));
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 2, 3, true, &rng), RC_OK);
    const rc_var x = rc_input(g, RC_SHAPE(1, 2), NULL);
    EXPECT_BAD(rc_linear_layer_forward(NULL, g, x));
    EXPECT_GRAPH_ERR("rc_linear_layer_forward", "l");
    EXPECT_BAD(rc_linear_layer_forward(&l, NULL, x));

    rc_embedding_layer e;
    EXPECT_ARG(rc_embedding_layer_init(NULL, ps, "emb", 4, 2, NULL, &rng));
    EXPECT_ARG(rc_embedding_layer_init(&e, NULL, "emb", 4, 2, NULL, &rng));
    EXPECT_ARG(rc_embedding_layer_init(&e, ps, "emb", 4, 2, NULL, NULL));
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "emb", 4, 2, NULL, &rng), RC_OK, "opts optional");
    const int32_t ids[2] = {0, 1};
    EXPECT_BAD(rc_embedding_layer_forward(NULL, g, ids, RC_SHAPE(2)));
    EXPECT_GRAPH_ERR("rc_embedding_layer_forward", "l");
    EXPECT_BAD(rc_embedding_layer_forward(&e, NULL, ids, RC_SHAPE(2)));
    EXPECT_BAD(rc_embedding_layer_forward(&e, g, NULL, RC_SHAPE(2)));
    cr_expect(strstr(rc_graph_errmsg(g), "ids"), "%s", rc_graph_errmsg(g));
}

Test(null_policy, nn_dropout) {
    rc_dropout_layer d;
    EXPECT_ARG(rc_dropout_layer_init(NULL, 0.5f));
    EXPECT_MSG(rc_last_error(), "rc_dropout_layer_init", "l");
    cr_assert_eq(rc_dropout_layer_init(&d, 0.5f), RC_OK);
    rc_var x = rc_input(g, RC_SHAPE(1, 2), NULL);
    EXPECT_BAD(rc_dropout_layer_forward(NULL, x, &rng));
    EXPECT_GRAPH_ERR("rc_dropout_layer_forward", "l");
    x = rc_input(g, RC_SHAPE(1, 2), NULL);
    EXPECT_BAD(rc_dropout_layer_forward(&d, x, NULL));
    EXPECT_GRAPH_ERR("rc_dropout_layer_forward", "rng");
}

// ---- cells.h ------------------------------------------------------------------------------------

Test(null_policy, cells_types_and_indrnn_clip) {
    EXPECT_ARG(rc_indrnn_clip(NULL));
    EXPECT_MSG(rc_last_error(), "rc_indrnn_clip", "cell");
    // Every built-in type's init given no options, or no store.
    for (int i = 0; i < rc_cell_type_count(); i++) {
        const rc_cell_type *t = rc_cell_type_at(i);
        rc_cell *c = NULL;
        cr_expect_eq(rc_cell_new(&c, t, NULL, 2, ps, NULL, NULL, &rng, err, sizeof err), RC_ERR_ARG,
                     "%s with opts NULL", t->name);
        cr_expect_null(c);
        char opts[RC_CELL_OPTS_MAX];
        cr_assert_eq(rc_cell_opts_init(t, 3, opts, sizeof opts, err, sizeof err), RC_OK);
        cr_expect_eq(rc_cell_new(&c, t, opts, 2, NULL, NULL, NULL, &rng, err, sizeof err),
                     RC_ERR_ARG, "%s with ps NULL", t->name);
        cr_expect_null(c);
    }
}

// ---- rnn.h --------------------------------------------------------------------------------------

Test(null_policy, rnn_cell_new_and_free) {
    rc_cell *c = NULL;
    EXPECT_ARG(rc_cell_new(NULL, &rc_lstm_cell_type, &lstm_opts, 2, ps, NULL, NULL, &rng, err,
                           sizeof err));
    EXPECT_MSG(err, "rc_cell_new", "out");
    EXPECT_ARG(rc_cell_new(&c, NULL, &lstm_opts, 2, ps, NULL, NULL, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_new", "type");
    EXPECT_MSG(rc_last_error(), "rc_cell_new", "type");
    EXPECT_ARG(rc_cell_new(&c, &rc_lstm_cell_type, NULL, 2, ps, NULL, NULL, &rng, NULL, 0));
    EXPECT_ARG(rc_cell_new(&c, &rc_lstm_cell_type, &lstm_opts, 2, NULL, NULL, NULL, &rng, NULL, 0));
    const rc_cell_type no_init = {.name = "no_init", .params_size = 8};
    EXPECT_ARG(rc_cell_new(&c, &no_init, &lstm_opts, 2, ps, NULL, NULL, &rng, err, sizeof err));
    cr_expect_null(c);
    EXPECT_ST(rc_cell_new(&c, &rc_lstm_cell_type, &lstm_opts, 2, ps, NULL, NULL, NULL, NULL, 0),
              RC_OK);
    rc_cell_free(&c);
    cr_expect_null(c);
    rc_cell_free(&c);
    rc_cell_free(NULL);
}

Test(null_policy, rnn_cell_weights) {
    rc_cell *c = make_cell();
    rc_param *p = NULL;
    EXPECT_ARG(rc_cell_add_weight(NULL, ps, "w", RC_SHAPE(2), 0, &rng, &p, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_add_weight", "cell");
    EXPECT_ARG(rc_cell_add_weight(c, NULL, "w", RC_SHAPE(2), 0, &rng, &p, err, sizeof err));
    EXPECT_ARG(rc_cell_add_weight(c, ps, NULL, RC_SHAPE(2), 0, &rng, &p, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_add_weight", "role");
    EXPECT_ST(rc_cell_add_weight(c, ps, "w1", RC_SHAPE(2), 0.1f, NULL, &p, err, sizeof err), RC_OK);
    EXPECT_ST(rc_cell_add_weight(c, ps, "w2", RC_SHAPE(2), 0.1f, &rng, NULL, err, sizeof err),
              RC_OK);
    const rc_weight_spec spec[1] = {{.role = "w3", .rows = {.h = 1}}};
    EXPECT_ARG(rc_cell_add_weights(NULL, ps, &rng, spec, 1, 0, err, sizeof err));
    EXPECT_ARG(rc_cell_add_weights(c, NULL, &rng, spec, 1, 0, err, sizeof err));
    EXPECT_ARG(rc_cell_add_weights(c, ps, &rng, NULL, 1, 0, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_add_weights", "specs");
    EXPECT_NULL(rc_cell_weight(NULL, "weight_ih"));
    EXPECT_NULL(rc_cell_weight(c, NULL));
    EXPECT_ARG(rc_cell_fill_bias_block(NULL, "bias_ih", 1, 1.0f, err, sizeof err));
    EXPECT_ARG(rc_cell_fill_bias_block(c, NULL, 1, 1.0f, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_fill_bias_block", "role");
    EXPECT_ARG(rc_cell_set_forget_bias(NULL, 1.0f, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_set_forget_bias", "cell");
    rc_cell_free(&c);
}

static rc_var dummy_step(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next) {
    (void)c, (void)prev, (void)next;
    return x;
}

Test(null_policy, rnn_cell_setup_and_layout) {
    rc_cell *c = make_cell();
    const rc_cell_layout layout = {.n_state = 1, .step = dummy_step};
    const rc_mgu_opts o = {.dim_hidden = 3};
    EXPECT_ARG(rc_cell_setup(NULL, &layout, &o, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_setup", "cell");
    EXPECT_ARG(rc_cell_setup(c, NULL, &o, err, sizeof err));
    EXPECT_ARG(rc_cell_setup(c, &layout, NULL, err, sizeof err));
    cr_expect_eq(rc_cell_when(NULL, &layout, &o), 0u);
    cr_expect_eq(rc_cell_when(c, NULL, &o) & RC_WHEN_BIAS, RC_WHEN_BIAS, "no layout: no no_bias");
    (void)rc_cell_when(c, &layout, NULL);
    EXPECT_ARG(rc_cell_check(NULL, false, err, sizeof err, "x %d", 1));
    EXPECT_ST(rc_cell_check(NULL, true, err, sizeof err, "x %d", 1), RC_OK);
    EXPECT_ARG(rc_cell_check(c, false, err, sizeof err, NULL));
    EXPECT_ARG(rc_cell_init_from(NULL, &layout, &o, ps, &rng, err, sizeof err));
    EXPECT_ARG(rc_cell_init_from(c, NULL, &o, ps, &rng, err, sizeof err));
    EXPECT_ARG(rc_cell_init_from(c, &layout, NULL, ps, &rng, err, sizeof err));
    EXPECT_ARG(rc_cell_init_layout(NULL, &o, ps, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_init_layout", "cell");
    rc_cell_free(&c);
}

Test(null_policy, rnn_cell_registry) {
    EXPECT_NULL(rc_cell_type_find(NULL));
    EXPECT_ARG(rc_cell_type_register(NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_type_register", "type");
    const rc_cell_type nameless = {.init = rc_cell_init_layout, .opts_size = 8};
    EXPECT_ARG(rc_cell_type_register(&nameless, err, sizeof err));
    char opts[64];
    EXPECT_ARG(rc_cell_opts_init(NULL, 3, opts, sizeof opts, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_opts_init", "type");
    EXPECT_ARG(rc_cell_opts_init(&rc_lstm_cell_type, 3, NULL, sizeof opts, err, sizeof err));
    EXPECT_MSG(err, "rc_cell_opts_init", "opts");
    rc_cell_type_unregister_all();
}

Test(null_policy, rnn_cell_begin_and_use) {
    rc_cell *c = make_cell();
    rc_cell_ctx ctx;
    rc_cell_begin(NULL, g, c, 1, NULL, 0, 0);
    EXPECT_GRAPH_ERR("rc_cell_begin", "c");
    rc_cell_begin(&ctx, g, NULL, 1, NULL, 0, 0);
    EXPECT_GRAPH_ERR("rc_cell_begin", "cell");
    rc_cell_begin(&ctx, NULL, c, 1, NULL, 0, 0);
    EXPECT_MSG(rc_last_error(), "rc_cell_begin", "g");
    EXPECT_BAD(rc_cell_use(NULL, c->weight[0]));
    rc_cell_begin(&ctx, g, c, 1, NULL, 0, 0);
    cr_expect_eq(rc_graph_status(g), RC_OK);
    EXPECT_BAD(rc_cell_use(&ctx, NULL));
    cr_expect_eq(rc_graph_status(g), RC_OK, "an absent bias is no error");
    rc_cell_free(&c);
}

Test(null_policy, rnn_unroll) {
    rc_cell *c = make_cell();
    rc_var xs[2] = {rc_input(g, RC_SHAPE(1, 2), NULL), rc_input(g, RC_SHAPE(1, 2), NULL)};
    rc_var ys[2];
    EXPECT_ARG(rc_rnn_unroll(NULL, c, xs, 2, NULL, ys, NULL, NULL));
    EXPECT_MSG(rc_last_error(), "rc_rnn_unroll", "g");
    cr_expect_neq(rc_rnn_unroll(g, NULL, xs, 2, NULL, ys, NULL, NULL), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_unroll", "cell");
    xs[0] = rc_input(g, RC_SHAPE(1, 2), NULL);
    xs[1] = rc_input(g, RC_SHAPE(1, 2), NULL);
    cr_expect_neq(rc_rnn_unroll(g, c, NULL, 2, NULL, ys, NULL, NULL), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_unroll", "xs");
    xs[0] = rc_input(g, RC_SHAPE(1, 2), NULL);
    xs[1] = rc_input(g, RC_SHAPE(1, 2), NULL);
    EXPECT_ST(rc_rnn_unroll(g, c, xs, 2, NULL, NULL, NULL, NULL), RC_OK);
    const rc_var x = rc_input(g, RC_SHAPE(2, 1, 2), NULL);
    EXPECT_ARG(rc_rnn_unroll_seq(NULL, c, x, NULL, NULL, NULL, NULL));
    cr_expect_neq(rc_rnn_unroll_seq(g, NULL, x, NULL, NULL, NULL, NULL), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_unroll_seq", "cell");
    rc_cell_free(&c);
}

Test(null_policy, rnn_stack) {
    rc_rnn *r = NULL;
    const rc_rnn_config cfg = rnn_config();
    EXPECT_ARG(rc_rnn_new(NULL, &cfg, ps, NULL, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_new", "out");
    EXPECT_ARG(rc_rnn_new(&r, NULL, ps, NULL, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_new", "config");
    EXPECT_ARG(rc_rnn_new(&r, &cfg, NULL, NULL, &rng, err, sizeof err));
    rc_rnn_config nocell = cfg;
    nocell.cell = NULL;
    EXPECT_ARG(rc_rnn_new(&r, &nocell, ps, NULL, &rng, err, sizeof err));
    rc_rnn_config noopts = cfg;
    noopts.cell_opts = NULL;
    EXPECT_ARG(rc_rnn_new(&r, &noopts, ps, "x", &rng, err, sizeof err));
    cr_expect_null(r);
    rc_rnn_free(NULL);
    rc_rnn_free(&r);
    cr_expect_leq(rc_rnn_dim_out(NULL), 0);
    EXPECT_ARG(rc_rnn_set_forget_bias(NULL, 1.0f, err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_set_forget_bias", "rnn");
}

Test(null_policy, rnn_forward) {
    rc_rnn *r = make_rnn();
    rc_rnn_result res;
    const rc_var x = rc_input(g, RC_SHAPE(2, 1, 2), NULL);
    EXPECT_ARG(rc_rnn_forward(NULL, r, x, NULL, &res));
    EXPECT_MSG(rc_last_error(), "rc_rnn_forward", "g");
    cr_expect_neq(rc_rnn_forward(g, NULL, x, NULL, &res), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_forward", "rnn");
    const rc_var x2 = rc_input(g, RC_SHAPE(2, 1, 2), NULL);
    cr_expect_neq(rc_rnn_forward(g, r, x2, NULL, NULL), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_forward", "out");
    rc_var xs[2] = {rc_input(g, RC_SHAPE(1, 2), NULL), rc_input(g, RC_SHAPE(1, 2), NULL)};
    EXPECT_ARG(rc_rnn_forward_steps(NULL, r, xs, 2, NULL, NULL, &res));
    cr_expect_neq(rc_rnn_forward_steps(g, NULL, xs, 2, NULL, NULL, &res), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_forward_steps", "rnn");
    cr_expect_neq(rc_rnn_forward_steps(g, r, NULL, 2, NULL, NULL, &res), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_forward_steps", "xs");
    xs[0] = rc_input(g, RC_SHAPE(1, 2), NULL);
    xs[1] = rc_input(g, RC_SHAPE(1, 2), NULL);
    cr_expect_neq(rc_rnn_forward_steps(g, r, xs, 2, NULL, NULL, NULL), RC_OK);
    EXPECT_GRAPH_ERR("rc_rnn_forward_steps", "out");
    rc_rnn_free(&r);
}

Test(null_policy, rnn_carry) {
    rc_rnn_carry carry = {0};
    const rc_var h = rc_input(g, RC_SHAPE(1, 1, 3), NULL);
    EXPECT_ARG(rc_rnn_carry_save(NULL, &h, 1));
    EXPECT_MSG(rc_last_error(), "rc_rnn_carry_save", "carry");
    EXPECT_ARG(rc_rnn_carry_save(&carry, NULL, 1));
    EXPECT_MSG(rc_last_error(), "rc_rnn_carry_save", "state");
    cr_assert_eq(rc_rnn_carry_save(&carry, &h, 1), RC_OK);
    rc_var s0[RC_CELL_MAX_STATE];
    rc_rnn_carry_load(NULL, g, s0);
    cr_expect_eq(rc_graph_status(g), RC_OK, "a NULL carry is empty");
    EXPECT_BAD(s0[0]);
    rc_rnn_carry_load(&carry, NULL, s0);
    EXPECT_BAD(s0[0]);
    rc_rnn_carry_load(&carry, g, NULL);
    EXPECT_GRAPH_ERR("rc_rnn_carry_load", "state0");
    rc_rnn_carry_clear(NULL);
    rc_rnn_carry_free(NULL);
    rc_rnn_carry_free(&carry);
}

// ---- optim.h ------------------------------------------------------------------------------------

Test(null_policy, optim) {
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, "p", RC_SHAPE(2), &p), RC_OK);
    cr_expect_eq(rc_optim_kind_find(NULL), -1);
    const rc_optim_opts opts = rc_optim_defaults(RC_OPTIM_ADAM, 0.1);
    rc_optim *o = NULL;
    EXPECT_ARG(rc_optim_new(NULL, ps, &opts, err, sizeof err));
    EXPECT_MSG(err, "rc_optim_new", "o");
    EXPECT_ARG(rc_optim_new(&o, NULL, &opts, err, sizeof err));
    EXPECT_MSG(err, "rc_optim_new", "ps");
    EXPECT_ARG(rc_optim_new(&o, ps, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_optim_new", "opts");
    cr_expect_null(o);
    rc_optim_free(NULL);
    rc_optim_free(&o);
    EXPECT_ARG(rc_optim_step(NULL));
    EXPECT_MSG(rc_last_error(), "rc_optim_step", "o");
    cr_expect_eq(rc_optim_lr(NULL), 0);
    rc_optim_set_lr(NULL, 1);
    EXPECT_NULL(rc_optim_options(NULL));
    EXPECT_NULL(rc_optim_params(NULL));
    EXPECT_NULL(rc_optim_slot_name(NULL, 0));
    cr_expect_eq(rc_optim_step_count(NULL, p), 0);
    EXPECT_ARG(rc_optim_set_step_count(NULL, p, 1));
    cr_assert_eq(rc_optim_new(&o, ps, &opts, err, sizeof err), RC_OK);
    cr_expect_eq(rc_optim_step_count(o, NULL), 0);
    EXPECT_ARG(rc_optim_set_step_count(o, NULL, 1));
    EXPECT_MSG(rc_last_error(), "rc_optim_set_step_count", "p");
    rc_optim_free(&o);
}

Test(null_policy, optim_clip_and_sched) {
    cr_expect(isnan(rc_clip_grad_norm(NULL, 1, 2)));
    EXPECT_MSG(rc_last_error(), "rc_clip_grad_norm", "ps");
    rc_clip_grad_value(NULL, 1);
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    rc_optim *o;
    cr_assert_eq(rc_optim_new(&o, ps, &oo, err, sizeof err), RC_OK);
    const rc_sched_opts so = rc_sched_defaults(RC_SCHED_STEP);
    rc_sched *s = NULL;
    EXPECT_ARG(rc_sched_new(NULL, o, &so, err, sizeof err));
    EXPECT_MSG(err, "rc_sched_new", "s");
    EXPECT_ARG(rc_sched_new(&s, NULL, &so, err, sizeof err));
    EXPECT_MSG(err, "rc_sched_new", "o");
    EXPECT_ARG(rc_sched_new(&s, o, NULL, err, sizeof err));
    cr_expect_null(s);
    rc_sched_free(NULL);
    rc_sched_free(&s);
    EXPECT_ARG(rc_sched_step(NULL));
    EXPECT_MSG(rc_last_error(), "rc_sched_step", "s");
    EXPECT_ARG(rc_sched_step_metric(NULL, 1));
    const rc_sched_state st = rc_sched_get_state(NULL);
    cr_expect_eq(st.last_epoch, 0);
    rc_sched_set_state(NULL, &st);
    EXPECT_NULL(rc_sched_options(NULL));
    cr_assert_eq(rc_sched_new(&s, o, &so, err, sizeof err), RC_OK);
    rc_sched_set_state(s, NULL);
    EXPECT_MSG(rc_last_error(), "rc_sched_set_state", "st");
    rc_sched_free(&s);
    rc_optim_free(&o);
}

// ---- regularize.h -------------------------------------------------------------------------------

Test(null_policy, regularizers) {
    rc_regularizer *r = NULL;
    const rc_variational_dropout_opts vo = {.input = 0.5f};
    const rc_zoneout_opts zo = {.h = 0.5f};
    const rc_weight_drop_opts wo = {.p = 0.5f};
    EXPECT_ARG(rc_variational_dropout_new(NULL, &vo, 1, err, sizeof err));
    EXPECT_MSG(err, "rc_variational_dropout_new", "out");
    EXPECT_ARG(rc_variational_dropout_new(&r, NULL, 1, err, sizeof err));
    EXPECT_MSG(err, "rc_variational_dropout_new", "opts");
    EXPECT_ARG(rc_zoneout_new(NULL, &zo, 1, err, sizeof err));
    EXPECT_ARG(rc_zoneout_new(&r, NULL, 1, err, sizeof err));
    EXPECT_ARG(rc_weight_drop_new(NULL, &wo, 1, err, sizeof err));
    EXPECT_ARG(rc_weight_drop_new(&r, NULL, 1, err, sizeof err));
    cr_expect_null(r);
    EXPECT_NULL(rc_regularizer_hooks(NULL));
    rc_regularizer_set_training(NULL, false);
    cr_expect_not(rc_regularizer_training(NULL));
    rc_regularizer_seed(NULL, 1);
    rc_regularizer_free(NULL);
    rc_regularizer_free(&r);

    rc_hook_chain *c = NULL;
    const rc_rnn_hooks h = {0};
    const rc_rnn_hooks *links[2] = {&h, NULL};
    EXPECT_ARG(rc_hook_chain_new(NULL, links, 1, err, sizeof err));
    EXPECT_MSG(err, "rc_hook_chain_new", "out");
    EXPECT_ARG(rc_hook_chain_new(&c, NULL, 1, err, sizeof err));
    EXPECT_MSG(err, "rc_hook_chain_new", "links");
    EXPECT_ARG(rc_hook_chain_new(&c, links, 2, err, sizeof err));
    cr_expect_null(c);
    EXPECT_NULL(rc_hook_chain_hooks(NULL));
    rc_hook_chain_free(NULL);
    rc_hook_chain_free(&c);
}

// ---- checkpoint.h -------------------------------------------------------------------------------

static void write_file(void) {
    const float v[2] = {1, 2};
    const rc_safetensors_entry t = {.name = "w", .shape = RC_SHAPE(2), .data = v};
    const char *meta[] = {"k", "v", NULL};
    cr_assert_eq(rc_safetensors_write(path, &t, 1, meta, err, sizeof err), RC_OK, "%s", err);
}

Test(null_policy, safetensors_write_and_open) {
    const float v[2] = {1, 2};
    const rc_safetensors_entry t = {.name = "w", .shape = RC_SHAPE(2), .data = v};
    EXPECT_ARG(rc_safetensors_write(NULL, &t, 1, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_write", "path");
    EXPECT_ARG(rc_safetensors_write(path, NULL, 1, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_write", "t");
    const rc_safetensors_entry noname = {.shape = RC_SHAPE(2), .data = v};
    EXPECT_ARG(rc_safetensors_write(path, &noname, 1, NULL, err, sizeof err));
    const rc_safetensors_entry nodata = {.name = "w", .shape = RC_SHAPE(2)};
    EXPECT_ARG(rc_safetensors_write(path, &nodata, 1, NULL, err, sizeof err));
    const char *badmeta[] = {NULL, "v", NULL};
    EXPECT_ST(rc_safetensors_write(path, &t, 1, badmeta, err, sizeof err), RC_OK);
    const char *nullvalue[] = {"k", NULL};
    EXPECT_ARG(rc_safetensors_write(path, &t, 1, nullvalue, err, sizeof err));
    rc_safetensors *f = NULL;
    EXPECT_ARG(rc_safetensors_open(NULL, path, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_open", "f");
    EXPECT_ARG(rc_safetensors_open(&f, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_open", "path");
    cr_expect_null(f);
    rc_safetensors_close(NULL);
    rc_safetensors_close(&f);
}

Test(null_policy, safetensors_read) {
    write_file();
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    cr_expect_leq(rc_safetensors_count(NULL), 0);
    EXPECT_NULL(rc_safetensors_at(NULL, 0));
    EXPECT_NULL(rc_safetensors_find(NULL, "w"));
    EXPECT_NULL(rc_safetensors_find(f, NULL));
    EXPECT_NULL(rc_safetensors_metadata(NULL, "k"));
    EXPECT_NULL(rc_safetensors_metadata(f, NULL));
    cr_expect_leq(rc_safetensors_metadata_count(NULL), 0);
    const char *k, *v;
    cr_expect_not(rc_safetensors_metadata_at(NULL, 0, &k, &v));
    cr_expect(rc_safetensors_metadata_at(f, 0, NULL, NULL), "outputs optional");
    float out[2];
    int32_t ids[2];
    EXPECT_ARG(rc_safetensors_read(NULL, "w", out, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_read", "f");
    EXPECT_ARG(rc_safetensors_read(f, NULL, out, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_safetensors_read", "name");
    // out NULL for n > 0 is a buffer that does not fit (documented), as in test_weights.c.
    EXPECT_ST(rc_safetensors_read(f, "w", NULL, 2, err, sizeof err), RC_ERR_SHAPE);
    EXPECT_ARG(rc_safetensors_read_raw(NULL, "w", out, 8, err, sizeof err));
    EXPECT_ARG(rc_safetensors_read_raw(f, NULL, out, 8, err, sizeof err));
    EXPECT_ST(rc_safetensors_read_raw(f, "w", NULL, 8, err, sizeof err), RC_ERR_SHAPE);
    EXPECT_ARG(rc_safetensors_read_i32(NULL, "w", ids, 2, err, sizeof err));
    EXPECT_ARG(rc_safetensors_read_i32(f, NULL, ids, 2, err, sizeof err));
    EXPECT_ST(rc_safetensors_read_i32(f, "w", NULL, 2, err, sizeof err), RC_ERR_SHAPE);
    rc_safetensors_close(&f);
}

Test(null_policy, checkpoints_and_load) {
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(2), &p), RC_OK);
    EXPECT_ARG(rc_checkpoint_save(NULL, ps, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_checkpoint_save", "path");
    EXPECT_ARG(rc_checkpoint_save(path, NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_checkpoint_save", "ps");
    cr_assert_eq(rc_checkpoint_save(path, ps, NULL, err, sizeof err), RC_OK, "%s", err);
    EXPECT_ARG(rc_checkpoint_load(NULL, ps, NULL, true, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_checkpoint_load", "path");
    EXPECT_ARG(rc_checkpoint_load(path, NULL, NULL, true, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_checkpoint_load", "ps");
    EXPECT_ST(rc_checkpoint_load(path, ps, NULL, true, NULL, err, sizeof err), RC_OK);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    EXPECT_ARG(rc_params_load_safetensors(NULL, f, NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_params_load_safetensors", "store");
    EXPECT_ARG(rc_params_load_safetensors(ps, NULL, NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_params_load_safetensors", "file");
    EXPECT_ST(rc_params_load_safetensors(ps, f, NULL, NULL, err, sizeof err), RC_OK);
    const rc_load_opts no_renames = {.strict = true, .n_renames = 1};
    EXPECT_ARG(rc_params_load_safetensors(ps, f, &no_renames, NULL, err, sizeof err));
    const rc_load_rename unnamed = {.store_name = "w"};
    const rc_load_opts bad_rename = {.strict = true, .renames = &unnamed, .n_renames = 1};
    EXPECT_ARG(rc_params_load_safetensors(ps, f, &bad_rename, NULL, err, sizeof err));
    const char *odd_meta[] = {"k", NULL};
    const rc_checkpoint_extra odd = {.meta = odd_meta};
    EXPECT_ARG(rc_checkpoint_save(path, ps, &odd, err, sizeof err));
    rc_safetensors_close(&f);
}

Test(null_policy, rnn_config_check_and_derive) {
    write_file();
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    const rc_rnn_config cfg = rnn_config();
    EXPECT_ARG(rc_rnn_config_check(NULL, f, "", err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_new", "config"); // the message test_rnn_weights.c pins
    EXPECT_ARG(rc_rnn_config_check(&cfg, NULL, "", err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_config_check", "file");
    cr_expect_neq(rc_rnn_config_check(&cfg, f, NULL, err, sizeof err), RC_OK, "not this file");
    rc_rnn_config out;
    rc_torch_cell_opts opts;
    EXPECT_ARG(rc_rnn_config_derive(NULL, &opts, f, "", NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_config_derive", "cfg");
    EXPECT_ARG(rc_rnn_config_derive(&out, NULL, f, "", NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_rnn_config_derive", "opts");
    EXPECT_ARG(rc_rnn_config_derive(&out, &opts, NULL, "", NULL, err, sizeof err));
    cr_expect_neq(rc_rnn_config_derive(&out, &opts, f, NULL, NULL, err, sizeof err), RC_OK);
    rc_safetensors_close(&f);
}

// ---- tasks.h ------------------------------------------------------------------------------------

Test(null_policy, tasks) {
    EXPECT_NULL(rc_task_find(NULL));
    const rc_task *t = rc_task_find("adding");
    cr_assert_not_null(t);
    rc_task_batch b;
    EXPECT_ARG(rc_task_batch_new(NULL, t, 10, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_task_batch_new", "b");
    EXPECT_ARG(rc_task_batch_new(&b, NULL, 10, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_task_batch_new", "task");
    rc_task_batch_free(NULL);
    rc_task_result res;
    const rc_task_config cfg = {.task = t, .cell = &rc_lstm_cell_type, .steps = 1};
    EXPECT_ARG(rc_task_train(NULL, &res, err, sizeof err));
    EXPECT_MSG(err, "rc_task_train", "cfg");
    EXPECT_ARG(rc_task_train(&cfg, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_task_train", "res");
    const rc_task_config notask = {.cell = &rc_lstm_cell_type};
    EXPECT_ARG(rc_task_train(&notask, &res, err, sizeof err));
    const rc_task_config nocell = {.task = t};
    EXPECT_ARG(rc_task_train(&nocell, &res, err, sizeof err));
    rc_task_result_free(NULL);
    cr_expect_eq(rc_task_param_count(NULL, &rc_lstm_cell_type, 10, 4, err, sizeof err), -1);
    EXPECT_MSG(err, "rc_task_param_count", "task");
    cr_expect_eq(rc_task_param_count(t, NULL, 10, 4, err, sizeof err), -1);
    EXPECT_MSG(err, "rc_task_param_count", "cell");
    cr_expect_eq(rc_task_equal_params_hidden(NULL, &rc_gru_cell_type, &rc_lstm_cell_type, 10, 4,
                                             err, sizeof err),
                 -1);
    cr_expect_eq(rc_task_equal_params_hidden(t, NULL, &rc_lstm_cell_type, 10, 4, err, sizeof err),
                 -1);
    cr_expect_eq(rc_task_equal_params_hidden(t, &rc_gru_cell_type, NULL, 10, 4, err, sizeof err),
                 -1);
}

// ---- lm.h ---------------------------------------------------------------------------------------

Test(null_policy, lm_stream) {
    const int32_t ids[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    rc_lm_stream s = {0};
    EXPECT_ARG(rc_lm_stream_new(NULL, ids, 8, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_stream_new", "s");
    EXPECT_ARG(rc_lm_stream_new(&s, NULL, 8, 2, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_stream_new", "ids");
    rc_lm_stream_free(NULL);
    rc_lm_stream_free(&s);
    cr_expect_eq(rc_lm_stream_segments(NULL, 2), 0);
    const int32_t *x, *y;
    cr_expect_eq(rc_lm_stream_segment(NULL, 2, 0, &x, &y), 0);
    cr_assert_eq(rc_lm_stream_new(&s, ids, 8, 2, err, sizeof err), RC_OK);
    cr_expect_eq(rc_lm_stream_segment(&s, 2, 0, NULL, NULL), 0);
    rc_lm_stream_free(&s);
}

static rc_lm *make_lm(void) {
    const rc_lm_config c = {
        .cell = &rc_lstm_cell_type, .vocab = 4, .dim_embed = 3, .dim_hidden = 3, .num_layers = 1};
    rc_lm *m = NULL;
    cr_assert_eq(rc_lm_new(&m, &c, &rng, err, sizeof err), RC_OK, "%s", err);
    return m;
}

Test(null_policy, lm_new_and_logits) {
    const rc_lm_config c = {.vocab = 4, .dim_embed = 3, .dim_hidden = 3, .num_layers = 1};
    rc_lm *m = NULL;
    EXPECT_ARG(rc_lm_new(NULL, &c, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_new", "out");
    EXPECT_ARG(rc_lm_new(&m, NULL, &rng, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_new", "config");
    EXPECT_ARG(rc_lm_new(&m, &c, &rng, err, sizeof err));
    cr_expect_null(m);
    rc_lm_free(NULL);
    rc_lm_free(&m);
    m = make_lm();
    const int32_t x[2] = {0, 1};
    rc_rnn_carry carry = {0};
    EXPECT_BAD(rc_lm_logits(NULL, g, x, 2, 1, &carry, true, false, NULL));
    EXPECT_GRAPH_ERR("rc_lm_logits", "m");
    EXPECT_BAD(rc_lm_logits(m, NULL, x, 2, 1, &carry, true, false, NULL));
    EXPECT_MSG(rc_last_error(), "rc_lm_logits", "g");
    EXPECT_BAD(rc_lm_logits(m, g, NULL, 2, 1, &carry, true, false, NULL));
    EXPECT_GRAPH_ERR("rc_lm_logits", "x");
    cr_expect(rc_ok(rc_lm_logits(m, g, x, 2, 1, NULL, true, false, NULL)), "%s",
              rc_graph_errmsg(g));
    rc_graph_reset(g);
    rc_rnn_carry_free(&carry);
    rc_lm_free(&m);
}

Test(null_policy, lm_train_evaluate_sample) {
    rc_lm *m = make_lm();
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    rc_optim *o;
    cr_assert_eq(rc_optim_new(&o, m->ps, &oo, err, sizeof err), RC_OK);
    const int32_t x[2] = {0, 1}, y[2] = {1, 2};
    rc_rnn_carry carry = {0};
    double nll;
    EXPECT_ARG(rc_lm_train_step(NULL, g, o, x, y, 2, 1, 0, &carry, &rng, &nll, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_train_step", "m");
    EXPECT_ARG(rc_lm_train_step(m, NULL, o, x, y, 2, 1, 0, &carry, &rng, &nll, err, sizeof err));
    EXPECT_ARG(rc_lm_train_step(m, g, NULL, x, y, 2, 1, 0, &carry, &rng, &nll, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_train_step", "opt");
    EXPECT_ARG(rc_lm_train_step(m, g, o, NULL, y, 2, 1, 0, &carry, &rng, &nll, err, sizeof err));
    EXPECT_ARG(rc_lm_train_step(m, g, o, x, NULL, 2, 1, 0, &carry, &rng, &nll, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_train_step", "y");
    EXPECT_ARG(rc_lm_train_step(m, g, o, x, y, 2, 1, 0, &carry, &rng, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_train_step", "nll_sum");
    EXPECT_ST(rc_lm_train_step(m, g, o, x, y, 2, 1, 0, NULL, NULL, &nll, err, sizeof err), RC_OK);

    const int32_t ids[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    rc_lm_stream s;
    cr_assert_eq(rc_lm_stream_new(&s, ids, 8, 2, err, sizeof err), RC_OK);
    int64_t tokens;
    EXPECT_ARG(rc_lm_evaluate(NULL, &s, 2, 0, &nll, &tokens, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_evaluate", "m");
    EXPECT_ARG(rc_lm_evaluate(m, NULL, 2, 0, &nll, &tokens, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_evaluate", "s");
    EXPECT_ARG(rc_lm_evaluate(m, &s, 2, 0, NULL, &tokens, err, sizeof err));
    EXPECT_ARG(rc_lm_evaluate(m, &s, 2, 0, &nll, NULL, err, sizeof err));

    int32_t out[3];
    EXPECT_ARG(rc_lm_sample(NULL, x, 2, 3, 1.0, &rng, out, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_sample", "m");
    EXPECT_ARG(rc_lm_sample(m, NULL, 2, 3, 1.0, &rng, out, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_sample", "prime");
    EXPECT_ARG(rc_lm_sample(m, x, 2, 3, 1.0, NULL, out, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_sample", "rng");
    EXPECT_ARG(rc_lm_sample(m, x, 2, 3, 1.0, &rng, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_sample", "out");
    rc_lm_stream_free(&s);
    rc_rnn_carry_free(&carry);
    rc_optim_free(&o);
    rc_lm_free(&m);
}

Test(null_policy, lm_halves_and_columns) {
    rc_lm *m = make_lm();
    rc_optim *o;
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    cr_assert_eq(rc_optim_new(&o, m->ps, &oo, err, sizeof err), RC_OK, "%s", err);
    const int32_t x[2] = {0, 1}, y[2] = {1, 2};
    double nll;
    EXPECT_ARG(rc_lm_backward_step(NULL, g, x, y, 2, 1, NULL, &rng, &nll, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_backward_step", "m");
    EXPECT_ARG(rc_lm_backward_step(m, g, x, NULL, 2, 1, NULL, &rng, &nll, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_backward_step", "y");
    EXPECT_ARG(rc_lm_update(m, NULL, 5, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_update", "opt");
    cr_expect_eq(rc_lm_backward_step(m, g, x, y, 2, 1, NULL, &rng, &nll, err, sizeof err), RC_OK,
                 "%s", err);
    cr_expect_eq(rc_lm_update(m, o, 5, err, sizeof err), RC_OK, "%s", err);
    const int32_t ids[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    rc_lm_stream s, part;
    cr_assert_eq(rc_lm_stream_new(&s, ids, 8, 2, err, sizeof err), RC_OK);
    EXPECT_ARG(rc_lm_stream_columns(NULL, 0, 1, &part, err, sizeof err));
    EXPECT_MSG(err, "rc_lm_stream_columns", "s");
    EXPECT_ST(rc_lm_stream_columns(&s, 1, 2, &part, err, sizeof err), RC_ERR_RANGE);
    cr_assert_eq(rc_lm_stream_columns(&s, 1, 1, &part, err, sizeof err), RC_OK);
    cr_expect_eq(part.batch, 1);
    cr_expect_eq(part.data[1], s.data[3], "column 1 of step 1");
    rc_lm_stream_free(&part);
    rc_lm_stream_free(&s);
    rc_optim_free(&o);
    rc_lm_free(&m);
}

Test(null_policy, dist) {
    rc_dist *d = NULL;
    EXPECT_ARG(rc_dist_init(NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_dist_init", "d");
    cr_expect_eq(rc_dist_rank(NULL), 0);
    cr_expect_eq(rc_dist_size(NULL), 1);
    cr_expect_eq(rc_dist_comm_seconds(NULL), 0);
    int64_t b0, b1;
    rc_dist_shard(NULL, 10, &b0, &b1);
    cr_expect(b0 == 0 && b1 == 10);
    EXPECT_ARG(rc_dist_broadcast(NULL, NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_dist_broadcast", "d");
    EXPECT_ARG(rc_dist_average_grads(NULL, NULL, err, sizeof err));
    EXPECT_ARG(rc_dist_sum(NULL, NULL, 1, err, sizeof err));
    EXPECT_ARG(rc_dist_barrier(NULL, err, sizeof err));
    cr_assert_eq(rc_dist_init(&d, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_expect_eq(rc_dist_size(d), 1, "not started by mpirun: one rank");
    EXPECT_ARG(rc_dist_broadcast(d, NULL, NULL, err, sizeof err));
    EXPECT_MSG(err, "rc_dist_broadcast", "ps");
    double v[2] = {1, 2};
    cr_expect_eq(rc_dist_sum(d, v, 2, err, sizeof err), RC_OK);
    cr_expect(v[0] == 1 && v[1] == 2, "one rank: the sum is the value");
    rc_dist_free(&d);
    cr_expect_null(d);
    rc_dist_free(NULL);
}
