/* People, organisations and places: capitalised spans plus gazetteers and
 * demonyms ("Russian" -> Russia), titles kept apart from names. */
#pragma once

#include <stdbool.h>

#include "claim.h"
#include "segment.h"

struct entity_mention {
        int32_t start, end;     /* bytes */
        size_t tok_begin, tok_end;
        char *name;             /* canonical name */
        char kind;              /* as struct entity_ref */
};

/* Finds the entity mentions in tokens [tok_begin, tok_end) of st, in text
 * order.  Returns 0 and fills *ret and *ret_n (free with
 * entity_mentions_free), or -ENOMEM.
 *
 * Names are canonical so that mentions from different sources compare equal:
 * gazetteer names for places and known organisations ("U.S.", "US",
 * "America", "American" -> "United States", kind 'L'; "Russian" -> "Russia";
 * "the Kremlin" -> "Kremlin", 'O'), titles stripped from people ("U.S.
 * Secretary of State Rex Tillerson" -> "United States" 'L' + "Rex Tillerson"
 * 'P'), possessives dropped ("Putin's" -> "Putin").  A lone surname is
 * replaced by a full name of the same range that ends with it ("Lavrov" ->
 * "Sergey Lavrov"): call it on a whole text (0, st->n_tokens) once and pick
 * mentions by token range to resolve across sentences.  Kinds: 'P' person
 * (a title before it, a known given name, or two or three unknown capitalised
 * words), 'O' organisation (gazetteer, an organisation word such as
 * "Ministry" or "University", a short acronym), 'L' place, 'M' anything else
 * (a lone unknown capitalised word, "Cold War").  A capitalised first word
 * of a sentence counts only when a gazetteer, the title or given-name lists
 * know it, or it is capitalised elsewhere in the text away from a sentence
 * start. */
int entities_find(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                  struct entity_mention **ret, size_t *ret_n);

/* entities_find() for a text whose capitals say little on their own, as a
 * headline in Title Case: context (may be NULL), typically the article body,
 * tells which words are written as names in running text.  In a Title Case
 * or all-capitals sentence (found in st itself, title or body), a
 * capitalised word counts only when a gazetteer, the title or given-name
 * lists, or capitals in running text (st or context) say it is a name. */
int entities_find_context(const struct segmented_text *st, size_t tok_begin, size_t tok_end,
                          const struct segmented_text *context, struct entity_mention **ret, size_t *ret_n);

void entity_mentions_free(struct entity_mention *m, size_t n);

/* Replaces each 'P'/'M' name of m[0..n) by the longer person name of m that
 * ends with its words ("Lavrov", "Pena Nieto" -> "Sergey Lavrov", "Enrique
 * Pena Nieto"; the most used one when there are several, the first used on
 * a tie), decided on the names as found, and makes it 'P'.  entities_find()
 * already does this within its range; the pipeline may call it again on
 * mentions gathered over a whole article.  Returns 0, or -ENOMEM with m
 * unchanged. */
int entity_mentions_resolve(struct entity_mention *m, size_t n);

/* True when two entity names (with their kinds) can name the same entity
 * across sources: equal names, or a one-word person/unknown name equal to
 * the last word of the other's person name ("Lavrov" ~ "Sergey Lavrov"). */
bool entity_names_match(const char *a, char kind_a, const char *b, char kind_b);
