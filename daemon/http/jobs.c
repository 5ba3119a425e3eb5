/* Finished jobs, back on the loop thread: the journal records of an
 * ingest (and of each conflict it found), the reply, waking the conflict
 * feed; and the read-only store connection, reopened after a fault. */
#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "daemon/clock.h"
#include "daemon/http/api.h"
#include "daemon/http/batch.h"
#include "daemon/http/conflicts.h"
#include "daemon/http/http.h"
#include "daemon/http/jobs.h"
#include "daemon/http/reader.h"
#include "daemon/http/review.h"
#include "daemon/http/routes.h"
#include "daemon/http/stream.h"
#include "daemon/http/webhook.h"
#include "daemon/limits.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/workers.h"

/* Writes the "conflict detected" journal record for one stored conflict. */
static void log_conflict(json_t *c) {
        json_int_t id = json_integer_value(json_object_get(c, "id"));
        const char *kind = json_string_value(json_object_get(c, "kind"));
        double score = json_number_value(json_object_get(c, "score"));
        json_int_t event = json_integer_value(json_object_get(c, "event_id"));
        json_t *claims = json_object_get(c, "claims");
        const char *who[2] = { "?", "?" }, *src[2] = { "?", "?" }, *text = "";
        char sidebuf[2][256];

        for (size_t i = 0; i < 2 && i < json_array_size(claims); i++) {
                json_t *cl = json_array_get(claims, i);
                const char *so = json_string_value(json_object_get(cl, "source"));
                const char *sp = json_string_value(json_object_get(json_object_get(cl, "speaker"), "name"));
                src[i] = so ? so : "?";
                snprintf(sidebuf[i], sizeof(sidebuf[i]), "%s/%s", src[i], sp ? sp : "(the outlet)");
                who[i] = sidebuf[i];
                if (i == 0) {
                        const char *t = json_string_value(json_object_get(cl, "text"));
                        text = t ? t : "";
                }
        }

        char sources[520];
        if (strcmp(src[0], src[1]) == 0)
                snprintf(sources, sizeof(sources), "%s", src[0]);
        else
                snprintf(sources, sizeof(sources), "%s,%s", src[0], src[1]);

        char f_id[48], f_kind[64], f_score[48], f_event[48], f_sources[560];
        snprintf(f_id, sizeof(f_id), "CLAIMD_CONFLICT_ID=%lld", (long long) id);
        snprintf(f_kind, sizeof(f_kind), "CLAIMD_KIND=%s", kind ? kind : "?");
        snprintf(f_score, sizeof(f_score), "CLAIMD_SCORE=%.2f", score);
        snprintf(f_event, sizeof(f_event), "CLAIMD_EVENT_ID=%lld", (long long) event);
        snprintf(f_sources, sizeof(f_sources), "CLAIMD_SOURCES=%s", sources);
        const char *fields[] = { f_id, f_kind, f_score, f_event, f_sources, NULL };

        /* cut the quoted text at a character boundary */
        char quoted[160];
        size_t n = strlen(text);
        bool cut = n > 120;
        if (cut) {
                n = 120;
                while (n > 0 && ((unsigned char) text[n] & 0xc0) == 0x80)
                        n--;
        }
        snprintf(quoted, sizeof(quoted), "%.*s%s", (int) n, text, cut ? " ..." : "");

        log_struct(LOG_NOTICE, CLAIMD_MESSAGE_CONFLICT, fields, "conflict %lld (%s, %.2f): %s vs %s: '%s'",
                   (long long) id, kind ? kind : "?", score, who[0], who[1], quoted);
}

void http_job_done(struct job *j, void *userdata) {
        struct server *s = userdata;
        bool reopen = j->store_reopen;
        const struct route *r = j->route;
        int status = j->status ? j->status : 500;

        if (j->kind == JOB_REVIEW && status == 200)
                review_done(s, j);

        if (j->kind == JOB_INGEST && status < 300) {
                char f_id[48], f_src[MAX_SOURCE_BYTES + 32], f_claims[48], f_dup[32];
                const char *fields[] = { f_id, f_src, f_claims, f_dup, NULL };
                snprintf(f_id, sizeof(f_id), "CLAIMD_ARTICLE_ID=%lld", (long long) j->result.article_id);
                snprintf(f_src, sizeof(f_src), "CLAIMD_SOURCE=%s", j->article.source);
                snprintf(f_claims, sizeof(f_claims), "CLAIMD_CLAIMS=%d", j->result.n_claims);
                snprintf(f_dup, sizeof(f_dup), "CLAIMD_DUPLICATE=%d", j->result.duplicate);
                if (j->result.duplicate)
                        log_struct(LOG_INFO, CLAIMD_MESSAGE_INGESTED, fields,
                                   "article from %s is a duplicate of article %lld", j->article.source,
                                   (long long) j->result.article_id);
                else
                        log_struct(LOG_INFO, CLAIMD_MESSAGE_INGESTED, fields,
                                   "article %lld ingested from %s: %d claims, %zu conflicts",
                                   (long long) j->result.article_id, j->article.source,
                                   j->result.n_claims, j->result.n_conflicts);

                size_t i;
                json_t *c;
                json_array_foreach(j->conflicts, i, c)
                        log_conflict(c);

                metrics_ingest((double) (now_usec() - j->started_usec) / 1e6, j->result.n_claims,
                               (int) j->result.n_conflicts, j->result.duplicate);
        }

        if (status >= 400) {
                log_rejected(j->req, r, status, j->error_code ? j->error_code : "internal_error",
                             j->error_message);
                if (j->error_code && !j->reply)
                        j->reply = error_json(j->error_code, j->error_field[0] ? j->error_field : NULL, "%s",
                                              j->error_message);
        }
        if (j->batch)
                batch_line_done(s, j);
        else {
                if (status == 503)
                        evhttp_add_header(evhttp_request_get_output_headers(j->req), "Retry-After", "1");
                reply_json(s, j->req, r, status, json_incref(j->reply));
        }

        if (j->result.n_conflicts > 0)
                conflicts_changed();
        int64_t max_id = 0;
        for (size_t i = 0; i < j->result.n_conflicts; i++)
                if (j->result.conflict_ids[i] > max_id)
                        max_id = j->result.conflict_ids[i];
        job_free(j);
        if (max_id > 0) {
                pollers_wake(s, max_id);
                streams_conflicts(s, max_id);
                webhook_notify(s->webhook);
        }
        if (reopen && s->workers)
                http_store_reopen(s);
}
