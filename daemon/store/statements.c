/* Every SQL statement of the store, prepared once per connection on first
 * use, and the helpers that bind, step and reset them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store-internal.h"

const char *const stmt_sql[_ST_MAX] = {
        [ST_BEGIN] = "BEGIN IMMEDIATE",
        [ST_BEGIN_READ] = "BEGIN",
        [ST_COMMIT] = "COMMIT",
        [ST_ROLLBACK] = "ROLLBACK",
        [ST_SAVEPOINT] = "SAVEPOINT ingest",
        [ST_RELEASE] = "RELEASE ingest",
        [ST_ROLLBACK_TO] = "ROLLBACK TO ingest",
        [ST_DUP_URL] = "SELECT id FROM articles WHERE url = ?1",
        [ST_DUP_HASH] = "SELECT id FROM articles WHERE source = ?1 AND content_hash = ?2 "
                        "ORDER BY id LIMIT 1",
        [ST_COUNTERS_GET] = "SELECT articles, claims, events, conflicts FROM counters WHERE id = 1",
        [ST_COUNTERS_ADD] = "UPDATE counters SET articles = articles + ?1, claims = claims + ?2, "
                            "events = events + ?3, conflicts = conflicts + ?4 WHERE id = 1",
        [ST_DF_GET] = "SELECT df FROM df WHERE term = ?1",
        [ST_DF_ADD] = "INSERT INTO df(term, df) VALUES (?1, ?2) "
                      "ON CONFLICT(term) DO UPDATE SET df = df + ?2",
        [ST_DF_DEC] = "UPDATE df SET df = df - 1 WHERE term = ?1",
        [ST_DF_PRUNE] = "DELETE FROM df WHERE term = ?1 AND df <= 0",
        [ST_EVENT_CANDIDATES] =
                "SELECT a.event_id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                "WHERE articles_fts MATCH ?1 AND a.published_at BETWEEN ?2 AND ?3 "
                "AND a.event_id IS NOT NULL "
                "ORDER BY claimd_rank(articles_fts, ?5) DESC, articles_fts.rowid DESC LIMIT ?4",
        [ST_EVENT_CENTROID] = "SELECT centroid FROM events WHERE id = ?1",
        [ST_EVENTS_RECENT] = "SELECT id, first_seen, last_seen, centroid FROM events "
                             "WHERE last_seen >= ?1 ORDER BY last_seen DESC LIMIT ?2",
        [ST_EVENT_INSERT] = "INSERT INTO events(label, first_seen, last_seen) VALUES (?1, ?2, ?2)",
        [ST_EVENT_UPDATE] = "UPDATE events SET centroid = ?2, first_seen = min(first_seen, ?3), "
                            "last_seen = max(last_seen, ?3), n_articles = n_articles + 1, "
                            "n_sources = n_sources + ?4 WHERE id = ?1 RETURNING first_seen, last_seen",
        [ST_EVENT_SOURCE_ADD] = "INSERT OR IGNORE INTO event_sources(event_id, source) VALUES (?1, ?2)",
        [ST_EVENT_CONFLICT_ADD] = "UPDATE events SET n_conflicts = n_conflicts + ?2 WHERE id = ?1",
        [ST_ARTICLE_INSERT] =
                "INSERT INTO articles(source, url, content_hash, title, text, published_at, "
                "received_at, event_id, lang, terms, fts_terms, scope) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        [ST_CLAIM_INSERT] =
                "INSERT INTO claims(article_id, idx, field, data, speaker, terms, scope) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        [ST_CLAIMS_FTS_INSERT] =
                "INSERT INTO claims_fts(rowid, terms, scope) "
                "SELECT id, terms, scope FROM claims WHERE article_id = ?1",
        [ST_CLAIMS_FTS_DELETE] =
                "INSERT INTO claims_fts(claims_fts, rowid, terms, scope) "
                "SELECT 'delete', id, terms, scope FROM claims WHERE article_id = ?1",
        [ST_CLAIM_CANDIDATES] =
                "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 "
                "ORDER BY claimd_rank(claims_fts, ?3) DESC, rowid DESC LIMIT ?2",
        [ST_EVENT_CLAIMS] =
                "SELECT f.rowid, f.terms, f.scope, c.data FROM claims_fts f "
                "JOIN claims c ON c.id = f.rowid WHERE claims_fts MATCH ?1 "
                "ORDER BY f.rowid DESC LIMIT ?2",
        [ST_CLAIM_LOAD] =
                "SELECT c.article_id, c.data, a.source FROM claims c "
                "JOIN articles a ON a.id = c.article_id WHERE c.id = ?1",
        [ST_CONFLICT_INSERT] =
                "INSERT INTO conflicts(kind, score, event_id, detected_at, status, explanation, "
                "claim_a, claim_b, article_a, article_b, source_a, source_b) "
                "VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        [ST_CONFLICT_SOURCE_ADD] =
                "INSERT OR IGNORE INTO conflict_sources(source, conflict_id) VALUES (?1, ?2)",
        [ST_ARTICLE_GET] =
                "SELECT id, source, url, title, text, published_at, received_at, event_id, lang "
                "FROM articles WHERE id = ?1",
        [ST_ARTICLE_CLAIMS] = "SELECT id, data FROM claims WHERE article_id = ?1 ORDER BY idx",
        [ST_ARTICLE_CLAIM_COUNT] = "SELECT count(*) FROM claims WHERE article_id = ?1",
        [ST_CLAIM_WITH_ARTICLE] =
                "SELECT c.id, c.article_id, c.data, a.source, a.url, a.title FROM claims c "
                "JOIN articles a ON a.id = c.article_id WHERE c.id = ?1",
        [ST_CONFLICT_GET] =
                "SELECT id, kind, score, event_id, detected_at, status, explanation, claim_a, claim_b, "
                "review_note, reviewer, reviewed_at FROM conflicts WHERE id = ?1",
        [ST_EVENT_GET] =
                "SELECT id, label, n_articles, n_sources, n_conflicts, first_seen, last_seen "
                "FROM events WHERE id = ?1",
        [ST_EVENTS_LIST] =
                "SELECT id, label, n_articles, n_sources, n_conflicts, first_seen, last_seen "
                "FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
        [ST_EVENT_ARTICLES] = "SELECT id FROM articles WHERE event_id = ?1 ORDER BY id",
        [ST_EVENT_CONFLICTS] = "SELECT id FROM conflicts WHERE event_id = ?1 ORDER BY id",
        [ST_MAX_CONFLICT] = "SELECT max(id) FROM conflicts",
        [ST_PAGE_COUNT] = "PRAGMA page_count",
        [ST_PAGE_SIZE] = "PRAGMA page_size",
        [ST_EXPIRE_PICK] = "SELECT id FROM articles WHERE received_at < ?1 ORDER BY received_at LIMIT ?2",
        [ST_EXPIRE_ARTICLE] = "SELECT source, event_id, terms FROM articles WHERE id = ?1",
        [ST_EXPIRE_CONFLICTS] =
                "SELECT id, source_a, source_b, event_id FROM conflicts WHERE article_a = ?1 "
                "UNION SELECT id, source_a, source_b, event_id FROM conflicts WHERE article_b = ?1",
        [ST_DELETE_CONFLICT] = "DELETE FROM conflicts WHERE id = ?1",
        [ST_DELETE_CONFLICT_SOURCE] = "DELETE FROM conflict_sources WHERE source = ?1 AND conflict_id = ?2",
        [ST_DELETE_CLAIMS] = "DELETE FROM claims WHERE article_id = ?1",
        [ST_DELETE_ARTICLE] = "DELETE FROM articles WHERE id = ?1",
        [ST_EVENT_SHRINK] = "UPDATE events SET n_articles = n_articles - 1 WHERE id = ?1",
        [ST_EVENT_SOURCE_LEFT] = "SELECT 1 FROM articles WHERE event_id = ?1 AND source = ?2 LIMIT 1",
        [ST_EVENT_SOURCE_DELETE] =
                "DELETE FROM event_sources WHERE event_id = ?1 AND source = ?2",
        [ST_EVENT_SOURCE_DROP] = "UPDATE events SET n_sources = n_sources - 1 WHERE id = ?1",
        [ST_EVENT_DELETE_EMPTY] = "DELETE FROM events WHERE id = ?1 AND n_articles <= 0",
        [ST_REVIEW_CONFLICT] = "SELECT claim_a, claim_b, source_a, source_b FROM conflicts WHERE id = ?1",
        [ST_REVIEW_CLAIM_TEXT] = "SELECT json_extract(data, '$.text') FROM claims WHERE id = ?1",
        [ST_REVIEW_INSERT] =
                "INSERT INTO conflict_reviews(conflict_id, status, note, reviewer, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        [ST_REVIEW_SET] =
                "UPDATE conflicts SET status = ?2, review_note = ?3, reviewer = ?4, reviewed_at = ?5 WHERE id = ?1",
        [ST_DISMISSED_ADD] = "INSERT OR REPLACE INTO dismissed_pairs(pair, conflict_id, at) VALUES (?1, ?2, ?3)",
        [ST_DISMISSED_DELETE] = "DELETE FROM dismissed_pairs WHERE pair = ?1 AND conflict_id = ?2",
        [ST_DISMISSED_HAS] = "SELECT 1 FROM dismissed_pairs WHERE pair = ?1",
        [ST_WEBHOOK_CURSOR_GET] = "SELECT last_conflict_id FROM webhook_cursors WHERE url = ?1",
        [ST_WEBHOOK_CURSOR_SET] =
                "INSERT INTO webhook_cursors(url, last_conflict_id) VALUES (?1, ?2) "
                "ON CONFLICT(url) DO UPDATE SET last_conflict_id = excluded.last_conflict_id",
        [ST_WEBHOOK_CURSOR_DROP] = "DELETE FROM webhook_cursors WHERE url = ?1",
        [ST_DELIVERIES_ENQUEUE] =
                "INSERT OR IGNORE INTO deliveries(conflict_id, url, next_at) "
                "SELECT id, ?1, ?2 FROM conflicts WHERE id > ?3 AND id <= ?4 ORDER BY id",
        [ST_DELIVERIES_DROP_URL] = "DELETE FROM deliveries WHERE url = ?1",
        [ST_DELIVERIES_DUE] =
                "SELECT conflict_id, attempts FROM deliveries WHERE url = ?1 AND next_at <= ?2 "
                "ORDER BY next_at, id LIMIT ?3",
        [ST_DELIVERY_DELETE] = "DELETE FROM deliveries WHERE conflict_id = ?1 AND url = ?2",
        [ST_DELIVERY_RETRY] =
                "UPDATE deliveries SET attempts = ?3, next_at = ?4, last_error = ?5 WHERE conflict_id = ?1 AND url = ?2",
        [ST_CONFLICT_IDS_AFTER] = "SELECT id FROM conflicts WHERE id > ?1 ORDER BY id LIMIT ?2",
        [ST_REVIEW_HISTORY] =
                "SELECT status, note, reviewer, at FROM conflict_reviews WHERE conflict_id = ?1 ORDER BY id",
};

/* Returns the cached statement id, preparing it on first use, reset and with
 * bindings cleared; 0 or a negative errno. */
