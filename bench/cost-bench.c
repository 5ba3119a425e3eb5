/* Cost per kilobyte of one article through extraction and matching, at
 * 10 KB, 100 KB and 2 MB (issue 22, item 4): every stage must grow about
 * linearly with its input, so the cost per KB of a 2 MB body should be
 * near that of a 10 KB one.  For each shape of text the tool builds an
 * article of each size (the sentences are written here; "news" is FNC-1
 * bodies read in place, skipped without the shared data), extracts it with
 * pipeline_extract() and matches its claims against those of a variant of
 * the same text from another outlet (other numbers, a negation), as
 * ingestion would against an earlier article of its event.  Prints, per
 * shape and size, CPU milliseconds of the thread (median of --runs runs) for
 * extraction, microseconds per KB and how many times the cost per KB of the
 * smallest size that is, and the milliseconds of matching (claims are capped
 * per article, so matching is bounded, not linear, in the size).
 *
 *   cost-bench [--runs N] [--sizes KB,KB,...] [--shapes NAME,...] [--bodies FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conflict.h"
#include "common/match.h"
#include "common/pipeline.h"

#include "fnc1.h"

#define DEFAULT_BODIES "/work/shared/data/fnc1/train_bodies.csv"
#define MAX_RUNS 100

/* A growing string. */
struct text {
        char *s;
        size_t len, cap;
};

static int text_add(struct text *t, const char *fmt, ...) {
        for (;;) {
                va_list ap;
                va_start(ap, fmt);
                int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
                va_end(ap);
                if (n < 0)
                        return -EINVAL;
                if (t->s && t->len + (size_t) n < t->cap) {
                        t->len += (size_t) n;
                        return 0;
                }
                size_t cap = t->cap ? t->cap : 4096;
                while (cap <= t->len + (size_t) n)
                        cap *= 2;
                char *p = realloc(t->s, cap);
                if (!p)
                        return -ENOMEM;
                t->s = p;
                t->cap = cap;
        }
}

static const char *const first_names[] = { "Clara", "Anna", "Carl", "Dora", "Emil", "Frida", "Gustav", "Hanna" };
static const char *const last_names[] = { "Voss", "Berg", "Lund", "Holm", "Strand", "Dahl", "Falk", "Lind" };

/* Four letters that number i: distinct surnames without digits. */
static void letters(size_t i, char out[5]) {
        static const char abc[] = "aeioubdfgklmnprstv";
        for (int k = 0; k < 4; k++, i /= 18)
                out[k] = abc[i % 18];
        out[4] = 0;
}

/* Appends unit i of a shape to t; variant 1 is another outlet's account. */
typedef int (*unit_fn)(struct text *t, size_t i, int variant, const struct fnc1 *news);

static int unit_said(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        return text_add(t, "Clara Voss said it was %s. ", variant ? "not fair" : "fair");
}

static int unit_quotes(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        return text_add(t, "\"We will win %zu seats,\" %s %s said. \"It is %s.\" She added: \"No.\"\n\n",
                        i % 90 + (size_t) variant * 7, first_names[i % 8], last_names[i / 8 % 8],
                        variant ? "unfair" : "fair");
}

static int unit_names(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        char l[5];
        letters(i, l);
        return text_add(t, "Anna Berg%s spoke in the hall on the plan. Berg%s said %zu people %s. ", l, l,
                        i % 500 + (size_t) variant, variant ? "did not come" : "came");
}

static int unit_numbers(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        return text_add(t, "%zu,%03zu people paid $%zu.%zu million on %zu May 20%02zu, up %zu%%, officials said. ",
                        i % 900 + 1, i % 1000, i % 97 + (size_t) variant, i % 10, i % 28 + 1, i % 30, i % 50);
}

static int unit_sentence(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        return text_add(t, "officials said prices rose by %zu percent and ", i % 40 + (size_t) variant);
}

static int unit_quote(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        if (i == 0 && text_add(t, "Voss said: ") < 0)
                return -ENOMEM;
        return text_add(t, "\"It was fair and %zu people voted for the plan.\n\n", i % 300 + (size_t) variant);
}

static int unit_news(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        const struct fnc1_body *b = &news->bodies[(i * 7 + (size_t) variant) % news->n];
        return text_add(t, "%s\n\n", b->text);
}

