/* The SQLite store (see store.h).  One struct store is one connection with
 * its own cache of prepared statements; the schema lives in migrations.c.
 *
 * Costs per article are kept independent of the store's size: every lookup
 * is an index seek, and the two candidate searches (articles for event
 * assignment, claims for matching) are FTS5 queries restricted INSIDE the
 * full-text expression by scope tokens (publication day/week, event,
 * source), with a LIMIT, so they only touch rows of the current window. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/claim-json.h"
#include "common/hash.h"
#include "common/rfc3339.h"
#include "common/termvec.h"
#include "migrations.h"
#include "store-file.h"
#include "store.h"

#define CENTROID_TERMS 200      /* terms kept in an event centroid */
#define ARTICLE_FTS_TERMS 64    /* heaviest article terms put in articles_fts */
#define QUERY_TERMS 16          /* heaviest article terms OR'ed in the event query */
#define CLAIM_QUERY_TERMS 8     /* rarest claim keys OR'ed in a candidate query */
#define EVENT_CLAIMS_MAX 1000   /* newest claims of an event that are candidates */
#define POOLS_MAX 256           /* events whose claim pools the writer keeps */
#define EVENTS_IN_MEMORY 4096   /* recent events whose centroids the writer keeps */
#define MAX_CANDIDATE_CLAIMS 200 /* cap of ingest_options.max_candidate_claims */
#define LABEL_MAX 160           /* bytes of an event label */
#define EXPIRE_BATCH 256        /* articles deleted per transaction */
#define DF_CACHE_MAX 200000     /* document frequencies cached per connection */
#define CLAIM_CACHE_MAX 16384   /* stored claims kept parsed with their conflict views */

enum stmt_id {
        ST_BEGIN,
        ST_BEGIN_READ,
        ST_COMMIT,
        ST_ROLLBACK,
        ST_SAVEPOINT,
        ST_RELEASE,
        ST_ROLLBACK_TO,
        ST_DUP_URL,
        ST_DUP_HASH,
        ST_COUNTERS_GET,
        ST_COUNTERS_ADD,
        ST_DF_GET,
        ST_DF_INC,
        ST_DF_DEC,
        ST_DF_PRUNE,
        ST_EVENT_CANDIDATES,
        ST_EVENT_CENTROID,
        ST_EVENTS_RECENT,
        ST_EVENT_INSERT,
        ST_EVENT_UPDATE,
        ST_EVENT_SOURCE_ADD,
        ST_EVENT_CONFLICT_ADD,
        ST_ARTICLE_INSERT,
        ST_CLAIM_INSERT,
        ST_CLAIMS_FTS_INSERT,
        ST_CLAIMS_FTS_DELETE,
        ST_CLAIM_CANDIDATES,
        ST_EVENT_CLAIMS,
        ST_CLAIM_LOAD,
        ST_CONFLICT_INSERT,
        ST_CONFLICT_SOURCE_ADD,
        ST_ARTICLE_GET,
        ST_ARTICLE_CLAIMS,
        ST_ARTICLE_CLAIM_COUNT,
        ST_CLAIM_WITH_ARTICLE,
        ST_CONFLICT_GET,
        ST_EVENT_GET,
        ST_EVENTS_LIST,
        ST_EVENT_ARTICLES,
        ST_EVENT_CONFLICTS,
        ST_MAX_CONFLICT,
        ST_PAGE_COUNT,
        ST_PAGE_SIZE,
        ST_EXPIRE_PICK,
        ST_EXPIRE_ARTICLE,
        ST_EXPIRE_CONFLICTS,
        ST_DELETE_CONFLICT,
        ST_DELETE_CONFLICT_SOURCE,
        ST_DELETE_CLAIMS,
        ST_DELETE_ARTICLE,
        ST_EVENT_SHRINK,
        ST_EVENT_SOURCE_LEFT,
        ST_EVENT_SOURCE_DELETE,
        ST_EVENT_SOURCE_DROP,
        ST_EVENT_DELETE_EMPTY,
        _ST_MAX,
};

static const char *const stmt_sql[_ST_MAX] = {
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
        [ST_DF_INC] = "INSERT INTO df(term, df) VALUES (?1, 1) "
                      "ON CONFLICT(term) DO UPDATE SET df = df + 1",
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
                "SELECT id, kind, score, event_id, detected_at, status, explanation, claim_a, claim_b "
                "FROM conflicts WHERE id = ?1",
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
};

/* Conflict feed variants, one per combination of filters, so each gets the
 * plan that fits it (event index, source index, kind index or id order). */
enum {
        CF_EVENT = 1 << 0,
        CF_SOURCE = 1 << 1,
        CF_KIND = 1 << 2,
        CF_MIN_SCORE = 1 << 3,
        _CF_MAX = 1 << 4,
};

/* Document frequencies cached by the writer (open addressing): kept equal
 * to the df table by df_add_article(), dropped on rollback and expiry. */
struct df_entry {
        char *term;
        uint64_t hash;          /* termvec_term_hash() of term: probes compare it before the string */
        int64_t df;
};

/* See ingest_prep_new(). */
struct ingest_prep {
        const struct extracted_article *ex;
        size_t n;
        char **data;                    /* each claim as stored JSON */
        uint64_t *data_hash;
        char ***keys;                   /* claim_keys() */
        size_t *nkeys;
        char **docs;                    /* claim_fts_terms() */
        struct conflict_view *const *views;     /* of ex->claims.items[i]: ex->views */
};

/* The writer's recent events (see find_event()): every event whose
 * last_seen >= horizon, with its centroid as stored. */
struct mem_event {
        int64_t id, first_seen, last_seen;
        struct termvec centroid;
        struct termvec_hashes hashes;   /* of the centroid's terms */
        /* where each centroid term's document frequency is in the df
         * cache, valid while the cache's df_gen is this one (0: unknown) */
        uint32_t *df_slots;
        uint64_t df_gen;
        double norm2;           /* termvec_norm2() with the current idf: mem_event_norm2() */
};

struct event_index {
        struct mem_event **items;
        size_t n;
        bool loaded;
        int64_t horizon;
};

struct cached_claim;
struct parsed_claim;
struct claim_cache {
        struct cached_claim **slots;    /* open addressing by claim id; NULL: empty */
        size_t cap, n;
        struct cached_claim *head, *tail;
        struct parsed_claim **parsed;   /* PARSED_BUCKETS chains by data hash, or NULL */
};

struct store {
        sqlite3 *db;
        bool readonly;
        bool in_batch;
        bool batch_lost;        /* SQLite rolled the whole batch back (I/O error, full disk) */
        struct store_file file; /* the file at the path is still ours? */
        int file_lost;          /* 0, or what store_file_check() once said: sticks */
        char errmsg[256];       /* why the last write failed (note_error()), or "" */
        sqlite3_stmt *stmts[_ST_MAX];
        sqlite3_stmt *conflict_lists[_CF_MAX];
        struct df_entry *df;
        size_t df_n, df_cap;
        uint64_t df_gen;        /* from 1, grows whenever entries of df move (grow, clear) */
        int64_t n_docs;         /* articles stored, for idf */
        int df_error;           /* first lookup error inside an idf callback */
        struct claim_cache cc;  /* the writer's prepared stored claims */
        size_t claim_cache_max;
        uint64_t gen;           /* counts store_ingest() calls: marks cache use */
        struct event_pool *pools[POOLS_MAX];    /* the writer's event claim pools */
        size_t n_pools;
        struct event_index events;      /* the writer's recent events */
};

static void claim_cache_clear(struct claim_cache *cc);
static void pools_clear(struct store *s);
static void event_index_clear(struct event_index *ei);

/* A growing string; append failures are remembered and reported once. */
struct strbuf {
        char *s;
        size_t len, cap;
        bool oom;
};

static void sb_append_n(struct strbuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->len + n + 1 > b->cap) {
                size_t nc = b->cap ? b->cap * 2 : 256;
                while (nc < b->len + n + 1)
                        nc *= 2;
                char *p = realloc(b->s, nc);
                if (!p) {
                        b->oom = true;
                        return;
                }
                b->s = p;
                b->cap = nc;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void sb_append(struct strbuf *b, const char *s) {
        sb_append_n(b, s, strlen(s));
}

static void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *b, const char *fmt, ...) {
        char tmp[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= sizeof tmp) {
                b->oom = true;
                return;
        }
        sb_append_n(b, tmp, (size_t) n);
}

/* Appends term as one FTS5 token of our "unicode61 tokenchars '_'" tables:
 * "E:Vladimir Putin" becomes e_vladimir_putin, ASCII punctuation becomes
 * '_', non-ASCII bytes are kept.  The same function builds documents and
 * queries, so both always tokenize alike. */
static void sb_append_token(struct strbuf *b, const char *term) {
        const char *p = term;
        if (p[0] == 'E' && p[1] == ':') {
                sb_append(b, "e_");
                p += 2;
        }
        for (; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char o;
                if (c >= 0x80)
                        o = (char) c;
                else if (c >= 'A' && c <= 'Z')
                        o = (char) (c - 'A' + 'a');
                else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                        o = (char) c;
                else
                        o = '_';
                sb_append_n(b, &o, 1);
        }
}

static char *sb_steal(struct strbuf *b) {
        char *s = b->oom ? NULL : b->s;
        if (b->oom)
                free(b->s);
        else if (!s)
                s = strdup("");
        b->s = NULL;
        b->len = b->cap = 0;
        return s;
}

/* The content hash used to recognise a re-posted article without url: 128
 * bits (two independent FNV-1a lanes) over the title and the body as posted,
 * as 32 hex digits. */
static void content_hash(const struct article_request *req, char out[33]) {
        const char *title = req->title ? req->title : "";
        const char *body = req->text ? req->text : req->html ? req->html : "";
        const char tag = req->text ? 't' : req->html ? 'h' : '-';
        uint64_t h1 = HASH_FNV1A64_BASIS, h2 = 0x84222325cbf29ce4ULL;

        h1 = hash_fnv1a64_update(h1, title, strlen(title) + 1);
        h1 = hash_fnv1a64_update(h1, &tag, 1);
        h1 = hash_fnv1a64_update(h1, body, strlen(body));
        h2 = hash_fnv1a64_update(h2, body, strlen(body));
        h2 = hash_fnv1a64_update(h2, &tag, 1);
        h2 = hash_fnv1a64_update(h2, title, strlen(title) + 1);
        snprintf(out, 33, "%016llx%016llx", (unsigned long long) hash_mix64(h1),
                 (unsigned long long) hash_mix64(h2 ^ (uint64_t) strlen(body)));
}

/* "s" + 64-bit hash of the source name: the source's scope token. */
static void source_token(const char *source, char out[18]) {
        uint64_t h = hash_mix64(hash_fnv1a64(source, strlen(source)));
        snprintf(out, 18, "s%016llx", (unsigned long long) h);
}

static int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0)))
                q--;
        return q;
}

/* ---- statements ---- */

/* Returns the cached statement id, preparing it on first use, reset and with
 * bindings cleared; 0 or a negative errno. */
