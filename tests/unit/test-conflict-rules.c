/* conflict_check() rules on the polarity and alignment of a pair: negative
 * implicative verbs, refusals of requests, adverbs against adjectives,
 * phrasal verbs, copular predicate slots, month-only hedges, compound
 * modifier quantities, and numbers of one measured thing. */
#include <stdlib.h>
#include <string.h>

#include "common/conflict.h"
#include "common/wordnet.h"
#include "tap.h"

static struct claim mk(const char *text, const char *speaker, enum claim_stance stance) {
        struct claim c;
        memset(&c, 0, sizeof(c));
        c.text = (char *) text;
        c.speaker = (char *) speaker;
        c.stance = stance;
        return c;
}

/* An outlet's own claim stating the one quantity q. */
static struct claim mk_measured(const char *text, struct quantity *q) {
        struct claim c = mk(text, NULL, STANCE_ASSERTS);
        c.quantities = q;
        c.n_quantities = 1;
        return c;
}

/* Checks x against y from two outlets: kind < 0 means no conflict. */
static void expect(const struct claim *x, const struct claim *y, int kind, const char *what) {
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_source a = { x, "one.example", NULL }, b = { y, "two.example", NULL };
        struct conflict_result res;
        memset(&res, 0, sizeof(res));
        int r = conflict_check(&a, &b, &o, &res);
        if (kind < 0)
                CHECK(r == 0, "%s: no conflict (got %d %s)", what, r, r == 1 ? conflict_kind_to_string(res.kind) : "-");
        else
                CHECK(r == 1 && (int) res.kind == kind, "%s: %s (got %d %s)", what, conflict_kind_to_string(kind), r,
                      r == 1 ? conflict_kind_to_string(res.kind) : "-");
        if (r == 1)
                free(res.explanation);
}

