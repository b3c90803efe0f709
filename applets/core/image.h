/*
 * image.h - an image resolved to what unpacking it needs: its layers in
 * order (blob, compression, DiffID) and its configuration.  Sources: an
 * OCI image layout directory (image-spec image-layout.md, image-index.md,
 * manifest.md, descriptor.md), a docker save archive (Docker's legacy
 * manifest.json, or the OCI layout Docker 25 writes beside it), or any
 * struct image_store (a registry).  Docker's manifest list and schema 2
 * manifest are read as the OCI index and manifest they became.
 *
 * Every digest is checked by digest_check().  An index, manifest or
 * config is read only once its descriptor's size is known to be at most
 * IMAGE_JSON_MAX, and parsed only once its size and digest match the
 * descriptor; a layer is checked as it is read (image_layer_open()).
 */
#ifndef CORE_IMAGE_H
#define CORE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "image_config.h"
#include "reader.h"

#define IMAGE_JSON_MAX (4 << 20)
/* Indexes followed from the first, that one included. */
#define IMAGE_INDEX_DEPTH 8
/* image_verify_reader() without a size to check. */
#define IMAGE_SIZE_ANY UINT64_MAX

/* The compression a layer's media type declares; decompress by magic. */
enum image_comp {
	IMAGE_COMP_NONE,
	IMAGE_COMP_GZIP,
	IMAGE_COMP_ZSTD,
	IMAGE_COMP_UNKNOWN,	/* a docker save layer.tar declares none */
};

/*
 * digest is "" and media_type NULL where the source names none; path is
 * the docker save member a legacy blob is found by, else NULL.
 */
struct image_blob {
	char digest[DIGEST_STR_MAX];
	uint64_t size;
	const char *media_type;		/* static */
	char *path;
};

struct image_layer {
	struct image_blob blob;
	enum image_comp comp;
	char diff_id[DIGEST_STR_MAX];	/* of the uncompressed tar */
};

/*
 * Where blobs come from.  open() gives a reader of b's bytes, failing
 * before any is read when it can tell the size is not b->size
 * ("blobs/sha256/...: 10 bytes, but its descriptor says 12");
 * image_blob_open() checks size and digest as they are read.  A reader
 * may outlive its store.
 */
struct image_store {
	int (*open)(struct image_store *s, const struct image_blob *b,
		    struct reader **out, struct err *e);
	void (*close)(struct image_store *s);
};

struct image {
	struct image_store *store;	/* owned */
	/* "" for a legacy docker save image, which has no manifest. */
	char manifest_digest[DIGEST_STR_MAX];
	struct image_blob config_blob;
	struct image_layer *layers;	/* the base first */
	size_t n_layers;		/* == config.n_diff_ids */
	struct image_config config;
};

/*
 * Resolve the image in the OCI image layout at dirfd (duplicated: the
 * caller keeps its own): oci-layout's imageLayoutVersion is 1.x, then
 * index.json is followed.  ref matches the manifest annotated
 * org.opencontainers.image.ref.name (or io.containerd.image.name, as a
 * Docker name) in index.json; NULL takes the only image, and is an
 * error listing the names when there are several.  platform is
 * "os/arch[/variant]"; NULL means the running machine's, which then is
 * only a preference: a single image for another platform is resolved.
 * Blobs are opened beneath dirfd (openat2 RESOLVE_BENEATH, or one
 * O_NOFOLLOW component at a time): a link out of the layout is refused.
 * 0, or -errno with *e naming the file and the JSON path; -ESRCH when no
 * image is named ref.  Free *out with image_free(), also after failure.
 */
int image_open_layout(int dirfd, const char *ref, const char *platform,
		      struct image *out, struct err *e);

/*
 * The same for the docker save archive (a tar, uncompressed: it is read
 * in place) open at fd, a regular file (a pipe is refused: spool it to
 * one first), duplicated; name is for messages.  Its members are indexed
 * in one pass, which reads it through once.  With an index.json
 * in it (Docker 25 and later, oci-archive) that is followed as in a
 * layout; else, or when ref names no image there, manifest.json's
 * entries are matched by RepoTags ("busybox" is "busybox:latest" and
 * "docker.io/library/busybox:latest").  Member names in manifest.json
 * may not be absolute or hold "..".  -ENOMSG when the tar holds neither
 * index.json nor manifest.json: a rootfs tarball, say.
 */
int image_open_archive(int fd, const char *name, const char *ref,
		       const char *platform, struct image *out,
		       struct err *e);

/*
 * Resolve from the root document text[0..len) (index.json, or what a
 * registry gave for a tag: an index or a manifest), named name in
 * messages, and the blobs of s; ref and platform as in
 * image_open_layout(), ref only for an index.  s->open() is asked for
 * indexes and manifests too (b->media_type says which: a registry's
 * manifests endpoint serves them).  On success *out owns s; on failure s
 * is still the caller's (and *out holds nothing).
 */
int image_resolve(struct image_store *s, const char *name, const char *text,
		  size_t len, const char *ref, const char *platform,
		  struct image *out, struct err *e);

/*
 * A reader of layer i's blob (compressed as its media type says) that
 * fails instead of ending when the size or digest is not the
 * descriptor's: "layer sha256:...: digest mismatch: content is
 * sha256:...".  The DiffID is the caller's to check, over the
 * uncompressed stream (image_verify_reader()): only it verifies a
 * legacy docker save layer, whose blob has no digest of its own.
 */
int image_layer_open(const struct image *img, size_t i, struct reader **out,
		     struct err *e);

/* Layers, config, store: all of it; a zeroed struct is fine. */
void image_free(struct image *img);

/* Building blocks for stores and sources. */

/*
 * A reader of src (owned, even on failure) that checks there are size
 * bytes (IMAGE_SIZE_ANY: not checked; it never reads more than one past
 * size) hashing to digest ("": not checked): the end of the stream comes
 * back as an error when they do not.  what names the stream in messages
 * and is copied.  NULL when out of memory.
 */
struct reader *image_verify_reader(struct reader *src, const char *digest,
				   uint64_t size, const char *what);
/*
 * Bytes [off, off + len) of fd by pread(2): a blob file, an archive
 * member.  fd is duplicated; name ("read NAME: ...") is copied.  NULL
 * when out of memory or fds.
 */
struct reader *image_span_reader(int fd, uint64_t off, uint64_t len,
				 const char *name);
/* s->open() under image_verify_reader(); what names the blob. */
int image_blob_open(struct image_store *s, const struct image_blob *b,
		    const char *what, struct reader **out, struct err *e);
/*
 * The whole of b, verified, into a malloc'd NUL-terminated *text: JSON,
 * at most IMAGE_JSON_MAX bytes (larger is refused before opening it).
 */
int image_blob_load(struct image_store *s, const struct image_blob *b,
		    const char *what, char **text, size_t *len,
		    struct err *e);
/* oci-layout's text: {"imageLayoutVersion": "1.x.y"}; 0 or -errno. */
int image_layout_version(const char *text, size_t len, const char *name,
			 struct err *e);
/*
 * l->blob.media_type and l->comp from a layer media type, or an error at
 * c's path naming it: "...: layers[1].mediaType:
 * \"application/vnd.oci.image.layer.nondistributable.v1.tar\":
 * non-distributable layers are not supported".
 */
int image_layer_type(struct json_ctx *c, const char *type,
		     struct image_layer *l);
/*
 * Whether two image references name the same image as Docker reads them
 * ("busybox", "busybox:latest", "docker.io/library/busybox:latest").
 */
int image_ref_equal(const char *a, const char *b);

#endif
