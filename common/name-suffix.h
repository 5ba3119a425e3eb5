/* The word-final parts of a set of names, as a table: "Pena Nieto" and
 * "Nieto" of "Enrique Pena Nieto", "Baghdadi" of "Abu Bakr al-Baghdadi".
 *
 * Entity resolution asks, for each short name, which longer names end with
 * its words; a walk over every longer name for each short one costs n * n
 * in a long text of many names.  The table holds each part that follows a
 * space or a hyphen inside a name (never the whole name), with a number the
 * caller chooses, and answers in O(1). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define NAME_SUFFIX_NONE SIZE_MAX

struct name_suffix_slot {
        const char *s;          /* borrowed from the name added; NULL: empty */
        size_t len;
        uint64_t hash;
        size_t value;
};

struct name_suffixes {
        struct name_suffix_slot *slots;
        size_t mask, n;
};

void name_suffixes_free(struct name_suffixes *x);

/* Adds the parts of name (which must outlive x) and calls visit(slot, arg)
 * for each: a new part's value is NAME_SUFFIX_NONE, which visit may set.
 * Returns 0 or -ENOMEM. */
int name_suffixes_add(struct name_suffixes *x, const char *name,
                      void (*visit)(struct name_suffix_slot *slot, void *arg), void *arg);

/* The value of the part equal to name, or NAME_SUFFIX_NONE. */
size_t name_suffixes_find(const struct name_suffixes *x, const char *name);
