/* See auth.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/http.h>

#include "daemon/http/api.h"
#include "daemon/http/auth.h"
#include "daemon/http/http.h"
#include "daemon/limits.h"

/* Compares a presented token with the configured one in time that depends
 * only on the configured token's length. */
static bool token_equal(const char *given, size_t given_len, const char *want, size_t want_len) {
        unsigned char d = given_len != want_len;
        for (size_t i = 0; i < want_len; i++) {
                unsigned char g = i < given_len ? (unsigned char) given[i] : 0;
                d |= g ^ (unsigned char) want[i];
        }
        return d == 0;
}

bool http_authorized(struct server *s, struct evhttp_request *req, const struct route *r) {
        if (!s->token)
                return true;

        const char *a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
        bool given = false;
        if (a) {
                while (*a == ' ')
                        a++;
                if (strncasecmp(a, "Bearer", 6) == 0 && (a[6] == ' ' || a[6] == '\t')) {
                        const char *t = a + 7;
                        while (*t == ' ' || *t == '\t')
                                t++;
                        size_t n = strlen(t);
                        while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
                                n--;
                        given = true;
                        if (token_equal(t, n, s->token, s->token_len))
                                return true;
                }
        }
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          given ? "Bearer realm=\"claimd\", error=\"invalid_token\"" : "Bearer realm=\"claimd\"");
        reply_error(s, req, r, 401, "unauthorized", NULL,
                    given ? "the bearer token is not valid" : "this endpoint needs 'Authorization: Bearer TOKEN'");
        return false;
}

int token_load(const char *path, char **ret, size_t *ret_len, char *err, size_t errsize) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int r = -errno;
                snprintf(err, errsize, "cannot open token file %s: %s", path, strerror(-r));
                return r;
        }
        char buf[MAX_TOKEN_BYTES + 2];
        size_t n = 0;
        for (;;) {
                ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;
                        close(fd);
                        snprintf(err, errsize, "cannot read token file %s: %s", path, strerror(-r));
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n >= sizeof(buf) - 1)
                        break;
        }
        close(fd);
        if (n > MAX_TOKEN_BYTES) {
                snprintf(err, errsize, "token file %s: token longer than %d bytes", path, MAX_TOKEN_BYTES);
                return -EINVAL;
        }
        buf[n] = 0;
        char *t = buf;
        while (*t && isspace((unsigned char) *t))
                t++;
        size_t len = strcspn(t, "\r\n");
        while (len > 0 && isspace((unsigned char) t[len - 1]))
                len--;
        if (len == 0) {
                snprintf(err, errsize, "token file %s holds no token", path);
                return -ENODATA;
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) t[i] <= 0x20 || (unsigned char) t[i] >= 0x7f) {
                        snprintf(err, errsize, "token file %s: the token must be printable ASCII without spaces", path);
                        return -EINVAL;
                }
        char *copy = strndup(t, len);
        explicit_bzero(buf, sizeof(buf));
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        *ret_len = len;
        return 0;
}