static int unit_html(struct text *t, size_t i, int variant, const struct fnc1 *news) {
        if (i == 0 && text_add(t, "<html><head><title>Vote</title></head><body><article>") < 0)
                return -ENOMEM;
        return text_add(t, "<p>%s %s said the vote on the plan was %s, and %zu people came.</p>\n",
                        first_names[i % 8], last_names[i / 8 % 8], variant ? "unfair" : "fair", i % 700);
}

struct shape {
        const char *name;
        unit_fn unit;
        bool html;
        const char *what;
};

static const struct shape shapes[] = {
        { "news", unit_news, false, "FNC-1 bodies, one after another" },
        { "said", unit_said, false, "\"Clara Voss said it was fair.\" again and again" },
        { "quotes", unit_quotes, false, "paragraphs of quotes and their speakers" },
        { "names", unit_names, false, "thousands of distinct people, each named again" },
        { "numbers", unit_numbers, false, "sentences full of counts, money, dates, percentages" },
        { "sentence", unit_sentence, false, "one sentence without a stop, a cue every 8 words" },
        { "quote", unit_quote, false, "one quote running over every paragraph" },
        { "html", unit_html, true, "HTML paragraphs of attributed sentences" },
};

/* Builds about kb kilobytes of a shape. */
static int build(const struct shape *sh, size_t kb, int variant, const struct fnc1 *news, struct text *ret) {
        struct text t = {};
        for (size_t i = 0; t.len < kb * 1000; i++)
                if (sh->unit(&t, i, variant, news) < 0) {
                        free(t.s);
                        return -ENOMEM;
                }
        if (sh->html && text_add(&t, "</article></body></html>") < 0) {
                free(t.s);
                return -ENOMEM;
        }
        *ret = t;
        return 0;
}

static double cpu_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static struct claim_source *sources_of(const struct extracted_article *ex, const char *source) {
        struct claim_source *s = calloc(ex->claims.n + 1, sizeof(*s));
        for (size_t i = 0; s && i < ex->claims.n; i++)
                s[i] = (struct claim_source) { &ex->claims.items[i], source, NULL };
        return s;
}

static int extract(const struct shape *sh, const struct text *t, struct extracted_article **ret) {
        struct article_input in = { .title = "", .text = sh->html ? NULL : t->s, .html = sh->html ? t->s : NULL };
        return pipeline_extract(&in, ret);
}

struct figures {
        double extract, match;          /* CPU seconds */
        size_t claims, conflicts;
};

/* Extracts a and matches its claims against those of b (extracted once,
 * outside the timing).  Returns 0 or a negative errno. */
static int measure(const struct shape *sh, const struct text *a, const struct extracted_article *b,
                   struct figures *ret) {
        struct conflict_options o;
        struct extracted_article *ex;
        struct claim_conflict *cc = NULL;
        size_t ncc = 0;

        conflict_options_default(&o);
        double t0 = cpu_now();
        int r = extract(sh, a, &ex);
        double t1 = cpu_now();
        if (r < 0)
                return r;
        struct claim_source *sa = sources_of(ex, "outlet-a.example"), *sb = sources_of(b, "outlet-b.example");
        if (!sa || !sb)
                r = -ENOMEM;
        else
                r = match_claims_prepared(sa, ex->views, ex->claims.n, sb, b->views, b->claims.n, &o, 20, &cc, &ncc);
        double t2 = cpu_now();
        *ret = (struct figures) { t1 - t0, t2 - t1, ex->claims.n, ncc };
        claim_conflicts_free(cc, ncc);
        free(sa);
        free(sb);
        extracted_article_free(ex);
        return r;
}

static int dbl_cmp(const void *x, const void *y) {
        double a = *(const double *) x, b = *(const double *) y;
        return (a > b) - (a < b);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(*v), dbl_cmp);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Measures one shape at every size; prints a line per size. */
