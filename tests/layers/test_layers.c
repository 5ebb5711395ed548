// The basic layers: PyTorch's names, layouts and default init, forward against loops and
// against torch.nn modules (fixtures from tests/fixtures/make_optim_fixtures.py), gradients.
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
    rc_rng_seed(&rng, 11);
}
static void teardown(void) {
    rc_graph_free(&g);
    rc_params_free(&ps);
}
TestSuite(layers, .init = setup, .fini = teardown);

Test(layers, linear_names_layout_and_init) {
    rc_linear_layer l, top;
    cr_assert_eq(rc_linear_layer_init(&l, ps, "enc.fc", 16, 5, true, &rng), RC_OK);
    cr_assert_eq(rc_params_find(ps, "enc.fc.weight"), l.weight);
    cr_assert_eq(rc_params_find(ps, "enc.fc.bias"), l.bias);
    cr_assert(rc_shape_eq(rc_param_value(l.weight).shape, RC_SHAPE(5, 16)), "[O,I]");
    cr_assert(rc_shape_eq(rc_param_value(l.bias).shape, RC_SHAPE(5)));
    cr_assert(l.dim_in == 16 && l.dim_out == 5);
    double mx = 0;
    for (int i = 0; i < 80; i++)
        mx = fmax(mx, fabs(rc_param_value(l.weight).data[i]));
    for (int i = 0; i < 5; i++)
        mx = fmax(mx, fabs(rc_param_value(l.bias).data[i]));
    cr_assert(mx <= 0.25 && mx > 0.2, "U(-1/sqrt(16), 1/sqrt(16)): max %g", mx);
    cr_assert_eq(rc_linear_layer_init(&top, ps, NULL, 3, 2, false, &rng), RC_OK);
    cr_assert_not_null(rc_params_find(ps, "weight"));
    cr_assert_null(rc_params_find(ps, "bias"));
    cr_assert_null(top.bias);
}

Test(layers, linear_errors_add_nothing) {
    rc_linear_layer l;
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 0, 3, true, &rng), RC_ERR_SHAPE);
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 3, -1, true, &rng), RC_ERR_SHAPE);
    rc_param *taken;
    rc_params_add(ps, "fc.bias", RC_SHAPE(1), &taken);
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 3, 2, true, &rng), RC_ERR_ARG);
    cr_assert_eq(rc_params_count(ps), 1, "fc.weight was not added either");
    cr_assert_null(l.weight);
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 3, 2, false, &rng), RC_OK, "no bias: free");
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 3, 2, false, NULL), RC_ERR_ARG);
}

Test(layers, linear_forward_loops_batches_and_gradients) {
    rc_linear_layer l;
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 3, 4, true, &rng), RC_OK);
    float x[2 * 5 * 3];
    tu_fill_uniform(x, 30, -1, 1, 3);
    rc_var y = rc_linear_layer_forward(&l, g, rc_input(g, RC_SHAPE(2, 5, 3), x));
    cr_assert(rc_ok(y) && rc_shape_eq(rc_shape_of(y), RC_SHAPE(2, 5, 4)), "%s", rc_graph_errmsg(g));
    const float *W = rc_param_value(l.weight).data, *b = rc_param_value(l.bias).data;
    float want[40];
    for (int r = 0; r < 10; r++)
        for (int o = 0; o < 4; o++) {
            double s = b[o];
            for (int i = 0; i < 3; i++)
                s += (double)x[r * 3 + i] * W[o * 3 + i];
            want[r * 4 + o] = (float)s;
        }
    tu_assert_close(rc_value(y).data, want, 40, 1e-5f, 1e-6f, "x W^T + b");
    rc_var loss = rc_sum_all(rc_tanh(y));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK);
    cr_assert_eq(rep.failed, 0, "%s", rep.worst);
}

// torch.nn.Linear's half-precision state dict loads into the layer and gives torch's output.
Test(layers, linear_matches_torch_module) {
    rc_linear_layer l;
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", 4, 3, true, &rng), RC_OK);
    char p1[512], p2[512];
    fixture_path("safetensors/torch_linear_f16.safetensors", p1, sizeof p1);
    fixture_path("safetensors/torch_dtypes.safetensors", p2, sizeof p2);
    cr_assert_eq(rc_checkpoint_load(p1, ps, NULL, true, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, p2, err, sizeof err), RC_OK, "%s", err);
    float x[8], want[6];
    cr_assert_eq(rc_safetensors_read(f, "ref.fc.x", x, 8, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_safetensors_read(f, "ref.fc.y", want, 6, err, sizeof err), RC_OK, "%s", err);
    rc_safetensors_close(&f);
    rc_var y = rc_linear_layer_forward(&l, g, rc_input(g, RC_SHAPE(2, 4), x));
    tu_assert_close(rc_value(y).data, want, 6, 1e-6f, 1e-6f, "nn.Linear output");
}
