/* See filter.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/conflict.h"
#include "common/strutil.h"
#include "daemon/http/api.h"
#include "daemon/http/filter.h"
#include "daemon/http/http.h"
#include "daemon/http/query.h"
#include "daemon/limits.h"

int conflicts_query_parse(struct server *s, struct evhttp_request *req, const struct route *r,
                          struct conflict_query *cq) {
        struct conflict_filter *f = &cq->f;
        char **ret_source = &cq->source;
        struct query q;
        int64_t v, wait = 0;

        *f = (struct conflict_filter) { .kind = -1 };
        *ret_source = NULL;
        cq->wait = 0;
        if (query_parse(s, req, r, &q) < 0 || parse_page(s, req, r, &q, &f->since, &f->limit) < 0)
                return -EINVAL;
        cq->since_given = q.v[Q_SINCE] != NULL;
        if (q.v[Q_WAIT]) {
                char what[64];
                snprintf(what, sizeof(what), "a number of seconds from 0 to %d", s->cfg.long_poll_max);
                if (!cq->allow_wait || parse_int64(q.v[Q_WAIT], 0, s->cfg.long_poll_max, &wait) < 0)
                        return bad_param(s, req, r, &q, "wait", cq->allow_wait ? what : "absent on a stream");
        }
        if (q.v[Q_EVENT]) {
                if (parse_int64(q.v[Q_EVENT], 1, INT64_MAX, &v) < 0)
                        return bad_param(s, req, r, &q, "event", "an event id (a positive integer)");
                f->event_id = v;
        }
        if (q.v[Q_KIND]) {
                int k = conflict_kind_from_string(q.v[Q_KIND]);
                if (k < 0)
                        return bad_param(s, req, r, &q, "kind",
                                         "a conflict kind (denial, negation, antonym, numeric, date, location)");
                f->kind = k;
        }
        if (q.v[Q_MIN_SCORE]) {
                char *end;
                double d = strtod(q.v[Q_MIN_SCORE], &end);
                if (!*q.v[Q_MIN_SCORE] || *end || !isfinite(d) || d < 0 || d > 1)
                        return bad_param(s, req, r, &q, "min_score", "a number from 0 to 1");
                f->min_score = d;
        }
        if (q.v[Q_BEFORE]) {
                /* newest first, for pages of the past; a feed to follow is since= */
                if (!cq->allow_wait || q.v[Q_SINCE] || q.v[Q_WAIT])
                        return bad_param(s, req, r, &q, "before", cq->allow_wait ?
                                         "given without since and wait (it pages backwards)" : "absent on a stream");
                if (parse_int64(q.v[Q_BEFORE], 1, INT64_MAX, &v) < 0)
                        return bad_param(s, req, r, &q, "before", "an id (a positive integer)");
                f->before = v;
        }
        if (q.v[Q_STATUS]) {
                f->status = review_status_from_string(q.v[Q_STATUS]);
                if (!f->status)
                        return bad_param(s, req, r, &q, "status", "open, confirmed or dismissed");
        }
        if (q.v[Q_SOURCE]) {
                if (!*q.v[Q_SOURCE] || strlen(q.v[Q_SOURCE]) > MAX_SOURCE_BYTES)
                        return bad_param(s, req, r, &q, "source", "a source name");
                *ret_source = strdup(q.v[Q_SOURCE]);
                if (!*ret_source) {
                        evhttp_clear_headers(&q.kv);
                        reply_error(s, req, r, 500, "internal_error", NULL, "out of memory");
                        return -ENOMEM;
                }
                f->source = *ret_source;
        }
        evhttp_clear_headers(&q.kv);
        cq->wait = wait;
        return 0;
}