static int stmt_get(struct store *s, enum stmt_id id, sqlite3_stmt **ret) {
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
static int stmt_run(sqlite3_stmt *st) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : store_errno(rc);
}

/* Runs a statement returning one integer: 1 and *ret when a row came (NULL
 * reads as 0), 0 when none, or a negative errno.  Resets the statement. */
static int stmt_int64(sqlite3_stmt *st, int64_t *ret) {
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
static int run_with_id(struct store *s, enum stmt_id id, int64_t v) {
        sqlite3_stmt *st;
        int r = stmt_get(s, id, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, v);
        return stmt_run(st);
}

static int exec_simple(struct store *s, enum stmt_id id) {
        sqlite3_stmt *st;
        int r = stmt_get(s, id, &st);
        return r < 0 ? r : stmt_run(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v) {
        if (v)
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, i);
}

static const char *column_text(sqlite3_stmt *st, int i) {
        return (const char *) sqlite3_column_text(st, i);
}

const char *store_errmsg(struct store *s) {
        if (!s || !s->db)
                return "no database";
        return s->errmsg[0] ? s->errmsg : sqlite3_errmsg(s->db);
}

/* Keeps what made a write fail (r) for store_errmsg(), before the ROLLBACK
 * that follows replaces SQLite's message with "not an error". */
static void note_error(struct store *s, int r) {
        int rc = sqlite3_errcode(s->db);
        if (r == -ESTALE)
                snprintf(s->errmsg, sizeof(s->errmsg), "the database file was %s since claimd opened it",
                         s->file_lost == -ENOENT ? "deleted" : "replaced");
        else if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
                snprintf(s->errmsg, sizeof(s->errmsg), "%s", sqlite3_errmsg(s->db));
        else
                snprintf(s->errmsg, sizeof(s->errmsg), "%s", strerror(-r));
}

/* ---- ranking ---- */

/* FTS5 auxiliary function claimd_rank(fts, weights): the sum of the weights
 * (a blob of doubles, one per query phrase in query order; phrases beyond it
 * weigh 0) of the phrases present in the row.  It replaces bm25(), whose
 * idf needs a pass over the whole doclist of every query term on each query,
 * a cost that grows with the store; our weights are the idf of the df table,
 * so ranking costs only what the rows matching the scoped query cost. */
static void claimd_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                        int nval, sqlite3_value **val) {
        const unsigned char *blob = NULL;
        int nw = 0;
        double score = 0;

        if (nval >= 1 && sqlite3_value_type(val[0]) == SQLITE_BLOB) {
                blob = sqlite3_value_blob(val[0]);
                nw = sqlite3_value_bytes(val[0]) / (int) sizeof(double);
        }
        int np = api->xPhraseCount(fts);
        for (int i = 0; i < np && i < nw; i++) {
                Fts5PhraseIter it;
                int col = -1, off = -1;
                if (api->xPhraseFirst(fts, i, &it, &col, &off) == SQLITE_OK && col >= 0) {
                        double w;
                        memcpy(&w, blob + (size_t) i * sizeof(double), sizeof w);
                        score += w;
                }
        }
        sqlite3_result_double(ctx, score);
}

