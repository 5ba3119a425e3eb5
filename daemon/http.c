/* The evhttp server: limits, listeners, routing, authentication, replies.
 * Everything here runs on the event loop thread. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <systemd/sd-daemon.h>

#include "daemon/http-conn.h"
#include "daemon/http.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/stream.h"
#include "daemon/web.h"
#include "daemon/webhook.h"

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static const char *reason(int status) {
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

static struct event *sweep_ev;

/* Once a second: slow clients, hung-up long polls, the status line. */
static void sweep_cb(evutil_socket_t fd, short what, void *arg) {
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
        evhttp_send_reply(req, status, reason(status), body);
        struct evhttp_connection *conn = evhttp_request_get_connection(req);
        struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
        if (bev && needs_read_workaround())
                bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* Serializes body into s->out through one reused buffer: jansson's
 * callback API would call evbuffer_add() once per token.  Returns 0 or -1. */
static int dump_json(struct server *s, json_t *body) {
        static char *buf;
        static size_t cap;
        const size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(6);

        if (!body)
                return -1;
        size_t n = json_dumpb(body, buf, cap, flags);
        if (n == 0)
                return -1;
        if (n > cap) {
                size_t ncap = cap ? cap : 16384;
                while (ncap < n)
                        ncap *= 2;
                char *nb = realloc(buf, ncap);
                if (!nb)
                        return -1;
                buf = nb;
                cap = ncap;
                n = json_dumpb(body, buf, cap, flags);
                if (n == 0 || n > cap)
                        return -1;
        }
        int r = evbuffer_add(s->out, buf, n);
        if (cap > 4 * MIB) {
                /* one huge reply should not pin its buffer forever */
                free(buf);
                buf = NULL;
                cap = 0;
        }
        return r;
}

void reply_json(struct server *s, struct evhttp_request *req, enum route r, int status, json_t *body) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Cache-Control", "no-store");
        if (s->stopping)
                evhttp_add_header(h, "Connection", "close");
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        if (dump_json(s, body) < 0) {
                evbuffer_drain(s->out, evbuffer_get_length(s->out));
                evbuffer_add_printf(s->out, "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}");
                status = 500;
        }
        evbuffer_add(s->out, "\n", 1);
        json_decref(body);
        metrics_request(r, status);
        send_reply(req, status, s->out);
}

void reply_json_text(struct server *s, struct evhttp_request *req, enum route r, const char *text, size_t len) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Cache-Control", "no-store");
        if (s->stopping)
                evhttp_add_header(h, "Connection", "close");
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        evbuffer_add(s->out, text, len);
        evbuffer_add(s->out, "\n", 1);
        metrics_request(r, 200);
        send_reply(req, 200, s->out);
}

/* Logs the "request rejected" record, at most 20 a second (overload can
 * produce thousands); the suppressed count goes into the next record. */
