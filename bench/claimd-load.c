/* A load generator for claimd on libevent, driving the real daemon over
 * loopback with keep-alive connections: ingest clients use libevent's HTTP
 * client, pollers a minimal HTTP/1.1 client of their own (see pclient).
 *
 * Ingest clients POST FNC-1 bodies (read in place at run time) re-posted
 * under new urls and outlets: article number g is body g mod N, posted by
 * outlet (body + g / N) mod S, so a body never comes twice from one outlet
 * until S rounds; --batch B > 1 sends NDJSON batches of B articles.  With
 * --trigger-every K every K-th pair of articles is a pair of short reports
 * written for this tool that contradict each other (two outlets, two
 * passenger counts), so that the conflict feed moves at a known rate.
 *
 * Pollers GET /v1/conflicts: plain (--wait 0), each every --interval-ms
 * (0: as fast as the replies come) following `next` from --since; or long
 * polls (--wait S) re-parked as soon as they are answered.  The latency of
 * a plain poll is request to reply; the latency of a long poll is the time
 * from the ingest acknowledgement that reported a new conflict (the daemon
 * queues it before it wakes the pollers) to the poller's reply.
 *
 *   claimd-load --port P [--ingest-conns N --count M | --duration S] [--batch B]
 *               [--rate R] [--first G] [--pollers N --wait S --interval-ms I]
 *
 * Prints one human line per measurement and key=value lines for bench/run.sh. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "fnc1.h"

#define DEFAULT_BODIES "/work/shared/data/fnc1/train_bodies.csv"
#define DEFAULT_STANCES "/work/shared/data/fnc1/train_stances.csv"
#define MAX_ERRORS 200

struct samples {
        double *v;              /* milliseconds */
        size_t n, cap;
};

struct ack {
        double t;               /* when the acknowledgement arrived */
        int64_t max_id;         /* highest conflict id it reported */
};

struct wake {
        double t;               /* when the long poll was answered */
        int64_t since;          /* the since it was parked with */
};

struct bench;

struct iclient {
        struct bench *b;
        struct evhttp_connection *conn;
        struct event *timer;
        uint64_t first, n;      /* the articles of the request in flight */
        double sent;
        bool busy;
};

/* A poller speaks HTTP/1.1 itself over one keep-alive socket: a GET is one
 * write(), a reply is read until its Content-Length is in.  (libevent's HTTP
 * client costs about as much CPU per reply as the daemon spends answering
 * it, and on a 2-core machine that would be measured as delivery latency.) */
struct pclient {
        struct bench *b;
        evutil_socket_t fd;
        struct event *ev;               /* readable */
        struct event *timer;
        char *in;                       /* the reply being read */
        size_t n_in, cap_in;
        int64_t since;
        double sent, next_at;
        bool busy;
        struct pclient *resend_next;    /* on bench.resend */
};

struct bench {
        struct event_base *base;
        const char *host;
        int port;
        char host_header[300];

        /* articles */
        struct fnc1 corpus;
        char **esc_text, **esc_title;   /* JSON string literals */
        int sources;
        char tag[64];
        int trigger_every;

        /* ingest */
        int n_iclients;
        struct iclient *ic;
        int batch;
        uint64_t first, next, end;      /* article numbers: [first, end); end 0: no end */
        double rate;                    /* articles/s, 0: closed loop */
        double t_start, t_first_sent, t_last_ack;
        uint64_t acked, created, duplicates, rejected, retries503, errors, conflicts_raised;
        struct samples ingest_lat;
        struct ack *acks;
        size_t n_acks, cap_acks;

        /* pollers */
        int n_pollers;
        struct pclient *pc;
        int wait;
        int interval_ms;
        int limit;
        int64_t since;
        uint64_t polls, poll_errors, poll_503, wakes_empty, conflicts_seen;
        struct samples poll_lat;
        struct pclient *resend;         /* long polls to park again */
        struct event *resend_ev;        /* runs after every reply of the loop iteration is read */
        struct wake *wakes;
        size_t n_wakes, cap_wakes;

        double duration, warmup;
        double t_measure;               /* samples count from here */
        bool stopping;
        struct event *stop_timer;
};

