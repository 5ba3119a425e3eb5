/* Quotation marks: the double marks of each paragraph paired into quotes
 * (a quote left open at a paragraph end goes on in the next one that opens
 * with a mark), and contents extended over the quoted sentences after them. */
#include <errno.h>
#include <stdlib.h>

#include "attrib-internal.h"

/* A double quotation mark (single ones nest inside quotes and are ignored). */
static bool is_double_q(const struct ctx *c, size_t i) {
        return text_is(c, i, "\"") || text_is(c, i, "\xe2\x80\x9c") || text_is(c, i, "\xe2\x80\x9d") ||
               text_is(c, i, "\xc2\xab") || text_is(c, i, "\xc2\xbb") || text_is(c, i, "\xe2\x80\x9e") ||
               text_is(c, i, "''") || text_is(c, i, "``");
}

/* Extends a quoted content backwards over quotes left open at the end of the
 * paragraphs before (the news convention for quotes over paragraphs). */
size_t attrib_quote_start_back(const struct ctx *c, int32_t q) {
        size_t start = c->quotes[q].open;
        while (q > 0) {
                const struct quote *p = &c->quotes[q - 1];
                if (p->closed || paragraph_of(c, c->quotes[q].open) != paragraph_of(c, p->open) + 1 ||
                    c->st->sentences[tk(c, c->quotes[q].open)->sentence].tok_begin != c->quotes[q].open)
                        break;
                start = p->open;
                q--;
        }
        return start;
}

/* Extends a content ending at token end (exclusive) over the quoted
 * sentences that follow it without a cue of their own: in the same paragraph,
 * or in the next ones while a quote is left open.  Returns the new end. */
size_t attrib_quote_continue(const struct ctx *c, size_t end) {
        const struct segmented_text *st = c->st;
        for (;;) {
                if (end >= st->n_tokens)
                        return end;
                size_t s = tk(c, end)->sentence;
                /* the rest of the current sentence is punctuation: move on */
                size_t k = end;
                while (k < st->sentences[s].tok_end && !is_word(c, k) && !is_open_q(c, k))
                        k++;
                if (k < st->sentences[s].tok_end && k != st->sentences[s].tok_begin && !is_open_q(c, k))
                        return end;
                if (k == st->sentences[s].tok_end) {
                        if (s + 1 >= st->n_sentences)
                                return end;
                        k = st->sentences[s + 1].tok_begin;
                        s++;
                }
                if (!is_open_q(c, k) || c->sent_cue[s])
                        return end;
                int32_t q = quote_at(c, k);
                if (q < 0)
                        return end;
                bool same_par = paragraph_of(c, k) == paragraph_of(c, end > 0 ? end - 1 : 0);
                size_t last = end > 0 ? end - 1 : 0;
                while (last > 0 && !is_word(c, last) && !c->mark[last])
                        last--;
                int32_t prevq = quote_at(c, last);
                bool open_before = prevq >= 0 && !c->quotes[prevq].closed;
                if (!same_par && !open_before) {
                        /* a paragraph that is one quote, with no cue of its own,
                         * right after a quoted content: the same speaker goes on */
                        if (prevq < 0 || !c->quotes[q].closed ||
                            paragraph_of(c, k) != paragraph_of(c, last) + 1)
                                return end;
                        size_t pe = c->quotes[q].end + 1;
                        while (pe < st->n_tokens && paragraph_of(c, pe) == paragraph_of(c, k) && !is_word(c, pe) &&
                               !c->mark[pe])
                                pe++;
                        if (pe < st->n_tokens && paragraph_of(c, pe) == paragraph_of(c, k))
                                return end;
                        for (size_t t = k; t < c->quotes[q].end; t++)
                                if (c->sent_cue[tk(c, t)->sentence])
                                        return end;
                }
                size_t qe = c->quotes[q].end;
                if (c->quotes[q].closed)
                        qe++;
                if (qe <= end)
                        return end;
                /* stop when an attribution sits inside the quote's last sentence */
                end = qe;
        }
}

