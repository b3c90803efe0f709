/*
 * init.c - the container init: the child `oci-run create|run` clones into
 * the new namespaces.  It builds the container as runtime-spec config.md
 * and config-linux.md describe (in runc's order: mounts, devices, masked
 * and read-only paths, pivot_root, hostname, rlimits, user, capabilities),
 * reports to the parent, waits for the go-ahead and execs the process.
 *
 * Every mount target is resolved inside the rootfs by handle and mounted
 * through /proc/self/fd of the host's /proc, before pivot_root, so nothing
 * in the image can redirect a mount outside it.  The init is not dumpable
 * until exec, so no process in the container can open /proc/1/exe or its
 * fds while it is still ocibox (CVE-2019-5736, CVE-2024-21626).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "io.h"
#include "mount.h"
#include "oci-run.h"
#include "path.h"
#include "state.h"
#include "sys.h"

#define PROC_SUPER_MAGIC 0x9fa0

/* The init's working set, on its stack. */
struct init {
	const struct init_args *a;
	const struct spec *s;
	int procfd;		/* the host's /proc, O_PATH */
	int rootfd;		/* the rootfs bind mount, O_PATH */
	int fifofd;		/* exec.fifo, O_PATH, or -1 */
	struct err e;
};

/* Report e to the parent and die: the parent cleans up and prints it. */
__attribute__((noreturn)) static void fail(struct init *in)
{
	char msg[sizeof(SYNC_ERR_PREFIX) + ERR_MSG_MAX];
	int n = snprintf(msg, sizeof(msg), SYNC_ERR_PREFIX "%s", in->e.msg);

	if (n > (int)sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	send(in->a->syncfd, msg, n, MSG_NOSIGNAL);
	_exit(1);
}

#define CHECK(in, expr, ...)                                                  \
	do {                                                                  \
		if ((expr) < 0) {                                             \
			err_sys(&(in)->e, errno, __VA_ARGS__);                \
			fail(in);                                             \
		}                                                             \
	} while (0)

/* Same for calls returning -errno. */
#define CHECK_RET(in, ret, ...)                                               \
	do {                                                                  \
		int r_ = (ret);                                               \
		if (r_ < 0) {                                                 \
			err_sys(&(in)->e, -r_, __VA_ARGS__);                  \
			fail(in);                                             \
		}                                                             \
	} while (0)

static void join_namespaces(struct init *in)
{
	static const int order[] = {
		SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NET, SPEC_NS_CGROUP,
		SPEC_NS_MNT,
	};
	size_t i;
	int t;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		t = order[i];
		if (in->a->nsfds[t] < 0)
			continue;
		/* The type too: a path to another kind of namespace fails. */
		CHECK_RET(in, sys_setns(in->a->nsfds[t],
					spec_ns_clone_flag(t)),
			  "join %s", in->s->ns[t].path);
	}
}

static void write_proc(struct init *in, const char *path, const char *val)
{
	CHECK_RET(in, write_file_at(in->procfd, path, val), "write /proc/%s",
		  path);
}

static void mount_one(struct init *in, const struct spec_mount *m)
{
	int r = mount_in_root(in->rootfd, m, &in->e);

	if (r < 0)
		fail(in);
}

/* runc's default devices and /dev links (see dev_wanted()). */
static void make_devices(struct init *in)
{
	static const struct {
		char name[8];
		unsigned char major, minor;
	} devs[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
	};
	int devfd, fd, r;
	char src[sizeof(devs[0].name) + 8];
	size_t i;

	devfd = path_open_in_root(in->rootfd, "/dev", PATH_MKDIR);
	CHECK_RET(in, devfd, "open /dev");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		if (mknodat(devfd, devs[i].name, S_IFCHR | 0666,
			    makedev(devs[i].major, devs[i].minor)) == 0 ||
		    errno == EEXIST)
			continue;
		/* Not allowed to mknod: bind the host's node instead. */
		CHECK(in, errno == EPERM ? 0 : -1, "mknod /dev/%s",
		      devs[i].name);
		snprintf(src, sizeof(src), "/dev/%.7s", devs[i].name);
		fd = path_open_in_root(devfd, devs[i].name, PATH_MKFILE);
		CHECK_RET(in, fd, "create /dev/%s", devs[i].name);
		r = mount_bind_fd(src, fd);
		close(fd);
		CHECK_RET(in, r, "bind /dev/%s", devs[i].name);
	}
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		CHECK(in, symlinkat(links[i][1], devfd, links[i][0]) == 0 ||
			  errno == EEXIST ? 0 : -1,
		      "symlink /dev/%s", links[i][0]);
	close(devfd);
}

