#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/claim-json.h"
#include "tap.h"

int main(void) {
        struct claim_list l = {0};
        struct claim *c = claim_list_push(&l);
        struct claim back = {0};
        json_t *o, *o2;
        char *s1, *s2;

        c->field = CLAIM_FIELD_TEXT;
        c->span[0] = 10; c->span[1] = 90;
        c->text = strdup("the mayor never approved the budget of $4 million");
        c->content_span[0] = 30; c->content_span[1] = 80;
        c->speaker = strdup("Councilwoman Jane Ortiz");
        c->speaker_span[0] = 10; c->speaker_span[1] = 15;
        c->cue = strdup("insisted");
        c->cue_span[0] = 16; c->cue_span[1] = 24;
        c->stance = STANCE_DENIES;
        c->negated = true;
        c->hedged = false;
        c->n_entities = 2;
        c->entities = calloc(2, sizeof(*c->entities));
        c->entities[0].name = strdup("Jane Ortiz");
        c->entities[0].kind = 'P';
        c->entities[1].name = strdup("Springfield");
        c->entities[1].kind = 'L';
        c->n_quantities = 1;
        c->quantities = calloc(1, sizeof(*c->quantities));
        c->quantities[0].text = strdup("more than $4 million");
        c->quantities[0].value = 4e6;
        c->quantities[0].unit = strdup("usd");
        c->quantities[0].bound = BOUND_MORE_THAN;
        c->quantities[0].start = 60; c->quantities[0].end = 80;
        c->n_dates = 1;
        c->dates = calloc(1, sizeof(*c->dates));
        c->dates[0].text = strdup("Tuesday");
        c->dates[0].value = NULL;
        c->dates[0].start = 40; c->dates[0].end = 47;
        c->terms = strdup("mayor approv budget million");

        o = claim_to_json(c);
        CHECK(o != NULL, "to_json");
        CHECK_STR(json_string_value(json_object_get(o, "stance")), "denies");
        CHECK_STR(json_string_value(json_object_get(json_object_get(o, "speaker"), "name")), "Councilwoman Jane Ortiz");
        CHECK(json_integer_value(json_array_get(json_object_get(o, "content_span"), 1)) == 80, "content_span end");
        CHECK_STR(json_string_value(json_array_get(json_object_get(o, "entities"), 1)), "Springfield");
        CHECK_STR(json_string_value(json_object_get(o, "entity_kinds")), "PL");
        CHECK(json_is_null(json_object_get(json_array_get(json_object_get(o, "dates"), 0), "value")),
              "unresolved date value is null");
        CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(o, "quantities"), 0), "bound")),
                  "more_than");

        CHECK(claim_from_json(o, &back) == 0, "from_json");
        CHECK_STR(back.text, c->text);
        CHECK_STR(back.speaker, c->speaker);
        CHECK_STR(back.cue, "insisted");
        CHECK(back.stance == STANCE_DENIES && back.negated && !back.hedged, "flags");
        CHECK(back.n_entities == 2 && back.entities[1].kind == 'L', "entities and kinds");
        CHECK(back.n_quantities == 1 && back.quantities[0].value == 4e6 &&
              back.quantities[0].bound == BOUND_MORE_THAN, "quantity");
        CHECK(back.n_dates == 1 && back.dates[0].value == NULL && back.dates[0].start == 40, "date");
        CHECK(back.speaker_span[0] == 10 && back.cue_span[1] == 24, "spans");

        o2 = claim_to_json(&back);
        s1 = json_dumps(o, JSON_SORT_KEYS);
        s2 = json_dumps(o2, JSON_SORT_KEYS);
        CHECK(s1 && s2 && strcmp(s1, s2) == 0, "round trip is exact");
        free(s1);
        free(s2);
        json_decref(o2);
        claim_clear(&back);

        /* the outlet's own claim: no speaker, no cue */
        struct claim *u = claim_list_push(&l);
        u->text = strdup("Flooding closed 14 roads");
        o2 = claim_to_json(u);
        CHECK(json_is_null(json_object_get(o2, "speaker")) && json_is_null(json_object_get(o2, "cue")) &&
              json_is_null(json_object_get(o2, "content_span")), "nulls");
        CHECK(claim_from_json(o2, &back) == 0 && back.speaker == NULL && back.cue == NULL &&
              back.content_span[0] == -1, "nulls read back");
        claim_clear(&back);
        json_decref(o2);

        /* malformed input */
        o2 = json_pack("{s:s, s:[i]}", "text", "x", "span", 3);
        CHECK(claim_from_json(o2, &back) == -EINVAL, "bad span rejected");
        json_decref(o2);
        o2 = json_pack("{s:s, s:s}", "text", "x", "stance", "maybe");
        CHECK(claim_from_json(o2, &back) == -EINVAL, "bad stance rejected");
        json_decref(o2);
        o2 = json_pack("{s:i}", "text", 3);
        CHECK(claim_from_json(o2, &back) == -EINVAL, "text must be a string");
        json_decref(o2);

        json_decref(o);
        claim_list_clear(&l);
        return tap_done();
}
