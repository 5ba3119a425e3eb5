/* See webhook-util.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "daemon/http/webhook-util.h"

int webhook_signature(const void *key, size_t key_len, const void *body, size_t len,
                      char out[WEBHOOK_SIGNATURE_SIZE]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;

        if (key_len > INT32_MAX)
                return -EINVAL;
        if (!HMAC(EVP_sha256(), key, (int) key_len, body, len, md, &n) || n != 32)
                return -ENOMEM;
        memcpy(out, "sha256=", 7);
        for (unsigned i = 0; i < n; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
        return 0;
}

int64_t webhook_backoff_ms(int attempts, int64_t initial_ms, int64_t max_ms, double jitter) {
        int64_t d = initial_ms > 0 ? initial_ms : 1;
        for (int i = 1; i < attempts && d < max_ms; i++)
                d *= 2;
        if (d > max_ms)
                d = max_ms;
        if (jitter < 0 || jitter >= 1)
                jitter = 0.5;
        return (int64_t) ((double) d * (0.8 + 0.4 * jitter));
}

int webhook_url_parse(const char *url, struct webhook_url *ret, const char **ret_why) {
        struct evhttp_uri *u = evhttp_uri_parse_with_flags(url, 0);
        const char *why = NULL;

        memset(ret, 0, sizeof(*ret));
        if (!u) {
                *ret_why = "not a URL";
                return -EINVAL;
        }
        const char *scheme = evhttp_uri_get_scheme(u), *host = evhttp_uri_get_host(u);
        const char *path = evhttp_uri_get_path(u), *query = evhttp_uri_get_query(u);
        if (!scheme || (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
                why = "the scheme must be http or https";
        else if (!host || !*host)
                why = "no host";
        else if (evhttp_uri_get_userinfo(u))
                why = "user info (user:password@) is not supported: put a secret in secret_file";
        else if (evhttp_uri_get_fragment(u))
                why = "a fragment (#...) means nothing to the receiver";
        else if (evhttp_uri_get_port(u) == 0 || evhttp_uri_get_port(u) > 65535)
                why = "the port must be 1 to 65535";
        if (why) {
                evhttp_uri_free(u);
                *ret_why = why;
                return -EINVAL;
        }
        ret->https = strcasecmp(scheme, "https") == 0;
        ret->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : ret->https ? 443 : 80;
        ret->host = strdup(host[0] == '[' ? host + 1 : host);
        if (ret->host && host[0] == '[')
                ret->host[strcspn(ret->host, "]")] = 0;
        if (asprintf(&ret->path, "%s%s%s", path && *path ? path : "/", query ? "?" : "", query ? query : "") < 0)
                ret->path = NULL;
        evhttp_uri_free(u);
        if (!ret->host || !ret->path) {
                webhook_url_free(ret);
                *ret_why = "out of memory";
                return -ENOMEM;
        }
        return 0;
}

void webhook_url_free(struct webhook_url *u) {
        free(u->host);
        free(u->path);
        u->host = u->path = NULL;
}