/* runc's rule: the default devices, unless /dev is the host's (a bind). */
static int dev_wanted(const struct spec *s)
{
	size_t i;

	for (i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].dest, "/dev"))
			return strcmp(s->mounts[i].type, "bind") != 0;
	return 1;
}

static void setup_rootfs(struct init *in)
{
	const struct spec *s = in->s;
	unsigned long prop = MS_SLAVE | MS_REC;
	const char *failed = NULL;
	size_t i;
	int fd, r;

	/* Nothing we mount may propagate back to the host. */
	if (s->rootfs_propagation & (MS_PRIVATE | MS_UNBINDABLE))
		prop = MS_PRIVATE | MS_REC;
	CHECK(in, mount(NULL, "/", NULL, prop, NULL), "make / %s",
	      prop & MS_PRIVATE ? "rprivate" : "rslave");
	CHECK(in, mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC,
			NULL), "bind rootfs %s", s->root_path);
	in->rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(in, in->rootfd, "open rootfs %s", s->root_path);

	for (i = 0; i < s->n_mounts; i++)
		mount_one(in, &s->mounts[i]);
	if (dev_wanted(s))
		make_devices(in);

	/*
	 * Made here, entered by a handle taken after pivot_root: one taken now
	 * could lie under a masked path mounted below.
	 */
	fd = path_open_in_root(in->rootfd, s->process.cwd, PATH_MKDIR);
	CHECK_RET(in, fd, "cwd %s", s->process.cwd);
	close(fd);

	r = mount_mask(in->rootfd, s->masked_paths, &failed);
	CHECK_RET(in, r, "mask %s", failed);
	for (i = 0; s->readonly_paths && s->readonly_paths[i]; i++) {
		r = mount_readonly(in->rootfd, s->readonly_paths[i], 1);
		CHECK_RET(in, r, "readonly %s", s->readonly_paths[i]);
	}
}

static void enter_rootfs(struct init *in)
{
	const struct spec *s = in->s;
	int oldroot;

	CHECK(in, fchdir(in->rootfd), "chdir %s", s->root_path);
	if (in->a->no_pivot) {
		CHECK(in, mount(".", "/", NULL, MS_MOVE, NULL), "move rootfs");
		CHECK(in, chroot("."), "chroot %s", s->root_path);
	} else {
		/*
		 * pivot_root(".", ".") stacks the old root under the new one;
		 * detaching it leaves the host unreachable without a temporary
		 * directory in the image.
		 */
		oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		CHECK(in, oldroot, "open /");
		CHECK_RET(in, sys_pivot_root(".", "."), "pivot_root %s",
			  s->root_path);
		/*
		 * "." is the new root now; through the old root's handle the
		 * rslave and the detach reach the old root only, and the
		 * container's own mounts keep the propagation asked for.
		 */
		CHECK(in, fchdir(oldroot), "chdir old root");
		close(oldroot);
		CHECK(in, mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL),
		      "make old root rslave");
		CHECK(in, umount2(".", MNT_DETACH), "detach old root");
	}
	CHECK(in, chdir("/"), "chdir /");
	if (s->root_readonly)
		CHECK_RET(in, mount_readonly_root(), "remount / read-only");
	if (s->rootfs_propagation)
		CHECK(in, mount(NULL, "/", NULL, s->rootfs_propagation, NULL),
		      "set rootfsPropagation");
}

static void set_limits(struct init *in)
{
	const struct spec_process *p = &in->s->process;
	struct rlimit rl;
	char buf[16];
	size_t i;

	for (i = 0; i < p->n_rlimits; i++) {
		rl.rlim_cur = p->rlimits[i].soft;
		rl.rlim_max = p->rlimits[i].hard;
		CHECK(in, setrlimit(p->rlimits[i].resource, &rl),
		      "setrlimit %d", p->rlimits[i].resource);
	}
	if (p->has_oom_score_adj) {
		snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
		write_proc(in, "self/oom_score_adj", buf);
	}
}

