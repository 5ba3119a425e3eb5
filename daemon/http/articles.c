/* POST /v1/articles (one article, or an NDJSON batch) and POST
 * /v1/compare: the request checks made on the loop thread (media type,
 * JSON, fields, duplicates) before a job is queued. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/api.h"
#include "daemon/http/batch.h"
#include "daemon/http/http.h"
#include "daemon/http/jobs.h"
#include "daemon/http/reader.h"
#include "daemon/http/reply.h"
#include "daemon/http/request.h"
#include "daemon/http/routes.h"
#include "daemon/http/validate.h"
#include "daemon/limits.h"
#include "daemon/workers.h"

/* POST /v1/articles with an NDJSON body: every line is validated here;
 * the valid ones are queued together (or the batch is refused with 503). */
static void route_post_batch(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *body = len ? (const char *) evbuffer_pullup(in, -1) : "";
        struct job *jobs[MAX_BATCH_LINES];
        size_t n_jobs = 0;
        time_t now = time(NULL);

        struct batch *b = calloc(1, sizeof(*b));
        if (!b || !(b->results = calloc(MAX_BATCH_LINES, sizeof(json_t *)))) {
                free(b);
                reply_error(s, req, c->route, 500, "internal_error", NULL, "out of memory");
                return;
        }
        b->req = req;
        b->route = c->route;

        const char *line;
        size_t line_len;
        for (size_t off = 0; ndjson_next_line(body, len, &off, &line, &line_len);) {
                if (b->n >= MAX_BATCH_LINES) {
                        for (size_t i = 0; i < n_jobs; i++)
                                job_free(jobs[i]);
                        batch_free(b);
                        reply_error(s, req, c->route, 413, "too_large", NULL,
                                    "a batch holds at most %d articles", MAX_BATCH_LINES);
                        return;
                }
                size_t idx = b->n++;
                struct api_error e;
                json_t *o = request_parse_json(line, line_len, &e);
                struct job *j = o ? job_new(JOB_INGEST) : NULL;
                if (o && !j) {
                        json_decref(o);
                        o = NULL;
                        e = (struct api_error) { .status = 500, .code = "internal_error" };
                        snprintf(e.message, sizeof(e.message), "out of memory");
                }
                if (j) {
                        j->body = o;
                        j->req = req;
                        j->started_usec = c->t0;
                        j->route = c->route;
                        j->batch = b;
                        j->batch_index = idx;
                        if (article_validate(o, true, NULL, s->cfg.max_body_bytes, now, &j->article, &e) == 0) {
                                jobs[n_jobs++] = j;
                                continue;
                        }
                        job_free(j);
                }
                json_t *err = error_json(e.code, e.field[0] ? e.field : NULL, "%s", e.message);
                b->results[idx] = batch_result(err, e.status);
                json_decref(err);
        }

        if (b->n == 0) {
                batch_free(b);
                reply_error(s, req, c->route, 400, "invalid_json", NULL, "the batch holds no articles");
                return;
        }
        if (n_jobs > workers_capacity(s->workers)) {
                for (size_t i = 0; i < n_jobs; i++)
                        job_free(jobs[i]);
                batch_free(b);
                reply_error(s, req, c->route, 413, "too_large", NULL,
                            "a batch holds at most queue_size (%zu) articles", workers_capacity(s->workers));
                return;
        }
        if (n_jobs == 0) {
                batch_reply(s, b);
                return;
        }
        b->pending = n_jobs;
        int r = workers_submit_many(s->workers, jobs, n_jobs);
        if (r < 0) {
                for (size_t i = 0; i < n_jobs; i++)
                        job_free(jobs[i]);
                batch_free(b);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
                if (r == -EAGAIN)
                        reply_error(s, req, c->route, 503, "overloaded", NULL,
                                    "the work queue cannot take this batch now; try again shortly");
                else
                        reply_error(s, req, c->route, 503, "shutting_down", NULL, "claimd is shutting down");
        }
}

