/* See metrics.h. */
#include <errno.h>
#include <stdio.h>

#include "daemon/limits.h"
#include "daemon/metrics.h"

static const int status_codes[] = { 200, 201, 400, 401, 404, 405, 413, 414, 415, 422, 431, 500, 503 };
#define N_STATUS (sizeof(status_codes) / sizeof(status_codes[0]))

/* Ingest latency buckets in seconds (request received -> reply sent). */
static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static struct {
        uint64_t requests[ROUTES_MAX + 1][N_STATUS + 1];   /* last column: other statuses */
        uint64_t latency[N_BUCKETS + 1];
        double latency_sum;
        uint64_t latency_count;
        uint64_t ingested, duplicates, claims, conflicts;
} m;

void metrics_request(size_t r, int status) {
        if (r > ROUTES_MAX)
                r = ROUTES_MAX;
        for (size_t i = 0; i < N_STATUS; i++)
                if (status_codes[i] == status) {
                        m.requests[r][i]++;
                        return;
                }
        m.requests[r][N_STATUS]++;
}

void metrics_ingest(double seconds, int n_claims, int n_conflicts, int duplicate) {
        size_t i = 0;
        while (i < N_BUCKETS && seconds > buckets[i])
                i++;
        m.latency[i]++;
        m.latency_sum += seconds;
        m.latency_count++;
        if (duplicate)
                m.duplicates++;
        else {
                m.ingested++;
                m.claims += (uint64_t) (n_claims > 0 ? n_claims : 0);
                m.conflicts += (uint64_t) (n_conflicts > 0 ? n_conflicts : 0);
        }
}

int metrics_render(struct evbuffer *out, const char *(*route_name)(size_t route),
                   const struct store_counts *c, const struct metrics_gauges *g) {
        int r = 0;

#define P(...) do { if (evbuffer_add_printf(out, __VA_ARGS__) < 0) r = -ENOMEM; } while (0)
        P("# HELP claimd_http_requests_total HTTP requests answered, by route and status.\n"
          "# TYPE claimd_http_requests_total counter\n");
        for (size_t rt = 0; rt <= ROUTES_MAX; rt++)
                for (size_t i = 0; i <= N_STATUS; i++) {
                        const char *name = route_name(rt);
                        if (m.requests[rt][i] == 0 || !name)
                                continue;
                        if (i < N_STATUS)
                                P("claimd_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                  name, status_codes[i], (unsigned long long) m.requests[rt][i]);
                        else
                                P("claimd_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                                  name, (unsigned long long) m.requests[rt][i]);
                }

        P("# HELP claimd_ingest_duration_seconds Time from receiving POST /v1/articles to the reply after commit.\n"
          "# TYPE claimd_ingest_duration_seconds histogram\n");
        uint64_t cum = 0;
        for (size_t i = 0; i < N_BUCKETS; i++) {
                cum += m.latency[i];
                P("claimd_ingest_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i], (unsigned long long) cum);
        }
        cum += m.latency[N_BUCKETS];
        P("claimd_ingest_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long) cum);
        P("claimd_ingest_duration_seconds_sum %.6f\n", m.latency_sum);
        P("claimd_ingest_duration_seconds_count %llu\n", (unsigned long long) m.latency_count);

        P("# HELP claimd_ingested_articles_total Articles stored since start.\n"
          "# TYPE claimd_ingested_articles_total counter\n"
          "claimd_ingested_articles_total %llu\n", (unsigned long long) m.ingested);
        P("# HELP claimd_duplicate_articles_total Duplicate posts since start.\n"
          "# TYPE claimd_duplicate_articles_total counter\n"
          "claimd_duplicate_articles_total %llu\n", (unsigned long long) m.duplicates);
        P("# HELP claimd_detected_conflicts_total Conflicts detected since start.\n"
          "# TYPE claimd_detected_conflicts_total counter\n"
          "claimd_detected_conflicts_total %llu\n", (unsigned long long) m.conflicts);

        if (c) {
                P("# HELP claimd_articles Articles in the store.\n# TYPE claimd_articles gauge\nclaimd_articles %lld\n",
                  (long long) c->articles);
                P("# HELP claimd_claims Claims in the store.\n# TYPE claimd_claims gauge\nclaimd_claims %lld\n",
                  (long long) c->claims);
                P("# HELP claimd_events Events in the store.\n# TYPE claimd_events gauge\nclaimd_events %lld\n",
                  (long long) c->events);
                P("# HELP claimd_conflicts Conflicts in the store.\n# TYPE claimd_conflicts gauge\nclaimd_conflicts %lld\n",
                  (long long) c->conflicts);
                P("# HELP claimd_database_bytes Size of the database.\n# TYPE claimd_database_bytes gauge\n"
                  "claimd_database_bytes %lld\n", (long long) c->db_bytes);
        }
        if (g) {
                P("# HELP claimd_queue_inflight Requests accepted by the work queue and not yet answered.\n"
                  "# TYPE claimd_queue_inflight gauge\nclaimd_queue_inflight %lld\n", (long long) g->queue_inflight);
                P("# HELP claimd_queue_capacity Work queue bound (queue_size).\n"
                  "# TYPE claimd_queue_capacity gauge\nclaimd_queue_capacity %lld\n", (long long) g->queue_capacity);
                P("# HELP claimd_long_polls Long-poll requests waiting.\n"
                  "# TYPE claimd_long_polls gauge\nclaimd_long_polls %lld\n", (long long) g->parked_pollers);
                P("# HELP claimd_event_streams Open event streams (GET /v1/conflicts/stream).\n"
                  "# TYPE claimd_event_streams gauge\nclaimd_event_streams %lld\n", (long long) g->open_streams);
                P("# HELP claimd_event_streams_dropped_total Event streams closed because the client did not read.\n"
                  "# TYPE claimd_event_streams_dropped_total counter\nclaimd_event_streams_dropped_total %llu\n",
                  (unsigned long long) g->streams_dropped_slow);
                if (g->webhooks) {
                        P("# HELP claimd_webhook_deliveries_total Conflicts delivered to a webhook (answered 2xx).\n"
                          "# TYPE claimd_webhook_deliveries_total counter\nclaimd_webhook_deliveries_total %llu\n",
                          (unsigned long long) g->webhook_delivered);
                        P("# HELP claimd_webhook_failures_total Webhook delivery attempts that failed (each is retried).\n"
                          "# TYPE claimd_webhook_failures_total counter\nclaimd_webhook_failures_total %llu\n",
                          (unsigned long long) g->webhook_failed);
                        P("# HELP claimd_webhook_dropped_total Deliveries dropped because their conflict was deleted first.\n"
                          "# TYPE claimd_webhook_dropped_total counter\nclaimd_webhook_dropped_total %llu\n",
                          (unsigned long long) g->webhook_dropped);
                        P("# HELP claimd_webhook_backlog Webhook deliveries pending.\n"
                          "# TYPE claimd_webhook_backlog gauge\nclaimd_webhook_backlog %lld\n",
                          (long long) g->webhook_backlog);
                }
        }
#undef P
        return r;
}
