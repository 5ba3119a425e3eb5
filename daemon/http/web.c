/* See web.h.  The policy allows scripts, styles, images and fetches from
 * claimd's own origin only and nothing else: no inline script, no other
 * host, no framing; the page never loads anything from elsewhere (links to
 * the articles are plain navigations, sent without a Referer). */
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/api.h"
#include "daemon/http/http.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/http/web.h"
#include "daemon/metrics.h"

#define DASHBOARD_CSP \
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const struct web_asset *web_asset_find(const char *path) {
        for (size_t i = 0; i < n_web_assets; i++)
                if (strcmp(web_assets[i].path, path) == 0)
                        return &web_assets[i];
        return NULL;
}

bool web_asset_exists(const char *path) {
        return web_asset_find(path) != NULL;
}

void route_dashboard(struct server *s, struct evhttp_request *req, const struct route_call *c) {
        const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
        const struct web_asset *a = web_asset_find(u ? evhttp_uri_get_path(u) : "");
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        if (!a) {
                reply_error(s, req, c->route, 404, "not_found", NULL, "no such file");
                return;
        }
        evhttp_add_header(h, "Content-Type", a->content_type);
        evhttp_add_header(h, "Content-Security-Policy", DASHBOARD_CSP);
        evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
        evhttp_add_header(h, "X-Frame-Options", "DENY");
        evhttp_add_header(h, "Referrer-Policy", "no-referrer");
        evhttp_add_header(h, "Cache-Control", "no-cache");
        evhttp_add_header(h, "ETag", a->etag);

        const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
        if (inm && strstr(inm, a->etag)) {
                metrics_request(route_index(c->route), 304);
                send_reply(req, 304, NULL);
                return;
        }
        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        evbuffer_add_reference(s->out, a->data, a->len, NULL, NULL);
        metrics_request(route_index(c->route), 200);
        send_reply(req, 200, s->out);
}