static void log_rejected(struct evhttp_request *req, enum route r, int status, const char *code, const char *msg) {
        static time_t window;
        static unsigned n_in_window, suppressed;
        time_t now = time(NULL);

        if (now != window) {
                window = now;
                n_in_window = 0;
        }
        if (++n_in_window > 20) {
                suppressed++;
                return;
        }

        char f_status[32], f_code[64], f_route[64], f_method[32], f_supp[48];
        const char *fields[6] = {};
        size_t n = 0;
        snprintf(f_status, sizeof(f_status), "CLAIMD_HTTP_STATUS=%d", status);
        snprintf(f_code, sizeof(f_code), "CLAIMD_ERROR_CODE=%s", code);
        snprintf(f_route, sizeof(f_route), "CLAIMD_ROUTE=%s", route_to_string(r));
        fields[n++] = f_status;
        fields[n++] = f_code;
        fields[n++] = f_route;
        if (suppressed > 0) {
                snprintf(f_supp, sizeof(f_supp), "CLAIMD_SUPPRESSED=%u", suppressed);
                fields[n++] = f_supp;
        }
        (void) f_method;

        const char *uri = evhttp_request_get_uri(req);
        char path[120];
        snprintf(path, sizeof(path), "%s", uri ? uri : "(request line not parsed)");
        for (char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        const char *q = strchr(path, '?');
        if (q)
                path[q - path] = 0;     /* query strings may carry anything: keep them out */

        log_struct(LOG_WARNING, CLAIMD_MESSAGE_REJECTED, fields,
                   "request rejected: %d %s on %s: %s%s", status, code, path, msg,
                   suppressed ? " (earlier rejections suppressed)" : "");
        suppressed = 0;
}

static void reply_error_v(struct server *s, struct evhttp_request *req, enum route r, int status,
                          const char *code, const char *field, const char *fmt, va_list ap) {
        char msg[512];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        log_rejected(req, r, status, code, msg);
        reply_json(s, req, r, status, error_json(code, field, "%s", msg));
}

static struct server *the_server;       /* for evhttp_send_error() below */

/* libevent answers some requests itself, before claimd sees them
 * (malformed Content-Length, request lines or headers beyond its own caps,
 * bodies beyond the outer cap), through evhttp_send_error(), with an HTML
 * page.  libevent calls that exported function through its PLT, so this
 * definition in the executable takes its place (ELF symbol interposition):
 * the same status, Connection: close, and the JSON error of API.md. */
void evhttp_send_error(struct evhttp_request *req, int error, const char *why) {
        struct evbuffer *buf = evbuffer_new();
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        const char *code = error == 413 || error == 414 || error == 431 ? "too_large" :
                           error == 405 || error == 501 ? "method_not_allowed" :
                           error == 503 ? "overloaded" :
                           error == 404 ? "not_found" : "invalid_request";
        char big[96];
        snprintf(big, sizeof(big), "the request body is larger than %zu bytes",
                 the_server ? the_server->cfg.max_body_bytes : (size_t) 0);
        const char *msg = error == 413 ? big :
                          error == 400 ? "the request is not valid HTTP (request line, headers or Content-Length)" :
                          "the request cannot be handled";
        /* the framing filter made evhttp fail this request (http-conn.c):
         * answer with what it found */
        const struct http_framing_error *fe = conn_refusal(req);
        if (fe) {
                error = fe->status;
                code = fe->code;
                msg = fe->message;
                why = reason(error);
        }

        /* a request line that was never parsed has no version yet */
        if (req->major == 0 && req->minor == 0) {
                req->major = 1;
                req->minor = 1;
        }
        evhttp_clear_headers(h);
        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Connection", "close");
        if (error == 405)
                evhttp_add_header(h, "Allow", "GET, HEAD, POST");
        json_t *e = error_json(code, NULL, "%s", msg);
        char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
        if (buf && text)
                evbuffer_add_printf(buf, "%s\n", text);
        free(text);
        json_decref(e);
        log_rejected(req, ROUTE_OTHER, error, code, msg);
        metrics_request(ROUTE_OTHER, error);
        evhttp_send_reply(req, error, why, buf);
        if (buf)
                evbuffer_free(buf);
}

void reply_error(struct server *s, struct evhttp_request *req, enum route r, int status,
                 const char *code, const char *field, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        reply_error_v(s, req, r, status, code, field, fmt, ap);
        va_end(ap);
}

void reply_api_error(struct server *s, struct evhttp_request *req, enum route r, const struct api_error *e) {
        reply_error(s, req, r, e->status, e->code, e->field[0] ? e->field : NULL, "%s", e->message);
}

void reply_store_error(struct server *s, struct evhttp_request *req, enum route rt, int r) {
        if (store_error_is_fault(r)) {
                log_error("database read failed: %s (%s)", strerror(-r), store_errmsg(s->ro));
                reply_error(s, req, rt, 503, "store_unavailable", NULL,
                            "the database cannot be read right now; try again later");
        } else {
                log_error("database read failed: %s (%s)", strerror(-r), store_errmsg(s->ro));
                reply_error(s, req, rt, 500, "internal_error", NULL, "the database read failed");
        }
}

/* Compares a presented token with the configured one in time that depends
 * only on the configured token's length. */
static bool token_equal(const char *given, size_t given_len, const char *want, size_t want_len) {
        unsigned char d = given_len != want_len;
        for (size_t i = 0; i < want_len; i++) {
                unsigned char g = i < given_len ? (unsigned char) given[i] : 0;
                d |= g ^ (unsigned char) want[i];
        }
        return d == 0;
}

/* Checks the Authorization header when a token is configured; replies 401
 * and returns false when it is missing or wrong. */
static bool authorized(struct server *s, struct evhttp_request *req, enum route r) {
        if (!s->token)
                return true;

        const char *a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
        bool given = false;
        if (a) {
                while (*a == ' ')
                        a++;
                if (strncasecmp(a, "Bearer", 6) == 0 && (a[6] == ' ' || a[6] == '\t')) {
                        const char *t = a + 7;
                        while (*t == ' ' || *t == '\t')
                                t++;
                        size_t n = strlen(t);
                        while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
                                n--;
                        given = true;
                        if (token_equal(t, n, s->token, s->token_len))
                                return true;
                }
        }
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          given ? "Bearer realm=\"claimd\", error=\"invalid_token\"" : "Bearer realm=\"claimd\"");
        reply_error(s, req, r, 401, "unauthorized", NULL,
                    given ? "the bearer token is not valid" : "this endpoint needs 'Authorization: Bearer TOKEN'");
        return false;
}

