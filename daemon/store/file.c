/* See file.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"

/* stat() of path, or of path + "-wal"; returns 0 or -errno. */
static int stat_of(const char *path, bool wal, struct stat *ret) {
        char buf[4096];
        if (wal) {
                if ((size_t) snprintf(buf, sizeof(buf), "%s-wal", path) >= sizeof(buf))
                        return -ENAMETOOLONG;
                path = buf;
        }
        return stat(path, ret) < 0 ? -errno : 0;
}

int store_file_init(struct store_file *f, const char *path) {
        struct stat st;

        memset(f, 0, sizeof(*f));
        int r = stat_of(path, false, &st);
        if (r < 0)
                return r;
        f->path = strdup(path);
        if (!f->path)
                return -ENOMEM;
        f->dev = st.st_dev;
        f->ino = st.st_ino;
        if (stat_of(path, true, &st) == 0) {
                f->wal_dev = st.st_dev;
                f->wal_ino = st.st_ino;
                f->wal_known = true;
        }
        return 0;
}

void store_file_done(struct store_file *f) {
        free(f->path);
        f->path = NULL;
}

int store_file_check(struct store_file *f) {
        struct stat st;

        if (!f->path)
                return 0;
        int r = stat_of(f->path, false, &st);
        if (r == -ENOENT)
                return -ENOENT;
        if (r == 0 && (st.st_dev != f->dev || st.st_ino != f->ino))
                return -ESTALE;

        r = stat_of(f->path, true, &st);
        if (!f->wal_known) {
                if (r == 0) {
                        f->wal_dev = st.st_dev;
                        f->wal_ino = st.st_ino;
                        f->wal_known = true;
                }
                return 0;
        }
        /* while a connection is open SQLite never removes the WAL (it
         * truncates it): gone or another inode means someone else did */
        if (r == -ENOENT)
                return -ENOENT;
        if (r == 0 && (st.st_dev != f->wal_dev || st.st_ino != f->wal_ino))
                return -ESTALE;
        return 0;
}
