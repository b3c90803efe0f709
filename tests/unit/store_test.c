/*
 * store_test.c - unit tests of core/store.c: layers imported from tar
 * streams built here (a small ustar writer, gzip by zlib's deflate), refs,
 * stale refs and gc.  Concurrent imports and gc against a store_use()
 * holder run in forked children over a store each opens itself; a child
 * known to wait on a lock is seen in /proc/locks (a "->" line), so no
 * case depends on timing.  The cases run as root (ownership, whiteout
 * devices, trusted.overlay.opaque, a tmpfs mount point).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <zlib.h>

#include "digest.h"
#include "io.h"
#include "reader.h"
#include "store.h"
#include "fs.h"
#include "unit.h"

static char base[PATH_MAX];	/* the case's directory, resolved */
static char sdir[PATH_MAX + 8];	/* base/store */
static struct store *st;
static struct err e;

#define OK(x)								\
	do {								\
		int r_ = (x);						\
		if (r_ < 0)						\
			unit_fail(__FILE__, __LINE__, "%s: %d: %s", #x,	\
				  r_, e.msg);				\
	} while (0)

/* --- tar and gzip ------------------------------------------------------ */

struct buf {
	unsigned char *p;
	size_t len;
};

static void put(struct buf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	UNIT_NOT_NULL(b->p);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_zeros(struct buf *b, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	UNIT_NOT_NULL(b->p);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

/* len - 1 octal digits and a NUL. */
static void set_oct(char *f, size_t len, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)len - 1, v);
	memcpy(f, tmp, len);
}

/* One ustar entry: 'type' as tar has it ('0', '5', '2'), its data. */
static void ent(struct buf *b, const char *name, char type, unsigned mode,
		unsigned uid, unsigned gid, const char *data)
{
	unsigned char h[512] = { 0 };
	size_t n = type == '0' ? strlen(data) : 0;
	unsigned sum = 0, i;

	memcpy(h, name, strlen(name));
	set_oct((char *)h + 100, 8, mode);
	set_oct((char *)h + 108, 8, uid);
	set_oct((char *)h + 116, 8, gid);
	set_oct((char *)h + 124, 12, n);
	set_oct((char *)h + 136, 12, 1700000000);
	h[156] = type;
	if (type == '2')
		memcpy(h + 157, data, strlen(data));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(b, h, 512);
	put(b, data, n);
	put_zeros(b, -n & 511);
}

static void end(struct buf *b)
{
	put_zeros(b, 1024);
}

static struct buf gz(const struct buf *in)
{
	unsigned char out[16384];
	struct buf b = { 0 };
	z_stream z = { 0 };
	int rc;

	UNIT_EQ_INT(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				 Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = in->p;
	z.avail_in = in->len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = deflate(&z, Z_FINISH);
		UNIT_ASSERT(rc == Z_OK || rc == Z_STREAM_END);
		put(&b, out, sizeof(out) - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return b;
}

/* A layer of one file, its content text: a DiffID of its own. */
static struct buf layer_of(const char *text)
{
	struct buf b = { 0 };

	ent(&b, "./", '5', 0755, 0, 0, "");
	ent(&b, "f", '0', 0644, 0, 0, text);
	end(&b);
	return b;
}

static const char *digest_of(const struct buf *b)
{
	static char bufs[4][DIGEST_STR_MAX];
	static int i;
	char *d = bufs[i++ & 3];

	digest_buf(b->p, b->len, d);
	return d;
}

/* --- readers -------------------------------------------------------- */

/* Shared with children: what the readers and progress saw. */
struct shared {
	int reads;		/* read() calls of any test reader */
	int progress;		/* progress callbacks */
	int existed[2];
	int ret[2];
	char diff_id[2][DIGEST_STR_MAX];
};
static struct shared *sh;

/* reader_mem with its reads counted; gate (fds, -1: none) pauses it. */
struct test_reader {
	struct reader r;
	struct reader *mem;
	int gate_tell, gate_wait;
};

static ssize_t test_read(struct reader *r, void *buf, size_t len,
			 struct err *e)
{
	struct test_reader *t = (struct test_reader *)r;
	char c = 0;

	__atomic_add_fetch(&sh->reads, 1, __ATOMIC_SEQ_CST);
	if (t->gate_tell >= 0) {
		UNIT_EQ_INT(write(t->gate_tell, &c, 1), 1);
		UNIT_EQ_INT(read(t->gate_wait, &c, 1), 1);
		t->gate_tell = -1;
	}
	return reader_read(t->mem, buf, len, e);
}

static void test_close(struct reader *r)
{
	struct test_reader *t = (struct test_reader *)r;

	reader_close(t->mem);
	free(t);
}

static struct reader *gated(const struct buf *b, int tell, int wait)
{
	struct test_reader *t = calloc(1, sizeof(*t));

	UNIT_NOT_NULL(t);
	t->r.read = test_read;
	t->r.close = test_close;
	t->mem = reader_mem(b->p, b->len);
	UNIT_NOT_NULL(t->mem);
	t->gate_tell = tell;
	t->gate_wait = wait;
	return &t->r;
}

static struct reader *counted(const struct buf *b)
{
	return gated(b, -1, -1);
}

static void on_progress(void *arg, const struct unpack_stats *s)
{
	(void)arg;
	(void)s;
	__atomic_add_fetch(&sh->progress, 1, __ATOMIC_SEQ_CST);
}

/* --- the store and its files --------------------------------------- */

static const char *at(const char *rel)
{
	static char bufs[4][PATH_MAX + 64];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, PATH_MAX + 64, "%s/%s", base, rel);
	return b;
}

/* sdir/layers/sha256/HEX-of-diff_id/rel */
static const char *in_layer(const char *diff_id, const char *rel)
{
	static char bufs[4][PATH_MAX + 256];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, PATH_MAX + 256, "%s/layers/sha256/%s/%s", sdir,
		 diff_id + 7, rel);
	return b;
}

