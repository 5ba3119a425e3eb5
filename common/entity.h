/* People, organisations and places: capitalised spans plus gazetteers and
 * demonyms ("Russian" -> Russia), titles kept apart from names. */
#pragma once

#include "claim.h"
#include "segment.h"

struct entity_mention {
        int32_t start, end;     /* bytes */
        size_t tok_begin, tok_end;
        char *name;             /* canonical name */
        char kind;              /* as struct entity_ref */
};

/* Finds the entity mentions in tokens [tok_begin, tok_end) of st.
 * Returns 0 and fills *ret/*ret_n (free with entity_mentions_free), or -ENOMEM. */
int entities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                  struct entity_mention **ret, size_t *ret_n);
void entity_mentions_free(struct entity_mention *m, size_t n);
