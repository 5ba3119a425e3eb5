#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/segment.h"
#include "tap.h"

/* Segments s; returns NULL (after a failed check) on error. */
static struct segmented_text *seg(const char *s) {
        struct segmented_text *st = NULL;
        char label[41];
        int r = segment_text(s, strlen(s), &st);
        snprintf(label, sizeof(label), "%s", s);
        for (char *p = label; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        CHECK(r == 0 && st, "segment_text(\"%s...\") = %d", label, r);
        return r == 0 ? st : NULL;
}

/* Text of sentence k as a static string (for CHECK_STR). */
static const char *sent(const struct segmented_text *st, size_t k) {
        static char buf[4][512];
        static int slot;
        if (k >= st->n_sentences)
                return "(none)";
        char *b = buf[slot++ % 4];
        snprintf(b, 512, "%.*s", (int) (st->sentences[k].end - st->sentences[k].start),
                 st->text + st->sentences[k].start);
        return b;
}

static const char *tok(const struct segmented_text *st, size_t k) {
        static char buf[4][256];
        static int slot;
        if (k >= st->n_tokens)
                return "(none)";
        char *b = buf[slot++ % 4];
        snprintf(b, 256, "%.*s", (int) (st->tokens[k].end - st->tokens[k].start),
                 st->text + st->tokens[k].start);
        return b;
}

/* Index of the first token whose text is w, or -1. */
static long find_tok(const struct segmented_text *st, const char *w) {
        for (size_t i = 0; i < st->n_tokens; i++)
                if ((size_t) (st->tokens[i].end - st->tokens[i].start) == strlen(w) &&
                    memcmp(st->text + st->tokens[i].start, w, strlen(w)) == 0)
                        return (long) i;
        return -1;
}

static void test_abbreviations(void) {
        struct segmented_text *st = seg(
                "Mr. Smith and Gen. Mark Lee flew to the U.S. on Tuesday. Sen. Ann Ruiz, Rep. Tom Ode and "
                "Dr. Kay Bell met J. Edgar Wells in St. Louis. The Sept. 11 memorial opened on Jan. 5, "
                "and Acme Inc. said it would pay. The talks moved to the U.S. The next round is in May.");
        if (!st)
                return;
        CHECK(st->n_sentences == 5, "five sentences (got %zu)", st->n_sentences);
        CHECK_STR(sent(st, 0), "Mr. Smith and Gen. Mark Lee flew to the U.S. on Tuesday.");
        CHECK_STR(sent(st, 1), "Sen. Ann Ruiz, Rep. Tom Ode and Dr. Kay Bell met J. Edgar Wells in St. Louis.");
        CHECK_STR(sent(st, 2), "The Sept. 11 memorial opened on Jan. 5, and Acme Inc. said it would pay.");
        CHECK_STR(sent(st, 3), "The talks moved to the U.S.");
        CHECK_STR(sent(st, 4), "The next round is in May.");
        long i = find_tok(st, "U.S.");
        CHECK(i >= 0, "U.S. is one token");
        if (i >= 0) {
                CHECK_STR(st->tokens[i].fold, "u.s.");
                CHECK(st->tokens[i].flags & TOKEN_ALLCAPS, "U.S. is all caps");
                CHECK(st->tokens[i].flags & TOKEN_WORD, "U.S. is a word");
        }
        i = find_tok(st, "Mr.");
        CHECK(i == 0, "Mr. is the first token");
        CHECK(st->tokens[0].flags & TOKEN_SENT_START, "first token starts a sentence");
        CHECK(st->tokens[0].flags & TOKEN_PARA_START, "first token starts a paragraph");
        CHECK(find_tok(st, "J.") >= 0, "initial J. is one token");
        segmented_text_free(st);

        st = seg("\"He said, 'We won.' \" Then he left.");
        if (st) {
                CHECK(st->n_sentences == 2, "a spaced closing quote stays with its sentence (got %zu)", st->n_sentences);
                CHECK_STR(sent(st, 0), "\"He said, 'We won.' \"");
                segmented_text_free(st);
        }

        /* "no." ending a sentence is not the abbreviation No. */
        st = seg("He said no. Then he left. Item No. 4 was sold.");
        if (st) {
                CHECK(st->n_sentences == 3, "no. ends a sentence, No. 4 does not (got %zu)", st->n_sentences);
                CHECK_STR(sent(st, 2), "Item No. 4 was sold.");
                segmented_text_free(st);
        }
}

static void test_quotes(void) {
        struct segmented_text *st = seg(
                "\"We will not accept this. It is a mistake,\" the minister said. She added: \"No.\" "
                "Then she left. \"Really?\" he asked.");
        if (!st)
                return;
        CHECK(st->n_sentences == 5, "five sentences (got %zu)", st->n_sentences);
        CHECK_STR(sent(st, 0), "\"We will not accept this.");
        CHECK_STR(sent(st, 1), "It is a mistake,\" the minister said.");
        CHECK_STR(sent(st, 2), "She added: \"No.\"");
        CHECK_STR(sent(st, 3), "Then she left.");
        CHECK_STR(sent(st, 4), "\"Really?\" he asked.");
        CHECK(st->tokens[0].flags & TOKEN_QUOTE, "leading \" is a quote");
        CHECK(st->tokens[0].flags & TOKEN_QUOTE_OPEN, "leading \" opens");
        long i = find_tok(st, "mistake");
        CHECK(i > 0 && (st->tokens[i + 2].flags & TOKEN_QUOTE_CLOSE), "\" after a comma closes");
        i = find_tok(st, "No");
        CHECK(i > 0 && (st->tokens[i - 1].flags & TOKEN_QUOTE_OPEN), "\" after a colon and space opens");
        CHECK(i > 0 && (st->tokens[i + 2].flags & TOKEN_QUOTE_CLOSE), "\" after No. closes");
        segmented_text_free(st);

        /* curly quotes and apostrophes */
        st = seg("\xe2\x80\x9cWe didn\xe2\x80\x99t win,\xe2\x80\x9d Putin\xe2\x80\x99s aide said of "
                 "the countries\xe2\x80\x99 leaders and the \xe2\x80\x98" "deal\xe2\x80\x99.");
        if (!st)
                return;
        CHECK(st->n_sentences == 1, "one sentence (got %zu)", st->n_sentences);
        CHECK((st->tokens[0].flags & (TOKEN_QUOTE | TOKEN_QUOTE_OPEN)) == (TOKEN_QUOTE | TOKEN_QUOTE_OPEN),
              "“ opens");
        CHECK_STR(tok(st, 2), "didn\xe2\x80\x99t");
        CHECK_STR(st->tokens[2].fold, "didn't");
        CHECK(st->tokens[2].flags & TOKEN_WORD, "didn’t is a word");
        CHECK((st->tokens[5].flags & TOKEN_QUOTE_CLOSE), "” closes");
        CHECK_STR(tok(st, 6), "Putin\xe2\x80\x99s");
        CHECK_STR(st->tokens[6].fold, "putin's");
        CHECK_STR(st->tokens[6].stem, "putin");
        i = find_tok(st, "countries");
        CHECK(i > 0 && !(st->tokens[i + 1].flags & TOKEN_QUOTE), "possessive ’ is not a quote");
        CHECK(i > 0 && (st->tokens[i + 1].flags & TOKEN_PUNCT), "possessive ’ is punctuation");
        i = find_tok(st, "deal");
        CHECK(i > 0 && (st->tokens[i - 1].flags & TOKEN_QUOTE_OPEN), "‘ opens");
        CHECK(i > 0 && (st->tokens[i + 1].flags & TOKEN_QUOTE_CLOSE), "’ closes an open ‘");
        segmented_text_free(st);

        /* straight apostrophes and single quotes */
        st = seg("She said 'maybe' but the officials' view didn't change.");
        if (!st)
                return;
        i = find_tok(st, "maybe");
        CHECK(i > 0 && (st->tokens[i - 1].flags & TOKEN_QUOTE_OPEN), "' before a word opens");
        CHECK(i > 0 && (st->tokens[i + 1].flags & TOKEN_QUOTE_CLOSE), "' after a word closes");
        i = find_tok(st, "officials");
        CHECK(i > 0 && !(st->tokens[i + 1].flags & TOKEN_QUOTE), "plural possessive ' is not a quote");
        CHECK(find_tok(st, "didn't") > 0, "didn't is one token");
        segmented_text_free(st);

        st = seg("NATO's chief met CNN\u2019s reporters and A.B. Smith.");
        if (!st)
                return;
        CHECK(st->tokens[0].flags & TOKEN_ALLCAPS, "NATO's is all caps");
        i = find_tok(st, "CNN\u2019s");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_ALLCAPS), "CNN’s is all caps");
        CHECK(i > 0 && strcmp(st->tokens[i].fold, "cnn's") == 0, "CNN’s folds to cnn's");
        CHECK(!(st->tokens[1].flags & TOKEN_ALLCAPS), "chief is not all caps");
        CHECK(find_tok(st, "A.B.") > 0, "A.B. is one token");
        CHECK(st->n_sentences == 1, "one sentence");
        segmented_text_free(st);
}

