/* HTML article -> title and body paragraphs.  libxml2's HTML parser builds the
 * tree; we drop page furniture (scripts, navigation, asides, captions, forms,
 * elements whose class or id says nav/share/related/...), pick the element
 * holding the article (the <article> with the most paragraph text, else the
 * element whose paragraph children hold the most text, with its strong
 * siblings), and flatten it to paragraphs: every block element starts a new
 * one, inline elements continue it, white space collapses. */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html.h"
#include "lexicon.h"
#include "utf8.h"

struct buf {
        char *s;
        size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n) {
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 256;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *p = realloc(b->s, cap);
                if (!p)
                        return -ENOMEM;
                b->s = p;
                b->cap = cap;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

/* Returns the length of the white space (ASCII, NBSP, other Unicode spaces)
 * starting at s[0..n), 0 when s does not start with white space. */
static size_t space_len(const char *s, size_t n) {
        const unsigned char *u = (const unsigned char *) s;
        if (n >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' || u[0] == '\r' || u[0] == '\f' || u[0] == '\v'))
                return 1;
        if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)                    /* NBSP */
                return 2;
        if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
                return 3;                                               /* U+2000..200A, 2028, 2029, 202F */
        if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)    /* ideographic space */
                return 3;
        return 0;
}

/* Appends s with white space runs collapsed to one space (no leading space
 * at the start of the buffer, none doubled). */
static int buf_add_collapsed(struct buf *b, const char *s, size_t n) {
        size_t i = 0;
        while (i < n) {
                size_t w = space_len(s + i, n - i);
                if (w) {
                        while (i < n && (w = space_len(s + i, n - i)))
                                i += w;
                        if (b->len > 0 && b->s[b->len - 1] != ' ' && buf_add(b, " ", 1) < 0)
                                return -ENOMEM;
                        continue;
                }
                size_t j = i;
                while (j < n && !space_len(s + j, n - j))
                        j++;
                if (buf_add(b, s + i, j - i) < 0)
                        return -ENOMEM;
                i = j;
        }
        return 0;
}

static void buf_trim_end(struct buf *b) {
        while (b->len > 0 && b->s[b->len - 1] == ' ')
                b->s[--b->len] = '\0';
}

static bool name_is(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *) n->name, name) == 0;
}

static bool name_in(const xmlNode *n, const char *const *names) {
        if (n->type != XML_ELEMENT_NODE || !n->name)
                return false;
        for (size_t i = 0; names[i]; i++)
                if (strcasecmp((const char *) n->name, names[i]) == 0)
                        return true;
        return false;
}

static const char *const skipped_elements[] = {
        "script", "style", "nav", "header", "footer", "aside", "form", "figure", "figcaption",
        "noscript", "iframe", "svg", "button", "select", "textarea", "template", "object", "embed",
        "canvas", "video", "audio", "menu", "dialog", "head", "title", "input", "label", "option",
        "picture", "img", "map", "math", NULL
};

static const char *const block_elements[] = {
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
        "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead",
        "tfoot", "caption", "hr", "address", "center", "details", "summary", "fieldset", "body",
        "html", "hgroup", NULL
};

/* Words in class or id attributes that mark page furniture; a word matches
 * when a class/id word equals it or (for the longer ones) starts with it. */
static const char *const furniture_exact[] = {
        "ad", "ads", "adv", "nav", "menu", "share", "social", "related", "comment", "comments",
        "caption", "promo", "sidebar", "breadcrumb", "breadcrumbs", "newsletter", "subscribe",
        "cookie", "cookies", "popup", "modal", "footer", "masthead", "byline-social", "toolbar",
        "disqus", "outbrain", "taboola", "sponsored", "widget", "banner", "tags", "video", "videos",
        "player", "embed", "embedded", "gallery", "slideshow", "byline", "timestamp", NULL
};
static const char *const furniture_prefix[] = {
        "advert", "sponsor", "navigation", "navbar", "menu", "sharing", "share", "social",
        "related", "comment", "caption", "promo", "breadcrumb", "newsletter", "taboola",
        "outbrain", NULL
};

