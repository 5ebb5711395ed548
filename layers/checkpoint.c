// Checkpoints of a parameter store as safetensors, with optimizer, schedule and generator state.
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "safetensors_impl.h"

static const char *const sched_kinds[] = {"step", "exponential", "linear", "plateau"};
#define N_SCHED_KINDS 4
#define N_SLOTS RC_PARAM_STATE_SLOTS

// Doubles travel as C99 hex floats: exact, and Inf (a plateau's first best) survives.
static json_t *hex_double(double x) {
    char b[64];
    snprintf(b, sizeof b, "%a", x);
    return json_string(b);
}

static bool parse_double(json_t *v, double *out) {
    const char *s = json_string_value(v);
    char *end;
    if (!s)
        return false;
    *out = strtod(s, &end);
    return end != s && *end == 0;
}

static char *slot_tensor_name(const char *slot, const char *param) {
    size_t n = strlen(RC_CHECKPOINT_OPTIM_PREFIX) + strlen(slot) + strlen(param) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s.%s", RC_CHECKPOINT_OPTIM_PREFIX, slot, param);
    return s;
}

// ---- save ---------------------------------------------------------------------------------------

static char *optim_meta(const rc_optim *o) {
    const rc_params *ps = rc_optim_params(o);
    json_t *steps = json_object();
    for (int i = 0; steps && i < rc_params_count(ps); i++) {
        const rc_param *p = rc_params_at(ps, i);
        int64_t n = rc_optim_step_count(o, p);
        if (n > 0)
            json_object_set_new(steps, rc_param_name(p), json_integer(n));
    }
    json_t *root = json_pack("{s:s,s:o,s:o}", "kind", rc_optim_kind_name(rc_optim_options(o)->kind),
                             "lr", hex_double(rc_optim_lr(o)), "steps", steps);
    char *s = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return s;
}

static char *sched_meta(const rc_sched *s) {
    const rc_sched_state st = rc_sched_get_state(s);
    json_t *root = json_pack(
        "{s:s,s:I,s:o,s:I,s:I}", "kind", sched_kinds[rc_sched_options(s)->kind], "last_epoch",
        (json_int_t)st.last_epoch, "best", hex_double(st.best), "num_bad_epochs",
        (json_int_t)st.num_bad_epochs, "cooldown_counter", (json_int_t)st.cooldown_counter);
    char *t = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return t;
}

static char *rng_meta(const rc_rng *r) {
    char *s = malloc(80);
    if (s)
        snprintf(s, 80, "%016llx %016llx %016llx %016llx", (unsigned long long)r->s[0],
                 (unsigned long long)r->s[1], (unsigned long long)r->s[2],
                 (unsigned long long)r->s[3]);
    return s;
}

typedef struct save_list {
    rc_safetensors_entry *e;
    char **owned; // names allocated here
    int n, n_owned;
    const char **meta;
    char *meta_owned[3];
} save_list;

static void save_list_free(save_list *l) {
    for (int i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    for (int i = 0; i < 3; i++)
        free(l->meta_owned[i]);
    free(l->e), free(l->owned), free(l->meta);
}

static rc_status add_optim_entries(save_list *l, const rc_params *ps, rc_optim *o) {
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        if (rc_optim_step_count(o, p) == 0)
            continue;
        for (int k = 0; k < N_SLOTS; k++) {
            const char *slot = rc_optim_slot_name(o, k);
            if (!slot)
                continue;
            char *name = slot_tensor_name(slot, rc_param_name(p));
            float *data = rc_param_state(p, k);
            if (!name || !data) {
                free(name);
                return RC_ERR_NOMEM;
            }
            l->owned[l->n_owned++] = name;
            l->e[l->n++] = (rc_safetensors_entry){name, rc_param_value(p).shape, data};
        }
    }
    return RC_OK;
}

static bool reserved_key(const char *k) {
    return !strcmp(k, "format") || !strncmp(k, "recur.", 6);
}

