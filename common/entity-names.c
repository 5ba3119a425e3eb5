/* Entity names across the mentions of a text and across sources: a short
 * name resolved to the person name that ends with it, and which names may
 * name the same entity. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "hash.h"
#include "name-suffix.h"

/* The distinct person names of two words or more, in the order first used,
 * with how often each is used. */
struct full_names {
        size_t *first;          /* per name: its first mention */
        size_t *count;
        size_t n;
        size_t *slots;          /* open addressing: name number + 1, 0 empty */
        size_t mask;
};

static void full_names_free(struct full_names *f) {
        free(f->first);
        free(f->count);
        free(f->slots);
}

/* Collects the full names of m[0..n).  Returns 0 or -ENOMEM. */
static int full_names_make(const struct entity_mention *m, size_t n, struct full_names *f) {
        size_t cap = 64;
        while (cap < 2 * n)
                cap *= 2;
        *f = (struct full_names) { .first = malloc((n + 1) * sizeof(size_t)), .count = malloc((n + 1) * sizeof(size_t)),
                                   .slots = calloc(cap, sizeof(size_t)), .mask = cap - 1 };
        if (!f->first || !f->count || !f->slots) {
                full_names_free(f);
                return -ENOMEM;
        }
        for (size_t k = 0; k < n; k++) {
                if (m[k].kind != 'P' || !strchr(m[k].name, ' '))
                        continue;
                size_t i = (size_t) hash_mix64(hash_fnv1a64(m[k].name, strlen(m[k].name))) & f->mask;
                while (f->slots[i] && strcmp(m[f->first[f->slots[i] - 1]].name, m[k].name) != 0)
                        i = (i + 1) & f->mask;
                if (!f->slots[i]) {
                        f->slots[i] = f->n + 1;
                        f->first[f->n] = k;
                        f->count[f->n++] = 0;
                }
                f->count[f->slots[i] - 1]++;
        }
        return 0;
}

struct best_arg {
        const struct full_names *names;
        size_t q;
};

/* Keeps for a part the full name used most (the first one on a tie). */
static void keep_most_used(struct name_suffix_slot *slot, void *arg) {
        const struct best_arg *b = arg;
        if (slot->value == NAME_SUFFIX_NONE || b->names->count[b->q] > b->names->count[slot->value])
                slot->value = b->q;
}

int entity_mentions_resolve(struct entity_mention *m, size_t n) {
        struct full_names names;
        struct name_suffixes parts = {};
        char **longer = calloc(n + 1, sizeof(*longer));
        int r = longer ? full_names_make(m, n, &names) : -ENOMEM;

        if (r < 0) {
                free(longer);
                return r;
        }
        for (size_t q = 0; q < names.n && r == 0; q++) {
                struct best_arg arg = { &names, q };
                r = name_suffixes_add(&parts, m[names.first[q]].name, keep_most_used, &arg);
        }
        /* a full name is itself replaced by the one it resolves to, to the
         * end of the chain ("Nieto" -> "Pena Nieto" -> "Enrique Pena
         * Nieto"): each step is a longer name, so chains end */
        size_t *final = r == 0 ? malloc((names.n + 1) * sizeof(*final)) : NULL;
        if (r == 0 && !final)
                r = -ENOMEM;
        for (size_t q = 0; r == 0 && q < names.n; q++)
                final[q] = NAME_SUFFIX_NONE;
        for (size_t q = 0; r == 0 && q < names.n; q++) {
                size_t t = q;
                for (size_t next; (next = name_suffixes_find(&parts, m[names.first[t]].name)) != NAME_SUFFIX_NONE;)
                        t = next;
                final[q] = t;
        }
        /* each decided on the names as found, then applied */
        for (size_t i = 0; i < n && r == 0 && names.n > 0; i++) {
                if (m[i].kind != 'M' && m[i].kind != 'P')
                        continue;
                size_t q = name_suffixes_find(&parts, m[i].name);
                if (q != NAME_SUFFIX_NONE && !(longer[i] = strdup(m[names.first[final[q]]].name)))
                        r = -ENOMEM;
        }
        free(final);
        for (size_t i = 0; i < n; i++) {
                if (!longer[i])
                        continue;
                if (r == 0) {
                        free(m[i].name);
                        m[i].name = longer[i];
                        m[i].kind = 'P';
                } else
                        free(longer[i]);
        }
        free(longer);
        name_suffixes_free(&parts);
        full_names_free(&names);
        return r;
}

/* The last word of a name, or the name itself. */
static const char *last_word(const char *name) {
        const char *sp = strrchr(name, ' ');
        return sp ? sp + 1 : name;
}

bool entity_names_match(const char *a, char kind_a, const char *b, char kind_b) {
        if (!a || !b)
                return false;
        if (strcmp(a, b) == 0)
                return true;
        /* "Lavrov" and "Sergey Lavrov": a lone word and a person's last name */
        bool pa = kind_a == 'P' || kind_a == 'M', pb = kind_b == 'P' || kind_b == 'M';
        if (!pa || !pb)
                return false;
        if (!strchr(a, ' ') && strchr(b, ' '))
                return strcmp(a, last_word(b)) == 0;
        if (!strchr(b, ' ') && strchr(a, ' '))
                return strcmp(b, last_word(a)) == 0;
        return false;
}
