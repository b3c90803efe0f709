/*
 * create.c - `oci-run create`, `run` and `start`: the parent side of the
 * create/start handshake (runtime-spec runtime.md "Lifecycle", runc's
 * exec.fifo).  create validates the whole config, makes the state
 * directory, clones the init into its namespaces and waits for it to
 * report "ready" (or an error, after which it removes everything); start
 * opens the fifo the init is blocked on, which lets it exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "clock.h"
#include "io.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "proc.h"
#include "state.h"
#include "sys.h"
#include "tty.h"

struct launch {
	const char *cmd;	/* "create" or "run", for messages */
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int no_pivot;
	int no_new_keyring;
	int preserve_fds;	/* -1: the value given was invalid */
	int detach;
	int keep;
	enum init_wait wait;
	/* filled by launch() */
	char created[40];	/* RFC 3339 */
	pid_t pid;
	int syncfd;
	int rootfd;
	int dirfd;
	struct cgroup *cg;	/* NULL: none (a host without cgroups) */
	int consolefd;		/* --console-socket, connected, or -1 */
	int master;		/* process.terminal without a console socket */
};

enum {
	O_BUNDLE = 1, O_PIDFILE, O_NOPIVOT, O_NOKEYRING, O_PRESERVE,
	O_CONSOLE, O_DETACH, O_KEEP,
};

static const struct opt create_opts[] = {
	{ "bundle", 'b', OPT_ARG, O_BUNDLE },
	{ "pid-file", 0, OPT_ARG, O_PIDFILE },
	{ "no-pivot", 0, OPT_NOARG, O_NOPIVOT },
	{ "no-new-keyring", 0, OPT_NOARG, O_NOKEYRING },
	{ "preserve-fds", 0, OPT_ARG, O_PRESERVE },
	{ "console-socket", 0, OPT_ARG, O_CONSOLE },
	{ "detach", 'd', OPT_NOARG, O_DETACH },
	{ "keep", 0, OPT_NOARG, O_KEEP },
	{ 0 },
};

/* --preserve-fds N: fds 3 .. 3+N-1 stay open in the container. */
static int preserve_count(const char *arg)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || n > 65536)
		return -1;
	return n;
}

static void set_opt(int id, const char *arg, void *ctx)
{
	struct launch *l = ctx;

	switch (id) {
	case O_BUNDLE: l->bundle = arg; break;
	case O_PIDFILE: l->pid_file = arg; break;
	case O_NOPIVOT: l->no_pivot = 1; break;
	case O_NOKEYRING: l->no_new_keyring = 1; break;
	case O_PRESERVE: l->preserve_fds = preserve_count(arg); break;
	case O_DETACH: l->detach = 1; break;
	case O_KEEP: l->keep = 1; break;
	case O_CONSOLE: l->console_socket = arg; break;
	default: break;
	}
}

/* Checks the spec model leaves to the runtime: what this host can do. */
static int check_spec(const struct spec *s, struct err *e)
{
	if (!s->ns[SPEC_NS_MNT].present)
		return err_msg(e, EINVAL, "config.json: linux.namespaces: "
			       "a mount namespace is required");
	if (s->hostname && !s->ns[SPEC_NS_UTS].present)
		return err_msg(e, EINVAL, "config.json: hostname: "
			       "needs a uts namespace");
	if (s->domainname && !s->ns[SPEC_NS_UTS].present)
		return err_msg(e, EINVAL, "config.json: domainname: "
			       "needs a uts namespace");
	return 0;
}

static int open_namespaces(const struct spec *s, int *fds, struct err *e)
{
	int t;

	/* All first: on failure the caller closes every entry. */
	for (t = 0; t < SPEC_NS_COUNT; t++)
		fds[t] = -1;
	for (t = 0; t < SPEC_NS_COUNT; t++) {
		if (!s->ns[t].present || !s->ns[t].path)
			continue;
		fds[t] = open(s->ns[t].path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0)
			return err_sys(e, errno, "config.json: "
				       "linux.namespaces: %s", s->ns[t].path);
	}
	return 0;
}

