/* See workers.h: the queues and threads.  Locking: one mutex guards the
 * queues, the done list, the counters and the options; condition
 * variables wake the workers, the writer, and the writer waiting for its
 * batch's checks.  Jobs move worker -> writer (-> workers for checks) ->
 * loop by pointer; a job is touched by one thread at a time. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/workers-internal.h"

void queue_push(struct queue *q, struct job *j) {
        j->next = NULL;
        if (q->tail)
                q->tail->next = j;
        else
                q->head = j;
        q->tail = j;
        q->n++;
}

struct job *queue_pop(struct queue *q) {
        struct job *j = q->head;
        if (!j)
                return NULL;
        q->head = j->next;
        if (!q->head)
                q->tail = NULL;
        q->n--;
        j->next = NULL;
        return j;
}

struct job *job_new(enum job_kind kind) {
        struct job *j = calloc(1, sizeof(*j));
        if (j)
                j->kind = kind;
        return j;
}

void job_free(struct job *j) {
        if (!j)
                return;
        json_decref(j->body);
        json_decref(j->reply);
        json_decref(j->conflicts);
        ingest_prep_free(j->article.prep);
        if (j->ex)
                extracted_article_free(j->ex);
        free(j->result.conflict_ids);
        free(j);
}

void job_fail(struct job *j, int status, const char *code, const char *field, const char *msg) {
        json_decref(j->reply);
        j->reply = NULL;
        j->status = status;
        j->error_code = code;
        snprintf(j->error_field, sizeof(j->error_field), "%s", field ? field : "");
        snprintf(j->error_message, sizeof(j->error_message), "%s", msg);
}

void finish(struct workers *w, struct job *j) {
        pthread_mutex_lock(&w->lock);
        queue_push(&w->finished, j);
        pthread_mutex_unlock(&w->lock);
        event_active(w->done_ev, EV_READ, 1);
}

static void *worker_main(void *arg) {
        struct worker_thread *t = arg;
        struct workers *w = t->w;

        pthread_setname_np(pthread_self(), "claimd-worker");

        for (;;) {
                pthread_mutex_lock(&w->lock);
                while (!w->checks.head && !w->work.head && !(w->heavy.head && w->heavy_running < w->heavy_max) &&
                       !w->stop)
                        pthread_cond_wait(&w->work_cond, &w->lock);
                /* the writer's batch waits for its checks: they go first */
                struct job *c = queue_pop(&w->checks);
                if (c) {
                        pthread_mutex_unlock(&w->lock);
                        run_checks(w, c, t->index);
                        continue;
                }
                bool heavy = false;
                struct job *j = queue_pop(&w->work);
                if (!j && (w->abort || w->heavy_running < w->heavy_max) && (j = queue_pop(&w->heavy))) {
                        w->heavy_running++;
                        heavy = true;
                }
                bool abort = w->abort;
                pthread_mutex_unlock(&w->lock);
                if (!j)
                        break;

                work_one(w, j, abort);
                if (heavy) {
                        pthread_mutex_lock(&w->lock);
                        w->heavy_running--;
                        pthread_cond_broadcast(&w->work_cond);
                        pthread_mutex_unlock(&w->lock);
                }
        }

        pthread_mutex_lock(&w->lock);
        w->workers_running--;
        pthread_cond_broadcast(&w->write_cond);
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

static void writer_idle(struct workers *w) {
        pthread_mutex_lock(&w->lock);
        w->writer_busy = false;
        pthread_cond_broadcast(&w->idle_cond);
        pthread_mutex_unlock(&w->lock);
}

