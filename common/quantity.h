/* Numbers with units and bounds: "over two hours", "at least 12 people",
 * "$2.5 billion", "40 percent". */
#pragma once

#include <stdbool.h>

#include "claim.h"
#include "segment.h"

/* Finds quantities in tokens [tok_begin, tok_end) of st.  Spans in the result
 * are BYTE offsets (claim.c converts them).  Returns 0 and fills *ret and *ret_n
 * (free with quantities_free), or -ENOMEM.
 *
 * A quantity is a number in digits or words ("12", "2,500", "2.5", "twelve",
 * "a dozen", "two and a half"), times any scale word ("billion", "bn"), with
 * the unit of a currency sign before it or of the words after it
 * (conf/lexicon/units.txt, normalized: "hour", "person", "death", "usd",
 * "percent"; else the singular of a plural noun right after it, "12 judges"
 * -> "judge"; NULL when none) and the bound of the words before it
 * (conf/lexicon/quantity-bounds.txt).  text is the whole phrase as written
 * ("over two hours").  Lone years (1900..2100 without a unit), days of the
 * month, clock times, ordinals and the numbers of names ("COVID-19") are not
 * quantities; a lone "one" or "a" without a unit is not either. */
int quantities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                    struct quantity **ret, size_t *ret_n);

/* Frees the texts and units of q[0..n) and the array. */
void quantities_free(struct quantity *q, size_t n);

/* True when a and b measure the same thing: the same unit (both NULL counts
 * as the same), or a count of people against a count of one kind of people
 * (person-units.txt).  Only comparable quantities can conflict. */
bool quantities_comparable(const struct quantity *a, const struct quantity *b);

/* True when a and b are comparable AND their values can both be true, given
 * their bounds and the rounding implied by how each is written: an exact
 * value v stands for v +- half its rounding step (12 -> [11.5, 12.5], 2.5 ->
 * [2.45, 2.55], 2500 -> [2450, 2550], 3 million -> +-50,000), "about" widens
 * that by 10% of v each side, "more than"/"at least" allow everything above v
 * (open/closed), "less than"/"at most" everything below.  So "at least 12" vs
 * 15, "12" vs "about 12.3" and "over two hours" vs "two and a half hours" are
 * compatible; "12" vs "40" is not.  A numeric conflict is
 * quantities_comparable() && !quantities_compatible(). */
bool quantities_compatible(const struct quantity *a, const struct quantity *b);
