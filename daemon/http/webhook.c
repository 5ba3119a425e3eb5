/* See webhook.h.  Everything below runs on the sender's thread except
 * webhook_start(), webhook_notify(), webhook_get_stats() and
 * webhook_stop().
 *
 * Sending comes first, recording after: a new conflict is sent at once
 * (when its url has a free slot) although it has no deliveries row yet;
 * the rows of every conflict after the durable cursor, the cursor itself
 * and the outcomes of finished attempts (row deleted, or its retry
 * scheduled) are written together by one transaction a few milliseconds
 * later (flush_cb), so the sender neither waits for the writer's lock nor
 * for an fsync before a delivery.  Conflicts that found no free slot get
 * their rows in that transaction and go out from the rows as slots free
 * up, like retries.  Until its outcome is committed, a conflict stays in
 * its url's in-flight or unflushed list and is not sent again.  A crash
 * before that commit sends it again after the restart: at least once. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "daemon/clock.h"
#include "daemon/http/auth.h"
#include "daemon/http/webhook-util.h"
#include "daemon/http/webhook.h"
#include "daemon/limits.h"
#include "daemon/log.h"

struct target {
        struct webhook *w;
        size_t index;
        const char *url;
        struct webhook_url u;
        int64_t *active;        /* max_in_flight slots: the conflict being sent, 0: free */
        int64_t *unflushed;     /* finished, outcome not yet committed */
        size_t n_unflushed, cap_unflushed;
        int64_t sent;           /* conflicts up to this were sent at once or have rows */
        uint64_t last_log_usec;
        unsigned suppressed;
};

struct attempt {
        struct target *t;
        size_t slot;
        struct delivery d;
        enum evhttp_request_error error;
        bool errored;
};

struct webhook {
        pthread_t thread;
        bool started;
        struct event_base *base;
        struct evdns_base *dns;
        SSL_CTX *ssl;
        struct store *db;
        struct target targets[MAX_WEBHOOK_URLS];
        const char *urls[MAX_WEBHOOK_URLS];
        size_t n;
        struct webhook_config cfg;
        char *url_copies[MAX_WEBHOOK_URLS];
        char *secret;
        size_t secret_len;
        struct event *wake_ev, *poll_ev, *flush_ev, *stop_ev;
        int64_t cursor;         /* durable: conflicts up to this have rows */
        bool dirty;             /* conflicts after the cursor were seen: record their rows */
        struct delivery_outcome *out;
        char **out_errors;
        size_t n_out, cap_out;
        _Atomic uint64_t delivered, failed, dropped;
        _Atomic int64_t backlog;
};

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double jitter(void) {
        uint32_t v;
        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
                v = (uint32_t) now_usec();
        return (double) v / 4294967296.0;
}

static void dispatch(struct webhook *w);

static void schedule_flush(struct webhook *w) {
        struct timeval tv = { 0, WEBHOOK_FLUSH_MSEC * 1000 };
        if (!event_pending(w->flush_ev, EV_TIMEOUT, NULL))
                event_add(w->flush_ev, &tv);
}

/* Queues an outcome for the next flush; 0 or -ENOMEM. */
static int outcome_add(struct webhook *w, const struct delivery_outcome *o) {
        if (w->n_out == w->cap_out) {
                size_t cap = w->cap_out ? w->cap_out * 2 : 64;
                struct delivery_outcome *no = realloc(w->out, cap * sizeof(*no));
                if (!no)
                        return -ENOMEM;
                w->out = no;
                char **ne = realloc(w->out_errors, cap * sizeof(*ne));
                if (!ne)
                        return -ENOMEM;
                w->out_errors = ne;
                w->cap_out = cap;
        }
        w->out_errors[w->n_out] = o->error ? strdup(o->error) : NULL;
        w->out[w->n_out] = *o;
        w->out[w->n_out].error = w->out_errors[w->n_out];
        w->n_out++;
        schedule_flush(w);
        return 0;
}

