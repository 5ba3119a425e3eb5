/* Matching a new article's claims with stored candidates (from its event's
 * pool, or a scoped FTS5 query), running the conflict checks and storing
 * the conflicts kept. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* The claims_fts query for candidates of a claim with these keys: any of
 * them, in the same event (or, event_id 0, the time window), not from the
 * source of src_token; fills w with the idf of each key, the weights of
 * claimd_rank().  Returns NULL without keys or on error (see s->df_error). */
static char *claim_query(struct store *s, char *const *keys, size_t n, int64_t event_id,
                         const char *src_token, const struct article_request *req,
                         const struct event_options *eo, struct weights *w) {
        struct strbuf b = {};

        w->n = 0;
        if (n == 0)
                return NULL;
        /* The event token first: FTS5 then seeks the (long) term doclists
         * to the few rows of the event instead of walking them.  Its
         * phrase weighs 0 in claimd_rank(). */
        if (event_id > 0) {
                sb_printf(&b, "scope : ev%lld AND ", (long long) event_id);
                if (weights_push(w, 0) < 0)
                        b.oom = true;
        }
        /* Only the rarest keys: each costs a lookup in every FTS5 segment,
         * and common ones barely tell candidates apart. */
        struct ranked_term rk[64];
        size_t nk = n < 64 ? n : 64;
        for (size_t i = 0; i < nk; i++)
                rk[i] = (struct ranked_term) { keys[i], idf_cb(keys[i], s) };
        if (nk > 1)
                qsort(rk, nk, sizeof(rk[0]), ranked_cmp);
        if (nk > CLAIM_QUERY_TERMS)
                nk = CLAIM_QUERY_TERMS;
        sb_append(&b, "terms : (");
        for (size_t i = 0; i < nk; i++) {
                sb_append(&b, i ? " OR \"" : "\"");
                sb_append_token(&b, rk[i].term);
                sb_append(&b, "\"");
                if (weights_push(w, rk[i].score) < 0)
                        b.oom = true;
        }
        sb_append(&b, ")");
        if (event_id <= 0) {
                int64_t window = (int64_t) eo->window_hours * 3600;
                sb_append_window(&b, (int64_t) req->published - window,
                                 (int64_t) req->published + window);
        }
        sb_printf(&b, " NOT scope : %s", src_token);
        if (s->df_error) {
                free(b.s);
                return NULL;
        }
        return sb_steal(&b);
}

void pending_free(struct pending_conflict *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].res.explanation);
                free(p[i].own_source_a);
        }
        free(p);
}

int pending_cmp(const void *x, const void *y) {
        const struct pending_conflict *a = x, *b = y;
        if (a->res.score != b->res.score)
                return a->res.score < b->res.score ? 1 : -1;
        if (a->claim_b != b->claim_b)
                return a->claim_b < b->claim_b ? -1 : 1;
        return a->claim_a < b->claim_a ? -1 : a->claim_a > b->claim_a;
}

/* Runs a claims_fts candidate query (already restricted to other sources)
 * and puts the ids it found, best first, in ids.  Returns 0 or a negative
 * errno. */
