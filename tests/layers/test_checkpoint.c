// Checkpoints: round trips, strict and lenient loading with named reports, PyTorch-written files
// (half precision), a recur-written file that PyTorch reads (fixture checked by the script),
// bit-identical resumption with optimizer, schedule and generator state, and the error paths.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fixtures.h"

static char dir[256], path[320], err[1024];

static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/ckpt.safetensors", dir);
    err[0] = 0;
}
TestSuite(checkpoint, .init = setup);

static rc_param *add(rc_params *ps, const char *name, rc_shape s, float base) {
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, name, s, &p), RC_OK);
    rc_tensor v = rc_param_value(p);
    for (int64_t i = 0; i < v.n; i++)
        v.data[i] = base + 0.125f * (float)i;
    return p;
}

static rc_params *sample_store(void) {
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "fc.weight", RC_SHAPE(3, 4), -1);
    add(ps, "fc.bias", RC_SHAPE(3), 2);
    add(ps, "emb", RC_SHAPE(5, 2), 10);
    return ps;
}

static bool same_values(const rc_params *a, const rc_params *b, const char *name) {
    rc_tensor x = rc_param_value(rc_params_find(a, name)),
              y = rc_param_value(rc_params_find(b, name));
    return x.n == y.n && memcmp(x.data, y.data, (size_t)x.n * sizeof(float)) == 0;
}

Test(checkpoint, round_trip_strict) {
    rc_params *a = sample_store(), *b;
    cr_assert_eq(rc_checkpoint_save(path, a, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_params_new(&b);
    add(b, "emb", RC_SHAPE(5, 2), 0); // another order than the file's
    add(b, "fc.weight", RC_SHAPE(3, 4), 0);
    add(b, "fc.bias", RC_SHAPE(3), 0);
    rc_load_report rep;
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, true, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert(rep.loaded == 3 && !rep.missing && !rep.unexpected && !rep.mismatched);
    cr_assert_str_eq(rep.text, "");
    cr_assert(same_values(a, b, "fc.weight") && same_values(a, b, "fc.bias") &&
              same_values(a, b, "emb"));
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK);
    cr_assert_str_eq(rc_safetensors_metadata(f, "format"), "pt");
    cr_assert_str_eq(rc_safetensors_at(f, 0)->name, "fc.weight", "store order");
    rc_safetensors_close(&f);
    rc_params_free(&a);
    rc_params_free(&b);
}

Test(checkpoint, strict_and_lenient_reports) {
    rc_params *a = sample_store(), *b;
    cr_assert_eq(rc_checkpoint_save(path, a, NULL, err, sizeof err), RC_OK);
    rc_params_new(&b);
    add(b, "fc.weight", RC_SHAPE(4, 3), 0); // transposed: mismatched
    add(b, "fc.bias", RC_SHAPE(3), 0);
    add(b, "head.weight", RC_SHAPE(2), 0); // missing; "emb" is unexpected
    rc_load_report rep;
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, true, &rep, err, sizeof err), RC_ERR_SHAPE);
    cr_assert_str_eq(rep.text, "missing: head.weight; mismatched: fc.weight (file [3,4] F32, "
                               "store [4,3]); unexpected: emb");
    cr_assert(strstr(err, rep.text) && strstr(err, path), "%s", err);
    cr_assert_eq(rc_param_value(rc_params_find(b, "fc.bias")).data[0], 0.0f, "strict: nothing");
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, false, &rep, err, sizeof err), RC_OK);
    cr_assert(rep.loaded == 1 && rep.missing == 1 && rep.mismatched == 1 && rep.unexpected == 1);
    cr_assert(same_values(a, b, "fc.bias"), "lenient: what matches loads");
    cr_assert_eq(rc_param_value(rc_params_find(b, "fc.weight")).data[0], 0.0f);
    rc_params_free(&b);
    // Only missing and unexpected: RC_ERR_NOTFOUND.
    rc_params_new(&b);
    add(b, "fc.weight", RC_SHAPE(3, 4), 0);
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, true, &rep, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert_str_eq(rep.text, "unexpected: fc.bias, emb");
    rc_params_free(&b);
    rc_params_free(&a);
}