static double now_sec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void samples_add(struct samples *s, double v) {
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 4096;
                double *nv = realloc(s->v, cap * sizeof(*nv));
                if (!nv)
                        return;
                s->v = nv;
                s->cap = cap;
        }
        s->v[s->n++] = v;
}

static int dbl_cmp(const void *x, const void *y) {
        double a = *(const double *) x, b = *(const double *) y;
        return (a > b) - (a < b);
}

/* Nearest-rank percentile of sorted samples (q in [0, 1]); NAN when empty. */
static double pct(const struct samples *s, double q) {
        if (s->n == 0)
                return NAN;
        size_t k = (size_t) ceil(q * (double) s->n);
        if (k < 1)
                k = 1;
        if (k > s->n)
                k = s->n;
        return s->v[k - 1];
}

static char *json_literal(const char *s) {
        json_t *j = json_string(s ? s : "");
        if (!j)
                return NULL;
        char *out = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        json_decref(j);
        return out;
}

/* A made-up place name per trigger pair ("Port Bakelo"), so each pair
 * forms its own event. */
static void trigger_place(uint64_t pair, char *out, size_t size) {
        static const char *const syl[] = { "ba", "ke", "lo", "mi", "ra", "to", "vu", "ne",
                                           "si", "da", "po", "gu", "fe", "ri", "zo", "ha" };
        char w[32] = "";
        size_t n = 0;
        uint64_t x = pair + 16 * 16;
        while (x && n + 3 < sizeof(w)) {
                const char *s = syl[x % 16];
                w[n++] = s[0];
                w[n++] = s[1];
                x /= 16;
        }
        w[n] = '\0';
        w[0] = (char) (w[0] - 'a' + 'A');
        snprintf(out, size, "Port %s", w);
}

/* Appends article g as one JSON object (no newline). */
static void add_article(struct bench *b, struct evbuffer *out, uint64_t g) {
        if (b->trigger_every > 0 && g % (uint64_t) b->trigger_every < 2) {
                uint64_t pair = g / (uint64_t) b->trigger_every;
                bool second = g % (uint64_t) b->trigger_every == 1;
                char place[64];
                trigger_place(pair, place, sizeof(place));
                evbuffer_add_printf(out,
                        "{\"source\":\"%s\",\"url\":\"https://%s/%s/trigger/%llu\","
                        "\"title\":\"Ferry reaches %s\","
                        "\"text\":\"%s The harbour master of %s said the ferry carried %d passengers "
                        "when it reached %s on Tuesday. The crossing took three hours.\"}",
                        second ? "wire-two.example" : "wire-one.example",
                        second ? "wire-two.example" : "wire-one.example", b->tag,
                        (unsigned long long) g, place,
                        second ? "The ferry docked late." : "The ferry docked on time.",
                        place, second ? 95 : 40, place);
                return;
        }
        size_t nb = b->corpus.n;
        size_t body = (size_t) (g % nb);
        uint64_t round = g / nb;
        unsigned outlet = (unsigned) ((body + round) % (uint64_t) b->sources);
        evbuffer_add_printf(out, "{\"source\":\"outlet%04u.example\",\"url\":\"https://outlet%04u.example/%s/%llu\",",
                            outlet, outlet, b->tag, (unsigned long long) g);
        if (b->esc_title[body]) {
                evbuffer_add(out, "\"title\":", 8);
                evbuffer_add(out, b->esc_title[body], strlen(b->esc_title[body]));
                evbuffer_add(out, ",", 1);
        }
        evbuffer_add(out, "\"text\":", 7);
        evbuffer_add(out, b->esc_text[body], strlen(b->esc_text[body]));
        evbuffer_add(out, "}", 1);
}

static void maybe_finish(struct bench *b);
static void ingest_next(struct iclient *c);

/* Reads the reply of one ingested article (an object with "id",
 * "duplicate", "conflicts" and, in a batch, "status"). */
