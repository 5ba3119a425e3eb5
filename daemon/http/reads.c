/* The read routes: articles, conflicts and events by id, the event list,
 * /healthz and /metrics, on the loop thread against the read-only store
 * connection. */
#include <errno.h>
#include <stdio.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/api.h"
#include "daemon/http/http.h"
#include "daemon/http/query.h"
#include "daemon/http/reader.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/http/stream.h"
#include "daemon/http/webhook.h"
#include "daemon/metrics.h"
#include "daemon/workers.h"

static void reply_lookup(struct server *s, struct evhttp_request *req, const struct route *r, int k, json_t *o,
                         const char *what, int64_t id) {
        if (k == 0)
                reply_json(s, req, r, 200, o);
        else if (k == -ENOENT)
                reply_error(s, req, r, 404, "not_found", NULL, "no %s with id %lld", what, (long long) id);
        else
                reply_store_error(s, req, r, k);
}

void route_get_article(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        json_t *o = NULL;
        int k = store_get_article_json(s->ro, c->id, &o);
        reply_lookup(s, req, c->route, k, o, "article", c->id);
}

void route_get_conflict(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        json_t *o = NULL;
        int k = store_get_conflict_json(s->ro, c->id, &o);
        reply_lookup(s, req, c->route, k, o, "conflict", c->id);
}

void route_get_event(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        json_t *o = NULL;
        int k = store_get_event_json(s->ro, c->id, &o);
        reply_lookup(s, req, c->route, k, o, "event", c->id);
}

void route_list_events(struct server *s, struct evhttp_request *req, const struct route_call *call) {
        struct query q;
        int64_t since;
        int limit;

        if (query_parse(s, req, call->route, &q) < 0 ||
            parse_page(s, req, call->route, &q, &since, &limit) < 0)
                return;
        evhttp_clear_headers(&q.kv);

        json_t *o = NULL;
        int k = store_list_events_json(s->ro, since, limit, &o);
        if (k < 0)
                reply_store_error(s, req, call->route, k);
        else
                reply_json(s, req, call->route, 200, o);
}

void route_healthz(struct server *s, struct evhttp_request *req, const struct route_call *call) {
        struct store_counts c;
        int k = store_counts(s->ro, &c);
        if (k < 0) {
                reply_store_error(s, req, call->route, k);
                return;
        }
        /* the writer finds out at its next commit, the reader here */
        int lost = s->workers ? workers_store_lost(s->workers) : 0;
        if (!lost)
                lost = store_file_state(s->ro);
        if (lost) {
                json_t *e = error_json("store_unavailable", NULL,
                                       "the database file %s was %s while claimd ran: writes are refused; "
                                       "restart claimd", s->cfg.database, lost == -ENOENT ? "deleted" : "replaced");
                if (e && json_object_set_new(e, "status", json_string("store_unavailable")) < 0) {
                        json_decref(e);
                        e = NULL;
                }
                reply_json(s, req, call->route, 503, e);
                return;
        }
        reply_json(s, req, call->route, 200,
                   json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:{s:b, s:b}}",
                             "status", "ok",
                             "version", CLAIMD_VERSION,
                             "articles", (json_int_t) c.articles,
                             "claims", (json_int_t) c.claims,
                             "events", (json_int_t) c.events,
                             "conflicts", (json_int_t) c.conflicts,
                             /* which requests need the token: the dashboard asks for it up front */
                             "token_required", "writes", s->token != NULL,
                             "reads", s->token != NULL && s->cfg.require_token_for_reads));
}

void route_metrics(struct server *s, struct evhttp_request *req, const struct route_call *call) {
        struct store_counts c;
        bool have = http_store_ready(s) && store_counts(s->ro, &c) == 0;
        struct metrics_gauges g = {
                .queue_inflight = (int64_t) workers_inflight(s->workers),
                .queue_capacity = (int64_t) workers_capacity(s->workers),
                .parked_pollers = (int64_t) s->n_pollers,
                .open_streams = (int64_t) streams_count(),
                .streams_dropped_slow = streams_dropped_slow(),
                .webhooks = s->webhook != NULL,
        };

        struct webhook_stats ws;
        webhook_get_stats(s->webhook, &ws);
        g.webhook_delivered = ws.delivered;
        g.webhook_failed = ws.failed;
        g.webhook_dropped = ws.dropped;
        g.webhook_backlog = ws.backlog;

        metrics_request(route_index(call->route), 200);
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        metrics_render(s->out, route_name_at, have ? &c : NULL, &g);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "text/plain; version=0.0.4; charset=utf-8");
        send_reply(req, 200, s->out);
}
