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

/* When a changed value takes effect: at SIGHUP, or only at a restart (a
 * reload keeps the value in force and says so). */
enum key_apply {
        APPLY_RELOAD,
        APPLY_RESTART,
};

struct key_def {
        const char *section, *key;
        enum key_type type;
        size_t offset;
        double min, max;        /* KEY_SIZE, KEY_INT, KEY_DOUBLE */
        double def;             /* the built-in default of numbers, booleans and the log level;
                                 * listen, database and token_file come from config_init() */
        enum key_apply apply;
};

#define OFF(f) offsetof(struct config, f)
#define KEY(sec, name, type, field, lo, hi, dflt, when) \
        { sec, name, type, OFF(field), lo, hi, dflt, APPLY_##when }

/* Every key: its section, name, type, field, bounds, default and when a
 * change applies; conf/claimd.conf documents each one (test-config checks
 * that it agrees). */
static const struct key_def keys[] = {
        KEY("server", "listen", KEY_LISTEN, listen, 0, 0, 0, RESTART),
        KEY("server", "max_body_bytes", KEY_SIZE, max_body_bytes, MIN_MAX_BODY_BYTES, MAX_MAX_BODY_BYTES,
            DEFAULT_MAX_BODY_BYTES, RELOAD),
        KEY("server", "max_header_bytes", KEY_SIZE, max_header_bytes, MIN_MAX_HEADER_BYTES, MAX_MAX_HEADER_BYTES,
            DEFAULT_MAX_HEADER_BYTES, RELOAD),
        KEY("server", "request_timeout_sec", KEY_INT, request_timeout_sec, 1, MAX_TIMEOUT_SEC,
            DEFAULT_REQUEST_TIMEOUT_SEC, RELOAD),
        KEY("server", "workers", KEY_INT, workers, 0, MAX_WORKERS, DEFAULT_WORKERS, RESTART),
        KEY("server", "max_article_work_sec", KEY_INT, max_article_work_sec, 0, MAX_TIMEOUT_SEC,
            DEFAULT_MAX_ARTICLE_WORK_SEC, RELOAD),
        KEY("server", "queue_size", KEY_INT, queue_size, 1, MAX_QUEUE_SIZE, DEFAULT_QUEUE_SIZE, RESTART),
        KEY("server", "long_poll_max", KEY_INT, long_poll_max, 0, MAX_LONG_POLL_MAX_SEC, DEFAULT_LONG_POLL_MAX_SEC,
            RELOAD),
        KEY("server", "max_streams", KEY_INT, max_streams, 0, MAX_MAX_STREAMS, DEFAULT_MAX_STREAMS, RELOAD),
        KEY("server", "stream_max_unsent_bytes", KEY_SIZE, stream_max_unsent_bytes, MIN_STREAM_MAX_UNSENT_BYTES,
            MAX_STREAM_MAX_UNSENT_BYTES, DEFAULT_STREAM_MAX_UNSENT_BYTES, RELOAD),
        KEY("storage", "database", KEY_STRING, database, 0, 0, 0, RESTART),
        KEY("storage", "retention_days", KEY_INT, retention_days, 0, MAX_RETENTION_DAYS, 0, RELOAD),
        KEY("security", "token_file", KEY_TOKEN_FILE, token_file, 0, 0, 0, RELOAD),
        KEY("security", "require_token_for_reads", KEY_BOOL, require_token_for_reads, 0, 0, false, RELOAD),
        KEY("security", "allow_remote", KEY_BOOL, allow_remote, 0, 0, false, RESTART),
        KEY("log", "log_level", KEY_LOG_LEVEL, log_level, 0, 0, LOG_INFO, RELOAD),
        KEY("events", "min_similarity", KEY_DOUBLE, ingest.event.min_similarity, 0, 1,
            DEFAULT_EVENT_MIN_SIMILARITY, RELOAD),
        KEY("events", "window_hours", KEY_INT, ingest.event.window_hours, 1, MAX_EVENT_WINDOW_HOURS,
            DEFAULT_EVENT_WINDOW_HOURS, RELOAD),
        KEY("events", "max_candidates", KEY_INT, ingest.event.max_candidates, 1, MAX_EVENT_MAX_CANDIDATES,
            DEFAULT_EVENT_MAX_CANDIDATES, RELOAD),
        KEY("conflicts", "min_score", KEY_DOUBLE, ingest.conflict.min_score, 0, 1, CONFLICT_DEFAULT_MIN_SCORE, RELOAD),
        KEY("conflicts", "min_overlap", KEY_DOUBLE, ingest.conflict.min_overlap, 0, 1, CONFLICT_DEFAULT_MIN_OVERLAP,
            RELOAD),
        KEY("conflicts", "hedge_penalty", KEY_DOUBLE, ingest.conflict.hedge_penalty, 0, 1,
            CONFLICT_DEFAULT_HEDGE_PENALTY, RELOAD),
        KEY("conflicts", "question_penalty", KEY_DOUBLE, ingest.conflict.question_penalty, 0, 1,
            CONFLICT_DEFAULT_QUESTION_PENALTY, RELOAD),
        KEY("conflicts", "max_per_article", KEY_INT, ingest.max_conflicts_per_article, 1,
            MAX_MAX_CONFLICTS_PER_ARTICLE, DEFAULT_MAX_CONFLICTS_PER_ARTICLE, RELOAD),
        KEY("conflicts", "max_candidate_claims", KEY_INT, ingest.max_candidate_claims, 1, MAX_CANDIDATE_CLAIMS,
            DEFAULT_MAX_CANDIDATE_CLAIMS, RELOAD),
        KEY("conflicts", "match_across_events", KEY_BOOL, ingest.match_across_events, 0, 0, false, RELOAD),
        /* 0 is read as the default (older files say 0) */
        KEY("conflicts", "max_event_claims_in_memory", KEY_INT, ingest.max_event_claims_in_memory, 0,
            MAX_EVENT_CLAIMS_IN_MEMORY, DEFAULT_EVENT_CLAIMS_IN_MEMORY, RELOAD),
        KEY("compare", "related_min_similarity", KEY_DOUBLE, related_min_similarity, 0, 1,
            RELATE_DEFAULT_MIN_SIMILARITY, RELOAD),
        KEY("webhook", "url", KEY_WEBHOOK_URL, webhook.urls, 0, 0, 0, RESTART),
        KEY("webhook", "secret_file", KEY_STRING, webhook.secret_file, 0, 0, 0, RESTART),
        KEY("webhook", "ca_file", KEY_STRING, webhook.ca_file, 0, 0, 0, RESTART),
        KEY("webhook", "timeout_sec", KEY_INT, webhook.timeout_sec, 1, MAX_TIMEOUT_SEC, DEFAULT_WEBHOOK_TIMEOUT_SEC,
            RESTART),
        KEY("webhook", "retry_initial_sec", KEY_INT, webhook.retry_initial_sec, 1, MAX_WEBHOOK_RETRY_SEC,
            DEFAULT_WEBHOOK_RETRY_INITIAL_SEC, RESTART),
        KEY("webhook", "retry_max_sec", KEY_INT, webhook.retry_max_sec, 1, MAX_WEBHOOK_RETRY_SEC,
            DEFAULT_WEBHOOK_RETRY_MAX_SEC, RESTART),
        KEY("webhook", "max_in_flight", KEY_INT, webhook.max_in_flight, 1, MAX_WEBHOOK_IN_FLIGHT,
            DEFAULT_WEBHOOK_IN_FLIGHT, RESTART),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

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

/* Puts d's built-in default into c (numbers, booleans, the log level; the
 * other kinds come from config_init() itself). */
static void set_default(struct config *c, const struct key_def *d) {
        char *field = (char *) c + d->offset;
        switch (d->type) {
        case KEY_SIZE:
                *(size_t *) field = (size_t) d->def;
                break;
        case KEY_INT:
        case KEY_LOG_LEVEL:
                *(int *) field = (int) d->def;
                break;
        case KEY_BOOL:
                *(bool *) field = d->def != 0;
                break;
        case KEY_DOUBLE:
                *(double *) field = d->def;
                break;
        case KEY_STRING:
        case KEY_LISTEN:
        case KEY_TOKEN_FILE:
        case KEY_WEBHOOK_URL:
                break;
        }
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

        for (size_t k = 0; k < N_KEYS; k++)
                set_default(c, &keys[k]);
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

/* Whether key d holds the same value in a and b. */
static bool key_same(const struct key_def *d, const struct config *a, const struct config *b) {
        const char *fa = (const char *) a + d->offset, *fb = (const char *) b + d->offset;
        switch (d->type) {
        case KEY_SIZE:
                return *(const size_t *) fa == *(const size_t *) fb;
        case KEY_INT:
        case KEY_LOG_LEVEL:
                return *(const int *) fa == *(const int *) fb;
        case KEY_BOOL:
                return *(const bool *) fa == *(const bool *) fb;
        case KEY_DOUBLE:
                return *(const double *) fa == *(const double *) fb;
        case KEY_STRING:
        case KEY_TOKEN_FILE:
                return same_string(*(char *const *) fa, *(char *const *) fb);
        case KEY_LISTEN:
                if (a->n_listen != b->n_listen)
                        return false;
                for (size_t i = 0; i < a->n_listen; i++)
                        if (strcmp(a->listen[i], b->listen[i]) != 0)
                                return false;
                return true;
        case KEY_WEBHOOK_URL:
                if (a->webhook.n_urls != b->webhook.n_urls)
                        return false;
                for (size_t i = 0; i < a->webhook.n_urls; i++)
                        if (strcmp(a->webhook.urls[i], b->webhook.urls[i]) != 0)
                                return false;
                return true;
        }
        return false;
}

#define SWAP(x, y) do { __typeof__(x) tmp_ = (x); (x) = (y); (y) = tmp_; } while (0)

/* Exchanges the values of key d between a and b (owned strings move with
 * them). */
static void key_swap(const struct key_def *d, struct config *a, struct config *b) {
        char *fa = (char *) a + d->offset, *fb = (char *) b + d->offset;
        size_t size = d->type == KEY_SIZE ? sizeof(size_t) : d->type == KEY_BOOL ? sizeof(bool) :
                      d->type == KEY_DOUBLE ? sizeof(double) : d->type == KEY_STRING || d->type == KEY_TOKEN_FILE ?
                      sizeof(char *) : sizeof(int);
        char tmp[sizeof(double) > sizeof(char *) ? sizeof(double) : sizeof(char *)];
        switch (d->type) {
        case KEY_LISTEN:
                for (size_t i = 0; i < MAX_LISTEN_ADDRESSES; i++)
                        SWAP(a->listen[i], b->listen[i]);
                SWAP(a->n_listen, b->n_listen);
                return;
        case KEY_WEBHOOK_URL:
                for (size_t i = 0; i < MAX_WEBHOOK_URLS; i++)
                        SWAP(a->webhook.urls[i], b->webhook.urls[i]);
                SWAP(a->webhook.n_urls, b->webhook.n_urls);
                return;
        default:
                memcpy(tmp, fa, size);
                memcpy(fa, fb, size);
                memcpy(fb, tmp, size);
        }
}

bool config_key_at(size_t i, const char **ret_section, const char **ret_key, bool *ret_restart) {
        if (i >= N_KEYS)
                return false;
        *ret_section = keys[i].section;
        *ret_key = keys[i].key;
        *ret_restart = keys[i].apply == APPLY_RESTART;
        return true;
}

size_t config_keep_for_restart(struct config *next, struct config *now, const char **ret_changed, size_t n) {
        size_t k = 0;
        for (size_t i = 0; i < N_KEYS; i++) {
                const struct key_def *d = &keys[i];
                if (d->apply != APPLY_RESTART || key_same(d, next, now))
                        continue;
                key_swap(d, next, now);
                if (k < n)
                        ret_changed[k] = d->key;
                k++;
        }
        return k;
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
/* A number key: KEY_SIZE (with K/M/G), KEY_INT or KEY_DOUBLE, in bounds. */
static void set_number(struct parse_state *st, const struct key_def *d, char *field, const char *value) {
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
        default:
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
        }
}

/* [webhook] url, repeatable. */
static void add_webhook_url(struct parse_state *st, const char *value) {
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
}

/* [server] listen, repeatable: the file's lines replace the default. */
static void add_listen(struct parse_state *st, const char *value) {
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
}

/* A string key; an empty value is an error, or, for token_file, no token. */
static void set_string(struct parse_state *st, const struct key_def *d, char *field, const char *value) {
        bool token = d->type == KEY_TOKEN_FILE;
        if (!*value && !token) {
                errors_add(st->e, st->name, st->line, "%s: empty value", d->key);
                return;
        }
        char *s = NULL;
        if (*value && !(s = strdup(value))) {
                st->e->oom = true;
                return;
        }
        free(*(char **) field);
        *(char **) field = s;
        if (token)
                st->c->token_file_explicit = s != NULL;
}

static void set_key(struct parse_state *st, size_t k, const char *value) {
        const struct key_def *d = &keys[k];
        char *field = (char *) st->c + d->offset;

        switch (d->type) {
        case KEY_SIZE:
        case KEY_INT:
        case KEY_DOUBLE:
                set_number(st, d, field, value);
                return;
        case KEY_BOOL:
                if (parse_bool(value, (bool *) field) < 0)
                        errors_add(st->e, st->name, st->line,
                                   "%s: not a boolean (true/false/yes/no/on/off/1/0): '%s'", d->key, value);
                return;
        case KEY_STRING:
        case KEY_TOKEN_FILE:
                set_string(st, d, field, value);
                return;
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
        case KEY_WEBHOOK_URL:
                add_webhook_url(st, value);
                return;
        case KEY_LISTEN:
                add_listen(st, value);
                return;
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

/* The end of a check or parse: 0, -ENOMEM, or -EINVAL with the errors in
 * *ret_errors. */
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
        /* zero-means-default counts resolved once, here: the store takes
         * the options as they are */
        ingest_options_resolve(&c->ingest);
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
