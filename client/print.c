/* Readable lines for conflicts and events (see print.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/print.h"

#define CLAIM_TEXT_CHARS 90

void print_json_line(FILE *f, const json_t *j) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
        if (s) {
                fputs(s, f);
                fputc('\n', f);
                free(s);
        }
        fflush(f);
}

char *shorten(const char *s, size_t max, char *buf, size_t size) {
        size_t chars = 0, i = 0;
        if (!s)
                s = "";
        while (s[i] && chars < max && i + 4 < size - 4) {
                i++;
                while (((unsigned char) s[i] & 0xc0) == 0x80)
                        i++;
                chars++;
        }
        memcpy(buf, s, i);
        strcpy(buf + i, s[i] ? "..." : "");
        /* one line, whatever the claim holds */
        for (char *p = buf; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                        *p = ' ';
        return buf;
}

static const char *stance_verb(const char *stance) {
        if (stance && strcmp(stance, "denies") == 0)
                return "denies";
        if (stance && strcmp(stance, "questions") == 0)
                return "asks";
        return "says";
}

/* SOURCE/SPEAKER VERB "TEXT" of one claim of a conflict. */
static void print_side(FILE *f, const json_t *cl) {
        const char *source = json_string_value(json_object_get(cl, "source"));
        const char *speaker = json_string_value(json_object_get(json_object_get(cl, "speaker"), "name"));
        char text[CLAIM_TEXT_CHARS * 4 + 8];
        shorten(json_string_value(json_object_get(cl, "text")), CLAIM_TEXT_CHARS, text, sizeof(text));
        fprintf(f, "%s%s%s %s \"%s\"", source ? source : "?", speaker ? "/" : "", speaker ? speaker : "",
                stance_verb(json_string_value(json_object_get(cl, "stance"))), text);
}

void print_conflict_line(FILE *f, const json_t *c) {
        const json_t *claims = json_object_get(c, "claims");
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *status = json_string_value(json_object_get(c, "status"));

        fprintf(f, "#%lld %s %.2f %s:", (long long) json_integer_value(json_object_get(c, "id")), kind ? kind : "?",
                json_number_value(json_object_get(c, "score")), status ? status : "open");
        for (size_t i = 0; i < json_array_size(claims); i++) {
                fputs(i ? " -- " : " ", f);
                print_side(f, json_array_get(claims, i));
        }
        fputc('\n', f);
        fflush(f);
}

void print_event_line(FILE *f, const json_t *e) {
        char label[256];
        long long n_art = json_integer_value(json_object_get(e, "articles"));
        long long n_src = json_integer_value(json_object_get(e, "sources"));
        long long n_con = json_integer_value(json_object_get(e, "conflicts"));
        const char *first = json_string_value(json_object_get(e, "first_seen"));
        const char *last = json_string_value(json_object_get(e, "last_seen"));

        shorten(json_string_value(json_object_get(e, "label")), 60, label, sizeof(label));
        fprintf(f, "#%lld \"%s\": %lld article%s, %lld source%s, %lld conflict%s; %s .. %s\n",
                (long long) json_integer_value(json_object_get(e, "id")), label, n_art, n_art == 1 ? "" : "s",
                n_src, n_src == 1 ? "" : "s", n_con, n_con == 1 ? "" : "s", first ? first : "?", last ? last : "?");
        fflush(f);
}
