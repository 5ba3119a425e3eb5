/* Article-level stance: verdicts on the story in an article's lead, and the
 * conflicts they give against a headline or another article. */
#include <stdlib.h>
#include <string.h>

#include "common/match.h"
#include "common/pipeline.h"
#include "common/segment.h"
#include "common/stance.h"
#include "tap.h"

/* 1 and the verdict words when text's lead holds a verdict, else 0. */
static int verdict(const char *text, char *words, size_t size) {
        struct segmented_text *st = NULL;
        struct story_verdict v;
        if (segment_text(text, strlen(text), &st) < 0)
                return -1;
        int r = story_verdict_find(st, &v);
        if (r > 0) {
                size_t l = (size_t) (st->tokens[v.cue_end - 1].end - st->tokens[v.cue_begin].start);
                if (l >= size)
                        l = size - 1;
                memcpy(words, text + st->tokens[v.cue_begin].start, l);
                words[l] = 0;
        }
        segmented_text_free(st);
        return r;
}

/* The number of sentences of the story a verdict in text refutes, or 0. */
static size_t story_sentences(const char *text) {
        struct segmented_text *st = NULL;
        struct story_verdict v;
        if (segment_text(text, strlen(text), &st) < 0)
                return 0;
        size_t n = story_verdict_find(st, &v) > 0 ? v.lead_end - v.lead_begin : 0;
        segmented_text_free(st);
        return n;
}

static struct extracted_article *extract(const char *title, const char *text) {
        struct article_input in = { .title = title, .text = text };
        struct extracted_article *a = NULL;
        return pipeline_extract(&in, &a) == 0 ? a : NULL;
}

static size_t view_mismatches, compared;

/* Conflicts between every claim of x (source sx) and of y (source sy), on
 * the views the extraction made from its tokens; counts in view_mismatches
 * the article pairs where views made again from the claims' texts find
 * other ones. */
static size_t conflicts(const struct extracted_article *x, const char *sx,
                        const struct extracted_article *y, const char *sy) {
        struct claim_source *a = calloc(x->claims.n + 1, sizeof(*a)), *b = calloc(y->claims.n + 1, sizeof(*b));
        for (size_t i = 0; i < x->claims.n; i++)
                a[i] = (struct claim_source) { &x->claims.items[i], sx, "a" };
        for (size_t i = 0; i < y->claims.n; i++)
                b[i] = (struct claim_source) { &y->claims.items[i], sy, "b" };
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_conflict *cc = NULL, *ct = NULL;
        size_t n = 0, nt = 0;
        if (match_claims_prepared(a, x->views, x->claims.n, b, y->views, y->claims.n, &o, 10, &cc, &n) < 0)
                n = 0;
        if (match_claims(a, x->claims.n, b, y->claims.n, &o, 10, &ct, &nt) < 0)
                nt = 0;
        bool same = n == nt;
        for (size_t i = 0; same && i < n; i++)
                same = cc[i].a == ct[i].a && cc[i].b == ct[i].b && cc[i].result.kind == ct[i].result.kind &&
                       cc[i].result.score == ct[i].result.score;
        if (!same)
                view_mismatches++;
        compared++;
        claim_conflicts_free(cc, n);
        claim_conflicts_free(ct, nt);
        free(a);
        free(b);
        return n;
}

