/* See framing.h.  The rules are RFC 9112's, read strictly where a
 * lenient reading is what smuggling needs:
 *  - request line: METHOD SP TARGET SP HTTP/1.0|1.1, single spaces, a
 *    target of visible ASCII; CONNECT is refused (claimd is no proxy);
 *  - field lines: a token name, the colon right after it (§5.1: whitespace
 *    before it MUST be refused), a value of visible bytes, spaces and tabs
 *    only (no NUL, no other control byte, no bare CR); no line folding;
 *  - Content-Length: digits only, repeated only with the same value;
 *    Transfer-Encoding: exactly "chunked", once, in HTTP/1.1, never with a
 *    Content-Length (§6.3);
 *  - no body on a method whose body evhttp does not read (HEAD, TRACE,
 *    any method it does not know): it would run the body as the next
 *    request, where a proxy reads it as this one's body (§6.3: the
 *    length is the one Content-Length or chunked gives, whatever the
 *    method);
 *  - chunked bodies: hexadecimal sizes with valid extensions, CRLF after
 *    every size line and every chunk's data, trailer fields well formed.
 * Heads may end their lines with a bare LF (§2.2 allows it); chunk lines
 * may not, since chunk parsers that disagree on LF are a known smuggling
 * vector. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/http/framing.h"
#include "daemon/limits.h"

#define MAX_SIZE_DIGITS 16              /* hex digits of a chunk size (64 bits) */

void http_framer_init(struct http_framer *f, const struct http_framing_limits *limits) {
        memset(f, 0, sizeof(*f));
        f->limits = *limits;
        f->state = HTTP_FRAMER_HEAD;
}

void http_framer_done(struct http_framer *f) {
        free(f->buf);
        f->buf = NULL;
        f->len = f->cap = 0;
}

