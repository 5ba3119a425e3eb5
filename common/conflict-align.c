#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conflict-internal.h"
#include "lexicon.h"
#include "wordform.h"
#include "wordnet.h"

/* True when the pair list id holds "x y". */
static bool listed_ordered(enum lexicon_id id, const char *x, const char *y) {
        char buf[256];
        return snprintf(buf, sizeof(buf), "%s %s", x, y) < (int) sizeof(buf) && lexicon_contains(id, buf);
}

/* The forms w may be listed under: its meaning with its particle
 * ("voted against": "reject") when it has one, then the forms of its shared
 * word (fold, stem, lemmas).  Fills forms and *ret_head (bit i: forms[i]
 * may begin an entry of antonyms.txt) and returns how many there are. */
static size_t word_forms(const struct cword *w, const struct word_form_facts *x, const char **forms,
                         unsigned *ret_head) {
        size_t n = 0;
        unsigned head = 0;
        if (w->alias) {
                forms[n] = w->alias;
                if (lexicon_starts_phrase(LEXICON_ANTONYMS, w->alias))
                        head |= 1u;
                n++;
        }
        for (size_t i = 0; i < x->n_forms; i++, n++) {
                forms[n] = x->forms[i];
                if ((x->forms_head >> i) & 1)
                        head |= 1u << n;
        }
        *ret_head = head;
        return n;
}

/* Returns 2 when a and b are antonyms by the curated list, 1 by WordNet
 * verbs (but not the weak pairs of weak-antonyms.txt: buy/sell, sit/stand), 0 otherwise.  WordNet's adjective antonyms (black/white, old/young,
 * big/small) mostly describe different things in news rather than clash
 * about one, and its noun antonyms are roles: the curated list holds the
 * adjectives that do clash (alive/dead, guilty/innocent). */
int conflict_words_antonyms(const struct cword *a, const struct cword *b) {
        const struct word_form_facts *fa = word_form_facts(a->form), *fb = word_form_facts(b->form);
        if (!fa || !fb)
                return 0;
        const char *af[WORD_FORM_MAX_FORMS + 1], *bf[WORD_FORM_MAX_FORMS + 1];
        unsigned ah, bh;
        size_t na = word_forms(a, fa, af, &ah), nb = word_forms(b, fb, bf, &bh);
        for (size_t i = 0; i < na; i++)
                for (size_t j = 0; j < nb; j++)
                        if (((ah >> i) & 1 && listed_ordered(LEXICON_ANTONYMS, af[i], bf[j])) ||
                            ((bh >> j) & 1 && listed_ordered(LEXICON_ANTONYMS, bf[j], af[i])))
                                return 2;
        if (fa->lemma[0] && fb->lemma[0] && wn_facts_antonyms(fa->wn_verb, fb->wn_verb) &&
            !(fa->weak_head && listed_ordered(LEXICON_WEAK_ANTONYMS, fa->lemma[0], fb->lemma[0])) &&
            !(fb->weak_head && listed_ordered(LEXICON_WEAK_ANTONYMS, fb->lemma[0], fa->lemma[0])))
                return 1;
        return 0;
}

/* Are lemma k of a and of b the same (both known)? */
static bool same_lemma(const struct word_form_facts *a, const struct word_form_facts *b, size_t k) {
        return a->lemma[k] && b->lemma[k] && a->lemma_hash[k] == b->lemma_hash[k] &&
                strcmp(a->lemma[k], b->lemma[k]) == 0;
}

/* True when WordNet puts the two words in one synset (as verbs or nouns). */
static bool words_synonyms(const struct cword *a, const struct cword *b) {
        const struct word_form_facts *fa = word_form_facts(a->form), *fb = word_form_facts(b->form);
        if (!fa || !fb)
                return false;
        if (same_lemma(fa, fb, 0) || same_lemma(fa, fb, 2))
                return true;
        if (fa->lemma[0] && fb->lemma[0] && wn_facts_synonyms(fa->wn_verb, fb->wn_verb))
                return true;
        if (fa->lemma[2] && fb->lemma[2] && wn_facts_synonyms(fa->wn_noun, fb->wn_noun))
                return true;
        return false;
}

/* Whether some subject word of a copula in v aligns with the other claim. */
bool conflict_subject_shared(const struct conflict_view *v) {
        for (size_t i = 0; i < v->n_words; i++)
                if (v->words[i].subject && v->words[i].shared)
                        return true;
        return false;
}

/* How much of two claims of na and nb content words is the same when shared
 * of them align: mostly coverage of the shorter one (a hypothesis is covered
 * by the longer text), partly coverage of the longer one. */
double conflict_overlap_of(size_t shared, size_t na, size_t nb) {
        size_t lo = na < nb ? na : nb, hi = na < nb ? nb : na;
        if (lo == 0)
                return 0.0;
        double cov_short = (double) shared / (double) lo, cov_long = (double) shared / (double) hi;
        if (cov_short > 1)
                cov_short = 1;
        if (cov_long > 1)
                cov_long = 1;
        return cov_short * (0.75 + 0.25 * cov_long);
}

/* True when adv is the adverb of the adjective adj by English's regular
 * suffixes ("quickly"/"quick", "easily"/"easy", "probably"/"probable",
 * "basically"/"basic"): the stemmer keeps those apart, yet "not easy" and
 * "easily" say opposite things of one matter. */
