/* Sentences and tokens with ICU break iterators over the text converted to
 * UTF-16 once, their offsets mapped back to UTF-8 byte offsets.  Tokens come
 * from the word iterator; sentence breaks come from the sentence iterator
 * ("en@ss=standard" suppressions), then are decided per token gap: a newline
 * always breaks, abbreviations from LEXICON_ABBREVIATIONS do not, and a
 * sentence never starts with a lower-case word.  fold/stem strings live in one
 * arena owned by the segmented_text. */

#include <errno.h>
#include <sys/types.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "hash.h"
#include "lexicon.h"
#include "segment.h"
#include "utf8.h"

/* Break iterators and the stemmer are expensive to open and not thread-safe:
 * each thread keeps its own, freed when the thread exits. */
/* Stems and list answers of recent short words: news text repeats its
 * words, and the stemmer and the list lookups are most of a token's cost. */
#define WORD_CACHE_SLOTS 16384     /* 800 KiB a thread: most of a news vocabulary */
#define WORD_CACHE_LEN 24

struct word_cache_entry {
        char fold[WORD_CACHE_LEN];      /* NUL-terminated; "" for an empty slot */
        char stem[WORD_CACHE_LEN];
        struct lexicon_sets lists;      /* lexicon_word_sets() of fold */
};

struct seg_cache {
        UBreakIterator *word;
        UBreakIterator *sent;
        struct sb_stemmer *stemmer;
        struct word_cache_entry words[WORD_CACHE_SLOTS];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Thread_local struct seg_cache *thread_cache;

static void cache_free(void *p) {
        struct seg_cache *c = p;

        if (!c)
                return;
        if (c->word)
                ubrk_close(c->word);
        if (c->sent)
                ubrk_close(c->sent);
        if (c->stemmer)
                sb_stemmer_delete(c->stemmer);
        free(c);
}

static void cache_key_make(void) {
        (void) pthread_key_create(&cache_key, cache_free);
}

/* Returns this thread's cache with everything opened, or NULL on failure. */
static struct seg_cache *cache_get(void) {
        struct seg_cache *c = thread_cache;
        UErrorCode st = U_ZERO_ERROR;

        if (c)
                return c;
        (void) pthread_once(&cache_once, cache_key_make);
        c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->word = ubrk_open(UBRK_WORD, "en", NULL, 0, &st);
        if (U_SUCCESS(st))
                c->sent = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &st);
        if (U_SUCCESS(st))
                c->stemmer = sb_stemmer_new("english", NULL);
        if (U_FAILURE(st) || !c->stemmer) {
                cache_free(c);
                return NULL;
        }
        (void) pthread_setspecific(cache_key, c);
        thread_cache = c;
        return c;
}

/* A growing byte buffer; strings are referred to by offset while it grows. */
struct arena {
        char *buf;
        size_t len, cap;
};

static int arena_reserve(struct arena *a, size_t n) {
        if (a->len + n <= a->cap)
                return 0;
        size_t cap = a->cap ? a->cap : 256;
        while (cap < a->len + n)
                cap *= 2;
        char *b = realloc(a->buf, cap);
        if (!b)
                return -ENOMEM;
        a->buf = b;
        a->cap = cap;
        return 0;
}

/* Appends s[0..n) and a NUL; returns the offset of the copy or -ENOMEM. */
static ssize_t arena_add(struct arena *a, const char *s, size_t n) {
        if (arena_reserve(a, n + 1) < 0)
                return -ENOMEM;
        size_t off = a->len;
        memcpy(a->buf + off, s, n);
        a->buf[off + n] = '\0';
        a->len += n + 1;
        return (ssize_t) off;
}

static bool is_apostrophe(UChar32 c) {
        return c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0xFF07;
}

/* NFKC case folding of s[0..n) appended to the arena (apostrophes -> ');
 * ASCII takes a fast path.  Returns the offset or a negative errno. */