static void count_result(struct bench *b, json_t *o, int status, double t) {
        if (status == 201)
                b->created++;
        else if (status == 200)
                b->duplicates++;
        else {
                b->rejected++;
                return;
        }
        b->acked++;
        json_t *cs = json_object_get(o, "conflicts");
        size_t i;
        json_t *v;
        int64_t max_id = 0;
        json_array_foreach(cs, i, v) {
                if (json_integer_value(v) > max_id)
                        max_id = json_integer_value(v);
                b->conflicts_raised++;
        }
        if (max_id > 0) {
                if (b->n_acks == b->cap_acks) {
                        size_t cap = b->cap_acks ? b->cap_acks * 2 : 1024;
                        struct ack *na = realloc(b->acks, cap * sizeof(*na));
                        if (!na)
                                return;
                        b->acks = na;
                        b->cap_acks = cap;
                }
                b->acks[b->n_acks++] = (struct ack) { t, max_id };
        }
}

static void retry_later(struct event *ev, double sec) {
        struct timeval tv = { (time_t) sec, (suseconds_t) ((sec - (double) (time_t) sec) * 1e6) };
        evtimer_add(ev, &tv);
}

static void ingest_done(struct evhttp_request *req, void *arg) {
        struct iclient *c = arg;
        struct bench *b = c->b;
        double t = now_sec();
        int code = req ? evhttp_request_get_response_code(req) : 0;

        c->busy = false;
        if (code == 0) {
                b->errors++;
                if (b->errors > MAX_ERRORS) {
                        fprintf(stderr, "claimd-load: too many connection errors, giving up\n");
                        event_base_loopbreak(b->base);
                        return;
                }
                retry_later(c->timer, 0.1);
                c->busy = true;         /* the same articles again */
                return;
        }
        if (code == 503) {
                b->retries503++;
                retry_later(c->timer, 0.02);
                c->busy = true;
                return;
        }

        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *body = len ? (const char *) evbuffer_pullup(in, -1) : "";
        if (b->batch > 1 && code == 200) {
                for (size_t off = 0; off < len;) {
                        const char *nl = memchr(body + off, '\n', len - off);
                        size_t n = nl ? (size_t) (nl - (body + off)) : len - off;
                        json_t *o = json_loadb(body + off, n, 0, NULL);
                        if (o)
                                count_result(b, o, (int) json_integer_value(json_object_get(o, "status")), t);
                        json_decref(o);
                        off += n + 1;
                }
        } else {
                json_t *o = json_loadb(body, len, 0, NULL);
                count_result(b, o, code, t);
                if (code >= 400 && b->rejected <= 5)
                        fprintf(stderr, "claimd-load: article %llu: HTTP %d %.*s\n", (unsigned long long) c->first,
                                code, (int) (len > 300 ? 300 : len), body);
                json_decref(o);
        }
        if (c->sent >= b->t_measure)
                samples_add(&b->ingest_lat, (t - c->sent) * 1e3);
        b->t_last_ack = t;
        c->n = 0;
        maybe_finish(b);
        if (!b->stopping)
                ingest_next(c);
}

/* Sends the request for c->first .. c->first + c->n. */
static void ingest_send(struct iclient *c) {
        struct bench *b = c->b;
        struct evhttp_request *req = evhttp_request_new(ingest_done, c);
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        struct evbuffer *out = evhttp_request_get_output_buffer(req);

        evhttp_add_header(h, "Host", b->host_header);
        evhttp_add_header(h, "Content-Type", b->batch > 1 ? "application/x-ndjson" : "application/json");
        for (uint64_t i = 0; i < c->n; i++) {
                add_article(b, out, c->first + i);
                if (b->batch > 1)
                        evbuffer_add(out, "\n", 1);
        }
        c->sent = now_sec();
        if (b->t_first_sent == 0)
                b->t_first_sent = c->sent;
        c->busy = true;
        if (evhttp_make_request(c->conn, req, EVHTTP_REQ_POST, "/v1/articles") < 0) {
                b->errors++;
                c->busy = false;
                retry_later(c->timer, 0.1);
        }
}

static void ingest_timer(evutil_socket_t fd, short what, void *arg) {
        struct iclient *c = arg;
        if (c->b->stopping && c->n == 0)
                return;
        if (c->n > 0)
                ingest_send(c);
        else
                ingest_next(c);
}

/* Takes the next articles and sends them now or, with --rate, when their
 * turn comes. */
