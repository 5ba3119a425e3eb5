#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflict-internal.h"
#include "lexicon.h"

/* Writes at most max bytes of s into f, cut at a word boundary with "...". */
static void put_clipped(FILE *f, const char *s, size_t max) {
        size_t n = strlen(s);
        if (n <= max) {
                fputs(s, f);
                return;
        }
        size_t cut = max;
        while (cut > max / 2 && s[cut] != ' ')
                cut--;
        /* do not split a UTF-8 sequence */
        while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
                cut--;
        fwrite(s, 1, cut, f);
        fputs("...", f);
}

static void put_who(FILE *f, const struct claim_source *s) {
        fputs(s->claim->speaker ? s->claim->speaker : "the outlet", f);
        if (s->source)
                fprintf(f, " (%s)", s->source);
        else if (s->label)
                fprintf(f, " (%s)", s->label);
}

/* First clashing word of v, for the explanation. */
const char *conflict_first_unshared(const struct conflict_view *v, bool negation_cue) {
        for (size_t i = 0; i < v->n_words; i++) {
                const char *f = v->words[i].fold;
                if (negation_cue ? v->words[i].negation : lexicon_contains(LEXICON_REFUTATIONS, f))
                        return f;
        }
        return NULL;
}

/* "X (src) says ...; Y (src) denies it: clash 'a' vs 'b'". */
char *conflict_explain(const struct claim_source *a, const struct claim_source *b,
                     const struct conflict_view *va, const struct conflict_view *vb,
                     const struct clash *c) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;

        /* Put the affirmative side first when one side is negative. */
        const struct claim_source *p = a, *q = b;
        const struct conflict_view *vp = va, *vq = vb;
        const char *wp = c->word_a, *wq = c->word_b;
        if ((c->kind == CONFLICT_DENIAL || c->kind == CONFLICT_NEGATION) &&
            va->negative && !vb->negative) {
                p = b, q = a, vp = vb, vq = va;
                wp = c->word_b, wq = c->word_a;
        }

        put_who(f, p);
        fputs(vp->claim->stance == STANCE_QUESTIONS ? " asks whether " : " says ", f);
        put_clipped(f, p->claim->text ? p->claim->text : "", 160);
        fputs("; ", f);
        put_who(f, q);
        switch (c->kind) {
        case CONFLICT_DENIAL:
                if (vq->verdict) {
                        /* an article's verdict: say which story it calls untrue */
                        fputs(" calls the story untrue: ", f);
                        put_clipped(f, q->claim->text ? q->claim->text : "", 160);
                } else if (vq->claim->stance == STANCE_DENIES)
                        fputs(" denies it", f);
                else {
                        fputs(" says it is not so: ", f);
                        put_clipped(f, q->claim->text ? q->claim->text : "", 160);
                }
                break;
        case CONFLICT_NEGATION:
                fputs(" says the opposite: ", f);
                put_clipped(f, q->claim->text ? q->claim->text : "", 160);
                break;
        default:
                fputs(" says ", f);
                put_clipped(f, q->claim->text ? q->claim->text : "", 160);
        }
        if (wp && wq)
                fprintf(f, " (\"%s\" vs \"%s\")", wp, wq);
        else if (wq)
                fprintf(f, " (\"%s\")", wq);
        else if (wp)
                fprintf(f, " (\"%s\")", wp);

        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
