/* In-process pipeline throughput, no HTTP and no SQLite: every FNC-1 body
 * (with a related headline as its title) goes through pipeline_extract(),
 * and its claims are matched (match_claims(), which runs the conflict
 * checks) against the claims of the article before it, as if the two came
 * from different outlets.  Bodies are ordered by story (bodies that discuss
 * one headline are neighbours), so the matcher sees related claims the way
 * it does in an event.  Prints words per second per core (one thread, CPU
 * time of that thread) as the median of --runs runs after one warm-up run.
 *
 *   pipeline-bench [--bodies FILE] [--stances FILE] [--runs N] [--limit N] [--order story|file]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conflict.h"
#include "common/match.h"
#include "common/pipeline.h"
#include "daemon/store.h"

#include "fnc1.h"

#define DEFAULT_BODIES "/work/shared/data/fnc1/train_bodies.csv"
#define DEFAULT_STANCES "/work/shared/data/fnc1/train_stances.csv"

struct run_result {
        double cpu, wall;               /* seconds */
        double cpu_extract, cpu_match;
        size_t words, claims, conflicts, pairs;
};

static double clock_sec(clockid_t id) {
        struct timespec ts;
        clock_gettime(id, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Where the warm-up run writes every conflict it finds (--conflicts), or
 * NULL: the list compares two builds' checks, which the count alone does
 * not. */
static FILE *conflict_dump;

/* Claim sources for match_claims(): every claim of ex under one outlet. */
static struct claim_source *sources_of(const struct extracted_article *ex, const char *source) {
        struct claim_source *s = calloc(ex->claims.n ? ex->claims.n : 1, sizeof(*s));
        if (!s)
                return NULL;
        for (size_t i = 0; i < ex->claims.n; i++)
                s[i] = (struct claim_source) { &ex->claims.items[i], source, NULL };
        return s;
}

/* One pass over the corpus in the given order; 0 or a negative errno. */
static int run_once(const struct fnc1 *f, const size_t *order, size_t n,
                    const struct ingest_options *io, struct run_result *ret) {
        struct run_result r = {};
        struct extracted_article *prev = NULL;
        struct claim_source *prev_src = NULL;
        long prev_id = 0;
        char names[2][48];
        double w0 = clock_sec(CLOCK_MONOTONIC);
        double c0 = clock_sec(CLOCK_THREAD_CPUTIME_ID);

        for (size_t i = 0; i < n; i++) {
                const struct fnc1_body *b = &f->bodies[order[i]];
                struct article_input in = { .title = b->title, .text = b->text };
                struct extracted_article *ex;

                double t0 = clock_sec(CLOCK_THREAD_CPUTIME_ID);
                int k = pipeline_extract(&in, &ex);
                double t1 = clock_sec(CLOCK_THREAD_CPUTIME_ID);
                r.cpu_extract += t1 - t0;
                if (k < 0) {
                        fprintf(stderr, "pipeline_extract(body %ld): %s\n", b->id, strerror(-k));
                        continue;
                }
                r.words += b->words;
                r.claims += ex->claims.n;

                snprintf(names[i & 1], sizeof(names[0]), "outlet%zu.example", i);
                struct claim_source *src = sources_of(ex, names[i & 1]);
                if (!src) {
                        extracted_article_free(ex);
                        return -ENOMEM;
                }
                if (prev) {
                        struct claim_conflict *cc = NULL;
                        size_t ncc = 0;
                        k = match_claims_prepared(src, ex->views, ex->claims.n, prev_src, prev->views,
                                                  prev->claims.n, &io->conflict,
                                                  (size_t) io->max_conflicts_per_article, &cc, &ncc);
                        if (k < 0) {
                                free(src);
                                extracted_article_free(ex);
                                return k;
                        }
                        r.pairs += ex->claims.n * prev->claims.n;
                        r.conflicts += ncc;
                        for (size_t c = 0; conflict_dump && c < ncc; c++)
                                fprintf(conflict_dump, "body %ld claim %zu / body %ld claim %zu: %s %.6f %s\n",
                                        b->id, cc[c].a, prev_id, cc[c].b,
                                        conflict_kind_to_string(cc[c].result.kind), cc[c].result.score,
                                        cc[c].result.explanation ? cc[c].result.explanation : "");
                        claim_conflicts_free(cc, ncc);
                        extracted_article_free(prev);
                        free(prev_src);
                }
                r.cpu_match += clock_sec(CLOCK_THREAD_CPUTIME_ID) - t1;
                prev = ex;
                prev_src = src;
                prev_id = b->id;
        }
        if (prev) {
                extracted_article_free(prev);
                free(prev_src);
        }
        r.cpu = clock_sec(CLOCK_THREAD_CPUTIME_ID) - c0;
        r.wall = clock_sec(CLOCK_MONOTONIC) - w0;
        *ret = r;
        return 0;
}

static int dbl_cmp(const void *x, const void *y) {
        double a = *(const double *) x, b = *(const double *) y;
        return (a > b) - (a < b);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(*v), dbl_cmp);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const struct fnc1 *sort_corpus;

/* Story order: bodies of one story together, bodies with no related
 * headline last, by id within each. */
static int story_cmp(const void *x, const void *y) {
        const struct fnc1_body *a = &sort_corpus->bodies[*(const size_t *) x];
        const struct fnc1_body *b = &sort_corpus->bodies[*(const size_t *) y];
        size_t sa = a->story ? a->story : (size_t) -1, sb = b->story ? b->story : (size_t) -1;
        if (sa != sb)
                return sa < sb ? -1 : 1;
        return (a->id > b->id) - (a->id < b->id);
}

static void usage(FILE *out) {
        fprintf(out, "usage: pipeline-bench [--bodies FILE] [--stances FILE|''] [--runs N] [--limit N] "
                     "[--order story|file] [--conflicts FILE]\n"
                     "  --conflicts FILE  write the conflicts the warm-up run finds, one a line\n");
}

int main(int argc, char **argv) {
        const char *bodies = DEFAULT_BODIES, *stances = DEFAULT_STANCES, *order_name = "story";
        const char *dump_path = NULL;
        int runs = 5;
        size_t limit = 0;
        static const struct option opts[] = {
                { "bodies", required_argument, NULL, 'b' },
                { "stances", required_argument, NULL, 's' },
                { "runs", required_argument, NULL, 'r' },
                { "limit", required_argument, NULL, 'l' },
                { "order", required_argument, NULL, 'o' },
                { "conflicts", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'b': bodies = optarg; break;
                case 's': stances = *optarg ? optarg : NULL; break;
                case 'r': runs = atoi(optarg); break;
                case 'l': limit = strtoul(optarg, NULL, 10); break;
                case 'o': order_name = optarg; break;
                case 'c': dump_path = optarg; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        if (runs < 1 || (strcmp(order_name, "story") != 0 && strcmp(order_name, "file") != 0)) {
                usage(stderr);
                return 2;
        }

        struct fnc1 f;
        int r = fnc1_load(bodies, stances, &f);
        if (r < 0) {
                fprintf(stderr, "cannot read %s: %s\n", bodies, strerror(-r));
                return 1;
        }
        size_t *order = malloc(f.n * sizeof(*order));
        if (!order)
                return 1;
        for (size_t i = 0; i < f.n; i++)
                order[i] = i;
        if (strcmp(order_name, "story") == 0) {
                sort_corpus = &f;
                qsort(order, f.n, sizeof(*order), story_cmp);
        }
        size_t n = limit && limit < f.n ? limit : f.n;

        struct ingest_options io;
        ingest_options_default(&io);

        struct run_result warm, *res = calloc((size_t) runs, sizeof(*res));
        double *wps = calloc((size_t) runs, sizeof(double)), *wps_wall = calloc((size_t) runs, sizeof(double));
        double *ex_share = calloc((size_t) runs, sizeof(double));
        if (!res || !wps || !wps_wall || !ex_share)
                return 1;

        if (dump_path && !(conflict_dump = fopen(dump_path, "w"))) {
                fprintf(stderr, "cannot write %s: %s\n", dump_path, strerror(errno));
                return 1;
        }
        r = run_once(&f, order, n, &io, &warm);
        if (conflict_dump && fclose(conflict_dump) != 0) {
                fprintf(stderr, "cannot write %s: %s\n", dump_path, strerror(errno));
                return 1;
        }
        conflict_dump = NULL;
        if (r < 0) {
                fprintf(stderr, "run failed: %s\n", strerror(-r));
                return 1;
        }
        for (int i = 0; i < runs; i++) {
                r = run_once(&f, order, n, &io, &res[i]);
                if (r < 0) {
                        fprintf(stderr, "run failed: %s\n", strerror(-r));
                        return 1;
                }
                wps[i] = (double) res[i].words / res[i].cpu;
                wps_wall[i] = (double) res[i].words / res[i].wall;
                ex_share[i] = res[i].cpu_extract / res[i].cpu;
                fprintf(stderr, "run %d: %zu words in %.3f s CPU (%.3f s wall): %.0f words/s; "
                        "extract %.3f s, match %.3f s\n", i + 1, res[i].words, res[i].cpu, res[i].wall,
                        wps[i], res[i].cpu_extract, res[i].cpu_match);
        }

        const struct run_result *r0 = &res[0];
        double med = median(wps, (size_t) runs), med_wall = median(wps_wall, (size_t) runs);
        double med_share = median(ex_share, (size_t) runs);
        printf("pipeline: %zu articles, %zu words, %zu claims, %zu claim pairs checked, %zu conflicts per run "
               "(order %s)\n", n, r0->words, r0->claims, r0->pairs, r0->conflicts, order_name);
        printf("pipeline: warm-up run %.0f words/s; median of %d runs: %.0f words/s per core (thread CPU time), "
               "%.0f words/s wall; extraction %.1f%% of the time, matching + conflict checks %.1f%%\n",
               (double) warm.words / warm.cpu, runs, med, med_wall, 100 * med_share, 100 * (1 - med_share));
        printf("pipeline_words_per_sec_per_core=%.0f\n", med);
        printf("pipeline_articles_per_sec_per_core=%.1f\n", med * (double) n / (double) r0->words);

        free(res);
        free(wps);
        free(wps_wall);
        free(ex_share);
        free(order);
        fnc1_free(&f);
        return 0;
}
