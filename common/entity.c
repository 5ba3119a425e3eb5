/* Named entities: runs of capitalised words (with "of", "de", "bin" ... inside
 * where a name allows them), cut into gazetteer places and organisations
 * (LEXICON_PLACES, LEXICON_ORGS, demonyms -> their place), titles stripped
 * from people's names (LEXICON_TITLES) and what is left classified by cues:
 * a title before it or a known given name -> person, an organisation word in
 * it -> organisation.  Canonical names come from the gazetteers, so "U.S.",
 * "US", "America" and "American" all give "United States". */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "hash.h"
#include "lexicon.h"
#include "name-suffix.h"

#define KEY_MAX 64
#define PHRASE_MAX 256
#define MAX_MATCH 6             /* longest gazetteer/title entry, in words */
#define TENTATIVE '?'           /* kind of a mention kept only if a longer name backs it */
#define USAGE_WINDOW 1000       /* tokens around a range whose spelling is consulted */

/* One word as entity.c sees it: a token, or tokens joined by touching
 * hyphens ("al-Assad", "Mar-a-Lago"), or one piece of a hyphenated pair
 * ("Trump" of "Trump-Putin"); possessive 's stripped. */
struct unit {
        size_t tb, te;          /* tokens */
        int32_t start, end;     /* bytes */
        char key[KEY_MAX];      /* folded */
        bool word;              /* a word (not punctuation) */
        bool cap;               /* starts upper case */
        bool allcaps;
        bool stopword;
        bool possessive;        /* had 's: ends a name */
        bool standalone;        /* piece of "Trump-Putin" or "Saudi-led": joins no neighbour */
        bool sent_start;        /* first word of its sentence */
        struct lexicon_sets lists;      /* lexicon_word_sets() of key */
};

/* lexicon_contains(id, x->key), answered once when the unit was built. */
static bool unit_in(const struct unit *x, enum lexicon_id id) {
        return lexicon_set_has(x->lists.in, id);
}

struct result {
        struct entity_mention *items;
        size_t n, allocated;
};


/* Does the raw text of a token start with an upper-case letter?  (Token
 * flags say so for whole tokens; this is used for hyphen pieces too.) */
static bool token_cap(const struct token *t) {
        return (t->flags & TOKEN_CAPITALIZED) != 0;
}

/* Appends s[0..n) to key (at *len), returns false when it does not fit. */
static bool key_append(char *key, size_t *len, const char *s, size_t n) {
        if (*len + n + 1 > KEY_MAX)
                return false;
        memcpy(key + *len, s, n);
        *len += n;
        key[*len] = '\0';
        return true;
}

/* Removes a possessive "'s" (or a bare "'" after s) from u's key and span. */
static void strip_possessive(const struct segmented_text *st, struct unit *u) {
        size_t l = strlen(u->key);
        if (l > 2 && u->key[l - 2] == '\'' && u->key[l - 1] == 's') {
                u->key[l - 2] = '\0';
                u->possessive = true;
                /* the raw apostrophe may be ' (1 byte) or ’ (3 bytes) */
                if (u->end - u->start > 4 && !memcmp(st->text + u->end - 4, "\xe2\x80\x99", 3))
                        u->end -= 4;
                else
                        u->end -= 2;
        } else if (l > 2 && u->key[l - 1] == '\'' && u->key[l - 2] == 's') {
                u->key[l - 1] = '\0';
                u->possessive = true;
                u->end -= 1;
        }
}

static bool in_gazetteer(const char *key) {
        return lexicon_contains(LEXICON_PLACES, key) || lexicon_contains(LEXICON_ORGS, key) ||
               lexicon_contains(LEXICON_DEMONYMS, key);
}

static bool unit_in_gazetteer(const struct unit *x) {
        return unit_in(x, LEXICON_PLACES) || unit_in(x, LEXICON_ORGS) || unit_in(x, LEXICON_DEMONYMS);
}

/* Is t the lower-case end of "Saudi-led", "Kremlin-backed", "Russian-born",
 * "Texas-based", whose capitalised first piece stands alone?  (Other
 * hyphenated words stay whole: "Moon Jae-in".) */
static bool hyphen_suffix(const struct token *t) {
        size_t l = strlen(t->fold);
        if (token_cap(t) || l < 3)
                return false;
        return !strcmp(t->fold + l - 2, "ed") || !strcmp(t->fold, "born") || !strcmp(t->fold, "based") ||
               !strcmp(t->fold, "run") || !strcmp(t->fold, "style") || !strcmp(t->fold, "era") ||
               !strcmp(t->fold, "made") || !strcmp(t->fold, "wide") || !strcmp(t->fold, "owned");
}

/* Builds the units of tokens [b, e).  Returns the number of units written
 * to u (which must hold e - b entries). */
