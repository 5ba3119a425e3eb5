/* See conn.h.
 *
 * The framing check sits on the socket bufferevent's input buffer (an
 * evbuffer callback), not in a bufferevent filter: a filter reports its
 * output written once it has moved it to the socket bufferevent, and evhttp
 * then frees a "Connection: close" connection with the reply still unsent.
 * The callback runs inside evbuffer_read(), before the bufferevent's read
 * callback (evhttp's) runs: the bytes just read are the buffer's last
 * n_added, and the callback replaces them with what the framer emits.
 *
 * Lifetime: each connection holds a reference on its bufferevent, so the
 * pointer stays valid after evhttp frees the connection; that is detected
 * by the callbacks having been cleared (bufferevent_free() does that), and
 * the reference is dropped then (conn_reap()). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "daemon/clock.h"
#include "daemon/http/conn.h"
#include "daemon/http/http.h"
#include "daemon/limits.h"
#include "daemon/log.h"

struct conn {
        struct bufferevent *bev;
        struct evbuffer_cb_entry *input_cb;
        struct server *s;
        uint64_t since;                 /* accepted, or last answered (usec) */
        bool busy;                      /* a request is being handled */
        bool nodelay;                   /* TCP_NODELAY is set on its socket */
        bool refused;                   /* the framer refused; input is discarded */
        struct http_framer framer;
        struct conn *next;              /* hash chain */
};

#define CONN_BUCKETS 1024
static struct conn *conns[CONN_BUCKETS];
static size_t n_conns;

static size_t conn_hash(const struct bufferevent *bev) {
        uintptr_t x = (uintptr_t) bev >> 4;
        return (size_t) ((x ^ (x >> 10) ^ (x >> 20)) % CONN_BUCKETS);
}

static struct conn *conn_find(struct evhttp_request *req) {
        struct evhttp_connection *ec = req ? evhttp_request_get_connection(req) : NULL;
        struct bufferevent *bev = ec ? evhttp_connection_get_bufferevent(ec) : NULL;
        if (!bev)
                return NULL;
        for (struct conn *c = conns[conn_hash(bev)]; c; c = c->next)
                if (c->bev == bev)
                        return c;
        return NULL;
}

/* evhttp let go of it (bufferevent_free() cleared the callbacks). */
static bool conn_released(const struct conn *c) {
        bufferevent_event_cb ecb = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, &ecb, NULL);
        return ecb == NULL;
}

static void conn_drop(struct conn *c) {
        evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->input_cb);
        bufferevent_decref(c->bev);
        http_framer_done(&c->framer);
        free(c);
        n_conns--;
}

/* Drops the connections evhttp let go of (all of them when all is true). */
static void conn_reap(bool all) {
        for (size_t h = 0; h < CONN_BUCKETS; h++) {
                struct conn **pp = &conns[h];
                while (*pp) {
                        struct conn *c = *pp;
                        if (all || conn_released(c)) {
                                *pp = c->next;
                                conn_drop(c);
                        } else
                                pp = &c->next;
                }
        }
}

static void framing_limits(const struct server *s, struct http_framing_limits *ret) {
        ret->max_head_bytes = s->cfg.max_header_bytes * HTTP_OUTER_HEADER_CAP_FACTOR;
        ret->max_body_bytes = s->cfg.max_body_bytes * HTTP_OUTER_CAP_FACTOR;
}

static int emit_to_evbuffer(void *userdata, const void *p, size_t n) {
        return evbuffer_add(userdata, p, n) < 0 ? -ENOMEM : 0;
}

/* What evhttp is given after a refusal, so that it fails the request and
 * calls evhttp_send_error() (api.c), which answers with the refusal: a
 * request line without spaces where a request begins, a chunk size that
 * is not hexadecimal inside a chunked body. */
static const char poison_head[] = "\x7f\r\n", poison_body[] = "zz\r\n";

/* Runs the framer over src, appending what it emits (or the poison, once
 * it refuses) to dst; src is emptied. */
static void conn_frame(struct conn *c, struct evbuffer *src, struct evbuffer *dst) {
        framing_limits(c->s, &c->framer.limits);
        while (!c->refused && evbuffer_get_length(src) > 0) {
                struct evbuffer_iovec v[16];
                int nv = evbuffer_peek(src, -1, NULL, v, 16);
                size_t took = 0;
                int r = 0;
                for (int i = 0; i < nv && i < 16 && r == 0; i++) {
                        r = http_framer_feed(&c->framer, v[i].iov_base, v[i].iov_len, emit_to_evbuffer, dst);
                        took += v[i].iov_len;
                }
                evbuffer_drain(src, took);
                if (r < 0) {
                        if (r != -EPROTO) {
                                /* out of memory: refuse rather than pass bytes unchecked */
                                c->framer.error = (struct http_framing_error) {
                                        .status = 503, .code = "overloaded",
                                        .in_body = c->framer.state != HTTP_FRAMER_HEAD,
                                        .message = "claimd is out of memory",
                                };
                                c->framer.state = HTTP_FRAMER_REFUSED;
                        }
                        c->refused = true;
                        const char *poison = c->framer.error.in_body ? poison_body : poison_head;
                        evbuffer_add(dst, poison, strlen(poison));
                }
        }
        evbuffer_drain(src, evbuffer_get_length(src));
}

