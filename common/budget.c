/* See budget.h. */
#include <errno.h>
#include <stddef.h>
#include <time.h>

#include "budget.h"

static _Thread_local const struct work_budget *current;

void work_budget_enter(const struct work_budget *b) {
        current = b;
}

void work_budget_leave(void) {
        current = NULL;
}

uint64_t work_budget_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int work_budget_check(void) {
        const struct work_budget *b = current;
        if (!b)
                return 0;
        if (b->cancel && atomic_load_explicit(b->cancel, memory_order_relaxed))
                return -ECANCELED;
        if (b->deadline_usec && work_budget_now_usec() > b->deadline_usec)
                return -ETIME;
        return 0;
}
