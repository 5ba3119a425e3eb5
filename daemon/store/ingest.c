/* Storing one article: what it needs that does not depend on the store
 * (ingest_prep), the transaction that writes it with its claims, event and
 * conflicts, and the writer's group commit. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/claim-json.h"
#include "common/cleanup.h"
#include "store-internal.h"

void ingest_prep_free(struct ingest_prep *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                if (p->data)
                        free(p->data[i]);
                if (p->docs)
                        free(p->docs[i]);
                if (p->keys)
                        keys_free(p->keys[i], p->nkeys[i]);
        }
        free(p->data);
        free(p->data_hash);
        free(p->keys);
        free(p->nkeys);
        free(p->docs);
        free(p);
}

int ingest_prep_new(const struct extracted_article *ex, struct ingest_prep **ret) {
        struct ingest_prep *p = calloc(1, sizeof(*p));
        size_t n = ex ? ex->claims.n : 0;
        int r = 0;

        if (!ex || !ret || (n > 0 && !ex->views)) {
                free(p);
                return -EINVAL;
        }
        if (!p)
                return -ENOMEM;
        p->ex = ex;
        p->n = n;
        p->data = calloc(n + 1, sizeof(*p->data));
        p->data_hash = calloc(n + 1, sizeof(*p->data_hash));
        p->keys = calloc(n + 1, sizeof(*p->keys));
        p->nkeys = calloc(n + 1, sizeof(*p->nkeys));
        p->docs = calloc(n + 1, sizeof(*p->docs));
        p->views = ex->views;
        if (!p->data || !p->data_hash || !p->keys || !p->nkeys || !p->docs)
                r = -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const struct claim *c = &ex->claims.items[i];
                json_t *j = claim_to_json(c);
                p->data[i] = j ? json_dumps(j, JSON_COMPACT) : NULL;
                json_decref(j);
                if (claim_keys(c, &p->keys[i], &p->nkeys[i]) >= 0)
                        p->docs[i] = claim_fts_terms(p->keys[i], p->nkeys[i]);
                if (!p->data[i] || !p->docs[i]) {
                        r = -ENOMEM;
                        break;
                }
                p->data_hash[i] = token_hash(p->data[i], strlen(p->data[i]));
        }
        if (r < 0) {
                ingest_prep_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

static void termvec_clearp(struct termvec *v) {
        termvec_clear(v);
}

static void ingest_prep_freep(struct ingest_prep **p) {
        ingest_prep_free(*p);
}

/* The article's row and its FTS document (its heaviest terms, rt), in
 * event event_id; fills *ret_id.  0 or a negative errno. */