/* Does one class/id word name page furniture? */
static bool furniture_word(const char *w, size_t n) {
        for (size_t i = 0; furniture_exact[i]; i++)
                if (strlen(furniture_exact[i]) == n && strncasecmp(w, furniture_exact[i], n) == 0)
                        return true;
        for (size_t i = 0; furniture_prefix[i]; i++) {
                size_t m = strlen(furniture_prefix[i]);
                if (n >= m && strncasecmp(w, furniture_prefix[i], m) == 0)
                        return true;
        }
        return false;
}

/* Does the class or id of n mark it as navigation, sharing, ads, ...? */
static bool furniture_attrs(const xmlNode *n) {
        static const char *const attrs[] = { "class", "id", "role", NULL };

        for (size_t a = 0; attrs[a]; a++) {
                xmlChar *v = xmlGetProp(n, (const xmlChar *) attrs[a]);
                if (!v)
                        continue;
                bool hit = false;
                const char *s = (const char *) v;
                if (a == 2)     /* role */
                        hit = strcasecmp(s, "navigation") == 0 || strcasecmp(s, "complementary") == 0 ||
                                strcasecmp(s, "banner") == 0 || strcasecmp(s, "contentinfo") == 0;
                else
                        for (size_t i = 0; s[i] && !hit;) {
                                /* class/id words: split on anything but letters and digits */
                                size_t j = i;
                                while (s[j] && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                                                (s[j] >= '0' && s[j] <= '9')))
                                        j++;
                                if (j > i && furniture_word(s + i, j - i))
                                        hit = true;
                                i = j + (s[j] ? 1 : 0);
                        }
                xmlFree(v);
                if (hit)
                        return true;
        }
        return false;
}

/* Is n (an element) dropped with everything inside it? */
static bool skipped(const xmlNode *n, bool use_attrs) {
        if (n->type != XML_ELEMENT_NODE)
                return n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE &&
                        n->type != XML_ENTITY_REF_NODE;
        if (name_in(n, skipped_elements))
                return true;
        if (xmlHasProp(n, (const xmlChar *) "hidden"))
                return true;
        if (!use_attrs || name_is(n, "body") || name_is(n, "html") || name_is(n, "article") || name_is(n, "main"))
                return false;
        return furniture_attrs(n);
}

/* Does the lower-cased line l[0..len) begin with a LEXICON_BOILERPLATE entry
 * of up to six words that counts there: a "prefix" one, an "any" one, or a
 * "whole" one that is all of the line but for trailing ".!" (whole_end)? */
static bool boilerplate_at_start(char *l, size_t len, size_t whole_end) {
        size_t j = 0;
        /* most words start no entry: one lookup instead of six */
        while (j < len && l[j] != ' ')
                j++;
        bool starts = lexicon_starts_entry_n(LEXICON_BOILERPLATE, l, j);
        if (!starts && j == len && whole_end > 0 && whole_end < len)
                /* the only word, as the "whole" match reads it: "Advertisement." */
                starts = lexicon_starts_entry_n(LEXICON_BOILERPLATE, l, whole_end);
        if (!starts)
                return false;
        j = 0;
        for (int words = 0; words < 6 && j < len; words++) {
                while (j < len && l[j] != ' ')
                        j++;
                char save = l[j];
                l[j] = '\0';
                const char *v = lexicon_lookup(LEXICON_BOILERPLATE, l);
                l[j] = save;
                if (!v && j == len && whole_end < len && whole_end > 0) {
                        save = l[whole_end];
                        l[whole_end] = '\0';
                        v = lexicon_lookup(LEXICON_BOILERPLATE, l);
                        l[whole_end] = save;
                        if (v && strcmp(v, "whole") != 0)
                                v = NULL;
                        else if (v)
                                j = whole_end;
                }
                if (v && (strcmp(v, "any") == 0 || strcmp(v, "prefix") == 0 ||
                          (strcmp(v, "whole") == 0 && (j == len || j == whole_end))))
                        return true;
                if (j < len)
                        j++;
        }
        return false;
}

