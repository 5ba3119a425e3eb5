/* Storing one article: what it needs that does not depend on the store
 * (ingest_prep), the transaction that writes it with its claims, event and
 * conflicts, and the writer's group commit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/claim-json.h"
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

/* Everything store_ingest writes, inside the caller's transaction. */
static int ingest_body(struct store *s, const struct article_request *req,
                       const struct extracted_article *ex, const struct ingest_options *o,
                       struct ingest_result *res) {
        struct ranked_term *rt = NULL;
        struct termvec tv = {};
        struct pending_conflict *pend = NULL;
        size_t npend = 0, n = ex->claims.n;
        int64_t *claim_ids = NULL;
        struct ingest_prep *own_prep = NULL, *prep = req->prep;
        char *terms_ser = NULL, *fts_doc = NULL, *scope = NULL;
        char src_token[18], hash[33];
        sqlite3_stmt *st;
        int64_t event_id = 0;
        bool created = false;
        int r;

        s->df_error = 0;
        if (!prep || prep->ex != ex) {
                r = ingest_prep_new(ex, &own_prep);
                if (r < 0)
                        goto out;
                prep = own_prep;
        }
        r = load_n_docs(s);
        if (r < 0)
                goto out;

        r = sublinear_copy(&ex->terms, &tv);
        if (r < 0)
                goto out;
        rt = rank_terms(s, &tv, &r);
        if (r < 0)
                goto out;

        r = assign_event(s, req, &o->event, rt, tv.n, ex, &tv, &event_id, &created);
        if (r < 0)
                goto out;

        /* The article and its FTS document (the heaviest terms). */
        struct strbuf b = {};
        size_t nf = tv.n < ARTICLE_FTS_TERMS ? tv.n : ARTICLE_FTS_TERMS;
        for (size_t i = 0; i < nf; i++) {
                if (i)
                        sb_append(&b, " ");
                sb_append_token(&b, rt[i].term);
        }
        fts_doc = sb_steal(&b);
        source_token(req->source, src_token);
        int64_t day = floor_div((int64_t) req->published, 86400);
        int64_t week = floor_div((int64_t) req->published, 7 * 86400);
        sb_append_period(&b, "d", day);
        sb_append_period(&b, " w", week);
        sb_printf(&b, " %s", src_token);
        scope = sb_steal(&b);
        r = termvec_serialize(&ex->terms, &terms_ser);
        if (r < 0)
                goto out;
        if (!fts_doc || !scope) {
                r = -ENOMEM;
                goto out;
        }
        content_hash(req, hash);

        r = stmt_get(s, ST_ARTICLE_INSERT, &st);
        if (r < 0)
                goto out;
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
                goto out;
        int64_t article_id = sqlite3_last_insert_rowid(s->db);

        /* Claims. */
        free(scope);
        sb_append_period(&b, "d", day);
        sb_append_period(&b, " w", week);
        sb_printf(&b, " %s ev%lld", src_token, (long long) event_id);
        scope = sb_steal(&b);
        claim_ids = calloc(n + 1, sizeof(*claim_ids));
        if (!scope || !claim_ids) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                const struct claim *c = &ex->claims.items[i];
                r = stmt_get(s, ST_CLAIM_INSERT, &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, article_id);
                        sqlite3_bind_int64(st, 2, (int64_t) i);
                        bind_text(st, 3, c->field == CLAIM_FIELD_TITLE ? "title" : "text");
                        sqlite3_bind_text(st, 4, prep->data[i], -1, SQLITE_STATIC);
                        bind_text(st, 5, c->speaker);
                        sqlite3_bind_text(st, 6, prep->docs[i], -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 7, scope, -1, SQLITE_STATIC);
                        r = stmt_run(st);
                }
                if (r < 0)
                        goto out;
                claim_ids[i] = sqlite3_last_insert_rowid(s->db);
        }
        /* All of the article's claims enter claims_fts in one statement:
         * one FTS5 segment per article (see migration 2). */
        if (n > 0) {
                r = run_with_id(s, ST_CLAIMS_FTS_INSERT, article_id);
                if (r < 0)
                        goto out;
        }

        /* Conflicts. */
        r = match_article(s, req, ex, o, article_id, event_id, claim_ids, prep, src_token,
                          &pend, &npend);
        if (r < 0)
                goto out;
        /* later articles of the event find these claims in its pool */
        struct event_pool *pool = pool_find(s, event_id);
        uint64_t own = source_hash(req->source);
        for (size_t i = 0; pool && i < n && r >= 0; i++)
                r = pool_append(pool, claim_ids[i], own, prep->data_hash[i], prep->docs[i]);
        if (r < 0)
                goto out;
        r = drop_dismissed(s, pend, &npend);
        if (r < 0)
                goto out;
        if (npend > 1)
                qsort(pend, npend, sizeof(*pend), pending_cmp);
        size_t max = o->max_conflicts_per_article > 0 ? (size_t) o->max_conflicts_per_article : 10;
        size_t keep = npend < max ? npend : max;
        res->conflict_ids = calloc(keep + 1, sizeof(int64_t));
        if (!res->conflict_ids) {
                r = -ENOMEM;
                goto out;
        }
        r = insert_conflicts(s, pend, keep, event_id, req->received, res->conflict_ids);
        if (r < 0)
                goto out;

        r = df_add_article(s, &ex->terms);
        if (r < 0)
                goto out;
        r = counters_add(s, 1, (int64_t) n, created ? 1 : 0, (int64_t) keep);
        if (r < 0)
                goto out;

        res->article_id = article_id;
        res->event_id = event_id;
        res->n_claims = (int) n;
        res->n_conflicts = keep;
out:
        if (r < 0) {
                free(res->conflict_ids);
                res->conflict_ids = NULL;
        }
        pending_free(pend, npend);
        ingest_prep_free(own_prep);
        free(claim_ids);
        free(rt);
        termvec_clear(&tv);
        free(terms_ser);
        free(fts_doc);
        free(scope);
        return r;
}

int store_ingest(struct store *s, const struct article_request *req,
                 const struct extracted_article *ex, const struct ingest_options *o,
                 struct ingest_result *ret) {
        struct ingest_result res = {};
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
                res.article_id = dup;
                res.duplicate = true;
                /* report the event the stored article belongs to */
                sqlite3_stmt *st;
                r = stmt_get(s, ST_ARTICLE_GET, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, dup);
                if (sqlite3_step(st) == SQLITE_ROW)
                        res.event_id = sqlite3_column_int64(st, 7);
                sqlite3_reset(st);
                int64_t nc = 0;
                r = stmt_get(s, ST_ARTICLE_CLAIM_COUNT, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, dup);
                r = stmt_int64(st, &nc);
                if (r < 0)
                        goto fail;
                res.n_claims = (int) nc;
                r = exec_simple(s, s->in_batch ? ST_RELEASE : ST_COMMIT);
                if (r < 0)
                        goto fail;
                *ret = res;
                return 0;
        }

        r = ingest_body(s, req, ex, o, &res);
        if (r < 0)
                goto fail;
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
        *ret = res;
        return 0;
fail:
        free(res.conflict_ids);
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

int store_batch_end(struct store *s, bool commit) {
        if (!s || !s->in_batch)
                return -EINVAL;
        s->in_batch = false;
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
        o->event.min_similarity = 0.25;
        o->event.window_hours = 72;
        o->event.max_candidates = 20;
        conflict_options_default(&o->conflict);
        o->max_candidate_claims = 20;
        o->max_conflicts_per_article = 10;
        o->match_across_events = false;
}
