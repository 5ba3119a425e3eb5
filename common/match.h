/* Matching the claims of one article against candidate claims from other
 * sources and keeping the conflicts worth showing.  Both ingestion (with
 * candidates from the store's FTS5 index) and POST /v1/compare call this. */
#pragma once

#include <stddef.h>

#include "conflict.h"

struct claim_conflict {
        size_t a, b;                    /* indexes into the two arrays given */
        struct conflict_result result;
};

/* Checks every claim of a against every claim of b (callers pass candidates,
 * not whole stores), keeps at most one conflict per claim pair and drops
 * pairs from the same speaker of the same source, sorted by score descending
 * and capped at max_conflicts (0: no cap).  The same pair of statements
 * reached through repeated claims (title and body), or twice when a and b
 * are one array, is kept once.  Returns 0 and fills *ret and *ret_n (free
 * with claim_conflicts_free), or -ENOMEM. */
int match_claims(const struct claim_source *a, size_t na,
                 const struct claim_source *b, size_t nb,
                 const struct conflict_options *o, size_t max_conflicts,
                 struct claim_conflict **ret, size_t *ret_n);
void claim_conflicts_free(struct claim_conflict *c, size_t n);

/* match_claims() on views the caller prepared (conflict_view_new), va[i]
 * of a[i].claim and vb[j] of b[j].claim; a claim whose view is NULL is
 * skipped.  The views are used by this thread for the call and not freed.
 * Callers that keep views of stored claims between articles use this: it
 * holds all of match_claims' rules (one conflict per statement pair, the
 * same-side rule across sources).  Returns as match_claims(). */
int match_claims_prepared(const struct claim_source *a, struct conflict_view *const *va, size_t na,
                          const struct claim_source *b, struct conflict_view *const *vb, size_t nb,
                          const struct conflict_options *o, size_t max_conflicts,
                          struct claim_conflict **ret, size_t *ret_n);