/* The "any" entries of LEXICON_BOILERPLATE (of up to six words, as the
 * start-of-line look-up reads them), collected once; NULL-terminated.  When
 * the copy cannot be made, every line walks the whole list instead. */
static const char **any_keys;
static pthread_once_t any_keys_once = PTHREAD_ONCE_INIT;

static bool boilerplate_any_key(const char *key, const char *value) {
        size_t spaces = 0;
        for (const char *k = key; *k; k++)
                spaces += *k == ' ';
        return value && strcmp(value, "any") == 0 && key[0] && spaces < 6;
}

static void any_keys_collect(void) {
        const char *key, *v;
        size_t n = 0;
        for (size_t e = 0; lexicon_entry(LEXICON_BOILERPLATE, e, &key, &v); e++)
                n += boilerplate_any_key(key, v);
        const char **keys = calloc(n + 1, sizeof(*keys));
        if (!keys)
                return;
        n = 0;
        for (size_t e = 0; lexicon_entry(LEXICON_BOILERPLATE, e, &key, &v); e++)
                if (boilerplate_any_key(key, v))
                        keys[n++] = key;
        any_keys = keys;
}

/* Is key in l[0..len) as whole words? */
static bool has_phrase(const char *l, size_t len, const char *key) {
        size_t n = strlen(key);
        for (const char *p = l; (p = memmem(p, len - (size_t) (p - l), key, n)); p++) {
                size_t at = (size_t) (p - l);
                if ((at == 0 || l[at - 1] == ' ') && (at + n == len || l[at + n] == ' '))
                        return true;
        }
        return false;
}

/* Does the lower-cased line l[0..len) hold an "any" entry of
 * LEXICON_BOILERPLATE as whole words somewhere?  A search for those few
 * phrases, where asking about every word of every line took a lexicon
 * look-up per word. */
static bool boilerplate_anywhere(const char *l, size_t len) {
        pthread_once(&any_keys_once, any_keys_collect);
        if (any_keys) {
                for (const char **k = any_keys; *k; k++)
                        if (has_phrase(l, len, *k))
                                return true;
                return false;
        }
        const char *key, *v;
        for (size_t e = 0; lexicon_entry(LEXICON_BOILERPLATE, e, &key, &v); e++)
                if (boilerplate_any_key(key, v) && has_phrase(l, len, key))
                        return true;
        return false;
}

/* Boilerplate lines.  The line is lower-cased (ASCII); an entry of
 * LEXICON_BOILERPLATE counts at its start ("prefix", "whole") or anywhere
 * ("any"). */
bool html_boilerplate_line(const char *s, size_t len) {
        char stack[512], *l = stack;

        while (len > 0 && space_len(s, len)) {
                size_t w = space_len(s, len);
                s += w;
                len -= w;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t'))
                len--;
        if (len == 0)
                return false;
        if (len >= sizeof(stack)) {
                /* long lines are text: only their start is checked */
                len = sizeof(stack) - 1;
        }
        for (size_t i = 0; i < len; i++)
                l[i] = ascii_lower(s[i]);
        l[len] = '\0';

        /* the line without trailing ".!:…" for "whole" matches */
        size_t whole_end = len;
        while (whole_end > 0 && (l[whole_end - 1] == '.' || l[whole_end - 1] == '!' || l[whole_end - 1] == ' '))
                whole_end--;

        return boilerplate_at_start(l, len, whole_end) || boilerplate_anywhere(l, len);
}

/* Length of the collapsed text under n (skipping furniture), and of the part
 * inside links; stops counting once past limit. */
static void text_length(const xmlNode *n, bool in_link, size_t *total, size_t *linked) {
        for (const xmlNode *c = n->children; c; c = c->next) {
                if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                        if (!c->content)
                                continue;
                        size_t k = 0;
                        for (const char *p = (const char *) c->content; *p; p++)
                                if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
                                        k++;
                        *total += k;
                        if (in_link)
                                *linked += k;
                } else if (c->type == XML_ELEMENT_NODE && !skipped(c, true))
                        text_length(c, in_link || name_is(c, "a"), total, linked);
        }
}

