/* The query string of the list routes: the parameters they know, and the
 * page (since, limit) both lists take.  Each parser replies 400 itself on
 * bad input and returns -EINVAL. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

struct route;
struct server;

/* Query parameters by name; a value is NULL when absent. */
enum {
        Q_SINCE, Q_LIMIT, Q_WAIT, Q_EVENT, Q_SOURCE, Q_KIND, Q_MIN_SCORE, Q_STATUS, Q_BEFORE, _Q_MAX,
};

struct query {
        struct evkeyvalq kv;
        const char *v[_Q_MAX];
};

/* Parses the query string; unknown parameters are ignored, repeated known
 * ones are an error.  Returns 0 (free q->kv with evhttp_clear_headers()),
 * or replies 400 and returns -EINVAL. */
int query_parse(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q);

/* Replies 400 for parameter name, which must be `what`; frees q and
 * returns -EINVAL. */
int bad_param(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q,
              const char *name, const char *what);

/* since and limit, shared by both lists. */
int parse_page(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q,
               int64_t *since, int *limit);
