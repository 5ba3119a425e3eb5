/* Quantities in news prose: a number in digits or words, an optional scale
 * ("billion"), a unit from the following words (LEXICON_UNITS) or a currency
 * sign before it, and a bound from the words before it
 * (LEXICON_QUANTITY_BOUNDS).  Years and the numbers of dates and clock times
 * are left to date.c. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "quantity.h"

#define PHRASE_MAX 128

/* Writes the folds of tokens [i, i+n) into buf, separated by one space where
 * the text has a gap between them and by nothing where they touch ("km/h",
 * "year-old").  Returns the length, or 0 when the tokens do not fit or n
 * runs past end. */
static size_t phrase(const struct segmented_text *st, size_t i, size_t n, size_t end,
                     char *buf, size_t size) {
        size_t len = 0;

        if (i + n > end)
                return 0;
        for (size_t k = i; k < i + n; k++) {
                const struct token *t = &st->tokens[k];
                size_t l = strlen(t->fold);
                bool space = k > i && t->start > st->tokens[k - 1].end;
                if (len + space + l + 1 > size)
                        return 0;
                if (space)
                        buf[len++] = ' ';
                memcpy(buf + len, t->fold, l);
                len += l;
        }
        buf[len] = '\0';
        return len;
}

/* Same as phrase() but over tokens [i-n+1, i], the n tokens ending at i;
 * returns 0 when they would start before begin. */
static size_t phrase_before(const struct segmented_text *st, size_t i, size_t n, size_t begin,
                            char *buf, size_t size) {
        if (i + 1 < begin + n)
                return 0;
        return phrase(st, i + 1 - n, n, i + 1, buf, size);
}


/* Do tokens a and b touch (no white space between them)? */
static bool touching(const struct token *a, const struct token *b) {
        return a->end == b->start;
}

/* Parses the leading number of s ("2,500", "2.5", "40") into *ret and
 * returns a pointer past it, or NULL when s does not start with a digit.
 * Commas are accepted only as thousands separators. */
static const char *parse_digits(const char *s, double *ret, int *ret_decimals, int *ret_int_digits) {
        char buf[64];
        size_t n = 0;
        int decimals = -1, digits = 0;
        const char *p = s;

        if (*p < '0' || *p > '9')
                return NULL;
        for (; *p; p++) {
                if (*p >= '0' && *p <= '9') {
                        if (n + 1 >= sizeof(buf))
                                return NULL;
                        buf[n++] = *p;
                        if (decimals >= 0)
                                decimals++;
                        else
                                digits++;
                } else if (*p == ',' && decimals < 0 && p[1] >= '0' && p[1] <= '9')
                        continue;
                else if (*p == '.' && decimals < 0 && p[1] >= '0' && p[1] <= '9') {
                        buf[n++] = '.';
                        decimals = 0;
                } else
                        break;
        }
        buf[n] = '\0';
        *ret = strtod(buf, NULL);
        *ret_decimals = decimals < 0 ? 0 : decimals;
        *ret_int_digits = digits;
        return p;
}

/* Value of a number word ("twelve" -> 12, "million" -> 1e6), or -1. */
static double number_word(const char *fold) {
        const char *v = lexicon_lookup(LEXICON_NUMBER_WORDS, fold);
        return v ? strtod(v, NULL) : -1;
}

static bool is_scale(double v, const char *fold) {
        return v >= 100 || strcmp(fold, "dozen") == 0;
}

/* Currency sign token ("$", "€", "£", "¥") -> unit code, or NULL. */
static const char *currency_sign(const struct token *t) {
        if (!(t->flags & (TOKEN_PUNCT | TOKEN_WORD)))
                return NULL;
        if (strcmp(t->fold, "$") && strcmp(t->fold, "€") && strcmp(t->fold, "£") &&
            strcmp(t->fold, "¥") && strcmp(t->fold, "us$"))
                return NULL;
        return lexicon_lookup(LEXICON_UNITS, t->fold);
}

struct number {
        size_t begin, end;      /* tokens */
        double value;
        const char *unit;       /* from a currency sign or a suffix, or NULL */
        bool words;             /* written in words */
        bool year_like;         /* four digits 1900..2100, nothing else */
        bool ordinal;
};

/* Parses a number in words from token i: "two", "twenty-five", "three
 * hundred", "a dozen", "two and a half", "half a million".  Returns true and
 * fills n->end/value when one starts at i. */
