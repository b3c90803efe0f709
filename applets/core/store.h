/*
 * store.h - the content-addressed layer store of layer-link (and of
 * rootfs-unpack --store): each layer extracted once, by its DiffID, and a
 * record of which assembled trees use which layers, so unused layers can
 * be collected.  Modelled on containers/storage's layer store, laid out
 * for a machine without a daemon:
 *
 *   STORE/lock                     flock: shared by import, assemble and
 *                                  release; exclusive by gc
 *   STORE/layers/sha256/HEX/root/  the layer's tree, whiteouts kept as
 *                                  overlayfs records them (unpack.h,
 *                                  keep_whiteouts): a lowerdir as it is
 *   STORE/layers/sha256/HEX/layer.json
 *                                  {"diff_id","size","entries","blob",
 *                                   "uid_base","gid_base","created"}
 *   STORE/layers/sha256/.HEX.lock  flock: one import of a layer at a time
 *                                  (HEX the blob's when only it is
 *                                  known); gc removes those of absent
 *                                  layers
 *   STORE/layers/sha256/.tmp-*     an import under way, its directory
 *                                  flock'ed by the importer (or a dead
 *                                  one's, which gc removes)
 *   STORE/blobs/sha256/HEX         a compressed blob's DiffID, so an
 *                                  import of the same file is a lookup
 *   STORE/refs/HEX.json            one assembled tree: {"path","mode",
 *                                  "layers":[DiffID...],"created"}, HEX
 *                                  the sha256 of its absolute path
 *
 * A layer directory appears by one rename, after its tree and layer.json
 * are complete and synced: present means whole.  Trees are made
 * read-only to their owner's writes by ownership, not mode (see
 * assemble.h): the mode bits are the image's.  Every function takes the
 * store's locks it needs itself.
 */
#ifndef CORE_STORE_H
#define CORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"
#include "reader.h"
#include "tar.h"
#include "unpack.h"

#define STORE_DEFAULT_DIR "/var/lib/ocibox"

struct store;

/*
 * Open the store at dir, made (0700, with its subdirectories) when
 * create and missing.  NULL with *e set.  A handle is for one thread at
 * a time; a forked child opens its own.
 */
struct store *store_open(const char *dir, int create, struct err *e);
void store_close(struct store *s);	/* NULL-safe */
/* The store's directory, as opened (for messages and paths). */
const char *store_dir(const struct store *s);

struct store_import_opts {
	/* The layer's DiffID when known (an image config's), "sha256:...";
	   checked against the stream unless no_check.  NULL: computed. */
	const char *diff_id;
	int no_check;
	/* The blob's own digest when known (a descriptor's): recorded so
	   the next import of it is a lookup.  NULL: none. */
	const char *blob_digest;
	/* Not root: the files are the caller's (unpack.h, rootless). */
	int rootless;
	/* Image ids i stored as uid_base + i, gid_base + i (an owner no
	   container maps: assemble.h); an id that would reach 2^32 - 1
	   is refused.  0, 0: as the image has them.  Root only. */
	uint32_t uid_base, gid_base;
	struct tar_limits limits;
	void (*progress)(void *arg, const struct unpack_stats *st);
	void *progress_arg;
};

/*
 * Import a layer from blob (owned, closed whatever happens; gzip, zstd
 * or plain tar).  When the layer is present (by o->diff_id, or by
 * o->blob_digest's record) nothing is read and *existed is 1.  Two
 * imports of one layer at once: one extracts, the other waits on the
 * layer's lock and finds it present (when o names neither DiffID nor
 * blob, both extract and the second to finish drops its tree, *existed
 * 1).  diff_id_out (DIGEST_STR_MAX bytes) gets the DiffID.  what names
 * the layer in errors.  On failure nothing of the import is left but
 * its lock file.
 */
int store_import(struct store *s, struct reader *blob, const char *what,
		 const struct store_import_opts *o, char *diff_id_out,
		 int *existed, struct err *e);

