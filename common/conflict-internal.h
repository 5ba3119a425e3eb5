/* What the files of the conflict check share (conflict-view.c: a claim
 * read into words; conflict-align.c: which words of two claims are the
 * same; conflict-stance.c: what a claim says of what it shares;
 * conflict-values.c: numbers, dates and places that cannot both hold;
 * conflict-explain.c: the sentence a user reads; conflict.c: the decision).
 * Not for use outside those files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conflict.h"

struct word_form;

/* One word of a claim's text. */
struct cword {
        const struct word_form *form;   /* shared: fold, stem, WordNet facts (wordform.h) */
        const char *fold;       /* form->fold: case-folded form */
        const char *stem;       /* form->stem: Snowball stem */
        uint64_t stem_hash;     /* form->stem_hash: conflict_align() compares every pair of words by it,
                                 * and reading it through form missed the cache */
        const char *alias;      /* what the verb means with its particle ("voted against": "reject"), or NULL */
        bool predicate : 1;     /* in a copular predicate ("X was a liberal thinker") */
        bool subject : 1;       /* in the subject of a copular predicate */
        bool content : 1;       /* counts for alignment: not a stop word, cue or number */
        bool repeat : 1;        /* would be content, but its stem came earlier in the claim */
        bool entity : 1;        /* part of one of the claim's entity names */
        bool dateword : 1;      /* part of one of the claim's dates ("July", "Friday") */
        bool shared : 1;        /* aligned with a word of the other claim (per check) */
        bool opposite : 1;      /* aligned with its antonym in the other claim (per check) */
        bool negation : 1;      /* a negation cue ("not", "never", "no") */
        bool refutation : 1;    /* a word calling an account untrue ("fake") */
        bool boundary : 1;      /* a clause mark (, ; : brackets, dash) comes right before */
        bool ly : 1;            /* form->ly */
        bool be_form : 1;       /* in be-forms.txt */
        bool clause_marker : 1; /* in clause-markers.txt */
};

#define VIEW_LY_WORDS 4

struct conflict_view {
        const struct claim *claim;
        struct cword *words;
        size_t n_words;
        size_t n_content;       /* distinct content stems */
        /* indices of the n_content content words in words[], in order:
         * conflict_align() and the antonym search visit only these (about half of
         * a claim's words are stop words) */
        uint32_t *content_at;
        /* a copular predicate word that is not content was marked opposite
         * in the last check: conflict_align() must clear every word, not only the
         * content ones */
        bool marked_predicate;
        /* bit (stem_hash & 63) of each content word: conflict_align() skips the words
         * of the other claim that cannot match any of these without
         * comparing them one by one */
        uint64_t stem_bits;
        /* the content words that may be -ly adverbs, when there are at
         * most VIEW_LY_WORDS (n_ly counts them all) */
        uint16_t ly_words[VIEW_LY_WORDS];
        size_t n_ly;
        bool negative;          /* polarity in the last check: says the shared content is not so */
        bool has_cue;           /* the text holds a negation cue */
        bool cue_negated;       /* its cue is negated ("did not plan to"): the content is not so (attrib.h) */
        char *cue_stem;         /* stem of the cue's verb (its last word), or NULL */
        bool refutes;           /* holds a word calling an account untrue */
        bool framed;            /* reports a report ("a rumor surfaced that") */
        bool question;
        bool verdict;           /* the publisher's own denial of the story it tells (stance.h) */
        bool refusal;           /* a denial whose object is a request ("rejected demands to pay") */
        bool hedged;            /* the claim's hedge, unless all its hedge words are dates ("in May") */
        bool untrue;            /* from an article whose lead calls its story untrue */
};

struct alignment {
        size_t shared;          /* content words of a aligned with b */
        size_t shared_plain;    /* of which not part of an entity name */
        double overlap;         /* [0, 1] */
};

struct clash {
        enum conflict_kind kind;
        const char *word_a, *word_b;    /* the clashing words or values */
        bool curated;                   /* antonym from the curated list */
};

/* Words after a negation cue that it governs, up to the next clause mark. */
#define NEGATION_SCOPE_WORDS 6
/* ... of which at most one in this many may be unaligned. */
#define NEGATION_SCOPE_SLACK 3

/* conflict-view.c */
/* Case-insensitive (ASCII): does the entity name hold fold as one of its
 * words (between spaces and hyphens, a possessive ' after it)? */
bool conflict_name_has_word(const char *name, const char *fold);

/* conflict-align.c */
/* 2: antonyms by the curated list, 1: by WordNet verbs, 0: not antonyms. */
int conflict_words_antonyms(const struct cword *a, const struct cword *b);
/* Whether some subject word of a copula in v aligns with the other claim. */
bool conflict_subject_shared(const struct conflict_view *v);
/* How much of two claims of na and nb content words is the same when
 * shared of them align: [0, 1]. */
double conflict_overlap_of(size_t shared, size_t na, size_t nb);
/* Marks the content words of a and b that align (clearing the last
 * check's marks) and measures their overlap into *ret. */
void conflict_align(struct conflict_view *a, struct conflict_view *b, bool with_synonyms, struct alignment *ret);
/* Do both claims name people or organisations, none of them shared? */
bool conflict_entities_disjoint(const struct claim *a, const struct claim *b);

/* conflict-stance.c: polarity against the claim a view is aligned with */
bool conflict_view_denies(const struct conflict_view *v);
bool conflict_cue_negation_counts(const struct conflict_view *v, const struct conflict_view *other);
bool conflict_view_negative(const struct conflict_view *v, const struct conflict_view *other);
bool conflict_view_refutes(const struct conflict_view *v);
bool conflict_polarity(const struct conflict_view *v, bool neg, bool ref);
bool conflict_view_denier(const struct conflict_view *v);
bool conflict_outlet_says_not(const struct conflict_view *v);
bool conflict_title_vs_quoted(const struct conflict_view *t, const struct conflict_view *q);
bool conflict_title_sides_against(const struct conflict_view *v, bool pol);

/* conflict-values.c: true and the clashing pair when the values cannot agree */
bool conflict_numeric_clash(const struct claim *a, const struct claim *b,
                            const struct quantity **ret_a, const struct quantity **ret_b);
bool conflict_numeric_anchored_clash(const struct conflict_view *va, const struct conflict_view *vb,
                                     const struct quantity **ret_a, const struct quantity **ret_b);
bool conflict_date_clash(const struct claim *a, const struct claim *b,
                         const struct claim_date **ret_a, const struct claim_date **ret_b);
bool conflict_location_clash(const struct claim *a, const struct claim *b,
                             const char **ret_a, const char **ret_b);

/* conflict-explain.c */
/* The first negation cue (negation_cue) or refutation word of v, or NULL:
 * the word an explanation quotes. */
const char *conflict_first_unshared(const struct conflict_view *v, bool negation_cue);
/* The explanation of clash c between a and b (free it),
 * or NULL on ENOMEM */
char *conflict_explain(const struct claim_source *a, const struct claim_source *b,
                       const struct conflict_view *va, const struct conflict_view *vb,
                       const struct clash *c);