/* The input buffer's callback: the last n_added bytes were just read from
 * the socket; evhttp has not seen them.  They are replaced by what the
 * framer lets through. */
static void conn_input(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg) {
        struct conn *c = arg;
        size_t len = evbuffer_get_length(in);

        if (info->n_added == 0 || info->n_added > len)
                return;
        struct evbuffer *out = evbuffer_new();
        evbuffer_cb_clear_flags(in, c->input_cb, EVBUFFER_CB_ENABLED);    /* what follows is ours */
        if (!out || evbuffer_remove_buffer(in, out, len - info->n_added) < 0) {
                /* cannot even check: give evhttp nothing more of this client */
                if (out)
                        evbuffer_add_buffer(in, out);
                c->refused = true;
                c->framer.state = HTTP_FRAMER_REFUSED;
                evbuffer_free(out);
                evbuffer_cb_set_flags(in, c->input_cb, EVBUFFER_CB_ENABLED);
                return;
        }
        conn_frame(c, in, out);
        evbuffer_add_buffer(in, out);
        evbuffer_free(out);
        evbuffer_cb_set_flags(in, c->input_cb, EVBUFFER_CB_ENABLED);
}

/* bufferevents write at most 16 KiB per loop iteration: a reply larger than
 * that (a long poll woken with a dozen conflicts) would wait for a second
 * iteration, behind the first part of every other reply of the wave.  The
 * kernel takes what fits in the socket buffer either way. */
#define MAX_SINGLE_WRITE (4u * MIB)

struct bufferevent *conn_new(struct event_base *base, void *arg) {
        struct conn *c = calloc(1, sizeof(*c));
        struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (!c || !bev) {
                /* evhttp then makes its own, unchecked one: nothing better
                 * is possible without memory */
                free(c);
                if (bev)
                        bufferevent_free(bev);
                return NULL;
        }
        bufferevent_set_max_single_write(bev, MAX_SINGLE_WRITE);
        c->bev = bev;
        c->s = arg;
        c->since = now_usec();
        struct http_framing_limits lim;
        framing_limits(c->s, &lim);
        http_framer_init(&c->framer, &lim);
        c->input_cb = evbuffer_add_cb(bufferevent_get_input(bev), conn_input, c);
        if (!c->input_cb) {
                bufferevent_free(bev);
                free(c);
                return NULL;
        }
        bufferevent_incref(bev);
        size_t h = conn_hash(bev);
        c->next = conns[h];
        conns[h] = c;
        n_conns++;
        return bev;
}

/* Turns Nagle's algorithm off.  A reply larger than the socket takes at
 * once leaves in several writes; with Nagle on, a short tail waits for the
 * client's delayed ACK of the head: 40 ms on Linux (this was the long-poll
 * p99 of 44 ms).  Replies are whole messages, so nothing is gained by
 * coalescing. */
static void set_nodelay(struct conn *c) {
        evutil_socket_t fd = bufferevent_getfd(c->bev);
        int one = 1;
        if (c->nodelay || fd < 0)
                return;
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));    /* fails on AF_UNIX: fine */
        c->nodelay = true;
}

void conn_request_begin(struct evhttp_request *req) {
        struct conn *c = conn_find(req);
        if (!c)
                return;
        c->busy = true;
        set_nodelay(c);
}

void conn_request_end(struct evhttp_request *req) {
        struct conn *c = conn_find(req);
        if (!c)
                return;
        c->busy = false;
        c->since = now_usec();
}

const struct http_framing_error *conn_refusal(struct evhttp_request *req) {
        struct conn *c = conn_find(req);
        return c && c->refused ? &c->framer.error : NULL;
}

static void conn_shutdown(struct conn *c) {
        evutil_socket_t fd = bufferevent_getfd(c->bev);
        if (fd >= 0)
                shutdown(fd, SHUT_RDWR);
}

void conn_sweep(uint64_t timeout_usec) {
        uint64_t now = now_usec();

        conn_reap(false);
        for (size_t h = 0; h < CONN_BUCKETS; h++)
                for (struct conn *c = conns[h]; c; c = c->next) {
                        if (!c->busy && now - c->since > timeout_usec) {
                                conn_shutdown(c);
                                c->since = now;
                                log_debug("closing a connection that sent no complete request in time");
                        }
                }
}

