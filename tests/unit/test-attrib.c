/* Attribution on sentences written for this test: the common shapes of
 * news prose, quotes over sentences and paragraphs, denials, resolution. */
#include <stdlib.h>
#include <string.h>

#include "common/attrib.h"
#include "common/segment.h"
#include "tap.h"

struct found {
        struct segmented_text *st;
        struct attribution *a;
        size_t n;
        const char *text;
};

static int run(const char *text, struct found *f) {
        memset(f, 0, sizeof(*f));
        f->text = text;
        int r = segment_text(text, strlen(text), &f->st);
        if (r < 0)
                return r;
        return attributions_find(f->st, &f->a, &f->n);
}

static void done(struct found *f) {
        attributions_free(f->a, f->n);
        segmented_text_free(f->st);
}

/* The content of attribution i as a new string ("" when out of range). */
static char *content(const struct found *f, size_t i) {
        if (i >= f->n)
                return strdup("");
        return strndup(f->text + f->a[i].content_start, f->a[i].content_end - f->a[i].content_start);
}

static char *cue(const struct found *f, size_t i) {
        if (i >= f->n || f->a[i].cue_start < 0)
                return strdup("");
        return strndup(f->text + f->a[i].cue_start, f->a[i].cue_end - f->a[i].cue_start);
}

static char *mention(const struct found *f, size_t i) {
        if (i >= f->n || f->a[i].speaker_start < 0)
                return strdup("");
        return strndup(f->text + f->a[i].speaker_start, f->a[i].speaker_end - f->a[i].speaker_start);
}

#define CHECK_ATTR(f, i, want_speaker, want_cue, want_content) do {           \
        char *c_ = content(f, i), *k_ = cue(f, i);                              \
        CHECK_STR((i) < (f)->n ? (f)->a[i].speaker : NULL, want_speaker);       \
        CHECK_STR(k_, want_cue);                                                \
        CHECK_STR(c_, want_content);                                            \
        free(c_);                                                               \
        free(k_);                                                               \
} while (0)

/* Appends s n times to a new string. */
static char *repeat(const char *s, size_t n) {
        size_t l = strlen(s);
        char *r = malloc(l * n + 1);
        if (!r)
                return NULL;
        for (size_t k = 0; k < n; k++)
                memcpy(r + k * l, s, l);
        r[l * n] = 0;
        return r;
}

/* Many attributions: resolution finds the same speakers among thousands as
 * among a few (the look-ups are indexed), and a sentence of thousands of
 * passive participles, each looking ahead at the next, is read without a
 * chain of calls as deep as the sentence is long. */
static void check_many(void) {
        struct found f;
        char *filler = repeat("Ms. Grete Aalto said the ferry was late. Aalto said it was full. "
                              "The harbour officials said the pier was closed. ", 2000);
        char *text = NULL;
        CHECK(filler && asprintf(&text, "Mr. Nils Brann said the bridge was open. %sHe said the road was clear. "
                                        "A senior port official said the gates were shut. %sThe official said "
                                        "the lock was new. Brann said the toll would rise.", filler, filler) > 0,
              "a text of 12,000 attributions");
        CHECK(text && run(text, &f) == 0, "attributions found");
        CHECK(f.n == 12005, "every attribution kept (got %zu)", f.n);
        if (f.n == 12005) {
                CHECK_STR(f.a[2].speaker, "Ms. Grete Aalto");  /* the full name before */
                CHECK_STR(f.a[6000].speaker, "The harbour officials");
                /* "he" skips the "Ms." and the officials to the last man */
                CHECK_STR(f.a[6001].speaker, "Mr. Nils Brann");
                /* "the official": the nearest earlier, longer official */
                CHECK_STR(f.a[12003].speaker, "A senior port official");
                CHECK_STR(f.a[12004].speaker, "Mr. Nils Brann");
        }
        done(&f);
        free(text);
        free(filler);

        char *chain = repeat("a poll of people questioned in 2015 and ", 50000);
        CHECK(chain && run(chain, &f) == 0, "50,000 participles in one unbroken text");
        CHECK(f.n == 0, "no attribution in it (got %zu)", f.n);
        done(&f);
        free(chain);
}