static void close_namespaces(int *fds)
{
	int t;

	for (t = 0; t < SPEC_NS_COUNT; t++)
		if (fds[t] >= 0)
			close(fds[t]);
}

int write_pid_file(const char *path, pid_t pid)
{
	char buf[16], dir[PATH_MAX], *slash;
	const char *name = path;
	int dfd, r;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		name = path + (slash - dir) + 1;
	}
	dfd = open(slash ? (dir[0] ? dir : "/") : ".",
		   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = write_file_atomic(dfd, name, buf, strlen(buf), 0644,
			      IO_VOLATILE);
	close(dfd);
	return r;
}

static char *owner_name(void)
{
	struct passwd *pw;
	uid_t uid = geteuid();
	char buf[16];

	if (uid == 0)
		return strdup("");
	pw = getpwuid(uid);
	if (pw)
		return strdup(pw->pw_name);
	snprintf(buf, sizeof(buf), "%u", (unsigned)uid);
	return strdup(buf);
}

/* Record the container once its init is ready. */
static int save_state(struct launch *l, const struct spec *s,
		      const char *created, struct err *e)
{
	struct state st = {
		.id = (char *)l->id, .bundle = s->bundle,
		.rootfs = s->root_path, .created = (char *)created,
		.pid = l->pid, .annotations = s->annotations,
		.n_annotations = s->n_annotations, .cgroup = l->cg,
	};
	int r;

	r = proc_stat(l->pid, &st.starttime, NULL);
	if (r < 0)
		return err_sys(e, -r, "container init %d", (int)l->pid);
	st.owner = owner_name();
	r = state_save(l->dirfd, &st, e);
	free(st.owner);
	if (r < 0)
		return r;
	if (l->pid_file) {
		r = write_pid_file(l->pid_file, l->pid);
		if (r < 0)
			return err_sys(e, -r, "pid file %s", l->pid_file);
	}
	return 0;
}

int check_terminal(int detach, int terminal, const char *console_socket,
		   struct err *e)
{
	if (detach && terminal && !console_socket)
		return err_msg(e, EINVAL, "cannot allocate tty if oci-run "
			       "will detach without setting console socket");
	if ((!detach || !terminal) && console_socket)
		return err_msg(e, EINVAL, "cannot use console socket if "
			       "oci-run will not detach or allocate tty");
	return 0;
}

/*
 * The init's next message into msg.  Its "error:" is returned as e; a
 * closed socket means it died, and says how when we can tell.  An fd
 * that comes with it (the terminal's master) is kept in l->master.
 */
static int sync_recv(struct launch *l, char *msg, size_t cap, struct err *e)
{
	int status, fd;

	fd = tty_recv_fd(l->syncfd, msg, cap);
	if (fd < 0 && fd != -EBADMSG)
		return err_sys(e, -fd, "container init");
	if (fd >= 0) {
		if (l->master >= 0)
			close(l->master);
		l->master = fd;
	}
	if (!strncmp(msg, SYNC_ERR_PREFIX, strlen(SYNC_ERR_PREFIX)))
		return err_msg(e, EINVAL, "%s", msg + strlen(SYNC_ERR_PREFIX));
	/* Every message has words: none is the socket closed. */
	if (msg[0])
		return 0;
	if (waitpid(l->pid, &status, WNOHANG) == l->pid) {
		l->pid = 0;
		if (WIFSIGNALED(status))
			return err_msg(e, ECHILD, "container init killed by "
				       "signal %d", WTERMSIG(status));
	}
	return err_msg(e, ECHILD, "container init exited before it was ready");
}

static void drop_cgroup(struct launch *l)
{
	struct err e = { 0 };

	if (l->cg && cgroup_destroy(l->cg, &e) < 0)
		log_warn("%s %s: %s", l->cmd, l->id, e.msg);
	cgroup_free(l->cg);
	l->cg = NULL;
}

/*
 * Make the cgroup and apply linux.resources before there is a process.
 * Without resources a cgroup we cannot make (a read-only or foreign
 * cgroupfs) is no reason to fail: the container runs without one.
 */
