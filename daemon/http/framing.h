/* HTTP/1.1 request framing, checked on the raw bytes before evhttp reads
 * them (RFC 9112).  libevent 2.1 reads ambiguous framing its own way: the
 * first of two Content-Length headers, a header with a space before its
 * colon ignored, "Transfer-Encoding: xchunked" read as no body, a sign in
 * Content-Length, a NUL in a value.  Behind a proxy that reads the same
 * bytes another way, each is request smuggling.  The framer follows every
 * message of a connection (head, then its Content-Length or chunked body,
 * then the next head) and refuses the first one that is not unambiguous.
 *
 * No I/O: bytes go in through http_framer_feed(), and what evhttp should
 * read comes out through the emit callback: heads as received, bodies with
 * a Content-Length as received, chunked bodies re-framed canonically
 * (chunk extensions and trailer fields dropped, which RFC 9112 allows).
 * After a refusal nothing more is emitted; the caller answers with
 * f->error and closes the connection. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_framing_limits {
        size_t max_head_bytes;          /* request line, fields and the blank line; beyond: 431 */
        size_t max_body_bytes;          /* announced (Content-Length) or chunked body; beyond: 413 */
};

struct http_framing_error {
        int status;                     /* 400, 405, 413 or 431 */
        const char *code;               /* API error code: invalid_request, method_not_allowed, too_large */
        bool in_body;                   /* the refused message's head was already emitted */
        char message[200];
};

enum http_framer_state {
        HTTP_FRAMER_HEAD,
        HTTP_FRAMER_BODY,
        HTTP_FRAMER_CHUNK_SIZE,
        HTTP_FRAMER_CHUNK_DATA,
        HTTP_FRAMER_CHUNK_END,          /* the CRLF after a chunk's data */
        HTTP_FRAMER_TRAILER,
        HTTP_FRAMER_REFUSED,
};

struct http_framer {
        struct http_framing_limits limits;      /* the caller may change them between messages */
        enum http_framer_state state;
        char *buf;                      /* the head, chunk-size line or trailer read so far */
        size_t len, cap;
        size_t line_start;              /* where the line being read began in buf */
        uint64_t remaining;             /* bytes left of the body or of the chunk */
        uint64_t body_bytes;            /* of the chunked body so far */
        unsigned crlf_seen;             /* HTTP_FRAMER_CHUNK_END: bytes of the CRLF matched */
        uint64_t messages;              /* heads emitted */
        struct http_framing_error error;        /* HTTP_FRAMER_REFUSED: why */
};

/* Emits n bytes for evhttp; returns 0 or a negative errno. */
typedef int (*http_framing_emit)(void *userdata, const void *p, size_t n);

void http_framer_init(struct http_framer *f, const struct http_framing_limits *limits);
void http_framer_done(struct http_framer *f);

/* Reads n more bytes of the connection.  Returns 0; -EPROTO when they
 * break the framing (f->error says how; every later call returns -EPROTO
 * and emits nothing); -ENOMEM; or what emit returned. */
int http_framer_feed(struct http_framer *f, const void *p, size_t n, http_framing_emit emit, void *userdata);
