#include "common/lexicon.h"
#include "tap.h"

int main(void) {
        CHECK(lexicon_contains(LEXICON_STOPWORDS, "the"), "'the' is a stopword");
        CHECK(!lexicon_contains(LEXICON_STOPWORDS, "election"), "'election' is not");
        CHECK(!lexicon_contains(LEXICON_STOPWORDS, "not"), "negation is kept out of stopwords");
        CHECK(lexicon_contains_n(LEXICON_STOPWORDS, "theirs and", 6), "prefix length lookup");
        CHECK(!lexicon_contains_n(LEXICON_STOPWORDS, "thei", 4), "a prefix of an entry is not an entry");
        CHECK(!lexicon_contains(LEXICON_STOPWORDS, ""), "empty string is not an entry");
        CHECK(lexicon_lookup(LEXICON_STOPWORDS, "the") == NULL, "plain lists map to NULL");
        return tap_done();
}