/* Text directly inside n (its own text children and inline elements), not in
 * nested blocks. */
static size_t own_text_length(const xmlNode *n) {
        size_t total = 0;
        for (const xmlNode *c = n->children; c; c = c->next) {
                if (c->type == XML_TEXT_NODE && c->content) {
                        for (const char *p = (const char *) c->content; *p; p++)
                                if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
                                        total++;
                } else if (c->type == XML_ELEMENT_NODE && !skipped(c, true) && !name_in(c, block_elements)) {
                        size_t t = 0, l = 0;
                        text_length(c, false, &t, &l);
                        total += t;
                }
        }
        return total;
}

/* Scores live in the nodes' _private pointers while we look for the article. */
static intptr_t score_of(const xmlNode *n) {
        return (intptr_t) n->_private;
}

static void score_add(xmlNode *n, intptr_t v) {
        n->_private = (void *) (score_of(n) + v);
}

struct pick {
        xmlNode *best;          /* highest paragraph-parent score */
        xmlNode *best_article;  /* <article> with the most paragraph text */
        intptr_t best_article_text;
        xmlNode *h1;            /* first <h1> outside furniture */
};

/* Walks the tree: credits every paragraph's text to its parent (fully) and
 * grandparent (half), and sums paragraph text per <article>. */
static void score_tree(xmlNode *n, struct pick *p, xmlNode *article) {
        for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE || skipped(c, true))
                        continue;
                if (name_is(c, "h1") && !p->h1)
                        p->h1 = c;
                if (name_is(c, "article"))
                        article = c;

                size_t len = 0;
                if (name_is(c, "p") || name_is(c, "pre") || name_is(c, "blockquote")) {
                        size_t total = 0, linked = 0;
                        text_length(c, false, &total, &linked);
                        if (linked * 2 <= total)
                                len = total;
                } else if (name_in(c, block_elements) && !name_is(c, "li") && !name_is(c, "td"))
                        len = own_text_length(c) >= 40 ? own_text_length(c) : 0;

                if (len > 0 && c->parent && c->parent->type == XML_ELEMENT_NODE) {
                        score_add(c->parent, (intptr_t) len);
                        if (c->parent->parent && c->parent->parent->type == XML_ELEMENT_NODE)
                                score_add(c->parent->parent, (intptr_t) len / 2);
                }
                if (len > 0 && article && article->parent) {
                        /* per-article paragraph text is kept in psvi, unused
                         * by the HTML parser */
                        article->psvi = (void *) ((intptr_t) article->psvi + (intptr_t) len);
                        if ((intptr_t) article->psvi > p->best_article_text) {
                                p->best_article_text = (intptr_t) article->psvi;
                                p->best_article = article;
                        }
                }
                score_tree(c, p, article);
        }
}

static void find_best(xmlNode *n, xmlNode **best) {
        for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (score_of(c) > 0 && (!*best || score_of(c) > score_of(*best)))
                        *best = c;
                find_best(c, best);
        }
}

struct flatten {
        struct buf out;         /* paragraphs joined by "\n\n" */
        struct buf para;        /* the paragraph being built */
        size_t para_linked;     /* bytes of para inside links */
        bool use_attrs;
        bool last_br;
        int err;
};

/* Ends the paragraph being built: kept unless empty, boilerplate, or mostly
 * links. */
