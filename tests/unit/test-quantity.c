#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/quantity.h"
#include "common/segment.h"
#include "tap.h"

static struct quantity *qs;
static size_t n_qs;

/* Segments s and finds its quantities into qs/n_qs. */
static void find(const char *s) {
        struct segmented_text *st = NULL;

        for (size_t i = 0; i < n_qs; i++) {
                free(qs[i].text);
                free(qs[i].unit);
        }
        free(qs);
        qs = NULL;
        n_qs = 0;
        if (segment_text(s, strlen(s), &st) < 0) {
                CHECK(0, "segment_text(%s)", s);
                return;
        }
        int r = quantities_find(st, 0, st->n_tokens, &qs, &n_qs);
        CHECK(r == 0, "quantities_find(%s) = %d", s, r);
        segmented_text_free(st);
}

/* Checks that s yields exactly one quantity with these fields. */
static void one(const char *s, const char *text, double value, const char *unit, enum quantity_bound bound) {
        find(s);
        CHECK(n_qs == 1, "%s: one quantity (got %zu)", s, n_qs);
        if (n_qs < 1)
                return;
        CHECK_STR(qs[0].text, text);
        CHECK(fabs(qs[0].value - value) <= fabs(value) * 1e-9, "%s: value %g (got %g)", s, value, qs[0].value);
        CHECK_STR(qs[0].unit, unit);
        CHECK(qs[0].bound == bound, "%s: bound %s (got %s)", s, quantity_bound_to_string(bound),
              quantity_bound_to_string(qs[0].bound));
        CHECK(strncmp(s + qs[0].start, text, strlen(text)) == 0 &&
              qs[0].end - qs[0].start == (int32_t) strlen(text), "%s: byte span", s);
}

static void none(const char *s) {
        find(s);
        CHECK(n_qs == 0, "%s: no quantity (got %zu%s%s)", s, n_qs, n_qs ? ": " : "", n_qs ? qs[0].text : "");
}

static struct quantity q(double value, const char *unit, enum quantity_bound bound) {
        return (struct quantity) { .value = value, .unit = (char *) unit, .bound = bound };
}