static void test_numbers(void) {
        struct segmented_text *st = seg("The deal costs $2,500 or 2.5 percent, up 12% since 2016.");
        if (!st)
                return;
        long i = find_tok(st, "2,500");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_NUMBER), "2,500 is one number");
        CHECK(i > 0 && (st->tokens[i - 1].flags & TOKEN_PUNCT), "$ is punctuation");
        i = find_tok(st, "2.5");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_NUMBER), "2.5 is one number");
        i = find_tok(st, "2016");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_NUMBER), "2016 is a number");
        CHECK(i > 0 && strcmp(st->tokens[i].stem, "2016") == 0, "a number's stem is its fold");
        i = find_tok(st, "costs");
        CHECK(i > 0 && strcmp(st->tokens[i].stem, "cost") == 0, "costs stems to cost");
        i = find_tok(st, "The");
        CHECK(i == 0 && (st->tokens[0].flags & TOKEN_STOPWORD) && (st->tokens[0].flags & TOKEN_CAPITALIZED),
              "The is a capitalised stop word");
        CHECK_STR(st->tokens[0].fold, "the");
        CHECK(st->n_sentences == 1, "decimals do not end sentences");
        segmented_text_free(st);
}

static void test_paragraphs(void) {
        struct segmented_text *st = seg("  First paragraph here.\n\nSecond one\nThird line. Still third.\r\n  \n");
        if (!st)
                return;
        CHECK(st->n_sentences == 4, "four sentences (got %zu)", st->n_sentences);
        CHECK_STR(sent(st, 0), "First paragraph here.");
        CHECK_STR(sent(st, 1), "Second one");
        CHECK_STR(sent(st, 2), "Third line.");
        CHECK_STR(sent(st, 3), "Still third.");
        CHECK(st->n_sentences == 4 && st->sentences[0].paragraph == 0 && st->sentences[1].paragraph == 1 &&
              st->sentences[2].paragraph == 2 && st->sentences[3].paragraph == 2, "paragraph numbers");
        long i = find_tok(st, "Third");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_PARA_START) && (st->tokens[i].flags & TOKEN_SENT_START),
              "a single newline starts a paragraph");
        i = find_tok(st, "Still");
        CHECK(i > 0 && !(st->tokens[i].flags & TOKEN_PARA_START) && (st->tokens[i].flags & TOKEN_SENT_START),
              "a second sentence in a paragraph");
        CHECK(i > 0 && st->tokens[i].sentence == 3, "token knows its sentence");
        CHECK(st->sentences[3].tok_end == st->n_tokens, "last sentence ends at the last token");
        /* "\"No\" at a line start does not carry a line-wrapped lower-case start */
        segmented_text_free(st);

        st = seg("they said\nlower case after a newline");
        if (st) {
                CHECK(st->n_sentences == 2, "a newline ends a sentence even before lower case");
                segmented_text_free(st);
        }
}