/* Registers claimd_rank() with this connection's FTS5; 0 or -EIO. */
static int register_rank(sqlite3 *db) {
        fts5_api *api = NULL;
        sqlite3_stmt *st;

        if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
                return -EIO;
        sqlite3_bind_pointer(st, 1, (void *) &api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
        sqlite3_finalize(st);
        if (!api || api->iVersion < 2)
                return -EIO;
        return api->xCreateFunction(api, "claimd_rank", NULL, claimd_rank, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* A growing array of weights handed to claimd_rank() as a blob. */
struct weights {
        double *w;
        size_t n, cap;
};

static int weights_push(struct weights *w, double v) {
        if (w->n == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 32;
                double *p = realloc(w->w, nc * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                w->w = p;
                w->cap = nc;
        }
        w->w[w->n++] = v;
        return 0;
}

/* ---- open / close ---- */

static int pragma(sqlite3 *db, const char *sql) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : store_errno(rc);
}

int store_open(const char *path, bool readonly, struct store **ret) {
        struct store *s;
        int rc, r, v;

        if (!path || !ret)
                return -EINVAL;
        /* The writer creates the database; a reader opened before that has
         * nothing to read yet. */
        if (readonly && access(path, F_OK) < 0)
                return -errno;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->readonly = readonly;
        s->df_gen = 1;
        s->claim_cache_max = CLAIM_CACHE_MAX;

        int flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY
                                                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        rc = sqlite3_open_v2(path, &s->db, flags, NULL);
        if (rc != SQLITE_OK) {
                r = rc == SQLITE_CANTOPEN ? -EIO : store_errno(rc);
                goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, 5000);

        if (!readonly) {
                /* WAL: readers never block the writer nor see half a commit.
                 * synchronous=FULL: each COMMIT also fsyncs the WAL, so an
                 * acknowledged article survives not only kill -9 (which
                 * NORMAL already guarantees in WAL mode: a committed frame
                 * is in the OS page cache before COMMIT returns) but also a
                 * power cut or kernel crash, which NORMAL does not; the cost
                 * is one fsync per commit, which batching amortises. */
                sqlite3_stmt *st;
                rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
                if (rc == SQLITE_OK) {
                        rc = sqlite3_step(st);
                        const char *mode = rc == SQLITE_ROW ? column_text(st, 0) : NULL;
                        rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_IOERR;
                        sqlite3_finalize(st);
                }
                if (rc != SQLITE_OK) {
                        r = store_errno(rc);
                        goto fail;
                }
                if ((r = pragma(s->db, "PRAGMA synchronous = FULL")) < 0 ||
                    (r = pragma(s->db, "PRAGMA foreign_keys = ON")) < 0 ||
                    (r = pragma(s->db, "PRAGMA journal_size_limit = 67108864")) < 0 ||
                    (r = pragma(s->db, "PRAGMA temp_store = MEMORY")) < 0 ||
                    (r = pragma(s->db, "PRAGMA cache_size = -16000")) < 0)
                        goto fail;
                r = migrations_apply(s->db);
                if (r < 0)
                        goto fail;
                r = register_rank(s->db);
                if (r < 0)
                        goto fail;
        } else {
                if ((r = pragma(s->db, "PRAGMA query_only = ON")) < 0 ||
                    (r = pragma(s->db, "PRAGMA cache_size = -8000")) < 0)
                        goto fail;
                r = migrations_version(s->db, &v);
                if (r < 0)
                        goto fail;
                if (v > migrations_latest()) {
                        r = -EPROTO;
                        goto fail;
                }
                if (v < migrations_latest()) {
                        r = -EAGAIN;    /* the writer has not migrated it yet */
                        goto fail;
                }
        }
        r = store_file_init(&s->file, path);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        store_close(s);
        return r;
}

int store_file_state(struct store *s) {
        if (!s->file_lost)
                s->file_lost = store_file_check(&s->file);
        return s->file_lost;
}

int store_save_copy(struct store *s, const char *dest) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?1", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
                unlink(dest);
                return store_errno(rc) ?: -EIO;
        }
        return 0;
}

static void df_cache_clear(struct store *s) {
        for (size_t i = 0; i < s->df_cap; i++)
                free(s->df[i].term);
        free(s->df);
        s->df = NULL;
        s->df_n = s->df_cap = 0;
        s->df_gen++;
}

void store_close(struct store *s) {
        if (!s)
                return;
        for (int i = 0; i < _ST_MAX; i++)
                sqlite3_finalize(s->stmts[i]);
        for (int i = 0; i < _CF_MAX; i++)
                sqlite3_finalize(s->conflict_lists[i]);
        df_cache_clear(s);
        claim_cache_clear(&s->cc);
        pools_clear(s);
        event_index_clear(&s->events);
        store_file_done(&s->file);
        if (s->db && !s->readonly)
                /* Fold the WAL into the database file: the read-only
                 * connection closes after the writer and may not, so
                 * without this a stopped daemon leaves recent articles only
                 * in claimd.db-wal, and a copy of claimd.db alone (a backup
                 * of the stopped service) would miss them.  A busy or failed
                 * checkpoint loses nothing: the WAL stays and is read. */
                sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        if (s->db)
                sqlite3_close_v2(s->db);
        free(s);
}

/* ---- document frequencies ---- */

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
static int df_cached_slot(struct store *s, const char *term, size_t *ret_slot) {
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
static double idf_of_df(const struct store *s, int64_t df) {
        double v = log((double) (s->n_docs + 1) / (double) (df + 1)) + 1.0;
        return v > 0 ? v : 1e-6;
}

/* idf_func for termvec: log((N + 1) / (df + 1)) + 1 with N the articles
 * stored; lookup errors are remembered in s->df_error. */
static double idf_cb(const char *term, void *userdata) {
        struct store *s = userdata;
        int64_t df = 0;
        int r = df_lookup(s, term, &df);
        if (r < 0 && !s->df_error)
                s->df_error = r;
        return idf_of_df(s, df);
}

/* ---- duplicates ---- */

int store_find_duplicate(struct store *s, const struct article_request *req, int64_t *ret_id) {
        sqlite3_stmt *st;
        int64_t id = 0;
        int r;

        if (!s || !req || !req->source)
                return -EINVAL;
        if (req->url && req->url[0]) {
                r = stmt_get(s, ST_DUP_URL, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, req->url);
        } else {
                char hash[33];
                content_hash(req, hash);
                r = stmt_get(s, ST_DUP_HASH, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, req->source);
                bind_text(st, 2, hash);
        }
        r = stmt_int64(st, &id);
        if (r > 0 && ret_id)
                *ret_id = id;
        return r;
}

/* ---- ingest ---- */

struct ranked_term {
        const char *term;
        double score;
};

static int ranked_cmp(const void *x, const void *y) {
        const struct ranked_term *a = x, *b = y;
        if (a->score != b->score)
                return a->score < b->score ? 1 : -1;
        return strcmp(a->term, b->term);
}

/* Ranks the terms of v by weight * idf, heaviest first; returns a malloc'ed
 * array of v->n entries (NULL with n == 0 or on ENOMEM, see *ret_r). */
static struct ranked_term *rank_terms(struct store *s, const struct termvec *v, int *ret_r) {
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

/* Appends a FTS5 OR-group of tokens, each quoted: ("a" OR "b"). */
static void sb_append_or_group(struct strbuf *b, const char *const *terms, size_t n) {
        sb_append(b, "(");
        for (size_t i = 0; i < n; i++) {
                if (i)
                        sb_append(b, " OR ");
                sb_append(b, "\"");
                sb_append_token(b, terms[i]);
                sb_append(b, "\"");
        }
        sb_append(b, ")");
}

/* Appends a day or week scope token: prefix and n, "m" and -n for a negative
 * n (before 1970).  FTS5 reads a bare "d-25567" as a column filter, and the
 * tokenizer would split it in two anyway; "dm25567" is one bareword token,
 * for any day of the years 1..9999. */
static void sb_append_period(struct strbuf *b, const char *prefix, int64_t n) {
        sb_printf(b, n < 0 ? "%sm%lld" : "%s%lld", prefix, (long long) (n < 0 ? -n : n));
}

/* Appends scope : (dN OR ...) covering [lo, hi] with day tokens, or week
 * tokens for wide windows; nothing when even weeks would be too many. */
static void sb_append_window(struct strbuf *b, int64_t lo, int64_t hi) {
        int64_t d0 = floor_div(lo, 86400), d1 = floor_div(hi, 86400);
        int64_t w0 = floor_div(lo, 7 * 86400), w1 = floor_div(hi, 7 * 86400);
        const char *prefix;
        int64_t a, z;

        if (d1 - d0 < 16) {
                prefix = "d";
                a = d0;
                z = d1;
        } else if (w1 - w0 < 16) {
                prefix = "w";
                a = w0;
                z = w1;
        } else
                return;
        sb_append(b, " AND scope : (");
        for (int64_t i = a; i <= z; i++) {
                if (i != a)
                        sb_append(b, " OR ");
                sb_append_period(b, prefix, i);
        }
        sb_append(b, ")");
}

/* Makes a readable event label: the title, else the heaviest entities, else
 * the heaviest terms; cut at LABEL_MAX bytes on a UTF-8 boundary. */
static char *make_label(const struct extracted_article *ex, const struct ranked_term *rt, size_t n) {
        struct strbuf b = {};
        const char *title = ex->title;
        while (title && (*title == ' ' || *title == '\n' || *title == '\t'))
                title++;
        if (title && *title)
                sb_append(&b, title);
        else {
                size_t k = 0;
                for (int pass = 0; pass < 2 && k < 4; pass++)
                        for (size_t i = 0; i < n && k < 4; i++) {
                                bool ent = strncmp(rt[i].term, "E:", 2) == 0;
                                if (ent != (pass == 0))
                                        continue;
                                if (k++)
                                        sb_append(&b, ", ");
                                sb_append(&b, ent ? rt[i].term + 2 : rt[i].term);
                        }
                if (k == 0)
                        sb_append(&b, "(untitled)");
        }
        if (!b.oom && b.len > LABEL_MAX) {
                size_t cut = LABEL_MAX;
                while (cut > 0 && ((unsigned char) b.s[cut] & 0xc0) == 0x80)
                        cut--;
                b.s[cut] = '\0';
                b.len = cut;
        }
        for (size_t i = 0; !b.oom && i < b.len; i++)
                if (b.s[i] == '\n' || b.s[i] == '\r' || b.s[i] == '\t')
                        b.s[i] = ' ';
        return sb_steal(&b);
}

/* Copies v with each weight w >= 1 damped to 1 + ln(w) (sublinear tf): an
 * article repeating a word ten times is not ten times about it.  Measured
 * on the emergent and FNC-1 dev splits, this alone lifts event grouping
 * from pairwise F1 0.69 to 0.86 (emergent). */
static int sublinear_copy(const struct termvec *v, struct termvec *ret) {
        struct termvec c = {};
        if (v->n > 0) {
                c.items = calloc(v->n, sizeof(*c.items));
                if (!c.items)
                        return -ENOMEM;
                for (size_t i = 0; i < v->n; i++) {
                        c.items[i].term = strdup(v->items[i].term);
                        if (!c.items[i].term) {
                                c.n = i;
                                termvec_clear(&c);
                                return -ENOMEM;
                        }
                        float w = v->items[i].weight;
                        c.items[i].weight = w >= 1.0f ? 1.0f + logf(w) : w;
                }
                c.n = v->n;
        }
        *ret = c;
        return 0;
}

/* How well an article fits an event: the geometric mean of the idf-weighted
 * cosine of its (sublinear) term vector with the event's centroid and the
 * share of its terms the centroid holds (discounted below four terms, so a
 * short headline joins the event of the body that covers it without a few
 * shared words deciding alone).  In [0, 1]; on the emergent dev split
 * pairwise F1 0.875 at 0.25 (cosine alone: 0.856 at its best threshold), and
 * FNC-1 stream related-vs-unrelated accuracy 0.975 (cosine alone: 0.92). */
static double fit_score(size_t a_terms, double cos, double cov) {
        if (a_terms < 4)
                cov *= (double) a_terms / 4.0;
        return sqrt(cos * cov);
}

/* fit_score() of article vector a with an event's centroid. */
static double event_similarity(struct store *s, const struct termvec *a, const struct termvec *centroid) {
        if (a->n == 0 || centroid->n == 0)
                return 0.0;
        double cov = termvec_coverage(a, centroid);
        return fit_score(a->n, termvec_cosine(a, centroid, idf_cb, s), cov);
}

/* ---- recent events in memory ----
 *
 * Event assignment ranks the events whose time span meets the article's
 * window by the idf of the article's heaviest terms that their centroids
 * hold, in memory: a query over the articles of the window would cost more
 * the more articles the window holds.  The writer keeps every event with
 * last_seen >= horizon (at most EVENTS_IN_MEMORY of them; the oldest go
 * first and move the horizon), read once with one index range query and
 * then kept in step by assign_event(); an article whose window starts
 * before the horizon (a backfill) is assigned by the FTS5 query instead.
 * Dropped on rollback and expiry like the other caches. */

static void mem_event_free(struct mem_event *e) {
        if (!e)
                return;
        termvec_clear(&e->centroid);
        termvec_hashes_clear(&e->hashes);
        free(e->df_slots);
        free(e);
}

static void event_index_clear(struct event_index *ei) {
        for (size_t i = 0; i < ei->n; i++)
                mem_event_free(ei->items[i]);
        free(ei->items);
        *ei = (struct event_index) {};
}

/* Gives e the centroid parsed from its stored form ser (so that memory and
 * database rank alike); 0 or a negative errno. */
static int mem_event_set_centroid(struct mem_event *e, const char *ser) {
        struct termvec c = {};
        int r = ser ? termvec_parse(ser, &c) : 0;
        if (r < 0)
                return r;
        struct termvec_hashes h = {};
        uint32_t *slots = malloc((c.n ? c.n : 1) * sizeof(*slots));
        if (!slots || (r = termvec_hashes_make(&c, &h)) < 0) {
                free(slots);
                termvec_clear(&c);
                return r < 0 ? r : -ENOMEM;
        }
        termvec_clear(&e->centroid);
        termvec_hashes_clear(&e->hashes);
        free(e->df_slots);
        e->centroid = c;
        e->hashes = h;
        e->df_slots = slots;
        e->df_gen = 0;
        return 0;
}

/* Sets e->norm2, the sum of e's squared idf-weighted centroid weights in
 * term order (termvec_norm2() with the idf idf_cb() gives), the idf read
 * from the df cache slots e keeps.  Ranking the candidate events reads
 * ~200 terms of each of ~20 events per article: hashing and comparing each
 * term again was an eighth of the writer's time.  The slots are found
 * again only after the cache moved its entries.  Returns 0 or a negative
 * errno. */
static int mem_event_norm2(struct store *s, struct mem_event *e) {
        while (e->df_gen != s->df_gen) {
                /* (a look-up that grows or clears the cache moves the slots
                 * found before it: then round again) */
                uint64_t gen = s->df_gen;
                for (size_t i = 0; i < e->centroid.n && s->df_gen == gen; i++) {
                        size_t slot;
                        int r = df_cached_slot(s, e->centroid.items[i].term, &slot);
                        if (r < 0)
                                return r;
                        e->df_slots[i] = (uint32_t) slot;
                }
                if (s->df_gen == gen)
                        e->df_gen = gen;
        }
        double n2 = 0;
        for (size_t i = 0; i < e->centroid.n; i++) {
                double w = e->centroid.items[i].weight * idf_of_df(s, s->df[e->df_slots[i]].df);
                n2 += w * w;
        }
        e->norm2 = n2;
        return 0;
}

static struct mem_event *event_index_find(struct event_index *ei, int64_t id) {
        for (size_t i = 0; i < ei->n; i++)
                if (ei->items[i]->id == id)
                        return ei->items[i];
        return NULL;
}

/* Adds or updates event id; drops the least recently seen events beyond
 * EVENTS_IN_MEMORY, moving the horizon past them.  0 or a negative errno. */
static int event_index_put(struct event_index *ei, int64_t id, int64_t first_seen, int64_t last_seen,
                           const char *centroid) {
        struct mem_event *e = event_index_find(ei, id);
        bool fresh = !e;
        int r;

        if (fresh) {
                e = calloc(1, sizeof(*e));
                struct mem_event **n = e ? realloc(ei->items, (ei->n + 1) * sizeof(*n)) : NULL;
                if (!n) {
                        free(e);
                        return -ENOMEM;
                }
                ei->items = n;
                e->id = id;
        }
        r = mem_event_set_centroid(e, centroid);
        if (r < 0) {
                if (fresh)
                        mem_event_free(e);
                return r;
        }
        e->first_seen = first_seen;
        e->last_seen = last_seen;
        if (fresh)
                ei->items[ei->n++] = e;
        while (ei->n > EVENTS_IN_MEMORY) {
                size_t old = 0;
                for (size_t i = 1; i < ei->n; i++)
                        if (ei->items[i]->last_seen < ei->items[old]->last_seen)
                                old = i;
                if (ei->items[old]->last_seen + 1 > ei->horizon)
                        ei->horizon = ei->items[old]->last_seen + 1;
                mem_event_free(ei->items[old]);
                ei->items[old] = ei->items[--ei->n];
        }
        return 0;
}

/* Reads the events seen since horizon (at most EVENTS_IN_MEMORY, the most
 * recently seen) into the index; 0 or a negative errno. */
static int event_index_load(struct store *s, int64_t horizon) {
        struct event_index *ei = &s->events;
        sqlite3_stmt *st;
        size_t n = 0;
        int r, rc;

        event_index_clear(ei);
        ei->horizon = horizon;
        r = stmt_get(s, ST_EVENTS_RECENT, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, horizon);
        sqlite3_bind_int(st, 2, EVENTS_IN_MEMORY + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t last = sqlite3_column_int64(st, 2);
                if (n++ == EVENTS_IN_MEMORY) {
                        ei->horizon = last + 1;
                        break;
                }
                r = event_index_put(ei, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), last,
                                    column_text(st, 3));
                if (r < 0)
                        break;
        }
        sqlite3_reset(st);
        if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
                r = store_errno(rc);
        if (r < 0) {
                event_index_clear(ei);
                return r;
        }
        ei->loaded = true;
        return 0;
}

/* An article's term vector made ready to meet many event centroids: the
 * idf, hash and norm of its terms, worked out once. */
struct article_terms {
        const struct termvec *tv;
        double *idf;
        uint64_t *hash;
        double norm2;
};

static void article_terms_clear(struct article_terms *a) {
        free(a->idf);
        free(a->hash);
        *a = (struct article_terms) {};
}

/* Fills *ret for tv; 0 or a negative errno (a df look-up's). */
static int article_terms_make(struct store *s, const struct termvec *tv, struct article_terms *ret) {
        struct article_terms a = { .tv = tv };
        int r = termvec_idf_weights(tv, idf_cb, s, &a.idf);
        if (r < 0)
                return r;
        a.hash = malloc((tv->n ? tv->n : 1) * sizeof(*a.hash));
        r = !a.hash ? -ENOMEM : s->df_error;
        if (r < 0) {
                article_terms_clear(&a);
                return r;
        }
        for (size_t i = 0; i < tv->n; i++)
                a.hash[i] = termvec_term_hash(tv->items[i].term);
        a.norm2 = termvec_norm2(tv, a.idf);
        *ret = a;
        return 0;
}

/* event_similarity() of article a with recent event e, e's norm from
 * mem_event_norm2().  Returns 0 and fills *ret, or a negative
 * errno. */
static int mem_event_similarity(struct store *s, const struct article_terms *a, struct mem_event *e,
                                double *ret) {
        if (a->tv->n == 0 || e->centroid.n == 0) {
                *ret = 0.0;
                return 0;
        }
        int r = mem_event_norm2(s, e);
        if (r < 0)
                return r;
        double cov, cos = termvec_cosine_hashed(a->tv, a->idf, a->hash, a->norm2, &e->centroid, &e->hashes,
                                                e->norm2, &cov);
        *ret = fit_score(a->tv->n, cos, cov);
        return 0;
}

struct event_score {
        struct mem_event *e;
        double score;
};

/* The in-memory counterpart of ST_EVENT_CANDIDATES: up to limit events
 * whose span meets [lo, hi], ranked by the summed weights w of the query
 * terms their centroids hold (ties: newest event first).  Returns their
 * number. */
static size_t event_index_candidates(struct event_index *ei, const char *const *terms, const double *w,
                                     size_t nq, int64_t lo, int64_t hi, size_t limit,
                                     struct mem_event **ret) {
        struct event_score top[256];
        uint64_t qh[QUERY_TERMS];
        size_t ntop = 0;

        if (limit > 256)
                limit = 256;
        for (size_t i = 0; i < nq; i++)
                qh[i] = termvec_term_hash(terms[i]);
        for (size_t k = 0; k < ei->n; k++) {
                struct mem_event *e = ei->items[k];
                if (e->last_seen < lo || e->first_seen > hi)
                        continue;
                double score = 0;
                for (size_t i = 0; i < nq; i++)
                        if (termvec_hashes_has(&e->hashes, qh[i]))
                                score += w[i];
                if (score <= 0)
                        continue;
                size_t pos = ntop;
                while (pos > 0 && (top[pos - 1].score < score ||
                                   (top[pos - 1].score == score && top[pos - 1].e->id < e->id)))
                        pos--;
                if (pos >= limit)
                        continue;
                size_t end = ntop < limit ? ntop : limit - 1;
                memmove(&top[pos + 1], &top[pos], (end - pos) * sizeof(top[0]));
                top[pos] = (struct event_score) { e, score };
                if (ntop < limit)
                        ntop++;
        }
        for (size_t i = 0; i < ntop; i++)
                ret[i] = top[i].e;
        return ntop;
}

struct event_choice {
        int64_t id;
        bool created;
        struct termvec centroid;        /* the chosen event's centroid, before adding */
};

/* Finds the event an article joins: events of the articles that best match
 * its heaviest terms within the time window, scored by idf-weighted cosine
 * with their centroids.  Fills *ret (id 0: open a new one). */
static int find_event(struct store *s, const struct article_request *req,
                      const struct event_options *eo, const struct ranked_term *rt, size_t nrt,
                      const struct termvec *tv, struct event_choice *ret) {
        struct strbuf q = {};
        sqlite3_stmt *st;
        int64_t ids[256];
        size_t nids = 0;
        int r, rc;

        ret->id = 0;
        if (nrt == 0)
                return 0;

        const char *terms[QUERY_TERMS];
        size_t nq = nrt < QUERY_TERMS ? nrt : QUERY_TERMS;
        for (size_t i = 0; i < nq; i++)
                terms[i] = rt[i].term;
        int64_t window = (int64_t) (eo->window_hours > 0 ? eo->window_hours : 72) * 3600;
        int64_t lo = (int64_t) req->published - window, hi = (int64_t) req->published + window;

        sb_append(&q, "fts_terms : ");
        sb_append_or_group(&q, terms, nq);
        sb_append_window(&q, lo, hi);
        if (q.oom) {
                free(q.s);
                return -ENOMEM;
        }

        double w[QUERY_TERMS];
        for (size_t i = 0; i < nq; i++)
                w[i] = idf_cb(terms[i], s);
        if (s->df_error) {
                free(q.s);
                return s->df_error;
        }

        int limit = eo->max_candidates > 0 ? eo->max_candidates : 20;
        if (!s->events.loaded && (r = event_index_load(s, lo - window)) < 0) {
                free(q.s);
                return r;
        }
        if (lo >= s->events.horizon) {
                struct mem_event *cand[256];
                size_t nc = event_index_candidates(&s->events, terms, w, nq, lo, hi, (size_t) limit, cand);
                struct article_terms at = {};
                double best = -1;
                struct mem_event *chosen = NULL;
                free(q.s);
                /* the article's idf once, not once per candidate */
                if (nc > 0 && (r = article_terms_make(s, tv, &at)) < 0)
                        return r;
                for (size_t i = 0; i < nc; i++) {
                        double sim;
                        r = mem_event_similarity(s, &at, cand[i], &sim);
                        if (r < 0) {
                                article_terms_clear(&at);
                                return r;
                        }
                        if (sim >= eo->min_similarity && sim > best) {
                                best = sim;
                                chosen = cand[i];
                        }
                }
                article_terms_clear(&at);
                if (chosen) {
                        r = termvec_add(&ret->centroid, &chosen->centroid);
                        if (r < 0)
                                return r;
                        ret->id = chosen->id;
                }
                return 0;
        }

        r = stmt_get(s, ST_EVENT_CANDIDATES, &st);
        if (r < 0) {
                free(q.s);
                return r;
        }
        bind_text(st, 1, q.s);
        sqlite3_bind_int64(st, 2, lo);
        sqlite3_bind_int64(st, 3, hi);
        sqlite3_bind_int(st, 4, limit);
        sqlite3_bind_blob(st, 5, w, (int) (nq * sizeof(double)), SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t e = sqlite3_column_int64(st, 0);
                bool seen = false;
                for (size_t i = 0; i < nids; i++)
                        seen |= ids[i] == e;
                if (!seen && nids < sizeof(ids) / sizeof(ids[0]))
                        ids[nids++] = e;
        }
        sqlite3_reset(st);
        free(q.s);
        if (rc != SQLITE_DONE)
                return store_errno(rc);

        double best = -1;
        for (size_t i = 0; i < nids; i++) {
                struct termvec c = {};
                r = stmt_get(s, ST_EVENT_CENTROID, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, ids[i]);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW && column_text(st, 0))
                        r = termvec_parse(column_text(st, 0), &c);
                else
                        r = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_errno(rc);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
                double sim = event_similarity(s, tv, &c);
                if (s->df_error) {
                        termvec_clear(&c);
                        return s->df_error;
                }
                if (sim >= eo->min_similarity && sim > best) {
                        best = sim;
                        termvec_clear(&ret->centroid);
                        ret->centroid = c;
                        ret->id = ids[i];
                } else
                        termvec_clear(&c);
        }
        return 0;
}

/* Assigns the article's event (joining or opening one), updating centroid,
 * counts, sources and seen times; fills *ret_id and *ret_created. */
static int assign_event(struct store *s, const struct article_request *req,
                        const struct event_options *eo, const struct ranked_term *rt, size_t nrt,
                        const struct extracted_article *ex, const struct termvec *tv,
                        int64_t *ret_id, bool *ret_created) {
        struct event_choice ch = {};
        sqlite3_stmt *st;
        char *ser = NULL;
        int64_t added = 0;
        int r;

        r = find_event(s, req, eo, rt, nrt, tv, &ch);
        if (r < 0)
                goto out;
        if (ch.id == 0) {
                char *label = make_label(ex, rt, nrt);
                if (!label) {
                        r = -ENOMEM;
                        goto out;
                }
                r = stmt_get(s, ST_EVENT_INSERT, &st);
                if (r >= 0) {
                        bind_text(st, 1, label);
                        sqlite3_bind_int64(st, 2, (int64_t) req->published);
                        r = stmt_run(st);
                }
                free(label);
                if (r < 0)
                        goto out;
                ch.id = sqlite3_last_insert_rowid(s->db);
                ch.created = true;
        }
        r = termvec_add(&ch.centroid, tv);
        if (r >= 0)
                r = termvec_top(&ch.centroid, CENTROID_TERMS, idf_cb, s);
        if (r >= 0 && s->df_error)
                r = s->df_error;
        if (r >= 0)
                r = termvec_serialize(&ch.centroid, &ser);
        if (r < 0)
                goto out;

        r = stmt_get(s, ST_EVENT_SOURCE_ADD, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, ch.id);
        bind_text(st, 2, req->source);
        r = stmt_run(st);
        if (r < 0)
                goto out;
        added = sqlite3_changes(s->db) > 0;

        r = stmt_get(s, ST_EVENT_UPDATE, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, ch.id);
        bind_text(st, 2, ser);
        sqlite3_bind_int64(st, 3, (int64_t) req->published);
        sqlite3_bind_int64(st, 4, added);
        int rc = sqlite3_step(st);
        int64_t first = sqlite3_column_int64(st, 0), last = sqlite3_column_int64(st, 1);
        r = rc == SQLITE_ROW ? stmt_run(st) : rc == SQLITE_DONE ? -EIO : store_errno(rc);
        sqlite3_reset(st);
        if (r < 0)
                goto out;
        /* keep the recent events in step (also one that a backfill found by
         * FTS5 and that is recent again now) */
        if (s->events.loaded && last >= s->events.horizon) {
                r = event_index_put(&s->events, ch.id, first, last, ser);
                if (r < 0)
                        goto out;
        }
        *ret_id = ch.id;
        *ret_created = ch.created;
out:
        free(ser);
        termvec_clear(&ch.centroid);
        return r;
}

/* The keys a claim is indexed under, as the df table spells them: its stems,
 * and "E:" + the name of each entity; duplicates dropped, at most 64.
 * Fills *ret (free each and the array) and *ret_n; 0 or -ENOMEM. */
static int claim_keys(const struct claim *c, char ***ret, size_t *ret_n) {
        char **k = calloc(64, sizeof(*k));
        size_t n = 0;
        const char *p = c->terms ? c->terms : "";

        if (!k)
                return -ENOMEM;
        while (*p && n < 64) {
                while (*p == ' ')
                        p++;
                const char *end = p;
                while (*end && *end != ' ')
                        end++;
                if (end == p)
                        break;
                char *key = strndup(p, (size_t) (end - p));
                p = end;
                if (!key)
                        goto oom;
                bool dup = false;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = strcmp(k[i], key) == 0;
                if (dup)
                        free(key);
                else
                        k[n++] = key;
        }
        for (size_t i = 0; i < c->n_entities && n < 64; i++) {
                const char *name = c->entities[i].name;
                char *key;
                if (!name || !name[0])
                        continue;
                if (asprintf(&key, "E:%s", name) < 0)
                        goto oom;
                bool dup = false;
                for (size_t j = 0; j < n && !dup; j++)
                        dup = strcmp(k[j], key) == 0;
                if (dup)
                        free(key);
                else
                        k[n++] = key;
        }
        *ret = k;
        *ret_n = n;
        return 0;
oom:
        for (size_t i = 0; i < n; i++)
                free(k[i]);
        free(k);
        return -ENOMEM;
}

static void keys_free(char **k, size_t n) {
        for (size_t i = 0; k && i < n; i++)
                free(k[i]);
        free(k);
}

/* The FTS document of a claim: its keys as tokens. */
static char *claim_fts_terms(char *const *keys, size_t n) {
        struct strbuf b = {};
        for (size_t i = 0; i < n; i++) {
                if (i)
                        sb_append(&b, " ");
                sb_append_token(&b, keys[i]);
        }
        return sb_steal(&b);
}

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

struct pending_conflict {
        struct conflict_result res;
        int64_t claim_a, claim_b, article_a, article_b;
        const char *source_a, *source_b;        /* borrowed until insert */
        char *own_source_a;
};

static void pending_free(struct pending_conflict *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].res.explanation);
                free(p[i].own_source_a);
        }
        free(p);
}