static bool parse_number_words(const struct segmented_text *st, size_t i, size_t end, struct number *n) {
        double total = 0, current = 0;
        bool any = false, after_and_half = false;
        size_t k = i;

        /* "a dozen", "a million", "half a million", "an hour and a half" is not ours */
        if ((token_fold_is(&st->tokens[k], "a") || token_fold_is(&st->tokens[k], "an")) && k + 1 < end) {
                double v = number_word(st->tokens[k + 1].fold);
                if (!(v > 0 && is_scale(v, st->tokens[k + 1].fold)))
                        return false;
                current = 1;
                k++;
        } else if (token_fold_is(&st->tokens[k], "half") && k + 2 < end &&
                   (token_fold_is(&st->tokens[k + 1], "a") || token_fold_is(&st->tokens[k + 1], "an"))) {
                double v = number_word(st->tokens[k + 2].fold);
                if (v > 0 && is_scale(v, st->tokens[k + 2].fold)) {
                        n->value = 0.5 * v;
                        n->end = k + 3;
                        n->words = true;
                        return true;
                }
                /* "half an hour": the unit follows */
                n->value = 0.5;
                n->end = k + 2;
                n->words = true;
                return true;
        }

        for (; k < end; k++) {
                const struct token *t = &st->tokens[k];
                if (!(t->flags & TOKEN_WORD)) {
                        /* "twenty-five" split by the tokenizer */
                        if (any && token_fold_is(t, "-") && k + 1 < end && touching(&st->tokens[k - 1], t) &&
                            touching(t, &st->tokens[k + 1])) {
                                double v = number_word(st->tokens[k + 1].fold);
                                if (v > 0 && v < 10 && current >= 20 && fmod(current, 10) == 0)
                                        continue;
                                /* "eight-hundred", "ten-thousand" */
                                if (v >= 100 && !token_fold_is(&st->tokens[k + 1], "dozen") && current > 0 &&
                                    current < 100)
                                        continue;
                        }
                        break;
                }
                if (after_and_half)
                        break;
                /* "and a half", "and fifty" */
                if (any && token_fold_is(t, "and") && k + 1 < end) {
                        if (k + 2 < end && token_fold_is(&st->tokens[k + 1], "a") &&
                            token_fold_is(&st->tokens[k + 2], "half")) {
                                current += 0.5;
                                k += 2;
                                after_and_half = true;
                                continue;
                        }
                        double v = number_word(st->tokens[k + 1].fold);
                        if (v > 0 && v < 100 && fmod(current, 100) == 0 && current >= 100)
                                continue;
                        break;
                }
                double v = number_word(t->fold);
                if (v < 0 || token_fold_is(t, "half"))
                        break;
                if (token_fold_is(t, "dozen"))
                        current = (current > 0 ? current : 1) * 12;
                else if (v == 100)
                        current = (current > 0 ? current : 1) * 100;
                else if (v >= 1000) {
                        if (current == 0 && total == 0)
                                break;   /* "million" alone is not a number */
                        total += (current > 0 ? current : 1) * v;
                        current = 0;
                } else {
                        /* "two three" is not one number */
                        if (any && current > 0 && fmod(current, 100) != 0 &&
                            !(v < 10 && current >= 20 && fmod(current, 10) == 0))
                                break;
                        current += v;
                }
                any = true;
        }
        if (!any)
                return false;
        n->value = total + current;
        n->end = k;
        n->words = true;
        return true;
}

/* Parses the number starting at token i (after any currency sign).  Returns
 * true and fills *n. */
static bool parse_number(const struct segmented_text *st, size_t i, size_t end, struct number *n) {
        const struct token *t = &st->tokens[i];
        double v;
        int decimals, digits;

        const char *rest = parse_digits(t->fold, &v, &decimals, &digits);
        if (!rest)
                return parse_number_words(st, i, end, n);

        n->end = i + 1;
        n->value = v;
        if (*rest) {
                /* "2.5bn", "5m", "10km", "7th" */
                if (!strcmp(rest, "st") || !strcmp(rest, "nd") || !strcmp(rest, "rd") || !strcmp(rest, "th")) {
                        n->ordinal = true;
                        return true;
                }
                double s = number_word(rest);
                if (s >= 1000 || (n->unit && (!strcmp(rest, "m") || !strcmp(rest, "b") || !strcmp(rest, "k"))))
                        n->value *= s >= 1000 ? s : !strcmp(rest, "m") ? 1e6 : !strcmp(rest, "b") ? 1e9 : 1e3;
                else if (!strcmp(rest, "%") || lexicon_lookup(LEXICON_UNITS, rest))
                        n->unit = lexicon_lookup(LEXICON_UNITS, rest);
                else
                        return false;   /* "9mm", "3d", "f16": not a quantity */
                return true;
        }
        n->year_like = digits == 4 && decimals == 0 && !strchr(t->fold, ',') && v >= 1900 && v <= 2100;

        /* scale words: "2.5 billion", "3 million", "two hundred thousand" */
        for (size_t k = n->end; k < end; k++) {
                double s = number_word(st->tokens[k].fold);
                if (!(s > 0 && is_scale(s, st->tokens[k].fold)))
                        break;
                n->value *= s;
                n->end = k + 1;
                n->year_like = false;
        }
        return true;
}