static void test_edge(void) {
        struct segmented_text *st = NULL;
        CHECK(segment_text("", 0, &st) == 0 && st && st->n_tokens == 0 && st->n_sentences == 0, "empty text");
        segmented_text_free(st);
        st = NULL;
        CHECK(segment_text(NULL, 0, &st) == 0 && st && st->n_tokens == 0, "NULL empty text");
        segmented_text_free(st);
        st = NULL;
        CHECK(segment_text(" \n\t\n ", 5, &st) == 0 && st && st->n_sentences == 0, "white space only");
        segmented_text_free(st);
        st = NULL;
        CHECK(segment_text("bad \xc3\x28 byte", 10, &st) == -EINVAL && !st, "invalid UTF-8 is -EINVAL");
        CHECK(segment_text("nul\0inside", 10, &st) == -EINVAL && !st, "NUL is -EINVAL");

        /* offsets are bytes into non-ASCII text */
        const char *s = "Zürich’s mayor — Corine Mauch — said «oui». ДОБРО пожаловать. Ein ﬁnal Straße.";
        st = seg(s);
        if (!st)
                return;
        CHECK_STR(tok(st, 0), "Zürich’s");
        CHECK_STR(st->tokens[0].fold, "zürich's");
        CHECK(st->tokens[0].start == 0 && st->tokens[0].end == (int32_t) strlen("Zürich’s"), "byte offsets");
        long i = find_tok(st, "Corine");
        CHECK(i > 0 && st->tokens[i].start == (int32_t) (strstr(s, "Corine") - s), "offset after a dash");
        i = find_tok(st, "oui");
        CHECK(i > 0 && (st->tokens[i - 1].flags & TOKEN_QUOTE_OPEN) && (st->tokens[i + 1].flags & TOKEN_QUOTE_CLOSE),
              "guillemets are quotes");
        i = find_tok(st, "ДОБРО");
        CHECK(i > 0 && (st->tokens[i].flags & TOKEN_ALLCAPS), "Cyrillic all caps");
        CHECK(i > 0 && strcmp(st->tokens[i].fold, "добро") == 0, "Cyrillic fold");
        i = find_tok(st, "ﬁnal");
        CHECK(i > 0 && strcmp(st->tokens[i].fold, "final") == 0, "NFKC folds the ﬁ ligature");
        i = find_tok(st, "Straße");
        CHECK(i > 0 && strcmp(st->tokens[i].fold, "strasse") == 0, "case folding ß");
        CHECK(st->n_sentences == 3, "three sentences (got %zu)", st->n_sentences);
        CHECK(st->n_sentences == 3 && st->sentences[1].start == (int32_t) (strstr(s, "ДОБРО") - s),
              "sentence offset in bytes");
        segmented_text_free(st);
}

