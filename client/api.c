/* claimctl's HTTP client (see api.h): libevent's evhttp client on a private
 * event base, one request at a time.  Each call builds the request, runs the
 * loop until the answer (or an error) is in and copies what the caller needs
 * out of libevent's request, which libevent frees after the callback. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "client/api.h"

#define RETRY_FIRST_SEC 0.5
#define RETRY_MAX_SEC   30.0

struct api {
        struct event_base *base;
        struct evhttp_connection *conn;
        struct event *sig_int, *sig_term;
        char *url;
        char *host_header;      /* "host:port" */
        char *prefix;           /* the URL's path without its trailing '/', "" for none */
        char *token;            /* NULL: no Authorization header */
        int timeout_sec;
        bool interrupted;
        struct pending *current;
};

/* One request in flight. */
struct pending {
        struct api *a;
        struct evhttp_request *req;     /* NULL once libevent has freed it */
        struct api_response *resp;
        int (*on_data)(const char *data, size_t len, void *userdata);
        void *userdata;
        struct evbuffer *kept;          /* a stream's non-200 body (libevent drains after on_chunk) */
        bool got_headers;
        bool stopped;                   /* on_data asked to close the stream */
        bool done;
        int error;                      /* negative errno, 0 */
};

void api_response_clear(struct api_response *r) {
        free(r->body);
        free(r->content_type);
        *r = (struct api_response) { .retry_after = -1 };
}

static void on_signal(evutil_socket_t fd, short what, void *arg) {
        struct api *a = arg;
        a->interrupted = true;
        if (a->current) {
                struct pending *p = a->current;
                p->error = -EINTR;
                p->done = true;
                if (p->req) {
                        evhttp_cancel_request(p->req);
                        p->req = NULL;
                }
        }
        event_base_loopbreak(a->base);
}

/* Splits url into host header and prefix; fills a or says what is wrong. */
static int parse_url(struct api *a, const char *url, char *err, size_t err_size) {
        struct evhttp_uri *u = strstr(url, "://") ? evhttp_uri_parse(url) : NULL;
        if (!u) {
                snprintf(err, err_size, "'%s' is not a URL: give http://HOST:PORT (e.g. http://127.0.0.1:8080)", url);
                return -EINVAL;
        }
        const char *scheme = evhttp_uri_get_scheme(u), *host = evhttp_uri_get_host(u);
        const char *path = evhttp_uri_get_path(u);
        int port = evhttp_uri_get_port(u), r = 0;
        if (!scheme || strcasecmp(scheme, "http") != 0) {
                snprintf(err, err_size, "'%s': claimctl speaks plain http (for https, put it behind a local "
                         "TLS proxy or use an ssh tunnel)", url);
                r = -EINVAL;
        } else if (!host || !*host) {
                snprintf(err, err_size, "'%s' names no host", url);
                r = -EINVAL;
        } else if (evhttp_uri_get_query(u) || evhttp_uri_get_fragment(u)) {
                snprintf(err, err_size, "'%s': a query or fragment has no place in --url", url);
                r = -EINVAL;
        } else {
                port = port > 0 ? port : 80;
                bool v6 = strchr(host, ':') != NULL;
                size_t pn = path ? strlen(path) : 0;
                while (pn > 0 && path[pn - 1] == '/')
                        pn--;
                a->conn = evhttp_connection_base_new(a->base, NULL, host, (unsigned short) port);
                if (!a->conn || asprintf(&a->host_header, v6 ? "[%s]:%d" : "%s:%d", host, port) < 0 ||
                    !(a->prefix = strndup(pn ? path : "", pn)))
                        r = -ENOMEM;
        }
        evhttp_uri_free(u);
        return r;
}

