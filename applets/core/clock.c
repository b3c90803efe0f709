/* clock.c - RFC 3339 timestamps (the format of Go's time.RFC3339Nano). */
#include <stdio.h>
#include <time.h>

#include "clock.h"

void clock_rfc3339_at(char *buf, size_t len, const struct timespec *t)
{
	struct tm tm;
	size_t n;

	gmtime_r(&t->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", t->tv_nsec);
}

void clock_rfc3339(char *buf, size_t len)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	clock_rfc3339_at(buf, len, &now);
}