Test(checkpoint, long_reports_are_cut) {
    rc_params *a, *b;
    rc_params_new(&a);
    rc_params_new(&b);
    cr_assert_eq(rc_checkpoint_save(path, a, NULL, err, sizeof err), RC_OK);
    char name[64];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "encoder.layer%03d.attention.weight", i);
        add(b, name, RC_SHAPE(1), 0);
    }
    rc_load_report rep;
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, false, &rep, err, sizeof err), RC_OK);
    cr_assert_eq(rep.missing, 200);
    size_t n = strlen(rep.text);
    cr_assert(n < sizeof rep.text && !strcmp(rep.text + n - 3, "..."), "%s", rep.text);
    cr_assert(!strncmp(rep.text, "missing: encoder.layer000.attention.weight, ", 44));
    rc_params_free(&a);
    rc_params_free(&b);
}

Test(checkpoint, pytorch_half_precision_and_dtypes) {
    char p1[512], p2[512];
    fixture_path("safetensors/torch_linear_f16.safetensors", p1, sizeof p1);
    fixture_path("safetensors/torch_dtypes.safetensors", p2, sizeof p2);
    rc_params *ps;
    rc_params_new(&ps);
    rc_param *w = add(ps, "fc.weight", RC_SHAPE(3, 4), 0), *b = add(ps, "fc.bias", RC_SHAPE(3), 0);
    cr_assert_eq(rc_checkpoint_load(p1, ps, NULL, true, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, p2, err, sizeof err), RC_OK, "%s", err);
    float want[12], got[64], ref[64];
    cr_assert_eq(rc_safetensors_read(f, "ref.fc.weight", want, 12, err, sizeof err), RC_OK);
    cr_assert_eq(memcmp(rc_param_value(w).data, want, sizeof want), 0, "F16 -> f32 as torch");
    cr_assert_eq(rc_safetensors_read(f, "ref.fc.bias", want, 3, err, sizeof err), RC_OK);
    cr_assert_eq(memcmp(rc_param_value(b).data, want, 3 * sizeof(float)), 0);
    const char *names[] = {"f32", "f16", "bf16", "f64", "i64", "i32", "u8", "bool"};
    for (int i = 0; i < 8; i++) {
        const rc_safetensors_info *t = rc_safetensors_find(f, names[i]);
        char rn[32];
        snprintf(rn, sizeof rn, "ref.%s", names[i]);
        cr_assert(t && t->numel <= 64);
        cr_assert_eq(rc_safetensors_read(f, names[i], got, t->numel, err, sizeof err), RC_OK);
        cr_assert_eq(rc_safetensors_read(f, rn, ref, t->numel, err, sizeof err), RC_OK);
        cr_assert_eq(memcmp(got, ref, (size_t)t->numel * sizeof(float)), 0,
                     "%s converts as torch's .float()", names[i]);
    }
    cr_assert_eq(rc_safetensors_find(f, "bf16")->dtype, RC_DTYPE_BF16);
    rc_safetensors_close(&f);
    // An integer tensor does not load into a parameter.
    rc_params *q;
    rc_params_new(&q);
    add(q, "i64", RC_SHAPE(4), 0);
    rc_load_report rep;
    cr_assert_eq(rc_checkpoint_load(p2, q, NULL, false, &rep, err, sizeof err), RC_OK);
    cr_assert(strstr(rep.text, "mismatched: i64 (file [4] I64, store [4])"), "%s", rep.text);
    rc_params_free(&q);
    rc_params_free(&ps);
}

