/* Fuzz target: html_extract() (libxml2's HTML parser plus claimd's
 * boilerplate removal) on the input as an HTML page, and
 * html_boilerplate_line() on each of its lines.  Checks the contract of
 * common/html.h: on success both strings are valid UTF-8 and NUL-free; on
 * failure -EINVAL or -ENOMEM and nothing returned. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/html.h"
#include "common/utf8.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *html = (const char *) data;
        char *title = NULL, *text = NULL;

        if (size > 256 * 1024)
                return 0;

        int r = html_extract(html, size, &title, &text);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
                FUZZ_CHECK(!title && !text);
        } else {
                FUZZ_CHECK(r == 0);
                FUZZ_CHECK(title && text);
                FUZZ_CHECK(utf8_is_valid(title, strlen(title)));
                FUZZ_CHECK(utf8_is_valid(text, strlen(text)));
                free(title);
                free(text);
        }

        for (size_t off = 0; off < size;) {
                const char *line = html + off;
                const char *nl = memchr(line, '\n', size - off);
                size_t n = nl ? (size_t) (nl - line) : size - off;
                (void) html_boilerplate_line(line, n);
                off += n + 1;
        }
        return 0;
}