int token_load(const char *path, char **ret, size_t *ret_len, char *err, size_t errsize) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int r = -errno;
                snprintf(err, errsize, "cannot open token file %s: %s", path, strerror(-r));
                return r;
        }
        char buf[MAX_TOKEN_BYTES + 2];
        size_t n = 0;
        for (;;) {
                ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;
                        close(fd);
                        snprintf(err, errsize, "cannot read token file %s: %s", path, strerror(-r));
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n >= sizeof(buf) - 1)
                        break;
        }
        close(fd);
        if (n > MAX_TOKEN_BYTES) {
                snprintf(err, errsize, "token file %s: token longer than %d bytes", path, MAX_TOKEN_BYTES);
                return -EINVAL;
        }
        buf[n] = 0;
        char *t = buf;
        while (*t && isspace((unsigned char) *t))
                t++;
        size_t len = strcspn(t, "\r\n");
        while (len > 0 && isspace((unsigned char) t[len - 1]))
                len--;
        if (len == 0) {
                snprintf(err, errsize, "token file %s holds no token", path);
                return -ENODATA;
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) t[i] <= 0x20 || (unsigned char) t[i] >= 0x7f) {
                        snprintf(err, errsize, "token file %s: the token must be printable ASCII without spaces", path);
                        return -EINVAL;
                }
        char *copy = strndup(t, len);
        explicit_bzero(buf, sizeof(buf));
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        *ret_len = len;
        return 0;
}

/* Parses a path id: a positive decimal integer that fits int64.  Returns
 * false for anything else (the caller answers 404). */
static bool parse_id(const char *s, int64_t *ret) {
        int64_t v = 0;
        if (!*s || strlen(s) > 19)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                int d = *p - '0';
                if (v > (INT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        if (v <= 0)
                return false;
        *ret = v;
        return true;
}

/* Is tail (what follows "/v1/conflicts/") "ID/history"?  Sets *ok when
 * ID is a valid id (parse_id()), filling *id. */
static bool conflict_history_path(const char *tail, int64_t *id, bool *ok) {
        const char *slash = strchr(tail, '/');
        char buf[24];

        if (!slash || strcmp(slash, "/history") != 0)
                return false;
        size_t n = (size_t) (slash - tail);
        *ok = n > 0 && n < sizeof(buf);
        if (*ok) {
                memcpy(buf, tail, n);
                buf[n] = 0;
                *ok = parse_id(buf, id);
        }
        return true;
}

/* Sums what the client sent in the request line and headers. */
static size_t header_bytes(struct evhttp_request *req) {
        struct evkeyvalq *h = evhttp_request_get_input_headers(req);
        const char *uri = evhttp_request_get_uri(req);
        size_t n = uri ? strlen(uri) + 16 : 16;
        for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next)
                n += strlen(kv->key) + strlen(kv->value) + 4;
        return n;
}

static const char *method_name(enum evhttp_cmd_type m) {
        switch (m) {
        case EVHTTP_REQ_GET: return "GET";
        case EVHTTP_REQ_POST: return "POST";
        case EVHTTP_REQ_HEAD: return "HEAD";
        case EVHTTP_REQ_PUT: return "PUT";
        case EVHTTP_REQ_DELETE: return "DELETE";
        case EVHTTP_REQ_OPTIONS: return "OPTIONS";
        case EVHTTP_REQ_TRACE: return "TRACE";
        case EVHTTP_REQ_CONNECT: return "CONNECT";
        case EVHTTP_REQ_PATCH: return "PATCH";
        default: return "this method";
        }
}

static void method_not_allowed(struct server *s, struct evhttp_request *req, enum route r, const char *allow) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        reply_error(s, req, r, 405, "method_not_allowed", NULL, "%s is not allowed here; use %s",
                    method_name(evhttp_request_get_command(req)), allow);
}

