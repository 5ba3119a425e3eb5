/* The route table (after Bitcoin Core's httpserver.cpp pathHandlers): one
 * row per path and method set, with its handler and what it needs before
 * the handler runs.  server.c matches a request against it, answers 404 and
 * 405 (with Allow) itself, checks the row's needs, and calls the handler.
 * Adding an endpoint is one row in routes.c and its handler. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

struct server;
struct route;

/* What the handler of a matched request gets. */
struct route_call {
        const struct route *route;      /* the row: pass it to the reply functions */
        int64_t id;                     /* the {id} of the path (a positive integer), or 0 */
        uint64_t t0;                    /* when the request arrived (now_usec()) */
};

typedef void route_handler(struct server *s, struct evhttp_request *req, const struct route_call *c);

/* Methods a row takes; M_GET takes HEAD too. */
enum {
        M_GET = 1 << 0,
        M_POST = 1 << 1,
        M_PUT = 1 << 2,
        M_PATCH = 1 << 3,
        M_DELETE = 1 << 4,
};

/* Who may call a row, when a token is configured. */
enum route_auth {
        AUTH_TOKEN,     /* always the bearer token */
        AUTH_READ,      /* the token when require_token_for_reads is set */
        AUTH_NONE,      /* anyone (/healthz) */
};

/* What a row needs before its handler runs. */
enum {
        NEED_BODY = 1 << 0,     /* reads a body: 413 beyond max_body_bytes */
        NEED_WRITER = 1 << 1,   /* 503 once the writer lost its database file */
        NEED_READER = 1 << 2,   /* 503 while the read-only connection cannot be opened */
};

struct route {
        /* The path; one "{id}" stands for a positive decimal id (any other
         * text there is a 404 naming the id).  Rows are tried in order and
         * the first path that matches decides: put fixed paths above the
         * {id} paths they would also match. */
        const char *path;
        unsigned methods;
        route_handler *handler;
        enum route_auth auth;
        unsigned needs;
        /* Optional, for a set of paths no pattern spells (the dashboard's
         * files): the row takes the paths this accepts, and path is only
         * its label. */
        bool (*matches)(const char *path);
        const char *name;       /* optional metrics label instead of "METHOD path" */
};

/* A request no row took (unknown path, framing errors): metrics "other". */
#define ROUTE_OTHER ((const struct route *) NULL)

/* Finds the row for path and method m.  Returns 0 and fills *ret and
 * *ret_id (0 when the path has no {id}, -1 when its {id} is not a valid
 * id); -ENOENT when no path matches; -EPERM when the path matches but not
 * the method: *ret is then the path's first row and allow (of size n) lists
 * the methods it takes, for the Allow header. */
int route_match(const char *path, enum evhttp_cmd_type m, const struct route **ret, int64_t *ret_id,
                char *allow, size_t n);

/* Does path match the row path pattern?  The text standing for "{id}"
 * goes to *ret_id (and its length to *ret_n; NULL and 0 for a pattern
 * without one); it may be empty, and without a suffix after "{id}" it is
 * the whole rest of the path, so that "/v1/articles/" and
 * "/v1/articles/1/2" name an invalid id rather than no endpoint. */
bool route_path_matches(const char *pattern, const char *path, const char **ret_id, size_t *ret_n);

/* What the {id} of r's path names, for "no such article": "article". */
const char *route_id_noun(const struct route *r, char *buf, size_t n);

/* "GET /v1/articles/{id}" (the metrics label), "other" for ROUTE_OTHER. */
const char *route_name(const struct route *r);
/* 0 .. the number of rows - 1, and ROUTES_MAX for ROUTE_OTHER. */
size_t route_index(const struct route *r);
/* route_name() of the row at index i (ROUTES_MAX: "other"), NULL past the rows. */
const char *route_name_at(size_t i);

/* The handlers (articles.c, reads.c, conflicts.c, review.c, stream.c, web.c). */
route_handler route_post_article;
route_handler route_post_compare;
route_handler route_get_article;
route_handler route_get_conflict;
route_handler route_get_event;
route_handler route_list_conflicts;
route_handler route_stream;
route_handler route_patch_conflict;
route_handler route_conflict_history;
route_handler route_list_events;
route_handler route_healthz;
route_handler route_metrics;
route_handler route_dashboard;

/* The dashboard row's matcher: is there a built-in file at path? (web.c) */
bool web_asset_exists(const char *path);
