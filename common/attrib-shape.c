/* The shapes of a report (attrib.c lists them): each cue's speaker and
 * content put together into an attribution. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrib-internal.h"
#include "hash.h"

/* Notes that a content [start, end) was added: returns 1 when it is new, 0
 * when it was added before, or -ENOMEM.  (An article may hold thousands of
 * attributions: a walk over the earlier ones for each would cost n * n.) */
static int seen_add(struct ctx *c, int32_t start, int32_t end) {
        uint64_t key = (uint64_t) (uint32_t) start << 32 | (uint32_t) end;     /* end > start >= 0: never 0 */
        if (2 * (c->n_seen + 1) > c->seen_mask + 1) {
                size_t cap = c->seen_mask ? 2 * (c->seen_mask + 1) : 64;
                uint64_t *t = calloc(cap, sizeof(*t));
                if (!t)
                        return -ENOMEM;
                for (size_t k = 0; c->seen && k <= c->seen_mask; k++) {
                        if (!c->seen[k])
                                continue;
                        size_t h = (size_t) hash_mix64(c->seen[k]) & (cap - 1);
                        while (t[h])
                                h = (h + 1) & (cap - 1);
                        t[h] = c->seen[k];
                }
                free(c->seen);
                c->seen = t;
                c->seen_mask = cap - 1;
        }
        size_t h = (size_t) hash_mix64(key) & c->seen_mask;
        for (; c->seen[h]; h = (h + 1) & c->seen_mask)
                if (c->seen[h] == key)
                        return 0;
        c->seen[h] = key;
        c->n_seen++;
        return 1;
}

static struct attribution *push(struct ctx *c, struct work **w) {
        if (c->n == c->allocated) {
                size_t na = c->allocated ? c->allocated * 2 : 16;
                struct attribution *a = realloc(c->out, na * sizeof(*a));
                if (!a)
                        return NULL;
                c->out = a;
                struct work *ww = realloc(c->work, na * sizeof(*ww));
                if (!ww)
                        return NULL;
                c->work = ww;
                c->allocated = na;
        }
        struct attribution *a = &c->out[c->n];
        memset(a, 0, sizeof(*a));
        a->speaker_start = a->speaker_end = a->cue_start = a->cue_end = -1;
        a->gap_start = a->gap_end = -1;
        *w = &c->work[c->n];
        memset(*w, 0, sizeof(**w));
        c->n++;
        return a;
}

/* Records an attribution from token ranges: content [cb, ce), speaker [sb_, se_)
 * (name part [nb, ne)), cue [kb, ke); gap [gb, ge) or gb == ge.  Returns 0 or
 * -ENOMEM; drops empty contents and duplicates silently. */
static int add(struct ctx *c, enum shape shape, size_t cb, size_t ce, size_t gb, size_t ge,
               size_t sb_, size_t se_, size_t nb, size_t ne, size_t kb, size_t ke, enum claim_stance stance) {
        struct attribution *a;
        struct work *w;

        attrib_trim_range(c, &cb, &ce);
        if (cb >= ce)
                return 0;
        if (ce - cb < 2 && shape != SHAPE_PRE)
                return 0;
        int32_t cs = tk(c, cb)->start, cend = tk(c, ce - 1)->end;
        int r = seen_add(c, cs, cend);
        if (r <= 0)
                return r;
        a = push(c, &w);
        if (!a)
                return -ENOMEM;
        a->content_start = cs;
        a->content_end = cend;
        if (gb < ge && gb > cb && ge < ce) {
                a->gap_start = tk(c, gb)->start;
                a->gap_end = tk(c, ge - 1)->end;
        }
        size_t lo = cb < kb ? cb : kb, hi = ce > ke ? ce : ke;
        if (sb_ < se_) {
                if (sb_ < lo)
                        lo = sb_;
                if (se_ > hi)
                        hi = se_;
                a->speaker_start = tk(c, sb_)->start;
                a->speaker_end = tk(c, se_ - 1)->end;
                /* an appositive's closing comma is not part of the mention */
                while (se_ > sb_ && !is_word(c, se_ - 1))
                        se_--;
                if (se_ > sb_)
                        a->speaker_end = tk(c, se_ - 1)->end;
        }
        a->span_start = c->st->sentences[tk(c, lo)->sentence].start;
        a->span_end = c->st->sentences[tk(c, hi - 1)->sentence].end;
        a->cue_start = tk(c, kb)->start;
        a->cue_end = tk(c, ke - 1)->end;
        a->stance = stance;
        w->shape = shape;
        w->name_b = nb;
        w->name_e = ne;
        w->cue_tok = kb;
        return 0;
}

