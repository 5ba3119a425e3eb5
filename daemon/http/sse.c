/* See sse.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/http/sse.h"

int sse_append_event(struct evbuffer *out, int64_t id, const char *name, const char *data, size_t len) {
        int r = 0;

        if (id > 0 && evbuffer_add_printf(out, "id: %lld\n", (long long) id) < 0)
                r = -ENOMEM;
        if (name && evbuffer_add_printf(out, "event: %s\n", name) < 0)
                r = -ENOMEM;
        /* every line of data is its own "data:" field; an empty data still
         * needs one so that the event is dispatched with data "" */
        size_t i = 0;
        do {
                size_t n = 0;
                while (i + n < len && data[i + n] != '\n' && data[i + n] != '\r')
                        n++;
                if (evbuffer_add(out, "data: ", 6) < 0 || evbuffer_add(out, data + i, n) < 0 ||
                    evbuffer_add(out, "\n", 1) < 0)
                        r = -ENOMEM;
                i += n;
                if (i < len && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
                        i++;
                if (i < len)
                        i++;
                else
                        break;
        } while (i <= len);
        if (evbuffer_add(out, "\n", 1) < 0)
                r = -ENOMEM;
        return r;
}

int sse_append_comment(struct evbuffer *out, const char *text) {
        return evbuffer_add_printf(out, ": %s\n\n", text) < 0 ? -ENOMEM : 0;
}

bool sse_parse_id(const char *s, int64_t *ret) {
        int64_t v = 0;
        size_t digits = 0;

        if (!s)
                return false;
        while (*s == ' ' || *s == '\t')
                s++;
        for (; *s >= '0' && *s <= '9'; s++, digits++) {
                int d = *s - '0';
                if (v > (INT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        while (*s == ' ' || *s == '\t')
                s++;
        if (digits == 0 || *s)
                return false;
        *ret = v;
        return true;
}
