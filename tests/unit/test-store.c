/* The SQLite store on a temporary database: ingestion with duplicates by url
 * and by source + content, event joining, the JSON of every read, readers,
 * reopening, retention, integrity, and the query plans of every statement.
 * The articles and claims are built by hand; the sentences are our own. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon/store/migrations.h"
#include "common/conflict.h"
#include "daemon/store.h"
#include "tap.h"

#define T0 1783425600   /* 2026-07-07T12:00:00Z */

static char dir[] = "/tmp/test-store-XXXXXX";
static char path[256];

/* Adds a claim with the given speaker/stance/text/terms to l. */
static struct claim *add_claim(struct claim_list *l, enum claim_field field, const char *speaker,
                               enum claim_stance stance, const char *text, const char *terms,
                               const char *entity) {
        struct claim *c = claim_list_push(l);
        if (!c)
                return NULL;
        c->field = field;
        c->span[0] = 0;
        c->span[1] = (int32_t) strlen(text);
        c->text = strdup(text);
        c->speaker = speaker ? strdup(speaker) : NULL;
        if (speaker) {
                c->speaker_span[0] = 0;
                c->speaker_span[1] = (int32_t) strlen(speaker);
                c->cue = strdup(stance == STANCE_DENIES ? "denied" : "said");
                c->cue_span[0] = 1;
                c->cue_span[1] = 5;
        }
        c->stance = stance;
        c->terms = strdup(terms);
        if (entity) {
                c->entities = calloc(1, sizeof(*c->entities));
                c->entities[0].name = strdup(entity);
                c->entities[0].kind = 'P';
                c->n_entities = 1;
        }
        return c;
}

static struct extracted_article *article(const char *title, const char *text, const char *terms) {
        struct extracted_article *a = calloc(1, sizeof(*a));
        a->title = strdup(title);
        a->text = strdup(text);
        if (termvec_parse(terms, &a->terms) < 0)
                abort();
        return a;
}

/* Gives a's claims their conflict views, as pipeline_extract() would (the
 * store matches on them); aborts when memory runs out. */
static void article_views(struct extracted_article *a) {
        if (a->views || a->claims.n == 0)
                return;
        a->views = calloc(a->claims.n, sizeof(*a->views));
        if (!a->views)
                abort();
        for (size_t i = 0; i < a->claims.n; i++)
                if (conflict_view_new(&a->claims.items[i], &a->views[i]) < 0)
                        abort();
}

static void article_free(struct extracted_article *a) {
        for (size_t i = 0; a->views && i < a->claims.n; i++)
                conflict_view_free(a->views[i]);
        free(a->views);
        free(a->title);
        free(a->text);
        claim_list_clear(&a->claims);
        termvec_clear(&a->terms);
        free(a);
}

static int in_memory_max;      /* ingest_options.max_event_claims_in_memory */
static bool across_events;     /* ingest_options.match_across_events */

static int ingest(struct store *s, const char *source, const char *url, struct extracted_article *a,
                  time_t published, struct ingest_result *res) {
        struct ingest_options o;
        ingest_options_default(&o);
        o.max_event_claims_in_memory = in_memory_max;
        o.match_across_events = across_events;
        ingest_options_resolve(&o);
        struct article_request req = {
                .source = source, .url = url, .title = a->title, .text = a->text,
                .published = published, .received = published + 60,
        };
        memset(res, 0, sizeof(*res));
        article_views(a);
        return store_ingest(s, &req, a, &o, res);
}

/* Runs a one-value SQL query on a separate connection. */
static char *sql_text(const char *sql) {
        sqlite3 *db;
        sqlite3_stmt *st;
        char *v = NULL;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
                return NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
                if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                        v = strdup((const char *) sqlite3_column_text(st, 0));
                sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return v;
}

static int sql_exec(const char *sql) {
        sqlite3 *db;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
                return -1;
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_close(db);
        return rc == SQLITE_OK ? 0 : -1;
}

static bool has_keys(const json_t *o, const char *const *keys) {
        for (; *keys; keys++)
                if (!json_object_get(o, *keys)) {
                        printf("# missing key %s\n", *keys);
                        return false;
                }
        return true;
}

static void check_integrity(const char *when) {
        char *v = sql_text("PRAGMA integrity_check");
        CHECK_STR(v, "ok");
        free(v);
        CHECK(sql_exec("INSERT INTO claims_fts(claims_fts) VALUES ('integrity-check')") == 0 &&
              sql_exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')") == 0,
              "FTS5 indexes agree with their tables (%s)", when);
}

static const char *const article_keys[] = { "id", "source", "url", "title", "text", "published_at",
                                            "received_at", "event_id", "claims", NULL };
static const char *const claim_keys[] = { "id", "article_id", "field", "span", "text", "content_span",
                                          "speaker", "cue", "stance", "negated", "hedged", "entities",
                                          "quantities", NULL };
static const char *const event_keys[] = { "id", "label", "articles", "sources", "conflicts",
                                          "first_seen", "last_seen", NULL };

/* The summit story told by one outlet, two speakers who disagree. */
static struct extracted_article *article_a(void) {
        struct extracted_article *a = article(
                "Leaders meet at the Hamburg summit",
                "Alpha said the president accepted the assurances. A beta official denied that the president accepted the assurances.",
                "E:Hamburg\t2\nsummit\t3\nleader\t2\nmeet\t2\nassur\t2\naccept\t2\npresid\t2\n");
        add_claim(&a->claims, CLAIM_FIELD_TEXT, "Alpha", STANCE_ASSERTS,
                  "the president accepted the assurances", "presid accept assur", "Alpha");
        add_claim(&a->claims, CLAIM_FIELD_TEXT, "a beta official", STANCE_DENIES,
                  "the president accepted the assurances", "presid accept assur", NULL);
        return a;
}

/* The same summit by another outlet, asserting what the official denied. */
static struct extracted_article *article_b(void) {
        struct extracted_article *b = article(
                "Summit in Hamburg: leaders meet",
                "The leaders met in Hamburg. The president accepted the assurances, the outlet wrote.",
                "E:Hamburg\t2\nsummit\t2\nleader\t2\nmeet\t1\nassur\t1\naccept\t1\npresid\t1\nwrote\t1\n");
        add_claim(&b->claims, CLAIM_FIELD_TEXT, NULL, STANCE_ASSERTS,
                  "the president accepted the assurances", "presid accept assur", NULL);
        return b;
}

