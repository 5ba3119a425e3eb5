/* An incremental parser of a Server-Sent Events stream (the WHATWG event
 * stream format, as GET /v1/conflicts/stream sends it): feed it the bytes
 * as they arrive, in pieces of any size; it calls back once per event. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SSE_MAX_EVENT_BYTES (16u << 20)

struct sse_event {
        const char *id;         /* the stream's last event id so far ("" for none) */
        const char *event;      /* the event name, "message" when none was given */
        const char *data;       /* the data lines joined with '\n' */
        size_t data_len;
};

/* Returns 0 to go on, anything else to stop parsing (sse_feed returns it). */
typedef int (*sse_handler)(const struct sse_event *e, void *userdata);

struct sse_parser {
        sse_handler handler;
        void *userdata;
        char *line;             /* the partial line */
        size_t line_len, line_size;
        char *data;             /* the event's data so far */
        size_t data_len, data_size;
        char event[64];
        char id[64];            /* the last event id: kept across events */
        bool has_data;
        bool after_cr;          /* the last byte was '\r': a following '\n' ends nothing */
};

void sse_init(struct sse_parser *p, sse_handler handler, void *userdata);
void sse_free(struct sse_parser *p);

/* Parses len more bytes.  Returns 0, the handler's non-zero answer, or
 * -EMSGSIZE (a line or an event beyond SSE_MAX_EVENT_BYTES), -ENOMEM. */
int sse_feed(struct sse_parser *p, const char *buf, size_t len);
