/*
 * assemble_test.c - unit tests of core/assemble.c: layer trees made in
 * the store's format (assemble.h, unpack.h keep_whiteouts: whiteouts are
 * 0/0 character devices, opaque directories carry trusted.overlay.opaque
 * "y") with mkdir, open, mknod and setxattr, assembled into base/dest
 * beside base/outside, whose canary nothing may touch.  The cases run as
 * root; the protection case enters a user namespace with the
 * container's mapping, the overlay cases a mount namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <grp.h>

#include "assemble.h"
#include "io.h"
#include "fs.h"
#include "unit.h"

#define T0 1500000000
#define CANARY "host data\n"
#define MAX_LAYERS 80

static char base[PATH_MAX];
static int destfd = -1;
static struct err e;
static struct assemble_layer layers[MAX_LAYERS];
static char layer_paths[MAX_LAYERS][PATH_MAX];
static size_t nlayers;
static struct assemble_stats st;

#define OK(x)								\
	do {								\
		int r_ = (x);						\
		if (r_)							\
			unit_fail(__FILE__, __LINE__, "%s: %d: %s", #x,	\
				  r_, e.msg);				\
	} while (0)

static const char *at(const char *rel)
{
	static char bufs[4][PATH_MAX + 64];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, PATH_MAX + 64, "%s/%s", base, rel);
	return b;
}

/* What fs.h reads, of at(rel). */
#define write_at(rel, s) fs_write(at(rel), (s))
#define ls(rel) fs_ls(at(rel))
#define type(rel) fs_type(at(rel))
#define content(rel) fs_content(at(rel))
#define st_of(rel) fs_st(at(rel))

