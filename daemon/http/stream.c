/* See stream.h.  Everything here runs on the event loop thread.
 *
 * A stream is either replaying (it reads the store itself, one page at a
 * time, and asks evhttp to call back when the page has left; live events
 * pass it by, the store has them) or live (it is caught up: the broadcast
 * of new conflicts reaches it).  cursor is the highest conflict id the
 * stream has sent or read past, so that nothing is sent twice when the
 * replay and the broadcast overlap.  broadcast_cursor is the highest id
 * the broadcast has handled: everything up to it is in the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/conflict.h"
#include "daemon/http/api.h"
#include "daemon/http/filter.h"
#include "daemon/http/http.h"
#include "daemon/http/reader.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/http/sse.h"
#include "daemon/http/stream.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

struct stream {
        struct server *s;
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct conflict_filter f;
        char *source;
        int64_t cursor;
        bool replaying;
        bool page_in_flight;    /* a replay page waits for evhttp's "sent" callback */
        bool close_pending;     /* closed from a callback: stream_later() frees it */
        struct event *later;    /* runs the next replay page (or the close) outside evhttp's callbacks */
        struct stream *prev, *next;
};

static struct stream *streams;
static size_t n_streams;
static uint64_t n_dropped_slow;
static int64_t broadcast_cursor;
static struct event *keepalive_ev;
static struct evbuffer *chunk;          /* reused: evhttp_send_reply_chunk() empties it */

size_t streams_count(void) {
        return n_streams;
}

uint64_t streams_dropped_slow(void) {
        return n_dropped_slow;
}

static size_t unsent_bytes(struct stream *st) {
        struct bufferevent *bev = evhttp_connection_get_bufferevent(st->conn);
        return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void stream_unlink(struct stream *st) {
        if (st->prev)
                st->prev->next = st->next;
        else
                streams = st->next;
        if (st->next)
                st->next->prev = st->prev;
        n_streams--;
        if (st->later)
                event_free(st->later);
        free(st->source);
        free(st);
}

/* The client went away, or evhttp gave up on the connection (write
 * timeout).  When evhttp failed the connection under an unfinished reply
 * it has detached the request from it and left it to us (libevent 2.1,
 * evhttp_connection_incoming_fail()): free it then.  Otherwise (evhttp_free()
 * at exit) the connection still holds the request and frees it. */
static void stream_closed(struct evhttp_connection *conn, void *arg) {
        struct stream *st = arg;
        struct evhttp_request *req = st->req;
        stream_unlink(st);
        if (!evhttp_request_get_connection(req))
                evhttp_request_free(req);
}

/* Ends a stream.  graceful: the chunked reply is ended properly (at
 * shutdown); otherwise the connection is dropped with whatever it has not
 * sent (a slow reader).  Never call this from inside an evhttp callback of
 * st's own connection. */
static void stream_close(struct stream *st, bool graceful) {
        struct evhttp_connection *conn = st->conn;
        struct evhttp_request *req = st->req;

        evhttp_connection_set_closecb(conn, NULL, NULL);
        stream_unlink(st);
        if (graceful)
                evhttp_send_reply_end(req);
        else
                evhttp_connection_free(conn);
}

/* Sends what is in `chunk` on st; drops st when its unsent output passes
 * the limit.  Returns false when st was closed. */
static bool stream_send(struct stream *st) {
        size_t limit = st->s->cfg.stream_max_unsent_bytes;

        if (unsent_bytes(st) + evbuffer_get_length(chunk) > limit) {
                evbuffer_drain(chunk, evbuffer_get_length(chunk));
                n_dropped_slow++;
                log_info("closing an event stream whose client does not read: more than %zu bytes unsent "
                         "(it resumes from its last id when it reconnects)", limit);
                stream_close(st, false);
                return false;
        }
        evhttp_send_reply_chunk(st->req, chunk);
        return true;
}

/* Does conflict c pass filter f?  Status is not compared when
 * ignore_status (review events: a conflict leaving the filtered status is
 * news for that client). */
static bool conflict_matches(const struct conflict_filter *f, json_t *c, bool ignore_status) {
        if (f->event_id > 0 && json_integer_value(json_object_get(c, "event_id")) != f->event_id)
                return false;
        if (f->kind >= 0) {
                const char *k = json_string_value(json_object_get(c, "kind"));
                if (!k || strcmp(k, conflict_kind_to_string((enum conflict_kind) f->kind)) != 0)
                        return false;
        }
        if (f->min_score > 0 && json_number_value(json_object_get(c, "score")) < f->min_score)
                return false;
        if (f->status && !ignore_status) {
                const char *st = json_string_value(json_object_get(c, "status"));
                if (!st || strcmp(st, f->status) != 0)
                        return false;
        }
        if (f->source) {
                json_t *claims = json_object_get(c, "claims");
                bool found = false;
                for (size_t i = 0; i < json_array_size(claims) && !found; i++) {
                        const char *so = json_string_value(json_object_get(json_array_get(claims, i), "source"));
                        found = so && strcmp(so, f->source) == 0;
                }
                if (!found)
                        return false;
        }
        return true;
}

/* Appends conflict c as an SSE event (with its id when id_line) to buf. */
static int append_conflict(struct evbuffer *buf, const char *event, json_t *c, bool id_line) {
        char *text = json_dumps(c, JSON_COMPACT | JSON_REAL_PRECISION(6));
        if (!text)
                return -ENOMEM;
        int64_t id = json_integer_value(json_object_get(c, "id"));
        int r = sse_append_event(buf, id_line ? id : 0, event, text, strlen(text));
        free(text);
        return r;
}

static void page_sent(struct evhttp_connection *conn, void *arg);

/* Replays the next page of st's backlog from the store.  When the page is
 * short, st is caught up and goes live. */
static void stream_replay_page(struct stream *st) {
        struct server *s = st->s;
        struct conflict_filter f = st->f;
        json_t *o = NULL;

        f.since = st->cursor;
        f.limit = STREAM_REPLAY_PAGE;
        int r = http_store_ready(s) ? store_list_conflicts_json(s->ro, &f, &o) : -EIO;
        if (r < 0) {
                log_warning("event stream replay failed: %s; closing the stream (the client resumes)",
                            strerror(-r));
                stream_close(st, true);
                return;
        }
        json_t *list = json_object_get(o, "conflicts"), *c;
        size_t i;
        json_array_foreach(list, i, c) {
                if (append_conflict(chunk, "conflict", c, true) < 0)
                        break;
                st->cursor = json_integer_value(json_object_get(c, "id"));
        }
        bool done = json_array_size(list) < (size_t) STREAM_REPLAY_PAGE;
        json_decref(o);
        if (done) {
                st->replaying = false;
                if (st->cursor < broadcast_cursor)
                        st->cursor = broadcast_cursor;
                if (evbuffer_get_length(chunk) > 0)
                        stream_send(st);
                return;
        }
        st->page_in_flight = true;
        evhttp_send_reply_chunk_with_cb(st->req, chunk, page_sent, st);
}

/* evhttp wrote the last replay page out: the next one runs from the
 * stream's own event, outside evhttp's write callback. */
static void page_sent(struct evhttp_connection *conn, void *arg) {
        struct stream *st = arg;
        st->page_in_flight = false;
        event_active(st->later, EV_TIMEOUT, 1);
}

static void stream_later(evutil_socket_t fd, short what, void *arg) {
        struct stream *st = arg;
        if (st->replaying && !st->page_in_flight)
                stream_replay_page(st);
}

void streams_reap(struct server *s) {
        struct stream *st, *next;
        for (st = streams; st; st = next) {
                next = st->next;
                struct bufferevent *bev = evhttp_connection_get_bufferevent(st->conn);
                evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
                char c;
                ssize_t n = fd >= 0 ? recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) : 1;
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                        stream_close(st, false);
        }
}

