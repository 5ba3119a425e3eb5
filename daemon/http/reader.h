/* The read-only store connection of the loop thread (s->ro), which the
 * read routes use, and reopening every connection after a write found the
 * database read-only. */
#pragma once

#include <stdbool.h>

#include "daemon/http/http.h"

/* Returns true when the read-only connection is open (reopening it when a
 * fault closed it). */
bool http_store_ready(struct server *s);

/* A write found the database read-only: reopen every connection (the
 * writer's too), at most every STORE_RETRY_SEC, so writes resume when the
 * fault is gone. */
void http_store_reopen(struct server *s);
