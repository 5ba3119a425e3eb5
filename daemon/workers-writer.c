/* What the writer thread does with a batch from the write queue: reviews,
 * then the articles in one group commit with their conflict checks run by
 * the worker threads (and by itself while it waits); the replies; store
 * faults; the retention sweep. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/workers-internal.h"

/* Through thread i's read-only connection (opened on first use); when it
 * cannot be opened the checks stay unrun and the writer runs them. */
void run_checks(struct workers *w, struct job *j, size_t i) {
        if (!w->readers[i] && store_open(w->db_path, true, &w->readers[i]) < 0)
                w->readers[i] = NULL;
        if (w->readers[i])
                (void) store_checks_run(j->result.checks, w->readers[i], w->claims);
        pthread_mutex_lock(&w->lock);
        if (--w->checks_pending == 0)
                pthread_cond_broadcast(&w->checks_cond);
        pthread_mutex_unlock(&w->lock);
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

void expire(struct workers *w, int days) {
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

void writer_run_batch(struct workers *w, struct job **batch, size_t n, const struct ingest_options *o) {
        struct job *articles[MAX_WRITE_BATCH];
        memcpy(articles, batch, n * sizeof(*batch));
        size_t na = run_reviews(w, articles, n);
        if (na > 0)
                run_ingest_batch(w, articles, na, o);
}
