/* claimd's configuration: built-in defaults, then the INI file
 * (conf/claimd.conf documents every key), then the command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "daemon/limits.h"
#include "daemon/store.h"

struct config {
        char *listen[MAX_LISTEN_ADDRESSES];     /* "127.0.0.1:8080", "[::1]:8080" */
        size_t n_listen;
        char *database;
        size_t max_body_bytes;
        size_t max_header_bytes;
        int request_timeout_sec;
        char *token_file;               /* NULL: no token */
        bool token_file_explicit;       /* set by the file: a missing file is an error */
        bool require_token_for_reads;
        bool allow_remote;
        int retention_days;             /* 0: keep forever */
        int workers;                    /* 0: one per CPU */
        int max_article_work_sec;       /* pipeline time one article may take; 0: no limit */
        int queue_size;
        int long_poll_max;
        int max_streams;                /* open event streams before 503 */
        size_t stream_max_unsent_bytes; /* a stream with more unsent output is closed */
        int log_level;                  /* LOG_ERR .. LOG_DEBUG */
        double related_min_similarity;  /* POST /v1/compare "related" threshold */
        struct ingest_options ingest;
        struct webhook_config {         /* [webhook]: all need a restart */
                char *urls[MAX_WEBHOOK_URLS];
                size_t n_urls;
                char *secret_file;      /* NULL: deliveries are not signed */
                char *ca_file;          /* NULL: the system's CA store */
                int timeout_sec;
                int retry_initial_sec;
                int retry_max_sec;
                int max_in_flight;      /* per url */
        } webhook;
};

/* What the command line says; NULL/-1 fields leave the file's value. */
struct config_overrides {
        const char *listen[MAX_LISTEN_ADDRESSES];
        size_t n_listen;
        const char *database;
        int log_level;
};

/* [webhook]: frees its strings. */
void config_webhook_free(struct webhook_config *w);

/* Key i of the table (for tests and documentation): its section, name and
 * whether only a restart applies it; false past the last key. */
bool config_key_at(size_t i, const char **ret_section, const char **ret_key, bool *ret_restart);

/* SIGHUP: every key that only a restart applies and whose value differs
 * in next (the file just read) from now (the configuration in force)
 * takes its value in force: the two values are exchanged, so config_free()
 * of now then frees what next brought.  Fills ret_changed with the names
 * of up to n such keys; returns how many there were. */
size_t config_keep_for_restart(struct config *next, struct config *now, const char **ret_changed, size_t n);

/* Fills c with the built-in defaults (environment: $STATE_DIRECTORY,
 * $CREDENTIALS_DIRECTORY).  Returns 0 or -ENOMEM. */
int config_init(struct config *c);
void config_free(struct config *c);

/* Reads the INI file at path into c (which holds defaults already).  Returns
 * 0, or -EINVAL with *ret_errors set to "file:line: message" lines (free()),
 * or another negative errno (file unreadable; *ret_errors says so). */
int config_parse_file(struct config *c, const char *path, char **ret_errors);

/* Parses INI text as if read from a file named `name`; same returns. */
int config_parse_string(struct config *c, const char *name, const char *text, char **ret_errors);

/* Applies command-line overrides; returns 0 or -ENOMEM. */
int config_apply_overrides(struct config *c, const struct config_overrides *o);

/* defaults + file (path may be NULL) + overrides, then config_check(). */
int config_load(struct config *c, const char *path, const struct config_overrides *o, char **ret_errors);

/* Checks cross-key rules (remote listeners need a token or allow_remote).
 * Returns 0, or -EINVAL with a message in *ret_errors. */
int config_check(const struct config *c, char **ret_errors);

/* Parses "1.2.3.4:80", "[::1]:80", "localhost:80" or ":80" (all IPv4
 * addresses).  Returns 0 and fills *ret and *ret_len, or -EINVAL. */
int config_parse_address(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len);
bool config_address_is_loopback(const struct sockaddr *sa);

/* Parses "debug", "info", "notice", "warning", "err"/"error", "crit", "alert",
 * "emerg" or a digit; returns the syslog level or -EINVAL. */
int config_parse_log_level(const char *s);
const char *config_log_level_to_string(int level);
