/* The conflict feed's state on the loop thread: the cache of serialized
 * answers and the parked long polls (GET /v1/conflicts?wait=S). */
#pragma once

#include <stdint.h>

struct server;

/* Invalidates the cached conflict lists: new conflicts were committed. */
void conflicts_changed(void);

/* Wakes parked long polls after conflicts up to max_id were committed. */
void pollers_wake(struct server *s, int64_t max_id);

/* Forgets parked long polls whose clients hung up (called once a second). */
void pollers_reap(struct server *s);

/* Answers every parked long poll now (at shutdown). */
void http_release_pollers(struct server *s);
