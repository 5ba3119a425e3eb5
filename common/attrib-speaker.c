/* Speakers resolved within the text: "Lavrov" and "Mr. Lavrov" take the
 * longest earlier capitalised mention ending in the same name, "he"/"she"
 * the nearest person speaker before, "the official" an earlier "a senior
 * ... official", each from an index of the earlier speakers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attrib-internal.h"
#include "budget.h"
#include "hash.h"

/* ---- speaker resolution ---- */

static char *dup_range(const char *text, int32_t s, int32_t e) {
        char *r = malloc((size_t) (e - s) + 1);
        if (!r)
                return NULL;
        /* collapse white space runs (names broken over lines) */
        size_t n = 0;
        for (int32_t k = s; k < e; k++) {
                char ch = text[k];
                if (ch == '\n' || ch == '\t' || ch == '\r')
                        ch = ' ';
                if (ch == ' ' && n > 0 && r[n - 1] == ' ')
                        continue;
                r[n++] = ch;
        }
        r[n] = 0;
        return r;
}

/* Mentions of up to this many tokens are looked up among earlier, longer ones. */
#define SHORT_MENTION 3
#define NONE SIZE_MAX

/* What an earlier speaker can stand for when a pronoun is resolved: a
 * pronoun resolved to a name (of a person, or of a group), or a mention,
 * proper or not, whose resolved name starts with "Mr. " or "Mrs. "/"Ms. "
 * or neither. */
enum speaker_class {
        SPEAKER_NONE,           /* no speaker, or a pronoun left unresolved */
        SPEAKER_PRONOUN_PERSON,
        SPEAKER_PRONOUN_OTHER,
        SPEAKER_PROPER_MR,
        SPEAKER_PROPER_MS,
        SPEAKER_PROPER,
        SPEAKER_COMMON_MR,
        SPEAKER_COMMON_MS,
        SPEAKER_COMMON,
        _SPEAKER_CLASS_MAX,
};

/* A capitalised run of tokens [begin, last] ending in a possible surname, and
 * per word-count threshold t the longest run with more than t words among
 * the same word's runs up to this one (earliest on ties). */
struct name_run {
        size_t begin, last;
        size_t best[SHORT_MENTION + 1];
};

/* The indexes of the earlier speakers that resolution looks up, built as the
 * attributions are resolved in order, so that each look-up is O(1) or
 * O(log n) instead of a walk over every earlier attribution or token.  The
 * words looked up are numbered by their fold: the capitalised tokens that
 * may end a name, and the last words of the attributions' names. */
struct speaker_index {
        size_t latest[_SPEAKER_CLASS_MAX];      /* the last attribution of each class */
        uint32_t *slots;        /* open addressing over folds: a token of that fold + 1, 0 empty */
        uint32_t *slot_id;      /* per slot: the fold's number */
        size_t mask, n_ids, n_run_ids;          /* numbers below n_run_ids have name runs */
        uint32_t (*first_longer)[SHORT_MENTION];        /* per number of a proper name's last word:
                                                         * 1 + the first attribution with more
                                                         * than l + 1 words, 0 none */
        uint32_t (*latest_longer)[SHORT_MENTION];       /* per number of a name's last token: 1 + the
                                                         * last attribution with more than l + 1
                                                         * tokens, 0 none */
        size_t *run_at;         /* per run number: where its runs begin in runs (n_run_ids + 1) */
        struct name_run *runs;  /* grouped by number, in text order; made when first asked */
        bool *runs_made;
};

/* The number of token i's fold, or (absent) NONE; with add, absent folds get
 * the next number. */
static size_t fold_number(const struct ctx *c, struct speaker_index *x, size_t i, bool add) {
        const char *f = fold(c, i);
        size_t h = hash_fnv1a32(f, strlen(f)) & x->mask;
        while (x->slots[h] && strcmp(fold(c, x->slots[h] - 1), f) != 0)
                h = (h + 1) & x->mask;
        if (x->slots[h])
                return x->slot_id[h];
        if (!add)
                return NONE;
        x->slots[h] = (uint32_t) i + 1;
        x->slot_id[h] = (uint32_t) x->n_ids;
        return x->n_ids++;
}

/* True when capitalised token k may end a name: no capitalised word that is
 * not a stop word follows ("Lavrov Foundation"). */
static bool name_end(const struct ctx *c, size_t k) {
        return is_cap(c, k) && !(k + 1 < c->st->n_tokens && is_cap(c, k + 1) && !in_lex(c, k + 1, LEXICON_STOPWORDS));
}

