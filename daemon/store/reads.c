/* Reads for the API: articles, conflicts and events by id, the conflict and
 * event feeds, counts. */
#include <errno.h>
#include <stdlib.h>

#include "common/rfc3339.h"
#include "store-internal.h"

static json_t *time_json(int64_t t) {
        char buf[64];
        return json_string(rfc3339_format((time_t) t, buf, sizeof buf));
}

static json_t *column_json_text(sqlite3_stmt *st, int i) {
        const char *v = column_text(st, i);
        return v ? json_string(v) : json_null();
}

static json_t *column_json_id(sqlite3_stmt *st, int i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL)
                return json_null();
        return json_integer(sqlite3_column_int64(st, i));
}

/* Builds the API CLAIM from stored JSON data: {"id", "article_id", ...}. */
static json_t *claim_json(int64_t id, int64_t article_id, const char *data) {
        json_t *o = json_pack("{s:I, s:I}", "id", (json_int_t) id, "article_id", (json_int_t) article_id);
        json_t *d = data ? json_loads(data, 0, NULL) : NULL;
        if (!o || !json_is_object(d) || json_object_update(o, d) < 0) {
                json_decref(o);
                json_decref(d);
                return NULL;
        }
        json_decref(d);
        return o;
}

/* Read helpers run inside BEGIN ... COMMIT so one reply is one snapshot. */
static int read_begin(struct store *s) {
        if (!sqlite3_get_autocommit(s->db))
                return 0;       /* already inside the writer's transaction */
        return exec_simple(s, ST_BEGIN_READ) < 0 ? -EIO : 1;
}

static void read_end(struct store *s, int began) {
        if (began > 0)
                exec_simple(s, ST_COMMIT);
}

int store_get_article_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL, *claims;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_ARTICLE_GET, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
                sqlite3_reset(st);
                goto out;
        }
        o = json_object();
        claims = json_array();
        if (!o || !claims ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "source", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "url", column_json_text(st, 2)) < 0 ||
            json_object_set_new(o, "title", column_json_text(st, 3)) < 0 ||
            json_object_set_new(o, "text", column_json_text(st, 4)) < 0 ||
            json_object_set_new(o, "published_at", time_json(sqlite3_column_int64(st, 5))) < 0 ||
            json_object_set_new(o, "received_at", time_json(sqlite3_column_int64(st, 6))) < 0 ||
            json_object_set_new(o, "event_id", column_json_id(st, 7)) < 0 ||
            json_object_set_new(o, "lang", column_json_text(st, 8)) < 0 ||
            json_object_set_new(o, "claims", claims) < 0) {
                sqlite3_reset(st);
                r = -ENOMEM;
                goto out;
        }
        sqlite3_reset(st);

        r = stmt_get(s, ST_ARTICLE_CLAIMS, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *c = claim_json(sqlite3_column_int64(st, 0), id, column_text(st, 1));
                if (!c || json_array_append_new(claims, c) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
out:
        read_end(s, began);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* One CLAIM + {"source", "url", "title"} of a conflict; NULL when gone. */
static int conflict_claim_json(struct store *s, int64_t claim_id, json_t *arr) {
        sqlite3_stmt *st;
        int r = stmt_get(s, ST_CLAIM_WITH_ARTICLE, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, claim_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                json_t *c = claim_json(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                       column_text(st, 2));
                if (!c ||
                    json_object_set_new(c, "source", column_json_text(st, 3)) < 0 ||
                    json_object_set_new(c, "url", column_json_text(st, 4)) < 0 ||
                    json_object_set_new(c, "title", column_json_text(st, 5)) < 0 ||
                    json_array_append_new(arr, c) < 0)
                        r = -ENOMEM;
        } else if (rc != SQLITE_DONE)
                r = store_errno(rc);
        sqlite3_reset(st);
        return r;
}

/* The latest review of a conflict row (columns status 5, review_note 9,
 * reviewer 10, reviewed_at 11), or JSON null when it was never reviewed. */
static json_t *review_json(sqlite3_stmt *st) {
        if (sqlite3_column_type(st, 11) == SQLITE_NULL)
                return json_null();
        return json_pack("{s:o, s:o, s:o, s:o}", "status", column_json_text(st, 5),
                         "note", column_json_text(st, 9), "reviewer", column_json_text(st, 10),
                         "reviewed_at", time_json(sqlite3_column_int64(st, 11)));
}

/* Builds a CONFLICT from a row (id, kind, score, event_id, detected_at,
 * status, explanation, claim_a, claim_b, review_note, reviewer,
 * reviewed_at) of st; the caller resets st only after this returns, so the
 * claim lookups use other statements. */
static int conflict_row_json(struct store *s, sqlite3_stmt *st, json_t **ret) {
        int64_t ca = sqlite3_column_int64(st, 7), cb = sqlite3_column_int64(st, 8);
        json_t *claims = json_array();
        json_t *o = json_object();
        int r = 0;

        if (!o || !claims ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "kind", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "score", json_real(sqlite3_column_double(st, 2))) < 0 ||
            json_object_set_new(o, "event_id", column_json_id(st, 3)) < 0 ||
            json_object_set_new(o, "detected_at", time_json(sqlite3_column_int64(st, 4))) < 0 ||
            json_object_set_new(o, "status", column_json_text(st, 5)) < 0 ||
            json_object_set_new(o, "review", review_json(st)) < 0 ||
            json_object_set_new(o, "explanation", column_json_text(st, 6)) < 0 ||
            json_object_set_new(o, "claims", json_incref(claims)) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = conflict_claim_json(s, ca, claims);
        if (r >= 0)
                r = conflict_claim_json(s, cb, claims);
        json_decref(claims);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

int store_get_conflict_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_CONFLICT_GET, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, id);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW)
                        r = conflict_row_json(s, st, &o);
                else
                        r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
                sqlite3_reset(st);
        }
        read_end(s, began);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

