/* The span index (common/span-index.c) against a walk over every span:
 * random spans, random stretches, ends changed on the way. */
#include <stdlib.h>
#include <string.h>

#include "common/span-index.h"
#include "tap.h"

/* The spans a walk finds for start < below, end > above, as a bitmap. */
static void walk(const int32_t *starts, const int32_t *ends, size_t n, int32_t below, int32_t above, char *hit) {
        for (size_t i = 0; i < n; i++)
                hit[i] = starts[i] < below && ends[i] > above;
}

int main(void) {
        struct span_index x;
        int32_t starts[600] = {0}, ends[600] = {0};
        char want[600], got[600];
        unsigned seed = 7;

        CHECK(span_index_make(starts, ends, 0, &x) == 0, "an index of no spans");
        const size_t *h;
        CHECK(span_index_holding(&x, 100, 0, &h) == 0, "no span holds anything");
        span_index_free(&x);

        for (size_t n = 1; n <= 600; n = n * 3 + 1) {
                for (size_t i = 0; i < n; i++) {
                        starts[i] = rand_r(&seed) % 1000;
                        ends[i] = starts[i] + 1 + rand_r(&seed) % (i % 5 == 0 ? 900 : 40);
                }
                CHECK(span_index_make(starts, ends, n, &x) == 0, "index of %zu spans", n);
                size_t bad = 0, asked = 0;
                for (int q = 0; q < 400; q++) {
                        if (q % 3 == 0) {       /* an end moves, as a cut content's does */
                                size_t i = (size_t) rand_r(&seed) % n;
                                ends[i] = starts[i] + 1 + rand_r(&seed) % 30;
                                span_index_set_end(&x, i, ends[i]);
                        }
                        int32_t above = rand_r(&seed) % 1100, below = above + 1 + rand_r(&seed) % 20;
                        if (q % 2)
                                below = above - rand_r(&seed) % 20;
                        walk(starts, ends, n, below, above, want);
                        memset(got, 0, n);
                        size_t k = span_index_holding(&x, below, above, &h);
                        bool sorted = true;
                        for (size_t j = 0; j < k; j++) {
                                got[h[j]]++;
                                sorted = sorted && (j == 0 || starts[h[j - 1]] <= starts[h[j]]);
                        }
                        bad += memcmp(want, got, n) != 0 || !sorted;
                        asked++;
                }
                CHECK(bad == 0, "%zu spans: %zu of %zu answers differ from the walk", n, bad, asked);
                span_index_free(&x);
        }
        return tap_done();
}
