/*
 * main.c - the layer-link applet: a content-addressed layer store (store.h)
 * and container root filesystems assembled from it by hard links,
 * overlayfs or copies (assemble.h), with references and garbage
 * collection (DESIGN §1, §5).  Users compare it with containers/storage's
 * overlay and vfs drivers, and with `cp -al` of an unpacked image.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assemble.h"
#include "cJSON.h"
#include "clock.h"
#include "digest.h"
#include "log.h"
#include "opt.h"
#include "path.h"
#include "reader.h"
#include "stage.h"
#include "store.h"

const char layer_link_help[] =
"Usage: layer-link [--store DIR] COMMAND [OPTIONS] [ARGS]\n"
"\n"
"A content-addressed store of image layers: each layer is extracted once,\n"
"under its DiffID, and container root filesystems are assembled from the\n"
"stored layers without extracting or copying them again.  The store is\n"
"--store DIR, default " STORE_DEFAULT_DIR " (for a user other than root\n"
"$XDG_DATA_HOME/ocibox, or ~/.local/share/ocibox).\n"
"\n"
"  import [--owner UID:GID] FILE...\n"
"      extract each layer (a tar, plain, gzip or zstd, told apart by\n"
"      content; an OCI blob; - for stdin) into the store unless it is\n"
"      there already; print \"DIFFID imported|present FILE\" for each.\n"
"      --owner: the store's files are owned by image id + UID (GID), an\n"
"      owner no container maps (root only; default: the image's ids).\n"
"      A layer is synced before it appears in the store\n"
"  assemble [--mode hardlink|overlay|copy] [--uid-map C:H:N] [--gid-map\n"
"           C:H:N] [--read-only] [--sync] DEST DIFFID...\n"
"      make DEST (absent or an empty directory) from the layers, the base\n"
"      first, as overlayfs would stack them (whiteouts and opaque\n"
"      directories applied):\n"
"        hardlink  fresh directories, files hard links to the store's\n"
"                  (the default); copy  every file copied;\n"
"        overlay   an overlay mount at DEST, upper and work directories\n"
"                  in .DEST.overlay beside it\n"
"      No container may write a store file through a link: hardlink needs\n"
"      --read-only (the rootfs will be mounted read-only), or the\n"
"      container's user namespace maps (--uid-map/--gid-map CONTAINER:\n"
"      HOST:SIZE, as in its config.json) leaving the store's owner out.\n"
"      Then files that must look different in the container (setuid,\n"
"      not world-readable, not the image root's) are copied and owned as\n"
"      the maps say.  An assembly that cannot be protected is refused,\n"
"      with the reason and a mode that works.  (--read-only protects only\n"
"      while the container cannot remount: no CAP_SYS_ADMIN.)  DEST is\n"
"      built beside it and renamed into place: whole or absent; --sync:\n"
"      synced first, so also after a power loss\n"
"  ls [-f table|json]\n"
"      the layers: DIFFID, SIZE, ENTRIES, REFS (trees using it), CREATED\n"
"  refs [-f table|json]\n"
"      the assembled trees: PATH, MODE, LAYERS, STALE (removed by hand)\n"
"  release DEST\n"
"      unmount or remove the tree assembled at DEST and drop its reference\n"
"  gc [-n|--dry-run]\n"
"      remove stale references, dead imports, then every layer no tree\n"
"      uses; never one being imported or assembled (gc waits for them)\n"
"\n"
"Exit status 1 on any error.\n"
"\n"
"Examples:\n"
"  layer-link import blobs/sha256/*\n"
"  layer-link assemble --uid-map 0:100000:65536 --gid-map 0:100000:65536 \\\n"
"      /run/c1/rootfs sha256:5f70bf18... sha256:9a0b2c1d...\n"
"  layer-link release /run/c1/rootfs && layer-link gc\n";

#define MAX_MAPS 8

enum {
	G_STORE = 1, G_HELP,
	C_OWNER, C_SYNC, C_MODE, C_UIDMAP, C_GIDMAP, C_RO, C_FORMAT, C_DRY,
};

static const struct opt global_opts[] = {
	{ "store", 0, OPT_ARG, G_STORE },
	{ "help", 'h', OPT_NOARG, G_HELP },
	{ 0 },
};

/* One command's options, parsed before anything is done. */
struct cmd {
	const char *name;
	const char *store;
	int read_only, dry_run, has_owner, sync;
	uint32_t owner_uid, owner_gid;
	enum assemble_mode mode;
	const char *format;
	struct unpack_idmap uid_map[MAX_MAPS], gid_map[MAX_MAPS];
	size_t n_uid, n_gid;
	struct err e;
	int bad;
};

