/* claimctl stats: the daemon's health and counts (GET /healthz) with a few
 * figures of GET /metrics: database size, ingest latency, queue, requests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/claimctl.h"
#include "client/print.h"

/* The figures read from the Prometheus text. */
struct figures {
        json_t *plain;          /* {name: value} of the samples without labels */
        double requests, errors;
        double le[32], cumulative[32];  /* the ingest latency histogram */
        int n_buckets;
};

/* One sample line "name{labels} value". */
static void take_sample(struct figures *f, const char *line) {
        const char *sp = strrchr(line, ' ');
        if (!sp)
                return;
        double v = strtod(sp + 1, NULL);
        const char *brace = strchr(line, '{');
        if (!brace || brace > sp) {
                char *name = strndup(line, (size_t) (sp - line));
                if (name)
                        json_object_set_new(f->plain, name, json_real(v));
                free(name);
        } else if (strncmp(line, "claimd_http_requests_total{", 27) == 0) {
                const char *st = strstr(line, "status=\"");
                f->requests += v;
                if (st && st < sp && atoi(st + 8) >= 400)
                        f->errors += v;
        } else if (strncmp(line, "claimd_ingest_duration_seconds_bucket{le=\"", 42) == 0 && f->n_buckets < 32) {
                f->le[f->n_buckets] = strncmp(line + 42, "+Inf", 4) == 0 ? INFINITY : strtod(line + 42, NULL);
                f->cumulative[f->n_buckets++] = v;
        }
}

static void read_metrics(struct figures *f, const char *text) {
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                if (n > 0 && *p != '#' && n < 1024) {
                        char line[1024];
                        memcpy(line, p, n);
                        line[n] = 0;
                        take_sample(f, line);
                }
                p += n + (p[n] == '\n');
        }
}

/* The upper bound of the histogram bucket holding quantile q, in ms. */
static double quantile_ms(const struct figures *f, double q) {
        double total = f->n_buckets ? f->cumulative[f->n_buckets - 1] : 0;
        for (int i = 0; i < f->n_buckets; i++)
                if (total > 0 && f->cumulative[i] >= q * total)
                        return f->le[i] * 1000;
        return NAN;
}

static double plain(const struct figures *f, const char *name) {
        return json_number_value(json_object_get(f->plain, name));
}

static void print_text(struct api *a, const json_t *h, const struct figures *f) {
        double count = plain(f, "claimd_ingest_duration_seconds_count");
        printf("claimd %s at %s: %s\n", str_or(json_string_value(json_object_get(h, "version")), "?"), api_url(a),
               str_or(json_string_value(json_object_get(h, "status")), "?"));
        printf("  articles %lld, claims %lld, events %lld, conflicts %lld\n",
               (long long) json_integer_value(json_object_get(h, "articles")),
               (long long) json_integer_value(json_object_get(h, "claims")),
               (long long) json_integer_value(json_object_get(h, "events")),
               (long long) json_integer_value(json_object_get(h, "conflicts")));
        printf("  database %.1f MiB\n", plain(f, "claimd_database_bytes") / 1048576.0);
        if (count > 0)
                printf("  ingest: %.0f articles since start; latency mean %.1f ms, median <= %g ms, "
                       "95%% <= %g ms\n", count, plain(f, "claimd_ingest_duration_seconds_sum") / count * 1000,
                       quantile_ms(f, 0.5), quantile_ms(f, 0.95));
        else
                printf("  ingest: no article since start\n");
        printf("  queue: %.0f of %.0f in flight; %.0f long polls waiting\n", plain(f, "claimd_queue_inflight"),
               plain(f, "claimd_queue_capacity"), plain(f, "claimd_long_polls"));
        printf("  requests: %.0f since start, %.0f answered with an error\n", f->requests, f->errors);
}

int cmd_stats(struct api *a, const struct options *o) {
        struct api_response resp = {};
        json_t *h = NULL;
        struct figures f = { .plain = json_object() };

        if (o->n_args != 0) {
                fprintf(stderr, "claimctl: stats takes no operand ('%s'?)\n\n", o->args[0]);
                usage(stderr, "stats");
                json_decref(f.plain);
                return EXIT_USAGE;
        }
        int r = api_get_json(a, "/healthz", &h, &resp);
        if (r == 0)
                r = api_request_retry(a, "GET", "/metrics", NULL, NULL, 0, 3, &resp);
        if (r == 0 && resp.status == 200) {
                read_metrics(&f, resp.body);
                if (o->json) {
                        json_t *j = json_pack("{s:O,s:O}", "healthz", h, "metrics", f.plain);
                        if (j)
                                print_json_line(stdout, j);
                        json_decref(j);
                } else
                        print_text(a, h, &f);
        } else
                r = fail(h ? "GET /metrics" : "GET /healthz", r ? r : resp.status, &resp);
        api_response_clear(&resp);
        json_decref(h);
        json_decref(f.plain);
        return r;
}