static void ingest_next(struct iclient *c) {
        struct bench *b = c->b;
        if (b->end && b->next >= b->end)
                return;
        c->first = b->next;
        c->n = (uint64_t) b->batch;
        if (b->end && c->first + c->n > b->end)
                c->n = b->end - c->first;
        b->next += c->n;
        if (b->rate > 0) {
                double due = b->t_start + (double) (c->first - b->first) / b->rate;
                double t = now_sec();
                if (due > t) {
                        c->busy = true;
                        retry_later(c->timer, due - t);
                        return;
                }
        }
        ingest_send(c);
}

static void poll_send(struct pclient *c);

/* Finds "next": N in a reply without parsing the whole of it. */
static bool reply_next(const char *body, size_t len, int64_t *ret) {
        static const char key[] = "\"next\"";
        for (size_t i = len >= sizeof(key) ? len - (sizeof(key) - 1) : 0; ; i--) {
                if (memcmp(body + i, key, sizeof(key) - 1) == 0) {
                        const char *p = body + i + sizeof(key) - 1;
                        while (p < body + len && (*p == ' ' || *p == ':'))
                                p++;
                        *ret = strtoll(p, NULL, 10);
                        return true;
                }
                if (i == 0)
                        return false;
        }
}

/* True when "conflicts" is an empty array. */
static bool reply_empty(const char *body, size_t len) {
        const char *p = memmem(body, len, "\"conflicts\"", 11);
        if (!p)
                return true;
        p += 11;
        while (p < body + len && (*p == ' ' || *p == ':' || *p == '['))
                p++;
        return p < body + len && *p == ']';
}

/* Handles one complete reply (status code, body) of poller c. */
static void poll_done(struct pclient *c, int code, const char *body, size_t len) {
        struct bench *b = c->b;
        double t = now_sec();

        c->busy = false;
        if (b->stopping)
                return;
        if (code != 200) {
                if (code == 503)
                        b->poll_503++;
                else
                        b->poll_errors++;
                c->next_at = t + 0.1;
                retry_later(c->timer, 0.1);
                return;
        }
        bool empty = reply_empty(body, len);
        int64_t next = c->since;
        reply_next(body, len, &next);
        bool measured = c->sent >= b->t_measure;

        if (measured)
                b->polls++;
        if (b->wait > 0) {
                if (empty)
                        b->wakes_empty++;
                else if (measured) {
                        if (b->n_wakes == b->cap_wakes) {
                                size_t cap = b->cap_wakes ? b->cap_wakes * 2 : 4096;
                                struct wake *nw = realloc(b->wakes, cap * sizeof(*nw));
                                if (nw) {
                                        b->wakes = nw;
                                        b->cap_wakes = cap;
                                }
                        }
                        if (b->n_wakes < b->cap_wakes)
                                b->wakes[b->n_wakes++] = (struct wake) { t, c->since };
                        b->conflicts_seen += (uint64_t) (next - c->since);
                }
                c->since = next;
                c->resend_next = b->resend;
                b->resend = c;
                event_active(b->resend_ev, EV_TIMEOUT, 0);
                return;
        }
        if (measured)
                samples_add(&b->poll_lat, (t - c->sent) * 1e3);
        c->since = next;
        if (b->interval_ms <= 0) {
                poll_send(c);
                return;
        }
        c->next_at += b->interval_ms / 1e3;
        if (c->next_at < t)
                c->next_at = t;         /* fell behind: no burst to catch up */
        retry_later(c->timer, c->next_at - t);
}

/* Drops c's connection; the next poll_send() opens a new one. */
static void poll_disconnect(struct pclient *c) {
        if (c->ev)
                event_free(c->ev);
        c->ev = NULL;
        if (c->fd >= 0)
                evutil_closesocket(c->fd);
        c->fd = -1;
        c->n_in = 0;
}

/* A failed exchange: counts it, reconnects a tenth of a second later. */
static void poll_failed(struct pclient *c) {
        c->b->poll_errors++;
        c->busy = false;
        poll_disconnect(c);
        if (!c->b->stopping)
                retry_later(c->timer, 0.1);
}

