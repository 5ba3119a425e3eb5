/* Recognising a re-posted article: by url, or by source and content hash. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "store-internal.h"

/* The content hash used to recognise a re-posted article without url: 128
 * bits (two independent FNV-1a lanes) over the title and the body as posted,
 * as 32 hex digits. */
void content_hash(const struct article_request *req, char out[33]) {
        const char *title = req->title ? req->title : "";
        const char *body = req->text ? req->text : req->html ? req->html : "";
        const char tag = req->text ? 't' : req->html ? 'h' : '-';
        uint64_t h1 = HASH_FNV1A64_BASIS, h2 = 0x84222325cbf29ce4ULL;

        h1 = hash_fnv1a64_update(h1, title, strlen(title) + 1);
        h1 = hash_fnv1a64_update(h1, &tag, 1);
        h1 = hash_fnv1a64_update(h1, body, strlen(body));
        h2 = hash_fnv1a64_update(h2, body, strlen(body));
        h2 = hash_fnv1a64_update(h2, &tag, 1);
        h2 = hash_fnv1a64_update(h2, title, strlen(title) + 1);
        snprintf(out, 33, "%016llx%016llx", (unsigned long long) hash_mix64(h1),
                 (unsigned long long) hash_mix64(h2 ^ (uint64_t) strlen(body)));
}

int store_find_duplicate(struct store *s, const struct article_request *req, int64_t *ret_id) {
        sqlite3_stmt *st;
        int64_t id = 0;
        int r;

        if (!s || !req || !req->source)
                return -EINVAL;
        if (req->url && req->url[0]) {
                r = stmt_get(s, ST_DUP_URL, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, req->url);
        } else {
                char hash[33];
                content_hash(req, hash);
                r = stmt_get(s, ST_DUP_HASH, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, req->source);
                bind_text(st, 2, hash);
        }
        r = stmt_int64(st, &id);
        if (r > 0 && ret_id)
                *ret_id = id;
        return r;
}
