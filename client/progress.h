/* Import progress on stderr: on a terminal a bar redrawn in place (done
 * share, lines, rate, ETA), otherwise a plain line every few seconds. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct progress {
        FILE *out;
        bool bar;               /* redraw a bar in place */
        long long total_bytes;  /* size of the input, -1 when unknown (stdin, a pipe) */
        double started, last_shown;
        long long start_bytes;  /* bytes already behind --from when the import began */
        bool shown;             /* a bar is on the screen (end it with a newline) */
};

/* bar: -1 picks by isatty(out). */
void progress_init(struct progress *p, FILE *out, int bar, long long total_bytes, long long start_bytes);

/* Shows where the import is (at most a few times a second; every 5 s
 * without a bar, or now when force).  line: the next line of the file;
 * done_bytes: how far into the file that is; counts of what claimd did. */
void progress_show(struct progress *p, long long line, long long done_bytes, long long created,
                   long long duplicates, long long rejected, bool force);

/* Ends the bar's line, if one is shown. */
void progress_end(struct progress *p);

/* Seconds since some fixed moment (CLOCK_MONOTONIC). */
double progress_now(void);
