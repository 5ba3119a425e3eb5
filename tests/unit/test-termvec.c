#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/relate.h"
#include "common/termvec.h"
#include "tap.h"

static double idf_two_for_e(const char *term, void *userdata) {
        (void) userdata;
        return strncmp(term, "E:", 2) == 0 ? 2.0 : 1.0;
}

int main(void) {
        struct termvec a = {0}, b = {0}, c = {0};

        CHECK(termvec_parse("meet\t2\nsummit\t1\nE:Hamburg\t1\n", &a) == 0, "parse a");
        CHECK(a.n == 3, "three terms");
        CHECK(strcmp(a.items[0].term, "E:Hamburg") == 0, "parse sorts");
        CHECK(termvec_parse("summit\t1\nmeet\t2\nE:Hamburg\t1\n", &b) == 0, "parse b");
        CHECK(fabs(termvec_cosine(&a, &b, NULL, NULL) - 1.0) < 1e-6, "identical vectors: 1");
        CHECK(termvec_parse("rain\t3\n", &c) == 0, "parse c");
        CHECK(termvec_cosine(&a, &c, NULL, NULL) == 0.0, "disjoint vectors: 0");
        CHECK(termvec_cosine(&a, &(struct termvec){0}, NULL, NULL) == 0.0, "empty vector: 0");

        struct termvec d = {0};
        CHECK(termvec_parse("E:Hamburg\t1\nrain\t1\n", &d) == 0, "parse d");
        double plain = termvec_cosine(&a, &d, NULL, NULL);
        double weighted = termvec_cosine(&a, &d, idf_two_for_e, NULL);
        CHECK(plain > 0 && plain < 1, "partial overlap in (0,1): %g", plain);
        CHECK(weighted > plain, "idf weighs the shared entity up: %g > %g", weighted, plain);

        CHECK(termvec_add(&a, &c) == 0, "add");
        CHECK(a.n == 4, "union has four terms");
        CHECK(termvec_add(&a, &b) == 0, "add again");
        CHECK(a.n == 4, "still four");
        float meet = -1;
        for (size_t i = 0; i < a.n; i++)
                if (strcmp(a.items[i].term, "meet") == 0)
                        meet = a.items[i].weight;
        CHECK(meet == 4.0f, "the weights of 'meet' summed (%g; -1: not in the union)", meet);
        for (size_t i = 1; i < a.n; i++)
                CHECK(strcmp(a.items[i - 1].term, a.items[i].term) < 0, "sorted after add %zu", i);

        char *s = NULL;
        CHECK(termvec_serialize(&a, &s) == 0, "serialize");
        struct termvec e = {0};
        CHECK(termvec_parse(s, &e) == 0, "round trip parses");
        CHECK(e.n == a.n && fabs(termvec_cosine(&a, &e, NULL, NULL) - 1.0) < 1e-6, "round trip keeps vector");
        free(s);

        CHECK(termvec_top(&e, 2, NULL, NULL) == 0, "top 2");
        CHECK(e.n == 2, "two left");
        CHECK(strcmp(e.items[0].term, "meet") == 0 && strcmp(e.items[1].term, "rain") == 0,
              "heaviest kept in order");

        struct termvec bad = {0};
        CHECK(termvec_parse("noweight\n", &bad) == -EINVAL, "line without tab rejected");
        CHECK(termvec_parse("w\tabc\n", &bad) == -EINVAL, "bad number rejected");
        CHECK(termvec_parse("", &bad) == 0 && bad.n == 0, "empty parses to empty");

        /* relatedness: a headline fully covered by a longer body is related */
        struct termvec head = {0}, body = {0}, other = {0};
        CHECK(termvec_parse("bridg\t1\nclose\t1\nflood\t1\nriver\t1\n", &head) == 0, "parse head");
        CHECK(termvec_parse("bridg\t3\nclose\t2\nflood\t2\nriver\t4\ncity\t2\ntraffic\t1\n"
                            "mayor\t1\nrain\t3\nweek\t1\nroad\t2\n", &body) == 0, "parse body");
        CHECK(termvec_parse("elect\t2\nvote\t3\nparti\t1\ncity\t1\n", &other) == 0, "parse other");
        double rel = termvec_similarity(&head, &body), unrel = termvec_similarity(&head, &other);
        CHECK(rel >= RELATE_DEFAULT_MIN_SIMILARITY, "covered headline related: %g", rel);
        CHECK(unrel < RELATE_DEFAULT_MIN_SIMILARITY, "other topic unrelated: %g", unrel);
        CHECK(fabs(termvec_similarity(&body, &head) - rel) < 1e-9, "symmetric");
        termvec_clear(&head);
        termvec_clear(&body);
        termvec_clear(&other);

        /* what is worked out once per vector given: exactly termvec_cosine()
         * and termvec_coverage() */
        {
                struct termvec x = {0}, y = {0}, none = {0};
                struct termvec_hashes xh = {0}, yh = {0}, noneh = {0};
                double *xw = NULL, *yw = NULL, cov = -1;
                uint64_t xhash[4];
                CHECK(termvec_parse("E:Hamburg\t1.5\nmeet\t2\nsummit\t0.7\ntalk\t3\n", &x) == 0 &&
                      termvec_parse("E:Hamburg\t4\nleader\t1\nsummit\t2\nzone\t0.2\n", &y) == 0,
                      "parse x, y");
                CHECK(termvec_idf_weights(&x, idf_two_for_e, NULL, &xw) == 0 &&
                      termvec_idf_weights(&y, idf_two_for_e, NULL, &yw) == 0, "idf weights of x and y");
                CHECK(termvec_hashes_make(&x, &xh) == 0 && termvec_hashes_make(&y, &yh) == 0 &&
                      termvec_hashes_make(&none, &noneh) == 0 && xh.n == 4 && yh.n == 4,
                      "hash orders of x and y");
                for (size_t i = 0; i < 4; i++)
                        xhash[i] = termvec_term_hash(x.items[i].term);
                CHECK(termvec_hashes_has(&yh, termvec_term_hash("summit")) &&
                      !termvec_hashes_has(&yh, termvec_term_hash("talk")), "y holds summit, not talk");
                double nx = termvec_norm2(&x, xw), ny = termvec_norm2(&y, yw);
                CHECK(termvec_cosine_hashed(&x, xw, xhash, nx, &y, &yh, ny, &cov) ==
                      termvec_cosine(&x, &y, idf_two_for_e, NULL), "cosine from hashes and norms: same value");
                CHECK(cov == termvec_coverage(&x, &y) && cov == 0.5, "... and the same coverage (%g)", cov);
                CHECK(termvec_cosine_hashed(&x, xw, xhash, nx, &x, &xh, nx, &cov) ==
                      termvec_cosine(&x, &x, idf_two_for_e, NULL) && cov == 1.0, "... also with itself");
                CHECK(termvec_cosine_hashed(&x, xw, xhash, nx, &none, &noneh, 0, &cov) == 0.0 && cov == 0.0,
                      "... 0 with an empty vector");
                termvec_hashes_clear(&xh);
                termvec_hashes_clear(&yh);
                termvec_hashes_clear(&noneh);
                free(xw);
                free(yw);
                termvec_clear(&x);
                termvec_clear(&y);
        }

        termvec_clear(&a);
        termvec_clear(&b);
        termvec_clear(&c);
        termvec_clear(&d);
        termvec_clear(&e);
        return tap_done();
}