int main(void) {
        one("At least 12 people attended the rally.", "At least 12 people", 12, "person", BOUND_AT_LEAST);
        one("The deal is worth more than $2.5 billion, officials said.", "more than $2.5 billion", 2.5e9, "usd",
            BOUND_MORE_THAN);
        /* an increment bounds the total from below */
        one("An additional 14 workers were laid off at the mill.", "An additional 14 workers", 14, "worker",
            BOUND_AT_LEAST);
        one("Another 30 people were evacuated by boat.", "Another 30 people", 30, "person", BOUND_AT_LEAST);
        one("Nearly 40 percent of voters stayed home.", "Nearly 40 percent", 40, "percent", BOUND_ABOUT);
        one("Turnout fell to 40% this time.", "40%", 40, "percent", BOUND_EXACT);
        one("The two leaders met for over two hours on Friday.", "over two hours", 2, "hour", BOUND_MORE_THAN);
        one("She bought a dozen eggs.", "a dozen eggs", 12, "egg", BOUND_EXACT);
        one("He had a dozen.", "a dozen", 12, NULL, BOUND_EXACT);
        one("Police arrested a dozen protesters.", "a dozen protesters", 12, "protester", BOUND_EXACT);
        one("The talks lasted two and a half hours.", "two and a half hours", 2.5, "hour", BOUND_EXACT);
        one("Some 3 million people live there.", "Some 3 million people", 3e6, "person", BOUND_ABOUT);
        one("The company employs 2,500 workers.", "2,500 workers", 2500, "worker", BOUND_EXACT);
        one("It will cost up to twenty-five million dollars.", "up to twenty-five million dollars", 25e6, "usd",
            BOUND_AT_MOST);
        one("Fewer than 100 people came.", "Fewer than 100 people", 100, "person", BOUND_LESS_THAN);
        one("The fund lost $2.5bn last year.", "$2.5bn", 2.5e9, "usd", BOUND_EXACT);
        one("The storm left 12 dead.", "12 dead", 12, "death", BOUND_EXACT);
        one("At least 30 people were killed on Monday.", "At least 30 people were killed", 30, "death",
            BOUND_AT_LEAST);
        one("A 45-year-old man was arrested.", "45-year-old", 45, "year", BOUND_EXACT);
        one("He waited half an hour.", "half an hour", 0.5, "hour", BOUND_EXACT);
        one("The march drew roughly 5,000 demonstrators.", "roughly 5,000 demonstrators", 5000, "protester",
            BOUND_ABOUT);
        find("The vote was 52 to 48.");
        CHECK(n_qs == 2 && !qs[0].unit && qs[1].value == 48, "52 to 48: two plain numbers");

        find("Officials said 14 companies and 3 sheriffs applied, and the two leaders agreed.");
        CHECK(n_qs == 2, "14 companies, 3 sheriffs (got %zu)", n_qs);
        if (n_qs == 2) {
                CHECK_STR(qs[0].unit, "company");
                CHECK_STR(qs[1].unit, "sheriff");
        }
        /* a small number in words counts the noun after it unless a determiner or
         * the sentence's start makes it a known group */
        one("The council elected seven trustees for the harbour board.", "seven trustees", 7, "trustee",
            BOUND_EXACT);
        none("Her three sisters run the bakery.");
        none("Two cyclists crossed the bridge.");
        one("She swam the four-hundred metres in record time.", "four-hundred metres", 400, "metre", BOUND_EXACT);
        none("In 2016, the election was close.");
        none("The 2016 elections were close.");
        none("The summit opened on July 7 in Hamburg.");
        none("He was born on 7 July 1950.");
        none("The meeting started at 8:30 p.m.");
        none("One official said the talks went well.");
        none("Trump is the 45th president.");
        none("COVID-19 spread quickly.");

        find("Officials said 12 people died and 40 were injured over three days.");
        CHECK(n_qs == 3, "three quantities (got %zu)", n_qs);

        /* compatibility */
        struct quantity a, b;
        a = q(12, "person", BOUND_AT_LEAST), b = q(15, "person", BOUND_EXACT);
        CHECK(quantities_compatible(&a, &b), "at least 12 ~ 15");
        a = q(12, "person", BOUND_EXACT), b = q(12.3, "person", BOUND_ABOUT);
        CHECK(quantities_compatible(&a, &b), "12 ~ about 12.3");
        a = q(12, "person", BOUND_EXACT), b = q(40, "person", BOUND_EXACT);
        CHECK(!quantities_compatible(&a, &b), "12 !~ 40");
        a = q(2, "hour", BOUND_MORE_THAN), b = q(2.5, "hour", BOUND_EXACT);
        CHECK(quantities_compatible(&a, &b), "over two hours ~ two and a half hours");
        a = q(2, "hour", BOUND_LESS_THAN), b = q(3, "hour", BOUND_EXACT);
        CHECK(!quantities_compatible(&a, &b), "under two hours !~ three hours");
        a = q(12, "person", BOUND_AT_LEAST), b = q(10, "person", BOUND_AT_MOST);
        CHECK(!quantities_compatible(&a, &b), "at least 12 !~ at most 10");
        a = q(12, "person", BOUND_AT_LEAST), b = q(12, "person", BOUND_AT_MOST);
        CHECK(quantities_compatible(&a, &b), "at least 12 ~ at most 12");
        /* people against one kind of people, not one kind against another */
        a = q(900, "person", BOUND_ABOUT), b = q(600, "soldier", BOUND_EXACT);
        CHECK(quantities_comparable(&a, &b) && !quantities_compatible(&a, &b), "about 900 people !~ 600 soldiers");
        a = q(30, "soldier", BOUND_EXACT), b = q(20, "civilian", BOUND_EXACT);
        CHECK(!quantities_comparable(&a, &b), "soldiers and civilians are not comparable");
        a = q(30, "person", BOUND_EXACT), b = q(20, "home", BOUND_EXACT);
        CHECK(!quantities_comparable(&a, &b), "people and homes are not comparable");
        a = q(2500, "person", BOUND_EXACT), b = q(2520, "person", BOUND_EXACT);
        CHECK(quantities_compatible(&a, &b), "2,500 ~ 2,520 (rounded)");
        a = q(15, "person", BOUND_EXACT), b = q(16, "person", BOUND_EXACT);
        CHECK(!quantities_compatible(&a, &b), "15 !~ 16");
        a = q(40, "percent", BOUND_ABOUT), b = q(38, "percent", BOUND_EXACT);
        CHECK(quantities_compatible(&a, &b), "nearly 40 percent ~ 38 percent");
        a = q(12, "person", BOUND_EXACT), b = q(12, "hour", BOUND_EXACT);
        CHECK(!quantities_comparable(&a, &b) && !quantities_compatible(&a, &b), "units differ");
        a = q(12, NULL, BOUND_EXACT), b = q(12, NULL, BOUND_EXACT);
        CHECK(quantities_comparable(&a, &b) && quantities_compatible(&a, &b), "no units");

        find("");
        free(qs);
        return tap_done();
}
