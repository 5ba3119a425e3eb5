/* Fuzz target: the text pipeline (common/pipeline.h) and, on the same text,
 * the stages it is made of: segment_text(), attributions_find(),
 * quantities_find() and dates_find() over the whole text; then the
 * conflict checks (common/match.h) of the article's claims against the same
 * claims from another outlet.
 *
 * Input: optional header lines "title: ...", "published: ..." (RFC 3339 or
 * UTC seconds) and "mode: html", ended by a blank line, then the body: the
 * article text, or its HTML with "mode: html".  An input whose first line is
 * no header is all body.  So a seed stays readable:
 *
 *     title: Talks end without a deal
 *     published: 2017-07-07T20:00:00Z
 *
 *     The minister said the talks lasted over two hours on Friday.
 *
 * Checks the contracts: every claim serialises with claim_to_json() and
 * reads back with claim_from_json(), its spans lie inside its field (in code
 * points), its strings are valid UTF-8; stage outputs lie inside the text. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "common/attrib.h"
#include "common/claim-json.h"
#include "common/conflict.h"
#include "common/date.h"
#include "common/match.h"
#include "common/pipeline.h"
#include "common/quantity.h"
#include "common/rfc3339.h"
#include "common/segment.h"
#include "common/utf8.h"
#include "common/wordnet.h"
#include "fuzz.h"

#define MAX_INPUT       (64 * 1024)
#define LATEST_TIME     ((time_t) 253402300799)     /* 9999-12-31T23:59:59Z */

struct fuzz_input {
        char *title;            /* NULL when no header gave one */
        char *body;             /* NUL-terminated copy of the body */
        size_t body_len;        /* bytes given (the body may hold NULs) */
        time_t published;
        bool html;
};

/* Splits the input into headers and body (see the top of the file).
 * Returns 0 or -ENOMEM. */
static int parse_input(const char *data, size_t size, struct fuzz_input *ret) {
        struct fuzz_input in = {};
        size_t off = 0;

        for (;;) {
                const char *line = data + off;
                const char *nl = memchr(line, '\n', size - off);
                if (!nl)
                        break;
                size_t n = nl - line;
                if (n == 0) {           /* blank line: the body follows */
                        off += 1;
                        break;
                }
                const char *colon = memchr(line, ':', n);
                if (!colon || colon == line)
                        break;
                size_t klen = colon - line;
                const char *v = colon + 1;
                while (v < nl && *v == ' ')
                        v++;
                size_t vlen = nl - v;

                if (klen == 5 && strncasecmp(line, "title", 5) == 0) {
                        free(in.title);
                        in.title = strndup(v, vlen);
                        if (!in.title)
                                return -ENOMEM;
                } else if (klen == 9 && strncasecmp(line, "published", 9) == 0) {
                        char buf[80];
                        snprintf(buf, sizeof(buf), "%.*s", (int) (vlen < 79 ? vlen : 79), v);
                        char *end;
                        long long t = strtoll(buf, &end, 10);
                        if (end != buf && *end == 0)
                                in.published = t < 0 ? 0 : t > LATEST_TIME ? LATEST_TIME : (time_t) t;
                        else if (rfc3339_parse(buf, &in.published) < 0)
                                in.published = 0;
                } else if (klen == 4 && strncasecmp(line, "mode", 4) == 0)
                        in.html = vlen >= 4 && strncasecmp(v, "html", 4) == 0;
                else
                        break;          /* no header: the body starts here */
                off += n + 1;
        }

        in.body_len = size - off;
        in.body = malloc(in.body_len + 1);
        if (!in.body) {
                free(in.title);
                return -ENOMEM;
        }
        memcpy(in.body, data + off, in.body_len);
        in.body[in.body_len] = 0;
        *ret = in;
        return 0;
}

/* Checks that a code point span [s, e) (or -1,-1) lies inside a field of
 * len code points. */
static void check_span(const int32_t span[2], size_t len) {
        if (span[0] == -1 && span[1] == -1)
                return;
        FUZZ_CHECK(span[0] >= 0 && span[0] <= span[1] && (size_t) span[1] <= len);
}

static void check_utf8(const char *s) {
        if (s)
                FUZZ_CHECK(utf8_is_valid(s, strlen(s)));
}

