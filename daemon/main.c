/* claimd: main() is parse_argv() -> check_config() | run(); run() is
 * setup(), the event loop, and teardown(), the one cleanup path, which
 * undoes whatever part of setup() was done (after systemd's run() and
 * dbus-broker's main.c).  SIGHUP reloads, SIGTERM/SIGINT drain and stop. */
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

/* What the command line asks for. */
struct args {
        const char *config_path;                /* NULL: built-in defaults */
        struct config_overrides overrides;
        int log_target;
        bool check_config;
};

/* The running daemon: the HTTP server's state and what main.c owns. */
struct daemon {
        const struct args *args;
        struct server server;
        struct store *writer;                   /* until workers_new() takes it */
        int n_workers;
        struct event *ev_term, *ev_int, *ev_hup, *ev_watchdog, *ev_drain, *ev_deadline;
        bool dispatched;                        /* setup() completed and the loop ran */
};

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
        o->max_article_work_sec = c->max_article_work_sec;
}

/* SIGHUP: re-reads the file; applies what can change while running. */
static void reload(struct daemon *d) {
        struct server *srv = &d->server;
        struct config c;
        char *errors = NULL;

        notify_reloading();
        int r = config_load(&c, d->args->config_path, &d->args->overrides, &errors);
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

        /* the listeners (and allow_remote) stay as they are until a
         * restart: the check of start-up must hold for them under the new
         * token too */
        char remote[128];
        if (!token && !srv->cfg.allow_remote && http_remote_listener(srv, remote, sizeof(remote))) {
                log_struct(LOG_ERR, CLAIMD_MESSAGE_RELOAD_FAILED, NULL,
                           "reload refused: claimd listens on %s, which is not a loopback address, and the new "
                           "configuration has no API token (token file missing or empty); keeping the "
                           "configuration in force", remote);
                config_free(&c);
                notify_ready("Reload refused; serving with the previous configuration");
                return;
        }

        /* the keys only a restart applies keep their values in force */
        const char *changed[8];
        size_t n_changed = config_keep_for_restart(&c, &srv->cfg, changed, 8);
        for (size_t i = 0; i < n_changed && i < 8; i++)
                log_warning("reload: %s changed; takes effect after a restart", changed[i]);
        bool restart = n_changed > 0;
        config_free(&srv->cfg);
        srv->cfg = c;
        if (srv->token) {
                explicit_bzero(srv->token, srv->token_len);
                free(srv->token);
        }
        srv->token = token;
        srv->token_len = token_len;

        log_set_max_level(c.log_level);
        http_apply_limits(srv);
        struct work_options o;
        set_work_options(&o, &c);
        workers_set_options(srv->workers, &o);

        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_RELOADED, NULL, "configuration reloaded from %s%s",
                   d->args->config_path ? d->args->config_path : "(built-in defaults)",
                   restart ? "; some changes need a restart" : "");
        notify_ready("Serving");
}


/* Polls the work queue while stopping: once it is empty (or at the
 * SHUTDOWN_DRAIN_SEC deadline, force), the loop ends a moment later, when
 * the last replies are written out. */
static void drain_end(struct daemon *d, bool force) {
        if (!d->server.workers)
                return;
        if (force)      /* the drain limit: cut the pipeline runs still going */
                workers_cancel(d->server.workers);
        if (workers_inflight(d->server.workers) == 0 || force) {
                struct timeval tv = { 0, 200000 };
                event_base_loopexit(d->server.base, &tv);
        }
}

static void drain_poll(evutil_socket_t fd, short what, void *arg) {
        drain_end(arg, false);
}

static void drain_deadline(evutil_socket_t fd, short what, void *arg) {
        drain_end(arg, true);
}

