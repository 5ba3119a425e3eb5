/* Attribution: who said (or believes) what.  Finds speaker, cue and content
 * for reported speech and thought in the common shapes of news prose, and
 * resolves speakers within the article ("Russian Foreign Minister Sergey
 * Lavrov", "Lavrov", a following "he" are one person). */
#pragma once

#include "claim.h"
#include "segment.h"

struct attribution {
        int32_t content_start, content_end;     /* bytes; the reported content */
        int32_t span_start, span_end;           /* bytes; the sentence(s) or quote it comes from */
        int32_t speaker_start, speaker_end;     /* bytes; the speaker mention, or -1 */
        char *speaker;                          /* resolved name with role kept; NULL if none */
        int32_t cue_start, cue_end;             /* bytes; the cue, or -1; a neg-raising verb's cue
                                                 * starts at its negation ("did not plan", "Nor did
                                                 * she plan"): the content is what the speaker holds
                                                 * not to be so */
        enum claim_stance stance;               /* denies for "denied that", "rejected" ... */
        int32_t gap_start, gap_end;             /* bytes; the attribution inside a split quote
                                                 * ("A," he said, "B."), left out of the content; -1 if none */
};

/* Finds the attributions in st.  Returns 0 and fills *ret and *ret_n (free with
 * attributions_free), or -ENOMEM. */
int attributions_find(const struct segmented_text *st, struct attribution **ret, size_t *ret_n);
void attributions_free(struct attribution *a, size_t n);
