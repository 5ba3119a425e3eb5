/* The SQLite store: articles, claims (with an FTS5 index over their terms),
 * events, conflicts.  One struct store is one connection, used by one thread
 * at a time: the writer thread owns one, the HTTP loop thread owns a read-only
 * one.  WAL, busy_timeout, numbered migrations, statements prepared once.
 * Functions return 0 or a negative errno; -EBUSY (locked), -ENOSPC (disk
 * full), -EROFS (read-only) and -EIO are the faults callers map to 503. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "common/match.h"
#include "common/pipeline.h"

struct store;

/* Opens (creating and migrating when writable) the database at path.  A
 * read-only open returns -ENOENT when the file does not exist yet and -EAGAIN
 * when the writer has not migrated it yet; -EPROTO: made by a newer claimd. */
int store_open(const char *path, bool readonly, struct store **ret);
void store_close(struct store *s);

/* The last SQLite error message of this connection, for the log. */
const char *store_errmsg(struct store *s);

/* Whether a negative errno of a store function is a storage fault (locked,
 * full, read-only, I/O, the file gone): the API answers 503 for those. */
bool store_error_is_fault(int r);

/* Whether the file at the store's path is still the database this
 * connection opened (daemon/store/file.h): 0, or -ENOENT (deleted) or -ESTALE
 * (replaced), which then sticks: store_ingest() fails with -ESTALE from then
 * on and commits nothing, because what it committed would be lost. */
int store_file_state(struct store *s);

/* Writes a copy of the open database to dest (VACUUM INTO): after the file
 * was deleted or replaced, what this connection still reads is saved
 * there.  0 or a negative errno (dest is removed then). */
int store_save_copy(struct store *s, const char *dest);

struct ingest_prep;
struct ingest_checks;

struct article_request {
        const char *source;     /* required */
        const char *url;        /* may be NULL */
        const char *title, *text, *html, *lang, *published_at;   /* may be NULL */
        time_t published;       /* parsed published_at, or received time */
        time_t received;
        struct ingest_prep *prep;       /* ingest_prep_new() of the extracted article, or NULL */
};

/* What store_ingest() needs of an extracted article that does not depend on
 * the store (its claims as stored JSON, their index keys; the conflict views
 * of its claims are the extraction's own, ex->views), made by a pipeline
 * worker so that the single writer does not have to: pass it in
 * article_request.prep to the store_ingest() of the same ex (it borrows ex;
 * its views are then used by the writer's thread only).  Without it
 * store_ingest() makes it.  0, -EINVAL when ex has claims but no views, or
 * -ENOMEM. */
int ingest_prep_new(const struct extracted_article *ex, struct ingest_prep **ret);
void ingest_prep_free(struct ingest_prep *p);

struct event_options {
        double min_similarity;  /* join an event when cosine >= this */
        int window_hours;       /* only events seen within this many hours of published */
        int max_candidates;     /* articles fetched from the FTS5 index per new article */
};

struct ingest_options {
        struct event_options event;
        struct conflict_options conflict;
        int max_candidate_claims;   /* per claim, from FTS5 */
        int max_conflicts_per_article;
        bool match_across_events;   /* false: candidate claims come from the article's
                                     * own event; true: from any event in the window */
        int max_event_claims_in_memory; /* candidates come from the newest this many
                                     * claims of the event, kept in memory by the
                                     * writer (its event claim pool) */
};

/* Fills *o with the defaults (conflict options from conflict_options_default()). */
void ingest_options_default(struct ingest_options *o);

/* Puts the default in every count of *o that is 0 (or less), and caps
 * max_candidate_claims: the store takes the options as they are, so they
 * are resolved once, where they are made (the configuration's load,
 * ingest_options_default()). */
void ingest_options_resolve(struct ingest_options *o);

struct ingest_result {
        int64_t article_id;
        bool duplicate;
        int64_t event_id;       /* 0 when none */
        int n_claims;
        int64_t *conflict_ids;  /* malloc'ed */
        size_t n_conflicts;
        /* In a batch of store_batch_begin_deferred(): the conflict checks
         * store_ingest() left to the caller (NULL for a duplicate). */
        struct ingest_checks *checks;
};

