/* RFC 3339 timestamps, as the API speaks them. */
#pragma once

#include <stddef.h>
#include <time.h>

/* The instants a four-digit UTC year can name: 0001-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z, in seconds since 1970. */
#define RFC3339_MIN (-62135596800LL)
#define RFC3339_MAX 253402300799LL

/* Parses "2017-07-07T20:00:00Z" (fractions and +hh:mm offsets allowed);
 * returns 0 and fills *ret with UTC seconds, -EINVAL when s is not such a
 * timestamp, -ERANGE when its UTC instant falls outside [RFC3339_MIN,
 * RFC3339_MAX] (9999-12-31T23:59:59-23:59 is in year 10000 in UTC). */
int rfc3339_parse(const char *s, time_t *ret);

/* Formats t as "2017-07-07T20:00:00Z" into buf (at least 21 bytes), four
 * digits of year always; t outside [RFC3339_MIN, RFC3339_MAX] is clamped
 * to it, so the output is always RFC 3339.  Returns buf. */
char *rfc3339_format(time_t t, char *buf, size_t size);
