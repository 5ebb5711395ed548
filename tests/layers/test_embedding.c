// Embedding and Dropout layers: PyTorch's names, init, padding and max_norm (against
// torch.nn.Embedding, fixture from tests/fixtures/make_optim_fixtures.py), row-sparse updates,
// train/eval, and the error paths.
#include <math.h>
#include <string.h>

#include "fixtures.h"

static rc_params *ps;
static rc_graph *g;
static rc_rng rng;
static char err[512];

static void setup(void) {
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_rng_seed(&rng, 21);
}
static void teardown(void) {
    rc_graph_free(&g);
    rc_params_free(&ps);
}
TestSuite(embedding, .init = setup, .fini = teardown);

Test(embedding, names_init_and_padding_row) {
    rc_embedding_layer e;
    rc_embedding_opts o = {.has_padding = true, .padding_idx = -1};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "tok", 2000, 8, &o, &rng), RC_OK);
    cr_assert_eq(rc_params_find(ps, "tok.weight"), e.weight);
    cr_assert(rc_shape_eq(rc_param_value(e.weight).shape, RC_SHAPE(2000, 8)));
    cr_assert_eq(e.padding_idx, 1999, "-1 counts from the end");
    const float *w = rc_param_value(e.weight).data;
    double s = 0, s2 = 0;
    for (int i = 0; i < 1999 * 8; i++)
        s += w[i], s2 += (double)w[i] * w[i];
    const double mean = s / (1999 * 8), sd = sqrt(s2 / (1999 * 8) - mean * mean);
    cr_assert(fabs(mean) < 0.03 && fabs(sd - 1) < 0.03, "N(0,1): mean %g std %g", mean, sd);
    for (int d = 0; d < 8; d++)
        cr_assert_eq(w[1999 * 8 + d], 0.0f, "padding row starts at zero");
    rc_embedding_layer plain;
    cr_assert_eq(rc_embedding_layer_init(&plain, ps, NULL, 4, 2, NULL, &rng), RC_OK);
    cr_assert_eq(plain.padding_idx, -1);
    cr_assert_not_null(rc_params_find(ps, "weight"));
}

// torch.nn.Embedding(6, 3, padding_idx=1, max_norm=1.0): values after the in-place renorm, the
// output, and the gradient (none for the padding row).
Test(embedding, matches_torch_with_padding_and_max_norm) {
    char path[512];
    rc_safetensors *f;
    cr_assert_eq(
        rc_safetensors_open(&f, fixture_path("layers/embedding.safetensors", path, sizeof path),
                            err, sizeof err),
        RC_OK, "%s", err);
    rc_embedding_layer e;
    rc_embedding_opts o = {.has_padding = true, .padding_idx = 1, .max_norm = 1.0f};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "emb", 6, 3, &o, &rng), RC_OK);
    float init[18], after[18], out[18], wt[18], grad[18], idsf[6];
    cr_assert_eq(rc_safetensors_read(f, "init", init, 18, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "after", after, 18, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "out", out, 18, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "wt", wt, 18, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "grad", grad, 18, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "ids", idsf, 6, err, sizeof err), RC_OK);
    rc_safetensors_close(&f);
    int32_t ids[6];
    for (int i = 0; i < 6; i++)
        ids[i] = (int32_t)idsf[i];
    memcpy(rc_param_value(e.weight).data, init, sizeof init);
    rc_var y = rc_embedding_layer_forward(&e, g, ids, RC_SHAPE(2, 3));
    cr_assert(rc_ok(y), "%s", rc_graph_errmsg(g));
    cr_assert(rc_shape_eq(rc_shape_of(y), RC_SHAPE(2, 3, 3)));
    tu_assert_close(rc_param_value(e.weight).data, after, 18, 1e-6f, 1e-7f, "renormed table");
    tu_assert_close(rc_value(y).data, out, 18, 1e-6f, 1e-7f, "output");
    rc_var loss = rc_sum_all(rc_mul(y, rc_input(g, RC_SHAPE(2, 3, 3), wt)));
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(g));
    tu_assert_close(rc_param_grad(e.weight).data, grad, 18, 1e-6f, 1e-7f, "gradient");
    const uint8_t *rows = rc_param_touched_rows(e.weight);
    cr_assert_not_null(rows);
    const uint8_t want[6] = {1, 0, 0, 1, 0, 1}; // ids 0, 3, 5; padding 1 not touched
    cr_assert_eq(memcmp(rows, want, 6), 0);
}

