/* claimctl: parse the command line, read the token, connect, run the
 * command (parse_argv -> setup -> run). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/claimctl.h"

#ifndef CLAIMD_VERSION
#define CLAIMD_VERSION "unknown"
#endif

enum {
        ARG_URL = 0x100, ARG_TOKEN_FILE, ARG_JSON, ARG_TIMEOUT, ARG_FOLLOW, ARG_STATUS, ARG_KIND, ARG_SOURCE,
        ARG_EVENT, ARG_MIN_SCORE, ARG_SINCE, ARG_LIMIT, ARG_FROM, ARG_BATCH, ARG_PROGRESS, ARG_NO_PROGRESS,
        ARG_NOTE, ARG_REVIEWER,
};

/* Which commands take an option (NULL: every command). */
struct option_scope {
        int id;
        const char *commands;
};

static const struct option_scope scopes[] = {
        { ARG_FOLLOW, " conflicts " }, { ARG_STATUS, " conflicts " }, { ARG_KIND, " conflicts " },
        { ARG_SOURCE, " conflicts " }, { ARG_EVENT, " conflicts " }, { ARG_MIN_SCORE, " conflicts " },
        { ARG_SINCE, " conflicts events " }, { ARG_LIMIT, " conflicts events " },
        { ARG_FROM, " import " }, { ARG_BATCH, " import " }, { ARG_PROGRESS, " import " },
        { ARG_NO_PROGRESS, " import " }, { ARG_NOTE, " review " }, { ARG_REVIEWER, " review " },
};

static const struct option long_options[] = {
        { "url", required_argument, NULL, ARG_URL },
        { "token-file", required_argument, NULL, ARG_TOKEN_FILE },
        { "json", no_argument, NULL, ARG_JSON },
        { "timeout", required_argument, NULL, ARG_TIMEOUT },
        { "follow", no_argument, NULL, ARG_FOLLOW },
        { "status", required_argument, NULL, ARG_STATUS },
        { "kind", required_argument, NULL, ARG_KIND },
        { "source", required_argument, NULL, ARG_SOURCE },
        { "event", required_argument, NULL, ARG_EVENT },
        { "min-score", required_argument, NULL, ARG_MIN_SCORE },
        { "since", required_argument, NULL, ARG_SINCE },
        { "limit", required_argument, NULL, ARG_LIMIT },
        { "from", required_argument, NULL, ARG_FROM },
        { "batch", required_argument, NULL, ARG_BATCH },
        { "progress", no_argument, NULL, ARG_PROGRESS },
        { "no-progress", no_argument, NULL, ARG_NO_PROGRESS },
        { "note", required_argument, NULL, ARG_NOTE },
        { "reviewer", required_argument, NULL, ARG_REVIEWER },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

static const char *const command_names[] = { "import", "conflicts", "review", "events", "stats" };

static int bad_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad_usage(const char *command, const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "claimctl: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n\n");
        usage(stderr, command);
        return EXIT_USAGE;
}

/* A whole decimal number in [min, max], or false. */
static bool parse_number(const char *s, long long min, long long max, long long *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

/* Sets the option id to arg; returns 0 or EXIT_USAGE. */
static int set_option(struct options *o, int id, const char *arg, const char *name) {
        long long v;
        switch (id) {
        case ARG_URL: o->url = arg; return 0;
        case ARG_TOKEN_FILE: o->token_file = arg; return 0;
        case ARG_JSON: o->json = true; return 0;
        case ARG_FOLLOW: o->follow = true; return 0;
        case ARG_STATUS: o->status = arg; return 0;
        case ARG_KIND: o->kind = arg; return 0;
        case ARG_SOURCE: o->source = arg; return 0;
        case ARG_MIN_SCORE: o->min_score = arg; return 0;
        case ARG_NOTE: o->note = arg; return 0;
        case ARG_REVIEWER: o->reviewer = arg; return 0;
        case ARG_PROGRESS: o->progress = 1; return 0;
        case ARG_NO_PROGRESS: o->progress = 0; return 0;
        }
        static const struct { int id; long long min, max; } ranges[] = {
                { ARG_TIMEOUT, 1, 86400 }, { ARG_EVENT, 1, LLONG_MAX }, { ARG_SINCE, 0, LLONG_MAX },
                { ARG_LIMIT, 1, LLONG_MAX }, { ARG_FROM, 1, LLONG_MAX }, { ARG_BATCH, 1, MAX_BATCH_LINES },
        };
        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
                if (ranges[i].id != id)
                        continue;
                if (!parse_number(arg, ranges[i].min, ranges[i].max, &v)) {
                        fprintf(stderr, "claimctl: --%s: '%s' is not a whole number in %lld..%lld\n", name, arg,
                                ranges[i].min, ranges[i].max);
                        return EXIT_USAGE;
                }
                switch (id) {
                case ARG_TIMEOUT: o->timeout_sec = (int) v; break;
                case ARG_EVENT: o->event = v; break;
                case ARG_SINCE: o->since = v; break;
                case ARG_LIMIT: o->limit = v; break;
                case ARG_FROM: o->from = v; break;
                case ARG_BATCH: o->batch = (int) v; break;
                }
                return 0;
        }
        return EXIT_USAGE;
}

