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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib.h"
#include "budget.h"
#include "hash.h"
#include "lexicon.h"
#include "span-index.h"

enum shape { SHAPE_PRE, SHAPE_POST, SHAPE_INV, SHAPE_PART, SHAPE_COORD, SHAPE_ACCORDING, SHAPE_OTHER };

struct quote {
        size_t open;            /* token of the opening mark */
        size_t end;             /* token of the closing mark, or one past the paragraph's last token */
        bool closed;
};

/* Per attribution bookkeeping that does not go out. */
struct work {
        enum shape shape;
        size_t name_b, name_e;  /* tokens of the speaker's name part (no appositive); name_b == name_e: none */
        size_t cue_tok;
};

struct ctx {
        const struct segmented_text *st;
        struct quote *quotes;
        size_t n_quotes;
        int32_t *qof;           /* per token: the quote holding it (marks included), or -1 */
        uint8_t *mark;          /* per token: 1 opens a quote, 2 closes one, 0 neither (after pairing) */
        bool denial_hint;       /* set by content_after: "called it a hoax", "no evidence that" */
        const char **cue_cache; /* per token: cue_lemma() once computed; &unknown_cue before */
        bool *sent_cue;         /* per sentence: a cue candidate outside quotes */
        int8_t *titled;         /* per sentence: title_case() once computed, -1 before */
        uint64_t *seen;         /* the contents added: open addressing of start << 32 | end, 0 empty */
        size_t seen_mask, n_seen;
        struct attribution *out;
        struct work *work;
        size_t n, allocated;
};

static const struct token *tk(const struct ctx *c, size_t i) {
        return &c->st->tokens[i];
}

static const char *fold(const struct ctx *c, size_t i) {
        return c->st->tokens[i].fold ? c->st->tokens[i].fold : "";
}

static bool fold_is(const struct ctx *c, size_t i, const char *s) {
        return strcmp(fold(c, i), s) == 0;
}

static bool in_lex(const struct ctx *c, size_t i, enum lexicon_id id) {
        return token_in_list(tk(c, i), id);
}

static bool is_word(const struct ctx *c, size_t i) {
        return tk(c, i)->flags & (TOKEN_WORD | TOKEN_NUMBER);
}

static bool is_cap(const struct ctx *c, size_t i) {
        return (tk(c, i)->flags & (TOKEN_CAPITALIZED | TOKEN_ALLCAPS)) && (tk(c, i)->flags & TOKEN_WORD);
}

/* True when token i's text is exactly s. */
static bool text_is(const struct ctx *c, size_t i, const char *s) {
        const struct token *t = tk(c, i);
        size_t l = strlen(s);
        return (size_t) (t->end - t->start) == l && memcmp(c->st->text + t->start, s, l) == 0;
}

static bool is_comma(const struct ctx *c, size_t i) {
        return text_is(c, i, ",");
}

static bool is_dash(const struct ctx *c, size_t i) {
        if (text_is(c, i, "\xe2\x80\x94") || text_is(c, i, "\xe2\x80\x93") || text_is(c, i, "\xe2\x80\x95") ||
            text_is(c, i, "--"))
                return true;
        /* "-" standing alone or as half of "--", not a hyphen inside a word */
        if (!text_is(c, i, "-"))
                return false;
        const struct token *t = &c->st->tokens[i];
        bool glued_left = i > 0 && c->st->tokens[i - 1].end == t->start && !text_is(c, i - 1, "-");
        bool glued_right = i + 1 < c->st->n_tokens && c->st->tokens[i + 1].start == t->end && !text_is(c, i + 1, "-");
        return !(glued_left && glued_right);
}

static bool is_end_punct(const struct ctx *c, size_t i) {
        return text_is(c, i, ".") || text_is(c, i, "?") || text_is(c, i, "!") || text_is(c, i, "\xe2\x80\xa6") ||
               text_is(c, i, ";");
}

static bool is_open_q(const struct ctx *c, size_t i) {
        return c->mark[i] == 1;
}

static bool is_close_q(const struct ctx *c, size_t i) {
        return c->mark[i] == 2;
}

static bool is_apostrophe(const struct ctx *c, size_t i) {
        return text_is(c, i, "'") || text_is(c, i, "\xe2\x80\x99") || text_is(c, i, "\xe2\x80\x98") ||
               text_is(c, i, "`");
}

/* True when tokens a and b touch (no space between). */
static bool adjacent(const struct ctx *c, size_t a, size_t b) {
        return tk(c, a)->end == tk(c, b)->start;
}

/* A double quotation mark (single ones nest inside quotes and are ignored). */
static bool is_double_q(const struct ctx *c, size_t i) {
        return text_is(c, i, "\"") || text_is(c, i, "\xe2\x80\x9c") || text_is(c, i, "\xe2\x80\x9d") ||
               text_is(c, i, "\xc2\xab") || text_is(c, i, "\xc2\xbb") || text_is(c, i, "\xe2\x80\x9e") ||
               text_is(c, i, "''") || text_is(c, i, "``");
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static size_t sent_begin(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].tok_begin;
}

static size_t sent_end(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].tok_end;
}

static int32_t paragraph_of(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].paragraph;
}

static bool is_be(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_BE_FORMS);
}

static bool is_prep(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_PREPOSITIONS);
}

/* True when token i is a role noun, singular or plural ("attorneys"). */
static bool role_noun(const struct ctx *c, size_t i) {
        const char *f = c->st->tokens[i].fold ? c->st->tokens[i].fold : "";
        size_t l = strlen(f);
        return token_in_list(tk(c, i), LEXICON_ROLE_NOUNS) ||
               (l > 3 && f[l - 1] == 's' && lexicon_contains_n(LEXICON_ROLE_NOUNS, f, l - 1));
}

/* Verbs whose first object is the hearer: "told reporters that ...". */
static bool lemma_takes_hearer(const char *lemma) {
        return lexicon_contains(LEXICON_HEARER_VERBS, lemma);
}

/* The kind of pronoun token i is (pronouns.txt: "p", "g", "s"), also with a
 * contracted auxiliary ("he's", "they've"); NULL for other words. */
static const char *pronoun_kind(const struct ctx *c, size_t i) {
        const char *f = fold(c, i), *apo = strchr(f, '\'');
        const char *k = token_in_list(tk(c, i), LEXICON_PRONOUNS) ? lexicon_lookup(LEXICON_PRONOUNS, f) : NULL;
        if (k || !apo || apo == f || !(tk(c, i)->flags & TOKEN_WORD))
                return k;
        if (strcmp(apo, "'s") != 0 && strcmp(apo, "'ve") != 0 && strcmp(apo, "'d") != 0 && strcmp(apo, "'ll") != 0)
                return NULL;
        char buf[16];
        size_t l = (size_t) (apo - f);
        if (l >= sizeof(buf))
                return NULL;
        memcpy(buf, f, l);
        buf[l] = 0;
        return lexicon_lookup(LEXICON_PRONOUNS, buf);
}

/* Returns the lemma when token i is a reporting verb in word form, else NULL.
 * Says nothing about whether it is used as a verb here. */
