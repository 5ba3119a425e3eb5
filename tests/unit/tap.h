/* A tiny TAP producer for the unit tests: every check prints "ok N - what"
 * or "not ok N - file:line: what", and tap_done() prints the plan and
 * returns the exit code.
 *
 * A description is one TAP line whatever it holds: newlines, other control
 * characters, backslashes and '#' (which would start a SKIP or TODO
 * directive and turn a failure into a pass) are written as C escapes
 * (\n, \t, \x01, \\, \x23).  Skips go through TAP_SKIP(), the only way to
 * print a directive. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

/* Writes s as a TAP description: printable bytes (UTF-8 included) as they
 * are, everything that could break the line or the directive escaped. */
static inline void tap_print_escaped(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '\n': fputs("\\n", stdout); break;
                case '\r': fputs("\\r", stdout); break;
                case '\t': fputs("\\t", stdout); break;
                case '\\': fputs("\\\\", stdout); break;
                case '#': fputs("\\x23", stdout); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                printf("\\x%02x", *p);
                        else
                                putchar(*p);
                }
        }
}

/* Prints "STATUS N - WHERE" and the escaped description. */
static inline void tap_vline(const char *status, const char *where, const char *fmt, va_list ap) {
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        printf("%s %d - %s", status, tap_n, where);
        tap_print_escaped(msg ? msg : "(out of memory formatting the description)");
        putchar('\n');
        fflush(stdout);
        free(msg);
}

/* One check: returns cond so that callers may stop on a failure. */
static inline bool tap_check(bool cond, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static inline bool tap_check(bool cond, const char *file, int line, const char *fmt, ...) {
        char where[512] = "";
        va_list ap;

        tap_n++;
        if (!cond) {
                tap_failed++;
                snprintf(where, sizeof(where), "%s:%d: ", file, line);
        }
        va_start(ap, fmt);
        tap_vline(cond ? "ok" : "not ok", where, fmt, ap);
        va_end(ap);
        return cond;
}

/* One skipped check, "ok N # SKIP reason", the reason in words a person
 * can act on (the directive's text may hold '#'; newlines are escaped). */
static inline void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;

        tap_n++;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        printf("ok %d # SKIP ", tap_n);
        for (const char *p = msg ? msg : "(out of memory)"; *p; p++)
                if (*p == '\n' || *p == '\r')
                        fputs(*p == '\n' ? "\\n" : "\\r", stdout);
                else
                        putchar(*p);
        putchar('\n');
        fflush(stdout);
        free(msg);
}

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define TAP_SKIP(...) tap_skip(__VA_ARGS__)

#define CHECK_STR(got, want) do {                                       \
        const char *g_ = (got), *w_ = (want);                           \
        CHECK(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_,                \
              "%s == \"%s\" (got \"%s\")", #got, w_ ? w_ : "(null)",    \
              g_ ? g_ : "(null)");                                      \
} while (0)

static inline int tap_done(void) {
        printf("1..%d\n", tap_n);
        fflush(stdout);
        return tap_failed ? 1 : 0;
}
