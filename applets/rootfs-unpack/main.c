/*
 * main.c - the rootfs-unpack applet: an image into a root filesystem, or
 * into a whole bundle (rootfs + config.json), from a rootfs tarball, an
 * OCI image layout, a docker save archive or a registry.  umoci
 * unpack's and skopeo copy's habits (oci:DIR[:REF], docker://...,
 * --rootless, --uid-map) on tar's speed.  The tree is unpacked into a
 * hidden sibling of DEST and renamed into place once every layer is in
 * and checked: DEST is whole or absent, never half there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "digest.h"
#include "image.h"
#include "layer.h"
#include "io.h"
#include "log.h"
#include "opt.h"
#include "path.h"
#include "reader.h"
#include "registry.h"
#include "rootfs-unpack.h"
#include "stage.h"
#include "unpack.h"

#define DEFAULT_MAX_BYTES (64ULL << 30)
#define DEFAULT_MAX_ENTRIES 10000000ULL
#define MAX_MAPS 32

const char rootfs_unpack_help[] =
"Usage: rootfs-unpack [OPTIONS] SRC DEST\n"
"       rootfs-unpack --bundle DIR [OPTIONS] SRC\n"
"\n"
"Unpack an image's layers, in order, into the root filesystem DEST, or\n"
"into DIR/rootfs with DIR/config.json made from the image config on the\n"
"defaults `oci-run spec` writes, ready for `oci-run run -b DIR ID`.\n"
"DEST must be absent or an empty directory: the tree is built in a\n"
"hidden .DEST.unpack-* beside it and renamed to DEST once complete, so\n"
"DEST is never half unpacked (a killed run leaves only that sibling).\n"
"\n"
"SRC:\n"
"  FILE, -               a rootfs tarball (docker export), plain, gzip or\n"
"                        zstd, told apart by its first bytes; or a docker\n"
"                        save archive (legacy, or Docker 25's OCI layout\n"
"                        inside), which must be a FILE\n"
"  oci:DIR[:REF]         an OCI image layout; REF is the ref.name\n"
"                        annotation, needed when DIR holds several\n"
"  docker-archive:FILE[:REF]\n"
"                        a docker save archive; REF one of its RepoTags\n"
"  docker://HOST[:PORT]/REPO[:TAG|@DIGEST]\n"
"                        a registry, over HTTPS (TLS 1.2); anonymous, or a\n"
"                        token or basic auth as the registry asks\n"
"\n"
"Options:\n"
"  -b, --bundle DIR      make the bundle DIR (created if missing; its\n"
"                        config.json must not exist yet)\n"
"      --platform OS/ARCH[/VARIANT]\n"
"                        the image of an index to take (default: this\n"
"                        machine's, e.g. linux/amd64)\n"
"      --rootless        everything owned by the caller; device nodes\n"
"                        skipped with a warning (the default when not\n"
"                        root, and inside a user namespace for devices)\n"
"      --uid-map C:H:N   archive uid C.. is host uid H.. (N of them), for\n"
"      --gid-map C:H:N   a user-namespaced container; repeatable, and\n"
"                        an id outside every map is an error\n"
"      --max-bytes N     stop past N bytes of file data in all (suffix\n"
"                        K, M, G, T; default 64G): a decompression bomb\n"
"                        ends there\n"
"      --max-entries N   stop past N archive entries (default 10000000)\n"
"      --no-diffid-check do not check each layer's uncompressed digest\n"
"                        against the config's rootfs.diff_ids (blob\n"
"                        digests are always checked): for images whose\n"
"                        config lies, e.g. some hand-built ones\n"
"      --ca-file FILE    trust these CA certificates (PEM), not the\n"
"                        system's\n"
"      --creds USER:PASS registry credentials (default: the user's docker\n"
"                        config.json, $DOCKER_CONFIG or ~/.docker)\n"
"      --plain-http      HTTP without TLS, to a loopback registry only:\n"
"                        for tests, never for a real registry\n"
"      --sync            syncfs once before DEST is renamed into place\n"
"      --store DIR       through layer-link's layer store DIR: a layer is\n"
"                        extracted there once (one already there is not\n"
"                        read at all) and DEST assembled from the store,\n"
"                        recorded as using those layers (layer-link\n"
"                        release DEST drops it)\n"
"      --mode hardlink|copy\n"
"                        with --store: hardlink (files are links to the\n"
"                        store's) needs --read-only or --uid-map/--gid-map\n"
"                        (see layer-link --help); default hardlink where\n"
"                        that holds, else copy\n"
"      --read-only       with --store: the rootfs will be mounted\n"
"                        read-only, so hard links need no id maps\n"
"  -q, --quiet           no progress line (there is one only on a\n"
"                        terminal)\n"
"  -h, --help, -V, --version\n"
"\n"
"Every path is resolved inside DEST: \"..\", absolute names, symlinks and\n"
"hard links out of it are refused or confined; whiteouts (.wh.NAME,\n"
".wh..wh..opq) apply to lower layers only, as the image spec says.\n"
"\n"
"Examples:\n"
"  rootfs-unpack busybox.tar.gz /srv/rootfs\n"
"  rootfs-unpack --bundle /srv/c1 oci:/srv/images/busybox:latest\n"
"  rootfs-unpack --bundle /srv/c2 docker://registry.local/library/alpine:3\n";

enum {
	U_BUNDLE = 1, U_PLATFORM, U_ROOTLESS, U_UIDMAP, U_GIDMAP, U_MAXBYTES,
	U_MAXENTRIES, U_NODIFFID, U_CAFILE, U_CREDS, U_PLAIN, U_SYNC, U_QUIET,
	U_HELP, U_VERSION, U_STORE, U_MODE, U_RO,
};

static const struct opt opts[] = {
	{ "bundle", 'b', OPT_ARG, U_BUNDLE },
	{ "platform", 0, OPT_ARG, U_PLATFORM },
	{ "rootless", 0, OPT_NOARG, U_ROOTLESS },
	{ "uid-map", 0, OPT_ARG, U_UIDMAP },
	{ "gid-map", 0, OPT_ARG, U_GIDMAP },
	{ "max-bytes", 0, OPT_ARG, U_MAXBYTES },
	{ "max-entries", 0, OPT_ARG, U_MAXENTRIES },
	{ "no-diffid-check", 0, OPT_NOARG, U_NODIFFID },
	{ "ca-file", 0, OPT_ARG, U_CAFILE },
	{ "creds", 0, OPT_ARG, U_CREDS },
	{ "plain-http", 0, OPT_NOARG, U_PLAIN },
	{ "sync", 0, OPT_NOARG, U_SYNC },
	{ "quiet", 'q', OPT_NOARG, U_QUIET },
	{ "store", 0, OPT_ARG, U_STORE },
	{ "mode", 0, OPT_ARG, U_MODE },
	{ "read-only", 0, OPT_NOARG, U_RO },
	{ "help", 'h', OPT_NOARG, U_HELP },
	{ "version", 'V', OPT_NOARG, U_VERSION },
	{ 0 },
};

struct plan {
	const char *src, *dest, *bundle, *platform, *store;
	struct registry_opts reg;
	int rootless, diffid, sync, quiet;
	int mode, read_only;	/* --store's: an assemble mode, or -1 */
	uint64_t max_bytes, max_entries;
	struct unpack_idmap uid_map[MAX_MAPS], gid_map[MAX_MAPS];
	size_t n_uid, n_gid;
};

