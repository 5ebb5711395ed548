// The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le, Jaitly & Hinton 2015):
// x [T,B,2], channel 0 uniform in [0,1), channel 1 a marker that is 1 at exactly two steps, one
// in each half; the target is the sum of the two marked values, read out at the last step.
// Predicting the mean 1 gives MSE Var(u1 + u2) = 2/12 = 1/6: the baseline.
#include <string.h>

#include "tasks_impl.h"

static void generate(rc_rng *rng, rc_task_batch *b) {
    const int T = b->T, B = b->B;
    memset(b->x, 0, (size_t)T * B * 2 * sizeof *b->x);
    for (int i = 0; i < T * B; i++)
        b->mask[i] = 1.0f;
    for (int s = 0; s < B; s++) {
        for (int t = 0; t < T; t++)
            b->x[((size_t)t * B + s) * 2] = (float)rc_rng_uniform(rng);
        const int t1 = (int)rc_rng_below(rng, (uint32_t)(T / 2));
        const int t2 = T / 2 + (int)rc_rng_below(rng, (uint32_t)(T - T / 2));
        b->x[((size_t)t1 * B + s) * 2 + 1] = 1.0f;
        b->x[((size_t)t2 * B + s) * 2 + 1] = 1.0f;
        b->y[s] = b->x[((size_t)t1 * B + s) * 2] + b->x[((size_t)t2 * B + s) * 2];
    }
}

static rc_var loss(rc_var logits, const rc_task_batch *b) {
    return rc_mse(logits, rc_input(logits.g, RC_SHAPE(b->B, 1), b->y), RC_REDUCE_MEAN);
}

// MSE; accuracy is the fraction of sums predicted within 0.04 (Le et al.'s reading of "right").
static rc_task_score score(const float *out, const rc_task_batch *b) {
    double se = 0;
    int close = 0;
    for (int s = 0; s < b->B; s++) {
        const double d = (double)out[s] - b->y[s];
        se += d * d;
        close += d < 0.04 && d > -0.04;
    }
    const double mse = se / b->B;
    return (rc_task_score){.metric = mse, .accuracy = (double)close / b->B, .success = mse < 0.01};
}

static double baseline(int T) {
    (void)T;
    return 1.0 / 6.0;
}

const rc_task rc_task_adding = {
    .name = "adding",
    .summary = "sum of the two marked values in a sequence of uniform numbers",
    .metric = "mse",
    .threshold = "held-out MSE < 0.01",
    .per_step = false,
    .min_length = 2,
    .extra_steps = 0,
    .dim_in = 2,
    .dim_out = 1,
    .defaults = {.length = 100,
                 .batch = 32,
                 .steps = 2000,
                 .hidden = 32,
                 .eval_every = 50,
                 .lr = 1e-2,
                 .clip = 1.0,
                 .optimizer = RC_OPTIM_ADAM},
    .generate = generate,
    .loss = loss,
    .score = score,
    .baseline = baseline,
};