static const char *verb_lemma(const struct ctx *c, size_t i) {
        if (!(tk(c, i)->flags & TOKEN_WORD) || !in_lex(c, i, LEXICON_REPORTING_VERBS))
                return NULL;
        return lexicon_lookup(LEXICON_REPORTING_VERBS, fold(c, i));
}

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
static const char *cue_lemma(const struct ctx *c, size_t i) {
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
        if (!(ends_with(f, "ed") || strcmp(f, "found") == 0) || strcmp(f, lemma) == 0 || n + 1 >= se)
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
              (ends_with(nf, "ly") && !is_cap(c, n)) || strcmp(nf, "twice") == 0))
                return false;
        for (size_t m = n; m < se; m++) {
                if (fold_is(c, m, "that") || fold_is(c, m, "whether") || text_is(c, m, ":") || is_open_q(c, m))
                        return false;
                if (is_comma(c, m) || cue_lemma(c, m))
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
        if ((ends_with(fold(c, p), "'s") && !contraction) || ends_with(fold(c, p), "s'") ||
            ((text_is(c, p, "'") || text_is(c, p, "\xe2\x80\x99")) && !c->mark[p] &&
             !(p > 0 && c->mark[p - 1]) && p > 0 && adjacent(c, p - 1, p)))
                return NULL;    /* "Putin's claim", "the Clintons' plan" */
        if ((text_is(c, p, "-") && tk(c, p)->end == tk(c, i)->start) ||
            (i + 1 < sent_end(c, i) && text_is(c, i + 1, "-") && tk(c, i + 1)->start == tk(c, i)->end))
                return NULL;    /* "state-run" */
        if (ends_with(f, "ing")) {
                /* ", saying ...", "is saying"; a gerund or adjective otherwise */
                /* "footage of Trump saying", "heard him saying" */
                bool named = (is_cap(c, p) && !(tk(c, p)->flags & TOKEN_SENT_START)) || fold_is(c, p, "him") ||
                             fold_is(c, p, "her") || fold_is(c, p, "them") ||
                             /* "saw supporters tweeting that ..." */
                             (i + 1 < sent_end(c, i) && fold_is(c, i + 1, "that") && is_word(c, p));
                if (!is_comma(c, p) && !is_be(c, p) && !is_dash(c, p) && !contraction &&
                    !ends_with(fold(c, p), "'re") && !named)
                        return NULL;
        } else if (is_be(c, p) || fold_is(c, p, "being") || fold_is(c, p, "been"))
                return NULL;    /* passive */
        if (reduced_passive(c, i, lemma))
                return NULL;    /* "each patient questioned three times", "a substance found in wine" */
        if ((strcmp(f, "called") == 0 || strcmp(f, "named") == 0 || strcmp(f, "dubbed") == 0) &&
            (tk(c, p)->flags & TOKEN_WORD) && !(tk(c, p)->flags & TOKEN_CAPITALIZED) && !in_lex(c, p, LEXICON_PRONOUNS) &&
            i + 1 < sent_end(c, i) && is_cap(c, i + 1) && !role_noun(c, p))
                return NULL;    /* "a group called Lashkar-e-Taiba" */
        if (p > sb && is_be(c, p - 1) && tk(c, p)->flags & TOKEN_WORD && ends_with(fold(c, p), "ly") &&
            !ends_with(f, "ing"))
                return NULL;    /* "was widely reported" */
        /* nouns and base forms that need a subject right before them: "the
         * plan", "a report" are caught above; "report" after a plural noun is
         * fine ("officials report"). */
        return lemma;
}

/* True when the token range names a person or a body by a proper name: its
 * last word is capitalised and not a role noun. */
static bool proper_last(const struct ctx *c, size_t b, size_t e) {
        if (!(e > b && is_cap(c, e - 1) && !role_noun(c, e - 1) && !in_lex(c, e - 1, LEXICON_STOPWORDS)))
                return false;
        /* "Photos showed": a plural capitalised only by the sentence start */
        if (e - b == 1 && (tk(c, b)->flags & TOKEN_SENT_START) && !(tk(c, b)->flags & TOKEN_ALLCAPS) &&
            ends_with(fold(c, b), "s") && !ends_with(fold(c, b), "ss"))
                return false;
        return true;
}


/* Skips auxiliaries, adverbs and time phrases left of token j (exclusive),
 * not past sb; returns the new exclusive end. */
static size_t skip_modifiers_left(const struct ctx *c, size_t sb, size_t j, bool progressive) {
        while (j > sb) {
                size_t k = j - 1;
                const char *f = fold(c, k);
                if (!(tk(c, k)->flags & TOKEN_WORD))
                        break;
                /* an -ly word is an adverb unless a determiner or a possessive
                 * makes it a noun ("the family said") */
                bool ly = !(tk(c, k)->flags & TOKEN_CAPITALIZED) && ends_with(f, "ly") && strlen(f) > 4 &&
                          !in_lex(c, k, LEXICON_ROLE_NOUNS) &&
                          !(k > sb && (in_lex(c, k - 1, LEXICON_DETERMINERS) || ends_with(fold(c, k - 1), "'s")));
                if (in_lex(c, k, LEXICON_VERB_MODIFIERS) || ly) {
                        j--;
                        continue;
                }
                if (progressive && is_be(c, k)) {
                        j--;
                        continue;
                }
                if (in_lex(c, k, LEXICON_TIME_WORDS) && k > sb &&
                    (fold_is(c, k - 1, "on") || fold_is(c, k - 1, "last") || fold_is(c, k - 1, "this") ||
                     fold_is(c, k - 1, "late") || fold_is(c, k - 1, "early") || fold_is(c, k - 1, "next"))) {
                        j -= 2;
                        continue;
                }
                if (in_lex(c, k, LEXICON_TIME_WORDS) && (tk(c, k)->flags & TOKEN_CAPITALIZED) &&
                    k > sb && !is_cap(c, k - 1)) {
                        j--;    /* "Trump Monday said" is rare; "officials Monday said" */
                        continue;
                }
                break;
        }
        return j;
}

/* Walks left from token j (exclusive) over a noun phrase; returns the first
 * token of the phrase (== j when there is none). */
static size_t np_walk_left(const struct ctx *c, size_t sb, size_t j) {
        size_t k = j, n = 0;
        while (k > sb && n < 12) {
                size_t t = k - 1;
                if (is_word(c, t)) {
                        if (verb_lemma(c, t) && !in_lex(c, t, LEXICON_ROLE_NOUNS) && !is_cap(c, t))
                                break;
                        if (in_lex(c, t, LEXICON_CLAUSE_WORDS)) {
                                /* "Trump and Pence", "Smith & Wesson" */
                                if ((fold_is(c, t, "and") || fold_is(c, t, "&")) && t > sb && is_cap(c, t - 1) &&
                                    t + 1 < j && is_cap(c, t + 1)) {
                                        k--;
                                        n++;
                                        continue;
                                }
                                break;
                        }
                        if (in_lex(c, t, LEXICON_TIME_WORDS) && !(tk(c, t)->flags & TOKEN_CAPITALIZED))
                                break;
                } else if (text_is(c, t, ")") && t + 1 == j) {
                        /* "Jason Chaffetz (R-Utah)" */
                        size_t p = t;
                        while (p > sb && t - p < 8 && !text_is(c, p, "("))
                                p--;
                        if (!text_is(c, p, "(") || p == sb)
                                break;
                        k = p;
                        continue;
                } else if (!(text_is(c, t, "-") || text_is(c, t, "'") || text_is(c, t, "\xe2\x80\x99") ||
                             text_is(c, t, "/") || text_is(c, t, "&") || text_is(c, t, ".")))
                        break;
                else if (text_is(c, t, "-") && (t == sb || !adjacent(c, t - 1, t) || t + 1 >= j || !adjacent(c, t, t + 1)))
                        break;  /* "WASHINGTON -- President Obama" */
                k--;
                n++;
        }
        /* leading words that cannot open a noun phrase: "In Moscow officials" */
        while (k < j && (!is_word(c, k) || (in_lex(c, k, LEXICON_STOPWORDS) &&
                                            !in_lex(c, k, LEXICON_DETERMINERS) &&
                                            !in_lex(c, k, LEXICON_PRONOUNS))))
                k++;
        /* "Last week Mr. Trump" */
        for (size_t t = k; t + 1 < j; t++)
                if (in_lex(c, t, LEXICON_TIME_WORDS))
                        k = t + 1;
        if (k < j && !is_word(c, j - 1) && !text_is(c, j - 1, ")"))
                return j;
        if (k < j && in_lex(c, j - 1, LEXICON_DETERMINERS) && !fold_is(c, j - 1, "one"))
                return j;
        /* the head of a subject is no participle or adverb: "speaking said",
         * "solidifying their leads", "instead" */
        if (k < j && !(tk(c, j - 1)->flags & TOKEN_CAPITALIZED) && !role_noun(c, j - 1)) {
                const char *h = fold(c, j - 1);
                if (ends_with(h, "ing") || (ends_with(h, "ed") && strlen(h) > 4 && j - k == 1) ||
                    lexicon_contains(LEXICON_VERB_MODIFIERS, h) || strcmp(h, "twice") == 0 ||
                    strcmp(h, "instead") == 0 || strcmp(h, "together") == 0 || strcmp(h, "alone") == 0)
                        return j;
        }
        return k;
}

/* Finds the speaker left of the cue at token i.  Fills [*b, *e) (the whole
 * mention, with an appositive) and [*nb, *ne) (the name part); returns false
 * when there is no subject phrase there. */
