/* What was said: the content before a postposed cue, or after a cue
 * (a quote, "that ...", past a hearer, a time or a place), where it ends,
 * and the stance it is reported with. */
#include <stdio.h>
#include <string.h>

#include "attrib-internal.h"

/* Trims punctuation (and quote marks when trim_quotes) from both ends of the
 * token range [*b, *e). */
void attrib_trim_range(const struct ctx *c, size_t *b, size_t *e) {
        while (*b < *e && !is_word(c, *b) && !text_is(c, *b, "$") && !text_is(c, *b, "(") &&
               !text_is(c, *b, "\xc2\xa3") && !text_is(c, *b, "\xe2\x82\xac"))
                (*b)++;
        while (*e > *b && !is_word(c, *e - 1) && !text_is(c, *e - 1, "%") && !text_is(c, *e - 1, ")"))
                (*e)--;
}

/* Content before a postposed attribution whose clause starts at token k (the
 * comma, dash or closing quote before it).  Fills [*b, *e); returns false when
 * there is nothing there. */
bool attrib_content_before(const struct ctx *c, size_t k, size_t *b, size_t *e) {
        size_t sb = sent_begin(c, k);
        if (is_comma(c, k) && k > 0 && is_close_q(c, k - 1))
                k--;    /* "...", X said */
        if (is_close_q(c, k)) {
                int32_t q = quote_at(c, k);
                if (q < 0)
                        return false;
                *b = attrib_quote_start_back(c, q) + 1;
                *e = k;
                /* a quote inside a clause: 'Trump began by "raising ...," X said' */
                size_t qs = c->quotes[q].open;
                if (qs > sb && tk(c, qs)->sentence == tk(c, k)->sentence) {
                        size_t s = sb;
                        while (s < qs && (fold_is(c, s, "and") || fold_is(c, s, "but") || !is_word(c, s)))
                                s++;
                        if (s < qs && !text_is(c, qs - 1, ":"))
                                *b = s;
                }
                return *b < *e;
        }
        /* an unquoted clause: from the sentence start, or the quote that holds it */
        size_t s = sb;
        int32_t q = quote_at(c, s);
        if (q >= 0 && c->quotes[q].open < s)
                s = c->quotes[q].open + 1;
        while (s < k && (fold_is(c, s, "and") || fold_is(c, s, "but") || fold_is(c, s, "so") ||
                         fold_is(c, s, "yet") || fold_is(c, s, "or") || !is_word(c, s)))
                s++;
        /* "In contrast, the plan ..., X said": an opening adverbial is no part
         * of the content */
        if (s < k && (is_prep(c, s) || opener(c, s) || fold_is(c, s, "however") ||
                      (str_ends_with(fold(c, s), "ly") && !is_cap(c, s + 1 < k ? s + 1 : s)))) {
                for (size_t t = s + 1; t < k && t < s + 8; t++) {
                        if (!is_comma(c, t))
                                continue;
                        if (k - t > 4 && quote_at(c, t) < 0)
                                s = t + 1;
                        break;
                }
        }
        /* "..., which, Smith said, is ...": the content starts at the relative */
        if (k > s + 1 && (fold_is(c, k - 1, "which") || fold_is(c, k - 1, "who") || fold_is(c, k - 1, "where")))
                s = k - 1;
        *b = s;
        *e = k;
        return s < k;
}

/* True when word is a particle of the verb lemma ("point out", "call for"),
 * per conf/lexicon/verb-particles.txt. */
static bool particle_of(const char *lemma, const char *word) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%s %s", lemma, word);
        return n > 0 && (size_t) n < sizeof(buf) && lexicon_contains(LEXICON_VERB_PARTICLES, buf);
}

/* True when the folded words of tokens [i, i+n) joined by spaces are an
 * entry of list id. */
bool attrib_phrase_is(const struct ctx *c, size_t i, size_t n, enum lexicon_id id) {
        char buf[96];
        size_t l = 0;
        for (size_t k = i; k < i + n; k++) {
                const char *f = fold(c, k);
                size_t fl = strlen(f);
                if (l + fl + 2 > sizeof(buf))
                        return false;
                if (l)
                        buf[l++] = ' ';
                memcpy(buf + l, f, fl);
                l += fl;
        }
        buf[l] = 0;
        return lexicon_contains(id, buf);
}