static void *writer_main(void *arg) {
        struct workers *w = arg;
        struct timespec next_expire;

        pthread_setname_np(pthread_self(), "claimd-writer");

        clock_gettime(CLOCK_REALTIME, &next_expire);

        for (;;) {
                pthread_mutex_lock(&w->lock);
                for (;;) {
                        if (w->paused) {
                                pthread_cond_wait(&w->write_cond, &w->lock);
                                continue;
                        }
                        if (w->write.head || (w->stop && w->workers_running == 0))
                                break;
                        struct timespec now;
                        clock_gettime(CLOCK_REALTIME, &now);
                        if (w->opts.retention_days > 0 && now.tv_sec >= next_expire.tv_sec)
                                break;
                        if (w->opts.retention_days > 0)
                                pthread_cond_timedwait(&w->write_cond, &w->lock, &next_expire);
                        else
                                pthread_cond_wait(&w->write_cond, &w->lock);
                }
                struct job *batch[MAX_WRITE_BATCH];
                size_t n = 0;
                while (n < MAX_WRITE_BATCH && w->write.head)
                        batch[n++] = queue_pop(&w->write);
                struct work_options o = w->opts;
                bool abort = w->abort;
                bool done = n == 0 && w->stop && w->workers_running == 0;
                w->writer_busy = !done;
                pthread_mutex_unlock(&w->lock);

                if (n > 0) {
                        if (abort)
                                for (size_t i = 0; i < n; i++)
                                        job_fail(batch[i], 503, "shutting_down", NULL, "claimd is shutting down");
                        else {
                                writer_run_batch(w, batch, n, &o.ingest);
                        }
                        writer_idle(w);
                        for (size_t i = 0; i < n; i++)
                                finish(w, batch[i]);
                        continue;
                }
                if (done)
                        break;

                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                if (o.retention_days > 0 && now.tv_sec >= next_expire.tv_sec && w->store) {
                        expire(w, o.retention_days);
                        next_expire.tv_sec = now.tv_sec + EXPIRE_INTERVAL_SEC;
                }
                writer_idle(w);
        }
        return NULL;
}

/* On the loop thread: hands every finished job to the callback. */
static void done_cb(evutil_socket_t fd, short what, void *arg) {
        struct workers *w = arg;

        pthread_mutex_lock(&w->lock);
        struct queue q = w->finished;
        w->finished = (struct queue) {};
        w->inflight -= q.n;
        pthread_mutex_unlock(&w->lock);

        struct job *j;
        while ((j = queue_pop(&q)))
                w->done(j, w->userdata);
}

int workers_new(struct event_base *base, struct store *writer, const char *db_path, int n_workers, int queue_size,
                const struct work_options *o, job_done_func done, void *userdata,
                struct workers **ret) {
        struct workers *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->work_cond, NULL);
        pthread_cond_init(&w->write_cond, NULL);
        pthread_cond_init(&w->idle_cond, NULL);
        pthread_cond_init(&w->checks_cond, NULL);
        w->capacity = (size_t) queue_size;
        w->opts = *o;
        w->store = writer;
        w->db_path = strdup(db_path);
        w->done = done;
        w->userdata = userdata;
        w->done_ev = event_new(base, -1, 0, done_cb, w);
        w->threads = calloc((size_t) n_workers, sizeof(pthread_t));
        w->thread_args = calloc((size_t) n_workers, sizeof(*w->thread_args));
        w->readers = calloc((size_t) n_workers, sizeof(*w->readers));
        w->claims = store_claim_cache_new(0);
        if (!w->done_ev || !w->threads || !w->thread_args || !w->readers || !w->claims || !w->db_path) {
                workers_free(w);
                return -ENOMEM;
        }

        for (int i = 0; i < n_workers; i++) {
                w->thread_args[i] = (struct worker_thread) { w, (size_t) i };
                int r = pthread_create(&w->threads[i], NULL, worker_main, &w->thread_args[i]);
                if (r != 0) {
                        workers_free(w);
                        return -r;
                }
                pthread_mutex_lock(&w->lock);
                w->n_threads++;
                w->heavy_max = w->n_threads > 1 ? (size_t) w->n_threads - 1 : 1;
                w->workers_running++;
                pthread_mutex_unlock(&w->lock);
        }
        int r = pthread_create(&w->writer, NULL, writer_main, w);
        if (r != 0) {
                workers_free(w);
                return -r;
        }
        w->writer_started = true;
        *ret = w;
        return 0;
}

static size_t request_bytes(const struct article_request *a) {
        return (a->title ? strlen(a->title) : 0) + (a->text ? strlen(a->text) : 0) + (a->html ? strlen(a->html) : 0);
}

