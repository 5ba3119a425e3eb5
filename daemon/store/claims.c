/* Stored claims: the keys they are indexed under, and the writer's cache of
 * stored claims parsed and with their conflict views. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/claim-json.h"
#include "common/hash.h"
#include "store-internal.h"

/* The keys a claim is indexed under, as the df table spells them: its stems,
 * and "E:" + the name of each entity; duplicates dropped, at most 64.
 * Fills *ret (free each and the array) and *ret_n; 0 or -ENOMEM. */
int claim_keys(const struct claim *c, char ***ret, size_t *ret_n) {
        char **k = calloc(64, sizeof(*k));
        size_t n = 0;
        const char *p = c->terms ? c->terms : "";

        if (!k)
                return -ENOMEM;
        while (*p && n < 64) {
                while (*p == ' ')
                        p++;
                const char *end = p;
                while (*end && *end != ' ')
                        end++;
                if (end == p)
                        break;
                char *key = strndup(p, (size_t) (end - p));
                p = end;
                if (!key)
                        goto oom;
                bool dup = false;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = strcmp(k[i], key) == 0;
                if (dup)
                        free(key);
                else
                        k[n++] = key;
        }
        for (size_t i = 0; i < c->n_entities && n < 64; i++) {
                const char *name = c->entities[i].name;
                char *key;
                if (!name || !name[0])
                        continue;
                if (asprintf(&key, "E:%s", name) < 0)
                        goto oom;
                bool dup = false;
                for (size_t j = 0; j < n && !dup; j++)
                        dup = strcmp(k[j], key) == 0;
                if (dup)
                        free(key);
                else
                        k[n++] = key;
        }
        *ret = k;
        *ret_n = n;
        return 0;
oom:
        for (size_t i = 0; i < n; i++)
                free(k[i]);
        free(k);
        return -ENOMEM;
}

void keys_free(char **k, size_t n) {
        for (size_t i = 0; k && i < n; i++)
                free(k[i]);
        free(k);
}

/* The FTS document of a claim: its keys as tokens. */
char *claim_fts_terms(char *const *keys, size_t n) {
        struct strbuf b = {};
        for (size_t i = 0; i < n; i++) {
                if (i)
                        sb_append(&b, " ");
                sb_append_token(&b, keys[i]);
        }
        return sb_steal(&b);
}

/* ---- stored claims prepared for matching ----
 *
 * The writer keeps the stored claims it retrieved as candidates, parsed and
 * with their conflict views (segmented text, WordNet answers), in a bounded
 * LRU cache keyed by claim id: a claim retrieved by many later articles of
 * its event is read from JSON and segmented once instead of once per
 * article.  The cache only holds what the writer's transaction sees; it is
 * dropped whenever a transaction or savepoint is rolled back (claim ids may
 * then be reused) and after expiry.
 *
 * Claims whose stored data is the same byte for byte (an article syndicated
 * by many outlets, each copy with its own claim ids) share one parsed claim
 * and one conflict view: a copy is read, parsed and segmented once. */

#define PARSED_BUCKETS 16384

/* Drops a reference to p; the last one unchains and frees it. */
static void parsed_claim_release(struct claim_cache *cc, struct parsed_claim *p) {
        if (!p || --p->refs > 0)
                return;
        if (cc->parsed) {
                struct parsed_claim **pp = &cc->parsed[p->hash[0] % PARSED_BUCKETS];
                while (*pp && *pp != p)
                        pp = &(*pp)->next;
                if (*pp)
                        *pp = p->next;
        }
        conflict_view_free(p->view);
        claim_clear(&p->claim);
        free(p);
}

/* The parsed claim of stored data `data`: shared with another cached claim
 * of the same data, else parsed now and chained.  Returns 0 and *ret (one
 * more reference), or -ENOMEM.  Unreadable data gives an empty claim. */
static int parsed_claim_get(struct claim_cache *cc, const char *data, struct parsed_claim **ret) {
        size_t n = strlen(data);
        uint64_t h0 = hash_fnv1a64(data, n), h1 = hash_fnv1a64_update(0x84222325cbf29ce4ULL, data, n);

        if (!cc->parsed && !(cc->parsed = calloc(PARSED_BUCKETS, sizeof(*cc->parsed))))
                return -ENOMEM;
        for (struct parsed_claim *p = cc->parsed[h0 % PARSED_BUCKETS]; p; p = p->next)
                if (p->hash[0] == h0 && p->hash[1] == h1) {
                        p->refs++;
                        *ret = p;
                        return 0;
                }
        struct parsed_claim *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        json_t *o = json_loads(data, 0, NULL);
        int r = o ? claim_from_json(o, &p->claim) : -EINVAL;
        json_decref(o);
        if (r == -ENOMEM) {
                free(p);
                return r;
        }
        if (r < 0) {
                claim_clear(&p->claim);
                memset(&p->claim, 0, sizeof(p->claim));
                p->unreadable = true;
        }
        p->hash[0] = h0;
        p->hash[1] = h1;
        p->refs = 1;
        p->next = cc->parsed[h0 % PARSED_BUCKETS];
        cc->parsed[h0 % PARSED_BUCKETS] = p;
        *ret = p;
        return 0;
}

static void cached_claim_free(struct claim_cache *cc, struct cached_claim *c) {
        if (!c)
                return;
        parsed_claim_release(cc, c->parsed);
        free(c->source);
        free(c);
}

static size_t cc_home(const struct claim_cache *cc, int64_t id) {
        return (size_t) hash_mix64((uint64_t) id) & (cc->cap - 1);
}

