#include <errno.h>
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

int match_claims(const struct claim_source *a, size_t na,
                 const struct claim_source *b, size_t nb,
                 const struct conflict_options *o, size_t max_conflicts,
                 struct claim_conflict **ret, size_t *ret_n) {
        struct conflict_view **va = NULL, **vb = NULL;
        struct claim_conflict *out = NULL;
        size_t n = 0, allocated = 0;
        int r;

        r = views_new(a, na, &va);
        if (r < 0)
                return r;
        r = views_new(b, nb, &vb);
        if (r < 0) {
                views_free(va, na);
                return r;
        }

        for (size_t i = 0; i < na; i++) {
                if (!a[i].claim)
                        continue;
                for (size_t j = 0; j < nb; j++) {
                        if (!b[j].claim || a[i].claim == b[j].claim)
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

        views_free(va, na);
        views_free(vb, nb);
        if (k == 0) {
                free(out);
                out = NULL;
        }
        *ret = out;
        *ret_n = k;
        return 0;

fail:
        claim_conflicts_free(out, n);
        views_free(va, na);
        views_free(vb, nb);
        return r;
}
