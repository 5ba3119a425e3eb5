/* Which of n byte spans [start, end) hold a given stretch of text.
 *
 * Attribution asks, for each of its n spans, which other spans run over a
 * point or a stretch ("which contents hold this cue"): a walk over all spans
 * each time costs n * n, which a long article of many attributions makes
 * seconds.  The index answers in O((hits + 1) log n): spans sorted by start,
 * a tree of the largest end over each run of them.  Starts are fixed when the
 * index is made; an end may change afterwards (span_index_set_end()). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct span_index {
        size_t n;               /* spans */
        size_t leaves;          /* a power of two >= n */
        size_t *order;          /* span numbers sorted by start (ties: by number) */
        int32_t *starts;        /* starts in that order */
        size_t *place;          /* per span, its place in order */
        int32_t *max_end;       /* 2 * leaves: [leaves + p] the end of order[p]; above, the larger child */
        size_t *hits;           /* room for n answers of span_index_holding() */
};

/* Indexes spans [starts[i], ends[i]) for i < n.  Returns 0 and fills *ret
 * (free with span_index_free()), or -ENOMEM. */
int span_index_make(const int32_t *starts, const int32_t *ends, size_t n, struct span_index *ret);
void span_index_free(struct span_index *x);

/* Sets span i's end. */
void span_index_set_end(struct span_index *x, size_t i, int32_t end);

/* The spans that start before start_below and end after end_above, in the
 * order of their starts: returns their number and points *ret at them
 * (valid until the next call). */
size_t span_index_holding(struct span_index *x, int32_t start_below, int32_t end_above, const size_t **ret);
