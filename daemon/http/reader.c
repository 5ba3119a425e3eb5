/* See reader.h. */
#include <string.h>

#include "daemon/clock.h"
#include "daemon/http/reader.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/workers.h"

static void close_ro(void *userdata) {
        struct server *s = userdata;
        store_close(s->ro);
        s->ro = NULL;
}

static void open_ro(void *userdata) {
        struct server *s = userdata;
        if (store_open(s->cfg.database, true, &s->ro) < 0)
                s->ro = NULL;
}

bool http_store_ready(struct server *s) {
        if (!s->ro)
                open_ro(s);
        return s->ro != NULL;
}

void http_store_reopen(struct server *s) {
        static uint64_t last;
        uint64_t now = now_usec();

        if (last && now - last < STORE_RETRY_SEC * 1000000u)
                return;
        last = now;
        int r = workers_reopen_store(s->workers, close_ro, open_ro, s);
        log_debug("database reopened after a read-only fault: %s", r < 0 ? strerror(-r) : "ok");
}