/* Checks one extracted claim and round-trips it through its JSON form. */
static void check_claim(const struct claim *c, const struct extracted_article *a) {
        const char *field = c->field == CLAIM_FIELD_TITLE ? a->title : a->text;
        size_t len = utf8_length(field, strlen(field));

        FUZZ_CHECK(c->field == CLAIM_FIELD_TITLE || c->field == CLAIM_FIELD_TEXT);
        FUZZ_CHECK(c->text);
        check_utf8(c->text);
        check_utf8(c->speaker);
        check_utf8(c->cue);
        check_utf8(c->terms);
        check_span(c->span, len);
        check_span(c->content_span, len);
        check_span(c->speaker_span, len);
        check_span(c->cue_span, len);
        for (size_t i = 0; i < c->n_entities; i++) {
                FUZZ_CHECK(c->entities[i].name);
                check_utf8(c->entities[i].name);
        }
        for (size_t i = 0; i < c->n_quantities; i++) {
                check_utf8(c->quantities[i].text);
                check_utf8(c->quantities[i].unit);
                check_span((int32_t[2]) { c->quantities[i].start, c->quantities[i].end }, len);
        }
        for (size_t i = 0; i < c->n_dates; i++) {
                check_utf8(c->dates[i].text);
                check_utf8(c->dates[i].value);
                check_span((int32_t[2]) { c->dates[i].start, c->dates[i].end }, len);
        }

        json_t *o = claim_to_json(c);
        FUZZ_CHECK(o);
        char *s = json_dumps(o, JSON_COMPACT);
        FUZZ_CHECK(s);
        free(s);
        struct claim back = {};
        FUZZ_CHECK(claim_from_json(o, &back) == 0);
        FUZZ_CHECK(strcmp(back.text, c->text) == 0);
        FUZZ_CHECK(back.n_quantities == c->n_quantities && back.n_dates == c->n_dates);
        claim_clear(&back);
        json_decref(o);
}

/* True when v is "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a plausible month
 * and day (date.h). */
static bool date_value_ok(const char *v) {
        size_t y = strspn(v, "0123456789");
        if (y != 4)
                return false;
        v += y;
        if (*v == 0)
                return true;
        if (v[0] != '-' || strspn(v + 1, "0123456789") != 2)
                return false;
        int month = (v[1] - '0') * 10 + (v[2] - '0');
        if (month < 1 || month > 12)
                return false;
        v += 3;
        if (*v == 0)
                return true;
        if (v[0] != '-' || strspn(v + 1, "0123456789") != 2 || v[3] != 0)
                return false;
        int day = (v[1] - '0') * 10 + (v[2] - '0');
        return day >= 1 && day <= 31;
}

/* Runs the stages one by one on the body as plain text. */
static void run_stages(const char *text, size_t len, time_t published) {
        struct segmented_text *st = NULL;

        int r = segment_text(text, len, &st);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
                FUZZ_CHECK(r == -ENOMEM || !utf8_is_valid(text, len));
                return;
        }
        for (size_t i = 0; i < st->n_tokens; i++) {
                const struct token *t = &st->tokens[i];
                FUZZ_CHECK(t->start >= 0 && t->start < t->end && (size_t) t->end <= len);
                FUZZ_CHECK(t->fold && t->stem);
                FUZZ_CHECK(t->sentence >= 0 && (size_t) t->sentence < st->n_sentences);
        }
        for (size_t i = 0; i < st->n_sentences; i++) {
                const struct sentence *s = &st->sentences[i];
                FUZZ_CHECK(s->start >= 0 && s->start <= s->end && (size_t) s->end <= len);
                FUZZ_CHECK(s->tok_begin <= s->tok_end && s->tok_end <= st->n_tokens);
        }

        struct attribution *at = NULL;
        size_t n_at = 0;
        if (attributions_find(st, &at, &n_at) == 0) {
                for (size_t i = 0; i < n_at; i++) {
                        FUZZ_CHECK(at[i].content_start >= 0 && at[i].content_start <= at[i].content_end &&
                                   (size_t) at[i].content_end <= len);
                        FUZZ_CHECK(at[i].speaker_start == -1 ||
                                   (at[i].speaker_start >= 0 && at[i].speaker_start <= at[i].speaker_end &&
                                    (size_t) at[i].speaker_end <= len));
                        check_utf8(at[i].speaker);
                }
                attributions_free(at, n_at);
        }

        struct quantity *q = NULL;
        size_t n_q = 0;
        if (quantities_find(st, 0, st->n_tokens, &q, &n_q) == 0) {
                for (size_t i = 0; i < n_q; i++) {
                        FUZZ_CHECK(q[i].text);
                        for (size_t j = 0; j < n_q; j++)
                                if (quantities_comparable(&q[i], &q[j]))
                                        (void) quantities_compatible(&q[i], &q[j]);
                }
                quantities_free(q, n_q);
        }

        struct claim_date *d = NULL;
        size_t n_d = 0;
        if (dates_find(st, 0, st->n_tokens, published, &d, &n_d) == 0) {
                for (size_t i = 0; i < n_d; i++) {
                        FUZZ_CHECK(d[i].text);
                        if (d[i].value)
                                FUZZ_CHECK(date_value_ok(d[i].value));
                        for (size_t j = 0; j < n_d; j++)
                                (void) dates_compatible(&d[i], &d[j]);
                }
                claim_dates_free(d, n_d);
        }
        segmented_text_free(st);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        wn_init(NULL);
        return 0;
}