/* Characters beyond the BMP take two UTF-16 units but four bytes: offsets
 * after them, and a text that is not ASCII from its first byte. */
static void test_astral(void) {
        const char *s = "Élodie 🎉 cheered 𐌰𐌱 twice. Then 😀 Omar left.";
        struct segmented_text *st = seg(s);
        if (!st)
                return;
        CHECK_STR(tok(st, 0), "Élodie");
        CHECK(st->tokens[0].start == 0, "first token at byte 0");
        long i = find_tok(st, "cheered");
        CHECK(i > 0 && st->tokens[i].start == (int32_t) (strstr(s, "cheered") - s), "offset after an emoji");
        i = find_tok(st, "twice");
        CHECK(i > 0 && st->tokens[i].start == (int32_t) (strstr(s, "twice") - s),
              "offset after supplementary letters");
        i = find_tok(st, "Omar");
        CHECK(i > 0 && st->tokens[i].end == (int32_t) (strstr(s, "Omar") - s) + 4, "token end in bytes");
        CHECK(st->n_sentences == 2 && st->sentences[1].start == (int32_t) (strstr(s, "Then") - s),
              "sentence after astral characters starts at its byte (got %zu sentences)", st->n_sentences);
        CHECK(st->n_sentences == 2 && st->sentences[1].end == (int32_t) strlen(s), "last sentence ends at len");
        segmented_text_free(st);
}

