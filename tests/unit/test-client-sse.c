/* client/sse.c, the event-stream parser of claimctl: events, comments,
 * every line ending, multi-line data, the last event id, and the same
 * stream fed in pieces of every size. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/sse.h"
#include "tap.h"

struct seen {
        char text[4096];        /* "event|id|data;" for each event */
        int n;
        int stop_after;         /* 0: never stop */
};

static int record(const struct sse_event *e, void *userdata) {
        struct seen *s = userdata;
        size_t n = strlen(s->text);
        snprintf(s->text + n, sizeof(s->text) - n, "%s|%s|%.*s;", e->event, e->id, (int) e->data_len, e->data);
        s->n++;
        return s->stop_after && s->n >= s->stop_after ? 7 : 0;
}

static const char stream[] =
        ": keep-alive\n"
        "id: 51\n"
        "event: conflict\n"
        "data: {\"id\": 51}\n"
        "\n"
        "event: review\r\n"
        "data: line one\r\n"
        "data: line two\r\n"
        "\r\n"
        "data\rdata:no space\r\r"
        "id: 60\n"
        "retry: 10\n"
        "\n"
        "event: conflict\n"
        "data: {\"id\": 61}\n"
        "id: 61\n"
        "\n"
        "data: never dispatched, no blank line after it";

static const char want[] =
        "conflict|51|{\"id\": 51};"
        "review|51|line one\nline two;"
        "message|51|\nno space;"
        "conflict|61|{\"id\": 61};";

/* Feeds the whole stream in pieces of `piece` bytes. */
static void feed_in_pieces(size_t piece) {
        struct seen s = {};
        struct sse_parser p;
        int r = 0;
        sse_init(&p, record, &s);
        for (size_t off = 0; off < sizeof(stream) - 1 && r == 0; off += piece) {
                size_t n = sizeof(stream) - 1 - off < piece ? sizeof(stream) - 1 - off : piece;
                r = sse_feed(&p, stream + off, n);
        }
        if (!CHECK(r == 0 && strcmp(s.text, want) == 0, "pieces of %zu bytes: the four events", piece))
                printf("# got %s\n", s.text);
        sse_free(&p);
}

int main(void) {
        for (size_t piece = 1; piece <= sizeof(stream); piece++)
                feed_in_pieces(piece);

        struct seen s = { .stop_after = 1 };
        struct sse_parser p;
        sse_init(&p, record, &s);
        CHECK(sse_feed(&p, stream, sizeof(stream) - 1) == 7 && s.n == 1, "a handler's non-zero answer stops parsing");
        sse_free(&p);

        /* a line beyond the limit is refused, not buffered without end */
        static char big[SSE_MAX_EVENT_BYTES / 4];
        memset(big, 'x', sizeof(big));
        struct seen s2 = {};
        sse_init(&p, record, &s2);
        int r = 0;
        for (int i = 0; i < 5 && r == 0; i++)
                r = sse_feed(&p, big, sizeof(big));
        CHECK(r == -EMSGSIZE, "a line of more than %u bytes is -EMSGSIZE (%d)", SSE_MAX_EVENT_BYTES, r);
        sse_free(&p);

        /* an id with a NUL is ignored, as the format says */
        struct seen s3 = {};
        sse_init(&p, record, &s3);
        static const char nul_id[] = "id: 7\n\nid: 8\0x\ndata: d\n\n";
        CHECK(sse_feed(&p, nul_id, sizeof(nul_id) - 1) == 0 && strcmp(s3.text, "message|7|d;") == 0,
              "an id holding NUL leaves the last id (got %s)", s3.text);
        sse_free(&p);
        return tap_done();
}
