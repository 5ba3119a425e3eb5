/* The HTTP front: evhttp on the event loop thread, its hard limits, the
 * routes of API.md, JSON replies and errors, long polls, and the server
 * state main.c drives (listeners, reload, shutdown). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "daemon/config.h"
#include "daemon/metrics.h"
#include "daemon/store.h"
#include "daemon/workers.h"

struct poller;

struct server {
        struct event_base *base;
        struct evhttp *http;
        struct config cfg;                      /* the configuration in force */
        char *token;                            /* NULL: no token configured */
        size_t token_len;
        struct store *ro;                       /* read-only connection, loop thread */
        struct workers *workers;
        struct evhttp_bound_socket *sockets[MAX_LISTEN_ADDRESSES * 2 + 16];
        size_t n_sockets;
        bool socket_activated;
        bool stopping;
        struct poller *pollers;                 /* parked long polls */
        size_t n_pollers;
        struct evbuffer *out;                   /* reused reply buffer */
        struct webhook *webhook;                /* NULL: no [webhook] url */
};

/* A validation failure, as an API error. */
struct api_error {
        int status;
        const char *code;
        char field[80];
        char message[256];
};

/* An NDJSON batch POST /v1/articles: one job per valid line; the reply
 * (one result per line, in order) goes out when the last job is done. */
struct batch {
        struct evhttp_request *req;
        size_t n, pending;
        json_t **results;
};

/* Records a finished batch line; replies when it was the last one. */
void batch_line_done(struct server *s, struct job *j);

/* Creates the evhttp server on s->base with the limits of s->cfg. */
int http_setup(struct server *s);
/* Re-applies body/header size limits and timeouts from s->cfg. */
void http_apply_limits(struct server *s);
/* Binds s->cfg.listen (or takes the sockets systemd passed).  Logs and
 * returns a negative errno on failure. */
int http_listen(struct server *s);
/* The first listener in force that is not on a loopback address, written
 * into buf, or NULL: a configuration without a token must not be applied
 * while there is one (unless allow_remote). */
const char *http_remote_listener(struct server *s, char *buf, size_t size);
/* Stops accepting new connections. */
void http_close_listeners(struct server *s);
/* Forgets parked long polls whose clients hung up (called once a second). */
void pollers_reap(struct server *s);
/* Answers every parked long poll now and ends the event streams (at shutdown). */
void http_release_pollers(struct server *s);
void http_free(struct server *s);

/* A committed review: journal record, caches, event streams (routes-review.c). */
void review_done(struct server *s, struct job *j);

/* The done callback for workers_new(): replies and logs on the loop thread. */
void http_job_done(struct job *j, void *userdata);

/* Reads the API token from path: the first line, surrounding whitespace
 * removed.  Returns 0, -ENODATA when the file is empty (or blank), or
 * another negative errno, with a message in err. */
int token_load(const char *path, char **ret, size_t *ret_len, char *err, size_t errsize);

/* Request validation, shared with the fuzz targets. */
/* Parses a JSON request body: UTF-8 checked first (invalid_utf8), then
 * jansson with duplicate keys rejected (invalid_json).  Returns a new
 * reference or NULL with *e filled. */
json_t *request_parse_json(const char *body, size_t len, struct api_error *e);
/* Validates one article object (API.md) and points *ret's strings into o.
 * prefix names the object in error fields ("a." in compare).  Returns 0 or
 * -EINVAL with *e filled. */
int article_validate(json_t *o, bool source_required, const char *prefix, size_t max_text,
                     time_t received, struct article_request *ret, struct api_error *e);
/* Cuts the next non-blank line of an NDJSON body from *off on, advancing
 * *off past it: returns true with the line, spaces, tabs and a CR around it
 * removed, in *ret_line and *ret_len; false when only blank lines remain. */
bool ndjson_next_line(const char *body, size_t len, size_t *off,
                      const char **ret_line, size_t *ret_len);

/* The start of every JSON write route: Content-Type application/json
 * (else 415) and a parsed body (else 400); NULL after replying. */
json_t *request_read_json(struct server *s, struct evhttp_request *req, enum route r);
/* Queues j (whose reply comes from http_job_done()); replies 503 and frees
 * j when the queue is full or claimd is stopping. */
void request_submit(struct server *s, struct evhttp_request *req, enum route r, struct job *j);

/* Route handlers (http.c dispatches to these). */
void route_post_article(struct server *s, struct evhttp_request *req, uint64_t t0);
void route_post_compare(struct server *s, struct evhttp_request *req, uint64_t t0);
void route_get_article(struct server *s, struct evhttp_request *req, int64_t id);
void route_get_conflict(struct server *s, struct evhttp_request *req, int64_t id);
void route_get_event(struct server *s, struct evhttp_request *req, int64_t id);
void route_list_conflicts(struct server *s, struct evhttp_request *req);
void route_list_events(struct server *s, struct evhttp_request *req);
void route_healthz(struct server *s, struct evhttp_request *req);
void route_metrics(struct server *s, struct evhttp_request *req);
void route_patch_conflict(struct server *s, struct evhttp_request *req, int64_t id, uint64_t t0);
void route_conflict_history(struct server *s, struct evhttp_request *req, int64_t id);

/* Reply helpers: each sends exactly one reply, counts it in the metrics
 * under route r, and (for errors) logs a "request rejected" record. */
void reply_json(struct server *s, struct evhttp_request *req, enum route r, int status, json_t *body);
void reply_error(struct server *s, struct evhttp_request *req, enum route r, int status,
                 const char *code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));
/* A 200 reply whose JSON text is already serialized. */
void reply_json_text(struct server *s, struct evhttp_request *req, enum route r, const char *text, size_t len);
void reply_api_error(struct server *s, struct evhttp_request *req, enum route r, const struct api_error *e);
/* Replies 503/500 for a store read that failed with r (not -ENOENT). */
void reply_store_error(struct server *s, struct evhttp_request *req, enum route rt, int r);

/* evhttp_send_reply() plus the libevent 2.1 read workaround (http.c). */
void send_reply(struct evhttp_request *req, int status, struct evbuffer *body);

/* Returns true when the read-only connection is open (reopening it when a
 * fault closed it). */
bool http_store_ready(struct server *s);

/* The query of GET /v1/conflicts and of the stream: since, limit, event,
 * source, kind, min_score, status and (when allow_wait) wait. */
struct conflict_query {
        struct conflict_filter f;       /* f.source points to source */
        char *source;                   /* malloc'ed, or NULL: the caller frees it */
        int64_t wait;
        bool since_given;
        bool allow_wait;                /* set by the caller */
};
/* Parses req's query into *q; replies 400 and returns -EINVAL (or -ENOMEM
 * after a 500) when it is bad, and frees nothing on success. */
int conflicts_query_parse(struct server *s, struct evhttp_request *req, enum route r, struct conflict_query *q);

/* Invalidates the cached conflict lists: new conflicts were committed. */
void conflicts_changed(void);

/* Wakes parked long polls after conflicts up to max_id were committed. */
void pollers_wake(struct server *s, int64_t max_id);

uint64_t now_usec(void);