static size_t build_units(const struct segmented_text *st, size_t b, size_t e, struct unit *u) {
        size_t n = 0;
        int32_t cur_sentence = -1;
        bool seen_word = false;

        for (size_t i = b; i < e; i++) {
                const struct token *t = &st->tokens[i];
                if (t->sentence != cur_sentence) {
                        cur_sentence = t->sentence;
                        seen_word = false;
                }
                struct unit *x = &u[n];
                memset(x, 0, sizeof(*x));
                x->tb = i;
                x->te = i + 1;
                x->start = t->start;
                x->end = t->end;
                if (!(t->flags & (TOKEN_WORD | TOKEN_NUMBER))) {
                        size_t l = 0;
                        key_append(x->key, &l, t->fold, strlen(t->fold));
                        n++;
                        continue;
                }
                x->word = (t->flags & TOKEN_WORD) != 0;
                x->sent_start = !seen_word;
                seen_word = true;

                /* tokens joined by touching hyphens */
                size_t j = i;
                while (j + 2 < e && token_fold_is(&st->tokens[j + 1], "-") &&
                       st->tokens[j + 1].start == st->tokens[j].end &&
                       st->tokens[j + 2].start == st->tokens[j + 1].end &&
                       (st->tokens[j + 2].flags & TOKEN_WORD))
                        j += 2;

                if (j == i || !x->word) {
                        size_t l = 0;
                        if (!key_append(x->key, &l, t->fold, strlen(t->fold)))
                                x->key[0] = '\0';
                        x->cap = token_cap(t);
                        x->allcaps = (t->flags & TOKEN_ALLCAPS) != 0;
                        x->stopword = (t->flags & TOKEN_STOPWORD) != 0;
                        strip_possessive(st, x);
                        n++;
                        continue;
                }

                /* a hyphenated word [i, j] */
                size_t l = 0;
                bool fits = true, all_cap = true;
                for (size_t k = i; k <= j; k++) {
                        fits = fits && key_append(x->key, &l, st->tokens[k].fold, strlen(st->tokens[k].fold));
                        if (k % 2 == i % 2 && !token_cap(&st->tokens[k]))
                                all_cap = false;
                }
                if (!fits)
                        x->key[0] = '\0';
                x->te = j + 1;
                x->end = st->tokens[j].end;
                strip_possessive(st, x);
                const struct token *first = t, *second = &st->tokens[i + 2];
                x->cap = token_cap(first);      /* "Jae-in" stays one word */
                if (x->key[0] && lexicon_contains(LEXICON_NOT_ENTITIES, x->key)) {
                        x->cap = false;         /* "African-American" */
                } else if (x->key[0] && in_gazetteer(x->key)) {
                        /* "Mar-a-Lago", "Al-Qaeda", "Guinea-Bissau" */
                        x->cap = true;
                        x->allcaps = (t->flags & TOKEN_ALLCAPS) != 0;
                } else if (!token_cap(first) && token_cap(second) && lexicon_contains(LEXICON_NAME_PARTICLES, first->fold)) {
                        /* "al-Assad", "bin-Talal" */
                        x->cap = true;
                } else if (all_cap) {
                        /* "Trump-Putin": one standalone unit per piece */
                        bool poss = x->possessive;
                        int32_t poss_end = x->end;
                        for (size_t k = i; k <= j; k += 2) {
                                struct unit *p = &u[n];
                                const struct token *pt = &st->tokens[k];
                                memset(p, 0, sizeof(*p));
                                p->tb = k;
                                p->te = k + 1;
                                p->start = pt->start;
                                p->end = pt->end;
                                size_t pl = 0;
                                if (!key_append(p->key, &pl, pt->fold, strlen(pt->fold)))
                                        p->key[0] = '\0';
                                p->word = true;
                                p->cap = true;
                                p->allcaps = (pt->flags & TOKEN_ALLCAPS) != 0;
                                p->standalone = true;
                                p->sent_start = k == i && x->sent_start;
                                if (k == j && poss) {
                                        strip_possessive(st, p);
                                        p->end = poss_end;
                                }
                                n++;
                        }
                        i = j;
                        continue;
                } else if (token_cap(first) && hyphen_suffix(&st->tokens[j])) {
                        /* "Saudi-led", "Kremlin-backed": the capitalised piece alone */
                        x->te = i + 1;
                        x->end = first->end;
                        l = 0;
                        if (!key_append(x->key, &l, first->fold, strlen(first->fold)))
                                x->key[0] = '\0';
                        x->cap = true;
                        x->allcaps = (first->flags & TOKEN_ALLCAPS) != 0;
                        x->standalone = true;
                }
                n++;
                i = j;
        }
        /* every list's answer for each key, once: the passes below ask
         * about the same units many times */
        for (size_t k = 0; k < n; k++) {
                const struct token *t = &st->tokens[u[k].tb];
                if (u[k].te == u[k].tb + 1 && strcmp(u[k].key, t->fold) == 0)
                        u[k].lists = t->lists;
                else
                        u[k].lists = lexicon_word_sets(u[k].key, strlen(u[k].key));
        }
        return n;
}