/* Returns the length of the complete reply at the start of in (its status
 * code and body through the out-parameters), 0 while it is incomplete, or
 * -1 when it is not HTTP this client understands. */
static ssize_t reply_parse(const char *in, size_t n, int *ret_code, const char **ret_body, size_t *ret_len) {
        const char *end = memmem(in, n, "\r\n\r\n", 4);
        if (!end)
                return n > 65536 ? -1 : 0;
        size_t head = (size_t) (end - in) + 4;
        int code;
        if (sscanf(in, "HTTP/1.%*d %d", &code) != 1)
                return -1;
        const char *cl = NULL;
        for (const char *p = in; p && p < end; p = memchr(p, '\n', (size_t) (end - p)), p = p ? p + 1 : NULL)
                if (strncasecmp(p, "Content-Length:", 15) == 0) {
                        cl = p + 15;
                        break;
                }
        if (!cl)
                return -1;
        size_t body = strtoull(cl, NULL, 10);
        if (n < head + body)
                return 0;
        *ret_code = code;
        *ret_body = in + head;
        *ret_len = body;
        return (ssize_t) (head + body);
}

static void poll_readable(evutil_socket_t fd, short what, void *arg) {
        struct pclient *c = arg;

        for (;;) {
                if (c->cap_in - c->n_in < 16384) {
                        size_t cap = c->cap_in ? c->cap_in * 2 : 65536;
                        char *n = realloc(c->in, cap);
                        if (!n)
                                return poll_failed(c);
                        c->in = n;
                        c->cap_in = cap;
                }
                ssize_t k = read(fd, c->in + c->n_in, c->cap_in - c->n_in);
                if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return poll_failed(c);
                c->n_in += (size_t) k;

                int code;
                const char *body;
                size_t len;
                ssize_t used = reply_parse(c->in, c->n_in, &code, &body, &len);
                if (used < 0)
                        return poll_failed(c);
                if (used > 0) {
                        c->n_in = 0;    /* one request in flight: nothing follows the reply */
                        poll_done(c, code, body, len);
                        return;
                }
        }
}

/* Opens c's connection to the daemon; false when it cannot. */
static bool poll_connect(struct pclient *c) {
        struct bench *b = c->b;
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t) b->port) };

        if (inet_pton(AF_INET, b->host, &sin.sin_addr) != 1)
                return false;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
                return false;
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(c->fd, (struct sockaddr *) &sin, sizeof(sin)) < 0 || evutil_make_socket_nonblocking(c->fd) < 0) {
                poll_disconnect(c);
                return false;
        }
        c->ev = event_new(b->base, c->fd, EV_READ | EV_PERSIST, poll_readable, c);
        if (!c->ev || event_add(c->ev, NULL) < 0) {
                poll_disconnect(c);
                return false;
        }
        return true;
}

static void poll_send(struct pclient *c) {
        struct bench *b = c->b;
        char head[512];
        int n;

        if (c->fd < 0 && !poll_connect(c))
                return poll_failed(c);
        if (b->wait > 0)
                n = snprintf(head, sizeof(head),
                             "GET /v1/conflicts?since=%lld&limit=%d&wait=%d HTTP/1.1\r\nHost: %s\r\n\r\n",
                             (long long) c->since, b->limit, b->wait, b->host_header);
        else
                n = snprintf(head, sizeof(head), "GET /v1/conflicts?since=%lld&limit=%d HTTP/1.1\r\nHost: %s\r\n\r\n",
                             (long long) c->since, b->limit, b->host_header);
        c->sent = now_sec();
        c->busy = true;
        /* a request this small always fits an empty socket buffer */
        if (write(c->fd, head, (size_t) n) != n)
                poll_failed(c);
}

/* Parks again the long polls answered in this loop iteration.  It runs at
 * the lowest priority, after every reply that came in the same iteration was
 * read and timed: a re-park written between two reads would put its cost
 * (and the daemon's reply to it) into the next reply's delivery time. */
static void resend_cb(evutil_socket_t fd, short what, void *arg) {
        struct bench *b = arg;
        struct pclient *c = b->resend;

        b->resend = NULL;
        while (c) {
                struct pclient *next = c->resend_next;
                if (!b->stopping)
                        poll_send(c);
                c = next;
        }
}