static ssize_t fold_into(struct arena *a, const char *s, size_t n) {
        size_t i;

        for (i = 0; i < n; i++)
                if ((unsigned char) s[i] >= 0x80)
                        break;
        if (i == n) {
                if (arena_reserve(a, n + 1) < 0)
                        return -ENOMEM;
                size_t off = a->len;
                for (i = 0; i < n; i++)
                        a->buf[off + i] = ascii_lower(s[i]);
                a->buf[off + n] = '\0';
                a->len += n + 1;
                return (ssize_t) off;
        }

        UErrorCode st = U_ZERO_ERROR;
        const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
        if (U_FAILURE(st) || n > INT32_MAX / 4)
                return -EINVAL;

        UChar src_stack[128], dst_stack[256];
        UChar *src = src_stack, *dst = dst_stack, *heap_src = NULL, *heap_dst = NULL;
        int32_t src_cap = 128, dst_cap = 256, src_len, dst_len;
        ssize_t r = -ENOMEM;

        if ((size_t) src_cap < n + 1) {
                src_cap = (int32_t) n + 1;
                src = heap_src = malloc(sizeof(UChar) * src_cap);
                if (!src)
                        goto out;
        }
        u_strFromUTF8(src, src_cap, &src_len, s, (int32_t) n, &st);
        if (U_FAILURE(st)) {
                r = -EINVAL;
                goto out;
        }
        for (;;) {
                st = U_ZERO_ERROR;
                dst_len = unorm2_normalize(nfkc_cf, src, src_len, dst, dst_cap, &st);
                if (st != U_BUFFER_OVERFLOW_ERROR)
                        break;
                free(heap_dst);
                dst_cap = dst_len + 1;
                dst = heap_dst = malloc(sizeof(UChar) * dst_cap);
                if (!dst)
                        goto out;
        }
        if (U_FAILURE(st)) {
                r = -EINVAL;
                goto out;
        }
        for (int32_t k = 0; k < dst_len; k++)
                if (is_apostrophe(dst[k]))
                        dst[k] = '\'';

        /* at most 3 UTF-8 bytes per UTF-16 unit */
        if (arena_reserve(a, (size_t) dst_len * 3 + 1) < 0)
                goto out;
        int32_t out_len;
        st = U_ZERO_ERROR;
        u_strToUTF8(a->buf + a->len, (int32_t) (a->cap - a->len), &out_len, dst, dst_len, &st);
        if (U_FAILURE(st)) {
                r = -EINVAL;
                goto out;
        }
        r = (ssize_t) a->len;
        a->buf[a->len + out_len] = '\0';
        a->len += out_len + 1;
out:
        free(heap_src);
        free(heap_dst);
        return r;
}

/* Stem of the folded word at offset fold_off, appended to the arena; returns
 * its offset, fold_off itself when the stem is the same string, or -ENOMEM. */
static ssize_t stem_into(struct arena *a, struct sb_stemmer *stemmer, size_t fold_off) {
        size_t n = strlen(a->buf + fold_off);
        const sb_symbol *r = sb_stemmer_stem(stemmer, (const sb_symbol *) (a->buf + fold_off), (int) n);
        if (!r)
                return -ENOMEM;
        size_t m = (size_t) sb_stemmer_length(stemmer);
        if (m == n && memcmp(r, a->buf + fold_off, n) == 0)
                return (ssize_t) fold_off;
        return arena_add(a, (const char *) r, m);
}

enum abbrev_class {
        ABBREV_NONE,
        ABBREV_TITLE,   /* never ends a sentence */
        ABBREV_OTHER,   /* ends one only before a capitalised function word */
        ABBREV_NUM,     /* an abbreviation only before a number */
};

/* Per-token data used while building, beside struct token. */
struct tok_extra {
        size_t fold_off, stem_off;
        enum abbrev_class abbrev;
};

/* Gives token t the lists of its fold, and TOKEN_STOPWORD to a word in
 * the stop words. */
static void set_lists(struct token *t, struct lexicon_sets lists) {
        t->lists = lists;
        if ((t->flags & TOKEN_WORD) && token_in_list(t, LEXICON_STOPWORDS))
                t->flags |= TOKEN_STOPWORD;
}

/* Sets the stem, the lists and TOKEN_STOPWORD of word token t through the
 * thread's word cache.  Returns 0 or -ENOMEM. */
