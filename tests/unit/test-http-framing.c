/* The request framing check (daemon/http/framing.c): what passes, what is
 * refused with which status, and what evhttp is given. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/http/framing.h"
#include "tap.h"

struct sink {
        char buf[8192];
        size_t n;
};

static int collect(void *userdata, const void *p, size_t n) {
        struct sink *s = userdata;
        if (s->n + n >= sizeof(s->buf))
                return -ENOBUFS;
        memcpy(s->buf + s->n, p, n);
        s->n += n;
        s->buf[s->n] = 0;
        return 0;
}

static const struct http_framing_limits lim = { .max_head_bytes = 1024, .max_body_bytes = 100 };
static struct http_framing_error last;
static struct sink out;

/* Feeds s (all at once and byte by byte: both must agree); returns the
 * status of the refusal, 0 when all of it passed. */
static int frame(const char *s, size_t n) {
        struct http_framer f, g;
        struct sink one = {};
        http_framer_init(&f, &lim);
        http_framer_init(&g, &lim);
        memset(&out, 0, sizeof(out));
        int r = http_framer_feed(&f, s, n, collect, &out), rg = 0;
        for (size_t i = 0; i < n && rg == 0; i++)
                rg = http_framer_feed(&g, s + i, 1, collect, &one);
        if (r != rg || one.n != out.n || memcmp(one.buf, out.buf, out.n) != 0 ||
            f.error.status != g.error.status)
                printf("# byte-by-byte differs: %d/%d %zu/%zu\n", r, rg, out.n, one.n);
        last = f.error;
        http_framer_done(&f);
        http_framer_done(&g);
        return r == -EPROTO ? last.status : r == 0 && r == rg ? 0 : -1;
}

#define FRAME(lit) frame(lit, sizeof(lit) - 1)

