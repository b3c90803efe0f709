/*
 * unpack_test.c - unit tests of core/unpack.c: layers applied entry by
 * entry from hand-made struct tar_entry sequences into a temporary DEST,
 * beside a directory "outside" with a canary file that no hostile
 * sequence may touch.  The cases run as root (ownership, devices,
 * security.capability); rootless ones drop to nobody in a child, the
 * user-namespace one unshares.  Symlink cases also run with openat2(2)
 * made to fail with ENOSYS, as on a kernel before 5.6.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <grp.h>

#include "io.h"
#include "reader.h"
#include "sys.h"
#include "unpack.h"
#include "fs.h"
#include "unit.h"

#define T0 1500000000	/* every entry's mtime unless a case says */
#define CANARY "host data\n"

static char base[PATH_MAX];	/* the case's directory, symlinks resolved */
static int destfd = -1;		/* base/dest */
static struct unpack *u;
static struct err e;

#define OK(x)								\
	do {								\
		int r_ = (x);						\
		if (r_)							\
			unit_fail(__FILE__, __LINE__, "%s: %d: %s", #x,	\
				  r_, e.msg);				\
	} while (0)

/* base/rel; four buffers, so a few can be live at once. */
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
#define link_of(rel) fs_link(at(rel))

static void setup(void)
{
	struct timespec ts[2] = { { 1234567890, 0 }, { 1234567890, 0 } };

	if (!realpath(unit_tmpdir(), base))
		unit_fail(__FILE__, __LINE__, "realpath: %s", strerror(errno));
	umask(022);
	UNIT_EQ_INT(mkdir(at("dest"), 0755), 0);
	UNIT_EQ_INT(mkdir(at("outside"), 0755), 0);
	write_at("outside/canary", CANARY);
	UNIT_EQ_INT(utimensat(AT_FDCWD, at("outside/canary"), ts, 0), 0);
	destfd = open(at("dest"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(destfd >= 0);
}

/*
 * Nothing but dest, outside (and fx, the whole-layer cases' fixtures) in
 * base; the canary as it was.
 */
static void check_outside(void)
{
	struct stat st = st_of("outside/canary");

	if (type("fx") == 'd')
		UNIT_EQ_STR(ls(""), "dest,fx,outside");
	else
		UNIT_EQ_STR(ls(""), "dest,outside");
	UNIT_EQ_STR(ls("outside"), "canary");
	UNIT_EQ_STR(content("outside/canary"), CANARY);
	UNIT_EQ_UINT(st.st_mode, S_IFREG | 0644);
	UNIT_EQ_UINT(st.st_nlink, 1);
	UNIT_EQ_UINT(st.st_uid, 0);
	UNIT_EQ_INT(st.st_mtim.tv_sec, 1234567890);
	UNIT_EQ_UINT(st_of("outside").st_mode, S_IFDIR | 0755);
}

static void begin(const struct unpack_opts *o)
{
	static const struct unpack_opts none;

	u = unpack_begin(destfd, o ? o : &none, &e);
	if (!u)
		unit_fail(__FILE__, __LINE__, "unpack_begin: %s", e.msg);
}

static void end(void)
{
	int ret = unpack_end(u, &e);

	u = NULL;
	if (ret)
		unit_fail(__FILE__, __LINE__, "unpack_end: %d: %s", ret,
			  e.msg);
}

static struct tar_entry mk(enum tar_type type, const char *path,
			   const char *link, mode_t mode)
{
	struct tar_entry t = {
		.path = (char *)path, .link = (char *)link, .type = type,
		.mode = mode, .uname = "", .gname = "",
		.mtime = { T0, 0 },
	};

	return t;
}

static int put(struct tar_entry *t, const char *data)
{
	struct reader *r = NULL;
	int ret;

	if (data) {
		t->size = strlen(data);
		r = reader_mem(data, t->size);
		UNIT_NOT_NULL(r);
	}
	ret = unpack_entry(u, t, r, &e);
	reader_close(r);
	return ret;
}

static int file(const char *path, mode_t mode, const char *data)
{
	struct tar_entry t = mk(TAR_REG, path, NULL, mode);

	return put(&t, data);
}

static int dir(const char *path, mode_t mode)
{
	struct tar_entry t = mk(TAR_DIR, path, NULL, mode);

	return put(&t, NULL);
}

static int sym(const char *path, const char *target)
{
	struct tar_entry t = mk(TAR_SYMLINK, path, target, 0777);

	return put(&t, NULL);
}

static int hard(const char *path, const char *target)
{
	struct tar_entry t = mk(TAR_HARDLINK, path, target, 0644);

	return put(&t, NULL);
}

static int node(enum tar_type type, const char *path, mode_t mode,
		unsigned maj, unsigned min)
{
	struct tar_entry t = mk(type, path, NULL, mode);

	t.devmajor = maj;
	t.devminor = min;
	return put(&t, NULL);
}

/* As path_test.c: openat2 fails with ENOSYS for the rest of the case. */
struct filter_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct filter_prog {
	unsigned short len;
	struct filter_insn *insns;
};

static void no_openat2(void)
{
	struct filter_insn insns[] = {
		{ 0x20, 0, 0, 0 },			/* ld [nr] */
		{ 0x15, 0, 1, SYS_openat2 },		/* jeq openat2 */
		{ 0x06, 0, 0, 0x00050000 | ENOSYS },	/* ret ERRNO */
		{ 0x06, 0, 0, 0x7fff0000 },		/* ret ALLOW */
	};
	struct filter_prog prog = { 4, insns };
	struct sys_open_how how = { .flags = O_PATH | O_CLOEXEC };

	UNIT_EQ_INT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	UNIT_EQ_INT(prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog),
		    0);
	UNIT_EQ_INT(sys_openat2(destfd, ".", &how), -ENOSYS);
}

/* A case run as it is and with the component walk doing everything. */
#define BOTH_CASE(name)							\
	static void scenario_##name(void);				\
	UNIT_CASE(name)							\
	{								\
		setup();						\
		scenario_##name();					\
	}								\
	UNIT_CASE(name##_walk)						\
	{								\
		setup();						\
		no_openat2();						\
		scenario_##name();					\
	}								\
	static void scenario_##name(void)

#define CASE(name)							\
	static void scenario_##name(void);				\
	UNIT_CASE(name)							\
	{								\
		setup();						\
		scenario_##name();					\
	}								\
	static void scenario_##name(void)

/* ---- semantics ---- */

CASE(file_data_owner_mode_mtime)
{
	struct tar_entry t = mk(TAR_REG, "./etc/conf", NULL, 0640);
	struct stat st;

	t.uid = 1000;
	t.gid = 2000;
	t.mtime.tv_nsec = 5000;
	begin(NULL);
	OK(put(&t, "hello\n"));
	OK(file("/etc/wide", 0666, "w"));	/* more than the umask lets */
	OK(file("etc/empty", 0600, NULL));
	end();
	UNIT_EQ_UINT(umask(022), 022);		/* the caller's, back */
	UNIT_EQ_STR(content("dest/etc/conf"), "hello\n");
	st = st_of("dest/etc/conf");
	UNIT_EQ_UINT(st.st_mode, S_IFREG | 0640);
	UNIT_EQ_UINT(st.st_uid, 1000);
	UNIT_EQ_UINT(st.st_gid, 2000);
	UNIT_EQ_INT(st.st_mtim.tv_sec, T0);
	UNIT_EQ_INT(st.st_mtim.tv_nsec, 5000);
	UNIT_EQ_UINT(st_of("dest/etc/wide").st_mode, S_IFREG | 0666);
	UNIT_EQ_UINT(st_of("dest/etc/empty").st_size, 0);
	/* The missing parent was made, as GNU tar makes it. */
	UNIT_EQ_UINT(st_of("dest/etc").st_mode, S_IFDIR | 0755);
	check_outside();
}

/* A big file goes through in several reads and writes, all of it. */
CASE(file_large)
{
	size_t n = (1 << 20) + 12345, i;
	char *data = malloc(n + 1), *back;
	struct stat st;
	int fd;

	UNIT_NOT_NULL(data);
	for (i = 0; i < n; i++)
		data[i] = 'a' + i % 23;
	data[n] = 0;
	begin(NULL);
	OK(file("big", 0644, data));
	UNIT_EQ_UINT(unpack_stats(u)->bytes, n);
	end();
	st = st_of("dest/big");
	UNIT_EQ_UINT(st.st_size, n);
	back = malloc(n);
	fd = open(at("dest/big"), O_RDONLY | O_CLOEXEC);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(read(fd, back, n), n);
	UNIT_ASSERT(!memcmp(back, data, n));
	close(fd);
	free(back);
	free(data);
}

CASE(dir_merged_with_existing)
{
	struct tar_entry t = mk(TAR_DIR, "etc/", NULL, 0710);
	struct stat st;

	UNIT_EQ_INT(mkdir(at("dest/etc"), 0755), 0);
	write_at("dest/etc/keep", "lower");
	t.uid = 5;
	t.gid = 6;
	begin(NULL);
	OK(put(&t, NULL));
	end();
	UNIT_EQ_STR(content("dest/etc/keep"), "lower");
	st = st_of("dest/etc");
	UNIT_EQ_UINT(st.st_mode, S_IFDIR | 0710);
	UNIT_EQ_UINT(st.st_uid, 5);
	UNIT_EQ_UINT(st.st_gid, 6);
}

/* Children added after a directory's entry leave its mtime as given. */
CASE(dir_mtimes_last)
{
	struct tar_entry d = mk(TAR_DIR, "d/", NULL, 0755);
	struct tar_entry sub = mk(TAR_DIR, "d/sub/", NULL, 0555);
	struct tar_entry root = mk(TAR_DIR, "./", NULL, 0751);

	d.mtime.tv_sec = 1000000000;
	sub.mtime.tv_sec = 1100000000;
	root.mtime.tv_sec = 1200000000;
	begin(NULL);
	OK(put(&root, NULL));
	OK(put(&d, NULL));
	OK(put(&sub, NULL));
	OK(file("d/sub/x", 0644, "x"));
	OK(file("d/y", 0644, "y"));
	OK(file("z", 0644, "z"));
	end();
	UNIT_EQ_INT(st_of("dest/d").st_mtim.tv_sec, 1000000000);
	UNIT_EQ_INT(st_of("dest/d/sub").st_mtim.tv_sec, 1100000000);
	UNIT_EQ_UINT(st_of("dest/d/sub").st_mode, S_IFDIR | 0555);
	UNIT_EQ_INT(st_of("dest").st_mtim.tv_sec, 1200000000);
	UNIT_EQ_UINT(st_of("dest").st_mode, S_IFDIR | 0751);
}

CASE(hardlink_and_symlink)
{
	struct stat a, b, l;

	begin(NULL);
	OK(file("bin/a", 0755, "prog"));
	OK(hard("bin/b", "./bin/a"));
	OK(hard("c", "/bin/a"));		/* '/' stripped */
	OK(sym("bin/sh", "/etc/../bin/busybox"));
	OK(sym("bin/rel", "../x"));
	end();
	a = st_of("dest/bin/a");
	b = st_of("dest/bin/b");
	UNIT_EQ_UINT(a.st_ino, b.st_ino);
	UNIT_EQ_UINT(a.st_ino, st_of("dest/c").st_ino);
	UNIT_EQ_UINT(a.st_nlink, 3);
	/* Stored as given, never resolved. */
	UNIT_EQ_STR(link_of("dest/bin/sh"), "/etc/../bin/busybox");
	UNIT_EQ_STR(link_of("dest/bin/rel"), "../x");
	l = st_of("dest/bin/sh");
	UNIT_EQ_INT(l.st_mtim.tv_sec, T0);
	check_outside();
}

CASE(symlink_owner_mtime_xattr)
{
	struct tar_xattr x = { "trusted.label", (unsigned char *)"L", 1 };
	struct tar_entry t = mk(TAR_SYMLINK, "l", "target", 0777);
	char back[8];
	struct stat st;

	t.uid = 7;
	t.gid = 8;
	t.mtime.tv_sec = 1111111111;
	t.xattrs = &x;
	t.n_xattrs = 1;
	begin(NULL);
	OK(put(&t, NULL));
	end();
	UNIT_EQ_INT(lgetxattr(at("dest/l"), "trusted.label", back,
			      sizeof(back)), 1);
	UNIT_EQ_INT(back[0], 'L');
	st = st_of("dest/l");
	UNIT_EQ_UINT(st.st_uid, 7);
	UNIT_EQ_UINT(st.st_gid, 8);
	UNIT_EQ_INT(st.st_mtim.tv_sec, 1111111111);
}

CASE(devices_and_fifo_as_root)
{
	struct stat st;

	begin(NULL);
	OK(node(TAR_CHR, "dev/null", 0666, 1, 3));
	OK(node(TAR_BLK, "dev/loop9", 0660, 7, 9));
	OK(node(TAR_FIFO, "run/fifo", 0620, 0, 0));
	UNIT_EQ_UINT(unpack_stats(u)->devices_skipped, 0);
	end();
	st = st_of("dest/dev/null");
	UNIT_EQ_UINT(st.st_mode, S_IFCHR | 0666);
	UNIT_EQ_UINT(st.st_rdev, makedev(1, 3));
	st = st_of("dest/dev/loop9");
	UNIT_EQ_UINT(st.st_mode, S_IFBLK | 0660);
	UNIT_EQ_UINT(st.st_rdev, makedev(7, 9));
	UNIT_EQ_UINT(st_of("dest/run/fifo").st_mode, S_IFIFO | 0620);
}

/* security.capability survives: data, chown, xattrs, chmod, in order. */
CASE(xattrs_capability_after_chown)
{
	/* vfs_cap_data revision 2, effective, permitted CAP_NET_RAW. */
	static unsigned char cap[20] = { 0x01, 0, 0, 0x02, 0, 0x20 };
	struct tar_xattr x[2] = {
		{ "security.capability", cap, sizeof(cap) },
		{ "user.note", (unsigned char *)"hi", 2 },
	};
	struct tar_entry t = mk(TAR_REG, "usr/bin/ping", NULL, 04755);
	unsigned char back[64];
	struct stat st;

	t.uid = 1000;
	t.gid = 1000;
	t.xattrs = x;
	t.n_xattrs = 2;
	begin(NULL);
	OK(put(&t, "ELF..."));
	end();
	st = st_of("dest/usr/bin/ping");
	UNIT_EQ_UINT(st.st_uid, 1000);
	UNIT_EQ_UINT(st.st_mode, S_IFREG | 04755);
	UNIT_EQ_INT(getxattr(at("dest/usr/bin/ping"), "security.capability",
			     back, sizeof(back)), sizeof(cap));
	UNIT_ASSERT(!memcmp(back, cap, sizeof(cap)));
	UNIT_EQ_INT(getxattr(at("dest/usr/bin/ping"), "user.note", back,
			     sizeof(back)), 2);
	UNIT_ASSERT(!memcmp(back, "hi", 2));
}

CASE(setuid_setgid_kept_after_chown)
{
	struct tar_entry a = mk(TAR_REG, "su", NULL, 04755);
	struct tar_entry b = mk(TAR_REG, "sg", NULL, 02711);
	struct tar_entry d = mk(TAR_DIR, "shared/", NULL, 02775);

	a.uid = b.uid = d.uid = 1000;
	a.gid = b.gid = d.gid = 50;
	begin(NULL);
	OK(put(&a, "x"));
	OK(put(&b, "y"));
	OK(put(&d, NULL));
	end();
	UNIT_EQ_UINT(st_of("dest/su").st_mode, S_IFREG | 04755);
	UNIT_EQ_UINT(st_of("dest/sg").st_mode, S_IFREG | 02711);
	UNIT_EQ_UINT(st_of("dest/shared").st_mode, S_IFDIR | 02775);
	UNIT_EQ_UINT(st_of("dest/su").st_uid, 1000);
}

/* A file in a setgid directory is still chowned to the group it names. */
CASE(setgid_parent_group)
{
	struct tar_entry d = mk(TAR_DIR, "g/", NULL, 02775);
	struct tar_entry f = mk(TAR_REG, "g/f", NULL, 0644);

	d.gid = 50;
	begin(NULL);
	OK(put(&d, NULL));
	OK(put(&f, "root's"));
	end();
	UNIT_EQ_UINT(st_of("dest/g/f").st_gid, 0);
}

CASE(id_maps_shift_owners)
{
	struct unpack_idmap m[2];
	struct unpack_opts o = { 0 };
	struct tar_entry f = mk(TAR_REG, "etc/f", NULL, 0644);
	struct tar_entry l = mk(TAR_SYMLINK, "etc/l", "f", 0777);
	struct tar_entry d = mk(TAR_DIR, "home/", NULL, 0755);
	size_t n = 0;

	OK(unpack_idmap_parse("0:100000:65536", "--uid-map", m, 2, &n, &e));
	UNIT_EQ_INT(unpack_idmap_parse("70000:200000:10,80000:300000:10",
				       "--uid-map", m, 2, &n, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "--uid-map: at most 2 ranges");
	UNIT_EQ_INT(n, 2);
	o.uid_map = m;
	o.n_uid_map = 1;
	o.gid_map = m;
	o.n_gid_map = 1;
	f.uid = 1000;
	f.gid = 2;
	l.uid = 0;
	l.gid = 0;
	d.uid = 65535;
	begin(&o);
	OK(put(&f, "x"));
	OK(put(&l, NULL));
	OK(put(&d, NULL));
	f.path = "etc/shadow";
	f.uid = 70000;
	UNIT_EQ_INT(put(&f, "x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: etc/shadow (entry 4): uid 70000 is "
		    "outside the uid map");
	f.uid = 0;
	f.gid = 65536;
	UNIT_EQ_INT(put(&f, "x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: etc/shadow (entry 5): gid 65536 is "
		    "outside the gid map");
	end();
	UNIT_EQ_UINT(st_of("dest/etc/f").st_uid, 101000);
	UNIT_EQ_UINT(st_of("dest/etc/f").st_gid, 100002);
	UNIT_EQ_UINT(st_of("dest/etc/l").st_uid, 100000);
	UNIT_EQ_UINT(st_of("dest/home").st_uid, 165535);
}

CASE(idmap_parse_errors)
{
	struct unpack_idmap m[4];
	size_t n = 0;

	OK(unpack_idmap_parse("0:1000:1,1:100000:65535", "--uid-map", m, 4,
			      &n, &e));
	UNIT_EQ_INT(n, 2);
	UNIT_EQ_UINT(m[1].inside, 1);
	UNIT_EQ_UINT(m[1].outside, 100000);
	UNIT_EQ_UINT(m[1].count, 65535);
	UNIT_EQ_INT(unpack_idmap_parse("5:1:1", "--uid-map", m, 4, &n, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "--uid-map: \"5:1:1\": ranges overlap");
	UNIT_EQ_INT(unpack_idmap_parse("0:1", "--uid-map", m, 4, &n, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "--uid-map: \"0:1\": expected INSIDE:OUTSIDE:COUNT"
		    "[,...]");
	UNIT_EQ_INT(unpack_idmap_parse("1:2:3x", "--uid-map", m, 4, &n, &e),
		    -EINVAL);
	UNIT_EQ_INT(unpack_idmap_parse("-1:2:3", "--uid-map", m, 4, &n, &e),
		    -EINVAL);
	UNIT_EQ_INT(unpack_idmap_parse("9:2:0", "--uid-map", m, 4, &n, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "--uid-map: \"9:2:0\": a range of 1 to 2^32 ids");
	UNIT_EQ_INT(unpack_idmap_parse("70000:4294967295:2", "--uid-map", m,
				       4, &n, &e), -EINVAL);
	UNIT_EQ_INT(n, 2);
}

CASE(rootless_excludes_maps)
{
	struct unpack_idmap m = { 0, 1000, 1 };
	struct unpack_opts o = { .rootless = 1, .uid_map = &m,
				 .n_uid_map = 1 };

	UNIT_NULL(unpack_begin(destfd, &o, &e));
	UNIT_EQ_STR(e.msg, "unpack: rootless and id maps exclude each other");
}

/*
 * Rootless for real, as nobody: nothing chowned, devices skipped and
 * named, a 0555 directory (this layer's, then a lower one) still filled,
 * its mode back at the end.
 */
CASE(rootless_as_nobody)
{
	struct tar_xattr x = { "trusted.k", (unsigned char *)"v", 1 };
	struct unpack_opts o = { .rootless = 1 };
	struct tar_entry f;
	int status;
	pid_t pid;

	UNIT_EQ_INT(fchown(destfd, 65534, 65534), 0);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		u = unpack_begin(destfd, &o, &e);
		if (!u)
			_exit(11);
		f = mk(TAR_REG, "ro/f", NULL, 0644);
		f.uid = 1000;
		f.xattrs = &x;
		f.n_xattrs = 1;
		if (dir("ro/", 0555) || put(&f, "f") ||
		    dir("ro/sub/", 0500) || file("ro/sub/g", 0400, "g") ||
		    node(TAR_CHR, "dev/null", 0666, 1, 3) ||
		    node(TAR_BLK, "dev/sda", 0660, 8, 0) ||
		    node(TAR_CHR, "dev/tty\x1b", 0666, 5, 0) ||
		    node(TAR_FIFO, "dev/fifo", 0600, 0, 0))
			_exit(12);
		if (unpack_stats(u)->devices_skipped != 3 ||
		    strcmp(unpack_stats(u)->skipped[0], "dev/null") ||
		    strcmp(unpack_stats(u)->skipped[1], "dev/sda") ||
		    strcmp(unpack_stats(u)->skipped[2], "dev/tty\\x1b") ||
		    unpack_stats(u)->skipped[3][0] ||
		    unpack_stats(u)->xattrs_skipped != 1)
			_exit(13);
		if (unpack_end(u, &e))
			_exit(14);
		/* A second layer into the 0555 directories it left. */
		u = unpack_begin(destfd, &o, &e);
		if (!u || file("ro/h", 0644, "h") ||
		    file("ro/sub/.wh.g", 0644, NULL) ||
		    file("ro/.wh.sub", 0644, NULL) || unpack_end(u, &e))
			_exit(15);
		_exit(0);
	}
	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		unit_fail(__FILE__, __LINE__, "child: status %#x", status);
	UNIT_EQ_STR(ls("dest"), "dev,ro");
	UNIT_EQ_STR(ls("dest/dev"), "fifo");
	UNIT_EQ_STR(ls("dest/ro"), "f,h");
	UNIT_EQ_UINT(st_of("dest/ro").st_mode, S_IFDIR | 0555);
	UNIT_EQ_UINT(st_of("dest/ro/f").st_uid, 65534);
	UNIT_EQ_UINT(st_of("dest/ro/h").st_uid, 65534);
	UNIT_EQ_UINT(st_of("dest/dev/fifo").st_mode, S_IFIFO | 0600);
}

/* In a user namespace devices are skipped (mknod would fail), fifos made. */
CASE(devices_skipped_in_userns)
{
	int status;
	pid_t pid;

	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid) {
		if (unshare(CLONE_NEWUSER) ||
		    write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny") ||
		    write_file_at(AT_FDCWD, "/proc/self/uid_map", "0 0 1") ||
		    write_file_at(AT_FDCWD, "/proc/self/gid_map", "0 0 1"))
			_exit(10);
		if (!unpack_in_userns())
			_exit(11);
		begin(NULL);
		if (node(TAR_CHR, "dev/null", 0666, 1, 3) ||
		    node(TAR_FIFO, "dev/fifo", 0600, 0, 0) ||
		    file("dev/f", 0644, "f"))
			_exit(12);
		if (unpack_stats(u)->devices_skipped != 1 ||
		    strcmp(unpack_stats(u)->skipped[0], "dev/null") ||
		    unpack_end(u, &e))
			_exit(13);
		_exit(0);
	}
	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		unit_fail(__FILE__, __LINE__, "child: status %#x", status);
	UNIT_EQ_INT(unpack_in_userns(), 0);
	UNIT_EQ_STR(ls("dest/dev"), "f,fifo");
}

static int calls;
static uint64_t last_entries;

static void count_progress(void *arg, const struct unpack_stats *st)
{
	UNIT_ASSERT(arg == &calls);
	calls++;
	last_entries = st->entries;
}

/* n zero bytes, none of them in memory at once. */
struct zero_reader {
	struct reader r;
	uint64_t left;
};

static ssize_t zero_read(struct reader *r, void *buf, size_t len,
			 struct err *err)
{
	struct zero_reader *z = (struct zero_reader *)r;

	if (len > z->left)
		len = z->left;
	memset(buf, 0, len);
	z->left -= len;
	return len;
}

/* Root without CAP_MKNOD skips devices as rootless does. */
CASE(devices_skipped_without_cap_mknod)
{
	uint64_t eff, perm, inh;

	UNIT_EQ_INT(sys_capget(&eff, &perm, &inh), 0);
	UNIT_EQ_INT(sys_capset(eff & ~(1ULL << 27 /* CAP_MKNOD */), perm,
			       inh), 0);
	write_at("dest/zero", "lower");
	begin(NULL);
	OK(node(TAR_CHR, "dev/null", 0666, 1, 3));
	OK(node(TAR_CHR, "zero", 0666, 1, 5));
	OK(node(TAR_FIFO, "fifo", 0600, 0, 0));
	UNIT_EQ_UINT(unpack_stats(u)->devices_skipped, 2);
	UNIT_EQ_STR(unpack_stats(u)->skipped[1], "zero");
	end();
	UNIT_EQ_STR(ls("dest"), "dev,fifo");
	UNIT_EQ_STR(ls("dest/dev"), "");
}

CASE(stats_and_progress)
{
	struct zero_reader z = { { zero_read, NULL }, 17 << 20 };
	struct tar_entry big = mk(TAR_REG, "big", NULL, 0644);
	struct unpack_opts o = { 0 };

	o.progress = count_progress;
	o.progress_arg = &calls;
	o.sync = 1;
	begin(&o);
	OK(dir("a", 0755));
	OK(file("a/x", 0644, "12345"));
	OK(file("a/.wh.gone", 0644, NULL));
	OK(sym("a/l", "x"));
	UNIT_EQ_UINT(unpack_stats(u)->entries, 4);
	UNIT_EQ_UINT(unpack_stats(u)->bytes, 5);
	UNIT_EQ_UINT(unpack_stats(u)->whiteouts, 1);
	UNIT_EQ_INT(calls, 4);
	/* Within an entry too, every 8 MiB. */
	big.size = z.left;
	OK(unpack_entry(u, &big, &z.r, &e));
	UNIT_EQ_INT(calls, 7);
	UNIT_EQ_UINT(last_entries, 5);
	UNIT_EQ_UINT(unpack_stats(u)->bytes, 5 + (17 << 20));
	end();
	UNIT_EQ_UINT(st_of("dest/big").st_size, 17 << 20);
}

/* ---- whiteouts ---- */

static void lower_layer(void)
{
	begin(NULL);
	OK(dir("a/", 0755));
	OK(file("a/x", 0644, "x"));
	OK(file("a/y", 0644, "y"));
	OK(dir("a/b/", 0755));
	OK(dir("a/b/c/", 0755));
	OK(file("a/b/c/bar", 0644, "bar"));
	OK(sym("a/l", "/outside"));
	end();
}

CASE(whiteout_removes_lower)
{
	lower_layer();
	begin(NULL);
	OK(file("a/.wh.x", 0644, NULL));
	OK(file("./a/.wh.b", 0644, NULL));	/* a whole tree */
	OK(file("a/.wh.l", 0644, NULL));
	OK(file("a/.wh.nothing", 0644, NULL));
	OK(file("gone/.wh.x", 0644, NULL));	/* no parent: nothing */
	end();
	UNIT_EQ_STR(ls("dest"), "a");
	UNIT_EQ_STR(ls("dest/a"), "y");
	check_outside();
}

/* A whiteout leaves what its own layer made there, before or after it. */
CASE(whiteout_keeps_same_layer)
{
	lower_layer();
	begin(NULL);
	OK(file("a/new", 0644, "new"));
	OK(file("a/.wh.new", 0644, NULL));
	OK(file("a/.wh.later", 0644, NULL));
	OK(file("a/later", 0644, "later"));
	OK(file("a/x", 0644, "x2"));	/* replaced, then whited out */
	OK(file("a/.wh.x", 0644, NULL));
	end();
	UNIT_EQ_STR(ls("dest/a"), "b,l,later,new,x,y");
	UNIT_EQ_STR(content("dest/a/x"), "x2");
}

/*
 * A whiteout of a lower directory this layer also wrote into: the lower
 * content goes, this layer's stays.
 */
CASE(whiteout_dir_keeps_this_layers_children)
{
	lower_layer();
	begin(NULL);
	OK(file("a/b/c/foo", 0644, "foo"));
	OK(file("a/.wh.b", 0644, NULL));
	end();
	UNIT_EQ_STR(ls("dest/a/b"), "c");
	UNIT_EQ_STR(ls("dest/a/b/c"), "foo");
}

/* layer.md's example, the marker first. */
CASE(opaque_first)
{
	lower_layer();
	begin(NULL);
	OK(dir("a/", 0755));
	OK(file("a/.wh..wh..opq", 0644, NULL));
	OK(dir("a/b/", 0755));
	OK(dir("a/b/c/", 0755));
	OK(file("a/b/c/foo", 0644, "foo"));
	end();
	UNIT_EQ_STR(ls("dest/a"), "b");
	UNIT_EQ_STR(ls("dest/a/b/c"), "foo");
}

/* The same layer with the marker last: it still applies first. */
CASE(opaque_after_children)
{
	lower_layer();
	begin(NULL);
	OK(dir("a/", 0755));
	OK(dir("a/b/", 0755));
	OK(dir("a/b/c/", 0755));
	OK(file("a/b/c/foo", 0644, "foo"));
	OK(file("a/.wh..wh..opq", 0644, NULL));
	end();
	UNIT_EQ_STR(ls("dest/a"), "b");
	UNIT_EQ_STR(ls("dest/a/b/c"), "foo");
}

CASE(opaque_root_and_aufs_metadata)
{
	lower_layer();
	write_at("dest/top", "t");
	begin(NULL);
	OK(file("keep", 0644, "k"));
	OK(file(".wh..wh..opq", 0644, NULL));
	OK(file(".wh..wh.plnk", 0644, NULL));	/* AUFS' own: ignored */
	UNIT_EQ_UINT(unpack_stats(u)->whiteouts, 1);
	end();
	UNIT_EQ_STR(ls("dest"), "keep");
	check_outside();
}

CASE(whiteout_names_refused)
{
	begin(NULL);
	UNIT_EQ_INT(file("a/.wh.", 0644, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: a/.wh. (entry 1): whiteout names nothing");
	UNIT_EQ_INT(file(".wh..", 0644, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: .wh.. (entry 2): whiteout of \".\"");
	UNIT_EQ_INT(file("x/.wh...", 0644, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: x/.wh... (entry 3): whiteout of \"..\"");
	UNIT_EQ_INT(file("a/.wh.b/c", 0644, "c"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: a/.wh.b/c (entry 4): whiteout .wh.b as a "
		    "directory");
	UNIT_EQ_INT(dir("a/.wh..wh..opq/d/", 0755), -EINVAL);
	unpack_free(u);
	UNIT_EQ_STR(ls("dest"), "");
}

/* Whiteouts in a directory whose parts are symlinks stay in DEST. */
BOTH_CASE(whiteout_through_symlink_confined)
{
	char abs[PATH_MAX + 16];

	snprintf(abs, sizeof(abs), "%s/outside", base);
	begin(NULL);
	OK(sym("abs", abs));
	OK(sym("rel", "../outside"));
	OK(sym("l", abs));
	end();
	begin(NULL);
	OK(file("abs/.wh.canary", 0644, NULL));
	OK(file("rel/.wh.canary", 0644, NULL));
	OK(file("abs/.wh..wh..opq", 0644, NULL));
	OK(file("rel/.wh..wh..opq", 0644, NULL));
	OK(file(".wh.l", 0644, NULL));	/* the link, not its target */
	end();
	UNIT_EQ_STR(ls("dest"), "abs,rel");
	check_outside();
}

/* A whiteout never removes across a mount point inside DEST. */
CASE(whiteout_stops_at_mount_point)
{
	char want[128];

	UNIT_EQ_INT(unshare(CLONE_NEWNS), 0);
	UNIT_EQ_INT(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	UNIT_EQ_INT(mkdir(at("dest/m"), 0755), 0);
	UNIT_EQ_INT(mount("tmpfs", at("dest/m"), "tmpfs", 0, NULL), 0);
	write_at("dest/m/mounted", "m");
	begin(NULL);
	UNIT_EQ_INT(file(".wh.m", 0644, NULL), -EBUSY);
	snprintf(want, sizeof(want), "unpack: .wh.m (entry 1): remove m: %s",
		 strerror(EBUSY));
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(file(".wh..wh..opq", 0644, NULL), -EBUSY);
	unpack_free(u);
	UNIT_EQ_STR(content("dest/m/mounted"), "m");
	UNIT_EQ_INT(umount(at("dest/m")), 0);
}

/* ---- hostile sequences ---- */

CASE(dotdot_refused)
{
	begin(NULL);
	UNIT_EQ_INT(file("../outside/canary", 0644, "evil"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: ../outside/canary (entry 1): path has a "
		    "\"..\" component");
	UNIT_EQ_INT(file("a/../../outside/canary", 0644, "evil"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: a/../../outside/canary (entry 2): path "
		    "has a \"..\" component");
	UNIT_EQ_INT(dir("/..", 0755), -EINVAL);
	UNIT_EQ_INT(sym("x/..", "/"), -EINVAL);
	unpack_free(u);
	UNIT_EQ_STR(ls("dest"), "");
	check_outside();
}

CASE(absolute_names_stripped)
{
	begin(NULL);
	OK(file("/abs/file", 0644, "a"));
	OK(file("//abs//./two", 0644, "b"));
	end();
	UNIT_EQ_STR(ls("dest/abs"), "file,two");
	check_outside();
}

/* Entry 1 a symlink out, entry 2 a file through it: kept in DEST. */
BOTH_CASE(symlink_parent_confined)
{
	char abs[PATH_MAX + 16], in[PATH_MAX + 32];

	snprintf(abs, sizeof(abs), "%s/outside", base);
	begin(NULL);
	OK(sym("a", abs));
	OK(file("a/canary", 0644, "evil"));
	OK(file("a/passwd", 0644, "evil"));
	OK(sym("b", "../../../outside"));
	OK(file("b/canary", 0644, "evil"));
	end();
	check_outside();
	snprintf(in, sizeof(in), "dest%s/canary", abs);
	UNIT_EQ_STR(content(in), "evil");
	UNIT_EQ_STR(content("dest/outside/canary"), "evil");
}

/* The same planted by a lower layer: the next layer cannot use it. */
BOTH_CASE(symlink_from_lower_layer_confined)
{
	begin(NULL);
	OK(sym("etc", "../outside"));
	end();
	begin(NULL);
	OK(file("etc/canary", 0644, "evil"));
	OK(dir("etc/sub/", 0700));
	end();
	check_outside();
	UNIT_EQ_STR(ls("dest/outside"), "canary,sub");
	UNIT_EQ_STR(link_of("dest/etc"), "../outside");
}

/* The parent cache never outlives a directory replaced by a symlink. */
BOTH_CASE(cached_parent_replaced_by_symlink)
{
	begin(NULL);
	OK(dir("a/", 0755));
	OK(file("a/x", 0644, "x"));
	OK(sym("a", "../outside"));
	OK(file("a/canary", 0644, "evil"));
	end();
	check_outside();
	UNIT_EQ_STR(link_of("dest/a"), "../outside");
	UNIT_EQ_STR(content("dest/outside/canary"), "evil");
}

/* The last component is replaced, never written or chmod'ed through. */
CASE(last_component_never_followed)
{
	char abs[PATH_MAX + 32];

	snprintf(abs, sizeof(abs), "%s/outside/canary", base);
	UNIT_EQ_INT(symlink(abs, at("dest/f")), 0);
	snprintf(abs, sizeof(abs), "%s/outside", base);
	UNIT_EQ_INT(symlink(abs, at("dest/d")), 0);
	UNIT_EQ_INT(symlink(abs, at("dest/s")), 0);
	UNIT_EQ_INT(symlink(abs, at("dest/n")), 0);
	UNIT_EQ_INT(link(at("outside/canary"), at("dest/h")), 0);
	begin(NULL);
	OK(file("f", 0600, "evil"));
	OK(dir("d/", 0700));
	OK(sym("s", "elsewhere"));
	OK(node(TAR_FIFO, "n", 0600, 0, 0));
	OK(file("h", 0600, "evil"));
	end();
	UNIT_EQ_INT(type("dest/f"), 'f');
	UNIT_EQ_STR(content("dest/f"), "evil");
	UNIT_EQ_INT(type("dest/d"), 'd');
	UNIT_EQ_STR(link_of("dest/s"), "elsewhere");
	UNIT_EQ_INT(type("dest/n"), 'p');
	UNIT_EQ_STR(content("dest/h"), "evil");
	check_outside();
}

/*
 * An entry over what a lower layer had replaces it: a non-directory a
 * whole tree, a directory a file, a hard link a file.
 */
CASE(entries_replace_lower_ones)
{
	lower_layer();
	write_at("dest/f", "lower f");
	write_at("dest/g", "lower g");
	begin(NULL);
	OK(file("a/b", 0644, "now a file"));
	OK(sym("a", "elsewhere"));
	OK(dir("f/", 0700));
	OK(hard("g", "a"));
	end();
	UNIT_EQ_STR(ls("dest"), "a,f,g");
	UNIT_EQ_STR(link_of("dest/a"), "elsewhere");
	UNIT_EQ_UINT(st_of("dest/f").st_mode, S_IFDIR | 0700);
	UNIT_EQ_UINT(st_of("dest/g").st_ino, st_of("dest/a").st_ino);
	UNIT_EQ_INT(type("dest/g"), 'l');
}

CASE(hardlink_escape_refused)
{
	begin(NULL);
	UNIT_EQ_INT(hard("x", "../outside/canary"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: x (entry 1): hard link target "
		    "../outside/canary has a \"..\" component");
	UNIT_EQ_INT(hard("y", "./"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: y (entry 2): hard link to the root");
	UNIT_EQ_INT(hard("z", "/z"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: z (entry 3): hard link to itself");
	UNIT_EQ_INT(hard("w", "nothing"), -ENOENT);
	UNIT_EQ_STR(e.msg, "unpack: w (entry 4): hard link to nothing: No such "
		    "file or directory");
	unpack_free(u);
	check_outside();
}

/* Hard link targets are resolved in DEST: a symlink there is confined. */
BOTH_CASE(hardlink_through_symlink_confined)
{
	char abs[PATH_MAX + 32];

	snprintf(abs, sizeof(abs), "%s/outside", base);
	begin(NULL);
	OK(sym("s", abs));
	UNIT_EQ_INT(hard("x", "s/canary"), -ENOENT);
	UNIT_EQ_STR(e.msg, "unpack: x (entry 2): hard link to s/canary: No "
		    "such file or directory");
	unpack_free(u);
	snprintf(abs, sizeof(abs), "%s/outside/canary", base);
	begin(NULL);
	OK(sym("t", abs));
	OK(hard("y", "t"));	/* the symlink itself, not the canary */
	end();
	UNIT_EQ_INT(type("dest/y"), 'l');
	UNIT_EQ_UINT(st_of("dest/y").st_ino, st_of("dest/t").st_ino);
	check_outside();
}

CASE(root_stays_a_directory)
{
	begin(NULL);
	UNIT_EQ_INT(file(".", 0644, "x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: . (entry 1): the root must stay a "
		    "directory");
	UNIT_EQ_INT(sym("./", "/"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: ./ (entry 2): the root must stay a "
		    "directory");
	UNIT_EQ_INT(hard("/", "a"), -EINVAL);
	UNIT_EQ_INT(node(TAR_FIFO, "", 0644, 0, 0), -EINVAL);
	unpack_free(u);
	UNIT_EQ_INT(type("dest"), 'd');
}

CASE(names_in_errors_escaped)
{
	begin(NULL);
	UNIT_EQ_INT(file("bad\x1b[1m\n\\/../x", 0644, "x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "unpack: bad\\x1b[1m\\x0a\\\\/../x (entry 1): path "
		    "has a \"..\" component");
	unpack_free(u);
}

CASE(long_names_cut_in_errors)
{
	char name[1200];

	memset(name, 'n', sizeof(name) - 4);
	strcpy(name + sizeof(name) - 4, "/..");
	begin(NULL);
	UNIT_EQ_INT(file(name, 0644, "x"), -EINVAL);
	UNIT_ASSERT(strstr(e.msg, "nnn... (entry 1): path has a \"..\" "
			   "component"));
	UNIT_ASSERT(strlen(e.msg) < 220);
	unpack_free(u);
}

CASE(parent_not_a_directory)
{
	begin(NULL);
	OK(file("a", 0644, "file"));
	UNIT_EQ_INT(file("a/b", 0644, "x"), -ENOTDIR);
	UNIT_EQ_STR(e.msg, "unpack: a/b (entry 2): a: Not a directory");
	unpack_free(u);
}

/* Symlinks in a parent that loop, or end at a file, are errors. */
BOTH_CASE(parent_symlink_loop_or_file)
{
	char want[128];

	begin(NULL);
	OK(sym("l1", "l2"));
	OK(sym("l2", "/l1"));
	OK(file("f", 0644, "f"));
	OK(sym("lf", "f"));
	UNIT_EQ_INT(file("l1/x", 0644, "x"), -ELOOP);
	snprintf(want, sizeof(want), "unpack: l1/x (entry 5): l1: %s",
		 strerror(ELOOP));
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(file("lf/x", 0644, "x"), -ENOTDIR);
	UNIT_EQ_STR(e.msg, "unpack: lf/x (entry 6): lf: Not a directory");
	unpack_free(u);
	check_outside();
}

CASE(short_data_and_overlay_xattrs)
{
	struct tar_xattr x = { "trusted.overlay.redirect",
			       (unsigned char *)"/etc", 4 };
	struct tar_entry t = mk(TAR_REG, "f", NULL, 0644);
	struct reader *r = reader_mem("abc", 3);

	begin(NULL);
	t.size = 10;
	UNIT_EQ_INT(unpack_entry(u, &t, r, &e), -EIO);
	UNIT_EQ_STR(e.msg, "unpack: f (entry 1): data ends after 3 of 10 "
		    "bytes");
	reader_close(r);
	t.xattrs = &x;
	t.n_xattrs = 1;
	UNIT_EQ_INT(put(&t, "abc"), -EPERM);
	UNIT_EQ_STR(e.msg, "unpack: f (entry 2): xattr trusted.overlay."
		    "redirect: reserved for overlayfs");
	unpack_free(u);
}

CASE(memory_bounded)
{
	struct unpack_opts o = { .max_memory = 100000 };
	char name[64];
	int i, ret = 0;

	begin(&o);
	for (i = 0; i < 10000 && !ret; i++) {
		snprintf(name, sizeof(name), "f%05d", i);
		ret = file(name, 0644, NULL);
	}
	UNIT_EQ_INT(ret, -ENOMEM);
	UNIT_EQ_STR(e.msg, "unpack: f00512 (entry 513): the layer's names "
		    "need more than 100000 bytes");
	unpack_free(u);
}

/* Deeper than the directory cache: the general resolver takes over. */
BOTH_CASE(deep_paths)
{
	char p[1024] = "", f[1100];
	int i;

	for (i = 0; i < 80; i++)
		strcat(p, i ? "/d" : "d");
	snprintf(f, sizeof(f), "%s/file", p);
	begin(NULL);
	OK(file(f, 0644, "deep"));
	end();
	snprintf(f, sizeof(f), "dest/%s/file", p);
	UNIT_EQ_STR(content(f), "deep");
	begin(NULL);
	snprintf(f, sizeof(f), "%s/.wh.file", p);
	OK(file(f, 0644, NULL));
	OK(file(".wh.d", 0644, NULL));
	end();
	UNIT_EQ_STR(ls("dest"), "");
}

/* ---- whole layers: GNU tar's archives through tar.c ---- */

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int layer(const char *rel, struct unpack_stats *st)
{
	struct tar *t;
	int fd, ret;

	fd = open(at(rel), O_RDONLY | O_CLOEXEC);
	UNIT_ASSERT(fd >= 0);
	t = tar_open(reader_fd(fd, 1, rel), NULL);
	UNIT_NOT_NULL(t);
	ret = unpack_layer(destfd, t, &(struct unpack_opts){ 0 }, st, &e);
	tar_close(t);
	return ret;
}

static int have_gnu_tar(void)
{
	if (sh("tar --version 2>/dev/null | grep -q 'GNU tar'")) {
		printf("SKIP: GNU tar is not installed\n");
		return 0;
	}
	UNIT_EQ_INT(mkdir(at("fx"), 0755), 0);
	return 1;
}

/*
 * A tree of every kind GNU tar archives (pax, xattrs), unpacked: GNU
 * tar --compare finds nothing that differs; then a second layer of
 * whiteouts made by GNU tar too.
 */
CASE(gnu_tar_layers)
{
	struct unpack_stats st;
	char x[8];

	if (!have_gnu_tar())
		return;
	UNIT_EQ_INT(sh("cd %s/fx && mkdir -p src/etc src/bin src/d/e src/dev "
		       "src/ro && printf hello > src/etc/conf && "
		       "chmod 0640 src/etc/conf && printf prog > src/bin/a && "
		       "chmod 4755 src/bin/a && ln src/bin/a src/bin/b && "
		       "ln -s ../etc/conf src/bin/link && "
		       "printf deep > src/d/e/f && mkfifo src/dev/fifo && "
		       "mknod src/dev/null c 1 3 && chown 1000:50 src/d/e/f && "
		       "python3 -c \"import os; os.setxattr('src/etc/conf', "
		       "'user.k', b'v')\" && "
		       "touch -d @1000000000 src/d/e src/d && "
		       "chmod 0555 src/ro && "
		       "tar --xattrs --format=pax -cf l1.tar -C src .", base),
		    0);
	UNIT_EQ_INT(layer("fx/l1.tar", &st), 0);
	UNIT_EQ_UINT(st.entries, 14);
	UNIT_EQ_UINT(st.bytes, 5 + 4 + 4);
	UNIT_EQ_INT(sh("cd %s && tar --xattrs -df fx/l1.tar -C dest", base),
		    0);
	UNIT_EQ_UINT(st_of("dest/bin/a").st_ino, st_of("dest/bin/b").st_ino);
	UNIT_EQ_INT(getxattr(at("dest/etc/conf"), "user.k", x, sizeof(x)), 1);
	UNIT_EQ_INT(x[0], 'v');
	UNIT_EQ_INT(sh("cd %s/fx && mkdir -p w/etc w/d && "
		       "touch w/etc/.wh.conf w/d/.wh..wh..opq w/.wh.ro && "
		       "printf new > w/d/new && "
		       "tar -cf l2.tar -C w etc d .wh.ro", base), 0);
	UNIT_EQ_INT(layer("fx/l2.tar", &st), 0);
	UNIT_EQ_UINT(st.whiteouts, 3);
	UNIT_EQ_STR(ls("dest"), "bin,d,dev,etc");
	UNIT_EQ_STR(ls("dest/etc"), "");
	UNIT_EQ_STR(ls("dest/d"), "new");
	check_outside();
}

/* A hostile archive as GNU tar writes it (-P keeps the names). */
CASE(gnu_tar_hostile_layer)
{
	if (!have_gnu_tar())
		return;
	UNIT_EQ_INT(sh("cd %s/fx && mkdir h && ln -s %s/outside h/a && "
		       "tar -cf l.tar -C h a && mkdir h2 && mkdir h2/a && "
		       "printf evil > h2/a/canary && "
		       "tar -rf l.tar -C h2 a/canary && "
		       "tar -Pcf bad.tar %s/dest/../outside/canary", base,
		       base, base), 0);
	UNIT_EQ_INT(layer("fx/l.tar", NULL), 0);
	check_outside();
	UNIT_EQ_INT(layer("fx/bad.tar", NULL), -EINVAL);
	UNIT_ASSERT(strstr(e.msg, "/dest/../outside/canary (entry 1): path "
			   "has a \"..\" component"));
	check_outside();
}
