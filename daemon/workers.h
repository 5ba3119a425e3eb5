/* The work path (after Bitcoin Core's httpserver.cpp): the event loop thread
 * validates a request and submits a job to a bounded queue; N worker
 * threads run the text pipeline; one writer thread owns the writable store:
 * it stores each article of a batch and chooses its conflict candidates,
 * the worker threads run the conflict checks (before any new extraction;
 * each through its own read-only connection, with one shared cache of
 * stored claims), and the writer, which runs checks too while it waits,
 * stores the conflicts and commits; the finished job is handed back to the
 * loop thread (a mutex-protected list and event_active() on a user event),
 * which replies.  The loop thread never runs the pipeline and never waits
 * for a worker. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "daemon/store.h"

struct evhttp_request;
struct batch;
struct route;

enum job_kind {
        JOB_INGEST,
        JOB_COMPARE,
        JOB_REVIEW,             /* straight to the writer: no pipeline */
};

struct job {
        enum job_kind kind;
        struct job *next;
        struct evhttp_request *req;     /* touched only on the loop thread */
        const struct route *route;      /* loop thread: the route that queued it */
        struct batch *batch;            /* NDJSON batch this line belongs to, or NULL */
        size_t batch_index;
        uint64_t started_usec;          /* CLOCK_MONOTONIC, for the latency histogram */
        bool heavy;                     /* over HEAVY_ARTICLE_BYTES: the heavy lane */

        json_t *body;                   /* the parsed request; the strings below point into it */
        struct article_request article; /* JOB_INGEST, and "a" of JOB_COMPARE */
        struct article_request other;   /* "b" of JOB_COMPARE */
        struct review_request review;   /* JOB_REVIEW; its strings point into body */

        struct extracted_article *ex;   /* worker -> writer */

        /* results, filled by the worker or the writer */
        int status;                     /* HTTP status */
        json_t *reply;                  /* body to send */
        /* set when status >= 400; the loop thread makes the error reply */
        const char *error_code;
        char error_field[80];           /* "" when the error names no field */
        char error_message[256];
        struct ingest_result result;    /* JOB_INGEST success */
        json_t *conflicts;              /* JOB_INGEST: array of the new conflicts, for the journal */
        bool store_reopen;              /* the store reported a read-only database */
};

struct job *job_new(enum job_kind kind);
void job_free(struct job *j);

/* Settings that SIGHUP may change, copied under the lock. */
struct work_options {
        struct ingest_options ingest;
        int retention_days;
        double related_min_similarity;
        int max_article_work_sec;       /* 0: no limit */
};

struct workers;

/* Called on the loop thread for every finished job; takes ownership. */
typedef void (*job_done_func)(struct job *j, void *userdata);

/* Starts n_workers pipeline threads and the writer thread.  The writer
 * takes over `writer` (the writable store, opened from db_path) until
 * workers_free(), which closes it, also when this fails.  Returns 0 or a
 * negative errno. */
int workers_new(struct event_base *base, struct store *writer, const char *db_path, int n_workers, int queue_size,
                const struct work_options *o, job_done_func done, void *userdata,
                struct workers **ret);

/* Queues a job.  Returns 0, -EAGAIN when queue_size jobs are in flight
 * already (reply 503 overloaded), -ESHUTDOWN after workers_shutdown().
 * A job whose texts pass HEAVY_ARTICLE_BYTES waits in the heavy lane: at
 * most all workers but one run such jobs at a time, so one always takes
 * the ordinary ones (with a single worker, both share it). */
int workers_submit(struct workers *w, struct job *j);

/* Queues all n jobs or none: -EAGAIN when they do not all fit. */
int workers_submit_many(struct workers *w, struct job **jobs, size_t n);

void workers_set_options(struct workers *w, const struct work_options *o);

/* On the loop thread, after a job came back with store_reopen: waits for
 * the writer to be between articles, holds it, calls close_others (the
 * caller closes its own connections), closes and reopens the writer's
 * store, calls open_others, and lets the writer go on.  Every connection
 * of the process must be closed at once: SQLite shares one WAL-index per
 * file among them, and one opened on a read-only file system keeps it
 * read-only.  Returns what store_open() returned. */
int workers_reopen_store(struct workers *w, void (*close_others)(void *), void (*open_others)(void *),
                         void *userdata);

/* 0, or -ENOENT / -ESTALE once the writer found its database file deleted
 * or replaced (store_file_state()): it refuses every article from then on. */
int workers_store_lost(struct workers *w);

/* Jobs accepted and not yet handed to the done callback. */
size_t workers_inflight(struct workers *w);
size_t workers_capacity(struct workers *w);

/* Refuses new jobs from now on; queued ones still run. */
void workers_shutdown(struct workers *w);

/* Cuts the pipeline runs in progress short (the drain limit has passed):
 * their jobs are answered 503 and nothing of them is stored.  Any thread. */
void workers_cancel(struct workers *w);

/* Joins the threads (after letting queued jobs finish), calls done for the
 * remaining finished jobs, and frees everything.  The writer store is
 * closed here too. */
void workers_free(struct workers *w);