/* Makes the index: the numbers of the tokens that may end a name, each
 * number's tokens grouped (run_at, runs[].last).  Returns 0 or -ENOMEM. */
static int speaker_index_make(const struct ctx *c, struct speaker_index *x) {
        size_t n = c->st->n_tokens, n_ends = 0, size = 16;
        size_t *ends = malloc((n + 1) * sizeof(*ends));         /* the tokens that may end a name, then their numbers */
        *x = (struct speaker_index) {};
        if (!ends)
                return -ENOMEM;
        for (size_t k = 0; k < _SPEAKER_CLASS_MAX; k++)
                x->latest[k] = NONE;
        for (size_t k = 0; k < n; k++)
                if (name_end(c, k))
                        ends[n_ends++] = k;
        size_t max_ids = n_ends + 2 * c->n + 1;         /* an attribution adds two words at most */
        while (size < 2 * max_ids)
                size *= 2;
        x->mask = size - 1;
        x->slots = calloc(size, sizeof(*x->slots));
        x->slot_id = malloc(size * sizeof(*x->slot_id));
        x->first_longer = calloc(max_ids, sizeof(*x->first_longer));
        x->latest_longer = calloc(max_ids, sizeof(*x->latest_longer));
        x->run_at = calloc(max_ids + 1, sizeof(*x->run_at));
        x->runs = malloc((n_ends + 1) * sizeof(*x->runs));
        if (!x->slots || !x->slot_id || !x->first_longer || !x->latest_longer || !x->run_at || !x->runs) {
                free(ends);
                return -ENOMEM;
        }
        for (size_t e = 0; e < n_ends; e++) {
                size_t k = ends[e];
                ends[e] = fold_number(c, x, k, true);
                x->run_at[ends[e] + 1]++;
                x->runs[e].last = k;    /* in text order for now */
        }
        x->n_run_ids = x->n_ids;
        for (size_t id = 0; id < x->n_run_ids; id++)
                x->run_at[id + 1] += x->run_at[id];
        /* group the runs by number, each group in text order */
        x->runs_made = calloc(x->n_run_ids + 1, sizeof(*x->runs_made));
        size_t *fill = malloc((x->n_run_ids + 1) * sizeof(*fill));
        struct name_run *grouped = malloc((n_ends + 1) * sizeof(*grouped));
        if (!x->runs_made || !fill || !grouped) {
                free(grouped);
                free(fill);
                free(ends);
                return -ENOMEM;
        }
        memcpy(fill, x->run_at, x->n_run_ids * sizeof(*fill));
        for (size_t e = 0; e < n_ends; e++)
                grouped[fill[ends[e]]++].last = x->runs[e].last;
        free(x->runs);
        x->runs = grouped;
        free(fill);
        free(ends);
        return 0;
}

static void speaker_index_free(struct speaker_index *x) {
        free(x->slots);
        free(x->slot_id);
        free(x->first_longer);
        free(x->latest_longer);
        free(x->run_at);
        free(x->runs);
        free(x->runs_made);
}

/* Fills the runs of number id: for each of its tokens k, the run of
 * capitalised words, periods and "of" that ends in k within its sentence,
 * and the longest runs so far per word threshold. */
static void name_runs_make(const struct ctx *c, struct speaker_index *x, size_t id) {
        for (size_t r = x->run_at[id]; r < x->run_at[id + 1]; r++) {
                struct name_run *run = &x->runs[r];
                size_t k = run->last, s = k;
                while (s > 0 && (is_cap(c, s - 1) || text_is(c, s - 1, ".") ||
                                 (fold_is(c, s - 1, "of") && s >= 2 && is_cap(c, s - 2))) &&
                       tk(c, s - 1)->sentence == tk(c, k)->sentence && k - s < 6 &&
                       !(is_cap(c, s - 1) && in_lex(c, s - 1, LEXICON_STOPWORDS) && s - 1 == sent_begin(c, k)))
                        s--;
                while (s < k && !is_word(c, s))
                        s++;
                size_t words = 0;
                for (size_t t = s; t <= k; t++)
                        words += is_word(c, t);
                run->begin = s;
                for (size_t t = 0; t <= SHORT_MENTION; t++) {
                        size_t prev = r > x->run_at[id] ? x->runs[r - 1].best[t] : NONE;
                        bool longer = prev == NONE || k + 1 - s > x->runs[prev].last + 1 - x->runs[prev].begin;
                        run->best[t] = words > t && longer ? r : prev;
                }
        }
        x->runs_made[id] = true;
}

