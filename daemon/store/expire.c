/* Retention: deleting articles received before a cutoff, with their claims,
 * conflicts, document frequencies and event counts, in bounded batches. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "store-internal.h"

/* Deletes one article with its claims, the conflicts that involve it, its
 * document frequencies and its share of its event. */
static void termvec_clearp(struct termvec *v) {
        termvec_clear(v);
}

/* Deletes the conflicts that involve article id, in both directions, with
 * their source index rows and event counts; counts them in *n_conflicts. */
static int expire_conflicts(struct store *s, int64_t id, int64_t *n_conflicts) {
        sqlite3_stmt *st;
        for (;;) {
                int64_t cid = 0, cev = 0;
                _cleanup_free_ char *sa = NULL, *sb = NULL;
                int r = stmt_get(s, ST_EXPIRE_CONFLICTS, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, id);
                int rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        cid = sqlite3_column_int64(st, 0);
                        sa = strdup(column_text(st, 1) ?: "");
                        sb = strdup(column_text(st, 2) ?: "");
                        cev = sqlite3_column_int64(st, 3);
                }
                sqlite3_reset(st);
                if (rc == SQLITE_DONE)
                        return 0;
                if (rc != SQLITE_ROW)
                        return store_errno(rc);
                if (!sa || !sb)
                        return -ENOMEM;
                for (int side = 0; side < 2 && r >= 0; side++) {
                        r = stmt_get(s, ST_DELETE_CONFLICT_SOURCE, &st);
                        if (r >= 0) {
                                bind_text(st, 1, side ? sb : sa);
                                sqlite3_bind_int64(st, 2, cid);
                                r = stmt_run(st);
                        }
                }
                if (r >= 0)
                        r = run_with_id(s, ST_DELETE_CONFLICT, cid);
                if (r >= 0 && cev > 0 && (r = stmt_get(s, ST_EVENT_CONFLICT_ADD, &st)) >= 0) {
                        sqlite3_bind_int64(st, 1, cev);
                        sqlite3_bind_int64(st, 2, -1);
                        r = stmt_run(st);
                }
                if (r < 0)
                        return r;
                (*n_conflicts)++;
        }
}

/* Takes the departed article's terms (as stored) out of the document
 * frequencies, dropping terms no article holds any more. */
static int expire_df(struct store *s, const char *terms) {
        _cleanup_(termvec_clearp) struct termvec tv = {};
        sqlite3_stmt *st;
        int r;

        if (!terms || termvec_parse(terms, &tv) < 0)
                return 0;
        for (size_t i = 0; i < tv.n; i++) {
                if (i > 0 && strcmp(tv.items[i].term, tv.items[i - 1].term) == 0)
                        continue;
                if ((r = stmt_get(s, ST_DF_DEC, &st)) < 0)
                        return r;
                bind_text(st, 1, tv.items[i].term);
                if ((r = stmt_run(st)) < 0 || (r = stmt_get(s, ST_DF_PRUNE, &st)) < 0)
                        return r;
                bind_text(st, 1, tv.items[i].term);
                if ((r = stmt_run(st)) < 0)
                        return r;
        }
        return 0;
}

/* The event: one article fewer, maybe one source fewer, maybe gone.  Its
 * centroid keeps the departed article's terms: it only steers which future
 * articles join, and ages out as they do. */
static int expire_event(struct store *s, int64_t event_id, const char *source, int64_t *n_events) {
        sqlite3_stmt *st;
        int64_t left = 0;
        int r;

        if ((r = run_with_id(s, ST_EVENT_SHRINK, event_id)) < 0 || (r = stmt_get(s, ST_EVENT_SOURCE_LEFT, &st)) < 0)
                return r;
        sqlite3_bind_int64(st, 1, event_id);
        bind_text(st, 2, source);
        if ((r = stmt_int64(st, &left)) < 0)
                return r;
        if (r == 0) {
                if ((r = stmt_get(s, ST_EVENT_SOURCE_DELETE, &st)) < 0)
                        return r;
                sqlite3_bind_int64(st, 1, event_id);
                bind_text(st, 2, source);
                if ((r = stmt_run(st)) < 0)
                        return r;
                if (sqlite3_changes(s->db) > 0 && (r = run_with_id(s, ST_EVENT_SOURCE_DROP, event_id)) < 0)
                        return r;
        }
        if ((r = run_with_id(s, ST_EVENT_DELETE_EMPTY, event_id)) < 0)
                return r;
        *n_events += sqlite3_changes(s->db);
        return 0;
}

static int expire_article(struct store *s, int64_t id, int64_t *n_claims, int64_t *n_conflicts,
                          int64_t *n_events) {
        _cleanup_free_ char *source = NULL, *terms = NULL;
        sqlite3_stmt *st;
        int64_t event_id = 0;
        int r, rc;

        r = stmt_get(s, ST_EXPIRE_ARTICLE, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                source = strdup(column_text(st, 0) ?: "");
                event_id = sqlite3_column_int64(st, 1);
                terms = column_text(st, 2) ? strdup(column_text(st, 2)) : NULL;
                if (!source)
                        r = -ENOMEM;
        } else
                r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
        sqlite3_reset(st);
        if (r < 0 || (r = expire_conflicts(s, id, n_conflicts)) < 0 ||
            (r = run_with_id(s, ST_CLAIMS_FTS_DELETE, id)) < 0 || (r = run_with_id(s, ST_DELETE_CLAIMS, id)) < 0)
                return r;
        *n_claims += sqlite3_changes(s->db);
        if ((r = run_with_id(s, ST_DELETE_ARTICLE, id)) < 0 || (r = expire_df(s, terms)) < 0)
                return r;
        return event_id > 0 ? expire_event(s, event_id, source, n_events) : 0;
}

int store_expire(struct store *s, time_t cutoff) {
        int64_t total = 0;
        int r;

        if (!s)
                return -EINVAL;
        if (s->readonly)
                return -EROFS;
        if (s->in_batch)
                return -EBUSY;
        s->errmsg[0] = 0;
        for (;;) {
                int64_t ids[EXPIRE_BATCH], n_claims = 0, n_conflicts = 0, n_events = 0;
                size_t n = 0;
                sqlite3_stmt *st;
                int rc;

                r = exec_simple(s, ST_BEGIN);
                if (r < 0)
                        return r;
                r = stmt_get(s, ST_EXPIRE_PICK, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, (int64_t) cutoff);
                sqlite3_bind_int(st, 2, EXPIRE_BATCH);
                while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                        ids[n++] = sqlite3_column_int64(st, 0);
                sqlite3_reset(st);
                if (rc != SQLITE_DONE) {
                        r = store_errno(rc);
                        goto fail;
                }
                for (size_t i = 0; i < n; i++) {
                        r = expire_article(s, ids[i], &n_claims, &n_conflicts, &n_events);
                        if (r < 0)
                                goto fail;
                }
                if (n > 0) {
                        r = counters_add(s, -(int64_t) n, -n_claims, -n_events, -n_conflicts);
                        if (r < 0)
                                goto fail;
                }
                r = exec_simple(s, ST_COMMIT);
                if (r < 0)
                        goto fail;
                total += (int64_t) n;
                if (n < EXPIRE_BATCH)
                        break;
        }
        if (total > 0)
                caches_clear(s);
        else
                df_cache_clear(s);
        return total > INT32_MAX ? INT32_MAX : (int) total;
fail:
        if (!sqlite3_get_autocommit(s->db))
                exec_simple(s, ST_ROLLBACK);
        caches_clear(s);
        return r;
}
