/* oci-run.h - what the oci-run commands share. */
#ifndef OCI_RUN_H
#define OCI_RUN_H

#include <sys/types.h>

#include "err.h"
#include "spec.h"
#include "state.h"

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
	enum init_wait wait;
	int no_pivot;
	int no_new_keyring;
	int preserve_fds;
	int unshare_cgroupns;	/* a new cgroup ns, made once placed */
};

/*
 * Sync protocol on syncfd: placed (parent: the init is in its cgroup),
 * ready or error (init), go (parent).
 */
#define SYNC_PLACED "placed"
#define SYNC_READY "ready"
#define SYNC_GO "go"
#define SYNC_ERR_PREFIX "error:"

/* In the child after clone(): set up, report, wait, exec.  Never returns. */
__attribute__((noreturn)) void init_container(const struct init_args *a);

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
 * min_pos and max_pos positionals; on a usage error it logs and returns
 * -1.  The positionals are returned in pos and npos.  Each option found is passed to
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
