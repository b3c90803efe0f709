/*
 * kill.c - `oci-run kill` and `oci-run delete` (runtime.md "Operations").
 * Signals go through a pidfd taken before the pid's start time is checked,
 * so a pid reused by another process is never signalled.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "proc.h"
#include "sig.h"
#include "state.h"
#include "sys.h"

/* Signal the init; -ESRCH if it is not the container's any more. */
static int signal_init(pid_t pid, uint64_t starttime, int sig, int *pidfdp)
{
	int pidfd = sys_pidfd_open(pid, 0), r;

	if (pidfd < 0 && pidfd != -ENOSYS)
		return -ESRCH;
	if (!proc_alive(pid, starttime)) {
		r = -ESRCH;
		goto out;
	}
	if (pidfd >= 0)
		r = sys_pidfd_send_signal(pidfd, sig, 0);
	else
		r = kill(pid, sig) < 0 ? -errno : 0;
out:
	if (pidfd >= 0 && pidfdp && !r)
		*pidfdp = pidfd;
	else if (pidfd >= 0)
		close(pidfd);
	return r;
}

/* Signal the init and wait up to ms for it to be gone. */
static int kill_wait(pid_t pid, uint64_t starttime, int sig, int ms)
{
	struct pollfd p;
	int pidfd = -1, r, waited;

	r = signal_init(pid, starttime, sig, &pidfd);
	if (r < 0)
		return r == -ESRCH ? 0 : r;
	if (pidfd >= 0) {
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		do
			r = poll(&p, 1, ms);
		while (r < 0 && errno == EINTR);
		close(pidfd);
		return r > 0 ? 0 : -ETIMEDOUT;
	}
	for (waited = 0; waited < ms; waited += 10) {
		if (!proc_alive(pid, starttime))
			return 0;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	return -ETIMEDOUT;
}

/* 1 if pid is pid 1 of its own pid namespace (NSpid's last field). */
static int is_ns_init(pid_t pid)
{
	char path[32], *buf, *line, *last;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file_at(AT_FDCWD, path, 1 << 16, &buf, NULL) < 0)
		return 0;
	line = strstr(buf, "\nNSpid:");
	if (line) {
		line[strcspn(line + 1, "\n") + 1] = 0;
		last = strrchr(line, '\t');
		r = last && !strcmp(last + 1, "1");
	}
	free(buf);
	return r;
}

/*
 * kill --all without a cgroup: every process of the init's pid namespace,
 * but only when that namespace is the container's own (its init is pid 1
 * there).  Without one, or with a joined one, the namespace is shared with
 * others and only the init is the container's.  Each process is signalled
 * through a pidfd taken before its namespace is checked, so a pid reused
 * meanwhile is not hit.
 */
static void kill_all(pid_t init, int sig)
{
	struct stat ns, st;
	struct dirent *de;
	char path[64];
	int pidfd;
	DIR *d;
	pid_t p;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
	if (!is_ns_init(init) || stat(path, &ns) < 0 ||
	    !(d = opendir("/proc")))
		return;
	while ((de = readdir(d))) {
		p = atoi(de->d_name);
		if (p <= 0 || p == init)
			continue;
		pidfd = sys_pidfd_open(p, 0);
		if (pidfd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)p);
		if (stat(path, &st) == 0 && st.st_ino == ns.st_ino &&
		    st.st_dev == ns.st_dev)
			sys_pidfd_send_signal(pidfd, sig, 0);
		close(pidfd);
	}
	closedir(d);
}

enum { K_ALL = 1 };

static void set_flag(int id, const char *arg, void *ctx)
{
	*(int *)ctx = 1;
}