/* A content that is a quote right after the cue (at *k, or after a colon or
 * a comma there; also a quote opening the next paragraph after a colon that
 * ends the sentence: 'Caddell continued:').  Returns 1 and fills [*b, *e),
 * 0 for an empty quote, -1 when no quote opens there (*k then past a colon
 * or a comma before a quote mark). */
static int content_quoted(const struct ctx *c, size_t *k, size_t se, size_t *b, size_t *e) {
        size_t j = *k;
        if (text_is(c, j, ":") && j + 1 == se && se < c->st->n_tokens && is_open_q(c, se) &&
            paragraph_of(c, se) <= paragraph_of(c, j) + 1) {
                int32_t q = quote_at(c, se);
                if (q >= 0) {
                        *b = se + 1;
                        *e = attrib_quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                        return *b < *e;
                }
        }
        if (text_is(c, j, ":") || (is_comma(c, j) && j + 1 < se && is_open_q(c, j + 1)))
                j++;
        *k = j;
        if (j >= se || !is_open_q(c, j))
                return -1;
        int32_t q = quote_at(c, j);
        if (q < 0)
                return -1;
        size_t qe = c->quotes[q].end;
        *b = j + 1;
        *e = qe;
        if (c->quotes[q].closed && qe + 1 >= sent_end(c, qe)) {
                /* the quote ends its sentence: more quoted sentences may follow */
                size_t ne = attrib_quote_continue(c, qe + 1);
                if (ne > qe + 1)
                        *e = ne;
        } else if (!c->quotes[q].closed)
                *e = attrib_quote_continue(c, qe);
        if (c->quotes[q].closed && qe + 1 < sent_end(c, qe) && is_word(c, qe + 1) && !is_prep(c, qe + 1) &&
            !opener(c, qe + 1)) {
                /* "X said "A" and B." - the quote is part of the clause */
                *e = sent_end(c, qe);
        }
        return *b < *e;
}

/* The token after a "that" that follows a hearer, a time or a place within
 * [k, lim) ("told reporters on Friday that", "said in a statement that",
 * "denied reports that"), or SIZE_MAX. */
static size_t after_that(const struct ctx *c, bool hearer, size_t k, size_t lim) {
        for (size_t m = k; m < lim; m++) {
                if (fold_is(c, m, "that") && m > k) {
                        bool ok = true;
                        for (size_t t = k; t < m && ok; t++)
                                if ((attrib_cue_lemma(c, t) && !in_lex(c, t, LEXICON_CLAIM_NOUNS)) || is_end_punct(c, t) ||
                                    /* "warned X to refrain from actions that ...": an infinitive */
                                    (fold_is(c, t, "to") && t + 1 < m && !is_cap(c, t + 1) &&
                                     !in_lex(c, t + 1, LEXICON_DETERMINERS) && !in_lex(c, t + 1, LEXICON_PRONOUNS) &&
                                     !role_noun(c, t + 1)) ||
                                    fold_is(c, t, "who") || fold_is(c, t, "which"))
                                        ok = false;
                        if (ok && (hearer || is_prep(c, k) || in_lex(c, k, LEXICON_TIME_WORDS) || is_comma(c, k) ||
                                   (is_cap(c, k) && m - k <= 4) ||
                                   /* "denied reports that" */
                                   (in_lex(c, m - 1, LEXICON_CLAIM_NOUNS) && m - k <= 4)))
                                return m + 1;
                        return SIZE_MAX;
                }
                if (!is_word(c, m) && !is_comma(c, m) && !c->mark[m] && !is_apostrophe(c, m))
                        return SIZE_MAX;
        }
        return SIZE_MAX;
}

static bool subject_pronoun(const struct ctx *c, size_t m) {
        return fold_is(c, m, "he") || fold_is(c, m, "she") || fold_is(c, m, "they") || fold_is(c, m, "we") ||
               fold_is(c, m, "i") || fold_is(c, m, "it");
}

/* The token after the hearer of a hearer verb at k ("told reporters ...",
 * "told a gathering in Washington she will ..."): a short noun phrase
 * before a wh-word, "to", a quote, or k when there is none. */