/* The inverted shape '"...," said Smith.' at the cue i.  With strict, only
 * when the speaker phrase ends the sentence.  Returns 1 when added, 0 when
 * the shape does not apply, or -ENOMEM. */
static int try_inverted(struct ctx *c, size_t i, const char *lemma, bool strict) {
        size_t sb = sent_begin(c, i), se = sent_end(c, i);
        size_t b = 0, e = 0, nb = 0, ne = 0, cb, ce;
        bool ing = str_ends_with(fold(c, i), "ing");

        if (i > sb && (is_comma(c, i - 1) || is_close_q(c, i - 1)) && !ing &&
            attrib_subject_right(c, i + 1, se, &b, &e, &nb, &ne) &&
            (!strict || e >= se || is_end_punct(c, e)) &&
            (e >= se || is_end_punct(c, e) || is_comma(c, e) || is_close_q(c, i - 1) ||
             (i >= 2 && is_close_q(c, i - 2))) &&
            attrib_content_before(c, i - 1, &cb, &ce)) {
                size_t gb = 0, ge = 0;
                size_t m = e;
                if (m < se && is_comma(c, m) && m + 1 < se && is_open_q(c, m + 1)) {
                        int32_t q = quote_at(c, m + 1);
                        if (q >= 0) {
                                gb = ce;
                                ge = m + 1;
                                ce = attrib_quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                        }
                } else {
                        size_t ne2 = attrib_quote_continue(c, se);
                        if (ne2 > se) {
                                gb = ce;
                                ge = se;
                                ce = ne2;
                        }
                }
                int r = add(c, SHAPE_INV, cb, ce, gb, ge, b, e, nb, ne, i, i + 1, attrib_stance_of(c, i, lemma, cb, ce));
                return r < 0 ? r : 1;
        }
        return 0;
}

/* True when what follows the cue at token j (up to the next comma or stop)
 * is a tail without a clause: a time or place ("in a statement"), a hearer
 * ("told CNN"), or anything after a quote that opens its sentence and says
 * something ('"...," he said in a trembling voice').  Token before is the
 * one before the speaker. */
static bool tail_short(const struct ctx *c, const char *lemma, size_t j, size_t sb, size_t se, size_t before) {
        size_t n = 0;
        bool quoted = false, is_short = true;
        size_t qc = is_close_q(c, before) ? before :
                    is_comma(c, before) && before > sb && is_close_q(c, before - 1) ? before - 1 : SIZE_MAX;
        int32_t qq = qc != SIZE_MAX ? quote_at(c, qc) : -1;
        if (qq >= 0) {
                size_t o = c->quotes[qq].open, w = 0;
                for (size_t t = o; t < qc; t++)
                        w += is_word(c, t);
                /* a quote that opens its sentence (or an earlier one) and says something */
                quoted = w >= 2 && (o <= sb || (o > sb && (text_is(c, o - 1, ":") || is_comma(c, o - 1))));
        }
        for (size_t m = j; m < se; m++) {
                int32_t tq = is_open_q(c, m) ? quote_at(c, m) : -1;
                bool title_quote = tq >= 0 && c->quotes[tq].closed && c->quotes[tq].end < se &&
                                   c->quotes[tq].end - m <= 6;     /* NBC's "Today" */
                if (fold_is(c, m, "that") || text_is(c, m, ":") || (is_open_q(c, m) && !title_quote) ||
                    (attrib_cue_lemma(c, m) && m > j && !in_lex(c, m, LEXICON_AMBIGUOUS_CUES)))
                        is_short = false;
                if (is_comma(c, m) || is_end_punct(c, m))
                        break;
                n++;
        }
        /* "said to reporters" but not "hopes to offset" */
        bool to_hearer = fold_is(c, j, "to") && j + 1 < se &&
                         (in_lex(c, j + 1, LEXICON_DETERMINERS) || is_cap(c, j + 1) ||
                          in_lex(c, j + 1, LEXICON_PRONOUNS) || role_noun(c, j + 1));
        bool adjunct = is_prep(c, j) || in_lex(c, j, LEXICON_TIME_WORDS) || fold_is(c, j, "during") ||
                       fold_is(c, j, "after") || fold_is(c, j, "before") || to_hearer ||
                       fold_is(c, j, "via") || fold_is(c, j, "through") || fold_is(c, j, "last") ||
                       fold_is(c, j, "earlier") || fold_is(c, j, "later") || fold_is(c, j, "this");
        if (!adjunct && !(lemma_takes_hearer(lemma) && n <= 4) && !quoted)
                is_short = false;
        return is_short;
}