static void setup(void)
{
	if (!realpath(unit_tmpdir(), base))
		unit_fail(__FILE__, __LINE__, "realpath: %s", strerror(errno));
	umask(022);
	snprintf(sdir, sizeof(sdir), "%s/store", base);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	UNIT_ASSERT(sh != MAP_FAILED);
	st = store_open(sdir, 1, &e);
	if (!st)
		unit_fail(__FILE__, __LINE__, "store_open: %s", e.msg);
}

static const char *layers_ls(void)
{
	static char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/layers/sha256", sdir);
	return fs_ls(p);
}

static const char *sub_ls(const char *rel)
{
	static char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/%s", sdir, rel);
	return fs_ls(p);
}

/* n names sorted as fs_ls() sorts them, comma-separated. */
static const char *sorted(int n, ...)
{
	static char out[4][1024];
	static int k;
	const char *v[8], *t;
	char *o = out[k++ & 3];
	va_list ap;
	int i, j;

	UNIT_ASSERT(n <= 8);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = va_arg(ap, const char *);
	va_end(ap);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	o[0] = 0;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(o, ",");
		strcat(o, v[i]);
	}
	return o;
}

static const char *lockname(const char *diff_id)
{
	static char out[4][96];
	static int i;
	char *o = out[i++ & 3];

	snprintf(o, 96, ".%s.lock", diff_id + 7);
	return o;
}

static int import(const struct buf *b, const struct store_import_opts *o,
		  char *diff_id, int *existed)
{
	return store_import(st, counted(b), "layer 1", o, diff_id, existed,
			    &e);
}

/* --- opening ---------------------------------------------------------- */

UNIT_CASE(open_creates_layout)
{
	setup();
	UNIT_EQ_STR(fs_ls(sdir), "blobs,layers,lock,refs");
	UNIT_EQ_UINT(fs_st(sdir).st_mode, S_IFDIR | 0700);
	UNIT_EQ_UINT(fs_st(at("store/layers/sha256")).st_mode,
		     S_IFDIR | 0755);
	UNIT_EQ_UINT(fs_st(at("store/refs")).st_mode, S_IFDIR | 0755);
	UNIT_EQ_STR(sub_ls("blobs"), "sha256");
	UNIT_EQ_STR(store_dir(st), sdir);
	store_close(st);
	st = store_open(sdir, 0, &e);
	UNIT_NOT_NULL(st);
	store_close(st);
}

UNIT_CASE(open_missing)
{
	setup();
	UNIT_NULL(store_open(at("none"), 0, &e));
	UNIT_EQ_INT(e.no, ENOENT);
	snprintf(sdir, sizeof(sdir), "open %s: No such file or directory",
		 at("none"));
	UNIT_EQ_STR(e.msg, sdir);
	UNIT_EQ_INT(mkdir(at("half"), 0700), 0);
	UNIT_NULL(store_open(at("half"), 0, &e));
	snprintf(sdir, sizeof(sdir), "open %s/lock: No such file or "
		 "directory", at("half"));
	UNIT_EQ_STR(e.msg, sdir);
}

/* --- import ----------------------------------------------------------- */

