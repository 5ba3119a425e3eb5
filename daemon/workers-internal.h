/* What the files of the workers module share (workers.c: the queues and
 * threads; workers-pipeline.c: what a worker thread does with a job;
 * workers-writer.c: what the writer thread does with a batch). */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/workers.h"

struct queue {
        struct job *head, *tail;
        size_t n;
};

struct workers {
        pthread_mutex_t lock;
        pthread_cond_t work_cond, write_cond, idle_cond;
        struct queue work, heavy, write, finished;      /* work, heavy: waiting for a worker */
        struct queue checks;            /* articles of the writer's batch whose conflict checks wait */
        size_t checks_pending;          /* of the writer's batch: queued or being run */
        pthread_cond_t checks_cond;     /* the writer waits for checks_pending == 0 */
        struct claim_cache *claims;     /* stored claims for the checks, shared */
        struct store **readers;         /* per worker thread: its read-only connection, or NULL */
        struct worker_thread *thread_args;
        size_t heavy_running, heavy_max;        /* heavy jobs being extracted, and the most at once */
        atomic_bool cancel;             /* pipeline runs stop (work_budget) */
        size_t inflight, capacity;
        bool shutdown;          /* no new jobs */
        bool stop;              /* threads exit once their queue is empty */
        bool abort;             /* remaining jobs are answered 503 without work */
        bool paused;            /* the loop thread holds the writer (store reopen) */
        bool writer_busy;       /* the writer is using its store */
        int store_lost;         /* store_file_state() of the writer's store once it failed */
        int workers_running;
        struct work_options opts;

        pthread_t *threads;
        int n_threads;
        pthread_t writer;
        bool writer_started;
        struct store *store;
        char *db_path;

        struct event *done_ev;
        job_done_func done;
        void *userdata;
};

/* A worker thread's own: its index (into readers). */
struct worker_thread {
        struct workers *w;
        size_t index;
};


/* workers.c */
void queue_push(struct queue *q, struct job *j);
struct job *queue_pop(struct queue *q);
/* Fails j with an API error (api.h error_json() makes its body on the loop
 * thread). */
void job_fail(struct job *j, int status, const char *code, const char *field, const char *msg);
/* Hands a finished job to the loop thread. */
void finish(struct workers *w, struct job *j);

/* workers-pipeline.c: a job taken from the work queue: extracted (ingest,
 * then handed to the writer) or compared (answered); abort: answered 503. */
void work_one(struct workers *w, struct job *j, bool abort);

/* workers-writer.c */
/* Runs the conflict checks of job j (of the writer's batch) on worker thread i. */
void run_checks(struct workers *w, struct job *j, size_t i);
/* A batch taken from the write queue: its reviews, then its articles in one group commit. */
void writer_run_batch(struct workers *w, struct job **batch, size_t n, const struct ingest_options *o);
/* The retention sweep. */
void expire(struct workers *w, int days);
