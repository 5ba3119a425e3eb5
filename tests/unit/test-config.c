/* Configuration parsing: defaults, every value type, errors with file and
 * line, cross-key checks, and conf/claimd.conf documenting the defaults. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon/config.h"
#include "tap.h"

static void test_defaults(void) {
        struct config c;

        unsetenv("STATE_DIRECTORY");
        unsetenv("CREDENTIALS_DIRECTORY");
        CHECK(config_init(&c) == 0, "config_init");
        CHECK(c.n_listen == 1, "one default listen address");
        CHECK_STR(c.listen[0], "127.0.0.1:8080");
        CHECK_STR(c.database, "./claimd.db");
        CHECK(c.token_file == NULL, "no token by default");
        CHECK(c.max_body_bytes == DEFAULT_MAX_BODY_BYTES, "default body limit");
        CHECK(c.log_level == LOG_INFO, "default level info");
        CHECK(c.retention_days == 0, "keep forever by default");
        CHECK(c.long_poll_max == 60, "long polls up to 60 s");
        CHECK(config_check(&c, NULL) == 0, "defaults pass the checks");
        config_free(&c);

        setenv("STATE_DIRECTORY", "/var/lib/claimd:/var/lib/other", 1);
        CHECK(config_init(&c) == 0, "config_init with STATE_DIRECTORY");
        CHECK_STR(c.database, "/var/lib/claimd/claimd.db");
        config_free(&c);
        unsetenv("STATE_DIRECTORY");

        /* a credentials directory without the file means no token */
        setenv("CREDENTIALS_DIRECTORY", "/nonexistent-claimd-test", 1);
        CHECK(config_init(&c) == 0, "config_init with CREDENTIALS_DIRECTORY");
        CHECK(c.token_file == NULL, "absent credential: no token");
        config_free(&c);
        unsetenv("CREDENTIALS_DIRECTORY");
}

static void test_values(void) {
        struct config c;
        char *err = NULL;
        const char *text =
                "# comment\n"
                "; another\n"
                "[server]\n"
                "listen = 127.0.0.1:9000\n"
                "listen = [::1]:9000   # inline comment\n"
                "max_body_bytes = 4M\n"
                "max_header_bytes = 32K\n"
                "request_timeout_sec = 5\n"
                "workers = 3\n"
                "queue_size = 10\n"
                "long_poll_max = 30\n"
                "\n"
                "[storage]\n"
                "database = \"/tmp/x.db\"\n"
                "retention_days = 7\n"
                "[security]\n"
                "require_token_for_reads = yes\n"
                "allow_remote = off\n"
                "[log]\n"
                "log_level = debug\n"
                "[events]\n"
                "min_similarity = 0.25\n"
                "window_hours = 48\n"
                "max_candidates = 9\n"
                "[conflicts]\n"
                "min_score = 0.75\n"
                "min_overlap = 0.4\n"
                "hedge_penalty = 0.5\n"
                "question_penalty = 0.25\n"
                "max_per_article = 3\n"
                "max_candidate_claims = 11\n"
                "match_across_events = yes\n"
                "max_event_claims_in_memory = 500\n"
                "  [ compare ]  \n"
                "related_min_similarity = 0.1";          /* no final newline */

        config_init(&c);
        int r = config_parse_string(&c, "t.conf", text, &err);
        CHECK(r == 0, "valid file parses (%s)", err ? err : "");
        CHECK(c.n_listen == 2, "listen lines replace the default and accumulate");
        CHECK_STR(c.listen[0], "127.0.0.1:9000");
        CHECK_STR(c.listen[1], "[::1]:9000");
        CHECK(c.max_body_bytes == 4 * 1024 * 1024, "4M");
        CHECK(c.max_header_bytes == 32 * 1024, "32K");
        CHECK(c.request_timeout_sec == 5, "timeout");
        CHECK(c.workers == 3 && c.queue_size == 10 && c.long_poll_max == 30, "server ints");
        CHECK_STR(c.database, "/tmp/x.db");
        CHECK(c.retention_days == 7, "retention");
        CHECK(c.require_token_for_reads && !c.allow_remote, "booleans");
        CHECK(c.log_level == LOG_DEBUG, "log level");
        CHECK(c.ingest.event.min_similarity == 0.25 && c.ingest.event.window_hours == 48 &&
              c.ingest.event.max_candidates == 9, "event options");
        CHECK(c.ingest.conflict.min_score == 0.75 && c.ingest.conflict.min_overlap == 0.4 &&
              c.ingest.conflict.hedge_penalty == 0.5 && c.ingest.conflict.question_penalty == 0.25,
              "conflict options");
        CHECK(c.ingest.max_conflicts_per_article == 3 && c.ingest.max_candidate_claims == 11, "caps");
        CHECK(c.ingest.match_across_events, "match_across_events");
        CHECK(c.ingest.max_event_claims_in_memory == 500, "max_event_claims_in_memory");
        CHECK(c.related_min_similarity == 0.1, "compare threshold");
        free(err);
        config_free(&c);
}

