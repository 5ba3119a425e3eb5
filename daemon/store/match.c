/* Matching a new article's claims with stored candidates (from its event's
 * pool, or a scoped FTS5 query), running the conflict checks and storing
 * the conflicts kept. */
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
                int64_t window = (int64_t) (eo->window_hours > 0 ? eo->window_hours : 72) * 3600;
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
 * and puts the cache index of each usable candidate in sel.  Returns 0 or a
 * negative errno. */
static int fetch_candidates(struct store *s, const char *query, const struct weights *w,
                            const char *source, int limit, struct cached_claim **sel, size_t *nsel) {
        int64_t ids[MAX_CANDIDATE_CLAIMS];
        size_t nids = 0;
        sqlite3_stmt *st;
        int r, rc = SQLITE_DONE;

        *nsel = 0;
        r = stmt_get(s, ST_CLAIM_CANDIDATES, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, query);
        sqlite3_bind_int(st, 2, limit);
        sqlite3_bind_blob(st, 3, w->w, (int) (w->n * sizeof(double)), SQLITE_STATIC);
        while (nids < (size_t) limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
                ids[nids++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                return store_errno(rc);
        for (size_t i = 0; i < nids; i++) {
                r = claim_get(s, ids[i], source, &sel[*nsel]);
                if (r < 0)
                        return r;
                if (r > 0)
                        (*nsel)++;
        }
        return 0;
}

/* Matches each new claim against earlier claims of the same article and
 * against stored claims of other sources; appends the conflicts found to
 * *pend.  claim_ids[i] is the stored id of ex->claims.items[i].  Candidates
 * come from the article's event: its newest max_event_claims_in_memory
 * claims (EVENT_CLAIMS_MAX by default), ranked in memory in the event's
 * pool; with match_across_events, from the time window by one FTS5 query
 * per claim. */
int match_article(struct store *s, const struct article_request *req,
                  const struct extracted_article *ex, const struct ingest_options *o,
                  int64_t article_id, int64_t event_id, const int64_t *claim_ids,
                  struct ingest_prep *prep, const char *src_token,
                  struct pending_conflict **pend, size_t *npend) {
        char **const *keys = prep->keys;
        const size_t *nkeys = prep->nkeys;
        struct conflict_view *const *own = prep->views;
        struct event_pool *pool = NULL;
        struct scored *ranked = NULL;   /* pool candidates: limit per claim */
        size_t *nranked = NULL;
        struct weights w = {};
        size_t n = ex->claims.n;
        int limit = o->max_candidate_claims > 0 ? o->max_candidate_claims : 20;
        size_t max = o->max_conflicts_per_article > 0 ? (size_t) o->max_conflicts_per_article : 10;
        bool across = o->match_across_events || event_id <= 0;
        int in_memory = o->max_event_claims_in_memory > 0 ?
                o->max_event_claims_in_memory : EVENT_CLAIMS_MAX;
        struct cached_claim *sel[MAX_CANDIDATE_CLAIMS];
        struct claim_source *cs = calloc(MAX_CANDIDATE_CLAIMS + n + 1, sizeof(*cs));
        struct conflict_view **va = calloc(MAX_CANDIDATE_CLAIMS + n + 1, sizeof(*va));
        int r = 0;

        if (limit > MAX_CANDIDATE_CLAIMS)
                limit = MAX_CANDIDATE_CLAIMS;
        if (!cs || !va) {
                r = -ENOMEM;
                goto out;
        }
        if (!across && n > 0) {
                pool = pool_get(s, event_id, (size_t) in_memory, &r);
                if (r < 0)
                        goto out;
                ranked = calloc(n * (size_t) limit, sizeof(*ranked));
                nranked = calloc(n, sizeof(*nranked));
                if (!ranked || !nranked) {
                        r = -ENOMEM;
                        goto out;
                }
                r = rank_pool(s, pool, keys, nkeys, n, req->source, (size_t) limit, ranked, nranked);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                struct claim_conflict *res = NULL;
                size_t nres = 0, nsel = 0;

                if (pool) {
                        for (size_t k = 0; k < nranked[i] && r >= 0; k++) {
                                r = claim_get(s, ranked[i * (size_t) limit + k].c->id, req->source, &sel[nsel]);
                                if (r > 0)
                                        nsel++;
                        }
                        if (r > 0)
                                r = 0;
                }
                else {
                        char *q = claim_query(s, keys[i], nkeys[i], across ? 0 : event_id,
                                              src_token, req, &o->event, &w);
                        if (s->df_error)
                                r = s->df_error;
                        else if (q)
                                r = fetch_candidates(s, q, &w, req->source, limit, sel, &nsel);
                        free(q);
                }
                if (r < 0)
                        break;
                size_t ncs = nsel + i;
                if (ncs == 0)
                        continue;
                /* a side: older claims first (stored ones, then earlier ones of
                 * this article); b side: the new claim. */
                for (size_t k = 0; k < nsel && r >= 0; k++) {
                        cs[k] = (struct claim_source) { &sel[k]->parsed->claim, sel[k]->source, NULL };
                        r = cached_claim_view(sel[k], &va[k]);
                }
                if (r < 0)
                        break;
                for (size_t k = 0; k < i; k++) {
                        cs[nsel + k] = (struct claim_source) { &ex->claims.items[k], req->source, NULL };
                        va[nsel + k] = own[k];
                }
                struct claim_source me = { &ex->claims.items[i], req->source, NULL };
                r = match_claims_prepared(cs, va, ncs, &me, &own[i], 1, &o->conflict, max, &res, &nres);
                if (r < 0)
                        break;
                for (size_t k = 0; k < nres && r >= 0; k++) {
                        struct pending_conflict *np = realloc(*pend, (*npend + 1) * sizeof(*np));
                        if (!np) {
                                r = -ENOMEM;
                                break;
                        }
                        *pend = np;
                        struct pending_conflict *p = &np[(*npend)++];
                        size_t a = res[k].a;
                        memset(p, 0, sizeof(*p));
                        p->res = res[k].result;
                        res[k].result.explanation = NULL;       /* moved */
                        p->claim_b = claim_ids[i];
                        p->article_b = article_id;
                        p->source_b = req->source;
                        if (a < nsel) {
                                const struct cached_claim *c = sel[a];
                                p->claim_a = c->id;
                                p->article_a = c->article_id;
                                p->own_source_a = strdup(c->source);
                                p->source_a = p->own_source_a;
                                if (!p->own_source_a)
                                        r = -ENOMEM;
                        } else {
                                p->claim_a = claim_ids[a - nsel];
                                p->article_a = article_id;
                                p->source_a = req->source;
                        }
                        if (r >= 0 && pair_key(p->source_a, cs[a].claim->text, p->source_b, me.claim->text,
                                               p->pair) < 0)
                                r = -ENOMEM;
                }
                claim_conflicts_free(res, nres);
        }
out:
        free(ranked);
        free(nranked);
        free(va);
        free(cs);
        free(w.w);
        return r;
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