static void test_helpers(void) {
        char *f = NULL, *s = NULL;
        CHECK(text_fold("The U.S. ＡＢＣ Don’t", strlen("The U.S. ＡＢＣ Don’t"), &f) == 0, "text_fold");
        CHECK_STR(f, "the u.s. abc don't");
        free(f);
        CHECK(text_fold("\xff", 1, &f) == -EINVAL, "text_fold rejects invalid UTF-8");
        CHECK(word_stem("accepted", &s) == 0, "word_stem");
        CHECK_STR(s, "accept");
        free(s);
        CHECK(word_stem("countries", &s) == 0, "word_stem countries");
        CHECK_STR(s, "countri");
        free(s);
}

/* Each thread keeps its own break iterators and stemmer: results must not
 * depend on which thread asks. */
static const char thread_text[] =
        "Gen. Ruiz said the talks \"went well.\" The U.S. delegation disagreed.\n"
        "Officials didn\u2019t comment on Sept. 12 reports of 2,500 troops.";

static void *thread_worker(void *arg) {
        int *bad = arg;
        for (int i = 0; i < 300; i++) {
                struct segmented_text *st = NULL;
                if (segment_text(thread_text, strlen(thread_text), &st) != 0) {
                        (*bad)++;
                        continue;
                }
                if (st->n_sentences != 3 || st->n_tokens != 26 ||
                    strcmp(st->tokens[st->n_tokens - 2].stem, "troop") != 0)
                        (*bad)++;
                segmented_text_free(st);
        }
        return NULL;
}

static void test_threads(void) {
        struct segmented_text *st = seg(thread_text);
        if (st) {
                CHECK(st->n_sentences == 3 && st->n_tokens == 26, "thread text: %zu sentences, %zu tokens",
                      st->n_sentences, st->n_tokens);
                segmented_text_free(st);
        }
        pthread_t t[4];
        int bad[4] = { 0 };
        for (int i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, thread_worker, &bad[i]);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        CHECK(bad[0] + bad[1] + bad[2] + bad[3] == 0, "threads agree");
}

/* test-segment FILE [ROUNDS]: segmentation throughput on a UTF-8 text file
 * (segmented whole, ROUNDS times), printed as a TAP comment. */
static int bench(const char *path, int rounds) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                return 1;
        }
        size_t cap = 1 << 20, len = 0;
        char *buf = malloc(cap);
        size_t n;
        while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
                len += n;
                if (len == cap)
                        buf = realloc(buf, cap *= 2);
        }
        fclose(f);
        if (!buf)
                return 1;
        size_t words = 0, sentences = 0;
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        for (int r = 0; r < rounds; r++) {
                struct segmented_text *st = NULL;
                if (segment_text(buf, len, &st) < 0) {
                        printf("# %s: not valid UTF-8\n", path);
                        free(buf);
                        return 1;
                }
                for (size_t i = 0; i < st->n_tokens; i++)
                        words += (st->tokens[i].flags & (TOKEN_WORD | TOKEN_NUMBER)) != 0;
                sentences += st->n_sentences;
                segmented_text_free(st);
        }
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        double s = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
        printf("# %zu words, %zu sentences, %.1f MB in %.3f s CPU: %.0f words/s, %.1f MB/s\n",
               words, sentences, (double) len * rounds / 1e6, s, (double) words / s, (double) len * rounds / 1e6 / s);
        free(buf);
        return 0;
}

