// The synthetic memory tasks (include/recur/tasks.h): what each generator promises, determinism,
// baselines, the metrics on hand-made predictions, and the training driver.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "test_util.h"

static void make(rc_task_batch *b, const char *name, int length, int B, uint64_t seed) {
    const rc_task *task = rc_task_find(name);
    cr_assert_not_null(task, "%s", name);
    char err[256] = "";
    cr_assert_eq(rc_task_batch_new(b, task, length, B, err, sizeof err), RC_OK, "%s", err);
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    task->generate(&rng, b);
}

static int symbol_at(const rc_task_batch *b, int t, int s) {
    const float *x = b->x + ((size_t)t * b->B + s) * b->I;
    int sym = -1, ones = 0;
    for (int k = 0; k < b->I; k++)
        if (x[k] == 1.0f) {
            sym = k;
            ones++;
        } else {
            cr_assert_eq(x[k], 0.0f);
        }
    cr_assert_leq(ones, 1);
    return sym;
}

Test(tasks, registry_names_every_task) {
    cr_assert_eq(rc_task_count(), 4);
    const char *names[] = {"adding", "copy", "reber", "order"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(rc_task_find(names[i]), rc_task_at(i));
        cr_assert_str_eq(rc_task_at(i)->name, names[i]);
    }
    cr_assert_null(rc_task_find("nope"));
    cr_assert_null(rc_task_find(NULL));
    cr_assert_null(rc_task_at(4));
    cr_assert_null(rc_task_at(-1));
}

Test(tasks, bad_lengths_and_batches_are_refused) {
    rc_task_batch b;
    char err[256] = "";
    cr_assert_eq(rc_task_batch_new(&b, rc_task_find("reber"), 5, 4, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "reber: length 5 outside [12, 100000]"), "%s", err);
    cr_assert_eq(rc_task_batch_new(&b, rc_task_find("adding"), 10, 0, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "batch B = 0"), "%s", err);
    cr_assert_null(b.x);
}

Test(tasks, adding_batches_are_what_they_claim) {
    rc_task_batch b;
    make(&b, "adding", 30, 200, 3);
    double mean = 0;
    for (int s = 0; s < b.B; s++) {
        int marks = 0, first = -1, second = -1;
        float sum = 0;
        for (int t = 0; t < b.T; t++) {
            const float u = b.x[(t * b.B + s) * 2], m = b.x[(t * b.B + s) * 2 + 1];
            cr_assert(u >= 0 && u < 1 && (m == 0 || m == 1));
            if (m == 1) {
                marks++;
                sum += u;
                *(first < 0 ? &first : &second) = t;
            }
        }
        cr_assert_eq(marks, 2);
        cr_assert(first < 15 && second >= 15);
        cr_assert_float_eq(b.y[s], sum, 1e-6f);
        mean += b.y[s] / b.B;
    }
    cr_assert(fabs(mean - 1.0) < 0.1, "mean target %g", mean);
    rc_task_batch_free(&b);
}

Test(tasks, generators_are_deterministic_per_seed) {
    const char *names[] = {"adding", "copy", "reber", "order"};
    for (int i = 0; i < 4; i++) {
        rc_task_batch a, b, c;
        make(&a, names[i], 20, 8, 11);
        make(&b, names[i], 20, 8, 11);
        make(&c, names[i], 20, 8, 12);
        const size_t n = (size_t)a.T * a.B * a.I * sizeof *a.x;
        cr_assert_eq(memcmp(a.x, b.x, n), 0, "%s", names[i]);
        cr_assert_neq(memcmp(a.x, c.x, n), 0, "%s", names[i]);
        rc_task_batch_free(&a);
        rc_task_batch_free(&b);
        rc_task_batch_free(&c);
    }
}

Test(tasks, copy_batches_show_then_recall) {
    rc_task_batch b;
    make(&b, "copy", 7, 16, 5);
    cr_assert_eq(b.T, 27);
    for (int s = 0; s < b.B; s++)
        for (int t = 0; t < b.T; t++) {
            const int sym = symbol_at(&b, t, s), lab = b.labels[t * b.B + s];
            if (t < 10) {
                cr_assert(sym >= 1 && sym <= 8);
                cr_assert_eq(b.labels[(t + 17) * b.B + s], sym);
            } else {
                cr_assert_eq(sym, t == 16 ? 9 : 0, "t %d", t);
            }
            if (t < 17)
                cr_assert_eq(lab, 0);
        }
    rc_task_batch_free(&b);
}

// The copy metric on hand-made logits: a model that knows the blanks and guesses the letters
// uniformly scores exactly the baseline 10 ln 8 / (length + 20); a perfect one recalls all.
Test(tasks, copy_metric_matches_the_baseline_on_a_memoryless_guess) {
    rc_task_batch b;
    make(&b, "copy", 30, 4, 9);
    const rc_task *task = rc_task_find("copy");
    float *out = calloc((size_t)b.T * b.B * 10, sizeof *out);
    for (int t = 0; t < b.T; t++)
        for (int s = 0; s < b.B; s++) {
            float *row = out + ((size_t)t * b.B + s) * 10;
            for (int k = 0; k < 10; k++)
                row[k] = t < b.T - 10 ? (k == 0 ? 0.0f : -60.0f) : (k >= 1 && k <= 8 ? 0 : -60);
        }
    rc_task_score sc = task->score(out, &b);
    cr_assert(fabs(sc.metric - task->baseline(30)) < 1e-6, "%g vs %g", sc.metric,
              task->baseline(30));
    cr_assert(fabs(task->baseline(30) - 10 * log(8.0) / 50) < 1e-12);
    cr_assert(!sc.success);
    for (int i = 0; i < b.T * b.B; i++)
        out[(size_t)i * 10 + b.labels[i]] = 50.0f;
    sc = task->score(out, &b);
    cr_assert_float_eq(sc.accuracy, 1.0, 1e-12);
    cr_assert(sc.success && sc.metric < 1e-6);
    free(out);
    rc_task_batch_free(&b);
}

