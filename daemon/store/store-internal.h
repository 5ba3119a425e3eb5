/* What the files of daemon/store/ share, private to them: struct store,
 * the statement ids and helpers, the writer's caches and the hard limits
 * of the store.  The public API is daemon/store.h.
 *
 * One struct store is one connection with its own cache of prepared
 * statements; the schema lives in migrations.c.  Costs per article are kept
 * independent of the store's size: every lookup is an index seek, and the
 * two candidate searches (articles for event assignment, claims for
 * matching) are FTS5 queries restricted INSIDE the full-text expression by
 * scope tokens (publication day/week, event, source), with a LIMIT, so they
 * only touch rows of the current window. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/strmap.h"
#include "common/termvec.h"
#include "daemon/limits.h"
#include "daemon/store.h"
#include "daemon/store/file.h"
#include "daemon/store/migrations.h"


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
        ST_DF_ADD,
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
        ST_REVIEW_CONFLICT,
        ST_REVIEW_CLAIM_TEXT,
        ST_REVIEW_INSERT,
        ST_REVIEW_SET,
        ST_DISMISSED_ADD,
        ST_DISMISSED_DELETE,
        ST_DISMISSED_HAS,
        ST_REVIEW_HISTORY,
        ST_WEBHOOK_CURSOR_GET,
        ST_WEBHOOK_CURSOR_SET,
        ST_WEBHOOK_CURSOR_DROP,
        ST_DELIVERIES_ENQUEUE,
        ST_DELIVERIES_DROP_URL,
        ST_DELIVERIES_DUE,
        ST_DELIVERY_DELETE,
        ST_DELIVERY_RETRY,
        ST_CONFLICT_IDS_AFTER,
        _ST_MAX,
};

/* Conflict feed variants, one per combination of filters, so each gets the
 * plan that fits it (event index, source index, kind index or id order). */
enum {
        CF_EVENT = 1 << 0,
        CF_SOURCE = 1 << 1,
        CF_KIND = 1 << 2,
        CF_MIN_SCORE = 1 << 3,
        CF_STATUS = 1 << 4,
        CF_NEWEST_FIRST = 1 << 5,       /* id < :before, descending */
        _CF_MAX = 1 << 6,
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
/* Stored claims parsed, with their conflict views, by claim id: a bounded
 * LRU cache that several threads may share (its lock guards every field and
 * every entry's links, pins and view pointer; parsing and making views
 * happen outside it). */
struct claim_cache {
        pthread_mutex_t lock;
        struct cached_claim **slots;    /* open addressing by claim id; NULL: empty */
        size_t cap, n, max;
        struct cached_claim *head, *tail;
        struct parsed_claim **parsed;   /* PARSED_BUCKETS chains by data hash, or NULL */
};

/* An article stored earlier in the current batch (not committed yet, so
 * its claims cannot be read through another connection): its source and
 * stored claim data are the caller's until store_batch_end(). */
struct batch_article {
        int64_t article_id;
        int64_t first_claim_id;         /* its claims have ids first .. first + n - 1 */
        size_t n;
        const char *source;
        char *const *data;              /* each claim as stored (ingest_prep) */
        struct ingest_prep *owned;      /* made by the store, freed at the batch's end */
};

/* The conflict checks of one article (see store_checks_run()): for each of
 * its claims, the candidate claims to check it against in rank order, and
 * then what they found. */
struct ingest_checks {
        const char *source;             /* the article's (the caller's until finish) */
        const struct extracted_article *ex;
        struct conflict_view *const *views;     /* of ex->claims.items[i] */
        int64_t article_id, event_id;
        time_t received;
        size_t n;                       /* claims */
        int64_t *claim_ids;
        size_t limit;                   /* candidates per claim at most */
        int64_t *cand;                  /* n * limit */
        size_t *ncand;
        const struct batch_article *local;      /* the batch's earlier articles */
        size_t nlocal;
        struct conflict_options conflict;
        size_t max_per_claim, max_per_article;
        int result;                     /* of store_checks_run(): 0 or a negative errno */
        struct pending_conflict *pend;
        size_t npend;
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
        /* Document frequencies: df caches the table's value plus what is
         * pending for each term it holds (dropped on rollback and expiry;
         * df.gen, from 1, grows whenever its slots move); df_pending holds
         * the increments of this transaction's articles, written once per
         * term at COMMIT (df_flush()); df_added counts the distinct terms
         * the current article has added to it, to undo on its rollback. */
        struct strmap df, df_pending;
        size_t df_added;
        int64_t n_docs;         /* articles stored, for idf */
        int df_error;           /* first lookup error inside an idf callback */
        struct claim_cache cc;  /* stored claims for the checks store_ingest() runs itself */
        bool defer_checks;      /* in a batch: store_ingest() leaves the checks to the caller */
        struct batch_article batch_articles[BATCH_ARTICLES_MAX];        /* with defer_checks */
        size_t n_batch_articles;
        size_t checks_unfinished;       /* deferred checks not yet store_ingest_finish()ed */
        uint64_t gen;           /* counts store_ingest() calls: marks cache use */
        struct event_pool *pools[POOLS_MAX];    /* the writer's event claim pools */
        size_t n_pools;
        struct event_index events;      /* the writer's recent events */
};

/* A growing string; append failures are remembered and reported once. */
struct strbuf {
        char *s;
        size_t len, cap;
        bool oom;
};

/* A growing array of weights handed to claimd_rank() as a blob. */
struct weights {
        double *w;
        size_t n, cap;
};

struct ranked_term {
        const char *term;
        double score;
};

#define PAIR_KEY_SIZE 65        /* a pair_key(): hex SHA-256 and NUL */

struct pending_conflict {
        struct conflict_result res;
        int64_t claim_a, claim_b, article_a, article_b;
        const char *source_a, *source_b;        /* borrowed until insert */
        char *own_source_a;
        char pair[PAIR_KEY_SIZE];       /* pair_key() of the two statements */
};

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
        unsigned pins;                  /* claim_get()s not yet claim_put(): never evicted */
        struct cached_claim *prev, *next;       /* LRU list, most recent first */
};

