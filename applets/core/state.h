/*
 * state.h - the container state store (DESIGN §4): <root>/<id>/state.json
 * written atomically, one flock per container on its directory, the init's
 * pid kept with its start time.  The status is not stored but derived, as
 * runc does: no state.json yet = creating; init alive and exec.fifo present
 * = created; init alive = running; otherwise stopped.
 */
#ifndef CORE_STATE_H
#define CORE_STATE_H

#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "err.h"
#include "spec.h"

#define STATE_FIFO "exec.fifo"
#define STATE_FILE "state.json"
/* The poststart and poststop hooks, kept for start and delete. */
#define STATE_HOOKS "hooks.json"
#define STATE_OCI_VERSION "1.2.0"
/*
 * The cgroup create is about to make, recorded before it is made: until
 * state.json has it, a create killed half-way leaves it to `state gc`.
 */
#define STATE_CGROUP "cgroup.json"

enum state_status {
	STATE_CREATING,
	STATE_CREATED,
	STATE_RUNNING,
	STATE_PAUSED,
	STATE_STOPPED,
};

struct state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;		/* RFC 3339 with nanoseconds, UTC */
	char *owner;		/* user name of the creator, "" for root */
	pid_t pid;
	uint64_t starttime;	/* of pid, from /proc/PID/stat */
	struct spec_annotation *annotations;
	size_t n_annotations;
	struct cgroup *cgroup;	/* NULL: the container has none */
};

const char *state_status_name(enum state_status st);

/*
 * Where runtime name ("ocibox", "runc", "crun") keeps its containers by
 * default, by runc's rule: $XDG_RUNTIME_DIR/name for a caller other than
 * root that has one, else /run/name.  Malloc'd, NULL without memory.
 */
char *state_default_root(const char *name);

/* runc's rule: [A-Za-z0-9_+.-]+, not "." or "..", at most 1024 bytes. */
int state_id_check(const char *id, struct err *e);

/* Open (creating with mode 0711 when create is set) the state root. */
int state_root_open(const char *root, int create, struct err *e);

/*
 * mkdir <root>/<id> and take its lock; returns the directory fd.
 * EEXIST -> "container with given ID already exists".
 */
int state_dir_create(int rootfd, const char *id, struct err *e);
/*
 * Open <root>/<id>; lock: 1 to take the container lock (blocking).
 * ENOENT -> "container does not exist".
 */
int state_dir_open(int rootfd, const char *id, int lock, struct err *e);
/*
 * For a collector: open <root>/<id> and take its lock without waiting,
 * while holding the root's lock, which state_dir_create() shares between
 * its mkdir and its lock: so a create is never caught in between.
 * Returns the directory fd; -EWOULDBLOCK when someone holds the lock (a
 * create in progress, or a command at work), -ENOENT when it is gone.
 */
int state_dir_trylock(int rootfd, const char *id);
/* Remove every file in the container's directory, then the directory. */
int state_dir_remove(int rootfd, const char *id, int dirfd);

int state_save(int dirfd, const struct state *st, struct err *e);
/* -ENOENT when the container is still being created (no state.json). */
int state_load(int dirfd, const char *id, struct state *st, struct err *e);
/*
 * The same for <root>/<id> by the root's fd, without opening the
 * container's directory: for those that read many.
 */
int state_load_at(int rootfd, const char *id, struct state *st,
		  struct err *e);
void state_release(struct state *st);

/* cgroup.json: the cgroup as state.json's cgroupPaths has it. */
int state_save_cgroup(int dirfd, const struct cgroup *cg, struct err *e);
/* -ENOENT when none was recorded. */
int state_load_cgroup(int dirfd, struct cgroup **cg);

enum state_status state_status(int dirfd, const struct state *st);
/*
 * By the root's fd; owner (may be NULL) gets the uid owning the
 * container's directory, (uid_t)-1 when that is gone.  It is read off
 * exec.fifo while there is one: create makes the two with one identity,
 * and a list of created containers stats one file fewer each.
 */
enum state_status state_status_at(int rootfd, const char *id,
				  const struct state *st, uid_t *owner);

/*
 * The OCI state JSON (runtime-spec runtime.md "State"), as runc prints it:
 * ociVersion, id, pid (0 unless alive), status, bundle, rootfs, created,
 * owner, annotations when any.  pretty: 2-space indented, else one line.
 * Returns malloc'd text or NULL.
 */
char *state_oci_json(const struct state *st, enum state_status status,
		     int pretty);
/* The same as a cJSON object (for list --format json), or NULL. */
struct cJSON *state_oci_object(const struct state *st,
			       enum state_status status);

#endif
