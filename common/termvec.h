/* Sparse term vectors (stems and entity names with weights) and the
 * similarity measures event grouping and relatedness use. */
#pragma once

#include <stddef.h>

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
 * termvec_cosine_idf_both(); fills *ret (malloc'ed, a->n values).  0 or -ENOMEM. */
int termvec_idf_weights(const struct termvec *a, idf_func idf, void *userdata, double **ret);

/* termvec_cosine(a, b, idf, userdata) with the idf of a's and b's terms
 * given (a_idf, b_idf as termvec_idf_weights() makes them), and
 * termvec_coverage(a, b) from the same merge into *ret_coverage: the same
 * values in one pass, for comparing one vector with many whose idf are
 * known without looking their terms up again. */
double termvec_cosine_idf_both(const struct termvec *a, const double *a_idf, const struct termvec *b,
                               const double *b_idf, double *ret_coverage);

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
