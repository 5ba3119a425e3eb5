/* Sentences and words, with ICU break iterators, case folding and NFKC;
 * Snowball stems.  Offsets are BYTE offsets into the UTF-8 text. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "lexicon.h"

enum token_flags {
        TOKEN_WORD        = 1 << 0,   /* letters (may hold ' or - inside) */
        TOKEN_NUMBER      = 1 << 1,   /* digits, maybe with , and . inside */
        TOKEN_PUNCT       = 1 << 2,   /* punctuation other than quotes */
        TOKEN_QUOTE       = 1 << 3,   /* a quotation mark: " “ ” ‘ ’ « » ' used as quote */
        TOKEN_QUOTE_OPEN  = 1 << 4,   /* with TOKEN_QUOTE: opens a quote */
        TOKEN_QUOTE_CLOSE = 1 << 5,   /* with TOKEN_QUOTE: closes a quote */
        TOKEN_CAPITALIZED = 1 << 6,   /* first letter upper case */
        TOKEN_ALLCAPS     = 1 << 7,   /* every letter upper case, 2+ letters */
        TOKEN_STOPWORD    = 1 << 8,   /* in LEXICON_STOPWORDS */
        TOKEN_SENT_START  = 1 << 9,   /* first token of its sentence */
        TOKEN_PARA_START  = 1 << 10,  /* first token of its paragraph */
};

/* Tokens follow ICU word breaks with white space left out: "didn't" and
 * "Putin's" are one word, "2,500" and "2.5" one number, "$", "%" and "-" tokens
 * of their own.  An abbreviation keeps its period ("U.S.", "Mr.", "J.",
 * "Sept." are one token, fold "u.s.").  A ' or ’ after a word that closes no
 * open quote is an apostrophe: TOKEN_PUNCT, not TOKEN_QUOTE. */
struct token {
        int32_t start, end;     /* [start, end) bytes in the text */
        char *fold;             /* case-folded NFKC form; curly apostrophes -> ' */
        char *stem;             /* Snowball English stem of fold (== fold for non-words) */
        uint32_t flags;         /* enum token_flags */
        int32_t sentence;       /* index into sentences */
        struct lexicon_sets lists;      /* lexicon_word_sets() of fold */
};

/* lexicon_contains(id, t->fold), answered when t was made. */
static inline bool token_in_list(const struct token *t, enum lexicon_id id) {
        return lexicon_set_has(t->lists.in, id);
}

/* Whether t's folded form is s (which is folded already: lower case). */
static inline bool token_fold_is(const struct token *t, const char *s) {
        return strcmp(t->fold, s) == 0;
}

/* lexicon_starts_entry(id, t->fold), answered when t was made. */
static inline bool token_begins_entry(const struct token *t, enum lexicon_id id) {
        return lexicon_set_has(t->lists.heads, id);
}

struct sentence {
        int32_t start, end;     /* bytes, trimmed of surrounding white space */
        size_t tok_begin, tok_end;   /* tokens [tok_begin, tok_end) */
        int32_t paragraph;      /* paragraphs are separated by a blank line or newline */
};

struct segmented_text {
        const char *text;       /* borrowed: must outlive this object */
        size_t len;
        struct token *tokens;
        size_t n_tokens;
        struct sentence *sentences;
        size_t n_sentences;
};

/* Splits text into sentences and tokens.  Abbreviations ("U.S.", "Mr.",
 * "Gen.", "Sept.") do not end sentences; a newline always does.
 * Returns 0 and fills *ret (free with segmented_text_free()), -EINVAL for
 * invalid UTF-8, -ENOMEM. */
int segment_text(const char *text, size_t len, struct segmented_text **ret);

/* segment_text() without sentence breaking: the whole text is one sentence
 * (paragraph 0).  For short texts whose sentences nobody asks about (a
 * claim's content in a conflict view), at a fraction of the cost. */
int segment_words(const char *text, size_t len, struct segmented_text **ret);
void segmented_text_free(struct segmented_text *st);

/* Case-folds and NFKC-normalizes s[0..len) into a new string; returns 0 and
 * fills *ret, or a negative errno. */
int text_fold(const char *s, size_t len, char **ret);

/* Snowball English stem of a folded word; returns 0 and fills *ret. Thread-safe. */
int word_stem(const char *fold, char **ret);
