/* UTF-8 checks and byte -> code point offset maps.  The pipeline works on
 * byte offsets; the API speaks code points, so every span is converted once
 * through a map made here. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Returns true when s[0..len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) and holds no NUL byte. */
bool utf8_is_valid(const char *s, size_t len);

/* Builds map[0..len] with map[i] = number of code points before byte i.
 * Returns 0 and fills *ret_map (free() it), or -ENOMEM. */
int utf8_offset_map(const char *s, size_t len, int32_t **ret_map);

/* c lowercased if it is an ASCII capital, else c itself (bytes of other
 * characters included): for keys and comparisons that fold ASCII only. */
static inline char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* Number of code points in s[0..len). */
size_t utf8_length(const char *s, size_t len);
