#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conflict-internal.h"
#include "date.h"
#include "hash.h"
#include "lexicon.h"
#include "segment.h"
#include "stance.h"
#include "utf8.h"
#include "wordform.h"

/* Does a word of name begin at p (its first byte, or after a space or
 * hyphen)? */
static bool name_word_start(const char *name, const char *p) {
        return p == name || p[-1] == ' ' || p[-1] == '-';
}

/* Case-insensitive (ASCII): does the entity name hold fold as one of its
 * words (between spaces and hyphens, a possessive ' after it)?  Compares at
 * word starts only: strcasestr() costs more to set up than names are long. */
bool conflict_name_has_word(const char *name, const char *fold) {
        size_t n = strlen(fold);
        char first = n ? ascii_lower(fold[0]) : 0;
        for (const char *p = name; *p; p++) {
                if (!name_word_start(name, p))
                        continue;
                /* the first letters differ: strncasecmp() would say so too */
                if (n && ascii_lower(*p) != first)
                        continue;
                if (strncasecmp(p, fold, n) == 0 && (p[n] == 0 || p[n] == ' ' || p[n] == '-' || p[n] == '\''))
                        return true;
        }
        return false;
}

/* What conflict_name_has_word() would find in a claim's entity names: every
 * stretch of a name from a word start to a space, hyphen, apostrophe or its
 * end ("O'Brien": "O", "O'Brien"), by the hash of its ASCII-lower-cased
 * bytes.  A view asks this of each of its content words. */
#define NAME_KEYS_MAX 64
struct name_keys {
        struct {
                uint64_t hash;
                const char *at;
                size_t n;
        } k[NAME_KEYS_MAX];
        size_t n;
        bool overflow;          /* names too many for k: walk them instead */
};

static void name_keys_make(struct name_keys *ret, const struct claim *c) {
        ret->n = 0;
        ret->overflow = false;
        for (size_t e = 0; e < c->n_entities && !ret->overflow; e++) {
                const char *name = c->entities[e].name;
                for (const char *p = name; p && *p && !ret->overflow; p++) {
                        if (!name_word_start(name, p))
                                continue;
                        uint64_t h = HASH_FNV1A64_BASIS;
                        for (const char *q = p;; q++) {
                                if (*q == 0 || *q == ' ' || *q == '-' || *q == '\'') {
                                        if (ret->n == NAME_KEYS_MAX) {
                                                ret->overflow = true;
                                                break;
                                        }
                                        ret->k[ret->n].hash = h;
                                        ret->k[ret->n].at = p;
                                        ret->k[ret->n++].n = (size_t) (q - p);
                                        if (*q == 0)
                                                break;
                                }
                                char l = ascii_lower(*q);
                                h = hash_fnv1a64_update(h, &l, 1);
                        }
                }
        }
}

/* Does an entity name of c hold word (case-folded, hash its wn_hash()) as
 * conflict_name_has_word() reads it?  (A fold has no ASCII capitals, so its hash is
 * that of its lower-cased bytes.) */
static bool name_keys_have(const struct name_keys *nk, const struct claim *c, const char *word, uint64_t hash) {
        if (nk->overflow) {
                for (size_t e = 0; e < c->n_entities; e++)
                        if (c->entities[e].name && conflict_name_has_word(c->entities[e].name, word))
                                return true;
                return false;
        }
        for (size_t i = 0; i < nk->n; i++)
                if (nk->k[i].hash == hash && strncasecmp(nk->k[i].at, word, nk->k[i].n) == 0 && word[nk->k[i].n] == 0)
                        return true;
        return false;
}

/* Does one of claim c's dates hold fold as a word ("May" in "May 17")? */
static bool claim_date_has_word(const struct claim *c, const char *fold) {
        for (size_t d = 0; d < c->n_dates; d++)
                if (c->dates[d].text && conflict_name_has_word(c->dates[d].text, fold))
                        return true;
        return false;
}

static void view_free_words(struct conflict_view *v) {
        for (size_t i = 0; i < v->n_words; i++)
                word_form_release(v->words[i].form);
        free(v->words);
        free(v->content_at);
}

void conflict_view_free(struct conflict_view *v) {
        if (!v)
                return;
        view_free_words(v);
        free(v->cue_stem);
        free(v);
}

/* The meaning of the verb at token i with the particle after it, before
 * token end (phrasal-verbs.txt: "voted (against)" -> "reject"), or NULL.
 * Brackets between the two are skipped.  Returns the list's static string. */
