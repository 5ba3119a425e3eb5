/* Date expressions in news prose, resolved against the publication time in
 * UTC: weekdays (the most recent such day on or before publication, the news
 * convention; "next Friday" forward), today/yesterday/tomorrow, last/this/next
 * week/month/year, "earlier this year", "N days ago", month-day(-year) and
 * day-month(-year) dates, months alone, lone years and ISO dates. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "lexicon.h"

#define DAY 86400

enum precision { PREC_YEAR, PREC_MONTH, PREC_DAY };


static bool touching(const struct token *a, const struct token *b) {
        return a->end == b->start;
}

/* Returns the integer value of a token made only of 1..max_digits digits,
 * or -1. */
static int small_int(const struct token *t, int max_digits) {
        int v = 0, n = 0;
        for (const char *p = t->fold; *p; p++) {
                if (*p < '0' || *p > '9' || ++n > max_digits)
                        return -1;
                v = v * 10 + (*p - '0');
        }
        return n ? v : -1;
}

/* Day of the month from "7", "07" or "7th"; -1 when it is none. */
static int day_number(const struct token *t) {
        char buf[8];
        size_t l = strlen(t->fold);
        if (l >= 3 && l <= 4 && (!strcmp(t->fold + l - 2, "st") || !strcmp(t->fold + l - 2, "nd") ||
                                 !strcmp(t->fold + l - 2, "rd") || !strcmp(t->fold + l - 2, "th"))) {
                memcpy(buf, t->fold, l - 2);
                buf[l - 2] = '\0';
                struct token tmp = { .fold = buf };
                int d = small_int(&tmp, 2);
                return d >= 1 && d <= 31 ? d : -1;
        }
        int d = small_int(t, 2);
        return d >= 1 && d <= 31 ? d : -1;
}

/* A year 1900..2100 written as four digits, or -1. */
static int year_number(const struct token *t) {
        int y = small_int(t, 4);
        return y >= 1900 && y <= 2100 && strlen(t->fold) == 4 ? y : -1;
}

/* Month number of a token ("July", "Sept.", "Jan"), 0 when it is none.  Month
 * names must be capitalised ("march" is a verb). */
static int month_of(const struct token *t) {
        if (!(t->flags & TOKEN_CAPITALIZED) || !token_in_list(t, LEXICON_MONTHS))
                return 0;
        const char *v = lexicon_lookup(LEXICON_MONTHS, t->fold);
        return v ? atoi(v) : 0;
}

/* Weekday (0 = Sunday) of a capitalised token, "Friday's" included; -1. */
static int weekday_of(const struct token *t) {
        char buf[32];
        if (!(t->flags & TOKEN_CAPITALIZED))
                return -1;
        const char *f = t->fold;
        size_t l = strlen(f);
        if (l > 2 && l < sizeof(buf) && f[l - 2] == '\'' && f[l - 1] == 's') {
                memcpy(buf, f, l - 2);
                buf[l - 2] = '\0';
                f = buf;
        }
        const char *v = lexicon_lookup(LEXICON_WEEKDAYS, f);
        return v ? atoi(v) : -1;
}

/* Words that put a bare "May" (or "June", "April", "August": also given
 * names) in the calendar when they stand before it. */
static bool month_context_before(const struct token *p) {
        static const char *const words[] = {
                "in", "since", "last", "next", "this", "early", "late", "mid", "by", "until",
                "of", "during", "on", "from", "through", "between", "before", "after", "since", "till",
        };
        for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
                if (token_fold_is(p, words[i]))
                        return true;
        return false;
}

struct ymd {
        int y, m, d;
};

/* Calendar date of t (UTC) shifted by days. */
static struct ymd ymd_of(time_t t, long days) {
        struct tm tm;
        time_t s = t + (time_t) days * DAY;
        gmtime_r(&s, &tm);
        return (struct ymd) { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

/* Is y-m-d a real calendar date? */
static bool valid_date(int y, int m, int d) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
        time_t t = timegm(&tm);
        struct tm back;
        gmtime_r(&t, &back);
        return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d;
}

static time_t ymd_time(int y, int m, int d) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
        return timegm(&tm);
}