int api_new(const char *url, const char *token, int timeout_sec, struct api **ret, char *err, size_t err_size) {
        struct api *a = calloc(1, sizeof(*a));
        if (!a || !(a->base = event_base_new()) || !(a->url = strdup(url)) || (token && !(a->token = strdup(token)))) {
                api_free(a);
                snprintf(err, err_size, "out of memory");
                return -ENOMEM;
        }
        a->timeout_sec = timeout_sec > 0 ? timeout_sec : 30;
        int r = parse_url(a, url, err, err_size);
        if (r < 0) {
                api_free(a);
                return r;
        }
        evhttp_connection_set_retries(a->conn, 0);
        a->sig_int = evsignal_new(a->base, SIGINT, on_signal, a);
        a->sig_term = evsignal_new(a->base, SIGTERM, on_signal, a);
        if (!a->sig_int || !a->sig_term || event_add(a->sig_int, NULL) < 0 || event_add(a->sig_term, NULL) < 0) {
                api_free(a);
                snprintf(err, err_size, "cannot install the signal handlers");
                return -ENOMEM;
        }
        *ret = a;
        return 0;
}

void api_free(struct api *a) {
        if (!a)
                return;
        if (a->conn)
                evhttp_connection_free(a->conn);
        if (a->sig_int)
                event_free(a->sig_int);
        if (a->sig_term)
                event_free(a->sig_term);
        if (a->base)
                event_base_free(a->base);
        if (a->token)
                explicit_bzero(a->token, strlen(a->token));
        free(a->token);
        free(a->url);
        free(a->host_header);
        free(a->prefix);
        free(a);
}

const char *api_url(const struct api *a) {
        return a->url;
}

bool api_interrupted(const struct api *a) {
        return a->interrupted;
}

bool api_url_is_loopback(const char *url) {
        struct evhttp_uri *u = evhttp_uri_parse(url);
        const char *h = u ? evhttp_uri_get_host(u) : NULL;
        bool lo = h && (strcasecmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0);
        if (u)
                evhttp_uri_free(u);
        return lo;
}

/* Copies what the caller needs out of libevent's answer. */
static void take_response(struct pending *p, struct evhttp_request *req) {
        struct api_response *r = p->resp;
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        struct evkeyvalq *h = evhttp_request_get_input_headers(req);
        if (p->kept) {
                evbuffer_add_buffer(p->kept, in);
                in = p->kept;
        }
        size_t n = evbuffer_get_length(in);

        r->status = evhttp_request_get_response_code(req);
        r->body = malloc(n + 1);
        if (!r->body) {
                p->error = -ENOMEM;
                return;
        }
        evbuffer_remove(in, r->body, n);
        r->body[n] = 0;
        r->len = n;
        const char *ct = evhttp_find_header(h, "Content-Type");
        r->content_type = ct ? strdup(ct) : NULL;
        const char *ra = evhttp_find_header(h, "Retry-After");
        r->retry_after = ra && *ra >= '0' && *ra <= '9' ? atoi(ra) : -1;
}

static void on_done(struct evhttp_request *req, void *arg) {
        struct pending *p = arg;
        if (p->done)
                return;
        if (!req || evhttp_request_get_response_code(req) == 0) {
                if (!p->error)
                        p->error = p->got_headers ? -ECONNRESET : -ECONNREFUSED;
        } else
                take_response(p, req);
        p->req = NULL;
        p->done = true;
        event_base_loopbreak(p->a->base);
}

static void on_error(enum evhttp_request_error e, void *arg) {
        struct pending *p = arg;
        if (p->error)
                return;
        if (e == EVREQ_HTTP_TIMEOUT)
                p->error = -ETIMEDOUT;
        else if (e == EVREQ_HTTP_INVALID_HEADER || e == EVREQ_HTTP_DATA_TOO_LONG)
                p->error = -EPROTO;
        else if (e == EVREQ_HTTP_REQUEST_CANCEL)
                p->error = p->stopped ? 0 : -EINTR;
        else
                p->error = p->got_headers ? -ECONNRESET : -ECONNREFUSED;
}

static int on_headers(struct evhttp_request *req, void *arg) {
        struct pending *p = arg;
        p->got_headers = true;
        return 0;
}

