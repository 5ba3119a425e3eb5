#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "termvec.h"

/* The idf of term, or 1 without a callback; never <= 0 so weights stay usable. */
static double term_idf(const char *term, idf_func idf, void *userdata) {
        if (!idf)
                return 1.0;
        double v = idf(term, userdata);
        return v > 0 ? v : 1e-6;
}

double termvec_cosine(const struct termvec *a, const struct termvec *b, idf_func idf, void *userdata) {
        if (!a || !b || a->n == 0 || b->n == 0)
                return 0.0;

        double dot = 0, na = 0, nb = 0;
        size_t i = 0, j = 0;

        /* Both are sorted: one merge pass gives the dot product and both norms. */
        while (i < a->n || j < b->n) {
                int c;
                if (i >= a->n)
                        c = 1;
                else if (j >= b->n)
                        c = -1;
                else
                        c = strcmp(a->items[i].term, b->items[j].term);

                if (c < 0) {
                        double w = a->items[i].weight * term_idf(a->items[i].term, idf, userdata);
                        na += w * w;
                        i++;
                } else if (c > 0) {
                        double w = b->items[j].weight * term_idf(b->items[j].term, idf, userdata);
                        nb += w * w;
                        j++;
                } else {
                        double f = term_idf(a->items[i].term, idf, userdata);
                        double wa = a->items[i].weight * f, wb = b->items[j].weight * f;
                        dot += wa * wb;
                        na += wa * wa;
                        nb += wb * wb;
                        i++;
                        j++;
                }
        }

        if (na <= 0 || nb <= 0)
                return 0.0;
        double r = dot / (sqrt(na) * sqrt(nb));
        if (r < 0)
                return 0.0;
        return r > 1.0 ? 1.0 : r;
}

int termvec_idf_weights(const struct termvec *a, idf_func idf, void *userdata, double **ret) {
        double *w = malloc((a->n ? a->n : 1) * sizeof(*w));
        if (!w)
                return -ENOMEM;
        for (size_t i = 0; i < a->n; i++)
                w[i] = term_idf(a->items[i].term, idf, userdata);
        *ret = w;
        return 0;
}

uint64_t termvec_term_hash(const char *term) {
        return hash_mix64(hash_fnv1a64(term, strlen(term)));
}

struct hash_pos {
        uint64_t hash;
        uint32_t pos;
};