static void usage_error(const char *cmd, const char *msg)
	__attribute__((noreturn));

static void usage_error(const char *cmd, const char *msg)
{
	xdie(1, "%s: %s (see layer-link --help)", cmd, msg);
}

static int parse_owner(const char *s, uint32_t *uid, uint32_t *gid)
{
	unsigned long u, g;
	char *end;

	errno = 0;
	u = strtoul(s, &end, 10);
	if (end == s || *end != ':' || errno || u >= UINT32_MAX)
		return -1;
	s = end + 1;
	g = strtoul(s, &end, 10);
	if (end == s || *end || errno || g >= UINT32_MAX)
		return -1;
	*uid = u;
	*gid = g;
	return 0;
}

static void set_opt(int id, const char *arg, void *ctx)
{
	struct cmd *c = ctx;

	if (c->bad)
		return;
	switch (id) {
	case C_OWNER:
		c->has_owner = 1;
		if (parse_owner(arg, &c->owner_uid, &c->owner_gid) < 0)
			c->bad = err_msg(&c->e, EINVAL, "--owner %s: not "
					 "UID:GID", arg);
		break;
	case C_MODE:
		if (!strcmp(arg, "hardlink"))
			c->mode = ASSEMBLE_HARDLINK;
		else if (!strcmp(arg, "overlay"))
			c->mode = ASSEMBLE_OVERLAY;
		else if (!strcmp(arg, "copy"))
			c->mode = ASSEMBLE_COPY;
		else
			c->bad = err_msg(&c->e, EINVAL, "--mode %s: not "
					 "hardlink, overlay or copy", arg);
		break;
	case C_UIDMAP:
		c->bad = unpack_idmap_parse(arg, "--uid-map", c->uid_map,
					    MAX_MAPS, &c->n_uid, &c->e);
		break;
	case C_GIDMAP:
		c->bad = unpack_idmap_parse(arg, "--gid-map", c->gid_map,
					    MAX_MAPS, &c->n_gid, &c->e);
		break;
	case C_RO: c->read_only = 1; break;
	case C_SYNC: c->sync = 1; break;
	case C_FORMAT:
		c->format = arg;
		if (strcmp(arg, "table") && strcmp(arg, "json"))
			c->bad = err_msg(&c->e, EINVAL, "--format %s: not "
					 "table or json", arg);
		break;
	case C_DRY: c->dry_run = 1; break;
	default: break;
	}
}

static char **command_line(struct cmd *c, int argc, char **argv,
			   const struct opt *tab, int min_pos, int max_pos,
			   const char *what, int *npos)
{
	char **pos;
	int r;

	/* No bound above: "needs 1 to 2147483647 arguments" helps nobody. */
	r = opt_command(argc, argv, tab, set_opt, c,
			max_pos == INT_MAX ? 0 : min_pos, max_pos, what, &pos,
			npos, &c->e);
	if (r == OPT_HELP) {
		fputs(layer_link_help, stdout);
		exit(0);
	}
	if (r < 0 || c->bad)
		usage_error(c->name, c->e.msg);
	if (*npos < min_pos)
		usage_error(c->name, what);
	return pos;
}

static struct store *open_store(struct cmd *c, int create)
{
	struct store *s = store_open(c->store, create, &c->e);

	if (!s)
		xdie(1, "%s", c->e.msg);
	return s;
}

/* "sha256:HEX" from what the user gave: that, or the bare HEX. */
static int diff_id_arg(const char *arg, char *out)
{
	const char *hex = strncmp(arg, "sha256:", 7) ? arg : arg + 7;
	size_t i;

	if (strlen(hex) != 64)
		return -1;
	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", hex[i]))
			return -1;
	snprintf(out, DIGEST_STR_MAX, "sha256:%s", hex);
	return 0;
}