/* A repost (same url, or same source and content) is answered from the
 * read connection at once, without running the pipeline: the same reply
 * the writer gives for a duplicate it finds in its transaction (which
 * still catches two copies racing each other).  Returns true when it
 * answered (and consumed j). */
static bool answer_duplicate(struct server *s, struct job *j) {
        int64_t dup = 0, event = 0;
        json_t *a = NULL;

        if (!http_store_ready(s) || store_find_duplicate(s->ro, &j->article, &dup) <= 0)
                return false;
        if (store_get_article_json(s->ro, dup, &a) < 0)
                return false;
        event = json_integer_value(json_object_get(a, "event_id"));
        int n_claims = (int) json_array_size(json_object_get(a, "claims"));
        json_decref(a);

        j->result.article_id = dup;
        j->result.duplicate = true;
        j->result.event_id = event;
        j->result.n_claims = n_claims;
        j->reply = json_pack("{s:I, s:b, s:o, s:i, s:[]}",
                             "id", (json_int_t) dup, "duplicate", 1,
                             "event_id", event > 0 ? json_integer(event) : json_null(),
                             "claims", n_claims, "conflicts");
        if (!j->reply)
                return false;
        j->status = 200;
        http_job_done(j, s);
        return true;
}

void route_post_article(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        struct api_error e;

        if (request_media_type(req) == MEDIA_NDJSON) {
                route_post_batch(s, req, c);
                return;
        }
        json_t *o = request_read_json(s, req, c->route);
        if (!o)
                return;

        struct job *j = request_job_new(s, req, c, JOB_INGEST, o);
        if (!j)
                return;
        if (article_validate(o, true, NULL, s->cfg.max_body_bytes, time(NULL), &j->article, &e) < 0) {
                job_free(j);
                reply_api_error(s, req, c->route, &e);
                return;
        }
        if (answer_duplicate(s, j))
                return;
        request_submit(s, req, c->route, j);
}

void route_post_compare(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        struct api_error e;
        json_t *o = request_read_json(s, req, c->route);
        if (!o)
                return;

        if (!json_is_object(o)) {
                json_decref(o);
                reply_error(s, req, c->route, 400, "invalid_json", NULL,
                            "the body must be a JSON object {\"a\": ARTICLE, \"b\": ARTICLE}");
                return;
        }
        const char *key;
        json_t *val;
        json_object_foreach(o, key, val)
                if (strcmp(key, "a") != 0 && strcmp(key, "b") != 0) {
                        char shown[64];
                        snprintf(shown, sizeof(shown), "%s", key);
                        json_decref(o);
                        reply_error(s, req, c->route, 400, "invalid_field", shown, "unknown field '%s'", shown);
                        return;
                }
        for (const char *const *f = (const char *const[]) { "a", "b", NULL }; *f; f++) {
                json_t *x = json_object_get(o, *f);
                if (!x || json_is_null(x)) {
                        json_decref(o);
                        reply_error(s, req, c->route, 400, "missing_field", *f, "'%s' (an article) is required", *f);
                        return;
                }
                if (!json_is_object(x)) {
                        json_decref(o);
                        reply_error(s, req, c->route, 400, "invalid_field", *f, "'%s' must be an article object", *f);
                        return;
                }
        }

        struct job *j = request_job_new(s, req, c, JOB_COMPARE, o);
        if (!j)
                return;
        time_t now = time(NULL);
        if (article_validate(json_object_get(o, "a"), false, "a.", s->cfg.max_body_bytes, now, &j->article, &e) < 0 ||
            article_validate(json_object_get(o, "b"), false, "b.", s->cfg.max_body_bytes, now, &j->other, &e) < 0) {
                job_free(j);
                reply_api_error(s, req, c->route, &e);
                return;
        }
        request_submit(s, req, c->route, j);
}
