/* The webhook sender: POSTs each new conflict to every [webhook] url, at
 * least once.  It runs in a thread of its own with its own event_base (the
 * server's evhttp is never touched from here), its own evhttp client
 * connections (libevent_openssl for https) and its own SQLite connection:
 * pending deliveries are rows of the database (migration 7), retried with
 * capped exponential backoff until the receiver answers 2xx, also after a
 * restart or a crash.  A receiver that hangs only holds its own slots. */
#pragma once

#include <stdint.h>

#include "daemon/config.h"

struct webhook;

struct webhook_stats {
        uint64_t delivered;     /* answered 2xx */
        uint64_t failed;        /* attempts that failed (each is retried) */
        uint64_t dropped;       /* deliveries whose conflict was deleted first */
        int64_t backlog;        /* deliveries pending */
};

/* Starts the sender for cfg->webhook (loads the secret, opens the
 * database at cfg->database).  *ret stays NULL when no url is configured.
 * Returns 0 or a negative errno after logging why. */
int webhook_start(const struct config *cfg, struct webhook **ret);

/* From any thread: conflicts were committed; enqueue and send them. */
void webhook_notify(struct webhook *w);

void webhook_get_stats(struct webhook *w, struct webhook_stats *ret);

/* Stops the thread; deliveries in flight stay pending in the database. */
void webhook_stop(struct webhook *w);
