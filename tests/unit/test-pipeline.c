#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/pipeline.h"
#include "tap.h"

int main(void) {
        struct extracted_article *a = NULL;
        const char *text =
                "Port officials said at least 12 ships were stranded in the Lisbon harbour on Friday.\n\n"
                "Harbour master Joana Pires denied that the port had been closed. "
                "\"The cranes did not stop working,\" Pires said.\n\n"
                "Shipping reportedly fell by more than 30 percent in 2016, according to the ministry.\n\n"
                "Is this the end of the boom?";
        struct article_input in = {
                .title = "Storm strands 12 ships in Lisbon",
                .text = text,
                .published = 1499457600,        /* 2017-07-07T20:00:00Z */
        };

        CHECK(pipeline_extract(&in, &a) == 0, "extract");
        CHECK_STR(a->text, text);
        CHECK_STR(a->title, "Storm strands 12 ships in Lisbon");
        CHECK(a->claims.n >= 4, "claims (%zu)", a->claims.n);

        const struct claim *first = NULL, *deny = NULL, *quote = NULL, *acc = NULL, *title = NULL;
        for (size_t i = 0; i < a->claims.n; i++) {
                const struct claim *c = &a->claims.items[i];
                if (c->field == CLAIM_FIELD_TITLE)
                        title = c;
                else if (c->cue && strcmp(c->cue, "said") == 0 && c->speaker && strstr(c->speaker, "Port officials"))
                        first = c;
                else if (c->stance == STANCE_DENIES)
                        deny = c;
                else if (c->cue && strcmp(c->cue, "said") == 0)
                        quote = c;
                else if (c->cue && strcmp(c->cue, "according to") == 0)
                        acc = c;
                CHECK(!c->text || !strstr(c->text, "Is this the end"), "no claim from a question");
        }
        CHECK(title && title->speaker == NULL && title->cue == NULL, "the headline is the outlet's claim");
        CHECK(first != NULL, "officials' claim");
        if (first) {
                CHECK_STR(first->text, "at least 12 ships were stranded in the Lisbon harbour on Friday");
                CHECK(first->content_span[0] == 20 && first->content_span[1] == 83, "content span in code points");
                CHECK(first->n_quantities == 1 && first->quantities[0].value == 12 &&
                      first->quantities[0].bound == BOUND_AT_LEAST, "at least 12");
                CHECK(first->n_dates == 1 && first->dates[0].value && strcmp(first->dates[0].value, "2017-07-07") == 0,
                      "Friday resolved");
                bool lisbon = false;
                for (size_t k = 0; k < first->n_entities; k++)
                        lisbon |= strcmp(first->entities[k].name, "Lisbon") == 0;
                CHECK(lisbon, "Lisbon among the entities");
                CHECK(first->terms && strstr(first->terms, "ship") && !strstr(first->terms, " the "), "terms are stems");
                CHECK(!first->negated && !first->hedged, "plain claim");
        }
        CHECK(deny != NULL, "denial found");
        if (deny) {
                CHECK_STR(deny->speaker, "Harbour master Joana Pires");
                CHECK_STR(deny->text, "the port had been closed");
                CHECK(!deny->negated, "a denial is no negation of the text");
        }
        CHECK(quote != NULL, "quote found");
        if (quote) {
                CHECK_STR(quote->speaker, "Harbour master Joana Pires");
                CHECK(quote->negated, "did not stop: negated");
                CHECK(quote->terms && !strstr(quote->terms, "not"), "negation words kept out of terms");
        }
        CHECK(acc != NULL, "according to found");
        if (acc)
                CHECK(acc->hedged, "reportedly: hedged");

        bool sorted = true, has_entity = false;
        for (size_t i = 0; i < a->terms.n; i++) {
                if (i && strcmp(a->terms.items[i - 1].term, a->terms.items[i].term) >= 0)
                        sorted = false;
                if (strcmp(a->terms.items[i].term, "E:Lisbon") == 0)
                        has_entity = true;
        }
        CHECK(a->terms.n > 0 && sorted, "term vector sorted and unique");
        CHECK(has_entity, "entity terms in the vector");
        extracted_article_free(a);

        /* many terms, several sharing their first eight bytes ("E:United ..."):
         * the sort's merge and its tie-break past the prefix */
        struct article_input many = {
                .title = "United Nations and United States meet",
                .text = "Delegates of the United Nations, the United States, the United Kingdom and the "
                        "United Arab Emirates met in Lisbon on Monday. They discussed shipping, fishing, "
                        "farming, mining, banking, trading, building, teaching and nursing, the minister said. "
                        "Internationalists and internationalism were not on the agenda.",
        };
        a = NULL;
        CHECK(pipeline_extract(&many, &a) == 0, "many-term article extracted");
        if (a) {
                size_t united = 0;
                sorted = true;
                for (size_t i = 0; i < a->terms.n; i++) {
                        if (i && strcmp(a->terms.items[i - 1].term, a->terms.items[i].term) >= 0)
                                sorted = false;
                        united += strncmp(a->terms.items[i].term, "E:United", 8) == 0;
                }
                CHECK(a->terms.n > 24 && united >= 2 && sorted,
                      "%zu terms (%zu beginning \"E:United\") sorted and unique", a->terms.n, united);
                extracted_article_free(a);
        }

        /* errors */
        struct article_input bad = { .text = "caf\xc3 au lait" };
        a = NULL;
        CHECK(pipeline_extract(&bad, &a) == -EINVAL && a == NULL, "invalid UTF-8 is an error");
        struct article_input empty = { .text = "" };
        CHECK(pipeline_extract(&empty, &a) == 0 && a->claims.n == 0, "empty article has no claims");
        extracted_article_free(a);

        /* a text of one plain sentence is its own claim, negation kept */
        struct article_input single = { .text = "The old ferry is not running today." };
        a = NULL;
        CHECK(pipeline_extract(&single, &a) == 0 && a->claims.n == 1, "one plain sentence gives one claim");
        if (a && a->claims.n == 1)
                CHECK(a->claims.items[0].negated && a->claims.items[0].speaker == NULL,
                      "the outlet's own negated claim");
        extracted_article_free(a);
        /* the month May is no hedge; the verb "may" is, in a headline too */
        const char *mays[][2] = {
                { "The harbour board approved the new ferry fares on 12 May after a long debate.", "0" },
                { "In May the harbour board approved the new ferry fares after a long debate.", "0" },
                { "The harbour board approved the new ferry fares in May of 2019.", "0" },
                { "The harbour board may approve the new ferry fares after a long debate.", "1" },
                { "Harbour Board May Approve New Ferry Fares After Long Debate", "1" },
        };
        for (size_t i = 0; i < sizeof(mays) / sizeof(mays[0]); i++) {
                struct article_input in_may = { .text = mays[i][0] };
                a = NULL;
                CHECK(pipeline_extract(&in_may, &a) == 0 && a->claims.n == 1, "one claim: %s", mays[i][0]);
                if (a && a->claims.n == 1)
                        CHECK(a->claims.items[0].hedged == (mays[i][1][0] == '1'), "hedged %s: %s", mays[i][1],
                              mays[i][0]);
                extracted_article_free(a);
        }

        /* a negated clause after an attribution's content, ", but will not
         * accept ...", is the outlet's own claim; an affirmed one is not */
        struct article_input tail = { .text = "The ferry company runs four boats a day. The harbour board demands "
                                              "that every ferry carries two lifeboats, but will not accept rafts "
                                              "in place of lifeboats. The town council said the ferry was slow, "
                                              "but the boats are clean and new." };
        a = NULL;
        CHECK(pipeline_extract(&tail, &a) == 0, "extract a negated tail");
        bool rafts = false, clean = false;
        for (size_t i = 0; a && i < a->claims.n; i++) {
                const struct claim *c = &a->claims.items[i];
                if (c->text && strcmp(c->text, "will not accept rafts in place of lifeboats") == 0)
                        rafts = c->negated && !c->speaker && !c->cue;
                if (c->text && strncmp(c->text, "the boats are clean", 19) == 0)
                        clean = true;
        }
        CHECK(rafts, "the negated tail is the outlet's negated claim");
        CHECK(!clean, "an affirmed tail is no claim of its own");
        extracted_article_free(a);

        struct article_input tiny = { .text = "Yes indeed." };
        a = NULL;
        CHECK(pipeline_extract(&tiny, &a) == 0 && a->claims.n == 0, "two words are no claim");
        extracted_article_free(a);
        return tap_done();
}