static void set_time(const char *rel, long sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	UNIT_EQ_INT(utimensat(AT_FDCWD, at(rel), ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* A file in the store: data, owner, then the mode (after chown). */
static void mkf(const char *rel, mode_t mode, uid_t uid, gid_t gid,
		const char *data)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		unit_fail(__FILE__, __LINE__, "create %s: %s", rel,
			  strerror(errno));
	UNIT_EQ_INT(write(fd, data, strlen(data)), strlen(data));
	UNIT_EQ_INT(fchown(fd, uid, gid), 0);
	UNIT_EQ_INT(fchmod(fd, mode), 0);
	close(fd);
	set_time(rel, T0, 123);
}

static void mkd(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(at(rel), 0700) < 0)
		unit_fail(__FILE__, __LINE__, "mkdir %s: %s", rel,
			  strerror(errno));
	UNIT_EQ_INT(chown(at(rel), uid, gid), 0);
	UNIT_EQ_INT(chmod(at(rel), mode), 0);
}

static void mks(const char *rel, const char *target, uid_t uid, gid_t gid)
{
	UNIT_EQ_INT(symlink(target, at(rel)), 0);
	UNIT_EQ_INT(lchown(at(rel), uid, gid), 0);
	set_time(rel, T0, 0);
}

static void whiteout(const char *rel)
{
	UNIT_EQ_INT(mknod(at(rel), S_IFCHR, 0), 0);
}

static void opaque(const char *rel)
{
	UNIT_EQ_INT(setxattr(at(rel), UNPACK_OPAQUE_TRUSTED, "y", 1, 0), 0);
}

static void setup(void)
{
	if (!realpath(unit_tmpdir(), base))
		unit_fail(__FILE__, __LINE__, "realpath: %s", strerror(errno));
	umask(022);
	UNIT_EQ_INT(mkdir(at("dest"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("outside"), 0755), 0);
	write_at("outside/canary", CANARY);
	destfd = open(at("dest"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(destfd >= 0);
}

/* A new layer directory base/NAME, root owned ub:gb, 0755. */
static void layer(const char *name, uint32_t ub, uint32_t gb)
{
	struct assemble_layer *l = &layers[nlayers];

	UNIT_ASSERT(nlayers < MAX_LAYERS);
	snprintf(layer_paths[nlayers], PATH_MAX, "%s", at(name));
	mkd(name, 0755, ub, gb);
	l->path = layer_paths[nlayers];
	l->uid_base = ub;
	l->gid_base = gb;
	l->fd = -1;
	nlayers++;
}

/* The layers opened, once their trees are made. */
static void open_layers(void)
{
	size_t i;

	for (i = 0; i < nlayers; i++) {
		if (layers[i].fd >= 0)
			continue;
		layers[i].fd = open(layers[i].path, O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC);
		UNIT_ASSERT(layers[i].fd >= 0);
	}
}

static int assemble(const struct assemble_opts *o)
{
	open_layers();
	memset(&st, 0, sizeof(st));
	return assemble_tree(destfd, layers, nlayers, o, &st, &e);
}

static int same_inode(const char *a, const char *b)
{
	struct stat x = st_of(a), y = st_of(b);

	return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static const char *xattr(const char *rel, const char *name)
{
	static char buf[256];
	ssize_t n = lgetxattr(at(rel), name, buf, sizeof(buf) - 1);

	buf[n < 0 ? 0 : n] = 0;
	return n < 0 ? "-" : buf;
}

static void check_outside(void)
{
	UNIT_EQ_STR(ls("outside"), "canary");
	UNIT_EQ_STR(content("outside/canary"), CANARY);
}

#define CASE(name)							\
	static void scenario_##name(void);				\
	UNIT_CASE(name)							\
	{								\
		setup();						\
		scenario_##name();					\
	}								\
	static void scenario_##name(void)

/* ---- the merge ---- */

/*
 * l0: the base; l1 replaces a file, puts a directory over a file and a
 * file over a directory, whites out home, makes var opaque; l2 whites out
 * etc/b, adds to opt, and a directory over l1's whiteout of home.
 */
static void three_layers(void)
{
	layer("l0", 0, 0);
	mkd("l0/etc", 0755, 0, 0);
	mkf("l0/etc/a", 0644, 0, 0, "a0");
	mkf("l0/etc/b", 0644, 0, 0, "b0");
	mkf("l0/bin", 0755, 0, 0, "binfile");
	mkd("l0/usr", 0755, 0, 0);
	mkf("l0/usr/x", 0644, 0, 0, "x0");
	mkd("l0/opt", 0755, 0, 0);
	mkf("l0/opt/keep", 0644, 0, 0, "keep");
	mkd("l0/var", 0755, 0, 0);
	mkf("l0/var/old", 0644, 0, 0, "old");
	mkd("l0/home", 0755, 0, 0);
	mkf("l0/home/u", 0644, 0, 0, "u");
	mkd("l0/srv", 0755, 0, 0);
	mkf("l0/srv/s0", 0644, 0, 0, "s0");

	layer("l1", 0, 0);
	mkd("l1/etc", 0750, 0, 0);
	mkf("l1/etc/a", 0600, 0, 0, "a1");
	mkd("l1/bin", 0711, 0, 0);
	mkf("l1/bin/sh", 0755, 0, 0, "sh");
	mkf("l1/usr", 0644, 0, 0, "usrfile");
	whiteout("l1/home");
	mkd("l1/var", 0755, 0, 0);
	opaque("l1/var");
	mkf("l1/var/new", 0644, 0, 0, "new");
	whiteout("l1/srv");

	layer("l2", 0, 0);
	mkd("l2/etc", 0755, 0, 0);
	whiteout("l2/etc/b");
	mkf("l2/etc/c", 0644, 0, 0, "c2");
	mkd("l2/opt", 0755, 0, 0);
	mkf("l2/opt/added", 0644, 0, 0, "added");
	mkd("l2/srv", 0700, 0, 0);
	opaque("l2/srv");
	mkf("l2/srv/s2", 0644, 0, 0, "s2");
	set_time("l2/etc", T0 + 2, 7);
	set_time("l1/etc", T0 + 1, 0);
	set_time("l2", T0 + 3, 0);
}

static void check_three_layers(void)
{
	UNIT_EQ_STR(ls("dest"), "bin,etc,opt,srv,usr,var");
	UNIT_EQ_STR(ls("dest/etc"), "a,c");
	UNIT_EQ_STR(content("dest/etc/a"), "a1");
	UNIT_EQ_STR(content("dest/etc/c"), "c2");
	UNIT_EQ_INT(type("dest/bin"), 'd');
	UNIT_EQ_STR(ls("dest/bin"), "sh");
	UNIT_EQ_UINT(st_of("dest/bin").st_mode, S_IFDIR | 0711);
	UNIT_EQ_INT(type("dest/usr"), 'f');
	UNIT_EQ_STR(content("dest/usr"), "usrfile");
	UNIT_EQ_STR(ls("dest/var"), "new");
	UNIT_EQ_STR(ls("dest/opt"), "added,keep");
	UNIT_EQ_STR(ls("dest/srv"), "s2");
	/* The topmost layer's directory: l2's etc, its mode and times. */
	UNIT_EQ_UINT(st_of("dest/etc").st_mode, S_IFDIR | 0755);
	UNIT_EQ_INT(st_of("dest/etc").st_mtim.tv_sec, T0 + 2);
	UNIT_EQ_INT(st_of("dest/etc").st_mtim.tv_nsec, 7);
	UNIT_EQ_UINT(st_of("dest/srv").st_mode, S_IFDIR | 0700);
	UNIT_EQ_STR(xattr("dest/var", UNPACK_OPAQUE_TRUSTED), "-");
	UNIT_EQ_STR(xattr("dest/srv", UNPACK_OPAQUE_TRUSTED), "-");
	check_outside();
}

CASE(merge_three_layers_copy)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY };

	three_layers();
	OK(assemble(&o));
	check_three_layers();
	UNIT_EQ_INT(st_of("dest").st_mtim.tv_sec, T0 + 3);
	UNIT_EQ_UINT(st.dirs, 5);
	UNIT_EQ_UINT(st.copied, 8);
	UNIT_EQ_UINT(st.linked, 0);
	/* home, etc/b; var and srv opaque over what was below */
	UNIT_EQ_UINT(st.whiteouts, 4);
	UNIT_EQ_UINT(st.bytes_copied, 2 + 2 + 2 + 7 + 3 + 5 + 4 + 2);
	UNIT_ASSERT(!same_inode("dest/etc/a", "l1/etc/a"));
}

CASE(merge_three_layers_hardlink_read_only)
{
	struct assemble_opts o = { .mode = ASSEMBLE_HARDLINK, .read_only = 1 };

	three_layers();
	OK(assemble(&o));
	check_three_layers();
	UNIT_EQ_INT(st_of("dest").st_mtim.tv_sec, T0 + 3);
	UNIT_EQ_UINT(st.linked, 8);
	UNIT_EQ_UINT(st.copied, 0);
	UNIT_ASSERT(same_inode("dest/etc/a", "l1/etc/a"));
	UNIT_ASSERT(same_inode("dest/usr", "l1/usr"));
	UNIT_ASSERT(same_inode("dest/opt/keep", "l0/opt/keep"));
}

/* An opaque root: nothing of the layers below. */
CASE(opaque_root)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY };

	layer("l0", 0, 0);
	mkf("l0/old", 0644, 0, 0, "old");
	layer("l1", 0, 0);
	mkf("l1/new", 0644, 0, 0, "new");
	opaque("l1");
	OK(assemble(&o));
	UNIT_EQ_STR(ls("dest"), "new");
	UNIT_EQ_UINT(st.whiteouts, 1);
	UNIT_EQ_STR(xattr("dest", UNPACK_OPAQUE_TRUSTED), "-");
}

/* ---- protection ---- */

static struct unpack_idmap map_200k = { 0, 200000, 65536 };

/* The container's maps: image i is host 200000 + i. */
static struct assemble_opts mapped(enum assemble_mode mode)
{
	struct assemble_opts o = {
		.mode = mode, .uid_map = &map_200k, .n_uid_map = 1,
		.gid_map = &map_200k, .n_gid_map = 1,
	};

	return o;
}

/* A layer stored at base 100000: what hardlink may and may not link. */
static void store_layer(void)
{
	/* v2 file capabilities: cap_net_raw permitted and effective */
	static const unsigned char cap[20] = { 1, 0, 0, 2, 0, 0x20 };
	/* version 2: user:: rw, user:200005 rw, group:: r, mask rw, other r */
	static const unsigned char acl[44] = {
		2, 0, 0, 0,
		0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		0x02, 0, 6, 0, 0x45, 0x0d, 0x03, 0,
		0x04, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
		0x10, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		0x20, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
	};

	layer("l0", 100000, 100000);
	mkd("l0/bin", 0755, 100000, 100000);
	mkf("l0/bin/ok", 0755, 100000, 100000, "ok");
	mkf("l0/bin/su", 04755, 100000, 100000, "su");
	mkf("l0/bin/sg", 02755, 100000, 100000, "sg");
	mkf("l0/bin/cap", 0755, 100000, 100000, "cap");
	UNIT_EQ_INT(setxattr(at("l0/bin/cap"), "security.capability", cap,
			     sizeof(cap), 0), 0);
	mkf("l0/bin/priv", 0700, 100000, 100000, "priv");
	mks("l0/bin/sym", "ok", 100000, 100000);
	mks("l0/bin/usym", "ok", 101000, 101000);
	mkd("l0/etc", 0755, 100000, 100000);
	mkf("l0/etc/passwd", 0644, 100000, 100000, "passwd");
	mkf("l0/etc/shadow", 0640, 100000, 100042, "shadow");
	mkf("l0/etc/world", 0666, 100000, 100000, "world");
	/* a named user the container maps may write it, whatever the mode */
	mkf("l0/etc/acl", 0644, 100000, 100000, "acl");
	UNIT_EQ_INT(setxattr(at("l0/etc/acl"), "system.posix_acl_access",
			     acl, sizeof(acl), 0), 0);
	UNIT_EQ_UINT(st_of("l0/etc/acl").st_mode, S_IFREG | 0664);
	mkd("l0/home", 0755, 100000, 100000);
	mkd("l0/home/u", 0700, 101000, 101000);
	mkf("l0/home/u/f", 0644, 101000, 101000, "f");
	UNIT_EQ_INT(link(at("l0/etc/shadow"), at("l0/etc/shadow-")), 0);
}

CASE(hardlink_links_store_files_copies_others)
{
	struct assemble_opts o = mapped(ASSEMBLE_HARDLINK);
	struct stat s;

	store_layer();
	OK(assemble(&o));
	UNIT_ASSERT(same_inode("dest/bin/ok", "l0/bin/ok"));
	UNIT_ASSERT(same_inode("dest/etc/passwd", "l0/etc/passwd"));
	UNIT_ASSERT(same_inode("dest/bin/sym", "l0/bin/sym"));
	UNIT_ASSERT(!same_inode("dest/bin/su", "l0/bin/su"));
	UNIT_ASSERT(!same_inode("dest/bin/sg", "l0/bin/sg"));
	UNIT_ASSERT(!same_inode("dest/bin/cap", "l0/bin/cap"));
	UNIT_ASSERT(!same_inode("dest/bin/priv", "l0/bin/priv"));
	UNIT_ASSERT(!same_inode("dest/bin/usym", "l0/bin/usym"));
	UNIT_ASSERT(!same_inode("dest/etc/shadow", "l0/etc/shadow"));
	UNIT_ASSERT(!same_inode("dest/etc/world", "l0/etc/world"));
	UNIT_ASSERT(!same_inode("dest/etc/acl", "l0/etc/acl"));
	UNIT_ASSERT(!same_inode("dest/home/u/f", "l0/home/u/f"));
	/* Copies are owned as the container should see them. */
	s = st_of("dest/bin/su");
	UNIT_EQ_UINT(s.st_mode, S_IFREG | 04755);
	UNIT_EQ_UINT(s.st_uid, 200000);
	UNIT_EQ_UINT(s.st_gid, 200000);
	UNIT_EQ_UINT(st_of("dest/bin/sg").st_mode, S_IFREG | 02755);
	s = st_of("dest/etc/shadow");
	UNIT_EQ_UINT(s.st_mode, S_IFREG | 0640);
	UNIT_EQ_UINT(s.st_uid, 200000);
	UNIT_EQ_UINT(s.st_gid, 200042);
	UNIT_EQ_UINT(s.st_nlink, 2);
	UNIT_ASSERT(same_inode("dest/etc/shadow", "dest/etc/shadow-"));
	UNIT_EQ_UINT(st_of("dest/home/u/f").st_uid, 201000);
	UNIT_EQ_UINT(st_of("dest/home/u").st_uid, 201000);
	UNIT_EQ_UINT(st_of("dest/home/u").st_mode, S_IFDIR | 0700);
	UNIT_EQ_UINT(st_of("dest/bin/usym").st_uid, 201000);
	UNIT_EQ_STR(content("dest/bin/cap"), "cap");
	UNIT_EQ_INT(lgetxattr(at("dest/bin/cap"), "security.capability",
			      NULL, 0), 20);
	UNIT_EQ_UINT(st_of("dest").st_uid, 200000);
	UNIT_EQ_UINT(st_of("dest/bin").st_uid, 200000);
	/* The linked ones keep the store's owner: overflow inside. */
	UNIT_EQ_UINT(st_of("dest/bin/ok").st_uid, 100000);
	UNIT_EQ_UINT(st.linked, 2);
	UNIT_EQ_UINT(st.symlinks, 2);
	UNIT_EQ_UINT(st.copied, 9);
	UNIT_EQ_UINT(st.dirs, 4);
}

/*
 * A directory of more names than one job takes (CHUNK, 4096), merged
 * from two layers: shared out among the walkers in chunks (where there
 * is more than one CPU), every name once, the upper's where both have
 * it, a whiteout applied, the directory's times set after all chunks.
 */
CASE(large_directory_in_chunks)
{
	struct assemble_opts o = { .mode = ASSEMBLE_HARDLINK, .read_only = 1 };
	char name[64];
	int i, n = 0;
	DIR *d;

	layer("l0", 0, 0);
	layer("l1", 0, 0);
	mkd("l0/big", 0755, 0, 0);
	mkd("l1/big", 0750, 0, 0);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "l0/big/f%05d", i);
		mkf(name, 0644, 0, 0, "lower");
	}
	for (i = 0; i < 5000; i += 3) {
		snprintf(name, sizeof(name), "l1/big/f%05d", i);
		mkf(name, 0644, 0, 0, "upper");
	}
	UNIT_EQ_INT(mknod(at("l1/big/f00001"), S_IFCHR, 0), 0);
	set_time("l1/big", 1000000000, 0);
	OK(assemble(&o));
	d = opendir(at("dest/big"));
	UNIT_ASSERT(d != NULL);
	while (readdir(d))
		n++;
	closedir(d);
	UNIT_EQ_INT(n, 5000 - 1 + 2);
	UNIT_EQ_STR(content("dest/big/f00000"), "upper");
	UNIT_EQ_STR(content("dest/big/f00002"), "lower");
	UNIT_EQ_INT(type("dest/big/f00001"), '-');
	UNIT_EQ_STR(content("dest/big/f04998"), "upper");
	UNIT_ASSERT(same_inode("dest/big/f04999", "l0/big/f04999"));
	UNIT_EQ_UINT(st.linked, 4999);
	UNIT_EQ_UINT(st_of("dest/big").st_mode, S_IFDIR | 0750);
	UNIT_EQ_INT(st_of("dest/big").st_mtim.tv_sec, 1000000000);
}

