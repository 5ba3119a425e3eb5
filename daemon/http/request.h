/* What every write route starts with: the media type, the JSON body, and
 * queueing its job. */
#pragma once

#include <event2/http.h>
#include <jansson.h>

#include "daemon/workers.h"

struct route;
struct route_call;
struct server;

enum media { MEDIA_OTHER, MEDIA_JSON, MEDIA_NDJSON };

/* Classifies Content-Type: application/json or application/x-ndjson (also
 * application/jsonl), with an optional charset that must be UTF-8. */
enum media request_media_type(struct evhttp_request *req);

/* The start of every JSON write route: Content-Type application/json
 * (else 415) and a parsed body (else 400); NULL after replying. */
json_t *request_read_json(struct server *s, struct evhttp_request *req, const struct route *r);

/* Queues j (whose reply comes from http_job_done()); replies 503 and frees
 * j when the queue is full or claimd is stopping. */
void request_submit(struct server *s, struct evhttp_request *req, const struct route *r, struct job *j);

/* A job of kind for the request c answers, owning body; NULL after
 * replying 500 (body is released then too). */
struct job *request_job_new(struct server *s, struct evhttp_request *req, const struct route_call *c,
                            enum job_kind kind, json_t *body);