// With an optimizer, a step moves only the rows the batch looked up, weight decay included.
Test(embedding, optimizer_updates_only_looked_up_rows) {
    rc_embedding_layer e;
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "emb", 10, 4, NULL, &rng), RC_OK);
    float before[40];
    memcpy(before, rc_param_value(e.weight).data, sizeof before);
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAMW, 0.1);
    rc_optim *opt;
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    const int32_t ids[3] = {7, 2, 7};
    rc_var y = rc_embedding_layer_forward(&e, g, ids, RC_SHAPE(3));
    cr_assert_eq(rc_backward(rc_sum_all(rc_square(y))), RC_OK);
    cr_assert_eq(rc_optim_step(opt), RC_OK);
    const float *w = rc_param_value(e.weight).data;
    for (int r = 0; r < 10; r++) {
        bool moved = memcmp(w + 4 * r, before + 4 * r, 4 * sizeof(float)) != 0;
        cr_assert_eq(moved, r == 2 || r == 7, "row %d", r);
    }
    rc_optim_free(&opt);
}

Test(embedding, bad_id_is_a_graph_error_and_leaves_the_table) {
    rc_embedding_layer e;
    rc_embedding_opts o = {.max_norm = 0.01f};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "emb", 5, 3, &o, &rng), RC_OK);
    float before[15];
    memcpy(before, rc_param_value(e.weight).data, sizeof before);
    const int32_t ids[2] = {1, 5};
    rc_var y = rc_embedding_layer_forward(&e, g, ids, RC_SHAPE(2));
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_RANGE);
    cr_assert_eq(memcmp(before, rc_param_value(e.weight).data, sizeof before), 0,
                 "no renorm when the lookup fails");
}

Test(embedding, init_errors) {
    rc_embedding_layer e;
    rc_embedding_opts o = {.has_padding = true, .padding_idx = 5};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, &o, &rng), RC_ERR_RANGE);
    o.padding_idx = -6;
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, &o, &rng), RC_ERR_RANGE);
    o = (rc_embedding_opts){.max_norm = -1};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, &o, &rng), RC_ERR_ARG);
    o = (rc_embedding_opts){.max_norm = 1, .norm_type = NAN};
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, &o, &rng), RC_ERR_ARG);
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 0, 3, NULL, &rng), RC_ERR_SHAPE);
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 0, NULL, &rng), RC_ERR_SHAPE);
    cr_assert_eq(rc_params_count(ps), 0, "nothing added on error");
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, NULL, &rng), RC_OK);
    cr_assert_eq(rc_embedding_layer_init(&e, ps, "a", 5, 3, NULL, &rng), RC_ERR_ARG, "taken");
}

Test(embedding, dropout_train_eval) {
    rc_dropout_layer d;
    cr_assert_eq(rc_dropout_layer_init(&d, 1.5f), RC_ERR_ARG);
    cr_assert_eq(rc_dropout_layer_init(&d, -0.1f), RC_ERR_ARG);
    cr_assert_eq(rc_dropout_layer_init(&d, 0.25f), RC_OK);
    cr_assert(d.training);
    float x[400];
    for (int i = 0; i < 400; i++)
        x[i] = 1.0f + (float)i;
    rc_var in = rc_input(g, RC_SHAPE(20, 20), x);
    rc_rng r1 = rng, r2 = rng;
    rc_var y1 = rc_dropout_layer_forward(&d, in, &r1), y2 = rc_dropout_layer_forward(&d, in, &r2);
    int dropped = 0;
    for (int i = 0; i < 400; i++) {
        const float v = rc_value(y1).data[i];
        cr_assert(v == 0 || fabsf(v - x[i] / 0.75f) <= 1e-5f * v, "entry %d: %g", i, v);
        cr_assert_eq(v, rc_value(y2).data[i], "same generator state, same mask");
        dropped += v == 0;
    }
    cr_assert(dropped > 60 && dropped < 140, "about a quarter dropped: %d", dropped);
    d.training = false;
    rc_var ye = rc_dropout_layer_forward(&d, in, &r1);
    cr_assert(ye.idx == in.idx, "evaluation: the identity");
    cr_assert_eq(rc_dropout_layer_init(&d, 1.0f), RC_OK);
    rc_var z = rc_dropout_layer_forward(&d, in, &r1);
    for (int i = 0; i < 400; i++)
        cr_assert_eq(rc_value(z).data[i], 0.0f);
    cr_assert_eq(rc_dropout_layer_init(&d, 0.0f), RC_OK);
    cr_assert(rc_dropout_layer_forward(&d, in, &r1).idx == in.idx);
}