int main(void) {
        char w[64];

        CHECK(verdict("A photo of a shark swimming down a flooded street in Quebec went around the web on Monday. "
                      "The photo is fake, an expert said.", w, sizeof(w)) == 1 && strcmp(w, "fake") == 0,
              "'is fake' is a verdict (%s)", w);
        CHECK(verdict("Reports that the mayor of Ostend resigned on Sunday are not true. "
                      "He was at his desk on Monday morning.", w, sizeof(w)) == 1 && strcmp(w, "not true") == 0,
              "'not true' is a verdict (%s)", w);
        CHECK(verdict("The tale of the singing walrus of Tromso might not be a completely accurate account. "
                      "Keepers say it hums.", w, sizeof(w)) == 1, "fillers inside a verdict phrase");
        CHECK(verdict("The photo of the shark in the flooded street is not fake, the agency said on Monday. "
                      "It was taken by a fisherman.", w, sizeof(w)) == 0, "a negated verdict is none");
        CHECK(verdict("Is the photo of the shark in the flooded street fake? Nobody knows yet, the agency said.",
                      w, sizeof(w)) == 0, "a question is no verdict");
        CHECK(verdict("The farmer told reporters \"everyone says my giant turnip is fake but it grew here\" on Sunday. "
                      "It weighs 40 kilograms.", w, sizeof(w)) == 0, "a verdict inside a long quote is someone else's");
        CHECK(verdict("The mayor opened the new bridge in Ostend on Sunday. Traffic was light. Shops stayed open all day. "
                      "Many visitors came by train. The band played until late at night. "
                      "Critics later called the ceremony a hoax.", w, sizeof(w)) == 0,
              "a verdict past the lead does not count");
        CHECK(story_sentences("It is a hoax, and a clumsy one. A post said on Friday that a comet would hit Lisbon. "
                              "It named the hour. It cited an observatory in Chile. Thousands shared it within a day. "
                              "Some schools closed early. The observatory said it had never heard of the study.") == 7,
              "the story a lead's verdict refutes is told in the sentences after it too");

        /* compare: a headline asserting the story against a body that
         * calls it untrue, and against one that agrees */
        const char *debunk = "A video of a shark swimming down a flooded street in Quebec spread across social media on Monday. "
                "The video is fake: it was made with editing software, a film student told the newspaper.";
        struct extracted_article *h = extract("Shark swims down flooded street in Quebec", NULL);
        struct extracted_article *h_neg = extract("Video of shark in flooded Quebec street is a hoax", NULL);
        struct extracted_article *body = extract("", debunk);
        CHECK(h && h_neg && body, "extract");
        if (h && h_neg && body) {
                const struct claim *v = NULL;
                for (size_t i = 0; i < body->claims.n; i++)
                        if (body->claims.items[i].stance == STANCE_DENIES && !body->claims.items[i].speaker)
                                v = &body->claims.items[i];
                CHECK(v != NULL, "the body holds the outlet's denial");
                CHECK(v && strstr(v->text, "shark swimming down a flooded street"), "it denies the story its lead tells (%s)",
                      v ? v->text : "-");
                CHECK(v && v->cue && strcmp(v->cue, "fake") == 0, "its cue is the verdict");
                CHECK(v && stance_terms_untrue(v->terms), "claims of the article carry the untrue mark");
                CHECK(conflicts(h, "headline", body, "body") >= 1, "asserting headline vs debunking body: conflict");
                CHECK(conflicts(h_neg, "headline", body, "body") == 0, "debunking headline vs debunking body: none");
                /* a headline negating in its own voice answers the rumour,
                 * even where the negation misses the shared words */
                struct extracted_article *h_not = extract("Video of shark in flooded Quebec street is not what it seems", NULL);
                CHECK(h_not && conflicts(h_not, "headline", body, "body") == 0, "negated headline vs debunking body: none");
                extracted_article_free(h_not);
                /* a headline saying only that the story may be so reports it */
                struct extracted_article *h_may = extract("Shark reportedly swims down flooded street in Quebec", NULL);
                CHECK(h_may && conflicts(h_may, "headline", body, "body") == 0, "hedged headline vs debunking body: none");
                extracted_article_free(h_may);
                /* a short headline shares few words with the lead that
                 * refutes it, yet most of its own */
                struct extracted_article *h_short = extract("Shark invades Quebec", NULL);
                CHECK(h_short && conflicts(h_short, "headline", body, "body") >= 1, "short headline vs debunking body: conflict");
                extracted_article_free(h_short);
                /* what a question says someone claims is asked */
                struct extracted_article *h_ask = extract("Did the mayor say a shark swam down a flooded street in Quebec?", NULL);
                bool asked = h_ask && h_ask->claims.n > 0;
                for (size_t i = 0; h_ask && i < h_ask->claims.n; i++)
                        if (h_ask->claims.items[i].speaker && h_ask->claims.items[i].stance != STANCE_QUESTIONS)
                                asked = false;
                CHECK(asked, "an attribution inside a question is a question");
                CHECK(h_ask && conflicts(h_ask, "headline", body, "body") == 0, "asking headline vs debunking body: none");
                extracted_article_free(h_ask);
        }

        /* a headline against an article that only quotes someone on the
         * matter, or says only that it may be so: the article discusses */
        struct extracted_article *h_no = extract("The Lisbon tram line will not close in June", NULL);
        struct extracted_article *quoting = extract("", "Commuters gathered at the depot on Tuesday morning. "
                                                    "The Lisbon tram line will close in June, a union leader told reporters.");
        struct extracted_article *maybe = extract("", "Commuters gathered at the depot on Tuesday morning. "
                                                  "The Lisbon tram line could close in June after the budget talks.");
        struct extracted_article *flat = extract("", "Commuters gathered at the depot on Tuesday morning. "
                                                 "The Lisbon tram line will close in June after the budget talks.");
        CHECK(h_no && quoting && maybe && flat, "extract");
        if (h_no && quoting && maybe && flat) {
                CHECK(conflicts(h_no, "headline", quoting, "body") == 0, "headline vs a quoted speaker: none");
                CHECK(conflicts(h_no, "headline", maybe, "body") == 0, "negated headline vs hedged body: none");
                CHECK(conflicts(h_no, "headline", flat, "body") >= 1, "negated headline vs the body's own account: conflict");
                /* a headline reporting someone's denial against the
                 * article's own account: the article tells what is denied */
                struct extracted_article *h_denies = extract("Transport ministry denies the Lisbon tram line will close in June", NULL);
                CHECK(h_denies && conflicts(h_denies, "headline", flat, "body") == 0, "headline reporting a denial vs the body's account: none");
                extracted_article_free(h_denies);
                /* between two articles a quoted speaker still has a side */
                struct extracted_article *denying = extract("", "Commuters gathered at the depot on Tuesday morning. "
                                                            "The Lisbon tram line will not close in June, the city council said.");
                CHECK(denying && conflicts(quoting, "one.example", denying, "two.example") >= 1,
                      "quoted speaker vs quoted speaker across articles: conflict");
                extracted_article_free(denying);
        }
        /* a debunking headline and a debunk assert none of the story's
         * numbers: they do not clash over them */
        struct extracted_article *h_sheep = extract("Story of 300 sheep escaping from a farm near Swansea is a hoax", NULL);
        struct extracted_article *sheep = extract("", "On Sunday 800 sheep escaped from a farm near Swansea, a viral post claimed, "
                                                  "and ran across the motorway. The post is a hoax: every sheep was in its field.");
        CHECK(h_sheep && sheep && conflicts(h_sheep, "headline", sheep, "body") == 0, "debunk vs debunk, other numbers: none");
        extracted_article_free(h_sheep);
        extracted_article_free(sheep);
        extracted_article_free(h_no);
        extracted_article_free(quoting);
        extracted_article_free(maybe);
        extracted_article_free(flat);

        /* a verdict phrase in a claim calls the account untrue; a report
         * of a denial ("had been denied") is a verdict only in a lead */
        struct extracted_article *h_rest = extract("Rumour of shark in flooded Quebec street put to rest", NULL);
        CHECK(h_rest && body && conflicts(h_rest, "headline", body, "body") == 0, "'put to rest' headline agrees with the debunk");
        struct extracted_article *w1 = extract("", "Night workers at the Lyon depot had been denied their breaks for months.");
        struct extracted_article *w2 = extract("", "Night workers at the Lyon depot had their breaks for months.");
        CHECK(w1 && w2 && conflicts(w1, "one.example", w2, "two.example") == 0, "'had been denied' in a claim refutes nothing");
        extracted_article_free(h_rest);
        extracted_article_free(w1);
        extracted_article_free(w2);

        /* two articles that both call the story untrue are one side */
        struct extracted_article *body2 = extract("", "A clip of a shark in a flooded Quebec street was shared thousands of times. "
                                                   "The clip is a hoax, the city said.");
        CHECK(body2 && body && conflicts(body2, "one.example", body, "two.example") == 0, "two debunks: no conflict");

        /* one article carrying both accounts takes no side against another */
        struct extracted_article *both = extract("", "The council said the Maribor bridge will close for repairs in May. "
                                                  "The contractor said the Maribor bridge will not close for repairs in May.");
        struct extracted_article *one = extract("", "Engineers met on Monday. The Maribor bridge will close for repairs in May, "
                                                 "the council said.");
        CHECK(both && one, "extract");
        if (both && one)
                CHECK(conflicts(one, "one.example", both, "two.example") == 0,
                      "an article holding both accounts: no conflict across articles");
        extracted_article_free(h);
        extracted_article_free(h_neg);
        extracted_article_free(body);
        extracted_article_free(body2);
        extracted_article_free(both);
        extracted_article_free(one);
        CHECK(compared > 0 && view_mismatches == 0,
              "views from tokens and from texts find the same conflicts (%zu of %zu article pairs differ)",
              view_mismatches, compared);
        return tap_done();
}
