#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

void claim_conflicts_free(struct claim_conflict *c, size_t n) {
        for (size_t i = 0; c && i < n; i++)
                free(c[i].result.explanation);
        free(c);
}

static int by_score_desc(const void *x, const void *y) {
        const struct claim_conflict *a = x, *b = y;
        if (a->result.score != b->result.score)
                return a->result.score > b->result.score ? -1 : 1;
        if (a->a != b->a)
                return a->a < b->a ? -1 : 1;
        return a->b < b->b ? -1 : a->b > b->b;
}

static void views_free(struct conflict_view **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                conflict_view_free(v[i]);
        free(v);
}

/* Prepares one view per claim; returns 0 or -ENOMEM. */
static int views_new(const struct claim_source *s, size_t n, struct conflict_view ***ret) {
        struct conflict_view **v = calloc(n ? n : 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!s[i].claim)
                        continue;
                int r = conflict_view_new(s[i].claim, &v[i]);
                if (r < 0) {
                        views_free(v, n);
                        return r;
                }
        }
        *ret = v;
        return 0;
}

/* Two claims with the same text from the same speaker are one statement
 * reported twice (title and body, or a repeated quote): a conflict is kept
 * once per such statement pair. */
static bool same_statement(const struct claim *x, const struct claim *y) {
        if (!x->text || !y->text || strcmp(x->text, y->text) != 0)
                return false;
        if (!x->speaker || !y->speaker)
                return x->speaker == y->speaker;
        return strcmp(x->speaker, y->speaker) == 0;
}


/* How much a claim speaks for its article: 2 for the publisher's own
 * verdict (an unattributed denial: "the story is a hoax"), 1 for anything
 * else (restatements, quotes). */
static int voice_rank(const struct claim *c) {
        return !c->speaker && c->stance == STANCE_DENIES ? 2 : 1;
}

/* The conflict_agree_views() answers of the side_restates() walks: each
 * conflict's two sides are set against every claim of both articles, and
 * conflicts share their sides (an article of n claims against one of m may
 * give n * m conflicts over n + m claims), so each pair is decided once.
 * Claims are numbered a's first, then b's. */
struct agree_memo {
        size_t n;
        int8_t **rows;          /* per restated claim (allocated when first asked): per claim, -1 not
                                 * asked yet, else the answer */
};

/* conflict_agree_views(v, vother) for claim k and the restated claim other;
 * returns it, or -ENOMEM. */
static int agree_memo_get(struct agree_memo *m, size_t other, size_t k, struct conflict_view *v,
                          struct conflict_view *vother, const struct conflict_options *o) {
        if (!m->rows[other]) {
                m->rows[other] = malloc(m->n);
                if (!m->rows[other])
                        return -ENOMEM;
                memset(m->rows[other], -1, m->n);
        }
        if (m->rows[other][k] < 0)
                m->rows[other][k] = conflict_agree_views(v, vother, o) > 0;
        return m->rows[other][k];
}

/* 1 when the article of `side` holds a claim other than `self` (and other
 * than `other`, claim number `io` of the memo) that restates `other` and
 * speaks for its article at least as much as `self` does: then that article
 * carries both accounts and its conflicting claim is not its side of a
 * disagreement.  0 when not, -ENOMEM. */
