/*
 * show.c - `state show ID`: the OCI state (runtime-spec runtime.md
 * "State", as `runc state` prints it) with an "ocibox" object of what
 * ocibox knows beyond it: the state directory, the cgroup, the
 * namespaces by inode (proc(5) /proc/PID/ns), the container's mounts
 * (/proc/PID/mountinfo, as its init sees them) and whether `state gc`
 * would collect it.  Nothing is changed, no lock is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "cgroup.h"
#include "io.h"
#include "json.h"
#include "log.h"
#include "opt.h"
#include "state.h"
#include "statecmd.h"

static const char *const ns_names[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts",
};

/* The init's namespaces by inode, and which of them are the caller's. */
static void add_namespaces(cJSON *x, pid_t pid)
{
	cJSON *ns = cJSON_AddObjectToObject(x, "namespaces");
	cJSON *shared = cJSON_AddArrayToObject(x, "namespacesShared");
	struct stat theirs, ours;
	char path[64];
	size_t i;

	for (i = 0; ns && shared && i < sizeof(ns_names) / sizeof(*ns_names);
	     i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 ns_names[i]);
		if (stat(path, &theirs) < 0)
			continue;
		cJSON_AddNumberToObject(ns, ns_names[i],
					(double)theirs.st_ino);
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		if (stat(path, &ours) == 0 && ours.st_ino == theirs.st_ino &&
		    ours.st_dev == theirs.st_dev)
			cJSON_AddItemToArray(shared,
					     cJSON_CreateString(ns_names[i]));
	}
}

/*
 * proc(5) mountinfo: ID PARENT MAJ:MIN ROOT TARGET OPTS [TAGS...] -
 * TYPE SOURCE SUPER-OPTS; octal escapes (\040) left as they are.
 */
static void add_mounts(cJSON *x, pid_t pid)
{
	cJSON *arr = cJSON_AddArrayToObject(x, "mounts"), *m;
	char path[64], *buf, *line, *next, *f[6], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	if (!arr || read_file_at(AT_FDCWD, path, 1 << 22, &buf, NULL) < 0)
		return;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		p = strtok(line, " ");
		for (i = 0; p && i < 4; i++)
			p = strtok(NULL, " ");
		f[0] = p;	/* the target */
		while (p && strcmp(p, "-"))
			p = strtok(NULL, " ");
		f[1] = strtok(NULL, " ");
		f[2] = f[1] ? strtok(NULL, " ") : NULL;
		if (!f[0] || !f[2])
			continue;
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "target", f[0]);
		cJSON_AddStringToObject(m, "type", f[1]);
		cJSON_AddStringToObject(m, "source", f[2]);
		cJSON_AddItemToArray(arr, m);
	}
	free(buf);
}

static void add_cgroup(cJSON *x, const struct cgroup *cg)
{
	cJSON *o = cJSON_AddObjectToObject(x, "cgroupPaths");
	size_t i;

	for (i = 0; o && cg && i < cg->n; i++)
		cJSON_AddStringToObject(o, cg->dirs[i].name, cg->dirs[i].path);
}

/* Is the directory's lock held (by a create, or a command at work)? */
static int locked(int rootfd, const char *id)
{
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return 0;
	r = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return r;
}

static void add_verdict(cJSON *x, enum state_status status, int lock)
{
	const char *why;
	int yes = 0;

	if (status == STATE_CREATING && lock) {
		why = "being created (its lock is held)";
	} else if (status == STATE_CREATING) {
		why = "its create died before it finished";
		yes = 1;
	} else if (status == STATE_STOPPED && lock) {
		why = "stopped, but a command holds its lock";
	} else if (status == STATE_STOPPED) {
		why = "stopped: its init is gone";
		yes = 1;
	} else {
		why = "its init is alive";
	}
	cJSON_AddBoolToObject(x, "collectable", yes);
	cJSON_AddStringToObject(x, "why", why);
}

int cmd_show(const char *root, int argc, char **argv)
{
	static const struct opt none[] = { { 0 } };
	enum state_status status;
	struct state st = { 0 };
	struct err e = { 0 };
	char **pos, *text = NULL, dir[4096];
	int npos, rootfd = -1, dirfd = -1, r = 1, lock;
	const char *id;
	cJSON *o = NULL, *x;

	if (statecmd_options("show", argc, argv, none, NULL, NULL, 1, 1, &pos,
			     &npos) < 0)
		return 1;
	id = pos[0];
	if (state_id_check(id, &e) < 0)
		goto out;
	rootfd = state_root_open(root, 0, &e);
	if (rootfd < 0 && e.no == ENOENT)
		err_msg(&e, ENOENT, "container does not exist");
	if (rootfd < 0 || (dirfd = state_dir_open(rootfd, id, 0, &e)) < 0)
		goto out;
	r = state_load(dirfd, id, &st, &e);
	if (r == -ENOENT) {
		st = (struct state){ .id = strdup(id), .bundle = strdup(""),
				     .rootfs = strdup(""),
				     .created = strdup(""),
				     .owner = strdup("") };
		if (state_load_cgroup(dirfd, &st.cgroup) < 0)
			st.cgroup = NULL;
		status = STATE_CREATING;
	} else if (r < 0) {
		goto out;
	} else {
		status = state_status(dirfd, &st);
	}
	r = 1;
	lock = locked(rootfd, id);
	o = state_oci_object(&st, status);
	x = o ? cJSON_AddObjectToObject(o, "ocibox") : NULL;
	if (!x) {
		err_msg(&e, ENOMEM, "out of memory");
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	cJSON_AddStringToObject(x, "stateDir", dir);
	add_cgroup(x, st.cgroup);
	if (status != STATE_STOPPED && status != STATE_CREATING) {
		add_namespaces(x, st.pid);
		add_mounts(x, st.pid);
	}
	add_verdict(x, status, lock);
	text = json_print_pretty(o);
	if (!text) {
		err_msg(&e, ENOMEM, "out of memory");
		goto out;
	}
	printf("%s\n", text);
	r = 0;
out:
	if (r)
		log_error("show %s: %s", pos[0], e.msg);
	free(text);
	cJSON_Delete(o);
	state_release(&st);
	if (dirfd >= 0)
		close(dirfd);
	if (rootfd >= 0)
		close(rootfd);
	return r != 0;
}
