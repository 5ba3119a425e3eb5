/* Fuzz target: the checks POST /v1/articles and POST /v1/compare make before
 * a job is queued (daemon/routes-articles.c): request_parse_json() then
 * article_validate(), on the body as one JSON document, as an NDJSON batch
 * (one article per line) and, for {"a": ..., "b": ...}, as a compare
 * request.  Besides memory errors it checks the contract of a result:
 * an accepted article obeys every field rule of API.md, a refused one has a
 * 400/413 status, an error code and a message. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "common/rfc3339.h"
#include "common/utf8.h"
#include "daemon/http/validate.h"
#include "daemon/limits.h"
#include "fuzz.h"

#define FUZZ_MAX_TEXT   (64 * KIB)
#define FUZZ_RECEIVED   ((time_t) 1499457600)      /* 2017-07-07T20:00:00Z */

/* Checks a string field of an accepted article: valid UTF-8, no NUL inside
 * (it is a C string of the JSON value's length), at most max bytes. */
static void check_string(const char *s, size_t max) {
        if (!s)
                return;
        size_t n = strlen(s);
        FUZZ_CHECK(n <= max);
        FUZZ_CHECK(utf8_is_valid(s, n));
}

/* Checks what article_validate() returned against API.md. */
static void check_result(int r, const struct article_request *req, const struct api_error *e,
                         bool source_required) {
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(e->status == 400 || e->status == 413);
                FUZZ_CHECK(e->code && *e->code);
                FUZZ_CHECK(memchr(e->message, 0, sizeof(e->message)));
                FUZZ_CHECK(memchr(e->field, 0, sizeof(e->field)));
                FUZZ_CHECK(e->message[0]);
                return;
        }

        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(!source_required || req->source);
        check_string(req->source, MAX_SOURCE_BYTES);
        check_string(req->url, MAX_URL_BYTES);
        check_string(req->title, MAX_TITLE_BYTES);
        check_string(req->text, FUZZ_MAX_TEXT);
        check_string(req->html, FUZZ_MAX_TEXT);
        check_string(req->lang, MAX_LANG_BYTES);
        check_string(req->published_at, MAX_PUBLISHED_AT_BYTES);
        FUZZ_CHECK(!(req->text && req->html));
        FUZZ_CHECK((req->title && *req->title) || (req->text && *req->text) || (req->html && *req->html));
        if (req->source)
                FUZZ_CHECK(*req->source);
        if (req->url)
                for (const char *p = req->url; *p; p++)
                        FUZZ_CHECK((unsigned char) *p > 0x20 && *p != 0x7f);
        if (req->published_at) {
                time_t t;
                FUZZ_CHECK(rfc3339_parse(req->published_at, &t) == 0);
                FUZZ_CHECK(t == req->published);
        } else
                FUZZ_CHECK(req->published == FUZZ_RECEIVED);
        FUZZ_CHECK(req->received == FUZZ_RECEIVED);
}

/* One document: parse, then validate it as an article and, when it has the
 * shape of a compare request, each of its two articles. */
static void run_document(const char *body, size_t len) {
        struct api_error e = {};
        struct article_request req = {};

        json_t *o = request_parse_json(body, len, &e);
        if (!o) {
                FUZZ_CHECK(e.status == 400);
                FUZZ_CHECK(strcmp(e.code, "invalid_json") == 0 || strcmp(e.code, "invalid_utf8") == 0);
                return;
        }
        FUZZ_CHECK(utf8_is_valid(body, len));

        int r = article_validate(o, true, NULL, FUZZ_MAX_TEXT, FUZZ_RECEIVED, &req, &e);
        check_result(r, &req, &e, true);

        if (json_is_object(o))
                for (const char *const *f = (const char *const[]) { "a", "b", NULL }; *f; f++) {
                        json_t *x = json_object_get(o, *f);
                        char prefix[4];
                        if (!x || !json_is_object(x))
                                continue;
                        snprintf(prefix, sizeof(prefix), "%s.", *f);
                        memset(&e, 0, sizeof(e));
                        r = article_validate(x, false, prefix, FUZZ_MAX_TEXT, FUZZ_RECEIVED, &req, &e);
                        check_result(r, &req, &e, false);
                        if (r < 0 && e.field[0])
                                FUZZ_CHECK(strncmp(e.field, prefix, 2) == 0);
                }
        json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *body = (const char *) data;

        if (size > 4 * FUZZ_MAX_TEXT)
                return 0;
        run_document(body, size);

        /* As an NDJSON batch, split and trimmed as route_post_batch() does. */
        if (!memchr(body, '\n', size))
                return 0;
        const char *line;
        size_t n, lines = 0;
        for (size_t off = 0; lines < MAX_BATCH_LINES && ndjson_next_line(body, size, &off, &line, &n); lines++)
                run_document(line, n);
        return 0;
}
