/* Opening (creating, migrating) and closing a store connection, and
 * dropping the writer's caches of the store's content. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-internal.h"

static int pragma(sqlite3 *db, const char *sql) {
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : store_errno(rc);
}

int store_open(const char *path, bool readonly, struct store **ret) {
        struct store *s;
        int rc, r, v;

        if (!path || !ret)
                return -EINVAL;
        /* The writer creates the database; a reader opened before that has
         * nothing to read yet. */
        if (readonly && access(path, F_OK) < 0)
                return -errno;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->readonly = readonly;
        s->df.gen = 1;          /* a mem_event df_gen of 0 means "not known" */
        if ((r = claim_cache_init(&s->cc, CLAIM_CACHE_MAX)) < 0) {
                free(s);
                return r;
        }

        int flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY
                                                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        rc = sqlite3_open_v2(path, &s->db, flags, NULL);
        if (rc != SQLITE_OK) {
                r = rc == SQLITE_CANTOPEN ? -EIO : store_errno(rc);
                goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, 5000);

        if (!readonly) {
                /* WAL: readers never block the writer nor see half a commit.
                 * synchronous=FULL: each COMMIT also fsyncs the WAL, so an
                 * acknowledged article survives not only kill -9 (which
                 * NORMAL already guarantees in WAL mode: a committed frame
                 * is in the OS page cache before COMMIT returns) but also a
                 * power cut or kernel crash, which NORMAL does not; the cost
                 * is one fsync per commit, which batching amortises. */
                sqlite3_stmt *st;
                rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
                if (rc == SQLITE_OK) {
                        rc = sqlite3_step(st);
                        const char *mode = rc == SQLITE_ROW ? column_text(st, 0) : NULL;
                        rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_IOERR;
                        sqlite3_finalize(st);
                }
                if (rc != SQLITE_OK) {
                        r = store_errno(rc);
                        goto fail;
                }
                if ((r = pragma(s->db, "PRAGMA synchronous = FULL")) < 0 ||
                    (r = pragma(s->db, "PRAGMA foreign_keys = ON")) < 0 ||
                    (r = pragma(s->db, "PRAGMA journal_size_limit = 67108864")) < 0 ||
                    (r = pragma(s->db, "PRAGMA temp_store = MEMORY")) < 0 ||
                    (r = pragma(s->db, "PRAGMA cache_size = -16000")) < 0)
                        goto fail;
                r = migrations_apply(s->db);
                if (r < 0)
                        goto fail;
                r = register_rank(s->db);
                if (r < 0)
                        goto fail;
        } else {
                if ((r = pragma(s->db, "PRAGMA query_only = ON")) < 0 ||
                    (r = pragma(s->db, "PRAGMA cache_size = -8000")) < 0)
                        goto fail;
                r = migrations_version(s->db, &v);
                if (r < 0)
                        goto fail;
                if (v > migrations_latest()) {
                        r = -EPROTO;
                        goto fail;
                }
                if (v < migrations_latest()) {
                        r = -EAGAIN;    /* the writer has not migrated it yet */
                        goto fail;
                }
        }
        r = store_file_init(&s->file, path);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        store_close(s);
        return r;
}

int store_file_state(struct store *s) {
        if (!s->file_lost)
                s->file_lost = store_file_check(&s->file);
        return s->file_lost;
}

int store_save_copy(struct store *s, const char *dest) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?1", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
                unlink(dest);
                return store_errno(rc) ?: -EIO;
        }
        return 0;
}

void store_close(struct store *s) {
        if (!s)
                return;
        for (int i = 0; i < _ST_MAX; i++)
                sqlite3_finalize(s->stmts[i]);
        for (int i = 0; i < _CF_MAX; i++)
                sqlite3_finalize(s->conflict_lists[i]);
        df_cache_clear(s);
        df_pending_clear(s);
        claim_cache_done(&s->cc);
        pools_clear(s);
        event_index_clear(&s->events);
        store_file_done(&s->file);
        if (s->db && !s->readonly)
                /* Fold the WAL into the database file: the read-only
                 * connection closes after the writer and may not, so
                 * without this a stopped daemon leaves recent articles only
                 * in claimd.db-wal, and a copy of claimd.db alone (a backup
                 * of the stopped service) would miss them.  A busy or failed
                 * checkpoint loses nothing: the WAL stays and is read. */
                sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        if (s->db)
                sqlite3_close_v2(s->db);
        free(s);
}

/* Drops what the writer caches of the store's content: after a rollback
 * (rowids may be reused) or expiry. */
void caches_clear(struct store *s) {
        df_cache_clear(s);
        claim_cache_clear(&s->cc);
        pools_clear(s);
        event_index_clear(&s->events);
}