/* The one evhttp callback: limits, routing, methods, authentication. */
static void handle_request(struct evhttp_request *req, void *arg) {
        struct server *s = arg;
        uint64_t t0 = now_usec();
        enum evhttp_cmd_type m = evhttp_request_get_command(req);
        bool get = m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD;
        const char *uri = evhttp_request_get_uri(req);

        pause_reading(req);
        conn_request_begin(req);
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

        enum route r;
        int64_t id = 0;
        bool post = false, has_id = false, id_ok = false;
        const char *rest;
        if (strcmp(path, "/v1/articles") == 0)
                r = ROUTE_ARTICLES_POST, post = true;
        else if (strcmp(path, "/v1/compare") == 0)
                r = ROUTE_COMPARE, post = true;
        else if (strcmp(path, "/v1/conflicts") == 0)
                r = ROUTE_CONFLICTS;
        else if (strcmp(path, "/v1/events") == 0)
                r = ROUTE_EVENTS;
        else if (strcmp(path, "/healthz") == 0)
                r = ROUTE_HEALTHZ;
        else if (strcmp(path, "/metrics") == 0)
                r = ROUTE_METRICS;
        else if (strcmp(path, "/v1/conflicts/stream") == 0)
                r = ROUTE_STREAM;
        else if (web_asset_find(path))
                r = ROUTE_DASHBOARD;
        else if (strncmp(path, "/v1/conflicts/", 14) == 0 && conflict_history_path(path + 14, &id, &id_ok))
                r = ROUTE_CONFLICT_HISTORY, has_id = true, rest = NULL;
        else if (strncmp(path, "/v1/articles/", 13) == 0)
                r = ROUTE_ARTICLE_GET, has_id = true, rest = path + 13;
        else if (strncmp(path, "/v1/conflicts/", 14) == 0)
                r = ROUTE_CONFLICT_GET, has_id = true, rest = path + 14;
        else if (strncmp(path, "/v1/events/", 11) == 0)
                r = ROUTE_EVENT_GET, has_id = true, rest = path + 11;
        else {
                reply_error(s, req, ROUTE_OTHER, 404, "not_found", NULL, "no such endpoint");
                return;
        }
        if (has_id && rest)
                id_ok = parse_id(rest, &id);
        if (r == ROUTE_CONFLICT_GET && m == EVHTTP_REQ_PATCH)
                r = ROUTE_CONFLICT_PATCH, post = true;

        if (r == ROUTE_CONFLICT_GET && !get) {
                method_not_allowed(s, req, r, "GET, HEAD, PATCH");
                return;
        }
        if (post && m != EVHTTP_REQ_POST && r != ROUTE_CONFLICT_PATCH) {
                method_not_allowed(s, req, r, "POST");
                return;
        }
        if (!post && !get) {
                method_not_allowed(s, req, r, "GET, HEAD");
                return;
        }

        if (s->stopping) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
                reply_error(s, req, r, 503, "shutting_down", NULL, "claimd is shutting down");
                return;
        }

        if (post) {
                if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > s->cfg.max_body_bytes) {
                        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
                        reply_error(s, req, r, 413, "too_large", NULL,
                                    "the request body is larger than %zu bytes", s->cfg.max_body_bytes);
                        return;
                }
                if (!authorized(s, req, r))
                        return;
                if ((r == ROUTE_ARTICLES_POST || r == ROUTE_CONFLICT_PATCH) && s->workers && workers_store_lost(s->workers)) {
                        reply_error(s, req, r, 503, "store_unavailable", NULL,
                                    "the database file was deleted or replaced while claimd ran: "
                                    "writes are refused until claimd is restarted");
                        return;
                }
        } else if (s->cfg.require_token_for_reads && r != ROUTE_HEALTHZ && r != ROUTE_DASHBOARD &&
                   !authorized(s, req, r))
                return;         /* the dashboard's files are public: the page asks for the token */

        if (!post && r != ROUTE_METRICS && r != ROUTE_DASHBOARD && !http_store_ready(s)) {
                reply_error(s, req, r, 503, "store_unavailable", NULL,
                            "the database cannot be read right now; try again later");
                return;
        }

        if (has_id && !id_ok) {
                reply_error(s, req, r, 404, "not_found", "id",
                            "no such %s: ids are positive decimal integers",
                            r == ROUTE_ARTICLE_GET ? "article" : r == ROUTE_EVENT_GET ? "event" : "conflict");
                return;
        }

        switch (r) {
        case ROUTE_ARTICLES_POST: route_post_article(s, req, t0); break;
        case ROUTE_COMPARE: route_post_compare(s, req, t0); break;
        case ROUTE_ARTICLE_GET: route_get_article(s, req, id); break;
        case ROUTE_CONFLICT_GET: route_get_conflict(s, req, id); break;
        case ROUTE_EVENT_GET: route_get_event(s, req, id); break;
        case ROUTE_CONFLICTS: route_list_conflicts(s, req); break;
        case ROUTE_EVENTS: route_list_events(s, req); break;
        case ROUTE_HEALTHZ: route_healthz(s, req); break;
        case ROUTE_METRICS: route_metrics(s, req); break;
        case ROUTE_STREAM: route_stream(s, req); break;
        case ROUTE_DASHBOARD: route_dashboard(s, req, path); break;
        case ROUTE_CONFLICT_PATCH: route_patch_conflict(s, req, id, t0); break;
        case ROUTE_CONFLICT_HISTORY: route_conflict_history(s, req, id); break;
        default:
                reply_error(s, req, ROUTE_OTHER, 404, "not_found", NULL, "no such endpoint");
        }
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
        the_server = s;
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
        sweep_ev = event_new(s->base, -1, EV_PERSIST, sweep_cb, s);
        struct timeval tv = { 1, 0 };
        if (!sweep_ev || event_add(sweep_ev, &tv) < 0)
                return -ENOMEM;
        return streams_setup(s);
}

