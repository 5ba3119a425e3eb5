/* Numbers with units and bounds: "over two hours", "at least 12 people",
 * "$2.5 billion", "40 percent". */
#pragma once

#include "claim.h"
#include "segment.h"

/* Finds quantities in tokens [tok_begin, tok_end) of st.  Spans in the result
 * are BYTE offsets (claim.c converts them).  Returns 0 and fills *ret/*ret_n
 * (free each with free(q.text), free(q.unit), then free(array)), or -ENOMEM. */
int quantities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                    struct quantity **ret, size_t *ret_n);
