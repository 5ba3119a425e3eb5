/* POST /v1/articles and POST /v1/compare: the request checks made on the
 * loop thread before a job is queued (media type, UTF-8, JSON, fields). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "common/rfc3339.h"
#include "common/utf8.h"
#include "daemon/http.h"
#include "daemon/limits.h"
#include "daemon/log.h"

static int fail(struct api_error *e, int status, const char *code, const char *prefix, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail(struct api_error *e, int status, const char *code, const char *prefix, const char *field,
                const char *fmt, ...) {
        va_list ap;

        e->status = status;
        e->code = code;
        if (field)
                snprintf(e->field, sizeof(e->field), "%s%s", prefix ? prefix : "", field);
        else
                e->field[0] = 0;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

json_t *request_parse_json(const char *body, size_t len, struct api_error *e) {
        json_error_t err;

        if (len == 0) {
                fail(e, 400, "invalid_json", NULL, NULL, "the request body is empty");
                return NULL;
        }
        if (!utf8_is_valid(body, len)) {
                fail(e, 400, "invalid_utf8", NULL, NULL,
                     memchr(body, 0, len) ? "the request body holds a NUL byte"
                                          : "the request body is not valid UTF-8");
                return NULL;
        }
        /* NULs written as \u0000 are let through here and refused per field
         * as invalid_utf8 below, with the field named. */
        json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        if (!o) {
                if (json_error_code(&err) == json_error_invalid_utf8 ||
                    strncmp(err.text, "invalid Unicode", 15) == 0)
                        fail(e, 400, "invalid_utf8", NULL, NULL, "invalid Unicode in the JSON at line %d column %d: %s",
                             err.line, err.column, err.text);
                else
                        fail(e, 400, "invalid_json", NULL, NULL, "invalid JSON at line %d column %d: %s",
                             err.line, err.column, err.text);
                return NULL;
        }
        return o;
}

/* Returns true when s holds a C0 control character or DEL. */
static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

enum {
        F_SOURCE, F_URL, F_TITLE, F_PUBLISHED_AT, F_TEXT, F_HTML, F_LANG, _F_MAX,
};
static const char *const field_names[_F_MAX] = {
        "source", "url", "title", "published_at", "text", "html", "lang",
};

