/* The API token: checking a request's bearer token. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <event2/http.h>

struct route;
struct server;

/* Checks the Authorization header when a token is configured; replies 401
 * and returns false when it is missing or wrong. */
bool http_authorized(struct server *s, struct evhttp_request *req, const struct route *r);

/* Reads the API token from path: the first line, surrounding whitespace
 * removed.  Returns 0, -ENODATA when the file is empty (or blank), or
 * another negative errno, with a message in err. */
int token_load(const char *path, char **ret, size_t *ret_len, char *err, size_t errsize);
