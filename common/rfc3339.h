/* RFC 3339 timestamps, as the API speaks them. */
#pragma once

#include <stddef.h>
#include <time.h>

/* Parses "2017-07-07T20:00:00Z" (fractions and +hh:mm offsets allowed);
 * returns 0 and fills *ret with UTC seconds, or -EINVAL. */
int rfc3339_parse(const char *s, time_t *ret);

/* Formats t as "2017-07-07T20:00:00Z" into buf (at least 21 bytes);
 * returns buf. */
char *rfc3339_format(time_t t, char *buf, size_t size);