CASE(hardlink_read_only_links_all)
{
	struct assemble_opts o = { .mode = ASSEMBLE_HARDLINK, .read_only = 1 };

	layer("l0", 0, 0);
	mkf("l0/su", 04755, 0, 0, "su");
	mkf("l0/shadow", 0640, 0, 42, "shadow");
	mkf("l0/user", 0600, 1000, 1000, "user");
	mkf("l0/world", 0666, 0, 0, "world");
	mks("l0/sym", "su", 1000, 1000);
	UNIT_EQ_INT(mkfifo(at("l0/fifo"), 0620), 0);
	UNIT_EQ_INT(chmod(at("l0/fifo"), 0620), 0);
	OK(assemble(&o));
	UNIT_ASSERT(same_inode("dest/su", "l0/su"));
	UNIT_ASSERT(same_inode("dest/shadow", "l0/shadow"));
	UNIT_ASSERT(same_inode("dest/user", "l0/user"));
	UNIT_ASSERT(same_inode("dest/world", "l0/world"));
	UNIT_ASSERT(same_inode("dest/sym", "l0/sym"));
	UNIT_ASSERT(!same_inode("dest/fifo", "l0/fifo"));
	UNIT_EQ_UINT(st_of("dest/fifo").st_mode, S_IFIFO | 0620);
	UNIT_EQ_UINT(st.linked, 4);
	UNIT_EQ_UINT(st.symlinks, 1);
	UNIT_EQ_UINT(st.nodes, 1);
}

