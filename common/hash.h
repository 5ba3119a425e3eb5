/* FNV-1a, the one string hash of claimd's in-memory tables (lexicon
 * indexes, WordNet caches, word forms, the writer's caches), and a
 * finalizer for tables that index by the low bits.  The 64-bit values also
 * key stored data (an article's content hash in the store), so they must
 * never change. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A32_BASIS 2166136261u
#define HASH_FNV1A64_BASIS 0xcbf29ce484222325ULL

/* The 32-bit FNV-1a hash of n bytes. */
static inline uint32_t hash_fnv1a32(const void *data, size_t n) {
        const unsigned char *p = data;
        uint32_t h = HASH_FNV1A32_BASIS;
        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 16777619u;
        return h;
}

/* Continues the 64-bit FNV-1a state h (HASH_FNV1A64_BASIS to start) over n
 * bytes: callers hash several fields into one value. */
static inline uint64_t hash_fnv1a64_update(uint64_t h, const void *data, size_t n) {
        const unsigned char *p = data;
        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        return h;
}

/* The 64-bit FNV-1a hash of n bytes. */
static inline uint64_t hash_fnv1a64(const void *data, size_t n) {
        return hash_fnv1a64_update(HASH_FNV1A64_BASIS, data, n);
}

/* splitmix64's finalizer: spreads the bits of an FNV state, whose low bits
 * alone make a poor table index. */
static inline uint64_t hash_mix64(uint64_t x) {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 31;
        return x;
}
