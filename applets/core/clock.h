/* clock.h - timestamps as the state JSON and the log lines carry them. */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stddef.h>

/* now as RFC 3339 UTC with nanoseconds: "2026-11-22T06:23:00.123456789Z" */
void clock_rfc3339(char *buf, size_t len);

#endif
