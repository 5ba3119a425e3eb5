#include <math.h>
#include <string.h>

#include "relate.h"

double termvec_similarity(const struct termvec *a, const struct termvec *b) {
        if (!a || !b || a->n == 0 || b->n == 0)
                return 0.0;
        const struct termvec *small = a->n <= b->n ? a : b, *large = a->n <= b->n ? b : a;
        double cov = termvec_coverage(small, large);
        if (small->n < 4)
                cov *= (double) small->n / 4.0;
        double s = sqrt(termvec_cosine(a, b, NULL, NULL) * cov);
        return s > 1.0 ? 1.0 : s;
}

double article_similarity(const struct extracted_article *a, const struct extracted_article *b) {
        if (!a || !b)
                return 0.0;
        return termvec_similarity(&a->terms, &b->terms);
}
