/* Server-Sent Events framing (daemon/sse.c): ids, event names, data with
 * line breaks, comments, and the ids clients send back. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "daemon/http/sse.h"
#include "tap.h"

static char *take(struct evbuffer *b) {
        size_t n = evbuffer_get_length(b);
        char *s = malloc(n + 1);
        evbuffer_remove(b, s, n);
        s[n] = 0;
        return s;
}

static void frame(int64_t id, const char *name, const char *data, const char *want) {
        struct evbuffer *b = evbuffer_new();
        CHECK(sse_append_event(b, id, name, data, strlen(data)) == 0, "append %s", name ? name : "(no name)");
        char *got = take(b);
        CHECK_STR(got, want);
        free(got);
        evbuffer_free(b);
}

int main(void) {
        frame(51, "conflict", "{\"id\":51}", "id: 51\nevent: conflict\ndata: {\"id\":51}\n\n");
        frame(0, "review", "{}", "event: review\ndata: {}\n\n");
        frame(0, NULL, "", "data: \n\n");
        /* every line break of the data starts a new data line: LF, CR and CRLF */
        frame(2, NULL, "a\nb", "id: 2\ndata: a\ndata: b\n\n");
        frame(3, NULL, "a\r\nb\rc", "id: 3\ndata: a\ndata: b\ndata: c\n\n");
        frame(4, NULL, "a\n", "id: 4\ndata: a\ndata: \n\n");
        frame(5, NULL, "\xf0\x9f\x98\x80 \xe2\x80\xa8", "id: 5\ndata: \xf0\x9f\x98\x80 \xe2\x80\xa8\n\n");

        struct evbuffer *b = evbuffer_new();
        CHECK(sse_append_comment(b, "keep-alive") == 0, "comment");
        char *got = take(b);
        CHECK_STR(got, ": keep-alive\n\n");
        free(got);
        evbuffer_free(b);

        int64_t v = -1;
        CHECK(sse_parse_id("0", &v) && v == 0, "0");
        CHECK(sse_parse_id(" 42 ", &v) && v == 42, "spaces around");
        CHECK(sse_parse_id("9223372036854775807", &v) && v == INT64_MAX, "INT64_MAX");
        const char *bad[] = { "", " ", "-1", "+1", "1.5", "0x10", "1 2", "abc", "9223372036854775808",
                              "99999999999999999999", "1\n", NULL };
        for (const char *const *p = bad; *p; p++)
                CHECK(!sse_parse_id(*p, &v), "refuses '%s'", *p);
        CHECK(!sse_parse_id(NULL, &v), "refuses NULL");
        return tap_done();
}