/* Joins the keys of units [a, b) with spaces into buf.  Returns false when
 * they do not fit or one is empty. */
static bool join_keys(const struct unit *u, size_t a, size_t b, char *buf, size_t size) {
        size_t len = 0;
        for (size_t k = a; k < b; k++) {
                size_t l = strlen(u[k].key);
                if (l == 0 || len + l + 2 > size)
                        return false;
                if (k > a)
                        buf[len++] = ' ';
                memcpy(buf + len, u[k].key, l);
                len += l;
        }
        buf[len] = '\0';
        return len > 0;
}

enum match_kind { MATCH_NONE, MATCH_PLACE, MATCH_ORG, MATCH_DEMONYM, MATCH_TITLE };

struct match {
        enum match_kind kind;
        size_t len;             /* units */
        const char *canonical;
};

/* Longest gazetteer (and, when titles is set, title) entry starting at unit
 * a within [a, b).  A one-word entry that is also a function word ("US",
 * "WHO", "IT") must be written in capitals. */
static struct match longest_match(const struct unit *u, size_t a, size_t b, bool titles) {
        char buf[PHRASE_MAX];
        struct match m = { MATCH_NONE, 0, NULL };
        size_t max = b - a < MAX_MATCH ? b - a : MAX_MATCH;
        /* every entry found begins with unit a's key: the lists with none
         * that does are not asked */
        uint64_t heads = u[a].lists.heads;
        bool org = lexicon_set_has(heads, LEXICON_ORGS), place = lexicon_set_has(heads, LEXICON_PLACES),
             demonym = lexicon_set_has(heads, LEXICON_DEMONYMS),
             title = titles && lexicon_set_has(heads, LEXICON_TITLES);

        if (!org && !place && !demonym && !title)
                return m;
        for (size_t len = max; len >= 1; len--) {
                if (!join_keys(u, a, a + len, buf, sizeof(buf)))
                        continue;
                if (len == 1 && u[a].stopword && !u[a].allcaps)
                        continue;
                const char *v;
                if (org && (v = lexicon_lookup(LEXICON_ORGS, buf)))
                        return (struct match) { MATCH_ORG, len, v };
                if (place && (v = lexicon_lookup(LEXICON_PLACES, buf)))
                        return (struct match) { MATCH_PLACE, len, v };
                if (demonym && (v = lexicon_lookup(LEXICON_DEMONYMS, buf)))
                        return (struct match) { MATCH_DEMONYM, len, v };
                if (title && lexicon_contains(LEXICON_TITLES, buf))
                        return (struct match) { MATCH_TITLE, len, NULL };
        }
        return m;
}

/* Longest title starting at unit a within [a, b), in units, or 0. */
static size_t title_at(const struct unit *u, size_t a, size_t b) {
        char buf[PHRASE_MAX];
        size_t max = b - a < MAX_MATCH ? b - a : MAX_MATCH;
        if (!lexicon_set_has(u[a].lists.heads, LEXICON_TITLES))
                return 0;       /* no title begins with its key */
        for (size_t len = max; len >= 1; len--)
                if (join_keys(u, a, a + len, buf, sizeof(buf)) && lexicon_contains(LEXICON_TITLES, buf))
                        return len;
        return 0;
}

static void mark_found(struct name_suffix_slot *slot, void *arg) {
        slot->value = 1;
}

/* Keeps a tentative mention (a lone unknown first word of a sentence) only
 * when a person name of two words or more in r ends with it, as 'M' for
 * entity_mentions_resolve() to complete; drops the others.  Returns 0 or
 * -ENOMEM. */
static int tentative_prune(struct result *r) {
        struct name_suffixes parts = {};
        bool any = false;
        for (size_t k = 0; k < r->n && !any; k++)
                any = r->items[k].kind == TENTATIVE;
        for (size_t k = 0; any && k < r->n; k++)
                if (r->items[k].kind == 'P' && name_suffixes_add(&parts, r->items[k].name, mark_found, NULL) < 0) {
                        name_suffixes_free(&parts);
                        return -ENOMEM;
                }
        for (size_t i = 0; i < r->n; i++) {
                struct entity_mention *m = &r->items[i];
                if (m->kind == TENTATIVE)
                        m->kind = name_suffixes_find(&parts, m->name) != NAME_SUFFIX_NONE ? 'M' : 0;
        }
        name_suffixes_free(&parts);
        size_t w = 0;
        for (size_t i = 0; i < r->n; i++) {
                if (r->items[i].kind == 0) {
                        free(r->items[i].name);
                        continue;
                }
                r->items[w++] = r->items[i];
        }
        r->n = w;
        return 0;
}

