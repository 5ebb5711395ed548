// The Porter stemmer, written from M.F. Porter, "An algorithm for suffix stripping", Program 14(3),
// 1980, pp. 130-137. Notation of the paper: a consonant is a letter other than a, e, i, o, u, and
// other than a y that follows a consonant; [C](VC)^m[V] gives a stem's measure m. In each step
// the rule with the longest matching suffix is the only one tried: if its condition fails, the
// step does nothing.
#include "text/text_impl.h"

typedef struct word {
    char *b;
    int k; // b[0..k) is the word
} word;

static bool cons(const word *w, int i) {
    switch (w->b[i]) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u': return false;
    case 'y': return i == 0 ? true : !cons(w, i - 1);
    default: return true;
    }
}

// m of b[0..j): the number of VC sequences.
static int measure(const word *w, int j) {
    int i = 0, m = 0;
    while (i < j && cons(w, i))
        i++;
    while (i < j) {
        while (i < j && !cons(w, i))
            i++;
        if (i >= j)
            break;
        while (i < j && cons(w, i))
            i++;
        m++;
    }
    return m;
}

static bool has_vowel(const word *w, int j) { // *v*
    for (int i = 0; i < j; i++)
        if (!cons(w, i))
            return true;
    return false;
}

static bool double_cons(const word *w, int j) { // *d: b[0..j) ends with a double consonant
    return j >= 2 && w->b[j - 1] == w->b[j - 2] && cons(w, j - 1);
}

// *o: b[0..j) ends consonant-vowel-consonant, the last not w, x or y.
static bool cvc(const word *w, int j) {
    if (j < 3 || !cons(w, j - 1) || cons(w, j - 2) || !cons(w, j - 3))
        return false;
    char c = w->b[j - 1];
    return c != 'w' && c != 'x' && c != 'y';
}

static bool ends_n(const word *w, const char *s, int n, int *j) {
    if (n > w->k)
        return false;
    for (int i = 0; i < n; i++)
        if (w->b[w->k - n + i] != s[i])
            return false;
    *j = w->k - n;
    return true;
}
#define ends(w, lit, j) ends_n(w, lit, (int)sizeof(lit) - 1, j)

static void set_to_n(word *w, int j, const char *s, int n) { // b[0..j) + s
    memcpy(w->b + j, s, (size_t)n);
    w->k = j + n;
}
#define set_to(w, j, lit) set_to_n(w, j, lit, (int)sizeof(lit) - 1)

typedef struct rule {
    const char *suffix, *repl;
    int suffix_len, repl_len;
} rule;
#define R(suffix, repl)                                                                            \
    { suffix, repl, (int)sizeof(suffix) - 1, (int)sizeof(repl) - 1 }

// The longest suffix of the list (ordered longest first within each ending) that matches is
// replaced when the stem before it has measure > min_m. True if a suffix matched at all.
static bool apply_rules(word *w, const rule *r, int n, int min_m) {
    if (w->k == 0)
        return false;
    int best = -1, best_len = 0, j = 0;
    const char last = w->b[w->k - 1];
    for (int i = 0; i < n; i++) {
        int jj, len = r[i].suffix_len;
        if (len > best_len && r[i].suffix[len - 1] == last && ends_n(w, r[i].suffix, len, &jj))
            best = i, best_len = len, j = jj;
    }
    if (best < 0)
        return false;
    if (measure(w, j) > min_m)
        set_to_n(w, j, r[best].repl, r[best].repl_len);
    return true;
}

static void step1ab(word *w) {
    int j;
    if (ends(w, "sses", &j) || ends(w, "ies", &j))
        w->k -= 2;
    else if (!ends(w, "ss", &j) && ends(w, "s", &j))
        w->k -= 1;
    bool cleanup = false;
    if (ends(w, "eed", &j)) {
        if (measure(w, j) > 0)
            w->k -= 1;
    } else if ((ends(w, "ed", &j) || ends(w, "ing", &j)) && has_vowel(w, j)) {
        w->k = j;
        cleanup = true;
    }
    if (!cleanup)
        return;
    if (ends(w, "at", &j) || ends(w, "bl", &j) || ends(w, "iz", &j)) {
        set_to(w, w->k, "e");
    } else if (double_cons(w, w->k)) {
        char c = w->b[w->k - 1];
        if (c != 'l' && c != 's' && c != 'z')
            w->k -= 1;
    } else if (measure(w, w->k) == 1 && cvc(w, w->k)) {
        set_to(w, w->k, "e");
    }
}