static int last_cap(struct init *in)
{
	char *buf;
	int n;

	if (read_file_at(in->procfd, "sys/kernel/cap_last_cap", 16, &buf,
			 NULL) < 0)
		return 40;
	n = atoi(buf);
	free(buf);
	return n > 0 && n < 64 ? n : 40;
}

/* Become the process's user with its capabilities (capabilities(7)). */
static void set_identity(struct init *in)
{
	const struct spec_process *p = &in->s->process;
	const struct spec_caps *c = &p->caps;
	int cap, last = last_cap(in);
	uint64_t mask = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	uint64_t ambient;

	/* No process.capabilities means no capabilities, as with runc. */
	for (cap = 0; cap <= last; cap++)
		if (!(c->bounding & (1ULL << cap)))
			CHECK(in, prctl(PR_CAPBSET_DROP, cap, 0, 0, 0),
			      "drop capability %d", cap);
	CHECK(in, prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "keep caps");
	CHECK(in, setgroups(p->user.n_additional_gids,
			    p->user.additional_gids), "setgroups");
	CHECK(in, setresgid(p->user.gid, p->user.gid, p->user.gid),
	      "setgid %u", (unsigned)p->user.gid);
	CHECK(in, setresuid(p->user.uid, p->user.uid, p->user.uid),
	      "setuid %u", (unsigned)p->user.uid);
	CHECK(in, prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "keep caps");
	CHECK_RET(in, sys_capset(c->effective & mask, c->permitted & mask,
				 c->inheritable & mask), "capset");
	CHECK(in, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0),
	      "clear ambient capabilities");
	/*
	 * The kernel keeps ambient within permitted and inheritable; runc's
	 * own spec lists ambient caps that are not inheritable and runc runs
	 * it, raising what can be raised.  So do we.
	 */
	ambient = c->ambient & c->permitted & c->inheritable & mask;
	for (cap = 0; cap <= last; cap++)
		if (ambient & (1ULL << cap))
			CHECK(in, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
					cap, 0, 0),
			      "raise ambient capability %d", cap);
}

static const char *env_path(const struct spec *s)
{
	char **e;

	for (e = s->process.env; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvp(3)'s search, done before the go-ahead so create can report it. */
static void find_exec(struct init *in, char *out, size_t len)
{
	const char *arg0 = in->s->process.args[0], *dir, *end;
	int n;

	if (strchr(arg0, '/')) {
		CHECK(in, faccessat(AT_FDCWD, arg0, X_OK, AT_EACCESS),
		      "exec %s", arg0);
		snprintf(out, len, "%s", arg0);
		return;
	}
	for (dir = env_path(in->s); ; dir = end + 1) {
		end = strchrnul(dir, ':');
		n = snprintf(out, len, "%.*s%s%s", (int)(end - dir), dir,
			     end > dir ? "/" : "", arg0);
		if (n < (int)len && faccessat(AT_FDCWD, out, X_OK,
					      AT_EACCESS) == 0)
			return;
		if (!*end)
			break;
	}
	err_msg(&in->e, ENOENT,
		"exec: \"%s\": executable file not found in $PATH", arg0);
	fail(in);
}

/* The cwd inside the new root ("/" by now), as an O_PATH handle. */
static int open_cwd(struct init *in)
{
	int root, fd;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(in, root, "open /");
	fd = path_open_in_root(root, in->s->process.cwd, PATH_NOCREATE);
	close(root);
	CHECK_RET(in, fd, "cwd %s", in->s->process.cwd);
	return fd;
}

/* Like runc: the container gets a session keyring of its own. */
static void new_session_keyring(struct init *in)
{
	char name[64];
	int r;

	snprintf(name, sizeof(name), "_ses.%.58s", in->a->id);
	r = sys_keyctl_join_session(name);
	if (r < 0 && r != -ENOSYS)
		CHECK_RET(in, r, "join session keyring");
}

/*
 * Every fd from `first` on is closed at exec: close_range(CLOEXEC) where the
 * kernel has it (5.11), else each fd listed in /proc/self/fd.  A create
 * that cannot make sure of it fails: a leaked host fd is an escape.
 */
static void cloexec_from(struct init *in, int first)
{
	struct dirent *de;
	DIR *d;
	int fd, dfd;

	if (sys_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	dfd = openat(in->procfd, "self/fd", O_RDONLY | O_DIRECTORY |
		     O_CLOEXEC);
	CHECK(in, dfd, "open /proc/self/fd");
	d = fdopendir(dfd);
	CHECK(in, d ? 0 : -1, "open /proc/self/fd");
	while ((de = readdir(d))) {
		fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    fd < first || fd == dfd)
			continue;
		CHECK(in, fcntl(fd, F_SETFD, FD_CLOEXEC), "fd %d", fd);
	}
	closedir(d);
}

/* The parent says "placed" once we are in the container's cgroup. */
static void wait_placed(struct init *in)
{
	char buf[16];
	ssize_t n;

	do
		n = recv(in->a->syncfd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)strlen(SYNC_PLACED) || memcmp(buf, SYNC_PLACED, n))
		_exit(1);
}

static void wait_go(struct init *in)
{
	char buf[16], name[32];
	ssize_t n;
	int fd;

	/*
	 * The parent says go once the state is recorded.  If it dies first
	 * the socket closes and so do we: no init outlives a create that
	 * did not finish.
	 */
	do
		n = recv(in->a->syncfd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)strlen(SYNC_GO) || memcmp(buf, SYNC_GO, n))
		_exit(1);
	close(in->a->syncfd);
	if (in->a->wait == INIT_WAIT_SYNC)
		return;
	/*
	 * Blocks until `start` opens the fifo for reading.  Reopened through
	 * the host's /proc, which we still hold, so the container needs none.
	 */
	snprintf(name, sizeof(name), "self/fd/%d", in->fifofd);
	do
		fd = openat(in->procfd, name, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 || write_full(fd, "0", 1) != 1)
		_exit(1);
	close(fd);
}

