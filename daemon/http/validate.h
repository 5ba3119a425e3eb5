/* Checks of a request body made on the loop thread before a job is queued,
 * shared with the fuzz targets: UTF-8, JSON, the fields of an article
 * (API.md), NDJSON lines. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "daemon/http/api.h"
#include "daemon/store.h"

/* Parses a JSON request body: UTF-8 checked first (invalid_utf8), then
 * jansson with duplicate keys rejected (invalid_json).  Returns a new
 * reference or NULL with *e filled. */
json_t *request_parse_json(const char *body, size_t len, struct api_error *e);

/* Validates one article object (API.md) and points *ret's strings into o.
 * prefix names the object in error fields ("a." in compare).  Returns 0 or
 * -EINVAL with *e filled. */
int article_validate(json_t *o, bool source_required, const char *prefix, size_t max_text,
                     time_t received, struct article_request *ret, struct api_error *e);

/* Cuts the next non-blank line of an NDJSON body from *off on, advancing
 * *off past it: returns true with the line, spaces, tabs and a CR around it
 * removed, in *ret_line and *ret_len; false when only blank lines remain. */
bool ndjson_next_line(const char *body, size_t len, size_t *off,
                      const char **ret_line, size_t *ret_len);