/*
 * DEST's absolute path with its parent resolved (the ref's key), its
 * parent opened into *parentfd and its last component into *base.
 */
static char *dest_path(struct cmd *c, const char *dest, int *parentfd,
		       char **base)
{
	char *abs;

	*parentfd = stage_open_parent(dest, base, &c->e);
	if (*parentfd < 0)
		xdie(1, "%s: %s", c->name, c->e.msg);
	abs = stage_path(*parentfd, *base, &c->e);
	if (!abs)
		xdie(1, "%s: %s", c->name, c->e.msg);
	return abs;
}

/* --- import --------------------------------------------------------------- */

/* The SHA-256 of the whole regular file fd, from its start. */
static int file_digest(int fd, const char *name, char *out, struct err *e)
{
	struct reader *r = reader_fd(fd, 0, name);
	struct digest d;
	char buf[65536];
	ssize_t n;

	if (!r)
		return err_sys(e, ENOMEM, "%s", name);
	digest_init(&d);
	while ((n = reader_read(r, buf, sizeof(buf), e)) > 0)
		digest_update(&d, buf, n);
	reader_close(r);
	if (n < 0)
		return n;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_sys(e, errno, "%s: seek", name);
	digest_string(&d, out);
	return 0;
}

/* A layer found in the store must be owned as this import would own it. */
static int same_owner(struct cmd *c, struct store *s, const char *file,
		      const char *diff, const struct store_import_opts *o)
{
	struct store_layer info;
	int fd;

	fd = store_layer_open(s, diff, &info, &c->e);
	if (fd < 0)
		return fd;
	close(fd);
	if (info.uid_base == o->uid_base && info.gid_base == o->gid_base)
		return 0;
	return err_msg(&c->e, EEXIST, "%s: %s is in the store owned from "
		       "%u:%u, not %u:%u (--owner)", file, diff,
		       (unsigned)info.uid_base, (unsigned)info.gid_base,
		       (unsigned)o->uid_base, (unsigned)o->gid_base);
}

static int import_one(struct cmd *c, struct store *s, const char *file)
{
	struct store_import_opts o = {
		.rootless = geteuid() != 0,
		.uid_base = c->owner_uid, .gid_base = c->owner_gid,
	};
	char blob[DIGEST_STR_MAX], diff[DIGEST_STR_MAX];
	int fd, existed = 0, ret;
	struct reader *r;
	struct stat st;

	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = err_sys(&c->e, errno, "%s", file);
		goto out;
	}
	/* A file is known by its digest: importing it again is a lookup. */
	if (S_ISREG(st.st_mode)) {
		ret = file_digest(fd, file, blob, &c->e);
		if (ret < 0)
			goto out;
		o.blob_digest = blob;
	}
	r = reader_fd(fd, fd != 0, fd ? file : "stdin");
	if (!r) {
		ret = err_sys(&c->e, ENOMEM, "%s", file);
		goto out;
	}
	fd = -1;
	ret = store_import(s, r, file, &o, diff, &existed, &c->e);
	/* The tar reader names the entry, not the file it came from. */
	if (ret < 0 && strncmp(c->e.msg, file, strlen(file)))
		err_prefix(&c->e, "%s", file);
	if (ret == 0 && existed)
		ret = same_owner(c, s, file, diff, &o);
	if (ret == 0)
		printf("%s %s %s\n", diff, existed ? "present" : "imported",
		       file);
out:
	if (fd > 0)
		close(fd);
	if (ret < 0)
		log_error("import: %s", c->e.msg);
	return ret;
}

static int cmd_import(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = {
		{ "owner", 0, OPT_ARG, C_OWNER },
		{ 0 },
	};
	struct store *s;
	char **files;
	int n, i, bad = 0;

	files = command_line(c, argc, argv, tab, 1, INT_MAX,
			     "needs a layer file", &n);
	if (c->has_owner && geteuid() != 0)
		usage_error(c->name, "--owner needs root");
	s = open_store(c, 1);
	for (i = 0; i < n; i++)
		if (import_one(c, s, files[i]) < 0)
			bad = 1;
	store_close(s);
	return bad;
}

/* --- assemble ------------------------------------------------------------- */

