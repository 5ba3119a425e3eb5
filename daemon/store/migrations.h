/* Numbered schema migrations of the store, kept in PRAGMA user_version, and
 * the mapping of SQLite result codes to the negative errnos store.h promises. */
#pragma once

#include <sqlite3.h>

/* The schema version this build writes. */
int migrations_latest(void);

/* Reads the schema version of db into *ret; returns 0 or a negative errno. */
int migrations_version(sqlite3 *db, int *ret);

/* Brings db up to migrations_latest(), each step in its own BEGIN IMMEDIATE
 * transaction that also bumps user_version, so an interrupted upgrade resumes
 * where it stopped.  Returns 0, -EPROTO when db was written by a newer
 * version, or a negative errno from store_errno(). */
int migrations_apply(sqlite3 *db);

/* The same, stopping at version (for tests that build an older database). */
int migrations_apply_until(sqlite3 *db, int version);

/* Maps a SQLite result code to a negative errno: BUSY/LOCKED -> -EBUSY,
 * FULL -> -ENOSPC, READONLY -> -EROFS, NOMEM -> -ENOMEM, CONSTRAINT ->
 * -EEXIST, everything else (CANTOPEN, IOERR, CORRUPT, ...) -> -EIO. */
int store_errno(int sqlite_rc);
