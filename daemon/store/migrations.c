/* Numbered schema migrations.  migrations[N - 1] turns a version N - 1
 * database into a version N one; PRAGMA user_version records N.  Never edit a
 * migration that has shipped: append a new one. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "migrations.h"

/* Version 1: the whole first schema.
 *
 * - ids of articles, claims, events and conflicts are AUTOINCREMENT: they are
 *   API ids and long-pollers page by "since", so an id is never reused after
 *   retention deletes the newest row.
 * - articles_fts and claims_fts are external-content FTS5 tables kept in step
 *   by triggers.  Each has a "scope" column of bookkeeping tokens (publication
 *   day "dN" and week "wN", event "evN", source hash "sHEX") so candidate
 *   queries restrict by time window, event and source INSIDE the full-text
 *   query: the work per query is bounded by the matching rows in that scope,
 *   not by the size of the store.  rank = bm25 with scope weighted 0.
 * - counters keeps the row counts (COUNT(*) would scan) and the article total
 *   N used for idf; df keeps the document frequency of each article term.
 * - conflict_sources indexes conflicts by either side's source, so the feed's
 *   source filter walks an index in id order.
 * Foreign keys are declared only where the child side is indexed, so that
 * deletes never scan. */
static const char migration_1[] =
        "CREATE TABLE counters (\n"
        "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
        "  articles INTEGER NOT NULL DEFAULT 0,\n"
        "  claims INTEGER NOT NULL DEFAULT 0,\n"
        "  events INTEGER NOT NULL DEFAULT 0,\n"
        "  conflicts INTEGER NOT NULL DEFAULT 0);\n"
        "INSERT INTO counters(id) VALUES (1);\n"

        "CREATE TABLE events (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  label TEXT NOT NULL,\n"
        "  first_seen INTEGER NOT NULL,\n"
        "  last_seen INTEGER NOT NULL,\n"
        "  n_articles INTEGER NOT NULL DEFAULT 0,\n"
        "  n_sources INTEGER NOT NULL DEFAULT 0,\n"
        "  n_conflicts INTEGER NOT NULL DEFAULT 0,\n"
        "  centroid TEXT);\n"

        "CREATE TABLE event_sources (\n"
        "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
        "  source TEXT NOT NULL,\n"
        "  PRIMARY KEY (event_id, source)) WITHOUT ROWID;\n"

        "CREATE TABLE articles (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  source TEXT NOT NULL,\n"
        "  url TEXT UNIQUE,\n"
        "  content_hash TEXT NOT NULL,\n"
        "  title TEXT NOT NULL DEFAULT '',\n"
        "  text TEXT NOT NULL DEFAULT '',\n"
        "  published_at INTEGER NOT NULL,\n"
        "  received_at INTEGER NOT NULL,\n"
        "  event_id INTEGER REFERENCES events(id),\n"
        "  lang TEXT,\n"
        "  terms TEXT,\n"               /* termvec_serialize() of the article */
        "  fts_terms TEXT,\n"           /* the tokens articles_fts indexes */
        "  scope TEXT);\n"              /* day/week/source tokens */
        "CREATE INDEX articles_source_hash ON articles(source, content_hash);\n"
        "CREATE INDEX articles_event ON articles(event_id);\n"
        "CREATE INDEX articles_received ON articles(received_at);\n"

        "CREATE VIRTUAL TABLE articles_fts USING fts5(fts_terms, scope,\n"
        "  content='articles', content_rowid='id', tokenize=\"unicode61 tokenchars '_'\");\n"
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)');\n"
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN\n"
        "  INSERT INTO articles_fts(rowid, fts_terms, scope) VALUES (new.id, new.fts_terms, new.scope);\n"
        "END;\n"
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN\n"
        "  INSERT INTO articles_fts(articles_fts, rowid, fts_terms, scope)\n"
        "    VALUES ('delete', old.id, old.fts_terms, old.scope);\n"
        "END;\n"

        "CREATE TABLE claims (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  article_id INTEGER NOT NULL REFERENCES articles(id),\n"
        "  idx INTEGER NOT NULL,\n"
        "  field TEXT NOT NULL,\n"
        "  data TEXT NOT NULL,\n"       /* claim_to_json() */
        "  speaker TEXT,\n"
        "  terms TEXT,\n"               /* the tokens claims_fts indexes */
        "  scope TEXT,\n"               /* event/day/week/source tokens */
        "  UNIQUE (article_id, idx));\n"

        "CREATE VIRTUAL TABLE claims_fts USING fts5(terms, scope,\n"
        "  content='claims', content_rowid='id', tokenize=\"unicode61 tokenchars '_'\");\n"
        "INSERT INTO claims_fts(claims_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)');\n"
        "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN\n"
        "  INSERT INTO claims_fts(rowid, terms, scope) VALUES (new.id, new.terms, new.scope);\n"
        "END;\n"
        "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN\n"
        "  INSERT INTO claims_fts(claims_fts, rowid, terms, scope)\n"
        "    VALUES ('delete', old.id, old.terms, old.scope);\n"
        "END;\n"

        "CREATE TABLE df (\n"
        "  term TEXT PRIMARY KEY,\n"
        "  df INTEGER NOT NULL) WITHOUT ROWID;\n"

        "CREATE TABLE conflicts (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  kind TEXT NOT NULL,\n"
        "  score REAL NOT NULL,\n"
        "  event_id INTEGER REFERENCES events(id),\n"
        "  detected_at INTEGER NOT NULL,\n"
        "  status TEXT NOT NULL DEFAULT 'open',\n"
        "  explanation TEXT,\n"
        "  claim_a INTEGER NOT NULL,\n"
        "  claim_b INTEGER NOT NULL,\n"
        "  article_a INTEGER NOT NULL REFERENCES articles(id),\n"
        "  article_b INTEGER NOT NULL REFERENCES articles(id),\n"
        "  source_a TEXT NOT NULL,\n"
        "  source_b TEXT NOT NULL);\n"
        "CREATE INDEX conflicts_event ON conflicts(event_id);\n"
        "CREATE INDEX conflicts_kind ON conflicts(kind);\n"
        "CREATE INDEX conflicts_article_a ON conflicts(article_a);\n"
        "CREATE INDEX conflicts_article_b ON conflicts(article_b);\n"

        "CREATE TABLE conflict_sources (\n"
        "  source TEXT NOT NULL,\n"
        "  conflict_id INTEGER NOT NULL,\n"
        "  PRIMARY KEY (source, conflict_id)) WITHOUT ROWID;\n";

