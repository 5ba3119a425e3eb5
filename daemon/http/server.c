/* The evhttp server: setup and limits, the one request callback (framing
 * limits, the route table, methods, authentication, what a route needs),
 * the once-a-second tick, teardown.  Loop thread only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/clock.h"
#include "daemon/http/api.h"
#include "daemon/http/auth.h"
#include "daemon/http/conflicts.h"
#include "daemon/http/conn.h"
#include "daemon/http/reader.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/http/server.h"
#include "daemon/http/stream.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/workers.h"

/* Sums what the client sent in the request line and headers. */
static size_t header_bytes(struct evhttp_request *req) {
        struct evkeyvalq *h = evhttp_request_get_input_headers(req);
        const char *uri = evhttp_request_get_uri(req);
        size_t n = uri ? strlen(uri) + 16 : 16;
        for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next)
                n += strlen(kv->key) + strlen(kv->value) + 4;
        return n;
}

/* Checks what the route needs before its handler runs (see routes.h);
 * replies and returns false when the request cannot go on. */
static bool route_needs_met(struct server *s, struct evhttp_request *req, const struct route *r) {
        if (s->stopping) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
                reply_error(s, req, r, 503, "shutting_down", NULL, "claimd is shutting down");
                return false;
        }
        if ((r->needs & NEED_BODY) &&
            evbuffer_get_length(evhttp_request_get_input_buffer(req)) > s->cfg.max_body_bytes) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
                reply_error(s, req, r, 413, "too_large", NULL,
                            "the request body is larger than %zu bytes", s->cfg.max_body_bytes);
                return false;
        }
        if ((r->auth == AUTH_TOKEN || (r->auth == AUTH_READ && s->cfg.require_token_for_reads)) &&
            !http_authorized(s, req, r))
                return false;
        if ((r->needs & NEED_WRITER) && s->workers && workers_store_lost(s->workers)) {
                reply_error(s, req, r, 503, "store_unavailable", NULL,
                            "the database file was deleted or replaced while claimd ran: "
                            "writes are refused until claimd is restarted");
                return false;
        }
        if ((r->needs & NEED_READER) && !http_store_ready(s)) {
                reply_error(s, req, r, 503, "store_unavailable", NULL,
                            "the database cannot be read right now; try again later");
                return false;
        }
        return true;
}

/* The one evhttp callback: framing limits, then the route table. */
static void handle_request(struct evhttp_request *req, void *arg) {
        struct server *s = arg;
        uint64_t t0 = now_usec();
        const char *uri = evhttp_request_get_uri(req);

        reply_begin(req);
        if (uri && strlen(uri) > MAX_URI_BYTES) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
                reply_error(s, req, ROUTE_OTHER, 414, "too_large", NULL,
                            "the request URI is longer than %d bytes", MAX_URI_BYTES);
                return;
        }
        if (header_bytes(req) > s->cfg.max_header_bytes) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
                reply_error(s, req, ROUTE_OTHER, 431, "too_large", NULL,
                            "the request headers are larger than %zu bytes", s->cfg.max_header_bytes);
                return;
        }

        const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
        const char *path = u ? evhttp_uri_get_path(u) : NULL;
        if (!path || !*path) {
                reply_error(s, req, ROUTE_OTHER, 400, "invalid_request", NULL, "the request URI cannot be parsed");
                return;
        }

        struct route_call call = { .t0 = t0 };
        char allow[64];
        int k = route_match(path, evhttp_request_get_command(req), &call.route, &call.id, allow, sizeof(allow));
        if (k == -ENOENT) {
                reply_error(s, req, ROUTE_OTHER, 404, "not_found", NULL, "no such endpoint");
                return;
        }
        if (k < 0) {
                reply_method_not_allowed(s, req, call.route, allow);
                return;
        }
        if (!route_needs_met(s, req, call.route))
                return;
        if (call.id < 0) {
                char noun[32];
                reply_error(s, req, call.route, 404, "not_found", "id",
                            "no such %s: ids are positive decimal integers",
                            route_id_noun(call.route, noun, sizeof(noun)));
                return;
        }
        call.route->handler(s, req, &call);
}

/* Once a second: slow connections and hung-up long polls go, and every ten
 * seconds the status line of systemctl status is renewed. */
static void tick(evutil_socket_t fd, short what, void *arg) {
        struct server *s = arg;
        static unsigned ticks;

        conn_sweep((uint64_t) s->cfg.request_timeout_sec * 1000000u);
        pollers_reap(s);
        streams_reap(s);

        /* systemctl status shows this line */
        struct store_counts c;
        if (++ticks % 10 == 0 && !s->stopping && s->workers && http_store_ready(s) && store_counts(s->ro, &c) == 0)
                notify_status("Serving: %lld articles, %lld events, %lld conflicts; %zu requests in the queue, "
                              "%zu long polls", (long long) c.articles, (long long) c.events,
                              (long long) c.conflicts, workers_inflight(s->workers), s->n_pollers);
}

void http_apply_limits(struct server *s) {
        size_t body = s->cfg.max_body_bytes * HTTP_OUTER_CAP_FACTOR;
        size_t headers = s->cfg.max_header_bytes * HTTP_OUTER_HEADER_CAP_FACTOR;
        struct timeval tv = { .tv_sec = s->cfg.request_timeout_sec };

        evhttp_set_max_body_size(s->http, (ev_ssize_t) body);
        evhttp_set_max_headers_size(s->http, (ev_ssize_t) headers);
        evhttp_set_timeout_tv(s->http, &tv);
}

int http_setup(struct server *s) {
        api_setup(s);
        s->http = evhttp_new(s->base);
        s->out = evbuffer_new();
        if (!s->http || !s->out)
                return -ENOMEM;
        /* every method reaches handle_request, which answers 405 with Allow */
        evhttp_set_allowed_methods(s->http, 0xffff);     /* libevent 2.1 marks unknown methods 1 << 15 */
        /* oversize bodies are read to the end so the client sees the 413 */
        evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
        evhttp_set_default_content_type(s->http, "application/json");
        http_apply_limits(s);
        evhttp_set_gencb(s->http, handle_request, s);
        evhttp_set_bevcb(s->http, conn_new, s);
        if (conn_setup(s) < 0)
                return -errno;
        s->tick = event_new(s->base, -1, EV_PERSIST, tick, s);
        struct timeval tv = { 1, 0 };
        if (!s->tick || event_add(s->tick, &tv) < 0)
                return -ENOMEM;
        return streams_setup(s);
}

void http_release_waiting(struct server *s) {
        http_release_pollers(s);
        streams_end(s);
}

void http_free(struct server *s) {
        streams_free(s);
        if (s->tick)
                event_free(s->tick);
        s->tick = NULL;
        if (s->http)
                evhttp_free(s->http);
        conn_free_all();
        if (s->out)
                evbuffer_free(s->out);
        s->http = NULL;
        s->out = NULL;
}
