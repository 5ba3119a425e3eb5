/* Reviews of conflicts (API.md, Review): PATCH /v1/conflicts/{id} and
 * GET /v1/conflicts/{id}/history are routes (routes.h); this is what the
 * loop thread does once the writer committed a review. */
#pragma once

struct job;
struct server;

/* The review is committed (j->status 200, j->reply the conflict): the
 * journal record, the feed caches, the event streams. */
void review_done(struct server *s, struct job *j);
