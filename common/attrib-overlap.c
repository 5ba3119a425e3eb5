/* The passes after the shapes: contents cut where another report starts,
 * attributions nested in another's content or left with a bare adjunct
 * dropped.  The contents holding a point come from a span index. */
#include <errno.h>
#include <stdlib.h>

#include "attrib-internal.h"
#include "span-index.h"

/* True for the shapes whose content comes before the speaker and the cue. */
static bool postposed(const struct ctx *c, size_t k) {
        return c->work[k].shape == SHAPE_POST || c->work[k].shape == SHAPE_INV;
}

/* Sets the end of attribution k's content, in the index too. */
static void set_content_end(struct ctx *c, struct span_index *x, size_t k, int32_t end) {
        c->out[k].content_end = end;
        span_index_set_end(x, k, end);
}

/* Where the speaker (or, without one before it, the cue) of attribution k
 * starts: a preposed content ends there. */
static int32_t speaker_or_cue_start(const struct attribution *o) {
        return o->speaker_start >= 0 && o->speaker_start < o->cue_start ? o->speaker_start : o->cue_start;
}

static int int32_cmp(const void *a, const void *b) {
        int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
        return x < y ? -1 : x > y;
}

/* Cuts the content of a preposed attribution where a postposed one inside
 * it starts ("X said A, and B, Y added" keeps A for X).  Returns 0 or
 * -ENOMEM. */
