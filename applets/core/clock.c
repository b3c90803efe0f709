/* clock.c - RFC 3339 timestamps (the format of Go's time.RFC3339Nano). */
#include <stdio.h>
#include <time.h>

#include "clock.h"

void clock_rfc3339(char *buf, size_t len)
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", now.tv_nsec);
}
