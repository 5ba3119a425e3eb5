/* One article through the text pipeline: HTML -> text, segmentation,
 * attribution, entities, quantities, dates, claims, and the term vector used
 * for event grouping.  Pure: no I/O, no logging; safe to run on many threads. */
#pragma once

#include <stddef.h>
#include <time.h>

#include "budget.h"
#include "claim.h"
#include "conflict.h"
#include "termvec.h"

struct article_input {
        const char *title;      /* may be NULL */
        const char *text;       /* plain text, kept verbatim; NULL when html is given */
        const char *html;       /* raw HTML; NULL when text is given */
        time_t published;       /* UTC seconds, 0 when unknown */
        const struct work_budget *budget;       /* NULL: none; see budget.h */
};

struct extracted_article {
        char *title;            /* the title field as stored ("" when none) */
        char *text;             /* the text field as stored: the posted text, or what html_extract() gave */
        struct claim_list claims;   /* claims of both fields, title first */
        struct conflict_view **views;   /* views[i] of claims.items[i] (conflict.h), made from the
                                         * extraction's own tokens; they borrow the claims */
        struct termvec terms;   /* stems and entities with weights, for event grouping */
};

/* Runs the pipeline.  Returns 0 and fills *ret (free with
 * extracted_article_free), -EINVAL when the input is not valid UTF-8 or the
 * HTML holds no article text, -ENOMEM, or what in->budget's check returned
 * (-ECANCELED, -ETIME) when the run was cut short. */
int pipeline_extract(const struct article_input *in, struct extracted_article **ret);
void extracted_article_free(struct extracted_article *a);
