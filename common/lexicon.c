#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lexicon.h"
#include "lexicon-table.h"

/* Lookups are on every token of every sentence (is it a reporting verb, a
 * hedge, a title ...?) and most of them miss, so each table gets an
 * open-addressing hash index, built once on first use: a lookup is one
 * hash and, on a miss, usually no string comparison.  Should building it
 * fail (out of memory), lookups binary-search the sorted table as before. */
struct lexicon_index {
        uint32_t *slots;        /* entry index + 1; 0: empty */
        uint32_t *hashes;       /* hash of the slot's key */
        size_t mask;
};

_Static_assert(_LEXICON_MAX <= 64, "struct lexicon_sets holds one bit per list");

/* The words of all lists in one table: each distinct word that is an entry
 * or an entry's first word, with the lists that hold it and the lists it
 * may begin (struct lexicon_sets).  A phrase scan asks whether a token may
 * begin an entry before it builds longer phrases: this table answers. */
struct word_slot {
        const char *word;       /* an entry's key: its first len bytes */
        uint32_t len;
        uint32_t hash;
        struct lexicon_sets sets;
};

static struct lexicon_index indexes[_LEXICON_MAX];
static struct word_slot *words;
static size_t words_mask;
static bool indexed;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static uint32_t hash_n(const char *s, size_t len) {
        uint32_t h = hash_fnv1a32(s, len);
        return h ^ (h >> 15);
}

/* Length of the first word of an entry's key (up to its first space). */
static size_t head_length(const char *key) {
        return strcspn(key, " ");
}

static void free_indexes(void) {
        free(words);
        words = NULL;
        for (int k = 0; k < _LEXICON_MAX; k++) {
                free(indexes[k].slots);
                free(indexes[k].hashes);
                indexes[k] = (struct lexicon_index) {};
        }
}

/* The slot of word[0..len) (hash h) in the word table: its own or the
 * empty one where it goes. */
static struct word_slot *word_slot(const char *word, size_t len, uint32_t h) {
        size_t s = h & words_mask;
        while (words[s].word && (words[s].hash != h || words[s].len != len || memcmp(words[s].word, word, len) != 0))
                s = (s + 1) & words_mask;
        return &words[s];
}

/* The sets of word[0..len) in the word table (none when it is absent);
 * the table must be built. */
static struct lexicon_sets table_sets(const char *word, size_t len) {
        const struct word_slot *w = word_slot(word, len, hash_n(word, len));
        return w->word ? w->sets : (struct lexicon_sets) {};
}

static bool build_word_table(void) {
        size_t total = 0, cap = 16;
        for (int id = 0; id < _LEXICON_MAX; id++)
                total += lexicon_tables[id].n;
        while (cap < total * 2 + 1)
                cap *= 2;
        words = calloc(cap, sizeof(*words));
        if (!words)
                return false;
        words_mask = cap - 1;
        for (int id = 0; id < _LEXICON_MAX; id++) {
                const struct lexicon_table *t = &lexicon_tables[id];
                for (size_t i = 0; i < t->n; i++) {
                        const char *k = t->entries[i].key;
                        size_t hl = head_length(k);
                        uint32_t h = hash_n(k, hl);
                        struct word_slot *w = word_slot(k, hl, h);
                        if (!w->word)
                                *w = (struct word_slot) { .word = k, .len = (uint32_t) hl, .hash = h };
                        w->sets.heads |= UINT64_C(1) << id;
                        if (k[hl] == '\0')
                                w->sets.in |= UINT64_C(1) << id;
                }
        }
        return true;
}

static void build_indexes(void) {
        if (!build_word_table()) {
                free_indexes();
                return;
        }
        for (int id = 0; id < _LEXICON_MAX; id++) {
                const struct lexicon_table *t = &lexicon_tables[id];
                struct lexicon_index *x = &indexes[id];
                size_t cap = 16;
                while (cap < t->n * 2 + 1)
                        cap *= 2;
                x->slots = calloc(cap, sizeof(*x->slots));
                x->hashes = calloc(cap, sizeof(*x->hashes));
                if (!x->slots || !x->hashes) {
                        free_indexes();
                        return;
                }
                x->mask = cap - 1;
                for (size_t i = 0; i < t->n; i++) {
                        const char *k = t->entries[i].key;
                        uint32_t h = hash_n(k, strlen(k));
                        size_t s = h & x->mask;
                        while (x->slots[s])
                                s = (s + 1) & x->mask;
                        x->slots[s] = (uint32_t) i + 1;
                        x->hashes[s] = h;
                }
        }
        indexed = true;
}

