/* See workers.h.  Locking: one mutex guards both queues, the done list, the
 * counters and the options; two condition variables wake the workers and the
 * writer.  Jobs move worker -> writer -> loop by pointer; a job is touched by
 * one thread at a time. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/claim-json.h"
#include "common/conflict.h"
#include "common/match.h"
#include "common/pipeline.h"
#include "common/relate.h"
#include "daemon/limits.h"
#include "daemon/log.h"
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

static void queue_push(struct queue *q, struct job *j) {
        j->next = NULL;
        if (q->tail)
                q->tail->next = j;
        else
                q->head = j;
        q->tail = j;
        q->n++;
}

static struct job *queue_pop(struct queue *q) {
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

/* Fails j with an API error (api.h error_json() makes its body on the loop
 * thread). */
static void job_fail(struct job *j, int status, const char *code, const char *field, const char *msg) {
        json_decref(j->reply);
        j->reply = NULL;
        j->status = status;
        j->error_code = code;
        snprintf(j->error_field, sizeof(j->error_field), "%s", field ? field : "");
        snprintf(j->error_message, sizeof(j->error_message), "%s", msg);
}

/* Hands a finished job to the loop thread. */
static void finish(struct workers *w, struct job *j) {
        pthread_mutex_lock(&w->lock);
        queue_push(&w->finished, j);
        pthread_mutex_unlock(&w->lock);
        event_active(w->done_ev, EV_READ, 1);
}

static struct article_input input_of(const struct article_request *r) {
        struct article_input in = {
                .title = r->title,
                .text = r->text,
                .html = r->html,
                .published = r->published,
        };
        if (!in.text && !in.html)
                in.text = "";
        return in;
}

/* Runs the pipeline on one request within the work budget (the shutdown
 * flag, max_article_work_sec); on failure fills the job's error. */
static int extract(struct workers *w, struct job *j, const struct article_request *r, const char *prefix,
                   struct extracted_article **ret) {
        struct article_input in = input_of(r);
        pthread_mutex_lock(&w->lock);
        int limit = w->opts.max_article_work_sec;
        pthread_mutex_unlock(&w->lock);
        struct work_budget budget = {
                .cancel = &w->cancel,
                .deadline_usec = limit > 0 ? work_budget_now_usec() + (uint64_t) limit * 1000000u : 0,
        };
        in.budget = &budget;
        int k = pipeline_extract(&in, ret);
        if (k == 0)
                return 0;
        if (k == -ECANCELED) {
                job_fail(j, 503, "shutting_down", NULL, "claimd is shutting down; the article was not stored");
                return k;
        }
        if (k == -ETIME) {
                char msg[160];
                snprintf(msg, sizeof(msg), "analysing the article took more than %d s (max_article_work_sec); "
                         "it was not stored: send it in smaller parts", limit);
                job_fail(j, 422, "too_costly", NULL, msg);
                log_warning("an article from %s was cut after %d s of pipeline work", r->source ? r->source : "?",
                            limit);
                return k;
        }
        if (k == -EINVAL) {
                char field[16];
                snprintf(field, sizeof(field), "%s%s", prefix, r->html ? "html" : "text");
                job_fail(j, 400, "invalid_field", field,
                         r->html ? "no article text could be extracted from the HTML"
                                 : "the text could not be processed");
        } else
                job_fail(j, 500, "internal_error", NULL, "the text pipeline failed");
        log_error("pipeline_extract failed: %s", strerror(-k));
        return k;
}

/* Builds one side of a compare conflict's claims. */
static json_t *compare_claim(const struct claim *c, const char *label, const char *source) {
        json_t *o = claim_to_json(c);
        if (!o)
                return NULL;
        json_object_set_new(o, "article", json_string(label));
        json_object_set_new(o, "source", json_string(source));
        return o;
}

/* POST /v1/compare: both pipelines, then match_claims_prepared() across
 * them on the views the extraction made. */