int cmd_kill(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "all", 'a', OPT_NOARG, K_ALL },
		{ 0 },
	};
	struct container c;
	struct err e = { 0 };
	char **pos;
	int npos, all = 0, sig = SIGTERM, r = -1;

	if (cmd_options("kill", argc, argv, opts, set_flag, &all, 1, 2, &pos,
			&npos) < 0)
		return 1;
	if (npos == 2 && (sig = sig_from_name(pos[1])) < 0) {
		log_error("kill %s: unknown signal \"%s\"", pos[0], pos[1]);
		return 1;
	}
	if (container_open(g, pos[0], 1, &c, &e) < 0)
		goto out;
	if (c.status == STATE_CREATED || c.status == STATE_RUNNING) {
		if (all && c.st.cgroup) {
			r = cgroup_kill(c.st.cgroup, sig, &e);
			if (r < 0)
				goto out_close;
		} else if (all && c.status == STATE_RUNNING) {
			kill_all(c.st.pid, sig);
		}
		log_debug("kill %s: signal %d to init %d%s", pos[0], sig,
			  (int)c.st.pid, all ? " and its pid namespace" : "");
		r = signal_init(c.st.pid, c.st.starttime, sig, NULL);
		/* The cgroup's signal may have ended the init already. */
		if (r == -ESRCH && all && c.st.cgroup)
			r = 0;
		if (r < 0 && r != -ESRCH)
			err_sys(&e, -r, "signal %d", sig);
	}
	if (r == -ESRCH || c.status == STATE_STOPPED ||
	    c.status == STATE_CREATING)
		err_msg(&e, ESRCH, "container not running");
out_close:
	container_close(&c);
out:
	if (r < 0)
		log_error("kill %s: %s", pos[0], e.msg);
	return r < 0;
}

int cmd_delete(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "force", 'f', OPT_NOARG, 1 },
		{ 0 },
	};
	struct container c;
	struct err e = { 0 };
	struct spec *h;
	char **pos;
	int npos, force = 0, r;

	if (cmd_options("delete", argc, argv, opts, set_flag, &force, 1, 1,
			&pos, &npos) < 0)
		return 1;
	r = container_open(g, pos[0], 1, &c, &e);
	if (r < 0) {
		if (force && r == -ENOENT)
			return 0;
		goto out;
	}
	/*
	 * STATE_CREATING under our lock is a create that died half-way:
	 * nothing runs, the directory is all that is left.
	 */
	if (c.status == STATE_RUNNING && !force) {
		r = err_msg(&e, EBUSY, "container still running");
		goto out_close;
	}
	/* A paused container is running too (runc refuses it the same). */
	if (c.status == STATE_PAUSED && !force) {
		r = err_msg(&e, EBUSY, "container still running");
		goto out_close;
	}
	if (c.status == STATE_PAUSED && cgroup_freeze(c.st.cgroup, 0, &e) < 0)
		goto out_close;
	if (c.status == STATE_CREATED || c.status == STATE_RUNNING ||
	    c.status == STATE_PAUSED) {
		r = kill_wait(c.st.pid, c.st.starttime, SIGKILL, 10000);
		if (r < 0) {
			err_sys(&e, -r, "kill init %d", (int)c.st.pid);
			goto out_close;
		}
	}
	/* What the init left behind goes with its cgroup, as with runc. */
	if (c.st.cgroup && ((r = cgroup_kill(c.st.cgroup, SIGKILL, &e)) < 0 ||
			    (r = cgroup_destroy(c.st.cgroup, &e)) < 0))
		goto out_close;
	/* Read before the directory goes, run once the container is gone. */
	h = late_hooks_load(c.dirfd, pos[0]);
	r = state_dir_remove(c.rootfd, pos[0], c.dirfd);
	if (r < 0)
		err_sys(&e, -r, "remove %s/%s", g->root, pos[0]);
	c.st.pid = 0;
	late_hooks_run(h, &c.st, SPEC_HOOK_POSTSTOP, STATE_STOPPED);
	spec_free(h);
out_close:
	container_close(&c);
out:
	if (r < 0)
		log_error("delete %s: %s", pos[0], e.msg);
	return r < 0;
}
