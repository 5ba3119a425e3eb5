/* For tests and operators: the query plan of every statement. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* EXPLAIN QUERY PLAN of one statement: prints it, returns 1 when a step
 * walks a whole table or index ("SCAN x", except FTS5 virtual tables whose
 * MATCH does the seeking), 0 otherwise, or a negative errno. */
static int plan_scans(struct store *s, const char *sql, FILE *log) {
        char *q = NULL;
        sqlite3_stmt *st;
        int rc, scans = 0;

        if (asprintf(&q, "EXPLAIN QUERY PLAN %s", sql) < 0)
                return -ENOMEM;
        rc = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
        free(q);
        if (rc != SQLITE_OK)
                return store_errno(rc);
        if (log)
                fprintf(log, "# %s\n", sql);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *detail = column_text(st, 3) ?: "";
                if (log)
                        fprintf(log, "#     %s\n", detail);
                if (strncmp(detail, "SCAN ", 5) == 0 && !strstr(detail, "VIRTUAL TABLE") &&
                    strcmp(detail, "SCAN CONSTANT ROW") != 0)
                        scans = 1;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
                return store_errno(rc);
        if (log && scans)
                fprintf(log, "#   ^ full scan\n");
        return scans;
}

int store_query_plan_scans(struct store *s, FILE *log) {
        int total = 0, r;

        if (!s)
                return -EINVAL;
        for (int i = 0; i < _ST_MAX; i++) {
                const char *sql = stmt_sql[i];
                if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "INSERT", 6) != 0 &&
                    strncmp(sql, "UPDATE", 6) != 0 && strncmp(sql, "DELETE", 6) != 0)
                        continue;
                r = plan_scans(s, sql, log);
                if (r < 0)
                        return r;
                total += r;
        }
        for (unsigned m = 0; m < _CF_MAX; m++) {
                sqlite3_stmt *st;
                r = conflict_list_stmt(s, m, &st);
                if (r < 0)
                        return r;
                r = plan_scans(s, sqlite3_sql(st), log);
                if (r < 0)
                        return r;
                total += r;
        }
        return total;
}
