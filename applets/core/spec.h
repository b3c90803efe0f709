/*
 * spec.h - the OCI runtime-spec model: config.json parsed and validated
 * into plain structs before any side effect (runtime-spec config.md,
 * config-linux.md).  Everything the runtime acts on is decided here, so a
 * failure can name the key: "config.json: process.args[1]: expected string".
 */
#ifndef CORE_SPEC_H
#define CORE_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cJSON.h"
#include "err.h"

/* Upper bound on what we accept from a config.json file. */
#define SPEC_FILE_MAX (4 << 20)

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NET,
	SPEC_NS_MNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_CGROUP,
	SPEC_NS_USER,
	SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_ns {
	int present;		/* listed in linux.namespaces */
	char *path;		/* join this namespace; NULL: create a new one */
};

struct spec_rlimit {
	int resource;		/* RLIMIT_* */
	uint64_t soft, hard;
};

struct spec_mount {
	char *dest;		/* absolute path inside the container */
	char *type;		/* "bind" for bind/rbind whatever the type said */
	char *source;		/* NULL when absent; binds: absolute (bundle-relative resolved) */
	unsigned long flags;	/* MS_* set by the options (MS_BIND, MS_REC, MS_RDONLY...) */
	unsigned long clear;	/* MS_* explicitly cleared (rw, suid, dev, exec...) */
	unsigned long propagation; /* MS_PRIVATE|MS_SLAVE|MS_SHARED|MS_UNBINDABLE, | MS_REC */
	char *data;		/* the options that are not flags, comma-joined, or NULL */
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	int umask;		/* -1: not set */
};

struct spec_caps {
	int present;		/* process.capabilities given */
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

struct spec_process {
	int terminal;
	/* consoleSize, when terminal is true; 0 x 0: not given. */
	unsigned short console_height, console_width;
	char **args;		/* NULL-terminated, at least one element */
	char **env;		/* NULL-terminated, possibly empty */
	char *cwd;		/* absolute */
	struct spec_user user;
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
};

/* linux.uidMappings / gidMappings: container ids [c, c+size) are host [h, h+size). */
struct spec_idmap {
	uint32_t container_id, host_id, size;
};

/* config.md "POSIX-platform Hooks". */
enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_COUNT
};

struct spec_hook {
	char *path;		/* absolute */
	char **args;		/* NULL-terminated; empty: argv is { path } */
	char **env;		/* NULL-terminated, possibly empty */
	int timeout;		/* seconds, 0: none */
};

struct spec_hook_list {
	struct spec_hook *hooks;
	size_t n;
};

struct spec_sysctl {
	char *key, *value;
};

/* linux.devices: a node made (or bound from the host) in the container. */
struct spec_device {
	char *path;		/* absolute, inside the container */
	char type;		/* 'c', 'b', 'p' ('u' is taken as 'c') */
	uint32_t major, minor;
	mode_t mode;		/* permission bits of fileMode, default 0666 */
	uid_t uid;
	gid_t gid;
};

/* Parsed by their own modules, which own the layout. */
struct spec_resources;		/* spec_resources.h: linux.resources */
struct spec_seccomp;		/* spec_seccomp.h: linux.seccomp */

struct spec_annotation {
	char *key, *value;
};

struct spec {
	char *oci_version;
	char *bundle;		/* absolute, as given by --bundle (or cwd) */
	char *root_path;	/* absolute: root.path resolved against bundle */
	int root_readonly;
	char *hostname;		/* NULL: not set */
	char *domainname;	/* NULL: not set */
	struct spec_process process;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_ns ns[SPEC_NS_COUNT];
	char **masked_paths;	/* NULL-terminated */
	char **readonly_paths;	/* NULL-terminated */
	unsigned long rootfs_propagation; /* MS_* | MS_REC, 0: not set */
	struct spec_annotation *annotations;
	size_t n_annotations;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_hook_list hooks[SPEC_HOOK_COUNT];
	/* {"poststart":[..],"poststop":[..]} when either is given, or NULL */
	char *late_hooks_json;
	struct spec_sysctl *sysctl;
	size_t n_sysctl;
	struct spec_device *devices;
	size_t n_devices;
	int has_personality;
	unsigned long personality;	/* PER_LINUX or PER_LINUX32 */
	char *cgroups_path;	/* linux.cgroupsPath, NULL: not set */
	struct spec_resources *resources; /* NULL: none given */
	struct spec_seccomp *seccomp;	/* NULL: no filter */
};

/*
 * Read BUNDLE/config.json and validate it.  bundle must be absolute.  On
 * success *out owns everything and must be released with spec_free().
 * Errors name the file and the JSON path of the offending key.
 */
int spec_load(const char *bundle, struct spec **out, struct err *e);

/* Parse a config from memory (name is used in messages). */
int spec_parse(const char *text, size_t len, const char *name,
	       const char *bundle, struct spec **out, struct err *e);

/*
 * Read a hooks object ({"poststart": [...], ...}) from dirfd/name, as
 * late_hooks_json was written: a spec with only its hooks set.
 */
int spec_load_hooks(int dirfd, const char *name, struct spec **out,
		    struct err *e);

/*
 * A process object alone (`exec --process FILE`), validated as config.json's
 * "process": a spec with only its process set.
 */
int spec_process_parse(const char *text, size_t len, const char *name,
		       struct spec **out, struct err *e);

void spec_free(struct spec *s);

/*
 * The default config.json `oci-run spec` writes, as runc's is: busybox-style
 * "sh" process, the runc default capabilities, mounts, masked and read-only
 * paths and the pid, network, ipc, uts, mount and cgroup namespaces.
 * Returns a malloc'd NUL-terminated text, pretty-printed with a trailing
 * newline, or NULL on allocation failure.  rootless: as `runc spec
 * --rootless` writes it for the caller uid/gid.
 */
char *spec_default_json(int rootless, uid_t uid, gid_t gid);
/* The same as a cJSON tree to adjust (rootfs-unpack --bundle), or NULL. */
cJSON *spec_default_object(int rootless, uid_t uid, gid_t gid);
/* A config as spec_default_json() prints it: malloc'd, or NULL. */
char *spec_print(const cJSON *o);

/* The i-th mount option accepted (as flags), NULL past the last. */
const char *spec_mount_option(size_t i);

/* The config.json name of a hook kind: "prestart", "createRuntime", ... */
const char *spec_hook_name(int kind);

/* "pid", "network", ... -> SPEC_NS_*; -1 if unknown. */
int spec_ns_from_name(const char *name);
/* SPEC_NS_* -> the CLONE_NEW* flag. */
unsigned long spec_ns_clone_flag(int type);
/* SPEC_NS_* -> the /proc/PID/ns/ file name ("pid", "net", "mnt", ...). */
const char *spec_ns_proc_name(int type);

#endif
