/* The pure parts of the webhook sender (daemon/webhook-util.c): the
 * HMAC-SHA256 signature (RFC 4231 test vectors), the capped exponential
 * backoff, and the URL check. */
#include <string.h>

#include "daemon/http/webhook-util.h"
#include "tap.h"

static void sig(const char *key, size_t key_len, const char *data, const char *want_hex) {
        char out[WEBHOOK_SIGNATURE_SIZE], want[WEBHOOK_SIGNATURE_SIZE];
        snprintf(want, sizeof(want), "sha256=%s", want_hex);
        CHECK(webhook_signature(key, key_len, data, strlen(data), out) == 0, "sign '%.20s'", data);
        CHECK_STR(out, want);
}

static void url(const char *u, int ok, int https, const char *host, int port, const char *path) {
        struct webhook_url w;
        const char *why = NULL;
        int r = webhook_url_parse(u, &w, &why);
        CHECK((r == 0) == ok, "%s %s (%s)", ok ? "accepts" : "refuses", u, why ? why : "");
        if (r == 0 && ok) {
                CHECK(w.https == https && w.port == port, "%s: https %d port %d", u, w.https, w.port);
                CHECK_STR(w.host, host);
                CHECK_STR(w.path, path);
                webhook_url_free(&w);
        }
}

int main(void) {
        /* RFC 4231 test cases 1, 2 and 6 (a key longer than the block) */
        char k1[20];
        memset(k1, 0x0b, sizeof(k1));
        sig(k1, sizeof(k1), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        sig("Jefe", 4, "what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        char k6[131];
        memset(k6, 0xaa, sizeof(k6));
        sig(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

        /* doubling from the initial delay, capped, then jittered by +-20% */
        CHECK(webhook_backoff_ms(1, 1000, 300000, 0.5) == 1000, "first retry after 1 s");
        CHECK(webhook_backoff_ms(2, 1000, 300000, 0.5) == 2000, "then 2 s");
        CHECK(webhook_backoff_ms(5, 1000, 300000, 0.5) == 16000, "then 16 s at the fifth");
        CHECK(webhook_backoff_ms(9, 1000, 300000, 0.5) == 256000, "256 s at the ninth");
        CHECK(webhook_backoff_ms(10, 1000, 300000, 0.5) == 300000, "capped at 300 s");
        CHECK(webhook_backoff_ms(1000000, 1000, 300000, 0.5) == 300000, "a huge count stays capped");
        CHECK(webhook_backoff_ms(1, 1000, 300000, 0.0) == 800, "jitter 0: -20%%");
        CHECK(webhook_backoff_ms(1, 1000, 300000, 0.999999) == 1199, "jitter near 1: +20%%");
        CHECK(webhook_backoff_ms(3, 1000, 300000, 7.0) == 4000, "a jitter out of range counts as none");

        url("http://example.test/hook", 1, 0, "example.test", 80, "/hook");
        url("https://example.test", 1, 1, "example.test", 443, "/");
        url("HTTPS://hooks.example.test:8443/a/b?x=1&y=2", 1, 1, "hooks.example.test", 8443, "/a/b?x=1&y=2");
        url("http://127.0.0.1:9000/in", 1, 0, "127.0.0.1", 9000, "/in");
        url("http://[::1]:8080/v6", 1, 0, "::1", 8080, "/v6");
        url("ftp://example.test/", 0, 0, NULL, 0, NULL);
        url("http://user:pw@example.test/", 0, 0, NULL, 0, NULL);
        url("http://example.test/#frag", 0, 0, NULL, 0, NULL);
        url("http://example.test:99999/", 0, 0, NULL, 0, NULL);
        url("http:///path", 0, 0, NULL, 0, NULL);
        url("example.test/hook", 0, 0, NULL, 0, NULL);
        url("", 0, 0, NULL, 0, NULL);
        return tap_done();
}