/* Where the tree is built and where it goes. */
struct dest {
	struct stage st;
	char *base;		/* DEST's last component */
	int made_bundle;	/* --bundle DIR was created by us */
	int bundlefd;
};

static void usage_error(const char *msg) __attribute__((noreturn));

static void usage_error(const char *msg)
{
	xdie(1, "%s (see rootfs-unpack --help)", msg);
}

static uint64_t parse_size(const char *opt, const char *s)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end && !end[1]) {
		const char *units = "KMGT", *u = strchr(units, *end);

		if (u)
			shift = 10 * (int)(u - units + 1);
		else
			end = (char *)"x";
	}
	if (*s < '0' || *s > '9' || errno || (*end && end[1]) ||
	    (*end && !shift) || !v || v > (UINT64_MAX >> shift))
		xdie(1, "%s %s: expected a positive number, with K, M, G or "
		     "T", opt, s);
	return (uint64_t)v << shift;
}

static void parse(struct plan *p, int argc, char **argv)
{
	struct err e = { 0 };
	struct opt_iter it;
	char **pos;
	int id, npos;

	opt_start(&it, argc - 1, argv + 1, OPT_PERMUTE);
	while ((id = opt_next(&it, opts, &e)) != 0) {
		if (id < 0)
			usage_error(e.msg);
		switch (id) {
		case U_BUNDLE: p->bundle = it.arg; break;
		case U_PLATFORM: p->platform = it.arg; break;
		case U_ROOTLESS: p->rootless = 1; break;
		case U_UIDMAP:
		case U_GIDMAP:
			if (unpack_idmap_parse(it.arg, id == U_UIDMAP ?
					       "--uid-map" : "--gid-map",
					       id == U_UIDMAP ? p->uid_map :
					       p->gid_map, MAX_MAPS,
					       id == U_UIDMAP ? &p->n_uid :
					       &p->n_gid, &e) < 0)
				xdie(1, "%s", e.msg);
			break;
		case U_MAXBYTES:
			p->max_bytes = parse_size("--max-bytes", it.arg);
			break;
		case U_MAXENTRIES:
			p->max_entries = parse_size("--max-entries", it.arg);
			break;
		case U_NODIFFID: p->diffid = 0; break;
		case U_CAFILE: p->reg.ca_file = it.arg; break;
		case U_CREDS: p->reg.creds = it.arg; break;
		case U_PLAIN: p->reg.plain_http = 1; break;
		case U_SYNC: p->sync = 1; break;
		case U_QUIET: p->quiet = 1; break;
		case U_STORE: p->store = it.arg; break;
		case U_MODE:
			if (!strcmp(it.arg, "hardlink"))
				p->mode = ASSEMBLE_HARDLINK;
			else if (!strcmp(it.arg, "copy"))
				p->mode = ASSEMBLE_COPY;
			else
				usage_error("--mode: hardlink or copy (an "
					    "overlay is layer-link "
					    "assemble's)");
			break;
		case U_RO: p->read_only = 1; break;
		case U_HELP:
			fputs(rootfs_unpack_help, stdout);
			exit(0);
		case U_VERSION:
			printf("rootfs-unpack (ocibox %s)\n", OCIBOX_VERSION);
			exit(0);
		}
	}
	pos = opt_rest(&it, &npos);
	if (npos != (p->bundle ? 1 : 2))
		usage_error(p->bundle ? "--bundle DIR takes one SRC" :
			    "needs SRC and DEST");
	p->src = pos[0];
	p->dest = p->bundle ? NULL : pos[1];
	if (p->rootless && (p->n_uid || p->n_gid))
		usage_error("--rootless and --uid-map/--gid-map: give one");
	if (!p->store && (p->mode >= 0 || p->read_only))
		usage_error("--mode and --read-only go with --store");
	/* Not root: nothing can be chowned, as umoci --rootless. */
	if (geteuid() != 0 && !p->n_uid && !p->n_gid)
		p->rootless = 1;
}