/* Is the number at tokens [b, e) part of a date or a clock time ("July 7",
 * "7 July", "8:30", "3 p.m.", "2017-07-07", "COVID-19")? */
static bool number_in_date_or_name(const struct segmented_text *st, size_t b, size_t e,
                                   size_t begin, size_t end) {
        const struct token *t = &st->tokens[b];

        if (b > begin) {
                const struct token *p = &st->tokens[b - 1];
                if ((p->flags & TOKEN_CAPITALIZED) && token_in_list(p, LEXICON_MONTHS))
                        return true;
                if (touching(p, t) && (token_fold_is(p, ":") || token_fold_is(p, "/")))
                        return true;
                if (touching(p, t) && token_fold_is(p, "-") && b >= begin + 2 &&
                    touching(&st->tokens[b - 2], p))
                        return true;   /* "COVID-19", "F-35", "2017-07" */
                if (token_fold_is(p, "no.") || token_fold_is(p, "#"))
                        return true;
        }
        if (e < end) {
                const struct token *nx = &st->tokens[e];
                if ((nx->flags & TOKEN_CAPITALIZED) && token_in_list(nx, LEXICON_MONTHS))
                        return true;
                if (touching(&st->tokens[e - 1], nx) && (token_fold_is(nx, ":") || token_fold_is(nx, "/")) &&
                    e + 1 < end && (st->tokens[e + 1].flags & TOKEN_NUMBER))
                        return true;
                if (touching(&st->tokens[e - 1], nx) && token_fold_is(nx, "-") && e + 1 < end &&
                    (st->tokens[e + 1].flags & TOKEN_NUMBER) && touching(nx, &st->tokens[e + 1]))
                        return true;   /* ranges and ISO dates */
                if (token_fold_is(nx, "a.m.") || token_fold_is(nx, "p.m.") || token_fold_is(nx, "am") || token_fold_is(nx, "pm") ||
                    token_fold_is(nx, "a.m") || token_fold_is(nx, "p.m"))
                        return true;
        }
        return false;
}

/* Looks up the unit after token i (longest phrase of up to 4 tokens, a
 * touching "-" skipped: "12-year-old").  Returns the unit and sets *ret_end,
 * or NULL. */
static const char *unit_after(const struct segmented_text *st, size_t i, size_t end, size_t *ret_end) {
        char buf[PHRASE_MAX];

        if (i < end && token_fold_is(&st->tokens[i], "-") && i > 0 && touching(&st->tokens[i - 1], &st->tokens[i]))
                i++;
        for (size_t n = 4; n >= 1; n--) {
                if (!phrase(st, i, n, end, buf, sizeof(buf)))
                        continue;
                const char *u = lexicon_lookup(LEXICON_UNITS, buf);
                if (u) {
                        *ret_end = i + n;
                        return u;
                }
        }
        return NULL;
}

/* Singular of a plural count noun written after a number ("companies" ->
 * "company", "judges" -> "judge") into buf, for units no list names.
 * Returns buf, or NULL when t is not a lower-case plural noun. */
static const char *plural_noun_unit(const struct token *t, char *buf, size_t size) {
        size_t l = strlen(t->fold);
        if (!(t->flags & TOKEN_WORD) || (t->flags & (TOKEN_CAPITALIZED | TOKEN_STOPWORD)) || l < 4 ||
            l >= size || t->fold[l - 1] != 's')
                return NULL;
        const char *f = t->fold;
        if (strchr(f, '\'') || strchr(f, '-') || !strcmp(f + l - 2, "ss") || !strcmp(f + l - 2, "us") ||
            !strcmp(f + l - 2, "is") || !strcmp(f + l - 3, "ous"))
                return NULL;
        memcpy(buf, f, l + 1);
        if (!strcmp(f + l - 3, "ies"))
                strcpy(buf + l - 3, "y");
        else if (!strcmp(f + l - 4, "sses") || !strcmp(f + l - 4, "ches") || !strcmp(f + l - 4, "shes") ||
                 !strcmp(f + l - 3, "xes"))
                buf[l - 2] = '\0';
        else
                buf[l - 1] = '\0';
        return buf;
}

