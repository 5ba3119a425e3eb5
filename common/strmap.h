/* A map from strings to 64-bit integers: open addressing with linear
 * probing, the caller's 64-bit hash of each key kept beside it (compared
 * before the string), keys copied.  Entries are addressed by slot index,
 * which stays valid until the map grows or is cleared; both bump gen, so a
 * caller that keeps slot indices can tell when they went stale. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define STRMAP_NONE SIZE_MAX

struct strmap_entry {
        char *key;              /* NULL: empty slot */
        uint64_t hash;
        int64_t value;
};

struct strmap {
        struct strmap_entry *slots;
        size_t n, cap;          /* cap: 0 or a power of two */
        uint64_t gen;
};

/* The hash strmap callers use unless they have their own: FNV-1a 64 of key,
 * mixed (equal to termvec_term_hash()). */
uint64_t strmap_hash(const char *key);

/* The slot of key (hash h), or STRMAP_NONE. */
size_t strmap_find(const struct strmap *m, const char *key, uint64_t h);

/* Inserts key (copied) with value, or finds it; fills *ret_slot.  Returns
 * 1 when inserted, 0 when the key was there (its value untouched), or
 * -ENOMEM.  May grow the map (gen changes). */
int strmap_put(struct strmap *m, const char *key, uint64_t h, int64_t value, size_t *ret_slot);

/* Frees every key and the slots; the map is empty and usable (gen changes). */
void strmap_clear(struct strmap *m);
