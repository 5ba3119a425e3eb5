/* Dates in news prose resolved against the publication time: "Friday",
 * "Thursday", "earlier this year", "July 7", "2016", "last month". */
#pragma once

#include <time.h>

#include "claim.h"
#include "segment.h"

/* Finds date expressions in tokens [tok_begin, tok_end) of st and resolves
 * them against published (UTC seconds; 0 = unknown, leaves relative dates
 * unresolved).  Spans are BYTE offsets.  Returns 0 and fills *ret/*ret_n, or
 * -ENOMEM. */
int dates_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
               time_t published, struct claim_date **ret, size_t *ret_n);
