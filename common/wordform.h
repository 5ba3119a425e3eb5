/* Word forms shared by every claim view: what the conflict checks know of
 * one case-folded word (its stem, its WordNet lemmas and facts, the curated
 * lists it may head), kept once per distinct word in a table shared by all
 * threads, reference counted by the views that hold it and kept a while
 * after the last one lets go (WORD_FORM_IDLE_MAX).  The writer
 * keeps thousands of stored claims' views cached; before this table each
 * word of each of them carried its own copies (about 350 bytes a word). */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wordnet.h"

#define WORD_FORM_LEMMAS 3      /* WordNet base forms as verb, adjective, noun */
#define WORD_FORM_MAX_FORMS 5   /* fold, stem and the distinct lemmas */

/* What word_form_facts() fills, once, the first time a pair question needs
 * it; read-only afterwards. */
struct word_form_facts {
        char *lemma[WORD_FORM_LEMMAS];  /* NULL: no other form known */
        uint64_t lemma_hash[WORD_FORM_LEMMAS];
        const char *forms[WORD_FORM_MAX_FORMS]; /* the forms it may be listed under */
        size_t n_forms;
        unsigned forms_head;    /* bit i: forms[i] may begin an entry of antonyms.txt */
        bool weak_head;         /* lemma[0] may begin an entry of weak-antonyms.txt */
        const struct wn_facts *wn_verb; /* of lemma[0], with its antonyms (wn_facts_shared(); NULL: none) */
        const struct wn_facts *wn_noun; /* of lemma[2] */
};

struct word_form {
        const char *fold;       /* case-folded form */
        const char *stem;       /* Snowball stem (the fold when it has none) */
        uint64_t stem_hash;     /* wn_hash() of stem: most pairs of words differ in it */
        uint64_t fold_hash;     /* wn_hash() of fold */
        bool ly;                /* fold may be an adverb of a regular suffix ("-ly") */
        /* private to wordform.c */
        _Atomic(struct word_form_facts *) facts;
        size_t refs;
        struct word_form *next;                 /* in its hash bucket */
        struct word_form *idle_prev, *idle_next;        /* in the idle list while refs is 0 */
};

/* Forms no view holds any more stay in the table, least recently released
 * dropped first, up to this many: the common words of the next article
 * then need no new look-ups. */
#define WORD_FORM_IDLE_MAX 16384

/* The shared form of fold with stem (NULL: fold), one more reference held
 * by the caller.  Returns 0 and fills *ret, or -ENOMEM. */
int word_form_acquire(const char *fold, const char *stem, const struct word_form **ret);

/* Drops a reference of word_form_acquire(); after the last one the form
 * waits in the idle list (WORD_FORM_IDLE_MAX) for its next holder or its
 * turn to be freed.  NULL is ignored. */
void word_form_release(const struct word_form *f);

/* The lexical facts of f, looked up on first use (WordNet, the curated
 * lists) and shared by every holder of f on any thread.  Returns NULL only
 * when memory ran out: then every question about the word answers no. */
const struct word_form_facts *word_form_facts(const struct word_form *f);

/* How many distinct forms are held (refs > 0) and how many wait idle (for
 * tests and figures). */
void word_form_count(size_t *ret_held, size_t *ret_idle);