/* The name of the option with this id, for messages. */
static const char *option_name(int id) {
        for (const struct option *lo = long_options; lo->name; lo++)
                if (lo->val == id)
                        return lo->name;
        return "?";
}

/* Checks that every option given belongs to the command. */
static int check_scopes(const struct options *o, const bool *given) {
        char key[32];
        snprintf(key, sizeof(key), " %s ", o->command);
        for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
                if (given[scopes[i].id - ARG_URL] && !strstr(scopes[i].commands, key)) {
                        fprintf(stderr, "claimctl: --%s is not an option of '%s'\n\n", option_name(scopes[i].id),
                                o->command);
                        usage(stderr, o->command);
                        return EXIT_USAGE;
                }
        return 0;
}

/* Fills o from argv; returns -1 to go on, or the exit code (help, version,
 * bad usage). */
static int parse_argv(int argc, char **argv, struct options *o) {
        bool given[ARG_REVIEWER - ARG_URL + 1] = {};
        bool help = false;
        int c;

        *o = (struct options) { .url = getenv("CLAIMD_URL"), .timeout_sec = DEFAULT_TIMEOUT_SEC,
                                .batch = DEFAULT_BATCH_LINES, .progress = -1, .from = 1 };
        if (!o->url || !*o->url)
                o->url = DEFAULT_URL;
        while ((c = getopt_long(argc, argv, "hV", long_options, NULL)) >= 0) {
                if (c == 'h')
                        help = true;
                else if (c == 'V') {
                        printf("claimctl %s\n", CLAIMD_VERSION);
                        return EXIT_DONE;
                } else if (c >= ARG_URL && c <= ARG_REVIEWER) {
                        given[c - ARG_URL] = true;
                        if (set_option(o, c, optarg, option_name(c)) != 0) {
                                fputc('\n', stderr);
                                usage(stderr, NULL);
                                return EXIT_USAGE;
                        }
                } else
                        return bad_usage(NULL, "%s", "unknown option or missing argument (above)");
        }
        o->command = optind < argc ? argv[optind] : NULL;
        o->args = argv + optind + (optind < argc);
        o->n_args = argc - optind - (optind < argc);
        if (help) {
                usage(stdout, o->command);
                return EXIT_DONE;
        }
        if (!o->command)
                return bad_usage(NULL, "%s", "which command? (import, conflicts, review, events, stats)");
        bool known = false;
        for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++)
                known |= strcmp(o->command, command_names[i]) == 0;
        if (!known)
                return bad_usage(NULL, "unknown command '%s'", o->command);
        int r = check_scopes(o, given);
        return r ? r : -1;
}

/* The first line of the token file into *ret; returns 0 or EXIT_FAILED. */
static int read_token(const char *path, char **ret) {
        FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t size = 0;
        if (!f) {
                fprintf(stderr, "claimctl: cannot read the token file %s: %s\n", path, strerror(errno));
                return EXIT_FAILED;
        }
        ssize_t n = getline(&line, &size, f);
        fclose(f);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                line[--n] = 0;
        if (n <= 0) {
                fprintf(stderr, "claimctl: the token file %s is empty\n", path);
                free(line);
                return EXIT_FAILED;
        }
        *ret = line;
        return 0;
}

int fail(const char *what, int r, const struct api_response *resp) {
        char buf[1024];
        if (r == -EINTR)        /* Ctrl-C: the way to end --follow, said nothing about */
                return EXIT_INTERRUPTED;
        if (r < 0) {
                fprintf(stderr, "claimctl: %s: %s\n", what, api_strerror(r));
                return r == -ENOMEM ? EXIT_FAILED : EXIT_UNREACHABLE;
        }
        fprintf(stderr, "claimctl: %s: %s\n", what, resp ? api_error_text(resp, buf, sizeof(buf)) : "failed");
        if (r == 401)
                fprintf(stderr, "claimctl: give the API token with --token-file FILE\n");
        return r == 401 ? EXIT_UNAUTHORIZED : r == 404 ? EXIT_NOT_FOUND : r == 503 ? EXIT_UNAVAILABLE : EXIT_FAILED;
}

static int run(struct api *a, const struct options *o) {
        if (strcmp(o->command, "import") == 0)
                return cmd_import(a, o);
        if (strcmp(o->command, "conflicts") == 0)
                return cmd_conflicts(a, o);
        if (strcmp(o->command, "review") == 0)
                return cmd_review(a, o);
        if (strcmp(o->command, "events") == 0)
                return cmd_events(a, o);
        return cmd_stats(a, o);
}

int main(int argc, char **argv) {
        struct options o;
        char *token = NULL, err[512];
        struct api *a = NULL;

        int r = parse_argv(argc, argv, &o);
        if (r >= 0)
                return r;
        const char *tf = o.token_file;
        if (!tf && api_url_is_loopback(o.url) && access(DEFAULT_TOKEN_FILE, R_OK) == 0)
                tf = DEFAULT_TOKEN_FILE;
        if (tf && (r = read_token(tf, &token)) != 0)
                return r;
        r = api_new(o.url, token, o.timeout_sec, &a, err, sizeof(err));
        if (token) {
                explicit_bzero(token, strlen(token));
                free(token);
        }
        if (r < 0) {
                fprintf(stderr, "claimctl: --url %s\n", err);
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        }
        r = run(a, &o);
        api_free(a);
        return r;
}
