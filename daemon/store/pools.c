/* Event claim pools: the newest claims of an event kept in memory by the
 * writer, and ranking a new claim's candidates among them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "store-internal.h"

/* ---- event claim pools ----
 *
 * Candidates for a new claim come from the newest claims of its event (at
 * most max_event_claims_in_memory of them), kept in memory by the writer
 * per event with the hashes of their FTS tokens, their source and a hash of
 * their stored data: each new claim is ranked against the pool in memory,
 * without a query, and a pool costs the same however large its event grew.
 * A pool is read once (one scoped FTS5 query) when its event is first
 * matched, and the writer appends each article's claims to its event's
 * pool.  At most POOLS_MAX pools are kept (least recently used dropped);
 * like the claim cache they are dropped on rollback and expiry. */

struct event_pool {
        int64_t event_id;
        struct pool_claim *ring;        /* cap slots; the newest is at (head + n - 1) % cap */
        size_t cap, head, n;
        size_t allocated;       /* slots of ring: grown up to cap as the pool fills (head is 0 until then) */
        uint64_t used;                  /* s->gen of its last use */
};

uint64_t token_hash(const char *t, size_t n) {
        return hash_mix64(hash_fnv1a64(t, n));
}

uint64_t source_hash(const char *source) {
        return hash_mix64(hash_fnv1a64(source, strlen(source)));
}

static void event_pool_free(struct event_pool *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++)
                free(p->ring[(p->head + i) % p->cap].tokens);
        free(p->ring);
        free(p);
}

void pools_clear(struct store *s) {
        for (size_t i = 0; i < s->n_pools; i++)
                event_pool_free(s->pools[i]);
        s->n_pools = 0;
}

/* Appends a claim to pool p (dropping the oldest when full) with the tokens
 * of its FTS document `terms` (space separated); 0 or -ENOMEM. */
int pool_append(struct event_pool *p, int64_t id, uint64_t source, uint64_t data,
                const char *terms) {
        size_t nt = 0, cap = 0;
        uint64_t *t = NULL;

        /* ids grow: a claim the pool holds already (it was read after the
         * article's claims were inserted) is not added twice */
        if (p->n > 0 && p->ring[(p->head + p->n - 1) % p->cap].id >= id)
                return 0;
        for (const char *q = terms ? terms : ""; *q;) {
                const char *end = strchr(q, ' ');
                size_t len = end ? (size_t) (end - q) : strlen(q);
                if (len > 0) {
                        if (nt == cap) {
                                size_t nc = cap ? cap * 2 : 16;
                                uint64_t *n = realloc(t, nc * sizeof(*n));
                                if (!n) {
                                        free(t);
                                        return -ENOMEM;
                                }
                                t = n;
                                cap = nc;
                        }
                        t[nt++] = token_hash(q, len);
                }
                q += len;
                while (*q == ' ')
                        q++;
        }
        if (nt < cap) {
                /* pools hold up to a thousand claims each: no slack kept */
                uint64_t *fit = realloc(t, nt * sizeof(*t));
                if (fit)
                        t = fit;
        }
        if (p->n == p->allocated && p->allocated < p->cap) {
                size_t na = p->allocated ? p->allocated * 2 : 16;
                if (na > p->cap)
                        na = p->cap;
                struct pool_claim *nr = realloc(p->ring, na * sizeof(*nr));
                if (!nr) {
                        free(t);
                        return -ENOMEM;
                }
                p->ring = nr;
                p->allocated = na;
        }
        struct pool_claim *slot;
        if (p->n == p->cap) {
                slot = &p->ring[p->head];
                free(slot->tokens);
                p->head = (p->head + 1) % p->cap;
        } else
                slot = &p->ring[(p->head + p->n++) % p->cap];
        *slot = (struct pool_claim) { id, source, data, t, nt };
        return 0;
}

/* Reads the newest cap claims of event_id into a new pool; 0 or a negative
 * errno. */