/* Returns the id of an article already stored with this url (or, without a
 * url, this source and content hash): 1 and fills *ret_id, 0 when new. */
int store_find_duplicate(struct store *s, const struct article_request *req, int64_t *ret_id);

/* Stores one article with its extracted claims, assigns its event, finds and
 * stores its conflicts, all in one BEGIN IMMEDIATE transaction; returns only
 * after COMMIT.  A duplicate is reported with duplicate=true and nothing is
 * written.  Fills *ret on success (free ret->conflict_ids).  -EINVAL when
 * ex has claims but not their conflict views (ex->views, which
 * pipeline_extract() makes). */
int store_ingest(struct store *s, const struct article_request *req,
                 const struct extracted_article *ex, const struct ingest_options *o,
                 struct ingest_result *ret);

/* Optional group commit for the writer: between store_batch_begin() and
 * store_batch_end() every store_ingest() runs in a SAVEPOINT of one shared
 * transaction (a failed article is rolled back alone) and nothing is durable
 * until store_batch_end(s, true) returns 0: acknowledge the batch's articles
 * only then.  store_batch_end(s, false) discards the whole batch.  When
 * SQLite itself rolled the batch back (I/O error, disk full), later
 * store_ingest() calls of the batch fail with -EIO and store_batch_end()
 * returns -EIO: no article of the batch was stored. */
int store_batch_begin(struct store *s);
int store_batch_end(struct store *s, bool commit);

/* The writer only writes: a batch in which each store_ingest() stores the
 * article, its claims and its event, chooses the candidates of its
 * conflict checks (in memory and by index: cheap, and what decides which
 * conflicts can be found), and leaves the checks themselves, the costly
 * part, in ret->checks.  The caller runs them (store_checks_run(), on any
 * threads, each with its own read-only connection), then calls
 * store_ingest_finish() for each article, in ingest order, before
 * store_batch_end(); the conflicts found are exactly those store_ingest()
 * outside such a batch finds for the same order of articles.  req, ex and
 * req->prep of each article must stay valid until store_batch_end(). */
int store_batch_begin_deferred(struct store *s);

/* Stored claims parsed, with their conflict views, shared by the threads
 * that run checks (thread-safe; at most max_claims, 0: the default). */
struct claim_cache;
struct claim_cache *store_claim_cache_new(size_t max_claims);
void store_claim_cache_free(struct claim_cache *cc);

/* Runs the checks of one article: reads the candidates through reader, a
 * read-only store the calling thread owns (or the writer's own store),
 * into cc.  0 or a negative errno (remembered: store_ingest_finish() then
 * fails the batch). */
int store_checks_run(struct ingest_checks *k, struct store *reader, struct claim_cache *cc);

/* Stores the conflicts that k's checks found with the article's counts
 * and frees k; fills ret's conflict_ids and n_conflicts.  Checks that were
 * not run, or failed, run here first (through s, into cc).  On failure
 * the batch cannot commit: store_batch_end() returns -EIO. */
int store_ingest_finish(struct store *s, struct ingest_checks *k, struct claim_cache *cc,
                        struct ingest_result *ret);

/* Reads, each returning 0 and a new JSON value in *ret, -ENOENT when absent. */
int store_get_article_json(struct store *s, int64_t id, json_t **ret);
int store_get_conflict_json(struct store *s, int64_t id, json_t **ret);
int store_get_event_json(struct store *s, int64_t id, json_t **ret);

struct conflict_filter {
        int64_t since;
        int limit;
        int64_t event_id;       /* 0: any */
        const char *source;     /* NULL: any */
        int kind;               /* enum conflict_kind, -1: any */
        double min_score;
        const char *status;     /* review_status_from_string(), NULL: any */
        int64_t before;         /* > 0: ids below it, newest first (since is then unused) */
};

/* The canonical review status ("open", "confirmed", "dismissed") named by
 * s, or NULL when s names none. */
const char *review_status_from_string(const char *s);
/* Fills *ret with {"conflicts": [...], "next": ID}. */
int store_list_conflicts_json(struct store *s, const struct conflict_filter *f, json_t **ret);
/* Fills *ret with {"events": [...], "next": ID}. */
int store_list_events_json(struct store *s, int64_t since, int limit, json_t **ret);

