/* The listening sockets. */
#pragma once

#include "daemon/http/http.h"

/* Binds s->cfg.listen (or takes the sockets systemd passed).  Logs and
 * returns a negative errno on failure. */
int http_listen(struct server *s);
/* The first listener in force that is not on a loopback address, written
 * into buf, or NULL: a configuration without a token must not be applied
 * while there is one (unless allow_remote). */
const char *http_remote_listener(struct server *s, char *buf, size_t size);

/* Stops accepting new connections. */
void http_close_listeners(struct server *s);
