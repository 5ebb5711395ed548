// A C++ program against recur: it includes <recur/recur.h>, links the shared library, builds
// y = tanh(x W^T + b) and loss = mean(y²), runs backward and checks the loss, dW and db against
// the formulas written out here. It also uses RC_SHAPE, RC_NONE and RC_SCALAR_SHAPE (compound
// literals in C, with C++ forms in the headers), a sticky shape error, and a lookup by name.
// Exit status 0 when everything agrees.
#include <cmath>
#include <cstdio>
#include <cstring>

#include <recur/recur.h>

namespace {

int failures = 0;

void check(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

// |got - want| <= 1e-7 + 1e-5 |want| for every entry.
void check_close(const float *got, const double *want, int n, const char *what) {
    for (int i = 0; i < n; i++)
        if (!(std::fabs(got[i] - want[i]) <= 1e-7 + 1e-5 * std::fabs(want[i]))) {
            std::fprintf(stderr, "FAIL: %s[%d] = %.9g, want %.9g\n", what, i,
                         static_cast<double>(got[i]), want[i]);
            failures++;
            return;
        }
}

const int N = 4, I = 3, O = 2;

// The loss and its gradients by hand: z = x W^T + b, y = tanh z, L = mean y²,
// dL/dz = 2 y (1 - y²) / (N O), dW = dz^T x, db = sum over rows of dz.
double by_hand(const float *x, const float *w, const float *b, double *dw, double *db) {
    double loss = 0;
    for (int n = 0; n < N; n++)
        for (int o = 0; o < O; o++) {
            double z = b[o];
            for (int i = 0; i < I; i++)
                z += static_cast<double>(x[n * I + i]) * w[o * I + i];
            const double y = std::tanh(z), dz = 2 * y * (1 - y * y) / (N * O);
            loss += y * y / (N * O);
            db[o] += dz;
            for (int i = 0; i < I; i++)
                dw[o * I + i] += dz * x[n * I + i];
        }
    return loss;
}

void fill(float *v, int n, rc_rng *r) {
    for (int i = 0; i < n; i++)
        v[i] = static_cast<float>(2 * rc_rng_uniform(r) - 1);
}

} // namespace

int main() {
    rc_graph *g = nullptr;
    rc_params *ps = nullptr;
    rc_param *w = nullptr, *b = nullptr;
    check(rc_graph_new(&g) == RC_OK && rc_params_new(&ps) == RC_OK, "graph and store");
    check(rc_params_add(ps, "w", RC_SHAPE(O, I), &w) == RC_OK, "add w [O,I]");
    check(rc_params_add(ps, "b", RC_SHAPE(O), &b) == RC_OK, "add b [O]");
    if (failures)
        return 1;
    rc_rng rng;
    rc_rng_seed(&rng, 42);
    float x[N * I];
    fill(x, N * I, &rng);
    fill(rc_param_value(w).data, O * I, &rng);
    fill(rc_param_value(b).data, O, &rng);

    rc_var xv = rc_input(g, RC_SHAPE(N, I), x);
    rc_var loss = rc_mean_all(rc_square(rc_tanh(rc_linear(xv, rc_use(g, w), rc_use(g, b)))));
    check(rc_shape_eq(rc_shape_of(loss), RC_SCALAR_SHAPE), "the loss is a scalar");
    check(rc_backward(loss) == RC_OK, rc_graph_errmsg(g));
    double dw[O * I] = {}, db[O] = {};
    const double want = by_hand(x, rc_param_value(w).data, rc_param_value(b).data, dw, db);
    const float got = rc_item(loss);
    check_close(&got, &want, 1, "loss");
    check_close(rc_param_grad(w).data, dw, O * I, "dW");
    check_close(rc_param_grad(b).data, db, O, "db");

    rc_graph_reset(g); // RC_NONE: a linear layer without bias
    rc_var nb = rc_linear(rc_input(g, RC_SHAPE(N, I), x), rc_use(g, w), RC_NONE);
    check(rc_ok(nb) && rc_shape_eq(rc_shape_of(nb), RC_SHAPE(N, O)), "x W^T without bias is [N,O]");
    const float zeros[20] = {};
    rc_var bad = rc_add(rc_input(g, RC_SHAPE(2, 3), zeros), rc_input(g, RC_SHAPE(4, 5), zeros));
    check(!rc_ok(bad) && rc_graph_status(g) == RC_ERR_SHAPE, "a shape mismatch is a sticky error");
    check(std::strstr(rc_graph_errmsg(g), "[2,3]") != nullptr, rc_graph_errmsg(g));
    check(rc_optim_kind_find("adamw") == RC_OPTIM_ADAMW, "optimizer kind by name");

    rc_params_free(&ps);
    rc_graph_free(&g);
    check(ps == nullptr && g == nullptr, "free nulls the pointers");
    std::printf("C++ program: loss %.6f, %d failure(s)\n", static_cast<double>(got), failures);
    return failures ? 1 : 0;
}