static const char *mode_name(enum assemble_mode m)
{
	return m == ASSEMBLE_OVERLAY ? "overlay" :
	       m == ASSEMBLE_COPY ? "copy" : "hardlink";
}

/* The overlay's upper and work directories, beside DEST. */
static void overlay_sibling(char *buf, size_t size, const char *base)
{
	snprintf(buf, size, ".%s.overlay", base);
}

static int assemble_overlay_at(struct cmd *c, int parentfd,
			       const char *base, const char *abs,
			       const struct assemble_layer *layers, size_t n,
			       const struct assemble_opts *o)
{
	char sib[NAME_MAX + 16], upper[PATH_MAX], work[PATH_MAX];
	int made = 0, ret;
	struct stat st;
	struct err e2;

	overlay_sibling(sib, sizeof(sib), base);
	ret = stage_check_dest(parentfd, base, abs, &c->e);
	if (ret < 0)
		return ret;
	if (fstatat(parentfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (mkdirat(parentfd, base, 0755) < 0)
			return err_sys(&c->e, errno, "%s: mkdir", abs);
		made = 1;
	}
	if (mkdirat(parentfd, sib, 0700) < 0) {
		ret = err_sys(&c->e, errno, "%s: mkdir %s beside it", abs,
			      sib);
		goto out_dest;
	}
	snprintf(upper, sizeof(upper), "%s/upper", sib);
	snprintf(work, sizeof(work), "%s/work", sib);
	if (mkdirat(parentfd, upper, 0755) < 0 ||
	    mkdirat(parentfd, work, 0700) < 0) {
		ret = err_sys(&c->e, errno, "%s: mkdir in %s", abs, sib);
		goto out_sib;
	}
	snprintf(upper, sizeof(upper), "%.*s/%s/upper",
		 (int)(strrchr(abs, '/') - abs), abs, sib);
	snprintf(work, sizeof(work), "%.*s/%s/work",
		 (int)(strrchr(abs, '/') - abs), abs, sib);
	ret = assemble_overlay(abs, layers, n, upper, work, o, &c->e);
	if (ret == 0)
		return 0;
out_sib:
	path_remove_tree(parentfd, sib, &e2);
out_dest:
	if (made)
		unlinkat(parentfd, base, AT_REMOVEDIR);
	return ret;
}

static int assemble_tree_at(struct cmd *c, int parentfd, const char *base,
			    const char *abs,
			    const struct assemble_layer *layers, size_t n,
			    const struct assemble_opts *o)
{
	struct stage sg;
	struct err e2;
	int ret;

	ret = stage_begin(&sg, parentfd, base, "assemble", abs, &c->e);
	if (ret == 0)
		ret = assemble_tree(sg.tmpfd, layers, n, o, NULL, &c->e);
	if (ret == 0 && c->sync && syncfs(sg.tmpfd) < 0)
		ret = err_sys(&c->e, errno, "%s: syncfs", abs);
	if (ret == 0)
		ret = stage_commit(&sg, abs, &c->e);
	if (ret < 0 && stage_abort(&sg, &e2) < 0)
		log_warn("%s", e2.msg);
	if (sg.tmpfd >= 0)
		close(sg.tmpfd);
	return ret;
}

/*
 * DEST may be made: absent or an empty directory, and no live tree of
 * the store's is there (a mount on it would be hidden, its ref lost).
 */
static int not_assembled(struct cmd *c, struct store *s, int parentfd,
			 const char *base, const char *abs)
{
	struct store_ref ref;
	int ret, live;

	ret = store_ref_get(s, abs, &ref, &c->e);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		live = !store_ref_is_stale(&ref);
		store_ref_free(&ref);
		if (live)
			return err_msg(&c->e, EEXIST, "%s: assembled already "
				       "(layer-link release it first)", abs);
	}
	return stage_check_dest(parentfd, base, abs, &c->e);
}