int attrib_trim_overlaps(struct ctx *c, struct span_index *x) {
        /* "X claimed A and said B": A ends before "and" */
        for (size_t i = 0; i < c->n; i++) {
                if (c->work[i].shape != SHAPE_COORD)
                        continue;
                size_t ct = c->work[i].cue_tok;
                size_t and_tok = attrib_skip_modifiers_left(c, sent_begin(c, ct), ct, false) - 1;
                size_t e = and_tok;
                while (e > 0 && !is_word(c, e - 1) && !is_close_q(c, e - 1))
                        e--;
                if (e == 0)
                        continue;
                const size_t *hits;
                size_t n = span_index_holding(x, tk(c, and_tok)->start, tk(c, ct)->start, &hits);
                for (size_t h = 0; h < n; h++)
                        if (hits[h] != i && tk(c, e - 1)->end > c->out[hits[h]].content_start)
                                set_content_end(c, x, hits[h], tk(c, e - 1)->end);
        }
        /* the content of a preposed attribution ends before the first
         * speaker or cue of a postposed one inside it */
        int32_t *starts = malloc((c->n + 1) * sizeof(*starts));
        size_t n = 0;
        if (!starts)
                return -ENOMEM;
        for (size_t k = 0; k < c->n; k++)
                if (postposed(c, k) || c->work[k].shape == SHAPE_ACCORDING)
                        starts[n++] = speaker_or_cue_start(&c->out[k]);
        qsort(starts, n, sizeof(*starts), int32_cmp);
        for (size_t i = 0; i < c->n; i++) {
                struct attribution *a = &c->out[i];
                if (c->work[i].shape != SHAPE_PRE)
                        continue;
                size_t lo = 0, hi = n;
                while (lo < hi) {       /* the first start after the content's */
                        size_t mid = lo + (hi - lo) / 2;
                        if (starts[mid] <= a->content_start)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                for (; lo < n && starts[lo] < a->content_end; lo++) {
                        /* back over commas and spaces */
                        int32_t e = starts[lo];
                        const char *t = c->st->text;
                        while (e > a->content_start && (t[e - 1] == ' ' || t[e - 1] == ',' || t[e - 1] == '\n'))
                                e--;
                        if (e > a->content_start) {
                                set_content_end(c, x, i, e);
                                break;
                        }
                }
        }
        free(starts);
        return 0;
}

/* "A said X, saying Y" (the same speaker goes on): X ends at the comma. */
static void cut_before_participles(struct ctx *c, struct span_index *x) {
        for (size_t i = 0; i < c->n; i++) {
                if (c->work[i].shape != SHAPE_PART)
                        continue;
                size_t p = c->work[i].cue_tok;
                if (p == 0 || !(is_comma(c, p - 1) || is_dash(c, p - 1)))
                        continue;
                int32_t comma = tk(c, p - 1)->start, cue = tk(c, p)->start;
                const size_t *hits;
                size_t n = span_index_holding(x, comma, cue, &hits);
                for (size_t h = 0; h < n; h++) {
                        size_t k = hits[h];
                        const struct attribution *o = &c->out[k];
                        if (o->gap_start >= 0 && cue >= o->gap_start && cue < o->gap_end)
                                continue;       /* the participle is in the attribution inside a quote */
                        if (k != i && o->cue_start < comma)
                                set_content_end(c, x, k, comma);
                }
        }
}

/* "A said X, and B said Y": B's clause is coordinated, not reported by A;
 * A's content ends before the conjunction. */
static void cut_before_coordinated(struct ctx *c, struct span_index *x) {
        for (size_t i = 0; i < c->n; i++) {
                const struct work *iw = &c->work[i];
                if (iw->shape != SHAPE_PRE || iw->name_b >= iw->name_e)
                        continue;
                if (iw->name_e - iw->name_b == 1 && in_lex(c, iw->name_b, LEXICON_PRONOUNS))
                        continue;       /* "X says A but he feels B": X's report goes on */
                size_t sb = iw->name_b;
                if (sb == 0)
                        continue;
                size_t p = sb - 1;
                if (!(fold_is(c, p, "and") || fold_is(c, p, "but") || fold_is(c, p, "while") ||
                      fold_is(c, p, "whereas") || text_is(c, p, ";")))
                        continue;
                /* ", and Democrats insisted": a comma closes the first report;
                 * without one, only a named speaker of a finite verb starts a new one */
                const char *il = verb_lemma(c, iw->cue_tok);
                bool named = attrib_proper_last(c, iw->name_b, iw->name_e) && il &&
                             strcmp(fold(c, iw->cue_tok), il) != 0 && !lexicon_contains(LEXICON_COGNITION_VERBS, il);
                if (!text_is(c, p, ";") && !(p > 0 && (is_comma(c, p - 1) || text_is(c, p - 1, ";"))) && !named)
                        continue;
                size_t cut = p;
                while (cut > 0 && (is_comma(c, cut - 1) || text_is(c, cut - 1, ";")))
                        cut--;
                if (cut == 0)
                        continue;
                /* (the cut is at or before the conjunction) */
                int32_t conj = tk(c, p)->start, end = tk(c, cut - 1)->end;
                const size_t *hits;
                size_t n = span_index_holding(x, end, conj, &hits);
                for (size_t h = 0; h < n; h++) {
                        size_t k = hits[h];
                        if (k != i && !postposed(c, k) && c->out[k].cue_start < conj)
                                set_content_end(c, x, k, end);
                }
        }
}

/* True when the cue of attribution i lies inside the content of another one
 * that wins: reported speech inside reported speech belongs to the outer
 * speaker's claim ("X said she thinks Y" is X's claim). */
static bool nested(const struct ctx *c, struct span_index *x, size_t i) {
        const struct attribution *a = &c->out[i];
        const size_t *hits;
        size_t n = span_index_holding(x, a->cue_start + 1, a->cue_start, &hits);
        for (size_t h = 0; h < n; h++) {
                size_t k = hits[h];
                const struct attribution *o = &c->out[k];
                if (k == i)
                        continue;
                if (o->gap_start >= 0 && a->cue_start >= o->gap_start && a->cue_start < o->gap_end)
                        continue;
                bool mutual = o->cue_start >= a->content_start && o->cue_start < a->content_end;
                bool a_post = postposed(c, i), o_post = postposed(c, k);
                if (!mutual || (o_post && !a_post) ||
                    (a_post == o_post && (a->content_end - a->content_start) < (o->content_end - o->content_start)))
                        return true;
        }
        return false;
}

/* True when the content of a preposed attribution i is a bare adjunct of up
 * to four tokens ("responded on Twitter, calling ..."): no content. */
static bool bare_adjunct(const struct ctx *c, size_t i) {
        const struct attribution *a = &c->out[i];
        if (c->work[i].shape != SHAPE_PRE && c->work[i].shape != SHAPE_COORD)
                return false;
        size_t lo = 0, hi = c->st->n_tokens, b, n = 0;
        while (lo < hi) {       /* first token starting at or after the content */
                size_t mid = lo + (hi - lo) / 2;
                if (tk(c, mid)->start < a->content_start)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        b = lo;
        for (size_t t = b; t < c->st->n_tokens && tk(c, t)->end <= a->content_end && n <= 4; t++)
                n++;
        return n > 0 && n <= 4 && (is_prep(c, b) || fold_is(c, b, "during") || fold_is(c, b, "via") ||
                                   fold_is(c, b, "through")) && !fold_is(c, b, "of") && !fold_is(c, b, "about");
}

/* Cuts contents where another report starts and drops the attributions
 * nested in another's content or left with a bare adjunct.  Returns 0 or
 * -ENOMEM. */
int attrib_drop_nested(struct ctx *c, struct span_index *x) {
        bool *drop = calloc(c->n + 1, sizeof(*drop));
        size_t w = 0;
        if (!drop)
                return -ENOMEM;
        cut_before_participles(c, x);
        cut_before_coordinated(c, x);
        for (size_t i = 0; i < c->n; i++)
                drop[i] = nested(c, x, i);
        for (size_t i = 0; i < c->n; i++)
                drop[i] = drop[i] || bare_adjunct(c, i);
        for (size_t i = 0; i < c->n; i++) {
                if (drop[i]) {
                        free(c->out[i].speaker);
                        continue;
                }
                c->out[w] = c->out[i];
                c->work[w] = c->work[i];
                w++;
        }
        c->n = w;
        free(drop);
        return 0;
}

/* The index of the contents found, for attrib_trim_overlaps() and attrib_drop_nested().
 * Returns 0 or -ENOMEM. */
int attrib_content_index_make(const struct ctx *c, struct span_index *ret) {
        int32_t *starts = malloc((c->n + 1) * sizeof(*starts)), *ends = malloc((c->n + 1) * sizeof(*ends));
        int r = -ENOMEM;
        if (starts && ends) {
                for (size_t k = 0; k < c->n; k++) {
                        starts[k] = c->out[k].content_start;
                        ends[k] = c->out[k].content_end;
                }
                r = span_index_make(starts, ends, c->n, ret);
        }
        free(starts);
        free(ends);
        return r;
}