/* Pairs the double quotation marks of each paragraph; fills c->quotes/qof. */
int attrib_pair_quotes(struct ctx *c) {
        const struct segmented_text *st = c->st;
        size_t allocated = 0;
        int32_t open = -1, par = -1;

        c->qof = malloc((st->n_tokens + 1) * sizeof(*c->qof));
        if (!c->qof)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_tokens; i++)
                c->qof[i] = -1;
        c->mark = calloc(st->n_tokens + 1, 1);
        if (!c->mark)
                return -ENOMEM;
        /* candidate marks: 1 opening, 2 closing, 3 either; two apostrophes
         * ('' as some papers print a double quote) make one mark, kept on
         * the outer one */
        for (size_t i = 0; i < st->n_tokens; i++) {
                uint32_t f = tk(c, i)->flags;
                if (is_apostrophe(c, i) && i + 1 < st->n_tokens && is_apostrophe(c, i + 1) && adjacent(c, i, i + 1)) {
                        uint32_t g = f | tk(c, i + 1)->flags;
                        if (g & TOKEN_QUOTE_OPEN)
                                c->mark[i] = 1;
                        else if (g & TOKEN_QUOTE_CLOSE)
                                c->mark[i + 1] = 2;
                        else
                                c->mark[i] = 3;
                        i++;
                        continue;
                }
                if (!is_double_q(c, i))
                        continue;
                if (f & TOKEN_QUOTE_OPEN)
                        c->mark[i] = 1;
                else if (f & TOKEN_QUOTE_CLOSE)
                        c->mark[i] = 2;
                else
                        c->mark[i] = 3;
        }
        for (size_t i = 0; i <= st->n_tokens; i++) {
                int32_t p = i < st->n_tokens ? paragraph_of(c, i) : -2;
                if (p != par && open >= 0) {
                        /* left open at the paragraph end */
                        c->quotes[c->n_quotes - 1].end = i;
                        c->quotes[c->n_quotes - 1].closed = false;
                        open = -1;
                }
                par = p;
                if (i == st->n_tokens)
                        break;
                if (!c->mark[i])
                        continue;
                bool opening = c->mark[i] == 1 || (c->mark[i] == 3 && open < 0);
                /* a closing mark printed where a quote opens: at a paragraph
                 * start or after a space, touching the word that follows */
                if (c->mark[i] == 2 && open < 0 && i + 1 < st->n_tokens && adjacent(c, i, i + 1) &&
                    is_word(c, i + 1) && (i == 0 || !adjacent(c, i - 1, i) || (tk(c, i)->flags & TOKEN_PARA_START)))
                        opening = true;
                c->mark[i] = 0;
                if (opening && open < 0) {
                        if (c->n_quotes == allocated) {
                                size_t na = allocated ? allocated * 2 : 16;
                                struct quote *q = realloc(c->quotes, na * sizeof(*q));
                                if (!q)
                                        return -ENOMEM;
                                c->quotes = q;
                                allocated = na;
                        }
                        c->quotes[c->n_quotes++] = (struct quote) { .open = i, .end = i, .closed = false };
                        c->mark[i] = 1;
                        open = (int32_t) i;
                } else if (!opening && open >= 0) {
                        c->quotes[c->n_quotes - 1].end = i;
                        c->quotes[c->n_quotes - 1].closed = true;
                        c->mark[i] = 2;
                        open = -1;
                }
        }
        for (size_t q = 0; q < c->n_quotes; q++) {
                size_t last = c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end;
                for (size_t i = c->quotes[q].open; i < last && i < st->n_tokens; i++)
                        c->qof[i] = (int32_t) q;
        }
        return 0;
}

/* True for a quote that is closed, or left open at a paragraph end after
 * opening a paragraph or following a colon or comma (a quote that goes on in
 * the next paragraph); false for a stray mark, whose "quote" hides nothing. */
bool attrib_quote_real(const struct ctx *c, int32_t q) {
        size_t o = c->quotes[q].open;
        if (c->quotes[q].closed)
                return true;
        if (tk(c, o)->flags & (TOKEN_PARA_START | TOKEN_SENT_START))
                return true;
        return o > 0 && (text_is(c, o - 1, ":") || is_comma(c, o - 1));
}