static int article_insert(struct store *s, const struct article_request *req, const struct extracted_article *ex,
                          const struct ranked_term *rt, size_t nt, int64_t event_id, const char *src_token,
                          int64_t *ret_id) {
        _cleanup_free_ char *terms_ser = NULL, *fts_doc = NULL, *scope = NULL;
        struct strbuf b = {};
        char hash[33];
        sqlite3_stmt *st;

        for (size_t i = 0; i < nt && i < ARTICLE_FTS_TERMS; i++) {
                if (i)
                        sb_append(&b, " ");
                sb_append_token(&b, rt[i].term);
        }
        fts_doc = sb_steal(&b);
        sb_append_period(&b, "d", floor_div((int64_t) req->published, 86400));
        sb_append_period(&b, " w", floor_div((int64_t) req->published, 7 * 86400));
        sb_printf(&b, " %s", src_token);
        scope = sb_steal(&b);
        int r = termvec_serialize(&ex->terms, &terms_ser);
        if (r < 0)
                return r;
        if (!fts_doc || !scope)
                return -ENOMEM;
        content_hash(req, hash);

        r = stmt_get(s, ST_ARTICLE_INSERT, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, req->source);
        bind_text(st, 2, req->url && req->url[0] ? req->url : NULL);
        bind_text(st, 3, hash);
        bind_text(st, 4, ex->title ? ex->title : "");
        bind_text(st, 5, ex->text ? ex->text : "");
        sqlite3_bind_int64(st, 6, (int64_t) req->published);
        sqlite3_bind_int64(st, 7, (int64_t) req->received);
        sqlite3_bind_int64(st, 8, event_id);
        bind_text(st, 9, req->lang);
        bind_text(st, 10, terms_ser);
        bind_text(st, 11, fts_doc);
        bind_text(st, 12, scope);
        r = stmt_run(st);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

/* The article's claims (as prep holds them) and their FTS rows; fills
 * ids[i] with the id of claim i.  0 or a negative errno. */
static int claims_insert(struct store *s, const struct article_request *req, const struct extracted_article *ex,
                         const struct ingest_prep *prep, int64_t article_id, int64_t event_id,
                         const char *src_token, int64_t *ids) {
        struct strbuf b = {};
        sqlite3_stmt *st;

        sb_append_period(&b, "d", floor_div((int64_t) req->published, 86400));
        sb_append_period(&b, " w", floor_div((int64_t) req->published, 7 * 86400));
        sb_printf(&b, " %s ev%lld", src_token, (long long) event_id);
        _cleanup_free_ char *scope = sb_steal(&b);
        if (!scope)
                return -ENOMEM;
        for (size_t i = 0; i < ex->claims.n; i++) {
                const struct claim *c = &ex->claims.items[i];
                int r = stmt_get(s, ST_CLAIM_INSERT, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, article_id);
                sqlite3_bind_int64(st, 2, (int64_t) i);
                bind_text(st, 3, c->field == CLAIM_FIELD_TITLE ? "title" : "text");
                sqlite3_bind_text(st, 4, prep->data[i], -1, SQLITE_STATIC);
                bind_text(st, 5, c->speaker);
                sqlite3_bind_text(st, 6, prep->docs[i], -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 7, scope, -1, SQLITE_STATIC);
                r = stmt_run(st);
                if (r < 0)
                        return r;
                ids[i] = sqlite3_last_insert_rowid(s->db);
        }
        /* All of the article's claims enter claims_fts in one statement:
         * one FTS5 segment per article (see migration 2). */
        return ex->claims.n > 0 ? run_with_id(s, ST_CLAIMS_FTS_INSERT, article_id) : 0;
}

/* Everything store_ingest() writes but the conflicts, inside the caller's
 * transaction, leaving the checks in res->checks; the ingest_prep it made
 * itself goes to *ret_owned when the checks are deferred (they borrow it),
 * else it is freed here. */
static int ingest_body(struct store *s, const struct article_request *req,
                       const struct extracted_article *ex, const struct ingest_options *o,
                       struct ingest_result *res, struct ingest_prep **ret_owned) {
        _cleanup_(termvec_clearp) struct termvec tv = {};
        _cleanup_(ingest_prep_freep) struct ingest_prep *own_prep = NULL;
        _cleanup_free_ struct ranked_term *rt = NULL;
        _cleanup_free_ int64_t *claim_ids = NULL;
        struct ingest_prep *prep = req->prep;
        size_t n = ex->claims.n;
        char src_token[18];
        int64_t event_id = 0, article_id = 0;
        bool created = false;
        int r;

        s->df_error = 0;
        if (!prep || prep->ex != ex) {
                r = ingest_prep_new(ex, &own_prep);
                if (r < 0)
                        return r;
                prep = own_prep;
        }
        if ((r = load_n_docs(s)) < 0 || (r = sublinear_copy(&ex->terms, &tv)) < 0)
                return r;
        rt = rank_terms(s, &tv, &r);
        if (r < 0)
                return r;
        r = assign_event(s, req, &o->event, rt, tv.n, ex, &tv, &event_id, &created);
        if (r < 0)
                return r;
        source_token(req->source, src_token);
        claim_ids = calloc(n + 1, sizeof(*claim_ids));
        if (!claim_ids)
                return -ENOMEM;
        if ((r = article_insert(s, req, ex, rt, tv.n, event_id, src_token, &article_id)) < 0 ||
            (r = claims_insert(s, req, ex, prep, article_id, event_id, src_token, claim_ids)) < 0)
                return r;

        /* Conflicts: the candidates now; the checks later (store_checks_run(),
         * maybe on another thread), their conflicts in finish_conflicts(). */
        r = checks_plan(s, req, ex, o, article_id, event_id, claim_ids, prep, src_token, &res->checks);
        if (r < 0)
                return r;
        /* later articles of the event find these claims in its pool */
        struct event_pool *pool = pool_find(s, event_id);
        uint64_t own = source_hash(req->source);
        for (size_t i = 0; pool && i < n && r >= 0; i++)
                r = pool_append(pool, claim_ids[i], own, prep->data_hash[i], prep->docs[i]);
        if (r >= 0)
                r = df_add_article(s, &ex->terms);
        if (r >= 0)
                r = counters_add(s, 1, (int64_t) n, created ? 1 : 0, 0);
        if (r < 0) {
                checks_free(TAKE_PTR(res->checks));
                return r;
        }
        if (s->defer_checks)
                *ret_owned = TAKE_PTR(own_prep);        /* the checks run later and borrow it */
        res->article_id = article_id;
        res->event_id = event_id;
        res->n_claims = (int) n;
        return 0;
}

/* The conflicts k found, as today's rules keep them: none of a dismissed
 * pair, the best max_per_article, stored with the counts that go with them
 * (inside the caller's transaction); fills res's conflict fields. */
static int finish_conflicts(struct store *s, struct ingest_checks *k, struct ingest_result *res) {
        int r = drop_dismissed(s, k->pend, &k->npend);
        if (r < 0)
                return r;
        if (k->npend > 1)
                qsort(k->pend, k->npend, sizeof(*k->pend), pending_cmp);
        size_t keep = k->npend < k->max_per_article ? k->npend : k->max_per_article;
        int64_t *ids = calloc(keep + 1, sizeof(*ids));
        if (!ids)
                return -ENOMEM;
        r = insert_conflicts(s, k->pend, keep, k->event_id, k->received, ids);
        if (r >= 0 && keep > 0)
                r = counters_add(s, 0, 0, 0, (int64_t) keep);
        if (r < 0) {
                free(ids);
                return r;
        }
        free(res->conflict_ids);
        res->conflict_ids = ids;
        res->n_conflicts = keep;
        return 0;
}

/* What store_ingest() reports for a duplicate of stored article dup: its
 * event and claim count. */
static int duplicate_result(struct store *s, int64_t dup, struct ingest_result *res) {
        sqlite3_stmt *st;
        int64_t nc = 0;

        res->article_id = dup;
        res->duplicate = true;
        int r = stmt_get(s, ST_ARTICLE_GET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, dup);
        if (sqlite3_step(st) == SQLITE_ROW)
                res->event_id = sqlite3_column_int64(st, 7);
        sqlite3_reset(st);
        r = stmt_get(s, ST_ARTICLE_CLAIM_COUNT, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, dup);
        r = stmt_int64(st, &nc);
        if (r < 0)
                return r;
        res->n_claims = (int) nc;
        return 0;
}

/* Records a stored article of a deferred batch for the checks of the
 * batch's later articles, which need its claims before any other
 * connection can read them (COMMIT); owned (the ingest_prep the store made,
 * or NULL) is freed at the batch's end. */
static void batch_article_add(struct store *s, const struct article_request *req,
                              const struct extracted_article *ex, struct ingest_prep *owned,
                              struct ingest_result *res) {
        struct ingest_prep *prep = owned ? owned : req->prep;
        size_t n = ex->claims.n;
        const int64_t *ids = res->checks->claim_ids;

        /* the ids of an article's claims follow each other (AUTOINCREMENT,
         * one insert after the other in one transaction) */
        assert(n == 0 || ids[n - 1] - ids[0] == (int64_t) n - 1);
        s->batch_articles[s->n_batch_articles++] = (struct batch_article) {
                res->article_id, n ? ids[0] : 0, n, req->source, prep->data, owned,
        };
        res->checks->local = s->batch_articles;
        res->checks->nlocal = s->n_batch_articles - 1;
        s->checks_unfinished++;
}

int store_ingest(struct store *s, const struct article_request *req,
                 const struct extracted_article *ex, const struct ingest_options *o,
                 struct ingest_result *ret) {
        struct ingest_result res = {};
        struct ingest_prep *owned = NULL;
        int64_t dup = 0;
        int r;

        if (!s || !req || !req->source || !ex || !o || !ret || (ex->claims.n > 0 && !ex->views))
                return -EINVAL;
        if (s->readonly)
                return -EROFS;
        if (s->file_lost) {
                note_error(s, -ESTALE);
                return -ESTALE;
        }
        if (s->in_batch && (s->batch_lost || sqlite3_get_autocommit(s->db))) {
                /* the batch's transaction is gone: nothing may join a new one
                 * that store_batch_end() would then commit as if whole */
                s->batch_lost = true;
                return -EIO;
        }

        s->gen++;
        s->errmsg[0] = 0;
        r = exec_simple(s, s->in_batch ? ST_SAVEPOINT : ST_BEGIN);
        if (r < 0)
                return r;

        r = store_find_duplicate(s, req, &dup);
        if (r < 0)
                goto fail;
        if (r > 0) {
                r = duplicate_result(s, dup, &res);
                if (r < 0 || (r = exec_simple(s, s->in_batch ? ST_RELEASE : ST_COMMIT)) < 0)
                        goto fail;
                *ret = res;
                return 0;
        }

        if (s->defer_checks && s->n_batch_articles == BATCH_ARTICLES_MAX) {
                r = -E2BIG;
                goto fail;
        }
        r = ingest_body(s, req, ex, o, &res, &owned);
        if (r < 0)
                goto fail;
        if (!s->defer_checks) {
                r = store_checks_run(res.checks, s, &s->cc);
                if (r >= 0)
                        r = finish_conflicts(s, res.checks, &res);
                checks_free(res.checks);
                res.checks = NULL;
                if (r < 0)
                        goto fail;
        }
        if (!s->in_batch && store_file_state(s) < 0) {
                r = -ESTALE;
                goto fail;
        }
        if (!s->in_batch && (r = df_flush(s)) < 0)
                goto fail;
        s->df_added = 0;
        r = exec_simple(s, s->in_batch ? ST_RELEASE : ST_COMMIT);
        if (r < 0)
                goto fail;
        if (s->defer_checks)
                batch_article_add(s, req, ex, owned, &res);
        *ret = res;
        return 0;
fail:
        free(res.conflict_ids);
        checks_free(res.checks);
        ingest_prep_free(owned);
        note_error(s, r);
        if (s->in_batch) {
                if (sqlite3_get_autocommit(s->db) || exec_simple(s, ST_ROLLBACK_TO) < 0 ||
                    exec_simple(s, ST_RELEASE) < 0)
                        s->batch_lost = true;
                df_pending_undo(s, &ex->terms);
        } else {
                if (!sqlite3_get_autocommit(s->db))
                        exec_simple(s, ST_ROLLBACK);
                df_pending_clear(s);
        }
        /* cached document frequencies, claims, ... may hold rolled-back rows */
        caches_clear(s);
        return r;
}

int store_batch_begin(struct store *s) {
        if (!s || s->readonly)
                return -EINVAL;
        if (s->in_batch)
                return -EBUSY;
        int r = exec_simple(s, ST_BEGIN);
        if (r < 0)
                return r;
        s->in_batch = true;
        s->batch_lost = false;
        return 0;
}

int store_batch_begin_deferred(struct store *s) {
        int r = store_batch_begin(s);
        if (r >= 0)
                s->defer_checks = true;
        return r;
}

int store_ingest_finish(struct store *s, struct ingest_checks *k, struct claim_cache *cc,
                        struct ingest_result *ret) {
        if (!s || !k || !cc || !ret || !s->defer_checks || s->checks_unfinished == 0)
                return -EINVAL;
        s->checks_unfinished--;
        /* not run, or failed (another thread's connection, memory): here,
         * through the writer's own connection, which sees the batch */
        int r = k->result < 0 ? store_checks_run(k, s, cc) : 0;
        if (r >= 0 && !s->batch_lost && !sqlite3_get_autocommit(s->db)) {
                r = exec_simple(s, ST_SAVEPOINT);
                if (r >= 0) {
                        r = finish_conflicts(s, k, ret);
                        if (r >= 0)
                                r = exec_simple(s, ST_RELEASE);
                        else if (exec_simple(s, ST_ROLLBACK_TO) < 0 || exec_simple(s, ST_RELEASE) < 0)
                                s->batch_lost = true;
                }
        } else if (r >= 0)
                r = -EIO;
        if (r < 0) {
                /* the article is stored but its conflicts are not: the batch
                 * must not commit */
                note_error(s, r);
                s->batch_lost = true;
        }
        checks_free(k);
        ret->checks = NULL;
        return r;
}

/* Forgets what the batch's deferred checks borrowed. */
static void batch_articles_clear(struct store *s) {
        for (size_t i = 0; i < s->n_batch_articles; i++)
                ingest_prep_free(s->batch_articles[i].owned);
        s->n_batch_articles = 0;
        s->defer_checks = false;
}

int store_batch_end(struct store *s, bool commit) {
        if (!s || !s->in_batch)
                return -EINVAL;
        s->in_batch = false;
        if (s->checks_unfinished > 0) {
                /* articles without their conflicts: never committed */
                s->batch_lost = true;
                s->checks_unfinished = 0;
        }
        batch_articles_clear(s);
        if (s->batch_lost) {
                s->batch_lost = false;
                if (!sqlite3_get_autocommit(s->db))
                        exec_simple(s, ST_ROLLBACK);
                df_pending_clear(s);
                caches_clear(s);
                return -EIO;
        }
        /* never acknowledge into a file that is no longer at the path */
        if (commit && store_file_state(s) < 0)
                commit = false;
        int r = 0;
        if (commit && (r = df_flush(s)) < 0)
                commit = false;
        df_pending_clear(s);
        int k = exec_simple(s, commit ? ST_COMMIT : ST_ROLLBACK);
        if (r == 0)
                r = k;
        if (r == 0 && s->file_lost)
                r = -ESTALE;
        if (r < 0)
                note_error(s, r);
        if (r < 0 || !commit) {
                if (!sqlite3_get_autocommit(s->db))
                        exec_simple(s, ST_ROLLBACK);
                caches_clear(s);
        }
        return r;
}

void ingest_options_default(struct ingest_options *o) {
        memset(o, 0, sizeof(*o));
        o->event.min_similarity = DEFAULT_EVENT_MIN_SIMILARITY;
        conflict_options_default(&o->conflict);
        o->match_across_events = false;
        ingest_options_resolve(o);
}

void ingest_options_resolve(struct ingest_options *o) {
        if (o->event.window_hours <= 0)
                o->event.window_hours = DEFAULT_EVENT_WINDOW_HOURS;
        if (o->event.max_candidates <= 0)
                o->event.max_candidates = DEFAULT_EVENT_MAX_CANDIDATES;
        if (o->max_candidate_claims <= 0)
                o->max_candidate_claims = DEFAULT_MAX_CANDIDATE_CLAIMS;
        if (o->max_candidate_claims > MAX_CANDIDATE_CLAIMS)
                o->max_candidate_claims = MAX_CANDIDATE_CLAIMS;
        if (o->max_conflicts_per_article <= 0)
                o->max_conflicts_per_article = DEFAULT_MAX_CONFLICTS_PER_ARTICLE;
        if (o->max_event_claims_in_memory <= 0)
                o->max_event_claims_in_memory = DEFAULT_EVENT_CLAIMS_IN_MEMORY;
}
