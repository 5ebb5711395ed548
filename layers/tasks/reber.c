// The embedded Reber grammar (Hochreiter & Schmidhuber 1997, after Cleeremans et al. 1989):
// strings B (T|P) <Reber string> (the same T|P) E, symbols B T P S X V E one-hot. At every step
// but the last of a string the target is the set of symbols the grammar allows next (multi-hot,
// binary cross-entropy on 7 outputs); a step is right when every output's sign matches the set.
// Strings are drawn until one fits in T steps; steps after a string are padding (mask 0). The
// hard step is the one after the inner E, which must recall the second symbol.
#include <stdlib.h>
#include <string.h>

#include "tasks_impl.h"

enum { S_B, S_T, S_P, S_S, S_X, S_V, S_E, N_SYM };

// The Reber automaton: from node n, two edges {symbol, next node}; node 6 emits E and ends.
static const int edge[6][2][2] = {
    {{S_B, 1}, {S_B, 1}}, {{S_T, 2}, {S_P, 3}}, {{S_S, 2}, {S_X, 4}},
    {{S_T, 3}, {S_V, 5}}, {{S_X, 3}, {S_S, 6}}, {{S_P, 4}, {S_V, 6}},
};

// Draws one embedded string into sym[] (at most cap symbols) and the allowed-next sets as bit
// masks into next[]; returns its length, or 0 when it did not fit.
static int draw_string(rc_rng *rng, int *sym, unsigned *next, int cap) {
    const int outer = rc_rng_below(rng, 2) ? S_P : S_T;
    int n = 0, node = 0;
#define EMIT(s, allowed)                                                                           \
    do {                                                                                           \
        if (n == cap)                                                                              \
            return 0;                                                                              \
        sym[n] = (s);                                                                              \
        next[n++] = (allowed);                                                                     \
    } while (0)
    EMIT(S_B, 1u << S_T | 1u << S_P);
    EMIT(outer, 1u << S_B);
    while (node != 6) {
        const int k = node == 0 ? 0 : (int)rc_rng_below(rng, 2), s = edge[node][k][0];
        node = edge[node][k][1];
        EMIT(s, node == 6 ? 1u << S_E : 1u << edge[node][0][0] | 1u << edge[node][1][0]);
    }
    EMIT(S_E, 1u << outer);
    EMIT(outer, 1u << S_E);
    EMIT(S_E, 0u);
#undef EMIT
    return n;
}

static void generate(rc_rng *rng, rc_task_batch *b) {
    const int T = b->T, B = b->B;
    int *sym = malloc((size_t)T * sizeof *sym);
    unsigned *next = malloc((size_t)T * sizeof *next);
    memset(b->x, 0, (size_t)T * B * N_SYM * sizeof *b->x);
    memset(b->y, 0, (size_t)T * B * N_SYM * sizeof *b->y);
    memset(b->mask, 0, (size_t)T * B * sizeof *b->mask);
    for (int s = 0; sym && next && s < B; s++) {
        int n;
        while ((n = draw_string(rng, sym, next, T)) == 0) {
        }
        for (int t = 0; t < n; t++) {
            rc_task_one_hot(b, t, s, sym[t]);
            b->mask[t * B + s] = t < n - 1;
            for (int k = 0; k < N_SYM; k++)
                b->y[((size_t)t * B + s) * N_SYM + k] = (float)(next[t] >> k & 1u);
        }
    }
    free(sym);
    free(next);
}

// Binary cross-entropy averaged over the counted steps' outputs.
static rc_var loss(rc_var logits, const rc_task_batch *b) {
    const size_t n = (size_t)b->T * b->B;
    float *m = malloc(n * N_SYM * sizeof *m);
    double counted = 0;
    for (size_t i = 0; m && i < n * N_SYM; i++)
        m[i] = b->mask[i / N_SYM];
    for (size_t i = 0; i < n; i++)
        counted += b->mask[i];
    rc_graph *g = logits.g;
    rc_var y = rc_input(g, RC_SHAPE((int64_t)n, N_SYM), b->y);
    rc_var w = rc_input(g, RC_SHAPE((int64_t)n, N_SYM), m);
    free(m);
    rc_var bce = rc_bce_with_logits(logits, y, RC_REDUCE_NONE);
    return rc_scale(rc_sum_all(rc_mul(bce, w)), (float)(1.0 / (counted * N_SYM + 1e-12)));
}

static bool step_right(const float *out, const float *y) {
    for (int k = 0; k < N_SYM; k++)
        if ((out[k] > 0) != (y[k] > 0.5f))
            return false;
    return true;
}

// Error rate over the counted steps; accuracy: the fraction of strings with every step right.
static rc_task_score score(const float *out, const rc_task_batch *b) {
    const int T = b->T, B = b->B;
    int wrong = 0, counted = 0, strings_right = 0;
    for (int s = 0; s < B; s++) {
        bool all = true;
        for (int t = 0; t < T; t++) {
            const size_t r = (size_t)t * B + s;
            if (b->mask[r] == 0)
                continue;
            const bool ok = step_right(out + r * N_SYM, b->y + r * N_SYM);
            counted++;
            wrong += !ok;
            all = all && ok;
        }
        strings_right += all;
    }
    const double err = counted ? (double)wrong / counted : 0;
    return (rc_task_score){
        .metric = err, .accuracy = (double)strings_right / B, .success = wrong == 0};
}

// The error rate of the best predictor that sees only the current symbol: for each symbol, the
// most frequent allowed-next set after it, measured on 4000 strings drawn from seed 1.
static double baseline(int length) {
    enum { N = 4000, MAX_SETS = 128 };
    unsigned count[N_SYM][MAX_SETS];
    memset(count, 0, sizeof count);
    int sym[256];
    unsigned next[256];
    const int cap = length < 256 ? length : 256;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    long total = 0, best_sum = 0;
    for (int i = 0; i < N; i++) {
        int n;
        while ((n = draw_string(&rng, sym, next, cap)) == 0) {
        }
        for (int t = 0; t < n - 1; t++)
            count[sym[t]][next[t]]++;
        total += n - 1;
    }
    for (int s = 0; s < N_SYM; s++) {
        unsigned best = 0;
        for (int k = 0; k < MAX_SETS; k++)
            best = count[s][k] > best ? count[s][k] : best;
        best_sum += best;
    }
    return 1.0 - (double)best_sum / (double)total;
}

const rc_task rc_task_reber = {
    .name = "reber",
    .summary = "next-symbol sets of the embedded Reber grammar (1997)",
    .metric = "error",
    .threshold = "every held-out prediction right",
    .per_step = true,
    .min_length = 12,
    .extra_steps = 0,
    .dim_in = N_SYM,
    .dim_out = N_SYM,
    .defaults = {.length = 30,
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