static const char *addr_to_string(const struct sockaddr *sa, char *buf, size_t size);

const char *http_remote_listener(struct server *s, char *buf, size_t size) {
        for (size_t i = 0; i < s->n_sockets; i++) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                evutil_socket_t fd = evhttp_bound_socket_get_fd(s->sockets[i]);
                if (getsockname(fd, (struct sockaddr *) &ss, &len) == 0 &&
                    !config_address_is_loopback((struct sockaddr *) &ss))
                        return addr_to_string((struct sockaddr *) &ss, buf, size);
        }
        return NULL;
}

static int check_remote(struct server *s, const struct sockaddr *sa, const char *what) {
        if (s->token || s->cfg.allow_remote || config_address_is_loopback(sa))
                return 0;
        log_error("refusing to serve on %s without an API token: configure [security] token_file "
                  "or set allow_remote = true", what);
        return -EPERM;
}

static const char *addr_to_string(const struct sockaddr *sa, char *buf, size_t size) {
        char host[INET6_ADDRSTRLEN] = "?";
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
                snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
        } else if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
        } else
                snprintf(buf, size, "(socket family %d)", sa->sa_family);
        return buf;
}

int http_listen(struct server *s) {
        int n = sd_listen_fds(1);
        if (n < 0) {
                log_error("sd_listen_fds failed: %s", strerror(-n));
                return n;
        }
        if (n > 0) {
                for (int i = 0; i < n; i++) {
                        int fd = SD_LISTEN_FDS_START + i;
                        struct sockaddr_storage ss;
                        socklen_t len = sizeof(ss);
                        char name[128];
                        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0) {
                                log_error("passed socket %d: %s", fd, strerror(errno));
                                return -errno;
                        }
                        addr_to_string((struct sockaddr *) &ss, name, sizeof(name));
                        if (check_remote(s, (struct sockaddr *) &ss, name) < 0)
                                return -EPERM;
                        evutil_make_socket_nonblocking(fd);
                        evutil_make_socket_closeonexec(fd);
                        struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(s->http, fd);
                        if (!b) {
                                log_error("cannot accept on passed socket %s", name);
                                return -EIO;
                        }
                        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), conn_accept_error);
                        if (s->n_sockets < sizeof(s->sockets) / sizeof(s->sockets[0]))
                                s->sockets[s->n_sockets++] = b;
                        log_info("listening on %s (socket activation)", name);
                }
                s->socket_activated = true;
                return 0;
        }

        for (size_t i = 0; i < s->cfg.n_listen; i++) {
                struct sockaddr_storage ss;
                socklen_t len;
                const char *a = s->cfg.listen[i];
                if (config_parse_address(a, &ss, &len) < 0) {
                        log_error("listen: not an address:port: '%s'", a);
                        return -EINVAL;
                }
                if (check_remote(s, (struct sockaddr *) &ss, a) < 0)
                        return -EPERM;
                int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        log_error("listen %s: socket: %s", a, strerror(errno));
                        return -errno;
                }
                int one = 1;
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (ss.ss_family == AF_INET6)
                        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
                if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
                        int r = -errno;
                        log_error("cannot listen on %s: %s", a, strerror(-r));
                        close(fd);
                        return r;
                }
                struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(s->http, fd);
                if (!b) {
                        log_error("cannot accept on %s", a);
                        close(fd);
                        return -EIO;
                }
                evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), conn_accept_error);
                s->sockets[s->n_sockets++] = b;
                log_info("listening on %s", a);
        }
        return 0;
}