/* --- DEST: a hidden sibling, renamed into place ---------------------------- */

/* Remove what a failed run made: the sibling, a bundle dir it created. */
static void dest_abort(struct dest *d, const char *bundle)
{
	struct err e = { 0 };

	if (stage_abort(&d->st, &e) < 0)
		log_warn("%s", e.msg);
	if (d->made_bundle && unlinkat(AT_FDCWD, bundle, AT_REMOVEDIR) < 0)
		log_warn("%s: %s", bundle, strerror(errno));
}

/* --- one layer -------------------------------------------------------------- */

struct run {
	struct plan *p;
	struct dest d;
	struct via_store vs;	/* --store: vs.s set */
	struct progress prog;
	uint64_t bytes, entries;	/* of the layers before this one */
	struct unpack_stats sum;
	struct unpack_stats layer;	/* --store: the one being imported */
};

static void on_progress(void *arg, const struct unpack_stats *st)
{
	struct run *r = arg;

	r->prog.bytes = r->bytes + st->bytes;
	progress_show(&r->prog);
}

/* A store import's counts so far (its last call has them all). */
static void on_import_progress(void *arg, const struct unpack_stats *st)
{
	struct run *r = arg;

	r->layer = *st;
	on_progress(arg, st);
}

static void add_stats(struct unpack_stats *sum, const struct unpack_stats *st)
{
	size_t i;

	for (i = 0; i < st->devices_skipped && i < UNPACK_SKIPPED_NAMES; i++)
		if (sum->devices_skipped + i < UNPACK_SKIPPED_NAMES)
			memcpy(sum->skipped[sum->devices_skipped + i],
			       st->skipped[i], UNPACK_SHOWN_MAX);
	sum->entries += st->entries;
	sum->bytes += st->bytes;
	sum->whiteouts += st->whiteouts;
	sum->devices_skipped += st->devices_skipped;
	sum->xattrs_skipped += st->xattrs_skipped;
}

