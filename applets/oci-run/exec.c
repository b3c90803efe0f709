/*
 * exec.c - `oci-run exec`: run another process in a created or running
 * container, as runc exec does (runc-exec(8)).  The process is the
 * container's config.json "process" (or --process FILE) with the command
 * line's changes; it joins every namespace of the container's init, its
 * root, and gets the container's limits, user, capabilities and seccomp
 * filter.  Exit status: the process's, or 255 when the runtime fails.
 *
 * The child is not dumpable and closes every host fd but stdio and the
 * preserved ones before exec; its cwd is resolved by handle inside the
 * container, so neither a leaked fd nor a /proc/self/fd cwd reaches the
 * host (CVE-2024-21626).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"
#include "proc.h"
#include "seccomp_bpf.h"
#include "sys.h"
#include "tty.h"

/* The runtime's own failure, as runc reports it. */
#define EXEC_FAILED 255

struct exec_opts {
	const char *process;	/* --process FILE */
	const char *cwd;
	const char *user;	/* uid[:gid] */
	const char *pid_file;
	const char *console_socket;
	char **env;		/* --env, in order */
	size_t n_env;
	gid_t *gids;		/* --additional-gids */
	size_t n_gids;
	uint64_t caps;		/* --cap */
	int tty, detach, no_new_privs;
	int preserve_fds;	/* with the LISTEN_FDS ones */
	char bad[128];		/* the first bad value, for the message */
};

enum {
	X_CONSOLE = 1, X_CWD, X_ENV, X_TTY, X_USER, X_GIDS, X_PROCESS,
	X_DETACH, X_PIDFILE, X_LABEL, X_APPARMOR, X_NNP, X_CAP, X_PRESERVE,
	X_CGROUP, X_IGNORE_PAUSED,
};

static const struct opt exec_opts_tab[] = {
	{ "console-socket", 0, OPT_ARG, X_CONSOLE },
	{ "cwd", 0, OPT_ARG, X_CWD },
	{ "env", 'e', OPT_ARG, X_ENV },
	{ "tty", 't', OPT_NOARG, X_TTY },
	{ "user", 'u', OPT_ARG, X_USER },
	{ "additional-gids", 'g', OPT_ARG, X_GIDS },
	{ "process", 'p', OPT_ARG, X_PROCESS },
	{ "detach", 'd', OPT_NOARG, X_DETACH },
	{ "pid-file", 0, OPT_ARG, X_PIDFILE },
	{ "process-label", 0, OPT_ARG, X_LABEL },
	{ "apparmor", 0, OPT_ARG, X_APPARMOR },
	{ "no-new-privs", 0, OPT_NOARG, X_NNP },
	{ "cap", 'c', OPT_ARG, X_CAP },
	{ "preserve-fds", 0, OPT_ARG, X_PRESERVE },
	{ "cgroup", 0, OPT_ARG, X_CGROUP },
	{ "ignore-paused", 0, OPT_NOARG, X_IGNORE_PAUSED },
	{ 0 },
};

static int parse_id(const char *s, const char *end, uint32_t *out)
{
	unsigned long long v = 0;

	if (s == end || end - s > 10)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 4294967294ULL)
		return -1;
	*out = v;
	return 0;
}

static void bad(struct exec_opts *o, const char *opt, const char *arg,
		const char *want)
{
	if (!o->bad[0])
		snprintf(o->bad, sizeof(o->bad), "--%s %s: %s", opt, arg, want);
}

static void *grow(void *v, size_t n, size_t size)
{
	return realloc(v, (n + 2) * size);
}

