/* The pure parts of the webhook sender, apart so that unit tests reach
 * them: the signature, the retry schedule, the URL check. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "sha256=" and the lower-case hex HMAC-SHA256 (OpenSSL libcrypto) of body
 * under key: 7 + 64 characters and a NUL. */
#define WEBHOOK_SIGNATURE_SIZE 72
int webhook_signature(const void *key, size_t key_len, const void *body, size_t len,
                      char out[WEBHOOK_SIGNATURE_SIZE]);

/* Milliseconds to wait after the attempts-th failed attempt (1, 2, ...):
 * initial_ms doubled per attempt, capped at max_ms, then spread by up to
 * -20%..+20% with jitter in [0, 1) (so that receivers coming back are not
 * hit by every delivery at once). */
int64_t webhook_backoff_ms(int attempts, int64_t initial_ms, int64_t max_ms, double jitter);

/* A webhook url: http or https, a host, optional port and path, nothing
 * else (no user info, no fragment).  Fills the parts (host and path point
 * into a static-free copy the caller frees with webhook_url_free()).
 * Returns 0 or -EINVAL with a reason in *ret_why. */
struct webhook_url {
        bool https;
        char *host;
        int port;
        char *path;             /* path and query, at least "/" */
};
int webhook_url_parse(const char *url, struct webhook_url *ret, const char **ret_why);
void webhook_url_free(struct webhook_url *u);
