/*
 * unpack.h - apply an image layer (a tar stream) to a root filesystem
 * directory DEST: OCI image-spec layer.md, "Applying Changesets" and
 * "Whiteouts".  Every name is resolved inside DEST by handle; nothing
 * outside it is ever written, removed or changed.
 *
 * Names: a leading '/' is stripped (as GNU tar does), "." components and
 * repeated slashes dropped, a ".." component refused.  A symlink met in
 * a directory part of a name (planted by a lower layer or an earlier
 * entry) is followed inside DEST, as the container would see it: with
 * "a -> /etc", "a/passwd" writes DEST/etc/passwd.  The last component is
 * never followed: an existing directory under a directory entry is
 * merged with (its content kept, the entry's owner and mode given it);
 * anything else there is removed, a directory with all below it, and
 * the entry made anew, so a symlink or hard link is replaced, never
 * written through.  Hard link targets are names in DEST, resolved the
 * same way.  The root entry ("./") may only be a directory.
 *
 * Whiteouts: ".wh.NAME" removes NAME as lower layers left it, and
 * ".wh..wh..opq" every lower child of its directory, wherever the marker
 * stands in the layer; what this layer itself put there is kept.  Other
 * ".wh..wh.*" names (AUFS metadata) are ignored, ".wh." alone and ".wh."
 * names as directories refused; no whiteout is created.  Removal never
 * enters a mount point inside DEST (the kernel says EBUSY).
 *
 * Errors name the entry as the archive has it, control characters
 * escaped: "unpack: etc/passwd (entry 12): uid 70000 is outside the uid
 * map".  Errors of the data reader come back as the reader gave them.
 */
#ifndef CORE_UNPACK_H
#define CORE_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "reader.h"
#include "tar.h"

/* Container ids [inside, inside + count) are host ids from outside on. */
struct unpack_idmap {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

#define UNPACK_SKIPPED_NAMES 4	/* devices named in the stats */
#define UNPACK_SHOWN_MAX 128	/* bytes of each, escaped, with NUL */

struct unpack_stats {
	uint64_t entries;	/* every entry, whiteouts included */
	uint64_t bytes;		/* file data written */
	uint64_t whiteouts;	/* whiteouts and opaque markers applied */
	uint64_t devices_skipped;
	/* The first devices skipped, for one warning naming them. */
	char skipped[UNPACK_SKIPPED_NAMES][UNPACK_SHOWN_MAX];
	/* xattrs the file system does not support, or (rootless) the
	   kernel does not let the caller set. */
	uint64_t xattrs_skipped;
};

struct unpack_opts {
	/*
	 * Not root: nothing is chowned (all is the caller's), devices are
	 * skipped, directories stay writable by their owner until
	 * unpack_end().  Exclusive with id maps.
	 */
	int rootless;
	/*
	 * Archive ids are container ids shifted to host ids through these
	 * (none: as they are); an id outside a given map is an error.
	 */
	const struct unpack_idmap *uid_map, *gid_map;
	size_t n_uid_map, n_gid_map;
	/*
	 * Keep the whiteouts, as overlayfs records them, instead of applying
	 * them: for a layer stored on its own, an overlay lowerdir or what
	 * an assembly reads (DEST starts empty).  ".wh.NAME" becomes a
	 * character device 0/0 at NAME, unless this layer made NAME: a
	 * directory it made is marked opaque instead, anything else hides
	 * the lower NAME by itself.  ".wh..wh..opq" marks its directory
	 * opaque, and so is a directory entry that replaces a whiteout.
	 * The mark is the xattr unpack_opaque_xattr() names, "y".
	 */
	int keep_whiteouts;
	/* syncfs(DEST) in unpack_end(): once, not a fsync per file. */
	int sync;
	/* Memory for the layer's bookkeeping (names it created, directory
	   times); 0: 256 MiB.  Beyond it the entry fails. */
	size_t max_memory;
	/* Called after each entry and every 8 MiB of file data. */
	void (*progress)(void *arg, const struct unpack_stats *st);
	void *progress_arg;
};

struct unpack;

/*
 * Start applying one layer to the directory destfd (the caller's; DEST
 * is reopened, destfd may be closed after).  Devices are skipped when
 * rootless or inside a user namespace.  The process umask is 0 until
 * unpack_end() or unpack_free(), so entries are made with their modes.
 * NULL with *e set on failure.
 */
struct unpack *unpack_begin(int destfd, const struct unpack_opts *o,
			    struct err *e);
/*
 * Apply one entry; data gives a TAR_REG entry's ent->size bytes (it may
 * be NULL for other types).  0 or -errno; after an error, unpack_free().
 */
int unpack_entry(struct unpack *u, const struct tar_entry *ent,
		 struct reader *data, struct err *e);
const struct unpack_stats *unpack_stats(const struct unpack *u);
/*
 * Finish: directory modes and times last (so adding children does not
 * disturb them), syncfs when asked; frees u whatever it returns.
 */
int unpack_end(struct unpack *u, struct err *e);
/* Abandon a layer without finishing it (NULL-safe). */
void unpack_free(struct unpack *u);

/*
 * The whole layer: tar_next() to the end, each entry applied, the
 * stream drained (so a DiffID digest below sees every byte), then
 * unpack_end().  *st (may be NULL) gets the counts, also on failure.
 */
int unpack_layer(int destfd, struct tar *t, const struct unpack_opts *o,
		 struct unpack_stats *st, struct err *e);

/*
 * Append the maps of s, "INSIDE:OUTSIDE:COUNT[,...]", to map[*n] (room
 * for max); what names the option in errors ("--uid-map: ...").
 * Overlapping inside ranges are refused.
 */
int unpack_idmap_parse(const char *s, const char *what,
		       struct unpack_idmap *map, size_t max, size_t *n,
		       struct err *e);

/* map[0..n) applied to id into *out: 0, or -1 when no map has it (no
   maps: id itself). */
int unpack_idmap_map(const struct unpack_idmap *map, size_t n, uint32_t id,
		     uint32_t *out);

/* 1 when this process is in a user namespace (mknod is then refused). */
int unpack_in_userns(void);

/*
 * The opaque-directory xattr overlayfs reads, for keep_whiteouts:
 * trusted.overlay.opaque for root of the initial user namespace,
 * user.overlay.opaque (overlayfs's "userxattr") for anyone else.
 */
const char *unpack_opaque_xattr(void);
#define UNPACK_OPAQUE_TRUSTED "trusted.overlay.opaque"
#define UNPACK_OPAQUE_USER "user.overlay.opaque"

#endif