/* Formats a resolved date into buf per precision. */
static void format_date(char *buf, size_t size, int y, int m, int d, enum precision p) {
        if (p == PREC_DAY)
                snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
        else if (p == PREC_MONTH)
                snprintf(buf, size, "%04d-%02d", y, m);
        else
                snprintf(buf, size, "%04d", y);
}

struct found {
        size_t begin, end;      /* tokens */
        bool resolved;
        int y, m, d;
        enum precision prec;
};

/* Year for month m (and day d, 0 when unknown) given without a year: the
 * year among the publication year and its neighbours that puts the date
 * closest to publication. */
static int closest_year(time_t published, int m, int d) {
        struct ymd p = ymd_of(published, 0);
        int best = p.y;
        double best_dist = -1;
        for (int y = p.y - 1; y <= p.y + 1; y++) {
                time_t t = ymd_time(y, m, d > 0 && valid_date(y, m, d) ? d : 15);
                double dist = t > published ? (double) (t - published) : (double) (published - t);
                if (best_dist < 0 || dist < best_dist) {
                        best_dist = dist;
                        best = y;
                }
        }
        return best;
}

/* Tries the patterns that start with a month at token i: "July 7", "July 7,
 * 2017", "July 2017", "Sept. 11", "July" (with a modifier before it when
 * there is one: "last July", "in early March"). */
static bool match_month(const struct segmented_text *st, size_t i, size_t begin, size_t end,
                        time_t published, struct found *f) {
        const struct token *t = &st->tokens[i];
        int m = month_of(t);
        if (!m)
                return false;

        bool name_like = token_fold_is(t, "may") || token_fold_is(t, "june") || token_fold_is(t, "april") ||
                         token_fold_is(t, "august");
        const struct token *prev = i > begin ? &st->tokens[i - 1] : NULL;
        if (prev && name_like && (prev->flags & TOKEN_CAPITALIZED) && !(prev->flags & TOKEN_SENT_START) &&
            !month_context_before(prev))
                return false;   /* "Theresa May" */

        f->begin = i;
        f->end = i + 1;
        int d = -1, y = -1;
        if (i + 1 < end)
                d = day_number(&st->tokens[i + 1]);
        if (d > 0) {
                f->end = i + 2;
                size_t k = i + 2;
                if (k < end && token_fold_is(&st->tokens[k], ","))
                        k++;
                if (k < end && (y = year_number(&st->tokens[k])) > 0)
                        f->end = k + 1;
        } else if (i + 1 < end && (y = year_number(&st->tokens[i + 1])) > 0)
                f->end = i + 2;
        else if (i + 2 < end && token_fold_is(&st->tokens[i + 1], "of") && (y = year_number(&st->tokens[i + 2])) > 0)
                f->end = i + 3;

        if (d < 0 && y < 0 && name_like && !(prev && month_context_before(prev)))
                return false;   /* a bare "May" is too often the verb or a name */

        /* modifiers before a bare month: "last July", "early March", "mid-July" */
        int shift = 0;
        if (prev && d < 0 && y < 0) {
                size_t k = i - 1;
                if (token_fold_is(prev, "-") && k > begin && touching(&st->tokens[k - 1], prev))
                        k--;
                const struct token *mod = &st->tokens[k];
                if (token_fold_is(mod, "early") || token_fold_is(mod, "late") || token_fold_is(mod, "mid") ||
                    token_fold_is(mod, "last") || token_fold_is(mod, "next") || token_fold_is(mod, "this")) {
                        f->begin = k;
                        if (token_fold_is(mod, "last"))
                                shift = -1;
                        else if (token_fold_is(mod, "next"))
                                shift = 1;
                        if (k > begin && (token_fold_is(mod, "early") || token_fold_is(mod, "late") || token_fold_is(mod, "mid"))) {
                                const struct token *mm = &st->tokens[k - 1];
                                if (token_fold_is(mm, "last"))
                                        shift = -1, f->begin = k - 1;
                                else if (token_fold_is(mm, "next"))
                                        shift = 1, f->begin = k - 1;
                        }
                }
        }

        f->m = m;
        if (d > 0) {
                f->prec = PREC_DAY;
                f->d = d;
                if (y > 0)
                        f->y = y;
                else if (published)
                        f->y = closest_year(published, m, d);
                else
                        return true;   /* unresolved */
                f->resolved = valid_date(f->y, m, d);
                return true;
        }
        f->prec = PREC_MONTH;
        if (y > 0) {
                f->y = y;
                f->resolved = true;
                return true;
        }
        if (!published)
                return true;
        struct ymd p = ymd_of(published, 0);
        if (shift < 0)          /* the most recent such month before this one */
                f->y = m < p.m ? p.y : p.y - 1;
        else if (shift > 0)     /* the next such month after this one */
                f->y = m > p.m ? p.y : p.y + 1;
        else if ((m - p.m + 12) % 12 >= 1 && (m - p.m + 12) % 12 <= 3)
                /* one to three months ahead: news speaks of what is coming
                 * ("the election in November" in September) */
                f->y = m > p.m ? p.y : p.y + 1;
        else                    /* the most recent on or before publication */
                f->y = m <= p.m ? p.y : p.y - 1;
        f->resolved = true;
        return true;
}

