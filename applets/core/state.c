/* state.c - the container state store; see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "io.h"
#include "json.h"
#include "proc.h"
#include "state.h"

#define STATE_FILE_MAX (1 << 20)

static const char *const status_names[] = {
	[STATE_CREATING] = "creating",
	[STATE_CREATED] = "created",
	[STATE_RUNNING] = "running",
	[STATE_PAUSED] = "paused",
	[STATE_STOPPED] = "stopped",
};

const char *state_status_name(enum state_status st)
{
	return status_names[st];
}

char *state_default_root(const char *name)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *p;

	if (geteuid() != 0 && xdg && *xdg == '/')
		return asprintf(&p, "%s/%s", xdg, name) < 0 ? NULL : p;
	return asprintf(&p, "/run/%s", name) < 0 ? NULL : p;
}

int state_id_check(const char *id, struct err *e)
{
	const char *p;

	if (!*id || !strcmp(id, ".") || !strcmp(id, "..") ||
	    strlen(id) > 1024)
		goto bad;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_+.-", *p)))
			goto bad;
	return 0;
bad:
	return err_msg(e, EINVAL, "invalid container id \"%s\"", id);
}

int state_root_open(const char *root, int create, struct err *e)
{
	int fd, r;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		r = io_mkdir_p(root, 0711, 0711);
		if (r < 0)
			return err_sys(e, -r, "mkdir %s", root);
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return err_sys(e, errno, "open %s", root);
	return fd;
}

int state_dir_create(int rootfd, const char *id, struct err *e)
{
	int fd, no;

	/* Shared with other creates; state_dir_trylock() waits for it. */
	while (flock(rootfd, LOCK_SH) < 0)
		if (errno != EINTR)
			return err_sys(e, errno, "lock state root");
	if (mkdirat(rootfd, id, 0711) < 0) {
		no = errno;
		flock(rootfd, LOCK_UN);
		if (no == EEXIST)
			return err_msg(e, EEXIST,
				       "container with given ID already exists");
		return err_sys(e, no, "mkdir %s", id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		no = errno;
		if (fd >= 0)
			close(fd);
		unlinkat(rootfd, id, AT_REMOVEDIR);
		flock(rootfd, LOCK_UN);
		return err_sys(e, no, "open %s", id);
	}
	flock(rootfd, LOCK_UN);
	return fd;
}

int state_dir_trylock(int rootfd, const char *id)
{
	int fd, r = 0;

	while (flock(rootfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = -errno;
	else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		r = -errno;
	flock(rootfd, LOCK_UN);
	if (r < 0 && fd >= 0)
		close(fd);
	return r < 0 ? r : fd;
}

int state_dir_open(int rootfd, const char *id, int lock, struct err *e)
{
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return err_msg(e, ENOENT, "container does not exist");
		return err_sys(e, errno, "open %s", id);
	}
	while (lock && flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return err_sys(e, errno, "lock %s", id);
		}
	}
	return fd;
}

int state_dir_remove(int rootfd, const char *id, int dirfd)
{
	struct dirent *de;
	DIR *d;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static cJSON *annotations_object(const struct state *st)
{
	cJSON *a = cJSON_CreateObject();
	size_t i;

	for (i = 0; a && i < st->n_annotations; i++)
		cJSON_AddStringToObject(a, st->annotations[i].key,
					st->annotations[i].value);
	return a;
}

/* runc's cgroup_paths: hierarchy name ("" for v2) -> directory. */
static cJSON *cgroup_paths_object(const struct cgroup *cg)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; o && i < cg->n; i++)
		cJSON_AddStringToObject(o, cg->dirs[i].name, cg->dirs[i].path);
	return o;
}

static int cgroup_paths_load(const cJSON *o, struct state *st)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return 0;
	st->cgroup = cgroup_new();
	if (!st->cgroup)
		return -ENOMEM;
	cJSON_ArrayForEach(v, o)
		if (cJSON_IsString(v) && v->valuestring[0] == '/' &&
		    cgroup_add(st->cgroup, v->string, v->valuestring) < 0)
			return -ENOMEM;
	return 0;
}