static int run_shape(const struct shape *sh, const size_t *sizes, size_t n_sizes, int runs, const struct fnc1 *news) {
        double base = 0;
        for (size_t z = 0; z < n_sizes; z++) {
                struct text a, b;
                struct extracted_article *bx;
                if (build(sh, sizes[z], 0, news, &a) < 0 || build(sh, sizes[z], 1, news, &b) < 0)
                        return -ENOMEM;
                int r = extract(sh, &b, &bx);
                if (r < 0) {
                        fprintf(stderr, "cost-bench: %s %zu KB: extraction failed: %s\n", sh->name, sizes[z], strerror(-r));
                        return r;
                }
                double ex[MAX_RUNS], ma[MAX_RUNS];
                struct figures f = {};
                for (int k = 0; k < runs && r == 0; k++) {
                        r = measure(sh, &a, bx, &f);
                        ex[k] = f.extract;
                        ma[k] = f.match;
                }
                extracted_article_free(bx);
                if (r < 0) {
                        free(a.s);
                        free(b.s);
                        return r;
                }
                double e = median(ex, (size_t) runs), m = median(ma, (size_t) runs);
                double kb = (double) a.len / 1000, per_kb = e * 1e6 / kb;
                if (z == 0)
                        base = per_kb;
                printf("%-9s %7.0f %8zu %10.1f %8.1f %7.2fx %7zu %9.1f\n", sh->name, kb, count_words(a.s), e * 1e3,
                       per_kb, base > 0 ? per_kb / base : 0, f.claims, m * 1e3);
                fflush(stdout);
                free(a.s);
                free(b.s);
        }
        return 0;
}

/* Parses "10,100,2000" into sizes; returns how many, or 0 when malformed. */
static size_t parse_sizes(const char *s, size_t *sizes, size_t max) {
        size_t n = 0;
        while (*s && n < max) {
                char *end;
                unsigned long v = strtoul(s, &end, 10);
                if (end == s || v == 0 || (*end && *end != ','))
                        return 0;
                sizes[n++] = v;
                s = *end ? end + 1 : end;
        }
        return *s ? 0 : n;
}

static void usage(FILE *out) {
        fprintf(out, "usage: cost-bench [--runs N] [--sizes KB,KB,...] [--shapes NAME,...] [--bodies FILE]\n"
                     "shapes:\n");
        for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
                fprintf(out, "  %-9s %s\n", shapes[i].name, shapes[i].what);
}

int main(int argc, char **argv) {
        const char *bodies = DEFAULT_BODIES, *only = NULL;
        size_t sizes[16] = { 10, 100, 2000 }, n_sizes = 3;
        int runs = 3;
        static const struct option opts[] = {
                { "runs", required_argument, NULL, 'r' },
                { "sizes", required_argument, NULL, 'z' },
                { "shapes", required_argument, NULL, 's' },
                { "bodies", required_argument, NULL, 'b' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'r': runs = atoi(optarg); break;
                case 'z': n_sizes = parse_sizes(optarg, sizes, 16); break;
                case 's': only = optarg; break;
                case 'b': bodies = optarg; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        if (runs < 1 || runs > MAX_RUNS || n_sizes == 0) {
                usage(stderr);
                return 2;
        }
        struct fnc1 news = {};
        bool have_news = fnc1_load(bodies, NULL, &news) == 0 && news.n > 0;
        if (!have_news)
                fprintf(stderr, "cost-bench: %s not readable: shape \"news\" skipped\n", bodies);

        /* the first article of a process opens the lexicons and WordNet: not a cost per KB */
        struct text warm;
        struct extracted_article *wx;
        struct figures wf;
        if (build(&shapes[1], 10, 0, &news, &warm) < 0 || extract(&shapes[1], &warm, &wx) < 0) {
                fprintf(stderr, "cost-bench: warm-up failed\n");
                return 1;
        }
        (void) measure(&shapes[1], &warm, wx, &wf);
        extracted_article_free(wx);
        free(warm.s);

        printf("extraction: CPU ms of pipeline_extract() (median of %d), per KB, and that against the first size;\n"
               "matching: CPU ms of match_claims_prepared() of its claims against those of a variant from another\n"
               "outlet (claims are capped per article, so matching does not grow with the size)\n", runs);
        printf("%-9s %7s %8s %10s %8s %8s %7s %9s\n", "shape", "KB", "words", "extract-ms", "us/KB", "vs first",
               "claims", "match-ms");
        for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
                const struct shape *sh = &shapes[i];
                if (only) {
                        size_t l = strlen(sh->name);
                        const char *p = strstr(only, sh->name);
                        if (!p || (p > only && p[-1] != ',') || (p[l] && p[l] != ','))
                                continue;
                }
                if (sh->unit == unit_news && !have_news)
                        continue;
                if (run_shape(sh, sizes, n_sizes, runs, &news) < 0) {
                        fprintf(stderr, "cost-bench: %s failed\n", sh->name);
                        return 1;
                }
        }
        if (have_news)
                fnc1_free(&news);
        return 0;
}
