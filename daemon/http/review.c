/* The review routes: PATCH /v1/conflicts/{id} (validated here on the loop
 * thread, written by the writer thread like an article, answered from
 * http_job_done()) and GET /v1/conflicts/{id}/history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "daemon/http/api.h"
#include "daemon/http/conflicts.h"
#include "daemon/http/http.h"
#include "daemon/http/request.h"
#include "daemon/http/review.h"
#include "daemon/http/routes.h"
#include "daemon/http/stream.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/workers.h"

/* Code points in a valid UTF-8 string (jansson has checked it). */
static size_t code_points(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char) *s & 0xc0) != 0x80;
        return n;
}

static bool has_control(const char *s, bool newlines_ok) {
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if ((c < 0x20 && !(newlines_ok && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
                        return true;
        }
        return false;
}

/* Checks an optional string field: absent or null leaves *ret NULL. */
static int optional_text(json_t *o, const char *name, size_t max_chars, bool newlines_ok,
                         const char **ret, struct api_error *e) {
        json_t *v = json_object_get(o, name);
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        snprintf(e->field, sizeof(e->field), "%s", name);
        e->status = 400;
        e->code = "invalid_field";
        if (!json_is_string(v)) {
                snprintf(e->message, sizeof(e->message), "'%s' must be a string", name);
                return -EINVAL;
        }
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v) || has_control(s, newlines_ok)) {
                snprintf(e->message, sizeof(e->message), "'%s' must not hold control characters%s", name,
                         newlines_ok ? " other than newlines and tabs" : "");
                return -EINVAL;
        }
        if (code_points(s) > max_chars) {
                snprintf(e->message, sizeof(e->message), "'%s' is longer than %zu characters", name, max_chars);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

/* Validates a PATCH body (API.md, Review) into *r.  0 or -EINVAL with *e. */
static int review_validate(json_t *o, struct review_request *r, struct api_error *e) {
        const char *key;
        json_t *v;

        memset(e, 0, sizeof(*e));
        if (!json_is_object(o)) {
                *e = (struct api_error) { .status = 400, .code = "invalid_json" };
                snprintf(e->message, sizeof(e->message),
                         "the body must be a JSON object {\"status\": \"confirmed\" | \"dismissed\" | \"open\", ...}");
                return -EINVAL;
        }
        json_object_foreach(o, key, v)
                if (strcmp(key, "status") != 0 && strcmp(key, "note") != 0 && strcmp(key, "reviewer") != 0) {
                        *e = (struct api_error) { .status = 400, .code = "invalid_field" };
                        snprintf(e->field, sizeof(e->field), "%.60s", key);
                        snprintf(e->message, sizeof(e->message),
                                 "unknown field '%.60s' (a review has status, note and reviewer)", key);
                        return -EINVAL;
                }
        v = json_object_get(o, "status");
        if (!v || json_is_null(v)) {
                *e = (struct api_error) { .status = 400, .code = "missing_field", .field = "status" };
                snprintf(e->message, sizeof(e->message), "'status' (confirmed, dismissed or open) is required");
                return -EINVAL;
        }
        /* a \u0000 inside would end the C string early: "open\u0000x" is no status */
        r->status = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) ?
                review_status_from_string(json_string_value(v)) : NULL;
        if (!r->status) {
                *e = (struct api_error) { .status = 400, .code = "invalid_field", .field = "status" };
                snprintf(e->message, sizeof(e->message), "'status' must be \"confirmed\", \"dismissed\" or \"open\"");
                return -EINVAL;
        }
        if (optional_text(o, "note", MAX_REVIEW_NOTE_CHARS, true, &r->note, e) < 0 ||
            optional_text(o, "reviewer", MAX_REVIEWER_CHARS, false, &r->reviewer, e) < 0)
                return -EINVAL;
        return 0;
}

void route_patch_conflict(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        struct api_error e;
        json_t *o = request_read_json(s, req, c->route);
        if (!o)
                return;

        struct job *j = request_job_new(s, req, c, JOB_REVIEW, o);
        if (!j)
                return;
        j->review.conflict_id = c->id;
        j->review.at = time(NULL);
        if (review_validate(o, &j->review, &e) < 0) {
                job_free(j);
                reply_api_error(s, req, c->route, &e);
                return;
        }
        request_submit(s, req, c->route, j);
}

void review_done(struct server *s, struct job *j) {
        const struct review_request *r = &j->review;
        char f_id[48], f_status[48], f_reviewer[MAX_REVIEWER_CHARS * 4 + 32];
        const char *fields[] = { f_id, f_status, f_reviewer, NULL };

        snprintf(f_id, sizeof(f_id), "CLAIMD_CONFLICT_ID=%lld", (long long) r->conflict_id);
        snprintf(f_status, sizeof(f_status), "CLAIMD_REVIEW_STATUS=%s", r->status);
        snprintf(f_reviewer, sizeof(f_reviewer), "CLAIMD_REVIEWER=%s", r->reviewer ? r->reviewer : "");
        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_REVIEWED, fields, "conflict %lld reviewed: %s%s%s%s",
                   (long long) r->conflict_id, r->status, r->reviewer ? " by " : "", r->reviewer ? r->reviewer : "",
                   r->note ? " (with a note)" : "");
        conflicts_changed();
        streams_review(s, j->reply);
}

void route_conflict_history(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        json_t *o = NULL;
        int k = store_conflict_history_json(s->ro, c->id, &o);
        if (k == 0)
                reply_json(s, req, c->route, 200, o);
        else if (k == -ENOENT)
                reply_error(s, req, c->route, 404, "not_found", NULL, "no conflict with id %lld",
                            (long long) c->id);
        else
                reply_store_error(s, req, c->route, k);
}
