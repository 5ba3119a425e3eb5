#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wordform.h"
#include "common/wordnet.h"
#include "tap.h"

static size_t held(void) {
        size_t h, i;
        word_form_count(&h, &i);
        return h;
}

static size_t idle(void) {
        size_t h, i;
        word_form_count(&h, &i);
        return i;
}

/* Two holders of one word share one form; released, it waits idle and
 * comes back with its facts to the next holder. */
static void check_sharing(void) {
        size_t before = held();
        const struct word_form *a = NULL, *b = NULL, *c = NULL;
        CHECK(word_form_acquire("accepted", "accept", &a) == 0, "acquire");
        CHECK(word_form_acquire("accepted", "accept", &b) == 0, "acquire again");
        CHECK(a && a == b, "one form for one word");
        CHECK_STR(a->fold, "accepted");
        CHECK_STR(a->stem, "accept");
        CHECK(a->stem_hash == wn_hash("accept"), "stem hash");
        CHECK(word_form_acquire("accepted", NULL, &c) == 0 && c != a, "another stem is another form");
        CHECK_STR(c->stem, "accepted");
        CHECK(held() == before + 2, "two forms held");
        const struct word_form_facts *x = word_form_facts(a);
        word_form_release(a);
        CHECK(held() == before + 2, "still held by its second holder");
        size_t idle_before = idle();
        word_form_release(b);
        word_form_release(c);
        CHECK(held() == before, "released by the last holder");
        CHECK(idle() == idle_before + 2, "waiting idle");
        const struct word_form *again = NULL;
        CHECK(word_form_acquire("accepted", "accept", &again) == 0 && again == a, "the idle form comes back");
        CHECK(word_form_facts(again) == x, "with its facts");
        CHECK(idle() == idle_before + 1, "no longer idle");
        word_form_release(again);
        word_form_release(NULL);
}

/* The idle forms are bounded: the least recently released go first. */
static void check_idle_bound(void) {
        size_t n = WORD_FORM_IDLE_MAX + 100, before = held();
        const struct word_form **f = calloc(n, sizeof(*f));
        bool ok = f != NULL;
        for (size_t i = 0; ok && i < n; i++) {
                char w[32];
                snprintf(w, sizeof(w), "idleword%zu", i);
                ok = word_form_acquire(w, w, &f[i]) == 0;
        }
        CHECK(ok, "acquire %zu forms", n);
        CHECK(held() == before + n, "all held");
        for (size_t i = 0; ok && i < n; i++)
                word_form_release(f[i]);
        CHECK(held() == before, "all released");
        CHECK(idle() == WORD_FORM_IDLE_MAX, "idle forms bounded: %zu", idle());
        free(f);
}

/* The facts: lemmas from WordNet, forms listed once, the "-ly" mark. */
static void check_facts(void) {
        const struct word_form *f = NULL, *g = NULL;
        CHECK(word_form_acquire("rejected", "reject", &f) == 0, "acquire");
        const struct word_form_facts *x = word_form_facts(f);
        CHECK(x != NULL, "facts");
        if (x) {
                CHECK_STR(x->lemma[0], "reject");
                CHECK(x->wn_verb != NULL, "WordNet verb facts");
                CHECK(x->n_forms == 2, "fold and stem (= verb lemma) once each: %zu", x->n_forms);
                CHECK(word_form_facts(f) == x, "looked up once");
        }
        CHECK(word_form_acquire("quickly", "quick", &g) == 0 && g->ly, "an -ly adverb");
        CHECK(!f->ly, "no -ly");
        word_form_release(f);
        word_form_release(g);
}

/* Threads acquiring, asking and releasing the same words all at once. */
static void *churn(void *arg) {
        static const char *const words[] = { "won", "lost", "rose", "fell", "alive", "dead" };
        (void) arg;
        for (int round = 0; round < 2000; round++) {
                const struct word_form *f = NULL;
                const char *w = words[round % 6];
                if (word_form_acquire(w, w, &f) < 0)
                        return (void *) 1;
                if (strcmp(f->fold, w) != 0 || !word_form_facts(f))
                        return (void *) 1;
                word_form_release(f);
        }
        return NULL;
}

static void check_threads(void) {
        size_t before = held();
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, churn, NULL);
        bool ok = true;
        for (int i = 0; i < 4; i++) {
                void *r;
                pthread_join(t[i], &r);
                ok = ok && r == NULL;
        }
        CHECK(ok, "four threads share the table");
        CHECK(held() == before, "every form released");
}

int main(void) {
        int r = wn_init(NULL);
        if (r < 0) {
                printf("1..0 # SKIP no WordNet database (%s): apt-get install wordnet-base "
                       "(tests/install-deps.sh does), or point meson's -Dwordnet_dir at it\n", strerror(-r));
                return 77;
        }
        check_sharing();
        check_facts();
        check_threads();
        check_idle_bound();
        return tap_done();
}