static bool subject_left(const struct ctx *c, size_t i, bool progressive,
                         size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t sb = sent_begin(c, i);
        size_t j = skip_modifiers_left(c, sb, i, progressive);
        if (j == sb)
                return false;
        size_t k = j - 1;

        if (fold_is(c, k, "who") || fold_is(c, k, "that") || fold_is(c, k, "which")) {
                /* "Smith, who said" / "officials who said" */
                size_t m = k;
                if (m > sb && is_comma(c, m - 1))
                        m--;
                size_t s = np_walk_left(c, sb, m);
                if (s == m)
                        return false;
                /* the mention is the relative pronoun; the name its antecedent */
                *b = k;
                *e = k + 1;
                *nb = s;
                *ne = m;
                return true;
        }
        if (in_lex(c, k, LEXICON_PRONOUNS) && (tk(c, k)->flags & TOKEN_WORD)) {
                *b = *nb = k;
                *e = *ne = j;
                return true;
        }
        /* "he's sought", "they've said": a pronoun with its auxiliary */
        if (pronoun_kind(c, k)) {
                *b = *nb = k;
                *e = *ne = j;
                return true;
        }
        if (is_comma(c, k) || is_dash(c, k)) {
                /* "Michael Smith, president of the union, said", "Kall -- co-editor of ... -- said" */
                bool dash = is_dash(c, k);
                size_t kk = k;
                while (dash && kk > sb && is_dash(c, kk - 1))
                        kk--;   /* "- -" printed for "--" */
                size_t m = kk;
                while (m > sb && kk - m < 36) {
                        m--;
                        if ((dash ? is_dash(c, m) : is_comma(c, m)) || (tk(c, m)->flags & TOKEN_QUOTE) ||
                            is_end_punct(c, m) || text_is(c, m, ":"))
                                break;
                        if (cue_lemma(c, m) && !in_lex(c, m, LEXICON_ROLE_NOUNS))
                                return false;
                }
                if (!(dash ? is_dash(c, m) : is_comma(c, m)) || m + 1 >= kk)
                        return false;
                size_t ap = m + 1;      /* the appositive is [ap, kk) */
                while (dash && m > sb && is_dash(c, m - 1))
                        m--;
                size_t s = np_walk_left(c, sb, m);
                if (s == m || m - s > 8)
                        return false;
                /* the appositive names a role: a determiner, a role noun or a capitalised phrase */
                if (!proper_last(c, s, m) && !in_lex(c, ap, LEXICON_DETERMINERS) &&
                    !role_noun(c, ap) &&
                    !fold_is(c, ap, "who") && !is_cap(c, ap) && !(tk(c, ap)->flags & TOKEN_NUMBER) &&
                    !ends_with(fold(c, ap), "ing") && !is_prep(c, ap))
                        return false;
                /* "..., assert" after a list of verbs: a base form is no reporting here */
                if (verb_lemma(c, i) && strcmp(verb_lemma(c, i), fold(c, i)) == 0)
                        return false;
                if (!is_cap(c, m - 1) && !role_noun(c, m - 1) && !text_is(c, m - 1, ")"))
                        return false;
                *b = *nb = s;
                *ne = m;
                *e = k + 1;
                /* "one of the attorneys, Justin Bamberg, said": the name is the appositive */
                if (!proper_last(c, s, m) && kk - ap <= 4) {
                        bool name = true;
                        for (size_t t = ap; t < kk && name; t++)
                                name = is_cap(c, t) || text_is(c, t, ".");
                        if (name && proper_last(c, ap, kk)) {
                                *nb = ap;
                                *ne = kk;
                        }
                }
                return true;
        }
        size_t s = np_walk_left(c, sb, j);
        if (s == j)
                return false;
        *b = *nb = s;
        *e = *ne = j;
        return true;
}

/* Finds the speaker right of an inverted cue ("said Smith, the mayor.").
 * Returns false when no noun phrase follows. */
static bool subject_right(const struct ctx *c, size_t j, size_t se, size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t k = j, n = 0;
        while (k < se && n < 10) {
                if (is_word(c, k)) {
                        if (in_lex(c, k, LEXICON_CLAUSE_WORDS))
                                break;
                        if (k > j && (fold_is(c, k, "in") || fold_is(c, k, "at")) && k + 1 < se &&
                            (fold_is(c, k + 1, "the") || is_cap(c, k + 1)) &&
                            !(k + 2 < se && in_lex(c, k + 2, LEXICON_TIME_WORDS)) &&
                            !(k + 1 < se && in_lex(c, k + 1, LEXICON_TIME_WORDS))) {
                                k++;    /* "a source in the room", "an official at the Pentagon" */
                                n++;
                                continue;
                        }
                        if (k > j && (fold_is(c, k, "in") || fold_is(c, k, "on") || fold_is(c, k, "during") ||
                                      fold_is(c, k, "at") || fold_is(c, k, "after")))
                                break;
                        if (in_lex(c, k, LEXICON_TIME_WORDS) && !is_cap(c, k))
                                break;
                        if (in_lex(c, k, LEXICON_TIME_WORDS) && k > j)
                                break;
                } else if (text_is(c, k, "(") && k > j) {
                        /* "Jason Chaffetz (R-Utah)" */
                        size_t p = k;
                        while (p < se && p - k < 8 && !text_is(c, p, ")"))
                                p++;
                        if (p >= se || !text_is(c, p, ")"))
                                break;
                        n += p + 1 - k;
                        k = p + 1;
                        continue;
                } else if (!(text_is(c, k, "-") || text_is(c, k, "'") || text_is(c, k, "\xe2\x80\x99") ||
                             text_is(c, k, ".") || text_is(c, k, "&") || text_is(c, k, "/")) || k == j)
                        break;
                k++;
                n++;
        }
        if (k == j)
                return false;
        if (!is_cap(c, j) && !in_lex(c, j, LEXICON_DETERMINERS) && !in_lex(c, j, LEXICON_ROLE_NOUNS) &&
            !in_lex(c, j, LEXICON_PRONOUNS) && !(tk(c, j)->flags & TOKEN_NUMBER))
                return false;
        /* no verb inside: "said the videos show Scott" is no speaker */
        for (size_t t = j + 1; t < k; t++)
                if (verb_lemma(c, t) && !in_lex(c, t - 1, LEXICON_DETERMINERS) && !ends_with(fold(c, t - 1), "'s"))
                        return false;
        *b = *nb = j;
        *e = *ne = k;
        /* ", the mayor of X." to the sentence end */
        if (k < se && is_comma(c, k) && k + 1 < se &&
            (in_lex(c, k + 1, LEXICON_DETERMINERS) || in_lex(c, k + 1, LEXICON_ROLE_NOUNS) || is_cap(c, k + 1))) {
                size_t m = k + 1;
                while (m < se && !is_comma(c, m) && !is_end_punct(c, m) && !(tk(c, m)->flags & TOKEN_QUOTE) &&
                       !fold_is(c, m, "who") && m - k < 14)
                        m++;
                if (m == se || is_end_punct(c, m) || is_comma(c, m))
                        *e = m;
        }
        return true;
}

/* Trims punctuation (and quote marks when trim_quotes) from both ends of the
 * token range [*b, *e). */
static void trim_range(const struct ctx *c, size_t *b, size_t *e) {
        while (*b < *e && !is_word(c, *b) && !text_is(c, *b, "$") && !text_is(c, *b, "(") &&
               !text_is(c, *b, "\xc2\xa3") && !text_is(c, *b, "\xe2\x82\xac"))
                (*b)++;
        while (*e > *b && !is_word(c, *e - 1) && !text_is(c, *e - 1, "%") && !text_is(c, *e - 1, ")"))
                (*e)--;
}

/* Index of the quote holding token i, or -1. */
static int32_t quote_at(const struct ctx *c, size_t i) {
        return c->qof[i];
}

/* Extends a quoted content backwards over quotes left open at the end of the
 * paragraphs before (the news convention for quotes over paragraphs). */
