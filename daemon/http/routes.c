/* The route table and matching a request against it (see routes.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/strutil.h"
#include "daemon/http/routes.h"
#include "daemon/limits.h"

/* One row: path, methods, handler, auth, needs (routes.h). */
#define ROW(p, m, h, a, n) { .path = (p), .methods = (m), .handler = (h), .auth = (a), .needs = (n) }

static const struct route routes[] = {
        ROW("/v1/articles",               M_POST,  route_post_article,     AUTH_TOKEN, NEED_BODY | NEED_WRITER),
        ROW("/v1/articles/{id}",          M_GET,   route_get_article,      AUTH_READ,  NEED_READER),
        ROW("/v1/conflicts",              M_GET,   route_list_conflicts,   AUTH_READ,  NEED_READER),
        ROW("/v1/conflicts/stream",       M_GET,   route_stream,           AUTH_READ,  NEED_READER),
        ROW("/v1/conflicts/{id}/history", M_GET,   route_conflict_history, AUTH_READ,  NEED_READER),
        ROW("/v1/conflicts/{id}",         M_GET,   route_get_conflict,     AUTH_READ,  NEED_READER),
        ROW("/v1/conflicts/{id}",         M_PATCH, route_patch_conflict,   AUTH_TOKEN, NEED_BODY | NEED_WRITER),
        ROW("/v1/events",                 M_GET,   route_list_events,      AUTH_READ,  NEED_READER),
        ROW("/v1/events/{id}",            M_GET,   route_get_event,        AUTH_READ,  NEED_READER),
        ROW("/v1/compare",                M_POST,  route_post_compare,     AUTH_TOKEN, NEED_BODY),
        ROW("/healthz",                   M_GET,   route_healthz,          AUTH_NONE,  NEED_READER),
        ROW("/metrics",                   M_GET,   route_metrics,          AUTH_READ,  0),
        { .path = "/", .methods = M_GET, .handler = route_dashboard, .auth = AUTH_NONE,
          .matches = web_asset_exists, .name = "GET / (dashboard)" },
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))
_Static_assert(N_ROUTES < ROUTES_MAX, "the route table outgrew ROUTES_MAX (limits.h)");

/* The methods, in the order the Allow header lists them. */
static const struct {
        unsigned bit;
        const char *name;
} method_names[] = {
        { M_GET, "GET, HEAD" },
        { M_POST, "POST" },
        { M_PUT, "PUT" },
        { M_PATCH, "PATCH" },
        { M_DELETE, "DELETE" },
};

static unsigned method_bit(enum evhttp_cmd_type m) {
        switch (m) {
        case EVHTTP_REQ_GET:
        case EVHTTP_REQ_HEAD: return M_GET;
        case EVHTTP_REQ_POST: return M_POST;
        case EVHTTP_REQ_PUT: return M_PUT;
        case EVHTTP_REQ_PATCH: return M_PATCH;
        case EVHTTP_REQ_DELETE: return M_DELETE;
        default: return 0;
        }
}

bool route_path_matches(const char *pattern, const char *path, const char **ret_id, size_t *ret_n) {
        const char *brace = strstr(pattern, "{id}");
        if (!brace) {
                *ret_id = NULL;
                *ret_n = 0;
                return strcmp(pattern, path) == 0;
        }
        size_t pre = (size_t) (brace - pattern), len = strlen(path);
        const char *suffix = brace + 4;
        size_t suf = strlen(suffix);
        if (len < pre + suf || strncmp(path, pattern, pre) != 0 || strcmp(path + len - suf, suffix) != 0)
                return false;
        *ret_id = path + pre;
        *ret_n = len - pre - suf;
        return true;
}

static bool row_matches(const struct route *r, const char *path, const char **ret_id, size_t *ret_n) {
        if (!r->matches)
                return route_path_matches(r->path, path, ret_id, ret_n);
        *ret_id = NULL;
        *ret_n = 0;
        return r->matches(path);
}

int route_match(const char *path, enum evhttp_cmd_type m, const struct route **ret, int64_t *ret_id,
                char *allow, size_t n) {
        const struct route *first = NULL;
        const char *id_text = NULL;
        size_t id_len = 0;
        unsigned bit = method_bit(m), methods = 0;

        for (size_t i = 0; i < N_ROUTES; i++) {
                const struct route *r = &routes[i];
                if (first ? strcmp(r->path, first->path) != 0 : !row_matches(r, path, &id_text, &id_len))
                        continue;
                if (!first)
                        first = r;
                methods |= r->methods;
                if (!(r->methods & bit))
                        continue;
                char idbuf[24];
                int64_t id = 0;
                if (id_text) {
                        snprintf(idbuf, sizeof(idbuf), "%.*s", (int) (id_len < 23 ? id_len : 23), id_text);
                        if (id_len > 19 || parse_int64(idbuf, 1, INT64_MAX, &id) < 0)
                                id = -1;
                }
                *ret = r;
                *ret_id = id;
                return 0;
        }
        if (!first)
                return -ENOENT;
        size_t k = 0;
        allow[0] = 0;
        for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
                if (methods & method_names[i].bit)
                        k += (size_t) snprintf(allow + k, k < n ? n - k : 0, "%s%s", k ? ", " : "",
                                               method_names[i].name);
        *ret = first;
        return -EPERM;
}

const char *route_id_noun(const struct route *r, char *buf, size_t n) {
        const char *brace = r ? strstr(r->path, "{id}") : NULL;
        if (!brace || brace == r->path) {
                snprintf(buf, n, "item");
                return buf;
        }
        /* the path segment before "{id}", singular: "/v1/articles/{id}" -> "article" */
        const char *end = brace - 1, *start = end;
        while (start > r->path && start[-1] != '/')
                start--;
        size_t len = (size_t) (end - start);
        if (len > 0 && start[len - 1] == 's')
                len--;
        snprintf(buf, n, "%.*s", (int) len, start);
        return buf;
}

size_t route_index(const struct route *r) {
        return r && r >= routes && r < routes + N_ROUTES ? (size_t) (r - routes) : ROUTES_MAX;
}

const char *route_name_at(size_t i) {
        static char names[N_ROUTES][MAX_ROUTE_NAME];

        if (i == ROUTES_MAX)
                return "other";
        if (i >= N_ROUTES)
                return NULL;
        if (!names[i][0] && routes[i].name)
                snprintf(names[i], sizeof(names[i]), "%s", routes[i].name);
        if (!names[i][0]) {
                const char *method = "?";
                for (size_t k = 0; k < sizeof(method_names) / sizeof(method_names[0]); k++)
                        if (routes[i].methods & method_names[k].bit) {
                                method = method_names[k].bit == M_GET ? "GET" : method_names[k].name;
                                break;
                        }
                snprintf(names[i], sizeof(names[i]), "%s %s", method, routes[i].path);
        }
        return names[i];
}

const char *route_name(const struct route *r) {
        return route_name_at(route_index(r));
}