static void poll_timer(evutil_socket_t fd, short what, void *arg) {
        struct pclient *c = arg;
        if (!c->b->stopping)
                poll_send(c);
}

static void maybe_finish(struct bench *b) {
        if (b->stopping || !b->end || b->acked + b->rejected < b->end - b->first)
                return;
        if (b->n_pollers > 0 && b->duration > 0)
                return;         /* the pollers' duration decides */
        b->stopping = true;
        event_base_loopbreak(b->base);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg) {
        struct bench *b = arg;
        b->stopping = true;
        event_base_loopbreak(b->base);
}

static void usage(FILE *out) {
        fprintf(out,
                "usage: claimd-load --port P [--host H] [--bodies FILE] [--stances FILE|'']\n"
                "         [--ingest-conns N] [--count M] [--batch B] [--rate R] [--first G] [--tag T]\n"
                "         [--sources S] [--trigger-every K]\n"
                "         [--pollers N] [--wait S] [--interval-ms I] [--since ID] [--limit L]\n"
                "         [--duration SEC] [--warmup SEC] [--label TEXT]\n");
}

static void print_ingest(struct bench *b, const char *label) {
        double secs = b->t_last_ack - b->t_first_sent;
        double aps = secs > 0 ? (double) b->acked / secs : 0;
        qsort(b->ingest_lat.v, b->ingest_lat.n, sizeof(double), dbl_cmp);
        printf("%s ingest: %llu articles acknowledged (%llu new, %llu duplicates, %llu rejected) in %.2f s "
               "over %d connections, %d article(s) per request%s: %.1f articles/s; request latency "
               "p50 %.1f ms, p99 %.1f ms; %llu conflicts raised; %llu retries after 503, %llu connection errors\n",
               label, (unsigned long long) b->acked, (unsigned long long) b->created,
               (unsigned long long) b->duplicates, (unsigned long long) b->rejected, secs, b->n_iclients,
               b->batch, b->rate > 0 ? " (paced)" : "", aps, pct(&b->ingest_lat, 0.5), pct(&b->ingest_lat, 0.99),
               (unsigned long long) b->conflicts_raised, (unsigned long long) b->retries503,
               (unsigned long long) b->errors);
        printf("ingest_articles_per_sec=%.1f\ningest_p50_ms=%.2f\ningest_p99_ms=%.2f\ningest_acked=%llu\n"
               "ingest_rejected=%llu\n", aps, pct(&b->ingest_lat, 0.5), pct(&b->ingest_lat, 0.99),
               (unsigned long long) b->acked, (unsigned long long) b->rejected);
}

/* Long-poll delivery: each answered poll against the first acknowledgement
 * that reported a conflict above its since. */
static void wake_latencies(struct bench *b, struct samples *out, size_t *ret_unmatched) {
        size_t unmatched = 0;
        for (size_t i = 0; i < b->n_wakes; i++) {
                const struct wake *w = &b->wakes[i];
                const struct ack *a = NULL;
                for (size_t k = 0; k < b->n_acks; k++)
                        if (b->acks[k].max_id > w->since) {
                                a = &b->acks[k];
                                break;
                        }
                if (!a || a->t - w->t > 1.0) {
                        unmatched++;    /* a conflict from someone else */
                        continue;
                }
                double d = w->t - a->t;
                samples_add(out, d > 0 ? d * 1e3 : 0);
        }
        qsort(out->v, out->n, sizeof(double), dbl_cmp);
        *ret_unmatched = unmatched;
}