static size_t quote_start_back(const struct ctx *c, int32_t q) {
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
static size_t quote_continue(const struct ctx *c, size_t end) {
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

        trim_range(c, &cb, &ce);
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

/* True for words that open an adverbial clause or phrase ("When ...,", "As
 * ...,", "Asked about ...,"). */
static bool opener(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_CLAUSE_OPENERS);
}

/* Content before a postposed attribution whose clause starts at token k (the
 * comma, dash or closing quote before it).  Fills [*b, *e); returns false when
 * there is nothing there. */
static bool content_before(const struct ctx *c, size_t k, size_t *b, size_t *e) {
        size_t sb = sent_begin(c, k);
        if (is_comma(c, k) && k > 0 && is_close_q(c, k - 1))
                k--;    /* "...", X said */
        if (is_close_q(c, k)) {
                int32_t q = quote_at(c, k);
                if (q < 0)
                        return false;
                *b = quote_start_back(c, q) + 1;
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
                      (ends_with(fold(c, s), "ly") && !is_cap(c, s + 1 < k ? s + 1 : s)))) {
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

/* Content after a cue whose next token is j: "that ...", a quote, a clause,
 * an object ("called for X").  Fills [*b, *e); returns false when empty. */
/* True when word is a particle of the verb lemma ("point out", "call for"),
 * per conf/lexicon/verb-particles.txt. */
static bool particle_of(const char *lemma, const char *word) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%s %s", lemma, word);
        return n > 0 && (size_t) n < sizeof(buf) && lexicon_contains(LEXICON_VERB_PARTICLES, buf);
}

/* True when the folded words of tokens [i, i+n) joined by spaces are an
 * entry of list id. */
static bool phrase_is(const struct ctx *c, size_t i, size_t n, enum lexicon_id id) {
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

static bool content_after(struct ctx *c, const char *lemma, size_t j, size_t *b, size_t *e) {
        size_t se = sent_end(c, j > 0 ? j - 1 : 0);
        size_t k = j;

        if (k >= se)
                return false;
        /* 'Caddell continued:' and the quote in the next paragraph */
        if (text_is(c, k, ":") && k + 1 == se && se < c->st->n_tokens && is_open_q(c, se) &&
            paragraph_of(c, se) <= paragraph_of(c, k) + 1) {
                int32_t q = quote_at(c, se);
                if (q >= 0) {
                        *b = se + 1;
                        *e = quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                        return *b < *e;
                }
        }
        if (text_is(c, k, ":") || (is_comma(c, k) && k + 1 < se && is_open_q(c, k + 1)))
                k++;
        if (k < se && is_open_q(c, k)) {
                int32_t q = quote_at(c, k);
                if (q >= 0) {
                        size_t qe = c->quotes[q].end;
                        *b = k + 1;
                        *e = qe;
                        if (c->quotes[q].closed && qe + 1 >= sent_end(c, qe)) {
                                /* the quote ends its sentence: more quoted sentences may follow */
                                size_t ne = quote_continue(c, qe + 1);
                                if (ne > qe + 1)
                                        *e = ne;
                        } else if (!c->quotes[q].closed)
                                *e = quote_continue(c, qe);
                        if (c->quotes[q].closed && qe + 1 < sent_end(c, qe) && is_word(c, qe + 1) &&
                            !is_prep(c, qe + 1) && !opener(c, qe + 1)) {
                                /* "X said "A" and B." - the quote is part of the clause */
                                *e = sent_end(c, qe);
                        }
                        return *b < *e;
                }
        }
        /* a particle of the verb is no content: "pointed out that", "called for" */
        if (k + 1 < se && particle_of(lemma, fold(c, k)))
                k++;
        /* skip a hearer, a time or a place before "that": "told reporters on
         * Friday that", "said in a statement that" */
        bool hearer = lemma_takes_hearer(lemma);
        size_t lim = k + 12 < se ? k + 12 : se;
        for (size_t m = k; m < lim; m++) {
                if (fold_is(c, m, "that") && m > k) {
                        bool ok = true;
                        for (size_t t = k; t < m && ok; t++)
                                if ((cue_lemma(c, t) && !in_lex(c, t, LEXICON_CLAIM_NOUNS)) || is_end_punct(c, t) ||
                                    /* "warned X to refrain from actions that ...": an infinitive */
                                    (fold_is(c, t, "to") && t + 1 < m && !is_cap(c, t + 1) &&
                                     !in_lex(c, t + 1, LEXICON_DETERMINERS) && !in_lex(c, t + 1, LEXICON_PRONOUNS) &&
                                     !role_noun(c, t + 1)) ||
                                    fold_is(c, t, "who") || fold_is(c, t, "which"))
                                        ok = false;
                        if (ok && (hearer || is_prep(c, k) || in_lex(c, k, LEXICON_TIME_WORDS) || is_comma(c, k) ||
                                   (is_cap(c, k) && m - k <= 4) ||
                                   /* "denied reports that" */
                                   (in_lex(c, m - 1, LEXICON_CLAIM_NOUNS) && m - k <= 4))) {
                                k = m + 1;
                                goto found;
                        }
                        break;
                }
                if (!is_word(c, m) && !is_comma(c, m) && !c->mark[m] && !is_apostrophe(c, m))
                        break;
        }
        if (hearer) {
                /* the hearer: a short noun phrase before a wh-word, "to", a quote */
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
                       !(m > k && in_lex(c, m, LEXICON_PRONOUNS)) &&
                       !(m == k && (fold_is(c, m, "he") || fold_is(c, m, "she") || fold_is(c, m, "they") ||
                                    fold_is(c, m, "we") || fold_is(c, m, "i") || fold_is(c, m, "it"))))
                        m++;
                /* "told a gathering in Washington she will ...": a hearer phrase
                 * opened by a determiner runs to the subject pronoun */
                if (m < lim && in_lex(c, k, LEXICON_DETERMINERS) && !in_lex(c, m, LEXICON_PRONOUNS)) {
                        size_t p = m;
                        while (p < lim && is_word(c, p) && !in_lex(c, p, LEXICON_PRONOUNS) && !fold_is(c, p, "that") &&
                               !cue_lemma(c, p) && p - k < 9)
                                p++;
                        if (p < lim && (fold_is(c, p, "he") || fold_is(c, p, "she") || fold_is(c, p, "they") ||
                                        fold_is(c, p, "we") || fold_is(c, p, "i") || fold_is(c, p, "it")))
                                m = p;
                }
                if (m < se && (is_comma(c, m) || text_is(c, m, ":")))
                        m++;
                if (m < se && m > k)
                        k = m;
        } else {
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
        }
found:
        if (k >= se)
                return false;
        *b = k;
        *e = se;
        /* "said there was no evidence that X": X, denied */
        for (size_t m = k; m < se && m < k + 8; m++) {
                if (!fold_is(c, m, "that") || m == k)
                        continue;
                for (size_t n = 1; n <= 3 && n <= m - k; n++)
                        if (phrase_is(c, m - n, n, LEXICON_NO_EVIDENCE)) {
                                c->denial_hint = true;
                                k = m + 1;
                                *b = k;
                                break;
                        }
                break;
        }
        /* "called the report a hoax": the report, denied */
        if (strcmp(lemma, "call") == 0) {
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
                        while (t > k + 1 && (ends_with(fold(c, t - 1), "ly") || fold_is(c, t - 1, "just") ||
                                             in_lex(c, t - 1, LEXICON_REFUTATIONS)))
                                t--;
                        if (t > k) {
                                c->denial_hint = true;
                                *e = t;
                                return true;
                        }
                        break;
                }
        }
        /* a noun phrase content ("endorsed Trump, who ...", "cited the report
         * and left") ends at the first comma or at "and" before a verb */
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
                                                      (ends_with(fold(c, m + 1), "ed") && !is_cap(c, m + 1))))) {
                                *e = m;
                                break;
                        }
                }
        }
        /* the content ends where another clause starts: "; ", ", but" */
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
                if (q >= 0 && c->quotes[q].end + 1 >= se) {
                        *e = c->quotes[q].closed ? c->quotes[q].end : c->quotes[q].end;
                        *e = quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                }
        } else {
                /* a quote opened inside the content and left open at the sentence end */
                int32_t q = quote_at(c, se - 1);
                if (q >= 0 && c->quotes[q].open >= k && c->quotes[q].end >= se)
                        *e = c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end;
        }
        return *b < *e;
}

