/* Analysts' reviews in the store: the write of one review (history row,
 * the conflict's latest review, its pair of statements dismissed or not),
 * and the dismissed pairs that ingest consults.
 *
 * A pair of statements is named by the SHA-256 of its two sides, each
 * "source NUL claim text", in byte order: the same two statements detected
 * again (a re-posted copy, a later article of the same outlet repeating
 * its claim) have the same name whichever came first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store-internal.h"

/* Fills out with the name of a pair of statements; 0 or -ENOMEM. */
int pair_key(const char *source_a, const char *text_a, const char *source_b, const char *text_b,
             char out[PAIR_KEY_SIZE]) {
        const char *sides[2][2] = { { source_a ? source_a : "", text_a ? text_a : "" },
                                    { source_b ? source_b : "", text_b ? text_b : "" } };
        int first = 0;
        int c = strcmp(sides[0][0], sides[1][0]);
        if (c > 0 || (c == 0 && strcmp(sides[0][1], sides[1][1]) > 0))
                first = 1;

        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
        for (int k = 0; k < 2 && ok; k++) {
                const char *const *side = sides[k ? 1 - first : first];
                ok = EVP_DigestUpdate(ctx, side[0], strlen(side[0]) + 1) == 1 &&
                     EVP_DigestUpdate(ctx, side[1], strlen(side[1]) + 1) == 1;
        }
        ok = ok && EVP_DigestFinal_ex(ctx, md, &n) == 1 && n == 32;
        EVP_MD_CTX_free(ctx);
        if (!ok)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
        return 0;
}

/* Drops the pending conflicts whose pair of statements an analyst has
 * dismissed.  0 or a negative errno. */
int drop_dismissed(struct store *s, struct pending_conflict *p, size_t *n) {
        size_t k = 0;
        for (size_t i = 0; i < *n; i++) {
                sqlite3_stmt *st;
                int r = stmt_get(s, ST_DISMISSED_HAS, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, p[i].pair);
                int rc = sqlite3_step(st);
                sqlite3_reset(st);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                        return store_errno(rc);
                if (rc == SQLITE_ROW) {
                        free(p[i].res.explanation);
                        free(p[i].own_source_a);
                        continue;
                }
                p[k++] = p[i];
        }
        *n = k;
        return 0;
}

const char *review_status_from_string(const char *s) {
        static const char *const statuses[] = { "open", "confirmed", "dismissed" };
        for (size_t i = 0; s && i < sizeof(statuses) / sizeof(statuses[0]); i++)
                if (strcmp(s, statuses[i]) == 0)
                        return statuses[i];
        return NULL;
}

/* The pair_key() of a stored conflict's two statements. */
static int conflict_pair_key(struct store *s, int64_t ca, int64_t cb, const char *sa, const char *sb,
                             char out[PAIR_KEY_SIZE]) {
        char *text[2] = { NULL, NULL };
        int64_t ids[2] = { ca, cb };
        int r = 0;

        for (int k = 0; k < 2 && r >= 0; k++) {
                sqlite3_stmt *st;
                r = stmt_get(s, ST_REVIEW_CLAIM_TEXT, &st);
                if (r < 0)
                        break;
                sqlite3_bind_int64(st, 1, ids[k]);
                int rc = sqlite3_step(st);
                if (rc == SQLITE_ROW)
                        text[k] = strdup(column_text(st, 0) ? column_text(st, 0) : "");
                sqlite3_reset(st);
                if (rc != SQLITE_ROW)
                        r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
                else if (!text[k])
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = pair_key(sa, text[0], sb, text[1], out);
        free(text[0]);
        free(text[1]);
        return r;
}

/* store_review_conflict() inside its transaction. */
static int review_body(struct store *s, const struct review_request *rv) {
        sqlite3_stmt *st;
        int64_t ca, cb;
        char *sa = NULL, *sb = NULL, pair[PAIR_KEY_SIZE];
        int r = stmt_get(s, ST_REVIEW_CONFLICT, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, rv->conflict_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                ca = sqlite3_column_int64(st, 0);
                cb = sqlite3_column_int64(st, 1);
                sa = strdup(column_text(st, 2) ? column_text(st, 2) : "");
                sb = strdup(column_text(st, 3) ? column_text(st, 3) : "");
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
                return rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
        r = sa && sb ? conflict_pair_key(s, ca, cb, sa, sb, pair) : -ENOMEM;
        free(sa);
        free(sb);
        if (r < 0)
                return r;

        enum stmt_id ids[] = { ST_REVIEW_INSERT, ST_REVIEW_SET };
        for (size_t i = 0; i < 2 && r >= 0; i++) {
                r = stmt_get(s, ids[i], &st);
                if (r < 0)
                        break;
                sqlite3_bind_int64(st, 1, rv->conflict_id);
                bind_text(st, 2, rv->status);
                bind_text(st, 3, rv->note);
                bind_text(st, 4, rv->reviewer);
                sqlite3_bind_int64(st, 5, (int64_t) rv->at);
                r = stmt_run(st);
        }
        if (r < 0)
                return r;
        bool dismissed = strcmp(rv->status, "dismissed") == 0;
        r = stmt_get(s, dismissed ? ST_DISMISSED_ADD : ST_DISMISSED_DELETE, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, pair);
        sqlite3_bind_int64(st, 2, rv->conflict_id);
        if (dismissed)
                sqlite3_bind_int64(st, 3, (int64_t) rv->at);
        return stmt_run(st);
}

int store_review_conflict(struct store *s, const struct review_request *rv) {
        if (!s || !rv || !review_status_from_string(rv->status))
                return -EINVAL;
        if (s->readonly)
                return -EROFS;
        int r = exec_simple(s, ST_BEGIN);
        if (r < 0)
                return r;
        r = review_body(s, rv);
        if (r >= 0)
                r = exec_simple(s, ST_COMMIT);
        if (r < 0)
                exec_simple(s, ST_ROLLBACK);
        return r;
}
