// Functions without an err buffer say why they failed in rc_last_error() (include/recur/base.h):
// the parameter store, the initialisers, the basic layers, optimizers, schedules, the TBPTT
// carry and the runners, each with the exact message a user reads.
#include <math.h>
#include <string.h>

#include "test_util.h"

static void expect(rc_status got, rc_status want, const char *msg) {
    cr_assert_eq(got, want, "status %s, want %s (%s)", rc_status_str(got), rc_status_str(want),
                 rc_last_error());
    cr_assert_str_eq(rc_last_error(), msg);
}

Test(messages, params_add_names_the_parameter_and_the_mistake) {
    rc_params *ps;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(2, 3), &p), RC_OK);
    expect(rc_params_add(ps, "w", RC_SHAPE(4), &p), RC_ERR_ARG,
           "rc_params_add: a parameter 'w' exists already");
    cr_assert_null(p);
    expect(rc_params_add(ps, "", RC_SHAPE(4), &p), RC_ERR_ARG, "rc_params_add: the name is empty");
    expect(rc_params_add(ps, "v", RC_SHAPE(3, 0), &p), RC_ERR_SHAPE,
           "rc_params_add: 'v' has shape [3,0]; every size must be > 0");
    expect(rc_params_add(ps, "big", RC_SHAPE(1 << 30, 1 << 30), &p), RC_ERR_RANGE,
           "rc_params_add: 'big' has shape [1073741824,1073741824], more than 2^40 entries");
    expect(rc_params_add(ps, NULL, RC_SHAPE(4), &p), RC_ERR_ARG, "rc_params_add: name is NULL");
    expect(rc_params_add(NULL, "x", RC_SHAPE(4), &p), RC_ERR_ARG, "rc_params_add: ps is NULL");
    rc_params_free(&ps);
}

Test(messages, param_mark_touched_and_state_slot_ranges) {
    rc_params *ps;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, "emb", RC_SHAPE(5, 2), &p), RC_OK);
    expect(rc_param_mark_touched(p, 5), RC_ERR_RANGE,
           "rc_param_mark_touched: row 5 of 'emb', which has 5 rows");
    cr_assert_null(rc_param_state(p, 7));
    cr_assert_str_eq(rc_last_error(), "rc_param_state: slot 7 of 'emb'; slots are 0 to 2");
    rc_params_free(&ps);
}

Test(messages, null_graph_and_handles_do_not_abort) {
    cr_assert_eq(rc_graph_status(NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_graph_status: g is NULL");
    rc_graph_reset(NULL);
    cr_assert_not(rc_ok(rc_input(NULL, RC_SHAPE(2), NULL)));
    cr_assert_str_eq(rc_last_error(), "rc_input: g is NULL");
    cr_assert_not(rc_ok(rc_detach(RC_NONE)));
    cr_assert_str_eq(rc_last_error(), "rc_detach: v is RC_NONE or an uninitialised handle");
    rc_var mask;
    cr_assert_not(rc_ok(rc_dropout(RC_NONE, 0.5f, NULL, &mask)));
    cr_assert_not(rc_ok(mask));
    cr_assert_eq(rc_backward(RC_NONE), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_backward: loss is RC_NONE or an uninitialised handle");
    cr_assert_eq(rc_graph_dump_dot(NULL, "/tmp/x.dot", 0), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_graph_dump_dot: g is NULL");
    cr_assert_eq(rc_shape_make(RC_MAX_DIMS + 1, NULL).ndim, -1);
}

Test(messages, dot_writer_names_the_path_it_cannot_write) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_eq(rc_graph_dump_dot(g, "/nonexistent-dir/g.dot", 0), RC_ERR_IO);
    cr_assert_str_eq(rc_last_error(), "rc_graph_dump_dot: /nonexistent-dir/g.dot: cannot create a "
                                      "temporary file: No such file or directory");
    rc_graph_free(&g);
}

Test(messages, init_tensor_says_which_argument) {
    float buf[6];
    rc_tensor t = {buf, RC_SHAPE(2, 3), 6};
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    expect(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_UNIFORM, .a = 1, .b = -1}, &rng),
           RC_ERR_ARG, "rc_init_tensor: uniform bounds a = 1 > b = -1");
    expect(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_NORMAL, .b = -2}, &rng), RC_ERR_ARG,
           "rc_init_tensor: normal std b = -2 must be >= 0");
    expect(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_RNN_DEFAULT}, &rng), RC_ERR_ARG,
           "rc_init_tensor: RC_INIT_RNN_DEFAULT needs hidden > 0, got 0");
    expect(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_CONSTANT, .a = NAN}, &rng), RC_ERR_ARG,
           "rc_init_tensor: a, b, gain and neg_slope must be finite");
    expect(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_ZEROS}, NULL), RC_ERR_ARG,
           "rc_init_tensor: rng is NULL");
    rc_tensor v = {buf, RC_SHAPE(6), 6};
    expect(rc_init_tensor(v, &(rc_init){.kind = RC_INIT_ORTHOGONAL}, &rng), RC_ERR_SHAPE,
           "rc_init_tensor: orthogonal needs 2 or more dimensions, got 1");
    expect(rc_init_tensor(v, &(rc_init){.kind = RC_INIT_XAVIER_UNIFORM}, &rng), RC_ERR_SHAPE,
           "rc_init_fans: shape [6] has 1 dimensions; fans need at least 2");
    expect(rc_init_forget_bias(v, 1.0f), RC_ERR_SHAPE,
           "rc_init_forget_bias: bias is [6]; want [4H] laid out [i|f|g|o]");
}

