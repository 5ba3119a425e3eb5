/* Reporting cues: which tokens are the verb of an attribution ("said",
 * "denied", "according to" aside), read once per token, and how a cue reads
 * in its clause (an ambiguous noun/verb, a negated neg-raising verb). */
#include <stdlib.h>
#include <string.h>

#include "attrib-internal.h"

/* True when the sentence of token i is written in Title Case (a headline):
 * most of its words are capitalised.  Counted once per sentence. */
static bool title_case(const struct ctx *c, size_t i) {
        int32_t si = tk(c, i)->sentence;
        if (c->titled[si] >= 0)
                return c->titled[si];
        const struct sentence *s = &c->st->sentences[si];
        size_t words = 0, caps = 0;
        for (size_t k = s->tok_begin; k < s->tok_end; k++) {
                if (!(tk(c, k)->flags & TOKEN_WORD))
                        continue;
                words++;
                if (tk(c, k)->flags & (TOKEN_CAPITALIZED | TOKEN_ALLCAPS))
                        caps++;
        }
        c->titled[si] = words >= 4 && caps * 10 >= words * 7;
        return c->titled[si];
}

static const char unknown_cue[] = "";

static const char *cue_lemma_compute(const struct ctx *c, size_t i);

/* cue_lemma_compute() for token i, computed once per text. */
const char *attrib_cue_lemma(const struct ctx *c, size_t i) {
        if (c->cue_cache[i] == unknown_cue)
                c->cue_cache[i] = cue_lemma_compute(c, i);
        return c->cue_cache[i];
}

/* True when token i, a reporting verb's past participle, modifies the noun
 * before it as a passive ("with each patient questioned three times",
 * "most people questioned in the poll agreed that"): that noun is the
 * object of a preposition (within REDUCED_PASSIVE_NP words), a number, a
 * preposition or an adverb follows the participle, and no "that",
 * "whether", colon or quote opens a report before the next cue, comma or
 * the sentence's end.  "Critics of the plan questioned the budget" (an
 * object follows) and "the agency called for" (a sentence's subject) are
 * reports.  Speech verbs proper ("said", "told") are left alone. */
#define REDUCED_PASSIVE_NP 4
static bool reduced_passive(const struct ctx *c, size_t i, const char *lemma) {
        const char *f = fold(c, i);
        size_t sb = sent_begin(c, i), se = sent_end(c, i), p = i - 1, n = i + 1;
        if (!(str_ends_with(f, "ed") || strcmp(f, "found") == 0) || strcmp(f, lemma) == 0 || n + 1 >= se)
                return false;
        if (strcmp(lemma, "say") == 0 || strcmp(lemma, "tell") == 0 || strcmp(lemma, "add") == 0)
                return false;
        if (!is_word(c, p) || is_cap(c, p) || in_lex(c, p, LEXICON_PRONOUNS) || in_lex(c, p, LEXICON_STOPWORDS))
                return false;
        bool object = false;
        for (size_t k = p; k > sb && p - k < REDUCED_PASSIVE_NP && !object; k--) {
                if (!is_word(c, k - 1))
                        break;
                object = is_prep(c, k - 1);
        }
        if (!object)
                return false;
        const char *nf = fold(c, n);
        if (!((tk(c, n)->flags & TOKEN_NUMBER) || in_lex(c, n, LEXICON_NUMBER_WORDS) || is_prep(c, n) ||
              (str_ends_with(nf, "ly") && !is_cap(c, n)) || strcmp(nf, "twice") == 0))
                return false;
        for (size_t m = n; m < se; m++) {
                if (fold_is(c, m, "that") || fold_is(c, m, "whether") || text_is(c, m, ":") || is_open_q(c, m))
                        return false;
                if (is_comma(c, m) || attrib_cue_lemma(c, m))
                        break;
        }
        return true;
}

/* Returns the lemma when token i is a reporting verb used as the verb of an
 * attribution (not a noun after a determiner, not an infinitive, not a
 * passive), else NULL. */
