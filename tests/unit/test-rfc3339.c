/* RFC 3339 timestamps: what the API accepts and how it writes them. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "tap.h"

static time_t parse(const char *s, int *r) {
        time_t t = -12345;
        *r = rfc3339_parse(s, &t);
        return t;
}

/* How many times from..to (every step seconds) do not come back from
 * rfc3339_format() through rfc3339_parse(); prints the first. */
static size_t wrong_round_trips(int64_t from, int64_t to, int64_t step, size_t *ret_trips) {
        size_t trips = 0, wrong = 0;
        char buf[64];

        for (int64_t x = from; x <= to; x += step, trips++) {
                time_t y;
                if (!rfc3339_format((time_t) x, buf, sizeof(buf)) || rfc3339_parse(buf, &y) != 0 || y != x) {
                        if (wrong++ == 0)
                                printf("# first wrong round trip: %lld via %s\n", (long long) x, buf);
                }
        }
        *ret_trips = trips;
        return wrong;
}

int main(void) {
        int r;
        time_t t;
        char buf[32];

        t = parse("1970-01-01T00:00:00Z", &r);
        CHECK(r == 0 && t == 0, "epoch");
        t = parse("2017-07-07T20:00:00Z", &r);
        CHECK(r == 0 && t == 1499457600, "a Friday in July 2017 (%lld)", (long long) t);
        t = parse("2017-07-07t20:00:00z", &r);
        CHECK(r == 0 && t == 1499457600, "lower-case t and z");
        t = parse("2017-07-07 20:00:00Z", &r);
        CHECK(r == 0 && t == 1499457600, "space separator");
        t = parse("2017-07-07T22:00:00+02:00", &r);
        CHECK(r == 0 && t == 1499457600, "positive offset");
        t = parse("2017-07-07T15:30:00-04:30", &r);
        CHECK(r == 0 && t == 1499457600, "negative offset with minutes");
        t = parse("2017-07-07T20:00:00.123456Z", &r);
        CHECK(r == 0 && t == 1499457600, "fractions are dropped");
        t = parse("2000-02-29T00:00:00Z", &r);
        CHECK(r == 0 && t == 951782400, "leap day 2000");
        t = parse("1969-12-31T23:59:59Z", &r);
        CHECK(r == 0 && t == -1, "before the epoch");
        t = parse("2016-12-31T23:59:60Z", &r);
        CHECK(r == 0 && t == 1483228799, "leap second kept in its minute");

        const char *bad[] = {
                "", "2017", "2017-07-07", "2017-07-07T20:00:00", "2017-07-07T20:00Z",
                "2017-13-01T00:00:00Z", "2017-00-01T00:00:00Z", "2017-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z", "2017-04-31T00:00:00Z", "2017-07-07T24:00:00Z",
                "2017-07-07T20:60:00Z", "2017-07-07T20:00:61Z", "2017-07-07T20:00:00+2:00",
                "2017-07-07T20:00:00+24:00", "2017-07-07T20:00:00.Z", "2017-07-07T20:00:00Zjunk",
                "17-07-07T20:00:00Z", "2017/07/07T20:00:00Z", " 2017-07-07T20:00:00Z",
                "2017-07-07X20:00:00Z", "2017-7-07T20:00:00Z",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                t = parse(bad[i], &r);
                CHECK(r == -EINVAL && t == -12345, "rejects \"%s\", leaves *ret alone", bad[i]);
        }
        CHECK(rfc3339_parse(NULL, &t) == -EINVAL, "NULL");

        CHECK_STR(rfc3339_format(1499457600, buf, sizeof(buf)), "2017-07-07T20:00:00Z");
        CHECK_STR(rfc3339_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
        CHECK_STR(rfc3339_format(951782400, buf, sizeof(buf)), "2000-02-29T00:00:00Z");

        /* the four-digit years, and what an offset carries past them */
        t = parse("0001-01-01T00:00:00Z", &r);
        CHECK(r == 0 && t == RFC3339_MIN, "the first second of year 1 (%lld)", (long long) t);
        t = parse("9999-12-31T23:59:59Z", &r);
        CHECK(r == 0 && t == RFC3339_MAX, "the last second of year 9999 (%lld)", (long long) t);
        t = parse("9999-12-31T23:59:59-23:59", &r);
        CHECK(r == -ERANGE && t == -12345, "year 10000 in UTC is out of range");
        t = parse("0001-01-01T00:00:00+00:01", &r);
        CHECK(r == -ERANGE && t == -12345, "year 0 in UTC is out of range");
        t = parse("0000-06-01T00:00:00Z", &r);
        CHECK(r == -ERANGE, "year 0 is out of range");
        t = parse("1900-01-01T00:00:00Z", &r);
        CHECK(r == 0 && t == -2208988800LL, "1900");
        CHECK_STR(rfc3339_format(RFC3339_MIN, buf, sizeof(buf)), "0001-01-01T00:00:00Z");
        CHECK_STR(rfc3339_format(RFC3339_MAX, buf, sizeof(buf)), "9999-12-31T23:59:59Z");
        CHECK_STR(rfc3339_format(RFC3339_MAX + 86400, buf, sizeof(buf)), "9999-12-31T23:59:59Z");
        CHECK_STR(rfc3339_format(RFC3339_MIN - 1, buf, sizeof(buf)), "0001-01-01T00:00:00Z");
        CHECK_STR(rfc3339_format(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z");
        CHECK_STR(rfc3339_format(-14182940, buf, sizeof(buf)), "1969-07-20T20:17:40Z");

        /* format -> parse round trips, over the whole range, then densely
         * over 80 years */
        size_t trips;
        size_t wrong = wrong_round_trips(RFC3339_MIN, RFC3339_MAX, 86400LL * 3659 + 3607, &trips);
        CHECK(trips > 900 && wrong == 0, "round trips from year 1 to 9999: %zu of %zu wrong", wrong, trips);
        wrong = wrong_round_trips(-86400 * 365, (int64_t) 86400 * 365 * 80, 86400 * 37 + 3607, &trips);
        CHECK(trips > 700 && wrong == 0, "round trips over 80 years: %zu of %zu wrong", wrong, trips);
        return tap_done();
}