static void keepalive_cb(evutil_socket_t fd, short what, void *arg) {
        struct stream *st, *next;
        for (st = streams; st; st = next) {
                next = st->next;
                if (st->page_in_flight)
                        continue;       /* data is moving; the callback must stay set */
                if (sse_append_comment(chunk, "keep-alive") == 0)
                        stream_send(st);
        }
}

int streams_setup(struct server *s) {
        struct timeval tv = { STREAM_KEEPALIVE_SEC, 0 };

        chunk = evbuffer_new();
        keepalive_ev = event_new(s->base, -1, EV_PERSIST, keepalive_cb, s);
        if (!chunk || !keepalive_ev || event_add(keepalive_ev, &tv) < 0)
                return -ENOMEM;
        return 0;
}

void streams_end(struct server *s) {
        while (streams)
                stream_close(streams, true);
}

void streams_free(struct server *s) {
        streams_end(s);
        if (keepalive_ev)
                event_free(keepalive_ev);
        keepalive_ev = NULL;
        if (chunk)
                evbuffer_free(chunk);
        chunk = NULL;
}

void streams_conflicts(struct server *s, int64_t max_id) {
        if (max_id <= broadcast_cursor)
                return;
        if (!streams || !http_store_ready(s)) {
                broadcast_cursor = max_id;
                return;
        }
        while (broadcast_cursor < max_id) {
                struct conflict_filter f = { .since = broadcast_cursor, .limit = LIST_LIMIT_MAX, .kind = -1 };
                json_t *o = NULL;
                int r = store_list_conflicts_json(s->ro, &f, &o);
                if (r < 0) {
                        log_warning("event streams: reading new conflicts failed: %s", strerror(-r));
                        broadcast_cursor = max_id;      /* replays of reconnecting clients have them */
                        return;
                }
                json_t *list = json_object_get(o, "conflicts"), *c;
                size_t i;
                json_array_foreach(list, i, c) {
                        int64_t id = json_integer_value(json_object_get(c, "id"));
                        struct evbuffer *frame = evbuffer_new();
                        if (!frame || append_conflict(frame, "conflict", c, true) < 0) {
                                if (frame)
                                        evbuffer_free(frame);
                                continue;
                        }
                        struct stream *st, *next;
                        for (st = streams; st; st = next) {
                                next = st->next;
                                if (st->replaying || st->cursor >= id || !conflict_matches(&st->f, c, false))
                                        continue;
                                st->cursor = id;
                                evbuffer_add_buffer_reference(chunk, frame);
                                stream_send(st);
                        }
                        evbuffer_free(frame);
                        broadcast_cursor = id;
                }
                bool short_page = json_array_size(list) < LIST_LIMIT_MAX;
                json_decref(o);
                if (short_page)
                        break;
        }
        if (broadcast_cursor < max_id)
                broadcast_cursor = max_id;
}