// The file a PyTorch user gets from recur: its bytes are the committed fixture, which
// make_optim_fixtures.py --check-recur loads into torch.nn.Linear(4, 3).
Test(checkpoint, pytorch_reads_recur_file) {
    rc_params *ps;
    rc_params_new(&ps);
    rc_param *w = add(ps, "fc.weight", RC_SHAPE(3, 4), 0), *b = add(ps, "fc.bias", RC_SHAPE(3), 0);
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 4; i++)
            rc_param_value(w).data[o * 4 + i] = 0.25f * (float)(4 * o + i) - 1;
    memcpy(rc_param_value(b).data, (float[]){0.5f, -0.5f, 1.5f}, 3 * sizeof(float));
    const char *meta[] = {"producer", "recur tests/layers/test_checkpoint.c", NULL};
    rc_checkpoint_extra x = {.meta = meta};
    const char *out = getenv("RECUR_FIXTURE_OUT");
    if (out && *out)
        cr_assert_eq(rc_checkpoint_save(out, ps, &x, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_checkpoint_save(path, ps, &x, err, sizeof err), RC_OK, "%s", err);
    char fp[512];
    fixture_path("safetensors/recur_written.safetensors", fp, sizeof fp);
    static unsigned char mine[4096], theirs[4096];
    FILE *a = fopen(path, "rb"), *c = fopen(fp, "rb");
    size_t na = fread(mine, 1, sizeof mine, a), nc = fread(theirs, 1, sizeof theirs, c);
    fclose(a), fclose(c);
    cr_assert(na == nc && !memcmp(mine, theirs, na), "bytes differ from the checked fixture");
    rc_params_free(&ps);
}

Test(checkpoint, corrupt_file_is_an_error_and_loads_nothing) {
    rc_params *a = sample_store(), *b;
    cr_assert_eq(rc_checkpoint_save(path, a, NULL, err, sizeof err), RC_OK);
    FILE *fp = fopen(path, "r+b");
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    cr_assert_eq(truncate(path, n - 3), 0);
    rc_params_new(&b);
    add(b, "fc.weight", RC_SHAPE(3, 4), 7);
    cr_assert_eq(rc_checkpoint_load(path, b, NULL, false, NULL, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "runs past the end of the data"), "%s", err);
    cr_assert_eq(rc_param_value(rc_params_find(b, "fc.weight")).data[0], 7.0f);
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nothing.safetensors", dir);
    cr_assert_eq(rc_checkpoint_load(missing, b, NULL, true, NULL, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "cannot open"), "%s", err);
    rc_params_free(&a);
    rc_params_free(&b);
}

// ---- resumption ---------------------------------------------------------------------------------

typedef struct trainer {
    rc_params *ps;
    rc_param *w, *b;
    rc_optim *opt;
    rc_sched *sched;
    rc_rng rng; // draws each step's batch
    rc_graph *g;
} trainer;

static void trainer_new(trainer *t, rc_optim_kind kind, rc_sched_kind sk) {
    memset(t, 0, sizeof *t);
    rc_params_new(&t->ps);
    rc_graph_new(&t->g);
    rc_params_add(t->ps, "w", RC_SHAPE(1, 3), &t->w);
    rc_params_add(t->ps, "b", RC_SHAPE(1), &t->b);
    rc_rng init;
    rc_rng_seed(&init, 5);
    cr_assert_eq(rc_init_param(t->w, &(rc_init){.kind = RC_INIT_XAVIER_UNIFORM}, &init), RC_OK);
    rc_optim_opts oo = rc_optim_defaults(kind, 0.05);
    oo.amsgrad = kind == RC_OPTIM_ADAM;
    oo.momentum = kind == RC_OPTIM_RMSPROP ? 0.3 : 0;
    cr_assert_eq(rc_optim_new(&t->opt, t->ps, &oo, err, sizeof err), RC_OK);
    rc_sched_opts so = rc_sched_defaults(sk);
    so.step_size = 3, so.gamma = 0.7, so.patience = 1, so.factor = 0.5;
    cr_assert_eq(rc_sched_new(&t->sched, t->opt, &so, err, sizeof err), RC_OK, "%s", err);
    rc_rng_seed(&t->rng, 99);
}

static void trainer_free(trainer *t) {
    rc_sched_free(&t->sched);
    rc_optim_free(&t->opt);
    rc_graph_free(&t->g);
    rc_params_free(&t->ps);
}

