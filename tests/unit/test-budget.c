/* The work budget (common/budget.c) and the pipeline's use of it: a raised
 * cancellation flag and a passed deadline cut a run short with their
 * error, and nothing of the article comes back. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/budget.h"
#include "common/pipeline.h"
#include "tap.h"

int main(void) {
        atomic_bool cancel = false;
        struct work_budget b = { .cancel = &cancel };

        CHECK(work_budget_check() == 0, "no budget: go on");
        work_budget_enter(&b);
        CHECK(work_budget_check() == 0, "flag down: go on");
        atomic_store(&cancel, true);
        CHECK(work_budget_check() == -ECANCELED, "flag up: -ECANCELED");
        atomic_store(&cancel, false);
        b.deadline_usec = work_budget_now_usec() - 1;
        CHECK(work_budget_check() == -ETIME, "deadline passed: -ETIME");
        b.deadline_usec = work_budget_now_usec() + 60000000u;
        CHECK(work_budget_check() == 0, "deadline ahead: go on");
        work_budget_leave();
        b.deadline_usec = 1;
        CHECK(work_budget_check() == 0, "after leave: no budget");

        /* a long article, each sentence attributed */
        size_t n = 400;
        const char *s = "Mayor Lena Holt said the ferry would start in May. ";
        char *text = malloc(n * strlen(s) + 1);
        text[0] = 0;
        for (size_t i = 0; i < n; i++)
                strcat(text, s);
        struct extracted_article *a = NULL;
        struct article_input in = { .text = text };
        CHECK(pipeline_extract(&in, &a) == 0 && a && a->claims.n > 0, "no budget: extracted");
        extracted_article_free(a);
        a = NULL;

        b = (struct work_budget) { .cancel = &cancel };
        in.budget = &b;
        CHECK(pipeline_extract(&in, &a) == 0 && a, "a budget that holds: extracted");
        extracted_article_free(a);
        a = NULL;

        atomic_store(&cancel, true);
        CHECK(pipeline_extract(&in, &a) == -ECANCELED && !a, "cancelled: -ECANCELED, no article");
        atomic_store(&cancel, false);
        b.deadline_usec = work_budget_now_usec() - 1;
        CHECK(pipeline_extract(&in, &a) == -ETIME && !a, "past its deadline: -ETIME, no article");
        CHECK(work_budget_check() == 0, "the pipeline leaves the budget when it returns");

        free(text);
        return tap_done();
}
