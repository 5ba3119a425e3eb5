/* The read routes: they run on the loop thread against the read-only store
 * connection.  GET /v1/conflicts?wait=S parks the request (no thread
 * blocks): it is answered when a commit brings a matching conflict
 * (pollers_wake) or when its timer fires. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/conflict.h"
#include "common/hash.h"
#include "daemon/http.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/stream.h"
#include "daemon/webhook.h"

struct poller {
        struct server *s;
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct conflict_filter f;
        char *source;
        char *key;                      /* filter_key() of f, made when it was parked */
        struct event *timer;
        struct poller *prev, *next;
};

/* Query parameters by name; a value is NULL when absent. */
enum {
        Q_SINCE, Q_LIMIT, Q_WAIT, Q_EVENT, Q_SOURCE, Q_KIND, Q_MIN_SCORE, Q_STATUS, _Q_MAX,
};
static const char *const query_names[_Q_MAX] = {
        "since", "limit", "wait", "event", "source", "kind", "min_score", "status",
};

struct query {
        struct evkeyvalq kv;
        const char *v[_Q_MAX];
};

static int hex_value(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
               c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Whether a %-escape of the raw query string qs decodes to a control byte:
 * evhttp_parse_query_str() would cut the value at a %00 (so that
 * "source=a.test%00.evil" asked for "a.test").  Copies the parameter's
 * name into name. */
static bool query_control_byte(const char *qs, char *name, size_t size) {
        for (const char *p = qs; *p;) {
                size_t n = strcspn(p, "&"), k = strcspn(p, "=");
                for (size_t i = 0; i + 2 < n; i++) {
                        int hi = p[i] == '%' ? hex_value(p[i + 1]) : -1, lo = hi >= 0 ? hex_value(p[i + 2]) : -1;
                        if (lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f)) {
                                snprintf(name, size, "%.*s", (int) (k < n ? k : n), p);
                                return true;
                        }
                }
                p += n + (p[n] == '&');
        }
        return false;
}

/* Parses the query string; unknown parameters are ignored, repeated known
 * ones are an error.  Returns 0, or replies 400 and returns -EINVAL. */
static int query_parse(struct server *s, struct evhttp_request *req, enum route r, struct query *q) {
        const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
        const char *qs = u ? evhttp_uri_get_query(u) : NULL;

        TAILQ_INIT(&q->kv);
        memset(q->v, 0, sizeof(q->v));
        if (!qs || !*qs)
                return 0;
        char bad[64];
        if (query_control_byte(qs, bad, sizeof(bad))) {
                reply_error(s, req, r, 400, "invalid_field", bad,
                            "the value of '%s' holds a control byte (such as %%00)", bad);
                return -EINVAL;
        }
        if (evhttp_parse_query_str(qs, &q->kv) < 0) {
                evhttp_clear_headers(&q->kv);
                reply_error(s, req, r, 400, "invalid_field", NULL, "the query string cannot be parsed");
                return -EINVAL;
        }
        for (struct evkeyval *kv = q->kv.tqh_first; kv; kv = kv->next.tqe_next)
                for (int i = 0; i < _Q_MAX; i++) {
                        if (strcmp(kv->key, query_names[i]) != 0)
                                continue;
                        if (q->v[i]) {
                                evhttp_clear_headers(&q->kv);
                                reply_error(s, req, r, 400, "invalid_field", query_names[i],
                                            "'%s' is given more than once", query_names[i]);
                                return -EINVAL;
                        }
                        q->v[i] = kv->value;
                }
        return 0;
}

/* Strict decimal integer in [min, max]; returns false otherwise. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *ret) {
        int64_t v = 0;
        if (!s || !*s || strlen(s) > 19)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                int d = *p - '0';
                if (v > (INT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        if (v < min || v > max)
                return false;
        *ret = v;
        return true;
}

static int bad_param(struct server *s, struct evhttp_request *req, enum route r, struct query *q,
                     const char *name, const char *what) {
        evhttp_clear_headers(&q->kv);
        reply_error(s, req, r, 400, "invalid_field", name, "'%s' must be %s", name, what);
        return -EINVAL;
}

/* since and limit, shared by both lists. */
static int parse_page(struct server *s, struct evhttp_request *req, enum route r, struct query *q,
                      int64_t *since, int *limit) {
        int64_t v;
        *since = 0;
        *limit = LIST_LIMIT_DEFAULT;
        if (q->v[Q_SINCE]) {
                if (!parse_int(q->v[Q_SINCE], 0, INT64_MAX, &v))
                        return bad_param(s, req, r, q, "since", "an id (a non-negative integer)");
                *since = v;
        }
        if (q->v[Q_LIMIT]) {
                char what[64];
                snprintf(what, sizeof(what), "an integer from 1 to %d", LIST_LIMIT_MAX);
                if (!parse_int(q->v[Q_LIMIT], 1, LIST_LIMIT_MAX, &v))
                        return bad_param(s, req, r, q, "limit", what);
                *limit = (int) v;
        }
        return 0;
}

