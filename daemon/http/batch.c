/* See batch.h. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/http/batch.h"
#include "daemon/http/http.h"
#include "daemon/http/reply.h"
#include "daemon/http/routes.h"
#include "daemon/metrics.h"
#include "daemon/workers.h"

void batch_free(struct batch *b) {
        for (size_t i = 0; i < b->n; i++)
                json_decref(b->results[i]);
        free(b->results);
        free(b);
}

void batch_reply(struct server *s, struct batch *b) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(b->req);

        evbuffer_drain(s->out, evbuffer_get_length(s->out));
        for (size_t i = 0; i < b->n; i++) {
                char *line = b->results[i] ? json_dumps(b->results[i], JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
                if (line) {
                        evbuffer_add(s->out, line, strlen(line));
                        free(line);
                } else
                        evbuffer_add_printf(s->out, "{\"status\":500,\"error\":{\"code\":\"internal_error\","
                                            "\"message\":\"out of memory\"}}");
                evbuffer_add(s->out, "\n", 1);
        }
        evhttp_add_header(h, "Content-Type", "application/x-ndjson");
        evhttp_add_header(h, "Cache-Control", "no-store");
        metrics_request(route_index(b->route), 200);
        send_reply(b->req, 200, s->out);
        batch_free(b);
}

json_t *batch_result(json_t *reply, int status) {
        json_t *o = reply ? json_deep_copy(reply) : json_object();
        if (o)
                json_object_set_new(o, "status", json_integer(status));
        return o;
}

void batch_line_done(struct server *s, struct job *j) {
        struct batch *b = j->batch;

        b->results[j->batch_index] = batch_result(j->reply, j->status ? j->status : 500);
        if (--b->pending == 0)
                batch_reply(s, b);
}