/* read_only under a map: only what the container sees as it is stored. */
CASE(hardlink_read_only_mapped)
{
	struct unpack_idmap m = { 0, 100000, 65536 };
	struct assemble_opts o = {
		.mode = ASSEMBLE_HARDLINK, .read_only = 1, .uid_map = &m,
		.n_uid_map = 1, .gid_map = &m, .n_gid_map = 1,
	};

	layer("l0", 100000, 100000);
	mkf("l0/su", 04755, 100000, 100000, "su");
	mkf("l0/u", 0600, 101000, 101000, "u");
	layer("l1", 0, 0);
	mkf("l1/other", 0640, 0, 0, "other");
	/* unmapped 0:0, readable by all: the namespace rule links it */
	mkf("l1/open", 0644, 0, 0, "open");
	OK(assemble(&o));
	UNIT_ASSERT(same_inode("dest/su", "l0/su"));
	UNIT_ASSERT(same_inode("dest/u", "l0/u"));
	UNIT_ASSERT(same_inode("dest/open", "l1/open"));
	UNIT_ASSERT(!same_inode("dest/other", "l1/other"));
	UNIT_EQ_UINT(st_of("dest/other").st_uid, 100000);
	UNIT_EQ_UINT(st.linked, 3);
	UNIT_EQ_UINT(st.copied, 1);
}