static void reply_lookup(struct server *s, struct evhttp_request *req, enum route r, int k, json_t *o,
                         const char *what, int64_t id) {
        if (k == 0)
                reply_json(s, req, r, 200, o);
        else if (k == -ENOENT)
                reply_error(s, req, r, 404, "not_found", NULL, "no %s with id %lld", what, (long long) id);
        else
                reply_store_error(s, req, r, k);
}

void route_get_article(struct server *s, struct evhttp_request *req, int64_t id) {
        json_t *o = NULL;
        int k = store_get_article_json(s->ro, id, &o);
        reply_lookup(s, req, ROUTE_ARTICLE_GET, k, o, "article", id);
}

void route_get_conflict(struct server *s, struct evhttp_request *req, int64_t id) {
        json_t *o = NULL;
        int k = store_get_conflict_json(s->ro, id, &o);
        reply_lookup(s, req, ROUTE_CONFLICT_GET, k, o, "conflict", id);
}

void route_get_event(struct server *s, struct evhttp_request *req, int64_t id) {
        json_t *o = NULL;
        int k = store_get_event_json(s->ro, id, &o);
        reply_lookup(s, req, ROUTE_EVENT_GET, k, o, "event", id);
}

void route_list_events(struct server *s, struct evhttp_request *req) {
        struct query q;
        int64_t since;
        int limit;

        if (query_parse(s, req, ROUTE_EVENTS, &q) < 0 ||
            parse_page(s, req, ROUTE_EVENTS, &q, &since, &limit) < 0)
                return;
        evhttp_clear_headers(&q.kv);

        json_t *o = NULL;
        int k = store_list_events_json(s->ro, since, limit, &o);
        if (k < 0)
                reply_store_error(s, req, ROUTE_EVENTS, k);
        else
                reply_json(s, req, ROUTE_EVENTS, 200, o);
}

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
        snprintf(key, size, "%lld|%d|%lld|%d|%.17g|%s|%zu:%s", (long long) f->since, f->limit,
                 (long long) f->event_id, f->kind, f->min_score, f->status ? f->status : "",
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

        evhttp_connection_set_closecb(p->conn, NULL, NULL);
        poller_free(p);
        if (c)
                reply_json_text(s, req, ROUTE_CONFLICTS, c->text, c->len);
        else
                reply_error(s, req, ROUTE_CONFLICTS, 503, "store_unavailable", NULL,
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
        streams_end(s);
}

int conflicts_query_parse(struct server *s, struct evhttp_request *req, enum route r,
                          struct conflict_query *cq) {
        struct conflict_filter *f = &cq->f;
        char **ret_source = &cq->source;
        struct query q;
        int64_t v, wait = 0;

        *f = (struct conflict_filter) { .kind = -1 };
        *ret_source = NULL;
        cq->wait = 0;
        if (query_parse(s, req, r, &q) < 0 || parse_page(s, req, r, &q, &f->since, &f->limit) < 0)
                return -EINVAL;
        cq->since_given = q.v[Q_SINCE] != NULL;
        if (q.v[Q_WAIT]) {
                char what[64];
                snprintf(what, sizeof(what), "a number of seconds from 0 to %d", s->cfg.long_poll_max);
                if (!cq->allow_wait || !parse_int(q.v[Q_WAIT], 0, s->cfg.long_poll_max, &wait))
                        return bad_param(s, req, r, &q, "wait", cq->allow_wait ? what : "absent on a stream");
        }
        if (q.v[Q_EVENT]) {
                if (!parse_int(q.v[Q_EVENT], 1, INT64_MAX, &v))
                        return bad_param(s, req, r, &q, "event", "an event id (a positive integer)");
                f->event_id = v;
        }
        if (q.v[Q_KIND]) {
                int k = conflict_kind_from_string(q.v[Q_KIND]);
                if (k < 0)
                        return bad_param(s, req, r, &q, "kind",
                                         "a conflict kind (denial, negation, antonym, numeric, date, location)");
                f->kind = k;
        }
        if (q.v[Q_MIN_SCORE]) {
                char *end;
                double d = strtod(q.v[Q_MIN_SCORE], &end);
                if (!*q.v[Q_MIN_SCORE] || *end || !isfinite(d) || d < 0 || d > 1)
                        return bad_param(s, req, r, &q, "min_score", "a number from 0 to 1");
                f->min_score = d;
        }
        if (q.v[Q_STATUS]) {
                f->status = review_status_from_string(q.v[Q_STATUS]);
                if (!f->status)
                        return bad_param(s, req, r, &q, "status", "open, confirmed or dismissed");
        }
        if (q.v[Q_SOURCE]) {
                if (!*q.v[Q_SOURCE] || strlen(q.v[Q_SOURCE]) > MAX_SOURCE_BYTES)
                        return bad_param(s, req, r, &q, "source", "a source name");
                *ret_source = strdup(q.v[Q_SOURCE]);
                if (!*ret_source) {
                        evhttp_clear_headers(&q.kv);
                        reply_error(s, req, r, 500, "internal_error", NULL, "out of memory");
                        return -ENOMEM;
                }
                f->source = *ret_source;
        }
        evhttp_clear_headers(&q.kv);
        cq->wait = wait;
        return 0;
}

void route_list_conflicts(struct server *s, struct evhttp_request *req) {
        struct conflict_query cq = { .allow_wait = true };

        if (conflicts_query_parse(s, req, ROUTE_CONFLICTS, &cq) < 0)
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
                reply_store_error(s, req, ROUTE_CONFLICTS, k);
                return;
        }
        if (wait == 0 || !c->empty || s->stopping) {
                free(source);
                reply_json_text(s, req, ROUTE_CONFLICTS, c->text, c->len);
                return;
        }

        if (s->n_pollers >= MAX_PARKED_POLLERS) {
                free(source);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
                reply_error(s, req, ROUTE_CONFLICTS, 503, "overloaded", NULL,
                            "too many long polls are waiting; try again shortly");
                return;
        }

        struct poller *p = calloc(1, sizeof(*p));
        if (!p) {
                free(source);
                reply_error(s, req, ROUTE_CONFLICTS, 500, "internal_error", NULL, "out of memory");
                return;
        }
        p->s = s;
        p->req = req;
        p->conn = evhttp_request_get_connection(req);
        p->f = f;
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
                reply_error(s, req, ROUTE_CONFLICTS, 500, "internal_error", NULL, "cannot park the request");
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

void route_healthz(struct server *s, struct evhttp_request *req) {
        struct store_counts c;
        int k = store_counts(s->ro, &c);
        if (k < 0) {
                reply_store_error(s, req, ROUTE_HEALTHZ, k);
                return;
        }
        /* the writer finds out at its next commit, the reader here */
        int lost = s->workers ? workers_store_lost(s->workers) : 0;
        if (!lost)
                lost = store_file_state(s->ro);
        if (lost) {
                json_t *e = error_json("store_unavailable", NULL,
                                       "the database file %s was %s while claimd ran: writes are refused; "
                                       "restart claimd", s->cfg.database, lost == -ENOENT ? "deleted" : "replaced");
                if (e && json_object_set_new(e, "status", json_string("store_unavailable")) < 0) {
                        json_decref(e);
                        e = NULL;
                }
                reply_json(s, req, ROUTE_HEALTHZ, 503, e);
                return;
        }
        reply_json(s, req, ROUTE_HEALTHZ, 200,
                   json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
                             "status", "ok",
                             "version", CLAIMD_VERSION,
                             "articles", (json_int_t) c.articles,
                             "claims", (json_int_t) c.claims,
                             "events", (json_int_t) c.events,
                             "conflicts", (json_int_t) c.conflicts));
}

void route_metrics(struct server *s, struct evhttp_request *req) {
        struct store_counts c;
        bool have = http_store_ready(s) && store_counts(s->ro, &c) == 0;
        struct metrics_gauges g = {
                .queue_inflight = (int64_t) workers_inflight(s->workers),
                .queue_capacity = (int64_t) workers_capacity(s->workers),
                .parked_pollers = (int64_t) s->n_pollers,
                .open_streams = (int64_t) streams_count(),
                .streams_dropped_slow = streams_dropped_slow(),
                .webhooks = s->webhook != NULL,
        };

        struct webhook_stats ws;
        webhook_get_stats(s->webhook, &ws);
        g.webhook_delivered = ws.delivered;
        g.webhook_failed = ws.failed;
        g.webhook_dropped = ws.dropped;
        g.webhook_backlog = ws.backlog;
        metrics_request(ROUTE_METRICS, 200);
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        metrics_render(s->out, have ? &c : NULL, &g);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "text/plain; version=0.0.4; charset=utf-8");
        send_reply(req, 200, s->out);
}