int stmt_get(struct store *s, enum stmt_id id, sqlite3_stmt **ret) {
        if (!s->stmts[id]) {
                int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->stmts[id], NULL);
                if (rc != SQLITE_OK) {
                        /* negative for certain, so that the compiler sees
                         * that *ret is set whenever the caller goes on */
                        int r = store_errno(rc);
                        return r < 0 ? r : -EIO;
                }
        }
        sqlite3_reset(s->stmts[id]);
        sqlite3_clear_bindings(s->stmts[id]);
        *ret = s->stmts[id];
        return 0;
}

/* Steps a statement that returns no rows (or whose rows are ignored) to
 * completion and resets it; returns 0 or a negative errno. */
int stmt_run(sqlite3_stmt *st) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : store_errno(rc);
}

/* Runs a statement returning one integer: 1 and *ret when a row came (NULL
 * reads as 0), 0 when none, or a negative errno.  Resets the statement. */
int stmt_int64(sqlite3_stmt *st, int64_t *ret) {
        int rc = sqlite3_step(st);
        int r;
        if (rc == SQLITE_ROW) {
                *ret = sqlite3_column_int64(st, 0);
                r = 1;
        } else
                r = rc == SQLITE_DONE ? 0 : store_errno(rc);
        sqlite3_reset(st);
        return r;
}

