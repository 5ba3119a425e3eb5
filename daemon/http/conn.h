/* The connections evhttp serves, as claimd sees them (evhttp_set_bevcb):
 * each is a socket bufferevent under a filter that checks the request
 * framing on the raw bytes (framing.h) before evhttp parses them, and
 * a record of its state for the slow-client sweep and for shedding idle
 * connections when descriptors run out.  Loop thread only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "daemon/http/framing.h"

struct server;

/* The evhttp_set_bevcb() callback (arg: the struct server). */
struct bufferevent *conn_new(struct event_base *base, void *arg);

/* A request of this connection is being handled (the slow-client clock
 * stops) or was answered (it restarts).  Sets TCP_NODELAY once. */
void conn_request_begin(struct evhttp_request *req);
void conn_request_end(struct evhttp_request *req);

/* Why the framing filter refused this request's connection, or NULL. */
const struct http_framing_error *conn_refusal(struct evhttp_request *req);

/* Shuts down connections that have not delivered a whole request within
 * timeout_usec of accepting it or of their last reply.  evhttp's own
 * timeout restarts with every byte read, so a client sending one header
 * byte a second would hold its connection forever; while a request is
 * handled the clock stops (long polls wait up to a minute). */
void conn_sweep(uint64_t timeout_usec);

/* The evconnlistener error callback (arg: evhttp's, unused): accept()
 * failed with EMFILE/ENFILE (or another error).  Pauses accepting
 * briefly, answers one waiting client 503 through a reserve descriptor,
 * closes the oldest idle connections, logs at most every few seconds. */
void conn_accept_error(struct evconnlistener *lev, void *arg);

/* Opens the reserve descriptor and the resume timer; 0 or a negative errno. */
int conn_setup(struct server *s);
void conn_free_all(void);

/* Connections open. */
size_t conn_count(void);
