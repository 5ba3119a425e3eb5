/* Attribution: who said (or believes) what.
 *
 * Works on the tokens of segment.c, one reporting cue at a time.  A cue is a
 * reporting verb (conf/lexicon/reporting-verbs.txt), "according to" and the
 * like, a headline colon ("Name: ...") or a dash after a quote.  For each verb
 * cue the shape of the clause decides where speaker and content are:
 *
 *   PRE   X said (that) CONTENT / X told reporters CONTENT / X said: "..."
 *   POST  CONTENT, X said.  /  "CONTENT," X said(, "MORE").
 *   INV   "CONTENT," said X.
 *   PART  ..., saying CONTENT   (speaker: the subject of the main clause)
 *
 * Quotes are paired per paragraph (a quote left open at the end of a paragraph
 * goes on in the next one when that starts with an opening mark), so quoted
 * content runs over several sentences and paragraphs, and quoted sentences
 * that follow an attributed one in the same paragraph join its content.
 * Speakers are resolved within the article in a last pass: "Lavrov" and "Mr.
 * Lavrov" take the longest earlier capitalised mention ending in the same
 * name, "he"/"she" the nearest person speaker before, "the official" an
 * earlier "a senior ... official". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrib-internal.h"
#include "budget.h"
#include "span-index.h"

static void ctx_free(struct ctx *c) {
        free(c->qof);
        free(c->cue_cache);
        free(c->mark);
        free(c->sent_cue);
        free(c->titled);
        free(c->seen);
        free(c->quotes);
        free(c->work);
}

/* Sets up the per-text tables of c: quotes, cue lemmas, fold ids.  Returns 0
 * or -ENOMEM. */
static int ctx_init(struct ctx *c) {
        const struct segmented_text *st = c->st;
        int r;

        if ((r = attrib_pair_quotes(c)) < 0)
                return r;
        c->titled = malloc(st->n_sentences + 1);
        c->cue_cache = malloc((st->n_tokens + 1) * sizeof(*c->cue_cache));
        c->sent_cue = calloc(st->n_sentences + 1, sizeof(*c->sent_cue));
        if (!c->titled || !c->cue_cache || !c->sent_cue)
                return -ENOMEM;
        memset(c->titled, -1, st->n_sentences + 1);
        attrib_cues_read(c);
        return 0;
}

/* Reads the cues of sentence s. Returns 0 or -ENOMEM. */
static int do_sentence(struct ctx *c, size_t s) {
        const struct sentence *sen = &c->st->sentences[s];
        int r;

        if ((r = attrib_do_marks(c, s)) < 0)
                return r;
        for (size_t i = sen->tok_begin; i < sen->tok_end; i++) {
                if (c->qof[i] >= 0 && attrib_quote_real(c, c->qof[i]))
                        continue;
                if (fold_is(c, i, "according") && i + 1 < sen->tok_end && fold_is(c, i + 1, "to")) {
                        if ((r = attrib_do_according(c, i, 2)) < 0)
                                return r;
                        continue;
                }
                const char *lemma = attrib_cue_lemma(c, i);
                if (lemma && (r = attrib_do_verb(c, i, lemma)) < 0)
                        return r;
                if (!lemma && i == sen->tok_begin && (lemma = verb_lemma(c, i)) &&
                    !in_lex(c, i, LEXICON_AMBIGUOUS_CUES) && (r = attrib_do_initial_verb(c, i, lemma)) < 0)
                        return r;
        }
        return 0;
}

int attributions_find(const struct segmented_text *st, struct attribution **ret, size_t *ret_n) {
        struct ctx c = { .st = st };
        struct span_index contents = {};
        int r;

        if ((r = ctx_init(&c)) < 0)
                goto fail;
        for (size_t s = 0; s < st->n_sentences; s++)
                if ((r = do_sentence(&c, s)) < 0 || (r = work_budget_check()) < 0)
                        goto fail;
        if ((r = attrib_content_index_make(&c, &contents)) < 0 || (r = attrib_trim_overlaps(&c, &contents)) < 0 ||
            (r = work_budget_check()) < 0 || (r = attrib_drop_nested(&c, &contents)) < 0 ||
            (r = work_budget_check()) < 0)
                goto fail;
        span_index_free(&contents);
        if ((r = attrib_resolve_speakers(&c)) < 0)
                goto fail;
        ctx_free(&c);
        *ret = c.out;
        *ret_n = c.n;
        return 0;
fail:
        span_index_free(&contents);
        ctx_free(&c);
        attributions_free(c.out, c.n);
        return r;
}

void attributions_free(struct attribution *a, size_t n) {
        for (size_t i = 0; a && i < n; i++)
                free(a[i].speaker);
        free(a);
}