/* Parses text and returns the error text (caller frees), NULL when valid. */
static char *errors_of(const char *text) {
        struct config c;
        char *err = NULL;
        config_init(&c);
        int r = config_parse_string(&c, "bad.conf", text, &err);
        config_free(&c);
        if (r == 0)
                return NULL;
        if (!err)
                return strdup("(no message)");
        /* one TAP line per check: show line breaks as '|' */
        for (char *p = err; *p; p++)
                if (*p == '\n')
                        *p = '|';
        return err;
}

static void test_errors(void) {
        char *e;

        e = errors_of("[server]\nworkers = 2\nbogus = 1\n");
        CHECK_STR(e, "bad.conf:3: unknown key 'bogus' in [server]|");
        free(e);

        e = errors_of("[server]\n\n\n\nmax_body_bytes = lots\n");
        CHECK(e && strncmp(e, "bad.conf:5: max_body_bytes:", 27) == 0, "bad size on line 5: %s", e);
        free(e);

        e = errors_of("[nowhere]\nkey = 1\n");
        CHECK_STR(e, "bad.conf:1: unknown section [nowhere]|");
        free(e);

        e = errors_of("workers = 2\n");
        CHECK_STR(e, "bad.conf:1: key 'workers' outside of a [section]|");
        free(e);

        e = errors_of("[server]\nworkers = 2\nworkers = 3\n");
        CHECK_STR(e, "bad.conf:3: duplicate key 'workers' in [server]|");
        free(e);

        e = errors_of("[storage]\nworkers = 2\n");
        CHECK_STR(e, "bad.conf:2: unknown key 'workers' in [storage] (it belongs in [server])|");
        free(e);

        e = errors_of("[server]\nworkers = 1000\n");
        CHECK(e && strstr(e, "bad.conf:2: workers: 1000 is out of range"), "range: %s", e);
        free(e);

        e = errors_of("[conflicts]\nmin_score = 1.5\n");
        CHECK(e && strstr(e, "bad.conf:2: min_score"), "double range: %s", e);
        free(e);

        e = errors_of("[conflicts]\nmin_score = nan\n");
        CHECK(e && strstr(e, "bad.conf:2:"), "nan refused: %s", e);
        free(e);

        e = errors_of("[security]\nallow_remote = maybe\n");
        CHECK(e && strstr(e, "bad.conf:2: allow_remote: not a boolean"), "bool: %s", e);
        free(e);

        e = errors_of("[log]\nlog_level = loud\n");
        CHECK(e && strstr(e, "bad.conf:2: log_level"), "level: %s", e);
        free(e);

        e = errors_of("[server]\nlisten = 8080\n");
        CHECK(e && strstr(e, "bad.conf:2: listen"), "listen without host: %s", e);
        free(e);

        e = errors_of("[server\n");
        CHECK_STR(e, "bad.conf:1: malformed section header|");
        free(e);

        e = errors_of("[server]\njust words\n");
        CHECK_STR(e, "bad.conf:2: expected 'key = value' or '[section]'|");
        free(e);

        e = errors_of("[storage]\ndatabase =\n");
        CHECK_STR(e, "bad.conf:2: database: empty value|");
        free(e);

        /* every error is reported, each with its line */
        e = errors_of("[server]\nbogus = 1\nworkers = x\n[log]\nlog_level = 9\n");
        CHECK(e && strstr(e, "bad.conf:2:") && strstr(e, "bad.conf:3:") && strstr(e, "bad.conf:5:"),
              "three errors: %s", e);
        free(e);

        CHECK(errors_of("") == NULL, "empty file is fine");
        CHECK(errors_of("# only comments\n\n   \n") == NULL, "comments only");
        CHECK(errors_of("[security]\ntoken_file =\n") == NULL, "empty token_file disables the token");

        struct config c;
        char *err = NULL;
        config_init(&c);
        int r = config_parse_file(&c, "/nonexistent/claimd.conf", &err);
        CHECK(r == -ENOENT, "missing file is -ENOENT");
        CHECK(err && strstr(err, "/nonexistent/claimd.conf: cannot open"), "names the file");
        free(err);
        config_free(&c);
}