static int pending_cmp(const void *x, const void *y) {
        const struct pending_conflict *a = x, *b = y;
        if (a->res.score != b->res.score)
                return a->res.score < b->res.score ? 1 : -1;
        if (a->claim_b != b->claim_b)
                return a->claim_b < b->claim_b ? -1 : 1;
        return a->claim_a < b->claim_a ? -1 : a->claim_a > b->claim_a;
}

/* ---- stored claims prepared for matching ----
 *
 * The writer keeps the stored claims it retrieved as candidates, parsed and
 * with their conflict views (segmented text, WordNet answers), in a bounded
 * LRU cache keyed by claim id: a claim retrieved by many later articles of
 * its event is read from JSON and segmented once instead of once per
 * article.  The cache only holds what the writer's transaction sees; it is
 * dropped whenever a transaction or savepoint is rolled back (claim ids may
 * then be reused) and after expiry.
 *
 * Claims whose stored data is the same byte for byte (an article syndicated
 * by many outlets, each copy with its own claim ids) share one parsed claim
 * and one conflict view: a copy is read, parsed and segmented once. */

#define PARSED_BUCKETS 16384

struct parsed_claim {
        uint64_t hash[2];               /* of the stored data: two independent FNV-1a lanes */
        struct claim claim;             /* all zero when the stored data is unreadable */
        bool unreadable;
        struct conflict_view *view;     /* made on first check, borrows claim */
        size_t refs;                    /* cached claims holding it */
        struct parsed_claim *next;      /* in its chain of cc->parsed */
};

