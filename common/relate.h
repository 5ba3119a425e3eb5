/* Whether two articles report the same thing, for POST /v1/compare's
 * "related" and "similarity". */
#pragma once

#include "pipeline.h"

/* Default for "related": similarity at or above this.  Measured on 3,000
 * FNC-1 headline/body pairs (seeded sample of the train split):
 * related-vs-unrelated accuracy 0.967 at 0.22-0.24 (plain cosine at its best
 * threshold 0.15: 0.965; at 0.2: 0.950). */
#define RELATE_DEFAULT_MIN_SIMILARITY 0.22

/* Similarity in [0, 1] of two extracted articles: the geometric mean of the
 * cosine of their term vectors and the share of the smaller article's terms
 * that the larger one holds (a headline is related to a body that covers
 * it, even though the body says much more; the cosine keeps a few common
 * words from doing that alone), the share discounted for vectors of fewer
 * than four terms. */
double article_similarity(const struct extracted_article *a, const struct extracted_article *b);

/* The same on bare term vectors (the store uses it for centroids too). */
double termvec_similarity(const struct termvec *a, const struct termvec *b);
