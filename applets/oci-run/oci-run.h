/* oci-run.h - what the oci-run commands share. */
#ifndef OCI_RUN_H
#define OCI_RUN_H

#include <sys/types.h>

#include "err.h"
#include "spec.h"
#include "state.h"

struct cgroup;

#define OCI_RUN_ROOT "/run/ocibox"

/* Global options, runc's, parsed before the command word. */
struct oci_global {
	const char *root;
	const char *log;
	const char *log_format;
	int debug;
};

/*
 * How the container init waits before exec.  Either way it first waits for
 * "go" on syncfd, which the parent sends once the state is recorded.
 */
enum init_wait {
	INIT_WAIT_FIFO,		/* create: then until `start` opens exec.fifo */
	INIT_WAIT_SYNC,		/* run: go means exec */
};

/* What the parent hands to the cloned container init. */
struct init_args {
	const struct spec *spec;
	int syncfd;		/* SOCK_SEQPACKET to the parent */
	int statefd;		/* the container's state directory */
	int staterootfd;	/* the state root, closed at once */
	int nsfds[SPEC_NS_COUNT]; /* namespaces to join, or -1 */
	const char *id;
	const char *created;	/* RFC 3339, for the hooks' state */
	/*
	 * Namespaces the init makes itself after joining those given by
	 * path (a user namespace joined, or one made after joining others),
	 * then forks for a new pid namespace and reports the pid.  0: the
	 * clone made them all.
	 */
	unsigned long unshare_flags;
	int new_cgroupns;	/* unshared once the init is in its cgroup */
	/*
	 * An unprivileged parent writes our id maps: we stay dumpable until
	 * then.  Decided by the parent: our own euid changes with the maps.
	 */
	int maps_by_user;
	const struct cgroup *cg; /* the init moves itself in, or NULL */
	int cg_v2_born;		/* cloned into cg's cgroup v2 directory */
	enum init_wait wait;
	int no_pivot;
	int no_new_keyring;
	int preserve_fds;
};

/*
 * Sync protocol on syncfd, one SOCK_SEQPACKET message at a time:
 *   init -> parent "pid:N"     the init's pid (only with unshare_flags)
 *   parent -> init "continue:N" maps written; N: its pid
 *   init -> parent "hooks"     namespaces and mounts made, before
 *                              pivot_root: run prestart/createRuntime
 *   parent -> init "continue:N" hooks done
 *   init -> parent "ready"     set up, waiting
 *   parent -> init "go"        state recorded
 * and "error:MESSAGE" from the init, after which it exits.
 */
#define SYNC_PID "pid:"
#define SYNC_CONTINUE "continue:"
#define SYNC_HOOKS "hooks"
#define SYNC_READY "ready"
#define SYNC_GO "go"
#define SYNC_ERR_PREFIX "error:"

/* In the child after clone(): set up, report, wait, exec.  Never returns. */
__attribute__((noreturn)) void init_container(const struct init_args *a);

/* hooks.c: the hooks of kind, state (JSON) on stdin; the first failure stops. */
int hooks_run(const struct spec *s, int kind, const char *state,
	      struct err *e);
/* The state JSON hooks read, as `state` prints it; malloc'd or NULL. */
char *hooks_state(const struct spec *s, const char *id,
		  enum state_status status, pid_t pid, const char *created);

/*
 * The poststart and poststop hooks kept in the state directory dirfd, or
 * NULL when there are none; running them with st as their state (and h
 * NULL a no-op) only warns on failure (runtime.md).
 */
struct spec *late_hooks_load(int dirfd, const char *id);
void late_hooks_run(struct spec *h, const struct state *st, int kind,
		    enum state_status status);

/*
 * process.c: becoming the process, for the init and exec alike.  procfd
 * is the host's /proc.  0 (or an fd) or -errno with e set.
 */
int process_limits(const struct spec_process *p, int procfd, struct err *e);
/* userns: in a user namespace (setgroups may be denied there). */
int process_identity(const struct spec_process *p, int procfd, int userns,
		     struct err *e);
/* execvp(3)'s search, before the go-ahead so create can report it. */
int process_find_exec(const struct spec_process *p, char *out, size_t len,
		      struct err *e);
