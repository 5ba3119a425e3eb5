/* Webhook deliveries: the sender's cursor per url and the pending rows (see
 * migration 7).  These run on the webhook sender's own connection, in
 * short transactions of their own, never inside the writer's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/limits.h"
#include "store-internal.h"

/* The two whole-table reads below run once, when the sender starts, so
 * they are prepared when used rather than kept among the statements
 * (whose plans test-store checks for seeks). */
#define SQL_WEBHOOK_URLS "SELECT url FROM webhook_cursors"
#define SQL_DELIVERIES_COUNT "SELECT count(*) FROM deliveries"

int store_deliveries_connection(struct store *s) {
        int rc = sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
        return store_errno(rc);
}

/* Runs one prepared statement with text ?1 and int64 ?2 (when have2). */
static int run_text_int(struct store *s, enum stmt_id id, const char *t, bool have2, int64_t v) {
        sqlite3_stmt *st;
        int r = stmt_get(s, id, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, t);
        if (have2)
                sqlite3_bind_int64(st, 2, v);
        return stmt_run(st);
}

static int max_conflict(struct store *s, int64_t *ret) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_MAX_CONFLICT, &st);
        if (r >= 0)
                r = stmt_int64(st, ret);
        return r < 0 ? r : 0;
}

/* The cursor of url, started at max (the newest conflict) when it has none. */
static int cursor_get(struct store *s, const char *url, int64_t max, int64_t *ret) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_WEBHOOK_CURSOR_GET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, url);
        int rc = sqlite3_step(st);
        int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc == SQLITE_ROW) {
                *ret = v;
                return 0;
        }
        if (rc != SQLITE_DONE)
                return store_errno(rc);
        *ret = max;
        return run_text_int(s, ST_WEBHOOK_CURSOR_SET, url, true, max);
}

/* store_deliveries_record() inside its transaction. */
static int record_body(struct store *s, const char *const *urls, size_t n_urls, int64_t now,
                       const struct delivery_outcome *o, size_t n_o, int64_t *backlog, int64_t *cursor) {
        int64_t max = 0;
        int r = max_conflict(s, &max);
        for (size_t i = 0; i < n_urls && r >= 0; i++) {
                int64_t c = 0;
                sqlite3_stmt *st;
                r = cursor_get(s, urls[i], max, &c);
                if (r < 0 || max <= c)
                        continue;
                r = stmt_get(s, ST_DELIVERIES_ENQUEUE, &st);
                if (r < 0)
                        break;
                bind_text(st, 1, urls[i]);
                sqlite3_bind_int64(st, 2, now);
                sqlite3_bind_int64(st, 3, c);
                sqlite3_bind_int64(st, 4, max);
                r = stmt_run(st);
                if (r >= 0) {
                        *backlog += sqlite3_changes(s->db);
                        r = run_text_int(s, ST_WEBHOOK_CURSOR_SET, urls[i], true, max);
                }
        }
        for (size_t i = 0; i < n_o && r >= 0; i++) {
                sqlite3_stmt *st;
                if (o[i].url >= n_urls)
                        continue;
                r = stmt_get(s, o[i].done ? ST_DELIVERY_DELETE : ST_DELIVERY_RETRY, &st);
                if (r < 0)
                        break;
                sqlite3_bind_int64(st, 1, o[i].conflict_id);
                bind_text(st, 2, urls[o[i].url]);
                if (!o[i].done) {
                        sqlite3_bind_int(st, 3, o[i].attempts);
                        sqlite3_bind_int64(st, 4, o[i].next_at);
                        bind_text(st, 5, o[i].error);
                }
                r = stmt_run(st);
                if (r >= 0 && o[i].done)
                        *backlog -= sqlite3_changes(s->db);
        }
        *cursor = max;
        return r;
}

/* Ends the transaction a caller began: COMMIT when its work returned r >= 0,
 * ROLLBACK otherwise.  Returns 0 or the first negative errno. */
static int end_transaction(struct store *s, int r) {
        if (r >= 0)
                r = exec_simple(s, ST_COMMIT);
        if (r < 0)
                exec_simple(s, ST_ROLLBACK);
        return r;
}