static void set_opt(struct exec_opts *o, int id, const char *arg)
{
	uint32_t u, g;
	const char *colon;
	char *end;
	long n;
	int cap;

	switch (id) {
	case X_CONSOLE: o->console_socket = arg; break;
	case X_CWD: o->cwd = arg; break;
	case X_TTY: o->tty = 1; break;
	case X_PROCESS: o->process = arg; break;
	case X_DETACH: o->detach = 1; break;
	case X_PIDFILE: o->pid_file = arg; break;
	case X_NNP: o->no_new_privs = 1; break;
	case X_ENV:
		if (!strchr(arg, '=')) {
			bad(o, "env", arg, "expected NAME=VALUE");
			break;
		}
		o->env = grow(o->env, o->n_env, sizeof(*o->env));
		if (o->env)
			o->env[o->n_env++] = (char *)arg;
		else
			bad(o, "env", arg, "out of memory");
		break;
	case X_USER:
		colon = strchr(arg, ':');
		if (parse_id(arg, colon ? colon : arg + strlen(arg), &u) < 0 ||
		    (colon && parse_id(colon + 1, colon + 1 + strlen(colon + 1),
				       &g) < 0))
			bad(o, "user", arg, "expected UID[:GID]");
		else
			o->user = arg;
		break;
	case X_GIDS:
		if (parse_id(arg, arg + strlen(arg), &g) < 0) {
			bad(o, "additional-gids", arg, "expected a gid");
			break;
		}
		o->gids = grow(o->gids, o->n_gids, sizeof(*o->gids));
		if (o->gids)
			o->gids[o->n_gids++] = g;
		else
			bad(o, "additional-gids", arg, "out of memory");
		break;
	case X_CAP:
		cap = caps_from_name(arg);
		if (cap < 0)
			bad(o, "cap", arg, "unknown capability");
		else
			o->caps |= UINT64_C(1) << cap;
		break;
	case X_PRESERVE:
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || end == arg || *end || n < 0 || n > 65536)
			bad(o, "preserve-fds", arg, "expected a count of fds");
		else
			o->preserve_fds = n;
		break;
	case X_LABEL:
	case X_APPARMOR:
		if (*arg)
			bad(o, id == X_LABEL ? "process-label" : "apparmor",
			    arg, "not supported");
		break;
	case X_CGROUP:
		bad(o, "cgroup", arg, "not supported");
		break;
	default:
		break;
	}
}

/* The container's process as config.json has it, changed by the flags. */
static int apply_opts(struct spec *s, const struct exec_opts *o,
		      char **cmd, int ncmd, struct err *e)
{
	struct spec_process *p = &s->process;
	struct spec *ps;
	size_t n, i;
	char *text, **v;
	uint32_t id;
	int r;

	if (o->process) {
		r = read_file_at(AT_FDCWD, o->process, SPEC_FILE_MAX, &text,
				 &n);
		if (r < 0)
			return err_sys(e, -r, "--process %s", o->process);
		r = spec_process_parse(text, n, o->process, &ps, e);
		free(text);
		if (r < 0)
			return r;
		/* The file's process replaces the config's, whole. */
		*p = ps->process;
		memset(&ps->process, 0, sizeof(ps->process));
		spec_free(ps);
		return 0;
	}
	json_strv_free(p->args);
	p->args = calloc(ncmd + 1, sizeof(*p->args));
	for (i = 0; p->args && i < (size_t)ncmd; i++)
		if (!(p->args[i] = strdup(cmd[i])))
			return err_sys(e, ENOMEM, "args");
	if (!p->args)
		return err_sys(e, ENOMEM, "args");
	p->terminal = o->tty;
	if (o->cwd) {
		if (*o->cwd != '/')
			return err_msg(e, EINVAL, "--cwd %s: not an absolute "
				       "path", o->cwd);
		free(p->cwd);
		if (!(p->cwd = strdup(o->cwd)))
			return err_sys(e, ENOMEM, "cwd");
	}
	for (n = 0; p->env && p->env[n]; n++)
		;
	v = realloc(p->env, (n + o->n_env + 1) * sizeof(*v));
	if (!v)
		return err_sys(e, ENOMEM, "env");
	p->env = v;
	for (i = 0; i < o->n_env; i++)
		if (!(v[n + i] = strdup(o->env[i])))
			return err_sys(e, ENOMEM, "env");
	v[n + o->n_env] = NULL;
	if (o->user) {
		parse_id(o->user, strchrnul(o->user, ':'), &id);
		p->user.uid = id;
		if (strchr(o->user, ':'))
			parse_id(strchr(o->user, ':') + 1,
				 o->user + strlen(o->user), &id);
		else
			id = 0;
		p->user.gid = id;
	}
	if (o->n_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = malloc(o->n_gids * sizeof(gid_t));
		if (!p->user.additional_gids)
			return err_sys(e, ENOMEM, "additional gids");
		memcpy(p->user.additional_gids, o->gids,
		       o->n_gids * sizeof(gid_t));
		p->user.n_additional_gids = o->n_gids;
	}
	/* Never inheritable (CVE-2022-29162): only what was asked for. */
	p->caps.bounding |= o->caps;
	p->caps.effective |= o->caps;
	p->caps.permitted |= o->caps;
	p->caps.ambient |= o->caps;
	p->no_new_privileges |= o->no_new_privs;
	return 0;
}

