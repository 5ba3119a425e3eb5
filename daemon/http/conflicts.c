/* GET /v1/conflicts: the feed, a cache of its serialized answers, and long
 * polls.  ?wait=S parks the request (no thread blocks): it is answered when
 * a commit brings a matching conflict (pollers_wake()) or when its timer
 * fires. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/conflict.h"
#include "common/hash.h"
#include "daemon/clock.h"
#include "daemon/http/api.h"
#include "daemon/http/conflicts.h"
#include "daemon/http/filter.h"
#include "daemon/http/http.h"
#include "daemon/http/query.h"
#include "daemon/http/reader.h"
#include "daemon/http/routes.h"
#include "daemon/limits.h"

struct poller {
        struct server *s;
        const struct route *route;      /* GET /v1/conflicts */
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct conflict_filter f;
        char *source;
        char *key;                      /* filter_key() of f, made when it was parked */
        struct event *timer;
        struct poller *prev, *next;
};

/* The conflict feed is what hundreds of pollers ask for, mostly with the
 * same `since`: serialized answers are kept per filter until a commit brings
 * new conflicts (conflicts_changed(), called on the loop thread for every
 * commit that made some) or LIST_CACHE_TTL_USEC passes (retention deletes
 * without telling the loop).  Direct-mapped, one entry per slot. */
#define LIST_CACHE_SLOTS 64

#define LIST_CACHE_TTL_USEC 5000000u

struct list_cache_entry {
        char key[MAX_SOURCE_BYTES + 160];
        uint64_t generation, at;
        char *text;
        size_t len;
        bool empty;
};

static struct list_cache_entry list_cache[LIST_CACHE_SLOTS];

static uint64_t conflicts_generation = 1;

void conflicts_changed(void) {
        conflicts_generation++;
}

static void filter_key(const struct conflict_filter *f, char *key, size_t size) {
        snprintf(key, size, "%lld|%lld|%d|%lld|%d|%.17g|%s|%zu:%s", (long long) f->since, (long long) f->before,
                 f->limit, (long long) f->event_id, f->kind, f->min_score, f->status ? f->status : "",
                 f->source ? strlen(f->source) : (size_t) 0, f->source ? f->source : "");
}

static size_t key_slot(const char *key) {
        return (size_t) (hash_fnv1a64(key, strlen(key)) % LIST_CACHE_SLOTS);
}

/* Returns the serialized feed for f (whose filter_key() is key) from the
 * cache or the store: 0 and *ret pointing into the cache, or a negative
 * errno. */
static int list_conflicts_cached(struct server *s, const struct conflict_filter *f, const char *key,
                                 const struct list_cache_entry **ret) {
        uint64_t now = now_usec();

        struct list_cache_entry *e = &list_cache[key_slot(key)];
        if (e->text && e->generation == conflicts_generation && now - e->at < LIST_CACHE_TTL_USEC &&
            strcmp(e->key, key) == 0) {
                *ret = e;
                return 0;
        }

        json_t *o = NULL;
        int r = store_list_conflicts_json(s->ro, f, &o);
        if (r < 0)
                return r;
        char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        bool empty = json_array_size(json_object_get(o, "conflicts")) == 0;
        json_decref(o);
        if (!text)
                return -ENOMEM;
        free(e->text);
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->text = text;
        e->len = strlen(text);
        e->empty = empty;
        e->generation = conflicts_generation;
        e->at = now;
        *ret = e;
        return 0;
}

static void poller_free(struct poller *p) {
        struct server *s = p->s;

        if (p->prev)
                p->prev->next = p->next;
        else
                s->pollers = p->next;
        if (p->next)
                p->next->prev = p->prev;
        s->n_pollers--;
        if (p->timer)
                event_free(p->timer);
        free(p->source);
        free(p->key);
        free(p);
}

/* Answers a parked poll with the serialized feed c (its conflicts after
 * its `since`, possibly none), or 503 when c is NULL, and frees it. */
static void poller_answer(struct poller *p, const struct list_cache_entry *c) {
        struct server *s = p->s;
        struct evhttp_request *req = p->req;
        const struct route *route = p->route;

        evhttp_connection_set_closecb(p->conn, NULL, NULL);
        poller_free(p);
        if (c)
                reply_json_text(s, req, route, c->text, c->len);
        else
                reply_error(s, req, route, 503, "store_unavailable", NULL,
                            "the database cannot be read right now; try again later");
}

