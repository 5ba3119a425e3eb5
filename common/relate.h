/* Whether two articles report the same thing, for POST /v1/compare's
 * "related" and "similarity". */
#pragma once

#include "pipeline.h"

/* Default for "related": similarity at or above this (measured on FNC-1
 * headline/body pairs, see README). */
#define RELATE_DEFAULT_MIN_SIMILARITY 0.40

/* Similarity in [0, 1] of two extracted articles: the larger of the cosine
 * of their term vectors and the share of the smaller article's terms that
 * the larger one holds (a headline is related to a body that covers it, even
 * though the body says much more), the latter discounted for vectors of
 * fewer than four terms. */
double article_similarity(const struct extracted_article *a, const struct extracted_article *b);

/* The same on bare term vectors (the store uses it for centroids too). */
double termvec_similarity(const struct termvec *a, const struct termvec *b);