/* "7 July", "7 July 2017", "7th of July". */
static bool match_day_month(const struct segmented_text *st, size_t i, size_t end, time_t published,
                            struct found *f) {
        int d = day_number(&st->tokens[i]);
        if (d < 0)
                return false;
        size_t k = i + 1;
        if (k < end && token_fold_is(&st->tokens[k], "of"))
                k++;
        if (k >= end)
                return false;
        int m = month_of(&st->tokens[k]);
        if (!m)
                return false;
        f->begin = i;
        f->end = k + 1;
        f->m = m;
        f->d = d;
        f->prec = PREC_DAY;
        int y = -1;
        if (k + 1 < end && (y = year_number(&st->tokens[k + 1])) > 0)
                f->end = k + 2;
        if (y > 0)
                f->y = y;
        else if (published)
                f->y = closest_year(published, m, d);
        else
                return true;
        f->resolved = valid_date(f->y, m, d);
        return true;
}

/* "2017-07-07" and "2017-07" as tokens joined by touching hyphens. */
static bool match_iso(const struct segmented_text *st, size_t i, size_t end, struct found *f) {
        int y = year_number(&st->tokens[i]);
        if (y < 0 || i + 2 >= end)
                return false;
        const struct token *h1 = &st->tokens[i + 1], *mt = &st->tokens[i + 2];
        if (!token_fold_is(h1, "-") || !touching(&st->tokens[i], h1) || !touching(h1, mt) || strlen(mt->fold) != 2)
                return false;
        int m = small_int(mt, 2);
        if (m < 1 || m > 12)
                return false;
        f->begin = i;
        f->y = y;
        f->m = m;
        f->prec = PREC_MONTH;
        f->end = i + 3;
        f->resolved = true;
        if (i + 4 < end) {
                const struct token *h2 = &st->tokens[i + 3], *dt = &st->tokens[i + 4];
                int d = strlen(dt->fold) == 2 ? small_int(dt, 2) : -1;
                if (token_fold_is(h2, "-") && touching(mt, h2) && touching(h2, dt) && d > 0 && valid_date(y, m, d)) {
                        f->d = d;
                        f->prec = PREC_DAY;
                        f->end = i + 5;
                }
        }
        return true;
}

/* Weekdays: "Friday", "last Friday", "next Friday", "this Friday",
 * "Friday's". */
static bool match_weekday(const struct segmented_text *st, size_t i, size_t begin, time_t published,
                          struct found *f) {
        int wd = weekday_of(&st->tokens[i]);
        if (wd < 0)
                return false;
        int dir = 0;
        f->begin = i;
        f->end = i + 1;
        if (i > begin) {
                const struct token *p = &st->tokens[i - 1];
                if (token_fold_is(p, "last") || token_fold_is(p, "past"))
                        dir = -1;
                else if (token_fold_is(p, "next") || token_fold_is(p, "coming") || token_fold_is(p, "this"))
                        dir = token_fold_is(p, "this") ? 2 : 1;
                if (dir)
                        f->begin = i - 1;
        }
        f->prec = PREC_DAY;
        if (!published)
                return true;
        struct tm tm;
        gmtime_r(&published, &tm);
        long delta;
        if (dir == 1 || dir == 2) {
                delta = (wd - tm.tm_wday + 7) % 7;
                if (delta == 0 && dir == 1)
                        delta = 7;
        } else {
                delta = -((tm.tm_wday - wd + 7) % 7);
                if (delta == 0 && dir == -1)
                        delta = -7;
        }
        struct ymd r = ymd_of(published, delta);
        f->y = r.y, f->m = r.m, f->d = r.d;
        f->resolved = true;
        return true;
}

