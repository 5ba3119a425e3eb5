/* claimctl's usage text, whole or for one command.  man/claimctl.1.scd
 * describes the same commands and options at length (man/check-man-pages.py
 * checks that every one named here is there). */
#include <stdio.h>
#include <string.h>

#include "client/claimctl.h"

struct command_help {
        const char *name;
        const char *synopsis;
        const char *text;
};

static const struct command_help commands[] = {
        { "import", "claimctl [OPTIONS] import [--from N] [--batch N] [--progress|--no-progress] FILE",
          "  Post the articles of FILE (one JSON object a line, as JSON lines or NDJSON;\n"
          "  '-' reads stdin) in batches; answers 503 are retried with backoff.  When it\n"
          "  stops early it prints the line to resume from.\n"
          "      --from N          start at line N of FILE (resume an import that stopped)\n"
          "      --batch N         articles per request, 1..1000 (default 100)\n"
          "      --progress        a progress bar with rate and ETA (default on a terminal)\n"
          "      --no-progress     plain progress lines instead\n" },
        { "conflicts", "claimctl [OPTIONS] conflicts [--follow] [--status S] [--kind K] [FILTERS]",
          "  List conflicts, one line each: id, kind, score, status, both speakers and\n"
          "  what each says.\n"
          "      --follow          then print new conflicts (and reviews) as they come\n"
          "      --status S        open, confirmed or dismissed\n"
          "      --kind K          denial, negation, antonym, numeric, date, location, ...\n"
          "      --source NAME     with a claim from this outlet\n"
          "      --event ID        of this event\n"
          "      --min-score X     scoring at least X (0..1)\n"
          "      --since ID        after this conflict id (default 0: from the first)\n"
          "      --limit N         at most N conflicts (before --follow)\n" },
        { "review", "claimctl [OPTIONS] review ID confirm|dismiss|reopen [--note TEXT] [--reviewer NAME]",
          "  Confirm or dismiss conflict ID (or reopen it), with a note.\n"
          "      --note TEXT       why (at most 2,000 characters)\n"
          "      --reviewer NAME   who (default: $USER)\n" },
        { "events", "claimctl [OPTIONS] events [--since ID] [--limit N]",
          "  List events (the groups of articles that report one happening), one line each.\n" },
        { "stats", "claimctl [OPTIONS] stats",
          "  The daemon's status, version, counts, database size and ingest latency.\n" },
};

static const char common[] =
        "Options of every command:\n"
        "      --url URL         claimd's address (default $CLAIMD_URL, or http://127.0.0.1:8080)\n"
        "      --token-file FILE the API token, for writes (default /etc/claimd/api-token when\n"
        "                        it is readable and the URL is a loopback address)\n"
        "      --json            JSON instead of text: one object a line\n"
        "      --timeout SEC     give up on an answer after SEC seconds (default 60)\n"
        "  -h, --help            this help (claimctl COMMAND --help: that command's)\n"
        "  -V, --version         claimctl's version\n"
        "\n"
        "Exit status: 0 done; 1 refused by claimd or failed; 2 bad command line;\n"
        "3 claimd unreachable; 4 unauthorized; 5 not found; 6 still unavailable (503)\n"
        "after the retries; 130 interrupted.  See claimctl(1).\n";

void usage(FILE *f, const char *command) {
        size_t n = sizeof(commands) / sizeof(commands[0]);
        bool one = false;

        for (size_t i = 0; command && i < n; i++)
                one |= strcmp(command, commands[i].name) == 0;
        fprintf(f, "Usage:\n");
        for (size_t i = 0; i < n; i++)
                if (!one || strcmp(command, commands[i].name) == 0)
                        fprintf(f, "  %s\n", commands[i].synopsis);
        fprintf(f, "\n");
        if (!one)
                fprintf(f, "A client of claimd: import articles, follow and review conflicts.\n\n");
        for (size_t i = 0; i < n; i++)
                if (!one || strcmp(command, commands[i].name) == 0)
                        fprintf(f, "%s:\n%s\n", commands[i].name, commands[i].text);
        fputs(common, f);
}
