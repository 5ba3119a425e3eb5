/* CLAIM <-> JSON (API.md), used both for replies and for the claim data kept
 * in the store, so a stored claim comes back exactly as it was extracted. */
#pragma once

#include <jansson.h>

#include "claim.h"

/* Returns a new JSON object with the API fields of c (no "id"/"article_id";
 * the caller adds those), or NULL on ENOMEM. */
json_t *claim_to_json(const struct claim *c);

/* Fills *ret from an object made by claim_to_json(); returns 0, -EINVAL for a
 * malformed object, -ENOMEM.  On error *ret is untouched. */
int claim_from_json(const json_t *o, struct claim *ret);