/* Unit word of "last week", "3 days ago": 'd', 'w', 'm', 'y' or 0. */
static char period_of(const struct token *t) {
        const char *f = t->fold;
        if (!strcmp(f, "day") || !strcmp(f, "days"))
                return 'd';
        if (!strcmp(f, "week") || !strcmp(f, "weeks"))
                return 'w';
        if (!strcmp(f, "month") || !strcmp(f, "months"))
                return 'm';
        if (!strcmp(f, "year") || !strcmp(f, "years"))
                return 'y';
        return 0;
}

/* Sets f to the period containing published shifted by n periods of kind
 * p ('d' day, 'w' week -> the month it falls in, 'm' month, 'y' year). */
static void resolve_period(struct found *f, time_t published, char p, long n) {
        struct ymd r;
        switch (p) {
        case 'd':
                r = ymd_of(published, n);
                f->prec = PREC_DAY;
                break;
        case 'w':
                r = ymd_of(published, n * 7);
                f->prec = PREC_MONTH;
                break;
        case 'm': {
                struct ymd q = ymd_of(published, 0);
                long months = (long) q.y * 12 + (q.m - 1) + n;
                long y = months / 12, m0 = months % 12;
                if (m0 < 0) {   /* floor division: month -1 of year 0 is December of year -1 */
                        m0 += 12;
                        y--;
                }
                r = (struct ymd) { (int) y, (int) m0 + 1, 1 };
                f->prec = PREC_MONTH;
                break;
        }
        default:
                r = ymd_of(published, 0);
                r.y += (int) n;
                f->prec = PREC_YEAR;
                break;
        }
        f->y = r.y, f->m = r.m, f->d = r.d;
        f->resolved = true;
}

/* Small counts for "N days ago": digits, a number word up to twenty, "a". */
static int count_of(const struct token *t) {
        int v = small_int(t, 3);
        if (v >= 0)
                return v;
        if (token_fold_is(t, "a") || token_fold_is(t, "an"))
                return 1;
        const char *w = lexicon_lookup(LEXICON_NUMBER_WORDS, t->fold);
        if (!w)
                return -1;
        double d = strtod(w, NULL);
        return d >= 1 && d <= 90 && d == (int) d ? (int) d : -1;
}

/* Relative expressions: today, yesterday, tomorrow, tonight, last night,
 * last/this/next week|month|year, earlier/later this week|month|year,
 * "N days/weeks/months/years ago". */