/* The rest of a postposed content after its cue at i: '"A," he said, "B."',
 * "The economy, he said, is fine.", '"A," he said. "B."'.  Extends *ce and
 * sets the gap [*gb, *ge) (the speaker and cue inside the content). */
static void post_rest(const struct ctx *c, size_t i, size_t se, size_t b, bool quoted_before, bool short_tail,
                      size_t cb, size_t *ce, size_t *gb, size_t *ge) {
        size_t j = i + 1, m = j;
        while (m < se && !is_comma(c, m) && !is_end_punct(c, m))
                m++;
        if (m < se && is_comma(c, m) && m + 1 < se && *ce < b && !fold_is(c, m + 1, "according") &&
            !attrib_cue_lemma(c, m + 1) && (m == j || is_open_q(c, m + 1) || short_tail)) {
                size_t rb = m + 1, re = se;
                if (is_open_q(c, rb)) {
                        int32_t q = quote_at(c, rb);
                        if (q >= 0) {
                                re = c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end;
                                re = attrib_quote_continue(c, re);
                        }
                } else if ((quoted_before && !continues_clause(c, rb)) || str_ends_with(fold(c, rb), "ing") ||
                           fold_is(c, rb, "but") ||
                           fold_is(c, rb, "and") || fold_is(c, rb, "while") || fold_is(c, rb, "as") ||
                           fold_is(c, rb, "who") || fold_is(c, rb, "which") || fold_is(c, rb, "where") ||
                           fold_is(c, rb, "when") || fold_is(c, rb, "after") || fold_is(c, rb, "before"))
                        re = rb;  /* ", adding ...", ", but ...": not the content */
                if (re > rb + 1) {
                        *gb = *ce;
                        *ge = rb;
                        *ce = re;
                        return;
                }
                if (!quoted_before)
                        return;
                /* '"A," X said, looking away. "B."' */
        } else if (cb >= *ce)
                return;
        /* "A," he said. "B." */
        size_t ne2 = attrib_quote_continue(c, se);
        if (ne2 > se) {
                *gb = *ce;
                *ge = se;
                *ce = ne2;
        }
}

/* The reporting verb at token i with its subject [b, e) (name part
 * [nb, ne)) on its left: the content before it ("A, X said") or after it
 * ("X said A").  Returns 0 or -ENOMEM. */
static int do_subject_verb(struct ctx *c, size_t i, const char *lemma, size_t b, size_t e, size_t nb,
                           size_t ne) {
        size_t sb = sent_begin(c, i), se = sent_end(c, i), cb, ce;
        if (!attrib_ambiguous_ok(c, i, nb, ne))
                return 0;
        size_t before = b > sb ? b - 1 : sb;
        bool post_mark = b > sb && (is_comma(c, before) || is_close_q(c, before) || is_dash(c, before));
        if (post_mark && is_close_q(c, before) && before > sb && text_is(c, before - 1, "."))
                post_mark = false;      /* '... the timing." Gov. Pat McCrory said it ...' */
        if (b == sb && sb > 0 && is_close_q(c, sb - 1) && paragraph_of(c, sb - 1) == paragraph_of(c, sb) &&
            (i + 1 >= se || is_end_punct(c, i + 1))) {
                /* "Blah blah." Smith said. */
                post_mark = true;
                before = sb - 1;
        }
        /* what follows the cue: the end, a comma, or a short tail */
        size_t j = i + 1;
        bool short_tail = true, rest_comma = false;
        if (j < se && is_comma(c, j))
                rest_comma = true;
        else if (j < se && !is_end_punct(c, j))
                short_tail = tail_short(c, lemma, j, sb, se, before);
        bool quoted_before = is_close_q(c, before) || (is_comma(c, before) && before > sb && is_close_q(c, before - 1));
        /* 'Asked about it, Smith said, "..."': the quote after is the content */
        if (rest_comma && !quoted_before && j + 1 < se && is_open_q(c, j + 1))
                post_mark = false;
        /* "In July, X called for ...": an opening adverbial is no content */
        if (post_mark && !quoted_before && !rest_comma && attrib_content_before(c, before, &cb, &ce) &&
            (((is_prep(c, cb) || opener(c, cb)) && (ce - cb <= 8 || (j < se && !is_end_punct(c, j)))) || ce - cb < 3))
                post_mark = false;
        if (post_mark && (rest_comma || short_tail) && attrib_content_before(c, before, &cb, &ce)) {
                size_t gb = 0, ge = 0;
                post_rest(c, i, se, b, quoted_before, short_tail, cb, &ce, &gb, &ge);
                return add(c, SHAPE_POST, cb, ce, gb, ge, b, e, nb, ne, i, i + 1,
                           attrib_stance_of(c, i, lemma, cb, ce));
        }
        if (!attrib_content_after(c, lemma, i + 1, &cb, &ce))
                return 0;
        size_t n0 = c->n;
        int r = add(c, SHAPE_PRE, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, attrib_stance_of(c, i, lemma, cb, ce));
        size_t kn;
        if (r == 0 && c->n > n0 && attrib_cue_negation(c, sb, b, e, i, lemma, &kn))
                c->out[n0].cue_start = tk(c, kn)->start;
        return r;
}

