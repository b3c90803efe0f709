/* rootfs-unpack.h - the rootfs-unpack applet's modules. */
#ifndef ROOTFS_UNPACK_H
#define ROOTFS_UNPACK_H

#include <stdint.h>

#include "assemble.h"
#include "digest.h"
#include "err.h"
#include "image_config.h"
#include "reader.h"
#include "store.h"

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

/*
 * --store DIR (via_store.c): the layers go into layer-link's store, once,
 * and DEST is assembled from it.  The store is in use (store_use()) from
 * via_store_open() to via_store_close(), so gc keeps the layers imported
 * for DEST until its ref is written.
 */
struct via_store {
	struct store *s;
	char (*ids)[DIGEST_STR_MAX];	/* DEST's layers, the base first */
	size_t n, cap;
	char *ref;		/* DEST's path once its ref is written */
};

int via_store_open(struct via_store *v, const char *dir, struct err *e);
/* 1 (the layer taken as it is) when diff_id is in the store, else 0. */
int via_store_has(struct via_store *v, const char *diff_id);
/* Import blob (owned), o as store_import() takes it; the layer is taken. */
int via_store_import(struct via_store *v, struct reader *blob,
		     const char *what, const struct store_import_opts *o,
		     struct err *e);
/*
 * Assemble the layers into destfd (the staged tree), for DEST at path;
 * auto_mode: hardlink when that can be protected, else copy.
 */
int via_store_assemble(struct via_store *v, int destfd, const char *path,
		       const struct assemble_opts *o, int auto_mode,
		       struct err *e);
/* Done: failed, DEST's ref (if written) is dropped again. */
void via_store_close(struct via_store *v, int failed);

#endif