static enum speaker_class speaker_class_of(const struct ctx *c, size_t k) {
        const struct work *pw = &c->work[k];
        const char *speaker = c->out[k].speaker;
        if (!speaker || pw->name_b >= pw->name_e)
                return SPEAKER_NONE;
        const char *kind = pronoun_kind(c, pw->name_b);
        if (kind && pw->name_e - pw->name_b == 1) {
                if (strcasecmp(speaker, fold(c, pw->name_b)) == 0)
                        return SPEAKER_NONE;    /* left unresolved */
                return kind[0] == 'p' ? SPEAKER_PRONOUN_PERSON : SPEAKER_PRONOUN_OTHER;
        }
        bool mr = strncmp(speaker, "Mr. ", 4) == 0;
        bool ms = strncmp(speaker, "Mrs. ", 5) == 0 || strncmp(speaker, "Ms. ", 4) == 0;
        if (attrib_proper_last(c, pw->name_b, pw->name_e))
                return mr ? SPEAKER_PROPER_MR : ms ? SPEAKER_PROPER_MS : SPEAKER_PROPER;
        return mr ? SPEAKER_COMMON_MR : ms ? SPEAKER_COMMON_MS : SPEAKER_COMMON;
}

/* True when pronoun token b, of kind 'p' (a person) or 'g' (a group), may
 * stand for an earlier speaker of class k: a resolved pronoun of its kind;
 * for a person a proper name ("Mr." is no "she", "Mrs." and "Ms." no "he");
 * for a group no proper name, unless the pronoun is "it". */
static bool pronoun_takes(const struct ctx *c, size_t b, char kind, enum speaker_class k) {
        bool proper = k == SPEAKER_PROPER_MR || k == SPEAKER_PROPER_MS || k == SPEAKER_PROPER;
        switch (k) {
        case SPEAKER_NONE:
        case _SPEAKER_CLASS_MAX:
                return false;
        case SPEAKER_PRONOUN_PERSON:
                return kind == 'p';
        case SPEAKER_PRONOUN_OTHER:
                return kind != 'p';
        default:
                break;
        }
        if (fold_is(c, b, "she") && (k == SPEAKER_PROPER_MR || k == SPEAKER_COMMON_MR))
                return false;
        if (fold_is(c, b, "he") && (k == SPEAKER_PROPER_MS || k == SPEAKER_COMMON_MS))
                return false;
        if (kind == 'p')
                return proper;
        return !proper || fold_is(c, b, "it");
}

/* Notes attribution k, whose speaker is resolved, in the index. */
static void speaker_index_add(const struct ctx *c, struct speaker_index *x, size_t k) {
        const struct work *pw = &c->work[k];
        enum speaker_class cls = speaker_class_of(c, k);
        if (cls != SPEAKER_NONE)
                x->latest[cls] = k;
        if (pw->name_b >= pw->name_e || !c->out[k].speaker)
                return;
        size_t len = pw->name_e - pw->name_b;
        uint32_t *latest = x->latest_longer[fold_number(c, x, pw->name_e - 1, true)];
        for (size_t l = 0; l < SHORT_MENTION && l + 1 < len; l++)
                latest[l] = (uint32_t) k + 1;
        /* a proper name without a conjunction: "Sergey Lavrov", not "Trump and Pence" */
        size_t pe = pw->name_e;
        while (pe > pw->name_b && !is_word(c, pe - 1))
                pe--;
        bool conj = false;
        for (size_t t = pw->name_b; t < pe; t++)
                conj |= fold_is(c, t, "and") || fold_is(c, t, "&") || is_comma(c, t);
        if (conj || pe == pw->name_b || !attrib_proper_last(c, pw->name_b, pe))
                return;
        uint32_t *first = x->first_longer[fold_number(c, x, pe - 1, true)];
        for (size_t l = 0; l < SHORT_MENTION && l + 1 < pe - pw->name_b; l++)
                if (!first[l])
                        first[l] = (uint32_t) k + 1;
}

/* The longest capitalised run before token b that ends with the same word as
 * the mention [b, e) and has more words than the mention (determiners
 * aside): "Sergey Lavrov" for a later "Lavrov".  Returns the run as
 * [*rb, *re) or false. */