/* Length in units of a phrase of two or three words listed as no entity
 * ("African American") at unit a, or 0. */
static size_t not_entity_at(const struct unit *u, size_t a, size_t b) {
        char buf[PHRASE_MAX];
        for (size_t len = b - a < 3 ? b - a : 3; len >= 2; len--)
                if (join_keys(u, a, a + len, buf, sizeof(buf)) && lexicon_contains(LEXICON_NOT_ENTITIES, buf))
                        return len;
        return 0;
}

/* Is sentence si of st written in Title Case or capitals, as headlines
 * are ("Russia and US Disagree Over Trump-Putin Talk")?  Then capitals say
 * little: a capitalised function word inside it, and (nearly) every other
 * word capitalised. */
static bool sentence_is_headline(const struct segmented_text *st, int32_t si) {
        if (si < 0 || (size_t) si >= st->n_sentences)
                return false;
        const struct sentence *se = &st->sentences[si];
        size_t words = 0, cap = 0, cap_stop = 0, stop = 0;
        bool first = true;
        for (size_t k = se->tok_begin; k < se->tok_end; k++) {
                const struct token *t = &st->tokens[k];
                if (!(t->flags & TOKEN_WORD) || !t->fold[1])
                        continue;       /* one letter: the s of "U.N.'s" */
                if (first) {
                        first = false;
                        continue;
                }
                if (t->flags & TOKEN_STOPWORD) {
                        stop++;
                        cap_stop += (t->flags & TOKEN_CAPITALIZED) != 0;
                } else {
                        words++;
                        cap += (t->flags & TOKEN_CAPITALIZED) != 0;
                }
        }
        if (cap_stop >= 2 && words >= 2 && cap == words)
                return true;
        if (words < 3 || cap * 4 < words * 3)
                return false;
        return cap_stop > 0 || cap == words;
}

/* How words are written in (a window around) the text: for each folded
 * word, how often it is seen in lower case and how often capitalised away
 * from a sentence start.  Exists because a capitalised first word of a
 * sentence says nothing by itself, and a capitalised word that the text also
 * writes in lower case ("Federal", "Post") is rarely a name.  An open
 * addressing table of 64-bit hashes, built once per call. */
struct usage_slot {
        uint64_t hash;          /* 0: empty */
        uint16_t lower, cap_mid;
};

struct usage {
        struct usage_slot *slots;
        size_t mask;
};

/* Never 0: 0 marks an empty slot. */
static uint64_t hash_key(const char *s, size_t n) {
        uint64_t h = hash_fnv1a64(s, n);
        return h ? h : 1;
}

static struct usage_slot *usage_slot(const struct usage *us, uint64_t h) {
        size_t i = (size_t) h & us->mask;
        while (us->slots[i].hash && us->slots[i].hash != h)
                i = (i + 1) & us->mask;
        return &us->slots[i];
}

/* Makes an empty table for about n words; returns 0 or -ENOMEM. */
static int usage_init(struct usage *us, size_t n) {
        size_t size = 64;
        while (size < 2 * n)
                size *= 2;
        us->slots = calloc(size, sizeof(*us->slots));
        if (!us->slots)
                return -ENOMEM;
        us->mask = size - 1;
        return 0;
}

/* Counts the word tokens [b, e) of st into us. */
static void usage_add(struct usage *us, const struct segmented_text *st, size_t b, size_t e) {
        int32_t cur = -1;
        bool headline = false;
        for (size_t k = b; k < e; k++) {
                const struct token *t = &st->tokens[k];
                if (!(t->flags & TOKEN_WORD))
                        continue;
                if (t->sentence != cur) {
                        cur = t->sentence;
                        headline = sentence_is_headline(st, cur);
                }
                size_t l = strlen(t->fold);
                if (l > 2 && t->fold[l - 2] == '\'' && t->fold[l - 1] == 's')
                        l -= 2;
                uint64_t h = hash_key(t->fold, l);
                struct usage_slot *sl = usage_slot(us, h);
                sl->hash = h;
                if (!(t->flags & TOKEN_CAPITALIZED)) {
                        if (sl->lower < UINT16_MAX)
                                sl->lower++;
                } else if (!(t->flags & TOKEN_SENT_START) && k > 0 && (st->tokens[k - 1].flags & TOKEN_WORD) &&
                           st->tokens[k - 1].sentence == t->sentence && !headline) {
                        if (sl->cap_mid < UINT16_MAX)
                                sl->cap_mid++;
                }
        }
}