/*
 * Decompress (in a thread of its own, ahead of us), check the DiffID
 * and apply the layer blob (owned) to the sibling.  what names it.
 */
/*
 * --store: the layer into the store; its DiffID is trusted as a key only
 * once checked (else the stream's own is the key).
 */
static int import_layer(struct run *r, struct reader *blob, const char *what,
			const char *diff_id, const char *blob_digest,
			const struct tar_limits *lim, struct err *e)
{
	struct store_import_opts o = {
		.diff_id = diff_id && *diff_id ? diff_id : NULL,
		.blob_digest = blob_digest && *blob_digest ? blob_digest : NULL,
		.rootless = r->p->rootless,
		.limits = *lim,
		.progress = on_import_progress, .progress_arg = r,
	};
	int ret;

	memset(&r->layer, 0, sizeof(r->layer));
	ret = via_store_import(&r->vs, blob, what, &o, e);
	/* The caps are for the whole image, as without --store. */
	r->bytes += r->layer.bytes;
	r->entries += r->layer.entries;
	return ret;
}

static int apply_layer(struct run *r, struct reader *blob, const char *what,
		       const char *diff_id, const char *blob_digest,
		       struct err *e)
{
	struct unpack_opts uo = {
		.rootless = r->p->rootless,
		.uid_map = r->p->uid_map, .n_uid_map = r->p->n_uid,
		.gid_map = r->p->gid_map, .n_gid_map = r->p->n_gid,
		.progress = on_progress, .progress_arg = r,
	};
	struct layer_apply_opts lo = {
		.unpack = &uo, .want_diff_id = diff_id && *diff_id,
	};
	struct unpack_stats st;
	char got[DIGEST_STR_MAX];
	int ret;

	/* What the layers before left of the caps (0 would be tar's default). */
	lo.limits.max_bytes = r->p->max_bytes - r->bytes;
	lo.limits.max_entries = r->p->max_entries - r->entries;
	if (!lo.limits.max_bytes)
		lo.limits.max_bytes = 1;
	if (!lo.limits.max_entries)
		lo.limits.max_entries = 1;
	if (r->vs.s)
		return import_layer(r, blob, what, diff_id, blob_digest,
				    &lo.limits, e);
	ret = layer_apply(r->d.st.tmpfd, blob, what, &lo, got, &st, e);
	add_stats(&r->sum, &st);
	r->bytes += st.bytes;
	r->entries += st.entries;
	if (ret < 0)
		return ret;
	if (lo.want_diff_id && strcmp(got, diff_id))
		return err_msg(e, EINVAL, "%s: DiffID mismatch: the config "
			       "says %s, the layer is %s (see "
			       "--no-diffid-check)", what, diff_id, got);
	return 0;
}

/* --- sources -------------------------------------------------------------- */

