/* Document frequencies: the df table, the writer's cache of it, the idf
 * they give, the counters row (N, the article total) and the idf ranking of
 * an article's terms. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

void df_cache_clear(struct store *s) {
        for (size_t i = 0; i < s->df_cap; i++)
                free(s->df[i].term);
        free(s->df);
        s->df = NULL;
        s->df_n = s->df_cap = 0;
        s->df_gen++;
}

/* The slot of term (hash h) in the cache: its entry, or the empty slot
 * where it would go. */
static size_t df_slot(const struct store *s, const char *term, uint64_t h) {
        size_t mask = s->df_cap - 1, i = (size_t) h & mask;
        while (s->df[i].term && (s->df[i].hash != h || strcmp(s->df[i].term, term) != 0))
                i = (i + 1) & mask;
        return i;
}

static int df_cache_grow(struct store *s) {
        size_t ncap = s->df_cap ? s->df_cap * 2 : 1024;
        struct df_entry *old = s->df;
        size_t ocap = s->df_cap;
        struct df_entry *n = calloc(ncap, sizeof(*n));
        if (!n)
                return -ENOMEM;
        s->df = n;
        s->df_cap = ncap;
        s->df_gen++;
        for (size_t i = 0; i < ocap; i++)
                if (old[i].term)
                        s->df[df_slot(s, old[i].term, old[i].hash)] = old[i];
        free(old);
        return 0;
}

/* The slot of term in the df cache, read from the df table into it first
 * when it is not there (which may grow or clear the cache: s->df_gen then
 * changes).  Returns 0 and fills *ret_slot, or a negative errno. */
int df_cached_slot(struct store *s, const char *term, size_t *ret_slot) {
        sqlite3_stmt *st;
        int64_t df = 0;
        uint64_t h = termvec_term_hash(term);
        int r;

        if (s->df_cap) {
                size_t i = df_slot(s, term, h);
                if (s->df[i].term) {
                        *ret_slot = i;
                        return 0;
                }
        }
        r = stmt_get(s, ST_DF_GET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, term);
        r = stmt_int64(st, &df);
        if (r < 0)
                return r;
        if (s->df_n >= DF_CACHE_MAX)
                df_cache_clear(s);
        if ((s->df_n + 1) * 2 > s->df_cap && (r = df_cache_grow(s)) < 0)
                return r;
        size_t i = df_slot(s, term, h);
        s->df[i].term = strdup(term);
        if (!s->df[i].term)
                return -ENOMEM;
        s->df[i].hash = h;
        s->df[i].df = df;
        s->df_n++;
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
        *ret = s->df[i].df;
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

/* Counts each distinct term of the article once in df. */
int df_add_article(struct store *s, const struct termvec *v) {
        sqlite3_stmt *st;
        int r;
        for (size_t i = 0; i < v->n; i++) {
                if (i > 0 && strcmp(v->items[i].term, v->items[i - 1].term) == 0)
                        continue;
                r = stmt_get(s, ST_DF_INC, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, v->items[i].term);
                r = stmt_run(st);
                if (r < 0)
                        return r;
                /* keep the cache equal to the table (we are the only writer) */
                if (s->df_cap) {
                        size_t k = df_slot(s, v->items[i].term, termvec_term_hash(v->items[i].term));
                        if (s->df[k].term)
                                s->df[k].df++;
                }
        }
        return 0;
}