static int unflushed_add(struct target *t, int64_t id) {
        if (t->n_unflushed == t->cap_unflushed) {
                size_t cap = t->cap_unflushed ? t->cap_unflushed * 2 : 32;
                int64_t *n = realloc(t->unflushed, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                t->unflushed = n;
                t->cap_unflushed = cap;
        }
        t->unflushed[t->n_unflushed++] = id;
        return 0;
}

/* Records the new conflicts' rows, the cursor and the outcomes in one
 * transaction, then sends what became possible. */
static void flush_cb(evutil_socket_t fd, short what, void *arg) {
        struct webhook *w = arg;
        int64_t delta = 0, cursor = 0;
        int r = store_deliveries_record(w->db, w->urls, w->n, now_ms(), w->out, w->n_out, &delta, &cursor);
        if (r < 0) {
                log_warning("webhook: recording deliveries failed: %s; trying again", strerror(-r));
                struct timeval tv = { 0, WEBHOOK_RECORD_RETRY_MSEC * 1000 };
                event_add(w->flush_ev, &tv);
                return;
        }
        for (size_t i = 0; i < w->n_out; i++)
                free(w->out_errors[i]);
        w->n_out = 0;
        w->cursor = cursor;
        w->dirty = false;
        for (size_t k = 0; k < w->n; k++) {
                w->targets[k].n_unflushed = 0;
                if (w->targets[k].sent < cursor)
                        w->targets[k].sent = cursor;
        }
        atomic_fetch_add(&w->backlog, delta);
        dispatch(w);
}

static const char *error_text(enum evhttp_request_error e) {
        switch (e) {
        case EVREQ_HTTP_TIMEOUT: return "no answer in time";
        case EVREQ_HTTP_EOF: return "the connection was closed before an answer";
        case EVREQ_HTTP_INVALID_HEADER: return "the answer is not valid HTTP";
        case EVREQ_HTTP_BUFFER_ERROR: return "the connection failed";
        case EVREQ_HTTP_DATA_TOO_LONG: return "the answer is too long";
        default: return "the request failed";
        }
}

/* Logs a failed attempt, at most once per WEBHOOK_FAILURE_LOG_SEC per url. */
static void log_failure(struct target *t, const struct attempt *a, const char *why) {
        uint64_t now = now_usec();
        if (t->last_log_usec && now - t->last_log_usec < WEBHOOK_FAILURE_LOG_SEC * 1000000u) {
                t->suppressed++;
                return;
        }
        char f_url[MAX_URL_BYTES + 32], f_conflict[48], f_attempt[48];
        const char *fields[] = { f_url, f_conflict, f_attempt, NULL };
        snprintf(f_url, sizeof(f_url), "CLAIMD_WEBHOOK_URL=%s", t->url);
        snprintf(f_conflict, sizeof(f_conflict), "CLAIMD_CONFLICT_ID=%lld", (long long) a->d.conflict_id);
        snprintf(f_attempt, sizeof(f_attempt), "CLAIMD_ATTEMPT=%d", a->d.attempts + 1);
        log_struct(LOG_WARNING, CLAIMD_MESSAGE_WEBHOOK_FAILING, fields,
                   "webhook %s: delivering conflict %lld failed (attempt %d): %s; it will be retried%s",
                   t->url, (long long) a->d.conflict_id, a->d.attempts + 1, why,
                   t->suppressed ? " (earlier failures of this url not logged)" : "");
        t->last_log_usec = now;
        t->suppressed = 0;
}

/* An attempt ended with status (0: no answer; -1: its conflict is gone,
 * there is nothing to deliver); frees its slot, queues its outcome and
 * fills the slot again. */
static void attempt_end(struct attempt *a, int status) {
        struct target *t = a->t;
        struct webhook *w = t->w;
        struct delivery_outcome o = { .conflict_id = a->d.conflict_id, .url = t->index };
        char why[96];

        if (status < 0) {
                o.done = true;
                atomic_fetch_add(&w->dropped, 1);
        } else if (status >= 200 && status < 300) {
                o.done = true;
                atomic_fetch_add(&w->delivered, 1);
        } else {
                if (status > 0)
                        snprintf(why, sizeof(why), "the receiver answered %d", status);
                else
                        snprintf(why, sizeof(why), "%s", a->errored ? error_text(a->error) : "the request failed");
                log_failure(t, a, why);
                atomic_fetch_add(&w->failed, 1);
                o.attempts = a->d.attempts + 1;
                o.next_at = now_ms() + webhook_backoff_ms(o.attempts, (int64_t) w->cfg.retry_initial_sec * 1000,
                                                          (int64_t) w->cfg.retry_max_sec * 1000, jitter());
                o.error = why;
        }
        t->active[a->slot] = 0;
        /* not recorded (no memory): the row, or the cursor, makes it go again */
        if (outcome_add(w, &o) == 0)
                unflushed_add(t, a->d.conflict_id);
        free(a);
        dispatch(w);
}

static void request_error_cb(enum evhttp_request_error e, void *arg) {
        struct attempt *a = arg;
        a->error = e;
        a->errored = true;
}

static void request_done_cb(struct evhttp_request *req, void *arg) {
        attempt_end(arg, req ? evhttp_request_get_response_code(req) : 0);
}

/* A bufferevent for t: plain, or TLS with the host's name checked. */
static struct bufferevent *connection_bev(struct webhook *w, struct target *t) {
        if (!t->u.https)
                return bufferevent_socket_new(w->base, -1, BEV_OPT_CLOSE_ON_FREE);
        SSL *ssl = SSL_new(w->ssl);
        if (!ssl)
                return NULL;
        unsigned char ip[16];
        bool literal = inet_pton(AF_INET, t->u.host, ip) == 1 || inet_pton(AF_INET6, t->u.host, ip) == 1;
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        if (literal)
                X509_VERIFY_PARAM_set1_ip_asc(param, t->u.host);
        else {
                SSL_set_tlsext_host_name(ssl, t->u.host);
                X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                X509_VERIFY_PARAM_set1_host(param, t->u.host, 0);
        }
        struct bufferevent *bev = bufferevent_openssl_socket_new(w->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                                 BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
        if (!bev) {
                SSL_free(ssl);
                return NULL;
        }
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
        return bev;
}

/* Sends delivery d to t in slot; a failure to even start counts as a
 * failed attempt. */
static void send_one(struct webhook *w, struct target *t, size_t slot, const struct delivery *d) {
        struct attempt *a = calloc(1, sizeof(*a));
        json_t *c = NULL;
        char *body = NULL;

        if (!a)
                return;
        t->active[slot] = d->conflict_id;
        *a = (struct attempt) { .t = t, .slot = slot, .d = *d };

        int r = store_get_conflict_json(w->db, d->conflict_id, &c);
        if (r == -ENOENT) {
                /* retention deleted the conflict first: nothing to deliver */
                attempt_end(a, -1);
                return;
        }
        body = r == 0 ? json_dumps(c, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
        json_decref(c);
        struct bufferevent *bev = body ? connection_bev(w, t) : NULL;
        struct evhttp_connection *conn = bev ?
                evhttp_connection_base_bufferevent_new(w->base, w->dns, bev, t->u.host, (unsigned short) t->u.port) :
                NULL;
        struct evhttp_request *req = conn ? evhttp_request_new(request_done_cb, a) : NULL;
        if (!req) {
                if (conn)
                        evhttp_connection_free(conn);
                else if (bev)
                        bufferevent_free(bev);
                free(body);
                attempt_end(a, 0);
                return;
        }
        evhttp_connection_set_timeout(conn, w->cfg.timeout_sec);
        evhttp_connection_set_retries(conn, 0);
        evhttp_connection_set_max_body_size(conn, (ev_ssize_t) WEBHOOK_MAX_REPLY_BYTES);
        evhttp_connection_set_max_headers_size(conn, (ev_ssize_t) WEBHOOK_MAX_REPLY_BYTES);
        evhttp_request_set_error_cb(req, request_error_cb);

        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        char host[300], id[32], attempt[16], sig[WEBHOOK_SIGNATURE_SIZE];
        bool v6 = strchr(t->u.host, ':') != NULL;
        snprintf(host, sizeof(host), "%s%s%s:%d", v6 ? "[" : "", t->u.host, v6 ? "]" : "", t->u.port);
        snprintf(id, sizeof(id), "%lld", (long long) d->conflict_id);
        snprintf(attempt, sizeof(attempt), "%d", d->attempts + 1);
        evhttp_add_header(h, "Host", host);
        evhttp_add_header(h, "User-Agent", "claimd/" CLAIMD_VERSION);
        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "X-Claimd-Event", "conflict");
        evhttp_add_header(h, "X-Claimd-Delivery", id);
        evhttp_add_header(h, "X-Claimd-Attempt", attempt);
        evhttp_add_header(h, "Connection", "close");
        size_t len = strlen(body);
        if (w->secret && webhook_signature(w->secret, w->secret_len, body, len, sig) == 0)
                evhttp_add_header(h, "X-Claimd-Signature", sig);
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
        free(body);
        if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, t->u.path) < 0) {
                /* evhttp freed req and called nothing */
                evhttp_connection_free(conn);
                attempt_end(a, 0);
                return;
        }
        evhttp_connection_free_on_completion(conn);
}

