#include <string.h>

#include "common/lexicon.h"
#include "common/lexicon-table.h"
#include "tap.h"

/* Counts the lists whose answers for word[0..len) differ between
 * lexicon_word_sets() and the list-by-list look-ups. */
static int sets_disagree(const char *word, size_t len) {
        struct lexicon_sets sets = lexicon_word_sets(word, len);
        int bad = 0;
        for (int id = 0; id < _LEXICON_MAX; id++) {
                bad += lexicon_set_has(sets.in, id) != lexicon_contains_n(id, word, len);
                bad += lexicon_set_has(sets.heads, id) != lexicon_starts_entry_n(id, word, len);
        }
        return bad;
}

/* Every word of every entry of every list, and words in none. */
static void check_word_sets(void) {
        size_t words = 0;
        int bad = 0;
        for (int id = 0; id < _LEXICON_MAX; id++)
                for (size_t i = 0; i < lexicon_tables[id].n; i++) {
                        const char *k = lexicon_tables[id].entries[i].key;
                        while (*k) {
                                size_t n = strcspn(k, " ");
                                bad += sets_disagree(k, n);
                                words++;
                                k += n;
                                k += strspn(k, " ");
                        }
                }
        static const char *const others[] = { "", "election", "thei", "theirs and", "remains", "zzzz", "u.s." };
        for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++)
                bad += sets_disagree(others[i], strlen(others[i]));
        CHECK(words > 1000 && bad == 0, "lexicon_word_sets() answers as every list does for %zu words (%d differ)",
              words, bad);

        struct lexicon_sets s = lexicon_word_sets("the", 3);
        CHECK(lexicon_set_has(s.in, LEXICON_STOPWORDS) && !lexicon_set_has(s.in, LEXICON_HEDGES),
              "'the' is in the stopwords, not in the hedges");
        s = lexicon_word_sets("it", 2);
        CHECK(lexicon_set_has(s.heads, LEXICON_HEDGES), "'it' may begin a hedge ('it is unclear')");
}

/* Does some entry of list id begin with the first n bytes of phrase and a
 * space?  The walk over the whole list that lexicon_extends() saves. */
static bool extends_by_walk(int id, const char *phrase, size_t n) {
        for (size_t i = 0; i < lexicon_tables[id].n; i++) {
                const char *k = lexicon_tables[id].entries[i].key;
                if (strncmp(k, phrase, n) == 0 && k[n] == ' ')
                        return true;
        }
        return false;
}

/* lexicon_extends() against the walk, for every word-prefix of every entry
 * of every list and for phrases in none. */
static void check_extends(void) {
        size_t asked = 0;
        int bad = 0;
        char buf[512];
        for (int id = 0; id < _LEXICON_MAX; id++)
                for (size_t i = 0; i < lexicon_tables[id].n; i++) {
                        const char *k = lexicon_tables[id].entries[i].key;
                        for (size_t n = 0;; n++) {
                                if (k[n] != ' ' && k[n] != '\0')
                                        continue;
                                if (n < sizeof(buf)) {
                                        memcpy(buf, k, n);
                                        buf[n] = '\0';
                                        bad += lexicon_extends(id, buf) != extends_by_walk(id, buf, n);
                                        asked++;
                                }
                                if (k[n] == '\0')
                                        break;
                        }
                }
        static const char *const others[] = { "election", "not", "not tru", "not true false", "zzzz", "a" };
        for (int id = 0; id < _LEXICON_MAX; id++)
                for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
                        bad += lexicon_extends(id, others[i]) != extends_by_walk(id, others[i], strlen(others[i]));
                        asked++;
                }
        CHECK(asked > 1000 && bad == 0, "lexicon_extends() answers as a walk of the list for %zu phrases (%d differ)",
              asked, bad);
        CHECK(lexicon_extends(LEXICON_VERDICTS, "not"), "'not' goes on in a verdict ('not true')");
        CHECK(!lexicon_extends(LEXICON_VERDICTS, "not true"), "'not true' is a whole verdict, no longer one begins so");
        CHECK(!lexicon_extends(LEXICON_HEDGES, "election"), "an ordinary word begins no entry");
}

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
        check_word_sets();
        check_extends();

        /* entries in key order, each with the value lexicon_lookup() gives */
        const char *key, *value, *prev = NULL;
        size_t n = 0;
        bool ordered = true, same = true;
        for (; lexicon_entry(LEXICON_BOILERPLATE, n, &key, &value); n++) {
                ordered &= !prev || strcmp(prev, key) < 0;
                same &= value && lexicon_lookup(LEXICON_BOILERPLATE, key) == value;
                prev = key;
        }
        CHECK(n > 0 && ordered && same, "lexicon_entry() walks %zu entries in order, with their values", n);
        CHECK(!lexicon_entry(LEXICON_BOILERPLATE, n, &key, &value), "no entry past the last");
        CHECK(!lexicon_entry(_LEXICON_MAX, 0, &key, &value), "no entry of an unknown list");
        CHECK(lexicon_entry(LEXICON_STOPWORDS, 0, &key, &value) && value == NULL, "a plain list's values are NULL");
        return tap_done();
}