static int make_cgroup(struct launch *l, const struct spec *s, struct err *e)
{
	if (!l->cg || cgroup_create(l->cg, s->resources, e) == 0)
		return 0;
	if (s->resources)
		return -e->no;
	log_debug("%s %s: no cgroup: %s", l->cmd, l->id, e->msg);
	cgroup_free(l->cg);
	l->cg = NULL;
	*e = (struct err){ 0 };
	return 0;
}

/*
 * A closed socket is not the error: the init said why before it exited,
 * and the next sync_recv() reads that.
 */
static int init_send(struct launch *l, const char *msg, struct err *e)
{
	if (send(l->syncfd, msg, strlen(msg), MSG_NOSIGNAL) < 0 &&
	    errno != EPIPE && errno != ECONNRESET)
		return err_sys(e, errno, "container init");
	return 0;
}

static int send_continue(struct launch *l, struct err *e)
{
	char msg[32];

	snprintf(msg, sizeof(msg), SYNC_CONTINUE "%d", (int)l->pid);
	return init_send(l, msg, e);
}

pid_t clone_in_cgroup(const struct cgroup *cg, unsigned long flags,
		       int *born)
{
	int fd = cg ? cgroup_v2_open(cg) : -ENOENT;
	pid_t r = -ENOSYS;

	*born = fd >= 0;
	if (fd >= 0) {
		r = sys_clone_into_cgroup(flags, fd);
		close(fd);	/* in the child too */
	}
	if (r == -ENOSYS || r == -EINVAL) {
		*born = 0;
		r = sys_clone_fork(flags);
	}
	return r;
}

/*
 * An init that made its own namespaces forked into the new pid namespace:
 * the pid it reports is the container's, its first process is reaped.
 */
static int recv_pid(struct launch *l, struct err *e)
{
	char msg[ERR_MSG_MAX + 16];
	long pid;

	if (sync_recv(l, msg, sizeof(msg), e) < 0)
		return -e->no;
	if (strncmp(msg, SYNC_PID, strlen(SYNC_PID)) ||
	    (pid = atol(msg + strlen(SYNC_PID))) <= 0)
		return err_msg(e, EPROTO, "container init: unexpected \"%s\"",
			       msg);
	if (pid != l->pid) {
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		l->pid = pid;
	}
	return 0;
}

/* The prestart and createRuntime hooks, in the runtime's namespaces. */
static int run_create_hooks(struct launch *l, const struct spec *s,
			    const char *created, struct err *e)
{
	char *state = hooks_state(s, l->id, STATE_CREATING, l->pid, created);
	int r;

	if (!state)
		return err_sys(e, ENOMEM, "hooks");
	r = hooks_run(s, SPEC_HOOK_PRESTART, state, e);
	if (!r)
		r = hooks_run(s, SPEC_HOOK_CREATE_RUNTIME, state, e);
	free(state);
	return r;
}

/*
 * process.terminal: the master the init sent goes to the console socket,
 * or stays for the relay of `run`.
 */
static int pass_terminal(struct launch *l, struct err *e)
{
	int r;

	if (l->consolefd < 0)
		return 0;
	r = tty_send_fd(l->consolefd, l->master, TTY_MASTER_NAME);
	close(l->master);
	l->master = -1;
	if (r < 0)
		return err_sys(e, -r, "console socket %s", l->console_socket);
	return 0;
}

/* Until "ready": run the hooks the init stops for on the way. */
static int wait_ready(struct launch *l, const struct spec *s,
		      const char *created, struct err *e)
{
	char msg[ERR_MSG_MAX + 16];

	for (;;) {
		if (sync_recv(l, msg, sizeof(msg), e) < 0)
			return -e->no;
		if (!strcmp(msg, SYNC_READY))
			return 0;
		if (l->master >= 0 && !strcmp(msg, TTY_MASTER_NAME)) {
			if (pass_terminal(l, e) < 0)
				return -e->no;
			continue;
		}
		if (strcmp(msg, SYNC_HOOKS))
			return err_msg(e, EPROTO, "container init: "
				       "unexpected \"%s\"", msg);
		if (run_create_hooks(l, s, created, e) < 0 ||
		    send_continue(l, e) < 0)
			return -e->no;
	}
}