/* Version 2: claims_fts rows are written by the store with one
 * INSERT ... SELECT per article instead of a trigger per claim row.  FTS5
 * flushes its pending terms into a new segment at every statement savepoint,
 * so the trigger made one segment per claim: many small segments to merge
 * and, worse, to look every query term up in. */
static const char migration_2[] =
        "DROP TRIGGER claims_fts_insert;\n"
        "DROP TRIGGER claims_fts_delete;\n"
        "INSERT INTO claims_fts(claims_fts, rank) VALUES ('automerge', 2);\n"
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 2);\n";

/* Version 3: events by last_seen, so that the writer reads the events of the
 * current time window (its in-memory event index) with one range query. */
static const char migration_3[] =
        "CREATE INDEX events_last_seen ON events(last_seen);\n";

/* Version 4: FTS5 merges segments less eagerly (automerge 8, FTS5's default
 * is 4).  At 30k articles the claims_fts segment flushes and merges after
 * each article took 6% of the writer's time with automerge 2, 2% with 8;
 * the full-text indexes are now read only when an event's claim pool is
 * read, for backfills and with match_across_events, which a few more
 * segments barely slow. */
static const char migration_4[] =
        "INSERT INTO claims_fts(claims_fts, rank) VALUES ('automerge', 8);\n"
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);\n";

/* Version 5: scope tokens of days and weeks before 1970 are "dmN"/"wmN"
 * (fts.c, sb_append_period()).  They were "d-N", which the unicode61
 * tokenizer indexed as the two tokens "d" and "N", and which FTS5 read as a
 * column filter in a query (so such articles were refused with 503; a retry
 * could pass and store them).  Their FTS rows are written again with the
 * new tokens; only rows published before 1970 have a '-' in their scope. */
static const char migration_5[] =
        "INSERT INTO articles_fts(articles_fts, rowid, fts_terms, scope)\n"
        "  SELECT 'delete', id, fts_terms, scope FROM articles WHERE published_at < 0;\n"
        "UPDATE articles SET scope = replace(replace(scope, 'd-', 'dm'), 'w-', 'wm')\n"
        "  WHERE published_at < 0;\n"
        "INSERT INTO articles_fts(rowid, fts_terms, scope)\n"
        "  SELECT id, fts_terms, scope FROM articles WHERE published_at < 0;\n"
        "INSERT INTO claims_fts(claims_fts, rowid, terms, scope)\n"
        "  SELECT 'delete', c.id, c.terms, c.scope FROM articles a JOIN claims c ON c.article_id = a.id\n"
        "  WHERE a.published_at < 0;\n"
        "UPDATE claims SET scope = replace(replace(scope, 'd-', 'dm'), 'w-', 'wm')\n"
        "  WHERE article_id IN (SELECT id FROM articles WHERE published_at < 0);\n"
        "INSERT INTO claims_fts(rowid, terms, scope)\n"
        "  SELECT c.id, c.terms, c.scope FROM articles a JOIN claims c ON c.article_id = a.id\n"
        "  WHERE a.published_at < 0;\n";

