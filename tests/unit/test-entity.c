#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/entity.h"
#include "common/segment.h"
#include "tap.h"

static struct entity_mention *ms;
static size_t n_ms;
static char got[1024];

/* Segments s, finds its entities and renders them as "Name/K; Name/K". */
static const char *find(const char *s) {
        struct segmented_text *st = NULL;

        entity_mentions_free(ms, n_ms);
        ms = NULL;
        n_ms = 0;
        got[0] = '\0';
        if (segment_text(s, strlen(s), &st) < 0) {
                CHECK(0, "segment_text(%s)", s);
                return got;
        }
        int r = entities_find(st, 0, st->n_tokens, &ms, &n_ms);
        CHECK(r == 0, "entities_find(%s) = %d", s, r);
        size_t len = 0;
        for (size_t i = 0; i < n_ms; i++) {
                len += (size_t) snprintf(got + len, sizeof(got) - len, "%s%s/%c", i ? "; " : "", ms[i].name,
                                         ms[i].kind);
                if (len >= sizeof(got))
                        break;
        }
        segmented_text_free(st);
        return got;
}

#define ENT(s, want) do { find(s); CHECK(strcmp(got, want) == 0, "%s -> %s (got %s)", s, want, got); } while (0)

/* entity_mentions_resolve() on mentions made here: a chain of longer names
 * is followed to its end, whatever the order of the mentions; the most used
 * longer name wins; many distinct names cost no more than a few. */
static void check_resolve(void) {
        struct entity_mention m[6] = {
                { .name = strdup("Nieto"), .kind = 'M' },
                { .name = strdup("Pena Nieto"), .kind = 'P' },
                { .name = strdup("Enrique Pena Nieto"), .kind = 'P' },
                { .name = strdup("Pena Nieto"), .kind = 'P' },
                { .name = strdup("Carla Nieto"), .kind = 'P' },
                { .name = strdup("Nieto"), .kind = 'M' },
        };
        CHECK(entity_mentions_resolve(m, 6) == 0, "resolve six mentions");
        /* "Pena Nieto" is used twice, "Carla Nieto" once: Nieto is Pena Nieto,
         * and Pena Nieto is Enrique Pena Nieto, before and after its first use */
        for (size_t i = 0; i < 6; i++)
                CHECK(strcmp(m[i].name, i == 4 ? "Carla Nieto" : "Enrique Pena Nieto") == 0 && m[i].kind == 'P',
                      "mention %zu: %s/%c", i, m[i].name, m[i].kind);
        for (size_t i = 0; i < 6; i++)
                free(m[i].name);

        size_t n = 40000;
        struct entity_mention *many = calloc(n, sizeof(*many));
        bool made = many != NULL;
        for (size_t i = 0; made && i < n; i += 2) {
                char full[32], last[16];
                snprintf(last, sizeof(last), "Berg%zux", i / 2);
                snprintf(full, sizeof(full), "Anna %s", last);
                many[i] = (struct entity_mention) { .name = strdup(full), .kind = 'P' };
                many[i + 1] = (struct entity_mention) { .name = strdup(last), .kind = 'M' };
                made = many[i].name && many[i + 1].name;
        }
        CHECK(made && entity_mentions_resolve(many, n) == 0, "resolve 20,000 people named twice each");
        bool all = made;
        for (size_t i = 1; all && i < n; i += 2)
                all = strcmp(many[i].name, many[i - 1].name) == 0 && many[i].kind == 'P';
        CHECK(all, "each surname resolved to its own full name");
        for (size_t i = 0; many && i < n; i++)
                free(many[i].name);
        free(many);
}