// One step of linear regression on a fresh batch: y = x . (1, -2, 0.5) + 0.3 + noise.
static void train_step(trainer *t) {
    float x[8 * 3], y[8];
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 3; j++)
            x[i * 3 + j] = (float)rc_rng_normal(&t->rng);
        y[i] = x[i * 3] - 2 * x[i * 3 + 1] + 0.5f * x[i * 3 + 2] + 0.3f +
               0.1f * (float)rc_rng_normal(&t->rng);
    }
    rc_graph_reset(t->g);
    rc_params_zero_grad(t->ps);
    rc_var pred =
        rc_linear(rc_input(t->g, RC_SHAPE(8, 3), x), rc_use(t->g, t->w), rc_use(t->g, t->b));
    rc_var loss = rc_mean_all(rc_square(rc_sub(pred, rc_input(t->g, RC_SHAPE(8, 1), y))));
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(t->g));
    rc_clip_grad_norm(t->ps, 1.0, 2);
    cr_assert_eq(rc_optim_step(t->opt), RC_OK);
    if (rc_sched_options(t->sched)->kind == RC_SCHED_PLATEAU)
        rc_sched_step_metric(t->sched, rc_item(loss));
    else
        rc_sched_step(t->sched);
}

static void check_resume(rc_optim_kind kind, rc_sched_kind sk) {
    const int N = 24;
    trainer full, first, second;
    trainer_new(&full, kind, sk);
    for (int i = 0; i < N; i++)
        train_step(&full);
    trainer_new(&first, kind, sk);
    for (int i = 0; i < N / 2; i++)
        train_step(&first);
    rc_checkpoint_extra x1 = {first.opt, first.sched, &first.rng, NULL};
    cr_assert_eq(rc_checkpoint_save(path, first.ps, &x1, err, sizeof err), RC_OK, "%s", err);
    trainer_free(&first);
    trainer_new(&second, kind, sk);
    rc_rng_seed(&second.rng, 12345); // overwritten by the checkpoint
    rc_checkpoint_extra x2 = {second.opt, second.sched, &second.rng, NULL};
    cr_assert_eq(rc_checkpoint_load(path, second.ps, &x2, true, NULL, err, sizeof err), RC_OK, "%s",
                 err);
    for (int i = 0; i < N / 2; i++)
        train_step(&second);
    cr_assert_eq(
        memcmp(rc_param_value(full.w).data, rc_param_value(second.w).data, 3 * sizeof(float)), 0,
        "w bit for bit (optimizer %d)", (int)kind);
    cr_assert_eq(memcmp(rc_param_value(full.b).data, rc_param_value(second.b).data, sizeof(float)),
                 0, "b bit for bit");
    cr_assert_eq(rc_optim_lr(full.opt), rc_optim_lr(second.opt));
    cr_assert_eq(rc_optim_step_count(second.opt, second.w), N);
    trainer_free(&second);
    // Without the optimizer state the continuation differs: the test can tell.
    trainer_new(&second, kind, sk);
    cr_assert_eq(rc_checkpoint_load(path, second.ps, &(rc_checkpoint_extra){.rng = &second.rng},
                                    true, NULL, err, sizeof err),
                 RC_OK, "%s", err);
    for (int i = 0; i < N / 2; i++)
        train_step(&second);
    cr_assert_neq(
        memcmp(rc_param_value(full.w).data, rc_param_value(second.w).data, 3 * sizeof(float)), 0);
    trainer_free(&second);
    trainer_free(&full);
}

Test(checkpoint, resume_is_bit_identical) {
    check_resume(RC_OPTIM_ADAM, RC_SCHED_STEP);
    check_resume(RC_OPTIM_RMSPROP, RC_SCHED_PLATEAU);
    check_resume(RC_OPTIM_ADAGRAD, RC_SCHED_LINEAR);
    check_resume(RC_OPTIM_SGD, RC_SCHED_EXPONENTIAL);
}

