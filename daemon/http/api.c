/* See api.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/api.h"
#include "daemon/http/conn.h"
#include "daemon/http/http.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

json_t *error_json(const char *code, const char *field, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);
        if (e && field)
                json_object_set_new(e, "field", json_string(field));
        return e ? json_pack("{s:o}", "error", e) : NULL;
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

/* The headers of every JSON reply, and s->out emptied for its body. */
static void json_reply_begin(struct server *s, struct evhttp_request *req) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Cache-Control", "no-store");
        if (s->stopping)
                evhttp_add_header(h, "Connection", "close");
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
}

void reply_json(struct server *s, struct evhttp_request *req, const struct route *r, int status, json_t *body) {
        json_reply_begin(s, req);
        if (dump_json(s, body) < 0) {
                evbuffer_drain(s->out, evbuffer_get_length(s->out));
                evbuffer_add_printf(s->out, "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}");
                status = 500;
        }
        evbuffer_add(s->out, "\n", 1);
        json_decref(body);
        metrics_request(route_index(r), status);
        send_reply(req, status, s->out);
}

void reply_json_text(struct server *s, struct evhttp_request *req, const struct route *r, const char *text,
                     size_t len) {
        json_reply_begin(s, req);
        evbuffer_add(s->out, text, len);
        evbuffer_add(s->out, "\n", 1);
        metrics_request(route_index(r), 200);
        send_reply(req, 200, s->out);
}

/* Logs the "request rejected" record, at most 20 a second (overload can
 * produce thousands); the suppressed count goes into the next record. */
void log_rejected(struct evhttp_request *req, const struct route *r, int status, const char *code, const char *msg) {
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
        snprintf(f_route, sizeof(f_route), "CLAIMD_ROUTE=%s", route_name(r));
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

static void reply_error_v(struct server *s, struct evhttp_request *req, const struct route *r, int status,
                          const char *code, const char *field, const char *fmt, va_list ap) {
        char msg[512];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        log_rejected(req, r, status, code, msg);
        reply_json(s, req, r, status, error_json(code, field, "%s", msg));
}

static struct server *the_server;       /* for evhttp_send_error() below */

void api_setup(struct server *s) {
        the_server = s;
}

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
                why = http_status_reason(error);
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
        metrics_request(route_index(ROUTE_OTHER), error);
        evhttp_send_reply(req, error, why, buf);
        if (buf)
                evbuffer_free(buf);
}

void reply_error(struct server *s, struct evhttp_request *req, const struct route *r, int status,
                 const char *code, const char *field, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        reply_error_v(s, req, r, status, code, field, fmt, ap);
        va_end(ap);
}

void reply_api_error(struct server *s, struct evhttp_request *req, const struct route *r, const struct api_error *e) {
        reply_error(s, req, r, e->status, e->code, e->field[0] ? e->field : NULL, "%s", e->message);
}

void reply_store_error(struct server *s, struct evhttp_request *req, const struct route *rt, int r) {
        if (store_error_is_fault(r)) {
                log_error("database read failed: %s (%s)", strerror(-r), store_errmsg(s->ro));
                reply_error(s, req, rt, 503, "store_unavailable", NULL,
                            "the database cannot be read right now; try again later");
        } else {
                log_error("database read failed: %s (%s)", strerror(-r), store_errmsg(s->ro));
                reply_error(s, req, rt, 500, "internal_error", NULL, "the database read failed");
        }
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

void reply_method_not_allowed(struct server *s, struct evhttp_request *req, const struct route *r,
                              const char *allow) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        reply_error(s, req, r, 405, "method_not_allowed", NULL, "%s is not allowed here; use %s",
                    method_name(evhttp_request_get_command(req)), allow);
}