Test(messages, layer_inits_name_sizes_and_options) {
    rc_params *ps;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_linear_layer lin;
    expect(rc_linear_layer_init(&lin, ps, "fc", 0, 4, true, &rng), RC_ERR_SHAPE,
           "rc_linear_layer_init: dim_in = 0, dim_out = 4; both must be > 0");
    cr_assert_eq(rc_linear_layer_init(&lin, ps, "fc", 3, 4, true, &rng), RC_OK);
    expect(rc_linear_layer_init(&lin, ps, "fc", 3, 4, true, &rng), RC_ERR_ARG,
           "a parameter 'fc.weight' exists already");
    rc_embedding_layer emb;
    const rc_embedding_opts pad = {.has_padding = true, .padding_idx = 9};
    expect(rc_embedding_layer_init(&emb, ps, "emb", 5, 2, &pad, &rng), RC_ERR_RANGE,
           "rc_embedding_layer_init: padding_idx 9 is outside [-5, 5)");
    rc_dropout_layer drop;
    expect(rc_dropout_layer_init(&drop, 1.5f), RC_ERR_ARG,
           "rc_dropout_layer_init: p = 1.5; want 0 <= p <= 1");
    rc_params_free(&ps);
}

Test(messages, optimizer_and_schedule_steps) {
    rc_params *ps, *other;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_new(&other), RC_OK);
    rc_param *w, *stranger;
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(3), &w), RC_OK);
    cr_assert_eq(rc_params_add(other, "u", RC_SHAPE(3), &stranger), RC_OK);
    rc_optim *o;
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    cr_assert_eq(rc_optim_new(&o, ps, &oo, NULL, 0), RC_OK);
    expect(rc_optim_set_step_count(o, stranger, 3), RC_ERR_NOTFOUND,
           "rc_optim_set_step_count: parameter 'u' is not in the store");
    expect(rc_optim_set_step_count(o, w, -1), RC_ERR_ARG,
           "rc_optim_set_step_count: steps = -1; want >= 0");
    expect(rc_optim_step(NULL), RC_ERR_ARG, "rc_optim_step: o is NULL");
    rc_sched *s;
    const rc_sched_opts so = rc_sched_defaults(RC_SCHED_PLATEAU);
    cr_assert_eq(rc_sched_new(&s, o, &so, NULL, 0), RC_OK);
    expect(rc_sched_step(s), RC_ERR_STATE,
           "rc_sched_step: a plateau schedule steps with the metric it watches: call "
           "rc_sched_step_metric");
    rc_sched_free(&s);
    rc_optim_free(&o);
    cr_assert_null(o);
    rc_params_free(&ps);
    rc_params_free(&other);
}

Test(messages, carry_and_runners_without_a_graph) {
    rc_rnn_carry carry = {0};
    rc_var none[1] = {RC_NONE};
    expect(rc_rnn_carry_save(&carry, none, 0), RC_ERR_ARG,
           "rc_rnn_carry_save: n_state = 0; want 1 to 4");
    expect(rc_rnn_carry_save(&carry, none, 1), RC_ERR_ARG,
           "rc_rnn_carry_save: state[0] is not a valid handle");
    rc_rnn_result res;
    expect(rc_rnn_forward(NULL, NULL, RC_NONE, NULL, &res), RC_ERR_ARG,
           "rc_rnn_forward: g is NULL");
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_eq(rc_rnn_unroll_seq(g, NULL, RC_NONE, NULL, NULL, NULL, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_graph_errmsg(g), "rc_rnn_unroll_seq: cell is NULL");
    rc_graph_free(&g);
    rc_rnn_carry_free(&carry);
}
