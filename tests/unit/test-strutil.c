/* The shared string helpers. */
#include <errno.h>
#include <stdint.h>

#include "common/strutil.h"
#include "tap.h"

static void test_parse_int64(void) {
        int64_t v = -7;

        CHECK(parse_int64("0", 0, 10, &v) == 0 && v == 0, "0");
        CHECK(parse_int64("0042", 0, 100, &v) == 0 && v == 42, "leading zeros");
        CHECK(parse_int64("9223372036854775807", 0, INT64_MAX, &v) == 0 && v == INT64_MAX, "INT64_MAX");
        v = -7;
        CHECK(parse_int64("9223372036854775808", 0, INT64_MAX, &v) == -ERANGE && v == -7,
              "past INT64_MAX: -ERANGE, *ret untouched");
        CHECK(parse_int64("99999999999999999999999", 0, INT64_MAX, &v) == -ERANGE, "far past INT64_MAX");
        CHECK(parse_int64("11", 1, 10, &v) == -ERANGE, "above max");
        CHECK(parse_int64("0", 1, 10, &v) == -ERANGE, "below min");
        CHECK(parse_int64("", 0, 10, &v) == -EINVAL, "empty");
        CHECK(parse_int64(NULL, 0, 10, &v) == -EINVAL, "NULL");
        CHECK(parse_int64("-1", -5, 10, &v) == -EINVAL, "no sign");
        CHECK(parse_int64("+1", 0, 10, &v) == -EINVAL, "no plus");
        CHECK(parse_int64(" 1", 0, 10, &v) == -EINVAL, "no space before");
        CHECK(parse_int64("1 ", 0, 10, &v) == -EINVAL, "no space after");
        CHECK(parse_int64("1x", 0, 10, &v) == -EINVAL, "no trailing junk");
        CHECK(parse_int64("99999999999999999999x", 0, 10, &v) == -EINVAL, "junk after an overflow is junk");
}

int main(void) {
        test_parse_int64();
        return tap_done();
}
