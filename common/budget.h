/* The budget of one unit of long work on the calling thread (one article
 * through the pipeline): a flag another thread raises to cancel it (at
 * shutdown) and a deadline (the most time one article may take).  The
 * pipeline enters the budget its caller gives (article_input.budget) for
 * the length of the run; its long loops ask work_budget_check() and stop
 * with the error it returns.  A thread-local, so that the loops deep inside
 * the stages need no extra parameter. */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

struct work_budget {
        const atomic_bool *cancel;      /* NULL: cannot be cancelled */
        uint64_t deadline_usec;         /* CLOCK_MONOTONIC microseconds; 0: none */
};

/* Makes b (NULL: none) the calling thread's budget until work_budget_leave(). */
void work_budget_enter(const struct work_budget *b);
void work_budget_leave(void);

/* 0 while the work may go on; -ECANCELED once the flag is raised, -ETIME
 * past the deadline.  Costs a clock read. */
int work_budget_check(void);

/* CLOCK_MONOTONIC now, in microseconds (for deadlines). */
uint64_t work_budget_now_usec(void);