/* The cwd inside the root ("/" by now), as an O_PATH handle. */
int process_open_cwd(const struct spec_process *p, struct err *e);
/*
 * Every fd from first on closed at exec: close_range(CLOEXEC) where the
 * kernel has it (5.11), else each fd of /proc/self/fd.  A leaked host fd
 * is an escape, so failing to make sure of it is an error.
 */
int process_cloexec_from(int procfd, int first, struct err *e);
/*
 * Socket activation, as runc passes it on: when LISTEN_PID is ours, the
 * LISTEN_FDS fds from 3 go to the process, whose env gets LISTEN_FDS=N
 * and LISTEN_PID=1.  Returns N (0: none), or -errno with e set.
 */
int process_listen_fds(struct spec_process *p, struct err *e);

/*
 * sealed.c: re-exec from a memfd copy of ourselves sealed against writes,
 * unless that is what runs already (then 0).  Returns only on failure.
 */
int sealed_reexec(char **argv, char **envp, struct err *e);

/* userns.c: write s's uid and gid maps for pid's new user namespace. */
int userns_write_maps(pid_t pid, const struct spec *s, struct err *e);

/*
 * In the foreground: forward every signal to pid until it exits; its exit
 * status (128 + signal when killed).  All signals must be blocked.
 */
int supervise(pid_t pid);

/*
 * supervise() with process.terminal: the pty master relayed to our
 * terminal (tty_relay_stdio()) until pid exits.  A relay that fails is
 * logged as "CMD ID: why" and pid killed.  The exit status.
 */
int supervise_terminal(pid_t pid, int master, const char *cmd,
		       const char *id);

/*
 * runc's rules (checkTerminal) for who gets a terminal's master: one that
 * detaches needs --console-socket, and --console-socket needs both.
 */
int check_terminal(int detach, int terminal, const char *console_socket,
		   struct err *e);

/*
 * sys_clone_fork(), the child born in cg's cgroup v2 directory where the
 * kernel can (CLONE_INTO_CGROUP); it then moves itself into the v1 ones
 * (cgroup_enter_self()), so no move waits for an RCU grace period.
 * *born says which happened; the child reads it, so it is set first.
 */
pid_t clone_in_cgroup(const struct cgroup *cg, unsigned long flags,
		      int *born);

/* path = the pid in decimal, no newline, replaced atomically.  -errno. */
int write_pid_file(const char *path, pid_t pid);

int cmd_exec(const struct oci_global *g, int argc, char **argv);
int cmd_features(const struct oci_global *g, int argc, char **argv);
int cmd_create(const struct oci_global *g, int argc, char **argv);
int cmd_run(const struct oci_global *g, int argc, char **argv);
int cmd_start(const struct oci_global *g, int argc, char **argv);
int cmd_state(const struct oci_global *g, int argc, char **argv);
int cmd_list(const struct oci_global *g, int argc, char **argv);
int cmd_kill(const struct oci_global *g, int argc, char **argv);
int cmd_delete(const struct oci_global *g, int argc, char **argv);
int cmd_spec(const struct oci_global *g, int argc, char **argv);
int cmd_update(const struct oci_global *g, int argc, char **argv);
int cmd_pause(const struct oci_global *g, int argc, char **argv);
int cmd_resume(const struct oci_global *g, int argc, char **argv);
int cmd_ps(const struct oci_global *g, int argc, char **argv);

/*
 * Parse a command's options from tab (OPT_PERMUTE) and require between
 * min_pos and max_pos positionals (opt_command()); on a usage error it
 * logs and returns a negative value.  The positionals are returned in pos and npos.  Each option found is passed to
 * set(id, arg, ctx).
 */
struct opt;
int cmd_options(const char *cmd, int argc, char **argv, const struct opt *tab,
		void (*set)(int id, const char *arg, void *ctx), void *ctx,
		int min_pos, int max_pos, char ***pos, int *npos);

/* One container of the state root, opened by a command. */
struct container {
	int rootfd;
	int dirfd;
	struct state st;	/* st.id set even while creating */
	enum state_status status;
};

/*
 * Open <root>/<id> (taking its lock if asked) and read its state.  A
 * missing root or directory -> "container does not exist"; a directory
 * without state.json is STATE_CREATING (being created, or a create that
 * died half-way when we hold the lock).  0 or -errno with e set.
 */
int container_open(const struct oci_global *g, const char *id, int lock,
		   struct container *c, struct err *e);
void container_close(struct container *c);

#endif
