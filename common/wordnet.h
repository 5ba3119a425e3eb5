/* WordNet (Debian's wordnet-base) for lemmas and word relations.  libWN keeps
 * global state, so every call here is serialised by one mutex and answers are
 * cached; callers on any thread may use it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* What WordNet says of one word (a lemma) in one part of speech, read at
 * once so that questions about pairs of words need no look-up and no string
 * hashing: conflict detection asks them for every pair of words of two
 * claims, and prepares each claim's words once. */
struct wn_facts {
        char *form;             /* WordNet spelling of the lemma; NULL: WordNet has no answer */
        uint64_t hash;          /* of form */
        int pos;                /* enum wn_pos */
        int info;               /* what the index says of it (wordnet.c's INFO_* bits) */
        long *synsets;          /* sorted offsets of its synsets (or its base form's) */
        size_t n_synsets;
        /* bit (hash_mix64(offset) & 63) of each synset: two words with no
         * bit in common share no synset, and most pairs asked are such */
        uint64_t synset_bits;
        char *antonym_words;    /* its antonyms, each ended by '\0' (with_antonyms only) */
        uint64_t *antonym_hashes;               /* of each of antonym_words, in order */
        size_t n_antonyms;
};

/* The 64-bit FNV-1a hash of s that wn_facts keeps of its words: callers
 * that compare words many times keep it of theirs too. */
uint64_t wn_hash(const char *s);

/* Fills *ret with the facts of lemma in pos (the antonyms only when
 * with_antonyms; free with wn_facts_clear()).  Returns 0, or -EINVAL /
 * -ENOMEM (*ret untouched).  Without a database, or for a word WordNet
 * cannot spell, *ret holds no facts (form NULL): false to every question. */
int wn_facts_get(const char *lemma, enum wn_pos pos, bool with_antonyms, struct wn_facts *ret);
void wn_facts_clear(struct wn_facts *f);

/* The facts of lemma in pos as wn_facts_get() reads them, kept in one table
 * shared by all callers and threads (filled on first use, held until the
 * process exits: only words WordNet can spell are kept, so its vocabulary
 * bounds the table), so that the cached views of many claims holding the
 * same word share one copy.  Returns NULL when there are no facts to keep
 * (a word WordNet cannot spell, no database, or out of memory): the
 * wn_facts_*() questions answer false for NULL, as for empty facts. */
const struct wn_facts *wn_facts_shared(const char *lemma, enum wn_pos pos, bool with_antonyms);

/* wn_synonyms() and wn_antonyms() of the lemmas a and b were read from (of
 * one part of speech; the antonyms read by wn_facts_get()), with the same
 * answers. */
bool wn_facts_synonyms(const struct wn_facts *a, const struct wn_facts *b);
bool wn_facts_antonyms(const struct wn_facts *a, const struct wn_facts *b);
