// Loading a parameter store by name from an open safetensors file: the file's names mapped to
// store names (renames, prefix strip and add, a callback), matched with the store, reported
// (mismatched, missing, unexpected) and read. rc_checkpoint_load uses the same matching with its
// own report.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors_impl.h"

#define WHO "rc_params_load_safetensors"

// ---- names --------------------------------------------------------------------------------------

typedef struct named {
    const char *name;
    int idx;
} named;

static int by_name(const void *a, const void *b) {
    const named *x = a, *y = b;
    const int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int name_is(const void *key, const void *elem) {
    return strcmp(key, ((const named *)elem)->name);
}

// The index of `name` in v[n] (sorted, names unique), or -1.
static int lookup(const named *v, int n, const char *name) {
    const named *hit = n ? bsearch(name, v, (size_t)n, sizeof *v, name_is) : NULL;
    return hit ? hit->idx : -1;
}

static bool has_prefix(const char *s, const char *prefix) {
    return prefix && *prefix && !strncmp(s, prefix, strlen(prefix));
}

// What matching found, for the report and for loading.
typedef struct plan {
    const rc_safetensors *f;
    const rc_params *ps;
    const rc_load_opts *o;
    char **store_name;                 // [file tensors] the mapped name; NULL: skipped
    named *files;                      // [n_files] store names of the tensors not skipped, sorted
    named *params;                     // [parameters] the store's names, sorted
    const rc_safetensors_info **found; // [parameters] the tensor with the parameter's name
    int *list[3];                      // mismatched, missing (parameters), unexpected (tensors)
    int n_list[3], n_files;
} plan;

enum { MISMATCHED, MISSING, UNEXPECTED };

static void plan_free(plan *p) {
    for (int i = 0; p->store_name && i < rc_safetensors_count(p->f); i++)
        free(p->store_name[i]);
    free(p->store_name), free(p->files), free(p->params), free((void *)p->found);
    for (int k = 0; k < 3; k++)
        free(p->list[k]);
}

static rc_status check_renames(const rc_safetensors *f, const rc_load_opts *o, char *err,
                               size_t len) {
    if (o->n_renames < 0 || (o->n_renames > 0 && !o->renames))
        return rc_errf(err, len, RC_ERR_ARG, WHO ": n_renames is %d and renames %s", o->n_renames,
                       o->renames ? "set" : "NULL");
    for (int i = 0; i < o->n_renames; i++) {
        const char *fn = o->renames[i].file_name;
        if (!fn)
            return rc_errf(err, len, RC_ERR_ARG, WHO ": renames[%d].file_name is NULL", i);
        if (!rc_safetensors_find(f, fn))
            return rc_errf(err, len, RC_ERR_ARG,
                           "%s: renames[%d] renames \"%s\", which the file does not have",
                           rc_st_path(f), i, fn);
        for (int j = 0; j < i; j++)
            if (!strcmp(o->renames[j].file_name, fn))
                return rc_errf(err, len, RC_ERR_ARG,
                               "%s: renames[%d] and renames[%d] both rename \"%s\"", rc_st_path(f),
                               j, i, fn);
    }
    return RC_OK;
}

static const rc_load_rename *rename_of(const rc_load_opts *o, const char *file_name) {
    for (int i = 0; i < o->n_renames; i++)
        if (!strcmp(o->renames[i].file_name, file_name))
            return &o->renames[i];
    return NULL;
}

// The store name of a file tensor into buf[RC_LOAD_NAME_MAX]; *keep false: skipped.
static rc_status map_name(const plan *p, const char *file_name, char *buf, bool *keep, char *err,
                          size_t len) {
    const rc_load_opts *o = p->o;
    const rc_load_rename *r = rename_of(o, file_name);
    *keep = !r || r->store_name;
    if (!*keep)
        return RC_OK;
    int n;
    if (r) {
        n = snprintf(buf, RC_LOAD_NAME_MAX, "%s", r->store_name);
    } else {
        const char *rest =
            file_name + (has_prefix(file_name, o->strip_prefix) ? strlen(o->strip_prefix) : 0);
        n = snprintf(buf, RC_LOAD_NAME_MAX, "%s%s", o->add_prefix ? o->add_prefix : "", rest);
    }
    if (n < 0 || n >= RC_LOAD_NAME_MAX)
        return rc_errf(err, len, RC_ERR_ARG,
                       "%s: the store name of \"%s\" takes more than %d bytes (RC_LOAD_NAME_MAX)",
                       rc_st_path(p->f), file_name, RC_LOAD_NAME_MAX - 1);
    if (o->map) {
        *keep = o->map(o->map_user, file_name, buf, RC_LOAD_NAME_MAX);
        buf[RC_LOAD_NAME_MAX - 1] = 0;
    }
    return RC_OK;
}

// Maps every file tensor and sorts the store names; two tensors with one name are an error.
static rc_status map_all(plan *p, char *err, size_t len) {
    const int nf = rc_safetensors_count(p->f);
    char buf[RC_LOAD_NAME_MAX];
    for (int i = 0; i < nf; i++) {
        bool keep;
        rc_status st = map_name(p, rc_safetensors_at(p->f, i)->name, buf, &keep, err, len);
        if (st != RC_OK)
            return st;
        if (keep && !(p->store_name[i] = strdup(buf)))
            return rc_errf(err, len, RC_ERR_NOMEM, "%s: out of memory", rc_st_path(p->f));
        if (keep)
            p->files[p->n_files++] = (named){p->store_name[i], i};
    }
    qsort(p->files, (size_t)p->n_files, sizeof *p->files, by_name);
    for (int k = 1; k < p->n_files; k++)
        if (!strcmp(p->files[k - 1].name, p->files[k].name))
            return rc_errf(err, len, RC_ERR_ARG,
                           "%s: file tensors \"%s\" and \"%s\" both map to store name \"%s\"",
                           rc_st_path(p->f), rc_safetensors_at(p->f, p->files[k - 1].idx)->name,
                           rc_safetensors_at(p->f, p->files[k].idx)->name, p->files[k].name);
    return RC_OK;
}

// ---- matching -----------------------------------------------------------------------------------

static bool float_dtype(rc_dtype dt) {
    return dt == RC_DTYPE_F32 || dt == RC_DTYPE_F16 || dt == RC_DTYPE_BF16 || dt == RC_DTYPE_F64;
}

bool rc_load_fits(const rc_safetensors_info *t, rc_shape s) {
    return float_dtype(t->dtype) && t->ndim <= RC_MAX_DIMS && t->ndim == s.ndim &&
           rc_shape_eq(t->shape, s);
}

static rc_status plan_alloc(plan *p) {
    const size_t nf = (size_t)rc_safetensors_count(p->f), np = (size_t)rc_params_count(p->ps);
    p->store_name = calloc(nf + 1, sizeof *p->store_name);
    p->files = calloc(nf + 1, sizeof *p->files);
    p->params = calloc(np + 1, sizeof *p->params);
    p->found = calloc(np + 1, sizeof *p->found);
    p->list[MISMATCHED] = calloc(np + 1, sizeof(int));
    p->list[MISSING] = calloc(np + 1, sizeof(int));
    p->list[UNEXPECTED] = calloc(nf + 1, sizeof(int));
    bool ok = p->store_name && p->files && p->params && p->found;
    for (int k = 0; k < 3; k++)
        ok = ok && p->list[k];
    return ok ? RC_OK : RC_ERR_NOMEM;
}

static void match_params(plan *p, const rc_safetensors_info **match, rc_load_report *rep) {
    const int np = rc_params_count(p->ps);
    for (int i = 0; i < np; i++) {
        const rc_param *q = rc_params_at(p->ps, i);
        const int j = lookup(p->files, p->n_files, rc_param_name(q));
        const rc_safetensors_info *t = j >= 0 ? rc_safetensors_at(p->f, j) : NULL;
        p->found[i] = t;
        match[i] = t && rc_load_fits(t, rc_param_value(q).shape) ? t : NULL;
        rep->loaded += match[i] != NULL;
        if (!t)
            p->list[MISSING][p->n_list[MISSING]++] = i;
        else if (!match[i])
            p->list[MISMATCHED][p->n_list[MISMATCHED]++] = i;
        p->params[i] = (named){rc_param_name(q), i};
    }
    qsort(p->params, (size_t)np, sizeof *p->params, by_name);
    const size_t optim = strlen(RC_CHECKPOINT_OPTIM_PREFIX);
    for (int j = 0; j < rc_safetensors_count(p->f); j++) {
        const char *file_name = rc_safetensors_at(p->f, j)->name;
        if (p->store_name[j] && strncmp(file_name, RC_CHECKPOINT_OPTIM_PREFIX, optim) &&
            lookup(p->params, np, p->store_name[j]) < 0)
            p->list[UNEXPECTED][p->n_list[UNEXPECTED]++] = j;
    }
    rep->mismatched = p->n_list[MISMATCHED];
    rep->missing = p->n_list[MISSING];
    rep->unexpected = p->o->unexpected == RC_LOAD_UNEXPECTED_IGNORE ? 0 : p->n_list[UNEXPECTED];
}

// ---- reports ------------------------------------------------------------------------------------

// "fc.weight (file [3,4] F16, store [4,3])", with the file's name when it differs.
static void describe_mismatch(const plan *p, int i, char *buf, size_t len) {
    const rc_param *q = rc_params_at(p->ps, i);
    const rc_safetensors_info *t = p->found[i];
    char fs[96] = "", ss[64], fname[RC_LOAD_NAME_MAX + 2] = "";
    if (t->ndim <= RC_MAX_DIMS)
        rc_shape_str(t->shape, fs, sizeof fs);
    else
        snprintf(fs, sizeof fs, "(%d dims)", t->ndim);
    rc_shape_str(rc_param_value(q).shape, ss, sizeof ss);
    if (strcmp(t->name, rc_param_name(q)))
        snprintf(fname, sizeof fname, "%s ", t->name);
    snprintf(buf, len, "%s (file %s%s %s, store %s)", rc_param_name(q), fname, fs,
             rc_dtype_name(t->dtype), ss);
}

static void item_text(const plan *p, int section, int k, char *buf, size_t len) {
    const int idx = p->list[section][k];
    if (section == MISMATCHED)
        describe_mismatch(p, idx, buf, len);
    else if (section == MISSING)
        snprintf(buf, len, "%s", rc_param_name(rc_params_at(p->ps, idx)));
    else
        snprintf(buf, len, "%s", rc_safetensors_at(p->f, idx)->name);
}

// rc_checkpoint_load's report: sections missing, mismatched, unexpected, each item appended
// while it fits, then "...".
static void legacy_add(rc_load_report *r, const char *section, int count, const char *item) {
    size_t len = strlen(r->text), cap = sizeof r->text;
    if (len + 4 >= cap || !strcmp(r->text + (len >= 3 ? len - 3 : 0), "..."))
        return;
    char piece[1200];
    if (count == 1)
        snprintf(piece, sizeof piece, "%s%s: %s", len ? "; " : "", section, item);
    else
        snprintf(piece, sizeof piece, ", %s", item);
    if (len + strlen(piece) + 4 >= cap)
        snprintf(r->text + len, cap - len, "...");
    else
        memcpy(r->text + len, piece, strlen(piece) + 1);
}

static void legacy_report(const plan *p, rc_load_report *rep) {
    static const int order[3] = {MISSING, MISMATCHED, UNEXPECTED};
    static const char *const title[3] = {"mismatched", "missing", "unexpected"};
    char item[1100];
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < p->n_list[order[s]]; k++) {
            item_text(p, order[s], k, item, sizeof item);
            legacy_add(rep, title[order[s]], k + 1, item);
        }
}

