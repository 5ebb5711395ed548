// `recur gates`: the training runs, spread over worker threads (each run has its own graph,
// parameters and generators, so runs share nothing but the read-only cell-type registry).
#include <pthread.h>
#include <stdio.h>

#include "cli.h"
#include "gates.h"

typedef struct pool {
    const gates_opts *o;
    gates_run *runs;
    int n, next, done;
    pthread_mutex_t lock;
    cli_progress progress;
} pool;

static void train_one(const gates_opts *o, gates_run *r) {
    const rc_task_config c = {.task = o->task,
                              .cell = r->cell,
                              .length = o->length,
                              .batch = o->batch,
                              .steps = o->steps,
                              .hidden = r->hidden,
                              .lr = o->lr,
                              .clip = o->clip,
                              .optimizer = o->optimizer,
                              .forget_bias_set = o->forget_bias_set,
                              .forget_bias = o->forget_bias,
                              .seed = r->seed};
    const double t0 = cli_now();
    r->st = rc_task_train(&c, &r->res, r->err, sizeof r->err);
    r->wall_s = cli_now() - t0;
}

static void *worker(void *arg) {
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        const int i = p->next < p->n ? p->next++ : -1;
        pthread_mutex_unlock(&p->lock);
        if (i < 0)
            return NULL;
        train_one(p->o, &p->runs[i]);
        pthread_mutex_lock(&p->lock);
        char note[128];
        snprintf(note, sizeof note, "%s seed %llu", p->runs[i].cell->name,
                 (unsigned long long)p->runs[i].seed);
        cli_progress_step(&p->progress, ++p->done, note);
        pthread_mutex_unlock(&p->lock);
    }
}

void gates_train_all(const gates_opts *o, gates_run *runs, int n) {
    enum { MAX_WORKERS = 64 };
    pool p = {.o = o, .runs = runs, .n = n};
    pthread_mutex_init(&p.lock, NULL);
    cli_progress_start(&p.progress, "gates", n, o->quiet);
    // Gate matrices this small gain nothing from threads inside ops: one run per core instead.
    rc_set_num_threads(1);
    int k = o->threads < 1 ? 1 : o->threads > MAX_WORKERS ? MAX_WORKERS : o->threads;
    k = k > n ? n : k;
    pthread_t th[MAX_WORKERS];
    int started = 0;
    for (int i = 1; i < k; i++)
        started += pthread_create(&th[started], NULL, worker, &p) == 0;
    worker(&p);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    cli_progress_end(&p.progress);
    pthread_mutex_destroy(&p.lock);
}
