/* Small string helpers shared by common/ and daemon/, so that each rule
 * (what a decimal integer is, ...) is written once. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Whether s ends with suffix. */
static inline bool str_ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Parses s as a plain decimal integer (digits only: no sign, no spaces, no
 * leading "+") in [min, max].  Returns 0 and fills *ret, -EINVAL when s is
 * not such a number (or NULL, or empty), -ERANGE when it is outside
 * [min, max] or int64_t. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);
