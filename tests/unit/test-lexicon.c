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
        CHECK(lexicon_starts_entry(LEXICON_HEDGES, "it"), "'it' starts the hedge 'it is unclear'");
        CHECK(lexicon_starts_entry(LEXICON_NEGATION_CUES, "no"), "'no' starts 'no longer' (and is a cue)");
        CHECK(lexicon_starts_entry(LEXICON_NEGATION_CUES, "never"), "a one-word entry starts itself");
        CHECK(lexicon_starts_entry(LEXICON_HEDGES, "unclear"), "a word that is an entry and ends others starts itself");
        CHECK(!lexicon_starts_entry(LEXICON_HEDGES, "remains"), "'remains' is inside a hedge, not at its start");
        CHECK(!lexicon_starts_entry(LEXICON_HEDGES, "i"), "a prefix of a first word starts nothing");
        CHECK(!lexicon_starts_entry(LEXICON_HEDGES, "election"), "an ordinary word starts nothing");
        return tap_done();
}
