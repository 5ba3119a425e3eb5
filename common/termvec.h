/* Sparse term vectors (stems and entity names with weights) and the
 * similarity measures event grouping and relatedness use. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct term_weight {
        char *term;             /* a stem, or "E:" + entity name for entities */
        float weight;           /* raw term frequency, title terms counted more */
};

struct termvec {
        struct term_weight *items;      /* sorted by strcmp() on term */
        size_t n;
};

/* Looks up the inverse document frequency of a term; returns a value > 0.
 * NULL callback: every term weighs the same. */
typedef double (*idf_func)(const char *term, void *userdata);

/* Cosine similarity of a and b with each weight multiplied by idf(term).
 * Returns a value in [0, 1]. */
double termvec_cosine(const struct termvec *a, const struct termvec *b, idf_func idf, void *userdata);

/* The idf of each term of a (as termvec_cosine() uses it: never <= 0), for
 * termvec_norm2() and termvec_cosine_hashed(); fills *ret (malloc'ed, a->n values).  0 or -ENOMEM. */
int termvec_idf_weights(const struct termvec *a, idf_func idf, void *userdata, double **ret);

/* The hash of a term that termvec_hashes orders by. */
uint64_t termvec_term_hash(const char *term);

/* A vector's terms in hash order, to find the terms another vector shares
 * with it by hash instead of comparing strings along a merge. */
struct termvec_hashes {
        uint64_t *hash;         /* termvec_term_hash() of each term, sorted */
        uint32_t *pos;          /* hash[k] is the hash of v->items[pos[k]] */
        size_t n;
        /* bit (hash >> 54) of each term: most terms asked about are
         * absent, and one bit test answers for most of them (a centroid's
         * 200 terms set under a fifth of the bits) */
        uint64_t filter[16];
};

/* Fills *ret for v; 0 or -ENOMEM (or -E2BIG beyond 2^32 terms). */
int termvec_hashes_make(const struct termvec *v, struct termvec_hashes *ret);
void termvec_hashes_clear(struct termvec_hashes *h);

/* Does h hold a term of this hash? */
bool termvec_hashes_has(const struct termvec_hashes *h, uint64_t hash);

/* The sum of v's squared idf-weighted weights, in term order (termvec_cosine()'s
 * norm before its square root); idf holds the idf of each term. */
double termvec_norm2(const struct termvec *v, const double *idf);

/* termvec_cosine(a, b, idf, userdata) and termvec_coverage(a, b) into
 * *ret_coverage, the same values, from what was worked out once per vector:
 * a's idf (a_idf, as termvec_idf_weights() gives them), each one's
 * termvec_norm2(), a's terms' hashes (a_hash, in term order) and b's
 * termvec_hashes.  For comparing an article with many event centroids:
 * no string merge and no idf look-up per pair. */
double termvec_cosine_hashed(const struct termvec *a, const double *a_idf, const uint64_t *a_hash, double a_norm2,
                             const struct termvec *b, const struct termvec_hashes *bh, double b_norm2,
                             double *ret_coverage);

/* Share of the distinct terms of a that b also holds, in [0, 1] (0 when a is
 * empty).  Relatedness and event grouping both weigh it against the cosine. */
double termvec_coverage(const struct termvec *a, const struct termvec *b);

/* Adds b into a (a becomes the sum), keeping a sorted; returns 0 or -ENOMEM.
 * Used to keep an event's centroid. */
int termvec_add(struct termvec *a, const struct termvec *b);

/* Keeps only the k heaviest terms (by weight * idf); returns 0 or -ENOMEM. */
int termvec_top(struct termvec *v, size_t k, idf_func idf, void *userdata);

void termvec_clear(struct termvec *v);

/* Serialises as "term<TAB>weight\n" lines and back; returns 0 or a negative errno. */
int termvec_serialize(const struct termvec *v, char **ret);
int termvec_parse(const char *s, struct termvec *ret);
