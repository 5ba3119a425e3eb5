/* Scope-bound cleanup (after systemd's CODING_STYLE): a variable declared
 * with _cleanup_(f) has f(&variable) run when it goes out of scope, so a
 * function can return from anywhere without a "goto out" that frees
 * everything.  Ownership moves out with TAKE_PTR().  For the daemon's
 * SQLite statements see daemon/store/store-internal.h. */
#pragma once

#include <stdlib.h>

#include <jansson.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* jansson's own json_decrefp() (as its json_auto_t uses it) */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* The value of p, which is set to NULL: the cleanup then leaves it alone. */
#define TAKE_PTR(p) ({ __typeof__(p) take_ptr_ = (p); (p) = NULL; take_ptr_; })
