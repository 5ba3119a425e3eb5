/* The one place a reply leaves (send_reply()), and what holds between a
 * request's start and its reply: the connection's slow-client clock
 * stopped (conn.h) and, on libevent 2.1.6 .. 2.2.0, reading paused.  Loop
 * thread only. */
#pragma once

#include <event2/http.h>

struct evbuffer;

/* The reason phrase of an HTTP status. */
const char *http_status_reason(int status);

/* Marks the start of handling req. */
void reply_begin(struct evhttp_request *req);

/* evhttp_send_reply() with the end of what reply_begin() started; a HEAD
 * reply gets the headers (and the length) of its GET without the body. */
void send_reply(struct evhttp_request *req, int status, struct evbuffer *body);
