/* See log.h.  One write() per stderr line keeps lines whole across threads. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "daemon/log.h"

static atomic_int max_level = LOG_INFO;
static bool use_journal;

int log_target_from_string(const char *s) {
        if (strcmp(s, "auto") == 0)
                return LOG_TARGET_AUTO;
        if (strcmp(s, "journal") == 0)
                return LOG_TARGET_JOURNAL;
        if (strcmp(s, "stderr") == 0 || strcmp(s, "console") == 0)
                return LOG_TARGET_STDERR;
        return -EINVAL;
}

void log_open(enum log_target t) {
        if (t == LOG_TARGET_JOURNAL)
                use_journal = true;
        else if (t == LOG_TARGET_STDERR)
                use_journal = false;
        else {
                const char *js = getenv("JOURNAL_STREAM");
                use_journal = js && *js;
        }
}

bool log_to_journal(void) {
        return use_journal;
}

void log_set_max_level(int level) {
        atomic_store(&max_level, level);
}

int log_get_max_level(void) {
        return atomic_load(&max_level);
}

static void write_stderr(int level, const char *msg) {
        char buf[2048];
        int n = snprintf(buf, sizeof(buf), "<%d>%s\n", level, msg);
        if (n < 0)
                return;
        if ((size_t) n >= sizeof(buf)) {
                /* long message: keep the line whole, cut the text */
                n = (int) sizeof(buf) - 1;
                buf[n - 1] = '\n';
        }
        ssize_t w = write(STDERR_FILENO, buf, (size_t) n);
        (void) w;
}

/* Sends one record to the journal; returns what sd_journal_send returned. */
static int send_journal(int level, const char *file, int line, const char *func,
                        const char *message_id, const char *const *fields, const char *msg) {
        char code_file[512], code_line[32];
        const char *f[LOG_MAX_FIELDS + 1] = {};
        const char *fmt[LOG_MAX_FIELDS + 1] = {};
        size_t n = 0;

        while (strncmp(file, "../", 3) == 0)   /* meson compiles from the build dir */
                file += 3;
        snprintf(code_file, sizeof(code_file), "CODE_FILE=%s", file);
        snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);

        if (message_id) {
                static __thread char mid[64];
                snprintf(mid, sizeof(mid), "MESSAGE_ID=%s", message_id);
                f[n++] = mid;
        }
        for (size_t i = 0; fields && fields[i] && n < LOG_MAX_FIELDS; i++)
                f[n++] = fields[i];
        for (size_t i = 0; i < n; i++)
                fmt[i] = "%s";

        /* The list ends at the first NULL format: unused slots end it. */
        return sd_journal_send_with_location(code_file, code_line, func,
                                             "MESSAGE=%s", msg,
                                             "PRIORITY=%i", level,
                                             "SYSLOG_IDENTIFIER=%s", "claimd",
                                             fmt[0], f[0], fmt[1], f[1], fmt[2], f[2], fmt[3], f[3],
                                             fmt[4], f[4], fmt[5], f[5], fmt[6], f[6], fmt[7], f[7],
                                             fmt[8], f[8], fmt[9], f[9], fmt[10], f[10], fmt[11], f[11],
                                             fmt[12], f[12], NULL);
}

void log_internal(int level, const char *file, int line, const char *func,
                  const char *message_id, const char *const *fields, const char *fmt, ...) {
        char msg[1536];
        va_list ap;
        int saved = errno;

        if (level > atomic_load(&max_level))
                return;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (!use_journal || send_journal(level, file, line, func, message_id, fields, msg) < 0)
                write_stderr(level, msg);
        errno = saved;
}
