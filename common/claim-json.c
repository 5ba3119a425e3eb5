/* CLAIM <-> JSON as API.md describes it.  Besides the API fields, the object
 * carries "entity_kinds" (a string with one kind letter per entity, parallel
 * to "entities") so that a claim read back from the store keeps its kinds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "claim-json.h"

/* Returns [s, e] or null when s < 0. */
static json_t *span_new(const int32_t span[2]) {
        if (span[0] < 0 || span[1] < 0)
                return json_null();
        return json_pack("[ii]", (int) span[0], (int) span[1]);
}

/* Returns the string, or json null for NULL. */
static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

/* Sets key on o, stealing v; returns 0 or -ENOMEM (v is released either way). */
static int set_new(json_t *o, const char *key, json_t *v) {
        if (!v)
                return -ENOMEM;
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

json_t *claim_to_json(const struct claim *c) {
        json_t *o = json_object();
        json_t *a;
        char *kinds = NULL;
        int r = 0;

        if (!o)
                return NULL;

        r |= set_new(o, "field", json_string(c->field == CLAIM_FIELD_TITLE ? "title" : "text"));
        r |= set_new(o, "span", span_new(c->span));
        r |= set_new(o, "text", json_string(c->text ? c->text : ""));
        r |= set_new(o, "content_span", span_new(c->content_span));
        if (c->speaker)
                r |= set_new(o, "speaker", json_pack("{s:s, s:o}", "name", c->speaker,
                                                     "span", span_new(c->speaker_span)));
        else
                r |= set_new(o, "speaker", json_null());
        if (c->cue)
                r |= set_new(o, "cue", json_pack("{s:s, s:o}", "text", c->cue,
                                                 "span", span_new(c->cue_span)));
        else
                r |= set_new(o, "cue", json_null());
        r |= set_new(o, "stance", json_string(claim_stance_to_string(c->stance) ?: "asserts"));
        r |= set_new(o, "negated", json_boolean(c->negated));
        r |= set_new(o, "hedged", json_boolean(c->hedged));

        a = json_array();
        kinds = calloc(c->n_entities + 1, 1);
        if (!a || !kinds) {
                json_decref(a);
                goto fail;
        }
        for (size_t i = 0; i < c->n_entities; i++) {
                if (json_array_append_new(a, json_string(c->entities[i].name ? c->entities[i].name : "")) < 0)
                        r = -ENOMEM;
                kinds[i] = c->entities[i].kind ? c->entities[i].kind : 'M';
        }
        r |= set_new(o, "entities", a);
        r |= set_new(o, "entity_kinds", json_string(kinds));
        free(kinds);
        kinds = NULL;

        a = json_array();
        if (!a)
                goto fail;
        for (size_t i = 0; i < c->n_quantities; i++) {
                const struct quantity *q = &c->quantities[i];
                int32_t sp[2] = { q->start, q->end };
                json_t *qo = json_pack("{s:s, s:f, s:o, s:s, s:o}",
                                       "text", q->text ? q->text : "",
                                       "value", q->value,
                                       "unit", str_or_null(q->unit),
                                       "bound", quantity_bound_to_string(q->bound) ?: "exact",
                                       "span", span_new(sp));
                if (!qo || json_array_append_new(a, qo) < 0)
                        r = -ENOMEM;
        }
        r |= set_new(o, "quantities", a);

        a = json_array();
        if (!a)
                goto fail;
        for (size_t i = 0; i < c->n_dates; i++) {
                const struct claim_date *d = &c->dates[i];
                int32_t sp[2] = { d->start, d->end };
                json_t *d_o = json_pack("{s:s, s:o, s:o}",
                                        "text", d->text ? d->text : "",
                                        "value", str_or_null(d->value),
                                        "span", span_new(sp));
                if (!d_o || json_array_append_new(a, d_o) < 0)
                        r = -ENOMEM;
        }
        r |= set_new(o, "dates", a);
        r |= set_new(o, "terms", json_string(c->terms ? c->terms : ""));

        if (r == 0)
                return o;
fail:
        free(kinds);
        json_decref(o);
        return NULL;
}

/* Reads a [s, e] pair or null into span; returns 0 or -EINVAL. */
static int span_get(const json_t *v, int32_t span[2]) {
        span[0] = span[1] = -1;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_array(v) || json_array_size(v) != 2)
                return -EINVAL;
        const json_t *s = json_array_get(v, 0), *e = json_array_get(v, 1);
        if (!json_is_integer(s) || !json_is_integer(e))
                return -EINVAL;
        json_int_t si = json_integer_value(s), ei = json_integer_value(e);
        if (si < 0 || ei < si || ei > INT32_MAX)
                return -EINVAL;
        span[0] = (int32_t) si;
        span[1] = (int32_t) ei;
        return 0;
}

/* Duplicates a JSON string (NULL for null/absent); returns 0, -EINVAL for a
 * non-string, -ENOMEM. */
static int str_get(const json_t *v, char **ret) {
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return -EINVAL;
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : -ENOMEM;
}

/* Reads {"name"|"text": ..., "span": ...} into *s and span; returns 0 or a negative errno. */
static int named_span_get(const json_t *v, const char *key, char **s, int32_t span[2]) {
        span[0] = span[1] = -1;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return -EINVAL;
        const json_t *n = json_object_get(v, key);
        if (!json_is_string(n))
                return -EINVAL;
        int r = span_get(json_object_get(v, "span"), span);
        if (r < 0)
                return r;
        return str_get(n, s);
}

