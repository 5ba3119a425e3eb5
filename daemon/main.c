/* claimd: command line, start-up, SIGHUP reload, graceful SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "daemon/config.h"
#include "daemon/http/auth.h"
#include "daemon/http/jobs.h"
#include "daemon/http/listen.h"
#include "daemon/http/server.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/http/webhook.h"
#include "daemon/workers.h"

static struct server server;
static const char *config_path;
static struct config_overrides overrides = { .log_level = -1 };
static struct event *ev_term, *ev_int, *ev_hup, *ev_watchdog, *ev_drain;

static void help(void) {
        printf("Usage: claimd [OPTIONS]\n\n"
               "Finds conflicting claims across news articles and serves them over HTTP.\n\n"
               "  -c --config FILE          read this INI file (default: none, built-in defaults)\n"
               "  -l --listen ADDR:PORT     listen here instead (repeatable; e.g. 127.0.0.1:8080, [::1]:8080)\n"
               "  -d --db PATH              database file (default ./claimd.db, or $STATE_DIRECTORY/claimd.db)\n"
               "     --log-target TARGET    auto, journal or stderr (default auto: journal when $JOURNAL_STREAM is set)\n"
               "     --log-level LEVEL      emerg alert crit err warning notice info debug (default info)\n"
               "     --check-config         check the configuration, print problems, exit non-zero on error\n"
               "  -V --version              print the version\n"
               "  -h --help                 print this help\n");
}

/* Prints every line of a config error text at LOG_ERR. */
static void log_errors(const char *errors) {
        const char *p = errors;
        while (p && *p) {
                size_t n = strcspn(p, "\n");
                log_error("%.*s", (int) n, p);
                p += n;
                if (*p)
                        p++;
        }
}

/* Loads the token named by cfg; returns 0 (NULL token when none). */
static int load_token(const struct config *cfg, char **ret, size_t *ret_len) {
        char err[512];
        *ret = NULL;
        *ret_len = 0;
        if (!cfg->token_file)
                return 0;
        int r = token_load(cfg->token_file, ret, ret_len, err, sizeof(err));
        if (r == -ENODATA && !cfg->token_file_explicit) {
                /* an empty credential (the unit's SetCredential= fallback): no token */
                log_info("%s: serving without an API token", err);
                return 0;
        }
        if (r < 0)
                log_error("%s", err);
        return r;
}

/* Raises the soft limit of open files to the hard one: each connection
 * is a descriptor, the soft limit is often 1,024 while the hard one is far
 * higher (systemd: 524,288), and libevent uses epoll, not select(), so
 * descriptors above 1,023 are fine.  What is left when even that runs out
 * is handled by the listener (http-conn.c). */
static void raise_fd_limit(void) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
                log_debug("open files limit raised from %llu to %llu", (unsigned long long) was,
                          (unsigned long long) rl.rlim_max);
}

static void set_work_options(struct work_options *o, const struct config *c) {
        o->ingest = c->ingest;
        o->retention_days = c->retention_days;
        o->related_min_similarity = c->related_min_similarity;
}

