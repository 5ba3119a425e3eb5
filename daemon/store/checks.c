/* The conflict checks of a stored article: its claims against the
 * candidates checks_plan() chose, on any thread.  Stored candidates are
 * read through the calling thread's own connection into a claim cache that
 * threads may share; candidates stored earlier in the same open batch are
 * not readable elsewhere yet and come from the batch's own data.  What
 * each check sees is what it saw when the writer ran it: the claim parsed
 * from its stored JSON and its view made from that, for stored and batch
 * candidates alike. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* A candidate being checked: a pinned cache entry, or a claim of the batch
 * (entry.parsed held, not in the cache's table). */
struct candidate {
        struct cached_claim entry;
        struct cached_claim *pinned;    /* &entry for a batch claim */
        bool batch;
};

/* The batch article holding claim id, or NULL. */
static const struct batch_article *batch_find(const struct ingest_checks *k, int64_t id) {
        for (size_t i = 0; i < k->nlocal; i++) {
                const struct batch_article *b = &k->local[i];
                if (id >= b->first_claim_id && id < b->first_claim_id + (int64_t) b->n)
                        return b;
        }
        return NULL;
}

/* Resolves candidate id for the article's source into *c: 1 when usable,
 * 0 when not (gone, unreadable, same source), or a negative errno. */
static int candidate_get(const struct ingest_checks *k, struct store *reader, struct claim_cache *cc, int64_t id,
                         struct candidate *c) {
        const struct batch_article *b = batch_find(k, id);
        if (!b) {
                c->batch = false;
                return claim_get(cc, reader, id, k->source, &c->pinned);
        }
        if (strcmp(b->source, k->source) == 0)
                return 0;
        struct parsed_claim *p;
        int r = parsed_claim_get(cc, b->data[id - b->first_claim_id], &p);
        if (r < 0)
                return r;
        if (p->unreadable) {
                parsed_claim_put(cc, p);
                return 0;
        }
        c->entry = (struct cached_claim) { .id = id, .article_id = b->article_id, .source = (char *) b->source,
                                           .parsed = p };
        c->pinned = &c->entry;
        c->batch = true;
        return 1;
}

static void candidate_put(struct claim_cache *cc, struct candidate *c) {
        if (c->batch)
                parsed_claim_put(cc, c->entry.parsed);
        else
                claim_put(cc, c->pinned);
}

/* Appends the conflicts res found for claim i of the article (b side)
 * against a-side candidates (sel[0 .. nsel - 1], then its own claims
 * 0 .. i - 1) to k->pend; takes their explanations. */
static int add_pending(struct ingest_checks *k, size_t i, const struct candidate *sel, size_t nsel,
                       const struct claim_source *cs, struct claim_conflict *res, size_t nres) {
        const struct claim *me = &k->ex->claims.items[i];
        for (size_t x = 0; x < nres; x++) {
                struct pending_conflict *np = realloc(k->pend, (k->npend + 1) * sizeof(*np));
                if (!np)
                        return -ENOMEM;
                k->pend = np;
                struct pending_conflict *p = &np[k->npend++];
                size_t a = res[x].a;
                memset(p, 0, sizeof(*p));
                p->res = res[x].result;
                res[x].result.explanation = NULL;       /* moved */
                p->claim_b = k->claim_ids[i];
                p->article_b = k->article_id;
                p->source_b = k->source;
                if (a < nsel) {
                        const struct cached_claim *c = sel[a].pinned;
                        p->claim_a = c->id;
                        p->article_a = c->article_id;
                        p->own_source_a = strdup(c->source);
                        p->source_a = p->own_source_a;
                        if (!p->own_source_a)
                                return -ENOMEM;
                } else {
                        p->claim_a = k->claim_ids[a - nsel];
                        p->article_a = k->article_id;
                        p->source_a = k->source;
                }
                if (pair_key(p->source_a, cs[a].claim->text, p->source_b, me->text, p->pair) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Checks claim i against its candidates and the article's earlier claims. */
static int check_claim(struct ingest_checks *k, size_t i, struct store *reader, struct claim_cache *cc,
                       struct candidate *sel, struct claim_source *cs, struct conflict_view **va) {
        size_t nsel = 0;
        int r = 0;

        for (size_t c = 0; c < k->ncand[i] && r >= 0; c++) {
                r = candidate_get(k, reader, cc, k->cand[i * k->limit + c], &sel[nsel]);
                if (r > 0)
                        nsel++;
        }
        /* a side: older claims first (stored ones, then earlier ones of
         * this article); b side: the new claim */
        for (size_t c = 0; c < nsel && r >= 0; c++) {
                cs[c] = (struct claim_source) { &sel[c].pinned->parsed->claim, sel[c].pinned->source, NULL };
                r = cached_claim_view(cc, sel[c].pinned, &va[c]);
        }
        size_t ncs = nsel + i;
        if (r >= 0 && ncs > 0) {
                for (size_t c = 0; c < i; c++) {
                        cs[nsel + c] = (struct claim_source) { &k->ex->claims.items[c], k->source, NULL };
                        va[nsel + c] = k->views[c];
                }
                struct claim_source me = { &k->ex->claims.items[i], k->source, NULL };
                struct claim_conflict *res = NULL;
                size_t nres = 0;
                r = match_claims_prepared(cs, va, ncs, &me, &k->views[i], 1, &k->conflict, k->max_per_claim,
                                          &res, &nres);
                if (r >= 0)
                        r = add_pending(k, i, sel, nsel, cs, res, nres);
                claim_conflicts_free(res, nres);
        }
        for (size_t c = 0; c < nsel; c++)
                candidate_put(cc, &sel[c]);
        return r < 0 ? r : 0;
}

int store_checks_run(struct ingest_checks *k, struct store *reader, struct claim_cache *cc) {
        struct candidate *sel = calloc(MAX_CANDIDATE_CLAIMS + 1, sizeof(*sel));
        struct claim_source *cs = calloc(MAX_CANDIDATE_CLAIMS + k->n + 1, sizeof(*cs));
        struct conflict_view **va = calloc(MAX_CANDIDATE_CLAIMS + k->n + 1, sizeof(*va));
        int r = sel && cs && va ? 0 : -ENOMEM;

        pending_free(k->pend, k->npend);        /* a second run starts afresh */
        k->pend = NULL;
        k->npend = 0;
        for (size_t i = 0; i < k->n && r >= 0; i++)
                r = check_claim(k, i, reader, cc, sel, cs, va);
        free(sel);
        free(cs);
        free(va);
        k->result = r;
        return r;
}
