#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conflict-internal.h"
#include "date.h"
#include "quantity.h"

/* True when q is written as a compound modifier ("80-meter hurdles", "a
 * 500-milligram caplet"): it names a kind of thing rather than measuring
 * one, so it is compared only with other such modifiers. */
static bool quantity_modifier(const struct quantity *q) {
        const char *t = q->text;
        if (!t || *t < '0' || *t > '9')
                return false;
        while (*t && strchr("0123456789.,", *t))
                t++;
        return *t == '-' && t[1] && !strchr(t, ' ');
}

/* Whether two quantities can be weighed against each other: the same unit,
 * and both modifiers or both measurements. */
static bool quantities_match(const struct quantity *x, const struct quantity *y) {
        return x->unit && y->unit && quantities_comparable(x, y) && quantity_modifier(x) == quantity_modifier(y);
}

/* Finds a unit both claims measure whose values cannot agree: every value
 * of that unit in a is incompatible with every value in b (quantity.h's
 * bounds and rounding).  Unitless numbers never clash: "3" and "5" of
 * unknown things say nothing.  Returns true and the clashing pair. */
bool conflict_numeric_clash(const struct claim *a, const struct claim *b,
                          const struct quantity **ret_a, const struct quantity **ret_b) {
        for (size_t i = 0; i < a->n_quantities; i++) {
                const struct quantity *qa = &a->quantities[i];
                if (!qa->unit)
                        continue;
                bool any = false, compatible = false;
                const struct quantity *first = NULL;
                for (size_t k = 0; k < a->n_quantities && !compatible; k++) {
                        const struct quantity *xa = &a->quantities[k];
                        if (!quantities_match(xa, qa))
                                continue;
                        for (size_t j = 0; j < b->n_quantities; j++) {
                                const struct quantity *xb = &b->quantities[j];
                                if (!quantities_match(xb, qa))
                                        continue;
                                any = true;
                                if (!first)
                                        first = xb;
                                if (quantities_compatible(xa, xb)) {
                                        compatible = true;
                                        break;
                                }
                        }
                }
                if (any && !compatible) {
                        *ret_a = qa;
                        *ret_b = first;
                        return true;
                }
        }
        return false;
}

/* The index in v's words where text (a quantity's, as written)
 * begins (its first run of letters and digits: "80%" -> "80", "US$ 9.4
 * billion" -> "us"), and in *ret_n how many words it spans; -1 when it
 * cannot be found. */
static long value_word(const struct conflict_view *v, const char *text, size_t *ret_n) {
        if (!text)
                return -1;
        char first[32];
        size_t n = 0, words = 1;
        const char *t = text;
        while (*t && n + 1 < sizeof(first) && (isalnum((unsigned char) *t) || ((*t == '.' || *t == ',') && n > 0 &&
                                                                            isdigit((unsigned char) t[1]))))
                first[n++] = (char) tolower((unsigned char) *t++);
        first[n] = 0;
        for (const char *p = text; *p; p++)
                words += *p == ' ';
        if (n == 0)
                return -1;
        for (size_t i = 0; i < v->n_words; i++)
                if (strcmp(v->words[i].fold, first) == 0) {
                        *ret_n = words;
                        return (long) i;
                }
        return -1;
}

/* Content words (repeated ones too) next to the value at words [i, i + n)
 * of v, in the same clause: up to two words before it, and the first two
 * content words among the QUANTITY_CONTEXT_AFTER words after it ("11 judges in the
 * Yugoslavia war tribunal").  Fills out[] with their stems and returns how
 * many. */
#define QUANTITY_CONTEXT_AFTER 4
static size_t quantity_context(const struct conflict_view *v, size_t i, size_t n, const char *out[4]) {
        size_t k = 0;
        for (size_t j = i, seen = 0; j > 0 && seen < 2 && !v->words[j].boundary; seen++) {
                j--;
                if (v->words[j].content || v->words[j].repeat)
                        out[k++] = v->words[j].stem;
        }
        size_t after = 0;
        for (size_t j = i + n, seen = 0; j < v->n_words && seen < QUANTITY_CONTEXT_AFTER && after < 2 &&
                                         !v->words[j].boundary; j++, seen++)
                if (v->words[j].content || v->words[j].repeat) {
                        out[k++] = v->words[j].stem;
                        after++;
                }
        return k;
}

/* Whether the value written ta in va and the one written tb in vb stand
 * next to a word of the same stem, in their clauses: then they are most
 * likely values of one thing ("NATO's 19 members" / "NATO has 16
 * members"). */
