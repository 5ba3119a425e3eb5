/* Every hard limit of claimd in one place (as OpenBSD httpd keeps them).
 * DEFAULT_* values are what an empty configuration gets; MIN_/MAX_* bound
 * what the configuration may ask for; the rest are fixed. */
#pragma once

#define KIB ((size_t) 1024)
#define MIB (KIB * 1024)

/* HTTP requests */
#define DEFAULT_MAX_BODY_BYTES          (2 * MIB)
#define MIN_MAX_BODY_BYTES              (1 * KIB)
#define MAX_MAX_BODY_BYTES              (64 * MIB)
#define DEFAULT_MAX_HEADER_BYTES        (16 * KIB)
#define MIN_MAX_HEADER_BYTES            (1 * KIB)
#define MAX_MAX_HEADER_BYTES            (1 * MIB)
/* evhttp's own caps, as multiples of the configured ones.  Bodies: evhttp
 * enforces max_body_bytes itself, draining the rest (lingering close)
 * without buffering it; its error reply is claimd's JSON 413 (http.c
 * replaces evhttp_send_error()).  Headers: up to the outer cap claimd
 * answers 431 itself; beyond it the framing check (http/framing.c) answers
 * 431 on the raw bytes and closes the connection.  The outer caps bound
 * the memory one connection can hold. */
#define HTTP_OUTER_CAP_FACTOR           1
#define HTTP_OUTER_HEADER_CAP_FACTOR    16
#define MAX_URI_BYTES                   8192
#define DEFAULT_REQUEST_TIMEOUT_SEC     30
#define MAX_TIMEOUT_SEC                 3600
#define MAX_LISTEN_ADDRESSES            16
#define DEFAULT_PORT                    8080
#define DEFAULT_LISTEN                  "127.0.0.1:8080"
#define LISTEN_BACKLOG                  1024
#define ROUTES_MAX                      32      /* rows of the route table (http/routes.c) */
#define MAX_ROUTE_NAME                  96      /* bytes of "METHOD /path" */
/* accept() failing (EMFILE, ENFILE): accepting pauses this long, and this
 * many idle connections (the longest waiting) are closed each time; one
 * record in the log per interval at most */
#define ACCEPT_PAUSE_MSEC               100
#define EMFILE_SHED_CONNECTIONS         32
#define ACCEPT_ERROR_LOG_SEC            10
/* The framing check (http/framing.c): a chunk-size line longer than this,
 * extensions included, is refused (400); a head buffer grown past
 * FRAMER_KEEP_BUFFER_BYTES is freed after its message, not kept */
#define MAX_CHUNK_LINE_BYTES            4096
#define FRAMER_KEEP_BUFFER_BYTES        8192

/* NDJSON batches (POST /v1/articles, Content-Type: application/x-ndjson);
 * a batch must also fit the work queue (queue_size) as a whole. */
#define MAX_BATCH_LINES                 1000

/* Lists and long polls (API.md) */
#define LIST_LIMIT_DEFAULT              100
#define LIST_LIMIT_MAX                  1000
#define DEFAULT_LONG_POLL_MAX_SEC       60
#define MAX_LONG_POLL_MAX_SEC           300
#define MAX_PARKED_POLLERS              4096

/* Event streams (GET /v1/conflicts/stream) */
#define DEFAULT_MAX_STREAMS             1024    /* [server] max_streams; 503 beyond */
#define MAX_MAX_STREAMS                 65536
#define DEFAULT_STREAM_MAX_UNSENT_BYTES (1 * MIB)       /* a stream with more unsent output is closed */
#define MIN_STREAM_MAX_UNSENT_BYTES     (64 * KIB)
#define MAX_STREAM_MAX_UNSENT_BYTES     (256 * MIB)
#define STREAM_SNDBUF_BYTES             (64 * KIB)      /* SO_SNDBUF of a stream's socket */
#define STREAM_MAX_INPUT_BYTES          (4 * KIB)       /* read from a stream's client before reading stops */
#define STREAM_KEEPALIVE_SEC            10      /* ": keep-alive" period (API.md: at most 15 s) */
#define STREAM_RETRY_MSEC               2000    /* the "retry:" hint to reconnecting clients */
#define STREAM_REPLAY_PAGE              50      /* conflicts per replay step, sent when the last step left */

