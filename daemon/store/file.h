/* Is the database file at a path still the one a connection opened?  An
 * operator (or a clean-up script) may delete claimd.db* or move another
 * file over it while claimd runs; SQLite keeps writing into the open,
 * unlinked inode and every later commit is lost at the next restart.  A
 * store notes the identity (device, inode) of its file and its WAL when it
 * opens and compares them with what the path holds now: three stat() calls,
 * cheap enough for every group commit. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct store_file {
        char *path;
        dev_t dev, wal_dev;
        ino_t ino, wal_ino;
        bool wal_known;         /* the WAL existed when last looked at */
};

/* Notes the identity of path and path-wal (which may not exist yet: it is
 * noted at the first check that finds it).  0, -ENOMEM, or -errno of stat(). */
int store_file_init(struct store_file *f, const char *path);
void store_file_done(struct store_file *f);

/* 0 while path (and its WAL) are the files noted; -ENOENT when one was
 * deleted, -ESTALE when another file took its place.  A stat() that fails
 * otherwise (EACCES, EIO) tells nothing and returns 0: SQLite reports its
 * own errors. */
int store_file_check(struct store_file *f);