static void poller_timeout(evutil_socket_t fd, short what, void *arg) {
        struct poller *p = arg;
        const struct list_cache_entry *c = NULL;

        if (!http_store_ready(p->s) || list_conflicts_cached(p->s, &p->f, p->key, &c) < 0)
                c = NULL;
        poller_answer(p, c);
}

/* The client went away (or evhttp freed the connection): forget the poll. */
static void poller_closed(struct evhttp_connection *conn, void *arg) {
        poller_free(arg);
}

/* A commit brought conflicts up to max_id: answers every parked poll that
 * now has some.  Pollers usually wait with the same filter (all caught up
 * to the same id): the feed is read and serialized once per distinct filter
 * (the list cache, which conflicts_changed() invalidated before this call;
 * each poller's key was made when it was parked) and that text is sent to
 * each of them. */
void pollers_wake(struct server *s, int64_t max_id) {
        struct poller *p, *next;

        if (!http_store_ready(s))
                return;
        for (p = s->pollers; p; p = next) {
                next = p->next;
                if (p->f.since >= max_id)
                        continue;

                const struct list_cache_entry *c;
                if (list_conflicts_cached(s, &p->f, p->key, &c) < 0)
                        poller_answer(p, NULL);
                else if (!c->empty)
                        poller_answer(p, c);
        }
}

void pollers_reap(struct server *s) {
        struct poller *p, *next;

        for (p = s->pollers; p; p = next) {
                next = p->next;
                struct bufferevent *bev = p->conn ? evhttp_connection_get_bufferevent(p->conn) : NULL;
                evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
                if (fd < 0)
                        continue;
                /* A client that only shut down its side of the connection
                 * (recv() returns 0) may still read: it gets the full wait.
                 * One whose connection is gone (an error) is answered now,
                 * into the void, and evhttp frees it. */
                char c;
                ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                        poller_timeout(-1, 0, p);
        }
}

void http_release_pollers(struct server *s) {
        while (s->pollers)
                poller_timeout(-1, 0, s->pollers);
}

/* Parks req until a commit brings a conflict after f->since or wait
 * seconds pass; takes source, f's (also on failure, when it replies). */
static void park(struct server *s, struct evhttp_request *req, const struct route *r,
                 const struct conflict_filter *f, char *source, const char *key, int64_t wait) {
        if (s->n_pollers >= MAX_PARKED_POLLERS) {
                free(source);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
                reply_error(s, req, r, 503, "overloaded", NULL,
                            "too many long polls are waiting; try again shortly");
                return;
        }

        struct poller *p = calloc(1, sizeof(*p));
        if (!p) {
                free(source);
                reply_error(s, req, r, 500, "internal_error", NULL, "out of memory");
                return;
        }
        p->s = s;
        p->route = r;
        p->req = req;
        p->conn = evhttp_request_get_connection(req);
        p->f = *f;
        p->source = source;
        p->key = strdup(key);
        p->timer = evtimer_new(s->base, poller_timeout, p);
        struct timeval tv = { .tv_sec = (time_t) wait };
        if (!p->key || !p->timer || evtimer_add(p->timer, &tv) < 0) {
                if (p->timer)
                        event_free(p->timer);
                free(p->key);
                free(source);
                free(p);
                reply_error(s, req, r, 500, "internal_error", NULL, "cannot park the request");
                return;
        }
        p->next = s->pollers;
        if (s->pollers)
                s->pollers->prev = p;
        s->pollers = p;
        s->n_pollers++;
        if (p->conn)
                evhttp_connection_set_closecb(p->conn, poller_closed, p);
}

void route_list_conflicts(struct server *s, struct evhttp_request *req, const struct route_call *call) {
        const struct route *r = call->route;
        struct conflict_query cq = { .allow_wait = true };

        if (conflicts_query_parse(s, req, r, &cq) < 0)
                return;
        struct conflict_filter f = cq.f;
        char *source = cq.source;
        int64_t wait = cq.wait;

        const struct list_cache_entry *c;
        char key[sizeof(list_cache[0].key)];
        filter_key(&f, key, sizeof(key));
        int k = list_conflicts_cached(s, &f, key, &c);
        if (k < 0) {
                free(source);
                reply_store_error(s, req, r, k);
                return;
        }
        if (wait == 0 || !c->empty || s->stopping) {
                free(source);
                reply_json_text(s, req, r, c->text, c->len);
                return;
        }
        park(s, req, r, &f, source, key, wait);
}