static void flush(struct flatten *f) {
        buf_trim_end(&f->para);
        if (f->para.len > 0 && !html_boilerplate_line(f->para.s, f->para.len) &&
            !(f->para_linked * 10 > f->para.len * 7 && f->para.len < 200)) {
                if (f->out.len > 0 && buf_add(&f->out, "\n\n", 2) < 0)
                        f->err = -ENOMEM;
                if (buf_add(&f->out, f->para.s, f->para.len) < 0)
                        f->err = -ENOMEM;
        }
        f->para.len = 0;
        if (f->para.s)
                f->para.s[0] = '\0';
        f->para_linked = 0;
        f->last_br = false;
}

/* Appends the collapsed text under n to b, blocks separated by spaces, until
 * b holds limit bytes.  Returns false when the limit was reached. */
static bool gather_text(const xmlNode *n, struct buf *b, size_t limit, bool use_attrs) {
        for (const xmlNode *c = n->children; c; c = c->next) {
                if (b->len >= limit)
                        return false;
                if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                        if (c->content && buf_add_collapsed(b, (const char *) c->content,
                                                            strlen((const char *) c->content)) < 0)
                                return false;
                } else if (c->type == XML_ELEMENT_NODE && !skipped(c, use_attrs)) {
                        if (name_in(c, block_elements) && b->len > 0 && b->s[b->len - 1] != ' ' &&
                            buf_add(b, " ", 1) < 0)
                                return false;
                        if (!gather_text(c, b, limit, use_attrs))
                                return false;
                }
        }
        return b->len < limit;
}

/* Is block n, read as one line, page furniture (a video player whose
 * "JUST WATCHED", headline and "Replay" sit in separate elements)? */
static bool boilerplate_block(const xmlNode *n, bool use_attrs) {
        struct buf b = {0};
        bool hit = false;
        if (gather_text(n, &b, 400, use_attrs) && b.len > 0)
                hit = html_boilerplate_line(b.s, b.len);
        free(b.s);
        return hit;
}

static void flatten_node(struct flatten *f, xmlNode *n, bool in_link) {
        for (xmlNode *c = n->children; c && !f->err; c = c->next) {
                if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                        if (!c->content)
                                continue;
                        size_t before = f->para.len;
                        if (buf_add_collapsed(&f->para, (const char *) c->content,
                                              strlen((const char *) c->content)) < 0)
                                f->err = -ENOMEM;
                        if (in_link)
                                f->para_linked += f->para.len - before;
                        if (f->para.len > before)
                                f->last_br = false;
                        continue;
                }
                if (c->type != XML_ELEMENT_NODE || skipped(c, f->use_attrs))
                        continue;
                if (name_is(c, "br")) {
                        if (f->last_br)
                                flush(f);
                        else if (f->para.len > 0 && f->para.s[f->para.len - 1] != ' ' &&
                                 buf_add(&f->para, " ", 1) < 0)
                                f->err = -ENOMEM;
                        f->last_br = true;
                        continue;
                }
                if (name_is(c, "h1"))
                        continue;       /* the headline is the title */
                bool block = name_in(c, block_elements);
                if (block) {
                        flush(f);
                        if (boilerplate_block(c, f->use_attrs))
                                continue;
                }
                flatten_node(f, c, in_link || name_is(c, "a"));
                if (block)
                        flush(f);
                else if (name_is(c, "cite") && f->para.len > 0 && f->para.s[f->para.len - 1] != ' ' &&
                         buf_add(&f->para, " ", 1) < 0)
                        f->err = -ENOMEM;   /* "(CNN)" datelines run into the text */
        }
}

/* Collapses white space of a title candidate into a new string. */
static char *clean_title(const char *s) {
        struct buf b = {0};
        if (!s || buf_add(&b, "", 0) < 0 || buf_add_collapsed(&b, s, strlen(s)) < 0) {
                free(b.s);
                return NULL;
        }
        buf_trim_end(&b);
        return b.s;
}

/* Is the suffix after a title separator a site name?  Short (at most four
 * words), each word capitalised or holding a dot/digit ("CNNPolitics",
 * "The New York Times", "nytimes.com"), or equal to og:site_name. */
