/* claimctl conflicts [--follow] [filters]: the conflict feed, page by page
 * (GET /v1/conflicts?since=ID), then with --follow the new ones as they come:
 * from the event stream GET /v1/conflicts/stream where claimd has it, by
 * long polls (wait=) where it does not.  Either way a restart of claimd is
 * waited out and the feed goes on after the last conflict printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "client/claimctl.h"
#include "client/print.h"
#include "client/sse.h"

#define PAGE 1000               /* the API's largest limit */
#define POLL_WAIT_SEC 30        /* below the daemon's default long_poll_max (60) */
#define STREAM_TIMEOUT_SEC 60   /* keep-alives come every 15 s */
#define RECONNECT_MAX_SEC 30.0

struct feed {
        struct api *a;
        const struct options *o;
        char filters[1024];     /* "&kind=...&status=..." */
        long long since;        /* the last conflict id seen */
        long long printed;
        int failed_status;      /* the HTTP status of the last failed page, 0 for none */
};

/* Appends "&name=value" (value URL-encoded) to the filter string. */
static int add_filter(struct feed *f, const char *name, const char *value) {
        char *enc = value ? evhttp_uriencode(value, -1, 1) : NULL;
        size_t n = strlen(f->filters);
        if (!value)
                return 0;
        if (!enc)
                return -ENOMEM;
        int w = snprintf(f->filters + n, sizeof(f->filters) - n, "&%s=%s", name, enc);
        free(enc);
        return w < 0 || (size_t) w >= sizeof(f->filters) - n ? -E2BIG : 0;
}

static int build_filters(struct feed *f) {
        char event[32];
        const struct options *o = f->o;
        snprintf(event, sizeof(event), "%lld", o->event);
        int r = add_filter(f, "status", o->status);
        if (r == 0)
                r = add_filter(f, "kind", o->kind);
        if (r == 0)
                r = add_filter(f, "source", o->source);
        if (r == 0)
                r = add_filter(f, "event", o->event > 0 ? event : NULL);
        if (r == 0)
                r = add_filter(f, "min_score", o->min_score);
        return r;
}

/* Prints one conflict unless --status excludes it (a claimd older than the
 * review feature ignores status=, so it is checked here too). */
static void show(struct feed *f, const json_t *c) {
        const char *status = json_string_value(json_object_get(c, "status"));
        if (f->o->status && strcmp(f->o->status, status ? status : "open") != 0)
                return;
        if (f->o->json)
                print_json_line(stdout, c);
        else
                print_conflict_line(stdout, c);
        f->printed++;
}

/* One page of the feed after f->since (wait: long-poll seconds, or 0);
 * returns the number of conflicts in it, or -(exit code) with the HTTP
 * status (or 0) in f->failed_status. */
static long page(struct feed *f, int wait, long long limit) {
        char target[1400], waitq[32] = "";
        json_t *j = NULL;
        struct api_response resp = {};
        if (wait)
                snprintf(waitq, sizeof(waitq), "&wait=%d", wait);
        snprintf(target, sizeof(target), "/v1/conflicts?since=%lld&limit=%lld%s%s", f->since, limit, f->filters,
                 waitq);
        int r = api_get_json(f->a, target, &j, &resp);
        if (r != 0) {
                f->failed_status = r > 0 ? r : 0;
                long code = -(long) fail("GET /v1/conflicts", r, &resp);
                api_response_clear(&resp);
                return code;
        }
        json_t *list = json_object_get(j, "conflicts");
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c) {
                if (f->o->limit && f->printed >= f->o->limit && !wait)
                        break;
                show(f, c);
                f->since = json_integer_value(json_object_get(c, "id"));
        }
        long n = (long) json_array_size(list);
        json_decref(j);
        return n;
}

/* The conflicts there are now, up to --limit. */
static int list_all(struct feed *f) {
        for (;;) {
                long long want = f->o->limit ? f->o->limit - f->printed : PAGE;
                if (want <= 0)
                        return 0;
                long n = page(f, 0, want < PAGE ? want : PAGE);
                if (n < 0)
                        return (int) -n;
                if (n == 0)
                        return 0;
        }
}