static int cmd_assemble(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = {
		{ "mode", 0, OPT_ARG, C_MODE },
		{ "uid-map", 0, OPT_ARG, C_UIDMAP },
		{ "gid-map", 0, OPT_ARG, C_GIDMAP },
		{ "read-only", 0, OPT_NOARG, C_RO },
		{ "sync", 0, OPT_NOARG, C_SYNC },
		{ 0 },
	};
	struct assemble_opts o = { 0 };
	struct assemble_layer *layers;
	char (*ids)[DIGEST_STR_MAX], (*paths)[PATH_MAX];
	const char **names;
	int nargs, parentfd, ret = 0, i, n;
	struct store_layer info;
	char **args, *base, *abs;
	struct store *s;
	struct err e2;

	args = command_line(c, argc, argv, tab, 2, INT_MAX,
			    "needs DEST and a DiffID at least", &nargs);
	n = nargs - 1;
	layers = calloc(n, sizeof(*layers));
	ids = calloc(n, sizeof(*ids));
	paths = calloc(n, sizeof(*paths));
	names = calloc(n, sizeof(*names));
	if (!layers || !ids || !paths || !names)
		xdie(1, "assemble: out of memory");
	for (i = 0; i < n; i++) {
		if (diff_id_arg(args[i + 1], ids[i]) < 0)
			usage_error(c->name, "a DiffID is sha256:HEX, 64 "
				    "hex digits");
		names[i] = ids[i];
		layers[i].fd = -1;
	}
	o.mode = c->mode;
	o.uid_map = c->uid_map;
	o.n_uid_map = c->n_uid;
	o.gid_map = c->gid_map;
	o.n_gid_map = c->n_gid;
	o.read_only = c->read_only;
	o.rootless = geteuid() != 0;
	abs = dest_path(c, args[0], &parentfd, &base);
	s = open_store(c, 0);
	/* From here until the ref is written gc waits. */
	ret = store_use(s, &c->e);
	for (i = 0; ret == 0 && i < n; i++) {
		layers[i].fd = store_layer_open(s, ids[i], &info, &c->e);
		if (layers[i].fd < 0) {
			ret = layers[i].fd;
			break;
		}
		store_layer_path(s, ids[i], paths[i], sizeof(paths[i]));
		layers[i].path = paths[i];
		layers[i].uid_base = info.uid_base;
		layers[i].gid_base = info.gid_base;
	}
	if (ret == 0)
		ret = assemble_check(layers, n, &o, &c->e);
	if (ret == 0)
		ret = not_assembled(c, s, parentfd, base, abs);
	/* The ref first: a tree that dies half-made has a stale one. */
	if (ret == 0)
		ret = store_ref_add(s, abs, mode_name(o.mode), names, n,
				    &c->e);
	if (ret == 0) {
		ret = o.mode == ASSEMBLE_OVERLAY ?
		      assemble_overlay_at(c, parentfd, base, abs, layers, n,
					  &o) :
		      assemble_tree_at(c, parentfd, base, abs, layers, n, &o);
		/* Unless another assembly of DEST won the race. */
		if (ret < 0)
			store_ref_remove_stale(s, abs, &e2);
	}
	store_unuse(s);
	if (ret < 0)
		log_error("assemble: %s", c->e.msg);
	for (i = 0; i < n; i++)
		if (layers[i].fd >= 0)
			close(layers[i].fd);
	store_close(s);
	close(parentfd);
	free(layers);
	free(ids);
	free(paths);
	free(names);
	free(base);
	free(abs);
	return ret < 0;
}

/* --- release -------------------------------------------------------------- */

static int cmd_release(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = { { 0 } };
	char sib[NAME_MAX + 16], **args, *base, *abs;
	struct store_ref ref;
	int n, parentfd, ret;
	struct store *s;

	args = command_line(c, argc, argv, tab, 1, 1, "DEST", &n);
	abs = dest_path(c, args[0], &parentfd, &base);
	s = open_store(c, 0);
	ret = store_use(s, &c->e);
	if (ret == 0)
		ret = store_ref_get(s, abs, &ref, &c->e);
	if (ret == 0)
		ret = err_msg(&c->e, ENOENT, "%s: not a tree assembled from "
			      "%s", abs, store_dir(s));
	if (ret < 0)
		goto out;
	if (!strcmp(ref.mode, "overlay")) {
		if (umount2(abs, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL) {
			ret = err_sys(&c->e, errno, "%s: unmount", abs);
			goto out_ref;
		}
		overlay_sibling(sib, sizeof(sib), base);
		ret = path_remove_tree(parentfd, sib, &c->e);
		if (ret == 0 && unlinkat(parentfd, base, AT_REMOVEDIR) < 0 &&
		    errno != ENOENT)
			ret = err_sys(&c->e, errno, "%s: rmdir", abs);
	} else {
		ret = path_remove_tree(parentfd, base, &c->e);
	}
	/* The layers stay referenced until the tree is gone. */
	if (ret == 0)
		ret = store_ref_remove(s, abs, &c->e);
out_ref:
	store_ref_free(&ref);
out:
	store_unuse(s);
	if (ret < 0)
		log_error("release: %s", c->e.msg);
	store_close(s);
	close(parentfd);
	free(base);
	free(abs);
	return ret < 0;
}

/* --- ls, refs, gc --------------------------------------------------------- */

static void human(uint64_t n, char *buf, size_t size)
{
	static const char units[] = "BKMGTP";
	double v = n;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, size, "%lluB", (unsigned long long)n);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
}