Test(checkpoint, extras_errors_are_named) {
    trainer t, u;
    trainer_new(&t, RC_OPTIM_ADAM, RC_SCHED_STEP);
    train_step(&t);
    cr_assert_eq(rc_checkpoint_save(path, t.ps, NULL, err, sizeof err), RC_OK);
    rc_checkpoint_extra x = {t.opt, NULL, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, t.ps, &x, true, NULL, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert(strstr(err, "no recur.optim metadata"), "%s", err);
    x = (rc_checkpoint_extra){NULL, t.sched, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, t.ps, &x, true, NULL, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert(strstr(err, "no recur.sched metadata"), "%s", err);
    x = (rc_checkpoint_extra){NULL, NULL, &t.rng, NULL};
    cr_assert_eq(rc_checkpoint_load(path, t.ps, &x, true, NULL, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert(strstr(err, "no recur.rng metadata"), "%s", err);
    // Saved with Adam (no amsgrad slot in this file? it has one: trainer uses amsgrad).
    x = (rc_checkpoint_extra){t.opt, t.sched, &t.rng, NULL};
    cr_assert_eq(rc_checkpoint_save(path, t.ps, &x, err, sizeof err), RC_OK);
    trainer_new(&u, RC_OPTIM_SGD, RC_SCHED_EXPONENTIAL);
    x = (rc_checkpoint_extra){u.opt, NULL, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, u.ps, &x, true, NULL, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "optimizer state is for \"adam\", the optimizer is \"sgd\""), "%s", err);
    x = (rc_checkpoint_extra){NULL, u.sched, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, u.ps, &x, true, NULL, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "schedule state is for \"step\", the schedule is \"exponential\""), "%s",
              err);
    x = (rc_checkpoint_extra){t.opt, NULL, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, u.ps, &x, true, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "another parameter store"), "%s", err);
    cr_assert_eq(rc_checkpoint_save(path, u.ps, &x, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "another parameter store"), "%s", err);
    const char *meta[] = {"recur.optim", "x", NULL};
    cr_assert_eq(
        rc_checkpoint_save(path, u.ps, &(rc_checkpoint_extra){.meta = meta}, err, sizeof err),
        RC_ERR_ARG);
    cr_assert(strstr(err, "metadata key \"recur.optim\" is reserved"), "%s", err);
    trainer_free(&u);
    // A state tensor the optimizer needs but the file lacks: saved without amsgrad, loaded with.
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAM, 0.1);
    rc_optim *plain;
    rc_optim_new(&plain, t.ps, &oo, NULL, 0);
    rc_optim_set_step_count(plain, t.w, 1);
    cr_assert_eq(
        rc_checkpoint_save(path, t.ps, &(rc_checkpoint_extra){.optim = plain}, err, sizeof err),
        RC_OK);
    x = (rc_checkpoint_extra){t.opt, NULL, NULL, NULL};
    cr_assert_eq(rc_checkpoint_load(path, t.ps, &x, true, NULL, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "optimizer state __optim__.max_exp_avg_sq.w is absent"), "%s", err);
    rc_optim_free(&plain);
    trainer_free(&t);
}

// ---- how a save replaces the file
// ----------------------------------------------------------------

static mode_t mode_of(const char *p) {
    struct stat sb;
    cr_assert_eq(stat(p, &sb), 0, "%s", p);
    return sb.st_mode & 07777;
}

// Asserts that the folder holds exactly the n names want[] (no temporary file left behind).
static void assert_folder(const char *d, const char *const *want, int n) {
    DIR *dp = opendir(d);
    cr_assert_not_null(dp);
    int seen = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        bool known = false;
        for (int i = 0; i < n; i++)
            known = known || !strcmp(e->d_name, want[i]);
        cr_assert(known, "unexpected file %s/%s", d, e->d_name);
        seen++;
    }
    closedir(dp);
    cr_assert_eq(seen, n);
}

