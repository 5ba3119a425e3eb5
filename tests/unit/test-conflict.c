#include <stdlib.h>
#include <string.h>

#include "common/conflict.h"
#include "common/match.h"
#include "common/wordnet.h"
#include "tap.h"

/* A claim with just what conflict_check reads. */
static struct claim mk(const char *text, const char *speaker, enum claim_stance stance, bool negated) {
        struct claim c;
        memset(&c, 0, sizeof(c));
        c.text = (char *) text;
        c.speaker = (char *) speaker;
        c.stance = stance;
        c.negated = negated;
        return c;
}

static int check(const struct claim *x, const char *sx, const struct claim *y, const char *sy,
                 struct conflict_result *res) {
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_source a = { x, sx, NULL }, b = { y, sy, NULL };
        memset(res, 0, sizeof(*res));
        return conflict_check(&a, &b, &o, res);
}

static void expect(const struct claim *x, const struct claim *y, int kind, const char *what) {
        struct conflict_result res;
        int r = check(x, "one.example", y, "two.example", &res);
        if (kind < 0)
                CHECK(r == 0, "%s: no conflict (got %d %s)", what, r,
                      r == 1 ? conflict_kind_to_string(res.kind) : "-");
        else
                CHECK(r == 1 && (int) res.kind == kind, "%s: %s (got %d %s %.2f)", what,
                      conflict_kind_to_string(kind), r, r == 1 ? conflict_kind_to_string(res.kind) : "-",
                      r == 1 ? res.score : 0.0);
        if (r == 1) {
                CHECK(res.score > 0 && res.score <= 1, "%s: score in (0,1]", what);
                free(res.explanation);
        }
}

/* same_outlet(): outlet ids byte for byte (as the store and the feed's
 * filter compare them), labels first. */
static void test_same_outlet(void) {
        struct claim c = mk("the bridge opened", NULL, STANCE_ASSERTS, false);
        struct claim_source a = { &c, "cnn.com", NULL }, b = { &c, "cnn.com", NULL }, u = { &c, "CNN.com", NULL };
        struct claim_source la = { &c, "cnn.com", "a" }, lb = { &c, "cnn.com", "b" }, none = { &c, NULL, NULL };

        CHECK(same_outlet(&a, &b), "same_outlet: one id");
        CHECK(!same_outlet(&a, &u), "same_outlet: ids that differ in case are two outlets");
        CHECK(!same_outlet(&la, &lb), "same_outlet: two sides of a compare");
        CHECK(same_outlet(&la, &a), "same_outlet: a label against none decides nothing");
        CHECK(!same_outlet(&a, &none) && same_outlet(&none, &none), "same_outlet: no source is its own outlet");
}

