/* HTML article -> title and body text, with libxml2's HTML parser. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Parses an HTML document and returns its title (from <title>, og:title or the
 * first <h1>) and body paragraphs joined by blank lines, dropping navigation,
 * scripts, styles, captions, forms, asides and video boilerplate.
 * Returns 0 and fills *ret_title and *ret_text (malloc'ed, valid UTF-8; either
 * may be an empty string), -EINVAL when the input is not valid UTF-8 or holds
 * nothing that looks like an article, -ENOMEM. */
int html_extract(const char *html, size_t len, char **ret_title, char **ret_text);

/* True when the line s[0..len) is web-page furniture ("JUST WATCHED ...
 * Replay More Videos", "MUST WATCH ...", "Advertisement", "Read more: ...")
 * per LEXICON_BOILERPLATE; usable on plain-text articles too. */
bool html_boilerplate_line(const char *s, size_t len);