static rc_status build_meta(save_list *l, const rc_checkpoint_extra *x, const char *path, char *err,
                            size_t err_len) {
    int n_user = 0;
    while (x && x->meta && x->meta[n_user])
        n_user++;
    for (int i = 0; i < n_user; i += 2)
        if (reserved_key(x->meta[i])) {
            return rc_errf(err, err_len, RC_ERR_ARG, "%s: metadata key \"%s\" is reserved", path,
                           x->meta[i]);
        }
    l->meta = calloc((size_t)n_user + 10, sizeof *l->meta);
    if (!l->meta)
        return RC_ERR_NOMEM;
    int m = 0;
    l->meta[m++] = "format", l->meta[m++] = "pt";
    if (x && x->optim) {
        l->meta[m++] = "recur.optim", l->meta[m++] = l->meta_owned[0] = optim_meta(x->optim);
    }
    if (x && x->sched) {
        l->meta[m++] = "recur.sched", l->meta[m++] = l->meta_owned[1] = sched_meta(x->sched);
    }
    if (x && x->rng) {
        l->meta[m++] = "recur.rng", l->meta[m++] = l->meta_owned[2] = rng_meta(x->rng);
    }
    for (int i = 0; i < m; i++)
        if (!l->meta[i])
            return RC_ERR_NOMEM;
    for (int i = 0; i < n_user; i++)
        l->meta[m++] = x->meta[i];
    return RC_OK;
}

rc_status rc_checkpoint_save(const char *path, const rc_params *ps, const rc_checkpoint_extra *x,
                             char *err, size_t err_len) {
    if (!path || !ps)
        return rc_err_null(err, err_len, "rc_checkpoint_save", !path ? "path" : "ps");
    if (x && x->optim && rc_optim_params(x->optim) != ps) {
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: the optimizer works on another parameter store", path);
    }
    const int np = rc_params_count(ps), cap = np * (1 + N_SLOTS);
    save_list l = {calloc((size_t)cap + 1, sizeof *l.e),
                   calloc((size_t)cap + 1, sizeof(char *)),
                   0,
                   0,
                   NULL,
                   {NULL, NULL, NULL}};
    rc_status st = l.e && l.owned ? RC_OK : RC_ERR_NOMEM;
    for (int i = 0; st == RC_OK && i < np; i++) {
        const rc_param *p = rc_params_at(ps, i);
        const rc_tensor v = rc_param_value(p);
        l.e[l.n++] = (rc_safetensors_entry){rc_param_name(p), v.shape, v.data};
    }
    if (st == RC_OK && x && x->optim)
        st = add_optim_entries(&l, ps, x->optim);
    if (st == RC_OK)
        st = build_meta(&l, x, path, err, err_len);
    if (st == RC_ERR_NOMEM)
        rc_errf(err, err_len, RC_OK, "%s: out of memory", path);
    if (st == RC_OK)
        st = rc_safetensors_write(path, l.e, l.n, l.meta, err, err_len);
    save_list_free(&l);
    return st;
}

// ---- load: extras -----------------------------------------------------------------------------

typedef struct extras {
    json_t *optim, *sched; // parsed metadata, validated
    rc_rng rng;
} extras;

static json_t *meta_json(const rc_safetensors *f, const char *key, char *err, size_t len,
                         rc_status *st) {
    const char *text = rc_safetensors_metadata(f, key);
    if (!text) {
        rc_errf(err, len, RC_OK, "%s: no %s metadata: the checkpoint was saved without it",
                rc_st_path(f), key);
        *st = RC_ERR_NOTFOUND;
        return NULL;
    }
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        rc_errf(err, len, RC_OK, "%s: %s metadata is not a JSON object", rc_st_path(f), key);
        *st = RC_ERR_FORMAT;
        return NULL;
    }
    return j;
}

static rc_status bad_meta(const rc_safetensors *f, const char *what, char *err, size_t len) {
    return rc_errf(err, len, RC_ERR_FORMAT, "%s: %s", rc_st_path(f), what);
}

static int64_t file_steps(json_t *optim, const char *name) {
    json_t *v = json_object_get(json_object_get(optim, "steps"), name);
    return v ? (int64_t)json_integer_value(v) : 0;
}