static bool values_meet(const struct conflict_view *va, const char *ta, const struct conflict_view *vb, const char *tb) {
        size_t na = 0, nb = 0;
        long ia = value_word(va, ta, &na), ib = ia < 0 ? -1 : value_word(vb, tb, &nb);
        if (ib < 0)
                return false;
        const char *ca[4], *cb[4];
        size_t nca = quantity_context(va, (size_t) ia, na, ca), ncb = quantity_context(vb, (size_t) ib, nb, cb);
        for (size_t x = 0; x < nca; x++)
                for (size_t y = 0; y < ncb; y++)
                        if (strcmp(ca[x], cb[y]) == 0)
                                return true;
        return false;
}

/* Whether the claim of vc states a value that q (of the claim of vq) can
 * agree with ("first elected in 1990, re-elected in 1995" states 1995 too):
 * then the claims agree on some value, and which word it stands beside
 * decides little.  A value that stands beside other words than q while
 * clash_text (the value of vc clashing with q) stands beside q's words is of
 * another thing: "the women's 800 metres, while the men's 10,000 metres"
 * states no women's 10,000 metres. */
static bool quantity_stated(const struct conflict_view *vc, const char *clash_text, const struct quantity *q,
                            const struct conflict_view *vq) {
        const struct claim *c = vc->claim;
        for (size_t i = 0; i < c->n_quantities; i++) {
                const struct quantity *x = &c->quantities[i];
                if (!quantities_match(x, q) || !quantities_compatible(x, q))
                        continue;
                size_t n = 0;
                long w = clash_text ? value_word(vc, x->text, &n) : -1;
                const char *ctx[4];
                /* (a value with no words beside it may be of anything) */
                bool elsewhere = w >= 0 && quantity_context(vc, (size_t) w, n, ctx) > 0 &&
                                 !values_meet(vc, x->text, vq, q->text) && values_meet(vc, clash_text, vq, q->text);
                if (!elsewhere)
                        return true;
        }
        return false;
}

/* A numeric clash on one measured thing: a quantity of each claim in the
 * same unit whose neighbouring words are the same ("NATO's 19 members" /
 * "NATO has 16 members", "the women's 800 metres" / "the women's 10,000
 * metres") and whose values cannot agree, neither value stated anywhere in
 * the other claim.  Returns true and the pair. */
bool conflict_numeric_anchored_clash(const struct conflict_view *va, const struct conflict_view *vb,
                                   const struct quantity **ret_a, const struct quantity **ret_b) {
        const struct claim *a = va->claim, *b = vb->claim;
        for (size_t i = 0; i < a->n_quantities; i++) {
                const struct quantity *qa = &a->quantities[i];
                for (size_t j = 0; j < b->n_quantities; j++) {
                        const struct quantity *qb = &b->quantities[j];
                        if (!quantities_match(qa, qb) || quantities_compatible(qa, qb) ||
                            quantity_stated(va, qa->text, qb, vb) || quantity_stated(vb, qb->text, qa, va) ||
                            !values_meet(va, qa->text, vb, qb->text))
                                continue;
                        *ret_a = qa;
                        *ret_b = qb;
                        return true;
                }
        }
        return false;
}

/* All resolved dates of a and b pairwise incompatible (date.h); returns the
 * first clashing pair. */
bool conflict_date_clash(const struct claim *a, const struct claim *b,
                       const struct claim_date **ret_a, const struct claim_date **ret_b) {
        const struct claim_date *fa = NULL, *fb = NULL;
        for (size_t i = 0; i < a->n_dates; i++) {
                if (!a->dates[i].value)
                        continue;
                for (size_t j = 0; j < b->n_dates; j++) {
                        if (!b->dates[j].value)
                                continue;
                        if (dates_compatible(&a->dates[i], &b->dates[j]))
                                return false;
                        /* A day against a year is mostly two events ("died in
                         * 1970" / "died on February 14, 2002"), and a bare month
                         * resolved to a guessed year proves nothing: only dates
                         * of one granularity clash. */
                        if (strlen(a->dates[i].value) != strlen(b->dates[j].value))
                                continue;
                        if (!fa) {
                                fa = &a->dates[i];
                                fb = &b->dates[j];
                        }
                }
        }
        if (!fa)
                return false;
        *ret_a = fa;
        *ret_b = fb;
        return true;
}

/* One place each, not the same and not named in the other claim at all. */
bool conflict_location_clash(const struct claim *a, const struct claim *b,
                           const char **ret_a, const char **ret_b) {
        const char *pa = NULL, *pb = NULL;
        for (size_t i = 0; i < a->n_entities; i++)
                if (a->entities[i].kind == 'L') {
                        if (pa)
                                return false;
                        pa = a->entities[i].name;
                }
        for (size_t j = 0; j < b->n_entities; j++)
                if (b->entities[j].kind == 'L') {
                        if (pb)
                                return false;
                        pb = b->entities[j].name;
                }
        if (!pa || !pb || strcasecmp(pa, pb) == 0)
                return false;
        if ((a->text && strcasestr(a->text, pb)) || (b->text && strcasestr(b->text, pa)))
                return false;
        *ret_a = pa;
        *ret_b = pb;
        return true;
}
