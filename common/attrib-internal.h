/* What the attribution files share (attrib.c and attrib-*.c; not for other
 * users): the per-text context, the token predicates every shape uses, and
 * the functions each file gives the others.  attrib.c describes the method. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "attrib.h"
#include "lexicon.h"
#include "segment.h"
#include "strutil.h"

struct span_index;

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

/* ---- token predicates ---- */

static inline const struct token *tk(const struct ctx *c, size_t i) {
        return &c->st->tokens[i];
}

static inline const char *fold(const struct ctx *c, size_t i) {
        return c->st->tokens[i].fold ? c->st->tokens[i].fold : "";
}

static inline bool fold_is(const struct ctx *c, size_t i, const char *s) {
        return token_fold_is(tk(c, i), s);
}

static inline bool in_lex(const struct ctx *c, size_t i, enum lexicon_id id) {
        return token_in_list(tk(c, i), id);
}

static inline bool is_word(const struct ctx *c, size_t i) {
        return tk(c, i)->flags & (TOKEN_WORD | TOKEN_NUMBER);
}

static inline bool is_cap(const struct ctx *c, size_t i) {
        return (tk(c, i)->flags & (TOKEN_CAPITALIZED | TOKEN_ALLCAPS)) && (tk(c, i)->flags & TOKEN_WORD);
}

/* True when token i's text is exactly s. */
static inline bool text_is(const struct ctx *c, size_t i, const char *s) {
        const struct token *t = tk(c, i);
        size_t l = strlen(s);
        return (size_t) (t->end - t->start) == l && memcmp(c->st->text + t->start, s, l) == 0;
}

static inline bool is_comma(const struct ctx *c, size_t i) {
        return text_is(c, i, ",");
}

static inline bool is_dash(const struct ctx *c, size_t i) {
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

static inline bool is_end_punct(const struct ctx *c, size_t i) {
        return text_is(c, i, ".") || text_is(c, i, "?") || text_is(c, i, "!") || text_is(c, i, "\xe2\x80\xa6") ||
               text_is(c, i, ";");
}

static inline bool is_open_q(const struct ctx *c, size_t i) {
        return c->mark[i] == 1;
}

static inline bool is_close_q(const struct ctx *c, size_t i) {
        return c->mark[i] == 2;
}

static inline bool is_apostrophe(const struct ctx *c, size_t i) {
        return text_is(c, i, "'") || text_is(c, i, "\xe2\x80\x99") || text_is(c, i, "\xe2\x80\x98") ||
               text_is(c, i, "`");
}

/* True when tokens a and b touch (no space between). */
static inline bool adjacent(const struct ctx *c, size_t a, size_t b) {
        return tk(c, a)->end == tk(c, b)->start;
}


static inline size_t sent_begin(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].tok_begin;
}

static inline size_t sent_end(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].tok_end;
}

static inline int32_t paragraph_of(const struct ctx *c, size_t i) {
        return c->st->sentences[tk(c, i)->sentence].paragraph;
}

static inline bool is_be(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_BE_FORMS);
}

static inline bool is_prep(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_PREPOSITIONS);
}

/* True when token i is a role noun, singular or plural ("attorneys"). */
static inline bool role_noun(const struct ctx *c, size_t i) {
        const char *f = c->st->tokens[i].fold ? c->st->tokens[i].fold : "";
        size_t l = strlen(f);
        return token_in_list(tk(c, i), LEXICON_ROLE_NOUNS) ||
               (l > 3 && f[l - 1] == 's' && lexicon_contains_n(LEXICON_ROLE_NOUNS, f, l - 1));
}

/* Verbs whose first object is the hearer: "told reporters that ...". */
static inline bool lemma_takes_hearer(const char *lemma) {
        return lexicon_contains(LEXICON_HEARER_VERBS, lemma);
}

/* The kind of pronoun token i is (pronouns.txt: "p", "g", "s"), also with a
 * contracted auxiliary ("he's", "they've"); NULL for other words. */
static inline const char *pronoun_kind(const struct ctx *c, size_t i) {
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
static inline const char *verb_lemma(const struct ctx *c, size_t i) {
        if (!(tk(c, i)->flags & TOKEN_WORD) || !in_lex(c, i, LEXICON_REPORTING_VERBS))
                return NULL;
        return lexicon_lookup(LEXICON_REPORTING_VERBS, fold(c, i));
}

/* Index of the quote holding token i, or -1. */
static inline int32_t quote_at(const struct ctx *c, size_t i) {
        return c->qof[i];
}

/* True for words that open an adverbial clause or phrase ("When ...,", "As
 * ...,", "Asked about ...,"). */
static inline bool opener(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_CLAUSE_OPENERS);
}

/* True when token i goes on with the clause a parenthetical attribution
 * interrupted: '"Only you," she said, would ...' */