/* An event of the stream: a new conflict, or a review of one. */
static int on_event(const struct sse_event *e, void *userdata) {
        struct feed *f = userdata;
        bool review = strcmp(e->event, "review") == 0;
        if (!review && strcmp(e->event, "conflict") != 0)
                return 0;
        json_t *c = json_loadb(e->data, e->data_len, 0, NULL);
        if (!c)
                return 0;
        if (review && f->o->json) {
                json_t *o = json_pack("{s:s,s:O}", "event", "review", "conflict", c);
                if (o)
                        print_json_line(stdout, o);
                json_decref(o);
        } else if (review) {
                fputs("review: ", stdout);
                print_conflict_line(stdout, c);
        } else {
                show(f, c);
                if (json_integer_value(json_object_get(c, "id")) > f->since)
                        f->since = json_integer_value(json_object_get(c, "id"));
        }
        json_decref(c);
        return 0;
}

static int on_stream_data(const char *data, size_t len, void *userdata) {
        return sse_feed(userdata, data, len) < 0;
}

/* Follows the event stream.  Returns -1 when claimd has no stream for
 * this client (404, 405: older than the stream; 503: no room for one
 * more): the long polls take over; otherwise the exit code to stop with. */
static int follow_stream(struct feed *f) {
        char target[1400];
        double pause = 0.5;
        for (;;) {
                struct api_response resp = {};
                struct sse_parser p;
                sse_init(&p, on_event, f);
                snprintf(target, sizeof(target), "/v1/conflicts/stream?since=%lld%s", f->since, f->filters);
                int r = api_stream(f->a, target, NULL, STREAM_TIMEOUT_SEC, on_stream_data, &p, &resp);
                sse_free(&p);
                if (r == 404 || r == 405 || r == 503) {
                        api_response_clear(&resp);
                        if (r == 503)
                                fprintf(stderr, "claimctl: claimd has no room for another stream (503): "
                                        "following by long polls\n");
                        return -1;
                }
                if (r == -EINTR)
                        return EXIT_INTERRUPTED;
                if (r > 0) {
                        int code = fail("GET /v1/conflicts/stream", r, &resp);
                        api_response_clear(&resp);
                        return code;
                }
                /* the stream ended or broke (claimd restarting): again, after the last id seen */
                if (r < 0)
                        fprintf(stderr, "claimctl: the conflict stream: %s; reconnecting\n", api_strerror(r));
                else
                        pause = 0.5;
                if (api_sleep(f->a, pause) < 0)
                        return EXIT_INTERRUPTED;
                pause = pause * 2 > RECONNECT_MAX_SEC ? RECONNECT_MAX_SEC : pause * 2;
        }
}

/* Follows by long polls, for a claimd without the stream. */
static int follow_poll(struct feed *f) {
        int wait = POLL_WAIT_SEC;
        for (;;) {
                long n = page(f, wait, PAGE);
                if (n == -EXIT_INTERRUPTED)
                        return EXIT_INTERRUPTED;
                if (n < 0 && wait && f->failed_status == 400) {
                        wait = 0;       /* long_poll_max = 0 refuses wait=: plain polls every 2 s */
                        continue;
                }
                if (n < 0 && f->failed_status == 401)
                        return EXIT_UNAUTHORIZED;
                if ((n < 0 || !wait) && api_sleep(f->a, n < 0 ? 5.0 : 2.0) < 0)
                        return EXIT_INTERRUPTED;
        }
}

int cmd_conflicts(struct api *a, const struct options *o) {
        struct feed f = { .a = a, .o = o, .since = o->since };

        if (o->n_args != 0) {
                fprintf(stderr, "claimctl: conflicts takes no operand ('%s'?)\n\n", o->args[0]);
                usage(stderr, "conflicts");
                return EXIT_USAGE;
        }
        if (o->status && strcmp(o->status, "open") != 0 && strcmp(o->status, "confirmed") != 0 &&
            strcmp(o->status, "dismissed") != 0) {
                fprintf(stderr, "claimctl: --status: open, confirmed or dismissed, not '%s'\n\n", o->status);
                usage(stderr, "conflicts");
                return EXIT_USAGE;
        }
        if (build_filters(&f) < 0) {
                fprintf(stderr, "claimctl: the filters are too long\n");
                return EXIT_USAGE;
        }
        int r = list_all(&f);
        if (r != 0 || !o->follow)
                return r;
        r = follow_stream(&f);
        return r >= 0 ? r : follow_poll(&f);
}