int main(void) {
        ENT("U.S. Secretary of State Rex Tillerson spoke to reporters.",
            "United States/L; Rex Tillerson/P");
        ENT("Russian Foreign Minister Sergey Lavrov said the talks went well.",
            "Russia/L; Sergey Lavrov/P");
        ENT("President Donald Trump met Putin in Hamburg.", "Donald Trump/P; Putin/M; Hamburg/L");
        ENT("Putin's spokesman Dmitry Peskov declined to comment.", "Putin/M; Dmitry Peskov/P");
        ENT("The White House said the US and America are one.", "White House/O; United States/L; United States/L");
        ENT("Let us go, he told us.", "");
        ENT("Kremlin spokesman Dmitry Peskov spoke to CNN.", "Kremlin/O; Dmitry Peskov/P; CNN/O");
        ENT("Lavrov met Tillerson. Sergey Lavrov then left, and Lavrov's aides stayed.",
            "Sergey Lavrov/P; Tillerson/M; Sergey Lavrov/P; Sergey Lavrov/P");
        ENT("The Russian Defense Ministry denied it.", "Russia/L; Defense Ministry/O");
        ENT("Officials at the Department of Justice and the Bank of America agreed.",
            "Justice Department/O; Bank of America/O");
        ENT("He lives in the United States of America.", "United States/L");
        ENT("The Trump-Putin meeting lasted hours.", "Trump/M; Putin/M");
        ENT("The Saudi-led coalition struck again.", "Saudi Arabia/L");
        ENT("Syrian President Bashar al-Assad spoke on Friday in July.", "Syria/L; Bashar al-Assad/P");
        ENT("However, officials said Jordan Peterson spoke.", "Jordan Peterson/P");
        ENT("Prime Minister Theresa May spoke.", "Theresa May/P");
        ENT("Sen. John McCain criticized the move.", "John McCain/P");
        ENT("American officials and British diplomats met.", "United States/L; United Kingdom/L");
        ENT("Meanwhile the talks continued.", "");
        ENT("The FBI and NATO issued statements.", "FBI/O; NATO/O");
        ENT("Ms. Smith said she would return.", "Smith/P");

        ENT("African-American voters and African American pastors met Donald J. Trump.", "Donald Trump/P");
        ENT("I'm sure, she said. I've seen it.", "");
        ENT("The federal budget grew. Federal officials and the Post agreed, as the post office did.", "");
        ENT("Ivanka Trump met Donald Trump. Donald Trump spoke, then Trump left.",
            "Ivanka Trump/P; Donald Trump/P; Donald Trump/P; Donald Trump/P");
        ENT("Unlike Smith, the aide stayed.", "Smith/M");
        ENT("Protests spread across Eastern Ukraine.", "Ukraine/L");
        ENT("South Korean President Moon Jae-in arrived.", "South Korea/L; Moon Jae-in/P");

        ENT("Former President Bill Clinton and Mark Warner spoke.", "Bill Clinton/P; Mark Warner/P");
        ENT("Chris Christie Calls Hillary Clinton \u2018A Disgrace\u2019 Over Police Shooting Comments",
            "Chris Christie/P; Hillary Clinton/P");

        ENT("Abu Bakr al-Baghdadi spoke. Baghdadi then left the Border Patrol post, and the border patrol followed.",
            "Abu Bakr al-Baghdadi/P; Abu Bakr al-Baghdadi/P; Border Patrol/M");
        ENT("The Daily Mail and the Chicago Tribune reported it.", "Daily Mail/O; Chicago Tribune/O");

        ENT("Foo went home. Bar stayed. Sergey Lavrov left. Lavrov smiled. Baz slept.",
            "Sergey Lavrov/P; Sergey Lavrov/P");

        /* headlines in Title Case */
        ENT("Russia and US Disagree Over Trump-Putin Election Talk", "Russia/L; United States/L");
        ENT("Stealth Over Health: Hillary Clinton Was Headed to ER", "Hillary Clinton/P");
        {
                const char *title = "Russia and US Disagree Over Trump-Putin Election Talk";
                const char *body = "President Trump met Putin. Trump said the talks went well.";
                struct segmented_text *ts = NULL, *bs = NULL;
                struct entity_mention *tm = NULL;
                size_t tn = 0;
                CHECK(segment_text(title, strlen(title), &ts) == 0 && segment_text(body, strlen(body), &bs) == 0,
                      "segment title and body");
                CHECK(entities_find_context(ts, 0, ts->n_tokens, bs, &tm, &tn) == 0, "entities_find_context");
                CHECK(tn == 4 && !strcmp(tm[2].name, "Trump") && !strcmp(tm[3].name, "Putin"),
                      "body capitals keep Trump and Putin in the headline (got %zu)", tn);
                entity_mentions_free(tm, tn);
                segmented_text_free(ts);
                segmented_text_free(bs);
        }

        /* sentence-initial words known as names elsewhere in the text */
        ENT("Peskov said nothing. Later, the aide to Peskov spoke.", "Peskov/M; Peskov/M");

        /* byte spans: possessive and curly apostrophe stripped */
        const char *s = "Putin\xe2\x80\x99s aides met Lavrov.";
        find(s);
        CHECK(n_ms == 2 && ms[0].start == 0 && ms[0].end == 5, "Putin’s span [0,5)");
        CHECK(n_ms == 2 && !strncmp(s + ms[1].start, "Lavrov", 6) && ms[1].end - ms[1].start == 6, "Lavrov span");

        CHECK(entity_names_match("Lavrov", 'M', "Sergey Lavrov", 'P'), "Lavrov ~ Sergey Lavrov");
        CHECK(!entity_names_match("Russia", 'L', "Sergey Lavrov", 'P'), "Russia !~ Sergey Lavrov");
        CHECK(entity_names_match("United States", 'L', "United States", 'L'), "equal names match");

        check_resolve();
        entity_mentions_free(ms, n_ms);
        return tap_done();
}