/* Version 6: analysts' reviews.  A conflict keeps its latest review in
 * its own row (status, review_note, reviewer, reviewed_at: the feed reads
 * them with the conflict, no join), conflict_reviews keeps every change
 * (the history, never overwritten; deleted with its conflict by a trigger
 * when retention deletes the conflict), and dismissed_pairs names the
 * pairs of statements that were dismissed (see pair_key() in the store),
 * so that the same two statements detected again raise no new conflict.
 * conflicts_status serves the status filter in id order. */
static const char migration_6[] =
        "ALTER TABLE conflicts ADD COLUMN review_note TEXT;\n"
        "ALTER TABLE conflicts ADD COLUMN reviewer TEXT;\n"
        "ALTER TABLE conflicts ADD COLUMN reviewed_at INTEGER;\n"
        "CREATE INDEX conflicts_status ON conflicts(status, id);\n"
        "CREATE TABLE conflict_reviews (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  conflict_id INTEGER NOT NULL,\n"
        "  status TEXT NOT NULL,\n"
        "  note TEXT,\n"
        "  reviewer TEXT,\n"
        "  at INTEGER NOT NULL);\n"
        "CREATE INDEX conflict_reviews_conflict ON conflict_reviews(conflict_id, id);\n"
        "CREATE TRIGGER conflicts_delete_reviews AFTER DELETE ON conflicts BEGIN\n"
        "  DELETE FROM conflict_reviews WHERE conflict_id = old.id;\n"
        "END;\n"
        "CREATE TABLE dismissed_pairs (\n"
        "  pair TEXT PRIMARY KEY,\n"
        "  conflict_id INTEGER NOT NULL,\n"
        "  at INTEGER NOT NULL) WITHOUT ROWID;\n";

/* Version 7: webhook deliveries.  A committed conflict is owed to every
 * configured webhook url: webhook_cursors keeps, per url, the highest
 * conflict id turned into deliveries rows, and the sender advances it in
 * the same transaction that inserts those rows, so a crash at any moment
 * loses none (the conflicts after the cursor are enqueued after the
 * restart).  A deliveries row lives until the receiver answers 2xx;
 * deliveries_due serves "this url's rows due by now" in order. */
static const char migration_7[] =
        "CREATE TABLE webhook_cursors (\n"
        "  url TEXT PRIMARY KEY,\n"
        "  last_conflict_id INTEGER NOT NULL) WITHOUT ROWID;\n"
        "CREATE TABLE deliveries (\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  conflict_id INTEGER NOT NULL,\n"
        "  url TEXT NOT NULL,\n"
        "  attempts INTEGER NOT NULL DEFAULT 0,\n"
        "  next_at INTEGER NOT NULL,\n"
        "  last_error TEXT,\n"
        "  UNIQUE (conflict_id, url));\n"
        "CREATE INDEX deliveries_due ON deliveries(url, next_at, id);\n";

static const char *const migrations[] = {
        migration_1,
        migration_2,
        migration_3,
        migration_4,
        migration_5,
        migration_6,
        migration_7,
};

#define N_MIGRATIONS ((int) (sizeof(migrations) / sizeof(migrations[0])))

int migrations_latest(void) {
        return N_MIGRATIONS;
}

int store_errno(int sqlite_rc) {
        switch (sqlite_rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        default:
                return -EIO;
        }
}

int migrations_version(sqlite3 *db, int *ret) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        rc = sqlite3_step(st);
        int v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
                return store_errno(rc);
        *ret = v;
        return 0;
}

/* Runs one migration and bumps user_version in one transaction; returns 0
 * or a negative errno after rolling back. */
static int apply_one(sqlite3 *db, int version) {
        char bump[64];
        int rc, v;

        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        /* Another process may have migrated while we waited for the lock. */
        int r = migrations_version(db, &v);
        if (r < 0)
                goto fail;
        if (v >= version) {
                sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
                return 0;
        }
        rc = sqlite3_exec(db, migrations[version - 1], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                r = store_errno(rc);
                goto fail;
        }
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", version);
        rc = sqlite3_exec(db, bump, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                r = store_errno(rc);
                goto fail;
        }
        return 0;
fail:
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r < 0 ? r : -EIO;
}

int migrations_apply(sqlite3 *db) {
        return migrations_apply_until(db, N_MIGRATIONS);
}

int migrations_apply_until(sqlite3 *db, int version) {
        int v, r;

        r = migrations_version(db, &v);
        if (r < 0)
                return r;
        if (v > N_MIGRATIONS)
                return -EPROTO;
        if (version > N_MIGRATIONS)
                version = N_MIGRATIONS;
        for (int next = v + 1; next <= version; next++) {
                r = apply_one(db, next);
                if (r < 0)
                        return r;
        }
        return 0;
}
