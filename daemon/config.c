/* The INI configuration: [section] headers, key = value lines, '#' or ';'
 * comments.  Every key is in one table below with its type and bounds, so
 * the parser, the error messages and conf/claimd.conf stay in step. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/conflict.h"
#include "common/relate.h"
#include "daemon/config.h"
#include "daemon/http/webhook-util.h"

enum key_type {
        KEY_SIZE,       /* bytes, with optional K/M/G suffix */
        KEY_INT,
        KEY_BOOL,
        KEY_DOUBLE,
        KEY_STRING,
        KEY_LISTEN,
        KEY_LOG_LEVEL,
        KEY_TOKEN_FILE,
        KEY_WEBHOOK_URL,        /* repeatable */
};

struct key_def {
        const char *section, *key;
        enum key_type type;
        size_t offset;
        double min, max;
};

#define OFF(f) offsetof(struct config, f)

static const struct key_def keys[] = {
        { "server", "listen", KEY_LISTEN, OFF(listen), 0, 0 },
        { "server", "max_body_bytes", KEY_SIZE, OFF(max_body_bytes), MIN_MAX_BODY_BYTES, MAX_MAX_BODY_BYTES },
        { "server", "max_header_bytes", KEY_SIZE, OFF(max_header_bytes), MIN_MAX_HEADER_BYTES, MAX_MAX_HEADER_BYTES },
        { "server", "request_timeout_sec", KEY_INT, OFF(request_timeout_sec), 1, MAX_TIMEOUT_SEC },
        { "server", "workers", KEY_INT, OFF(workers), 0, MAX_WORKERS },
        { "server", "max_article_work_sec", KEY_INT, OFF(max_article_work_sec), 0, MAX_TIMEOUT_SEC },
        { "server", "queue_size", KEY_INT, OFF(queue_size), 1, MAX_QUEUE_SIZE },
        { "server", "long_poll_max", KEY_INT, OFF(long_poll_max), 0, MAX_LONG_POLL_MAX_SEC },
        { "server", "max_streams", KEY_INT, OFF(max_streams), 0, MAX_MAX_STREAMS },
        { "server", "stream_max_unsent_bytes", KEY_SIZE, OFF(stream_max_unsent_bytes),
          MIN_STREAM_MAX_UNSENT_BYTES, MAX_STREAM_MAX_UNSENT_BYTES },
        { "storage", "database", KEY_STRING, OFF(database), 0, 0 },
        { "storage", "retention_days", KEY_INT, OFF(retention_days), 0, MAX_RETENTION_DAYS },
        { "security", "token_file", KEY_TOKEN_FILE, OFF(token_file), 0, 0 },
        { "security", "require_token_for_reads", KEY_BOOL, OFF(require_token_for_reads), 0, 0 },
        { "security", "allow_remote", KEY_BOOL, OFF(allow_remote), 0, 0 },
        { "log", "log_level", KEY_LOG_LEVEL, OFF(log_level), 0, 0 },
        { "events", "min_similarity", KEY_DOUBLE, OFF(ingest.event.min_similarity), 0, 1 },
        { "events", "window_hours", KEY_INT, OFF(ingest.event.window_hours), 1, 24 * 3650 },
        { "events", "max_candidates", KEY_INT, OFF(ingest.event.max_candidates), 1, 10000 },
        { "conflicts", "min_score", KEY_DOUBLE, OFF(ingest.conflict.min_score), 0, 1 },
        { "conflicts", "min_overlap", KEY_DOUBLE, OFF(ingest.conflict.min_overlap), 0, 1 },
        { "conflicts", "hedge_penalty", KEY_DOUBLE, OFF(ingest.conflict.hedge_penalty), 0, 1 },
        { "conflicts", "question_penalty", KEY_DOUBLE, OFF(ingest.conflict.question_penalty), 0, 1 },
        { "conflicts", "max_per_article", KEY_INT, OFF(ingest.max_conflicts_per_article), 1, 10000 },
        { "conflicts", "max_candidate_claims", KEY_INT, OFF(ingest.max_candidate_claims), 1, 100000 },
        { "conflicts", "match_across_events", KEY_BOOL, OFF(ingest.match_across_events), 0, 0 },
        { "conflicts", "max_event_claims_in_memory", KEY_INT, OFF(ingest.max_event_claims_in_memory), 0, 10000000 },
        { "compare", "related_min_similarity", KEY_DOUBLE, OFF(related_min_similarity), 0, 1 },
        { "webhook", "url", KEY_WEBHOOK_URL, OFF(webhook.urls), 0, 0 },
        { "webhook", "secret_file", KEY_STRING, OFF(webhook.secret_file), 0, 0 },
        { "webhook", "ca_file", KEY_STRING, OFF(webhook.ca_file), 0, 0 },
        { "webhook", "timeout_sec", KEY_INT, OFF(webhook.timeout_sec), 1, MAX_TIMEOUT_SEC },
        { "webhook", "retry_initial_sec", KEY_INT, OFF(webhook.retry_initial_sec), 1, MAX_WEBHOOK_RETRY_SEC },
        { "webhook", "retry_max_sec", KEY_INT, OFF(webhook.retry_max_sec), 1, MAX_WEBHOOK_RETRY_SEC },
        { "webhook", "max_in_flight", KEY_INT, OFF(webhook.max_in_flight), 1, MAX_WEBHOOK_IN_FLIGHT },
};

