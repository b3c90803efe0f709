/*
 * progress.c - the progress line rootfs-unpack draws on a terminal:
 * "layer 2/3  41.2 MB  87.5 MB/s", redrawn in place at most ten times a
 * second, erased at the end.  Silent when stderr is not a terminal or
 * with --quiet, as curl's and skopeo's are.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rootfs-unpack.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

void progress_init(struct progress *p, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->on = !quiet && isatty(2);
	p->start = now();
}

static void human(double v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
}

void progress_show(struct progress *p)
{
	char done[32], rate[32];
	double t = now(), secs = t - p->start;

	if (!p->on || t - p->last < 0.1)
		return;
	p->last = t;
	human((double)p->bytes, done, sizeof(done));
	human(secs > 0 ? p->bytes / secs : 0, rate, sizeof(rate));
	dprintf(2, "\r\033[Klayer %d/%d  %s  %s/s", p->layer, p->layers, done,
		rate);
}

void progress_end(struct progress *p)
{
	if (p->on && p->last)
		dprintf(2, "\r\033[K");
}