static int hash_pos_cmp(const void *x, const void *y) {
        const struct hash_pos *a = x, *b = y;
        if (a->hash != b->hash)
                return a->hash < b->hash ? -1 : 1;
        return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int termvec_hashes_make(const struct termvec *v, struct termvec_hashes *ret) {
        size_t n = v->n;
        if (n > UINT32_MAX)
                return -E2BIG;
        struct hash_pos *hp = malloc((n ? n : 1) * sizeof(*hp));
        uint64_t *hash = malloc((n ? n : 1) * sizeof(*hash));
        uint32_t *pos = malloc((n ? n : 1) * sizeof(*pos));
        if (!hp || !hash || !pos) {
                free(hp);
                free(hash);
                free(pos);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                hp[i] = (struct hash_pos) { termvec_term_hash(v->items[i].term), (uint32_t) i };
        qsort(hp, n, sizeof(*hp), hash_pos_cmp);
        struct termvec_hashes h = { .hash = hash, .pos = pos, .n = n };
        for (size_t k = 0; k < n; k++) {
                hash[k] = hp[k].hash;
                pos[k] = hp[k].pos;
                h.filter[hash[k] >> 60] |= UINT64_C(1) << ((hash[k] >> 54) & 63);
        }
        free(hp);
        *ret = h;
        return 0;
}

void termvec_hashes_clear(struct termvec_hashes *h) {
        free(h->hash);
        free(h->pos);
        *h = (struct termvec_hashes) {};
}

/* The first k with h->hash[k] >= hash (h->n when none). */
static size_t hashes_lower_bound(const struct termvec_hashes *h, uint64_t hash) {
        size_t lo = 0, hi = h->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (h->hash[mid] < hash)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* False when h holds no term of this hash; true when it may. */
static bool filter_may_have(const struct termvec_hashes *h, uint64_t hash) {
        return (h->filter[hash >> 60] >> ((hash >> 54) & 63)) & 1;
}

bool termvec_hashes_has(const struct termvec_hashes *h, uint64_t hash) {
        if (!filter_may_have(h, hash))
                return false;
        size_t k = hashes_lower_bound(h, hash);
        return k < h->n && h->hash[k] == hash;
}

double termvec_norm2(const struct termvec *v, const double *idf) {
        double n2 = 0;
        for (size_t i = 0; i < v->n; i++) {
                double w = v->items[i].weight * idf[i];
                n2 += w * w;
        }
        return n2;
}

double termvec_cosine_hashed(const struct termvec *a, const double *a_idf, const uint64_t *a_hash, double a_norm2,
                             const struct termvec *b, const struct termvec_hashes *bh, double b_norm2,
                             double *ret_coverage) {
        *ret_coverage = 0.0;
        if (!a || !b || a->n == 0 || b->n == 0)
                return 0.0;

        /* termvec_cosine() sums each norm in its vector's term order and the
         * products of the shared terms in a's order: so here, for the same
         * value to the last bit */
        double dot = 0;
        size_t hit = 0;
        for (size_t i = 0; i < a->n; i++) {
                if (!filter_may_have(bh, a_hash[i]))
                        continue;
                for (size_t k = hashes_lower_bound(bh, a_hash[i]); k < bh->n && bh->hash[k] == a_hash[i]; k++) {
                        const struct term_weight *t = &b->items[bh->pos[k]];
                        if (strcmp(t->term, a->items[i].term) != 0)
                                continue;
                        double f = a_idf[i];
                        dot += (a->items[i].weight * f) * (t->weight * f);
                        hit++;
                        break;
                }
        }

        *ret_coverage = (double) hit / (double) a->n;
        if (a_norm2 <= 0 || b_norm2 <= 0)
                return 0.0;
        double r = dot / (sqrt(a_norm2) * sqrt(b_norm2));
        if (r < 0)
                return 0.0;
        return r > 1.0 ? 1.0 : r;
}

int termvec_add(struct termvec *a, const struct termvec *b) {
        if (!b || b->n == 0)
                return 0;

        struct term_weight *out = calloc(a->n + b->n, sizeof(*out));
        if (!out)
                return -ENOMEM;

        /* Duplicate b's new terms first, so a failure leaves a untouched. */
        size_t i = 0, j = 0, k = 0;
        while (i < a->n || j < b->n) {
                int c;
                if (i >= a->n)
                        c = 1;
                else if (j >= b->n)
                        c = -1;
                else
                        c = strcmp(a->items[i].term, b->items[j].term);

                if (c < 0)
                        out[k++] = a->items[i++];
                else if (c == 0) {
                        out[k] = a->items[i++];
                        out[k++].weight += b->items[j++].weight;
                } else {
                        char *t = strdup(b->items[j].term);
                        if (!t) {
                                /* free only the copies made here */
                                for (size_t x = 0; x < k; x++) {
                                        bool mine = true;
                                        for (size_t y = 0; y < a->n; y++)
                                                if (out[x].term == a->items[y].term) {
                                                        mine = false;
                                                        break;
                                                }
                                        if (mine)
                                                free(out[x].term);
                                }
                                free(out);
                                return -ENOMEM;
                        }
                        out[k].term = t;
                        out[k++].weight = b->items[j++].weight;
                }
        }

        free(a->items);
        a->items = out;
        a->n = k;
        return 0;
}

struct ranked {
        size_t index;
        double score;
};

static int ranked_cmp(const void *x, const void *y) {
        const struct ranked *a = x, *b = y;
        if (a->score != b->score)
                return a->score > b->score ? -1 : 1;
        return a->index < b->index ? -1 : a->index > b->index;
}

static int size_cmp(const void *x, const void *y) {
        size_t a = *(const size_t *) x, b = *(const size_t *) y;
        return a < b ? -1 : a > b;
}

int termvec_top(struct termvec *v, size_t k, idf_func idf, void *userdata) {
        if (v->n <= k)
                return 0;

        struct ranked *r = malloc(v->n * sizeof(*r));
        size_t *keep = malloc(k ? k * sizeof(*keep) : 1);
        if (!r || !keep) {
                free(r);
                free(keep);
                return -ENOMEM;
        }
        for (size_t i = 0; i < v->n; i++) {
                r[i].index = i;
                r[i].score = v->items[i].weight * term_idf(v->items[i].term, idf, userdata);
        }
        qsort(r, v->n, sizeof(*r), ranked_cmp);
        for (size_t i = 0; i < k; i++)
                keep[i] = r[i].index;
        for (size_t i = k; i < v->n; i++)
                free(v->items[r[i].index].term);
        free(r);

        /* Keep the survivors in their original (sorted) order. */
        qsort(keep, k, sizeof(*keep), size_cmp);
        for (size_t i = 0; i < k; i++)
                v->items[i] = v->items[keep[i]];
        free(keep);
        v->n = k;
        if (k == 0) {
                free(v->items);
                v->items = NULL;
        }
        return 0;
}

void termvec_clear(struct termvec *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++)
                free(v->items[i].term);
        free(v->items);
        v->items = NULL;
        v->n = 0;
}

int termvec_serialize(const struct termvec *v, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; v && i < v->n; i++)
                fprintf(f, "%s\t%.9g\n", v->items[i].term, (double) v->items[i].weight);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        if (!buf)
                return -ENOMEM;
        *ret = buf;
        return 0;
}

static int term_cmp(const void *x, const void *y) {
        const struct term_weight *a = x, *b = y;
        return strcmp(a->term, b->term);
}

int termvec_parse(const char *s, struct termvec *ret) {
        struct termvec v = {0};
        size_t allocated = 0;

        for (const char *p = s ? s : ""; *p; ) {
                const char *eol = strchr(p, '\n');
                size_t linelen = eol ? (size_t) (eol - p) : strlen(p);
                const char *tab = memchr(p, '\t', linelen);

                if (linelen == 0) {
                        p += eol ? 1 : 0;
                        if (!eol)
                                break;
                        continue;
                }
                if (!tab || tab == p) {
                        termvec_clear(&v);
                        return -EINVAL;
                }

                char num[64];
                size_t nlen = linelen - (size_t) (tab + 1 - p);
                if (nlen == 0 || nlen >= sizeof(num)) {
                        termvec_clear(&v);
                        return -EINVAL;
                }
                memcpy(num, tab + 1, nlen);
                num[nlen] = 0;
                char *end;
                errno = 0;
                double w = strtod(num, &end);
                if (errno != 0 || *end != 0 || !isfinite(w)) {
                        termvec_clear(&v);
                        return -EINVAL;
                }

                if (v.n == allocated) {
                        size_t na = allocated ? allocated * 2 : 32;
                        struct term_weight *q = realloc(v.items, na * sizeof(*q));
                        if (!q) {
                                termvec_clear(&v);
                                return -ENOMEM;
                        }
                        v.items = q;
                        allocated = na;
                }
                char *t = strndup(p, (size_t) (tab - p));
                if (!t) {
                        termvec_clear(&v);
                        return -ENOMEM;
                }
                v.items[v.n].term = t;
                v.items[v.n++].weight = (float) w;

                if (!eol)
                        break;
                p = eol + 1;
        }

        /* Serialised vectors are sorted already; be lenient with hand-written
         * ones: sort and merge duplicates. */
        if (v.n > 1) {
                qsort(v.items, v.n, sizeof(*v.items), term_cmp);
                size_t k = 0;
                for (size_t i = 0; i < v.n; i++) {
                        if (k > 0 && strcmp(v.items[k - 1].term, v.items[i].term) == 0) {
                                v.items[k - 1].weight += v.items[i].weight;
                                free(v.items[i].term);
                        } else
                                v.items[k++] = v.items[i];
                }
                v.n = k;
        }

        *ret = v;
        return 0;
}

double termvec_coverage(const struct termvec *small, const struct termvec *large) {
        size_t i = 0, j = 0, hit = 0;
        while (i < small->n && j < large->n) {
                int c = strcmp(small->items[i].term, large->items[j].term);
                if (c == 0) {
                        hit++;
                        i++;
                        j++;
                } else if (c < 0)
                        i++;
                else
                        j++;
        }
        return small->n ? (double) hit / (double) small->n : 0.0;
}