/* Runs statement id, whose only parameter is ?1 = v, to completion;
 * returns 0 or a negative errno. */
int run_with_id(struct store *s, enum stmt_id id, int64_t v) {
        sqlite3_stmt *st;
        int r = stmt_get(s, id, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, v);
        return stmt_run(st);
}

int exec_simple(struct store *s, enum stmt_id id) {
        sqlite3_stmt *st;
        int r = stmt_get(s, id, &st);
        return r < 0 ? r : stmt_run(st);
}

void bind_text(sqlite3_stmt *st, int i, const char *v) {
        if (v)
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, i);
}

const char *column_text(sqlite3_stmt *st, int i) {
        return (const char *) sqlite3_column_text(st, i);
}

bool store_error_is_fault(int r) {
        return r == -ESTALE || r == -EBUSY || r == -ENOSPC || r == -EROFS || r == -EIO || r == -EACCES ||
               r == -EPERM || r == -EAGAIN || r == -ENOLCK || r == -EDQUOT;
}

const char *store_errmsg(struct store *s) {
        if (!s || !s->db)
                return "no database";
        return s->errmsg[0] ? s->errmsg : sqlite3_errmsg(s->db);
}

/* Keeps what made a write fail (r) for store_errmsg(), before the ROLLBACK
 * that follows replaces SQLite's message with "not an error". */
void note_error(struct store *s, int r) {
        int rc = sqlite3_errcode(s->db);
        if (r == -ESTALE)
                snprintf(s->errmsg, sizeof(s->errmsg), "the database file was %s since claimd opened it",
                         s->file_lost == -ENOENT ? "deleted" : "replaced");
        else if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
                snprintf(s->errmsg, sizeof(s->errmsg), "%s", sqlite3_errmsg(s->db));
        else
                snprintf(s->errmsg, sizeof(s->errmsg), "%s", strerror(-r));
}