struct cached_claim {
        int64_t id, article_id;
        char *source;                   /* NULL: the stored data is unreadable */
        struct parsed_claim *parsed;
        uint64_t used;                  /* s->gen of the last article that used it */
        struct cached_claim *prev, *next;       /* LRU list, most recent first */
};

/* Drops a reference to p; the last one unchains and frees it. */
static void parsed_claim_release(struct claim_cache *cc, struct parsed_claim *p) {
        if (!p || --p->refs > 0)
                return;
        if (cc->parsed) {
                struct parsed_claim **pp = &cc->parsed[p->hash[0] % PARSED_BUCKETS];
                while (*pp && *pp != p)
                        pp = &(*pp)->next;
                if (*pp)
                        *pp = p->next;
        }
        conflict_view_free(p->view);
        claim_clear(&p->claim);
        free(p);
}

/* The parsed claim of stored data `data`: shared with another cached claim
 * of the same data, else parsed now and chained.  Returns 0 and *ret (one
 * more reference), or -ENOMEM.  Unreadable data gives an empty claim. */
static int parsed_claim_get(struct claim_cache *cc, const char *data, struct parsed_claim **ret) {
        size_t n = strlen(data);
        uint64_t h0 = hash_fnv1a64(data, n), h1 = hash_fnv1a64_update(0x84222325cbf29ce4ULL, data, n);

        if (!cc->parsed && !(cc->parsed = calloc(PARSED_BUCKETS, sizeof(*cc->parsed))))
                return -ENOMEM;
        for (struct parsed_claim *p = cc->parsed[h0 % PARSED_BUCKETS]; p; p = p->next)
                if (p->hash[0] == h0 && p->hash[1] == h1) {
                        p->refs++;
                        *ret = p;
                        return 0;
                }
        struct parsed_claim *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        json_t *o = json_loads(data, 0, NULL);
        int r = o ? claim_from_json(o, &p->claim) : -EINVAL;
        json_decref(o);
        if (r == -ENOMEM) {
                free(p);
                return r;
        }
        if (r < 0) {
                claim_clear(&p->claim);
                memset(&p->claim, 0, sizeof(p->claim));
                p->unreadable = true;
        }
        p->hash[0] = h0;
        p->hash[1] = h1;
        p->refs = 1;
        p->next = cc->parsed[h0 % PARSED_BUCKETS];
        cc->parsed[h0 % PARSED_BUCKETS] = p;
        *ret = p;
        return 0;
}

static void cached_claim_free(struct claim_cache *cc, struct cached_claim *c) {
        if (!c)
                return;
        parsed_claim_release(cc, c->parsed);
        free(c->source);
        free(c);
}

static size_t cc_home(const struct claim_cache *cc, int64_t id) {
        return (size_t) hash_mix64((uint64_t) id) & (cc->cap - 1);
}

/* The slot holding id, or the empty slot where it would go. */
static size_t cc_slot(const struct claim_cache *cc, int64_t id) {
        size_t mask = cc->cap - 1, i = cc_home(cc, id);
        while (cc->slots[i] && cc->slots[i]->id != id)
                i = (i + 1) & mask;
        return i;
}

static void cc_unlink(struct claim_cache *cc, struct cached_claim *c) {
        if (c->prev)
                c->prev->next = c->next;
        else
                cc->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                cc->tail = c->prev;
        c->prev = c->next = NULL;
}

static void cc_push_front(struct claim_cache *cc, struct cached_claim *c) {
        c->prev = NULL;
        c->next = cc->head;
        if (cc->head)
                cc->head->prev = c;
        cc->head = c;
        if (!cc->tail)
                cc->tail = c;
}

/* Removes c from the table (backward-shift deletion) and list, frees it. */
static void cc_remove(struct claim_cache *cc, struct cached_claim *c) {
        size_t mask = cc->cap - 1, i = cc_slot(cc, c->id), j = i;
        for (;;) {
                j = (j + 1) & mask;
                if (!cc->slots[j])
                        break;
                size_t k = cc_home(cc, cc->slots[j]->id);
                /* may slots[j] move back to i?  yes unless k lies in (i, j] */
                bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
                if (!stays) {
                        cc->slots[i] = cc->slots[j];
                        i = j;
                }
        }
        cc->slots[i] = NULL;
        cc_unlink(cc, c);
        cc->n--;
        cached_claim_free(cc, c);
}

static void claim_cache_clear(struct claim_cache *cc) {
        struct cached_claim *c = cc->head;
        while (c) {
                struct cached_claim *next = c->next;
                cached_claim_free(cc, c);
                c = next;
        }
        free(cc->slots);
        free(cc->parsed);       /* empty: every parsed claim had a holder */
        *cc = (struct claim_cache) {};
}

static int cc_grow(struct claim_cache *cc) {
        size_t ncap = cc->cap ? cc->cap * 2 : 1024;
        struct cached_claim **old = cc->slots;
        size_t ocap = cc->cap;
        struct cached_claim **n = calloc(ncap, sizeof(*n));
        if (!n)
                return -ENOMEM;
        cc->slots = n;
        cc->cap = ncap;
        for (size_t i = 0; i < ocap; i++)
                if (old[i])
                        cc->slots[cc_slot(cc, old[i]->id)] = old[i];
        free(old);
        return 0;
}

/* Reads stored claim id (parsed, with its article and source) into a new
 * cache entry; returns 1 and *ret, 0 when the claim is gone, or a negative
 * errno.  Unreadable data gives an entry with source NULL, so that it is not
 * read again. */
static int cached_claim_read(struct store *s, int64_t id, struct cached_claim **ret) {
        struct cached_claim *c = calloc(1, sizeof(*c));
        sqlite3_stmt *st;
        int r, rc;

        if (!c)
                return -ENOMEM;
        c->id = id;
        r = stmt_get(s, ST_CLAIM_LOAD, &st);
        if (r < 0) {
                free(c);
                return r;
        }
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        r = 0;
        if (rc == SQLITE_ROW) {
                c->article_id = sqlite3_column_int64(st, 0);
                c->source = strdup(column_text(st, 2) ?: "");
                r = c->source ? parsed_claim_get(&s->cc, column_text(st, 1) ?: "", &c->parsed) : -ENOMEM;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW || r < 0) {
                cached_claim_free(&s->cc, c);
                return r < 0 ? r : rc == SQLITE_DONE ? 0 : store_errno(rc);
        }
        if (c->parsed->unreadable) {
                /* never a candidate (claim_get) */
                free(c->source);
                c->source = NULL;
        }
        *ret = c;
        return 1;
}

/* Finds stored claim id in the writer's cache, reading it first if needed,
 * and marks it used by the current article (entries used by the current
 * article are never evicted, so the pointer stays valid until the next
 * article).  Returns 1 and *ret when usable as a candidate for an article of
 * source, 0 when not (gone, unreadable, or of that same source), or a
 * negative errno. */
static int claim_get(struct store *s, int64_t id, const char *source, struct cached_claim **ret) {
        struct claim_cache *cc = &s->cc;
        struct cached_claim *c = NULL;
        int r;

        if (cc->cap) {
                size_t i = cc_slot(cc, id);
                c = cc->slots[i];
        }
        if (c)
                cc_unlink(cc, c);
        else {
                r = cached_claim_read(s, id, &c);
                if (r <= 0)
                        return r;
                while (cc->n >= s->claim_cache_max && cc->tail && cc->tail->used != s->gen)
                        cc_remove(cc, cc->tail);
                if ((cc->n + 1) * 2 > cc->cap && (r = cc_grow(cc)) < 0) {
                        cached_claim_free(cc, c);
                        return r;
                }
                cc->slots[cc_slot(cc, id)] = c;
                cc->n++;
        }
        cc_push_front(cc, c);
        c->used = s->gen;
        if (!c->source || strcmp(c->source, source) == 0)
                return 0;
        *ret = c;
        return 1;
}

/* Drops what the writer caches of the store's content: after a rollback
 * (rowids may be reused) or expiry. */
static void caches_clear(struct store *s) {
        df_cache_clear(s);
        claim_cache_clear(&s->cc);
        pools_clear(s);
        event_index_clear(&s->events);
}