CASE(refusals)
{
	struct unpack_idmap shift = { 0, 100000, 65536 };
	struct assemble_opts o = { .mode = ASSEMBLE_HARDLINK };

	layer("l0", 100000, 100000);
	mkf("l0/f", 0644, 100000, 100000, "f");
	open_layers();
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "hardlink: without a user namespace the "
		    "container's root is root on the host and could write "
		    "the store's files through the links; give the "
		    "container's --uid-map/--gid-map, or --read-only, or use "
		    "--mode overlay or --mode copy");
	UNIT_EQ_INT(assemble(&o), -EPERM);
	UNIT_EQ_STR(ls("dest"), "");
	o.uid_map = &shift;
	o.n_uid_map = 1;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "hardlink: without a user namespace the "
		    "container's root is root on the host and could write "
		    "the store's files through the links; give the "
		    "container's --uid-map/--gid-map, or --read-only, or use "
		    "--mode overlay or --mode copy");
	o.gid_map = &shift;
	o.n_gid_map = 1;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "hardlink: the container's uid map takes in uid "
		    "100000, the store's owner: its root could write the "
		    "store's files through the links; give a map without it, "
		    "or --read-only, or use --mode overlay or --mode copy");
	o.uid_map = &map_200k;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "hardlink: the container's gid map takes in gid "
		    "100000, the store's owner: it could write the store's "
		    "files through the links; give a map without it, or "
		    "--read-only, or use --mode copy");
	o.read_only = 1;
	OK(assemble_check(layers, 1, &o, &e));
	o = mapped(ASSEMBLE_HARDLINK);
	OK(assemble_check(layers, 1, &o, &e));

	o.mode = ASSEMBLE_OVERLAY;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "overlay: the container's uid map does not send "
		    "uid 0.. to uid 100000.., as the store keeps them: it "
		    "would see other owners than the image's; use --mode "
		    "hardlink or --mode copy");
	o.uid_map = &shift;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "overlay: the container's gid map does not send "
		    "gid 0.. to gid 100000.., as the store keeps them: it "
		    "would see other owners than the image's; use --mode "
		    "hardlink or --mode copy");
	o.gid_map = &shift;
	OK(assemble_check(layers, 1, &o, &e));
	o.n_uid_map = o.n_gid_map = 0;
	UNIT_EQ_INT(assemble_check(layers, 1, &o, &e), -EPERM);
	UNIT_EQ_STR(e.msg, "overlay: the store keeps uid 0 as uid 100000 and "
		    "the container has no uid map: it would see other owners "
		    "than the image's; use --mode hardlink or --mode copy");
	layers[0].uid_base = layers[0].gid_base = 0;
	OK(assemble_check(layers, 1, &o, &e));

	o.mode = ASSEMBLE_COPY;
	OK(assemble_check(layers, 1, &o, &e));
	o.mode = ASSEMBLE_OVERLAY;
	UNIT_EQ_INT(assemble(&o), -EINVAL);
	UNIT_EQ_STR(e.msg, "assemble: overlay is a mount: assemble_overlay()");
}

/*
 * The container for real: a child in a user namespace with the
 * container's mapping, as its root, cannot write or chmod a linked
 * store file but writes the copy it owns.
 */