struct pool_claim {
        int64_t id;
        uint64_t source;        /* source_hash() of its source */
        uint64_t data;          /* hash of its stored data: exact copies alike */
        uint64_t *tokens;       /* token_hash() of its FTS tokens */
        size_t n_tokens;
};

struct scored {
        const struct pool_claim *c;
        double score;
};

/* statements.c */
extern const char *const stmt_sql[_ST_MAX];
int stmt_get(struct store *s, enum stmt_id id, sqlite3_stmt **ret);
int stmt_run(sqlite3_stmt *st);
int stmt_int64(sqlite3_stmt *st, int64_t *ret);
int run_with_id(struct store *s, enum stmt_id id, int64_t v);
int exec_simple(struct store *s, enum stmt_id id);
void bind_text(sqlite3_stmt *st, int i, const char *v);
const char *column_text(sqlite3_stmt *st, int i);
void note_error(struct store *s, int r);

/* fts.c */
void sb_append(struct strbuf *b, const char *s);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_append_token(struct strbuf *b, const char *term);
char *sb_steal(struct strbuf *b);
void source_token(const char *source, char out[18]);
int64_t floor_div(int64_t a, int64_t b);
int register_rank(sqlite3 *db);
int weights_push(struct weights *w, double v);
void sb_append_or_group(struct strbuf *b, const char *const *terms, size_t n);
void sb_append_period(struct strbuf *b, const char *prefix, int64_t n);
void sb_append_window(struct strbuf *b, int64_t lo, int64_t hi);

/* open.c */
void caches_clear(struct store *s);

/* df.c */
void df_cache_clear(struct store *s);
int df_cached_slot(struct store *s, const char *term, size_t *ret_slot);
double idf_of_df(const struct store *s, int64_t df);
double idf_cb(const char *term, void *userdata);
int ranked_cmp(const void *x, const void *y);
struct ranked_term *rank_terms(struct store *s, const struct termvec *v, int *ret_r);
int counters_add(struct store *s, int64_t a, int64_t c, int64_t e, int64_t k);
int load_n_docs(struct store *s);
int df_add_article(struct store *s, const struct termvec *v);
int df_flush(struct store *s);
void df_pending_undo(struct store *s, const struct termvec *v);
void df_pending_clear(struct store *s);

/* duplicates.c */
void content_hash(const struct article_request *req, char out[33]);

/* events.c */
int sublinear_copy(const struct termvec *v, struct termvec *ret);
void event_index_clear(struct event_index *ei);
int assign_event(struct store *s, const struct article_request *req,
                 const struct event_options *eo, const struct ranked_term *rt, size_t nrt,
                 const struct extracted_article *ex, const struct termvec *tv,
                 int64_t *ret_id, bool *ret_created);

/* claims.c */
int claim_keys(const struct claim *c, char ***ret, size_t *ret_n);
void keys_free(char **k, size_t n);
char *claim_fts_terms(char *const *keys, size_t n);
int claim_cache_init(struct claim_cache *cc, size_t max);
void claim_cache_clear(struct claim_cache *cc);
void claim_cache_done(struct claim_cache *cc);
int claim_get(struct claim_cache *cc, struct store *reader, int64_t id, const char *source,
              struct cached_claim **ret);
void claim_put(struct claim_cache *cc, struct cached_claim *c);
int cached_claim_view(struct claim_cache *cc, struct cached_claim *c, struct conflict_view **ret);
int parsed_claim_get(struct claim_cache *cc, const char *data, struct parsed_claim **ret);
void parsed_claim_put(struct claim_cache *cc, struct parsed_claim *p);

/* pools.c */
uint64_t token_hash(const char *t, size_t n);
uint64_t source_hash(const char *source);
void pools_clear(struct store *s);
int pool_append(struct event_pool *p, int64_t id, uint64_t source, uint64_t data,
                const char *terms);
struct event_pool *pool_get(struct store *s, int64_t event_id, size_t cap, int *ret_r);
struct event_pool *pool_find(struct store *s, int64_t event_id);
int rank_pool(struct store *s, const struct event_pool *p, char **const *keys,
              const size_t *nkeys, size_t n, const char *source, size_t limit,
              struct scored *top, size_t *ntop);

/* match.c */
void pending_free(struct pending_conflict *p, size_t n);
int pending_cmp(const void *x, const void *y);
void checks_free(struct ingest_checks *k);
int checks_plan(struct store *s, const struct article_request *req, const struct extracted_article *ex,
                const struct ingest_options *o, int64_t article_id, int64_t event_id, const int64_t *claim_ids,
                struct ingest_prep *prep, const char *src_token, struct ingest_checks **ret);
int insert_conflicts(struct store *s, struct pending_conflict *p, size_t n,
                     int64_t event_id, time_t now, int64_t *ids);

/* reviews.c */
int pair_key(const char *source_a, const char *text_a, const char *source_b, const char *text_b,
             char out[PAIR_KEY_SIZE]);
int drop_dismissed(struct store *s, struct pending_conflict *p, size_t *n);

/* reads.c */
int conflict_list_stmt(struct store *s, unsigned mask, sqlite3_stmt **ret);