/* 1 when key is written as a name (capitalised mid-sentence, more often
 * than in lower case), -1 when it is written in lower case at least as
 * often, 0 when the text does not say. */
static int usage_of(const struct usage *us, const char *key) {
        const struct usage_slot *sl = usage_slot(us, hash_key(key, strlen(key)));
        if (!sl->hash || (sl->lower == 0 && sl->cap_mid == 0))
                return 0;
        return sl->lower >= sl->cap_mid ? -1 : 1;
}

/* Appends a mention of units [a, b) named name (NULL: the units' text). */
static int emit(const struct segmented_text *st, struct result *r, const struct unit *u, size_t a, size_t b,
                const char *name, char kind) {
        if (r->n == r->allocated) {
                size_t na = r->allocated ? r->allocated * 2 : 16;
                struct entity_mention *p = realloc(r->items, na * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                r->items = p;
                r->allocated = na;
        }
        char *s;
        if (name)
                s = strdup(name);
        else {
                /* the words as written, one space between them */
                size_t size = 0;
                for (size_t k = a; k < b; k++)
                        size += (size_t) (u[k].end - u[k].start) + 1;
                s = malloc(size + 1);
                if (s) {
                        size_t len = 0;
                        for (size_t k = a; k < b; k++) {
                                if (k > a)
                                        s[len++] = ' ';
                                memcpy(s + len, st->text + u[k].start, (size_t) (u[k].end - u[k].start));
                                len += (size_t) (u[k].end - u[k].start);
                        }
                        s[len] = '\0';
                }
        }
        if (!s)
                return -ENOMEM;
        r->items[r->n++] = (struct entity_mention) {
                .start = u[a].start, .end = u[b - 1].end,
                .tok_begin = u[a].tb, .tok_end = u[b - 1].te,
                .name = s, .kind = kind,
        };
        return 0;
}

/* Is key one letter ("D", "É")?  An empty key (a word too long to hold)
 * counts too: neither is a name. */
static bool single_letter(const char *key) {
        if (!key[0])
                return true;
        const unsigned char *p = (const unsigned char *) key + 1;
        while ((*p & 0xC0) == 0x80)
                p++;
        return *p == '\0';
}

/* Does a capitalised first word look like an ordinary word opening the
 * sentence ("Unlike Smith", "Asked about", "Taking Thomas")?  Listed
 * openers, and -ing/-ed/-ly words. */
static bool opener_like(const struct unit *x) {
        const char *key = x->key;
        size_t l = strlen(key);
        if (unit_in(x, LEXICON_SENTENCE_OPENERS))
                return true;
        return l > 4 && (!strcmp(key + l - 3, "ing") || !strcmp(key + l - 2, "ed") || !strcmp(key + l - 2, "ly"));
}

/* "I'm", "Don't", "We've": not names. */
static bool is_contraction(const char *key) {
        const char *q = strchr(key, '\'');
        if (!q)
                return false;
        return !strcmp(q, "'m") || !strcmp(q, "'ve") || !strcmp(q, "'ll") || !strcmp(q, "'re") ||
               !strcmp(q, "'d") || !strcmp(q, "'t");
}

/* Emits a person named by units [a, b), without middle initials ("Donald
 * J. Trump" -> "Donald Trump") so that sources compare equal. */
static int emit_person(const struct segmented_text *st, struct result *r, const struct unit *u, size_t a,
                       size_t b) {
        char name[PHRASE_MAX];
        size_t len = 0;
        bool dropped = false;
        for (size_t k = a; k < b; k++) {
                size_t l = (size_t) (u[k].end - u[k].start);
                const char *w = st->text + u[k].start;
                if (k > a && k + 1 < b && l == 2 && w[1] == '.') {
                        dropped = true;
                        continue;
                }
                if (len + l + 2 > sizeof(name))
                        return emit(st, r, u, a, b, NULL, 'P');
                if (len)
                        name[len++] = ' ';
                memcpy(name + len, w, l);
                len += l;
        }
        name[len] = '\0';
        return emit(st, r, u, a, b, dropped ? name : NULL, 'P');
}

static bool is_month_or_weekday(const struct unit *x) {
        return unit_in(x, LEXICON_MONTHS) || unit_in(x, LEXICON_WEEKDAYS);
}

/* Classifies and emits the name in units [a, b) (no gazetteer entry at a).
 * person_cue: a title stood before it. */
static int emit_name(const struct segmented_text *st, const struct usage *us, struct result *r,
                     const struct unit *u, size_t a, size_t b, bool person_cue) {
        /* no trailing particles: "Bank of" */
        while (b > a && !u[b - 1].cap)
                b--;
        if (b <= a)
                return 0;
        char buf[PHRASE_MAX];
        const char *v = NULL;
        if (join_keys(u, a, b, buf, sizeof(buf)) && (v = lexicon_lookup(LEXICON_ORGS, buf)))
                return emit(st, r, u, a, b, v, 'O');
        bool org = false, misc = false;
        for (size_t k = a; k < b; k++) {
                org = org || unit_in(&u[k], LEXICON_ORG_WORDS);
                misc = misc || unit_in(&u[k], LEXICON_MISC_WORDS);
        }
        /* "Bill Clinton": a given name first and no organisation word last */
        if (!person_cue && b - a >= 2 && b - a <= 3 && unit_in(&u[a], LEXICON_FIRST_NAMES) &&
            !unit_in(&u[b - 1], LEXICON_ORG_WORDS) && !unit_in(&u[b - 1], LEXICON_MISC_WORDS))
                return emit_person(st, r, u, a, b);
        if (org && !person_cue)
                return emit(st, r, u, a, b, NULL, 'O');
        if (misc && !person_cue)
                return emit(st, r, u, a, b, NULL, 'M');
        if (person_cue || unit_in(&u[a], LEXICON_FIRST_NAMES))
                return emit_person(st, r, u, a, b);
        if (b - a == 1)
                return emit(st, r, u, a, b, NULL, u[a].allcaps && strlen(u[a].key) <= 5 ? 'O' : 'M');
        if (b - a <= 3) {
                /* two or three unknown words are most often a person, unless
                 * the text writes one of them in lower case ("Border Patrol") */
                for (size_t k = a; k < b; k++)
                        if (u[k].cap && usage_of(us, u[k].key) < 0)
                                return emit(st, r, u, a, b, NULL, 'M');
                return emit_person(st, r, u, a, b);
        }
        return emit(st, r, u, a, b, NULL, 'M');
}

static char match_kind_char(enum match_kind k) {
        return k == MATCH_ORG ? 'O' : 'L';
}

/* Cuts the run of capitalised units [a, b) into entities. */
static int process_run(const struct segmented_text *st, const struct usage *us, struct result *r,
                       const struct unit *u, size_t n, size_t a, size_t b) {
        bool person_cue = false;
        int ret;

        /* a lower-case title just before: "spokesman Dmitry Peskov" */
        if (a > 0 && u[a - 1].word && !u[a - 1].cap && unit_in(&u[a - 1], LEXICON_TITLES))
                person_cue = true;

        /* function words and common words that only start the sentence */
        while (a < b) {
                if (!u[a].cap) {
                        a++;
                        continue;
                }
                if (u[a].stopword && !(u[a].allcaps && unit_in_gazetteer(&u[a]))) {
                        a++;
                        continue;
                }
                if (unit_in(&u[a], LEXICON_NOT_ENTITIES) || is_contraction(u[a].key) ||
                    single_letter(u[a].key)) {
                        a++;
                        continue;
                }
                /* "WATCHED Tillerson": a word in capitals before a normal name */
                if (u[a].allcaps && a + 1 < b && !u[a + 1].allcaps && !unit_in_gazetteer(&u[a]) &&
                    !title_at(u, a, b)) {
                        a++;
                        continue;
                }
                if (u[a].sent_start && longest_match(u, a, b, true).kind == MATCH_NONE &&
                    !unit_in(&u[a], LEXICON_FIRST_NAMES)) {
                        /* "Putin's aides ...": a possessive first word is most often a name */
                        int w = usage_of(us, u[a].key);
                        if (w < 0 || (w == 0 && b - a > 1 && opener_like(&u[a])) ||
                            unit_in(&u[a], LEXICON_TIME_WORDS) || opener_like(&u[a])) {
                                a++;
                                continue;
                        }
                        if (w == 0 && b - a == 1 && !u[a].possessive) {
                                /* "Baghdadi then left": kept only if a longer
                                 * name of the text ends with it (tentative_prune) */
                                return emit(st, r, u, a, b, NULL, TENTATIVE);
                        }
                }
                break;
        }

        size_t pos = a;
        while (pos < b) {
                if (!u[pos].cap) {      /* a particle left at the front */
                        pos++;
                        continue;
                }
                size_t skip = not_entity_at(u, pos, b);
                if (skip) {
                        pos += skip;
                        continue;
                }
                struct match m = longest_match(u, pos, b, true);
                if (m.kind == MATCH_TITLE) {
                        person_cue = true;
                        pos += m.len;
                        continue;
                }
                if (m.kind != MATCH_NONE) {
                        size_t after = pos + m.len;
                        bool title_next = after < b && title_at(u, after, b) > 0;
                        /* a place followed by unknown capitalised words is part of a
                         * name ("Jordan Peterson"), unless it is a demonym, a title
                         * follows, or an organisation word ends the run */
                        bool org_rest = false;
                        for (size_t k = after; k < b; k++)
                                org_rest = org_rest || unit_in(&u[k], LEXICON_ORG_WORDS);
                        if (org_rest && m.kind == MATCH_PLACE && !title_next && u[after].cap &&
                            longest_match(u, after, b, false).kind != MATCH_ORG) {
                                /* "Moscow State University", "Chicago Tribune" */
                                return emit(st, r, u, pos, b, NULL, 'O');
                        }
                        if (after >= b || title_next || m.kind == MATCH_DEMONYM || m.kind == MATCH_ORG ||
                            !u[after].cap || m.len > 1 || !unit_in(&u[pos], LEXICON_FIRST_NAMES)) {
                                ret = emit(st, r, u, pos, after, m.canonical, match_kind_char(m.kind));
                                if (ret < 0)
                                        return ret;
                                pos = after;
                                continue;
                        }
                        /* fall through: a name that starts with a place word */
                }
                /* a name runs to the next title or gazetteer entry: "Sergey Lavrov", "Rex Tillerson" */
                size_t end = pos + 1;
                bool given = person_cue || unit_in(&u[pos], LEXICON_FIRST_NAMES);
                struct match mm = { MATCH_NONE, 0, NULL };
                while (end < b) {
                        mm = longest_match(u, end, b, true);
                        if (mm.kind == MATCH_TITLE)
                                break;
                        if (mm.kind != MATCH_NONE && (mm.kind != MATCH_PLACE || !(given || !u[end - 1].cap)))
                                break;
                        mm.kind = MATCH_NONE;
                        end++;
                }
                if (end == pos + 1 && mm.kind == MATCH_PLACE && end + mm.len == b) {
                        /* "Eastern Ukraine", "Greater London": the place, its qualifier in the span */
                        ret = emit(st, r, u, pos, b, mm.canonical, 'L');
                        if (ret < 0)
                                return ret;
                        pos = b;
                        continue;
                }
                /* a lone word of furniture, an event or organisation word, or a
                 * word the text also writes in lower case is no entity
                 * ("Summit", "University", "Federal") */
                if (end == pos + 1 && !person_cue && !u[pos].allcaps &&
                    (unit_in(&u[pos], LEXICON_NOT_ENTITIES) ||
                     unit_in(&u[pos], LEXICON_MISC_WORDS) ||
                     unit_in(&u[pos], LEXICON_ORG_WORDS) || is_contraction(u[pos].key) ||
                     (!unit_in(&u[pos], LEXICON_FIRST_NAMES) && usage_of(us, u[pos].key) < 0))) {
                        pos = end;
                        continue;
                }
                ret = emit_name(st, us, r, u, pos, end, person_cue);
                if (ret < 0)
                        return ret;
                person_cue = false;
                pos = end;
        }
        (void) n;
        return 0;
}

/* Can particle unit k join the run that ends at unit k-1? "of"/"for" only
 * after an organisation word, a title word or a gazetteer prefix ("Bank of
 * America", "Secretary of State", "United States of America"); "the" only
 * after "of"; "de", "bin", "van" ... between names. */
static bool particle_joins(const struct unit *u, size_t n, size_t run_start, size_t k) {
        if (k + 1 >= n || !u[k].word || u[k].cap || !unit_in(&u[k], LEXICON_NAME_PARTICLES))
                return false;
        size_t next = k + 1;
        if (!strcmp(u[k].key, "of") && next + 1 < n && !strcmp(u[next].key, "the") && !u[next].cap)
                next++;         /* "of the" */
        if (!u[next].word || !u[next].cap || u[next].standalone)
                return false;
        if (!strcmp(u[k].key, "of") || !strcmp(u[k].key, "for")) {
                if (unit_in(&u[k - 1], LEXICON_ORG_WORDS) || unit_in(&u[k - 1], LEXICON_TITLES))
                        return true;
                /* a gazetteer entry spans the particle: "united states of america" */
                char buf[PHRASE_MAX];
                size_t end = next + 2 < n ? next + 2 : n;
                for (size_t e = end; e > next; e--)
                        if (join_keys(u, run_start, e, buf, sizeof(buf)) && in_gazetteer(buf))
                                return true;
                return false;
        }
        if (!strcmp(u[k].key, "the"))
                return false;
        return true;
}

/* In a headline, keeps as capitalised only the units that something else
 * says are names: a gazetteer or title entry (alone or with the next word),
 * a given name, or capitals in running text (us). */
static void demote_headline_units(const struct segmented_text *st, const struct usage *us, struct unit *u,
                                  size_t n) {
        int32_t cur = -1;
        bool headline = false;
        char buf[PHRASE_MAX];
        for (size_t i = 0; i < n; i++) {
                int32_t si = st->tokens[u[i].tb].sentence;
                if (si != cur) {
                        cur = si;
                        headline = sentence_is_headline(st, si);
                }
                if (!headline || !u[i].word || !u[i].cap)
                        continue;
                if (u[i].stopword) {
                        u[i].cap = false;
                        continue;
                }
                if (unit_in_gazetteer(&u[i]) || unit_in(&u[i], LEXICON_TITLES) ||
                    unit_in(&u[i], LEXICON_FIRST_NAMES) || usage_of(us, u[i].key) > 0)
                        continue;
                if (i + 1 < n && join_keys(u, i, i + 2, buf, sizeof(buf)) &&
                    (in_gazetteer(buf) || lexicon_contains(LEXICON_TITLES, buf)))
                        continue;
                if (i > 0 && u[i - 1].cap && join_keys(u, i - 1, i + 1, buf, sizeof(buf)) &&
                    (in_gazetteer(buf) || lexicon_contains(LEXICON_TITLES, buf)))
                        continue;
                /* a surname right after a given name or title that starts a
                 * name: "Hillary Clinton", not "Chris Christie Calls" */
                if (i > 0 && u[i - 1].cap && !u[i - 1].stopword &&
                    (unit_in(&u[i - 1], LEXICON_FIRST_NAMES) ||
                     (unit_in(&u[i - 1], LEXICON_TITLES) &&
                      (strchr(u[i - 1].key, '.') || !strcmp(u[i - 1].key, "president")))) &&
                    (i < 2 || !u[i - 2].cap || !u[i - 2].word || u[i - 2].stopword ||
                     unit_in(&u[i - 2], LEXICON_TITLES)))
                        continue;
                u[i].cap = false;
        }
}

int entities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                  struct entity_mention **ret, size_t *ret_n) {
        return entities_find_context(st, tok_begin, tok_end, NULL, ret, ret_n);
}