static void when(int64_t t, char *buf, size_t size)
{
	struct timespec ts = { .tv_sec = t };

	clock_rfc3339_at(buf, size, &ts);
}

static int print_json(cJSON *j)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;
	int ret = text ? 0 : -1;

	if (text)
		puts(text);
	else
		log_error("out of memory");
	free(text);
	cJSON_Delete(j);
	return ret;
}

static int cmd_ls(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = {
		{ "format", 'f', OPT_ARG, C_FORMAT },
		{ 0 },
	};
	struct store_layer *l = NULL;
	char size[16], date[32];
	cJSON *arr, *o;
	struct store *s;
	size_t n = 0, i;
	int npos, ret;

	c->format = "table";
	command_line(c, argc, argv, tab, 0, 0, NULL, &npos);
	s = open_store(c, 0);
	ret = store_list(s, &l, &n, &c->e);
	store_close(s);
	if (ret < 0)
		xdie(1, "ls: %s", c->e.msg);
	if (!strcmp(c->format, "json")) {
		arr = cJSON_CreateArray();
		for (i = 0; arr && i < n; i++) {
			when(l[i].created, date, sizeof(date));
			o = cJSON_CreateObject();
			if (!o || !cJSON_AddItemToArray(arr, o) ||
			    !cJSON_AddStringToObject(o, "diff_id",
						     l[i].diff_id) ||
			    !cJSON_AddNumberToObject(o, "size", l[i].size) ||
			    !cJSON_AddNumberToObject(o, "entries",
						     l[i].entries) ||
			    !cJSON_AddNumberToObject(o, "refs", l[i].refs) ||
			    !cJSON_AddStringToObject(o, "created", date)) {
				cJSON_Delete(arr);
				arr = NULL;
			}
		}
		free(l);
		return print_json(arr) < 0;
	}
	printf("%-71s %8s %8s %4s  %s\n", "DIFFID", "SIZE", "ENTRIES", "REFS",
	       "CREATED");
	for (i = 0; i < n; i++) {
		human(l[i].size, size, sizeof(size));
		when(l[i].created, date, sizeof(date));
		printf("%-71s %8s %8llu %4u  %s\n", l[i].diff_id, size,
		       (unsigned long long)l[i].entries, l[i].refs, date);
	}
	free(l);
	return 0;
}

static int cmd_refs(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = {
		{ "format", 'f', OPT_ARG, C_FORMAT },
		{ 0 },
	};
	struct store_ref *r = NULL;
	cJSON *arr, *o, *ls;
	struct store *s;
	size_t n = 0, i, k;
	int npos, ret;

	c->format = "table";
	command_line(c, argc, argv, tab, 0, 0, NULL, &npos);
	s = open_store(c, 0);
	ret = store_ref_list(s, &r, &n, &c->e);
	store_close(s);
	if (ret < 0)
		xdie(1, "refs: %s", c->e.msg);
	if (!strcmp(c->format, "json")) {
		arr = cJSON_CreateArray();
		for (i = 0; arr && i < n; i++) {
			o = cJSON_CreateObject();
			ls = cJSON_CreateArray();
			for (k = 0; ls && k < r[i].n_layers; k++)
				if (!cJSON_AddItemToArray(ls,
					cJSON_CreateString(r[i].layers[k])))
					break;
			if (!o || !cJSON_AddItemToArray(arr, o) || !ls ||
			    k < r[i].n_layers ||
			    !cJSON_AddItemToObject(o, "layers", ls) ||
			    !cJSON_AddStringToObject(o, "path", r[i].path) ||
			    !cJSON_AddStringToObject(o, "mode", r[i].mode) ||
			    !cJSON_AddBoolToObject(o, "stale",
				    store_ref_is_stale(&r[i]))) {
				cJSON_Delete(arr);
				arr = NULL;
			}
		}
		store_ref_list_free(r, n);
		return print_json(arr) < 0;
	}
	printf("%-8s %6s %5s  %s\n", "MODE", "LAYERS", "STALE", "PATH");
	for (i = 0; i < n; i++)
		printf("%-8s %6zu %5s  %s\n", r[i].mode, r[i].n_layers,
		       store_ref_is_stale(&r[i]) ? "yes" : "no", r[i].path);
	store_ref_list_free(r, n);
	return 0;
}

