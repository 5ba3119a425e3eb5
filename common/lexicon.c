#include <string.h>

#include "lexicon.h"
#include "lexicon-table.h"

/* Binary search over a sorted table; returns the entry or NULL. */
static const struct lexicon_entry *find(enum lexicon_id id, const char *word, size_t len) {
        if ((unsigned) id >= _LEXICON_MAX || !word)
                return NULL;
        const struct lexicon_table *t = &lexicon_tables[id];
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const char *k = t->entries[mid].key;
                int c = strncmp(k, word, len);
                if (c == 0 && k[len] != '\0')
                        c = 1;  /* k is longer than word: k sorts after it */
                if (c == 0)
                        return &t->entries[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

bool lexicon_contains_n(enum lexicon_id id, const char *word, size_t len) {
        return find(id, word, len) != NULL;
}

bool lexicon_contains(enum lexicon_id id, const char *word) {
        return word && find(id, word, strlen(word)) != NULL;
}

const char *lexicon_lookup(enum lexicon_id id, const char *key) {
        const struct lexicon_entry *e = key ? find(id, key, strlen(key)) : NULL;
        return e ? e->value : NULL;
}