// Appends s to out[0..budget) at *used, cut to what fits.
static void put(char *out, size_t budget, size_t *used, const char *s) {
    size_t n = strlen(s);
    if (n > budget - *used)
        n = budget - *used;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = 0;
}

#define MORE_RESERVE 24 // room kept for " and 2147483647 more"

// One section, "missing 3: a, b and 1 more", within budget bytes of out (out[budget] is free
// for the NUL). A first name too long to fit is cut with "...".
static size_t render_section(const plan *p, int section, const char *title, int n, char *out,
                             size_t budget, bool sep) {
    char piece[1200], tail[48];
    size_t used = 0;
    snprintf(piece, sizeof piece, "%s%s %d", sep ? "; " : "", title, n);
    put(out, budget, &used, piece);
    if (section == UNEXPECTED && p->o->unexpected == RC_LOAD_UNEXPECTED_COUNT) {
        put(out, budget, &used, " (not listed)");
        return used;
    }
    int listed = 0;
    for (; listed < n && listed < RC_LOAD_REPORT_NAMES; listed++) {
        memcpy(piece, listed ? ", " : ": ", 3);
        item_text(p, section, listed, piece + 2, sizeof piece - 2);
        const size_t reserve = listed + 1 < n ? MORE_RESERVE : 0;
        if (used + strlen(piece) + reserve <= budget)
            put(out, budget, &used, piece);
        else if (listed == 0 && used + reserve + 16 <= budget) {
            piece[budget - used - reserve - 3] = 0;
            put(out, budget, &used, piece);
            put(out, budget, &used, "...");
        } else
            break;
    }
    if (listed < n) {
        snprintf(tail, sizeof tail, " and %d more", n - listed);
        put(out, budget, &used, tail);
    }
    return used;
}

