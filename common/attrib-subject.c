/* Speakers in the clause of a cue: the noun phrase left of it (with an
 * appositive), right of an inverted cue, or the subject of the main clause
 * of a participle. */

#include "attrib-internal.h"

/* True when the token range names a person or a body by a proper name: its
 * last word is capitalised and not a role noun. */
bool attrib_proper_last(const struct ctx *c, size_t b, size_t e) {
        if (!(e > b && is_cap(c, e - 1) && !role_noun(c, e - 1) && !in_lex(c, e - 1, LEXICON_STOPWORDS)))
                return false;
        /* "Photos showed": a plural capitalised only by the sentence start */
        if (e - b == 1 && (tk(c, b)->flags & TOKEN_SENT_START) && !(tk(c, b)->flags & TOKEN_ALLCAPS) &&
            str_ends_with(fold(c, b), "s") && !str_ends_with(fold(c, b), "ss"))
                return false;
        return true;
}

/* Skips auxiliaries, adverbs and time phrases left of token j (exclusive),
 * not past sb; returns the new exclusive end. */
size_t attrib_skip_modifiers_left(const struct ctx *c, size_t sb, size_t j, bool progressive) {
        while (j > sb) {
                size_t k = j - 1;
                const char *f = fold(c, k);
                if (!(tk(c, k)->flags & TOKEN_WORD))
                        break;
                /* an -ly word is an adverb unless a determiner or a possessive
                 * makes it a noun ("the family said") */
                bool ly = !(tk(c, k)->flags & TOKEN_CAPITALIZED) && str_ends_with(f, "ly") && strlen(f) > 4 &&
                          !in_lex(c, k, LEXICON_ROLE_NOUNS) &&
                          !(k > sb && (in_lex(c, k - 1, LEXICON_DETERMINERS) || str_ends_with(fold(c, k - 1), "'s")));
                if (in_lex(c, k, LEXICON_VERB_MODIFIERS) || ly) {
                        j--;
                        continue;
                }
                if (progressive && is_be(c, k)) {
                        j--;
                        continue;
                }
                if (in_lex(c, k, LEXICON_TIME_WORDS) && k > sb &&
                    (fold_is(c, k - 1, "on") || fold_is(c, k - 1, "last") || fold_is(c, k - 1, "this") ||
                     fold_is(c, k - 1, "late") || fold_is(c, k - 1, "early") || fold_is(c, k - 1, "next"))) {
                        j -= 2;
                        continue;
                }
                if (in_lex(c, k, LEXICON_TIME_WORDS) && (tk(c, k)->flags & TOKEN_CAPITALIZED) &&
                    k > sb && !is_cap(c, k - 1)) {
                        j--;    /* "Trump Monday said" is rare; "officials Monday said" */
                        continue;
                }
                break;
        }
        return j;
}

/* Walks left from token j (exclusive) over a noun phrase; returns the first
 * token of the phrase (== j when there is none). */