static void print_polls(struct bench *b, const char *label, double secs) {
        if (b->wait > 0) {
                struct samples s = {};
                size_t unmatched;
                wake_latencies(b, &s, &unmatched);
                printf("%s long-poll: %d pollers (wait=%d) for %.1f s: %zu wake-ups delivering %llu conflicts, "
                       "%llu empty timeouts; delivery after the ingest acknowledgement p50 %.2f ms, p99 %.2f ms, "
                       "max %.2f ms (%zu unmatched); %llu errors, %llu 503\n",
                       label, b->n_pollers, b->wait, secs, s.n, (unsigned long long) b->conflicts_seen,
                       (unsigned long long) b->wakes_empty, pct(&s, 0.5), pct(&s, 0.99), pct(&s, 1.0), unmatched,
                       (unsigned long long) b->poll_errors, (unsigned long long) b->poll_503);
                printf("longpoll_wakes=%zu\nlongpoll_p50_ms=%.2f\nlongpoll_p99_ms=%.2f\n", s.n, pct(&s, 0.5),
                       pct(&s, 0.99));
                free(s.v);
                return;
        }
        qsort(b->poll_lat.v, b->poll_lat.n, sizeof(double), dbl_cmp);
        double rps = secs > 0 ? (double) b->poll_lat.n / secs : 0;
        printf("%s plain poll: %d pollers, %s, limit %d, for %.1f s: %zu polls (%.0f/s); latency p50 %.2f ms, "
               "p99 %.2f ms, max %.2f ms; %llu errors, %llu 503\n",
               label, b->n_pollers, b->interval_ms > 0 ? "each once per --interval-ms" : "closed loop", b->limit, secs,
               b->poll_lat.n, rps, pct(&b->poll_lat, 0.5), pct(&b->poll_lat, 0.99), pct(&b->poll_lat, 1.0),
               (unsigned long long) b->poll_errors, (unsigned long long) b->poll_503);
        printf("poll_per_sec=%.0f\npoll_p50_ms=%.2f\npoll_p99_ms=%.2f\n", rps, pct(&b->poll_lat, 0.5),
               pct(&b->poll_lat, 0.99));
}