/* The summit by an outlet that only carries the official's denial. */
static struct extracted_article *article_a1(void) {
        struct extracted_article *a = article(
                "Leaders meet at the Hamburg summit",
                "A beta official denied that the president accepted the assurances.",
                "E:Hamburg\t2\nsummit\t3\nleader\t2\nmeet\t2\nassur\t2\naccept\t2\npresid\t2\n");
        add_claim(&a->claims, CLAIM_FIELD_TEXT, "a beta official", STANCE_DENIES,
                  "the president accepted the assurances", "presid accept assur", NULL);
        return a;
}

/* Ingests A1 then B into a new store at p; fills B's conflict count.  With
 * discard_a1, A1 is ingested in a batch that is then discarded: the
 * writer's caches (claims, event pools, events) must forget it. */
static int a_then_b(const char *p, bool discard_a1, size_t *ret_b_conflicts) {
        struct store *s;
        struct ingest_result ra, rb;
        struct extracted_article *a = article_a1(), *b = article_b();
        int r = store_open(p, false, &s);
        if (r >= 0 && discard_a1)
                r = store_batch_begin(s);
        if (r >= 0)
                r = ingest(s, "one.example", "https://one.example/a", a, T0, &ra);
        if (r >= 0 && discard_a1) {
                free(ra.conflict_ids);
                ra.conflict_ids = NULL;
                r = store_batch_end(s, false);
        }
        if (r >= 0)
                r = ingest(s, "two.example", NULL, b, T0 + 3600, &rb);
        if (r >= 0) {
                *ret_b_conflicts = rb.n_conflicts;
                free(ra.conflict_ids);
                free(rb.conflict_ids);
        }
        store_close(s);
        article_free(a);
        article_free(b);
        return r;
}

/* CLAIMD_STORE_BENCH=N: ingests N synthetic articles (15 claims, ~140
 * terms each, topics of ~5 articles, 50 outlets, 10 s apart, batches of 16)
 * into a new store and prints the CPU time per article for every 1,000, to
 * see that the cost per article does not grow with the store.  Not a test:
 * it prints and returns. */
static unsigned long long bench_rng = 88172645463325252ULL;
static unsigned long long bench_next(void) {
        bench_rng ^= bench_rng << 13;
        bench_rng ^= bench_rng >> 7;
        bench_rng ^= bench_rng << 17;
        return bench_rng;
}
static int bench_zipf(int n) {
        return (int) pow(n, (double) (bench_next() % 1000000) / 1e6) - 1;
}
static double bench_cpu(void) {
        struct timespec t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* Synthetic article i of the bench's kind (topics of ~5 articles, 15 claims
 * each, 50 outlets), with its conflict views; the request's strings live
 * in the article. */
struct synth {
        struct extracted_article a;
        struct article_request req;
        char title[64], src[32], url[64];
};

static void synth_make(struct synth *x, int i, int vocabulary) {
        char buf[8192];
        size_t len = 0;
        int topic = i / 5 + (int) (bench_next() % 3);

        memset(x, 0, sizeof(*x));
        for (int k = 0; k < 20; k++)
                len += (size_t) snprintf(buf + len, sizeof buf - len, "t%d_%d\t2\n", topic, k);
        for (int k = 0; k < 120; k++)
                len += (size_t) snprintf(buf + len, sizeof buf - len, "w%d\t1\n", bench_zipf(vocabulary));
        termvec_parse(buf, &x->a.terms);
        snprintf(x->title, sizeof x->title, "Story %d about topic %d", i, topic);
        x->a.title = x->title;
        x->a.text = (char *) "Body.";
        for (int c = 0; c < 15; c++) {
                char t[256];
                size_t tl = 0;
                for (int k = 0; k < 3; k++)
                        tl += (size_t) snprintf(t + tl, sizeof t - tl, "t%d_%d ", topic, (int) (bench_next() % 20));
                for (int k = 0; k < 5; k++)
                        tl += (size_t) snprintf(t + tl, sizeof t - tl, "w%d ", bench_zipf(vocabulary));
                add_claim(&x->a.claims, CLAIM_FIELD_TEXT, bench_next() % 2 ? "Some One" : NULL,
                          bench_next() % 4 ? STANCE_ASSERTS : STANCE_DENIES,
                          bench_next() % 3 ? "the bridge will open in May" : "the bridge opened", t, NULL);
        }
        snprintf(x->src, sizeof x->src, "src%d.example", (int) (bench_next() % 50));
        snprintf(x->url, sizeof x->url, "https://synth.example/%d", i);
        x->req = (struct article_request) { .source = x->src, .url = x->url, .title = x->title, .text = x->a.text,
                                            .published = T0 + (time_t) i * 10, .received = T0 + (time_t) i * 10 };
        article_views(&x->a);
}

static void synth_clear(struct synth *x) {
        for (size_t c = 0; c < x->a.claims.n; c++)
                conflict_view_free(x->a.views[c]);
        free(x->a.views);
        claim_list_clear(&x->a.claims);
        termvec_clear(&x->a.terms);
}

/* The conflicts of a store, one line each in id order (without times). */
static char *conflict_lines(const char *p) {
        char save[sizeof(path)], *v;
        snprintf(save, sizeof save, "%s", path);
        snprintf(path, sizeof path, "%.200s", p);
        v = sql_text("SELECT group_concat(line, char(10)) FROM (SELECT id || ' ' || kind || ' ' || printf('%.6f', score) "
                     "|| ' ' || claim_a || ' ' || claim_b || ' ' || article_a || ' ' || article_b || ' ' || "
                     "coalesce(event_id, 0) || ' ' || explanation AS line FROM conflicts ORDER BY id)");
        snprintf(path, sizeof path, "%s", save);
        return v;
}

/* Deferred checks (store_batch_begin_deferred()) against inline ones: the
 * same 160 synthetic articles in batches of 8 into two stores; the deferred
 * store's checks run through a separate read-only connection, which
 * cannot see the batch's own claims (the batch table supplies them), and
 * every third article's checks are left unrun for store_ingest_finish() to
 * run.  The conflicts must be the same, row for row. */
