#include "common/claim.h"
#include "tap.h"

int main(void) {
        struct claim_list l = {0};
        for (int i = 0; i < 40; i++)
                CHECK(claim_list_push(&l) != NULL, "push %d", i);
        CHECK(l.n == 40, "forty claims");
        CHECK(l.items[39].span[0] == -1 && l.items[39].cue_span[1] == -1, "spans start at -1");
        claim_list_clear(&l);
        CHECK(l.n == 0 && l.items == NULL, "cleared");
        CHECK_STR(claim_stance_to_string(STANCE_DENIES), "denies");
        CHECK(claim_stance_from_string("questions") == STANCE_QUESTIONS, "stance parses");
        CHECK(claim_stance_from_string("maybe") < 0, "unknown stance rejected");
        CHECK_STR(quantity_bound_to_string(BOUND_MORE_THAN), "more_than");
        CHECK(quantity_bound_from_string("at_least") == BOUND_AT_LEAST, "bound parses");
        return tap_done();
}