int main(int argc, char **argv) {
        struct bench b = {
                .host = "127.0.0.1",
                .sources = 1000,
                .batch = 1,
                .limit = 100,
                .warmup = 1.0,
        };
        const char *bodies = DEFAULT_BODIES, *stances = DEFAULT_STANCES, *label = "claimd-load";
        uint64_t count = 0;
        static const struct option opts[] = {
                { "host", required_argument, NULL, 'H' },
                { "port", required_argument, NULL, 'p' },
                { "bodies", required_argument, NULL, 'b' },
                { "stances", required_argument, NULL, 'S' },
                { "ingest-conns", required_argument, NULL, 'c' },
                { "count", required_argument, NULL, 'n' },
                { "batch", required_argument, NULL, 'B' },
                { "rate", required_argument, NULL, 'r' },
                { "first", required_argument, NULL, 'f' },
                { "tag", required_argument, NULL, 't' },
                { "sources", required_argument, NULL, 's' },
                { "trigger-every", required_argument, NULL, 'T' },
                { "pollers", required_argument, NULL, 'P' },
                { "wait", required_argument, NULL, 'w' },
                { "interval-ms", required_argument, NULL, 'i' },
                { "since", required_argument, NULL, 'z' },
                { "limit", required_argument, NULL, 'l' },
                { "duration", required_argument, NULL, 'd' },
                { "warmup", required_argument, NULL, 'W' },
                { "label", required_argument, NULL, 'L' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'H': b.host = optarg; break;
                case 'p': b.port = atoi(optarg); break;
                case 'b': bodies = optarg; break;
                case 'S': stances = *optarg ? optarg : NULL; break;
                case 'c': b.n_iclients = atoi(optarg); break;
                case 'n': count = strtoull(optarg, NULL, 10); break;
                case 'B': b.batch = atoi(optarg); break;
                case 'r': b.rate = atof(optarg); break;
                case 'f': b.first = strtoull(optarg, NULL, 10); break;
                case 't': snprintf(b.tag, sizeof(b.tag), "%s", optarg); break;
                case 's': b.sources = atoi(optarg); break;
                case 'T': b.trigger_every = atoi(optarg); break;
                case 'P': b.n_pollers = atoi(optarg); break;
                case 'w': b.wait = atoi(optarg); break;
                case 'i': b.interval_ms = atoi(optarg); break;
                case 'z': b.since = strtoll(optarg, NULL, 10); break;
                case 'l': b.limit = atoi(optarg); break;
                case 'd': b.duration = atof(optarg); break;
                case 'W': b.warmup = atof(optarg); break;
                case 'L': label = optarg; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        if (b.port <= 0 || b.batch < 1 || b.sources < 1 || (b.n_iclients <= 0 && b.n_pollers <= 0) ||
            (b.n_pollers > 0 && b.duration <= 0) || (b.n_iclients > 0 && !count && b.duration <= 0) ||
            (b.trigger_every != 0 && b.trigger_every < 2)) {
                usage(stderr);
                return 2;
        }
        if (!b.tag[0])
                snprintf(b.tag, sizeof(b.tag), "bench-%ld-%d", (long) time(NULL), (int) getpid());
        snprintf(b.host_header, sizeof(b.host_header), "%s:%d", b.host, b.port);
        signal(SIGPIPE, SIG_IGN);

        if (b.n_iclients > 0) {
                int r = fnc1_load(bodies, stances, &b.corpus);
                if (r < 0) {
                        fprintf(stderr, "claimd-load: cannot read %s: %s\n", bodies, strerror(-r));
                        return 1;
                }
                b.esc_text = calloc(b.corpus.n, sizeof(char *));
                b.esc_title = calloc(b.corpus.n, sizeof(char *));
                if (!b.esc_text || !b.esc_title)
                        return 1;
                for (size_t i = 0; i < b.corpus.n; i++) {
                        b.esc_text[i] = json_literal(b.corpus.bodies[i].text);
                        if (b.corpus.bodies[i].title)
                                b.esc_title[i] = json_literal(b.corpus.bodies[i].title);
                        if (!b.esc_text[i])
                                return 1;
                }
        }

        b.base = event_base_new();
        /* three priorities: 1 (the default) for every socket and timer, 2 for resend_cb */
        if (!b.base || event_base_priority_init(b.base, 3) < 0)
                return 1;
        b.resend_ev = event_new(b.base, -1, 0, resend_cb, &b);
        if (!b.resend_ev || event_priority_set(b.resend_ev, 2) < 0)
                return 1;
        b.t_start = now_sec();
        b.t_measure = b.n_pollers > 0 ? b.t_start + b.warmup : 0;
        b.next = b.first;
        b.end = count ? b.first + count : 0;

        b.ic = calloc((size_t) (b.n_iclients > 0 ? b.n_iclients : 1), sizeof(*b.ic));
        b.pc = calloc((size_t) (b.n_pollers > 0 ? b.n_pollers : 1), sizeof(*b.pc));
        if (!b.ic || !b.pc)
                return 1;

        for (int i = 0; i < b.n_pollers; i++) {
                struct pclient *p = &b.pc[i];
                p->b = &b;
                p->since = b.since;
                p->fd = -1;
                p->timer = evtimer_new(b.base, poll_timer, p);
                if (!p->timer)
                        return 1;
                /* stagger the paced pollers over one interval */
                double off = b.interval_ms > 0 ? (double) b.interval_ms / 1e3 * (double) i / b.n_pollers : 0;
                p->next_at = b.t_start + off;
                retry_later(p->timer, off);
        }
        for (int i = 0; i < b.n_iclients; i++) {
                struct iclient *ic = &b.ic[i];
                ic->b = &b;
                ic->conn = evhttp_connection_base_new(b.base, NULL, b.host, (unsigned short) b.port);
                ic->timer = evtimer_new(b.base, ingest_timer, ic);
                if (!ic->conn || !ic->timer)
                        return 1;
                evhttp_connection_set_timeout(ic->conn, 600);
                ingest_next(ic);
        }
        if (b.duration > 0) {
                b.stop_timer = evtimer_new(b.base, stop_cb, &b);
                retry_later(b.stop_timer, b.duration);
        }

        event_base_dispatch(b.base);
        double t_end = now_sec();

        if (b.n_iclients > 0) {
                if (!b.t_last_ack)
                        b.t_last_ack = t_end;
                print_ingest(&b, label);
        }
        if (b.n_pollers > 0)
                print_polls(&b, label, t_end - (b.t_start + b.warmup));

        /* connections are closed by exiting; freeing them is not needed */
        bool failed = b.errors > MAX_ERRORS || (b.n_iclients > 0 && b.acked == 0);
        return failed ? 1 : 0;
}