static int stem_word(struct seg_cache *c, struct arena *a, struct tok_extra *e, struct token *t) {
        const char *fold = a->buf + e->fold_off;
        size_t n = strlen(fold);
        struct word_cache_entry *w = NULL;

        if (n < WORD_CACHE_LEN) {
                w = &c->words[hash_fnv1a32(fold, n) % WORD_CACHE_SLOTS];
                if (strcmp(w->fold, fold) == 0 && n > 0) {
                        set_lists(t, w->lists);
                        if (w->stem[0] == '\0')
                                return 0;       /* the stem is the fold */
                        ssize_t off = arena_add(a, w->stem, strlen(w->stem));
                        if (off < 0)
                                return (int) off;
                        e->stem_off = (size_t) off;
                        return 0;
                }
        }

        set_lists(t, lexicon_word_sets(fold, n));
        ssize_t off = stem_into(a, c->stemmer, e->fold_off);
        if (off < 0)
                return (int) off;
        e->stem_off = (size_t) off;

        const char *stem = a->buf + e->stem_off;
        fold = a->buf + e->fold_off;    /* the arena may have moved */
        if (w && strlen(stem) < WORD_CACHE_LEN && (e->stem_off == e->fold_off || stem[0] != '\0')) {
                memcpy(w->fold, fold, n + 1);
                if (e->stem_off == e->fold_off)
                        w->stem[0] = '\0';
                else
                        strcpy(w->stem, stem);
                w->lists = t->lists;
        }
        return 0;
}

static bool is_space_or_format(UChar32 c) {
        int8_t t = u_charType(c);
        return u_isUWhiteSpace(c) || t == U_FORMAT_CHAR || t == U_CONTROL_CHAR;
}

