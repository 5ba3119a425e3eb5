/* See reply.h. */
#include <stdbool.h>
#include <stdio.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/conn.h"
#include "daemon/http/reply.h"

const char *http_status_reason(int status) {
        switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Payload Too Large";
        case 414: return "URI Too Long";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return status < 400 ? "OK" : "Error";
        }
}

/* libevent 2.1.6 .. 2.2.0 frees a request whose client closes the
 * connection while the reply is still being computed, so a later reply
 * would touch freed memory.  Like Bitcoin Core's httpserver.cpp, reading is
 * disabled while a request is handled and enabled again after the reply. */
static bool needs_read_workaround(void) {
        ev_uint32_t v = event_get_version_number();
        return v >= 0x02010600 && v < 0x02020001;
}

static void pause_reading(struct evhttp_request *req) {
        struct evhttp_connection *conn = evhttp_request_get_connection(req);
        struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
        if (bev && needs_read_workaround())
                bufferevent_disable(bev, EV_READ);
}

void reply_begin(struct evhttp_request *req) {
        pause_reading(req);
        conn_request_begin(req);
}

void send_reply(struct evhttp_request *req, int status, struct evbuffer *body) {
        conn_request_end(req);
        if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD && body) {
                /* headers only, with the length the GET would have: evhttp
                 * adds none to a HEAD reply, and writes whatever body it is
                 * given, which a kept-alive client would read as the start
                 * of the next response */
                char n[32];
                snprintf(n, sizeof(n), "%zu", evbuffer_get_length(body));
                evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", n);
                evbuffer_drain(body, evbuffer_get_length(body));
        }
        evhttp_send_reply(req, status, http_status_reason(status), body);
        struct evhttp_connection *conn = evhttp_request_get_connection(req);
        struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
        if (bev && needs_read_workaround())
                bufferevent_enable(bev, EV_READ | EV_WRITE);
}
