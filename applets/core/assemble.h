/*
 * assemble.h - a container's root filesystem made from stored layers
 * (store.h: each a tree with overlayfs's whiteouts, the base first),
 * without extracting anything again:
 *
 *   hardlink  a fresh tree of directories whose files are hard links to
 *             the store's; lower layers first, whiteouts (0/0 devices)
 *             and opaque directories (trusted.overlay.opaque or
 *             user.overlay.opaque "y") applied as overlayfs would
 *   copy      the same walk, every file copied (data, mode, owner,
 *             xattrs, times): the plain fallback
 *   overlay   an overlay mount at DEST, the layers as lowerdirs, upper
 *             and work in a directory beside DEST (overlayfs.rst)
 *
 * Protection of shared inodes: no container may change a store file
 * through a link.  A link is made only when that holds, for that file:
 *   - the rootfs will be mounted read-only (read_only) and the file's
 *     owner is the one the container should see; or
 *   - the container has a user namespace (uid_map/gid_map) that maps
 *     neither the file's uid nor its gid (so its root has no capability
 *     over it), the file is the image root's (0:0 in the image), not
 *     setuid, setgid or writable by others, has no security.capability,
 *     and others may read and run it as its owner and group may (so the
 *     container sees it work though its owner shows as the overflow id).
 * Every other file is copied, owned as the container should see it.  An
 * assembly that could link nothing that way is refused, naming the
 * reason and a mode that works (assemble_check()).  Devices and fifos
 * are always made anew (a shared fifo would join two containers);
 * symlinks are linked (nothing writes through a symlink).  Directories
 * are always fresh, owned as the container should see them.
 *
 * Ids: a stored file's owner is its image owner plus the layer's base
 * (store.h, uid_base); the container should see image id i as map(i),
 * i itself without a map.  The opaque xattrs are never copied.
 */
#ifndef CORE_ASSEMBLE_H
#define CORE_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "unpack.h"

enum assemble_mode {
	ASSEMBLE_HARDLINK,
	ASSEMBLE_OVERLAY,
	ASSEMBLE_COPY,
};

struct assemble_layer {
	int fd;			/* its root directory (the caller's) */
	const char *path;	/* the same, for overlay's lowerdir */
	uint32_t uid_base, gid_base;
};

struct assemble_opts {
	enum assemble_mode mode;
	/* The container's user namespace (none: it has none). */
	const struct unpack_idmap *uid_map, *gid_map;
	size_t n_uid_map, n_gid_map;
	/* The rootfs will be mounted read-only (root.readonly). */
	int read_only;
	/* Not root: nothing is chowned, devices are skipped. */
	int rootless;
};

struct assemble_stats {
	uint64_t dirs, linked, copied, symlinks, nodes, whiteouts;
	uint64_t bytes_copied;
	/* Devices not made (rootless, or no CAP_MKNOD); xattrs the
	   destination does not take (or, rootless, lets the caller set). */
	uint64_t devices_skipped, xattrs_skipped;
};

/*
 * 0 when an assembly of these layers in o->mode can be protected; else
 * -EPERM with *e saying why and which mode or option would do
 * ("hardlink: the container's root would be root on the host: ...").
 */
int assemble_check(const struct assemble_layer *layers, size_t n,
		   const struct assemble_opts *o, struct err *e);

/*
 * hardlink or copy: build the tree into destfd, an empty directory (the
 * caller makes it and renames it into place; its own owner and mode are
 * set from the top layer's root).  Layers lowest first.  *st (may be
 * NULL) gets the counts.  Checks assemble_check() first.
 */
int assemble_tree(int destfd, const struct assemble_layer *layers, size_t n,
		  const struct assemble_opts *o, struct assemble_stats *st,
		  struct err *e);

/*
 * overlay: mount at dest (an existing empty directory) with the layers
 * (lowest first) as lowerdirs and upper, work (existing empty
 * directories on one file system) as upperdir and workdir; userxattr in
 * a user namespace.  -errno with *e naming the mount's failure.
 */
int assemble_overlay(const char *dest, const struct assemble_layer *layers,
		     size_t n, const char *upper, const char *work,
		     const struct assemble_opts *o, struct err *e);

#endif