/* Fills t's free slots: first with its due rows (retries, and conflicts
 * that found no free slot), then with conflicts that have no row yet. */
static void fill(struct webhook *w, struct target *t, int64_t now, int64_t *skip, struct delivery *due) {
        size_t max = (size_t) w->cfg.max_in_flight, n_skip = 0, n_free = 0, n_due = 0, n_new = 0;
        int64_t fresh[MAX_WEBHOOK_IN_FLIGHT];

        for (size_t j = 0; j < max; j++) {
                if (t->active[j])
                        skip[n_skip++] = t->active[j];
                else
                        n_free++;
        }
        if (n_free == 0)
                return;
        for (size_t j = 0; j < t->n_unflushed; j++)
                skip[n_skip++] = t->unflushed[j];
        int r = store_deliveries_due(w->db, t->url, now, skip, n_skip, due, n_free, &n_due);
        if (r >= 0 && n_due < n_free)
                r = store_conflict_ids_after(w->db, t->sent > w->cursor ? t->sent : w->cursor, fresh,
                                             n_free - n_due, &n_new);
        if (r < 0) {
                log_warning("webhook: reading due deliveries failed: %s", strerror(-r));
                return;
        }
        for (size_t i = 0; i < n_new; i++) {
                due[n_due++] = (struct delivery) { fresh[i], 0 };
                t->sent = fresh[i];
                w->dirty = true;
        }
        for (size_t i = 0, j = 0; i < n_due; i++) {
                while (t->active[j])
                        j++;
                send_one(w, t, j, &due[i]);
        }
}