int article_validate(json_t *o, bool source_required, const char *prefix, size_t max_text,
                     time_t received, struct article_request *ret, struct api_error *e) {
        const char *v[_F_MAX] = {};
        bool present[_F_MAX] = {};
        const char *key;
        json_t *val;

        if (!json_is_object(o))
                return fail(e, 400, "invalid_json", NULL, NULL, "the article must be a JSON object");

        json_object_foreach(o, key, val) {
                int f = -1;
                for (int i = 0; i < _F_MAX; i++)
                        if (strcmp(key, field_names[i]) == 0)
                                f = i;
                if (f < 0) {
                        char shown[64];
                        snprintf(shown, sizeof(shown), "%s", key);
                        return fail(e, 400, "invalid_field", prefix, shown, "unknown field '%s'", shown);
                }
                if (json_is_null(val))
                        continue;       /* an optional field sent as null is absent */
                if (!json_is_string(val))
                        return fail(e, 400, "invalid_field", prefix, key, "'%s%s' must be a string",
                                    prefix ? prefix : "", key);
                const char *s = json_string_value(val);
                size_t n = json_string_length(val);
                if (strlen(s) != n)
                        return fail(e, 400, "invalid_utf8", prefix, key, "'%s%s' holds a NUL character",
                                    prefix ? prefix : "", key);
                v[f] = s;
                present[f] = true;
        }

        if (!v[F_SOURCE]) {
                if (source_required)
                        return fail(e, 400, "missing_field", prefix, "source", "'source' (the outlet id) is required");
        } else {
                size_t n = strlen(v[F_SOURCE]);
                if (n == 0)
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' must not be empty");
                if (n > MAX_SOURCE_BYTES)
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' is longer than %d bytes",
                                    MAX_SOURCE_BYTES);
                if (has_control(v[F_SOURCE]))
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' holds control characters");
        }

        if (v[F_URL]) {
                size_t n = strlen(v[F_URL]);
                if (n == 0)
                        return fail(e, 400, "invalid_field", prefix, "url", "'url' must not be empty (leave it out)");
                if (n > MAX_URL_BYTES)
                        return fail(e, 400, "invalid_field", prefix, "url", "'url' is longer than %d bytes", MAX_URL_BYTES);
                for (const char *p = v[F_URL]; *p; p++)
                        if ((unsigned char) *p <= 0x20 || *p == 0x7f)
                                return fail(e, 400, "invalid_field", prefix, "url",
                                            "'url' holds spaces or control characters");
        }

        if (v[F_TITLE] && strlen(v[F_TITLE]) > MAX_TITLE_BYTES)
                return fail(e, 400, "invalid_field", prefix, "title", "'title' is longer than %d bytes", MAX_TITLE_BYTES);
        if (v[F_TEXT] && strlen(v[F_TEXT]) > max_text)
                return fail(e, 413, "too_large", prefix, "text", "'text' is longer than %zu bytes", max_text);
        if (v[F_HTML] && strlen(v[F_HTML]) > max_text)
                return fail(e, 413, "too_large", prefix, "html", "'html' is longer than %zu bytes", max_text);

        if (v[F_LANG]) {
                size_t n = strlen(v[F_LANG]);
                bool ok = n > 0 && n <= MAX_LANG_BYTES;
                for (const char *p = v[F_LANG]; ok && *p; p++)
                        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
                if (!ok)
                        return fail(e, 400, "invalid_field", prefix, "lang",
                                    "'lang' must be a language tag such as \"en\" or \"en-GB\"");
        }

        time_t published = received;
        if (v[F_PUBLISHED_AT]) {
                int k = strlen(v[F_PUBLISHED_AT]) > MAX_PUBLISHED_AT_BYTES ? -EINVAL :
                        rfc3339_parse(v[F_PUBLISHED_AT], &published);
                if (k == -ERANGE)
                        return fail(e, 400, "invalid_field", prefix, "published_at",
                                    "'published_at' must fall between 0001-01-01T00:00:00Z and "
                                    "9999-12-31T23:59:59Z in UTC");
                if (k < 0)
                        return fail(e, 400, "invalid_field", prefix, "published_at",
                                    "'published_at' must be an RFC 3339 timestamp such as \"2017-07-07T20:00:00Z\"");
        }

        if (v[F_TEXT] && v[F_HTML])
                return fail(e, 400, "invalid_field", prefix, "html", "'text' and 'html' are exclusive: send one of them");

        bool any = (v[F_TITLE] && *v[F_TITLE]) || (v[F_TEXT] && *v[F_TEXT]) || (v[F_HTML] && *v[F_HTML]);
        if (!any) {
                if (!present[F_TITLE] && !present[F_TEXT] && !present[F_HTML])
                        return fail(e, 400, "missing_field", prefix, "text",
                                    "one of 'title', 'text' or 'html' is required");
                return fail(e, 400, "invalid_field", prefix, v[F_HTML] ? "html" : "text",
                            "one of 'title', 'text' or 'html' must be non-empty");
        }

        *ret = (struct article_request) {
                .source = v[F_SOURCE],
                .url = v[F_URL],
                .title = v[F_TITLE],
                .text = v[F_TEXT],
                .html = v[F_HTML],
                .lang = v[F_LANG],
                .published_at = v[F_PUBLISHED_AT],
                .published = published,
                .received = received,
        };
        return 0;
}

enum media { MEDIA_OTHER, MEDIA_JSON, MEDIA_NDJSON };

/* Classifies Content-Type: application/json or application/x-ndjson (also
 * application/jsonl), with an optional charset that must be UTF-8. */
