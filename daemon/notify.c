/* See notify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon/notify.h"

void notify_ready(const char *status) {
        if (status)
                sd_notifyf(0, "READY=1\nSTATUS=%s", status);
        else
                sd_notify(0, "READY=1");
}

void notify_status(const char *fmt, ...) {
        char buf[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        sd_notifyf(0, "STATUS=%s", buf);
}

void notify_reloading(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading configuration\nMONOTONIC_USEC=%llu",
                   (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000);
}

void notify_stopping(void) {
        sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
}

static void watchdog_cb(evutil_socket_t fd, short what, void *arg) {
        sd_notify(0, "WATCHDOG=1");
}

int notify_watchdog_start(struct event_base *base, struct event **ret) {
        uint64_t usec = 0;
        int r = sd_watchdog_enabled(0, &usec);

        if (r <= 0 || usec == 0)
                return r < 0 ? r : 0;

        struct event *ev = event_new(base, -1, EV_PERSIST, watchdog_cb, NULL);
        if (!ev)
                return -ENOMEM;
        usec /= 2;
        struct timeval tv = { .tv_sec = (time_t) (usec / 1000000), .tv_usec = (suseconds_t) (usec % 1000000) };
        if (event_add(ev, &tv) < 0) {
                event_free(ev);
                return -EIO;
        }
        sd_notify(0, "WATCHDOG=1");
        *ret = ev;
        return 1;
}
