/* Article-level stance: a news text that calls the story it reports untrue
 * in its own lead ("The photos are fake", "Reports that X are false", "It's a
 * hoax") takes the side against that story, whoever else it quotes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "segment.h"

/* The first sentences of a text (of at least a few words) searched for the
 * verdict: it stands in the lead.  Measured on the Emergent articles: a
 * verdict word in the first 3 such sentences marks an article against its
 * claim in 83% of cases (44% of those articles have one); in the first 4,
 * 84% and 46%; in the first 6, 80% and 51%.  Searching 8 sentences: on the
 * whole FNC-1 set disagree F1 0.271 -> 0.277 only, Emergent conflict
 * precision 0.586 -> 0.523. */
#define STANCE_VERDICT_SENTENCES 3

/* The story a verdict refutes is told in this many such sentences from the
 * lead's start (or up to the verdict, when that is later): the verdict's
 * claim needs the story's words to match the headlines and claims that tell
 * it, and a debunk's first sentences are often a hook ("It was the tale
 * that scared everyone.").  The search stays at 3 sentences (above).  Whole
 * FNC-1 set (49,972 pairs) disagree F1 0.271 (3), 0.293 (6), 0.303 (9);
 * Emergent conflict precision 0.586, 0.596, 0.622, claim recall 0.562,
 * 0.604, 0.625; FNC-1 first 3,000 pairs 0.391, 0.378, 0.378. */
#define STANCE_LEAD_SENTENCES 9

struct story_verdict {
        size_t sentence;                /* the sentence holding the verdict */
        size_t cue_begin, cue_end;      /* its tokens ("a hoax", "not true") */
        size_t lead_begin, lead_end;    /* the lead's sentences [lead_begin, lead_end): the
                                         * story refuted is told there, before or after the
                                         * verdict ("Fake news. A priest who ...") */
        bool hedged;                    /* "may be fake", "might not be accurate" */
};

/* Looks for the first verdict on the story in the lead of st: a phrase of
 * conf/lexicon/verdicts.txt or lead-verdicts.txt outside quotations of more than a few words, not
 * negated ("is not fake"), in a sentence that is not a question.  Returns 1
 * and fills *ret when found, 0 when not. */
int story_verdict_find(const struct segmented_text *st, struct story_verdict *ret);

/* Length in tokens of the verdict phrase starting at token i of st (words
 * only, none past token end), or 0.  Words of verdict-fillers.txt may stand
 * inside it ("not a completely accurate account" reads "not accurate"). */
size_t story_verdict_at(const struct segmented_text *st, size_t i, size_t end);

/* True when st holds a verdict phrase anywhere, not negated, quoted or not:
 * the text gives the refutation of its story a voice. */
bool stance_text_refutes(const struct segmented_text *st);

/* Added to the terms of every claim of an article that gives a verdict on
 * its story or a denial of it a voice anywhere (its own verdict, a reported
 * "X denied reports that ...", a quoted "it's fake"; pipeline.c): claims are
 * stored and matched one by one, and this is how a claim read back from the
 * store still tells that its article gives the refutation a voice.  Two
 * such articles are on one side (conflict.c). */
#define STANCE_UNTRUE_TERM "S:untrue"

/* True when the space separated terms hold STANCE_UNTRUE_TERM. */
bool stance_terms_untrue(const char *terms);