static enum claim_stance stance_of(const struct ctx *c, size_t cue, const char *lemma, size_t cb, size_t ce) {
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

/* The subject of the main clause, for participial cues (", saying ..."):
 * the speaker of an earlier attribution in the sentence, or the noun phrase
 * that opens it.  Returns false when none is found. */
static bool main_subject(const struct ctx *c, size_t i, size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t sb = sent_begin(c, i);
        for (size_t k = c->n; k > 0; k--) {
                const struct work *w = &c->work[k - 1];
                if (w->cue_tok < sb)
                        break;
                if (w->name_b < w->name_e) {
                        *b = *nb = w->name_b;
                        *e = *ne = w->name_e;
                        return true;
                }
        }
        size_t k = sb;
        /* a dateline: "Hamburg, Germany (CNN)", "WASHINGTON --" */
        for (size_t t = sb; t < i && t < sb + 8; t++)
                if ((text_is(c, t, ")") && t > sb && is_cap(c, t - 1)) ||
                    (is_dash(c, t) && t > sb && (tk(c, t - 1)->flags & TOKEN_ALLCAPS))) {
                        k = t + 1;
                        while (k < i && is_dash(c, k))
                                k++;
                        break;
                }
        while (k < i && (!is_word(c, k) || fold_is(c, k, "but") || fold_is(c, k, "and")))
                k++;
        if (k < i && in_lex(c, k, LEXICON_PRONOUNS)) {
                *b = *nb = k;
                *e = *ne = k + 1;
                return true;
        }
        size_t m = k;
        while (m < i && m - k < 10 &&
               (is_cap(c, m) || (m > k && text_is(c, m, ".")) ||
                (m > k && fold_is(c, m, "and") && m + 1 < i && is_cap(c, m + 1))))
                m++;
        if (m == k || (m - k == 1 && in_lex(c, k, LEXICON_STOPWORDS)))
                return false;
        if (m < i && is_comma(c, m) && m + 1 < i && is_cap(c, m + 1))
                return false;   /* "Hamburg, Germany ...": a place list, not a subject */
        *b = *nb = k;
        *e = *ne = m;
        return true;
}

/* True when an ambiguous cue ("states", "plans") at token i, with its
 * subject [b, e), reads as a verb here. */
static bool ambiguous_ok(const struct ctx *c, size_t i, size_t b, size_t e) {
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
        return proper_last(c, b, e) && i == e;
}

/* The inverted shape '"...," said Smith.' at the cue i.  With strict, only
 * when the speaker phrase ends the sentence.  Returns 1 when added, 0 when
 * the shape does not apply, or -ENOMEM. */
static int try_inverted(struct ctx *c, size_t i, const char *lemma, bool strict) {
        size_t sb = sent_begin(c, i), se = sent_end(c, i);
        size_t b = 0, e = 0, nb = 0, ne = 0, cb, ce;
        bool ing = ends_with(fold(c, i), "ing");

        if (i > sb && (is_comma(c, i - 1) || is_close_q(c, i - 1)) && !ing &&
            subject_right(c, i + 1, se, &b, &e, &nb, &ne) &&
            (!strict || e >= se || is_end_punct(c, e)) &&
            (e >= se || is_end_punct(c, e) || is_comma(c, e) || is_close_q(c, i - 1) ||
             (i >= 2 && is_close_q(c, i - 2))) &&
            content_before(c, i - 1, &cb, &ce)) {
                size_t gb = 0, ge = 0;
                size_t m = e;
                if (m < se && is_comma(c, m) && m + 1 < se && is_open_q(c, m + 1)) {
                        int32_t q = quote_at(c, m + 1);
                        if (q >= 0) {
                                gb = ce;
                                ge = m + 1;
                                ce = quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                        }
                } else {
                        size_t ne2 = quote_continue(c, se);
                        if (ne2 > se) {
                                gb = ce;
                                ge = se;
                                ce = ne2;
                        }
                }
                int r = add(c, SHAPE_INV, cb, ce, gb, ge, b, e, nb, ne, i, i + 1, stance_of(c, i, lemma, cb, ce));
                return r < 0 ? r : 1;
        }
        return 0;
}


/* True when token i goes on with the clause a parenthetical attribution
 * interrupted: '"Only you," she said, would ...' */
static bool continues_clause(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_AUXILIARIES);
}

/* True when the cue at token i, whose speaker is tokens [b, e), is a
 * neg-raising verb (neg-raising-verbs.txt) negated between the speaker and
 * the cue ("she did not plan", "he never expected") or just before an
 * inverted speaker ("Nor did she plan"), with no comma in between: its
 * content is then what the speaker holds not to be so.  Sets *ret_k to the
 * negation's token. */
#define NEG_RAISING_BEFORE 3
static bool cue_negation(const struct ctx *c, size_t sb, size_t b, size_t e, size_t i, const char *lemma,
                         size_t *ret_k) {
        if (!lexicon_contains(LEXICON_NEG_RAISING_VERBS, lemma))
                return false;
        size_t lo = b > sb + NEG_RAISING_BEFORE ? b - NEG_RAISING_BEFORE : sb;
        for (size_t k = i; k-- > lo;) {
                if (k >= b && k < e)
                        continue;
                if (is_comma(c, k) || is_dash(c, k))
                        return false;
                if (is_word(c, k) && (in_lex(c, k, LEXICON_NEGATION_CUES) || ends_with(fold(c, k), "n't"))) {
                        /* "did not plan": the auxiliary too */
                        if (k > lo && !(k - 1 >= b && k - 1 < e) && in_lex(c, k - 1, LEXICON_AUXILIARIES))
                                k--;
                        *ret_k = k;
                        return true;
                }
        }
        return false;
}

/* Handles the reporting verb at token i. */
static int do_verb(struct ctx *c, size_t i, const char *lemma) {
        size_t sb = sent_begin(c, i), se = sent_end(c, i);

        c->denial_hint = false;
        size_t b = 0, e = 0, nb = 0, ne = 0, cb, ce;
        bool ing = ends_with(fold(c, i), "ing");

        if (ing && (is_comma(c, i - 1) || is_dash(c, i - 1))) {
                if (!main_subject(c, i, &b, &e, &nb, &ne))
                        return 0;
                if (!content_after(c, lemma, i + 1, &cb, &ce))
                        return 0;
                return add(c, SHAPE_PART, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, stance_of(c, i, lemma, cb, ce));
        }

        if (i > sb && is_comma(c, i - 1)) {
                int r = try_inverted(c, i, lemma, true);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        size_t jl = skip_modifiers_left(c, sb, i, false);
        if (!ing && jl > sb && fold_is(c, jl - 1, "and") && !lexicon_contains(LEXICON_COGNITION_VERBS, lemma) &&
            strcmp(fold(c, i), lemma) != 0 &&   /* "urged him to stand up ... and challenge" is no report */
            main_subject(c, i, &b, &e, &nb, &ne)) {
                /* "X described the meeting as ... and said ..." */
                if (!content_after(c, lemma, i + 1, &cb, &ce))
                        return 0;
                return add(c, SHAPE_COORD, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, stance_of(c, i, lemma, cb, ce));
        }
        if (subject_left(c, i, ing, &b, &e, &nb, &ne)) {
                if (!ambiguous_ok(c, i, nb, ne))
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
                /* what follows the cue: the end, a comma, or a tail without a
                 * clause: a time or place ("in a statement"), a hearer ("told CNN") */
                size_t j = i + 1;
                bool tail_short = true, rest_comma = false;
                if (j < se && is_comma(c, j))
                        rest_comma = true;
                else if (j < se && !is_end_punct(c, j)) {
                        size_t n = 0;
                        bool quoted = false;
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
                                    (cue_lemma(c, m) && m > j && !in_lex(c, m, LEXICON_AMBIGUOUS_CUES)))
                                        tail_short = false;
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
                                tail_short = false;
                }
                bool quoted_before = is_close_q(c, before) ||
                                     (is_comma(c, before) && before > sb && is_close_q(c, before - 1));
                /* 'Asked about it, Smith said, "..."': the quote after is the content */
                if (rest_comma && !quoted_before && j + 1 < se && is_open_q(c, j + 1))
                        post_mark = false;
                /* "In July, X called for ...": an opening adverbial is no content */
                if (post_mark && !quoted_before && !rest_comma && content_before(c, before, &cb, &ce) &&
                    (((is_prep(c, cb) || opener(c, cb)) && (ce - cb <= 8 || (j < se && !is_end_punct(c, j)))) ||
                     ce - cb < 3))
                        post_mark = false;
                if (post_mark && (rest_comma || tail_short) && content_before(c, before, &cb, &ce)) {
                        size_t gb = 0, ge = 0;
                        /* "A," he said, "B."  /  The economy, he said, is fine. */
                        size_t m = j;
                        while (m < se && !is_comma(c, m) && !is_end_punct(c, m))
                                m++;
                        if (m < se && is_comma(c, m) && m + 1 < se && ce < b && !fold_is(c, m + 1, "according") &&
                            !cue_lemma(c, m + 1) && (m == j || is_open_q(c, m + 1) || tail_short)) {
                                size_t rb = m + 1, re = se;
                                if (is_open_q(c, rb)) {
                                        int32_t q = quote_at(c, rb);
                                        if (q >= 0) {
                                                re = c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end;
                                                re = quote_continue(c, re);
                                        }
                                } else if ((quoted_before && !continues_clause(c, rb)) || ends_with(fold(c, rb), "ing") ||
                                           fold_is(c, rb, "but") ||
                                           fold_is(c, rb, "and") || fold_is(c, rb, "while") || fold_is(c, rb, "as") ||
                                           fold_is(c, rb, "who") || fold_is(c, rb, "which") || fold_is(c, rb, "where") ||
                                           fold_is(c, rb, "when") || fold_is(c, rb, "after") || fold_is(c, rb, "before"))
                                        re = rb;  /* ", adding ...", ", but ...": not the content */
                                if (re > rb + 1) {
                                        gb = ce;
                                        ge = rb;
                                        ce = re;
                                } else if (quoted_before) {
                                        /* '"A," X said, looking away. "B."' */
                                        size_t ne2 = quote_continue(c, se);
                                        if (ne2 > se) {
                                                gb = ce;
                                                ge = se;
                                                ce = ne2;
                                        }
                                }
                        } else if (cb < ce) {
                                /* "A," he said. "B." */
                                size_t ne2 = quote_continue(c, se);
                                if (ne2 > se) {
                                        gb = ce;
                                        ge = se;
                                        ce = ne2;
                                }
                        }
                        return add(c, SHAPE_POST, cb, ce, gb, ge, b, e, nb, ne, i, i + 1,
                                   stance_of(c, i, lemma, cb, ce));
                }
                if (!content_after(c, lemma, i + 1, &cb, &ce))
                        return 0;
                size_t n0 = c->n;
                int r = add(c, SHAPE_PRE, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, stance_of(c, i, lemma, cb, ce));
                size_t kn;
                if (r == 0 && c->n > n0 && cue_negation(c, sb, b, e, i, lemma, &kn))
                        c->out[n0].cue_start = tk(c, kn)->start;
                return r;
        }

        /* "...," said Smith. */
        return try_inverted(c, i, lemma, false);
}

