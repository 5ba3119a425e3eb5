#include <string.h>

#include "lexicon.h"
#include "stance.h"
#include "strutil.h"

/* Sentences shorter than this are headings and datelines, not lead. */
#define LEAD_MIN_WORDS 4
/* A quotation of at most this many words is a scare quote ("rumor"),
 * which the publisher's own voice uses; longer quotes are someone else's. */
#define SCARE_QUOTE_WORDS 3
/* How far before a verdict a negation ("is not a hoax") or a hedge ("may
 * be fake") is read. */
#define CUE_REACH 3
#define MAX_VERDICT_WORDS 6


/* Length in tokens of the phrase of list id starting at token i, fillers
 * allowed inside, or 0. */
static size_t phrase_at(const struct segmented_text *st, size_t i, size_t end, enum lexicon_id id) {
        char buf[160];
        size_t l = 0, best = 0, words = 0;
        if (i >= end || !token_begins_entry(&st->tokens[i], id))
                return 0;
        for (size_t k = i; k < end && words < MAX_VERDICT_WORDS; k++) {
                const struct token *t = &st->tokens[k];
                if (!(t->flags & TOKEN_WORD) || !t->fold)
                        break;
                /* fillers inside a phrase, never at its start */
                if (k > i && token_in_list(t, LEXICON_VERDICT_FILLERS))
                        continue;
                size_t fl = strlen(t->fold);
                if (l + fl + 2 > sizeof(buf))
                        break;
                if (l > 0)
                        buf[l++] = ' ';
                memcpy(buf + l, t->fold, fl);
                l += fl;
                buf[l] = 0;
                words++;
                if (lexicon_contains(id, buf))
                        best = k + 1 - i;
                if (!lexicon_extends(id, buf))
                        break;
        }
        return best;
}

size_t story_verdict_at(const struct segmented_text *st, size_t i, size_t end) {
        return phrase_at(st, i, end, LEXICON_VERDICTS);
}

/* A verdict, or a report of one that is a verdict only about the story an
 * article tells ("reports ... have been denied"; "breaks had been denied"
 * in a claim is no refutation). */
static size_t lead_verdict_at(const struct segmented_text *st, size_t i, size_t end) {
        size_t n = phrase_at(st, i, end, LEXICON_VERDICTS);
        return n ? n : phrase_at(st, i, end, LEXICON_LEAD_VERDICTS);
}

static bool negates(const struct token *t) {
        if (!(t->flags & TOKEN_WORD) || !t->fold)
                return false;
        return token_in_list(t, LEXICON_NEGATION_CUES) || str_ends_with(t->fold, "n't");
}

/* Words in the quotation that token k opens or closes. */
static size_t quote_words(const struct segmented_text *st, size_t open) {
        size_t n = 0;
        for (size_t k = open + 1; k < st->n_tokens; k++) {
                if (st->tokens[k].flags & TOKEN_QUOTE)
                        break;
                if (st->tokens[k].flags & TOKEN_WORD)
                        n++;
        }
        return n;
}

/* One past the last lead sentence, given that sentence s is the lead's
 * counted-th sentence. */
static size_t lead_end(const struct segmented_text *st, size_t s, size_t counted) {
        size_t e = s + 1;
        while (e < st->n_sentences && counted < STANCE_LEAD_SENTENCES) {
                const struct sentence *sen = &st->sentences[e];
                size_t words = 0;
                for (size_t k = sen->tok_begin; k < sen->tok_end; k++)
                        words += (st->tokens[k].flags & TOKEN_WORD) != 0;
                if (words >= LEAD_MIN_WORDS)
                        counted++;
                e++;
        }
        return e;
}

int story_verdict_find(const struct segmented_text *st, struct story_verdict *ret) {
        size_t lead = 0;
        bool have_first = false;
        size_t first = 0;
        bool in_quote = false;
        size_t quote_len = 0;

        if (!st || !ret)
                return 0;
        for (size_t s = 0; s < st->n_sentences && lead < STANCE_VERDICT_SENTENCES; s++) {
                const struct sentence *sen = &st->sentences[s];
                size_t words = 0;
                for (size_t k = sen->tok_begin; k < sen->tok_end; k++)
                        words += (st->tokens[k].flags & TOKEN_WORD) != 0;
                bool question = sen->tok_end > sen->tok_begin &&
                        st->tokens[sen->tok_end - 1].fold && strcmp(st->tokens[sen->tok_end - 1].fold, "?") == 0;
                bool counts = words >= LEAD_MIN_WORDS;
                if (counts && !have_first) {
                        have_first = true;
                        first = s;
                }
                for (size_t k = sen->tok_begin; k < sen->tok_end; k++) {
                        const struct token *t = &st->tokens[k];
                        if (t->flags & TOKEN_QUOTE) {
                                if ((t->flags & TOKEN_QUOTE_OPEN) && !in_quote) {
                                        in_quote = true;
                                        quote_len = quote_words(st, k);
                                } else if (in_quote)
                                        in_quote = false;
                                continue;
                        }
                        if (!counts || question || (in_quote && quote_len > SCARE_QUOTE_WORDS))
                                continue;
                        size_t n = lead_verdict_at(st, k, sen->tok_end);
                        if (n == 0)
                                continue;
                        /* "is not a hoax", "no evidence it was faked" */
                        bool negated = false, hedged = false;
                        for (size_t j = k; j > sen->tok_begin && j + CUE_REACH > k; j--) {
                                const struct token *p = &st->tokens[j - 1];
                                if (p->flags & TOKEN_PUNCT)
                                        break;
                                if (negates(p))
                                        negated = true;
                                if (token_in_list(p, LEXICON_HEDGES))
                                        hedged = true;
                        }
                        if (negated) {
                                k += n - 1;
                                continue;
                        }
                        *ret = (struct story_verdict) {
                                .sentence = s,
                                .cue_begin = k,
                                .cue_end = k + n,
                                .lead_begin = have_first ? first : s,
                                .lead_end = lead_end(st, s, lead + 1),
                                .hedged = hedged,
                        };
                        return 1;
                }
                if (counts)
                        lead++;
        }
        return 0;
}

bool stance_terms_untrue(const char *terms) {
        size_t n = strlen(STANCE_UNTRUE_TERM);
        for (const char *p = terms; p && (p = strstr(p, STANCE_UNTRUE_TERM)); p += n)
                if ((p == terms || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return true;
        return false;
}

bool stance_text_refutes(const struct segmented_text *st) {
        for (size_t k = 0; st && k < st->n_tokens; k++) {
                size_t n = lead_verdict_at(st, k, st->n_tokens);
                if (n == 0)
                        continue;
                bool negated = false;
                for (size_t j = k; j > 0 && j + CUE_REACH > k; j--) {
                        const struct token *p = &st->tokens[j - 1];
                        if ((p->flags & TOKEN_PUNCT) || p->sentence != st->tokens[k].sentence)
                                break;
                        if (negates(p))
                                negated = true;
                }
                if (!negated)
                        return true;
                k += n - 1;
        }
        return false;
}