static void run_compare(struct workers *w, struct job *j) {
        struct extracted_article *a = NULL, *b = NULL;
        struct claim_source *sa = NULL, *sb = NULL;
        struct claim_conflict *cc = NULL;
        size_t ncc = 0;
        struct work_options o;

        pthread_mutex_lock(&w->lock);
        o = w->opts;
        pthread_mutex_unlock(&w->lock);

        if (extract(w, j, &j->article, "a.", &a) < 0 || extract(w, j, &j->other, "b.", &b) < 0)
                goto out;

        const char *src_a = j->article.source ? j->article.source : "a";
        const char *src_b = j->other.source ? j->other.source : "b";
        size_t na = a->claims.n, nb = b->claims.n;

        sa = calloc(na ? na : 1, sizeof(*sa));
        sb = calloc(nb ? nb : 1, sizeof(*sb));
        if (!sa || !sb)
                goto oom;
        for (size_t i = 0; i < na; i++)
                sa[i] = (struct claim_source) { &a->claims.items[i], src_a, "a" };
        for (size_t i = 0; i < nb; i++)
                sb[i] = (struct claim_source) { &b->claims.items[i], src_b, "b" };

        int r = match_claims_prepared(sa, a->views, na, sb, b->views, nb, &o.ingest.conflict,
                                      (size_t) o.ingest.max_conflicts_per_article, &cc, &ncc);
        if (r < 0)
                goto oom;

        double sim = article_similarity(a, b);
        json_t *arr = json_array();
        if (!arr)
                goto oom;
        for (size_t i = 0; i < ncc; i++) {
                const struct conflict_result *cr = &cc[i].result;
                json_t *claims = json_pack("[oo]",
                                           compare_claim(&a->claims.items[cc[i].a], "a", src_a),
                                           compare_claim(&b->claims.items[cc[i].b], "b", src_b));
                json_t *c = json_pack("{s:s, s:f, s:s, s:o}",
                                      "kind", conflict_kind_to_string(cr->kind),
                                      "score", cr->score,
                                      "explanation", cr->explanation ? cr->explanation : "",
                                      "claims", claims);
                if (!c || json_array_append_new(arr, c) < 0) {
                        json_decref(arr);
                        goto oom;
                }
        }
        j->reply = json_pack("{s:b, s:f, s:o}", "related", sim >= o.related_min_similarity,
                             "similarity", sim, "conflicts", arr);
        if (!j->reply)
                goto oom;
        j->status = 200;
        goto out;

oom:
        job_fail(j, 500, "internal_error", NULL, "out of memory");
out:
        if (cc)
                claim_conflicts_free(cc, ncc);
        free(sa);
        free(sb);
        if (a)
                extracted_article_free(a);
        if (b)
                extracted_article_free(b);
}

/* One job on a worker thread: extracted and handed to the writer, or
 * answered (compare, failures, abort). */
static void work_one(struct workers *w, struct job *j, bool abort) {
        if (abort) {
                job_fail(j, 503, "shutting_down", NULL, "claimd is shutting down");
                finish(w, j);
                return;
        }
        if (j->kind == JOB_COMPARE) {
                run_compare(w, j);
                finish(w, j);
                return;
        }
        if (j->kind == JOB_REVIEW) {
                pthread_mutex_lock(&w->lock);
                queue_push(&w->write, j);
                pthread_cond_signal(&w->write_cond);
                pthread_mutex_unlock(&w->lock);
                return;
        }
        if (extract(w, j, &j->article, "", &j->ex) < 0) {
                finish(w, j);
                return;
        }
        /* what the writer would otherwise do itself (NULL on ENOMEM: then it does) */
        if (ingest_prep_new(j->ex, &j->article.prep) < 0)
                j->article.prep = NULL;
        pthread_mutex_lock(&w->lock);
        queue_push(&w->write, j);
        pthread_cond_signal(&w->write_cond);
        pthread_mutex_unlock(&w->lock);
}

/* Takes ordinary jobs first, heavy ones while fewer than heavy_max run. */
/* A worker thread's own: its index (into readers). */
struct worker_thread {
        struct workers *w;
        size_t index;
};

/* Runs the conflict checks of job j on worker thread i, through its
 * read-only connection (opened on first use); when it cannot be opened
 * the checks stay unrun and the writer runs them. */