/* Only the poststart and poststop hooks are needed after create. */
static int save_hooks(int dirfd, const struct spec *s, struct err *e)
{
	int r;

	if (!s->late_hooks_json)
		return 0;
	r = write_file_atomic(dirfd, STATE_HOOKS, s->late_hooks_json,
			      strlen(s->late_hooks_json), 0600, IO_VOLATILE);
	return r < 0 ? err_sys(e, -r, "write %s", STATE_HOOKS) : 0;
}

static void undo_launch(struct launch *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (l->syncfd >= 0)
		close(l->syncfd);
	drop_cgroup(l);
	if (l->master >= 0)
		close(l->master);
	state_dir_remove(l->rootfd, l->id, l->dirfd);
	close(l->dirfd);
	close(l->rootfd);
}

/*
 * Everything create and run share: validate, make the state directory,
 * clone the init, wait until it is ready, record the state.  On failure
 * nothing is left: no state directory, no process (its mounts died with
 * its mount namespace).
 */
static int launch(const struct oci_global *g, struct launch *l,
		  struct spec **specp)
{
	char bundle[PATH_MAX], *created = l->created;
	struct init_args ia = { .id = l->id, .wait = l->wait,
				.created = created,
				.no_pivot = l->no_pivot,
				.no_new_keyring = l->no_new_keyring,
				.preserve_fds = l->preserve_fds };
	unsigned long flags = 0;
	struct spec *s = NULL;
	struct err e = { 0 };
	int sv[2], t, r, split = 0;

	l->pid = 0;
	l->syncfd = -1;
	l->cg = NULL;
	l->master = -1;
	l->consolefd = -1;
	clock_rfc3339(l->created, sizeof(l->created));
	if (l->preserve_fds < 0) {
		err_msg(&e, EINVAL, "--preserve-fds: expected a count of fds");
		goto out_err;
	}
	if (state_id_check(l->id, &e) < 0)
		goto out_err;
	if (!realpath(l->bundle ? l->bundle : ".", bundle)) {
		err_sys(&e, errno, "bundle %s", l->bundle ? l->bundle : ".");
		goto out_err;
	}
	if (spec_load(bundle, &s, &e) < 0 || check_spec(s, &e) < 0 ||
	    check_terminal(l->detach || l->wait == INIT_WAIT_FIFO,
			   s->process.terminal, l->console_socket, &e) < 0 ||
	    cgroup_plan(s->cgroups_path, l->id, &l->cg, &e) < 0)
		goto out_spec;
	if (cgroup_check(l->cg, s->resources, "linux.resources", &e) < 0)
		goto out_cg;
	log_debug("%s %s: cgroups %s", l->cmd, l->id,
		  cgroup_mode_name(l->cg ? l->cg->mode : CGROUP_NONE));
	if ((r = process_listen_fds(&s->process, &e)) < 0)
		goto out_cg;
	ia.preserve_fds += r;
	/* Connected first, as runc does: a wrong path changes nothing. */
	if (l->console_socket) {
		l->consolefd = tty_console_connect(l->console_socket, &e);
		if (l->consolefd < 0)
			goto out_cg;
	}
	if (open_namespaces(s, ia.nsfds, &e) < 0)
		goto out_ns;

