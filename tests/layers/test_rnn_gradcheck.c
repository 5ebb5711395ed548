// Every built-in cell passes the model-level gradient check on a 2-layer, bidirectional,
// variable-length batch with initial states: parameters, input and initial states.
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "rnn_util.h"
#include "test_util.h"

enum { T = 4, B = 3, I = 3, H = 4 };

static void gradcheck_kind(int kind) {
    rc_graph *g;
    rc_params *ps;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_rnn *rnn = ru_make(ps, kind, I, H, 2, true, 0.0f, 31);
    const rc_cell *cell = rnn->cells[0];
    const int32_t lengths[B] = {2, 4, 3};
    rc_var x = rc_requires_grad(ru_input(g, RC_SHAPE(T, B, I), 1));
    rc_var s0[RC_CELL_MAX_STATE];
    for (int k = 0; k < cell->n_state; k++)
        s0[k] = rc_requires_grad(ru_input(g, RC_SHAPE(4, B, cell->state_dim[k]), 2 + k));
    rc_rnn_run run = {.lengths = lengths, .state0 = s0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    rc_var loss = ru_weighted_sum(res.output, 10);
    for (int k = 0; k < res.n_state; k++)
        loss = rc_add(loss, ru_weighted_sum(res.state[k], 11 + k));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    // Central differences in float32: a step of 3e-3 keeps rounding noise (~1e-6 on the loss)
    // well under the tolerance, and is small enough that no step of the seeded relu case
    // crosses a kink (1e-2 does, for 6 entries).
    o.eps = 3e-3f;
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK, "%s", rep.worst);
    cr_assert_eq(rep.failed, 0, "%s: %lld of %lld entries fail, first %s", ru_kind_names[kind],
                 (long long)rep.failed, (long long)rep.checked, rep.worst);
    int64_t want = rc_params_numel(ps) + T * B * I;
    for (int k = 0; k < cell->n_state; k++)
        want += 4 * B * cell->state_dim[k];
    cr_assert_eq(rep.checked, want, "every parameter, input and initial-state entry is checked");
    cr_log_info("%s: %lld entries, max rel err %.3g", ru_kind_names[kind], (long long)rep.checked,
                rep.max_rel_err);
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
}

ParameterizedTestParameters(rnn_gradcheck, cells) {
    static int kinds[RU_N_KINDS];
    for (int i = 0; i < RU_N_KINDS; i++)
        kinds[i] = i;
    return cr_make_param_array(int, kinds, RU_N_KINDS);
}

ParameterizedTest(int *kind, rnn_gradcheck, cells) {
    gradcheck_kind(*kind);
}