UNIT_CASE(import_plain)
{
	struct store_import_opts o = { 0 };
	struct buf b = { 0 };
	struct store_layer info;
	char id[DIGEST_STR_MAX], path[PATH_MAX + 128], want[PATH_MAX + 128];
	struct stat s;
	int existed = -1, fd;

	setup();
	ent(&b, "./", '5', 0751, 0, 0, "");
	ent(&b, "etc/", '5', 0700, 0, 0, "");
	ent(&b, "etc/hosts", '0', 0640, 1000, 100, "hello\n");
	ent(&b, "etc/link", '2', 0777, 0, 0, "hosts");
	end(&b);
	o.progress = on_progress;
	OK(import(&b, &o, id, &existed));
	UNIT_EQ_STR(id, digest_of(&b));
	UNIT_EQ_INT(existed, 0);
	UNIT_ASSERT(sh->progress > 0);
	UNIT_EQ_INT(store_has_layer(st, id), 1);
	UNIT_EQ_STR(layers_ls(), sorted(2, id + 7, lockname(id)));
	UNIT_EQ_STR(fs_ls(in_layer(id, "")), "layer.json,root");
	UNIT_EQ_STR(fs_ls(in_layer(id, "root")), "etc");
	UNIT_EQ_UINT(fs_st(in_layer(id, "root")).st_mode, S_IFDIR | 0751);
	UNIT_EQ_UINT(fs_st(in_layer(id, "")).st_mode, S_IFDIR | 0755);
	UNIT_EQ_UINT(fs_st(in_layer(id, "root/etc")).st_mode, S_IFDIR | 0700);
	s = fs_st(in_layer(id, "root/etc/hosts"));
	UNIT_EQ_UINT(s.st_mode, S_IFREG | 0640);
	UNIT_EQ_UINT(s.st_uid, 1000);
	UNIT_EQ_UINT(s.st_gid, 100);
	UNIT_EQ_STR(fs_content(in_layer(id, "root/etc/hosts")), "hello\n");
	UNIT_ASSERT(S_ISLNK(fs_st(in_layer(id, "root/etc/link")).st_mode));

	fd = store_layer_open(st, id, &info, &e);
	OK(fd);
	UNIT_EQ_INT(fstat(fd, &s), 0);
	UNIT_EQ_UINT(s.st_ino, fs_st(in_layer(id, "root")).st_ino);
	close(fd);
	UNIT_EQ_STR(info.diff_id, id);
	UNIT_EQ_UINT(info.size, 6);
	UNIT_EQ_UINT(info.entries, 4);
	UNIT_EQ_UINT(info.uid_base, 0);
	UNIT_EQ_UINT(info.gid_base, 0);
	UNIT_EQ_UINT(info.refs, 0);
	UNIT_ASSERT(info.created >= time(NULL) - 60 &&
		    info.created <= time(NULL));
	OK(store_layer_path(st, id, path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/layers/sha256/%s/root", sdir, id + 7);
	UNIT_EQ_STR(path, want);
	UNIT_EQ_INT(store_layer_path(st, id, path, 20), -ENAMETOOLONG);
	UNIT_EQ_INT(store_layer_path(st, "sha256:12", path, sizeof(path)),
		    -EINVAL);
	UNIT_EQ_STR(sub_ls("blobs/sha256"), "");
	store_close(st);
}

UNIT_CASE(import_layer_json)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("x");
	char id[DIGEST_STR_MAX], want[1024];
	int existed;

	setup();
	o.blob_digest = "sha256:00000000000000000000000000000000000000000"
			"00000000000000000000000";
	OK(import(&b, &o, id, &existed));
	snprintf(want, sizeof(want), "{\n  \"diff_id\": \"%s\",\n  \"size\": "
		 "1,\n  \"entries\": 2,\n  \"blob\": \"%s\",\n  \"uid_base\": "
		 "0,\n  \"gid_base\": 0,\n  \"created\": ", id, o.blob_digest);
	UNIT_ASSERT(!strncmp(fs_content(in_layer(id, "layer.json")), want,
			     strlen(want)));
	UNIT_EQ_STR(fs_content(in_layer(id, "../../../blobs/sha256/"
				     "0000000000000000000000000000000000000000"
				     "000000000000000000000000")), id);
	store_close(st);
}

UNIT_CASE(import_gzip_then_existed)
{
	struct store_import_opts o = { 0 }, by_blob = { 0 };
	struct buf b = { 0 }, z;
	char id[DIGEST_STR_MAX], blob[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	int existed = -1;

	setup();
	ent(&b, "bin/", '5', 0755, 0, 0, "");
	ent(&b, "bin/sh", '0', 0755, 0, 0, "#!/bin/true\n");
	end(&b);
	z = gz(&b);
	UNIT_ASSERT(z.len < b.len);
	snprintf(id, sizeof(id), "%s", digest_of(&b));
	snprintf(blob, sizeof(blob), "%s", digest_of(&z));
	o.diff_id = id;
	o.blob_digest = blob;
	OK(import(&z, &o, got, &existed));
	UNIT_EQ_STR(got, id);
	UNIT_EQ_INT(existed, 0);
	UNIT_EQ_STR(fs_content(in_layer(id, "root/bin/sh")), "#!/bin/true\n");
	/* No "./" entry: root/ as the image root would have it. */
	UNIT_EQ_UINT(fs_st(in_layer(id, "root")).st_mode, S_IFDIR | 0755);
	UNIT_EQ_UINT(fs_st(in_layer(id, "root")).st_uid, 0);
	UNIT_EQ_STR(sub_ls("blobs/sha256"), blob + 7);
	UNIT_EQ_INT(store_blob_lookup(st, blob, got, &e), 1);
	UNIT_EQ_STR(got, id);

	/* Again by DiffID, then by the blob's digest alone: nothing read. */
	sh->reads = 0;
	existed = 0;
	OK(import(&z, &o, got, &existed));
	UNIT_EQ_INT(existed, 1);
	UNIT_EQ_STR(got, id);
	by_blob.blob_digest = blob;
	existed = 0;
	got[0] = 0;
	OK(import(&z, &by_blob, got, &existed));
	UNIT_EQ_INT(existed, 1);
	UNIT_EQ_STR(got, id);
	UNIT_EQ_INT(sh->reads, 0);
	UNIT_EQ_STR(layers_ls(), sorted(2, id + 7, lockname(id)));
	store_close(st);
}

UNIT_CASE(import_same_content_other_blob)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("same"), z;
	char id[DIGEST_STR_MAX], blob[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	int existed;

	setup();
	z = gz(&b);
	snprintf(blob, sizeof(blob), "%s", digest_of(&z));
	OK(import(&b, &o, id, &existed));
	UNIT_EQ_INT(existed, 0);
	/* The blob is new, the layer is not: extracted, then let go. */
	o.blob_digest = blob;
	OK(import(&z, &o, got, &existed));
	UNIT_EQ_INT(existed, 1);
	UNIT_EQ_STR(got, id);
	UNIT_EQ_STR(layers_ls(), sorted(3, id + 7, lockname(blob),
					lockname(id)));
	UNIT_EQ_INT(store_blob_lookup(st, blob, got, &e), 1);
	UNIT_EQ_STR(got, id);
	store_close(st);
}

UNIT_CASE(import_diffid_mismatch)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("a"), other = layer_of("b");
	char id[DIGEST_STR_MAX], want[512];
	int existed = -1;

	setup();
	o.diff_id = digest_of(&other);
	o.blob_digest = digest_of(&b);
	UNIT_EQ_INT(import(&b, &o, id, &existed), -EINVAL);
	snprintf(want, sizeof(want), "layer 1: DiffID mismatch: expected %s, "
		 "the layer is %s", digest_of(&other), digest_of(&b));
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(existed, 0);
	UNIT_EQ_STR(id, "");
	/* Only the lock it took (gc's to remove). */
	UNIT_EQ_STR(layers_ls(), lockname(digest_of(&other)));
	UNIT_EQ_STR(sub_ls("blobs/sha256"), "");
	UNIT_EQ_INT(store_has_layer(st, digest_of(&other)), 0);
	UNIT_EQ_INT(store_has_layer(st, digest_of(&b)), 0);

	/* no_check: stored under the caller's name. */
	o.no_check = 1;
	OK(import(&b, &o, id, &existed));
	UNIT_EQ_STR(id, digest_of(&other));
	UNIT_EQ_STR(fs_content(in_layer(id, "root/f")), "a");
	store_close(st);
}

UNIT_CASE(import_bad_tar_leaves_nothing)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("a");
	char id[DIGEST_STR_MAX];
	int existed;

	setup();
	memcpy(b.p + 148, "garbage", 7);
	UNIT_ASSERT(import(&b, &o, id, &existed) < 0);
	UNIT_ASSERT(strstr(e.msg, "checksum") != NULL);
	UNIT_EQ_STR(layers_ls(), "");
	store_close(st);
}

