/* Fuzz target: the configuration parser (daemon/config.c).  The input is a
 * configuration file: it is parsed from a memfd through config_parse_file()
 * (the path claimd takes for --config, NUL bytes included) and, up to its
 * first NUL, through config_parse_string(); a parsed configuration then goes
 * through config_check() and config_apply_overrides().  Each of its lines is
 * also tried as a listen address and a log level.  Checks the contract of
 * daemon/config.h: errors come with a message, success leaves sane values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"
#include "fuzz.h"

/* Checks the result of a parse and of the checks after it. */
static void check_parsed(struct config *c, int r, char *errors) {
        if (r < 0) {
                FUZZ_CHECK(errors && *errors);
                free(errors);
                return;
        }
        FUZZ_CHECK(r == 0);
        free(errors);   /* warnings, if any */
        FUZZ_CHECK(c->n_listen >= 1 && c->n_listen <= MAX_LISTEN_ADDRESSES);
        for (size_t i = 0; i < c->n_listen; i++)
                FUZZ_CHECK(c->listen[i]);
        FUZZ_CHECK(c->database);
        FUZZ_CHECK(c->max_body_bytes >= MIN_MAX_BODY_BYTES && c->max_body_bytes <= MAX_MAX_BODY_BYTES);
        FUZZ_CHECK(c->max_header_bytes >= MIN_MAX_HEADER_BYTES && c->max_header_bytes <= MAX_MAX_HEADER_BYTES);
        FUZZ_CHECK(c->workers >= 0 && c->workers <= MAX_WORKERS);
        FUZZ_CHECK(c->retention_days >= 0 && c->retention_days <= MAX_RETENTION_DAYS);

        char *check_errors = NULL;
        int k = config_check(c, &check_errors);
        FUZZ_CHECK(k == 0 || (k < 0 && check_errors && *check_errors));
        free(check_errors);

        struct config_overrides o = {
                .listen = { "127.0.0.1:9999" },
                .n_listen = 1,
                .database = "/nonexistent/fuzz.db",
                .log_level = -1,
        };
        FUZZ_CHECK(config_apply_overrides(c, &o) == 0);
        FUZZ_CHECK(c->n_listen == 1 && strcmp(c->listen[0], "127.0.0.1:9999") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct config c;
        char *errors = NULL;

        if (size > 256 * 1024)
                return 0;

        /* through a file, as `claimd --config` reads it */
        int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t) size);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        FUZZ_CHECK(config_init(&c) == 0);
        int r = config_parse_file(&c, path, &errors);
        check_parsed(&c, r, errors);
        config_free(&c);
        close(fd);

        /* from a string (up to the first NUL) */
        char *text = strndup((const char *) data, size);
        FUZZ_CHECK(text);
        errors = NULL;
        FUZZ_CHECK(config_init(&c) == 0);
        r = config_parse_string(&c, "fuzz.conf", text, &errors);
        check_parsed(&c, r, errors);
        config_free(&c);

        /* every line as an address and as a log level */
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                struct sockaddr_storage ss;
                socklen_t sl = 0;
                if (config_parse_address(line, &ss, &sl) == 0) {
                        FUZZ_CHECK(sl > 0 && sl <= sizeof(ss));
                        (void) config_address_is_loopback((const struct sockaddr *) &ss);
                }
                int level = config_parse_log_level(line);
                if (level >= 0)
                        FUZZ_CHECK(config_log_level_to_string(level));
        }
        free(text);
        return 0;
}
