/* claimctl import FILE: posts the articles of a JSON-lines file in NDJSON
 * batches (POST /v1/articles, Content-Type: application/x-ndjson, one
 * result line per article).  A batch answered 503, or not answered, is sent
 * again with backoff; a batch too large for the daemon (413) is split; a line
 * claimd rejects is reported with its line number and the import goes on.
 * When the import cannot go on (claimd unreachable or still overloaded, no
 * token, interrupted) it says which line to resume from: everything before
 * it is stored, and a line sent twice is answered as a duplicate, so
 * resuming from there never stores an article twice. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "client/claimctl.h"
#include "client/print.h"
#include "client/progress.h"

#define MAX_BATCH_BYTES (1u << 20)      /* half the daemon's default max_body_bytes */

/* One line of the file in the batch: where it is in the body and the file. */
struct line_ref {
        long long line;         /* line number in the file, from 1 */
        long long end_offset;   /* the file offset after the line */
        size_t start, end;      /* its bytes in the batch body, with its '\n' */
};

struct import {
        struct api *a;
        const struct options *o;
        const char *name;
        FILE *in;
        struct progress progress;
        long long line_no, offset;      /* lines and bytes read so far */
        char *carry;                    /* a line read that did not fit the last batch */
        size_t carry_len;
        long long carry_line, carry_end;
        char *body;
        size_t body_len, body_size;
        struct line_ref refs[MAX_BATCH_LINES];
        size_t n;
        long long created, duplicates, rejected;
        long long resume_line;          /* the first line not known to be stored */
        bool stopped;                   /* resume_line names where a failure stopped it */
        long long seen_content;         /* non-blank lines read */
        long long done_offset;
};

static bool blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                        return false;
        return true;
}

/* Adds one line (and a '\n') to the batch. */
static int batch_add(struct import *im, const char *s, size_t n, long long line, long long end_offset) {
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
                n--;
        if (im->body_len + n + 1 > im->body_size) {
                size_t ns = im->body_size ? im->body_size * 2 : 64 * 1024;
                while (ns < im->body_len + n + 1)
                        ns *= 2;
                char *nb = realloc(im->body, ns);
                if (!nb)
                        return -ENOMEM;
                im->body = nb;
                im->body_size = ns;
        }
        memcpy(im->body + im->body_len, s, n);
        im->body[im->body_len + n] = '\n';
        im->refs[im->n] = (struct line_ref) { line, end_offset, im->body_len, im->body_len + n + 1 };
        im->body_len += n + 1;
        im->n++;
        return 0;
}

/* Reads lines into a new batch: up to --batch lines and MAX_BATCH_BYTES
 * (a longer line goes alone).  Returns the number of lines, or -errno. */
static long batch_fill(struct import *im) {
        char *line = NULL;
        size_t size = 0;
        ssize_t n;

        im->n = im->body_len = 0;
        if (im->carry) {
                int r = batch_add(im, im->carry, im->carry_len, im->carry_line, im->carry_end);
                free(im->carry);
                im->carry = NULL;
                if (r < 0)
                        return r;
        }
        while (im->n < (size_t) im->o->batch && (n = getline(&line, &size, im->in)) > 0) {
                im->line_no++;
                im->offset += n;
                if (blank(line, (size_t) n))
                        continue;
                if (!im->seen_content++ && line[strspn(line, " \t")] == '[') {
                        free(line);     /* one JSON array, not one object a line */
                        return -EMEDIUMTYPE;
                }
                if (im->line_no < im->o->from)
                        continue;
                if (im->n > 0 && im->body_len + (size_t) n > MAX_BATCH_BYTES) {
                        im->carry = line;       /* the next batch starts with it */
                        im->carry_len = (size_t) n;
                        im->carry_line = im->line_no;
                        im->carry_end = im->offset;
                        return (long) im->n;
                }
                int r = batch_add(im, line, (size_t) n, im->line_no, im->offset);
                if (r < 0) {
                        free(line);
                        return r;
                }
        }
        free(line);
        if (ferror(im->in))
                return -errno;
        return (long) im->n;
}

/* One result line of claimd's answer, for the batch line i. */
static void count_result(struct import *im, size_t i, json_t *res) {
        int status = (int) json_integer_value(json_object_get(res, "status"));
        if (im->o->json) {
                json_object_set_new(res, "line", json_integer(im->refs[i].line));
                print_json_line(stdout, res);
        }
        if (status == 201)
                im->created++;
        else if (status == 200)
                im->duplicates++;
        else {
                json_t *e = json_object_get(res, "error");
                const char *field = json_string_value(json_object_get(e, "field"));
                im->rejected++;
                progress_end(&im->progress);
                fprintf(stderr, "claimctl: %s:%lld: rejected: %d %s: %s%s%s%s\n", im->name, im->refs[i].line, status,
                        str_or(json_string_value(json_object_get(e, "code")), "?"),
                        str_or(json_string_value(json_object_get(e, "message")), ""), field ? " (field " : "",
                        str_or(field, ""), field ? ")" : "");
        }
}

static int send_range(struct import *im, size_t from, size_t to, int tries_left);

/* Reads the NDJSON answer to lines from..to; lines answered 503 are sent
 * again (after a pause) while tries are left. */