int state_save(int dirfd, const struct state *st, struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int r = -ENOMEM;

	if (!o)
		goto out;
	cJSON_AddStringToObject(o, "id", st->id);
	cJSON_AddNumberToObject(o, "pid", st->pid);
	cJSON_AddNumberToObject(o, "starttime", (double)st->starttime);
	cJSON_AddStringToObject(o, "bundle", st->bundle);
	cJSON_AddStringToObject(o, "rootfs", st->rootfs);
	cJSON_AddStringToObject(o, "created", st->created);
	cJSON_AddStringToObject(o, "owner", st->owner ? st->owner : "");
	cJSON_AddItemToObject(o, "annotations", annotations_object(st));
	if (st->cgroup)
		cJSON_AddItemToObject(o, "cgroupPaths",
				      cgroup_paths_object(st->cgroup));
	text = cJSON_PrintUnformatted(o);
	if (!text)
		goto out;
	r = write_file_atomic(dirfd, STATE_FILE, text, strlen(text), 0600,
			      IO_VOLATILE);
out:
	cJSON_Delete(o);
	free(text);
	if (r < 0)
		return err_sys(e, -r, "write %s", STATE_FILE);
	return 0;
}

int state_save_cgroup(int dirfd, const struct cgroup *cg, struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int r = -ENOMEM;

	if (o && cJSON_AddItemToObject(o, "cgroupPaths",
				       cgroup_paths_object(cg)))
		text = cJSON_PrintUnformatted(o);
	if (text)
		r = write_file_atomic(dirfd, STATE_CGROUP, text, strlen(text),
				      0600, IO_VOLATILE);
	cJSON_Delete(o);
	free(text);
	if (r < 0)
		return err_sys(e, -r, "write %s", STATE_CGROUP);
	return 0;
}

int state_load_cgroup(int dirfd, struct cgroup **cg)
{
	struct state st = { 0 };
	char *text;
	cJSON *o;
	int r;

	*cg = NULL;
	r = read_file_at(dirfd, STATE_CGROUP, STATE_FILE_MAX, &text, NULL);
	if (r < 0)
		return r;
	o = cJSON_Parse(text);
	free(text);
	if (!o)
		return -EINVAL;
	r = cgroup_paths_load(cJSON_GetObjectItemCaseSensitive(o,
							       "cgroupPaths"),
			      &st);
	cJSON_Delete(o);
	if (r < 0) {
		cgroup_free(st.cgroup);
		return r;
	}
	*cg = st.cgroup;
	return *cg ? 0 : -EINVAL;
}

static char *dup_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return strdup(cJSON_IsString(v) ? v->valuestring : "");
}

/* state.json at fd/path (path: STATE_FILE, or "<id>/state.json"). */
static int load_at(int fd, const char *path, const char *id,
		   struct state *st, struct err *e)
{
	char small[4096], nodes[8192], *text;
	struct json_scratch js = { nodes, sizeof(nodes), 0 };
	const cJSON *v, *a;
	size_t i = 0;
	cJSON *o;
	int r;