static void test_addresses(void) {
        struct sockaddr_storage ss;
        socklen_t len;

        CHECK(config_parse_address("127.0.0.1:8080", &ss, &len) == 0 && ss.ss_family == AF_INET, "IPv4");
        CHECK(config_address_is_loopback((struct sockaddr *) &ss), "127.0.0.1 is loopback");
        CHECK(config_parse_address("[::1]:8080", &ss, &len) == 0 && ss.ss_family == AF_INET6, "IPv6");
        CHECK(config_address_is_loopback((struct sockaddr *) &ss), "::1 is loopback");
        CHECK(config_parse_address("[::]:80", &ss, &len) == 0 && !config_address_is_loopback((struct sockaddr *) &ss),
              ":: is not loopback");
        CHECK(config_parse_address("0.0.0.0:80", &ss, &len) == 0 && !config_address_is_loopback((struct sockaddr *) &ss),
              "0.0.0.0 is not loopback");
        CHECK(config_parse_address(":80", &ss, &len) == 0, ":80 means all IPv4");
        CHECK(config_parse_address("localhost:80", &ss, &len) == 0 && config_address_is_loopback((struct sockaddr *) &ss),
              "localhost");
        CHECK(config_parse_address("::1:8080", &ss, &len) < 0, "IPv6 needs brackets");
        CHECK(config_parse_address("127.0.0.1:0", &ss, &len) < 0, "port 0");
        CHECK(config_parse_address("127.0.0.1:65536", &ss, &len) < 0, "port too big");
        CHECK(config_parse_address("127.0.0.1:", &ss, &len) < 0, "no port");
        CHECK(config_parse_address("example.com:80", &ss, &len) < 0, "no host names");
        CHECK(config_parse_address("[::1]8080", &ss, &len) < 0, "missing colon");
}

static void test_check_and_overrides(void) {
        struct config c;
        char *err = NULL;

        config_init(&c);
        CHECK(config_parse_string(&c, "r.conf", "[server]\nlisten = 0.0.0.0:8080\n", NULL) == 0, "remote listen parses");
        CHECK(config_check(&c, &err) == -EINVAL, "remote listen without token is refused");
        CHECK(err && strstr(err, "0.0.0.0:8080"), "message names the address");
        free(err);
        config_free(&c);

        config_init(&c);
        config_parse_string(&c, "r.conf", "[server]\nlisten = 0.0.0.0:8080\n[security]\nallow_remote = true\n", NULL);
        CHECK(config_check(&c, NULL) == 0, "allow_remote permits it");
        config_free(&c);

        config_init(&c);
        config_parse_string(&c, "r.conf", "[server]\nlisten = [::]:8080\n[security]\ntoken_file = /etc/claimd/api-token\n", NULL);
        CHECK(config_check(&c, NULL) == 0, "a token permits it");
        config_free(&c);

        struct config_overrides o = { .listen = { "[::1]:7000", "127.0.0.1:7000" }, .n_listen = 2,
                                      .database = "/tmp/o.db", .log_level = LOG_WARNING };
        CHECK(config_load(&c, NULL, &o, &err) == 0, "defaults + overrides");
        CHECK(c.n_listen == 2, "two listen overrides");
        CHECK_STR(c.listen[0], "[::1]:7000");
        CHECK_STR(c.database, "/tmp/o.db");
        CHECK(c.log_level == LOG_WARNING, "level override");
        config_free(&c);

        struct config_overrides remote = { .listen = { "10.0.0.1:80" }, .n_listen = 1, .log_level = -1 };
        err = NULL;
        CHECK(config_load(&c, NULL, &remote, &err) == -EINVAL, "remote --listen without token refused");
        free(err);

        CHECK(config_parse_log_level("warning") == LOG_WARNING, "warning");
        CHECK(config_parse_log_level("error") == LOG_ERR, "error alias");
        CHECK(config_parse_log_level("7") == LOG_DEBUG, "digit");
        CHECK(config_parse_log_level("8") < 0, "8 is not a level");
}

/* conf/claimd.conf marks each key "(reload)" or "(restart)" in the comment
 * before it ([webhook] says once that all of its keys need a restart): the
 * marks must be what the key table says reload() does. */
