/* RFC 3339 parsing and formatting (see rfc3339.h).  Strict about ranges
 * (months, days of the month, leap years, offsets) so that an API client
 * gets invalid_field instead of a silently normalized date. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rfc3339.h"

/* Reads exactly n digits; returns the value or -1. */
static int digits(const char **p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                char c = (*p)[i];
                if (c < '0' || c > '9')
                        return -1;
                v = v * 10 + (c - '0');
        }
        *p += n;
        return v;
}

static bool is_leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no dependence on timegm() or the TZ. */
static int64_t days_from_civil(int64_t y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int rfc3339_parse(const char *s, time_t *ret) {
        const char *p = s;
        int y, mo, d, h, mi, sec, off = 0;

        if (!s)
                return -EINVAL;
        if ((y = digits(&p, 4)) < 0 || *p++ != '-' ||
            (mo = digits(&p, 2)) < 0 || *p++ != '-' ||
            (d = digits(&p, 2)) < 0)
                return -EINVAL;
        if (*p != 'T' && *p != 't' && *p != ' ')
                return -EINVAL;
        p++;
        if ((h = digits(&p, 2)) < 0 || *p++ != ':' ||
            (mi = digits(&p, 2)) < 0 || *p++ != ':' ||
            (sec = digits(&p, 2)) < 0)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1;
                int oh, om;
                if ((oh = digits(&p, 2)) < 0 || *p++ != ':' || (om = digits(&p, 2)) < 0)
                        return -EINVAL;
                if (oh > 23 || om > 59)
                        return -EINVAL;
                off = sign * (oh * 3600 + om * 60);
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;

        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
            h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        if (sec == 60)
                sec = 59;       /* a leap second: time_t cannot name it */

        int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
        /* an offset can carry 0000-12-31 or 9999-12-31 across the edge of
         * what a four-digit UTC year can name */
        if (t < RFC3339_MIN || t > RFC3339_MAX || (int64_t) (time_t) t != t)
                return -ERANGE;
        *ret = (time_t) t;
        return 0;
}

/* The inverse of days_from_civil() (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *ret_y, int *ret_m, int *ret_d) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        *ret_d = (int) (doy - (153 * mp + 2) / 5 + 1);
        *ret_m = (int) (mp < 10 ? mp + 3 : mp - 9);
        *ret_y = yoe + era * 400 + (*ret_m <= 2);
}

char *rfc3339_format(time_t t, char *buf, size_t size) {
        int64_t v = (int64_t) t, y;
        int m, d;

        if (v < RFC3339_MIN)
                v = RFC3339_MIN;
        if (v > RFC3339_MAX)
                v = RFC3339_MAX;
        int64_t days = (v >= 0 ? v : v - 86399) / 86400, secs = v - days * 86400;
        civil_from_days(days, &y, &m, &d);
        if (size > 0)
                snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int) y, m, d, (int) (secs / 3600),
                         (int) (secs / 60 % 60), (int) (secs % 60));
        return buf;
}
