#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"

struct claim *claim_list_push(struct claim_list *l) {
        if (l->n == l->allocated) {
                size_t na = l->allocated ? l->allocated * 2 : 16;
                struct claim *p = realloc(l->items, na * sizeof(*p));
                if (!p)
                        return NULL;
                l->items = p;
                l->allocated = na;
        }
        struct claim *c = &l->items[l->n++];
        memset(c, 0, sizeof(*c));
        c->span[0] = c->span[1] = -1;
        c->content_span[0] = c->content_span[1] = -1;
        c->speaker_span[0] = c->speaker_span[1] = -1;
        c->cue_span[0] = c->cue_span[1] = -1;
        return c;
}

void claim_clear(struct claim *c) {
        if (!c)
                return;
        free(c->text);
        free(c->speaker);
        free(c->cue);
        for (size_t i = 0; i < c->n_entities; i++)
                free(c->entities[i].name);
        free(c->entities);
        for (size_t i = 0; i < c->n_quantities; i++) {
                free(c->quantities[i].text);
                free(c->quantities[i].unit);
        }
        free(c->quantities);
        for (size_t i = 0; i < c->n_dates; i++) {
                free(c->dates[i].text);
                free(c->dates[i].value);
        }
        free(c->dates);
        free(c->terms);
        memset(c, 0, sizeof(*c));
}

void claim_list_clear(struct claim_list *l) {
        for (size_t i = 0; i < l->n; i++)
                claim_clear(&l->items[i]);
        free(l->items);
        memset(l, 0, sizeof(*l));
}

static const char *const stance_names[] = {
        [STANCE_ASSERTS] = "asserts",
        [STANCE_DENIES] = "denies",
        [STANCE_QUESTIONS] = "questions",
};

static const char *const bound_names[] = {
        [BOUND_EXACT] = "exact",
        [BOUND_ABOUT] = "about",
        [BOUND_MORE_THAN] = "more_than",
        [BOUND_LESS_THAN] = "less_than",
        [BOUND_AT_LEAST] = "at_least",
        [BOUND_AT_MOST] = "at_most",
};

/* Index of s in names[0..n), or -EINVAL. */
static int name_index(const char *const *names, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *claim_stance_to_string(enum claim_stance s) {
        return (unsigned) s < sizeof(stance_names) / sizeof(*stance_names) ? stance_names[s] : NULL;
}

int claim_stance_from_string(const char *s) {
        return name_index(stance_names, sizeof(stance_names) / sizeof(*stance_names), s);
}

const char *quantity_bound_to_string(enum quantity_bound b) {
        return (unsigned) b < sizeof(bound_names) / sizeof(*bound_names) ? bound_names[b] : NULL;
}

int quantity_bound_from_string(const char *s) {
        return name_index(bound_names, sizeof(bound_names) / sizeof(*bound_names), s);
}