static void check_apply_marks(const char *text) {
        const char *section, *key;
        bool restart;
        for (size_t i = 0; config_key_at(i, &section, &key, &restart); i++) {
                char head[64], line[96];
                snprintf(head, sizeof(head), "\n[%s]\n", section);
                snprintf(line, sizeof(line), "\n%s =", key);
                char example[96];       /* keys without a default: "#   key = example" */
                snprintf(example, sizeof(example), "\n#   %s = ", key);
                const char *sec = strstr(text, head), *at = sec ? strstr(sec, line) : NULL;
                if (!at && sec)
                        at = strstr(sec, example);
                if (!CHECK(at, "conf documents [%s] %s", section, key))
                        continue;
                /* the comment block before the key (or the section's, for [webhook]) */
                const char *start = at;
                while (start > sec && !(start[-1] == '\n' && start[0] == '\n'))
                        start--;
                size_t n = (size_t) (at - start);
                char *block = strndup(start, n);
                bool says_reload = block && strstr(block, "(reload)");
                bool says_restart = block && (strstr(block, "(restart)") || strcmp(section, "webhook") == 0);
                CHECK(says_reload != says_restart && says_restart == restart,
                      "conf says [%s] %s takes effect at %s, as reload() does", section, key,
                      restart ? "a restart" : "a reload");
                free(block);
        }
}

/* conf/claimd.conf: with its commented "#key = value" lines uncommented it
 * must parse, and give exactly the built-in defaults. */
static void test_shipped_file(void) {
        char path[1024];
        const char *src = getenv("CLAIMD_SOURCE_ROOT");
        if (src)
                snprintf(path, sizeof(path), "%s/conf/claimd.conf", src);
        else {
                /* __FILE__ is tests/unit/test-config.c, relative to the build dir or absolute */
                snprintf(path, sizeof(path), "%s", __FILE__);
                char *p = strstr(path, "tests/unit/test-config.c");
                if (!p) {
                        TAP_SKIP("conf/claimd.conf not found from %s: set CLAIMD_SOURCE_ROOT to the checkout", __FILE__);
                        return;
                }
                strcpy(p, "conf/claimd.conf");
        }
        FILE *f = fopen(path, "re");
        if (!CHECK(f, "conf/claimd.conf opens (%s)", path))
                return;
        char line[4096], *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        int n_keys = 0;
        while (fgets(line, sizeof(line), f)) {
                /* "#key = value" (no space after '#') is an option; prose has a space */
                if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " =")) {
                        fputs(line + 1, m);
                        n_keys++;
                } else
                        fputs(line, m);
        }
        fclose(f);
        fclose(m);

        struct config def, c;
        char *err = NULL;
        unsetenv("STATE_DIRECTORY");
        unsetenv("CREDENTIALS_DIRECTORY");
        config_init(&def);
        config_init(&c);
        int r = config_parse_string(&c, path, text, &err);
        CHECK(r == 0, "shipped file with every option uncommented parses (%s)", err ? err : "");
        CHECK(n_keys >= 25, "documents every option (%d found)", n_keys);
        CHECK(c.n_listen == 1 && strcmp(c.listen[0], def.listen[0]) == 0, "listen default documented");
        CHECK_STR(c.database, def.database);
        CHECK(c.token_file == NULL, "token_file default documented");
        CHECK(c.max_body_bytes == def.max_body_bytes && c.max_header_bytes == def.max_header_bytes,
              "size defaults documented");
        CHECK(c.request_timeout_sec == def.request_timeout_sec && c.workers == def.workers &&
              c.queue_size == def.queue_size && c.long_poll_max == def.long_poll_max, "server defaults documented");
        CHECK(c.retention_days == def.retention_days && c.require_token_for_reads == def.require_token_for_reads &&
              c.allow_remote == def.allow_remote && c.log_level == def.log_level, "other defaults documented");
        CHECK(memcmp(&c.ingest.event, &def.ingest.event, sizeof(c.ingest.event)) == 0, "[events] defaults documented");
        CHECK(c.ingest.conflict.min_score == def.ingest.conflict.min_score &&
              c.ingest.conflict.min_overlap == def.ingest.conflict.min_overlap &&
              c.ingest.conflict.hedge_penalty == def.ingest.conflict.hedge_penalty &&
              c.ingest.conflict.question_penalty == def.ingest.conflict.question_penalty,
              "[conflicts] defaults match conflict_options_default()");
        CHECK(memcmp(&c.ingest, &def.ingest, sizeof(c.ingest)) == 0, "all ingest defaults documented");
        CHECK(c.ingest.max_conflicts_per_article == def.ingest.max_conflicts_per_article &&
              c.ingest.max_candidate_claims == def.ingest.max_candidate_claims &&
              c.ingest.match_across_events == def.ingest.match_across_events, "caps documented");
        CHECK(c.related_min_similarity == def.related_min_similarity, "[compare] default documented");
        check_apply_marks(text);
        free(err);
        free(text);
        config_free(&c);
        config_free(&def);
}

int main(void) {
        test_defaults();
        test_values();
        test_errors();
        test_addresses();
        test_check_and_overrides();
        test_shipped_file();
        return tap_done();
}
