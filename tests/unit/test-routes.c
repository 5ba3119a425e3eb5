/* The route table: path patterns, ids, method groups and Allow, labels. */
#include <errno.h>
#include <string.h>

#include "daemon/http/routes.h"
#include "daemon/limits.h"
#include "tap.h"

static void test_patterns(void) {
        const char *id;
        size_t n;

        CHECK(route_path_matches("/v1/events", "/v1/events", &id, &n) && !id && n == 0, "fixed path matches itself");
        CHECK(!route_path_matches("/v1/events", "/v1/events/", &id, &n), "fixed path refuses a longer one");
        CHECK(route_path_matches("/v1/events/{id}", "/v1/events/12", &id, &n) && n == 2 && strncmp(id, "12", 2) == 0,
              "{id} takes the rest of the path");
        CHECK(route_path_matches("/v1/events/{id}", "/v1/events/", &id, &n) && n == 0, "{id} may be empty");
        CHECK(route_path_matches("/v1/events/{id}", "/v1/events/1/2", &id, &n) && n == 3,
              "without a suffix {id} takes slashes too");
        CHECK(route_path_matches("/v1/conflicts/{id}/history", "/v1/conflicts/7/history", &id, &n) && n == 1 &&
              id[0] == '7', "{id} before a suffix");
        CHECK(!route_path_matches("/v1/conflicts/{id}/history", "/v1/conflicts/7", &id, &n),
              "a suffix pattern needs its suffix");
        CHECK(!route_path_matches("/v1/conflicts/{id}/history", "/v1/conflicts/history", &id, &n),
              "prefix and suffix may not overlap");
}

static void test_match(void) {
        const struct route *r;
        int64_t id;
        char allow[64];

        CHECK(route_match("/v1/articles", EVHTTP_REQ_POST, &r, &id, allow, sizeof(allow)) == 0 && id == 0 &&
              strcmp(route_name(r), "POST /v1/articles") == 0, "POST /v1/articles");
        CHECK(route_match("/v1/articles/42", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 && id == 42 &&
              strcmp(route_name(r), "GET /v1/articles/{id}") == 0, "GET /v1/articles/42");
        CHECK(route_match("/v1/articles/42", EVHTTP_REQ_HEAD, &r, &id, allow, sizeof(allow)) == 0 && id == 42,
              "HEAD goes where GET goes");
        CHECK(route_match("/v1/articles/x1", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 && id == -1,
              "a bad id matches with id -1");
        CHECK(route_match("/v1/articles/0", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 && id == -1,
              "id 0 is not an id");
        CHECK(route_match("/v1/articles/9223372036854775807", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 &&
              id == INT64_MAX, "the largest id");
        CHECK(route_match("/v1/articles/9223372036854775808", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 &&
              id == -1, "one past the largest id");
        CHECK(route_match("/v1/articles", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == -EPERM &&
              strcmp(allow, "POST") == 0 && strcmp(route_name(r), "POST /v1/articles") == 0,
              "GET on a POST route: 405, Allow: POST");
        CHECK(route_match("/healthz", EVHTTP_REQ_DELETE, &r, &id, allow, sizeof(allow)) == -EPERM &&
              strcmp(allow, "GET, HEAD") == 0, "DELETE on a GET route: Allow: GET, HEAD");
        CHECK(route_match("/v1/nothing", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == -ENOENT, "no route");
        CHECK(route_match("/v1/compare", EVHTTP_REQ_POST, &r, &id, allow, sizeof(allow)) == 0 &&
              r->auth == AUTH_TOKEN && (r->needs & NEED_BODY), "compare needs the token and reads a body");
}

static void test_names(void) {
        char noun[32];
        const struct route *r;
        int64_t id;
        char allow[64];

        CHECK(strcmp(route_name(ROUTE_OTHER), "other") == 0, "ROUTE_OTHER is \"other\"");
        CHECK(route_index(ROUTE_OTHER) == ROUTES_MAX, "ROUTE_OTHER counts last");
        CHECK(route_match("/v1/conflicts/3", EVHTTP_REQ_GET, &r, &id, allow, sizeof(allow)) == 0 &&
              strcmp(route_id_noun(r, noun, sizeof(noun)), "conflict") == 0, "the id of /v1/conflicts/{id} is a conflict");
        size_t n = 0;
        while (route_name_at(n))
                n++;
        CHECK(n > 0 && n < ROUTES_MAX, "every row has a name (%zu rows)", n);
        for (size_t i = 0; i < n; i++)
                for (size_t k = i + 1; k < n; k++)
                        CHECK(strcmp(route_name_at(i), route_name_at(k)) != 0, "rows %zu and %zu are named apart", i, k);
}

int main(void) {
        test_patterns();
        test_match();
        test_names();
        return tap_done();
}