int main(void) {
        /* passes, unchanged */
        static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        CHECK(FRAME(get) == 0 && strcmp(out.buf, get) == 0, "a GET passes unchanged");
        static const char post[] = "POST /v1/articles HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.0\r\n\r\n";
        CHECK(FRAME(post) == 0 && strcmp(out.buf, post) == 0, "a POST with a body, then a pipelined GET");
        CHECK(FRAME("\r\n\r\nGET / HTTP/1.1\nHost: x\n\n") == 0 && strcmp(out.buf, "GET / HTTP/1.1\nHost: x\n\n") == 0,
              "empty lines before a request are dropped; bare LF ends head lines");
        CHECK(FRAME("POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc") == 0,
              "a repeated Content-Length with the same value");
        CHECK(FRAME("GET / HTTP/1.1\r\nX-Utf8: caf\xc3\xa9\r\nX-Tab:\ta\tb \r\n\r\n") == 0, "obs-text and tabs in values");
        CHECK(FRAME("HEAD / HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\n\r\n") == 0,
              "a HEAD with Content-Length: 0 (no body), then the next request");
        CHECK(FRAME("DELETE / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\n\r\n") == 0,
              "a DELETE with a body evhttp reads");

        /* chunked bodies are re-framed */
        CHECK(FRAME("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "05;name=value;q=\"a \\\"b\\\"\"\r\nhello\r\n0A ; x\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n") == 0 &&
              strstr(out.buf, "\r\n\r\n5\r\nhello\r\na\r\n0123456789\r\n0\r\n\r\n") != NULL,
              "chunk extensions, a trailer: canonical chunks for evhttp");
        CHECK(FRAME("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n") == 0 &&
              strstr(out.buf, "0\r\n\r\nGET / HTTP/1.1\r\n\r\n"), "an empty chunked body, then the next request");

        /* smuggling: refused with 400 */
        struct { const char *in; int status; const char *why; } bad[] = {
                { "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "two different Content-Length" },
                { "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", 400, "whitespace between the header name" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding\t: chunked\r\n\r\n", 400, "whitespace between the header name" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", 400, "exactly 'chunked'" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "exactly 'chunked'" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "more than once" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "both" },
                { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0" },
                { "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400, "digits only" },
                { "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", 400, "digits only" },
                { "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "digits only" },
                { "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400, "empty" },
                { "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400, "control byte (0x0d)" },
                { "GET / HTTP/1.1\r\nX: \x01\r\n\r\n", 400, "control byte (0x01)" },
                { "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "folding" },
                { "GET / HTTP/1.1\r\n: a\r\n\r\n", 400, "field name" },
                { "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "no colon" },
                { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host" },
                { "GET  / HTTP/1.1\r\n\r\n", 400, "request line" },
                { "GET / HTTP/1.1 \r\n\r\n", 400, "HTTP/1.0 and HTTP/1.1" },
                { "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 400, "visible ASCII" },
                { "GET / HTTP/2.0\r\n\r\n", 400, "HTTP/1.0 and HTTP/1.1" },
                { "GET /\r\n\r\n", 400, "request line" },
                { "\x16\x03\x01\x02\x01\x01\xfc\x03\x03\r\n\r\n", 400, "request line" },
                { "CONNECT example.test:443 HTTP/1.1\r\n\r\n", 405, "not a proxy" },
                /* bodies evhttp would run as the next request */
                { "HEAD / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400, "a HEAD request cannot carry a body" },
                { "HEAD / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HEAD request cannot" },
                { "TRACE / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 400, "a TRACE request cannot carry a body" },
                { "PURGE / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 400, "a PURGE request cannot carry a body" },
                { "get / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 400, "a get request cannot carry a body" },
                /* chunks */
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "hexadecimal" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", 400, "hexadecimal" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", 400, "followed by CRLF" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n", 400, "end with CRLF" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\n", 400, "after the size" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\n", 400, "without a name" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\r\n", 400, "empty value" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\n", 400, "quoted" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n", 400, "whitespace" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n", 400, "trailer line" },
                /* sizes */
                { "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "larger than 100 bytes" },
                { "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, "larger than 100" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n", 0, NULL },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413, "larger than 100" },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000000001\r\nx\r\n0\r\n\r\n", 0, NULL },
                { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 413, "64 bits" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int st = frame(bad[i].in, strlen(bad[i].in));
                CHECK(st == bad[i].status && (!bad[i].why || strstr(last.message, bad[i].why)),
                      "case %zu: %d (want %d): %s", i, st, bad[i].status, st > 0 ? last.message : "passes");
        }

        /* what was emitted before a refusal, and what comes after */
        CHECK(FRAME("GET /a HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nGET /b HTTP/1.1\r\n\r\n") == 400 &&
              strcmp(out.buf, "GET /a HTTP/1.1\r\n\r\n") == 0 && !last.in_body,
              "the request before the smuggling one passes, nothing after it");
        CHECK(FRAME("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX") == 400 && last.in_body &&
              strcmp(last.code, "invalid_request") == 0, "a refusal inside a body says so");
        CHECK(FRAME("CONNECT a:1 HTTP/1.1\r\n\r\n") == 405 && strcmp(last.code, "method_not_allowed") == 0, "CONNECT: 405");
        {
                struct http_framer f;
                http_framer_init(&f, &lim);
                memset(&out, 0, sizeof(out));
                CHECK(http_framer_feed(&f, "X\r\n\r\n", 5, collect, &out) == -EPROTO &&
                      http_framer_feed(&f, "GET / HTTP/1.1\r\n\r\n", 18, collect, &out) == -EPROTO && out.n == 0,
                      "refused stays refused");
                http_framer_done(&f);
        }

        /* the head limit */
        char big[1200];
        memset(big, 'a', sizeof(big));
        memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
        memcpy(big + sizeof(big) - 4, "\r\n\r\n", 4);
        CHECK(frame(big, sizeof(big)) == 431 && strcmp(last.code, "too_large") == 0, "a head over the limit: 431");
        return tap_done();
}