// Mismatched, then missing, then unexpected; each section present gets an equal share of what
// is left, so hundreds of unexpected tensors cannot hide a mismatch.
static void prioritised_report(const plan *p, rc_load_report *rep) {
    static const char *const title[3] = {"mismatched", "missing", "unexpected"};
    int n[3] = {rep->mismatched, rep->missing, rep->unexpected}, left = 0;
    for (int s = 0; s < 3; s++)
        left += n[s] > 0;
    size_t len = 0;
    for (int s = 0; s < 3; s++) {
        if (!n[s])
            continue;
        const size_t budget = (sizeof rep->text - 1 - len) / (size_t)left--;
        len += render_section(p, s, title[s], n[s], rep->text + len, budget, len > 0);
    }
}

// ---- loading ------------------------------------------------------------------------------------

static rc_status verdict(const plan *p, const rc_load_report *rep, char *err, size_t len) {
    const bool unexpected = p->o->unexpected == RC_LOAD_UNEXPECTED_LIST && rep->unexpected;
    if (!p->o->strict || !(rep->missing || rep->mismatched || unexpected))
        return RC_OK;
    rc_errf(err, len, RC_OK, "%s: %s", rc_st_path(p->f), rep->text);
    return rep->mismatched ? RC_ERR_SHAPE : RC_ERR_NOTFOUND;
}