static const char *phrasal_meaning(const struct segmented_text *st, size_t i, size_t end) {
        size_t k = i + 1;
        while (k < end && (st->tokens[k].flags & TOKEN_PUNCT) &&
               (strcmp(st->tokens[k].fold, "(") == 0 || strcmp(st->tokens[k].fold, ")") == 0))
                k++;
        if (k >= end || !(st->tokens[k].flags & TOKEN_WORD) || !(st->tokens[k].flags & TOKEN_STOPWORD))
                return NULL;
        /* the stem is the base form of the list's regular verbs
         * ("voted" -> "vote"), and costs no WordNet look-up */
        const char *verb = st->tokens[i].stem ? st->tokens[i].stem : st->tokens[i].fold;
        if (!lexicon_starts_entry_n(LEXICON_PHRASAL_VERBS, verb, strlen(verb)))
                return NULL;    /* most verbs begin no entry: no phrase to build */
        char buf[128];
        if (snprintf(buf, sizeof(buf), "%s %s", verb, st->tokens[k].fold) >= (int) sizeof(buf))
                return NULL;
        return lexicon_lookup(LEXICON_PHRASAL_VERBS, buf);
}

/* True when token i is a verb that says its complement does not happen
 * (negative-implicatives.txt) and that complement follows before token end:
 * "stopped selling", "refused to sign"; "stopped to rest" is no stop of
 * resting. */
static bool negative_implicative(const struct segmented_text *st, size_t i, size_t end) {
        if (!token_in_list(&st->tokens[i], LEXICON_NEGATIVE_IMPLICATIVES))
                return false;
        const char *need = lexicon_lookup(LEXICON_NEGATIVE_IMPLICATIVES, st->tokens[i].fold);
        if (!need || i + 1 >= end || !(st->tokens[i + 1].flags & TOKEN_WORD))
                return false;
        const char *next = st->tokens[i + 1].fold;
        if (strcmp(need, "to") == 0)
                return strcmp(next, "to") == 0;
        size_t n = strlen(next);
        return n > 4 && strcmp(next + n - 3, "ing") == 0;
}

/* Content words of a copular predicate after each form of "be" ("X was a
 * liberal thinker whose ..."), up to a clause mark or word and at most
 * PREDICATE_WORDS of them, and of its subject before it, back to the clause
 * mark: the slots where "X is liberal" and "X is conservative" clash. */
#define PREDICATE_WORDS 4
static void mark_copulas(struct conflict_view *v) {
        for (size_t i = 1; i + 1 < v->n_words; i++) {
                if (!v->words[i].be_form || v->words[i + 1].boundary)
                        continue;
                size_t n = 0;
                for (size_t j = i + 1; j < v->n_words && n < PREDICATE_WORDS; j++) {
                        struct cword *w = &v->words[j];
                        if ((j > i + 1 && w->boundary) || w->clause_marker)
                                break;
                        if (w->content) {
                                w->predicate = true;
                                n++;
                        }
                }
                for (size_t j = i; j-- > 0;) {
                        struct cword *w = &v->words[j];
                        if (w->clause_marker)
                                break;
                        if (w->content)
                                w->subject = true;
                        if (w->boundary)
                                break;
                }
        }
}

/* True when token t is a negation cue on its own: listed ("not", "never",
 * "no") or a contraction ending in "n't" ("hasn't", "won't"). */
static bool negation_word(const struct token *t) {
        size_t n = strlen(t->fold);
        return token_in_list(t, LEXICON_NEGATION_CUES) || (n > 3 && strcmp(t->fold + n - 3, "n't") == 0);
}

/* Reads a claim's cue, tokens [b, e) of st, into v: whether it holds a
 * negation (attrib.c starts a neg-raising verb's cue at its negation: "did
 * not plan", "Nor did she plan"; no other cue holds one) and the stem of its
 * last word, the verb.  Returns 0 or -ENOMEM. */
static int view_read_cue(struct conflict_view *v, const struct segmented_text *st, size_t b, size_t e) {
        const struct token *last = NULL;
        for (size_t i = b; i < e; i++) {
                const struct token *t = &st->tokens[i];
                if (!(t->flags & TOKEN_WORD) || !t->fold)
                        continue;
                if (negation_word(t))
                        v->cue_negated = true;
                last = t;
        }
        if (last) {
                v->cue_stem = strdup(last->stem ? last->stem : last->fold);
                if (!v->cue_stem)
                        return -ENOMEM;
        }
        return 0;
}

