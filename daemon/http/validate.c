/* See validate.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "common/utf8.h"
#include "daemon/http/validate.h"
#include "daemon/limits.h"

static int fail(struct api_error *e, int status, const char *code, const char *prefix, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail(struct api_error *e, int status, const char *code, const char *prefix, const char *field,
                const char *fmt, ...) {
        va_list ap;

        e->status = status;
        e->code = code;
        if (field)
                snprintf(e->field, sizeof(e->field), "%s%s", prefix ? prefix : "", field);
        else
                e->field[0] = 0;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

json_t *request_parse_json(const char *body, size_t len, struct api_error *e) {
        json_error_t err;

        if (len == 0) {
                fail(e, 400, "invalid_json", NULL, NULL, "the request body is empty");
                return NULL;
        }
        if (!utf8_is_valid(body, len)) {
                fail(e, 400, "invalid_utf8", NULL, NULL,
                     memchr(body, 0, len) ? "the request body holds a NUL byte"
                                          : "the request body is not valid UTF-8");
                return NULL;
        }
        /* NULs written as \u0000 are let through here and refused per field
         * as invalid_utf8 below, with the field named. */
        json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        if (!o) {
                if (json_error_code(&err) == json_error_invalid_utf8 ||
                    strncmp(err.text, "invalid Unicode", 15) == 0)
                        fail(e, 400, "invalid_utf8", NULL, NULL, "invalid Unicode in the JSON at line %d column %d: %s",
                             err.line, err.column, err.text);
                else
                        fail(e, 400, "invalid_json", NULL, NULL, "invalid JSON at line %d column %d: %s",
                             err.line, err.column, err.text);
                return NULL;
        }
        return o;
}

/* Returns true when s holds a C0 control character or DEL. */
static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

enum {
        F_SOURCE, F_URL, F_TITLE, F_PUBLISHED_AT, F_TEXT, F_HTML, F_LANG, _F_MAX,
};

static const char *const field_names[_F_MAX] = {
        "source", "url", "title", "published_at", "text", "html", "lang",
};

