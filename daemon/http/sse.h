/* Server-Sent Events framing (the WHATWG "text/event-stream" format), kept
 * apart from the stream endpoint so that it can be tested alone. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

/* Appends one event to out: "id: ID" (when id > 0), "event: NAME" (when
 * name is not NULL), one "data: " line per line of data (a CR, LF or CRLF
 * in data starts a new data line, as the format requires), and the blank
 * line that dispatches it.  Returns 0 or -ENOMEM. */
int sse_append_event(struct evbuffer *out, int64_t id, const char *name, const char *data, size_t len);

/* Appends a comment line (": text") and a blank line; clients ignore it,
 * proxies and the client's idle timers see traffic.  0 or -ENOMEM. */
int sse_append_comment(struct evbuffer *out, const char *text);

/* Parses an event id as a client sends it back (the Last-Event-ID header
 * or ?since=): a decimal integer in [0, INT64_MAX], surrounding spaces
 * allowed, nothing else.  Returns true and fills *ret, false otherwise. */
bool sse_parse_id(const char *s, int64_t *ret);
