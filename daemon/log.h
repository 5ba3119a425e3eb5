/* Logging: to the systemd journal with structured fields (when
 * $JOURNAL_STREAM is set or --log-target journal), otherwise to stderr as
 * "<N>message" lines.  Every record carries PRIORITY and the caller's
 * CODE_FILE/CODE_LINE/CODE_FUNC.  Safe to call from any thread.  The API
 * token is never passed here. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/* Fixed MESSAGE_IDs (generated once with `systemd-id128 new`; listed in the README). */
#define CLAIMD_MESSAGE_CONFLICT         "fe62747efdd64f07afcffa2215edeab2"     /* conflict detected */
#define CLAIMD_MESSAGE_INGESTED         "088d2bb5c21740f093697afc4ab10b26"     /* article ingested */
#define CLAIMD_MESSAGE_REJECTED         "0a17b965dc174e6bac105ff5edfe0fb6"     /* request rejected */
#define CLAIMD_MESSAGE_STARTED          "edbe4fb5d0194dab8ec973cb2b74a88d"     /* started, serving */
#define CLAIMD_MESSAGE_RELOADED         "dc0262bc4e264252aa875dacad70af2c"     /* configuration reloaded */
#define CLAIMD_MESSAGE_STOPPING         "e4f0132252e44361b664b3588510be93"     /* shutting down */
#define CLAIMD_MESSAGE_RELOAD_FAILED    "e1604289897a432fb611f05d44eaf383"     /* reload refused, old config kept */
#define CLAIMD_MESSAGE_STORE_FAULT      "4b7b8954687c41608c8100e9f8d50a38"     /* database error (busy, full, read-only, I/O) */
#define CLAIMD_MESSAGE_REVIEWED         "fe90440e928541008098c3dd3a4aee68"     /* a conflict was reviewed */
#define CLAIMD_MESSAGE_WEBHOOK_FAILING  "b99c1676a57946f98b8f336797a72bc9"     /* a webhook delivery attempt failed */
#define CLAIMD_MESSAGE_EXPIRED          "551b430ee2f9439789563d2f753b7e77"     /* retention sweep deleted articles */

enum log_target {
        LOG_TARGET_AUTO,
        LOG_TARGET_JOURNAL,
        LOG_TARGET_STDERR,
};

/* Returns the target for "auto", "journal", "stderr", or -EINVAL. */
int log_target_from_string(const char *s);

/* Chooses the sink: journal for LOG_TARGET_JOURNAL, or for AUTO when
 * $JOURNAL_STREAM is set; stderr otherwise. */
void log_open(enum log_target t);
bool log_to_journal(void);
void log_set_max_level(int level);
int log_get_max_level(void);

#define LOG_MAX_FIELDS 12

/* Logs one record.  fields: NULL, or up to LOG_MAX_FIELDS "KEY=value"
 * strings ended by NULL; message_id may be NULL. */
void log_internal(int level, const char *file, int line, const char *func,
                  const char *message_id, const char *const *fields,
                  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define log_full(level, ...) log_internal(level, __FILE__, __LINE__, __func__, NULL, NULL, __VA_ARGS__)
#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

/* A record with a MESSAGE_ID and CLAIMD_* fields. */
#define log_struct(level, message_id, fields, ...) \
        log_internal(level, __FILE__, __LINE__, __func__, message_id, fields, __VA_ARGS__)