void http_close_listeners(struct server *s) {
        for (size_t i = 0; i < s->n_sockets; i++)
                evhttp_del_accept_socket(s->http, s->sockets[i]);
        s->n_sockets = 0;
}

void http_free(struct server *s) {
        streams_free(s);
        if (sweep_ev)
                event_free(sweep_ev);
        sweep_ev = NULL;
        if (s->http)
                evhttp_free(s->http);
        conn_free_all();
        if (s->out)
                evbuffer_free(s->out);
        s->http = NULL;
        s->out = NULL;
}

/* Writes the "conflict detected" journal record for one stored conflict. */
static void log_conflict(json_t *c) {
        json_int_t id = json_integer_value(json_object_get(c, "id"));
        const char *kind = json_string_value(json_object_get(c, "kind"));
        double score = json_number_value(json_object_get(c, "score"));
        json_int_t event = json_integer_value(json_object_get(c, "event_id"));
        json_t *claims = json_object_get(c, "claims");
        const char *who[2] = { "?", "?" }, *src[2] = { "?", "?" }, *text = "";
        char sidebuf[2][256];

        for (size_t i = 0; i < 2 && i < json_array_size(claims); i++) {
                json_t *cl = json_array_get(claims, i);
                const char *so = json_string_value(json_object_get(cl, "source"));
                const char *sp = json_string_value(json_object_get(json_object_get(cl, "speaker"), "name"));
                src[i] = so ? so : "?";
                snprintf(sidebuf[i], sizeof(sidebuf[i]), "%s/%s", src[i], sp ? sp : "(the outlet)");
                who[i] = sidebuf[i];
                if (i == 0) {
                        const char *t = json_string_value(json_object_get(cl, "text"));
                        text = t ? t : "";
                }
        }

        char sources[520];
        if (strcmp(src[0], src[1]) == 0)
                snprintf(sources, sizeof(sources), "%s", src[0]);
        else
                snprintf(sources, sizeof(sources), "%s,%s", src[0], src[1]);

        char f_id[48], f_kind[64], f_score[48], f_event[48], f_sources[560];
        snprintf(f_id, sizeof(f_id), "CLAIMD_CONFLICT_ID=%lld", (long long) id);
        snprintf(f_kind, sizeof(f_kind), "CLAIMD_KIND=%s", kind ? kind : "?");
        snprintf(f_score, sizeof(f_score), "CLAIMD_SCORE=%.2f", score);
        snprintf(f_event, sizeof(f_event), "CLAIMD_EVENT_ID=%lld", (long long) event);
        snprintf(f_sources, sizeof(f_sources), "CLAIMD_SOURCES=%s", sources);
        const char *fields[] = { f_id, f_kind, f_score, f_event, f_sources, NULL };

        /* cut the quoted text at a character boundary */
        char quoted[160];
        size_t n = strlen(text);
        bool cut = n > 120;
        if (cut) {
                n = 120;
                while (n > 0 && ((unsigned char) text[n] & 0xc0) == 0x80)
                        n--;
        }
        snprintf(quoted, sizeof(quoted), "%.*s%s", (int) n, text, cut ? " ..." : "");

        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_CONFLICT, fields, "conflict %lld (%s, %.2f): %s vs %s: '%s'",
                   (long long) id, kind ? kind : "?", score, who[0], who[1], quoted);
}

