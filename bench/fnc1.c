/* See fnc1.h.  A small RFC 4180 reader: quoted fields may hold commas,
 * newlines and "" for a quote. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnc1.h"

struct csv {
        const char *p, *end;
};

/* Reads a whole file into a NUL-terminated buffer; 0 or a negative errno. */
static int slurp(const char *path, char **ret, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
                if (cap - len < 65536) {
                        cap = cap ? cap * 2 : 1 << 20;
                        char *nb = realloc(buf, cap + 1);
                        if (!nb) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                size_t k = fread(buf + len, 1, cap - len, f);
                len += k;
                if (k == 0)
                        break;
        }
        int err = ferror(f) ? -EIO : 0;
        fclose(f);
        if (err < 0) {
                free(buf);
                return err;
        }
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

/* Reads one field into a new string; *ret_eol tells whether it ended the
 * record.  Returns 1, 0 at the end of the input, or -ENOMEM. */
static int csv_field(struct csv *c, char **ret, int *ret_eol) {
        if (c->p >= c->end)
                return 0;
        size_t cap = 64, n = 0;
        char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        bool quoted = *c->p == '"';
        if (quoted)
                c->p++;
        int eol = 0;
        for (;;) {
                if (c->p >= c->end) {
                        eol = 1;
                        break;
                }
                char ch = *c->p;
                if (quoted) {
                        if (ch == '"') {
                                if (c->p + 1 < c->end && c->p[1] == '"') {
                                        c->p += 2;
                                        ch = '"';
                                        goto put;
                                }
                                quoted = false;
                                c->p++;
                                continue;
                        }
                        c->p++;
                } else {
                        if (ch == ',') {
                                c->p++;
                                break;
                        }
                        if (ch == '\n' || ch == '\r') {
                                if (ch == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
                                        c->p++;
                                c->p++;
                                eol = 1;
                                break;
                        }
                        c->p++;
                }
put:
                if (n + 2 > cap) {
                        cap *= 2;
                        char *nb = realloc(out, cap);
                        if (!nb) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = nb;
                }
                out[n++] = ch;
        }
        out[n] = '\0';
        *ret = out;
        *ret_eol = eol;
        return 1;
}

/* Reads one record of up to max fields (extra fields are dropped).
 * Returns the number of fields, 0 at the end, or -ENOMEM. */
static int csv_record(struct csv *c, char **fields, int max) {
        int n = 0, eol = 0;
        while (!eol) {
                char *f;
                int r = csv_field(c, &f, &eol);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (n < max)
                        fields[n++] = f;
                else
                        free(f);
        }
        return n;
}

size_t count_words(const char *s) {
        size_t n = 0;
        bool in = false;
        for (; s && *s; s++) {
                bool sp = isspace((unsigned char) *s);
                if (!sp && !in)
                        n++;
                in = !sp;
        }
        return n;
}

static void free_fields(char **f, int n) {
        for (int i = 0; i < n; i++)
                free(f[i]);
}

static struct fnc1_body *find_body(struct fnc1 *f, long id) {
        size_t lo = 0, hi = f->n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (f->bodies[mid].id < id)
                        lo = mid + 1;
                else if (f->bodies[mid].id > id)
                        hi = mid;
                else
                        return &f->bodies[mid];
        }
        return NULL;
}

static int body_cmp(const void *x, const void *y) {
        const struct fnc1_body *a = x, *b = y;
        return (a->id > b->id) - (a->id < b->id);
}

/* Gives bodies titles and story numbers from the stances file. */
static int load_stances(struct fnc1 *f, const char *path) {
        char *buf;
        size_t len;
        int r = slurp(path, &buf, &len);
        if (r < 0)
                return r;
        struct csv c = { buf, buf + len };
        char *fl[3];
        char **heads = NULL;
        size_t nheads = 0, capheads = 0;
        bool header = true;

        for (;;) {
                int n = csv_record(&c, fl, 3);
                if (n < 0) {
                        r = n;
                        break;
                }
                if (n == 0)
                        break;
                if (header || n < 3 || strcmp(fl[2], "unrelated") == 0) {
                        header = false;
                        free_fields(fl, n);
                        continue;
                }
                struct fnc1_body *b = find_body(f, strtol(fl[1], NULL, 10));
                if (!b || b->title) {
                        free_fields(fl, n);
                        continue;
                }
                /* story: index of this headline among the ones seen */
                size_t k;
                for (k = 0; k < nheads && strcmp(heads[k], fl[0]) != 0; k++)
                        ;
                if (k == nheads) {
                        if (nheads == capheads) {
                                capheads = capheads ? capheads * 2 : 256;
                                char **nh = realloc(heads, capheads * sizeof(*heads));
                                if (!nh) {
                                        free_fields(fl, n);
                                        r = -ENOMEM;
                                        break;
                                }
                                heads = nh;
                        }
                        heads[nheads++] = strdup(fl[0]);
                }
                b->story = k + 1;
                b->title = fl[0];
                b->words += count_words(b->title);
                free(fl[1]);
                free(fl[2]);
        }
        for (size_t i = 0; i < nheads; i++)
                free(heads[i]);
        free(heads);
        free(buf);
        return r;
}

int fnc1_load(const char *bodies_path, const char *stances_path, struct fnc1 *ret) {
        char *buf;
        size_t len;
        int r = slurp(bodies_path, &buf, &len);
        if (r < 0)
                return r;

        struct fnc1 f = {};
        size_t cap = 0;
        struct csv c = { buf, buf + len };
        char *fl[2];
        bool header = true;

        for (;;) {
                int n = csv_record(&c, fl, 2);
                if (n < 0) {
                        r = n;
                        goto fail;
                }
                if (n == 0)
                        break;
                if (header || n < 2 || !*fl[1]) {
                        header = false;
                        free_fields(fl, n);
                        continue;
                }
                if (f.n == cap) {
                        cap = cap ? cap * 2 : 2048;
                        struct fnc1_body *nb = realloc(f.bodies, cap * sizeof(*nb));
                        if (!nb) {
                                free_fields(fl, n);
                                r = -ENOMEM;
                                goto fail;
                        }
                        f.bodies = nb;
                }
                f.bodies[f.n++] = (struct fnc1_body) {
                        .id = strtol(fl[0], NULL, 10),
                        .text = fl[1],
                        .words = count_words(fl[1]),
                };
                free(fl[0]);
        }
        free(buf);
        buf = NULL;
        if (f.n == 0) {
                r = -ENODATA;
                goto fail;
        }
        qsort(f.bodies, f.n, sizeof(*f.bodies), body_cmp);
        if (stances_path) {
                r = load_stances(&f, stances_path);
                if (r < 0)
                        goto fail;
        }
        *ret = f;
        return 0;

fail:
        free(buf);
        fnc1_free(&f);
        return r;
}

void fnc1_free(struct fnc1 *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->bodies[i].text);
                free(f->bodies[i].title);
        }
        free(f->bodies);
        *f = (struct fnc1) {};
}
