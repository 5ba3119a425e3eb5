/* Conflict detection between two claims from different sources (other
 * outlets, or other speakers in one article) about the same thing. */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "claim.h"

enum conflict_kind {
        CONFLICT_DENIAL,        /* one asserts, the other denies the same proposition */
        CONFLICT_NEGATION,      /* one says X, the other not-X */
        CONFLICT_ANTONYM,       /* accepted/rejected, won/lost, rose/fell */
        CONFLICT_NUMERIC,       /* same measured thing, incompatible values */
        CONFLICT_DATE,
        CONFLICT_LOCATION,
        _CONFLICT_KIND_MAX,
};

struct conflict_options {
        double min_overlap;     /* how much of the two claims must align to be "the same thing" */
        double min_score;       /* conflicts scoring lower are dropped */
        double hedge_penalty;   /* multiplied into the score when either claim is hedged */
        double question_penalty;/* ... when either is a question */
};

/* Defaults chosen by measurement on the dev splits (see README); the
 * configuration's table shows them too. */
#define CONFLICT_DEFAULT_MIN_OVERLAP 0.6
#define CONFLICT_DEFAULT_MIN_SCORE 0.5
#define CONFLICT_DEFAULT_HEDGE_PENALTY 0.7
#define CONFLICT_DEFAULT_QUESTION_PENALTY 0.5
void conflict_options_default(struct conflict_options *o);

/* One side of a pair: the claim and who published it. */
struct claim_source {
        const struct claim *claim;
        const char *source;     /* outlet id */
        const char *label;      /* "a"/"b" in compare, or NULL */
};

/* The one rule for "the same outlet" (and, in a compare, the same side):
 * source is an outlet id (API.md), compared byte for byte as the store and
 * the feed's source= filter compare it; two labels that differ are two
 * sides whatever their sources. */
static inline bool same_outlet(const struct claim_source *a, const struct claim_source *b) {
        if (a->label && b->label && strcmp(a->label, b->label) != 0)
                return false;
        if (!a->source || !b->source)
                return a->source == b->source;
        return strcmp(a->source, b->source) == 0;
}

struct conflict_result {
        enum conflict_kind kind;
        double score;           /* [0, 1] */
        char *explanation;      /* names speakers, sources and the words that clash */
};

/* Decides whether a and b cannot both be true.  Returns 1 and fills *ret
 * (free ret->explanation) when they conflict, 0 when they do not (including
 * when they are not about the same thing, or are from the same speaker in the
 * same source), or -ENOMEM. */
int conflict_check(const struct claim_source *a, const struct claim_source *b,
                   const struct conflict_options *o, struct conflict_result *ret);

const char *conflict_kind_to_string(enum conflict_kind k);
int conflict_kind_from_string(const char *s);       /* enum value or -EINVAL */

/* A claim prepared for checking (its words, stems, polarity), so that a
 * claim checked against many others is read once.  Borrows the claim. */
struct conflict_view;
struct segmented_text;
int conflict_view_new(const struct claim *c, struct conflict_view **ret);   /* 0 or -ENOMEM */

/* Where the extraction found a claim in its field's segmentation
 * (pipeline.c): the text is tokens [begin, end) without [gap_begin, gap_end)
 * (an attribution inside a split quote; none when equal), the cue tokens
 * [cue_begin, cue_end) (none when equal). */
struct claim_tokens {
        const struct segmented_text *st;
        size_t begin, end, gap_begin, gap_end, cue_begin, cue_end;
};
/* conflict_view_new() from the tokens the extraction already made, instead
 * of segmenting the claim's text and cue again (ICU word breaks, folding,
 * stemming: most of the cost of a view).  The view does not keep t.
 * Returns 0 or -ENOMEM. */
int conflict_view_from_tokens(const struct claim *c, const struct claim_tokens *t, struct conflict_view **ret);
void conflict_view_free(struct conflict_view *v);

/* conflict_check() on prepared views of a->claim and b->claim.  A view is
 * used by one thread at a time (it caches WordNet answers). */
int conflict_check_views(const struct claim_source *a, const struct claim_source *b,
                         struct conflict_view *va, struct conflict_view *vb,
                         const struct conflict_options *o, struct conflict_result *ret);

/* Why a pair is not a conflict: the rule of the check that said so, in the
 * order the check asks them (same thing? which clash? what score?). */
enum conflict_veto {
        CONFLICT_VETO_NONE,                 /* a conflict */
        CONFLICT_VETO_INVALID,              /* a claim or a view is missing */
        CONFLICT_VETO_SAME_VOICE,           /* same outlet and speaker */
        CONFLICT_VETO_NO_CONTENT,           /* a claim has no content word */
        CONFLICT_VETO_BOTH_UNTRUE,          /* two articles that both call the story untrue */
        /* 1) the same thing? */
        CONFLICT_VETO_NOTHING_SHARED,       /* no content word aligns */
        CONFLICT_VETO_LOW_OVERLAP,          /* too little aligns (or fewer than 2 words, or only names) */
        CONFLICT_VETO_VERDICT_FEW_SHARED,   /* a verdict's long lead shares too few words */
        CONFLICT_VETO_ENTITIES_DISJOINT,    /* both name people or organisations, none in common */
        /* 2) which clash? */
        CONFLICT_VETO_TITLE_VS_QUOTED,      /* a headline against a speaker quoted in an article */
        CONFLICT_VETO_TITLE_SIDES_UNTRUE,   /* a headline against the story, with an article calling it untrue */
        CONFLICT_VETO_ANTONYM_FLIPS_BACK,   /* opposite polarity undone by an antonym ("did not accept" = "rejected") */
        CONFLICT_VETO_NEGATION_SCOPES,      /* both negate something, neither denies: the scopes differ */
        CONFLICT_VETO_TITLE_REPORTS_DENIAL, /* a headline reporting someone's denial against an article's account */
        CONFLICT_VETO_KIND_OVERLAP,         /* too little aligns for the kind of clash found */
        CONFLICT_VETO_UNTRUE_NO_VALUES,     /* both say the story is untrue: none of its values are asserted */
        CONFLICT_VETO_NO_CLASH,             /* same polarity, no antonym, no clashing value */
        /* 3) what score? */
        CONFLICT_VETO_FRAMED_VS_REFUTATION, /* a report of a report against the outlet's refutation */
        CONFLICT_VETO_HEDGED_VS_OUTLET,     /* a hedged report against a headline's or verdict's "not so" */
        CONFLICT_VETO_LOW_SCORE,            /* scored under min_score */
        _CONFLICT_VETO_MAX,
};
const char *conflict_veto_to_string(enum conflict_veto v);   /* "low-overlap"; NULL when out of range */

/* conflict_check_views() that also says why not: returns 1 and fills *ret
 * as conflict_check_views(), 0 and fills *ret_veto (when not NULL) with the
 * rule that decided, or -ENOMEM. */
int conflict_check_views_why(const struct claim_source *a, const struct claim_source *b,
                             struct conflict_view *va, struct conflict_view *vb,
                             const struct conflict_options *o, struct conflict_result *ret,
                             enum conflict_veto *ret_veto);

/* 1 when the prepared claims va and vb are about the same thing (aligned as
 * conflict_check_views() aligns them, without WordNet) and say it with the
 * same polarity and no clashing number or date: one restates the other.  0
 * otherwise.  Used to tell an article that carries both accounts from one
 * that takes a side. */
int conflict_agree_views(struct conflict_view *va, struct conflict_view *vb, const struct conflict_options *o);
