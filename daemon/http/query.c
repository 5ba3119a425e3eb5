/* See query.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/strutil.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/limits.h"

static const char *const query_names[_Q_MAX] = {
        "since", "limit", "wait", "event", "source", "kind", "min_score", "status", "before",
};

static int hex_value(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
               c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Whether a %-escape of the raw query string qs decodes to a control byte:
 * evhttp_parse_query_str() would cut the value at a %00 (so that
 * "source=a.test%00.evil" asked for "a.test").  Copies the parameter's
 * name into name. */
static bool query_control_byte(const char *qs, char *name, size_t size) {
        for (const char *p = qs; *p;) {
                size_t n = strcspn(p, "&"), k = strcspn(p, "=");
                for (size_t i = 0; i + 2 < n; i++) {
                        int hi = p[i] == '%' ? hex_value(p[i + 1]) : -1, lo = hi >= 0 ? hex_value(p[i + 2]) : -1;
                        if (lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f)) {
                                snprintf(name, size, "%.*s", (int) (k < n ? k : n), p);
                                return true;
                        }
                }
                p += n + (p[n] == '&');
        }
        return false;
}

int query_parse(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q) {
        const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
        const char *qs = u ? evhttp_uri_get_query(u) : NULL;

        TAILQ_INIT(&q->kv);
        memset(q->v, 0, sizeof(q->v));
        if (!qs || !*qs)
                return 0;
        char bad[64];
        if (query_control_byte(qs, bad, sizeof(bad))) {
                reply_error(s, req, r, 400, "invalid_field", bad,
                            "the value of '%s' holds a control byte (such as %%00)", bad);
                return -EINVAL;
        }
        if (evhttp_parse_query_str(qs, &q->kv) < 0) {
                evhttp_clear_headers(&q->kv);
                reply_error(s, req, r, 400, "invalid_field", NULL, "the query string cannot be parsed");
                return -EINVAL;
        }
        for (struct evkeyval *kv = q->kv.tqh_first; kv; kv = kv->next.tqe_next)
                for (int i = 0; i < _Q_MAX; i++) {
                        if (strcmp(kv->key, query_names[i]) != 0)
                                continue;
                        if (q->v[i]) {
                                evhttp_clear_headers(&q->kv);
                                reply_error(s, req, r, 400, "invalid_field", query_names[i],
                                            "'%s' is given more than once", query_names[i]);
                                return -EINVAL;
                        }
                        q->v[i] = kv->value;
                }
        return 0;
}

int bad_param(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q,
              const char *name, const char *what) {
        evhttp_clear_headers(&q->kv);
        reply_error(s, req, r, 400, "invalid_field", name, "'%s' must be %s", name, what);
        return -EINVAL;
}

int parse_page(struct server *s, struct evhttp_request *req, const struct route *r, struct query *q,
               int64_t *since, int *limit) {
        int64_t v;
        *since = 0;
        *limit = LIST_LIMIT_DEFAULT;
        if (q->v[Q_SINCE]) {
                if (parse_int64(q->v[Q_SINCE], 0, INT64_MAX, &v) < 0)
                        return bad_param(s, req, r, q, "since", "an id (a non-negative integer)");
                *since = v;
        }
        if (q->v[Q_LIMIT]) {
                char what[64];
                snprintf(what, sizeof(what), "an integer from 1 to %d", LIST_LIMIT_MAX);
                if (parse_int64(q->v[Q_LIMIT], 1, LIST_LIMIT_MAX, &v) < 0)
                        return bad_param(s, req, r, q, "limit", what);
                *limit = (int) v;
        }
        return 0;
}
