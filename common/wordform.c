/* The shared table of word forms (wordform.h): chained hash buckets under
 * one mutex, grown by doubling, and a list of the idle forms (no holder) in
 * the order they were released.  Only acquire and release take the lock;
 * the facts are published once with a compare-and-swap, so the pair
 * questions of the conflict checks read them without locking. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lexicon.h"
#include "wordform.h"

#define INITIAL_BUCKETS 4096

static struct word_form **buckets;
static size_t n_buckets, n_forms, n_idle;
static struct word_form *idle_head, *idle_tail; /* most recently released first */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes f out of the idle list (lock held). */
static void idle_unlink_locked(struct word_form *f) {
        if (f->idle_prev)
                f->idle_prev->idle_next = f->idle_next;
        else
                idle_head = f->idle_next;
        if (f->idle_next)
                f->idle_next->idle_prev = f->idle_prev;
        else
                idle_tail = f->idle_prev;
        f->idle_prev = f->idle_next = NULL;
        n_idle--;
}

static size_t bucket_of(uint64_t h, size_t n) {
        return (size_t) (h ^ (h >> 29)) & (n - 1);
}

/* Doubles the bucket array (lock held).  Returns 0 or -ENOMEM; the table
 * keeps working at its old size when memory runs out. */
static int grow_locked(void) {
        size_t nn = n_buckets ? n_buckets * 2 : INITIAL_BUCKETS;
        struct word_form **nb = calloc(nn, sizeof(*nb));
        if (!nb)
                return -ENOMEM;
        for (size_t i = 0; i < n_buckets; i++)
                for (struct word_form *f = buckets[i], *next; f; f = next) {
                        next = f->next;
                        size_t b = bucket_of(f->fold_hash, nn);
                        f->next = nb[b];
                        nb[b] = f;
                }
        free(buckets);
        buckets = nb;
        n_buckets = nn;
        return 0;
}

int word_form_acquire(const char *fold, const char *stem, const struct word_form **ret) {
        if (!stem)
                stem = fold;
        size_t fn = strlen(fold);
        uint64_t h = hash_fnv1a64(fold, fn);    /* wn_hash(fold) */

        pthread_mutex_lock(&lock);
        if (n_buckets) {
                for (struct word_form *f = buckets[bucket_of(h, n_buckets)]; f; f = f->next)
                        if (f->fold_hash == h && strcmp(f->fold, fold) == 0 && strcmp(f->stem, stem) == 0) {
                                if (f->refs++ == 0)
                                        idle_unlink_locked(f);
                                pthread_mutex_unlock(&lock);
                                *ret = f;
                                return 0;
                        }
        }
        if (n_forms + 1 > n_buckets * 2 && grow_locked() < 0 && n_buckets == 0) {
                pthread_mutex_unlock(&lock);
                return -ENOMEM;
        }
        /* the strings live in the same allocation as the form */
        size_t sn = strlen(stem);
        struct word_form *f = calloc(1, sizeof(*f) + fn + 1 + sn + 1);
        if (!f) {
                pthread_mutex_unlock(&lock);
                return -ENOMEM;
        }
        char *p = (char *) (f + 1);
        memcpy(p, fold, fn + 1);
        f->fold = p;
        memcpy(p + fn + 1, stem, sn + 1);
        f->stem = p + fn + 1;
        f->stem_hash = wn_hash(f->stem);
        f->fold_hash = h;
        f->ly = fn >= 5 && strcmp(fold + fn - 2, "ly") == 0;
        atomic_init(&f->facts, NULL);
        f->refs = 1;
        size_t b = bucket_of(h, n_buckets);
        f->next = buckets[b];
        buckets[b] = f;
        n_forms++;
        pthread_mutex_unlock(&lock);
        *ret = f;
        return 0;
}

static void facts_free(struct word_form_facts *x) {
        if (!x)
                return;
        for (size_t k = 0; k < WORD_FORM_LEMMAS; k++)
                free(x->lemma[k]);
        free(x);
}

void word_form_release(const struct word_form *cf) {
        struct word_form *f = (struct word_form *) cf, *victim = NULL;
        if (!f)
                return;
        pthread_mutex_lock(&lock);
        if (--f->refs > 0) {
                pthread_mutex_unlock(&lock);
                return;
        }
        f->idle_prev = NULL;
        f->idle_next = idle_head;
        if (idle_head)
                idle_head->idle_prev = f;
        else
                idle_tail = f;
        idle_head = f;
        n_idle++;
        if (n_idle > WORD_FORM_IDLE_MAX) {
                victim = idle_tail;
                idle_unlink_locked(victim);
                struct word_form **pp = &buckets[bucket_of(wn_hash(victim->fold), n_buckets)];
                while (*pp && *pp != victim)
                        pp = &(*pp)->next;
                if (*pp)
                        *pp = victim->next;
                n_forms--;
        }
        pthread_mutex_unlock(&lock);
        if (victim) {
                facts_free(atomic_load(&victim->facts));
                free(victim);
        }
}

/* Looks up what the facts hold.  Returns them (malloc'ed), or NULL on
 * ENOMEM.  A lemma WordNet cannot give is left out. */
static struct word_form_facts *facts_new(const struct word_form *f) {
        static const enum wn_pos pos[WORD_FORM_LEMMAS] = { WN_VERB, WN_ADJ, WN_NOUN };
        struct word_form_facts *x = calloc(1, sizeof(*x));
        if (!x)
                return NULL;
        for (size_t k = 0; k < WORD_FORM_LEMMAS; k++) {
                char *l = NULL;
                if (wn_lemma(f->fold, pos[k], &l) >= 0) {
                        x->lemma[k] = l;
                        x->lemma_hash[k] = wn_hash(l);
                }
        }

        size_t n = 0;
        x->forms[n++] = f->fold;
        if (strcmp(f->stem, f->fold) != 0)
                x->forms[n++] = f->stem;
        for (size_t k = 0; k < WORD_FORM_LEMMAS; k++)
                if (x->lemma[k]) {
                        bool seen = false;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = strcmp(x->forms[i], x->lemma[k]) == 0;
                        if (!seen)
                                x->forms[n++] = x->lemma[k];
                }
        x->n_forms = n;
        for (size_t i = 0; i < n; i++)
                if (lexicon_starts_phrase(LEXICON_ANTONYMS, x->forms[i]))
                        x->forms_head |= 1u << i;

        if (x->lemma[0]) {
                x->weak_head = lexicon_starts_phrase(LEXICON_WEAK_ANTONYMS, x->lemma[0]);
                x->wn_verb = wn_facts_shared(x->lemma[0], WN_VERB, true);
        }
        if (x->lemma[2])
                x->wn_noun = wn_facts_shared(x->lemma[2], WN_NOUN, false);
        return x;
}

const struct word_form_facts *word_form_facts(const struct word_form *cf) {
        struct word_form *f = (struct word_form *) cf;
        struct word_form_facts *x = atomic_load(&f->facts);
        if (x)
                return x;
        /* looked up outside any lock: two threads may both look, the first
         * to publish wins and the other frees its copy */
        struct word_form_facts *nx = facts_new(f), *expected = NULL;
        if (!nx)
                return NULL;
        if (atomic_compare_exchange_strong(&f->facts, &expected, nx))
                return nx;
        facts_free(nx);
        return expected;
}

void word_form_count(size_t *ret_held, size_t *ret_idle) {
        pthread_mutex_lock(&lock);
        *ret_held = n_forms - n_idle;
        *ret_idle = n_idle;
        pthread_mutex_unlock(&lock);
}
