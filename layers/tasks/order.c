// Temporal order, the 3-bit version of Hochreiter & Schmidhuber 1997 (their task 6b): a sequence
// B, random symbols from {a,b,c,d}, ..., E, in which three steps, one in each of the windows
// [0.1T, 0.2T], [0.33T, 0.43T], [0.66T, 0.76T] (the paper's 10-20, 33-43, 66-76 of T ~ 100),
// hold X or Y. The class, read out at the last step, is the order of the three: XXX = 0 ...
// YYY = 7 (8 classes, cross-entropy). Guessing gives error rate 7/8: the baseline.
#include <math.h>

#include "tasks_impl.h"

enum { SYM_X = 4, SYM_Y = 5, SYM_B = 6, SYM_E = 7, N_SYM = 8, N_CLASS = 8 };

// A step in [lo*T, hi*T], kept inside 1..T-2 so B and E stay at the ends.
static int in_window(rc_rng *rng, int T, double lo, double hi) {
    int a = (int)(lo * T + 1e-9), z = (int)(hi * T + 1e-9);
    a = a < 1 ? 1 : a;
    z = z > T - 2 ? T - 2 : z;
    z = z < a ? a : z;
    return a + (int)rc_rng_below(rng, (uint32_t)(z - a + 1));
}

static void generate(rc_rng *rng, rc_task_batch *b) {
    const int T = b->T, B = b->B;
    static const double window[3][2] = {{0.1, 0.2}, {0.33, 0.43}, {0.66, 0.76}};
    for (int i = 0; i < T * B; i++)
        b->mask[i] = 1.0f;
    for (int s = 0; s < B; s++) {
        rc_task_one_hot(b, 0, s, SYM_B);
        rc_task_one_hot(b, T - 1, s, SYM_E);
        for (int t = 1; t < T - 1; t++)
            rc_task_one_hot(b, t, s, (int)rc_rng_below(rng, 4));
        int label = 0;
        for (int k = 0; k < 3; k++) {
            const int bit = (int)rc_rng_below(rng, 2);
            rc_task_one_hot(b, in_window(rng, T, window[k][0], window[k][1]), s,
                            bit ? SYM_Y : SYM_X);
            label = label * 2 + bit;
        }
        b->labels[s] = label;
    }
}

static rc_var loss(rc_var logits, const rc_task_batch *b) {
    return rc_cross_entropy(logits, b->labels, RC_REDUCE_MEAN, -100);
}

static rc_task_score score(const float *out, const rc_task_batch *b) {
    int right = 0;
    for (int s = 0; s < b->B; s++)
        right += rc_task_argmax(out + (size_t)s * N_CLASS, N_CLASS) == b->labels[s];
    const double acc = (double)right / b->B;
    return (rc_task_score){.metric = 1.0 - acc, .accuracy = acc, .success = acc >= 0.99};
}

static double baseline(int length) {
    (void)length;
    return 7.0 / 8.0;
}

const rc_task rc_task_order = {
    .name = "order",
    .summary = "classify the order of three X/Y symbols in noise (3-bit temporal order, 1997)",
    .metric = "error",
    .threshold = "held-out accuracy >= 0.99",
    .per_step = false,
    .min_length = 10,
    .extra_steps = 0,
    .dim_in = N_SYM,
    .dim_out = N_CLASS,
    .defaults = {.length = 40,
                 .batch = 32,
                 .steps = 1500,
                 .hidden = 32,
                 .eval_every = 100,
                 .lr = 1e-2,
                 .clip = 1.0,
                 .optimizer = RC_OPTIM_ADAM},
    .generate = generate,
    .loss = loss,
    .score = score,
    .baseline = baseline,
};