/* A new view of claim c, its words not read yet; NULL on ENOMEM. */
static struct conflict_view *view_alloc(const struct claim *c) {
        struct conflict_view *v = calloc(1, sizeof(*v));
        if (!v)
                return NULL;
        v->claim = c;
        v->question = c->stance == STANCE_QUESTIONS;
        v->verdict = c->stance == STANCE_DENIES && !c->speaker;
        v->untrue = stance_terms_untrue(c->terms);
        return v;
}

/* Keeps one content word per distinct stem (the others become repeats),
 * notes each content word's stem bit and the -ly words, and indexes the
 * content words in v->content_at.  Returns 0 or -ENOMEM. */
static int view_index_content(struct conflict_view *v) {
        for (size_t i = 0; i < v->n_words; i++) {
                if (!v->words[i].content)
                        continue;
                /* (stem_bits holds the stems so far: a word whose bit is
                 * not set repeats none of them) */
                bool dup = false;
                for (size_t j = 0; j < i && !dup && ((v->stem_bits >> (v->words[i].stem_hash & 63)) & 1); j++)
                        dup = v->words[j].content && v->words[j].stem_hash == v->words[i].stem_hash &&
                              strcmp(v->words[j].stem, v->words[i].stem) == 0;
                if (dup) {
                        v->words[i].content = false;
                        v->words[i].repeat = true;
                } else {
                        v->n_content++;
                        v->stem_bits |= UINT64_C(1) << (v->words[i].stem_hash & 63);
                        if (v->words[i].ly) {
                                if (v->n_ly < VIEW_LY_WORDS && i <= UINT16_MAX)
                                        v->ly_words[v->n_ly] = (uint16_t) i;
                                v->n_ly++;
                        }
                }
        }
        if (v->n_content > 0) {
                v->content_at = malloc(v->n_content * sizeof(*v->content_at));
                if (!v->content_at)
                        return -ENOMEM;
                size_t k = 0;
                for (size_t i = 0; i < v->n_words; i++)
                        if (v->words[i].content)
                                v->content_at[k++] = (uint32_t) i;
        }
        return 0;
}

/* Reads the words of v's claim, tokens [b, e) of st without [gb, ge) (a
 * gap reads as the clause mark it is in the claim's text, " ... "), and
 * everything derived from them.  Returns 0 or -ENOMEM. */
