#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/html.h"
#include "common/utf8.h"
#include "tap.h"

/* s with newlines shown as \n, so TAP lines stay single lines. */
static const char *esc(const char *s) {
        static char buf[2][2048];
        static int slot;
        char *b = buf[slot++ % 2], *w = b;
        for (; s && *s && w < b + sizeof(buf[0]) - 3; s++) {
                if (*s == '\n') {
                        *w++ = '\\';
                        *w++ = 'n';
                } else
                        *w++ = *s;
        }
        *w = '\0';
        return s ? b : "(null)";
}

#define CHECK_TEXT(got, want) do {                                      \
        const char *g2_ = (got), *w2_ = (want);                         \
        CHECK(g2_ && strcmp(g2_, w2_) == 0, "%s == \"%s\" (got \"%s\")", #got, esc(w2_), esc(g2_)); \
} while (0)

static const char article_page[] =
        "<!DOCTYPE html><html><head><meta charset=\"iso-8859-1\">"
        "<title>Harbour strike ends after nine days - The Coastal Herald</title>"
        "<script>var x = \"<p>not text</p>\";</script><style>p { color: red }</style></head>"
        "<body><header><a href=\"/\">Home</a> <a href=\"/world\">World</a></header>"
        "<nav class=\"menu\"><ul><li>Politics</li><li>Sport</li></ul></nav>"
        "<div class=\"share-bar\">Share on Facebook</div>"
        "<article><h1>Harbour strike ends after nine days</h1>"
        "<p>Dock workers in the port city voted on Tuesday to end a strike that had\n"
        "   halted   shipping for nine days, union leaders said.</p>"
        "<figure><img src=\"a.jpg\"><figcaption>Workers at the gate on Monday.</figcaption></figure>"
        "<p>&ldquo;We won a fair deal,&rdquo; said Ana L&oacute;pez, the union&#8217;s chair &amp; spokeswoman.</p>"
        "<div class=\"video\">JUST WATCHED Strike ends at the harbour Replay More Videos ...</div>"
        "<p>MUST WATCH Strike ends at the harbour 02:11</p>"
        "<h2>What comes next</h2>"
        "<p>The agreement raises wages by 4.5% over <b>two</b> years.<br><br>It must still be ratified.</p>"
        "<aside><p>Read our coverage of earlier strikes in the region and beyond.</p></aside>"
        "<div class=\"related-stories\"><p>Another story about something else entirely here.</p></div>"
        "<p class=\"caption\">Photo caption text.</p>"
        "</article>"
        "<footer><p>Copyright the Coastal Herald. All rights reserved.</p></footer>"
        "</body></html>";

static void test_article(void) {
        char *title = NULL, *text = NULL;
        int r = html_extract(article_page, strlen(article_page), &title, &text);
        CHECK(r == 0, "html_extract = %d", r);
        if (r != 0)
                return;
        CHECK_STR(title, "Harbour strike ends after nine days");
        CHECK_TEXT(text,
                  "Dock workers in the port city voted on Tuesday to end a strike that had halted shipping "
                  "for nine days, union leaders said.\n\n"
                  "\xe2\x80\x9cWe won a fair deal,\xe2\x80\x9d said Ana L\xc3\xb3pez, the union\xe2\x80\x99s "
                  "chair & spokeswoman.\n\n"
                  "What comes next\n\n"
                  "The agreement raises wages by 4.5% over two years.\n\n"
                  "It must still be ratified.");
        CHECK(utf8_is_valid(text, strlen(text)), "text is valid UTF-8");
        free(title);
        free(text);
}

/* No <article>: the div with the most paragraph text wins over the sidebar. */
static const char div_page[] =
        "<html><head><meta property=\"og:title\" content=\"Council   approves new budget\">"
        "<meta property=\"og:site_name\" content=\"Valley News\">"
        "<title>Council approves new budget | Valley News</title></head><body>"
        "<div id=\"sidebar\"><p>Most read: a short list of other things people liked to read.</p></div>"
        "<div id=\"wrap\"><div class=\"story\">"
        "<p>The city council approved a budget of $2.5 million on Monday night after a long debate.</p>"
        "<p>Three members voted against it, saying the plan cut too much from the parks department.</p>"
        "<p>The mayor said the budget \"keeps the city on a sound footing\" for the next year.</p>"
        "</div><div class=\"teaser\"><p><a href=\"/x\">Click to read about the parade</a></p></div></div>"
        "<p><a href=\"/a\">Link one</a> <a href=\"/b\">Link two</a></p>"
        "</body></html>";

static void test_no_article(void) {
        char *title = NULL, *text = NULL;
        int r = html_extract(div_page, strlen(div_page), &title, &text);
        CHECK(r == 0, "html_extract = %d", r);
        if (r != 0)
                return;
        CHECK_STR(title, "Council approves new budget");
        CHECK(strstr(text, "The city council approved a budget of $2.5 million") == text, "body starts with the story");
        CHECK(strstr(text, "\n\nThree members voted against it") != NULL, "second paragraph");
        CHECK(strstr(text, "\"keeps the city on a sound footing\"") != NULL, "third paragraph");
        CHECK(strstr(text, "Most read") == NULL, "sidebar dropped");
        CHECK(strstr(text, "Link one") == NULL, "link list dropped");
        free(title);
        free(text);
}

/* Paragraphs as divs, a video player spread over several elements, a
 * dateline in <cite>. */
