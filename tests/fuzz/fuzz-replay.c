/* A main() for the fuzz targets when they are built without libFuzzer (gcc,
 * CI): runs LLVMFuzzerTestOneInput() once on every file named on the command
 * line, or on every regular file of a named directory, in name order.  Each
 * input gets a malloc'ed buffer of exactly its size, so a sanitizer build
 * sees reads past the end.  Exits 0 when every input ran, 1 when a file
 * could not be read (a crash in the target aborts the program). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Reads the file at path into a new buffer of exactly its size; returns 0
 * and fills *ret and *ret_size, or a negative errno. */
static int read_input(const char *path, uint8_t **ret, size_t *ret_size) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;

        uint8_t *buf = NULL;
        size_t size = 0;
        for (;;) {
                uint8_t chunk[65536];
                size_t n = fread(chunk, 1, sizeof(chunk), f);
                if (n == 0)
                        break;
                uint8_t *p = realloc(buf, size + n);
                if (!p) {
                        free(buf);
                        fclose(f);
                        return -ENOMEM;
                }
                buf = p;
                memcpy(buf + size, chunk, n);
                size += n;
        }
        int r = ferror(f) ? -EIO : 0;
        fclose(f);
        if (r < 0) {
                free(buf);
                return r;
        }
        if (!buf)
                buf = malloc(1);        /* an empty input still gets a (zero-size) buffer */
        if (!buf)
                return -ENOMEM;
        *ret = buf;
        *ret_size = size;
        return 0;
}

/* Runs the target on one file; returns 0 or a negative errno. */
static int run_file(const char *path) {
        uint8_t *buf;
        size_t size;
        int r = read_input(path, &buf, &size);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        fprintf(stderr, "running %s (%zu bytes)\n", path, size);
        LLVMFuzzerTestOneInput(buf, size);
        free(buf);
        return 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Runs the target on every regular file in dir (not recursing), sorted by
 * name; returns the number of files run, or a negative errno. */
static int run_dir(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return -errno;

        char **names = NULL;
        size_t n = 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char **p = realloc(names, (n + 1) * sizeof(*names));
                if (!p || asprintf(&p[n], "%s/%s", dir, de->d_name) < 0) {
                        names = p ? p : names;
                        r = -ENOMEM;
                        break;
                }
                names = p;
                n++;
        }
        closedir(d);

        if (r == 0)
                qsort(names, n, sizeof(*names), compare_names);
        int count = 0;
        for (size_t i = 0; i < n; i++) {
                struct stat s;
                if (r == 0 && stat(names[i], &s) == 0 && S_ISREG(s.st_mode)) {
                        if (run_file(names[i]) < 0)
                                r = -EIO;
                        else
                                count++;
                }
                free(names[i]);
        }
        free(names);
        return r < 0 ? r : count;
}

/* The targets may define LLVMFuzzerInitialize(); most do not. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv) {
        return 0;
}

int main(int argc, char **argv) {
        int total = 0;
        bool failed = false;

        LLVMFuzzerInitialize(&argc, &argv);
        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                struct stat s;
                if (stat(argv[i], &s) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        failed = true;
                } else if (S_ISDIR(s.st_mode)) {
                        int r = run_dir(argv[i]);
                        if (r < 0) {
                                fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
                                failed = true;
                        } else
                                total += r;
                } else if (run_file(argv[i]) < 0)
                        failed = true;
                else
                        total++;
        }
        printf("%d inputs replayed\n", total);
        if (total == 0)
                failed = true;  /* an empty corpus is a packaging mistake */
        return failed ? 1 : 0;
}
