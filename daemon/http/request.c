/* See request.h. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/api.h"
#include "daemon/http/http.h"
#include "daemon/http/request.h"
#include "daemon/http/routes.h"
#include "daemon/http/validate.h"
#include "daemon/workers.h"

enum media request_media_type(struct evhttp_request *req) {
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

json_t *request_read_json(struct server *s, struct evhttp_request *req, const struct route *r) {
        struct api_error e;

        if (request_media_type(req) != MEDIA_JSON) {
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

void request_submit(struct server *s, struct evhttp_request *req, const struct route *r, struct job *j) {
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

struct job *request_job_new(struct server *s, struct evhttp_request *req, const struct route_call *c,
                            enum job_kind kind, json_t *body) {
        struct job *j = job_new(kind);
        if (!j) {
                json_decref(body);
                reply_error(s, req, c->route, 500, "internal_error", NULL, "out of memory");
                return NULL;
        }
        j->body = body;
        j->req = req;
        j->started_usec = c->t0;
        j->route = c->route;
        return j;
}