	l->rootfd = state_root_open(g->root, 1, &e);
	if (l->rootfd < 0)
		goto out_ns;
	l->dirfd = state_dir_create(l->rootfd, l->id, &e);
	if (l->dirfd < 0) {
		close(l->rootfd);
		goto out_ns;
	}
	if (l->wait == INIT_WAIT_FIFO &&
	    (mkfifoat(l->dirfd, STATE_FIFO, 0622) < 0 ||
	     fchmodat(l->dirfd, STATE_FIFO, 0622, 0) < 0)) {
		err_sys(&e, errno, "mkfifo %s", STATE_FIFO);
		goto out_undo;
	}
	if ((l->cg && state_save_cgroup(l->dirfd, l->cg, &e) < 0) ||
	    make_cgroup(l, s, &e) < 0)
		goto out_undo;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		err_sys(&e, errno, "socketpair");
		goto out_undo;
	}
	if (ia.nsfds[SPEC_NS_PID] >= 0) {
		/* Only the children of a process land in a joined pid ns. */
		r = sys_setns(ia.nsfds[SPEC_NS_PID], CLONE_NEWPID);
		if (r < 0) {
			close(sv[0]);
			close(sv[1]);
			err_sys(&e, -r, "join %s", s->ns[SPEC_NS_PID].path);
			goto out_undo;
		}
	}
	for (t = 0; t < SPEC_NS_COUNT; t++) {
		if (s->ns[t].present && !s->ns[t].path)
			flags |= spec_ns_clone_flag(t);
		else if (ia.nsfds[t] >= 0 && t != SPEC_NS_PID)
			split |= t == SPEC_NS_USER ||
				 (s->ns[SPEC_NS_USER].present &&
				  !s->ns[SPEC_NS_USER].path);
	}
	/*
	 * The cgroup namespace's root is the cgroup its maker is in: the init
	 * makes it once it is in the container's cgroup.
	 */
	ia.new_cgroupns = !!(flags & CLONE_NEWCGROUP);
	ia.maps_by_user = geteuid() != 0 && s->ns[SPEC_NS_USER].present &&
			  !s->ns[SPEC_NS_USER].path;
	flags &= ~CLONE_NEWCGROUP;
	/*
	 * Namespaces given by path are joined before a new user namespace is
	 * made (or after the one given is joined), so the new ones belong to
	 * the container's user namespace: the init makes them itself and
	 * forks into the new pid namespace; we reap what it leaves.
	 */
	if (split) {
		ia.unshare_flags = flags;
		flags = 0;
		if (ia.unshare_flags & CLONE_NEWPID)
			prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}

	ia.spec = s;
	ia.syncfd = sv[1];
	ia.statefd = l->dirfd;
	ia.staterootfd = l->rootfd;
	ia.cg = l->cg;
	r = clone_in_cgroup(l->cg, flags, &ia.cg_v2_born);
	if (r == 0) {
		close(sv[0]);
		init_container(&ia);
	}
	close(sv[1]);
	l->syncfd = sv[0];
	if (r < 0) {
		close(sv[0]);
		l->syncfd = -1;
		err_sys(&e, -r, "clone");
		goto out_undo;
	}
	l->pid = r;
	if (split && recv_pid(l, &e) < 0)
		goto out_undo;
	log_debug("%s %s: init %d cloned (clone flags %#lx, then %#lx), "
		  "bundle %s", l->cmd, l->id, (int)l->pid, flags,
		  ia.unshare_flags, bundle);
	if (s->ns[SPEC_NS_USER].present && !s->ns[SPEC_NS_USER].path &&
	    userns_write_maps(l->pid, s, &e) < 0)
		goto out_undo;
	if (send_continue(l, &e) < 0 ||
	    wait_ready(l, s, created, &e) < 0 ||
	    save_hooks(l->dirfd, s, &e) < 0 ||
	    save_state(l, s, created, &e) < 0)
		goto out_undo;
	log_debug("%s %s: init %d ready, state saved", l->cmd, l->id,
		  (int)l->pid);
	close_namespaces(ia.nsfds);
	if (l->consolefd >= 0)
		close(l->consolefd);
	*specp = s;
	return 0;

out_undo:
	undo_launch(l);
out_ns:
	close_namespaces(ia.nsfds);
	if (l->consolefd >= 0)
		close(l->consolefd);
out_cg:
	cgroup_free(l->cg);
	l->cg = NULL;
out_spec:
	spec_free(s);
out_err:
	log_error("%s %s: %s", l->cmd, l->id, e.msg);
	return -1;
}

