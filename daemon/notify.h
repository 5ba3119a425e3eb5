/* systemd readiness protocol (sd_notify) and the watchdog timer.  All of
 * these are no-ops when $NOTIFY_SOCKET is unset. */
#pragma once

#include <event2/event.h>

void notify_ready(const char *status);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC=now, as systemd 253+ expects. */
void notify_reloading(void);
void notify_stopping(void);

/* When the service manager asked for a watchdog (sd_watchdog_enabled),
 * starts a timer on base that sends WATCHDOG=1 at half the interval.
 * Returns 1 when started, 0 when not wanted, negative errno on failure. */
int notify_watchdog_start(struct event_base *base, struct event **ret);
