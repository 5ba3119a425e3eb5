/* claimctl: a command-line client of claimd (claimctl(1)).  The options
 * every command shares, the exit codes scripts can test, and one function
 * per command (each in its own file). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "client/api.h"

/* Exit codes (claimctl(1), EXIT STATUS). */
enum {
        EXIT_DONE = 0,          /* everything asked was done */
        EXIT_FAILED = 1,        /* claimd refused something (an error answer, rejected import lines),
                                 * or a local failure (a file that cannot be read) */
        EXIT_USAGE = 2,         /* a bad command line; usage is printed */
        EXIT_UNREACHABLE = 3,   /* no answer from claimd, or not one claimd gives */
        EXIT_UNAUTHORIZED = 4,  /* 401: no token, or the wrong one */
        EXIT_NOT_FOUND = 5,     /* 404: no such conflict (or the daemon lacks the endpoint) */
        EXIT_UNAVAILABLE = 6,   /* 503 still, after the retries: overloaded or the database unavailable */
        EXIT_INTERRUPTED = 130, /* SIGINT or SIGTERM */
};

#define DEFAULT_URL "http://127.0.0.1:8080"
#define DEFAULT_TOKEN_FILE "/etc/claimd/api-token"
#define DEFAULT_TIMEOUT_SEC 60
#define DEFAULT_BATCH_LINES 100
#define MAX_BATCH_LINES 1000    /* the daemon's limit per NDJSON batch */
#define DEFAULT_TRIES 8         /* attempts of a request answered 503 (about a minute and a half) */

struct options {
        const char *url;
        const char *token_file;
        bool json;
        int timeout_sec;
        /* conflicts, events */
        bool follow;
        const char *status, *kind, *source;
        long long event, since, limit;
        const char *min_score;
        /* import */
        long long from;
        int batch;
        int progress;           /* -1: on a terminal, 0: never, 1: always */
        /* review */
        const char *note, *reviewer;
        /* the command and its operands */
        const char *command;
        char **args;
        int n_args;
};

/* The exit code for a failed call: a negative errno of api.h or an HTTP
 * status; prints what went wrong (with what, e.g. "GET /healthz") on stderr. */
int fail(const char *what, int r, const struct api_response *resp);

int cmd_import(struct api *a, const struct options *o);
int cmd_conflicts(struct api *a, const struct options *o);
int cmd_review(struct api *a, const struct options *o);
int cmd_events(struct api *a, const struct options *o);
int cmd_stats(struct api *a, const struct options *o);

/* usage.c: the whole usage (or one command's) on f. */
void usage(FILE *f, const char *command);
