/* Stored claims: the keys they are indexed under, and the cache (shared by
 * the threads that run checks) of stored claims parsed, with their views. */
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
/* Drops one holder of p, freeing it with the last (lock held). */
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

/* The chained parsed claim of data hashed h0/h1, with one more holder, or
 * NULL (lock held). */
static struct parsed_claim *parsed_claim_find(struct claim_cache *cc, uint64_t h0, uint64_t h1) {
        for (struct parsed_claim *p = cc->parsed ? cc->parsed[h0 % PARSED_BUCKETS] : NULL; p; p = p->next)
                if (p->hash[0] == h0 && p->hash[1] == h1) {
                        p->refs++;
                        return p;
                }
        return NULL;
}

/* The parsed claim of stored data `data`: shared with another cached claim
 * of the same data, else parsed now (outside the lock) and chained.
 * Returns 0 and *ret (one more holder), or -ENOMEM.  Unreadable data gives
 * an empty claim. */
int parsed_claim_get(struct claim_cache *cc, const char *data, struct parsed_claim **ret) {
        size_t n = strlen(data);
        uint64_t h0 = hash_fnv1a64(data, n), h1 = hash_fnv1a64_update(0x84222325cbf29ce4ULL, data, n);

        pthread_mutex_lock(&cc->lock);
        struct parsed_claim *found = parsed_claim_find(cc, h0, h1);
        pthread_mutex_unlock(&cc->lock);
        if (found) {
                *ret = found;
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

        pthread_mutex_lock(&cc->lock);
        if (!cc->parsed && !(cc->parsed = calloc(PARSED_BUCKETS, sizeof(*cc->parsed)))) {
                pthread_mutex_unlock(&cc->lock);
                claim_clear(&p->claim);
                free(p);
                return -ENOMEM;
        }
        found = parsed_claim_find(cc, h0, h1);  /* another thread parsed it meanwhile */
        if (!found) {
                p->next = cc->parsed[h0 % PARSED_BUCKETS];
                cc->parsed[h0 % PARSED_BUCKETS] = p;
        }
        pthread_mutex_unlock(&cc->lock);
        if (found) {
                claim_clear(&p->claim);
                free(p);
                p = found;
        }
        *ret = p;
        return 0;
}

/* Drops a holder of p that parsed_claim_get() gave. */
void parsed_claim_put(struct claim_cache *cc, struct parsed_claim *p) {
        pthread_mutex_lock(&cc->lock);
        parsed_claim_release(cc, p);
        pthread_mutex_unlock(&cc->lock);
}

/* Lock held. */
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

static struct cached_claim *cc_find(const struct claim_cache *cc, int64_t id) {
        return cc->cap ? cc->slots[cc_slot(cc, id)] : NULL;
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

int claim_cache_init(struct claim_cache *cc, size_t max) {
        *cc = (struct claim_cache) { .max = max };
        return -pthread_mutex_init(&cc->lock, NULL);
}

/* Drops every entry (none may be pinned): after a rollback (rowids may be
 * reused) or expiry. */
void claim_cache_clear(struct claim_cache *cc) {
        pthread_mutex_lock(&cc->lock);
        struct cached_claim *c = cc->head;
        while (c) {
                struct cached_claim *next = c->next;
                cached_claim_free(cc, c);
                c = next;
        }
        free(cc->slots);
        free(cc->parsed);       /* empty: every parsed claim had a holder */
        cc->slots = NULL;
        cc->parsed = NULL;
        cc->head = cc->tail = NULL;
        cc->cap = cc->n = 0;
        pthread_mutex_unlock(&cc->lock);
}

void claim_cache_done(struct claim_cache *cc) {
        claim_cache_clear(cc);
        pthread_mutex_destroy(&cc->lock);
}

struct claim_cache *store_claim_cache_new(size_t max_claims) {
        struct claim_cache *cc = malloc(sizeof(*cc));
        if (!cc || claim_cache_init(cc, max_claims ? max_claims : CLAIM_CACHE_MAX) < 0) {
                free(cc);
                return NULL;
        }
        return cc;
}

void store_claim_cache_free(struct claim_cache *cc) {
        if (!cc)
                return;
        claim_cache_done(cc);
        free(cc);
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

/* Reads stored claim id through reader (parsed, with its article and
 * source) into a new, unlinked entry; returns 1 and *ret, 0 when the claim
 * is gone, or a negative errno.  Unreadable data gives an entry with source
 * NULL, so that it is not read again. */
static int cached_claim_read(struct claim_cache *cc, struct store *reader, int64_t id, struct cached_claim **ret) {
        struct cached_claim *c = calloc(1, sizeof(*c));
        sqlite3_stmt *st;
        int r, rc;

        if (!c)
                return -ENOMEM;
        c->id = id;
        r = stmt_get(reader, ST_CLAIM_LOAD, &st);
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
                r = c->source ? parsed_claim_get(cc, column_text(st, 1) ?: "", &c->parsed) : -ENOMEM;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW || r < 0) {
                pthread_mutex_lock(&cc->lock);
                cached_claim_free(cc, c);
                pthread_mutex_unlock(&cc->lock);
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

/* Puts the new entry c into the cache (lock held), or, when another thread
 * put the same claim in meanwhile, frees c and returns that one. */
static struct cached_claim *cc_insert(struct claim_cache *cc, struct cached_claim *c, int *ret_r) {
        struct cached_claim *other = cc_find(cc, c->id);
        *ret_r = 0;
        if (other) {
                cached_claim_free(cc, c);
                cc_unlink(cc, other);
                return other;
        }
        while (cc->n >= cc->max && cc->tail && cc->tail->pins == 0)
                cc_remove(cc, cc->tail);
        if ((cc->n + 1) * 2 > cc->cap && (*ret_r = cc_grow(cc)) < 0) {
                cached_claim_free(cc, c);
                return NULL;
        }
        cc->slots[cc_slot(cc, c->id)] = c;
        cc->n++;
        return c;
}

/* Finds stored claim id in the cache, reading it through reader first if
 * needed, and pins it: it stays valid until claim_put().  Returns 1 and
 * *ret when usable as a candidate for an article of source, 0 when not
 * (gone, unreadable, or of that same source: nothing stays pinned then), or
 * a negative errno. */
int claim_get(struct claim_cache *cc, struct store *reader, int64_t id, const char *source,
              struct cached_claim **ret) {
        struct cached_claim *c;
        int r = 0;

        pthread_mutex_lock(&cc->lock);
        c = cc_find(cc, id);
        if (c)
                cc_unlink(cc, c);
        pthread_mutex_unlock(&cc->lock);
        if (!c) {
                r = cached_claim_read(cc, reader, id, &c);
                if (r <= 0)
                        return r;
        }
        pthread_mutex_lock(&cc->lock);
        if (r > 0)
                c = cc_insert(cc, c, &r);
        if (c) {
                cc_push_front(cc, c);
                c->pins++;
        }
        bool usable = c && c->source && strcmp(c->source, source) != 0;
        if (c && !usable)
                c->pins--;
        pthread_mutex_unlock(&cc->lock);
        if (r < 0)
                return r;
        if (!usable)
                return 0;
        *ret = c;
        return 1;
}

void claim_put(struct claim_cache *cc, struct cached_claim *c) {
        pthread_mutex_lock(&cc->lock);
        c->pins--;
        pthread_mutex_unlock(&cc->lock);
}

/* The conflict view of a pinned cached claim, made on first use (outside
 * the lock; when two threads make it at once, one keeps its own); 0 or
 * -ENOMEM. */
int cached_claim_view(struct claim_cache *cc, struct cached_claim *c, struct conflict_view **ret) {
        struct parsed_claim *p = c->parsed;

        pthread_mutex_lock(&cc->lock);
        struct conflict_view *v = p->view;
        pthread_mutex_unlock(&cc->lock);
        if (!v) {
                struct conflict_view *nv;
                int r = conflict_view_new(&p->claim, &nv);
                if (r < 0)
                        return r;
                pthread_mutex_lock(&cc->lock);
                if (!p->view)
                        p->view = nv;
                else
                        conflict_view_free(nv);
                v = p->view;
                pthread_mutex_unlock(&cc->lock);
        }
        *ret = v;
        return 0;
}
