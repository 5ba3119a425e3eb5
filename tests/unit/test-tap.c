/* tap.h itself: whatever a description holds (newlines, '#', control
 * characters), a check prints exactly one well-formed TAP line, a failing
 * check stays "not ok" (no stray "# SKIP"/"# TODO" directive), and a skip is
 * the only line with a directive.  A child process prints the hostile
 * checks into a pipe; the parent reads the lines back. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

/* What the child prints: four checks and one skip, then the plan. */
static int child(void) {
        CHECK(true, "two\nlines and a\r\ncarriage return");
        CHECK(false, "a failure that says # SKIP and # TODO");
        CHECK(true, "tab\there, backslash \\ and bell \a");
        CHECK(true, "%s", "formatted\n# SKIP argument");
        TAP_SKIP("reason over\ntwo lines # with a hash");
        return tap_done();
}

/* Reads everything the child wrote to fd. */
static char *read_all(int fd) {
        size_t len = 0, size = 4096;
        char *buf = malloc(size);
        ssize_t n;

        while (buf && (n = read(fd, buf + len, size - len - 1)) > 0) {
                len += (size_t) n;
                if (size - len < 2) {
                        char *nb = realloc(buf, size *= 2);
                        if (!nb) {
                                free(buf);
                                return NULL;
                        }
                        buf = nb;
                }
        }
        if (buf)
                buf[len] = 0;
        return buf;
}

static bool matches(const char *line, const char *pattern) {
        regex_t re;
        if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
                return false;
        bool m = regexec(&re, line, 0, NULL, 0) == 0;
        regfree(&re);
        return m;
}

int main(void) {
        int fds[2];
        if (pipe(fds) < 0)
                return 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                close(fds[0]);
                close(fds[1]);
                _exit(child());
        }
        close(fds[1]);
        char *out = read_all(fds[0]);
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(out != NULL, "the child's output is read");
        if (!out)
                return tap_done();
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "one failed check makes the child exit 1 (status %d)",
              status);

        const char *want[] = {
                "^ok 1 - two\\\\nlines and a\\\\r\\\\ncarriage return$",
                "^not ok 2 - [^#]*:[0-9]+: a failure that says \\\\x23 SKIP and \\\\x23 TODO$",
                "^ok 3 - tab\\\\there, backslash \\\\\\\\ and bell \\\\x07$",
                "^ok 4 - formatted\\\\n\\\\x23 SKIP argument$",
                "^ok 5 # SKIP reason over\\\\ntwo lines # with a hash$",
                "^1\\.\\.5$",
        };
        size_t n = 0;
        for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
                if (n < sizeof(want) / sizeof(want[0]))
                        CHECK(matches(line, want[n]), "line %zu is %s (got %s)", n + 1, want[n], line);
        }
        CHECK(n == sizeof(want) / sizeof(want[0]), "six lines, one per check and the plan (got %zu)", n);
        free(out);
        return tap_done();
}