/* Fills every url's free slots; schedules the recording of conflicts
 * seen after the durable cursor. */
static void dispatch(struct webhook *w) {
        int64_t now = now_ms();
        size_t n_skip = (size_t) w->cfg.max_in_flight;
        for (size_t k = 0; k < w->n; k++)
                if (w->targets[k].n_unflushed + (size_t) w->cfg.max_in_flight > n_skip)
                        n_skip = w->targets[k].n_unflushed + (size_t) w->cfg.max_in_flight;
        int64_t *skip = calloc(n_skip, sizeof(*skip));
        struct delivery *due = calloc((size_t) w->cfg.max_in_flight, sizeof(*due));
        for (size_t k = 0; skip && due && k < w->n; k++)
                fill(w, &w->targets[k], now, skip, due);
        free(skip);
        free(due);
        int64_t next = 0;
        size_t n = 0;
        if (!w->dirty && store_conflict_ids_after(w->db, w->cursor, &next, 1, &n) == 0 && n > 0)
                w->dirty = true;        /* new conflicts no slot took: they need rows */
        if (w->dirty)
                schedule_flush(w);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg) {
        dispatch(arg);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg) {
        struct webhook *w = arg;
        event_base_loopbreak(w->base);
}

static void *webhook_main(void *arg) {
        struct webhook *w = arg;
        pthread_setname_np(pthread_self(), "claimd-webhook");
        dispatch(w);
        event_base_dispatch(w->base);
        return NULL;
}