/* Looks up a bound phrase of up to 3 tokens ending just before token i.
 * Returns the bound and sets *ret_begin, or BOUND_EXACT. */
/* Whether a number in words at token i, before a count noun, counts it:
 * a lower-case word other than a determiner or pronoun stands right before
 * it ("elected eight judges", "of five members").  After "the", "his",
 * "Smith's" or at a sentence's start it mostly names a known group ("the
 * two leaders", "Two men are walking") rather than state how many. */
static bool counts_noun(const struct segmented_text *st, size_t i, size_t begin) {
        if (i == begin)
                return false;
        const struct token *p = &st->tokens[i - 1];
        return (p->flags & TOKEN_WORD) && !(p->flags & TOKEN_CAPITALIZED) && !strchr(p->fold, '\'') &&
               !token_in_list(p, LEXICON_DETERMINERS) && !token_in_list(p, LEXICON_PRONOUNS);
}

static enum quantity_bound bound_before(const struct segmented_text *st, size_t i, size_t begin,
                                        size_t *ret_begin) {
        char buf[PHRASE_MAX];

        if (i == begin)
                return BOUND_EXACT;
        for (size_t n = 3; n >= 1; n--) {
                if (!phrase_before(st, i - 1, n, begin, buf, sizeof(buf)))
                        continue;
                const char *v = lexicon_lookup(LEXICON_QUANTITY_BOUNDS, buf);
                if (!v)
                        continue;
                int b = quantity_bound_from_string(v);
                if (b < 0)
                        continue;
                *ret_begin = i - n;
                return (enum quantity_bound) b;
        }
        return BOUND_EXACT;
}

static int push(const struct segmented_text *st, struct quantity **items, size_t *n, size_t *allocated,
                int32_t start, int32_t end, double value, const char *unit, enum quantity_bound bound) {
        if (*n == *allocated) {
                size_t na = *allocated ? *allocated * 2 : 8;
                struct quantity *p = realloc(*items, na * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                *items = p;
                *allocated = na;
        }
        struct quantity *q = &(*items)[*n];
        *q = (struct quantity) { .value = value, .bound = bound, .start = start, .end = end };
        q->text = strndup(st->text + start, (size_t) (end - start));
        if (!q->text)
                return -ENOMEM;
        if (unit) {
                q->unit = strdup(unit);
                if (!q->unit) {
                        free(q->text);
                        return -ENOMEM;
                }
        }
        (*n)++;
        return 0;
}

void quantities_free(struct quantity *q, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(q[i].text);
                free(q[i].unit);
        }
        free(q);
}

