#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/wordnet.h"
#include "tap.h"

static void check_lemma(const char *word, enum wn_pos pos, const char *want) {
        char *l = NULL;
        int r = wn_lemma(word, pos, &l);
        CHECK(r == 0, "wn_lemma(%s) = %d", word, r);
        CHECK_STR(l, want);
        free(l);
}

/* The facts read per word answer as wn_synonyms() and wn_antonyms() do,
 * in both orders, for every pair of the words (all parts of speech). */
static void check_facts_agree(void) {
        static const char *const words[] = {
                "win", "lose", "eat", "accept", "reject", "increase", "decrease", "rise", "fall",
                "alive", "dead", "true", "false", "huge", "small", "large", "big", "buy", "sell",
                "purchase", "car", "automobile", "United States", "US", "qqq", "Talk", "",
        };
        size_t n = sizeof(words) / sizeof(words[0]), bad = 0, failed = 0;
        for (int pos = WN_NOUN; pos <= WN_ADV; pos++) {
                struct wn_facts f[sizeof(words) / sizeof(words[0])];
                for (size_t i = 0; i < n; i++)
                        if (wn_facts_get(words[i], (enum wn_pos) pos, true, &f[i]) != 0) {
                                f[i] = (struct wn_facts) {};
                                failed++;
                        }
                for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j < n; j++)
                                if (wn_facts_synonyms(&f[i], &f[j]) != wn_synonyms(words[i], words[j], (enum wn_pos) pos) ||
                                    wn_facts_antonyms(&f[i], &f[j]) != wn_antonyms(words[i], words[j], (enum wn_pos) pos))
                                        bad++;
                for (size_t i = 0; i < n; i++)
                        wn_facts_clear(&f[i]);
        }
        CHECK(failed == 0, "wn_facts_get reads every word (%zu failed)", failed);
        CHECK(bad == 0, "per-word facts agree with the pair questions (%zu differ)", bad);
        struct wn_facts f;
        CHECK(wn_facts_get(NULL, WN_NOUN, false, &f) == -EINVAL, "NULL lemma is -EINVAL");
        CHECK(wn_facts_get("word", (enum wn_pos) 9, false, &f) == -EINVAL, "bad part of speech is -EINVAL");
}

/* The shared table hands out one copy per word and part of speech, with
 * the answers of the per-call facts. */
static void check_facts_shared(void) {
        const struct wn_facts *a = wn_facts_shared("accept", WN_VERB, true);
        const struct wn_facts *b = wn_facts_shared("reject", WN_VERB, true);
        CHECK(a && b, "known verbs have shared facts");
        CHECK(a == wn_facts_shared("accept", WN_VERB, true), "the same word gets the same copy");
        CHECK(a != wn_facts_shared("accept", WN_VERB, false), "with and without antonyms are kept apart");
        CHECK(a != wn_facts_shared("accept", WN_NOUN, true), "parts of speech are kept apart");
        CHECK(wn_facts_antonyms(a, b) == wn_antonyms("accept", "reject", WN_VERB), "shared antonym answer as wn_antonyms");
        const struct wn_facts *c = wn_facts_shared("take", WN_VERB, true);
        CHECK(wn_facts_synonyms(a, c) == wn_synonyms("accept", "take", WN_VERB), "shared synonym answer as wn_synonyms");
        CHECK(wn_facts_shared("", WN_VERB, true) == NULL, "a word WordNet cannot spell has none");
        CHECK(wn_facts_shared(NULL, WN_VERB, true) == NULL, "NULL has none");
        CHECK(!wn_facts_synonyms(NULL, a) && !wn_facts_antonyms(a, NULL), "no facts answer false");
}

/* Many threads asking at once must get the same answers. */
static void *worker(void *arg) {
        int *bad = arg;
        for (int i = 0; i < 200; i++) {
                char *l = NULL;
                if (!wn_antonyms("win", "lose", WN_VERB) || wn_antonyms("win", "eat", WN_VERB))
                        (*bad)++;
                if (wn_lemma(i % 2 ? "countries" : "accepted", i % 2 ? WN_NOUN : WN_VERB, &l) != 0 ||
                    strcmp(l, i % 2 ? "country" : "accept") != 0)
                        (*bad)++;
                free(l);
        }
        return NULL;
}

int main(void) {
        CHECK(wn_init("/nonexistent/wordnet") == -ENOENT, "a missing database is -ENOENT");
        int r = wn_init(NULL);
        if (r < 0) {
                TAP_SKIP("the WordNet checks: no WordNet database (%s): apt-get install wordnet-base "
                         "(tests/install-deps.sh does), or point meson's -Dwordnet_dir at it", strerror(-r));
                return tap_done();
        }
        CHECK(r == 0, "default database opens");
        CHECK(wn_init(NULL) == 0, "second init is harmless");

        check_lemma("accepted", WN_VERB, "accept");
        check_lemma("countries", WN_NOUN, "country");
        check_lemma("was", WN_VERB, "be");
        check_lemma("better", WN_ADJ, "good");
        check_lemma("denied", WN_VERB, "deny");
        check_lemma("accept", WN_VERB, "accept");
        check_lemma("xyzzyq", WN_NOUN, "xyzzyq");
        check_lemma("Talks", WN_NOUN, "talk");
        char *l = NULL;
        CHECK(wn_lemma(NULL, WN_NOUN, &l) == -EINVAL, "NULL word is -EINVAL");
        CHECK(wn_lemma("word", (enum wn_pos) 9, &l) == -EINVAL, "bad part of speech is -EINVAL");

        CHECK(wn_antonyms("win", "lose", WN_VERB), "win/lose verbs are antonyms");
        CHECK(wn_antonyms("lose", "win", WN_VERB), "antonymy is symmetric");
        CHECK(wn_antonyms("accept", "reject", WN_VERB), "accept/reject verbs");
        CHECK(wn_antonyms("increase", "decrease", WN_VERB), "increase/decrease verbs");
        CHECK(wn_antonyms("increase", "decrease", WN_NOUN), "increase/decrease nouns");
        CHECK(wn_antonyms("rise", "fall", WN_VERB), "rise/fall verbs");
        CHECK(wn_antonyms("alive", "dead", WN_ADJ), "alive/dead adjectives");
        CHECK(wn_antonyms("true", "false", WN_ADJ), "true/false adjectives");
        CHECK(wn_antonyms("huge", "small", WN_ADJ), "a satellite (huge) against the head's antonym (small)");
        CHECK(!wn_antonyms("win", "eat", WN_VERB), "win/eat are not antonyms");
        CHECK(!wn_antonyms("accept", "accept", WN_VERB), "a word is not its own antonym");
        CHECK(!wn_antonyms("alive", "dead", WN_NOUN), "part of speech matters");
        CHECK(!wn_antonyms("qqq", "zzz", WN_NOUN), "unknown words");

        CHECK(wn_synonyms("buy", "purchase", WN_VERB), "buy/purchase");
        CHECK(wn_synonyms("car", "automobile", WN_NOUN), "car/automobile");
        CHECK(wn_synonyms("big", "large", WN_ADJ), "big/large");
        CHECK(!wn_synonyms("buy", "sell", WN_VERB), "buy/sell are not synonyms");
        CHECK(wn_synonyms("United States", "US", WN_NOUN), "multi-word entries");

        check_facts_agree();
        check_facts_shared();

        pthread_t t[4];
        int bad[4] = { 0 };
        for (int i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, worker, &bad[i]);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        CHECK(bad[0] + bad[1] + bad[2] + bad[3] == 0, "threads agree");
        return tap_done();
}