/* 'Said Ellis: "..."' - a sentence opened by the cue, then the speaker and a
 * colon or comma.  Returns 0 or -ENOMEM. */
static int do_initial_verb(struct ctx *c, size_t i, const char *lemma) {
        size_t se = sent_end(c, i);
        size_t b, e, nb, ne, cb, ce;

        c->denial_hint = false;
        if (ends_with(fold(c, i), "ing") || !subject_right(c, i + 1, se, &b, &e, &nb, &ne))
                return 0;
        if (e >= se || !(text_is(c, e, ":") || is_comma(c, e)))
                return 0;
        if (!content_after(c, lemma, e, &cb, &ce))
                return 0;
        return add(c, SHAPE_PRE, cb, ce, 0, 0, b, e, nb, ne, i, i + 1, stance_of(c, i, lemma, cb, ce));
}

/* "According to X, ..." and "..., according to X." at token i ("according"),
 * with n tokens in the phrase. */
static int do_according(struct ctx *c, size_t i, size_t n) {
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
                        ce = quote_continue(c, c->quotes[q].closed ? c->quotes[q].end + 1 : c->quotes[q].end);
                } else {
                        int32_t q = quote_at(c, se - 1);
                        if (q >= 0 && c->quotes[q].open >= cb && !c->quotes[q].closed)
                                ce = c->quotes[q].end;
                }
                return add(c, SHAPE_ACCORDING, cb, ce, 0, 0, j, k, j, k, i, j, STANCE_ASSERTS);
        }
        if (pb > sb && (is_comma(c, pb - 1) || is_dash(c, pb - 1)))
                pb--;
        if (!content_before(c, pb, &cb, &ce))
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