static bool site_name(const char *s, size_t n, const char *site) {
        if (n == 0 || n > 40)
                return false;
        if (site && strlen(site) == n && strncasecmp(s, site, n) == 0)
                return true;
        size_t words = 0;
        for (size_t i = 0; i < n;) {
                while (i < n && s[i] == ' ')
                        i++;
                if (i >= n)
                        break;
                size_t j = i;
                while (j < n && s[j] != ' ')
                        j++;
                bool ok = (s[i] >= 'A' && s[i] <= 'Z') || (unsigned char) s[i] >= 0x80 ||
                        memchr(s + i, '.', j - i) || (s[i] >= '0' && s[i] <= '9');
                static const char *const small[] = { "of", "the", "and", "for", "on", "de", "&", NULL };
                for (size_t k = 0; small[k] && !ok; k++)
                        ok = strlen(small[k]) == j - i && strncmp(s + i, small[k], j - i) == 0;
                if (!ok)
                        return false;
                words++;
                i = j;
        }
        return words >= 1 && words <= 4;
}

/* Strips " - Site" / " | Site" suffixes (twice at most) from title t, in place. */
static void strip_site_suffix(char *t, const char *site) {
        static const char *const seps[] = { " | ", " - ", " \xe2\x80\x94 ", " \xe2\x80\x93 ", " \xc2\xb7 ", " :: ", " \xe2\x80\xa2 ", NULL };

        for (int round = 0; round < 2; round++) {
                char *cut = NULL;
                size_t cut_len = 0;
                for (size_t i = 0; seps[i]; i++) {
                        size_t m = strlen(seps[i]);
                        for (char *p = strstr(t, seps[i]); p; p = strstr(p + 1, seps[i]))
                                if (!cut || p > cut) {
                                        cut = p;
                                        cut_len = m;
                                }
                }
                if (!cut)
                        return;
                const char *suffix = cut + cut_len;
                size_t prefix_len = (size_t) (cut - t), suffix_len = strlen(suffix);
                if (prefix_len < suffix_len || prefix_len < 10 || !site_name(suffix, suffix_len, site))
                        return;
                *cut = '\0';
        }
}

/* Text of the first element named name under n, or NULL. */
static xmlNode *find_element(xmlNode *n, const char *name) {
        for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (name_is(c, name))
                        return c;
                xmlNode *r = find_element(c, name);
                if (r)
                        return r;
        }
        return NULL;
}

/* content= of <meta property|name="key">, or NULL (free with xmlFree). */
static xmlChar *find_meta(xmlNode *n, const char *key) {
        for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (name_is(c, "meta")) {
                        xmlChar *p = xmlGetProp(c, (const xmlChar *) "property");
                        if (!p)
                                p = xmlGetProp(c, (const xmlChar *) "name");
                        bool match = p && strcasecmp((const char *) p, key) == 0;
                        xmlFree(p);
                        if (match)
                                return xmlGetProp(c, (const xmlChar *) "content");
                        continue;
                }
                xmlChar *r = find_meta(c, key);
                if (r)
                        return r;
        }
        return NULL;
}

/* The title: og:title, else <title>, else the first <h1>, with a site-name
 * suffix removed. */
static char *extract_title(xmlNode *root, xmlNode *h1) {
        xmlChar *site = find_meta(root, "og:site_name");
        xmlChar *raw = find_meta(root, "og:title");
        char *t = NULL;

        if (!raw || !*raw) {
                xmlFree(raw);
                xmlNode *te = find_element(root, "title");
                raw = te ? xmlNodeGetContent(te) : NULL;
        }
        if ((!raw || !*raw) && h1) {
                xmlFree(raw);
                raw = xmlNodeGetContent(h1);
        }
        t = clean_title(raw ? (const char *) raw : "");
        if (t)
                strip_site_suffix(t, site ? (const char *) site : NULL);
        xmlFree(raw);
        xmlFree(site);
        return t;
}

/* Makes s valid UTF-8 in place by dropping bad bytes (libxml2 may let some
 * odd character references through). */