static const char *const sections[] = {
        "server", "storage", "security", "log", "events", "conflicts", "compare", "webhook",
};

static const char *const level_names[] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int config_parse_log_level(const char *s) {
        if (!s)
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == 0)
                return s[0] - '0';
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *config_log_level_to_string(int level) {
        if (level < 0 || level > LOG_DEBUG)
                return "?";
        return level_names[level];
}

/* The first directory of a colon-separated systemd directory list, or NULL. */
static char *first_dir(const char *env) {
        const char *v = getenv(env);
        if (!v || !*v)
                return NULL;
        size_t n = strcspn(v, ":");
        return strndup(v, n);
}

static char *path_join(const char *dir, const char *name) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

int config_init(struct config *c) {
        memset(c, 0, sizeof(*c));
        c->listen[0] = strdup(DEFAULT_LISTEN);
        c->n_listen = 1;

        char *state = first_dir("STATE_DIRECTORY");
        c->database = state ? path_join(state, "claimd.db") : strdup("./claimd.db");
        free(state);

        char *cred = first_dir("CREDENTIALS_DIRECTORY");
        if (cred) {
                char *p = path_join(cred, "api-token");
                if (p && access(p, F_OK) == 0)
                        c->token_file = p;
                else
                        free(p);
                free(cred);
        }

        c->max_body_bytes = DEFAULT_MAX_BODY_BYTES;
        c->max_header_bytes = DEFAULT_MAX_HEADER_BYTES;
        c->request_timeout_sec = DEFAULT_REQUEST_TIMEOUT_SEC;
        c->require_token_for_reads = false;
        c->allow_remote = false;
        c->retention_days = 0;
        c->workers = DEFAULT_WORKERS;
        c->queue_size = DEFAULT_QUEUE_SIZE;
        c->long_poll_max = DEFAULT_LONG_POLL_MAX_SEC;
        c->max_streams = DEFAULT_MAX_STREAMS;
        c->max_article_work_sec = DEFAULT_MAX_ARTICLE_WORK_SEC;
        c->stream_max_unsent_bytes = DEFAULT_STREAM_MAX_UNSENT_BYTES;
        c->webhook.timeout_sec = DEFAULT_WEBHOOK_TIMEOUT_SEC;
        c->webhook.retry_initial_sec = DEFAULT_WEBHOOK_RETRY_INITIAL_SEC;
        c->webhook.retry_max_sec = DEFAULT_WEBHOOK_RETRY_MAX_SEC;
        c->webhook.max_in_flight = DEFAULT_WEBHOOK_IN_FLIGHT;
        c->log_level = LOG_INFO;
        c->related_min_similarity = RELATE_DEFAULT_MIN_SIMILARITY;

        ingest_options_default(&c->ingest);     /* the store's measured defaults */

        if (!c->listen[0] || !c->database) {
                config_free(c);
                return -ENOMEM;
        }
        return 0;
}

void config_free(struct config *c) {
        for (size_t i = 0; i < c->n_listen; i++)
                free(c->listen[i]);
        c->n_listen = 0;
        free(c->database);
        free(c->token_file);
        c->database = c->token_file = NULL;
        config_webhook_free(&c->webhook);
}