static const char div_paragraphs[] =
        "<html><head><title>Ministers meet in Oslo - WorldPolitics</title></head><body>"
        "<div class=\"nav\"><a>World</a><a>Money</a></div>"
        "<div class=\"byline\">By Sam Writer</div>"
        "<section id=\"body-text\"><div class=\"l-container\">"
        "<div class=\"body-paragraph\"><cite>Oslo, Norway (Wire)</cite>Two ministers met for three hours on Monday.</div>"
        "<div class=\"body-paragraph\">They agreed to meet again, an aide said.</div>"
        "<div class=\"el-box\"><div>JUST WATCHED</div><div>Ministers talk in Oslo</div>"
        "<div>Replay</div><div>More Videos ...</div><div>MUST WATCH</div></div>"
        "<div class=\"body-paragraph\">No date was set for the next round.</div>"
        "</div></section><div class=\"footer-links\"><p>About us and other links.</p></div></body></html>";

static void test_div_paragraphs(void) {
        char *title = NULL, *text = NULL;
        int r = html_extract(div_paragraphs, strlen(div_paragraphs), &title, &text);
        CHECK(r == 0, "html_extract = %d", r);
        if (r != 0)
                return;
        CHECK_STR(title, "Ministers meet in Oslo");
        CHECK_TEXT(text, "Oslo, Norway (Wire) Two ministers met for three hours on Monday.\n\n"
                   "They agreed to meet again, an aide said.\n\n"
                   "No date was set for the next round.");
        free(title);
        free(text);
}

static void test_titles(void) {
        char *title = NULL, *text = NULL;
        const char *h1_only = "<html><body><h1>Floods hit the north</h1><p>Rivers burst their banks overnight.</p></body></html>";
        CHECK(html_extract(h1_only, strlen(h1_only), &title, &text) == 0, "h1 page");
        CHECK_STR(title, "Floods hit the north");
        CHECK_TEXT(text, "Rivers burst their banks overnight.");
        free(title);
        free(text);

        /* a dash inside the headline is not a site suffix */
        const char *dash = "<title>Talks stall - and prices rise again across the region</title><p>Text here.</p>";
        CHECK(html_extract(dash, strlen(dash), &title, &text) == 0, "dash title page");
        CHECK_STR(title, "Talks stall - and prices rise again across the region");
        free(title);
        free(text);

        const char *cnn = "<title>Russia and Norway disagree over fishing talks - CNNPolitics</title><p>Body.</p>";
        CHECK(html_extract(cnn, strlen(cnn), &title, &text) == 0, "CNN style title page");
        CHECK_STR(title, "Russia and Norway disagree over fishing talks");
        free(title);
        free(text);
}

static void test_errors(void) {
        char *title = NULL, *text = NULL;
        CHECK(html_extract("<p>caf\xe9</p>", 9, &title, &text) == -EINVAL && !title && !text,
              "invalid UTF-8 is -EINVAL");
        CHECK(html_extract("<html><body><script>x()</script></body></html>", 46, &title, &text) == -EINVAL,
              "a page without text is -EINVAL");
        const char *broken = "<html><body><p>Unclosed <b>bold <i>and italic<p>Next para &amp; more &#9731;";
        CHECK(html_extract(broken, strlen(broken), &title, &text) == 0, "broken HTML is recovered");
        CHECK_TEXT(text, "Unclosed bold and italic\n\nNext para & more \xe2\x98\x83");
        free(title);
        free(text);
}

static void test_boilerplate(void) {
        const char *a = "JUST WATCHED Leaders meet in Hamburg Replay More Videos ...";
        CHECK(html_boilerplate_line(a, strlen(a)), "JUST WATCHED line");
        const char *b = "MUST WATCH Leaders meet in Hamburg 20:52";
        CHECK(html_boilerplate_line(b, strlen(b)), "MUST WATCH line");
        CHECK(html_boilerplate_line("Advertisement", 13), "Advertisement");
        CHECK(html_boilerplate_line("Advertisement.", 14), "Advertisement. (the whole line, give or take a stop)");
        CHECK(html_boilerplate_line("  Up next!", 10), "Up next! (a two-word whole line)");
        CHECK(!html_boilerplate_line("Advertisements.", 15), "a longer word is not the entry");
        const char *c = "He said they must watch the border closely.";
        CHECK(!html_boilerplate_line(c, strlen(c)), "must watch inside a sentence is text");
        const char *d = "Critics said the advertisement was misleading.";
        CHECK(!html_boilerplate_line(d, strlen(d)), "advertisement inside a sentence is text");
        /* "any" entries count anywhere in the line, as whole words */
        const char *e = "The two leaders shake hands in Hamburg. Hide Caption 3 of 12";
        CHECK(html_boilerplate_line(e, strlen(e)), "hide caption in mid-line");
        const char *f = "Photos from the summit hide caption";
        CHECK(html_boilerplate_line(f, strlen(f)), "hide caption at the end of the line");
        const char *g = "Show caption The two leaders shake hands";
        CHECK(html_boilerplate_line(g, strlen(g)), "show caption at the start");
        const char *h = "Editors chose to hide captions on the photos.";
        CHECK(!html_boilerplate_line(h, strlen(h)), "hide captions is not the entry");
        const char *i = "They said to rehide caption text.";
        CHECK(!html_boilerplate_line(i, strlen(i)), "an entry inside a longer word is not the entry");
}

int main(void) {
        test_article();
        test_no_article();
        test_div_paragraphs();
        test_titles();
        test_errors();
        test_boilerplate();
        return tap_done();
}