Test(tasks, adding_metric_and_baseline) {
    rc_task_batch b;
    make(&b, "adding", 50, 4000, 2);
    const rc_task *task = rc_task_find("adding");
    float *out = malloc((size_t)b.B * sizeof *out);
    for (int s = 0; s < b.B; s++)
        out[s] = 1.0f;
    rc_task_score sc = task->score(out, &b);
    cr_assert(fabs(sc.metric - 1.0 / 6) < 0.01, "predicting 1: MSE %g", sc.metric);
    cr_assert(fabs(task->baseline(50) - 1.0 / 6) < 1e-12);
    cr_assert(!sc.success);
    memcpy(out, b.y, (size_t)b.B * sizeof *out);
    sc = task->score(out, &b);
    cr_assert(sc.metric == 0 && sc.success && sc.accuracy == 1.0);
    free(out);
    rc_task_batch_free(&b);
}

// Every Reber string: B, T|P, B, ..., E, the same T|P, E; the targets are the allowed sets.
Test(tasks, reber_strings_follow_the_embedded_grammar) {
    rc_task_batch b;
    make(&b, "reber", 30, 64, 4);
    enum { B_, T_, P_, S_, X_, V_, E_ };
    for (int s = 0; s < b.B; s++) {
        int n = 0;
        while (n < b.T && symbol_at(&b, n, s) >= 0)
            n++;
        cr_assert_geq(n, 9);
        cr_assert_eq(symbol_at(&b, 0, s), B_);
        const int outer = symbol_at(&b, 1, s);
        cr_assert(outer == T_ || outer == P_);
        cr_assert_eq(symbol_at(&b, 2, s), B_);
        cr_assert_eq(symbol_at(&b, n - 1, s), E_);
        cr_assert_eq(symbol_at(&b, n - 2, s), outer);
        cr_assert_eq(symbol_at(&b, n - 3, s), E_);
        for (int t = 0; t < b.T; t++) {
            cr_assert_eq(b.mask[t * b.B + s], t < n - 1 ? 1.0f : 0.0f);
            if (t >= n - 1)
                continue;
            const float *y = b.y + ((size_t)t * b.B + s) * 7;
            cr_assert_eq(y[symbol_at(&b, t + 1, s)], 1.0f, "next symbol allowed");
        }
        const float *y = b.y + ((size_t)(n - 3) * b.B + s) * 7;
        for (int k = 0; k < 7; k++)
            cr_assert_eq(y[k], k == outer ? 1.0f : 0.0f, "after the inner E only the outer");
    }
    rc_task_batch_free(&b);
}

// Predicting exactly the targets' signs is right everywhere; one flipped output is one wrong step.
Test(tasks, reber_metric_counts_wrong_steps) {
    rc_task_batch b;
    make(&b, "reber", 30, 8, 6);
    const rc_task *task = rc_task_find("reber");
    const size_t n = (size_t)b.T * b.B * 7;
    float *out = malloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = b.y[i] > 0.5f ? 3.0f : -3.0f;
    rc_task_score sc = task->score(out, &b);
    cr_assert(sc.metric == 0 && sc.success && sc.accuracy == 1.0);
    out[0] = -out[0]; // t = 0, sequence 0: counted
    sc = task->score(out, &b);
    double counted = 0;
    for (int i = 0; i < b.T * b.B; i++)
        counted += b.mask[i];
    cr_assert_float_eq(sc.metric, 1.0 / counted, 1e-12);
    cr_assert(!sc.success);
    cr_assert_float_eq(sc.accuracy, 7.0 / 8.0, 1e-12);
    const double base = task->baseline(30);
    cr_assert(base > 0.02 && base < 0.5, "memoryless Reber error rate %g", base);
    free(out);
    rc_task_batch_free(&b);
}

Test(tasks, order_batches_hold_three_markers_in_their_windows) {
    rc_task_batch b;
    make(&b, "order", 100, 400, 8);
    int count[8] = {0};
    for (int s = 0; s < b.B; s++) {
        cr_assert_eq(symbol_at(&b, 0, s), 6);
        cr_assert_eq(symbol_at(&b, 99, s), 7);
        int label = 0, k = 0;
        for (int t = 1; t < 99; t++) {
            const int sym = symbol_at(&b, t, s);
            cr_assert(sym >= 0 && sym <= 5);
            if (sym >= 4) {
                const int lo[] = {10, 33, 66}, hi[] = {20, 43, 76};
                cr_assert(k < 3 && t >= lo[k] && t <= hi[k], "marker %d at %d", k, t);
                label = label * 2 + (sym == 5);
                k++;
            }
        }
        cr_assert_eq(k, 3);
        cr_assert_eq(b.labels[s], label);
        count[label]++;
    }
    for (int c = 0; c < 8; c++)
        cr_assert(count[c] > 20, "class %d drawn %d times in 400", c, count[c]);
    const rc_task *task = rc_task_find("order");
    float *out = calloc((size_t)b.B * 8, sizeof *out);
    for (int s = 0; s < b.B; s++)
        out[s * 8 + (s % 2 ? b.labels[s] : (b.labels[s] + 1) % 8)] = 1.0f;
    rc_task_score sc = task->score(out, &b);
    cr_assert_float_eq(sc.accuracy, 0.5, 1e-12);
    cr_assert_float_eq(sc.metric, 0.5, 1e-12);
    cr_assert_float_eq(task->baseline(100), 0.875, 1e-12);
    free(out);
    rc_task_batch_free(&b);
}