/* Body pieces of a 200 stream go to on_data; other answers are kept whole. */
static void on_chunk(struct evhttp_request *req, void *arg) {
        struct pending *p = arg;
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        if (p->stopped)
                return;
        if (evhttp_request_get_response_code(req) != 200) {
                if (p->kept)
                        evbuffer_add_buffer(p->kept, in);
                return;
        }
        size_t n = evbuffer_get_length(in);
        const char *data = (const char *) evbuffer_pullup(in, -1);
        int stop = n ? p->on_data(data, n, p->userdata) : 0;
        evbuffer_drain(in, n);
        if (stop) {     /* cancelled by run_request(), outside libevent's callback */
                p->stopped = true;
                p->done = true;
                event_base_loopbreak(p->a->base);
        }
}

static enum evhttp_cmd_type method_type(const char *m) {
        if (strcmp(m, "POST") == 0)
                return EVHTTP_REQ_POST;
        if (strcmp(m, "PATCH") == 0)
                return EVHTTP_REQ_PATCH;
        return EVHTTP_REQ_GET;
}

/* Adds the headers every request carries, and the body. */
static int fill_request(struct api *a, struct evhttp_request *req, const char *content_type, const void *body,
                        size_t len, const char *extra_header) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        char buf[64];
        int r = evhttp_add_header(h, "Host", a->host_header) | evhttp_add_header(h, "User-Agent", "claimctl");
        r |= evhttp_add_header(h, "Accept", extra_header ? "text/event-stream" : "application/json");
        if (a->token) {
                char *auth;
                if (asprintf(&auth, "Bearer %s", a->token) < 0)
                        return -ENOMEM;
                r |= evhttp_add_header(h, "Authorization", auth);
                explicit_bzero(auth, strlen(auth));
                free(auth);
        }
        if (extra_header) {
                const char *colon = strchr(extra_header, ':');
                char *name = colon ? strndup(extra_header, (size_t) (colon - extra_header)) : NULL;
                if (!name)
                        return -ENOMEM;
                r |= evhttp_add_header(h, name, colon + 1 + strspn(colon + 1, " "));
                free(name);
        }
        if (body) {
                snprintf(buf, sizeof(buf), "%zu", len);
                r |= evhttp_add_header(h, "Content-Type", content_type ? content_type : "application/json");
                r |= evhttp_add_header(h, "Content-Length", buf);
                r |= evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
        }
        return r ? -ENOMEM : 0;
}

/* Sends one request and runs the loop until it is answered or fails. */
static int run_request(struct api *a, struct pending *p, const char *method, const char *target,
                       const char *content_type, const void *body, size_t len, const char *extra_header,
                       int timeout_sec) {
        char *uri;
        if (a->interrupted)
                return -EINTR;
        if (asprintf(&uri, "%s%s", a->prefix, target) < 0)
                return -ENOMEM;
        p->req = evhttp_request_new(on_done, p);
        if (!p->req || fill_request(a, p->req, content_type, body, len, extra_header) < 0) {
                if (p->req)
                        evhttp_request_free(p->req);
                free(uri);
                return -ENOMEM;
        }
        evhttp_request_set_error_cb(p->req, on_error);
        evhttp_request_set_header_cb(p->req, on_headers);
        if (p->on_data) {
                if (!(p->kept = evbuffer_new())) {
                        evhttp_request_free(p->req);
                        free(uri);
                        return -ENOMEM;
                }
                evhttp_request_set_chunked_cb(p->req, on_chunk);
        }
        evhttp_connection_set_timeout(a->conn, timeout_sec);
        *p->resp = (struct api_response) { .retry_after = -1 };
        a->current = p;
        if (evhttp_make_request(a->conn, p->req, method_type(method), uri) < 0) {
                p->done = true;         /* libevent freed the request */
                p->error = -ECONNREFUSED;
        }
        free(uri);
        while (!p->done)
                event_base_loop(a->base, EVLOOP_ONCE);
        a->current = NULL;
        if (p->kept)
                evbuffer_free(p->kept);
        if (p->stopped && p->req) {
                evhttp_cancel_request(p->req);
                p->req = NULL;
                p->error = 0;
        }
        if (p->error < 0)
                api_response_clear(p->resp);
        return p->error;
}