struct spec *late_hooks_load(int dirfd, const char *id)
{
	struct spec *h = NULL;
	struct err e = { 0 };
	int r = spec_load_hooks(dirfd, STATE_HOOKS, &h, &e);

	if (r < 0 && r != -ENOENT)
		log_warn("%s: %s", id, e.msg);
	return r < 0 ? NULL : h;
}

void late_hooks_run(struct spec *h, const struct state *st, int kind,
		    enum state_status status)
{
	struct err e = { 0 };
	char *text;
	int r;

	if (!h)
		return;
	/* Hooks run in the bundle, which only the state remembers. */
	if (!h->bundle && st->bundle)
		h->bundle = strdup(st->bundle);
	text = state_oci_json(st, status, 0);
	r = text ? hooks_run(h, kind, text, &e) : err_sys(&e, ENOMEM, "hooks");
	free(text);
	/* runtime.md: a failing poststart or poststop hook is a warning. */
	if (r < 0)
		log_warn("%s %s: %s", kind == SPEC_HOOK_POSTSTART ? "start" :
			 "delete", st->id, e.msg);
}

static void run_late_hooks(int dirfd, const struct state *st, int kind,
			   enum state_status status)
{
	struct spec *h = late_hooks_load(dirfd, st->id);

	late_hooks_run(h, st, kind, status);
	spec_free(h);
}

/* The state is recorded: let the init go on (to exec.fifo, or to exec). */
static int say_go(struct launch *l)
{
	if (send(l->syncfd, SYNC_GO, strlen(SYNC_GO), MSG_NOSIGNAL) < 0) {
		log_error("%s %s: container init: %s", l->cmd, l->id,
			  strerror(errno));
		undo_launch(l);
		return -1;
	}
	close(l->syncfd);
	l->syncfd = -1;
	return 0;
}

int cmd_create(const struct oci_global *g, int argc, char **argv)
{
	struct launch l = { .cmd = "create", .wait = INIT_WAIT_FIFO };
	struct spec *s;
	char **pos;
	int npos;

	if (cmd_options("create", argc, argv, create_opts, set_opt, &l, 1, 1,
			&pos, &npos) < 0)
		return 1;
	l.id = pos[0];
	if (launch(g, &l, &s) < 0)
		return 1;
	spec_free(s);
	if (say_go(&l) < 0)
		return 1;
	cgroup_free(l.cg);
	close(l.dirfd);
	close(l.rootfd);
	return 0;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int supervise(pid_t pid)
{
	siginfo_t si;
	sigset_t all;
	int status, sig;

	sigfillset(&all);
	for (;;) {
		sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return exit_code(status);
	}
}

int supervise_terminal(pid_t pid, int master, const char *cmd,
		       const char *id)
{
	struct err e = { 0 };
	int status;

	if (tty_relay_stdio(master, pid, &status, &e) == 0)
		return exit_code(status);
	/* Without the relay the process cannot go on: end it. */
	log_error("%s %s: %s", cmd, id, e.msg);
	kill(pid, SIGKILL);
	return supervise(pid);
}

/* What run's own hooks need of the state: start and delete read it. */
static void run_state(struct launch *l, const struct spec *s,
		      struct state *st)
{
	*st = (struct state){
		.id = (char *)l->id, .bundle = s->bundle,
		.rootfs = s->root_path, .created = l->created, .owner = "",
		.pid = l->pid, .annotations = s->annotations,
		.n_annotations = s->n_annotations,
	};
}

int cmd_run(const struct oci_global *g, int argc, char **argv)
{
	struct launch l = { .cmd = "run", .wait = INIT_WAIT_SYNC };
	sigset_t all, old;
	struct err e = { 0 };
	struct state st;
	struct spec *s;
	char **pos;
	int npos, code = 0;

	if (cmd_options("run", argc, argv, create_opts, set_opt, &l, 1, 1,
			&pos, &npos) < 0)
		return 1;
	l.id = pos[0];
	/* Blocked before the clone so no signal for the container is lost;
	 * the init unblocks them just before exec. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (launch(g, &l, &s) < 0)
		return 1;
	if (say_go(&l) < 0) {
		spec_free(s);
		return 1;
	}
	/* st points into s, which lives as long. */
	run_state(&l, s, &st);
	run_late_hooks(l.dirfd, &st, SPEC_HOOK_POSTSTART, STATE_RUNNING);
	if (l.detach)
		goto out;
	/* Others may query the container while it runs. */
	flock(l.dirfd, LOCK_UN);
	/* With a terminal: relayed to ours as runc's tty.go does. */
	if (l.master < 0) {
		code = supervise(l.pid);
	} else {
		code = supervise_terminal(l.pid, l.master, "run", l.id);
		close(l.master);
	}
	log_debug("run %s: init %d exited, status %d", l.id, (int)l.pid, code);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!l.keep) {
		st.pid = 0;
		if (flock(l.dirfd, LOCK_EX) < 0) {
			err_sys(&e, errno, "delete");
			log_error("run %s: %s", l.id, e.msg);
		}
		/* What the init left behind goes with it, as with runc. */
		if (l.cg && cgroup_kill(l.cg, SIGKILL, &e) < 0)
			log_warn("run %s: %s", l.id, e.msg);
		drop_cgroup(&l);
		run_late_hooks(l.dirfd, &st, SPEC_HOOK_POSTSTOP, STATE_STOPPED);
		if (state_dir_remove(l.rootfd, l.id, l.dirfd) < 0) {
			err_sys(&e, errno, "delete");
			log_error("run %s: %s", l.id, e.msg);
		}
	}
out:
	spec_free(s);
	cgroup_free(l.cg);
	close(l.dirfd);
	close(l.rootfd);
	return code;
}