/* The conflict view of a cached claim, made on first use; 0 or -ENOMEM. */
static int cached_claim_view(struct cached_claim *c, struct conflict_view **ret) {
        struct parsed_claim *p = c->parsed;
        if (!p->view) {
                int r = conflict_view_new(&p->claim, &p->view);
                if (r < 0)
                        return r;
        }
        *ret = p->view;
        return 0;
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

/* ---- event claim pools ----
 *
 * Candidates for a new claim come from the newest claims of its event (at
 * most max_event_claims_in_memory of them), kept in memory by the writer
 * per event with the hashes of their FTS tokens, their source and a hash of
 * their stored data: each new claim is ranked against the pool in memory,
 * without a query, and a pool costs the same however large its event grew.
 * A pool is read once (one scoped FTS5 query) when its event is first
 * matched, and the writer appends each article's claims to its event's
 * pool.  At most POOLS_MAX pools are kept (least recently used dropped);
 * like the claim cache they are dropped on rollback and expiry. */

struct pool_claim {
        int64_t id;
        uint64_t source;        /* source_hash() of its source */
        uint64_t data;          /* hash of its stored data: exact copies alike */
        uint64_t *tokens;       /* token_hash() of its FTS tokens */
        size_t n_tokens;
};

struct event_pool {
        int64_t event_id;
        struct pool_claim *ring;        /* cap slots; the newest is at (head + n - 1) % cap */
        size_t cap, head, n;
        size_t allocated;       /* slots of ring: grown up to cap as the pool fills (head is 0 until then) */
        uint64_t used;                  /* s->gen of its last use */
};

static uint64_t token_hash(const char *t, size_t n) {
        return hash_mix64(hash_fnv1a64(t, n));
}

static uint64_t source_hash(const char *source) {
        return hash_mix64(hash_fnv1a64(source, strlen(source)));
}

static void event_pool_free(struct event_pool *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++)
                free(p->ring[(p->head + i) % p->cap].tokens);
        free(p->ring);
        free(p);
}

static void pools_clear(struct store *s) {
        for (size_t i = 0; i < s->n_pools; i++)
                event_pool_free(s->pools[i]);
        s->n_pools = 0;
}

/* Appends a claim to pool p (dropping the oldest when full) with the tokens
 * of its FTS document `terms` (space separated); 0 or -ENOMEM. */
static int pool_append(struct event_pool *p, int64_t id, uint64_t source, uint64_t data,
                       const char *terms) {
        size_t nt = 0, cap = 0;
        uint64_t *t = NULL;

        /* ids grow: a claim the pool holds already (it was read after the
         * article's claims were inserted) is not added twice */
        if (p->n > 0 && p->ring[(p->head + p->n - 1) % p->cap].id >= id)
                return 0;
        for (const char *q = terms ? terms : ""; *q;) {
                const char *end = strchr(q, ' ');
                size_t len = end ? (size_t) (end - q) : strlen(q);
                if (len > 0) {
                        if (nt == cap) {
                                size_t nc = cap ? cap * 2 : 16;
                                uint64_t *n = realloc(t, nc * sizeof(*n));
                                if (!n) {
                                        free(t);
                                        return -ENOMEM;
                                }
                                t = n;
                                cap = nc;
                        }
                        t[nt++] = token_hash(q, len);
                }
                q += len;
                while (*q == ' ')
                        q++;
        }
        if (nt < cap) {
                /* pools hold up to a thousand claims each: no slack kept */
                uint64_t *fit = realloc(t, nt * sizeof(*t));
                if (fit)
                        t = fit;
        }
        if (p->n == p->allocated && p->allocated < p->cap) {
                size_t na = p->allocated ? p->allocated * 2 : 16;
                if (na > p->cap)
                        na = p->cap;
                struct pool_claim *nr = realloc(p->ring, na * sizeof(*nr));
                if (!nr) {
                        free(t);
                        return -ENOMEM;
                }
                p->ring = nr;
                p->allocated = na;
        }
        struct pool_claim *slot;
        if (p->n == p->cap) {
                slot = &p->ring[p->head];
                free(slot->tokens);
                p->head = (p->head + 1) % p->cap;
        } else
                slot = &p->ring[(p->head + p->n++) % p->cap];
        *slot = (struct pool_claim) { id, source, data, t, nt };
        return 0;
}

/* Reads the newest cap claims of event_id into a new pool; 0 or a negative
 * errno. */
static int pool_read(struct store *s, int64_t event_id, size_t cap, struct event_pool **ret) {
        struct event_pool *p = calloc(1, sizeof(*p));
        struct {
                int64_t id;
                uint64_t source, data;
                char *terms;
        } *rows = NULL;
        size_t nrows = 0;
        char q[64];
        sqlite3_stmt *st;
        int r = 0, rc = SQLITE_DONE;

        if (!p || !(rows = calloc(cap, sizeof(*rows)))) {
                event_pool_free(p);
                return -ENOMEM;
        }
        p->event_id = event_id;
        p->cap = cap;
        snprintf(q, sizeof q, "scope : ev%lld", (long long) event_id);
        r = stmt_get(s, ST_EVENT_CLAIMS, &st);
        if (r < 0)
                goto out;
        bind_text(st, 1, q);
        sqlite3_bind_int64(st, 2, (int64_t) cap);
        while (nrows < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                /* rowid, terms, scope ("d.. w.. s<hex> ev.."), data */
                const char *scope = column_text(st, 2) ?: "", *src = strstr(scope, " s");
                const char *data = column_text(st, 3) ?: "";
                rows[nrows].id = sqlite3_column_int64(st, 0);
                rows[nrows].source = src ? strtoull(src + 2, NULL, 16) : 0;
                rows[nrows].data = token_hash(data, strlen(data));
                rows[nrows].terms = strdup(column_text(st, 1) ?: "");
                if (!rows[nrows++].terms) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
                r = store_errno(rc);
        /* rows came newest first; the ring holds oldest first */
        for (size_t i = nrows; r >= 0 && i > 0; i--)
                r = pool_append(p, rows[i - 1].id, rows[i - 1].source, rows[i - 1].data,
                                rows[i - 1].terms);
out:
        for (size_t i = 0; i < nrows; i++)
                free(rows[i].terms);
        free(rows);
        if (r < 0) {
                event_pool_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

/* The pool of event_id, read when not in memory, marked used; NULL with
 * *ret_r set on error. */
static struct event_pool *pool_get(struct store *s, int64_t event_id, size_t cap, int *ret_r) {
        struct event_pool *p;
        *ret_r = 0;
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id && s->pools[i]->cap == cap) {
                        s->pools[i]->used = s->gen;
                        return s->pools[i];
                }
        /* a pool of another capacity (the option changed) is read again */
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id) {
                        event_pool_free(s->pools[i]);
                        s->pools[i] = s->pools[--s->n_pools];
                        break;
                }
        *ret_r = pool_read(s, event_id, cap, &p);
        if (*ret_r < 0)
                return NULL;
        if (s->n_pools == POOLS_MAX) {
                size_t lru = 0;
                for (size_t i = 1; i < s->n_pools; i++)
                        if (s->pools[i]->used < s->pools[lru]->used)
                                lru = i;
                event_pool_free(s->pools[lru]);
                s->pools[lru] = s->pools[--s->n_pools];
        }
        p->used = s->gen;
        s->pools[s->n_pools++] = p;
        return p;
}

/* The pool of event_id when it is in memory, else NULL. */
static struct event_pool *pool_find(struct store *s, int64_t event_id) {
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id)
                        return s->pools[i];
        return NULL;
}

struct scored {
        const struct pool_claim *c;
        double score;
};

/* Keeps the best `limit` pool claims of one new claim, best first, one per
 * stored data: c with score enters top (ntop entries) unless `limit`
 * better or equal ones (equal ones are newer: the pool is walked newest
 * first) are there, or an exact copy of it is. */
static void top_insert(struct scored *top, size_t *ntop, size_t limit, const struct pool_claim *c,
                       double score) {
        size_t pos = *ntop;
        while (pos > 0 && top[pos - 1].score < score)
                pos--;
        if (pos >= limit)
                return;
        for (size_t i = 0; i < *ntop; i++)
                if (top[i].c->data == c->data)
                        return;
        size_t end = *ntop < limit ? *ntop : limit - 1;
        memmove(&top[pos + 1], &top[pos], (end - pos) * sizeof(top[0]));
        top[pos] = (struct scored) { c, score };
        if (*ntop < limit)
                (*ntop)++;
}

/* A key token of the new claims: which claims hold it, with its idf. */
struct key_posting {
        uint64_t hash;          /* token_hash() | 1; 0: empty slot */
        double weight;
        size_t first;           /* index into the claim list, or SIZE_MAX */
};

/* Ranks the pool's claims of other sources than `source` against each of
 * the n new claims' keys by the summed idf of the tokens they share (ties:
 * newest first), in one walk of the pool, and keeps for each new claim the
 * best `limit` with at least one shared token, one per stored data (an
 * exact copy of a claim, syndicated by many outlets, would be checked
 * alike and reported once).  Fills top[i * limit ...] and ntop[i]. */
static int rank_pool(struct store *s, const struct event_pool *p, char **const *keys,
                     const size_t *nkeys, size_t n, const char *source, size_t limit,
                     struct scored *top, size_t *ntop) {
        size_t total = 0, cap = 16;
        for (size_t i = 0; i < n; i++)
                total += nkeys[i] < 64 ? nkeys[i] : 64;
        while (cap < total * 2 + 1)
                cap *= 2;
        struct key_posting *kt = calloc(cap, sizeof(*kt));
        size_t *claim_of = malloc((total + 1) * sizeof(*claim_of));
        size_t *next = malloc((total + 1) * sizeof(*next));
        double *score = calloc(n + 1, sizeof(*score));
        size_t *touched = malloc((n + 1) * sizeof(*touched));
        uint64_t own = source_hash(source);
        size_t np = 0;
        int r = 0;

        if (!kt || !claim_of || !next || !score || !touched) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                ntop[i] = 0;
                size_t nk = nkeys[i] < 64 ? nkeys[i] : 64;
                for (size_t j = 0; j < nk; j++) {
                        struct strbuf b = {};
                        sb_append_token(&b, keys[i][j]);
                        if (b.oom) {
                                r = -ENOMEM;
                                goto out;
                        }
                        uint64_t h = token_hash(b.s ?: "", b.len) | 1;
                        free(b.s);
                        size_t k = (size_t) h & (cap - 1);
                        while (kt[k].hash && kt[k].hash != h)
                                k = (k + 1) & (cap - 1);
                        if (!kt[k].hash)
                                kt[k] = (struct key_posting) { h, idf_cb(keys[i][j], s), SIZE_MAX };
                        /* claim i once per token (its keys may share a token) */
                        if (kt[k].first != SIZE_MAX && claim_of[kt[k].first] == i)
                                continue;
                        claim_of[np] = i;
                        next[np] = kt[k].first;
                        kt[k].first = np++;
                }
        }
        if (s->df_error) {
                r = s->df_error;
                goto out;
        }
        for (size_t j = p->n; j > 0; j--) {       /* newest first */
                const struct pool_claim *c = &p->ring[(p->head + j - 1) % p->cap];
                size_t nt = 0;
                if (c->source == own)
                        continue;
                for (size_t t = 0; t < c->n_tokens; t++) {
                        uint64_t h = c->tokens[t] | 1;
                        size_t k = (size_t) h & (cap - 1);
                        while (kt[k].hash && kt[k].hash != h)
                                k = (k + 1) & (cap - 1);
                        if (!kt[k].hash)
                                continue;
                        for (size_t q = kt[k].first; q != SIZE_MAX; q = next[q]) {
                                size_t i = claim_of[q];
                                if (score[i] == 0)
                                        touched[nt++] = i;
                                score[i] += kt[k].weight;
                        }
                }
                for (size_t x = 0; x < nt; x++) {
                        size_t i = touched[x];
                        if (score[i] > 0)
                                top_insert(&top[i * limit], &ntop[i], limit, c, score[i]);
                        score[i] = 0;
                }
        }