static void close_ro(void *userdata) {
        struct server *s = userdata;
        store_close(s->ro);
        s->ro = NULL;
}

static void open_ro(void *userdata) {
        struct server *s = userdata;
        if (store_open(s->cfg.database, true, &s->ro) < 0)
                s->ro = NULL;
}

bool http_store_ready(struct server *s) {
        if (!s->ro)
                open_ro(s);
        return s->ro != NULL;
}

/* A write found the database read-only: reopen every connection, at most
 * every STORE_RETRY_SEC, so writes resume when the fault is gone. */
static void maybe_reopen(struct server *s) {
        static uint64_t last;
        uint64_t now = now_usec();

        if (last && now - last < STORE_RETRY_SEC * 1000000u)
                return;
        last = now;
        int r = workers_reopen_store(s->workers, close_ro, open_ro, s);
        log_debug("database reopened after a read-only fault: %s", r < 0 ? strerror(-r) : "ok");
}

void http_job_done(struct job *j, void *userdata) {
        struct server *s = userdata;
        bool reopen = j->store_reopen;
        enum route r = j->kind == JOB_INGEST ? ROUTE_ARTICLES_POST :
                       j->kind == JOB_REVIEW ? ROUTE_CONFLICT_PATCH : ROUTE_COMPARE;
        int status = j->status ? j->status : 500;

        if (j->kind == JOB_REVIEW && status == 200)
                review_done(s, j);

        if (j->kind == JOB_INGEST && status < 300) {
                char f_id[48], f_src[MAX_SOURCE_BYTES + 32], f_claims[48], f_dup[32];
                const char *fields[] = { f_id, f_src, f_claims, f_dup, NULL };
                snprintf(f_id, sizeof(f_id), "CLAIMD_ARTICLE_ID=%lld", (long long) j->result.article_id);
                snprintf(f_src, sizeof(f_src), "CLAIMD_SOURCE=%s", j->article.source);
                snprintf(f_claims, sizeof(f_claims), "CLAIMD_CLAIMS=%d", j->result.n_claims);
                snprintf(f_dup, sizeof(f_dup), "CLAIMD_DUPLICATE=%d", j->result.duplicate);
                if (j->result.duplicate)
                        log_struct(LOG_INFO, CLAIMD_MESSAGE_INGESTED, fields,
                                   "article from %s is a duplicate of article %lld", j->article.source,
                                   (long long) j->result.article_id);
                else
                        log_struct(LOG_INFO, CLAIMD_MESSAGE_INGESTED, fields,
                                   "article %lld ingested from %s: %d claims, %zu conflicts",
                                   (long long) j->result.article_id, j->article.source,
                                   j->result.n_claims, j->result.n_conflicts);

                size_t i;
                json_t *c;
                json_array_foreach(j->conflicts, i, c)
                        log_conflict(c);

                metrics_ingest((double) (now_usec() - j->started_usec) / 1e6, j->result.n_claims,
                               (int) j->result.n_conflicts, j->result.duplicate);
        }

        if (status >= 400) {
                json_t *e = json_object_get(json_object_get(j->reply, "error"), "message");
                log_rejected(j->req, r, status, j->error_code ? j->error_code : "internal_error",
                             json_string_value(e) ? json_string_value(e) : "");
        }
        if (j->batch)
                batch_line_done(s, j);
        else {
                if (status == 503)
                        evhttp_add_header(evhttp_request_get_output_headers(j->req), "Retry-After", "1");
                reply_json(s, j->req, r, status, json_incref(j->reply));
        }

        if (j->result.n_conflicts > 0)
                conflicts_changed();
        int64_t max_id = 0;
        for (size_t i = 0; i < j->result.n_conflicts; i++)
                if (j->result.conflict_ids[i] > max_id)
                        max_id = j->result.conflict_ids[i];
        job_free(j);
        if (max_id > 0) {
                pollers_wake(s, max_id);
                streams_conflicts(s, max_id);
                webhook_notify(s->webhook);
        }
        if (reopen && s->workers)
                maybe_reopen(s);
}