// Issue 11 fault 9d: a re-save keeps the file's mode (a 0600 checkpoint became 0644), a new
// file gets what open() with 0666 gives under the umask, and a symlink at the path is written
// through: its target gets the new contents, the link stays a link.
Test(checkpoint, save_keeps_the_mode_and_writes_through_symlinks) {
    char d[256], p[400], real[400], link[400], dangling[400];
    cr_assert_eq(mkdir(tu_tmpfile(d, sizeof d, "modes"), 0700), 0);
    snprintf(p, sizeof p, "%s/ckpt.safetensors", d);
    rc_params *a = sample_store(), *b = sample_store();
    rc_param_value(rc_params_find(b, "emb")).data[0] = 99;
    const mode_t old = umask(027);
    cr_assert_eq(rc_checkpoint_save(p, a, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(mode_of(p), 0640, "a new file: 0666 & ~umask, got %o", (unsigned)mode_of(p));
    umask(old);
    cr_assert_eq(chmod(p, 0600), 0);
    cr_assert_eq(rc_checkpoint_save(p, a, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(mode_of(p), 0600, "a re-save keeps the mode, got %o", (unsigned)mode_of(p));

    snprintf(real, sizeof real, "%s/real.safetensors", d);
    snprintf(link, sizeof link, "%s/link.safetensors", d);
    cr_assert_eq(rc_checkpoint_save(real, a, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(chmod(real, 0604), 0);
    cr_assert_eq(symlink("real.safetensors", link), 0); // relative, as ln -s makes them
    cr_assert_eq(rc_checkpoint_save(link, b, NULL, err, sizeof err), RC_OK, "%s", err);
    struct stat sb;
    cr_assert_eq(lstat(link, &sb), 0);
    cr_assert(S_ISLNK(sb.st_mode), "the symlink was replaced by a file");
    cr_assert_eq(mode_of(real), 0604);
    rc_params *c = sample_store();
    cr_assert_eq(rc_checkpoint_load(real, c, NULL, true, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert(same_values(b, c, "emb"), "the target holds the new contents");
    // A dangling link: the file it names is created.
    snprintf(dangling, sizeof dangling, "%s/dangling.safetensors", d);
    cr_assert_eq(symlink("new.safetensors", dangling), 0);
    cr_assert_eq(rc_checkpoint_save(dangling, b, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(lstat(dangling, &sb), 0);
    cr_assert(S_ISLNK(sb.st_mode), "the dangling symlink was replaced by a file");
    const char *names[] = {"ckpt.safetensors", "real.safetensors", "link.safetensors",
                           "dangling.safetensors", "new.safetensors"};
    assert_folder(d, names, 5);
    for (int i = 0; i < 5; i++) {
        char q[512];
        snprintf(q, sizeof q, "%s/%s", d, names[i]);
        unlink(q);
    }
    cr_assert_eq(rmdir(d), 0);
    rc_params_free(&a);
    rc_params_free(&b);
    rc_params_free(&c);
}

static void touch(const char *p) {
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fclose(f);
}

// Issue 11 fault 9e: a save removes the temporary files that saves to the same path left behind
// when they were killed midway (<path>.recur-tmp.<pid>.<n> of a process that is gone); those of
// a live process, of another path, or not named so, stay.
Test(checkpoint, save_removes_stale_temporaries) {
    char d[256], p[400], stale[512], live[512], other[512], unlike[512];
    cr_assert_eq(mkdir(tu_tmpfile(d, sizeof d, "stale"), 0700), 0);
    snprintf(p, sizeof p, "%s/ckpt.safetensors", d);
    const pid_t child = fork(); // a pid that is surely dead: a child that exited and was reaped
    cr_assert_geq(child, 0);
    if (child == 0)
        _exit(0);
    cr_assert_eq(waitpid(child, NULL, 0), child);
    snprintf(stale, sizeof stale, "%s.recur-tmp.%ld.0", p, (long)child);
    snprintf(live, sizeof live, "%s.recur-tmp.%ld.7", p, (long)getpid());
    snprintf(other, sizeof other, "%s/other.safetensors.recur-tmp.%ld.0", d, (long)child);
    snprintf(unlike, sizeof unlike, "%s.recur-tmp.x%ld.0", p, (long)child);
    touch(stale), touch(live), touch(other), touch(unlike);
    rc_params *a = sample_store();
    cr_assert_eq(rc_checkpoint_save(p, a, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_neq(access(stale, F_OK), 0, "the dead process's temporary is still there");
    cr_assert_eq(access(live, F_OK), 0, "a live process's temporary was removed");
    cr_assert_eq(access(other, F_OK), 0, "another path's temporary was removed");
    cr_assert_eq(access(unlike, F_OK), 0, "a file of another pattern was removed");
    unlink(p), unlink(live), unlink(other), unlink(unlike);
    cr_assert_eq(rmdir(d), 0);
    rc_params_free(&a);
}
