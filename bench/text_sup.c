// recur's side of the supervised part of bench/text_embed.sh: trains a fastText-style
// classifier on TRAIN and prints test precision@1 (accuracy) on TEST and the training time.
//
//   text_sup TRAIN TEST [dim=N] [epochs=N] [lr=X] [ngrams=N] [loss=softmax|hs|ns] [bucket=N]
//                       [threads=N] [batch=N] [minn=N] [maxn=N] [seed=N]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <recur/recur.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s TRAIN TEST [key=value ...]\n", argv[0]);
        return 2;
    }
    rc_ft_opts o = rc_ft_defaults();
    for (int i = 3; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "bad argument %s\n", argv[i]);
            return 2;
        }
        const char *v = eq + 1;
        size_t kl = (size_t)(eq - argv[i]);
#define KEY(s) (kl == strlen(s) && !strncmp(argv[i], s, kl))
        if (KEY("dim"))
            o.dim = atoi(v);
        else if (KEY("epochs"))
            o.epochs = atoi(v);
        else if (KEY("lr"))
            o.lr = (float)atof(v);
        else if (KEY("ngrams"))
            o.word_ngrams = atoi(v);
        else if (KEY("bucket"))
            o.bucket = (uint32_t)atol(v);
        else if (KEY("threads"))
            o.threads = atoi(v);
        else if (KEY("batch"))
            o.batch = atoi(v);
        else if (KEY("minn"))
            o.minn = atoi(v);
        else if (KEY("maxn"))
            o.maxn = atoi(v);
        else if (KEY("seed"))
            o.seed = (uint64_t)atoll(v);
        else if (KEY("loss"))
            o.loss = !strcmp(v, "hs") ? RC_FT_HS : !strcmp(v, "ns") ? RC_FT_NS : RC_FT_SOFTMAX;
        else {
            fprintf(stderr, "unknown key in %s\n", argv[i]);
            return 2;
        }
#undef KEY
    }
    char err[512];
    rc_ft *m = NULL;
    rc_ft_stats s;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc_status st = rc_ft_train_file(&m, argv[1], &o, &s, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double cpu = (double)clock() / CLOCKS_PER_SEC;
    if (st != RC_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rc_ft_test_result r;
    if (rc_ft_test_file(m, argv[2], 1, &r, err, sizeof err) != RC_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    // Wall and processor time of the whole rc_ft_train_file (reading, tables, training), as the
    // fastText side times train_supervised.
    const double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("tool=recur train_seconds=%.3f train_cpu_seconds=%.3f accuracy=%.4f examples=%lld\n",
           wall, cpu, r.precision_at_k, (long long)r.examples);
    rc_ft_free(&m);
    return 0;
}