static void utf8_sanitize(char *s) {
        size_t len = strlen(s), w = 0;
        for (size_t i = 0; i < len;) {
                size_t k = 1;
                unsigned char c = (unsigned char) s[i];
                if (c >= 0xF0)
                        k = 4;
                else if (c >= 0xE0)
                        k = 3;
                else if (c >= 0xC0)
                        k = 2;
                if (i + k <= len && utf8_is_valid(s + i, k)) {
                        memmove(s + w, s + i, k);
                        w += k;
                        i += k;
                } else
                        i++;
        }
        s[w] = '\0';
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void) {
        xmlInitParser();
}

static void clear_scores(xmlNode *n) {
        for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                c->_private = NULL;
                c->psvi = NULL;
                clear_scores(c);
        }
}

/* Flattens the chosen containers into f->out. */
static void flatten_article(struct flatten *f, xmlNode *body, xmlNode *best, xmlNode *article,
                            intptr_t article_text) {
        if (article && article_text * 2 >= score_of(best ? best : article)) {
                flatten_node(f, article, false);
                flush(f);
                return;
        }
        if (!best) {
                flatten_node(f, body, false);
                flush(f);
                return;
        }
        /* the best container and its siblings holding paragraph text too */
        intptr_t floor = score_of(best) / 5;
        xmlNode *parent = best->parent;
        if (!parent || parent->type != XML_ELEMENT_NODE) {
                flatten_node(f, best, false);
                flush(f);
                return;
        }
        for (xmlNode *c = parent->children; c && !f->err; c = c->next) {
                if (c->type != XML_ELEMENT_NODE || skipped(c, f->use_attrs))
                        continue;
                if (c == best || (score_of(c) >= floor && score_of(c) > 0) ||
                    (name_is(c, "p") && c->parent == parent)) {
                        flush(f);
                        if (name_is(c, "p") || name_in(c, block_elements))
                                flatten_node(f, c, false);
                        flush(f);
                }
        }
        flush(f);
}

int html_extract(const char *html, size_t len, char **ret_title, char **ret_text) {
        struct flatten f = {0};
        char *title = NULL;
        int r;

        if (!html || !ret_title || !ret_text || len > INT32_MAX)
                return -EINVAL;
        if (!utf8_is_valid(html, len))
                return -EINVAL;
        (void) pthread_once(&xml_once, xml_init);

        htmlDocPtr doc = htmlReadMemory(html, (int) len, NULL, "UTF-8",
                                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
        if (!doc)
                return -EINVAL;
        xmlNode *root = xmlDocGetRootElement(doc);
        if (!root) {
                xmlFreeDoc(doc);
                return -EINVAL;
        }
        xmlNode *body = find_element(root, "body");
        if (!body)
                body = root;

        struct pick p = {0};
        clear_scores(root);
        score_tree(body, &p, NULL);
        xmlNode *best = NULL;
        find_best(body, &best);

        title = extract_title(root, p.h1);
        if (!title) {
                r = -ENOMEM;
                goto out;
        }

        f.use_attrs = true;
        flatten_article(&f, body, best, p.best_article, p.best_article_text);
        if (!f.err && f.out.len == 0) {
                /* furniture filters ate everything: try again without the
                 * class/id rules */
                f.use_attrs = false;
                flatten_node(&f, body, false);
                flush(&f);
        }
        if (f.err) {
                r = f.err;
                goto out;
        }
        if (!f.out.s && buf_add(&f.out, "", 0) < 0) {
                r = -ENOMEM;
                goto out;
        }
        utf8_sanitize(title);
        utf8_sanitize(f.out.s);
        if (title[0] == '\0' && f.out.s[0] == '\0') {
                r = -EINVAL;
                goto out;
        }
        *ret_title = title;
        *ret_text = f.out.s;
        title = NULL;
        f.out.s = NULL;
        r = 0;
out:
        clear_scores(root);
        free(title);
        free(f.out.s);
        free(f.para.s);
        xmlFreeDoc(doc);
        return r;
}