rc_status rc_load_match(const rc_safetensors *f, const rc_params *ps, const rc_load_opts *o,
                        bool legacy, const rc_safetensors_info **match, rc_load_report *rep,
                        char *err, size_t len) {
    memset(rep, 0, sizeof *rep);
    plan p = {.f = f, .ps = ps, .o = o};
    rc_status st = check_renames(f, o, err, len);
    if (st == RC_OK)
        st = plan_alloc(&p);
    if (st == RC_OK)
        st = map_all(&p, err, len);
    if (st == RC_OK) {
        match_params(&p, match, rep);
        if (legacy)
            legacy_report(&p, rep);
        else
            prioritised_report(&p, rep);
        st = verdict(&p, rep, err, len);
    }
    if (st == RC_ERR_NOMEM)
        rc_errf(err, len, RC_OK, "%s: out of memory", rc_st_path(f));
    plan_free(&p);
    return st;
}

rc_status rc_load_values(const rc_safetensors *f, rc_params *ps, const rc_safetensors_info **match,
                         char *err, size_t len) {
    for (int i = 0; i < rc_params_count(ps); i++) {
        if (!match[i])
            continue;
        const rc_tensor v = rc_param_value(rc_params_at(ps, i));
        rc_status st = rc_safetensors_read(f, match[i]->name, v.data, v.n, err, len);
        if (st != RC_OK)
            return st;
    }
    return RC_OK;
}

rc_status rc_params_load_safetensors(rc_params *ps, const rc_safetensors *f,
                                     const rc_load_opts *opts, rc_load_report *rep, char *err,
                                     size_t err_len) {
    rc_load_report local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (!ps || !f)
        return rc_errf(err, err_len, RC_ERR_ARG, WHO ": NULL store or file");
    const rc_load_opts strict = {.strict = true};
    const rc_safetensors_info **match = calloc((size_t)rc_params_count(ps) + 1, sizeof *match);
    if (!match)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", rc_st_path(f));
    rc_status st = rc_load_match(f, ps, opts ? opts : &strict, false, match, rep, err, err_len);
    if (st == RC_OK)
        st = rc_load_values(f, ps, match, err, err_len);
    free((void *)match);
    return st;
}