int article_validate(json_t *o, bool source_required, const char *prefix, size_t max_text,
                     time_t received, struct article_request *ret, struct api_error *e) {
        const char *v[_F_MAX] = {};
        bool present[_F_MAX] = {};
        const char *key;
        json_t *val;

        if (!json_is_object(o))
                return fail(e, 400, "invalid_json", NULL, NULL, "the article must be a JSON object");

        json_object_foreach(o, key, val) {
                int f = -1;
                for (int i = 0; i < _F_MAX; i++)
                        if (strcmp(key, field_names[i]) == 0)
                                f = i;
                if (f < 0) {
                        char shown[64];
                        snprintf(shown, sizeof(shown), "%s", key);
                        return fail(e, 400, "invalid_field", prefix, shown, "unknown field '%s'", shown);
                }
                if (json_is_null(val))
                        continue;       /* an optional field sent as null is absent */
                if (!json_is_string(val))
                        return fail(e, 400, "invalid_field", prefix, key, "'%s%s' must be a string",
                                    prefix ? prefix : "", key);
                const char *s = json_string_value(val);
                size_t n = json_string_length(val);
                if (strlen(s) != n)
                        return fail(e, 400, "invalid_utf8", prefix, key, "'%s%s' holds a NUL character",
                                    prefix ? prefix : "", key);
                v[f] = s;
                present[f] = true;
        }

        if (!v[F_SOURCE]) {
                if (source_required)
                        return fail(e, 400, "missing_field", prefix, "source", "'source' (the outlet id) is required");
        } else {
                size_t n = strlen(v[F_SOURCE]);
                if (n == 0)
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' must not be empty");
                if (n > MAX_SOURCE_BYTES)
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' is longer than %d bytes",
                                    MAX_SOURCE_BYTES);
                if (has_control(v[F_SOURCE]))
                        return fail(e, 400, "invalid_field", prefix, "source", "'source' holds control characters");
        }

        if (v[F_URL]) {
                size_t n = strlen(v[F_URL]);
                if (n == 0)
                        return fail(e, 400, "invalid_field", prefix, "url", "'url' must not be empty (leave it out)");
                if (n > MAX_URL_BYTES)
                        return fail(e, 400, "invalid_field", prefix, "url", "'url' is longer than %d bytes", MAX_URL_BYTES);
                for (const char *p = v[F_URL]; *p; p++)
                        if ((unsigned char) *p <= 0x20 || *p == 0x7f)
                                return fail(e, 400, "invalid_field", prefix, "url",
                                            "'url' holds spaces or control characters");
        }

        if (v[F_TITLE] && strlen(v[F_TITLE]) > MAX_TITLE_BYTES)
                return fail(e, 400, "invalid_field", prefix, "title", "'title' is longer than %d bytes", MAX_TITLE_BYTES);
        if (v[F_TEXT] && strlen(v[F_TEXT]) > max_text)
                return fail(e, 413, "too_large", prefix, "text", "'text' is longer than %zu bytes", max_text);
        if (v[F_HTML] && strlen(v[F_HTML]) > max_text)
                return fail(e, 413, "too_large", prefix, "html", "'html' is longer than %zu bytes", max_text);

        if (v[F_LANG]) {
                size_t n = strlen(v[F_LANG]);
                bool ok = n > 0 && n <= MAX_LANG_BYTES;
                for (const char *p = v[F_LANG]; ok && *p; p++)
                        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
                if (!ok)
                        return fail(e, 400, "invalid_field", prefix, "lang",
                                    "'lang' must be a language tag such as \"en\" or \"en-GB\"");
        }

        time_t published = received;
        if (v[F_PUBLISHED_AT]) {
                int k = strlen(v[F_PUBLISHED_AT]) > MAX_PUBLISHED_AT_BYTES ? -EINVAL :
                        rfc3339_parse(v[F_PUBLISHED_AT], &published);
                if (k == -ERANGE)
                        return fail(e, 400, "invalid_field", prefix, "published_at",
                                    "'published_at' must fall between 0001-01-01T00:00:00Z and "
                                    "9999-12-31T23:59:59Z in UTC");
                if (k < 0)
                        return fail(e, 400, "invalid_field", prefix, "published_at",
                                    "'published_at' must be an RFC 3339 timestamp such as \"2017-07-07T20:00:00Z\"");
        }

        if (v[F_TEXT] && v[F_HTML])
                return fail(e, 400, "invalid_field", prefix, "html", "'text' and 'html' are exclusive: send one of them");

        bool any = (v[F_TITLE] && *v[F_TITLE]) || (v[F_TEXT] && *v[F_TEXT]) || (v[F_HTML] && *v[F_HTML]);
        if (!any) {
                if (!present[F_TITLE] && !present[F_TEXT] && !present[F_HTML])
                        return fail(e, 400, "missing_field", prefix, "text",
                                    "one of 'title', 'text' or 'html' is required");
                return fail(e, 400, "invalid_field", prefix, v[F_HTML] ? "html" : "text",
                            "one of 'title', 'text' or 'html' must be non-empty");
        }

        *ret = (struct article_request) {
                .source = v[F_SOURCE],
                .url = v[F_URL],
                .title = v[F_TITLE],
                .text = v[F_TEXT],
                .html = v[F_HTML],
                .lang = v[F_LANG],
                .published_at = v[F_PUBLISHED_AT],
                .published = published,
                .received = received,
        };
        return 0;
}

bool ndjson_next_line(const char *body, size_t len, size_t *off,
                      const char **ret_line, size_t *ret_len) {
        while (*off < len) {
                const char *line = body + *off;
                const char *nl = memchr(line, '\n', len - *off);
                size_t n = nl ? (size_t) (nl - line) : len - *off;
                *off += n + (nl ? 1 : 0);

                while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                        n--;
                while (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
                        line++;
                        n--;
                }
                if (n > 0) {
                        *ret_line = line;
                        *ret_len = n;
                        return true;
                }
        }
        return false;
}