static size_t np_walk_left(const struct ctx *c, size_t sb, size_t j) {
        size_t k = j, n = 0;
        while (k > sb && n < 12) {
                size_t t = k - 1;
                if (is_word(c, t)) {
                        if (verb_lemma(c, t) && !in_lex(c, t, LEXICON_ROLE_NOUNS) && !is_cap(c, t))
                                break;
                        if (in_lex(c, t, LEXICON_CLAUSE_WORDS)) {
                                /* "Trump and Pence", "Smith & Wesson" */
                                if ((fold_is(c, t, "and") || fold_is(c, t, "&")) && t > sb && is_cap(c, t - 1) &&
                                    t + 1 < j && is_cap(c, t + 1)) {
                                        k--;
                                        n++;
                                        continue;
                                }
                                break;
                        }
                        if (in_lex(c, t, LEXICON_TIME_WORDS) && !(tk(c, t)->flags & TOKEN_CAPITALIZED))
                                break;
                } else if (text_is(c, t, ")") && t + 1 == j) {
                        /* "Jason Chaffetz (R-Utah)" */
                        size_t p = t;
                        while (p > sb && t - p < 8 && !text_is(c, p, "("))
                                p--;
                        if (!text_is(c, p, "(") || p == sb)
                                break;
                        k = p;
                        continue;
                } else if (!(text_is(c, t, "-") || text_is(c, t, "'") || text_is(c, t, "\xe2\x80\x99") ||
                             text_is(c, t, "/") || text_is(c, t, "&") || text_is(c, t, ".")))
                        break;
                else if (text_is(c, t, "-") && (t == sb || !adjacent(c, t - 1, t) || t + 1 >= j || !adjacent(c, t, t + 1)))
                        break;  /* "WASHINGTON -- President Obama" */
                k--;
                n++;
        }
        /* leading words that cannot open a noun phrase: "In Moscow officials" */
        while (k < j && (!is_word(c, k) || (in_lex(c, k, LEXICON_STOPWORDS) &&
                                            !in_lex(c, k, LEXICON_DETERMINERS) &&
                                            !in_lex(c, k, LEXICON_PRONOUNS))))
                k++;
        /* "Last week Mr. Trump" */
        for (size_t t = k; t + 1 < j; t++)
                if (in_lex(c, t, LEXICON_TIME_WORDS))
                        k = t + 1;
        if (k < j && !is_word(c, j - 1) && !text_is(c, j - 1, ")"))
                return j;
        if (k < j && in_lex(c, j - 1, LEXICON_DETERMINERS) && !fold_is(c, j - 1, "one"))
                return j;
        /* the head of a subject is no participle or adverb: "speaking said",
         * "solidifying their leads", "instead" */
        if (k < j && !(tk(c, j - 1)->flags & TOKEN_CAPITALIZED) && !role_noun(c, j - 1)) {
                const char *h = fold(c, j - 1);
                if (str_ends_with(h, "ing") || (str_ends_with(h, "ed") && strlen(h) > 4 && j - k == 1) ||
                    lexicon_contains(LEXICON_VERB_MODIFIERS, h) || strcmp(h, "twice") == 0 ||
                    strcmp(h, "instead") == 0 || strcmp(h, "together") == 0 || strcmp(h, "alone") == 0)
                        return j;
        }
        return k;
}

/* Finds the speaker left of the cue at token i.  Fills [*b, *e) (the whole
 * mention, with an appositive) and [*nb, *ne) (the name part); returns false
 * when there is no subject phrase there. */
