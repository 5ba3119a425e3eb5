#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/segment.h"
#include "tap.h"

static struct claim_date *ds;
static size_t n_ds;

/* 2017-07-07T20:00:00Z, a Friday */
#define PUB ((time_t) 1499457600)

static void find(const char *s, time_t published) {
        struct segmented_text *st = NULL;

        claim_dates_free(ds, n_ds);
        ds = NULL;
        n_ds = 0;
        if (segment_text(s, strlen(s), &st) < 0) {
                CHECK(0, "segment_text(%s)", s);
                return;
        }
        int r = dates_find(st, 0, st->n_tokens, published, &ds, &n_ds);
        CHECK(r == 0, "dates_find(%s) = %d", s, r);
        segmented_text_free(st);
}

/* Checks that s yields exactly one date with this text and value. */
static void one(const char *s, time_t published, const char *text, const char *value) {
        find(s, published);
        CHECK(n_ds == 1, "%s: one date (got %zu)", s, n_ds);
        if (n_ds < 1)
                return;
        CHECK_STR(ds[0].text, text);
        CHECK_STR(ds[0].value, value);
        CHECK(ds[0].end - ds[0].start == (int32_t) strlen(text) && !strncmp(s + ds[0].start, text, strlen(text)),
              "%s: byte span", s);
}

static void none(const char *s) {
        find(s, PUB);
        CHECK(n_ds == 0, "%s: no date (got %zu%s%s)", s, n_ds, n_ds ? ": " : "", n_ds ? ds[0].text : "");
}

int main(void) {
        CHECK(PUB == 1499457600, "publication time");
        one("The two leaders met on Friday in Hamburg.", PUB, "Friday", "2017-07-07");
        one("Aides briefed reporters Thursday.", PUB, "Thursday", "2017-07-06");
        one("Talks resume next Friday.", PUB, "next Friday", "2017-07-14");
        one("He spoke last Friday.", PUB, "last Friday", "2017-06-30");
        one("Saturday's rally drew crowds.", PUB, "Saturday", "2017-07-01");
        one("The ban was announced earlier this year.", PUB, "earlier this year", "2017");
        one("Sales fell last year.", PUB, "last year", "2016");
        one("The report came out last month.", PUB, "last month", "2017-06");
        one("The case was closed yesterday.", PUB, "yesterday", "2017-07-06");
        one("Voting ends tomorrow.", PUB, "tomorrow", "2017-07-08");
        one("The attacks of Sept. 11, 2001, changed everything.", PUB, "Sept. 11, 2001", "2001-09-11");
        one("The summit opened on July 7 in Hamburg.", PUB, "July 7", "2017-07-07");
        one("It was signed on July 7, 2017.", PUB, "July 7, 2017", "2017-07-07");
        one("It was signed on 7 July 2017.", PUB, "7 July 2017", "2017-07-07");
        one("Russia interfered in the 2016 election.", PUB, "2016", "2016");
        one("Protests began in March.", PUB, "March", "2017-03");
        one("Elections are due in November.", PUB, "November", "2016-11");
        one("The law passes next March.", PUB, "next March", "2018-03");
        one("Voters go to the polls in November.", (time_t) 1473681600 /* 2016-09-12 */, "November", "2016-11");
        one("Voters went to the polls in December.", (time_t) 1484222400 /* 2017-01-12 */, "December", "2016-12");
        one("Voters go to the polls in March.", (time_t) 1484222400 /* 2017-01-12 */, "March", "2017-03");
        one("The filing is dated 2017-07-05.", PUB, "2017-07-05", "2017-07-05");
        one("He resigned three days ago.", PUB, "three days ago", "2017-07-04");
        one("The meeting was held in late June 2016.", PUB, "June 2016", "2016-06");
        one("A letter sent Dec. 28 surfaced.", (time_t) 1514937600 /* 2018-01-03 */, "Dec. 28", "2017-12-28");
        one("It happened on Friday.", 0, "Friday", NULL);
        one("In 2016 it was different.", 0, "2016", "2016");

        none("Prime Minister Theresa May spoke.");
        none("Officials may meet again.");
        none("The company paid $2016 in fees.");
        none("He bought 2000 shares.");
        none("Thousands march in protest.");
        none("She read USA Today on the plane.");

        find("Trump met Putin on Friday, a day after he arrived on Thursday, July 6.", PUB);
        CHECK(n_ds == 3, "three dates (got %zu)", n_ds);
        if (n_ds == 3) {
                CHECK_STR(ds[0].value, "2017-07-07");
                CHECK_STR(ds[1].value, "2017-07-06");
                CHECK_STR(ds[2].value, "2017-07-06");
        }

        struct claim_date a = { .value = (char *) "2017" }, b = { .value = (char *) "2017-07-07" },
                          c = { .value = (char *) "2017-07-06" }, d = { .value = NULL },
                          e = { .value = (char *) "2017-07" }, g = { .value = (char *) "2016" };
        CHECK(dates_compatible(&a, &b), "2017 ~ 2017-07-07");
        CHECK(dates_compatible(&b, &e), "2017-07-07 ~ 2017-07");
        CHECK(!dates_compatible(&b, &c), "2017-07-07 !~ 2017-07-06");
        CHECK(dates_compatible(&d, &c), "unresolved ~ anything");
        CHECK(!dates_compatible(&a, &g), "2017 !~ 2016");

        claim_dates_free(ds, n_ds);
        return tap_done();
}