void init_container(const struct init_args *a)
{
	struct init in = { .a = a, .s = a->spec, .procfd = -1, .rootfd = -1,
			   .fifofd = -1 };
	const struct spec *s = a->spec;
	char exe[PATH_MAX];
	struct statfs sf;
	sigset_t none;
	int cwdfd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	CHECK(&in, prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl dumpable");
	umask(0);
	wait_placed(&in);
	join_namespaces(&in);
	/* After the parent put us in our cgroup: it is the namespace's root. */
	if (a->unshare_cgroupns)
		CHECK(&in, unshare(CLONE_NEWCGROUP), "unshare cgroup namespace");

	in.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(&in, in.procfd, "open /proc");
	CHECK(&in, fstatfs(in.procfd, &sf), "statfs /proc");
	if (sf.f_type != PROC_SUPER_MAGIC) {
		err_msg(&in.e, EINVAL, "/proc is not procfs");
		fail(&in);
	}
	if (a->wait == INIT_WAIT_FIFO) {
		in.fifofd = openat(a->statefd, STATE_FIFO, O_PATH | O_CLOEXEC);
		CHECK(&in, in.fifofd, "open %s", STATE_FIFO);
	}
	/*
	 * The state directory's fd carries the container lock (flock belongs
	 * to the open file description we share with the parent): a waiting
	 * init must not hold it, or start, kill and delete would block.
	 */
	close(a->statefd);
	close(a->staterootfd);

	setup_rootfs(&in);
	enter_rootfs(&in);
	if (s->hostname)
		CHECK(&in, sethostname(s->hostname, strlen(s->hostname)),
		      "sethostname %s", s->hostname);
	if (s->domainname)
		CHECK(&in, setdomainname(s->domainname, strlen(s->domainname)),
		      "setdomainname %s", s->domainname);
	set_limits(&in);
	if (!a->no_new_keyring)
		new_session_keyring(&in);
	cwdfd = open_cwd(&in);
	set_identity(&in);
	/* By handle: a cwd string could name a magic link the kernel follows. */
	CHECK(&in, fchdir(cwdfd), "chdir %s", s->process.cwd);
	close(cwdfd);
	umask(s->process.user.umask >= 0 ? s->process.user.umask : 022);
	if (s->process.no_new_privileges)
		CHECK(&in, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
		      "set no_new_privs");
	find_exec(&in, exe, sizeof(exe));
	cloexec_from(&in, 3 + a->preserve_fds);

	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (send(a->syncfd, SYNC_READY, strlen(SYNC_READY), MSG_NOSIGNAL) < 0)
		_exit(1);
	wait_go(&in);
	/* Our handles on the host (its /proc, the fifo) end here, not at exec. */
	close(in.procfd);
	close(in.rootfd);
	if (in.fifofd >= 0)
		close(in.fifofd);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(exe, s->process.args, s->process.env);
	dprintf(2, "oci-run: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