static int setup_tls(struct webhook *w) {
        w->ssl = SSL_CTX_new(TLS_client_method());
        if (!w->ssl)
                return -ENOMEM;
        SSL_CTX_set_min_proto_version(w->ssl, TLS1_2_VERSION);
        SSL_CTX_set_verify(w->ssl, SSL_VERIFY_PEER, NULL);
        int ok = w->cfg.ca_file ? SSL_CTX_load_verify_locations(w->ssl, w->cfg.ca_file, NULL)
                                : SSL_CTX_set_default_verify_paths(w->ssl);
        if (ok != 1) {
                char err[256];
                ERR_error_string_n(ERR_get_error(), err, sizeof(err));
                log_error("webhook: cannot load %s: %s", w->cfg.ca_file ? w->cfg.ca_file : "the system's CA store", err);
                return -EINVAL;
        }
        return 0;
}

static void webhook_free(struct webhook *w) {
        if (!w)
                return;
        for (size_t k = 0; k < w->n; k++) {
                webhook_url_free(&w->targets[k].u);
                free(w->targets[k].active);
                free(w->targets[k].unflushed);
                free(w->url_copies[k]);
        }
        for (size_t i = 0; i < w->n_out; i++)
                free(w->out_errors[i]);
        free(w->out);
        free(w->out_errors);
        if (w->wake_ev)
                event_free(w->wake_ev);
        if (w->poll_ev)
                event_free(w->poll_ev);
        if (w->flush_ev)
                event_free(w->flush_ev);
        if (w->stop_ev)
                event_free(w->stop_ev);
        if (w->dns)
                evdns_base_free(w->dns, 0);
        if (w->base)
                event_base_free(w->base);
        if (w->ssl)
                SSL_CTX_free(w->ssl);
        if (w->db)
                store_close(w->db);
        if (w->secret) {
                explicit_bzero(w->secret, w->secret_len);
                free(w->secret);
        }
        free(w);
}