static void test_deferred_checks(void) {
        enum { N = 160, BATCH = 8 };
        struct synth *x = calloc(N, sizeof(*x));
        char pa[220], pb[220];
        struct store *sa = NULL, *sb = NULL, *reader = NULL;
        struct claim_cache *cc = store_claim_cache_new(64);     /* small: entries come and go */
        struct ingest_options o;
        bool ok = x && cc;

        ingest_options_default(&o);
        bench_rng = 88172645463325252ULL;
        for (int i = 0; i < N && ok; i++)
                synth_make(&x[i], i, 3000);
        snprintf(pa, sizeof pa, "%.200s/inline.db", dir);
        snprintf(pb, sizeof pb, "%.200s/deferred.db", dir);
        ok = ok && store_open(pa, false, &sa) == 0 && store_open(pb, false, &sb) == 0 &&
             store_open(pb, true, &reader) == 0;
        CHECK(ok, "deferred: stores open");
        size_t deferred = 0, conflicts = 0;
        for (int b = 0; ok && b < N; b += BATCH) {
                struct ingest_result ra[BATCH] = {}, rb[BATCH] = {};
                ok = store_batch_begin(sa) == 0 && store_batch_begin_deferred(sb) == 0;
                for (int i = b; ok && i < b + BATCH; i++)
                        ok = store_ingest(sa, &x[i].req, &x[i].a, &o, &ra[i - b]) == 0 &&
                             store_ingest(sb, &x[i].req, &x[i].a, &o, &rb[i - b]) == 0;
                for (int i = 0; ok && i < BATCH; i++)
                        if (rb[i].checks && (b + i) % 3 != 0) {
                                ok = store_checks_run(rb[i].checks, reader, cc) == 0;
                                deferred++;
                        }
                for (int i = 0; ok && i < BATCH; i++)
                        if (rb[i].checks)
                                ok = store_ingest_finish(sb, rb[i].checks, cc, &rb[i]) == 0;
                ok = ok && store_batch_end(sa, true) == 0 && store_batch_end(sb, true) == 0;
                for (int i = 0; i < BATCH; i++) {
                        ok = ok && ra[i].n_conflicts == rb[i].n_conflicts;
                        conflicts += ra[i].n_conflicts;
                        free(ra[i].conflict_ids);
                        free(rb[i].conflict_ids);
                }
        }
        CHECK(ok, "deferred: every batch stored, the same conflict count per article");
        char *la = conflict_lines(pa), *lb = conflict_lines(pb);
        CHECK(la && lb && strcmp(la, lb) == 0, "deferred: the same conflicts row for row (%zu, %zu checked on a reader)",
              conflicts, deferred);
        CHECK(conflicts > 100 && deferred > 50, "deferred: the test found conflicts (%zu) and deferred checks (%zu)",
              conflicts, deferred);
        free(la);
        free(lb);
        store_close(reader);
        store_close(sa);
        store_close(sb);
        store_claim_cache_free(cc);
        for (int i = 0; x && i < N; i++)
                synth_clear(&x[i]);
        free(x);
}

static void bench(int n) {
        char p[300];
        struct store *s;
        struct ingest_options o;
        double t0 = bench_cpu(), tb = t0;

        snprintf(p, sizeof p, "%s/bench.db", dir);
        if (store_open(p, false, &s) < 0)
                return;
        ingest_options_default(&o);
        for (int i = 0; i < n; i++) {
                struct synth x;
                struct ingest_result r;
                synth_make(&x, i, 30000);
                if (i % 16 == 0)
                        store_batch_begin(s);
                int e = store_ingest(s, &x.req, &x.a, &o, &r);
                if (i % 16 == 15 || i == n - 1)
                        store_batch_end(s, true);
                synth_clear(&x);
                if (e < 0) {
                        printf("# bench: ingest failed: %s\n", strerror(-e));
                        break;
                }
                free(r.conflict_ids);
                if ((i + 1) % 1000 == 0) {
                        double t = bench_cpu();
                        printf("# bench: %6d articles: %.3f ms CPU per article over the last 1000\n", i + 1, t - tb);
                        fflush(stdout);
                        tb = t;
                }
        }
        struct store_counts c;
        if (store_counts(s, &c) == 0)
                printf("# bench: %.1f s CPU, db %.1f MB, %lld events, %lld conflicts\n", bench_cpu() - t0,
                       (double) c.db_bytes / 1e6, (long long) c.events, (long long) c.conflicts);
        store_close(s);
}

/* df after a batch whose third article fails after counting its terms (a
 * trigger refuses its counters update): the increments are written once at
 * COMMIT, the failed article's are taken back, and lookups inside the batch
 * see the pending ones.  The table must hold, for each term, the number of
 * stored articles with it. */
static void test_df_batch(void) {
        char p[220];
        struct store *s;
        struct ingest_result r[4] = {};
        struct extracted_article *x = article("Ex", "Ex.", "alpha\t2\nbeta\t1\n");
        struct extracted_article *y = article("Why", "Why.", "beta\t1\ngamma\t3\n");
        struct extracted_article *z = article("Zed", "Zed.", "gamma\t1\ndelta\t1\n");
        struct extracted_article *w = article("Double", "Double.", "delta\t2\n");

        snprintf(p, sizeof p, "%.200s/df.db", dir);
        CHECK(store_open(p, false, &s) == 0, "df: open");
        if (!s)
                return;
        char save[sizeof(path)];
        snprintf(save, sizeof save, "%s", path);
        snprintf(path, sizeof path, "%.200s", p);
        CHECK(sql_exec("CREATE TRIGGER refuse_c BEFORE UPDATE ON counters "
                       "WHEN EXISTS (SELECT 1 FROM articles WHERE source = 'c.example') "
                       "BEGIN SELECT RAISE(ABORT, 'refused'); END") == 0, "df: trigger");
        CHECK(store_batch_begin(s) == 0, "df: batch begin");
        CHECK(ingest(s, "a.example", "https://a.example/x", x, T0, &r[0]) == 0, "df: x");
        CHECK(ingest(s, "b.example", "https://b.example/y", y, T0, &r[1]) == 0, "df: y");
        CHECK(ingest(s, "c.example", "https://c.example/z", z, T0, &r[2]) < 0, "df: z refused after counting its terms");
                CHECK(ingest(s, "d.example", "https://d.example/w", w, T0, &r[3]) == 0, "df: w after the failure");
        char *v = sql_text("SELECT count(*) FROM df");
        CHECK_STR(v, "0");      /* nothing written before COMMIT */
        free(v);
        CHECK(store_batch_end(s, true) == 0, "df: batch commit");
        v = sql_text("SELECT group_concat(term || '=' || df, ' ') FROM (SELECT term, df FROM df ORDER BY term)");
        CHECK_STR(v, "alpha=1 beta=2 delta=1 gamma=1");
        free(v);
        v = sql_text("SELECT articles FROM counters");
        CHECK_STR(v, "3");
        free(v);
        snprintf(path, sizeof path, "%s", save);
        for (size_t i = 0; i < 4; i++)
                free(r[i].conflict_ids);
        store_close(s);
        article_free(x);
        article_free(y);
        article_free(z);
        article_free(w);
}