int store_conflict_history_json(struct store *s, int64_t id, json_t **ret) {
        json_t *o = NULL, *arr = json_array();
        sqlite3_stmt *st;
        int r, rc, began;

        if (!s || !ret || !arr) {
                json_decref(arr);
                return -EINVAL;
        }
        began = read_begin(s);
        if (began < 0) {
                json_decref(arr);
                return began;
        }
        r = stmt_get(s, ST_REVIEW_CONFLICT, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, id);
                rc = sqlite3_step(st);
                sqlite3_reset(st);
                r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
        }
        if (r >= 0)
                r = stmt_get(s, ST_REVIEW_HISTORY, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, id);
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                        json_t *h = json_pack("{s:o, s:o, s:o, s:o}", "status", column_json_text(st, 0),
                                              "note", column_json_text(st, 1), "reviewer", column_json_text(st, 2),
                                              "at", time_json(sqlite3_column_int64(st, 3)));
                        if (!h || json_array_append_new(arr, h) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                }
                sqlite3_reset(st);
                if (r >= 0 && rc != SQLITE_DONE)
                        r = store_errno(rc);
        }
        read_end(s, began);
        if (r >= 0 && !(o = json_pack("{s:O}", "history", arr)))
                r = -ENOMEM;
        json_decref(arr);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

/* Returns the prepared feed statement for a filter combination. */
int conflict_list_stmt(struct store *s, unsigned mask, sqlite3_stmt **ret) {
        if (!s->conflict_lists[mask]) {
                struct strbuf b = {};
                sb_append(&b, "SELECT c.id, c.kind, c.score, c.event_id, c.detected_at, c.status, "
                              "c.explanation, c.claim_a, c.claim_b, c.review_note, c.reviewer, c.reviewed_at ");
                bool desc = mask & CF_NEWEST_FIRST;
                if (mask & CF_SOURCE)
                        sb_append(&b, desc ? "FROM conflict_sources cs JOIN conflicts c ON c.id = cs.conflict_id "
                                             "WHERE cs.source = :source AND cs.conflict_id < :before"
                                           : "FROM conflict_sources cs JOIN conflicts c ON c.id = cs.conflict_id "
                                             "WHERE cs.source = :source AND cs.conflict_id > :since");
                else
                        sb_append(&b, desc ? "FROM conflicts c WHERE c.id < :before" : "FROM conflicts c WHERE c.id > :since");
                if (mask & CF_EVENT)
                        sb_append(&b, " AND c.event_id = :event");
                if (mask & CF_KIND)
                        sb_append(&b, " AND c.kind = :kind");
                if (mask & CF_MIN_SCORE)
                        sb_append(&b, " AND c.score >= :min_score");
                if (mask & CF_STATUS)
                        sb_append(&b, " AND c.status = :status");
                sb_append(&b, (mask & CF_SOURCE) ? " ORDER BY cs.conflict_id" : " ORDER BY c.id");
                sb_append(&b, desc ? " DESC LIMIT :limit" : " LIMIT :limit");
                char *sql = sb_steal(&b);
                if (!sql)
                        return -ENOMEM;
                int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->conflict_lists[mask], NULL);
                free(sql);
                if (rc != SQLITE_OK)
                        return store_errno(rc);
        }
        sqlite3_reset(s->conflict_lists[mask]);
        sqlite3_clear_bindings(s->conflict_lists[mask]);
        *ret = s->conflict_lists[mask];
        return 0;
}

