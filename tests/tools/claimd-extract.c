/* claimd-extract: runs the extraction pipeline on one article and prints its
 * claims as JSON (the CLAIM objects of API.md), for developers.
 *
 *   claimd-extract [--title T] [--published 2017-07-07T20:00:00Z] [--html]
 *                  [--bench N] [--pairs] [--against FILE2 [--against-title T]] [FILE]
 *
 * Reads FILE (or stdin) as plain text, or as HTML with --html.  --bench N
 * runs the pipeline N times and reports words per second on stderr.
 * --pairs adds "pairs": every two claims of the article checked for a
 * conflict as one outlet's claims (conflict.h), each with the conflict found
 * or the veto that decided against one ("low-overlap", "no-clash", ...).
 * --against FILE2 reads a second article (plain text) from another outlet
 * and adds its claims ("against_claims") and every cross pair to "pairs"
 * (with "across": true, "b" indexing against_claims). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/claim-json.h"
#include "common/conflict.h"
#include "common/pipeline.h"
#include "common/rfc3339.h"

/* Reads all of f into a NUL-terminated buffer; returns NULL on failure. */
static char *slurp(FILE *f, size_t *ret_len) {
        size_t cap = 1 << 16, len = 0;
        char *buf = malloc(cap);
        if (!buf)
                return NULL;
        for (;;) {
                if (cap - len < 4096) {
                        char *p = realloc(buf, cap * 2);
                        if (!p) {
                                free(buf);
                                return NULL;
                        }
                        buf = p;
                        cap *= 2;
                }
                size_t n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
                if (n == 0)
                        break;
        }
        buf[len] = 0;
        *ret_len = len;
        return buf;
}

/* Number of white-space separated words in s. */
static size_t count_words(const char *s) {
        size_t n = 0;
        bool in = false;
        for (; *s; s++) {
                bool sp = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';
                if (!sp && !in)
                        n++;
                in = !sp;
        }
        return n;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Appends to pairs the check of claim i of x (outlet sx) against claim j
 * of y (outlet sy): {"a", "b", "veto"} or {"a", "b", "kind", "score",
 * "explanation"}.  Returns 0 or -ENOMEM. */
static int check_pair(json_t *pairs, const struct extracted_article *x, size_t i, const char *sx,
                      const struct extracted_article *y, size_t j, const char *sy, bool across) {
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_source a = { &x->claims.items[i], sx, NULL }, b = { &y->claims.items[j], sy, NULL };
        struct conflict_result res;
        enum conflict_veto veto = CONFLICT_VETO_NONE;
        int r = conflict_check_views_why(&a, &b, x->views[i], y->views[j], &o, &res, &veto);
        if (r < 0)
                return r;
        json_t *p = r > 0 ?
                json_pack("{sIsIsssfss}", "a", (json_int_t) i, "b", (json_int_t) j,
                          "kind", conflict_kind_to_string(res.kind), "score", res.score,
                          "explanation", res.explanation ? res.explanation : "") :
                json_pack("{sIsIss}", "a", (json_int_t) i, "b", (json_int_t) j, "veto", conflict_veto_to_string(veto));
        if (r > 0)
                free(res.explanation);
        if (!p || (across && json_object_set_new(p, "across", json_true()) < 0) || json_array_append_new(pairs, p) < 0)
                return -ENOMEM;
        return 0;
}

/* Every pair within ex, then (when other is not NULL) every pair across. */
static json_t *check_pairs(const struct extracted_article *ex, const struct extracted_article *other) {
        json_t *pairs = json_array();
        int r = pairs ? 0 : -ENOMEM;
        for (size_t i = 0; i < ex->claims.n && r >= 0; i++)
                for (size_t j = i + 1; j < ex->claims.n && r >= 0; j++)
                        r = check_pair(pairs, ex, i, "article", ex, j, "article", false);
        for (size_t i = 0; other && i < ex->claims.n && r >= 0; i++)
                for (size_t j = 0; j < other->claims.n && r >= 0; j++)
                        r = check_pair(pairs, ex, i, "article", other, j, "against", true);
        if (r < 0) {
                json_decref(pairs);
                return NULL;
        }
        return pairs;
}

/* Reads and extracts the article at path (plain text) with title; NULL on
 * failure, after saying why on stderr. */
static struct extracted_article *extract_file(const char *path, const char *title) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "claimd-extract: %s: %s\n", path, strerror(errno));
                return NULL;
        }
        size_t len = 0;
        char *buf = slurp(f, &len);
        fclose(f);
        if (!buf || strlen(buf) != len) {
                fprintf(stderr, "claimd-extract: %s: out of memory or a NUL byte\n", path);
                free(buf);
                return NULL;
        }
        struct article_input in = { .title = title, .text = buf };
        struct extracted_article *a = NULL;
        int r = pipeline_extract(&in, &a);
        free(buf);
        if (r < 0) {
                fprintf(stderr, "claimd-extract: %s: extraction failed: %s\n", path, strerror(-r));
                return NULL;
        }
        return a;
}

