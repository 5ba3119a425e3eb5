/* Fuzz target: the request framing check (daemon/http/framing.c).  The
 * input is the byte stream of one connection.  Checks:
 *  - the verdict and what is emitted do not depend on how the stream is cut
 *    into reads (whole, byte by byte, and in pieces whose sizes come from
 *    the input itself);
 *  - a refusal has a status, a code and a message, and nothing is emitted
 *    after it;
 *  - what is emitted is itself well framed and canonical: fed to a fresh
 *    framer it passes unchanged (so evhttp only ever reads streams the
 *    framer accepts). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/http/framing.h"
#include "fuzz.h"

struct sink {
        char *p;
        size_t n, cap;
        bool after_refusal;
};

static int collect(void *userdata, const void *p, size_t n) {
        struct sink *s = userdata;
        FUZZ_CHECK(!s->after_refusal);
        if (s->n + n > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 4096;
                while (cap < s->n + n)
                        cap *= 2;
                char *b = realloc(s->p, cap);
                FUZZ_CHECK(b);
                s->p = b;
                s->cap = cap;
        }
        memcpy(s->p + s->n, p, n);
        s->n += n;
        return 0;
}

static const struct http_framing_limits limits = { .max_head_bytes = 4096, .max_body_bytes = 65536 };

/* Feeds data in pieces of the sizes step() gives; fills *out and *err,
 * returns the last result. */
static int run(const uint8_t *data, size_t size, size_t (*step)(const uint8_t *, size_t, size_t),
               struct sink *out, struct http_framing_error *err) {
        struct http_framer f;
        int r = 0;

        http_framer_init(&f, &limits);
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < size;) {
                size_t k = step(data, size, i);
                if (k > size - i)
                        k = size - i;
                r = http_framer_feed(&f, data + i, k, collect, out);
                FUZZ_CHECK(r == 0 || r == -EPROTO);
                i += k;
                if (r == -EPROTO) {
                        out->after_refusal = true;
                        /* stays refused, emits nothing */
                        FUZZ_CHECK(http_framer_feed(&f, data, size, collect, out) == -EPROTO);
                        break;
                }
        }
        if (r == -EPROTO) {
                FUZZ_CHECK(f.error.status == 400 || f.error.status == 405 || f.error.status == 413 ||
                           f.error.status == 431);
                FUZZ_CHECK(f.error.code && *f.error.code && f.error.message[0]);
        }
        *err = f.error;
        http_framer_done(&f);
        return r;
}

static size_t whole(const uint8_t *d, size_t n, size_t i) {
        return n;
}

static size_t bytewise(const uint8_t *d, size_t n, size_t i) {
        return 1;
}

static size_t pieces(const uint8_t *d, size_t n, size_t i) {
        return 1 + (size_t) (d[(i * 7 + 3) % n] % 23);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct sink a, b, c, again;
        struct http_framing_error ea, eb, ec, eagain;

        if (size == 0 || size > 256 * 1024)
                return 0;
        int ra = run(data, size, whole, &a, &ea);
        int rb = run(data, size, bytewise, &b, &eb);
        int rc = run(data, size, pieces, &c, &ec);
        FUZZ_CHECK(ra == rb && ra == rc);
        FUZZ_CHECK(a.n == b.n && a.n == c.n);
        FUZZ_CHECK(a.n == 0 || (memcmp(a.p, b.p, a.n) == 0 && memcmp(a.p, c.p, a.n) == 0));
        if (ra == -EPROTO)
                FUZZ_CHECK(ea.status == eb.status && ea.status == ec.status &&
                           strcmp(ea.message, eb.message) == 0 && strcmp(ea.message, ec.message) == 0);

        /* the emitted stream is a fixed point */
        if (a.n > 0) {
                int r = run((const uint8_t *) a.p, a.n, whole, &again, &eagain);
                FUZZ_CHECK(r == 0);
                FUZZ_CHECK(again.n == a.n && memcmp(again.p, a.p, a.n) == 0);
                free(again.p);
        }
        free(a.p);
        free(b.p);
        free(c.p);
        return 0;
}