void config_webhook_free(struct webhook_config *w) {
        for (size_t i = 0; i < w->n_urls; i++)
                free(w->urls[i]);
        w->n_urls = 0;
        free(w->secret_file);
        free(w->ca_file);
        w->secret_file = w->ca_file = NULL;
}

static bool same_string(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

bool config_webhook_same(const struct webhook_config *a, const struct webhook_config *b) {
        if (a->n_urls != b->n_urls || !same_string(a->secret_file, b->secret_file) ||
            !same_string(a->ca_file, b->ca_file) || a->timeout_sec != b->timeout_sec ||
            a->retry_initial_sec != b->retry_initial_sec || a->retry_max_sec != b->retry_max_sec ||
            a->max_in_flight != b->max_in_flight)
                return false;
        for (size_t i = 0; i < a->n_urls; i++)
                if (strcmp(a->urls[i], b->urls[i]) != 0)
                        return false;
        return true;
}

/* Error collector: "name:line: message" lines, at most MAX_CONFIG_ERRORS. */
struct errors {
        char *buf;
        size_t len;
        int n;
        bool oom;
};

static void errors_add(struct errors *e, const char *name, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void errors_add(struct errors *e, const char *name, unsigned line, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        e->n++;
        if (e->n > MAX_CONFIG_ERRORS)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        char *l;
        int n = line ? asprintf(&l, "%s:%u: %s\n", name, line, msg) : asprintf(&l, "%s: %s\n", name, msg);
        if (n < 0) {
                e->oom = true;
                return;
        }
        char *nb = realloc(e->buf, e->len + (size_t) n + 1);
        if (!nb) {
                free(l);
                e->oom = true;
                return;
        }
        memcpy(nb + e->len, l, (size_t) n + 1);
        e->buf = nb;
        e->len += (size_t) n;
        free(l);
}

static char *trim(char *s) {
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = 0;
        return s;
}

/* Parses a byte size: digits with an optional K, M or G (powers of 1024) and
 * optional "B"/"iB".  Returns 0 or -EINVAL/-ERANGE. */
static int parse_size(const char *s, double *ret) {
        char *end;
        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno)
                return -ERANGE;
        double m = 1;
        if (*end == 'K' || *end == 'k')
                m = 1024.0, end++;
        else if (*end == 'M' || *end == 'm')
                m = 1024.0 * 1024, end++;
        else if (*end == 'G' || *end == 'g')
                m = 1024.0 * 1024 * 1024, end++;
        if (m > 1 && *end == 'i')
                end++;
        if (*end == 'B' || *end == 'b')
                end++;
        if (*end)
                return -EINVAL;
        *ret = (double) v * m;
        return 0;
}

static int parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "true", "yes", "on", "1" };
        static const char *const no[] = { "false", "no", "off", "0" };
        for (size_t i = 0; i < 4; i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return *ret = true, 0;
                if (strcasecmp(s, no[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

bool config_address_is_loopback(const struct sockaddr *sa) {
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        }
        if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
                        return true;
                if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
                        return in6->sin6_addr.s6_addr[12] == 127;
                return false;
        }
        return sa->sa_family == AF_UNIX;
}

int config_parse_address(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len) {
        char host[128];
        const char *port;

        if (!s || !*s)
                return -EINVAL;
        if (s[0] == '[') {
                const char *e = strchr(s, ']');
                if (!e || e[1] != ':' || (size_t) (e - s - 1) >= sizeof(host))
                        return -EINVAL;
                memcpy(host, s + 1, (size_t) (e - s - 1));
                host[e - s - 1] = 0;
                port = e + 2;
        } else {
                const char *colon = strrchr(s, ':');
                if (!colon || strchr(s, ':') != colon || (size_t) (colon - s) >= sizeof(host))
                        return -EINVAL;
                memcpy(host, s, (size_t) (colon - s));
                host[colon - s] = 0;
                port = colon + 1;
        }

        char *end;
        if (!isdigit((unsigned char) *port))
                return -EINVAL;
        errno = 0;
        unsigned long p = strtoul(port, &end, 10);
        if (errno || *end || p == 0 || p > 65535)
                return -EINVAL;

        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof(ss));
        if (s[0] == '[') {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t) p);
                if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
                        return -EINVAL;
                *ret_len = sizeof(*in6);
        } else {
                struct sockaddr_in *in = (struct sockaddr_in *) &ss;
                in->sin_family = AF_INET;
                in->sin_port = htons((uint16_t) p);
                if (host[0] == 0)
                        in->sin_addr.s_addr = htonl(INADDR_ANY);
                else if (strcmp(host, "localhost") == 0)
                        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
                        return -EINVAL;
                *ret_len = sizeof(*in);
        }
        *ret = ss;
        return 0;
}