int main(void) {
        struct found f;

        CHECK(run("The harbour master said the ferry would resume sailing on Monday.", &f) == 0, "preposed");
        CHECK(f.n == 1, "one attribution (%zu)", f.n);
        CHECK_ATTR(&f, 0, "The harbour master", "said", "the ferry would resume sailing on Monday");
        done(&f);

        CHECK(run("Finance Minister Olga Brandt said that the budget gap had narrowed. "
                  "Brandt told reporters on Tuesday that no new taxes were planned. "
                  "She added that pensions would rise.", &f) == 0, "resolution");
        CHECK(f.n == 3, "three attributions (%zu)", f.n);
        CHECK_ATTR(&f, 0, "Finance Minister Olga Brandt", "said", "the budget gap had narrowed");
        CHECK_ATTR(&f, 1, "Finance Minister Olga Brandt", "told", "no new taxes were planned");
        CHECK_ATTR(&f, 2, "Finance Minister Olga Brandt", "added", "pensions would rise");
        {
                char *m = mention(&f, 2);
                CHECK_STR(m, "She");
                free(m);
        }
        done(&f);

        CHECK(run("\"We will not close the plant,\" the company's chief executive said.", &f) == 0, "postposed quote");
        CHECK_ATTR(&f, 0, "the company's chief executive", "said", "We will not close the plant");
        done(&f);

        CHECK(run("\"The river is rising fast,\" said Tomas Reyes, the county's flood officer.", &f) == 0, "inverted");
        CHECK(f.n == 1, "one attribution");
        CHECK_ATTR(&f, 0, "Tomas Reyes", "said", "The river is rising fast");
        done(&f);

        CHECK(run("Turnout fell to 41 percent, according to the electoral commission.", &f) == 0, "according to, after");
        CHECK_ATTR(&f, 0, "the electoral commission", "according to", "Turnout fell to 41 percent");
        done(&f);

        CHECK(run("According to two people briefed on the talks, the deal collapsed late on Friday.", &f) == 0,
              "according to, before");
        CHECK_ATTR(&f, 0, "two people briefed on the talks", "According to", "the deal collapsed late on Friday");
        done(&f);

        CHECK(run("The bridge will reopen in March, a city spokeswoman said.", &f) == 0, "unquoted postposed");
        CHECK_ATTR(&f, 0, "a city spokeswoman", "said", "The bridge will reopen in March");
        done(&f);

        CHECK(run("A senior defence official denied that troops had crossed the border.", &f) == 0, "denial");
        CHECK_ATTR(&f, 0, "A senior defence official", "denied", "troops had crossed the border");
        CHECK(f.n == 1 && f.a[0].stance == STANCE_DENIES, "stance denies");
        done(&f);

        CHECK(run("The senator asked whether the contract had been signed.", &f) == 0, "question");
        CHECK(f.n == 1 && f.a[0].stance == STANCE_QUESTIONS, "stance questions");
        done(&f);

        /* a quote over two sentences, speaker after it, and a quote split by the cue */
        CHECK(run("\"The first offer was an insult. The second one is not much better,\" the union leader said.", &f) == 0,
              "long quote");
        CHECK_ATTR(&f, 0, "the union leader", "said",
                   "The first offer was an insult. The second one is not much better");
        done(&f);

        CHECK(run("\"We are ready,\" Mayor Lena Ortiz said, \"but the state must pay its share.\"", &f) == 0, "split quote");
        CHECK(f.n == 1, "one attribution for both halves");
        CHECK(f.n == 1 && f.a[0].gap_start > f.a[0].content_start && f.a[0].gap_end < f.a[0].content_end,
              "the cue is a gap inside the content");
        done(&f);

        /* a quote going on in the next paragraph, then "he said" */
        CHECK(run("Coach Dan Miller was blunt. \"We lost our shape,\" Miller said. \"We stopped running.\n\n"
                  "\"Nobody can accept that.\"\n\n"
                  "The club's owner praised the fans. \"They never gave up,\" he said.", &f) == 0, "paragraphs");
        CHECK(f.n >= 2, "two attributions (%zu)", f.n);
        {
                char *c0 = content(&f, 0);
                CHECK(strstr(c0, "We lost our shape") && strstr(c0, "Nobody can accept that"),
                      "quote runs over the paragraph (%s)", c0);
                free(c0);
        }
        CHECK_STR(f.n >= 1 ? f.a[0].speaker : NULL, "Coach Dan Miller");
        done(&f);

        /* nested quote inside a quote: one attribution, the outer speaker */
        CHECK(run("\"When he told me 'the money is gone,' I believed him,\" the witness said.", &f) == 0, "nested");
        CHECK(f.n == 1, "nested speech is part of the outer claim (%zu)", f.n);
        CHECK_STR(f.n >= 1 ? f.a[0].speaker : NULL, "the witness");
        done(&f);

        /* cognition and a possessive speaker */
        CHECK(run("The governor's spokesman said the governor believes the levee will hold.", &f) == 0, "spokesman");
        CHECK_ATTR(&f, 0, "The governor's spokesman", "said", "the governor believes the levee will hold");
        done(&f);

        CHECK(run("Analysts believe the central bank will cut rates again.", &f) == 0, "cognition");
        CHECK_ATTR(&f, 0, "Analysts", "believe", "the central bank will cut rates again");
        done(&f);

        /* nouns that look like cues are no cues */
        CHECK(run("The report on the floods was published by the state.", &f) == 0, "no cue");
        CHECK(f.n == 0, "no attribution in a sentence without reporting (%zu)", f.n);
        done(&f);

        /* a participle goes on with the same speaker; the first content ends at the comma */
        CHECK(run("The coach praised the referee, saying the calls were fair.", &f) == 0, "participle");
        CHECK(f.n == 2, "two attributions (%zu)", f.n);
        CHECK_ATTR(&f, 0, "The coach", "praised", "the referee");
        CHECK_ATTR(&f, 1, "The coach", "saying", "the calls were fair");
        done(&f);

        /* an appositive that names the speaker */
        CHECK(run("One of the plaintiffs' lawyers, Maria Lindqvist, said the ruling would be appealed.", &f) == 0,
              "name in the appositive");
        CHECK_ATTR(&f, 0, "Maria Lindqvist", "said", "the ruling would be appealed");
        done(&f);

        /* a sentence opened by the cue */
        CHECK(run("Said the referee: \"Nobody touched him.\"", &f) == 0, "Said X:");
        CHECK_ATTR(&f, 0, "the referee", "Said", "Nobody touched him");
        done(&f);

        /* an opening adverbial is no content */
        CHECK(run("In March, the agency called for new limits on fishing.", &f) == 0, "opening adverbial");
        CHECK_ATTR(&f, 0, "the agency", "called", "new limits on fishing");
        done(&f);

        /* coordinated reports of two speakers */
        CHECK(run("Republicans said the bill was dead, and Democrats insisted it could pass.", &f) == 0, "coordinated");
        CHECK(f.n == 2, "two attributions (%zu)", f.n);
        CHECK_ATTR(&f, 0, "Republicans", "said", "the bill was dead");
        CHECK_ATTR(&f, 1, "Democrats", "insisted", "it could pass");
        done(&f);

        /* denials without a denial verb, and a denial of a report */
        CHECK(run("Election officials said there was no evidence that any ballots had been altered.", &f) == 0,
              "no evidence that");
        CHECK_ATTR(&f, 0, "Election officials", "said", "any ballots had been altered");
        CHECK(f.n == 1 && f.a[0].stance == STANCE_DENIES, "no evidence: denies");
        done(&f);

        CHECK(run("The governor called the leaked memo a complete fabrication.", &f) == 0, "called ... a fabrication");
        CHECK_ATTR(&f, 0, "The governor", "called", "the leaked memo");
        CHECK(f.n == 1 && f.a[0].stance == STANCE_DENIES, "called false: denies");
        done(&f);

        CHECK(run("The navy dismissed reports that a submarine had run aground.", &f) == 0, "dismissed reports that");
        CHECK_ATTR(&f, 0, "The navy", "dismissed", "a submarine had run aground");
        CHECK(f.n == 1 && f.a[0].stance == STANCE_DENIES, "dismissed: denies");
        done(&f);

        /* a reporting verb's participle after a noun modifies it: no report */
        CHECK(run("The study followed 300 farmers in six valleys with each farmer questioned twice.", &f) == 0,
              "questioned twice");
        CHECK(f.n == 0, "a passive participle is no cue (got %zu)", f.n);
        done(&f);
        CHECK(run("A majority of growers questioned in the census agreed that the drought was the worst in decades.",
                  &f) == 0, "questioned in ... agreed that");
        {
                char *k = f.n == 1 ? cue(&f, 0) : NULL, *t = f.n == 1 ? content(&f, 0) : NULL;
                CHECK(k && strcmp(k, "agreed") == 0, "the cue is agreed (got %s)", k ? k : "-");
                CHECK(t && strcmp(t, "the drought was the worst in decades") == 0, "content (got %s)", t ? t : "-");
                free(k);
                free(t);
        }
        done(&f);
        CHECK(run("The inspectors noted in their report that the boiler had no valve.", &f) == 0, "noted in ... that");
        CHECK_ATTR(&f, 0, "The inspectors", "noted", "the boiler had no valve");
        done(&f);

        /* a negated neg-raising cue starts at its negation */
        CHECK(run("The baker did not plan to close the shop on Sundays.", &f) == 0, "negated plan");
        CHECK_ATTR(&f, 0, "The baker", "did not plan", "to close the shop on Sundays");
        done(&f);
        CHECK(run("He was tired. Nor did he expect the river to flood the lower town.", &f) == 0, "nor did he expect");
        CHECK_ATTR(&f, 0, "he", "Nor did he expect", "the river to flood the lower town");
        done(&f);
        CHECK(run("The clerk did not say that the office would move.", &f) == 0, "negated say");
        CHECK_ATTR(&f, 0, "The clerk", "say", "the office would move");
        done(&f);

        CHECK(run("", &f) == 0 && f.n == 0, "empty text");
        done(&f);

        check_many();
        return tap_done();
}
