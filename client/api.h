/* claimctl's HTTP client: one keep-alive connection to one claimd, over
 * libevent's evhttp client, driven synchronously (each call runs the event
 * loop until its answer is in).  Errors are negative errno values:
 * -ECONNREFUSED (nobody answers), -ETIMEDOUT, -ECONNRESET (the connection
 * broke), -EPROTO (not an HTTP answer), -EINTR (SIGINT/SIGTERM arrived),
 * -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct api;

struct api_response {
        int status;             /* HTTP status */
        char *body;             /* NUL-terminated; may hold NULs before len */
        size_t len;
        char *content_type;     /* NULL when absent */
        int retry_after;        /* seconds of Retry-After, -1 when absent */
};

void api_response_clear(struct api_response *r);

/* Connects lazily to url ("http://HOST[:PORT][/PREFIX]").  token (may be
 * NULL) is sent as "Authorization: Bearer TOKEN".  Returns 0, or -EINVAL
 * with a message in err (not http, no host), or -ENOMEM. */
int api_new(const char *url, const char *token, int timeout_sec, struct api **ret, char *err, size_t err_size);
void api_free(struct api *a);

/* The URL as given, for messages. */
const char *api_url(const struct api *a);

/* True when the host of the URL is a loopback name or address. */
bool api_url_is_loopback(const char *url);

/* One request: method "GET", "POST", "PATCH"; target is the path and query
 * below the URL's prefix ("/v1/conflicts?since=3").  body may be NULL.
 * Returns 0 with *ret filled (any HTTP status), or a negative errno when no
 * answer came. */
int api_request(struct api *a, const char *method, const char *target, const char *content_type,
                const void *body, size_t len, struct api_response *ret);

/* api_request(), retried while the answer is 503 or no answer came
 * (connection refused or broken, timeout): up to `tries` attempts, waiting
 * Retry-After or 0.5 s doubling to 30 s between them.  Returns as
 * api_request() does, the last attempt's result. */
int api_request_retry(struct api *a, const char *method, const char *target, const char *content_type,
                      const void *body, size_t len, int tries, struct api_response *ret);

/* GET target and parse the JSON answer: 0 with *ret_json (the caller
 * decrefs) when the status is 200; otherwise the status (> 0) with *resp
 * filled for the error, or a negative errno. */
int api_get_json(struct api *a, const char *target, json_t **ret_json, struct api_response *resp);

/* A streaming GET: on_data(data, len, userdata) is called with each piece
 * of a 200 answer's body as it arrives; a non-zero return from it closes
 * the stream.  Returns 0 when the stream ended (closed by the server or by
 * on_data), the status (> 0) with *resp holding the whole body when the
 * answer is not 200, or a negative errno.  extra_header ("Name: value")
 * may be NULL. */
int api_stream(struct api *a, const char *target, const char *extra_header, int timeout_sec,
               int (*on_data)(const char *data, size_t len, void *userdata), void *userdata,
               struct api_response *resp);

/* Waits seconds (on the event loop, so SIGINT still ends it); returns 0 or
 * -EINTR. */
int api_sleep(struct api *a, double seconds);

/* True once SIGINT or SIGTERM arrived. */
bool api_interrupted(const struct api *a);

/* A person's description of a negative errno of this API. */
const char *api_strerror(int r);

/* The daemon's error message of a JSON error answer ("code: message"),
 * or the status line's meaning; written into buf. */
const char *api_error_text(const struct api_response *r, char *buf, size_t size);