/* Webhooks ([webhook]) */
#define MAX_WEBHOOK_URLS                8
#define DEFAULT_WEBHOOK_TIMEOUT_SEC     10      /* connect + send + answer, per attempt */
#define DEFAULT_WEBHOOK_RETRY_INITIAL_SEC 1     /* first retry; doubles per failure */
#define DEFAULT_WEBHOOK_RETRY_MAX_SEC   300     /* the cap of the doubling */
#define MAX_WEBHOOK_RETRY_SEC           86400
#define DEFAULT_WEBHOOK_IN_FLIGHT       8       /* concurrent deliveries per url */
#define MAX_WEBHOOK_IN_FLIGHT           256
#define WEBHOOK_MAX_REPLY_BYTES         (64 * KIB)      /* of a receiver's answer; more is an error */
#define WEBHOOK_POLL_MSEC               1000    /* due retries are looked for this often */
#define WEBHOOK_FLUSH_MSEC              10      /* outcomes within this long share a commit */
#define WEBHOOK_FAILURE_LOG_SEC         10      /* at most one failure record per url this often */
#define WEBHOOK_RECORD_RETRY_MSEC       200     /* a failed commit of outcomes is tried again after this */
#define WEBHOOK_FORGET_URLS_MAX         64      /* removed urls whose rows one start drops; more: the next */

/* Reviews (PATCH /v1/conflicts/{id}), in characters (code points) */
#define MAX_REVIEW_NOTE_CHARS           2000
#define MAX_REVIEWER_CHARS              100

/* Article fields, in bytes of UTF-8 */
#define MAX_SOURCE_BYTES                256
#define MAX_URL_BYTES                   4096
#define MAX_TITLE_BYTES                 4096
#define MAX_LANG_BYTES                  35
#define MAX_PUBLISHED_AT_BYTES          64
/* text and html are bounded by max_body_bytes */

/* Work queue and threads */
#define DEFAULT_WORKERS                 0       /* 0: one per CPU */
#define MAX_WORKERS                     64
#define DEFAULT_QUEUE_SIZE              256
#define MAX_QUEUE_SIZE                  65536
#define MAX_WRITE_BATCH                 64      /* articles per group commit of the writer */
#define SHUTDOWN_DRAIN_SEC              20      /* in-flight work gets this long on SIGTERM, then
                                                 * the pipeline is cancelled (503, nothing stored) */
#define DEFAULT_MAX_ARTICLE_WORK_SEC    60      /* [server] max_article_work_sec: then 422 too_costly */
#define HEAVY_ARTICLE_BYTES             (64 * KIB)      /* larger articles share all workers but one */
#define EXPIRE_INTERVAL_SEC             3600    /* retention sweep period of the writer */
#define STORE_RETRY_SEC                 1

/* Storage */
#define MAX_RETENTION_DAYS              36500
#define CENTROID_TERMS                  200     /* terms kept in an event centroid */
#define ARTICLE_FTS_TERMS               64      /* heaviest article terms put in articles_fts */
#define QUERY_TERMS                     16      /* heaviest article terms OR'ed in the event query */
#define CLAIM_QUERY_TERMS               8       /* rarest claim keys OR'ed in a candidate query */
#define POOLS_MAX                       256     /* events whose claim pools the writer keeps */
#define EVENTS_IN_MEMORY                4096    /* recent events whose centroids the writer keeps */
#define LABEL_MAX                       160     /* bytes of an event label */
#define EXPIRE_BATCH                    256     /* articles deleted per transaction */
#define DF_CACHE_MAX                    200000  /* document frequencies cached per connection */
#define CLAIM_CACHE_MAX                 16384   /* stored claims kept parsed with their conflict views */
#define BATCH_ARTICLES_MAX              256     /* articles of a batch whose checks may be deferred */

/* Ingest: the store's measured defaults ([events], [conflicts]) and caps */
#define DEFAULT_EVENT_MIN_SIMILARITY    0.25    /* join an event at this fit (events.c) */
#define DEFAULT_EVENT_WINDOW_HOURS      72
#define MAX_EVENT_WINDOW_HOURS          (24 * 3650)
#define DEFAULT_EVENT_MAX_CANDIDATES    20      /* articles from the FTS5 index per new article */
#define MAX_EVENT_MAX_CANDIDATES        10000
#define DEFAULT_MAX_CANDIDATE_CLAIMS    20      /* candidates per claim */
#define MAX_CANDIDATE_CLAIMS            200
#define DEFAULT_MAX_CONFLICTS_PER_ARTICLE 10
#define MAX_MAX_CONFLICTS_PER_ARTICLE   10000
#define DEFAULT_EVENT_CLAIMS_IN_MEMORY  1000    /* newest claims of an event that are candidates */
#define MAX_EVENT_CLAIMS_IN_MEMORY      10000000

/* Configuration file */
#define MAX_CONFIG_LINE                 4096
#define MAX_CONFIG_ERRORS               64
#define MAX_TOKEN_BYTES                 4096