static void bind_named_int64(sqlite3_stmt *st, const char *name, int64_t v) {
        int i = sqlite3_bind_parameter_index(st, name);
        if (i > 0)
                sqlite3_bind_int64(st, i, v);
}

/* Builds one JSON object from the current row of a feed statement. */
typedef int (*row_json_func)(struct store *s, sqlite3_stmt *st, json_t **ret);

/* The feeds' common body: steps st (prepared and bound by the caller inside
 * its read snapshot; column 0 is the id) and fills *ret with
 * {key: [row_json of each row], "next": the last id, else since}.  Resets
 * st.  Returns 0 or a negative errno. */
static int feed_json(struct store *s, sqlite3_stmt *st, const char *key, int64_t since,
                     row_json_func row_json, json_t **ret) {
        json_t *o = json_object(), *arr = json_array();
        int64_t next = since;
        int r = 0, rc;

        if (!o || !arr || json_object_set_new(o, key, arr) < 0) {
                sqlite3_reset(st);
                json_decref(o);
                return -ENOMEM;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *item = NULL;
                r = row_json(s, st, &item);
                if (r < 0)
                        break;
                next = sqlite3_column_int64(st, 0);
                if (json_array_append_new(arr, item) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
        if (r >= 0 && json_object_set_new(o, "next", json_integer(next)) < 0)
                r = -ENOMEM;
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

int store_list_conflicts_json(struct store *s, const struct conflict_filter *f, json_t **ret) {
        sqlite3_stmt *st = NULL;
        unsigned mask = 0;
        int r, began;

        if (!s || !f || !ret)
                return -EINVAL;
        const char *kind = NULL;
        if (f->kind >= 0) {
                kind = conflict_kind_to_string((enum conflict_kind) f->kind);
                if (!kind)
                        return -EINVAL;
                mask |= CF_KIND;
        }
        if (f->event_id > 0)
                mask |= CF_EVENT;
        if (f->source)
                mask |= CF_SOURCE;
        if (f->min_score > 0)
                mask |= CF_MIN_SCORE;
        if (f->status)
                mask |= CF_STATUS;
        if (f->before > 0)
                mask |= CF_NEWEST_FIRST;
        int limit = f->limit > 0 ? f->limit : 100;
        if (limit > 1000)
                limit = 1000;
        int64_t since = f->since > 0 ? f->since : 0;

        began = read_begin(s);
        if (began < 0)
                return began;
        r = conflict_list_stmt(s, mask, &st);
        if (r >= 0) {
                bind_named_int64(st, ":since", since);
                bind_named_int64(st, ":before", f->before);
                bind_named_int64(st, ":limit", limit);
                bind_named_int64(st, ":event", f->event_id);
                if (mask & CF_SOURCE)
                        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":source"), f->source, -1,
                                          SQLITE_TRANSIENT);
                if (mask & CF_KIND)
                        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":kind"), kind, -1,
                                          SQLITE_STATIC);
                if (mask & CF_MIN_SCORE)
                        sqlite3_bind_double(st, sqlite3_bind_parameter_index(st, ":min_score"),
                                            f->min_score);
                if (mask & CF_STATUS)
                        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":status"), f->status, -1,
                                          SQLITE_STATIC);
                r = feed_json(s, st, "conflicts", f->before > 0 ? f->before : since, conflict_row_json, ret);
        }
        read_end(s, began);
        return r;
}

/* An EVENT summary from a row (id, label, n_articles, n_sources,
 * n_conflicts, first_seen, last_seen). */
