/* The filters of GET /v1/conflicts and of its event stream, from the
 * query string. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <event2/http.h>

#include "daemon/store.h"

struct route;
struct server;

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
int conflicts_query_parse(struct server *s, struct evhttp_request *req, const struct route *r, struct conflict_query *q);