static const char *cue_lemma_compute(const struct ctx *c, size_t i) {
        const char *lemma = verb_lemma(c, i);
        const char *f = fold(c, i);
        size_t sb = sent_begin(c, i);

        if (!lemma)
                return NULL;
        if (i == sb)
                return NULL;
        if ((tk(c, i)->flags & TOKEN_CAPITALIZED) && (!title_case(c, i) || in_lex(c, i, LEXICON_AMBIGUOUS_CUES)))
                return NULL;    /* "Report", "Hope", "Islamic State" inside names */
        size_t p = i - 1;
        if (fold_is(c, p, "to") || is_prep(c, p))
                return NULL;
        if (in_lex(c, p, LEXICON_DETERMINERS) && !fold_is(c, p, "that"))
                return NULL;
        bool contraction = pronoun_kind(c, p) && strchr(fold(c, p), '\'');     /* "he's saying" */
        if ((str_ends_with(fold(c, p), "'s") && !contraction) || str_ends_with(fold(c, p), "s'") ||
            ((text_is(c, p, "'") || text_is(c, p, "\xe2\x80\x99")) && !c->mark[p] &&
             !(p > 0 && c->mark[p - 1]) && p > 0 && adjacent(c, p - 1, p)))
                return NULL;    /* "Putin's claim", "the Clintons' plan" */
        if ((text_is(c, p, "-") && tk(c, p)->end == tk(c, i)->start) ||
            (i + 1 < sent_end(c, i) && text_is(c, i + 1, "-") && tk(c, i + 1)->start == tk(c, i)->end))
                return NULL;    /* "state-run" */
        if (str_ends_with(f, "ing")) {
                /* ", saying ...", "is saying"; a gerund or adjective otherwise */
                /* "footage of Trump saying", "heard him saying" */
                bool named = (is_cap(c, p) && !(tk(c, p)->flags & TOKEN_SENT_START)) || fold_is(c, p, "him") ||
                             fold_is(c, p, "her") || fold_is(c, p, "them") ||
                             /* "saw supporters tweeting that ..." */
                             (i + 1 < sent_end(c, i) && fold_is(c, i + 1, "that") && is_word(c, p));
                if (!is_comma(c, p) && !is_be(c, p) && !is_dash(c, p) && !contraction &&
                    !str_ends_with(fold(c, p), "'re") && !named)
                        return NULL;
        } else if (is_be(c, p) || fold_is(c, p, "being") || fold_is(c, p, "been"))
                return NULL;    /* passive */
        if (reduced_passive(c, i, lemma))
                return NULL;    /* "each patient questioned three times", "a substance found in wine" */
        if ((strcmp(f, "called") == 0 || strcmp(f, "named") == 0 || strcmp(f, "dubbed") == 0) &&
            (tk(c, p)->flags & TOKEN_WORD) && !(tk(c, p)->flags & TOKEN_CAPITALIZED) && !in_lex(c, p, LEXICON_PRONOUNS) &&
            i + 1 < sent_end(c, i) && is_cap(c, i + 1) && !role_noun(c, p))
                return NULL;    /* "a group called Lashkar-e-Taiba" */
        if (p > sb && is_be(c, p - 1) && tk(c, p)->flags & TOKEN_WORD && str_ends_with(fold(c, p), "ly") &&
            !str_ends_with(f, "ing"))
                return NULL;    /* "was widely reported" */
        /* nouns and base forms that need a subject right before them: "the
         * plan", "a report" are caught above; "report" after a plural noun is
         * fine ("officials report"). */
        return lemma;
}

/* True when an ambiguous cue ("states", "plans") at token i, with its
 * subject [b, e), reads as a verb here. */
bool attrib_ambiguous_ok(const struct ctx *c, size_t i, size_t b, size_t e) {
        if (!in_lex(c, i, LEXICON_AMBIGUOUS_CUES))
                return true;
        size_t se = sent_end(c, i);
        if (i + 1 < se && (fold_is(c, i + 1, "that") || fold_is(c, i + 1, "to") || text_is(c, i + 1, ":") ||
                           is_open_q(c, i + 1)))
                return true;
        if (e - b == 1 && in_lex(c, b, LEXICON_PRONOUNS))
                return true;
        /* after a modal or an auxiliary it is a verb: "voters can support" */
        if (i > 0 && (in_lex(c, i - 1, LEXICON_VERB_MODIFIERS) || is_be(c, i - 1)) &&
            !is_cap(c, i - 1))
                return true;
        /* "a Facebook post", "A United Nations report": a compound noun */
        if (e - b >= 2 && (fold_is(c, b, "a") || fold_is(c, b, "an") || fold_is(c, b, "the"))) {
                bool caps = true;
                for (size_t t = b + 1; t < e && caps; t++)
                        caps = is_cap(c, t);
                if (caps)
                        return false;
        }
        return attrib_proper_last(c, b, e) && i == e;
}

/* True when the cue at token i, whose speaker is tokens [b, e), is a
 * neg-raising verb (neg-raising-verbs.txt) negated between the speaker and
 * the cue ("she did not plan", "he never expected") or just before an
 * inverted speaker ("Nor did she plan"), with no comma in between: its
 * content is then what the speaker holds not to be so.  Sets *ret_k to the
 * negation's token. */
#define NEG_RAISING_BEFORE 3
bool attrib_cue_negation(const struct ctx *c, size_t sb, size_t b, size_t e, size_t i, const char *lemma,
                         size_t *ret_k) {
        if (!lexicon_contains(LEXICON_NEG_RAISING_VERBS, lemma))
                return false;
        size_t lo = b > sb + NEG_RAISING_BEFORE ? b - NEG_RAISING_BEFORE : sb;
        for (size_t k = i; k-- > lo;) {
                if (k >= b && k < e)
                        continue;
                if (is_comma(c, k) || is_dash(c, k))
                        return false;
                if (is_word(c, k) && (in_lex(c, k, LEXICON_NEGATION_CUES) || str_ends_with(fold(c, k), "n't"))) {
                        /* "did not plan": the auxiliary too */
                        if (k > lo && !(k - 1 >= b && k - 1 < e) && in_lex(c, k - 1, LEXICON_AUXILIARIES))
                                k--;
                        *ret_k = k;
                        return true;
                }
        }
        return false;
}

void attrib_cues_read(struct ctx *c) {
        const struct segmented_text *st = c->st;
        /* A cue's reading may look at the cues after it in its sentence
         * (reduced_passive()): read from the last token back, each look
         * mostly finds its answer made, and a chain of looks ahead is no
         * longer than a sentence (MAX_SENTENCE_TOKENS, segment.c). */
        for (size_t i = 0; i < st->n_tokens; i++)
                c->cue_cache[i] = unknown_cue;
        for (size_t i = st->n_tokens; i > 0; i--)
                if ((c->qof[i - 1] < 0 || !attrib_quote_real(c, c->qof[i - 1])) && attrib_cue_lemma(c, i - 1))
                        c->sent_cue[st->tokens[i - 1].sentence] = true;
}
