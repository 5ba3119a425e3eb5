/* Dates in news prose resolved against the publication time: "Friday",
 * "Thursday", "earlier this year", "July 7", "2016", "last month". */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "claim.h"
#include "segment.h"

/* Finds date expressions in tokens [tok_begin, tok_end) of st and resolves
 * them against published (UTC seconds; 0 = unknown, leaves relative dates
 * unresolved).  Spans are BYTE offsets.  Returns 0 and fills *ret and *ret_n
 * (free with claim_dates_free), or -ENOMEM.
 *
 * value is "YYYY-MM-DD", "YYYY-MM" or "YYYY" by precision, NULL when
 * unresolved.  Conventions (news): a bare weekday is the most recent such day
 * on or before publication ("Friday" published on a Friday is that day),
 * "last Friday" strictly before, "next/this Friday" on or after; "July 7"
 * without a year takes the year that puts it closest to publication; a bare
 * month ("in March") is the most recent such month on or before publication
 * unless it comes one to three months after it ("in November" published in
 * September is the coming November), "last March" strictly before, "next
 * March" strictly after; "last week" and
 * "this week" resolve to the month they fall in ("YYYY-MM"); "last night" is
 * the day before; "earlier/later this year" is the year. */
int dates_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
               time_t published, struct claim_date **ret, size_t *ret_n);

/* Frees n dates and the array. */
void claim_dates_free(struct claim_date *d, size_t n);

/* True unless both dates are resolved and cannot name the same time: one
 * value must be a prefix of the other at a component boundary ("2017" vs
 * "2017-07-07" and "2017-07" vs "2017-07-06" are compatible, "2017-07-06" vs
 * "2017-07-07" are not).  An unresolved date (value NULL) is compatible with
 * anything.  A date conflict needs two claims about the same event. */
bool dates_compatible(const struct claim_date *a, const struct claim_date *b);