int main(void) {
        struct store *s = NULL, *ro = NULL;
        struct ingest_result r1, r2, r3, r4, r5, r6, r7;
        json_t *j = NULL;
        int r;

        if (!mkdtemp(dir))
                return 99;
        snprintf(path, sizeof path, "%s/claimd.db", dir);
        if (getenv("CLAIMD_STORE_BENCH")) {
                bench(atoi(getenv("CLAIMD_STORE_BENCH")));
                char cmd[300];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
                return system(cmd) == 0 ? 0 : 1;
        }

        test_df_batch();
        test_deferred_checks();

        char latest[16];
        snprintf(latest, sizeof latest, "%d", migrations_latest());
        CHECK(store_open(path, true, &ro) == -ENOENT, "a reader before the writer: -ENOENT");
        CHECK(store_open(path, false, &s) == 0, "open a new database");
        if (!s)
                return tap_done();
        char *v = sql_text("PRAGMA journal_mode");
        CHECK_STR(v, "wal");
        free(v);
        v = sql_text("PRAGMA user_version");
        CHECK_STR(v, latest);
        free(v);

        /* A: the summit, two speakers who disagree inside one article. */
        struct extracted_article *a = article_a();
        r = ingest(s, "one.example", "https://one.example/a", a, T0, &r1);
        CHECK(r == 0, "ingest A (%d: %s)", r, store_errmsg(s));
        CHECK(!r1.duplicate && r1.article_id > 0, "A is new, id %lld", (long long) r1.article_id);
        CHECK(r1.event_id > 0, "A opened event %lld", (long long) r1.event_id);
        CHECK(r1.n_claims == 2, "A has two claims");
        printf("# A raised %zu conflicts\n", r1.n_conflicts);

        /* Same url again: a duplicate, nothing written. */
        r = ingest(s, "one.example", "https://one.example/a", a, T0, &r2);
        CHECK(r == 0 && r2.duplicate && r2.article_id == r1.article_id, "same url: duplicate of A");
        CHECK(r2.event_id == r1.event_id, "duplicate reports A's event");
        CHECK(r2.n_conflicts == 0 && r2.conflict_ids == NULL, "duplicate raises nothing");

        /* B: another outlet on the same summit joins A's event. */
        struct extracted_article *b = article_b();
        r = ingest(s, "two.example", NULL, b, T0 + 3600, &r3);
        CHECK(r == 0 && !r3.duplicate, "ingest B without url");
        CHECK(r3.event_id == r1.event_id, "B joins A's event (%lld vs %lld)",
              (long long) r3.event_id, (long long) r1.event_id);
        /* (A carries both accounts, so match_claims' same-side rule may
         * keep B's claim from conflicting with A's.) */
        printf("# B raised %zu conflicts\n", r3.n_conflicts);

        /* Against an outlet that only carries the denial, B's claim is a
         * conflict: found in the event's claim pool, and alike by the
         * per-claim FTS5 path (match_across_events). */
        {
                char p2[300];
                size_t via_fts = 0, in_mem = 0, discarded = 9;
                snprintf(p2, sizeof p2, "%s/fts.db", dir);
                across_events = true;
                CHECK(a_then_b(p2, false, &via_fts) == 0, "A1, B with per-claim FTS5 candidates");
                across_events = false;
                snprintf(p2, sizeof p2, "%s/mem.db", dir);
                CHECK(a_then_b(p2, false, &in_mem) == 0, "A1, B with the event's claim pool");
                CHECK(in_mem >= 1, "B's claim is matched against A1's official's denial");
                CHECK(via_fts == in_mem, "same conflicts both ways (%zu, %zu)", via_fts, in_mem);
                snprintf(p2, sizeof p2, "%s/discard.db", dir);
                CHECK(a_then_b(p2, true, &discarded) == 0, "A1 discarded, then B");
                CHECK(discarded == 0, "nothing of a discarded batch is matched (%zu)", discarded);
        }

        /* B again without url: same source and content, a duplicate. */
        r = ingest(s, "two.example", NULL, b, T0 + 3600, &r4);
        CHECK(r == 0 && r4.duplicate && r4.article_id == r3.article_id, "no url, same source+content: duplicate");
        /* ... but from another source it is a new article. */
        r = ingest(s, "three.example", NULL, b, T0 + 3600, &r5);
        CHECK(r == 0 && !r5.duplicate && r5.article_id != r3.article_id, "same content, other source: new");

        /* C: an unrelated story opens a new event. */
        struct extracted_article *c = article(
                "Storm floods the harbour",
                "Heavy rain flooded the harbour overnight.",
                "storm\t3\nflood\t2\nharbour\t2\nrain\t1\novernight\t1\n");
        add_claim(&c->claims, CLAIM_FIELD_TEXT, NULL, STANCE_ASSERTS,
                  "heavy rain flooded the harbour", "heavi rain flood harbour", NULL);
        r = ingest(s, "two.example", "https://two.example/storm", c, T0 + 7200, &r6);
        CHECK(r == 0 && r6.event_id > 0 && r6.event_id != r1.event_id, "C opens a new event");

        /* D: the summit story again, but a month later: outside the window. */
        struct extracted_article *d = article(
                "Leaders meet at the Hamburg summit",
                "A month on, the leaders meet again.",
                "E:Hamburg\t2\nsummit\t3\nleader\t2\nmeet\t2\nmonth\t1\n");
        r = ingest(s, "four.example", "https://four.example/d", d, T0 + 30 * 86400, &r7);
        CHECK(r == 0 && r7.event_id != r1.event_id && r7.event_id != r6.event_id,
              "D, a month later, opens its own event");

        /* Counts. */
        struct store_counts n;
        CHECK(store_counts(s, &n) == 0, "counts");
        CHECK(n.articles == 5 && n.claims == 5 && n.events == 3,
              "5 articles, 5 claims, 3 events (%lld %lld %lld)",
              (long long) n.articles, (long long) n.claims, (long long) n.events);
        CHECK(n.db_bytes > 0, "db size %lld bytes", (long long) n.db_bytes);

        /* GET article. */
        CHECK(store_get_article_json(s, r1.article_id, &j) == 0, "article A as JSON");
        CHECK(j && has_keys(j, article_keys), "article has the API fields");
        CHECK_STR(json_string_value(json_object_get(j, "url")), "https://one.example/a");
        CHECK_STR(json_string_value(json_object_get(j, "published_at")), "2026-07-07T12:00:00Z");
        CHECK_STR(json_string_value(json_object_get(j, "received_at")), "2026-07-07T12:01:00Z");
        CHECK(json_integer_value(json_object_get(j, "event_id")) == r1.event_id, "event_id");
        json_t *claims = json_object_get(j, "claims");
        CHECK(json_array_size(claims) == 2, "two claims");
        json_t *c0 = json_array_get(claims, 0);
        CHECK(c0 && has_keys(c0, claim_keys), "claim has the API fields");
        CHECK(json_integer_value(json_object_get(c0, "article_id")) == r1.article_id, "claim article_id");
        CHECK_STR(json_string_value(json_object_get(json_object_get(c0, "speaker"), "name")), "Alpha");
        CHECK_STR(json_string_value(json_object_get(json_array_get(claims, 1), "stance")), "denies");
        json_decref(j);
        j = NULL;

        CHECK(store_get_article_json(s, r3.article_id, &j) == 0, "article B as JSON");
        CHECK(j && json_is_null(json_object_get(j, "url")), "no url: null");
        CHECK(j && json_is_null(json_object_get(json_array_get(json_object_get(j, "claims"), 0), "speaker")),
              "outlet's own claim: speaker null");
        json_decref(j);
        j = NULL;
        CHECK(store_get_article_json(s, 9999, &j) == -ENOENT, "missing article: -ENOENT");

        /* Events. */
        CHECK(store_get_event_json(s, r1.event_id, &j) == 0, "event as JSON");
        CHECK(j && has_keys(j, event_keys), "event has the API fields");
        CHECK(json_integer_value(json_object_get(j, "articles")) == 3, "A's event has 3 articles");
        CHECK(json_integer_value(json_object_get(j, "sources")) == 3, "... from 3 sources");
        CHECK(json_array_size(json_object_get(j, "article_ids")) == 3, "article_ids");
        CHECK(json_is_array(json_object_get(j, "conflict_ids")), "conflict_ids");
        CHECK_STR(json_string_value(json_object_get(j, "label")), "Leaders meet at the Hamburg summit");
        CHECK_STR(json_string_value(json_object_get(j, "first_seen")), "2026-07-07T12:00:00Z");
        CHECK_STR(json_string_value(json_object_get(j, "last_seen")), "2026-07-07T13:00:00Z");
        json_decref(j);
        j = NULL;
        CHECK(store_get_event_json(s, 9999, &j) == -ENOENT, "missing event: -ENOENT");

        CHECK(store_list_events_json(s, 0, 2, &j) == 0, "events feed");
        CHECK(json_array_size(json_object_get(j, "events")) == 2, "limit 2");
        int64_t next = json_integer_value(json_object_get(j, "next"));
        CHECK(next == json_integer_value(json_object_get(json_array_get(json_object_get(j, "events"), 1), "id")),
              "next is the last id returned");
        json_decref(j);
        CHECK(store_list_events_json(s, next, 100, &j) == 0 &&
              json_array_size(json_object_get(j, "events")) == 1, "the rest after next");
        json_decref(j);
        CHECK(store_list_events_json(s, 1000, 100, &j) == 0 &&
              json_integer_value(json_object_get(j, "next")) == 1000, "nothing new: next = since");
        json_decref(j);
        j = NULL;

        /* Conflicts feed (whatever the matcher found). */
        int64_t maxc = -1;
        CHECK(store_max_conflict_id(s, &maxc) == 0 && maxc >= 0, "max conflict id %lld", (long long) maxc);
        struct conflict_filter f = { .since = 0, .limit = 100, .kind = -1 };
        CHECK(store_list_conflicts_json(s, &f, &j) == 0, "conflicts feed");
        json_t *cl = json_object_get(j, "conflicts");
        CHECK(json_is_array(cl) && (int64_t) json_array_size(cl) == n.conflicts, "feed lists all %lld",
              (long long) n.conflicts);
        CHECK(json_integer_value(json_object_get(j, "next")) == maxc, "next = last id");
        if (json_array_size(cl) > 0) {
                static const char *const ck[] = { "id", "kind", "score", "event_id", "detected_at",
                                                  "status", "explanation", "claims", NULL };
                json_t *k = json_array_get(cl, 0);
                CHECK(has_keys(k, ck), "conflict has the API fields");
                json_t *kc = json_object_get(k, "claims");
                CHECK(json_array_size(kc) == 2, "two claims");
                CHECK(has_keys(json_array_get(kc, 0), claim_keys), "conflict claim has CLAIM fields");
                CHECK(json_object_get(json_array_get(kc, 0), "source") &&
                      json_object_get(json_array_get(kc, 0), "url") &&
                      json_object_get(json_array_get(kc, 0), "title"), "+ source, url, title");
                json_t *one = NULL;
                CHECK(store_get_conflict_json(s, json_integer_value(json_object_get(k, "id")), &one) == 0 &&
                      json_equal(one, k), "one conflict equals its feed entry");
                json_decref(one);
        }
        json_decref(j);
        j = NULL;
        f.source = "nobody.example";
        CHECK(store_list_conflicts_json(s, &f, &j) == 0 &&
              json_array_size(json_object_get(j, "conflicts")) == 0, "source filter");
        json_decref(j);
        f.source = NULL;
        f.event_id = r6.event_id;
        f.min_score = 0.5;
        f.kind = CONFLICT_DENIAL;
        CHECK(store_list_conflicts_json(s, &f, &j) == 0 &&
              json_array_size(json_object_get(j, "conflicts")) == 0, "event + kind + score filters");
        json_decref(j);
        j = NULL;
        CHECK(store_get_conflict_json(s, 9999, &j) == -ENOENT, "missing conflict: -ENOENT");

        /* A reader sees what the writer committed. */
        CHECK(store_open(path, true, &ro) == 0, "open a reader");
        CHECK(ro && store_get_article_json(ro, r6.article_id, &j) == 0, "reader reads C");
        json_decref(j);
        j = NULL;
        struct store_counts rn;
        CHECK(ro && store_counts(ro, &rn) == 0 && rn.articles == 5, "reader counts");
        struct ingest_result rr;
        struct ingest_options o;
        ingest_options_default(&o);
        struct article_request rq = { .source = "x", .published = T0, .received = T0 };
        CHECK(ro && store_ingest(ro, &rq, d, &o, &rr) == -EROFS, "reader cannot ingest");
        {
                /* claims without their views: refused, nothing written */
                struct extracted_article *bare = article_a();
                struct article_request brq = { .source = "bare", .url = "https://bare.example/1",
                                               .title = bare->title, .text = bare->text,
                                               .published = T0, .received = T0 };
                CHECK(bare->claims.n > 0 && store_ingest(s, &brq, bare, &o, &rr) == -EINVAL,
                      "claims without conflict views: -EINVAL");
                struct store_counts after;
                CHECK(store_counts(s, &after) == 0 && after.articles == rn.articles, "... and no article stored");
                article_free(bare);
        }

        /* Plans: no statement scans a table. */
        CHECK(store_query_plan_scans(s, stdout) == 0, "every statement is indexed");

        check_integrity("after ingest");

        /* Reopen: data kept, migrations not re-run. */
        store_close(s);
        CHECK(store_open(path, false, &s) == 0, "reopen");
        v = sql_text("PRAGMA user_version");
        CHECK_STR(v, latest);
        free(v);
        CHECK(store_counts(s, &n) == 0 && n.articles == 5, "reopened store keeps its articles");
        CHECK(store_get_article_json(ro, r1.article_id, &j) == 0, "reader still works across writer reopen");
        json_decref(j);
        j = NULL;

        /* Batch: two articles in one transaction, one rolled back alone. */
        CHECK(store_batch_begin(s) == 0, "batch begin");
        struct ingest_result b1, b2;
        struct extracted_article *e = article("Harbour reopens", "The harbour reopened.", "harbour\t2\nreopen\t2\n");
        CHECK(ingest(s, "five.example", "https://five.example/e", e, T0 + 8000, &b1) == 0 && !b1.duplicate,
              "batched ingest");
        CHECK(ingest(s, "five.example", "https://five.example/e", e, T0 + 8000, &b2) == 0 && b2.duplicate,
              "duplicate inside the batch");
        CHECK(store_batch_end(s, true) == 0, "batch commit");
        CHECK(store_counts(ro, &rn) == 0 && rn.articles == 6, "reader sees the batch");
        free(b1.conflict_ids);

        /* Retention: everything received before D goes. */
        r = store_expire(s, T0 + 20 * 86400);
        CHECK(r == 5, "expired 5 articles (%d)", r);
        CHECK(store_counts(s, &n) == 0 && n.articles == 1 && n.claims == 0 && n.conflicts == 0 && n.events == 1,
              "only D and its event remain (%lld %lld %lld %lld)", (long long) n.articles,
              (long long) n.claims, (long long) n.conflicts, (long long) n.events);
        CHECK(store_get_event_json(s, r1.event_id, &j) == -ENOENT, "A's event is gone");
        v = sql_text("SELECT count(*) FROM df WHERE df <= 0");
        CHECK_STR(v, "0");
        free(v);
        v = sql_text("SELECT count(*) FROM df");
        CHECK_STR(v, "5");      /* D's five terms */
        free(v);
        check_integrity("after expiry");

        store_close(ro);
        store_close(s);
        for (struct ingest_result *x = &r1; x; x = x == &r1 ? &r3 : x == &r3 ? &r5 : x == &r5 ? &r6 : x == &r6 ? &r7 : NULL)
                free(x->conflict_ids);
        article_free(a);
        article_free(b);
        article_free(c);
        article_free(d);
        article_free(e);

        /* An old (version 0, empty) database is upgraded in place. */
        snprintf(path, sizeof path, "%s/old.db", dir);
        {
                sqlite3 *db;
                sqlite3_open(path, &db);
                sqlite3_exec(db, "CREATE TABLE unrelated (x); INSERT INTO unrelated VALUES (1);", NULL, NULL, NULL);
                sqlite3_close(db);
        }
        CHECK(store_open(path, false, &s) == 0, "open a version 0 database");
        v = sql_text("PRAGMA user_version");
        CHECK_STR(v, latest);
        free(v);
        v = sql_text("SELECT x FROM unrelated");
        CHECK_STR(v, "1");
        free(v);
        store_close(s);
        CHECK(sql_exec("PRAGMA user_version = 99") == 0 && store_open(path, false, &s) == -EPROTO,
              "a newer database is refused");

        /* A version 1 database with data (claims_fts kept by triggers then)
         * is upgraded in place: its claims stay findable, new ones index
         * once, and the FTS5 index agrees with the table. */
        snprintf(path, sizeof path, "%s/v1.db", dir);
        {
                sqlite3 *db;
                sqlite3_open(path, &db);
                CHECK(migrations_apply_until(db, 1) == 0, "build a version 1 database");
                CHECK(sqlite3_exec(db,
                        "INSERT INTO events(id, label, first_seen, last_seen, n_articles, n_sources) "
                        "  VALUES (1, 'old', 1783425600, 1783425600, 1, 1);"
                        "INSERT INTO event_sources VALUES (1, 'one.example');"
                        "INSERT INTO articles(id, source, url, content_hash, title, text, published_at, received_at,"
                        "  event_id, terms, fts_terms, scope) VALUES (1, 'one.example', 'https://one.example/old', 'h',"
                        "  'Leaders meet at the Hamburg summit', 'x', 1783425600, 1783425600, 1, 'presid\t1\n', 'presid', 'd20640');"
                        "INSERT INTO claims(id, article_id, idx, field, data, speaker, terms, scope) VALUES (1, 1, 0, 'text',"
                        "  '{\"field\":\"text\",\"span\":[0,5],\"text\":\"the president accepted the assurances\","
                        "\"content_span\":null,\"speaker\":{\"name\":\"a beta official\",\"span\":[0,5]},\"cue\":null,"
                        "\"stance\":\"denies\",\"negated\":false,\"hedged\":false,\"entities\":[],\"quantities\":[]}',"
                        "  'a beta official', 'presid accept assur', 'ev1 s0');"
                        "UPDATE counters SET articles = 1, claims = 1, events = 1;",
                        NULL, NULL, NULL) == SQLITE_OK, "with an article and a claim (%s)", sqlite3_errmsg(db));
                sqlite3_close(db);
        }
        v = sql_text("SELECT count(*) FROM claims_fts WHERE claims_fts MATCH 'presid'");
        CHECK_STR(v, "1");
        free(v);
        CHECK(store_open(path, false, &s) == 0, "open the version 1 database");
        v = sql_text("PRAGMA user_version");
        CHECK_STR(v, latest);
        free(v);
        v = sql_text("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'claims_fts%'");
        CHECK_STR(v, "0");
        free(v);
        CHECK(store_get_article_json(s, 1, &j) == 0 &&
              json_array_size(json_object_get(j, "claims")) == 1, "the old article reads back");
        json_decref(j);
        j = NULL;
        {
                struct extracted_article *nb = article_b();
                struct ingest_result rb;
                CHECK(ingest(s, "two.example", "https://two.example/new", nb, T0 + 3600, &rb) == 0 &&
                      !rb.duplicate, "ingest into the upgraded store");
                free(rb.conflict_ids);
                article_free(nb);
        }
        v = sql_text("SELECT count(*) FROM claims_fts WHERE claims_fts MATCH 'presid'");
        CHECK_STR(v, "2");
        free(v);
        store_close(s);
        check_integrity("after upgrade");

        /* A version 4 database holding an article of 1900 (stored with the
         * old "d-25567" day token, which the tokenizer split in two) gets
         * tokens a window query can name, and such articles group. */
        snprintf(path, sizeof path, "%s/v4.db", dir);
        {
                sqlite3 *db;
                sqlite3_open(path, &db);
                CHECK(migrations_apply_until(db, 4) == 0, "build a version 4 database");
                CHECK(sqlite3_exec(db,
                        "INSERT INTO events(id, label, first_seen, last_seen, n_articles, n_sources) "
                        "  VALUES (1, 'old', -2208988800, -2208988800, 1, 1);"
                        "INSERT INTO articles(id, source, url, content_hash, title, text, published_at, received_at,"
                        "  event_id, terms, fts_terms, scope) VALUES (1, 'one.example', 'https://one.example/1900', 'h',"
                        "  'Leaders meet', 'x', -2208988800, 1783425600, 1, 'presid\t1\n', 'presid', 'd-25567 w-3653 s0');"
                        "INSERT INTO claims(id, article_id, idx, field, data, speaker, terms, scope) VALUES (1, 1, 0, 'text',"
                        "  '{}', NULL, 'presid accept', 'd-25567 w-3653 s0 ev1');"
                        "INSERT INTO claims_fts(rowid, terms, scope) VALUES (1, 'presid accept', 'd-25567 w-3653 s0 ev1');"
                        "UPDATE counters SET articles = 1, claims = 1, events = 1;",
                        NULL, NULL, NULL) == SQLITE_OK, "with an article of 1900 (%s)", sqlite3_errmsg(db));
                sqlite3_close(db);
        }
        CHECK(store_open(path, false, &s) == 0, "open the version 4 database");
        v = sql_text("SELECT scope FROM articles WHERE id = 1");
        CHECK_STR(v, "dm25567 wm3653 s0");
        free(v);
        v = sql_text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'scope : dm25567 AND scope : wm3653'");
        CHECK_STR(v, "1");
        free(v);
        v = sql_text("SELECT count(*) FROM claims_fts WHERE claims_fts MATCH 'scope : dm25567 AND scope : ev1'");
        CHECK_STR(v, "1");
        free(v);
        v = sql_text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'scope : d'");
        CHECK_STR(v, "0");
        free(v);
        check_integrity("after the pre-1970 scope migration");
        {
                struct extracted_article *x = article("Leaders meet again", "The president met the chancellor.",
                                                      "presid\t2\nchancellor\t2\n");
                struct extracted_article *y = article("Leaders met", "The president and the chancellor met.",
                                                      "presid\t2\nchancellor\t2\n");
                struct ingest_result rx, ry;
                time_t moon = -14182940;        /* 1969-07-20T20:17:40Z */
                CHECK(ingest(s, "two.example", "https://two.example/1969", x, moon, &rx) == 0,
                      "ingest an article of 1969 (%s)", store_errmsg(s));
                CHECK(ingest(s, "three.example", "https://three.example/1969", y, moon + 3600, &ry) == 0,
                      "ingest another of the same hour (%s)", store_errmsg(s));
                CHECK(rx.event_id > 0 && rx.event_id == ry.event_id, "the two share an event (%lld, %lld)",
                      (long long) rx.event_id, (long long) ry.event_id);
                free(ry.conflict_ids);
                CHECK(ingest(s, "four.example", "https://four.example/0001", x, (time_t) -62135596800LL, &ry) == 0,
                      "ingest an article of year 1 (%s)", store_errmsg(s));
                free(rx.conflict_ids);
                free(ry.conflict_ids);
                article_free(x);
                article_free(y);
        }
        store_close(s);

        /* The file at the path deleted, then replaced: nothing more is
         * committed, and the store says why. */
        snprintf(path, sizeof path, "%s/gone.db", dir);
        CHECK(store_open(path, false, &s) == 0, "open a database to delete");
        {
                struct extracted_article *x = article("Bridge", "The bridge opened.", "bridg\t2\n");
                struct ingest_result rx;
                CHECK(ingest(s, "one.example", "https://one.example/b1", x, T0, &rx) == 0 && store_file_state(s) == 0,
                      "ingest while the file is in place");
                free(rx.conflict_ids);
                char p2[300];
                snprintf(p2, sizeof p2, "%s-wal", path);
                CHECK(unlink(path) == 0 && unlink(p2) == 0, "delete the database and its WAL");
                CHECK(ingest(s, "one.example", "https://one.example/b2", x, T0, &rx) == -ESTALE,
                      "ingest after the delete: -ESTALE");
                CHECK(store_file_state(s) == -ENOENT, "store_file_state: -ENOENT");
                CHECK(strstr(store_errmsg(s), "deleted") != NULL, "errmsg says so: %s", store_errmsg(s));
                CHECK(store_batch_begin(s) == 0 && ingest(s, "one.example", "https://one.example/b3", x, T0, &rx) ==
                      -ESTALE && store_batch_end(s, true) < 0, "a batch commits nothing either");
                snprintf(p2, sizeof p2, "%s/gone-copy.db", dir);
                CHECK(store_save_copy(s, p2) == 0, "the open database can be saved");
                store_close(s);
                char *keep = strdup(path);
                CHECK(strlen(p2) < sizeof path && strcpy(path, p2), "read the copy");
                v = sql_text("SELECT count(*) FROM articles");
                CHECK_STR(v, "1");
                free(v);
                strcpy(path, keep);
                free(keep);
                CHECK(store_open(path, false, &s) == 0, "open a new database at the path");
                CHECK(rename(p2, path) == 0, "move another file over it");
                CHECK(store_file_state(s) == -ESTALE, "store_file_state: -ESTALE");
                CHECK(ingest(s, "one.example", "https://one.example/b4", x, T0, &rx) == -ESTALE,
                      "ingest after the replace: -ESTALE");
                CHECK(strstr(store_errmsg(s), "replaced") != NULL, "errmsg says so: %s", store_errmsg(s));
                store_close(s);
                article_free(x);
        }

        /* A version 5 database (before reviews) holding a conflict: after
         * the upgrade it is open with no review, can be reviewed, keeps its
         * history, and its dismissed pair is named. */
        snprintf(path, sizeof path, "%s/v5.db", dir);
        {
                sqlite3 *db;
                sqlite3_open(path, &db);
                CHECK(migrations_apply_until(db, 5) == 0, "build a version 5 database");
                CHECK(sqlite3_exec(db,
                        "INSERT INTO events(id, label, first_seen, last_seen, n_articles, n_sources, n_conflicts) "
                        "  VALUES (1, 'old', 1783425600, 1783425600, 1, 1, 1);"
                        "INSERT INTO articles(id, source, url, content_hash, title, text, published_at, received_at,"
                        "  event_id, terms, fts_terms, scope) VALUES (1, 'one.example', 'https://one.example/v5', 'h',"
                        "  'Talks', 'x', 1783425600, 1783425600, 1, 'presid\t1\n', 'presid', 'd20640');"
                        "INSERT INTO claims(id, article_id, idx, field, data, speaker, terms, scope) VALUES"
                        "  (1, 1, 0, 'text', '{\"field\":\"text\",\"span\":[0,5],\"text\":\"the talks failed\"}',"
                        "   'a', 'talk fail', 'ev1 s0'),"
                        "  (2, 1, 1, 'text', '{\"field\":\"text\",\"span\":[6,9],\"text\":\"the talks did not fail\"}',"
                        "   'b', 'talk fail', 'ev1 s0');"
                        "INSERT INTO conflicts(id, kind, score, event_id, detected_at, explanation, claim_a, claim_b,"
                        "  article_a, article_b, source_a, source_b) VALUES (1, 'negation', 0.8, 1, 1783425600, 'x',"
                        "  1, 2, 1, 1, 'one.example', 'one.example');"
                        "INSERT INTO conflict_sources VALUES ('one.example', 1);"
                        "UPDATE counters SET articles = 1, claims = 2, events = 1, conflicts = 1;",
                        NULL, NULL, NULL) == SQLITE_OK, "with a conflict (%s)", sqlite3_errmsg(db));
                sqlite3_close(db);
        }
        CHECK(store_open(path, false, &s) == 0, "open the version 5 database");
        v = sql_text("PRAGMA user_version");
        CHECK_STR(v, latest);
        free(v);
        CHECK(store_get_conflict_json(s, 1, &j) == 0 && json_is_null(json_object_get(j, "review")) &&
              strcmp(json_string_value(json_object_get(j, "status")), "open") == 0,
              "the old conflict is open, never reviewed");
        json_decref(j);
        struct review_request rv = { .conflict_id = 1, .status = review_status_from_string("dismissed"),
                                     .note = "two readings of one quote", .reviewer = "ana", .at = T0 };
        CHECK(store_review_conflict(s, &rv) == 0, "review it (%s)", store_errmsg(s));
        rv.conflict_id = 2;
        CHECK(store_review_conflict(s, &rv) == -ENOENT, "reviewing a conflict that does not exist: -ENOENT");
        CHECK(store_conflict_history_json(s, 1, &j) == 0 && json_array_size(json_object_get(j, "history")) == 1,
              "its history has the review");
        json_decref(j);
        CHECK(store_conflict_history_json(s, 2, &j) == -ENOENT, "no history of a conflict that does not exist");
        v = sql_text("SELECT count(*) FROM dismissed_pairs WHERE conflict_id = 1 AND length(pair) = 64");
        CHECK_STR(v, "1");
        free(v);
        store_close(s);
        check_integrity("after the review migration");

        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", dir);
        return tap_done();
}