int main(void) {
        bool have_wn = wn_init(NULL) == 0;

        test_same_outlet();
        struct conflict_result res;

        CHECK_STR(conflict_kind_to_string(CONFLICT_ANTONYM), "antonym");
        CHECK(conflict_kind_from_string("numeric") == CONFLICT_NUMERIC, "kind parses");
        CHECK(conflict_kind_from_string("bogus") < 0, "unknown kind rejected");

        /* denial: one speaker asserts, another denies, one outlet */
        struct claim asserted = mk("the mayor accepted the council's offer of a new budget plan",
                                   "Anna Berg", STANCE_ASSERTS, false);
        struct claim denied = mk("the mayor accepted the council's offer", "a city hall spokesman",
                                 STANCE_DENIES, false);
        int r = check(&asserted, "daily.example", &denied, "daily.example", &res);
        CHECK(r == 1 && res.kind == CONFLICT_DENIAL, "denial found (got %d)", r);
        if (r == 1) {
                CHECK(strstr(res.explanation, "Anna Berg") && strstr(res.explanation, "city hall spokesman") &&
                      strstr(res.explanation, "daily.example") && strstr(res.explanation, "denies"),
                      "explanation names both speakers, the source and the denial: %s", res.explanation);
                free(res.explanation);
        }

        /* same outlet, same (absent) speaker: one voice, never a conflict */
        struct claim plain = mk("the bridge is open to traffic", NULL, STANCE_ASSERTS, false);
        struct claim plain_neg = mk("the bridge is not open to traffic", NULL, STANCE_ASSERTS, true);
        CHECK(check(&plain, "x.example", &plain_neg, "x.example", &res) == 0, "same source and speaker: none");

        expect(&plain, &plain_neg, CONFLICT_NEGATION, "negation");
        struct claim plain2 = mk("the old bridge is open to traffic again", NULL, STANCE_ASSERTS, false);
        expect(&plain, &plain2, -1, "agreeing restatement");

        struct claim acc = mk("the union accepted the wage offer", NULL, STANCE_ASSERTS, false);
        struct claim rej = mk("the union rejected the wage offer", NULL, STANCE_ASSERTS, false);
        struct claim not_acc = mk("the union did not accept the wage offer", NULL, STANCE_ASSERTS, true);
        expect(&acc, &rej, CONFLICT_ANTONYM, "accepted vs rejected");
        expect(&not_acc, &rej, -1, "did not accept = rejected");
        expect(&acc, &not_acc, CONFLICT_NEGATION, "accepted vs did not accept");

        struct claim full = mk("the stadium was full on Sunday", NULL, STANCE_ASSERTS, false);
        struct claim empty = mk("the stadium was empty on Sunday", NULL, STANCE_ASSERTS, false);
        expect(&full, &empty, CONFLICT_ANTONYM, "full vs empty");

        if (have_wn) {
                struct claim rose = mk("shares of the airline rose sharply", NULL, STANCE_ASSERTS, false);
                struct claim fell = mk("shares of the airline fell sharply", NULL, STANCE_ASSERTS, false);
                expect(&rose, &fell, CONFLICT_ANTONYM, "rose vs fell (lemmas from WordNet)");
        }

        /* negation scope: a negation elsewhere in the sentence does not oppose */
        struct claim appr = mk("the mayor approved the new budget", NULL, STANCE_ASSERTS, false);
        struct claim appr_aside = mk("the mayor, who never attended the meeting, approved the new budget",
                                     NULL, STANCE_ASSERTS, true);
        expect(&appr, &appr_aside, -1, "negation outside the shared content");

        /* "no doubt" affirms; two negated accounts agree */
        struct claim nodoubt = mk("there is no doubt that the mayor approved the new budget", NULL, STANCE_ASSERTS, true);
        expect(&appr, &nodoubt, -1, "no doubt that X = X");
        struct claim notlive1 = mk("the singer does not live in the old harbour building", NULL, STANCE_ASSERTS, true);
        struct claim notlive2 = mk("the singer never lived in that harbour building at all", NULL, STANCE_ASSERTS, true);
        expect(&notlive1, &notlive2, -1, "two negated accounts");

        /* refutation words: the account called untrue */
        struct claim shark = mk("a shark swam through the flooded streets of the town", NULL, STANCE_ASSERTS, false);
        struct claim shark_fake = mk("the photo of a shark in the flooded streets of the town is fake",
                                     NULL, STANCE_ASSERTS, false);
        struct claim shark_real = mk("the photo of a shark in the flooded streets of the town is not fake",
                                     NULL, STANCE_ASSERTS, true);
        expect(&shark, &shark_fake, CONFLICT_DENIAL, "called fake");
        expect(&shark, &shark_real, -1, "called not fake");

        struct claim other = mk("the weather was not cold in the valley", NULL, STANCE_ASSERTS, true);
        expect(&acc, &other, -1, "different topics");

        /* numbers: bounds and units */
        struct quantity q12 = { "12 people", 12, "person", BOUND_EXACT, -1, -1 };
        struct quantity q40 = { "40 people", 40, "person", BOUND_EXACT, -1, -1 };
        struct quantity q_atleast = { "at least 12 people", 12, "person", BOUND_AT_LEAST, -1, -1 };
        struct quantity q15 = { "15 people", 15, "person", BOUND_EXACT, -1, -1 };
        struct claim k12 = mk("the fire killed 12 people in the warehouse", NULL, STANCE_ASSERTS, false);
        k12.quantities = &q12, k12.n_quantities = 1;
        struct claim k40 = mk("the fire killed 40 people in the warehouse", NULL, STANCE_ASSERTS, false);
        k40.quantities = &q40, k40.n_quantities = 1;
        struct claim kal = mk("the fire killed at least 12 people in the warehouse", NULL, STANCE_ASSERTS, false);
        kal.quantities = &q_atleast, kal.n_quantities = 1;
        struct claim k15 = mk("the fire killed 15 people in the warehouse", NULL, STANCE_ASSERTS, false);
        k15.quantities = &q15, k15.n_quantities = 1;
        expect(&k12, &k40, CONFLICT_NUMERIC, "12 vs 40 killed");
        expect(&kal, &k15, -1, "at least 12 vs 15");

        /* dates */
        struct claim_date d1 = { "on Monday", "2019-03-04", -1, -1 }, d2 = { "on Friday", "2019-03-08", -1, -1 };
        struct claim_date dm = { "in March", "2019-03", -1, -1 };
        struct claim c1 = mk("the factory closed its doors on Monday", NULL, STANCE_ASSERTS, false);
        c1.dates = &d1, c1.n_dates = 1;
        struct claim c2 = mk("the factory closed its doors on Friday", NULL, STANCE_ASSERTS, false);
        c2.dates = &d2, c2.n_dates = 1;
        struct claim c3 = mk("the factory closed its doors in March", NULL, STANCE_ASSERTS, false);
        c3.dates = &dm, c3.n_dates = 1;
        expect(&c1, &c2, CONFLICT_DATE, "Monday vs Friday");
        expect(&c1, &c3, -1, "a day inside the month");

        /* hedges and questions lower the score */
        struct conflict_result hard, soft;
        struct claim hedged_neg = plain_neg;
        hedged_neg.hedged = true;
        CHECK(check(&plain, "a", &plain_neg, "b", &hard) == 1, "unhedged scores");
        r = check(&plain, "a", &hedged_neg, "b", &soft);
        CHECK(r == 0 || soft.score < hard.score, "hedged scores lower");
        free(hard.explanation);
        if (r == 1)
                free(soft.explanation);

        /* match_claims: all pairs, one per pair, sorted, capped */
        struct claim_source sa[] = { { &acc, "one.example", NULL }, { &plain, "one.example", NULL },
                                     { &k12, "one.example", NULL } };
        struct claim_source sb[] = { { &rej, "two.example", NULL }, { &plain_neg, "two.example", NULL },
                                     { &k40, "two.example", NULL }, { &other, "two.example", NULL } };
        struct conflict_options o;
        conflict_options_default(&o);
        struct claim_conflict *cc = NULL;
        size_t n = 0;
        CHECK(match_claims(sa, 3, sb, 4, &o, 10, &cc, &n) == 0, "match runs");
        CHECK(n == 3, "three conflicts (got %zu)", n);
        for (size_t i = 1; i < n; i++)
                CHECK(cc[i - 1].result.score >= cc[i].result.score, "sorted %zu", i);
        for (size_t i = 0; i < n; i++)
                CHECK(cc[i].a == i || cc[i].b != 3, "pairs as expected");
        claim_conflicts_free(cc, n);
        CHECK(match_claims(sa, 3, sb, 4, &o, 1, &cc, &n) == 0 && n == 1, "capped at one");
        claim_conflicts_free(cc, n);

        /* two parts of one sentence ("the board demands that A, but will
         * not accept B") are one account: the first part does not make the
         * article carry both sides against "the board accepts B" */
        struct claim demand = mk("every ferry carries two lifeboats on the crossing", "the harbour board", STANCE_ASSERTS,
                                 false);
        struct claim refuse = mk("will not accept rafts as lifeboats on the crossing", NULL, STANCE_ASSERTS, true);
        demand.span[0] = refuse.span[0] = 40;
        demand.span[1] = refuse.span[1] = 160;
        struct claim accepts = mk("the harbour board accepts rafts as lifeboats on every crossing", NULL,
                                  STANCE_ASSERTS, false);
        struct claim_source sd[] = { { &demand, "one.example", NULL }, { &refuse, "one.example", NULL } };
        struct claim_source sacc[] = { { &accepts, "two.example", NULL } };
        CHECK(match_claims(sd, 2, sacc, 1, &o, 0, &cc, &n) == 0 && n == 1 && cc[0].a == 1,
              "one sentence's parts are one account (got %zu)", n);
        claim_conflicts_free(cc, n);

        /* one array against itself: each pair once */
        struct claim_source same[] = { { &plain, "x", NULL }, { &plain_neg, "y", NULL } };
        CHECK(match_claims(same, 2, same, 2, &o, 0, &cc, &n) == 0 && n == 1, "symmetric pair kept once (got %zu)", n);
        claim_conflicts_free(cc, n);

        /* every veto has a name, and the check says which rule decided */
        for (int v = 0; v < _CONFLICT_VETO_MAX; v++)
                CHECK(conflict_veto_to_string(v) && *conflict_veto_to_string(v), "veto %d named", v);
        CHECK(conflict_veto_to_string(_CONFLICT_VETO_MAX) == NULL, "veto out of range unnamed");
        {
                struct conflict_view *vp = NULL, *vn = NULL, *vo = NULL, *v2 = NULL;
                struct claim unrelated = mk("the harvest festival drew record crowds", NULL, STANCE_ASSERTS, false);
                CHECK(conflict_view_new(&plain, &vp) == 0 && conflict_view_new(&plain_neg, &vn) == 0 &&
                      conflict_view_new(&unrelated, &vo) == 0 && conflict_view_new(&plain2, &v2) == 0, "views");
                struct claim_source xa = { &plain, "a.example", NULL }, xb = { &plain_neg, "b.example", NULL };
                struct claim_source xs = { &plain_neg, "a.example", NULL };
                struct claim_source xo = { &unrelated, "b.example", NULL }, x2 = { &plain2, "b.example", NULL };
                enum conflict_veto why = CONFLICT_VETO_NONE;
                struct conflict_options od;
                conflict_options_default(&od);
                CHECK(conflict_check_views_why(&xa, &xs, vp, vn, &od, &res, &why) == 0 &&
                      why == CONFLICT_VETO_SAME_VOICE, "same voice vetoed as such (%s)", conflict_veto_to_string(why));
                CHECK(conflict_check_views_why(&xa, &xo, vp, vo, &od, &res, &why) == 0 &&
                      why == CONFLICT_VETO_NOTHING_SHARED, "nothing shared (%s)", conflict_veto_to_string(why));
                CHECK(conflict_check_views_why(&xa, &x2, vp, v2, &od, &res, &why) == 0 &&
                      why == CONFLICT_VETO_NO_CLASH, "restatement: no clash (%s)", conflict_veto_to_string(why));
                why = _CONFLICT_VETO_MAX;
                r = conflict_check_views_why(&xa, &xb, vp, vn, &od, &res, &why);
                CHECK(r == 1 && why == _CONFLICT_VETO_MAX, "a conflict leaves the veto alone (got %d)", r);
                if (r == 1)
                        free(res.explanation);
                conflict_view_free(vp);
                conflict_view_free(vn);
                conflict_view_free(vo);
                conflict_view_free(v2);
        }

        return tap_done();
}
