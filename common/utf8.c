#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0 when
 * it is malformed, overlong, a surrogate, above U+10FFFF or a NUL byte. */
static size_t sequence_length(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        if (c == 0)
                return 0;
        if (c < 0x80)
                return 1;
        if (c < 0xC2)
                return 0;
        if (c < 0xE0) {
                if (n < 2 || (s[1] & 0xC0) != 0x80)
                        return 0;
                return 2;
        }
        if (c < 0xF0) {
                if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
                        return 0;
                if (c == 0xE0 && s[1] < 0xA0)
                        return 0;       /* overlong */
                if (c == 0xED && s[1] >= 0xA0)
                        return 0;       /* UTF-16 surrogate */
                return 3;
        }
        if (c < 0xF5) {
                if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
                        return 0;
                if (c == 0xF0 && s[1] < 0x90)
                        return 0;       /* overlong */
                if (c == 0xF4 && s[1] >= 0x90)
                        return 0;       /* above U+10FFFF */
                return 4;
        }
        return 0;
}

bool utf8_is_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;
        while (i < len) {
                /* news text is mostly ASCII: eight bytes at a time while no
                 * byte has its high bit set or is NUL (which is refused) */
                const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
                uint64_t w;
                while (len - i >= sizeof(w)) {
                        memcpy(&w, p + i, sizeof(w));
                        if ((w & highs) || ((w - ones) & ~w & highs))
                                break;
                        i += sizeof(w);
                }
                if (i >= len)
                        break;
                size_t k = sequence_length(p + i, len - i);
                if (k == 0)
                        return false;
                i += k;
        }
        return true;
}

size_t utf8_length(const char *s, size_t len) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                if (((unsigned char) s[i] & 0xC0) != 0x80)
                        n++;
        return n;
}

int utf8_offset_map(const char *s, size_t len, int32_t **ret_map) {
        int32_t *map = malloc((len + 1) * sizeof(int32_t));
        if (!map)
                return -ENOMEM;
        int32_t cp = 0;
        for (size_t i = 0; i < len; i++) {
                /* a continuation byte maps to the code point it belongs to */
                if (((unsigned char) s[i] & 0xC0) != 0x80) {
                        map[i] = cp;
                        cp++;
                } else
                        map[i] = cp - 1;
        }
        map[len] = cp;
        *ret_map = map;
        return 0;
}