static void step1c(word *w) {
    int j;
    if (ends(w, "y", &j) && has_vowel(w, j))
        w->b[w->k - 1] = 'i';
}

static const rule step2_rules[] = {
    R("ational", "ate"), R("tional", "tion"), R("enci", "ence"),   R("anci", "ance"),
    R("izer", "ize"),    R("abli", "able"),   R("alli", "al"),     R("entli", "ent"),
    R("eli", "e"),       R("ousli", "ous"),   R("ization", "ize"), R("ation", "ate"),
    R("ator", "ate"),    R("alism", "al"),    R("iveness", "ive"), R("fulness", "ful"),
    R("ousness", "ous"), R("aliti", "al"),    R("iviti", "ive"),   R("biliti", "ble"),
};

static const rule step3_rules[] = {
    R("icate", "ic"), R("ative", ""), R("alize", "al"), R("iciti", "ic"),
    R("ical", "ic"),  R("ful", ""),   R("ness", ""),
};

static const rule step4_rules[] = {
    R("al", ""),   R("ance", ""), R("ence", ""), R("er", ""),    R("ic", ""),
    R("able", ""), R("ible", ""), R("ant", ""),  R("ement", ""), R("ment", ""),
    R("ent", ""),  R("ion", ""),  R("ou", ""),   R("ism", ""),   R("ate", ""),
    R("iti", ""),  R("ous", ""),  R("ive", ""),  R("ize", ""),
};

#define N_RULES(r) ((int)(sizeof(r) / sizeof((r)[0])))

static void step4(word *w) {
    int j;
    // (m>1 and (*S or *T)) ION: the one rule with an extra condition on the stem.
    int best_len = 0;
    for (int i = 0; i < N_RULES(step4_rules); i++) {
        int jj, len = step4_rules[i].suffix_len;
        if (len > best_len && ends_n(w, step4_rules[i].suffix, len, &jj))
            best_len = len;
    }
    if (best_len == 3 && ends(w, "ion", &j)) {
        if (measure(w, j) > 1 && j > 0 && (w->b[j - 1] == 's' || w->b[j - 1] == 't'))
            w->k = j;
        return;
    }
    apply_rules(w, step4_rules, N_RULES(step4_rules), 1);
}

static void step5(word *w) {
    int j;
    if (ends(w, "e", &j)) {
        int m = measure(w, j);
        if (m > 1 || (m == 1 && !cvc(w, j)))
            w->k = j;
    }
    if (w->k >= 2 && w->b[w->k - 1] == 'l' && double_cons(w, w->k) && measure(w, w->k) > 1)
        w->k -= 1;
}

size_t rc_porter_stem(const char *in, size_t len, char *out) {
    memcpy(out, in, len);
    if (len <= 2 || len > 1024)
        return len;
    for (size_t i = 0; i < len; i++)
        if (in[i] < 'a' || in[i] > 'z')
            return len;
    word w = {out, (int)len};
    step1ab(&w);
    step1c(&w);
    apply_rules(&w, step2_rules, N_RULES(step2_rules), 0);
    apply_rules(&w, step3_rules, N_RULES(step3_rules), 0);
    step4(&w);
    step5(&w);
    return (size_t)w.k;
}

rc_status rc_tokens_stem(rc_tokens *t) {
    if (!t)
        return rc_err_null(NULL, 0, "rc_tokens_stem", "t");
    size_t total = 0;
    for (size_t i = 0; i < t->n; i++)
        total += t->spans[i].len;
    if (!rc_grow((void **)&t->buf2, &t->buf2_cap, total ? total : 1, 1))
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_tokens_stem: out of memory for %zu bytes", total);
    size_t at = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t len;
        const char *s = rc_token(t, i, &len);
        size_t n = rc_porter_stem(s, len, t->buf2 + at);
        t->spans[i] = (rc_span){(uint32_t)at, (uint32_t)n};
        at += n;
    }
    // The stems now live in buf2; swap so that buf holds them and t->text points there.
    char *b = t->buf;
    size_t cap = t->buf_cap;
    t->buf = t->buf2, t->buf_cap = t->buf2_cap;
    t->buf2 = b, t->buf2_cap = cap;
    t->text = t->buf;
    return RC_OK;
}