static int side_restates(const struct claim_source *a, struct conflict_view *const *va, size_t na,
                         const struct claim_source *b, struct conflict_view *const *vb, size_t nb,
                         const struct claim_source *self, const struct claim_source *other, size_t io,
                         struct conflict_view *vother, const struct conflict_options *o, struct agree_memo *memo) {
        int rank = voice_rank(self->claim);
        bool other_verdict = voice_rank(other->claim) == 2;
        for (size_t pass = 0; pass < 2; pass++) {
                const struct claim_source *s = pass ? b : a;
                struct conflict_view *const *v = pass ? vb : va;
                size_t n = pass ? nb : na;
                for (size_t k = 0; k < n; k++) {
                        const struct claim *z = s[k].claim;
                        if (!z || !v[k] || z == self->claim || z == other->claim || v[k] == vother)
                                continue;
                        if (!same_outlet(&s[k], self) || voice_rank(z) < rank)
                                continue;
                        if (same_statement(z, other->claim))
                                continue;
                        /* the outlet's clause and a report in one sentence
                         * ("X demands that A, but will not accept B") are
                         * one account, not two */
                        if (!self->claim->speaker && self->claim->stance == STANCE_ASSERTS && z->speaker &&
                            z->span[0] >= 0 && z->span[1] > z->span[0] && z->field == self->claim->field &&
                            z->span[0] == self->claim->span[0] && z->span[1] == self->claim->span[1])
                                continue;
                        /* two articles that each call the story they tell
                         * untrue are on one side, whatever else they tell */
                        if (other_verdict && voice_rank(z) == 2)
                                return 1;
                        int r = agree_memo_get(memo, io, pass ? na + k : k, v[k], vother, o);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

int match_claims(const struct claim_source *a, size_t na,
                 const struct claim_source *b, size_t nb,
                 const struct conflict_options *o, size_t max_conflicts,
                 struct claim_conflict **ret, size_t *ret_n) {
        struct conflict_view **va = NULL, **vb = NULL;
        int r;

        r = views_new(a, na, &va);
        if (r < 0)
                return r;
        r = views_new(b, nb, &vb);
        if (r < 0) {
                views_free(va, na);
                return r;
        }
        r = match_claims_prepared(a, va, na, b, vb, nb, o, max_conflicts, ret, ret_n);
        views_free(va, na);
        views_free(vb, nb);
        return r;
}

int match_claims_prepared(const struct claim_source *a, struct conflict_view *const *va, size_t na,
                          const struct claim_source *b, struct conflict_view *const *vb, size_t nb,
                          const struct conflict_options *o, size_t max_conflicts,
                          struct claim_conflict **ret, size_t *ret_n) {
        struct claim_conflict *out = NULL;
        size_t n = 0, allocated = 0;
        int r;

        for (size_t i = 0; i < na; i++) {
                if (!a[i].claim || !va[i])
                        continue;
                for (size_t j = 0; j < nb; j++) {
                        if (!b[j].claim || !vb[j] || a[i].claim == b[j].claim)
                                continue;
                        struct conflict_result res;
                        r = conflict_check_views(&a[i], &b[j], va[i], vb[j], o, &res);
                        if (r < 0)
                                goto fail;
                        if (r == 0)
                                continue;
                        if (n == allocated) {
                                size_t nal = allocated ? allocated * 2 : 16;
                                struct claim_conflict *p = realloc(out, nal * sizeof(*p));
                                if (!p) {
                                        free(res.explanation);
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                out = p;
                                allocated = nal;
                        }
                        out[n++] = (struct claim_conflict) { .a = i, .b = j, .result = res };
                }
        }

        /* An article that carries both accounts (a rumour's report and its
         * denial) takes no side against another that reports one of them:
         * conflicts between different sources are dropped when either
         * article also restates the other's claim.  Conflicts inside one
         * article (speaker against speaker) stay. */
        size_t kept = 0;
        r = 0;
        struct agree_memo memo = { .n = na + nb, .rows = n ? calloc(na + nb, sizeof(*memo.rows)) : NULL };
        if (n && !memo.rows) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                const struct claim_source *x = &a[out[i].a], *y = &b[out[i].b];
                int drop = 0;
                if (!same_outlet(x, y)) {
                        drop = side_restates(a, va, na, b, vb, nb, y, x, out[i].a, va[out[i].a], o, &memo);
                        if (drop == 0)
                                drop = side_restates(a, va, na, b, vb, nb, x, y, na + out[i].b, vb[out[i].b], o,
                                                     &memo);
                }
                if (drop < 0) {
                        /* out[kept..i) were moved or freed: keep what is whole */
                        for (size_t j = i; j < n; j++)
                                free(out[j].result.explanation);
                        n = kept;
                        r = drop;
                        break;
                }
                if (drop) {
                        free(out[i].result.explanation);
                        continue;
                }
                out[kept++] = out[i];
        }
        for (size_t k = 0; memo.rows && k < na + nb; k++)
                free(memo.rows[k]);
        free(memo.rows);
        if (r < 0)
                goto fail;
        n = kept;

        if (n > 1)
                qsort(out, n, sizeof(*out), by_score_desc);

        /* Dedupe: the same pair of statements seen through repeated claims,
         * and the symmetric pair when a and b are the same array. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                for (size_t j = 0; j < k && !dup; j++) {
                        const struct claim *xa = a[out[i].a].claim, *xb = b[out[i].b].claim;
                        const struct claim *ya = a[out[j].a].claim, *yb = b[out[j].b].claim;
                        dup = (same_statement(xa, ya) && same_statement(xb, yb)) ||
                              (same_statement(xa, yb) && same_statement(xb, ya));
                }
                if (dup || (max_conflicts > 0 && k >= max_conflicts)) {
                        free(out[i].result.explanation);
                        continue;
                }
                out[k++] = out[i];
        }

        if (k == 0) {
                free(out);
                out = NULL;
        }
        *ret = out;
        *ret_n = k;
        return 0;

fail:
        claim_conflicts_free(out, n);
        return r;
}
