/*
 * init.c - the container init: the child `oci-run create|run` clones into
 * the new namespaces.  It builds the container as runtime-spec config.md
 * and config-linux.md describe (in runc's order: mounts, devices, masked
 * and read-only paths, pivot_root, hostname, rlimits, user, capabilities),
 * reports to the parent, waits for the go-ahead and execs the process.
 * The seccomp filter is compiled first, so a bad profile fails create, and
 * installed as late as it can be: right before execve, or, without
 * noNewPrivileges, before the capabilities go (installing then needs
 * CAP_SYS_ADMIN), as runc does.
 *
 * Every mount target is resolved inside the rootfs by handle and mounted
 * through /proc/self/fd of the host's /proc, before pivot_root, so nothing
 * in the image can redirect a mount outside it.  The init is not dumpable
 * until exec, so no process in the container can open /proc/1/exe or its
 * fds while it is still ocibox (CVE-2019-5736, CVE-2024-21626).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "mount.h"
#include "oci-run.h"
#include "path.h"
#include "seccomp_bpf.h"
#include "state.h"
#include "sys.h"
#include "tty.h"

#define PROC_SUPER_MAGIC 0x9fa0

/* The init's working set, on its stack. */
struct init {
	const struct init_args *a;
	const struct spec *s;
	int procfd;		/* the host's /proc, O_PATH */
	int rootfd;		/* the rootfs bind mount, O_PATH */
	int fifofd;		/* exec.fifo, O_PATH, or -1 */
	pid_t host_pid;		/* our pid as the parent sees it */
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

/* The user namespace first: with it come the rights to join the others. */
static void join_namespaces(struct init *in)
{
	static const int order[] = {
		SPEC_NS_USER, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NET,
		SPEC_NS_CGROUP, SPEC_NS_MNT,
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

static void send_msg(struct init *in, const char *msg)
{
	if (send(in->a->syncfd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		_exit(1);
}

/* Wait for "continue:PID"; anything else (the parent gone) ends us. */
static void wait_continue(struct init *in)
{
	char buf[32];
	ssize_t n;

	do
		n = recv(in->a->syncfd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= (ssize_t)strlen(SYNC_CONTINUE))
		_exit(1);
	buf[n] = 0;
	if (strncmp(buf, SYNC_CONTINUE, strlen(SYNC_CONTINUE)))
		_exit(1);
	in->host_pid = atoi(buf + strlen(SYNC_CONTINUE));
}

/*
 * Namespaces given by path first, then the new ones, so that they belong
 * to the container's user namespace; a new pid namespace takes a fork.
 * The parent learns the pid that will be the container's init.
 */
static void split_namespaces(struct init *in)
{
	unsigned long flags = in->a->unshare_flags;
	char msg[32];
	pid_t pid;

	join_namespaces(in);
	/* First alone: the others must belong to it. */
	if (flags & CLONE_NEWUSER)
		CHECK(in, unshare(CLONE_NEWUSER), "unshare user namespace");
	if (flags & ~CLONE_NEWUSER)
		CHECK(in, unshare(flags & ~CLONE_NEWUSER), "unshare %#lx",
		      flags & ~CLONE_NEWUSER);
	pid = getpid();
	if (flags & CLONE_NEWPID) {
		pid = sys_clone_fork(0);
		CHECK_RET(in, pid, "fork into the pid namespace");
		if (pid == 0)
			return;
	}
	snprintf(msg, sizeof(msg), SYNC_PID "%d", (int)pid);
	send_msg(in, msg);
	if (flags & CLONE_NEWPID)
		_exit(0);
}

/* linux.sysctl, in the namespaces just made (spec.c checked which). */
static void set_sysctls(struct init *in)
{
	const struct spec *s = in->s;
	char path[320], *p;
	size_t i;

	for (i = 0; i < s->n_sysctl; i++) {
		snprintf(path, sizeof(path), "sys/%s", s->sysctl[i].key);
		for (p = path + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		CHECK_RET(in, write_file_at(in->procfd, path,
					    s->sysctl[i].value),
			  "sysctl %s", s->sysctl[i].key);
	}
}

/* A state JSON for the hooks the init runs itself; NULL: none to run. */
static char *hook_state(struct init *in, int kind, enum state_status st)
{
	char *state;

	if (!in->s->hooks[kind].n)
		return NULL;
	state = hooks_state(in->s, in->a->id, st, in->host_pid,
			    in->a->created);
	if (!state) {
		err_msg(&in->e, ENOMEM, "%s hooks: out of memory",
			spec_hook_name(kind));
		fail(in);
	}
	return state;
}

static void run_hooks(struct init *in, int kind, enum state_status st)
{
	char *state = hook_state(in, kind, st);

	if (!state)
		return;
	if (hooks_run(in->s, kind, state, &in->e) < 0)
		fail(in);
	free(state);
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

/*
 * linux.devices: made with mknod, or where that is not allowed (a user
 * namespace) the host's node of the same path bound over an empty file.
 */
static void make_spec_devices(struct init *in)
{
	const struct spec_device *d;
	char *slash, dir[PATH_MAX];
	mode_t type;
	size_t i;
	int dfd, fd, r;

	for (i = 0; i < in->s->n_devices; i++) {
		d = &in->s->devices[i];
		snprintf(dir, sizeof(dir), "%s", d->path);
		slash = strrchr(dir, '/');
		*slash = 0;
		dfd = path_open_in_root(in->rootfd, *dir ? dir : "/",
					PATH_MKDIR);
		CHECK_RET(in, dfd, "device %s", d->path);
		type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO :
		       S_IFCHR;
		r = mknodat(dfd, slash + 1, type | d->mode,
			    makedev(d->major, d->minor));
		if (r < 0 && errno == EPERM) {
			fd = path_open_in_root(dfd, slash + 1, PATH_MKFILE);
			CHECK_RET(in, fd, "device %s", d->path);
			r = mount_bind_fd(d->path, fd);
			close(fd);
			CHECK_RET(in, r, "bind device %s from the host",
				  d->path);
		} else if (r < 0 && errno != EEXIST) {
			CHECK(in, r, "mknod %s", d->path);
		} else if (r == 0) {
			CHECK(in, fchownat(dfd, slash + 1, d->uid, d->gid,
					   AT_SYMLINK_NOFOLLOW),
			      "chown %s", d->path);
		}
		close(dfd);
	}
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
	make_spec_devices(in);

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

/*
 * process.terminal: a pty of the container's own devpts (its slave is
 * /dev/pts/N inside), the master to the parent before "ready", the slave
 * our controlling terminal and stdio (runc docs/terminals.md).
 */
static void setup_terminal(struct init *in)
{
	const struct spec_process *p = &in->s->process;
	int master, slave;

	if (tty_pty_open(AT_FDCWD, "/dev/pts/ptmx", p->console_height,
			 p->console_width, &master, &slave, NULL, 0,
			 &in->e) < 0)
		fail(in);
	CHECK_RET(in, tty_send_fd(in->a->syncfd, master, TTY_MASTER_NAME),
		  "send terminal");
	close(master);
	if (tty_make_stdio(slave, &in->e) < 0)
		fail(in);
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
	struct seccomp_bpf bpf = { 0 };
	char exe[PATH_MAX], *start_state;
	struct statfs sf;
	sigset_t none;
	int cwdfd, r, dumpable_late = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* First, while our ids are still the host's: the cgroupfs is. */
	if (cgroup_enter_self(a->cg, a->cg_v2_born, &in.e) < 0)
		fail(&in);
	/*
	 * An unprivileged parent can open our uid_map only while we are
	 * dumpable; nothing of the container exists yet to reach us.
	 */
	if (a->maps_by_user)
		dumpable_late = 1;
	else
		CHECK(&in, prctl(PR_SET_DUMPABLE, 0, 0, 0, 0),
		      "prctl dumpable");
	umask(0);
	if (s->seccomp && seccomp_bpf_compile(s->seccomp, &bpf, &in.e) < 0)
		fail(&in);
	if (a->unshare_flags)
		split_namespaces(&in);
	/*
	 * A session of our own (the process that execs, after the fork into
	 * a new pid namespace), as runc's: the caller's terminal is not the
	 * container's controlling terminal, so TIOCSTI on an inherited tty
	 * fd cannot type into the caller's shell.
	 */
	CHECK(&in, setsid(), "setsid");
	/* Maps written, in our cgroup: the user namespace gives us rights. */
	wait_continue(&in);
	if (dumpable_late)
		CHECK(&in, prctl(PR_SET_DUMPABLE, 0, 0, 0, 0),
		      "prctl dumpable");
	/*
	 * Root of the user namespace, as runc's nsexec does: what we mount
	 * and create is then owned by an id the namespace maps.  A map
	 * without 0 leaves us an unmapped id until process_identity().
	 */
	if (s->ns[SPEC_NS_USER].present && setresgid(0, 0, 0) == 0)
		setresuid(0, 0, 0);
	if (!a->unshare_flags)
		join_namespaces(&in);
	/* In our cgroup already: it is the new namespace's root. */
	if (a->new_cgroupns)
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
	set_sysctls(&in);

	setup_rootfs(&in);
	if (s->hooks[SPEC_HOOK_PRESTART].n ||
	    s->hooks[SPEC_HOOK_CREATE_RUNTIME].n) {
		send_msg(&in, SYNC_HOOKS);
		wait_continue(&in);
	}
	/* In our namespaces, paths still resolved in the runtime's root. */
	run_hooks(&in, SPEC_HOOK_CREATE_CONTAINER, STATE_CREATING);
	enter_rootfs(&in);
	if (s->process.terminal)
		setup_terminal(&in);
	if (s->hostname)
		CHECK(&in, sethostname(s->hostname, strlen(s->hostname)),
		      "sethostname %s", s->hostname);
	if (s->domainname)
		CHECK(&in, setdomainname(s->domainname, strlen(s->domainname)),
		      "setdomainname %s", s->domainname);
	if (process_limits(&s->process, in.procfd, &in.e) < 0)
		fail(&in);
	if (!a->no_new_keyring)
		new_session_keyring(&in);
	cwdfd = process_open_cwd(&s->process, &in.e);
	if (cwdfd < 0)
		fail(&in);
	if (s->seccomp && !s->process.no_new_privileges)
		CHECK_RET(&in, seccomp_bpf_install(&bpf),
			  "install seccomp filter");
	if (process_identity(&s->process, in.procfd,
			     s->ns[SPEC_NS_USER].present, &in.e) < 0)
		fail(&in);
	/* By handle: a cwd string could name a magic link the kernel follows. */
	CHECK(&in, fchdir(cwdfd), "chdir %s", s->process.cwd);
	close(cwdfd);
	umask(s->process.user.umask >= 0 ? s->process.user.umask : 022);
	if (s->process.no_new_privileges)
		CHECK(&in, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
		      "set no_new_privs");
	if (s->has_personality)
		CHECK(&in, personality(s->personality), "personality");
	if (process_find_exec(&s->process, exe, sizeof(exe), &in.e) < 0)
		fail(&in);
	start_state = hook_state(&in, SPEC_HOOK_START_CONTAINER, STATE_CREATED);
	if (process_cloexec_from(in.procfd, 3 + a->preserve_fds, &in.e) < 0)
		fail(&in);

	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (send(a->syncfd, SYNC_READY, strlen(SYNC_READY), MSG_NOSIGNAL) < 0)
		_exit(1);
	wait_go(&in);
	/* Our handles on the host (its /proc, the fifo) end here, not at exec. */
	close(in.procfd);
	close(in.rootfd);
	if (in.fifofd >= 0)
		close(in.fifofd);
	/* Started: in the container, before its process, as the spec says. */
	if (start_state) {
		if (hooks_run(s, SPEC_HOOK_START_CONTAINER, start_state,
			      &in.e) < 0) {
			dprintf(2, "oci-run: %s\n", in.e.msg);
			_exit(127);
		}
		free(start_state);
	}

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (s->seccomp && s->process.no_new_privileges) {
		r = seccomp_bpf_install(&bpf);
		if (r < 0) {
			dprintf(2, "oci-run: install seccomp filter: %s\n",
				strerror(-r));
			_exit(127);
		}
	}
	execve(exe, s->process.args, s->process.env);
	dprintf(2, "oci-run: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
