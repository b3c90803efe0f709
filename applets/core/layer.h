/*
 * layer.h - one image layer blob from its reader to a directory: sniffed
 * and decompressed in a thread of its own (decompress.h, pipe.h), its
 * DiffID computed on the way (image-spec config.md, "Layer DiffID"), read
 * as tar (tar.h) and applied (unpack.h).  rootfs-unpack and the layer
 * store (store.h) share it.
 */
#ifndef CORE_LAYER_H
#define CORE_LAYER_H

#include "digest.h"
#include "err.h"
#include "reader.h"
#include "tar.h"
#include "unpack.h"

struct layer_apply_opts {
	const struct unpack_opts *unpack;
	struct tar_limits limits;	/* 0s: tar's defaults */
	/* Hash the stream for the DiffID (into layer_apply()'s got). */
	int want_diff_id;
};

/*
 * Apply the layer blob (owned, closed whatever happens; compressed or
 * not) to the directory destfd.  what names the layer in errors ("layer
 * 2 (sha256:1234...)").  got (DIGEST_STR_MAX bytes, may be NULL) gets
 * the DiffID when one was computed, "" when not (comparing it is the
 * caller's); *st (may be NULL) the counts, also on failure.
 */
int layer_apply(int destfd, struct reader *blob, const char *what,
		const struct layer_apply_opts *o, char *got,
		struct unpack_stats *st, struct err *e);

#endif