UNIT_CASE(import_bad_args)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("a");
	char id[DIGEST_STR_MAX];
	int existed;

	setup();
	o.diff_id = "sha256:abc";
	UNIT_EQ_INT(import(&b, &o, id, &existed), -EINVAL);
	UNIT_EQ_STR(e.msg, "layer 1: invalid digest \"sha256:abc\"");
	o.diff_id = NULL;
	o.rootless = 1;
	o.uid_base = 100000;
	UNIT_EQ_INT(import(&b, &o, id, &existed), -EINVAL);
	UNIT_EQ_STR(e.msg, "layer 1: uid_base and gid_base need root");
	UNIT_EQ_INT(sh->reads, 0);
	UNIT_EQ_STR(layers_ls(), "");
	store_close(st);
}

UNIT_CASE(import_whiteouts_kept)
{
	struct store_import_opts o = { 0 };
	struct buf b = { 0 };
	char id[DIGEST_STR_MAX], x[8];
	struct stat s;
	int existed;

	setup();
	ent(&b, "a/", '5', 0755, 0, 0, "");
	ent(&b, "a/.wh.gone", '0', 0644, 0, 0, "");
	ent(&b, "b/", '5', 0755, 0, 0, "");
	ent(&b, "b/.wh..wh..opq", '0', 0644, 0, 0, "");
	ent(&b, "b/new", '0', 0644, 0, 0, "n");
	end(&b);
	OK(import(&b, &o, id, &existed));
	s = fs_st(in_layer(id, "root/a/gone"));
	UNIT_EQ_UINT(s.st_mode & S_IFMT, S_IFCHR);
	UNIT_EQ_UINT(s.st_rdev, makedev(0, 0));
	UNIT_EQ_STR(fs_ls(in_layer(id, "root/a")), "gone");
	UNIT_EQ_STR(fs_ls(in_layer(id, "root/b")), "new");
	memset(x, 0, sizeof(x));
	UNIT_EQ_INT(lgetxattr(in_layer(id, "root/b"), "trusted.overlay.opaque",
			      x, sizeof(x)), 1);
	UNIT_EQ_STR(x, "y");
	UNIT_EQ_INT(lgetxattr(in_layer(id, "root/a"), "trusted.overlay.opaque",
			      x, sizeof(x)), -1);
	store_close(st);
}

UNIT_CASE(import_id_base)
{
	struct store_import_opts o = { 0 };
	struct store_layer info;
	struct buf b = { 0 }, nr = { 0 };
	char id[DIGEST_STR_MAX];
	struct stat s;
	int existed, fd;

	setup();
	ent(&b, "./", '5', 0700, 0, 0, "");
	ent(&b, "f", '0', 0644, 1000, 100, "f");
	ent(&b, "big", '0', 0644, 2000000, 0, "");
	end(&b);
	o.uid_base = 100000;
	o.gid_base = 200000;
	OK(import(&b, &o, id, &existed));
	s = fs_st(in_layer(id, "root"));
	UNIT_EQ_UINT(s.st_mode, S_IFDIR | 0700);
	UNIT_EQ_UINT(s.st_uid, 100000);
	UNIT_EQ_UINT(s.st_gid, 200000);
	s = fs_st(in_layer(id, "root/f"));
	UNIT_EQ_UINT(s.st_uid, 101000);
	UNIT_EQ_UINT(s.st_gid, 200100);
	UNIT_EQ_UINT(fs_st(in_layer(id, "root/big")).st_uid, 2100000);
	fd = store_layer_open(st, id, &info, &e);
	OK(fd);
	close(fd);
	UNIT_EQ_UINT(info.uid_base, 100000);
	UNIT_EQ_UINT(info.gid_base, 200000);

	/* Without a "./" entry root/ is the image root's: the bases. */
	ent(&nr, "x/", '5', 0700, 0, 0, "");
	ent(&nr, "f", '0', 0644, 0, 0, "no root");
	end(&nr);
	OK(import(&nr, &o, id, &existed));
	s = fs_st(in_layer(id, "root"));
	UNIT_EQ_UINT(s.st_mode, S_IFDIR | 0755);
	UNIT_EQ_UINT(s.st_uid, 100000);
	UNIT_EQ_UINT(s.st_gid, 200000);
	UNIT_EQ_STR(fs_ls(in_layer(id, "root")), "f,x");
	store_close(st);
}

/* Image ids that would reach 4294967295 have no stored id. */
UNIT_CASE(import_id_base_overflow)
{
	struct store_import_opts o = { 0 };
	struct buf b = { 0 };
	char id[DIGEST_STR_MAX];
	int existed;

	setup();
	ent(&b, "f", '0', 0644, 999, 0, "");
	ent(&b, "g", '0', 0644, 1000, 0, "");
	end(&b);
	o.uid_base = UINT32_MAX - 1000;
	UNIT_EQ_INT(import(&b, &o, id, &existed), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: g (entry 2): uid 1000 is outside the "
		    "uid map");
	UNIT_EQ_STR(layers_ls(), "");
	store_close(st);
}

/* --- concurrency ------------------------------------------------------- */

/* Wait until pid waits on a flock (a "->" line of /proc/locks). */
static void wait_blocked(pid_t pid)
{
	char buf[65536], pat[32];
	int i;

	snprintf(pat, sizeof(pat), "FLOCK  ADVISORY  WRITE %d ", (int)pid);
	for (i = 0; i < 10000; i++) {
		ssize_t n = read_file_into_at(AT_FDCWD, "/proc/locks", buf,
					      sizeof(buf));
		char *p;

		UNIT_ASSERT(n >= 0);
		for (p = buf; (p = strstr(p, "-> ")); p++)
			if (!strncmp(p + 3, pat, strlen(pat)) ||
			    (!strncmp(p + 3, "FLOCK  ADVISORY  READ ", 22) &&
			     atoi(p + 25) == pid))
				return;
		usleep(1000);
	}
	unit_fail(__FILE__, __LINE__, "pid %d never waited on a lock",
		  (int)pid);
}

