/* Server-Sent Events parsing (see sse.h).  Lines end with "\n", "\r\n" or
 * "\r"; a line "field: value" sets a field (one space after the colon is
 * dropped), a line starting with ':' is a comment (the keep-alives), a blank
 * line dispatches the event if it has data.  Only the fields claimctl uses
 * are kept: data, event, id (retry is ignored: claimctl has its own). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/sse.h"

void sse_init(struct sse_parser *p, sse_handler handler, void *userdata) {
        memset(p, 0, sizeof(*p));
        p->handler = handler;
        p->userdata = userdata;
}

void sse_free(struct sse_parser *p) {
        free(p->line);
        free(p->data);
        p->line = p->data = NULL;
}

/* Appends n bytes to the growing buffer *buf. */
static int append(char **buf, size_t *len, size_t *size, const char *s, size_t n) {
        if (*len + n + 1 > SSE_MAX_EVENT_BYTES)
                return -EMSGSIZE;
        if (*len + n + 1 > *size) {
                size_t ns = *size ? *size : 256;
                while (ns < *len + n + 1)
                        ns *= 2;
                char *nb = realloc(*buf, ns);
                if (!nb)
                        return -ENOMEM;
                *buf = nb;
                *size = ns;
        }
        memcpy(*buf + *len, s, n);
        *len += n;
        (*buf)[*len] = 0;
        return 0;
}

static void copy_field(char *dst, size_t size, const char *v, size_t n) {
        if (n >= size)
                n = size - 1;
        memcpy(dst, v, n);
        dst[n] = 0;
}

static int dispatch(struct sse_parser *p) {
        int r = 0;
        if (p->has_data) {
                struct sse_event e = {
                        .id = p->id,
                        .event = p->event[0] ? p->event : "message",
                        .data = p->data ? p->data : "",
                        .data_len = p->data_len,
                };
                r = p->handler(&e, p->userdata);
        }
        p->data_len = 0;
        if (p->data)
                p->data[0] = 0;
        p->event[0] = 0;
        p->has_data = false;
        return r;
}

/* One complete line (without its end). */
static int line(struct sse_parser *p, const char *l, size_t n) {
        if (n == 0)
                return dispatch(p);
        if (l[0] == ':')
                return 0;
        const char *colon = memchr(l, ':', n);
        size_t fn = colon ? (size_t) (colon - l) : n;
        const char *v = colon ? colon + 1 : l + n;
        size_t vn = colon ? n - fn - 1 : 0;
        if (vn > 0 && v[0] == ' ')
                v++, vn--;
        if (fn == 4 && memcmp(l, "data", 4) == 0) {
                int r = 0;
                if (p->has_data)
                        r = append(&p->data, &p->data_len, &p->data_size, "\n", 1);
                if (r == 0)
                        r = append(&p->data, &p->data_len, &p->data_size, v, vn);
                p->has_data = true;
                return r;
        }
        if (fn == 5 && memcmp(l, "event", 5) == 0)
                copy_field(p->event, sizeof(p->event), v, vn);
        else if (fn == 2 && memcmp(l, "id", 2) == 0 && !memchr(v, 0, vn))
                copy_field(p->id, sizeof(p->id), v, vn);
        return 0;
}

int sse_feed(struct sse_parser *p, const char *buf, size_t len) {
        for (size_t i = 0; i < len; i++) {
                char c = buf[i];
                if (c == '\n' && p->after_cr) {
                        p->after_cr = false;
                        continue;
                }
                p->after_cr = c == '\r';
                if (c == '\n' || c == '\r') {
                        int r = line(p, p->line ? p->line : "", p->line_len);
                        p->line_len = 0;
                        if (r)
                                return r;
                        continue;
                }
                /* the bytes up to the next line end, in one step */
                size_t j = i;
                while (j < len && buf[j] != '\n' && buf[j] != '\r')
                        j++;
                int r = append(&p->line, &p->line_len, &p->line_size, buf + i, j - i);
                if (r < 0)
                        return r;
                i = j - 1;
        }
        return 0;
}
