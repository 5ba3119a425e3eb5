/* The string map: insert, find, growth (slots move, gen changes), clear. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/strmap.h"
#include "tap.h"

static void test_put_find(void) {
        struct strmap m = {};
        size_t slot, again;

        CHECK(strmap_find(&m, "a", strmap_hash("a")) == STRMAP_NONE, "empty map finds nothing");
        CHECK(strmap_put(&m, "alpha", strmap_hash("alpha"), 7, &slot) == 1 && m.slots[slot].value == 7,
              "insert gives the value");
        CHECK(strmap_put(&m, "alpha", strmap_hash("alpha"), 9, &again) == 0 && again == slot &&
              m.slots[slot].value == 7, "a second put finds the entry and leaves its value");
        CHECK(strmap_find(&m, "alpha", strmap_hash("alpha")) == slot, "find");
        CHECK(strmap_find(&m, "alph", strmap_hash("alph")) == STRMAP_NONE, "a prefix is another key");
        /* the same hash, another key: probing must compare the strings */
        CHECK(strmap_put(&m, "beta", strmap_hash("alpha"), 3, &again) == 1 && again != slot,
              "a colliding hash gets its own slot");
        CHECK(strmap_find(&m, "beta", strmap_hash("alpha")) == again &&
              strmap_find(&m, "alpha", strmap_hash("alpha")) == slot, "both found under the shared hash");
        strmap_clear(&m);
        CHECK(m.n == 0 && strmap_find(&m, "alpha", strmap_hash("alpha")) == STRMAP_NONE, "clear empties");
}

static void test_growth(void) {
        struct strmap m = {};
        char key[32];
        size_t slot;
        bool ok = true;

        for (int i = 0; i < 5000 && ok; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                uint64_t gen = m.gen;
                ok = strmap_put(&m, key, strmap_hash(key), i, &slot) == 1 && m.slots[slot].value == i;
                if (m.gen != gen)
                        ok = ok && m.cap >= 2 * m.n;
        }
        CHECK(ok && m.n == 5000, "5,000 keys inserted, the map at most half full after each growth");
        for (int i = 0; i < 5000 && ok; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                size_t k = strmap_find(&m, key, strmap_hash(key));
                ok = k != STRMAP_NONE && m.slots[k].value == i;
        }
        CHECK(ok, "every key found with its value after growing");
        CHECK(m.gen > 0, "growing changed gen");
        strmap_clear(&m);
}

int main(void) {
        test_put_find();
        test_growth();
        return tap_done();
}