int claim_from_json(const json_t *o, struct claim *ret) {
        struct claim c = {};
        const json_t *v, *kinds_v;
        const char *kinds = NULL;
        size_t i;
        int r;

        if (!json_is_object(o))
                return -EINVAL;

        v = json_object_get(o, "field");
        if (!v || json_is_null(v))
                c.field = CLAIM_FIELD_TEXT;
        else if (json_is_string(v) && strcmp(json_string_value(v), "title") == 0)
                c.field = CLAIM_FIELD_TITLE;
        else if (json_is_string(v) && strcmp(json_string_value(v), "text") == 0)
                c.field = CLAIM_FIELD_TEXT;
        else
                return -EINVAL;

        if ((r = span_get(json_object_get(o, "span"), c.span)) < 0 ||
            (r = span_get(json_object_get(o, "content_span"), c.content_span)) < 0)
                return r;
        v = json_object_get(o, "text");
        if (!json_is_string(v))
                return -EINVAL;
        if ((r = str_get(v, &c.text)) < 0)
                goto fail;
        if ((r = named_span_get(json_object_get(o, "speaker"), "name", &c.speaker, c.speaker_span)) < 0 ||
            (r = named_span_get(json_object_get(o, "cue"), "text", &c.cue, c.cue_span)) < 0)
                goto fail;

        v = json_object_get(o, "stance");
        if (v && !json_is_null(v)) {
                r = json_is_string(v) ? claim_stance_from_string(json_string_value(v)) : -EINVAL;
                if (r < 0)
                        goto fail;
                c.stance = (enum claim_stance) r;
        }
        v = json_object_get(o, "negated");
        if (v && !json_is_boolean(v)) {
                r = -EINVAL;
                goto fail;
        }
        c.negated = json_is_true(v);
        v = json_object_get(o, "hedged");
        if (v && !json_is_boolean(v)) {
                r = -EINVAL;
                goto fail;
        }
        c.hedged = json_is_true(v);

        v = json_object_get(o, "entities");
        kinds_v = json_object_get(o, "entity_kinds");
        if (json_is_string(kinds_v))
                kinds = json_string_value(kinds_v);
        if (v && !json_is_null(v)) {
                if (!json_is_array(v)) {
                        r = -EINVAL;
                        goto fail;
                }
                size_t n = json_array_size(v);
                c.entities = calloc(n ? n : 1, sizeof(*c.entities));
                if (!c.entities) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (i = 0; i < n; i++) {
                        const json_t *e = json_array_get(v, i);
                        const char *name;
                        char kind = 'M';
                        if (json_is_string(e))
                                name = json_string_value(e);
                        else if (json_is_object(e) && json_is_string(json_object_get(e, "name"))) {
                                /* also accept {"name", "kind"} objects */
                                const json_t *k = json_object_get(e, "kind");
                                name = json_string_value(json_object_get(e, "name"));
                                if (json_is_string(k) && json_string_value(k)[0])
                                        kind = json_string_value(k)[0];
                        } else {
                                r = -EINVAL;
                                goto fail;
                        }
                        if (kinds && i < strlen(kinds))
                                kind = kinds[i];
                        c.entities[i].name = strdup(name);
                        c.entities[i].kind = kind;
                        c.n_entities = i + 1;
                        if (!c.entities[i].name) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
        }

        v = json_object_get(o, "quantities");
        if (v && !json_is_null(v)) {
                if (!json_is_array(v)) {
                        r = -EINVAL;
                        goto fail;
                }
                size_t n = json_array_size(v);
                c.quantities = calloc(n ? n : 1, sizeof(*c.quantities));
                if (!c.quantities) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (i = 0; i < n; i++) {
                        const json_t *q = json_array_get(v, i);
                        struct quantity *cq = &c.quantities[i];
                        int32_t sp[2];
                        const json_t *val = json_object_get(q, "value"), *b = json_object_get(q, "bound");
                        if (!json_is_object(q) || !json_is_number(val)) {
                                r = -EINVAL;
                                goto fail;
                        }
                        c.n_quantities = i + 1;
                        cq->value = json_number_value(val);
                        if ((r = str_get(json_object_get(q, "text"), &cq->text)) < 0 ||
                            (r = str_get(json_object_get(q, "unit"), &cq->unit)) < 0 ||
                            (r = span_get(json_object_get(q, "span"), sp)) < 0)
                                goto fail;
                        cq->start = sp[0];
                        cq->end = sp[1];
                        if (b && !json_is_null(b)) {
                                r = json_is_string(b) ? quantity_bound_from_string(json_string_value(b)) : -EINVAL;
                                if (r < 0)
                                        goto fail;
                                cq->bound = (enum quantity_bound) r;
                        }
                }
        }

        v = json_object_get(o, "dates");
        if (v && !json_is_null(v)) {
                if (!json_is_array(v)) {
                        r = -EINVAL;
                        goto fail;
                }
                size_t n = json_array_size(v);
                c.dates = calloc(n ? n : 1, sizeof(*c.dates));
                if (!c.dates) {
                        r = -ENOMEM;
                        goto fail;
                }
                for (i = 0; i < n; i++) {
                        const json_t *d = json_array_get(v, i);
                        struct claim_date *cd = &c.dates[i];
                        int32_t sp[2];
                        if (!json_is_object(d)) {
                                r = -EINVAL;
                                goto fail;
                        }
                        c.n_dates = i + 1;
                        if ((r = str_get(json_object_get(d, "text"), &cd->text)) < 0 ||
                            (r = str_get(json_object_get(d, "value"), &cd->value)) < 0 ||
                            (r = span_get(json_object_get(d, "span"), sp)) < 0)
                                goto fail;
                        cd->start = sp[0];
                        cd->end = sp[1];
                }
        }

        if ((r = str_get(json_object_get(o, "terms"), &c.terms)) < 0)
                goto fail;

        *ret = c;
        return 0;
fail:
        claim_clear(&c);
        return r;
}
