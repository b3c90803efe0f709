/* rootfs-unpack.h - the rootfs-unpack applet's modules. */
#ifndef ROOTFS_UNPACK_H
#define ROOTFS_UNPACK_H

#include <stdint.h>

#include "err.h"
#include "image_config.h"

/*
 * config.json text (malloc'd into *out) for a bundle whose rootfs is
 * rootfd: the `oci-run spec` defaults (rootless: `spec --rootless`'s)
 * with the image config ic applied; ic NULL (a rootfs tarball): the
 * defaults without a terminal.  0 or -errno with *e set.
 */
int bundle_config(int rootfd, const struct image_config *ic, int rootless,
		  char **out, struct err *e);

/* The progress line on a terminal (stderr), see progress.c. */
struct progress {
	int on;
	int layer, layers;
	uint64_t bytes;		/* unpacked so far, every layer */
	double start, last;
};

void progress_init(struct progress *p, int quiet);
/* Redraw, at most ten times a second. */
void progress_show(struct progress *p);
/* Erase the line, if one was drawn. */
void progress_end(struct progress *p);

#endif