/* Read the init's byte from exec.fifo, or notice that it died. */
static int release_init(int dirfd, const struct state *st, struct err *e)
{
	struct pollfd p[2];
	char c;
	int fifo, pidfd, r;
	ssize_t n;

	pidfd = sys_pidfd_open(st->pid, 0);
	if (pidfd < 0 && pidfd != -ENOSYS)
		return err_msg(e, ESRCH, "container init is gone");
	if (!proc_alive(st->pid, st->starttime)) {
		r = err_msg(e, ESRCH, "container init is gone");
		goto out_pidfd;
	}
	/* Non-blocking: a plain open would hang forever on a dead init. */
	fifo = openat(dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0) {
		r = err_sys(e, errno, "open %s", STATE_FIFO);
		goto out_pidfd;
	}
	p[0] = (struct pollfd){ .fd = fifo, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	do
		r = poll(p, pidfd >= 0 ? 2 : 1, -1);
	while (r < 0 && errno == EINTR);
	n = read(fifo, &c, 1);
	if (n == 1 && c == '0') {
		r = 0;
		unlinkat(dirfd, STATE_FIFO, 0);
	} else {
		r = err_msg(e, ESRCH, "container init exited before start");
	}
	close(fifo);
out_pidfd:
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

int cmd_start(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt none[] = { { 0 } };
	struct container c;
	struct err e = { 0 };
	char **pos;
	int npos, r = 1;

	if (cmd_options("start", argc, argv, none, NULL, NULL, 1, 1, &pos,
			&npos) < 0)
		return 1;
	if (container_open(g, pos[0], 1, &c, &e) < 0)
		goto out;
	switch (c.status) {
	case STATE_CREATED:
		r = release_init(c.dirfd, &c.st, &e) < 0;
		if (r)
			break;
		log_debug("start %s: init %d released", pos[0],
			  (int)c.st.pid);
		run_late_hooks(c.dirfd, &c.st, SPEC_HOOK_POSTSTART,
			       STATE_RUNNING);
		break;
	case STATE_STOPPED:
		err_msg(&e, EINVAL, "cannot start a container that has stopped");
		break;
	case STATE_CREATING:
		err_msg(&e, EINVAL, "container is not created yet");
		break;
	default:
		err_msg(&e, EINVAL, "cannot start an already running container");
		break;
	}
	container_close(&c);
out:
	if (r)
		log_error("start %s: %s", pos[0], e.msg);
	return r;
}