static int run_image(struct run *r, const struct image *img, struct err *e)
{
	const struct image_layer *l;
	char what[128];
	struct reader *blob;
	size_t i;
	int ret;

	r->prog.layers = img->n_layers;
	for (i = 0; i < img->n_layers; i++) {
		l = &img->layers[i];
		r->prog.layer = i + 1;
		snprintf(what, sizeof(what), "layer %zu (%.19s)", i + 1,
			 l->blob.digest[0] ? l->blob.digest : l->diff_id);
		/* In the store already: nothing to read. */
		if (r->vs.s && r->p->diffid && via_store_has(&r->vs,
							     l->diff_id))
			continue;
		ret = image_layer_open(img, i, &blob, e);
		if (ret < 0)
			return ret;
		ret = apply_layer(r, blob, what, r->p->diffid ? l->diff_id :
				  NULL, l->blob.digest, e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A registry as image.c's blob store. */
struct reg_store {
	struct image_store s;
	struct registry *reg;
};

/* Indexes and manifests come from /manifests/, every other blob /blobs/. */
static int is_manifest(const char *type)
{
	return type && (strstr(type, ".image.index.") ||
			strstr(type, ".image.manifest.") ||
			strstr(type, ".distribution.manifest."));
}

static int reg_open(struct image_store *s, const struct image_blob *b,
		    struct reader **out, struct err *e)
{
	struct reg_store *rs = (struct reg_store *)s;
	struct registry_manifest m = { 0 };
	int64_t size;
	int r;

	if (is_manifest(b->media_type)) {
		r = registry_get_manifest(rs->reg, b->digest, &m, e);
		if (r < 0)
			return r;
		*out = reader_mem_owned(m.body, m.len);
		return *out ? 0 : err_sys(e, ENOMEM, "%s", b->digest);
	}
	*out = registry_get_blob(rs->reg, b->digest, &size, e);
	if (!*out)
		return e->no ? -e->no : -ENOMEM;
	if (size >= 0 && (uint64_t)size != b->size) {
		reader_close(*out);
		*out = NULL;
		return err_msg(e, EINVAL, "blob %s: %lld bytes, but its "
			       "descriptor says %llu", b->digest,
			       (long long)size, (unsigned long long)b->size);
	}
	return 0;
}

static void reg_close(struct image_store *s)
{
	struct reg_store *rs = (struct reg_store *)s;

	registry_close(rs->reg);
	free(rs);
}

static int open_registry(const struct plan *p, struct image *img,
			 struct err *e)
{
	struct registry_manifest m = { 0 };
	struct registry_ref ref;
	struct reg_store *rs;
	int ret;

	if (registry_ref_parse(p->src, &ref, e) < 0)
		return -e->no;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return err_sys(e, ENOMEM, "%s", p->src);
	rs->s.open = reg_open;
	rs->s.close = reg_close;
	rs->reg = registry_open(&ref, &p->reg, e);
	if (!rs->reg) {
		free(rs);
		return e->no ? -e->no : -ENOMEM;
	}
	ret = registry_get_manifest(rs->reg, registry_ref_reference(&ref), &m,
				    e);
	if (ret == 0)
		ret = image_resolve(&rs->s, p->src, m.body, m.len, NULL,
				    p->platform, img, e);
	registry_manifest_free(&m);
	if (ret < 0)
		reg_close(&rs->s);
	return ret;
}

/* oci:DIR[:REF]: DIR ends at the first ':', as skopeo's oci: does. */
static int open_layout(const struct plan *p, struct image *img,
		       struct err *e)
{
	char *dir = strdup(p->src + 4), *colon;
	int fd, ret;

	if (!dir)
		return err_sys(e, ENOMEM, "%s", p->src);
	colon = strchr(dir, ':');
	if (colon)
		*colon++ = 0;
	fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = err_sys(e, errno, "%s", dir);
		free(dir);
		return ret;
	}
	ret = image_open_layout(fd, colon && *colon ? colon : NULL,
				p->platform, img, e);
	close(fd);
	free(dir);
	return ret;
}

/*
 * FILE: a docker save archive when it is a tar holding manifest.json or
 * index.json at its top, else a rootfs tarball (*fd_out, still at its
 * start: only pread has read it).
 */
static int open_file(const struct plan *p, struct image *img, int *fd_out,
		     struct err *e)
{
	unsigned char magic[6];
	struct err ae = { 0 };
	enum compression c;
	struct stat sb;
	ssize_t n;
	int fd, ret;

	fd = open(p->src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "%s", p->src);
	/* A pipe or a device is a stream: a tarball, read once. */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		*fd_out = fd;
		return 0;
	}
	n = pread(fd, magic, sizeof(magic), 0);
	c = n < 0 ? COMPRESSION_NONE : compression_sniff(magic, n);
	if (c == COMPRESSION_NONE) {
		ret = image_open_archive(fd, p->src, NULL, p->platform, img,
					 &ae);
		if (ret == 0) {
			close(fd);
			return 0;
		}
		image_free(img);
		memset(img, 0, sizeof(*img));
		if (ret != -ENOMSG) {
			close(fd);
			*e = ae;
			return ret;
		}
	}
	*fd_out = fd;
	return 0;
}

/*
 * docker-archive:FILE[:REF], as skopeo spells it: a docker save archive
 * only, REF one of its RepoTags (needed when it holds several images).
 */
static int open_archive(const struct plan *p, struct image *img,
			struct err *e)
{
	char *file = strdup(p->src + 15), *colon;
	int fd, ret;

	if (!file)
		return err_sys(e, ENOMEM, "%s", p->src);
	colon = strchr(file, ':');
	if (colon)
		*colon++ = 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = err_sys(e, errno, "%s", file);
		free(file);
		return ret;
	}
	ret = image_open_archive(fd, file, colon && *colon ? colon : NULL,
				 p->platform, img, e);
	close(fd);
	free(file);
	return ret;
}

