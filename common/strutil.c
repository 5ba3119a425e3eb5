/* See strutil.h. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "strutil.h"

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret) {
        int64_t v = 0;
        bool overflow = false;

        if (!s || !*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                int d = *p - '0';
                if (v > (INT64_MAX - d) / 10)
                        overflow = true;
                else
                        v = v * 10 + d;
        }
        if (overflow || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}
