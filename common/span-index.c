/* The span index of span-index.h: a segment tree of largest ends over the
 * spans sorted by start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "span-index.h"

/* Sorts as unsigned: the start (sign bit flipped) above, the span's number below. */
static int key_cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

int span_index_make(const int32_t *starts, const int32_t *ends, size_t n, struct span_index *ret) {
        struct span_index x = { .n = n, .leaves = 1 };

        if (n > UINT32_MAX)
                return -E2BIG;
        while (x.leaves < n)
                x.leaves *= 2;
        /* one block: order, place, hits (size_t), then starts, max_end (int32_t) */
        size_t words = 3 * (n + 1), ints = (n + 1) + 2 * x.leaves;
        x.order = malloc(words * sizeof(size_t) + ints * sizeof(int32_t));
        uint64_t *keys = malloc((n + 1) * sizeof(*keys));
        if (!x.order || !keys) {
                free(x.order);
                free(keys);
                return -ENOMEM;
        }
        x.place = x.order + (n + 1);
        x.hits = x.place + (n + 1);
        x.starts = (int32_t *) (x.hits + (n + 1));
        x.max_end = x.starts + (n + 1);
        for (size_t i = 0; i < n; i++)
                keys[i] = (uint64_t) ((uint32_t) starts[i] ^ 0x80000000u) << 32 | i;
        qsort(keys, n, sizeof(*keys), key_cmp);
        for (size_t p = 0; p < 2 * x.leaves; p++)
                x.max_end[p] = INT32_MIN;
        for (size_t p = 0; p < n; p++) {
                size_t i = (size_t) (keys[p] & 0xffffffffu);
                x.order[p] = i;
                x.starts[p] = starts[i];
                x.place[i] = p;
                x.max_end[x.leaves + p] = ends[i];
        }
        for (size_t p = x.leaves - 1; p > 0; p--)
                x.max_end[p] = x.max_end[2 * p] > x.max_end[2 * p + 1] ? x.max_end[2 * p] : x.max_end[2 * p + 1];
        free(keys);
        *ret = x;
        return 0;
}

void span_index_free(struct span_index *x) {
        free(x->order);         /* the block of every array */
        memset(x, 0, sizeof(*x));
}

void span_index_set_end(struct span_index *x, size_t i, int32_t end) {
        size_t p = x->leaves + x->place[i];
        x->max_end[p] = end;
        for (p /= 2; p > 0; p /= 2)
                x->max_end[p] = x->max_end[2 * p] > x->max_end[2 * p + 1] ? x->max_end[2 * p] : x->max_end[2 * p + 1];
}

size_t span_index_holding(struct span_index *x, int32_t start_below, int32_t end_above, const size_t **ret) {
        size_t lo = 0, hi = x->n, n = 0;
        /* places [0, lo) start before start_below */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (x->starts[mid] < start_below)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t limit = lo;
        /* depth-first from the root, left child first: hits come in place order */
        size_t stack[2 * 8 * sizeof(size_t)], depth = 0;
        size_t node_lo[2 * 8 * sizeof(size_t)], width[2 * 8 * sizeof(size_t)];
        if (limit > 0) {
                stack[depth] = 1;
                node_lo[depth] = 0;
                width[depth++] = x->leaves;
        }
        while (depth > 0) {
                depth--;
                size_t node = stack[depth], b = node_lo[depth], w = width[depth];
                if (b >= limit || x->max_end[node] <= end_above)
                        continue;
                if (w == 1) {
                        x->hits[n++] = x->order[b];
                        continue;
                }
                /* right child pushed first, so the left one is visited first */
                stack[depth] = 2 * node + 1;
                node_lo[depth] = b + w / 2;
                width[depth++] = w / 2;
                stack[depth] = 2 * node;
                node_lo[depth] = b;
                width[depth++] = w / 2;
        }
        *ret = x->hits;
        return n;
}