/* One analyst's review of a conflict (PATCH /v1/conflicts/{id}). */
struct review_request {
        int64_t conflict_id;
        const char *status;     /* review_status_from_string() */
        const char *note;       /* NULL: none */
        const char *reviewer;   /* NULL: none */
        time_t at;
};

/* Records a review in one BEGIN IMMEDIATE transaction: a row of the
 * conflict's history, its status and latest review, and its pair of
 * statements in the dismissed pairs (dismissed) or out of them (any other
 * status).  Returns 0, -ENOENT when there is no such conflict, or a
 * negative errno. */
int store_review_conflict(struct store *s, const struct review_request *r);

/* Fills *ret with {"history": [{"status", "note", "reviewer", "at"}, ...]},
 * oldest first; -ENOENT when there is no such conflict. */
int store_conflict_history_json(struct store *s, int64_t id, json_t **ret);

/* The highest conflict id stored (0 when none); long-pollers compare with it. */
int store_max_conflict_id(struct store *s, int64_t *ret);

struct store_counts {
        int64_t articles, claims, events, conflicts;
        int64_t db_bytes;
};
int store_counts(struct store *s, struct store_counts *ret);

/* Deletes articles received before cutoff (and their claims, and conflicts
 * that involve them); returns the number of articles deleted or a negative errno. */
int store_expire(struct store *s, time_t cutoff);

/* For tests and operators: prints the query plan of every statement this
 * connection uses to log (NULL: quiet) and returns how many of them walk a
 * whole table or index instead of seeking, or a negative errno. */
int store_query_plan_scans(struct store *s, FILE *log);

/* Webhook deliveries (daemon/store/deliveries.c), used by the webhook
 * sender's own connection.  Times are milliseconds since the epoch.  A
 * delivery is named by its conflict and url. */
struct delivery {
        int64_t conflict_id;
        int attempts;           /* made so far */
};

struct delivery_outcome {
        int64_t conflict_id;
        size_t url;             /* index into the urls[] passed along */
        bool done;              /* delivered (or its conflict is gone): the row goes */
        int attempts;           /* otherwise: attempts made, next try, what failed */
        int64_t next_at;
        const char *error;
};

/* Prepares the sender's connection: synchronous=NORMAL (in WAL mode a
 * commit is durable against a crash of the process, not of the machine:
 * what a power loss takes back is only resent, which at-least-once
 * allows), so the sender's small commits do not each wait for an fsync. */
int store_deliveries_connection(struct store *s);

/* One transaction: for each url, starts its cursor at the newest conflict
 * when it has none (a new url gets what comes from now on), turns the
 * conflicts after its cursor into deliveries due at now and advances the
 * cursor; then applies the outcomes (of deliveries made from rows or, for
 * conflicts beyond the old cursor, sent before their rows existed).  Adds
 * the change of the number of pending rows to *ret_backlog and sets
 * *ret_cursor to the newest conflict now covered by rows.  0 or a
 * negative errno (then nothing was recorded). */
int store_deliveries_record(struct store *s, const char *const *urls, size_t n_urls, int64_t now,
                            const struct delivery_outcome *o, size_t n_o, int64_t *ret_backlog,
                            int64_t *ret_cursor);

/* The ids of up to max conflicts after id `after`, oldest first. */
int store_conflict_ids_after(struct store *s, int64_t after, int64_t *ret, size_t max, size_t *ret_n);

/* Forgets the cursors and pending deliveries of urls not in urls[]
 * (removed from the configuration), of at most WEBHOOK_FORGET_URLS_MAX
 * such urls a call (the rest go at the next start); returns how many
 * deliveries it dropped, or a negative errno. */
int store_deliveries_forget_others(struct store *s, const char *const *urls, size_t n);

/* Fills ret[] with up to max deliveries to url due by now, oldest first,
 * skipping the conflicts in skip[] (in flight or not yet recorded). */
int store_deliveries_due(struct store *s, const char *url, int64_t now, const int64_t *skip, size_t n_skip,
                         struct delivery *ret, size_t max, size_t *ret_n);

/* Pending deliveries, all urls. */
int store_deliveries_count(struct store *s, int64_t *ret);
