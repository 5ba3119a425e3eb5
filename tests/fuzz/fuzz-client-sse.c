/* Fuzz target: claimctl's event-stream parser (client/sse.c), which reads
 * whatever a server (or something in the way) sends.  Checks:
 *  - the events and the last id do not depend on how the stream is cut into
 *    reads: whole, byte by byte, and in pieces whose sizes come from the
 *    input itself;
 *  - every event's data is data_len bytes long and NUL-terminated there,
 *    its name and id are NUL-terminated strings of their buffers. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "client/sse.h"
#include "fuzz.h"

struct seen {
        unsigned long long hash;        /* FNV-1a over every event, in order */
        size_t n;
};

static void mix(struct seen *s, const void *p, size_t n) {
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++)
                s->hash = (s->hash ^ b[i]) * 1099511628211ULL;
}

static int record(const struct sse_event *e, void *userdata) {
        struct seen *s = userdata;
        FUZZ_CHECK(e->data[e->data_len] == 0);
        FUZZ_CHECK(strlen(e->event) < 64 && strlen(e->id) < 64);
        mix(s, e->event, strlen(e->event) + 1);
        mix(s, e->id, strlen(e->id) + 1);
        mix(s, e->data, e->data_len + 1);
        s->n++;
        return 0;
}

/* Parses data fed in pieces: step 0 whole, 1 byte by byte, otherwise sizes
 * taken from the input's own bytes. */
static struct seen parse(const uint8_t *data, size_t size, int step) {
        struct seen s = { .hash = 1469598103934665603ULL };
        struct sse_parser p;
        size_t off = 0, k = 0;
        sse_init(&p, record, &s);
        while (off < size) {
                size_t n = step == 0 ? size - off : step == 1 ? 1 : 1 + (size_t) (data[k++ % size] % 17);
                if (n > size - off)
                        n = size - off;
                FUZZ_CHECK(sse_feed(&p, (const char *) data + off, n) == 0);
                off += n;
        }
        mix(&s, p.id, strlen(p.id) + 1);
        sse_free(&p);
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct seen whole = parse(data, size, 0);
        struct seen bytes = parse(data, size, 1);
        struct seen pieces = parse(data, size, 2);
        FUZZ_CHECK(whole.n == bytes.n && whole.hash == bytes.hash);
        FUZZ_CHECK(whole.n == pieces.n && whole.hash == pieces.hash);
        return 0;
}
