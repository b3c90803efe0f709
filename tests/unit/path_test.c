/*
 * path_test.c - unit tests of core/path.c: resolution inside a root never
 * leaves it, by either code path.  Each scenario runs twice: NAME_openat2
 * with the kernel as it is (openat2(RESOLVE_IN_ROOT), and the component
 * walk where something has to be created), and NAME_walk with openat2
 * made to fail with ENOSYS by a seccomp filter, as on a kernel before 5.6,
 * so the walk does everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "path.h"
#include "sys.h"
#include "unit.h"

static char base[PATH_MAX];	/* the case's directory, symlinks resolved */
static int rootfd = -1;		/* base/root */

/* base/rel; four buffers, so a few can be live at once. */
static const char *at(const char *rel)
{
	static char bufs[4][PATH_MAX + 64];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, PATH_MAX + 64, "%s/%s", base, rel);
	return b;
}

static void setup(void)
{
	if (!realpath(unit_tmpdir(), base))
		unit_fail(__FILE__, __LINE__, "realpath: %s", strerror(errno));
	UNIT_EQ_INT(mkdir(at("root"), 0755), 0);
	rootfd = open(at("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(rootfd >= 0);
}

static int probe_openat2(void)
{
	struct sys_open_how how = { .flags = O_PATH | O_CLOEXEC };
	int fd = sys_openat2(rootfd, ".", &how);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * Make openat2 fail with ENOSYS for the rest of this process.  Classic
 * BPF on the syscall number alone: the test makes native calls only, so
 * the architecture need not be checked.
 */
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

	UNIT_EQ_INT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	UNIT_EQ_INT(prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog),
		    0);
	UNIT_EQ_INT(probe_openat2(), -ENOSYS);
}

#define PATH_CASE(name)							\
	static void scenario_##name(void);				\
	UNIT_CASE(name##_openat2)					\
	{								\
		setup();						\
		if (probe_openat2() < 0) {				\
			printf("SKIP: openat2(2): %s\n",		\
			       strerror(-probe_openat2()));		\
			return;						\
		}							\
		scenario_##name();					\
	}								\
	UNIT_CASE(name##_walk)						\
	{								\
		setup();						\
		no_openat2();						\
		scenario_##name();					\
	}								\
	static void scenario_##name(void)

static const char *errname(int no)
{
	static char buf[32];

	switch (no) {
	case ENOENT: return "ENOENT";
	case ELOOP: return "ELOOP";
	case ENOTDIR: return "ENOTDIR";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	}
	snprintf(buf, sizeof(buf), "errno %d", no);
	return buf;
}

/*
 * path_open_in_root(root, path, create) as where the fd points, relative
 * to base ("root/etc"; a path outside base stays absolute), or the error
 * name ("ELOOP").  Checks the fd is O_PATH and close-on-exec.
 */
static const char *in_root(const char *path, enum path_create create)
{
	static char where[PATH_MAX];
	char proc[32];
	struct stat a, b;
	size_t n = strlen(base);
	ssize_t l;
	int fd;

	fd = path_open_in_root(rootfd, path, create);
	if (fd < 0)
		return errname(-fd);
	UNIT_ASSERT(fcntl(fd, F_GETFL) & O_PATH);
	UNIT_EQ_INT(fcntl(fd, F_GETFD), FD_CLOEXEC);
	path_fd_name(proc, fd);
	l = readlink(proc, where, sizeof(where) - 1);
	UNIT_ASSERT(l > 0);
	where[l] = 0;
	/* The name is the same inode, not a stale or look-alike one. */
	UNIT_EQ_INT(fstat(fd, &a), 0);
	UNIT_EQ_INT(lstat(where, &b), 0);
	UNIT_EQ_UINT(a.st_dev, b.st_dev);
	UNIT_EQ_UINT(a.st_ino, b.st_ino);
	close(fd);
	if (!strncmp(where, base, n) && where[n] == '/')
		return where + n + 1;
	return where;
}

static void mk(const char *rel)
{
	if (mkdir(at(rel), 0755) < 0)
		unit_fail(__FILE__, __LINE__, "mkdir %s: %s", rel,
			  strerror(errno));
}

static void ln(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) < 0)
		unit_fail(__FILE__, __LINE__, "symlink %s: %s", rel,
			  strerror(errno));
}

static void touch(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		unit_fail(__FILE__, __LINE__, "create %s: %s", rel,
			  strerror(errno));
	close(fd);
}

/* 'd' directory, 'f' regular file, 'l' symlink, '-' nothing there. */
static int type_abs(const char *p)
{
	struct stat sb;

	if (lstat(p, &sb) < 0)
		return '-';
	return S_ISDIR(sb.st_mode) ? 'd' : S_ISREG(sb.st_mode) ? 'f' :
	       S_ISLNK(sb.st_mode) ? 'l' : '?';
}

static int type(const char *rel)
{
	return type_abs(at(rel));
}

PATH_CASE(root_itself)
{
	UNIT_EQ_STR(in_root("/", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root(".", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root("..", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root("/..", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root("../../..", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root("../../..", PATH_MKDIR), "root");
}

PATH_CASE(absolute_is_root_relative)
{
	mk("root/etc");
	UNIT_EQ_STR(in_root("/etc", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("etc", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("//etc//", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("./etc/.", PATH_NOCREATE), "root/etc");
}

PATH_CASE(dotdot_clamped)
{
	mk("root/etc");
	UNIT_EQ_STR(in_root("../../../etc", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("etc/../../..", PATH_NOCREATE), "root");
	UNIT_EQ_STR(in_root("/../etc/../etc", PATH_NOCREATE), "root/etc");
}

PATH_CASE(abs_symlink)
{
	mk("root/etc");
	ln("/etc", "root/a");
	UNIT_EQ_STR(in_root("a", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("/a/", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("a", PATH_MKDIR), "root/etc");
}

PATH_CASE(abs_symlink_in_middle)
{
	mk("root/etc");
	mk("root/etc/sub");
	ln("/etc", "root/a");
	UNIT_EQ_STR(in_root("a/sub", PATH_NOCREATE), "root/etc/sub");
}

/* The host's /etc exists, the root's does not: still not the host's. */
PATH_CASE(abs_symlink_target_missing)
{
	ln("/etc/passwd", "root/a");
	UNIT_EQ_STR(in_root("a", PATH_NOCREATE), "ENOENT");
	UNIT_EQ_STR(in_root("/etc", PATH_NOCREATE), "ENOENT");
}

PATH_CASE(rel_symlink)
{
	mk("root/dir");
	mk("root/target");
	ln("../target", "root/dir/l");
	UNIT_EQ_STR(in_root("dir/l", PATH_NOCREATE), "root/target");
}

PATH_CASE(rel_symlink_clamped)
{
	mk("root/dir");
	mk("root/etc");
	ln("../../../../etc", "root/dir/l");
	UNIT_EQ_STR(in_root("dir/l", PATH_NOCREATE), "root/etc");
	ln("../../../..", "root/dir/up");
	UNIT_EQ_STR(in_root("dir/up", PATH_NOCREATE), "root");
}

/* ".." after a symlink is the parent of its target, not of the link. */
PATH_CASE(dotdot_after_symlink)
{
	mk("root/etc");
	mk("root/etc/sub");
	mk("root/dir");
	ln("/etc/sub", "root/dir/a");
	UNIT_EQ_STR(in_root("dir/a/..", PATH_NOCREATE), "root/etc");
}

PATH_CASE(symlink_loop)
{
	ln("l2", "root/l1");
	ln("l1", "root/l2");
	ln("self", "root/self");
	UNIT_EQ_STR(in_root("l1", PATH_NOCREATE), "ELOOP");
	UNIT_EQ_STR(in_root("self", PATH_NOCREATE), "ELOOP");
	UNIT_EQ_STR(in_root("l1/x", PATH_MKDIR), "ELOOP");
	UNIT_EQ_STR(in_root("self", PATH_MKFILE), "ELOOP");
}

/* openat2 stops at the missing "new" (ENOENT); the walk meets the loop. */
PATH_CASE(symlink_loop_after_create)
{
	ln("/l2", "root/l1");
	ln("/l1", "root/l2");
	UNIT_EQ_STR(in_root("new/../l1", PATH_MKDIR), "ELOOP");
	UNIT_EQ_STR(in_root("new2/../l1/x", PATH_MKFILE), "ELOOP");
}

/* As the kernel: 40 symlinks are followed, the 41st is ELOOP. */
PATH_CASE(symlink_limit)
{
	char name[16], target[16];
	int i;

	mk("root/etc");
	for (i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "root/l%d", i);
		snprintf(target, sizeof(target), "l%d", i + 1);
		ln(i == 41 ? "/etc" : target, name);
	}
	UNIT_EQ_STR(in_root("l2", PATH_NOCREATE), "root/etc");
	UNIT_EQ_STR(in_root("l1", PATH_NOCREATE), "ELOOP");
}

PATH_CASE(nocreate_missing)
{
	mk("root/etc");
	UNIT_EQ_STR(in_root("nope", PATH_NOCREATE), "ENOENT");
	UNIT_EQ_STR(in_root("etc/nope/x", PATH_NOCREATE), "ENOENT");
	UNIT_EQ_INT(type("root/nope"), '-');
	UNIT_EQ_INT(type("root/etc/nope"), '-');
}

PATH_CASE(not_a_directory)
{
	touch("root/file");
	UNIT_EQ_STR(in_root("file", PATH_NOCREATE), "root/file");
	UNIT_EQ_STR(in_root("file/x", PATH_NOCREATE), "ENOTDIR");
	UNIT_EQ_STR(in_root("file/x", PATH_MKDIR), "ENOTDIR");
	UNIT_EQ_STR(in_root("file/x", PATH_MKFILE), "ENOTDIR");
}

PATH_CASE(mkdir_nested)
{
	UNIT_EQ_STR(in_root("a/b/c", PATH_MKDIR), "root/a/b/c");
	UNIT_EQ_INT(type("root/a"), 'd');
	UNIT_EQ_INT(type("root/a/b"), 'd');
	UNIT_EQ_INT(type("root/a/b/c"), 'd');
	UNIT_EQ_STR(in_root("/a/b/c/d/", PATH_MKDIR), "root/a/b/c/d");
}

PATH_CASE(mkdir_existing)
{
	mk("root/etc");
	UNIT_EQ_STR(in_root("etc", PATH_MKDIR), "root/etc");
	touch("root/file");
	UNIT_EQ_STR(in_root("file", PATH_MKDIR), "root/file");
}

PATH_CASE(mkdir_through_abs_symlink)
{
	mk("root/etc");
	ln("/etc", "root/a");
	UNIT_EQ_STR(in_root("a/ocibox-unit-new/sub", PATH_MKDIR),
		    "root/etc/ocibox-unit-new/sub");
	UNIT_EQ_INT(type_abs("/etc/ocibox-unit-new"), '-');
	UNIT_EQ_INT(type("root/a"), 'l');
}

PATH_CASE(mkdir_through_escaping_symlink)
{
	mk("outside");
	ln("/../outside", "root/x");
	UNIT_EQ_STR(in_root("x/sub", PATH_MKDIR), "root/outside/sub");
	UNIT_EQ_INT(type("root/outside/sub"), 'd');
	UNIT_EQ_INT(type("outside/sub"), '-');
}

PATH_CASE(mkdir_through_escaping_rel_symlink)
{
	mk("outside");
	mk("root/d");
	ln("../../../outside", "root/d/l");
	UNIT_EQ_STR(in_root("d/l/sub", PATH_MKDIR), "root/outside/sub");
	UNIT_EQ_INT(type("outside/sub"), '-');
}

PATH_CASE(mkdir_dotdot_escape)
{
	UNIT_EQ_STR(in_root("new/../../outside", PATH_MKDIR),
		    "root/outside");
	UNIT_EQ_INT(type("outside"), '-');
	UNIT_EQ_INT(type("root/new"), 'd');
}

PATH_CASE(mkdir_dangling_abs_symlink)
{
	ln("/ocibox-unit-made/here", "root/dang");
	UNIT_EQ_STR(in_root("dang", PATH_MKDIR), "root/ocibox-unit-made/here");
	UNIT_EQ_INT(type("root/ocibox-unit-made/here"), 'd');
	UNIT_EQ_INT(type("root/dang"), 'l');
	UNIT_EQ_INT(type_abs("/ocibox-unit-made"), '-');
}

PATH_CASE(mkdir_dangling_escaping_symlink)
{
	ln("../../made", "root/dang");
	UNIT_EQ_STR(in_root("dang/sub", PATH_MKDIR), "root/made/sub");
	UNIT_EQ_INT(type("made"), '-');
	UNIT_EQ_INT(type("../made"), '-');
}

PATH_CASE(mkfile)
{
	UNIT_EQ_STR(in_root("d/e/f", PATH_MKFILE), "root/d/e/f");
	UNIT_EQ_INT(type("root/d"), 'd');
	UNIT_EQ_INT(type("root/d/e"), 'd');
	UNIT_EQ_INT(type("root/d/e/f"), 'f');
	UNIT_EQ_STR(in_root("top", PATH_MKFILE), "root/top");
	UNIT_EQ_INT(type("root/top"), 'f');
}

PATH_CASE(mkfile_existing)
{
	mk("root/etc");
	touch("root/f");
	UNIT_EQ_STR(in_root("f", PATH_MKFILE), "root/f");
	UNIT_EQ_STR(in_root("etc", PATH_MKFILE), "root/etc");
	UNIT_EQ_INT(type("root/etc"), 'd');
}

PATH_CASE(mkfile_dangling_symlink)
{
	ln("/dir/file", "root/f");
	UNIT_EQ_STR(in_root("f", PATH_MKFILE), "root/dir/file");
	UNIT_EQ_INT(type("root/dir"), 'd');
	UNIT_EQ_INT(type("root/dir/file"), 'f');
	UNIT_EQ_INT(type("root/f"), 'l');
}

PATH_CASE(mkfile_through_escaping_symlink)
{
	ln("/../../outside-file", "root/x");
	UNIT_EQ_STR(in_root("x", PATH_MKFILE), "root/outside-file");
	UNIT_EQ_INT(type("root/outside-file"), 'f');
	UNIT_EQ_INT(type("outside-file"), '-');
}

/* A deep tree with read-only dirs, a symlink out and a file: all gone,
 * what the link names untouched, and few fds whatever the depth. */
UNIT_CASE(remove_tree)
{
	struct err e = { 0 };
	int i, fd;

	setup();
	UNIT_EQ_INT(mkdir(at("keep"), 0755), 0);
	fd = open(at("keep/file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	UNIT_ASSERT(fd >= 0);
	close(fd);
	UNIT_EQ_INT(mkdir(at("root/t"), 0755), 0);
	UNIT_EQ_INT(symlink(at("keep"), at("root/t/out")), 0);
	/* Deeper than PATH_MAX: made one level at a time, by fd. */
	fd = open(at("root/t"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < 1500 && fd >= 0; i++) {
		int next;

		UNIT_EQ_INT(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	UNIT_ASSERT(fd >= 0);
	close(fd);
	fd = open(at("root/t/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	UNIT_ASSERT(fd >= 0);
	close(fd);
	UNIT_EQ_INT(chmod(at("root/t/d"), 0555), 0);
	UNIT_EQ_INT(path_remove_tree(rootfd, "t", &e), 0);
	UNIT_EQ_INT(faccessat(rootfd, "t", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	UNIT_EQ_INT(access(at("keep/file"), F_OK), 0);
	/* Gone already, a file, a symlink: each fine. */
	UNIT_EQ_INT(path_remove_tree(rootfd, "t", &e), 0);
	UNIT_EQ_INT(symlink(at("keep"), at("root/l")), 0);
	UNIT_EQ_INT(path_remove_tree(rootfd, "l", &e), 0);
	UNIT_EQ_INT(access(at("keep/file"), F_OK), 0);
	UNIT_EQ_INT(path_remove_tree(-1, "x", &e), -EBADF);
	UNIT_EQ_STR(e.msg, "remove x: Bad file descriptor");
}