CASE(protection_in_user_namespace)
{
	struct assemble_opts o = mapped(ASSEMBLE_HARDLINK);
	int p2c[2], c2p[2], status, fd;
	char c = 0, path[64];
	pid_t pid;

	store_layer();
	OK(assemble(&o));
	UNIT_ASSERT(same_inode("dest/bin/ok", "l0/bin/ok"));
	UNIT_EQ_INT(pipe2(p2c, O_CLOEXEC), 0);
	UNIT_EQ_INT(pipe2(c2p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		UNIT_EQ_INT(unshare(CLONE_NEWUSER), 0);
		UNIT_EQ_INT(write(c2p[1], &c, 1), 1);
		UNIT_EQ_INT(read(p2c[0], &c, 1), 1);
		UNIT_EQ_INT(setresgid(0, 0, 0), 0);
		UNIT_EQ_INT(setresuid(0, 0, 0), 0);
		UNIT_EQ_INT(getuid(), 0);
		errno = 0;
		UNIT_EQ_INT(openat(destfd, "bin/ok", O_WRONLY | O_CLOEXEC),
			    -1);
		UNIT_EQ_INT(errno, EACCES);
		UNIT_EQ_INT(openat(destfd, "bin/ok", O_RDWR | O_TRUNC |
				   O_CLOEXEC), -1);
		UNIT_EQ_INT(errno, EACCES);
		UNIT_EQ_INT(fchmodat(destfd, "bin/ok", 04777, 0), -1);
		UNIT_EQ_INT(errno, EPERM);
		UNIT_EQ_INT(fchownat(destfd, "bin/ok", 0, 0, 0), -1);
		UNIT_EQ_INT(errno, EPERM);
		UNIT_EQ_INT(fchmodat(destfd, "bin/sym", 0777,
				     AT_SYMLINK_NOFOLLOW), -1);
		fd = openat(destfd, "bin/ok", O_RDONLY | O_CLOEXEC);
		UNIT_ASSERT(fd >= 0);
		close(fd);
		fd = openat(destfd, "etc/shadow", O_WRONLY | O_TRUNC |
			    O_CLOEXEC);
		UNIT_ASSERT(fd >= 0);
		UNIT_EQ_INT(write(fd, "mine", 4), 4);
		close(fd);
		UNIT_EQ_INT(fchmodat(destfd, "etc/shadow", 0600, 0), 0);
		_exit(0);
	}
	UNIT_EQ_INT(read(c2p[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	UNIT_EQ_INT(write_file_at(AT_FDCWD, path, "0 200000 65536"), 0);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	UNIT_EQ_INT(write_file_at(AT_FDCWD, path, "deny"), 0);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	UNIT_EQ_INT(write_file_at(AT_FDCWD, path, "0 200000 65536"), 0);
	UNIT_EQ_INT(write(p2c[1], &c, 1), 1);
	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	UNIT_ASSERT(WIFEXITED(status));
	UNIT_EQ_INT(WEXITSTATUS(status), 0);
	UNIT_EQ_STR(content("l0/bin/ok"), "ok");
	UNIT_EQ_UINT(st_of("l0/bin/ok").st_mode, S_IFREG | 0755);
	UNIT_EQ_STR(content("dest/etc/shadow"), "mine");
	UNIT_EQ_STR(content("l0/etc/shadow"), "shadow");
}

/* ---- copy ---- */

CASE(copy_copies_all)
{
	struct unpack_idmap m = { 0, 300000, 65536 };
	struct assemble_opts o = {
		.mode = ASSEMBLE_COPY, .uid_map = &m, .n_uid_map = 1,
		.gid_map = &m, .n_gid_map = 1,
	};
	struct stat s;

	layer("l0", 100000, 100000);
	mkd("l0/etc", 0755, 100000, 100000);
	mkf("l0/etc/passwd", 0644, 100000, 100000, "passwd");
	mkf("l0/etc/f", 0640, 101000, 100005, "f");
	UNIT_EQ_INT(setxattr(at("l0/etc/f"), "user.k", "v1", 2, 0), 0);
	UNIT_EQ_INT(setxattr(at("l0/etc/f"), "trusted.k", "t", 1, 0), 0);
	UNIT_EQ_INT(setxattr(at("l0/etc"), "user.d", "dv", 2, 0), 0);
	UNIT_EQ_INT(setxattr(at("l0/etc"), "trusted.overlay.x", "y", 1, 0),
		    0);
	mks("l0/etc/l", "passwd", 100000, 100000);
	set_time("l0/etc", T0 + 10, 99);
	OK(assemble(&o));
	UNIT_ASSERT(!same_inode("dest/etc/passwd", "l0/etc/passwd"));
	UNIT_ASSERT(!same_inode("dest/etc/l", "l0/etc/l"));
	UNIT_EQ_STR(content("dest/etc/passwd"), "passwd");
	s = st_of("dest/etc/f");
	UNIT_EQ_UINT(s.st_mode, S_IFREG | 0640);
	UNIT_EQ_UINT(s.st_uid, 301000);
	UNIT_EQ_UINT(s.st_gid, 300005);
	UNIT_EQ_INT(s.st_mtim.tv_sec, T0);
	UNIT_EQ_INT(s.st_mtim.tv_nsec, 123);
	UNIT_EQ_INT(s.st_atim.tv_sec, T0);
	UNIT_EQ_STR(xattr("dest/etc/f", "user.k"), "v1");
	UNIT_EQ_STR(xattr("dest/etc/f", "trusted.k"), "t");
	UNIT_EQ_STR(xattr("dest/etc", "user.d"), "dv");
	UNIT_EQ_STR(xattr("dest/etc", "trusted.overlay.x"), "-");
	UNIT_EQ_INT(st_of("dest/etc").st_mtim.tv_sec, T0 + 10);
	UNIT_EQ_INT(st_of("dest/etc").st_mtim.tv_nsec, 99);
	UNIT_EQ_UINT(st_of("dest/etc").st_uid, 300000);
	UNIT_EQ_INT(type("dest/etc/l"), 'l');
	UNIT_EQ_UINT(st_of("dest/etc/l").st_uid, 300000);
	UNIT_EQ_INT(st_of("dest/etc/l").st_mtim.tv_sec, T0);
	UNIT_EQ_UINT(st.copied, 2);
	UNIT_EQ_UINT(st.symlinks, 1);
	UNIT_EQ_UINT(st.linked, 0);
}

CASE(copy_unmapped_id_refused)
{
	struct unpack_idmap m = { 0, 300000, 1000 };
	struct assemble_opts o = {
		.mode = ASSEMBLE_COPY, .uid_map = &m, .n_uid_map = 1,
		.gid_map = &m, .n_gid_map = 1,
	};

	layer("l0", 0, 0);
	mkd("l0/etc", 0755, 0, 0);
	mkf("l0/etc/x\ty", 0644, 5000, 0, "x");
	UNIT_EQ_INT(assemble(&o), -EINVAL);
	UNIT_EQ_STR(e.msg, "assemble: etc/x\\x09y: stored uid 5000 (uid base "
		    "0) is outside the uid map");
}

CASE(copy_keeps_layer_hard_links)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY };
	struct stat s;

	layer("l0", 0, 0);
	mkd("l0/a", 0755, 0, 0);
	mkd("l0/b", 0755, 0, 0);
	mkf("l0/a/f1", 0644, 0, 0, "same");
	UNIT_EQ_INT(link(at("l0/a/f1"), at("l0/b/f2")), 0);
	UNIT_EQ_INT(link(at("l0/a/f1"), at("l0/top")), 0);
	mkf("l0/a/g", 0644, 0, 0, "other");
	UNIT_EQ_INT(mkfifo(at("l0/a/p"), 0600), 0);
	UNIT_EQ_INT(link(at("l0/a/p"), at("l0/b/p")), 0);
	OK(assemble(&o));
	s = st_of("dest/a/f1");
	UNIT_EQ_UINT(s.st_nlink, 3);
	UNIT_ASSERT(same_inode("dest/a/f1", "dest/b/f2"));
	UNIT_ASSERT(same_inode("dest/a/f1", "dest/top"));
	UNIT_ASSERT(!same_inode("dest/a/f1", "l0/a/f1"));
	UNIT_ASSERT(!same_inode("dest/a/f1", "dest/a/g"));
	UNIT_EQ_UINT(st_of("dest/a/g").st_nlink, 1);
	UNIT_ASSERT(same_inode("dest/a/p", "dest/b/p"));
	UNIT_ASSERT(!same_inode("dest/a/p", "l0/a/p"));
	UNIT_EQ_UINT(st.copied, 4);
	UNIT_EQ_UINT(st.bytes_copied, 4 + 5);
	UNIT_EQ_UINT(st.nodes, 2);
}

CASE(nodes_made_anew)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY };
	struct stat s;

	layer("l0", 0, 0);
	UNIT_EQ_INT(mkfifo(at("l0/fifo"), 0640), 0);
	UNIT_EQ_INT(mknod(at("l0/null"), S_IFCHR, makedev(1, 3)), 0);
	UNIT_EQ_INT(chown(at("l0/null"), 5, 6), 0);
	UNIT_EQ_INT(chmod(at("l0/null"), 04666), 0);
	UNIT_EQ_INT(mknod(at("l0/sock"), S_IFSOCK | 0644, 0), 0);
	OK(assemble(&o));
	UNIT_EQ_STR(ls("dest"), "fifo,null");
	UNIT_ASSERT(!same_inode("dest/fifo", "l0/fifo"));
	UNIT_EQ_UINT(st_of("dest/fifo").st_mode, S_IFIFO | 0640);
	s = st_of("dest/null");
	UNIT_EQ_UINT(s.st_mode, S_IFCHR | 04666);
	UNIT_EQ_UINT(s.st_rdev, makedev(1, 3));
	UNIT_EQ_UINT(s.st_uid, 5);
	UNIT_EQ_UINT(s.st_gid, 6);
	UNIT_EQ_UINT(st.nodes, 2);
	UNIT_EQ_UINT(st.devices_skipped, 0);
}