	memset(st, 0, sizeof(*st));
	/*
	 * A regular file, replaced whole: one read to the stack does for
	 * the usual size (a list reads many), the long way for a larger.
	 */
	r = read_file_into_at(fd, path, small, sizeof(small));
	text = small;
	if (r == -EFBIG)
		r = read_file_at(fd, path, STATE_FILE_MAX, &text, NULL);
	if (r < 0)
		return err_sys(e, -r, "%s/%s", id, STATE_FILE);
	o = json_scratch_parse(&js, text);
	if (text != small)
		free(text);
	if (!o)
		return err_msg(e, EINVAL, "%s/%s: invalid JSON", id, STATE_FILE);
	st->id = dup_str(o, "id");
	st->bundle = dup_str(o, "bundle");
	st->rootfs = dup_str(o, "rootfs");
	st->created = dup_str(o, "created");
	st->owner = dup_str(o, "owner");
	v = cJSON_GetObjectItemCaseSensitive(o, "pid");
	st->pid = cJSON_IsNumber(v) ? (pid_t)v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(o, "starttime");
	st->starttime = cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
	a = cJSON_GetObjectItemCaseSensitive(o, "annotations");
	st->n_annotations = cJSON_GetArraySize(a);
	st->annotations = calloc(st->n_annotations + 1,
				 sizeof(*st->annotations));
	for (v = a ? a->child : NULL; v && st->annotations; v = v->next, i++) {
		st->annotations[i].key = strdup(v->string ? v->string : "");
		st->annotations[i].value = strdup(cJSON_IsString(v) ?
						  v->valuestring : "");
	}
	r = cgroup_paths_load(cJSON_GetObjectItemCaseSensitive(o,
							       "cgroupPaths"),
			      st);
	json_scratch_delete(&js, o);
	if (r < 0 || !st->id || !st->bundle || !st->rootfs || !st->created ||
	    !st->owner || !st->annotations) {
		state_release(st);
		return err_sys(e, ENOMEM, "%s/%s", id, STATE_FILE);
	}
	return 0;
}

int state_load(int dirfd, const char *id, struct state *st, struct err *e)
{
	return load_at(dirfd, STATE_FILE, id, st, e);
}

int state_load_at(int rootfd, const char *id, struct state *st,
		  struct err *e)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/%s", id, STATE_FILE);
	return load_at(rootfd, path, id, st, e);
}

void state_release(struct state *st)
{
	size_t i;

	for (i = 0; st->annotations && i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	cgroup_free(st->cgroup);
	memset(st, 0, sizeof(*st));
}

/* fifo: set to the fifo's stat when it was looked at and is there. */
static enum state_status status_at(int fd, const char *path,
				   const struct state *st, struct stat *fifo)
{
	char task = proc_alive_state(st->pid, st->starttime);

	if (!task)
		return STATE_STOPPED;
	if (st->cgroup && cgroup_frozen(st->cgroup, task) == 1)
		return STATE_PAUSED;
	if (fstatat(fd, path, fifo, AT_SYMLINK_NOFOLLOW) == 0)
		return STATE_CREATED;
	return STATE_RUNNING;
}

enum state_status state_status(int dirfd, const struct state *st)
{
	struct stat sb;

	return status_at(dirfd, STATE_FIFO, st, &sb);
}

enum state_status state_status_at(int rootfd, const char *id,
				  const struct state *st, uid_t *owner)
{
	enum state_status s;
	struct stat sb;
	char path[1100];

	snprintf(path, sizeof(path), "%s/%s", id, STATE_FIFO);
	s = status_at(rootfd, path, st, &sb);
	if (owner && s != STATE_CREATED &&
	    fstatat(rootfd, id, &sb, 0) < 0)
		sb.st_uid = (uid_t)-1;
	if (owner)
		*owner = sb.st_uid;
	return s;
}

cJSON *state_oci_object(const struct state *st, enum state_status status)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "ociVersion", STATE_OCI_VERSION);
	cJSON_AddStringToObject(o, "id", st->id);
	cJSON_AddNumberToObject(o, "pid",
				status == STATE_STOPPED ? 0 : st->pid);
	cJSON_AddStringToObject(o, "status", state_status_name(status));
	cJSON_AddStringToObject(o, "bundle", st->bundle);
	cJSON_AddStringToObject(o, "rootfs", st->rootfs);
	cJSON_AddStringToObject(o, "created", st->created);
	cJSON_AddStringToObject(o, "owner", st->owner);
	if (st->n_annotations)
		cJSON_AddItemToObject(o, "annotations", annotations_object(st));
	return o;
}

char *state_oci_json(const struct state *st, enum state_status status,
		     int pretty)
{
	cJSON *o = state_oci_object(st, status);
	char *text;

	if (!o)
		return NULL;
	text = pretty ? json_print_pretty(o) : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}
