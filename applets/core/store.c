/*
 * store.c - the content-addressed layer store; see store.h for the
 * layout.  Locks are flock(2)s: STORE/lock shared by every import,
 * assembly and ref change, exclusive by gc; .HEX.lock for one import of
 * a layer; and each import's .tmp-* directory itself, held by its
 * importer, so gc can tell a dead import from a live one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cJSON.h"
#include "io.h"
#include "json.h"
#include "layer.h"
#include "path.h"
#include "store.h"

#define HEX_LEN (2 * DIGEST_SHA256_LEN)
#define STORE_JSON_MAX (1 << 20)
#define TMP_PREFIX ".tmp-"

struct store {
	char *dir;
	int dirfd, layersfd, blobsfd, refsfd;
	/* STORE/lock while held, and how many holds it has. */
	int lockfd;
	unsigned held;
	unsigned seq;		/* for temporary names */
};

const char *store_dir(const struct store *s)
{
	return s->dir;
}

/* --- opening and locking --------------------------------------------- */

static const char *const subdirs[] = {
	"layers", "layers/sha256", "blobs", "blobs/sha256", "refs",
};

static int store_create(struct store *s, struct err *e)
{
	size_t i;
	int fd;

	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		/* Made 0755 whatever the umask: a lowerdir's path. */
		if (mkdirat(s->dirfd, subdirs[i], 0755) == 0)
			fchmodat(s->dirfd, subdirs[i], 0755, 0);
		else if (errno != EEXIST)
			return err_sys(e, errno, "mkdir %s/%s", s->dir,
				       subdirs[i]);
	}
	fd = openat(s->dirfd, "lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "create %s/lock", s->dir);
	close(fd);
	return 0;
}

static int open_sub(struct store *s, const char *sub, struct err *e)
{
	int fd = openat(s->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "open %s/%s", s->dir, sub);
	return fd;
}

struct store *store_open(const char *dir, int create, struct err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	struct stat st;
	int r;

	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		err_sys(e, ENOMEM, "store %s", dir);
		return NULL;
	}
	s->dirfd = s->layersfd = s->blobsfd = s->refsfd = s->lockfd = -1;
	if (create) {
		r = io_mkdir_p(dir, 0755, 0700);
		if (r < 0) {
			err_sys(e, -r, "mkdir %s", dir);
			goto fail;
		}
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		err_sys(e, errno, "open %s", dir);
		goto fail;
	}
	if (create && store_create(s, e) < 0)
		goto fail;
	if (fstatat(s->dirfd, "lock", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err_sys(e, errno, "open %s/lock", dir);
		goto fail;
	}
	if ((s->layersfd = open_sub(s, "layers/sha256", e)) < 0 ||
	    (s->blobsfd = open_sub(s, "blobs/sha256", e)) < 0 ||
	    (s->refsfd = open_sub(s, "refs", e)) < 0)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->refsfd >= 0)
		close(s->refsfd);
	if (s->blobsfd >= 0)
		close(s->blobsfd);
	if (s->layersfd >= 0)
		close(s->layersfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
}