/* Refuses the stream: fills f->error and returns -EPROTO. */
static int refuse(struct http_framer *f, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(struct http_framer *f, int status, const char *fmt, ...) {
        va_list ap;

        f->error.status = status;
        f->error.code = status == 405 ? "method_not_allowed" : status == 413 || status == 431 ? "too_large" :
                        "invalid_request";
        f->error.in_body = f->state != HTTP_FRAMER_HEAD;
        va_start(ap, fmt);
        vsnprintf(f->error.message, sizeof(f->error.message), fmt, ap);
        va_end(ap);
        f->state = HTTP_FRAMER_REFUSED;
        return -EPROTO;
}

static bool is_tchar(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A field value byte: visible ASCII, obs-text, space or tab. */
static bool is_value_byte(unsigned char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int append(struct http_framer *f, const unsigned char *p, size_t n) {
        if (f->len + n > f->cap) {
                size_t cap = f->cap ? f->cap : 1024;
                while (cap < f->len + n)
                        cap *= 2;
                char *b = realloc(f->buf, cap);
                if (!b)
                        return -ENOMEM;
                f->buf = b;
                f->cap = cap;
        }
        memcpy(f->buf + f->len, p, n);
        f->len += n;
        return 0;
}

static void buffer_reset(struct http_framer *f) {
        f->len = f->line_start = 0;
        if (f->cap > FRAMER_KEEP_BUFFER_BYTES) {
                free(f->buf);
                f->buf = NULL;
                f->cap = 0;
        }
}

/* The next line of buf[*pos..len) without its LF or CRLF; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **ret, size_t *ret_len) {
        if (*pos >= len)
                return false;
        const char *s = buf + *pos, *lf = memchr(s, '\n', len - *pos);
        size_t n = lf ? (size_t) (lf - s) : len - *pos;
        *pos += n + (lf != NULL);
        if (n > 0 && s[n - 1] == '\r')
                n--;
        *ret = s;
        *ret_len = n;
        return true;
}

/* The printable beginning of a header name, for messages. */
static int name_len(size_t n) {
        return n > 40 ? 40 : (int) n;
}

struct head_facts {
        bool has_length, chunked, has_host;
        bool body_read;                 /* evhttp reads a body for this method */
        size_t method_len;
        uint64_t length;
};

/* Does libevent 2.1 read the body of a request with this method?
 * (evhttp_method_may_have_body(): yes for these, no for HEAD, TRACE and
 * methods it does not know, whatever their Content-Length says.) */
static bool method_body_read(const char *m, size_t n) {
        static const char *const with_body[] = { "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT" };
        for (size_t i = 0; i < sizeof(with_body) / sizeof(with_body[0]); i++)
                if (strlen(with_body[i]) == n && memcmp(with_body[i], m, n) == 0)
                        return true;
        return false;
}

/* Checks one field line (of the head, or of the trailer when facts is
 * NULL) and notes what the framing needs.  0 or refuse(). */
static int field_check(struct http_framer *f, const char *l, size_t n, struct head_facts *facts, bool http10) {
        size_t k = 0;

        if (n > 0 && (l[0] == ' ' || l[0] == '\t'))
                return refuse(f, 400, "a header line begins with whitespace (obsolete line folding is not accepted)");
        while (k < n && is_tchar((unsigned char) l[k]))
                k++;
        if (k == 0)
                return refuse(f, 400, "a header line does not begin with a field name");
        if (k < n && (l[k] == ' ' || l[k] == '\t'))
                return refuse(f, 400, "whitespace between the header name '%.*s' and its colon", name_len(k), l);
        if (k >= n || l[k] != ':')
                return refuse(f, 400, "the header line '%.*s' has no colon after its name", name_len(k), l);
        const char *name = l;
        size_t nlen = k;
        const char *v = l + k + 1;
        size_t vlen = n - k - 1;
        for (size_t i = 0; i < vlen; i++)
                if (!is_value_byte((unsigned char) v[i]))
                        return refuse(f, 400, "the header '%.*s' holds a control byte (0x%02x)", name_len(nlen), name,
                                      (unsigned char) v[i]);
        while (vlen > 0 && (v[0] == ' ' || v[0] == '\t'))
                v++, vlen--;
        while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
        if (!facts)
                return 0;

        if (nlen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
                uint64_t x = 0;
                if (vlen == 0)
                        return refuse(f, 400, "Content-Length is empty");
                for (size_t i = 0; i < vlen; i++) {
                        if (v[i] < '0' || v[i] > '9')
                                return refuse(f, 400, "Content-Length must be digits only, not '%.*s'",
                                              (int) (vlen > 30 ? 30 : vlen), v);
                        if (x > (UINT64_MAX - 9) / 10)
                                x = UINT64_MAX; /* far beyond any limit: 413 below */
                        else
                                x = x * 10 + (uint64_t) (v[i] - '0');
                }
                if (facts->has_length && facts->length != x)
                        return refuse(f, 400, "two different Content-Length headers");
                facts->has_length = true;
                facts->length = x;
        } else if (nlen == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0) {
                if (facts->chunked)
                        return refuse(f, 400, "Transfer-Encoding is given more than once");
                if (vlen != 7 || strncasecmp(v, "chunked", 7) != 0)
                        return refuse(f, 400, "Transfer-Encoding must be exactly 'chunked', not '%.*s'",
                                      (int) (vlen > 30 ? 30 : vlen), v);
                if (http10)
                        return refuse(f, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
                facts->chunked = true;
        } else if (nlen == 4 && strncasecmp(name, "Host", 4) == 0) {
                if (facts->has_host)
                        return refuse(f, 400, "Host is given more than once");
                facts->has_host = true;
        }
        return 0;
}

/* Checks the request line; sets *http10, and facts' method length and
 * whether evhttp reads a body for the method. */
static int request_line_check(struct http_framer *f, const char *l, size_t n, bool *http10,
                              struct head_facts *facts) {
        size_t m = 0, t;

        while (m < n && is_tchar((unsigned char) l[m]))
                m++;
        if (m == 0 || m >= n || l[m] != ' ')
                return refuse(f, 400, "the request line must be 'METHOD TARGET HTTP/1.1'");
        for (t = m + 1; t < n && l[t] != ' '; t++)
                if ((unsigned char) l[t] <= 0x20 || (unsigned char) l[t] >= 0x7f)
                        return refuse(f, 400, "the request target holds a byte that is not visible ASCII (0x%02x); "
                                      "percent-encode it", (unsigned char) l[t]);
        if (t == m + 1 || t >= n)
                return refuse(f, 400, "the request line must be 'METHOD TARGET HTTP/1.1'");
        const char *v = l + t + 1;
        size_t vlen = n - t - 1;
        if (vlen != 8 || (memcmp(v, "HTTP/1.1", 8) != 0 && memcmp(v, "HTTP/1.0", 8) != 0))
                return refuse(f, 400, "only HTTP/1.0 and HTTP/1.1 are spoken here");
        *http10 = v[7] == '0';
        facts->method_len = m;
        facts->body_read = method_body_read(l, m);
        if (m == 7 && memcmp(l, "CONNECT", 7) == 0)
                return refuse(f, 405, "CONNECT is not allowed: claimd is not a proxy");
        return 0;
}

/* Checks a whole head (the blank line included) and sets the state for
 * its body.  0 or refuse(). */
static int head_check(struct http_framer *f) {
        struct head_facts facts = {};
        size_t pos = 0, n;
        const char *l;
        bool http10 = false;
        int r;

        if (!next_line(f->buf, f->len, &pos, &l, &n))
                return refuse(f, 400, "an empty request");
        if ((r = request_line_check(f, l, n, &http10, &facts)) < 0)
                return r;
        while (next_line(f->buf, f->len, &pos, &l, &n) && n > 0)
                if ((r = field_check(f, l, n, &facts, http10)) < 0)
                        return r;

        if (facts.chunked && facts.has_length)
                return refuse(f, 400, "both Transfer-Encoding and Content-Length: the body's length is ambiguous");
        if (!facts.body_read && (facts.chunked || (facts.has_length && facts.length > 0)))
                return refuse(f, 400, "a %.*s request cannot carry a body", name_len(facts.method_len), f->buf);
        if (facts.has_length && facts.length > f->limits.max_body_bytes)
                return refuse(f, 413, "the request body is larger than %zu bytes", f->limits.max_body_bytes);
        if (facts.chunked) {
                f->state = HTTP_FRAMER_CHUNK_SIZE;
                f->body_bytes = 0;
        } else if (facts.has_length && facts.length > 0) {
                f->state = HTTP_FRAMER_BODY;
                f->remaining = facts.length;
        }
        return 0;
}

/* Collects a head up to its blank line, then checks and emits it. */
static int feed_head(struct http_framer *f, const unsigned char *s, size_t n, size_t *used,
                     http_framing_emit emit, void *userdata) {
        size_t i = 0;
        int r;

        if (f->len == 0)        /* empty lines before a request line are ignored (§2.2) */
                while (i < n && (s[i] == '\r' || s[i] == '\n'))
                        i++;
        while (i < n) {
                const unsigned char *lf = memchr(s + i, '\n', n - i);
                size_t take = lf ? (size_t) (lf - (s + i)) + 1 : n - i;
                if (f->len + take > f->limits.max_head_bytes)
                        return refuse(f, 431, "the request head is larger than %zu bytes", f->limits.max_head_bytes);
                if ((r = append(f, s + i, take)) < 0)
                        return r;
                i += take;
                if (!lf)
                        break;
                size_t line = f->len - f->line_start;
                f->line_start = f->len;
                if (line == 1 || (line == 2 && f->buf[f->len - 2] == '\r')) {
                        if ((r = head_check(f)) < 0)
                                return r;
                        if ((r = emit(userdata, f->buf, f->len)) < 0)
                                return r;
                        f->messages++;
                        buffer_reset(f);
                        break;
                }
        }
        *used = i;
        return 0;
}

static int hex_digit(unsigned char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
               c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Skips a quoted-string at l[*k] (the opening quote); false when malformed. */
static bool skip_quoted(const char *l, size_t n, size_t *k) {
        for (size_t i = *k + 1; i < n; i++) {
                unsigned char c = (unsigned char) l[i];
                if (c == '"') {
                        *k = i + 1;
                        return true;
                }
                if (c == '\\') {
                        if (++i >= n || !is_value_byte((unsigned char) l[i]))
                                return false;
                } else if (!is_value_byte(c))
                        return false;
        }
        return false;
}

/* Parses "SIZE *(BWS ; BWS name [BWS = BWS value])" into *ret. */
static int chunk_size_parse(struct http_framer *f, const char *l, size_t n, uint64_t *ret) {
        size_t k = 0, digits = 0;
        uint64_t x = 0;

        while (k < n && hex_digit((unsigned char) l[k]) >= 0) {
                if (x > 0 || l[k] != '0')
                        digits++;
                if (digits > MAX_SIZE_DIGITS)
                        return refuse(f, 413, "a chunk size beyond 64 bits");
                x = x << 4 | (uint64_t) hex_digit((unsigned char) l[k]);
                k++;
        }
        if (k == 0)
                return refuse(f, 400, "a chunk size must be hexadecimal digits, not '%.*s'",
                              (int) (n > 20 ? 20 : n), l);
        while (k < n) {
                while (k < n && (l[k] == ' ' || l[k] == '\t'))
                        k++;
                if (k >= n)
                        break;
                if (l[k] != ';')
                        return refuse(f, 400, "a chunk size line holds '%c' after the size", l[k] > 0x20 && l[k] < 0x7f ?
                                      l[k] : '?');
                k++;
                while (k < n && (l[k] == ' ' || l[k] == '\t'))
                        k++;
                size_t name = k;
                while (k < n && is_tchar((unsigned char) l[k]))
                        k++;
                if (k == name)
                        return refuse(f, 400, "a chunk extension without a name");
                while (k < n && (l[k] == ' ' || l[k] == '\t'))
                        k++;
                if (k < n && l[k] == '=') {
                        k++;
                        while (k < n && (l[k] == ' ' || l[k] == '\t'))
                                k++;
                        size_t value = k;
                        if (k < n && l[k] == '"') {
                                if (!skip_quoted(l, n, &k))
                                        return refuse(f, 400, "a chunk extension with a malformed quoted value");
                        } else
                                while (k < n && is_tchar((unsigned char) l[k]))
                                        k++;
                        if (k == value)
                                return refuse(f, 400, "a chunk extension with an empty value");
                }
        }
        *ret = x;
        return 0;
}

/* Collects a chunk-size line (CRLF only) and emits it without extensions. */
static int feed_chunk_size(struct http_framer *f, const unsigned char *s, size_t n, size_t *used,
                           http_framing_emit emit, void *userdata) {
        const unsigned char *lf = memchr(s, '\n', n);
        size_t take = lf ? (size_t) (lf - s) + 1 : n;
        uint64_t size = 0;
        int r;

        if (f->len + take > MAX_CHUNK_LINE_BYTES)
                return refuse(f, 400, "a chunk size line longer than %d bytes", MAX_CHUNK_LINE_BYTES);
        if ((r = append(f, s, take)) < 0)
                return r;
        *used = take;
        if (!lf)
                return 0;
        if (f->len < 2 || f->buf[f->len - 2] != '\r')
                return refuse(f, 400, "a chunk size line must end with CRLF");
        for (size_t i = 0; i + 2 < f->len; i++)
                if (!is_value_byte((unsigned char) f->buf[i]))
                        return refuse(f, 400, "a chunk size line holds a control byte (0x%02x)",
                                      (unsigned char) f->buf[i]);
        if ((r = chunk_size_parse(f, f->buf, f->len - 2, &size)) < 0)
                return r;
        buffer_reset(f);
        if (size == 0) {
                f->state = HTTP_FRAMER_TRAILER;
                return 0;
        }
        if (size > f->limits.max_body_bytes || f->body_bytes + size > f->limits.max_body_bytes)
                return refuse(f, 413, "the request body is larger than %zu bytes", f->limits.max_body_bytes);
        f->body_bytes += size;
        char line[32];
        int k = snprintf(line, sizeof(line), "%llx\r\n", (unsigned long long) size);
        if ((r = emit(userdata, line, (size_t) k)) < 0)
                return r;
        f->state = HTTP_FRAMER_CHUNK_DATA;
        f->remaining = size;
        return 0;
}

/* Collects the trailer section up to its blank line, checks its fields,
 * and emits the last chunk without them. */
static int feed_trailer(struct http_framer *f, const unsigned char *s, size_t n, size_t *used,
                        http_framing_emit emit, void *userdata) {
        const unsigned char *lf = memchr(s, '\n', n);
        size_t take = lf ? (size_t) (lf - s) + 1 : n;
        size_t line_start = f->line_start;
        int r;

        if (f->len + take > f->limits.max_head_bytes)
                return refuse(f, 431, "the trailer section is larger than %zu bytes", f->limits.max_head_bytes);
        if ((r = append(f, s, take)) < 0)
                return r;
        *used = take;
        if (!lf)
                return 0;
        size_t line = f->len - line_start;
        f->line_start = f->len;
        if (line < 2 || f->buf[f->len - 2] != '\r')
                return refuse(f, 400, "a trailer line must end with CRLF");
        if (line > 2)
                return field_check(f, f->buf + line_start, line - 2, NULL, false);
        buffer_reset(f);
        f->state = HTTP_FRAMER_HEAD;
        return emit(userdata, "0\r\n\r\n", 5);
}

int http_framer_feed(struct http_framer *f, const void *p, size_t n, http_framing_emit emit, void *userdata) {
        const unsigned char *s = p;
        size_t i = 0;
        int r = 0;

        while (i < n && r == 0) {
                size_t used = 0, k;
                switch (f->state) {
                case HTTP_FRAMER_HEAD:
                        r = feed_head(f, s + i, n - i, &used, emit, userdata);
                        break;
                case HTTP_FRAMER_BODY:
                case HTTP_FRAMER_CHUNK_DATA:
                        k = n - i < f->remaining ? n - i : (size_t) f->remaining;
                        r = emit(userdata, s + i, k);
                        used = k;
                        f->remaining -= k;
                        if (f->remaining == 0)
                                f->state = f->state == HTTP_FRAMER_BODY ? HTTP_FRAMER_HEAD : HTTP_FRAMER_CHUNK_END;
                        break;
                case HTTP_FRAMER_CHUNK_END:
                        if (s[i] != "\r\n"[f->crlf_seen])
                                return refuse(f, 400, "chunk data must be followed by CRLF");
                        used = 1;
                        if (++f->crlf_seen == 2) {
                                f->crlf_seen = 0;
                                f->state = HTTP_FRAMER_CHUNK_SIZE;
                                r = emit(userdata, "\r\n", 2);
                        }
                        break;
                case HTTP_FRAMER_CHUNK_SIZE:
                        r = feed_chunk_size(f, s + i, n - i, &used, emit, userdata);
                        break;
                case HTTP_FRAMER_TRAILER:
                        r = feed_trailer(f, s + i, n - i, &used, emit, userdata);
                        break;
                case HTTP_FRAMER_REFUSED:
                        return -EPROTO;
                }
                i += used;
        }
        return f->state == HTTP_FRAMER_REFUSED ? -EPROTO : r;
}