struct parse_state {
        struct config *c;
        const char *name;
        unsigned line;
        const char *section;
        bool listen_replaced;
        bool seen[sizeof(keys) / sizeof(keys[0])];
        struct errors *e;
};

/* Sets one key from its text; errors go to st->e with the current line. */
static void set_key(struct parse_state *st, size_t k, const char *value) {
        const struct key_def *d = &keys[k];
        char *field = (char *) st->c + d->offset;
        double v;
        char *end;

        switch (d->type) {
        case KEY_SIZE:
                if (parse_size(value, &v) < 0) {
                        errors_add(st->e, st->name, st->line, "%s: not a size in bytes: '%s'", d->key, value);
                        return;
                }
                if (v < d->min || v > d->max) {
                        errors_add(st->e, st->name, st->line, "%s: %s is out of range [%.0f, %.0f]",
                                   d->key, value, d->min, d->max);
                        return;
                }
                *(size_t *) field = (size_t) v;
                return;

        case KEY_INT:
                errno = 0;
                long l = strtol(value, &end, 10);
                if (!*value || *end || errno) {
                        errors_add(st->e, st->name, st->line, "%s: not an integer: '%s'", d->key, value);
                        return;
                }
                if (l < d->min || l > d->max) {
                        errors_add(st->e, st->name, st->line, "%s: %ld is out of range [%.0f, %.0f]",
                                   d->key, l, d->min, d->max);
                        return;
                }
                *(int *) field = (int) l;
                return;

        case KEY_DOUBLE:
                errno = 0;
                v = strtod(value, &end);
                if (!*value || *end || errno || !isfinite(v)) {
                        errors_add(st->e, st->name, st->line, "%s: not a number: '%s'", d->key, value);
                        return;
                }
                if (v < d->min || v > d->max) {
                        errors_add(st->e, st->name, st->line, "%s: %s is out of range [%g, %g]",
                                   d->key, value, d->min, d->max);
                        return;
                }
                *(double *) field = v;
                return;

        case KEY_BOOL:
                if (parse_bool(value, (bool *) field) < 0)
                        errors_add(st->e, st->name, st->line,
                                   "%s: not a boolean (true/false/yes/no/on/off/1/0): '%s'", d->key, value);
                return;

        case KEY_STRING: {
                if (!*value) {
                        errors_add(st->e, st->name, st->line, "%s: empty value", d->key);
                        return;
                }
                char *s = strdup(value);
                if (!s) {
                        st->e->oom = true;
                        return;
                }
                free(*(char **) field);
                *(char **) field = s;
                return;
        }

        case KEY_TOKEN_FILE: {
                char *s = NULL;
                if (*value && !(s = strdup(value))) {
                        st->e->oom = true;
                        return;
                }
                free(st->c->token_file);
                st->c->token_file = s;
                st->c->token_file_explicit = s != NULL;
                return;
        }

        case KEY_LOG_LEVEL: {
                int lv = config_parse_log_level(value);
                if (lv < 0) {
                        errors_add(st->e, st->name, st->line,
                                   "%s: unknown level '%s' (emerg, alert, crit, err, warning, notice, info, debug)",
                                   d->key, value);
                        return;
                }
                st->c->log_level = lv;
                return;
        }

        case KEY_WEBHOOK_URL: {
                struct webhook_url u;
                const char *why;
                struct webhook_config *w = &st->c->webhook;
                if (webhook_url_parse(value, &u, &why) < 0) {
                        errors_add(st->e, st->name, st->line, "url: %s: '%s'", why, value);
                        return;
                }
                webhook_url_free(&u);
                for (size_t i = 0; i < w->n_urls; i++)
                        if (strcmp(w->urls[i], value) == 0) {
                                errors_add(st->e, st->name, st->line, "url: '%s' is given twice", value);
                                return;
                        }
                if (w->n_urls >= MAX_WEBHOOK_URLS) {
                        errors_add(st->e, st->name, st->line, "url: more than %d webhooks", MAX_WEBHOOK_URLS);
                        return;
                }
                if (!(w->urls[w->n_urls] = strdup(value))) {
                        st->e->oom = true;
                        return;
                }
                w->n_urls++;
                return;
        }

        case KEY_LISTEN: {
                struct sockaddr_storage ss;
                socklen_t len;
                if (config_parse_address(value, &ss, &len) < 0) {
                        errors_add(st->e, st->name, st->line,
                                   "listen: not an address:port ('127.0.0.1:8080', '[::1]:8080'): '%s'", value);
                        return;
                }
                if (!st->listen_replaced) {
                        for (size_t i = 0; i < st->c->n_listen; i++)
                                free(st->c->listen[i]);
                        st->c->n_listen = 0;
                        st->listen_replaced = true;
                }
                if (st->c->n_listen >= MAX_LISTEN_ADDRESSES) {
                        errors_add(st->e, st->name, st->line, "listen: more than %d addresses", MAX_LISTEN_ADDRESSES);
                        return;
                }
                char *s = strdup(value);
                if (!s) {
                        st->e->oom = true;
                        return;
                }
                st->c->listen[st->c->n_listen++] = s;
                return;
        }
        }
}