out:
        free(kt);
        free(claim_of);
        free(next);
        free(score);
        free(touched);
        return r;
}

/* Matches each new claim against earlier claims of the same article and
 * against stored claims of other sources; appends the conflicts found to
 * *pend.  claim_ids[i] is the stored id of ex->claims.items[i].  Candidates
 * come from the article's event: its newest max_event_claims_in_memory
 * claims (EVENT_CLAIMS_MAX by default), ranked in memory in the event's
 * pool; with match_across_events, from the time window by one FTS5 query
 * per claim. */
static int match_article(struct store *s, const struct article_request *req,
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
static int insert_conflicts(struct store *s, struct pending_conflict *p, size_t n,
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

static int counters_add(struct store *s, int64_t a, int64_t c, int64_t e, int64_t k) {
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
static int load_n_docs(struct store *s) {
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
static int df_add_article(struct store *s, const struct termvec *v) {
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

/* ---- what an article needs that does not depend on the store ---- */

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
        } else if (!sqlite3_get_autocommit(s->db))
                exec_simple(s, ST_ROLLBACK);
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
                caches_clear(s);
                return -EIO;
        }
        /* never acknowledge into a file that is no longer at the path */
        if (commit && store_file_state(s) < 0)
                commit = false;
        int r = exec_simple(s, commit ? ST_COMMIT : ST_ROLLBACK);
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

/* ---- reads ---- */

static json_t *time_json(int64_t t) {
        char buf[64];
        return json_string(rfc3339_format((time_t) t, buf, sizeof buf));
}

static json_t *column_json_text(sqlite3_stmt *st, int i) {
        const char *v = column_text(st, i);
        return v ? json_string(v) : json_null();
}

static json_t *column_json_id(sqlite3_stmt *st, int i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL)
                return json_null();
        return json_integer(sqlite3_column_int64(st, i));
}

/* Builds the API CLAIM from stored JSON data: {"id", "article_id", ...}. */
static json_t *claim_json(int64_t id, int64_t article_id, const char *data) {
        json_t *o = json_pack("{s:I, s:I}", "id", (json_int_t) id, "article_id", (json_int_t) article_id);
        json_t *d = data ? json_loads(data, 0, NULL) : NULL;
        if (!o || !json_is_object(d) || json_object_update(o, d) < 0) {
                json_decref(o);
                json_decref(d);
                return NULL;
        }
        json_decref(d);
        return o;
}

/* Read helpers run inside BEGIN ... COMMIT so one reply is one snapshot. */
static int read_begin(struct store *s) {
        if (!sqlite3_get_autocommit(s->db))
                return 0;       /* already inside the writer's transaction */
        return exec_simple(s, ST_BEGIN_READ) < 0 ? -EIO : 1;
}

static void read_end(struct store *s, int began) {
        if (began > 0)
                exec_simple(s, ST_COMMIT);
}

int store_get_article_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL, *claims;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_ARTICLE_GET, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
                sqlite3_reset(st);
                goto out;
        }
        o = json_object();
        claims = json_array();
        if (!o || !claims ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "source", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "url", column_json_text(st, 2)) < 0 ||
            json_object_set_new(o, "title", column_json_text(st, 3)) < 0 ||
            json_object_set_new(o, "text", column_json_text(st, 4)) < 0 ||
            json_object_set_new(o, "published_at", time_json(sqlite3_column_int64(st, 5))) < 0 ||
            json_object_set_new(o, "received_at", time_json(sqlite3_column_int64(st, 6))) < 0 ||
            json_object_set_new(o, "event_id", column_json_id(st, 7)) < 0 ||
            json_object_set_new(o, "lang", column_json_text(st, 8)) < 0 ||
            json_object_set_new(o, "claims", claims) < 0) {
                sqlite3_reset(st);
                r = -ENOMEM;
                goto out;
        }
        sqlite3_reset(st);

        r = stmt_get(s, ST_ARTICLE_CLAIMS, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *c = claim_json(sqlite3_column_int64(st, 0), id, column_text(st, 1));
                if (!c || json_array_append_new(claims, c) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
out:
        read_end(s, began);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* One CLAIM + {"source", "url", "title"} of a conflict; NULL when gone. */
static int conflict_claim_json(struct store *s, int64_t claim_id, json_t *arr) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_CLAIM_WITH_ARTICLE, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, claim_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                json_t *c = claim_json(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                       column_text(st, 2));
                if (!c ||
                    json_object_set_new(c, "source", column_json_text(st, 3)) < 0 ||
                    json_object_set_new(c, "url", column_json_text(st, 4)) < 0 ||
                    json_object_set_new(c, "title", column_json_text(st, 5)) < 0 ||
                    json_array_append_new(arr, c) < 0)
                        r = -ENOMEM;
        } else if (rc != SQLITE_DONE)
                r = store_errno(rc);
        sqlite3_reset(st);
        return r;
}

/* Builds a CONFLICT from a row (id, kind, score, event_id, detected_at,
 * status, explanation, claim_a, claim_b) of st; the caller resets st only
 * after this returns, so the claim lookups use other statements. */
static int conflict_row_json(struct store *s, sqlite3_stmt *st, json_t **ret) {
        int64_t ca = sqlite3_column_int64(st, 7), cb = sqlite3_column_int64(st, 8);
        json_t *claims = json_array();
        json_t *o = json_object();
        int r = 0;

        if (!o || !claims ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "kind", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "score", json_real(sqlite3_column_double(st, 2))) < 0 ||
            json_object_set_new(o, "event_id", column_json_id(st, 3)) < 0 ||
            json_object_set_new(o, "detected_at", time_json(sqlite3_column_int64(st, 4))) < 0 ||
            json_object_set_new(o, "status", column_json_text(st, 5)) < 0 ||
            json_object_set_new(o, "explanation", column_json_text(st, 6)) < 0 ||
            json_object_set_new(o, "claims", json_incref(claims)) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = conflict_claim_json(s, ca, claims);
        if (r >= 0)
                r = conflict_claim_json(s, cb, claims);
        json_decref(claims);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

int store_get_conflict_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_CONFLICT_GET, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, id);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW)
                        r = conflict_row_json(s, st, &o);
                else
                        r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
                sqlite3_reset(st);
        }
        read_end(s, began);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

/* Returns the prepared feed statement for a filter combination. */
static int conflict_list_stmt(struct store *s, unsigned mask, sqlite3_stmt **ret) {
        if (!s->conflict_lists[mask]) {
                struct strbuf b = {};
                sb_append(&b, "SELECT c.id, c.kind, c.score, c.event_id, c.detected_at, c.status, "
                              "c.explanation, c.claim_a, c.claim_b ");
                if (mask & CF_SOURCE)
                        sb_append(&b, "FROM conflict_sources cs JOIN conflicts c ON c.id = cs.conflict_id "
                                      "WHERE cs.source = :source AND cs.conflict_id > :since");
                else
                        sb_append(&b, "FROM conflicts c WHERE c.id > :since");
                if (mask & CF_EVENT)
                        sb_append(&b, " AND c.event_id = :event");
                if (mask & CF_KIND)
                        sb_append(&b, " AND c.kind = :kind");
                if (mask & CF_MIN_SCORE)
                        sb_append(&b, " AND c.score >= :min_score");
                sb_append(&b, (mask & CF_SOURCE) ? " ORDER BY cs.conflict_id LIMIT :limit"
                                                 : " ORDER BY c.id LIMIT :limit");
                char *sql = sb_steal(&b);
                if (!sql)
                        return -ENOMEM;
                int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->conflict_lists[mask], NULL);
                free(sql);
                if (rc != SQLITE_OK)
                        return store_errno(rc);
        }
        sqlite3_reset(s->conflict_lists[mask]);
        sqlite3_clear_bindings(s->conflict_lists[mask]);
        *ret = s->conflict_lists[mask];
        return 0;
}

static void bind_named_int64(sqlite3_stmt *st, const char *name, int64_t v) {
        int i = sqlite3_bind_parameter_index(st, name);
        if (i > 0)
                sqlite3_bind_int64(st, i, v);
}

/* Builds one JSON object from the current row of a feed statement. */
typedef int (*row_json_func)(struct store *s, sqlite3_stmt *st, json_t **ret);

/* The feeds' common body: steps st (prepared and bound by the caller inside
 * its read snapshot; column 0 is the id) and fills *ret with
 * {key: [row_json of each row], "next": the last id, else since}.  Resets
 * st.  Returns 0 or a negative errno. */
static int feed_json(struct store *s, sqlite3_stmt *st, const char *key, int64_t since,
                     row_json_func row_json, json_t **ret) {
        json_t *o = json_object(), *arr = json_array();
        int64_t next = since;
        int r = 0, rc;

        if (!o || !arr || json_object_set_new(o, key, arr) < 0) {
                sqlite3_reset(st);
                json_decref(o);
                return -ENOMEM;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *item = NULL;
                r = row_json(s, st, &item);
                if (r < 0)
                        break;
                next = sqlite3_column_int64(st, 0);
                if (json_array_append_new(arr, item) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
        if (r >= 0 && json_object_set_new(o, "next", json_integer(next)) < 0)
                r = -ENOMEM;
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

int store_list_conflicts_json(struct store *s, const struct conflict_filter *f, json_t **ret) {
        sqlite3_stmt *st = NULL;
        unsigned mask = 0;
        int r, began;

        if (!s || !f || !ret)
                return -EINVAL;
        const char *kind = NULL;
        if (f->kind >= 0) {
                kind = conflict_kind_to_string((enum conflict_kind) f->kind);
                if (!kind)
                        return -EINVAL;
                mask |= CF_KIND;
        }
        if (f->event_id > 0)
                mask |= CF_EVENT;
        if (f->source)
                mask |= CF_SOURCE;
        if (f->min_score > 0)
                mask |= CF_MIN_SCORE;
        int limit = f->limit > 0 ? f->limit : 100;
        if (limit > 1000)
                limit = 1000;
        int64_t since = f->since > 0 ? f->since : 0;

        began = read_begin(s);
        if (began < 0)
                return began;
        r = conflict_list_stmt(s, mask, &st);
        if (r >= 0) {
                bind_named_int64(st, ":since", since);
                bind_named_int64(st, ":limit", limit);
                bind_named_int64(st, ":event", f->event_id);
                if (mask & CF_SOURCE)
                        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":source"), f->source, -1,
                                          SQLITE_TRANSIENT);
                if (mask & CF_KIND)
                        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":kind"), kind, -1,
                                          SQLITE_STATIC);
                if (mask & CF_MIN_SCORE)
                        sqlite3_bind_double(st, sqlite3_bind_parameter_index(st, ":min_score"),
                                            f->min_score);
                r = feed_json(s, st, "conflicts", since, conflict_row_json, ret);
        }
        read_end(s, began);
        return r;
}

