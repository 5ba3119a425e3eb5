/* What a worker thread does with a job from the work queue: the text
 * pipeline (an article to ingest, handed to the writer with what the
 * store needs of it), or the whole of POST /v1/compare. */
#include <errno.h>
#include <pthread.h>
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
#include "daemon/workers-internal.h"

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
void work_one(struct workers *w, struct job *j, bool abort) {
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
