// The language model of include/recur/lm.h: the stream layout for truncated BPTT, the schedule,
// perplexity of a zero model, learning a periodic stream, sampling, tying and bad configs.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

Test(lm_stream, columns_hold_consecutive_tokens_and_segments_shift_by_one) {
    int32_t ids[11];
    for (int i = 0; i < 11; i++)
        ids[i] = i;
    rc_lm_stream s;
    cr_assert_eq(rc_lm_stream_new(&s, ids, 11, 2, NULL, 0), RC_OK);
    cr_assert_eq(s.steps, 5); // the 11th token is dropped
    for (int t = 0; t < 5; t++)
        for (int b = 0; b < 2; b++)
            cr_assert_eq(s.data[t * 2 + b], b * 5 + t);
    cr_assert_eq(rc_lm_stream_segments(&s, 2), 2);
    cr_assert_eq(rc_lm_stream_segments(&s, 3), 2);
    const int32_t *x, *y;
    cr_assert_eq(rc_lm_stream_segment(&s, 3, 1, &x, &y), 1); // rows 3 -> 4
    cr_assert_eq(x[0], 3);
    cr_assert_eq(y[1], 9);
    cr_assert_eq(rc_lm_stream_segment(&s, 2, 0, &x, &y), 2);
    cr_assert_eq(y[0], 1);
    cr_assert_eq(rc_lm_stream_segment(&s, 2, 2, &x, &y), 0);
    rc_lm_stream_free(&s);
    char err[200];
    cr_assert_eq(rc_lm_stream_new(&s, ids, 3, 2, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "rc_lm_stream_new: 3 tokens cannot fill 2 columns"), "%s", err);
}

Test(lm_stream, flat_then_decay) {
    for (int e = 1; e <= 5; e++)
        cr_assert_float_eq(rc_lm_epoch_lr(1, 5, 0.5, e), 1.0, 1e-12);
    cr_assert_float_eq(rc_lm_epoch_lr(1, 5, 0.5, 6), 0.5, 1e-12);
    cr_assert_float_eq(rc_lm_epoch_lr(2, 5, 0.5, 13), 2.0 / 256, 1e-12);
}

static rc_lm *model(int64_t V, int64_t H, bool tied, rc_rng *rng) {
    const rc_lm_config c = {.cell = rc_cell_type_find("lstm"),
                            .vocab = V,
                            .dim_embed = H,
                            .dim_hidden = H,
                            .num_layers = 2,
                            .tied = tied,
                            .init_range = 0.1f};
    rc_lm *m;
    char err[300];
    cr_assert_eq(rc_lm_new(&m, &c, rng, err, sizeof err), RC_OK, "%s", err);
    return m;
}

// Zero weights give equal logits: every token costs log V, so the perplexity is V.
Test(lm, a_zero_model_has_perplexity_v) {
    rc_lm *m = model(7, 5, false, NULL);
    int32_t ids[60];
    for (int i = 0; i < 60; i++)
        ids[i] = (i * 5) % 7;
    rc_lm_stream s;
    cr_assert_eq(rc_lm_stream_new(&s, ids, 60, 3, NULL, 0), RC_OK);
    double nll;
    int64_t tokens;
    cr_assert_eq(rc_lm_evaluate(m, &s, 4, 0, &nll, &tokens, NULL, 0), RC_OK);
    cr_assert_eq(tokens, 19 * 3);
    cr_assert_float_eq(exp(nll / tokens), 7.0, 1e-4);
    cr_assert_eq(rc_lm_evaluate(m, &s, 4, 2, &nll, &tokens, NULL, 0), RC_OK);
    cr_assert_eq(tokens, 2 * 4 * 3); // max_segments
    rc_lm_stream_free(&s);
    rc_lm_free(&m);
}