int entities_find_context(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                          const struct segmented_text *context, struct entity_mention **ret, size_t *ret_n) {
        struct result r = { 0 };
        int err = 0;

        if (tok_end > st->n_tokens)
                tok_end = st->n_tokens;
        if (tok_begin >= tok_end) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        struct unit *u = malloc((tok_end - tok_begin) * sizeof(*u));
        if (!u)
                return -ENOMEM;
        size_t n = build_units(st, tok_begin, tok_end, u);
        struct usage us;
        size_t wb = tok_begin > USAGE_WINDOW ? tok_begin - USAGE_WINDOW : 0;
        size_t we = tok_end + USAGE_WINDOW < st->n_tokens ? tok_end + USAGE_WINDOW : st->n_tokens;
        if (usage_init(&us, we - wb + (context ? context->n_tokens : 0)) < 0) {
                free(u);
                return -ENOMEM;
        }
        usage_add(&us, st, wb, we);
        if (context)
                usage_add(&us, context, 0, context->n_tokens);
        demote_headline_units(st, &us, u, n);

        for (size_t i = 0; i < n; i++) {
                if (!u[i].word || !u[i].cap || !u[i].key[0] || unit_in(&u[i], LEXICON_WEEKDAYS) ||
                    (unit_in(&u[i], LEXICON_MONTHS) && !u[i].allcaps))
                        continue;
                size_t j = i + 1;
                bool stop = u[i].possessive || u[i].standalone;
                while (!stop && j < n) {
                        if (u[j].word && u[j].cap && u[j].key[0] && !u[j].standalone &&
                            !(u[j].stopword && !u[j].allcaps) &&
                            !unit_in(&u[j], LEXICON_WEEKDAYS) &&
                            !(is_month_or_weekday(&u[j]) &&
                              !unit_in(&u[j - 1], LEXICON_FIRST_NAMES))) {
                                stop = u[j].possessive;
                                j++;
                                continue;
                        }
                        if (particle_joins(u, n, i, j)) {
                                j++;
                                if (!strcmp(u[j - 1].key, "of") && !strcmp(u[j].key, "the"))
                                        j++;
                                continue;
                        }
                        break;
                }
                err = process_run(st, &us, &r, u, n, i, j);
                if (err < 0)
                        break;
                i = j - 1;
        }
        free(u);
        free(us.slots);
        if (err < 0) {
                entity_mentions_free(r.items, r.n);
                return err;
        }
        if ((err = tentative_prune(&r)) < 0 || (err = entity_mentions_resolve(r.items, r.n)) < 0) {
                entity_mentions_free(r.items, r.n);
                return err;
        }
        *ret = r.items;
        *ret_n = r.n;
        return 0;
}

void entity_mentions_free(struct entity_mention *m, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(m[i].name);
        free(m);
}
