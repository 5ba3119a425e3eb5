/* claimctl review ID confirm|dismiss|reopen [--note T] [--reviewer R]:
 * PATCH /v1/conflicts/ID {"status", "note", "reviewer"} (API.md, Review),
 * then the conflict as claimd answers it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <unistd.h>

#include <jansson.h>

#include "client/claimctl.h"
#include "client/print.h"

static const struct {
        const char *action, *status;
} actions[] = {
        { "confirm", "confirmed" },
        { "dismiss", "dismissed" },
        { "reopen", "open" },
};

static int review_usage(const char *why, ...) __attribute__((format(printf, 1, 2)));
static int review_usage(const char *why, ...) {
        va_list ap;
        fprintf(stderr, "claimctl: review: ");
        va_start(ap, why);
        vfprintf(stderr, why, ap);
        va_end(ap);
        fprintf(stderr, "\n\n");
        usage(stderr, "review");
        return EXIT_USAGE;
}

/* The PATCH body; NULL when out of memory. */
static char *review_body(const char *status, const struct options *o) {
        const char *reviewer = o->reviewer ? o->reviewer : getenv("USER");
        if (!o->reviewer && (!reviewer || !*reviewer)) {
                const struct passwd *pw = getpwuid(geteuid());
                reviewer = pw ? pw->pw_name : NULL;
        }
        json_t *j = json_pack("{s:s}", "status", status);
        if (j && o->note && json_object_set_new(j, "note", json_string(o->note)) < 0)
                json_decref(j), j = NULL;
        if (j && reviewer && *reviewer && json_object_set_new(j, "reviewer", json_string(reviewer)) < 0)
                json_decref(j), j = NULL;
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        return s;
}

/* Prints the reviewed conflict and its review. */
static int show_review(const struct api_response *resp, const struct options *o) {
        json_t *c = json_loadb(resp->body, resp->len, 0, NULL);
        if (!c) {
                fprintf(stderr, "claimctl: review: claimd's answer is not JSON\n");
                return EXIT_UNREACHABLE;
        }
        if (o->json)
                print_json_line(stdout, c);
        else {
                json_t *rv = json_object_get(c, "review");
                const char *who = json_string_value(json_object_get(rv, "reviewer"));
                const char *note = json_string_value(json_object_get(rv, "note"));
                print_conflict_line(stdout, c);
                printf("  review: %s%s%s%s%s\n", str_or(json_string_value(json_object_get(c, "status")), "?"),
                       who ? " by " : "", who ? who : "", note ? ": " : "", note ? note : "");
        }
        json_decref(c);
        return EXIT_DONE;
}

int cmd_review(struct api *a, const struct options *o) {
        char target[64], what[96];
        const char *status = NULL;
        long long id;
        char *end;

        if (o->n_args != 2)
                return review_usage("%s", "give the conflict id and confirm, dismiss or reopen");
        errno = 0;
        id = strtoll(o->args[0], &end, 10);
        if (!*o->args[0] || *end || errno || id <= 0)
                return review_usage("'%s' is not a conflict id (a positive whole number)", o->args[0]);
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
                if (strcmp(o->args[1], actions[i].action) == 0)
                        status = actions[i].status;
        if (!status)
                return review_usage("'%s': confirm, dismiss or reopen", o->args[1]);
        char *body = review_body(status, o);
        if (!body)
                return fail("review", -ENOMEM, NULL);

        struct api_response resp = {};
        snprintf(target, sizeof(target), "/v1/conflicts/%lld", id);
        snprintf(what, sizeof(what), "PATCH %s", target);
        int r = api_request_retry(a, "PATCH", target, "application/json", body, strlen(body), DEFAULT_TRIES, &resp);
        free(body);
        if (r == 0 && resp.status == 200)
                r = show_review(&resp, o);
        else if (r == 0 && resp.status == 405) {
                fprintf(stderr, "claimctl: %s: this claimd takes no reviews (405): it is older than the review "
                        "feature of API.md\n", what);
                r = EXIT_FAILED;
        } else
                r = fail(what, r ? r : resp.status, &resp);
        api_response_clear(&resp);
        return r;
}