int api_request(struct api *a, const char *method, const char *target, const char *content_type,
                const void *body, size_t len, struct api_response *ret) {
        struct pending p = { .a = a, .resp = ret };
        return run_request(a, &p, method, target, content_type, body, len, NULL, a->timeout_sec);
}

int api_stream(struct api *a, const char *target, const char *extra_header, int timeout_sec,
               int (*on_data)(const char *data, size_t len, void *userdata), void *userdata,
               struct api_response *resp) {
        struct pending p = { .a = a, .resp = resp, .on_data = on_data, .userdata = userdata };
        int r = run_request(a, &p, "GET", target, NULL, NULL, 0, extra_header ? extra_header : "X-Stream: 1",
                            timeout_sec);
        if (r < 0)
                return r;
        if (p.stopped)
                return 0;
        return resp->status == 200 ? 0 : resp->status;
}

static void on_timer(evutil_socket_t fd, short what, void *arg) {
        *(bool *) arg = true;
}

int api_sleep(struct api *a, double seconds) {
        bool fired = false;
        struct timeval tv = { .tv_sec = (long) seconds, .tv_usec = (long) ((seconds - (long) seconds) * 1e6) };
        struct event *t = evtimer_new(a->base, on_timer, &fired);
        if (!t || evtimer_add(t, &tv) < 0) {
                if (t)
                        event_free(t);
                return -ENOMEM;
        }
        while (!fired && !a->interrupted)
                event_base_loop(a->base, EVLOOP_ONCE);
        event_free(t);
        return a->interrupted ? -EINTR : 0;
}

int api_request_retry(struct api *a, const char *method, const char *target, const char *content_type,
                      const void *body, size_t len, int tries, struct api_response *ret) {
        double wait = RETRY_FIRST_SEC;
        for (int i = 1;; i++) {
                int r = api_request(a, method, target, content_type, body, len, ret);
                bool again = r == -ECONNREFUSED || r == -ECONNRESET || r == -ETIMEDOUT || (r == 0 && ret->status == 503);
                if (!again || i >= tries)
                        return r;
                double w = r == 0 && ret->retry_after >= 0 ? (double) ret->retry_after : wait;
                if (r == 0)
                        api_response_clear(ret);
                if (api_sleep(a, w > RETRY_MAX_SEC ? RETRY_MAX_SEC : w) < 0)
                        return -EINTR;
                wait = wait * 2 > RETRY_MAX_SEC ? RETRY_MAX_SEC : wait * 2;
        }
}

int api_get_json(struct api *a, const char *target, json_t **ret_json, struct api_response *resp) {
        int r = api_request_retry(a, "GET", target, NULL, NULL, 0, 3, resp);
        if (r < 0)
                return r;
        if (resp->status != 200)
                return resp->status;
        json_error_t e;
        *ret_json = json_loadb(resp->body, resp->len, 0, &e);
        api_response_clear(resp);
        return *ret_json ? 0 : -EPROTO;
}

const char *api_strerror(int r) {
        switch (r) {
        case -ECONNREFUSED: return "no answer: the connection was refused or closed before an answer (is claimd running there?)";
        case -ECONNRESET: return "the connection broke before the answer was complete";
        case -ETIMEDOUT: return "timed out waiting for an answer";
        case -EPROTO: return "the answer is not what claimd sends (not HTTP, or not JSON)";
        case -EINTR: return "interrupted";
        case -ENOMEM: return "out of memory";
        default: return strerror(-r);
        }
}

const char *api_error_text(const struct api_response *r, char *buf, size_t size) {
        json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
        json_t *e = json_object_get(j, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *field = json_string_value(json_object_get(e, "field"));
        if (code)
                snprintf(buf, size, "%d %s: %s%s%s%s", r->status, code, msg ? msg : "", field ? " (field " : "",
                         field ? field : "", field ? ")" : "");
        else
                snprintf(buf, size, "HTTP %d%s", r->status, r->status == 404 ? " (not found)" : "");
        json_decref(j);
        return buf;
}
