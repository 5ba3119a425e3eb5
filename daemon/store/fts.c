/* FTS5 documents and queries: the growing string they are built in, the
 * token spelling shared by documents and queries, scope tokens (source,
 * day and week windows), and the claimd_rank() ranking function with the
 * weights handed to it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "store-internal.h"

static void sb_append_n(struct strbuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->len + n + 1 > b->cap) {
                size_t nc = b->cap ? b->cap * 2 : 256;
                while (nc < b->len + n + 1)
                        nc *= 2;
                char *p = realloc(b->s, nc);
                if (!p) {
                        b->oom = true;
                        return;
                }
                b->s = p;
                b->cap = nc;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

void sb_append(struct strbuf *b, const char *s) {
        sb_append_n(b, s, strlen(s));
}

void sb_printf(struct strbuf *b, const char *fmt, ...) {
        char tmp[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= sizeof tmp) {
                b->oom = true;
                return;
        }
        sb_append_n(b, tmp, (size_t) n);
}

/* Appends term as one FTS5 token of our "unicode61 tokenchars '_'" tables:
 * "E:Vladimir Putin" becomes e_vladimir_putin, ASCII punctuation becomes
 * '_', non-ASCII bytes are kept.  The same function builds documents and
 * queries, so both always tokenize alike. */
void sb_append_token(struct strbuf *b, const char *term) {
        const char *p = term;
        if (p[0] == 'E' && p[1] == ':') {
                sb_append(b, "e_");
                p += 2;
        }
        for (; *p; p++) {
                unsigned char c = (unsigned char) *p;
                char o;
                if (c >= 0x80)
                        o = (char) c;
                else if (c >= 'A' && c <= 'Z')
                        o = (char) (c - 'A' + 'a');
                else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                        o = (char) c;
                else
                        o = '_';
                sb_append_n(b, &o, 1);
        }
}

char *sb_steal(struct strbuf *b) {
        char *s = b->oom ? NULL : b->s;
        if (b->oom)
                free(b->s);
        else if (!s)
                s = strdup("");
        b->s = NULL;
        b->len = b->cap = 0;
        return s;
}

/* "s" + 64-bit hash of the source name: the source's scope token. */
void source_token(const char *source, char out[18]) {
        uint64_t h = hash_mix64(hash_fnv1a64(source, strlen(source)));
        snprintf(out, 18, "s%016llx", (unsigned long long) h);
}

int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0)))
                q--;
        return q;
}

/* FTS5 auxiliary function claimd_rank(fts, weights): the sum of the weights
 * (a blob of doubles, one per query phrase in query order; phrases beyond it
 * weigh 0) of the phrases present in the row.  It replaces bm25(), whose
 * idf needs a pass over the whole doclist of every query term on each query,
 * a cost that grows with the store; our weights are the idf of the df table,
 * so ranking costs only what the rows matching the scoped query cost. */
static void claimd_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                        int nval, sqlite3_value **val) {
        const unsigned char *blob = NULL;
        int nw = 0;
        double score = 0;

        if (nval >= 1 && sqlite3_value_type(val[0]) == SQLITE_BLOB) {
                blob = sqlite3_value_blob(val[0]);
                nw = sqlite3_value_bytes(val[0]) / (int) sizeof(double);
        }
        int np = api->xPhraseCount(fts);
        for (int i = 0; i < np && i < nw; i++) {
                Fts5PhraseIter it;
                int col = -1, off = -1;
                if (api->xPhraseFirst(fts, i, &it, &col, &off) == SQLITE_OK && col >= 0) {
                        double w;
                        memcpy(&w, blob + (size_t) i * sizeof(double), sizeof w);
                        score += w;
                }
        }
        sqlite3_result_double(ctx, score);
}

/* Registers claimd_rank() with this connection's FTS5; 0 or -EIO. */
int register_rank(sqlite3 *db) {
        fts5_api *api = NULL;
        sqlite3_stmt *st;

        if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
                return -EIO;
        sqlite3_bind_pointer(st, 1, (void *) &api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
        sqlite3_finalize(st);
        if (!api || api->iVersion < 2)
                return -EIO;
        return api->xCreateFunction(api, "claimd_rank", NULL, claimd_rank, NULL) == SQLITE_OK ? 0 : -EIO;
}

int weights_push(struct weights *w, double v) {
        if (w->n == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 32;
                double *p = realloc(w->w, nc * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                w->w = p;
                w->cap = nc;
        }
        w->w[w->n++] = v;
        return 0;
}

/* Appends a FTS5 OR-group of tokens, each quoted: ("a" OR "b"). */
void sb_append_or_group(struct strbuf *b, const char *const *terms, size_t n) {
        sb_append(b, "(");
        for (size_t i = 0; i < n; i++) {
                if (i)
                        sb_append(b, " OR ");
                sb_append(b, "\"");
                sb_append_token(b, terms[i]);
                sb_append(b, "\"");
        }
        sb_append(b, ")");
}

/* Appends a day or week scope token: prefix and n, "m" and -n for a negative
 * n (before 1970).  FTS5 reads a bare "d-25567" as a column filter, and the
 * tokenizer would split it in two anyway; "dm25567" is one bareword token,
 * for any day of the years 1..9999. */
void sb_append_period(struct strbuf *b, const char *prefix, int64_t n) {
        sb_printf(b, n < 0 ? "%sm%lld" : "%s%lld", prefix, (long long) (n < 0 ? -n : n));
}

/* Appends scope : (dN OR ...) covering [lo, hi] with day tokens, or week
 * tokens for wide windows; nothing when even weeks would be too many. */
void sb_append_window(struct strbuf *b, int64_t lo, int64_t hi) {
        int64_t d0 = floor_div(lo, 86400), d1 = floor_div(hi, 86400);
        int64_t w0 = floor_div(lo, 7 * 86400), w1 = floor_div(hi, 7 * 86400);
        const char *prefix;
        int64_t a, z;

        if (d1 - d0 < 16) {
                prefix = "d";
                a = d0;
                z = d1;
        } else if (w1 - w0 < 16) {
                prefix = "w";
                a = w0;
                z = w1;
        } else
                return;
        sb_append(b, " AND scope : (");
        for (int64_t i = a; i <= z; i++) {
                if (i != a)
                        sb_append(b, " OR ");
                sb_append_period(b, prefix, i);
        }
        sb_append(b, ")");
}