static bool match_relative(const struct segmented_text *st, size_t i, size_t end, time_t published,
                           struct found *f) {
        const struct token *t = &st->tokens[i];
        f->begin = i;

        /* every form but "N ago" starts with a word of four letters or
         * more that begins with one of these pairs ("today", "yesterday",
         * "last", "next", "past", "earlier", "this") */
        if (!(i + 2 < end && st->tokens[i + 2].fold[0] == 'a' && token_fold_is(&st->tokens[i + 2], "ago"))) {
                static const char pairs[][2] = { "to", "ye", "la", "ne", "pa", "ea", "th" };
                const char *w = t->fold;
                bool may = false;
                for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]) && !may; k++)
                        may = w[0] == pairs[k][0] && w[1] == pairs[k][1];
                if (!may || !w[2] || !w[3])
                        return false;
        }
        if (token_fold_is(t, "today") || token_fold_is(t, "tonight") || token_fold_is(t, "yesterday") || token_fold_is(t, "tomorrow") ||
            token_fold_is(t, "today's") || token_fold_is(t, "yesterday's") || token_fold_is(t, "tomorrow's")) {
                /* "USA Today" is a newspaper */
                if ((t->flags & TOKEN_CAPITALIZED) && !(t->flags & TOKEN_SENT_START) && i > 0 &&
                    (st->tokens[i - 1].flags & TOKEN_CAPITALIZED))
                        return false;
                f->end = i + 1;
                f->prec = PREC_DAY;
                if (published)
                        resolve_period(f, published, 'd',
                                       t->fold[0] == 'y' ? -1 : t->fold[0] == 't' && t->fold[2] == 'm' ? 1 : 0);
                return true;
        }
        if (i + 1 >= end)
                return false;
        const struct token *n1 = &st->tokens[i + 1];

        if (token_fold_is(t, "last") && token_fold_is(n1, "night")) {
                f->end = i + 2;
                f->prec = PREC_DAY;
                if (published)
                        resolve_period(f, published, 'd', -1);
                return true;
        }
        if (token_fold_is(t, "last") || token_fold_is(t, "this") || token_fold_is(t, "next") || token_fold_is(t, "past")) {
                char p = period_of(n1);
                if (!p || p == 'd' || token_fold_is(n1, "days") || token_fold_is(n1, "weeks") || token_fold_is(n1, "months") ||
                    token_fold_is(n1, "years"))
                        return false;   /* "the past three years" is not a date */
                if (token_fold_is(t, "past") && p != 'w')
                        return false;
                f->end = i + 2;
                f->prec = p == 'y' ? PREC_YEAR : PREC_MONTH;
                if (published)
                        resolve_period(f, published, p, token_fold_is(t, "this") ? 0 : token_fold_is(t, "next") ? 1 : -1);
                return true;
        }
        if ((token_fold_is(t, "earlier") || token_fold_is(t, "later")) && token_fold_is(n1, "this") && i + 2 < end) {
                char p = period_of(&st->tokens[i + 2]);
                if (!p || p == 'd')
                        return false;
                f->end = i + 3;
                f->prec = p == 'y' ? PREC_YEAR : PREC_MONTH;
                if (published)
                        resolve_period(f, published, p, 0);
                return true;
        }
        /* "three days ago", "a year ago" */
        if (i + 2 >= end || !token_fold_is(&st->tokens[i + 2], "ago"))
                return false;
        int n = count_of(t);
        if (n >= 0) {
                char p = period_of(n1);
                if (!p)
                        return false;
                f->end = i + 3;
                f->prec = p == 'd' ? PREC_DAY : p == 'y' ? PREC_YEAR : PREC_MONTH;
                if (published)
                        resolve_period(f, published, p, -n);
                return true;
        }
        return false;
}

/* A lone year: "in 2016", "the 2016 election"; not "$2016", not "2016
 * people". */
static bool match_year(const struct segmented_text *st, size_t i, size_t begin, size_t end, struct found *f) {
        const struct token *t = &st->tokens[i];
        int y = year_number(t);
        if (y < 0)
                return false;
        /* after a word that introduces a time, at a sentence start or before
         * punctuation: "in 2016", "the 2016 election", "2016 was"; not "bought
         * 2000 shares" */
        static const char *const before[] = {
                "in", "since", "the", "of", "by", "until", "till", "before", "after", "from", "to",
                "during", "early", "late", "mid", "between", "and", "or", "through", "throughout",
                "for", "on", "at", "circa", "about", "around", "its", "his", "her", "their",
        };
        bool ok = i == begin || (t->flags & TOKEN_SENT_START) || i + 1 >= end ||
                  (st->tokens[i + 1].flags & (TOKEN_PUNCT | TOKEN_QUOTE));
        if (!ok) {
                const struct token *p = &st->tokens[i - 1];
                ok = (p->flags & (TOKEN_CAPITALIZED | TOKEN_PUNCT | TOKEN_QUOTE)) != 0;
                for (size_t k = 0; !ok && k < sizeof(before) / sizeof(*before); k++)
                        ok = token_fold_is(p, before[k]);
        }
        if (!ok)
                return false;
        if (i > begin) {
                const struct token *p = &st->tokens[i - 1];
                if (token_fold_is(p, "$") || token_fold_is(p, "€") || token_fold_is(p, "£") || token_fold_is(p, "no.") || token_fold_is(p, "#") ||
                    (token_fold_is(p, "-") && touching(p, t)) || (token_fold_is(p, ":") && touching(p, t)))
                        return false;
        }
        if (i + 1 < end) {
                const struct token *nx = &st->tokens[i + 1];
                if (token_in_list(nx, LEXICON_UNITS) || token_in_list(nx, LEXICON_NUMBER_WORDS))
                        return false;
                if ((token_fold_is(nx, ":") || token_fold_is(nx, "%")) && touching(t, nx))
                        return false;
        }
        f->begin = i;
        f->end = i + 1;
        f->y = y;
        f->prec = PREC_YEAR;
        f->resolved = true;
        return true;
}