static size_t after_hearer(const struct ctx *c, size_t k, size_t lim, size_t se) {
        size_t m = k;
        while (m < lim && (is_word(c, m) || (text_is(c, m, "-") && m > k && adjacent(c, m - 1, m) &&
                                             m + 1 < lim && adjacent(c, m, m + 1))) &&
               !fold_is(c, m, "how") && !fold_is(c, m, "what") &&
               !fold_is(c, m, "whether") && !fold_is(c, m, "if") && !fold_is(c, m, "why") &&
               !fold_is(c, m, "to") && !fold_is(c, m, "about") && !fold_is(c, m, "of") &&
               !fold_is(c, m, "where") && !fold_is(c, m, "when") && !fold_is(c, m, "who") &&
               m - k < 6 && (m == k || is_cap(c, m) || in_lex(c, m, LEXICON_ROLE_NOUNS) ||
                             in_lex(c, m, LEXICON_TIME_WORDS) || in_lex(c, m, LEXICON_DETERMINERS) ||
                             fold_is(c, m, "on")) &&
               !(m > k && in_lex(c, m, LEXICON_PRONOUNS)) && !(m == k && subject_pronoun(c, m)))
                m++;
        /* a hearer phrase opened by a determiner runs to the subject pronoun */
        if (m < lim && in_lex(c, k, LEXICON_DETERMINERS) && !in_lex(c, m, LEXICON_PRONOUNS)) {
                size_t p = m;
                while (p < lim && is_word(c, p) && !in_lex(c, p, LEXICON_PRONOUNS) && !fold_is(c, p, "that") &&
                       !attrib_cue_lemma(c, p) && p - k < 9)
                        p++;
                if (p < lim && subject_pronoun(c, p))
                        m = p;
        }
        if (m < se && (is_comma(c, m) || text_is(c, m, ":")))
                m++;
        return m < se && m > k ? m : k;
}

/* Where the content of cue lemma starts when the tokens from k on are no
 * quote: past a particle of the verb ("pointed out that", "called for"), a
 * hearer, a time or a place, and "that". */
static size_t content_start(const struct ctx *c, const char *lemma, size_t k, size_t se) {
        if (k + 1 < se && particle_of(lemma, fold(c, k)))
                k++;
        bool hearer = lemma_takes_hearer(lemma);
        size_t lim = k + 12 < se ? k + 12 : se;
        size_t t = after_that(c, hearer, k, lim);
        if (t != SIZE_MAX)
                return t;
        if (hearer)
                return after_hearer(c, k, lim, se);
        /* "said Friday", "said on Monday," "said Thursday morning" */
        if (k + 1 < se && (fold_is(c, k, "on") || fold_is(c, k, "late") || fold_is(c, k, "early") ||
                           fold_is(c, k, "last") || fold_is(c, k, "this")) && in_lex(c, k + 1, LEXICON_TIME_WORDS))
                k++;
        while (k < se && in_lex(c, k, LEXICON_TIME_WORDS))
                k++;
        if (k < se && is_comma(c, k))
                k++;
        if (k < se && fold_is(c, k, "that"))
                k++;
        return k;
}

/* "said there was no evidence that X": returns the token after that "that"
 * (and notes a denial), or k. */
static size_t after_no_evidence(struct ctx *c, size_t k, size_t se) {
        for (size_t m = k + 1; m < se && m < k + 8; m++) {
                if (!fold_is(c, m, "that"))
                        continue;
                for (size_t n = 1; n <= 3 && n <= m - k; n++)
                        if (attrib_phrase_is(c, m - n, n, LEXICON_NO_EVIDENCE)) {
                                c->denial_hint = true;
                                return m + 1;
                        }
                return k;
        }
        return k;
}

/* "called the report a hoax": true with *e at the predicate, a denial of
 * the report. */
static bool called_refuted(struct ctx *c, const char *lemma, size_t k, size_t se, size_t *e) {
        if (strcmp(lemma, "call") != 0)
                return false;
        for (size_t m = k + 1; m < se; m++) {
                if (!in_lex(c, m, LEXICON_REFUTATIONS) || quote_at(c, m) >= 0)
                        continue;
                size_t t = m;
                /* back to the article or "as" that opens the predicate: "a complete fabrication" */
                for (size_t u = m; u > k + 1 && u + 3 > m; u--)
                        if (fold_is(c, u - 1, "a") || fold_is(c, u - 1, "an") || fold_is(c, u - 1, "as")) {
                                t = u - 1;
                                break;
                        }
                while (t > k + 1 && (str_ends_with(fold(c, t - 1), "ly") || fold_is(c, t - 1, "just") ||
                                     in_lex(c, t - 1, LEXICON_REFUTATIONS)))
                        t--;
                if (t > k) {
                        c->denial_hint = true;
                        *e = t;
                        return true;
                }
                return false;
        }
        return false;
}