static int pool_read(struct store *s, int64_t event_id, size_t cap, struct event_pool **ret) {
        struct event_pool *p = calloc(1, sizeof(*p));
        struct {
                int64_t id;
                uint64_t source, data;
                char *terms;
        } *rows = NULL;
        size_t nrows = 0;
        char q[64];
        sqlite3_stmt *st;
        int r = 0, rc = SQLITE_DONE;

        if (!p || !(rows = calloc(cap, sizeof(*rows)))) {
                event_pool_free(p);
                return -ENOMEM;
        }
        p->event_id = event_id;
        p->cap = cap;
        snprintf(q, sizeof q, "scope : ev%lld", (long long) event_id);
        r = stmt_get(s, ST_EVENT_CLAIMS, &st);
        if (r < 0)
                goto out;
        bind_text(st, 1, q);
        sqlite3_bind_int64(st, 2, (int64_t) cap);
        while (nrows < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                /* rowid, terms, scope ("d.. w.. s<hex> ev.."), data */
                const char *scope = column_text(st, 2) ?: "", *src = strstr(scope, " s");
                const char *data = column_text(st, 3) ?: "";
                rows[nrows].id = sqlite3_column_int64(st, 0);
                rows[nrows].source = src ? strtoull(src + 2, NULL, 16) : 0;
                rows[nrows].data = token_hash(data, strlen(data));
                rows[nrows].terms = strdup(column_text(st, 1) ?: "");
                if (!rows[nrows++].terms) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
                r = store_errno(rc);
        /* rows came newest first; the ring holds oldest first */
        for (size_t i = nrows; r >= 0 && i > 0; i--)
                r = pool_append(p, rows[i - 1].id, rows[i - 1].source, rows[i - 1].data,
                                rows[i - 1].terms);
out:
        for (size_t i = 0; i < nrows; i++)
                free(rows[i].terms);
        free(rows);
        if (r < 0) {
                event_pool_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

/* The pool of event_id, read when not in memory, marked used; NULL with
 * *ret_r set on error. */
struct event_pool *pool_get(struct store *s, int64_t event_id, size_t cap, int *ret_r) {
        struct event_pool *p;
        *ret_r = 0;
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id && s->pools[i]->cap == cap) {
                        s->pools[i]->used = s->gen;
                        return s->pools[i];
                }
        /* a pool of another capacity (the option changed) is read again */
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id) {
                        event_pool_free(s->pools[i]);
                        s->pools[i] = s->pools[--s->n_pools];
                        break;
                }
        *ret_r = pool_read(s, event_id, cap, &p);
        if (*ret_r < 0)
                return NULL;
        if (s->n_pools == POOLS_MAX) {
                size_t lru = 0;
                for (size_t i = 1; i < s->n_pools; i++)
                        if (s->pools[i]->used < s->pools[lru]->used)
                                lru = i;
                event_pool_free(s->pools[lru]);
                s->pools[lru] = s->pools[--s->n_pools];
        }
        p->used = s->gen;
        s->pools[s->n_pools++] = p;
        return p;
}

/* The pool of event_id when it is in memory, else NULL. */
struct event_pool *pool_find(struct store *s, int64_t event_id) {
        for (size_t i = 0; i < s->n_pools; i++)
                if (s->pools[i]->event_id == event_id)
                        return s->pools[i];
        return NULL;
}

/* Keeps the best `limit` pool claims of one new claim, best first, one per
 * stored data: c with score enters top (ntop entries) unless `limit`
 * better or equal ones (equal ones are newer: the pool is walked newest
 * first) are there, or an exact copy of it is. */
static void top_insert(struct scored *top, size_t *ntop, size_t limit, const struct pool_claim *c,
                       double score) {
        size_t pos = *ntop;
        while (pos > 0 && top[pos - 1].score < score)
                pos--;
        if (pos >= limit)
                return;
        for (size_t i = 0; i < *ntop; i++)
                if (top[i].c->data == c->data)
                        return;
        size_t end = *ntop < limit ? *ntop : limit - 1;
        memmove(&top[pos + 1], &top[pos], (end - pos) * sizeof(top[0]));
        top[pos] = (struct scored) { c, score };
        if (*ntop < limit)
                (*ntop)++;
}

/* A key token of the new claims: which claims hold it, with its idf. */
struct key_posting {
        uint64_t hash;          /* token_hash() | 1; 0: empty slot */
        double weight;
        size_t first;           /* index into the claim list, or SIZE_MAX */
};

/* Ranks the pool's claims of other sources than `source` against each of
 * the n new claims' keys by the summed idf of the tokens they share (ties:
 * newest first), in one walk of the pool, and keeps for each new claim the
 * best `limit` with at least one shared token, one per stored data (an
 * exact copy of a claim, syndicated by many outlets, would be checked
 * alike and reported once).  Fills top[i * limit ...] and ntop[i]. */
int rank_pool(struct store *s, const struct event_pool *p, char **const *keys,
              const size_t *nkeys, size_t n, const char *source, size_t limit,
              struct scored *top, size_t *ntop) {
        size_t total = 0, cap = 16;
        for (size_t i = 0; i < n; i++)
                total += nkeys[i] < 64 ? nkeys[i] : 64;
        while (cap < total * 2 + 1)
                cap *= 2;
        struct key_posting *kt = calloc(cap, sizeof(*kt));
        size_t *claim_of = malloc((total + 1) * sizeof(*claim_of));
        size_t *next = malloc((total + 1) * sizeof(*next));
        double *score = calloc(n + 1, sizeof(*score));
        size_t *touched = malloc((n + 1) * sizeof(*touched));
        uint64_t own = source_hash(source);
        size_t np = 0;
        int r = 0;

        if (!kt || !claim_of || !next || !score || !touched) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                ntop[i] = 0;
                size_t nk = nkeys[i] < 64 ? nkeys[i] : 64;
                for (size_t j = 0; j < nk; j++) {
                        struct strbuf b = {};
                        sb_append_token(&b, keys[i][j]);
                        if (b.oom) {
                                r = -ENOMEM;
                                goto out;
                        }
                        uint64_t h = token_hash(b.s ?: "", b.len) | 1;
                        free(b.s);
                        size_t k = (size_t) h & (cap - 1);
                        while (kt[k].hash && kt[k].hash != h)
                                k = (k + 1) & (cap - 1);
                        if (!kt[k].hash)
                                kt[k] = (struct key_posting) { h, idf_cb(keys[i][j], s), SIZE_MAX };
                        /* claim i once per token (its keys may share a token) */
                        if (kt[k].first != SIZE_MAX && claim_of[kt[k].first] == i)
                                continue;
                        claim_of[np] = i;
                        next[np] = kt[k].first;
                        kt[k].first = np++;
                }
        }
        if (s->df_error) {
                r = s->df_error;
                goto out;
        }
        for (size_t j = p->n; j > 0; j--) {       /* newest first */
                const struct pool_claim *c = &p->ring[(p->head + j - 1) % p->cap];
                size_t nt = 0;
                if (c->source == own)
                        continue;
                for (size_t t = 0; t < c->n_tokens; t++) {
                        uint64_t h = c->tokens[t] | 1;
                        size_t k = (size_t) h & (cap - 1);
                        while (kt[k].hash && kt[k].hash != h)
                                k = (k + 1) & (cap - 1);
                        if (!kt[k].hash)
                                continue;
                        for (size_t q = kt[k].first; q != SIZE_MAX; q = next[q]) {
                                size_t i = claim_of[q];
                                if (score[i] == 0)
                                        touched[nt++] = i;
                                score[i] += kt[k].weight;
                        }
                }
                for (size_t x = 0; x < nt; x++) {
                        size_t i = touched[x];
                        if (score[i] > 0)
                                top_insert(&top[i * limit], &ntop[i], limit, c, score[i]);
                        score[i] = 0;
                }
        }
out:
        free(kt);
        free(claim_of);
        free(next);
        free(score);
        free(touched);
        return r;
}