/* Handles one line (already without its newline). */
static void parse_line(struct parse_state *st, char *raw) {
        char *l = trim(raw);

        if (!*l || *l == '#' || *l == ';')
                return;

        if (*l == '[') {
                char *e = strchr(l, ']');
                if (!e || *trim(e + 1)) {
                        errors_add(st->e, st->name, st->line, "malformed section header");
                        st->section = NULL;
                        return;
                }
                *e = 0;
                char *sec = trim(l + 1);
                st->section = NULL;
                for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
                        if (strcmp(sec, sections[i]) == 0)
                                st->section = sections[i];
                if (!st->section)
                        errors_add(st->e, st->name, st->line, "unknown section [%s]", sec);
                /* an unknown section makes its keys errors too, below */
                if (!st->section)
                        st->section = "";
                return;
        }

        char *eq = strchr(l, '=');
        if (!eq) {
                errors_add(st->e, st->name, st->line, "expected 'key = value' or '[section]'");
                return;
        }
        *eq = 0;
        char *key = trim(l);
        char *value = trim(eq + 1);

        /* "value  # comment" */
        for (char *p = value; *p; p++)
                if ((*p == '#' || *p == ';') && p > value && isspace((unsigned char) p[-1])) {
                        *p = 0;
                        value = trim(value);
                        break;
                }
        size_t vn = strlen(value);
        if (vn >= 2 && ((value[0] == '"' && value[vn - 1] == '"') || (value[0] == '\'' && value[vn - 1] == '\''))) {
                value[vn - 1] = 0;
                value++;
        }

        if (!*key) {
                errors_add(st->e, st->name, st->line, "missing key before '='");
                return;
        }
        if (!st->section) {
                errors_add(st->e, st->name, st->line, "key '%s' outside of a [section]", key);
                return;
        }
        if (!*st->section)
                return;         /* already reported: unknown section */

        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
                if (strcmp(keys[k].section, st->section) != 0 || strcmp(keys[k].key, key) != 0)
                        continue;
                if (st->seen[k] && keys[k].type != KEY_LISTEN && keys[k].type != KEY_WEBHOOK_URL) {
                        errors_add(st->e, st->name, st->line, "duplicate key '%s' in [%s]", key, st->section);
                        return;
                }
                st->seen[k] = true;
                set_key(st, k, value);
                return;
        }

        /* a known key in the wrong section gets a helpful hint */
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
                if (strcmp(keys[k].key, key) == 0) {
                        errors_add(st->e, st->name, st->line, "unknown key '%s' in [%s] (it belongs in [%s])",
                                   key, st->section, keys[k].section);
                        return;
                }
        errors_add(st->e, st->name, st->line, "unknown key '%s' in [%s]", key, st->section);
}

static int finish(struct errors *e, char **ret_errors) {
        if (e->oom) {
                free(e->buf);
                return -ENOMEM;
        }
        if (e->n == 0) {
                free(e->buf);
                if (ret_errors)
                        *ret_errors = NULL;
                return 0;
        }
        if (ret_errors)
                *ret_errors = e->buf;
        else
                free(e->buf);
        return -EINVAL;
}