/*
 * Child i imports b with o (its own store), the result into sh.  It
 * closes drop (-1: none), the write end of a gate it must not keep open:
 * a parent that failed leaves a gated child an end of file, not a wait.
 */
static pid_t import_child(int i, const struct buf *b,
			  const struct store_import_opts *o, int tell, int wait,
			  int drop)
{
	struct store *s;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (pid)
		return pid;
	if (drop >= 0)
		close(drop);
	s = store_open(sdir, 0, &e);
	UNIT_NOT_NULL(s);
	sh->ret[i] = store_import(s, gated(b, tell, wait), "layer", o,
				  sh->diff_id[i], &sh->existed[i], &e);
	if (sh->ret[i])
		fprintf(stderr, "child %d: %s\n", i, e.msg);
	store_close(s);
	_exit(0);
}

static void reap(pid_t pid)
{
	int status;

	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	UNIT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Child 0 stops at its first read (holding the layer's lock); child 1
 * waits on that lock, seen in /proc/locks, then 0 goes on.  1 reads
 * nothing and finds the layer.
 */
static void concurrent(const struct store_import_opts *o)
{
	struct buf b = layer_of("both");
	int told[2], go[2];
	pid_t a, b1;
	char c;

	UNIT_EQ_INT(pipe(told), 0);
	UNIT_EQ_INT(pipe(go), 0);
	a = import_child(0, &b, o, told[1], go[0], go[1]);
	close(told[1]);
	close(go[0]);
	UNIT_EQ_INT(read(told[0], &c, 1), 1);
	UNIT_EQ_INT(sh->reads, 1);
	b1 = import_child(1, &b, o, -1, -1, go[1]);
	wait_blocked(b1);
	UNIT_EQ_INT(write(go[1], "", 1), 1);
	reap(a);
	reap(b1);
	UNIT_EQ_INT(sh->ret[0], 0);
	UNIT_EQ_INT(sh->ret[1], 0);
	UNIT_EQ_INT(sh->existed[0], 0);
	UNIT_EQ_INT(sh->existed[1], 1);
	UNIT_EQ_STR(sh->diff_id[0], digest_of(&b));
	UNIT_EQ_STR(sh->diff_id[1], digest_of(&b));
	/* Child 1's reader was never read: one extraction. */
	UNIT_ASSERT(sh->reads > 1);
	sh->reads = 0;
	UNIT_EQ_STR(fs_content(in_layer(digest_of(&b), "root/f")), "both");
}

UNIT_CASE(import_concurrent_by_diff_id)
{
	struct buf b = layer_of("both");
	struct store_import_opts o = { 0 };
	char id[DIGEST_STR_MAX];

	setup();
	snprintf(id, sizeof(id), "%s", digest_of(&b));
	o.diff_id = id;
	concurrent(&o);
	UNIT_EQ_STR(layers_ls(), sorted(2, id + 7, lockname(id)));
	store_close(st);
}

UNIT_CASE(import_concurrent_by_blob)
{
	struct buf b = layer_of("both");
	struct store_import_opts o = { 0 };
	char blob[DIGEST_STR_MAX];

	setup();
	blob[0] = 0;
	strcat(blob, "sha256:");
	memset(blob + 7, 'a', 64);
	blob[71] = 0;
	o.blob_digest = blob;
	concurrent(&o);
	UNIT_EQ_STR(layers_ls(), sorted(3, digest_of(&b) + 7, lockname(blob),
				       lockname(digest_of(&b))));
	store_close(st);
}

/*
 * Nothing known ahead: both extract; child 1 publishes first, child 0
 * then finds the layer there and lets its own go.
 */
UNIT_CASE(import_concurrent_unknown)
{
	struct buf b = layer_of("both");
	struct store_import_opts o = { 0 };
	int told[2], go[2];
	pid_t a, b1;
	char c;

	setup();
	UNIT_EQ_INT(pipe(told), 0);
	UNIT_EQ_INT(pipe(go), 0);
	a = import_child(0, &b, &o, told[1], go[0], go[1]);
	close(told[1]);
	close(go[0]);
	UNIT_EQ_INT(read(told[0], &c, 1), 1);
	b1 = import_child(1, &b, &o, -1, -1, go[1]);
	reap(b1);
	UNIT_EQ_INT(sh->ret[1], 0);
	UNIT_EQ_INT(sh->existed[1], 0);
	UNIT_EQ_INT(write(go[1], "", 1), 1);
	reap(a);
	UNIT_EQ_INT(sh->ret[0], 0);
	UNIT_EQ_INT(sh->existed[0], 1);
	UNIT_EQ_STR(sh->diff_id[0], digest_of(&b));
	UNIT_EQ_STR(layers_ls(), sorted(2, digest_of(&b) + 7,
				       lockname(digest_of(&b))));
	store_close(st);
}

/* --- refs ------------------------------------------------------------- */

/* A layer of text imported: its DiffID (static, four at a time). */
static const char *put_layer(const char *text)
{
	static char ids[4][DIGEST_STR_MAX];
	static int i;
	struct store_import_opts o = { 0 };
	struct buf b = layer_of(text);
	char *id = ids[i++ & 3];
	int existed;

	OK(store_import(st, reader_mem(b.p, b.len), text, &o, id, &existed,
			&e));
	return id;
}

UNIT_CASE(refs_add_get_remove)
{
	const char *l1, *l2, *v[2];
	struct store_ref r;
	struct store_layer info;
	char want[3 * PATH_MAX], path[PATH_MAX + 8];
	int fd;

	setup();
	l1 = put_layer("one");
	l2 = put_layer("two");
	v[0] = l1;
	v[1] = l2;
	snprintf(path, sizeof(path), "%s/c1", base);
	OK(store_use(st, &e));
	OK(store_ref_add(st, path, "hardlink", v, 2, &e));
	store_unuse(st);
	UNIT_EQ_INT(store_ref_get(st, path, &r, &e), 1);
	UNIT_EQ_STR(r.path, path);
	UNIT_EQ_STR(r.mode, "hardlink");
	UNIT_EQ_UINT(r.n_layers, 2);
	UNIT_EQ_STR(r.layers[0], l1);
	UNIT_EQ_STR(r.layers[1], l2);
	UNIT_ASSERT(r.created >= time(NULL) - 60);
	store_ref_free(&r);
	fd = store_layer_open(st, l2, &info, &e);
	OK(fd);
	close(fd);
	UNIT_EQ_UINT(info.refs, 1);

	/* Replaced by a ref of the same path. */
	OK(store_ref_add(st, path, "copy", v, 1, &e));
	UNIT_EQ_INT(store_ref_get(st, path, &r, &e), 1);
	UNIT_EQ_STR(r.mode, "copy");
	UNIT_EQ_UINT(r.n_layers, 1);
	store_ref_free(&r);
	fd = store_layer_open(st, l2, &info, &e);
	close(fd);
	UNIT_EQ_UINT(info.refs, 0);

	OK(store_ref_remove(st, path, &e));
	UNIT_EQ_INT(store_ref_get(st, path, &r, &e), 0);
	UNIT_EQ_INT(store_ref_remove(st, path, &e), -ENOENT);
	snprintf(want, sizeof(want), "no ref of %s in the store %s", path,
		 sdir);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_STR(sub_ls("refs"), "");
	store_close(st);
}

UNIT_CASE(refs_file_name)
{
	const char *l1, *v[1];
	char d[DIGEST_STR_MAX], name[80];

	setup();
	l1 = put_layer("one");
	v[0] = l1;
	OK(store_ref_add(st, "/x/rootfs", "overlay", v, 1, &e));
	digest_buf("/x/rootfs", 9, d);
	snprintf(name, sizeof(name), "%s.json", d + 7);
	UNIT_EQ_STR(sub_ls("refs"), name);
	store_close(st);
}

UNIT_CASE(refs_add_refused)
{
	struct buf absent = layer_of("absent");
	const char *v[2];
	char want[PATH_MAX + 256];

	setup();
	v[0] = put_layer("one");
	v[1] = digest_of(&absent);
	UNIT_EQ_INT(store_ref_add(st, "/x", "hardlink", v, 2, &e), -ENOENT);
	snprintf(want, sizeof(want), "ref /x: layer %s is not in the store %s",
		 v[1], sdir);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(store_ref_add(st, "x", "copy", v, 1, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "ref x: not an absolute normalised path");
	UNIT_EQ_INT(store_ref_add(st, "/a/../b", "copy", v, 1, &e), -EINVAL);
	UNIT_EQ_INT(store_ref_add(st, "/a/", "copy", v, 1, &e), -EINVAL);
	UNIT_EQ_INT(store_ref_add(st, "/a//b", "copy", v, 1, &e), -EINVAL);
	UNIT_EQ_INT(store_ref_add(st, "/a/./b", "copy", v, 1, &e), -EINVAL);
	UNIT_EQ_INT(store_ref_add(st, "/a", "bind", v, 1, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "ref /a: unknown mode \"bind\"");
	v[1] = "sha256:zz";
	UNIT_EQ_INT(store_ref_add(st, "/a", "copy", v, 2, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "ref layer: invalid digest \"sha256:zz\"");
	UNIT_EQ_STR(sub_ls("refs"), "");
	store_close(st);
}

UNIT_CASE(refs_list_and_corrupt)
{
	const char *v[1];
	struct store_ref *refs;
	char d[DIGEST_STR_MAX], name[PATH_MAX + 128], want[PATH_MAX + 256];
	size_t n;
	int fd;

	setup();
	v[0] = put_layer("one");
	OK(store_ref_add(st, "/b", "copy", v, 1, &e));
	OK(store_ref_add(st, "/a", "overlay", v, 1, &e));
	OK(store_ref_list(st, &refs, &n, &e));
	UNIT_EQ_UINT(n, 2);
	/* In the order of their names' hashes. */
	UNIT_ASSERT(!strcmp(refs[0].path, "/a") || !strcmp(refs[0].path,
							   "/b"));
	UNIT_ASSERT(strcmp(refs[0].path, refs[1].path));
	store_ref_list_free(refs, n);

	digest_buf("/a", 2, d);
	snprintf(name, sizeof(name), "%s/refs/%s.json", sdir, d + 7);
	fd = open(name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, "{\"path\": 1}", 11), 11);
	close(fd);
	UNIT_EQ_INT(store_ref_list(st, &refs, &n, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s: path: expected string", name);
	UNIT_EQ_STR(e.msg, want);
	/* gc will not guess what a ref it cannot read holds. */
	UNIT_EQ_INT(store_gc(st, 0, NULL, NULL, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(store_has_layer(st, v[0]), 1);
	store_close(st);
}

static struct store_ref ref_at(const char *path, const char *mode)
{
	struct store_ref r = { 0 };

	snprintf(r.path, sizeof(r.path), "%s", path);
	snprintf(r.mode, sizeof(r.mode), "%s", mode);
	return r;
}

UNIT_CASE(refs_stale)
{
	struct store_ref r;

	setup();
	UNIT_EQ_INT(mkdir(at("tree"), 0755), 0);
	r = ref_at(at("tree"), "hardlink");
	UNIT_EQ_INT(store_ref_is_stale(&r), 0);
	r = ref_at(at("tree"), "copy");
	UNIT_EQ_INT(store_ref_is_stale(&r), 0);
	/* An overlay ref whose mount is gone. */
	r = ref_at(at("tree"), "overlay");
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	r = ref_at(at("gone"), "hardlink");
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	r = ref_at(at("tree/x/y"), "copy");
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	UNIT_EQ_INT(symlink("tree", at("link")), 0);
	r = ref_at(at("link"), "hardlink");
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	UNIT_EQ_INT(close(open(at("file"), O_CREAT | O_WRONLY | O_CLOEXEC,
			       0644)), 0);
	r = ref_at(at("file"), "copy");
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	r = ref_at("/", "overlay");
	UNIT_EQ_INT(store_ref_is_stale(&r), 0);

	/* A mount point is a live overlay's (any file system will do). */
	UNIT_EQ_INT(unshare(CLONE_NEWNS), 0);
	UNIT_EQ_INT(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	UNIT_EQ_INT(mount("t", at("tree"), "tmpfs", 0, NULL), 0);
	r = ref_at(at("tree"), "overlay");
	UNIT_EQ_INT(store_ref_is_stale(&r), 0);
	UNIT_EQ_INT(umount(at("tree")), 0);
	UNIT_EQ_INT(store_ref_is_stale(&r), 1);
	store_close(st);
}

/* --- list and gc ----------------------------------------------------- */

UNIT_CASE(list_sorted_with_refs)
{
	struct store_layer *l;
	const char *id[3], *v[2];
	size_t n, i, j;

	setup();
	id[0] = put_layer("one");
	id[1] = put_layer("two");
	id[2] = put_layer("three");
	v[0] = id[1];
	v[1] = id[1];
	OK(store_ref_add(st, "/a", "copy", v, 2, &e));
	v[1] = id[2];
	OK(store_ref_add(st, "/b", "copy", v, 2, &e));
	OK(store_list(st, &l, &n, &e));
	UNIT_EQ_UINT(n, 3);
	for (i = 1; i < n; i++)
		UNIT_ASSERT(strcmp(l[i - 1].diff_id, l[i].diff_id) < 0);
	for (i = 0; i < n; i++) {
		for (j = 0; strcmp(id[j], l[i].diff_id); j++)
			;
		/* A layer twice in one tree is one tree's. */
		UNIT_EQ_UINT(l[i].refs, j == 0 ? 0 : j == 1 ? 2 : 1);
		UNIT_EQ_UINT(l[i].entries, 2);
		UNIT_EQ_UINT(l[i].size, strlen(j == 0 ? "one" : j == 1 ?
					       "two" : "three"));
	}
	free(l);
	store_close(st);
}

struct items {
	char text[4096];
};

static void collect(void *arg, const struct store_gc_item *it)
{
	struct items *x = arg;
	size_t n = strlen(x->text);

	snprintf(x->text + n, sizeof(x->text) - n, "%s %s %llu\n", it->what,
		 it->name, (unsigned long long)it->size);
}

/*
 * l[0] used by a live ref, l[1] by a stale one, l[2] by none; a dead
 * import, a live one (held here) and a half-removed layer.  *live_fd:
 * the live import's held directory.
 */
static void gc_fixture(const char *l[3], char *stale, int *live_fd)
{
	const char *v[1];
	int fd;

	UNIT_EQ_INT(mkdir(at("live"), 0755), 0);
	snprintf(stale, PATH_MAX + 8, "%s/gone", base);
	l[0] = put_layer("one");
	l[1] = put_layer("two");
	l[2] = put_layer("three");
	v[0] = l[0];
	OK(store_ref_add(st, at("live"), "hardlink", v, 1, &e));
	v[0] = l[1];
	OK(store_ref_add(st, stale, "hardlink", v, 1, &e));
	UNIT_EQ_INT(mkdir(at("store/layers/sha256/.tmp-dead0001"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("store/layers/sha256/.tmp-dead0001/root"), 0555),
		    0);
	UNIT_EQ_INT(mkdir(at("store/layers/sha256/.tmp-gc-0002"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("store/layers/sha256/.tmp-live0003"), 0755), 0);
	fd = open(at("store/layers/sha256/.tmp-live0003"),
		  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(flock(fd, LOCK_EX), 0);
	*live_fd = fd;
	/* What a crash leaves of write_file_atomic(). */
	UNIT_EQ_INT(close(open(at("store/refs/.x.json.1"), O_CREAT | O_WRONLY |
			       O_CLOEXEC, 0644)), 0);
	UNIT_EQ_INT(close(open(at("store/blobs/sha256/.y.2"), O_CREAT |
			       O_WRONLY | O_CLOEXEC, 0644)), 0);
}

UNIT_CASE(gc_dry_run_and_real)
{
	const char *l[3];
	char stale[PATH_MAX + 8], want[2 * PATH_MAX], before[8192];
	struct items x = { "" };
	struct store_ref r;
	int live_fd;

	setup();
	gc_fixture(l, stale, &live_fd);
	snprintf(want, sizeof(want),
		 "stale ref %s 0\n"
		 "dead import .tmp-dead0001 0\n"
		 "dead import .tmp-gc-0002 0\n"
		 "layer %s %zu\n"
		 "layer %s %zu\n",
		 stale,
		 strcmp(l[1], l[2]) < 0 ? l[1] : l[2],
		 strcmp(l[1], l[2]) < 0 ? strlen("two") : strlen("three"),
		 strcmp(l[1], l[2]) < 0 ? l[2] : l[1],
		 strcmp(l[1], l[2]) < 0 ? strlen("three") : strlen("two"));
	snprintf(before, sizeof(before), "%s", layers_ls());
	OK(store_gc(st, 1, collect, &x, &e));
	UNIT_EQ_STR(x.text, want);
	UNIT_EQ_STR(layers_ls(), before);
	UNIT_EQ_INT(store_ref_get(st, stale, &r, &e), 1);
	store_ref_free(&r);
	UNIT_EQ_STR(sub_ls("blobs/sha256"), ".y.2");

	x.text[0] = 0;
	OK(store_gc(st, 0, collect, &x, &e));
	UNIT_EQ_STR(x.text, want);
	/* The lock files of the layers gone, gone too. */
	UNIT_EQ_STR(layers_ls(), sorted(3, l[0] + 7, lockname(l[0]),
					".tmp-live0003"));
	UNIT_EQ_INT(store_ref_get(st, stale, &r, &e), 0);
	UNIT_EQ_INT(store_ref_get(st, at("live"), &r, &e), 1);
	UNIT_EQ_STR(sub_ls("blobs/sha256"), "");
	digest_buf(at("live"), strlen(at("live")), want);
	strcat(want, ".json");
	UNIT_EQ_STR(sub_ls("refs"), want + 7);
	store_ref_free(&r);
	UNIT_EQ_INT(store_has_layer(st, l[0]), 1);
	UNIT_EQ_INT(store_has_layer(st, l[1]), 0);
	UNIT_EQ_INT(store_has_layer(st, l[2]), 0);

	/* Nothing more to collect. */
	x.text[0] = 0;
	OK(store_gc(st, 0, collect, &x, &e));
	UNIT_EQ_STR(x.text, "");
	close(live_fd);
	store_close(st);
}

UNIT_CASE(gc_blob_records)
{
	struct store_import_opts o = { 0 };
	struct buf b = layer_of("b"), z;
	char id[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	int existed;

	setup();
	z = gz(&b);
	o.blob_digest = digest_of(&z);
	OK(import(&z, &o, id, &existed));
	UNIT_EQ_STR(sub_ls("blobs/sha256"), digest_of(&z) + 7);
	OK(store_gc(st, 0, NULL, NULL, &e));
	UNIT_EQ_STR(sub_ls("blobs/sha256"), "");
	UNIT_EQ_STR(layers_ls(), "");
	UNIT_EQ_INT(store_blob_lookup(st, digest_of(&z), got, &e), 0);
	UNIT_EQ_STR(got, "");
	store_close(st);
}

UNIT_CASE(gc_inside_use_refused)
{
	char want[PATH_MAX + 64];

	setup();
	OK(store_use(st, &e));
	UNIT_EQ_INT(store_gc(st, 0, NULL, NULL, &e), -EDEADLK);
	snprintf(want, sizeof(want), "%s: gc while this process uses the "
		 "store", sdir);
	UNIT_EQ_STR(e.msg, want);
	/* Nested holds: the inner release keeps the outer. */
	OK(store_use(st, &e));
	store_unuse(st);
	UNIT_EQ_INT(store_gc(st, 0, NULL, NULL, &e), -EDEADLK);
	store_unuse(st);
	OK(store_gc(st, 0, NULL, NULL, &e));
	store_close(st);
}

/*
 * A child holds store_use() (an assembly under way); the parent's gc
 * waits for it, and the child's ref, written while gc waits, keeps the
 * layer.
 */
UNIT_CASE(gc_waits_for_use)
{
	const char *l;
	char id[DIGEST_STR_MAX];
	struct items x = { "" };
	int held[2], status;
	struct store *s;
	pid_t pid, gc;
	char c;

	setup();
	UNIT_EQ_INT(mkdir(at("live"), 0755), 0);
	l = put_layer("in use");
	snprintf(id, sizeof(id), "%s", l);
	UNIT_EQ_INT(pipe(held), 0);
	fflush(NULL);
	gc = getpid();
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		const char *v[1] = { id };

		s = store_open(sdir, 0, &e);
		UNIT_NOT_NULL(s);
		OK(store_use(s, &e));
		UNIT_EQ_INT(write(held[1], "", 1), 1);
		wait_blocked(gc);
		OK(store_ref_add(s, at("live"), "hardlink", v, 1, &e));
		store_unuse(s);
		store_close(s);
		_exit(0);
	}
	UNIT_EQ_INT(read(held[0], &c, 1), 1);
	OK(store_gc(st, 0, collect, &x, &e));
	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	UNIT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	UNIT_EQ_STR(x.text, "");
	UNIT_EQ_INT(store_has_layer(st, id), 1);
	store_close(st);
}

UNIT_CASE(layer_open_absent)
{
	struct buf b = layer_of("absent");
	struct store_layer info;
	char want[PATH_MAX + 256];

	setup();
	UNIT_EQ_INT(store_layer_open(st, digest_of(&b), &info, &e), -ENOENT);
	snprintf(want, sizeof(want), "layer %s is not in the store %s",
		 digest_of(&b), sdir);
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(store_layer_open(st, "sha256:1", &info, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "layer: invalid digest \"sha256:1\"");
	UNIT_EQ_INT(store_has_layer(st, digest_of(&b)), 0);
	UNIT_EQ_INT(store_has_layer(st, "nonsense"), 0);
	store_close(st);
}

/* A torn layer.json: named by list, no obstacle to gc. */
UNIT_CASE(layer_json_torn)
{
	struct store_layer *l;
	struct items x = { "" };
	char want[PATH_MAX + 256];
	const char *id;
	size_t n;
	int fd;

	setup();
	id = put_layer("torn");
	fd = open(in_layer(id, "layer.json"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, "{\"diff_id\": \"sha256:00\"}", 24), 24);
	close(fd);
	UNIT_EQ_INT(store_list(st, &l, &n, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s/layers/sha256/%s/layer.json: size: "
		 "missing", sdir, id + 7);
	UNIT_EQ_STR(e.msg, want);
	UNIT_NULL(l);
	UNIT_EQ_UINT(n, 0);
	OK(store_gc(st, 0, collect, &x, &e));
	snprintf(want, sizeof(want), "layer %s 0\n", id);
	UNIT_EQ_STR(x.text, want);
	UNIT_EQ_STR(layers_ls(), "");
	store_close(st);
}