/* The article's title, claims and terms as claimd-extract prints them, or
 * NULL on ENOMEM. */
static json_t *article_json(const struct extracted_article *a) {
        json_t *out = json_object(), *arr = json_array();
        for (size_t i = 0; i < a->claims.n; i++)
                json_array_append_new(arr, claim_to_json(&a->claims.items[i]));
        json_object_set_new(out, "title", json_string(a->title));
        json_object_set_new(out, "claims", arr);
        json_t *terms = json_array();
        for (size_t i = 0; i < a->terms.n && i < 50000; i++)
                json_array_append_new(terms, json_pack("[sf]", a->terms.items[i].term, (double) a->terms.items[i].weight));
        json_object_set_new(out, "terms", terms);
        return out;
}

/* Adds "pairs" to out (and "against_claims" when against names a second
 * article).  Returns 0, -ENOMEM, or -EIO when the second article cannot be
 * read (said on stderr). */
static int add_pairs(json_t *out, const struct extracted_article *a, const char *against, const char *against_title) {
        struct extracted_article *other = NULL;
        if (against) {
                other = extract_file(against, against_title);
                if (!other)
                        return -EIO;
                json_t *oc = json_array();
                for (size_t i = 0; i < other->claims.n; i++)
                        json_array_append_new(oc, claim_to_json(&other->claims.items[i]));
                json_object_set_new(out, "against_claims", oc);
        }
        json_t *p = check_pairs(a, other);
        extracted_article_free(other);
        if (!p || json_object_set_new(out, "pairs", p) < 0)
                return -ENOMEM;
        return 0;
}

int main(int argc, char **argv) {
        const char *title = NULL, *path = NULL, *against = NULL, *against_title = NULL;
        bool html = false, pairs = false;
        long bench = 0;
        time_t published = 0;
        size_t len = 0;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
                        title = argv[++i];
                else if (strcmp(argv[i], "--published") == 0 && i + 1 < argc) {
                        if (rfc3339_parse(argv[++i], &published) < 0) {
                                fprintf(stderr, "claimd-extract: bad --published timestamp: %s\n", argv[i]);
                                return 2;
                        }
                } else if (strcmp(argv[i], "--html") == 0)
                        html = true;
                else if (strcmp(argv[i], "--pairs") == 0)
                        pairs = true;
                else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
                        against = argv[++i];
                else if (strcmp(argv[i], "--against-title") == 0 && i + 1 < argc)
                        against_title = argv[++i];
                else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
                        bench = strtol(argv[++i], NULL, 10);
                else if (argv[i][0] == '-' && argv[i][1]) {
                        fprintf(stderr, "usage: claimd-extract [--title T] [--published TS] [--html] [--bench N] [--pairs]\n"
                                        "                      [--against FILE2 [--against-title T]] [FILE]\n");
                        return 2;
                } else
                        path = argv[i];
        }

        FILE *f = path && strcmp(path, "-") != 0 ? fopen(path, "rb") : stdin;
        if (!f) {
                fprintf(stderr, "claimd-extract: %s: %s\n", path, strerror(errno));
                return 1;
        }
        char *buf = slurp(f, &len);
        if (f != stdin)
                fclose(f);
        if (!buf) {
                fprintf(stderr, "claimd-extract: out of memory\n");
                return 1;
        }
        if (strlen(buf) != len) {
                fprintf(stderr, "claimd-extract: input holds a NUL byte\n");
                free(buf);
                return 1;
        }

        struct article_input in = {
                .title = title,
                .text = html ? NULL : buf,
                .html = html ? buf : NULL,
                .published = published,
        };
        struct extracted_article *a = NULL;
        double t0 = now();
        long runs = bench > 0 ? bench : 1;
        for (long k = 0; k < runs; k++) {
                if (a)
                        extracted_article_free(a);
                a = NULL;
                int err = pipeline_extract(&in, &a);
                if (err < 0) {
                        fprintf(stderr, "claimd-extract: extraction failed: %s\n", strerror(-err));
                        free(buf);
                        return 1;
                }
        }
        double dt = now() - t0;
        if (bench > 0) {
                size_t words = count_words(a->text) + count_words(a->title);
                fprintf(stderr, "%zu words x %ld runs in %.3f s: %.0f words/s, %zu claims\n",
                        words, runs, dt, words * runs / (dt > 0 ? dt : 1e-9), a->claims.n);
        }

        json_t *out = article_json(a);
        int r = out ? 0 : -ENOMEM;
        if (r >= 0 && (pairs || against))
                r = add_pairs(out, a, against, against_title);
        if (r < 0) {
                if (r == -ENOMEM)
                        fprintf(stderr, "claimd-extract: out of memory\n");
                json_decref(out);
                extracted_article_free(a);
                free(buf);
                return 1;
        }
        json_dumpf(out, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
        putchar('\n');
        json_decref(out);
        extracted_article_free(a);
        free(buf);
        return 0;
}