/* What the child needs of the container: its namespaces, by handle. */
struct target {
	pid_t pid;
	int procfd;		/* the host's /proc */
	int nsfds[SPEC_NS_COUNT]; /* the init's namespaces unlike ours, or -1 */
	int syncfd;		/* child's end */
	struct seccomp_bpf bpf;	/* the container's filter, len 0: none */
	const struct cgroup *cg; /* the container's, or NULL */
	int cg_v2_born;		/* the child cloned into its v2 directory */
};

static void close_target(struct target *t)
{
	int k;

	for (k = 0; k < SPEC_NS_COUNT; k++)
		if (t->nsfds[k] >= 0)
			close(t->nsfds[k]);
	if (t->procfd >= 0)
		close(t->procfd);
	seccomp_bpf_free(&t->bpf);
}

/* Open the init's namespaces that differ from ours (runc joins those). */
static int open_target(struct target *t, const struct container *c,
		       struct err *e)
{
	struct stat theirs, ours;
	char path[48];
	int k, fd;

	t->pid = c->st.pid;
	t->cg = c->st.cgroup;
	t->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0)
		return err_sys(e, errno, "open /proc");
	for (k = 0; k < SPEC_NS_COUNT; k++) {
		snprintf(path, sizeof(path), "%d/ns/%s", (int)t->pid,
			 spec_ns_proc_name(k));
		fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && k == SPEC_NS_TIME)
			continue;
		if (fd < 0)
			return err_sys(e, errno, "open /proc/%s", path);
		snprintf(path, sizeof(path), "self/ns/%s",
			 spec_ns_proc_name(k));
		if (fstat(fd, &theirs) == 0 &&
		    fstatat(t->procfd, path, &ours, 0) == 0 &&
		    theirs.st_ino == ours.st_ino &&
		    theirs.st_dev == ours.st_dev) {
			close(fd);
			continue;
		}
		t->nsfds[k] = fd;
	}
	/* The handles pin the namespaces: is the pid still the init's? */
	if (!proc_alive(c->st.pid, c->st.starttime))
		return err_msg(e, ESRCH, "container not running");
	return 0;
}