int store_deliveries_record(struct store *s, const char *const *urls, size_t n_urls, int64_t now,
                            const struct delivery_outcome *o, size_t n_o, int64_t *ret_backlog,
                            int64_t *ret_cursor) {
        int64_t backlog = 0, cursor = 0;
        if (!s || (n_urls > 0 && !urls) || (n_o > 0 && !o))
                return -EINVAL;
        int r = exec_simple(s, ST_BEGIN);
        if (r < 0)
                return r;
        r = end_transaction(s, record_body(s, urls, n_urls, now, o, n_o, &backlog, &cursor));
        if (r < 0)
                return r;
        if (ret_backlog)
                *ret_backlog += backlog;
        if (ret_cursor)
                *ret_cursor = cursor;
        return 0;
}

int store_conflict_ids_after(struct store *s, int64_t after, int64_t *ret, size_t max, size_t *ret_n) {
        sqlite3_stmt *st;
        size_t n = 0;
        int rc, r = stmt_get(s, ST_CONFLICT_IDS_AFTER, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, after);
        sqlite3_bind_int64(st, 2, (int64_t) max);
        while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
                ret[n++] = sqlite3_column_int64(st, 0);
        if (n < max && rc != SQLITE_DONE)
                r = store_errno(rc);
        sqlite3_reset(st);
        *ret_n = n;
        return r;
}

static bool listed(const char *url, const char *const *urls, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(url, urls[i]) == 0)
                        return true;
        return false;
}

int store_deliveries_forget_others(struct store *s, const char *const *urls, size_t n) {
        sqlite3_stmt *st;
        char *gone[WEBHOOK_FORGET_URLS_MAX];
        size_t ngone = 0;
        int dropped = 0;

        int r = exec_simple(s, ST_BEGIN);
        if (r < 0)
                return r;
        r = store_errno(sqlite3_prepare_v2(s->db, SQL_WEBHOOK_URLS, -1, &st, NULL));
        if (r >= 0) {
                int rc;
                while ((rc = sqlite3_step(st)) == SQLITE_ROW && ngone < WEBHOOK_FORGET_URLS_MAX) {
                        const char *u = column_text(st, 0);
                        if (!u || listed(u, urls, n))
                                continue;
                        if (!(gone[ngone] = strdup(u))) {
                                r = -ENOMEM;
                                break;
                        }
                        ngone++;
                }
                sqlite3_finalize(st);
                if (r >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                        r = store_errno(rc);
        }
        for (size_t i = 0; i < ngone && r >= 0; i++) {
                r = run_text_int(s, ST_DELIVERIES_DROP_URL, gone[i], false, 0);
                dropped += r >= 0 ? sqlite3_changes(s->db) : 0;
                if (r >= 0)
                        r = run_text_int(s, ST_WEBHOOK_CURSOR_DROP, gone[i], false, 0);
        }
        for (size_t i = 0; i < ngone; i++)
                free(gone[i]);
        r = end_transaction(s, r);
        return r < 0 ? r : dropped;
}

int store_deliveries_due(struct store *s, const char *url, int64_t now, const int64_t *skip, size_t n_skip,
                         struct delivery *ret, size_t max, size_t *ret_n) {
        sqlite3_stmt *st;
        size_t n = 0;
        int rc = SQLITE_DONE, r = stmt_get(s, ST_DELIVERIES_DUE, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, url);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_int64(st, 3, (int64_t) (max + n_skip));
        while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t id = sqlite3_column_int64(st, 0);
                bool busy = false;
                for (size_t i = 0; i < n_skip && !busy; i++)
                        busy = skip[i] == id;
                if (!busy)
                        ret[n++] = (struct delivery) { id, sqlite3_column_int(st, 1) };
        }
        if (n < max && rc != SQLITE_DONE)
                r = store_errno(rc);
        sqlite3_reset(st);
        *ret_n = n;
        return r;
}

int store_deliveries_count(struct store *s, int64_t *ret) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(s->db, SQL_DELIVERIES_COUNT, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return rc == SQLITE_ROW ? 0 : store_errno(rc);
}