static rc_status check_optim(const rc_safetensors *f, rc_optim *o,
                             const rc_safetensors_info **match, json_t *j, char *err, size_t len) {
    const char *kind = json_string_value(json_object_get(j, "kind"));
    const char *mine = rc_optim_kind_name(rc_optim_options(o)->kind);
    char msg[300];
    double lr;
    if (!kind || strcmp(kind, mine)) {
        snprintf(msg, sizeof msg, "optimizer state is for \"%s\", the optimizer is \"%s\"",
                 kind ? kind : "?", mine);
        return bad_meta(f, msg, err, len);
    }
    json_t *steps = json_object_get(j, "steps");
    if (!parse_double(json_object_get(j, "lr"), &lr) || !json_is_object(steps))
        return bad_meta(f, "recur.optim metadata lacks lr or steps", err, len);
    const char *k;
    json_t *v;
    json_object_foreach(steps, k, v) if (!json_is_integer(v) || json_integer_value(v) < 0) {
        snprintf(msg, sizeof msg, "recur.optim: step count of \"%s\" is not a count", k);
        return bad_meta(f, msg, err, len);
    }
    const rc_params *ps = rc_optim_params(o);
    for (int i = 0; i < rc_params_count(ps); i++) {
        const rc_param *p = rc_params_at(ps, i);
        if (!match[i] || file_steps(j, rc_param_name(p)) == 0)
            continue;
        for (int s = 0; s < N_SLOTS; s++) {
            if (!rc_optim_slot_name(o, s))
                continue;
            char *name = slot_tensor_name(rc_optim_slot_name(o, s), rc_param_name(p));
            const rc_safetensors_info *t = name ? rc_safetensors_find(f, name) : NULL;
            snprintf(msg, sizeof msg, "optimizer state %s is absent or does not fit",
                     name ? name : "?");
            free(name);
            if (!t || !rc_load_fits(t, rc_param_value(p).shape))
                return bad_meta(f, msg, err, len);
        }
    }
    return RC_OK;
}

static rc_status check_sched(const rc_safetensors *f, const rc_sched *s, json_t *j, char *err,
                             size_t len) {
    const char *kind = json_string_value(json_object_get(j, "kind"));
    const char *mine = sched_kinds[rc_sched_options(s)->kind];
    char msg[200];
    double best;
    if (!kind || strcmp(kind, mine)) {
        snprintf(msg, sizeof msg, "schedule state is for \"%s\", the schedule is \"%s\"",
                 kind ? kind : "?", mine);
        return bad_meta(f, msg, err, len);
    }
    const char *ints[] = {"last_epoch", "num_bad_epochs", "cooldown_counter"};
    for (int i = 0; i < 3; i++)
        if (!json_is_integer(json_object_get(j, ints[i])))
            return bad_meta(f, "recur.sched metadata lacks a counter", err, len);
    if (!parse_double(json_object_get(j, "best"), &best))
        return bad_meta(f, "recur.sched metadata lacks best", err, len);
    return RC_OK;
}

static rc_status parse_rng(const rc_safetensors *f, rc_rng *r, char *err, size_t len) {
    const char *s = rc_safetensors_metadata(f, "recur.rng");
    if (!s) {
        return rc_errf(err, len, RC_ERR_NOTFOUND,
                       "%s: no recur.rng metadata: the checkpoint was saved without it",
                       rc_st_path(f));
    }
    for (int i = 0; i < 4; i++) {
        char *end;
        while (*s == ' ')
            s++;
        r->s[i] = strtoull(s, &end, 16);
        if (end == s || (*end != ' ' && *end != 0))
            return bad_meta(f, "recur.rng metadata is not four hex words", err, len);
        s = end;
    }
    return *s == 0 ? RC_OK : bad_meta(f, "recur.rng metadata is not four hex words", err, len);
}

static rc_status check_extras(const rc_safetensors *f, const rc_checkpoint_extra *x,
                              const rc_safetensors_info **match, extras *e, char *err, size_t len) {
    rc_status st = RC_OK;
    if (x->optim && (e->optim = meta_json(f, "recur.optim", err, len, &st)))
        st = check_optim(f, x->optim, match, e->optim, err, len);
    if (st == RC_OK && x->sched && (e->sched = meta_json(f, "recur.sched", err, len, &st)))
        st = check_sched(f, x->sched, e->sched, err, len);
    if (st == RC_OK && x->rng)
        st = parse_rng(f, &e->rng, err, len);
    return st;
}

