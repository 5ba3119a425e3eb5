/* The table of name parts of name-suffix.h: open addressing on FNV-1a. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "name-suffix.h"

void name_suffixes_free(struct name_suffixes *x) {
        free(x->slots);
        *x = (struct name_suffixes) {};
}

static struct name_suffix_slot *slot_of(const struct name_suffixes *x, const char *s, size_t len, uint64_t h) {
        size_t i = (size_t) hash_mix64(h) & x->mask;
        while (x->slots[i].s && !(x->slots[i].hash == h && x->slots[i].len == len && !memcmp(x->slots[i].s, s, len)))
                i = (i + 1) & x->mask;
        return &x->slots[i];
}

/* Makes room for one more part: the table stays at most half full. */
static int grow(struct name_suffixes *x) {
        if (x->slots && 2 * (x->n + 1) <= x->mask + 1)
                return 0;
        size_t cap = x->slots ? 2 * (x->mask + 1) : 64;
        struct name_suffixes y = { .slots = calloc(cap, sizeof(*y.slots)), .mask = cap - 1, .n = x->n };
        if (!y.slots)
                return -ENOMEM;
        for (size_t i = 0; x->slots && i <= x->mask; i++)
                if (x->slots[i].s)
                        *slot_of(&y, x->slots[i].s, x->slots[i].len, x->slots[i].hash) = x->slots[i];
        free(x->slots);
        *x = y;
        return 0;
}

int name_suffixes_add(struct name_suffixes *x, const char *name,
                      void (*visit)(struct name_suffix_slot *slot, void *arg), void *arg) {
        size_t len = strlen(name);
        /* a part follows a space or hyphen that is not the name's first byte */
        for (size_t j = 1; j + 1 < len; j++) {
                if (name[j] != ' ' && name[j] != '-')
                        continue;
                if (grow(x) < 0)
                        return -ENOMEM;
                const char *s = name + j + 1;
                uint64_t h = hash_fnv1a64(s, len - j - 1);
                struct name_suffix_slot *sl = slot_of(x, s, len - j - 1, h);
                if (!sl->s) {
                        *sl = (struct name_suffix_slot) { .s = s, .len = len - j - 1, .hash = h,
                                                          .value = NAME_SUFFIX_NONE };
                        x->n++;
                }
                visit(sl, arg);
        }
        return 0;
}

size_t name_suffixes_find(const struct name_suffixes *x, const char *name) {
        if (!x->slots)
                return NAME_SUFFIX_NONE;
        size_t len = strlen(name);
        const struct name_suffix_slot *sl = slot_of(x, name, len, hash_fnv1a64(name, len));
        return sl->s ? sl->value : NAME_SUFFIX_NONE;
}