static int push(const struct segmented_text *st, struct claim_date **items, size_t *n, size_t *allocated,
                const struct found *f) {
        if (*n == *allocated) {
                size_t na = *allocated ? *allocated * 2 : 8;
                struct claim_date *p = realloc(*items, na * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                *items = p;
                *allocated = na;
        }
        struct claim_date *d = &(*items)[*n];
        int32_t start = st->tokens[f->begin].start, end = st->tokens[f->end - 1].end;
        /* "Friday's": the possessive is not part of the date */
        if (end - start > 2 && st->text[end - 1] == 's' && st->text[end - 2] == '\'')
                end -= 2;
        else if (end - start > 4 && st->text[end - 1] == 's' && !memcmp(st->text + end - 4, "\xe2\x80\x99", 3))
                end -= 4;
        *d = (struct claim_date) { .start = start, .end = end };
        d->text = strndup(st->text + start, (size_t) (end - start));
        if (!d->text)
                return -ENOMEM;
        /* a value is "YYYY...": years outside 0000..9999 (relative dates near
         * the ends of RFC 3339's range) stay unresolved */
        if (f->resolved && f->y >= 0 && f->y <= 9999) {
                char buf[16];
                format_date(buf, sizeof(buf), f->y, f->m, f->d, f->prec);
                d->value = strdup(buf);
                if (!d->value) {
                        free(d->text);
                        return -ENOMEM;
                }
        }
        (*n)++;
        return 0;
}

void claim_dates_free(struct claim_date *d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(d[i].text);
                free(d[i].value);
        }
        free(d);
}

int dates_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
               time_t published, struct claim_date **ret, size_t *ret_n) {
        struct claim_date *items = NULL;
        size_t n = 0, allocated = 0;

        if (tok_end > st->n_tokens)
                tok_end = st->n_tokens;
        for (size_t i = tok_begin; i < tok_end; i++) {
                const struct token *t = &st->tokens[i];
                struct found f = { 0 };
                bool hit;
                unsigned char c0 = (unsigned char) t->fold[0];

                if (c0 >= '0' && c0 <= '9')
                        hit = match_iso(st, i, tok_end, &f) ||
                              match_day_month(st, i, tok_end, published, &f) ||
                              match_relative(st, i, tok_end, published, &f) ||
                              match_year(st, i, tok_begin, tok_end, &f);
                else if (t->flags & TOKEN_CAPITALIZED)
                        hit = match_month(st, i, tok_begin, tok_end, published, &f) ||
                              match_weekday(st, i, tok_begin, published, &f) ||
                              match_relative(st, i, tok_end, published, &f);
                else if (t->flags & TOKEN_WORD)
                        hit = match_relative(st, i, tok_end, published, &f);
                else
                        hit = false;
                if (!hit)
                        continue;
                /* a modifier may reach back over the previous date's end: never overlap */
                if (n > 0 && st->tokens[f.begin].start < items[n - 1].end)
                        f.begin = i;
                int r = push(st, &items, &n, &allocated, &f);
                if (r < 0) {
                        claim_dates_free(items, n);
                        return r;
                }
                i = f.end - 1;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

/* Does a (YYYY[-MM[-DD]]) hold b at a component boundary? */
static bool date_prefix(const char *a, const char *b) {
        size_t la = strlen(a);
        return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '-');
}

bool dates_compatible(const struct claim_date *a, const struct claim_date *b) {
        if (!a || !b || !a->value || !b->value)
                return true;
        return date_prefix(a->value, b->value) || date_prefix(b->value, a->value);
}