static inline bool continues_clause(const struct ctx *c, size_t i) {
        return in_lex(c, i, LEXICON_AUXILIARIES);
}

/* ---- attrib-cue.c: reporting cues ---- */

/* Reads every token's cue once, from the last token back, and notes the
 * sentences with a cue outside quotes (c->sent_cue). */
void attrib_cues_read(struct ctx *c);
/* The lemma when token i is a reporting verb used as the verb of an
 * attribution (not a noun, an infinitive, a passive), else NULL. */
const char *attrib_cue_lemma(const struct ctx *c, size_t i);
/* True when an ambiguous cue ("states", "plans") at i with subject [b, e)
 * reads as a verb. */
bool attrib_ambiguous_ok(const struct ctx *c, size_t i, size_t b, size_t e);
/* A negated neg-raising cue ("did not plan"): true and the negation's token. */
bool attrib_cue_negation(const struct ctx *c, size_t sb, size_t b, size_t e, size_t i, const char *lemma,
                         size_t *ret_k);

/* ---- attrib-quote.c: quotation marks ---- */

/* Pairs the double quotation marks of each paragraph; fills c->quotes, qof,
 * mark.  Returns 0 or -ENOMEM. */
int attrib_pair_quotes(struct ctx *c);
/* The opening of quote q, back over quotes left open in the paragraphs before. */
size_t attrib_quote_start_back(const struct ctx *c, int32_t q);
/* A content ending at token end, extended over the quoted sentences after it. */
size_t attrib_quote_continue(const struct ctx *c, size_t end);
/* True for a quote that hides its words from cue reading (closed, or open
 * over paragraphs). */
bool attrib_quote_real(const struct ctx *c, int32_t q);

/* ---- attrib-subject.c: speakers in the clause ---- */

/* True when tokens [b, e) end in a proper name (capitalised, no role noun). */
bool attrib_proper_last(const struct ctx *c, size_t b, size_t e);
/* Left of token j, past auxiliaries, adverbs and time phrases (not past sb). */
size_t attrib_skip_modifiers_left(const struct ctx *c, size_t sb, size_t j, bool progressive);
/* The speaker left of the cue at i: [*b, *e) the mention, [*nb, *ne) the name. */
bool attrib_subject_left(const struct ctx *c, size_t i, bool progressive, size_t *b, size_t *e, size_t *nb,
                         size_t *ne);
/* The speaker right of an inverted cue ("said Smith, the mayor"). */
bool attrib_subject_right(const struct ctx *c, size_t j, size_t se, size_t *b, size_t *e, size_t *nb, size_t *ne);
/* The subject of the main clause, for ", saying ..." and "... and said". */
bool attrib_main_subject(const struct ctx *c, size_t i, size_t *b, size_t *e, size_t *nb, size_t *ne);

/* ---- attrib-content.c: what was said ---- */

/* Trims punctuation from both ends of the token range [*b, *e). */
void attrib_trim_range(const struct ctx *c, size_t *b, size_t *e);
/* The content before a postposed cue whose clause starts at token k. */
bool attrib_content_before(const struct ctx *c, size_t k, size_t *b, size_t *e);
/* True when the folds of tokens [i, i + n) joined by spaces are an entry of id. */
bool attrib_phrase_is(const struct ctx *c, size_t i, size_t n, enum lexicon_id id);
/* The content after a cue whose next token is j (may note c->denial_hint). */
bool attrib_content_after(struct ctx *c, const char *lemma, size_t j, size_t *b, size_t *e);
/* The stance of the attribution of cue token cue over content [cb, ce). */
enum claim_stance attrib_stance_of(const struct ctx *c, size_t cue, const char *lemma, size_t cb, size_t ce);

/* ---- attrib-shape.c: the shapes of a report (each returns 0 or -ENOMEM) ---- */

int attrib_do_verb(struct ctx *c, size_t i, const char *lemma);
int attrib_do_initial_verb(struct ctx *c, size_t i, const char *lemma);
int attrib_do_according(struct ctx *c, size_t i, size_t n);
int attrib_do_marks(struct ctx *c, size_t s);

/* ---- attrib-overlap.c, attrib-speaker.c: the passes after the shapes ---- */

/* The index of the contents found.  Returns 0 or -ENOMEM. */
int attrib_content_index_make(const struct ctx *c, struct span_index *ret);
/* Cuts preposed contents where another report starts.  Returns 0 or -ENOMEM. */
int attrib_trim_overlaps(struct ctx *c, struct span_index *x);
/* Drops nested attributions and bare adjuncts.  Returns 0 or -ENOMEM. */
int attrib_drop_nested(struct ctx *c, struct span_index *x);
/* Resolves every speaker within the text.  Returns 0, -ENOMEM or the budget's error. */
int attrib_resolve_speakers(struct ctx *c);