/* SIGHUP: re-reads the file; applies what can change while running. */
static void reload(void) {
        struct config c;
        char *errors = NULL;

        notify_reloading();
        int r = config_load(&c, config_path, &overrides, &errors);
        if (r < 0) {
                log_errors(errors);
                log_struct(LOG_ERR, CLAIMD_MESSAGE_RELOAD_FAILED, NULL,
                           "reload failed: %s; keeping the configuration in force",
                           r == -EINVAL ? "configuration errors" : strerror(-r));
                free(errors);
                notify_ready("Reload failed; serving with the previous configuration");
                return;
        }

        char *token;
        size_t token_len;
        if (load_token(&c, &token, &token_len) < 0) {
                log_struct(LOG_ERR, CLAIMD_MESSAGE_RELOAD_FAILED, NULL,
                           "reload failed: token file unreadable; keeping the configuration in force");
                config_free(&c);
                notify_ready("Reload failed; serving with the previous configuration");
                return;
        }

        /* the listeners stay as they are until a restart: the check of
         * start-up must hold for them under the new settings too */
        char remote[128];
        if (!token && !c.allow_remote && http_remote_listener(&server, remote, sizeof(remote))) {
                log_struct(LOG_ERR, CLAIMD_MESSAGE_RELOAD_FAILED, NULL,
                           "reload refused: claimd listens on %s, which is not a loopback address, and the new "
                           "configuration has no API token (token file missing or empty); keeping the "
                           "configuration in force", remote);
                config_free(&c);
                notify_ready("Reload refused; serving with the previous configuration");
                return;
        }

        struct config *old = &server.cfg;
        bool restart = false;
        if (strcmp(c.database, old->database) != 0)
                restart = true, log_warning("reload: database changed; takes effect after a restart");
        if (c.workers != old->workers || c.queue_size != old->queue_size)
                restart = true, log_warning("reload: workers/queue_size changed; take effect after a restart");
        bool listen_changed = c.n_listen != old->n_listen;
        for (size_t i = 0; !listen_changed && i < c.n_listen; i++)
                listen_changed = strcmp(c.listen[i], old->listen[i]) != 0;
        if (listen_changed)
                restart = true, log_warning("reload: listen addresses changed; take effect after a restart");
        if (!config_webhook_same(&c.webhook, &old->webhook))
                restart = true, log_warning("reload: [webhook] changed; takes effect after a restart");

        /* keep the settings that need a restart as they are */
        struct config keep = *old;
        for (size_t i = 0; i < c.n_listen; i++)
                free(c.listen[i]);
        memcpy(c.listen, keep.listen, sizeof(c.listen));
        c.n_listen = keep.n_listen;
        free(c.database);
        c.database = keep.database;
        c.workers = keep.workers;
        c.queue_size = keep.queue_size;
        config_webhook_free(&c.webhook);
        c.webhook = keep.webhook;
        free(keep.token_file);

        server.cfg = c;
        if (server.token) {
                explicit_bzero(server.token, server.token_len);
                free(server.token);
        }
        server.token = token;
        server.token_len = token_len;

        log_set_max_level(c.log_level);
        http_apply_limits(&server);
        struct work_options o;
        set_work_options(&o, &c);
        workers_set_options(server.workers, &o);

        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_RELOADED, NULL, "configuration reloaded from %s%s",
                   config_path ? config_path : "(built-in defaults)",
                   restart ? "; some changes need a restart" : "");
        notify_ready("Serving");
}

static void drain_check(evutil_socket_t fd, short what, void *arg) {
        if (!server.workers)
                return;
        if (workers_inflight(server.workers) == 0 || arg) {
                /* a moment for the last replies to be written out */
                struct timeval tv = { 0, 200000 };
                event_base_loopexit(server.base, &tv);
        }
}