static int run_source(struct run *r, struct image *img, int *is_image,
		      struct err *e)
{
	const struct plan *p = r->p;
	struct reader *blob;
	int fd = -1, ret;

	*is_image = 1;
	if (!strncmp(p->src, "oci:", 4))
		ret = open_layout(p, img, e);
	else if (!strncmp(p->src, "docker-archive:", 15))
		ret = open_archive(p, img, e);
	else if (!strncmp(p->src, "docker://", 9))
		ret = open_registry(p, img, e);
	else if (!strcmp(p->src, "-"))
		ret = 0, fd = 0;
	else
		ret = open_file(p, img, &fd, e);
	if (ret < 0)
		return ret;
	if (fd < 0)
		return run_image(r, img, e);
	*is_image = 0;
	r->prog.layer = r->prog.layers = 1;
	blob = reader_fd(fd, fd != 0, fd ? p->src : "stdin");
	if (!blob) {
		if (fd > 0)
			close(fd);
		return err_sys(e, ENOMEM, "%s", p->src);
	}
	return apply_layer(r, blob, fd ? p->src : "stdin", NULL, NULL, e);
}

/* --- main ------------------------------------------------------------------ */

static void warn_skipped(const struct unpack_stats *st)
{
	char names[UNPACK_SKIPPED_NAMES * (UNPACK_SHOWN_MAX + 2)] = "";
	size_t i;

	if (st->devices_skipped) {
		for (i = 0; i < st->devices_skipped &&
		     i < UNPACK_SKIPPED_NAMES; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", st->skipped[i]);
		log_warn("skipped %llu device node%s (not created rootless "
			 "or in a user namespace): %s%s",
			 (unsigned long long)st->devices_skipped,
			 st->devices_skipped == 1 ? "" : "s", names,
			 st->devices_skipped > UNPACK_SKIPPED_NAMES ? ", ..." :
			 "");
	}
	if (st->xattrs_skipped)
		log_warn("%llu extended attribute%s not set (not supported "
			 "here, or not allowed to the caller)",
			 (unsigned long long)st->xattrs_skipped,
			 st->xattrs_skipped == 1 ? "" : "s");
}

/* --bundle DIR: made if missing, and without a config.json yet. */
static int open_bundle(const struct plan *p, struct dest *d, struct err *e)
{
	struct stat sb;

	if (mkdir(p->bundle, 0755) == 0)
		d->made_bundle = 1;
	else if (errno != EEXIST)
		return err_sys(e, errno, "--bundle %s", p->bundle);
	d->bundlefd = open(p->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->bundlefd < 0)
		return err_sys(e, errno, "--bundle %s", p->bundle);
	if (fstatat(d->bundlefd, "config.json", &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return err_msg(e, EEXIST, "--bundle %s: config.json exists "
			       "already", p->bundle);
	if (errno != ENOENT)
		return err_sys(e, errno, "--bundle %s: config.json",
			       p->bundle);
	d->base = strdup("rootfs");
	return d->base ? dup(d->bundlefd) : err_sys(e, ENOMEM, "bundle");
}

/* --store: DEST from the stored layers, into the staged tree. */
static int assemble_dest(struct run *r, struct err *e)
{
	struct assemble_opts o = {
		.mode = r->p->mode < 0 ? ASSEMBLE_HARDLINK : r->p->mode,
		.uid_map = r->p->uid_map, .n_uid_map = r->p->n_uid,
		.gid_map = r->p->gid_map, .n_gid_map = r->p->n_gid,
		.read_only = r->p->read_only,
		.rootless = r->p->rootless,
	};
	char *path = stage_path(r->d.st.parentfd, r->d.base, e);
	int ret;

	if (!path)
		return -e->no;
	ret = via_store_assemble(&r->vs, r->d.st.tmpfd, path, &o,
				 r->p->mode < 0, e);
	free(path);
	return ret;
}

static int unpack_all(struct run *r, const char *shown, struct err *e)
{
	struct image img = { 0 };
	char *config = NULL;
	int is_image, ret;

	ret = run_source(r, &img, &is_image, e);
	progress_end(&r->prog);
	if (ret == 0 && r->vs.s)
		ret = assemble_dest(r, e);
	if (ret < 0)
		goto out;
	if (r->p->bundle && (ret = bundle_config(r->d.st.tmpfd, is_image ?
						 &img.config : NULL,
						 r->p->rootless, &config,
						 e)) < 0)
		goto out;
	if (r->p->sync && syncfs(r->d.st.tmpfd) < 0) {
		ret = err_sys(e, errno, "%s: syncfs", shown);
		goto out;
	}
	ret = stage_commit(&r->d.st, shown, e);
	if (ret == 0 && config) {
		ret = write_file_atomic(r->d.bundlefd, "config.json", config,
					strlen(config), 0644, r->p->sync ?
					IO_DURABLE : IO_VOLATILE);
		if (ret < 0) {
			err_sys(e, -ret, "%s/config.json", r->p->bundle);
			/* A rootfs without its config is no bundle. */
			path_remove_tree(r->d.bundlefd, "rootfs", e);
		}
	}
out:
	free(config);
	image_free(&img);
	return ret;
}

int rootfs_unpack_main(int argc, char **argv)
{
	struct plan p = { .diffid = 1, .mode = -1,
			  .max_bytes = DEFAULT_MAX_BYTES,
			  .max_entries = DEFAULT_MAX_ENTRIES };
	struct run r = { .p = &p };
	struct err e = { 0 };
	const char *shown;
	int parentfd, ret;

	log_init("rootfs-unpack");
	r.d.st.parentfd = r.d.st.tmpfd = r.d.bundlefd = -1;
	parse(&p, argc, argv);
	progress_init(&r.prog, p.quiet);
	/* A pipe closed under a registry pull is an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
	shown = p.bundle ? p.bundle : p.dest;
	parentfd = p.bundle ? open_bundle(&p, &r.d, &e) :
		   stage_open_parent(p.dest, &r.d.base, &e);
	ret = parentfd < 0 ? parentfd :
	      stage_begin(&r.d.st, parentfd, r.d.base, "unpack", shown, &e);
	if (ret == 0 && p.store)
		ret = via_store_open(&r.vs, p.store, &e);
	if (ret == 0)
		ret = unpack_all(&r, shown, &e);
	via_store_close(&r.vs, ret < 0);
	if (ret < 0) {
		dest_abort(&r.d, p.bundle);
		log_error("%s", e.msg);
	} else {
		warn_skipped(&r.sum);
	}
	if (r.d.st.tmpfd >= 0)
		close(r.d.st.tmpfd);
	if (r.d.bundlefd >= 0)
		close(r.d.bundlefd);
	if (parentfd >= 0)
		close(parentfd);
	free(r.d.base);
	return ret < 0;
}
