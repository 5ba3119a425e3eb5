/* POST /v1/articles as an NDJSON batch: one job per valid line; the reply
 * (one result per line, in order) goes out when the last job is done. */
#pragma once

#include <stddef.h>

#include <event2/http.h>
#include <jansson.h>

struct job;
struct route;
struct server;

struct batch {
        struct evhttp_request *req;
        const struct route *route;
        size_t n, pending;
        json_t **results;
};

void batch_free(struct batch *b);

/* Sends the batch reply: one JSON result per line, each with "status";
 * frees b. */
void batch_reply(struct server *s, struct batch *b);

/* A result line: the single-article reply (or error) plus its status. */
json_t *batch_result(json_t *reply, int status);

/* Records a finished batch line; replies when it was the last one. */
void batch_line_done(struct server *s, struct job *j);
