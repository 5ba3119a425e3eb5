/* claimd-extract: runs the extraction pipeline on one article and prints its
 * claims as JSON (the CLAIM objects of API.md), for developers.
 *
 *   claimd-extract [--title T] [--published 2017-07-07T20:00:00Z] [--html]
 *                  [--bench N] [FILE]
 *
 * Reads FILE (or stdin) as plain text, or as HTML with --html.  --bench N
 * runs the pipeline N times and reports words per second on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/claim-json.h"
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

int main(int argc, char **argv) {
        const char *title = NULL, *path = NULL;
        bool html = false;
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
                else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
                        bench = strtol(argv[++i], NULL, 10);
                else if (argv[i][0] == '-' && argv[i][1]) {
                        fprintf(stderr, "usage: claimd-extract [--title T] [--published TS] [--html] [--bench N] [FILE]\n");
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
                int r = pipeline_extract(&in, &a);
                if (r < 0) {
                        fprintf(stderr, "claimd-extract: extraction failed: %s\n", strerror(-r));
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

        json_t *out = json_object(), *arr = json_array();
        for (size_t i = 0; i < a->claims.n; i++)
                json_array_append_new(arr, claim_to_json(&a->claims.items[i]));
        json_object_set_new(out, "title", json_string(a->title));
        json_object_set_new(out, "claims", arr);
        json_t *terms = json_array();
        for (size_t i = 0; i < a->terms.n && i < 50000; i++)
                json_array_append_new(terms, json_pack("[sf]", a->terms.items[i].term, (double) a->terms.items[i].weight));
        json_object_set_new(out, "terms", terms);
        json_dumpf(out, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
        putchar('\n');
        json_decref(out);
        extracted_article_free(a);
        free(buf);
        return 0;
}