int config_parse_string(struct config *c, const char *name, const char *text, char **ret_errors) {
        struct errors e = {};
        struct parse_state st = { .c = c, .name = name, .e = &e };
        const char *p = text;

        while (*p) {
                size_t n = strcspn(p, "\n");
                st.line++;
                if (n >= MAX_CONFIG_LINE)
                        errors_add(&e, name, st.line, "line longer than %d bytes", MAX_CONFIG_LINE);
                else {
                        char buf[MAX_CONFIG_LINE];
                        memcpy(buf, p, n);
                        buf[n] = 0;
                        if (memchr(p, 0, n))
                                errors_add(&e, name, st.line, "NUL byte in line");
                        else
                                parse_line(&st, buf);
                }
                p += n;
                if (*p == '\n')
                        p++;
        }
        return finish(&e, ret_errors);
}

int config_parse_file(struct config *c, const char *path, char **ret_errors) {
        FILE *f = fopen(path, "re");
        if (!f) {
                int r = -errno;
                struct errors e = {};
                errors_add(&e, path, 0, "cannot open: %s", strerror(-r));
                if (finish(&e, ret_errors) == -ENOMEM)
                        return -ENOMEM;
                return r;
        }

        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        if (!m) {
                fclose(f);
                return -ENOMEM;
        }
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, n, m);
        bool err = ferror(f);
        fclose(f);
        fclose(m);
        if (err) {
                free(text);
                struct errors e = {};
                errors_add(&e, path, 0, "read error");
                finish(&e, ret_errors);
                return -EIO;
        }
        if (memchr(text, 0, size) && strlen(text) < size) {
                /* find the line for the error */
                unsigned line = 1;
                for (size_t i = 0; i < size && text[i]; i++)
                        line += text[i] == '\n';
                free(text);
                struct errors e = {};
                errors_add(&e, path, line, "NUL byte in file");
                return finish(&e, ret_errors);
        }
        int r = config_parse_string(c, path, text, ret_errors);
        free(text);
        return r;
}

int config_apply_overrides(struct config *c, const struct config_overrides *o) {
        if (!o)
                return 0;
        if (o->n_listen > 0) {
                for (size_t i = 0; i < c->n_listen; i++)
                        free(c->listen[i]);
                c->n_listen = 0;
                for (size_t i = 0; i < o->n_listen && i < MAX_LISTEN_ADDRESSES; i++) {
                        c->listen[i] = strdup(o->listen[i]);
                        if (!c->listen[i])
                                return -ENOMEM;
                        c->n_listen++;
                }
        }
        if (o->database) {
                char *d = strdup(o->database);
                if (!d)
                        return -ENOMEM;
                free(c->database);
                c->database = d;
        }
        if (o->log_level >= 0)
                c->log_level = o->log_level;
        return 0;
}

int config_check(const struct config *c, char **ret_errors) {
        struct errors e = {};

        for (size_t i = 0; i < c->n_listen; i++) {
                struct sockaddr_storage ss;
                socklen_t len;
                if (config_parse_address(c->listen[i], &ss, &len) < 0) {
                        errors_add(&e, "listen", 0, "not an address:port: '%s'", c->listen[i]);
                        continue;
                }
                if (!c->token_file && !c->allow_remote && !config_address_is_loopback((struct sockaddr *) &ss))
                        errors_add(&e, "listen", 0,
                                   "'%s' is not a loopback address: configure [security] token_file "
                                   "or set allow_remote = true", c->listen[i]);
        }
        if (c->webhook.retry_initial_sec > c->webhook.retry_max_sec)
                errors_add(&e, "webhook", 0, "retry_initial_sec (%d) is larger than retry_max_sec (%d)",
                           c->webhook.retry_initial_sec, c->webhook.retry_max_sec);
        return finish(&e, ret_errors);
}

int config_load(struct config *c, const char *path, const struct config_overrides *o, char **ret_errors) {
        int r = config_init(c);
        if (r < 0)
                return r;
        if (ret_errors)
                *ret_errors = NULL;
        if (path) {
                r = config_parse_file(c, path, ret_errors);
                if (r < 0)
                        goto fail;
        }
        r = config_apply_overrides(c, o);
        if (r < 0)
                goto fail;
        r = config_check(c, ret_errors);
        if (r < 0)
                goto fail;
        return 0;
fail:
        config_free(c);
        return r;
}