static enum media media_type(struct evhttp_request *req) {
        const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
        enum media media;
        if (!ct)
                return MEDIA_OTHER;
        while (*ct == ' ' || *ct == '\t')
                ct++;
        size_t n = strcspn(ct, ";");
        size_t m = n;
        while (m > 0 && (ct[m - 1] == ' ' || ct[m - 1] == '\t'))
                m--;
        if (m == 16 && strncasecmp(ct, "application/json", 16) == 0)
                media = MEDIA_JSON;
        else if ((m == 20 && strncasecmp(ct, "application/x-ndjson", 20) == 0) ||
                 (m == 17 && strncasecmp(ct, "application/jsonl", 17) == 0))
                media = MEDIA_NDJSON;
        else
                return MEDIA_OTHER;
        const char *p = ct + n;
        while (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                        p++;
                size_t k = strcspn(p, ";");
                if (strncasecmp(p, "charset=", 8) == 0) {
                        const char *cs = p + 8;
                        size_t cn = k - 8;
                        if (cn >= 2 && cs[0] == '"' && cs[cn - 1] == '"')
                                cs++, cn -= 2;
                        while (cn > 0 && (cs[cn - 1] == ' ' || cs[cn - 1] == '\t'))
                                cn--;
                        if (!((cn == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
                              (cn == 4 && strncasecmp(cs, "utf8", 4) == 0)))
                                return MEDIA_OTHER;
                }
                p += k;
        }
        return media;
}

/* The common start of both POST routes: media type and JSON. */
json_t *request_read_json(struct server *s, struct evhttp_request *req, enum route r) {
        struct api_error e;

        if (media_type(req) != MEDIA_JSON) {
                reply_error(s, req, r, 415, "unsupported_media_type", NULL,
                            "send the body as 'Content-Type: application/json'");
                return NULL;
        }
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *body = len ? (const char *) evbuffer_pullup(in, -1) : "";
        json_t *o = request_parse_json(body, len, &e);
        if (!o)
                reply_api_error(s, req, r, &e);
        return o;
}

void request_submit(struct server *s, struct evhttp_request *req, enum route r, struct job *j) {
        int k = workers_submit(s->workers, j);
        if (k == 0)
                return;
        job_free(j);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        if (k == -EAGAIN)
                reply_error(s, req, r, 503, "overloaded", NULL,
                            "too many requests are being processed; try again shortly");
        else
                reply_error(s, req, r, 503, "shutting_down", NULL, "claimd is shutting down");
}

static void batch_free(struct batch *b) {
        for (size_t i = 0; i < b->n; i++)
                json_decref(b->results[i]);
        free(b->results);
        free(b);
}

/* Sends the batch reply: one JSON result per line, each with "status". */
static void batch_reply(struct server *s, struct batch *b) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(b->req);

        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        for (size_t i = 0; i < b->n; i++) {
                char *line = b->results[i] ? json_dumps(b->results[i], JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
                if (line) {
                        evbuffer_add(s->out, line, strlen(line));
                        free(line);
                } else
                        evbuffer_add_printf(s->out, "{\"status\":500,\"error\":{\"code\":\"internal_error\","
                                            "\"message\":\"out of memory\"}}");
                evbuffer_add(s->out, "\n", 1);
        }
        evhttp_add_header(h, "Content-Type", "application/x-ndjson");
        evhttp_add_header(h, "Cache-Control", "no-store");
        metrics_request(ROUTE_ARTICLES_POST, 200);
        send_reply(b->req, 200, s->out);
        batch_free(b);
}

/* A result line: the single-article reply (or error) plus its status. */
static json_t *batch_result(json_t *reply, int status) {
        json_t *o = reply ? json_deep_copy(reply) : json_object();
        if (o)
                json_object_set_new(o, "status", json_integer(status));
        return o;
}

void batch_line_done(struct server *s, struct job *j) {
        struct batch *b = j->batch;

        b->results[j->batch_index] = batch_result(j->reply, j->status ? j->status : 500);
        if (--b->pending == 0)
                batch_reply(s, b);
}

bool ndjson_next_line(const char *body, size_t len, size_t *off,
                      const char **ret_line, size_t *ret_len) {
        while (*off < len) {
                const char *line = body + *off;
                const char *nl = memchr(line, '\n', len - *off);
                size_t n = nl ? (size_t) (nl - line) : len - *off;
                *off += n + (nl ? 1 : 0);

                while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                        n--;
                while (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
                        line++;
                        n--;
                }
                if (n > 0) {
                        *ret_line = line;
                        *ret_len = n;
                        return true;
                }
        }
        return false;
}

/* POST /v1/articles with an NDJSON body: every line is validated here;
 * the valid ones are queued together (or the batch is refused with 503). */
static void route_post_batch(struct server *s, struct evhttp_request *req, uint64_t t0) {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *body = len ? (const char *) evbuffer_pullup(in, -1) : "";
        struct job *jobs[MAX_BATCH_LINES];
        size_t n_jobs = 0;
        time_t now = time(NULL);

        struct batch *b = calloc(1, sizeof(*b));
        if (!b || !(b->results = calloc(MAX_BATCH_LINES, sizeof(json_t *)))) {
                free(b);
                reply_error(s, req, ROUTE_ARTICLES_POST, 500, "internal_error", NULL, "out of memory");
                return;
        }
        b->req = req;

        const char *line;
        size_t line_len;
        for (size_t off = 0; ndjson_next_line(body, len, &off, &line, &line_len);) {
                if (b->n >= MAX_BATCH_LINES) {
                        for (size_t i = 0; i < n_jobs; i++)
                                job_free(jobs[i]);
                        batch_free(b);
                        reply_error(s, req, ROUTE_ARTICLES_POST, 413, "too_large", NULL,
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
                        j->started_usec = t0;
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
                reply_error(s, req, ROUTE_ARTICLES_POST, 400, "invalid_json", NULL, "the batch holds no articles");
                return;
        }
        if (n_jobs > workers_capacity(s->workers)) {
                for (size_t i = 0; i < n_jobs; i++)
                        job_free(jobs[i]);
                batch_free(b);
                reply_error(s, req, ROUTE_ARTICLES_POST, 413, "too_large", NULL,
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
                        reply_error(s, req, ROUTE_ARTICLES_POST, 503, "overloaded", NULL,
                                    "the work queue cannot take this batch now; try again shortly");
                else
                        reply_error(s, req, ROUTE_ARTICLES_POST, 503, "shutting_down", NULL, "claimd is shutting down");
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

void route_post_article(struct server *s, struct evhttp_request *req, uint64_t t0) {
        struct api_error e;

        if (media_type(req) == MEDIA_NDJSON) {
                route_post_batch(s, req, t0);
                return;
        }
        json_t *o = request_read_json(s, req, ROUTE_ARTICLES_POST);
        if (!o)
                return;

        struct job *j = job_new(JOB_INGEST);
        if (!j) {
                json_decref(o);
                reply_error(s, req, ROUTE_ARTICLES_POST, 500, "internal_error", NULL, "out of memory");
                return;
        }
        j->body = o;
        j->req = req;
        j->started_usec = t0;
        if (article_validate(o, true, NULL, s->cfg.max_body_bytes, time(NULL), &j->article, &e) < 0) {
                job_free(j);
                reply_api_error(s, req, ROUTE_ARTICLES_POST, &e);
                return;
        }
        if (answer_duplicate(s, j))
                return;
        request_submit(s, req, ROUTE_ARTICLES_POST, j);
}

void route_post_compare(struct server *s, struct evhttp_request *req, uint64_t t0) {
        struct api_error e;
        json_t *o = request_read_json(s, req, ROUTE_COMPARE);
        if (!o)
                return;

        if (!json_is_object(o)) {
                json_decref(o);
                reply_error(s, req, ROUTE_COMPARE, 400, "invalid_json", NULL,
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
                        reply_error(s, req, ROUTE_COMPARE, 400, "invalid_field", shown, "unknown field '%s'", shown);
                        return;
                }
        for (const char *const *f = (const char *const[]) { "a", "b", NULL }; *f; f++) {
                json_t *x = json_object_get(o, *f);
                if (!x || json_is_null(x)) {
                        json_decref(o);
                        reply_error(s, req, ROUTE_COMPARE, 400, "missing_field", *f, "'%s' (an article) is required", *f);
                        return;
                }
                if (!json_is_object(x)) {
                        json_decref(o);
                        reply_error(s, req, ROUTE_COMPARE, 400, "invalid_field", *f, "'%s' must be an article object", *f);
                        return;
                }
        }

        struct job *j = job_new(JOB_COMPARE);
        if (!j) {
                json_decref(o);
                reply_error(s, req, ROUTE_COMPARE, 500, "internal_error", NULL, "out of memory");
                return;
        }
        j->body = o;
        j->req = req;
        j->started_usec = t0;
        time_t now = time(NULL);
        if (article_validate(json_object_get(o, "a"), false, "a.", s->cfg.max_body_bytes, now, &j->article, &e) < 0 ||
            article_validate(json_object_get(o, "b"), false, "b.", s->cfg.max_body_bytes, now, &j->other, &e) < 0) {
                job_free(j);
                reply_api_error(s, req, ROUTE_COMPARE, &e);
                return;
        }
        request_submit(s, req, ROUTE_COMPARE, j);
}