static json_t *event_row_json(sqlite3_stmt *st) {
        json_t *o = json_object();
        if (!o ||
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0))) < 0 ||
            json_object_set_new(o, "label", column_json_text(st, 1)) < 0 ||
            json_object_set_new(o, "articles", json_integer(sqlite3_column_int64(st, 2))) < 0 ||
            json_object_set_new(o, "sources", json_integer(sqlite3_column_int64(st, 3))) < 0 ||
            json_object_set_new(o, "conflicts", json_integer(sqlite3_column_int64(st, 4))) < 0 ||
            json_object_set_new(o, "first_seen", time_json(sqlite3_column_int64(st, 5))) < 0 ||
            json_object_set_new(o, "last_seen", time_json(sqlite3_column_int64(st, 6))) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/* Appends the ids a one-column statement yields bound to id into arr. */
static int ids_into(struct store *s, enum stmt_id sid, int64_t id, json_t *arr) {
        sqlite3_stmt *st;
        int rc, r = stmt_get(s, sid, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (json_array_append_new(arr, json_integer(sqlite3_column_int64(st, 0))) < 0) {
                        r = -ENOMEM;
                        break;
                }
        sqlite3_reset(st);
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_errno(rc);
        return r;
}

int store_get_event_json(struct store *s, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        json_t *o = NULL, *arts = NULL, *confs = NULL;
        int r, rc, began;

        if (!s || !ret)
                return -EINVAL;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_EVENT_GET, &st);
        if (r < 0)
                goto out;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                o = event_row_json(st);
                if (!o)
                        r = -ENOMEM;
        } else
                r = rc == SQLITE_DONE ? -ENOENT : store_errno(rc);
        sqlite3_reset(st);
        if (r < 0)
                goto out;
        arts = json_array();
        confs = json_array();
        if (!arts || !confs || json_object_set(o, "article_ids", arts) < 0 ||
            json_object_set(o, "conflict_ids", confs) < 0) {
                r = -ENOMEM;
                goto out;
        }
        r = ids_into(s, ST_EVENT_ARTICLES, id, arts);
        if (r >= 0)
                r = ids_into(s, ST_EVENT_CONFLICTS, id, confs);
out:
        read_end(s, began);
        json_decref(arts);
        json_decref(confs);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* event_row_json() as a feed row. */
static int event_feed_row(struct store *s, sqlite3_stmt *st, json_t **ret) {
        (void) s;
        *ret = event_row_json(st);
        return *ret ? 0 : -ENOMEM;
}

int store_list_events_json(struct store *s, int64_t since, int limit, json_t **ret) {
        sqlite3_stmt *st;
        int r, began;

        if (!s || !ret)
                return -EINVAL;
        if (limit <= 0)
                limit = 100;
        if (limit > 1000)
                limit = 1000;
        if (since < 0)
                since = 0;
        began = read_begin(s);
        if (began < 0)
                return began;
        r = stmt_get(s, ST_EVENTS_LIST, &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, since);
                sqlite3_bind_int(st, 2, limit);
                r = feed_json(s, st, "events", since, event_feed_row, ret);
        }
        read_end(s, began);
        return r;
}

int store_max_conflict_id(struct store *s, int64_t *ret) {
        sqlite3_stmt *st;
        int64_t v = 0;
        if (!s || !ret)
                return -EINVAL;
        int r = stmt_get(s, ST_MAX_CONFLICT, &st);
        if (r < 0)
                return r;
        r = stmt_int64(st, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int store_counts(struct store *s, struct store_counts *ret) {
        sqlite3_stmt *st;
        struct store_counts c = {};
        int64_t pages = 0, psize = 0;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = stmt_get(s, ST_COUNTERS_GET, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                c.articles = sqlite3_column_int64(st, 0);
                c.claims = sqlite3_column_int64(st, 1);
                c.events = sqlite3_column_int64(st, 2);
                c.conflicts = sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_errno(rc);
        if ((r = stmt_get(s, ST_PAGE_COUNT, &st)) < 0 || (r = stmt_int64(st, &pages)) < 0 ||
            (r = stmt_get(s, ST_PAGE_SIZE, &st)) < 0 || (r = stmt_int64(st, &psize)) < 0)
                return r;
        c.db_bytes = pages * psize;
        *ret = c;
        return 0;
}
