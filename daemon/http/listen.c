/* The listening sockets: the ones systemd passed, or those of "listen",
 * refusing a non-loopback address without a token unless allow_remote. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <systemd/sd-daemon.h>

#include "daemon/http/conn.h"
#include "daemon/http/listen.h"
#include "daemon/limits.h"
#include "daemon/log.h"

static int check_remote(struct server *s, const struct sockaddr *sa, const char *what) {
        if (s->token || s->cfg.allow_remote || config_address_is_loopback(sa))
                return 0;
        log_error("refusing to serve on %s without an API token: configure [security] token_file "
                  "or set allow_remote = true", what);
        return -EPERM;
}

static const char *addr_to_string(const struct sockaddr *sa, char *buf, size_t size) {
        char host[INET6_ADDRSTRLEN] = "?";
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
                snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
        } else if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
        } else
                snprintf(buf, size, "(socket family %d)", sa->sa_family);
        return buf;
}

const char *http_remote_listener(struct server *s, char *buf, size_t size) {
        for (size_t i = 0; i < s->n_sockets; i++) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                evutil_socket_t fd = evhttp_bound_socket_get_fd(s->sockets[i]);
                if (getsockname(fd, (struct sockaddr *) &ss, &len) == 0 &&
                    !config_address_is_loopback((struct sockaddr *) &ss))
                        return addr_to_string((struct sockaddr *) &ss, buf, size);
        }
        return NULL;
}

int http_listen(struct server *s) {
        int n = sd_listen_fds(1);
        if (n < 0) {
                log_error("sd_listen_fds failed: %s", strerror(-n));
                return n;
        }
        if (n > 0) {
                for (int i = 0; i < n; i++) {
                        int fd = SD_LISTEN_FDS_START + i;
                        struct sockaddr_storage ss;
                        socklen_t len = sizeof(ss);
                        char name[128];
                        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0) {
                                log_error("passed socket %d: %s", fd, strerror(errno));
                                return -errno;
                        }
                        addr_to_string((struct sockaddr *) &ss, name, sizeof(name));
                        if (check_remote(s, (struct sockaddr *) &ss, name) < 0)
                                return -EPERM;
                        evutil_make_socket_nonblocking(fd);
                        evutil_make_socket_closeonexec(fd);
                        struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(s->http, fd);
                        if (!b) {
                                log_error("cannot accept on passed socket %s", name);
                                return -EIO;
                        }
                        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), conn_accept_error);
                        if (s->n_sockets < sizeof(s->sockets) / sizeof(s->sockets[0]))
                                s->sockets[s->n_sockets++] = b;
                        log_info("listening on %s (socket activation)", name);
                }
                s->socket_activated = true;
                return 0;
        }

        for (size_t i = 0; i < s->cfg.n_listen; i++) {
                struct sockaddr_storage ss;
                socklen_t len;
                const char *a = s->cfg.listen[i];
                if (config_parse_address(a, &ss, &len) < 0) {
                        log_error("listen: not an address:port: '%s'", a);
                        return -EINVAL;
                }
                if (check_remote(s, (struct sockaddr *) &ss, a) < 0)
                        return -EPERM;
                int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        log_error("listen %s: socket: %s", a, strerror(errno));
                        return -errno;
                }
                int one = 1;
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (ss.ss_family == AF_INET6)
                        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
                if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
                        int r = -errno;
                        log_error("cannot listen on %s: %s", a, strerror(-r));
                        close(fd);
                        return r;
                }
                struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(s->http, fd);
                if (!b) {
                        log_error("cannot accept on %s", a);
                        close(fd);
                        return -EIO;
                }
                evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), conn_accept_error);
                s->sockets[s->n_sockets++] = b;
                log_info("listening on %s", a);
        }
        return 0;
}

void http_close_listeners(struct server *s) {
        for (size_t i = 0; i < s->n_sockets; i++)
                evhttp_del_accept_socket(s->http, s->sockets[i]);
        s->n_sockets = 0;
}