size_t conn_count(void) {
        return n_conns;
}

static int since_cmp(const void *x, const void *y) {
        const struct conn *a = *(struct conn *const *) x, *b = *(struct conn *const *) y;
        return a->since < b->since ? -1 : a->since > b->since;
}

/* Shuts down the n idle connections waiting longest for a request;
 * returns how many. */
static size_t shed_idle(size_t n) {
        struct conn **idle = malloc(n_conns * sizeof(*idle) + 1);
        size_t k = 0;

        if (!idle)
                return 0;
        for (size_t h = 0; h < CONN_BUCKETS; h++)
                for (struct conn *c = conns[h]; c; c = c->next)
                        if (!c->busy && !conn_released(c) && k < n_conns)
                                idle[k++] = c;
        qsort(idle, k, sizeof(*idle), since_cmp);
        if (n > k)
                n = k;
        for (size_t i = 0; i < n; i++)
                conn_shutdown(idle[i]);
        free(idle);
        return n;
}

/* ---- descriptors exhausted ---- */

static struct server *the_server;
static int reserve_fd = -1;                     /* spent to answer one client when nothing can be shed */
static struct event *resume_ev;
static struct evconnlistener *paused[MAX_LISTEN_ADDRESSES * 2 + 16];
static size_t n_paused;

static void resume_accepting(evutil_socket_t fd, short what, void *arg) {
        conn_reap(false);       /* the descriptors of the connections shed meanwhile */
        if (the_server && !the_server->stopping)               /* at shutdown the listeners are gone */
                for (size_t i = 0; i < n_paused; i++)
                        evconnlistener_enable(paused[i]);
        n_paused = 0;
}

/* Accepts one waiting client on the reserve descriptor, answers it 503
 * and closes it, so that it is not left waiting in the backlog. */
static void answer_one_busy(evutil_socket_t lfd) {
        static const char body[] = "{\"error\":{\"code\":\"overloaded\",\"message\":"
                                   "\"claimd has no file descriptors left; try again shortly\"}}\n";
        char head[256];

        if (reserve_fd < 0)
                return;
        close(reserve_fd);
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
                int n = snprintf(head, sizeof(head), "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                                 "application/json\r\nContent-Length: %zu\r\nRetry-After: 1\r\n"
                                 "Connection: close\r\n\r\n", sizeof(body) - 1);
                (void) !send(fd, head, (size_t) n, MSG_NOSIGNAL | MSG_DONTWAIT | MSG_MORE);
                (void) !send(fd, body, sizeof(body) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                shutdown(fd, SHUT_WR);
                close(fd);
        }
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void conn_accept_error(struct evconnlistener *lev, void *arg) {
        static time_t last_log;
        static unsigned events, shed_total;
        int err = errno;

        /* accept() fails again at once while the cause lasts (the listening
         * socket stays readable): stop asking for a moment */
        bool known = false;
        for (size_t i = 0; i < n_paused; i++)
                known |= paused[i] == lev;
        if (!known && n_paused < sizeof(paused) / sizeof(paused[0])) {
                evconnlistener_disable(lev);
                paused[n_paused++] = lev;
        }
        struct timeval tv = { 0, ACCEPT_PAUSE_MSEC * 1000 };
        if (resume_ev && !evtimer_pending(resume_ev, NULL))
                evtimer_add(resume_ev, &tv);

        size_t shed = 0;
        if (err == EMFILE || err == ENFILE) {
                shed = shed_idle(EMFILE_SHED_CONNECTIONS);
                if (shed == 0)
                        answer_one_busy(evconnlistener_get_fd(lev));
        }
        events++;
        shed_total += (unsigned) shed;
        time_t now = time(NULL);
        if (now - last_log >= ACCEPT_ERROR_LOG_SEC) {
                log_warning("cannot accept connections: %s (%zu open); paused accepting for %d ms %u times "
                            "and closed %u idle connections since the last such record", strerror(err),
                            n_conns, ACCEPT_PAUSE_MSEC, events, shed_total);
                last_log = now;
                events = shed_total = 0;
        }
}

int conn_setup(struct server *s) {
        the_server = s;
        if (reserve_fd < 0)
                reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (!resume_ev)
                resume_ev = evtimer_new(s->base, resume_accepting, NULL);
        return reserve_fd >= 0 && resume_ev ? 0 : -errno;
}

void conn_free_all(void) {
        conn_reap(true);
        if (resume_ev)
                event_free(resume_ev);
        resume_ev = NULL;
        n_paused = 0;
        if (reserve_fd >= 0)
                close(reserve_fd);
        reserve_fd = -1;
}
