/*
 * foreign.c - read-only views of runc's and crun's state roots, for
 * `state list --all-runtimes`.  runc (libcontainer/state_linux.go) keeps
 * <root>/<id>/state.json with init_process_pid, init_process_start (clock
 * ticks, /proc/PID/stat field 22), created, config.rootfs, the bundle as
 * the config.labels entry "bundle=PATH", and cgroup_paths; crun
 * (src/libcrun/status.c) keeps <root>/<id>/status with pid,
 * process-start-time, bundle, rootfs, created and owner.  Both derive the
 * status as ocibox does: no state yet = creating (not listed), init alive
 * with exec.fifo = created, alive = running, else stopped; runc's paused
 * is read from its freezer cgroup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "cgroup.h"
#include "io.h"
#include "proc.h"
#include "statecmd.h"

#define FOREIGN_STATE_MAX (4 << 20)

enum kind { RUNC, CRUN };

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static char *str(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return strdup(cJSON_IsString(v) ? v->valuestring : "");
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* runc: the bundle is only in the labels it adds to the config. */
static char *runc_bundle(const cJSON *config)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, get(config, "labels"))
		if (cJSON_IsString(l) && !strncmp(l->valuestring, "bundle=", 7))
			return strdup(l->valuestring + 7);
	return strdup("");
}

static int runc_cgroup(const cJSON *paths, struct state *st)
{
	const cJSON *v;

	if (!cJSON_IsObject(paths))
		return 0;
	st->cgroup = cgroup_new();
	if (!st->cgroup)
		return -ENOMEM;
	cJSON_ArrayForEach(v, paths)
		if (cJSON_IsString(v) && v->valuestring[0] == '/' &&
		    cgroup_add(st->cgroup, v->string, v->valuestring) < 0)
			return -ENOMEM;
	return 0;
}

/* crun keeps a rootfs relative to the bundle as config.json gave it. */
static char *crun_rootfs(const cJSON *o, const char *bundle)
{
	const cJSON *v = get(o, "rootfs");
	char *p;

	if (!cJSON_IsString(v))
		return strdup("");
	if (v->valuestring[0] == '/' || !*bundle)
		return strdup(v->valuestring);
	return asprintf(&p, "%s/%s", bundle, v->valuestring) < 0 ? NULL : p;
}

/* crun's status has no id: the directory is named by it. */
static int parse(enum kind k, const cJSON *o, const char *id,
		 struct state *st)
{
	const cJSON *config = get(o, "config");

	if (k == RUNC) {
		st->id = str(o, "id");
		st->pid = num(o, "init_process_pid");
		st->starttime = num(o, "init_process_start");
		st->rootfs = str(config, "rootfs");
		st->bundle = runc_bundle(config);
		if (runc_cgroup(get(o, "cgroup_paths"), st) < 0)
			return -ENOMEM;
	} else {
		st->id = strdup(id);
		st->pid = num(o, "pid");
		st->starttime = num(o, "process-start-time");
		st->bundle = str(o, "bundle");
		st->rootfs = st->bundle ? crun_rootfs(o, st->bundle) : NULL;
		st->owner = str(o, "owner");
	}
	st->created = str(o, "created");
	st->annotations = calloc(1, sizeof(*st->annotations));
	if (!st->id || !st->bundle || !st->rootfs || !st->created ||
	    !st->annotations || (k == CRUN && !st->owner))
		return -ENOMEM;
	return 0;
}

static enum state_status status_of(int dirfd, const struct state *st)
{
	if (!proc_alive(st->pid, st->starttime))
		return STATE_STOPPED;
	if (st->cgroup && cgroup_frozen(st->cgroup, 0) == 1)
		return STATE_PAUSED;
	if (faccessat(dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATE_CREATED;
	return STATE_RUNNING;
}

/* One container; 0 also when it has no state yet (being created). */
static int load_one(enum kind k, int dirfd, const char *id,
		    struct state_rows *rows)
{
	struct state_row *row = state_rows_add(rows);
	struct stat sb;
	char *text;
	cJSON *o;
	int r;

	if (!row)
		return -ENOMEM;
	r = read_file_at(dirfd, k == RUNC ? "state.json" : "status",
			 FOREIGN_STATE_MAX, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	o = cJSON_Parse(text);
	free(text);
	if (!o)
		return -EINVAL;
	r = parse(k, o, id, &row->st);
	cJSON_Delete(o);
	if (r < 0) {
		state_release(&row->st);
		return r;
	}
	row->status = status_of(dirfd, &row->st);
	row->runtime = k == RUNC ? "runc" : "crun";
	/* crun records the owner's name; runc's list uses the dir's owner. */
	if (k == CRUN)
		snprintf(row->owner, sizeof(row->owner), "%s", row->st.owner);
	else if (fstat(dirfd, &sb) == 0)
		state_owner_name(sb.st_uid, row->owner, sizeof(row->owner));
	else
		snprintf(row->owner, sizeof(row->owner), "?");
	rows->n++;
	return 0;
}

static int load_root(enum kind k, const char *root, struct state_rows *rows)
{
	struct dirent *de;
	int fd, r = 0;
	DIR *d = opendir(root);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r != -ENOMEM && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name,
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* deleted meanwhile, or not a dir */
		r = load_one(k, fd, de->d_name, rows);
		close(fd);
	}
	closedir(d);
	return r == -ENOMEM ? r : 0;
}

int foreign_load_runc(const char *root, struct state_rows *rows)
{
	return load_root(RUNC, root, rows);
}

int foreign_load_crun(const char *root, struct state_rows *rows)
{
	return load_root(CRUN, root, rows);
}
