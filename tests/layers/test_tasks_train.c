// The task driver (rc_task_train): a short run learns, the curve and the gradient-flow vectors
// are what they claim, runs are reproducible, bad configs are refused with a message.
#include <math.h>
#include <string.h>

#include <recur/recur.h>

#include "test_util.h"

static rc_task_config tiny(const char *task, const char *cell) {
    return (rc_task_config){.task = rc_task_find(task),
                            .cell = rc_cell_type_find(cell),
                            .length = 10,
                            .batch = 16,
                            .steps = 60,
                            .hidden = 8,
                            .eval_every = 20,
                            .eval_batch = 64,
                            .lr = 2e-2,
                            .optimizer = -1,
                            .seed = 3};
}

Test(tasks_train, adding_loss_decreases_and_gradflow_is_finite) {
    rc_set_num_threads(1);
    rc_task_config c = tiny("adding", "gru");
    rc_task_result r;
    char err[512] = "";
    cr_assert_eq(rc_task_train(&c, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.n_points, 4); // steps 0, 20, 40, 60
    for (int i = 0; i < r.n_points; i++)
        cr_assert_eq(r.curve[i].step, 20 * i);
    cr_assert(r.curve[3].heldout < r.curve[0].heldout, "held-out MSE %g -> %g", r.curve[0].heldout,
              r.curve[3].heldout);
    cr_assert_eq(r.final_heldout, r.curve[3].heldout);
    cr_assert_eq(r.T, 10);
    for (int t = 0; t < r.T; t++) {
        cr_assert(isfinite(r.gradflow_init[t]) && r.gradflow_init[t] > 0, "t %d", t);
        cr_assert(isfinite(r.gradflow_final[t]) && r.gradflow_final[t] > 0, "t %d", t);
    }
    // 3 GRU blocks of [8,2] + [8,8] + 2 biases [8], a read-out [1,8] + [1].
    cr_assert_eq(r.n_params, 3 * (8 * 2 + 8 * 8 + 16) + 9);
    cr_assert(r.ms_per_step > 0);
    rc_task_result_free(&r);
    cr_assert_null(r.curve);
}

// The same seed gives the same curve, bit for bit; another seed another one.
Test(tasks_train, runs_are_reproducible_per_seed) {
    rc_set_num_threads(1);
    const char *tasks[] = {"copy", "reber", "order"};
    for (int i = 0; i < 3; i++) {
        rc_task_config c = tiny(tasks[i], "lstm");
        c.length = 12;
        c.steps = 10;
        c.eval_every = 5;
        rc_task_result a, b, d;
        char err[512] = "";
        cr_assert_eq(rc_task_train(&c, &a, err, sizeof err), RC_OK, "%s", err);
        cr_assert_eq(rc_task_train(&c, &b, err, sizeof err), RC_OK, "%s", err);
        c.seed = 4;
        cr_assert_eq(rc_task_train(&c, &d, err, sizeof err), RC_OK, "%s", err);
        cr_assert_eq(a.n_points, 3);
        cr_assert_eq(memcmp(a.curve, b.curve, 3 * sizeof *a.curve), 0, "%s", tasks[i]);
        cr_assert_neq(memcmp(a.curve, d.curve, 3 * sizeof *a.curve), 0, "%s", tasks[i]);
        cr_assert_eq(a.T, 12 + (i == 0 ? 20 : 0));
        for (int t = 0; t < a.T; t++)
            cr_assert(isfinite(a.gradflow_init[t]) && isfinite(a.gradflow_final[t]));
        rc_task_result_free(&a);
        rc_task_result_free(&b);
        rc_task_result_free(&d);
    }
}

// With a forget-gate bias of 1 the gradient reaching h_0 at initialisation is larger than with 0:
// the memory path of the LSTM lets it through (Jozefowicz et al. 2015's argument).
Test(tasks_train, forget_bias_opens_the_gradient_path) {
    rc_set_num_threads(1);
    rc_task_config c = tiny("adding", "lstm");
    c.length = 40;
    c.steps = 1;
    c.hidden = 16;
    rc_task_result r0, r1;
    char err[512] = "";
    c.forget_bias_set = true;
    c.forget_bias = 0.0f;
    cr_assert_eq(rc_task_train(&c, &r0, err, sizeof err), RC_OK, "%s", err);
    c.forget_bias = 3.0f;
    cr_assert_eq(rc_task_train(&c, &r1, err, sizeof err), RC_OK, "%s", err);
    cr_assert(r1.gradflow_init[0] > 10 * r0.gradflow_init[0], "%g vs %g", r1.gradflow_init[0],
              r0.gradflow_init[0]);
    rc_task_result_free(&r0);
    rc_task_result_free(&r1);
}

Test(tasks_train, bad_configs_are_refused_with_a_message) {
    rc_task_result r;
    char err[512] = "";
    rc_task_config c = tiny("adding", "lstm");
    c.hidden = -1;
    cr_assert_eq(rc_task_train(&c, &r, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "hidden -1"), "%s", err);
    c = tiny("adding", "lstm");
    c.lr = -1;
    cr_assert_eq(rc_task_train(&c, &r, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "lr -1"), "%s", err);
    c = tiny("adding", "rnn");
    c.forget_bias_set = true;
    cr_assert_neq(rc_task_train(&c, &r, err, sizeof err), RC_OK);
    cr_assert(strstr(err, "rnn"), "%s", err);
    cr_assert_null(r.curve);
    c = tiny("adding", "lstm");
    c.cell = NULL;
    cr_assert_eq(rc_task_train(&c, &r, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "cell"), "%s", err);
    c = tiny("reber", "lstm");
    c.length = 3;
    cr_assert_eq(rc_task_train(&c, &r, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "length 3"), "%s", err);
}

// Equal parameters: the GRU gets a larger hidden size than the LSTM, the plain RNN a larger one
// still, each within one hidden unit's worth of the LSTM's count.
Test(tasks_train, equal_params_picks_hidden_sizes) {
    const rc_task *task = rc_task_find("adding");
    const rc_cell_type *lstm = rc_cell_type_find("lstm");
    char err[256] = "";
    const int64_t want = rc_task_param_count(task, lstm, 50, 32, err, sizeof err);
    cr_assert_eq(want, 4 * (32 * 2 + 32 * 32 + 64) + 33, "%s", err);
    const int hg =
        rc_task_equal_params_hidden(task, rc_cell_type_find("gru"), lstm, 50, 32, err, sizeof err);
    const int hr =
        rc_task_equal_params_hidden(task, rc_cell_type_find("rnn"), lstm, 50, 32, err, sizeof err);
    cr_assert(hg > 32 && hr > hg, "gru %d rnn %d", hg, hr);
    const int64_t ng = rc_task_param_count(task, rc_cell_type_find("gru"), 50, hg, err, sizeof err);
    const int64_t step = 3 * (2 * hg + 2 + 2 * hg) + 1; // about one unit's worth
    cr_assert(llabs(ng - want) <= step, "gru H %d: %lld vs %lld", hg, (long long)ng,
              (long long)want);
    cr_assert_eq(rc_task_param_count(task, lstm, 50, 0, err, sizeof err), -1);
}