bool attrib_subject_left(const struct ctx *c, size_t i, bool progressive,
                         size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t sb = sent_begin(c, i);
        size_t j = attrib_skip_modifiers_left(c, sb, i, progressive);
        if (j == sb)
                return false;
        size_t k = j - 1;

        if (fold_is(c, k, "who") || fold_is(c, k, "that") || fold_is(c, k, "which")) {
                /* "Smith, who said" / "officials who said" */
                size_t m = k;
                if (m > sb && is_comma(c, m - 1))
                        m--;
                size_t s = np_walk_left(c, sb, m);
                if (s == m)
                        return false;
                /* the mention is the relative pronoun; the name its antecedent */
                *b = k;
                *e = k + 1;
                *nb = s;
                *ne = m;
                return true;
        }
        if (in_lex(c, k, LEXICON_PRONOUNS) && (tk(c, k)->flags & TOKEN_WORD)) {
                *b = *nb = k;
                *e = *ne = j;
                return true;
        }
        /* "he's sought", "they've said": a pronoun with its auxiliary */
        if (pronoun_kind(c, k)) {
                *b = *nb = k;
                *e = *ne = j;
                return true;
        }
        if (is_comma(c, k) || is_dash(c, k)) {
                /* "Michael Smith, president of the union, said", "Kall -- co-editor of ... -- said" */
                bool dash = is_dash(c, k);
                size_t kk = k;
                while (dash && kk > sb && is_dash(c, kk - 1))
                        kk--;   /* "- -" printed for "--" */
                size_t m = kk;
                while (m > sb && kk - m < 36) {
                        m--;
                        if ((dash ? is_dash(c, m) : is_comma(c, m)) || (tk(c, m)->flags & TOKEN_QUOTE) ||
                            is_end_punct(c, m) || text_is(c, m, ":"))
                                break;
                        if (attrib_cue_lemma(c, m) && !in_lex(c, m, LEXICON_ROLE_NOUNS))
                                return false;
                }
                if (!(dash ? is_dash(c, m) : is_comma(c, m)) || m + 1 >= kk)
                        return false;
                size_t ap = m + 1;      /* the appositive is [ap, kk) */
                while (dash && m > sb && is_dash(c, m - 1))
                        m--;
                size_t s = np_walk_left(c, sb, m);
                if (s == m || m - s > 8)
                        return false;
                /* the appositive names a role: a determiner, a role noun or a capitalised phrase */
                if (!attrib_proper_last(c, s, m) && !in_lex(c, ap, LEXICON_DETERMINERS) &&
                    !role_noun(c, ap) &&
                    !fold_is(c, ap, "who") && !is_cap(c, ap) && !(tk(c, ap)->flags & TOKEN_NUMBER) &&
                    !str_ends_with(fold(c, ap), "ing") && !is_prep(c, ap))
                        return false;
                /* "..., assert" after a list of verbs: a base form is no reporting here */
                if (verb_lemma(c, i) && strcmp(verb_lemma(c, i), fold(c, i)) == 0)
                        return false;
                if (!is_cap(c, m - 1) && !role_noun(c, m - 1) && !text_is(c, m - 1, ")"))
                        return false;
                *b = *nb = s;
                *ne = m;
                *e = k + 1;
                /* "one of the attorneys, Justin Bamberg, said": the name is the appositive */
                if (!attrib_proper_last(c, s, m) && kk - ap <= 4) {
                        bool name = true;
                        for (size_t t = ap; t < kk && name; t++)
                                name = is_cap(c, t) || text_is(c, t, ".");
                        if (name && attrib_proper_last(c, ap, kk)) {
                                *nb = ap;
                                *ne = kk;
                        }
                }
                return true;
        }
        size_t s = np_walk_left(c, sb, j);
        if (s == j)
                return false;
        *b = *nb = s;
        *e = *ne = j;
        return true;
}

/* Finds the speaker right of an inverted cue ("said Smith, the mayor.").
 * Returns false when no noun phrase follows. */
