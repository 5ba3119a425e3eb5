/* Counters for GET /metrics (Prometheus text format 0.0.4).  Touched only
 * on the event loop thread (every reply is sent there), so no locking. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "daemon/store.h"

/* Counts a reply of route (an index below ROUTES_MAX, or ROUTES_MAX for
 * requests no route took) with status. */
void metrics_request(size_t route, int status);
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

/* Appends the whole exposition to out, naming routes with route_name()
 * (routes.h route_name_at()); counts may be NULL when the store could not
 * be read.  Returns 0 or -ENOMEM. */
int metrics_render(struct evbuffer *out, const char *(*route_name)(size_t route),
                   const struct store_counts *counts, const struct metrics_gauges *g);