/*
 * The DiffID a blob digest was recorded with, into diff_id_out: 1, or 0
 * when none is (or its layer is gone).
 */
int store_blob_lookup(struct store *s, const char *blob_digest,
		      char *diff_id_out, struct err *e);

/* 1 when the layer is present, 0 when not; diff_id "sha256:HEX". */
int store_has_layer(struct store *s, const char *diff_id);

struct store_layer {
	char diff_id[DIGEST_STR_MAX];
	uint64_t size;		/* bytes of file data */
	uint64_t entries;
	uint32_t uid_base, gid_base;
	unsigned refs;		/* assembled trees using it */
	int64_t created;	/* seconds since the epoch */
};

/*
 * The layer's root directory, opened O_RDONLY | O_DIRECTORY, and its
 * record into *info (may be NULL).  -ENOENT when absent.
 */
int store_layer_open(struct store *s, const char *diff_id,
		     struct store_layer *info, struct err *e);
/* Its root's path, "STORE/layers/sha256/HEX/root", into buf. */
int store_layer_path(const struct store *s, const char *diff_id, char *buf,
		     size_t size);

/* Every layer, sorted by DiffID, with reference counts; free *out. */
int store_list(struct store *s, struct store_layer **out, size_t *n,
	       struct err *e);

struct store_ref {
	char path[4096];	/* absolute */
	char mode[16];		/* "hardlink", "overlay", "copy" */
	char (*layers)[DIGEST_STR_MAX];
	size_t n_layers;
	int64_t created;
};

/*
 * Store-wide shared lock held from store_use() until store_unuse(): an
 * assembly takes it before its first layer is opened and drops it
 * after its ref is written, so gc never removes a layer in use.
 */
int store_use(struct store *s, struct err *e);
void store_unuse(struct store *s);

/*
 * Record that the tree at path (absolute, normalised) uses layers (every
 * one present: -ENOENT naming the missing one otherwise).  Replaces a
 * ref of the same path.  Call between store_use() and store_unuse().
 */
int store_ref_add(struct store *s, const char *path, const char *mode,
		  const char *const *layers, size_t n, struct err *e);
/* The ref of path into *out (free with store_ref_free()): 1, or 0. */
int store_ref_get(struct store *s, const char *path, struct store_ref *out,
		  struct err *e);
/* Drop the ref of path: 0, or -ENOENT when there is none. */
int store_ref_remove(struct store *s, const char *path, struct err *e);
void store_ref_free(struct store_ref *r);

/*
 * Every ref; a ref whose path is gone (removed by hand: not a directory,
 * or for overlay not a mount point here and without its upper directory
 * .BASE.overlay/upper beside it, which a mount in another namespace
 * would still use) is stale.
 */
int store_ref_list(struct store *s, struct store_ref **out, size_t *n,
		   struct err *e);
void store_ref_list_free(struct store_ref *refs, size_t n);
int store_ref_is_stale(const struct store_ref *r);
/*
 * Drop the ref of path if it is stale (a failed assembly's own; not one
 * that another assembly of the same path made live meanwhile): 1 when
 * dropped, 0 when kept or there is none, or -errno.
 */
int store_ref_remove_stale(struct store *s, const char *path,
			   struct err *e);

struct store_gc_item {
	const char *what;	/* "layer", "stale ref", "dead import" */
	const char *name;	/* DiffID, ref path, temporary name */
	uint64_t size;		/* bytes freed (layers) */
};

/*
 * Collect: stale refs, dead imports (a .tmp-* whose importer is gone: its
 * directory's lock is free), then every layer no ref uses.  Under the
 * exclusive lock, so never a layer being imported or assembled.
 * dry_run: only report.  each() is told every item (may be NULL).
 */
int store_gc(struct store *s, int dry_run,
	     void (*each)(void *arg, const struct store_gc_item *it),
	     void *arg, struct err *e);

#endif
