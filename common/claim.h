/* A claim: one assertion found in an article (API.md, CLAIM).  All spans here
 * are CODE POINT offsets into the field named by `field`, as the API returns
 * them; -1 marks "no span". */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum claim_field { CLAIM_FIELD_TITLE, CLAIM_FIELD_TEXT };
enum claim_stance { STANCE_ASSERTS, STANCE_DENIES, STANCE_QUESTIONS };

enum quantity_bound {
        BOUND_EXACT,            /* "12 people" */
        BOUND_ABOUT,            /* "about 12", "nearly", "roughly", "some" */
        BOUND_MORE_THAN,        /* "over two hours", "more than" */
        BOUND_LESS_THAN,        /* "under", "less than", "fewer than" */
        BOUND_AT_LEAST,         /* "at least", "no fewer than" */
        BOUND_AT_MOST,          /* "at most", "up to", "no more than" */
};

struct quantity {
        char *text;             /* as written: "over two hours" */
        double value;           /* 2 */
        char *unit;             /* normalized singular: "hour", "person", "usd", "percent"; NULL if none */
        enum quantity_bound bound;
        int32_t start, end;     /* code points in the field */
};

struct claim_date {
        char *text;             /* as written: "Friday" */
        char *value;            /* resolved: "2017-07-07", "2017-07", "2017"; NULL when unresolved */
        int32_t start, end;
};

struct entity_ref {
        char *name;             /* canonical: "Sergey Lavrov", "Russia" */
        char kind;              /* 'P' person, 'O' organisation, 'L' place, 'M' misc/unknown */
};

struct claim {
        enum claim_field field;
        int32_t span[2];        /* the sentence (or quote) it comes from */
        char *text;             /* the content */
        int32_t content_span[2];/* where text stands in the field, or -1,-1 */
        char *speaker;          /* resolved name with role kept; NULL: the outlet's own claim */
        int32_t speaker_span[2];/* the mention in this field, or -1,-1 */
        char *cue;              /* "said", "according to", "denied"; NULL if none */
        int32_t cue_span[2];
        enum claim_stance stance;
        bool negated;           /* text itself is negated */
        bool hedged;            /* may / could / reportedly / allegedly ... */
        struct entity_ref *entities;
        size_t n_entities;
        struct quantity *quantities;
        size_t n_quantities;
        struct claim_date *dates;
        size_t n_dates;
        char *terms;            /* content stems, space separated, for FTS5 and matching */
};

struct claim_list {
        struct claim *items;
        size_t n, allocated;
};

/* Appends a zeroed claim (spans set to -1) and returns it, or NULL on ENOMEM. */
struct claim *claim_list_push(struct claim_list *l);
void claim_clear(struct claim *c);
void claim_list_clear(struct claim_list *l);

const char *claim_stance_to_string(enum claim_stance s);
int claim_stance_from_string(const char *s);        /* enum value or -EINVAL */
const char *quantity_bound_to_string(enum quantity_bound b);
int quantity_bound_from_string(const char *s);      /* enum value or -EINVAL */