/* Does key k begin with s[0..n) followed by the byte next ('\0': is k
 * s[0..n))? */
static bool key_is(const char *k, const char *s, size_t n, char next) {
        return strncmp(k, s, n) == 0 && k[n] == next;
}

/* The index of the first key of the sorted table (sorted by bytes,
 * gen-lexicon.py) not below s[0..n) followed by the byte next: with next
 * '\0' where the key s[0..n) is or would be, with ' ' the first key that
 * may continue the phrase s[0..n). */
static size_t lower_bound(const struct lexicon_table *t, const char *s, size_t n, char next) {
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const char *k = t->entries[mid].key;
                int c = strncmp(k, s, n);
                if (c == 0)
                        c = (int) (unsigned char) k[n] - (int) (unsigned char) next;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* Binary search over a sorted table; returns the entry or NULL. */
static const struct lexicon_entry *bsearch_entry(const struct lexicon_table *t, const char *word, size_t len) {
        size_t i = lower_bound(t, word, len, '\0');
        return i < t->n && key_is(t->entries[i].key, word, len, '\0') ? &t->entries[i] : NULL;
}

/* The entry whose key is the first len bytes of word, or NULL. */
static const struct lexicon_entry *find(enum lexicon_id id, const char *word, size_t len) {
        if ((unsigned) id >= _LEXICON_MAX || !word)
                return NULL;
        const struct lexicon_table *t = &lexicon_tables[id];
        pthread_once(&index_once, build_indexes);
        if (!indexed)
                return bsearch_entry(t, word, len);
        const struct lexicon_index *x = &indexes[id];
        uint32_t h = hash_n(word, len);
        for (size_t s = h & x->mask; x->slots[s]; s = (s + 1) & x->mask) {
                if (x->hashes[s] != h)
                        continue;
                const struct lexicon_entry *e = &t->entries[x->slots[s] - 1];
                if (key_is(e->key, word, len, '\0'))
                        return e;
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

bool lexicon_entry(enum lexicon_id id, size_t i, const char **ret_key, const char **ret_value) {
        if ((unsigned) id >= _LEXICON_MAX || i >= lexicon_tables[id].n)
                return false;
        *ret_key = lexicon_tables[id].entries[i].key;
        *ret_value = lexicon_tables[id].entries[i].value;
        return true;
}

bool lexicon_starts_entry(enum lexicon_id id, const char *word) {
        return word && lexicon_starts_entry_n(id, word, strlen(word));
}

bool lexicon_starts_entry_n(enum lexicon_id id, const char *word, size_t len) {
        if ((unsigned) id >= _LEXICON_MAX || !word)
                return false;
        pthread_once(&index_once, build_indexes);
        if (!indexed)
                return true;    /* no index: the caller's full lookups decide */
        return lexicon_set_has(table_sets(word, len).heads, id);
}

bool lexicon_extends(enum lexicon_id id, const char *phrase) {
        if ((unsigned) id >= _LEXICON_MAX || !phrase)
                return false;
        const struct lexicon_table *t = &lexicon_tables[id];
        size_t n = strlen(phrase), i = lower_bound(t, phrase, n, ' ');
        return i < t->n && key_is(t->entries[i].key, phrase, n, ' ');
}

bool lexicon_starts_phrase(enum lexicon_id id, const char *phrase) {
        if (!phrase)
                return false;
        size_t n = strcspn(phrase, " ");
        return n == 0 || lexicon_starts_entry_n(id, phrase, n);
}

struct lexicon_sets lexicon_word_sets(const char *word, size_t len) {
        struct lexicon_sets sets = {};
        if (!word)
                return sets;
        pthread_once(&index_once, build_indexes);
        if (indexed && !memchr(word, ' ', len))
                return table_sets(word, len);
        /* no index (out of memory) or not a single word: list by list */
        for (int id = 0; id < _LEXICON_MAX; id++) {
                if (find(id, word, len))
                        sets.in |= UINT64_C(1) << id;
                if (lexicon_starts_entry_n(id, word, len))
                        sets.heads |= UINT64_C(1) << id;
        }
        return sets;
}