static bool is_line_break(UChar32 c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Code point before byte i (or -1 at the start) and at byte i (-1 at the end). */
static UChar32 cp_before(const char *s, int32_t i) {
        UChar32 c;
        if (i <= 0)
                return -1;
        U8_PREV((const uint8_t *) s, 0, i, c);
        return c;
}

static UChar32 cp_at(const char *s, int32_t len, int32_t i) {
        UChar32 c;
        if (i >= len)
                return -1;
        U8_NEXT((const uint8_t *) s, i, len, c);
        return c;
}

/* Characters after which a straight quote opens, besides white space. */
static bool opens_before(UChar32 c) {
        return c < 0 || is_space_or_format(c) || c == '(' || c == '[' || c == '{' || c == 0x2014 ||
                c == 0x2013 || c == '-' || c == '/' || c == 0x201C || c == 0x2018 || c == 0xAB ||
                c == '"' || c == '\'';
}

/* Characters before which a straight quote closes, besides white space. */
static bool closes_after(UChar32 c) {
        if (c < 0 || is_space_or_format(c))
                return true;
        int8_t t = u_charType(c);
        return t == U_OTHER_PUNCTUATION || t == U_END_PUNCTUATION || t == U_DASH_PUNCTUATION ||
                t == U_FINAL_PUNCTUATION;
}

enum quote_kind { QK_NONE, QK_DOUBLE, QK_SINGLE, QK_APOSTROPHE };

/* Classifies a one-code-point punctuation token as a quotation mark and
 * decides whether it opens or closes; *open_double / *open_single track the
 * quotes still open in the paragraph.  Returns TOKEN_QUOTE flags or 0 when
 * the mark is not a quote (a possessive apostrophe is plain punctuation). */
static uint32_t quote_flags(UChar32 c, const char *text, int32_t len, int32_t start, int32_t end,
                            bool *open_double, bool *open_single) {
        UChar32 prev = cp_before(text, start), next = cp_at(text, len, end);
        bool open;

        switch (c) {
        case 0x201C: case 0x201E: case 0x201F: case 0xAB:
                *open_double = true;
                return TOKEN_QUOTE | TOKEN_QUOTE_OPEN;
        case 0x201D: case 0xBB:
                *open_double = false;
                return TOKEN_QUOTE | TOKEN_QUOTE_CLOSE;
        case 0x2018: case 0x201A: case 0x201B: case 0x2039:
                *open_single = true;
                return TOKEN_QUOTE | TOKEN_QUOTE_OPEN;
        case 0x203A:
                *open_single = false;
                return TOKEN_QUOTE | TOKEN_QUOTE_CLOSE;
        case '"': case 0xFF02:
                if (opens_before(prev) && !(next < 0 || is_space_or_format(next)))
                        open = true;
                else if (closes_after(next))
                        open = false;
                else
                        open = !*open_double;
                *open_double = open;
                return TOKEN_QUOTE | (open ? TOKEN_QUOTE_OPEN : TOKEN_QUOTE_CLOSE);
        case '\'': case 0x2019:
                /* ’ or ' after a word: closes an open single quote, else it is
                 * an apostrophe (the countries' leaders) */
                if (!opens_before(prev)) {
                        if (*open_single && closes_after(next)) {
                                *open_single = false;
                                return TOKEN_QUOTE | TOKEN_QUOTE_CLOSE;
                        }
                        return 0;
                }
                /* before a word: ' opens ('Yes', she said); ’ and '90s are apostrophes */
                if (c == '\'' && next >= 0 && u_isalpha(next)) {
                        *open_single = true;
                        return TOKEN_QUOTE | TOKEN_QUOTE_OPEN;
                }
                return 0;
        default:
                return 0;
        }
}

/* Capitalisation flags of a word token; ASCII letters skip ICU's tables. */
static uint32_t case_flags(const char *s, int32_t n) {
        int32_t i = 0, letters = 0, upper = 0;
        bool first_upper = false;

        while (i < n) {
                UChar32 c;
                bool up, alpha;

                if ((unsigned char) s[i] < 0x80)
                        c = (unsigned char) s[i++];
                else
                        U8_NEXT((const uint8_t *) s, i, n, c);
                /* a possessive 's does not count: "CNN's" is all caps */
                if ((c == '\'' || c == 0x2019) && letters > 0 && i + 1 == n && (s[i] == 's' || s[i] == 'S'))
                        break;
                if (c < 0x80) {
                        up = c >= 'A' && c <= 'Z';
                        alpha = up || (c >= 'a' && c <= 'z');
                } else {
                        alpha = u_isalpha(c);
                        up = alpha && (u_isupper(c) || u_istitle(c));
                }
                if (!alpha)
                        continue;
                if (letters == 0)
                        first_upper = up;
                letters++;
                upper += up;
        }
        uint32_t f = 0;
        if (first_upper)
                f |= TOKEN_CAPITALIZED;
        if (letters >= 2 && upper == letters)
                f |= TOKEN_ALLCAPS;
        return f;
}

/* Is the first letter of the token lower case? */
static bool starts_lower(const char *s, int32_t n) {
        int32_t i = 0;
        while (i < n) {
                UChar32 c;
                U8_NEXT((const uint8_t *) s, i, n, c);
                if (u_isalpha(c))
                        return u_islower(c);
        }
        return false;
}

/* Abbreviation class of word token t followed directly by ".", given the
 * token after the period (or NULL). */
static enum abbrev_class abbrev_of(const struct token *t, const char *fold, const char *text,
                                   const struct token *after) {
        if (strchr(fold, '.'))          /* U.S, a.m, D.C: ICU keeps inner periods */
                return ABBREV_OTHER;
        if (!(t->flags & TOKEN_WORD))
                return ABBREV_NONE;
        /* single capital letter: an initial (J. Edgar Hoover) */
        int32_t i = t->start;
        UChar32 c;
        U8_NEXT((const uint8_t *) text, i, t->end, c);
        if (i == t->end && u_isupper(c))
                return ABBREV_OTHER;

        const char *v = lexicon_lookup(LEXICON_ABBREVIATIONS, fold);
        if (!v)
                return ABBREV_NONE;
        if (strcmp(v, "lower") == 0)
                return ABBREV_OTHER;
        if (!(t->flags & TOKEN_CAPITALIZED))
                return ABBREV_NONE;
        if (strcmp(v, "title") == 0)
                return ABBREV_TITLE;
        if (strcmp(v, "num") == 0)
                return after && (after->flags & TOKEN_NUMBER) ? ABBREV_NUM : ABBREV_NONE;
        return ABBREV_OTHER;
}

struct builder {
        struct token *tokens;
        struct tok_extra *extra;
        size_t n, cap;
};

/* Makes room for cap tokens.  Returns 0 or -ENOMEM. */
static int builder_reserve(struct builder *b, size_t cap) {
        if (cap <= b->cap)
                return 0;
        struct token *t = realloc(b->tokens, cap * sizeof(*t));
        if (!t)
                return -ENOMEM;
        b->tokens = t;
        struct tok_extra *e = realloc(b->extra, cap * sizeof(*e));
        if (!e)
                return -ENOMEM;
        b->extra = e;
        b->cap = cap;
        return 0;
}

static int builder_push(struct builder *b) {
        if (b->n < b->cap)
                return 0;
        return builder_reserve(b, b->cap ? b->cap * 2 : 256);
}

/* The text as UTF-16, which ICU's break iterators walk natively (over a
 * UTF-8 UText every step goes through the provider's chunk mapping: their
 * instructions fell by 29% without it), and the UTF-8 byte offset where
 * each UTF-16 unit begins: map[n] = len; map NULL when the text is ASCII and
 * the two offsets are the same. */
struct utf16_text {
        UChar *s;
        int32_t *map;
        int32_t n;
};

static void utf16_text_free(struct utf16_text *u) {
        free(u->s);
        free(u->map);
        *u = (struct utf16_text) {};
}

/* Fills *ret from text[0..len), which segment() has checked to be valid
 * UTF-8; 0 or -ENOMEM. */
static int utf16_text_make(const char *text, int32_t len, struct utf16_text *ret) {
        const uint8_t *t = (const uint8_t *) text;
        struct utf16_text u = { .s = malloc(sizeof(UChar) * ((size_t) len + 1)) };
        int32_t i = 0;

        if (!u.s)
                return -ENOMEM;
        while (i < len && t[i] < 0x80) {
                u.s[i] = t[i];
                i++;
        }
        u.n = i;
        if (i < len) {
                /* at most one unit per byte: the ASCII prefix maps to itself */
                u.map = malloc(sizeof(int32_t) * ((size_t) len + 1));
                if (!u.map) {
                        free(u.s);
                        return -ENOMEM;
                }
                for (int32_t k = 0; k < i; k++)
                        u.map[k] = k;
                while (i < len) {
                        int32_t start = i;
                        UChar32 ch;
                        U8_NEXT(t, i, len, ch);
                        if (U_IS_BMP(ch))
                                u.s[u.n] = (UChar) ch, u.map[u.n++] = start;
                        else {
                                u.s[u.n] = U16_LEAD(ch), u.map[u.n++] = start;
                                u.s[u.n] = U16_TRAIL(ch), u.map[u.n++] = start;
                        }
                }
        }
        if (u.map)
                u.map[u.n] = len;
        *ret = u;
        return 0;
}

/* The UTF-8 byte offset of UTF-16 offset i (UBRK_DONE stays itself). */
static inline int32_t utf16_byte_offset(const struct utf16_text *u, int32_t i) {
        return u->map && i != UBRK_DONE ? u->map[i] : i;
}

/* Runs the word iterator and fills b with tokens (fold offsets in the arena,
 * stems still unset).  Returns 0 or a negative errno. */
static int tokenize(struct seg_cache *c, const struct utf16_text *u, const char *text, int32_t len,
                    struct builder *b, struct arena *a) {
        UErrorCode st = U_ZERO_ERROR;
        bool open_double = false, open_single = false;

        ubrk_setText(c->word, u->s, u->n, &st);
        if (U_FAILURE(st))
                return -ENOMEM;

        int32_t p = utf16_byte_offset(u, ubrk_first(c->word)), q;
        for (; (q = utf16_byte_offset(u, ubrk_next(c->word))) != UBRK_DONE; p = q) {
                int32_t status = ubrk_getRuleStatus(c->word);
                uint32_t flags;

                if (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT)
                        flags = TOKEN_NUMBER;
                else if (status >= UBRK_WORD_LETTER)
                        flags = TOKEN_WORD;
                else {
                        /* white space, controls, format characters: skipped;
                         * a paragraph break resets the open quotes */
                        int32_t i = p;
                        bool blank = true, line = false;
                        while (i < q) {
                                UChar32 ch;
                                U8_NEXT((const uint8_t *) text, i, q, ch);
                                if (!is_space_or_format(ch)) {
                                        blank = false;
                                        break;
                                }
                                if (is_line_break(ch))
                                        line = true;
                        }
                        if (blank) {
                                if (line)
                                        open_double = open_single = false;
                                continue;
                        }
                        flags = TOKEN_PUNCT;
                        int32_t j = p;
                        UChar32 ch;
                        U8_NEXT((const uint8_t *) text, j, q, ch);
                        if (j == q) {
                                uint32_t qf = quote_flags(ch, text, len, p, q, &open_double, &open_single);
                                if (qf)
                                        flags = qf;
                        }
                }
                if (flags & TOKEN_WORD)
                        flags |= case_flags(text + p, q - p);

                int r = builder_push(b);
                if (r < 0)
                        return r;
                ssize_t off = fold_into(a, text + p, (size_t) (q - p));
                if (off < 0)
                        return (int) off;
                b->tokens[b->n] = (struct token) { .start = p, .end = q, .flags = flags };
                b->extra[b->n] = (struct tok_extra) { .fold_off = (size_t) off };
                b->n++;
        }
        return 0;
}

/* Joins "Mr" "." into one token "Mr." where the word is an abbreviation. */
static int merge_abbreviations(const char *text, struct builder *b, struct arena *a) {
        size_t w = 0;

        for (size_t i = 0; i < b->n; i++, w++) {
                b->tokens[w] = b->tokens[i];
                b->extra[w] = b->extra[i];
                if (i + 1 >= b->n || !(b->tokens[i].flags & TOKEN_WORD))
                        continue;
                struct token *dot = &b->tokens[i + 1];
                if (dot->start != b->tokens[i].end || dot->end != dot->start + 1 || text[dot->start] != '.')
                        continue;
                const char *fold = a->buf + b->extra[i].fold_off;
                enum abbrev_class k = abbrev_of(&b->tokens[i], fold, text, i + 2 < b->n ? &b->tokens[i + 2] : NULL);
                if (k == ABBREV_NONE)
                        continue;
                /* the fold gets its period: append a new copy "fold." */
                size_t n = strlen(fold);
                if (arena_reserve(a, n + 2) < 0)
                        return -ENOMEM;
                fold = a->buf + b->extra[i].fold_off;  /* may have moved */
                size_t off = a->len;
                memcpy(a->buf + off, fold, n);
                a->buf[off + n] = '.';
                a->buf[off + n + 1] = '\0';
                a->len += n + 2;
                b->tokens[w].end = dot->end;
                b->extra[w].fold_off = off;
                b->extra[w].abbrev = k;
                i++;
        }
        b->n = w;
        return 0;
}

/* Does text[from..to) hold a line or paragraph break? */
static bool gap_has_newline(const char *text, int32_t from, int32_t to) {
        for (int32_t i = from; i < to; i++) {
                unsigned char ch = (unsigned char) text[i];
                if (ch == '\n' || ch == '\r' || ch == 0x0B || ch == 0x0C)
                        return true;
                if (ch == 0xC2 && i + 1 < to && (unsigned char) text[i + 1] == 0x85)
                        return true;
                if (ch == 0xE2 && i + 2 < to && (unsigned char) text[i + 1] == 0x80 &&
                    ((unsigned char) text[i + 2] == 0xA8 || (unsigned char) text[i + 2] == 0xA9))
                        return true;
        }
        return false;
}

/* A sentence of more tokens than this is no prose (a scraped list, a text
 * without stops): it is cut, at the last comma, semicolon or colon among its
 * final SENTENCE_CUT_BACK tokens when there is one.  Attribution reads a
 * sentence again for each cue in it, which the cap keeps linear in the text.
 * (The longest sentences of the FNC-1, PolNeAR and Emergent texts have 281
 * tokens.) */
#define MAX_SENTENCE_TOKENS 400
#define SENTENCE_CUT_BACK 100

/* Where to cut an over-long sentence of tokens [begin, i): after its last
 * comma, semicolon or colon near the end, else before token i. */
static size_t long_sentence_cut(const char *text, const struct builder *b, size_t begin, size_t i) {
        for (size_t k = i; k > begin + 1 && k + SENTENCE_CUT_BACK > i; k--) {
                const struct token *t = &b->tokens[k - 1];
                char ch = text[t->start];
                if (t->end - t->start == 1 && (ch == ',' || ch == ';' || ch == ':'))
                        return k;
        }
        return i;
}

/* Cuts the token list into sentences and paragraphs. */
static int split_sentences(struct seg_cache *c, const struct utf16_text *u16, const char *text, struct builder *b,
                           struct arena *a, struct segmented_text *out) {
        UErrorCode st = U_ZERO_ERROR;
        size_t cap = 16, n = 0;
        struct sentence *s;
        int32_t para = 0;

        if (b->n == 0)
                return 0;
        s = malloc(cap * sizeof(*s));
        if (!s)
                return -ENOMEM;
        ubrk_setText(c->sent, u16->s, u16->n, &st);
        if (U_FAILURE(st)) {
                free(s);
                return -ENOMEM;
        }
        int32_t brk = utf16_byte_offset(u16, ubrk_first(c->sent));
        bool pending = false;   /* an ICU break held back over a closing quote */

        s[0] = (struct sentence) { .start = b->tokens[0].start, .tok_begin = 0, .paragraph = 0 };
        for (size_t i = 1; i <= b->n; i++) {
                bool cut, new_para = false;
                size_t at = i;          /* the next sentence's first token */

                if (i == b->n)
                        cut = true;
                else {
                        const struct token *t = &b->tokens[i - 1], *u = &b->tokens[i];
                        while (brk != UBRK_DONE && brk < t->end)
                                brk = utf16_byte_offset(u16, ubrk_next(c->sent));
                        bool icu = (brk != UBRK_DONE && brk <= u->start) || pending;
                        pending = false;

                        if (gap_has_newline(text, t->end, u->start))
                                cut = new_para = true;
                        else if (i - s[n].tok_begin >= MAX_SENTENCE_TOKENS) {
                                cut = true;
                                at = long_sentence_cut(text, b, s[n].tok_begin, i);
                        } else if (u->flags & TOKEN_QUOTE_CLOSE) {
                                /* again.' " : the quote closes the sentence
                                 * it follows; ICU's break moves after it */
                                cut = false;
                                pending = icu;
                                continue;
                        }
                        else if (b->extra[i - 1].abbrev == ABBREV_TITLE || b->extra[i - 1].abbrev == ABBREV_NUM)
                                cut = false;
                        else if (b->extra[i - 1].abbrev == ABBREV_OTHER)
                                cut = (u->flags & TOKEN_QUOTE_OPEN) ||
                                        ((u->flags & TOKEN_CAPITALIZED) &&
                                         (u->flags & TOKEN_STOPWORD));
                        else if ((u->flags & TOKEN_WORD) && starts_lower(text + u->start, u->end - u->start))
                                cut = false;
                        else
                                cut = icu;
                }
                if (!cut)
                        continue;
                s[n].end = b->tokens[at - 1].end;
                s[n].tok_end = at;
                n++;
                if (i == b->n)
                        break;
                if (new_para)
                        para++;
                if (n == cap) {
                        struct sentence *ns = realloc(s, cap * 2 * sizeof(*s));
                        if (!ns) {
                                free(s);
                                return -ENOMEM;
                        }
                        s = ns;
                        cap *= 2;
                }
                s[n] = (struct sentence) { .start = b->tokens[at].start, .tok_begin = at, .paragraph = para };
        }

        for (size_t k = 0; k < n; k++) {
                for (size_t i = s[k].tok_begin; i < s[k].tok_end; i++)
                        b->tokens[i].sentence = (int32_t) k;
                b->tokens[s[k].tok_begin].flags |= TOKEN_SENT_START;
                if (k == 0 || s[k].paragraph != s[k - 1].paragraph)
                        b->tokens[s[k].tok_begin].flags |= TOKEN_PARA_START;
        }
        out->sentences = s;
        out->n_sentences = n;
        return 0;
}

void segmented_text_free(struct segmented_text *st) {
        if (!st)
                return;
        free(st->tokens);
        free(st->sentences);
        free(st);
}

/* The whole token list as one sentence (segment_words()): no sentence
 * breaking. */
static int one_sentence(struct builder *b, struct segmented_text *out) {
        if (b->n == 0)
                return 0;
        struct sentence *s = malloc(sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (struct sentence) { .start = b->tokens[0].start, .end = b->tokens[b->n - 1].end,
                                 .tok_begin = 0, .tok_end = b->n, .paragraph = 0 };
        for (size_t i = 0; i < b->n; i++)
                b->tokens[i].sentence = 0;
        b->tokens[0].flags |= TOKEN_SENT_START | TOKEN_PARA_START;
        out->sentences = s;
        out->n_sentences = 1;
        return 0;
}

/* segment_text() and segment_words(): sentences tells which.  The arena
 * sits right after the struct in one allocation made at the end, so
 * segmented_text_free() needs no extra field. */
static int segment(const char *text, size_t len, bool sentences, struct segmented_text **ret) {
        struct builder b = {0};
        struct arena a = {0};
        struct segmented_text *out = NULL;
        struct utf16_text u16 = {};
        int r;

        if (!ret || (!text && len > 0))
                return -EINVAL;
        if (len > INT32_MAX / 2)
                return -E2BIG;
        if (!text)
                text = "";
        if (!utf8_is_valid(text, len))
                return -EINVAL;

        struct seg_cache *c = cache_get();
        if (!c)
                return -ENOMEM;

        r = utf16_text_make(text, (int32_t) len, &u16);
        if (r < 0)
                return r;

        /* English runs about one token (word or mark) to five bytes, and
         * its folds and stems to about one and a half times the text:
         * sized once, the arrays are seldom copied while they grow */
        r = builder_reserve(&b, len / 4 + 16);
        if (r >= 0)
                r = arena_reserve(&a, len + len / 2 + 64);
        if (r < 0)
                goto fail;
        r = tokenize(c, &u16, text, (int32_t) len, &b, &a);
        if (r < 0)
                goto fail;
        r = merge_abbreviations(text, &b, &a);
        if (r < 0)
                goto fail;

        /* stems and lists of words; everything else stems to itself */
        for (size_t i = 0; i < b.n; i++) {
                struct token *t = &b.tokens[i];
                struct tok_extra *e = &b.extra[i];

                e->stem_off = e->fold_off;
                if (!(t->flags & TOKEN_WORD) || e->abbrev != ABBREV_NONE) {
                        const char *f = a.buf + e->fold_off;
                        set_lists(t, lexicon_word_sets(f, strlen(f)));
                        continue;
                }
                r = stem_word(c, &a, e, t);
                if (r < 0)
                        goto fail;
        }

        out = malloc(sizeof(*out) + a.len);     /* the strings are copied in below */
        if (!out) {
                r = -ENOMEM;
                goto fail;
        }
        *out = (struct segmented_text) {};
        out->text = text;
        out->len = len;
        r = sentences ? split_sentences(c, &u16, text, &b, &a, out) : one_sentence(&b, out);
        if (r < 0)
                goto fail;

        char *strings = (char *) (out + 1);
        if (a.len > 0)
                memcpy(strings, a.buf, a.len);
        for (size_t i = 0; i < b.n; i++) {
                b.tokens[i].fold = strings + b.extra[i].fold_off;
                b.tokens[i].stem = strings + b.extra[i].stem_off;
        }
        out->tokens = b.tokens;
        out->n_tokens = b.n;
        b.tokens = NULL;
        free(b.extra);
        free(a.buf);
        utf16_text_free(&u16);
        *ret = out;
        return 0;

fail:
        free(b.tokens);
        free(b.extra);
        free(a.buf);
        if (out)
                free(out->sentences);
        free(out);
        utf16_text_free(&u16);
        return r;
}

int segment_text(const char *text, size_t len, struct segmented_text **ret) {
        return segment(text, len, true, ret);
}

int segment_words(const char *text, size_t len, struct segmented_text **ret) {
        return segment(text, len, false, ret);
}

int text_fold(const char *s, size_t len, char **ret) {
        struct arena a = {0};

        if (!ret || (!s && len > 0))
                return -EINVAL;
        if (!s)
                s = "";
        if (!utf8_is_valid(s, len))
                return -EINVAL;
        ssize_t off = fold_into(&a, s, len);
        if (off < 0) {
                free(a.buf);
                return (int) off;
        }
        *ret = a.buf;   /* off is 0: the only string in the arena */
        return 0;
}

int word_stem(const char *fold, char **ret) {
        if (!fold || !ret)
                return -EINVAL;
        struct seg_cache *c = cache_get();
        if (!c)
                return -ENOMEM;
        const sb_symbol *r = sb_stemmer_stem(c->stemmer, (const sb_symbol *) fold, (int) strlen(fold));
        if (!r)
                return -ENOMEM;
        char *s = strndup((const char *) r, (size_t) sb_stemmer_length(c->stemmer));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