static void begin_shutdown(const char *why) {
        if (server.stopping)
                return;
        server.stopping = true;
        notify_stopping();
        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STOPPING, NULL, "stopping (%s): finishing requests in flight", why);
        http_close_listeners(&server);
        http_release_waiting(&server);
        workers_shutdown(server.workers);

        /* poll the work queue until it is empty, for at most SHUTDOWN_DRAIN_SEC */
        ev_drain = event_new(server.base, -1, EV_PERSIST, drain_check, NULL);
        struct timeval tv = { 0, 50000 };
        event_add(ev_drain, &tv);
        struct timeval limit = { SHUTDOWN_DRAIN_SEC, 0 };
        event_base_once(server.base, -1, EV_TIMEOUT, drain_check, &limit, &limit);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg) {
        if (sig == SIGHUP)
                reload();
        else
                begin_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

int main(int argc, char *argv[]) {
        enum { ARG_LOG_TARGET = 0x100, ARG_LOG_LEVEL, ARG_CHECK_CONFIG };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "listen", required_argument, NULL, 'l' },
                { "db", required_argument, NULL, 'd' },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int target = LOG_TARGET_AUTO;
        bool check = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "c:l:d:Vh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'l':
                        if (overrides.n_listen >= MAX_LISTEN_ADDRESSES) {
                                fprintf(stderr, "claimd: at most %d --listen options\n", MAX_LISTEN_ADDRESSES);
                                return 2;
                        }
                        overrides.listen[overrides.n_listen++] = optarg;
                        break;
                case 'd':
                        if (!*optarg) {
                                fprintf(stderr, "claimd: --db needs a path\n");
                                return 2;
                        }
                        overrides.database = optarg;
                        break;
                case ARG_LOG_TARGET:
                        target = log_target_from_string(optarg);
                        if (target < 0) {
                                fprintf(stderr, "claimd: --log-target: auto, journal or stderr, not '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case ARG_LOG_LEVEL:
                        overrides.log_level = config_parse_log_level(optarg);
                        if (overrides.log_level < 0) {
                                fprintf(stderr, "claimd: --log-level: unknown level '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case ARG_CHECK_CONFIG:
                        check = true;
                        break;
                case 'V':
                        printf("claimd %s\n", CLAIMD_VERSION);
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        fprintf(stderr, "Try 'claimd --help'.\n");
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "claimd: unexpected argument '%s'\nTry 'claimd --help'.\n", argv[optind]);
                return 2;
        }

        if (check) {
                char *errors = NULL;
                struct config cfg;
                r = config_load(&cfg, config_path, &overrides, &errors);
                if (r < 0) {
                        fputs(errors ? errors : "claimd: cannot load the configuration\n", stderr);
                        free(errors);
                        return 1;
                }
                char *token;
                size_t token_len;
                char err[512];
                r = cfg.token_file ? token_load(cfg.token_file, &token, &token_len, err, sizeof(err)) : 0;
                if (r < 0 && !(r == -ENODATA && !cfg.token_file_explicit)) {
                        fprintf(stderr, "%s\n", err);
                        config_free(&cfg);
                        return 1;
                }
                if (cfg.token_file && r == 0)
                        free(token);
                printf("%s: configuration OK\n", config_path ? config_path : "(built-in defaults)");
                config_free(&cfg);
                return 0;
        }

        log_open(target);
        if (overrides.log_level >= 0)
                log_set_max_level(overrides.log_level);

        char *errors = NULL;
        r = config_load(&server.cfg, config_path, &overrides, &errors);
        if (r < 0) {
                log_errors(errors ? errors : "cannot load the configuration");
                free(errors);
                return 1;
        }
        log_set_max_level(server.cfg.log_level);
        if (load_token(&server.cfg, &server.token, &server.token_len) < 0)
                return 1;

        signal(SIGPIPE, SIG_IGN);
        raise_fd_limit();
        if (evthread_use_pthreads() < 0) {
                log_error("evthread_use_pthreads failed");
                return 1;
        }
        /* With the changelist, epoll_ctl() calls wait for the next dispatch,
         * where the changes to one socket made in one iteration become one
         * call or none: a reply enables writing (and, after the libevent 2.1
         * read workaround, reading) and a request answered in the same
         * iteration disables and enables reading again.  A long-poll wave of
         * 200 replies then writes without an epoll_ctl() between writes.
         * libevent's caveat, fds cloned by dup(), does not apply: claimd
         * never dups a descriptor it hands to the loop. */
        struct event_config *ecfg = event_config_new();
        if (ecfg) {
                event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
                server.base = event_base_new_with_config(ecfg);
                event_config_free(ecfg);
        }
        if (!server.base) {
                log_error("cannot create the event base");
                return 1;
        }

        struct store *writer = NULL;
        r = store_open(server.cfg.database, false, &writer);
        if (r < 0) {
                log_error("cannot open database %s: %s", server.cfg.database, strerror(-r));
                return 1;
        }
        r = store_open(server.cfg.database, true, &server.ro);
        if (r < 0) {
                log_error("cannot open database %s for reading: %s", server.cfg.database, strerror(-r));
                store_close(writer);
                return 1;
        }

        int n_workers = server.cfg.workers;
        if (n_workers <= 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                n_workers = n > 0 ? (int) (n > MAX_WORKERS ? MAX_WORKERS : n) : 2;
        }
        struct work_options wo;
        set_work_options(&wo, &server.cfg);
        r = workers_new(server.base, writer, server.cfg.database, n_workers, server.cfg.queue_size, &wo, http_job_done, &server,
                        &server.workers);
        if (r < 0) {
                log_error("cannot start worker threads: %s", strerror(-r));
                return 1;
        }

        r = webhook_start(&server.cfg, &server.webhook);
        if (r < 0) {
                log_error("cannot start the webhook sender: %s", strerror(-r));
                workers_free(server.workers);
                return 1;
        }

        r = http_setup(&server);
        if (r < 0) {
                log_error("cannot set up the HTTP server: %s", strerror(-r));
                return 1;
        }
        r = http_listen(&server);
        if (r < 0) {
                workers_free(server.workers);
                return 1;
        }

        ev_term = evsignal_new(server.base, SIGTERM, signal_cb, NULL);
        ev_int = evsignal_new(server.base, SIGINT, signal_cb, NULL);
        ev_hup = evsignal_new(server.base, SIGHUP, signal_cb, NULL);
        if (!ev_term || !ev_int || !ev_hup || event_add(ev_term, NULL) < 0 || event_add(ev_int, NULL) < 0 ||
            event_add(ev_hup, NULL) < 0) {
                log_error("cannot install signal handlers");
                return 1;
        }
        r = notify_watchdog_start(server.base, &ev_watchdog);
        if (r < 0)
                log_warning("cannot start the watchdog timer: %s", strerror(-r));

        char where[256] = "";
        if (server.socket_activated)
                snprintf(where, sizeof(where), "%zu passed sockets", server.n_sockets);
        else
                for (size_t i = 0; i < server.cfg.n_listen; i++) {
                        size_t n = strlen(where);
                        snprintf(where + n, sizeof(where) - n, "%s%s", i ? " " : "", server.cfg.listen[i]);
                }
        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STARTED, NULL, "claimd %s serving on %s, database %s, %d workers",
                   CLAIMD_VERSION, where, server.cfg.database, n_workers);
        notify_ready("Serving");

        event_base_dispatch(server.base);

        /* the loop has ended: late jobs are answered 503, then flushed */
        if (ev_drain)
                event_del(ev_drain);
        int lost = workers_store_lost(server.workers);
        if (!lost && server.ro)
                lost = store_file_state(server.ro);
        workers_free(server.workers);
        server.workers = NULL;
        webhook_stop(server.webhook);
        server.webhook = NULL;
        event_base_loop(server.base, EVLOOP_NONBLOCK);
        http_release_waiting(&server);
        http_free(&server);
        store_close(server.ro);

        if (ev_watchdog)
                event_free(ev_watchdog);
        if (ev_drain)
                event_free(ev_drain);
        event_free(ev_term);
        event_free(ev_int);
        event_free(ev_hup);
        event_base_free(server.base);
        if (server.token) {
                explicit_bzero(server.token, server.token_len);
                free(server.token);
        }
        config_free(&server.cfg);
        if (lost)
                log_struct(LOG_ERR, CLAIMD_MESSAGE_STOPPING, NULL,
                           "stopped: the database file had been %s while claimd ran; no write was acknowledged "
                           "after claimd noticed", lost == -ENOENT ? "deleted" : "replaced");
        else
                log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STOPPING, NULL, "stopped: database closed cleanly");
        return 0;
}