/* Handles the reporting verb at token i.  Returns 0 or -ENOMEM. */
int attrib_do_verb(struct ctx *c, size_t i, const char *lemma) {
        size_t sb = sent_begin(c, i);

        c->denial_hint = false;
        size_t b = 0, e = 0, nb = 0, ne = 0, cb, ce;
        bool ing = str_ends_with(fold(c, i), "ing");

        if (ing && (is_comma(c, i - 1) || is_dash(c, i - 1))) {
                if (!attrib_main_subject(c, i, &b, &e, &nb, &ne))
                        return 0;
                if (!attrib_content_after(c, lemma, i + 1, &cb, &ce))
                        return 0;
                return add(c, SHAPE_PART, cb, ce, 0, 0, b, e, nb, ne, i, i + 1,
                           attrib_stance_of(c, i, lemma, cb, ce));
        }

        if (i > sb && is_comma(c, i - 1)) {
                int r = try_inverted(c, i, lemma, true);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        size_t jl = attrib_skip_modifiers_left(c, sb, i, false);
        if (!ing && jl > sb && fold_is(c, jl - 1, "and") && !lexicon_contains(LEXICON_COGNITION_VERBS, lemma) &&
            strcmp(fold(c, i), lemma) != 0 &&   /* "urged him to stand up ... and challenge" is no report */
            attrib_main_subject(c, i, &b, &e, &nb, &ne)) {
                /* "X described the meeting as ... and said ..." */
                if (!attrib_content_after(c, lemma, i + 1, &cb, &ce))
                        return 0;
                return add(c, SHAPE_COORD, cb, ce, 0, 0, b, e, nb, ne, i, i + 1,
                           attrib_stance_of(c, i, lemma, cb, ce));
        }
        if (attrib_subject_left(c, i, ing, &b, &e, &nb, &ne))
                return do_subject_verb(c, i, lemma, b, e, nb, ne);

        /* "...," said Smith. */
        return try_inverted(c, i, lemma, false);
}

/* 'Said Ellis: "..."' - a sentence opened by the cue, then the speaker and a
 * colon or comma.  Returns 0 or -ENOMEM. */
int attrib_do_initial_verb(struct ctx *c, size_t i, const char *lemma) {
        size_t se = sent_end(c, i);
        size_t b, e, nb, ne, cb, ce;

        c->denial_hint = false;
        if (str_ends_with(fold(c, i), "ing") || !attrib_subject_right(c, i + 1, se, &b, &e, &nb, &ne))
                return 0;
        if (e >= se || !(text_is(c, e, ":") || is_comma(c, e)))
                return 0;
        if (!attrib_content_after(c, lemma, e, &cb, &ce))
                return 0;
        return add(c, SHAPE_PRE, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, attrib_stance_of(c, i, lemma, cb, ce));
}

/* "According to X, ..." and "..., according to X." at token i ("according"),
 * with n tokens in the phrase. */
int attrib_do_according(struct ctx *c, size_t i, size_t n) {
        size_t sb = sent_begin(c, i), se = sent_end(c, i);
        size_t j = i + n, k = j, cb, ce;

        while (k < se && !is_comma(c, k) && !is_end_punct(c, k) && !(tk(c, k)->flags & TOKEN_QUOTE) &&
               !text_is(c, k, ":") && k - j < 30)
                k++;
        if (k == j)
                return 0;
        /* (the attributions of a sentence are added while it is read, after
         * those of the sentences before: the walk back stops at them) */
        for (size_t a = c->n; a > 0 && c->work[a - 1].cue_tok >= sb; a--)
                if (c->work[a - 1].cue_tok < i &&
                    (c->work[a - 1].shape == SHAPE_POST || c->work[a - 1].shape == SHAPE_INV) &&
                    i - c->work[a - 1].cue_tok < 8)
                        return 0;       /* '"...," Lavrov said, according to a translation' */
        size_t pb = i;          /* where the phrase starts, with a comma before it */
        size_t first = sb;
        while (first < i && !is_word(c, first))
                first++;
        while (first < i && (fold_is(c, first, "but") || fold_is(c, first, "and") || fold_is(c, first, "so")))
                first++;
        if (i == first) {
                /* According to X, CONTENT / According to X: "..." */
                if (k >= se || !(is_comma(c, k) || text_is(c, k, ":")))
                        return 0;
                cb = k + 1;
                ce = se;
                if (cb < se && is_open_q(c, cb) && quote_at(c, cb) >= 0) {
                        int32_t q = quote_at(c, cb);
                        ce = attrib_quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                } else {
                        int32_t q = quote_at(c, se - 1);
                        if (q >= 0 && c->quotes[q].open >= cb && !c->quotes[q].closed)
                                ce = c->quotes[q].end;
                }
                return add(c, SHAPE_ACCORDING, cb, ce, 0, 0, j, k, j, k, i, j, STANCE_ASSERTS);
        }
        if (pb > sb && (is_comma(c, pb - 1) || is_dash(c, pb - 1)))
                pb--;
        if (!attrib_content_before(c, pb, &cb, &ce))
                return 0;
        size_t gb = 0, ge = 0;
        /* "The plan, according to officials, would cost ...": the clause goes on */
        if (k < se && is_comma(c, k) && k + 2 < se && continues_clause(c, k + 1)) {
                gb = ce;
                ge = k + 1;
                ce = se;
        }
        return add(c, SHAPE_ACCORDING, cb, ce, gb, ge, j, k, j, k, i, j, STANCE_ASSERTS);
}

/* Headline shape "Name: content" at the start of a paragraph, and a quote
 * signed with a dash ("..." - Name).  Returns 0 or -ENOMEM. */
int attrib_do_marks(struct ctx *c, size_t s) {
        const struct sentence *sen = &c->st->sentences[s];
        size_t sb = sen->tok_begin, se = sen->tok_end;

        size_t pb = sb;
        if (pb < se && is_open_q(c, pb))
                pb++;   /* '"PENCE: Well, ...' in a transcript */
        if (tk(c, sb)->flags & TOKEN_PARA_START) {
                size_t m = pb;
                while (m < se && m - pb < 4 && (is_cap(c, m) || text_is(c, m, ".")))
                        m++;
                bool allcaps = tk(c, pb)->flags & TOKEN_ALLCAPS;
                if (m > pb && m < se && text_is(c, m, ":") && se - m > 2 && !in_lex(c, m - 1, LEXICON_TIME_WORDS) &&
                    !attrib_phrase_is(c, pb, m - pb, LEXICON_HEADLINE_LABELS)) {
                        /* the content runs to the paragraph end in a transcript */
                        size_t e = se;
                        if (allcaps || (pb > sb))
                                while (e < c->st->n_tokens && paragraph_of(c, e) == paragraph_of(c, sb))
                                        e++;
                        int r = add(c, SHAPE_OTHER, m + 1, e, 0, 0, pb, m, pb, m, m, m + 1, STANCE_ASSERTS);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t k = sb > 0 ? sb - 1 : sb; k + 2 < se; k++) {
                if (!is_close_q(c, k) || !is_dash(c, k + 1) || !is_cap(c, k + 2))
                        continue;
                size_t m = k + 2;
                while (m < se && (is_cap(c, m) || text_is(c, m, ".")) && m - k < 7)
                        m++;
                int32_t q = quote_at(c, k);
                if (q < 0)
                        continue;
                int r = add(c, SHAPE_OTHER, attrib_quote_start_back(c, q) + 1, k, 0, 0, k + 2, m, k + 2, m, k + 1, k + 2,
                            STANCE_ASSERTS);
                if (r < 0)
                        return r;
        }
        return 0;
}