static void on_gc(void *arg, const struct store_gc_item *it)
{
	const struct cmd *c = arg;
	char size[16];

	if (!strcmp(it->what, "layer")) {
		human(it->size, size, sizeof(size));
		printf("%s %s %s (%s)\n", c->dry_run ? "would remove" :
		       "removed", it->what, it->name, size);
	} else {
		printf("%s %s %s\n", c->dry_run ? "would remove" : "removed",
		       it->what, it->name);
	}
}

static int cmd_gc(struct cmd *c, int argc, char **argv)
{
	static const struct opt tab[] = {
		{ "dry-run", 'n', OPT_NOARG, C_DRY },
		{ 0 },
	};
	struct store *s;
	int npos, ret;

	command_line(c, argc, argv, tab, 0, 0, NULL, &npos);
	s = open_store(c, 0);
	ret = store_gc(s, c->dry_run, on_gc, c, &c->e);
	store_close(s);
	if (ret < 0)
		log_error("gc: %s", c->e.msg);
	return ret < 0;
}

/* --- main ----------------------------------------------------------------- */

/* The store for this user: root's, or one in the user's data home. */
static char *default_store(void)
{
	const char *home;
	char *p;

	if (geteuid() == 0)
		return strdup(STORE_DEFAULT_DIR);
	home = getenv("XDG_DATA_HOME");
	if (home && *home && asprintf(&p, "%s/ocibox", home) >= 0)
		return p;
	home = getenv("HOME");
	if (home && *home && asprintf(&p, "%s/.local/share/ocibox",
				      home) >= 0)
		return p;
	return NULL;
}

int layer_link_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cmd *c, int argc, char **argv);
	} cmds[] = {
		{ "import", cmd_import }, { "assemble", cmd_assemble },
		{ "ls", cmd_ls }, { "list", cmd_ls }, { "refs", cmd_refs },
		{ "release", cmd_release }, { "gc", cmd_gc },
	};
	struct cmd c = { .mode = ASSEMBLE_HARDLINK };
	char **rest, *own = NULL;
	struct opt_iter it;
	int id, ncmd;
	size_t i;

	log_init("layer-link");
	opt_start(&it, argc - 1, argv + 1, OPT_STOP);
	while ((id = opt_next(&it, global_opts, &c.e)) != 0) {
		if (id == G_STORE) {
			c.store = it.arg;
		} else if (id == G_HELP) {
			fputs(layer_link_help, stdout);
			return 0;
		} else {
			xdie(1, "%s (see layer-link --help)", c.e.msg);
		}
	}
	rest = opt_rest(&it, &ncmd);
	if (!ncmd) {
		fputs(layer_link_help, stderr);
		return 1;
	}
	if (!strcmp(rest[0], "help")) {
		fputs(layer_link_help, stdout);
		return 0;
	}
	if (!c.store) {
		own = default_store();
		if (!own)
			xdie(1, "no store: give --store DIR (no $HOME)");
		c.store = own;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(rest[0], cmds[i].name)) {
			c.name = cmds[i].name;
			id = cmds[i].fn(&c, ncmd - 1, rest + 1);
			free(own);
			return id;
		}
	xdie(1, "%s: unknown command (see layer-link --help)", rest[0]);
}
