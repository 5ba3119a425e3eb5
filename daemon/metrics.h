/* Counters for GET /metrics (Prometheus text format 0.0.4).  Touched only
 * on the event loop thread (every reply is sent there), so no locking. */
#pragma once

#include <stdint.h>

#include <event2/buffer.h>

#include "daemon/store.h"

enum route {
        ROUTE_ARTICLES_POST,
        ROUTE_ARTICLE_GET,
        ROUTE_CONFLICTS,
        ROUTE_CONFLICT_GET,
        ROUTE_EVENTS,
        ROUTE_EVENT_GET,
        ROUTE_COMPARE,
        ROUTE_HEALTHZ,
        ROUTE_METRICS,
        ROUTE_STREAM,
        ROUTE_CONFLICT_PATCH,
        ROUTE_CONFLICT_HISTORY,
        ROUTE_DASHBOARD,
        ROUTE_OTHER,
        _ROUTE_MAX,
};

const char *route_to_string(enum route r);

void metrics_request(enum route r, int status);
void metrics_ingest(double seconds, int n_claims, int n_conflicts, int duplicate);

/* Runtime gauges the renderer asks for. */
struct metrics_gauges {
        int64_t queue_inflight;
        int64_t queue_capacity;
        int64_t parked_pollers;
        int64_t open_streams;
        uint64_t streams_dropped_slow;
        bool webhooks;                  /* a [webhook] url is configured */
        uint64_t webhook_delivered, webhook_failed, webhook_dropped;
        int64_t webhook_backlog;
};

/* Appends the whole exposition to out; counts may be NULL when the store
 * could not be read.  Returns 0 or -ENOMEM. */
int metrics_render(struct evbuffer *out, const struct store_counts *counts, const struct metrics_gauges *g);
