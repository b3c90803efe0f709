/*
 * cgroup.h - the container's control groups with the cgroupfs driver, as
 * runc's libcontainer/cgroups/fs and fs2 do it (runtime-spec
 * config-linux.md "Control groups"; kernel Documentation/admin-guide/
 * cgroup-v1/ and cgroup-v2.rst).  The host's setup is found at run time:
 * v2 (cgroup2 at /sys/fs/cgroup), v1 (one mount per hierarchy under it),
 * hybrid (v1 plus a cgroup2 at /sys/fs/cgroup/unified holding what v1 does
 * not) or none.  A container's cgroup is one directory per hierarchy; each
 * controller is served by the v1 hierarchy that has it, else by cgroup v2.
 */
#ifndef CORE_CGROUP_H
#define CORE_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "spec_resources.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

enum cgroup_mode {
	CGROUP_NONE,
	CGROUP_V1,
	CGROUP_HYBRID,
	CGROUP_V2,
};

struct cgroup_dir {
	/* v1: the hierarchy's controllers ("cpu,cpuacct", "name=systemd");
	 * "" for cgroup v2, as runc's state.json keys them. */
	char *name;
	char *path;		/* the container's cgroup directory */
	char *mnt;		/* the hierarchy's mount; NULL once loaded */
};

struct cgroup {
	enum cgroup_mode mode;
	struct cgroup_dir *dirs;
	size_t n, cap;
	size_t made;		/* create: levels it made, for undo */
	char **made_paths;
};

const char *cgroup_mode_name(enum cgroup_mode m);

/*
 * Find the host's hierarchies and where the container's cgroup goes in
 * each: cgroupsPath absolute = below the hierarchy's root; relative (or
 * none given: the container id) = below the runtime's own cgroup, or on
 * pure v2 below its parent, as runc does.  *out is NULL on a host
 * without cgroups.  Nothing is touched on disk.
 */
int cgroup_plan(const char *cgroups_path, const char *id,
		struct cgroup **out, struct err *e);

/*
 * The cgroup pid is in, in every hierarchy of this host as cgroup_plan()
 * finds them (from /proc/PID/cgroup), e.g. for another process to join
 * it with cgroup_enter_self().  *out is NULL on a host without cgroups.
 */
int cgroup_of_pid(pid_t pid, struct cgroup **out, struct err *e);

/*
 * Every controller r needs is on this host (cg may be NULL: none), or
 * "PREFIX.memory: no memory cgroup controller on this host".
 */
int cgroup_check(const struct cgroup *cg, const struct spec_resources *r,
		 const char *prefix, struct err *e);

/*
 * mkdir the cgroup in every hierarchy (cpuset parents get cpus and mems
 * on v1; on v2 the parents' cgroup.subtree_control enables controllers),
 * then apply r (NULL: only runc's default device rules).  On failure
 * what it made is removed.
 */
int cgroup_create(struct cgroup *cg, const struct spec_resources *r,
		  struct err *e);

/*
 * Write what r sets to the cgroup's files.  Device rules replace the
 * list whole, with runc's default devices (null, zero, full, tty,
 * ptmx...) allowed after them; with create set the device list is
 * written even when r has no rules (a new container: defaults only).
 */
int cgroup_apply(const struct cgroup *cg, const struct spec_resources *r,
		 int create, struct err *e);

/* Move pid into every hierarchy's cgroup. */
int cgroup_enter(const struct cgroup *cg, pid_t pid, struct err *e);
/*
 * Move the calling single-threaded process in: "0" into each v1
 * hierarchy's tasks, which moves one thread, ourselves, without the
 * global lock whose taking waits for an RCU grace period (milliseconds)
 * as writing a pid to cgroup.procs does; and into cgroup v2's
 * cgroup.procs unless v2_born (cloned there with CLONE_INTO_CGROUP).
 */
int cgroup_enter_self(const struct cgroup *cg, int v2_born, struct err *e);
/* The cgroup v2 directory, for CLONE_INTO_CGROUP: fd, or -ENOENT. */
int cgroup_v2_open(const struct cgroup *cg);

/* Freeze (1) or thaw (0), waiting until the kernel says it is done. */
int cgroup_freeze(const struct cgroup *cg, int frozen, struct err *e);
/*
 * 1 frozen, 0 not (or no freezer), -errno.  task_state: the state letter
 * of one of its tasks (proc_alive_state()), or 0.  A task of a frozen v1
 * cgroup sleeps in the refrigerator, which /proc shows as 'D' (TASK_FROZEN
 * since Linux 6.1, TASK_UNINTERRUPTIBLE before): any other letter answers
 * without reading the freezer.  v2's frozen tasks show 'S', like any.
 */
int cgroup_frozen(const struct cgroup *cg, char task_state);

/*
 * The pids in the cgroup and below it, in every hierarchy, each once and
 * sorted, in a malloc'd vector.
 */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n,
		struct err *e);

/*
 * Signal everything in the cgroup: cgroup.kill for SIGKILL where v2 has
 * it, else each pid while the cgroup is frozen (so none forks away).
 */
int cgroup_kill(const struct cgroup *cg, int sig, struct err *e);

/* rmdir the container's directories (and any below), retrying while the
 * last processes leave.  Missing ones are fine. */
int cgroup_destroy(const struct cgroup *cg, struct err *e);

/* For a cgroup read back from state.json. */
struct cgroup *cgroup_new(void);
int cgroup_add(struct cgroup *cg, const char *name, const char *path);
void cgroup_free(struct cgroup *cg);

#endif
