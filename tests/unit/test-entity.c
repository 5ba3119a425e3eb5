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

        entity_mentions_free(ms, n_ms);
        return tap_done();
}