int quantities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                    struct quantity **ret, size_t *ret_n) {
        struct quantity *items = NULL;
        size_t n = 0, allocated = 0;

        if (tok_end > st->n_tokens)
                tok_end = st->n_tokens;
        for (size_t i = tok_begin; i < tok_end; i++) {
                const struct token *t = &st->tokens[i];
                struct number num = { .begin = i };
                size_t first = i;       /* first token of the quantity, sign included */

                /* cheap reject: a number needs a digit, a number word, a sign or "a"/"half" */
                unsigned char c0 = (unsigned char) t->fold[0];
                const char *sign = NULL;
                if (!(c0 >= '0' && c0 <= '9')) {
                        if (t->flags & TOKEN_WORD) {
                                if (!token_in_list(t, LEXICON_NUMBER_WORDS) &&
                                    !token_fold_is(t, "a") && !token_fold_is(t, "an"))
                                        continue;
                        } else if (!(sign = currency_sign(t)))
                                continue;
                }
                if (sign) {
                        if (i + 1 >= tok_end || st->tokens[i + 1].fold[0] < '0' || st->tokens[i + 1].fold[0] > '9')
                                continue;
                        num.begin = i + 1;
                        num.unit = sign;
                        /* "US$": the "US" before a touching "$" belongs to the sign */
                        if (i > tok_begin && token_fold_is(&st->tokens[i - 1], "us") &&
                            touching(&st->tokens[i - 1], t))
                                first = i - 1;
                }
                if (!parse_number(st, num.begin, tok_end, &num)) {
                        continue;
                }
                if (num.ordinal || num.end <= num.begin) {
                        i = num.end > i ? num.end - 1 : i;
                        continue;
                }
                if (number_in_date_or_name(st, num.begin, num.end, tok_begin, tok_end)) {
                        i = num.end - 1;
                        continue;
                }

                size_t last = num.end;  /* one past the last token */
                const char *unit = num.unit;
                char noun[64];
                bool listed_unit = unit != NULL;
                if (!unit) {
                        size_t ue;
                        const char *u = unit_after(st, num.end, tok_end, &ue);
                        if (u) {
                                unit = u;
                                last = ue;
                                listed_unit = true;
                        } else if (!num.year_like && num.end < tok_end &&
                                   (u = plural_noun_unit(&st->tokens[num.end], noun, sizeof(noun)))) {
                                unit = u;       /* "12 judges" */
                                last = num.end + 1;
                        }
                } else if (sign) {
                        /* "$2.5 billion dollars": swallow a repeated unit */
                        size_t ue;
                        const char *u = unit_after(st, num.end, tok_end, &ue);
                        if (u && strcmp(u, unit) == 0)
                                last = ue;
                }

                /* a lone year is a date; a lone "one"/"a" is rarely a quantity */
                if (!unit && num.year_like) {
                        i = num.end - 1;
                        continue;
                }
                size_t bb = first;
                enum quantity_bound bound = bound_before(st, first, tok_begin, &bb);

                /* "the two leaders": a small number in words needs a listed unit, a bound,
                 * or a count noun it counts ("elected eight judges") */
                if (!listed_unit && num.words &&
                    (num.value <= 1 || (num.value < 10 && bound == BOUND_EXACT &&
                                        !(unit && counts_noun(st, first, tok_begin))))) {
                        i = num.end - 1;
                        continue;
                }

                int r = push(st, &items, &n, &allocated, st->tokens[bb].start, st->tokens[last - 1].end,
                             num.value, unit, bound);
                if (r < 0) {
                        quantities_free(items, n);
                        return r;
                }
                i = last - 1;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

/* Rounding step implied by how a value is usually written: 2.5 -> 0.1,
 * 12 -> 1, 2500 -> 100, 3e6 -> 1e5 (two significant digits at most). */
static double rounding_step(double v) {
        v = fabs(v);
        if (v == 0)
                return 1;
        /* decimals */
        double step = 1;
        for (int d = 0; d < 6 && fabs(v / step - nearbyint(v / step)) > 1e-9; d++)
                step /= 10;
        if (step < 1)
                return step;
        /* integers: trailing zeros count as rounding only past two digits */
        double mag = pow(10, floor(log10(v)) - 1);   /* two significant digits */
        while (step * 10 <= mag && fmod(v, step * 10) == 0)
                step *= 10;
        return step;
}

struct interval {
        double lo, hi;
        bool lo_closed, hi_closed;
};

/* The values a quantity allows, given its bound and the rounding of how it
 * is written. */
static struct interval quantity_interval(const struct quantity *q) {
        double v = q->value, half = rounding_step(v) / 2;
        struct interval iv = { v - half, v + half, true, false };

        switch (q->bound) {
        case BOUND_EXACT:
                break;
        case BOUND_ABOUT:
                iv.lo = v - fabs(v) * 0.1 - half;
                iv.hi = v + fabs(v) * 0.1 + half;
                iv.hi_closed = true;
                break;
        case BOUND_MORE_THAN:
                iv = (struct interval) { v, INFINITY, false, false };
                break;
        case BOUND_AT_LEAST:
                iv = (struct interval) { v, INFINITY, true, false };
                break;
        case BOUND_LESS_THAN:
                iv = (struct interval) { -INFINITY, v, false, false };
                break;
        case BOUND_AT_MOST:
                iv = (struct interval) { -INFINITY, v, false, true };
                break;
        }
        return iv;
}

/* The same unit, or a count of people against a count of people of one
 * kind (person-units.txt): "1,000 people" against "730 troops". */
static bool unit_equal(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        if (strcmp(a, b) == 0)
                return true;
        return (strcmp(a, "person") == 0 && lexicon_contains(LEXICON_PERSON_UNITS, b)) ||
               (strcmp(b, "person") == 0 && lexicon_contains(LEXICON_PERSON_UNITS, a));
}

bool quantities_comparable(const struct quantity *a, const struct quantity *b) {
        return a && b && unit_equal(a->unit, b->unit);
}

bool quantities_compatible(const struct quantity *a, const struct quantity *b) {
        if (!quantities_comparable(a, b))
                return false;
        struct interval x = quantity_interval(a), y = quantity_interval(b);
        /* the intervals meet: x.lo before y.hi and y.lo before x.hi */
        bool left = x.lo < y.hi || (x.lo == y.hi && x.lo_closed && y.hi_closed);
        bool right = y.lo < x.hi || (y.lo == x.hi && y.lo_closed && x.hi_closed);
        return left && right;
}