/* The slot holding id, or the empty slot where it would go. */
static size_t cc_slot(const struct claim_cache *cc, int64_t id) {
        size_t mask = cc->cap - 1, i = cc_home(cc, id);
        while (cc->slots[i] && cc->slots[i]->id != id)
                i = (i + 1) & mask;
        return i;
}

static void cc_unlink(struct claim_cache *cc, struct cached_claim *c) {
        if (c->prev)
                c->prev->next = c->next;
        else
                cc->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                cc->tail = c->prev;
        c->prev = c->next = NULL;
}

static void cc_push_front(struct claim_cache *cc, struct cached_claim *c) {
        c->prev = NULL;
        c->next = cc->head;
        if (cc->head)
                cc->head->prev = c;
        cc->head = c;
        if (!cc->tail)
                cc->tail = c;
}

/* Removes c from the table (backward-shift deletion) and list, frees it. */
static void cc_remove(struct claim_cache *cc, struct cached_claim *c) {
        size_t mask = cc->cap - 1, i = cc_slot(cc, c->id), j = i;
        for (;;) {
                j = (j + 1) & mask;
                if (!cc->slots[j])
                        break;
                size_t k = cc_home(cc, cc->slots[j]->id);
                /* may slots[j] move back to i?  yes unless k lies in (i, j] */
                bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
                if (!stays) {
                        cc->slots[i] = cc->slots[j];
                        i = j;
                }
        }
        cc->slots[i] = NULL;
        cc_unlink(cc, c);
        cc->n--;
        cached_claim_free(cc, c);
}

void claim_cache_clear(struct claim_cache *cc) {
        struct cached_claim *c = cc->head;
        while (c) {
                struct cached_claim *next = c->next;
                cached_claim_free(cc, c);
                c = next;
        }
        free(cc->slots);
        free(cc->parsed);       /* empty: every parsed claim had a holder */
        *cc = (struct claim_cache) {};
}

static int cc_grow(struct claim_cache *cc) {
        size_t ncap = cc->cap ? cc->cap * 2 : 1024;
        struct cached_claim **old = cc->slots;
        size_t ocap = cc->cap;
        struct cached_claim **n = calloc(ncap, sizeof(*n));
        if (!n)
                return -ENOMEM;
        cc->slots = n;
        cc->cap = ncap;
        for (size_t i = 0; i < ocap; i++)
                if (old[i])
                        cc->slots[cc_slot(cc, old[i]->id)] = old[i];
        free(old);
        return 0;
}

/* Reads stored claim id (parsed, with its article and source) into a new
 * cache entry; returns 1 and *ret, 0 when the claim is gone, or a negative
 * errno.  Unreadable data gives an entry with source NULL, so that it is not
 * read again. */
static int cached_claim_read(struct store *s, int64_t id, struct cached_claim **ret) {
        struct cached_claim *c = calloc(1, sizeof(*c));
        sqlite3_stmt *st;
        int r, rc;

        if (!c)
                return -ENOMEM;
        c->id = id;
        r = stmt_get(s, ST_CLAIM_LOAD, &st);
        if (r < 0) {
                free(c);
                return r;
        }
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        r = 0;
        if (rc == SQLITE_ROW) {
                c->article_id = sqlite3_column_int64(st, 0);
                c->source = strdup(column_text(st, 2) ?: "");
                r = c->source ? parsed_claim_get(&s->cc, column_text(st, 1) ?: "", &c->parsed) : -ENOMEM;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW || r < 0) {
                cached_claim_free(&s->cc, c);
                return r < 0 ? r : rc == SQLITE_DONE ? 0 : store_errno(rc);
        }
        if (c->parsed->unreadable) {
                /* never a candidate (claim_get) */
                free(c->source);
                c->source = NULL;
        }
        *ret = c;
        return 1;
}

/* Finds stored claim id in the writer's cache, reading it first if needed,
 * and marks it used by the current article (entries used by the current
 * article are never evicted, so the pointer stays valid until the next
 * article).  Returns 1 and *ret when usable as a candidate for an article of
 * source, 0 when not (gone, unreadable, or of that same source), or a
 * negative errno. */
int claim_get(struct store *s, int64_t id, const char *source, struct cached_claim **ret) {
        struct claim_cache *cc = &s->cc;
        struct cached_claim *c = NULL;
        int r;

        if (cc->cap) {
                size_t i = cc_slot(cc, id);
                c = cc->slots[i];
        }
        if (c)
                cc_unlink(cc, c);
        else {
                r = cached_claim_read(s, id, &c);
                if (r <= 0)
                        return r;
                while (cc->n >= s->claim_cache_max && cc->tail && cc->tail->used != s->gen)
                        cc_remove(cc, cc->tail);
                if ((cc->n + 1) * 2 > cc->cap && (r = cc_grow(cc)) < 0) {
                        cached_claim_free(cc, c);
                        return r;
                }
                cc->slots[cc_slot(cc, id)] = c;
                cc->n++;
        }
        cc_push_front(cc, c);
        c->used = s->gen;
        if (!c->source || strcmp(c->source, source) == 0)
                return 0;
        *ret = c;
        return 1;
}

/* The conflict view of a cached claim, made on first use; 0 or -ENOMEM. */
int cached_claim_view(struct cached_claim *c, struct conflict_view **ret) {
        struct parsed_claim *p = c->parsed;
        if (!p->view) {
                int r = conflict_view_new(&p->claim, &p->view);
                if (r < 0)
                        return r;
        }
        *ret = p->view;
        return 0;
}