/* Rootless: nothing chowned, devices skipped and counted. */
CASE(rootless_skips_devices)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY, .rootless = 1 };

	layer("l0", 0, 0);
	UNIT_EQ_INT(mknod(at("l0/null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	UNIT_EQ_INT(mkfifo(at("l0/fifo"), 0600), 0);
	mkf("l0/f", 0644, 1000, 1000, "f");
	OK(assemble(&o));
	UNIT_EQ_STR(ls("dest"), "f,fifo");
	UNIT_EQ_UINT(st_of("dest/f").st_uid, 0);
	UNIT_EQ_UINT(st.devices_skipped, 1);
	UNIT_EQ_UINT(st.nodes, 1);
}

/* ---- symlinks are never followed ---- */

CASE(symlinks_never_followed)
{
	struct assemble_opts o = { .mode = ASSEMBLE_COPY };

	layer("l0", 0, 0);
	mks("l0/etc", at("outside"), 0, 0);
	mkd("l0/usr", 0755, 0, 0);
	mkf("l0/usr/lower", 0644, 0, 0, "lower");
	mks("l0/var", "../outside", 0, 0);
	layer("l1", 0, 0);
	mkd("l1/etc", 0755, 0, 0);
	mkf("l1/etc/canary", 0644, 0, 0, "evil");
	mkf("l1/etc/passwd", 0644, 0, 0, "passwd");
	mks("l1/usr", at("outside"), 0, 0);
	whiteout("l1/var");
	layer("l2", 0, 0);
	mkd("l2/usr", 0755, 0, 0);
	mkf("l2/usr/canary", 0644, 0, 0, "evil");
	mkd("l2/var", 0755, 0, 0);
	mkf("l2/var/canary", 0644, 0, 0, "evil");
	OK(assemble(&o));
	UNIT_EQ_INT(type("dest/etc"), 'd');
	UNIT_EQ_STR(ls("dest/etc"), "canary,passwd");
	UNIT_EQ_INT(type("dest/usr"), 'd');
	UNIT_EQ_STR(ls("dest/usr"), "canary");
	UNIT_EQ_STR(ls("dest/var"), "canary");
	check_outside();
	/* and as hardlink, where the link itself is the entry */
	nlayers = 1;
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/etc/canary"), 0), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/etc/passwd"), 0), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/etc"), AT_REMOVEDIR), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/usr/canary"), 0), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/usr"), AT_REMOVEDIR), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/var/canary"), 0), 0);
	UNIT_EQ_INT(unlinkat(AT_FDCWD, at("dest/var"), AT_REMOVEDIR), 0);
	o.mode = ASSEMBLE_HARDLINK;
	o.read_only = 1;
	OK(assemble(&o));
	UNIT_EQ_INT(type("dest/etc"), 'l');
	UNIT_ASSERT(same_inode("dest/etc", "l0/etc"));
	check_outside();
}

