/* Import progress (see progress.h). */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "client/progress.h"

#define BAR_REDRAW_SEC 0.2
#define LINE_EVERY_SEC 5.0

double progress_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, FILE *out, int bar, long long total_bytes, long long start_bytes) {
        memset(p, 0, sizeof(*p));
        p->out = out;
        p->bar = bar < 0 ? isatty(fileno(out)) : bar;
        p->total_bytes = total_bytes;
        p->start_bytes = start_bytes;
        p->started = p->last_shown = progress_now();
}

/* "1h02m", "3m05s", "12s". */
static void duration(double s, char *buf, size_t size) {
        long t = (long) (s + 0.5);
        if (t >= 3600)
                snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
        else if (t >= 60)
                snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
        else
                snprintf(buf, size, "%lds", t);
}

static int terminal_width(FILE *f) {
        struct winsize ws;
        if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
                return ws.ws_col;
        return 80;
}

void progress_show(struct progress *p, long long line, long long done_bytes, long long created,
                   long long duplicates, long long rejected, bool force) {
        double now = progress_now(), elapsed = now - p->started;
        if (!force && now - p->last_shown < (p->bar ? BAR_REDRAW_SEC : LINE_EVERY_SEC))
                return;
        p->last_shown = now;
        long long n = created + duplicates + rejected;
        double rate = elapsed > 0 ? (double) n / elapsed : 0;
        double share = p->total_bytes > 0 ? (double) done_bytes / (double) p->total_bytes : -1;
        double bytes_rate = elapsed > 0 ? (double) (done_bytes - p->start_bytes) / elapsed : 0;
        char eta[32] = "?", text[256];

        if (share >= 0 && bytes_rate > 0 && done_bytes < p->total_bytes)
                duration((double) (p->total_bytes - done_bytes) / bytes_rate, eta, sizeof(eta));
        int len = snprintf(text, sizeof(text), "line %lld: %lld new, %lld duplicate%s, %lld rejected; %.0f/s",
                           line, created, duplicates, duplicates == 1 ? "" : "s", rejected, rate);
        if (share >= 0 && done_bytes < p->total_bytes && len > 0 && (size_t) len < sizeof(text))
                snprintf(text + len, sizeof(text) - (size_t) len, ", ETA %s", eta);
        if (!p->bar) {
                if (share >= 0)
                        fprintf(p->out, "import: %.0f%%, %s\n", share * 100, text);
                else
                        fprintf(p->out, "import: %s\n", text);
                fflush(p->out);
                return;
        }
        int width = terminal_width(p->out) - (int) strlen(text) - 10;
        fputc('\r', p->out);
        if (share >= 0 && width >= 10) {
                int filled = (int) (share * width + 0.5);
                fputc('[', p->out);
                for (int i = 0; i < width; i++)
                        fputc(i < filled ? '#' : '.', p->out);
                fprintf(p->out, "] %3.0f%% ", share * 100);
        }
        fprintf(p->out, "%s\033[K", text);
        fflush(p->out);
        p->shown = true;
}

void progress_end(struct progress *p) {
        if (p->bar && p->shown)
                fputc('\n', p->out);
        p->shown = false;
        fflush(p->out);
}