static void begin_shutdown(struct daemon *d, const char *why) {
        struct server *s = &d->server;

        if (s->stopping)
                return;
        s->stopping = true;
        notify_stopping();
        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STOPPING, NULL, "stopping (%s): finishing requests in flight", why);
        http_close_listeners(s);
        http_release_waiting(s);
        workers_shutdown(s->workers);

        /* poll the work queue until it is empty, for at most SHUTDOWN_DRAIN_SEC */
        struct timeval tv = { 0, 50000 }, limit = { SHUTDOWN_DRAIN_SEC, 0 };
        d->ev_drain = event_new(s->base, -1, EV_PERSIST, drain_poll, d);
        d->ev_deadline = evtimer_new(s->base, drain_deadline, d);
        if (!d->ev_drain || event_add(d->ev_drain, &tv) < 0 || !d->ev_deadline ||
            event_add(d->ev_deadline, &limit) < 0)
                event_base_loopexit(s->base, NULL);     /* cannot wait: stop now */
}

static void signal_cb(evutil_socket_t sig, short what, void *arg) {
        if (sig == SIGHUP)
                reload(arg);
        else
                begin_shutdown(arg, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Parses the command line into *a: 1 to go on, 0 when it was answered
 * (--help, --version: exit 0), -EINVAL after printing why (exit 2). */
static int parse_argv(int argc, char *argv[], struct args *a) {
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
        int c;

        *a = (struct args) { .overrides = { .log_level = -1 }, .log_target = LOG_TARGET_AUTO };
        while ((c = getopt_long(argc, argv, "c:l:d:Vh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        a->config_path = optarg;
                        break;
                case 'l':
                        if (a->overrides.n_listen >= MAX_LISTEN_ADDRESSES) {
                                fprintf(stderr, "claimd: at most %d --listen options\n", MAX_LISTEN_ADDRESSES);
                                return -EINVAL;
                        }
                        a->overrides.listen[a->overrides.n_listen++] = optarg;
                        break;
                case 'd':
                        if (!*optarg) {
                                fprintf(stderr, "claimd: --db needs a path\n");
                                return -EINVAL;
                        }
                        a->overrides.database = optarg;
                        break;
                case ARG_LOG_TARGET:
                        a->log_target = log_target_from_string(optarg);
                        if (a->log_target < 0) {
                                fprintf(stderr, "claimd: --log-target: auto, journal or stderr, not '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_LOG_LEVEL:
                        a->overrides.log_level = config_parse_log_level(optarg);
                        if (a->overrides.log_level < 0) {
                                fprintf(stderr, "claimd: --log-level: unknown level '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_CHECK_CONFIG:
                        a->check_config = true;
                        break;
                case 'V':
                        printf("claimd %s\n", CLAIMD_VERSION);
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        fprintf(stderr, "Try 'claimd --help'.\n");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "claimd: unexpected argument '%s'\nTry 'claimd --help'.\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

/* --check-config: loads the configuration and the token as start-up
 * would, prints the problems; returns the exit status. */
static int check_config(const struct args *a) {
        char *errors = NULL, *token = NULL, err[512];
        size_t token_len;
        struct config cfg;

        int r = config_load(&cfg, a->config_path, &a->overrides, &errors);
        if (r < 0) {
                fputs(errors ? errors : "claimd: cannot load the configuration\n", stderr);
                free(errors);
                return 1;
        }
        r = cfg.token_file ? token_load(cfg.token_file, &token, &token_len, err, sizeof(err)) : 0;
        if (r < 0 && !(r == -ENODATA && !cfg.token_file_explicit)) {
                fprintf(stderr, "%s\n", err);
                config_free(&cfg);
                return 1;
        }
        if (r == 0 && token) {
                explicit_bzero(token, token_len);
                free(token);
                token = NULL;
        }
        /* the webhook's files are read at start: a start would fail on them */
        if (cfg.webhook.secret_file) {
                r = token_load(cfg.webhook.secret_file, &token, &token_len, err, sizeof(err));
                if (r < 0) {
                        fprintf(stderr, "[webhook] secret_file: %s\n", err);
                        config_free(&cfg);
                        return 1;
                }
                explicit_bzero(token, token_len);
                free(token);
        }
        if (cfg.webhook.ca_file && access(cfg.webhook.ca_file, R_OK) < 0) {
                fprintf(stderr, "[webhook] ca_file: %s: %s\n", cfg.webhook.ca_file, strerror(errno));
                config_free(&cfg);
                return 1;
        }
        printf("%s: configuration OK\n", a->config_path ? a->config_path : "(built-in defaults)");
        config_free(&cfg);
        return 0;
}

/* The configuration and the token; logs and returns a negative errno. */
static int setup_config(struct daemon *d) {
        struct server *s = &d->server;
        char *errors = NULL;

        int r = config_load(&s->cfg, d->args->config_path, &d->args->overrides, &errors);
        if (r < 0) {
                log_errors(errors ? errors : "cannot load the configuration");
                free(errors);
                return r;
        }
        log_set_max_level(s->cfg.log_level);
        return load_token(&s->cfg, &s->token, &s->token_len);
}

/* The event base, with epoll's changelist.  With the changelist,
 * epoll_ctl() calls wait for the next dispatch, where the changes to one
 * socket made in one iteration become one call or none: a reply enables
 * writing (and, after the libevent 2.1 read workaround, reading) and a
 * request answered in the same iteration disables and enables reading
 * again.  A long-poll wave of 200 replies then writes without an
 * epoll_ctl() between writes.  libevent's caveat, fds cloned by dup(),
 * does not apply: claimd never dups a descriptor it hands to the loop. */
static int setup_event_base(struct daemon *d) {
        signal(SIGPIPE, SIG_IGN);
        raise_fd_limit();
        if (evthread_use_pthreads() < 0) {
                log_error("evthread_use_pthreads failed");
                return -ENOSYS;
        }
        struct event_config *ecfg = event_config_new();
        if (ecfg) {
                event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
                d->server.base = event_base_new_with_config(ecfg);
                event_config_free(ecfg);
        }
        if (!d->server.base) {
                log_error("cannot create the event base");
                return -ENOMEM;
        }
        return 0;
}

/* The writable store (handed to the workers) and the read-only one. */
static int setup_stores(struct daemon *d) {
        struct server *s = &d->server;

        int r = store_open(s->cfg.database, false, &d->writer);
        if (r < 0) {
                log_error("cannot open database %s: %s", s->cfg.database, strerror(-r));
                return r;
        }
        r = store_open(s->cfg.database, true, &s->ro);
        if (r < 0) {
                log_error("cannot open database %s for reading: %s", s->cfg.database, strerror(-r));
                return r;
        }
        return 0;
}

/* The worker threads, which take the writable store, and the webhook sender. */
static int setup_workers(struct daemon *d) {
        struct server *s = &d->server;
        struct work_options wo;

        d->n_workers = s->cfg.workers;
        if (d->n_workers <= 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                d->n_workers = n > 0 ? (int) (n > MAX_WORKERS ? MAX_WORKERS : n) : 2;
        }
        set_work_options(&wo, &s->cfg);
        struct store *writer = d->writer;
        d->writer = NULL;       /* workers_new() closes it, also when it fails */
        int r = workers_new(s->base, writer, s->cfg.database, d->n_workers, s->cfg.queue_size, &wo, http_job_done, s,
                            &s->workers);
        if (r < 0) {
                log_error("cannot start worker threads: %s", strerror(-r));
                return r;
        }
        r = webhook_start(&s->cfg, &s->webhook);
        if (r < 0)
                log_error("cannot start the webhook sender: %s", strerror(-r));
        return r;
}

/* Signals (SIGTERM, SIGINT, SIGHUP) and the watchdog timer. */
static int setup_signals(struct daemon *d) {
        struct event_base *base = d->server.base;

        d->ev_term = evsignal_new(base, SIGTERM, signal_cb, d);
        d->ev_int = evsignal_new(base, SIGINT, signal_cb, d);
        d->ev_hup = evsignal_new(base, SIGHUP, signal_cb, d);
        if (!d->ev_term || !d->ev_int || !d->ev_hup || event_add(d->ev_term, NULL) < 0 ||
            event_add(d->ev_int, NULL) < 0 || event_add(d->ev_hup, NULL) < 0) {
                log_error("cannot install signal handlers");
                return -ENOMEM;
        }
        int r = notify_watchdog_start(base, &d->ev_watchdog);
        if (r < 0)
                log_warning("cannot start the watchdog timer: %s", strerror(-r));
        return 0;
}

/* Everything up to serving, in order; each step logs its failure. */
static int setup(struct daemon *d) {
        int r;

        log_open(d->args->log_target);
        if (d->args->overrides.log_level >= 0)
                log_set_max_level(d->args->overrides.log_level);
        if ((r = setup_config(d)) < 0 || (r = setup_event_base(d)) < 0 || (r = setup_stores(d)) < 0 ||
            (r = setup_workers(d)) < 0)
                return r;
        r = http_setup(&d->server);
        if (r < 0) {
                log_error("cannot set up the HTTP server: %s", strerror(-r));
                return r;
        }
        if ((r = http_listen(&d->server)) < 0 || (r = setup_signals(d)) < 0)
                return r;
        return 0;
}

static void log_started(const struct daemon *d) {
        const struct server *s = &d->server;
        char where[256] = "";

        if (s->socket_activated)
                snprintf(where, sizeof(where), "%zu passed sockets", s->n_sockets);
        else
                for (size_t i = 0; i < s->cfg.n_listen; i++) {
                        size_t n = strlen(where);
                        snprintf(where + n, sizeof(where) - n, "%s%s", i ? " " : "", s->cfg.listen[i]);
                }
        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STARTED, NULL, "claimd %s serving on %s, database %s, %d workers",
                   CLAIMD_VERSION, where, s->cfg.database, d->n_workers);
}

static void event_freep(struct event **e) {
        if (*e)
                event_free(*e);
        *e = NULL;
}

/* Undoes whatever part of setup() was done, in reverse: the workers finish
 * (late jobs are answered 503, then flushed by one more loop pass), the
 * webhook sender stops, long polls and streams end, the stores close.
 * Returns what store_file_state() said of the database (0: still ours). */
static int teardown(struct daemon *d) {
        struct server *s = &d->server;
        int lost = 0;

        event_freep(&d->ev_drain);
        event_freep(&d->ev_deadline);
        if (s->workers)
                lost = workers_store_lost(s->workers);
        if (!lost && s->ro)
                lost = store_file_state(s->ro);
        workers_free(s->workers);
        s->workers = NULL;
        store_close(d->writer);         /* not handed to the workers */
        d->writer = NULL;
        webhook_stop(s->webhook);
        s->webhook = NULL;
        if (s->base)
                event_base_loop(s->base, EVLOOP_NONBLOCK);
        http_release_waiting(s);
        http_free(s);
        store_close(s->ro);
        s->ro = NULL;
        event_freep(&d->ev_watchdog);
        event_freep(&d->ev_term);
        event_freep(&d->ev_int);
        event_freep(&d->ev_hup);
        if (s->base)
                event_base_free(s->base);
        s->base = NULL;
        if (s->token) {
                explicit_bzero(s->token, s->token_len);
                free(s->token);
        }
        s->token = NULL;
        config_free(&s->cfg);
        return lost;
}

/* Sets up, serves until SIGTERM/SIGINT, tears down; the exit status. */
static int run(const struct args *a) {
        struct daemon d = { .args = a };

        int r = setup(&d);
        if (r >= 0) {
                log_started(&d);
                notify_ready("Serving");
                d.dispatched = true;
                event_base_dispatch(d.server.base);
        }
        int lost = teardown(&d);
        if (!d.dispatched)
                return 1;
        if (lost)
                log_struct(LOG_ERR, CLAIMD_MESSAGE_STOPPING, NULL,
                           "stopped: the database file had been %s while claimd ran; no write was acknowledged "
                           "after claimd noticed", lost == -ENOENT ? "deleted" : "replaced");
        else
                log_struct(LOG_NOTICE, CLAIMD_MESSAGE_STOPPING, NULL, "stopped: database closed cleanly");
        return 0;
}

int main(int argc, char *argv[]) {
        struct args a;

        int r = parse_argv(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return a.check_config ? check_config(&a) : run(&a);
}