// 0 1 2 3 0 1 2 3 ...: after training, the next token is nearly certain and sampling at a low
// temperature continues the cycle.
Test(lm, learns_a_periodic_stream_and_samples_it) {
    rc_rng rng;
    rc_rng_seed(&rng, 3);
    rc_lm *m = model(4, 16, false, &rng);
    int32_t ids[400];
    for (int i = 0; i < 400; i++)
        ids[i] = i % 4;
    rc_lm_stream s;
    cr_assert_eq(rc_lm_stream_new(&s, ids, 400, 4, NULL, 0), RC_OK);
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAM, 0.01);
    rc_optim *opt;
    cr_assert_eq(rc_optim_new(&opt, m->ps, &oo, NULL, 0), RC_OK);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    double nll, first = 0;
    int64_t tokens;
    char err[300];
    for (int epoch = 0; epoch < 6; epoch++) {
        rc_rnn_carry carry = {0};
        for (int64_t k = 0; k < rc_lm_stream_segments(&s, 10); k++) {
            const int32_t *x, *y;
            const int len = rc_lm_stream_segment(&s, 10, k, &x, &y);
            double seg;
            cr_assert_eq(
                rc_lm_train_step(m, g, opt, x, y, len, 4, 5, &carry, &rng, &seg, err, sizeof err),
                RC_OK, "%s", err);
            if (epoch == 0 && k == 0)
                first = seg / (len * 4);
        }
        rc_rnn_carry_free(&carry);
    }
    cr_assert_float_eq(first, log(4.0), 0.05); // near-uniform at the start
    cr_assert_eq(rc_lm_evaluate(m, &s, 10, 0, &nll, &tokens, NULL, 0), RC_OK);
    cr_assert_lt(exp(nll / tokens), 1.1, "perplexity %g", exp(nll / tokens));
    // Every column starts with 0 from a zero state, so a prime from 0 is what the model knows.
    const int32_t prime[] = {0, 1, 2};
    int32_t out[8], again[8];
    rc_rng a, b;
    rc_rng_seed(&a, 9);
    rc_rng_seed(&b, 9);
    cr_assert_eq(rc_lm_sample(m, prime, 3, 8, 0.5, &a, out, NULL, 0), RC_OK);
    cr_assert_eq(rc_lm_sample(m, prime, 3, 8, 0.5, &b, again, NULL, 0), RC_OK);
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(out[i], (3 + i) % 4, "sample %d: %d", i, out[i]);
        cr_assert_eq(out[i], again[i]);
    }
    rc_graph_free(&g);
    rc_optim_free(&opt);
    rc_lm_stream_free(&s);
    rc_lm_free(&m);
}

Test(lm, tied_read_out_shares_the_embedding) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_lm *tied = model(50, 8, true, &rng), *free_ = model(50, 8, false, &rng);
    cr_assert_null(rc_params_find(tied->ps, "head.weight"));
    cr_assert_not_null(rc_params_find(tied->ps, "head.bias"));
    cr_assert_not_null(rc_params_find(free_->ps, "rnn.weight_hh_l1"));
    cr_assert_eq(rc_params_numel(free_->ps) - rc_params_numel(tied->ps), 50 * 8);
    // Every parameter starts inside U(-0.1, 0.1).
    for (int i = 0; i < rc_params_count(tied->ps); i++) {
        const rc_tensor v = rc_param_value(rc_params_at(tied->ps, i));
        for (int64_t k = 0; k < v.n; k++)
            cr_assert(fabsf(v.data[k]) <= 0.1f);
    }
    rc_lm_free(&tied);
    rc_lm_free(&free_);
}

Test(lm, bad_configs_name_the_field) {
    char err[300];
    rc_lm *m = (rc_lm *)1;
    rc_lm_config c = {.cell = rc_cell_type_find("gru"),
                      .vocab = 10,
                      .dim_embed = 4,
                      .dim_hidden = 6,
                      .num_layers = 1,
                      .tied = true};
    cr_assert_eq(rc_lm_new(&m, &c, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_null(m);
    cr_assert(strstr(err, "tied read-out needs the cells' output (6) equal to dim_embed (4)"), "%s",
              err);
    c.tied = false;
    c.dropout = 1;
    cr_assert_eq(rc_lm_new(&m, &c, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "rc_lm_new: dropout 1 outside [0, 1)"), "%s", err);
    c.dropout = 0;
    c.vocab = 1;
    cr_assert_eq(rc_lm_new(&m, &c, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "vocab 1"), "%s", err);
    c.vocab = 10;
    cr_assert_eq(rc_lm_new(&m, &c, NULL, err, sizeof err), RC_OK, "%s", err);
    const int32_t prime[] = {0};
    int32_t out[2];
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    cr_assert_eq(rc_lm_sample(m, prime, 1, 2, 0, &rng, out, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "temperature 0"), "%s", err);
    rc_lm_free(&m);
}
