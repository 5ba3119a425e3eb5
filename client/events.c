/* claimctl events [--since ID] [--limit N]: the events (groups of articles
 * that report one happening), page by page from GET /v1/events. */
#include <stdio.h>

#include <jansson.h>

#include "client/claimctl.h"
#include "client/print.h"

#define PAGE 1000

int cmd_events(struct api *a, const struct options *o) {
        long long since = o->since, printed = 0;
        char target[128];

        if (o->n_args != 0) {
                fprintf(stderr, "claimctl: events takes no operand ('%s'?)\n\n", o->args[0]);
                usage(stderr, "events");
                return EXIT_USAGE;
        }
        for (;;) {
                long long want = o->limit ? o->limit - printed : PAGE;
                if (want <= 0)
                        return EXIT_DONE;
                struct api_response resp = {};
                json_t *j = NULL;
                snprintf(target, sizeof(target), "/v1/events?since=%lld&limit=%lld", since, want < PAGE ? want : PAGE);
                int r = api_get_json(a, target, &j, &resp);
                if (r != 0) {
                        r = fail("GET /v1/events", r, &resp);
                        api_response_clear(&resp);
                        return r;
                }
                json_t *list = json_object_get(j, "events"), *e;
                size_t i;
                json_array_foreach(list, i, e) {
                        if (o->json)
                                print_json_line(stdout, e);
                        else
                                print_event_line(stdout, e);
                        since = json_integer_value(json_object_get(e, "id"));
                        printed++;
                }
                size_t n = json_array_size(list);
                json_decref(j);
                if (n == 0)
                        return EXIT_DONE;
        }
}