static int fetch_candidates(struct store *s, const char *query, const struct weights *w, int limit,
                            int64_t *ids, size_t *nids) {
        sqlite3_stmt *st;
        int r, rc = SQLITE_DONE;

        *nids = 0;
        r = stmt_get(s, ST_CLAIM_CANDIDATES, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, query);
        sqlite3_bind_int(st, 2, limit);
        sqlite3_bind_blob(st, 3, w->w, (int) (w->n * sizeof(double)), SQLITE_STATIC);
        while (*nids < (size_t) limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
                ids[(*nids)++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                return store_errno(rc);
        return 0;
}

void checks_free(struct ingest_checks *k) {
        if (!k)
                return;
        pending_free(k->pend, k->npend);
        free(k->claim_ids);
        free(k->cand);
        free(k->ncand);
        free(k);
}

/* The candidates of each new claim among stored claims of other sources:
 * from the article's event, its newest max_event_claims_in_memory claims
 * ranked in memory in the event's pool; with
 * match_across_events (or no event), from the time window by one FTS5
 * query per claim.  claim_ids[i] is the stored id of ex->claims.items[i].
 * Makes *ret, the checks to run (store_checks_run()); 0 or a negative
 * errno. */
int checks_plan(struct store *s, const struct article_request *req, const struct extracted_article *ex,
                const struct ingest_options *o, int64_t article_id, int64_t event_id, const int64_t *claim_ids,
                struct ingest_prep *prep, const char *src_token, struct ingest_checks **ret) {
        size_t n = ex->claims.n;
        int limit = o->max_candidate_claims;
        bool across = o->match_across_events || event_id <= 0;
        int in_memory = o->max_event_claims_in_memory;
        struct scored *ranked = NULL;   /* pool candidates: limit per claim */
        struct weights w = {};
        int r = 0;

        assert(limit > 0 && limit <= MAX_CANDIDATE_CLAIMS && in_memory > 0 && o->max_conflicts_per_article > 0);
        struct ingest_checks *k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        *k = (struct ingest_checks) {
                .source = req->source, .ex = ex, .views = prep->views, .article_id = article_id,
                .event_id = event_id, .received = req->received, .n = n, .limit = (size_t) limit,
                .conflict = o->conflict,
                .max_per_claim = (size_t) o->max_conflicts_per_article,
                .result = -EAGAIN,      /* not run yet */
        };
        k->max_per_article = k->max_per_claim;
        k->claim_ids = malloc((n + 1) * sizeof(*k->claim_ids));
        k->cand = malloc((n * (size_t) limit + 1) * sizeof(*k->cand));
        k->ncand = calloc(n + 1, sizeof(*k->ncand));
        if (!k->claim_ids || !k->cand || !k->ncand) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(k->claim_ids, claim_ids, n * sizeof(*claim_ids));
        if (!across && n > 0) {
                struct event_pool *pool = pool_get(s, event_id, (size_t) in_memory, &r);
                if (r < 0)
                        goto out;
                ranked = calloc(n * (size_t) limit, sizeof(*ranked));
                if (!ranked) {
                        r = -ENOMEM;
                        goto out;
                }
                r = rank_pool(s, pool, prep->keys, prep->nkeys, n, req->source, (size_t) limit, ranked, k->ncand);
                for (size_t i = 0; i < n && r >= 0; i++)
                        for (size_t c = 0; c < k->ncand[i]; c++)
                                k->cand[i * (size_t) limit + c] = ranked[i * (size_t) limit + c].c->id;
        } else
                for (size_t i = 0; i < n && r >= 0; i++) {
                        char *q = claim_query(s, prep->keys[i], prep->nkeys[i], across ? 0 : event_id,
                                              src_token, req, &o->event, &w);
                        if (s->df_error)
                                r = s->df_error;
                        else if (q)
                                r = fetch_candidates(s, q, &w, limit, &k->cand[i * (size_t) limit], &k->ncand[i]);
                        free(q);
                }
out:
        free(ranked);
        free(w.w);
        if (r < 0) {
                checks_free(k);
                return r;
        }
        *ret = k;
        return 0;
}

/* Stores the conflicts kept (best first, at most max), filling ids[]. */
int insert_conflicts(struct store *s, struct pending_conflict *p, size_t n,
                     int64_t event_id, time_t now, int64_t *ids) {
        sqlite3_stmt *st;
        int r;

        for (size_t i = 0; i < n; i++) {
                r = stmt_get(s, ST_CONFLICT_INSERT, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, conflict_kind_to_string(p[i].res.kind) ?: "unknown");
                sqlite3_bind_double(st, 2, p[i].res.score);
                if (event_id > 0)
                        sqlite3_bind_int64(st, 3, event_id);
                sqlite3_bind_int64(st, 4, (int64_t) now);
                bind_text(st, 5, p[i].res.explanation);
                sqlite3_bind_int64(st, 6, p[i].claim_a);
                sqlite3_bind_int64(st, 7, p[i].claim_b);
                sqlite3_bind_int64(st, 8, p[i].article_a);
                sqlite3_bind_int64(st, 9, p[i].article_b);
                bind_text(st, 10, p[i].source_a);
                bind_text(st, 11, p[i].source_b);
                r = stmt_run(st);
                if (r < 0)
                        return r;
                ids[i] = sqlite3_last_insert_rowid(s->db);
                for (int side = 0; side < 2; side++) {
                        r = stmt_get(s, ST_CONFLICT_SOURCE_ADD, &st);
                        if (r < 0)
                                return r;
                        bind_text(st, 1, side ? p[i].source_b : p[i].source_a);
                        sqlite3_bind_int64(st, 2, ids[i]);
                        r = stmt_run(st);
                        if (r < 0)
                                return r;
                }
        }
        if (n > 0 && event_id > 0) {
                r = stmt_get(s, ST_EVENT_CONFLICT_ADD, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, event_id);
                sqlite3_bind_int64(st, 2, (int64_t) n);
                r = stmt_run(st);
                if (r < 0)
                        return r;
        }
        return 0;
}