int main(void) {
        wn_init(NULL);

        /* negative implicatives: "stopped selling" is "no longer sells" */
        struct claim stop = mk("the grocer will stop selling cheap wine imported from Portugal", NULL, STANCE_ASSERTS);
        struct claim not_sell = mk("the grocer will not sell cheap wine imported from Portugal", NULL, STANCE_ASSERTS);
        struct claim keep = mk("the grocer keeps selling cheap wine imported from Portugal", NULL, STANCE_ASSERTS);
        expect(&stop, &not_sell, -1, "stopped selling = not selling");
        expect(&keep, &stop, CONFLICT_NEGATION, "keeps selling vs stopped selling");
        struct claim refused = mk("the mayor refused to sign the budget deal with the unions", NULL, STANCE_ASSERTS);
        struct claim signed_ = mk("the mayor signed the budget deal with the unions", NULL, STANCE_ASSERTS);
        expect(&refused, &signed_, CONFLICT_NEGATION, "refused to sign vs signed");
        /* "stopped to pick up" is a purpose, not a stop */
        struct claim pause = mk("the ferry stopped to pick up passengers at the northern pier", NULL, STANCE_ASSERTS);
        struct claim picked = mk("the ferry picked up passengers at the northern pier", NULL, STANCE_ASSERTS);
        expect(&pause, &picked, -1, "stopped to pick up is no negation");

        /* rejecting a request is a refusal, not a denial of what it asks */
        struct claim refusal = mk("demands by the drivers to raise wages at the depot", "the bus company", STANCE_DENIES);
        struct claim demand = mk("the drivers want to raise wages at the depot", NULL, STANCE_ASSERTS);
        expect(&refusal, &demand, -1, "rejected demands to raise wages");
        struct claim denied = mk("the drivers raised wages at the depot", "the bus company", STANCE_DENIES);
        struct claim raised = mk("the drivers raised wages at the depot last spring", NULL, STANCE_ASSERTS);
        expect(&denied, &raised, CONFLICT_DENIAL, "a denial of a statement still denies");

        /* an adverb aligns with its adjective: "not easy" vs "easily" */
        struct claim hard = mk("permits for foreign nurses to work in rural clinics are not easy to obtain", NULL,
                               STANCE_ASSERTS);
        struct claim easy = mk("foreign nurses can easily obtain permits to work in rural clinics", NULL, STANCE_ASSERTS);
        expect(&hard, &easy, CONFLICT_NEGATION, "not easy vs easily");

        /* leaving a place is no reaching or arriving at it */
        struct claim departed = mk("the night ferry departed the northern pier of the island at noon", NULL,
                                   STANCE_ASSERTS);
        struct claim reached = mk("the night ferry reached the northern pier of the island at noon", NULL,
                                  STANCE_ASSERTS);
        expect(&departed, &reached, CONFLICT_ANTONYM, "departed vs reached");
        struct claim left = mk("the night ferry left the northern pier of the island at noon", NULL, STANCE_ASSERTS);
        struct claim arrived = mk("the night ferry arrived at the northern pier of the island at noon", NULL,
                                  STANCE_ASSERTS);
        expect(&left, &arrived, CONFLICT_ANTONYM, "left vs arrived");

        /* a negation's scope ends where a subordinate clause starts */
        struct claim without = mk("cyclists may cross the old bridge without a permit as long as their bikes carry "
                                  "lights, reflectors and a working bell after sunset", NULL, STANCE_ASSERTS);
        struct claim permit = mk("cyclists need a permit to cross the old bridge", NULL, STANCE_ASSERTS);
        expect(&without, &permit, CONFLICT_NEGATION, "without a permit as long as ... vs need a permit");
        struct claim quick = mk("the council quickly approved the new parking rules for the harbour", NULL,
                                STANCE_ASSERTS);
        struct claim not_quick = mk("the council approval of the new parking rules for the harbour was not quick", NULL,
                                    STANCE_ASSERTS);
        expect(&quick, &not_quick, CONFLICT_NEGATION, "quickly vs not quick");

        /* a verb with its particle: "voted against" rejects */
        struct claim against = mk("most members of the council voted against the new harbour budget", NULL,
                                  STANCE_ASSERTS);
        struct claim approved = mk("the council approved the new harbour budget", NULL, STANCE_ASSERTS);
        expect(&against, &approved, CONFLICT_ANTONYM, "voted against vs approved");
        struct claim for_ = mk("most members of the council voted for the new harbour budget", NULL, STANCE_ASSERTS);
        expect(&for_, &approved, -1, "voted for vs approved");

        /* copular predicates of one subject clash as slots, wherever else
         * the other word stands */
        struct claim liberal = mk("the senator was a liberal lawyer whose speeches angered conservative voters", NULL,
                                  STANCE_ASSERTS);
        struct claim conservative = mk("the senator was a conservative voter", NULL, STANCE_ASSERTS);
        expect(&liberal, &conservative, CONFLICT_ANTONYM, "liberal lawyer vs conservative voter");
        struct claim other = mk("the governor was a liberal lawyer whose speeches angered conservative voters", NULL,
                                STANCE_ASSERTS);
        struct claim cons_mayor = mk("the mayor was conservative, said voters", NULL, STANCE_ASSERTS);
        expect(&other, &cons_mayor, -1, "no shared subject, no slot clash");

        /* a claim "hedged" only by the month May is not hedged */
        struct claim_date may = { (char *) "May 12", (char *) "2021-05-12", -1, -1 };
        struct claim passed = mk("On May 12 the assembly passed the water bill for the northern farms", NULL, STANCE_ASSERTS);
        passed.hedged = true;
        passed.dates = &may;
        passed.n_dates = 1;
        struct claim rejected = mk("the assembly rejected the water bill for the northern farms", NULL, STANCE_ASSERTS);
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_source sp = { &passed, "one.example", NULL }, sr = { &rejected, "two.example", NULL };
        struct conflict_result r1 = {0}, r2 = {0};
        int k1 = conflict_check(&sp, &sr, &o, &r1);
        passed.hedged = false;
        int k2 = conflict_check(&sp, &sr, &o, &r2);
        CHECK(k1 == 1 && k2 == 1 && r1.score == r2.score, "the month May is no hedge (%d %.3f, %d %.3f)", k1, r1.score,
              k2, r2.score);
        if (k1 == 1)
                free(r1.explanation);
        if (k2 == 1)
                free(r2.explanation);
        struct claim maybe = mk("the assembly may pass the water bill for the northern farms", NULL, STANCE_ASSERTS);
        maybe.hedged = true;
        sp.claim = &maybe;
        k1 = conflict_check(&sp, &sr, &o, &r1);
        CHECK(k1 == 0 || r1.score < r2.score, "the verb may still hedges (%d %.3f)", k1, k1 == 1 ? r1.score : 0.0);
        if (k1 == 1)
                free(r1.explanation);

        /* "80-metre hurdles" names a race; "ran 100 metres" measures one */
        struct quantity q80mod = { (char *) "80-metre", 80, (char *) "metre", BOUND_EXACT, -1, -1 };
        struct quantity q80 = { (char *) "80 metres", 80, (char *) "metre", BOUND_EXACT, -1, -1 };
        struct quantity q100 = { (char *) "100 metres", 100, (char *) "metre", BOUND_EXACT, -1, -1 };
        struct claim hurdles = mk_measured("the sprinter set a national record in the 80-metre hurdles at the games", &q80mod);
        struct claim record = mk_measured("the sprinter set a national record at the games over 100 metres", &q100);
        expect(&hurdles, &record, -1, "a compound modifier is no measurement");
        hurdles.quantities = &q80;
        expect(&hurdles, &record, CONFLICT_NUMERIC, "two measurements clash");

        /* values next to the same words measure one thing: they clash
         * with less of the rest in common, whatever else the claims count */
        struct quantity q12 = { (char *) "12 members", 12, (char *) "member", BOUND_EXACT, -1, -1 };
        struct quantity q15 = { (char *) "15 members", 15, (char *) "member", BOUND_EXACT, -1, -1 };
        struct quantity q15b = { (char *) "15 members", 15, (char *) "member", BOUND_EXACT, -1, -1 };
        struct claim club = mk_measured("two teachers who played in cafes founded a chess group after the war, and the "
                               "club has 12 members and a small library", &q12);
        struct claim club15 = mk_measured("the chess club has 15 members, the treasurer said", &q15);
        expect(&club, &club15, CONFLICT_NUMERIC, "12 members vs 15 members of one club");
        struct claim choir = mk_measured("the church choir, founded after the war by two teachers who sang in cafes, said 15 "
                                "members left", &q15b);
        expect(&club, &choir, -1, "values next to other words are other things");

        /* ... unless the other claim states that value too ("first
         * elected in 1990, re-elected in 1995") */
        struct quantity both[2] = { { (char *) "10 members", 10, (char *) "member", BOUND_EXACT, -1, -1 },
                                    { (char *) "15 members", 15, (char *) "member", BOUND_EXACT, -1, -1 } };
        struct claim grew = mk("two teachers who played in cafes founded a chess group after the war, and the "
                               "club has 10 members now and had 15 members", NULL, STANCE_ASSERTS);
        grew.quantities = both;
        grew.n_quantities = 2;
        expect(&grew, &club15, -1, "the other value is stated too");

        /* the words after a value count past its stop words ("7 trustees
         * of the harbour board") */
        struct quantity q4 = { (char *) "four trustees", 4, (char *) "trustee", BOUND_EXACT, -1, -1 };
        struct quantity q7 = { (char *) "7 trustees", 7, (char *) "trustee", BOUND_EXACT, -1, -1 };
        struct claim four = mk_measured("the town council last week appointed four trustees for the harbour board that will "
                               "oversee the new ferry terminal and its car parks", &q4);
        struct claim seven = mk_measured("7 trustees of the harbour board took their oath at the town hall", &q7);
        expect(&four, &seven, CONFLICT_NUMERIC, "four trustees vs 7 trustees of one board");

        /* a word beside the value counts even when the claim used it before
         * ("field tests ... 200 volunteers per test") */
        struct quantity q240 = { (char *) "240 volunteers", 240, (char *) "volunteer", BOUND_EXACT, -1, -1 };
        struct quantity q200 = { (char *) "200 volunteers", 200, (char *) "volunteer", BOUND_EXACT, -1, -1 };
        struct claim trial = mk_measured("the field tests involve 240 volunteers in 12 clinics across three provinces with each "
                                "volunteer visited three times by nurses from the capital", &q240);
        struct claim average = mk_measured("the field tests involve an average of 200 volunteers per test, officials at the "
                                  "ministry of health say", &q200);
        expect(&trial, &average, CONFLICT_NUMERIC, "240 volunteers vs 200 volunteers per test");

        /* a value the other claim states of another thing does not agree:
         * "the junior 400 metres, while the senior 1,500 metres" states no
         * junior 1,500 metres */
        struct quantity relay[2] = { { (char *) "400 metres", 400, (char *) "metre", BOUND_EXACT, -1, -1 },
                                     { (char *) "1,500 metres", 1500, (char *) "metre", BOUND_EXACT, -1, -1 } };
        struct quantity q1500 = { (char *) "1,500 metres", 1500, (char *) "metre", BOUND_EXACT, -1, -1 };
        struct claim meet = mk("Lena Koch of Bergen won the junior 400 metres at the school meet, while the senior "
                               "1,500 metres went to a runner from Oslo", NULL, STANCE_ASSERTS);
        meet.quantities = relay;
        meet.n_quantities = 2;
        struct claim junior = mk_measured("Lena Koch of Bergen won the junior 1,500 metres at the school meet", &q1500);
        expect(&meet, &junior, CONFLICT_NUMERIC, "junior 400 metres vs junior 1,500 metres");
        struct claim senior = mk_measured("a runner from Oslo won the senior 1,500 metres at the school meet", &q1500);
        expect(&meet, &senior, -1, "the senior 1,500 metres is stated");

        /* a count of people weighs against a count of soldiers sent to one place */
        struct quantity q_people = { (char *) "about 1,200 people", 1200, (char *) "person", BOUND_ABOUT, -1, -1 };
        struct quantity q_soldiers = { (char *) "500 soldiers", 500, (char *) "soldier", BOUND_EXACT, -1, -1 };
        struct claim contingent = mk_measured("Norway keeps a large contingent of soldiers in Mali, about 1,200 people", &q_people);
        struct claim sent = mk_measured("Norway sent 500 soldiers to Mali", &q_soldiers);
        expect(&contingent, &sent, CONFLICT_NUMERIC, "about 1,200 people vs 500 soldiers");

        /* a negated neg-raising cue ("nor did she plan to") says the content
         * is not so, against a claim under the same verb only */
        struct claim noplan = mk("to sell the old farmhouse near the lake", "the widow", STANCE_ASSERTS);
        noplan.cue = (char *) "Nor did she plan";
        struct claim plans = mk("to sell the old farmhouse near the lake", "Anna Berg", STANCE_ASSERTS);
        plans.cue = (char *) "plans";
        expect(&noplan, &plans, CONFLICT_NEGATION, "did not plan to sell vs plans to sell");
        struct claim sold = mk("the widow sold the old farmhouse near the lake", NULL, STANCE_ASSERTS);
        expect(&noplan, &sold, -1, "did not plan to sell says nothing of a sale");
        /* "stop" inside the content is a negation of its own */
        struct claim nostop = mk("to stop buying bread at the corner bakery", "the widow", STANCE_ASSERTS);
        nostop.cue = (char *) "didn't plan";
        struct claim stops = mk("to stop buying bread at the corner bakery", "Anna Berg", STANCE_ASSERTS);
        stops.cue = (char *) "plans";
        expect(&nostop, &stops, CONFLICT_NEGATION, "did not plan to stop vs plans to stop");

        return tap_done();
}
