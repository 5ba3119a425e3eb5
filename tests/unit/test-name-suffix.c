/* The table of name parts (common/name-suffix.c). */
#include <stdio.h>
#include <string.h>

#include "common/name-suffix.h"
#include "tap.h"

static void count(struct name_suffix_slot *slot, void *arg) {
        slot->value = slot->value == NAME_SUFFIX_NONE ? 1 : slot->value + 1;
        (*(size_t *) arg)++;
}

int main(void) {
        struct name_suffixes x = {};
        size_t visits = 0;

        CHECK(name_suffixes_find(&x, "Nieto") == NAME_SUFFIX_NONE, "an empty table finds nothing");
        CHECK(name_suffixes_add(&x, "Enrique Pena Nieto", count, &visits) == 0, "add a name of three words");
        CHECK(visits == 2, "two parts: Pena Nieto, Nieto (got %zu)", visits);
        CHECK(name_suffixes_add(&x, "Abu Bakr al-Baghdadi", count, &visits) == 0, "add a hyphenated name");
        CHECK(name_suffixes_add(&x, "Carlos Nieto", count, &visits) == 0, "add another Nieto");
        CHECK(name_suffixes_find(&x, "Nieto") == 2, "Nieto ends two names");
        CHECK(name_suffixes_find(&x, "Pena Nieto") == 1, "Pena Nieto ends one");
        CHECK(name_suffixes_find(&x, "Baghdadi") == 1, "a part after a hyphen");
        CHECK(name_suffixes_find(&x, "al-Baghdadi") == 1, "and after the space before it");
        CHECK(name_suffixes_find(&x, "Enrique Pena Nieto") == NAME_SUFFIX_NONE, "a whole name is no part of itself");
        CHECK(name_suffixes_find(&x, "ieto") == NAME_SUFFIX_NONE, "a part starts at a word");
        CHECK(name_suffixes_find(&x, "Enrique") == NAME_SUFFIX_NONE, "a first word is no part");

        /* enough names to grow the table several times */
        static char names[3000][32];
        for (size_t i = 0; i < 3000; i++)
                snprintf(names[i], sizeof(names[i]), "Anna Berg%zu Holm%zu", i, i % 7);
        bool ok = true;
        for (size_t i = 0; i < 3000 && ok; i++)
                ok = name_suffixes_add(&x, names[i], count, &visits) == 0;
        CHECK(ok, "3,000 more names");
        CHECK(name_suffixes_find(&x, "Holm3") == 3000 / 7 + (3 < 3000 % 7), "Holm3 ends every seventh name");
        CHECK(name_suffixes_find(&x, "Berg2999 Holm3") == 1, "a two-word part after growing");
        name_suffixes_free(&x);
        return tap_done();
}