/* segment_words(): the tokens of segment_text(), all in one sentence. */
static void test_words_only(void) {
        const char *text = "The mayor said Mr. Lee left. \"We won't go,\" she said.\nPrices rose 4%.";
        struct segmented_text *a = NULL, *b = NULL;
        CHECK(segment_text(text, strlen(text), &a) == 0 && a, "segment_text");
        CHECK(segment_words(text, strlen(text), &b) == 0 && b, "segment_words");
        if (!a || !b)
                return;
        CHECK(a->n_sentences == 3, "three sentences: %zu", a->n_sentences);
        CHECK(b->n_sentences == 1 && b->sentences[0].tok_begin == 0 && b->sentences[0].tok_end == b->n_tokens,
              "one sentence over every token");
        bool same = a->n_tokens == b->n_tokens;
        for (size_t i = 0; same && i < a->n_tokens; i++) {
                const uint32_t mask = ~(uint32_t) (TOKEN_SENT_START | TOKEN_PARA_START);
                same = a->tokens[i].start == b->tokens[i].start && a->tokens[i].end == b->tokens[i].end &&
                       strcmp(a->tokens[i].fold, b->tokens[i].fold) == 0 &&
                       strcmp(a->tokens[i].stem, b->tokens[i].stem) == 0 &&
                       (a->tokens[i].flags & mask) == (b->tokens[i].flags & mask) && b->tokens[i].sentence == 0;
        }
        CHECK(same, "same tokens, folds, stems and flags");
        segmented_text_free(a);
        segmented_text_free(b);
        struct segmented_text *e = NULL;
        CHECK(segment_words("", 0, &e) == 0 && e && e->n_tokens == 0 && e->n_sentences == 0, "empty text");
        segmented_text_free(e);
        CHECK(segment_words("\xff", 1, &e) == -EINVAL, "invalid UTF-8");
}

/* Each token's lists are those of its fold, the first time a word is met
 * (the thread's word cache is cold) and the second (answered from it). */
static void test_token_lists(void) {
        const char *text = "Mr. Smith said the U.S. would not, in fact, stop selling 2,500 tonnes of steel; "
                           "it is unclear whether he'll reportedly deny it. The ministry said it will.";
        for (int pass = 0; pass < 2; pass++) {
                struct segmented_text *st = NULL;
                int r = segment_text(text, strlen(text), &st);
                CHECK(r == 0, "segmented (pass %d)", pass);
                if (r < 0)
                        return;
                size_t bad = 0, stop = 0;
                for (size_t i = 0; i < st->n_tokens; i++) {
                        const struct token *t = &st->tokens[i];
                        struct lexicon_sets want = lexicon_word_sets(t->fold, strlen(t->fold));
                        bool is_stop = (t->flags & TOKEN_WORD) && lexicon_contains(LEXICON_STOPWORDS, t->fold);
                        bad += t->lists.in != want.in || t->lists.heads != want.heads ||
                               is_stop != !!(t->flags & TOKEN_STOPWORD);
                        stop += is_stop;
                }
                CHECK(bad == 0 && stop > 5, "pass %d: every token's lists and stop-word flag are its fold's "
                      "(%zu of %zu differ; %zu stop words)", pass, bad, st->n_tokens, stop);
                segmented_text_free(st);
        }
}

int main(int argc, char **argv) {
        if (argc > 1)
                return bench(argv[1], argc > 2 ? atoi(argv[2]) : 5);
        test_abbreviations();
        test_token_lists();
        test_quotes();
        test_numbers();
        test_paragraphs();
        test_edge();
        test_astral();
        test_helpers();
        test_threads();
        test_words_only();
        return tap_done();
}
