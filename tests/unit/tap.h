/* A tiny TAP producer for the unit tests: every check prints "ok N" or
 * "not ok N", and tap_done() prints the plan and returns the exit code. */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define CHECK(cond, ...) do {                                           \
        tap_n++;                                                        \
        if (cond)                                                       \
                printf("ok %d - ", tap_n);                              \
        else {                                                          \
                tap_failed++;                                           \
                printf("not ok %d - %s:%d: ", tap_n, __FILE__, __LINE__);\
        }                                                               \
        printf(__VA_ARGS__);                                            \
        printf("\n");                                                   \
} while (0)

#define CHECK_STR(got, want) do {                                       \
        const char *g_ = (got), *w_ = (want);                           \
        CHECK(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_,                \
              "%s == \"%s\" (got \"%s\")", #got, w_ ? w_ : "(null)",    \
              g_ ? g_ : "(null)");                                      \
} while (0)

static inline int tap_done(void) {
        printf("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
