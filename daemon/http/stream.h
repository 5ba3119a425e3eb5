/* GET /v1/conflicts/stream: Server-Sent Events on the evhttp loop thread.
 * Each stream is one chunked reply (evhttp_send_reply_start/_chunk) that
 * stays open: it first replays the conflicts after the client's last id
 * (since= or Last-Event-ID) from the read-only store, page by page as its
 * output drains, then receives every new conflict matching its filters as
 * it is committed, every review change, and a keep-alive comment.  A
 * stream whose unsent output passes stream_max_unsent_bytes is closed:
 * the client reconnects with its last id and misses nothing. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct server;
struct evhttp_request;

/* Starts the keep-alive timer on s->base.  Returns 0 or -ENOMEM. */
int streams_setup(struct server *s);

/* Conflicts up to max_id were committed: sends each one, read once, to
 * every stream that is caught up and whose filters it matches. */
void streams_conflicts(struct server *s, int64_t max_id);

/* A review changed conflict c (the conflict as GET returns it): sends an
 * "event: review" to every caught-up stream whose filters, status aside,
 * it matches. */
void streams_review(struct server *s, json_t *c);

/* Closes the streams whose clients hung up (once a second: a stream reads
 * nothing, so evhttp may not notice). */
void streams_reap(struct server *s);

/* Open streams, for /metrics and STATUS=. */
size_t streams_count(void);
/* Streams closed because their client did not read fast enough. */
uint64_t streams_dropped_slow(void);

/* Ends every stream (a clean end of the chunked reply): at shutdown. */
void streams_end(struct server *s);
/* streams_end() and the timer. */
void streams_free(struct server *s);
