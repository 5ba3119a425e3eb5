/* See strmap.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strmap.h"

uint64_t strmap_hash(const char *key) {
        return hash_mix64(hash_fnv1a64(key, strlen(key)));
}

/* The slot of key, or the empty slot where it would go (cap > 0). */
static size_t slot_of(const struct strmap *m, const char *key, uint64_t h) {
        size_t mask = m->cap - 1, i = (size_t) h & mask;
        while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
                i = (i + 1) & mask;
        return i;
}

size_t strmap_find(const struct strmap *m, const char *key, uint64_t h) {
        if (m->cap == 0)
                return STRMAP_NONE;
        size_t i = slot_of(m, key, h);
        return m->slots[i].key ? i : STRMAP_NONE;
}

static int grow(struct strmap *m) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        struct strmap_entry *old = m->slots;
        size_t ocap = m->cap;
        struct strmap_entry *n = calloc(ncap, sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->slots = n;
        m->cap = ncap;
        m->gen++;
        for (size_t i = 0; i < ocap; i++)
                if (old[i].key)
                        m->slots[slot_of(m, old[i].key, old[i].hash)] = old[i];
        free(old);
        return 0;
}

int strmap_put(struct strmap *m, const char *key, uint64_t h, int64_t value, size_t *ret_slot) {
        if (m->cap) {
                size_t i = slot_of(m, key, h);
                if (m->slots[i].key) {
                        *ret_slot = i;
                        return 0;
                }
        }
        /* at most half full: probes stay short */
        if ((m->n + 1) * 2 > m->cap) {
                int r = grow(m);
                if (r < 0)
                        return r;
        }
        size_t i = slot_of(m, key, h);
        char *k = strdup(key);
        if (!k)
                return -ENOMEM;
        m->slots[i] = (struct strmap_entry) { k, h, value };
        m->n++;
        *ret_slot = i;
        return 1;
}

void strmap_clear(struct strmap *m) {
        for (size_t i = 0; i < m->cap; i++)
                free(m->slots[i].key);
        free(m->slots);
        m->slots = NULL;
        m->n = m->cap = 0;
        m->gen++;
}