static int take_results(struct import *im, size_t from, size_t to, const struct api_response *resp, int tries_left) {
        size_t i = from, off = 0;
        int r = 0;

        while (off < resp->len && i < to) {
                const char *nl = memchr(resp->body + off, '\n', resp->len - off);
                size_t n = nl ? (size_t) (nl - (resp->body + off)) : resp->len - off;
                json_t *res = json_loadb(resp->body + off, n, 0, NULL);
                off += n + 1;
                if (!res)
                        continue;
                if (json_integer_value(json_object_get(res, "status")) == 503 && tries_left > 1) {
                        json_decref(res);
                        if ((r = api_sleep(im->a, 1.0)) < 0 || (r = send_range(im, i, i + 1, tries_left - 1)) != 0)
                                return r < 0 ? fail("import", r, NULL) : r;
                } else {
                        count_result(im, i, res);
                        json_decref(res);
                }
                i++;
        }
        if (i < to) {
                fprintf(stderr, "claimctl: %s: claimd answered %zu of %zu lines\n", im->name, i - from, to - from);
                return EXIT_UNREACHABLE;
        }
        return 0;
}

/* Posts lines from..to of the batch; returns 0 or the exit code to stop
 * with (and then im->resume_line is the first line of the range). */
static int send_range(struct import *im, size_t from, size_t to, int tries_left) {
        struct api_response resp = {};
        const char *body = im->body + im->refs[from].start;
        size_t len = im->refs[to - 1].end - im->refs[from].start;
        int r = api_request_retry(im->a, "POST", "/v1/articles", "application/x-ndjson", body, len, tries_left, &resp);

        if (r == 0 && resp.status == 413 && to - from > 1) {
                size_t mid = from + (to - from) / 2;
                api_response_clear(&resp);
                r = send_range(im, from, mid, tries_left);
                return r ? r : send_range(im, mid, to, tries_left);
        }
        if (r == 0 && resp.status == 413) {
                char buf[512];
                im->rejected++;
                fprintf(stderr, "claimctl: %s:%lld: rejected: %s\n", im->name, im->refs[from].line,
                        api_error_text(&resp, buf, sizeof(buf)));
                api_response_clear(&resp);
                return 0;
        }
        if (r == 0 && resp.status == 200)
                r = take_results(im, from, to, &resp, tries_left);
        else {
                progress_end(&im->progress);
                r = fail("import: POST /v1/articles", r ? r : resp.status, &resp);
        }
        api_response_clear(&resp);
        if (r != 0 && !im->stopped) {   /* the innermost failing range says where */
                im->resume_line = im->refs[from].line;
                im->stopped = true;
        }
        return r;
}

/* Where the import stands, at the end or where it stopped. */
static void summary(struct import *im, bool complete, double seconds) {
        long long n = im->created + im->duplicates + im->rejected;
        if (im->o->json) {
                json_t *s = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I,s:I}", "file", im->name, "complete", complete,
                                      "articles", n, "created", im->created, "duplicates", im->duplicates,
                                      "rejected", im->rejected, "next_line", im->resume_line);
                json_t *line = s ? json_pack("{s:o}", "summary", s) : NULL;
                if (line)
                        print_json_line(stdout, line);
                json_decref(line);
        } else
                printf("%s: %lld article%s: %lld new, %lld duplicate%s, %lld rejected in %.1f s (%.0f/s)\n", im->name,
                       n, n == 1 ? "" : "s", im->created, im->duplicates, im->duplicates == 1 ? "" : "s", im->rejected,
                       seconds, seconds > 0 ? (double) n / seconds : 0.0);
        if (!complete)
                fprintf(stderr, "claimctl: import stopped at line %lld of %s; everything before it is stored. "
                        "Resume with:\n  claimctl import --from %lld %s\n", im->resume_line, im->name,
                        im->resume_line, im->name);
}

static int open_input(struct import *im, const char *name) {
        struct stat st;
        im->name = name;
        im->in = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
        if (!im->in) {
                fprintf(stderr, "claimctl: cannot open %s: %s\n", name, strerror(errno));
                return EXIT_FAILED;
        }
        long long size = fstat(fileno(im->in), &st) == 0 && S_ISREG(st.st_mode) ? (long long) st.st_size : -1;
        progress_init(&im->progress, stderr, im->o->progress, size, 0);
        return 0;
}

int cmd_import(struct api *a, const struct options *o) {
        struct import im = { .a = a, .o = o, .resume_line = o->from };
        int r = 0;
        long n;

        if (o->n_args != 1) {
                fprintf(stderr, "claimctl: import takes one FILE ('-' for stdin)\n\n");
                usage(stderr, "import");
                return EXIT_USAGE;
        }
        if ((r = open_input(&im, o->args[0])) != 0)
                return r;
        double t0 = progress_now();
        while ((n = batch_fill(&im)) > 0) {
                if ((r = send_range(&im, 0, (size_t) n, DEFAULT_TRIES)) != 0)
                        break;
                im.done_offset = im.refs[n - 1].end_offset;
                im.resume_line = im.carry ? im.carry_line : im.line_no + 1;
                progress_show(&im.progress, im.resume_line, im.done_offset, im.created, im.duplicates, im.rejected,
                              false);
        }
        if (n == -EMEDIUMTYPE)
                fprintf(stderr, "claimctl: %s holds a JSON array; import wants one article object a line "
                        "(JSON lines), e.g.: jq -c '.[]' %s > articles.jsonl\n", im.name, im.name);
        else if (n < 0)
                fprintf(stderr, "claimctl: reading %s: %s\n", im.name, strerror((int) -n));
        if (n < 0)
                r = EXIT_FAILED;
        if (r == 0)
                progress_show(&im.progress, im.resume_line, im.done_offset, im.created, im.duplicates, im.rejected,
                              true);
        progress_end(&im.progress);
        summary(&im, r == 0, progress_now() - t0);
        if (im.in != stdin)
                fclose(im.in);
        free(im.body);
        free(im.carry);
        return r ? r : im.rejected ? EXIT_FAILED : EXIT_DONE;
}
