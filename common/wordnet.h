/* WordNet (Debian's wordnet-base) for lemmas and word relations.  libWN keeps
 * global state, so every call here is serialised by one mutex and answers are
 * cached; callers on any thread may use it. */
#pragma once

#include <stdbool.h>

enum wn_pos { WN_NOUN = 1, WN_VERB = 2, WN_ADJ = 3, WN_ADV = 4 };

/* Opens the database once (dir NULL: the default location).  Returns 0, or
 * -ENOENT when the database files are missing.  Call it at start-up, before
 * threads: a non-default dir is passed to libWN through setenv(WNSEARCHDIR).
 * The other calls open the default database themselves when needed. */
int wn_init(const char *dir);

/* Base form of a folded word ("accepted" -> "accept", "countries" ->
 * "country"); returns 0 and fills *ret (malloc'ed; the word itself when
 * WordNet knows no other form), or a negative errno. */
int wn_lemma(const char *word, enum wn_pos pos, char **ret);

/* True when WordNet lists a and b (lemmas) as direct antonyms in some sense
 * of pos, or as antonyms of each other's similar adjectives. */
bool wn_antonyms(const char *a, const char *b, enum wn_pos pos);

/* True when a and b (lemmas) share a synset of pos. */
bool wn_synonyms(const char *a, const char *b, enum wn_pos pos);
