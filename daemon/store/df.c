/* Document frequencies: the df table, the writer's cache of it, the idf
 * they give, the counters row (N, the article total) and the idf ranking of
 * an article's terms. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

void df_cache_clear(struct store *s) {
        strmap_clear(&s->df);
}

/* The slot of term in the df cache, read from the df table (plus what is
 * pending for it) into it first when it is not there, which may grow or
 * clear the cache: s->df.gen then changes.  Returns 0 and fills *ret_slot,
 * or a negative errno. */
int df_cached_slot(struct store *s, const char *term, size_t *ret_slot) {
        sqlite3_stmt *st;
        int64_t df = 0;
        uint64_t h = termvec_term_hash(term);
        int r;

        size_t i = strmap_find(&s->df, term, h);
        if (i != STRMAP_NONE) {
                *ret_slot = i;
                return 0;
        }
        r = stmt_get(s, ST_DF_GET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, term);
        r = stmt_int64(st, &df);
        if (r < 0)
                return r;
        size_t p = strmap_find(&s->df_pending, term, h);
        if (p != STRMAP_NONE)
                df += s->df_pending.slots[p].value;
        if (s->df.n >= DF_CACHE_MAX)
                df_cache_clear(s);
        r = strmap_put(&s->df, term, h, df, &i);
        if (r < 0)
                return r;
        *ret_slot = i;
        return 0;
}

/* The document frequency of term: from the cache, else from the df table
 * (and then cached).  Returns 0 and fills *ret, or a negative errno. */
static int df_lookup(struct store *s, const char *term, int64_t *ret) {
        size_t i;
        int r = df_cached_slot(s, term, &i);
        if (r < 0)
                return r;
        *ret = s->df.slots[i].value;
        return 0;
}

/* The idf of a term of document frequency df: log((N + 1) / (df + 1)) + 1
 * with N the articles stored, never <= 0 (as termvec's term_idf() would
 * make it). */
double idf_of_df(const struct store *s, int64_t df) {
        double v = log((double) (s->n_docs + 1) / (double) (df + 1)) + 1.0;
        return v > 0 ? v : 1e-6;
}

/* idf_func for termvec: log((N + 1) / (df + 1)) + 1 with N the articles
 * stored; lookup errors are remembered in s->df_error. */
double idf_cb(const char *term, void *userdata) {
        struct store *s = userdata;
        int64_t df = 0;
        int r = df_lookup(s, term, &df);
        if (r < 0 && !s->df_error)
                s->df_error = r;
        return idf_of_df(s, df);
}

int ranked_cmp(const void *x, const void *y) {
        const struct ranked_term *a = x, *b = y;
        if (a->score != b->score)
                return a->score < b->score ? 1 : -1;
        return strcmp(a->term, b->term);
}

/* Ranks the terms of v by weight * idf, heaviest first; returns a malloc'ed
 * array of v->n entries (NULL with n == 0 or on ENOMEM, see *ret_r). */
struct ranked_term *rank_terms(struct store *s, const struct termvec *v, int *ret_r) {
        *ret_r = 0;
        if (v->n == 0)
                return NULL;
        struct ranked_term *t = malloc(v->n * sizeof(*t));
        if (!t) {
                *ret_r = -ENOMEM;
                return NULL;
        }
        for (size_t i = 0; i < v->n; i++) {
                t[i].term = v->items[i].term;
                t[i].score = v->items[i].weight * idf_cb(v->items[i].term, s);
        }
        if (s->df_error) {
                *ret_r = s->df_error;
                free(t);
                return NULL;
        }
        if (v->n > 1)
                qsort(t, v->n, sizeof(*t), ranked_cmp);
        return t;
}

int counters_add(struct store *s, int64_t a, int64_t c, int64_t e, int64_t k) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_COUNTERS_ADD, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, a);
        sqlite3_bind_int64(st, 2, c);
        sqlite3_bind_int64(st, 3, e);
        sqlite3_bind_int64(st, 4, k);
        return stmt_run(st);
}

/* Reads the stored article count into s->n_docs (the N of idf). */
int load_n_docs(struct store *s) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_COUNTERS_GET, &st);
        if (r < 0)
                return r;
        int64_t n = 0;
        r = stmt_int64(st, &n);
        if (r < 0)
                return r;
        s->n_docs = n;
        return 0;
}

/* Counts each distinct term of the article once: in the pending
 * increments, and in the cache where it holds the term. */
int df_add_article(struct store *s, const struct termvec *v) {
        int r;

        s->df_added = 0;
        for (size_t i = 0; i < v->n; i++) {
                const char *term = v->items[i].term;
                if (i > 0 && strcmp(term, v->items[i - 1].term) == 0)
                        continue;
                uint64_t h = termvec_term_hash(term);
                size_t k;
                r = strmap_put(&s->df_pending, term, h, 0, &k);
                if (r < 0)
                        return r;
                s->df_pending.slots[k].value++;
                s->df_added++;
                k = strmap_find(&s->df, term, h);
                if (k != STRMAP_NONE)
                        s->df.slots[k].value++;
        }
        return 0;
}

/* The article whose terms are v was rolled back: takes the increments
 * df_add_article() made for it out of the pending ones (the cache is
 * dropped with the rollback). */
void df_pending_undo(struct store *s, const struct termvec *v) {
        size_t done = 0;
        for (size_t i = 0; i < v->n && done < s->df_added; i++) {
                const char *term = v->items[i].term;
                if (i > 0 && strcmp(term, v->items[i - 1].term) == 0)
                        continue;
                size_t k = strmap_find(&s->df_pending, term, termvec_term_hash(term));
                if (k != STRMAP_NONE)
                        s->df_pending.slots[k].value--;
                done++;
        }
        s->df_added = 0;
}

void df_pending_clear(struct store *s) {
        strmap_clear(&s->df_pending);
        s->df_added = 0;
}

/* Writes the pending increments, one statement per term, inside the
 * transaction about to commit (before, a statement per term per article:
 * 0.42 ms of an article's 5).  0 or a negative errno; the pending
 * increments are dropped either way (on failure the caller rolls back). */
int df_flush(struct store *s) {
        int r = 0;
        for (size_t i = 0; i < s->df_pending.cap && r >= 0; i++) {
                const struct strmap_entry *e = &s->df_pending.slots[i];
                if (!e->key || e->value == 0)
                        continue;
                sqlite3_stmt *st;
                r = stmt_get(s, ST_DF_ADD, &st);
                if (r < 0)
                        break;
                bind_text(st, 1, e->key);
                sqlite3_bind_int64(st, 2, e->value);
                r = stmt_run(st);
        }
        df_pending_clear(s);
        return r;
}
