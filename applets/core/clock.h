/* clock.h - timestamps as the state JSON and the log lines carry them. */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stddef.h>

#include <time.h>

/* now as RFC 3339 UTC with nanoseconds: "2026-11-22T06:23:00.123456789Z" */
void clock_rfc3339(char *buf, size_t len);
/* The same of the time t. */
void clock_rfc3339_at(char *buf, size_t len, const struct timespec *t);

#endif
