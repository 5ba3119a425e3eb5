/* The shape of the generated word-list tables; only lexicon.c, the
 * generated lexicon-data.c and the lexicon unit test include this. */
#pragma once

#include <stddef.h>

#include "lexicon-data.h"

struct lexicon_entry {
        const char *key;        /* lower case; may hold spaces for phrases */
        const char *value;      /* NULL for plain lists */
};

struct lexicon_table {
        const struct lexicon_entry *entries;   /* sorted by strcmp() on key */
        size_t n;
};

extern const struct lexicon_table lexicon_tables[_LEXICON_MAX];