static int view_read_words(struct conflict_view *v, const struct segmented_text *st, size_t b, size_t e,
                           size_t gb, size_t ge) {
        const struct claim *c = v->claim;

        v->words = calloc(e > b ? e - b : 1, sizeof(*v->words));
        if (!v->words)
                return -ENOMEM;
        bool boundary = false, first_word = true;
        size_t hedge_words = 0, hedge_dates = 0;        /* "may" as a hedge, and as the month */
        /* the forms a word of the claim's entity names can take, looked up
         * by hash instead of walking every name for every word */
        struct name_keys names;
        name_keys_make(&names, c);
        size_t verdict_end = 0;         /* tokens before this are in a verdict phrase */
        for (size_t i = b; i < e; i++) {
                if (i >= gb && i < ge) {
                        i = ge - 1;
                        boundary = v->n_words > 0;
                        continue;
                }
                /* what follows a word within its part of the text */
                size_t part_end = gb < ge && i < gb ? gb : e;
                const struct token *t = &st->tokens[i];
                if (t->flags & TOKEN_QUOTE)
                        continue;
                if ((t->flags & TOKEN_PUNCT) && strcmp(t->fold, "?") == 0) {
                        /* a verdict's lead may ask ("Freaky?") on its way */
                        if (!v->verdict)
                                v->question = true;
                        continue;
                }
                if (!(t->flags & (TOKEN_WORD | TOKEN_NUMBER))) {
                        /* (a claim's text has its leading commas trimmed) */
                        if ((t->flags & TOKEN_PUNCT) && (v->n_words > 0 || strcmp(t->fold, ",") != 0))
                                boundary = true;
                        continue;
                }
                struct cword *w = &v->words[v->n_words];
                if (word_form_acquire(t->fold, t->stem, &w->form) < 0)
                        return -ENOMEM;
                v->n_words++;
                w->fold = w->form->fold;
                w->stem = w->form->stem;
                w->stem_hash = w->form->stem_hash;
                w->ly = w->form->ly;
                w->be_form = token_in_list(t, LEXICON_BE_FORMS);
                w->clause_marker = token_in_list(t, LEXICON_CLAUSE_MARKERS);
                w->boundary = boundary;
                boundary = false;

                /* a verdict phrase ("not true", "put to rest") calls the
                 * account untrue as one refutation word does: its first word
                 * counts as that word, the others as neither content nor
                 * negation */
                bool in_verdict = i < verdict_end, verdict_start = false;
                if (!in_verdict) {
                        size_t vn = story_verdict_at(st, i, part_end);
                        if (vn > 0) {
                                verdict_end = i + vn;
                                in_verdict = verdict_start = true;
                        }
                }
                /* "rejected demands to ...": a refusal, not a denial */
                if (first_word && !token_in_list(t, LEXICON_DETERMINERS)) {
                        first_word = false;
                        v->refusal = c->stance == STANCE_DENIES && token_in_list(t, LEXICON_REQUEST_NOUNS);
                }
                bool negation = !in_verdict && (negation_word(t) || negative_implicative(st, i, part_end));
                w->negation = negation;
                if (negation)
                        v->has_cue = true;
                /* (an article's verdict holds its verdict words: its stance
                 * says so already) */
                if (!v->verdict && (verdict_start || (!in_verdict && token_in_list(t, LEXICON_REFUTATIONS))))
                        v->refutes = w->refutation = true;
                if (token_in_list(t, LEXICON_REPORT_FRAMES))
                        v->framed = true;
                w->content = (t->flags & TOKEN_WORD) && !(t->flags & TOKEN_STOPWORD) && !negation && !in_verdict &&
                        !token_in_list(t, LEXICON_REFUTATIONS) && w->fold[0] && w->fold[1];
                if (w->content)
                        w->alias = phrasal_meaning(st, i, part_end);
                bool hedge = c->hedged && token_in_list(t, LEXICON_HEDGES);
                bool in_date = (hedge || w->content) && claim_date_has_word(c, w->fold);
                if (hedge) {
                        hedge_words++;
                        hedge_dates += in_date;
                }
                w->dateword = w->content && in_date;
                w->entity = w->content && (name_keys_have(&names, c, w->fold, w->form->fold_hash) ||
                                           name_keys_have(&names, c, w->stem, w->stem_hash));
        }
        if (v->n_words > 0) {
                /* the array was sized for every token, punctuation too;
                 * cached views keep only their words */
                struct cword *fit = realloc(v->words, v->n_words * sizeof(*v->words));
                if (fit)
                        v->words = fit;
        }
        /* a claim hedged only by the month in its date ("On May 17 the
         * assembly passed ...") is not hedged; one hedged by its cue
         * ("reportedly said") holds no hedge word and stays hedged */
        v->hedged = c->hedged && !(hedge_words > 0 && hedge_dates == hedge_words);

        mark_copulas(v);

        return view_index_content(v);
}

int conflict_view_new(const struct claim *c, struct conflict_view **ret) {
        struct conflict_view *v = view_alloc(c);
        struct segmented_text *cue = NULL, *st = NULL;
        int r = 0;

        if (!v)
                return -ENOMEM;
        /* text we cannot read gives a view with no words, which aligns with nothing */
        if (c->cue && *c->cue) {
                r = segment_words(c->cue, strlen(c->cue), &cue);
                if (r >= 0 && cue)
                        r = view_read_cue(v, cue, 0, cue->n_tokens);
        }
        if (r != -ENOMEM) {
                const char *text = c->text ? c->text : "";
                r = segment_words(text, strlen(text), &st);
                if (r >= 0 && st)
                        r = view_read_words(v, st, 0, st->n_tokens, 0, 0);
        }
        segmented_text_free(cue);
        segmented_text_free(st);
        if (r == -ENOMEM) {
                conflict_view_free(v);
                return r;
        }
        *ret = v;
        return 0;
}

int conflict_view_from_tokens(const struct claim *c, const struct claim_tokens *t, struct conflict_view **ret) {
        struct conflict_view *v = view_alloc(c);
        if (!v)
                return -ENOMEM;
        int r = view_read_cue(v, t->st, t->cue_begin, t->cue_end);
        if (r >= 0)
                r = view_read_words(v, t->st, t->begin, t->end, t->gap_begin, t->gap_end);
        if (r < 0) {
                conflict_view_free(v);
                return r;
        }
        *ret = v;
        return 0;
}
