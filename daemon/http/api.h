/* API errors and replies (API.md): every reply leaves through one of these
 * (or send_reply() for a body already built), exactly once per request,
 * counted in the metrics under its route, errors logged as a "request
 * rejected" record.  Loop thread only, except error_json(), which builds a
 * reply body on any thread. */
#pragma once

#include <stddef.h>

#include <event2/http.h>
#include <jansson.h>

struct route;
struct server;

/* A validation failure, as an API error. */
struct api_error {
        int status;
        const char *code;
        char field[80];
        char message[256];
};

/* {"error": {"code", "message", "field"}} as API.md defines it; field may be NULL. */
json_t *error_json(const char *code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Sends body (a reference it takes) with status.  r is the route that
 * answers, ROUTE_OTHER (routes.h) for a request no route took. */
void reply_json(struct server *s, struct evhttp_request *req, const struct route *r, int status, json_t *body);
/* A 200 reply whose JSON text is already serialized. */
void reply_json_text(struct server *s, struct evhttp_request *req, const struct route *r, const char *text,
                     size_t len);
void reply_error(struct server *s, struct evhttp_request *req, const struct route *r, int status,
                 const char *code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));
void reply_api_error(struct server *s, struct evhttp_request *req, const struct route *r,
                     const struct api_error *e);
/* Replies 503/500 for a store read that failed with r (not -ENOENT). */
void reply_store_error(struct server *s, struct evhttp_request *req, const struct route *rt, int r);
/* 405 with the Allow header. */
void reply_method_not_allowed(struct server *s, struct evhttp_request *req, const struct route *r,
                              const char *allow);

/* The "request rejected" journal record, at most 20 a second. */
void log_rejected(struct evhttp_request *req, const struct route *r, int status, const char *code,
                  const char *msg);

/* Tells the replies (and libevent's own error pages, see api.c) which
 * server they answer for; http_setup() calls it. */
void api_setup(struct server *s);