/* Marks a job heavy (see workers_submit()) and queues it; under the lock. */
static void queue_job(struct workers *w, struct job *j) {
        j->heavy = j->kind != JOB_REVIEW && request_bytes(&j->article) + request_bytes(&j->other) > HEAVY_ARTICLE_BYTES;
        queue_push(j->heavy ? &w->heavy : &w->work, j);
}

int workers_submit(struct workers *w, struct job *j) {
        int r = 0;

        pthread_mutex_lock(&w->lock);
        if (w->shutdown)
                r = -ESHUTDOWN;
        else if (w->inflight >= w->capacity)
                r = -EAGAIN;
        else {
                w->inflight++;
                queue_job(w, j);
                pthread_cond_broadcast(&w->work_cond);
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

int workers_submit_many(struct workers *w, struct job **jobs, size_t n) {
        int r = 0;

        pthread_mutex_lock(&w->lock);
        if (w->shutdown)
                r = -ESHUTDOWN;
        else if (w->inflight + n > w->capacity)
                r = -EAGAIN;
        else {
                w->inflight += n;
                for (size_t i = 0; i < n; i++)
                        queue_job(w, jobs[i]);
                pthread_cond_broadcast(&w->work_cond);
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

void workers_set_options(struct workers *w, const struct work_options *o) {
        pthread_mutex_lock(&w->lock);
        w->opts = *o;
        pthread_cond_broadcast(&w->write_cond);
        pthread_mutex_unlock(&w->lock);
}

size_t workers_inflight(struct workers *w) {
        pthread_mutex_lock(&w->lock);
        size_t n = w->inflight;
        pthread_mutex_unlock(&w->lock);
        return n;
}

int workers_reopen_store(struct workers *w, void (*close_others)(void *), void (*open_others)(void *),
                         void *userdata) {
        pthread_mutex_lock(&w->lock);
        w->paused = true;
        while (w->writer_busy)
                pthread_cond_wait(&w->idle_cond, &w->lock);
        pthread_mutex_unlock(&w->lock);

        /* the writer waits now: its store is ours until we resume it */
        close_others(userdata);
        /* the workers' read connections too (idle: checks run only inside
         * the writer's batches); each reopens its own on next use */
        for (int i = 0; i < w->n_threads; i++) {
                store_close(w->readers[i]);
                w->readers[i] = NULL;
        }
        store_close(w->store);
        w->store = NULL;
        int r = store_open(w->db_path, false, &w->store);
        if (r < 0)
                w->store = NULL;        /* the writer tries again with the next article */
        open_others(userdata);

        pthread_mutex_lock(&w->lock);
        w->paused = false;
        pthread_cond_broadcast(&w->write_cond);
        pthread_mutex_unlock(&w->lock);
        return r;
}

size_t workers_capacity(struct workers *w) {
        return w->capacity;
}

void workers_cancel(struct workers *w) {
        atomic_store(&w->cancel, true);
}

void workers_shutdown(struct workers *w) {
        pthread_mutex_lock(&w->lock);
        w->shutdown = true;
        pthread_mutex_unlock(&w->lock);
}

void workers_free(struct workers *w) {
        if (!w)
                return;

        workers_cancel(w);
        pthread_mutex_lock(&w->lock);
        w->shutdown = w->stop = w->abort = true;
        pthread_cond_broadcast(&w->work_cond);
        pthread_cond_broadcast(&w->write_cond);
        pthread_mutex_unlock(&w->lock);

        for (int i = 0; i < w->n_threads; i++)
                pthread_join(w->threads[i], NULL);
        if (w->writer_started)
                pthread_join(w->writer, NULL);

        /* whatever finished meanwhile still gets its reply */
        if (w->done_ev)
                done_cb(-1, 0, w);

        if (w->store)
                store_close(w->store);
        for (int i = 0; w->readers && i < w->n_threads; i++)
                store_close(w->readers[i]);
        free(w->readers);
        store_claim_cache_free(w->claims);
        if (w->done_ev)
                event_free(w->done_ev);
        free(w->threads);
        free(w->thread_args);
        free(w->db_path);
        pthread_cond_destroy(&w->work_cond);
        pthread_cond_destroy(&w->write_cond);
        pthread_cond_destroy(&w->idle_cond);
        pthread_cond_destroy(&w->checks_cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
}