/* An EVENT summary from a row (id, label, n_articles, n_sources,
 * n_conflicts, first_seen, last_seen). */
static json_t *event_row_json(sqlite3_stmt *st) {
        json_t *o = json_object();
        if (!o ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "label", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "articles", json_integer(sqlite3_column_int64(st, 2))) < 0 ||
            json_object_set_new(o, "sources", json_integer(sqlite3_column_int64(st, 3))) < 0 ||
            json_object_set_new(o, "conflicts", json_integer(sqlite3_column_int64(st, 4))) < 0 ||
            json_object_set_new(o, "first_seen", time_json(sqlite3_column_int64(st, 5))) < 0 ||
            json_object_set_new(o, "last_seen", time_json(sqlite3_column_int64(st, 6))) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/* Appends the ids a one-column statement yields bound to id into arr. */
static int ids_into(struct store *s, enum stmt_id sid, int64_t id, json_t *arr) {
        sqlite3_stmt *st;
        int rc, r = stmt_get(s, sid, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (json_array_append_new(arr, json_integer(sqlite3_column_int64(st, 0))) < 0) {
                        r = -ENOMEM;
                        break;
                }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
        return r;
}

int store_get_event_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL, *arts = NULL, *confs = NULL;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_EVENT_GET, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                o = event_row_json(st);
                if (!o)
                        r = -ENOMEM;
        } else
                r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
        sqlite3_reset(st);
        if (r < 0)
                goto out;
        arts = json_array();
        confs = json_array();
        if (!arts || !confs || json_object_set(o, "article_ids", arts) < 0 ||
            json_object_set(o, "conflict_ids", confs) < 0) {
                r = -ENOMEM;
                goto out;
        }
        r = ids_into(s, ST_EVENT_ARTICLES, id, arts);
        if (r >= 0)
                r = ids_into(s, ST_EVENT_CONFLICTS, id, confs);
out:
        read_end(s, began);
        json_decref(arts);
        json_decref(confs);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* event_row_json() as a feed row. */
static int event_feed_row(struct store *s, sqlite3_stmt *st, json_t **ret) {
        (void) s;
        *ret = event_row_json(st);
        return *ret ? 0 : -ENOMEM;
}

int store_list_events_json(struct store *s, int64_t since, int limit, json_t **ret) {
        sqlite3_stmt *st;
        int r, began;

        if (!s || !ret)
                return -EINVAL;
        if (limit <= 0)
                limit = 100;
        if (limit > 1000)
                limit = 1000;
        if (since < 0)
                since = 0;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_EVENTS_LIST, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, since);
                sqlite3_bind_int(st, 2, limit);
                r = feed_json(s, st, "events", since, event_feed_row, ret);
        }
        read_end(s, began);
        return r;
}

int store_max_conflict_id(struct store *s, int64_t *ret) {
        sqlite3_stmt *st;
        int64_t v = 0;
        if (!s || !ret)
                return -EINVAL;
        int r = stmt_get(s, ST_MAX_CONFLICT, &st);
        if (r < 0)
                return r;
        r = stmt_int64(st, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int store_counts(struct store *s, struct store_counts *ret) {
        sqlite3_stmt *st;
        struct store_counts c = {};
        int64_t pages = 0, psize = 0;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = stmt_get(s, ST_COUNTERS_GET, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                c.articles = sqlite3_column_int64(st, 0);
                c.claims = sqlite3_column_int64(st, 1);
                c.events = sqlite3_column_int64(st, 2);
                c.conflicts = sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_errno(rc);
        if ((r = stmt_get(s, ST_PAGE_COUNT, &st)) < 0 || (r = stmt_int64(st, &pages)) < 0 ||
            (r = stmt_get(s, ST_PAGE_SIZE, &st)) < 0 || (r = stmt_int64(st, &psize)) < 0)
                return r;
        c.db_bytes = pages * psize;
        *ret = c;
        return 0;
}

/* ---- retention ---- */

/* Deletes one article with its claims, the conflicts that involve it, its
 * document frequencies and its share of its event. */
static int expire_article(struct store *s, int64_t id, int64_t *n_claims, int64_t *n_conflicts,
                          int64_t *n_events) {
        sqlite3_stmt *st;
        char *source = NULL, *terms = NULL;
        int64_t event_id = 0;
        struct termvec tv = {};
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
        if (r < 0)
                goto out;

        /* Conflicts involving the article, in both directions. */
        for (;;) {
                int64_t cid = 0, cev = 0;
                char *sa = NULL, *sb = NULL;
                r = stmt_get(s, ST_EXPIRE_CONFLICTS, &st);
                if (r < 0)
                        goto out;
                sqlite3_bind_int64(st, 1, id);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        cid = sqlite3_column_int64(st, 0);
                        sa = strdup(column_text(st, 1) ?: "");
                        sb = strdup(column_text(st, 2) ?: "");
                        cev = sqlite3_column_int64(st, 3);
                }
                sqlite3_reset(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW || !sa || !sb) {
                        free(sa);
                        free(sb);
                        r = rc != SQLITE_ROW ? store_errno(rc) : -ENOMEM;
                        goto out;
                }
                for (int side = 0; side < 2 && r >= 0; side++) {
                        r = stmt_get(s, ST_DELETE_CONFLICT_SOURCE, &st);
                        if (r >= 0) {
                                bind_text(st, 1, side ? sb : sa);
                                sqlite3_bind_int64(st, 2, cid);
                                r = stmt_run(st);
                        }
                }
                free(sa);
                free(sb);
                if (r >= 0 && (r = stmt_get(s, ST_DELETE_CONFLICT, &st)) >= 0) {
                        sqlite3_bind_int64(st, 1, cid);
                        r = stmt_run(st);
                }
                if (r >= 0 && cev > 0 && (r = stmt_get(s, ST_EVENT_CONFLICT_ADD, &st)) >= 0) {
                        sqlite3_bind_int64(st, 1, cev);
                        sqlite3_bind_int64(st, 2, -1);
                        r = stmt_run(st);
                }
                if (r < 0)
                        goto out;
                (*n_conflicts)++;
        }

        r = run_with_id(s, ST_CLAIMS_FTS_DELETE, id);
        if (r < 0)
                goto out;
        r = run_with_id(s, ST_DELETE_CLAIMS, id);
        if (r < 0)
                goto out;
        *n_claims += sqlite3_changes(s->db);

        r = run_with_id(s, ST_DELETE_ARTICLE, id);
        if (r < 0)
                goto out;

        /* Document frequencies. */
        if (terms && termvec_parse(terms, &tv) >= 0) {
                for (size_t i = 0; i < tv.n; i++) {
                        if (i > 0 && strcmp(tv.items[i].term, tv.items[i - 1].term) == 0)
                                continue;
                        if ((r = stmt_get(s, ST_DF_DEC, &st)) < 0)
                                goto out;
                        bind_text(st, 1, tv.items[i].term);
                        if ((r = stmt_run(st)) < 0)
                                goto out;
                        if ((r = stmt_get(s, ST_DF_PRUNE, &st)) < 0)
                                goto out;
                        bind_text(st, 1, tv.items[i].term);
                        if ((r = stmt_run(st)) < 0)
                                goto out;
                }
        }

        /* The event: one article fewer, maybe one source fewer, maybe gone.
         * Its centroid keeps the departed article's terms: it only steers
         * which future articles join, and ages out as they do. */
        if (event_id > 0) {
                int64_t left = 0;
                if ((r = stmt_get(s, ST_EVENT_SHRINK, &st)) < 0)
                        goto out;
                sqlite3_bind_int64(st, 1, event_id);
                if ((r = stmt_run(st)) < 0)
                        goto out;
                if ((r = stmt_get(s, ST_EVENT_SOURCE_LEFT, &st)) < 0)
                        goto out;
                sqlite3_bind_int64(st, 1, event_id);
                bind_text(st, 2, source);
                if ((r = stmt_int64(st, &left)) < 0)
                        goto out;
                if (r == 0) {
                        if ((r = stmt_get(s, ST_EVENT_SOURCE_DELETE, &st)) < 0)
                                goto out;
                        sqlite3_bind_int64(st, 1, event_id);
                        bind_text(st, 2, source);
                        if ((r = stmt_run(st)) < 0)
                                goto out;
                        if (sqlite3_changes(s->db) > 0) {
                                if ((r = stmt_get(s, ST_EVENT_SOURCE_DROP, &st)) < 0)
                                        goto out;
                                sqlite3_bind_int64(st, 1, event_id);
                                if ((r = stmt_run(st)) < 0)
                                        goto out;
                        }
                }
                if ((r = stmt_get(s, ST_EVENT_DELETE_EMPTY, &st)) < 0)
                        goto out;
                sqlite3_bind_int64(st, 1, event_id);
                if ((r = stmt_run(st)) < 0)
                        goto out;
                *n_events += sqlite3_changes(s->db);
        }
        r = 0;
out:
        termvec_clear(&tv);
        free(source);
        free(terms);
        return r;
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

/* ---- diagnostics ---- */

/* EXPLAIN QUERY PLAN of one statement: prints it, returns 1 when a step
 * walks a whole table or index ("SCAN x", except FTS5 virtual tables whose
 * MATCH does the seeking), 0 otherwise, or a negative errno. */
static int plan_scans(struct store *s, const char *sql, FILE *log) {
        char *q = NULL;
        sqlite3_stmt *st;
        int rc, scans = 0;

        if (asprintf(&q, "EXPLAIN QUERY PLAN %s", sql) < 0)
                return -ENOMEM;
        rc = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
        free(q);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        if (log)
                fprintf(log, "# %s\n", sql);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *detail = column_text(st, 3) ?: "";
                if (log)
                        fprintf(log, "#     %s\n", detail);
                if (strncmp(detail, "SCAN ", 5) == 0 && !strstr(detail, "VIRTUAL TABLE") &&
                    strcmp(detail, "SCAN CONSTANT ROW") != 0)
                        scans = 1;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
                return store_errno(rc);
        if (log && scans)
                fprintf(log, "#   ^ full scan\n");
        return scans;
}

int store_query_plan_scans(struct store *s, FILE *log) {
        int total = 0, r;

        if (!s)
                return -EINVAL;
        for (int i = 0; i < _ST_MAX; i++) {
                const char *sql = stmt_sql[i];
                if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "INSERT", 6) != 0 &&
                    strncmp(sql, "UPDATE", 6) != 0 && strncmp(sql, "DELETE", 6) != 0)
                        continue;
                r = plan_scans(s, sql, log);
                if (r < 0)
                        return r;
                total += r;
        }
        for (unsigned m = 0; m < _CF_MAX; m++) {
                sqlite3_stmt *st;
                r = conflict_list_stmt(s, m, &st);
                if (r < 0)
                        return r;
                r = plan_scans(s, sqlite3_sql(st), log);
                if (r < 0)
                        return r;
                total += r;
        }
        return total;
}
