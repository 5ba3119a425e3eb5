/* The HTTP server main.c drives: evhttp on the event loop thread with the
 * limits of the configuration, the one request callback that goes through
 * the route table (routes.h), and a once-a-second tick.  The listeners are
 * in listen.h, the replies to finished jobs in jobs.h, the replies in
 * api.h. */
#pragma once

#include "daemon/http/http.h"

/* Creates the evhttp server on s->base with the limits of s->cfg. */
int http_setup(struct server *s);
/* Re-applies body/header size limits and timeouts from s->cfg. */
void http_apply_limits(struct server *s);
/* Answers every parked long poll now and ends the event streams (at
 * shutdown). */
void http_release_waiting(struct server *s);
void http_free(struct server *s);
