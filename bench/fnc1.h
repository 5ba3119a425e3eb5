/* Reading the FNC-1 CSV files in place for the benchmarks (the data is
 * never copied into the repository): train_bodies.csv (Body ID,articleBody)
 * and, optionally, train_stances.csv (Headline,Body ID,Stance) for a title
 * and a story key per body. */
#pragma once

#include <stddef.h>

struct fnc1_body {
        long id;
        char *text;             /* the article body */
        char *title;            /* a headline that is related to the body, or NULL */
        size_t words;           /* whitespace-separated tokens in title and text */
        size_t story;           /* bodies about one claim share a story number */
};

struct fnc1 {
        struct fnc1_body *bodies;
        size_t n;
};

/* Loads bodies_path and, when stances_path is not NULL, gives each body
 * the first headline that agrees with, disagrees with or discusses it as
 * its title and groups bodies by that headline into stories.  Returns 0 or
 * a negative errno. */
int fnc1_load(const char *bodies_path, const char *stances_path, struct fnc1 *ret);
void fnc1_free(struct fnc1 *f);

/* Whitespace-separated tokens in s (the "words" of words per second). */
size_t count_words(const char *s);