void streams_review(struct server *s, json_t *c) {
        struct evbuffer *frame = evbuffer_new();
        if (!frame || append_conflict(frame, "review", c, false) < 0) {
                if (frame)
                        evbuffer_free(frame);
                return;
        }
        struct stream *st, *next;
        for (st = streams; st; st = next) {
                next = st->next;
                if (st->replaying || !conflict_matches(&st->f, c, true))
                        continue;
                evbuffer_add_buffer_reference(chunk, frame);
                stream_send(st);
        }
        evbuffer_free(frame);
}

/* Opens the stream: headers, the retry hint, then the replay. */
static void stream_open(struct server *s, struct evhttp_request *req, const struct route *r,
                        struct conflict_query *q, int64_t since, bool replay) {
        struct stream *st = calloc(1, sizeof(*st));
        if (!st) {
                free(q->source);
                reply_error(s, req, r, 500, "internal_error", NULL, "out of memory");
                return;
        }
        st->later = evtimer_new(s->base, stream_later, st);
        if (!st->later) {
                free(st);
                free(q->source);
                reply_error(s, req, r, 500, "internal_error", NULL, "out of memory");
                return;
        }
        if (!streams) {
                /* the broadcast was idle: what is in the store now is the past */
                int64_t max = 0;
                if (store_max_conflict_id(s->ro, &max) == 0 && max > broadcast_cursor)
                        broadcast_cursor = max;
        }
        st->s = s;
        st->req = req;
        st->conn = evhttp_request_get_connection(req);
        st->f = q->f;
        st->source = q->source;
        st->cursor = replay ? since : broadcast_cursor;
        st->replaying = replay;
        st->next = streams;
        if (streams)
                streams->prev = st;
        streams = st;
        n_streams++;

        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        evhttp_add_header(h, "Content-Type", "text/event-stream");
        evhttp_add_header(h, "Cache-Control", "no-store");
        evhttp_add_header(h, "X-Accel-Buffering", "no");
        metrics_request(route_index(r), 200);
        evhttp_send_reply_start(req, 200, "OK");
        evhttp_connection_set_closecb(st->conn, stream_closed, st);

        struct bufferevent *bev = evhttp_connection_get_bufferevent(st->conn);
        if (bev) {
                /* a fixed kernel send buffer: with autotuning the kernel
                 * would hold megabytes for a client that reads nothing,
                 * out of sight of the unsent-output limit */
                int sndbuf = STREAM_SNDBUF_BYTES;
                evutil_socket_t fd = bufferevent_getfd(bev);
                if (fd >= 0)
                        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
                /* nothing more is read from the client but its hang-up: a
                 * client that keeps sending fills at most this much */
                bufferevent_setwatermark(bev, EV_READ, 0, STREAM_MAX_INPUT_BYTES);
                /* a client that reads nothing for this long is gone */
                struct timeval wtv = { s->cfg.request_timeout_sec, 0 };
                bufferevent_set_timeouts(bev, NULL, &wtv);
        }

        evbuffer_add_printf(chunk, "retry: %d\n", STREAM_RETRY_MSEC);
        sse_append_comment(chunk, "claimd conflict stream");
        if (!stream_send(st))
                return;
        if (st->replaying)
                event_active(st->later, EV_TIMEOUT, 1);
}

void route_stream(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        const struct route *r = c->route;
        struct conflict_query q = { .allow_wait = false };
        int64_t since = 0;
        bool replay;

        if (conflicts_query_parse(s, req, r, &q) < 0)
                return;
        replay = q.since_given;
        since = q.f.since;
        const char *lei = evhttp_find_header(evhttp_request_get_input_headers(req), "Last-Event-ID");
        if (lei) {
                if (!sse_parse_id(lei, &since)) {
                        free(q.source);
                        reply_error(s, req, r, 400, "invalid_field", "Last-Event-ID",
                                    "'Last-Event-ID' must be the id of an event of this stream (a non-negative integer)");
                        return;
                }
                replay = true;  /* a reconnecting client: newer than the since= of its URL */
        }
        if (n_streams >= (size_t) s->cfg.max_streams) {
                free(q.source);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
                reply_error(s, req, r, 503, "overloaded", NULL,
                            "%d event streams are open already (max_streams); try again later", s->cfg.max_streams);
                return;
        }
        if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
                free(q.source);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/event-stream");
                metrics_request(route_index(r), 200);
                send_reply(req, 200, NULL);
                return;
        }
        stream_open(s, req, r, &q, since, replay);
}
