// The copy (delayed recall) task of Arjovsky, Shah & Bengio 2016: 10 symbols drawn from 8
// letters, then `length` - 1 blanks, a delimiter, and 10 more blanks during which the 10 symbols
// must be reproduced; T = length + 20 steps, read out at every step (cross-entropy over 10
// classes: 0 blank, 1..8 letters, 9 delimiter). Predicting blanks, then a uniform guess over the
// letters, gives a mean cross-entropy of 10 ln 8 / (length + 20): the baseline.
#include <math.h>
#include <string.h>

#include "tasks_impl.h"

enum { N_SHOW = 10, N_LETTERS = 8, BLANK = 0, DELIM = 9, N_SYM = 10 };

static void generate(rc_rng *rng, rc_task_batch *b) {
    const int T = b->T, B = b->B, L = T - 2 * N_SHOW;
    for (int i = 0; i < T * B; i++) {
        b->mask[i] = 1.0f;
        b->labels[i] = BLANK;
    }
    for (int s = 0; s < B; s++) {
        for (int t = 0; t < T; t++)
            rc_task_one_hot(b, t, s, BLANK);
        for (int k = 0; k < N_SHOW; k++) {
            const int sym = 1 + (int)rc_rng_below(rng, N_LETTERS);
            rc_task_one_hot(b, k, s, sym);
            b->labels[(L + N_SHOW + k) * B + s] = sym;
        }
        rc_task_one_hot(b, N_SHOW + L - 1, s, DELIM);
    }
}

static rc_var loss(rc_var logits, const rc_task_batch *b) {
    return rc_cross_entropy(logits, b->labels, RC_REDUCE_MEAN, -100);
}

// -log softmax(row)[k], in double.
static double row_ce(const float *row, int n, int k) {
    double m = row[0], z = 0;
    for (int i = 1; i < n; i++)
        m = row[i] > m ? row[i] : m;
    for (int i = 0; i < n; i++)
        z += exp(row[i] - m);
    return log(z) + m - row[k];
}

// Mean cross-entropy over every step; accuracy over the recalled symbols only.
static rc_task_score score(const float *out, const rc_task_batch *b) {
    const int T = b->T, B = b->B;
    double ce = 0;
    int right = 0;
    for (int t = 0; t < T; t++)
        for (int s = 0; s < B; s++) {
            const float *row = out + ((size_t)t * B + s) * N_SYM;
            const int k = b->labels[t * B + s];
            ce += row_ce(row, N_SYM, k);
            if (t >= T - N_SHOW)
                right += rc_task_argmax(row, N_SYM) == k;
        }
    const double acc = (double)right / ((double)N_SHOW * B);
    return (rc_task_score){.metric = ce / ((double)T * B), .accuracy = acc, .success = acc >= 0.99};
}

static double baseline(int length) {
    return N_SHOW * log((double)N_LETTERS) / (length + 2 * N_SHOW);
}

const rc_task rc_task_copy = {
    .name = "copy",
    .summary = "reproduce 10 symbols of 8 letters after a delay (Arjovsky et al. 2016)",
    .metric = "ce",
    .threshold = "recalled-symbol accuracy >= 0.99",
    .per_step = true,
    .min_length = 1,
    .extra_steps = 2 * N_SHOW,
    .dim_in = N_SYM,
    .dim_out = N_SYM,
    .defaults = {.length = 20,
                 .batch = 32,
                 .steps = 1500,
                 .hidden = 64,
                 .eval_every = 100,
                 .lr = 1e-2,
                 .clip = 1.0,
                 .optimizer = RC_OPTIM_ADAM},
    .generate = generate,
    .loss = loss,
    .score = score,
    .baseline = baseline,
};