bool attrib_subject_right(const struct ctx *c, size_t j, size_t se, size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t k = j, n = 0;
        while (k < se && n < 10) {
                if (is_word(c, k)) {
                        if (in_lex(c, k, LEXICON_CLAUSE_WORDS))
                                break;
                        if (k > j && (fold_is(c, k, "in") || fold_is(c, k, "at")) && k + 1 < se &&
                            (fold_is(c, k + 1, "the") || is_cap(c, k + 1)) &&
                            !(k + 2 < se && in_lex(c, k + 2, LEXICON_TIME_WORDS)) &&
                            !(k + 1 < se && in_lex(c, k + 1, LEXICON_TIME_WORDS))) {
                                k++;    /* "a source in the room", "an official at the Pentagon" */
                                n++;
                                continue;
                        }
                        if (k > j && (fold_is(c, k, "in") || fold_is(c, k, "on") || fold_is(c, k, "during") ||
                                      fold_is(c, k, "at") || fold_is(c, k, "after")))
                                break;
                        if (in_lex(c, k, LEXICON_TIME_WORDS) && !is_cap(c, k))
                                break;
                        if (in_lex(c, k, LEXICON_TIME_WORDS) && k > j)
                                break;
                } else if (text_is(c, k, "(") && k > j) {
                        /* "Jason Chaffetz (R-Utah)" */
                        size_t p = k;
                        while (p < se && p - k < 8 && !text_is(c, p, ")"))
                                p++;
                        if (p >= se || !text_is(c, p, ")"))
                                break;
                        n += p + 1 - k;
                        k = p + 1;
                        continue;
                } else if (!(text_is(c, k, "-") || text_is(c, k, "'") || text_is(c, k, "\xe2\x80\x99") ||
                             text_is(c, k, ".") || text_is(c, k, "&") || text_is(c, k, "/")) || k == j)
                        break;
                k++;
                n++;
        }
        if (k == j)
                return false;
        if (!is_cap(c, j) && !in_lex(c, j, LEXICON_DETERMINERS) && !in_lex(c, j, LEXICON_ROLE_NOUNS) &&
            !in_lex(c, j, LEXICON_PRONOUNS) && !(tk(c, j)->flags & TOKEN_NUMBER))
                return false;
        /* no verb inside: "said the videos show Scott" is no speaker */
        for (size_t t = j + 1; t < k; t++)
                if (verb_lemma(c, t) && !in_lex(c, t - 1, LEXICON_DETERMINERS) && !str_ends_with(fold(c, t - 1), "'s"))
                        return false;
        *b = *nb = j;
        *e = *ne = k;
        /* ", the mayor of X." to the sentence end */
        if (k < se && is_comma(c, k) && k + 1 < se &&
            (in_lex(c, k + 1, LEXICON_DETERMINERS) || in_lex(c, k + 1, LEXICON_ROLE_NOUNS) || is_cap(c, k + 1))) {
                size_t m = k + 1;
                while (m < se && !is_comma(c, m) && !is_end_punct(c, m) && !(tk(c, m)->flags & TOKEN_QUOTE) &&
                       !fold_is(c, m, "who") && m - k < 14)
                        m++;
                if (m == se || is_end_punct(c, m) || is_comma(c, m))
                        *e = m;
        }
        return true;
}

/* The subject of the main clause, for participial cues (", saying ..."):
 * the speaker of an earlier attribution in the sentence, or the noun phrase
 * that opens it.  Returns false when none is found. */
bool attrib_main_subject(const struct ctx *c, size_t i, size_t *b, size_t *e, size_t *nb, size_t *ne) {
        size_t sb = sent_begin(c, i);
        for (size_t k = c->n; k > 0; k--) {
                const struct work *w = &c->work[k - 1];
                if (w->cue_tok < sb)
                        break;
                if (w->name_b < w->name_e) {
                        *b = *nb = w->name_b;
                        *e = *ne = w->name_e;
                        return true;
                }
        }
        size_t k = sb;
        /* a dateline: "Hamburg, Germany (CNN)", "WASHINGTON --" */
        for (size_t t = sb; t < i && t < sb + 8; t++)
                if ((text_is(c, t, ")") && t > sb && is_cap(c, t - 1)) ||
                    (is_dash(c, t) && t > sb && (tk(c, t - 1)->flags & TOKEN_ALLCAPS))) {
                        k = t + 1;
                        while (k < i && is_dash(c, k))
                                k++;
                        break;
                }
        while (k < i && (!is_word(c, k) || fold_is(c, k, "but") || fold_is(c, k, "and")))
                k++;
        if (k < i && in_lex(c, k, LEXICON_PRONOUNS)) {
                *b = *nb = k;
                *e = *ne = k + 1;
                return true;
        }
        size_t m = k;
        while (m < i && m - k < 10 &&
               (is_cap(c, m) || (m > k && text_is(c, m, ".")) ||
                (m > k && fold_is(c, m, "and") && m + 1 < i && is_cap(c, m + 1))))
                m++;
        if (m == k || (m - k == 1 && in_lex(c, k, LEXICON_STOPWORDS)))
                return false;
        if (m < i && is_comma(c, m) && m + 1 < i && is_cap(c, m + 1))
                return false;   /* "Hamburg, Germany ...": a place list, not a subject */
        *b = *nb = k;
        *e = *ne = m;
        return true;
}