/* True when tokens [b, e) are a headline label ("The Latest", "VIDEO"). */
static bool label_before(const struct ctx *c, size_t b, size_t e) {
        char buf[96];
        size_t l = 0;
        for (size_t k = b; k < e; k++) {
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
        return lexicon_contains(LEXICON_HEADLINE_LABELS, buf);
}

/* Headline shape "Name: content" at the start of a paragraph, and a quote
 * signed with a dash ("..." - Name).  Returns 0 or -ENOMEM. */
static int do_marks(struct ctx *c, size_t s) {
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
                    !label_before(c, pb, m)) {
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
                int r = add(c, SHAPE_OTHER, quote_start_back(c, q) + 1, k, 0, 0, k + 2, m, k + 2, m, k + 1, k + 2,
                            STANCE_ASSERTS);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Pairs the double quotation marks of each paragraph; fills c->quotes/qof. */
static int pair_quotes(struct ctx *c) {
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

/* ---- speaker resolution ---- */

static char *dup_range(const char *text, int32_t s, int32_t e) {
        char *r = malloc((size_t) (e - s) + 1);
        if (!r)
                return NULL;
        /* collapse white space runs (names broken over lines) */
        size_t n = 0;
        for (int32_t k = s; k < e; k++) {
                char ch = text[k];
                if (ch == '\n' || ch == '\t' || ch == '\r')
                        ch = ' ';
                if (ch == ' ' && n > 0 && r[n - 1] == ' ')
                        continue;
                r[n++] = ch;
        }
        r[n] = 0;
        return r;
}


/* Mentions of up to this many tokens are looked up among earlier, longer ones. */
#define SHORT_MENTION 3
#define NONE SIZE_MAX

/* What an earlier speaker can stand for when a pronoun is resolved: a
 * pronoun resolved to a name (of a person, or of a group), or a mention,
 * proper or not, whose resolved name starts with "Mr. " or "Mrs. "/"Ms. "
 * or neither. */
enum speaker_class {
        SPEAKER_NONE,           /* no speaker, or a pronoun left unresolved */
        SPEAKER_PRONOUN_PERSON,
        SPEAKER_PRONOUN_OTHER,
        SPEAKER_PROPER_MR,
        SPEAKER_PROPER_MS,
        SPEAKER_PROPER,
        SPEAKER_COMMON_MR,
        SPEAKER_COMMON_MS,
        SPEAKER_COMMON,
        _SPEAKER_CLASS_MAX,
};

/* A capitalised run of tokens [begin, last] ending in a possible surname, and
 * per word-count threshold t the longest run with more than t words among
 * the same word's runs up to this one (earliest on ties). */
struct name_run {
        size_t begin, last;
        size_t best[SHORT_MENTION + 1];
};

/* The indexes of the earlier speakers that resolution looks up, built as the
 * attributions are resolved in order, so that each look-up is O(1) or
 * O(log n) instead of a walk over every earlier attribution or token.  The
 * words looked up are numbered by their fold: the capitalised tokens that
 * may end a name, and the last words of the attributions' names. */
struct speaker_index {
        size_t latest[_SPEAKER_CLASS_MAX];      /* the last attribution of each class */
        uint32_t *slots;        /* open addressing over folds: a token of that fold + 1, 0 empty */
        uint32_t *slot_id;      /* per slot: the fold's number */
        size_t mask, n_ids, n_run_ids;          /* numbers below n_run_ids have name runs */
        uint32_t (*first_longer)[SHORT_MENTION];        /* per number of a proper name's last word:
                                                         * 1 + the first attribution with more
                                                         * than l + 1 words, 0 none */
        uint32_t (*latest_longer)[SHORT_MENTION];       /* per number of a name's last token: 1 + the
                                                         * last attribution with more than l + 1
                                                         * tokens, 0 none */
        size_t *run_at;         /* per run number: where its runs begin in runs (n_run_ids + 1) */
        struct name_run *runs;  /* grouped by number, in text order; made when first asked */
        bool *runs_made;
};

/* The number of token i's fold, or (absent) NONE; with add, absent folds get
 * the next number. */
static size_t fold_number(const struct ctx *c, struct speaker_index *x, size_t i, bool add) {
        const char *f = fold(c, i);
        size_t h = hash_fnv1a32(f, strlen(f)) & x->mask;
        while (x->slots[h] && strcmp(fold(c, x->slots[h] - 1), f) != 0)
                h = (h + 1) & x->mask;
        if (x->slots[h])
                return x->slot_id[h];
        if (!add)
                return NONE;
        x->slots[h] = (uint32_t) i + 1;
        x->slot_id[h] = (uint32_t) x->n_ids;
        return x->n_ids++;
}

/* True when capitalised token k may end a name: no capitalised word that is
 * not a stop word follows ("Lavrov Foundation"). */
static bool name_end(const struct ctx *c, size_t k) {
        return is_cap(c, k) && !(k + 1 < c->st->n_tokens && is_cap(c, k + 1) && !in_lex(c, k + 1, LEXICON_STOPWORDS));
}

/* Makes the index: the numbers of the tokens that may end a name, each
 * number's tokens grouped (run_at, runs[].last).  Returns 0 or -ENOMEM. */
static int speaker_index_make(const struct ctx *c, struct speaker_index *x) {
        size_t n = c->st->n_tokens, n_ends = 0, size = 16;
        size_t *ends = malloc((n + 1) * sizeof(*ends));         /* the tokens that may end a name, then their numbers */
        *x = (struct speaker_index) {};
        if (!ends)
                return -ENOMEM;
        for (size_t k = 0; k < _SPEAKER_CLASS_MAX; k++)
                x->latest[k] = NONE;
        for (size_t k = 0; k < n; k++)
                if (name_end(c, k))
                        ends[n_ends++] = k;
        size_t max_ids = n_ends + 2 * c->n + 1;         /* an attribution adds two words at most */
        while (size < 2 * max_ids)
                size *= 2;
        x->mask = size - 1;
        x->slots = calloc(size, sizeof(*x->slots));
        x->slot_id = malloc(size * sizeof(*x->slot_id));
        x->first_longer = calloc(max_ids, sizeof(*x->first_longer));
        x->latest_longer = calloc(max_ids, sizeof(*x->latest_longer));
        x->run_at = calloc(max_ids + 1, sizeof(*x->run_at));
        x->runs = malloc((n_ends + 1) * sizeof(*x->runs));
        if (!x->slots || !x->slot_id || !x->first_longer || !x->latest_longer || !x->run_at || !x->runs) {
                free(ends);
                return -ENOMEM;
        }
        for (size_t e = 0; e < n_ends; e++) {
                size_t k = ends[e];
                ends[e] = fold_number(c, x, k, true);
                x->run_at[ends[e] + 1]++;
                x->runs[e].last = k;    /* in text order for now */
        }
        x->n_run_ids = x->n_ids;
        for (size_t id = 0; id < x->n_run_ids; id++)
                x->run_at[id + 1] += x->run_at[id];
        /* group the runs by number, each group in text order */
        x->runs_made = calloc(x->n_run_ids + 1, sizeof(*x->runs_made));
        size_t *fill = malloc((x->n_run_ids + 1) * sizeof(*fill));
        struct name_run *grouped = malloc((n_ends + 1) * sizeof(*grouped));
        if (!x->runs_made || !fill || !grouped) {
                free(grouped);
                free(fill);
                free(ends);
                return -ENOMEM;
        }
        memcpy(fill, x->run_at, x->n_run_ids * sizeof(*fill));
        for (size_t e = 0; e < n_ends; e++)
                grouped[fill[ends[e]]++].last = x->runs[e].last;
        free(x->runs);
        x->runs = grouped;
        free(fill);
        free(ends);
        return 0;
}

static void speaker_index_free(struct speaker_index *x) {
        free(x->slots);
        free(x->slot_id);
        free(x->first_longer);
        free(x->latest_longer);
        free(x->run_at);
        free(x->runs);
        free(x->runs_made);
}

/* Fills the runs of number id: for each of its tokens k, the run of
 * capitalised words, periods and "of" that ends in k within its sentence,
 * and the longest runs so far per word threshold. */
static void name_runs_make(const struct ctx *c, struct speaker_index *x, size_t id) {
        for (size_t r = x->run_at[id]; r < x->run_at[id + 1]; r++) {
                struct name_run *run = &x->runs[r];
                size_t k = run->last, s = k;
                while (s > 0 && (is_cap(c, s - 1) || text_is(c, s - 1, ".") ||
                                 (fold_is(c, s - 1, "of") && s >= 2 && is_cap(c, s - 2))) &&
                       tk(c, s - 1)->sentence == tk(c, k)->sentence && k - s < 6 &&
                       !(is_cap(c, s - 1) && in_lex(c, s - 1, LEXICON_STOPWORDS) && s - 1 == sent_begin(c, k)))
                        s--;
                while (s < k && !is_word(c, s))
                        s++;
                size_t words = 0;
                for (size_t t = s; t <= k; t++)
                        words += is_word(c, t);
                run->begin = s;
                for (size_t t = 0; t <= SHORT_MENTION; t++) {
                        size_t prev = r > x->run_at[id] ? x->runs[r - 1].best[t] : NONE;
                        bool longer = prev == NONE || k + 1 - s > x->runs[prev].last + 1 - x->runs[prev].begin;
                        run->best[t] = words > t && longer ? r : prev;
                }
        }
        x->runs_made[id] = true;
}

static enum speaker_class speaker_class_of(const struct ctx *c, size_t k) {
        const struct work *pw = &c->work[k];
        const char *speaker = c->out[k].speaker;
        if (!speaker || pw->name_b >= pw->name_e)
                return SPEAKER_NONE;
        const char *kind = pronoun_kind(c, pw->name_b);
        if (kind && pw->name_e - pw->name_b == 1) {
                if (strcasecmp(speaker, fold(c, pw->name_b)) == 0)
                        return SPEAKER_NONE;    /* left unresolved */
                return kind[0] == 'p' ? SPEAKER_PRONOUN_PERSON : SPEAKER_PRONOUN_OTHER;
        }
        bool mr = strncmp(speaker, "Mr. ", 4) == 0;
        bool ms = strncmp(speaker, "Mrs. ", 5) == 0 || strncmp(speaker, "Ms. ", 4) == 0;
        if (proper_last(c, pw->name_b, pw->name_e))
                return mr ? SPEAKER_PROPER_MR : ms ? SPEAKER_PROPER_MS : SPEAKER_PROPER;
        return mr ? SPEAKER_COMMON_MR : ms ? SPEAKER_COMMON_MS : SPEAKER_COMMON;
}

/* True when pronoun token b, of kind 'p' (a person) or 'g' (a group), may
 * stand for an earlier speaker of class k: a resolved pronoun of its kind;
 * for a person a proper name ("Mr." is no "she", "Mrs." and "Ms." no "he");
 * for a group no proper name, unless the pronoun is "it". */
static bool pronoun_takes(const struct ctx *c, size_t b, char kind, enum speaker_class k) {
        bool proper = k == SPEAKER_PROPER_MR || k == SPEAKER_PROPER_MS || k == SPEAKER_PROPER;
        switch (k) {
        case SPEAKER_NONE:
        case _SPEAKER_CLASS_MAX:
                return false;
        case SPEAKER_PRONOUN_PERSON:
                return kind == 'p';
        case SPEAKER_PRONOUN_OTHER:
                return kind != 'p';
        default:
                break;
        }
        if (fold_is(c, b, "she") && (k == SPEAKER_PROPER_MR || k == SPEAKER_COMMON_MR))
                return false;
        if (fold_is(c, b, "he") && (k == SPEAKER_PROPER_MS || k == SPEAKER_COMMON_MS))
                return false;
        if (kind == 'p')
                return proper;
        return !proper || fold_is(c, b, "it");
}

/* Notes attribution k, whose speaker is resolved, in the index. */
static void speaker_index_add(const struct ctx *c, struct speaker_index *x, size_t k) {
        const struct work *pw = &c->work[k];
        enum speaker_class cls = speaker_class_of(c, k);
        if (cls != SPEAKER_NONE)
                x->latest[cls] = k;
        if (pw->name_b >= pw->name_e || !c->out[k].speaker)
                return;
        size_t len = pw->name_e - pw->name_b;
        uint32_t *latest = x->latest_longer[fold_number(c, x, pw->name_e - 1, true)];
        for (size_t l = 0; l < SHORT_MENTION && l + 1 < len; l++)
                latest[l] = (uint32_t) k + 1;
        /* a proper name without a conjunction: "Sergey Lavrov", not "Trump and Pence" */
        size_t pe = pw->name_e;
        while (pe > pw->name_b && !is_word(c, pe - 1))
                pe--;
        bool conj = false;
        for (size_t t = pw->name_b; t < pe; t++)
                conj |= fold_is(c, t, "and") || fold_is(c, t, "&") || is_comma(c, t);
        if (conj || pe == pw->name_b || !proper_last(c, pw->name_b, pe))
                return;
        uint32_t *first = x->first_longer[fold_number(c, x, pe - 1, true)];
        for (size_t l = 0; l < SHORT_MENTION && l + 1 < pe - pw->name_b; l++)
                if (!first[l])
                        first[l] = (uint32_t) k + 1;
}

/* The longest capitalised run before token b that ends with the same word as
 * the mention [b, e) and has more words than the mention (determiners
 * aside): "Sergey Lavrov" for a later "Lavrov".  Returns the run as
 * [*rb, *re) or false. */
static bool earlier_full_name(const struct ctx *c, struct speaker_index *x, size_t b, size_t e,
                              size_t *rb, size_t *re) {
        size_t nwords = 0;
        for (size_t k = b; k < e; k++)
                if (is_word(c, k) && !in_lex(c, k, LEXICON_DETERMINERS))
                        nwords++;
        size_t id = fold_number(c, x, e - 1, false);
        if (nwords > SHORT_MENTION || id == NONE || id >= x->n_run_ids)
                return false;   /* (no caller asks with a longer mention) */
        if (!x->runs_made[id])
                name_runs_make(c, x, id);
        size_t lo = x->run_at[id], hi = x->run_at[id + 1], first = lo;
        while (lo < hi) {       /* the runs ending before b: [first, lo) */
                size_t mid = lo + (hi - lo) / 2;
                if (x->runs[mid].last < b)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == first || x->runs[lo - 1].best[nwords] == NONE)
                return false;
        const struct name_run *run = &x->runs[x->runs[lo - 1].best[nwords]];
        *rb = run->begin;
        *re = run->last + 1;
        return true;
}

/* The speaker a pronoun of kind 'p' or 'g' at token b stands for: the
 * nearest earlier speaker of a class it takes; NULL when there is none. */
static const char *pronoun_speaker(const struct ctx *c, const struct speaker_index *x, size_t b, char kind) {
        size_t best = NONE;
        for (int k = 0; k < _SPEAKER_CLASS_MAX; k++)
                if (x->latest[k] != NONE && (best == NONE || x->latest[k] > best) && pronoun_takes(c, b, kind, k))
                        best = x->latest[k];
        return best == NONE ? NULL : c->out[best].speaker;
}

/* An earlier attribution of x's table (1 + its number, 0 none) for the
 * last word of the mention [b, e): its speaker, or NULL. */
static const char *longer_speaker(const struct ctx *c, struct speaker_index *x, uint32_t (*table)[SHORT_MENTION],
                                  size_t b, size_t e) {
        size_t id = fold_number(c, x, e - 1, false);
        uint32_t k = id == NONE ? 0 : table[id][e - b - 1];
        return k ? c->out[k - 1].speaker : NULL;
}

/* The resolved speaker of a name that is tokens [b, e) (trimmed): a new
 * string, or NULL on ENOMEM. */
static char *speaker_of(const struct ctx *c, struct speaker_index *x, size_t b, size_t e) {
        const char *text = c->st->text, *s;
        const char *pk = e - b == 1 ? pronoun_kind(c, b) : NULL;
        size_t fb, fe;

        if (pk && (pk[0] == 'p' || pk[0] == 'g')) {
                s = pronoun_speaker(c, x, b, pk[0]);
                return s ? strdup(s) : dup_range(text, tk(c, b)->start, tk(c, e - 1)->end);
        }
        if (proper_last(c, b, e) && e - b <= SHORT_MENTION) {
                /* an earlier speaker with the same surname and more words */
                if ((s = longer_speaker(c, x, x->first_longer, b, e)))
                        return strdup(s);
                if (earlier_full_name(c, x, b, e, &fb, &fe))
                        return dup_range(text, tk(c, fb)->start, tk(c, fe - 1)->end);
        }
        if (fold_is(c, b, "the") && e - b <= SHORT_MENTION && !proper_last(c, b, e)) {
                /* "the official" -> an earlier "a senior administration official" */
                if ((s = longer_speaker(c, x, x->latest_longer, b, e)))
                        return strdup(s);
        }
        return dup_range(text, tk(c, b)->start, tk(c, e - 1)->end);
}

/* Fills each attribution's speaker string, resolving names, pronouns and
 * "the official" within the article.  Returns 0, -ENOMEM, or the budget's
 * error (budget.h). */
static int resolve_speakers(struct ctx *c) {
        struct speaker_index x;
        int r = speaker_index_make(c, &x);
        for (size_t i = 0; r == 0 && i < c->n; i++) {
                if (i % 256 == 0 && (r = work_budget_check()) < 0)
                        break;
                const struct work *w = &c->work[i];
                size_t b = w->name_b, e = w->name_e;
                while (e > b && !is_word(c, e - 1))
                        e--;
                if (b < e) {
                        c->out[i].speaker = speaker_of(c, &x, b, e);
                        if (!c->out[i].speaker)
                                r = -ENOMEM;
                }
                speaker_index_add(c, &x, i);
        }
        speaker_index_free(&x);
        return r;
}

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
static int trim_overlaps(struct ctx *c, struct span_index *x) {
        /* "X claimed A and said B": A ends before "and" */
        for (size_t i = 0; i < c->n; i++) {
                if (c->work[i].shape != SHAPE_COORD)
                        continue;
                size_t ct = c->work[i].cue_tok;
                size_t and_tok = skip_modifiers_left(c, sent_begin(c, ct), ct, false) - 1;
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
                bool named = proper_last(c, iw->name_b, iw->name_e) && il &&
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
static int drop_nested(struct ctx *c, struct span_index *x) {
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

/* True for a quote that is closed, or left open at a paragraph end after
 * opening a paragraph or following a colon or comma (a quote that goes on in
 * the next paragraph); false for a stray mark, whose "quote" hides nothing. */
static bool quote_real(const struct ctx *c, int32_t q) {
        size_t o = c->quotes[q].open;
        if (c->quotes[q].closed)
                return true;
        if (tk(c, o)->flags & (TOKEN_PARA_START | TOKEN_SENT_START))
                return true;
        return o > 0 && (text_is(c, o - 1, ":") || is_comma(c, o - 1));
}

/* The index of the contents found, for trim_overlaps() and drop_nested().
 * Returns 0 or -ENOMEM. */
static int content_index_make(const struct ctx *c, struct span_index *ret) {
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

        if ((r = pair_quotes(c)) < 0)
                return r;
        c->titled = malloc(st->n_sentences + 1);
        c->cue_cache = malloc((st->n_tokens + 1) * sizeof(*c->cue_cache));
        c->sent_cue = calloc(st->n_sentences + 1, sizeof(*c->sent_cue));
        if (!c->titled || !c->cue_cache || !c->sent_cue)
                return -ENOMEM;
        memset(c->titled, -1, st->n_sentences + 1);
        /* A cue's reading may look at the cues after it in its sentence
         * (reduced_passive()): read from the last token back, each look
         * mostly finds its answer made, and a chain of looks ahead is no
         * longer than a sentence (MAX_SENTENCE_TOKENS, segment.c). */
        for (size_t i = 0; i < st->n_tokens; i++)
                c->cue_cache[i] = unknown_cue;
        for (size_t i = st->n_tokens; i > 0; i--)
                if ((c->qof[i - 1] < 0 || !quote_real(c, c->qof[i - 1])) && cue_lemma(c, i - 1))
                        c->sent_cue[st->tokens[i - 1].sentence] = true;
        return 0;
}

/* Reads the cues of sentence s. Returns 0 or -ENOMEM. */
static int do_sentence(struct ctx *c, size_t s) {
        const struct sentence *sen = &c->st->sentences[s];
        int r;

        if ((r = do_marks(c, s)) < 0)
                return r;
        for (size_t i = sen->tok_begin; i < sen->tok_end; i++) {
                if (c->qof[i] >= 0 && quote_real(c, c->qof[i]))
                        continue;
                if (fold_is(c, i, "according") && i + 1 < sen->tok_end && fold_is(c, i + 1, "to")) {
                        if ((r = do_according(c, i, 2)) < 0)
                                return r;
                        continue;
                }
                const char *lemma = cue_lemma(c, i);
                if (lemma && (r = do_verb(c, i, lemma)) < 0)
                        return r;
                if (!lemma && i == sen->tok_begin && (lemma = verb_lemma(c, i)) &&
                    !in_lex(c, i, LEXICON_AMBIGUOUS_CUES) && (r = do_initial_verb(c, i, lemma)) < 0)
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
        if ((r = content_index_make(&c, &contents)) < 0 || (r = trim_overlaps(&c, &contents)) < 0 ||
            (r = work_budget_check()) < 0 || (r = drop_nested(&c, &contents)) < 0 ||
            (r = work_budget_check()) < 0)
                goto fail;
        span_index_free(&contents);
        if ((r = resolve_speakers(&c)) < 0)
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