static void run_checks(struct workers *w, struct job *j, size_t i) {
        if (!w->readers[i] && store_open(w->db_path, true, &w->readers[i]) < 0)
                w->readers[i] = NULL;
        if (w->readers[i])
                (void) store_checks_run(j->result.checks, w->readers[i], w->claims);
        pthread_mutex_lock(&w->lock);
        if (--w->checks_pending == 0)
                pthread_cond_broadcast(&w->checks_cond);
        pthread_mutex_unlock(&w->lock);
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

/* Turns a store error into the job's 503 (faults, logged with their own
 * MESSAGE_ID) or 500 reply. */
static void store_failed(struct workers *w, struct job *j, int r) {
        if (store_error_is_fault(r)) {
                char f0[64];
                const char *fields[] = { f0, NULL };
                snprintf(f0, sizeof(f0), "CLAIMD_ERRNO=%d", -r);
                log_struct(LOG_ERR, CLAIMD_MESSAGE_STORE_FAULT, fields,
                           "cannot store %s%s: %s (%s)", j->kind == JOB_REVIEW ? "a review" : "article from ",
                           j->kind == JOB_REVIEW ? "" : j->article.source, strerror(-r), w->store ? store_errmsg(w->store) : "no database connection");
                job_fail(j, 503, "store_unavailable", NULL,
                         r == -ESTALE ? "the database file was deleted or replaced while claimd ran: "
                                        "writes are refused until claimd is restarted" :
                         r == -ENOSPC ? "the database disk is full; try again later" :
                         r == -EBUSY ? "the database is locked; try again later" :
                         r == -EROFS || r == -EACCES || r == -EPERM ? "the database is read-only; try again later" :
                         "the database cannot be written; try again later");
        } else {
                log_error("storing %s failed: %s (%s)", j->kind == JOB_REVIEW ? "a review" : "an article",
                          strerror(-r), w->store ? store_errmsg(w->store) : "no database connection");
                job_fail(j, 500, "internal_error", NULL,
                         j->kind == JOB_REVIEW ? "the review could not be stored" : "the article could not be stored");
        }
        free(j->result.conflict_ids);
        memset(&j->result, 0, sizeof(j->result));
        json_decref(j->conflicts);
        j->conflicts = NULL;
        /* a connection SQLite opened read-only stays so: ask the loop
         * thread to reopen the database (workers_reopen_store) */
        if (r == -EROFS || r == -EACCES || r == -EPERM)
                j->store_reopen = true;
}

/* The first time the writer's store finds its file deleted or replaced:
 * says so in the journal, once, saves what the open connection still reads
 * next to the path (the articles acknowledged before, which the next start
 * would not find), and marks the store lost for workers_store_lost(). */
static void store_lost(struct workers *w) {
        int lost = store_file_state(w->store);
        char copy[4096], f0[64];
        const char *fields[] = { f0, NULL };

        pthread_mutex_lock(&w->lock);
        bool first = !w->store_lost;
        w->store_lost = lost;
        pthread_mutex_unlock(&w->lock);
        if (!first)
                return;
        snprintf(copy, sizeof(copy), "%s.orphan-%lld", w->db_path, (long long) time(NULL));
        int r = store_save_copy(w->store, copy);
        snprintf(f0, sizeof(f0), "CLAIMD_ERRNO=%d", -lost);
        log_struct(LOG_CRIT, CLAIMD_MESSAGE_STORE_FAULT, fields,
                   "database file %s was %s while claimd ran: refusing every write from now on "
                   "(nothing more is acknowledged); %s%s%s; restart claimd to use the file at that path",
                   w->db_path, lost == -ENOENT ? "deleted" : "replaced",
                   r < 0 ? "the open database could not be saved: " : "what claimd had stored was saved as ",
                   r < 0 ? strerror(-r) : copy, r < 0 ? "" : " (move it back to keep it)");
}

int workers_store_lost(struct workers *w) {
        pthread_mutex_lock(&w->lock);
        int r = w->store_lost;
        pthread_mutex_unlock(&w->lock);
        return r;
}

/* Stores one article (alone, or inside the writer's open batch); fills the
 * reply and the conflicts for the journal. */
/* The reply of a stored article (and its conflicts, for the journal). */
static void ingest_reply(struct workers *w, struct job *j) {
        json_t *ids = json_array();
        j->conflicts = json_array();
        for (size_t i = 0; i < j->result.n_conflicts; i++) {
                json_t *c;
                json_array_append_new(ids, json_integer(j->result.conflict_ids[i]));
                if (store_get_conflict_json(w->store, j->result.conflict_ids[i], &c) == 0)
                        json_array_append_new(j->conflicts, c);
        }
        j->reply = json_pack("{s:I, s:b, s:o, s:i, s:o}",
                             "id", (json_int_t) j->result.article_id,
                             "duplicate", j->result.duplicate,
                             "event_id", j->result.event_id > 0 ? json_integer(j->result.event_id) : json_null(),
                             "claims", j->result.n_claims,
                             "conflicts", ids ? ids : json_array());
        if (!j->reply)
                job_fail(j, 500, "internal_error", NULL, "out of memory");
        else
                j->status = j->result.duplicate ? 200 : 201;
}

/* Stores the articles the writer took from its queue: several in one
 * transaction (group commit: one fsync for all of them), each in its own
 * savepoint.  No reply leaves before the COMMIT returned; when the COMMIT
 * fails, every article of the batch gets the fault. */
/* Stores the articles of one group commit.  The writer stores each article
 * and chooses its candidates; the conflict checks go to the worker threads
 * (and to the writer itself while it waits), each reading stored claims
 * through its own connection; then the writer stores the conflicts found,
 * in ingest order, and commits.  What is found is what the writer found
 * running every check itself (store_batch_begin_deferred()). */
static void run_ingest_batch(struct workers *w, struct job **jobs, size_t n, const struct ingest_options *o) {
        int r;

        if (!w->store && (r = store_open(w->db_path, false, &w->store)) < 0) {
                w->store = NULL;
                for (size_t i = 0; i < n; i++) {
                        store_failed(w, jobs[i], r);
                        jobs[i]->store_reopen = true;
                }
                goto out;
        }
        r = store_batch_begin_deferred(w->store);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        store_failed(w, jobs[i], r);
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                struct job *j = jobs[i];
                r = store_ingest(w->store, &j->article, j->ex, o, &j->result);
                if (r < 0) {
                        memset(&j->result, 0, sizeof(j->result));
                        store_failed(w, j, r);
                } else if (j->result.checks) {
                        pthread_mutex_lock(&w->lock);
                        queue_push(&w->checks, j);
                        w->checks_pending++;
                        pthread_cond_signal(&w->work_cond);
                        pthread_mutex_unlock(&w->lock);
                }
        }
        /* the writer's share: what no worker has taken yet */
        pthread_mutex_lock(&w->lock);
        for (;;) {
                struct job *c = queue_pop(&w->checks);
                if (!c) {
                        while (w->checks_pending > 0)
                                pthread_cond_wait(&w->checks_cond, &w->lock);
                        break;
                }
                pthread_mutex_unlock(&w->lock);
                (void) store_checks_run(c->result.checks, w->store, w->claims);
                pthread_mutex_lock(&w->lock);
                w->checks_pending--;
        }
        pthread_mutex_unlock(&w->lock);
        for (size_t i = 0; i < n; i++)
                if (jobs[i]->result.checks)
                        (void) store_ingest_finish(w->store, jobs[i]->result.checks, w->claims, &jobs[i]->result);
        r = store_batch_end(w->store, true);
        for (size_t i = 0; i < n; i++) {
                struct job *j = jobs[i];
                if (j->status >= 300)
                        continue;       /* failed alone above */
                if (r < 0)
                        store_failed(w, j, r);
                else
                        ingest_reply(w, j);
        }
        if (store_file_state(w->store) < 0)
                store_lost(w);
out:
        for (size_t i = 0; i < n; i++) {
                extracted_article_free(jobs[i]->ex);
                jobs[i]->ex = NULL;
        }
}

