// recur's side of bench/text_embed.sh: trains word2vec / fastText-style vectors on a corpus,
// writes them as .vec and prints one line of key=value results (speed, analogy accuracy, WS353).
//
//   text_embed CORPUS OUT.vec [key=value ...]
//   keys: arch=sg|cbow loss=neg|hs dim window negative sample lr epochs min_count minn maxn
//         bucket threads seed batch questions=PATH wordsim=PATH
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

static int set_opt(rc_w2v_opts *o, const char *k, const char *v, const char **q, const char **ws) {
    if (!strcmp(k, "arch"))
        o->arch = !strcmp(v, "cbow") ? RC_W2V_CBOW : RC_W2V_SKIPGRAM;
    else if (!strcmp(k, "loss"))
        o->loss = !strcmp(v, "hs") ? RC_W2V_HS : RC_W2V_NEG;
    else if (!strcmp(k, "dim"))
        o->dim = atoi(v);
    else if (!strcmp(k, "window"))
        o->window = atoi(v);
    else if (!strcmp(k, "negative"))
        o->negative = atoi(v);
    else if (!strcmp(k, "sample"))
        o->sample = atof(v);
    else if (!strcmp(k, "lr"))
        o->lr = (float)atof(v);
    else if (!strcmp(k, "epochs"))
        o->epochs = atoi(v);
    else if (!strcmp(k, "min_count"))
        o->min_count = atoll(v);
    else if (!strcmp(k, "minn"))
        o->minn = atoi(v);
    else if (!strcmp(k, "maxn"))
        o->maxn = atoi(v);
    else if (!strcmp(k, "bucket"))
        o->bucket = (uint32_t)atol(v);
    else if (!strcmp(k, "threads"))
        o->threads = atoi(v);
    else if (!strcmp(k, "seed"))
        o->seed = (uint64_t)atoll(v);
    else if (!strcmp(k, "batch"))
        o->batch = atoi(v);
    else if (!strcmp(k, "ns_power"))
        o->ns_power = atof(v);
    else if (!strcmp(k, "questions"))
        *q = v;
    else if (!strcmp(k, "wordsim"))
        *ws = v;
    else
        return -1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS OUT.vec [key=value ...]\n", argv[0]);
        return 2;
    }
    rc_w2v_opts o = rc_w2v_defaults();
    const char *questions = NULL, *wordsim = NULL;
    for (int i = 3; i < argc; i++) {
        char key[64];
        const char *eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof key) {
            fprintf(stderr, "bad argument %s\n", argv[i]);
            return 2;
        }
        memcpy(key, argv[i], (size_t)(eq - argv[i]));
        key[eq - argv[i]] = '\0';
        if (set_opt(&o, key, eq + 1, &questions, &wordsim)) {
            fprintf(stderr, "unknown key %s\n", key);
            return 2;
        }
    }
    char err[512];
    rc_w2v *m = NULL;
    rc_w2v_stats s;
    if (rc_w2v_train_file(&m, argv[1], &o, &s, err, sizeof err) != RC_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    rc_wordvecs *wv = NULL;
    if (rc_w2v_to_wordvecs(m, &wv) != RC_OK || rc_wordvecs_save_vec(wv, argv[2], err, sizeof err)) {
        fprintf(stderr, "cannot write %s: %s\n", argv[2], err);
        return 1;
    }
    printf("tool=recur words=%lld seconds=%.3f words_per_sec_thread=%.0f cpu_seconds=%.3f "
           "words_per_cpu_sec=%.0f kept=%lld loss=%.4f",
           (long long)s.words_seen, s.seconds, (double)s.words_seen / s.seconds / o.threads,
           s.cpu_seconds, (double)s.words_seen / s.cpu_seconds, (long long)s.words_kept, s.loss);
    if (questions) {
        rc_analogy_result r;
        if (rc_eval_analogies(wv, questions, NULL, &r, err, sizeof err) == RC_OK) {
            printf(" analogy=%.4f coverage=%.4f", r.accuracy, r.coverage);
            rc_analogy_result_free(&r);
        } else {
            fprintf(stderr, "%s\n", err);
        }
    }
    if (wordsim) {
        rc_wordsim_result r;
        if (rc_eval_wordsim(wv, wordsim, NULL, &r, err, sizeof err) == RC_OK)
            printf(" ws353=%.4f ws_pairs=%lld", r.spearman, (long long)r.pairs);
        else
            fprintf(stderr, "%s\n", err);
    }
    printf("\n");
    rc_wordvecs_free(&wv);
    rc_w2v_free(&m);
    return 0;
}