/* Matches the article's claims, on the views the extraction made from its
 * tokens, against the same claims from another outlet on views made from
 * their texts (every rule of conflict.c, both ways of making a view, the
 * shared word forms): each conflict names two claims of the arrays, scores
 * in [0, 1], is of a known kind and explains itself in valid UTF-8. */
static void check_conflicts(const struct extracted_article *a) {
        size_t n = a->claims.n;
        struct claim_source *x = calloc(n + 1, sizeof(*x)), *y = calloc(n + 1, sizeof(*y));
        FUZZ_CHECK(x && y);
        for (size_t i = 0; i < n; i++) {
                x[i] = (struct claim_source) { &a->claims.items[i], "one.example", "a" };
                y[i] = (struct claim_source) { &a->claims.items[i], "other.example", "b" };
        }
        struct conflict_view **vy = calloc(n + 1, sizeof(*vy));
        FUZZ_CHECK(vy && a->views);
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                r = conflict_view_new(&a->claims.items[i], &vy[i]);
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_conflict *c = NULL;
        size_t nc = 0;
        if (r == 0)
                r = match_claims_prepared(x, a->views, n, y, vy, n, &o, 0, &c, &nc);
        FUZZ_CHECK(r == 0 || r == -ENOMEM);
        for (size_t i = 0; r == 0 && i < nc; i++) {
                FUZZ_CHECK(c[i].a < n && c[i].b < n);
                FUZZ_CHECK(c[i].result.score >= 0 && c[i].result.score <= 1);
                FUZZ_CHECK((unsigned) c[i].result.kind < _CONFLICT_KIND_MAX);
                FUZZ_CHECK(c[i].result.explanation);
                check_utf8(c[i].result.explanation);
        }
        if (r == 0)
                claim_conflicts_free(c, nc);
        for (size_t i = 0; i < n; i++)
                conflict_view_free(vy[i]);
        free(vy);
        free(x);
        free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in;
        struct extracted_article *a = NULL;

        if (size > MAX_INPUT)
                return 0;
        FUZZ_CHECK(parse_input((const char *) data, size, &in) == 0);

        /* the API refuses NUL bytes in fields: the pipeline sees C strings */
        size_t body_len = strlen(in.body);
        struct article_input ai = {
                .title = in.title,
                .text = in.html ? NULL : in.body,
                .html = in.html ? in.body : NULL,
                .published = in.published,
        };
        int r = pipeline_extract(&ai, &a);
        if (r < 0)
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
        else {
                FUZZ_CHECK(r == 0 && a && a->title && a->text);
                check_utf8(a->title);
                check_utf8(a->text);
                if (!in.html)
                        FUZZ_CHECK(strcmp(a->text, in.body) == 0);
                for (size_t i = 0; i < a->claims.n; i++)
                        check_claim(&a->claims.items[i], a);
                check_conflicts(a);
                extracted_article_free(a);
        }

        if (!in.html)
                run_stages(in.body, body_len, in.published);

        free(in.title);
        free(in.body);
        return 0;
}