static bool earlier_full_name(const struct ctx *c, struct speaker_index *x, size_t b, size_t e,
                              size_t *rb, size_t *re) {
        size_t nwords = 0;
        for (size_t k = b; k < e; k++)
                if (is_word(c, k) && !in_lex(c, k, LEXICON_DETERMINERS))
                        nwords++;
        size_t id = fold_number(c, x, e - 1, false);
        if (nwords > SHORT_MENTION || id == NONE || id >= x->n_run_ids)
                return false;   /* (no caller asks with a longer mention) */
        if (!x->runs_made[id])
                name_runs_make(c, x, id);
        size_t lo = x->run_at[id], hi = x->run_at[id + 1], first = lo;
        while (lo < hi) {       /* the runs ending before b: [first, lo) */
                size_t mid = lo + (hi - lo) / 2;
                if (x->runs[mid].last < b)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == first || x->runs[lo - 1].best[nwords] == NONE)
                return false;
        const struct name_run *run = &x->runs[x->runs[lo - 1].best[nwords]];
        *rb = run->begin;
        *re = run->last + 1;
        return true;
}

/* The speaker a pronoun of kind 'p' or 'g' at token b stands for: the
 * nearest earlier speaker of a class it takes; NULL when there is none. */
static const char *pronoun_speaker(const struct ctx *c, const struct speaker_index *x, size_t b, char kind) {
        size_t best = NONE;
        for (int k = 0; k < _SPEAKER_CLASS_MAX; k++)
                if (x->latest[k] != NONE && (best == NONE || x->latest[k] > best) && pronoun_takes(c, b, kind, k))
                        best = x->latest[k];
        return best == NONE ? NULL : c->out[best].speaker;
}

/* An earlier attribution of x's table (1 + its number, 0 none) for the
 * last word of the mention [b, e): its speaker, or NULL. */
static const char *longer_speaker(const struct ctx *c, struct speaker_index *x, uint32_t (*table)[SHORT_MENTION],
                                  size_t b, size_t e) {
        size_t id = fold_number(c, x, e - 1, false);
        uint32_t k = id == NONE ? 0 : table[id][e - b - 1];
        return k ? c->out[k - 1].speaker : NULL;
}

/* The resolved speaker of a name that is tokens [b, e) (trimmed): a new
 * string, or NULL on ENOMEM. */
static char *speaker_of(const struct ctx *c, struct speaker_index *x, size_t b, size_t e) {
        const char *text = c->st->text, *s;
        const char *pk = e - b == 1 ? pronoun_kind(c, b) : NULL;
        size_t fb, fe;

        if (pk && (pk[0] == 'p' || pk[0] == 'g')) {
                s = pronoun_speaker(c, x, b, pk[0]);
                return s ? strdup(s) : dup_range(text, tk(c, b)->start, tk(c, e - 1)->end);
        }
        if (attrib_proper_last(c, b, e) && e - b <= SHORT_MENTION) {
                /* an earlier speaker with the same surname and more words */
                if ((s = longer_speaker(c, x, x->first_longer, b, e)))
                        return strdup(s);
                if (earlier_full_name(c, x, b, e, &fb, &fe))
                        return dup_range(text, tk(c, fb)->start, tk(c, fe - 1)->end);
        }
        if (fold_is(c, b, "the") && e - b <= SHORT_MENTION && !attrib_proper_last(c, b, e)) {
                /* "the official" -> an earlier "a senior administration official" */
                if ((s = longer_speaker(c, x, x->latest_longer, b, e)))
                        return strdup(s);
        }
        return dup_range(text, tk(c, b)->start, tk(c, e - 1)->end);
}

/* Fills each attribution's speaker string, resolving names, pronouns and
 * "the official" within the article.  Returns 0, -ENOMEM, or the budget's
 * error (budget.h). */
int attrib_resolve_speakers(struct ctx *c) {
        struct speaker_index x;
        int r = speaker_index_make(c, &x);
        for (size_t i = 0; r == 0 && i < c->n; i++) {
                if (i % 256 == 0 && (r = work_budget_check()) < 0)
                        break;
                const struct work *w = &c->work[i];
                size_t b = w->name_b, e = w->name_e;
                while (e > b && !is_word(c, e - 1))
                        e--;
                if (b < e) {
                        c->out[i].speaker = speaker_of(c, &x, b, e);
                        if (!c->out[i].speaker)
                                r = -ENOMEM;
                }
                speaker_index_add(c, &x, i);
        }
        speaker_index_free(&x);
        return r;
}
