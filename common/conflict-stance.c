#include <string.h>

#include "conflict-internal.h"

/* True when v denies a proposition: its stance is a denial, and what it
 * denies is not a request it refuses. */
bool conflict_view_denies(const struct conflict_view *v) {
        return v->claim->stance == STANCE_DENIES && !v->refusal;
}

/* True when v's cue is negated and other's cue is the same verb. */
bool conflict_cue_negation_counts(const struct conflict_view *v, const struct conflict_view *other) {
        return v->cue_negated && v->cue_stem && other->cue_stem && strcmp(v->cue_stem, other->cue_stem) == 0;
}

/* The polarity of v against the claim it is aligned with: true when v says
 * the shared content is not so.  A denial ("denied that X") negates the whole
 * content; a negation cue counts only when an aligned content word lies in
 * its scope, so "accepted assurances there was no Russian involvement" is
 * not a negative claim about accepting, and "He had nothing to do with the
 * attacks, which killed 52" says nothing against the 52.  The cues are read
 * in the claim's text whatever the claim's negated flag says (that flag is
 * about the claim's main clause, and alignment knows better which part the
 * two claims share); a claim marked negated without a cue we can see keeps
 * its mark. */
bool conflict_view_negative(const struct conflict_view *v, const struct conflict_view *other) {
        bool neg = v->claim->negated && !v->has_cue;
        {
                for (size_t i = 0; i < v->n_words && !neg; i++) {
                        if (!v->words[i].negation)
                                continue;
                        size_t in = 0, out = 0;
                        for (size_t j = i + 1; j < v->n_words && j <= i + NEGATION_SCOPE_WORDS; j++) {
                                if (v->words[j].boundary)
                                        break;
                                /* a subordinate clause is out of scope: "without
                                 * quarantine as long as they have been treated" */
                                if (v->words[j].clause_marker ||
                                    (j > i + 1 && strcmp(v->words[j].fold, "as") == 0))
                                        break;
                                /* "no doubt that ...": the cue negates the doubt,
                                 * not the content (see view_refutes) */
                                if (v->words[j].refutation)
                                        break;
                                if (!v->words[j].content || v->words[j].dateword)
                                        continue;
                                if (v->words[j].shared || v->words[j].opposite)
                                        in++;
                                else
                                        out++;
                        }
                        /* "no man playing soccer" does not deny "a man is playing
                         * the flute": what is negated must be what the other says. */
                        if (in > 0 && out * NEGATION_SCOPE_SLACK <= in)
                                neg = true;
                }
        }
        /* "Nor did she plan to stop buying" against "she plans to stop
         * buying": a negated cue turns the content's polarity over against
         * a claim under the same verb ("had not planned her stay" says
         * nothing against "she stayed") */
        if (conflict_cue_negation_counts(v, other))
                neg = !neg;
        /* A denial whose content is itself negated ("rejected the reports,
         * saying the mushrooms are not used") is a misparse far more often
         * than a double negation: it stays negative. */
        return neg || conflict_view_denies(v);
}

/* True when v calls the account untrue: a refutation word not itself under
 * a negation ("is not fake"). */
bool conflict_view_refutes(const struct conflict_view *v) {
        if (!v->refutes)
                return false;
        for (size_t i = 0; i < v->n_words; i++) {
                if (!v->words[i].refutation)
                        continue;
                bool negated = false;
                for (size_t k = i; k > 0 && k + NEGATION_SCOPE_WORDS > i; k--) {
                        if (v->words[k].boundary)
                                break;
                        if (v->words[k - 1].negation) {
                                negated = true;
                                break;
                        }
                }
                if (!negated)
                        return true;
        }
        return false;
}

/* Whether v says the shared content is untrue, from its negation (neg) and
 * its refutation words (ref).  Someone who denies that an account is untrue
 * ("denied the photos are fake") affirms it; an outlet's own sentence that
 * refutes and negates ("Rumour debunked: robots are not patrolling the
 * campus") says untrue twice. */
bool conflict_polarity(const struct conflict_view *v, bool neg, bool ref) {
        if (conflict_view_denies(v))
                return neg != ref;
        return neg || ref;
}

/* True when v explicitly denies: a denial, or a headline in its
 * publisher's voice that calls the story untrue or negates it ("No, the
 * mayor did not resign"): both name the account in their own words. */
bool conflict_view_denier(const struct conflict_view *v) {
        if (conflict_view_denies(v))
                return true;
        return v->claim->field == CLAIM_FIELD_TITLE && !v->claim->speaker && (v->refutes || v->has_cue);
}

/* True when v, on the negative side of a pair, says so in its outlet's
 * voice: the article's verdict on its story, or a headline. */
bool conflict_outlet_says_not(const struct conflict_view *v) {
        return v->verdict || (v->claim->field == CLAIM_FIELD_TITLE && !v->claim->speaker);
}

/* True when t is a headline and q a speaker's claim quoted in an article
 * text. */
bool conflict_title_vs_quoted(const struct conflict_view *t, const struct conflict_view *q) {
        return t->claim->field == CLAIM_FIELD_TITLE && q->claim->field == CLAIM_FIELD_TEXT && q->claim->speaker;
}

/* True when v is a headline on the side against the story: it says the
 * shared content is untrue (pol), or negates something, in the publisher's
 * voice or a speaker's ("X Hasn't Died", "Police: the bridge is not
 * closing"): a negation there answers the rumour even when its scope misses
 * the words it shares with an article that calls the rumour untrue.  On the
 * whole FNC-1 set such headlines against a debunk were 43 agree, 6 discuss,
 * 3 disagree in the publisher's voice; 13 agree, 2 discuss, 4 unrelated, 2
 * disagree in a speaker's. */
bool conflict_title_sides_against(const struct conflict_view *v, bool pol) {
        if (v->claim->field != CLAIM_FIELD_TITLE)
                return false;
        return pol || (v->has_cue && !v->question);
}
