/* struct server: the state the files of daemon/http/ share, all of it
 * touched on the event loop thread only.  main.c fills cfg, token, ro and
 * workers; server.h sets up the rest. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon/config.h"
#include "daemon/store.h"

struct webhook;
struct workers;
struct poller;

struct server {
        struct event_base *base;
        struct evhttp *http;
        struct config cfg;                      /* the configuration in force */
        char *token;                            /* NULL: no token configured */
        size_t token_len;
        struct store *ro;                       /* read-only connection, loop thread */
        struct workers *workers;
        struct webhook *webhook;                /* NULL: no [webhook] url */
        struct evhttp_bound_socket *sockets[MAX_LISTEN_ADDRESSES * 2 + 16];
        size_t n_sockets;
        bool socket_activated;
        bool stopping;
        struct poller *pollers;                 /* parked long polls */
        size_t n_pollers;
        struct evbuffer *out;                   /* reused reply buffer */
        struct event *tick;                     /* once a second: sweeps, status */
};
