#include <stdlib.h>

#include "common/utf8.h"
#include "tap.h"

int main(void) {
        CHECK(utf8_is_valid("plain ascii", 11), "ascii is valid");
        CHECK(utf8_is_valid("caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d", 18), "accents and curly quotes are valid");
        CHECK(!utf8_is_valid("\xc3", 1), "truncated sequence is invalid");
        CHECK(!utf8_is_valid("\xc0\xaf", 2), "overlong slash is invalid");
        CHECK(!utf8_is_valid("\xed\xa0\x80", 3), "lone surrogate is invalid");
        CHECK(!utf8_is_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF is invalid");
        CHECK(!utf8_is_valid("a\0b", 3), "embedded NUL is invalid");
        CHECK(utf8_is_valid("\xf0\x9f\x98\x80", 4), "emoji is valid");
        /* past the first eight bytes, where ASCII is taken a word at a time */
        CHECK(utf8_is_valid("The council met on Monday morning.", 34), "long ascii is valid");
        CHECK(!utf8_is_valid("The council met\0on Monday", 25), "NUL after eight bytes is invalid");
        CHECK(!utf8_is_valid("The council met \xc3 Monday", 24), "truncated sequence after eight bytes is invalid");
        CHECK(utf8_is_valid("The council met in Z\xc3\xbcrich today", 32), "accent after eight bytes is valid");
        CHECK(!utf8_is_valid("The council met on Monday\xe2\x80", 27), "sequence cut at the end is invalid");

        const char *s = "a\xc3\xa9" "b\xf0\x9f\x98\x80" "c";   /* a é b 😀 c */
        size_t len = strlen(s);
        int32_t *map = NULL;
        CHECK(utf8_offset_map(s, len, &map) == 0, "offset map built");
        CHECK(map[0] == 0 && map[1] == 1 && map[3] == 2 && map[4] == 3 && map[8] == 4, "map counts code points");
        CHECK(map[len] == 5, "map end is the code point length");
        CHECK(utf8_length(s, len) == 5, "length in code points");
        free(map);
        return tap_done();
}
