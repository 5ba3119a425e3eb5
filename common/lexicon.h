/* Word lists (reporting verbs, hedges, negation cues, antonym pairs, demonyms,
 * titles, ...) kept as data in conf/lexicon/NAME.txt and compiled into sorted
 * tables at build time, so a lookup is a binary search with no start-up cost. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lexicon-data.h"

/* Returns true when word (lower case, NUL-terminated) is in the list. */
bool lexicon_contains(enum lexicon_id id, const char *word);

/* Returns true when the first len bytes of word are an entry of the list. */
bool lexicon_contains_n(enum lexicon_id id, const char *word, size_t len);

/* Returns the value mapped to key in a key<TAB>value list, or NULL when the
 * key is absent (or the entry has no value). */
const char *lexicon_lookup(enum lexicon_id id, const char *key);

/* Entry i of a list in key order: true and its key and value (NULL in a
 * plain list), false past the last.  For the scans that look for a few
 * phrases anywhere in a text instead of asking about each of its words. */
bool lexicon_entry(enum lexicon_id id, size_t i, const char **ret_key, const char **ret_value);

/* Returns false when no entry of the list is word or begins with word and a
 * space, so a scan for multi-word entries ("no longer", "it is unclear")
 * can skip a token with one lookup instead of one per phrase length.  May
 * return true for any word when the lookup index could not be built. */
bool lexicon_starts_entry(enum lexicon_id id, const char *word);

/* Returns true when an entry of the list begins with phrase and a space:
 * a scan that builds a phrase word by word stops when this says no longer
 * entry can follow. */
bool lexicon_extends(enum lexicon_id id, const char *phrase);

/* lexicon_starts_entry() of the first len bytes of word. */
bool lexicon_starts_entry_n(enum lexicon_id id, const char *word, size_t len);

/* lexicon_starts_entry() of the first word of phrase (up to its first
 * space): may the list hold an entry "phrase ..."?  True for a phrase that
 * begins with a space or is empty. */
bool lexicon_starts_phrase(enum lexicon_id id, const char *phrase);

/* The lists a single word belongs to, as bit sets over enum lexicon_id (bit
 * id set: the list's answer for the word is yes). */
struct lexicon_sets {
        uint64_t in;            /* lexicon_contains_n(id, word, len) */
        uint64_t heads;         /* lexicon_starts_entry_n(id, word, len) */
};

/* Every list's answer for word[0..len) at once, from one look-up in an
 * index of all the lists' words: the segmenter asks once per token, and
 * the stages after it test bits instead of probing list after list with
 * the same word. */
struct lexicon_sets lexicon_word_sets(const char *word, size_t len);

static inline bool lexicon_set_has(uint64_t set, enum lexicon_id id) {
        return (set >> id) & 1;
}