static int flock_wait(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/*
 * The store lock, nested: the first hold opens STORE/lock afresh (a
 * handle of its own, so a forked child's store is never the parent's
 * lock), the last release closes it.  A shared hold cannot become the
 * exclusive one: gc inside store_use() would wait on itself.
 */
static int lock_store(struct store *s, int op, struct err *e)
{
	int fd, r;

	if (s->held) {
		if (op == LOCK_EX)
			return err_msg(e, EDEADLK, "%s: gc while this process "
				       "uses the store", s->dir);
		s->held++;
		return 0;
	}
	fd = openat(s->dirfd, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "open %s/lock", s->dir);
	r = flock_wait(fd, op);
	if (r < 0) {
		close(fd);
		return err_sys(e, -r, "lock %s", s->dir);
	}
	s->lockfd = fd;
	s->held = 1;
	return 0;
}

static void unlock_store(struct store *s)
{
	if (!s->held || --s->held)
		return;
	close(s->lockfd);
	s->lockfd = -1;
}

int store_use(struct store *s, struct err *e)
{
	return lock_store(s, LOCK_SH, e);
}

void store_unuse(struct store *s)
{
	unlock_store(s);
}

/* .HEX.lock in layers/sha256, held exclusively: its fd, or -errno. */
static int lock_layer(struct store *s, const char *hex, struct err *e)
{
	char name[HEX_LEN + 8];
	int fd, r;

	snprintf(name, sizeof(name), ".%s.lock", hex);
	fd = openat(s->layersfd, name, O_RDONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "open %s/layers/sha256/%s", s->dir,
			       name);
	r = flock_wait(fd, LOCK_EX);
	if (r < 0) {
		close(fd);
		return err_sys(e, -r, "lock %s/layers/sha256/%s", s->dir,
			       name);
	}
	return fd;
}

/* --- layers ------------------------------------------------------------ */

/* The HEX of "sha256:HEX", checked: hex, or NULL with *e set. */
static const char *hex_of(const char *digest, const char *what,
			  struct err *e)
{
	return digest_check(digest, what, e) < 0 ? NULL : digest + 7;
}

static int is_hex_name(const char *name)
{
	return strlen(name) == HEX_LEN &&
	       strspn(name, "0123456789abcdef") == HEX_LEN;
}

static int has_hex(struct store *s, const char *hex)
{
	struct stat st;

	return fstatat(s->layersfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

int store_has_layer(struct store *s, const char *diff_id)
{
	struct err e;
	const char *hex = hex_of(diff_id, "diff_id", &e);

	return hex && has_hex(s, hex);
}

int store_layer_path(const struct store *s, const char *diff_id, char *buf,
		     size_t size)
{
	struct err e;
	const char *hex = hex_of(diff_id, "diff_id", &e);

	if (!hex)
		return -EINVAL;
	if (snprintf(buf, size, "%s/layers/sha256/%s/root", s->dir, hex) >=
	    (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* layers/sha256/HEX/layer.json into *info (refs left 0). */
static int read_layer_json(struct store *s, const char *hex,
			   struct store_layer *info, struct err *e)
{
	char rel[HEX_LEN + 16], name[4096 + 128];
	const char *diff_id;
	uint64_t size, entries, ub, gb;
	struct json_ctx c;
	int64_t created;
	cJSON *o;
	int r;

	snprintf(rel, sizeof(rel), "%s/layer.json", hex);
	snprintf(name, sizeof(name), "%s/layers/sha256/%s", s->dir, rel);
	r = json_load_file(s->layersfd, rel, STORE_JSON_MAX, name, &o, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, name, e);
	if ((r = json_as_object(&c, o)) < 0 ||
	    (r = json_get_string(&c, o, "diff_id", JSON_REQUIRED,
				 &diff_id)) < 0 ||
	    (r = json_get_uint(&c, o, "size", JSON_REQUIRED, UINT64_MAX,
			       &size)) < 0 ||
	    (r = json_get_uint(&c, o, "entries", JSON_REQUIRED, UINT64_MAX,
			       &entries)) < 0 ||
	    (r = json_get_uint(&c, o, "uid_base", JSON_REQUIRED, UINT32_MAX,
			       &ub)) < 0 ||
	    (r = json_get_uint(&c, o, "gid_base", JSON_REQUIRED, UINT32_MAX,
			       &gb)) < 0 ||
	    (r = json_get_int(&c, o, "created", JSON_REQUIRED, 0, INT64_MAX,
			      &created)) < 0)
		goto out;
	if (strncmp(diff_id, "sha256:", 7) || strcmp(diff_id + 7, hex)) {
		r = json_fail(&c, "diff_id", "\"%.80s\" is not the layer's "
			      "name", diff_id);
		goto out;
	}
	memset(info, 0, sizeof(*info));
	snprintf(info->diff_id, sizeof(info->diff_id), "%s", diff_id);
	info->size = size;
	info->entries = entries;
	info->uid_base = ub;
	info->gid_base = gb;
	info->created = created;
out:
	cJSON_Delete(o);
	return r;
}

/* Exact past 2^53, where a double is not. */
static int add_u64(cJSON *o, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	return cJSON_AddRawToObject(o, key, num) != NULL;
}

static int write_layer_json(int dirfd, const char *diff_id,
			    const struct unpack_stats *st,
			    const struct store_import_opts *o, time_t created)
{
	char *text = NULL;
	int r = -ENOMEM;
	cJSON *j;

	j = cJSON_CreateObject();
	if (!j)
		return -ENOMEM;
	if (!cJSON_AddStringToObject(j, "diff_id", diff_id) ||
	    !add_u64(j, "size", st->bytes) ||
	    !add_u64(j, "entries", st->entries) ||
	    !cJSON_AddStringToObject(j, "blob", o->blob_digest ?
				     o->blob_digest : "") ||
	    !add_u64(j, "uid_base", o->uid_base) ||
	    !add_u64(j, "gid_base", o->gid_base) ||
	    !add_u64(j, "created", created))
		goto out;
	text = json_print_pretty(j);
	if (!text)
		goto out;
	r = write_file_atomic(dirfd, "layer.json", text, strlen(text), 0644,
			      IO_DURABLE);
out:
	free(text);
	cJSON_Delete(j);
	return r;
}

/* --- the layers present ------------------------------------------------ */

static int count_refs(struct store *s, struct store_layer *l, size_t n,
		      struct err *e);

int store_layer_open(struct store *s, const char *diff_id,
		     struct store_layer *info, struct err *e)
{
	char rel[HEX_LEN + 8];
	const char *hex;
	int fd, r;

	hex = hex_of(diff_id, "layer", e);
	if (!hex)
		return -EINVAL;
	r = lock_store(s, LOCK_SH, e);
	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "%s/root", hex);
	fd = openat(s->layersfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ?
		    err_msg(e, ENOENT, "layer %s is not in the store %s",
			    diff_id, s->dir) :
		    err_sys(e, errno, "open %s/layers/sha256/%s", s->dir,
			    rel);
		goto out;
	}
	if (info && ((r = read_layer_json(s, hex, info, e)) < 0 ||
		     (r = count_refs(s, info, 1, e)) < 0)) {
		close(fd);
		goto out;
	}
	r = fd;
out:
	unlock_store(s);
	return r;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dirfd passing keep(), sorted; free with names_free(). */
static int list_names(int dirfd, int (*keep)(const char *), char ***out,
		      size_t *n)
{
	char **v = NULL, **nv;
	struct dirent *de;
	size_t cap = 0;
	int fd, r = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!keep(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (!(v[*n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	if (!r && errno)
		r = -errno;
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_name);
	*out = v;
	return r;
}

static void names_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

int store_list(struct store *s, struct store_layer **out, size_t *n,
	       struct err *e)
{
	struct store_layer *l = NULL;
	char **names = NULL;
	size_t i, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = lock_store(s, LOCK_SH, e);
	if (r < 0)
		return r;
	r = list_names(s->layersfd, is_hex_name, &names, &k);
	if (r < 0) {
		err_sys(e, -r, "read %s/layers/sha256", s->dir);
		goto out;
	}
	if (k && !(l = calloc(k, sizeof(*l)))) {
		r = err_sys(e, ENOMEM, "%s", s->dir);
		goto out;
	}
	/* Sorted by name, so by DiffID. */
	for (i = 0; i < k; i++)
		if ((r = read_layer_json(s, names[i], &l[i], e)) < 0)
			goto out;
	r = count_refs(s, l, k, e);
	if (r < 0)
		goto out;
	*out = l;
	*n = k;
	l = NULL;
out:
	free(l);
	names_free(names, k);
	unlock_store(s);
	return r;
}

/* --- import ------------------------------------------------------------ */

/* Where an import stands, for one cleanup path. */
struct import {
	struct store *s;
	const struct store_import_opts *o;
	const char *what;
	struct reader *blob;	/* until layer_apply() takes it */
	const char *key;	/* hex of the lock held while extracting */
	int keyfd, idfd;	/* that lock; the DiffID's when not it */
	char tmp[32];		/* layers/sha256/.tmp-*, "" when none */
	int tmpfd;
	char diff_id[DIGEST_STR_MAX];
};

/*
 * The layer o names, present already: by o->diff_id, else by the record
 * of o->blob_digest.  1 with im->diff_id set, or 0.
 */
static int find_present(struct import *im, struct err *e)
{
	const struct store_import_opts *o = im->o;

	if (o->diff_id) {
		if (!has_hex(im->s, o->diff_id + 7))
			return 0;
		snprintf(im->diff_id, sizeof(im->diff_id), "%s", o->diff_id);
		return 1;
	}
	if (o->blob_digest)
		return store_blob_lookup(im->s, o->blob_digest, im->diff_id,
					 e);
	return 0;
}

/* .tmp-XXXXXXXX made, held and opened, its root/ inside. */
static int make_tmp(struct import *im, struct err *e)
{
	struct store *s = im->s;
	const struct store_import_opts *o = im->o;
	int i, fd, r;

	for (i = 0; i < 100; i++) {
		snprintf(im->tmp, sizeof(im->tmp), TMP_PREFIX "%08x",
			 ((unsigned)getpid() << 12 ^ s->seq++ ^
			  (unsigned)time(NULL) << 20) & 0xffffffffu);
		if (mkdirat(s->layersfd, im->tmp, 0700) == 0)
			break;
		if (errno != EEXIST) {
			r = err_sys(e, errno, "mkdir %s/layers/sha256/%s",
				    s->dir, im->tmp);
			im->tmp[0] = 0;
			return r;
		}
	}
	if (i == 100) {
		im->tmp[0] = 0;
		return err_msg(e, EEXIST, "%s/layers/sha256: no free "
			       "temporary name", s->dir);
	}
	im->tmpfd = openat(s->layersfd, im->tmp, O_RDONLY | O_DIRECTORY |
			   O_NOFOLLOW | O_CLOEXEC);
	if (im->tmpfd < 0 || flock(im->tmpfd, LOCK_EX | LOCK_NB) < 0 ||
	    fchmod(im->tmpfd, 0755) < 0 ||
	    mkdirat(im->tmpfd, "root", 0755) < 0)
		goto fail;
	fd = openat(im->tmpfd, "root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* The image root's, until the layer's "./" says otherwise. */
	if (fchmod(fd, 0755) < 0 ||
	    (!o->rootless && (o->uid_base || o->gid_base) &&
	     fchown(fd, o->uid_base, o->gid_base) < 0)) {
		r = errno;
		close(fd);
		errno = r;
		goto fail;
	}
	return fd;
fail:
	return err_sys(e, errno, "%s/layers/sha256/%s", s->dir, im->tmp);
}

/* Extract the blob into the temporary: root/ and layer.json, synced. */
static int extract(struct import *im, struct err *e)
{
	const struct store_import_opts *o = im->o;
	struct unpack_idmap um = {
		0, o->uid_base, UINT32_MAX - o->uid_base,
	};
	struct unpack_idmap gm = {
		0, o->gid_base, UINT32_MAX - o->gid_base,
	};
	struct unpack_opts uo = {
		.rootless = o->rootless,
		.uid_map = &um, .n_uid_map = o->uid_base != 0,
		.gid_map = &gm, .n_gid_map = o->gid_base != 0,
		.keep_whiteouts = 1, .sync = 1,
		.progress = o->progress, .progress_arg = o->progress_arg,
	};
	struct layer_apply_opts lo = {
		.unpack = &uo, .limits = o->limits, .want_diff_id = 1,
	};
	struct unpack_stats st;
	char got[DIGEST_STR_MAX];
	int rootfd, r;

	rootfd = make_tmp(im, e);
	if (rootfd < 0)
		return rootfd;
	r = layer_apply(rootfd, im->blob, im->what, &lo, got, &st, e);
	im->blob = NULL;
	close(rootfd);
	if (r < 0)
		return r;
	if (o->diff_id && strcmp(got, o->diff_id) && !o->no_check)
		return err_msg(e, EINVAL, "%s: DiffID mismatch: expected %s, "
			       "the layer is %s", im->what, o->diff_id, got);
	/* no_check: the caller's name for it, as the config has it. */
	snprintf(im->diff_id, sizeof(im->diff_id), "%s",
		 o->diff_id ? o->diff_id : got);
	r = write_layer_json(im->tmpfd, im->diff_id, &st, o, time(NULL));
	if (r == 0 && fsync(im->tmpfd) < 0)
		r = -errno;
	if (r < 0)
		return err_sys(e, -r, "write %s/layers/sha256/%s/layer.json",
			       im->s->dir, im->tmp);
	return 0;
}

/*
 * The temporary becomes layers/sha256/HEX, under the DiffID's lock so no
 * other import (one that locked the blob's digest) renames at once.
 * 1 when the layer was there first.
 */
static int publish(struct import *im, struct err *e)
{
	struct store *s = im->s;
	const char *hex = im->diff_id + 7;

	if (!im->key || strcmp(im->key, hex)) {
		im->idfd = lock_layer(s, hex, e);
		if (im->idfd < 0)
			return im->idfd;
	}
	if (has_hex(s, hex))
		return 1;
	if (renameat(s->layersfd, im->tmp, s->layersfd, hex) < 0)
		return err_sys(e, errno, "rename %s/layers/sha256/%s to %s",
			       s->dir, im->tmp, hex);
	im->tmp[0] = 0;
	if (fsync(s->layersfd) < 0)
		return err_sys(e, errno, "fsync %s/layers/sha256", s->dir);
	return 0;
}

/* blobs/sha256/HEX: the DiffID of the blob, for the next import of it. */
static int record_blob(struct import *im, struct err *e)
{
	const char *bhex = im->o->blob_digest + 7;
	char buf[DIGEST_STR_MAX + 1];
	int r;

	if (read_file_into_at(im->s->blobsfd, bhex, buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, im->diff_id))
		return 0;
	r = write_file_atomic(im->s->blobsfd, bhex, im->diff_id,
			      strlen(im->diff_id), 0644, IO_DURABLE);
	if (r == 0 && fsync(im->s->blobsfd) < 0)
		r = -errno;
	if (r < 0)
		return err_sys(e, -r, "write %s/blobs/sha256/%s", im->s->dir,
			       bhex);
	return 0;
}

static void import_end(struct import *im)
{
	struct err ignored;

	reader_close(im->blob);
	if (im->tmp[0])
		path_remove_tree(im->s->layersfd, im->tmp, &ignored);
	if (im->tmpfd >= 0)
		close(im->tmpfd);
	if (im->idfd >= 0)
		close(im->idfd);
	if (im->keyfd >= 0)
		close(im->keyfd);
	unlock_store(im->s);
}

int store_import(struct store *s, struct reader *blob, const char *what,
		 const struct store_import_opts *o, char *diff_id_out,
		 int *existed, struct err *e)
{
	struct import im = {
		.s = s, .o = o, .what = what, .blob = blob,
		.keyfd = -1, .idfd = -1, .tmpfd = -1,
	};
	int r;

	*existed = 0;
	*diff_id_out = 0;
	if ((o->diff_id && !hex_of(o->diff_id, what, e)) ||
	    (o->blob_digest && !hex_of(o->blob_digest, what, e))) {
		reader_close(blob);
		return -EINVAL;
	}
	if (o->rootless && (o->uid_base || o->gid_base)) {
		reader_close(blob);
		return err_msg(e, EINVAL, "%s: uid_base and gid_base need "
			       "root", what);
	}
	r = lock_store(s, LOCK_SH, e);
	if (r < 0) {
		reader_close(blob);
		return r;
	}
	/*
	 * Extract under the lock of what is known of the layer, so a
	 * second import of it waits and then finds it; when nothing is,
	 * under the store's lock alone (publish() settles a race).
	 */
	r = find_present(&im, e);
	if (r == 0 && (o->diff_id || o->blob_digest)) {
		im.key = o->diff_id ? o->diff_id + 7 : o->blob_digest + 7;
		im.keyfd = lock_layer(s, im.key, e);
		r = im.keyfd < 0 ? im.keyfd : find_present(&im, e);
	}
	if (r == 0)
		r = extract(&im, e);
	if (r == 0)
		r = publish(&im, e);
	if (r < 0)
		goto out;
	*existed = r;
	if (o->blob_digest)
		r = record_blob(&im, e);
	if (r >= 0) {
		memcpy(diff_id_out, im.diff_id, DIGEST_STR_MAX);
		r = 0;
	}
out:
	import_end(&im);
	return r;
}

int store_blob_lookup(struct store *s, const char *blob_digest,
		      char *diff_id_out, struct err *e)
{
	const char *bhex = hex_of(blob_digest, "blob", e);
	char buf[DIGEST_STR_MAX + 1];
	struct err ignored;
	ssize_t n;

	*diff_id_out = 0;
	if (!bhex)
		return -EINVAL;
	n = read_file_into_at(s->blobsfd, bhex, buf, sizeof(buf));
	if (n == -ENOENT)
		return 0;
	if (n < 0 && n != -EFBIG)
		return err_sys(e, (int)-n, "read %s/blobs/sha256/%s", s->dir,
			       bhex);
	/* A record torn or foreign is no record: the import rewrites it. */
	if (n < 0 || digest_check(buf, "", &ignored) < 0 ||
	    !has_hex(s, buf + 7))
		return 0;
	memcpy(diff_id_out, buf, DIGEST_STR_MAX);
	return 1;
}

/* --- refs -------------------------------------------------------------- */

static const char *const ref_modes[] = { "hardlink", "overlay", "copy" };

/* "HEX.json", HEX the sha256 of path. */
static void ref_name(const char *path, char name[HEX_LEN + 6])
{
	char d[DIGEST_STR_MAX];

	digest_buf(path, strlen(path), d);
	snprintf(name, HEX_LEN + 6, "%s.json", d + 7);
}

static int mode_known(const char *mode)
{
	size_t i;

	for (i = 0; i < sizeof(ref_modes) / sizeof(ref_modes[0]); i++)
		if (!strcmp(mode, ref_modes[i]))
			return 1;
	return 0;
}

/* Absolute, no empty, "." or ".." component, no trailing '/'. */
static int path_normal(const char *p)
{
	const char *c;
	size_t n;

	if (*p != '/' || strlen(p) >= sizeof(((struct store_ref *)0)->path))
		return 0;
	if (!p[1])
		return 1;
	for (c = p + 1;; c += n + 1) {
		n = strcspn(c, "/");
		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1;
	}
}

void store_ref_free(struct store_ref *r)
{
	if (!r)
		return;
	free(r->layers);
	r->layers = NULL;
	r->n_layers = 0;
}

/* refs/NAME into *out; name is for messages. */
static int ref_load(struct store *s, const char *name, struct store_ref *out,
		    struct err *e)
{
	char full[4096 + 128];
	const cJSON *arr, *it;
	const char *path, *mode, *l;
	struct json_ctx c;
	int64_t created;
	size_t i, n, mark, elem;
	cJSON *o;
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(full, sizeof(full), "%s/refs/%s", s->dir, name);
	r = json_load_file(s->refsfd, name, STORE_JSON_MAX, full, &o, e);
	if (r < 0)
		return r;
	json_ctx_init(&c, full, e);
	if ((r = json_as_object(&c, o)) < 0 ||
	    (r = json_get_string(&c, o, "path", JSON_REQUIRED, &path)) < 0 ||
	    (r = json_get_string(&c, o, "mode", JSON_REQUIRED, &mode)) < 0 ||
	    (r = json_get_array(&c, o, "layers", JSON_REQUIRED, &arr,
				&n)) < 0 ||
	    (r = json_get_int(&c, o, "created", JSON_REQUIRED, 0, INT64_MAX,
			      &created)) < 0)
		goto out;
	if (!path_normal(path)) {
		r = json_fail(&c, "path", "not an absolute normalised path");
		goto out;
	}
	if (!mode_known(mode)) {
		r = json_fail(&c, "mode", "unknown mode \"%.32s\"", mode);
		goto out;
	}
	out->layers = calloc(n ? n : 1, sizeof(*out->layers));
	if (!out->layers) {
		r = err_sys(e, ENOMEM, "%s", full);
		goto out;
	}
	mark = json_push(&c, "layers");
	for (i = 0, it = arr->child; i < n; i++, it = it->next) {
		elem = json_push_index(&c, i);
		if ((r = json_as_string(&c, it, &l)) < 0)
			goto out;
		if (digest_check(l, "", e) < 0) {
			r = json_fail(&c, NULL, "invalid DiffID \"%.80s\"", l);
			goto out;
		}
		memcpy(out->layers[i], l, strlen(l) + 1);
		json_pop(&c, elem);
	}
	json_pop(&c, mark);
	snprintf(out->path, sizeof(out->path), "%s", path);
	snprintf(out->mode, sizeof(out->mode), "%s", mode);
	out->n_layers = n;
	out->created = created;
out:
	if (r < 0)
		store_ref_free(out);
	cJSON_Delete(o);
	return r;
}

int store_ref_add(struct store *s, const char *path, const char *mode,
		  const char *const *layers, size_t n, struct err *e)
{
	char name[HEX_LEN + 6], *text = NULL;
	cJSON *o = NULL, *arr;
	size_t i;
	int r;

	if (!path_normal(path))
		return err_msg(e, EINVAL, "ref %.256s: not an absolute "
			       "normalised path", path);
	if (!mode_known(mode))
		return err_msg(e, EINVAL, "ref %s: unknown mode \"%.32s\"",
			       path, mode);
	r = lock_store(s, LOCK_SH, e);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!hex_of(layers[i], "ref layer", e)) {
			r = -EINVAL;
			goto out;
		}
		if (!has_hex(s, layers[i] + 7)) {
			r = err_msg(e, ENOENT, "ref %s: layer %s is not in the "
				    "store %s", path, layers[i], s->dir);
			goto out;
		}
	}
	r = -ENOMEM;
	if (!(o = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(o, "path", path) ||
	    !cJSON_AddStringToObject(o, "mode", mode) ||
	    !(arr = cJSON_AddArrayToObject(o, "layers")))
		goto nomem;
	for (i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(layers[i])))
			goto nomem;
	if (!add_u64(o, "created", time(NULL)) ||
	    !(text = json_print_pretty(o)))
		goto nomem;
	ref_name(path, name);
	r = write_file_atomic(s->refsfd, name, text, strlen(text), 0644,
			      IO_DURABLE);
	if (r == 0 && fsync(s->refsfd) < 0)
		r = -errno;
	if (r < 0)
		err_sys(e, -r, "write %s/refs/%s", s->dir, name);
	goto out;
nomem:
	r = err_sys(e, ENOMEM, "ref %s", path);
out:
	free(text);
	cJSON_Delete(o);
	unlock_store(s);
	return r;
}

int store_ref_get(struct store *s, const char *path, struct store_ref *out,
		  struct err *e)
{
	char name[HEX_LEN + 6];
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	ref_name(path, name);
	r = lock_store(s, LOCK_SH, e);
	if (r < 0)
		return r;
	if (fstatat(s->refsfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 :
		    err_sys(e, errno, "%s/refs/%s", s->dir, name);
		goto out;
	}
	r = ref_load(s, name, out, e);
	if (r == 0 && strcmp(out->path, path)) {
		store_ref_free(out);
		r = err_msg(e, EINVAL, "%s/refs/%s: path: \"%.256s\", not "
			    "the ref of %s", s->dir, name, out->path, path);
	} else if (r == 0) {
		r = 1;
	}
out:
	unlock_store(s);
	return r;
}

int store_ref_remove(struct store *s, const char *path, struct err *e)
{
	char name[HEX_LEN + 6];
	int r;

	ref_name(path, name);
	r = lock_store(s, LOCK_SH, e);
	if (r < 0)
		return r;
	if (unlinkat(s->refsfd, name, 0) < 0)
		r = errno == ENOENT ?
		    err_msg(e, ENOENT, "no ref of %s in the store %s", path,
			    s->dir) :
		    err_sys(e, errno, "remove %s/refs/%s", s->dir, name);
	else if (fsync(s->refsfd) < 0)
		r = err_sys(e, errno, "fsync %s/refs", s->dir);
	unlock_store(s);
	return r;
}

static int is_ref_name(const char *name)
{
	return strlen(name) == HEX_LEN + 5 &&
	       strspn(name, "0123456789abcdef") == HEX_LEN &&
	       !strcmp(name + HEX_LEN, ".json");
}

void store_ref_list_free(struct store_ref *refs, size_t n)
{
	size_t i;

	for (i = 0; refs && i < n; i++)
		store_ref_free(&refs[i]);
	free(refs);
}

/* Every ref, under a lock the caller holds. */
static int ref_list(struct store *s, struct store_ref **out, size_t *n,
		    struct err *e)
{
	struct store_ref *refs = NULL;
	char **names = NULL;
	size_t i, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = list_names(s->refsfd, is_ref_name, &names, &k);
	if (r < 0) {
		err_sys(e, -r, "read %s/refs", s->dir);
		goto out;
	}
	if (k && !(refs = calloc(k, sizeof(*refs)))) {
		r = err_sys(e, ENOMEM, "%s", s->dir);
		goto out;
	}
	for (i = 0; i < k; i++) {
		r = ref_load(s, names[i], &refs[i], e);
		if (r < 0) {
			store_ref_list_free(refs, i);
			refs = NULL;
			goto out;
		}
	}
	*out = refs;
	*n = k;
out:
	names_free(names, k);
	return r;
}

int store_ref_list(struct store *s, struct store_ref **out, size_t *n,
		   struct err *e)
{
	int r = lock_store(s, LOCK_SH, e);

	if (r < 0)
		return r;
	r = ref_list(s, out, n, e);
	unlock_store(s);
	return r;
}

static int ref_uses(const struct store_ref *r, const char *diff_id)
{
	size_t i;

	for (i = 0; i < r->n_layers; i++)
		if (!strcmp(r->layers[i], diff_id))
			return 1;
	return 0;
}

/* Each of l[n]'s refs: the refs using it (a layer twice in one, once). */
static int count_refs(struct store *s, struct store_layer *l, size_t n,
		      struct err *e)
{
	struct store_ref *refs;
	size_t i, j, k;
	int r;

	r = ref_list(s, &refs, &k, e);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		for (j = 0, l[i].refs = 0; j < k; j++)
			l[i].refs += ref_uses(&refs[j], l[i].diff_id);
	store_ref_list_free(refs, k);
	return 0;
}

int store_ref_is_stale(const struct store_ref *r)
{
	char parent[sizeof(r->path) + 32];
	struct stat st, pst;
	const char *base;

	if (lstat(r->path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR;
	if (!S_ISDIR(st.st_mode))
		return 1;
	if (strcmp(r->mode, "overlay") || !strcmp(r->path, "/"))
		return 0;
	/* A mount's root is on a device of its own (an overlay's always). */
	snprintf(parent, sizeof(parent), "%s/..", r->path);
	if (stat(parent, &pst) < 0 || st.st_dev != pst.st_dev)
		return 0;
	/*
	 * Not mounted here; while its upper directory is there it may be
	 * mounted in another mount namespace, whose lowerdirs gc must not
	 * take away.
	 */
	base = strrchr(r->path, '/');
	snprintf(parent, sizeof(parent), "%.*s/.%s.overlay/upper",
		 (int)(base - r->path), r->path, base + 1);
	return lstat(parent, &pst) < 0 && errno == ENOENT;
}

int store_ref_remove_stale(struct store *s, const char *path,
			   struct err *e)
{
	struct store_ref r;
	int ret;

	ret = store_ref_get(s, path, &r, e);
	if (ret <= 0)
		return ret;
	ret = store_ref_is_stale(&r);
	store_ref_free(&r);
	if (!ret)
		return 0;
	ret = store_ref_remove(s, path, e);
	return ret < 0 ? ret : 1;
}

/* --- gc ---------------------------------------------------------------- */

struct gc {
	struct store *s;
	int dry_run;
	void (*each)(void *arg, const struct store_gc_item *it);
	void *arg;
};

static void tell(struct gc *g, const char *what, const char *name,
		 uint64_t size)
{
	struct store_gc_item it = { what, name, size };

	if (g->each)
		g->each(g->arg, &it);
}

/* Stale refs go; the layers of the others into *used. */
static int gc_refs(struct gc *g, struct store_ref **used, size_t *n_used,
		   struct err *e)
{
	struct store *s = g->s;
	struct store_ref *refs;
	char name[HEX_LEN + 6];
	size_t i, k, live = 0;
	int r;

	r = ref_list(s, &refs, &k, e);
	if (r < 0)
		return r;
	for (i = 0; i < k; i++) {
		if (!store_ref_is_stale(&refs[i])) {
			if (live != i) {
				refs[live] = refs[i];
				refs[i].layers = NULL;
			}
			live++;
			continue;
		}
		ref_name(refs[i].path, name);
		if (!g->dry_run && unlinkat(s->refsfd, name, 0) < 0 &&
		    errno != ENOENT) {
			r = err_sys(e, errno, "remove %s/refs/%s", s->dir,
				    name);
			break;
		}
		tell(g, "stale ref", refs[i].path, 0);
		store_ref_free(&refs[i]);
	}
	if (r < 0) {
		store_ref_list_free(refs, k);
		return r;
	}
	*used = refs;
	*n_used = live;
	return 0;
}

static int is_tmp_name(const char *name)
{
	return !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX));
}

/*
 * A .tmp-* whose directory nobody holds: an import that died, or a
 * layer's removal that did not finish.
 */
static int gc_tmps(struct gc *g, struct err *e)
{
	struct store *s = g->s;
	char **names;
	size_t i, k;
	int fd, r;

	r = list_names(s->layersfd, is_tmp_name, &names, &k);
	if (r < 0)
		return err_sys(e, -r, "read %s/layers/sha256", s->dir);
	for (i = 0; i < k && r == 0; i++) {
		fd = openat(s->layersfd, names[i], O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			continue;
		}
		if (!g->dry_run)
			r = path_remove_tree(s->layersfd, names[i], e);
		if (r == 0)
			tell(g, "dead import", names[i], 0);
		if (fd >= 0)
			close(fd);
	}
	names_free(names, k);
	return r;
}

static int layer_used(const struct store_ref *refs, size_t n,
		      const char *diff_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ref_uses(&refs[i], diff_id))
			return 1;
	return 0;
}

/*
 * Renamed out of its name first: a layer half removed is never taken
 * for a present one.
 */
static int remove_layer(struct store *s, const char *hex, struct err *e)
{
	char tmp[HEX_LEN + 16];

	snprintf(tmp, sizeof(tmp), TMP_PREFIX "gc-%s", hex);
	if (renameat(s->layersfd, hex, s->layersfd, tmp) < 0)
		return err_sys(e, errno, "rename %s/layers/sha256/%s to %s",
			       s->dir, hex, tmp);
	return path_remove_tree(s->layersfd, tmp, e);
}

static int gc_layers(struct gc *g, const struct store_ref *used,
		     size_t n_used, struct err *e)
{
	struct store *s = g->s;
	struct store_layer info;
	char diff_id[DIGEST_STR_MAX];
	struct err ignored;
	char **names;
	size_t i, k;
	int r;

	r = list_names(s->layersfd, is_hex_name, &names, &k);
	if (r < 0)
		return err_sys(e, -r, "read %s/layers/sha256", s->dir);
	for (i = 0; i < k && r == 0; i++) {
		snprintf(diff_id, sizeof(diff_id), "sha256:%s", names[i]);
		if (layer_used(used, n_used, diff_id))
			continue;
		/* Its size is only for the report: a torn record still goes. */
		if (read_layer_json(s, names[i], &info, &ignored) < 0)
			info.size = 0;
		if (!g->dry_run)
			r = remove_layer(s, names[i], e);
		if (r == 0)
			tell(g, "layer", diff_id, info.size);
	}
	names_free(names, k);
	return r;
}

static int is_dot_lock_name(const char *name)
{
	return strlen(name) == HEX_LEN + 6 && name[0] == '.' &&
	       strspn(name + 1, "0123456789abcdef") == HEX_LEN &&
	       !strcmp(name + 1 + HEX_LEN, ".lock");
}

static int is_dot_name(const char *name)
{
	return name[0] == '.' && strcmp(name, ".") && strcmp(name, "..");
}

/* write_file_atomic()'s temporaries that a crash left in dirfd. */
static void remove_dot_files(int dirfd)
{
	char **names;
	size_t i, k;

	if (list_names(dirfd, is_dot_name, &names, &k) < 0)
		return;
	for (i = 0; i < k; i++)
		unlinkat(dirfd, names[i], 0);
	names_free(names, k);
}

/*
 * Layer locks and blob records of layers no longer here, and what
 * writes of refs and records left half done.  A lock file can go:
 * every holder of one holds the store's lock too.
 */
static int gc_leftovers(struct gc *g, struct err *e)
{
	struct store *s = g->s;
	char hex[HEX_LEN + 1], buf[DIGEST_STR_MAX + 1];
	char **names;
	size_t i, k;
	ssize_t n;
	int r;

	r = list_names(s->layersfd, is_dot_lock_name, &names, &k);
	if (r < 0)
		return err_sys(e, -r, "read %s/layers/sha256", s->dir);
	for (i = 0; i < k; i++) {
		memcpy(hex, names[i] + 1, HEX_LEN);
		hex[HEX_LEN] = 0;
		if (!has_hex(s, hex))
			unlinkat(s->layersfd, names[i], 0);
	}
	names_free(names, k);
	r = list_names(s->blobsfd, is_hex_name, &names, &k);
	if (r < 0)
		return err_sys(e, -r, "read %s/blobs/sha256", s->dir);
	for (i = 0; i < k; i++) {
		n = read_file_into_at(s->blobsfd, names[i], buf, sizeof(buf));
		if (n == -ENOENT)
			continue;
		if (n < 0 || strncmp(buf, "sha256:", 7) ||
		    !is_hex_name(buf + 7) || !has_hex(s, buf + 7))
			unlinkat(s->blobsfd, names[i], 0);
	}
	names_free(names, k);
	remove_dot_files(s->blobsfd);
	remove_dot_files(s->refsfd);
	return 0;
}

int store_gc(struct store *s, int dry_run,
	     void (*each)(void *arg, const struct store_gc_item *it),
	     void *arg, struct err *e)
{
	struct gc g = { s, dry_run, each, arg };
	struct store_ref *used = NULL;
	size_t n_used = 0;
	int r;

	r = lock_store(s, LOCK_EX, e);
	if (r < 0)
		return r;
	r = gc_refs(&g, &used, &n_used, e);
	if (r == 0)
		r = gc_tmps(&g, e);
	if (r == 0)
		r = gc_layers(&g, used, n_used, e);
	if (r == 0 && !dry_run)
		r = gc_leftovers(&g, e);
	store_ref_list_free(used, n_used);
	unlock_store(s);
	return r;
}