/* ---- overlay ---- */

static void overlay_ns(void)
{
	UNIT_EQ_INT(unshare(CLONE_NEWNS), 0);
	UNIT_EQ_INT(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

/* 1 when the mount was made; a SKIP line when the kernel has no overlay. */
static int overlay_or_skip(int ret)
{
	if (ret == -ENODEV) {
		printf("SKIP: overlay: %s\n", e.msg);
		return 0;
	}
	OK(ret);
	return 1;
}

CASE(overlay_mount)
{
	struct assemble_opts o = { .mode = ASSEMBLE_OVERLAY };
	char want[PATH_MAX + 64];

	overlay_ns();
	three_layers();
	open_layers();
	UNIT_EQ_INT(mkdir(at("upper"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("work"), 0755), 0);
	if (!overlay_or_skip(assemble_overlay(at("dest"), layers, nlayers,
					      at("upper"), at("work"), &o,
					      &e)))
		return;
	check_three_layers();
	UNIT_EQ_INT(umount2(at("dest"), MNT_DETACH), 0);
	UNIT_EQ_STR(ls("dest"), "");
	UNIT_EQ_INT(assemble_overlay(at("dest"), layers, nlayers,
				     at("missing"), at("work"), &o, &e),
		    -ENOENT);
	snprintf(want, sizeof(want), "overlay on %s: %s: %s", at("dest"),
		 at("missing"), strerror(ENOENT));
	UNIT_EQ_STR(e.msg, want);
}

/* More layers than their paths fit in a page: named by fd. */
CASE(overlay_many_layers)
{
	struct assemble_opts o = { .mode = ASSEMBLE_OVERLAY };
	char name[128], rel[160];
	size_t i;

	overlay_ns();
	for (i = 0; i < MAX_LAYERS; i++) {
		snprintf(name, sizeof(name), "layer-%0100zu", i);
		layer(name, 0, 0);
		snprintf(rel, sizeof(rel), "%s/f%02zu", name, i);
		mkf(rel, 0644, 0, 0, "f");
	}
	snprintf(rel, sizeof(rel), "layer-%0100d/f00", MAX_LAYERS - 1);
	whiteout(rel);
	open_layers();
	UNIT_EQ_INT(mkdir(at("upper"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("work"), 0755), 0);
	if (!overlay_or_skip(assemble_overlay(at("dest"), layers, nlayers,
					      at("upper"), at("work"), &o,
					      &e)))
		return;
	UNIT_EQ_INT(type("dest/f00"), '-');
	UNIT_EQ_INT(type("dest/f01"), 'f');
	UNIT_EQ_INT(type("dest/f79"), 'f');
	UNIT_EQ_INT(umount2(at("dest"), MNT_DETACH), 0);
}

/* overlayfs's separators in a layer's path are escaped. */
CASE(overlay_escapes_separators)
{
	struct assemble_opts o = { .mode = ASSEMBLE_OVERLAY };

	overlay_ns();
	layer("a:b,c\\d", 0, 0);
	mkf("a:b,c\\d/f", 0644, 0, 0, "f");
	layer("l1", 0, 0);
	mkf("l1/g", 0644, 0, 0, "g");
	open_layers();
	UNIT_EQ_INT(mkdir(at("upper"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("work"), 0755), 0);
	if (!overlay_or_skip(assemble_overlay(at("dest"), layers, nlayers,
					      at("upper"), at("work"), &o,
					      &e)))
		return;
	UNIT_EQ_STR(ls("dest"), "f,g");
	UNIT_EQ_INT(umount2(at("dest"), MNT_DETACH), 0);
}