/* Records one review (its own transaction) and reads the updated
 * conflict back for the reply. */
static void run_review(struct workers *w, struct job *j) {
        int r;

        if (!w->store && (r = store_open(w->db_path, false, &w->store)) < 0) {
                w->store = NULL;
                store_failed(w, j, r);
                j->store_reopen = true;
                return;
        }
        r = store_review_conflict(w->store, &j->review);
        if (r == 0)
                r = store_get_conflict_json(w->store, j->review.conflict_id, &j->reply);
        if (r == -ENOENT) {
                char msg[64];
                snprintf(msg, sizeof(msg), "no conflict with id %lld", (long long) j->review.conflict_id);
                job_fail(j, 404, "not_found", NULL, msg);
        } else if (r < 0)
                store_failed(w, j, r);
        else
                j->status = 200;
}

/* Runs the reviews of a batch taken from the writer's queue, one by one,
 * and moves the articles to the front of jobs; returns how many remain. */
static size_t run_reviews(struct workers *w, struct job **jobs, size_t n) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (jobs[i]->kind == JOB_REVIEW)
                        run_review(w, jobs[i]);
                else
                        jobs[k++] = jobs[i];
        }
        return k;
}

static void expire(struct workers *w, int days) {
        time_t cutoff = time(NULL) - (time_t) days * 86400;
        int r = store_expire(w->store, cutoff);
        if (r < 0)
                log_error("retention: store_expire failed: %s (%s)", strerror(-r), store_errmsg(w->store));
        else if (r > 0) {
                char f0[64];
                const char *fields[] = { f0, NULL };
                snprintf(f0, sizeof(f0), "CLAIMD_EXPIRED=%d", r);
                log_struct(LOG_INFO, CLAIMD_MESSAGE_EXPIRED, fields,
                           "retention: deleted %d articles older than %d days", r, days);
        }
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
                                struct job *articles[MAX_WRITE_BATCH];
                                memcpy(articles, batch, n * sizeof(*batch));
                                size_t na = run_reviews(w, articles, n);
                                if (na > 0)
                                        run_ingest_batch(w, articles, na, &o.ingest);
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