/* Where a content [k, *e) ends: a noun phrase content ("endorsed Trump, who
 * ...", "cited the report and left") at the first comma or at "and" before
 * a verb; any content where another clause starts ("; ", ", but"); a quote
 * that opens it or is left open at the sentence end where the quote ends. */
static void content_end(const struct ctx *c, const char *lemma, size_t k, size_t se, size_t *e) {
        /* an infinitive ("vowed to form ...", "called on X to ...") is a
         * clause, not a noun phrase */
        bool infinitive = false;
        for (size_t m = k; m < se && m < k + 6 && !infinitive; m++)
                infinitive = fold_is(c, m, "to") && m + 1 < se && is_word(c, m + 1) && !is_cap(c, m + 1) &&
                             !in_lex(c, m + 1, LEXICON_DETERMINERS);
        if (lexicon_contains(LEXICON_OBJECT_CUES, lemma) && !fold_is(c, k > 0 ? k - 1 : 0, "that") && !infinitive) {
                for (size_t m = k + 1; m + 1 < se; m++) {
                        if (quote_at(c, m) >= 0 && !is_close_q(c, m))
                                continue;
                        if (is_comma(c, m) || is_dash(c, m) || text_is(c, m, ";") ||
                            (fold_is(c, m, "and") && (verb_lemma(c, m + 1) ||
                                                      (str_ends_with(fold(c, m + 1), "ed") && !is_cap(c, m + 1))))) {
                                *e = m;
                                break;
                        }
                }
        }
        for (size_t m = k + 1; m + 1 < se; m++) {
                if (quote_at(c, m) >= 0)
                        continue;
                if (text_is(c, m, ";") ||
                    (is_comma(c, m) && ((fold_is(c, m + 1, "but") && !(m + 2 < se && fold_is(c, m + 2, "that"))) ||
                                        fold_is(c, m + 1, "while") ||
                                        fold_is(c, m + 1, "although") || fold_is(c, m + 1, "though") ||
                                        fold_is(c, m + 1, "whereas")))) {
                        *e = m;
                        break;
                }
        }
        if (k < se && is_open_q(c, k)) {
                int32_t q = quote_at(c, k);
                if (q >= 0 && c->quotes[q].end + 1 >= se)
                        *e = attrib_quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
        } else {
                /* a quote opened inside the content and left open at the sentence end */
                int32_t q = quote_at(c, se - 1);
                if (q >= 0 && c->quotes[q].open >= k && c->quotes[q].end >= se)
                        *e = c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end;
        }
}

/* Content after a cue whose next token is j: "that ...", a quote, a clause,
 * an object ("called for X").  Fills [*b, *e); returns false when empty. */
bool attrib_content_after(struct ctx *c, const char *lemma, size_t j, size_t *b, size_t *e) {
        size_t se = sent_end(c, j > 0 ? j - 1 : 0);
        size_t k = j;

        if (k >= se)
                return false;
        int quoted = content_quoted(c, &k, se, b, e);
        if (quoted >= 0)
                return quoted;
        k = content_start(c, lemma, k, se);
        if (k >= se)
                return false;
        k = after_no_evidence(c, k, se);
        *b = k;
        *e = se;
        if (called_refuted(c, lemma, k, se, e))
                return true;
        content_end(c, lemma, k, se, e);
        return *b < *e;
}

enum claim_stance attrib_stance_of(const struct ctx *c, size_t cue, const char *lemma, size_t cb, size_t ce) {
        if (in_lex(c, cue, LEXICON_DENIAL_VERBS))
                return STANCE_DENIES;
        if (c->denial_hint)
                return STANCE_DENIES;
        if (strcmp(lemma, "ask") == 0 || strcmp(lemma, "wonder") == 0 || strcmp(lemma, "question") == 0) {
                if (cb < ce && (fold_is(c, cb, "whether") || fold_is(c, cb, "if") ||
                                (cb > 0 && (fold_is(c, cb - 1, "whether") || fold_is(c, cb - 1, "if")))))
                        return STANCE_QUESTIONS;
        }
        for (size_t k = ce; k < c->st->n_tokens && k < ce + 3; k++)
                if (text_is(c, k, "?"))
                        return STANCE_QUESTIONS;
        return STANCE_ASSERTS;
}