static bool adverb_of(const char *adv, const char *adj) {
        /* every form below shares at least the first two letters (conflict_align()
         * asks about most pairs of words, and most differ there) */
        if (adv[0] != adj[0] || !adv[0] || adv[1] != adj[1])
                return false;
        size_t n = strlen(adv), m = strlen(adj);
        if (n < 5 || m < 3 || strcmp(adv + n - 2, "ly") != 0)
                return false;
        size_t base = n - 2;    /* "quick|ly" */
        if (base == m && strncmp(adv, adj, m) == 0)
                return true;
        /* "eas|ily" / "eas|y" */
        if (adv[base - 1] == 'i' && adj[m - 1] == 'y' && base == m && strncmp(adv, adj, m - 1) == 0)
                return true;
        /* "probab|ly" / "probab|le", "simp|ly" / "simp|le" */
        if (adv[base - 1] != 'e' && m == base + 2 && strcmp(adj + m - 2, "le") == 0 && strncmp(adv, adj, base) == 0)
                return true;
        /* "basic|ally" / "basic" */
        if (base > 4 && strcmp(adv + n - 4, "ally") == 0 && m == n - 4 && strncmp(adv, adj, m) == 0)
                return true;
        return false;
}

/* Clears what the last check marked on v's words: only content words are
 * marked shared, and opposite too unless a copular predicate was. */
static void view_clear_marks(struct conflict_view *v) {
        if (v->marked_predicate) {
                for (size_t i = 0; i < v->n_words; i++)
                        v->words[i].shared = v->words[i].opposite = false;
                v->marked_predicate = false;
                return;
        }
        for (size_t k = 0; k < v->n_content; k++) {
                struct cword *w = &v->words[v->content_at[k]];
                w->shared = w->opposite = false;
        }
}

/* Marks the content words of a and b that align (same stem, or WordNet
 * synonyms when with_synonyms) and measures how much of the two claims is
 * the same: mostly coverage of the shorter one (a hypothesis is covered by
 * the longer text), partly coverage of the longer one. */
void conflict_align(struct conflict_view *a, struct conflict_view *b, bool with_synonyms, struct alignment *ret) {
        struct alignment al = {0};
        view_clear_marks(a);
        view_clear_marks(b);

        for (size_t ia = 0; ia < a->n_content; ia++) {
                struct cword *x = &a->words[a->content_at[ia]];
                /* no content word of b has x's stem, and neither is an adverb
                 * of the other: nothing to compare; x no adverb: only b's
                 * adverbs may be x's */
                if (!((b->stem_bits >> (x->stem_hash & 63)) & 1) && !x->ly) {
                        if (b->n_ly == 0)
                                continue;
                        if (b->n_ly <= VIEW_LY_WORDS) {
                                for (size_t k = 0; k < b->n_ly; k++) {
                                        struct cword *y = &b->words[b->ly_words[k]];
                                        if (!y->shared && adverb_of(y->fold, x->fold)) {
                                                x->shared = y->shared = true;
                                                break;
                                        }
                                }
                                continue;
                        }
                }
                for (size_t jb = 0; jb < b->n_content; jb++) {
                        struct cword *y = &b->words[b->content_at[jb]];
                        if (y->shared)
                                continue;
                        if ((x->stem_hash == y->stem_hash && strcmp(x->stem, y->stem) == 0) ||
                            (x->ly && adverb_of(x->fold, y->fold)) || (y->ly && adverb_of(y->fold, x->fold))) {
                                x->shared = y->shared = true;
                                break;
                        }
                }
        }
        if (with_synonyms)
                for (size_t ia = 0; ia < a->n_content; ia++) {
                        struct cword *x = &a->words[a->content_at[ia]];
                        if (x->shared || x->entity)
                                continue;
                        for (size_t jb = 0; jb < b->n_content; jb++) {
                                struct cword *y = &b->words[b->content_at[jb]];
                                if (y->shared || y->entity)
                                        continue;
                                if (words_synonyms(x, y)) {
                                        x->shared = y->shared = true;
                                        break;
                                }
                        }
                }

        for (size_t ia = 0; ia < a->n_content; ia++) {
                const struct cword *x = &a->words[a->content_at[ia]];
                if (x->shared) {
                        al.shared++;
                        if (!x->entity)
                                al.shared_plain++;
                }
        }

        al.overlap = conflict_overlap_of(al.shared, a->n_content, b->n_content);
        /* An article's verdict holds the whole story it refutes (its lead):
         * a claim that story covers is the same thing, however much more
         * the lead tells. */
        if ((a->verdict && a->n_content >= b->n_content) || (b->verdict && b->n_content >= a->n_content)) {
                size_t lo = a->n_content < b->n_content ? a->n_content : b->n_content;
                al.overlap = lo ? (double) (al.shared < lo ? al.shared : lo) / (double) lo : 0.0;
        }
        *ret = al;
}

/* Do both claims name people or organisations (or names of unknown kind),
 * none of them shared?  Then they are most likely about different things
 * however many words they share.  Places are left out: "Managua" and
 * "Nicaragua" name one scene. */
bool conflict_entities_disjoint(const struct claim *a, const struct claim *b) {
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < a->n_entities; i++)
                na += a->entities[i].kind != 'L';
        for (size_t j = 0; j < b->n_entities; j++)
                nb += b->entities[j].kind != 'L';
        if (na == 0 || nb == 0)
                return false;
        for (size_t i = 0; i < a->n_entities; i++)
                for (size_t j = 0; j < b->n_entities; j++) {
                        const char *x = a->entities[i].name, *y = b->entities[j].name;
                        if (!x || !y)
                                continue;
                        if (strcasecmp(x, y) == 0)
                                return false;
                        /* "Trump" and "Donald Trump": one name's last word in the other */
                        const char *lx = strrchr(x, ' '), *ly = strrchr(y, ' ');
                        if (conflict_name_has_word(y, lx ? lx + 1 : x) || conflict_name_has_word(x, ly ? ly + 1 : y))
                                return false;
                }
        return true;
}