/* Report why, and end: the parent prints it. */
__attribute__((noreturn)) static void child_fail(int syncfd, struct err *e)
{
	char msg[sizeof(SYNC_ERR_PREFIX) + ERR_MSG_MAX];
	int n = snprintf(msg, sizeof(msg), SYNC_ERR_PREFIX "%s", e->msg);

	if (n > (int)sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	send(syncfd, msg, n, MSG_NOSIGNAL);
	_exit(EXEC_FAILED);
}

static int join(const struct target *t, int k, struct err *e)
{
	int r;

	if (t->nsfds[k] < 0)
		return 0;
	r = sys_setns(t->nsfds[k], spec_ns_clone_flag(k));
	return r < 0 ? err_sys(e, -r, "join %s namespace",
			       spec_ns_proc_name(k)) : 0;
}

static int install(const struct seccomp_bpf *f, struct err *e)
{
	int r = seccomp_bpf_install(f);

	return r < 0 ? err_sys(e, -r, "install seccomp filter") : 0;
}

/*
 * --tty: a pty of the container's devpts, its master to the parent, its
 * slave our controlling terminal and stdio (runc docs/terminals.md).
 */
static void exec_terminal(const struct target *t,
			  const struct spec_process *p, struct err *e)
{
	int master, slave, r;

	if (tty_pty_open(AT_FDCWD, "/dev/pts/ptmx", p->console_height,
			 p->console_width, &master, &slave, NULL, 0, e) < 0)
		child_fail(t->syncfd, e);
	r = tty_send_fd(t->syncfd, master, TTY_MASTER_NAME);
	close(master);
	if (r < 0) {
		err_sys(e, -r, "send terminal");
		child_fail(t->syncfd, e);
	}
	if (tty_make_stdio(slave, e) < 0)
		child_fail(t->syncfd, e);
}

/* In the child: the container's namespaces, then become its process. */
__attribute__((noreturn)) static void exec_child(const struct target *t,
						 const struct spec *s,
						 const struct exec_opts *o)
{
	static const int order[] = {
		SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NET, SPEC_NS_CGROUP,
		SPEC_NS_MNT,
	};
	const struct spec_process *p = &s->process;
	char exe[PATH_MAX], msg[32];
	struct err e = { 0 };
	sigset_t none;
	size_t i;
	pid_t pid;
	int cwdfd;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (!o->detach)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* While our ids are the host's, as the init does. */
	if (cgroup_enter_self(t->cg, t->cg_v2_born, &e) < 0)
		child_fail(t->syncfd, &e);
	/* The user namespace first: it gives the rights to join the rest. */
	if (join(t, SPEC_NS_USER, &e) < 0)
		child_fail(t->syncfd, &e);
	if (t->nsfds[SPEC_NS_USER] >= 0) {
		if (join(t, SPEC_NS_PID, &e) < 0)
			child_fail(t->syncfd, &e);
		/* Only our children land in the pid namespace joined. */
		if (t->nsfds[SPEC_NS_PID] >= 0) {
			pid = sys_clone_fork(0);
			if (pid < 0) {
				err_sys(&e, -pid, "fork");
				child_fail(t->syncfd, &e);
			}
			if (pid > 0) {
				snprintf(msg, sizeof(msg), SYNC_PID "%d",
					 (int)pid);
				send(t->syncfd, msg, strlen(msg), MSG_NOSIGNAL);
				_exit(0);
			}
			/* No death signal: our parent is about to exit. */
		}
		if (setresgid(0, 0, 0) == 0)
			setresuid(0, 0, 0);
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (join(t, order[i], &e) < 0)
			child_fail(t->syncfd, &e);
	/*
	 * As the init: a session of our own, so the caller's terminal is not
	 * ours and TIOCSTI on it fails; with --tty, the container's.
	 */
	if (setsid() < 0) {
		err_sys(&e, errno, "setsid");
		child_fail(t->syncfd, &e);
	}
	/* setns(mnt) put us at the container's root. */
	if (p->terminal)
		exec_terminal(t, p, &e);
	if (process_limits(p, t->procfd, &e) < 0)
		child_fail(t->syncfd, &e);
	cwdfd = process_open_cwd(p, &e);
	if (cwdfd < 0)
		child_fail(t->syncfd, &e);
	/* The container's filter, installed when and as the init's was. */
	if (t->bpf.len && !p->no_new_privileges &&
	    install(&t->bpf, &e) < 0)
		child_fail(t->syncfd, &e);
	if (process_identity(p, t->procfd, s->ns[SPEC_NS_USER].present,
			     &e) < 0)
		child_fail(t->syncfd, &e);
	if (fchdir(cwdfd) < 0) {
		err_sys(&e, errno, "chdir %s", p->cwd);
		child_fail(t->syncfd, &e);
	}
	close(cwdfd);
	umask(p->user.umask >= 0 ? p->user.umask : 022);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err_sys(&e, errno, "set no_new_privs");
		child_fail(t->syncfd, &e);
	}
	if (process_find_exec(p, exe, sizeof(exe), &e) < 0 ||
	    process_cloexec_from(t->procfd, 3 + o->preserve_fds, &e) < 0)
		child_fail(t->syncfd, &e);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (t->bpf.len && p->no_new_privileges && install(&t->bpf, &e) < 0)
		child_fail(t->syncfd, &e);
	/* Success closes syncfd (close-on-exec) without a word. */
	execve(exe, p->args, p->env);
	err_sys(&e, errno, "exec %s", exe);
	child_fail(t->syncfd, &e);
}

/*
 * Start the child and wait until it has exec'd (or said why not).  With
 * --tty, *master is the pty master it sent.  Returns the process's pid or
 * -errno with e set.
 */
static pid_t launch(struct target *t, const struct spec *s,
		    const struct exec_opts *o, int *master, struct err *e)
{
	char msg[ERR_MSG_MAX + 16];
	pid_t pid, r;
	int sv[2], fd;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_sys(e, errno, "socketpair");
	/*
	 * Without a user namespace to join first, we join the pid namespace
	 * ourselves (it only moves our children) and save the child a fork.
	 */
	if (t->nsfds[SPEC_NS_USER] < 0 && t->nsfds[SPEC_NS_PID] >= 0) {
		r = sys_setns(t->nsfds[SPEC_NS_PID], CLONE_NEWPID);
		if (r < 0) {
			close(sv[0]);
			close(sv[1]);
			return err_sys(e, -r, "join pid namespace");
		}
		close(t->nsfds[SPEC_NS_PID]);
		t->nsfds[SPEC_NS_PID] = -1;
	} else if (t->nsfds[SPEC_NS_PID] >= 0) {
		/* The child forks into it and leaves its process to us. */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}
	t->syncfd = sv[1];
	pid = clone_in_cgroup(t->cg, 0, &t->cg_v2_born);
	if (pid == 0) {
		close(sv[0]);
		exec_child(t, s, o);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return err_sys(e, -pid, "fork");
	}
	for (;;) {
		fd = tty_recv_fd(sv[0], msg, sizeof(msg));
		/* Closed at exec without a word: it runs. */
		if ((fd < 0 && fd != -EBADMSG) || !msg[0])
			break;
		if (fd >= 0 && !strcmp(msg, TTY_MASTER_NAME)) {
			if (*master >= 0)
				close(*master);
			*master = fd;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (!strncmp(msg, SYNC_PID, strlen(SYNC_PID))) {
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			pid = atoi(msg + strlen(SYNC_PID));
			continue;
		}
		err_msg(e, EINVAL, "%s", !strncmp(msg, SYNC_ERR_PREFIX,
						   strlen(SYNC_ERR_PREFIX)) ?
			msg + strlen(SYNC_ERR_PREFIX) : msg);
		goto out_wait;
	}
	close(sv[0]);
	return pid;

out_wait:
	close(sv[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (*master >= 0)
		close(*master);
	*master = -1;
	return -e->no;
}

int cmd_exec(const struct oci_global *g, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct target t = { .procfd = -1 };
	struct container c;
	struct err e = { 0 };
	struct opt_iter it;
	struct spec *s = NULL;
	sigset_t all, old;
	int id, npos, k, r, code = EXEC_FAILED, master = -1, consolefd = -1;
	char **pos;
	pid_t pid;

	for (k = 0; k < SPEC_NS_COUNT; k++)
		t.nsfds[k] = -1;
	/* runc's: options before the id; the command's own are its own. */
	opt_start(&it, argc, argv, OPT_STOP);
	while ((id = opt_next(&it, exec_opts_tab, &e)) != 0) {
		if (id < 0) {
			log_error("exec: %s", e.msg);
			return 1;
		}
		set_opt(&o, id, it.arg);
	}
	pos = opt_rest(&it, &npos);
	if (o.bad[0]) {
		log_error("exec: %s", o.bad);
		goto out_opts;
	}
	if (npos < 1) {
		log_error("exec: needs a container ID and a command "
			  "(or --process FILE)");
		code = 1;
		goto out_opts;
	}
	/* runc's status: not a usage error but a process it cannot run. */
	if (npos < 2 && !o.process) {
		log_error("exec %s: needs a command (or --process FILE)",
			  pos[0]);
		goto out_opts;
	}
	if (container_open(g, pos[0], 0, &c, &e) < 0)
		goto out_err;
	if (c.status == STATE_STOPPED || c.status == STATE_CREATING) {
		err_msg(&e, EINVAL, "cannot exec in a stopped container");
		goto out_container;
	}
	if (c.status == STATE_PAUSED) {
		err_msg(&e, EINVAL, "cannot exec in a paused container");
		goto out_container;
	}
	if (spec_load(c.st.bundle, &s, &e) < 0 ||
	    apply_opts(s, &o, pos + 1, npos - 1, &e) < 0 ||
	    (r = process_listen_fds(&s->process, &e)) < 0 ||
	    (o.preserve_fds += r, open_target(&t, &c, &e) < 0) ||
	    (s->seccomp && seccomp_bpf_compile(s->seccomp, &t.bpf, &e) < 0))
		goto out_target;
	if (check_terminal(o.detach, s->process.terminal, o.console_socket,
			   &e) < 0)
		goto out_target;
	if (o.console_socket) {
		consolefd = tty_console_connect(o.console_socket, &e);
		if (consolefd < 0)
			goto out_target;
	}
	/* Blocked before the fork so no signal for the process is lost. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = launch(&t, s, &o, &master, &e);
	if (pid < 0)
		goto out_mask;
	if (s->process.terminal && master < 0) {
		err_msg(&e, EPROTO, "no terminal from the process");
		kill(pid, SIGKILL);
		goto out_mask;
	}
	if (consolefd >= 0) {
		r = tty_send_fd(consolefd, master, TTY_MASTER_NAME);
		close(master);
		master = -1;
		if (r < 0) {
			err_sys(&e, -r, "console socket %s", o.console_socket);
			kill(pid, SIGKILL);
			goto out_mask;
		}
	}
	log_debug("exec %s: process %d: %s", pos[0], (int)pid,
		  s->process.args[0]);
	if (o.pid_file && (r = write_pid_file(o.pid_file, pid)) < 0) {
		err_sys(&e, -r, "pid file %s", o.pid_file);
		kill(pid, SIGKILL);
		goto out_mask;
	}
	if (o.detach)
		code = 0;
	else if (master >= 0)
		code = supervise_terminal(pid, master, "exec", pos[0]);
	else
		code = supervise(pid);
	if (master >= 0)
		close(master);
	if (consolefd >= 0)
		close(consolefd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_target(&t);
	spec_free(s);
	container_close(&c);
	free(o.env);
	free(o.gids);
	return code;

out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (master >= 0)
		close(master);
out_target:
	if (consolefd >= 0)
		close(consolefd);
	close_target(&t);
	spec_free(s);
out_container:
	container_close(&c);
out_err:
	log_error("exec %s: %s", pos[0], e.msg);
out_opts:
	free(o.env);
	free(o.gids);
	return code;
}
