/* How claimctl prints what claimd answers: one readable line per conflict
 * or event, or (--json) the object itself on one line. */
#pragma once

#include <stdio.h>

#include <jansson.h>

/* Prints j compactly on one line (--json output, NDJSON). */
void print_json_line(FILE *f, const json_t *j);

/* "#51 denial 0.91 open  cnn.com/Sergey Lavrov says "..." -- cnn.com/A senior
 * official denies "..."": the id, kind, score, review status, and each
 * claim's source, speaker, stance and (shortened) text. */
void print_conflict_line(FILE *f, const json_t *c);

/* "#4 "label": 3 articles, 2 sources, 1 conflict; FIRST .. LAST". */
void print_event_line(FILE *f, const json_t *e);

/* Copies at most max code points of s into buf (size bytes), cutting at a
 * character boundary and ending with "..." when it cut; returns buf. */
char *shorten(const char *s, size_t max, char *buf, size_t size);

/* s, or otherwise when s is NULL. */
static inline const char *str_or(const char *s, const char *otherwise) {
        return s ? s : otherwise;
}