static rc_status apply_optim(const rc_safetensors *f, rc_optim *o,
                             const rc_safetensors_info **match, json_t *j, char *err, size_t len) {
    double lr = rc_optim_lr(o);
    parse_double(json_object_get(j, "lr"), &lr); // validated by check_optim
    rc_optim_set_lr(o, lr);
    const rc_params *ps = rc_optim_params(o);
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        if (!match[i])
            continue;
        const int64_t steps = file_steps(j, rc_param_name(p));
        rc_status st = rc_optim_set_step_count(o, p, steps);
        for (int s = 0; st == RC_OK && steps > 0 && s < N_SLOTS; s++) {
            if (!rc_optim_slot_name(o, s))
                continue;
            char *name = slot_tensor_name(rc_optim_slot_name(o, s), rc_param_name(p));
            float *data = rc_param_state(p, s);
            st = name && data ? rc_safetensors_read(f, name, data, rc_param_value(p).n, err, len)
                              : RC_ERR_NOMEM;
            free(name);
        }
        if (st != RC_OK)
            return st;
    }
    return RC_OK;
}

static void apply_sched(rc_sched *s, json_t *j) {
    rc_sched_state st = {
        .last_epoch = (int64_t)json_integer_value(json_object_get(j, "last_epoch")),
        .num_bad_epochs = (int64_t)json_integer_value(json_object_get(j, "num_bad_epochs")),
        .cooldown_counter = (int64_t)json_integer_value(json_object_get(j, "cooldown_counter")),
        .best = rc_sched_get_state(s).best};
    parse_double(json_object_get(j, "best"), &st.best);
    rc_sched_set_state(s, &st);
}

// ---- load ---------------------------------------------------------------------------------------

static rc_status load_open(rc_safetensors *f, rc_params *ps, const rc_checkpoint_extra *x,
                           bool strict, rc_load_report *rep, char *err, size_t len) {
    const rc_safetensors_info **match = calloc((size_t)rc_params_count(ps) + 1, sizeof *match);
    if (!match) {
        return rc_errf(err, len, RC_ERR_NOMEM, "%s: out of memory", rc_st_path(f));
    }
    const rc_load_opts o = {.strict = strict};
    rc_status st = rc_load_match(f, ps, &o, true, match, rep, err, len);
    extras e = {NULL, NULL, {{0}}};
    const rc_checkpoint_extra none = {NULL, NULL, NULL, NULL};
    if (!x)
        x = &none;
    if (st == RC_OK && x->optim && rc_optim_params(x->optim) != ps) {
        rc_errf(err, len, RC_OK, "%s: the optimizer works on another parameter store",
                rc_st_path(f));
        st = RC_ERR_ARG;
    }
    if (st == RC_OK)
        st = check_extras(f, x, match, &e, err, len);
    if (st == RC_OK)
        st = rc_load_values(f, ps, match, err, len);
    if (st == RC_OK && x->optim)
        st = apply_optim(f, x->optim, match, e.optim, err, len);
    if (st == RC_OK && x->sched)
        apply_sched(x->sched, e.sched);
    if (st == RC_OK && x->rng)
        *x->rng = e.rng;
    json_decref(e.optim);
    json_decref(e.sched);
    free(match);
    return st;
}

rc_status rc_checkpoint_load(const char *path, rc_params *ps, const rc_checkpoint_extra *x,
                             bool strict, rc_load_report *rep, char *err, size_t err_len) {
    rc_load_report local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (!path || !ps)
        return rc_err_null(err, err_len, "rc_checkpoint_load", !path ? "path" : "ps");
    rc_safetensors *f;
    rc_status st = rc_safetensors_open(&f, path, err, err_len);
    if (st != RC_OK)
        return st;
    st = load_open(f, ps, x, strict, rep, err, err_len);
    rc_safetensors_close(&f);
    return st;
}