int webhook_start(const struct config *cfg, struct webhook **ret) {
        const struct webhook_config *c = &cfg->webhook;
        *ret = NULL;
        if (c->n_urls == 0)
                return 0;

        struct webhook *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->cfg = *c;
        int r = 0;
        if (c->secret_file) {
                char err[512];
                r = token_load(c->secret_file, &w->secret, &w->secret_len, err, sizeof(err));
                if (r < 0) {
                        log_error("webhook secret_file: %s", err);
                        goto fail;
                }
        }
        w->base = event_base_new();
        w->dns = w->base ? evdns_base_new(w->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
                                                   EVDNS_BASE_DISABLE_WHEN_INACTIVE) : NULL;
        if (!w->dns && w->base)
                w->dns = evdns_base_new(w->base, 0);    /* no resolv.conf: numeric hosts and /etc/hosts */
        w->wake_ev = w->base ? event_new(w->base, -1, 0, wake_cb, w) : NULL;
        w->poll_ev = w->base ? event_new(w->base, -1, EV_PERSIST, wake_cb, w) : NULL;
        w->flush_ev = w->base ? evtimer_new(w->base, flush_cb, w) : NULL;
        w->stop_ev = w->base ? event_new(w->base, -1, 0, stop_cb, w) : NULL;
        struct timeval poll = { WEBHOOK_POLL_MSEC / 1000, (WEBHOOK_POLL_MSEC % 1000) * 1000 };
        if (!w->dns || !w->wake_ev || !w->poll_ev || !w->flush_ev || !w->stop_ev || event_add(w->poll_ev, &poll) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t k = 0; k < c->n_urls; k++) {
                struct target *t = &w->targets[k];
                const char *why = NULL;
                w->url_copies[k] = strdup(c->urls[k]);
                t->active = calloc((size_t) c->max_in_flight, sizeof(*t->active));
                if (!w->url_copies[k] || !t->active || webhook_url_parse(c->urls[k], &t->u, &why) < 0) {
                        r = why ? -EINVAL : -ENOMEM;
                        goto fail;
                }
                w->n++;
                t->w = w;
                t->index = k;
                t->url = w->urls[k] = w->url_copies[k];
                if (t->u.https && !w->ssl && (r = setup_tls(w)) < 0)
                        goto fail;
        }
        r = store_open(cfg->database, false, &w->db);
        if (r < 0) {
                w->db = NULL;
                log_error("webhook: cannot open the database %s: %s", cfg->database, strerror(-r));
                goto fail;
        }
        r = store_deliveries_connection(w->db);
        if (r >= 0)
                r = store_deliveries_forget_others(w->db, w->urls, w->n);
        if (r > 0)
                log_warning("webhook: dropped %d pending deliveries to urls no longer configured", r);
        int64_t backlog = 0;
        if (r >= 0)
                r = store_deliveries_record(w->db, w->urls, w->n, now_ms(), NULL, 0, NULL, &w->cursor);
        if (r >= 0)
                r = store_deliveries_count(w->db, &backlog);
        if (r < 0) {
                log_error("webhook: cannot read the pending deliveries: %s", strerror(-r));
                goto fail;
        }
        for (size_t k = 0; k < w->n; k++)
                w->targets[k].sent = w->cursor;
        atomic_store(&w->backlog, backlog);
        w->cfg.secret_file = w->cfg.ca_file = NULL;     /* read above; the configuration may go */
        r = -pthread_create(&w->thread, NULL, webhook_main, w);
        if (r < 0)
                goto fail;
        w->started = true;
        log_info("webhook: delivering to %zu url%s, %lld deliveries pending", w->n, w->n == 1 ? "" : "s",
                 (long long) backlog);
        *ret = w;
        return 0;
fail:
        webhook_free(w);
        return r;
}

void webhook_notify(struct webhook *w) {
        if (w)
                event_active(w->wake_ev, EV_READ, 1);
}

void webhook_get_stats(struct webhook *w, struct webhook_stats *ret) {
        *ret = (struct webhook_stats) {};
        if (!w)
                return;
        ret->delivered = atomic_load(&w->delivered);
        ret->failed = atomic_load(&w->failed);
        ret->dropped = atomic_load(&w->dropped);
        ret->backlog = atomic_load(&w->backlog);
}

void webhook_stop(struct webhook *w) {
        if (!w)
                return;
        if (w->started) {
                event_active(w->stop_ev, EV_READ, 1);
                pthread_join(w->thread, NULL);
                /* what finished is recorded; what is in flight is owed */
                if ((w->n_out > 0 || w->dirty) &&
                    store_deliveries_record(w->db, w->urls, w->n, now_ms(), w->out, w->n_out, NULL, NULL) == 0) {
                        for (size_t i = 0; i < w->n_out; i++)
                                free(w->out_errors[i]);
                        w->n_out = 0;
                }
        }
        webhook_free(w);
}
